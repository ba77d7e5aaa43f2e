"""The recomputation's shortcuts give what the straightforward computation gives."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auditkit.billing import energy
from auditkit.billing.basic import shared_codes
from auditkit.billing.params import defaults_file, load_billing_params, resolve_params


def _shared_codes_by_hand(bills: list, table: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """shared_codes worked out id by id: the bills whose id the table has (an empty id where the
    table has an empty one), their ids numbered by first appearance (an empty one −1), each table
    id's number (−1 where no shared bill has it)."""
    has_empty = any(value is None for value in table)
    rows = [i for i, value in enumerate(bills) if (value in table if value else has_empty)]
    numbers: dict[str, int] = {}
    for i in rows:
        if bills[i] is not None:
            numbers.setdefault(bills[i], len(numbers))
    codes = [numbers.get(bills[i], -1) if bills[i] is not None else -1 for i in rows]
    return np.array(rows), np.array(codes), np.array([numbers.get(v, -1) for v in table])


@pytest.mark.parametrize(
    ("bills", "table"),
    [
        (["A", None, "B", "C", "A", "B"], ["C", "A", "Z", "A"]),
        (["A", None, "B", "C", "A"], ["B", None]),  # an empty id shared with the table's
        (["A", "B"], ["Z"]),  # nothing shared
        (["A"], ["A"]),  # one bill
        ([], ["A"]),  # no bill
        (["A", "B"], []),  # an empty table
    ],
)
def test_categorical_ids_share_as_their_texts_do(bills: list, table: list):
    # Categories that no bill has ("D") number nothing, as factorize of the ids has it.
    ids = pd.Series(pd.Categorical(bills, categories=["D", "C", "B", "A"]))
    table_ids = pd.Series(table, dtype=object)
    fast = shared_codes(ids, table_ids)
    plain = _shared_codes_by_hand(bills, table)
    for got, expected in zip(fast, plain, strict=True):
        assert got.tolist() == expected.tolist()
    assert fast[1].dtype == np.int64


def test_default_params_are_read_once_until_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    shutil.copy(defaults_file(), tmp_path / defaults_file().name)
    monkeypatch.setenv("AUDITKIT_PARAMS", str(tmp_path))
    first = resolve_params(None)
    assert first == load_billing_params()
    assert resolve_params(None) is first  # not parsed again
    changed = tmp_path / defaults_file().name
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("days_per_month: 30", "days_per_month: 31"), encoding="utf-8")
    assert "days_per_month: 31" in changed.read_text(encoding="utf-8")
    assert resolve_params(None).days_per_month == 31
    # An edit of the same size within the same clock tick is seen too: the key is the bytes.
    modified = changed.stat().st_mtime_ns
    changed.write_text(text.replace("days_per_month: 30", "days_per_month: 29"), encoding="utf-8")
    os.utime(changed, ns=(modified, modified))
    assert resolve_params(None).days_per_month == 29
    # Overrides and BillingParams are resolved as given, never from the cache.
    assert resolve_params({"days_per_month": 28}).days_per_month == 28
    assert resolve_params(first) is first


@pytest.mark.parametrize("start_month", [1, 7])
def test_earlier_kwh_of_the_tier_year_are_those_a_plain_group_sum_gives(start_month: int):
    # Two customers over a year boundary (and a July one), months in order per customer.
    month = np.array([24_286, 24_287, 24_288, 24_289, 24_292, 24_293, 24_287, 24_288, 24_300])
    cust = np.array([0, 0, 0, 0, 0, 0, 1, 1, 2])
    kwh = np.array([10.5, np.nan, 3.25, 0.0, 7.0, 1.0001, 2.0, 5.0, 4.0])
    bills = pd.DataFrame({"month": month, "cust": cust})
    params = replace(load_billing_params(), tier_year_start_month=start_month)
    units = energy._units(kwh)
    assert units.tolist() == [105_000, 0, 32_500, 0, 70_000, 10_001, 20_000, 50_000, 40_000]
    rows = np.array([0, 2, 3, 5, 7, 8])
    got = energy._earlier_in_tier_year(bills, params, units, rows)
    year = (month - (start_month - 1)) // 12
    plain = pd.Series(units).groupby([cust, year]).cumsum().to_numpy() - units
    assert got.tolist() == plain[rows].tolist()
    one = energy._earlier_in_tier_year(bills.iloc[:1], params, units[:1], np.array([0]))
    assert one.tolist() == [0]

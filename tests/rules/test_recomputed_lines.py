"""Recomputed lines: periods kept as codes (texts and presence read from them), the lines of a
type found once, the lines due, and the per-bill figures as plain sums over the lines give them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditkit.billing.recompute import PERIOD_ORDER
from auditkit.rules.recomputed import Recomputed


def _lines(period_code: list[int], **given: list) -> Recomputed:
    """Lines of these period codes, 0 or empty elsewhere but where `given` (field → values)."""
    n = len(period_code)
    fields = {
        "row": np.arange(n),
        "line_type": np.zeros(n, dtype=np.int64),
        "period_code": np.asarray(period_code, dtype=np.int64),
        "tier": np.zeros(n, dtype=np.int64),
        **{name: np.zeros(n) for name in ("quantity_billed", "quantity_due", "difference")},
        **{name: np.zeros(n) for name in ("rate_billed", "rate_due", "amount_billed")},
        "amount_due": np.zeros(n),
        "estimated": np.zeros(n, dtype=bool),
        "tariff_due": np.full(n, None, dtype=object),
        "tariff_differs": np.zeros(n, dtype=bool),
        "notes": (),
    }
    fields.update({name: np.asarray(values) for name, values in given.items()})
    return Recomputed(**fields)


@pytest.mark.parametrize("codes", [[0, 4, 2, 1, 3, 4], [4], [2], []])
def test_periods_read_from_codes_as_from_their_texts(codes: list[int]):
    lines = _lines(codes)
    expected = [PERIOD_ORDER[code] for code in codes]
    assert lines.period.tolist() == expected
    assert lines.period.dtype == object
    assert lines.has_period.tolist() == pd.notna(np.array(expected, dtype=object)).tolist()
    assert lines.has_period.dtype == bool


def test_the_lines_of_a_type_are_found_once_and_as_compared():
    lines = _lines([4, 4, 4, 4], line_type=[0, 2, 0, 4])
    energy = lines.of("energy")
    assert energy.tolist() == [0, 2]
    assert lines.of("energy") is energy  # not searched again
    assert lines.of("basic").tolist() == [1]
    assert lines.of("loss").tolist() == []


def test_a_line_is_due_with_a_rate_or_an_amount_due_as_the_plain_comparison_has_it():
    nan = np.nan
    rate = [nan, nan, nan, nan, 0.5, 0.0, nan, 0.3]
    amount = [nan, 0.0, -0.0, 12.3, nan, 0.0, -4.0, 0.0]
    lines = _lines([4] * len(rate), rate_due=np.array(rate), amount_due=np.array(amount))
    plain = ~np.isnan(rate) | (np.nan_to_num(amount) != 0)
    assert lines.due.tolist() == plain.tolist() == [0, 0, 0, 1, 1, 1, 1, 1]
    assert _lines([]).due.tolist() == []


def test_per_bill_flags_and_kwh_are_those_of_the_plain_sums_over_the_lines():
    nan = np.nan
    # Five bills: 0 by periods, 1 by tiers, 2 flat, 3 with a basic line only, 4 without lines.
    lines = _lines(
        [0, 2, 3, 4, 4, 4, 4, 4],
        row=[0, 0, 0, 1, 1, 2, 3, 1],
        line_type=[0, 0, 0, 0, 0, 0, 2, 0],
        tier=[0, 0, 0, 1, 2, 0, 0, 0],
        quantity_due=[10.0, nan, 5.0, 100.0, 20.0, 7.5, 3.0, nan],
        quantity_billed=[10.0, 2.0, nan, 100.0, 19.0, nan, 3.0, 1.0],
        rate_due=[0.5] * 8,
        amount_due=np.zeros(8),
        tariff_differs=np.zeros(5, dtype=bool),
    )
    energy = np.flatnonzero(lines.line_type == 0)
    rows = lines.row[energy]
    plain_due = np.bincount(rows, weights=np.nan_to_num(lines.quantity_due[energy]), minlength=5)
    plain_billed = np.bincount(
        rows, weights=np.nan_to_num(lines.quantity_billed[energy]), minlength=5
    )
    due, billed = lines.energy_kwh
    assert due.tobytes() == plain_due.tobytes()
    assert billed.tobytes() == plain_billed.tobytes()
    assert due.tolist() == [15.0, 120.0, 7.5, 0.0, 0.0]
    assert lines.tou_bills.tolist() == [True, False, False, False, False]
    assert lines.tier_bills.tolist() == [False, True, False, False, False]
    flag = np.array([False, True, False, False, True, False, True, False])
    plain_any = np.bincount(lines.row, weights=flag.astype(float), minlength=5) > 0
    assert lines.any_per_bill(np.arange(8), flag, 5).tolist() == plain_any.tolist()
    assert lines.any_per_bill(np.arange(0), np.zeros(0, dtype=bool), 5).tolist() == [False] * 5

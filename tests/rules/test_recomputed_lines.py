"""Recomputed lines: periods kept as codes (texts and presence read from them), the lines of a
type found once, the lines due, the per-bill figures as plain sums over the lines give them, and
the lines tied to the context's bills without a lookup where the bills are the same."""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np
import pandas as pd
import pytest
from itemized_builder import Itemized

from auditkit.billing.recompute import PERIOD_ORDER
from auditkit.data import Dataset
from auditkit.rules.context import RuleContext
from auditkit.rules.recomputed import Recomputed, recompute_lines

recomputed_module = importlib.import_module("auditkit.rules.recomputed")


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


def test_the_arrays_every_rule_reads_cannot_be_changed_by_one_of_them():
    nan = float("nan")
    lines = _lines([4, 4, 4], line_type=[0, 2, 0], amount_due=[1.0, 0.0, 2.0], rate_due=[nan] * 3)
    for array in (lines.of("energy"), lines.due, lines.billed, lines.amount_due, lines.row):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = array[-1]
    assert lines.of("energy").tolist() == [0, 2] and lines.due.tolist() == [True, False, True]


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


def _utility(twice: bool, stranger: bool) -> Itemized:
    """Two commercial customers over three months, one with a second bill of February when
    `twice`, and a bill of a customer not in the archive when `stranger` (either way the context's
    bills are not the recomputed ones one for one, and their rows are looked up)."""
    u = Itemized()
    for customer_id in ("A", "B"):
        u.customer(customer_id)
        for period in ("2024-01", "2024-02", "2024-03"):
            u.bill(customer_id, period, 1000, [("energy", 1000.0, 0.80)])
    if stranger:
        u.bill("C", "2024-02", 500, [("energy", 500.0, 0.80)])
    if twice:
        u.bill("B", "2024-02", 200, [("energy", 200.0, 0.75)])
    return u


def _context(twice: bool, stranger: bool) -> RuleContext:
    """The rules' context of `_utility` (not validated: a month billed twice and a bill of an
    unknown customer are what the test is about)."""
    tables = _utility(twice, stranger).tables()
    return RuleContext.build(Dataset.from_frames(tables, validate=False), None)


@pytest.mark.parametrize(("twice", "stranger"), [(False, False), (True, False), (False, True)])
def test_lines_tied_to_the_bills_without_a_lookup_are_those_the_lookup_ties(
    twice: bool, stranger: bool, monkeypatch: pytest.MonkeyPatch
):
    found = recomputed_module.bill_rows
    shortcut_taken = []

    def spied(ctx: RuleContext, bills: pd.DataFrame) -> np.ndarray | None:
        rows = found(ctx, bills)
        shortcut_taken.append(rows is None)
        return rows

    def looked_up(ctx: RuleContext, bills: pd.DataFrame) -> np.ndarray:
        rows = found(ctx, bills)
        return np.arange(len(bills)) if rows is None else rows

    monkeypatch.setattr(recomputed_module, "bill_rows", spied)
    shortcut = recompute_lines(_context(twice, stranger))
    assert shortcut_taken == [not twice and not stranger]
    monkeypatch.setattr(recomputed_module, "bill_rows", looked_up)
    plain = recompute_lines(_context(twice, stranger))
    for name in (field.name for field in dataclasses.fields(Recomputed)):
        got, expected = getattr(shortcut, name), getattr(plain, name)
        if isinstance(expected, np.ndarray):
            assert got.dtype == expected.dtype, name
            np.testing.assert_array_equal(got, expected, err_msg=name)
        else:
            assert got == expected, name
    assert len(shortcut.row) > 0

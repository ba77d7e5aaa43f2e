"""The per-bill lookups rules share: they must agree with the plain, slow way of computing them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rule_builder import PERIODS, Utility, flat

from auditkit.rules.change_of_use import _changed_from_previous, _differs, _previous_known
from auditkit.rules.context import RuleContext, customer_positions, run_starts
from auditkit.rules.findings import order_between_bills, zero_where_nan


def _context(utility: Utility) -> RuleContext:
    return RuleContext.build(utility.dataset(), None)


def _utility_with_gaps() -> Utility:
    """Three customers, listed out of order, one with a gap in its bills and orders around it."""
    utility = Utility()
    utility.customer("C3", basic_charge_basis="capacity", status="closed")
    utility.customer("C1", basic_charge_basis="demand")
    utility.customer("C2")
    utility.monthly("C1", flat(100), periods=PERIODS[:4] + PERIODS[8:])  # no bills May..Aug
    utility.monthly("C2", flat(50), periods=PERIODS[2:])
    utility.monthly("C3", flat(70))
    utility.order("C1", "meter_replacement", "2024-06-15")  # inside C1's gap
    utility.order("C2", "meter_replacement", "2024-12-01")
    utility.order("C3", "tariff_change", "2024-03-01")  # another type
    return utility


def test_customer_lookups_spread_archive_values_over_each_customers_bills():
    ctx = _context(_utility_with_gaps())
    archive = ctx.customers.set_index("customer_id")
    bill_ids = ctx.bills["customer_id"].to_numpy(dtype=object)
    expected_capacity = archive.loc[bill_ids, "basic_charge_basis"].to_numpy() == "capacity"
    assert (ctx.customer_is("basic_charge_basis", "capacity") == expected_capacity).all()
    either = ctx.customer_is("basic_charge_basis", "capacity", "demand")
    assert (either == np.isin(bill_ids, ["C1", "C3"])).all()
    code_of = {cid: i for i, cid in enumerate(ctx.customers["customer_id"])}
    assert (ctx.bills_of(np.array([code_of["C2"], -1])) == (bill_ids == "C2")).all()
    first = dict(zip(ctx.customers["customer_id"], ctx.first_bill_month, strict=True))
    assert first == {"C3": 2024 * 12, "C1": 2024 * 12, "C2": 2024 * 12 + 2}


def test_order_between_bills_matches_a_bill_by_bill_search():
    utility = _utility_with_gaps()
    ctx = _context(utility)
    for window in (0, 1, 2):
        found = order_between_bills(ctx, ("meter_replacement",), window)
        expected = []
        for row in range(len(ctx.bills)):
            cust, month = ctx.bill_customer[row], ctx.bill_month[row]
            previous = ctx.bill_month[row - 1] if ctx.same_customer_as_previous[row] else month
            low, high = min(previous + 1, month) - window, month + window
            orders = ctx.orders_of("meter_replacement")
            mine = orders[orders["cust"] == cust]["effective_month"]
            expected.append(bool(((mine >= low) & (mine <= high)).any()))
        assert found.tolist() == expected, window
    # The replacement in C1's gap (June) explains the first bill after it (September) only.
    c1 = ctx.bills["customer_id"].to_numpy(dtype=object) == "C1"
    found = order_between_bills(ctx, ("meter_replacement",), 0)
    assert ctx.bills.loc[c1 & found, "period"].tolist() == ["2024-09"]


def test_previous_known_value_carries_forward_within_a_customer_only():
    utility = Utility()
    for customer_id in ("A", "B"):
        utility.customer(customer_id)
    utility.monthly("A", flat(10, 4), capacity=[None, 100.0, None, 80.0], periods=PERIODS[:4])
    utility.monthly("B", flat(10, 3), capacity=[None, None, 50.0], periods=PERIODS[:3])
    ctx = _context(utility)
    capacity = ctx.bills["capacity_billed_kva"].to_numpy(dtype=float)
    expected = (
        pd.Series(capacity)
        .groupby(ctx.bill_customer)
        .transform(lambda values: values.ffill().shift())
        .to_numpy(dtype=float, na_value=np.nan)
    )
    np.testing.assert_array_equal(_previous_known(ctx, capacity), expected)
    np.testing.assert_array_equal(expected, [np.nan, np.nan, 100, 100, np.nan, np.nan, np.nan])


def test_a_change_from_the_previous_bill_is_never_across_customers():
    utility = Utility()
    for customer_id in ("A", "B"):
        utility.customer(customer_id)
    utility.monthly("A", flat(10, 3), tariff=["RES", "RES", "COM"], periods=PERIODS[:3])
    utility.monthly("B", flat(10, 2), multiplier=5.0, tariff="AGR", periods=PERIODS[:2])
    ctx = _context(utility)
    multiplier = ctx.bills["multiplier_billed"].to_numpy(dtype=float)
    tariff = ctx.billed_tariff_codes[0]
    np.testing.assert_array_equal(
        _changed_from_previous(ctx, tariff, np.not_equal), [False, False, True, False, False]
    )
    assert not _changed_from_previous(ctx, multiplier, _differs).any()  # 1 → 5 is A → B


def test_differs_is_the_negation_of_isclose_with_nan_differing():
    rng = np.random.default_rng(7)
    values = rng.choice([1.0, 2.0, 1.0 + 1e-9, 1.0 + 1e-3, np.nan, 0.0], size=500)
    previous = rng.choice([1.0, 2.0, 1.0 + 1e-9, np.nan, 0.0], size=500)
    np.testing.assert_array_equal(_differs(values, previous), ~np.isclose(values, previous))


def test_zero_where_nan_keeps_values_and_zeroes_missing_ones():
    np.testing.assert_array_equal(zero_where_nan(np.array([1.5, np.nan, -2.0])), [1.5, 0.0, -2.0])


def test_run_starts_mark_each_change_of_id_and_each_missing_id():
    ids = pd.Series(["A", "A", None, None, "B", "A", "A"], dtype="str")
    np.testing.assert_array_equal(run_starts(ids), [0, 2, 3, 4, 5])
    categorical = pd.Series(pd.Categorical(["B", "B", "A"]))
    np.testing.assert_array_equal(run_starts(categorical), [0, 2])
    assert len(run_starts(pd.Series([], dtype="str"))) == 0


def test_bills_find_their_customer_even_out_of_order_or_unknown():
    bill_ids = pd.Series(["C2", "C2", "X", "C1", "C2", None], dtype="str")
    customer_ids = pd.Series(["C1", "C2"], dtype="str")
    positions = customer_positions(bill_ids, customer_ids)
    np.testing.assert_array_equal(positions, [1, 1, -1, 0, 1, -1])
    assert positions.dtype == np.int32


def test_billed_tariff_codes_are_those_of_factorizing_every_bill():
    utility = Utility()
    for customer_id in ("A", "B"):
        utility.customer(customer_id)
    utility.monthly("A", flat(10, 4), tariff=["RES", "COM", "COM", "AGR"], periods=PERIODS[:4])
    utility.monthly("B", flat(10, 3), tariff=["COM", "RES", "RES"], periods=PERIODS[:3])
    ctx = _context(utility)
    codes, uniques = ctx.billed_tariff_codes
    expected_codes, expected_uniques = pd.factorize(ctx.bills["tariff_billed"])
    np.testing.assert_array_equal(codes, expected_codes)
    assert list(uniques) == list(expected_uniques) == ["RES", "COM", "AGR"]

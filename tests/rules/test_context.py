"""The per-bill lookups rules share: they must agree with the plain, slow way of computing them."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
from rule_builder import PERIODS, TWO_PART, TWO_PART_BY_CAPACITY, Utility, flat

from auditkit.billing.bill_frame import BASES, prepare_bills, texts_at
from auditkit.errors import ParameterError
from auditkit.periods import date_month_number, month_number, period_text
from auditkit.rules.billing_runs import changed_from_previous
from auditkit.rules.change_of_use import _differs, _previous_known
from auditkit.rules.context import (
    RuleContext,
    _bill_months,
    _ended_by,
    bill_rows_of,
    customer_positions,
    run_starts,
)
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
    c2_bills = bill_rows_of(ctx.bill_customer, np.array([code_of["C2"], -1]))
    assert (c2_bills == np.flatnonzero(bill_ids == "C2")).all()
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
        changed_from_previous(ctx, tariff, np.not_equal), [False, False, True, False, False]
    )
    assert not changed_from_previous(ctx, multiplier, _differs).any()  # 1 → 5 is A → B


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


def test_orders_of_select_by_type_only_orders_that_took_effect():
    utility = _utility_with_gaps()
    utility.order("C2", "meter_replacement", "2024-09-01")
    ctx = _context(utility)
    ctx.work_orders.loc[ctx.work_orders.index[-1], "effective_month"] = -1  # no effective date
    orders = ctx.work_orders
    expected = orders.loc[orders["order_type"].isin(["meter_replacement"])].iloc[:-1]
    pd.testing.assert_frame_equal(ctx.orders_of("meter_replacement"), expected)
    both = ctx.orders_of("tariff_change", "meter_replacement")
    assert sorted(both["order_type"]) == ["meter_replacement"] * 2 + ["tariff_change"]
    assert ctx.orders_of("nothing_such").empty


def test_orders_of_some_types_are_selected_once_per_context():
    utility = _utility_with_gaps()
    utility.order("C2", "meter_replacement", "2024-09-01")
    ctx = _context(utility)
    replacements = ctx.orders_of("meter_replacement")
    assert len(replacements) and (replacements["order_type"] == "meter_replacement").all()
    assert ctx.orders_of("meter_replacement") is replacements  # not selected again
    both = ctx.orders_of("tariff_change", "meter_replacement")
    assert len(both) == len(replacements) + len(ctx.orders_of("tariff_change"))


def _merge_asof_ends(orders: pd.DataFrame, enders: pd.DataFrame) -> pd.DataFrame:
    """The plain way: pandas' forward merge_asof by customer, strictly later."""
    ends = pd.DataFrame(
        {
            "cust": enders["cust"].to_numpy(dtype=np.int64),
            "end_date": enders["effective_date"].to_numpy(dtype="datetime64[ns]"),
            "end_type": enders["order_type"].to_numpy(dtype=object),
        }
    ).sort_values("end_date", kind="stable")
    orders = orders.astype({"cust": np.int64, "effective_date": "datetime64[ns]"})
    return pd.merge_asof(
        orders.sort_values("effective_date", kind="stable"),
        ends,
        left_on="effective_date",
        right_on="end_date",
        by="cust",
        direction="forward",
        allow_exact_matches=False,
    )


def _orders(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": [f"O{i}" for i in range(len(rows))],
            "order_type": pd.Series([kind for _, kind, _ in rows], dtype="str"),
            "cust": np.array([cust for cust, _, _ in rows], dtype=np.int64),
            "effective_date": pd.to_datetime([day for _, _, day in rows]),
        }
    )


def test_spans_end_at_the_first_later_ender_of_their_customer_as_merge_asof_finds_it():
    orders = _orders(
        [
            (0, "suspension", "2024-03-10"),
            (1, "suspension", "2024-02-01"),
            (0, "suspension", "2024-01-05"),
            (2, "suspension", "2024-04-01"),  # ended the same day: not after it
            (-1, "suspension", "2024-01-01"),  # a customer not in the archive
            (3, "suspension", "2024-05-01"),  # no ender at all
        ]
    )
    enders = _orders(
        [
            (0, "resumption", "2024-06-01"),
            (0, "closure", "2024-02-01"),
            (1, "closure", "2024-03-01"),
            (1, "resumption", "2024-03-01"),  # the same day as the closure: the first given wins
            (2, "resumption", "2024-04-01"),
            (-1, "resumption", "2024-01-20"),
        ]
    )
    for given in (enders, enders.iloc[::-1], enders.iloc[:0]):
        expected = _merge_asof_ends(orders, given)
        month = date_month_number(expected["end_date"]).astype(float)
        expected = expected.assign(end_month=np.where(month < 0, np.nan, month))
        pd.testing.assert_frame_equal(_ended_by(orders, given), expected, check_exact=True)
    assert _ended_by(orders.iloc[:0], enders).empty


def test_inside_spans_marks_the_bills_of_each_spans_customer_from_start_to_end():
    ctx = _context(_utility_with_gaps())
    first = int(ctx.bill_month.min())
    spans = pd.DataFrame(
        {
            "cust": [0, 1, 1, 2, -1, 2],
            "effective_month": [first + 2, first, first + 6, first + 5, first, first + 9],
            "end_month": [first + 4, first + 3, np.nan, first + 5, np.nan, first + 7],
        }
    )
    end = spans["end_month"].fillna(ctx.as_of + 1)
    expected = np.zeros(len(ctx.bills), dtype=bool)
    for row in range(len(ctx.bills)):
        mine = (spans["cust"] == ctx.bill_customer[row]).to_numpy()
        month = ctx.bill_month[row]
        inside = (spans["effective_month"] <= month).to_numpy() & (end > month).to_numpy()
        expected[row] = (mine & inside).any()
    assert expected.any()
    np.testing.assert_array_equal(ctx.inside_spans(spans), expected)
    assert not ctx.inside_spans(spans.iloc[:0]).any()


def test_capacity_in_force_is_the_old_value_of_the_first_later_order():
    utility = Utility()
    utility.customer("A", contract_capacity_kva=400.0, basic_charge_basis="capacity")
    utility.customer("B", contract_capacity_kva=250.0, basic_charge_basis="capacity")
    utility.monthly("A", flat(100))
    utility.monthly("B", flat(100))
    utility.order("A", "capacity_increase", "2024-03-10", old=200, new=315)
    utility.order("A", "capacity_increase", "2024-03-20", old=250, new=400)  # same month
    utility.order("A", "capacity_reduction", "2024-08-01", old=500, new=400)
    utility.order("B", "capacity_reduction", "2024-05-01", old="unknown", new=250)
    ctx = _context(utility)
    archive = ctx.customer_column("contract_capacity_kva")
    value, changed = ctx.in_force(archive, ("capacity_increase", "capacity_reduction"))
    orders = ctx.orders_of("capacity_increase", "capacity_reduction")
    old = pd.to_numeric(orders["old_value"], errors="coerce").to_numpy()
    for row in range(len(ctx.bills)):
        mine = (orders["cust"] == ctx.bill_customer[row]).to_numpy() & ~np.isnan(old)
        month = ctx.bill_month[row]
        later = mine & (orders["effective_month"] > month).to_numpy()
        months = orders["effective_month"].to_numpy()
        first_later = np.flatnonzero(later & (months == months[later].min())) if later.any() else []
        assert value[row] == (old[first_later[0]] if len(first_later) else archive[row]), row
        same = np.flatnonzero(mine & (months == month))
        assert np.array_equal(changed[row], old[same[0]] if len(same) else np.nan, equal_nan=True)
    assert value[ctx.bill_month == ctx.first_month].tolist() == [200.0, 250.0]


def test_capacity_in_force_is_unknown_before_an_order_that_records_no_old_capacity():
    """Before a capacity order without its old capacity, the last capacity the orders before it
    recorded, else unknown (NaN), never the archive's (today's) capacity; before that earlier
    order, its own old value. The multiplier reading (meter_replacement) still skips such
    orders."""
    utility = Utility()
    for cid in ("recorded_between", "unrecorded_between", "alone"):
        utility.customer(cid, contract_capacity_kva=800.0, basic_charge_basis="capacity")
        utility.monthly(cid, flat(100))
    # 315 → 500 from 1 March, then to 800 from 1 September by an order without its old value:
    # 315 in January and February, the first order's 500 from March to August, 800 after.
    utility.order("recorded_between", "capacity_increase", "2024-03-01", old=315, new=500)
    utility.order("recorded_between", "capacity_increase", "2024-09-01", old="", new=800)
    # The first order records no new capacity either: from March the capacity was at least 315,
    # a bound (`order_steps` holds it), not a capacity in force: unknown from March to August.
    utility.order("unrecorded_between", "capacity_increase", "2024-03-01", old=315, new="")
    utility.order("unrecorded_between", "capacity_increase", "2024-09-01", old="", new=800)
    # A reduction without its old value, the only order: unknown before June (its month shows
    # the value after it, as every month of a change does).
    utility.order("alone", "capacity_reduction", "2024-06-10", old="", new=800)
    ctx = _context(utility)
    by_customer = {
        cid: ctx.capacity_in_force[ctx.bill_customer == position].tolist()
        for position, cid in enumerate(ctx.customers["customer_id"])
    }
    nan = np.nan
    expected = {
        "recorded_between": [315.0] * 2 + [500.0] * 6 + [800.0] * 4,
        "unrecorded_between": [315.0] * 2 + [nan] * 6 + [800.0] * 4,
        "alone": [nan] * 5 + [800.0] * 7,
    }
    for cid, values in expected.items():
        np.testing.assert_array_equal(by_customer[cid], values, err_msg=cid)
    archive = ctx.customer_column("contract_capacity_kva")
    skipped, _ = ctx.in_force(archive, ("capacity_increase", "capacity_reduction"))
    alone = ctx.customers["customer_id"].tolist().index("alone")
    assert skipped[ctx.bill_customer == alone].tolist() == [800.0] * 12


def test_bill_months_read_from_the_bytes_are_month_number_and_other_text_its_error():
    periods = pd.Series(["2024-01", "1999-12", "2024-10", "2031-07"] * 3, dtype="str")
    expected = month_number(periods).astype(np.int32)
    np.testing.assert_array_equal(_bill_months(periods), expected)
    np.testing.assert_array_equal(_bill_months(periods.iloc[3:9]), expected[3:9])  # offset
    as_string = periods.astype(pd.ArrowDtype(pa.string()))
    np.testing.assert_array_equal(_bill_months(as_string), expected)
    assert _bill_months(periods).dtype == np.int32
    assert len(_bill_months(periods.iloc[:0])) == 0
    for other in ("2024-13", "2024-00", "2024/01", "24-01-1", "２０２４-01", "2024-1", None):
        given = pd.Series(["2024-01", other, "2024-02"], dtype="str")
        assert _outcome(_bill_months, given) == _outcome(month_number, given), other
    assert _outcome(_bill_months, pd.Series(["２０２４-01"], dtype="str")) == [24288]


def _outcome(parse: object, periods: pd.Series) -> list[int] | str:
    """The months `parse` reads, or the message of the ParameterError it raises."""
    try:
        return [int(month) for month in parse(periods)]
    except ParameterError as error:
        return str(error)


def test_read_days_of_some_bills_are_their_read_dates_else_their_calendar_month():
    ctx = _context(_utility_with_gaps())
    read_from = pd.Series(pd.NaT, index=ctx.bills.index, dtype="datetime64[us]")
    read_to = read_from.copy()
    read_from.iloc[1], read_to.iloc[1] = pd.Timestamp("2024-01-26"), pd.Timestamp("2024-02-25")
    read_to.iloc[4] = pd.Timestamp("2024-05-20 13:00")  # the time of day dropped
    ctx = replace(ctx, bills=ctx.bills.assign(read_from=read_from, read_to=read_to))
    rows = np.array([1, 4, 7])
    first, last = ctx.read_days(rows)
    for at, row in enumerate(rows):
        month = pd.Period(period_text(ctx.bill_month[row]), "M")
        expected_first = read_from.iloc[row] if row == 1 else month.start_time
        expected_last = read_to.iloc[row].normalize() if row in (1, 4) else month.end_time
        assert first[at] == np.datetime64(expected_first.date()), row
        assert last[at] == np.datetime64(expected_last.date()), row
    assert first.dtype == last.dtype == np.dtype("datetime64[D]")
    assert len(ctx.read_days(rows[:0])[0]) == 0


def test_orders_near_some_bills_are_those_within_the_window_of_each_bills_month():
    ctx = _context(_utility_with_gaps())
    orders = ctx.orders_of("meter_replacement", "tariff_change")
    rows = np.array([0, 3, 5, 9, 14, len(ctx.bills) - 1])
    for window in (0, 1, 2):
        found = ctx.has_order_near(("meter_replacement", "tariff_change"), window, rows)
        expected = [
            bool(
                (
                    (orders["cust"] == ctx.bill_customer[row])
                    & ((orders["effective_month"] - ctx.bill_month[row]).abs() <= window)
                ).any()
            )
            for row in rows
        ]
        assert found.tolist() == expected, window
    assert any(expected) and not all(expected)
    assert len(ctx.has_order_near(("closure",), 0, rows[:0])) == 0


def test_capacity_billed_is_recorded_else_implied_and_unknown_on_a_capacity_bill_saying_neither():
    """At 30 yuan per kVA-month (IND2): 400 kVA recorded → 400; a charge of 9,450.00 alone →
    315; 315 recorded with 10,395.00 charged → 315, or 346.5 with `larger` (what the charge
    pays for); a capacity bill recording neither → NaN (an archive gap, was 0); a bill by demand
    or of a single-part customer recording no capacity → 0 whatever it charged (a demand
    charge of 12,000.00 was read as 400 kVA); one by demand recording 500 kVA → 500."""
    utility = Utility()
    utility.customer("cap", contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
    utility.customer("dem", contract_capacity_kva=630.0, **TWO_PART, basic_charge_basis="demand")
    utility.customer("single", contract_capacity_kva=630.0, **TWO_PART)
    recorded_charged = {
        "cap": [(400.0, 12_000.0), (None, 9_450.0), (315.0, 10_395.0), (None, None)],
        "dem": [(None, 12_000.0), (500.0, 12_000.0), (None, None)],
        "single": [(None, None)],
    }
    for cid, bills in recorded_charged.items():
        months = PERIODS[: len(bills)]
        rows = utility.monthly(cid, flat(1000, len(bills)), tariff="IND2", periods=months)
        for row, (capacity, charge) in zip(rows, bills, strict=True):
            row["capacity_billed_kva"], row["basic_charge"] = capacity, charge
    ctx = _context(utility)
    nan = np.nan
    expected = [400.0, 315.0, 315.0, nan, 0.0, 500.0, 0.0, 0.0]
    np.testing.assert_array_equal(ctx.capacity_billed(), expected)
    np.testing.assert_array_equal(
        ctx.capacity_billed(larger=True), [400.0, 315.0, 346.5, nan, 0.0, 500.0, 0.0, 0.0]
    )
    np.testing.assert_array_equal(ctx.capacity_billed(np.array([3, 1])), [nan, 315.0])


def _basis_changes() -> Utility:
    """Customers whose basic-charge basis changed, one case of reading it per customer."""
    utility = Utility()
    # Demand → capacity on 15 July: the July bill, read to 31 July, is by capacity.
    utility.customer("mid_month", basic_charge_basis="capacity")
    utility.order("mid_month", "basis_change", "2024-07-15", "demand", "capacity")
    # Bills read from the 26th to the 25th, demand → capacity on 28 July: the July bill (to 25
    # July) is still by demand.
    utility.customer("read_dates", basic_charge_basis="capacity")
    utility.order("read_dates", "basis_change", "2024-07-28", "demand", "capacity")
    # Capacity → demand on 1 April, demand → none on 1 October.
    utility.customer("twice", basic_charge_basis="none")
    utility.order("twice", "basis_change", "2024-04-01", "capacity", "demand")
    utility.order("twice", "basis_change", "2024-10-01", "demand", "none")
    # Orders whose old value is no basis (none given, "kva") change nothing: before them the
    # orders after them, or the archive, tell.
    utility.customer("unreadable", basic_charge_basis="demand")
    utility.order("unreadable", "basis_change", "2024-04-01", "", "capacity")
    utility.order("unreadable", "basis_change", "2024-08-01", "capacity", "demand")
    utility.order("unreadable", "basis_change", "2024-10-01", "kva", "demand")
    # Capacity → demand on 1 April, then an order recording no old basis → capacity on 1
    # September: the basis before it is the demand the April order set, not today's capacity.
    utility.customer("carried", basic_charge_basis="capacity")
    utility.order("carried", "basis_change", "2024-04-01", "capacity", "demand")
    utility.order("carried", "basis_change", "2024-09-01", "", "capacity")
    # Issued after the audit month (2024-12): not known, the archive's basis on every bill.
    utility.customer("late", basic_charge_basis="capacity")
    utility.order("late", "basis_change", "2024-07-01", "demand", "capacity", issued="2025-01-10")
    for customer in utility.customers:
        bills = utility.monthly(customer["customer_id"], flat(100))
        if customer["customer_id"] == "read_dates":
            for month, bill in enumerate(bills, start=1):
                bill["read_to"] = pd.Timestamp(2024, month, 25)
                bill["read_from"] = bill["read_to"] - pd.DateOffset(months=1) + pd.Timedelta(days=1)
    return utility


def test_the_basis_in_force_on_each_bill_is_the_one_the_recomputation_prices_it_by():
    """Per bill, the basis on its read_to day: the archive's, before a basis_change order known
    at the audit date its old value (`_basis_changes` says each case); the bill frame of the
    recomputation, on the orders known then, reads the same."""
    utility = _basis_changes()
    ctx = _context(utility)
    names = np.append(np.asarray(BASES, dtype=object), None)  # code -1: no basis
    read = names[ctx.bill_basis]
    by_customer = {
        cid: read[ctx.bill_customer == position].tolist()
        for position, cid in enumerate(ctx.customers["customer_id"])
    }
    c, d, n = BASES
    assert by_customer == {
        "mid_month": [d] * 6 + [c] * 6,
        "read_dates": [d] * 7 + [c] * 5,
        "twice": [c] * 3 + [d] * 6 + [n] * 3,
        "unreadable": [c] * 7 + [d] * 5,
        "carried": [c] * 3 + [d] * 5 + [c] * 4,
        "late": [c] * 12,
    }
    np.testing.assert_array_equal(ctx.basis_is(None, d), read == d)
    rows = np.array([20, 0, 41])
    np.testing.assert_array_equal(ctx.basis_is(rows, c, n), np.isin(read[rows], [c, n]))
    # The recomputation's frame, on the orders issued by the audit month's end.
    dataset = utility.dataset()
    orders = dataset.work_orders
    known = orders.loc[orders["issued_at"] <= ctx.as_of_date]
    frame = prepare_bills(SimpleNamespace(**{**vars(dataset), "work_orders": known}))
    priced = dict(
        zip(
            zip(texts_at(frame["customer_id"]), texts_at(frame["period"]), strict=True),
            texts_at(frame["basic_charge_basis"]),
            strict=True,
        )
    )
    bill_ids = ctx.bills["customer_id"].to_numpy(dtype=object)
    periods = ctx.bills["period"].to_numpy(dtype=object)
    assert [priced[key] for key in zip(bill_ids, periods, strict=True)] == read.tolist()

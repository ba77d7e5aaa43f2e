"""Meter records (计量装置): energy lost at a meter replacement, a meter tested out of tolerance
and not back-billed, and metering alarms left without a field check.

The three rules read the records a billing export keeps beside the bills: the reads of a
meter_replacement order (old_final_read, new_first_read), the `meter_tests` table and the
`meter_events` of the data collection system (用电信息采集), with `inspections` telling whether
anyone went to look. These tables are not cut to the audit month: each rule keeps what was
known at its end (`RuleContext.as_of_date`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.billing.bill_frame import (
    MeterReads,
    MeterSwapBills,
    Replacements,
    meter_swap_bills,
    names_two_meters,
    unplaced_swap_reads,
)
from auditkit.billing.money import round_half_up
from auditkit.billing.tariff_lookup import day_numbers
from auditkit.periods import date_month_number, month_end_days, month_first_days
from auditkit.rules.adjustments import approved
from auditkit.rules.billing_lines import pf_moved
from auditkit.rules.context import KEY_STRIDE, RuleContext, customer_keys
from auditkit.rules.evidence import Clause, clause, funds_clause
from auditkit.rules.findings import (
    empty_raw,
    group_stats,
    raw,
    raw_per_customer,
    records_per_customer,
    rows_of,
)
from auditkit.rules.registry import RULES, rule
from auditkit.rules.routine import at_tariff_due, tariff_due_surcharge
from auditkit.rules.tier_energy import back_billed_energy_money, tier_energy_money
from auditkit.rules.worklist import missing_needs

DAY = np.timedelta64(1, "D")


def _audit_end(ctx: RuleContext) -> pd.Timestamp:
    """The first moment after the audit month: records at or after it were not known then."""
    return ctx.as_of_date + pd.Timedelta(days=1)


def _days(dates: pd.Series) -> pd.Series:
    """Dates as days (time of day dropped), in one resolution whatever the source's."""
    return pd.to_datetime(dates).dt.normalize().astype("datetime64[ns]")


def meter_swaps(
    ctx: RuleContext, orders: pd.DataFrame
) -> tuple[np.ndarray, Replacements, MeterReads, MeterSwapBills]:
    """The meter_replacement `orders` (of `ctx.orders_of`) as the bill frame reads them, the
    positions (ascending) of their customers' bills, those bills' reads and the bills around
    each swap (`meter_swap_bills`: one definition of the old meter's last bill, the new one's
    first and a bill joining both, for the rules and the recomputation)."""

    def number(column: str) -> np.ndarray:
        if column not in orders:
            return np.full(len(orders), np.nan)
        return pd.to_numeric(orders[column], errors="coerce").to_numpy(dtype=float)

    def text(column: str) -> pd.Series:
        return orders[column] if column in orders else pd.Series(pd.NA, index=orders.index)

    cust = orders["cust"].to_numpy(dtype=np.int64)
    replacements = Replacements(
        cust,
        day_numbers(orders["effective_date"]),
        number("old_value"),
        number("old_final_read"),
        number("new_first_read"),
        names_two_meters(*(text(name) for name in ("old_value", "new_value"))),
    )
    rows = rows_of(ctx, cust)
    read_from, read_to = (day_numbers(days) for days in ctx.read_days(rows))
    recorded = ~np.isnat(ctx.bills["read_to"].iloc[rows].to_numpy(dtype="datetime64[D]"))
    bills = ctx.bills
    reads = MeterReads(
        ctx.bill_customer[rows],
        read_from,
        read_to,
        read_to - recorded,
        *(
            bills[column].to_numpy(dtype=float)[rows]
            for column in ("register_start", "register_end", "kwh_billed", "multiplier_billed")
        ),
    )
    return rows, replacements, reads, meter_swap_bills(replacements, reads)


@rule(
    "meter_change_energy_lost",
    area="metering",
    needs=(
        "work_orders.old_final_read|work_orders.new_first_read",
        "bills.register_start",
        "bills.register_end",
    ),
    params=("read_tolerance", "read_tolerance_kwh"),
    severity="high",
    revenue_kind="proved",
    reads=("tariff_mismatch", "change_without_order", "order_not_applied"),
)
def meter_change_energy_lost(ctx: RuleContext, params: dict) -> pd.DataFrame:
    orders = ctx.orders_of("meter_replacement")
    orders = orders[(orders["cust"] >= 0) & (orders["effective_month"] <= ctx.as_of)]
    if orders.empty or ctx.bills.empty:
        return empty_raw()
    month = orders["effective_month"].to_numpy(dtype=np.int64)
    rows, replacements, reads, swaps = meter_swaps(ctx, orders)
    if not len(rows):
        return empty_raw()
    cust, swap_day = replacements.cust, replacements.day
    old_final, new_first = replacements.final, replacements.first
    # The old meter's last bill and the new meter's first (`meter_swap_bills`); a first new bill
    # holding two swaps reads three meters, which reading is whose not known: not judged.
    has_new = (swaps.first_new >= 0) & ~swaps.crowded
    has_old = swaps.last_old >= 0
    # Reads no meter can have shown (a final read below the last billed read, a first read
    # above the first new bill's end), or registers falling around a swap that joins no bill
    # (a meter change the order's day does not show), prove nothing: which reads are whose is
    # not known, as the recomputation judges them (`unplaced_swap_reads`).
    unplaced = unplaced_swap_reads(replacements, reads, swaps)
    has_new &= ~unplaced
    has_old &= ~unplaced
    at = rows[np.maximum(swaps.first_new, 0)]
    last_old = rows[np.maximum(swaps.last_old, 0)]
    # The old meter's last bill reads past the swap day yet stops short of its final read, and
    # no bill after it can add the remainder (`_no_bill_can_follow`), which is on no bill. One
    # read before the swap leaves the remainder to the next bill, not yet issued.
    unfollowed = (
        has_old
        & (swaps.first_new < 0)
        & (reads.old_last_day[np.maximum(swaps.last_old, 0)] >= swap_day)
        & _no_bill_can_follow(ctx, last_old)
    )
    bills = ctx.bills
    start = bills["register_start"].to_numpy(dtype=float)
    end = bills["register_end"].to_numpy(dtype=float)
    multiplier = bills["multiplier_billed"].to_numpy(dtype=float)
    kwh = bills["kwh_billed"].to_numpy(dtype=float)
    # A first new bill that joins both meters (the swap inside its read period, the bill running
    # on from the old meter to the new meter's read, as the recomputation joins it) bills the
    # new meter from its first read; else it bills its own registers.
    joined = swaps.joined & has_new
    new_units_billed = end[at] - np.where(joined, new_first, start[at])
    # Energy the first new bill charged beyond the new meter's units: the old meter's remainder,
    # where billing adds it there (换表电量) or joins it, is billed after all, at the multiplier
    # the old meter was billed at before the swap.
    added = np.where(has_new, np.maximum(kwh[at] - new_units_billed * multiplier[at], 0.0), 0.0)
    # The old meter's last bill may bill the remainder itself: its kWh above its own registers ×
    # its multiplier (December 4,300 → 4,400 at 40 billing 6,000 kWh, the 50 units to the final
    # read 4,450 included) are billed too.
    own_kwh = (end[last_old] - start[last_old]) * multiplier[last_old]
    on_last = np.where(
        has_old & (end[last_old] >= start[last_old]),
        np.maximum(kwh[last_old] - own_kwh, 0.0),
        0.0,
    )
    old_units = old_final - end[last_old] - (added + on_last) / multiplier[last_old]
    # A joined bill's old part is in its registers: what it leaves out is register_mismatch's,
    # judged there on the whole joined bill (`joined_bill_kwh`), once.
    old_judged = has_old & ~joined & (has_new | unfollowed)
    old_lost = old_judged & _beyond_rounding(old_units, multiplier[last_old], params)
    new_units = np.where(joined, 0.0, start[at] - new_first)
    new_lost = has_new & _beyond_rounding(new_units, multiplier[at], params)
    flagged = np.flatnonzero(old_lost | new_lost)
    if not len(flagged):
        return empty_raw()
    old_kwh = np.where(old_lost, old_units * multiplier[last_old], 0.0)[flagged]
    new_kwh = np.where(new_lost, new_units * multiplier[at], 0.0)[flagged]
    # The kWh lost are priced on the new meter's first bill, or without one the old meter's last.
    first_bill = np.where(has_new, at, last_old)[flagged]
    lost_kwh = old_kwh + new_kwh
    # The kWh lost owe their energy and the funds on them (政府性基金及附加, per kWh sold); on a
    # bill on the wrong tariff at the tariff due's rates. The old meter's remainder was used from
    # the day after its last billed read (or within a last bill read past the swap) to the day
    # before the swap, `_old_meter_days`: at the rates in force on those days (a month's agency
    # price, 代理购电, is not the next one's); the new meter's kWh at the first new bill's. A
    # household priced by tiers: all on top of its tier year.
    old_used = _old_meter_days(ctx, last_old[flagged], swap_day[flagged])
    old_energy_rate = _rate_over_days(ctx, first_bill, *old_used, "energy_rate")
    old_energy_rate = np.where(
        np.isnan(old_energy_rate), ctx.energy_rate_due_or_billed(first_bill), old_energy_rate
    )
    old_fund_rate = np.nan_to_num(_rate_over_days(ctx, first_bill, *old_used, "fund_rate"))
    due = tariff_due_surcharge(ctx, first_bill, params)
    surcharge = round_half_up(lost_kwh * due.energy, 2)
    funds = old_kwh * old_fund_rate + new_kwh * ctx.fund_rate_due(first_bill)
    funds = round_half_up(funds + lost_kwh * due.fund, 2)
    energy = old_kwh * old_energy_rate + new_kwh * ctx.energy_rate_due_or_billed(first_bill)
    tiered, tier_money = tier_energy_money(ctx, first_bill, lost_kwh)
    energy[tiered] = tier_money
    revenue = energy + surcharge + funds
    found = pd.DataFrame(
        {
            "cust": cust[flagged],
            "month": month[flagged],
            "date": orders["effective_date"].to_numpy()[flagged],
            "old_lost": old_lost[flagged],
            "new_lost": new_lost[flagged],
            "old_final": old_final[flagged],
            "new_first": new_first[flagged],
            "billed_end": np.where(
                joined,
                end[last_old] + added / multiplier[last_old],
                end[last_old] + on_last / multiplier[last_old],
            )[flagged],
            "old_period": np.where(joined, ctx.bill_month[at], ctx.bill_month[last_old])[flagged],
            "new_start": start[first_bill],
            "new_period": ctx.bill_month[first_bill],
            "old_kwh": old_kwh,
            "new_kwh": new_kwh,
            "lost_kwh": lost_kwh,
            "first_kwh": kwh[first_bill],
            "revenue": revenue,
            "surcharge": surcharge,
            "funds": funds,
            "tariff_due": due.tariff,
        }
    ).sort_values(["cust", "date"], kind="stable")
    grouped = group_stats(
        found.groupby("cust", sort=True),
        month_from=("month", "min"),
        month_to=("new_period", "max"),
        lost_kwh=("lost_kwh", "sum"),
        first_kwh=("first_kwh", "sum"),
        revenue=("revenue", "sum"),
        surcharge=("surcharge", "sum"),
        funds=("funds", "sum"),
        tariff_due=("tariff_due", "first"),
    )
    evidence = [
        [
            *_replacement_clauses(replacements),
            *at_tariff_due(totals.tariff_due, totals.surcharge),
            clause("revenue", amount=totals.revenue),
            *funds_clause(totals.funds),
        ]
        for replacements, totals in zip(
            records_per_customer(found), grouped.itertuples(), strict=True
        )
    ]
    share = np.divide(
        grouped["lost_kwh"].to_numpy(),
        grouped["first_kwh"].to_numpy(),
        out=np.ones(len(grouped)),
        where=grouped["first_kwh"].to_numpy() > 0,
    )
    score = 0.5 + 0.5 * np.minimum(share, 1.0)
    return raw_per_customer(grouped.reset_index(), evidence, score)


def _no_bill_can_follow(ctx: RuleContext, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows` (each its customer's last in the data), whether no later bill can add
    what it left out: the account closed by the audit month (a closure order effective by then,
    or the archive's status closed where the audit month is the extract's: the archive is
    today's, an account closed in March 2025 was open in December 2024), or the audit month is
    past the customer's next bill with none there, its cadence the months since its bill before
    (a December bill audited in December or January may still be followed by January's, a
    bi-monthly November one by January's: one more month of grace than a monthly one)."""
    closures = ctx.orders_of("closure")
    closed_by_order = np.zeros(len(ctx.customers) + 1, dtype=bool)
    known = closures[(closures["cust"] >= 0) & (closures["effective_month"] <= ctx.as_of)]
    closed_by_order[known["cust"].to_numpy(dtype=np.int64)] = True
    closed = closed_by_order[ctx.bill_customer[rows]]
    extracted = ctx.extracted_on
    if extracted is None or date_month_number([extracted])[0] <= ctx.as_of:
        closed |= ctx.customer_is("status", "closed")[rows]
    month = ctx.bill_month[rows]
    before = ctx.bill_month[np.maximum(rows - 1, 0)]
    cadence = np.where(ctx.same_customer_as_previous[rows], np.maximum(month - before, 1), 1)
    return closed | (month + cadence < ctx.as_of)


def _beyond_rounding(units: np.ndarray, multiplier: np.ndarray, params: dict) -> np.ndarray:
    """Where a register difference (meter units) is more than reads' rounding: over
    `read_tolerance` units, or over `read_tolerance_kwh` kWh through the multiplier, since half
    a unit is half a kWh on a household's meter but 1,500 kWh behind CT 30 × PT 100."""
    kwh = units * multiplier
    return (units > params["read_tolerance"]) | (kwh > params["read_tolerance_kwh"])


def _old_meter_days(
    ctx: RuleContext, last_old: np.ndarray, swap_day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per replacement, the first and last day (days since 1970) the old meter's unbilled
    remainder was used: the day after the read of its last bill (`last_old`; the reading on
    read_to ends that day) to the day before the swap; the swap day alone where the swap comes
    the day after that read (a swap on the 1st after a read on the month's last day) or on the
    read day itself (read in the morning, swapped later that day). A last bill read past the
    swap day, stopping short of the final read, leaves a remainder used in its own read period
    before the swap: from its read_from to the day before the swap."""
    read_from, read_to = (days.astype(np.int64) for days in ctx.read_days(last_old))
    first = np.where(read_to > swap_day, read_from, np.minimum(read_to + 1, swap_day))
    return first, np.maximum(swap_day - 1, first)


def _rate_over_days(
    ctx: RuleContext, rows: np.ndarray, first: np.ndarray, last: np.ndarray, column: str
) -> np.ndarray:
    """Per bill of `rows`, flat rate `column` of its tariff due (at its customer's voltage)
    averaged over the days `first`..`last` (days since 1970), each calendar month's rate
    weighted by its days among them; NaN where a month has none."""
    first_month = date_month_number(first.astype("datetime64[D]"))
    last_month = date_month_number(last.astype("datetime64[D]"))
    tariff = ctx.bill_tariff_due[rows]
    total = (last - first + 1).astype(float)
    rate = np.zeros(len(rows))
    for step in range(int(np.max(last_month - first_month, initial=0)) + 1):
        month = first_month + step
        month_first = month_first_days(month).astype(np.int64)
        month_last = month_end_days(month).astype(np.int64)
        days = np.minimum(last, month_last) - np.maximum(first, month_first) + 1
        share = np.clip(days, 0, None) / total
        month_rate = ctx.schedule_rate(tariff, month, column, rows)
        rate += np.where(share > 0, share * month_rate, 0.0)
    return rate


def _replacement_clauses(replacements: list) -> list[Clause]:
    """Per replacement of one customer (its records): the reads that do not join and the kWh
    lost."""
    clauses = []
    for item in replacements:
        parts = []
        if item.old_lost:
            parts.append(
                clause(
                    "meter_change.old_unbilled",
                    final=item.old_final,
                    billed=item.billed_end,
                    period=item.old_period,
                    kwh=item.old_kwh,
                )
            )
        if item.new_lost:
            parts.append(
                clause(
                    "meter_change.new_not_joined",
                    first=item.new_first,
                    start=item.new_start,
                    period=item.new_period,
                    kwh=item.new_kwh,
                )
            )
        clauses.append(clause("meter_change_energy_lost", date=item.date, parts=parts))
    return clauses


@rule(
    "meter_error_backbill",
    area="metering",
    needs=("meter_tests.error_pct", "bills.kwh_billed"),
    params=("tolerance_pct", "settled_share"),
    severity="medium",
    revenue_kind="proved",
    reads=("tariff_mismatch", "change_without_order", "order_not_applied"),
)
def meter_error_backbill(ctx: RuleContext, params: dict) -> pd.DataFrame:
    tests = _failed_tests(ctx, params["tolerance_pct"])
    if tests.empty:
        return empty_raw()
    error = tests["error"].to_numpy(dtype=float)
    # Registered energy E at an error of e % is E / (1 + e/100) really used: the meter owes
    # E × e / (100 + e), back-billed when slow (e < 0), refunded when fast.
    correction = -error / (100.0 + error)
    windows = _window_energy(ctx, tests.assign(correction=correction), params)
    tests = tests.assign(
        kwh=windows["kwh"].to_numpy(),
        correction_kwh=windows["kwh"].to_numpy() * correction,
        amount=windows["money"].to_numpy() * correction + windows["pf"].to_numpy(),
        funds=windows["funds"].to_numpy() * correction,
        surcharge=windows["surcharge"].to_numpy() * correction,
        pf=windows["pf"].to_numpy(),
        tariff_due=windows["tariff_due"].to_numpy(),
    )
    tests = tests[_unsettled(ctx, tests, params["settled_share"])]
    tests = tests[tests["kwh"] > 0]
    if tests.empty:
        return empty_raw()
    tests = tests.assign(
        backbill=np.maximum(tests["amount"], 0.0),
        month=date_month_number(tests["tested_at"]),
        start_month=date_month_number(tests["start"]),
        error_size=tests["error"].abs(),
        slow=tests["amount"] > 0,
        backbill_surcharge=np.where(tests["amount"] > 0, tests["surcharge"], 0.0),
        backbill_funds=np.where(tests["amount"] > 0, tests["funds"], 0.0),
        backbill_pf=np.where(tests["amount"] > 0, tests["pf"], 0.0),
    )
    grouped = group_stats(
        tests.groupby("cust", sort=True),
        month_from=("start_month", "min"),
        month_to=("month", "max"),
        revenue=("backbill", "sum"),
        worst=("error_size", "max"),
        slow=("slow", "any"),
        surcharge=("backbill_surcharge", "sum"),
        funds=("backbill_funds", "sum"),
        pf=("backbill_pf", "sum"),
        tariff_due=("tariff_due", "first"),
    )
    # Each test's clause shows what it owes either way (the revenue is the back-bills' sum).
    evidence = [
        [
            *(_test_clauses(test, params["tolerance_pct"]) for test in customer_tests),
            *at_tariff_due(totals.tariff_due, totals.surcharge),
            *funds_clause(totals.funds),
            *([clause("meter_error.pf", amount=totals.pf)] if round(totals.pf, 2) else []),
        ]
        for customer_tests, totals in zip(
            records_per_customer(tests), grouped.itertuples(), strict=True
        )
    ]
    # A slow meter loses revenue; a fast one owes the customer a refund (no revenue, lower score).
    worst = grouped["worst"].to_numpy(dtype=float)
    excess = (
        np.minimum(worst / params["tolerance_pct"] - 1.0, 1.0) if params["tolerance_pct"] else 1
    )
    score = np.where(grouped["slow"].to_numpy(dtype=bool), 0.6, 0.3) + 0.3 * excess
    return raw_per_customer(grouped.reset_index(), evidence, score)


def _failed_tests(ctx: RuleContext, tolerance: float) -> pd.DataFrame:
    """Tests of known customers up to the audit date with an error beyond ±`tolerance` %, each
    with its back-billing window: half the time since the reference, the latest of the
    customer's previous test, the installation of the meter (a replacement before the test)
    and the connection, up to the test day (excluded).

    Columns: cust, meter, tested_at, error, since, basis ('test' / 'installed' / 'connected'),
    start (first day of the window), days (its length).
    """
    table = getattr(ctx.source, "meter_tests", None)
    empty = pd.DataFrame(columns=["cust", "tested_at", "error"])
    if table is None or table.empty:
        return empty
    cust = ctx.customer_codes(table["customer_id"])
    tested = _days(table["tested_at"]).to_numpy()
    error = pd.to_numeric(table["error_pct"], errors="coerce")
    error_pct = error.to_numpy(dtype=float, na_value=np.nan)
    known = (cust >= 0) & ~np.isnat(tested) & ~np.isnan(error_pct)
    rows = np.flatnonzero(known & (tested < _audit_end(ctx).to_datetime64()))
    rows = rows[np.lexsort((tested[rows], cust[rows]))]  # by customer, then day (stable)
    # The customer's previous test (passed or failed) before each.
    previous = np.full(len(rows), np.datetime64("NaT"), dtype=tested.dtype)
    same = cust[rows][1:] == cust[rows][:-1]
    previous[1:][same] = tested[rows][:-1][same]
    failed = np.abs(error_pct[rows]) > tolerance
    rows, previous = rows[failed], previous[failed]
    if not len(rows):
        return empty
    cust, tested = cust[rows], tested[rows]
    installed = _installed_before(ctx, cust, tested)
    connected = _days(ctx.customers["connection_date"]).to_numpy()[cust]
    # Since the latest of the three; a tie, or none known, is named in this order.
    latest = np.fmax(np.fmax(previous, installed), connected)
    basis = np.where(
        (previous == latest) | np.isnat(latest),
        "test",
        np.where(installed == latest, "installed", "connected"),
    ).astype(object)
    since = np.where(np.isnat(latest), tested, latest)
    days = np.maximum((tested - since) // np.timedelta64(1, "D"), 0) // 2
    meter = (
        pd.Series(table["meter_id"].to_numpy(dtype=object))  # text as the frame infers it
        if "meter_id" in table
        else pd.Series(np.full(len(table), None, dtype=object), dtype=object)
    )
    return pd.DataFrame(
        {
            "cust": cust,
            "meter": meter.iloc[rows].reset_index(drop=True),
            "tested_at": tested,
            "error": error.iloc[rows].reset_index(drop=True),
            "previous_test": previous,
            "installed": installed,
            "connected": connected,
            "since": since,
            "basis": basis,
            "days": days,
            "start": tested - days.astype("timedelta64[D]"),
        }
    )


def _installed_before(ctx: RuleContext, cust: np.ndarray, tested: np.ndarray) -> np.ndarray:
    """Per test (customers `cust`, days `tested`): the day the meter tested was installed, the
    customer's last replacement before the test day (NaT where none: one on the test day
    replaced the meter the test failed), found by bisection on customer and day."""
    replacements = ctx.orders_of("meter_replacement")
    codes = replacements["cust"].to_numpy(dtype=np.int64)
    day = _days(replacements["effective_date"]).to_numpy().astype("datetime64[D]")
    known = (codes >= 0) & ~np.isnat(day)
    keys = np.sort(customer_keys(codes[known], day[known].astype(np.int64)))
    probe = customer_keys(cust, tested.astype("datetime64[D]").astype(np.int64))
    at = np.searchsorted(keys, probe, side="left") - 1
    found = at >= 0
    found[found] = keys[at[found]] // KEY_STRIDE == cust[found]
    installed = np.full(len(cust), np.datetime64("NaT"), dtype="datetime64[ns]")
    installed[found] = (keys[at[found]] - probe[found]).astype("timedelta64[D]") + tested[found]
    return installed


def _window_energy(ctx: RuleContext, tests: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Per test (in order; `tests` with its `correction`, kWh owed per kWh billed): kWh billed
    inside its window and their value at the rate due (on a bill on the wrong tariff, the
    tariff due's: `tariff_due_surcharge` with `params`), of which that surcharge, the funds on
    them at the fund rate due (`funds`, in the value too), and the tariff due named (None: the
    tariff in force), each bill counted for the share of its read days inside the window (its
    read period, else its calendar month).

    The rate due of a bill by time-of-use periods is its own period lines' (`_period_rate`): a
    slow meter under-records every period alike. On itemized data, `pf` is the power-factor
    adjustment the corrected energy moves, bill by bill (`pf_moved`, as the rules pricing an
    energy difference carry it; the adjustment is on energy and basic charge, funds excluded),
    already × the correction: the other values are per kWh billed, before it."""
    rows = rows_of(ctx, tests["cust"].to_numpy())
    read_from, read_to = ctx.read_days(rows)
    due = tariff_due_surcharge(ctx, rows, params)
    flat = ctx.energy_rate_due_or_billed(rows)
    by_period = _period_rate(ctx, rows)
    bills = pd.DataFrame(
        {
            "cust": ctx.bill_customer[rows].astype(np.int64),
            "row": rows,
            "read_from": read_from,
            "read_to": read_to,
            "kwh": ctx.bills["kwh_billed"].to_numpy(dtype=float)[rows],
            "rate": np.where(np.isnan(by_period), flat, by_period) + due.energy,
            "extra": due.energy,
            "fund_rate": ctx.fund_rate_due(rows) + due.fund,
            "tariff_due": due.tariff,
        }
    )
    windows = pd.DataFrame(
        {
            "test": np.arange(len(tests)),
            "cust": tests["cust"].to_numpy(dtype=np.int64),
            "start": tests["start"].to_numpy(dtype="datetime64[D]"),
            "end": tests["tested_at"].to_numpy(dtype="datetime64[D]") - DAY,
            "correction": tests["correction"].to_numpy(dtype=float),
        }
    )
    pairs = windows.merge(bills, on="cust")
    first = np.maximum(pairs["read_from"].to_numpy(), pairs["start"].to_numpy())
    last = np.minimum(pairs["read_to"].to_numpy(), pairs["end"].to_numpy())
    inside = np.maximum((last - first) // DAY + 1, 0)
    read_days = (pairs["read_to"].to_numpy() - pairs["read_from"].to_numpy()) // DAY + 1
    share = np.divide(inside, read_days, out=np.zeros(len(pairs)), where=read_days > 0)
    kwh = pairs["kwh"].to_numpy() * share
    funds = kwh * pairs["fund_rate"].to_numpy()
    energy = kwh * pairs["rate"].to_numpy()
    pf = np.zeros(len(pairs))
    if ctx.itemized and len(pairs):
        moved = np.flatnonzero(kwh > 0)
        owed = energy[moved] * pairs["correction"].to_numpy()[moved]
        pf[moved] = pf_moved(ctx, pairs["row"].to_numpy()[moved], owed)
    pairs = pairs.assign(
        kwh=kwh,
        money=energy + funds,
        funds=funds,
        surcharge=kwh * pairs["extra"].to_numpy(),
        pf=pf,
        tariff_due=pairs["tariff_due"].where(kwh > 0),
    )
    by_test = pairs.groupby("test")
    sums = ["kwh", "money", "funds", "surcharge", "pf"]
    totals = by_test[sums].sum().assign(tariff_due=by_test["tariff_due"].first())
    return totals.reindex(np.arange(len(tests))).fillna(dict.fromkeys(sums, 0.0))


def _period_rate(ctx: RuleContext, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`: the rate of its time-of-use period lines, Σ kWh × rate / Σ kWh (its
    energy priced period by period, a price change inside the read period included); NaN on a
    bill not by periods (flat, tiers) or without itemized lines: priced at the flat rate due.

    The lines due where the recomputation prices them all and they are by periods (a wrong
    period rate billed stays rate_mismatch's or tou_misapplied's, as the flat rate due keeps
    it on other bills); else the lines billed, where the bill is by periods and nothing due
    is known of its energy (a bill due flat but billed by periods is priced flat)."""
    rate = np.full(len(rows), np.nan)
    if not ctx.itemized or not len(rows):
        return rate
    rc = ctx.recomputed
    n = len(ctx.bills)
    lines = rc.of("energy")
    lines = lines[np.isin(rc.row[lines], rows)]
    period = rc.has_period[lines]
    q_due, r_due = rc.quantity_due[lines], rc.rate_due[lines]
    q_billed, r_billed = rc.quantity_billed[lines], rc.rate_billed[lines]
    due_lines = rc.due[lines]
    unpriced = due_lines & (np.isnan(q_due) | np.isnan(r_due))
    due_known = rc.any_per_bill(lines, due_lines, n) & ~rc.any_per_bill(lines, unpriced, n)
    due_by_period = rc.any_per_bill(lines, due_lines & period, n) & due_known
    priced = due_lines & ~unpriced
    due_kwh = rc.per_bill(lines, np.where(priced, q_due, 0.0), n)
    due_money = rc.per_bill(lines, np.where(priced, q_due * r_due, 0.0), n)
    billed = rc.billed[lines] & period & ~np.isnan(q_billed) & ~np.isnan(r_billed)
    billed_kwh = rc.per_bill(lines, np.where(billed, q_billed, 0.0), n)
    billed_money = rc.per_bill(lines, np.where(billed, q_billed * r_billed, 0.0), n)
    billed_by_period = rc.any_per_bill(lines, billed, n) & ~rc.any_per_bill(lines, due_lines, n)
    use_due = (due_by_period & (due_kwh > 0))[rows]
    use_billed = (billed_by_period & (billed_kwh > 0))[rows] & ~use_due
    with np.errstate(invalid="ignore", divide="ignore"):
        rate[use_due] = (due_money / due_kwh)[rows][use_due]
        rate[use_billed] = (billed_money / billed_kwh)[rows][use_billed]
    return rate


def _unsettled(ctx: RuleContext, tests: pd.DataFrame, settled_share: float) -> np.ndarray:
    """Per test: not settled by the back-bills and refunds posted from its day to the audit date.

    Back-bills count by their sign, net (a negative one credits the customer or reverses a
    charge); a refund gives back its amount whatever the sign (`money_returned` in adjustments.py
    reads them alike). A slow meter is settled by back-bills charging, net, at least
    `settled_share` of the amount due: a credit settles nothing the customer owes. A fast one
    by refunds and back-bills crediting, net, as much (a back-bill charging does not undo a
    refund). A test whose amount rounds to nothing is settled.

    A credit posted with no approver is `unapproved_adjustment`'s money returned (where that
    rule can run): it does not undo the back-bill it reverses here, or the yuan would be counted
    by both rules.
    """
    due = tests["amount"].to_numpy()
    charged = np.zeros(len(tests))  # by back-bills, net
    refunded = np.zeros(len(tests))
    table = getattr(ctx.source, "adjustments", None)
    if table is not None and not table.empty:
        kind = table["kind"].to_numpy(dtype=object)
        amount = pd.to_numeric(table["amount"], errors="coerce").fillna(0.0).to_numpy()
        counted_there = np.zeros(len(table), dtype=bool)
        if not missing_needs(ctx.source, RULES["unapproved_adjustment"]):
            counted_there = (amount < 0) & ~approved(table)
        adjustments = pd.DataFrame(
            {
                "cust": ctx.customer_codes(table["customer_id"]),
                "adjusted_at": pd.to_datetime(table["adjusted_at"]),
                "charged": np.where((kind == "backbill") & ~counted_there, amount, 0.0),
                "refunded": np.where(kind == "refund", np.abs(amount), 0.0),
            }
        )
        adjustments = adjustments[
            (adjustments["cust"] >= 0)
            & np.isin(kind, ("backbill", "refund"))
            & (adjustments["adjusted_at"] < _audit_end(ctx))
        ]
        frame = pd.DataFrame(
            {
                "test": np.arange(len(tests)),
                "cust": tests["cust"].to_numpy(dtype=np.int64),
                "tested_at": tests["tested_at"].to_numpy(),
            }
        ).merge(adjustments, on="cust")
        frame = frame[frame["adjusted_at"] >= frame["tested_at"]]
        posted = frame.groupby("test")[["charged", "refunded"]].sum()
        charged[posted.index.to_numpy()] = posted["charged"].to_numpy()
        refunded[posted.index.to_numpy()] = posted["refunded"].to_numpy()
    settled = np.where(due > 0, charged, refunded + np.maximum(-charged, 0.0))
    return (settled < settled_share * np.abs(due)) & (np.abs(due) >= 0.005)


def _test_clauses(test: object, tolerance: float) -> Clause:
    """One failed test: the error, the window and its energy, and what is owed either way."""
    since = clause(f"meter_error.since_{test.basis}", date=test.since)
    owed = (
        clause("meter_error.backbill", kwh=test.correction_kwh, amount=test.amount)
        if test.amount > 0
        else clause("meter_error.refund", kwh=-test.correction_kwh, amount=-test.amount)
    )
    return clause(
        "meter_error_backbill",
        meter=test.meter,
        tested=test.tested_at,
        error=test.error,
        tolerance=tolerance,
        since=since,
        days=test.days,
        start=test.start,
        kwh=test.kwh,
        owed=owed,
    )


@rule(
    "meter_event_unresolved",
    area="metering",
    needs=("meter_events.event", "bills.kwh_billed"),
    params=(
        "events",
        "max_hours",
        "min_repeats",
        "window_days",
        "drop_ratio",
        "before_months",
        "min_months_after",
    ),
    severity="high",
    revenue_kind="estimated",
    # A fall a proved metering fault explains (a multiplier, registers, a slow meter) is its loss.
    left_to=("multiplier_mismatch", "register_mismatch", "meter_error_backbill"),
)
def meter_event_unresolved(ctx: RuleContext, params: dict) -> pd.DataFrame:
    alarms = _alarms(ctx, params)
    if alarms.empty:
        return empty_raw()
    alarms = alarms[~_inspected_since(ctx, alarms)]
    if alarms.empty:
        return empty_raw()
    fallen = _consumption_fall(ctx, alarms, params)
    if fallen.empty:
        return empty_raw()
    evidence = [
        [
            clause(
                "meter_event_unresolved",
                event=clause(f"meter_event.{found.event}"),
                at=found.first_at,
                how=_how_long(found, params["window_days"]),
                alarms=found.alarms,
                basis=clause(f"meter_event.basis.{'season' if found.seasonal else 'level'}"),
                before=found.expected / found.months,
                after=found.kwh / found.months,
                ratio=found.ratio,
                months=(found.month_from, found.month_to),
            ),
            _estimate_clause(found),
            *funds_clause(found.funds),
        ]
        for found in fallen.itertuples()
    ]
    score = 0.5 + 0.5 * np.clip(1.0 - fallen["ratio"].to_numpy(), 0.0, 1.0)
    return raw(
        fallen["cust"],
        fallen["event_month"],
        fallen["month_to"],
        evidence,
        fallen["revenue"],
        score,
    )


def _missing_kwh(shortfall: pd.DataFrame, ratio: np.ndarray) -> np.ndarray:
    """Per bill of `shortfall` (expected, kwh, read_days, days_after), the kWh its meter missed:
    what it fell short of the expected; on the alarm's own bill (the alarm fell inside its read
    period, after its first day) at most the expected kWh of its days from the alarm on
    (days_after / read_days) at the fall the months after show (1 − `ratio`, kWh over
    expected): its days before the alarm were recorded in full, so a whole month's gap would
    count that month's ordinary ups and downs as the meter's."""
    expected = shortfall["expected"].to_numpy()
    days_after = shortfall["days_after"].to_numpy()
    read_days = shortfall["read_days"].to_numpy()
    short = np.maximum(expected - shortfall["kwh"].to_numpy(), 0.0)
    from_alarm = np.maximum(expected * days_after / read_days * (1.0 - ratio), 0.0)
    return np.where(days_after < read_days, np.minimum(short, from_alarm), short)


def _alarm_bill(
    shortfall: pd.DataFrame, missing: np.ndarray, alarm: pd.Series
) -> dict[str, np.ndarray]:
    """Per alarm of `alarm`: the first month its bills (`shortfall`) missed kWh (`missing` > 0)
    and, where that bill holds the alarm day, its days from the alarm and its read days (else
    0): what the evidence says of the alarm's own bill."""
    short = shortfall[missing > 0]
    first = short.loc[short.groupby("alarm")["month"].idxmin()].set_index("alarm").reindex(alarm)
    held = (first["days_after"] < first["read_days"]).to_numpy()
    return {
        "estimate_from": first["month"].to_numpy(dtype=float),
        "alarm_bill_days": np.where(held, first["days_after"], 0),
        "alarm_bill_read_days": np.where(held, first["read_days"], 0),
    }


def _estimate_clause(found: object) -> Clause:
    """The estimated money, naming the alarm's own bill where it counts (its read period holds
    the alarm day): its days from the alarm at the fall of the months after."""
    if found.alarm_bill_days:
        return clause(
            "meter_event.estimate_from_alarm",
            amount=found.revenue,
            months=(found.estimate_from, found.month_to),
            bill=found.estimate_from,
            days=found.alarm_bill_days,
            read_days=found.alarm_bill_read_days,
            at=found.first_at,
        )
    return clause("meter_event.estimate", amount=found.revenue)


def _alarms(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """Per customer with an alarm of `events` that lasted more than `max_hours` (or is not
    cleared by the audit date after that long) or came back `min_repeats` times within
    `window_days` (rows of one customer, event and time are one alarm): the first such alarm
    (its time, event, whether it lasted and how long, the repeats counted from it) and the
    customer's alarms of those kinds up to the audit date."""
    table = getattr(ctx.source, "meter_events", None)
    if table is None or table.empty:
        return pd.DataFrame()
    end = _audit_end(ctx)
    cust = ctx.customer_codes(table["customer_id"])
    event = table["event"].to_numpy(dtype=object)
    at = pd.to_datetime(table["event_at"])
    cleared = (
        pd.to_datetime(table["cleared_at"])
        if "cleared_at" in table
        else pd.Series(pd.NaT, index=table.index)
    )
    kept = (cust >= 0) & pd.Series(event).isin(params["events"]).to_numpy() & (at < end).to_numpy()
    rows = np.flatnonzero(kept)
    if not len(rows):
        return pd.DataFrame()
    # By customer, time and event; a row exported twice is one alarm, not a repeat (the cleared
    # time of the first copy).
    kind = pd.factorize(event[rows], sort=True)[0]
    moment = at.to_numpy()[rows].view(np.int64)
    order = np.lexsort((kind, moment, cust[rows]))
    rows, kind, moment = rows[order], kind[order], moment[order]
    copy = np.zeros(len(rows), dtype=bool)
    copy[1:] = (cust[rows][1:] == cust[rows][:-1]) & (moment[1:] == moment[:-1])
    copy[1:] &= kind[1:] == kind[:-1]
    rows = rows[~copy]
    cust, at = cust[rows], at.iloc[rows].reset_index(drop=True)
    cleared = cleared.iloc[rows].reset_index(drop=True)
    # Cleared after the audit date: still uncleared at it.
    cleared_by_end = cleared.where(cleared < end)
    hours = ((cleared_by_end.fillna(end) - at).dt.total_seconds() / 3600).to_numpy()
    lasting = hours > params["max_hours"]
    # Per alarm (sorted by customer and time), the customer's alarms from it to window_days later.
    seconds = (at - pd.Timestamp("1970-01-01")).dt.total_seconds().to_numpy()
    keys = customer_keys(cust, seconds.astype(np.int64))
    window = int(params["window_days"]) * 86400
    repeats = np.searchsorted(keys, keys + window, side="right") - np.arange(len(keys))
    repeated = repeats >= max(int(params["min_repeats"]), 1)
    # Each customer's first alarm that lasted or repeated, with its count of alarms.
    triggered = np.flatnonzero(lasting | repeated)
    if not len(triggered):
        return pd.DataFrame()
    customers, first = np.unique(cust[triggered], return_index=True)
    shown = triggered[first]
    return pd.DataFrame(
        {
            "cust": customers,
            "event": event[rows[shown]],
            "at": at.iloc[shown].reset_index(drop=True),
            "cleared": cleared.iloc[shown].reset_index(drop=True),
            "hours": hours[shown],
            "lasting": lasting[shown],
            "uncleared": cleared_by_end.isna().to_numpy()[shown],
            "repeats": repeats[shown],
            "repeated": repeated[shown],
            "alarms": np.bincount(cust, minlength=customers.max() + 1)[customers],
        }
    )


def _how_long(alarm: object, window_days: int) -> Clause:
    """Why an alarm counts: not cleared by the audit date, cleared too late, or repeated."""
    if alarm.lasting and alarm.uncleared:
        return clause("meter_event.not_cleared", hours=alarm.hours)
    if alarm.lasting:
        return clause("meter_event.lasting", hours=alarm.hours)
    return clause("meter_event.repeated", count=alarm.repeats, days=window_days)


def _inspected_since(ctx: RuleContext, alarms: pd.DataFrame) -> np.ndarray:
    """Per customer's first alarm: an inspection on or after its day, up to the audit date."""
    table = getattr(ctx.source, "inspections", None)
    if table is None or table.empty:
        return np.zeros(len(alarms), dtype=bool)
    cust = ctx.customer_codes(table["customer_id"])
    day = pd.to_datetime(table["inspected_at"]).dt.normalize().to_numpy(dtype="datetime64[ns]")
    known = np.flatnonzero((cust >= 0) & (day < _audit_end(ctx).to_datetime64()))  # NaT: no
    # Per customer, its latest inspection day (as nanoseconds; the smallest integer: none).
    latest = np.full(len(ctx.customers), np.iinfo(np.int64).min)
    np.maximum.at(latest, cust[known], day[known].view(np.int64))
    alarm_day = alarms["at"].dt.normalize().to_numpy(dtype="datetime64[ns]").view(np.int64)
    seen = latest[alarms["cust"].to_numpy(dtype=np.int64)]
    return (seen > np.iinfo(np.int64).min) & (seen >= alarm_day)


def _consumption_fall(ctx: RuleContext, alarms: pd.DataFrame, params: dict) -> pd.DataFrame:
    """The alarms followed by a fall: the bills after the alarm's month (at least
    `min_months_after` of them) used less than `drop_ratio` of what was expected of them. The
    expected kWh of a bill is its calendar month in the 12 months before the alarm's month when
    the customer has those bills for at least `min_months_after` of the months after (a seasonal
    load is compared with its own season; a month a year or more after the alarm with the year
    before it, never with a month already fallen), else the mean of the `before_months` bills
    before the alarm. Revenue: per bill after, the kWh below what was expected, and the alarm's
    own bill's from the alarm on (`_missing_kwh`), at the rate due (by tiers on a household)."""
    event_month = date_month_number(alarms["at"])
    frame = pd.DataFrame({"alarm": np.arange(len(alarms)), "cust": alarms["cust"].to_numpy()})
    frame["event_month"] = event_month
    rows = rows_of(ctx, frame["cust"].to_numpy())
    bills = pd.DataFrame(
        {
            "cust": ctx.bill_customer[rows].astype(np.int64),
            "month": ctx.bill_month[rows],
            "kwh": ctx.bills["kwh_billed"].to_numpy(dtype=float)[rows],
            "row": rows,
        }
    )
    pairs = frame.merge(bills, on="cust")
    month, start = pairs["month"].to_numpy(), pairs["event_month"].to_numpy()
    before = (month < start) & (month >= start - params["before_months"])
    # The alarm's own bill (the one whose read period holds the alarm day) counts in the money
    # for its days from the alarm on, not in the test of the fall (`_missing_kwh`).
    read_from, read_to = ctx.read_days(pairs["row"].to_numpy())
    alarm_day = alarms["at"].dt.normalize().to_numpy(dtype="datetime64[D]")
    alarm_day = alarm_day[pairs["alarm"].to_numpy()]
    pairs = pairs.assign(
        read_days=(read_to - read_from).astype(np.int64) + 1,
        days_after=np.clip((read_to - alarm_day).astype(np.int64) + 1, 0, None),
    )
    level = pairs[before].groupby("alarm")["kwh"].mean().rename("baseline")
    later = pairs[(month > start) | ((month == start) & (pairs["days_after"] > 0))]
    if not (later["month"] > later["event_month"]).any():  # alarms in the audit month
        return pd.DataFrame()
    # The same calendar month in the 12 months before the alarm's month: a month a year or
    # more after the alarm goes back as many years as it takes to land before the alarm.
    years_back = (later["month"] - later["event_month"]) // 12 + 1
    season = bills[["cust", "month", "kwh"]].rename(
        columns={"month": "season_month", "kwh": "kwh_season"}
    )
    later = later.assign(season_month=later["month"] - 12 * years_back).merge(
        season, on=["cust", "season_month"], how="left"
    )
    later = later.assign(seasonal=later["kwh_season"].notna())
    seasonal_months = (
        later[later["month"] > later["event_month"]].groupby("alarm")["seasonal"].sum()
    )
    by_season = seasonal_months.reindex(frame["alarm"]).fillna(0).to_numpy()
    by_season = by_season >= params["min_months_after"]
    later = later.join(level, on="alarm")
    use_season = by_season[later["alarm"].to_numpy()]
    later = later[~use_season | later["seasonal"].to_numpy()]
    later["expected"] = np.where(
        by_season[later["alarm"].to_numpy()], later["kwh_season"], later["baseline"]
    )
    summary = group_stats(
        later[later["month"] > later["event_month"]].groupby("alarm"),
        kwh=("kwh", "sum"),
        expected=("expected", "sum"),
        months=("kwh", "size"),
        month_to=("month", "max"),
    )
    found = frame.join(summary, on="alarm").assign(seasonal=by_season)
    found = found[
        (found["months"] >= params["min_months_after"])
        & (found["expected"] > 0)
        & (found["kwh"] < params["drop_ratio"] * found["expected"])
    ]
    if found.empty:
        return pd.DataFrame()
    shortfall = later[later["alarm"].isin(found["alarm"]).to_numpy()]
    ratio = (found["kwh"] / found["expected"]).set_axis(found["alarm"])
    missing = _missing_kwh(shortfall, ratio.reindex(shortfall["alarm"]).to_numpy())
    rows = shortfall["row"].to_numpy()
    funds = missing * ctx.fund_rate_due(rows)  # collected on every kWh sold
    value = back_billed_energy_money(ctx, rows, missing) + funds  # by tiers on a household
    per_alarm = pd.DataFrame({"revenue": value, "funds": funds}, index=shortfall.index)
    per_alarm = per_alarm.groupby(shortfall["alarm"]).sum().reindex(found["alarm"])
    found = found.assign(
        revenue=per_alarm["revenue"].to_numpy(),
        funds=per_alarm["funds"].to_numpy(),
        ratio=found["kwh"] / found["expected"],
        month_from=found["event_month"] + 1,
        **_alarm_bill(shortfall, missing, found["alarm"]),
    )
    described = alarms.iloc[found["alarm"].to_numpy()].reset_index(drop=True)
    return pd.concat(
        [
            found.reset_index(drop=True),
            described[["event", "hours", "lasting", "uncleared", "repeats", "alarms"]],
            described["at"].rename("first_at"),
        ],
        axis=1,
    )

"""Metering devices (计量装置): multiplier, registers, periodic meter tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.rules.context import RuleContext
from auditkit.rules.findings import (
    count_text,
    empty_raw,
    flagged_rows_at,
    fmt_money,
    fmt_number,
    order_between_bills,
    per_customer_at,
    period_span,
    raw,
    zero_where_nan,
)
from auditkit.rules.periods import add_months, date_month_number, period_text
from auditkit.rules.registry import rule


@rule(
    "multiplier_mismatch",
    area="metering",
    title_en="Billed multiplier differs from the archive",
    title_zh="计费倍率与档案倍率不符",
    checks="multiplier_billed ≠ archive ct_ratio × pt_ratio; impact from the first mismatched bill",
    needs=("customers.ct_ratio", "customers.pt_ratio", "bills.multiplier_billed"),
    params=("relative_tolerance",),
    severity="high",
)
def multiplier_mismatch(ctx: RuleContext, params: dict) -> pd.DataFrame:
    customers = ctx.customers
    archive_multiplier = customers["ct_ratio"].to_numpy(dtype=float) * customers[
        "pt_ratio"
    ].to_numpy(dtype=float)
    billed = ctx.bills["multiplier_billed"].to_numpy(dtype=float)
    rows = _multiplier_differs(ctx, billed, archive_multiplier, params["relative_tolerance"])
    if len(rows) == 0:
        return empty_raw()
    archive = archive_multiplier[ctx.bill_customer[rows]]
    billed = billed[rows]
    kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)[rows]
    ratio = np.divide(archive, billed, out=np.ones_like(archive), where=billed > 0)
    missing_kwh = kwh * (ratio - 1)
    # A demand charge read through the same wrong multiplier is short by the same ratio.
    demand_basis = ctx.customer_is("basic_charge_basis", "demand")[rows]
    basic = zero_where_nan(ctx.bills["basic_charge"].to_numpy(dtype=float)[rows])
    missing_basic = np.where(demand_basis, basic * (ratio - 1), 0.0)
    revenue = missing_kwh * ctx.energy_rate_due_or_billed(rows) + missing_basic
    grouped = per_customer_at(
        ctx,
        rows,
        missing_kwh=missing_kwh,
        missing_basic=missing_basic,
        revenue=revenue,
        billed_min=billed,
        billed_max=billed,
        archive_first=archive,
    )
    customers = customers.iloc[grouped["cust"]]
    evidence = [
        f"{count_text(n, 'bill')} {period_span(a, b)} used "
        + (f"multiplier {fmt_number(low, 2)}" if low == high
           else f"multipliers {fmt_number(low, 2)} to {fmt_number(high, 2)}")
        + f" where the archive has CT {fmt_number(ct, 2)} × PT {fmt_number(pt, 2)} = "
        f"{fmt_number(ma, 2)}: "
        + (f"{fmt_number(kwh)} kWh not billed" if kwh >= 0
           else f"{fmt_number(-kwh)} kWh billed too much")
        + (f", demand charge short by {fmt_money(short)}" if short > 0 else "")
        + f" ({fmt_money(max(rev, 0.0))})"
        for n, a, b, low, high, ct, pt, ma, kwh, short, rev in zip(
            grouped["bills"], grouped["month_from"], grouped["month_to"], grouped["billed_min"],
            grouped["billed_max"], customers["ct_ratio"], customers["pt_ratio"],
            grouped["archive_first"], grouped["missing_kwh"], grouped["missing_basic"],
            grouped["revenue"], strict=True,
        )
    ]  # fmt: skip
    score = np.abs(1 - grouped["billed_min"] / grouped["archive_first"])
    return raw(grouped["cust"], grouped["month_from"], grouped["month_to"], evidence,
               grouped["revenue"], 0.5 + score)  # fmt: skip


def _multiplier_differs(
    ctx: RuleContext, billed: np.ndarray, archive_multiplier: np.ndarray, tolerance: float
) -> np.ndarray:
    """Rows of the bills whose multiplier differs from the archive's by more than `tolerance`
    (relative), computed in place: two float arrays as long as the bills, not five."""
    gap = archive_multiplier[ctx.bill_customer]
    np.subtract(billed, gap, out=gap)
    np.abs(gap, out=gap)
    limit = archive_multiplier[ctx.bill_customer]
    limit *= tolerance
    return np.flatnonzero(gap > limit)


def _register_energy(
    start: np.ndarray, end: np.ndarray, multiplier: np.ndarray, kwh: np.ndarray, params: dict
) -> tuple[np.ndarray, np.ndarray]:
    """Energy the registers show, and where it came from a register rolling over past its last digit.

    A register that ends below its start has either run backwards or passed 99…9 → 0; it rolled
    over when the bill charged (end + 10^digits − start) × multiplier, 10^digits being the first
    power of ten above the start reading.
    """
    energy = (end - start) * multiplier
    rolled = np.zeros(len(energy), dtype=bool)
    down = np.flatnonzero(end < start)  # few bills: the rollover test runs on those only
    span = 10.0 ** np.ceil(np.log10(start[down] + 1))
    rollover_kwh = (end[down] + span - start[down]) * multiplier[down]
    fits = np.abs(rollover_kwh - kwh[down]) <= _tolerance(rollover_kwh, params)
    rolled[down[fits]] = True
    energy[down[fits]] = rollover_kwh[fits]
    return energy, rolled


def _tolerance(kwh: np.ndarray, params: dict) -> np.ndarray:
    """The kWh a bill may differ by: `relative_tolerance` of `kwh`, at least `kwh_tolerance`."""
    tolerance = np.abs(kwh)
    tolerance *= params["relative_tolerance"]
    return np.maximum(tolerance, params["kwh_tolerance"], out=tolerance)


@rule(
    "register_mismatch",
    area="metering",
    title_en="Billed energy does not follow the registers",
    title_zh="电量与示数不符（示数跳变、倒走或少计）",
    checks=(
        "kwh_billed ≠ (register_end − register_start) × multiplier_billed; a register running "
        "backwards; a start register ≠ the previous bill's end with no meter-replacement order "
        "between the two bills"
    ),
    needs=("bills.register_start", "bills.register_end", "bills.multiplier_billed"),
    params=("kwh_tolerance", "relative_tolerance", "replacement_window_months"),
    severity="high",
)
def register_mismatch(ctx: RuleContext, params: dict) -> pd.DataFrame:
    bills = ctx.bills
    start = bills["register_start"].to_numpy(dtype=float)
    end = bills["register_end"].to_numpy(dtype=float)
    multiplier = bills["multiplier_billed"].to_numpy(dtype=float)
    kwh = bills["kwh_billed"].to_numpy(dtype=float)
    excess, rolled = _register_energy(start, end, multiplier, kwh, params)
    tolerance = _tolerance(excess, params)
    excess -= kwh  # in place (35M bills: 280 MB a column): the registers' kWh less those billed
    short = excess > tolerance
    del tolerance
    # Across a gap in the bills a replacement may have happened in a month with no bill.
    replaced = order_between_bills(ctx, ("meter_replacement",), params["replacement_window_months"])
    step = np.empty_like(start)  # from the previous bill's end register to this start
    step[:1] = start[:1] - end[-1:]
    np.subtract(start[1:], end[:-1], out=step[1:])
    jump = ctx.same_customer_as_previous & ~replaced & ((step > 0.005) | (step < -0.005))
    backwards = (end < start) & ~rolled & ~replaced
    rows = np.flatnonzero(short | backwards | jump)
    if len(rows) == 0:
        return empty_raw()
    short, backwards, jump = short[rows], backwards[rows], jump[rows]
    skipped_kwh = np.where(jump & (step[rows] > 0), step[rows] * multiplier[rows], 0.0)
    short_kwh = np.where(short, excess[rows], 0.0)
    revenue = (skipped_kwh + short_kwh) * ctx.energy_rate_due_or_billed(rows)
    grouped = per_customer_at(
        ctx, rows, short=short, backwards=backwards, jump=jump,
        skipped_kwh=skipped_kwh, short_kwh=short_kwh, revenue=revenue,
    )  # fmt: skip
    first_jump = flagged_rows_at(ctx, rows[jump])["first"]
    first_backwards = flagged_rows_at(ctx, rows[backwards])["first"]
    month = ctx.bill_month
    evidence = []
    for row in grouped.itertuples():
        parts = []
        if row.short:
            parts.append(f"{count_text(row.short, 'bill')} charged {fmt_number(row.short_kwh)} kWh "
                         "less than the registers show")  # fmt: skip
        if row.jump:
            at = first_jump[row.cust]
            which = "first " if row.jump > 1 else ""
            parts.append(
                f"{count_text(row.jump, 'start register')} ≠ the previous bill's end with no "
                f"meter replacement ({which}{period_text(month[at])} starts at "
                f"{fmt_number(start[at], 2)} after {fmt_number(end[at - 1], 2)} at the end "
                f"of {period_text(month[at - 1])}; {fmt_number(row.skipped_kwh)} kWh skipped)"
            )
        if row.backwards:
            at = first_backwards[row.cust]
            which = "first " if row.backwards > 1 else ""
            parts.append(
                f"{count_text(row.backwards, 'bill')} with the register running backwards "
                f"({which}{period_text(month[at])}: {fmt_number(start[at], 2)} → "
                f"{fmt_number(end[at], 2)})"
            )
        evidence.append(
            f"{period_span(row.month_from, row.month_to)}: "
            + "; ".join(parts)
            + f" ({fmt_money(row.revenue)})"
        )
    return raw(grouped["cust"], grouped["month_from"], grouped["month_to"], evidence,
               grouped["revenue"], np.minimum(1.0, 0.5 + grouped["bills"] / 6))  # fmt: skip


@rule(
    "meter_test_overdue",
    area="metering",
    title_en="Periodic meter test overdue",
    title_zh="计量装置超周期未检",
    checks=(
        "meter_test_date + meter_test_cycle_months (calendar months) earlier than the audit date "
        "(active accounts)"
    ),
    needs=("customers.meter_test_date", "customers.meter_test_cycle_months"),
    params=("grace_days",),
    severity="low",
)
def meter_test_overdue(ctx: RuleContext, params: dict) -> pd.DataFrame:
    customers = ctx.customers
    cycle = pd.to_numeric(customers["meter_test_cycle_months"], errors="coerce").to_numpy(
        dtype=float
    )
    tested = pd.to_datetime(customers["meter_test_date"])
    has_cycle = ~np.isnan(cycle) & (cycle > 0) & (customers["status"] != "closed").to_numpy()
    due = add_months(tested, np.nan_to_num(cycle).astype(np.int64))
    limit = ctx.as_of_date - pd.Timedelta(days=params["grace_days"])
    never_tested = has_cycle & tested.isna().to_numpy()
    overdue = has_cycle & ((due < limit).to_numpy() | never_tested)
    idx = np.flatnonzero(overdue)
    if len(idx) == 0:
        return empty_raw()
    days_past_due = (ctx.as_of_date - due.iloc[idx]).dt.days.fillna(0).to_numpy()
    evidence = [
        f"no meter test date recorded for a meter with a {int(c)}-month test cycle"
        if pd.isna(t) else
        f"last test {t:%Y-%m-%d}, cycle {int(c)} months, due {d:%Y-%m-%d}: "
        f"{count_text(int(days), 'day')} past due at the end of {ctx.as_of_period}"
        for t, c, d, days in zip(tested.iloc[idx], cycle[idx], due.iloc[idx], days_past_due,
                                 strict=True)
    ]  # fmt: skip
    due_month = date_month_number(due.iloc[idx])
    month_from = np.minimum(np.where(due_month >= 0, due_month, ctx.as_of), ctx.as_of)
    return raw(idx, month_from, np.full(len(idx), ctx.as_of), evidence, np.zeros(len(idx)),
               np.minimum(1.0, days_past_due / (cycle[idx] * 30.4375)))  # fmt: skip

"""Metering devices (计量装置): multiplier, registers, periodic meter tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.rules.context import RuleContext
from auditkit.rules.findings import empty_raw, fmt_money, fmt_number, per_customer, raw
from auditkit.rules.periods import date_month_number, period_text
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
    archive = ctx.customer_column("ct_ratio") * ctx.customer_column("pt_ratio")
    billed = ctx.bills["multiplier_billed"].to_numpy(dtype=float)
    flagged = np.abs(billed - archive) > params["relative_tolerance"] * archive
    if not flagged.any():
        return empty_raw()
    kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)
    ratio = np.divide(archive, billed, out=np.ones_like(archive), where=billed > 0)
    missing_kwh = kwh * (ratio - 1)
    revenue = missing_kwh * ctx.bills["energy_rate"].to_numpy(dtype=float)
    # A demand charge read through the same wrong multiplier is short by the same ratio.
    if "max_demand_kw" in ctx.bills and "basic_charge" in ctx.bills:
        demand_basis = ctx.customer_column("basic_charge_basis") == "demand"
        basic = np.nan_to_num(ctx.bills["basic_charge"].to_numpy(dtype=float))
        revenue = revenue + np.where(demand_basis, basic * (ratio - 1), 0.0)
    grouped = per_customer(
        ctx,
        flagged,
        missing_kwh=missing_kwh,
        revenue=revenue,
        billed_first=billed,
        archive_first=archive,
    )
    customers = ctx.customers.iloc[grouped["cust"]]
    evidence = [
        f"{bills} bills {period_text(a)}..{period_text(b)} used multiplier {fmt_number(mb, 2)}, "
        f"archive CT {fmt_number(ct, 2)} × PT {fmt_number(pt, 2)} = {fmt_number(ma, 2)}; "
        f"{fmt_number(kwh)} kWh not billed ({fmt_money(rev)})"
        for bills, a, b, mb, ct, pt, ma, kwh, rev in zip(
            grouped["bills"], grouped["month_from"], grouped["month_to"], grouped["billed_first"],
            customers["ct_ratio"], customers["pt_ratio"], grouped["archive_first"],
            grouped["missing_kwh"], grouped["revenue"], strict=True,
        )
    ]  # fmt: skip
    score = np.abs(1 - grouped["billed_first"] / grouped["archive_first"])
    return raw(grouped["cust"], grouped["month_from"], grouped["month_to"], evidence,
               grouped["revenue"], 0.5 + score)  # fmt: skip


@rule(
    "register_mismatch",
    area="metering",
    title_en="Billed energy does not follow the registers",
    title_zh="电量与示数不符（示数跳变、倒走或少计）",
    checks=(
        "kwh_billed ≠ (register_end − register_start) × multiplier_billed; a register running "
        "backwards; a start register ≠ the previous end with no meter-replacement order"
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
    rate = bills["energy_rate"].to_numpy(dtype=float)
    register_kwh = (end - start) * multiplier
    tolerance = np.maximum(
        params["kwh_tolerance"], params["relative_tolerance"] * np.abs(register_kwh)
    )
    short = (register_kwh - kwh) > tolerance
    backwards = end < start
    replaced = ctx.has_order_near(("meter_replacement",), params["replacement_window_months"])
    previous_end = np.roll(end, 1)
    jump = ctx.same_customer_as_previous & ~replaced & (np.abs(start - previous_end) > 0.005)
    backwards &= ~replaced
    flagged = short | backwards | jump
    if not flagged.any():
        return empty_raw()
    skipped_kwh = np.where(jump & (start > previous_end), (start - previous_end) * multiplier, 0.0)
    short_kwh = np.where(short & ~backwards, register_kwh - kwh, 0.0)
    revenue = (skipped_kwh + short_kwh) * rate
    grouped = per_customer(
        ctx, flagged, short=short, backwards=backwards, jump=jump,
        skipped_kwh=skipped_kwh, short_kwh=short_kwh, revenue=revenue,
    )  # fmt: skip
    evidence = []
    for row in grouped.itertuples():
        parts = []
        if row.short:
            parts.append(
                f"{row.short} bills charged {fmt_number(row.short_kwh)} kWh less than the registers show"
            )
        if row.jump:
            parts.append(f"{row.jump} start registers ≠ previous end with no meter replacement "
                         f"({fmt_number(row.skipped_kwh)} kWh skipped)")  # fmt: skip
        if row.backwards:
            parts.append(f"{row.backwards} bills with the register running backwards")
        evidence.append(
            f"{period_text(row.month_from)}..{period_text(row.month_to)}: "
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
    checks="meter_test_date + meter_test_cycle_months earlier than the audit date (active accounts)",
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
    tested_month = date_month_number(tested)
    # Due date = test date + cycle months (computed in days on the calendar via month offsets).
    due = tested + pd.to_timedelta(np.nan_to_num(cycle) * 30.4375, unit="D")
    limit = ctx.as_of_date - pd.Timedelta(days=params["grace_days"])
    never_tested = has_cycle & tested.isna().to_numpy()
    overdue = has_cycle & ((due < limit).to_numpy() | never_tested)
    idx = np.flatnonzero(overdue)
    if len(idx) == 0:
        return empty_raw()
    days_over = (limit - due.iloc[idx]).dt.days.fillna(0).to_numpy()
    evidence = [
        "no meter test date recorded for a meter with a "
        f"{int(c)}-month test cycle" if pd.isna(t) else
        f"last test {t:%Y-%m-%d}, cycle {int(c)} months, due {d:%Y-%m-%d}: "
        f"{int(over)} days overdue at {ctx.as_of_period}"
        for t, c, d, over in zip(tested.iloc[idx], cycle[idx], due.iloc[idx], days_over, strict=True)
    ]  # fmt: skip
    month_from = np.where(tested_month[idx] >= 0, tested_month[idx] + cycle[idx], ctx.as_of)
    month_from = np.minimum(month_from.astype(np.int64), ctx.as_of)
    return raw(idx, month_from, np.full(len(idx), ctx.as_of), evidence, np.zeros(len(idx)),
               np.minimum(1.0, days_over / (cycle[idx] * 30.4375)))  # fmt: skip

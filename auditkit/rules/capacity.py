"""Capacity and business expansion (业扩报装): basic charge, demand against capacity, suspensions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.rules.context import RuleContext
from auditkit.rules.findings import empty_raw, fmt_money, fmt_number, per_customer, raw
from auditkit.rules.periods import period_text
from auditkit.rules.registry import rule

REDUCING_ORDERS = ("capacity_reduction", "suspension")


def _kva_rate(ctx: RuleContext) -> np.ndarray:
    return np.nan_to_num(ctx.schedule_rate(ctx.bill_tariff, ctx.bill_month, "basic_rate_kva_month"))


@rule(
    "capacity_underbilled",
    area="capacity",
    title_en="Basic charge on less capacity than the archive",
    title_zh="基本电费计费容量小于档案容量",
    checks=(
        "capacity-basis customers: capacity_billed_kva below the contract capacity in force that "
        "month, with no suspension covering the month"
    ),
    needs=(
        "customers.contract_capacity_kva",
        "customers.basic_charge_basis",
        "bills.capacity_billed_kva",
    ),
    params=("kva_tolerance",),
    severity="high",
)
def capacity_underbilled(ctx: RuleContext, params: dict) -> pd.DataFrame:
    in_force = ctx.capacity_in_force
    billed = np.nan_to_num(ctx.bills["capacity_billed_kva"].to_numpy(dtype=float))
    capacity_basis = ctx.customer_column("basic_charge_basis") == "capacity"
    gap = in_force - billed
    flagged = (
        capacity_basis & ~np.isnan(in_force) & (gap > params["kva_tolerance"]) & ~ctx.suspended
    )
    if not flagged.any():
        return empty_raw()
    revenue = np.where(flagged, gap, 0.0) * _kva_rate(ctx)
    grouped = per_customer(
        ctx, flagged, revenue=revenue, in_force_last=in_force, billed_last=billed
    )
    evidence = [
        f"{n} bills {period_text(a)}..{period_text(b)} charged the basic charge on "
        f"{fmt_number(kb)} kVA while {fmt_number(kf)} kVA is in force and no order covers it "
        f"({fmt_money(rev)})"
        for n, a, b, kb, kf, rev in zip(
            grouped["bills"], grouped["month_from"], grouped["month_to"], grouped["billed_last"],
            grouped["in_force_last"], grouped["revenue"], strict=True,
        )
    ]  # fmt: skip
    score = 0.5 + 0.5 * (1 - grouped["billed_last"] / grouped["in_force_last"])
    return raw(grouped["cust"], grouped["month_from"], grouped["month_to"], evidence,
               grouped["revenue"], score)  # fmt: skip


def _months_after_reducing_order(ctx: RuleContext) -> np.ndarray:
    """Per bill: on or after a capacity reduction or suspension of the same customer."""
    orders = ctx.orders_of(*REDUCING_ORDERS)
    first = orders.groupby("cust")["effective_month"].min()
    start = np.full(len(ctx.customers), np.iinfo(np.int64).max)
    start[first.index.to_numpy()[first.index.to_numpy() >= 0]] = first.to_numpy()[
        first.index.to_numpy() >= 0
    ]
    return ctx.bill_month >= start[ctx.bill_customer]


@rule(
    "demand_over_capacity",
    area="capacity",
    title_en="Maximum demand persistently above the registered capacity",
    title_zh="最大需量持续超过登记容量（疑似大换小、私增容量）",
    checks=(
        "max_demand_kw above demand_ratio × contract capacity in at least min_months of the last "
        "lookback_months (months after a reduction or suspension belong to reduction_without_drop)"
    ),
    needs=("customers.contract_capacity_kva", "bills.max_demand_kw"),
    params=("demand_ratio", "min_months", "lookback_months"),
    severity="high",
)
def demand_over_capacity(ctx: RuleContext, params: dict) -> pd.DataFrame:
    demand = ctx.bills["max_demand_kw"].to_numpy(dtype=float)
    in_force = ctx.capacity_in_force
    recent = ctx.bill_month > ctx.as_of - params["lookback_months"]
    over = (
        recent
        & (demand > params["demand_ratio"] * in_force)
        & ~ctx.suspended
        & ~_months_after_reducing_order(ctx)
    )
    if not over.any():
        return empty_raw()
    excess = np.where(over, demand - in_force, 0.0)
    grouped = per_customer(ctx, over, excess_max=excess, demand_max=demand, in_force_last=in_force)
    grouped = grouped[grouped["bills"] >= params["min_months"]]
    if grouped.empty:
        return empty_raw()
    customers = ctx.customers.iloc[grouped["cust"]]
    capacity_basis = (customers["basic_charge_basis"] == "capacity").to_numpy()
    kva_rate = np.nan_to_num(
        ctx.schedule_rate(customers["tariff_category"].to_numpy(),
                          np.full(len(grouped), ctx.as_of), "basic_rate_kva_month")
    )  # fmt: skip
    # Lower bound: the transformer is at least as large as the peak demand, over the months seen.
    months = (ctx.as_of - grouped["month_from"] + 1).to_numpy()
    revenue = np.where(capacity_basis, grouped["excess_max"] * kva_rate * months, 0.0)
    rated_current = customers["contract_capacity_kva"] / (np.sqrt(3) * customers["voltage_kv"])
    ct_primary = customers["ct_ratio"] * 5
    evidence = []
    for n, a, b, peak, cap, primary, current, rev in zip(
        grouped["bills"], grouped["month_from"], grouped["month_to"], grouped["demand_max"],
        grouped["in_force_last"], ct_primary, rated_current, revenue, strict=True,
    ):  # fmt: skip
        text = (
            f"maximum demand above {fmt_number(cap)} kVA registered in {n} months "
            f"{period_text(a)}..{period_text(b)}, peak {fmt_number(peak)} kW"
        )
        if primary > 2 * 1.25 * current:
            text += f"; CT primary {fmt_number(primary)} A is sized for far more than the rated {fmt_number(current, 1)} A"
        evidence.append(text + (f" (basic charge lower bound {fmt_money(rev)})" if rev > 0 else ""))
    score = np.minimum(1.0, grouped["demand_max"] / grouped["in_force_last"] - 0.5)
    return raw(
        grouped["cust"], grouped["month_from"], grouped["month_to"], evidence, revenue, score
    )


@rule(
    "reduction_without_drop",
    area="capacity",
    title_en="Capacity reduced or suspended but load carries on",
    title_zh="减容或暂停后用电未相应下降（疑似私启封存设备）",
    checks=(
        "after a capacity reduction or suspension, energy stays at kwh_ratio of the months before, "
        "or maximum demand exceeds demand_ratio × the remaining capacity"
    ),
    needs=("work_orders", "bills.kwh_billed"),
    params=("kwh_ratio", "demand_ratio", "min_reduction", "before_months", "min_months_after"),
    severity="high",
)
def reduction_without_drop(ctx: RuleContext, params: dict) -> pd.DataFrame:
    orders = ctx.orders_of(*REDUCING_ORDERS)
    orders = orders[(orders["cust"] >= 0)
                    & (orders["effective_month"] <= ctx.as_of - params["min_months_after"] + 1)]  # fmt: skip
    if orders.empty:
        return empty_raw()
    spans = ctx.suspension_spans.set_index("order_id")["end_month"]
    end = orders["order_id"].map(spans).fillna(ctx.as_of + 1).to_numpy(dtype=np.int64)
    end = np.where(orders["order_type"].to_numpy() == "suspension", end, ctx.as_of + 1)
    frame = pd.DataFrame(
        {
            "order": np.arange(len(orders)),
            "cust": orders["cust"].to_numpy(),
            "start": orders["effective_month"].to_numpy(),
            "end": end,
            "old": pd.to_numeric(orders["old_value"], errors="coerce").to_numpy(),
            "remaining": pd.to_numeric(orders["new_value"], errors="coerce").to_numpy(),
            "order_type": orders["order_type"].to_numpy(),
        }
    )
    bills = pd.DataFrame(
        {
            "cust": ctx.bill_customer,
            "month": ctx.bill_month,
            "kwh": ctx.bills["kwh_billed"].to_numpy(dtype=float),
            "demand": ctx.bills["max_demand_kw"].to_numpy(dtype=float)
            if "max_demand_kw" in ctx.bills else np.nan,
            "capacity_billed": ctx.bills["capacity_billed_kva"].to_numpy(dtype=float)
            if "capacity_billed_kva" in ctx.bills else np.nan,
            "kva_rate": _kva_rate(ctx),
        }
    )  # fmt: skip
    joined = bills[np.isin(bills["cust"], frame["cust"])].merge(frame, on="cust")
    month, start, end = joined["month"], joined["start"], joined["end"]
    after = (month >= start) & (month < end)
    # "As before": the same calendar months a year earlier (season-proof) where the bills reach
    # back that far, else the months just before the order.
    year_before = (month >= start - 12) & (month < end - 12) & (month < start)
    just_before = (month < start) & (month >= start - params["before_months"])
    joined = joined.assign(
        kwh_year_before=joined["kwh"].where(year_before),
        kwh_just_before=joined["kwh"].where(just_before),
        kwh_after=joined["kwh"].where(after),
        demand_after=joined["demand"].where(after),
        months_after=after,
        months_year_before=year_before,
        escaped=((joined["old"] - joined["capacity_billed"]) * joined["kva_rate"]).where(after),
    )
    stats = joined.groupby("order").agg(
        kwh_year_before=("kwh_year_before", "mean"), kwh_just_before=("kwh_just_before", "mean"),
        months_year_before=("months_year_before", "sum"), kwh_after=("kwh_after", "mean"),
        demand_after=("demand_after", "max"), months_after=("months_after", "sum"),
        escaped=("escaped", "sum"),
    )  # fmt: skip
    frame = frame.join(stats, on="order")
    seasonal = frame["months_year_before"] >= np.minimum(
        frame["months_after"], params["min_months_after"]
    )
    ratio = frame["kwh_after"] / frame["kwh_year_before"].where(seasonal, frame["kwh_just_before"])
    # Energy alone proves little after a small reduction (the smaller load may fit); demand does.
    material = frame["remaining"] <= (1 - params["min_reduction"]) * frame["old"]
    over_demand = frame["demand_after"] > params["demand_ratio"] * frame["remaining"]
    flagged = (frame["months_after"] >= params["min_months_after"]) & (
        ((ratio >= params["kwh_ratio"]) & material) | over_demand
    )
    hits = frame[flagged.to_numpy()].copy()
    if hits.empty:
        return empty_raw()
    hits["ratio"] = ratio[flagged.to_numpy()]
    capacity_basis = ctx.customers["basic_charge_basis"].to_numpy()[hits["cust"]] == "capacity"
    hits["revenue"] = np.where(capacity_basis, hits["escaped"].clip(lower=0), 0.0)
    hits = hits.sort_values(["cust", "start"]).groupby("cust", as_index=False).agg(
        start=("start", "min"), end=("end", "max"), revenue=("revenue", "sum"),
        ratio=("ratio", "max"), demand_after=("demand_after", "max"), old=("old", "first"),
        remaining=("remaining", "first"), order_type=("order_type", "first"),
    )  # fmt: skip
    evidence = [
        f"{'suspension' if kind == 'suspension' else 'capacity reduction'} {fmt_number(old)}→"
        f"{fmt_number(rem)} kVA from {period_text(s)}, yet energy stayed at {r:.0%} of its "
        f"earlier level" + (f" and demand reached {fmt_number(d)} kW" if d == d else "")
        + f" ({fmt_money(rev)} basic charge escaped)"
        for kind, old, rem, s, r, d, rev in zip(
            hits["order_type"], hits["old"], hits["remaining"], hits["start"], hits["ratio"],
            hits["demand_after"], hits["revenue"], strict=True,
        )
    ]  # fmt: skip
    month_to = np.minimum(hits["end"] - 1, ctx.as_of)
    return raw(hits["cust"], hits["start"], month_to, evidence, hits["revenue"],
               np.minimum(1.0, hits["ratio"].fillna(1.0)))  # fmt: skip


@rule(
    "suspension_overrun",
    area="capacity",
    title_en="Suspension beyond the allowed length",
    title_zh="暂停超期（超期未恢复基本电费）",
    checks=(
        "a suspension shorter than min_days, or lasting (until resumption or the audit date) more "
        "than max_months; impact: basic charge on the suspended capacity after the limit"
    ),
    needs=("work_orders",),
    params=("max_months", "min_days"),
    severity="high",
)
def suspension_overrun(ctx: RuleContext, params: dict) -> pd.DataFrame:
    spans = ctx.suspension_spans
    spans = spans[spans["cust"] >= 0]
    if spans.empty:
        return empty_raw()
    end_month = spans["end_month"].fillna(ctx.as_of + 1).to_numpy(dtype=np.int64)
    length = end_month - spans["effective_month"].to_numpy()
    days = (spans["end_date"] - spans["effective_date"]).dt.days.to_numpy(dtype=float)
    too_long = length > params["max_months"]
    too_short = days < params["min_days"]
    flagged = too_long | too_short
    if not flagged.any():
        return empty_raw()
    hits = spans[flagged].assign(end_month=end_month[flagged], length=length[flagged],
                                 too_long=too_long[flagged])  # fmt: skip
    limit_month = hits["effective_month"] + params["max_months"]
    # Revenue: basic charge not billed on the suspended capacity after the limit.
    probe = pd.DataFrame({"cust": ctx.bill_customer, "month": ctx.bill_month,
                          "capacity_billed": np.nan_to_num(ctx.bills["capacity_billed_kva"].to_numpy(dtype=float)),
                          "in_force": ctx.capacity_in_force, "kva_rate": _kva_rate(ctx)})  # fmt: skip
    capacity_basis = ctx.customers["basic_charge_basis"].to_numpy() == "capacity"
    joined = probe[np.isin(probe["cust"], hits["cust"])].merge(
        pd.DataFrame({"cust": hits["cust"], "limit": limit_month, "end": hits["end_month"]}),
        on="cust",
    )
    late = (joined["month"] >= joined["limit"]) & (joined["month"] < joined["end"])
    gap = (joined["in_force"] - joined["capacity_billed"]).clip(lower=0) * joined["kva_rate"]
    revenue = gap.where(late & capacity_basis[joined["cust"]], 0.0).groupby(joined["cust"]).sum()
    hits = hits.groupby("cust", as_index=False).agg(
        start=("effective_month", "min"), end=("end_month", "max"), length=("length", "max"),
        too_long=("too_long", "max"), limit=("effective_month", "min"),
    )  # fmt: skip
    hits["revenue"] = hits["cust"].map(revenue).fillna(0.0)
    evidence = [
        (
            f"suspension from {period_text(s)} " + ("still not resumed" if e > ctx.as_of else f"resumed {period_text(e)}")
            + f": {n} months, over the {params['max_months']}-month limit"
            if long else f"suspension from {period_text(s)} shorter than {params['min_days']} days"
        )
        + (f" ({fmt_money(rev)})" if rev > 0 else "")
        for s, e, n, long, rev in zip(hits["start"], hits["end"], hits["length"], hits["too_long"],
                                      hits["revenue"], strict=True)
    ]  # fmt: skip
    month_from = np.where(hits["too_long"], hits["start"] + params["max_months"], hits["start"])
    month_to = np.minimum(hits["end"] - 1, ctx.as_of)
    score = np.minimum(1.0, hits["length"] / (2 * params["max_months"]))
    return raw(hits["cust"], month_from, month_to, evidence, hits["revenue"], score)

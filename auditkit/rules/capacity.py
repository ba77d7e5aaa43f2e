"""Capacity and business expansion (业扩报装): basic charge, demand against capacity, suspensions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.rules.context import RuleContext
from auditkit.rules.findings import (
    count_text,
    empty_raw,
    fmt_money,
    fmt_number,
    optional_values,
    per_customer,
    per_customer_at,
    period_span,
    raw,
)
from auditkit.rules.periods import period_text
from auditkit.rules.registry import rule

REDUCING_ORDERS = ("capacity_reduction", "suspension")


def _capacity_in_force(ctx: RuleContext) -> np.ndarray:
    """Per bill, the contract capacity in force (NaN when the archive holds no capacity column)."""
    if "contract_capacity_kva" not in ctx.customers:
        return np.full(len(ctx.bills), np.nan)
    return ctx.capacity_in_force


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
    rows = np.flatnonzero(
        ctx.customer_is("basic_charge_basis", "capacity") & ~np.isnan(in_force) & ~ctx.suspended
    )
    billed = ctx.capacity_billed(rows)
    gap = in_force[rows] - billed
    flagged = gap > params["kva_tolerance"]
    if not flagged.any():
        return empty_raw()
    rows = rows[flagged]
    grouped = per_customer_at(
        ctx, rows, revenue=gap[flagged] * ctx.kva_rate_due(rows),
        in_force_last=in_force[rows], billed_last=billed[flagged],
    )  # fmt: skip
    evidence = [
        f"{count_text(n, 'bill')} {period_span(a, b)} charged the basic charge on "
        f"less than the capacity in force, with no suspension covering "
        f"{'it' if n == 1 else 'them'} (in {period_text(b)}: "
        f"{fmt_number(kb)} kVA billed, {fmt_number(kf)} kVA in force) ({fmt_money(rev)})"
        for n, a, b, kb, kf, rev in zip(
            grouped["bills"], grouped["month_from"], grouped["month_to"], grouped["billed_last"],
            grouped["in_force_last"], grouped["revenue"], strict=True,
        )
    ]  # fmt: skip
    score = 0.5 + 0.5 * (1 - grouped["billed_last"] / grouped["in_force_last"])
    return raw(grouped["cust"], grouped["month_from"], grouped["month_to"], evidence,
               grouped["revenue"], score)  # fmt: skip


def _effective_orders(ctx: RuleContext, *order_types: str) -> pd.DataFrame:
    """Orders of these types of known customers that have taken effect (an effective date set)."""
    orders = ctx.orders_of(*order_types)
    return orders[(orders["cust"] >= 0) & (orders["effective_month"] >= 0)]


def _months_after_reducing_order(ctx: RuleContext) -> np.ndarray:
    """Per bill: on or after a capacity reduction or suspension of the same customer."""
    first = _effective_orders(ctx, *REDUCING_ORDERS).groupby("cust")["effective_month"].min()
    start = np.full(len(ctx.customers), np.iinfo(np.int64).max)
    start[first.index.to_numpy(dtype=np.int64)] = first.to_numpy()
    return ctx.bill_month >= start[ctx.bill_customer]


@rule(
    "demand_over_capacity",
    area="capacity",
    title_en="Maximum demand persistently above the registered capacity",
    title_zh="最大需量持续超过登记容量（疑似大换小、私增容量）",
    checks=(
        "max_demand_kw above demand_ratio × contract capacity in at least min_months of the last "
        "lookback_months (months after a reduction or suspension belong to reduction_without_drop); "
        "impact: basic charge on the highest demand seen so far above the capacity, each month "
        "from the first month over"
    ),
    needs=("customers.contract_capacity_kva", "bills.max_demand_kw"),
    params=("demand_ratio", "min_months", "lookback_months"),
    severity="high",
)
def demand_over_capacity(ctx: RuleContext, params: dict) -> pd.DataFrame:
    demand = ctx.bills["max_demand_kw"].to_numpy(dtype=float)
    in_force = ctx.capacity_in_force
    recent = ctx.bill_month > ctx.as_of - params["lookback_months"]
    comparable = ~ctx.suspended & ~_months_after_reducing_order(ctx)
    over = recent & (demand > params["demand_ratio"] * in_force) & comparable
    if not over.any():
        return empty_raw()
    grouped = per_customer(ctx, over, demand_max=demand, in_force_last=in_force)
    grouped = grouped[grouped["bills"] >= params["min_months"]].reset_index(drop=True)
    if grouped.empty:
        return empty_raw()
    # Lower bound of the basic charge escaped: the transformer is at least as large as the highest
    # demand seen since the first month over, in every comparable month from then on.
    first_over = np.full(len(ctx.customers), np.iinfo(np.int64).max)
    first_over[grouped["cust"].to_numpy()] = grouped["month_from"].to_numpy()
    counted = comparable & (ctx.bill_month >= first_over[ctx.bill_customer])
    capacity_basis = ctx.customer_is("basic_charge_basis", "capacity")
    counted = np.flatnonzero(counted)
    window = pd.DataFrame(
        {"cust": ctx.bill_customer[counted], "month": ctx.bill_month[counted],
         "demand": demand[counted], "in_force": in_force[counted],
         "kva_rate": np.where(capacity_basis[counted], ctx.kva_rate_due(counted), 0.0)}
    )  # fmt: skip
    highest = window.groupby("cust")["demand"].cummax()
    window["escaped"] = (highest - window["in_force"]).clip(lower=0) * window["kva_rate"]
    totals = window.groupby("cust").agg(revenue=("escaped", "sum"), month_to=("month", "max"))
    totals = totals.reindex(grouped["cust"])
    revenue = totals["revenue"].fillna(0.0).to_numpy()
    customers = ctx.customers.iloc[grouped["cust"]]
    rated_current = customers["contract_capacity_kva"] / (np.sqrt(3) * customers["voltage_kv"])
    ct_primary = customers["ct_ratio"] * 5
    evidence = []
    for n, a, b, peak, cap, primary, current, rev in zip(
        grouped["bills"], grouped["month_from"], grouped["month_to"], grouped["demand_max"],
        grouped["in_force_last"], ct_primary, rated_current, revenue, strict=True,
    ):  # fmt: skip
        text = (
            f"maximum demand above the registered {fmt_number(cap)} kVA in "
            f"{count_text(n, 'month')} {period_span(a, b)}, peak {fmt_number(peak)} kW"
        )
        if primary > 2 * 1.25 * current:
            text += f"; CT primary {fmt_number(primary)} A is sized for far more than the rated {fmt_number(current, 1)} A"
        evidence.append(text + (f" (basic charge lower bound {fmt_money(rev)})" if rev > 0 else ""))
    score = np.minimum(1.0, grouped["demand_max"] / grouped["in_force_last"] - 0.5)
    # Every customer listed has bills counted: its months over capacity are among them.
    month_to = totals["month_to"].to_numpy()
    return raw(grouped["cust"], grouped["month_from"], month_to, evidence, revenue, score)


@rule(
    "reduction_without_drop",
    area="capacity",
    title_en="Capacity reduced or suspended but load carries on",
    title_zh="减容或暂停后用电未相应下降（疑似私启封存设备）",
    checks=(
        "after a capacity reduction or suspension, energy stays at kwh_ratio of the months before, "
        "or maximum demand exceeds demand_ratio × the remaining capacity; impact: basic charge on "
        "the capacity given up, each month counted once however many orders cover it"
    ),
    needs=("work_orders.effective_date", "bills.kwh_billed"),
    params=("kwh_ratio", "demand_ratio", "min_reduction", "before_months", "min_months_after"),
    severity="high",
)
def reduction_without_drop(ctx: RuleContext, params: dict) -> pd.DataFrame:
    orders = _effective_orders(ctx, *REDUCING_ORDERS)
    orders = orders[orders["effective_month"] <= ctx.as_of - params["min_months_after"] + 1]
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
            "old": pd.to_numeric(orders["old_value"], errors="coerce").to_numpy(dtype=float),
            "remaining": pd.to_numeric(orders["new_value"], errors="coerce").to_numpy(dtype=float),
            "order_type": orders["order_type"].to_numpy(),
        }
    )
    rows = np.flatnonzero(ctx.bills_of(frame["cust"].to_numpy()))
    bills = pd.DataFrame(
        {
            "cust": ctx.bill_customer[rows],
            "month": ctx.bill_month[rows],
            "kwh": ctx.bills["kwh_billed"].to_numpy(dtype=float)[rows],
            "demand": optional_values(ctx.bills, "max_demand_kw")[rows],
            "capacity_billed": ctx.capacity_billed(rows),
            "kva_rate": ctx.kva_rate_due(rows),
        }
    )
    joined = bills.merge(frame, on="cust")
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
    )  # fmt: skip
    frame = frame.join(stats, on="order")
    seasonal = frame["months_year_before"] >= np.minimum(
        frame["months_after"], params["min_months_after"]
    )
    frame["seasonal"] = seasonal
    frame["ratio"] = frame["kwh_after"] / frame["kwh_year_before"].where(
        seasonal, frame["kwh_just_before"]
    )
    # Energy alone proves little after a small reduction (the smaller load may fit); demand does.
    material = frame["remaining"] <= (1 - params["min_reduction"]) * frame["old"]
    frame["energy_kept"] = (frame["ratio"] >= params["kwh_ratio"]) & material
    frame["over_demand"] = frame["demand_after"] > params["demand_ratio"] * frame["remaining"]
    flagged = (frame["months_after"] >= params["min_months_after"]) & (
        frame["energy_kept"] | frame["over_demand"]
    )
    hits = frame[flagged.to_numpy()].sort_values(["cust", "start", "order"], kind="stable")
    if hits.empty:
        return empty_raw()
    # Orders that overlap (two suspensions, a suspension then a reduction) cover the same bills:
    # each month's escaped charge is the largest any of them gives, counted once.
    escaped = joined[joined["order"].isin(hits["order"]) & joined["months_after"]]
    per_month = escaped.groupby(["cust", "month"])["escaped"].max().clip(lower=0)
    capacity_basis = ctx.customers["basic_charge_basis"].to_numpy() == "capacity"
    revenue = per_month.groupby(level="cust").sum()
    revenue = revenue[capacity_basis[revenue.index.to_numpy()]]
    shown = hits.drop_duplicates("cust")  # each customer's earliest flagged order
    counts = hits.groupby("cust").size().reindex(shown["cust"]).to_numpy()
    spans_of = hits.groupby("cust").agg(start=("start", "min"), end=("end", "max"))
    spans_of = spans_of.reindex(shown["cust"])
    amounts = revenue.reindex(shown["cust"]).fillna(0.0).to_numpy()
    evidence = [
        _reduction_evidence(order, more, amount, params)
        for order, more, amount in zip(shown.itertuples(), counts - 1, amounts, strict=True)
    ]
    month_to = np.minimum(spans_of["end"].to_numpy() - 1, ctx.as_of)
    return raw(shown["cust"], spans_of["start"], month_to, evidence, amounts,
               np.minimum(1.0, shown["ratio"].fillna(1.0)))  # fmt: skip


def _reduction_evidence(order: object, more: int, amount: float, params: dict) -> str:
    """What reduction_without_drop saw for one order, naming only the tests that fired."""
    kind = "suspension" if order.order_type == "suspension" else "capacity reduction"
    reasons = []
    if order.energy_kept:
        baseline = "the same months a year before" if order.seasonal else "the months before"
        reasons.append(f"energy stayed at {order.ratio:.0%} of {baseline}")
    if order.over_demand:
        reasons.append(
            f"maximum demand reached {fmt_number(order.demand_after)} kW, above the "
            f"{fmt_number(order.remaining)} kVA left"
        )
    return (
        f"{kind} {fmt_number(order.old)}→{fmt_number(order.remaining)} kVA from "
        f"{period_text(order.start)}, yet "
        + " and ".join(reasons)
        + (f"; {more} more such {'order' if more == 1 else 'orders'}" if more else "")
        + f" ({fmt_money(amount)} basic charge escaped)"
    )


@rule(
    "suspension_overrun",
    area="capacity",
    title_en="Suspension beyond the allowed length",
    title_zh="暂停超期（超期未恢复基本电费）",
    checks=(
        "a suspension shorter than min_days, or lasting (until resumption or the audit date) more "
        "than max_months; impact: basic charge on the suspended capacity after the limit, each "
        "month counted once however many suspensions overlap"
    ),
    needs=("work_orders.effective_date",),
    params=("max_months", "min_days"),
    severity="high",
)
def suspension_overrun(ctx: RuleContext, params: dict) -> pd.DataFrame:
    spans = ctx.suspension_spans
    spans = spans[(spans["cust"] >= 0) & (spans["effective_month"] >= 0)]
    if spans.empty:
        return empty_raw()
    # A resumption dated after the audit month is not known to have happened by then.
    resumed = spans["end_month"].notna().to_numpy() & (spans["end_month"] <= ctx.as_of).to_numpy()
    end_month = np.where(resumed, spans["end_month"].fillna(0), ctx.as_of + 1).astype(np.int64)
    length = end_month - spans["effective_month"].to_numpy()
    days = (spans["end_date"] - spans["effective_date"]).dt.days.to_numpy(dtype=float)
    too_long = length > params["max_months"]
    too_short = days < params["min_days"]
    flagged = too_long | too_short
    if not flagged.any():
        return empty_raw()
    hits = spans[flagged].assign(
        end_month=end_month[flagged], length=length[flagged], too_long=too_long[flagged],
        resumed=resumed[flagged], days=days[flagged],
        limit=spans["effective_month"].to_numpy()[flagged] + params["max_months"],
    )  # fmt: skip
    late = hits[hits["too_long"]]
    revenue = _overrun_revenue(ctx, late)
    # Each customer's finding shows its longest overrun (or its first too-short suspension).
    shown = hits.sort_values(["cust", "too_long", "length", "effective_month"],
                             ascending=[True, False, False, True], kind="stable")  # fmt: skip
    shown = shown.drop_duplicates("cust").reset_index(drop=True)
    more = hits.groupby("cust").size().reindex(shown["cust"]).to_numpy() - 1
    window = late.groupby("cust").agg(month_from=("limit", "min"), month_to=("end_month", "max"))
    window = window.reindex(shown["cust"])
    overran = window["month_from"].notna().to_numpy()
    month_from = np.where(overran, window["month_from"], shown["effective_month"])
    month_to = np.where(overran, window["month_to"], shown["end_month"]) - 1
    amounts = revenue.reindex(shown["cust"]).fillna(0.0).to_numpy()
    evidence = [
        _suspension_evidence(span, extra, amount, ctx, params)
        for span, extra, amount in zip(shown.itertuples(), more, amounts, strict=True)
    ]
    month_to = np.maximum(np.minimum(month_to, ctx.as_of), month_from)
    score = np.minimum(1.0, shown["length"] / (2 * params["max_months"]))
    return raw(shown["cust"], month_from, month_to, evidence, amounts, score)


def _overrun_revenue(ctx: RuleContext, late: pd.DataFrame) -> pd.Series:
    """Per customer: basic charge not billed on the full capacity from each overrun's limit on."""
    if late.empty:
        return pd.Series(dtype=float)
    rows = np.flatnonzero(ctx.bills_of(late["cust"].to_numpy()))
    gap = np.clip(_capacity_in_force(ctx)[rows] - ctx.capacity_billed(rows), 0, None)
    probe = pd.DataFrame(
        {"cust": ctx.bill_customer[rows], "month": ctx.bill_month[rows],
         "gap": gap * ctx.kva_rate_due(rows)}
    )  # fmt: skip
    joined = probe.merge(late[["cust", "limit", "end_month"]], on="cust")
    joined = joined[(joined["month"] >= joined["limit"]) & (joined["month"] < joined["end_month"])]
    # Overlapping suspensions past their limits cover the same months: count each month once.
    joined = joined.drop_duplicates(["cust", "month"])
    capacity_basis = ctx.customers["basic_charge_basis"].to_numpy() == "capacity"
    joined = joined[capacity_basis[joined["cust"].to_numpy()]]
    return joined.groupby("cust")["gap"].sum()


def _suspension_evidence(
    span: object, more: int, amount: float, ctx: RuleContext, params: dict
) -> str:
    """One customer's suspension finding: the span shown, the limit broken, the money."""
    if span.too_long:
        ended = (
            f"resumed {period_text(span.end_month)}"
            if span.resumed
            else f"not resumed by {ctx.as_of_period}"
        )
        text = (
            f"suspension from {period_text(span.effective_month)} {ended}: "
            f"{count_text(span.length, 'month')}, over the {params['max_months']}-month limit; "
            f"the basic charge on the full capacity was due again from {period_text(span.limit)}"
        )
    else:
        text = (
            f"suspension {span.effective_date:%Y-%m-%d}..{span.end_date:%Y-%m-%d} lasted "
            f"{count_text(int(span.days), 'day')}, under the {params['min_days']}-day minimum"
        )
    if more:
        text += f"; {more} more {'suspension' if more == 1 else 'suspensions'} out of limits"
    return text + (f" ({fmt_money(amount)})" if amount > 0 else "")

"""Capacity and business expansion (业扩报装): basic charge, demand against capacity, suspensions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.rules.context import RuleContext
from auditkit.rules.evidence import Clause, clause
from auditkit.rules.findings import (
    empty_raw,
    optional_values,
    per_customer,
    per_customer_at,
    raw,
    raw_per_customer,
)
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
    needs=(
        "customers.contract_capacity_kva",
        "customers.basic_charge_basis",
        "bills.capacity_billed_kva|bill_lines",
    ),
    params=("kva_tolerance",),
    severity="high",
    revenue_kind="proved",
)
def capacity_underbilled(ctx: RuleContext, params: dict) -> pd.DataFrame:
    if ctx.itemized:
        rows, billed, in_force, revenue = _capacity_short_by_lines(ctx, params["kva_tolerance"])
    else:
        rows, billed, in_force, revenue = _capacity_short(ctx, params["kva_tolerance"])
    if not len(rows):
        return empty_raw()
    grouped = per_customer_at(
        ctx, rows, revenue=revenue, in_force_last=in_force, billed_last=billed
    )
    evidence = [
        [
            clause(
                "capacity_underbilled",
                bills=found.bills,
                months=(found.month_from, found.month_to),
                last=found.month_to,
                billed=found.billed_last,
                in_force=found.in_force_last,
            ),
            clause("revenue", amount=found.revenue),
        ]
        for found in grouped.itertuples()
    ]
    score = 0.5 + 0.5 * (1 - grouped["billed_last"] / grouped["in_force_last"])
    return raw_per_customer(grouped, evidence, score)


def _capacity_short(
    ctx: RuleContext, tolerance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Capacity-basis bills outside suspensions billed on less than the capacity in force
    (archive and capacity orders), month by month: rows, capacity billed, in force, revenue."""
    in_force = ctx.capacity_in_force
    rows = np.flatnonzero(
        ctx.customer_is("basic_charge_basis", "capacity") & ~np.isnan(in_force) & ~ctx.suspended
    )
    billed = ctx.capacity_billed(rows)
    gap = in_force[rows] - billed
    flagged = gap > tolerance
    rows = rows[flagged]
    return rows, billed[flagged], in_force[rows], gap[flagged] * ctx.kva_rate_due(rows)


def _capacity_short_by_lines(
    ctx: RuleContext, tolerance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`_capacity_short` from the recomputed basic lines: the capacity in force from the
    transformers or the archive and orders, day by day, prorated in months of connection,
    change or closure (kVA-months), against the quantity billed."""
    rc = ctx.recomputed
    lines = rc.of("basic")
    by_capacity = ctx.customer_is("basic_charge_basis", "capacity")[rc.row[lines]]
    lines = lines[by_capacity & rc.due[lines] & ~np.isnan(rc.amount_due[lines])]
    billed = np.nan_to_num(rc.quantity_billed[lines])
    gap = rc.quantity_due[lines] - billed
    flagged = (gap > tolerance) & ~used_beyond_reduction(ctx, rc.row[lines], billed, tolerance)
    lines, gap = lines[flagged], gap[flagged]
    order = np.argsort(rc.row[lines], kind="stable")
    lines, gap = lines[order], gap[order]
    billed = np.nan_to_num(rc.quantity_billed[lines])
    return rc.row[lines], billed, rc.quantity_due[lines], gap * rc.rate_due[lines]


def used_beyond_reduction(
    ctx: RuleContext, rows: np.ndarray, billed: np.ndarray, tolerance: float
) -> np.ndarray:
    """Per bill of `rows`: on or after a capacity reduction, with the contract capacity then in
    force billed (`billed`, kVA): transformers running beyond it are equipment used against the
    reduction, reduction_without_drop's finding, not a basic charge billed short."""
    reduced = _months_after(ctx, "capacity_reduction")[rows]
    return reduced & (billed >= _capacity_in_force(ctx)[rows] - tolerance)


def _effective_orders(ctx: RuleContext, *order_types: str) -> pd.DataFrame:
    """Orders of these types of known customers that have taken effect (an effective date set)."""
    orders = ctx.orders_of(*order_types)
    return orders[(orders["cust"] >= 0) & (orders["effective_month"] >= 0)]


def _months_after_reducing_order(ctx: RuleContext) -> np.ndarray:
    """Per bill: on or after a capacity reduction or suspension of the same customer."""
    return _months_after(ctx, *REDUCING_ORDERS)


def _months_after(ctx: RuleContext, *order_types: str) -> np.ndarray:
    """Per bill: on or after the month an order of these types took effect for its customer."""
    first = _effective_orders(ctx, *order_types).groupby("cust")["effective_month"].min()
    start = np.full(len(ctx.customers), np.iinfo(np.int64).max)
    start[first.index.to_numpy(dtype=np.int64)] = first.to_numpy()
    return ctx.bill_month >= start[ctx.bill_customer]


@rule(
    "demand_over_capacity",
    area="capacity",
    needs=("customers.contract_capacity_kva", "bills.max_demand_kw"),
    params=("demand_ratio", "min_months", "lookback_months"),
    severity="high",
    revenue_kind="estimated",
    penalty="capacity_increase",
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
        {
            "cust": ctx.bill_customer[counted],
            "month": ctx.bill_month[counted],
            "demand": demand[counted],
            "in_force": in_force[counted],
            "kva_rate": np.where(capacity_basis[counted], ctx.kva_rate_due(counted), 0.0),
        }
    )
    highest = window.groupby("cust")["demand"].cummax()
    window["escaped"] = (highest - window["in_force"]).clip(lower=0) * window["kva_rate"]
    totals = window.groupby("cust").agg(revenue=("escaped", "sum"), month_to=("month", "max"))
    totals = totals.reindex(grouped["cust"])
    revenue = totals["revenue"].fillna(0.0).to_numpy()
    customers = ctx.customers.iloc[grouped["cust"]]
    rated_current = customers["contract_capacity_kva"] / (np.sqrt(3) * customers["voltage_kv"])
    ct_primary = customers["ct_ratio"] * 5
    evidence = []
    for found, primary, current, escaped in zip(
        grouped.itertuples(), ct_primary, rated_current, revenue, strict=True
    ):
        clauses = [
            clause(
                "demand_over_capacity",
                capacity=found.in_force_last,
                over=found.bills,
                months=(found.month_from, found.month_to),
                peak=found.demand_max,
            )
        ]
        if primary > 2 * 1.25 * current:
            clauses.append(clause("ct_oversized", primary=primary, rated=current))
        if escaped > 0:
            clauses.append(clause("basic_charge_lower_bound", amount=escaped))
        evidence.append(clauses)
    score = np.minimum(1.0, grouped["demand_max"] / grouped["in_force_last"] - 0.5)
    # Every customer listed has bills counted: its months over capacity are among them.
    month_to = totals["month_to"].to_numpy()
    return raw(grouped["cust"], grouped["month_from"], month_to, evidence, revenue, score)


@rule(
    "reduction_without_drop",
    area="capacity",
    needs=("work_orders.effective_date", "bills.kwh_billed"),
    params=("kwh_ratio", "demand_ratio", "min_reduction", "before_months", "min_months_after"),
    severity="high",
    revenue_kind="estimated",
    penalty="sealed_equipment",
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
        kwh_year_before=("kwh_year_before", "mean"),
        kwh_just_before=("kwh_just_before", "mean"),
        months_year_before=("months_year_before", "sum"),
        kwh_after=("kwh_after", "mean"),
        demand_after=("demand_after", "max"),
        months_after=("months_after", "sum"),
    )
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
        _reduction_evidence(order, more, amount)
        for order, more, amount in zip(shown.itertuples(), counts - 1, amounts, strict=True)
    ]
    month_to = np.minimum(spans_of["end"].to_numpy() - 1, ctx.as_of)
    return raw(
        shown["cust"],
        spans_of["start"],
        month_to,
        evidence,
        amounts,
        np.minimum(1.0, shown["ratio"].fillna(1.0)),
    )


def _reduction_evidence(order: object, more: int, amount: float) -> list[Clause]:
    """What reduction_without_drop saw for one order, naming only the tests that fired."""
    kind = "suspension" if order.order_type == "suspension" else "capacity_reduction"
    reasons = []
    if order.energy_kept:
        baseline = "year_before" if order.seasonal else "months_before"
        reasons.append(clause(f"energy_kept.{baseline}", ratio=order.ratio))
    if order.over_demand:
        reasons.append(
            clause("demand_above_remaining", demand=order.demand_after, remaining=order.remaining)
        )
    found = clause(
        f"reduction_without_drop.{kind}",
        old=order.old,
        remaining=order.remaining,
        start=order.start,
        reasons=reasons,
    )
    tail = [clause("more_such_orders", more=more)] if more else []
    return [found, *tail, clause("basic_charge_escaped", amount=amount)]


@rule(
    "suspension_overrun",
    area="capacity",
    needs=("work_orders.effective_date",),
    params=("max_months", "min_days"),
    severity="high",
    revenue_kind="proved",
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
        end_month=end_month[flagged],
        length=length[flagged],
        too_long=too_long[flagged],
        resumed=resumed[flagged],
        days=days[flagged],
        limit=spans["effective_month"].to_numpy()[flagged] + params["max_months"],
    )
    late = hits[hits["too_long"]]
    revenue = _overrun_revenue(ctx, late)
    # Each customer's finding shows its longest overrun (or its first too-short suspension).
    shown = hits.sort_values(
        ["cust", "too_long", "length", "effective_month"],
        ascending=[True, False, False, True],
        kind="stable",
    )
    shown = shown.drop_duplicates("cust").reset_index(drop=True)
    more = hits.groupby("cust").size().reindex(shown["cust"]).to_numpy() - 1
    window = late.groupby("cust").agg(month_from=("limit", "min"), month_to=("end_month", "max"))
    window = window.reindex(shown["cust"])
    overran = window["month_from"].notna().to_numpy()
    month_from = np.where(overran, window["month_from"], shown["effective_month"])
    month_to = np.where(overran, window["month_to"], shown["end_month"]) - 1
    amounts = revenue.reindex(shown["cust"]).fillna(0.0).to_numpy()
    evidence = [
        _suspension_evidence(span, extra, amount, ctx.as_of, params)
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
        {
            "cust": ctx.bill_customer[rows],
            "month": ctx.bill_month[rows],
            "gap": gap * ctx.kva_rate_due(rows),
        }
    )
    joined = probe.merge(late[["cust", "limit", "end_month"]], on="cust")
    joined = joined[(joined["month"] >= joined["limit"]) & (joined["month"] < joined["end_month"])]
    # Overlapping suspensions past their limits cover the same months: count each month once.
    joined = joined.drop_duplicates(["cust", "month"])
    capacity_basis = ctx.customers["basic_charge_basis"].to_numpy() == "capacity"
    joined = joined[capacity_basis[joined["cust"].to_numpy()]]
    return joined.groupby("cust")["gap"].sum()


def _suspension_evidence(
    span: object, more: int, amount: float, as_of: int, params: dict
) -> list[Clause]:
    """One customer's suspension finding: the span shown, the limit broken, the money."""
    if span.too_long:
        ended = (
            clause("suspension.resumed", at=span.end_month)
            if span.resumed
            else clause("suspension.not_resumed", as_of=as_of)
        )
        found = clause(
            "suspension.too_long",
            start=span.effective_month,
            ended=ended,
            length=span.length,
            limit=params["max_months"],
            due_from=span.limit,
        )
    else:
        found = clause(
            "suspension.too_short",
            start=span.effective_date,
            end=span.end_date,
            days=span.days,
            minimum=params["min_days"],
        )
    evidence = [found]
    if more:
        evidence.append(clause("more_suspensions", more=more))
    if amount > 0:
        evidence.append(clause("revenue", amount=amount))
    return evidence

"""Change of use (变更用电): work-order lifecycle, orders not applied, changes with no order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.rules.context import CAPACITY_ORDERS, RuleContext
from auditkit.rules.findings import empty_raw, fmt_money, fmt_number, per_customer, raw
from auditkit.rules.periods import date_month_number, period_text
from auditkit.rules.registry import rule

STEPS = (  # (step column, previous step column, parameter with its time limit in days)
    ("transferred_at", "issued_at", "transfer_days"),
    ("registered_at", "transferred_at", "register_days"),
    ("archived_at", "registered_at", "archive_days"),
)


@rule(
    "order_stalled",
    area="change_of_use",
    title_en="Work order stalled in its lifecycle",
    title_zh="工单流转超时（传递、登记、归档不及时）",
    checks=(
        "a work order step (transfer, registration, archiving) done later than its time limit after "
        "the previous step, or not done although the limit has passed at the audit date"
    ),
    needs=("work_orders",),
    params=("transfer_days", "register_days", "archive_days"),
    severity="medium",
)
def order_stalled(ctx: RuleContext, params: dict) -> pd.DataFrame:
    orders = ctx.work_orders
    if orders is None or orders.empty:
        return empty_raw()
    orders = orders[orders["cust"] >= 0]
    as_of = ctx.as_of_date
    stalled_step = np.full(len(orders), "", dtype=object)
    days_over = np.zeros(len(orders))
    reached = np.ones(len(orders), dtype=bool)  # every earlier step was done in time
    for step, previous, limit_name in STEPS:
        limit = params[limit_name]
        done = orders[step].notna().to_numpy() & (orders[step] <= as_of).to_numpy()
        waited = np.where(
            done, (orders[step] - orders[previous]).dt.days, (as_of - orders[previous]).dt.days
        )
        late = reached & (np.nan_to_num(waited, nan=-1) > limit)
        stalled_step[late] = np.where(done[late], f"{step} late", f"{step} missing")
        days_over[late] = waited[late] - limit
        reached &= ~late & done
    flagged = stalled_step != ""
    if not flagged.any():
        return empty_raw()
    hits = orders[flagged].assign(step=stalled_step[flagged], over=days_over[flagged])
    hits = hits.sort_values(["cust", "over"], ascending=[True, False], kind="stable")
    counts = hits.groupby("cust").size()
    first = hits.groupby("cust", as_index=False).first()
    issued_month = date_month_number(first["issued_at"])
    evidence = [
        f"order {oid} ({kind}) issued {issued:%Y-%m-%d}: {step.replace('_at', '')} "
        f"{int(over)} days over the limit" + (f"; {n - 1} more stalled orders" if n > 1 else "")
        for oid, kind, issued, step, over, n in zip(
            first["order_id"], first["order_type"], first["issued_at"], first["step"],
            first["over"], counts.to_numpy(), strict=True,
        )
    ]  # fmt: skip
    month_from = np.maximum(issued_month, 0)
    return raw(first["cust"], month_from, np.full(len(first), ctx.as_of), evidence,
               np.zeros(len(first)), np.minimum(1.0, 0.3 + first["over"] / 60))  # fmt: skip


@rule(
    "order_not_applied",
    area="change_of_use",
    title_en="Work order not applied to billing",
    title_zh="变更工单未在计费中执行",
    checks=(
        "after an order's effective month (plus grace_months), bills still use the old tariff "
        "(tariff_change) or the old capacity (capacity_increase / capacity_reduction)"
    ),
    needs=("work_orders",),
    params=("grace_months",),
    severity="high",
)
def order_not_applied(ctx: RuleContext, params: dict) -> pd.DataFrame:
    orders = ctx.orders_of("tariff_change", *CAPACITY_ORDERS)
    orders = orders[orders["cust"] >= 0]
    if orders.empty:
        return empty_raw()
    table = pd.DataFrame({
        "cust": orders["cust"].to_numpy(), "start": orders["effective_month"].to_numpy() + params["grace_months"],
        "order_id": orders["order_id"].to_numpy(), "order_type": orders["order_type"].to_numpy(),
        "old": orders["old_value"].astype(str).to_numpy(), "new": orders["new_value"].astype(str).to_numpy(),
    })  # fmt: skip
    rows = np.flatnonzero(np.isin(ctx.bill_customer, table["cust"]))
    has_capacity = "capacity_billed_kva" in ctx.bills
    bills = pd.DataFrame({
        "row": rows, "cust": ctx.bill_customer[rows], "month": ctx.bill_month[rows],
        "tariff": ctx.bills["tariff_billed"].to_numpy()[rows].astype(str),
        "capacity": ctx.bills["capacity_billed_kva"].to_numpy(dtype=float)[rows] if has_capacity else np.nan,
    })  # fmt: skip
    joined = bills.merge(table, on="cust")
    joined = joined[joined["month"] >= joined["start"]]
    is_tariff = joined["order_type"] == "tariff_change"
    old_capacity = pd.to_numeric(joined["old"], errors="coerce")
    stale = np.where(is_tariff, joined["tariff"] == joined["old"],
                     np.isclose(joined["capacity"], old_capacity))  # fmt: skip
    hits = joined[stale].copy()
    if hits.empty:
        return empty_raw()
    rows = hits["row"].to_numpy()
    kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)[rows]
    paid_rate = ctx.bills["energy_rate"].to_numpy(dtype=float)[rows]
    due_rate = ctx.schedule_rate(hits["new"].to_numpy(), hits["month"].to_numpy(), "energy_rate")
    kva_rate = np.nan_to_num(
        ctx.schedule_rate(ctx.bill_tariff[rows], hits["month"].to_numpy(),
                          "basic_rate_kva_month")
    )  # fmt: skip
    new_capacity = pd.to_numeric(hits["new"], errors="coerce").to_numpy()
    capacity_gap = (new_capacity - hits["capacity"].to_numpy()) * kva_rate
    hits["revenue"] = np.where(hits["order_type"] == "tariff_change",
                               np.nan_to_num((due_rate - paid_rate) * kwh), np.nan_to_num(capacity_gap))  # fmt: skip
    hits["revenue"] = hits["revenue"].clip(lower=0)
    grouped = hits.groupby("cust", as_index=False).agg(
        month_from=("month", "min"), month_to=("month", "max"), bills=("month", "size"),
        revenue=("revenue", "sum"), order_id=("order_id", "first"), order_type=("order_type", "first"),
        old=("old", "first"), new=("new", "first"),
    )  # fmt: skip
    evidence = [
        f"order {oid} ({kind} {old}→{new}) took effect, yet {n} bills "
        f"{period_text(a)}..{period_text(b)} still use {old} ({fmt_money(rev)})"
        for oid, kind, old, new, n, a, b, rev in zip(
            grouped["order_id"], grouped["order_type"], grouped["old"], grouped["new"],
            grouped["bills"], grouped["month_from"], grouped["month_to"], grouped["revenue"], strict=True,
        )
    ]  # fmt: skip
    return raw(grouped["cust"], grouped["month_from"], grouped["month_to"], evidence,
               grouped["revenue"], np.minimum(1.0, 0.5 + grouped["bills"] / 12))  # fmt: skip


@rule(
    "change_without_order",
    area="change_of_use",
    title_en="Billing changed with no work order",
    title_zh="无工单变更计费参数（电价、容量、倍率）",
    checks=(
        "tariff_billed, capacity_billed_kva or multiplier_billed differs from the previous bill with "
        "no work order of the matching type taking effect within ±window_months"
    ),
    needs=("bills.tariff_billed", "bills.multiplier_billed"),
    params=("window_months",),
    severity="high",
)
def change_without_order(ctx: RuleContext, params: dict) -> pd.DataFrame:
    bills = ctx.bills
    window = params["window_months"]
    same = ctx.same_customer_as_previous
    tariff = ctx.bill_tariff
    tariff_changed = (
        same & (tariff != np.roll(tariff, 1)) & ~ctx.has_order_near(("tariff_change",), window)
    )
    capacity = (
        np.nan_to_num(bills["capacity_billed_kva"].to_numpy(dtype=float))
        if "capacity_billed_kva" in bills
        else np.zeros(len(bills))
    )
    capacity_orders = (*CAPACITY_ORDERS, "suspension", "resumption", "new_connection")
    capacity_changed = (
        same
        & ~np.isclose(capacity, np.roll(capacity, 1))
        & ~ctx.has_order_near(capacity_orders, window)
    )
    multiplier = bills["multiplier_billed"].to_numpy(dtype=float)
    multiplier_changed = (
        same
        & ~np.isclose(multiplier, np.roll(multiplier, 1))
        & ~ctx.has_order_near(("meter_replacement",), window)
    )
    change = tariff_changed | capacity_changed | multiplier_changed
    if not change.any():
        return empty_raw()
    # Impact: from the unexplained change on, what the previous terms would have charged.
    change_month = np.where(change, ctx.bill_month, np.iinfo(np.int64).max)
    first_change = pd.Series(change_month).groupby(ctx.bill_customer).transform("min").to_numpy()
    affected = ctx.bill_month >= first_change
    before_rows = (
        pd.Series(np.arange(len(bills))).where(change).groupby(ctx.bill_customer).transform("min")
    )
    anchor = before_rows.to_numpy()
    prior = np.where(np.isnan(anchor), 0, anchor - 1).astype(np.int64)
    kwh = bills["kwh_billed"].to_numpy(dtype=float)
    rate = bills["energy_rate"].to_numpy(dtype=float)
    prior_tariff = tariff[prior]
    prior_rate = ctx.schedule_rate(prior_tariff, ctx.bill_month, "energy_rate")
    names = np.append(ctx.tariff_index.to_numpy(dtype=object), "?")  # code -1 → "?"
    tariff_gap = np.where(tariff != prior_tariff, np.nan_to_num((prior_rate - rate) * kwh), 0.0)
    multiplier_gap = np.where(
        multiplier < multiplier[prior], (multiplier[prior] / multiplier - 1) * kwh * rate, 0.0
    )
    capacity_gap = np.clip(capacity[prior] - capacity, 0, None) * np.nan_to_num(
        ctx.schedule_rate(tariff, ctx.bill_month, "basic_rate_kva_month")
    )
    revenue = np.where(affected, np.clip(tariff_gap, 0, None) + multiplier_gap + capacity_gap, 0.0)
    grouped = per_customer(ctx, affected & ~np.isnan(anchor), revenue=revenue)
    flags = per_customer(ctx, change, tariff=tariff_changed, capacity=capacity_changed,
                         multiplier=multiplier_changed)  # fmt: skip
    grouped = grouped.merge(flags[["cust", "tariff", "capacity", "multiplier", "month_from"]],
                            on="cust", suffixes=("", "_change"))  # fmt: skip
    first_rows = anchor[np.searchsorted(ctx.bill_customer, grouped["cust"])].astype(np.int64)
    evidence = []
    for row, first_row in zip(grouped.itertuples(), first_rows, strict=True):
        what = []
        if row.tariff:
            what.append(f"tariff {names[tariff[first_row - 1]]}→{names[tariff[first_row]]}")
        if row.capacity:
            what.append(
                f"capacity {fmt_number(capacity[first_row - 1])}→{fmt_number(capacity[first_row])} kVA"
            )
        if row.multiplier:
            what.append(
                f"multiplier {fmt_number(multiplier[first_row - 1], 2)}→{fmt_number(multiplier[first_row], 2)}"
            )
        evidence.append(
            f"billing changed in {period_text(row.month_from_change)} ({', '.join(what)}) with no "
            f"work order within ±{window} months ({fmt_money(row.revenue)} since)"
        )
    return raw(grouped["cust"], grouped["month_from_change"], grouped["month_to"], evidence,
               grouped["revenue"], np.full(len(grouped), 0.9))  # fmt: skip

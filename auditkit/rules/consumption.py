"""Consumption-based rule: the sustained drop that signals theft or a failing meter."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.rules.context import RuleContext
from auditkit.rules.findings import empty_raw, fmt_money, raw
from auditkit.rules.periods import month_number
from auditkit.rules.registry import rule
from auditkit.stats import theft_scores

# Orders that legitimately lower consumption: a drop near one of them is explained.
EXPLAINING_ORDERS = (
    "capacity_reduction",
    "suspension",
    "closure",
    "tariff_change",
    "capacity_increase",
    "new_connection",
    "meter_replacement",
)


@rule(
    "consumption_drop",
    area="routine",
    title_en="Sustained drop in consumption (theft signal)",
    title_zh="用电量持续突降（疑似窃电或计量故障）",
    checks=(
        "a step down in a customer's monthly energy, adjusted for season and trend, against its own "
        "history and its peers (usage type and district), lasting at least min_months_after months; "
        "drops near a reduction, suspension, closure or tariff change, and runs of zero kWh "
        "(zero_consumption), are left out"
    ),
    needs=("bills.kwh_billed",),
    params=(
        "min_score",
        "lookback_months",
        "min_history_months",
        "min_months_after",
        "order_window_months",
    ),
    severity="high",
)
def consumption_drop(ctx: RuleContext, params: dict) -> pd.DataFrame:
    recent = ctx.bill_month > ctx.as_of - params["lookback_months"]
    measured = recent & _measured_months(ctx)
    bills = ctx.bills.loc[measured]
    customers = ctx.customers
    reads = pd.DataFrame(
        {"customer_id": bills["customer_id"].to_numpy(), "period": bills["period"].to_numpy(),
         "kwh": bills["kwh_billed"].to_numpy(dtype=float)}
    )  # fmt: skip
    peers = pd.Series(
        (customers["usage_type"].astype(str) + "|" + customers["district"].astype(str)).to_numpy(),
        index=customers["customer_id"].to_numpy(),
    )
    scores = theft_scores(reads, as_of=ctx.as_of_period, peers=peers)
    scored = scores[
        (scores["status"] == "scored")
        & (scores["score"] >= params["min_score"])
        & (scores["n_readings"] >= params["min_history_months"])
        & (scores["steps_since_change"] >= params["min_months_after"])
    ].copy()
    if scored.empty:
        return empty_raw()
    scored["cust"] = pd.Index(customers["customer_id"]).get_indexer(scored["customer_id"])
    scored["change_month"] = month_number(scored["change_at"].astype(str))
    # Months since the change all at zero: that is zero_consumption's finding, not a drop.
    after = pd.DataFrame({"cust": ctx.bill_customer[measured], "month": ctx.bill_month[measured],
                          "kwh": reads["kwh"].to_numpy(), "rate": bills["energy_rate"].to_numpy(dtype=float)})  # fmt: skip
    after = after.merge(scored[["cust", "change_month", "drop_ratio"]], on="cust")
    after = after[after["month"] >= after["change_month"]]
    after["lost"] = after["kwh"] * (1 / after["drop_ratio"].clip(lower=0.05) - 1) * after["rate"]
    summary = after.groupby("cust").agg(kwh_after=("kwh", "sum"), revenue=("lost", "sum"))
    scored = scored.join(summary, on="cust")
    explained = _explained_by_order(ctx, scored, params["order_window_months"])
    keep = (scored["kwh_after"] > 0).to_numpy() & ~explained
    scored = scored[keep]
    if scored.empty:
        return empty_raw()
    evidence = [
        f"consumption fell to {ratio:.0%} of its seasonal level from {change} and stayed down for "
        f"{int(steps)} months (suspicion score {score:.1f}; {peer:.1f} robust SD beyond peers of the "
        f"same usage type and district); {fmt_money(revenue)} estimated unbilled"
        for ratio, change, steps, score, peer, revenue in zip(
            scored["drop_ratio"], scored["change_at"], scored["steps_since_change"], scored["score"],
            scored["peer_z"], scored["revenue"], strict=True,
        )
    ]  # fmt: skip
    # Map the unbounded suspicion score onto (0, 1) for ranking alongside other rules.
    score01 = 1 - np.exp(-scored["score"].to_numpy(dtype=float) / (2 * params["min_score"]))
    return raw(scored["cust"], scored["change_month"], np.full(len(scored), ctx.as_of), evidence,
               scored["revenue"], score01)  # fmt: skip


def _measured_months(ctx: RuleContext) -> np.ndarray:
    """Bills whose kWh measures that month's use: not estimated, not the catch-up read after
    estimates (it spans several months), and not zero (zero runs are zero_consumption's; one or two
    empty months are a holiday home, not a fall)."""
    estimated = (ctx.bills["read_type"] == "estimated").to_numpy(dtype=bool)
    catch_up = np.zeros_like(estimated)
    catch_up[1:] = estimated[:-1] & ~estimated[1:] & ctx.same_customer_as_previous[1:]
    positive = ctx.bills["kwh_billed"].to_numpy(dtype=float) > 0
    return ~estimated & ~catch_up & positive


def _explained_by_order(ctx: RuleContext, scored: pd.DataFrame, window: int) -> np.ndarray:
    """A drop is explained when an order that lowers load took effect from `window` months before it."""
    orders = ctx.orders_of(*EXPLAINING_ORDERS)
    if orders.empty:
        return np.zeros(len(scored), dtype=bool)
    joined = (
        scored[["cust", "change_month"]]
        .reset_index()
        .merge(orders[["cust", "effective_month"]], on="cust")
    )
    near = joined["effective_month"] >= joined["change_month"] - window
    explained = set(joined.loc[near, "index"])
    return scored.index.isin(list(explained))

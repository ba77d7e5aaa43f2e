"""The bills still on the old terms of a change order that took effect (order_not_applied's).

order_not_applied prices them; the rules that would price the same bill's tariff or capacity
read here which bills it prices, so a yuan counts once (`bills_of_tariff_orders_not_applied`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.billing.basic import CONTRACT_ORDERS
from auditkit.rules.context import RuleContext
from auditkit.rules.findings import optional_values, rows_of
from auditkit.rules.shared import once_per_context
from auditkit.rules.tariff_due import bills_on_wrong_tariff, frozen_thresholds
from auditkit.rules.worklist import bills_priced_by


def stale_bills(ctx: RuleContext, grace_months: int) -> pd.DataFrame:
    """The bills order_not_applied prices, one row per bill and kind of order in force (the
    latest of its kind by the bill's month): still on the order's old capacity, or on the old
    tariff of it or of an earlier tariff order in force (not its new one), of an order with
    such a bill `grace_months` or more after its effective month (late). Columns: row, cust,
    month, tariff, capacity, effective, kind ('tariff' or 'capacity'), order_id, order_type,
    old, new, old_capacity, on_an_old. Empty without such orders; a new frame per call."""
    orders = ctx.orders_of("tariff_change", *CONTRACT_ORDERS)
    orders = orders[(orders["cust"] >= 0) & (orders["effective_month"] >= 0)]
    if orders.empty:
        return pd.DataFrame()
    is_tariff_order = (orders["order_type"] == "tariff_change").to_numpy()
    table = pd.DataFrame(
        {
            "cust": orders["cust"].to_numpy(),
            "effective": orders["effective_month"].to_numpy(),
            "kind": np.where(is_tariff_order, "tariff", "capacity"),
            "order_id": orders["order_id"].to_numpy(),
            "order_type": orders["order_type"].to_numpy(),
            "old": orders["old_value"].to_numpy(dtype=object),
            "new": orders["new_value"].to_numpy(dtype=object),
            # A capacity order's old value as a number, read once per order (not per joined bill)
            "old_capacity": pd.to_numeric(orders["old_value"], errors="coerce").to_numpy(float),
        }
    )
    rows = rows_of(ctx, table["cust"].to_numpy())
    bills = pd.DataFrame(
        {
            "row": rows,
            "cust": ctx.bill_customer[rows],
            "month": ctx.bill_month[rows],
            "tariff": ctx.bills["tariff_billed"].iloc[rows].to_numpy(dtype=object),
            "capacity": optional_values(ctx.bills, "capacity_billed_kva")[rows],
        }
    )
    joined = bills.merge(table, on="cust")
    joined = joined[joined["month"] >= joined["effective"]]
    # A bill on the old tariff of any tariff order in force by then is on a tariff the orders
    # moved away from (two orders in a row not applied: still on the first one's old tariff).
    tariff = joined["tariff"].to_numpy(dtype=object)
    on_an_old = (joined["kind"] == "tariff").to_numpy() & (tariff == joined["old"].to_numpy())
    joined["on_an_old"] = (
        pd.Series(on_an_old, index=joined.index).groupby(joined["row"]).transform("any")
    )
    # The order in force for a bill is the latest of its kind that took effect by then.
    joined = joined.sort_values(["row", "kind", "effective", "order_id"], kind="stable")
    joined = joined.drop_duplicates(["row", "kind"], keep="last")
    is_tariff = (joined["kind"] == "tariff").to_numpy()
    tariff = joined["tariff"].to_numpy(dtype=object)
    old_capacity = joined["old_capacity"].to_numpy(dtype=float)
    stale = np.where(
        is_tariff,
        joined["on_an_old"].to_numpy(dtype=bool) & (tariff != joined["new"].to_numpy()),
        np.isclose(joined["capacity"].to_numpy(), old_capacity),
    )
    stale_bills = joined[stale]
    # The grace only decides whether an order is late: an order with a stale bill after it
    # is not applied, and every stale bill from its effective month on was under-billed.
    late = stale_bills["month"] >= stale_bills["effective"] + grace_months
    late = late.groupby([stale_bills["cust"], stale_bills["order_id"]]).transform("any")
    return stale_bills[late.to_numpy(dtype=bool)].copy()


def bills_of_tariff_orders_not_applied(ctx: RuleContext, params: dict) -> np.ndarray:
    """Per bill, whether order_not_applied prices its tariff as an order's not applied (its
    `grace_months` in `params["order_not_applied"]`; a bill tariff_mismatch prices, with
    `params["tariff_mismatch"]`, is that rule's; so is none the order's new tariff cannot
    price): a rule pricing the same bill's tariff or capacity leaves it, so a yuan counts once.
    All False where no such order is late or order_not_applied cannot run on the data. Found
    once per run."""
    grace = params["order_not_applied"]["grace_months"]
    frozen = frozen_thresholds(params["tariff_mismatch"])
    return bills_priced_by(
        ctx, "order_not_applied", lambda: _tariff_orders_not_applied(ctx, grace, frozen)
    )


@once_per_context
def _tariff_orders_not_applied(ctx: RuleContext, grace: int, frozen: tuple) -> np.ndarray:
    """The rows of `bills_of_tariff_orders_not_applied` on tariff_mismatch's thresholds
    frozen, ascending."""
    hits = stale_bills(ctx, grace)
    if hits.empty:
        return np.empty(0, dtype=np.int64)
    hits = hits[(hits["kind"] == "tariff").to_numpy()]  # one per bill: its order in force
    rows = hits["row"].to_numpy()
    # A bill the order's tariff cannot price (no energy rate in force that month) proves no
    # difference: its capacity short stays capacity_underbilled's.
    new = ctx.tariff_code(hits["new"].to_numpy(dtype=object))
    priced = np.isfinite(ctx.schedule_rate(new, ctx.bill_month[rows], "energy_rate", rows))
    rows = rows[priced]
    return rows[~bills_on_wrong_tariff(ctx, dict(frozen))[rows]]

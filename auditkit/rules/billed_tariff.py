"""计费电价与档案不符: bills priced on another tariff than the one the archive puts on them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.billing.money import round_half_up
from auditkit.rules.change_of_use import silent_tariff_changes, tariff_difference
from auditkit.rules.context import RuleContext, customer_keys
from auditkit.rules.evidence import clause, left_to
from auditkit.rules.findings import empty_raw, per_customer_at, raw_per_customer
from auditkit.rules.registry import rule
from auditkit.rules.tariff_due import bills_on_wrong_tariff, tariff_in_force


@rule(
    "billed_tariff_mismatch",
    area="routine",
    needs=("bills.tariff_billed", "customers.tariff_category"),
    severity="high",
    revenue_kind="proved",
    reads=("tariff_mismatch", "capacity_underbilled", "change_without_order"),
)
def billed_tariff_mismatch(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """Bills priced on a tariff the schedule lists that is not the one the archive and its
    tariff_change orders put on them (`tariff_in_force`): billing set up wrong, from the first
    bill of the data or before it, with no order and no change to explain it.

    Revenue: per customer, what the schedule charges on the tariff in force less on the tariff
    billed, netted over its bills (`change_of_use.tariff_difference`: on itemized data every
    line recomputed on the quantities billed, else the flat rates and the basic charge); a net
    over-billing is listed as a refund, not counted. Bills another rule prices on its own
    evidence are left to it, whichever rules run, so a yuan counts once: a bill of a customer
    tariff_mismatch flags (the archive's tariff is not the one due either), a bill in the run of
    a silent change of the tariff billed (change_without_order's, `window_months`), and a bill
    on a tariff one of the customer's tariff_change orders names (old or new: when it applied
    is order_not_applied's and change_without_order's question)."""
    in_force, billed = tariff_in_force(ctx), ctx.bill_tariff
    off = (in_force >= 0) & (billed >= 0) & (billed != in_force)
    if not off.any():
        return empty_raw()
    left_tariff = off & bills_on_wrong_tariff(ctx, params["tariff_mismatch"])
    runs, silent = silent_tariff_changes(ctx, params["change_without_order"]["window_months"])
    left_change = off & ~left_tariff & runs.within(silent)
    rows = np.flatnonzero(off & ~left_tariff & ~left_change)
    named = _named_by_an_order(ctx, rows)
    left_order = np.zeros(len(off), dtype=bool)
    left_order[rows[named]] = True
    rows = rows[~named]
    if not len(rows):
        return empty_raw()
    gap, pf = tariff_difference(ctx, rows, in_force[rows], params)
    names = ctx.tariff_index.to_numpy(dtype=object)
    grouped = per_customer_at(
        ctx,
        rows,
        revenue=gap,
        pf=pf,
        billed_first=names[billed[rows]],
        archive_first=names[in_force[rows]],
        archive_last=names[in_force[rows]],
    )
    cust = grouped["cust"].to_numpy()
    left = {
        name: np.bincount(ctx.bill_customer[mask], minlength=len(ctx.customers))[cust]
        for name, mask in (
            ("tariff_mismatch", left_tariff),
            ("change_without_order", left_change),
            ("tariff_order", left_order),
        )
    }
    net = round_half_up(grouped["revenue"].to_numpy(dtype=float))
    moved = round_half_up(grouped["pf"].to_numpy(dtype=float))
    evidence = []
    for position, found in enumerate(grouped.itertuples()):
        clauses = [
            clause(
                "billed_tariff_mismatch",
                bills=found.bills,
                months=(found.month_from, found.month_to),
                billed=found.billed_first,
                archive=found.archive_first,
            )
        ]
        if found.archive_last != found.archive_first:  # a tariff_change order took effect
            clauses.append(clause("billed_tariff_mismatch.then", archive=found.archive_last))
        if net[position] < 0:
            clauses.append(clause("lines.over", amount=-net[position]))
        else:
            clauses.append(clause("lines.under", amount=net[position]))
            if moved[position]:
                clauses.append(clause("tariff.pf", amount=moved[position]))
        elsewhere = left_to(**{name: int(counts[position]) for name, counts in left.items()})
        evidence.append([*clauses, *([elsewhere] if elsewhere else [])])
    grouped["revenue"] = np.maximum(net, 0.0)
    return raw_per_customer(grouped, evidence, np.full(len(grouped), 0.9))


def _named_by_an_order(ctx: RuleContext, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`: its tariff billed is the old or the new tariff of a tariff_change
    order of its customer (any stage, any date)."""
    orders = ctx.orders_of("tariff_change")
    cust = orders["cust"].to_numpy(dtype=np.int64)
    keys = [
        customer_keys(cust, code)[(cust >= 0) & (code >= 0)]
        for code in (ctx.tariff_code(orders[side].to_numpy(dtype=object)) for side in SIDES)
    ]
    bill_keys = customer_keys(ctx.bill_customer[rows], ctx.bill_tariff[rows])
    return np.isin(bill_keys, np.concatenate(keys))


#: The columns of a tariff_change order that name a tariff.
SIDES = ("old_value", "new_value")

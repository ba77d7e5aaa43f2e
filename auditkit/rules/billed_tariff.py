"""计费电价与档案不符: bills priced on another tariff than the one the archive puts on them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.billing.money import round_half_up
from auditkit.rules.billing_runs import silent_tariff_changes
from auditkit.rules.capacity import bills_short_of_capacity
from auditkit.rules.change_of_use import bills_of_tariff_orders_not_applied, tariff_difference
from auditkit.rules.context import RuleContext
from auditkit.rules.evidence import Clause, clause, left_to
from auditkit.rules.findings import empty_raw, per_customer_at, raw_per_customer
from auditkit.rules.off_archive import off_archive
from auditkit.rules.registry import rule
from auditkit.rules.tariff_due import bills_without_basic_charge_due, tariff_in_force


@rule(
    "billed_tariff_mismatch",
    area="routine",
    needs=("bills.tariff_billed", "customers.tariff_category"),
    severity="high",
    revenue_kind="proved",
    reads=("tariff_mismatch", "capacity_underbilled", "change_without_order", "order_not_applied"),
)
def billed_tariff_mismatch(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """Bills priced on a tariff the schedule lists that is not the one the archive and its
    tariff_change orders put on them (`tariff_in_force`): billing set up wrong, from the first
    bill of the data or before it, with no order to explain it.

    Revenue: per customer, what the schedule charges on the tariff in force less what the bill
    charged (`change_of_use.tariff_difference`: on itemized data every line recomputed on the
    quantities billed, else the flat rates and the basic charge; a capacity billed short
    included, which capacity_underbilled leaves to it), netted over its bills; a net
    over-billing is listed as a refund, not counted. Whichever rules run, each yuan counts once
    (`off_archive.OffArchive`): a customer tariff_mismatch flags is its (the archive is wrong);
    a bill on a tariff one of the customer's tariff_change orders names is left to the order
    rules; in the run of a change of the tariff billed with no order, change_without_order
    counts what the tariff before it charges more, and this rule the rest: per run, the
    difference to the tariff in force less what change_without_order counts."""
    found = off_archive(ctx, params)
    rows = found.priced
    if not len(rows):
        return empty_raw()
    in_force = tariff_in_force(ctx)[rows]
    # A capacity billed short: the tariff's recomputation nets the charge the bill charged.
    short = bills_short_of_capacity(ctx, params["capacity_underbilled"])[rows]
    short &= ~bills_without_basic_charge_due(ctx, params["tariff_mismatch"])[rows]
    gap, pf = tariff_difference(ctx, rows, in_force, params, charged=short)
    counted, counted_pf = _counted_by_change_without_order(ctx, rows, found.in_silent_runs, params)
    gap, pf = gap - counted, pf - counted_pf
    names = ctx.tariff_index.to_numpy(dtype=object)
    grouped = per_customer_at(
        ctx,
        rows,
        revenue=gap,
        pf=pf,
        alone=np.isin(rows, found.alone),
        billed_first=names[ctx.bill_tariff[rows]],
        billed_last=names[ctx.bill_tariff[rows]],
        archive_first=names[in_force],
        archive_last=names[in_force],
    )
    net = round_half_up(grouped["revenue"].to_numpy(dtype=float))
    # A customer whose bills all ran after a silent change change_without_order prices in full
    # (from the tariff in force) holds nothing more here.
    listed = (grouped["alone"].to_numpy() > 0) | (net != 0)
    grouped, net = grouped[listed].reset_index(drop=True), net[listed]
    cust = grouped["cust"].to_numpy()
    silent_bills = np.bincount(
        ctx.bill_customer[found.in_silent_runs], minlength=len(ctx.customers)
    )
    named_bills = np.bincount(ctx.bill_customer[found.named], minlength=len(ctx.customers))
    moved = round_half_up(grouped["pf"].to_numpy(dtype=float))
    evidence = [
        _evidence(found_row, net[at], moved[at], silent_bills[cust[at]], named_bills[cust[at]])
        for at, found_row in enumerate(grouped.itertuples())
    ]
    grouped["revenue"] = np.maximum(net, 0.0)
    return raw_per_customer(grouped, evidence, np.full(len(grouped), 0.9))


def _counted_by_change_without_order(
    ctx: RuleContext, rows: np.ndarray, in_runs: np.ndarray, params: dict
) -> tuple[np.ndarray, np.ndarray]:
    """Per bill of `rows`, what change_without_order counts on it: in the run of a silent
    change, on the bills of `in_runs`, the tariff before the change less the tariff billed
    (`tariff_difference`, as it prices), where the run nets to more than nothing over all its
    bills (it counts no refund); and of it the power-factor adjustment. 0 on the other bills."""
    counted, counted_pf = np.zeros(len(rows)), np.zeros(len(rows))
    if not len(in_runs):
        return counted, counted_pf
    runs, _ = silent_tariff_changes(ctx, params["change_without_order"]["window_months"])
    starts = np.unique(runs.start_of(in_runs))
    ends = np.append(runs.starts, len(ctx.bills))[np.searchsorted(runs.starts, starts) + 1]
    run_rows = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
    run_of = np.repeat(np.arange(len(starts)), ends - starts)
    before = ctx.bill_tariff[starts - 1][run_of]
    gap, pf = tariff_difference(ctx, run_rows, before, params)
    # It prices the run's bills but those order_not_applied prices, as change_without_order does.
    theirs = bills_of_tariff_orders_not_applied(ctx, params)[run_rows]
    lost = np.bincount(run_of, np.where(theirs, 0.0, gap)) > 0
    # The run's bills among `rows` (all of them are `in_runs`'s: the others are in no run).
    at = np.searchsorted(run_rows, rows)
    mine = (at < len(run_rows)) & (run_rows[np.minimum(at, len(run_rows) - 1)] == rows)
    counted[mine] = np.where(lost[run_of[at[mine]]], gap[at[mine]], 0.0)
    counted_pf[mine] = np.where(lost[run_of[at[mine]]], pf[at[mine]], 0.0)
    return counted, counted_pf


def _evidence(found: object, net: float, moved: float, silent: int, named: int) -> list[Clause]:
    """A customer's clauses: its bills off the archive, the money, and the bills counted
    elsewhere."""
    changed = found.billed_last != found.billed_first  # billing changed tariff with no order
    clauses = [
        clause(
            "billed_tariff_mismatch",
            bills=found.bills,
            months=(found.month_from, found.month_to),
            billed=found.billed_first,
            then=clause("billed_tariff_mismatch.billed_then", billed=found.billed_last)
            if changed
            else None,
            archive=found.archive_first,
        )
    ]
    if found.archive_last != found.archive_first:  # a tariff_change order took effect
        clauses.append(clause("billed_tariff_mismatch.then", archive=found.archive_last))
    if net < 0:
        clauses.append(clause("lines.over", amount=-net))
    else:
        clauses.append(clause("lines.under", amount=net))
        if moved:
            clauses.append(clause("tariff.pf", amount=moved))
    elsewhere = left_to(change_without_order=silent, tariff_order=named)
    return [*clauses, *([elsewhere] if elsewhere else [])]

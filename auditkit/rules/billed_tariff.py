"""计费电价与档案不符: bills priced on another tariff than the one the archive puts on them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.billing.money import round_half_up
from auditkit.rules.capacity import capacity_short_where_due
from auditkit.rules.change_of_use import silent_tariff_counts, tariff_difference
from auditkit.rules.context import RuleContext
from auditkit.rules.evidence import Clause, clause, left_to
from auditkit.rules.findings import empty_raw, per_customer_at, raw_per_customer
from auditkit.rules.off_archive import off_archive
from auditkit.rules.registry import rule
from auditkit.rules.tariff_due import tariff_in_force


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
    short = capacity_short_where_due(ctx, rows, params)
    gap, pf = tariff_difference(ctx, rows, in_force, params, charged=short)
    counted, counted_pf = _counted_by_change_without_order(ctx, rows, params)
    gap, pf = gap - counted, pf - counted_pf
    names = ctx.tariff_index.to_numpy(dtype=object)
    grouped = per_customer_at(
        ctx,
        rows,
        revenue=gap,
        pf=pf,
        alone=np.isin(rows, found.alone),
        billed_first=names[ctx.bill_tariff[rows]],
        archive_first=names[in_force],
    )
    cust = grouped["cust"].to_numpy()
    grouped["billed_then"] = _later_tariffs(ctx, rows, ctx.bill_tariff[rows]).reindex(cust).array
    grouped["archive_then"] = _later_tariffs(ctx, rows, in_force).reindex(cust).array
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
    ctx: RuleContext, rows: np.ndarray, params: dict
) -> tuple[np.ndarray, np.ndarray]:
    """Per bill of `rows`, what change_without_order counts on its tariff
    (`change_of_use.silent_tariff_counts`: the tariff before a silent change less the tariff
    billed, in a run that netted to more than nothing), and of it the power-factor adjustment;
    0 on a bill it does not price."""
    window = params["change_without_order"]["window_months"]
    counts = silent_tariff_counts(ctx, window, params)
    if not len(counts.rows):
        return np.zeros(len(rows)), np.zeros(len(rows))
    at = np.minimum(np.searchsorted(counts.rows, rows), len(counts.rows) - 1)
    theirs = counts.rows[at] == rows
    return np.where(theirs, counts.gap[at], 0.0), np.where(theirs, counts.pf[at], 0.0)


def _later_tariffs(ctx: RuleContext, rows: np.ndarray, tariffs: np.ndarray) -> pd.Series:
    """Per customer of the bills `rows` (ascending), the tariffs (codes `tariffs`, per bill) its
    bills moved to after their first, in order ("AGR→RES"), by customer position; a customer
    whose bills stay on one tariff is not in it."""
    cust = ctx.bill_customer[rows]
    moved = np.flatnonzero((cust[1:] == cust[:-1]) & (tariffs[1:] != tariffs[:-1])) + 1
    names = pd.Series(ctx.tariff_index.to_numpy(dtype=object)[tariffs[moved]])
    return names.groupby(cust[moved], sort=False).agg("→".join)


def _evidence(found: object, net: float, moved: float, silent: int, named: int) -> list[Clause]:
    """A customer's clauses: its bills off the archive (every tariff billed and in force, in
    order), the money, and the bills counted elsewhere."""
    billed_then = found.billed_then  # billing changed tariff with no order
    clauses = [
        clause(
            "billed_tariff_mismatch",
            bills=found.bills,
            months=(found.month_from, found.month_to),
            billed=found.billed_first,
            then=clause("billed_tariff_mismatch.billed_then", billed=billed_then)
            if isinstance(billed_then, str)
            else None,
            archive=found.archive_first,
        )
    ]
    if isinstance(found.archive_then, str):  # a tariff_change order took effect
        clauses.append(clause("billed_tariff_mismatch.then", archive=found.archive_then))
    if net < 0:
        clauses.append(clause("lines.over", amount=-net))
    else:
        clauses.append(clause("lines.under", amount=net))
        if moved:
            clauses.append(clause("tariff.pf", amount=moved))
    elsewhere = left_to(change_without_order=silent, tariff_order=named)
    return [*clauses, *([elsewhere] if elsewhere else [])]

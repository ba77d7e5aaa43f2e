"""Which recomputed energy lines' rate difference `rate_mismatch` counts.

A bill read through a wrong multiplier or short of its registers changes every line; the rule
that prices it (`multiplier_mismatch`, `register_mismatch`) counts the bill's recomputed
difference less the part a wrong rate makes, where `rate_mismatch` counts that part. Both read
the same test here, so a yuan is counted once: subtracting a rate part nobody counts (a bill
split by read days at a price change, whose rates are averages of two lines a fen's rounding
apart) loses it, and not subtracting one that is counted counts it twice.

A bill billed on another tariff than the one due is priced on the tariff billed by the tariff
rules (billed_tariff_mismatch, order_not_applied, tariff_mismatch, change_without_order), which
count what the tariff due charges more: its lines are judged here against the tariff billed's
own rates (`rates_judged_against`), so that difference is not counted again.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from auditkit.billing.energy import priced_by_days, rate_change
from auditkit.billing.tariff_lookup import day_numbers
from auditkit.rules.billing_lines import energy_view, rate_off
from auditkit.rules.context import RuleContext
from auditkit.rules.registry import RULES
from auditkit.rules.shared import once_per_context
from auditkit.rules.worklist import missing_needs


def lines_rate_mismatch_counts(ctx: RuleContext, params: Mapping) -> np.ndarray:
    """The recomputed energy lines (positions in `ctx.recomputed`, sorted) whose rate difference
    `rate_mismatch` (with its thresholds `params`) counts: billed, of kWh billed > 0, off the
    rate it is judged against (`rates_judged_against`) by more than `rate_tolerance`, not billed
    at the old schedule's period rate (tou_misapplied's), on a bill judged by its lines (on the
    tariff due, or by periods or tiers) whose period or tier kWh are not off those due
    (tou_misapplied's / tier_misapplied's). Read by rate_mismatch, multiplier_mismatch and
    register_mismatch: found once per run and thresholds, shared, never written into."""
    return _lines_counted(
        ctx, params["kwh_tolerance"], params["relative_tolerance"], params["rate_tolerance"]
    )


@once_per_context
def _lines_counted(
    ctx: RuleContext, kwh_tolerance: float, relative_tolerance: float, tolerance: float
) -> np.ndarray:
    """`lines_rate_mismatch_counts` on its thresholds frozen."""
    rc = ctx.recomputed
    thresholds = {
        "kwh_tolerance": kwh_tolerance,
        "relative_tolerance": relative_tolerance,
        "rate_tolerance": tolerance,
    }
    view = energy_view(ctx, thresholds)
    special = rc.tou_bills | rc.tier_bills
    judged = special | ~rc.tariff_differs
    lines = view.lines
    on_other_tariff = rc.tariff_differs[rc.row[lines]]
    off = rate_off(ctx, tolerance)[lines]
    other = np.flatnonzero(on_other_tariff)
    rate = _rate_of_tariff_billed(ctx, lines[other])
    with np.errstate(invalid="ignore"):
        off[other] = np.abs(rc.rate_billed[lines[other]] - rate) > tolerance  # NaN: not off
    off = np.flatnonzero(off)
    # tou_misapplied judges the old schedule's rate on bills on the tariff due only.
    old_schedule = view.old_schedule[off] & ~on_other_tariff[off]
    counted = (
        (judged & ~(special & view.structural))[rc.row[lines[off]]]
        & ~old_schedule
        & rc.billed[lines[off]]
        & (rc.quantity_billed[lines[off]] > 0)
    )
    return lines[off[counted]]


def rates_judged_against(ctx: RuleContext, lines: np.ndarray) -> np.ndarray:
    """Per recomputed energy line of `lines`, the rate `rate_mismatch` judges its rate billed
    against: the recomputation's rate due, but on a bill billed on another tariff than the one
    due the rate the tariff billed gives it (`_rate_of_tariff_billed`), the tariff due's
    difference being the tariff rules' (see the module's note)."""
    rc = ctx.recomputed
    rate = rc.rate_due[lines].copy()
    other = np.flatnonzero(rc.tariff_differs[rc.row[lines]])
    rate[other] = _rate_of_tariff_billed(ctx, lines[other])
    return rate


def _rate_of_tariff_billed(ctx: RuleContext, lines: np.ndarray) -> np.ndarray:
    """Per recomputed energy line of `lines`, its kWh billed priced on its bill's tariff billed
    as the recomputation prices a line (`auditkit.billing.energy`), per kWh: the row of its
    period and tier (exactly those; NaN where the tariff has none) in force on read_to, and where
    that row began inside the read period at another rate, the kWh of the days before it at
    that rate (`rate_change`, `priced_by_days`), each part to the fen."""
    if not len(lines):
        return np.empty(0)
    rc = ctx.recomputed
    row = rc.row[lines]
    first, last = (day_numbers(days) for days in ctx.read_days(row))
    links = rate_change(
        ctx.tariff_lookup,
        ctx.bills["tariff_billed"].iloc[row].to_numpy(dtype=object),
        first,
        last,
        ctx.customers["voltage_kv"].to_numpy(dtype=float)[ctx.bill_customer[row]],
        rc.period[lines],
        rc.tier[lines],
    )
    kwh = rc.quantity_billed[lines]
    amount = priced_by_days(kwh, first, last, links)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(kwh > 0, amount / kwh, links.rate[0])


def rate_counted_lines(ctx: RuleContext, lines: np.ndarray, params: Mapping) -> np.ndarray:
    """Per recomputed energy line of `lines` (positions in `ctx.recomputed`), whether
    `rate_mismatch` (with its thresholds `params`) counts its rate difference: the rule can run
    on the data and counts the line (`lines_rate_mismatch_counts`)."""
    if not len(lines) or missing_needs(ctx.source, RULES["rate_mismatch"]):
        return np.zeros(len(lines), dtype=bool)
    return np.isin(lines, lines_rate_mismatch_counts(ctx, params))

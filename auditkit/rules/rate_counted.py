"""Which recomputed energy lines' rate difference `rate_mismatch` counts.

A bill read through a wrong multiplier or short of its registers changes every line; the rule
that prices it (`multiplier_mismatch`, `register_mismatch`) counts the bill's recomputed
difference less the part a wrong rate makes, where `rate_mismatch` counts that part. Both read
the same test here, so a yuan is counted once: subtracting a rate part nobody counts (a bill
split by read days at a price change, whose rates are averages of two lines a fen's rounding
apart) loses it, and not subtracting one that is counted counts it twice.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from auditkit.rules.billing_lines import energy_view, rate_off
from auditkit.rules.context import RuleContext
from auditkit.rules.registry import RULES
from auditkit.rules.worklist import missing_needs


def lines_rate_mismatch_counts(ctx: RuleContext, params: Mapping) -> np.ndarray:
    """The recomputed energy lines (positions in `ctx.recomputed`, sorted) whose rate difference
    `rate_mismatch` (with its thresholds `params`) counts: billed, of kWh billed > 0, off the
    rate due by more than `rate_tolerance`, not billed at the old schedule's period rate
    (tou_misapplied's), on a bill judged by its lines (on the tariff due, or by periods or tiers)
    whose period or tier kWh are not off those due (tou_misapplied's / tier_misapplied's)."""
    rc = ctx.recomputed
    view = energy_view(ctx, params)
    special = rc.tou_bills | rc.tier_bills
    judged = special | ~rc.tariff_differs
    lines = view.lines
    off = np.flatnonzero(rate_off(ctx, params["rate_tolerance"])[lines])
    counted = (
        (judged & ~(special & view.structural))[rc.row[lines[off]]]
        & ~view.old_schedule[off]
        & rc.billed[lines[off]]
        & (rc.quantity_billed[lines[off]] > 0)
    )
    return lines[off[counted]]


def rate_counted_lines(ctx: RuleContext, lines: np.ndarray, params: Mapping) -> np.ndarray:
    """Per recomputed energy line of `lines` (positions in `ctx.recomputed`), whether
    `rate_mismatch` (with its thresholds `params`) counts its rate difference: the rule can run
    on the data and counts the line (`lines_rate_mismatch_counts`)."""
    if not len(lines) or missing_needs(ctx.source, RULES["rate_mismatch"]):
        return np.zeros(len(lines), dtype=bool)
    return np.isin(lines, lines_rate_mismatch_counts(ctx, params))

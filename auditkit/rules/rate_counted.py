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


def rate_counted_lines(ctx: RuleContext, lines: np.ndarray, params: Mapping) -> np.ndarray:
    """Per recomputed energy line of `lines` (positions in `ctx.recomputed`, sorted), whether
    `rate_mismatch` (with its thresholds `params`) counts its rate difference: the rule can run
    on the data, and the line is as `routine._line_rates` takes it — billed, of kWh billed > 0,
    off the rate due by more than `rate_tolerance`, not billed at the old schedule's period
    rate (tou_misapplied's), on a bill judged by its lines (on the tariff due, or by periods
    or tiers) whose period or tier kWh are not off those due (tou_misapplied's /
    tier_misapplied's)."""
    counted = np.zeros(len(lines), dtype=bool)
    if not len(lines) or missing_needs(ctx.source, RULES["rate_mismatch"]):
        return counted
    rc = ctx.recomputed
    off = np.flatnonzero(rate_off(ctx, params["rate_tolerance"])[lines])
    if not len(off):
        return counted
    at = lines[off]
    view = energy_view(ctx, params)
    special = rc.tou_bills | rc.tier_bills
    row = rc.row[at]
    judged = (special | ~rc.tariff_differs)[row] & ~(special & view.structural)[row]
    old_schedule = view.old_schedule[np.searchsorted(view.lines, at)]
    counted[off] = judged & ~old_schedule & rc.billed[at] & (rc.quantity_billed[at] > 0)
    return counted

"""What a bill lost as a whole, and the cap it puts on a rule's proved part of it.

The rules count their parts of one bill apart, each floored at 0: a part beside a refund
another rule reports would be revenue on a bill over-billed as a whole. So a rule's proved
part of a bill is at most what the bill lost in all (`share_within_the_bill_lost`): the
recomputation's due − billed summed over the bill's lines (its due less its amount where a
line's billed side is unknown), plus what the rule prices that the recomputation does not see
(days of tariff orders inside the read period, another tariff than the one it recomputed),
floored at 0. The refund stays the report of the rule that owns it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.billing.money import round_half_up
from auditkit.rules.context import RuleContext
from auditkit.rules.findings import optional_values
from auditkit.rules.pf_standard import standard_due_on_bills


def bill_lost(
    ctx: RuleContext,
    rows: np.ndarray,
    standard_thresholds: dict,
    unseen: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Per bill of `rows`, what it lost as a whole, floored at 0: its recomputed lines' due −
    billed summed, plus `unseen`, what a rule prices on it that the recomputation does not (0
    where it sees all of it; +inf where the rule cannot tell); `standard_thresholds`,
    pf_standard_mismatch's, say who may be held to a power-factor standard. Where a line's
    billed side is unknown (an export without `fund_charge`, a basic charge not recorded), its
    lines' due summed less the bill's `amount`, which holds every charge billed (DATA.md:
    amount = energy_charge + basic_charge + pf_adjustment + fund_charge). +inf on a bill with
    no line recomputed, a line whose due side is unknown, or an unknown billed side and no
    amount, or an amount holding funds or a power-factor adjustment not recomputed
    (`_unpriced_in_amount`): nothing says what it lost, so nothing caps a rule's part of it."""
    rc = ctx.recomputed
    bills = len(ctx.bills)
    net = np.bincount(rc.row, np.nan_to_num(rc.difference), bills)[rows]
    due = np.bincount(rc.row, np.nan_to_num(rc.amount_due), bills)[rows]
    due_unknown = np.zeros(bills, dtype=bool)
    due_unknown[rc.row[np.isnan(rc.amount_due)]] = True
    billed_unknown = np.zeros(bills, dtype=bool)
    billed_unknown[rc.row[np.isnan(rc.difference)]] = True
    billed_unknown, due_unknown = billed_unknown[rows], due_unknown[rows]
    amount = ctx.bills["amount"].to_numpy(dtype=float, na_value=np.nan)[rows]
    amount[_unpriced_in_amount(ctx, rows, standard_thresholds)] = np.nan
    net = np.where(billed_unknown, due - amount, net)
    lost = np.maximum(round_half_up(net + unseen), 0.0)
    unknown = pd.isna(rc.tariff_due[rows]) | due_unknown | (billed_unknown & np.isnan(amount))
    return np.where(unknown, np.inf, lost)


def _unpriced_in_amount(
    ctx: RuleContext, rows: np.ndarray, standard_thresholds: dict
) -> np.ndarray:
    """Per bill of `rows`, whether its `amount` may hold a part the recomputation does not price
    and the bill does not record (no column, or an empty cell): funds not recomputed (the note
    `not_recomputed` for funds: no fund rate in the schedule), or a power-factor adjustment
    (`_adjustment_unpriced`). Set against its lines due such a part reads as a charge of
    nothing: 300.00 of funds lowered a 1,500.00 short to 1,200.00, a 500.00 surcharge to
    1,000.00; so the amount says nothing of what the bill lost."""
    unpriced = _adjustment_unpriced(ctx, rows, standard_thresholds)
    if _not_recomputed(ctx, "fund"):
        unpriced |= np.isnan(optional_values(ctx.bills, "fund_charge")[rows])
    return unpriced


def _not_recomputed(ctx: RuleContext, line_type: str, missing: str | None = None) -> bool:
    """Whether the recomputation notes `line_type` not recomputed for the export (the note
    `not_recomputed`), for want of the column `missing` where one is named."""
    return any(
        note.code == "not_recomputed"
        and note.values["line_type"] == line_type
        and (missing is None or missing in note.values["missing"])
        for note in ctx.recomputed.notes
    )


def _adjustment_unpriced(
    ctx: RuleContext, rows: np.ndarray, standard_thresholds: dict
) -> np.ndarray:
    """Per bill of `rows`, whether it may be held to a power-factor standard while the
    recomputation prices no adjustment on it (none without a reactive register) and the bill
    records none (no `pf_adjustment` column, or an empty cell). Held: to the archive's
    standard; where the export has no `pf_standard` column, to the one its class and capacity
    in force call for (`standard_due_on_bills` on `standard_thresholds`): a household or an
    8 kVA shop carries no adjustment, so its amount still says what it lost."""
    rc = ctx.recomputed
    lines = rc.of("pf_adjustment")
    priced = np.zeros(len(ctx.bills), dtype=bool)
    priced[rc.row[lines[~np.isnan(rc.amount_due[lines])]]] = True
    if _not_recomputed(ctx, "pf_adjustment", "customers.pf_standard"):
        standard = standard_due_on_bills(ctx, rows, standard_thresholds)
    else:
        standard = optional_values(ctx.customers, "pf_standard")[ctx.bill_customer[rows]]
    held = ~np.isnan(standard)
    recorded = ~np.isnan(optional_values(ctx.bills, "pf_adjustment")[rows])
    return held & ~priced[rows] & ~recorded


def share_within_the_bill_lost(counted: np.ndarray, lost: np.ndarray) -> np.ndarray:
    """Per bill, the share of a rule's proved part of it (`counted`) that it may claim: at most
    what the bill lost (`lost`, `bill_lost`) — 1 where the bill lost at least as much, 0 on a
    bill over-billed as a whole. Each figure of the part (its power-factor adjustment too) is
    scaled by it, each to the fen."""
    share = np.divide(lost, counted, out=np.ones(len(counted)), where=counted > 0)
    return np.clip(share, 0.0, 1.0)

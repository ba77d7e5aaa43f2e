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


def bill_lost(ctx: RuleContext, rows: np.ndarray, unseen: np.ndarray | float = 0.0) -> np.ndarray:
    """Per bill of `rows`, what it lost as a whole, floored at 0: its recomputed lines' due −
    billed summed, plus `unseen`, what a rule prices on it that the recomputation does not (0
    where it sees all of it; +inf where the rule cannot tell). Where a line's billed side is
    unknown (an export without `fund_charge`, a basic charge not recorded), its lines' due
    summed less the bill's `amount`, which holds every charge billed (DATA.md: amount =
    energy_charge + basic_charge + pf_adjustment + fund_charge). +inf on a bill with no line
    recomputed, a line whose due side is unknown, or an unknown billed side and no amount, or
    an amount holding funds not recomputed (`_funds_unpriced_in_amount`): nothing says what it
    lost, so nothing caps a rule's part of it."""
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
    amount[_funds_unpriced_in_amount(ctx, rows)] = np.nan
    net = np.where(billed_unknown, due - amount, net)
    lost = np.maximum(round_half_up(net + unseen), 0.0)
    unknown = pd.isna(rc.tariff_due[rows]) | due_unknown | (billed_unknown & np.isnan(amount))
    return np.where(unknown, np.inf, lost)


def _funds_unpriced_in_amount(ctx: RuleContext, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`, whether its `amount` may hold funds the recomputation does not price
    (the note `not_recomputed` for funds: no fund rate in the schedule) and the bill does not
    record (no `fund_charge` column, or an empty cell): set against its lines due they would
    read as over-billing (300.00 of funds lowered a 1,500.00 short to 1,200.00), so the amount
    says nothing of what it lost."""
    unpriced = any(
        note.code == "not_recomputed" and note.values["line_type"] == "fund"
        for note in ctx.recomputed.notes
    )
    if not unpriced:
        return np.zeros(len(rows), dtype=bool)
    if "fund_charge" not in ctx.bills:
        return np.ones(len(rows), dtype=bool)
    return np.isnan(ctx.bills["fund_charge"].to_numpy(dtype=float, na_value=np.nan)[rows])


def share_within_the_bill_lost(counted: np.ndarray, lost: np.ndarray) -> np.ndarray:
    """Per bill, the share of a rule's proved part of it (`counted`) that it may claim: at most
    what the bill lost (`lost`, `bill_lost`) — 1 where the bill lost at least as much, 0 on a
    bill over-billed as a whole. Each figure of the part (its power-factor adjustment too) is
    scaled by it, each to the fen."""
    share = np.divide(lost, counted, out=np.ones(len(counted)), where=counted > 0)
    return np.clip(share, 0.0, 1.0)

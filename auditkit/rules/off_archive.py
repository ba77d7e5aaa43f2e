"""The bills billed on another tariff than the archive's in force, and which rule prices each.

billed_tariff_mismatch prices them; the rules that price the kWh or the capacity of a bill
read here which bills it prices, so a yuan counts once (`bills_billed_off_archive`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditkit.rules.billing_runs import silent_tariff_changes
from auditkit.rules.context import RuleContext, customer_keys
from auditkit.rules.registry import RULES
from auditkit.rules.shared import once_per_context
from auditkit.rules.tariff_due import (
    frozen_thresholds,
    mismatched,
    tariff_in_force,
    tariff_orders_archived,
)
from auditkit.rules.worklist import bills_priced_by, missing_needs


@dataclass(frozen=True)
class OffArchive:
    """The bills on a listed tariff other than the one in force (`tariff_in_force`), by who
    prices them (rows, ascending): `alone`, billed_tariff_mismatch; `in_silent_runs`, in the run
    of a change of the tariff billed with no order, which change_without_order prices against
    the tariff before it and billed_tariff_mismatch for the rest; `named`, on a tariff one of
    the customer's tariff_change orders names (when it applied is the order rules' question,
    in a silent change's run too).
    The bills of a customer tariff_mismatch flags are in none: its archive is wrong."""

    alone: np.ndarray
    in_silent_runs: np.ndarray
    named: np.ndarray

    @property
    def priced(self) -> np.ndarray:
        """The rows billed_tariff_mismatch prices, ascending."""
        return np.union1d(self.alone, self.in_silent_runs)


def off_archive(ctx: RuleContext, params: dict) -> OffArchive:
    """`OffArchive` on the thresholds of tariff_mismatch (`params["tariff_mismatch"]`) and the
    window of change_without_order (`params["change_without_order"]["window_months"]`)."""
    window = params["change_without_order"]["window_months"]
    return _off_archive(ctx, frozen_thresholds(params["tariff_mismatch"]), window)


def bills_billed_off_archive(ctx: RuleContext, params: dict) -> np.ndarray:
    """Per bill, whether billed_tariff_mismatch prices it (`params` as `off_archive`); all
    False where it cannot run. A rule pricing kWh a bill left out prices them at the tariff in
    force there; capacity_underbilled leaves such a bill's capacity to it."""
    return bills_priced_by(ctx, "billed_tariff_mismatch", lambda: off_archive(ctx, params).priced)


@once_per_context
def _off_archive(ctx: RuleContext, frozen: tuple, window: int) -> OffArchive:
    """`off_archive` on tariff_mismatch's thresholds frozen (`frozen_thresholds`): found once
    per run. Only bills both tariffs price (an energy rate in force for the month at the
    customer's voltage) are off the archive: a bill the schedule cannot price stays with the
    rules that judge it otherwise (a capacity short, `capacity_underbilled`)."""
    in_force, billed = tariff_in_force(ctx), ctx.bill_tariff
    off = (in_force >= 0) & (billed >= 0) & (billed != in_force)
    if not missing_needs(ctx.source, RULES["tariff_mismatch"]):
        flagged = np.zeros(len(ctx.customers), dtype=bool)
        flagged[mismatched(ctx, dict(frozen)).idx] = True
        off &= ~flagged[ctx.bill_customer]
    rows = np.flatnonzero(off)
    month = ctx.bill_month[rows]
    priced = np.ones(len(rows), dtype=bool)
    for tariff in (in_force[rows], billed[rows]):
        priced &= np.isfinite(ctx.schedule_rate(tariff, month, "energy_rate", rows))
    rows = rows[priced]
    named = _named_by_an_order(ctx, rows)
    runs, silent = silent_tariff_changes(ctx, window)
    in_runs = runs.within(silent)[rows] & ~named
    return OffArchive(rows[~named & ~in_runs], rows[in_runs], rows[named])


def _named_by_an_order(ctx: RuleContext, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`: its tariff billed is the old or the new tariff of a tariff_change
    order of its customer (`tariff_orders_archived`)."""
    orders = tariff_orders_archived(ctx)
    cust = orders["cust"].to_numpy(dtype=np.int64)
    keys = [
        customer_keys(cust, code)[code >= 0]
        for code in (ctx.tariff_code(orders[side].to_numpy(dtype=object)) for side in SIDES)
    ]
    bill_keys = customer_keys(ctx.bill_customer[rows], ctx.bill_tariff[rows])
    return np.isin(bill_keys, np.concatenate(keys))


#: The columns of a tariff_change order that name a tariff.
SIDES = ("old_value", "new_value")

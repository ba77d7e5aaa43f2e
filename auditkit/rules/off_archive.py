"""The bills billed on another tariff than the archive's in force, and which rule prices each.

billed_tariff_mismatch prices them; the rules that price the kWh or the capacity of a bill
read here which bills it prices, so a yuan counts once (`bills_billed_off_archive`), and at
which tariff any tariff rule prices a bill (`priced_tariff_due`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditkit.rules.billing_runs import silent_tariff_changes
from auditkit.rules.context import RuleContext
from auditkit.rules.registry import RULES
from auditkit.rules.shared import once_per_context
from auditkit.rules.stale_orders import tariff_due_of_orders_not_applied
from auditkit.rules.tariff_due import (
    bills_of_flagged_customers,
    frozen_thresholds,
    mismatched,
    tariff_in_force,
)
from auditkit.rules.worklist import bills_priced_by, missing_needs


@dataclass(frozen=True)
class OffArchive:
    """The bills on a listed tariff other than the one in force (`tariff_in_force`), by who
    prices them (rows, ascending): `alone`, billed_tariff_mismatch; `in_silent_runs`, in the run
    of a change of the tariff billed with no order, which change_without_order prices against
    the tariff before it and billed_tariff_mismatch for the rest; `named`, where when a tariff
    one of the customer's tariff_change orders names applied is the order rules' question (left
    on an old tariff after an order took effect, or moved to its new one within a posting lag
    before: `_named_by_an_order`), in a silent change's run too.
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
    off &= ~bills_of_flagged_customers(ctx, dict(frozen))
    rows = np.flatnonzero(off)
    month = ctx.bill_month[rows]
    priced = np.ones(len(rows), dtype=bool)
    for tariff in (in_force[rows], billed[rows]):
        priced &= np.isfinite(ctx.schedule_rate(tariff, month, "energy_rate", rows))
    rows = rows[priced]
    named = _named_by_an_order(ctx, rows, window)
    runs, silent = silent_tariff_changes(ctx, window)
    in_runs = runs.within(silent)[rows] & ~named
    return OffArchive(rows[~named & ~in_runs], rows[in_runs], rows[named])


def _named_by_an_order(ctx: RuleContext, rows: np.ndarray, window: int) -> np.ndarray:
    """Per bill of `rows` (off the archive): whether when its tariff applied is the order
    rules' question, of an order they know (issued by the audit date: `RuleContext.orders_of`;
    one issued later still rewinds the archive, but no order rule can price its bills yet): left
    on the old tariff of a tariff_change order in force by its month (late or inside its grace:
    order_not_applied's), or on the new tariff of an order before it took effect where billing
    moved to it within `window` months before (a posting lag, as change_without_order's window
    tolerates one). A bill on an order's new tariff earlier than that (an order applied early:
    every such bill before it took effect), or on the old tariff of an order not yet in force,
    is off the archive like any other."""
    orders = ctx.orders_of("tariff_change")
    orders = orders[((orders["cust"] >= 0) & (orders["effective_month"] >= 0)).to_numpy()]
    table = pd.DataFrame(
        {
            "cust": orders["cust"].to_numpy(dtype=np.int64),
            "effective": orders["effective_month"].to_numpy(dtype=np.int64),
            "old": ctx.tariff_code(orders["old_value"].to_numpy(dtype=object)),
            "new": ctx.tariff_code(orders["new_value"].to_numpy(dtype=object)),
            "order": np.arange(len(orders)),
        }
    )
    bills = pd.DataFrame(
        {
            "at": np.arange(len(rows)),
            "cust": ctx.bill_customer[rows],
            "month": ctx.bill_month[rows],
            "tariff": ctx.bill_tariff[rows],
        }
    )
    joined = bills.merge(table, on="cust")
    month = joined["month"].to_numpy(dtype=np.int64)
    effective = joined["effective"].to_numpy(dtype=np.int64)
    tariff = joined["tariff"].to_numpy()
    left_on_old = (effective <= month) & (tariff == joined["old"].to_numpy())
    early = (month < effective) & (tariff == joined["new"].to_numpy())
    # An order applied early is a posting lag where billing moved to its tariff at most
    # `window` months before it took effect: judged on the first bill so moved.
    first_early = pd.Series(np.where(early, month, np.iinfo(np.int64).max))
    first_early = first_early.groupby(joined["order"].to_numpy()).transform("min").to_numpy()
    lag = early & (first_early >= effective - window)
    named = np.zeros(len(rows), dtype=bool)
    named[joined["at"].to_numpy()[left_on_old | lag]] = True
    return named


def priced_tariff_due(ctx: RuleContext, rows: np.ndarray, params: dict) -> np.ndarray:
    """Per bill of `rows`, the name of the tariff due where a tariff rule prices the bill (on
    the thresholds of `params`, by rule id: tariff_mismatch, change_without_order,
    order_not_applied), so a rule pricing what else the bill left out prices it at that tariff:
    tariff_mismatch's tariff due, else the archive's in force where billed_tariff_mismatch
    prices it, else the new tariff of the order order_not_applied prices it by; None
    elsewhere."""
    due = np.full(len(rows), None, dtype=object)
    if not missing_needs(ctx.source, RULES["tariff_mismatch"]):
        found = mismatched(ctx, params["tariff_mismatch"])
        wrong_rows, owner = found.wrong_bills(ctx)  # ascending: `rows` found by bisection
        position = np.minimum(np.searchsorted(wrong_rows, rows), max(len(wrong_rows) - 1, 0))
        at = np.flatnonzero(wrong_rows[position] == rows) if len(wrong_rows) else position[:0]
        due[at] = found.correct[owner[position[at]]]
    names = np.append(ctx.tariff_index.to_numpy(dtype=object), None)
    off = np.flatnonzero(bills_billed_off_archive(ctx, params)[rows])
    if len(off):
        due[off] = names[tariff_in_force(ctx)[rows[off]]]
    order_due = tariff_due_of_orders_not_applied(ctx, rows, params)
    stale = np.flatnonzero((order_due >= 0) & pd.isna(due))
    due[stale] = names[order_due[stale]]
    return due

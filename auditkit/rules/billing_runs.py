"""A customer's runs of billing terms: where a term billed changes from the previous bill, and
which of its tariff's changes billing made with no work order (change_without_order prices
them, billed_tariff_mismatch leaves them)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from auditkit.rules.context import RuleContext, spread_over_runs
from auditkit.rules.findings import order_between_bills
from auditkit.rules.shared import once_per_context


def changed_from_previous(
    ctx: RuleContext, values: np.ndarray, differs: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> np.ndarray:
    """Per bill: the previous bill is the same customer's and `differs(this, previous)`."""
    changed = np.zeros(len(values), dtype=bool)
    changed[1:] = differs(values[1:], values[:-1])  # views: no shifted copy of the column
    changed &= ctx.same_customer_as_previous
    return changed


class Runs:
    """A customer's runs of unchanged terms: each starts at a change or at its first bill.

    Kept as the rows where runs start (about one per customer), not as one row per bill.
    """

    def __init__(self, ctx: RuleContext, changed: np.ndarray) -> None:
        self.starts = np.flatnonzero(changed | ~ctx.same_customer_as_previous)

    def within(self, flagged: np.ndarray) -> np.ndarray:
        """Per bill: its run started at a bill in `flagged`."""
        return spread_over_runs(flagged[self.starts], self.starts, len(flagged))

    def start_of(self, rows: np.ndarray) -> np.ndarray:
        """The row where the run of each of `rows` started."""
        return self.starts[np.searchsorted(self.starts, rows, side="right") - 1]


@once_per_context
def silent_tariff_changes(ctx: RuleContext, window: int) -> tuple[Runs, np.ndarray]:
    """The runs of each customer's tariff billed, and per bill whether it starts one with no
    tariff_change order within ±`window` months (`order_between_bills`): the changes billing
    made on its own, which change_without_order prices. Found once per run and window, shared
    (billed_tariff_mismatch leaves those runs to it)."""
    tariff = ctx.billed_tariff_codes[0]  # tariffs missing from the schedule stay distinct
    changed = changed_from_previous(ctx, tariff, np.not_equal)
    return Runs(ctx, changed), changed & ~order_between_bills(ctx, ("tariff_change",), window)

"""The recomputed bill lines (`auditkit.billing.recompute`) as the rules read them.

The recomputation runs once per run, on the context's tables up to the audit month; its rows are
tied to the context's bills (row positions) and kept as arrays. Per bill it also says whether the
bill is *attributable* to a line rule: a bill whose tariff differs from the tariff due, or whose
energy kWh differ from the kWh due (a wrong multiplier or register), changes every line, and those
differences are tariff_mismatch's / multiplier_mismatch's / register_mismatch's, not the lines'.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from auditkit.billing.bill_frame import codes_of
from auditkit.billing.recompute import PERIOD_ORDER, recompute_coded
from auditkit.rules.shared import read_only

if TYPE_CHECKING:
    from auditkit.rules.context import RuleContext

LINE_TYPES = ("energy", "loss", "basic", "pf_adjustment", "fund")


@dataclass(frozen=True)
class Recomputed:
    """Recomputed lines tied to the context's bills: one entry per bill and line kind.

    `row` is the bill's position in the context; `line_type` a code into LINE_TYPES;
    `period_code` a position in PERIOD_ORDER (`period` its time-of-use period, None: no
    period); `tier` (0: no tier); `billed` / `due` whether the
    line is on the bill / due; quantities, rates, amounts and `difference` (due − billed) as
    `recompute` gives them (the due side NaN where that line kind could not be recomputed).
    Every rule reads the same arrays, so they (and those cached from them) are read-only.
    """

    row: np.ndarray
    line_type: np.ndarray
    period_code: np.ndarray
    tier: np.ndarray
    quantity_billed: np.ndarray
    quantity_due: np.ndarray
    rate_billed: np.ndarray
    rate_due: np.ndarray
    amount_billed: np.ndarray
    amount_due: np.ndarray
    difference: np.ndarray
    estimated: np.ndarray
    tariff_due: np.ndarray  # per context bill: the tariff due (None where not recomputed)
    tariff_differs: np.ndarray  # per context bill: billed on another tariff than the one due
    notes: tuple

    def __post_init__(self) -> None:
        """Lock the arrays given (in place: `recompute_lines` hands over arrays of its own): a
        rule that wrote into one would change what the others read."""
        read_only(self)

    @cached_property
    def billed(self) -> np.ndarray:
        """Per line: on the bill (a rate or an amount billed); computed once, read by each rule."""
        return read_only(~np.isnan(self.rate_billed) | (self.amount_billed != 0))

    @cached_property
    def due(self) -> np.ndarray:
        """Per line: due (a rate or an amount due); computed once, read by each rule."""
        due = np.abs(self.amount_due) > 0  # an empty amount compares False: no copy of it made
        due |= ~np.isnan(self.rate_due)
        return read_only(due)

    @cached_property
    def period(self) -> np.ndarray:
        """Per line: its time-of-use period as text (None: no period); made on first read, as
        millions of Python texts take a pass of their own."""
        return read_only(np.asarray(PERIOD_ORDER, dtype=object)[self.period_code])

    @cached_property
    def has_period(self) -> np.ndarray:
        """Per line: it is of a time-of-use period (read from the codes, not the texts)."""
        return read_only(self.period_code != PERIOD_ORDER.index(None))

    @cached_property
    def tou_bills(self) -> np.ndarray:
        """Per context bill: energy billed or due by time-of-use periods."""
        lines = self.of("energy")
        present = (self.billed[lines] | self.due[lines]) & self.has_period[lines]
        return read_only(self.any_per_bill(lines, present, len(self.tariff_differs)))

    @cached_property
    def tier_bills(self) -> np.ndarray:
        """Per context bill not by periods: energy billed or due by residential tiers."""
        lines = self.of("energy")
        present = (self.billed[lines] | self.due[lines]) & (self.tier[lines] > 0)
        return read_only(
            self.any_per_bill(lines, present, len(self.tariff_differs)) & ~self.tou_bills
        )

    @cached_property
    def _positions_of_type(self) -> dict[str, np.ndarray]:
        """The positions `of` has found, by line type (each found once: a pass over every line)."""
        return {}

    def of(self, line_type: str) -> np.ndarray:
        """Positions of the lines of `line_type` (read them, never write into them)."""
        found = self._positions_of_type
        if line_type not in found:
            found[line_type] = read_only(
                np.flatnonzero(self.line_type == LINE_TYPES.index(line_type))
            )
        return found[line_type]

    def per_bill(self, lines: np.ndarray, values: np.ndarray, bills: int) -> np.ndarray:
        """`values` (aligned with `lines`) summed per context bill (0 where a bill has none)."""
        return np.bincount(self.row[lines], weights=values, minlength=bills)

    def any_per_bill(self, lines: np.ndarray, flag: np.ndarray, bills: int) -> np.ndarray:
        """Per context bill: any of `lines` has `flag` (the bills of the flagged lines marked,
        not a sum over every line)."""
        marked = np.zeros(bills, dtype=bool)
        marked[self.row[lines[np.asarray(flag, dtype=bool)]]] = True
        return marked

    @cached_property
    def energy_kwh(self) -> tuple[np.ndarray, np.ndarray]:
        """Per context bill: the energy kWh due and billed (summed once, read by each rule)."""
        lines = self.of("energy")
        rows, bills = self.row[lines], len(self.tariff_differs)
        # The lines' kWh taken once each and made 0 where empty in that copy.
        due, billed = (
            np.bincount(rows, weights=np.nan_to_num(kwh[lines], copy=False), minlength=bills)
            for kwh in (self.quantity_due, self.quantity_billed)
        )
        return read_only((due, billed))

    def energy_kwh_differs(self, tolerance: float, relative: float) -> np.ndarray:
        """Per context bill: the energy kWh due differ from those billed by more than
        `tolerance` kWh or `relative` of the kWh due, whichever is larger."""
        due, billed = self.energy_kwh
        return np.abs(due - billed) > np.maximum(tolerance, relative * np.abs(due))


def recompute_lines(ctx: RuleContext) -> Recomputed:
    """Run the recomputation on the context's tables up to its audit month and tie its lines to
    the context's bills."""
    source = ctx.source
    orders = getattr(source, "work_orders", None)
    if orders is not None:  # orders issued after the audit month are not known yet
        orders = orders.loc[(orders["issued_at"] <= ctx.as_of_date).to_numpy(dtype=bool)]
    # The context's bills (those up to the audit month, its customers and months coded) with
    # the columns as given: the recomputation notes what is absent.
    bills = ctx.bills[list(source.bills.columns)]
    dataset = SimpleNamespace(
        customers=source.customers,
        bills=bills,
        tariffs=source.tariffs,
        work_orders=orders,
        bill_lines=ctx.bill_lines,
        transformers=ctx.transformers,
    )
    keys = (ctx.bill_customer, ctx.bill_month)
    coded = recompute_coded(dataset, ctx.as_of_period, bill_keys=keys, lookup=ctx.tariff_lookup)
    # Each recomputed bill's row in the context, by integer keys (customer row, month), then
    # each line's through its bill: no text of millions of lines is made or looked up.
    bill_row = bill_rows(ctx, coded.bills)
    # Per context bill: the tariff due of its recomputed bill (the later of two bills of one
    # customer and month), None where no line was recomputed.
    has_lines = np.zeros(len(coded.bills), dtype=bool)
    has_lines[coded.bill] = True
    # Compared as codes among the tariffs due (a billed tariff not among them, or none, differs).
    due = coded.bills["tariff_due"]
    due_code = np.full(len(ctx.bills), -1, dtype=np.int64)
    if bill_row is None:  # the context's bills themselves: a line's bill is its row
        row, lines = coded.bill, slice(None)
        np.copyto(due_code, due.cat.codes.to_numpy(), where=has_lines)
    else:
        row = bill_row[coded.bill]
        known = row >= 0
        lines = np.flatnonzero(known) if not known.all() else slice(None)
        row = row[lines]
        with_lines = np.flatnonzero(has_lines & (bill_row >= 0))
        due_code[bill_row[with_lines]] = due.cat.codes.to_numpy()[with_lines]
    names = pd.Index(due.cat.categories, dtype=object)
    tariff_due = np.append(np.asarray(names, dtype=object), None)[due_code]
    tariff_differs = (due_code >= 0) & (codes_of(ctx.bills["tariff_billed"], names) != due_code)
    figures = coded.figures

    return Recomputed(
        row=row,
        line_type=coded.line_type[lines],
        period_code=coded.period[lines],
        tier=coded.tier[lines],
        quantity_billed=figures["quantity_billed"][lines],
        quantity_due=figures["quantity_due"][lines],
        rate_billed=figures["rate_billed"][lines],
        rate_due=figures["rate_due"][lines],
        amount_billed=figures["amount_billed"][lines],
        amount_due=figures["amount_due"][lines],
        difference=figures["difference"][lines],
        estimated=figures["estimated"][lines],
        tariff_due=tariff_due,
        tariff_differs=tariff_differs,
        notes=tuple(coded.notes),
    )


def bill_rows(ctx: RuleContext, bills: pd.DataFrame) -> np.ndarray | None:
    """The context's bill row of each recomputed bill (`CodedLines.bills`: its customer's row in
    the customers and its month); -1 where the context has none. None where the recomputed bills
    are the context's bills themselves, in order (usually): no rows need be looked up."""
    if not len(ctx.bills):
        return np.full(len(bills), -1)
    cust = bills["customer_row"].to_numpy(dtype=np.int64)
    stride = np.int64(1 << 32)
    keys = ctx.bill_customer.astype(np.int64) * stride + ctx.bill_month.astype(np.int64)
    wanted = cust * stride + bills["month"].to_numpy(dtype=np.int64)
    # Usually the context's bills are the recomputed ones, in order (of known customers, no
    # customer and month twice): then no search.
    same = len(keys) == len(wanted) and keys[0] >= 0 and bool((keys == wanted).all())
    if same and bool((keys[1:] > keys[:-1]).all()):
        return None
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where((cust >= 0) & (keys[at] == wanted), at, -1)

"""Bills recomputed on another archive than the one they were billed on: what a rule that prices
a wrong archive value (the tariff) compares with the bills recomputed on the archive as it is."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd

from auditkit.billing.bill_frame import LINE_TYPES
from auditkit.billing.recompute import CodedLines, recompute_coded
from auditkit.rules.context import CustomerRuns, RuleContext, archive_rows, bill_rows_of

_KEY_STRIDE = np.int64(1 << 32)  # a bill's key: its copy's position × stride + its month


@dataclass(frozen=True)
class Repricing:
    """One recomputation of `reprice`: the bills of `customers` (codes, ascending) recomputed on
    what each bill metered, every read taken as billed (its kWh, period, demand and reactive
    figures, as an estimated read keeps them); the archive columns of `archive` set to its
    values (aligned with `customers`); the orders of each type of `without_orders` left out for
    the customers it flags (aligned). The customers `by_capacity` flags (aligned) pay their
    basic charge by capacity on every bill whose basis in force is neither capacity nor demand:
    an archive basis `none` or empty, and a basis_change order's old value `none`, read as
    `capacity` (the bills by demand stay so).

    A rule pricing bills on another archive (the tariff due) compares two such recomputations,
    so a difference of kWh (multiplier, register) stays the rules' that find it."""

    customers: np.ndarray
    archive: Mapping[str, np.ndarray] = field(default_factory=dict)
    without_orders: Mapping[str, np.ndarray] = field(default_factory=dict)
    by_capacity: np.ndarray | None = None


@dataclass(frozen=True)
class RepricedAmounts:
    """Per bill asked of `reprice`: the amount due over its recomputed lines, of which the
    power-factor adjustment, and the tariff it was priced on (a code of `ctx.tariff_index`; -1
    where the bill was not recomputed or an energy line has no rate); its basic charge as
    recomputed and as the bill itself charged it (as recomputed where it has no basic line or
    what it billed is unknown: `basic_shown` False), and the adjustment's rate (a signed
    fraction of its base; 0 where none is due)."""

    total: np.ndarray
    pf_adjustment: np.ndarray
    tariff: np.ndarray
    basic: np.ndarray
    basic_billed: np.ndarray
    basic_shown: np.ndarray
    pf_rate: np.ndarray

    def with_basic_billed(self) -> tuple[np.ndarray, np.ndarray]:
        """Per bill, the total and the adjustment with the basic charge the bill charged in
        place of the one recomputed (the adjustment moving with its base): what a bill on a
        two-part tariff paid where the tariff due is single-part and charges none, whatever
        capacity the bill was charged on."""
        moved = self.basic_billed - self.basic
        return self.total + moved * (1 + self.pf_rate), self.pf_adjustment + moved * self.pf_rate


def on_tariff(customers: np.ndarray, tariffs: np.ndarray, two_part: np.ndarray) -> Repricing:
    """Every bill of each of `customers` (codes, ascending) due its tariff of `tariffs` (names,
    aligned; its tariff_change orders left out). Where that tariff is two-part (`two_part`), a
    bill whose basis in force (archive and basis_change orders) is none or unknown pays its
    basic charge by capacity, as the recomputation reads the capacity in force (transformers,
    orders, archive): a two-part tariff always has one; a bill by demand stays by demand."""
    return Repricing(
        customers,
        archive={"tariff_category": tariffs},
        without_orders={"tariff_change": np.ones(len(customers), dtype=bool)},
        by_capacity=np.asarray(two_part, dtype=bool),
    )


def reprice(
    ctx: RuleContext, rows: np.ndarray, repricings: Sequence[Repricing]
) -> list[RepricedAmounts]:
    """Per repricing, the amounts of the bills `rows` (context rows, ascending) recomputed so.

    All are recomputed at once: each repricing's customers enter as copies under ids of their
    own (a customer repriced twice is two customers of one recomputation), since a recomputation
    costs about as much for a few customers as for a few dozen."""
    if not repricings:
        return []
    copies = _Copies(ctx, repricings)
    if not len(copies.bill_rows):  # nobody's bills: nothing recomputed
        return [_unpriced(len(rows)) for _ in repricings]
    dataset = SimpleNamespace(
        customers=copies.people(),
        bills=copies.bills(),
        tariffs=ctx.source.tariffs,
        work_orders=copies.orders(),
        bill_lines=copies.table(ctx.bill_lines, ctx.line_customer_runs),
        transformers=copies.table(ctx.transformers, ctx.transformer_customer_runs),
    )
    coded = recompute_coded(
        dataset, ctx.as_of_period, bill_keys=copies.bill_keys, lookup=ctx.tariff_lookup
    )
    bill_row, bill_copy = copies.recomputed(coded)
    tariff = ctx.tariff_code(coded.bills["tariff_due"])  # each recomputed bill's, once for all
    return [
        _amounts(rows, np.where(bill_copy == k, bill_row, -1), tariff, coded)
        for k in range(len(repricings))
    ]


class _Copies:
    """The customers of several repricings as one archive of copies: copy p (the repricings'
    customers one after another) is named by its number, so that every table's rows of a
    customer are its copy's in each repricing."""

    def __init__(self, ctx: RuleContext, repricings: Sequence[Repricing]) -> None:
        self.ctx, self.repricings = ctx, repricings
        self.each = [np.asarray(repricing.customers, dtype=np.int64) for repricing in repricings]
        self.offsets = np.cumsum([0, *map(len, self.each)])
        self.customers = np.concatenate(self.each)
        width = len(str(max(len(self.customers) - 1, 0)))
        # Ids in the copies' order, so that the recomputation keeps their bills in order.
        self.ids = np.array([f"{p:0{width}d}" for p in range(len(self.customers))], dtype=object)
        # Per repricing, each context customer's copy (-1: not repriced), then -1 for none.
        self.copy_of = []
        for start, customers in zip(self.offsets, self.each, strict=False):
            position = np.full(len(ctx.customers) + 1, -1, dtype=np.int64)
            position[customers] = np.arange(start, start + len(customers))
            self.copy_of.append(position)
        rows = [bill_rows_of(ctx.bill_customer, customers) for customers in self.each]
        self.bill_rows = np.concatenate(rows)
        bill_copy = np.concatenate(
            [position[ctx.bill_customer[r]] for position, r in zip(self.copy_of, rows, strict=True)]
        )
        self.bill_keys = (bill_copy, ctx.bill_month[self.bill_rows])
        self.bill_copy_keys = bill_copy * _KEY_STRIDE + self.bill_keys[1].astype(np.int64)
        #: Per copy, whether it pays its basic charge by capacity where no basis is in force.
        self.by_capacity = np.concatenate(
            [
                np.zeros(len(customers), dtype=bool)
                if repricing.by_capacity is None
                else np.asarray(repricing.by_capacity, dtype=bool)
                for customers, repricing in zip(self.each, repricings, strict=True)
            ]
        )

    def _named(self, table: pd.DataFrame, copies: np.ndarray) -> pd.DataFrame:
        """`table`'s rows with each row's customer_id its copy's."""
        return table.assign(customer_id=pd.array(self.ids[copies], dtype="str"))

    def people(self) -> pd.DataFrame:
        """The archive rows of the copies, with each repricing's archive values set."""
        people = self.ctx.source.customers.iloc[self.customers].reset_index(drop=True)
        for column in {name for r in self.repricings for name in r.archive}:
            values = people[column].to_numpy(dtype=object, copy=True)
            for k, repricing in enumerate(self.repricings):
                if column in repricing.archive:
                    values[self.offsets[k] : self.offsets[k + 1]] = repricing.archive[column]
            people[column] = values
        basis = people["basic_charge_basis"].to_numpy(dtype=object)
        unset = self.by_capacity & ~np.isin(basis, ["capacity", "demand"])
        if unset.any():
            people["basic_charge_basis"] = np.where(unset, "capacity", basis)
        return self._named(people, np.arange(len(people)))

    def bills(self) -> pd.DataFrame:
        """The copies' bills, every read as estimated (its figures kept as billed)."""
        ctx = self.ctx
        bills = ctx.bills.iloc[self.bill_rows][list(ctx.source.bills.columns)]
        return self._named(bills.assign(read_type="estimated"), self.bill_keys[0])

    def orders(self) -> pd.DataFrame | None:
        """Each copy's work orders issued by the audit date, without those its repricing leaves
        out; a basis_change's old value `none` read as capacity where its copy pays by capacity."""
        ctx = self.ctx
        orders = getattr(ctx.source, "work_orders", None)
        if orders is None:
            return None
        owner = archive_rows(ctx.customers["customer_id"], orders["customer_id"])
        issued = (orders["issued_at"] <= ctx.as_of_date).to_numpy(dtype=bool)
        order_type = orders["order_type"].to_numpy(dtype=object)
        rows, copies = [], []
        for k, repricing in enumerate(self.repricings):
            copy = self.copy_of[k][owner]
            kept = issued & (copy >= 0)
            for dropped_type, flagged in repricing.without_orders.items():
                dropped = np.append(np.asarray(flagged, dtype=bool), False)
                kept &= ~(
                    dropped[np.where(copy >= 0, copy - self.offsets[k], -1)]
                    & (order_type == dropped_type)
                )
            rows.append(np.flatnonzero(kept))
            copies.append(copy[kept])
        rows, copies = np.concatenate(rows), np.concatenate(copies)
        taken = self._named(orders.iloc[rows], copies)
        none_before = np.append(self.by_capacity, False)[copies]
        none_before &= order_type[rows] == "basis_change"
        none_before &= taken["old_value"].eq("none").to_numpy(dtype=bool, na_value=False)
        if none_before.any():
            taken = taken.assign(old_value=taken["old_value"].mask(none_before, "capacity"))
        return taken

    def table(self, table: pd.DataFrame | None, runs: CustomerRuns | None) -> pd.DataFrame | None:
        """The rows of `table` (its customers' runs `runs`) of each copy, repricing after
        repricing, in the table's order within one."""
        if table is None or runs is None:
            return None
        rows, copies = [], []
        for position in self.copy_of:
            chosen, customer = runs.rows_with_customers(position[:-1] >= 0)
            rows.append(chosen)
            copies.append(position[customer])
        return self._named(table.iloc[np.concatenate(rows)], np.concatenate(copies))

    def recomputed(self, coded: CodedLines) -> tuple[np.ndarray, np.ndarray]:
        """Each recomputed bill's context row and its repricing (-1: none)."""
        copy = coded.bills["customer_row"].to_numpy(dtype=np.int64)
        wanted = copy * _KEY_STRIDE + coded.bills["month"].to_numpy(dtype=np.int64)
        at = np.minimum(np.searchsorted(self.bill_copy_keys, wanted), len(self.bill_rows) - 1)
        found = (copy >= 0) & (self.bill_copy_keys[at] == wanted)
        repricing = np.searchsorted(self.offsets, copy, "right") - 1
        return np.where(found, self.bill_rows[at], -1), np.where(found, repricing, -1)


def _amounts(
    rows: np.ndarray, bill_row: np.ndarray, bill_tariff: np.ndarray, coded: CodedLines
) -> RepricedAmounts:
    """The amounts (`RepricedAmounts`) of `rows` (ascending) over the recomputed bills whose
    context row is `bill_row` (-1: another repricing's, or none) and tariff `bill_tariff`."""
    if not len(rows):
        return _unpriced(0)
    tariff = np.full(len(rows), -1)
    at = np.minimum(np.searchsorted(rows, bill_row), len(rows) - 1)
    at[(bill_row < 0) | (rows[at] != bill_row)] = -1  # a bill not among `rows`
    mine = at >= 0
    tariff[at[mine]] = bill_tariff[mine]
    line = at[coded.bill]
    mine = line >= 0
    amount = coded.figures["amount_due"][mine]
    kind = coded.line_type[mine]
    line = line[mine]
    total = np.bincount(line, np.nan_to_num(amount), len(rows))
    pf = kind == LINE_TYPES.index("pf_adjustment")
    pf_amount = np.bincount(line[pf], np.nan_to_num(amount[pf]), len(rows))
    pf_rate = np.zeros(len(rows))
    pf_rate[line[pf]] = np.nan_to_num(coded.figures["rate_due"][mine][pf])
    basic = kind == LINE_TYPES.index("basic")
    basic_due = np.bincount(line[basic], np.nan_to_num(amount[basic]), len(rows))
    # A bill without its basic line says nothing of what it charged: read as recomputed.
    billed = coded.figures["amount_billed"][mine][basic]
    known = ~np.isnan(billed)
    billed = np.where(known, billed, np.nan_to_num(amount[basic]))
    basic_billed = np.bincount(line[basic], billed, len(rows))
    basic_shown = np.zeros(len(rows), dtype=bool)
    basic_shown[line[basic][known]] = True
    no_rate = (kind == LINE_TYPES.index("energy")) & np.isnan(amount)
    tariff[line[no_rate]] = -1
    return RepricedAmounts(total, pf_amount, tariff, basic_due, basic_billed, basic_shown, pf_rate)


def _unpriced(count: int) -> RepricedAmounts:
    """The amounts of `count` bills none of which was recomputed."""
    nothing = np.zeros(count)
    shown = np.zeros(count, dtype=bool)
    return RepricedAmounts(nothing, nothing, np.full(count, -1), nothing, nothing, shown, nothing)

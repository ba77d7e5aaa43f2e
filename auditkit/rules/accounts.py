"""Accounts (户务): accounts left out of billing, billed after closure or past a temporary supply's
end, and one customer archived twice.

unbilled_account and duplicate_account compare a customer with others (the months its district
billed, its peers' usual bill, the other accounts of the archive): they run once over the whole
dataset (`auditkit.engine.partition.WHOLE_DATASET_RULES`); the other two look at one customer at a
time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditkit.billing.money import round_half_up
from auditkit.periods import date_month_number
from auditkit.rules.addresses import address_codes, name_codes, phone_codes, street_codes
from auditkit.rules.context import RuleContext
from auditkit.rules.evidence import Clause, clause
from auditkit.rules.findings import empty_raw, raw, rows_of
from auditkit.rules.idle import (
    UnbilledState,
    issues_zero_bills,
    off_seasons,
    registration_notes,
    removal_spans,
    stopped_by_order,
)
from auditkit.rules.registry import rule
from auditkit.stats.matrix import row_nanmedian

#: Customers whose months the billing grid reads at a time: a block's grid of amounts is a few MB
#: (the whole utility's would be 288 MB at a million customers and 36 months).
CUSTOMERS_PER_BLOCK = 2**14

#: Orders after which an account may rightly go unbilled until its next bill: the whole account
#: suspended, or closed (a closure kept active is billed_after_closure's). A meter removal (暂拆)
#: explains missing bills as it explains zero ones (`idle.removal_spans`: registered, for at most
#: zero_consumption's `max_removal_months`).
UNBILLED_EXPLAINED_BY = ("suspension", "closure")


@rule(
    "unbilled_account",
    area="routine",
    needs=("customers.status", "customers.connection_date", "bills.amount"),
    params=(
        "min_months",
        "grace_months",
        "lookback_months",
        "min_zero_bill_share",
        "min_zero_bills",
    ),
    severity="medium",
    revenue_kind="estimated",
    # A meter removal and an off-season excuse a month unbilled as they excuse a month at zero.
    reads=("zero_consumption",),
)
def unbilled_account(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """Active accounts with months unbilled while their district billed: a new connection never
    billed, a gap between bills, or bills that stop; priced at the customer's usual bill (its
    peers' median where it has none) to the fen a month, as a bill would be. A new connection
    is flagged once unbilled past its grace, and priced from its connection: the grace is when
    billing may lag, not months the account did not use (its first month prorated by the days
    since the connection).

    Months after a suspension or closure up to the next bill, or under a registered meter
    removal, are no months due (`_BillingGrid.explained`), and a run that is the customer's
    off-season (`idle.off_seasons`, as zero_consumption judges one: the same months unbilled or
    at zero in the other years, with no order, and use around them) is a billing system that
    issues no bill in a month of 0 kWh, where the data show one that does so: less than
    `min_zero_bill_share` of the bills of the customer's district in the window, or fewer than
    `min_zero_bills` of them, are of 0 kWh (`idle.issues_zero_bills`); where more are, a
    missing bill is a missing bill. A run just past a removal's term needs
    zero_consumption's `min_months`, as its zeros would (`_judged_as_zeros`)."""
    found = _unbilled_runs_priced(ctx, params)
    found.attrs["notes"] = registration_notes(ctx, "unbilled_account")
    return found


def _unbilled_runs_priced(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """unbilled_account's findings (its notes apart)."""
    idle = params["zero_consumption"]
    kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)
    grid = _BillingGrid.build(ctx, params["lookback_months"])
    explained = grid.explained(ctx, kwh, idle["max_removal_months"], idle["min_months"])
    expected = grid.expected_months(ctx)
    unbilled = expected & ~explained & ~grid.billed
    late = unbilled & grid.past_grace(params["grace_months"])
    found = _unbilled_runs(late, grid, params["min_months"])
    found = found[_judged_as_zeros(ctx, kwh, grid, found, idle)].reset_index(drop=True)
    if not found.empty:
        stopped = stopped_by_order(
            ctx, kwh, idle["max_removal_months"], idle["min_months"], grid.first
        )
        omits_zero = ~issues_zero_bills(
            ctx, kwh, params["min_zero_bill_share"], params["min_zero_bills"], grid.first
        )
        due = grid.idle_unbilled(expected & ~explained, omits_zero)
        season = off_seasons(
            ctx, found, kwh, stopped, idle["max_off_season_months"], due, grid.first
        )
        season &= omits_zero[found["cust"].to_numpy()]
        found = found[~season].reset_index(drop=True)
    if found.empty:
        return empty_raw()
    found = _from_connection(found, grid, unbilled)
    usual = grid.usual
    peers = _peer_median(ctx, usual)
    # Runs come in customer order, each customer's by month (`_unbilled_runs`).
    cust, first_run = np.unique(found["cust"].to_numpy(), return_index=True)
    month_from = np.minimum.reduceat(found["month_from"].to_numpy(), first_run)
    month_to = np.maximum.reduceat(found["month_to"].to_numpy(), first_run)
    months = np.add.reduceat(found["length"].to_numpy(), first_run)
    usage = ctx.customers["usage_type"].iloc[cust].to_numpy(dtype=object)
    has_history = ~np.isnan(usual[cust])
    monthly = np.where(has_history, usual[cust], [peers.get(kind, np.nan) for kind in usage])
    # A month's bill is to the fen: the evidence's monthly amount × the months is the revenue.
    monthly = round_half_up(np.nan_to_num(np.maximum(monthly, 0.0)), 2)
    # A run from a connection after its month's first day: that month's bill for the days since.
    first_days = found["first_days"].to_numpy()[first_run]
    month_days = found["month_days"].to_numpy()[first_run]
    share = np.divide(first_days, month_days, out=np.ones(len(cust)), where=first_days > 0)
    first_month = round_half_up(monthly * share, 2)
    revenue = monthly * (months - 1) + first_month
    run_clauses = [_run_clause(run, grid) for run in found.itertuples()]
    last_run = np.append(first_run[1:], len(found))
    evidence = []
    for position in range(len(cust)):
        basis = (
            clause("unbilled_account.usual", amount=monthly[position])
            if has_history[position]
            else clause("unbilled_account.peers", usage=usage[position], amount=monthly[position])
        )
        runs = run_clauses[first_run[position] : last_run[position]]
        clauses = [clause("unbilled_account", runs=runs), basis]
        if first_days[position] > 0:
            clauses.append(
                clause(
                    "unbilled_account.first_month",
                    month=month_from[position],
                    days=first_days[position],
                    month_days=month_days[position],
                    amount=first_month[position],
                )
            )
        evidence.append([*clauses, clause("revenue", amount=revenue[position])])
    return raw(cust, month_from, month_to, evidence, revenue, np.minimum(1.0, 0.4 + months / 12))


def _judged_as_zeros(
    ctx: RuleContext, kwh: np.ndarray, grid: _BillingGrid, found: pd.DataFrame, idle: dict
) -> np.ndarray:
    """Per run: listed as zero_consumption would list it at zero. A run just past a meter
    removal's term (`idle.removal_spans`) is the months a removal left unexplained, which
    zero_consumption lists from its own `min_months` on (`idle`, its thresholds): one minimum
    whichever way the months are exported."""
    spans = removal_spans(ctx, kwh, idle["max_removal_months"], idle["min_months"], grid.first)
    runs = pd.DataFrame(
        {
            "run": np.arange(len(found)),
            "cust": found["cust"].to_numpy(dtype=np.int64),
            "month_from": found["month_from"].to_numpy(dtype=np.int64),
        }
    )
    joined = runs.merge(spans, on="cust")
    before = joined["month_from"] - 1
    ended = (joined["effective_month"] <= before) & (before < joined["end_month"])
    past_removal = np.zeros(len(found), dtype=bool)
    past_removal[joined.loc[ended, "run"].to_numpy(dtype=np.int64)] = True
    return ~past_removal | (found["length"].to_numpy() >= idle["min_months"])


@dataclass
class _BillingGrid:
    """Customers × months of the lookback window (from month `first`): which months hold a bill,
    each customer's usual bill, the months each customer's district billed at all, and each
    customer's connection (month, date, and its new-connection order where one took effect)."""

    first: int
    billed: np.ndarray
    usual: np.ndarray
    district_billed: np.ndarray
    connection: np.ndarray
    connection_date: np.ndarray
    connection_order: np.ndarray

    @classmethod
    def build(cls, ctx: RuleContext, lookback_months: int) -> _BillingGrid:
        first = ctx.as_of - lookback_months + 1
        width = ctx.as_of - first + 1
        billed, usual = _billed_months(ctx, first, width)
        # A district billed a month where one of its customers was billed.
        district = pd.factorize(ctx.customers["district"], use_na_sentinel=False)[0]
        by_district = np.argsort(district, kind="stable")
        starts = np.flatnonzero(np.diff(district[by_district], prepend=-1))
        district_billed = np.logical_or.reduceat(billed[by_district], starts, axis=0)
        connection = date_month_number(ctx.customers["connection_date"])
        connection_date = pd.to_datetime(ctx.customers["connection_date"]).to_numpy(copy=True)
        order = np.full(len(ctx.customers), None, dtype=object)
        latest = latest_connections(ctx)
        at = latest["cust"].to_numpy(dtype=np.int64)
        connection[at] = latest["effective_month"].to_numpy(dtype=np.int64)
        connection_date[at] = latest["effective_date"].to_numpy(dtype="datetime64[ns]")
        order[at] = latest["order_id"].to_numpy(dtype=object)
        return cls(
            first, billed, usual, district_billed[district], connection, connection_date, order
        )

    def expected_months(self, ctx: RuleContext) -> np.ndarray:
        """Months each account should hold a bill unless an order explains a pause (`explained`):
        active in the archive, from its connection's month (a connection inside the window) to
        the audit month, in months its district billed."""
        column = np.arange(self.billed.shape[1])[None, :]
        start = np.maximum(self.connection - self.first, 0)
        active = (ctx.customers["status"] == "active").to_numpy(dtype=bool)
        return active[:, None] & (column >= start[:, None]) & self.district_billed

    def idle_unbilled(self, due: np.ndarray, omits_zero: np.ndarray) -> UnbilledState:
        """What a month with no bill says of an off-season (`idle.off_seasons`): where a bill
        was `due`, idle if the customer's district `omits_zero` bills (per customer,
        `idle.issues_zero_bills`), else against one (a bill missing); nothing where an order
        explained the pause (a winter suspended once says nothing of the others, as
        zero_consumption judges it), outside the window, before a connection or where the
        district billed nothing."""

        def state(cust: np.ndarray, month: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            column = month - self.first
            inside = (column >= 0) & (column < self.billed.shape[1])
            at = np.where(inside, column, 0)
            missed = inside & due[cust, at]
            idle = missed & omits_zero[cust]
            return idle, missed & ~idle

        return state

    def past_grace(self, grace_months: int) -> np.ndarray:
        """Months a missing bill is late: for a connection inside the window, those after its
        month and `grace_months` more (a first bill may lag that long); every month otherwise."""
        column = np.arange(self.billed.shape[1])[None, :]
        start = self.connection - self.first
        start = np.where(start >= 0, start + grace_months + 1, 0)
        return column >= start[:, None]

    def explained(
        self, ctx: RuleContext, kwh: np.ndarray, max_removal_months: int, min_months: int
    ) -> np.ndarray:
        """Months after a suspension or closure up to the next bill (for a suspension, up to its
        resumption, for a closure up to a reconnection, when that comes first), and those of a
        registered meter removal (`idle.removal_spans`, for at most `max_removal_months`, as
        zero_consumption reads it with its `min_months`; `kwh` per bill)."""
        width = self.billed.shape[1]
        removals = removal_spans(ctx, kwh, max_removal_months, min_months, self.first)
        removed_cust = removals["cust"].to_numpy(dtype=np.int64)
        removed_from = np.clip(removals["effective_month"].to_numpy() - self.first, 0, width)
        removed_to = np.clip(removals["end_month"].to_numpy() - self.first, 0, width)
        orders = ctx.orders_of(*UNBILLED_EXPLAINED_BY)
        orders = orders[(orders["cust"] >= 0) & (orders["effective_month"] <= ctx.as_of)]
        explained = np.zeros(self.billed.shape, dtype=bool)
        if orders.empty and removals.empty:
            return explained
        cust = orders["cust"].to_numpy(dtype=np.int64)
        start = np.clip(orders["effective_month"].to_numpy(dtype=np.int64) - self.first, 0, width)
        end = self._next_bill(cust, start + 1)  # the order's own month may hold its last bill
        # A closure explains nothing once the account is connected again (its grace is the
        # connection's, `past_grace`).
        closure = (orders["order_type"] == "closure").to_numpy()
        reopened = _reconnected(ctx, orders[closure]) - self.first
        end[closure] = np.minimum(end[closure], np.clip(reopened, 0, width))
        spans = ctx.suspension_spans
        if not spans.empty:
            resumed = spans.dropna(subset=["end_month"])
            ends = pd.DataFrame(
                {
                    "cust": resumed["cust"].to_numpy(dtype=np.int64),
                    "start": np.clip(
                        resumed["effective_month"].to_numpy(np.int64) - self.first, 0, width
                    ),
                    "resumed": np.clip(
                        resumed["end_month"].to_numpy(np.int64) - self.first, 0, width
                    ),
                }
            ).drop_duplicates(["cust", "start"])
            probe = pd.DataFrame({"cust": cust, "start": start, "row": np.arange(len(cust))})
            is_suspension = (orders["order_type"] == "suspension").to_numpy()
            joined = probe[is_suspension].merge(ends, on=["cust", "start"])
            rows = joined["row"].to_numpy()
            end[rows] = np.minimum(end[rows], joined["resumed"].to_numpy())
        cust = np.append(cust, removed_cust)
        start = np.append(start, removed_from)
        end = np.append(end, removed_to)
        # Spans open (+1) and close (-1) in the rows of the customers with such orders only.
        owners, owner = np.unique(cust, return_inverse=True)
        opened = np.zeros((len(owners), width + 1), dtype=np.int32)
        np.add.at(opened, (owner, start), 1)
        np.add.at(opened, (owner, end), -1)
        explained[owners] = np.cumsum(opened, axis=1)[:, :width] > 0
        return explained

    def _next_bill(self, cust: np.ndarray, start: np.ndarray) -> np.ndarray:
        """Per (customer, column): the column of its first bill from `start` on (the window's
        width where none)."""
        width = self.billed.shape[1]
        later = np.arange(width)[None, :] >= start[:, None]
        found = self.billed[cust] & later
        return np.where(found.any(axis=1), found.argmax(axis=1), width)


def _billed_months(ctx: RuleContext, first: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Customers × the `width` months from month `first`: which months hold a bill; and per
    customer its usual bill, the median amount of its months billed (`row_nanmedian` of its row
    of amounts, a month billed twice reading its last bill; NaN where none is).

    Made a block of customers at a time (`CUSTOMERS_PER_BLOCK`; the context's bills come in
    customer order, unknown customers first): a block's grid of amounts is a few MB, and no
    array as long as the bills is made."""
    billed = np.zeros(len(ctx.customers) * width, dtype=bool)
    usual = np.empty(len(ctx.customers))
    amounts = ctx.bills["amount"].to_numpy(dtype=float)
    firsts = np.append(np.arange(0, len(ctx.customers), CUSTOMERS_PER_BLOCK), len(ctx.customers))
    # the bills' own dtype: searching int32 codes for int64 values would copy them all to int64
    bounds = ctx.bill_customer.searchsorted(firsts.astype(ctx.bill_customer.dtype))
    all_inside = ctx.first_month >= first  # a whole-dataset input holds the window's bills alone
    for start, stop, begin, end in zip(
        firsts[:-1], firsts[1:], bounds[:-1], bounds[1:], strict=True
    ):
        bills = slice(begin, end)
        if not all_inside:
            bills = begin + np.flatnonzero(ctx.bill_month[bills] >= first)
        cell = (ctx.bill_customer[bills] - start) * width  # row-major in the block's grid
        cell += ctx.bill_month[bills] - first
        billed[start * width : stop * width][cell] = True
        amount = np.full((stop - start) * width, np.nan)
        amount[cell] = amounts[bills]
        usual[start:stop] = row_nanmedian(amount.reshape(-1, width))
    return billed.reshape(-1, width), usual


def _unbilled_runs(unbilled: np.ndarray, grid: _BillingGrid, min_months: int) -> pd.DataFrame:
    """Runs of consecutive unbilled months of at least `min_months`: customer, first and last
    month, length, and the months of the bills just before and after (-1 where none)."""
    width = unbilled.shape[1]
    some = np.flatnonzero(unbilled.any(axis=1))  # the customers with an unbilled month
    padded = np.zeros((len(some), width + 2), dtype=np.int8)
    padded[:, 1:-1] = unbilled[some]
    step = np.diff(padded, axis=1)
    row, start = np.nonzero(step == 1)
    _, stop = np.nonzero(step == -1)  # row-major: the n-th stop ends the n-th start
    cust = some[row]
    length = stop - start
    keep = length >= min_months
    cust, start, stop, length = cust[keep], start[keep], stop[keep], length[keep]
    billed = grid.billed[cust]
    column = np.arange(width)[None, :]
    before = billed & (column < start[:, None])
    after = billed & (column >= stop[:, None])
    last_before = np.where(before.any(axis=1), width - 1 - before[:, ::-1].argmax(axis=1), -1)
    first_after = np.where(after.any(axis=1), after.argmax(axis=1), -1)
    return pd.DataFrame(
        {
            "cust": cust,
            "month_from": start + grid.first,
            "month_to": stop - 1 + grid.first,
            "length": length,
            "before": np.where(last_before >= 0, last_before + grid.first, -1),
            "after": np.where(first_after >= 0, first_after + grid.first, -1),
        }
    )


def _from_connection(found: pd.DataFrame, grid: _BillingGrid, unbilled: np.ndarray) -> pd.DataFrame:
    """`found` with each run of a connection never billed (`_never_billed`) begun at the
    connection's first month `unbilled` (expected and not billed: its month and grace, where its
    district billed and no order explains them); and per run the days of its first month to price (`first_days`, of
    `month_days`): from the connection to the month's end where the run begins in the month of
    a connection after its first day, else 0 (the whole month)."""
    found = found.assign(first_days=0, month_days=0)
    new = np.flatnonzero(_never_billed(found, grid))
    if not len(new):
        return found
    cust = found["cust"].to_numpy()[new]
    unbilled = unbilled[cust]
    column = np.arange(unbilled.shape[1])[None, :]
    start = (grid.connection[cust] - grid.first)[:, None]
    stop = (found["month_from"].to_numpy()[new] - grid.first)[:, None]
    before = unbilled & (column >= start) & (column < stop)
    month_from = np.where(before.any(axis=1), before.argmax(axis=1), stop[:, 0]) + grid.first
    connected = pd.DatetimeIndex(grid.connection_date[cust])
    part = (month_from == grid.connection[cust]) & (connected.day > 1)
    rows = found.index[new]
    found.loc[rows, "length"] += before.sum(axis=1)
    found.loc[rows, "month_from"] = month_from
    found.loc[rows, "first_days"] = np.where(part, connected.days_in_month - connected.day + 1, 0)
    found.loc[rows, "month_days"] = connected.days_in_month
    return found


def _never_billed(found: pd.DataFrame, grid: _BillingGrid) -> np.ndarray:
    """Per run of `found`: it is a connection's inside the window never billed before it."""
    connection = grid.connection[found["cust"].to_numpy()]
    return (connection >= grid.first) & (found["before"].to_numpy() < connection)


def _run_clause(run: object, grid: _BillingGrid) -> Clause:
    """One unbilled run: a start never billed (after a connection or reconnection inside the
    window, the bills before it if any an earlier account's, or from the window's start), a
    gap between bills, or bills that stop."""
    months = (run.month_from, run.month_to)
    connection = grid.connection[run.cust]
    if connection >= grid.first and run.before < connection:
        order = grid.connection_order[run.cust]
        connected = grid.connection_date[run.cust]
        if order is not None:
            return clause(
                "unbilled_account.new_connection",
                order=order,
                effective=connected,
                months=months,
                count=run.length,
            )
        return clause(
            "unbilled_account.connected", connected=connected, months=months, count=run.length
        )
    if run.before >= 0 and run.after >= 0:
        return clause(
            "unbilled_account.gap",
            months=months,
            count=run.length,
            before=run.before,
            after=run.after,
        )
    if run.before >= 0:
        return clause("unbilled_account.stop", months=months, count=run.length, last=run.before)
    return clause("unbilled_account.from_start", months=months, count=run.length)


def _peer_median(ctx: RuleContext, usual: np.ndarray) -> dict[str, float]:
    """Per usage type, the median of its customers' usual monthly bills (customers with bills)."""
    usage, kinds = pd.factorize(ctx.customers["usage_type"])
    known = (usage >= 0) & ~np.isnan(usual)
    medians = pd.Series(usual[known]).groupby(usage[known]).median()
    return {kinds[code]: median for code, median in medians.items()}


@rule(
    "billed_after_closure",
    area="change_of_use",
    needs=("work_orders.effective_date",),
    params=("grace_months", "unarchived_months"),
    severity="medium",
    revenue_kind="proved",
)
def billed_after_closure(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """Bills charged after a closure took effect (beyond its month's final bill), and closures
    archived, or in effect for `unarchived_months` and never archived, while the customer
    archive stays active. No revenue: money billed to a closed account is a billing error to
    refund or to bill to whoever used the energy; the amount is in the evidence."""
    closures = _closures(ctx)
    if closures.empty:
        return empty_raw()
    after = _charged_after(ctx, closures, "effective_date", params["grace_months"])
    after = after[after["month"] < after["reconnected"]]  # a new connection reopens the account
    billed = _billed_after_summary(after)
    active = (ctx.customers["status"] == "active").to_numpy(dtype=bool)
    archived = closures["archived_at"].to_numpy(dtype="datetime64[ns]")
    archived_by_now = ~np.isnat(archived) & (archived <= np.datetime64(ctx.as_of_date))
    long_in_effect = (
        closures["effective_month"].to_numpy() <= ctx.as_of - params["unarchived_months"]
    )
    kept_active = (
        active[closures["cust"].to_numpy()]
        & (archived_by_now | long_in_effect)
        & (closures["reconnected"].to_numpy() > ctx.as_of)
    )
    kept = closures[kept_active].drop_duplicates("cust", keep="last").set_index("cust")
    cust = np.union1d(billed.index.to_numpy(), kept.index.to_numpy()).astype(np.int64)
    if not len(cust):
        return empty_raw()
    evidence, month_from, month_to, score = [], [], [], []
    for customer in cust:
        clauses: list[Clause] = []
        first, last = ctx.as_of, ctx.as_of
        if customer in billed.index:
            found = billed.loc[customer]
            clauses.append(
                clause(
                    "billed_after_closure.bills",
                    order=found.order_id,
                    effective=found.effective_date,
                    bills=found.bills,
                    months=(found.month_from, found.month_to),
                    kwh=found.kwh,
                    amount=found.amount,
                )
            )
            first, last = found.month_from, found.month_to
        if customer in kept.index:
            order = kept.loc[customer]
            in_archive = not pd.isna(order.archived_at) and order.archived_at <= ctx.as_of_date
            clauses.append(
                clause(
                    "billed_after_closure.archive_active",
                    order=order.order_id,
                    effective=order.effective_date,
                    archived=order.archived_at,
                )
                if in_archive
                else clause(
                    "billed_after_closure.never_archived",
                    order=order.order_id,
                    effective=order.effective_date,
                )
            )
            first = min(first, order.effective_month)
        evidence.append(clauses)
        month_from.append(first)
        month_to.append(last)
        score.append(0.8 if customer in billed.index else 0.5)
    return raw(cust, month_from, month_to, evidence, np.zeros(len(cust)), score)


def _closures(ctx: RuleContext) -> pd.DataFrame:
    """Closure orders in effect by the audit date, each with the month its customer was
    connected again after it: a new-connection order, or the archive's connection date where
    it follows the closure (beyond the audit month where neither does)."""
    closures = ctx.orders_of("closure")
    effective = closures["effective_date"].to_numpy(dtype="datetime64[ns]")
    closures = closures[
        (closures["cust"] >= 0).to_numpy() & (effective <= np.datetime64(ctx.as_of_date))
    ]
    closures = closures[["order_id", "cust", "effective_date", "effective_month", "archived_at"]]
    closures = closures.astype({"cust": np.int64, "effective_month": np.int64})
    closures = closures.assign(reconnected=_reconnected(ctx, closures))
    return closures.sort_values(["cust", "effective_month"], kind="stable", ignore_index=True)


def latest_connections(ctx: RuleContext) -> pd.DataFrame:
    """Each customer's latest `new_connection` order (customers of the archive only): the
    connection that dates its account, over the archive's `connection_date`."""
    connections = ctx.orders_of("new_connection")
    connections = connections[connections["cust"] >= 0].sort_values(
        ["cust", "effective_month"], kind="stable"
    )
    return connections.drop_duplicates("cust", keep="last")


def _reconnected(ctx: RuleContext, closures: pd.DataFrame) -> np.ndarray:
    """Per closure of `closures` (cust, effective_month, effective_date), in their order: the
    month its customer was connected again, a new-connection order in a later month, or the
    archive's connection date where it follows the closure (the month after the audit month
    where neither does)."""
    connections = ctx.orders_of("new_connection")
    connections = pd.DataFrame(
        {
            "cust": connections["cust"].to_numpy(dtype=np.int64),
            "reconnected": connections["effective_month"].to_numpy(dtype=np.int64),
        }
    ).sort_values("reconnected", kind="stable")
    cust = closures["cust"].to_numpy(dtype=np.int64)
    probe = pd.DataFrame(
        {
            "position": np.arange(len(closures)),
            "cust": cust,
            "month": closures["effective_month"].to_numpy(dtype=np.int64),
        }
    ).sort_values("month", kind="stable")
    joined = pd.merge_asof(
        probe,
        connections,
        left_on="month",
        right_on="reconnected",
        by="cust",
        direction="forward",
        allow_exact_matches=False,
    )
    by_order = np.empty(len(closures), dtype=np.int64)
    by_order[joined["position"].to_numpy()] = (
        joined["reconnected"].fillna(ctx.as_of + 1).to_numpy(dtype=np.int64)
    )
    archive_date = ctx.customers["connection_date"].to_numpy(dtype="datetime64[ns]")[cust]
    archive_month = date_month_number(ctx.customers["connection_date"])[cust]
    later = archive_date > closures["effective_date"].to_numpy(dtype="datetime64[ns]")
    return np.where(later, np.minimum(by_order, archive_month), by_order)


def _charged_after(
    ctx: RuleContext, ends: pd.DataFrame, date_column: str, grace_months: int
) -> pd.DataFrame:
    """Bills that charged something (kWh or money) for a time after each end date of `ends`
    (customer `cust`, the date in `date_column`): a month past the end's month plus
    `grace_months`, whose read period (where the bill records one) began after the end. Each
    bill once, against the latest end before it."""
    rows = rows_of(ctx, ends["cust"].to_numpy())
    kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)[rows]
    amount = ctx.bills["amount"].to_numpy(dtype=float)[rows]
    charged = (np.nan_to_num(kwh) > 0) | (np.nan_to_num(amount) != 0)
    rows, kwh, amount = rows[charged], kwh[charged], amount[charged]
    bills = pd.DataFrame(
        {
            "row": rows,
            "cust": ctx.bill_customer[rows].astype(np.int64),
            "month": ctx.bill_month[rows].astype(np.int64),
            "read_from": ctx.bills["read_from"].to_numpy(dtype="datetime64[ns]")[rows],
            "kwh": kwh,
            "amount": amount,
        }
    ).sort_values("month", kind="stable")
    ends = ends.assign(
        end_month=date_month_number(ends[date_column]),
        end_date=ends[date_column].to_numpy(dtype="datetime64[ns]"),
    ).sort_values("end_month", kind="stable")
    joined = pd.merge_asof(
        bills,
        ends,
        left_on="month",
        right_on="end_month",
        by="cust",
        direction="backward",
        allow_exact_matches=False,
    )
    read_from = joined["read_from"].to_numpy(dtype="datetime64[ns]")
    end_date = joined["end_date"].to_numpy(dtype="datetime64[ns]")
    after = (joined["month"] > joined["end_month"] + grace_months).to_numpy() & (
        np.isnat(read_from) | (read_from > end_date)
    )
    return joined[after & ~np.isnat(end_date)].sort_values("row", ignore_index=True)


def _billed_after_summary(after: pd.DataFrame) -> pd.DataFrame:
    """Per customer: the bills after its end (count, months, kWh, amount) and the order or date
    they follow (the first one's)."""
    return after.groupby("cust", sort=True).agg(
        order_id=("order_id", "first"),
        effective_date=("effective_date", "first"),
        bills=("row", "size"),
        month_from=("month", "min"),
        month_to=("month", "max"),
        kwh=("kwh", "sum"),
        amount=("amount", "sum"),
    )


@rule(
    "temporary_supply_overrun",
    area="capacity",
    needs=("customers.supply_type", "customers.supply_end_date"),
    params=("grace_months",),
    severity="medium",
    revenue_kind="proved",
)
def temporary_supply_overrun(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """Temporary supplies (临时用电) billed for a time after their end date, the latest extension
    order's new end date counting as the end. No revenue: the energy was billed at its tariff;
    the supply itself should have ended or become a permanent connection."""
    customers = ctx.customers
    temporary = (customers["supply_type"] == "temporary").to_numpy(dtype=bool)
    end = customers["supply_end_date"].to_numpy(dtype="datetime64[ns]")
    cust = np.flatnonzero(temporary & ~np.isnat(end))
    if not len(cust):
        return empty_raw()
    ends = pd.DataFrame({"cust": cust.astype(np.int64), "archive_end": end[cust]})
    extended, notes = _extensions(ctx)
    ends = ends.merge(extended, on="cust", how="left")
    later = ends["extended_to"].to_numpy(dtype="datetime64[ns]")
    archive_end = ends["archive_end"].to_numpy(dtype="datetime64[ns]")
    ends["end"] = np.where(~np.isnat(later) & (later > archive_end), later, archive_end)
    after = _charged_after(ctx, ends, "end", params["grace_months"])
    found = _overrun_findings(after) if len(after) else empty_raw()
    found.attrs["notes"] = notes
    return found


def _overrun_findings(after: pd.DataFrame) -> pd.DataFrame:
    """One finding per temporary supply billed after its end: its bills, kWh and money."""
    found = after.groupby("cust", sort=True).agg(
        end=("end", "first"),
        extension=("extension", "first"),
        bills=("row", "size"),
        month_from=("month", "min"),
        month_to=("month", "max"),
        kwh=("kwh", "sum"),
        amount=("amount", "sum"),
    )
    evidence = []
    for row in found.itertuples():
        extension = (
            []
            if pd.isna(row.extension)
            else [clause("temporary_supply.extended", order=row.extension)]
        )
        evidence.append(
            [
                clause(
                    "temporary_supply_overrun",
                    end=row.end,
                    bills=row.bills,
                    months=(row.month_from, row.month_to),
                    kwh=row.kwh,
                    amount=row.amount,
                ),
                *extension,
            ]
        )
    months = (found["month_to"] - found["month_from"] + 1).to_numpy()
    return raw(
        found.index.to_numpy(),
        found["month_from"],
        found["month_to"],
        evidence,
        np.zeros(len(found)),
        np.minimum(1.0, 0.5 + months / 12),
    )


def _extensions(ctx: RuleContext) -> tuple[pd.DataFrame, list[str]]:
    """Per customer, the latest end date a temporary_supply order extended its supply to, and
    that order; and a note for each order whose new value is no date (it extends nothing)."""
    orders = ctx.orders_of("temporary_supply")
    orders = orders[orders["cust"] >= 0]
    new_end = _end_dates(orders["new_value"])
    unreadable = new_end.isna().to_numpy() & orders["new_value"].fillna("").str.strip().ne("")
    notes = [
        f"temporary_supply_overrun: work order {order_id} extends to {value!r}, not a date "
        "(YYYY-MM-DD): the extension is not counted"
        for order_id, value in zip(
            orders["order_id"][unreadable], orders["new_value"][unreadable], strict=True
        )
    ]
    orders = orders.assign(extended_to=new_end)[new_end.notna().to_numpy()]
    latest = orders.sort_values(["cust", "extended_to"], kind="stable").drop_duplicates(
        "cust", keep="last"
    )
    extended = pd.DataFrame(
        {
            "cust": latest["cust"].to_numpy(dtype=np.int64),
            "extended_to": latest["extended_to"].to_numpy(dtype="datetime64[ns]"),
            "extension": latest["order_id"].to_numpy(dtype=object),
        }
    )
    return extended, notes


def _end_dates(values: pd.Series) -> pd.Series:
    """Dates written in a work order's text value: YYYY-MM-DD, or the same with '/' or '.',
    or YYYYMMDD, as billing systems write them; NaT for anything else."""
    text = values.astype("string").str.strip().str.replace(r"[/.]", "-", regex=True)
    compact = text.str.fullmatch(r"\d{8}").fillna(False)
    text = text.where(~compact, text.str[:4] + "-" + text.str[4:6] + "-" + text.str[6:])
    padded = text.str.replace(r"-(\d)(?=-|$)", r"-0\1", regex=True)
    return pd.to_datetime(padded, errors="coerce", format="%Y-%m-%d")


@rule(
    "duplicate_account",
    area="routine",
    needs=("customers.name|customers.phone", "customers.address|customers.phone"),
    params=("max_phone_accounts",),
    severity="low",
    revenue_kind="proved",
)
def duplicate_account(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """Active accounts archived twice (一址多户 / 重复建档): of one usage type, the same name and
    address, or the same phone (with the same name where the archive records names) on at most
    `max_phone_accounts` active accounts at the same address (or none recorded on either). The
    name match compares whole addresses, normalized (`addresses.address_codes`: one common name
    at 人民路12号 of two cities is two people); the phone match, the stronger sign, compares
    them from the street on (`addresses.street_codes`: 城东区建设路1号 is 建设路1号). A home and a shop of one owner at one address (two usage
    types) are metered apart legally, and so are an owner's two flats carrying the owner's
    phone: two addresses, or two rooms, are two supply points. The earliest connected
    account of a group (then the lowest id) is the original; each other one is a finding naming
    it. No revenue: a duplicate record is an archive defect, whatever it was billed."""
    customers = ctx.customers
    active = np.flatnonzero((customers["status"] == "active").to_numpy(dtype=bool))
    if not len(active):
        return empty_raw()
    name = name_codes(customers["name"])[active]
    address = address_codes(customers["address"])[active]
    street = street_codes(customers["address"])[active]
    phone = phone_codes(customers["phone"])[active]
    usage_type = customers["usage_type"]
    missing_usage = (usage_type.isna() | (usage_type == "")).to_numpy(dtype=bool)
    usage = np.where(missing_usage, -1, pd.factorize(usage_type)[0])[active]  # -1: no match
    same_place = _duplicates(
        customers, active, (name >= 0) & (address >= 0) & (usage >= 0), name, address, usage
    )
    same_place["match"] = "name_address"
    # One phone on other holders' accounts is a family's or a landlord's contact: a phone
    # matches with the name where the archive records one, alone where it records none, and at
    # one address only: an owner's phone on the owner's two homes is no duplicate.
    accounts_of_phone = np.bincount(phone[phone >= 0], minlength=1)
    phone_accounts = accounts_of_phone[phone]
    shared = (phone >= 0) & (phone_accounts >= 2)
    shared &= phone_accounts <= params["max_phone_accounts"]
    # name + 1, street + 1: no name or no address recorded (-1) is a key of its own here.
    same_phone = _duplicates(
        customers, active, shared & (usage >= 0), phone, name + 1, usage, street + 1
    )
    named = name[same_phone["row"].to_numpy()] >= 0
    same_phone["match"] = np.where(named, "name_phone", "phone")
    found = pd.concat([same_place, same_phone], ignore_index=True).drop_duplicates(
        "row", keep="first"
    )  # the name and address match first: the stronger sign
    if found.empty:
        return empty_raw()
    found["cust"] = active[found["row"].to_numpy()].astype(np.int64)
    found = found.sort_values("cust", ignore_index=True)
    evidence = [
        [
            clause(
                f"duplicate_account.{row.match}",
                original=row.original,
                connected=row.original_connected,
                accounts=row.accounts,
            )
        ]
        for row in found.itertuples()
    ]
    # From the duplicate's connection (the data's first month at the earliest), so the same
    # duplicate is the same finding whatever the audit month.
    connected = date_month_number(customers["connection_date"].iloc[found["cust"]])
    month_from = np.clip(connected, ctx.first_month, ctx.as_of)
    month_to = np.full(len(found), ctx.as_of)
    score = np.where(found["match"] == "name_address", 0.7, 0.5)
    return raw(found["cust"], month_from, month_to, evidence, np.zeros(len(found)), score)


def _duplicates(
    customers: pd.DataFrame, active: np.ndarray, compared: np.ndarray, *keys: np.ndarray
) -> pd.DataFrame:
    """The active accounts (rows of `active`, the customers' positions) among the `compared`
    ones sharing every key (codes, one a row) with another: each but the original of its group,
    the earliest connected (then the lowest customer id, then the first row): its row, the
    original's id and connection date, and the group's size."""
    rows = np.flatnonzero(compared)
    for key in keys:  # a row whose key no other row has is in no group: out before grouping
        rows = rows[np.bincount(key[rows])[key[rows]] >= 2]
    group = np.zeros(len(rows), dtype=np.int64)
    for key in keys:  # codes below the rows' count: each pair's code stays within int64
        group = pd.factorize(group * (key.max(initial=0) + 1) + key[rows])[0]
    size = np.bincount(group)[group]
    rows, group, size = rows[size >= 2], group[size >= 2], size[size >= 2]
    at = active[rows]
    candidates = pd.DataFrame(
        {
            "row": rows,
            "group": group,
            "accounts": size,
            "customer_id": customers["customer_id"].iloc[at].astype(str).to_numpy(dtype=object),
            "connected": pd.to_datetime(customers["connection_date"].iloc[at]).to_numpy(),
        }
    ).sort_values(["connected", "customer_id"], kind="stable", na_position="last")
    original = candidates.drop_duplicates("group", keep="first").set_index("group")
    duplicate = candidates[candidates.duplicated("group", keep="first")]
    return pd.DataFrame(
        {
            "row": duplicate["row"].to_numpy(),
            "original": original["customer_id"].reindex(duplicate["group"]).to_numpy(),
            "original_connected": original["connected"].reindex(duplicate["group"]).to_numpy(),
            "accounts": duplicate["accounts"].to_numpy(),
        }
    )

"""Months an account may rightly use nothing, or go without a bill: one judgement for
zero_consumption (its runs of zero bills) and unbilled_account (its runs of months unbilled).

- `stopped_by_order`: under a suspension up to its resumption, or a meter removal (暂拆) registered
  or archived by the audit date, for at most `max_removal_months` (`removal_spans`); the spans
  themselves (`stopped_spans`) judge months with no bill alike (`under_spans`).
- `off_seasons`: the customer's off-season (an irrigation pump's winter, a summer resort's closed
  months): at most `max_off_season_months`, the same months idle in the other years with no order,
  and use around them. A billing system that issues no bill in a month of 0 kWh leaves those
  months unbilled, not zero: unbilled_account counts such a month as idle.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pandas as pd

from auditkit.rules.context import RuleContext, customer_keys
from auditkit.rules.findings import rows_of

#: The columns of a work order that date its steps past issue: transferred (传递), registered
#: (登记), archived (归档); optional (docs/data.md): where the export has none of the columns, a
#: removal's registration is unknown (an order with them empty is known unregistered).
REGISTRATION_DATES = ("transferred_at", "registered_at", "archived_at")

#: Per (customer, month) with no bill: whether the month counts as idle, and whether it stands
#: against an off-season (a bill missing; a pause under an order is neither).
UnbilledState = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def removal_spans(
    ctx: RuleContext,
    kwh: np.ndarray,
    max_removal_months: int,
    min_months: int,
    first_month: int | None = None,
) -> pd.DataFrame:
    """Each meter removal (暂拆) registered or archived by the audit date as a span (cust,
    effective_month, end_month, the month it stops explaining): from its month until the
    customer's bills record energy again after its month (no order marks the meter put back;
    the order's own month may hold its last use), for at most `max_removal_months` whole months
    (a removal is temporary, as a suspension is; zeros or missing bills past it are a meter
    left away, or a supply past it). Removals re-registered with the meter still away are one
    (`_chained_ends`, fewer than `min_months` between a term and the next). An order only
    issued proves nothing was taken away; where the orders have no registration columns
    (`registration_unknown`), every removal counts. Bills
    before `first_month` are not read (`bills_from`)."""
    orders = ctx.orders_of("meter_removal")
    if orders.empty:  # no work orders at all: no registration dates to read either
        return pd.DataFrame({"cust": [], "effective_month": [], "end_month": []}, dtype=np.int64)
    known = (orders["cust"] >= 0).to_numpy(copy=True)
    if not registration_unknown(ctx):
        on_file = orders["registered_at"].fillna(orders["archived_at"])
        known &= (on_file <= ctx.as_of_date).to_numpy()
    orders = orders[known]
    cust = orders["cust"].to_numpy(dtype=np.int64)
    start = orders["effective_month"].to_numpy(dtype=np.int64)
    rows = bills_from(ctx, cust, first_month)
    used = rows[kwh[rows] > 0]
    used_keys = customer_keys(ctx.bill_customer[used], ctx.bill_month[used])
    # The first month with energy of the order's customer after its month, else the term's end
    # (its months counted from the first whole month without the meter).
    after = np.searchsorted(used_keys, customer_keys(cust, start + 1), "left")
    found = after < len(used)
    found[found] = ctx.bill_customer[used[after[found]]] == cust[found]
    mid_month = (orders["effective_date"].dt.day > 1).to_numpy(dtype=np.int64)
    use = np.full(len(cust), np.iinfo(np.int64).max)
    use[found] = ctx.bill_month[used[after[found]]]
    end = _chained_ends(cust, start, start + mid_month + max_removal_months, use, min_months)
    return pd.DataFrame({"cust": cust, "effective_month": start, "end_month": end})


def _chained_ends(
    cust: np.ndarray,
    start: np.ndarray,
    term_end: np.ndarray,
    use: np.ndarray,
    min_months: int,
) -> np.ndarray:
    """Per removal: the end of its term (`term_end`, the first month it no longer excuses) or
    the month energy is billed again after it (`use`), the earlier. A removal of one customer
    ordered less than `min_months` after the end of the term of the one before it (a shorter
    gap is no run to list), the meter not back (no energy billed up to its month), continues
    that removal: its term ends where the first one's does (a removal re-registered every 6 or
    7 months stays one, for at most `max_removal_months`)."""
    chain_end = term_end.copy()
    order = np.lexsort((start, cust))
    for previous, current in itertools.pairwise(order):
        # Its term ran out, the meter still away up to the next order's month.
        away = use[previous] > max(term_end[previous], start[current])
        soon = start[current] - term_end[previous] < min_months
        if cust[current] == cust[previous] and away and soon:
            chain_end[current] = chain_end[previous]
    return np.minimum(chain_end, use)


def registration_unknown(ctx: RuleContext) -> bool:
    """The work orders as given (`ctx.source`, before the context adds the contract's absent
    columns empty) have none of `REGISTRATION_DATES`: the export left them out, and whether a
    removal was registered is unknown, so a removal the orders name is taken as one. Decided
    on the columns' absence, not on their cells: a part of the accounts holds only some
    orders, and a column empty in one part may be filled in another (whole and parts alike)."""
    orders = getattr(ctx.source, "work_orders", None)
    if orders is None:
        orders = ctx.work_orders
    if orders is None:
        return False
    return not any(column in orders.columns for column in REGISTRATION_DATES)


def registration_notes(ctx: RuleContext, rule_id: str) -> list[str]:
    """The note of rule `rule_id` where meter removals are judged with their registration
    unknown (`registration_unknown`)."""
    if not registration_unknown(ctx) or ctx.orders_of("meter_removal").empty:
        return []
    columns = ", ".join(f"work_orders.{column}" for column in REGISTRATION_DATES)
    return [
        f"{rule_id}: {columns} missing: a meter removal's registration is unknown, "
        "so each removal excuses its months (for at most max_removal_months)"
    ]


def bills_from(ctx: RuleContext, customers: np.ndarray, first_month: int | None) -> np.ndarray:
    """The bills' positions of `customers` (`rows_of`), from `first_month` on where one is given:
    a rule whose whole-dataset input holds only its window's bills judges by those in memory
    too, so that the whole dataset and its parts find the same."""
    rows = rows_of(ctx, customers)
    if first_month is None:
        return rows
    return rows[ctx.bill_month[rows] >= first_month]


def stopped_by_order(
    ctx: RuleContext,
    kwh: np.ndarray,
    max_removal_months: int,
    min_months: int,
    first_month: int | None = None,
) -> np.ndarray:
    """Per bill: its month is under an order after which an active account may rightly use
    nothing: a suspension up to its resumption, or a registered meter removal
    (`removal_spans`, reading the bills from `first_month`). A closure explains no zero of an
    active account: the customer was not closed."""
    return ctx.inside_spans(stopped_spans(ctx, kwh, max_removal_months, min_months, first_month))


def stopped_spans(
    ctx: RuleContext,
    kwh: np.ndarray,
    max_removal_months: int,
    min_months: int,
    first_month: int | None = None,
) -> pd.DataFrame:
    """The spans (cust, effective_month, end_month) of `stopped_by_order`: each suspension up
    to its resumption, and each registered meter removal (`removal_spans`). Months with no bill
    are judged by them as bills are (`under_spans`)."""
    suspensions = ctx.suspension_spans[["cust", "effective_month", "end_month"]]
    removals = removal_spans(ctx, kwh, max_removal_months, min_months, first_month)
    return pd.concat([suspensions, removals], ignore_index=True)


def under_spans(
    ctx: RuleContext,
    spans: pd.DataFrame,
    cust: np.ndarray,
    month_from: np.ndarray,
    month_to: np.ndarray,
) -> np.ndarray:
    """Per interval of months (`cust`, `month_from`..`month_to`, both included): one month of
    it at least falls in one of the customer's `spans` (from effective_month up to, not
    including, end_month; to the audit month where end_month is NaN), as `ctx.inside_spans`
    judges a bill's month. An empty interval falls in none."""
    if spans.empty or not len(cust):
        return np.zeros(len(cust), dtype=bool)
    asks = pd.DataFrame(
        {"at": np.arange(len(cust)), "cust": cust, "low": month_from, "high": month_to}
    ).merge(spans, on="cust")
    end = asks["end_month"].fillna(ctx.as_of + 1).to_numpy()
    low, high = asks["low"].to_numpy(), asks["high"].to_numpy()
    hit = (low <= high) & (asks["effective_month"].to_numpy() <= high) & (end > low)
    return np.bincount(asks["at"].to_numpy()[hit], minlength=len(cust)) > 0


def issues_zero_bills(
    ctx: RuleContext,
    kwh: np.ndarray,
    min_zero_bill_share: float,
    min_zero_bills: int,
    first_month: int | None = None,
) -> np.ndarray:
    """Per customer: at least `min_zero_bill_share` of its district's bills (the billing unit;
    from `first_month` where given), and at least `min_zero_bills` of them, are of 0 kWh: its
    billing system issues a bill for a month of no use, so a month with no bill there is a bill
    missing, not an idle month. Elsewhere the system may export none (an off-season's months
    unbilled rather than zero): a system that bills idle months bills every vacant house and
    every season at 0 kWh, while one 0 kWh bill (a correction, a holiday) in a district that
    exports none would otherwise decide for all. The count judges a small district, where one
    bill is already a large share (1 of a 5-customer district's 60 a year is 1.7%)."""
    district = pd.factorize(ctx.customers["district"], use_na_sentinel=False)[0]
    known = ctx.bill_customer >= 0
    if first_month is not None:
        known &= ctx.bill_month >= first_month
    count = district.max(initial=-1) + 1
    bills = np.bincount(district[ctx.bill_customer[known]], minlength=count)
    zero = known & (kwh == 0)
    zeros = np.bincount(district[ctx.bill_customer[zero]], minlength=count)
    issues = zeros >= min_zero_bill_share * np.maximum(bills, 1)
    return (issues & (zeros >= max(min_zero_bills, 1)))[district]


def missing_bills(
    ctx: RuleContext,
    kwh: np.ndarray,
    stopped: np.ndarray,
    spans: pd.DataFrame,
    min_missing_months: int,
) -> UnbilledState:
    """What a month with no bill says of zero_consumption's off-season: idle where fewer than
    `min_missing_months` months in a row have no bill between two of the customer's bills at
    0 kWh (`kwh` per bill), neither `stopped` by an order (per bill) and the month under none of
    the `spans` (`stopped_spans`): unbilled_account lists no such gap, a month read with the next
    (双月抄表) leaves one, and zero_consumption joins such months into its run of zeros. No month
    with no bill stands against an off-season: a longer gap is unbilled_account's finding (a
    missed read), and a pause under an order says nothing of the use in the customer's other
    years, as a 0 kWh bill under one says nothing (`off_seasons`): one verdict whether the
    system exports such a month as a 0 kWh bill or none. Nothing else is idle (a run at 0 kWh
    shows its district issues bills at 0 kWh, `issues_zero_bills`). The customer's own bills
    tell it: a part of the accounts judges it as the whole dataset does."""
    keys = customer_keys(ctx.bill_customer, ctx.bill_month)

    def state(cust: np.ndarray, month: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # The customer's bills just before and just after the month (the bills come in
        # (customer, month) order), and the months between them with no bill.
        after = np.searchsorted(keys, customer_keys(cust, month), "right")
        before = after - 1
        between = (before >= 0) & (after < len(keys))
        before, after = np.where(between, before, 0), np.where(between, after, 0)
        between &= (ctx.bill_customer[before] == cust) & (ctx.bill_customer[after] == cust)
        gap = ctx.bill_month[after].astype(np.int64) - ctx.bill_month[before] - 1
        short = between & (gap < min_missing_months) & ~under_spans(ctx, spans, cust, month, month)
        idle_around = (kwh[before] == 0) & (kwh[after] == 0) & ~stopped[before] & ~stopped[after]
        return short & idle_around, np.zeros(len(cust), dtype=bool)

    return state


def off_seasons(
    ctx: RuleContext,
    runs: pd.DataFrame,
    kwh: np.ndarray,
    stopped: np.ndarray,
    max_off_season_months: int,
    unbilled: UnbilledState | None = None,
    first_month: int | None = None,
) -> np.ndarray:
    """Per run of idle months (cust, month_from, month_to): an off-season. It lasts at most
    `max_off_season_months`; in no other year known did its months bill energy, in one year at
    least all of them were idle, no order stopping them (`stopped`, per bill: a month under an
    order is neither idle nor against one, so a suspension last year alone makes no season of
    this year's zeros, nor does a winter suspended once take a seasonal customer's off-season
    from its other winters); and the customer used energy in the other months of its year
    and of each such year (the 12 − length months before and after the run: in one of them at
    least). A month is idle when billed 0 kWh, or where `unbilled` says so of a month with no
    bill (else a month with no bill tells nothing). Two years alike and no third to tell stay
    ambiguous (a summer closure two years running, or a meter dead the same months each year,
    is not listed). Bills before `first_month` are not read (`bills_from`)."""
    runs_cust = runs["cust"].to_numpy(dtype=np.int64)
    month_from = runs["month_from"].to_numpy(dtype=np.int64)
    length = runs["month_to"].to_numpy(dtype=np.int64) - month_from + 1
    if not len(runs):
        return np.zeros(0, dtype=bool)
    starts = np.cumsum(length) - length
    run_of_month = np.repeat(np.arange(len(runs)), length)
    cust = runs_cust[run_of_month]
    month = month_from[run_of_month] + np.arange(length.sum()) - starts[run_of_month]
    history = bills_from(ctx, runs_cust, first_month)
    keys = customer_keys(ctx.bill_customer[history], ctx.bill_month[history])

    def billed_at(cust: np.ndarray, month: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per (customer, month): billed, and the bill's row (any where not billed)."""
        if not len(keys):
            return np.zeros(len(cust), dtype=bool), np.zeros(len(cust), dtype=np.int64)
        wanted = customer_keys(cust, month)
        found = np.minimum(np.searchsorted(keys, wanted, "left"), len(keys) - 1)
        return keys[found] == wanted, history[found]

    # The months of each run's year outside it: the 12 − length before it and after it.
    other = 12 - np.minimum(length, 12)
    around_run = np.repeat(np.arange(len(runs)), 2 * other)
    step = np.arange(2 * other.sum()) - np.repeat(np.cumsum(2 * other) - 2 * other, 2 * other)
    half = np.repeat(other, 2 * other)
    around_month = np.where(
        step < half,
        month_from[around_run] - half + step,
        month_from[around_run] + length[around_run] + step - half,
    )
    around_cust = runs_cust[around_run]

    def used_around(shift: int) -> np.ndarray:
        """Per run: of the months around it `shift` months on, one at least billed energy (a
        run cut by the data's start or end may have off-season months in them)."""
        billed, at = billed_at(around_cust, around_month + shift)
        return np.bincount(around_run[billed & (kwh[at] > 0)], minlength=len(runs)) > 0

    seasonal = (length <= max_off_season_months) & used_around(0)
    compared = np.zeros(len(runs), dtype=bool)
    for years in (-3, -2, -1, 1, 2, 3):
        billed, at = billed_at(cust, month + 12 * years)
        idle = billed & (kwh[at] == 0) & ~stopped[at]
        # A month stopped by an order is neither: a pause says nothing of the season.
        against = billed & (kwh[at] > 0)
        if unbilled is not None:
            idle_unbilled, against_unbilled = unbilled(cust, month + 12 * years)
            idle |= ~billed & idle_unbilled
            against |= ~billed & against_unbilled
        seasonal &= ~np.logical_or.reduceat(against, starts)
        alike = np.logical_and.reduceat(idle, starts)
        compared |= alike
        seasonal &= ~alike | used_around(12 * years)
    return seasonal & compared

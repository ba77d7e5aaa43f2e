"""The bills still on the old terms of a change order that took effect (order_not_applied's).

order_not_applied prices them; the rules that would price the same bill's tariff or capacity
read here which bills it prices, so a yuan counts once (`bills_of_tariff_orders_not_applied`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditkit.billing.basic import CONTRACT_ORDERS
from auditkit.billing.bill_frame import LINE_TYPES
from auditkit.billing.energy import day_parts, kwh_before_change, priced_by_days, rate_change
from auditkit.billing.money import round_half_up
from auditkit.billing.tariff_lookup import NO_DAY, TariffLookup, day_numbers
from auditkit.rules.context import RuleContext
from auditkit.rules.findings import optional_values, rows_of
from auditkit.rules.shared import once_per_context
from auditkit.rules.tariff_due import (
    bills_of_flagged_customers,
    frozen_thresholds,
)
from auditkit.rules.worklist import bills_priced_by


def stale_bills(ctx: RuleContext, grace_months: int) -> pd.DataFrame:
    """The bills order_not_applied prices, one row per bill and kind of order in force (the
    latest of its kind by the bill's read dates, of two the later effective date, then the later
    row). An order covers the bills whose read period ends on or after its effective date
    (read_to, else the month's last day, as the recomputation dates the tariff due); a bill
    read wholly before it is on its old terms rightly, whatever its month.

    A capacity order's bill: still on the order's old capacity, of an order with such a bill
    `grace_months` or more after its effective month (late). A tariff order's bill: on the old
    tariff of it or of an earlier tariff order in force (not the latest's new tariff: orders
    back and forth), or on the latest's new tariff while an earlier order's days inside its
    read period are due another (RES → COM from 5 October, COM → RES from 20 October, billed
    RES; or COM → AGR from 20 October, billed AGR; order_not_applied counts such a bill at
    most what it lost as a whole), of an earlier order only where billing never applied it (no
    bill holding its days on its new tariff: one applied answers for no bill under a later
    order), where one of those orders is late: a bill so left `grace_months` or
    more after that order took effect, under it or a later order (two orders in a row not
    applied: the first is late though later bills fall under the second), or its first bill
    once the grace is over, under it still, on another tariff than its new one (billing moved
    to a third tariff), or, superseded by an order to another tariff before its grace was
    over, no bill of its days on its new tariff (`_superseded_unapplied`). The grace only
    decides whether an order is late: every such bill from its effective month on was
    under-billed.

    Columns: row, cust, month, tariff, capacity, effective, effective_day (its date), kind
    ('tariff' or 'capacity'), order_id, order_type, old, new, old_capacity, `share`: the
    part of the bill's kWh read from the effective date on (`share_from_change`; 1 where its
    read period begins on or after it), and named_order_id, named_order_type, named_old,
    named_new, named_effective: the order not applied the bill names (the one in force where
    the bill is stale by it, else the earliest earlier order whose days it left unpriced).
    Empty without such orders; a new frame per call."""
    joined = _bills_under_orders(ctx)
    if joined.empty:
        return pd.DataFrame()
    is_tariff = (joined["kind"] == "tariff").to_numpy()
    # Per (bill, tariff order in force): the bill is on the old tariff of this order or of an
    # earlier one.
    tariff, new = joined["tariff"].to_numpy(dtype=object), joined["new"].to_numpy()
    on_old = is_tariff & (tariff == joined["old"].to_numpy())
    by_bill = [joined["row"], joined["kind"]]
    covers = pd.Series(on_old).groupby(by_bill).cummax().to_numpy(dtype=bool)
    latest = ~joined.duplicated(["row", "kind"], keep="last").to_numpy()
    old_capacity = joined["old_capacity"].to_numpy(dtype=float)
    stale_of_latest = np.where(
        is_tariff,
        covers & (tariff != new),
        np.isclose(joined["capacity"].to_numpy(), old_capacity),
    )
    # An earlier tariff order whose days reach into the read period is stale there too where
    # the bill is not on its new tariff, billed on an old tariff of the orders or on the
    # latest's new one: orders back and forth inside one read period (RES → COM from 5
    # October, COM → RES from 20 October, billed RES) or on to a third tariff (COM → AGR from
    # 20 October, billed AGR) leave its days unpriced. Only an order billing never applied: one
    # applied (a bill holding its days on its new tariff: RES → COM from 5 March, billed COM
    # from April) left nothing to a bill under a later order billed on that order's new tariff
    # or its old one, dated by its read_to as the recomputation dates it, and answers for none.
    holds_days = latest | _days_in_read_period(joined)
    by_order = [joined["cust"], joined["order_id"]]
    applied = _applied(joined, is_tariff & holds_days, by_order)
    never_applied_earlier = is_tariff & ~latest & ~applied
    latest_new = pd.Series(np.where(latest, new, None)).groupby(by_bill).transform("last")
    on_latest_new = tariff == latest_new.to_numpy(dtype=object)
    covers_days = np.where(latest, covers, never_applied_earlier & (covers | on_latest_new))
    stale_earlier = never_applied_earlier & holds_days & covers_days & (tariff != new)
    # Each pair carries its bill's staleness: a bill over-billed as a whole is priced too, its
    # part capped at what it lost (`order_not_applied`).
    stale_pair = np.where(latest, stale_of_latest, stale_earlier)
    stale = pd.Series(stale_pair).groupby(by_bill).transform("max").to_numpy(dtype=bool)
    # A capacity order answers for the bills it is the latest of; a tariff order for the bills
    # left on its old tariff or an earlier one under it, and, billing never applied it, under
    # later orders too and for the bills billing moved on to the latest order's new tariff
    # while its days are due its own.
    answers = stale & np.where(is_tariff, covers_days, latest)
    month = joined["month"].to_numpy(dtype=np.int64)
    after_grace = month >= joined["effective"].to_numpy(dtype=np.int64) + grace_months
    left_late = pd.Series(answers & after_grace).groupby(by_order).transform("max")
    # A tariff order is late too where its first bill once the grace is over (under it still)
    # is not on its new tariff: billing never applied it, moving to a third tariff instead.
    judged = latest & is_tariff & after_grace
    first = pd.Series(np.where(judged, month, np.iinfo(np.int64).max))
    first = first.groupby(by_order).transform("min").to_numpy()
    at_grace_end = judged & (month == first)
    off_new = at_grace_end & (tariff != new)
    moved_off = pd.Series(off_new).groupby(by_order).transform("max")
    late = left_late.to_numpy(dtype=bool) | moved_off.to_numpy(dtype=bool)
    late |= _superseded_unapplied(joined, is_tariff & holds_days, applied, judged, by_order)
    priced = pd.Series(answers & late).groupby(by_bill).transform("max")
    kept = latest & stale & priced.to_numpy(dtype=bool)
    found = joined.loc[kept].reset_index(drop=True)
    # The order a bill names: the one in force where the bill is stale by it, else the
    # earliest earlier order whose days it left unpriced (RES → COM from 5 October, COM → RES
    # from 20 October, billed RES: RES → COM was not applied, not COM → RES).
    position = np.arange(len(joined))
    own = np.where(
        latest & stale_of_latest, -1, np.where(stale_pair & answers, position, len(joined))
    )
    first_named = pd.Series(own).groupby(by_bill).transform("min").to_numpy()
    named = np.where(first_named < 0, position, first_named)[kept]
    for column in ("order_id", "order_type", "old", "new", "effective"):
        found[f"named_{column}"] = joined[column].to_numpy()[named]
    found["share"] = share_from_change(
        ctx,
        found["row"].to_numpy(),
        found["read_from"].to_numpy("datetime64[D]"),
        found["read_to"].to_numpy("datetime64[D]"),
        found["effective_day"].to_numpy("datetime64[D]"),
    )
    return found.drop(columns=["position", "read_from", "read_to", "until"])


def earlier_tariff_days(ctx: RuleContext, hits: pd.DataFrame) -> pd.DataFrame:
    """Per tariff order's bill of `hits` (`stale_bills`), the days of its read period before
    its order's effective date that earlier tariff orders in force put on their new tariffs
    (of two orders inside one read period, IND → COM from 28 May and COM → AGR from 10 June,
    the days from 28 May to 9 June are due COM): one row per such bill and earlier order,
    `at` (the bill's position in `hits`), `row`, `new`, `since` (the order's effective date)
    and `until` (the next order's: the first day not its), where those days reach into the
    read period. `rank`: 0 for a bill's first such order, 1 for its next."""
    columns = ["at", "row", "new", "since", "until", "rank"]
    tariff_hits = np.flatnonzero((hits["kind"] == "tariff").to_numpy())
    joined = _bills_under_orders(ctx)
    if not len(tariff_hits) or joined.empty:
        return pd.DataFrame(columns=columns)
    last_of_bill = ~joined.duplicated(["row", "kind"], keep="last").to_numpy()
    earlier = joined[
        (joined["kind"] == "tariff").to_numpy()
        & ~last_of_bill
        & (joined["until"] > joined["read_from"]).to_numpy()
        & np.isin(joined["row"].to_numpy(), hits["row"].to_numpy()[tariff_hits])
    ]
    rows = hits["row"].to_numpy()[tariff_hits]  # ascending: one tariff order per bill
    found = pd.DataFrame(
        {
            "at": tariff_hits[np.searchsorted(rows, earlier["row"].to_numpy())],
            "row": earlier["row"].to_numpy(),
            "new": earlier["new"].to_numpy(dtype=object),
            "since": earlier["effective_day"].to_numpy(dtype="datetime64[D]"),
            "until": earlier["until"].to_numpy(dtype="datetime64[D]"),
        }
    )
    found["rank"] = found.groupby("row").cumcount().to_numpy()
    return found[columns]


def _days_in_read_period(joined: pd.DataFrame) -> np.ndarray:
    """Per pair of `_bills_under_orders`, whether some day of the read period is under the
    pair's order: before the bill's next order of the kind (`until`; every pair but a bill's
    latest has one)."""
    first_day = np.maximum(
        joined["read_from"].to_numpy("datetime64[D]"),
        joined["effective_day"].to_numpy("datetime64[D]"),
    )
    return joined["until"].to_numpy("datetime64[D]") > first_day


def _applied(joined: pd.DataFrame, holding: np.ndarray, by_order: list[pd.Series]) -> np.ndarray:
    """Per pair of `_bills_under_orders`, whether billing applied its tariff order: some bill
    holding a day of it (`holding`) is on its new tariff."""
    on_new = holding & (joined["tariff"].to_numpy(dtype=object) == joined["new"].to_numpy())
    return pd.Series(on_new).groupby(by_order).transform("max").to_numpy(dtype=bool)


def _superseded_unapplied(
    joined: pd.DataFrame,
    holding: np.ndarray,
    applied: np.ndarray,
    judged: np.ndarray,
    by_order: list[pd.Series],
) -> np.ndarray:
    """Per pair of `_bills_under_orders`, whether its tariff order was superseded by an order
    to another tariff before its grace was over (no bill once the grace is over falls under it:
    `judged` marks those that do) and billing never applied it (`applied`, `_applied` of
    `holding`: the bills holding a day of it). The bill that held its days was its only chance,
    so it is late. An order re-issued to the same tariff (a correction) leaves the later one to
    judge."""
    new = joined["new"].to_numpy(dtype=object)
    next_new = joined.groupby(["row", "kind"], sort=False)["new"].shift(-1)
    next_new = next_new.to_numpy(dtype=object)
    superseded = ~pd.isna(next_new) & (next_new != new)
    per_order = pd.DataFrame(
        {"holding": holding, "judged": judged, "superseded": superseded}
    ).groupby(by_order)
    held = per_order["holding"].transform("max").to_numpy(dtype=bool)
    judged_later = per_order["judged"].transform("max").to_numpy(dtype=bool)
    replaced = per_order["superseded"].transform("max").to_numpy(dtype=bool)
    return held & replaced & ~applied & ~judged_later


@once_per_context
def _bills_under_orders(ctx: RuleContext) -> pd.DataFrame:
    """Each bill joined with each tariff or capacity order of its customer in force by its
    read dates (its read period ends on or after the effective date), by bill, kind, effective
    date and the orders' row order; `until`: the effective date of the bill's next order of
    the kind (NaT on its latest). Empty without such orders."""
    orders = ctx.orders_of("tariff_change", *CONTRACT_ORDERS)
    orders = orders[(orders["cust"] >= 0) & (orders["effective_month"] >= 0)]
    if orders.empty:
        return pd.DataFrame()
    is_tariff_order = (orders["order_type"] == "tariff_change").to_numpy()
    table = pd.DataFrame(
        {
            "cust": orders["cust"].to_numpy(),
            "effective": orders["effective_month"].to_numpy(),
            "effective_day": orders["effective_date"].to_numpy(dtype="datetime64[D]"),
            "position": np.arange(len(orders)),  # the orders' row order, as the table has it
            "kind": np.where(is_tariff_order, "tariff", "capacity"),
            "order_id": orders["order_id"].to_numpy(),
            "order_type": orders["order_type"].to_numpy(),
            "old": orders["old_value"].to_numpy(dtype=object),
            "new": orders["new_value"].to_numpy(dtype=object),
            # A capacity order's old value as a number, read once per order (not per joined bill)
            "old_capacity": pd.to_numeric(orders["old_value"], errors="coerce").to_numpy(float),
        }
    )
    rows = rows_of(ctx, table["cust"].to_numpy())
    read_from, read_to = ctx.read_days(rows)
    bills = pd.DataFrame(
        {
            "row": rows,
            "cust": ctx.bill_customer[rows],
            "month": ctx.bill_month[rows],
            "read_from": read_from,
            "read_to": read_to,
            "tariff": ctx.bills["tariff_billed"].iloc[rows].to_numpy(dtype=object),
            "capacity": optional_values(ctx.bills, "capacity_billed_kva")[rows],
        }
    )
    joined = bills.merge(table, on="cust")
    joined = joined[joined["read_to"] >= joined["effective_day"]]
    joined = joined.sort_values(["row", "kind", "effective_day", "position"], kind="stable")
    joined = joined.reset_index(drop=True)
    next_of_kind = joined.groupby(["row", "kind"], sort=False)["effective_day"].shift(-1)
    joined["until"] = next_of_kind.to_numpy(dtype="datetime64[D]")
    return joined


def share_from_change(
    ctx: RuleContext,
    rows: np.ndarray,
    read_from: np.ndarray,
    read_to: np.ndarray,
    change: np.ndarray,
) -> np.ndarray:
    """Per bill of `rows` (read `read_from`..`read_to`), the part of its kWh billed used from
    day `change` on, as a bill split at a change inside its read period prices each part on its
    own terms: the kWh of the days before prorated by read days to the hundredth of a kWh
    (`auditkit.billing.energy.kwh_before_change`), the rest after; by days where it billed no
    kWh. 1 where the read period begins on or after `change`."""
    days_before = np.maximum((change - read_from).astype(np.int64), 0)
    read_days = (read_to - read_from).astype(np.int64) + 1
    kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)[rows]
    after = kwh - kwh_before_change(kwh, days_before, read_days)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(kwh != 0, after / kwh, (read_days - days_before) / read_days)


def energy_difference_from(
    ctx: RuleContext,
    rows: np.ndarray,
    new: np.ndarray,
    change: np.ndarray,
    until: np.ndarray | None = None,
) -> np.ndarray:
    """Per bill of `rows` (ascending, unique), what its energy lines' kWh used from day `change`
    on (to the day before `until`, where given and not NaT: one segment of a bill split at two
    orders) charge on the tariff `new` (names) less on the tariff billed, as a bill split at
    those days prices each part: each recomputed energy line (its kWh billed) first split where
    the tariff billed's rate changed inside the read period, as the recomputation splits it
    (`auditkit.billing.energy`), then each part split at `change` and `until` by its own days
    (`kwh_before_change`: the kWh of the days before each), the segment's kWh priced once on
    `new` (split again where its rate changed inside them), to the fen, against what the line
    billed beyond the days before the segment less beyond the days through it. The segments of a
    bill so add up to the bill split at every order. The days before `change` stay on the tariff
    billed, and a 25th-to-24th bill's May days at May's rates. NaN where a rate is missing."""
    rc, lookup = ctx.recomputed, ctx.tariff_lookup
    energy = np.flatnonzero(
        (rc.line_type == LINE_TYPES.index("energy")) & np.isin(rc.row, rows) & rc.billed
    )
    bill = np.searchsorted(rows, rc.row[energy])
    read_from, read_to = ctx.read_days(rows)
    first, last = day_numbers(read_from)[bill], day_numbers(read_to)[bill]
    volts = ctx.customers["voltage_kv"].to_numpy(dtype=float)[ctx.bill_customer[rows]][bill]
    billed = ctx.bills["tariff_billed"].iloc[rows].to_numpy(dtype=object)[bill]
    new_tariff = np.asarray(new, dtype=object)[bill]
    period, tier = rc.period[energy], rc.tier[energy]
    kwh = np.nan_to_num(rc.quantity_billed[energy])
    from_day = day_numbers(np.asarray(change, dtype="datetime64[D]"))[bill]
    to_day = last.copy()  # the segment's last day: the read period's, else the day before until
    if until is not None:
        until_day = day_numbers(np.asarray(until, dtype="datetime64[D]"))[bill]
        ends = until_day != NO_DAY
        to_day[ends] = np.minimum(until_day[ends] - 1, last[ends])
    # The tariff billed's parts of each line: its days at each rate in force before the one on
    # read_to (where that began inside the read period at another rate), and the rest.
    links = rate_change(lookup, billed, first, last, volts, period, tier)
    older = day_parts(first, last, links)
    before = kwh_before_change(
        kwh[older.line], older.last - older.first + 1, (last - first + 1)[older.line]
    )
    # The days from the last change on (all of them where none) take the kWh left.
    start = first.copy()
    np.maximum.at(start, older.line, older.last + 1)
    parts = (
        (older.first, older.last, before, older.rate, older.line),
        (start, last, kwh - np.bincount(older.line, before, len(kwh)), links.rate[0], None),
    )
    splits = _order_split_days(ctx, rows)[bill]
    difference = np.zeros(len(rows))
    for part_from, part_to, part_kwh, part_rate, at in parts:
        at = np.arange(len(energy)) if at is None else at
        days = part_to - part_from + 1
        used_before = _kwh_before_day(part_kwh, part_from, days, from_day[at], splits[at])
        used_through = _kwh_before_day(part_kwh, part_from, days, to_day[at] + 1, splits[at])
        segment = np.where(
            np.minimum(to_day[at], part_to) >= np.maximum(from_day[at], part_from),
            used_through - used_before,
            0.0,
        )
        billed_segment = round_half_up(used_through * part_rate) - round_half_up(
            used_before * part_rate
        )
        due_segment = _priced_on(
            lookup,
            new_tariff[at],
            np.maximum(from_day[at], part_from),
            np.minimum(to_day[at], part_to),
            volts[at],
            period[at],
            tier[at],
            segment,
        )
        difference += np.bincount(bill[at], due_segment - billed_segment, len(rows))
    return difference


def _order_split_days(ctx: RuleContext, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows` (ascending, unique), the days inside its read period (after its first)
    on which a tariff order of its customer took effect, ascending, as a bill split at every
    order splits its kWh (bills × the most any has; NO_DAY past a bill's own)."""
    joined = _bills_under_orders(ctx)
    if joined.empty:
        return np.full((len(rows), 0), NO_DAY, dtype=np.int64)
    latest = ~joined.duplicated(["row", "kind"], keep="last").to_numpy()
    splits = joined[
        (joined["kind"] == "tariff").to_numpy()
        & (latest | _days_in_read_period(joined))
        & (joined["effective_day"] > joined["read_from"]).to_numpy()
        & np.isin(joined["row"].to_numpy(), rows)
    ]
    at = np.searchsorted(rows, splits["row"].to_numpy())
    rank = splits.groupby("row").cumcount().to_numpy()
    days = np.full((len(rows), int(rank.max()) + 1 if len(rank) else 0), NO_DAY, dtype=np.int64)
    days[at, rank] = day_numbers(splits["effective_day"].to_numpy("datetime64[D]"))
    return days


def _kwh_before_day(
    kwh: np.ndarray, first: np.ndarray, days: np.ndarray, day: np.ndarray, splits: np.ndarray
) -> np.ndarray:
    """Of `kwh` read over the `days` days from day `first`, those used before day `day`, as a
    bill split at each of `splits` (per line, ascending day numbers) splits them: each part
    before a split its own days' share to the hundredth of a kWh (`kwh_before_change`), the
    part reaching the last day the kWh left (all of them where `day` is past the last day)."""
    end = first + days  # the day after the last
    day = np.clip(day, first, end)
    before = np.zeros(len(kwh))
    start = first.copy()
    for split in splits.T:  # ascending: each part from the last split taken to this one
        inside = (split > start) & (split < day)
        before += np.where(inside, kwh_before_change(kwh, split - start, days), 0.0)
        start = np.where(inside, split, start)
    before += np.where(day > start, kwh_before_change(kwh, day - start, days), 0.0)
    return np.where(day == end, kwh, before)


def _priced_on(
    lookup: TariffLookup,
    tariff: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    volts: np.ndarray,
    period: np.ndarray,
    tier: np.ndarray,
    kwh: np.ndarray,
) -> np.ndarray:
    """Per line, `kwh` used from day `first` to day `last` priced on `tariff`, split by days
    where its rate changed inside them (`priced_by_days`), each part to the fen."""
    change = rate_change(lookup, tariff, first, last, volts, period, tier)
    priced = priced_by_days(kwh, first, last, change)
    return np.where(kwh == 0, 0.0, priced)  # no kWh of those days: nothing to price


def bills_of_tariff_orders_not_applied(ctx: RuleContext, params: dict) -> np.ndarray:
    """Per bill, whether order_not_applied prices its tariff as an order's not applied (its
    `grace_months` in `params["order_not_applied"]`; a bill of a customer tariff_mismatch
    flags, with `params["tariff_mismatch"]`, is that rule's; so is none the order's new tariff
    cannot price): a rule pricing the same bill's tariff or capacity leaves it, so a yuan counts once.
    All False where no such order is late or order_not_applied cannot run on the data. Found
    once per run."""
    return bills_priced_by(ctx, "order_not_applied", lambda: _priced(ctx, params).rows)


def tariff_due_of_orders_not_applied(
    ctx: RuleContext, rows: np.ndarray, params: dict
) -> np.ndarray:
    """Per bill of `rows`, the tariff code order_not_applied prices it as due (the new tariff
    of its order in force; `params` as `bills_of_tariff_orders_not_applied`), -1 on a bill it
    does not price as such: a rule pricing kWh the bill left out prices them at that tariff."""
    due = np.full(len(rows), -1, dtype=np.int64)
    if not bills_of_tariff_orders_not_applied(ctx, params)[rows].any():
        return due
    priced = _priced(ctx, params)
    at = np.minimum(np.searchsorted(priced.rows, rows), len(priced.rows) - 1)
    theirs = priced.rows[at] == rows
    due[theirs] = priced.due[at[theirs]]
    return due


@dataclass(frozen=True)
class _TariffOrdersNotApplied:
    """The bills order_not_applied prices as a tariff order's not applied (`rows`, ascending)
    and the tariff due on each (`due`, codes of `ctx.tariff_index`)."""

    rows: np.ndarray
    due: np.ndarray


def _priced(ctx: RuleContext, params: dict) -> _TariffOrdersNotApplied:
    """`_tariff_orders_not_applied` on the thresholds of `params`."""
    grace = params["order_not_applied"]["grace_months"]
    return _tariff_orders_not_applied(ctx, grace, frozen_thresholds(params["tariff_mismatch"]))


@once_per_context
def _tariff_orders_not_applied(
    ctx: RuleContext, grace: int, frozen: tuple
) -> _TariffOrdersNotApplied:
    """The bills of `bills_of_tariff_orders_not_applied` and their tariff due, on
    tariff_mismatch's thresholds frozen."""
    hits = stale_bills(ctx, grace)
    if hits.empty:
        return _TariffOrdersNotApplied(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    hits = hits[(hits["kind"] == "tariff").to_numpy()]  # one per bill: its order in force
    rows = hits["row"].to_numpy()
    # A bill the order's tariff cannot price (no energy rate in force that month) proves no
    # difference: its capacity short stays capacity_underbilled's.
    new = ctx.tariff_code(hits["new"].to_numpy(dtype=object))
    priced = np.isfinite(ctx.schedule_rate(new, ctx.bill_month[rows], "energy_rate", rows))
    priced &= ~bills_of_flagged_customers(ctx, dict(frozen))[rows]
    return _TariffOrdersNotApplied(rows[priced], new[priced].astype(np.int64))

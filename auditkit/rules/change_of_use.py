"""Change of use (变更用电): work-order lifecycle, orders not applied, changes with no order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from auditkit.billing.basic import CAPACITY_ORDERS
from auditkit.billing.money import round_half_up
from auditkit.periods import date_month_number
from auditkit.rules.bill_lost import bill_lost, share_within_the_bill_lost
from auditkit.rules.billing_runs import Runs, changed_from_previous, silent_tariff_changes
from auditkit.rules.capacity import (
    RecomputedWhole,
    bills_short_of_capacity,
    capacity_short_where_due,
    order_capacity,
    recomputed_whole_by,
)
from auditkit.rules.context import (
    KEY_STRIDE,
    RuleContext,
    customer_keys,
    spread_over_runs,
)
from auditkit.rules.evidence import Clause, clause, left_to
from auditkit.rules.findings import (
    empty_raw,
    flagged_rows,
    group_stats,
    order_between_bills,
    per_customer_at,
    raw,
    raw_per_customer,
    zero_where_nan,
)
from auditkit.rules.metering import bills_off_the_multiplier
from auditkit.rules.off_archive import bills_billed_off_archive
from auditkit.rules.registry import rule
from auditkit.rules.repriced import on_tariff, reprice
from auditkit.rules.routine import (
    at_tariff_due,
    basic_gap,
    basic_on_schedule,
    demand_scale,
    no_basic_charge_due,
    paid_with_own_basic,
    tariff_billed,
    tariff_due_surcharge,
)
from auditkit.rules.shared import once_per_context
from auditkit.rules.stale_orders import (
    bills_of_tariff_orders_not_applied,
    earlier_tariff_days,
    energy_difference_from,
    share_from_change,
    stale_bills,
)
from auditkit.rules.tariff_due import (
    bills_of_flagged_customers,
    bills_without_basic_charge_due,
    frozen_rules_thresholds,
    is_two_part,
    tariff_in_force,
    thawed_rules_thresholds,
    two_part_for,
)
from auditkit.rules.workdays import WorkingCalendar, uncovered_years

STEPS = (  # (step column, previous step column, parameter with its time limit in working days)
    ("transferred_at", "issued_at", "transfer_days"),
    ("registered_at", "transferred_at", "register_days"),
    ("archived_at", "registered_at", "archive_days"),
)


@rule(
    "order_stalled",
    area="change_of_use",
    needs=("work_orders.transferred_at", "work_orders.registered_at", "work_orders.archived_at"),
    params=("transfer_days", "register_days", "archive_days", "extract_date"),
    severity="medium",
    revenue_kind="proved",
)
def order_stalled(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """Steps late in working days (holidays and make-up days of the Chinese calendar), a step
    not done measured up to the day the data was extracted (not to the end of the audit month:
    an order issued two days before the extract is not stalled)."""
    orders = ctx.work_orders
    if orders is None or orders.empty:
        return empty_raw()
    orders = orders[orders["cust"] >= 0]
    end = _measured_to(ctx, params["extract_date"])
    calendar = WorkingCalendar.chinese()
    stalled_step = np.full(len(orders), "", dtype=object)
    days_over = np.zeros(len(orders))
    reached = np.ones(len(orders), dtype=bool)  # every earlier step was done in time
    counted_from, counted_to = [], []
    for step, previous, limit_name in STEPS:
        limit = params[limit_name]
        done_at = orders[step].to_numpy(dtype="datetime64[D]")
        done = ~np.isnat(done_at) & (done_at <= end)
        until = np.where(done, done_at, end)
        since = orders[previous].to_numpy(dtype="datetime64[D]")
        waited = calendar.working_days(since, until)
        late = reached & (np.nan_to_num(waited, nan=-1) > limit)
        stalled_step[late] = np.where(done[late], f"{step}:late", f"{step}:missing")
        days_over[late] = waited[late] - limit
        counted_from.append(since[reached])
        counted_to.append(until[reached])
        reached &= ~late & done
    without_calendar = uncovered_years(np.concatenate(counted_from), np.concatenate(counted_to))
    flagged = stalled_step != ""
    found = (
        empty_raw()
        if not flagged.any()
        else _stalled(ctx, orders, flagged, stalled_step, days_over)
    )
    if without_calendar:
        years = ", ".join(str(year) for year in without_calendar)
        found.attrs["notes"] = [
            f"order_stalled: working days in {years} counted Monday to Friday "
            "(the holiday calendar does not cover these years)"
        ]
    return found


def _measured_to(ctx: RuleContext, extract_date: str) -> np.datetime64:
    """The day steps not done are measured to: the extract date given (else the day the data
    was extracted), not after the audit month's last day."""
    extract = pd.Timestamp(extract_date) if extract_date else ctx.extracted_on
    end = ctx.as_of_date if extract is None else min(extract, ctx.as_of_date)
    return np.datetime64(end.date(), "D")


def _stalled(
    ctx: RuleContext,
    orders: pd.DataFrame,
    flagged: np.ndarray,
    stalled_step: np.ndarray,
    days_over: np.ndarray,
) -> pd.DataFrame:
    """One finding per customer: its order most over its limit, and how many more are late."""
    hits = orders[flagged].assign(step=stalled_step[flagged], over=days_over[flagged])
    hits = hits.sort_values(["cust", "over"], ascending=[True, False], kind="stable")
    counts = hits.groupby("cust").size()
    first = hits.groupby("cust", as_index=False).first()
    issued_month = date_month_number(first["issued_at"])
    evidence = [
        _stalled_evidence(order, count - 1)
        for order, count in zip(first.itertuples(), counts.to_numpy(), strict=True)
    ]
    month_from = np.maximum(issued_month, 0)
    return raw(
        first["cust"],
        month_from,
        np.full(len(first), ctx.as_of),
        evidence,
        np.zeros(len(first)),
        np.minimum(1.0, 0.3 + first["over"] / 60),
    )


def _stalled_evidence(order: object, more: int) -> list[Clause]:
    """The order shown (the one most over its limit), its late or missing step, the others."""
    step, _, state = order.step.partition(":")
    found = clause(
        f"order_stalled.{state}",
        order=order.order_id,
        type=order.order_type,
        issued=order.issued_at,
        step=step.removesuffix("_at"),
        over=order.over,
    )
    return [found, clause("more_stalled_orders", more=more)] if more else [found]


@rule(
    "order_not_applied",
    area="change_of_use",
    needs=("work_orders.effective_date",),
    params=("grace_months",),
    severity="high",
    revenue_kind="proved",
    reads=("tariff_mismatch", "capacity_underbilled", "change_without_order"),
)
def order_not_applied(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """Bills still on the old tariff or capacity after an order took effect (and its grace).

    Revenue: from the effective month, what the order's terms charge more (`_not_applied_gap`).
    A bill another rule prices on its own evidence is that rule's, left inside the check
    whichever rules run: a tariff order's bill of a customer `tariff_mismatch` flags (the
    archive's tariff is not the one due either: the tariff due is that rule's judgement, which
    an order to another tariff does not overrule), a capacity order's bill `capacity_underbilled` prices (the capacity
    in force, from the archive and these orders, prorated by day) or, billed on another tariff
    than the archive's, billed_tariff_mismatch recomputes whole. The order is still listed and
    the evidence says where its money is counted. A tariff order's bill billed short of the
    capacity in force is recomputed whole on the order's tariff, the charge it billed netted
    (capacity_underbilled leaves it here): on a tariff dearer per kVA than the order's, the
    short at the rate billed would count more than the bill lost."""
    hits = stale_bills(ctx, params["grace_months"])
    if hits.empty:
        return empty_raw()
    own_params = params | {"order_not_applied": {"grace_months": params["grace_months"]}}
    gap, pf, unseen = _not_applied_gap(ctx, hits, own_params)
    left = _left_by_kind(ctx, hits, own_params)
    rows = hits["row"].to_numpy()
    revenue, pf, hits["over"] = _netted_per_bill(
        rows, np.where(left.any, 0.0, gap), np.where(left.any, 0.0, pf)
    )
    # Its part of a bill is at most what the bill lost as a whole (`bill_lost`), the days the
    # recomputation does not price on their orders' tariffs added: a bill over-billed in all
    # counts nothing here, its refund the report of the rule that finds it.
    starts = np.flatnonzero(np.append(True, rows[1:] != rows[:-1]))
    unseen = np.repeat(np.add.reduceat(unseen, starts), np.diff(np.append(starts, len(rows))))
    share = share_within_the_bill_lost(revenue, bill_lost(ctx, rows, unseen))
    hits["revenue"], hits["pf"] = round_half_up(revenue * share), round_half_up(pf * share)
    hits["left_tariff"], hits["left_capacity"] = left.tariff, left.capacity
    hits["left_off_archive"], hits["left_basic"] = left.off_archive, left.basic
    per_order = (
        group_stats(
            hits.groupby(["cust", "named_order_id"], sort=False),
            month_from=("month", "min"),
            month_to=("month", "max"),
            bills=("row", "size"),
            revenue=("revenue", "sum"),
            pf=("pf", "sum"),
            over=("over", "sum"),
            left_tariff=("left_tariff", "sum"),
            left_capacity=("left_capacity", "sum"),
            left_off_archive=("left_off_archive", "sum"),
            left_basic=("left_basic", "sum"),
            order_type=("named_order_type", "first"),
            kind=("kind", "first"),
            effective=("named_effective", "first"),
            old=("named_old", "first"),
            new=("named_new", "first"),
            billed=("tariff", "first"),  # the tariff its first stale bill is billed on
        )
        .reset_index()
        .rename(columns={"named_order_id": "order_id"})
        .sort_values(["cust", "month_from", "order_id"], kind="stable")
    )
    per_customer_total = group_stats(
        per_order.groupby("cust"),
        month_from=("month_from", "min"),
        month_to=("month_to", "max"),
        revenue=("revenue", "sum"),
        pf=("pf", "sum"),
        over=("over", "sum"),
        left_tariff=("left_tariff", "sum"),
        left_capacity=("left_capacity", "sum"),
        left_off_archive=("left_off_archive", "sum"),
        left_basic=("left_basic", "sum"),
        orders=("order_id", "size"),
    )
    shown = per_order.drop_duplicates("cust")  # each customer's earliest order not applied
    totals = per_customer_total.reindex(shown["cust"])
    evidence = []
    for order, found in zip(shown.itertuples(), totals.itertuples(), strict=True):
        orders_count, total, moved = found.orders, found.revenue, found.pf
        # A tariff order's bills are named by the tariff they are billed on: an earlier
        # order's old tariff where two orders in a row were not applied, not this one's.
        billed = {"billed": order.billed} if order.kind == "tariff" else {}
        found_clause = clause(
            f"order_not_applied.{order.kind}",
            order=order.order_id,
            type=order.order_type,
            old=order.old,
            new=order.new,
            effective=order.effective,
            bills=order.bills,
            months=(order.month_from, order.month_to),
            **billed,
        )
        more = (
            [clause("more_orders_not_applied", more=orders_count - 1)] if orders_count > 1 else []
        )
        moved = round_half_up(moved)
        of_which = [clause("tariff.pf", amount=moved)] if moved else []
        elsewhere = left_to(
            tariff_mismatch=found.left_tariff,
            capacity_underbilled=found.left_capacity,
            billed_tariff_mismatch=found.left_off_archive,
            single_part_due=found.left_basic,
        )
        counted_there = [elsewhere] if elsewhere else []
        # A refund is reported as the line rules report one, not as revenue of ¥0.00.
        over = round_half_up(found.over)
        money = [clause("revenue", amount=total), *of_which] if total > 0 or not over else []
        refund = [clause("lines.over", amount=over)] if over else []
        evidence.append([found_clause, *more, *money, *refund, *counted_there])
    return raw(
        shown["cust"],
        totals["month_from"],
        totals["month_to"],
        evidence,
        totals["revenue"],
        np.minimum(1.0, 0.5 + shown["bills"].to_numpy() / 12),
    )


@dataclass(frozen=True)
class SilentTariffCounts:
    """What change_without_order counts on the tariff of each bill it prices in the run of a
    silent tariff change (`rows`, ascending): the tariff before the change (`before`, a code of
    `ctx.tariff_index`), whether the run nets to more than nothing (`lost`: it counts no
    refund), and the tariff before less the tariff billed (`gap`, 0 where not `lost`), of which
    the power-factor adjustment (`pf`)."""

    rows: np.ndarray
    before: np.ndarray
    lost: np.ndarray
    gap: np.ndarray
    pf: np.ndarray


#: The rules whose thresholds the silent tariff runs are priced on (`silent_tariff_counts`).
_SILENT_RUN_READS = ("tariff_mismatch", "capacity_underbilled", "order_not_applied")


def silent_tariff_counts(ctx: RuleContext, window: int, params: dict) -> SilentTariffCounts:
    """`SilentTariffCounts` of the changes with no tariff_change order within ±`window`
    months, on the thresholds of `params` (by rule id: tariff_mismatch, capacity_underbilled,
    order_not_applied): found once per run for change_without_order and billed_tariff_mismatch,
    which counts the rest of such bills against the archive."""
    return _silent_tariff_counts(ctx, window, frozen_rules_thresholds(params, _SILENT_RUN_READS))


@once_per_context
def _silent_tariff_counts(ctx: RuleContext, window: int, key: tuple) -> SilentTariffCounts:
    """`silent_tariff_counts` on thresholds frozen. The bills of a run another rule prices
    are left out: tariff_mismatch's (the archive moved too) and order_not_applied's (the old
    tariff of an order not applied); so are those on the tariff in force (`tariff_in_force`: a
    correction back to the archive's, or a later order's tariff). On a bill off the archive it
    counts at most the difference to the tariff in force."""
    params = thawed_rules_thresholds(key, _SILENT_RUN_READS)
    runs, silent = silent_tariff_changes(ctx, window)
    in_tariff = runs.within(silent)
    left = _left_in(in_tariff, lambda: bills_of_flagged_customers(ctx, params["tariff_mismatch"]))
    left = left | _left_in(in_tariff, lambda: bills_of_tariff_orders_not_applied(ctx, params))
    # A bill on the tariff the archive and its orders put in force lost nothing: a change back
    # to it corrected the billing, or a later order made it due.
    in_force = tariff_in_force(ctx)
    left = left | (in_tariff & (in_force >= 0) & (ctx.bill_tariff == in_force))
    rows = np.flatnonzero(in_tariff & ~left)
    start = runs.start_of(rows)
    before = ctx.bill_tariff[start - 1]
    gap, pf = tariff_difference(ctx, rows, before, params)
    # Off the archive, the tariff in force is due, not the one before: where it charges less
    # than the tariff before (two wrong tariffs in a row, or an order lowering it since), the
    # bill lost only its difference to it (billed_tariff_mismatch counts the rest, ≥ 0).
    window_params = params | {"change_without_order": {"window_months": window}}
    off = np.flatnonzero(bills_billed_off_archive(ctx, window_params)[rows])
    if len(off):
        due_gap, due_pf = tariff_difference(ctx, rows[off], in_force[rows[off]], params)
        lower = due_gap < gap[off]
        gap[off], pf[off] = np.where(lower, due_gap, gap[off]), np.where(lower, due_pf, pf[off])
    # Each run netted (a month dearer on the tariff billed offsets the others); a run that
    # under-billed nothing counts 0: a silent change back is no refund of the first one.
    run = np.unique(start, return_inverse=True)[1]
    lost = (np.bincount(run, gap) > 0)[run]
    return SilentTariffCounts(rows, before, lost, gap * lost, pf * lost)


class _LeftByKind(NamedTuple):
    """Per stale bill (`order_not_applied`), where its money is counted if not on its order:
    `tariff`, a tariff order's bill of a customer `tariff_mismatch` flags; `capacity`, a capacity order's
    bill `capacity_underbilled` prices (short of the capacity in force); `off_archive`, one
    billed_tariff_mismatch recomputes whole, the short included; `basic`, a capacity order's
    bill due a single-part tariff (`bills_without_basic_charge_due`: no basic charge is due at
    all); `recomputed`, a capacity order's short bill a tariff order not applied recomputes
    whole here (counted once, on the tariff order's)."""

    tariff: np.ndarray
    capacity: np.ndarray
    off_archive: np.ndarray
    basic: np.ndarray
    recomputed: np.ndarray

    @property
    def any(self) -> np.ndarray:
        """Per stale bill: its money is not counted on its own order."""
        return self.tariff | self.capacity | self.off_archive | self.basic | self.recomputed


def _left_by_kind(ctx: RuleContext, hits: pd.DataFrame, params: dict) -> _LeftByKind:
    """`_LeftByKind` of the stale bills `hits`, on each rule's thresholds (`params[rule_id]`)."""
    rows = hits["row"].to_numpy()
    is_tariff = (hits["kind"] == "tariff").to_numpy()
    none = np.zeros(len(rows), bool)
    left = _LeftByKind(none, none, none, none, none)
    if is_tariff.any():
        flagged = bills_of_flagged_customers(ctx, params["tariff_mismatch"])[rows]
        left = left._replace(tariff=is_tariff & flagged)
    if not is_tariff.all():
        not_due = ~is_tariff & bills_without_basic_charge_due(ctx, params["tariff_mismatch"])[rows]
        short = bills_short_of_capacity(ctx, params["capacity_underbilled"])[rows]
        short &= ~is_tariff & ~not_due
        whole = recomputed_whole_by(ctx, rows, params)
        left = left._replace(
            capacity=short & ~whole.off_archive & ~whole.order_not_applied,
            off_archive=short & whole.off_archive,
            basic=not_due,
            recomputed=short & whole.order_not_applied,
        )
    return left


def _not_applied_gap(
    ctx: RuleContext, hits: pd.DataFrame, params: dict
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per stale bill of `hits` (`order_not_applied`), what the order's terms charge more (a
    negative figure where less), of it the power-factor adjustment, and what of it the
    recomputation does not see (`bill_lost`'s `unseen`): it prices the whole bill on the
    tariff in force on read_to (the order's new tariff, or the archive's where the archive was
    not updated), so a tariff order's bill differs by its difference less that tariff's to the
    tariff billed (+inf where a two-part tariff charges a basic charge the recomputation has
    no line of: it cannot tell; 0 on a capacity order's bill). A tariff order's bill:
    recomputed on the new tariff less on the tariff billed (`tariff_difference`: every line of
    an itemized bill, its tiers, periods, basic charge, adjustment and funds; else the flat
    energy rates), so a wrong rate or kWh on the bill stays the rules' that find it. A capacity
    order's bill: the basic charge per kVA on the capacity the orders put on it
    (`order_capacity`: in the month of the change prorated by day) less the capacity billed,
    where the basis is capacity, at the rate billed: a tariff order's difference on the same
    bill is priced on the orders' capacity on both tariffs (`routine.basic_gap`), so the two
    add up to the bill's whole difference (`_netted_per_bill`)."""
    rows = hits["row"].to_numpy()
    is_tariff = (hits["kind"] == "tariff").to_numpy()
    gap, pf, unseen = np.zeros(len(hits)), np.zeros(len(hits)), np.zeros(len(hits))
    tariff_rows = rows[is_tariff]  # ascending: one tariff order in force per bill
    if len(tariff_rows):
        new = hits["new"].to_numpy(dtype=object)[is_tariff]
        new_code = ctx.tariff_code(new)
        # A capacity billed short is recomputed with the tariff: capacity_underbilled leaves it.
        short = capacity_short_where_due(ctx, tariff_rows, params)
        gap[is_tariff], pf[is_tariff] = tariff_difference(
            ctx, tariff_rows, new_code, params, charged=short
        )
        whole = gap[is_tariff]
        # A bill read across the effective date owes the difference of the days from it on,
        # as a bill split there charges it (`_from_effective_day`).
        share = hits["share"].to_numpy(dtype=float)[is_tariff]
        split = np.flatnonzero(share != 1.0)
        if len(split):
            tariff_gap, tariff_pf = gap[is_tariff], pf[is_tariff]
            tariff_gap[split] = _from_effective_day(
                ctx, hits.iloc[np.flatnonzero(is_tariff)[split]], tariff_gap[split], share[split]
            )
            tariff_pf[split] = round_half_up(tariff_pf[split] * share[split])
            gap[is_tariff], pf[is_tariff] = tariff_gap, tariff_pf
        # The days before the order that earlier orders inside the read period put on their
        # own new tariffs, each priced at its tariff (`_earlier_orders_gap`).
        earlier_gap, earlier_pf = _earlier_orders_gap(ctx, hits, params)
        gap, pf = gap + earlier_gap, pf + earlier_pf
        # The recomputation sees of it the difference of the tariff it priced (the order's
        # new tariff, or the archive's where the archive was not updated) to the tariff
        # billed, as `tariff_difference` prices it where a basic charge is recomputed or
        # there is none on either tariff (a two-part tariff without a basis is charged by
        # capacity there, not in the recomputation).
        rc = ctx.recomputed
        priced = rc.tariff_due[tariff_rows]
        seen = whole.copy()
        other = np.flatnonzero(~pd.isna(priced) & (priced != new))
        if len(other):
            seen[other] = tariff_difference(
                ctx, tariff_rows[other], ctx.tariff_code(priced[other]), params, short[other]
            )[0]
        with_basic = np.zeros(len(ctx.bills), dtype=bool)
        with_basic[rc.row[rc.of("basic")]] = True
        single_part = ~is_two_part(ctx, priced, tariff_rows)
        single_part &= ~is_two_part(ctx, tariff_billed(ctx, tariff_rows), tariff_rows)
        # No basic charge due on the capacity (`no_basic_charge_due`): none recomputed, rightly.
        alike = with_basic[tariff_rows] | single_part | no_basic_charge_due(ctx, tariff_rows)[0]
        unseen[is_tariff] = np.where(alike, zero_where_nan(gap[is_tariff] - seen), np.inf)
    capacity_rows = rows[~is_tariff]
    capacity_basis = ctx.basis_is(capacity_rows, "capacity")
    due_kva = order_capacity(ctx, capacity_rows).kva_months
    short_kva = due_kva - hits["capacity"].to_numpy(dtype=float)[~is_tariff]
    capacity_gap = short_kva * ctx.kva_rate_due(capacity_rows)
    gap[~is_tariff] = np.where(capacity_basis, zero_where_nan(capacity_gap), 0.0)
    return gap, pf, unseen


def _earlier_orders_gap(
    ctx: RuleContext, hits: pd.DataFrame, params: dict
) -> tuple[np.ndarray, np.ndarray]:
    """Per stale bill of `hits`, what the days of its read period before its tariff order's
    effective date charge more on the tariffs earlier orders put on them (a negative figure
    where less; `stale_orders.earlier_tariff_days`) and of it the power-factor adjustment: each
    order's days priced as a bill split at both ends prices them, its energy lines line by line
    over their own days and the rest of the bill's difference on that tariff by the share of
    kWh of those days (`_between_days`). 0 on a bill read across no second order, and on the
    days of a tariff the schedule cannot price."""
    gap, pf = np.zeros(len(hits)), np.zeros(len(hits))
    days = earlier_tariff_days(ctx, hits)
    for rank in range(int(days["rank"].max()) + 1 if len(days) else 0):
        part = days[days["rank"].to_numpy() == rank]  # one per bill: rows ascending
        at, rows = part["at"].to_numpy(), part["row"].to_numpy()
        new = part["new"].to_numpy(dtype=object)
        # A capacity billed short is recomputed with the tariff, as on the order's own days.
        short = capacity_short_where_due(ctx, rows, params)
        whole_gap, whole_pf = tariff_difference(
            ctx, rows, ctx.tariff_code(new), params, charged=short
        )
        since = part["since"].to_numpy(dtype="datetime64[D]")
        until = part["until"].to_numpy(dtype="datetime64[D]")
        read_from, read_to = ctx.read_days(rows)
        share = share_from_change(ctx, rows, read_from, read_to, since)
        share -= share_from_change(ctx, rows, read_from, read_to, until)
        # A tariff the schedule cannot price proves no difference on its days.
        gap[at] += zero_where_nan(_between_days(ctx, rows, new, since, until, whole_gap, share))
        pf[at] += zero_where_nan(round_half_up(whole_pf * share))
    return gap, pf


def _between_days(
    ctx: RuleContext,
    rows: np.ndarray,
    new: np.ndarray,
    since: np.ndarray,
    until: np.ndarray,
    gap: np.ndarray,
    share: np.ndarray,
) -> np.ndarray:
    """Per bill of `rows` (ascending; `gap`: the whole bill's difference on the tariff `new`),
    the difference of its days from `since` to the day before `until` (`share`: of its kWh, the
    part of those days), as `_from_effective_day` prices the days from one day on: the energy
    lines' difference of those days, each line's kWh of them priced once to the fen, the rest
    by the share of kWh."""
    by_share = round_half_up(gap * share)
    if not ctx.itemized:
        return by_share
    read_from = ctx.read_days(rows)[0]
    energy = energy_difference_from(ctx, rows, new, since, until)
    energy_whole = energy_difference_from(ctx, rows, new, read_from)
    by_lines = energy + round_half_up((gap - energy_whole) * share)
    return np.where(np.isfinite(by_lines), round_half_up(by_lines), by_share)


def _from_effective_day(
    ctx: RuleContext, hits: pd.DataFrame, gap: np.ndarray, share: np.ndarray
) -> np.ndarray:
    """Per tariff order's bill of `hits` read across its effective date (ascending rows; `gap`:
    the whole bill's difference, `share`: of its kWh, the part from that day), the difference
    a bill split there charges. On itemized data its energy lines line by line over their own
    days (`stale_orders.energy_difference_from`: a 25th-to-24th bill carries the last month's
    rates on its first days, which the whole bill's gap times the share would price at the
    wrong month's), and the rest of the bill's difference (basic charge, funds, losses, the
    power-factor adjustment) by the share of kWh; elsewhere, or where a line has no rate, the
    whole gap by the share."""
    by_share = round_half_up(gap * share)
    if not ctx.itemized:
        return by_share
    rows = hits["row"].to_numpy()
    effective_day = hits["effective_day"].to_numpy(dtype="datetime64[D]")
    new = hits["new"].to_numpy(dtype=object)
    read_from = ctx.read_days(rows)[0]
    energy_after = energy_difference_from(ctx, rows, new, effective_day)
    energy_whole = energy_difference_from(ctx, rows, new, read_from)
    by_lines = energy_after + round_half_up((gap - energy_whole) * share)
    return np.where(np.isfinite(by_lines), round_half_up(by_lines), by_share)


def _netted_per_bill(
    rows: np.ndarray, gap: np.ndarray, pf: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per stale bill (`rows`, ascending; a bill under a tariff and a capacity order twice),
    `gap` netted over the bill and counted where it under-billed (> 0), on the bill's last
    stale row (its tariff order's, where it has one: the capacity row comes first), with its
    adjustment `pf`; 0 on its other rows. Third, on the same row, what a bill the order's terms
    charge less for was over-billed (> 0: a refund, reported and not counted, as the line rules
    report one)."""
    last = np.append(rows[1:] != rows[:-1], True)
    starts = np.flatnonzero(np.append(True, rows[1:] != rows[:-1]))
    net, moved = np.add.reduceat(gap, starts), np.add.reduceat(pf, starts)
    counted = net > 0
    gap, pf, over = np.zeros(len(rows)), np.zeros(len(rows)), np.zeros(len(rows))
    gap[last], pf[last] = np.where(counted, net, 0.0), np.where(counted, moved, 0.0)
    over[last] = np.maximum(-net, 0.0)
    return gap, pf, over


def _previous_known(ctx: RuleContext, values: np.ndarray) -> np.ndarray:
    """Per bill, the customer's latest non-NaN value before this bill (NaN where none is).

    Each known value is spread over the bills after it up to the next known one (few are
    known: capacities are recorded on some bills), kept where those bills are its customer's
    (bills come in customer order)."""
    known = np.flatnonzero(~np.isnan(values))
    previous = np.full(len(values), np.nan)
    if not len(known):
        return previous
    # Each known value over the bills after it, to the next known bill included.
    after = known[0] + 1
    spread = spread_over_runs(values[known], known + 1, len(values))
    same_customer = (
        spread_over_runs(ctx.bill_customer[known], known + 1, len(values))
        == ctx.bill_customer[after:]
    )
    previous[after:] = np.where(same_customer, spread, np.nan)
    return previous


def _closed_by_order(ctx: RuleContext, window: int) -> np.ndarray:
    """Per bill: a closure order took effect within ±`window` months of it (as
    `order_between_bills` reads it) and the customer closed: no bill after it, or the archive
    no longer active. A closure explains its month's capacity prorated to the closure day, not
    a cut that lasts on a customer still billed full months after it."""
    near_closure = order_between_bills(ctx, ("closure",), window)
    last_bill = np.ones(len(ctx.bills), dtype=bool)
    last_bill[:-1] = ~ctx.same_customer_as_previous[1:]
    active = ctx.customer_is("status", "active")
    return near_closure & (last_bill | ~active)


def _differs(values: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """`values` ≠ `previous` beyond rounding (as `~np.isclose`, NaN differing), in one pass."""
    with np.errstate(invalid="ignore"):
        return ~(np.abs(values - previous) <= 1e-8 + 1e-5 * np.abs(previous))


@rule(
    "change_without_order",
    area="change_of_use",
    needs=("bills.tariff_billed", "bills.multiplier_billed"),
    params=("window_months",),
    severity="high",
    revenue_kind="estimated",
    reads=("tariff_mismatch", "multiplier_mismatch", "capacity_underbilled", "order_not_applied"),
)
def change_without_order(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """A tariff, capacity or multiplier billed differs from the previous bill with no work order
    of its kind within ±`window_months`: a change billing made on its own. A capacity's kind
    is a capacity order, a connection or a closure (the last two bill a month's capacity
    prorated by day); a closure only where the customer closed (`_closed_by_order`).

    Revenue: while the terms set by such a change last, what the terms before would have
    charged. A tariff's bills as what the schedule charges on the tariff before less on the
    tariff billed (`tariff_difference`: on itemized data every line recomputed on the kWh billed, so
    a kWh difference stays the multiplier's price), netted over the run; a multiplier's as the
    kWh (and demand charge) it left out at the rate due; a capacity's as the kVA dropped at
    the rate per kVA.

    Money another rule proves on its own evidence is that rule's: a tariff difference on a bill
    of a customer `tariff_mismatch` flags (`bills_of_flagged_customers`: its archive tariff is
    not the one due; a bill on the tariff due lost nothing, one off it is priced there), the
    kWh left out of
    a bill `multiplier_mismatch` prices (billed off the archive's multiplier: the archive kept
    the one due) and the basic charge of a bill `capacity_underbilled` prices (short of the
    capacity in force). The change stays listed and the evidence says where its money is
    counted. Left inside the check, whichever rules run, so each rule's figure is the same in
    any run."""
    bills = ctx.bills
    window = params["window_months"]
    same = ctx.same_customer_as_previous
    month = ctx.bill_month
    tariff_runs, tariff_silent = silent_tariff_changes(ctx, window)
    capacity = bills["capacity_billed_kva"].to_numpy(dtype=float)
    # A bill without a capacity is no change: compare with the last capacity recorded before.
    previous_capacity = _previous_known(ctx, capacity)
    capacity_changed = same & _differs(capacity, previous_capacity)
    capacity_changed &= ~np.isnan(capacity) & ~np.isnan(previous_capacity)
    multiplier = bills["multiplier_billed"].to_numpy(dtype=float)
    multiplier_changed = changed_from_previous(ctx, multiplier, _differs)
    capacity_orders = (*CAPACITY_ORDERS, "new_connection")
    capacity_silent = capacity_changed & ~order_between_bills(ctx, capacity_orders, window)
    capacity_silent &= ~_closed_by_order(ctx, window)
    multiplier_silent = multiplier_changed & ~order_between_bills(
        ctx, ("meter_replacement",), window
    )
    if not (tariff_silent | capacity_silent | multiplier_silent).any():
        return empty_raw()
    # Impact: while the terms set by an unexplained change last (until the next change of the
    # same kind), what the terms before it would have charged; priced on those bills only.
    multiplier_runs = Runs(ctx, multiplier_changed)
    capacity_runs = Runs(ctx, capacity_changed)
    in_tariff = tariff_runs.within(tariff_silent)
    in_multiplier = multiplier_runs.within(multiplier_silent)
    in_capacity = capacity_runs.within(capacity_silent)
    # The bills another rule prices, asked of it only for a kind of change that happened.
    left_tariff = _left_in(
        in_tariff, lambda: bills_of_flagged_customers(ctx, params["tariff_mismatch"])
    )
    left_order = _left_in(in_tariff, lambda: bills_of_tariff_orders_not_applied(ctx, params))
    left_multiplier = _left_in(
        in_multiplier, lambda: bills_off_the_multiplier(ctx, params["multiplier_mismatch"])
    )
    left_basic = _left_in(
        in_capacity, lambda: bills_without_basic_charge_due(ctx, params["tariff_mismatch"])
    )
    off_params = params | {"change_without_order": {"window_months": window}}
    short_capacity = ~left_basic & _left_in(
        in_capacity, lambda: bills_short_of_capacity(ctx, params["capacity_underbilled"])
    )
    # Of those, the ones a rule pricing their tariff recomputes whole are counted there.
    left_whole = _recomputed_whole(ctx, short_capacity, off_params)
    left_capacity = short_capacity & ~left_whole.off_archive & ~left_whole.order_not_applied
    rows = np.flatnonzero(in_tariff | in_multiplier | in_capacity)
    kwh = bills["kwh_billed"].to_numpy(dtype=float)[rows]
    tariff_gap, tariff_pf = np.zeros(len(rows)), np.zeros(len(rows))
    # kWh a multiplier left out are due at the tariff due: tariff_mismatch's, else the
    # archive's in force where billed_tariff_mismatch prices the bill, else the one before a
    # silent change that under-billed (`tariff_due_surcharge` says why).
    due = tariff_due_surcharge(ctx, rows, off_params)
    counts = silent_tariff_counts(ctx, window, params)
    at = np.searchsorted(rows, counts.rows)  # every bill it prices is in a silent run: of `rows`
    if len(at):
        before = counts.before
        tariff_gap[at], tariff_pf[at] = counts.gap, counts.pf
        rate_before = ctx.schedule_rate(before, month[rows[at]], "energy_rate", rows[at])
        extra_before = rate_before - ctx.energy_rate_due_or_billed(rows[at])
        priced = counts.lost & np.isfinite(extra_before)
        # On a bill billed_tariff_mismatch prices, the kWh left out stay due at the archive's
        # tariff in force (`tariff_due_surcharge` gave it): the tariff before is not the one due.
        mine = ~bills_billed_off_archive(ctx, off_params)[rows[at]]
        names = ctx.tariff_index.to_numpy(dtype=object)[before]
        due.energy[at[mine]] = np.where(priced, extra_before, 0.0)[mine]
        due.tariff[at[mine]] = np.where(priced, names, None)[mine]
        scale = demand_scale(ctx, names, rows[at])
        due.demand[at[mine]] = np.where(priced, scale, 1.0)[mine]
    prior_multiplier = multiplier[multiplier_runs.start_of(rows) - 1]
    billed_multiplier = multiplier[rows]
    # A demand charge read through the multiplier, where one is due (not on a single-part
    # tariff due).
    no_basic = bills_without_basic_charge_due(ctx, params["tariff_mismatch"])[rows]
    demand_basis = ctx.basis_is(rows, "demand") & ~no_basic
    basic = np.where(demand_basis, zero_where_nan(ctx.basic_charge_billed[rows]), 0.0)
    short_by = np.where(
        in_multiplier[rows] & ~left_multiplier[rows] & (billed_multiplier < prior_multiplier),
        prior_multiplier / billed_multiplier - 1,
        0.0,
    )
    surcharge = round_half_up(short_by * kwh * due.energy, 2)
    demand_charge = basic * due.demand  # the demand charge billed, at the tariff due
    multiplier_gap = short_by * (kwh * ctx.energy_rate_due_or_billed(rows) + demand_charge)
    multiplier_gap += surcharge
    capacity_basis = ctx.basis_is(rows, "capacity")
    capacity_drop = np.clip(
        previous_capacity[capacity_runs.start_of(rows)] - capacity[rows], 0, None
    )
    capacity_gap = np.where(
        in_capacity[rows] & ~short_capacity[rows] & ~left_basic[rows] & capacity_basis,
        zero_where_nan(capacity_drop) * ctx.kva_rate_due(rows),
        0.0,
    )
    revenue = tariff_gap + multiplier_gap + capacity_gap
    grouped = per_customer_at(
        ctx,
        rows,
        revenue=revenue,
        pf=tariff_pf,
        left_tariff=left_tariff[rows],
        left_order=left_order[rows],
        left_multiplier=left_multiplier[rows],
        left_capacity=left_capacity[rows],
        left_off_archive=left_whole.off_archive[rows],
        left_order_whole=left_whole.order_not_applied[rows],
        left_basic=left_basic[rows],
        surcharge=surcharge,
        tariff_due_first=due.tariff,
    )
    tariffs = bills["tariff_billed"]
    described = {  # per kind of change: its unexplained bills, and the terms before and after
        "tariff": (tariff_silent, lambda r: (tariffs.iat[r - 1], tariffs.iat[r])),
        "capacity": (capacity_silent, lambda r: (previous_capacity[r], capacity[r])),
        "multiplier": (multiplier_silent, lambda r: (multiplier[r - 1], multiplier[r])),
    }
    firsts = {kind: flagged_rows(ctx, silent) for kind, (silent, _) in described.items()}
    evidence = []
    pf = round_half_up(grouped["pf"].to_numpy(dtype=float))
    for found, moved in zip(grouped.itertuples(), pf, strict=True):
        cust, total = found.cust, found.revenue
        changes = []
        for kind, (_, terms) in described.items():
            if cust in firsts[kind].index:
                row, count = firsts[kind].loc[cust, "first"], firsts[kind].loc[cust, "count"]
                old, new = terms(row)
                more = clause("more_changes", count=count - 1) if count > 1 else None
                changes.append(
                    clause(f"changed.{kind}", old=old, new=new, at=month[row], more=more)
                )
        of_which = clause("tariff.pf", amount=moved) if moved else None
        elsewhere = left_to(
            tariff_mismatch=found.left_tariff,
            order_not_applied=found.left_order,
            multiplier_mismatch=found.left_multiplier,
            capacity_underbilled=found.left_capacity,
            billed_tariff_mismatch=found.left_off_archive,
            tariff_order_not_applied=found.left_order_whole,
            single_part_due=found.left_basic,
        )
        evidence.append(
            [
                clause(
                    "change_without_order",
                    window=window,
                    changes=changes,
                    amount=total,
                    pf=of_which,
                    left=elsewhere,
                ),
                *at_tariff_due(found.tariff_due_first, found.surcharge),
            ]
        )
    return raw_per_customer(grouped, evidence, np.full(len(grouped), 0.9))


def _recomputed_whole(ctx: RuleContext, short: np.ndarray, params: dict) -> RecomputedWhole:
    """Per bill, of the bills `short` of capacity (capacity_underbilled's), those a rule
    pricing their tariff recomputes whole instead (`recomputed_whole_by`); all False elsewhere."""
    whole = RecomputedWhole(np.zeros(len(short), bool), np.zeros(len(short), bool))
    at = np.flatnonzero(short)
    if len(at):
        for mine, theirs in zip(whole, recomputed_whole_by(ctx, at, params), strict=True):
            mine[at] = theirs
    return whole


def _left_in(within: np.ndarray, priced: Callable[[], np.ndarray]) -> np.ndarray:
    """Per bill: inside the runs `within` and priced by the rule `priced()` asks, which is asked
    only where some bill is inside them (finding a rule's bills may recompute every bill)."""
    return within & priced() if within.any() else within


def tariff_difference(
    ctx: RuleContext,
    rows: np.ndarray,
    due: np.ndarray,
    params: dict,
    charged: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per bill of `rows` (ascending; `due`: per bill, the tariff it should have been priced
    on, a code of `ctx.tariff_index`: the tariff before a silent change, an order's new tariff,
    the archive's in force), what the schedule charges on the tariff due less what it charges
    on the tariff billed, and of it the power-factor adjustment. On itemized data by
    `_repriced_gap`; elsewhere, or where a bill cannot be so priced, at the flat rates of the
    month and voltage band: the energy and fund rates' differences (each 0 where one has none)
    and the basic charge the tariff due charges on the bill's capacity and demand in force less
    the one billed (`routine.basic_gap`: on the same quantities where both tariffs are
    two-part, else the bill's own charge; a single-part tariff due charges none, so the one
    the bill charged is netted, as tariff_mismatch nets it). Where the tariff due is
    single-part and capacity_underbilled (its thresholds and tariff_mismatch's in `params`)
    prices the bill's capacity short, the archive has a two-part tariff in force and that rule
    proves the capacity short of it: this nets what the tariff billed charges on the capacity
    in force instead (`routine.basic_on_schedule`). Where `charged` (per bill), the basic
    charge the bill charged is netted whatever the tariffs: a capacity billed short is priced
    here too (billed_tariff_mismatch and order_not_applied, which capacity_underbilled leaves
    those bills: `capacity.recomputed_whole_by`)."""
    charged = np.zeros(len(rows), dtype=bool) if charged is None else charged
    names = np.append(ctx.tariff_index.to_numpy(dtype=object), None)[due]
    single_part = (due >= 0) & ~is_two_part(ctx, names, rows)
    proved = np.zeros(len(rows), dtype=bool)
    if single_part.any():
        proved = bills_short_of_capacity(ctx, params["capacity_underbilled"])[rows] & single_part
        proved &= ~bills_without_basic_charge_due(ctx, params["tariff_mismatch"])[rows]
        # A short this recomputation nets (`charged`) is left here by capacity_underbilled.
        proved &= ~charged
    gap, pf = np.full(len(rows), np.nan), np.zeros(len(rows))
    if ctx.itemized:
        # The bill's own basic charge stands where no basic charge is due (a single-part tariff
        # due) or its own tariff has none (a single-part tariff billed).
        billed_single = ~is_two_part(ctx, tariff_billed(ctx, rows), rows)
        own_basic = (single_part & ~proved) | billed_single | charged
        gap, moved = _repriced_gap(ctx, rows, due, own_basic)
        pf = np.where(np.isnan(gap), 0.0, moved)
    flat = np.flatnonzero(np.isnan(gap))
    if len(flat):
        at, months = rows[flat], ctx.bill_month[rows[flat]]
        kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)[at]
        due_rate = ctx.schedule_rate(due[flat], months, "energy_rate", at)
        billed_rate = ctx.schedule_rate(ctx.bill_tariff[at], months, "energy_rate", at)
        gap[flat] = zero_where_nan((due_rate - billed_rate) * kwh)
        # The funds collected with each kWh at the two tariffs' fund rates, as tariff_mismatch.
        priced = ~np.isnan(due_rate)
        # A tariff in force without a fund rate collects none (a household's): 0, not unknown;
        # where either tariff has no rate in force, so no row, its funds are unknown.
        due_fund = zero_where_nan(ctx.schedule_rate(due[flat], months, "fund_rate", at))
        billed_fund = zero_where_nan(
            ctx.schedule_rate(ctx.bill_tariff[at], months, "fund_rate", at)
        )
        both = priced & ~np.isnan(billed_rate)
        gap[flat] += np.where(both, (due_fund - billed_fund) * kwh, 0.0)
        own = np.flatnonzero(~proved[flat])
        gap[flat[own]] += basic_gap(ctx, at[own], names[flat[own]], priced[own], charged[flat[own]])
        in_force = np.flatnonzero(proved[flat] & priced)
        gap[flat[in_force]] -= np.nan_to_num(basic_on_schedule(ctx, at[in_force]))
    return gap, pf


def _repriced_gap(
    ctx: RuleContext, rows: np.ndarray, due: np.ndarray, own_basic: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per bill of `rows` (as `tariff_difference`), the bill recomputed on the tariff due
    (`due`) less the bill recomputed on the tariff billed (`repriced.on_tariff`: every bill
    due one tariff, on the quantities billed, so a multiplier's or register's difference is not
    counted here), over every line (energy by periods or tiers, losses, basic charge, power-factor adjustment,
    funds); and of it the power-factor adjustment. NaN where a tariff is not in the schedule or
    an energy line has no rate.

    An archive holds one tariff per customer, so a customer's bills are recomputed once per
    distinct tariff its bills need: twice for one silent change, once more per further one;
    every such copy is one recomputation (`repriced.reprice`). Where `own_basic` (no basic
    charge on the tariff due, or none on the tariff billed), the tariff billed keeps the
    basic charge the bill charged (`RepricedAmounts.with_basic_billed`)."""
    cust = ctx.bill_customer[rows]
    wanted = (due, ctx.bill_tariff[rows])  # the tariff due, the tariff billed
    keys = [np.where(tariff >= 0, customer_keys(cust, tariff), -1) for tariff in wanted]
    pairs = np.unique(np.concatenate(keys))
    pairs = pairs[pairs >= 0]  # each (customer, tariff), by customer then tariff
    pair_cust, pair_tariff = pairs // KEY_STRIDE, pairs % KEY_STRIDE
    # The k-th tariff of each customer goes to its k-th recomputation.
    rank = np.arange(len(pairs)) - np.searchsorted(pair_cust, pair_cust)
    names = ctx.tariff_index.to_numpy(dtype=object)[pair_tariff]
    two_part = two_part_for(ctx, pair_tariff, pair_cust)
    ranks = np.append(rank, -1)  # padded: with no pair at all, the keys (-1) still index it
    pass_of = [np.where(key >= 0, ranks[np.searchsorted(pairs, key)], -1) for key in keys]
    amount, pf = np.full((2, len(rows)), np.nan), np.zeros((2, len(rows)))
    passes = [np.flatnonzero(rank == k) for k in range(int(rank.max(initial=-1)) + 1)]
    repricings = [on_tariff(pair_cust[at], names[at], two_part[at]) for at in passes]
    for k, repriced in enumerate(reprice(ctx, rows, repricings)):
        paid, paid_pf = repriced.total, repriced.pf_adjustment
        if own_basic.any():
            paid, paid_pf = paid_with_own_basic(ctx, rows, repriced)
        for side, codes in enumerate(wanted):
            mine = (pass_of[side] == k) & (repriced.tariff == codes)
            own = own_basic & (side == 1)
            amount[side, mine] = np.where(own, paid, repriced.total)[mine]
            pf[side, mine] = np.where(own, paid_pf, repriced.pf_adjustment)[mine]
    return round_half_up(amount[0] - amount[1]), round_half_up(pf[0] - pf[1])

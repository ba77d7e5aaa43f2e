"""Capacity and business expansion (业扩报装): basic charge, demand against capacity, suspensions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

import numpy as np
import pandas as pd

from auditkit.billing.basic import (
    CAPACITY_ORDERS,
    BillContracts,
    TwoPartDays,
    capacity_over,
    capacity_peak,
    capacity_steps,
    days_before_the_fall,
    days_in_service,
    demand_billed,
    fell_inside_period,
    month_share,
    no_two_part_tariff,
    order_steps,
)
from auditkit.billing.money import round_half_up
from auditkit.billing.params import default_billing_params
from auditkit.billing.tariff_lookup import NO_DAY, day_numbers
from auditkit.periods import date_month_number
from auditkit.rules.bill_lost import bill_lost, share_within_the_bill_lost
from auditkit.rules.billing_lines import kwh_differs, pf_moved
from auditkit.rules.context import KEY_STRIDE, RuleContext, customer_keys
from auditkit.rules.evidence import Clause, clause, left_to
from auditkit.rules.findings import (
    empty_raw,
    group_stats,
    optional_values,
    per_customer,
    per_customer_at,
    raw,
    raw_per_customer,
    rows_of,
)
from auditkit.rules.instrument import ct_sizing
from auditkit.rules.off_archive import bills_billed_off_archive, priced_tariff_due
from auditkit.rules.pf_standard import standard_surcharge
from auditkit.rules.recomputed import Recomputed
from auditkit.rules.registry import rule
from auditkit.rules.shared import once_per_context
from auditkit.rules.stale_orders import bills_of_tariff_orders_not_applied
from auditkit.rules.tariff_due import (
    bills_without_basic_charge_due,
    frozen_rules_thresholds,
    thawed_rules_thresholds,
)
from auditkit.rules.workdays import WorkingCalendar
from auditkit.rules.worklist import bills_priced_by


@rule(
    "capacity_underbilled",
    area="capacity",
    needs=(
        "customers.contract_capacity_kva",
        "customers.basic_charge_basis",
        "bills.capacity_billed_kva|bills.basic_charge|bill_lines",
    ),
    params=("kva_tolerance", "two_part_threshold_kva", "kwh_tolerance", "relative_tolerance"),
    severity="high",
    revenue_kind="proved",
    reads=("pf_standard_mismatch", "tariff_mismatch", "change_without_order", "order_not_applied"),
)
def capacity_underbilled(ctx: RuleContext, params: dict) -> pd.DataFrame:
    rows, billed, in_force, revenue = _capacity_short_due(
        ctx, params["kva_tolerance"], params["two_part_threshold_kva"]
    )
    # A bill due a single-part tariff owes no basic charge: what it charged, short or not, is
    # netted by the rule that prices the tariff (`bills_without_basic_charge_due`).
    due = ~bills_without_basic_charge_due(ctx, params["tariff_mismatch"])[rows]
    rows, billed, in_force, revenue = rows[due], billed[due], in_force[due], revenue[due]
    if not len(rows):
        return empty_raw()
    # A bill on another tariff than the one due is recomputed whole by the rule that prices
    # its tariff, its capacity short included (`recomputed_whole_by`): on a tariff dearer per
    # kVA than the one due, the short capacity at the rate billed would count more than the
    # bill lost.
    off_archive, order_not_applied = recomputed_whole_by(ctx, rows, params)
    recomputed = off_archive | order_not_applied
    revenue = np.where(recomputed, 0.0, revenue)
    # The power-factor adjustment due moves with the basic charge (its base): carried on
    # itemized data, where the adjustment due is known, as basic_charge_error carries it; on a
    # bill of other kWh the adjustment line's whole difference is multiplier_mismatch's. Under
    # a standard laxer than due, the adjustment the standard due moves on it too
    # (`standard_surcharge`: pf_standard_mismatch prices the base billed only).
    pf = 0.0 * revenue
    if ctx.itemized:
        other_kwh = kwh_differs(ctx, params["kwh_tolerance"], params["relative_tolerance"])[rows]
        moved = pf_moved(ctx, rows, revenue)
        moved += standard_surcharge(ctx, rows, revenue, params["pf_standard_mismatch"])
        pf = np.where(other_kwh | recomputed, 0.0, moved)
    # A customer below the two-part threshold that chose a two-part tariff owes its capacity
    # short at most what its bill lost as a whole (`bill_lost`): the rules floor their parts of
    # a bill apart, so a short beside a refund another rule reports would be revenue on a bill
    # over-billed in all. Not yet at every capacity: the recomputation reads the capacity in
    # force from the orders and the archive's power-factor standard, where this rule reads a
    # resumption without its suspension or the standard due, and would cap what it rightly
    # counts (docs/billing.md).
    chose_two_part = ctx.capacity_in_force[rows] < params["two_part_threshold_kva"]
    share = share_within_the_bill_lost(revenue + pf, bill_lost(ctx, rows))
    share = np.where(chose_two_part, share, 1.0)
    revenue, pf = round_half_up(revenue * share), round_half_up(pf * share)
    grouped = per_customer_at(
        ctx,
        rows,
        revenue=revenue + pf,
        pf=pf,
        off_archive=off_archive.astype(np.int64),
        order_not_applied=order_not_applied.astype(np.int64),
        in_force_last=in_force,
        billed_last=billed,
        suspended=ctx.suspended[rows].astype(np.int64),
    )
    evidence = [
        [
            clause(
                "capacity_underbilled.suspended" if found.suspended else "capacity_underbilled",
                bills=found.bills,
                months=(found.month_from, found.month_to),
                last=found.month_to,
                billed=found.billed_last,
                in_force=found.in_force_last,
                **({"suspended": found.suspended} if found.suspended else {}),
            ),
            clause("revenue", amount=found.revenue),
            *([clause("capacity_underbilled.pf", amount=found.pf)] if round(found.pf, 2) else []),
            *_recomputed_clause(found),
        ]
        for found in grouped.itertuples()
    ]
    score = 0.5 + 0.5 * (1 - grouped["billed_last"] / grouped["in_force_last"])
    return raw_per_customer(grouped, evidence, score)


def _recomputed_clause(found: object) -> list[Clause]:
    """The clause naming the rules that recompute some of a finding's bills whole (none if
    none does)."""
    elsewhere = left_to(
        billed_tariff_mismatch=found.off_archive, tariff_order_not_applied=found.order_not_applied
    )
    return [elsewhere] if elsewhere else []


@once_per_context
def _capacity_short_due(
    ctx: RuleContext, tolerance: float, two_part_kva: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What capacity_underbilled finds on these thresholds, bill by bill (`_capacity_short`, or
    `_capacity_short_by_lines` on itemized data): found once per run for the rule and
    reduction_without_drop, its arrays read-only."""
    short = _capacity_short_by_lines if ctx.itemized else _capacity_short
    rows, billed, due, revenue = short(ctx, tolerance, two_part_kva)
    # A bill on a tariff without a rate per kVA (a single-part one) is short of no charge.
    charged = revenue > 0
    return rows[charged], billed[charged], due[charged], revenue[charged]


def bills_short_of_capacity(ctx: RuleContext, params: dict) -> np.ndarray:
    """Per bill, whether `capacity_underbilled` (with its thresholds `params`) finds it short: a
    basic charge on less than the capacity in force, from the archive and the orders, prorated
    by day. All False where its data is missing (it cannot run). A rule that would price the
    same basic charge leaves it to it, so a yuan counts once; a bill due a single-part tariff
    it leaves in turn (`bills_without_basic_charge_due`), so a rule asks that first."""
    tolerance, two_part_kva = params["kva_tolerance"], params["two_part_threshold_kva"]
    return bills_priced_by(
        ctx, "capacity_underbilled", lambda: _capacity_short_due(ctx, tolerance, two_part_kva)[0]
    )


def capacity_short_where_due(ctx: RuleContext, rows: np.ndarray, params: dict) -> np.ndarray:
    """Per bill of `rows`: billed short of the capacity in force as capacity_underbilled finds
    it (`bills_short_of_capacity`, its thresholds in `params["capacity_underbilled"]`) where a
    basic charge is due (`bills_without_basic_charge_due`, `params["tariff_mismatch"]`). A rule
    recomputing such a bill whole on the tariff due nets the basic charge the bill charged, the
    short included (`change_of_use.tariff_difference`'s `charged`): capacity_underbilled leaves
    it the bill."""
    short = bills_short_of_capacity(ctx, params["capacity_underbilled"])[rows]
    return short & ~bills_without_basic_charge_due(ctx, params["tariff_mismatch"])[rows]


class RecomputedWhole(NamedTuple):
    """Per bill, whether a rule pricing its tariff recomputes it whole, its capacity short
    included: billed_tariff_mismatch (`off_archive`: another tariff than the archive's), or
    order_not_applied (`order_not_applied`: the old tariff of a tariff-change order that took
    effect)."""

    off_archive: np.ndarray
    order_not_applied: np.ndarray


def recomputed_whole_by(ctx: RuleContext, rows: np.ndarray, params: dict) -> RecomputedWhole:
    """`RecomputedWhole` of the bills `rows`, on the thresholds of `params` (by rule id:
    tariff_mismatch, change_without_order, order_not_applied): capacity_underbilled leaves
    these bills' capacity short to the rule named, and a rule leaving a short to it names that
    rule in its evidence."""
    off_archive = bills_billed_off_archive(ctx, params)[rows]
    order_not_applied = bills_of_tariff_orders_not_applied(ctx, params)[rows] & ~off_archive
    return RecomputedWhole(off_archive, order_not_applied)


def _capacity_short(
    ctx: RuleContext, tolerance: float, two_part_kva: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Capacity-basis bills billed on less than the capacity due (archive and orders), month
    by month: rows, capacity billed, due, revenue.

    Due is the capacity in force; in a month of change, connection or closure, the capacity
    the orders put on it prorated by day (`order_capacity`): a change inside a month may show
    on its bill either way, so a bill on the prorated capacity or more is not short. Inside a
    suspension, the capacity it leaves in service: what it takes off, and when that is due
    again, is suspension_overrun's. Where the capacity in force is unknown (before a capacity
    order that records no old capacity; in the month of one, a day of it), the bill is judged
    on what it billed: nothing is short; so is a bill that records neither its capacity nor
    its basic charge (`RuleContext.capacity_billed`: an archive gap, not a charge of nothing)."""
    in_force = ctx.capacity_in_force
    looked_at = ctx.basis_is(None, "capacity") & ~np.isnan(in_force)
    rows = np.flatnonzero(looked_at)
    due = in_force[rows]
    suspended = ctx.suspended[rows]
    changing = (
        ctx.has_order_near(PRORATING_ORDERS, 0, rows) | _connected_in_month(ctx, rows) | suspended
    )
    filed = order_capacity(ctx, rows[changing])
    as_filed = filed.prorated | filed.as_billed | suspended[changing]
    due[changing] = np.where(as_filed, filed.kva_months, due[changing])
    last = in_force[rows].copy()  # the capacity on the last day of the read period
    last[changing] = filed.last
    # The kVA-months it billed: its capacity recorded, or what its basic charge pays for where
    # that is more (a month of change records its end capacity while charging the days before).
    billed = ctx.capacity_billed(rows, larger=True)
    # Brought below the two-part threshold inside the read period: its days before are due.
    fell = fell_below_two_part(ctx, rows, last, two_part_kva)
    highest = last.copy()
    highest[changing] = filed.highest
    before = days_before_a_fall_below_two_part(ctx, rows, fell, highest, two_part_kva)
    due = np.where(fell, before, due)
    gap = due - billed
    flagged = (gap > tolerance) & (~fell | (before > 0))
    rows = rows[flagged]
    return rows, billed[flagged], due[flagged], gap[flagged] * ctx.kva_rate_due(rows)


def _capacity_short_by_lines(
    ctx: RuleContext, tolerance: float, two_part_kva: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`_capacity_short` from the recomputed basic lines: the capacity in force from the
    transformers or the archive and orders, day by day, prorated in months of connection,
    change or closure (kVA-months), against the quantity billed."""
    rc = ctx.recomputed
    basic_lines = rc.of("basic")
    by_capacity = ctx.basis_is(rc.row[basic_lines], "capacity")
    due = by_capacity & rc.due[basic_lines] & ~np.isnan(rc.amount_due[basic_lines])
    lines = basic_lines[due]
    # A capacity billed unknown (NaN: no capacity recorded, no charge to read it by) proves no
    # shortfall, as on monthly bills.
    billed = _kva_months_billed(rc, lines)
    gap = rc.quantity_due[lines] - billed
    flagged = gap > tolerance
    lines, billed, gap = lines[flagged], billed[flagged], gap[flagged]
    rows = rc.row[lines]
    filed = order_capacity(ctx, rows)
    # A month prorated by day is due at most its largest capacity, as on monthly bills: 31 days
    # at 1/30 are an artefact of the convention, not a charge due (`order_capacity`).
    gap = np.where(filed.prorated, np.minimum(rc.quantity_due[lines], filed.highest), gap + billed)
    gap -= billed
    # Where the orders leave the capacity unknown, the line's own (the transformers') says
    # whether the customer fell below the two-part threshold.
    last = np.where(filed.as_billed, rc.quantity_due[lines], filed.last)
    # The days before a fall below it inside the read period are due, judged on this rule's
    # threshold (the line's, on billing.yaml's, is the same by default), as on monthly bills.
    fell = fell_below_two_part(ctx, rows, last, two_part_kva)
    before = days_before_a_fall_below_two_part(ctx, rows, fell, filed.highest, two_part_kva)
    gap = np.where(fell, before - billed, gap)
    kept = (gap > tolerance) & ~used_beyond_reduction(ctx, rows, billed, tolerance, filed)
    lines, gap = lines[kept], gap[kept]
    order = np.argsort(rc.row[lines], kind="stable")
    lines, gap = lines[order], gap[order]
    rows = rc.row[lines]
    # A bill on another tariff than the one due is short at the rate of its own tariff: what
    # the tariff due charges more on the capacity in force is the tariff's difference
    # (order_not_applied, change_without_order; on a single-part tariff billed, all of it), as
    # on monthly bills.
    rate = np.where(rc.tariff_differs[rows], ctx.kva_rate_due(rows), rc.rate_due[lines])
    billed = _kva_months_billed(rc, lines)
    found = (rows, billed, billed + gap, gap * rate)  # due: capped as the gap is
    # A bill recomputed on a single-part tariff (the archive's, where tariff_mismatch may find
    # it wrong) has no basic line due: billed on a two-part tariff, it is judged as on monthly
    # bills, whether a basic charge is due being the rules' question
    # (`bills_without_basic_charge_due`). So is a bill this rule's threshold judges fallen
    # below the two-part bound where billing.yaml's, which its line is priced on, does not, or
    # the reverse (`_fall_judged_apart`): its line's quantity, or its lack of one, is not due.
    found = tuple(part[~_fall_judged_apart(ctx, rows, two_part_kva)] for part in found)
    other = _capacity_short(ctx, tolerance, two_part_kva)
    with_line = np.zeros(len(ctx.bills), dtype=bool)
    with_line[rc.row[basic_lines[rc.due[basic_lines]]]] = True
    alone = rc.tariff_differs[other[0]] & ~with_line[other[0]]
    alone |= _fall_judged_apart(ctx, other[0], two_part_kva)
    merged = [
        np.concatenate([mine, theirs[alone]]) for mine, theirs in zip(found, other, strict=True)
    ]
    order = np.argsort(merged[0], kind="stable")
    return tuple(part[order] for part in merged)


def _kva_months_billed(rc: Recomputed, lines: np.ndarray) -> np.ndarray:
    """Per basic line of `lines`, the kVA-months it billed: its quantity, or what its charge
    pays for at the rate due where that is more, as on monthly bills (`capacity_billed` with
    `larger`): a month of change often records its end capacity while charging the days before
    (1,600 → 800 kVA from 16 November, 800 recorded, 36,000.00 charged at 30: 1,200), so a line
    is short only where both fall short."""
    rate = rc.rate_due[lines]
    charged = np.divide(
        rc.amount_billed[lines], rate, out=np.full(len(lines), np.nan), where=rate > 0
    )
    return np.fmax(rc.quantity_billed[lines], charged)


def _fall_judged_apart(ctx: RuleContext, rows: np.ndarray, two_part_kva: float) -> np.ndarray:
    """Per bill of `rows`, whether the threshold `two_part_kva` judges it fallen below the
    two-part bound on the last day of its read period (`fell_below_two_part` on the capacity
    the orders put on that day) otherwise than billing.yaml's, on which the recomputation
    prices its basic line: 630 → 300 kVA from 16 July under a threshold of 250 stays
    two-part, its July due 475 kVA-months where the line has 315, its August on 300 where the
    line has none. None where the two thresholds are the same (the default)."""
    line_kva = default_billing_params().two_part_threshold_kva
    if two_part_kva == line_kva or not len(rows):
        return np.zeros(len(rows), dtype=bool)
    filed = order_capacity(ctx, rows)
    last = np.where(filed.as_billed, np.nan, filed.last)
    own = fell_below_two_part(ctx, rows, last, two_part_kva)
    return own != fell_below_two_part(ctx, rows, last, line_kva)


def fell_below_two_part(
    ctx: RuleContext, rows: np.ndarray, capacity: np.ndarray, two_part_kva: float
) -> np.ndarray:
    """Per bill of `rows`, whether `capacity` (its capacity on the last day of its read period)
    is below `two_part_kva` after its customer had at least that (`basic.capacity_peak` of the
    capacity steps known at the audit date, transformers else orders): a reduction or
    suspension leaving less moves it to a single-part tariff, no basic charge due, as the
    recomputation judges it (`basic.single_part`). A customer always below the threshold on a
    two-part tariff chose it (100 to 315 kVA may, 发改价格〔2023〕526号) and owes its basic
    charge: a 200 kVA customer on IND2 billed on 150 kVA is 50 kVA short. Below 100 kVA
    (params/billing.yaml `two_part_choice_from_kva`) none may choose it: single-part, whatever
    its tariff billed.
    NaN: unknown, not."""
    cust = ctx.bill_customer[rows]
    read_to = day_numbers(ctx.read_days(rows)[1])
    customer_id = ctx.customers["customer_id"].iloc[cust]
    peak = capacity_peak(customer_id, read_to, _capacity_steps(ctx), _bill_contracts(ctx))
    return no_two_part_tariff(capacity, peak, two_part_kva, _choice_from_kva())


@once_per_context
def _capacity_steps(ctx: RuleContext) -> pd.DataFrame:
    """The capacity steps the recomputation reads (`basic.capacity_steps`: transformers, else
    the capacity and suspension orders), of the orders known at the audit date; made once per
    run."""
    return capacity_steps(ctx)


def used_beyond_reduction(
    ctx: RuleContext,
    rows: np.ndarray,
    billed: np.ndarray,
    tolerance: float,
    filed: OrderCapacity,
) -> np.ndarray:
    """Per bill of `rows`: on or after a capacity reduction, with the contract capacity then in
    force billed (`billed`, kVA): transformers running beyond it are equipment used against the
    reduction, reduction_without_drop's finding, not a basic charge billed short.

    In the month the reduction takes effect, the capacity then in force is the orders' prorated
    by day (`filed`: `order_capacity` of `rows`): the days before it were due on the capacity
    before it. Where the capacity in force is unknown, the orders' (judged as billed: the
    capacity billed is in force), and where the bill's columns leave that unknown too, the
    capacity `billed` itself is."""
    reduced = np.flatnonzero(_inside_reductions(ctx)[rows])
    beyond = np.zeros(len(rows), dtype=bool)
    in_force = ctx.capacity_in_force[rows[reduced]]
    as_filed = filed.prorated[reduced] | filed.as_billed[reduced] | np.isnan(in_force)
    in_force = np.where(as_filed, filed.kva_months[reduced], in_force)
    beyond[reduced] = (billed[reduced] >= in_force - tolerance) | np.isnan(in_force)
    return beyond


#: Score of a finding whose order is irregular but whose bills charged what it took off.
PROCEDURAL_SCORE = 0.3
#: Rules that prove from the orders a basic charge the bills left short: reduction_without_drop
#: (an estimate: sealed equipment in use) leaves them what they count of its months.
PROVED_CAPACITY_RULES = ("capacity_underbilled", "suspension_overrun", "suspension_backdated")
#: The rules whose thresholds decide at which tariff a bill is due (`priced_tariff_due`).
TARIFF_RULES = ("tariff_mismatch", "change_without_order", "order_not_applied")
#: Orders that move the capacity a basic charge is due on inside a read period.
PRORATING_ORDERS = (*CAPACITY_ORDERS, "closure")


class OrderCapacity(NamedTuple):
    """Per bill, the capacity the archive and the capacity, suspension and resumption orders
    put on it, as filed (`order_capacity`)."""

    kva_months: np.ndarray  # the capacity due as the orders have it (kVA-months)
    last: np.ndarray  # the capacity on the last day of the read period in service (kVA)
    lowest: np.ndarray  # the smallest capacity of a day of it in service (kVA)
    highest: np.ndarray  # the largest capacity of a day of it in service (kVA)
    prorated: np.ndarray  # the read period holds a change, a connection or a closure
    as_billed: np.ndarray  # a day of it has an unknown capacity: all four are the capacity billed
    month_share: np.ndarray  # the months it is due for (`basic.month_share`), by calendar month


def order_capacity(
    ctx: RuleContext, rows: np.ndarray, steps: pd.DataFrame | None = None
) -> OrderCapacity:
    """The capacity of each bill of `rows` as the archive and the orders known at the audit
    date have it (`steps`: those orders' steps by default), priced as `auditkit.billing.basic`
    prices it: Σ over the read days in service of each day's capacity / days_per_month where
    the read period holds a change, a connection or a closure, else the capacity in force.

    The proration is capped at the largest capacity of those days: a month billed whole on it
    is never short (31 days / 30 is an artefact of the convention, not a charge due). A bill
    with a day whose capacity is unknown (before a capacity order that records no old
    capacity) is as billed: its capacity billed (`RuleContext.capacity_billed`), unprorated."""
    cust = ctx.bill_customer[rows]
    first, last, part_month, read_to = _service_days(ctx, rows)
    day_sum, capacity, lowest, highest, as_billed = capacity_over(
        ctx.customers["customer_id"].iloc[cust],
        ctx.capacity_in_force[rows],
        ctx.capacity_billed(rows),
        first,
        last,
        read_to,
        _order_steps(ctx) if steps is None else steps,
    )
    prorated = (part_month | (lowest != highest)) & ~as_billed
    days_per_month = _days_per_month(ctx)
    prorated_kva = np.minimum(day_sum / days_per_month, highest)
    return OrderCapacity(
        np.where(prorated, prorated_kva, capacity),
        capacity,
        lowest,
        highest,
        prorated,
        as_billed,
        month_share(first, last, part_month, days_per_month),
    )


def two_part_days_before_a_fall(
    ctx: RuleContext, rows: np.ndarray, two_part_kva: float
) -> TwoPartDays:
    """Per bill of `rows`, each fallen below `two_part_kva` inside its read period, its days on
    a two-part tariff before the fall as the recomputation counts them
    (`basic.days_before_the_fall` on the rule's threshold, over the capacity steps known at the
    audit date): by demand it is due its demand floored on the capacity of the last of them,
    for their share of a month (630 kVA suspended to 200 from 16 July, 400 kW read:
    400 × 15/30 kW-months)."""
    first, last, _, read_to = _service_days(ctx, rows)
    cust = ctx.bill_customer[rows]
    params = replace(default_billing_params(), two_part_threshold_kva=two_part_kva)
    return days_before_the_fall(
        ctx.customers["customer_id"].iloc[cust],
        ctx.capacity_in_force[rows],
        np.arange(len(rows)),
        first,
        last,
        read_to,
        _capacity_steps(ctx),
        params,
        _bill_contracts(ctx),
    )


@once_per_context
def _order_steps(ctx: RuleContext) -> pd.DataFrame:
    """The capacity steps of the orders known at the audit date
    (`auditkit.billing.basic.order_steps`), made once per run."""
    return order_steps(ctx.work_orders)


@once_per_context
def _bill_contracts(ctx: RuleContext) -> BillContracts:
    """Every bill's contract capacity in force (`capacity_in_force`), as the recomputation's
    bill frame has it: what a capacity step of unknown kVA resolves to (`basic._resolved_kva`),
    for the peak and the two-part steps alike; made once per run."""
    rows = np.arange(len(ctx.bills))
    customer_id = ctx.customers["customer_id"].iloc[ctx.bill_customer]
    return BillContracts(customer_id, day_numbers(ctx.read_days(rows)[1]), ctx.capacity_in_force)


def days_before_a_fall_below_two_part(
    ctx: RuleContext, rows: np.ndarray, fell: np.ndarray, highest: np.ndarray, two_part_kva: float
) -> np.ndarray:
    """Per bill of `rows` that `fell` below the two-part threshold `two_part_kva` by the last
    day of its read period (`fell_below_two_part` on the same threshold), the kVA-months due on
    its days before, on a two-part tariff at the capacity then in force, 1/30 a day, as the
    recomputation prices them (`two_part_days_before_a_fall`, at most their largest capacity,
    as `basic.basic_lines` caps them): a reduction 630 → 200 kVA from 16
    July, 15 × 630 / 30 = 315; a chosen 200 kVA → 99, 15 × 200 / 30 = 100. 0 on a bill with no
    such day (`basic.fell_inside_period`: `highest`, its largest capacity, below
    `two_part_choice_from_kva`; or its days single-part) or not fallen."""
    due = np.zeros(len(rows))
    inside = np.flatnonzero(fell_inside_period(fell, highest, _choice_from_kva()))
    if len(inside):
        days = two_part_days_before_a_fall(ctx, rows[inside], two_part_kva)
        per_month = default_billing_params().days_per_month
        due[inside] = np.nan_to_num(np.fmin(days.kva_days / per_month, days.highest))
    return due


def _choice_from_kva() -> float:
    """The capacity below which no customer may choose a two-part tariff
    (params/billing.yaml `two_part_choice_from_kva`): read here once for every rule of this
    module that judges a two-part choice."""
    return default_billing_params().two_part_choice_from_kva


def _closure_days(ctx: RuleContext, cust: np.ndarray, since: np.ndarray) -> np.ndarray:
    """Per bill (its customer `cust`, a day number `since`), the day its customer's first
    closure takes effect on or after `since` (NO_DAY where none does)."""
    closures = ctx.orders_of("closure")
    closures = closures[closures["cust"] >= 0]
    keys = np.sort(
        customer_keys(closures["cust"].to_numpy(), day_numbers(closures["effective_date"]))
    )
    found = np.searchsorted(keys, customer_keys(cust, since), "left")
    key = np.append(keys, -1)[found]  # -1: past the last closure
    return np.where(key // KEY_STRIDE == cust, key % KEY_STRIDE, NO_DAY)


def _connected_in_month(ctx: RuleContext, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`: its customer was connected in the bill's month."""
    connected = date_month_number(ctx.customers["connection_date"])
    return connected[ctx.bill_customer[rows]] == ctx.bill_month[rows]


@once_per_context
def _inside_reductions(ctx: RuleContext) -> np.ndarray:
    """Per bill: inside a capacity reduction of a known customer, until its restoration (read
    by capacity_underbilled and basic_charge_error: found once per run)."""
    spans = _known_spans(ctx)
    return ctx.inside_spans(spans[spans["order_type"] == "capacity_reduction"])


def _known_spans(ctx: RuleContext) -> pd.DataFrame:
    """Suspensions and reductions of known customers, each until it ends (`reducing_spans`)."""
    spans = ctx.reducing_spans
    return spans[spans["cust"] >= 0].reset_index(drop=True)


@rule(
    "demand_over_capacity",
    area="capacity",
    needs=("customers.contract_capacity_kva", "bills.max_demand_kw"),
    params=("demand_ratio", "min_months", "lookback_months", "ct_oversize_ratio", "ct_low_side_kv"),
    severity="high",
    revenue_kind="estimated",
    penalty="capacity_increase",
)
def demand_over_capacity(ctx: RuleContext, params: dict) -> pd.DataFrame:
    demand = ctx.bills["max_demand_kw"].to_numpy(dtype=float)
    in_force = ctx.capacity_in_force
    recent = ctx.bill_month > ctx.as_of - params["lookback_months"]
    # Inside a suspension or reduction, demand above the capacity left is sealed equipment in use
    # (reduction_without_drop); once it is resumed or restored the full capacity is in force again.
    comparable = ~ctx.inside_spans(_known_spans(ctx))
    over = (demand > params["demand_ratio"] * in_force) & comparable
    if not (over & recent).any():
        return empty_raw()
    # Listed on the recent months; described and priced from the first month over in the data, so
    # the finding keeps its start (and its key in the register) from one audit month to the next.
    listed = per_customer(ctx, over & recent)
    listed = listed.loc[listed["bills"] >= params["min_months"], "cust"].to_numpy()
    if not len(listed):
        return empty_raw()
    rows = rows_of(ctx, listed)  # the listed customers' bills, the only ones priced below
    flagged = rows[over[rows]]
    grouped = per_customer_at(
        ctx, flagged, demand_max=demand[flagged], in_force_last=in_force[flagged]
    )
    # Lower bound of the basic charge escaped: the transformer is at least as large as the highest
    # demand seen since the first month over, in every comparable month from then on.
    first_over = np.full(len(ctx.customers), np.iinfo(np.int64).max)
    first_over[grouped["cust"].to_numpy()] = grouped["month_from"].to_numpy()
    counted = rows[comparable[rows] & (ctx.bill_month[rows] >= first_over[ctx.bill_customer[rows]])]
    capacity_basis = ctx.basis_is(counted, "capacity")
    window = pd.DataFrame(
        {
            "cust": ctx.bill_customer[counted],
            "month": ctx.bill_month[counted],
            "demand": demand[counted],
            "in_force": in_force[counted],
            "kva_rate": np.where(capacity_basis, ctx.kva_rate_due(counted), 0.0),
        }
    )
    highest = window.groupby("cust")["demand"].cummax()
    # A month of connection or closure owes its days in service only (1/30 a day, at most a
    # whole month), as basic_charge_error prorates it.
    share = order_capacity(ctx, counted).month_share
    escaped = (highest - window["in_force"]).clip(lower=0).to_numpy() * window["kva_rate"] * share
    # The power-factor adjustment due moves with the basic charge (its base), as
    # capacity_underbilled carries its own: on itemized data, where the adjustment due is known.
    pf = np.zeros(len(counted))
    if ctx.itemized:
        pf = np.where(escaped > 0, pf_moved(ctx, counted, escaped.to_numpy()), 0.0)
    window["basic"] = escaped
    window["escaped"] = escaped + pf
    window["pf"] = pf
    totals = group_stats(
        window.groupby("cust"),
        revenue=("escaped", "sum"),
        basic=("basic", "sum"),
        pf=("pf", "sum"),
        month_to=("month", "max"),
    )
    totals = totals.reindex(grouped["cust"])
    revenue = totals["revenue"].fillna(0.0).to_numpy()
    adjustment = totals["pf"].fillna(0.0).to_numpy()
    customers = ctx.customers.iloc[grouped["cust"]]
    ct = ct_sizing(customers, params["ct_low_side_kv"])  # at the metering voltage
    rated_current, ct_primary = ct.rated_a, ct.primary_a
    evidence = []
    for found, primary, current, escaped, moved in zip(
        grouped.itertuples(), ct_primary, rated_current, revenue, adjustment, strict=True
    ):
        clauses = [
            clause(
                "demand_over_capacity",
                capacity=found.in_force_last,
                over=found.bills,
                months=(found.month_from, found.month_to),
                peak=found.demand_max,
            )
        ]
        if primary > params["ct_oversize_ratio"] * current:
            clauses.append(clause("ct_oversized", primary=primary, rated=current))
        if escaped > 0:
            clauses.append(clause("basic_charge_lower_bound", amount=escaped))
            if round(moved, 2):
                clauses.append(clause("capacity_underbilled.pf", amount=moved))
        evidence.append(clauses)
    score = np.minimum(1.0, grouped["demand_max"] / grouped["in_force_last"] - 0.5)
    # Every customer listed has bills counted: its months over capacity are among them.
    month_to = totals["month_to"].to_numpy()
    # The penalty is 3× the basic charge escaped (DOMAIN.md, params common), not its power-factor
    # part; month by month, each month under the penalty regime in force then.
    by_customer = dict(tuple(window.groupby("cust")[["month", "basic"]]))
    basic_months = [
        (by_customer[cust]["month"].to_numpy(), by_customer[cust]["basic"].to_numpy())
        for cust in grouped["cust"]
    ]
    return raw(
        grouped["cust"],
        grouped["month_from"],
        month_to,
        evidence,
        revenue,
        score,
        penalty_base=totals["basic"].fillna(0.0).to_numpy(),
        penalty_months=basic_months,
    )


@rule(
    "reduction_without_drop",
    area="capacity",
    needs=("work_orders.effective_date", "bills.kwh_billed"),
    params=("demand_ratio", "max_load_factor", "power_factor", "min_months_after"),
    severity="high",
    revenue_kind="estimated",
    penalty="sealed_equipment",
    reads=(*PROVED_CAPACITY_RULES, *TARIFF_RULES),
)
def reduction_without_drop(ctx: RuleContext, params: dict) -> pd.DataFrame:
    spans = _known_spans(ctx)
    spans = spans[spans["effective_month"] <= ctx.as_of - params["min_months_after"] + 1]
    if spans.empty:
        return empty_raw()
    # Each order's window runs to its resumption (suspension) or restoration (reduction).
    frame = pd.DataFrame(
        {
            "order": np.arange(len(spans)),
            "cust": spans["cust"].to_numpy(),
            "start": spans["effective_month"].to_numpy(),
            "end": spans["end_month"].fillna(ctx.as_of + 1).to_numpy(dtype=np.int64),
            "start_date": spans["effective_date"].to_numpy(dtype="datetime64[D]"),
            "end_date": spans["end_date"].to_numpy(dtype="datetime64[D]"),
            "old": pd.to_numeric(spans["old_value"], errors="coerce").to_numpy(dtype=float),
            "remaining": pd.to_numeric(spans["new_value"], errors="coerce").to_numpy(dtype=float),
            "order_type": spans["order_type"].to_numpy(),
        }
    )
    rows = rows_of(ctx, frame["cust"].to_numpy())
    read_from, read_to = ctx.read_days(rows)
    no_basic = bills_without_basic_charge_due(ctx, params["tariff_mismatch"])
    bills = pd.DataFrame(
        {
            "cust": ctx.bill_customer[rows],
            "row": rows,
            "month": ctx.bill_month[rows],
            "read_from": read_from,
            "read_to": read_to,
            "kwh": ctx.bills["kwh_billed"].to_numpy(dtype=float)[rows],
            "demand": optional_values(ctx.bills, "max_demand_kw")[rows],
            # A charge per kVA escapes on a bill by capacity only (the basis in force on it),
            # and one due a basic charge (not on a single-part tariff due).
            "kva_rate": np.where(
                ctx.basis_is(rows, "capacity") & ~no_basic[rows], ctx.kva_rate_due(rows), 0.0
            ),
            **_escape_bases(ctx, rows),
        }
    )
    joined = bills.merge(frame, on="cust")
    column = {name: joined[name].to_numpy() for name in joined.columns if name != "order_type"}
    month = column["month"]
    # The bill whose read period holds the order's end (resumption, restoration) is in its
    # window too: the days before the end were under the order (a suspension to 11 February
    # read 25 January to 24 February: 17 days of it).
    window = (month >= column["start"]) & (
        (month < column["end"]) | (column["read_from"] < column["end_date"])
    )
    window &= month <= ctx.as_of
    # Load is judged on whole read periods under the reduced capacity: a month of change mixes
    # days before the order (or after its end) with days under it.
    ended = column["read_to"] >= column["end_date"]  # never where either is NaT
    judged = window & (column["read_from"] >= column["start_date"]) & ~ended
    days = (column["read_to"] - column["read_from"]) / np.timedelta64(1, "D")
    # What escaped on a bill is the basic charge due on the old capacity (× the bill's share of
    # a month: a month of connection or closure) less the basic charge the bill billed, never
    # below 0: in a month of change the bill charged the days before the order on the old
    # capacity already (800 → 315 kVA from 8 November billed (7 × 800 + 23 × 315) / 30 ×
    # 26.4 = 11,303.60: 21,120.00 − 11,303.60 = 9,816.40 escaped, not 485 × 26.4). At most
    # what the order took off the charge due on the orders (`owed`): a bill charging less
    # than that is short of another rule's yuan (the capacity the orders leave, a charge
    # miscomputed).
    due = column["old"] * column["share"] * column["kva_rate"]
    escaped = np.where(window, due - column["billed"] * column["kva_rate"], np.nan)
    took_off = np.where(window, due - column["owed"] * column["kva_rate"], np.nan)
    stats = group_stats(
        pd.DataFrame(
            {
                "order": column["order"],
                "kwh_judged": np.where(judged, column["kwh"], np.nan),
                "hours_judged": np.where(judged, (days + 1) * 24.0, np.nan),
                "demand_judged": np.where(judged, column["demand"], np.nan),
                "judged": judged,
            }
        ).groupby("order"),
        kwh=("kwh_judged", "sum"),
        hours=("hours_judged", "sum"),
        demand_after=("demand_judged", "max"),
        months_after=("judged", "sum"),
    )
    frame = frame.join(stats, on="order")
    # Average load as a share of what the capacity left can deliver at a plausible power factor.
    # Only a load above what it carries means sealed equipment in use (DOMAIN.md): a cold store
    # at 87 % of its 630 kVA unit is well loaded, not over it. Where the bills record maximum
    # demand, the demand judges: a peak within the capacity left shows it carried the load.
    carried = frame["remaining"] * frame["hours"] * params["power_factor"]
    frame["load_factor"] = frame["kwh"] / carried.where(carried > 0)
    frame["over_load"] = (frame["load_factor"] > params["max_load_factor"]) & frame[
        "demand_after"
    ].isna()
    frame["over_demand"] = frame["demand_after"] > params["demand_ratio"] * frame["remaining"]
    flagged = (frame["months_after"] >= params["min_months_after"]) & (
        frame["over_load"] | frame["over_demand"]
    )
    hits = frame[flagged.to_numpy()].sort_values(["cust", "start", "order"], kind="stable")
    if hits.empty:
        return empty_raw()
    # Orders that overlap (two suspensions, a suspension then a reduction) cover the same bills:
    # each month's escaped charge is the largest any of them gives, counted once.
    counted = np.isin(column["order"], hits["order"].to_numpy()) & window
    escaped = pd.DataFrame(
        {
            "cust": column["cust"][counted],
            "month": month[counted],
            "escaped": escaped[counted],
            "took_off": took_off[counted],
        }
    )
    by_month = escaped.groupby(["cust", "month"])
    per_month = by_month["escaped"].max().clip(lower=0)
    cap = by_month["took_off"].max().clip(lower=0)
    left_rows = np.unique(column["row"][counted & no_basic[column["row"]]])
    not_due = pd.Series(ctx.bill_customer[left_rows]).value_counts()
    # The part of it a proved rule counts on the orders' evidence (capacity the orders leave
    # billed short, a suspension too short or overrun, days before a backdated application) is
    # that rule's: this estimate keeps the rest.
    proved = _proved_by_month(ctx, params, per_month.index)
    per_month = (per_month - proved.sum(axis=1)).clip(lower=0)
    # Capped where the cap is known; a month that proves nothing (NaN) stays so.
    per_month = per_month.where(~(per_month > cap), cap).round(2)
    revenue = per_month.groupby(level="cust").sum()
    shown = hits.drop_duplicates("cust")  # each customer's earliest flagged order
    counts = hits.groupby("cust").size().reindex(shown["cust"]).to_numpy()
    spans_of = group_stats(hits.groupby("cust"), start=("start", "min"), end=("end", "max"))
    spans_of = spans_of.reindex(shown["cust"])
    amounts = revenue.reindex(shown["cust"]).fillna(0.0).to_numpy()
    left = proved.groupby(level="cust").sum().reindex(shown["cust"]).fillna(0.0)
    evidence = [
        [
            *_reduction_evidence(order, more, amount, params["power_factor"], elsewhere),
            *_not_due_clause(not_due, order.cust),
        ]
        for order, more, amount, elsewhere in zip(
            shown.itertuples(), counts - 1, amounts, left.itertuples(index=False), strict=True
        )
    ]
    month_to = np.minimum(spans_of["end"].to_numpy() - 1, ctx.as_of)
    # The bill of an order's end month counts where something escaped on it.
    escaped_months = per_month[per_month > 0].index.get_level_values("month")
    last_escaped = (
        pd.Series(escaped_months, dtype=np.int64)
        .groupby(per_month[per_month > 0].index.get_level_values("cust"))
        .max()
    )
    last_escaped = last_escaped.reindex(shown["cust"]).fillna(-1).to_numpy(dtype=np.int64)
    month_to = np.maximum(month_to, last_escaped)
    excess = np.fmax(
        shown["demand_after"] / shown["remaining"] - 1,
        shown["load_factor"] / params["max_load_factor"] - 1,
    )
    score = 0.5 + 0.5 * np.clip(np.nan_to_num(excess.to_numpy(dtype=float)), 0, 1)
    return raw(shown["cust"], spans_of["start"], month_to, evidence, amounts, score)


def _escape_bases(ctx: RuleContext, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Per bill of `rows`, what reduction_without_drop prices its escaped basic charge on:
    `billed`, the kVA-months its basic charge paid for at the rate per kVA due (its basic
    charge billed ÷ that rate, `RuleContext.basic_charge_billed`; where that charge is unknown,
    its capacity billed, `RuleContext.capacity_billed`, as before); `owed`, the kVA-months the
    archive and the orders put on it (`order_capacity`, prorated by day in a month of change);
    `share`, its month's share (`order_capacity`: days in service / days_per_month in a month
    of connection or closure, else 1)."""
    rate = ctx.kva_rate_due(rows)
    charge = ctx.basic_charge_billed[rows]
    paid_for = np.divide(charge, rate, out=np.full(len(rows), np.nan), where=rate > 0)
    billed = np.where(np.isnan(paid_for), ctx.capacity_billed(rows), paid_for)
    filed = order_capacity(ctx, rows)
    return {"billed": billed, "owed": filed.kva_months, "share": filed.month_share}


def _proved_by_month(ctx: RuleContext, params: dict, months: pd.MultiIndex) -> pd.DataFrame:
    """Per (cust, month) of `months`, what each proved capacity rule (`PROVED_CAPACITY_RULES`,
    a column each) counts on the bills, on its own thresholds (`params[rule]`): what the rules
    themselves price per bill, so reduction_without_drop leaves them the same yuan whatever
    rules run."""
    cust = months.get_level_values("cust").to_numpy()
    underbilled = params["capacity_underbilled"]
    rows, _, _, revenue = _capacity_short_due(
        ctx, underbilled["kva_tolerance"], underbilled["two_part_threshold_kva"]
    )
    overrun = params["suspension_overrun"]
    overrun_due = (overrun["max_months"], overrun["min_days"])
    notice = params["suspension_backdated"]["short_notice_working_days"]
    no_basic = bills_without_basic_charge_due(ctx, params["tariff_mismatch"])
    by_bill = {
        "capacity_underbilled": pd.Series(revenue, index=rows, dtype=float),
        "suspension_overrun": _overrun_priced(ctx, *overrun_due, params)[1],
        "suspension_backdated": _backdated_priced(ctx, notice, *overrun_due, params)[1],
    }
    by_bill = {  # what each proves: none on a bill without a basic charge due, as they leave it
        rule_id: amounts[~no_basic[amounts.index.to_numpy(dtype=np.int64)]]
        for rule_id, amounts in by_bill.items()
    }
    columns = {}
    for rule_id in PROVED_CAPACITY_RULES:
        amounts = by_bill[rule_id]
        at = amounts.index.to_numpy(dtype=np.int64)
        among = np.isin(ctx.bill_customer[at], cust)
        amounts, at = amounts[among], at[among]
        per_month = amounts.groupby([ctx.bill_customer[at], ctx.bill_month[at]]).sum()
        columns[rule_id] = per_month.reindex(months).fillna(0.0).to_numpy()
    return pd.DataFrame(columns, index=months)


def _reduction_evidence(
    order: object, more: int, amount: float, power_factor: float, elsewhere: tuple
) -> list[Clause]:
    """What reduction_without_drop saw for one order, naming only the tests that fired, and
    what the proved rules count of the same months (`elsewhere`: an amount each, in
    `PROVED_CAPACITY_RULES` order)."""
    kind = "suspension" if order.order_type == "suspension" else "capacity_reduction"
    reasons = []
    if order.over_load:
        reasons.append(
            clause(
                "load_above_remaining",
                load=order.load_factor,
                remaining=order.remaining,
                pf=power_factor,
            )
        )
    if order.over_demand:
        reasons.append(
            clause("demand_above_remaining", demand=order.demand_after, remaining=order.remaining)
        )
    found = clause(
        f"reduction_without_drop.{kind}",
        old=order.old,
        remaining=order.remaining,
        start=order.start,
        reasons=reasons,
    )
    tail = [clause("more_such_orders", more=more)] if more else []
    left = [
        clause(f"reduction_without_drop.left.{rule_id}", amount=counted)
        for rule_id, counted in zip(PROVED_CAPACITY_RULES, elsewhere, strict=True)
        if round(counted, 2)
    ]
    return [found, *tail, clause("basic_charge_escaped", amount=amount), *left]


@rule(
    "suspension_overrun",
    area="capacity",
    needs=("work_orders.effective_date",),
    params=("max_months", "min_days"),
    severity="high",
    revenue_kind="proved",
    reads=("capacity_underbilled", "pf_standard_mismatch", *TARIFF_RULES),
)
def suspension_overrun(ctx: RuleContext, params: dict) -> pd.DataFrame:
    hits, _ = _suspension_due(ctx, params["max_months"], params["min_days"])
    if hits.empty:
        return empty_raw()
    limit = max_days_in_months(params["max_months"])
    priced, unbilled = _overrun_priced(ctx, params["max_months"], params["min_days"], params)
    no_basic = bills_without_basic_charge_due(ctx, params["tariff_mismatch"])
    priced, unbilled, not_due = _basic_due_only(ctx, priced, unbilled, no_basic)
    pf = _pf_carried(ctx, unbilled, params)
    months = group_stats(priced.groupby("cust"), min=("month", "min"), max=("month", "max"))
    # Each customer's finding shows its first overrun (else its first too-short suspension).
    shown = hits.sort_values(["cust", "short", "start"], kind="stable").drop_duplicates("cust")
    more = hits.groupby("cust").size().reindex(shown["cust"]).to_numpy() - 1
    cust = shown["cust"].to_numpy()
    first = date_month_number(pd.Series(shown["charged_from"].to_numpy()))
    month_from = months["min"].reindex(cust).fillna(pd.Series(first, index=cust)).to_numpy()
    month_to = months["max"].reindex(cust).fillna(pd.Series(first, index=cust)).to_numpy()
    amounts, billed, adjustment = _left_unbilled(ctx, priced, unbilled, cust, pf)
    evidence = [
        [
            *_suspension_evidence(span, extra, amount, ctx.as_of, limit, params, paid, moved),
            *_not_due_clause(not_due, span.cust),
        ]
        for span, extra, amount, paid, moved in zip(
            shown.itertuples(), more, amounts, billed, adjustment, strict=True
        )
    ]
    score = np.where(shown["short"], 0.5, np.minimum(1.0, 0.5 + shown["used"] / (2 * limit) - 0.25))
    score = np.where(billed, PROCEDURAL_SCORE, score)
    month_to = np.clip(month_to, month_from, ctx.as_of)
    return raw(cust, month_from, month_to, evidence, amounts, score)


def _overrun_priced(
    ctx: RuleContext, max_months: int, min_days: int, params: dict
) -> tuple[pd.DataFrame, pd.Series]:
    """suspension_overrun's days due (`_suspension_due`) priced bill by bill
    (`basic_charge_of_days`) at the tariff due (`_basic_rate_of_tariff_due`, the tariff rules'
    thresholds in `params`), and what each bill left unbilled of them beyond what
    capacity_underbilled counts (`unbilled_by_bill`, `_short_counted` on its thresholds in
    `params`): found once per run for the rule and reduction_without_drop, shared, never
    written into."""
    return _overrun_priced_on(ctx, max_months, min_days, tariff_key(params), _short_key(params))


@once_per_context
def _overrun_priced_on(
    ctx: RuleContext, max_months: int, min_days: int, key: tuple, short_key: tuple
) -> tuple[pd.DataFrame, pd.Series]:
    """`_overrun_priced` on the tariff rules' and capacity_underbilled's thresholds frozen
    (`tariff_key`, `_short_key`)."""
    _, days = _suspension_due(ctx, max_months, min_days)
    rate_of = _rate_of_tariff_due(ctx, key)
    priced = basic_charge_of_days(
        ctx, days["cust"], days["kva"], days["start"], days["stop"], rate_of
    )
    counted = _short_counted(ctx, priced["row"].to_numpy(dtype=np.int64), *short_key)
    return priced, unbilled_by_bill(ctx, priced, counted)


def _basic_due_only(
    ctx: RuleContext, priced: pd.DataFrame, unbilled: pd.Series, no_basic: np.ndarray
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """`priced` and `unbilled` (`basic_charge_of_days`, `unbilled_by_bill`) without the bills
    on which no basic charge is due (`no_basic`, per bill: a single-part tariff due, from
    `bills_without_basic_charge_due`), and per customer how many bills were left so."""
    rows = unbilled.index.to_numpy(dtype=np.int64)
    left = pd.Series(ctx.bill_customer[rows[no_basic[rows]]]).value_counts()
    kept = ~no_basic[priced["row"].to_numpy(dtype=np.int64)]
    return priced[kept], unbilled[~no_basic[rows]], left


def _not_due_clause(not_due: pd.Series, cust: int) -> list[Clause]:
    """The clause saying how many of a customer's bills owe no basic charge (`_basic_due_only`),
    where any do."""
    elsewhere = left_to(single_part_due=int(not_due.get(cust, 0)))
    return [elsewhere] if elsewhere else []


def max_days_in_months(months: int) -> int:
    """The most days `months` consecutive calendar months hold (6 → 184, July to December).

    The yearly allowance of suspension days: counted in days, a limit of N months never faults
    a suspension of N whole calendar months, whichever months they are.
    """
    starts = pd.date_range("2023-01-01", periods=24, freq="MS")  # a leap February among them
    ends = starts + pd.DateOffset(months=months)
    return int((ends - starts).days.max())


class SuspendedDays(NamedTuple):
    """Known customers' suspensions (`_suspension_periods`): the periods the yearly allowance
    counts, and the orders in them, each priced on its own capacity."""

    periods: pd.DataFrame
    orders: pd.DataFrame


_PERIOD_COLUMNS = ["cust", "order_id", "orders", "start", "stop", "resumed", "closed", "days"]
_ORDER_COLUMNS = ["cust", "order_id", "start", "stop", "kva", "period"]


@once_per_context
def _suspension_periods(ctx: RuleContext) -> SuspendedDays:
    """Known customers' suspensions as day spans [start, stop): stop is the resumption (or the
    account's closure) when it took effect by the audit date, else the day after it.

    Periods: suspensions overlapping in the data (two not resumed in between) are one period,
    whose days count once in the year's allowance (a day suspended is a day, however many
    transformers are sealed); columns cust, order_id (the first order), orders, start, stop,
    resumed (ended by the audit date), closed (ended by a closure), days. Orders: each
    suspension's cust, order_id, start, stop, kva (taken off) and period (its row in periods),
    so that stacked suspensions are due on all the capacity they took off, each for its days.
    Found once per run (read by suspension_overrun, suspension_backdated and
    reduction_without_drop): its frames are shared, never written into.
    """
    spans = ctx.suspension_spans
    spans = spans[spans["cust"] >= 0]
    if spans.empty:
        return SuspendedDays(
            pd.DataFrame(columns=_PERIOD_COLUMNS), pd.DataFrame(columns=_ORDER_COLUMNS)
        )
    cutoff = np.datetime64(ctx.as_of_date.date(), "D") + 1
    start = spans["effective_date"].to_numpy(dtype="datetime64[D]")
    end = spans["end_date"].to_numpy(dtype="datetime64[D]")
    resumed = ~np.isnat(end) & (end < cutoff)
    stop = np.where(resumed, end, cutoff)
    frame = pd.DataFrame(
        {
            "cust": spans["cust"].to_numpy(dtype=np.int64),
            "order_id": spans["order_id"].to_numpy(),
            "start": start,
            "stop": stop,
            "kva": _kva_taken_off(spans),
            "new": pd.to_numeric(spans["new_value"], errors="coerce").to_numpy(dtype=float),
            "resumed": resumed,
            "closed_at": np.where(
                resumed & (spans["end_type"] == "closure").to_numpy(), stop, np.datetime64("NaT")
            ),
        }
    ).sort_values(["cust", "start"], kind="stable", ignore_index=True)
    # A period starts where a suspension begins after every earlier one of the customer ended.
    reach = frame.groupby("cust")["stop"].cummax()
    earlier = reach.groupby(frame["cust"]).shift()
    new_period = earlier.isna() | (frame["start"] >= earlier)
    frame["period"] = new_period.cumsum() - 1
    periods = group_stats(
        frame.groupby("period"),
        cust=("cust", "first"),
        order_id=("order_id", "first"),
        orders=("order_id", "size"),
        start=("start", "min"),
        stop=("stop", "max"),
        resumed=("resumed", "all"),
        closed_at=("closed_at", "max"),
    )
    periods["closed"] = periods["closed_at"] == periods["stop"]
    periods["days"] = (periods["stop"] - periods["start"]).dt.days
    frame["kva"] = _kva_added(frame)
    return SuspendedDays(periods.reset_index(drop=True), frame[_ORDER_COLUMNS])


def _kva_added(frame: pd.DataFrame) -> np.ndarray:
    """Per suspension of `frame` (sorted by customer and start: kva taken off, new kVA left,
    period), the kVA it takes off beyond the earlier ones of its period in force on its first
    day: the least they leave (else its old value), less what it leaves. A suspension stacked
    on another (1000→700, then 700→400) adds its 300 kVA; one that repeats it (630→315 twice)
    adds nothing, so a day's kVA are counted once."""
    suspension, other = _in_force_on_first_day(
        frame["period"].to_numpy(), frame["start"], frame["stop"]
    )
    earlier = other < suspension
    new, old = frame["new"].to_numpy(), frame["new"].to_numpy() + frame["kva"].to_numpy()
    left = pd.Series(new[other[earlier]]).groupby(suspension[earlier]).min()
    left = left.reindex(np.arange(len(frame))).to_numpy()
    before = np.where(np.isnan(left), old, np.minimum(old, left))
    return np.clip(before - new, 0.0, None)


def _kva_taken_off(spans: pd.DataFrame) -> np.ndarray:
    """Per suspension or reduction order of `spans`, the kVA it took off (old − new value; NaN
    where either is not a number)."""
    kva = pd.to_numeric(spans["old_value"], errors="coerce") - pd.to_numeric(
        spans["new_value"], errors="coerce"
    )
    return kva.clip(lower=0).to_numpy(dtype=float)


@once_per_context
def _suspension_due(
    ctx: RuleContext, max_months: int, min_days: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What suspension_overrun finds, on its `max_months` and `min_days`: the periods flagged (too short, or over
    the year's allowance: charged_from, short, year, used added) and the days due of each of
    their orders (cust, order_id, kva, start, stop): from its period's charged_from (its own
    start, if later) until it ended. Read by suspension_backdated and reduction_without_drop,
    which leave these days to it: found once per run, its frames shared, never written into."""
    periods, orders = _suspension_periods(ctx)
    none = periods.iloc[:0], orders.iloc[:0]
    if periods.empty:
        return none
    limit = max_days_in_months(max_months)
    # A suspension the account's closure ended is no too-short suspension: it ended with it.
    short = (
        periods["resumed"].to_numpy()
        & ~periods["closed"].to_numpy()
        & (periods["days"].to_numpy() < min_days)
    )
    due_from, year, used = _overrun_starts(periods, ~short, limit)
    flagged = short | ~np.isnat(due_from)
    if not flagged.any():
        return none
    # A too-short suspension pays the full basic charge for its days; an overrun from the day
    # the year's allowance was used up until the suspension ended.
    charged_from = np.where(short, periods["start"].to_numpy(dtype="datetime64[D]"), due_from)
    hits = periods.assign(charged_from=charged_from, short=short, year=year, used=used)[flagged]
    period = orders["period"].to_numpy()
    orders = orders[flagged[period]]
    start = np.maximum(
        orders["start"].to_numpy(dtype="datetime64[D]"),
        charged_from[orders["period"].to_numpy()],
    )
    days = orders.assign(start=start)
    return hits, days[days["start"] < days["stop"]].reset_index(drop=True)


def _overrun_starts(
    spans: pd.DataFrame, counted: np.ndarray, limit: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per suspension period: the day its calendar year's allowance of `limit` suspended days ran
    out inside it (NaT where it never did), that year, and the days suspended in it by then.

    Days count per calendar year over the `counted` periods; a period that overran is due from
    then on, into the next years too (the charge resumes whether or not the customer asks), so
    its later days count in no year's allowance. Years are few: one vectorised pass per year.
    """
    start = spans["start"].to_numpy(dtype="datetime64[D]")
    stop = spans["stop"].to_numpy(dtype="datetime64[D]")
    due_from = np.full(len(spans), np.datetime64("NaT"), dtype="datetime64[D]")
    year_of = np.zeros(len(spans), dtype=np.int64)
    used = np.zeros(len(spans), dtype=np.int64)
    if not counted.any():
        return due_from, year_of, used
    cust = spans["cust"].to_numpy()
    first = start[counted].astype("datetime64[Y]").min()
    last = (stop[counted] - 1).astype("datetime64[Y]").max()
    for year in np.arange(first, last + 1):
        year_start = year.astype("datetime64[D]")
        year_end = (year + 1).astype("datetime64[D]")
        piece_start = np.maximum(start, year_start)
        piece_stop = np.minimum(stop, year_end)
        live = np.flatnonzero(counted & np.isnat(due_from) & (piece_stop > piece_start))
        if not len(live):
            continue
        days = (piece_stop[live] - piece_start[live]).astype(np.int64)
        # Periods are sorted by customer and start: the days each customer used before this one.
        before = pd.Series(days).groupby(cust[live]).cumsum().to_numpy() - days
        allowance = np.maximum(limit - before, 0)
        over = days > allowance
        at = live[over]
        due_from[at] = piece_start[at] + allowance[over].astype("timedelta64[D]")
        year_of[at] = year.astype(np.int64) + 1970
        used[at] = before[over] + days[over]
    return due_from, year_of, used


def basic_charge_of_days(
    ctx: RuleContext,
    cust: pd.Series | np.ndarray,
    kva: pd.Series | np.ndarray,
    start: pd.Series | np.ndarray,
    stop: pd.Series | np.ndarray,
    rate_of: Callable[..., np.ndarray],
) -> pd.DataFrame:
    """What `kva` due again on the days [start, stop) of each customer `cust` (capacity an order
    took off) adds to its basic charge, bill by bill: a read period holding such days is a month
    of change, priced as `order_capacity` (and `auditkit.billing.basic`) prices one — Σ over its
    days in service of the day's capacity / days_per_month (params/billing.yaml), at most the
    largest capacity of a day, where the capacity changes inside it or it is part of a month,
    else the capacity — on the capacity the orders put on each day with `kva` given back on
    those days (`_days_given_back`), at the basic rate due (`rate_of(rows, column)`:
    `_basic_rate_of_tariff_due`). A too-short suspension given back leaves a month without
    change, due whole (a February's 29 days are no 29/30 of it); an overrun from the 4th of a
    31-day month billed whole on the capacity left is due (3 × left + 28 × full) / 30.

    A bill by demand is due on the floor of the capacity on its last day in service
    (`basic.demand_billed`, as the recomputation has it, × its share of a part month): the days
    add the floor's rise where they reach that day. Bills by capacity or demand only (the basis
    in force on each); periods after the audit month are not billed yet.

    Returns one row per bill the days touch: cust, month, row, due (its basic charge due with
    the days given back, yuan; NaN where it proves nothing: a day of unknown capacity, a bill
    by demand without its demand) and amount (what the days add to the charge due on the
    orders alone, to the fen; 0 where they add nothing or it proves nothing)."""
    intervals = pd.DataFrame(
        {
            "cust": np.asarray(cust, dtype=np.int64),
            "kva": np.nan_to_num(np.asarray(kva, dtype=float)),  # none recorded: none priced
            "lo": day_numbers(np.asarray(start, dtype="datetime64[D]")),
            "hi": day_numbers(np.asarray(stop, dtype="datetime64[D]")),
        }
    )
    rows = rows_of(ctx, intervals["cust"].to_numpy())
    rows = rows[ctx.basis_is(rows, "capacity", "demand")]
    first, last, _, _ = _service_days(ctx, rows)
    bills = pd.DataFrame(
        {
            "cust": ctx.bill_customer[rows].astype(np.int64),
            "row": rows,
            "first": first,
            "after": last + 1,
        }
    )
    joined = bills.merge(intervals, on="cust")
    lo = np.maximum(joined["lo"].to_numpy(), joined["first"].to_numpy())
    hi = np.minimum(joined["hi"].to_numpy(), joined["after"].to_numpy())
    kept = hi > lo
    day_row, lo, hi = joined["row"].to_numpy()[kept], lo[kept], hi[kept]
    touched = np.unique(day_row)
    if not len(touched):
        return pd.DataFrame(
            {
                "cust": np.empty(0, dtype=np.int64),
                "month": ctx.bill_month[touched],
                "row": touched,
                "due": np.empty(0),
                "amount": np.empty(0),
            }
        )
    back = _days_given_back(ctx, touched, day_row, lo, hi, joined["kva"].to_numpy()[kept])
    by_demand = ctx.basis_is(touched, "demand")
    kva_rate, kw_rate = rate_of(touched), rate_of(touched, "basic_rate_kw_month")
    owed = np.where(by_demand, back.kw_owed * kw_rate, back.kva_owed * kva_rate)
    due = np.where(by_demand, back.kw_due * kw_rate, back.kva_due * kva_rate)
    due[back.unknown] = np.nan
    added = np.where(np.isnan(due - owed), 0.0, np.maximum(due - owed, 0.0))
    return pd.DataFrame(
        {
            "cust": ctx.bill_customer[touched].astype(np.int64),
            "month": ctx.bill_month[touched],
            "row": touched,
            "due": due,
            "amount": np.round(added, 2),
        }
    )


class _GivenBack(NamedTuple):
    """Per bill, what its basic charge is due on by the orders alone (owed) and with the days an
    order took off given back (due): kVA-months (`order_capacity`'s arithmetic), and the kW of a
    bill by demand (`basic.demand_billed` on the capacity of its last day in service, × its
    share of a part month; NaN without its demand); unknown: a day of unknown capacity (the
    bill is judged as billed, `order_capacity`'s as_billed)."""

    kva_owed: np.ndarray
    kva_due: np.ndarray
    kw_owed: np.ndarray
    kw_due: np.ndarray
    unknown: np.ndarray


def _days_given_back(
    ctx: RuleContext,
    rows: np.ndarray,
    day_row: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    kva: np.ndarray,
) -> _GivenBack:
    """`_GivenBack` of the bills `rows` (ascending, unique), `kva` given back on the days
    [lo, hi) (day numbers inside the days in service of the bill `day_row`, one per interval).

    The read period is cut where an interval starts or ends; each piece has the orders'
    capacity steps (`basic.capacity_over`) and the same kVA given back on all its days, so the
    sum, the smallest and largest capacity of a day and the capacity of the last day, with and
    without the days given back, are exact."""
    first, last, part_month, read_to = _service_days(ctx, rows)
    bill = np.searchsorted(rows, day_row)
    count = len(rows)
    points = pd.DataFrame(
        {
            "bill": np.concatenate([np.arange(count), np.arange(count), bill, bill]),
            "day": np.concatenate([first, last + 1, lo, hi]),
        }
    ).drop_duplicates()
    points = points.sort_values(["bill", "day"], ignore_index=True)
    point_bill, day = points["bill"].to_numpy(), points["day"].to_numpy()
    piece = point_bill[1:] == point_bill[:-1]
    piece_bill, piece_from, piece_to = point_bill[:-1][piece], day[:-1][piece], day[1:][piece]
    pieces = pd.DataFrame(
        {"piece": np.arange(len(piece_bill)), "bill": piece_bill, "day": piece_from}
    )
    cover = pieces.merge(pd.DataFrame({"bill": bill, "lo": lo, "hi": hi, "kva": kva}), on="bill")
    cover = cover[(cover["lo"] <= cover["day"]) & (cover["day"] < cover["hi"])]
    added = cover.groupby("piece")["kva"].sum().reindex(pieces["piece"], fill_value=0.0)
    added = added.to_numpy(dtype=float)
    cust = ctx.bill_customer[rows][piece_bill]
    day_sum, at_end, lowest, highest, as_billed = capacity_over(
        ctx.customers["customer_id"].iloc[cust],
        ctx.capacity_in_force[rows][piece_bill],
        ctx.capacity_billed(rows)[piece_bill],
        piece_from,
        piece_to - 1,
        read_to[piece_bill],
        _order_steps(ctx),
    )
    starts = np.flatnonzero(np.append(True, piece_bill[1:] != piece_bill[:-1]))
    ends = np.append(starts[1:], len(piece_bill)) - 1
    days_per_month = _days_per_month(ctx)

    def kva_months(extra: np.ndarray) -> np.ndarray:
        total = np.add.reduceat(day_sum + extra * (piece_to - piece_from), starts)
        low = np.minimum.reduceat(lowest + extra, starts)
        high = np.maximum.reduceat(highest + extra, starts)
        prorated = part_month | ~np.isclose(low, high, rtol=0.0, atol=1e-9)
        return np.where(prorated, np.minimum(total / days_per_month, high), (at_end + extra)[ends])

    share = month_share(first, last, part_month, days_per_month)
    demand = optional_values(ctx.bills, "max_demand_kw")[rows]
    contract = ctx.in_force(
        optional_values(ctx.customers, "contract_demand_kw")[ctx.bill_customer],
        ("demand_change",),
    )[0][rows]

    def kw(extra: np.ndarray) -> np.ndarray:
        capacity = (at_end + extra)[ends]
        return demand_billed(demand, contract, capacity, default_billing_params()) * share

    none = np.zeros(len(piece_bill))
    return _GivenBack(
        kva_months(none),
        kva_months(added),
        kw(none),
        kw(added),
        np.logical_or.reduceat(as_billed, starts),
    )


def _service_days(
    ctx: RuleContext, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per bill of `rows`: the first and last day of its read period in service, whether it is
    a part month (`basic.days_in_service`, as `order_capacity` reads them) and its read_to (day
    numbers)."""
    read_from, read_to = (day_numbers(days) for days in ctx.read_days(rows))
    cust = ctx.bill_customer[rows]
    connection = day_numbers(ctx.customers["connection_date"].to_numpy()[cust])
    first, last, part_month = days_in_service(
        read_from, read_to, connection, _closure_days(ctx, cust, read_from)
    )
    return first, last, part_month, read_to


def _left_unbilled(
    ctx: RuleContext,
    priced: pd.DataFrame,
    short: pd.Series,
    cust: np.ndarray,
    pf: pd.Series,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per customer of `cust`: what its bills left unbilled of `priced` (`short`, its
    `unbilled_by_bill`; a bill that proves nothing, NaN, counts nothing) with the power-factor
    adjustment it moves (`pf`, per bill: `_pf_carried`), whether its bills charged all of it
    (priced, nothing left unbilled, every bill judged: an irregular order, nothing
    under-billed), and of the first the adjustment."""
    owner = ctx.bill_customer[short.index.to_numpy()]
    by_customer = short.groupby(owner).sum()
    amounts = by_customer.reindex(cust).fillna(0.0).to_numpy()
    adjustment = pf.groupby(owner).sum().reindex(cust).fillna(0.0).to_numpy()
    paid = priced.groupby("cust")["amount"].sum().reindex(cust).fillna(0.0).to_numpy() > 0
    # A bill whose charge or capacity is unknown (NaN) proves neither a shortfall nor that it
    # was paid.
    unknown = short.isna().groupby(owner).any().reindex(cust, fill_value=False)
    unknown = unknown.to_numpy(dtype=bool)
    return amounts + adjustment, paid & (amounts == 0) & ~unknown, adjustment


def unbilled_by_bill(ctx: RuleContext, priced: pd.DataFrame, counted: np.ndarray) -> pd.Series:
    """Per bill of `priced` (`basic_charge_of_days`: its basic charge due with the days an order
    took off given back, and what those days add; index: the bill's row), what the bill left
    unbilled of what they add.

    Short of the charge due by the basic charge billed (the capacity billed at the basic rate
    billed where a bill by capacity records no charge) and by what capacity_underbilled counts
    on the bill (`counted`, aligned with `priced`: `_short_counted`, the capacity the orders
    leave billed short), so a yuan counts once whatever rules run; never by more than the days
    add. A bill that charged those days (a suspension under 15 days billed in full, a backdated
    order billed from its application) under-billed nothing; one that recorded the whole
    capacity but charged it prorated over the days taken off did: a finding's revenue is what
    the bills under-billed. A bill with a day of unknown capacity (`order_capacity`'s
    as_billed) proves nothing of what it owed, neither a shortfall nor that it charged those
    days: NaN, judged on what it billed (it was 0, which `_left_unbilled` read as the days
    charged in full). One by capacity that records neither its basic charge nor its capacity
    (`RuleContext.capacity_billed`), or one by demand that records no basic charge, proves
    nothing of what it billed: NaN, an archive gap, not a charge of nothing that would leave
    all of it unbilled."""
    if priced.empty:
        return pd.Series(dtype=float)
    rows = priced["row"].to_numpy(dtype=np.int64)
    billed = ctx.basic_charge_billed[rows]
    recorded = ctx.capacity_billed(rows) * ctx.kva_rate_due(rows)
    billed = np.where(np.isnan(billed) & ctx.basis_is(rows, "capacity"), recorded, billed)
    short = priced["due"].to_numpy() - billed - counted
    unbilled = np.clip(short, 0.0, priced["amount"].to_numpy())
    return pd.Series(np.round(unbilled, 2), index=rows)


def _short_counted(
    ctx: RuleContext, rows: np.ndarray, tolerance: float, two_part_kva: float
) -> np.ndarray:
    """Per bill of `rows`, what capacity_underbilled (on these thresholds) counts on it
    (`_capacity_short_due`: the capacity the orders leave billed short, where it can run,
    `bills_short_of_capacity`), 0 elsewhere: what the suspension rules leave it, as
    reduction_without_drop does (`_proved_by_month`)."""
    thresholds = {"kva_tolerance": tolerance, "two_part_threshold_kva": two_part_kva}
    runs = bills_short_of_capacity(ctx, thresholds)[rows]
    short_rows, _, _, revenue = _capacity_short_due(ctx, tolerance, two_part_kva)
    by_bill = pd.Series(revenue, index=short_rows).groupby(level=0).sum()
    return np.where(runs, by_bill.reindex(rows).fillna(0.0).to_numpy(), 0.0)


def _short_key(params: dict) -> tuple[float, float]:
    """capacity_underbilled's thresholds of `params` (by rule id): what `_short_counted` reads."""
    underbilled = params["capacity_underbilled"]
    return underbilled["kva_tolerance"], underbilled["two_part_threshold_kva"]


def _pf_carried(ctx: RuleContext, unbilled: pd.Series, params: dict) -> pd.Series:
    """Per bill of `unbilled` (a suspension rule's `unbilled_by_bill`), the power-factor
    adjustment the basic charge left unbilled moves, as capacity_underbilled carries its own
    (`pf_moved`, and `standard_surcharge` under a standard laxer than due): on itemized data,
    beyond what capacity_underbilled's short on the same bill moves (`_short_counted`), so the
    adjustment counts once. 0 on monthly bills (no adjustment due known), on a bill of other kWh
    (the adjustment line's difference is multiplier_mismatch's) and on one a tariff rule
    recomputes whole (`recomputed_whole_by`), as capacity_underbilled leaves them."""
    carried = pd.Series(0.0, index=unbilled.index)
    if not ctx.itemized or unbilled.empty:
        return carried
    rows = unbilled.index.to_numpy(dtype=np.int64)
    extra = np.nan_to_num(unbilled.to_numpy(dtype=float))
    counted = _short_counted(ctx, rows, *_short_key(params))
    standard = params["pf_standard_mismatch"]
    moved = pf_moved(ctx, rows, counted + extra) - pf_moved(ctx, rows, counted)
    moved += standard_surcharge(ctx, rows, counted + extra, standard)
    moved -= standard_surcharge(ctx, rows, counted, standard)
    underbilled = params["capacity_underbilled"]
    other_kwh = kwh_differs(ctx, underbilled["kwh_tolerance"], underbilled["relative_tolerance"])
    off_archive, order_not_applied = recomputed_whole_by(ctx, rows, params)
    left = other_kwh[rows] | off_archive | order_not_applied | (extra == 0)
    carried[:] = np.where(left, 0.0, moved)
    return carried


def _in_force_on_first_day(
    group: np.ndarray, start: pd.Series, stop: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of positions (item, other) of intervals [start, stop) of one `group` where other
    is in force on item's first day, each interval paired with itself: which suspensions stack
    on a day (`_kva_added`)."""
    items = pd.DataFrame({"group": group, "start": start.to_numpy(), "item": np.arange(len(group))})
    others = items.rename(columns={"start": "from", "item": "other"}).assign(to=stop.to_numpy())
    pairs = items.merge(others, on="group")
    in_force = ((pairs["from"] <= pairs["start"]) & (pairs["start"] < pairs["to"])).to_numpy()
    return pairs["item"].to_numpy()[in_force], pairs["other"].to_numpy()[in_force]


@once_per_context
def _days_per_month(ctx: RuleContext) -> int:
    """Days a month of the basic charge counts when prorated by day (params/billing.yaml),
    read once per run for the rules that price days."""
    return default_billing_params().days_per_month


def _suspension_evidence(
    span: object,
    more: int,
    amount: float,
    as_of: int,
    limit: int,
    params: dict,
    billed: bool,
    pf: float,
) -> list[Clause]:
    """One customer's suspension finding: the period shown, the limit broken, the money (of it
    the power-factor adjustment `pf`), or that the bills charged it (`billed`)."""
    if span.short:
        found = clause(
            "suspension.too_short",
            start=span.start,
            end=span.stop,
            days=span.days,
            minimum=params["min_days"],
        )
    else:
        if span.closed:
            ended = clause("suspension.closed", at=span.stop)
        elif span.resumed:
            ended = clause("suspension.resumed", at=span.stop)
        else:
            ended = clause("suspension.not_resumed", as_of=as_of)
        found = clause(
            "suspension.too_long",
            start=span.start,
            ended=ended,
            year=span.year,
            days=span.used,
            limit=limit,
            months=params["max_months"],
            due_from=span.charged_from,
        )
    return _shown_with_more(found, "more_suspensions", more, amount, billed, pf)


@rule(
    "suspension_backdated",
    area="change_of_use",
    needs=("work_orders.effective_date", "work_orders.issued_at"),
    params=("notice_working_days", "short_notice_working_days"),
    severity="high",
    revenue_kind="proved",
    reads=("suspension_overrun", "capacity_underbilled", "pf_standard_mismatch", *TARIFF_RULES),
)
def suspension_backdated(ctx: RuleContext, params: dict) -> pd.DataFrame:
    overrun = params["suspension_overrun"]
    due = (params["short_notice_working_days"], overrun["max_months"], overrun["min_days"])
    hits = _backdated_due(ctx, *due)
    if hits.empty:
        return empty_raw()
    priced, unbilled = _backdated_priced(ctx, *due, params)
    no_basic = bills_without_basic_charge_due(ctx, params["tariff_mismatch"])
    priced, unbilled, not_due = _basic_due_only(ctx, priced, unbilled, no_basic)
    pf = _pf_carried(ctx, unbilled, params)
    shown = hits.sort_values(["cust", "backdated", "effective_date"], ascending=[True, False, True])
    shown = shown.drop_duplicates("cust")
    more = hits.groupby("cust").size().reindex(shown["cust"]).to_numpy() - 1
    cust = shown["cust"].to_numpy()
    amounts, billed, adjustment = _left_unbilled(ctx, priced, unbilled, cust, pf)
    months = group_stats(
        hits.groupby("cust"),
        month_from=("effective_month", "min"),
        issued_month=("issued_at", "max"),
        left_days=("left_days", "sum"),
    ).reindex(cust)
    month_from = months["month_from"].to_numpy(dtype=np.int64)
    month_to = np.clip(date_month_number(months["issued_month"]), month_from, ctx.as_of)
    # The period holds every bill the money comes from: a bill read on the 25th charges days
    # of the month before, and the application's days may fall on the next month's bill.
    charged_from, charged_to = _charged_months(ctx, unbilled, pf, cust)
    beyond = (charged_from < month_from) | (charged_to > month_to)
    month_from = np.fmin(month_from, charged_from).astype(np.int64)
    month_to = np.fmax(month_to, charged_to).astype(np.int64)
    evidence = [
        [
            *_backdated_evidence(
                order, extra, amount, params["notice_working_days"], paid, left, moved
            ),
            *_charged_clause(amount, first, last, shown_beyond),
            *_not_due_clause(not_due, order.cust),
        ]
        for order, extra, amount, paid, left, moved, first, last, shown_beyond in zip(
            shown.itertuples(),
            more,
            amounts,
            billed,
            months["left_days"],
            adjustment,
            charged_from,
            charged_to,
            beyond,
            strict=True,
        )
    ]
    score = np.where(shown["backdated"], np.minimum(1.0, 0.6 + shown["late_days"] / 75), 0.3)
    score = np.where(billed, PROCEDURAL_SCORE, score)
    return raw(cust, month_from, month_to, evidence, amounts, score)


def _charged_months(
    ctx: RuleContext, unbilled: pd.Series, pf: pd.Series, cust: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per customer of `cust`, the first and last month of the bills its money comes from (a
    bill that left some of `unbilled` unbilled or moves a power-factor adjustment `pf`, both
    per bill row); NaN where none does."""
    charged = (unbilled.fillna(0.0) != 0) | (pf.reindex(unbilled.index).fillna(0.0) != 0)
    rows = unbilled.index.to_numpy(dtype=np.int64)[charged.to_numpy()]
    months = pd.Series(ctx.bill_month[rows]).groupby(ctx.bill_customer[rows])
    return (
        months.min().reindex(cust).to_numpy(dtype=float),
        months.max().reindex(cust).to_numpy(dtype=float),
    )


def _charged_clause(amount: float, first: float, last: float, beyond: bool) -> list[Clause]:
    """The months of the bills a finding's money comes from, where it has some and they reach
    `beyond` the calendar months of the order's dates (a bill read on the 25th)."""
    if amount <= 0 or not beyond:
        return []
    return [clause("suspension_backdated.bills", months=(int(first), int(last)))]


@once_per_context
def _backdated_due(
    ctx: RuleContext, short_notice_working_days: int, max_months: int, min_days: int
) -> pd.DataFrame:
    """The orders suspension_backdated flags on its `short_notice_working_days`: backdated
    (effective before their application) or on short notice, with kva (taken off), backdated,
    late_days, notice, stop (the end of the days it prices: the application, or the order's end
    if that came first) and left_days (none where the order is not backdated). These columns
    are there even where no order is flagged. Found once per run (read by the rule and
    reduction_without_drop): the frame is shared, never written into.

    The days of a suspension suspension_overrun charges in full (too short, or over the year's
    allowance, on its `max_months` and `min_days`) are its: stop is then the day it charges the
    order from, if earlier, and left_days the days left to it; a day's basic charge is counted
    once."""
    spans = _known_spans(ctx)
    spans = spans[spans["issued_at"].notna()].reset_index(drop=True)
    effective = spans["effective_date"].to_numpy(dtype="datetime64[D]")
    issued = spans["issued_at"].to_numpy(dtype="datetime64[D]")
    backdated = effective < issued
    notice = WorkingCalendar.chinese().working_days(issued, effective)
    short = ~backdated & (notice < short_notice_working_days)
    flagged = backdated | short
    # The equipment cannot be sealed before the application: the basic charge stopped from the
    # effective date was due until the application (or the order's end, if that came first).
    end = spans["end_date"].to_numpy(dtype="datetime64[D]")
    stop = np.where(np.isnat(end), issued, np.minimum(issued, end))
    _, overrun = _suspension_due(ctx, max_months, min_days)
    overrun_from = np.full(len(spans), np.datetime64("NaT"), dtype="datetime64[D]")
    if not overrun.empty:
        overrun_from = (
            overrun.groupby(["cust", "order_id"])["start"]
            .min()
            .reindex(pd.MultiIndex.from_arrays([spans["cust"], spans["order_id"]]))
            .to_numpy(dtype="datetime64[D]")
        )
    own_stop = np.where(
        np.isnat(overrun_from), stop, np.minimum(stop, np.maximum(overrun_from, effective))
    )
    left_days = np.where(backdated, (stop - own_stop).astype(np.int64).clip(min=0), 0)
    return spans[flagged].assign(
        kva=_kva_taken_off(spans)[flagged],
        backdated=backdated[flagged],
        late_days=(issued - effective).astype(np.int64)[flagged],
        notice=notice[flagged],
        stop=own_stop[flagged],
        left_days=left_days[flagged],
    )


def _backdated_priced(
    ctx: RuleContext, short_notice_working_days: int, max_months: int, min_days: int, params: dict
) -> tuple[pd.DataFrame, pd.Series]:
    """The days suspension_backdated prices (`_backdated_due`: its backdated orders) priced bill
    by bill (`basic_charge_of_days`) at the tariff due (`_basic_rate_of_tariff_due`, the tariff
    rules' thresholds in `params`), and what each bill left unbilled of them beyond what
    capacity_underbilled counts (`unbilled_by_bill`, `_short_counted`): found once per run for
    the rule and reduction_without_drop, shared, never written into."""
    due = (short_notice_working_days, max_months, min_days)
    return _backdated_priced_on(ctx, *due, tariff_key(params), _short_key(params))


@once_per_context
def _backdated_priced_on(
    ctx: RuleContext,
    short_notice_working_days: int,
    max_months: int,
    min_days: int,
    key: tuple,
    short_key: tuple,
) -> tuple[pd.DataFrame, pd.Series]:
    """`_backdated_priced` on the tariff rules' and capacity_underbilled's thresholds frozen
    (`tariff_key`, `_short_key`)."""
    hits = _backdated_due(ctx, short_notice_working_days, max_months, min_days)
    late = hits[hits["backdated"]]
    rate_of = _rate_of_tariff_due(ctx, key)
    priced = basic_charge_of_days(
        ctx, late["cust"], late["kva"], late["effective_date"], late["stop"], rate_of
    )
    counted = _short_counted(ctx, priced["row"].to_numpy(dtype=np.int64), *short_key)
    return priced, unbilled_by_bill(ctx, priced, counted)


def tariff_key(params: dict) -> tuple:
    """The tariff rules' thresholds of `params` (`TARIFF_RULES`, by rule id) frozen: a key a
    result shared once per run is found on."""
    return frozen_rules_thresholds(params, TARIFF_RULES)


def _rate_of_tariff_due(ctx: RuleContext, key: tuple) -> Callable[..., np.ndarray]:
    """`_basic_rate_of_tariff_due` on the thresholds frozen in `key` (`tariff_key`), as a
    function of the rows and the rate's column (the rate per kVA unless told)."""
    params = thawed_rules_thresholds(key, TARIFF_RULES)

    def rate_of(rows: np.ndarray, column: str = "basic_rate_kva_month") -> np.ndarray:
        return _basic_rate_of_tariff_due(ctx, rows, params, column)

    return rate_of


def _basic_rate_of_tariff_due(
    ctx: RuleContext, rows: np.ndarray, params: dict, column: str
) -> np.ndarray:
    """Per bill of `rows`, the basic rate `column` (per kVA-month, per kW-month) of the tariff a
    tariff rule prices the bill as due (`off_archive.priced_tariff_due`, on the thresholds of
    `params`), else of the tariff billed (`RuleContext.schedule_rate_due`); 0 where it has
    none. A basic charge a bill left out is due at the tariff due: at the rate billed, a
    factory archived on IND2 billed COM owed nothing for the kVA a suspension overran."""
    rate = np.nan_to_num(ctx.schedule_rate_due(column, rows))
    due = priced_tariff_due(ctx, rows, params)
    at = np.flatnonzero(pd.notna(due))
    if len(at):
        codes = ctx.tariff_code(due[at])
        rate[at] = np.nan_to_num(
            ctx.schedule_rate(codes, ctx.bill_month[rows[at]], column, rows[at])
        )
    return rate


def _backdated_evidence(
    order: object,
    more: int,
    amount: float,
    notice: int,
    billed: bool,
    left_days: int,
    pf: float,
) -> list[Clause]:
    """One customer's backdated (or short-notice) order: its dates, the capacity, the money (of
    it the power-factor adjustment `pf`) or that the bills charged it (`billed`), and the days
    whose charge suspension_overrun counts (`left_days`, of all the customer's orders)."""
    kind = "suspension" if order.order_type == "suspension" else "capacity_reduction"
    args = {
        "type": kind,
        "order": order.order_id,
        "capacity": _order_capacity_clause(order.old_value, order.new_value),
        "effective": order.effective_date,
        "issued": order.issued_at,
        "notice": notice,
    }
    if order.backdated:
        left = clause("suspension_backdated.left", days=left_days) if left_days else None
        found = clause("suspension_backdated", days=order.late_days, left=left, **args)
    else:
        found = clause("suspension_backdated.short_notice", working_days=order.notice, **args)
    return _shown_with_more(found, "more_such_orders", more, amount, billed, pf)


def _order_capacity_clause(old: object, new: object) -> Clause:
    """An order's capacity, old → remaining kVA, or that the order records none in full."""
    old, new = (pd.to_numeric(value, errors="coerce") for value in (old, new))
    if np.isnan(old) or np.isnan(new):
        return clause("order_capacity.unrecorded")
    return clause("order_capacity", old=old, remaining=new)


def _shown_with_more(
    found: Clause, more_code: str, more: int, amount: float, billed: bool, pf: float
) -> list[Clause]:
    """A finding's evidence: the clause of the one order shown, how many more the customer has
    (`more_code`, where any) and the money (where there is some; of it the power-factor
    adjustment `pf`, where there is some, in capacity_underbilled's words), or that the bills
    charged what the order took off (`billed`): an irregular order, nothing under-billed."""
    evidence = [found]
    if more:
        evidence.append(clause(more_code, more=more))
    if amount > 0:
        evidence.append(clause("revenue", amount=amount))
        if round(pf, 2):
            evidence.append(clause("capacity_underbilled.pf", amount=pf))
    elif billed:
        evidence.append(clause("suspension.billed_in_full"))
    return evidence

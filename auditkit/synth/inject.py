"""Irregularities injected into the honest utility at known rates, each recorded in `truth`.

Every injection is the cause a rule of the library looks for (rule ids are the irregularity names),
shaped so that it triggers that rule only: an irregularity that truly implies two findings records both.
Where a recomputation of the bill proves the amount (billing faults, wrong multiplier, rate, tariff or
capacity billed) the revenue effect is exact: the ledger's bills as they should have been minus as
billed, over the data. Theft, stopped meters and the like keep an estimate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import auditkit.synth.catalog as catalog
from auditkit.billing.energy import kwh_before_change
from auditkit.billing.money import round_half_up
from auditkit.rules.capacity import max_days_in_months
from auditkit.rules.params import load_defaults
from auditkit.rules.workdays import WorkingCalendar
from auditkit.synth import ledger
from auditkit.synth.inject_meters import back_billed_energy, fund_rate_due, records_less_from
from auditkit.synth.inject_suspension import basic_charge_of_days
from auditkit.synth.world import (
    World,
    capacity_changeable,
    ct_ratio_for,
    pf_standard_of,
    smaller_size,
    suspend,
    working_day_after,
)

# Share of the eligible customers (or orders) that receive each irregularity; together about
# DEFAULT_IRREGULAR_SHARE of the customers of the demo utility. `irregular_share` scales them all.
DEFAULT_RATES: dict[str, float] = {
    "multiplier_mismatch": 0.005,  # of CT-metered customers
    "register_mismatch": 0.0007,
    "meter_test_overdue": 0.005,  # of customers with a periodic test cycle
    "capacity_underbilled": 0.04,  # of capacity-basis two-part customers
    "demand_over_capacity": 0.04,  # of capacity-basis two-part customers
    "reduction_without_drop": 0.12,  # of high-high capacity-basis customers whose load exceeds a smaller size
    "suspension_overrun": 0.1,  # of high-high capacity-basis customers
    "order_stalled": 0.008,  # of work orders
    "order_not_applied": 0.0008,  # of households (a shop opened, tariff change never billed)
    "change_without_order": 0.005,  # of single-part business customers
    "tariff_mismatch": 0.005,  # of single-part business customers
    "billed_tariff_mismatch": 0.004,  # of single-part business customers
    "rate_mismatch": 0.0007,
    "zero_consumption": 0.0007,
    "consumption_drop": 0.0009,
    "estimated_streak": 0.0007,
    "archive_defect": 0.0007,
    "tou_misapplied": 0.006,  # of time-of-use customers
    "tier_misapplied": 0.003,  # of households on tiers that reach tier 2
    "basic_charge_error": 0.03,  # of two-part customers
    "pf_adjustment_error": 0.007,  # of customers with a power-factor standard
    "pf_standard_mismatch": 0.006,  # of customers with a power-factor standard
    "loss_not_charged": 0.01,  # of high_low customers
    "fund_charge_error": 0.005,  # of customers who pay funds
}
#: Working days beyond its limit a stalled step is done (low inclusive, high exclusive).
STALL_EXTRA_DAYS = (1, 28)


def schedule_rates(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Energy rate per tariff and month (T × M), basic rate per kVA-month and per kW-month (T)."""
    before = np.array([row[3] for row in catalog.TARIFFS])
    after = np.array([row[4] for row in catalog.TARIFFS])
    months = np.arange(world.n_months)[None, :]
    energy = np.where(months < world.price_change, before[:, None], after[:, None])
    kva = np.array([row[5] or 0.0 for row in catalog.TARIFFS])
    kw = np.array([row[6] or 0.0 for row in catalog.TARIFFS])
    return energy, kva, kw


#: Largest share of the eligible customers an irregularity may reach.
MAX_RATE = 0.5


def _energy_rate(world: World, idx: np.ndarray, tariff: np.ndarray | None = None) -> np.ndarray:
    energy, _, _ = schedule_rates(world)
    tariffs = world.tariff_billed[idx] if tariff is None else tariff
    return energy[tariffs, np.arange(world.n_months)[None, :]]


def _capacity_basis(world: World) -> np.ndarray:
    return world.is_two_part() & (world.basis == "capacity")


def _kva_rate(world: World, idx: np.ndarray) -> np.ndarray:
    return schedule_rates(world)[1][world.tariff[idx]]


def _billed(world: World, idx: np.ndarray) -> np.ndarray:
    """Per customer of `idx` (sorted): the total billed over the data, as the ledger bills it."""
    return ledger.total_billed(world, idx)


def _start_month(world: World, idx: np.ndarray, low: int, high: int) -> np.ndarray:
    return world.rng.integers(low, high, size=len(idx))


def multiplier_mismatch(world: World, rate: float) -> None:
    """Billing has used a wrong multiplier since before the data window (e.g. CT 100/5 for 200/5)."""
    eligible = (world.ct * world.pt > 1) & world.active[:, 0]
    idx = world.pick(eligible, rate)
    factor = world.rng.choice([0.5, 0.75, 0.25, 0.8], size=len(idx))
    honest = _billed(world, idx)
    world.multiplier_billed[idx] = world.multiplier[idx] * factor[:, None]
    world.demand_factor[idx] = factor[:, None]
    effect = honest - _billed(world, idx)
    world.add_truth(
        idx,
        "multiplier_mismatch",
        np.zeros(len(idx), dtype=int),
        effect,
        "billed multiplier × factor " + np.char.mod("%.2f", factor).astype(object),
    )


def register_mismatch(world: World, rate: float) -> None:
    """A register jump at one month's start, or a month billed for less than its register energy."""
    m = world.n_months
    idx = world.pick(world.active.all(axis=1) & ~world.meter_reset.any(axis=1), rate)
    month = _start_month(world, idx, 3, m - 1)
    jump = world.rng.random(len(idx)) < 0.5
    multiplier = world.multiplier[idx, month]
    monthly = world.metered_kwh[idx].mean(axis=1)
    # Jump: the next start register skips one to three months of energy.
    jump_kwh = monthly * world.rng.uniform(1.0, 3.0, len(idx))
    world.register_jump[idx[jump], month[jump]] = np.round(jump_kwh[jump] / multiplier[jump], 2)
    # Short billing: two months charged for 40-70 % of the register energy, the loss what the
    # ledger bills on the register energy less what it bills on the share (tiers, periods,
    # adjustment and funds as billed).
    share = world.rng.uniform(0.4, 0.7, len(idx))
    short = idx[~jump]
    honest = _billed(world, short)
    for offset in range(2):
        world.billed_share[short, month[~jump] + offset] = share[~jump]
    effect = np.zeros(len(idx))
    skipped_kwh = np.round(jump_kwh[jump] / multiplier[jump], 2) * multiplier[jump]
    funds = round_half_up(skipped_kwh * fund_rate_due(world, idx[jump], month[jump]), 2)
    effect[jump] = back_billed_energy(world, idx[jump], month[jump], skipped_kwh) + funds
    effect[~jump] = honest - _billed(world, short)
    detail = np.where(jump, "register jump at month start", "kWh billed below register energy")
    world.add_truth(idx, "register_mismatch", month, effect, detail.astype(object))


def meter_test_overdue(world: World, rate: float) -> None:
    """The last periodic test is older than the test cycle allows."""
    idx = world.pick(~np.isnan(world.test_cycle) & (world.status == "active"), rate)
    late_days = (world.test_cycle[idx] * 30.4 + world.rng.integers(40, 540, len(idx))).astype(int)
    world.test_date[idx] = world.end_date - late_days.astype("timedelta64[D]")
    world.add_truth(
        idx,
        "meter_test_overdue",
        np.full(len(idx), world.n_months - 1),
        np.zeros(len(idx)),
        "test overdue",
    )


def capacity_underbilled(world: World, rate: float) -> None:
    """Billing charges the basic charge on a smaller capacity than the archive, with no order."""
    idx = world.pick(_capacity_basis(world) & (world.capacity >= 400) & world.active[:, 0], rate)
    billed = smaller_size(world.capacity[idx], world.rng)
    honest = _billed(world, idx)
    world.capacity_billed[idx] = np.where(world.active[idx], billed[:, None], np.nan)
    effect = honest - _billed(world, idx)
    world.add_truth(
        idx,
        "capacity_underbilled",
        np.zeros(len(idx), dtype=int),
        effect,
        "basic charge on smaller capacity",
    )


def demand_over_capacity(world: World, rate: float) -> None:
    """大换小: a larger transformer runs than the archive registers; demand exceeds the capacity."""
    idx = world.pick(_capacity_basis(world) & world.active.all(axis=1), rate)
    registered = world.capacity[idx]
    typical_share = np.nanmedian(world.demand[idx], axis=1) / registered
    ratio = world.rng.uniform(1.25, 1.7, len(idx)) / np.maximum(typical_share, 0.3)
    true_capacity = registered * ratio
    world.demand[idx] *= ratio[:, None]
    world.true_kwh[idx] *= ratio[:, None]
    world.metered_kwh[idx] *= ratio[:, None]
    world.ct[idx] = np.maximum(world.ct[idx], ct_ratio_for(true_capacity, world.voltage[idx]))
    world.refit_multiplier(idx)
    effect = (true_capacity - registered) * _kva_rate(world, idx) * world.n_months
    world.add_truth(
        idx,
        "demand_over_capacity",
        np.zeros(len(idx), dtype=int),
        effect,
        "larger transformer than registered",
    )


def reduction_without_drop(world: World, rate: float) -> None:
    """A reduction or suspension is billed (and recorded: orders, transformers), but demand and
    energy carry on as before: the capacity left (a standard size below the customer's usual
    maximum demand) cannot carry the load, so the sealed transformer is in use."""
    m = world.n_months
    candidates = capacity_changeable(world) & world.active.all(axis=1)
    usual = np.zeros(world.n_customers)
    usual[candidates] = np.nanmedian(world.demand[candidates], axis=1)
    sizes = catalog.TRANSFORMER_SIZES_KVA
    # The largest standard size at most 90 % of the usual maximum demand.
    fitting = np.clip(np.searchsorted(sizes, 0.9 * usual, side="right") - 1, 0, None)
    left = sizes[fitting].astype(float)
    eligible = candidates & (0.9 * usual >= sizes[0]) & (left < world.capacity)
    idx = world.pick(eligible, rate)
    month = _start_month(world, idx, 6, m - 6)
    suspension = world.rng.random(len(idx)) < 0.5
    effect = np.zeros(len(idx))
    # The months of change (the order's, and a suspension's resumption) are billed prorated by
    # day (`World.change_capacity`): there the basic charge escaped is the old capacity's
    # month less what the bill charged, as the rule prices it.
    changes_from = len(world.prorated)
    if suspension.any():
        sub = idx[suspension]
        length = world.rng.integers(3, 6, size=len(sub))
        remaining = suspend(
            world, sub, month[suspension], length, load_follows=False, remaining=left[sub]
        )
        # Whole months between the suspension's month and its resumption's.
        effect[suspension] = (
            (world.capacity[sub] - remaining) * _kva_rate(world, sub) * (length - 1)
        )
    reduced = idx[~suspension]
    new_capacity = left[reduced]
    old_capacity = world.capacity[reduced]
    date = world.change_capacity(
        reduced, "reduction", month[~suspension], old_capacity, new_capacity
    )
    world.add_orders(
        reduced,
        "capacity_reduction",
        month[~suspension],
        old_capacity,
        new_capacity,
        effective=date,
    )
    after = np.arange(m)[None, :] >= month[~suspension][:, None]
    # Whole months after the month of change.
    effect[~suspension] = (
        (old_capacity - new_capacity) * _kva_rate(world, reduced) * (after.sum(axis=1) - 1)
    )
    effect += _escaped_in_months_of_change(world, idx, world.capacity[idx], changes_from)
    world.capacity[reduced] = new_capacity
    world.add_truth(
        idx,
        "reduction_without_drop",
        month,
        effect,
        np.where(suspension, "suspension", "capacity reduction").astype(object),
    )


def _escaped_in_months_of_change(
    world: World, idx: np.ndarray, old: np.ndarray, changes_from: int
) -> np.ndarray:
    """Per customer of `idx` (capacity `old` before its order): the basic charge escaped in the
    months of change recorded since `world.prorated[changes_from]` (its order's, its
    resumption's): the old capacity's month at the customer's rate less what the ledger charged
    on the prorated capacity (rounded as `ledger._basic` and the bill line are), each to the
    fen."""
    escaped = np.zeros(len(idx))
    if len(world.prorated) <= changes_from:
        return escaped
    changes = pd.concat(world.prorated[changes_from:], ignore_index=True)
    order = np.argsort(idx, kind="stable")
    found = order[np.searchsorted(idx[order], changes["customer"].to_numpy())]
    rate = _kva_rate(world, idx)[found]
    charged = round_half_up(round_half_up(changes["quantity"].to_numpy(), 4) * rate, 2)
    np.add.at(escaped, found, np.round(np.maximum(old[found] * rate - charged, 0.0), 2))
    return escaped


def suspension_overrun(world: World, rate: float) -> None:
    """Suspensions beyond the yearly allowance (`max_days_in_months(6)` days per calendar year),
    billing staying on the reduced capacity: one never resumed, or two of four months in one
    calendar year; or a suspension of under 15 days billed as one (its basic charge stays due)."""
    m = world.n_months
    idx = world.pick(
        capacity_changeable(world) & (world.capacity >= 400) & world.active.all(axis=1), rate
    )
    kind = world.rng.choice(["never resumed", "twice in a year", "too short"], size=len(idx))
    capacity = world.capacity[idx].copy()
    due_from = np.full(len(idx), np.datetime64("NaT"), dtype="datetime64[D]")
    stop = np.full(len(idx), world.end_date + 1)
    kva = np.zeros(len(idx))
    start_month = np.zeros(len(idx), dtype=int)
    limit = max_days_in_months(6)
    calendar_month = world.month_numbers % 12
    # Never resumed: the allowance of the year it started in runs out (or, started late in a year,
    # that of the next), and the full charge is due from then to the end of the data.
    never = np.flatnonzero(kind == "never resumed")
    month = world.rng.integers(3, m - 12, size=len(never))
    remaining = suspend(world, idx[never], month, np.zeros(len(never), dtype=int))
    start = _effective_dates(world, idx[never], "suspension")
    year_end = (start.astype("datetime64[Y]") + 1).astype("datetime64[D]")
    in_year = (year_end - start).astype(np.int64)
    due_from[never] = np.where(
        in_year > limit,
        start + np.timedelta64(limit, "D"),
        year_end + np.timedelta64(limit, "D"),
    )
    kva[never] = capacity[never] - remaining
    start_month[never] = month
    # Twice in one calendar year, four months each from January to March: the second overruns.
    twice = np.flatnonzero(kind == "twice in a year")
    januaries = np.flatnonzero((calendar_month == 0) & (np.arange(m) + 11 < m))
    first = januaries[world.rng.integers(0, len(januaries), size=len(twice))]
    first = first + world.rng.integers(0, 3, size=len(twice))
    remaining = suspend(world, idx[twice], first, np.full(len(twice), 4))
    suspend(world, idx[twice], first + 5, np.full(len(twice), 4), remaining=remaining)
    starts = _effective_dates(world, idx[twice], "suspension", count=2)
    ends = _effective_dates(world, idx[twice], "resumption", count=2)
    used = (ends[:, 0] - starts[:, 0]).astype(np.int64)
    due_from[twice] = starts[:, 1] + (limit - used).astype("timedelta64[D]")
    stop[twice] = ends[:, 1]
    kva[twice] = capacity[twice] - remaining
    start_month[twice] = first + 5
    # Too short: suspended and resumed within one read period, 5 to 14 days later.
    short = np.flatnonzero(kind == "too short")
    month = world.rng.integers(3, m - 3, size=len(short))
    day = world.rng.integers(2, 8, size=len(short))
    days = world.rng.integers(5, 15, size=len(short))
    remaining = smaller_size(capacity[short], world.rng)
    start = world.change_capacity(
        idx[short], "suspension", month, capacity[short], remaining, day=day
    )
    world.add_orders(idx[short], "suspension", month, capacity[short], remaining, effective=start)
    end = world.change_capacity(
        idx[short], "resumption", month, remaining, capacity[short], day=day + days
    )
    world.add_orders(idx[short], "resumption", month, remaining, capacity[short], effective=end)
    # Both changes in one read period: billed Σ day capacity / days_per_month over it.
    read_from, read_to, _ = world.read_period(idx[short], month)
    kva_days = capacity[short] * (read_to - read_from + 1) - (capacity[short] - remaining) * days
    world.prorated.append(
        pd.DataFrame(
            {
                "customer": idx[short],
                "month": month,
                "quantity": kva_days / world.params.days_per_month,
            }
        )
    )
    due_from[short] = start
    stop[short] = end
    kva[short] = capacity[short] - remaining
    start_month[short] = month
    effect = basic_charge_of_days(world, idx, kva, due_from, stop)
    from_month = np.searchsorted(world.month_starts, due_from, side="right") - 1
    world.add_truth(idx, "suspension_overrun", from_month, effect, kind.astype(object))


def _effective_dates(world: World, idx: np.ndarray, order_type: str, count: int = 1) -> np.ndarray:
    """The effective dates of the last `count` orders of `order_type` of customers `idx` (sorted
    by date per customer: customers × count, or a vector where count is 1)."""
    if not len(idx):
        table = np.empty((0, count), dtype="datetime64[D]")
        return table[:, 0] if count == 1 else table
    orders = pd.concat([o for o in world.orders if (o["order_type"] == order_type).any()])
    orders = orders[orders["customer"].isin(idx)].sort_values(["customer", "effective_date"])
    dates = orders.groupby("customer")["effective_date"].apply(
        lambda values: values.to_numpy(dtype="datetime64[D]")[-count:]
    )
    table = np.stack(dates.reindex(idx).to_numpy())
    return table[:, 0] if count == 1 else table


def order_stalled(world: World, rate: float) -> None:
    """A work order's step done late, or never done, beyond its time limit (limits 3 / 5 / 10
    working days of the Chinese calendar, as the rule counts them): late by `STALL_EXTRA_DAYS`
    working days, or not done by the export while more than the limit has passed."""
    orders = world.orders
    sizes = np.array([len(frame) for frame in orders])
    total = int(sizes.sum())
    chosen = np.sort(world.rng.choice(total, size=round(rate * total), replace=False))
    frame_of = np.searchsorted(np.cumsum(sizes), chosen, side="right")
    steps = ("transferred_at", "registered_at", "archived_at")
    previous = ("issued_at", "transferred_at", "registered_at")
    limits = (3, 5, 10)
    calendar = WorkingCalendar.chinese()
    customers, months = [], []
    end = world.end_date
    for position, frame_index in zip(chosen, frame_of, strict=True):
        frame = orders[frame_index]
        row = position - (sizes[:frame_index].sum() if frame_index else 0)
        if (
            end - frame.at[row, "issued_at"].to_datetime64().astype("datetime64[D]")
        ) < np.timedelta64(60, "D"):
            continue
        step = int(world.rng.integers(0, 3))
        since = np.array([frame.at[row, previous[step]]], dtype="datetime64[D]")
        extra = world.rng.integers(*STALL_EXTRA_DAYS)
        late_date = working_day_after(since, np.array([limits[step] + extra]))[0]
        if world.rng.random() < 0.5 and late_date <= end:
            shift = late_date - frame.at[row, steps[step]]
            for later in steps[step:]:
                frame.at[row, later] = frame.at[row, later] + shift
        elif calendar.working_days(since, np.array([end], dtype="datetime64[D]"))[0] > limits[step]:
            for later in steps[step:]:
                frame.at[row, later] = np.datetime64("NaT")
        else:  # too close to the export for a step not done to be late
            continue
        customers.append(frame.at[row, "customer"])
        months.append(
            world.periods.index(str(frame.at[row, "issued_at"])[:7])
            if str(frame.at[row, "issued_at"])[:7] in world.periods
            else 0
        )
    customers_array = np.asarray(customers, dtype=int)
    world.add_truth(
        customers_array,
        "order_stalled",
        np.asarray(months, dtype=int),
        np.zeros(len(customers_array)),
        "work order step late or missing",
    )


def order_not_applied(world: World, rate: float) -> None:
    """A tariff change (household → shop) archived, but billing keeps the old tariff."""
    m = world.n_months
    idx = world.pick((world.usage == "residential") & world.active.all(axis=1), rate)
    month = _start_month(world, idx, 4, m - 3)
    res, com = catalog.TARIFF_CODES.index("RES"), catalog.TARIFF_CODES.index("COM")
    world.add_orders(
        idx, "tariff_change", month, np.full(len(idx), "RES"), np.full(len(idx), "COM")
    )
    world.usage[idx] = "commercial"
    world.industry[idx] = "批发和零售业"
    world.tariff[idx] = com
    after = np.arange(m)[None, :] >= month[:, None]
    world.tier_scheme[idx] = (
        "none"  # the archive knows the shop; billing keeps the household's tariff
    )
    billed = ledger.compute(world, idx)
    world.tariff_billed[idx] = np.where(after, com, res)
    applied = ledger.compute(world, idx)  # the shop's bills, had the order been applied
    world.tariff_billed[idx] = res
    effect = _from_the_change(world, idx, month, billed, applied)
    world.add_truth(idx, "order_not_applied", month, effect, "tariff change RES→COM not billed")


def _from_the_change(
    world: World,
    idx: np.ndarray,
    month: np.ndarray,
    billed: ledger.Ledger,
    applied: ledger.Ledger,
) -> np.ndarray:
    """Per customer of `idx` (sorted), Σ over its bills of `applied` less `billed` (the same
    bills on the terms an order put on them from the first of `month` and before it), the bill
    read across that day (a customer read on the 25th) for its kWh read from it on, as a bill
    split there prices them (`kwh_before_change`)."""
    customer = np.searchsorted(idx, billed.customer)
    difference = applied.amount - billed.amount
    change = world.month_starts.astype("datetime64[D]").astype(np.int64)[month[customer]]
    days_before = np.clip(change - billed.read_from, 0, None)
    read_days = billed.read_to - billed.read_from + 1
    across = np.flatnonzero((days_before > 0) & (billed.read_to >= change))
    kwh = billed.kwh[across]
    after = kwh - kwh_before_change(kwh, days_before[across], read_days[across])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(kwh != 0, after / kwh, 1 - days_before[across] / read_days[across])
    difference[across] = round_half_up(difference[across] * share)
    return round_half_up(np.bincount(customer, difference, len(idx)))


def _business_single_part(world: World) -> np.ndarray:
    single = ~world.is_two_part()
    return (
        single
        & ((world.usage == "commercial") | (world.usage == "industrial"))
        & world.active.all(axis=1)
    )


def change_without_order(world: World, rate: float) -> None:
    """Billing switches a business to the agricultural tariff mid-series, with no work order."""
    m = world.n_months
    idx = world.pick(_business_single_part(world), rate)
    month = _start_month(world, idx, 4, m - 3)
    agr = catalog.TARIFF_CODES.index("AGR")
    after = np.arange(m)[None, :] >= month[:, None]
    honest = _billed(world, idx)
    world.tariff_billed[idx] = np.where(after, agr, world.tariff_billed[idx])
    effect = honest - _billed(world, idx)
    world.add_truth(idx, "change_without_order", month, effect, "billing tariff changed to AGR")


def _businesses_on_cheap_tariffs(
    world: World, rate: float, rng: np.random.Generator, residential_share: float
) -> tuple[np.ndarray, np.ndarray]:
    """About `rate` of the single-part businesses (drawn from `rng`), and for each the
    residential tariff (`residential_share` of them) or the agricultural one, as codes."""
    idx = world.pick(_business_single_part(world), rate, rng)
    cheap = np.where(
        rng.random(len(idx)) < residential_share,
        catalog.TARIFF_CODES.index("RES"),
        catalog.TARIFF_CODES.index("AGR"),
    )
    return idx, cheap


def tariff_mismatch(world: World, rate: float) -> None:
    """高价低接: a business archived (and billed) on the residential or agricultural tariff.

    Its effect is what can be recovered (DOMAIN.md), as the rule counts it: the whole
    difference for a customer connected inside the data (the start is its connection), else
    the last `backbill_months` months (a start unknown); nothing where the data nets to a refund."""
    idx, cheap = _businesses_on_cheap_tariffs(world, rate, world.rng, 0.7)
    rows = np.sort(idx)
    honest = ledger.compute(world, rows).amount
    world.tariff[idx] = cheap
    world.tariff_billed[idx] = cheap[:, None]
    bills = ledger.compute(world, rows)
    gap = honest - bills.amount
    owner = np.searchsorted(rows, bills.customer)
    window_from = world.n_months - load_defaults()["tariff_mismatch"]["backbill_months"]
    before_window = world.active[bills.customer, 0] & (bills.month < window_from)
    net = np.bincount(owner, gap, len(rows))
    recoverable = np.bincount(owner, np.where(before_window, 0.0, gap), len(rows))
    effect = np.where(net > 0, recoverable, 0.0)[np.searchsorted(rows, idx)]
    world.add_truth(
        idx,
        "tariff_mismatch",
        np.zeros(len(idx), dtype=int),
        effect,
        "business on " + np.asarray(catalog.TARIFF_CODES, dtype=object)[cheap],
    )


def billed_tariff_mismatch(world: World, rate: float) -> None:
    """计费电价与档案不符: a business archived on its own tariff, billed since before the data on
    the residential or agricultural one (billing set up wrong at connection).

    Drawn from a stream of its own (a child of the utility's) and injected after every other
    irregularity, on customers none of them took: the rest of the utility is as without it."""
    idx, cheap = _businesses_on_cheap_tariffs(world, rate, world.rng.spawn(1)[0], 0.5)
    honest = _billed(world, idx)
    world.tariff_billed[idx] = cheap[:, None]
    effect = honest - _billed(world, idx)
    world.add_truth(
        idx,
        "billed_tariff_mismatch",
        np.zeros(len(idx), dtype=int),
        effect,
        "billed on " + np.asarray(catalog.TARIFF_CODES, dtype=object)[cheap],
    )


def rate_mismatch(world: World, rate: float) -> None:
    """The billed energy rate is below the schedule's from some month on."""
    m = world.n_months
    idx = world.pick(world.active.all(axis=1), rate)
    month = _start_month(world, idx, 2, m - 3)
    factor = world.rng.uniform(0.8, 0.95, len(idx))
    after = np.arange(m)[None, :] >= month[:, None]
    honest = _billed(world, idx)
    world.rate_factor[idx] = np.where(after, factor[:, None], 1.0)
    effect = honest - _billed(world, idx)
    world.add_truth(idx, "rate_mismatch", month, effect, "rate below schedule")


def zero_consumption(world: World, rate: float) -> None:
    """A meter stops: zero kWh for three or more months while the account stays active."""
    m = world.n_months
    idx = world.pick(world.active.all(axis=1) & (world.status == "active"), rate)
    month = _start_month(world, idx, m - 12, m - 3)
    after = np.arange(m)[None, :] >= month[:, None]
    world.metered_kwh[idx] = np.where(after, 0.0, world.metered_kwh[idx])
    world.estimated[idx] &= ~after  # a stopped meter is read as stopped
    world.demand[idx] = np.where(after, 0.0, world.demand[idx])
    # Each month's kWh used at its rate; a household on tiers by its tiers, as the rule prices.
    lost = np.where(after, world.true_kwh[idx], 0.0).ravel()
    customers, months = np.repeat(idx, m), np.tile(np.arange(m), len(idx))
    money = back_billed_energy(world, customers, months, lost, _energy_rate(world, idx).ravel())
    effect = money.reshape(len(idx), m).sum(axis=1)
    world.add_truth(idx, "zero_consumption", month, effect, "meter stopped")


def consumption_drop(world: World, rate: float) -> None:
    """Theft: from a day of some month the meter records only 20-60 % of the energy used (that
    month in part: `inject_meters.records_less_from`)."""
    m = world.n_months
    idx = world.pick(world.active.all(axis=1) & (world.status == "active"), rate)
    month = _start_month(world, idx, m - 18, m - 4)
    alpha = world.rng.uniform(0.2, 0.6, len(idx))
    # The day from its own stream (a child of the utility's): the other injections draw as before.
    days_in = world.days_in_month[month]
    day = np.floor(world.rng.spawn(1)[0].random(len(idx)) * days_in).astype(np.int64)
    records_less_from(world, idx, month, day, alpha)
    lost = world.true_kwh[idx] - world.metered_kwh[idx]
    effect = (lost * _energy_rate(world, idx)).sum(axis=1)
    world.add_truth(
        idx,
        "consumption_drop",
        month,
        effect,
        "meter records " + np.char.mod("%.0f%%", alpha * 100).astype(object),
        from_date=world.month_starts[month] + day.astype("timedelta64[D]"),
    )


def estimated_streak(world: World, rate: float) -> None:
    """Three to eight estimated reads in a row (no access to the meter), caught up afterwards."""
    m = world.n_months
    idx = world.pick(world.active.all(axis=1), rate)
    length = world.rng.integers(3, 9, len(idx))
    month = world.rng.integers(m - 22, m - length - 1)
    months = np.arange(m)[None, :]
    world.estimated[idx] = (months >= month[:, None]) & (months < (month + length)[:, None])
    world.add_truth(idx, "estimated_streak", month, np.zeros(len(idx)), "estimated reads in a row")


#: Share of the eligible customers of each archive defect, relative to the rule's rate (kinds
#: whose eligible customers are few are drawn at a higher share, so each is present).
ARCHIVE_DEFECT_SHARES = {
    "non-standard CT ratio": 3,
    "non-standard CT ratio for a 1 A secondary": 30,
    "PT ratio on low voltage": 1,
    "PT ratio not for the metering": 5,
    "capacity missing": 10,
    "meter on two accounts": 1,
    "bill before connection": 1,
}


def archive_defect(world: World, rate: float) -> None:
    """Impossible archive values: a CT ratio giving no standard primary with its own secondary
    (5 A, or 1 A), a PT on low voltage, a PT ratio the metering does not need (a 35 kV PT on a
    10 kV supply metered high_high, a 10 kV one on 35 kV, a PT behind a high_low meter), no
    capacity, a shared meter, an early bill."""
    m = world.n_months
    has_ct = (world.ct > 1) & world.active.any(axis=1)
    eligible = {
        "non-standard CT ratio": has_ct & (world.ct_secondary == 5),
        "non-standard CT ratio for a 1 A secondary": has_ct & (world.ct_secondary == 1),
        "PT ratio on low voltage": (world.voltage < 1) & (world.usage != "residential"),
        "PT ratio not for the metering": np.isin(world.metering_mode, ["high_high", "high_low"]),
        "capacity missing": _capacity_basis(world),
        "meter on two accounts": world.status == "active",
        "bill before connection": world.active[:, 0],
    }
    for kind, where in eligible.items():
        idx = world.pick(where, rate * ARCHIVE_DEFECT_SHARES[kind])
        customers = idx
        if kind.startswith("non-standard CT ratio"):
            # Half an ampere-turn off: ratio × secondary falls between the standard primaries.
            world.ct[idx] = world.ct[idx] + world.rng.choice([0.5, 1.5, 2.5], size=len(idx))
            world.refit_multiplier(idx)
        elif kind == "PT ratio on low voltage":
            world.pt[idx] = 100.0
            world.refit_multiplier(idx)  # the meter still counts the same energy
        elif kind == "PT ratio not for the metering":
            on_high_side = world.metering_mode[idx] == "high_high"
            other_voltage_pt = np.where(
                world.pt[idx] == catalog.PT_RATIO_10KV,
                catalog.PT_RATIO_35KV,
                catalog.PT_RATIO_10KV,
            )
            world.pt[idx] = np.where(on_high_side, other_voltage_pt, catalog.PT_RATIO_10KV)
            world.refit_multiplier(idx)
        elif kind == "capacity missing":
            world.capacity[idx] = np.nan
        elif kind == "meter on two accounts":
            half = len(idx) // 2
            world.meter_id[idx[half : 2 * half]] = world.meter_id[idx[:half]]
            customers = idx[: 2 * half]
        else:
            world.conn_date[idx] = world.month_starts[0] + world.rng.integers(
                65, 30 * (m // 3), len(idx)
            ).astype("timedelta64[D]")
        world.add_truth(
            customers,
            "archive_defect",
            np.zeros(len(customers), dtype=int),
            np.zeros(len(customers)),
            kind,
        )


def _honest_all_months(world: World) -> np.ndarray:
    return world.active.all(axis=1) & (world.status == "active")


def _after(world: World, month: np.ndarray) -> np.ndarray:
    return np.arange(world.n_months)[None, :] >= month[:, None]


def _alternate(count: int, every: int, which: int) -> np.ndarray:
    """Every `every`-th of `count` chosen customers (from `which`): the variants of a fault share
    the customers evenly, so even a small utility has each."""
    return np.arange(count) % every == which


def _record_billing_fault(
    world: World,
    idx: np.ndarray,
    rule: str,
    month: np.ndarray,
    detail: np.ndarray,
    fault: str,
) -> None:
    """Record billing faults set on `idx` with their exact effect: Σ(amount due − amount billed),
    from the synth's own ledger. A customer the fault did not under-bill by a fen is billed right
    again and freed (it would be a label without a difference to find)."""
    effect = ledger.under_billed(world, idx)
    wrong = effect < 0.01
    getattr(world, fault)[idx[wrong]] = 0
    world.busy[idx[wrong]] = False
    keep = ~wrong
    world.add_truth(idx[keep], rule, month[keep], effect[keep], detail[keep])


def tou_misapplied(world: World, rate: float) -> None:
    """A time-of-use customer billed at the flat rate from some month (its load is peak-heavy, so
    flat is cheaper), or billed the old schedule's period rates after the price change."""
    m, cal = world.n_months, world.calendar
    tou_code = np.isin(
        world.tariff, [catalog.TARIFF_CODES.index(c) for c in catalog.TOU_CODES]
    ) & np.isin(
        world.tariff_billed, [catalog.TARIFF_CODES.index(c) for c in catalog.TOU_CODES]
    ).all(axis=1)
    peak_heavy = world.tou_base[:, 1] * 0.5 - world.tou_base[:, 2] * 0.55 > 0.03
    idx = world.pick(world.tou & tou_code & _honest_all_months(world), rate)
    flat = peak_heavy[idx] & _alternate(len(idx), 2, 0)
    month = np.where(flat, _start_month(world, idx, 2, m - 3), cal.price_change)
    months = np.arange(m)[None, :]
    schedule = (months >= cal.price_change) & (months < cal.market_start)
    world.tou_fault[idx] = np.where(
        flat[:, None] & _after(world, month), 1, np.where(~flat[:, None] & schedule, 2, 0)
    )
    detail = np.where(flat, "billed at the flat rate", "old schedule's period rates")
    _record_billing_fault(world, idx, "tou_misapplied", month, detail.astype(object), "tou_fault")


def tier_misapplied(world: World, rate: float) -> None:
    """A household's tiers counted on the wrong cumulative kWh: reset every month (all tier 1) from
    some month, or reset in July as if the tier year were half a year."""
    m = world.n_months
    res = catalog.TARIFF_CODES.index("RES")
    yearly = world.metered_kwh[:, : min(m, 12)].sum(axis=1) * 12 / min(m, 12)
    eligible = (
        (world.tier_scheme == "single")
        & (world.tariff_billed == res).all(axis=1)
        & (yearly > 3000)
        & _honest_all_months(world)
    )
    idx = world.pick(eligible, rate)
    monthly = _alternate(len(idx), 2, 0)
    month = np.where(monthly, _start_month(world, idx, 2, m - 6), 0)
    world.tier_fault[idx] = np.where(monthly, 1, 2)[:, None] * _after(world, month)
    detail = np.where(monthly, "tiers reset every month", "tiers reset in July")
    _record_billing_fault(world, idx, "tier_misapplied", month, detail.astype(object), "tier_fault")


def basic_charge_error(world: World, rate: float) -> None:
    """The basic charge computed wrong: a demand below 40 % of the capacity billed as measured, an
    excess over 105 % of the contract demand not doubled, or the months of a suspension and its
    resumption billed at the lower capacity instead of prorated by day (then the capacity billed is
    below the capacity in force too)."""
    m = world.n_months
    demand_basis = world.is_two_part() & (world.basis == "demand") & _honest_all_months(world)
    low = world.demand < world.params.demand_floor_share * world.capacity[:, None]
    high = world.demand > world.params.demand_excess_threshold * world.contract_demand[:, None]
    floor = world.pick(demand_basis & (low.sum(axis=1) >= 2), rate)
    excess = world.pick(demand_basis & (high.sum(axis=1) >= 2), rate)
    world.basic_fault[floor] = 1
    world.basic_fault[excess] = 2
    _record_billing_fault(
        world,
        floor,
        "basic_charge_error",
        np.argmax(low[floor], axis=1),
        np.full(len(floor), "demand floor not applied", dtype=object),
        "basic_fault",
    )
    _record_billing_fault(
        world,
        excess,
        "basic_charge_error",
        np.argmax(high[excess], axis=1),
        np.full(len(excess), "excess demand not doubled", dtype=object),
        "basic_fault",
    )
    changeable = capacity_changeable(world) & (world.capacity >= 630) & _honest_all_months(world)
    prorate = world.pick(changeable, rate)
    month = _start_month(world, prorate, 2, m - 8)
    length = world.rng.integers(2, 6, len(prorate))
    suspend(world, prorate, month, length)
    world.basic_fault[prorate, month] = 3
    world.basic_fault[prorate, month + length] = 3
    # The capacity billed is short of the capacity in force (prorated by day): that is
    # capacity_underbilled's finding, counted there and not again by basic_charge_error.
    _record_billing_fault(
        world,
        prorate,
        "capacity_underbilled",
        month,
        np.full(len(prorate), "suspension months not prorated", dtype=object),
        "basic_fault",
    )


def pf_adjustment_error(world: World, rate: float) -> None:
    """The power-factor adjustment billed wrong from some month: a surcharge left out or billed as
    a rebate (a customer whose PF is low), the exported reactive energy left out of the PF (a
    customer that exports much), or the 0.85 table used for a 0.90 customer (PF just below 0.90)."""
    m = world.n_months
    idx = world.pick(~np.isnan(world.pf_standard) & _honest_all_months(world), rate)
    kind = np.arange(len(idx)) % 4 + 1
    kind = np.where((kind == 4) & (world.pf_standard[idx] != 0.90), 1, kind)
    # A low PF (surcharge due) for a missing or sign-flipped adjustment, just under 0.90 for the
    # wrong table: each fault then under-bills.
    low = np.where(
        kind == 4, world.rng.uniform(0.84, 0.89, len(idx)), world.rng.uniform(0.74, 0.82, len(idx))
    )
    world.pf_natural[idx] = np.where(kind == 3, world.pf_natural[idx], low)
    world.export_share[idx] = np.where(
        kind == 3, world.rng.uniform(0.25, 0.5, len(idx)), world.export_share[idx]
    )
    month = _start_month(world, idx, 2, m - 6)
    world.pf_fault[idx] = kind[:, None] * _after(world, month)
    detail = np.asarray([ledger.FAULTS["pf_fault"][k] for k in kind], dtype=object)
    _record_billing_fault(world, idx, "pf_adjustment_error", month, detail, "pf_fault")


def pf_standard_mismatch(world: World, rate: float) -> None:
    """The archive's power-factor standard laxer than the customer's class and capacity call for,
    over the whole data: a 0.90 customer recorded at 0.85 (its power factor 0.85-0.89, where the
    0.85 table rebates what the 0.90 one surcharges), or a 0.85 customer recorded with none (its
    power factor low: the surcharge is never billed). The bills follow the archive, so
    pf_adjustment_error has nothing to see."""
    idx = world.pick(
        np.isin(world.pf_standard, (0.85, 0.90)) & ~np.isnan(world.pf_natural)
        & _honest_all_months(world),
        rate,
    )  # fmt: skip
    strict = world.pf_standard[idx] == 0.90
    world.pf_natural[idx] = np.where(
        strict, world.rng.uniform(0.85, 0.89, len(idx)), world.rng.uniform(0.74, 0.82, len(idx))
    )
    kind = np.where(strict, 5, 6)
    world.pf_fault[idx] = kind[:, None]
    detail = np.asarray([ledger.FAULTS["pf_fault"][k] for k in kind], dtype=object)
    month = np.zeros(len(idx), dtype=int)
    _record_billing_fault(world, idx, "pf_standard_mismatch", month, detail, "pf_fault")


def loss_not_charged(world: World, rate: float) -> None:
    """A high_low customer billed without loss energy from some month, or, after its transformer
    was replaced by a larger one on the 1st of a month (with its order), still billed the losses of
    the old, smaller one. The larger one stays under the two-part threshold (a single-part
    customer reaching it would truly be on the wrong tariff: another irregularity)."""
    m = world.n_months
    sizes = np.asarray([row[0] for row in catalog.S11_LOSSES], dtype=float)
    high_low = (world.metering_mode == "high_low") & _honest_all_months(world)
    idx = world.pick(high_low, rate)
    month = _start_month(world, idx, 3, m - 6)
    larger = sizes[
        np.minimum(np.searchsorted(sizes, world.nameplate[idx], side="right"), len(sizes) - 1)
    ]
    # The larger transformer keeps the customer's power-factor standard: one that would call
    # for another is a change the archive's standard must follow (pf_standard_mismatch).
    same_standard = np.isclose(
        pf_standard_of(world.usage[idx], np.ones(len(idx), bool), np.zeros(len(idx), bool), larger),
        world.pf_standard[idx],
        equal_nan=True,
    )
    replaced = (
        ~world.is_two_part()[idx]
        & ~world.reads_on_25th()[idx]
        & (world.nameplate[idx] < larger)
        & (larger < catalog.TWO_PART_THRESHOLD_KVA)
        & same_standard
        & _alternate(len(idx), 2, 0)
    )
    world.loss_fault[idx] = np.where(replaced, 2, 1)[:, None] * _after(world, month)
    swap = idx[replaced]
    old, new = world.nameplate[swap], larger[replaced]
    date = world.month_starts[month[replaced]]
    world.loss_kva_after[swap] = new
    world.loss_change_month[swap] = month[replaced]
    world.capacity[swap] = new
    world.cap_events.append(
        pd.DataFrame({"customer": swap, "kind": "increase", "date": date, "old": old, "new": new})
    )
    world.add_orders(swap, "capacity_increase", month[replaced], old, new, effective=date)
    detail = np.where(replaced, "losses of the replaced transformer", "no loss lines")
    _record_billing_fault(
        world, idx, "loss_not_charged", month, detail.astype(object), "loss_fault"
    )


def fund_charge_error(world: World, rate: float) -> None:
    """Funds and surcharges left off the bill from some month, or billed at a rate too low."""
    m = world.n_months
    pays = np.array([row[7] > 0 for row in catalog.TARIFFS])[world.tariff]
    idx = world.pick(pays & _honest_all_months(world), rate)
    month = _start_month(world, idx, 2, m - 6)
    kind = np.where(_alternate(len(idx), 2, 0), 1, 2)
    world.fund_fault[idx] = kind[:, None] * _after(world, month)
    detail = np.asarray([ledger.FAULTS["fund_fault"][k] for k in kind], dtype=object)
    _record_billing_fault(world, idx, "fund_charge_error", month, detail, "fund_fault")


INJECTORS = {
    "multiplier_mismatch": multiplier_mismatch,
    "register_mismatch": register_mismatch,
    "meter_test_overdue": meter_test_overdue,
    "capacity_underbilled": capacity_underbilled,
    "demand_over_capacity": demand_over_capacity,
    "reduction_without_drop": reduction_without_drop,
    "suspension_overrun": suspension_overrun,
    "order_not_applied": order_not_applied,
    "change_without_order": change_without_order,
    "tariff_mismatch": tariff_mismatch,
    "rate_mismatch": rate_mismatch,
    "zero_consumption": zero_consumption,
    "consumption_drop": consumption_drop,
    "estimated_streak": estimated_streak,
    "archive_defect": archive_defect,
    "tou_misapplied": tou_misapplied,
    "tier_misapplied": tier_misapplied,
    "basic_charge_error": basic_charge_error,
    "pf_adjustment_error": pf_adjustment_error,
    "pf_standard_mismatch": pf_standard_mismatch,
    "loss_not_charged": loss_not_charged,
    "fund_charge_error": fund_charge_error,
    "order_stalled": order_stalled,  # late: it can pick orders the other injections created
    "billed_tariff_mismatch": billed_tariff_mismatch,  # last: on its own stream
}

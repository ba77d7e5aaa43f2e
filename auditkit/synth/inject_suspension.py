"""Irregularities of the practice checks (suspension), injected into the honest utility and recorded in
`truth` (see `auditkit.synth.irregular`), and their honest look-alike: a suspension each winter.

Money follows the rules' convention for the basic charge of days an order took off
(`basic_charge_of_days`): a read period holding them is due as a month of change, Σ day capacity /
days_per_month with those days given back, at most the largest capacity of a day.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

import auditkit.synth.catalog as catalog
import auditkit.synth.ledger as ledger
from auditkit.billing.money import round_half_up
from auditkit.synth.world import (
    World,
    capacity_changeable,
    smaller_size,
    suspend,
)

#: Share of the eligible customers (or orders) that receive each irregularity.
DEFAULT_RATES: dict[str, float] = {
    "suspension_backdated": 0.15,  # of capacity-basis customers metered high-high
}
#: Share of the customers with an honest suspension or reduction whose order is backdated too.
HONEST_BACKDATED_SHARE = 0.5
#: Share of the same customers suspended each winter, honestly (look-alike suspension_across_years).
ACROSS_YEARS_SHARE = 0.1
#: Days a backdated order's application comes after its effective date (low inclusive, high
#: exclusive), and the days of the month it takes effect: both inside one read period (read on
#: the 25th or on the calendar month).
BACKDATED_DAYS = (3, 16)
BACKDATED_EFFECTIVE_DAY = (2, 10)
#: The most days a read period holds (the 26th to the 25th of a 31-day month: 31).
MAX_READ_DAYS = 31
#: Key of a (customer, day number) pair: customer × DAY_STRIDE + day.
DAY_STRIDE = 1 << 24


def basic_charge_of_days(
    world: World, idx: np.ndarray, kva: np.ndarray, start: np.ndarray, stop: np.ndarray
) -> np.ndarray:
    """Per customer of `idx`: what its bills left unbilled of the basic charge of `kva` due again
    on the days [start, stop) (datetime64[D]; capacity an order took off), as the rules price it
    (`auditkit.rules.capacity.basic_charge_of_days`): each read period holding such days is due
    as a month of change, Σ over its days of the day's capacity / days_per_month, at most the
    largest capacity of a day, where the capacity changes inside it (or it is part of a month),
    else the capacity, on the world's capacity of each day with `kva` given back on those days;
    less what the bill charged (the world's honest billing: Σ day capacity / days_per_month in a
    month of change, uncapped), never below 0 nor above what the days add to the period's due,
    at the customer's rate, each bill to the fen; with the power-factor adjustment that basic
    charge moves on a bill with one (its ledger's percentage on its base + the charge left
    unbilled, less on its base, each to the fen), as the rules carry it on itemized bills."""
    rate = np.array([row[5] or 0.0 for row in catalog.TARIFFS])[world.tariff[idx]]
    start = np.asarray(start, dtype="datetime64[D]").astype(np.int64)
    stop = np.asarray(stop, dtype="datetime64[D]").astype(np.int64)
    days_per_month = world.params.days_per_month
    offsets = np.arange(MAX_READ_DAYS)
    short = np.zeros((len(idx), world.n_months))
    for month in range(world.n_months):
        read_from, read_to, part_month = world.read_period(idx, np.full(len(idx), month))
        overlap = np.clip(np.minimum(stop, read_to + 1) - np.maximum(start, read_from), 0, None)
        billed = np.flatnonzero(world.active[idx, month] & (overlap > 0))
        if not len(billed):
            continue
        day = read_from[billed, None] + offsets[None, :]
        in_period = day <= read_to[billed, None]
        capacity = _day_capacity(world, idx[billed], day, world.capacity_billed[idx[billed], month])
        taken_off = (day >= start[billed, None]) & (day < stop[billed, None])
        given = capacity + np.where(taken_off, kva[billed, None], 0.0)
        part = part_month[billed]
        charged = _kva_months(capacity, in_period, part, days_per_month, capped=False)
        owed = _kva_months(capacity, in_period, part, days_per_month, capped=True)
        due = _kva_months(given, in_period, part, days_per_month, capped=True)
        charged = round_half_up(round_half_up(charged, 4) * rate[billed], 2)
        added = np.round(np.maximum(due - owed, 0.0) * rate[billed], 2)
        left = np.round(np.clip(due * rate[billed] - charged, 0.0, added), 2)
        short[billed, month] = np.nan_to_num(left)
    return short.sum(axis=1) + _adjustment_moved(world, idx, short)


def _adjustment_moved(world: World, idx: np.ndarray, short: np.ndarray) -> np.ndarray:
    """Per customer of `idx`: Σ over its bills of what a basic charge `short` more (customers ×
    months, yuan) moves its power-factor adjustment by, on the world's ledger (its percentage
    and base, `ledger.compute`; 0 on a bill without an adjustment)."""
    customers, where = np.unique(idx, return_inverse=True)
    bills = ledger.compute(world, customers)
    adjusted = bills.line_type == ledger.LINE_TYPES.index("pf_adjustment")
    bill = bills.line_bill[adjusted]
    base, percent = bills.line_quantity[adjusted], bills.line_rate[adjusted]
    owner = np.searchsorted(customers, bills.customer[bill])
    by_customer = np.zeros((len(customers), world.n_months))
    np.add.at(by_customer, (where, slice(None)), short)  # one customer's orders add up per bill
    extra = by_customer[owner, bills.month[bill]]
    moved = round_half_up(percent * (base + extra), 2) - round_half_up(percent * base, 2)
    total = np.bincount(owner, np.where(extra > 0, moved, 0.0), len(customers))
    # Each customer's moved adjustment goes with its first entry of `idx`.
    first = np.zeros(len(idx), dtype=bool)
    first[np.unique(where, return_index=True)[1]] = True
    return np.where(first, total[where], 0.0)


def _kva_months(
    capacity: np.ndarray,
    in_period: np.ndarray,
    part_month: np.ndarray,
    days_per_month: int,
    capped: bool,
) -> np.ndarray:
    """Per row of day capacities (`in_period` marks the read period's days), the kVA-months due:
    the capacity where it is the same every day of a whole read period, else Σ day capacity /
    days_per_month (`capped`: at most the largest capacity of a day, as the rules have it)."""
    values = np.where(in_period, capacity, np.nan)
    low, high = np.nanmin(values, axis=1), np.nanmax(values, axis=1)
    prorated = part_month | ~np.isclose(low, high, rtol=0.0, atol=1e-9)
    kva_months = np.nansum(values, axis=1) / days_per_month
    if capped:
        kva_months = np.minimum(kva_months, high)
    return np.where(prorated, kva_months, high)


def _day_capacity(
    world: World, idx: np.ndarray, day: np.ndarray, without_events: np.ndarray
) -> np.ndarray:
    """The capacity in force of each customer of `idx` on each `day` (day numbers, one row per
    customer): from its capacity changes (`World.cap_events`: the old capacity before the first,
    each one's new capacity from its date), else `without_events` (one per customer)."""
    events = pd.concat(world.cap_events, ignore_index=True) if world.cap_events else None
    if events is not None:
        events = events[events["customer"].isin(idx)]
    if events is None or events.empty:
        return np.repeat(without_events[:, None], day.shape[1], axis=1)
    customer = events["customer"].to_numpy(dtype=np.int64)
    date = events["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    order = np.lexsort((date, customer))  # stable: of two the same day, the later one holds
    customer, date = customer[order], date[order]
    old = events["old"].to_numpy(dtype=float)[order]
    new = events["new"].to_numpy(dtype=float)[order]
    keys = customer * DAY_STRIDE + date
    found = np.searchsorted(keys, idx[:, None] * DAY_STRIDE + day, side="right") - 1
    at = np.clip(found, 0, None)
    after = (found >= 0) & (customer[at] == idx[:, None])
    first = np.searchsorted(customer, idx)
    has_events = (first < len(customer)) & (customer[np.clip(first, 0, len(customer) - 1)] == idx)
    before = np.where(has_events, old[np.clip(first, 0, len(customer) - 1)], without_events)
    return np.where(after, new[at], before[:, None])


def suspension_backdated(world: World, rate: float) -> None:
    """A suspension or capacity reduction whose order was applied for days after the date it took
    effect, billing stopping the basic charge from that date: the charge of the capacity given
    up is lost for the days between. Then makes the winter look-alikes, of the customers left."""
    m = world.n_months
    eligible = capacity_changeable(world) & (world.capacity >= 400) & world.active.all(axis=1)
    idx = world.pick(eligible, rate)
    month = world.rng.integers(3, m - 6, size=len(idx))
    day = world.rng.integers(*BACKDATED_EFFECTIVE_DAY, size=len(idx))
    late = world.rng.integers(*BACKDATED_DAYS, size=len(idx))
    suspension = world.rng.random(len(idx)) < 0.5
    capacity = world.capacity[idx].copy()
    remaining = smaller_size(capacity, world.rng)
    length = world.rng.integers(2, 6, size=len(idx))
    kinds = np.where(suspension, "suspension", "capacity_reduction")
    effective = np.empty(len(idx), dtype="datetime64[D]")
    for kind, change in (("suspension", "suspension"), ("capacity_reduction", "reduction")):
        chosen = kinds == kind
        sub = idx[chosen]
        effective[chosen] = world.change_capacity(
            sub, change, month[chosen], capacity[chosen], remaining[chosen], day=day[chosen]
        )
        # Issued after the date it took effect: a negative lead.
        orders = world.add_orders(
            sub,
            kind,
            month[chosen],
            capacity[chosen],
            remaining[chosen],
            effective=effective[chosen],
            lead_days=(0, 1),
        )
        issued = effective[chosen] + late[chosen].astype("timedelta64[D]")
        shift = (issued - orders["issued_at"].to_numpy(dtype="datetime64[D]")).astype(
            "timedelta64[D]"
        )
        for step in ("issued_at", "transferred_at", "registered_at", "archived_at"):
            orders[step] = orders[step].to_numpy(dtype="datetime64[D]") + shift
    # The load follows the order: the capacity given up is really off (only the dates are wrong).
    months = np.arange(m)[None, :]
    end = np.where(suspension, month + length, m)
    during = (months >= month[:, None]) & (months < end[:, None])
    factor = (remaining / capacity)[:, None] * world.rng.uniform(0.6, 0.9, (len(idx), 1))
    world.true_kwh[idx] *= np.where(during, factor, 1.0)
    world.metered_kwh[idx] *= np.where(during, factor, 1.0)
    world.demand[idx] *= np.where(during, factor, 1.0)
    back = idx[suspension]
    resumed = world.change_capacity(
        back, "resumption", end[suspension], remaining[suspension], capacity[suspension]
    )
    world.add_orders(
        back,
        "resumption",
        end[suspension],
        remaining[suspension],
        capacity[suspension],
        effective=resumed,
    )
    world.capacity[idx[~suspension]] = remaining[~suspension]
    issued = effective + late.astype("timedelta64[D]")
    effect = basic_charge_of_days(world, idx, capacity - remaining, effective, issued)
    world.add_truth(idx, "suspension_backdated", month, effect, kinds.astype(object))
    _backdate_honest_orders(world, HONEST_BACKDATED_SHARE, late_range=BACKDATED_DAYS)
    suspensions_across_years(world, ACROSS_YEARS_SHARE)


def _backdate_honest_orders(world: World, share: float, late_range: tuple[int, int]) -> None:
    """`share` of the customers with a real suspension or reduction of the honest business (no
    irregularity, no look-alike) get its application dated after its effective date: the same
    finding on a customer whose load really fell."""
    labelled = np.zeros(world.n_customers, dtype=bool)
    for frame in world.truth + world.lookalikes:
        labelled[frame["customer"].to_numpy()] = True
    reducing = [
        frame
        for frame in world.orders
        if frame["order_type"].isin(["suspension", "capacity_reduction"]).all()
    ]
    owners = np.unique(np.concatenate([frame["customer"].to_numpy() for frame in reducing]))
    candidates = owners[~labelled[owners]]
    count = round(share * len(candidates))
    chosen = np.sort(world.rng.choice(candidates, size=count, replace=False))
    for frame in reducing:
        rows = np.flatnonzero(np.isin(frame["customer"].to_numpy(), chosen))
        if not len(rows):
            continue
        at = frame.index[rows]
        effective = frame.loc[at, "effective_date"].to_numpy(dtype="datetime64[D]")
        issued = effective + world.rng.integers(*late_range, size=len(rows)).astype(
            "timedelta64[D]"
        )
        shift = issued - frame.loc[at, "issued_at"].to_numpy(dtype="datetime64[D]")
        for step in ("issued_at", "transferred_at", "registered_at", "archived_at"):
            frame.loc[at, step] = frame.loc[at, step].to_numpy(dtype="datetime64[D]") + shift
        customers = frame.loc[at, "customer"].to_numpy()
        kva = frame.loc[at, "old_value"].astype(float) - frame.loc[at, "new_value"].astype(float)
        effect = basic_charge_of_days(world, customers, kva.to_numpy(), effective, issued)
        month = np.searchsorted(world.month_starts, effective, side="right") - 1
        kind = frame.loc[at, "order_type"].to_numpy(dtype=object)
        world.add_truth(customers, "suspension_backdated", month, effect, kind)


def suspensions_across_years(world: World, share: float) -> None:
    """Honest look-alike: a suspension from October to April (6 months at most, within each
    calendar year's allowance), and where the data reaches, one from November to March the next
    winter: the year between holds at most 4 + 2 months of them."""
    m = world.n_months
    calendar_month = (world.month_numbers % 12) + 1
    octobers = np.flatnonzero((calendar_month == 10) & (np.arange(m) + 6 < m))
    if not len(octobers):
        return
    eligible = capacity_changeable(world) & (world.capacity >= 630) & world.active.all(axis=1)
    idx = world.pick(eligible, share)
    first = octobers[world.rng.integers(0, len(octobers), size=len(idx))]
    remaining = suspend(world, idx, first, np.full(len(idx), 6))
    again = first + 13 + 4 < m  # November of the next winter, resumed in March
    if again.any():  # the same transformer sealed again
        count = int(again.sum())
        months = first[again] + 13
        suspend(world, idx[again], months, np.full(count, 4), remaining=remaining[again])
    world.lookalikes.append(
        pd.DataFrame({"customer": idx, "kind": "suspension_across_years", "from_month": first})
    )


INJECTORS: dict[str, Callable[[World, float], None]] = {
    "suspension_backdated": suspension_backdated,
}

"""Irregularities of the practice checks (suspension), injected into the honest utility and recorded in
`truth` (see `auditkit.synth.irregular`), and their honest look-alike: a suspension each winter.

Money follows the rules' convention for a part of the basic charge (`basic_charge_of_days`): a read
period covered whole at the monthly rate, part of one at 1/days_per_month of it a day.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

import auditkit.synth.catalog as catalog
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


def basic_charge_of_days(
    world: World, idx: np.ndarray, kva: np.ndarray, start: np.ndarray, stop: np.ndarray
) -> np.ndarray:
    """Per customer of `idx`: the basic charge of `kva` for the days [start, stop) (datetime64[D])
    as the rules price it, bill by bill over the data: a read period covered whole at the monthly
    rate, part of one at 1/days_per_month a day, each bill's amount rounded to the fen."""
    rate = np.array([row[5] or 0.0 for row in catalog.TARIFFS])[world.tariff[idx]]
    start = np.asarray(start, dtype="datetime64[D]").astype(np.int64)
    stop = np.asarray(stop, dtype="datetime64[D]").astype(np.int64)
    total = np.zeros(len(idx))
    for month in range(world.n_months):
        read_from, read_to, _ = world.read_period(idx, np.full(len(idx), month))
        overlap = np.clip(np.minimum(stop, read_to + 1) - np.maximum(start, read_from), 0, None)
        whole = overlap >= read_to - read_from + 1
        share = np.where(whole, 1.0, overlap / world.params.days_per_month)
        billed = world.active[idx, month] & (overlap > 0)
        total += np.where(billed, np.round(kva * share * rate, 2), 0.0)
    return total


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

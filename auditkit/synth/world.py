"""The honest utility: customers, their true consumption and the work orders of normal business.

Everything is held as arrays (one row per customer, one column per month) so that 200,000 customers
× 36 months build in seconds; irregularities are injected afterwards (`inject.py`) and the tables are
rendered last (`render.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import auditkit.synth.catalog as catalog
from auditkit.periods import month_number

HOURS_PER_MONTH = 730.0
ORDER_COLUMNS = (
    "customer",
    "order_type",
    "issued_at",
    "transferred_at",
    "registered_at",
    "archived_at",
    "effective_date",
    "old_value",
    "new_value",
)


@dataclass
class World:
    """Customers (1-D arrays of length N) and their months (2-D arrays N × M), mutable by injection."""

    rng: np.random.Generator
    periods: list[str]
    month_starts: np.ndarray  # datetime64[D], first day of each period
    price_change: int  # index of the first period billed at the new rates
    customer_id: np.ndarray
    district: np.ndarray
    usage: np.ndarray
    tariff: np.ndarray  # archive tariff, index into catalog.TARIFF_CODES
    voltage: np.ndarray
    capacity: np.ndarray  # archive contract capacity (kVA), NaN where none
    basis: np.ndarray
    ct: np.ndarray
    pt: np.ndarray
    meter_id: np.ndarray
    conn_date: np.ndarray  # datetime64[D]
    status: np.ndarray
    test_date: np.ndarray  # datetime64[D], NaT where the meter has no periodic test
    test_cycle: np.ndarray  # months, NaN where none
    active: np.ndarray  # bool N × M: the customer is billed that month
    true_kwh: np.ndarray  # energy really consumed
    metered_kwh: np.ndarray  # energy the meter recorded (less than true when tampered or stopped)
    demand: np.ndarray  # true maximum demand (kW), NaN for single-part customers
    tariff_billed: np.ndarray  # tariff index applied by billing
    capacity_billed: np.ndarray  # kVA the basic charge uses, NaN for single-part customers
    multiplier_billed: np.ndarray
    demand_factor: np.ndarray  # billed demand / true demand (a wrong multiplier scales it too)
    estimated: np.ndarray  # bool: estimated read
    meter_reset: np.ndarray  # bool: a new meter starts from zero this month
    register_jump: np.ndarray  # meter units skipped between last month's end and this start
    billed_share: np.ndarray  # share of the register energy the bill charges (1 normally)
    rate_factor: np.ndarray  # billed energy rate / schedule rate (1 normally)
    busy: (
        np.ndarray
    )  # bool per customer: already has an irregularity or an order that would mask one
    orders: list[pd.DataFrame] = field(default_factory=list)
    truth: list[pd.DataFrame] = field(default_factory=list)

    @property
    def n_customers(self) -> int:
        return len(self.customer_id)

    @property
    def n_months(self) -> int:
        return len(self.periods)

    @property
    def end_date(self) -> np.datetime64:
        """Last day of the last period: the date the export was taken."""
        last = pd.Timestamp(self.month_starts[-1])
        return np.datetime64((last + pd.offsets.MonthEnd(0)).date(), "D")

    def archive_multiplier(self) -> np.ndarray:
        return self.ct * self.pt

    def is_two_part(self) -> np.ndarray:
        return np.isin(self.tariff, [catalog.TARIFF_CODES.index(c) for c in catalog.TWO_PART_CODES])

    def pick(self, eligible: np.ndarray, rate: float) -> np.ndarray:
        """Choose about `rate` of the eligible, not yet busy customers; mark them busy."""
        candidates = np.flatnonzero(eligible & ~self.busy)
        count = min(len(candidates), round(rate * int(eligible.sum())))
        chosen = np.sort(self.rng.choice(candidates, size=count, replace=False))
        self.busy[chosen] = True
        return chosen

    def add_orders(
        self,
        customers: np.ndarray,
        order_type: str,
        effective_month: np.ndarray,
        old_value: np.ndarray,
        new_value: np.ndarray,
        lead_days: tuple[int, int] = (5, 30),
    ) -> pd.DataFrame:
        """Work orders with a normal lifecycle (issued → transferred → registered → archived)."""
        count = len(customers)
        effective = self.month_starts[np.clip(effective_month, 0, self.n_months - 1)]
        issued = effective - self.rng.integers(*lead_days, size=count).astype("timedelta64[D]")
        transferred = issued + self.rng.integers(0, 3, size=count).astype("timedelta64[D]")
        registered = transferred + self.rng.integers(1, 5, size=count).astype("timedelta64[D]")
        archived = registered + self.rng.integers(1, 8, size=count).astype("timedelta64[D]")
        frame = pd.DataFrame(
            {
                "customer": customers,
                "order_type": order_type,
                "issued_at": issued,
                "transferred_at": transferred,
                "registered_at": registered,
                "archived_at": archived,
                "effective_date": effective,
                "old_value": old_value.astype(str),
                "new_value": new_value.astype(str),
            }
        )
        self.orders.append(frame)
        return frame

    def add_truth(
        self,
        customers: np.ndarray,
        irregularity: str,
        from_month: np.ndarray,
        revenue_effect: np.ndarray,
        detail: str,
    ) -> None:
        self.truth.append(
            pd.DataFrame(
                {
                    "customer": customers,
                    "irregularity": irregularity,
                    "from_period": np.asarray(self.periods)[np.clip(from_month, 0, None)],
                    "revenue_effect": np.round(np.maximum(revenue_effect, 0.0), 2),
                    "detail": detail,
                }
            )
        )


def ct_ratio_for(capacity_kva: np.ndarray, voltage_kv: np.ndarray) -> np.ndarray:
    """Standard CT ratio sized for the rated current I = S / (√3 · U) with a 25 % margin."""
    rated_current = capacity_kva / (np.sqrt(3) * voltage_kv)
    index = np.searchsorted(catalog.CT_PRIMARIES, rated_current * 1.25)
    return catalog.CT_PRIMARIES[np.clip(index, 0, len(catalog.CT_PRIMARIES) - 1)] / 5.0


def build_world(customers: int, districts: int, months: int, start: str, seed: int) -> World:
    """An honest utility: archive, true consumption and normal work orders, no irregularities yet."""
    rng = np.random.default_rng(seed)
    n, m = customers, months
    first = pd.Period(start, freq="M")
    periods = [str(first + i) for i in range(m)]
    month_starts = np.array([np.datetime64(p + "-01", "D") for p in periods])
    district_names = [
        catalog.DISTRICT_NAMES[i] if i < len(catalog.DISTRICT_NAMES) else f"第{i + 1}供电所"
        for i in range(districts)
    ]
    # Districts differ in size: weights from 1 to 2.
    weights = np.linspace(2.0, 1.0, districts)
    district = np.asarray(district_names, dtype=object)[
        rng.choice(districts, size=n, p=weights / weights.sum())
    ]
    usage = np.asarray(catalog.USAGE_TYPES, dtype=object)[
        rng.choice(5, size=n, p=[0.80, 0.10, 0.06, 0.02, 0.02])
    ]
    code_index = {code: i for i, code in enumerate(catalog.TARIFF_CODES)}
    two_part = ((usage == "industrial") & (rng.random(n) < 0.45)) | (
        (usage == "commercial") & (rng.random(n) < 0.08)
    )
    single_tariff = {
        "residential": "RES",
        "commercial": "COM",
        "industrial": "IND",
        "agricultural": "AGR",
        "public": "PUB",
    }
    tariff = np.array([code_index[single_tariff[u]] for u in usage])
    tariff[two_part & (usage == "industrial")] = code_index["IND2"]
    tariff[two_part & (usage == "commercial")] = code_index["COM2"]

    capacity = np.select(
        [usage == "residential", usage == "agricultural"],
        [
            rng.choice([4.0, 6.0, 8.0, 10.0], size=n),
            rng.choice([10.0, 20.0, 30.0, 50.0, 80.0], size=n),
        ],
        rng.choice([20.0, 30.0, 50.0, 80.0, 100.0, 125.0, 160.0, 200.0, 250.0], size=n),
    )
    sizes = catalog.TRANSFORMER_SIZES_KVA
    size_weights = np.linspace(3.0, 0.5, len(sizes))
    capacity[two_part] = sizes[
        rng.choice(len(sizes), size=int(two_part.sum()), p=size_weights / size_weights.sum())
    ]
    voltage = np.where(two_part, 10.0, 0.4)
    pt = np.where(two_part, catalog.PT_RATIO_10KV, 1.0)
    ct = np.where(two_part | (capacity >= 50.0), ct_ratio_for(capacity, voltage), 1.0)
    ct[usage == "residential"] = 1.0
    basis = np.where(two_part, np.where(rng.random(n) < 0.6, "capacity", "demand"), "none")
    basis = basis.astype(object)

    customer_id = np.array([f"SY{i:08d}" for i in range(1, n + 1)], dtype=object)
    meter_id = np.array([f"MT{v:010d}" for v in rng.permutation(n) * 7 + 1000003], dtype=object)

    # Connection: most before the data window, about 6 % during it (with a new-connection order).
    data_start = month_starts[0]
    conn_date = data_start - rng.integers(30, 365 * 25, size=n).astype("timedelta64[D]")
    new = rng.random(n) < 0.06
    conn_month = np.full(n, -1)
    conn_month[new] = rng.integers(1, m - 2, size=int(new.sum()))
    conn_date[new] = month_starts[conn_month[new]] + rng.integers(
        0, 28, size=int(new.sum())
    ).astype("timedelta64[D]")
    closing = ~new & (rng.random(n) < 0.01)
    close_month = np.full(n, m)
    close_month[closing] = rng.integers(6, m - 1, size=int(closing.sum()))
    month_index = np.arange(m)[None, :]
    active = (month_index >= np.maximum(conn_month, 0)[:, None]) & (
        month_index < close_month[:, None]
    )
    status = np.where(closing, "closed", "active").astype(object)

    # Meter test cycle by metering-point class: large two-part 6 months, two-part 12, CT-metered 24.
    test_cycle = np.where(
        two_part, np.where(capacity >= 2000, 6.0, 12.0), np.where(ct > 1, 24.0, np.nan)
    )
    end_date = np.datetime64((pd.Timestamp(month_starts[-1]) + pd.offsets.MonthEnd(0)).date(), "D")
    cycle_days = np.nan_to_num(test_cycle) * 30.4
    test_date = end_date - (rng.random(n) * (cycle_days - 20)).astype("timedelta64[D]")
    test_date[np.isnan(test_cycle)] = np.datetime64("NaT")

    # True consumption: segment base × seasonal profile × growth × noise.
    base = np.select(
        [
            usage == "residential",
            usage == "commercial",
            usage == "industrial",
            usage == "agricultural",
        ],
        [
            rng.lognormal(np.log(170), 0.5, n),
            rng.lognormal(np.log(2200), 0.7, n),
            rng.lognormal(np.log(6000), 0.7, n),
            rng.lognormal(np.log(1500), 0.6, n),
        ],
        rng.lognormal(np.log(2500), 0.6, n),
    )
    utilisation = rng.uniform(0.40, 0.65, n)
    load_factor = rng.uniform(0.30, 0.55, n)
    base[two_part] = (capacity * utilisation * load_factor * HOURS_PER_MONTH)[two_part]
    calendar_month = month_number(periods) % 12
    profiles = np.array([catalog.SEASONAL_PROFILES[u] for u in catalog.USAGE_TYPES])
    usage_index = np.array([catalog.USAGE_TYPES.index(u) for u in usage])
    season = profiles[usage_index][:, calendar_month]
    growth = (1 + rng.normal(0.03, 0.03, n))[:, None] ** (np.arange(m)[None, :] / 12)
    sigma = np.where(usage == "residential", 0.12, 0.08)[:, None]
    noise = np.exp(rng.normal(0.0, 1.0, (n, m)) * sigma - sigma**2 / 2)
    true_kwh = base[:, None] * season * growth * noise
    # Holiday homes: 3 % of households stand empty for one or two months (not an irregularity).
    vacant = np.flatnonzero((usage == "residential") & (rng.random(n) < 0.03))
    vacancy_start = rng.integers(0, m - 2, size=len(vacant))
    for offset in range(2):
        take = (offset == 0) | (rng.random(len(vacant)) < 0.5)
        true_kwh[vacant[take], vacancy_start[take] + offset] = 0.0
    demand = np.where(
        two_part[:, None], true_kwh / (HOURS_PER_MONTH * load_factor[:, None]), np.nan
    )
    true_kwh = np.where(active, true_kwh, 0.0)
    demand = np.where(active, demand, np.nan)

    world = World(
        rng=rng,
        periods=periods,
        month_starts=month_starts,
        price_change=m // 2,
        customer_id=customer_id,
        district=district,
        usage=usage,
        tariff=tariff,
        voltage=voltage,
        capacity=capacity,
        basis=basis,
        ct=ct,
        pt=pt,
        meter_id=meter_id,
        conn_date=conn_date,
        status=status,
        test_date=test_date,
        test_cycle=test_cycle,
        active=active,
        true_kwh=true_kwh,
        metered_kwh=true_kwh.copy(),
        demand=demand,
        tariff_billed=np.repeat(tariff[:, None], m, axis=1),
        capacity_billed=np.where(two_part[:, None] & active, capacity[:, None], np.nan),
        multiplier_billed=np.repeat((ct * pt)[:, None], m, axis=1),
        demand_factor=np.ones((n, m)),
        estimated=np.zeros((n, m), dtype=bool),
        meter_reset=np.zeros((n, m), dtype=bool),
        register_jump=np.zeros((n, m)),
        billed_share=np.ones((n, m)),
        rate_factor=np.ones((n, m)),
        busy=np.zeros(n, dtype=bool),
    )
    world.busy[vacant] = True  # their zero months would blur zero-consumption and drop labels
    _normal_orders(world, new, conn_month, closing, close_month)
    _isolated_estimates(world)
    return world


def _normal_orders(
    world: World,
    new: np.ndarray,
    conn_month: np.ndarray,
    closing: np.ndarray,
    close_month: np.ndarray,
) -> None:
    """Work orders of honest business, applied correctly to the archive and to billing."""
    rng, m = world.rng, world.n_months
    idx = np.flatnonzero(new)
    world.add_orders(
        idx,
        "new_connection",
        conn_month[idx],
        np.full(len(idx), ""),
        world.capacity[idx],
        lead_days=(10, 40),
    )
    world.busy[idx] = True
    idx = np.flatnonzero(closing)
    world.add_orders(
        idx, "closure", close_month[idx], np.full(len(idx), "active"), np.full(len(idx), "closed")
    )
    world.busy[idx] = True

    everyone = np.ones(world.n_customers, dtype=bool)
    idx = world.pick(everyone, 0.02)
    month = rng.integers(2, m - 1, size=len(idx))
    new_meters = np.array([f"MT{v:010d}" for v in rng.integers(10**9, 2 * 10**9, size=len(idx))])
    world.add_orders(idx, "meter_replacement", month, world.meter_id[idx], new_meters)
    world.meter_id[idx] = new_meters
    world.meter_reset[idx, month] = True

    two_part = world.is_two_part()
    sizes = catalog.TRANSFORMER_SIZES_KVA
    # Capacity increase: billed on the old, smaller transformer before the effective month.
    idx = world.pick(two_part & (world.capacity > sizes[0]), 0.03)
    month = rng.integers(3, m - 2, size=len(idx))
    old = sizes[np.searchsorted(sizes, world.capacity[idx]) - 1]
    world.add_orders(idx, "capacity_increase", month, old, world.capacity[idx])
    before = np.arange(m)[None, :] < month[:, None]
    scale = np.where(before, (old / world.capacity[idx])[:, None], 1.0)
    _scale_load(world, idx, scale)
    world.capacity_billed[idx] = np.where(before, old[:, None], world.capacity[idx][:, None])
    world.capacity_billed[idx] = np.where(world.active[idx], world.capacity_billed[idx], np.nan)
    # Capacity reduction: one transformer removed, load falls with it.
    idx = world.pick(two_part & (world.capacity >= 400), 0.03)
    month = rng.integers(3, m - 2, size=len(idx))
    new_capacity = smaller_size(world.capacity[idx], rng)
    world.add_orders(idx, "capacity_reduction", month, world.capacity[idx], new_capacity)
    after = np.arange(m)[None, :] >= month[:, None]
    _scale_load(world, idx, np.where(after, (new_capacity / world.capacity[idx])[:, None], 1.0))
    world.capacity_billed[idx] = np.where(
        after, new_capacity[:, None], world.capacity[idx][:, None]
    )
    world.capacity[idx] = new_capacity
    # Suspension of part of the capacity for one to five months, then resumption.
    idx = world.pick(two_part & (world.capacity >= 400), 0.05)
    suspend(world, idx, rng.integers(2, m - 7, size=len(idx)), rng.integers(1, 6, size=len(idx)))
    # Tariff change with a real change of use: a household opens a shop.
    idx = world.pick(world.usage == "residential", 0.005)
    month = rng.integers(3, m - 2, size=len(idx))
    res, com = catalog.TARIFF_CODES.index("RES"), catalog.TARIFF_CODES.index("COM")
    world.add_orders(
        idx, "tariff_change", month, np.full(len(idx), "RES"), np.full(len(idx), "COM")
    )
    world.usage[idx] = "commercial"
    world.tariff[idx] = com
    world.tariff_billed[idx] = np.where(np.arange(m)[None, :] < month[:, None], res, com)


def smaller_size(capacity: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A standard transformer size about half to two thirds of `capacity`."""
    sizes = catalog.TRANSFORMER_SIZES_KVA
    target = capacity * rng.uniform(0.45, 0.7, size=len(capacity))
    return sizes[np.clip(np.searchsorted(sizes, target) - 1, 0, len(sizes) - 1)].astype(float)


def _scale_load(world: World, idx: np.ndarray, scale: np.ndarray) -> None:
    """Scale consumption and demand of customers `idx` month by month (a change of equipment)."""
    world.true_kwh[idx] *= scale
    world.metered_kwh[idx] *= scale
    world.demand[idx] *= scale


def suspend(
    world: World, idx: np.ndarray, month: np.ndarray, length: np.ndarray, load_follows: bool = True
) -> np.ndarray:
    """Suspend part of the capacity of `idx` from `month` for `length` months (0 = never resumed).

    Returns the remaining capacity. With `load_follows`, consumption falls to fit the remaining capacity
    as it does when the sealed transformer is really off.
    """
    m = world.n_months
    remaining = smaller_size(world.capacity[idx], world.rng)
    world.add_orders(idx, "suspension", month, world.capacity[idx], remaining)
    months = np.arange(m)[None, :]
    resumed = length > 0
    end = np.where(resumed, month + length, m)
    during = (months >= month[:, None]) & (months < end[:, None])
    world.capacity_billed[idx] = np.where(during, remaining[:, None], world.capacity_billed[idx])
    if load_follows:
        factor = (remaining / world.capacity[idx])[:, None] * world.rng.uniform(
            0.6, 0.9, (len(idx), 1)
        )
        _scale_load(world, idx, np.where(during, factor, 1.0))
    if resumed.any():
        back = idx[resumed]
        world.add_orders(back, "resumption", end[resumed], remaining[resumed], world.capacity[back])
    world.status[idx[~resumed]] = "suspended"
    return remaining


def _isolated_estimates(world: World) -> None:
    """Normal estimated reads: at most two, never in consecutive months."""
    rng, m = world.rng, world.n_months
    idx = np.flatnonzero(rng.random(world.n_customers) < 0.15)
    first = rng.integers(1, m // 2 - 1, size=len(idx))
    second = first + rng.integers(3, m // 2, size=len(idx))
    world.estimated[idx, first] = True
    world.estimated[idx, np.minimum(second, m - 2)] = True
    world.estimated &= world.active

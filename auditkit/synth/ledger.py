"""Bills as a billing system computes them: itemized lines from the world's arrays.

The synthetic bills are the independent oracle a recomputation (`auditkit.billing`) is checked
against, so they are computed here with their own array code, following DOMAIN.md ("Recomputation
conventions") and the parameters of `params/billing.yaml`:

- energy: one line per time-of-use period (period kWh from the registers, flat = the rest), per tier
  reached on the tier year's cumulative kWh (single households), or one plain line; a row change
  inside the read period splits a line by read days, q_old = round(q × d_old / rd, 2);
- loss (高供低计): round(P0·T + K²·Pk·(Ap² + Aq²)/(Sn²·T)) kWh at the flat rate, T = 24 × rd;
- basic: capacity × rate, Σ day capacity / 30 in a month of change or connection; demand
  max(demand, 0.4 × capacity) + the excess over 105 % of the contract demand once more;
- pf_adjustment: the 1983 table's percentage for PF = A/√(A² + Q²) (two decimals) on energy + loss
  + basic; fund: fund_rate × (kWh + loss).

Every line is rounded half up to the fen; a bill's parts are the sums of its lines. The billing
faults the itemized rules look for are switched on by the world's fault arrays (`FAULTS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import auditkit.synth.catalog as catalog
from auditkit.billing.basic import month_share
from auditkit.billing.money import round_half_up
from auditkit.synth.schedule import (
    PERIOD_SLOTS,
    SLOT,
    TIER_SLOTS,
    RateBook,
    tariff_rows,
    voltage_class,
)
from auditkit.synth.world import World

LINE_TYPES = ("energy", "loss", "basic", "pf_adjustment", "fund")
TOU_PERIODS = ("critical", "peak", "flat", "valley")
#: Fault arrays of the world (N × M, int8) and what each code makes billing do wrong.
FAULTS = {
    "tou_fault": {1: "time-of-use customer billed at the flat rate", 2: "old schedule's rates"},
    "tier_fault": {1: "tier cumulative reset every month", 2: "tier cumulative reset in July"},
    "basic_fault": {
        1: "demand floor not applied",
        2: "excess demand not doubled",
        3: "month of change billed at the lower capacity, not prorated",
    },
    "pf_fault": {
        1: "adjustment missing",
        2: "wrong sign",
        3: "export not counted",
        4: "0.85 for 0.90",
        5: "archive 0.85 for 0.90",
        6: "archive without its standard",
    },
    "loss_fault": {1: "no loss lines", 2: "losses of the replaced, smaller transformer"},
    "fund_fault": {1: "funds missing", 2: "fund rate too low"},
}
#: Share of the fund rate billed under fund fault 2 (a surcharge left out).
FUND_WRONG_SHARE = 0.4
#: Monthly spread of the period shares and of the power factor around the customer's own.
SHARE_SPREAD, PF_SPREAD = 0.2, 0.03


@dataclass
class Ledger:
    """Bills (arrays per bill) and their lines (arrays per line, `line_bill` = the bill's position)."""

    customer: np.ndarray
    month: np.ndarray
    read_from: np.ndarray  # day numbers
    read_to: np.ndarray
    register_start: np.ndarray
    register_end: np.ndarray
    kwh: np.ndarray
    kwh_critical: np.ndarray  # NaN where not time-of-use
    kwh_peak: np.ndarray
    kwh_valley: np.ndarray
    kvarh_import: np.ndarray  # NaN without a reactive register
    kvarh_export: np.ndarray
    demand: np.ndarray
    capacity: np.ndarray
    loss_kwh: np.ndarray  # NaN unless high_low
    power_factor: np.ndarray
    energy_charge: np.ndarray
    energy_rate: np.ndarray
    basic_charge: np.ndarray
    pf_adjustment: np.ndarray
    fund_charge: np.ndarray
    amount: np.ndarray
    line_bill: np.ndarray
    line_type: np.ndarray  # index into LINE_TYPES
    line_tou: np.ndarray  # index into TOU_PERIODS, -1 = none
    line_tier: np.ndarray  # 1..3, 0 = none
    line_quantity: np.ndarray
    line_rate: np.ndarray
    line_amount: np.ndarray


def rate_book(world: World) -> RateBook:
    """The world's schedule, read back by the lookup conventions, over every day a bill can need
    (built once: the schedule is fixed when the world is)."""
    if world.book is None:
        first = int(world.month_starts[0].astype(np.int64)) - 62
        last = int(world.end_date.astype(np.int64))
        world.book = RateBook(tariff_rows(world.calendar), first, last)
    return world.book


def meter_units(world: World, rows: np.ndarray) -> np.ndarray:
    """Register advance per month (meter units, 2 decimals): the energy metered through the CT × PT
    in force that month; estimated reads caught up later."""
    units = round_half_up(world.metered_kwh[rows] / world.multiplier[rows], 2)
    billed_units = units.copy()
    carry = np.zeros(len(rows))
    last_actual = units[:, 0].copy()
    estimated_all = world.estimated[rows]
    for month in range(world.n_months):
        estimated = estimated_all[:, month]
        actual_due = units[:, month] + carry
        # Billing estimates conservatively (60 % of the last actual read) so the catch-up is positive.
        estimate = round_half_up(0.6 * last_actual, 2)
        billed_units[:, month] = np.where(estimated, estimate, np.maximum(actual_due, 0.0))
        carry = np.where(estimated, actual_due - estimate, np.minimum(actual_due, 0.0))
        last_actual = np.where(estimated | (units[:, month] == 0), last_actual, units[:, month])
    return billed_units


def compute(world: World, rows: np.ndarray | None = None, faults: bool = True) -> Ledger:
    """The bills of customers `rows` (sorted; all by default); `faults=False` bills them without the
    world's billing faults (the amounts due)."""
    rows = np.arange(world.n_customers) if rows is None else np.asarray(rows)
    book = rate_book(world)
    active = world.active[rows]
    local, month = np.nonzero(active)
    cust = rows[local]
    read_from, read_to, part_month = world.read_period(cust, month)
    read_days = read_to - read_from + 1

    units = meter_units(world, rows)
    units = np.where(active, units, 0.0)
    start, end = _registers(world, rows, units)
    kwh_matrix = round_half_up(units * world.multiplier_billed[rows] * world.billed_share[rows], 2)
    kwh = kwh_matrix[local, month]
    tariff = world.tariff_billed[cust, month]
    vclass = voltage_class(world.voltage[cust])

    n = len(cust)
    none = np.zeros(n, np.int8)
    fault = {name: getattr(world, name)[cust, month] if faults else none for name in FAULTS}

    # Period registers of time-of-use customers, reactive registers where there is a PF standard:
    # each computed on the bills that have them only (NaN elsewhere).
    tou = np.flatnonzero(world.tou[cust])
    critical, peak, valley = (
        _scatter(n, tou, part) for part in _period_kwh(world, cust[tou], month[tou], kwh[tou])
    )
    reactive = np.flatnonzero(~np.isnan(world.pf_natural[cust]))
    kvarh_import, kvarh_export = (
        _scatter(n, reactive, part)
        for part in _reactive(world, cust[reactive], month[reactive], kwh[reactive])
    )

    # Energy lines.
    tou_code = np.isin(tariff, [catalog.TARIFF_CODES.index(c) for c in catalog.TOU_CODES])
    tou_bill = world.tou[cust] & tou_code & (fault["tou_fault"] != 1)
    tier_bill = (
        (world.tier_scheme[cust] == "single")
        & (tariff == catalog.TARIFF_CODES.index("RES"))
        & ~tou_bill
    )
    bill_of, slot, quantity = _energy_candidates(
        world,
        local,
        month,
        kwh_matrix,
        kwh,
        tou_bill,
        tier_bill,
        (critical, peak, valley),
        fault["tier_fault"],
    )
    day_from, day_to = read_from[bill_of], read_to[bill_of]
    old_schedule = fault["tou_fault"][bill_of] == 2
    before_change = int(world.month_starts[world.price_change].astype(np.int64)) - 1
    day_from = np.where(old_schedule, before_change, day_from)
    day_to = np.where(old_schedule, before_change, day_to)
    keys = (tariff[bill_of], vclass[bill_of], slot)
    rate_from = book.value("energy_rate", *keys, day_from)
    rate_to = book.value("energy_rate", *keys, day_to)
    since = book.valid_from(*keys, day_to)
    split = since > day_from
    at = np.flatnonzero(split)
    first_part = quantity.copy()
    first_part[at] = round_half_up(
        quantity[at] * (since - day_from)[at] / read_days[bill_of[at]], 2
    )
    second_part = _exact(quantity[at] - first_part[at], 2)
    factor = world.rate_factor[cust, month]
    e_bill = np.concatenate([bill_of, bill_of[split]])
    e_slot = np.concatenate([slot, slot[split]])
    e_quantity = np.concatenate([first_part, second_part])
    e_rate = np.concatenate([rate_from, rate_to[at]])
    misrated = np.flatnonzero(factor[e_bill] != 1)
    e_rate[misrated] = round_half_up(e_rate[misrated] * factor[e_bill[misrated]], 4)
    e_part = np.concatenate([np.zeros(len(bill_of), np.int8), np.ones(int(split.sum()), np.int8)])
    e_amount = round_half_up(e_quantity * e_rate, 2)

    # Transformer losses of high_low customers, at the flat rate in force on read_to.
    flat_rate = book.value(
        "energy_rate", tariff, vclass, np.full(len(cust), SLOT["plain"]), read_to
    )
    high_low = np.flatnonzero(world.metering_mode[cust] == "high_low")
    loss = _scatter(
        n,
        high_low,
        _losses(
            world,
            cust[high_low],
            month[high_low],
            kwh[high_low],
            kvarh_import[high_low] + np.nan_to_num(kvarh_export[high_low]),
            read_days[high_low],
            fault["loss_fault"][high_low],
        ),
    )
    has_loss = ~np.isnan(loss)
    l_bill = np.flatnonzero(has_loss)
    l_amount = round_half_up(loss[l_bill] * flat_rate[l_bill], 2)

    # Basic charge of two-part customers.
    two_part = np.flatnonzero(world.basis[cust] != "none")
    demand = _scatter(
        n,
        two_part,
        round_half_up(
            world.demand[cust[two_part], month[two_part]]
            * world.demand_factor[cust[two_part], month[two_part]],
            1,
        ),
    )
    b_local, b_quantity, b_rate = _basic(
        world,
        book,
        cust[two_part],
        month[two_part],
        tariff[two_part],
        vclass[two_part],
        read_from[two_part],
        read_to[two_part],
        part_month[two_part],
        demand[two_part],
        fault["basic_fault"][two_part],
    )
    b_bill = two_part[b_local]
    b_amount = round_half_up(b_quantity * b_rate, 2)

    # Power-factor adjustment on energy + loss + basic, for bills with a standard.
    loss_kwh = np.nan_to_num(loss)
    assessed = np.flatnonzero(~np.isnan(world.pf_standard[cust]) & ~np.isnan(kvarh_import))
    pf_assessed, p_local, p_rate = _power_factor(
        world,
        world.pf_standard[cust[assessed]],
        kwh[assessed] + loss_kwh[assessed],
        kvarh_import[assessed],
        kvarh_export[assessed],
        fault["pf_fault"][assessed],
    )
    power_factor = _scatter(n, assessed, pf_assessed)
    p_bill = assessed[p_local]
    charged = (
        np.bincount(e_bill, e_amount, n)
        + np.bincount(l_bill, l_amount, n)
        + np.bincount(b_bill, b_amount, n)
    )
    p_quantity = round_half_up(charged[p_bill], 2)
    p_amount = round_half_up(p_quantity * p_rate, 2)

    # Funds on kWh + loss kWh.
    fund_rate = book.value("fund_rate", tariff, vclass, np.full(n, SLOT["plain"]), read_to)
    paying = np.flatnonzero((fund_rate > 0) & (fault["fund_fault"] != 1))
    paying = paying[(kwh[paying] + loss_kwh[paying]) > 0]
    f_rate = np.where(
        fault["fund_fault"][paying] == 2,
        round_half_up(fund_rate[paying] * FUND_WRONG_SHARE, 4),
        fund_rate[paying],
    )
    f_quantity = round_half_up(kwh[paying] + loss_kwh[paying], 2)
    f_bill = paying
    f_amount = round_half_up(f_quantity * f_rate, 2)

    energy = np.bincount(e_bill, e_amount, n)
    # Sums of amounts in fens: only float noise to clear (a bill has one basic, PF and fund line).
    energy_charge = _exact(energy + np.bincount(l_bill, l_amount, n), 2)
    basic_charge = np.bincount(b_bill, b_amount, n)
    pf_adjustment = np.bincount(p_bill, p_amount, n)
    fund_charge = np.bincount(f_bill, f_amount, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        average = energy_charge / kwh
    energy_rate = round_half_up(np.where(kwh > 0, average, flat_rate * factor), 4)

    line_bill = np.concatenate([e_bill, l_bill, b_bill, p_bill, f_bill])
    line_type = np.repeat(
        np.arange(len(LINE_TYPES), dtype=np.int8),
        [len(e_bill), len(l_bill), len(b_bill), len(p_bill), len(f_bill)],
    )
    tou_of_slot = np.full(len(SLOT), -1, np.int8)
    tou_of_slot[list(PERIOD_SLOTS)] = np.arange(4)
    tier_of_slot = np.zeros(len(SLOT), np.int8)
    tier_of_slot[list(TIER_SLOTS)] = np.arange(1, 4)
    others = len(line_bill) - len(e_bill)
    line_tou = np.concatenate([tou_of_slot[e_slot], np.full(others, -1, np.int8)])
    line_tier = np.concatenate([tier_of_slot[e_slot], np.zeros(others, np.int8)])
    part = np.concatenate([e_part, np.zeros(others, np.int8)])
    tou_rank = np.where(line_tou < 0, 4, line_tou)
    order = np.lexsort((part, line_tier, tou_rank, line_type, line_bill))
    return Ledger(
        customer=cust,
        month=month,
        read_from=read_from,
        read_to=read_to,
        register_start=start[local, month],
        register_end=end[local, month],
        kwh=kwh,
        kwh_critical=critical,
        kwh_peak=peak,
        kwh_valley=valley,
        kvarh_import=kvarh_import,
        kvarh_export=kvarh_export,
        demand=demand,
        capacity=world.capacity_billed[cust, month],
        loss_kwh=loss,
        power_factor=power_factor,
        energy_charge=energy_charge,
        energy_rate=energy_rate,
        basic_charge=basic_charge,
        pf_adjustment=pf_adjustment,
        fund_charge=fund_charge,
        amount=_exact(energy_charge + basic_charge + pf_adjustment + fund_charge, 2),
        line_bill=line_bill[order],
        line_type=line_type[order],
        line_tou=line_tou[order],
        line_tier=line_tier[order],
        line_quantity=np.concatenate(
            [e_quantity, loss[l_bill], b_quantity, p_quantity, f_quantity]
        )[order],
        line_rate=np.concatenate([e_rate, flat_rate[l_bill], b_rate, p_rate, f_rate])[order],
        line_amount=np.concatenate([e_amount, l_amount, b_amount, p_amount, f_amount])[order],
    )


def total_billed(world: World, customers: np.ndarray, faults: bool = True) -> np.ndarray:
    """Per customer (in the order given): Σ of its bills' amounts over the data."""
    customers = np.asarray(customers)
    bills = compute(world, np.sort(customers), faults=faults)
    order = np.argsort(customers)
    position = order[np.searchsorted(customers[order], bills.customer)]
    return _exact(np.bincount(position, bills.amount, len(customers)), 2)


def under_billed(world: World, customers: np.ndarray) -> np.ndarray:
    """Per customer: Σ over its bills of the amount due (faults off) − the amount billed."""
    due = total_billed(world, customers, faults=False)
    return _exact(due - total_billed(world, customers), 2)


def _registers(world: World, rows: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Register readings at the start and end of each month (meter units)."""
    n, m = units.shape
    start = np.zeros((n, m))
    end = np.zeros((n, m))
    register = world.register_origin[rows].copy()
    for month in range(m):
        register = np.where(
            world.meter_reset[rows, month], 0.0, register + world.register_jump[rows, month]
        )
        start[:, month] = register
        register = _exact(register + units[:, month], 2)
        end[:, month] = register
    return start, end


def _noise(cust: np.ndarray, month: np.ndarray, salt: int) -> np.ndarray:
    """A fixed pseudo-random number in [0, 1) per customer and month, from an integer hash
    (splitmix64): no generator state, and the same bits on every machine."""
    z = cust.astype(np.uint64) * np.uint64(1 << 16) + month.astype(np.uint64) * np.uint64(16)
    z = z + np.uint64(salt) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _period_kwh(
    world: World, cust: np.ndarray, month: np.ndarray, kwh: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """kWh of the critical, peak and valley registers of time-of-use bills; critical only in the
    months of a critical period."""
    calendar = world.month_numbers % 12 + 1
    critical_month = np.isin(calendar[month], catalog.CRITICAL_MONTHS)
    shares = world.tou_base[cust] * (
        1 + SHARE_SPREAD * (np.stack([_noise(cust, month, s) for s in (1, 2, 3)], axis=1) - 0.5)
    )
    shares[:, 0] *= critical_month
    return tuple(round_half_up(kwh * shares[:, i], 2) for i in range(3))


def _reactive(
    world: World, cust: np.ndarray, month: np.ndarray, kwh: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Reactive energy imported and exported (kvarh) of bills with a reactive register."""
    pf = np.clip(world.pf_natural[cust] + PF_SPREAD * (_noise(cust, month, 4) - 0.5), 0.5, 0.995)
    imported = round_half_up(kwh * np.sqrt(1 / pf**2 - 1), 2)
    return imported, round_half_up(imported * world.export_share[cust], 2)


def _energy_candidates(
    world: World,
    local: np.ndarray,
    month: np.ndarray,
    kwh_matrix: np.ndarray,
    kwh: np.ndarray,
    tou_bill: np.ndarray,
    tier_bill: np.ndarray,
    periods: tuple[np.ndarray, np.ndarray, np.ndarray],
    tier_fault: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Energy lines before any split: (bill, lookup slot, kWh), zero-kWh lines left out."""
    bills, slots, quantities = [], [], []
    tou = np.flatnonzero(tou_bill)
    critical, peak, valley = (p[tou] for p in periods)
    flat = _exact(kwh[tou] - critical - peak - valley, 2)
    for name, q in zip(TOU_PERIODS, (critical, peak, flat, valley), strict=True):
        bills.append(tou)
        slots.append(np.full(len(tou), SLOT[name]))
        quantities.append(q)
    tiered = np.flatnonzero(tier_bill)
    before = _tier_cumulative(world, local, month, kwh_matrix, tiered, tier_fault[tiered])
    after = before + kwh[tiered]
    tier_kwh = []
    for _tier, low, high, _step in catalog.TIER_BANDS:
        top = np.inf if high is None else high
        tier_kwh.append(np.maximum(np.minimum(after, top) - np.maximum(before, low), 0.0))
    tier_kwh = [_exact(q, 2) for q in tier_kwh]
    tier_kwh[-1] = _exact(kwh[tiered] - tier_kwh[0] - tier_kwh[1], 2)
    for slot, q in zip(TIER_SLOTS, tier_kwh, strict=True):
        bills.append(tiered)
        slots.append(np.full(len(tiered), slot))
        quantities.append(q)
    plain = np.flatnonzero(~tou_bill & ~tier_bill)
    bills.append(plain)
    slots.append(np.full(len(plain), SLOT["plain"]))
    quantities.append(kwh[plain])
    bill_of, slot, quantity = (np.concatenate(x) for x in (bills, slots, quantities))
    keep = quantity != 0
    return bill_of[keep], slot[keep], quantity[keep]


def _tier_cumulative(
    world: World,
    local: np.ndarray,
    month: np.ndarray,
    kwh_matrix: np.ndarray,
    tiered: np.ndarray,
    tier_fault: np.ndarray,
) -> np.ndarray:
    """kWh billed earlier in the tier year, per tiered bill (a fault resets it monthly or in July)."""
    numbers = world.month_numbers
    shifted = numbers - (world.params.tier_year_start_month - 1)
    year = shifted // 12
    first_of_year = np.searchsorted(year, year)  # index of the tier year's first data month
    calendar = numbers % 12 + 1
    july = np.where(calendar >= 7, np.arange(len(numbers)) - (calendar - 7), -1)
    half_year = np.maximum(first_of_year, july)
    before = np.concatenate([np.zeros((kwh_matrix.shape[0], 1)), np.cumsum(kwh_matrix, axis=1)], 1)
    row, k = local[tiered], month[tiered]
    origin = np.where(tier_fault == 2, half_year[k], first_of_year[k])
    cumulative = _exact(before[row, k] - before[row, origin], 2)
    return np.where(tier_fault == 1, 0.0, cumulative)


def transformer_losses(kva: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nameplate P0 and Pk (kW) of S11 transformers of `kva`, between sizes on a log-log line."""
    table = np.asarray(catalog.S11_LOSSES, dtype=float)
    log_kva = np.log(kva)
    p0 = np.exp(np.interp(log_kva, np.log(table[:, 0]), np.log(table[:, 1])))
    pk = np.exp(np.interp(log_kva, np.log(table[:, 0]), np.log(table[:, 2])))
    return round_half_up(p0, 3), round_half_up(pk, 3)


def _losses(
    world: World,
    cust: np.ndarray,
    month: np.ndarray,
    kwh: np.ndarray,
    reactive: np.ndarray,
    read_days: np.ndarray,
    loss_fault: np.ndarray,
) -> np.ndarray:
    """Loss kWh of high_low bills (average-load method, DL/T 686), NaN where none is billed."""
    params = world.params
    changed = (world.loss_change_month[cust] >= 0) & (month >= world.loss_change_month[cust])
    running = np.where(changed, world.loss_kva_after[cust], world.nameplate[cust])
    kva = np.where(loss_fault == 2, world.nameplate[cust], running)
    known = ~np.isnan(kva)
    p0, pk = transformer_losses(np.where(known, kva, 100.0))
    hours = params.hours_per_day * read_days
    reactive = np.nan_to_num(reactive)
    load = params.loss_form_factor * pk * (kwh**2 + reactive**2) / (kva**2 * hours)
    loss = round_half_up(p0 * hours + load, 0)
    return np.where(known & (loss_fault != 1), loss, np.nan)


def _basic(
    world: World,
    book: RateBook,
    cust: np.ndarray,
    month: np.ndarray,
    tariff: np.ndarray,
    vclass: np.ndarray,
    read_from: np.ndarray,
    read_to: np.ndarray,
    part_month: np.ndarray,
    demand: np.ndarray,
    basic_fault: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Basic-charge lines of the given bills: position, quantity (kVA-month or kW), rate."""
    params = world.params
    plain = np.full(len(cust), SLOT["plain"])
    kva_rate = book.value("basic_rate_kva_month", tariff, vclass, plain, read_to)
    kw_rate = book.value("basic_rate_kw_month", tariff, vclass, plain, read_to)
    capacity = world.capacity_billed[cust, month]
    # A part month is due for at most a whole month (31 days in service are not 31/30 of one).
    share = np.minimum((read_to - read_from + 1) / params.days_per_month, 1.0)
    # By capacity: Σ day capacity / 30 in a month of change (as recorded), connection or closure.
    kva = np.where(part_month, capacity * share, capacity)
    prorated = _prorated(world, cust, month)
    previous = world.capacity_billed[cust, np.maximum(month - 1, 0)]
    kva = np.where(~np.isnan(prorated), prorated, kva)
    kva = np.where((basic_fault == 3) & ~np.isnan(prorated), np.fmin(previous, capacity), kva)
    by_capacity = (world.basis[cust] == "capacity") & (kva_rate > 0) & ~np.isnan(kva)
    # By demand: max(demand, floor × capacity) + the excess over the threshold counted again.
    excess = np.maximum(demand - params.demand_excess_threshold * world.contract_demand[cust], 0)
    excess = (params.demand_excess_multiplier - 1) * np.nan_to_num(excess)
    floor = np.fmax(demand, params.demand_floor_share * capacity)
    kw = np.select([basic_fault == 1, basic_fault == 2], [demand + excess, floor], floor + excess)
    # By demand: its days calendar month by calendar month, a whole one 1 (`basic.month_share`).
    kw = kw * month_share(read_from, read_to, part_month, params.days_per_month)
    by_demand = (world.basis[cust] == "demand") & (kw_rate > 0) & ~np.isnan(kw)
    bills = np.flatnonzero(by_capacity | by_demand)
    quantity = np.where(by_capacity, kva, kw)[bills]
    rate = np.where(by_capacity, kva_rate, kw_rate)[bills]
    return bills, round_half_up(quantity, 4), rate


def _prorated(world: World, cust: np.ndarray, month: np.ndarray) -> np.ndarray:
    """The prorated capacity (kVA-month) recorded for bills in a month of change, NaN elsewhere."""
    result = np.full(len(cust), np.nan)
    table = pd.concat(world.prorated, ignore_index=True) if world.prorated else None
    if table is None or table.empty:
        return result
    keys = table["customer"].to_numpy(np.int64) * world.n_months + table["month"].to_numpy()
    keys, last = np.unique(keys[::-1], return_index=True)  # the latest record of a month holds
    values = table["quantity"].to_numpy()[::-1][last]
    wanted = cust.astype(np.int64) * world.n_months + month
    position = np.clip(np.searchsorted(keys, wanted), 0, len(keys) - 1)
    found = keys[position] == wanted
    result[found] = values[position[found]]
    return result


def _power_factor(
    world: World,
    standard: np.ndarray,
    active_kwh: np.ndarray,
    kvarh_import: np.ndarray,
    kvarh_export: np.ndarray,
    pf_fault: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Monthly PF of bills with a standard, and their adjustment lines (position, fraction)."""
    reactive = kvarh_import + np.where(pf_fault == 3, 0.0, kvarh_export)
    with np.errstate(divide="ignore", invalid="ignore"):
        pf = round_half_up(active_kwh / np.sqrt(active_kwh**2 + reactive**2), 2)
    pf = np.where(active_kwh > 0, pf, np.nan)
    standard = np.where(np.isin(pf_fault, (4, 5)) & (standard == 0.90), 0.85, standard)
    percent = np.full(len(standard), np.nan)
    points = np.rint(np.nan_to_num(pf) * 100).astype(int)
    for key, pieces in world.params.pf_tables.items():
        where = np.flatnonzero(standard == float(key))
        starts = np.array([piece.start for piece in pieces])
        index = np.searchsorted(starts, points[where], side="right") - 1
        base = np.array([piece.base for piece in pieces])[index]
        slope = np.array([piece.slope for piece in pieces])[index]
        anchor = np.array([piece.anchor for piece in pieces])[index]
        percent[where] = base + slope * (points[where] - anchor)
    fraction = round_half_up(percent, 4) / 100
    fraction = np.where(pf_fault == 2, -fraction, fraction)
    bills = np.flatnonzero(~np.isnan(fraction) & ~np.isnan(pf) & ~np.isin(pf_fault, (1, 6)))
    return pf, bills, round_half_up(fraction[bills], 6)


def _exact(values: np.ndarray, decimals: int) -> np.ndarray:
    """Sums and differences of values already on the grid of `decimals`, with the float noise of
    the arithmetic cleared (no value is halfway between two steps, so this is not a rounding)."""
    return np.round(values, decimals)


def _scatter(n: int, where: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`values` placed at positions `where` of an array of `n` NaN."""
    result = np.full(n, np.nan)
    result[where] = values
    return result

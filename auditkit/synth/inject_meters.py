"""Irregularities of the practice checks (meters), injected into the honest utility and recorded in
`truth` (see `auditkit.synth.irregular`).

- `meter_change_energy_lost`: a meter replaced with its order, whose old meter's final read is
  beyond the last billed read (the energy it recorded after it was never billed), or whose new
  meter had already recorded energy before its first billed read.
- `meter_error_backbill`: the latest periodic test finds the meter out of tolerance, slow (the
  bills of half the time since the previous test really under-metered by that error) or fast.
- `meter_event_unresolved`: a meter cover opened or a current lost, lasting days (or an alarm
  repeated within weeks), the meter recording 20-55 % of the energy from then on, and nobody
  inspecting it since (`render.UNINSPECTED`). Its honest look-alike `meter_event_inspected`: a
  lasting alarm after which use really falls for two months, inspected the month after it
  (`render.INSPECTED_LOOKALIKES`).

The revenue effects follow the rules' conventions: the energy lost at the flat rate due on the
month's last day (read from the schedule as the ledger reads it), the legal back-bill of a slow
meter from the rendered bills, and for tampering the energy unmetered at the rate due (estimated).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

import auditkit.synth.catalog as catalog
from auditkit.billing.money import round_half_up
from auditkit.periods import month_end_days
from auditkit.synth.ledger import meter_units, rate_book
from auditkit.synth.network import read_by_hand
from auditkit.synth.schedule import SLOT, TIER_SLOTS, voltage_class
from auditkit.synth.world import World

#: Share of the eligible customers that receive each irregularity.
DEFAULT_RATES: dict[str, float] = {
    "meter_change_energy_lost": 0.0022,  # of customers billed every month
    "meter_error_backbill": 0.013,  # of customers with a periodic meter test
    "meter_event_unresolved": 0.0022,  # of customers billed every month
}
#: Energy lost at a replacement, in months of the customer's metered energy; at least this many
#: meter units (well above the rule's read tolerance).
LOST_MONTHS, MIN_LOST_UNITS = (0.5, 2.0), 2.0
#: Error of a meter found out of tolerance (%): slow ones (most), fast ones.
SLOW_ERROR, FAST_ERROR, FAST_SHARE = (-6.0, -2.5), (2.5, 5.0), 0.3
#: Share of the energy a tampered meter still records; days a lasting alarm stays on (a third
#: are never cleared); alarms of a repeated one, within how many days.
TAMPERED_KEPT = (0.2, 0.55)
LASTING_DAYS, NEVER_CLEARED_SHARE = (2, 21), 1 / 3
REPEATS, REPEAT_DAYS, REPEATED_SHARE = (3, 6), 20, 0.3
#: Share of the customers billed every month made into the look-alike, and the share of its
#: energy it keeps for the two months after its alarm (the business really shrank).
INSPECTED_SHARE, INSPECTED_KEPT = 0.01, (0.4, 0.6)
LASTING_EVENTS = ("cover_open", "current_loss")
REPEATED_EVENTS = ("voltage_loss", "current_loss")


def _billed_every_month(world: World) -> np.ndarray:
    return world.active.all(axis=1) & (world.status == "active")


def _rate_due(
    world: World, customers: np.ndarray, months: np.ndarray, rate: str = "energy_rate"
) -> np.ndarray:
    """The schedule's flat `rate` of the tariff billed, in force on the month's last day (as
    the rules price unbilled energy: `RuleContext.energy_rate_due_or_billed`, `fund_rate_due`)."""
    day = month_end_days(world.month_numbers[months]).astype(np.int64)
    tariff = world.tariff_billed[customers, months]
    slot = np.full(len(customers), SLOT["plain"])
    return rate_book(world).value(rate, tariff, voltage_class(world.voltage[customers]), slot, day)


def fund_rate_due(world: World, customers: np.ndarray, months: np.ndarray) -> np.ndarray:
    """The funds collected on every kWh sold (政府性基金及附加), a kWh back-billed too: the
    schedule's fund rate of the tariff billed, 0 where the tariff has none."""
    return np.nan_to_num(_rate_due(world, customers, months, "fund_rate"))


def back_billed_energy(
    world: World,
    customers: np.ndarray,
    months: np.ndarray,
    kwh: np.ndarray,
    flat_rate: np.ndarray | None = None,
) -> np.ndarray:
    """The energy charge of `kwh` back-billed at the bills (customer, month), as the rules price
    back-billed kWh (`auditkit.rules.tier_energy`): a single household on RES by its tiers, the
    kWh put on top of the kWh its tier year billed up to and including the month and of those
    back-billed before them in the year (earlier months, then earlier entries), one amount per
    tier to the fen (rates in force on read_to); any other × `flat_rate` (default the flat row
    of the tariff billed in force on the month's last day, `_rate_due`; a shared meter's 合表
    price included)."""
    rate = _rate_due(world, customers, months) if flat_rate is None else flat_rate
    money = kwh * rate
    book = rate_book(world)
    tariff = world.tariff_billed[customers, months]
    vclass = voltage_class(world.voltage[customers])
    tiered = np.flatnonzero(
        (world.tier_scheme[customers] == "single") & (tariff == catalog.TARIFF_CODES.index("RES"))
    )
    if not len(tiered):
        return money
    tiered = tiered[np.lexsort((months[tiered], customers[tiered]))]
    cust, month = customers[tiered], months[tiered]
    units = np.where(world.active[cust], meter_units(world, cust), 0.0)
    billed = round_half_up(units * world.multiplier_billed[cust] * world.billed_share[cust], 2)
    year = (world.month_numbers - (world.params.tier_year_start_month - 1)) // 12
    same_year = (year[None, :] == year[month][:, None]) & (
        np.arange(world.n_months)[None, :] <= month[:, None]
    )
    before = (billed * same_year).sum(axis=1)
    added = kwh[tiered]
    group = np.ones(len(tiered), dtype=bool)
    group[1:] = (cust[1:] != cust[:-1]) | (year[month][1:] != year[month][:-1])
    earlier = np.cumsum(added) - added
    earlier -= np.repeat(earlier[group], np.diff(np.append(np.flatnonzero(group), len(tiered))))
    before += earlier
    read_to = world.read_period(cust, month)[1]
    tier_money = np.zeros(len(tiered))
    for slot, (_tier, low, high, _step) in zip(TIER_SLOTS, catalog.TIER_BANDS, strict=True):
        top = np.inf if high is None else high
        part = np.clip(before + added, low, top) - np.clip(before, low, top)
        rate = book.value(
            "energy_rate", tariff[tiered], vclass[tiered], np.full(len(tiered), slot), read_to
        )
        tier_money += round_half_up(np.round(part, 4) * rate, 2)
    money[tiered] = tier_money
    return money


def _month_of(world: World, frame: pd.DataFrame) -> np.ndarray:
    index = {period: month for month, period in enumerate(world.periods)}
    return frame["period"].astype(str).map(index).to_numpy()


def meter_change_energy_lost(world: World, rate: float) -> None:
    """A replacement whose old meter's final read is above the last billed end register (half),
    or whose new meter ran before its first billed read, its registers all higher by that much."""
    m = world.n_months
    idx = world.pick(_billed_every_month(world), rate)
    if not len(idx):  # a small utility may have none eligible
        return
    month = world.rng.integers(3, m - 1, size=len(idx))
    world.replace_meter(idx, month)
    monthly = world.metered_kwh[idx].mean(axis=1)
    old_meter = np.arange(len(idx)) % 2 == 0
    multiplier = world.multiplier_billed[idx, np.where(old_meter, month - 1, month)]
    units = monthly * world.rng.uniform(*LOST_MONTHS, len(idx)) / multiplier
    units = np.round(np.maximum(units, MIN_LOST_UNITS), 2)
    lost_kwh = units * multiplier
    world.true_kwh[idx, month] += lost_kwh  # used, recorded by a meter, never billed
    # As the rule prices them: the old meter's remainder ran from the day after the previous
    # month's read to the swap (the 1st): in that month on a meter read on the 25th; on one read
    # on the month's last day, the swap day's. A household on tiers by its tiers.
    after_read = world.read_period(idx, month - 1)[1] + 1
    month_start = world.month_starts[month].astype("datetime64[D]").astype(np.int64)
    used = np.where(old_meter & (after_read < month_start), month - 1, month)
    funds = round_half_up(lost_kwh * fund_rate_due(world, idx, used), 2)
    effect = back_billed_energy(world, idx, month, lost_kwh, _rate_due(world, idx, used)) + funds
    ids = world.customer_id[idx]
    effective = world.month_starts[month]

    def lose_energy(tables: dict[str, pd.DataFrame]) -> None:
        orders = tables["work_orders"]
        keys = pd.MultiIndex.from_arrays([ids, effective.astype("datetime64[ns]")])
        found = pd.MultiIndex.from_arrays(
            [orders["customer_id"].astype(str), orders["effective_date"]]
        )
        replaced = (orders["order_type"] == "meter_replacement").to_numpy()
        position = keys.get_indexer(found)
        at = np.flatnonzero(replaced & (position >= 0))
        chosen = position[at]
        old = old_meter[chosen]
        column = orders.columns.get_loc("old_final_read")
        orders.iloc[at[old], column] = orders.iloc[at[old], column] + units[chosen[old]]
        bills = tables["bills"]
        shifted = np.zeros(len(idx))
        shifted[~old_meter] = units[~old_meter]
        customer = pd.Index(ids).get_indexer(bills["customer_id"].astype(str))
        later = (customer >= 0) & (_month_of(world, bills) >= month[np.maximum(customer, 0)])
        shift = np.where(later, shifted[np.maximum(customer, 0)], 0.0)
        for register in ("register_start", "register_end"):
            bills[register] = np.round(bills[register].to_numpy(float) + shift, 2)

    world.table_edits.append(lose_energy)
    world.add_truth(
        idx,
        "meter_change_energy_lost",
        month,
        effect,
        np.where(
            old_meter, "old meter's final read not billed", "new meter's first read below"
        ).astype(object),
    )


def meter_error_backbill(world: World, rate: float) -> None:
    """The latest periodic test finds the meter out of tolerance: slow (most) or fast, since
    half the time since the previous test, over which the bills really recorded that error."""
    tested = ~np.isnan(world.test_cycle) & ~np.isnat(world.test_date)
    idx = world.pick(tested & _billed_every_month(world), rate)
    if not len(idx):
        return
    fast = world.rng.random(len(idx)) < FAST_SHARE
    error = np.round(
        np.where(
            fast,
            world.rng.uniform(*FAST_ERROR, len(idx)),
            world.rng.uniform(*SLOW_ERROR, len(idx)),
        ),
        2,
    )
    test = world.test_date[idx]
    # The previous periodic test as rendered (render.meter_tests_table), else the connection.
    cycle_days = np.round(world.test_cycle[idx] * 30.4).astype(int).astype("timedelta64[D]")
    previous = test - cycle_days
    earliest = np.maximum(world.month_starts[0] - cycle_days, world.conn_date[idx])
    since = np.where(previous >= earliest, previous, world.conn_date[idx])
    half = ((test - since) // np.timedelta64(1, "D")) // 2
    start = test - half.astype("timedelta64[D]")
    months = np.arange(world.n_months)
    customers = np.repeat(idx, world.n_months)
    read_from, read_to, _ = world.read_period(customers, np.tile(months, len(idx)))
    read_from, read_to = read_from.reshape(len(idx), -1), read_to.reshape(len(idx), -1)
    first, last = start.astype(np.int64)[:, None], test.astype(np.int64)[:, None] - 1
    inside = (read_to >= first) & (read_from <= last)
    world.metered_kwh[idx] *= np.where(inside, 1 + error[:, None] / 100, 1.0)
    ids = world.customer_id[idx]

    def fail_tests(tables: dict[str, pd.DataFrame]) -> None:
        tests = tables["meter_tests"]
        keys = pd.MultiIndex.from_arrays([ids, test.astype("datetime64[ns]")])
        position = keys.get_indexer(
            pd.MultiIndex.from_arrays([tests["customer_id"].astype(str), tests["tested_at"]])
        )
        at = np.flatnonzero(position >= 0)
        tests.iloc[at, tests.columns.get_loc("error_pct")] = error[position[at]]
        world.add_truth(
            idx,
            "meter_error_backbill",
            np.searchsorted(world.month_starts, start, side="right") - 1,
            _legal_backbill(world, tables, ids, start, test, error),
            np.where(fast, "meter fast", "meter slow").astype(object),
        )

    world.table_edits.append(fail_tests)


def _legal_backbill(
    world: World,
    tables: dict[str, pd.DataFrame],
    ids: np.ndarray,
    start: np.ndarray,
    test: np.ndarray,
    error: np.ndarray,
) -> np.ndarray:
    """Per customer: the back-bill 供电营业规则 art. 80 gives, from the rendered bills: the kWh
    of the read days in [start, test) × (−error)/(100 + error) at the rate due (0 when fast),
    plus the funds on them, as `meter_error_backbill` prices it. The rate due of a bill by
    time-of-use periods is its own period lines' (Σ kWh × rate / Σ kWh: a slow meter
    under-records every period alike), of another bill the flat rate due; the power-factor
    adjustment of a bill moves with the energy back-billed (its line's percentage on its base
    plus that energy, less on its base, each rounded to the fen)."""
    bills = tables["bills"]
    customer = pd.Index(ids).get_indexer(bills["customer_id"].astype(str))
    own = np.flatnonzero(customer >= 0)
    which = customer[own]
    read_from = bills["read_from"].to_numpy(dtype="datetime64[D]")[own].astype(np.int64)
    read_to = bills["read_to"].to_numpy(dtype="datetime64[D]")[own].astype(np.int64)
    first = np.maximum(read_from, start.astype(np.int64)[which])
    last = np.minimum(read_to, test.astype(np.int64)[which] - 1)
    share = np.maximum(last - first + 1, 0) / (read_to - read_from + 1)
    months = _month_of(world, bills.iloc[own])
    cust = pd.Index(world.customer_id).get_indexer(ids)[which]
    keys = pd.MultiIndex.from_arrays(
        [
            bills["customer_id"].astype(str).to_numpy()[own],
            bills["period"].astype(str).to_numpy()[own],
        ]
    )
    period_rate, pf_rate, pf_base = _bill_line_rates(tables["bill_lines"], ids, keys)
    rate = np.where(np.isnan(period_rate), _rate_due(world, cust, months), period_rate)
    kwh = bills["kwh_billed"].to_numpy(float)[own] * share
    correction = (-error / (100 + error))[which]
    energy = kwh * rate * correction
    adjusted = ~np.isnan(pf_rate) & (kwh > 0)
    moved = np.where(
        adjusted,
        round_half_up(np.nan_to_num(pf_rate * (pf_base + energy)))
        - round_half_up(np.nan_to_num(pf_rate * pf_base)),
        0.0,
    )
    money = energy + kwh * fund_rate_due(world, cust, months) * correction + moved
    return np.maximum(np.bincount(which, money, len(ids)), 0.0)


def _bill_line_rates(
    lines: pd.DataFrame, ids: np.ndarray, keys: pd.MultiIndex
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bill of `keys` (customer, period), from its rendered lines: the rate of its
    time-of-use energy lines (Σ kWh × rate / Σ kWh; NaN: not by periods), and its power-factor
    adjustment line's percentage and base (NaN: none)."""
    lines = lines[lines["customer_id"].astype(str).isin(ids)]
    at = keys.get_indexer(
        pd.MultiIndex.from_arrays(
            [lines["customer_id"].astype(str).to_numpy(), lines["period"].astype(str).to_numpy()]
        )
    )
    kind = lines["line_type"].astype(str).to_numpy()
    quantity = lines["quantity"].to_numpy(dtype=float)
    rate = lines["rate"].to_numpy(dtype=float)
    timed = (kind == "energy") & lines["tou_period"].notna().to_numpy() & (at >= 0)
    kwh = np.bincount(at[timed], quantity[timed], len(keys))
    value = np.bincount(at[timed], quantity[timed] * rate[timed], len(keys))
    period_rate = np.full(len(keys), np.nan)
    np.divide(value, kwh, out=period_rate, where=kwh > 0)
    pf = np.flatnonzero((kind == "pf_adjustment") & (at >= 0))
    pf_rate, pf_base = np.full(len(keys), np.nan), np.full(len(keys), np.nan)
    pf_rate[at[pf]], pf_base[at[pf]] = rate[pf], quantity[pf]
    return period_rate, pf_rate, pf_base


def meter_event_unresolved(world: World, rate: float) -> None:
    """Tampering the collection system saw and nobody checked: a meter cover opened or a current
    lost for days (or never cleared), or an alarm repeated within weeks; from then on the meter
    records 20-55 % of the energy (partly in the alarm's month). consumption_drop sees the fall
    too but leaves it to this rule (`Rule.left_to`): labelled once, here. First the honest
    look-alike, `meter_event_inspected`. Only a meter read remotely sends alarms (one read by
    hand has no terminal)."""
    _meter_event_inspected(world)
    m, rng = world.n_months, world.rng
    idx = world.pick(_billed_every_month(world) & ~read_by_hand(world), rate)
    if not len(idx):
        return
    month = rng.integers(m - 12, m - 3, size=len(idx))
    day = rng.integers(0, 27, size=len(idx))
    at = _moments(world, month, day)
    kept = rng.uniform(*TAMPERED_KEPT, len(idx))
    records_less_from(world, idx, month, day, kept)
    lost = world.true_kwh[idx] - world.metered_kwh[idx]
    # Each month's kWh lost at its rate; a household on tiers by its tiers, as the rule prices.
    money = back_billed_energy(
        world, np.repeat(idx, m), np.tile(np.arange(m), len(idx)), lost.ravel()
    )
    effect = money.reshape(len(idx), m).sum(axis=1)
    repeated = rng.random(len(idx)) < REPEATED_SHARE
    never_cleared = rng.random(len(idx)) < NEVER_CLEARED_SHARE
    _raise(world, _alarms(world, idx, at, repeated, never_cleared))
    detail = np.where(repeated, "alarm repeated", "alarm lasting").astype(object)
    detail = detail + ", meter records " + np.char.mod("%.0f%%", kept * 100).astype(object)
    alarm_day = world.month_starts[month] + day.astype("timedelta64[D]")
    world.add_truth(idx, "meter_event_unresolved", month, effect, detail, from_date=alarm_day)


def records_less_from(
    world: World, idx: np.ndarray, month: np.ndarray, day: np.ndarray, kept: np.ndarray
) -> None:
    """From day `day` (0 = the first) of `month` on, the meters of `idx` record `kept` of the
    energy used (theft, tampering): the month of the change in part, its days before at the full
    level and from the day at `kept` (its bill is the sum of its days), the months after at `kept`.
    Its maximum demand came before the day (unless the change began on the first), so the demand
    falls from the month after. Reads from then on are real, not estimated; the daily reads
    change level on the day (`World.level_changes`)."""
    days_in = world.days_in_month[month]
    months = np.arange(world.n_months)[None, :]
    share = np.where(months > month[:, None], kept[:, None], 1.0)
    share[np.arange(len(idx)), month] = 1 - (1 - kept) * (days_in - day) / days_in
    changed = months >= month[:, None]
    world.metered_kwh[idx] = np.where(changed, world.true_kwh[idx] * share, world.metered_kwh[idx])
    demand_share = np.where(months > month[:, None] - (day == 0)[:, None], kept[:, None], 1.0)
    world.demand[idx] *= demand_share
    world.estimated[idx] &= ~changed
    first_day = world.month_starts[month] + day.astype("timedelta64[D]")
    world.level_changes.append(pd.DataFrame({"customer": idx, "date": first_day, "kept": kept}))


def _moments(world: World, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Alarm times: `day` days into `month`, at a random second of the day."""
    seconds = world.rng.integers(0, 86400, len(month)).astype("timedelta64[s]")
    start = (world.month_starts[month] + day.astype("timedelta64[D]")).astype("datetime64[s]")
    return start + seconds


def _raise(world: World, alarms: pd.DataFrame) -> None:
    """Add `alarms` to the rendered meter_events, in the table's order."""

    def raise_alarms(tables: dict[str, pd.DataFrame]) -> None:
        events = pd.concat([tables["meter_events"], alarms], ignore_index=True)
        tables["meter_events"] = events.sort_values(["event_at", "customer_id"], ignore_index=True)

    world.table_edits.append(raise_alarms)


def _alarms(
    world: World,
    customers: np.ndarray,
    at: np.ndarray,
    repeated: np.ndarray,
    never_cleared: np.ndarray,
) -> pd.DataFrame:
    """meter_events rows: one lasting alarm per customer (cleared after days, or never), or for
    the `repeated` a few short ones within `REPEAT_DAYS` days of the first."""
    rng = world.rng
    lasting = customers[~repeated]
    hold = rng.integers(*LASTING_DAYS, len(lasting)) * 86400 + rng.integers(0, 86400, len(lasting))
    cleared = at[~repeated] + hold.astype("timedelta64[s]")
    cleared[never_cleared[~repeated]] = np.datetime64("NaT")
    count = rng.integers(*REPEATS, int(repeated.sum()))
    again = np.repeat(customers[repeated], count)
    first = np.repeat(at[repeated], count)
    offset = rng.integers(0, REPEAT_DAYS * 86400, len(again))
    offset[np.cumsum(count) - count] = 0  # each customer's first alarm at its moment
    when = first + offset.astype("timedelta64[s]")
    short = rng.integers(1800, 6 * 3600, len(again)).astype("timedelta64[s]")
    frame = pd.DataFrame(
        {
            "customer": np.concatenate([lasting, again]),
            "event_at": np.concatenate([at[~repeated], when]),
            "event": np.concatenate(
                [
                    np.asarray(LASTING_EVENTS, dtype=object)[rng.integers(0, 2, len(lasting))],
                    np.asarray(REPEATED_EVENTS, dtype=object)[rng.integers(0, 2, len(again))],
                ]
            ),
            "cleared_at": np.concatenate([cleared, when + short]),
        }
    )
    return pd.DataFrame(
        {
            "customer_id": world.customer_id[frame["customer"].to_numpy()],
            "meter_id": world.meter_id[frame["customer"].to_numpy()],
            "event_at": frame["event_at"].to_numpy(dtype="datetime64[s]"),
            "event": frame["event"].to_numpy(dtype=object),
            "cleared_at": frame["cleared_at"].to_numpy(dtype="datetime64[s]"),
        }
    )


def _meter_event_inspected(world: World) -> None:
    """The honest look-alike: a lasting alarm three months before the export, after which the
    business really uses less for the two months left; a self-audit inspects the meter the month
    after the alarm and finds it right (`render.INSPECTED_LOOKALIKES`)."""
    m, rng = world.n_months, world.rng
    idx = world.pick(_billed_every_month(world) & ~read_by_hand(world), INSPECTED_SHARE)
    if not len(idx):
        return
    month = np.full(len(idx), m - 3)
    at = _moments(world, month, rng.integers(0, 27, size=len(idx)))
    after = np.arange(m)[None, :] > month[:, None]
    kept = np.where(after, rng.uniform(*INSPECTED_KEPT, (len(idx), 1)), 1.0)
    world.true_kwh[idx] *= kept
    world.metered_kwh[idx] *= kept
    world.demand[idx] *= kept
    none = np.zeros(len(idx), dtype=bool)
    _raise(world, _alarms(world, idx, at, repeated=none, never_cleared=none))
    world.lookalikes.append(
        pd.DataFrame({"customer": idx, "kind": "meter_event_inspected", "from_month": month})
    )


INJECTORS: dict[str, Callable[[World, float], None]] = {
    "meter_change_energy_lost": meter_change_energy_lost,
    "meter_error_backbill": meter_error_backbill,
    "meter_event_unresolved": meter_event_unresolved,
}

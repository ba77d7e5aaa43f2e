"""Energy lines due: the kWh due of each bill priced at the tariff in force.

- A bill of a time-of-use customer (customers.tou) on a tariff with period rows (peak or valley)
  in force gets one line per period. The period kWh are the
  bill's period registers (bills.kwh_critical / kwh_peak / kwh_valley, flat = the rest) scaled by
  multiplier due / multiplier billed and rounded to 0.01 kWh; without registers, the billed period lines (bill_lines) scaled
  the same way; with neither, the kWh due split by the `tou_profile` shares, lines marked estimated.
  Registers (or billed period lines) adding up, so scaled, to more than the kWh due would leave a negative
  flat period: they count as missing, so such a bill proves no time-of-use difference.
- A single-household residential bill (tier_scheme "single") on a tariff with tier rows fills the
  tier bands of the tier year from the kWh due of the customer's earlier bills that year: one line
  per tier it reaches (发改价格〔2011〕2617号).
- Any other bill (a shared meter included) gets one line at the row without period and tier.
Each line's rate is the row in force on read_to; where rows of other rates were in force on earlier
days of the read period (one price change or several), the line is split by read days: each older
rate's part q_i = round(q × d_i / rd, 2), the rate on read_to the rest. Amounts are rounded half up to the fen, line by line.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from auditkit.billing.bill_frame import NO_PERIOD, coded_lines, register_scale, texts_at
from auditkit.billing.money import round_half_up
from auditkit.billing.params import TOU_PERIODS, BillingParams
from auditkit.billing.tariff_lookup import (
    NO_DAY,
    TariffLookup,
    day_numbers,
    first_rows,
)
from auditkit.data import Dataset
from auditkit.data.itemized_checks import periods_exceed

#: Periods read from registers; flat is what they leave of the total.
REGISTERS = {"critical": "kwh_critical", "peak": "kwh_peak", "valley": "kwh_valley"}
#: The multipliers due and billed, whose ratio scales billed period kWh.
MULTIPLIERS = ("multiplier_due", "multiplier_billed")
#: Period names by period code (NO_PERIOD: none).
PERIOD_NAMES = np.array([*TOU_PERIODS, None], dtype=object)
#: Tier kWh are counted in 1/TIER_UNITS kWh (meter registers × multipliers have fewer decimals).
TIER_UNITS = 10_000
#: The kWh of a bill counted in a tier year's sum at most (10^17 TIER_UNITS: a year of 12 such
#: bills still fits int64). Past every band's end (tier_to_kwh is below 10^12 kWh), so a year
#: beyond it fills the top band whatever its exact sum; only registers × a multiplier far out
#: of the archive (no meter reads 10^13 kWh a month) reach it.
_KWH_COUNTED = 1e13
#: A line's (period, tier) pair is period × _PAIR_TIERS + tier (tiers are int8 codes).
_PAIR_TIERS = 128
#: A bill frame's column holding, per bill, the kWh due of its customer's earlier bills of its
#: tier year in TIER_UNITS (`tier_year_before`), where the frame holds some bills without those
#: earlier ones: a bill's rows on the old tariff of a change inside its read period.
TIER_YEAR_BEFORE = "tier_year_units_before"


def priced_energy(
    bills: pd.DataFrame,
    dataset: Dataset,
    lookup: TariffLookup,
    params: BillingParams,
    billed: dict[str, np.ndarray] | None = None,
) -> list[dict[str, np.ndarray]]:
    """The energy lines due of the prepared bill frame `bills`, as arrays without texts: bill,
    period (position in TOU_PERIODS, NO_PERIOD for none), tier (0 for none), quantity, rate,
    amount, estimated; in two parts, the lines at the rate in force on read_to, then the parts
    at the old rate of the lines split by read days (millions of lines are not copied into one
    array for the few split). `billed`, when the caller has it, is
    `bill_frame.coded_lines(bills, dataset.bill_lines)`, saving a second pass over millions of
    lines."""
    if billed is None and dataset.bill_lines is not None:
        billed = coded_lines(bills, dataset.bill_lines)
    kwh = bills["kwh_due"].to_numpy(dtype=float)
    # tariff_query numbers the bills' questions 0..count−1: each is asked once, by the first bill
    # asking it, and every bill reads its question's answer.
    query = bills["tariff_query"].to_numpy(dtype=np.int64)
    ask = first_rows(query, int(query.max()) + 1 if len(query) else 0)
    asked = (
        texts_at(bills["tariff_due"], ask),
        bills["read_to"].to_numpy()[ask].astype("datetime64[D]"),
        bills["voltage_kv"].to_numpy(dtype=float)[ask],
    )
    # A time-of-use customer on a tariff without period rows then is priced flat.
    periods = np.zeros(len(ask), dtype=bool)
    for period in ("peak", "valley"):
        periods |= lookup.row(*asked, period, fallback=False) >= 0
    tou = bills["tou"].to_numpy(dtype=bool) & periods[query]
    # Tier bands only for single-household bills, which are tiered where their tariff has tier
    # rows in force.
    single = ~tou & bills["tier_scheme"].eq("single").to_numpy(dtype=bool)
    bands = {}
    tiered = np.zeros(0, dtype=np.int64)
    if lookup.tiers and single.any():
        tier_rows = lookup.tier_bands(*asked)
        # Bills whose tariff has its first tier in force are tiered; the band ends (the rates
        # are the lines' own, looked up when they are priced) are spread to those bills only.
        tiered = np.flatnonzero(single & np.isfinite(tier_rows[min(tier_rows)][2])[query])
        question = query[tiered]
        bands = {
            tier: ((low * TIER_UNITS)[question], (high * TIER_UNITS)[question])
            for tier, (low, high, _) in tier_rows.items()
        }
    plain = np.ones(len(bills), dtype=bool)
    plain[tiered] = False
    plain = np.flatnonzero(plain & ~tou)
    parts = [_lines(plain, NO_PERIOD, 0, kwh[plain], False)]
    parts += _tou_lines(bills, dataset, lookup, params, np.flatnonzero(tou), billed)
    parts += _tier_lines(bills, params, bands, tiered)
    base = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    del parts  # millions of lines: not twice in memory while they are priced
    return _priced(base, bills, lookup, ask)


def _lines(
    bill: np.ndarray, period: int, tier: object, quantity: np.ndarray, estimated: object
) -> dict[str, np.ndarray]:
    n = len(bill)
    return {
        "bill": np.asarray(bill, dtype=np.int64),
        "period": np.full(n, period, dtype=np.int8),
        "tier": np.broadcast_to(np.asarray(tier, dtype=np.int8), (n,)),
        "quantity": np.asarray(quantity, dtype=float),
        "estimated": np.broadcast_to(np.asarray(estimated, dtype=bool), (n,)),
    }


def _tou_lines(
    bills: pd.DataFrame,
    dataset: Dataset,
    lookup: TariffLookup,
    params: BillingParams,
    rows: np.ndarray,
    billed: dict[str, np.ndarray] | None,
) -> list[dict[str, np.ndarray]]:
    """One line per period for the time-of-use bills `rows`."""
    if not len(rows):
        return []
    estimated = bills["read_type"].iloc[rows].eq("estimated").to_numpy(dtype=bool)
    due, billed_multiplier = (bills[c].to_numpy(dtype=float)[rows] for c in MULTIPLIERS)
    scale = register_scale(estimated, due, billed_multiplier)
    kwh = bills["kwh_due"].to_numpy(dtype=float)[rows]
    registers = np.column_stack([bills[c].to_numpy(dtype=float)[rows] for c in REGISTERS.values()])
    # Registers adding up to more than the kWh due (at the multiplier due) leave a negative flat
    # period: they prove no split, and are read as missing. Not against the kWh billed: on a bill
    # billed short of its meter the registers still split the kWh due.
    registers[periods_exceed(registers * scale[:, None], kwh)] = np.nan
    known = ~np.isnan(registers).all(axis=1)  # by registers, else by billed period lines
    # Bills without registers read their billed period lines (only theirs are summed), unless
    # those too exceed the kWh due.
    without = np.flatnonzero(~known)
    quantities_billed = dataset.bill_lines is not None and "quantity" in dataset.bill_lines
    from_lines = _billed_periods(bills, rows[without], billed if quantities_billed else None)
    found = ~np.isnan(from_lines).all(axis=1) & ~periods_exceed(
        from_lines * scale[without, None], kwh[without]
    )
    registers[without[found]] = from_lines[found]
    known[without[found]] = True
    # Each period's kWh to 0.01 kWh, as a bill line shows it (a multiplier of 4/5: 873.325).
    quantities = {
        period: round_half_up(np.nan_to_num(registers[:, i]) * scale, 2)
        for i, period in enumerate(REGISTERS)
    }
    # Neither registers nor billed period lines: the profile's shares, of periods the tariff prices.
    guessed = np.flatnonzero(~known)
    if len(guessed):
        at = rows[guessed]
        category = texts_at(bills["tariff_due"], at)
        read_to = bills["read_to"].to_numpy()[at].astype("datetime64[D]")
        volts = bills["voltage_kv"].to_numpy(dtype=float)[at]
        for period in REGISTERS:
            priced = np.isfinite(lookup.rate(category, read_to, volts, tou_period=period))
            share = np.where(priced, params.tou_profile[period], 0.0)
            quantities[period][guessed] = round_half_up(kwh[guessed] * share, 2)
    quantities["flat"] = round_half_up(kwh - sum(quantities[p] for p in REGISTERS), 2)
    lines = []
    for code, period in enumerate(TOU_PERIODS):
        keep = (quantities[period] != 0) | (period == "flat")
        lines.append(_lines(rows[keep], code, 0, quantities[period][keep], ~known[keep]))
    return lines


def registers_exceeding(bills: pd.DataFrame) -> np.ndarray:
    """Per bill of the prepared frame `bills`, whether its period registers, at the multiplier
    due, exceed its kWh due (`periods_exceed`), as `_tou_lines` reads them: its time-of-use
    split is then read from its billed period lines, else from the tou_profile (estimated)."""
    estimated = bills["read_type"].eq("estimated").to_numpy(dtype=bool)
    scale = register_scale(estimated, *(bills[c].to_numpy(dtype=float) for c in MULTIPLIERS))
    registers = np.column_stack([bills[c].to_numpy(dtype=float) for c in REGISTERS.values()])
    return periods_exceed(registers * scale[:, None], bills["kwh_due"].to_numpy(dtype=float))


def _billed_periods(
    bills: pd.DataFrame, rows: np.ndarray, billed: dict[str, np.ndarray] | None
) -> np.ndarray:
    """Per bill of `rows`, the billed kWh of each register period (critical, peak, valley) from
    its energy lines with a period (NaN where the bill has no such lines)."""
    result = np.full((len(rows), len(REGISTERS)), np.nan)
    if billed is None or not len(rows):
        return result
    periodic = np.flatnonzero((billed["line_type"] == 0) & (billed["period"] != NO_PERIOD))
    if not len(periodic):
        return result
    position = np.full(len(bills) + 1, -1, dtype=np.int64)  # the last answers bill −1
    position[rows] = np.arange(len(rows))
    at = position[billed["bill"][periodic]]
    # A bill of `rows` with period lines: periods without one billed nothing (the last entry
    # answers lines of other bills).
    has = np.zeros(len(rows) + 1, dtype=bool)
    has[at] = True
    # Each line's cell (bill of `rows`, register period); lines of other bills or of a period
    # without a register are summed in one cell past the others.
    column = np.full(len(TOU_PERIODS) + 2, -1, dtype=np.int64)  # codes −1 (another) at the end
    column[[TOU_PERIODS.index(period) for period in REGISTERS]] = np.arange(len(REGISTERS))
    cell = column[billed["period"][periodic]]
    cells = len(rows) * len(REGISTERS)
    cell = np.where((at >= 0) & (cell >= 0), at * len(REGISTERS) + cell, cells)
    quantity = np.nan_to_num(billed["quantity"][periodic])
    sums = np.bincount(cell, weights=quantity, minlength=cells + 1)[:cells]
    np.copyto(result, sums.reshape(len(rows), len(REGISTERS)), where=has[:-1, None])
    return result


def _tier_lines(
    bills: pd.DataFrame,
    params: BillingParams,
    bands: dict[int, tuple[np.ndarray, np.ndarray]],
    rows: np.ndarray,
) -> list[dict[str, np.ndarray]]:
    """One line per tier reached by the tiered bills `rows` (bands: per tier the band's ends in
    TIER_UNITS aligned with `rows`), filling the bands from the kWh due of the customer's
    earlier bills in the tier year (the frame's TIER_YEAR_BEFORE where it has the column). kWh are counted
    in whole TIER_UNITS, so the cumulative is exact: no float noise puts a year's sum a hair past a
    band's end (a tier line of 10⁻¹³ kWh), and a run by parts fills the bands as the whole does."""
    if not len(rows):
        return []
    due = bills["kwh_due"].to_numpy(dtype=float)
    units = _units(due)
    # Whole units as floats (exact below 2⁵³) for the clipping against the band ends.
    if TIER_YEAR_BEFORE in bills:
        before = bills[TIER_YEAR_BEFORE].to_numpy(dtype=float)[rows]
    else:
        before = _earlier_in_tier_year(bills, params, units, rows).astype(float)
    kwh = units[rows].astype(float)
    beyond = np.flatnonzero(np.abs(due[rows]) > _KWH_COUNTED)  # all in the top band, in full
    kwh[beyond] = due[rows[beyond]] * TIER_UNITS
    after, empty = before + kwh, kwh == 0
    lines = []
    for tier, (low, high) in bands.items():
        # A bill whose year stays below the band (before and after its kWh) fills none of it:
        # both ends clip to the band's start. The higher tiers are worked out on the few others.
        at = np.flatnonzero((after > low) | (before >= low))
        ends = (before, after, empty, low, high)
        if 2 * len(at) < len(rows):
            ends = tuple(values[at] for values in ends)
        else:  # most bills reach it (the first tier): worked out on all of them
            at = np.arange(len(rows))
        year_before, year_after, no_kwh, low, high = ends
        part = np.clip(year_after, low, high)
        part -= np.clip(year_before, low, high)
        # A bill of no kWh still shows the line of the tier the year has reached.
        reached = no_kwh & (year_before >= low) & (year_before < high)
        keep = np.isfinite(low) & ((part != 0) | reached)
        part = part[keep]
        part /= TIER_UNITS
        lines.append(_lines(rows[at[keep]], NO_PERIOD, tier, part, False))
    return lines


def _units(kwh: np.ndarray) -> np.ndarray:
    """kWh as whole TIER_UNITS (0 where missing), each held to ±_KWH_COUNTED (no int64 cast
    of a figure it cannot hold), worked out in one copy of the kWh."""
    units = np.nan_to_num(kwh)
    np.clip(units, -_KWH_COUNTED, _KWH_COUNTED, out=units)
    units *= TIER_UNITS
    np.rint(units, out=units)
    return units.astype(np.int64)


def tier_year_before(bills: pd.DataFrame, params: BillingParams) -> np.ndarray:
    """Per bill of the prepared frame `bills`, the kWh due of its customer's earlier bills of
    its tier year (TIER_UNITS): set as TIER_YEAR_BEFORE on a frame of some of its bills, their
    tier bands fill from the year's cumulative use (DOMAIN.md), not from the bill alone. A
    household billed 2,500 kWh by June, 600 in June on RES until a change on the 16th: its 300
    kWh on RES are tier 2 (0.55), 165.00, not tier 1 (0.50), 150.00."""
    units = _units(bills["kwh_due"].to_numpy(dtype=float))
    return _earlier_in_tier_year(bills, params, units, np.arange(len(bills)))


def _earlier_in_tier_year(
    bills: pd.DataFrame, params: BillingParams, kwh: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Per bill of `rows`, the kWh due (`kwh`: every bill's, in TIER_UNITS) of the same
    customer's earlier bills of its tier year (the frame is sorted by customer and month;
    integer sums: 10¹⁸ units hold 10¹⁴ kWh)."""
    month = bills["month"].to_numpy(dtype=np.int64)
    # Each month's tier year worked out once per month of the range and read per bill (no
    # division of every bill's month).
    low = int(month.min()) if len(month) else 0
    span = np.arange(low, int(month.max()) + 1 if len(month) else low)
    year = ((span - (params.tier_year_start_month - 1)) // 12)[month - low]
    customer = bills["cust"].to_numpy(dtype=np.int64)
    n = len(bills)
    new_group = np.ones(n, dtype=bool)
    if n > 1:
        new_group[1:] = (customer[1:] != customer[:-1]) | (year[1:] != year[:-1])
    # The kWh of all earlier bills of the frame, less those before the bill's group began.
    earlier = np.cumsum(kwh)
    earlier -= kwh
    first = np.flatnonzero(new_group)
    earlier -= np.repeat(earlier[first], np.diff(np.append(first, n)))
    return earlier[rows]


def _priced(
    base: dict[str, np.ndarray], bills: pd.DataFrame, lookup: TariffLookup, askers: np.ndarray
) -> list[dict[str, np.ndarray]]:
    """The lines with their rates and amounts, split by read days at every price change inside
    the read period (`rate_links`, `day_parts`): the lines at the rate in force on read_to
    (`base`, its quantities reduced where split), then the older parts of the split ones.
    `askers` is the first bill asking each question (tariff_query)."""
    bill = base["bill"]
    period, tier = base["period"], base["tier"]
    # A line asks the tariff its bill's question (tariff_query) for its period and tier, of which
    # a recomputation has a handful of pairs: every question is asked once per pair, and each line
    # reads its answer at (question, pair), with no search over millions of lines.
    pair = np.multiply(period, _PAIR_TIERS, dtype=np.int16)
    pair += tier
    used = np.bincount(pair, minlength=len(PERIOD_NAMES) * _PAIR_TIERS) > 0
    pairs = np.flatnonzero(used)
    slot = np.cumsum(used) - 1
    questions = bills["tariff_query"].to_numpy(dtype=np.int64)
    count = len(askers)
    ask = np.repeat(askers, len(pairs))
    read_to = bills["read_to"].to_numpy()[ask].astype("datetime64[D]")
    category = texts_at(bills["tariff_due"], ask)
    volts = bills["voltage_kv"].to_numpy(dtype=float)[ask]
    asked_period = PERIOD_NAMES[np.tile(pairs // _PAIR_TIERS, count)]
    asked_tier = np.tile(pairs % _PAIR_TIERS, count)
    rows = lookup.row(category, read_to, volts, asked_period, asked_tier)
    query = questions[bill]
    query *= len(pairs)
    query += slot[pair]
    del pair
    rate_asked, change = _values(lookup, rows), _values(lookup, rows, "valid_from")
    rate = rate_asked[query]
    # The rates before the row in force on read_to, asked once per (question, pair) back to
    # the longest read period before read_to: a line of it reads those inside its read period.
    longest = int(bills["read_days"].max()) if len(bills) else 0
    links = rate_links(
        lookup,
        (category, volts, asked_period, asked_tier),
        change,
        rate_asked,
        day_numbers(read_to) - longest,
    )
    from_day = day_numbers(bills["read_from"].to_numpy()[bill])
    inside = np.flatnonzero(links.began[0][query] > from_day)
    chain = RateLinks(links.began[:, query[inside]], links.rate[:, query[inside]])
    to_day = day_numbers(bills["read_to"].to_numpy()[bill[inside]])
    parts = day_parts(from_day[inside], to_day, chain)
    split = inside[parts.line]
    read_days = bills["read_days"].to_numpy(dtype=np.int64)[bill[split]]
    q_old = kwh_before_change(base["quantity"][split], parts.last - parts.first + 1, read_days)
    np.subtract.at(base["quantity"], split, q_old)
    old = {
        "bill": bill[split],
        "period": period[split],
        "tier": tier[split],
        "quantity": q_old,
        "rate": parts.rate,
        "estimated": base["estimated"][split],
    }
    base["rate"] = rate
    for part in (base, old):
        amount = part["quantity"] * part["rate"]
        part["amount"] = round_half_up(amount, 2, out=amount)
    return [base, old]


def kwh_before_change(
    kwh: np.ndarray, days_before: np.ndarray, read_days: np.ndarray
) -> np.ndarray:
    """Of `kwh` read over `read_days` days, the part used on `days_before` days of a price (or
    tariff) in force before a change inside the read period, prorated by day to the hundredth
    of a kWh as a bill splits it: round(q × d_old / rd, 2); the days after the last change take
    the rest."""
    return round_half_up(np.asarray(kwh, dtype=float) * days_before / read_days, 2)


class RateLinks(NamedTuple):
    """Per query, the rates in force going back from its last day: `began[k]` the day the k-th
    newest rate began, `rate[k]` that rate (links × queries; NaN and NO_DAY past the chain's
    end). Link 0 is the row in force on the last day."""

    began: np.ndarray
    rate: np.ndarray


class DayParts(NamedTuple):
    """The days before the last price change of lines whose rate changed inside their days:
    per part, its line (position), first and last day, and the rate in force on them. The days
    from the last change on are the line's own rate (link 0), taking the kWh left."""

    line: np.ndarray
    first: np.ndarray
    last: np.ndarray
    rate: np.ndarray


def rate_links(
    lookup: TariffLookup,
    asked: tuple[np.ndarray, np.ndarray, object, object],
    began: np.ndarray,
    rate: np.ndarray,
    earliest: np.ndarray,
    fallback: bool = True,
) -> RateLinks:
    """Per query (`asked`: tariff, voltage, period, tier) whose row in force on its last day
    began on `began` at `rate`, the rates before it, each the row in force the day before the
    newer one began, while that began after `earliest`: every price change of a read period,
    not only the last (PUB 0.599 until 7 November, 0.605 to the 15th, 0.611 from the 16th)."""
    began_links = [np.asarray(began, dtype=np.int64).copy()]
    rate_chain = [np.asarray(rate, dtype=float).copy()]
    earliest = np.broadcast_to(np.asarray(earliest, dtype=np.int64), began_links[0].shape)
    open_ = np.flatnonzero(
        (began_links[0] != NO_DAY) & (began_links[0] > earliest) & np.isfinite(rate_chain[0])
    )
    while len(open_):
        tariff, volts, period, tier = (
            value[open_] if isinstance(value, np.ndarray) and value.ndim else value
            for value in asked
        )
        day_before = (began_links[-1][open_] - 1).astype("datetime64[D]")
        rows = lookup.row(tariff, day_before, volts, period, tier, fallback)
        link_began = np.full(len(began_links[0]), NO_DAY, dtype=np.int64)
        link_rate = np.full(len(began_links[0]), np.nan)
        link_began[open_] = _values(lookup, rows, "valid_from")
        link_rate[open_] = _values(lookup, rows)
        began_links.append(link_began)
        rate_chain.append(link_rate)
        open_ = open_[
            (link_began[open_] != NO_DAY)
            & (link_began[open_] > earliest[open_])
            & np.isfinite(link_rate[open_])
        ]
    return RateLinks(np.vstack(began_links), np.vstack(rate_chain))


def day_parts(first: np.ndarray, last: np.ndarray, links: RateLinks) -> DayParts:
    """Per line read from day `first` to day `last` with its `links` (`rate_links`, aligned
    with the lines), the parts of its days before each change of rate inside them: a change
    where a rate began after `first` at another rate than the day before (a row of the same
    rate, or none before, splits nothing)."""
    start = np.asarray(first, dtype=np.int64).copy()
    parts: list[tuple[np.ndarray, ...]] = []
    for newer in range(links.began.shape[0] - 2, -1, -1):  # the oldest change first
        began, old_rate = links.began[newer], links.rate[newer + 1]
        changed = (
            (began > first)
            & (began <= last)
            & np.isfinite(old_rate)
            & (old_rate != links.rate[newer])
        )
        at = np.flatnonzero(changed)
        parts.append((at, start[at], began[at] - 1, old_rate[at]))
        start[at] = began[at]
    if not parts:
        return DayParts(
            np.empty(0, dtype=np.int64), *(np.empty(0, dtype=np.int64),) * 2, np.empty(0)
        )
    return DayParts(*(np.concatenate(column) for column in zip(*parts, strict=True)))


def rate_change(
    lookup: TariffLookup,
    tariff: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    volts: np.ndarray,
    period: np.ndarray,
    tier: np.ndarray,
) -> RateLinks:
    """Per line read from day `first` to day `last` (day numbers) on `tariff`: the rate in
    force on `last` and every rate before it that began inside the days (`rate_links`), as
    `_priced` reads them: for a rule pricing lines one by one on a tariff of its choosing (the
    row of exactly the line's period and tier)."""
    on_last = last.astype("datetime64[D]")
    rows = lookup.row(tariff, on_last, volts, period, tier, False)
    return rate_links(
        lookup,
        (tariff, volts, period, tier),
        _values(lookup, rows, "valid_from"),
        _values(lookup, rows),
        first,
        False,
    )


def priced_by_days(
    kwh: np.ndarray, first: np.ndarray, last: np.ndarray, links: RateLinks
) -> np.ndarray:
    """Per line, `kwh` used from day `first` to day `last` priced as `_priced` splits a line
    (`rate_change`'s links): the kWh of the days before each change of rate inside them at the
    rate then (`kwh_before_change`), the rest at the rate on `last`, each part to the fen."""
    kwh = np.asarray(kwh, dtype=float)
    parts = day_parts(first, last, links)
    read_days = np.maximum(last - first + 1, 1)[parts.line]
    before = kwh_before_change(kwh[parts.line], parts.last - parts.first + 1, read_days)
    rest = kwh - np.bincount(parts.line, before, len(kwh))
    priced = round_half_up(rest * links.rate[0])
    priced += np.bincount(parts.line, round_half_up(before * parts.rate), len(kwh))
    return priced


def _values(lookup: TariffLookup, rows: np.ndarray, column: str = "energy_rate") -> np.ndarray:
    """`column` of the tariff rows `rows` (NaN, or NO_DAY for valid_from, where −1)."""
    at = np.maximum(rows, 0)
    if column == "valid_from":
        days = (
            day_numbers(lookup.tariffs["valid_from"]) if len(lookup.tariffs) else np.array([NO_DAY])
        )
        return np.where(rows >= 0, days[at], NO_DAY)
    values = lookup.tariffs[column].to_numpy(dtype=float, na_value=np.nan)
    return np.where(rows >= 0, values[at] if len(values) else np.nan, np.nan)

"""The synthetic utility's price schedule: the `tariffs` rows and the rate in force per day.

The rows are written first (`tariff_rows`); `RateBook` then reads them back by the lookup conventions
of DOMAIN.md ("Recomputation conventions") so that the bills price every line from the very table a
recomputation sees: rows valid that day, the narrowest matching voltage band, for a period its row
(flat falling back to the row without period), for a plain bill the row without period (falling back
to flat), for a tier its row, without tier the row without tier (falling back to tier 1). The
synthetic bills are an oracle for `auditkit.billing`, so none of its code is used here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import auditkit.synth.catalog as catalog
from auditkit.billing.money import round_half_up

#: Lookup slots of a bill line: plain (no period, no tier), the four periods, the three tiers.
SLOTS = ("plain", "critical", "peak", "flat", "valley", "tier1", "tier2", "tier3")
SLOT = {name: i for i, name in enumerate(SLOTS)}
PERIOD_SLOTS = tuple(SLOT[p] for p in ("critical", "peak", "flat", "valley"))
TIER_SLOTS = (SLOT["tier1"], SLOT["tier2"], SLOT["tier3"])
#: Representative supply voltage (kV) of each voltage class a customer can be in.
CLASS_VOLTAGES = (0.4, 10.0, 35.0)
FIELDS = ("energy_rate", "fund_rate", "basic_rate_kva_month", "basic_rate_kw_month")
SCHEDULE_START = pd.Timestamp("2018-01-01")

TARIFF_COLUMNS = (
    "tariff_category",
    "tariff_name",
    "usage_type",
    "voltage_kv_min",
    "voltage_kv_max",
    "tou_period",
    "tier",
    "tier_from_kwh",
    "tier_to_kwh",
    "energy_rate",
    "basic_rate_kva_month",
    "basic_rate_kw_month",
    "fund_rate",
    "market",
    "valid_from",
    "valid_to",
)


@dataclass(frozen=True)
class Calendar:
    """When prices change: the main change (1st of a month), the mid-month change (the 16th, for
    `catalog.MID_MONTH_CODES`) and the monthly market prices (from `market_start`)."""

    month_starts: np.ndarray  # datetime64[D], one per billing month
    price_change: int
    mid_change: int
    market_start: int
    market_factor: np.ndarray  # per billing month: market price / the schedule's rate

    def month_start(self, month: int) -> pd.Timestamp:
        return pd.Timestamp(self.month_starts[month])

    def change_day(self) -> pd.Timestamp:
        return self.month_start(self.price_change)

    def mid_day(self) -> pd.Timestamp:
        return self.month_start(self.mid_change) + pd.Timedelta(days=catalog.MID_MONTH_DAY - 1)


def voltage_class(voltage_kv: np.ndarray) -> np.ndarray:
    """0 below 1 kV, 1 from 1 to 10 kV, 2 above (35 kV and up)."""
    return np.where(voltage_kv < 1.0, 0, np.where(voltage_kv <= 10.0, 1, 2))


def _segments(code: str, before: float, after: float, cal: Calendar) -> list[tuple]:
    """(valid_from, valid_to, rate, market) of a category over the schedule's life."""
    change = cal.change_day()
    rows = [(SCHEDULE_START, change - pd.Timedelta(days=1), before, False)]
    if code in catalog.MARKET_CODES:
        market = cal.month_start(cal.market_start)
        rows.append((change, market - pd.Timedelta(days=1), after, False))
        for month in range(cal.market_start, len(cal.month_starts)):
            start = cal.month_start(month)
            end = start + pd.offsets.MonthEnd(0)
            rows.append((start, end, after * cal.market_factor[month], True))
    elif code in catalog.MID_MONTH_CODES:
        mid = cal.mid_day()
        rows.append((change, mid - pd.Timedelta(days=1), after, False))
        rows.append((mid, pd.NaT, after + catalog.MID_MONTH_STEP, False))
    else:
        rows.append((change, pd.NaT, after, False))
    return rows


def tariff_rows(cal: Calendar) -> pd.DataFrame:
    """The `tariffs` table: per category, validity segment, voltage band, period and tier."""
    rows = []
    for code, name, usage, before, after, kva, kw, fund in catalog.TARIFFS:
        bands = catalog.VOLTAGE_BANDS.get(code, ((np.nan, np.nan, 0.0),))
        periods = tuple(catalog.TOU_RATIOS) if code in catalog.TOU_CODES else (None,)
        tiers = (*catalog.TIER_BANDS, (None, np.nan, np.nan, None)) if code == "RES" else ()
        for valid_from, valid_to, base, market in _segments(code, before, after, cal):
            for low, high, band_step in bands:
                common = {
                    "tariff_category": code,
                    "tariff_name": name,
                    "usage_type": usage,
                    "voltage_kv_min": low,
                    "voltage_kv_max": high,
                    "basic_rate_kva_month": kva,
                    "basic_rate_kw_month": kw,
                    "fund_rate": fund,
                    "market": market,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                }
                rate = base + band_step
                for tier, start, stop, step in tiers:
                    extra = catalog.SHARED_METER_PREMIUM if tier is None else step
                    rows.append(
                        {
                            **common,
                            "tou_period": None,
                            "tier": tier,
                            "tier_from_kwh": start,
                            "tier_to_kwh": np.nan if stop is None else stop,
                            "energy_rate": rate + extra,
                        }
                    )
                if not tiers:
                    for period in periods:
                        ratio = 1.0 if period is None else catalog.TOU_RATIOS[period]
                        rows.append(
                            {
                                **common,
                                "tou_period": period,
                                "tier": None,
                                "tier_from_kwh": np.nan,
                                "tier_to_kwh": np.nan,
                                "energy_rate": rate * ratio,
                            }
                        )
    frame = pd.DataFrame(rows, columns=list(TARIFF_COLUMNS))
    frame["energy_rate"] = round_half_up(frame["energy_rate"].to_numpy(), 4)
    frame["tier"] = pd.array(frame["tier"], dtype="Int64")
    for column in ("voltage_kv_min", "voltage_kv_max", "basic_rate_kva_month"):
        frame[column] = frame[column].astype(float)
    frame["basic_rate_kw_month"] = frame["basic_rate_kw_month"].astype(float)
    frame["market"] = frame["market"].astype(bool)
    frame["valid_to"] = pd.to_datetime(frame["valid_to"])
    return frame


class RateBook:
    """Rates in force per tariff, voltage class, lookup slot and day, read from the tariff rows.

    `value(field, tariff, vclass, slot, day)` and `valid_from(...)` take equal-length arrays; days
    are day numbers (days since 1970-01-01) between `first_day` and `last_day`.
    """

    def __init__(self, tariffs: pd.DataFrame, first_day: int, last_day: int) -> None:
        self.first_day = first_day
        days = last_day - first_day + 1
        shape = (len(catalog.TARIFF_CODES), len(CLASS_VOLTAGES), 5, 4, days)
        exact = {f: np.full(shape, np.nan) for f in FIELDS}
        since = np.full(shape, -1, dtype=np.int64)
        width = tariffs["voltage_kv_max"].fillna(1e9) - tariffs["voltage_kv_min"].fillna(0.0)
        order = np.argsort(-width.to_numpy(), kind="stable")  # narrower bands written last
        periods = {None: 0, "critical": 1, "peak": 2, "flat": 3, "valley": 4}
        for row in tariffs.iloc[order].itertuples(index=False):
            t = catalog.TARIFF_CODES.index(row.tariff_category)
            p = periods[row.tou_period if isinstance(row.tou_period, str) else None]
            r = 0 if pd.isna(row.tier) else int(row.tier)
            start = max(_day(row.valid_from) - first_day, 0)
            stop = days if pd.isna(row.valid_to) else min(_day(row.valid_to) - first_day + 1, days)
            if stop <= start:
                continue
            for c, voltage in enumerate(CLASS_VOLTAGES):
                low = -np.inf if np.isnan(row.voltage_kv_min) else row.voltage_kv_min
                high = np.inf if np.isnan(row.voltage_kv_max) else row.voltage_kv_max
                if not low <= voltage <= high:
                    continue
                for f in FIELDS:
                    value = getattr(row, f)
                    exact[f][t, c, p, r, start:stop] = 0.0 if pd.isna(value) else value
                since[t, c, p, r, start:stop] = _day(row.valid_from)
        # Fallbacks of the conventions, as (period, tier) pairs tried in order per slot.
        tries = {
            "plain": ((0, 0), (3, 0), (0, 1), (3, 1)),
            "critical": ((1, 0),),
            "peak": ((2, 0),),
            "flat": ((3, 0), (0, 0)),
            "valley": ((4, 0),),
            "tier1": ((0, 1), (3, 1)),
            "tier2": ((0, 2), (3, 2)),
            "tier3": ((0, 3), (3, 3)),
        }
        self.values = {f: np.full((*shape[:2], len(SLOTS), days), np.nan) for f in FIELDS}
        self.since = np.full((*shape[:2], len(SLOTS), days), -1, dtype=np.int64)
        for slot, pairs in tries.items():
            s = SLOT[slot]
            for p, r in reversed(pairs):  # the first pair tried is written last
                found = ~np.isnan(exact["energy_rate"][:, :, p, r])
                for f in FIELDS:
                    self.values[f][:, :, s] = np.where(
                        found, exact[f][:, :, p, r], self.values[f][:, :, s]
                    )
                self.since[:, :, s] = np.where(found, since[:, :, p, r], self.since[:, :, s])

    def value(
        self, field: str, tariff: np.ndarray, vclass: np.ndarray, slot: np.ndarray, day: np.ndarray
    ) -> np.ndarray:
        return self.values[field][tariff, vclass, slot, day - self.first_day]

    def valid_from(
        self, tariff: np.ndarray, vclass: np.ndarray, slot: np.ndarray, day: np.ndarray
    ) -> np.ndarray:
        return self.since[tariff, vclass, slot, day - self.first_day]


def _day(value: object) -> int:
    return int(np.datetime64(pd.Timestamp(value).date(), "D").astype(np.int64))

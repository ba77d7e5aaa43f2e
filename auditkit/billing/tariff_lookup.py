"""The tariff row in force for many bills at once: by category, date, voltage band, period and tier.

A tariff row is identified by its category, valid_from, voltage band, time-of-use period and tier
(DATA.md). For a date d the rows valid are valid_from ≤ d ≤ valid_to (an empty valid_to is open);
a voltage band holds both its ends, an empty end is unbounded, and the narrowest band holding the
customer's voltage wins (bounded before half-bounded before unbounded, then by width). A
time-of-use period p takes the row of that period, "flat" falling back to the row without a
period; a bill without periods takes the row without a period, falling back to "flat". A bill
without tiers takes the row without a tier, falling back to tier 1. Market rows (monthly prices)
are rows valid one month like any other.

Vectorised: the rows are grouped by (category, band, period, tier) and each group's valid_from
sorted once; a query is answered per distinct (category, period, tier) request with one
searchsorted per candidate group, never row by row.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

#: Tier numbers asked for are capped here (no tariff has so many).
_MAX_TIER = 63
#: Days since 1970-01-01 standing for "no date" (an open valid_to, a missing date).
NO_DAY = np.iinfo(np.int64).max


def day_numbers(dates: object) -> np.ndarray:
    """Dates (datetime64 of any unit, Timestamps, text; one or many) → whole days since
    1970-01-01, NaT → NO_DAY."""
    values = np.atleast_1d(np.asarray(dates))
    if values.dtype.kind != "M":
        values = pd.to_datetime(pd.Series(values.ravel())).to_numpy()
    # A copy in days, read as its integers (NaT is the smallest int64) without another copy.
    result = values.astype("datetime64[D]").view(np.int64)
    result[result == np.iinfo(np.int64).min] = NO_DAY
    return result


class TariffLookup:
    """Rates of a tariffs table (as `Dataset.tariffs` holds it) for arrays of bills."""

    def __init__(self, tariffs: pd.DataFrame) -> None:
        n = len(tariffs)
        frame = pd.DataFrame(
            {
                "category": tariffs["tariff_category"].astype(str).to_numpy(dtype=object),
                "vmin": _optional(tariffs, "voltage_kv_min", n, -np.inf),
                "vmax": _optional(tariffs, "voltage_kv_max", n, np.inf),
                "period": _text(tariffs, "tou_period", n),
                "tier": _optional(tariffs, "tier", n, 0.0).astype(np.int64),
                "start": day_numbers(tariffs["valid_from"]),
                "end": day_numbers(tariffs["valid_to"])
                if "valid_to" in tariffs
                else np.full(n, NO_DAY, dtype=np.int64),
                "row": np.arange(n),
            }
        )
        self.tariffs = tariffs.reset_index(drop=True)
        self.tiers = tuple(sorted(int(t) for t in set(frame["tier"]) if t > 0))
        self.categories = frozenset(frame["category"])
        frame = frame.sort_values(["category", "period", "tier", "vmin", "vmax", "start"])
        self._groups: dict[tuple[str, str, int], list[_Group]] = {}
        for (category, period, tier, vmin, vmax), rows in frame.groupby(
            ["category", "period", "tier", "vmin", "vmax"], sort=False
        ):
            self._groups.setdefault((category, period, tier), []).append(
                _Group(
                    float(vmin),
                    float(vmax),
                    rows["start"].to_numpy(),
                    rows["end"].to_numpy(),
                    rows["row"].to_numpy(),
                )
            )

    def row(
        self,
        category: Sequence | np.ndarray,
        when: object,
        voltage_kv: Sequence | np.ndarray | float,
        tou_period: object = None,
        tier: object = None,
        fallback: bool = True,
    ) -> np.ndarray:
        """Per query, the position of the tariff row in force (−1 where none is).

        `tou_period` and `tier` are None (a bill without periods or tiers), one value for all, or
        an array (None / "" and 0 / <NA> meaning none). `fallback=False` takes only the exact
        period and tier asked for.
        """
        cat_code, cats = pd.factorize(np.asarray(category, dtype=object))
        n = len(cat_code)
        days = np.broadcast_to(day_numbers(when), (n,))
        volts = np.broadcast_to(np.asarray(voltage_kv, dtype=float), (n,))
        period_code, periods = _as_periods(tou_period, n)
        tiers = np.minimum(_as_tiers(tier, n), _MAX_TIER)
        # Millions of queries ask a few thousand distinct questions: each is answered once.
        inverse, first = distinct_rows((cat_code, days, volts, period_code, tiers))
        cat_code, days, volts, period_code, tiers = (
            values[first] for values in (cat_code, days, volts, period_code, tiers)
        )
        n = len(first)
        found = np.full(n, -1, dtype=np.int64)
        # The best row so far per query, by (rank, width): see `_match`.
        best = (np.full(n, np.iinfo(np.int64).max), np.full(n, np.inf))
        # One request per distinct (category, period, tier), its queries found by one sort.
        request = ((cat_code + 1) * (len(periods) + 1) + period_code + 1) * (_MAX_TIER + 1) + tiers
        order = np.argsort(request, kind="stable")
        ordered = request[order]
        bounds = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1], True]) if n else [0]
        for begin, stop in pairwise(bounds):
            positions = order[begin:stop]
            first = positions[0]
            if cat_code[first] < 0:
                continue
            period = periods[period_code[first]] if period_code[first] >= 0 else ""
            for level, key in _candidates(
                cats[cat_code[first]], period, int(tiers[first]), fallback
            ):
                for group in self._groups.get(key, ()):
                    self._match(group, level, positions, days, volts, found, best)
        return found[inverse]

    @staticmethod
    def _match(
        group: _Group,
        level: int,
        positions: np.ndarray,
        days: np.ndarray,
        volts: np.ndarray,
        found: np.ndarray,
        best: tuple[np.ndarray, np.ndarray],
    ) -> None:
        """Record the group's row valid on each queried day where it beats the best so far.

        Rows rank by preference level (an exact period and tier before a fallback), then by the
        number of open ends of their band (bounded, half-bounded, unbounded), then by width: a
        bounded band's vmax − vmin, a half-bounded band's distance from its one end to the voltage
        (of two bands ≥ 35 and ≥ 10 kV holding 110 kV, ≥ 35 is the narrower)."""
        in_band = (volts[positions] >= group.vmin) & (volts[positions] <= group.vmax)
        at = positions[in_band]
        if not len(at):
            return
        index = np.searchsorted(group.start, days[at], side="right") - 1
        valid = index >= 0
        index = np.where(valid, index, 0)
        valid &= (days[at] <= group.end[index]) & (days[at] != NO_DAY)
        open_ends = int(np.isinf(group.vmin)) + int(np.isinf(group.vmax))
        rank = level * 3 + open_ends
        if open_ends == 0:
            width = np.full(len(at), group.vmax - group.vmin)
        elif open_ends == 1:
            end = group.vmax if np.isinf(group.vmin) else group.vmin
            width = np.abs(volts[at] - end)
        else:
            width = np.zeros(len(at))
        best_rank, best_width = best[0][at], best[1][at]
        better = valid & ((rank < best_rank) | ((rank == best_rank) & (width < best_width)))
        found[at[better]] = group.rows[index[better]]
        best[0][at[better]] = rank
        best[1][at[better]] = width[better]

    def rate(
        self,
        category: Sequence | np.ndarray,
        when: object,
        voltage_kv: Sequence | np.ndarray | float,
        column: str = "energy_rate",
        tou_period: object = None,
        tier: object = None,
        fallback: bool = True,
    ) -> np.ndarray:
        """Per query, `column` of the row in force (NaN where no row is, or the column is absent
        or empty)."""
        rows = self.row(category, when, voltage_kv, tou_period, tier, fallback)
        if column not in self.tariffs:
            return np.full(len(rows), np.nan)
        values = self.tariffs[column].to_numpy(dtype=float, na_value=np.nan)
        return np.where(rows >= 0, values[np.maximum(rows, 0)], np.nan)

    def valid_from(
        self,
        category: Sequence | np.ndarray,
        when: object,
        voltage_kv: Sequence | np.ndarray | float,
        tou_period: object = None,
        tier: object = None,
    ) -> np.ndarray:
        """Per query, the day number from which the row in force applies (NO_DAY where none)."""
        rows = self.row(category, when, voltage_kv, tou_period, tier)
        starts = day_numbers(self.tariffs["valid_from"])
        return np.where(rows >= 0, starts[np.maximum(rows, 0)], NO_DAY)

    def tier_bands(
        self,
        category: Sequence | np.ndarray,
        when: object,
        voltage_kv: Sequence | np.ndarray | float,
    ) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per tier of the table: (from kWh, to kWh, rate) in force for each query, exact tier
        rows only (NaN where the category has no such tier then; an empty `to` is +inf)."""
        bands = {}
        for tier in self.tiers:
            rows = self.row(category, when, voltage_kv, None, tier, fallback=False)
            has = rows >= 0
            at = np.maximum(rows, 0)
            low = _column(self.tariffs, "tier_from_kwh")[at]
            high = _column(self.tariffs, "tier_to_kwh")[at]
            rate = _column(self.tariffs, "energy_rate")[at]
            bands[tier] = (
                np.where(has, np.nan_to_num(low, nan=0.0), np.nan),
                np.where(has, np.nan_to_num(high, nan=np.inf), np.nan),
                np.where(has, rate, np.nan),
            )
        return bands


class _Group:
    """Rows of one (category, period, tier, band), sorted by valid_from."""

    __slots__ = ("end", "rows", "start", "vmax", "vmin")

    def __init__(
        self, vmin: float, vmax: float, start: np.ndarray, end: np.ndarray, rows: np.ndarray
    ) -> None:
        self.vmin, self.vmax, self.start, self.end, self.rows = vmin, vmax, start, end, rows


def _candidates(category: str, period: str, tier: int, fallback: bool) -> list[tuple[int, tuple]]:
    """(preference level, group key) of the rows that may answer one request; 0 = exact."""
    if period == "":
        periods = [("", 0), ("flat", 1)]
    elif period == "flat":
        periods = [("flat", 0), ("", 1)]
    else:
        periods = [(period, 0)]
    tiers = [(tier, 0), (1, 1)] if tier == 0 else [(tier, 0)] + ([(0, 1)] if tier == 1 else [])
    if not fallback:
        periods, tiers = periods[:1], tiers[:1]
    return [
        (2 * p_level + t_level, (category, p, t)) for p, p_level in periods for t, t_level in tiers
    ]


def distinct_rows(columns: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
    """For equally long columns: each row's number among the distinct rows, and one row position
    of each distinct row. Small integer ranges are used as they are, other values hashed."""
    inverse, count = row_numbers(columns)
    return inverse, first_rows(inverse, count)


def first_rows(numbers: np.ndarray, count: int) -> np.ndarray:
    """The position of the first row of each number 0..count−1 among `numbers` (each number
    present, as `row_numbers` gives them)."""
    first = np.empty(count, dtype=np.int64)
    first[numbers[::-1]] = np.arange(len(numbers) - 1, -1, -1)
    return first


def row_numbers(columns: tuple[np.ndarray, ...]) -> tuple[np.ndarray, int]:
    """For equally long columns: each row's number among the distinct rows (0..count−1), and
    their count; `distinct_rows` without the first row of each."""
    n = len(columns[0])
    key, size = _dense(columns[0])
    for values in columns[1:]:
        codes, count = _dense(values)
        if size * count >= 2**62:
            key, distinct = pd.factorize(key)
            size = len(distinct)
        key = key * count + codes
        size *= count
    if size <= max(4 * n, 1 << 16):
        # A small key range: distinct keys marked in a table, no hashing.
        present = np.zeros(size, dtype=bool)
        present[key] = True
        inverse = (np.cumsum(present) - 1)[key]
        count = int(present.sum())
    else:
        inverse, distinct = pd.factorize(key)
        count = len(distinct)
    return inverse, count


def _dense(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Values as codes 0..count−1 (equal values, equal codes): integers of a small range by their
    offset, anything else by hashing."""
    values = np.asarray(values)
    if values.dtype.kind in "iu" and len(values):
        low, high = int(values.min()), int(values.max())
        if low == 0 and high < 1 << 20 and values.dtype == np.int64:
            return values, high + 1  # codes already (a question's number): not copied
        if high - low < 1 << 20:
            return np.subtract(values, low, dtype=np.int64), high - low + 1
    if values.dtype.kind == "f" and len(values) > 1:
        # Numbers that come in runs (a customer's bills) are hashed once per run.
        starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])  # NaN starts runs
        if len(starts) * 4 < len(values):
            codes, distinct = pd.factorize(values[starts], use_na_sentinel=False)
            codes = np.repeat(codes.astype(np.int64), np.diff(np.append(starts, len(values))))
            return codes, max(len(distinct), 1)
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    return codes.astype(np.int64), max(len(distinct), 1)


def _optional(frame: pd.DataFrame, column: str, n: int, empty: float) -> np.ndarray:
    if column not in frame:
        return np.full(n, empty)
    values = frame[column].to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isnan(values), empty, values)


def _column(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame or not len(frame):
        return np.full(max(len(frame), 1), np.nan)
    return frame[column].to_numpy(dtype=float, na_value=np.nan)


def _text(frame: pd.DataFrame, column: str, n: int) -> np.ndarray:
    if column not in frame:
        return np.full(n, "", dtype=object)
    # As objects first: a categorical cannot take "" for its empty cells.
    values = frame[column].astype(object)
    return values.where(values.notna(), "").astype(str).to_numpy(dtype=object)


def _as_periods(tou_period: object, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the periods asked for and the distinct periods (code −1: none)."""
    if tou_period is None or isinstance(tou_period, str):
        code = 0 if tou_period else -1
        return np.full(n, code, dtype=np.int64), np.array([tou_period or ""], dtype=object)
    codes, distinct = pd.factorize(np.asarray(tou_period, dtype=object))
    distinct = np.asarray(distinct, dtype=object)
    return codes, np.where(pd.isna(distinct), "", distinct).astype(object)


def _as_tiers(tier: object, n: int) -> np.ndarray:
    if tier is None or np.isscalar(tier):
        return np.full(n, 0 if tier is None or pd.isna(tier) else int(tier), dtype=np.int64)
    values = pd.Series(tier).astype("Float64").fillna(0)
    return values.to_numpy(dtype=np.int64)

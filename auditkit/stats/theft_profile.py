"""Theft scores on interval reads: the shape of the day against the customer's own past and peers.

Jokar et al.'s h5 (every hour of a day set to the day's mean) and h6 (a day's hours in reverse
order) keep each day's total, so the daily tests (`theft_daily`) cannot see them; under
time-of-use prices (峰谷分时) they move energy from peak to valley hours and the bill falls. With
hourly or 15-minute reads (`interval_reads`, summed to clock hours) each day d of a customer is a
shape: its shares s_d,h = kWh_d,h / kWh_d of the day's energy, h = 0..23. Two statistics per day:

**Flatness.** f_d = log(CV_d + CV_FLOOR), CV_d the coefficient of variation of the day's hours,
minus the mean f of the reference days (below). A day flattened to its mean has CV 0; an honest
day of a home 0.3 to 1.5 (the real homes' emptiest 0.07), and a new appliance, working from home
or a tariff change it far less than a flattening does. Limited to +-FLAT_LIMIT around the honest
level (a Huber-type limit: an exactly flat day must not weigh by how spiky its reference was).

**Mirror.** The reference shape r_d splits into a part symmetric under reversing the hours and an
antisymmetric part (the even/odd decomposition about the day's centre), and

    m_d = <P s_d, r_d> / <P r_d, r_d>

with P the projector onto antisymmetric shapes free of the VALLEY_HOURS block contrasts
(`_mirror_projector`): 1 for a day of the reference's shape, -1 for its hours reversed, 0 for a
flat day, whatever the symmetric part, while energy moved as a block between valley and peak (an
honest answer to a time-of-use tariff) leaves it where it was. A home whose day is nearly
symmetric around noon has a small P r_d: reversing its hours changes little, in the day and in the
bill, and m_d is noisy there. Limited to +-MIRROR_LIMIT.

The reference r_d is the mean shares of the customer's days of the same kind (weekday or weekend)
in the REFERENCE_HALF_DAYS days either side of the day 52 weeks before: its own season a year
before. Without a year before there is no shape of the same season to compare with (a reference
from other seasons reverses with them): the flatness is then compared with the own days before
the change (its level needs no reference) and the mirror is not tested. Days below EMPTY_SHARE of
the customer's median day are left out: an empty home's day has the shape of its fridge, and its
fall is the daily tests' business; an energy-neutral theft keeps the day's energy.

Both series are taken relative to the customer's peers on the same day (the median among its
`peer_groups` group of MIN_PEERS or more, else everyone's: a season, holiday or weather change of
the day's shape that everyone shares is no theft) and searched, as the daily level, for a drop
that lasts to the end (`theft_daily._fit_step`: every day leaving MIN_AFTER_DAYS after it,
cumulative sums over a chunk of customers, the last MIN_AFTER_DAYS days changed too, so holidays
and trips that are over do not count). The step's evidence is that the drop exceeds a material
size: flatness FLAT_DROP (the hours' spread below a third of its own), mirror MIRROR_DROP (more
than half the way to the reversed day), so a new appliance, working from home or a partial shift
to the valley, which change the shape less, are not held against anyone. With a year before, the
level before the change has the prior N(0, tau^2) (tau: the robust spread of the customers'
whole-window levels), as in the daily level test. The z is scaled by a robust (MAD) noise scale
widened for lag-one autocorrelation and Sidak-corrected for the days tried (`theft_daily`'s
calibration), so a profile score reads like a daily one.

Hours are clock hours: China has no daylight-saving time, so the hour of day means the same all
year and a year before. Holidays (Spring Festival moves by up to three weeks) reshape days for one
or two weeks and are over by the end; the customer's own weekday/weekend reference and its peers
carry the rest.

References: Jokar, Arianpoo and Leung (2016), IEEE Trans. Smart Grid 7(1), the attack models;
the coefficient of variation of interval loads as a load-shape index (Chicco, Napoli and Piglione
2006, IEEE Trans. Power Systems 21(2)); the even/odd decomposition of a sequence (Oppenheim and
Schafer, Discrete-Time Signal Processing, 2.4); Huber (1964) for the limits; the change search and
calibration are `theft_daily`'s (Hinkley 1970; Sidak).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditkit.errors import ParameterError
from auditkit.periods import local_times
from auditkit.stats.matrix import (
    checked_kwh,
    checked_numbers,
    masked_row_mean,
    positions_of,
    row_nanmedian,
)
from auditkit.stats.requirements import require_columns
from auditkit.stats.theft_daily import (
    MIN_AFTER_DAYS,
    MIN_BEFORE_DAYS,
    MIN_PAIRED_DAYS,
    MIN_PEERS,
    YEAR_DAYS,
    _continued_sidak,
    _fit_step,
    _mad,
    _scaled,
    compared_days,
)

HOURS = 24
#: Days either side of the day a year before whose same kind of day (weekday, weekend) makes
#: the reference shape; fewest of them for a reference.
REFERENCE_HALF_DAYS = 28
MIN_REFERENCE_DAYS = 6
#: Days below this share of the customer's median day are left out: an empty home's day
#: (holiday, vacancy, moved out) has the shape of its fridge, not of its household, and its fall
#: is the daily tests' business; an energy-neutral theft keeps the day's energy.
EMPTY_SHARE = 0.4
#: Floor of the coefficient of variation in log(CV + floor): an exactly flat day is a fall of
#: about log(0.6 / 0.02) = 3.4 for a typical home, not an infinite one.
CV_FLOOR = 0.02
#: Limits of the flatness (log units around the honest level: a day 20 times flatter counts as
#: 7.4 times) and of
#: the mirror statistic (a day of the reference's shape is 1, reversed -1), a Huber-type limit:
#: an exactly flat day must not weigh by how spiky its reference was.
FLAT_LIMIT = 2.0
MIRROR_LIMIT = 3.0
#: Valley periods (start hour, end hour) of the common residential time-of-use schemes
#: (22:00-08:00, 23:00-07:00): the mirror test is blind to energy moved as a block between a
#: valley and the rest of the day, which honest customers do under such a tariff.
VALLEY_HOURS = ((22, 8), (23, 7))
#: Material drops: flatness (log CV; log 3: the hours' spread below a third of its own) and
#: mirror (more than half the way from the own shape, 1, to the reversed, -1).
FLAT_DROP = float(np.log(3.0))
MIRROR_DROP = 1.0
#: Floors of the year-to-year spread of the customers' levels and of the noise scales.
MIN_LEVEL_SPREAD = 0.05
MIN_SCALE = 0.05
#: Peers' medians from at most this many evenly spaced customers per group.
GROUP_SAMPLE = 1_000
#: Customers whose change search runs together (bounds the search's working arrays).
SCORE_CHUNK_ROWS = 2_000
#: Which test gave the profile score (`ProfileScores.shape`).
SHAPES = ("flat", "reversed")


@dataclass(frozen=True)
class ProfileScores:
    """Per row (customer): the profile score and its reasons.

    `first_changed` is the day column (of the whole matrix) of the first changed day; `shape` an
    index into SHAPES; `flatness_ratio` the days' CV + CV_FLOOR from that day on against the
    reference days (the own days before it without a year before; below 1 flatter, limited); `mirror_after` the mean mirror statistic from that day on (1 the own
    shape, -1 reversed) and `mirror_before` before it (NaN without a year before: not tested);
    `year_before` whether the reference was the same season a year before; `scored` whether the
    row had enough days with complete hours.
    """

    score: np.ndarray
    first_changed: np.ndarray
    shape: np.ndarray
    flatness_ratio: np.ndarray
    mirror_before: np.ndarray
    mirror_after: np.ndarray
    year_before: np.ndarray
    scored: np.ndarray


@dataclass(frozen=True)
class _DayShapes:
    """Per row and compared day: flatness against the reference, the mirror statistic, and
    whether the row's reference is its year before."""

    flatness: np.ndarray
    mirror: np.ndarray
    year_before: np.ndarray


def _hourly_reads(
    interval_reads: pd.DataFrame, customers: pd.Index, days: pd.DatetimeIndex
) -> _HourlyReads:
    """The reads of `interval_reads` of `customers` on `days`, checked (`hourly_cube`)."""
    require_columns(interval_reads, ("customer_id", "read_at", "kwh"), "interval_reads")
    read_at = local_times(interval_reads["read_at"], "interval_reads.read_at", "date-times")
    codes = positions_of(customers, interval_reads["customer_id"])
    stamps = read_at.to_numpy(dtype="datetime64[m]").astype(np.int64)
    minutes = _interval_minutes(interval_reads, codes, stamps)
    kwh = checked_kwh(interval_reads, "kwh", "interval_reads")
    misaligned = (stamps % minutes != 0) | (60 % minutes != 0)
    if misaligned.any():
        row = int(np.flatnonzero(misaligned)[0])
        raise ParameterError(
            "interval_reads",
            "intervals dividing 60 minutes, each read starting on a multiple of its interval",
            f"{interval_reads['customer_id'].iloc[row]!r} at {read_at.iloc[row]} "
            f"({minutes[row]} minutes)",
        )
    first_day = days[0].to_datetime64().astype("datetime64[D]").astype(np.int64)
    day = stamps // 1440 - first_day
    hour = (stamps % 1440) // 60
    keep = (codes >= 0) & (day >= 0) & (day < len(days)) & ~np.isnan(kwh)
    return _HourlyReads(
        codes[keep],
        day[keep],
        hour[keep],
        kwh[keep],
        minutes[keep],
        np.flatnonzero(keep),
        customers,
        days,
    )


@dataclass(frozen=True)
class _HourlyReads:
    """Checked reads of the customers and days asked for: each read's customer (position among
    them), day (position), clock hour, kWh, interval in minutes and row in the table read; the
    customers and days asked for (to name a refused read)."""

    customer: np.ndarray
    day: np.ndarray
    hour: np.ndarray
    kwh: np.ndarray
    minutes: np.ndarray
    row: np.ndarray
    customers: pd.Index
    days: pd.DatetimeIndex

    def cube(self, first: int, count: int, days: int, rows: np.ndarray | None = None) -> np.ndarray:
        """kWh of customers first..first+count-1 x days x hours (`rows`: their reads, else all)."""
        rows = np.arange(len(self.customer)) if rows is None else rows
        cell = ((self.customer[rows] - first) * days + self.day[rows]) * HOURS + self.hour[rows]
        size = count * days * HOURS
        energy = np.bincount(cell, weights=self.kwh[rows], minlength=size)
        covered = np.bincount(cell, weights=self.minutes[rows], minlength=size)
        if (covered > 60).any():
            # A duplicated row, or an hour repeated where clocks went back (daylight saving).
            over = int(np.flatnonzero(covered > 60)[0])
            read = rows[cell == over][-1]
            customer = first + over // (days * HOURS)
            day, hour = divmod(over % (days * HOURS), HOURS)
            raise ParameterError(
                "interval_reads",
                "one read per customer and interval",
                f"reads of customer {self.customers[customer]!r} covering more than the hour "
                f"from {self.days[day] + pd.Timedelta(hours=hour):%Y-%m-%d %H:%M}, the last in "
                f"row {self.row[read] + 1}",
            )
        return np.where(covered == 60, energy, np.nan).reshape(count, days, HOURS)


def hourly_cube(
    interval_reads: pd.DataFrame, customers: pd.Index, days: pd.DatetimeIndex
) -> np.ndarray:
    """kWh per customer x day x clock hour (NaN where an hour is not completely read) from an
    `interval_reads` table (customer_id, read_at, kwh[, interval_minutes]).

    Rows follow `customers` and `days` (reads of other customers or days are left out). The
    interval of each read is its `interval_minutes` or, where that is empty or absent, the
    smallest spacing of its customer's reads; it must divide 60 and each read must start on a
    multiple of it. An hour counts when all its intervals are read.
    """
    return _hourly_reads(interval_reads, customers, days).cube(0, len(customers), len(days))


def hourly_blocks(
    interval_reads: pd.DataFrame, customers: pd.Index, days: pd.DatetimeIndex, block: int
) -> Iterator[np.ndarray]:
    """`hourly_cube` in consecutive blocks of `block` customers, the reads checked once: memory
    follows the block, not every customer's hours at once."""
    reads = _hourly_reads(interval_reads, customers, days)
    order = np.argsort(reads.customer, kind="stable")
    bounds = np.searchsorted(reads.customer[order], np.arange(0, len(customers) + block, block))
    for index, first in enumerate(range(0, len(customers), block)):
        count = min(block, len(customers) - first)
        rows = order[bounds[index] : bounds[index + 1]]
        yield reads.cube(first, count, len(days), rows)


def _interval_minutes(frame: pd.DataFrame, codes: np.ndarray, stamps: np.ndarray) -> np.ndarray:
    """Each read's interval: its interval_minutes, else its customer's smallest read spacing."""
    order = np.lexsort((stamps, codes))
    gaps = np.diff(stamps[order])
    same = codes[order][1:] == codes[order][:-1]
    smallest = np.full(int(codes.max(initial=-1)) + 2, 60, dtype=np.int64)
    positive = same & (gaps > 0)
    if positive.any():
        owners = codes[order][1:][positive] + 1
        implied = np.full(len(smallest), np.iinfo(np.int64).max)
        np.minimum.at(implied, owners, gaps[positive])
        smallest = np.where(implied < np.iinfo(np.int64).max, implied, 60)
    implied_minutes = smallest[codes + 1]
    if "interval_minutes" not in frame.columns:
        return implied_minutes
    stated = checked_numbers(
        frame, "interval_minutes", "interval_reads", "a whole number of minutes > 0"
    )
    given = ~np.isnan(stated)
    wrong = given & ((stated <= 0) | (stated != np.round(stated)) | np.isinf(stated))
    if wrong.any():
        row = int(np.flatnonzero(wrong)[0])
        raise ParameterError(
            "interval_reads.interval_minutes",
            "a whole number of minutes > 0",
            f"{frame['interval_minutes'].iloc[row]!r} in row {row + 1}",
        )
    return np.where(given, stated, implied_minutes).astype(np.int64)


def score_profiles(
    chunks: Iterable[np.ndarray],
    weekend: np.ndarray,
    peer_groups: np.ndarray,
    chunk_rows: int = SCORE_CHUNK_ROWS,
) -> ProfileScores:
    """Score every customer on the shape of its days: `chunks` yields consecutive blocks of rows
    (customers x days x 24 hours of kWh, NaN where not read), together the rows of
    `peer_groups`; `weekend` marks the day columns that are weekend days.

    The compared days are those of `theft_daily.score_daily` (`compared_days`: the last 364
    when the days span two years, else all). Only one block of hours is held at a time; the two day
    statistics of every row are kept (2 x customers x compared days float32) for the peers, and
    the change search runs `chunk_rows` rows at a time.
    """
    days = len(weekend)
    window, paired_span = compared_days(days)
    parts = [_day_shapes(hours, weekend, window, paired_span) for hours in chunks]
    rows = sum(len(part.flatness) for part in parts)
    if rows != len(peer_groups):
        raise ParameterError("peer_groups", f"one group per row ({rows})", len(peer_groups))
    statistics = {
        name: np.concatenate([getattr(part, name) for part in parts]).astype(np.float32)
        for name in ("flatness", "mirror")
    }
    year_before = np.concatenate([part.year_before for part in parts])
    del parts
    peer_row, peer_series, spread = {}, {}, {}
    for name, values in statistics.items():
        peer_row[name], peer_series[name] = _peer_medians(values, peer_groups, year_before)
        spread[name] = _level_spread(values, peer_row[name], peer_series[name], year_before)
    result = {name: np.full(rows, np.nan) for name in ("flat", "reversed")}
    first = {name: np.zeros(rows, dtype=np.int64) for name in result}
    scored = np.zeros(rows, dtype=bool)
    ratios = {name: np.full(rows, np.nan) for name in ("flatness", "before", "after")}
    for start in range(0, rows, chunk_rows):
        part = slice(start, min(start + chunk_rows, rows))
        fits = {}
        for (name, values), test, drop in zip(
            statistics.items(), result, (FLAT_DROP, MIRROR_DROP), strict=True
        ):
            own = values[part].astype(float)
            relative = own - peer_series[name][peer_row[name][part]]
            prior = _prior_days(relative, year_before[part], spread[name])
            step = _fit_step(relative, prior, drop)
            result[test][part] = _continued_sidak(_scaled(step, relative, MIN_SCALE), step.tries)
            first[test][part] = step.first_changed
            fits[name] = own
        seen = np.count_nonzero(~np.isnan(fits["flatness"]), axis=1)
        scored[part] = seen >= (
            MIN_PAIRED_DAYS if paired_span else MIN_BEFORE_DAYS + MIN_AFTER_DAYS
        )
        reversed_wins = result["reversed"][part] > result["flat"][part]
        after = (
            np.arange(window)
            >= np.where(reversed_wins, first["reversed"][part], first["flat"][part])[:, None]
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            flat_before = np.where(
                year_before[part], 0.0, masked_row_mean(fits["flatness"], ~after)
            )
            ratios["flatness"][part] = np.exp(
                masked_row_mean(fits["flatness"], after) - flat_before
            )
            ratios["before"][part] = masked_row_mean(fits["mirror"], ~after)
            ratios["after"][part] = masked_row_mean(fits["mirror"], after)
    shape = (result["reversed"] > result["flat"]).astype(np.int64)
    return ProfileScores(
        score=np.where(scored, np.maximum(result["flat"], result["reversed"]), 0.0),
        first_changed=days - window + np.where(shape == 1, first["reversed"], first["flat"]),
        shape=shape,
        flatness_ratio=np.where(scored, ratios["flatness"], np.nan),
        mirror_before=np.where(scored, ratios["before"], np.nan),
        mirror_after=np.where(scored, ratios["after"], np.nan),
        year_before=year_before & scored,
        scored=scored,
    )


def profile_decides(daily_score: np.ndarray, profile: ProfileScores) -> np.ndarray:
    """Rows whose score the profile gives: those it scored above their daily score.

    Both are calibrated z's of a lasting change (continued below 0 in the same way), so the
    larger evidence is the score, without a gate: an honest customer's profile score is far below
    its daily one (on the real homes a median of -7 against -4), so the daily ranking of the
    energy-reducing thefts stays as it was, while an energy-neutral theft whose shape evidence is
    moderate still ranks above the honest customers (with a gate of 3 at h6's 0.79 instead of
    0.99 on the tuning homes).
    """
    return profile.scored & (profile.score > daily_score)


def _day_shapes(
    hours: np.ndarray, weekend: np.ndarray, window: int, paired_span: bool
) -> _DayShapes:
    """The flatness and mirror statistics of the compared days of a block of rows.

    Computed from the hours without a shares array where it can be: CV^2 = 24 sum x^2 / T^2 - 1;
    and with P = B B^T (`mirror_basis`), m = <x B, r B> / (T ||r B||^2): the reference is kept
    only as its k coordinates r B, the windowed mean of the days' s B (k = 10 of 24 hours).
    """
    rows, days, _ = hours.shape
    total = hours.sum(axis=2)
    squares = np.einsum("ijk,ijk->ij", hours, hours)
    read = np.isfinite(total) & (total > 0)
    usual = row_nanmedian(np.where(read, total, np.nan))
    present = read & (total >= EMPTY_SHARE * usual[:, None])
    with np.errstate(invalid="ignore", divide="ignore"):
        variation = np.sqrt(np.maximum(HOURS * squares / total**2 - 1, 0.0))
    flatness = np.where(present, np.log(variation + CV_FLOOR), np.nan)
    compared = slice(days - window, days)
    kind = weekend.astype(bool)
    day_total = np.where(present[:, compared], total[:, compared], np.nan)
    year_before = np.zeros(rows, dtype=bool)
    mirror = np.full((rows, window), np.nan)
    flat_reference = np.full((rows, window), np.nan)
    if paired_span:
        centres = np.arange(days - window, days) - YEAR_DAYS
        basis = mirror_basis()
        coordinates = hours @ basis  # x B of every day; s B = x B / T
        # The reference days: at most REFERENCE_HALF_DAYS beyond the last centre.
        reference_days = min(days, days - YEAR_DAYS + REFERENCE_HALF_DAYS + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = coordinates[:, :reference_days] / total[:, :reference_days, None]
        for is_weekend in (False, True):
            same = kind[compared] == is_weekend
            use = (present & (kind == is_weekend))[:, :reference_days]
            mean_shares, mean_flatness, count = _window_means(
                shares, flatness[:, :reference_days], use, centres[same]
            )
            usable = count >= MIN_REFERENCE_DAYS
            energy = np.einsum("ijk,ijk->ij", mean_shares, mean_shares)
            day_coordinates = coordinates[:, compared][:, same]
            with np.errstate(invalid="ignore", divide="ignore"):
                along = np.einsum("ijk,ijk->ij", day_coordinates, mean_shares)
                mirror[:, same] = np.where(usable, along / (day_total[:, same] * energy), np.nan)
            flat_reference[:, same] = np.where(usable, mean_flatness, np.nan)
        del shares, coordinates
        paired = np.count_nonzero(~np.isnan(flat_reference) & present[:, compared], axis=1)
        year_before = paired >= MIN_PAIRED_DAYS
    # Without a year before there is no reference shape of the same season: the flatness is
    # compared with the own days before the change alone (its level needs no reference), and
    # the mirror is not tested (a reference from other seasons reverses with the seasons).
    # Limited around the honest level: 0 against the year before, else the row's median.
    flat_reference[~year_before] = 0.0
    relative = flatness[:, compared] - flat_reference
    centre = np.where(year_before, 0.0, row_nanmedian(relative))[:, None]
    limited = np.clip(relative, centre - FLAT_LIMIT, centre + FLAT_LIMIT)
    return _DayShapes(
        flatness=limited,
        mirror=np.clip(mirror, -MIRROR_LIMIT, MIRROR_LIMIT),
        year_before=year_before,
    )


def mirror_basis() -> np.ndarray:
    """An orthonormal basis B (24 x k) of the day shapes that are antisymmetric about the day's
    centre (a_h = -a_{23-h}) and orthogonal to the antisymmetric parts of the VALLEY_HOURS block
    contrasts (1 in the valley, 0 elsewhere). P = B B^T: P r is the part of a shape r that
    reversing the hours negates and that moving energy as a block between valley and peak does
    not move."""
    hour = np.arange(HOURS)
    antisymmetric = (np.eye(HOURS) - np.eye(HOURS)[::-1]) / 2
    contrasts = []
    for start, end in VALLEY_HOURS:
        valley = ((hour >= start) | (hour < end)).astype(float)
        contrasts.append(antisymmetric @ valley)
    basis, singular, _ = np.linalg.svd(np.column_stack(contrasts), full_matrices=False)
    basis = basis[:, singular > 1e-9 * singular[0]]
    values, vectors = np.linalg.eigh(antisymmetric - basis @ basis.T)
    return vectors[:, values > 0.5]


def _window_means(
    shares: np.ndarray, flatness: np.ndarray, use: np.ndarray, centres: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row and centre column: the mean shares (rows x days x any coordinates) and flatness of
    the `use` days at most REFERENCE_HALF_DAYS columns away, and how many there are (cumulative
    sums over days)."""
    half = REFERENCE_HALF_DAYS
    days = use.shape[1]
    low = np.clip(centres - half, 0, days)
    high = np.clip(centres + half + 1, 0, days)
    counts = np.concatenate([np.zeros((len(use), 1)), np.cumsum(use, axis=1)], axis=1)
    count = counts[:, high] - counts[:, low]
    share_sums = np.cumsum(np.where(use[:, :, None], shares, 0.0), axis=1)
    share_sums = np.concatenate([np.zeros((len(use), 1, shares.shape[2])), share_sums], axis=1)
    flat_sums = np.cumsum(np.where(use, flatness, 0.0), axis=1)
    flat_sums = np.concatenate([np.zeros((len(use), 1)), flat_sums], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_shares = (share_sums[:, high] - share_sums[:, low]) / count[:, :, None]
        mean_flatness = (flat_sums[:, high] - flat_sums[:, low]) / count
    return mean_shares, mean_flatness, count


def _peer_medians(
    values: np.ndarray, peer_groups: np.ndarray, year_before: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The peers' median of `values` on each day, as a row of medians per row: among the row's
    peers of the same reference (year before or own days), its group's when that has
    MIN_PEERS, else everyone's; each from at most GROUP_SAMPLE evenly spaced rows. Rows of a
    reference with fewer than MIN_PEERS rows get zeros (no peers).

    Returns the index of each row's medians and the medians (one row per peer set)."""
    series = [np.zeros(values.shape[1])]
    index = np.zeros(len(values), dtype=np.int64)
    for kind in (True, False):
        members = np.flatnonzero(year_before == kind)
        if len(members) < MIN_PEERS:  # among too few, a customer would be its own peer: none
            continue
        series.append(np.nan_to_num(row_nanmedian(_sample(values, members).T)))
        index[members] = len(series) - 1
        groups, sizes = np.unique(peer_groups[members], return_counts=True)
        for group in groups[sizes >= MIN_PEERS] if len(groups) > 1 else ():
            rows = members[peer_groups[members] == group]
            series.append(np.nan_to_num(row_nanmedian(_sample(values, rows).T)))
            index[rows] = len(series) - 1
    return index, np.vstack(series)


def _sample(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """At most GROUP_SAMPLE evenly spaced rows of `values` among `rows`."""
    return values[rows[:: max(1, len(rows) // GROUP_SAMPLE)]]


def _level_spread(
    values: np.ndarray, peer_row: np.ndarray, peer_series: np.ndarray, year_before: np.ndarray
) -> float:
    """tau: the robust spread of the median level (relative to the peers) of rows with a year
    before, from at most GROUP_SAMPLE of them; MIN_LEVEL_SPREAD at least."""
    rows = np.flatnonzero(year_before)[:: max(1, int(year_before.sum()) // GROUP_SAMPLE)]
    if len(rows) < MIN_PEERS:
        return MIN_LEVEL_SPREAD
    medians = row_nanmedian(values[rows].astype(float) - peer_series[peer_row[rows]])
    medians = medians[~np.isnan(medians)]
    if len(medians) < MIN_PEERS:
        return MIN_LEVEL_SPREAD
    deviation = np.abs(medians - np.median(medians))
    return max(1.4826 * float(np.median(deviation)), MIN_LEVEL_SPREAD)


def _prior_days(relative: np.ndarray, year_before: np.ndarray, spread: float) -> np.ndarray:
    """Pseudo-days of the prior N(0, tau^2) on the level before a change: (noise / tau)^2 for
    rows with a year before, 0 for others (their own days before alone)."""
    noise = np.maximum(_mad(np.diff(relative, axis=1)) / np.sqrt(2), MIN_SCALE)
    return np.where(year_before, (noise / spread) ** 2, 0.0)

"""Daily smart-meter reads for a consumption drop: each month's metered energy, and the day a
level changed.

A year of daily reads alone cannot tell a theft that began before the reads (its level is low
from the first day: no step) from a small customer, and shows ordinary month-to-month swings as
steps. `consumption_drop` therefore finds the drop on the customer's months, its own past from
the bills and the months the meter read whole from the daily reads (`whole_month_sums`), then
dates it to the day with the daily reads (`date_level_changes`): the one step that best splits
the days around the month of the change, each day taken against its peers' same day (weekly
rhythm, holidays and weather shared by the peers are no step).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditkit.stats.matrix import log_consumption, masked_row_mean, row_nanmedian

#: Fewest days on each side of a dated change (a week: the weekly rhythm is no step).
MIN_SIDE_DAYS = 7
EPOCH_MONTH = 1970 * 12  # month number of 1970-01 (numpy's month 0)


def whole_month_sums(values: np.ndarray, first_day: int) -> tuple[np.ndarray, np.ndarray]:
    """kWh of each calendar month a row read on every day, NaN for the others.

    `values` is rows x days (NaN = no read), its first column the day number `first_day` (days
    since 1970-01-01). Returns the sums (rows x months) and the month number (year * 12 + month
    - 1) of each column: the months wholly inside the days.
    """
    days = np.arange(first_day, first_day + values.shape[1])
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    whole = np.unique(month)
    starts = whole.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    ends = (whole + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    whole = whole[(starts >= days[0]) & (ends - 1 <= days[-1])]
    sums = np.full((len(values), len(whole)), np.nan)
    for column, number in enumerate(whole):
        inside = values[:, month == number]
        read_all = ~np.isnan(inside).any(axis=1)
        sums[read_all, column] = inside[read_all].sum(axis=1)
    return sums, whole + EPOCH_MONTH


@dataclass(frozen=True)
class DatedChanges:
    """Per dated row: the first day at the lower level (column of the days matrix), the mean
    kWh a day in the searched days before and from it, and the peers' level from it relative
    to before (their median, 1.0 = unchanged)."""

    first_low_day: np.ndarray
    kwh_before: np.ndarray
    kwh_after: np.ndarray
    peers_ratio: np.ndarray


def date_level_changes(
    values: np.ndarray,
    rows: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    peer_groups: np.ndarray,
) -> DatedChanges:
    """The day each of `rows` fell, searched in its days `start` to `stop` (columns, stop
    excluded, at least 2 * MIN_SIDE_DAYS of them).

    Each day's log kWh less the peers' (the median of the same day over the rows of its group in
    `peer_groups`, each row centred on its median) is split in two at the day that maximises the
    standardised fall of the mean (n1 n2 / n)^1/2 (mean before - mean after): the least-squares
    single step, as the change point of a mean (Hinkley 1970). Days without a read count on
    neither side.
    """
    log_kwh = log_consumption(values)[0]
    profile = np.zeros((len(rows), values.shape[1]))
    for group in np.unique(peer_groups[rows]):
        members = np.flatnonzero(peer_groups == group)
        at = np.flatnonzero(peer_groups[rows] == group)
        profile[at] = np.nan_to_num(row_nanmedian(log_kwh[members].T))
    relative = log_kwh[rows] - profile
    column = np.arange(values.shape[1])
    window = (column >= start[:, None]) & (column < stop[:, None])
    seen = window & ~np.isnan(relative)
    filled = np.where(seen, relative, 0.0)
    # Day k splits the window into days before k and days from k: prefix sums over columns.
    count_before = np.cumsum(seen, axis=1) - seen
    sum_before = np.cumsum(filled, axis=1) - filled
    total_count = seen.sum(axis=1, keepdims=True)
    count_after = total_count - count_before
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_before = sum_before / count_before
        mean_after = (filled.sum(axis=1, keepdims=True) - sum_before) / count_after
        fall = np.sqrt(count_before * count_after / total_count) * (mean_before - mean_after)
    allowed = (
        window
        & (count_before >= MIN_SIDE_DAYS)
        & (count_after >= MIN_SIDE_DAYS)
        & (column >= start[:, None] + MIN_SIDE_DAYS)
    )
    first_low = np.argmax(np.where(allowed, fall, -np.inf), axis=1)
    before = window & (column < first_low[:, None])
    after = window & (column >= first_low[:, None])
    raw, peer_level = values[rows], np.exp(profile)
    return DatedChanges(
        first_low_day=first_low,
        kwh_before=masked_row_mean(raw, before),
        kwh_after=masked_row_mean(raw, after),
        peers_ratio=masked_row_mean(peer_level, after) / masked_row_mean(peer_level, before),
    )

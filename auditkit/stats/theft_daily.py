"""Theft scores on daily reads: the recent level against the same days a year before and peers.

A year of a home's days is mostly its own season (heating, cooling, school terms, holidays), which
a few common patterns shared by all customers do not fit; on real homes (docs/statistics.md,
"Theft detection on real consumption") the level-shift model of `theft.py` therefore ranks mild,
lasting thefts near chance and flags half the holiday homes. The customer's own year before is
the baseline that carries its season. For every customer with two years of days,

    r_t = (log kWh_t - log kWh_{t-364}) - peers_t,        t in the last 364 days,

the change since the same weekday 52 weeks before, less the median of that change among its
peers (weather, tariffs and holidays they share are no drop). An honest customer's r is flat at
its own year-to-year level c; a theft from day tau lowers it by delta:

    r_t = c - delta * [t >= tau] + noise_t.

`c` has a prior N(0, tau_c^2): most customers use about what they used a year before, and
tau_c (the spread of whole-year changes among all customers, robust MAD) is measured on the data.
So a theft that began on the first compared day is seen against the year before, one that began
later against both its own months before and the year before (the posterior mean of c is the
days-before mean shrunk toward 0 with weight k = sigma^2 / tau_c^2 pseudo-days). The drop is
searched over every day leaving MIN_AFTER_DAYS after it, with cumulative sums (no loop over
customers), and must hold to the end: the last MIN_AFTER_DAYS days must also be below the level
before by `min_drop` (a vacancy or holiday that is over is no theft; one still going on is
indistinguishable from a theft that began on its first day).

The score is the calibrated z of `theft.py`: evidence that the drop exceeds `min_drop` in
standard errors, with a robust (MAD) noise scale of r around the fitted step, widened for lag-one
autocorrelation and corrected for the days tried (Sidak); the smaller of the step's and the
last days' z is kept. Customers without enough pairs of days a year apart (new accounts) are
scored on their own days by `theft.score_level_shifts`.

Energy-neutral tampering (Jokar h5 flattening to the mean, h6 reversal of the day's profile)
keeps every day's total: no daily-total score can see it; it needs the hourly profile.

References: Hinkley (1970) for the change in mean by least squares; the year-on-year comparison
against peers is the "seasonal naive" baseline of load forecasting (Hyndman and Athanasopoulos,
Forecasting: Principles and Practice, ch. 5.2) used as a detector; shrinkage of the level before
to a prior is the normal-normal posterior mean (Gelman et al., Bayesian Data Analysis, ch. 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from auditkit.stats.calibration import SCORE_FLOOR, autocorrelation_inflation, sidak_score
from auditkit.stats.matrix import log_consumption, masked_row_mean, row_nanmedian

#: Days between a day and "the same day a year before": 52 weeks, so weekdays line up.
YEAR_DAYS = 364
#: Fewest days after a change, and the last days that must stay low (a theft lasts).
MIN_AFTER_DAYS = 28
#: Fewest pairs of days a year apart for a customer to be scored against its year before.
MIN_PAIRED_DAYS = 2 * MIN_AFTER_DAYS
#: Peers: a group's own median change when it has this many customers, else everyone's.
MIN_PEERS = 20
PEER_SAMPLE = 20_000
#: Floors of the year-to-year spread tau_c and of the day-to-day noise (log units).
MIN_YEAR_SPREAD = 0.05
MIN_SCALE = 0.02


@dataclass(frozen=True)
class YearOverYear:
    """Per row: the fitted change against the year before (arrays aligned with the rows given).

    `first_low_step` is the column (of the whole days matrix) of the first day at the lower
    level; `log_drop` the fitted delta; `own_past_ratio` the row's mean level from that day on
    relative to the same days a year before, `peers_ratio` the peers' over the same days.
    """

    score: np.ndarray
    log_drop: np.ndarray
    first_low_step: np.ndarray
    own_past_ratio: np.ndarray
    peers_ratio: np.ndarray
    paired: np.ndarray


def score_year_over_year(
    values: np.ndarray,
    rows: np.ndarray,
    min_drop: float,
    peer_groups: np.ndarray,
    chunk_rows: int,
) -> YearOverYear:
    """Score `rows` of a customers x days kWh matrix (NaN = no read) against the year before.

    The matrix must span more than YEAR_DAYS + MIN_PAIRED_DAYS days; the last
    min(YEAR_DAYS, days - YEAR_DAYS) days are compared with the days 52 weeks before them.
    `peer_groups` holds one integer group per matrix row. Rows are processed `chunk_rows` at a
    time (memory stays bounded at 100,000 customers).
    """
    days = values.shape[1]
    window = min(YEAR_DAYS, days - YEAR_DAYS)
    log_kwh = np.empty((len(rows), 2 * window))
    for start in range(0, len(rows), chunk_rows):
        part = rows[start : start + chunk_rows]
        whole = log_consumption(values[part])[0]
        log_kwh[start : start + len(part)] = np.hstack(
            [whole[:, days - window - YEAR_DAYS : days - YEAR_DAYS], whole[:, days - window :]]
        )
    change = log_kwh[:, window:] - log_kwh[:, :window]
    # Day-to-day noise of r, measured in the year before (no theft being scored there): r is the
    # difference of two days, so its noise is that of a day-to-day difference.
    noise = np.maximum(_mad(np.diff(log_kwh[:, :window], axis=1)), MIN_SCALE)
    del log_kwh
    peers = _peer_changes(change, peer_groups[rows])
    relative = change - peers
    paired = np.count_nonzero(~np.isnan(relative), axis=1) >= MIN_PAIRED_DAYS
    year_spread = _year_spread(relative[paired])

    score = np.zeros(len(rows))
    log_drop = np.zeros(len(rows))
    first_low = np.full(len(rows), days - 1)
    own_ratio = np.full(len(rows), np.nan)
    peers_ratio = np.full(len(rows), np.nan)
    log_min_drop = -np.log1p(-min_drop)
    for start in range(0, len(rows), chunk_rows):
        part = np.arange(start, min(start + chunk_rows, len(rows)))
        part = part[paired[part]]
        if len(part) == 0:
            continue
        fit = _fit_step(relative[part], noise[part], year_spread, log_min_drop)
        tau, delta, z_step, z_tail, residual, tries = fit
        scale = noise[part] * autocorrelation_inflation(np.nan_to_num(residual))
        z = np.minimum(z_step, z_tail) / scale
        score[part] = _continued_sidak(z, tries)
        log_drop[part] = delta
        first_low[part] = days - window + tau
        after = np.arange(window) >= tau[:, None]
        own_ratio[part] = np.exp(masked_row_mean(change[part], after))
        peers_ratio[part] = np.exp(
            masked_row_mean(np.broadcast_to(peers[part], after.shape), after)
        )
    return YearOverYear(
        score=score,
        log_drop=log_drop,
        first_low_step=first_low,
        own_past_ratio=own_ratio,
        peers_ratio=peers_ratio,
        paired=paired,
    )


def _continued_sidak(z: np.ndarray, tries: np.ndarray) -> np.ndarray:
    """`sidak_score` where it is positive (evidence of a drop), continued below 0 by z minus the
    z that scores 0 (a shift, so the order of the customers without evidence is kept).

    With some 300 days tried, every z below about 2.7 would otherwise saturate at the floor, and
    a mild lasting theft would tie with every steady customer.
    """
    corrected = sidak_score(z, tries)
    zero_at = -special.ndtri(-np.expm1(np.log(0.5) / tries))
    return np.where(corrected > 0, corrected, np.maximum(z - zero_at, SCORE_FLOOR))


def _peer_changes(change: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each row's peers' change on each day: the median over its group (every row if the group
    has fewer than MIN_PEERS rows), from at most PEER_SAMPLE evenly spaced rows."""
    everyone = _day_medians(change)
    peers = np.empty_like(change)
    peers[:] = everyone
    codes, sizes = np.unique(groups, return_counts=True)
    if len(codes) > 1:
        for code in codes[sizes >= MIN_PEERS]:
            members = np.flatnonzero(groups == code)
            peers[members] = _day_medians(change[members])
    return peers


def _day_medians(change: np.ndarray) -> np.ndarray:
    """The median change of each day (0 where no row has a pair that day)."""
    sample = change[:: max(1, len(change) // PEER_SAMPLE)]
    return np.nan_to_num(row_nanmedian(sample.T))


def _year_spread(relative: np.ndarray) -> float:
    """tau_c: the robust spread (1.4826 MAD) among customers of their median change over the
    year, i.e. how far an honest customer's year usually differs from its year before."""
    if len(relative) < MIN_PEERS:
        return MIN_YEAR_SPREAD
    levels = row_nanmedian(relative[:: max(1, len(relative) // PEER_SAMPLE)])
    return max(float(1.4826 * np.median(np.abs(levels - np.median(levels)))), MIN_YEAR_SPREAD)


def _fit_step(
    relative: np.ndarray, noise: np.ndarray, year_spread: float, log_min_drop: float
) -> tuple[np.ndarray, ...]:
    """The best drop day of each row of r (days in columns, NaN = no pair) and its evidence.

    Returns the first low column, the fitted drop, the step's and the last days' evidence
    (drop - log_min_drop, not yet divided by the noise scale, i.e. already per unit sigma
    once divided), the residual around the fitted step and the number of days tried.
    """
    seen = ~np.isnan(relative)
    filled = np.where(seen, relative, 0.0)
    prior_days = (noise / year_spread) ** 2
    count_before = np.cumsum(seen, axis=1) - seen
    sum_before = np.cumsum(filled, axis=1) - filled
    count_after = seen.sum(axis=1, keepdims=True) - count_before
    sum_after = filled.sum(axis=1, keepdims=True) - sum_before
    weight_before = count_before + prior_days[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        delta = sum_before / weight_before - sum_after / count_after
        spread = np.sqrt(1 / weight_before + 1 / count_after)
    tail_days = seen[:, -MIN_AFTER_DAYS:]
    tail_count = np.maximum(tail_days.sum(axis=1, keepdims=True), 1)
    tail_mean = filled[:, -MIN_AFTER_DAYS:].sum(axis=1, keepdims=True) / tail_count
    allowed = (count_after >= MIN_AFTER_DAYS) & seen
    step_evidence = np.where(allowed, (delta - log_min_drop) / spread, -np.inf)
    tau = np.argmax(step_evidence, axis=1)
    at = np.arange(len(relative))
    level_before = (sum_before / weight_before)[at, tau]
    tail_evidence = (level_before - tail_mean[:, 0] - log_min_drop) / np.sqrt(
        1 / weight_before[at, tau] + 1 / tail_count[:, 0]
    )
    after = np.arange(relative.shape[1]) >= tau[:, None]
    fitted = np.where(after, (sum_after / count_after)[at, tau][:, None], level_before[:, None])
    residual = relative - fitted
    return (
        tau,
        delta[at, tau],
        step_evidence[at, tau],
        tail_evidence,
        residual,
        np.maximum(allowed.sum(axis=1), 1),
    )


def _mad(values: np.ndarray) -> np.ndarray:
    """1.4826 x the median absolute deviation of each row, ignoring NaN."""
    centre = row_nanmedian(values)
    return 1.4826 * row_nanmedian(np.abs(values - centre[:, None]))

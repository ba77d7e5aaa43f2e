"""Theft scores on daily reads: the recent level and day-to-day variation against the customer's
own past (the same days a year before where there are any) and its peers.

A year of a home's days is mostly its own season (heating, cooling, school terms, holidays), which
a few common patterns shared by all customers do not fit; on real homes (docs/statistics.md,
"Theft detection on real consumption") the level-shift model of `theft.py` ranks mild, lasting
thefts near chance and flags half the holiday homes. Three tests are run on the compared days
(the last 364 when the reads span two years, else all of them), vectorized over customers:

**Level.** With y_t = log kWh_t,

    r_t = (y_t - baseline_t) - peers_t,

where baseline_t is the median of the same weekday in the 7 weeks around the day 52 weeks before
(a holiday of up to 3 weeks a year before cannot move it), and peers_t the median of that change
among the customer's peers (weather, tariffs and holidays they share are no drop). Without a year
before, baseline_t = 0 and peers_t is the peers' median log kWh of the day: the customer's own
days before the change are its past. An honest r is flat at its own level c; a theft from day tau
lowers it by delta:

    r_t = c - delta * [t >= tau] + noise_t.

With a year before, `c` has the prior N(0, tau_c^2): most customers use about what they used a year
before, and tau_c (the robust spread of whole-year changes among customers) is measured on the
data; a theft that began on the first compared day is seen against the year before, a later one
against its own days before as well (the posterior mean of c is the days-before mean shrunk
toward 0 with weight k = sigma^2 / tau_c^2 pseudo-days). sigma is the long-run scale of r (its
robust scale around a first fit of the step, widened for lag-one autocorrelation): the days of a
home are autocorrelated (a warm spell, a guest), so k counts independent days, and a warm first
month above the year before weighs as the few independent days it is, not as a drop from there
on; around the fitted step, a large drop (a move) is not itself taken for autocorrelation. Without a year before,
c is the mean of the days before (at least MIN_BEFORE_DAYS). r is limited to LEVEL_CLIP around
its median before the search (a Huber-type limit: a holiday of a week at 10 % weighs like a week
at 60 %, so it cannot pass for a lasting drop); the reported drop and ratios use the unlimited r.
A drop needs the customer's own days to have fallen: where the year before itself rose at the
step's day (a vacancy or a lower level last year that ended then) and the own days, against the
peers' level, fell there by less than half of `min_drop` (the OWN_FALL_DAYS either side), the
level's z is at most their evidence of a fall, or that of no evidence (a score of 0).

**Variation.** u_t = log |y_t - y_{t-1}|, the size of the day-to-day change, against its own
seasonal level (the mean of u over the 57 days around the day a year before; without a year
before, its own days before the change). A change to the end in either direction is tested: much
flatter days (reads held at a constant or at zero: Jokar h5 on days, flattening below the mean,
a meter read zero) or much more erratic ones (per-day factors, days bypassed). An honest
customer's variation follows its level: a vacancy or a fall in use scales the days, it does not
flatten them. Nor is a change of variation with a rise in use (kWh from the change on against
the own days before it, those before the compared days included: a home lived in again after an
empty year; or more than FROM_LITTLE times the same days a year before, or from none: days
livelier than a vacancy last year) a sign.

**Zero reads.** The days read exactly 0 kWh in the compared days against the same number of days
a year before (without one, none; and only the days after the first day with use: a home empty
when its reads began had no use yet): z = (a - b) / sqrt(a + b), the normal form of the conditional test of two Poisson
rates (Przyborowski and Wilenski 1940). A supplied home never meters 0 kWh over a whole day; a
bypassed, switched-off or failed meter does. An empty home with its main switch off reads 0 too:
it is the `zero_consumption` rule's case on bills, a visit on daily reads.

The level and variation changes are searched over every day leaving MIN_AFTER_DAYS after it,
with cumulative sums (no loop over customers), and must hold to the end (zero reads need not):
the last MIN_AFTER_DAYS days must also be beyond the level before (a vacancy or holiday that is
over is no theft; one still going on is indistinguishable from a theft that began on its first
day). A level drop whose very last days are back (a holiday that ended days before the last
read) is found by the likelihood ratio of "the last k days are back at the level before" against
"still at the level after" (k up to REBOUND_DAYS, day-to-day noise; the two-segment "epidemic"
change of Levin and Kline 1985): beyond REBOUND_LLR, the days from the drop to the rebound are
set aside and the level searched again, and the drop itself only counts as far as the days back
are still below the level before. The step's z is the evidence that
the drop exceeds `min_drop` (the variation's: that it changed at all) in standard errors, with a
robust (MAD) scale of the residual widened for lag-one autocorrelation and corrected for the days
tried (Sidak); the smaller of the step's and the last days' z is kept. Where the level's step is
evidence of a drop (z > 0) and the days after it are more erratic than the own days before it
(with a year before to compare the season), the level's z is the larger of itself and the
Stouffer combination (z_level + z_erratic) / sqrt(2) of both at the level's day: per-day factors
and bypassed days lower the level and scatter the days, and each test alone sees half of it;
a steady scaling is left as it was. The score is the level's; where the variation or the zero
reads are significant on their own (z > SHAPE_GATE), the largest.

References: Hinkley (1970) for the change in mean by least squares; the year-on-year comparison
against peers is the "seasonal naive" baseline of load forecasting (Hyndman and Athanasopoulos,
Forecasting: Principles and Practice, ch. 5.2) used as a detector; shrinkage of the level before
to a prior is the normal-normal posterior mean (Gelman et al., Bayesian Data Analysis, ch. 2);
the log absolute difference as a scale statistic is the Harvey (1976) / Brown-Forsythe idea of
testing a change in spread as a change in mean of a transformed series; Huber (1964) for the limit;
Levin and Kline (1985) for the epidemic (drop-and-return) alternative; Stouffer et al. (1949) for
combining the two z's at one day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditkit.stats.calibration import SCORE_FLOOR, autocorrelation_inflation, sidak_score
from auditkit.stats.matrix import ZERO_AS_SHARE, masked_row_mean, row_nanmedian

#: Days between a day and "the same day a year before": 52 weeks, so weekdays line up.
YEAR_DAYS = 364
#: Weeks either side of the day a year before whose same weekday makes its baseline.
BASELINE_WEEKS = 3
#: A sorting network for 7 values (Knuth, TAOCP vol. 3, 5.3.4): the baseline's median of 7.
SORT_SEVEN = (
    (0, 6),
    (2, 3),
    (4, 5),
    (0, 2),
    (1, 4),
    (3, 6),
    (0, 1),
    (2, 5),
    (3, 4),
    (1, 2),
    (4, 6),
    (2, 3),
    (4, 5),
    (1, 2),
    (3, 4),
    (5, 6),
)
#: Beyond any centred log kWh: where a missing cell goes in the baseline's median of 7.
FAR = 1e6
#: Days either side of the day a year before whose mean day-to-day variation is its baseline.
VARIATION_BASELINE_DAYS = 28
#: Fewest days after a change, and the last days that must stay changed (a theft lasts).
MIN_AFTER_DAYS = 28
#: Fewest own days before a change for a customer without a year before.
MIN_BEFORE_DAYS = 28
#: Own days either side of a level's change whose fall bounds its evidence against the year
#: before (a vacancy or a step up a year before is no fall now).
OWN_FALL_DAYS = 2 * MIN_AFTER_DAYS
#: Fewest pairs of days a year apart for a customer to be scored against its year before.
MIN_PAIRED_DAYS = 2 * MIN_AFTER_DAYS
#: Fewest days the matrix must span for these tests (else `theft.score_level_shifts`).
MIN_DAYS = YEAR_DAYS
#: Peers: a group's own median change when it has this many customers, else everyone's; each
#: group's medians from at most GROUP_SAMPLE evenly spaced customers.
MIN_PEERS = 20
GROUP_SAMPLE = 1_000
#: Floors of the year-to-year spread tau_c and of the noise scales (log units).
MIN_YEAR_SPREAD = 0.05
MIN_SCALE = 0.02
MIN_VARIATION_SCALE = 0.3
#: Limit of r around its median before the level search (log units: a day 40 % below counts as
#: about 40 % below, a day 90 % below as 40 % below).
LEVEL_CLIP = 0.5
#: Day-to-day changes smaller than this share of the customer's median change count as this
#: share (log of 0), and kWh below this share of its median day as this share.
VARIATION_FLOOR = 0.1
KWH_FLOOR = 0.001
#: A rise of the kWh against the year before, at the variation's change, that exempts the
#: variation test whatever the own days before did (a year before that used next to nothing).
FROM_LITTLE = 2.0
#: A rise of the year before at a level's day (log units, against its peers) beyond which the
#: year before was a vacancy: a drop from it needs the own days to have fallen beyond min_drop.
VACANT_LOG = float(np.log(4.0))
#: z the variation or zero-read test must reach on its own to raise the level's score.
SHAPE_GATE = 3.0
#: A drop that is over: the log likelihood ratio of "the last days are back at the level before"
#: against "still at the level after" (with the day-to-day noise) beyond which the drop is set
#: aside, looked for in the last REBOUND_DAYS days.
REBOUND_LLR = 10.0
REBOUND_DAYS = MIN_AFTER_DAYS - 1
#: Which test gave the score (`DailyScores.signal`).
SIGNALS = ("level", "variation", "zero_reads")


@dataclass(frozen=True)
class DailyScores:
    """Per row given (arrays aligned with those rows): the score and its reasons.

    `first_low_step` is the column (of the whole days matrix) of the first changed day of the
    signal that gave the score; `log_drop` the level's fitted delta from that day (unlimited r);
    `own_past_ratio` the row's kWh from that day on over the same days a year before (NaN
    without a year before, or one that used none), `peers_ratio` the peers' level over the same
    days (with no year before: from that day on against before it); `variation_ratio` the typical
    day-to-day change from that day on against before (below 1 flatter, above 1 more erratic);
    `zero_days` the compared days read 0 kWh; `signal` an index into SIGNALS; `year_before`
    whether the row was compared with its year before; `scored` whether it had enough days.
    """

    score: np.ndarray
    log_drop: np.ndarray
    first_low_step: np.ndarray
    own_past_ratio: np.ndarray
    peers_ratio: np.ndarray
    variation_ratio: np.ndarray
    zero_days: np.ndarray
    signal: np.ndarray
    year_before: np.ndarray
    scored: np.ndarray


@dataclass(frozen=True)
class _Step:
    """The best change of each row of a series (see `_fit_step`)."""

    first_changed: np.ndarray
    level_before: np.ndarray
    z: np.ndarray
    tries: np.ndarray


@dataclass(frozen=True)
class _Noise:
    """Per row, the level's noise scales: `long_run` for means of many days (robust scale of r
    widened for lag-one autocorrelation), `day` for single days (from day-to-day differences)."""

    long_run: np.ndarray
    day: np.ndarray


@dataclass(frozen=True)
class _Shared:
    """What every chunk of rows needs from all of them: the peers' series and tau_c."""

    peers_change: np.ndarray
    peers_level: np.ndarray
    year_spread: float
    #: False under MIN_PEERS customers: no peers, the series (zero) leave each customer's own.
    compared: bool


def score_daily(
    values: np.ndarray, min_drop: float, peer_groups: np.ndarray, chunk_rows: int
) -> DailyScores:
    """Score every row of a customers x days kWh matrix (NaN = no read) spanning MIN_DAYS or more.

    The days compared are `compared_days`': with two years, the last YEAR_DAYS against the year
    before for rows whose compared days nearly all have one (`_year_before_rows`); otherwise
    every day, on the rows' own days. `peer_groups` holds one integer group per row. Rows are
    processed `chunk_rows` at a time (memory stays bounded at 100,000 customers).
    """
    days = values.shape[1]
    window, paired_span = compared_days(days)
    shared = _shared(values, peer_groups, window, paired_span)
    result = {
        name: np.full(len(values), np.nan)
        for name in ("score", "log_drop", "own", "peers", "variation")
    }
    first_changed = np.full(len(values), days - 1)
    zero_days = np.zeros(len(values), dtype=np.int64)
    signal = np.zeros(len(values), dtype=np.int64)
    year_before = np.zeros(len(values), dtype=bool)
    scored = np.zeros(len(values), dtype=bool)
    log_min_drop = -np.log1p(-min_drop)
    for start in range(0, len(values), chunk_rows):
        rows = np.arange(start, min(start + chunk_rows, len(values)))
        part = _score_chunk(
            values[rows], peer_groups[rows], window, paired_span, shared, log_min_drop
        )
        for name in result:
            result[name][rows] = part[name]
        first_changed[rows] = days - window + part["first"]
        zero_days[rows], signal[rows] = part["zero_days"], part["signal"]
        year_before[rows], scored[rows] = part["year_before"], part["scored"]
    return DailyScores(
        score=np.where(scored, result["score"], 0.0),
        log_drop=np.where(scored, result["log_drop"], 0.0),
        first_low_step=first_changed,
        own_past_ratio=result["own"],
        peers_ratio=result["peers"],
        variation_ratio=result["variation"],
        zero_days=zero_days,
        signal=signal,
        year_before=year_before,
        scored=scored,
    )


def compared_days(days: int) -> tuple[int, bool]:
    """How many of the last days of a matrix of `days` days are compared, and whether against
    the year before: the last YEAR_DAYS where the days span two years (each has a year before),
    else every day against the own days before the change and the peers (with less than two
    years, the days without a year before are compared too, not dropped)."""
    paired_span = days >= 2 * YEAR_DAYS
    return (YEAR_DAYS if paired_span else days), paired_span


def _year_before_rows(recent: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Which rows are compared with their year before: MIN_PAIRED_DAYS pairs of days, and fewer
    than MIN_AFTER_DAYS compared days read without one (a customer connected within the last
    two years is compared with its own days and peers, as all are with less than two years)."""
    pairs = np.count_nonzero(~np.isnan(recent - baseline), axis=1)
    unpaired = np.count_nonzero(~np.isnan(recent), axis=1) - pairs
    return (pairs >= MIN_PAIRED_DAYS) & (unpaired < MIN_AFTER_DAYS)


def _series(
    values: np.ndarray, window: int, paired_span: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """log kWh of the compared days, its baseline a year before (NaN where none), u of the compared
    days and u's baseline a year before (NaN where none), for rows of `values`."""
    days = values.shape[1]
    typical = np.nan_to_num(row_nanmedian(np.where(values > 0, values, np.nan)), nan=1.0)[:, None]
    # As `matrix.log_consumption`: zeros as ZERO_AS_SHARE of the typical day, centred on the median.
    log_kwh = np.log(values + ZERO_AS_SHARE * typical)
    log_kwh -= row_nanmedian(log_kwh)[:, None]
    recent = log_kwh[:, days - window :]
    step_size = np.abs(np.diff(np.log(values + KWH_FLOOR * typical), axis=1))
    # The mean, not the median: it only sets the floor of a change (a share of a typical one).
    typical_step = np.maximum(np.nan_to_num(masked_row_mean(step_size, step_size >= 0)), 1e-6)
    variation = np.log(step_size + VARIATION_FLOOR * typical_step[:, None])
    recent_variation = _changes_into(variation, days - window, window)
    if not paired_span:
        empty = np.full(recent.shape, np.nan)
        return recent, empty, recent_variation, empty
    baseline = _same_weekday_median(log_kwh, days - window - YEAR_DAYS, window)
    seasonal_variation = _centred_mean(variation, VARIATION_BASELINE_DAYS)
    variation_baseline = _changes_into(seasonal_variation, days - window - YEAR_DAYS, window)
    return recent, baseline, recent_variation, variation_baseline


def _changes_into(variation: np.ndarray, first_day: int, count: int) -> np.ndarray:
    """The columns of `variation` (column k: the change from day k to day k + 1) of the changes
    into days first_day .. first_day + count - 1; NaN for a first day without a day before."""
    columns = variation[:, max(first_day - 1, 0) : first_day - 1 + count]
    missing = count - columns.shape[1]
    return np.pad(columns, ((0, 0), (missing, 0)), constant_values=np.nan)


def _centred_mean(values: np.ndarray, half: int) -> np.ndarray:
    """Per cell, the mean (NaN ignored) of the same row's cells at most `half` columns away."""
    seen = ~np.isnan(values)
    padding = ((0, 0), (half + 1, half))
    sums = np.cumsum(np.pad(np.where(seen, values, 0.0), padding), axis=1)
    counts = np.cumsum(np.pad(seen, padding), axis=1)
    width = 2 * half + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return (sums[:, width:] - sums[:, :-width]) / (counts[:, width:] - counts[:, :-width])


def _same_weekday_median(values: np.ndarray, first: int, count: int) -> np.ndarray:
    """Per column first .. first + count - 1 of `values`, the median of the same row's cells 0,
    +-7, +-14 and +-21 columns away (the same weekday in the 7 weeks around it, inside `values`);
    NaN where fewer than 4 of them hold a value.

    Missing cells are filled alternately far above and far below every value, which leaves the
    median of the others (the upper or lower one of an even count), so the median of 7 is a fixed
    sorting network (16 compare-exchanges, Knuth TAOCP vol. 3 5.3.4) on whole arrays instead of
    a sort per cell.
    """
    width = 7 * BASELINE_WEEKS
    padded = np.pad(values, ((0, 0), (width, width)), constant_values=np.nan)
    cells = [
        padded[:, width + first + 7 * k : width + first + 7 * k + count]
        for k in range(-BASELINE_WEEKS, BASELINE_WEEKS + 1)
    ]
    present = sum((~np.isnan(cell)).astype(np.int8) for cell in cells)
    cells = [
        np.where(np.isnan(cell), FAR if index % 2 == 0 else -FAR, cell)
        for index, cell in enumerate(cells)
    ]
    for low, high in SORT_SEVEN:
        cells[low], cells[high] = (
            np.minimum(cells[low], cells[high]),
            np.maximum(cells[low], cells[high]),
        )
    return np.where(present >= 4, cells[3], np.nan)


def _shared(values: np.ndarray, peer_groups: np.ndarray, window: int, paired_span: bool) -> _Shared:
    """The peers' median change and level on each compared day (per group of MIN_PEERS or more,
    else everyone's) and tau_c, from at most GROUP_SAMPLE evenly spaced rows of each group."""
    codes, sizes = np.unique(peer_groups, return_counts=True)
    sample = np.concatenate(
        [
            members[:: max(1, len(members) // GROUP_SAMPLE)]
            for members in (np.flatnonzero(peer_groups == code) for code in codes)
        ]
    )
    sample.sort()
    recent, baseline, _, _ = _series(values[sample], window, paired_span)
    change = recent - baseline
    big = codes[sizes >= MIN_PEERS] if len(codes) > 1 else codes[:0]
    # Row 0: everyone's; row i: the i-th big group's. Other groups use everyone's.
    group_row = np.zeros(int(peer_groups.max(initial=0)) + 1, dtype=np.int64)
    group_row[big] = np.arange(1, len(big) + 1)
    peers_change = np.zeros((len(big) + 1, window))
    peers_level = np.zeros((len(big) + 1, window))
    compared = [sample, *(sample[peer_groups[sample] == c] for c in big)]
    if len(peer_groups) < MIN_PEERS:  # a customer among too few would be its own peer
        compared = []
    for index, members in enumerate(compared):
        inside = np.isin(sample, members)
        peers_change[index] = np.nan_to_num(row_nanmedian(change[inside].T))
        peers_level[index] = np.nan_to_num(row_nanmedian(recent[inside].T))
    spread = MIN_YEAR_SPREAD
    if paired_span:
        relative = change - peers_change[group_row[peer_groups[sample]]]
        paired = _year_before_rows(recent, baseline)
        if paired.sum() >= MIN_PEERS:
            levels = row_nanmedian(relative[paired])
            deviation = np.abs(levels - np.median(levels))
            spread = max(float(1.4826 * np.median(deviation)), MIN_YEAR_SPREAD)
    return _Shared(
        peers_change=peers_change[group_row],
        peers_level=peers_level[group_row],
        year_spread=spread,
        compared=bool(compared),
    )


def _score_chunk(
    values: np.ndarray,
    groups: np.ndarray,
    window: int,
    paired_span: bool,
    shared: _Shared,
    log_min_drop: float,
) -> dict[str, np.ndarray]:
    """The three tests and the reasons for a chunk of rows (see `score_daily`)."""
    recent, baseline, variation, variation_baseline = _series(values, window, paired_span)
    year_before = _year_before_rows(recent, baseline)
    yb = year_before[:, None]
    change = np.where(yb, recent - baseline, recent)
    peers = np.where(yb, shared.peers_change[groups], shared.peers_level[groups])
    relative = change - peers
    seen = np.count_nonzero(~np.isnan(relative), axis=1)
    scored = year_before | (seen >= MIN_BEFORE_DAYS + MIN_AFTER_DAYS)

    # Level: a drop beyond min_drop, the level before shrunk toward the year before, a drop that
    # is over set aside.
    centre = row_nanmedian(relative)[:, None]
    limited = _limit(relative, centre)
    day_noise = np.maximum(_mad(np.diff(relative, axis=1)) / np.sqrt(2), MIN_SCALE)
    # The long-run scale around a first fit (with the day noise's pseudo-days): around the median
    # a large step would itself read as autocorrelation and its prior swamp the days before it.
    first_fit = _fit_step(
        limited, np.where(year_before, (day_noise / shared.year_spread) ** 2, 0.0), log_min_drop
    )
    long_run = _long_run_scale(first_fit, limited, MIN_SCALE)
    prior_days = np.where(year_before, (long_run / shared.year_spread) ** 2, 0.0)
    level, level_z, relative = _lasting_level(
        relative, centre, prior_days, _Noise(long_run, day_noise), log_min_drop
    )
    change = np.where(np.isnan(relative), np.nan, change)

    # Variation: flatter or more erratic days, against the same season a year before.
    against_year = variation - variation_baseline
    has_baseline = year_before & (
        np.count_nonzero(~np.isnan(against_year), axis=1) >= MIN_PAIRED_DAYS
    )
    offset = np.where(has_baseline[:, None], against_year, variation)
    variation_prior = np.where(has_baseline, np.inf, 0.0)
    flatter = _fit_step(offset, variation_prior, 0.0)
    erratic = _fit_step(-offset, variation_prior, 0.0)
    flatter_z = _scaled(flatter, offset, MIN_VARIATION_SCALE)
    erratic_z = _scaled(erratic, -offset, MIN_VARIATION_SCALE)
    variation_step = _Step(
        first_changed=np.where(
            flatter_z >= erratic_z, flatter.first_changed, erratic.first_changed
        ),
        level_before=np.zeros(len(values)),
        z=np.maximum(flatter_z, erratic_z),
        tries=2 * flatter.tries,
    )
    # A drop that also made the days more erratic (per-day factors, days bypassed): both tests'
    # evidence at the level's day (Stouffer), the variation against the own days before it.
    erratic_at, enough_before = _step_at(-offset, level.first_changed)
    erratic_at_z = _scaled(erratic_at, -offset, MIN_VARIATION_SCALE)
    joint = has_baseline & (level_z > 0) & (erratic_at_z > 0) & enough_before
    level_z = np.where(joint, np.maximum(level_z, (level_z + erratic_at_z) / np.sqrt(2)), level_z)
    # Against the year before, a vacancy or a step up last year reads as a drop now. Where the
    # year before rose at the level's day (against its peers') and the customer's own days
    # (against its peers' level) fell there by less than half of min_drop, the level's evidence
    # is at most that of its own days having fallen, or none (a score of 0). Where the year
    # before rose from a vacancy (by more than VACANT_LOG), whatever the own days did, it is at
    # most their evidence of a fall beyond min_drop: a dip of the own days must not borrow the
    # vacancy's size. Weaker evidence is left as it was (the order of customers without
    # evidence is kept).
    own_days = recent - shared.peers_level[groups]
    own_days = _limit(own_days, row_nanmedian(own_days)[:, None])
    year_before_days = baseline - (shared.peers_level - shared.peers_change)[groups]
    year_before_rise = _rise_at(year_before_days, level.first_changed)
    stepped = year_before_rise > log_min_drop / 2
    from_vacancy = year_before_rise > VACANT_LOG
    own_fell = -_rise_at(own_days, level.first_changed) >= log_min_drop / 2
    own_z = _own_fall_z(own_days, level, np.where(from_vacancy, log_min_drop, 0.0))
    capped = np.minimum(level_z, np.maximum(own_z, _zero_score_z(level.tries)))
    level_z = np.where(year_before & (stepped & ~own_fell | from_vacancy), capped, level_z)

    # Zero reads against the same number of days a year before (none: 0). Without one, only
    # those after the first day with use: a home empty when its reads began and lived in since
    # had no meter read 0, it had no use yet.
    days = values.shape[1]
    recent_kwh = values[:, days - window :]
    first_used = np.argmax(recent_kwh > 0, axis=1)
    counted = yb | (np.arange(window) > first_used[:, None])
    zero_read = (recent_kwh == 0) & counted
    zero_days = np.count_nonzero(zero_read, axis=1)
    if paired_span:
        zero_before = np.count_nonzero(
            values[:, days - window - YEAR_DAYS : days - YEAR_DAYS] == 0, axis=1
        )
    else:
        zero_before = np.zeros(len(values), dtype=np.int64)
    zero_before = np.where(year_before, zero_before, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        zero_z = np.where(
            zero_days > 0, (zero_days - zero_before) / np.sqrt(zero_days + zero_before), 0.0
        )
    first_zero = np.argmax(zero_read, axis=1)

    # Flatter or more erratic days are a theft's sign only where the energy used did not rise:
    # a home that was empty, or on a fridge's load, and is lived in again has livelier days,
    # honestly. In kWh summed (days evened out to their mean keep their energy but raise their
    # log level), on its own days and, where there is a year before with use, against it too
    # (a season's rise is no rise).
    variation_after = np.arange(window) >= variation_step.first_changed[:, None]
    # The own days before the change include those before the compared days (a change on the
    # first compared days has its year before to rise from).
    own_after = np.arange(days) >= (days - window + variation_step.first_changed)[:, None]
    rose = _energy_rise(values, np.ones_like(values), own_after) > log_min_drop
    prior_kwh = np.full(recent_kwh.shape, np.nan)
    if paired_span:
        prior_kwh = values[:, days - window - YEAR_DAYS : days - YEAR_DAYS]
        against_year = _energy_rise(recent_kwh, prior_kwh, variation_after)
        rose &= ~year_before | np.isnan(against_year) | (against_year > log_min_drop)
        # Against a year before that used next to nothing (a vacancy last year), the days from the
        # change on are livelier than their baseline whatever the own days before: a rise of more
        # than FROM_LITTLE times against it (or from none) is a rise on its own.
        prior_after = np.where(variation_after, prior_kwh, np.nan)
        from_none = (np.nansum(prior_after, axis=1) == 0) & (~np.isnan(prior_after)).any(axis=1)
        from_little = (against_year > np.log(FROM_LITTLE)) | from_none
        rose |= has_baseline & from_little
    scores = np.column_stack(
        [
            _continued_sidak(level_z, level.tries),
            np.where(rose, SCORE_FLOOR, _continued_sidak(variation_step.z, variation_step.tries)),
            np.where(zero_days > 0, zero_z, SCORE_FLOOR),
        ]
    )
    gated = np.where(scores[:, 1:] > SHAPE_GATE, scores[:, 1:], -np.inf)
    signal = np.argmax(np.column_stack([scores[:, 0], gated]), axis=1)
    rows = np.arange(len(values))
    first = np.select(
        [signal == 1, signal == 2],
        [variation_step.first_changed, first_zero],
        level.first_changed,
    )
    after = np.arange(window) >= first[:, None]
    before = ~after
    with np.errstate(invalid="ignore", divide="ignore"):
        level_before = _shrunk_mean(relative, before, prior_days)
        log_drop = level_before - masked_row_mean(relative, after)
        peers_after = masked_row_mean(peers, after)
        own = np.where(
            year_before, _kwh_ratio(recent_kwh, prior_kwh, after & ~np.isnan(change)), np.nan
        )
        peers_ratio = np.where(
            year_before, np.exp(peers_after), np.exp(peers_after - masked_row_mean(peers, before))
        )
        if not shared.compared:
            peers_ratio = np.full(len(values), np.nan)
        variation_before = np.where(has_baseline, 0.0, masked_row_mean(offset, before))
        variation_ratio = np.exp(masked_row_mean(offset, after) - variation_before)
    return {
        "score": scores[rows, signal],
        "log_drop": np.nan_to_num(log_drop),
        "own": np.where(scored, own, np.nan),
        "peers": np.where(scored, peers_ratio, np.nan),
        "variation": np.where(scored, variation_ratio, np.nan),
        "first": first,
        "zero_days": zero_days,
        "signal": signal,
        "year_before": year_before & scored,
        "scored": scored,
    }


def _kwh_ratio(kwh: np.ndarray, prior_kwh: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per row, the kWh of the days `mask` holds over the `prior_kwh` of the same days (days both
    read); NaN where the prior days summed 0 (no use to compare with)."""
    read = mask & ~np.isnan(kwh) & ~np.isnan(prior_kwh)
    prior = np.where(read, prior_kwh, 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(prior > 0, np.where(read, kwh, 0).sum(axis=1) / prior, np.nan)


def _energy_rise(kwh: np.ndarray, prior_kwh: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Per row, the log of how much the kWh of the days `after` rose (against `prior_kwh`)
    over those of the days before, each side a ratio of sums over the days both read (one noisy
    day cannot make a rise); NaN where a side has no kWh against."""
    read = ~np.isnan(kwh) & ~np.isnan(prior_kwh)
    with np.errstate(invalid="ignore", divide="ignore"):
        after_ratio, before_ratio = (
            np.where(read & side, kwh, 0).sum(axis=1)
            / np.where(read & side, prior_kwh, 0).sum(axis=1)
            for side in (after, ~after)
        )
        rise = np.log(after_ratio / before_ratio)
    return np.where(np.isfinite(after_ratio), rise, np.nan)


def _lasting_level(
    relative: np.ndarray,
    centre: np.ndarray,
    prior_days: np.ndarray,
    noise: _Noise,
    log_min_drop: float,
) -> tuple[_Step, np.ndarray, np.ndarray]:
    """The level's step and z on r limited around its `centre`, a drop that is over set aside;
    and r with the days set aside as NaN (the reasons are worded without them).

    Where the best step is evidence of a drop (z > 0) but its last days are back at the level
    before (`_rebound`: a holiday or a trip ending within the last weeks), its days from the step
    to the rebound are set aside and the search is repeated; the z kept is the larger of the new
    search's and the first one's limited by the z of the days back (both limited so again when
    the new one rebounds too). Sidak's tries stay those of the first search.
    """
    limited = _limit(relative, centre)
    level = _fit_step(limited, prior_days, log_min_drop)
    level_z = _scaled(level, limited, MIN_SCALE)
    over, back_from = _rebound(relative, level, prior_days, noise.day)
    rows = np.flatnonzero(over & (level_z > 0))
    if len(rows) == 0:
        return level, level_z, relative
    days = np.arange(relative.shape[1])
    set_aside = (days >= level.first_changed[rows, None]) & (days < back_from[rows, None])
    kept = np.where(set_aside, np.nan, relative[rows])
    kept_limited = _limit(kept, centre[rows])
    refit = _fit_step(kept_limited, prior_days[rows], log_min_drop)
    refit_z = _scaled(refit, kept_limited, MIN_SCALE)
    again, again_from = _rebound(kept, refit, prior_days[rows], noise.day[rows])
    refit_z = np.where(
        again,
        np.minimum(
            refit_z,
            _days_back_z(
                kept, refit, again_from, prior_days[rows], noise.long_run[rows], log_min_drop
            ),
        ),
        refit_z,
    )
    first = _Step(
        first_changed=level.first_changed[rows],
        level_before=level.level_before[rows],
        z=level.z[rows],
        tries=level.tries[rows],
    )
    first_z = np.minimum(
        level_z[rows],
        _days_back_z(
            relative[rows],
            first,
            back_from[rows],
            prior_days[rows],
            noise.long_run[rows],
            log_min_drop,
        ),
    )
    use_refit = refit_z >= first_z
    chosen = rows[use_refit]
    first_changed, level_before = level.first_changed.copy(), level.level_before.copy()
    first_changed[chosen] = refit.first_changed[use_refit]
    level_before[chosen] = refit.level_before[use_refit]
    level_z = level_z.copy()
    level_z[rows] = np.maximum(refit_z, first_z)
    relative = relative.copy()
    relative[chosen] = kept[use_refit]
    step = _Step(
        first_changed=first_changed, level_before=level_before, z=level.z, tries=level.tries
    )
    return step, level_z, relative


def _limit(relative: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """r limited to LEVEL_CLIP around each row's `centre`, less the year before's level 0 limited
    alike: the prior's mean and the days stay in the same units (a home that moved out early sits
    far below 0, and its days before the move would otherwise be limited but not the prior)."""
    low, high = centre - LEVEL_CLIP, centre + LEVEL_CLIP
    return np.clip(relative, low, high) - np.clip(0.0, low, high)


def _rebound(
    relative: np.ndarray, step: _Step, prior_days: np.ndarray, day_noise: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which rows' drop is over, and from which column its days are back.

    With b the level before the step (shrunk as in `_fit_step`), a the mean after and m_k the
    mean of the last k days, the log likelihood ratio of "the last k days are at b" against "at a"
    under normal day noise is k (b - a) (m_k - (a + b) / 2) / sigma^2; the drop is over where its
    largest over k = 1 .. REBOUND_DAYS exceeds REBOUND_LLR (the two-segment "epidemic" change of
    Levin and Kline 1985, its end searched in the last days only: a theft lasts).
    """
    window = relative.shape[1]
    after = np.arange(window) >= step.first_changed[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        before = _shrunk_mean(relative, ~after, prior_days)
        level_after = masked_row_mean(relative, after)
        last = relative[:, -REBOUND_DAYS:][:, ::-1]
        seen = ~np.isnan(last)
        counts = np.cumsum(seen, axis=1)
        means = np.cumsum(np.where(seen, last, 0.0), axis=1) / counts
        drop = before - level_after
        ratio = counts * drop[:, None] * (means - (before + level_after)[:, None] / 2)
        ratio = np.where(counts > 0, ratio / day_noise[:, None] ** 2, -np.inf)
    ratio = np.nan_to_num(ratio, nan=-np.inf)
    longest = np.argmax(ratio, axis=1)
    over = (ratio[np.arange(len(relative)), longest] > REBOUND_LLR) & (drop > 0)
    return over, window - 1 - longest


def _days_back_z(
    relative: np.ndarray,
    step: _Step,
    back_from: np.ndarray,
    prior_days: np.ndarray,
    long_run: np.ndarray,
    log_min_drop: float,
) -> np.ndarray:
    """The evidence that the days from `back_from` on are still beyond min_drop below the level
    before the step (negative where they are back), per unit of the mean's error."""
    days = np.arange(relative.shape[1])
    last = days >= back_from[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        before = _shrunk_mean(relative, days < step.first_changed[:, None], prior_days)
        count = np.count_nonzero(last & ~np.isnan(relative), axis=1)
        z = (before - masked_row_mean(relative, last) - log_min_drop) * np.sqrt(count) / long_run
    return np.nan_to_num(z, nan=SCORE_FLOOR)


def _near(series: np.ndarray, first_changed: np.ndarray) -> np.ndarray:
    """`series` with only the OWN_FALL_DAYS days either side of each row's `first_changed` kept
    (close enough for the season to hold), the others NaN."""
    days = np.arange(series.shape[1])
    start = first_changed[:, None]
    return np.where(
        (days >= start - OWN_FALL_DAYS) & (days < start + OWN_FALL_DAYS), series, np.nan
    )


def _own_fall_z(own_days: np.ndarray, level: _Step, offset: np.ndarray) -> np.ndarray:
    """Per row, the evidence (z over the long-run scale) that `own_days` fell by more than its
    `offset` at the level's first changed day: their mean over the OWN_FALL_DAYS days from it
    against the OWN_FALL_DAYS days before it; no evidence against (inf) with fewer than
    MIN_BEFORE_DAYS before it."""
    near = _near(own_days, level.first_changed)
    step, enough_before = _step_at(near, level.first_changed, offset)
    return np.where(enough_before, _scaled(step, near, MIN_SCALE), np.inf)


def _rise_at(series: np.ndarray, first_changed: np.ndarray) -> np.ndarray:
    """Per row, the mean of `series` over the OWN_FALL_DAYS days from `first_changed` less that
    over the OWN_FALL_DAYS days before it (NaN where a side has none)."""
    near = _near(series, first_changed)
    after = np.arange(series.shape[1]) >= first_changed[:, None]
    return masked_row_mean(near, after) - masked_row_mean(near, ~after)


def _step_at(
    series: np.ndarray, first_changed: np.ndarray, offset: float | np.ndarray = 0.0
) -> tuple[_Step, np.ndarray]:
    """A step of each row of `series` at a given column against its own days before (no prior),
    its z per unit noise (evidence that it exceeds `offset`) as `_fit_step` gives it; and whether
    MIN_BEFORE_DAYS were before it."""
    after = np.arange(series.shape[1]) >= first_changed[:, None]
    seen = ~np.isnan(series)
    count_before = np.count_nonzero(seen & ~after, axis=1)
    count_after = np.count_nonzero(seen & after, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        level_before = masked_row_mean(series, ~after)
        z = (level_before - masked_row_mean(series, after) - offset) / np.sqrt(
            1 / count_before + 1 / count_after
        )
    step = _Step(
        first_changed=first_changed,
        level_before=np.nan_to_num(level_before),
        z=np.nan_to_num(z),
        tries=np.ones(len(series), dtype=np.int64),
    )
    return step, count_before >= MIN_BEFORE_DAYS


def _shrunk_mean(values: np.ndarray, mask: np.ndarray, prior_days: np.ndarray) -> np.ndarray:
    """Per row, the mean of its non-NaN values where `mask` holds, shrunk toward 0 by
    `prior_days` pseudo-days at 0."""
    seen = mask & ~np.isnan(values)
    return np.where(seen, values, 0.0).sum(axis=1) / (seen.sum(axis=1) + prior_days)


def _scaled(step: _Step, series: np.ndarray, floor: float) -> np.ndarray:
    """The step's z divided by the series' long-run scale around it (`_long_run_scale`)."""
    return step.z / _long_run_scale(step, series, floor)


def _long_run_scale(step: _Step, series: np.ndarray, floor: float) -> np.ndarray:
    """The robust scale (at least `floor`) of each row of `series` around its fitted step,
    widened for lag-one autocorrelation: the error scale of a mean of many days."""
    after = np.arange(series.shape[1]) >= step.first_changed[:, None]
    level_after = masked_row_mean(series, after)
    fitted = np.where(after, level_after[:, None], step.level_before[:, None])
    residual = series - fitted
    # Residuals around the fitted step are centred on about 0: 1.4826 median |residual|.
    scale = np.maximum(np.nan_to_num(1.4826 * row_nanmedian(np.abs(residual)), nan=floor), floor)
    return scale * autocorrelation_inflation(np.nan_to_num(residual))


def _continued_sidak(z: np.ndarray, tries: np.ndarray) -> np.ndarray:
    """`sidak_score` where it is positive (evidence of a change), continued below 0 by z minus
    the z that scores 0 (a shift, so the order of the customers without evidence is kept).

    With some 300 days tried, every z below about 2.7 would otherwise saturate at the floor, and
    a mild lasting theft would tie with every steady customer.
    """
    corrected = sidak_score(z, tries)
    return np.where(corrected > 0, corrected, np.maximum(z - _zero_score_z(tries), SCORE_FLOOR))


def _zero_score_z(tries: np.ndarray) -> np.ndarray:
    """The z that `sidak_score` scores 0 with `tries` tries."""
    from scipy import special

    return -special.ndtri(-np.expm1(np.log(0.5) / tries))


def _fit_step(series: np.ndarray, prior_days: np.ndarray, offset: float) -> _Step:
    """The best lasting drop of each row of `series` (days in columns, NaN = none) and its z.

    The level before a candidate day is the mean of the days before, shrunk toward 0 by
    `prior_days` pseudo-days (inf: the level before is 0, the baseline alone; 0: the own days
    alone, at least MIN_BEFORE_DAYS of them). z (per unit noise) is the evidence that the drop
    exceeds `offset`, the smaller of the step's and the last MIN_AFTER_DAYS days'.
    """
    seen = ~np.isnan(series)
    filled = np.where(seen, series, 0.0)
    count_before = np.cumsum(seen, axis=1) - seen
    sum_before = np.cumsum(filled, axis=1) - filled
    count_after = seen.sum(axis=1, keepdims=True) - count_before
    sum_after = filled.sum(axis=1, keepdims=True) - sum_before
    weight_before = count_before + prior_days[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_before = np.where(weight_before > 0, sum_before / weight_before, 0.0)
        inverse_before = np.where(weight_before > 0, 1 / weight_before, np.inf)
        delta = mean_before - sum_after / count_after
        spread = np.sqrt(inverse_before + 1 / count_after)
        enough_before = (prior_days[:, None] > 0) | (count_before >= MIN_BEFORE_DAYS)
        allowed = (count_after >= MIN_AFTER_DAYS) & seen & enough_before
        step_z = np.where(allowed, (delta - offset) / spread, -np.inf)
    first = np.argmax(step_z, axis=1)
    rows = np.arange(len(series))
    level_before = mean_before[rows, first]
    tail_seen = seen[:, -MIN_AFTER_DAYS:]
    tail_count = np.maximum(tail_seen.sum(axis=1), 1)
    tail_mean = filled[:, -MIN_AFTER_DAYS:].sum(axis=1) / tail_count
    with np.errstate(invalid="ignore"):
        tail_z = (level_before - tail_mean - offset) / np.sqrt(
            inverse_before[rows, first] + 1 / tail_count
        )
    z = np.minimum(step_z[rows, first], np.nan_to_num(tail_z, nan=-np.inf))
    z = np.where(allowed.any(axis=1), z, SCORE_FLOOR)
    return _Step(
        first_changed=first,
        level_before=level_before,
        z=z,
        tries=np.maximum(allowed.sum(axis=1), 1),
    )


def _mad(values: np.ndarray) -> np.ndarray:
    """1.4826 x the median absolute deviation of each row, ignoring NaN."""
    centre = row_nanmedian(values)
    return 1.4826 * row_nanmedian(np.abs(values - centre[:, None]))

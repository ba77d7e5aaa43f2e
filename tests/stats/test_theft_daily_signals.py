"""theft_scores on daily reads: flattened or erratic days, zero reads, and one year of reads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from theft_builders import TWO_YEARS, daily_scores

from auditkit.stats.theft_daily import _same_weekday_median

LAST_YEAR = 364


def _population(days: pd.DatetimeIndex, customers: int = 120, seed: int = 3) -> np.ndarray:
    """Honest homes: own scale, a winter peak of their own size, weekends and day-to-day noise
    (kWh, customers x days)."""
    rng = np.random.default_rng(seed)
    winter = np.cos(2 * np.pi * (np.arange(len(days)) % LAST_YEAR) / LAST_YEAR)
    weekend = np.where(days.day_of_week >= 5, 0.2, 0.0)
    log_kwh = (
        rng.normal(2.5, 0.4, (customers, 1))
        + rng.uniform(0.1, 0.6, (customers, 1)) * winter
        + weekend
        + rng.normal(0, 0.15, (customers, len(days)))
    )
    return np.round(np.exp(log_kwh), 3)


def test_reads_held_at_their_mean_fire_on_their_flat_days_though_the_level_is_kept():
    kwh = _population(TWO_YEARS)
    start = LAST_YEAR + 250
    kwh[4, start:] = round(kwh[4, start:].mean(), 3)  # the same total, one read every day
    scores = daily_scores(kwh, TWO_YEARS)
    flat = scores.loc["H004"]
    assert flat["signal"] == "variation"
    assert flat["score"] > 3
    assert flat["variation_ratio"] < 0.2
    assert abs((flat["change_at"] - TWO_YEARS[start]).days) <= 2
    assert (scores.drop(index="H004")["score"] > 3).mean() < 0.02


def test_per_day_random_factors_fire_as_more_erratic_days():
    kwh = _population(TWO_YEARS)
    rng = np.random.default_rng(8)
    start = LAST_YEAR + 200
    kwh[6, start:] *= rng.uniform(0.1, 0.8, len(TWO_YEARS) - start)
    scores = daily_scores(kwh, TWO_YEARS)
    assert scores.index[0] == "H006"
    assert scores.loc["H006", "score"] > 3
    assert scores.loc["H006", "variation_ratio"] > 1.5


def test_a_zeroed_month_that_is_over_fires_on_its_zero_reads():
    kwh = _population(TWO_YEARS)
    start = LAST_YEAR + 100
    kwh[2, start : start + 30] = 0.0  # a bypass for 30 days, then metered again
    kwh[11, start : start + 30] *= 0.05  # an empty home for 30 days, then back: no theft
    scores = daily_scores(kwh, TWO_YEARS)
    bypassed = scores.loc["H002"]
    assert bypassed["signal"] == "zero_reads"
    assert bypassed["zero_days"] == 30
    assert bypassed["score"] == pytest.approx(30 / np.sqrt(30))  # (30 - 0) / sqrt(30 + 0)
    assert bypassed["change_at"] == TWO_YEARS[start]
    assert scores.loc["H011", "score"] < 2
    assert scores.loc["H011", "zero_days"] == 0


def test_a_lasting_fall_keeps_its_day_to_day_variation():
    kwh = _population(TWO_YEARS)
    kwh[8, LAST_YEAR + 150 :] *= 0.5  # fewer occupants, or a theft scaling every day alike
    scores = daily_scores(kwh, TWO_YEARS)
    assert scores.loc["H008", "signal"] == "level"
    assert scores.loc["H008", "variation_ratio"] == pytest.approx(1.0, abs=0.2)


def test_one_year_of_reads_is_scored_against_its_own_days_and_its_peers():
    one_year = TWO_YEARS[LAST_YEAR:]
    kwh = _population(one_year)
    fall_day = 200
    kwh[5, fall_day:] *= 0.6
    kwh[:, 120:] *= 0.7  # everyone uses less from day 120 on (a mild season): no theft
    scores = daily_scores(kwh, one_year)
    thief = scores.loc["H005"]
    assert scores.index[0] == "H005"
    assert thief["score"] > 3
    assert thief["baseline"] == "own_days"
    assert thief["signal"] == "level"
    assert abs((thief["change_at"] - one_year[fall_day]).days) <= 3
    assert thief["drop_ratio"] == pytest.approx(0.6, abs=0.06)
    assert np.isnan(thief["own_past_ratio"])
    # The peers' level from the change on against before it: they fell too (from day 120).
    centred = np.log(kwh) - np.median(np.log(kwh), axis=1, keepdims=True)
    peers = np.median(centred, axis=0)
    expected = np.exp(peers[fall_day:].mean() - peers[:fall_day].mean())
    assert expected < 0.9
    assert thief["peers_ratio"] == pytest.approx(expected, abs=0.02)
    assert (scores.drop(index="H005")["score"] > 3).mean() < 0.02


def test_the_baseline_a_year_before_is_the_median_of_the_same_weekday_in_seven_weeks():
    days = np.arange(70, dtype=float)
    values = np.vstack([days, days]) % 9  # same weekday every 7 columns: 35, 42, ... differ
    values[1, [21, 28, 35, 42]] = np.nan  # 3 of the 7 left around column 35
    baseline = _same_weekday_median(values, 0, 70)
    # Column 35: columns 14, 21, ..., 56 hold 5, 3, 1, 8, 6, 4, 2 -> median 4.
    assert baseline[0, 35] == 4.0
    assert np.isnan(baseline[1, 35])
    # Column 3: only columns 3, 10, 17, 24 exist (3, 1, 8, 6): the upper median of the four.
    assert baseline[0, 3] == 6.0
    # Columns 28 .. 41 alone: their neighbours outside the range still count.
    assert _same_weekday_median(values, 28, 14)[0, 7] == baseline[0, 35]


def test_a_home_lived_in_again_after_standing_empty_is_no_suspect_for_its_livelier_days():
    kwh = _population(TWO_YEARS)
    rng = np.random.default_rng(5)
    moved_in = LAST_YEAR + 136
    kwh[2, :moved_in] = 0.0  # empty, no load at all
    kwh[3, :moved_in] = np.round(np.exp(rng.normal(0, 0.05, moved_in)), 3)  # a fridge's kWh
    scores = daily_scores(kwh, TWO_YEARS)
    for home in ("H002", "H003"):
        assert scores.loc[home, "score"] < 0  # its use rose: evidence against a theft
        assert scores.loc[home, "signal"] == "level"
    assert np.isnan(scores.loc["H002", "own_past_ratio"])  # a year before of 0 kWh: no share
    assert scores.loc["H003", "own_past_ratio"] > 5


def test_days_held_at_their_mean_fire_though_their_log_level_rose_with_it():
    kwh = _population(TWO_YEARS)
    rng = np.random.default_rng(9)
    kwh[8] *= np.exp(rng.normal(0, 0.8, len(TWO_YEARS)))  # very uneven days: a mean lifts logs
    start = LAST_YEAR + 250
    kwh[8, start:] = round(kwh[8, start:].mean(), 3)
    scores = daily_scores(kwh, TWO_YEARS)
    assert scores.loc["H008", "signal"] == "variation"
    assert scores.loc["H008", "score"] > 3


@pytest.mark.parametrize("customers", [1, 2, 19])
def test_among_fewer_than_twenty_customers_a_fall_is_its_own_not_hidden_as_its_peers(customers):
    kwh = _population(TWO_YEARS, customers=customers)
    fall_day = LAST_YEAR + 150
    kwh[0, fall_day:] *= 0.5
    thief = daily_scores(kwh, TWO_YEARS).loc["H000"]
    assert thief["score"] > 3
    assert thief["own_past_ratio"] == pytest.approx(0.5, abs=0.06)
    assert np.isnan(thief["peers_ratio"])  # no peers compared: none worded

"""theft_scores on two years of daily reads: the last year against the same days a year before."""

from __future__ import annotations

import numpy as np
import pytest
from theft_builders import TWO_YEARS, daily_scores

LAST_YEAR = 364


def _population(customers: int = 120, seed: int = 3) -> np.ndarray:
    """Honest homes: own scale, a winter peak of their own size, weekends, day-to-day noise, and
    the same season both years (kWh, customers x days)."""
    rng = np.random.default_rng(seed)
    day_of_year = np.arange(len(TWO_YEARS)) % LAST_YEAR
    winter = np.cos(2 * np.pi * day_of_year / LAST_YEAR)
    weekend = np.where(TWO_YEARS.day_of_week >= 5, 0.2, 0.0)
    log_kwh = (
        rng.normal(2.5, 0.4, (customers, 1))
        + rng.uniform(0.1, 0.6, (customers, 1)) * winter
        + weekend
        + rng.normal(0, 0.15, (customers, len(TWO_YEARS)))
    )
    return np.exp(log_kwh)


def test_a_lasting_40_percent_fall_against_last_years_days_fires_with_its_day():
    kwh = _population()
    fall_day = LAST_YEAR + 150
    kwh[5, fall_day:] *= 0.6
    scores = daily_scores(kwh)
    thief = scores.loc["H005"]
    assert scores.index[0] == "H005"
    assert thief["score"] > 3
    assert thief["baseline"] == "year_before"
    assert abs((thief["change_at"] - TWO_YEARS[fall_day]).days) <= 3
    assert thief["drop_ratio"] == pytest.approx(0.6, abs=0.06)
    assert thief["own_past_ratio"] == pytest.approx(0.6, abs=0.06)
    assert thief["peers_ratio"] == pytest.approx(1.0, abs=0.03)
    assert thief["steps_since_change"] == pytest.approx(len(TWO_YEARS) - fall_day, abs=3)
    assert (scores.drop(index="H005")["score"] > 3).mean() < 0.02


def test_a_holiday_home_whose_winter_equals_last_winter_does_not_fire():
    kwh = _population()
    winter_months = (np.arange(len(TWO_YEARS)) % LAST_YEAR < 120) | (
        np.arange(len(TWO_YEARS)) % LAST_YEAR > 300
    )
    kwh[9, ~winter_months] *= 0.15  # only lived in during the winters, both years alike
    scores = daily_scores(kwh)
    assert scores.loc["H009", "score"] < 2


def test_a_three_week_vacancy_that_is_over_does_not_fire():
    kwh = _population()
    kwh[12, LAST_YEAR + 200 : LAST_YEAR + 221] *= 0.05
    scores = daily_scores(kwh)
    assert scores.loc["H012", "score"] < 2


def test_a_fall_all_peers_share_is_no_theft():
    kwh = _population()
    kwh[:, LAST_YEAR + 100 :] *= 0.6  # a tariff, a mild winter: everyone uses less
    kwh[7, LAST_YEAR + 100 :] *= 0.6  # one customer falls beyond its peers
    scores = daily_scores(kwh)
    assert scores.index[0] == "H007"
    assert (scores.drop(index="H007")["score"] > 3).mean() < 0.02
    assert scores.loc["H007", "peers_ratio"] == pytest.approx(0.6, abs=0.05)
    assert scores.loc["H007", "drop_ratio"] == pytest.approx(0.6, abs=0.08)


def test_a_new_account_without_a_year_before_is_scored_on_its_own_days():
    kwh = _population()
    kwh[3, :LAST_YEAR] = np.nan  # connected a year ago
    kwh[3, LAST_YEAR + 200 :] *= 0.4
    scores = daily_scores(kwh)
    assert scores.loc["H003", "baseline"] == "own_days"
    assert scores.loc["H003", "score"] > 3
    assert np.isnan(scores.loc["H003", "own_past_ratio"])
    assert scores.loc["H000", "baseline"] == "year_before"

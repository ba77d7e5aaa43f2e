"""theft_scores on two years of daily reads: a drop must last, a warm month above the year before is
no drop, and a drop whose days turned erratic counts both tests (theft_daily's level test)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from theft_builders import TWO_YEARS, daily_scores

from auditkit.stats.theft_daily import REBOUND_DAYS, REBOUND_LLR, _limit, _rebound, _Step

LAST_YEAR = 364
HOLIDAY, THIEF, WARM_START, FACTORS = 4, 5, 6, 8


def _population(customers: int = 120, seed: int = 3, carried: float = 0.0) -> np.ndarray:
    """Honest homes: own scale, a winter peak of their own size, weekends, day-to-day noise (sd
    0.15, AR(1): `carried` of a day's deviation carried to the next), and the same season both
    years (kWh, customers x days)."""
    rng = np.random.default_rng(seed)
    winter = np.cos(2 * np.pi * (np.arange(len(TWO_YEARS)) % LAST_YEAR) / LAST_YEAR)
    weekend = np.where(TWO_YEARS.day_of_week >= 5, 0.2, 0.0)
    shocks = rng.normal(0, 0.15, (customers, len(TWO_YEARS)))
    noise = shocks.copy()
    for day in range(1, len(TWO_YEARS)):
        noise[:, day] = carried * noise[:, day - 1] + np.sqrt(1 - carried**2) * shocks[:, day]
    log_kwh = (
        rng.normal(2.5, 0.4, (customers, 1))
        + rng.uniform(0.1, 0.6, (customers, 1)) * winter
        + weekend
        + noise
    )
    return np.exp(log_kwh)


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    kwh = _population()
    kwh[HOLIDAY, -24:-3] *= 0.15  # three weeks away, home for the last three days
    kwh[THIEF, -44:] *= 0.5  # the same depth, lasting to the last read
    days_factored = len(TWO_YEARS) - (LAST_YEAR + 150)
    kwh[FACTORS, LAST_YEAR + 150 :] *= np.random.default_rng(5).uniform(0.3, 1.0, days_factored)
    return daily_scores(kwh)


def test_a_holiday_over_three_days_before_the_last_read_is_set_aside_but_a_lasting_fall_is_not(
    scores: pd.DataFrame,
):
    assert scores.loc["H004", "score"] < 0
    thief = scores.loc["H005"]
    assert scores.index[0] == "H005"
    assert thief["score"] > 3
    assert thief["change_at"] == TWO_YEARS[-44]
    assert thief["drop_ratio"] == pytest.approx(0.5, abs=0.05)


def test_a_warm_month_above_the_year_before_at_the_start_is_no_drop_from_there_on():
    # Days carry half their deviation to the next: 28 days are worth about 28 / 3 independent
    # ones against the year before, and the month is no level the customer fell from.
    kwh = _population(carried=0.5)
    kwh[WARM_START, LAST_YEAR : LAST_YEAR + 28] *= 1.8
    kwh[THIEF, -44:] *= 0.5
    scores = daily_scores(kwh)
    assert scores.loc["H006", "score"] < 0
    assert scores.index[0] == "H005"
    assert scores.loc["H005", "score"] > 3


def test_per_day_factors_count_the_lower_level_and_the_erratic_days_together(
    scores: pd.DataFrame,
):
    thief = scores.loc["H008"]
    assert thief["signal"] == "level"
    assert thief["score"] > 6
    assert thief["variation_ratio"] > 1.5
    assert abs((thief["change_at"] - TWO_YEARS[LAST_YEAR + 150]).days) <= 3
    honest = scores.drop(index=["H004", "H005", "H008"])
    assert (honest["score"] > 3).sum() == 0


def _drop_then(last_days: list[float]) -> np.ndarray:
    """40 days at 0, then 30 after the change: -1 but for `last_days` at the end (one row)."""
    after = [-1.0] * (30 - len(last_days)) + last_days
    return np.array([[0.0] * 40 + after])


def _step_at_day_40() -> _Step:
    return _Step(
        first_changed=np.array([40]),
        level_before=np.zeros(1),
        z=np.zeros(1),
        tries=np.ones(1, dtype=np.int64),
    )


def test_the_rebound_is_the_likelihood_ratio_of_the_last_days_back_at_the_level_before():
    # Before b = 0, after a = (27 x -1 + 3 x 0) / 30 = -0.9, midpoint -0.45. The last 3 days
    # at 0: k (b - a)(m_k - mid) / sigma^2 = 3 x 0.9 x 0.45 / 0.3^2 = 13.5 (k = 2: 9.0, k = 4,
    # m = -0.25: 8.0), above REBOUND_LLR = 10: over, back from day 67.
    assert REBOUND_LLR == 10.0
    assert REBOUND_DAYS == 27
    no_prior = np.zeros(1)
    over, back_from = _rebound(_drop_then([0.0] * 3), _step_at_day_40(), no_prior, np.array([0.3]))
    assert over.tolist() == [True]
    assert back_from.tolist() == [67]
    # Noisier days, sigma 0.35: 1.215 / 0.1225 = 9.9, not enough.
    over, _ = _rebound(_drop_then([0.0] * 3), _step_at_day_40(), no_prior, np.array([0.35]))
    assert over.tolist() == [False]
    # Still down to the last day: every k gives a negative ratio.
    over, _ = _rebound(_drop_then([]), _step_at_day_40(), no_prior, np.array([0.3]))
    assert over.tolist() == [False]


def test_the_level_is_limited_with_the_year_befores_level_in_the_same_units():
    # A home that moved out: its median r is -3 (the days after the move), so r is limited to
    # [-3.5, -2.5] and the year before's level 0 to -2.5; a day before the move at -0.1 reads
    # -2.5 - (-2.5) = 0 (at the year before), one after at -3.2 reads -0.7 (below the clip: -3.5
    # + 2.5 = -1.0 at most). A home at its median 0 is limited to +-0.5 around 0 and kept as is.
    relative = np.array([[-0.1, -3.2, -4.0], [0.3, -0.2, -0.9]])
    centre = np.array([[-3.0], [0.0]])
    expected = [[0.0, -0.7, -1.0], [0.3, -0.2, -0.5]]
    np.testing.assert_allclose(_limit(relative, centre), expected, atol=1e-12)

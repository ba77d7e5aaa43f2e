"""theft_scores on daily reads: what the year before may and may not claim, and reads spanning less
than two years (issue 16's review: a step or a vacancy last year, a rise from an empty year, the
days without a year before)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_theft_daily_signals import LAST_YEAR, _population
from theft_builders import TWO_YEARS, daily_scores


def test_a_vacancy_a_year_before_is_no_drop_now_while_a_theft_still_fires():
    kwh = _population(TWO_YEARS)
    kwh[5, 0:60] = 0.0  # empty for 60 days a year before, lived in as usual since
    kwh[7, 0:60] = 0.0  # the same vacancy a year before, and a theft this year: near miss
    kwh[7, LAST_YEAR + 200 :] *= 0.6
    scores = daily_scores(kwh)
    # Before: H005 scored 9.9, a drop from the day its vacancy ended a year before.
    assert scores.loc["H005", "score"] <= 1e-9  # no evidence: a score of 0
    assert scores.loc["H007", "score"] > 3
    assert (scores.drop(index="H007")["score"] > 3).sum() == 0


def test_a_step_up_in_the_year_before_is_no_drop_when_its_own_days_kept_their_level():
    kwh = _population(TWO_YEARS)
    kwh[9, :200] *= 0.45  # last year it used 45 % of its use until day 200, then as now
    kwh[4, LAST_YEAR + 200 :] *= 0.6  # a theft: its own days fell 40 %
    scores = daily_scores(kwh)
    # Before: H009 scored 16.5 from day 200 + 364, its own days unchanged there.
    assert scores.loc["H009", "score"] <= 1e-9  # no evidence: a score of 0
    assert scores.loc["H004", "score"] > 3
    assert scores.index[0] == "H004"


def test_a_home_empty_all_the_year_before_is_no_suspect_for_its_livelier_days_since():
    kwh = _population(TWO_YEARS)
    kwh[0, :LAST_YEAR] = 0.0  # empty (no load) the whole year before, lived in since
    scores = daily_scores(kwh)
    # Before: 5.3 on its "more erratic" days, its use from 0 to its usual kWh (a rise: exempt).
    assert scores.loc["H000", "score"] < 0
    assert scores.loc["H000", "signal"] == "level"
    assert np.isnan(scores.loc["H000", "own_past_ratio"])  # a year before of 0 kWh: no share


def test_the_own_past_ratio_is_the_kwh_since_the_change_over_the_same_days_a_year_before():
    kwh = _population(TWO_YEARS)
    start = LAST_YEAR + 200
    kwh[4, start:] *= 0.6
    thief = daily_scores(kwh).loc["H004"]
    change = TWO_YEARS.get_loc(thief["change_at"])
    assert abs(change - start) <= 3
    # kWh from the change to the end over the kWh of the same days 364 days before, each read.
    expected = kwh[4, change:].sum() / kwh[4, change - LAST_YEAR : LAST_YEAR].sum()
    assert expected == pytest.approx(0.6, abs=0.03)
    assert thief["own_past_ratio"] == pytest.approx(expected, rel=1e-9)  # before: 0.626


def test_reads_spanning_less_than_two_years_compare_every_day_with_the_own_days_before():
    days = pd.date_range("2024-10-07", periods=450, freq="D")  # a Monday, 450 days
    kwh = _population(days)
    kwh[3, 150:] *= 0.3  # tampered from day 150: 300 days before the end, none with a year before
    kwh[6, 400:] *= 0.5  # a fall in the last 50 days, which have a year before
    scores = daily_scores(kwh, days)
    # Before: only the last 86 days (450 - 364) were compared, against their year before; H003's
    # fall of day 150 was dated to the first of them (day 364), 214 days late.
    tampered = scores.loc["H003"]
    assert tampered["score"] > 3
    assert tampered["baseline"] == "own_days"
    assert abs((tampered["change_at"] - days[150]).days) <= 3
    assert tampered["drop_ratio"] == pytest.approx(0.3, abs=0.05)
    assert scores.loc["H006", "score"] > 3
    assert (scores.drop(index=["H003", "H006"])["score"] > 3).sum() == 0


def test_days_livelier_than_an_empty_year_before_are_no_suspect_however_the_own_days_went():
    kwh = _population(TWO_YEARS)
    rng = np.random.default_rng(7)
    for home in (2, 3):
        kwh[home] = np.round(np.exp(rng.normal(2.5, 0.15, len(TWO_YEARS))), 3)  # no season
    kwh[2, 300:400] = 0.0  # empty from the end of the year before into the compared days
    kwh[3, 250:364] = 0.0  # empty the last 114 days of the year before
    scores = daily_scores(kwh)
    # Before: 6.1 and 7.2 on "more erratic" days from the day their baseline a year before went
    # empty: their own use rose less than 25 % over every day before (the empty days included),
    # so the rise exemption did not hold; it rose more than twice against the year before.
    for home in ("H002", "H003"):
        assert scores.loc[home, "score"] < 0
        assert scores.loc[home, "signal"] == "level"
    assert (scores["score"] > 3).sum() == 0


def test_without_a_year_before_zero_reads_before_a_home_was_first_used_are_no_meter_read_zero():
    one_year = TWO_YEARS[LAST_YEAR:]
    kwh = _population(one_year)
    kwh[2, :60] = 0.0  # empty when the smart meter's reads began, lived in from day 60
    kwh[5, 200:260:2] = 0.0  # near miss: every other day read 0 for 60 days, months after use
    scores = daily_scores(kwh, one_year)
    # Before: H002 scored sqrt(60) = 7.7 on its 60 zero reads, from the first day read.
    assert scores.loc["H002", "zero_days"] == 0
    assert scores.loc["H002", "score"] < 3
    bypassed = scores.loc["H005"]
    assert bypassed["signal"] == "zero_reads" and bypassed["zero_days"] == 30
    assert bypassed["score"] == pytest.approx(np.sqrt(30))  # (30 - 0) / sqrt(30 + 0)


def test_a_dip_of_the_own_days_smaller_than_min_drop_does_not_borrow_a_vacancy_a_year_before():
    kwh = _population(TWO_YEARS)
    vacancy_end = 60
    kwh[5, :vacancy_end] = 0.0  # empty for 60 days a year before
    kwh[5, LAST_YEAR + vacancy_end :] *= 0.82  # its own days 18 % lower since: under min_drop 20 %
    kwh[7, :vacancy_end] = 0.0  # the same vacancy a year before, and a theft of 40 % since
    kwh[7, LAST_YEAR + vacancy_end :] *= 0.6
    scores = daily_scores(kwh)
    # Before: H005 scored 10.9; its own days fell 18 % (log 0.198 >= half of log 1/0.8 = 0.112),
    # which lifted the cap, and the vacancy's rise a year before gave the size of the drop.
    assert scores.loc["H005", "score"] <= 1e-9  # no evidence of a fall beyond 20 %: a score of 0
    assert scores.loc["H007", "score"] > 3  # a fall of 40 % (log 0.511 > 0.223) still fires
    assert (scores.drop(index="H007")["score"] > 3).sum() == 0

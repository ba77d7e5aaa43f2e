"""Anomaly scores: a vacant year (0 kWh or a standby's few) is no baseline but a customer's usual
idle season is, the change columns describe the months scored, an unscored customer has no
direction, and parameters are refused by name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stats_builders import monthly_bills

from auditkit.errors import ParameterError
from auditkit.stats import anomaly_scores


def _utility(seed: int = 0) -> tuple[np.ndarray, pd.DataFrame]:
    """30 homes of one district, 36 months, each at its own level with 5 % noise."""
    rng = np.random.default_rng(seed)
    season = 1 + 0.3 * np.cos(2 * np.pi * (np.arange(36) - 7) / 12)
    kwh = rng.uniform(80, 300, (30, 1)) * season * np.exp(rng.normal(0, 0.05, (30, 36)))
    customers = pd.DataFrame(
        {"customer_id": [f"H{i:02d}" for i in range(30)], "district": "城东"}
    ).assign(usage_type="residential")
    return kwh, customers


def test_a_home_back_from_a_vacancy_a_year_before_does_not_top_the_ranking():
    kwh, customers = _utility()
    ids = customers["customer_id"].tolist()
    kwh[0, 18:27] = 0.0  # vacant 2023-07..2024-03: the recent months' year before used nothing
    kwh[1, -3:] *= 0.4  # a real fall of 60 %: log 0.4 = -0.92 against its own and its peers
    scores = anomaly_scores(monthly_bills(kwh, ids), customers).set_index("customer_id")
    # Before: year before floored at a tenth of the median, a rise of log 10 = 2.3, score ~ 40.
    assert scores.loc["H00", "status"] == "idle_year_before"
    assert np.isnan(scores.loc["H00", "score"]) and scores.loc["H00", "direction"] == ""
    assert scores.index[0] == "H01" and scores.loc["H01", "direction"] == "drop"
    assert scores.loc["H01", "score"] > 3


def test_a_single_idle_month_a_year_before_is_left_out_of_the_change():
    kwh, customers = _utility()
    ids = customers["customer_id"].tolist()
    kwh[:, :] = 100.0  # flat homes: every year-over-year change is 0
    kwh[2, -14] = 0.0  # 2023-11 idle: only 2024-12 and the months either side compared
    kwh[2, -3:] = [110.0, 110.0, 110.0]  # up 10 % in all three recent months
    scores = anomaly_scores(monthly_bills(kwh, ids), customers).set_index("customer_id")
    # The change compared: mean of log(110 / 100) over the two months with use a year before,
    # 0.0953; self spread 0 -> MIN_SCALE 0.05: self_z = 0.0953 / 0.05 = 1.91 (before, with
    # 2023-11 floored at 10 kWh, the mean was (2 x 0.0953 + log 11) / 3 = 0.863: z 17.3).
    assert scores.loc["H02", "self_z"] == pytest.approx(np.log(1.1) / 0.05)
    assert scores.loc["H02", "status"] == "scored"


def test_a_near_miss_a_low_but_used_year_before_is_still_a_rise():
    kwh, customers = _utility()
    ids = customers["customer_id"].tolist()
    kwh[:, :] = 100.0  # flat homes: median month with use 100 kWh, idle below 5 kWh
    kwh[3, 21:24] = 6.0  # a year before at 6 kWh a month: used little (6 %), not idle
    scores = anomaly_scores(monthly_bills(kwh, ids), customers).set_index("customer_id")
    assert scores.loc["H03", "status"] == "scored" and scores.loc["H03", "direction"] == "rise"


def _pumps(months: int) -> tuple[np.ndarray, pd.DataFrame]:
    """30 irrigation pumps of one district, off (0 kWh) November to February every year, about
    800 kWh a month otherwise; the first period is January."""
    rng = np.random.default_rng(3)
    off = np.isin(np.arange(months) % 12, [10, 11, 0, 1])
    kwh = np.where(off, 0.0, 800 * np.exp(rng.normal(0, 0.1, (30, months))))
    customers = pd.DataFrame(
        {"customer_id": [f"P{i:02d}" for i in range(30)], "district": "城东"}
    ).assign(usage_type="agricultural")
    return kwh, customers


def test_a_pump_off_every_winter_drawing_in_winter_does_rise_to_the_top():
    kwh, customers = _pumps(36)
    ids = customers["customer_id"].tolist()
    kwh[0, :] = np.where(kwh[0] == 0, 0.0, 800.0)
    kwh[0, -2:] = 900.0  # 2024-11 and 2024-12 drawn, when 2022's and 2023's were 0 too
    kwh[1, :] = np.where(kwh[1] == 0, 0.0, 800.0)
    kwh[1, 10:12] = 800.0  # near miss: Nov-Dec 2022 used, so 2023's 0 was a one-off vacancy
    kwh[1, -2:] = 900.0
    scores = anomaly_scores(monthly_bills(kwh, ids), customers).set_index("customer_id")
    # Before, every idle month a year before was left out and P00 scored 0, ranked last.
    # P00 compares Oct-Dec: recent (800 + 900 + 900) / 3 = 866.67 against (800 + 0 + 0) / 3 =
    # 266.67 a year before, change 866.67 / 266.67 - 1 = +225 %.
    assert scores.index[0] == "P00" and scores.loc["P00", "direction"] == "rise"
    assert scores.loc["P00", "score"] > 3
    assert scores.loc["P00", "change"] == pytest.approx(2.25)
    # P01's Nov-Dec 2023 are a vacancy, left out: October alone, 800 against 800, change 0.
    assert scores.loc["P01", "status"] == "scored"
    assert scores.loc["P01", "year_before_kwh"] == 800.0
    assert scores.loc["P01", "change"] == 0.0


def test_with_two_years_an_idle_month_a_year_before_is_left_out():
    kwh, customers = _pumps(24)
    ids = customers["customer_id"].tolist()
    kwh[0, :] = np.where(kwh[0] == 0, 0.0, 800.0)
    kwh[0, -2:] = 900.0  # no earlier year tells whether 2022-11's 0 was a season or a vacancy
    scores = anomaly_scores(monthly_bills(kwh, ids), customers).set_index("customer_id")
    # Left out as a vacancy: October alone is compared, 800 against 800.
    assert scores.loc["P00", "status"] == "scored"
    assert scores.loc["P00", ["recent_kwh", "year_before_kwh", "change"]].tolist() == [
        800.0,
        800.0,
        0.0,
    ]


@pytest.mark.parametrize("standby", [1.0, 3.0, 4.9])
def test_a_vacant_year_on_standby_is_no_baseline(standby: float):
    kwh, customers = _utility()
    ids = customers["customer_id"].tolist()
    kwh[:, :] = 100.0  # median month with use 100 kWh: idle below 5 % of it, 5 kWh
    kwh[6, 12:24] = standby  # vacant all 2023 at a standby's 1-5 kWh, in use in 2022 and 2024
    scores = anomaly_scores(monthly_bills(kwh, ids), customers).set_index("customer_id")
    # Before, only 0 kWh was idle: 100 against 1 kWh read as log 100 = 4.6, score ~ 90, rank 1.
    assert scores.loc["H06", "status"] == "idle_year_before"
    assert np.isnan(scores.loc["H06", "score"]) and np.isnan(scores.loc["H06", "change"])
    assert scores.loc["H06", "year_before_kwh"] == standby


def test_a_smaller_idle_share_takes_a_standby_year_as_a_baseline():
    kwh, customers = _utility()
    ids = customers["customer_id"].tolist()
    kwh[:, :] = 100.0
    kwh[6, 12:24] = 4.0  # 4 % of the median month: idle at 5 %, used at 3 %
    bills = monthly_bills(kwh, ids)
    scores = anomaly_scores(bills, customers, idle_share=0.03).set_index("customer_id")
    assert scores.loc["H06", "status"] == "scored" and scores.loc["H06", "direction"] == "rise"


def test_the_change_columns_describe_the_months_the_score_compares():
    kwh, customers = _utility()
    ids = customers["customer_id"].tolist()
    kwh[:, :] = 100.0
    kwh[7, 23] = 0.0  # 2023-12 vacant (2022-12 used): December left out
    kwh[7, -3:] = [58.0, 58.0, 58.0]  # a fall of 42 %
    kwh[8, 21] = 0.0  # 2023-10 vacant: October left out
    kwh[8, -3:] = [100.0, 83.0, 83.0]  # a fall of 17 % in the two months compared
    scores = anomaly_scores(monthly_bills(kwh, ids), customers).set_index("customer_id")
    # H07: Oct-Nov, 58 against 100: -42 % (before: 58 / ((100 + 100 + 0) / 3) - 1 = -13 %).
    assert scores.loc["H07", ["recent_kwh", "year_before_kwh"]].tolist() == [58.0, 100.0]
    assert scores.loc["H07", "change"] == pytest.approx(-0.42)
    # H08: Nov-Dec, 83 against 100: -17 % (before: ((100 + 83 + 83) / 3) / 66.67 - 1 = +33 %,
    # a "drop" with a positive change).
    assert scores.loc["H08", ["recent_kwh", "year_before_kwh"]].tolist() == [83.0, 100.0]
    assert scores.loc["H08", "change"] == pytest.approx(-0.17)
    assert (scores.loc[["H07", "H08"], "direction"] == "drop").all()


@pytest.mark.parametrize("wrong", [0, 1, "0.05", None])
def test_an_idle_share_outside_0_to_1_is_refused_by_name(wrong: object):
    kwh, customers = _utility()
    bills = monthly_bills(kwh, customers["customer_id"].tolist())
    with pytest.raises(ParameterError, match="parameter 'idle_share': expected a number"):
        anomaly_scores(bills, customers, idle_share=wrong)


def test_an_unscored_customer_has_no_direction():
    kwh, customers = _utility()
    ids = customers["customer_id"].tolist()
    kwh[4, :19] = np.nan  # 17 months: short history
    kwh[5, -15:] = np.nan  # nothing recent nor a year before
    scores = anomaly_scores(monthly_bills(kwh, ids), customers).set_index("customer_id")
    assert scores.loc["H04", "status"] == "short_history"
    assert scores.loc["H05", "status"] == "no_recent_change"
    assert (scores.loc[["H04", "H05"], "direction"] == "").all()
    scored = scores[scores["status"] == "scored"]
    assert scored["direction"].isin(["drop", "rise"]).all()


@pytest.mark.parametrize("wrong", ["5", 2.5, None, True])
def test_a_min_peers_that_is_no_whole_number_is_refused_by_name(wrong: object):
    kwh, customers = _utility()
    bills = monthly_bills(kwh, customers["customer_id"].tolist())
    with pytest.raises(ParameterError, match="parameter 'min_peers': expected a whole number"):
        anomaly_scores(bills, customers, min_peers=wrong)


def test_a_whole_float_min_peers_is_taken_as_its_number():
    kwh, customers = _utility()
    bills = monthly_bills(kwh, customers["customer_id"].tolist())
    assert anomaly_scores(bills, customers, min_peers=5.0).equals(
        anomaly_scores(bills, customers, min_peers=5)
    )


def test_a_home_empty_since_the_data_start_is_no_season_when_someone_moves_in():
    kwh, customers = _utility()
    ids = customers["customer_id"].tolist()
    kwh[4, :32] = 0.0  # a new flat empty from 2022-01 to 2024-08, then lived in
    kwh[5, 9:33] = 0.0  # empty two years (2022-10..2024-09), then back in use
    kwh[6, -3:] *= 0.4  # a real fall of 60 %
    scores = anomaly_scores(monthly_bills(kwh, ids), customers).set_index("customer_id")
    # Before: idle in every earlier year, the empty months were read as a season and both homes
    # topped the ranking as a rise (score ~ 31). A year idle throughout is no season: vacancy.
    assert scores.loc["H04", "status"] == "idle_year_before"
    assert scores.loc["H05", "status"] == "idle_year_before"
    assert scores.index[0] == "H06" and scores.loc["H06", "direction"] == "drop"


def test_a_standby_two_years_in_three_is_idle_against_the_customers_busy_month():
    kwh, customers = _utility()
    ids = customers["customer_id"].tolist()
    kwh[7, 9:33] = 2.0  # a vacant flat's standby for 24 of 36 months: its median month is 2 kWh
    scores = anomaly_scores(monthly_bills(kwh, ids), customers).set_index("customer_id")
    # Before: idle below 5 % of the median month with use (2 kWh), so 2 kWh was use, and the flat
    # back in use read as a rise of 150 times (score ~ 64). Against the 90th percentile it is idle.
    assert scores.loc["H07", "status"] == "idle_year_before"

"""Anomaly scores: a vacant year is no baseline, an unscored customer has no direction, and
parameters are refused by name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditkit.errors import ParameterError
from auditkit.stats import anomaly_scores

PERIODS = [f"{2022 + m // 12}-{m % 12 + 1:02d}" for m in range(36)]


def _utility(seed: int = 0) -> tuple[np.ndarray, pd.DataFrame]:
    """30 homes of one district, 36 months, each at its own level with 5 % noise."""
    rng = np.random.default_rng(seed)
    season = 1 + 0.3 * np.cos(2 * np.pi * (np.arange(36) - 7) / 12)
    kwh = rng.uniform(80, 300, (30, 1)) * season * np.exp(rng.normal(0, 0.05, (30, 36)))
    customers = pd.DataFrame(
        {"customer_id": [f"H{i:02d}" for i in range(30)], "district": "城东"}
    ).assign(usage_type="residential")
    return kwh, customers


def _long(kwh: np.ndarray, ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": np.repeat(ids, kwh.shape[1]),
            "period": np.tile(PERIODS, len(ids)),
            "kwh_billed": kwh.ravel(),
        }
    ).dropna()


def test_a_home_back_from_a_vacancy_a_year_before_does_not_top_the_ranking():
    kwh, customers = _utility()
    ids = customers["customer_id"].tolist()
    kwh[0, 18:27] = 0.0  # vacant 2023-07..2024-03: the recent months' year before used nothing
    kwh[1, -3:] *= 0.4  # a real fall of 60 %: log 0.4 = -0.92 against its own and its peers
    scores = anomaly_scores(_long(kwh, ids), customers).set_index("customer_id")
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
    scores = anomaly_scores(_long(kwh, ids), customers).set_index("customer_id")
    # The change compared: mean of log(110 / 100) over the two months with use a year before,
    # 0.0953; self spread 0 -> MIN_SCALE 0.05: self_z = 0.0953 / 0.05 = 1.91 (before, with
    # 2023-11 floored at 10 kWh, the mean was (2 x 0.0953 + log 11) / 3 = 0.863: z 17.3).
    assert scores.loc["H02", "self_z"] == pytest.approx(np.log(1.1) / 0.05)
    assert scores.loc["H02", "status"] == "scored"


def test_a_near_miss_a_low_but_used_year_before_is_still_a_rise():
    kwh, customers = _utility()
    ids = customers["customer_id"].tolist()
    kwh[3, 21:24] = 5.0  # a year before at 5 kWh a month: used little, not idle
    scores = anomaly_scores(_long(kwh, ids), customers).set_index("customer_id")
    assert scores.loc["H03", "status"] == "scored" and scores.loc["H03", "direction"] == "rise"


def test_an_unscored_customer_has_no_direction():
    kwh, customers = _utility()
    ids = customers["customer_id"].tolist()
    kwh[4, :19] = np.nan  # 17 months: short history
    kwh[5, -15:] = np.nan  # nothing recent nor a year before
    scores = anomaly_scores(_long(kwh, ids), customers).set_index("customer_id")
    assert scores.loc["H04", "status"] == "short_history"
    assert scores.loc["H05", "status"] == "no_recent_change"
    assert (scores.loc[["H04", "H05"], "direction"] == "").all()
    scored = scores[scores["status"] == "scored"]
    assert scored["direction"].isin(["drop", "rise"]).all()


@pytest.mark.parametrize("wrong", ["5", 2.5, None, True])
def test_a_min_peers_that_is_no_whole_number_is_refused_by_name(wrong: object):
    kwh, customers = _utility()
    bills = _long(kwh, customers["customer_id"].tolist())
    with pytest.raises(ParameterError, match="parameter 'min_peers': expected a whole number"):
        anomaly_scores(bills, customers, min_peers=wrong)


def test_a_whole_float_min_peers_is_taken_as_its_number():
    kwh, customers = _utility()
    bills = _long(kwh, customers["customer_id"].tolist())
    assert anomaly_scores(bills, customers, min_peers=5.0).equals(
        anomaly_scores(bills, customers, min_peers=5)
    )

"""STL decomposition with flagged months, and customer anomaly scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stats_builders import monthly_bills

from auditkit.errors import ParameterError
from auditkit.results import Result
from auditkit.stats import InsufficientDataError, anomaly_scores, decompose, decompose_by_group
from auditkit.stats.notes import Note

PERIODS = [f"{2022 + m // 12}-{m % 12 + 1:02d}" for m in range(36)]


def _seasonal(seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    month = np.arange(36)
    values = 1000 + 200 * np.sin(2 * np.pi * month / 12) + 3 * month + rng.normal(0, 10, 36)
    return pd.Series(values, index=PERIODS)


def test_a_spike_is_the_month_out_of_line():
    series = _seasonal()
    series.iloc[20] += 150
    result = decompose(series, "X")
    assert result.outliers["period"].iloc[0] == PERIODS[20]
    # No echo in the same month of the other years.
    assert not result.frame.loc[[8, 32], "outlier"].any()
    frame = result.frame
    np.testing.assert_allclose(
        frame["trend"] + frame["seasonal"] + frame["resid"], frame["observed"], rtol=1e-9
    )
    # Robust z against the months not set aside (the flagged ones are).
    reference = frame.loc[~frame["outlier"], "resid"].to_numpy()
    mad = np.median(np.abs(reference - np.median(reference)))
    expected = (frame.loc[20, "resid"] - np.median(reference)) / (1.4826 * mad)
    assert frame.loc[20, "resid_z"] == pytest.approx(expected)


def test_a_missing_month_is_interpolated_and_never_flagged():
    series = _seasonal(1).drop(PERIODS[10])
    result = decompose(series, "X")
    row = result.frame.set_index("period").loc[PERIODS[10]]
    assert row["imputed"] and not row["outlier"] and np.isnan(row["observed"])
    assert len(result.frame) == 36


def test_constant_and_zero_series_have_no_outliers():
    for value in (0.0, 500.0):
        result = decompose(pd.Series(value, index=PERIODS))
        assert (result.frame["resid_z"] == 0).all() and result.outliers.empty


def test_short_series_and_bad_threshold_are_explained():
    with pytest.raises(InsufficientDataError, match="at least 24 months"):
        decompose(_seasonal().iloc[:20], "X")
    with pytest.raises(ParameterError, match="'threshold'"):
        decompose(_seasonal(), threshold=0)


def test_by_group_turns_problems_into_notes():
    monthly = pd.concat(
        [
            pd.DataFrame({"district": "A", "period": PERIODS, "kwh": _seasonal(2).to_numpy()}),
            pd.DataFrame({"district": "B", "period": PERIODS[:10], "kwh": 1.0}),
            pd.DataFrame({"district": "C", "period": PERIODS, "kwh": 0.0}),
            pd.DataFrame({"district": "D", "period": PERIODS, "kwh": 500.0}),
        ]
    )
    results, notes = decompose_by_group(monthly)
    assert sorted(results) == ["A", "C", "D"]
    assert results["D"].outliers.empty
    assert notes == [
        Note("too_short", {"name": "B", "needed": 24, "found": 10}),
        Note("all_zero", {"name": "C"}),
        Note("constant", {"name": "D"}),
    ]
    assert notes[2].text("en") == (
        "D: every month has the same value; there is no seasonality to speak of."
    )
    assert (
        notes[0].text("en")
        == "B: seasonal decomposition needs at least 24 months of data, found 10."
    )
    assert notes[1].text("zh") == "C：各月数值均为 0，无季节性可言。"
    assert isinstance(results["A"], Result) and results["A"].summary()["months"] == 36
    assert results["A"].explain("en").startswith("A: ")


def _bills(customers: int = 60, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    season = 1 + 0.3 * np.cos(2 * np.pi * (np.arange(36) - 7) / 12)
    kwh = (
        rng.uniform(50, 500, (customers, 1)) * season * np.exp(rng.normal(0, 0.05, (customers, 36)))
    )
    ids = [f"C{i:03d}" for i in range(customers)]
    customer_table = pd.DataFrame(
        {
            "customer_id": ids,
            "district": np.where(np.arange(customers) < 40, "X", "Y"),
            "usage_type": "residential",
        }
    )
    return kwh, customer_table


def test_anomalies_need_both_self_and_peers_to_agree():
    kwh, customers = _bills()
    ids = customers["customer_id"].tolist()
    kwh[3, -3:] *= 0.4  # drops against itself and its peers
    kwh[40:, -3:] *= 0.4  # all of district Y drops together: unusual for each, not for peers
    scores = anomaly_scores(monthly_bills(kwh, ids), customers).set_index("customer_id")
    top = scores.iloc[0]
    assert top.name == "C003" and top["direction"] == "drop" and top["score"] > 3
    assert top["change"] == pytest.approx(0.4 - 1, abs=0.05)
    y = scores.loc[ids[40:]]
    assert (y["self_z"] < -3).all() and (y["score"] < 3).all()
    assert (scores["peer_group"] == scores["district"] + " / residential").all()
    assert scores.loc["C003", "year_before_kwh"] == pytest.approx(kwh[3, 21:24].mean())


def test_anomaly_statuses_for_awkward_customers():
    kwh, customers = _bills()
    ids = customers["customer_id"].tolist()
    kwh[0] = 0.0
    kwh[1, :19] = np.nan  # 17 months: two year-over-year windows before the recent one
    kwh[2, -15:] = np.nan  # nothing recent
    customers.loc[59, "usage_type"] = "public"  # alone in its group everywhere
    scores = anomaly_scores(monthly_bills(kwh, ids), customers, min_peers=5).set_index(
        "customer_id"
    )
    assert scores.loc["C000", "status"] == "all_zero"
    assert scores.loc["C001", "status"] == "short_history"
    assert scores.loc["C002", "status"] == "no_recent_change"
    assert scores.loc["C059", "status"] == "no_peers"
    assert scores.loc[["C000", "C001", "C002", "C059"], "score"].isna().all()
    assert scores["score"].notna().sum() == 56


def test_small_peer_groups_fall_back_to_the_usage_type():
    kwh, customers = _bills()
    customers.loc[:3, "district"] = "Z"  # four customers: below min_peers
    scores = anomaly_scores(monthly_bills(kwh, customers["customer_id"].tolist()), customers)
    z_rows = scores[scores["district"] == "Z"]
    assert (z_rows["peer_group"] == "* / residential").all()
    assert (z_rows["peer_count"] == 60).all()


def test_anomaly_parameters_are_checked():
    kwh, customers = _bills(10)
    bills = monthly_bills(kwh, customers["customer_id"].tolist())
    with pytest.raises(ParameterError, match="'recent'"):
        anomaly_scores(bills, customers, recent=13)
    with pytest.raises(ParameterError, match="'min_peers'"):
        anomaly_scores(bills, customers, min_peers=1)


def _flat(levels: dict[str, float], recent_factor: dict[str, float]) -> pd.DataFrame:
    """36 months at each customer's level, its last 3 months times its factor."""
    kwh = np.array([[level] * 36 for level in levels.values()])
    kwh[:, -3:] *= np.array([recent_factor.get(name, 1.0) for name in levels])[:, None]
    return monthly_bills(kwh, list(levels))


def test_vacant_homes_are_no_peers_and_a_drop_is_its_plain_log():
    factors = {"c0": 1.1, "c1": 1.2, "c2": 1.3, "c3": 1.3, "c4": 1.4, "c5": 1.6}
    levels = {name: 100.0 for name in factors} | {f"z{i}": 0.0 for i in range(7)}
    customers = pd.DataFrame({"customer_id": list(levels), "district": "城东"})
    customers["usage_type"] = "residential"
    scores = anomaly_scores(_flat(levels, factors), customers).set_index("customer_id")
    real = scores.loc[list(factors)]
    # Peers: the six that can be scored; the seven vacant homes (change 0) are left out.
    assert (real["peer_count"] == 6).all() and (real["peer_group"] == "城东 / residential").all()
    # Median change log 1.3; deviations 0.167, 0.080, 0, 0, 0.074, 0.208: MAD the mean of the
    # middle two, log(1.4 / 1.3) and log(1.3 / 1.2) (0.0771; 1.4826 MAD = 0.114 > MIN_SCALE).
    scale = 1.4826 * (np.log(1.4 / 1.3) + np.log(1.3 / 1.2)) / 2
    expected = np.log(np.array(list(factors.values())) / 1.3) / scale
    np.testing.assert_allclose(real["peer_z"], expected)
    # (with the vacant homes as peers: median and MAD 0, so log 1.6 / MIN_SCALE = 9.4)
    assert real.loc["c5", "peer_z"] == pytest.approx(1.817, abs=1e-3)
    vacant = scores.loc[[f"z{i}" for i in range(7)]]
    assert (vacant["status"] == "all_zero").all() and vacant["peer_z"].isna().all()
    # A flat history and a fall to 51 %: self_z = log(0.51) / MIN_SCALE, the plain log change.
    fall = _flat({"d": 100.0}, {"d": 0.51})
    alone = anomaly_scores(fall, customers.head(1).assign(customer_id="d"), min_peers=2)
    assert alone.loc[0, "self_z"] == pytest.approx(np.log(0.51) / 0.05)  # -13.47, not -11.4
    assert alone.loc[0, "change"] == pytest.approx(-0.49)


def test_recent_is_told_as_the_months_of_a_season_and_a_whole_float_is_taken():
    """recent=0 said 'a whole number from 1 to 9,007,199,254,740,992' (13 said '1 to 12
    months'); recent=3.0 passed the check and raised a raw TypeError slicing the months."""
    kwh, customers = _bills(customers=30)
    bills = monthly_bills(kwh, customers["customer_id"].tolist())
    for wrong in (0, 13, "3", 2.5):
        with pytest.raises(ParameterError) as raised:
            anomaly_scores(bills, customers, recent=wrong)
        assert str(raised.value).startswith("parameter 'recent': expected 1 to 12 months, found ")
    assert anomaly_scores(bills, customers, recent=3.0).equals(
        anomaly_scores(bills, customers, recent=3)
    )

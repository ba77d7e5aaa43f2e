"""Funnel limits against the exact binomial (scipy) and a worked example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from auditkit.errors import ParameterError
from auditkit.results import Result
from auditkit.stats import InsufficientDataError, binomial_limits, funnel


def test_worked_example_of_the_interpolated_limit():
    # n = 10, p = 0.5, 95 %: the 2.5 % quantile is r = 2, F(2) = 56/1024, F(1) = 11/1024,
    # a = (F(2) - 0.025) / (F(2) - F(1)), lower limit = (2 - a) / 10.
    f2, f1 = 56 / 1024, 11 / 1024
    expected_lower = (2 - (f2 - 0.025) / (f2 - f1)) / 10
    lower, upper = binomial_limits([10], 0.5, 0.95)
    assert lower[0] == pytest.approx(expected_lower)
    assert upper[0] == pytest.approx(1 - expected_lower)  # symmetric at p = 0.5


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_limits_lie_between_consecutive_binomial_quantile_counts(level):
    volumes = np.array([5, 20, 57, 200, 1000, 4321])
    target = 0.08
    lower, upper = binomial_limits(volumes, target, level)
    tail = (1 - level) / 2
    for n, low, high in zip(volumes, lower, upper, strict=True):
        r_low = stats.binom.ppf(tail, n, target)
        r_high = stats.binom.isf(tail, n, target)  # largest count with P(X >= r) >= tail
        assert max(r_low - 1, 0) / n <= low <= r_low / n
        assert r_high / n <= high <= (r_high + 1) / n
    assert np.all(np.diff(upper[1:]) < 0)  # the funnel narrows as volume grows


def test_outside_exactly_when_the_one_sided_exact_test_rejects():
    rng = np.random.default_rng(5)
    volumes = rng.integers(5, 3000, 400)
    events = rng.binomial(volumes, rng.uniform(0.02, 0.2, 400))
    table = pd.DataFrame({"district": np.arange(400), "volume": volumes, "events": events})
    result = funnel(table, target=0.1)
    below = stats.binom.cdf(events, volumes, 0.1)
    above = stats.binom.sf(events - 1, volumes, 0.1)
    expected = np.select(
        [above < 0.001, above < 0.025, below < 0.001, below < 0.025],
        ["above_99.8", "above_95", "below_99.8", "below_95"],
        "within",
    )
    assert (result.table["status"].to_numpy() == expected).all()
    assert set(expected) >= {"above_99.8", "below_99.8", "within"}


def test_units_outside_the_limits_are_named():
    table = pd.DataFrame(
        {
            "district": ["A", "B", "C", "D", "E"],
            "volume": [100, 400, 50, 1000, 0],
            "events": [10, 20, 15, 60, 0],
        }
    )
    result = funnel(table)
    assert result.target == pytest.approx(105 / 1550)
    status = dict(zip(result.table["unit"], result.table["status"], strict=True))
    assert status == {
        "A": "within",
        "B": "within",
        "C": "above_99.8",
        "D": "within",
        "E": "no_volume",
    }
    assert result.outside()["unit"].tolist() == ["C"]
    c = result.table.set_index("unit").loc["C"]
    assert c["rate"] > c["upper_99.8"] > c["upper_95"]


def test_below_the_lower_limit_and_a_given_target():
    table = pd.DataFrame({"district": ["A", "B"], "volume": [1000, 1000], "events": [10, 100]})
    result = funnel(table, target=0.1)
    assert result.table["status"].tolist() == ["below_99.8", "within"]
    assert result.outside(0.95)["unit"].tolist() == ["A"]


def test_curve_spans_the_units():
    table = pd.DataFrame({"district": ["A", "B"], "volume": [40, 400], "events": [4, 40]})
    curve = funnel(table).curve(points=50)
    assert curve["volume"].min() == 20 and curve["volume"].max() == 440
    assert {"lower_95", "upper_95", "lower_99.8", "upper_99.8"} <= set(curve.columns)
    assert (curve["lower_99.8"] <= curve["lower_95"]).all()


def test_bad_input_is_named():
    with pytest.raises(ParameterError, match="events/volume"):
        funnel(pd.DataFrame({"district": ["A"], "volume": [10], "events": [11]}))
    with pytest.raises(ParameterError, match="events/volume"):
        funnel(pd.DataFrame({"district": ["A"], "volume": [10.5], "events": [1]}))
    with pytest.raises(InsufficientDataError):
        funnel(pd.DataFrame({"district": ["A"], "volume": [0], "events": [0]}))
    with pytest.raises(ParameterError, match="'level'"):
        binomial_limits([10], 0.1, 1.5)
    with pytest.raises(ParameterError, match="'level'"):
        funnel(pd.DataFrame({"district": ["A"], "volume": [10], "events": [1]})).outside(0.9)


def test_a_funnel_is_a_result_that_names_the_units_outside():
    result = funnel(pd.DataFrame({"district": ["A", "B"], "volume": [100, 100], "events": [1, 30]}))
    assert isinstance(result, Result)
    figures = result.summary()
    assert figures["target"] == pytest.approx(0.155) and figures["units"] == 2
    assert figures["outside"] == ["B", "A"]
    assert result.explain("en") == "Units outside the 99.8% limits: B, A."
    shown = result.to_table("zh").set_index("供电单位")
    assert shown.loc["A", "状态"] == "低于 99.8% 下限" and shown.loc["B", "比率"] == "30.00%"
    assert result.plot("en", "Estimated").axes[0].get_ylabel() == "Estimated"


def test_levels_whose_labels_collide_are_refused_naming_them():
    counts = pd.DataFrame({"district": list("abcd"), "volume": [100, 200, 300, 400]})
    counts["events"] = [5, 10, 12, 30]
    found = "found '0.95 and 0.950000000001, both 95%'$"
    with pytest.raises(ParameterError, match=f"^parameter 'levels': .*{found}"):
        funnel(counts, levels=[0.95, 0.950000000001])  # before: one lower_95/upper_95 pair
    near_miss = funnel(counts, levels=[0.95, 0.9501])  # 95% and 95.01%: two pairs
    assert [c for c in near_miss.table if c.startswith("lower")] == ["lower_95", "lower_95.01"]


def test_a_float32_level_is_labelled_and_asked_for_by_its_rounded_percentage():
    counts = pd.DataFrame({"district": list("abcd"), "volume": [100, 200, 300, 400]})
    counts["events"] = [5, 10, 12, 30]
    result = funnel(counts, levels=np.array([0.95, 0.998], dtype=np.float32))
    # float32 0.95 is 0.949999988..., 94.99999881 % to 10 digits (before: '94.99999881% limits').
    assert result.levels == (0.95, 0.998)
    columns = result.to_table("en").columns
    assert "95% limits" in columns and "99.8% limits" in columns
    assert result.outside(0.95).empty


def test_a_level_that_labels_as_100_percent_is_refused_saying_so():
    counts = pd.DataFrame({"district": list("abcd"), "volume": [100, 200, 300, 400]})
    counts["events"] = [5, 10, 12, 30]
    # 0.9999999999 is strictly between 0 and 1 but labels as 100% to 7 digits: no limit to draw.
    found = "found '0.9999999999, labelled 100%'$"
    with pytest.raises(ParameterError, match=f"^parameter 'levels': .*below 100%.*{found}"):
        funnel(counts, levels=[0.9999999999])
    assert funnel(counts, levels=[0.999999]).levels == (0.999999,)  # 99.9999%: drawn

"""Benford tests against hand computations and scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from auditkit.errors import AuditkitError, ParameterError
from auditkit.results import Result
from auditkit.stats import benford, benford_by_group
from auditkit.stats.benford import (
    InsufficientDataError,
    conformity_class,
    departs,
    expected_mad,
    expected_proportions,
    first_two_digits,
    verdict_basis,
)


def test_expected_proportions_match_benfords_formula():
    first = expected_proportions("first")
    assert first[1] == pytest.approx(np.log10(2))  # 0.30103
    assert first[9] == pytest.approx(np.log10(10 / 9))  # 0.04576
    first_two = expected_proportions("first_two")
    assert first_two[10] == pytest.approx(0.041393, abs=1e-6)
    assert first_two[99] == pytest.approx(0.004365, abs=1e-6)
    # Second digit: Nigrini's table gives 0.11968 for 0 and 0.08500 for 9.
    second = expected_proportions("second")
    assert second[0] == pytest.approx(0.11968, abs=1e-5)
    assert second[9] == pytest.approx(0.08500, abs=1e-5)
    for test in ("first", "second", "first_two"):
        assert expected_proportions(test).sum() == pytest.approx(1.0)


def test_first_two_digits_survive_binary_noise():
    values = np.array([10.0, 99.99, 100.0, 123.45, 0.29 * 100, 1000.0, 987654.0, 19.999999999999])
    assert first_two_digits(values).tolist() == [10, 99, 10, 12, 29, 10, 98, 20]


def test_statistics_match_scipy_and_a_hand_z():
    values = [15, 17, 23, 28, 31, 45, 120, 180, 1500, 19, 11, 250]
    result = benford(values, "first")
    counts = result.table["count"].to_numpy()
    expected = result.table["expected_count"].to_numpy()
    reference = stats.chisquare(counts, expected)
    assert result.chi2 == pytest.approx(reference.statistic)
    assert result.p_value == pytest.approx(reference.pvalue)
    assert result.df == 8
    assert result.mad == pytest.approx(np.mean(np.abs(counts / 12 - expected / 12)))
    # Digit 1: 7 of 12 observed, p0 = log10(2); Nigrini's z with the continuity correction.
    p0 = np.log10(2)
    z = (abs(7 / 12 - p0) - 1 / 24) / np.sqrt(p0 * (1 - p0) / 12)
    assert result.table.loc[1, "z"] == pytest.approx(z)
    assert result.table.loc[1, "p_value"] == pytest.approx(2 * stats.norm.sf(z))


def test_continuity_correction_only_when_smaller_than_the_difference():
    # 301 ones of 1000 is within 1/(2n) of log10(2): no correction is subtracted.
    values = [100] * 301 + [900] * 699
    row = benford(values, "first").table.loc[1]
    assert row["z"] == pytest.approx(
        abs(0.301 - np.log10(2)) / np.sqrt(np.log10(2) * (1 - np.log10(2)) / 1000)
    )


@pytest.mark.parametrize(
    ("mad", "test", "expected"),
    [
        (0.0059, "first", "close"),
        (0.006, "first", "close"),
        (0.0061, "first", "acceptable"),
        (0.012, "first", "acceptable"),
        (0.0121, "first", "marginal"),
        (0.015, "first", "marginal"),
        (0.0151, "first", "nonconformity"),
        (0.0012, "first_two", "close"),
        (0.0013, "first_two", "acceptable"),
        (0.0019, "first_two", "marginal"),
        (0.0023, "first_two", "nonconformity"),
        (0.0079, "second", "close"),
        (0.0095, "second", "acceptable"),
        (0.011, "second", "marginal"),
        (0.013, "second", "nonconformity"),
    ],
)
def test_nigrini_conformity_thresholds(mad, test, expected):
    assert conformity_class(mad, test) == expected


def test_benford_data_conform_and_uniform_data_do_not():
    rng = np.random.default_rng(3)
    conforming = benford(10 ** rng.uniform(1, 7, 50_000), "first_two")
    assert conforming.conformity == "close"
    assert conforming.p_value > 0.001
    uniform = benford(rng.uniform(100, 999, 50_000), "first")
    assert uniform.conformity == "nonconformity"
    standouts = uniform.standouts()
    assert standouts.index[0] == 1 and standouts.iloc[0]["direction"] == "under"


def test_left_out_values_are_counted():
    result = benford([None, np.nan, -5, 0, 3.5, 9.99, 10, 250, 3000], "first_two")
    assert result.n == 3
    assert (result.n_missing, result.n_nonpositive, result.n_below_10) == (2, 2, 2)
    assert result.n_excluded == 6
    assert result.small_sample


def test_an_infinite_value_is_left_out_as_missing_not_counted_without_a_digit():
    """benford([inf, 100, 200]) counted inf in n with no digit: 3 amounts, 2 digits."""
    result = benford([np.inf, 100, 200, -np.inf], "first")
    assert result.n == 2 and int(result.table["count"].sum()) == 2
    assert result.n_missing == 2 and result.n_nonpositive == 0
    assert result.explain("en").startswith(
        "2 amounts tested (2 left out: 2 missing or infinite, 0 zero or negative, 0 below 10)."
    )
    assert "缺失或无穷大 2" in result.explain("zh")
    # the near miss: a large finite amount is tested
    assert benford([1e300, 100, 200], "first").n == 3
    with pytest.raises(InsufficientDataError, match=r"\(1 missing or infinite,"):
        benford([np.inf])


def test_no_testable_value_is_a_clear_error():
    with pytest.raises(InsufficientDataError, match="none among 3 values"):
        benford([0, 5, -1])
    assert issubclass(InsufficientDataError, AuditkitError)


def test_bad_parameters_name_themselves():
    with pytest.raises(ParameterError, match="'test'"):
        benford([10, 20], "third")
    with pytest.raises(ParameterError, match="'alpha'"):
        benford([10, 20]).standouts(alpha=2)
    with pytest.raises(ParameterError, match="'lang'"):
        benford([10, 20]).explain("fr")


def test_a_result_gives_numbers_and_explains_them_in_both_languages():
    result = benford([12, 15, 130, 1900, 25, 31], "first", name="甲")
    assert isinstance(result, Result)
    figures = result.summary()
    assert figures["n"] == 6 and figures["test"] == "first" and figures["small_sample"]
    assert "6 个金额参与检验" in result.explain("zh")
    assert "6 amounts tested" in result.explain("en")
    assert result.to_table("en")["Digit"].tolist() == [str(digit) for digit in range(1, 10)]
    assert result.plot("zh").axes[0].get_title().startswith("甲：首位数字（6 个金额")


def test_by_group_reports_an_empty_group_with_a_note():
    values = pd.Series([12.0, 150.0, 1800.0, 0.0, 5.0])
    groups = pd.Series(["甲", "甲", "甲", "乙", "乙"])
    table = benford_by_group(values, groups, "first")
    assert table["group"].tolist() == ["乙", "甲"]
    empty = table.iloc[0]
    assert empty["n"] == 0 and empty["n_excluded"] == 2 and empty["note"] == "no_testable_amount"
    assert table.iloc[1]["n"] == 3
    # Three amounts: a note, the MAD chance gives at n = 3, and no verdict either way.
    assert table.iloc[1]["note"] == "small_sample" and np.isnan(table.iloc[1]["departs"])
    assert table.iloc[1]["expected_mad"] == pytest.approx(expected_mad("first", 3))
    with pytest.raises(ParameterError, match="'groups'"):
        benford_by_group(values, groups[:2])


def _with_first_digits(counts: list[int]) -> list[int]:
    """Amounts whose first digit is d `counts[d - 1]` times (11, 21, ... 91)."""
    return [10 * digit + 1 for digit, count in enumerate(counts, start=1) for _ in range(count)]


def test_the_verdict_says_which_of_its_two_criteria_hold():
    shares = np.log10(1 + 1 / np.arange(1, 10))
    # 100 amounts, every first digit 0.4 to 2.5 points off Benford: a MAD in Nigrini's
    # nonconformity range (> 0.015), yet a chi-square well within chance.
    few = [28, 20, 10, 12, 6, 8, 4, 7, 5]
    small = benford(_with_first_digits(few), "first")
    mad = np.abs(np.array(few) / 100 - shares).mean()
    chi2 = (((np.array(few) - 100 * shares) ** 2) / (100 * shares)).sum()
    assert small.mad == pytest.approx(mad) and round(mad, 4) == 0.0185
    assert small.chi2 == pytest.approx(chi2) and round(chi2, 2) == 3.53
    assert small.p_value == pytest.approx(stats.chi2.sf(chi2, 8))  # 0.897
    assert small.conformity == "nonconformity"
    assert verdict_basis(small, 0.05) == "mad_only" and not departs(small, 0.05)

    # 10,000 amounts at Benford's shares (rounded), then 150 moved from digit 9 to digit 1:
    # 1.5 points each way, a MAD of about 0.0034 (close), but a chi-square of about 57.
    many = [3160, 1761, 1249, 969, 792, 669, 580, 512, 308]
    large = benford(_with_first_digits(many), "first")
    chi2 = (((np.array(many) - 10_000 * shares) ** 2) / (10_000 * shares)).sum()
    assert large.chi2 == pytest.approx(chi2) and 56 < chi2 < 58 and large.p_value < 1e-8
    assert large.conformity == "close"
    assert verdict_basis(large, 0.05) == "significance_only" and not departs(large, 0.05)

    # The same 10,000 without the move: neither criterion; every amount a 4: both.
    even = benford(_with_first_digits([3010, 1761, 1249, 969, 792, 669, 580, 512, 458]))
    assert verdict_basis(even, 0.05) == "neither" and not departs(even, 0.05)
    fours = benford([4900.0 + i for i in range(100)])
    assert verdict_basis(fours, 0.05) == "both" and departs(fours, 0.05)


def test_a_group_too_small_to_judge_has_no_verdict_basis():
    values = pd.Series(_with_first_digits([28, 20, 10, 12, 6, 8, 4, 7, 5]))
    row = benford_by_group(values, pd.Series(["甲"] * 100), "first").iloc[0]
    # Digit 9 is expected 4.6 times in 100: the chi-square is rough, no verdict either way.
    assert row["note"] == "small_sample" and row["verdict_basis"] == ""


def test_a_pandas_array_is_one_column_and_a_two_dimensional_array_a_table():
    """benford(series.array) tested the amounts until require_type took only Series, Index,
    ndarray, list and tuple: a "Float64" or numpy-backed pandas array was refused as 'a
    FloatingArray'. A 3 × 2 ndarray raised pandas' own "Data must be 1-dimensional"."""
    amounts = pd.Series([12.0, 345.0, 67.0, 891.0])
    for array in (amounts.array, amounts.astype("Float64").array, amounts.to_numpy()):
        assert benford(array).n == 4
    with pytest.raises(ParameterError) as raised:
        benford(np.ones((3, 2)))
    assert str(raised.value) == (
        "parameter 'values': expected amounts: one column (a Series, list or array), "
        "found 'an array of shape (3, 2)'"
    )

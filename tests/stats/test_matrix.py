"""The long-to-matrix pivot every consumption score relies on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditkit.errors import ParameterError
from auditkit.stats import ColumnError
from auditkit.stats.matrix import (
    log_consumption,
    positions_of,
    row_nanmedian,
    to_matrix,
)


def test_monthly_pivot_keeps_missing_months_as_gaps():
    reads = pd.DataFrame(
        {
            "customer_id": ["B", "A", "A", "B"],
            "period": ["2024-01", "2024-03", "2024-01", "2024-02"],
            "kwh": [5.0, 30.0, 10.0, 7.0],
        }
    )
    matrix = to_matrix(reads)
    assert matrix.frequency == "M"
    assert matrix.customers.tolist() == ["A", "B"]
    assert matrix.times.tolist() == ["2024-01", "2024-02", "2024-03"]
    np.testing.assert_array_equal(matrix.values, [[10, np.nan, 30], [5, 7, np.nan]])
    assert matrix.season_index.tolist() == [0, 1, 2]
    assert to_matrix(reads, as_of="2024-02").times.tolist() == ["2024-01", "2024-02"]


def test_daily_pivot_and_as_of_month_end():
    dates = pd.date_range("2024-01-30", periods=4, freq="D")
    reads = pd.DataFrame({"customer_id": "A", "date": dates, "kwh": [1.0, 2.0, 3.0, 4.0]})
    matrix = to_matrix(reads, as_of="2024-01")
    assert matrix.frequency == "D" and matrix.season_length == 7
    assert list(matrix.times.strftime("%Y-%m-%d")) == ["2024-01-30", "2024-01-31"]
    assert matrix.season_index.tolist() == [1, 2]  # Tuesday, Wednesday


def test_bad_reads_are_named():
    good = {"customer_id": ["A", "A"], "period": ["2024-01", "2024-01"], "kwh": [1.0, 2.0]}
    with pytest.raises(ParameterError, match="one reading per customer and period"):
        to_matrix(pd.DataFrame(good))
    with pytest.raises(ParameterError, match="kWh ≥ 0"):
        to_matrix(pd.DataFrame({**good, "period": ["2024-01", "2024-02"], "kwh": [1.0, -2.0]}))
    with pytest.raises(ColumnError, match="or 'date' for daily reads"):
        to_matrix(pd.DataFrame({"customer_id": ["A"], "kwh": [1.0]}))
    with pytest.raises(ParameterError, match="YYYY-MM"):
        to_matrix(pd.DataFrame({**good, "period": ["2024-13", "2024-01"]}))
    with pytest.raises(ParameterError, match=r"'as_of'.*from 2024-01 to 2024-02.*'2023-06'"):
        to_matrix(pd.DataFrame({**good, "period": ["2024-01", "2024-02"]}), as_of="2023-06")
    for missing in (pd.NaT, float("nan"), "not a date"):
        with pytest.raises(ParameterError, match="parameter 'as_of'"):
            to_matrix(pd.DataFrame({**good, "period": ["2024-01", "2024-02"]}), as_of=missing)


def test_a_read_without_its_period_or_date_is_refused_by_row_not_put_in_the_last_column():
    monthly = {"customer_id": ["a", "a", "b"], "period": ["2024-01", None, "2024-02"]}
    with pytest.raises(ParameterError, match=r"reads.period.*empty in row 2"):
        to_matrix(pd.DataFrame({**monthly, "kwh": [1.0, 99.0, 3.0]}))
    daily = {"customer_id": ["a", "a", "b"], "date": ["2024-01-01", None, "2024-01-02"]}
    with pytest.raises(ParameterError, match=r"reads.date.*empty in row 2"):
        to_matrix(pd.DataFrame({**daily, "kwh": [1.0, 99.0, 3.0]}))


def test_two_reads_of_one_day_at_different_hours_are_named_as_a_duplicate():
    reads = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a"],
            "date": ["2024-01-01 08:00", "2024-01-02", "2024-01-01 20:00"],
            "kwh": [1.0, 2.0, 3.0],
        }
    )
    with pytest.raises(
        ParameterError, match=r"one reading per customer and day.*'a' at 2024-01-01 in row 3"
    ):
        to_matrix(reads)


def test_an_infinite_reading_is_refused_with_its_row():
    reads = pd.DataFrame({"customer_id": ["a", "b"], "period": ["2024-01", "2024-01"]})
    with pytest.raises(ParameterError, match=r"a number of kWh ≥ 0.*inf in row 2 \(customer 'b'\)"):
        to_matrix(reads.assign(kwh=[1.0, np.inf]))


def test_a_reading_that_is_not_a_number_is_refused_not_read_as_missing():
    reads = pd.DataFrame({"customer_id": ["a", "b", "c"], "period": ["2024-01"] * 3})
    with pytest.raises(ParameterError, match=r"a number of kWh.*'1,5' in row 2"):
        to_matrix(reads.assign(kwh=["1.5", "1,5", None]))
    matrix = to_matrix(reads.assign(kwh=["1.5", " ", None]))  # blank and empty: not read
    np.testing.assert_array_equal(matrix.values, [[1.5], [np.nan], [np.nan]])


def test_dates_with_a_time_zone_are_their_own_local_day_even_mixed_in_one_column():
    stamps = ["2024-01-01 07:00+08:00", "2024-01-02 07:00+08:00", "2024-01-03 01:00+05:30"]
    matrix = to_matrix(pd.DataFrame({"customer_id": "a", "date": stamps, "kwh": [1.0, 2.0, 3.0]}))
    assert list(matrix.times.strftime("%Y-%m-%d")) == ["2024-01-01", "2024-01-02", "2024-01-03"]
    np.testing.assert_array_equal(matrix.values, [[1.0, 2.0, 3.0]])
    parsed = pd.to_datetime(stamps[:2]).tz_convert("Asia/Shanghai")
    matrix = to_matrix(pd.DataFrame({"customer_id": "a", "date": parsed, "kwh": [1.0, 2.0]}))
    assert list(matrix.times.strftime("%Y-%m-%d")) == ["2024-01-01", "2024-01-02"]


def test_an_as_of_after_the_last_read_is_refused_but_a_month_the_daily_reads_reach_holds():
    monthly = pd.DataFrame({"customer_id": "a", "period": ["2024-01", "2024-02"], "kwh": 1.0})
    with pytest.raises(
        ParameterError,
        match=r"'as_of': expected a month from 2024-01 to 2024-02 \(the months the reads cover\), "
        "found '2024-03'",
    ):
        to_matrix(monthly, as_of="2024-03")
    days = pd.date_range("2024-01-01", "2024-01-29")
    daily = pd.DataFrame({"customer_id": "a", "date": days, "kwh": 1.0})
    assert to_matrix(daily, as_of="2024-01").times[-1] == pd.Timestamp("2024-01-31")
    with pytest.raises(ParameterError, match=r"a day up to the reads' last, 2024-01-29"):
        to_matrix(daily, as_of="2024-01-30")
    with pytest.raises(ParameterError, match=r"'as_of'.*found '2024-02'"):
        to_matrix(daily, as_of="2024-02")


def test_ids_read_as_whole_floats_are_the_customers_written_as_integers_or_text():
    # A number column with an empty cell is read as floats: 1001.0 is customer 1001 / '1001'.
    known = pd.Index(["1001", "1002", "A7"])
    found = positions_of(known, pd.Series([1002.0, 1001.0, np.nan, 1001.5]))
    assert found.tolist() == [1, 0, -1, -1]
    assert positions_of(pd.Index([1001.0, 1002.0]), pd.Series(["1002", 1001])).tolist() == [1, 0]


def test_row_nanmedian_matches_numpy():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(300, 13))
    values[rng.random(values.shape) < 0.3] = np.nan
    values[0] = np.nan
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        expected = np.nanmedian(values, axis=1)
    np.testing.assert_allclose(row_nanmedian(values), expected, equal_nan=True)


def test_log_consumption_floors_zeros_and_flags_all_zero_rows():
    values = np.array([[100.0, 0.0, 100.0], [0.0, 0.0, np.nan], [np.nan, np.nan, np.nan]])
    log_kwh, all_zero = log_consumption(values)
    assert all_zero.tolist() == [False, True, False]
    # A zero reads as 10 % of the typical positive reading: log(10 / 110) below the median.
    assert log_kwh[0, 1] == pytest.approx(np.log(10 / 110))


def test_row_nanmedian_of_rows_without_columns_is_nan():
    # A history window with no month yet (a dataset shorter than the windows): no median.
    assert np.isnan(row_nanmedian(np.empty((3, 0)))).all()

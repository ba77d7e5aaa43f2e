"""The one "last N months of bills" window, and the days of dates given in any form."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from auditkit.errors import ParameterError
from auditkit.periods import (
    as_of_day,
    last_months,
    local_days,
    local_times,
    month_end_days,
    month_first_days,
    month_number,
    period_text,
)

BILLS = pd.DataFrame(
    {"period": ["2024-01", "2024-02", "2024-03", "2024-03", "2024-05"], "kwh": range(5)}
)


def test_last_months_counts_billing_periods_up_to_the_latest():
    assert last_months(BILLS, 2)["kwh"].tolist() == [2, 3, 4]


def test_last_months_ends_at_as_of():
    assert last_months(BILLS, 2, "2024-03")["kwh"].tolist() == [1, 2, 3]
    assert last_months(BILLS, None, "2024-02")["kwh"].tolist() == [0, 1]


def test_without_months_or_as_of_every_bill_is_kept():
    assert last_months(BILLS).equals(BILLS)


def test_month_numbers_and_period_texts_round_trip():
    numbers = month_number(["2023-12", "2024-01"])
    assert numbers.tolist() == [2023 * 12 + 11, 2024 * 12]
    assert period_text(numbers) == ["2023-12", "2024-01"]
    assert period_text(int(numbers[0])) == "2023-12"


def test_month_number_parses_a_long_repetitive_column_of_any_storage():
    periods = pd.Series(["2024-02", "2023-12", "2024-02"] * 1000, dtype="str")
    for stored in (periods, periods.astype("category"), pd.Index(periods), periods.to_numpy()):
        assert month_number(stored)[:3].tolist() == [24289, 24287, 24289]


def test_month_number_names_the_first_text_that_is_not_a_month():
    with pytest.raises(ParameterError, match="found '2024-00'"):
        month_number(pd.Series(["2024-01", "2024-00", "2024-13", "2024-00"]))
    with pytest.raises(ParameterError, match="found nan"):
        month_number(pd.Series(["2024-01", None]))


def test_first_and_last_days_of_months_are_the_calendars_on_a_part_and_on_a_few_bills():
    many = np.tile(np.array([2024 * 12 + 1, 2023 * 12 + 1, 2024 * 12 + 11]), 50)  # Feb, Feb, Dec
    assert month_first_days(many)[:3].tolist() == [
        np.datetime64("2024-02-01"),
        np.datetime64("2023-02-01"),
        np.datetime64("2024-12-01"),
    ]
    assert month_end_days(many)[:3].tolist() == [
        np.datetime64("2024-02-29"),
        np.datetime64("2023-02-28"),
        np.datetime64("2024-12-31"),
    ]
    assert (month_end_days(many)[3:] == np.tile(month_end_days(many)[:3], 49)).all()
    # two months centuries apart: each worked out alone, not over their span
    far = np.array([1900 * 12 + 1, 2100 * 12 + 1])
    assert month_end_days(far).tolist() == [
        np.datetime64("1900-02-28"),
        np.datetime64("2100-02-28"),
    ]
    assert month_first_days(np.array([], dtype=np.int64)).size == 0


def test_local_days_are_each_values_own_day_and_empty_only_where_allowed():
    given = pd.Series(
        ["2025-10-19T23:30+08:00", None, pd.Timestamp("2025-10-19 06:00"), "2025-1-2"]
    )
    days = local_days(given, "t.day", "a date", allow_empty=True)
    assert days.tolist()[0] == pd.Timestamp("2025-10-19") and pd.isna(days.iloc[1])
    assert days.tolist()[2:] == [pd.Timestamp("2025-10-19"), pd.Timestamp("2025-01-02")]
    with pytest.raises(
        ParameterError, match=r"parameter 't.day': expected a date, found 'empty in row 2'"
    ):
        local_days(given, "t.day", "a date")
    with pytest.raises(ParameterError, match=r"found 'numbers \(int64\)'"):
        local_days(pd.Series([20251019]), "t.day", "a date", allow_empty=True)
    with pytest.raises(ParameterError, match="'x' in row 1"):
        local_days(pd.Series(["x"]), "t.day", "a date", allow_empty=True)
    zoned = pd.Series(pd.to_datetime(["2025-10-19 23:30"]).tz_localize("Asia/Shanghai"))
    assert local_days(zoned, "t.day", "a date").tolist() == [pd.Timestamp("2025-10-19")]


def test_local_days_read_any_column_pandas_gives_and_name_what_is_not_a_day():
    expected = [pd.Timestamp("2025-01-01"), pd.NaT]
    for given in (
        pd.Series(["2025-01-01", None], dtype="string[pyarrow]"),
        pd.Series(["2025-01-01", None], dtype="string"),
        pd.Series([pd.Timestamp("2025-01-01"), pd.NaT], dtype=object),
        pd.Series(["2025-01-01", pd.NA], dtype=object),
        pd.Series([dt.date(2025, 1, 1), None], dtype=pd.ArrowDtype(pa.date32())),
    ):
        days = local_days(given, "t.day", "a date", allow_empty=True)
        assert days.dtype == "datetime64[ns]" and days.iloc[0] == expected[0], given.dtype
        assert pd.isna(days.iloc[1])
    for value in ("0202-10-19", "now", "today", "", "nan"):
        with pytest.raises(ParameterError, match=rf"found \"'{value}' in row 2\""):
            local_days(pd.Series(["2025-01-01", value]), "t.day", "a date")
    with pytest.raises(ParameterError, match="expected one column, found '2 columns'"):
        local_days(pd.DataFrame({"a": ["2025-01-01"], "b": ["2025-01-02"]}), "t.day", "a date")
    many = pd.Series(np.repeat(["2025-01-01", "2025-02-01"], 50_000))
    assert local_days(many, "t.day", "a date").value_counts().tolist() == [50_000, 50_000]


def test_days_typed_beyond_pandas_years_are_named_by_row_not_an_overflow():
    typed = pd.Series(np.array(["2024-01-01", "0202-10-19"], dtype="datetime64[us]"))
    with pytest.raises(
        ParameterError, match=r"'work_orders.effective_date'.*0202-10-19 .*in row 2"
    ):
        local_days(typed, "work_orders.effective_date", "a date YYYY-MM-DD")


def test_local_times_keep_each_values_own_clock_and_refuse_an_empty_one_unless_allowed():
    written = pd.Series(["2024-01-01 07:30+08:00", "2024-01-01 07:30+05:30", None])
    with pytest.raises(ParameterError, match=r"'read_at'.*empty in row 3"):
        local_times(written, "read_at", "date-times")
    clocks = local_times(written, "read_at", "date-times", allow_empty=True)
    assert clocks.iloc[:2].tolist() == [pd.Timestamp("2024-01-01 07:30")] * 2
    assert pd.isna(clocks.iloc[2])


@pytest.mark.parametrize("as_of", ["2024", "2024Q2", "3/4/2024", "June 2024", "2024/06", 202406])
def test_as_of_day_refuses_anything_but_a_month_a_date_or_a_period(as_of):
    with pytest.raises(ParameterError, match="parameter 'as_of': expected a period 'YYYY-MM'"):
        as_of_day(as_of)


def test_as_of_day_takes_a_month_a_date_a_timestamp_or_a_period():
    june_end, june_15 = pd.Timestamp("2024-06-30"), pd.Timestamp("2024-06-15")
    assert as_of_day("2024-06") == june_end
    assert as_of_day(pd.Period("2024-06", "M")) == june_end
    assert as_of_day("2024-06-15") == june_15
    assert as_of_day("2024-06-15T23:30+08:00") == june_15  # the day where it was written
    assert as_of_day(dt.date(2024, 6, 15)) == june_15
    assert as_of_day(pd.Timestamp("2024-06-15 10:00")) == june_15

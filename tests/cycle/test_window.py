"""The window of an audit-cycle report: recorded months and the days of their cycles."""

from __future__ import annotations

import pandas as pd
import pytest

from auditkit.cycle.window import cycle_window, previous_cycle
from auditkit.errors import ParameterError

RECORDED = ["2024-03", "2024-01", "2024-02", "2024-02"]  # any order, a month run twice


def test_the_latest_months_count_events_from_the_day_after_the_first_one_ends_without_an_end():
    window = cycle_window(RECORDED, "", 2)
    assert window.months == ("2024-02", "2024-03")
    assert window.start == pd.Timestamp("2024-03-01") and window.end is None


def test_a_window_from_the_first_recorded_month_takes_every_earlier_event():
    window = cycle_window(RECORDED, "", 12)
    assert window.months == ("2024-01", "2024-02", "2024-03") and window.start is None


def test_a_past_month_ends_where_the_next_recorded_month_s_cycle_begins():
    window = cycle_window(RECORDED, "2024-02", 1)
    assert window.start == pd.Timestamp("2024-03-01") and window.end == pd.Timestamp("2024-04-01")
    days = pd.Series(pd.to_datetime(["2024-02-29", "2024-03-01", "2024-03-31", "2024-04-01"]))
    assert window.inside(days).tolist() == [False, True, True, False]


def test_consecutive_one_month_reports_never_count_an_event_twice():
    days = pd.Series(pd.date_range("2023-12-01", "2024-06-30", freq="D"))
    counted = sum(cycle_window(RECORDED, month, 1).inside(days).astype(int) for month in
                  ("2024-01", "2024-02", "2024-03"))  # fmt: skip
    assert counted.eq(1).all()


@pytest.mark.parametrize(
    ("as_of", "months", "name"),
    [("2023-12", 1, "as_of"), ("2024-13", 1, "as_of"), ("", 0, "months"), ("", "3", "months")],
)
def test_a_month_before_every_record_or_a_bad_count_is_refused_by_name(as_of, months, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        cycle_window(RECORDED, as_of, months)


def test_the_cycle_before_a_month_is_the_previous_recorded_month_s_and_ends_where_its_begins():
    """ "Since last month" of 2024-03 lists 2024-02's cycle (2024-03-01 to 03-31); of 2024-02
    the first recorded month's (every day before 2024-03-01); of 2024-04, not recorded (a
    preview), 2024-03's; of 2024-01 none before it: every day before 2024-02-01."""
    march = previous_cycle(RECORDED, "2024-03")
    assert (march.months, march.start, march.end) == (
        ("2024-02",), pd.Timestamp("2024-03-01"), pd.Timestamp("2024-04-01"))  # fmt: skip
    assert cycle_window(RECORDED, "2024-02", 1) == march  # the audit-cycle report's cycle
    february = previous_cycle(RECORDED, "2024-02")
    assert (february.start, february.end) == (None, pd.Timestamp("2024-03-01"))
    april = previous_cycle(RECORDED, "2024-04")
    assert (april.months, april.start, april.end) == (
        ("2024-03",), pd.Timestamp("2024-04-01"), pd.Timestamp("2024-05-01"))  # fmt: skip
    first = previous_cycle(RECORDED, "2024-01")
    assert (first.months, first.start, first.end) == ((), None, pd.Timestamp("2024-02-01"))
    days = pd.Series(pd.to_datetime(["2024-02-29", "2024-03-01", "2024-03-31", "2024-04-01"]))
    shown = [cycle.inside(days) for cycle in (february, march, april)]
    assert (sum(shown) == 1).all()  # each day in exactly one report's list
    with pytest.raises(ParameterError, match="parameter 'month'"):
        previous_cycle(RECORDED, "2024-13")

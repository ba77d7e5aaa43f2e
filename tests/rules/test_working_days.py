"""order_stalled counts working days of the Chinese calendar up to the day the data was extracted."""

from __future__ import annotations

import re

import numpy as np
import pytest
from rule_builder import Utility, flat, run

from auditkit import rules
from auditkit.errors import ParameterError
from auditkit.rules.workdays import WorkingCalendar, uncovered_years


def _days(*dates: str | None) -> np.ndarray:
    return np.array(dates, dtype="datetime64[D]")


def test_working_days_skip_holidays_and_count_make_up_weekends():
    calendar = WorkingCalendar.chinese()
    # National Day 2024: Tue 1 .. Mon 7 Oct off, Sunday 29 Sep and Saturday 12 Oct worked.
    after = _days("2024-09-27", "2024-09-27", "2024-10-08", "2024-10-08", "2024-03-01", None)
    through = _days(
        "2024-10-08", "2024-10-09", "2024-10-14", "2024-10-15", "2024-02-28", "2024-10-09"
    )
    counted = calendar.working_days(after, through)
    # 29 Sep, 30 Sep, 8 Oct | + 9 Oct | 9, 10, 11, 12 (Sat), 14 | + 15 | ... | no date
    np.testing.assert_array_equal(counted[[0, 1, 2, 3, 5]], [3, 4, 5, 6, np.nan])
    assert counted[4] < 0  # a step dated before the previous one is never late


def test_years_the_holiday_calendar_does_not_cover_are_named():
    assert uncovered_years(
        _days("2003-12-30", "2024-01-02"), _days("2004-01-05", "2024-01-05")
    ) == [2003]
    assert (
        uncovered_years(_days("2026-12-31"), _days("2026-12-31")) == []
    )  # no day after it counted
    assert uncovered_years(_days("2026-12-31", None), _days("2027-01-04", None)) == [2027]


def _national_day_orders() -> Utility:
    """Orders issued on Friday 27 Sep 2024, before the 7-day National Day holiday."""
    u = Utility()
    cases = {  # customer: (days to transfer, to registration, to archiving)
        "in_time": (11, 6, 14),  # 8 Oct: 3 working days; 14 Oct: 5 (Sat 12 worked); 28 Oct: 10
        "transfer_late": (12, 6, 14),  # 9 Oct: 4 working days, the make-up Sunday counted
        "register_late": (11, 7, 13),  # 15 Oct: 6 working days, the make-up Saturday counted
        "archive_late": (11, 6, 15),  # 29 Oct: 11 working days
    }
    for customer, steps in cases.items():
        u.customer(customer)
        u.monthly(customer, flat(100))
        u.order(customer, "ownership_transfer", "2024-10-29", issued="2024-09-27", steps=steps)
    return u


def test_order_before_national_day_is_judged_in_working_days():
    findings = run(_national_day_orders(), "order_stalled")
    evidence = findings.set_index("customer_id")["evidence"]
    assert sorted(evidence.index) == ["archive_late", "register_late", "transfer_late"]
    assert "transferred late 1 working days" in evidence["transfer_late"]
    assert "registered late 1 working days" in evidence["register_late"]
    assert "archived late 1 working days" in evidence["archive_late"]
    assert findings.attrs["notes"] == []


def _orders_before_the_extract() -> Utility:
    u = Utility()
    for customer in ("extracted", "fresh"):
        u.customer(customer)
        u.monthly(customer, flat(100))
    # The data's latest date: the archiving of this order on Friday 20 Dec 2024.
    u.order("extracted", "meter_replacement", "2024-12-20", issued="2024-12-10", steps=(1, 2, 7))
    # Issued Wednesday 18 Dec, not yet transferred: 2 working days by the 20th.
    u.order("fresh", "meter_replacement", "2025-01-10", issued="2024-12-18", steps=(None,) * 3)
    return u


def test_an_order_issued_two_days_before_the_extract_is_not_stalled():
    assert run(_orders_before_the_extract(), "order_stalled").empty


def test_the_extract_date_can_be_given_and_is_capped_by_the_audit_month():
    u = _orders_before_the_extract()
    at_year_end = run(u, "order_stalled", params={"order_stalled.extract_date": "2024-12-31"})
    # 19, 20, 23..27, 30, 31 Dec: 9 working days against a 3-day limit.
    assert at_year_end["customer_id"].tolist() == ["fresh"]
    assert "transferred missing 6 working days over the limit" in at_year_end["evidence"].iat[0]
    later = run(u, "order_stalled", params={"order_stalled.extract_date": "2025-03-31"})
    assert later["evidence"].tolist() == at_year_end["evidence"].tolist()


def test_years_outside_the_holiday_calendar_are_counted_monday_to_friday_with_a_note():
    u = Utility()
    u.customer("old")
    u.monthly("old", flat(100))
    # Tuesday 30 Sep 2003 to Wednesday 8 Oct 2003: 1, 2, 3, 6, 7, 8 Oct on Monday to Friday.
    u.order("old", "meter_replacement", "2003-10-10", issued="2003-09-30", steps=(8, 1, 1))
    notes: list[str] = []
    findings = rules.run(u.dataset(), rules=["order_stalled"], notes=notes)
    assert "transferred late 3 working days" in findings["evidence"].iat[0]
    assert notes == [
        "order_stalled: working days in 2003 counted Monday to Friday (the holiday calendar "
        "does not cover these years)"
    ]
    assert findings.attrs["notes"] == notes


@pytest.mark.parametrize("value", ["2024-02-30", "31/12/2024", 20241231])
def test_a_bad_extract_date_names_the_parameter(value):
    with pytest.raises(ParameterError, match=re.escape("params.order_stalled.extract_date")):
        run(
            _orders_before_the_extract(),
            "order_stalled",
            params={"order_stalled.extract_date": value},
        )

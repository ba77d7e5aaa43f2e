"""The register's false alarms on findings of a fall, as the theft ranking reads them: the latest
verdict counts, other rules and districts stay out, and the ranking uses them."""

from __future__ import annotations

import pandas as pd
import pytest
from register_builders import event, events, finding, findings

from auditkit.errors import ParameterError
from auditkit.register import Register, finding_key
from auditkit.register.checks import field_checks, read_field_records


@pytest.fixture
def register(database_url: str):
    with Register.open(database_url) as opened:
        yield opened


def key_of(row: dict) -> str:
    return finding_key(row["customer_id"], row["rule_id"], row["period_from"])


def test_false_alarms_on_falls_are_read_as_checks_and_the_latest_verdict_counts(register):
    drop = finding("A", rule_id="consumption_drop")
    zero = finding("B", rule_id="zero_consumption", district="south")
    rate = finding("C", rule_id="rate_mismatch")  # a false alarm on a rate says nothing of a fall
    later = finding("D", rule_id="consumption_drop")  # cleared, then found stealing on a recheck
    sent = finding("E", rule_id="consumption_drop")  # only sent so far
    register.record_run(
        findings(drop, zero, rate, later, sent), run_id="july", as_of="2024-07", district=None
    )
    register.record_outcomes(
        events(
            event(key_of(drop), "sent", happened_at="2024-08-01"),
            event(key_of(drop), "false_alarm", happened_at="2024-08-05"),
            event(key_of(zero), "false_alarm", happened_at="2024-08-06", source_row=6),
            event(key_of(rate), "false_alarm", happened_at="2024-08-07", source_row=7),
            event(key_of(later), "false_alarm", happened_at="2024-08-08", source_row=8),
            event(key_of(later), "confirmed", happened_at="2024-09-02", source_row=9),
            event(key_of(sent), "sent", happened_at="2024-08-09", source_row=10),
        )
    )
    expected = pd.DataFrame(
        {"customer_id": ["A", "B"], "checked_on": pd.to_datetime(["2024-08-05", "2024-08-06"])}
    )
    checks = field_checks(register)
    pd.testing.assert_frame_equal(checks, expected, check_dtype=False)
    assert list(field_checks(register, "south")["customer_id"]) == ["B"]
    assert list(field_checks(register, rules=["rate_mismatch"])["customer_id"]) == ["C"]
    assert field_checks(register, "west", refuse_unknown_district=False).empty
    # Up to a day: D's recheck on 2024-09-02 has not happened yet on 2024-09-01.
    before_recheck = field_checks(register, until=pd.Timestamp("2024-09-01"))
    assert list(before_recheck["customer_id"]) == ["A", "B", "D"]
    assert list(field_checks(register, until=pd.Timestamp("2024-08-05"))["customer_id"]) == ["A"]


def test_a_district_the_register_does_not_know_is_refused_naming_its_districts(register):
    """'城栋' typed for '城东' in a notebook read as a district without checks; refused now as
    `Register.findings` refuses it. A report's own read (its dataset has checked the district:
    one without findings yet) still reads as empty."""
    drop = finding("A", rule_id="consumption_drop", district="城东")
    register.record_run(findings(drop), run_id="july", as_of="2024-07", district=None)
    register.record_outcomes(events(event(key_of(drop), "false_alarm", happened_at="2024-08-05")))
    with pytest.raises(ParameterError, match=r"'district'.*one of 城东, found '城栋'"):
        field_checks(register, "城栋")
    with pytest.raises(ParameterError, match=r"'district'.*one of 城东, found '城栋'"):
        read_field_records(register, "城栋")
    assert field_checks(register, "城栋", refuse_unknown_district=False).empty
    # near misses: the district known, and every district
    assert list(field_checks(register, "城东")["customer_id"]) == ["A"]
    assert list(field_checks(register)["customer_id"]) == ["A"]


def test_an_empty_register_has_no_checks_and_unknown_rules_are_refused(register):
    assert field_checks(register).empty
    assert list(field_checks(register).columns) == ["customer_id", "checked_on"]
    with pytest.raises(ParameterError, match="expected rule ids of the library, found 'no_rule'"):
        field_checks(register, rules=["consumption_drop", "no_rule"])
    with pytest.raises(ParameterError, match="expected a list of rule ids"):
        field_checks(register, rules="consumption_drop")


def test_a_theft_confirmed_on_a_later_fall_cancels_the_customers_earlier_false_alarms(register):
    july = finding("A", rule_id="consumption_drop", period_from="2024-07")
    september = finding("A", rule_id="consumption_drop", period_from="2024-09")
    other = finding("B", rule_id="consumption_drop", period_from="2024-07")
    register.record_run(
        findings(july, september, other), run_id="sept", as_of="2024-09", district=None
    )
    register.record_outcomes(
        events(
            event(key_of(july), "false_alarm", happened_at="2024-08-05"),
            event(key_of(other), "false_alarm", happened_at="2024-08-06", source_row=6),
            event(key_of(september), "confirmed", happened_at="2024-10-10", source_row=7),
        )
    )
    assert list(field_checks(register)["customer_id"]) == ["B"]
    # Before the theft was confirmed, the visit of 08-05 still stood.
    assert list(field_checks(register, until="2024-10-09")["customer_id"]) == ["A", "B"]


def test_until_is_a_day_in_its_own_time_zone_and_anything_else_is_refused(register):
    drop = finding("A", rule_id="consumption_drop")
    register.record_run(findings(drop), run_id="july", as_of="2024-07", district=None)
    register.record_outcomes(events(event(key_of(drop), "false_alarm", happened_at="2024-08-05")))
    assert len(field_checks(register, until=pd.Timestamp("2024-08-05 23:00", tz="Asia/Shanghai")))
    assert field_checks(register, until="2024-08-04").empty
    with pytest.raises(ParameterError, match="parameter 'until': expected a date"):
        field_checks(register, until="not a date")


def test_a_false_alarm_whose_money_was_later_recovered_is_no_field_check(register):
    """已追补 after 误报: the field found the theft after all (the recovery confirms it), so the
    visit of 08-05 no longer explains the fall; before the recovery it still stood."""
    drop = finding("A", rule_id="consumption_drop")
    register.record_run(findings(drop), run_id="july", as_of="2024-07", district=None)
    register.record_outcomes(
        events(
            event(key_of(drop), "false_alarm", happened_at="2024-08-05"),
            event(key_of(drop), "recovered", amount=300.0, happened_at="2024-09-10", source_row=6),
        )
    )
    assert field_checks(register).empty
    assert list(field_checks(register, until="2024-09-09")["customer_id"]) == ["A"]

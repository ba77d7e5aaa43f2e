"""A loss is counted once: consumption_drop leaves a fall to meter_event_unresolved where that
rule finds the same customer over the same months (`Rule.left_to`), and only there."""

from __future__ import annotations

import pandas as pd
from test_consumption_drop import _two_districts

from auditkit import rules
from auditkit.data import Dataset
from auditkit.rules.registry import RULES
from auditkit.rules.worklist import counted_once


def _finding(rule_id: str, customer: str, period_from: str, period_to: str, revenue: float):
    return {
        "rule_id": rule_id,
        "customer_id": customer,
        "period_from": period_from,
        "period_to": period_to,
        "revenue_impact": revenue,
    }


def test_a_drop_from_the_month_before_the_alarm_to_its_last_month_is_left_to_the_alarm():
    findings = pd.DataFrame(
        [
            _finding("meter_event_unresolved", "A", "2024-06", "2024-12", 2880.0),
            _finding("consumption_drop", "A", "2024-05", "2024-12", 2500.0),  # the month before
            _finding("meter_event_unresolved", "B", "2024-06", "2024-12", 900.0),
            _finding("consumption_drop", "B", "2024-12", "2024-12", 100.0),  # its last month
            _finding("consumption_drop", "C", "2024-07", "2024-12", 700.0),  # no alarm
        ]
    )
    notes: list[str] = []
    kept = counted_once(findings, notes)
    assert kept[["rule_id", "customer_id"]].values.tolist() == [
        ["meter_event_unresolved", "A"],
        ["meter_event_unresolved", "B"],
        ["consumption_drop", "C"],
    ]
    assert kept["revenue_impact"].sum() == 2880.0 + 900.0 + 700.0
    assert notes == [
        "consumption_drop: 2 finding(s) left to meter_event_unresolved, which counts the same "
        "loss on its own evidence (counted once)"
    ]


def test_a_drop_that_began_before_the_alarm_or_after_its_months_is_another_loss_and_stays():
    findings = pd.DataFrame(
        [
            _finding("meter_event_unresolved", "A", "2024-06", "2024-09", 2880.0),
            _finding("consumption_drop", "A", "2024-04", "2024-12", 2500.0),  # two months before
            _finding("meter_event_unresolved", "B", "2024-06", "2024-09", 900.0),
            _finding("consumption_drop", "B", "2024-10", "2024-12", 100.0),  # after its months
        ]
    )
    notes: list[str] = []
    kept = counted_once(findings, notes)
    assert len(kept) == 4 and notes == []


def test_the_alarm_rule_is_never_left_to_the_drop_and_rules_declare_known_ids():
    findings = pd.DataFrame(
        [
            _finding("meter_event_unresolved", "A", "2024-06", "2024-12", 2880.0),
            _finding("zero_consumption", "A", "2024-06", "2024-12", 10.0),
        ]
    )
    assert len(counted_once(findings, [])) == 2
    assert RULES["consumption_drop"].left_to == ("meter_event_unresolved",)
    for rule in RULES.values():
        assert set(rule.left_to) <= set(RULES) - {rule.rule_id}, rule.rule_id


def _tampered_k07() -> Dataset:
    """The 60 households of `_two_districts`; K07 falls to 35 % from 2024-07 after its meter
    cover was opened on 2024-06-20 and never closed; B03 and K21 fall with no alarm."""
    alarm = {
        "customer_id": "K07",
        "meter_id": "M-K07",
        "event_at": pd.Timestamp("2024-06-20 09:00"),
        "event": "cover_open",
        "cleared_at": pd.NaT,
    }
    return Dataset.from_frames(_two_districts().tables() | {"meter_events": pd.DataFrame([alarm])})


def test_a_tampered_meters_fall_is_one_finding_in_a_run_of_both_rules():
    dataset = _tampered_k07()
    both = rules.run(dataset, rules=["consumption_drop", "meter_event_unresolved"])
    by_rule = both.groupby("rule_id")["customer_id"].apply(sorted).to_dict()
    assert by_rule == {"consumption_drop": ["B03", "K21"], "meter_event_unresolved": ["K07"]}
    assert any(
        note.startswith("consumption_drop: 1 finding(s) left to") for note in both.attrs["notes"]
    )


def test_the_drop_rule_alone_still_finds_the_tampered_meters_fall():
    alone = rules.run(_tampered_k07(), rules=["consumption_drop"])
    assert sorted(alone["customer_id"]) == ["B03", "K07", "K21"]

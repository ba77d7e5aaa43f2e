"""A loss is counted once: an estimate leaves a fall or a run of zeros to the rule that names its
cause where that rule finds the same customer over the same months (`Rule.left_to`), and only
there: consumption_drop to meter_event_unresolved and the proved metering rules,
meter_event_unresolved to the proved metering rules, zero_consumption to register_mismatch and
meter_event_unresolved."""

from __future__ import annotations

import pandas as pd
import pytest
from rule_builder import COMMERCIAL, Utility, flat
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
            _finding("consumption_drop", "A", "2024-06", "2024-12", 10.0),
        ]
    )
    kept = counted_once(findings, [])
    assert kept["rule_id"].tolist() == ["meter_event_unresolved"]  # never the other way
    assert RULES["consumption_drop"].left_to == (
        "meter_event_unresolved",
        "multiplier_mismatch",
        "register_mismatch",
        "meter_error_backbill",
    )
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


def _alarm(customer: str, at: str) -> dict:
    return {
        "customer_id": customer,
        "meter_id": f"M-{customer}",
        "event_at": pd.Timestamp(at),
        "event": "cover_open",
        "cleared_at": pd.NaT,
    }


def _run(u: Utility, rule_ids: list[str], **tables: list[dict]) -> pd.DataFrame:
    frames = u.tables() | {name: pd.DataFrame(rows) for name, rows in tables.items()}
    return rules.run(Dataset.from_frames(frames), rules=rule_ids)


def test_zeros_the_registers_contradict_are_counted_once_by_register_mismatch():
    """A shop on COM (0.80) billed 0 kWh from July while its registers advance 1,000 a month:
    6 × 1,000 × 0.80 = 4,800.00 lost, proved by register_mismatch; zero_consumption's estimate
    of the same months is left to it (9,600.00 before)."""
    u = Utility()
    u.customer("Z", **COMMERCIAL)
    for bill in u.monthly("Z", flat(1000), tariff="COM")[6:]:
        bill.update(kwh_billed=0.0, energy_charge=0.0, amount=0.0)
    found = _run(u, ["register_mismatch", "zero_consumption"])
    assert found["rule_id"].tolist() == ["register_mismatch"]
    assert found["revenue_impact"].sum() == pytest.approx(4_800.00)
    assert "zero_consumption: 1 finding(s) left to register_mismatch" in found.attrs["notes"][0]


def test_zeros_after_an_unresolved_alarm_are_counted_once_by_the_alarm():
    """Cover opened in June, never cleared, 0 kWh from July: one estimate, the alarm's."""
    u = Utility()
    u.customer("Z", **COMMERCIAL)
    u.monthly("Z", flat(1000, 6) + flat(0, 6), tariff="COM")
    found = _run(
        u,
        ["zero_consumption", "meter_event_unresolved"],
        meter_events=[_alarm("Z", "2024-06-10 08:00")],
    )
    assert found["rule_id"].tolist() == ["meter_event_unresolved"]


def test_a_fall_a_wrong_multiplier_explains_is_the_multipliers_not_the_alarms_as_well():
    """CT 2 billed at 2 to June, at 1 from July (500 of 1,000 kWh a month), a cover opened in
    June: 6 × 500 × 0.80 = 2,400.00 lost, proved by multiplier_mismatch; the alarm's estimate of
    the same fall (2,400.00 more before) is left to it."""
    u = Utility()
    u.customer("M", ct_ratio=2.0, **COMMERCIAL)
    first_half = [f"2024-{month:02d}" for month in range(1, 7)]
    second_half = [f"2024-{month:02d}" for month in range(7, 13)]
    u.monthly("M", flat(1000, 6), multiplier=2.0, tariff="COM", periods=first_half)
    u.monthly("M", flat(500, 6), tariff="COM", periods=second_half, start_register=4000.0)
    found = _run(
        u,
        ["multiplier_mismatch", "meter_event_unresolved"],
        meter_events=[_alarm("M", "2024-06-10 08:00")],
    )
    assert found["rule_id"].tolist() == ["multiplier_mismatch"]
    assert found["revenue_impact"].sum() == pytest.approx(2_400.00)

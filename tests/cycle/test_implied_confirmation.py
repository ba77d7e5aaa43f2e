"""Rectified, recovered and archive corrected (已整改 / 已追补 / 档案已更正) imply the irregularity
was confirmed: every reader of the field's decisions counts such a finding as confirmed, dated
when the field came to it, never as awaiting a check."""

from __future__ import annotations

import pandas as pd
import pytest

from auditkit.cycle.evaluate import finding_states, latest_decisions, window_events
from auditkit.cycle.window import cycle_window
from auditkit.register.decided import undecided
from auditkit.register.keys import finding_keys

MONTHS = ["2024-09", "2024-10"]


def trail(*events: tuple[str, str, str, float | None]) -> pd.DataFrame:
    """Outcome events (finding_key, event, day, amount) in the order they happened."""
    frame = pd.DataFrame(events, columns=["finding_key", "event", "happened_at", "amount"])
    frame["happened_at"] = pd.to_datetime(frame["happened_at"])
    return frame.assign(auditor=None, selected_by="sample")


def findings(*customers: str) -> pd.DataFrame:
    """Findings of 城东 as the register holds them, with their keys."""
    frame = pd.DataFrame(
        {
            "rule_id": "rate_mismatch",
            "customer_id": list(customers),
            "period_from": "2024-01",
            "district": "城东",
            "severity": "high",
            "revenue_impact": 1000.0,
            "score": 0.5,
            "revenue_kind": "proved",
            "first_as_of": "2024-09",
            "last_as_of": "2024-10",
        }
    )
    return frame.assign(finding_key=finding_keys(frame).to_numpy())


@pytest.mark.parametrize("outcome", ["rectified", "recovered", "archive_corrected"])
def test_an_outcome_that_implies_the_irregularity_decides_it_confirmed(outcome):
    frame = findings("a", "b")
    a, _ = finding_keys(frame)
    events = trail((a, "sent", "2024-10-03", None), (a, outcome, "2024-10-09", 500.0))
    decided = latest_decisions(events)
    assert decided[["finding_key", "event"]].values.tolist() == [[a, "confirmed"]]
    kept = undecided(frame, events)  # not sent to the field again next month
    assert kept["customer_id"].tolist() == ["b"]
    assert kept.attrs["decided"] == {"confirmed": 1, "false_alarm": 0}


def test_a_finding_rectified_without_a_verdict_is_checked_and_confirmed_not_awaiting_check():
    frame = findings("a", "b")
    a, b = finding_keys(frame)
    events = trail(
        (a, "sent", "2024-10-03", None),
        (a, "rectified", "2024-10-20", None),
        (b, "sent", "2024-10-03", None),
    )
    window = cycle_window(MONTHS, "2024-09", 1)  # events of 2024-10
    states = finding_states(frame, window_events(events, window), window).set_index("customer_id")
    assert states.loc["a", ["checked", "confirmed", "sample_confirmed"]].tolist() == [True] * 3
    assert not states.loc["a", "awaiting_check"] and not states.loc["a", "awaiting_rectification"]
    assert states.loc["a", "days_to_rectify"] == 17.0  # 10-03 to 10-20
    assert states.loc["b", "awaiting_check"] and not states.loc["b", "checked"]


def test_a_confirmation_stays_dated_the_day_it_was_made_when_the_finding_is_rectified_later():
    """a confirmed 10-05, rectified 11-20: checked once, in October's cycle; b a false alarm on
    10-06 whose money was recovered on 11-21 is confirmed from the recovery on."""
    frame = findings("a", "b")
    a, b = finding_keys(frame)
    events = trail(
        (a, "confirmed", "2024-10-05", None),
        (a, "rectified", "2024-11-20", None),
        (b, "false_alarm", "2024-10-06", None),
        (b, "recovered", "2024-11-21", 800.0),
    )
    decided = latest_decisions(events).set_index("finding_key")
    assert decided.loc[a, "happened_at"] == pd.Timestamp("2024-10-05")
    assert decided.loc[b, "happened_at"] == pd.Timestamp("2024-11-21")
    assert decided["event"].tolist() == ["confirmed", "confirmed"]
    october = cycle_window(MONTHS, "2024-09", 1)  # 2024-10-01 to 2024-10-31
    states = finding_states(frame, window_events(events, october), october)
    states = states.set_index("customer_id")
    assert states.loc["a", "confirmed"] and states.loc["b", "false_alarms"]  # known then
    november = cycle_window(MONTHS, "2024-10", 1)  # from 2024-11-01
    states = finding_states(frame, window_events(events, november), november)
    states = states.set_index("customer_id")
    assert not states.loc["a", "checked"]  # checked in October, not again for its rectification
    assert states.loc["b", "confirmed"]

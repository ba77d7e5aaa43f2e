"""undecided: the findings the field has not decided yet, for next month's worklist."""

from __future__ import annotations

import pandas as pd
import pytest
from worklist_builders import finding, findings

from auditkit.errors import ParameterError
from auditkit.register.decided import undecided
from auditkit.register.keys import finding_keys


def trail(*events: tuple[str, str, str]) -> pd.DataFrame:
    """Outcome events (finding_key, event, day) in the order they happened."""
    return pd.DataFrame(events, columns=["finding_key", "event", "happened_at"])


def test_confirmed_and_false_alarms_are_left_out_and_counted_sent_ones_kept():
    frame = findings(finding("a", 500), finding("b", 300), finding("c", 200), finding("d", 100))
    a, b, c, _ = finding_keys(frame)
    outcomes = trail(
        (a, "sent", "2025-02-03"),
        (b, "sent", "2025-02-03"),
        (c, "sent", "2025-02-03"),
        (a, "confirmed", "2025-02-10"),
        (b, "false_alarm", "2025-02-11"),
        (a, "rectified", "2025-02-20"),
    )
    kept = undecided(frame, outcomes)
    assert kept["customer_id"].tolist() == ["c", "d"]  # c only sent, d never sent
    assert kept.attrs["decided"] == {"confirmed": 1, "false_alarm": 1}


def test_the_latest_verdict_decides_and_attrs_are_kept():
    frame = findings(finding("a", 500), finding("b", 300))
    frame.attrs["as_of"] = "2025-03"
    a, _ = finding_keys(frame)
    # a self-audit's false alarm on a, corrected by a cross-audit's confirmation: still decided
    outcomes = trail((a, "false_alarm", "2025-02-11"), (a, "confirmed", "2025-03-02"))
    kept = undecided(frame, outcomes)
    assert kept["customer_id"].tolist() == ["b"]
    assert kept.attrs == {"as_of": "2025-03", "decided": {"confirmed": 1, "false_alarm": 0}}


def test_events_given_out_of_order_are_decided_in_the_order_they_happened():
    frame = findings(finding("a", 500))
    (a,) = finding_keys(frame)
    outcomes = trail((a, "confirmed", "2025-03-02"), (a, "false_alarm", "2025-02-11"))
    assert undecided(frame, outcomes).attrs["decided"] == {"confirmed": 1, "false_alarm": 0}
    undated = trail((a, "false_alarm", None), (a, "confirmed", pd.Timestamp("2025-03-02")))
    assert undecided(frame, undated).attrs["decided"] == {"confirmed": 1, "false_alarm": 0}


def test_events_stamped_in_several_time_zones_are_ordered_by_their_own_clocks():
    frame = findings(finding("a", 500))
    (a,) = finding_keys(frame)
    outcomes = trail(
        (a, "confirmed", "2025-03-02 09:00+08:00"),
        (a, "false_alarm", "2025-02-11"),
    )
    assert undecided(frame, outcomes).attrs["decided"] == {"confirmed": 1, "false_alarm": 0}


def test_an_event_whose_time_is_not_a_date_is_refused_with_its_row():
    frame = findings(finding("a", 500))
    (a,) = finding_keys(frame)
    outcomes = trail((a, "sent", "2025-02-03"), (a, "confirmed", "next week"))
    with pytest.raises(ParameterError, match=r"outcomes.happened_at.*'next week' in row 2"):
        undecided(frame, outcomes)


def test_a_reopened_finding_goes_out_again_despite_a_verdict_before_its_reopening():
    frame = findings(finding("a", 500), finding("b", 300)).assign(
        status=["reopened", "persisting"], last_as_of=["2025-03", "2025-03"]
    )
    a, b = finding_keys(frame)
    # a reopened by the 2025-03 run: its 02-10 verdict was on the earlier occurrence
    outcomes = trail((a, "confirmed", "2025-02-10"), (b, "confirmed", "2025-02-10"))
    kept = undecided(frame, outcomes)
    assert kept["customer_id"].tolist() == ["a"]
    assert kept.attrs["decided"] == {"confirmed": 1, "false_alarm": 0}


def test_a_reopened_finding_the_field_decides_after_its_reopening_is_left_out():
    frame = findings(
        finding("a", 500), finding("b", 400), finding("c", 300), finding("d", 200)
    ).assign(status="reopened", last_as_of="2026-10")
    a, b, c, d = finding_keys(frame)
    # reopened by the 2026-10 run, whose field cycle begins 2026-11-01
    outcomes = trail(
        (a, "confirmed", "2026-09-20"),  # the earlier occurrence's verdict
        (a, "sent", "2026-11-04"),
        (a, "confirmed", "2026-11-06"),  # the reopened finding confirmed: decided
        (b, "false_alarm", "2026-10-31"),  # the day before the reopening: not decided
        (c, "confirmed", "2026-09-10"),
        (c, "rectified", "2026-11-02"),  # rectified since: confirmed anew, decided
        (d, "false_alarm", None),  # undated: counts as earlier, not decided
    )
    kept = undecided(frame, outcomes)
    assert kept["customer_id"].tolist() == ["b", "d"]
    assert kept.attrs["decided"] == {"confirmed": 2, "false_alarm": 0}


def test_a_reopened_finding_found_persisting_since_stays_undecided_until_the_field_decides_it():
    """a, reopened by the 2025-03 run and persisting in 2025-04's, went out of the worklist
    again: its status no longer said reopened, so its 02-10 verdict on the earlier occurrence
    decided it. Near misses: b, reopened too, decided since its reopening (04-05); c, never
    reopened, decided on 02-10."""
    frame = findings(finding("a", 500), finding("b", 400), finding("c", 300)).assign(
        status="persisting", last_as_of="2025-04", reopened_as_of=["2025-03", "2025-03", None]
    )
    a, b, c = finding_keys(frame)
    outcomes = trail(
        (a, "confirmed", "2025-02-10"),
        (b, "confirmed", "2025-04-05"),
        (c, "confirmed", "2025-02-10"),
    )
    kept = undecided(frame, outcomes)
    assert kept["customer_id"].tolist() == ["a"]
    assert kept.attrs["decided"] == {"confirmed": 2, "false_alarm": 0}


def test_a_status_without_the_month_it_was_found_in_is_refused():
    frame = findings(finding("a", 500)).assign(status="reopened")
    with pytest.raises(ParameterError, match=r"findings.*no column last_as_of"):
        undecided(frame, trail())


def test_a_trail_without_decisions_keeps_everything_and_a_wrong_frame_is_named():
    frame = findings(finding("a", 500))
    kept = undecided(frame, trail())
    assert kept["customer_id"].tolist() == ["a"]
    assert kept.attrs["decided"] == {"confirmed": 0, "false_alarm": 0}
    with pytest.raises(ParameterError, match=r"outcomes.*no column event"):
        undecided(frame, pd.DataFrame({"finding_key": []}))
    with pytest.raises(ParameterError, match=r"findings.*no column period_from"):
        undecided(frame.drop(columns="period_from"), trail())

"""A reopening decides a finding's current state only: the audit-cycle report still counts
every check the field made in the window (checked, confirmed, precision) and the under-reported
list reads the district's own verdict on the occurrence the cross-audit confirmed.

Months 2026-08..2026-11 recorded; the window of the last three (as_of 2026-11) counts events
from 2026-10-01 (2026-09's cycle begins the day after its month) with no end. Reopened in
2026-10 means events from 2026-11-01 decide the occurrence found again.

| finding | east, rate_mismatch, 100 | reopened | what happened |
|---|---|---|---|
| X | found 08..11 | 2026-10 | sent 10-03; east: false alarm 10-05; west (cross): confirmed 11-10 |
| Y (near miss) | found 08..11 | never | sent 10-03; east: false alarm 10-05; west: confirmed 11-10 |
| Z | found 08..11 | 2026-10 | sent 10-03; east: confirmed 10-05; nothing since |
| W (near miss) | found 08..11 | 2026-10 | sent 09-03; east: confirmed 09-05 (before the window) |

V (west, nothing happened) makes west a district of the register, so west's checks are cross
checks, not a slip.
"""

from __future__ import annotations

import pandas as pd

from auditkit.cycle import study_of
from auditkit.register import finding_key

RECORDED = ("2026-08", "2026-09", "2026-10", "2026-11")
#: (finding, event, day, auditor), in the order recorded
EVENTS = (
    ("W", "sent", "2026-09-03", None),
    ("W", "confirmed", "2026-09-05", None),
    ("X", "sent", "2026-10-03", None),
    ("Y", "sent", "2026-10-03", None),
    ("Z", "sent", "2026-10-03", None),
    ("X", "false_alarm", "2026-10-05", None),
    ("Y", "false_alarm", "2026-10-05", None),
    ("Z", "confirmed", "2026-10-05", None),
    ("X", "confirmed", "2026-11-10", "west"),
    ("Y", "confirmed", "2026-11-10", "west"),
)


def key(name: str) -> str:
    return finding_key(f"C-{name}", "rate_mismatch", "2026-06")


def study() -> object:
    """The study of 2026-11 (three months) of V..Z, X, Z and W reopened in 2026-10."""
    findings = pd.DataFrame(
        [
            {"finding_key": key(name), "customer_id": f"C-{name}", "rule_id": "rate_mismatch",
             "district": "west" if name == "V" else "east", "revenue_impact": 100.0, "revenue_kind": "proved",
             "first_as_of": "2026-08", "last_as_of": "2026-11"}
            for name in "VWXYZ"
        ]
    )  # fmt: skip
    events = pd.DataFrame(
        [
            {"finding_key": key(name), "event": event, "amount": float("nan"),
             "happened_at": pd.Timestamp(day), "auditor": auditor, "selected_by": "revenue"}
            for name, event, day, auditor in EVENTS
        ]
    )  # fmt: skip
    reopenings = pd.DataFrame({"finding_key": [key(name) for name in "XZW"], "as_of": "2026-10"})
    return study_of(findings, events, RECORDED, as_of="2026-11", months=3, reopenings=reopenings)


def test_a_check_of_a_reopened_findings_earlier_occurrence_in_the_window_does_count_as_checked():
    report = study()
    states = report.states.set_index("customer_id")
    # checked in the window: X (west 11-10), Y (west 11-10), Z (east 10-05, the earlier
    # occurrence) = 3, all confirmed; before, Z's check vanished: 2 checked / 2 confirmed
    east = states[states["district"] == "east"]
    assert east["checked"].to_dict() == {"C-W": False, "C-X": True, "C-Y": True, "C-Z": True}
    totals = report.total.iloc[0]
    assert (totals["checked"], totals["confirmed"], totals["false_alarms"]) == (3, 3, 0)
    assert report.precision.set_index("rule_id").loc["rate_mismatch", "checked"] == 3
    # the current state still follows the cut-off: Z's 10-05 verdict is on its earlier
    # occurrence, so Z awaits a check (sent 10-03), not a rectification
    assert pd.isna(states.loc["C-Z", "decision"])
    assert east["awaiting_rectification"].to_dict() == {
        "C-W": False,
        "C-X": True,
        "C-Y": True,
        "C-Z": False,
    }
    # near miss: W's check of 09-05 is before the window (from 10-01): not checked, and on the
    # earlier occurrence, so W (sent 09-03) awaits a check as Z does
    assert east["awaiting_check"].to_dict() == {
        "C-W": True,
        "C-X": False,
        "C-Y": False,
        "C-Z": True,
    }


def test_the_under_reported_list_reads_the_districts_verdict_on_the_occurrence_confirmed():
    listed = study().self_cross.under_reported.set_index("customer_id")["self_verdict"]
    # X: east's false alarm of 10-05 was on the earlier occurrence; west confirmed the one found
    # again (11-10), which east never checked (before: 'false_alarm')
    # Y (near miss, never reopened): east's false alarm is on the same occurrence, so it stays
    assert listed.to_dict() == {"C-X": "unchecked", "C-Y": "false_alarm"}

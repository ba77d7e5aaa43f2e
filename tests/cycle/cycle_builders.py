"""A small register, as frames and as a SQLite register, whose audit-cycle figures are worked
out by hand in the tests.

Months 2024-01..2024-03 are recorded; a window of the last two (as_of 2024-03) counts the events
from 2024-03-01 (the cycle of 2024-02 begins the day after its month) with no end.

| finding | district, rule, kind, at stake | found | what happened |
|---|---|---|---|
| F1 | north, rate_mismatch, proved, 1000 | 01..03 | sent 02-20; confirmed 03-05; rectified 03-15 (24 days); recovered 600 on 03-20 |
| F2 | north, rate_mismatch, proved, 500 | 02..03 | sent 03-02 by sample; false alarm 03-10, corrected to confirmed 04-02 |
| F3 | north, zero_consumption, estimated, 300 | 03 | sent 04-03 by sample; false alarm 04-10 |
| F4 | north, zero_consumption, estimated, 200 | 03 | sent 04-03 by sample; not yet checked |
| F5 | south, rate_mismatch, proved, 800 | 01 | sent 01-25; confirmed 02-05; rectified 03-10 (45 days); recovered 800 on 03-12 |
| F6 | south, zero_consumption, estimated, 400 | 02..03 | sent 03-03 by sample; self: false alarm 03-10; north's cross-audit: confirmed 03-25, recovered 150 on 04-05 |
| F7 | south, rate_mismatch, proved, 900 | 03 | north's cross-audit (chosen by revenue): confirmed 03-28; rectified 04-08 (never sent: days unknown) |
| F8 | south, rate_mismatch, proved, 100 | 03 | nothing yet |
"""

from __future__ import annotations

import pandas as pd

from auditkit.register import Register, finding_key
from auditkit.rules import FINDING_COLUMNS

RECORDED = ("2024-01", "2024-02", "2024-03")
#: key name: (district, rule, kind, revenue, period_from, first month, last month)
FINDINGS = {
    "F1": ("north", "rate_mismatch", "proved", 1000.0, "2023-10", "2024-01", "2024-03"),
    "F2": ("north", "rate_mismatch", "proved", 500.0, "2023-11", "2024-02", "2024-03"),
    "F3": ("north", "zero_consumption", "estimated", 300.0, "2023-12", "2024-03", "2024-03"),
    "F4": ("north", "zero_consumption", "estimated", 200.0, "2024-01", "2024-03", "2024-03"),
    "F5": ("south", "rate_mismatch", "proved", 800.0, "2023-09", "2024-01", "2024-01"),
    "F6": ("south", "zero_consumption", "estimated", 400.0, "2023-12", "2024-02", "2024-03"),
    "F7": ("south", "rate_mismatch", "proved", 900.0, "2024-01", "2024-03", "2024-03"),
    "F8": ("south", "rate_mismatch", "proved", 100.0, "2024-02", "2024-03", "2024-03"),
}
#: (finding, event, amount, day, auditor, selected_by), in the order recorded
EVENTS = (
    ("F5", "sent", None, "2024-01-25", None, "revenue"),
    ("F5", "confirmed", None, "2024-02-05", None, "revenue"),
    ("F1", "sent", None, "2024-02-20", None, "revenue"),
    ("F2", "sent", None, "2024-03-02", None, "sample"),
    ("F6", "sent", None, "2024-03-03", None, "sample"),
    ("F1", "confirmed", None, "2024-03-05", None, "revenue"),
    ("F2", "false_alarm", None, "2024-03-10", None, "sample"),
    ("F5", "rectified", None, "2024-03-10", None, None),
    ("F6", "false_alarm", None, "2024-03-10", None, "sample"),
    ("F5", "recovered", 800.0, "2024-03-12", None, None),
    ("F1", "rectified", None, "2024-03-15", None, None),
    ("F1", "recovered", 600.0, "2024-03-20", None, None),
    ("F6", "confirmed", None, "2024-03-25", "north", "sample"),
    ("F7", "confirmed", None, "2024-03-28", "north", "revenue"),
    ("F2", "confirmed", None, "2024-04-02", None, None),
    ("F3", "sent", None, "2024-04-03", None, "sample"),
    ("F4", "sent", None, "2024-04-03", None, "sample"),
    ("F6", "recovered", 150.0, "2024-04-05", "north", None),
    ("F7", "rectified", None, "2024-04-08", "north", None),
    ("F3", "false_alarm", None, "2024-04-10", None, "sample"),
)


def customer(name: str) -> str:
    return f"C-{name}"


def key(name: str) -> str:
    """The register key of finding `name`."""
    _, rule, _, _, start, _, _ = FINDINGS[name]
    return finding_key(customer(name), rule, start)


def findings_frame(names: dict[str, tuple] | None = None) -> pd.DataFrame:
    """The findings as `Register.findings` gives them (the columns the evaluation reads)."""
    rows = [
        {
            "finding_key": key(name),
            "customer_id": customer(name),
            "rule_id": rule,
            "district": district,
            "revenue_impact": revenue,
            "revenue_kind": kind,
            "first_as_of": first,
            "last_as_of": last,
        }
        for name, (district, rule, kind, revenue, _, first, last) in (names or FINDINGS).items()
    ]
    return pd.DataFrame(rows)


def outcomes_frame() -> pd.DataFrame:
    """The events as `Register.outcomes` gives them, in the order they happened."""
    frame = pd.DataFrame(
        [
            {
                "finding_key": key(name),
                "event": event,
                "amount": amount,
                "happened_at": pd.Timestamp(day),
                "auditor": auditor,
                "selected_by": selected,
            }
            for name, event, amount, day, auditor, selected in EVENTS
        ]
    )
    frame["amount"] = frame["amount"].astype(float)
    return frame.sort_values("happened_at", kind="stable", ignore_index=True)


def run_findings(month: str) -> pd.DataFrame:
    """The findings a run of `month` found, shaped as `auditkit.rules.run` returns them."""
    rows = [
        {
            "rule_id": rule,
            "area": "tariff",
            "severity": "medium",
            "customer_id": customer(name),
            "district": district,
            "period_from": start,
            "period_to": month,
            "evidence": "hand-made",
            "revenue_impact": revenue,
            "revenue_kind": kind,
            "penalty": 0.0,
            "score": 0.5,
            "evidence_code": "[]",
        }
        for name, (district, rule, kind, revenue, start, first, last) in FINDINGS.items()
        if first <= month <= last
    ]
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS))


def write_register(url: str, outcomes: bool = True) -> None:
    """Record the three months (every district in one run each) and, when asked, the events."""
    with Register.open(url) as register:
        for month in RECORDED:
            register.record_run(run_findings(month), run_id=f"run {month}", as_of=month,
                                district=None)  # fmt: skip
        if outcomes:
            events = outcomes_frame().assign(
                actor="王工",
                source="hand",
                source_row=range(1, len(EVENTS) + 1),
                happened_at=lambda frame: frame["happened_at"].dt.strftime("%Y-%m-%d"),
            )
            register.record_outcomes(events)

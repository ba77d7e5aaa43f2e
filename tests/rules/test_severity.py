"""A finding's severity: high from `severity_high_yuan`, else its rule's; a high rule's finding that
proves no money (¥0.00 owed, no penalty, no refund) is medium."""

from __future__ import annotations

import numpy as np
import pytest
from rule_builder import COMMERCIAL, Utility, run

from auditkit.rules.evidence import clause
from auditkit.rules.findings import severities


def _shop(u: Utility, customer_id: str, kwh: float, rate: float) -> None:
    """A shop on COM (0.8 yuan/kWh) billed `kwh` a month in December 2024 at `rate`."""
    u.customer(customer_id, **COMMERCIAL)
    u.monthly(customer_id, [kwh], tariff="COM", rate=rate, periods=["2024-12"])


def test_a_rate_mismatch_of_no_money_does_not_raise_high_severity():
    u = Utility()
    # 10 kWh at 0.8001 where 0.8 is due: 8.001 bills 8.00, as 10 × 0.8 = 8.00 is due: ¥0.00
    # (was high).
    _shop(u, "no_money", 10.0, 0.8001)
    # Near misses, high: a fen under-billed, 100 × 0.8 − 100 × 0.7999 = 80.00 − 79.99 = ¥0.01;
    # a fen over-billed, 100 × 0.8001 = 80.01 against 80.00, a refund of ¥0.01 to the customer.
    _shop(u, "a_fen_short", 100.0, 0.7999)
    _shop(u, "a_fen_to_refund", 100.0, 0.8001)
    findings = run(u, "rate_mismatch").set_index("customer_id")
    assert findings["revenue_impact"].to_dict() == pytest.approx(
        {"no_money": 0.0, "a_fen_short": 0.01, "a_fen_to_refund": 0.0}
    )
    assert findings["severity"].to_dict() == {
        "no_money": "medium",
        "a_fen_short": "high",
        "a_fen_to_refund": "high",
    }


def test_an_estimated_or_penalised_finding_of_no_revenue_keeps_its_rules_high_severity():
    evidence = np.empty(4, dtype=object)
    evidence[:] = [[clause("zero.no_history")] for _ in range(4)]
    severity = severities(
        "high",
        revenue=np.array([0.0, 0.0, 0.004, 0.0]),
        penalty=np.array([0.0, 0.0, 0.0, 20.0]),
        revenue_kind=np.array(["estimated", "proved", "proved", "proved"], dtype=object),
        evidence=evidence,
        high_yuan=10_000.0,
    )
    # An estimated sign (an alarm, sealed equipment in use) at ¥0.00 stays high; a proved ¥0.00
    # (¥0.004 rounds to it) is medium; a penalty of ¥20.00 is money: high.
    assert severity.tolist() == ["high", "medium", "medium", "high"]
    # A rule of medium severity is raised from the threshold and never lowered.
    assert severities(
        "medium",
        np.array([0.0, 10_000.0]),
        np.zeros(2),
        np.array(["proved", "proved"], dtype=object),
        evidence[:2],
        10_000.0,
    ).tolist() == ["medium", "high"]

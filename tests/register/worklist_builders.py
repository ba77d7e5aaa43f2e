"""Hand-made rule findings for the worklist tests: the columns of `auditkit.rules.run`."""

from __future__ import annotations

import pandas as pd

from auditkit.rules import FINDING_COLUMNS, RULES
from auditkit.rules.evidence import clause, encode

#: Rendered as "无更早的账单可据以估算少计电量" / "no earlier bills to estimate the missing energy from".
EVIDENCE_CODE = encode([clause("zero.no_history")])


def finding(customer_id: str, revenue: float, **fields: object) -> dict:
    """One zero_consumption finding of `customer_id` in 城东; `fields` override any column."""
    row = {
        "rule_id": "zero_consumption",
        "area": RULES["zero_consumption"].area,  # the catalog's: a findings file is held to it
        "severity": "medium",
        "customer_id": customer_id,
        "district": "城东",
        "period_from": "2024-09",
        "period_to": "2024-12",
        "evidence": "no earlier bills to estimate the missing energy from",
        "revenue_impact": float(revenue),
        "revenue_kind": "estimated",
        "penalty": 0.0,
        "score": 0.5,
        "evidence_code": EVIDENCE_CODE,
    }
    unknown = set(fields) - set(row) - {"name", "address", "phone"}
    assert not unknown, unknown
    row.update(fields)
    return row


def findings(*rows: dict) -> pd.DataFrame:
    """The findings frame of `rows`, columns in the order `auditkit.rules.run` gives them."""
    frame = pd.DataFrame(list(rows))
    extra = [column for column in frame.columns if column not in FINDING_COLUMNS]
    return frame[[*FINDING_COLUMNS, *extra]]

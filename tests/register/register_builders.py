"""Findings and outcome events for the register's tests, shaped as auditkit produces them."""

from __future__ import annotations

import pandas as pd

from auditkit.rules import FINDING_COLUMNS


def finding(
    customer_id: str,
    rule_id: str = "rate_mismatch",
    period_from: str = "2024-01",
    period_to: str = "2024-06",
    revenue: float = 100.0,
    district: str = "north",
) -> dict:
    """One finding as `auditkit.rules.run` returns it."""
    return {
        "rule_id": rule_id,
        "area": "tariff",
        "severity": "medium",
        "customer_id": customer_id,
        "district": district,
        "period_from": period_from,
        "period_to": period_to,
        "evidence": f"{customer_id} billed at the wrong rate",
        "revenue_impact": revenue,
        "revenue_kind": "proved",
        "penalty": 0.0,
        "score": 0.9,
        "evidence_code": '[["rate", {}]]',
    }


def findings(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(FINDING_COLUMNS))


def event(
    key: str,
    kind: str = "confirmed",
    amount: float | None = None,
    actor: str = "王工",
    happened_at: str = "2024-08-05",
    source: str = "worklist-north-2024-07.xlsx",
    source_row: int = 5,
) -> dict:
    """One outcome event as a returned worklist gives it."""
    return {
        "finding_key": key,
        "event": kind,
        "amount": float("nan") if amount is None else amount,
        "actor": actor,
        "happened_at": happened_at,
        "source": source,
        "source_row": source_row,
    }


def events(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))

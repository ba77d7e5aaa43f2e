"""The stable key of a finding: the same irregularity of the same customer is one finding across
monthly runs, whatever its amount or end month does since."""

from __future__ import annotations

import hashlib

import pandas as pd

#: Joins the parts before hashing: a unit separator cannot occur in ids or 'YYYY-MM' periods.
SEPARATOR = "\x1f"
KEY_LENGTH = 16
#: The columns of a finding its key is made of.
KEY_COLUMNS = ("customer_id", "rule_id", "period_from")


def finding_key(customer_id: str, rule_id: str, period_from: str) -> str:
    """The key of one finding: the first 16 hex digits of sha256 over customer, rule and the
    period it starts in (the start stays while a finding persists; its end moves every month)."""
    joined = SEPARATOR.join((str(customer_id), str(rule_id), str(period_from)))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:KEY_LENGTH]


def finding_keys(findings: pd.DataFrame) -> pd.Series:
    """`finding_key` of every row of `findings` (columns customer_id, rule_id, period_from),
    aligned with its index."""
    joined = (
        findings["customer_id"].astype(str)
        + SEPARATOR
        + findings["rule_id"].astype(str)
        + SEPARATOR
        + findings["period_from"].astype(str)
    )
    keys = [hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_LENGTH] for text in joined]
    return pd.Series(keys, index=findings.index, dtype=object, name="finding_key")

"""Measure findings against a labelled truth (the synthetic utility's `truth` table)."""

from __future__ import annotations

import pandas as pd

from auditkit.errors import require_frame_columns


def precision_recall(
    findings: pd.DataFrame, truth: pd.DataFrame, rule_ids: list[str] | None = None
) -> pd.DataFrame:
    """Precision and recall per rule: a finding is right when truth labels its customer with its rule.

    `rule_ids` lists the rules that ran (default: those in findings or truth), so a rule that found
    nothing still shows its missed cases.
    """
    require_frame_columns(findings, "findings", "findings of rules.run", ["rule_id", "customer_id"])
    require_frame_columns(truth, "truth", "a truth table", ["irregularity", "customer_id"])
    found = set(zip(findings["rule_id"], findings["customer_id"], strict=True))
    labelled = set(zip(truth["irregularity"], truth["customer_id"], strict=True))
    ids = rule_ids or sorted({rule for rule, _ in found} | {rule for rule, _ in labelled})
    rows = []
    for rule_id in ids:
        hits = {pair for pair in found if pair[0] == rule_id}
        labels = {pair for pair in labelled if pair[0] == rule_id}
        true_positive = len(hits & labels)
        rows.append(
            {
                "rule_id": rule_id,
                "findings": len(hits),
                "labelled": len(labels),
                "true_positive": true_positive,
                "precision": true_positive / len(hits) if hits else float("nan"),
                "recall": true_positive / len(labels) if labels else float("nan"),
            }
        )
    return pd.DataFrame(rows)

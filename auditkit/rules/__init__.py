"""The audit rule library: from a dataset to a ranked worklist of findings with revenue at stake.

    findings = auditkit.rules.run(dataset, as_of="2025-12")
    auditkit.rules.evidence_text(findings, "zh")   # each finding's evidence in Chinese
    auditkit.rules.catalog()          # what each rule checks, in English and Chinese

Rules are registered in one module per audit area (`library` imports them all); each runs
vectorised over all customers. `running.run` runs them, `worklist` holds its steps, `precision`
measures findings against a labelled truth.
"""

from auditkit.rules.evidence import evidence_text
from auditkit.rules.findings import FINDING_COLUMNS
from auditkit.rules.library import catalog, select_rules
from auditkit.rules.precision import precision_recall
from auditkit.rules.registry import (
    AREAS,
    PENALTY_CLASSES,
    REVENUE_KINDS,
    RULES,
    Rule,
    area_name,
)
from auditkit.rules.running import of_district, run
from auditkit.rules.worklist import check, rank

__all__ = [
    "AREAS",
    "FINDING_COLUMNS",
    "PENALTY_CLASSES",
    "REVENUE_KINDS",
    "RULES",
    "Rule",
    "area_name",
    "catalog",
    "check",
    "evidence_text",
    "of_district",
    "precision_recall",
    "rank",
    "run",
    "select_rules",
]

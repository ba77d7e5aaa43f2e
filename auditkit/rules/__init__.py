"""The audit rule library: from a dataset to a ranked worklist of findings with revenue at stake.

    findings = auditkit.rules.run(dataset, as_of="2025-12")
    auditkit.rules.catalog()          # what each rule checks, in English and Chinese

Rules are registered in one module per audit area; each runs vectorised over all customers.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from auditkit.errors import ParameterError
from auditkit.rules import capacity, change_of_use, consumption, metering, routine  # noqa: F401
from auditkit.rules.context import RuleContext
from auditkit.rules.evaluate import evaluate
from auditkit.rules.findings import FINDING_COLUMNS
from auditkit.rules.params import load_defaults, resolve
from auditkit.rules.periods import period_text
from auditkit.rules.registry import AREAS, RULES, Rule

__all__ = ["AREAS", "FINDING_COLUMNS", "RULES", "Rule", "catalog", "evaluate", "run"]

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def run(
    dataset: object,
    as_of: str | None = None,
    rules: Iterable[str] | None = None,
    params: Mapping | None = None,
    *,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Run the rule library on `dataset`; one row per customer and rule, highest impact first.

    `as_of` ('YYYY-MM', default the last billed month) ignores later bills and orders; `rules`
    limits the run to these ids; `params` overrides thresholds of `params/rules.yaml`. Rules whose
    tables or columns are missing or empty are skipped, each with a line appended to `notes`
    (also in `findings.attrs["notes"]`), and `findings.attrs["timings"]` holds seconds per rule.
    """
    selected = _select(rules)
    settings = resolve(load_defaults(), params)
    context = RuleContext.build(dataset, as_of)
    notes = [] if notes is None else notes
    frames, timings = [], {}
    for rule in selected:
        missing = _missing_needs(dataset, rule)
        if missing:
            notes.append(f"{rule.rule_id} skipped: {missing}")
            continue
        started = time.perf_counter()
        raw = rule.check(context, settings[rule.rule_id])
        timings[rule.rule_id] = round(time.perf_counter() - started, 3)
        frames.append(_finish(raw, rule, context, settings["common"]))
    findings = pd.concat(frames, ignore_index=True) if frames else _empty()
    findings = findings.sort_values(
        ["revenue_impact", "score", "rule_id", "customer_id"],
        ascending=[False, False, True, True],
        kind="stable",
        ignore_index=True,
    )
    findings.attrs["notes"] = notes
    findings.attrs["timings"] = timings
    findings.attrs["as_of"] = context.as_of_period
    return findings


def catalog() -> pd.DataFrame:
    """Every rule: id, area, titles in English and Chinese, what it checks, data it needs, parameters."""
    defaults = load_defaults()
    rows = [
        {
            "rule_id": rule.rule_id,
            "area": rule.area,
            "title_en": rule.title_en,
            "title_zh": rule.title_zh,
            "checks": rule.checks,
            "needs": ", ".join(rule.needs),
            "parameters": ", ".join(
                f"{name}={defaults[rule.rule_id][name]}" for name in rule.params
            ),
            "severity": rule.severity,
        }
        for rule in RULES.values()
    ]
    return pd.DataFrame(rows)


def _select(rules: Iterable[str] | None) -> list[Rule]:
    if rules is None:
        return list(RULES.values())
    if isinstance(rules, str):
        rules = [rules]
    chosen = list(rules)
    unknown = [rule_id for rule_id in chosen if rule_id not in RULES]
    if unknown:
        raise ParameterError("rules", f"rule ids among {', '.join(RULES)}", ", ".join(unknown))
    return [RULES[rule_id] for rule_id in chosen]


def _missing_needs(dataset: object, rule: Rule) -> str:
    """Why `rule` cannot run on `dataset` ('' when it can): an absent table or an empty column."""
    for need in rule.needs:
        table_name, _, column = need.partition(".")
        table = getattr(dataset, table_name, None)
        if table is None:
            return f"table {table_name} is absent"
        if column and (column not in table.columns or table[column].isna().all()):
            return f"column {table_name}.{column} is missing or empty"
    return ""


def _finish(raw: pd.DataFrame, rule: Rule, context: RuleContext, common: dict) -> pd.DataFrame:
    customers = context.customers
    high = raw["revenue_impact"].to_numpy() >= common["severity_high_yuan"]
    severity = np.where(high, "high", rule.severity)
    frame = pd.DataFrame(
        {
            "rule_id": rule.rule_id,
            "area": rule.area,
            "severity": severity,
            "customer_id": customers["customer_id"].to_numpy()[raw["cust"].to_numpy()],
            "district": customers["district"].to_numpy()[raw["cust"].to_numpy()],
            "period_from": period_text(raw["month_from"].to_numpy()),
            "period_to": period_text(raw["month_to"].to_numpy()),
            "evidence": raw["evidence"].to_numpy(),
            "revenue_impact": raw["revenue_impact"].to_numpy(dtype=float),
            "score": np.round(raw["score"].to_numpy(dtype=float), 4),
        },
        columns=list(FINDING_COLUMNS),
    )
    return frame.astype({"period_from": object, "period_to": object, "severity": object})


def _empty() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in FINDING_COLUMNS}).astype(
        {"revenue_impact": float, "score": float}
    )

"""The audit rule library: from a dataset to a ranked worklist of findings with revenue at stake.

    findings = auditkit.rules.run(dataset, as_of="2025-12")
    auditkit.rules.evidence_text(findings, "zh")   # each finding's evidence in Chinese
    auditkit.rules.catalog()          # what each rule checks, in English and Chinese

Rules are registered in one module per audit area; each runs vectorised over all customers.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from auditkit.errors import ParameterError
from auditkit.periods import period_text
from auditkit.rules import capacity, change_of_use, consumption, metering, routine  # noqa: F401
from auditkit.rules.context import RuleContext
from auditkit.rules.evaluate import evaluate
from auditkit.rules.evidence import encode, evidence_text, render
from auditkit.rules.findings import FINDING_COLUMNS
from auditkit.rules.params import load_defaults, resolve
from auditkit.rules.registry import AREAS, RULES, Rule, area_name

__all__ = [
    "AREAS",
    "FINDING_COLUMNS",
    "RULES",
    "Rule",
    "area_name",
    "catalog",
    "check",
    "evaluate",
    "evidence_text",
    "rank",
    "run",
    "select_rules",
]

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def run(
    dataset: object,
    as_of: str | None = None,
    rules: Iterable[str] | None = None,
    params: Mapping | None = None,
    *,
    notes: list[str] | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> pd.DataFrame:
    """Run the rule library on `dataset`; one row per customer and rule, highest impact first.

    `evidence` is an English sentence; `evidence_code` holds the same evidence as clauses (JSON),
    which `evidence_text(findings, lang)` renders in Chinese or English.

    `as_of` ('YYYY-MM', default the last billed month) ignores later bills and orders; `rules`
    limits the run to these ids; `params` overrides thresholds of `params/rules.yaml`. Rules whose
    tables or columns are missing or empty are skipped, each with a line appended to `notes`
    (also in `findings.attrs["notes"]`), and `findings.attrs["timings"]` holds seconds per rule.

    `engine="local"` runs in this process; `engine="dask"` runs the same rules per customer
    partition on the dask.distributed cluster at `scheduler` ('tcp://host:8786'), or on a local
    cluster when none is given, with identical findings (see `auditkit.engine`). A lazily loaded
    dataset (`auditkit.data.load(path, lazy=True)`) runs partition by partition on either engine.
    """
    in_memory = hasattr(dataset, "bills")  # a Dataset; a lazily loaded one has no frames yet
    if engine != "local" or scheduler is not None or not in_memory:
        from auditkit.engine import run_rules

        return run_rules(
            dataset, as_of, rules, params, notes=notes, engine=engine, scheduler=scheduler
        )
    selected = select_rules(rules)
    settings = resolve(load_defaults(), params)
    context = RuleContext.build(dataset, as_of)
    notes = [] if notes is None else notes
    runnable = []
    for rule in selected:
        missing = missing_needs(dataset, rule)
        if missing:
            notes.append(f"{rule.rule_id} skipped: {missing}")
        else:
            runnable.append(rule)
    frames, timings = check(context, runnable, settings)
    return rank(frames, notes, timings, context.as_of_period)


def check(
    context: RuleContext,
    selected: Iterable[Rule],
    settings: Mapping[str, dict],
    own_customers: int | None = None,
) -> tuple[list[pd.DataFrame], dict[str, float]]:
    """Run each rule's check on `context`: its findings frames and seconds per rule.

    Engines call it on each part of a dataset, then `rank` the parts together. A part may hold,
    after its own customers, customers of other parts that its customers are compared with;
    `own_customers` then keeps only the findings of the first `own_customers` customers.
    """
    frames, timings = [], {}
    for rule in selected:
        started = time.perf_counter()
        raw = rule.check(context, settings[rule.rule_id])
        timings[rule.rule_id] = round(time.perf_counter() - started, 3)
        if own_customers is not None:
            raw = raw[raw["cust"].to_numpy() < own_customers]
        frames.append(_finish(raw, rule, context, settings["common"]))
    return frames, timings


def rank(
    frames: list[pd.DataFrame], notes: list[str], timings: dict[str, float], as_of_period: str
) -> pd.DataFrame:
    """Findings frames as one worklist, highest impact first, with notes, timings and as_of."""
    findings = pd.concat(frames, ignore_index=True) if frames else _empty()
    findings = findings.sort_values(
        ["revenue_impact", "score", "rule_id", "customer_id"],
        ascending=[False, False, True, True],
        kind="stable",
        ignore_index=True,
    )
    findings.attrs["notes"] = notes
    findings.attrs["timings"] = timings
    findings.attrs["as_of"] = as_of_period
    return findings


def catalog() -> pd.DataFrame:
    """Every rule: id, area, title and what it checks in English and Chinese, data it needs,
    parameters with their defaults, severity."""
    defaults = load_defaults()
    rows = [
        {
            "rule_id": rule.rule_id,
            "area": rule.area,
            "title_en": rule.title("en"),
            "title_zh": rule.title("zh"),
            "checks_en": rule.checks("en"),
            "checks_zh": rule.checks("zh"),
            "needs": ", ".join(rule.needs),
            "parameters": ", ".join(
                f"{name}={defaults[rule.rule_id][name]}" for name in rule.params
            ),
            "severity": rule.severity,
        }
        for rule in RULES.values()
    ]
    return pd.DataFrame(rows)


def select_rules(rules: Iterable[str] | None) -> list[Rule]:
    """The rules named by `rules` (all when None); raises ParameterError for unknown ids."""
    if rules is None:
        return list(RULES.values())
    if isinstance(rules, str):
        rules = [rules]
    chosen = list(rules)
    unknown = [rule_id for rule_id in chosen if rule_id not in RULES]
    if unknown:
        raise ParameterError("rules", f"rule ids among {', '.join(RULES)}", ", ".join(unknown))
    return [RULES[rule_id] for rule_id in chosen]


def missing_needs(dataset: object, rule: Rule) -> str:
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
    cust = raw["cust"].to_numpy()
    high = raw["revenue_impact"].to_numpy() >= common["severity_high_yuan"]
    severity = np.where(high, "high", rule.severity)
    clauses = raw["evidence"]
    frame = pd.DataFrame(
        {
            "rule_id": rule.rule_id,
            "area": rule.area,
            "severity": severity,
            # take() first: the archive's text columns are never copied whole as Python strings
            "customer_id": context.customers["customer_id"].take(cust).to_numpy(),
            "district": context.customers["district"].take(cust).to_numpy(),
            "period_from": period_text(raw["month_from"].to_numpy()),
            "period_to": period_text(raw["month_to"].to_numpy()),
            "evidence": np.array([render(finding, "en") for finding in clauses], dtype=object),
            "revenue_impact": raw["revenue_impact"].to_numpy(dtype=float),
            "score": np.round(raw["score"].to_numpy(dtype=float), 4),
            "evidence_code": np.array([encode(finding) for finding in clauses], dtype=object),
        },
        columns=list(FINDING_COLUMNS),
    )
    return frame.astype({"period_from": object, "period_to": object, "severity": object})


def _empty() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in FINDING_COLUMNS}).astype(
        {"revenue_impact": float, "score": float}
    )

"""From rules to the worklist: which rules can run, their findings on a context, ranked together.

`auditkit.rules.run` uses these steps on a whole dataset in memory; the engines
(`auditkit.engine`) use the same steps on parts of a dataset and rank the parts together.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from auditkit.data.column_typing import TEXT_DTYPE
from auditkit.periods import month_number, period_text
from auditkit.rules.context import RuleContext
from auditkit.rules.evidence import encode, render
from auditkit.rules.findings import FINDING_COLUMNS
from auditkit.rules.penalty import penalties
from auditkit.rules.registry import REVENUE_KINDS, RULES, Rule


def runnable_rules(dataset: object, selected: Iterable[Rule]) -> tuple[list[Rule], list[str]]:
    """The `selected` rules whose data `dataset` holds, and a note for each one skipped."""
    runnable, notes = [], []
    for rule in selected:
        missing = missing_needs(dataset, rule)
        if missing:
            notes.append(f"{rule.rule_id} skipped: {missing}")
        else:
            runnable.append(rule)
    return runnable, notes


def missing_needs(dataset: object, rule: Rule) -> str:
    """Why `rule` cannot run on `dataset` ('' when it can): an absent or empty table, or an
    empty column (a column of a table without rows is empty).

    A need written `a|b` is met by either (a column, or the table that replaces it)."""
    for need in rule.needs:
        reasons = [_missing(dataset, alternative) for alternative in need.split("|")]
        if all(reasons):
            return " and ".join(reasons)
    return ""


def bills_priced_by(
    ctx: RuleContext, rule_id: str, priced_rows: Callable[[], np.ndarray]
) -> np.ndarray:
    """Per bill, whether rule `rule_id` prices it: True at the rows `priced_rows()` finds (that
    rule's own check, on its thresholds), all False where the rule cannot run on the data
    (`missing_needs`). What a rule leaves to another, so a yuan counts once, is read from this:
    `bills_on_wrong_tariff`, `bills_off_the_multiplier`, `bills_short_of_capacity`."""
    priced = np.zeros(len(ctx.bills), dtype=bool)
    if not missing_needs(ctx.source, RULES[rule_id]):
        priced[priced_rows()] = True
    return priced


def _missing(dataset: object, need: str) -> str:
    table_name, _, column = need.partition(".")
    table = getattr(dataset, table_name, None)
    if table is None:
        return f"table {table_name} is absent"
    if not column and table.empty:  # a header alone: the export left the table out
        return f"table {table_name} has no rows"
    if column and (column not in table.columns or table[column].isna().all()):
        return f"column {table_name}.{column} is missing or empty"
    return ""


def check(
    context: RuleContext,
    selected: Iterable[Rule],
    settings: Mapping[str, dict],
    own_customers: int | None = None,
) -> tuple[list[pd.DataFrame], dict[str, float]]:
    """Run each rule's check on `context`: its findings frames and seconds per rule.

    Engines call it on each part of a dataset, then `rank` the parts together. A part may hold,
    after its own customers, customers of other parts that its customers are compared with;
    `own_customers` then keeps only the findings of the first `own_customers` customers. A rule
    gets its thresholds, and those of the rules it `reads` under their ids.
    """
    frames, timings = [], {}
    for rule in selected:
        started = time.perf_counter()
        params = settings[rule.rule_id] | {other: settings[other] for other in rule.reads}
        raw = rule.check(context, params)
        timings[rule.rule_id] = round(time.perf_counter() - started, 3)
        if own_customers is not None:
            own = raw["cust"].to_numpy() < own_customers
            if not own.all():  # usually every finding is of the part's own customers
                raw = raw[own]
        frames.append(_finish(raw, rule, context, settings["common"]))
    return frames, timings


def rank(
    frames: list[pd.DataFrame], notes: list[str], timings: dict[str, float], as_of_period: str
) -> pd.DataFrame:
    """Findings frames as one worklist, highest impact first, with notes (those given, then the
    rules' own from each frame's attrs), timings and as_of."""
    for frame in frames:
        notes.extend(note for note in frame.attrs.get("notes", ()) if note not in notes)
    findings = pd.concat(frames, ignore_index=True) if frames else _empty()
    findings = counted_once(findings, notes)
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


def counted_once(findings: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """The findings without those left to another rule (`Rule.left_to`): a finding of a rule
    that leaves its customers to rule X goes where X found the same customer over the same
    months (it began from X's first month less one, a partly affected month, to X's last), so
    one loss is not counted twice; a note says how many went to which rule."""
    rule_ids = findings["rule_id"].to_numpy(dtype=object)
    dropped = np.zeros(len(findings), dtype=bool)
    for rule_id in pd.unique(rule_ids):
        for other_id in RULES[rule_id].left_to if rule_id in RULES else ():
            own = np.flatnonzero((rule_ids == rule_id) & ~dropped)
            left = own[_same_loss(findings, own, findings[rule_ids == other_id])]
            if len(left):
                dropped[left] = True
                notes.append(
                    f"{rule_id}: {len(left)} finding(s) left to {other_id}, which counts the "
                    "same loss on its own evidence (counted once)"
                )
    if not dropped.any():
        return findings
    kept = findings[~dropped].reset_index(drop=True)
    kept.attrs = dict(findings.attrs)
    return kept


def _same_loss(findings: pd.DataFrame, rows: np.ndarray, other: pd.DataFrame) -> np.ndarray:
    """Which of the findings at `rows` began, on a customer of an `other` finding, from the
    month before that finding's first to its last."""
    if other.empty or not len(rows):
        return np.zeros(len(rows), dtype=bool)
    pairs = pd.DataFrame(
        {
            "position": np.arange(len(rows)),
            "customer_id": findings["customer_id"].to_numpy(dtype=object)[rows],
            "start": month_number(findings["period_from"].to_numpy(dtype=object)[rows]),
        }
    ).merge(
        pd.DataFrame(
            {
                "customer_id": other["customer_id"].to_numpy(dtype=object),
                "other_from": month_number(other["period_from"].to_numpy(dtype=object)),
                "other_to": month_number(other["period_to"].to_numpy(dtype=object)),
            }
        ),
        on="customer_id",
    )
    start = pairs["start"].to_numpy()
    within = (start >= pairs["other_from"].to_numpy() - 1) & (start <= pairs["other_to"].to_numpy())
    same = np.zeros(len(rows), dtype=bool)
    same[pairs["position"].to_numpy()[within]] = True
    return same


def _finish(raw: pd.DataFrame, rule: Rule, context: RuleContext, common: dict) -> pd.DataFrame:
    cust = raw["cust"].to_numpy()
    month_from = raw["month_from"].to_numpy()
    revenue = raw["revenue_impact"].to_numpy(dtype=float)
    high = revenue >= common["severity_high_yuan"]
    clauses = raw["evidence"].to_numpy()
    penalty_base = raw["penalty_base"] if "penalty_base" in raw else raw["revenue_impact"]
    kind = _revenue_kinds(raw, rule)
    frame = pd.DataFrame(
        {
            "rule_id": rule.rule_id,
            "area": rule.area,
            "severity": _as_objects(np.where(high, "high", rule.severity)),
            "customer_id": _archive_text(context.customers["customer_id"], cust),
            "district": _archive_text(context.customers["district"], cust),
            "period_from": _as_objects(period_text(month_from)),
            "period_to": _as_objects(period_text(raw["month_to"].to_numpy())),
            "evidence": _as_text([render(finding, "en") for finding in clauses]),
            "revenue_impact": revenue,
            "revenue_kind": _as_objects(kind),
            "penalty": penalties(
                rule.penalty,
                month_from,
                penalty_base.to_numpy(dtype=float),
                common,
                raw["penalty_months"].to_numpy() if "penalty_months" in raw else None,
            ),
            "score": np.round(raw["score"].to_numpy(dtype=float), 4),
            "evidence_code": _as_text([encode(finding) for finding in clauses]),
        },  # in FINDING_COLUMNS' order: no reordering of the frame's columns after
    )
    frame.attrs["notes"] = list(raw.attrs.get("notes", ()))  # a rule's remarks on its counting
    return frame


def _revenue_kinds(raw: pd.DataFrame, rule: Rule) -> np.ndarray:
    """Each finding's revenue kind: the raw frame's own where the rule gives one per finding (a
    recomputed figure resting on an estimate), else the rule's."""
    if "revenue_kind" not in raw:
        return np.full(len(raw), rule.revenue_kind, dtype=object)
    kind = raw["revenue_kind"].to_numpy(dtype=object)
    unknown = set(kind) - set(REVENUE_KINDS)
    if unknown:
        raise ValueError(f"rule {rule.rule_id}: unknown revenue kind {sorted(unknown)!r}")
    return kind


def _archive_text(column: pd.Series, cust: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """An archive text column at the customers `cust`: taken as pandas' text where the archive
    holds it so (the frame would infer that type from the texts), else as objects, as before;
    never the whole column copied as Python strings."""
    if len(cust) and column.dtype == TEXT_DTYPE:
        return column.array.take(cust)
    return column.take(cust).to_numpy()


def _as_text(texts: list[str]) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Sentences as pandas' text, the type the frame infers from them, without inferring it;
    objects where there are none (an empty findings frame always had them)."""
    return pd.array(texts, dtype=TEXT_DTYPE) if texts else np.empty(0, dtype=object)


def _as_objects(values: np.ndarray | list) -> pd.Series:
    """Texts as a column of Python objects (periods, severity, revenue kind): what findings have
    always held there, built so instead of inferred as strings and cast back."""
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in FINDING_COLUMNS}).astype(
        {"revenue_impact": float, "penalty": float, "score": float}
    )

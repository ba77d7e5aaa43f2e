"""The cross-audit study: next round's assignment and the self- versus cross-audit comparison.

`cross_audit_study` computes everything notebooks/cross_audit.ipynb shows, once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from auditkit.crossaudit.assign import assign, loads
from auditkit.crossaudit.compare import Comparison, compare
from auditkit.errors import ParameterError
from auditkit.stats.text import pick

if TYPE_CHECKING:
    from auditkit.data import Dataset


@dataclass(frozen=True)
class CrossAuditStudy:
    """Results of the study; `comparison` is None when the dataset has no inspections."""

    district: str
    assignment: pd.DataFrame
    loads: pd.DataFrame
    comparison: Comparison | None
    notes: list[str] = field(default_factory=list)

    def headline_figures(self, lang: str = "zh") -> dict[str, float]:
        """Headline numbers keyed by their label in `lang` (rates in percent)."""
        figures = {pick(lang, "供电单位数", "Districts"): float(len(self.loads))}
        if self.comparison is None:
            return figures
        rates = self.comparison.rates
        if self.district:
            rates = rates[rates["district"] == self.district]
        totals = rates.groupby("audit_kind")[["inspections", "errors"]].sum()
        figures[pick(lang, "检查户数", "Inspections")] = float(totals["inspections"].sum())
        for kind, (zh, en) in {
            "self": ("自查发现率 (%)", "Self-audit rate (%)"),
            "cross": ("交叉检查发现率 (%)", "Cross-audit rate (%)"),
        }.items():
            if kind in totals.index and totals.loc[kind, "inspections"] > 0:
                rate = totals.loc[kind, "errors"] / totals.loc[kind, "inspections"]
                figures[pick(lang, zh, en)] = 100 * float(rate)
        flagged = self.comparison.under_reporting
        if self.district:
            flagged = flagged[flagged["district"] == self.district]
        figures[pick(lang, "自查少报单位数", "Districts under-reporting")] = float(len(flagged))
        return figures


def cross_audit_study(
    dataset: Dataset,
    district: str = "",
    as_of: str = "",
    seed: int = 0,
    previous_round: str | Path = "",
    capacity: Mapping[str, float] | None = None,
    lang: str = "zh",
) -> CrossAuditStudy:
    """Assign next round's auditors and compare self- with cross-audits on `dataset`.

    `previous_round` is a CSV file of the last round (auditing_district, audited_district);
    `capacity` maps districts to their auditing capacity, the work of auditing a district being
    its number of customers (without capacity every district audits exactly one other).
    Inspections after `as_of` ('YYYY-MM', end of month) are left out.
    """
    if dataset.customers is None:
        raise ParameterError("dataset", "a customers table", "a dataset without one")
    names = dataset.districts
    if district and district not in names:
        raise ParameterError("district", f"one of {names}", district)
    previous = read_round(previous_round) if previous_round else None
    sizes = dataset.customers["district"].value_counts()
    work = {name: float(sizes[name]) for name in names} if capacity else names
    assignment = assign(work, seed, previous=previous, workload=capacity or None)
    notes: list[str] = []
    comparison = None
    if dataset.inspections is None or dataset.inspections.empty:
        notes.append(
            pick(
                lang,
                "数据中没有检查记录（inspections），不做自查与交叉检查的比较。",
                "The dataset has no inspections, so self- and cross-audits are not compared.",
            )
        )
    else:
        inspections = dataset.inspections
        if as_of:
            if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", as_of):
                raise ParameterError("as_of", "a month 'YYYY-MM'", as_of)
            end = pd.Period(as_of, freq="M").end_time
            inspections = inspections[inspections["inspected_at"] <= end]
        comparison = compare(inspections, dataset.customers, lang=lang)
        notes += comparison.notes
    return CrossAuditStudy(
        district=district,
        assignment=assignment,
        loads=loads(assignment, work, capacity or None),
        comparison=comparison,
        notes=notes,
    )


def read_round(path: str | Path) -> pd.DataFrame:
    """A previous round's assignment from a CSV file (auditing_district, audited_district)."""
    file = Path(path)
    if not file.is_file():
        raise ParameterError("previous_round", "an existing CSV file", str(file))
    return pd.read_csv(file, dtype=str, encoding="utf-8-sig")

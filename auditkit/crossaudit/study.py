"""The cross-audit study: next round's assignment and the self- versus cross-audit comparison.

`build(dataset, **params)` computes everything notebooks/cross_audit.ipynb shows, once; the
notebook asks the study for its headline, its tables and figures by name, and its conclusions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from auditkit import i18n
from auditkit.crossaudit.assign import (
    FEWEST_DISTRICTS,
    ROUND_COLUMNS,
    InfeasibleAssignmentError,
    assign,
    loads,
    read_round,
)
from auditkit.crossaudit.assignment import Assignment
from auditkit.crossaudit.compare import Comparison, compare
from auditkit.crossaudit.notes import Note
from auditkit.crossaudit.tables import only
from auditkit.errors import ParameterError
from auditkit.periods import is_period
from auditkit.report.notebook import save_table

if TYPE_CHECKING:
    from auditkit.data import Dataset

#: The name of next round's files in the report's folder (`save_round`).
ROUND_FILE = "next_round"
#: The methods section, one wording a paragraph.
METHODS = (
    "crossaudit.method.assignment",
    "crossaudit.method.tests",
    "crossaudit.method.model",
    "crossaudit.method.money",
)


@dataclass(frozen=True)
class CrossAuditStudy:
    """What the notebook shows; `comparison` is None when the dataset has no inspections, and
    `district` (when given) narrows the rates, tests and conclusions to one district."""

    district: str
    assignment: Assignment
    comparison: Comparison | None
    notes: list[Note] = field(default_factory=list)
    #: The first and the last month of the inspections compared (None without inspections).
    months: tuple[str, str] | None = None

    def period(self) -> str:
        """The months of the inspections compared, 'first – last' (empty without inspections),
        for the report's title block."""
        return f"{self.months[0]} – {self.months[1]}" if self.months else ""

    def last_month(self) -> str:
        """The last month of the inspections compared (empty without inspections)."""
        return self.months[1] if self.months else ""

    def headline(self) -> dict[str, float]:
        """Districts, inspections, self and cross rates (percent), districts under-reporting,
        under the stable keys of `report.figures`."""
        figures = {"districts": float(len(self.assignment.loads))}
        if self.comparison is None:
            return figures
        rates = only(self.comparison.rates.table, self.district)
        totals = rates.groupby("audit_kind")[["inspections", "errors"]].sum()
        figures["inspections"] = float(totals["inspections"].sum())
        for kind in ("self", "cross"):
            if kind in totals.index and totals.loc[kind, "inspections"] > 0:
                rate = totals.loc[kind, "errors"] / totals.loc[kind, "inspections"]
                figures[f"{kind}_rate_pct"] = 100 * float(rate)
        flagged = only(self.comparison.under_reporting, self.district)
        figures["under_reporting"] = float(len(flagged))
        return figures

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The conclusions, one sentence a line (none without inspections)."""
        return "" if self.comparison is None else self.comparison.explain(lang, self.district)

    def explain_notes(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """Remarks on the data (rows left out, tests not made), one a line."""
        return "\n".join(note.text(lang) for note in self.notes)

    def methods(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """How the assignment and the comparison are made, one paragraph a line."""
        return "\n".join(i18n.text(key, lang) for key in METHODS)

    @property
    def table_names(self) -> tuple[str, ...]:
        """assignment, loads (with capacities, when a round was assigned), then rates, overall,
        by_district, model and self_funnel when there are inspections to compare."""
        shares = self.assignment.with_capacity and self.assignment.assigned
        names = ("assignment",) + (("loads",) if shares else ())
        if self.comparison is not None:
            names += ("rates", "overall", "by_district", "model")
        if self.comparison is not None and self.comparison.funnel is not None:
            names += ("self_funnel",)
        return names

    @property
    def figure_names(self) -> tuple[str, ...]:
        """assignment (when a round could be assigned), then rates and self_funnel when there
        are inspections to compare."""
        names: tuple[str, ...] = ("assignment",) if self.assignment.assigned else ()
        if self.comparison is not None:
            names += ("rates",)
        if self.comparison is not None and self.comparison.funnel is not None:
            names += ("self_funnel",)
        return names

    def save_round(self, folder: Path) -> Path | None:
        """Next round's pairs as next_round.parquet and .csv in `folder`, returning the CSV the
        report links; None, and no file, when no round was assigned (too few districts): an
        empty round file would read as a round in which no district audits another."""
        if not self.assignment.assigned:
            return None
        pairs = self.assignment.pairs
        return save_table(pairs, folder, ROUND_FILE, sort_by=["auditing_district"])[1]

    def table(self, name: str, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """One of `table_names`, labelled in `lang`."""
        self._check(name, self.table_names, "table")
        comparison = self.comparison
        tables = {
            "assignment": lambda: self.assignment.to_table(lang),
            "loads": lambda: self.assignment.loads_table(lang),
            "rates": lambda: comparison.rates.to_table(lang, self.district),
            "overall": lambda: comparison.overall_table(lang),
            "by_district": lambda: comparison.to_table(lang, self.district),
            "model": lambda: comparison.model.to_table(lang),
            "self_funnel": lambda: comparison.funnel.to_table(lang),
        }
        return tables[name]()

    def figure(self, name: str, lang: str = i18n.DEFAULT_LANG) -> Figure:
        """One of `figure_names`, labelled in `lang`."""
        self._check(name, self.figure_names, "figure")
        if name == "assignment":
            return self.assignment.plot(lang)
        if name == "rates":
            return self.comparison.rates.plot(lang)
        return self.comparison.funnel.plot(
            lang,
            rate_label=i18n.text("crossaudit.chart.self_rate", lang),
            title=i18n.text("crossaudit.heading.self_funnel", lang),
        )

    @staticmethod
    def _check(name: str, names: tuple[str, ...], what: str) -> None:
        if name not in names:
            raise ParameterError(what, f"one of {names}", name)


def build(
    dataset: Dataset,
    district: str = "",
    as_of: str = "",
    seed: int = 0,
    previous_round: str | Path = "",
    capacity: Mapping[str, float] | None = None,
) -> CrossAuditStudy:
    """Assign next round's auditors and compare self- with cross-audits on `dataset`.

    `previous_round` is a CSV file of the last round (auditing_district, audited_district);
    `capacity` maps districts to their auditing capacity, the work of auditing a district being
    its number of customers (without capacity every district audits exactly one other).
    Inspections after `as_of` ('YYYY-MM', end of month, a month the inspections or the bills
    cover: after the last month inspected the study ends there, before the first it compares
    nothing, with a note) are left out.
    """
    if dataset.customers is None:
        raise ParameterError("dataset", "a customers table", "a dataset without one")
    names = dataset.districts
    if district and district not in names:
        raise ParameterError("district", f"one of {', '.join(names)}", district)
    previous = read_round(previous_round, names) if previous_round else None
    work = district_work(dataset)
    unassigned: list[Note] = []
    try:
        pairs = assign(work, seed, previous=previous, workload=capacity or None)
        assignment = Assignment(pairs, loads(pairs, work, capacity or None), bool(capacity))
    except ParameterError as error:  # named as the notebook's parameter, not assign's
        if error.name != "workload":
            raise
        raise ParameterError("capacity", error.expected, error.found) from None
    except InfeasibleAssignmentError:
        if len(names) >= FEWEST_DISTRICTS:  # the capacity or last round given rule it out
            raise
        # too few districts for any round: the comparison is still worth reading
        assignment = _no_round(names, bool(capacity))
        unassigned = [Note(f"no_round_{len(names)}", {"districts": list(names)})]
    if dataset.inspections is None or dataset.inspections.empty:
        return CrossAuditStudy(district, assignment, None, [*unassigned, Note("no_inspections")])
    inspections = dataset.inspections
    inspected = inspections["inspected_at"].dropna().dt.to_period("M")
    first, last = str(inspected.min()), str(inspected.max())
    if as_of:
        if not is_period(as_of):
            raise ParameterError("as_of", "a month 'YYYY-MM'", as_of)
        billed_first, billed_last = _months_billed(dataset)
        earliest, latest = min(first, billed_first or first), max(last, billed_last)
        if not earliest <= as_of <= latest:  # a month outside the data: a slip
            expected = f"a month the inspections or the bills cover, {earliest}..{latest}"
            raise ParameterError("as_of", expected, as_of)
        if as_of < first:  # a month billed before the first inspection: nothing to compare
            return CrossAuditStudy(
                district,
                assignment,
                None,
                [*unassigned, Note("no_inspections_by", {"month": as_of, "first": first})],
            )
        end = pd.Period(as_of, freq="M").end_time
        inspections = inspections[inspections["inspected_at"] <= end]
    comparison = compare(inspections, dataset.customers)
    notes = [*unassigned, *comparison.notes]
    return CrossAuditStudy(
        district, assignment, comparison, notes, (first, min(as_of or last, last))
    )


def district_work(dataset: Dataset) -> dict[str, float]:
    """The work of auditing each district of `dataset`: its number of customers. The notebook
    and `auditkit crossaudit assign --data` both weigh districts so, so the same data, seed and
    capacity give the same round."""
    sizes = dataset.customers["district"].value_counts()
    return {name: float(sizes[name]) for name in dataset.districts}


def _no_round(names: list[str], with_capacity: bool) -> Assignment:
    """The assignment of districts too few for any round (`FEWEST_DISTRICTS`): no pairs, each
    district listed auditing none, so the headline still counts them."""
    pairs = pd.DataFrame(columns=list(ROUND_COLUMNS))
    shares = pd.DataFrame(
        {
            "district": names,
            "audits": [[] for _ in names],
            "work": 0.0,
            "work_share": 0.0,
            "capacity_share": float("nan"),
        }
    )
    return Assignment(pairs, shares, with_capacity)


def _months_billed(dataset: Dataset) -> tuple[str, str]:
    """The first and last billing periods of `dataset` ('' without bills): a run of every
    report as of a month billed (`run-all -p as_of=...`) reaches the cross-audit where the
    inspections begin later or stop a month or two earlier."""
    bills = dataset.bills
    if bills is None or bills.empty:
        return "", ""
    return str(bills["period"].min()), str(bills["period"].max())

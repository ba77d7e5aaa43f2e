"""The audit-cycle study: how each district bureau worked the register's findings in the field.

`build(data_dir, district, as_of, months, confidence)` reads the register a report over
`data_dir` reads (`auditkit.register.location.open_report_register`) and computes everything
notebooks/audit_cycle.ipynb shows, once; `study_of(findings, outcomes, recorded, ...)` does the
same from the register's frames (tests, scripts). The notebook asks the study for its headline,
its tables and figures by name and its conclusions, and narrates. Every district is evaluated
(tests across districts are corrected for their number); `district` narrows what is shown.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from auditkit import formatting, i18n
from auditkit.checks import choice, positive_int, probability
from auditkit.crossaudit.rates import Rates
from auditkit.cycle import charts, tables
from auditkit.cycle.evaluate import (
    COUNTS,
    FINDING_FIELDS,
    PENALTY_RECOVERED,
    finding_states,
    found_by_runs,
    reopened_by,
    summarize,
    window_events,
)
from auditkit.cycle.notes import Note
from auditkit.cycle.precision import OVERSTATED, precision_by_rule
from auditkit.cycle.selfcross import SelfCross, self_cross
from auditkit.cycle.window import Window, cycle_window
from auditkit.errors import ParameterError, require_type
from auditkit.register.store import Register
from auditkit.report.figures import labelled

#: The methods section, one paragraph each.
METHODS = ("window", "decisions", "precision", "rectify", "recovered", "self_cross")
#: Section headings worded by the words every report shares or other areas.
HEADINGS = {
    "title": "pipeline.study.audit_cycle",
    "conclusions": "common.conclusions",
    "notes": "common.notes",
    "methods": "common.methods",
    "self_cross": "crossaudit.heading.tests",
}
#: Fewest random-sample checks of a rule before a sentence names it as the lowest: with fewer,
#: a share of 0 % or 100 % is common by chance alone.
MIN_SAMPLE_CHECKS = 10
#: A rule whose sample interval lies wholly below this share is mostly false alarms (however
#: few its checks: the exact interval is wide enough for them).
MOSTLY_FALSE = 0.5
#: Rules a sentence names before saying how many more there are (most telling first).
NAMED = 5


@dataclass(frozen=True)
class CycleStudy:
    """The evaluation of the window's field work; `window` is None when there is nothing to
    evaluate (no register, no recorded run, no outcome, a district without findings), and the
    first note says why. `states` holds one row per finding the window concerns (every
    district); `district` ("" for all) narrows what is shown. The summaries are computed once,
    when first asked for."""

    district: str
    confidence: float
    window: Window | None
    states: pd.DataFrame = field(repr=False)
    self_cross: SelfCross | None = None
    notes: list[Note] = field(default_factory=list)

    @property
    def evaluated(self) -> bool:
        """There is a window of field work to show."""
        return self.window is not None

    @cached_property
    def scope(self) -> pd.DataFrame:
        """The states of the district shown (every district's for "")."""
        if not self.district:
            return self.states
        return self.states[self.states["district"] == self.district].reset_index(drop=True)

    @cached_property
    def total(self) -> pd.DataFrame:
        """One row: the counts, share, days and yuan of the scope."""
        return summarize(self.scope, [])

    @cached_property
    def by_district(self) -> pd.DataFrame:
        """One row per district shown."""
        return summarize(self.scope, ["district"])

    @cached_property
    def by_rule(self) -> pd.DataFrame:
        """One row per district and rule shown (the evaluation's finest table)."""
        return summarize(self.scope, ["district", "rule_id"])

    @cached_property
    def precision(self) -> pd.DataFrame:
        """Each rule's confirmed share over the scope, every check and random samples apart."""
        return precision_by_rule(self.scope, self.confidence)

    @property
    def under_reported(self) -> pd.DataFrame:
        """The scope's findings cross-audits confirmed that the district's checks missed."""
        if self.self_cross is None:
            return pd.DataFrame()
        return _only(self.self_cross.under_reported, self.district)

    def headline(self) -> dict[str, float]:
        """Findings sent, checked, confirmed share (%) on every check and on random samples,
        yuan recovered (proved and estimated apart), findings awaiting rectification, under the
        stable keys of `report.figures` (named in words when shown)."""
        if not self.evaluated:
            return {}
        row = self.total.iloc[0]
        figures = {"issued": float(row["issued"]), "checked": float(row["checked"])}
        if row["checked"] > 0:
            figures["precision_pct"] = 100 * float(row["precision"])
        sample = self.scope[self.scope["sample_checked"]]
        if len(sample):
            figures["sample_precision_pct"] = 100 * float(sample["sample_confirmed"].mean())
        figures["recovered_proved"] = float(row["recovered_proved"])
        figures["recovered_estimated"] = float(row["recovered_estimated"])
        figures["awaiting_rectification"] = float(row["awaiting_rectification"])
        return figures

    def headline_figures(self, lang: str = i18n.DEFAULT_LANG) -> dict[str, float]:
        """The headline labelled in `lang` (for reading; reports record `headline()`)."""
        return labelled(self.headline(), lang)

    def subject(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The district shown, or 'all districts'."""
        return self.district or i18n.text("common.all_districts", lang)

    def period(self) -> str:
        """The window's recorded months, 'first – last' (empty without a window)."""
        return f"{self.window.first} – {self.window.last}" if self.window else ""

    def last_month(self) -> str:
        """The window's last recorded month (empty without a window)."""
        return self.window.last if self.window else ""

    @staticmethod
    def heading(section: str, lang: str = i18n.DEFAULT_LANG) -> str:
        """The heading of a section of the report (title, conclusions, districts ...)."""
        return i18n.text(HEADINGS.get(section, f"cycle.heading.{section}"), lang)

    def conclusions(self, lang: str = i18n.DEFAULT_LANG) -> list[str]:
        """Plain-language findings for reviewers, one sentence each; without a window, the one
        sentence saying why there is nothing to evaluate."""
        if not self.evaluated:
            return [self.notes[0].text(lang)]
        row = self.total.iloc[0]
        sentences = [self._sentence("work", lang, **self._window_values(), **_shown(row))]
        sentences += self._precision_sentences(lang)
        rectify = "rectify" if row["rectified"] > 0 else "rectify_none"
        sentences.append(self._sentence(rectify, lang, **_shown(row)))
        sentences.append(self._sentence("recovered", lang, **_shown(row)))
        if row[PENALTY_RECOVERED] > 0:  # a penalty is its own figure, never revenue recovered
            sentences.append(self._sentence("penalty_recovered", lang, **_shown(row)))
        sentences += self._self_cross_sentences(lang)
        return sentences

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The conclusions, one a line."""
        return "\n".join(self.conclusions(lang))

    def data_notes(self, lang: str = i18n.DEFAULT_LANG) -> list[str]:
        """Remarks on the register's data, one sentence each (beyond the reason for an empty
        report, which the conclusions give)."""
        notes = self.notes if self.evaluated else self.notes[1:]
        shown = [note.text(lang) for note in notes]
        if self.self_cross is not None and self.self_cross.comparison is not None:
            shown += [note.text(lang) for note in self.self_cross.comparison.notes]
        return shown

    def methods(self, lang: str = i18n.DEFAULT_LANG) -> list[str]:
        """How each figure is defined and computed, one paragraph each."""
        level = formatting.percent(self.confidence, 0)
        return [i18n.text(f"cycle.method.{name}", lang).format(level=level) for name in METHODS]

    @property
    def table_names(self) -> tuple[str, ...]:
        """districts and district_recovery, district_rules and district_rule_recovery,
        precision (with checks), self_cross, self_cross_recovery and under_reported (with
        cross-audit checks): none without a window."""
        if not self.evaluated:
            return ()
        names: tuple[str, ...] = (
            "districts",
            "district_recovery",
            "district_rules",
            "district_rule_recovery",
        )
        if self.scope["checked"].any():
            names += ("precision",)
        if self._compared:
            names += ("self_cross", "self_cross_recovery", "under_reported")
        return names

    @property
    def figure_names(self) -> tuple[str, ...]:
        """precision (with checks), recovered (with yuan recovered), self_cross (with
        cross-audit checks)."""
        if not self.evaluated:
            return ()
        names: tuple[str, ...] = ()
        if self.scope["checked"].any():
            names += ("precision",)
        if (self.by_district[["recovered_proved", "recovered_estimated"]] > 0).any(axis=None):
            names += ("recovered",)
        if self._compared:
            names += ("self_cross",)
        return names

    @property
    def _compared(self) -> bool:
        """Cross-audit checks of the scope are compared with its self-audits."""
        sc = self.self_cross
        return (
            sc is not None
            and sc.comparison is not None
            and not _only(sc.table, self.district).empty
        )

    def table(self, name: str, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """One of `table_names`, labelled in `lang`."""
        choice("table", name, self.table_names)
        total = None if self.district else self.total
        work, recovery = tables.WORK_SHOWN, tables.RECOVERY_SHOWN
        makers: dict[str, Callable[[], pd.DataFrame]] = {
            "districts": lambda: tables.summary_table(self.by_district, lang, total, work),
            "district_recovery": lambda: tables.summary_table(
                self.by_district, lang, total, recovery
            ),
            "district_rules": lambda: tables.summary_table(self.by_rule, lang, None, work),
            "district_rule_recovery": lambda: tables.summary_table(
                self.by_rule, lang, None, recovery
            ),
            "precision": lambda: tables.precision_table(self.precision, lang, self.confidence),
            "self_cross": lambda: tables.self_cross_table(
                _only(self.self_cross.table, self.district), lang
            ),
            "self_cross_recovery": lambda: tables.self_cross_recovery_table(
                _only(self.self_cross.table, self.district), lang
            ),
            "under_reported": lambda: tables.under_reported_table(self.under_reported, lang),
        }
        return makers[name]()

    def frame(self, name: str) -> pd.DataFrame:
        """The numbers behind table `name` (district_rules, precision, under_reported), for the
        files saved beside the report."""
        frames = {"district_rules": lambda: self.by_rule, "precision": lambda: self.precision,
                  "under_reported": lambda: self.under_reported}  # fmt: skip
        choice("frame", name, frames)
        return frames[name]()

    def figure(self, name: str, lang: str = i18n.DEFAULT_LANG) -> Figure:
        """One of `figure_names`, labelled in `lang`."""
        choice("figure", name, self.figure_names)
        if name == "precision":
            return charts.plot_precision(self.precision, self.confidence, lang)
        if name == "recovered":
            return charts.plot_recovered(self.by_district, lang)
        rates = self.self_cross.comparison.rates.table
        shown = rates[rates["audit_kind"].isin(["self", "cross"])]
        return Rates(_only(shown, self.district)).plot(lang)

    def _sentence(self, name: str, lang: str, **values: object) -> str:
        """Conclusion `cycle.sentence.<name>` in `lang`, filled with `values`."""
        return i18n.text(f"cycle.sentence.{name}", lang).format(**values)

    def _window_values(self) -> dict[str, object]:
        """The window's first and last recorded months and how many, as sentences quote them."""
        return {"first": self.window.first, "last": self.window.last,
                "months": len(self.window.months)}  # fmt: skip

    def _precision_sentences(self, lang: str) -> list[str]:
        """Random-sample precision against every check; the rules mostly false alarms (their
        interval below MOSTLY_FALSE), else the lowest among the rules with MIN_SAMPLE_CHECKS
        random-sample checks; the rules whose chosen checks overstate them."""
        table = self.precision
        if table.empty:
            return []
        level = formatting.percent(self.confidence, 0)
        sampled = table[table["sample_checked"] > 0]
        if sampled.empty:
            return [self._sentence("no_sample", lang)]
        totals = sampled[["checked", "confirmed", "sample_checked", "sample_confirmed"]].sum()
        sentences = [
            self._sentence(
                "sample",
                lang,
                sample_checked=int(totals["sample_checked"]),
                sample_precision=formatting.percent(
                    totals["sample_confirmed"] / totals["sample_checked"]
                ),
                precision=formatting.percent(totals["confirmed"] / totals["checked"]),
            )
        ]
        enough = sampled[sampled["sample_checked"] >= MIN_SAMPLE_CHECKS]
        mostly_false = sampled[sampled["sample_high"] < MOSTLY_FALSE].sort_values(
            ["sample_high", "rule_id"], kind="stable"
        )
        if not mostly_false.empty:
            rules = _named(mostly_false["rule_id"], lang)
            sentences.append(self._sentence("mostly_false", lang, rules=rules, level=level))
        elif not enough.empty:
            lowest = enough.loc[enough["sample_precision"].idxmin()]
            sentences.append(
                self._sentence(
                    "lowest",
                    lang,
                    rule=tables.rule_title(lowest["rule_id"], lang),
                    share=formatting.percent(lowest["sample_precision"]),
                    interval=tables.interval([lowest["sample_low"]], [lowest["sample_high"]])[0],
                    level=level,
                    checks=int(lowest["sample_checked"]),
                    least=MIN_SAMPLE_CHECKS,
                )
            )
        overstated = table[table["note"] == OVERSTATED]
        if not overstated.empty:
            rules = _named(overstated["rule_id"], lang)
            sentences.append(self._sentence("overstated", lang, rules=rules, level=level))
        return sentences

    def _self_cross_sentences(self, lang: str) -> list[str]:
        """The comparison's conclusions and, per district, what cross-audits confirmed that its
        own checks called a false alarm or never decided."""
        if not self._compared:
            return [self._sentence("no_cross", lang)]
        comparison = self.self_cross.comparison
        sentences = [self._sentence(f"self_cross_{self.self_cross.basis}", lang)]
        sentences += comparison.explain(lang, self.district, "register").splitlines()
        missed = self.under_reported
        for district, part in missed.groupby("district", sort=True):
            stake = part.groupby("revenue_kind")["revenue_impact"].sum()
            sentences.append(
                self._sentence(
                    "under_reported",
                    lang,
                    district=district,
                    false_alarm=int((part["self_verdict"] == "false_alarm").sum()),
                    unchecked=int((part["self_verdict"] != "false_alarm").sum()),
                    proved=formatting.money(stake.get("proved", 0.0)),
                    estimated=formatting.money(stake.get("estimated", 0.0)),
                )
            )
        return sentences


#: What a study's `data_dir` is, as its refusal says.
DATA_DIR = "a dataset folder, or empty for the demo utility"


def build(
    data_dir: str | os.PathLike[str] = "",
    district: str = "",
    as_of: str = "",
    months: int = 12,
    confidence: float = 0.95,
) -> CycleStudy:
    """The audit-cycle study of the register a report over `data_dir` reads ("" = the demo
    utility's own), for `district` ("" = all), over the `months` recorded months up to `as_of`
    ("" = the latest recorded; a month not recorded ends the window at the one before it, with
    a note), intervals at `confidence`. A `data_dir` that is no folder is refused naming it, and
    so is a `district` neither the register nor the dataset knows."""
    months, confidence = _checked(months, confidence)
    require_type(data_dir, (str, os.PathLike), "data_dir", DATA_DIR)
    if str(data_dir).strip() and not Path(data_dir).is_dir():  # else: the team's register
        raise ParameterError("data_dir", DATA_DIR, str(data_dir))
    from auditkit.register.location import open_report_register

    register = open_report_register(data_dir)
    if register is None:
        return _empty(district, confidence, Note("no_register"))
    with register:
        if district and district not in register.districts():
            _require_district_of_data(data_dir, district)
        return study_of_register(register, district, as_of, months, confidence)


def _require_district_of_data(data_dir: str | os.PathLike[str], district: str) -> None:
    """Raise a ParameterError naming `district` when the dataset at `data_dir` ("" = the demo)
    has no such district either: a slip of the keyboard. A district of the data the register
    has nothing of is no error (a district without findings; its report says so). The data is
    read only here, for a district the register does not know."""
    from auditkit import data  # deferred: only a district unknown to the register needs it
    from auditkit.demo import demo_data_dir

    data.load(data_dir or demo_data_dir()).require_district(district)


def study_of_register(
    register: Register,
    district: str = "",
    as_of: str = "",
    months: int = 12,
    confidence: float = 0.95,
) -> CycleStudy:
    """The study of an open register (see `build`). Each finding is the district's it was in
    the window's last recorded month (`Register.findings(as_of=...)`), so a customer moved to
    another district later leaves a past window's figures as they were."""
    months, confidence = _checked(months, confidence)
    runs = register.runs()
    recorded = runs["as_of"].tolist()
    window = cycle_window(recorded, as_of, months) if recorded else None
    findings = register.findings(
        columns=list(FINDING_FIELDS), as_of=None if window is None else window.last
    )
    outcomes = register.outcomes() if recorded else pd.DataFrame()
    found_in = None if outcomes.empty else _found_in(register, runs, window)
    return study_of(
        findings,
        outcomes,
        recorded,
        district,
        as_of,
        months,
        confidence,
        found_in,
        register.reopenings(),
    )


def _found_in(register: Register, runs: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The keys the runs of the window's months found (`evaluate.found_by_runs`), as each run
    recorded them (`Register.run_changes`, one read per month and district run)."""
    chosen = runs.loc[runs["as_of"].isin(window.months), ["as_of", "district"]]
    read = [
        (month, register.run_changes(month, None if pd.isna(district) else district))
        for month, district in chosen.drop_duplicates().itertuples(index=False)
    ]
    return found_by_runs([run.changes for _, run in read], [month for month, _ in read])


def study_of(
    findings: pd.DataFrame,
    outcomes: pd.DataFrame,
    recorded: Iterable[str],
    district: str = "",
    as_of: str = "",
    months: int = 12,
    confidence: float = 0.95,
    found_in: pd.DataFrame | None = None,
    reopenings: pd.DataFrame | None = None,
) -> CycleStudy:
    """The study from the register's frames: `findings` (`Register.findings`, at least
    finding_key and FINDING_FIELDS), `outcomes` (`Register.outcomes`, in its order), the
    recorded months (`Register.runs()["as_of"]`), the keys each month's runs found
    (`found_in`, see `evaluate.finding_states`; None: from each finding's first to last month)
    and the runs that found a finding again after it was gone (`Register.reopenings`; None:
    none), whose latest up to the window's last month sets aside a verdict on the earlier
    occurrence."""
    months, confidence = _checked(months, confidence)
    recorded = list(recorded)
    if not recorded:
        return _empty(district, confidence, Note("no_runs"))
    if outcomes.empty:
        values = {"findings": len(findings), "months": len(set(recorded))}
        return _empty(district, confidence, Note("no_outcomes", values))
    if district and not (findings["district"] == district).any():
        return _empty(district, confidence, Note("no_district", {"district": district}))
    window = cycle_window(recorded, as_of, months)
    events = window_events(outcomes[outcomes["finding_key"].isin(findings["finding_key"])], window)
    reopened = None if reopenings is None else reopened_by(reopenings, window.last)
    states = finding_states(findings, events, window, found_in, reopened)
    notes = []
    if as_of and as_of != window.last:  # a month not recorded (a slip, or not run yet)
        notes.append(Note("as_of_not_recorded", {"as_of": as_of, "last": window.last}))
    scope = states if not district else states[states["district"] == district]
    unknown = int((scope["rectified"] & scope["days_to_rectify"].isna()).sum())
    if unknown:
        notes.append(Note("days_unknown", {"count": unknown}))
    if not events["in_window"].any():
        notes.append(Note("no_events_in_window", {"first": window.first, "last": window.last}))
    return CycleStudy(
        district, confidence, window, states, self_cross(findings, events, reopened), notes
    )


def _checked(months: object, confidence: object) -> tuple[int, float]:
    """`months` as a whole number of at least 1 and `confidence` strictly between 0 and 1."""
    return positive_int("months", months), probability("confidence", confidence)


def _empty(district: str, confidence: float, reason: Note) -> CycleStudy:
    """A study with nothing to evaluate, saying why."""
    return CycleStudy(district, confidence, None, pd.DataFrame(), None, [reason])


def _only(frame: pd.DataFrame, district: str) -> pd.DataFrame:
    """The rows of `district`, or every row when it is empty."""
    return frame[frame["district"] == district].reset_index(drop=True) if district else frame


def _named(rule_ids: Iterable[str], lang: str) -> str:
    """The first NAMED rules' titles as `lang` lists them, and how many more there are."""
    titles = [tables.rule_title(rule, lang) for rule in rule_ids]
    shown = i18n.text("common.list_separator", lang).join(titles[:NAMED])
    if len(titles) > NAMED:
        more = i18n.text("cycle.sentence.more_rules", lang).format(
            count=len(titles) - NAMED, total=len(titles)
        )
        shown += more
    return shown


def _shown(row: pd.Series) -> dict[str, object]:
    """A summary row's figures as sentences quote them (counts as numbers, which the catalogue
    writes with separators)."""
    shown: dict[str, object] = {name: int(row[name]) for name in COUNTS}
    shown["precision"] = formatting.percent(row["precision"])
    shown["median_days"] = formatting.number(row["median_days"], 1)
    shown["proved"] = formatting.money(row["recovered_proved"])
    shown["estimated"] = formatting.money(row["recovered_estimated"])
    shown["penalty"] = formatting.money(row[PENALTY_RECOVERED])
    return shown

"""Do self-audits find as many errors as cross-audits? Rates, tests, and who under-reports.

Inspections of a district's customers come in three kinds: by the district itself (self), by
another district (cross), or by a special audit team. If self-audits find errors at a lower rate
than cross-audits of the same district's customers, the district is probably not reporting what
it finds, or not looking hard. The evidence, from the simplest to the most adjusted:

- finding rates per district and kind with exact (Clopper-Pearson) 95 % intervals;
- overall, self against cross: the pooled rates with a two-proportion z-test and Fisher's exact
  test, one-sided (self finds fewer), as description only: pooled over districts that differ in
  error level and in their mix of kinds, they can show a gap that no district has (Simpson's
  paradox); the overall verdict rests on the Cochran-Mantel-Haenszel test stratified by district;
- per district: Fisher's exact test, one-sided, Holm-corrected across districts, so that testing
  six districts does not find a "guilty" one by chance;
- a logistic model error_found ~ kind + district (statsmodels GLM), whose self-vs-cross odds
  ratio compares the kinds within districts, so a district with many self-audits and a high
  error level does not distort the overall comparison.

Money: audited_value - book_value is what the bill should have said minus what it said; where
positive it is under-billing found (to collect), where negative over-billing found (to refund),
each summed apart and never netted; an inspection that found no error found no money, one that
found an error without both values found an unknown sum, and a kind with an unknown sum has no
money per inspection. A district's `missed_value` estimate is what its self-audits would have
found more under-billing if they found as much per inspection as cross-audits of its customers
did, with a bootstrap 95 % interval
(`missed_low`, `missed_high`): a few large cases make it uncertain, and sentences and tables round
it as the interval allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from auditkit import formatting, i18n
from auditkit.checks import positive_int
from auditkit.crossaudit.model import LogisticModel, fit_logistic
from auditkit.crossaudit.notes import Note
from auditkit.crossaudit.rates import Rates, finding_rates
from auditkit.crossaudit.tables import labelled, only
from auditkit.errors import ParameterError, shown
from auditkit.options.sampling import AUDIT_KINDS
from auditkit.stats.funnel import FunnelResult, funnel
from auditkit.stats.requirements import ColumnError, require_columns

INSPECTION_COLUMNS = ("customer_id", "audit_kind", "auditing_district", "error_found")
OVERALL_COLUMNS = (
    "test",
    "self_n",
    "self_errors",
    "self_rate",
    "cross_n",
    "cross_errors",
    "cross_rate",
    "statistic",
    "p_value",
)
BY_DISTRICT_COLUMNS = (
    "district",
    "self_n",
    "self_errors",
    "self_rate",
    "cross_n",
    "cross_errors",
    "cross_rate",
    "gap",
    "self_value_per_inspection",
    "cross_value_per_inspection",
    "missed_value",
    "p_value",
    "note",
    "missed_low",
    "missed_high",
)
#: Fewest inspections of each kind (self and cross) a district needs for its own test.
MIN_INSPECTIONS = 10
#: The code in `by_district["note"]` of a district with too few inspections for its test.
TOO_FEW = "too_few_in_district"
#: Bootstrap resamples behind the interval of a district's missed money, and their fixed seed
#: (the same data give the same interval).
BOOTSTRAP_DRAWS = 2000
BOOTSTRAP_SEED = 20240601
#: What a comparison rests on, as its sentences name it: the inspections table (a cross-audit
#: study) or the findings register's checks (the audit cycle, `cycle.selfcross`). The two count
#: different checks, so a reader of both reports must see which one each verdict comes from.
SOURCES = ("inspections", "register")
#: The code in `overall["test"]` of the test within districts that the overall verdict rests on.
STRATIFIED = "mantel_haenszel"


@dataclass(frozen=True)
class Comparison:
    """The self- versus cross-audit comparison; see `compare`. `overall` and `by_district` hold
    numbers and codes (`note` is TOO_FEW or empty); `notes` are remarks about the data."""

    rates: Rates
    overall: pd.DataFrame
    by_district: pd.DataFrame
    model: LogisticModel
    funnel: FunnelResult | None
    alpha: float
    min_inspections: int = MIN_INSPECTIONS
    notes: list[Note] = field(default_factory=list)

    @property
    def under_reporting(self) -> pd.DataFrame:
        """Districts whose self-audits find significantly fewer errors, largest gap first."""
        rows = self.by_district[self.by_district["under_reports"]]
        return rows.sort_values("gap", ascending=False)

    def summary(self) -> dict[str, Any]:
        """Overall (pooled) self and cross rates, Fisher's one-sided p on them, the
        Mantel-Haenszel odds ratio and p within districts (the verdict's), the model's odds
        ratio and the districts under-reporting."""
        tests = self.overall.set_index("test")
        fisher = tests.loc["fisher_exact"] if "fisher_exact" in tests.index else {}
        stratified = tests.loc[STRATIFIED] if STRATIFIED in tests.index else {}
        return {
            **{name: float(fisher.get(name, np.nan)) for name in ("self_rate", "cross_rate")},
            "p_value": float(fisher.get("p_value", np.nan)),
            "mh_odds_ratio": float(stratified.get("statistic", np.nan)),
            "mh_p_value": float(stratified.get("p_value", np.nan)),
            "odds_ratio": self.model.summary()["odds_ratio"],
            "under_reporting": self.under_reporting["district"].tolist(),
        }

    def explain(
        self, lang: str = i18n.DEFAULT_LANG, district: str = "", source: str = "inspections"
    ) -> str:
        """Plain-language findings for reviewers, one sentence a line (about every district, or
        the overall picture and `district`); the verdicts name their `source` (one of SOURCES)."""
        if source not in SOURCES:
            raise ParameterError("source", f"one of {SOURCES}", source)
        based = {"source": i18n.text(f"crossaudit.source.{source}", lang)}
        sentences = []
        if not self.overall.empty:
            sentences.append(self._overall_sentence(lang, based))
        if self.model.estimated:
            sentences.append(self.model.explain(lang))
        flagged = only(self.under_reporting, district)
        if flagged.empty:
            sentences.append(self._no_flag_sentence(lang, district, based))
        for row in flagged.to_dict("records"):
            # Money is named only when cross-audits found more per check than self-audits did;
            # never from the register, whose recovered yuan are proved or estimated, not one sum.
            if source == "register":
                key = "under_reports_register"
            elif formatting.is_missing(row["missed_value"]):
                key = "under_reports_money_unknown"
            else:
                key = "under_reports" if row["missed_value"] > 0 else "under_reports_no_money"
            sentences.append(
                i18n.text(f"crossaudit.sentence.{key}", lang).format(**_worded(row, lang), **based)
            )
        return "\n".join(sentences)

    def _overall_sentence(self, lang: str, based: Mapping[str, str]) -> str:
        """The pooled rates as description, the verdict from the test within districts (never
        from the pooled test, which districts' different error levels can drive alone); without
        a stratified test, the rates and why there is no verdict."""
        tests = self.overall.set_index("test")
        pooled = _worded(tests.iloc[0], lang)
        if STRATIFIED not in tests.index:
            return i18n.text("crossaudit.sentence.overall_not_stratified", lang).format(
                **pooled, **based
            )
        within = tests.loc[STRATIFIED]
        if within["p_value"] >= self.alpha:
            key = "overall_not_shown"
        else:
            key = "overall_fewer" if within["statistic"] < 1 else "overall_more"
        return i18n.text(f"crossaudit.sentence.{key}", lang).format(
            **{**pooled, "p_value": formatting.p_clause(within["p_value"])}, **based
        )

    def _no_flag_sentence(self, lang: str, district: str, based: Mapping[str, str]) -> str:
        """No significant under-reporting: say so, with `district`'s own gap, or (about every
        district) the largest gap where self-audits found fewer, among the districts tested."""
        rows = only(self.by_district.dropna(subset=["gap", "p_adjusted"]), district)
        if rows.empty:
            return i18n.text("crossaudit.sentence.too_few_to_compare", lang).format(**based)
        if district:
            row = rows.iloc[0]
            return i18n.text("crossaudit.sentence.district_not_flagged", lang).format(
                **based,
                district=district,
                gap=points(row["gap"], lang),
                p_adjusted=formatting.p_clause(row["p_adjusted"]),
            )
        fewer = rows[rows["gap"] > 0]
        tested = {"tested_districts": i18n.counted(len(rows), "district", lang)}
        if fewer.empty:
            return i18n.text("crossaudit.sentence.no_district_fewer", lang).format(
                **based, **tested
            )
        largest = fewer.loc[fewer["gap"].idxmax()]
        return i18n.text("crossaudit.sentence.no_district_flagged", lang).format(
            **based,
            **tested,
            largest=largest["district"],
            gap=points(largest["gap"], lang),
            p_adjusted=formatting.p_clause(largest["p_adjusted"]),
        )

    def to_table(self, lang: str = i18n.DEFAULT_LANG, district: str = "") -> pd.DataFrame:
        """Per-district (or only `district`'s) self-versus-cross comparison, money and notes.

        The estimated missed money is shown only for a district whose self-audits significantly
        under-report: elsewhere the difference per inspection may be chance, so the cell is '—'
        and the note says why (not tested, or not significantly fewer). It is rounded as its
        bootstrap interval (the next column) allows. A flagged district with no money missed
        says that self-audits found no less per inspection; one whose money is unknown (an
        error found without both values) shows '—' and says so. `by_district` keeps every
        estimate; the note column is left out when no row has a note."""
        table = only(self.by_district, district)
        yes, no = i18n.text("common.yes", lang), i18n.text("common.no", lang)
        tested = table["p_adjusted"].notna()
        # the money of a flagged district as text, with its interval (None: not shown)
        missed = [
            missed_money(row) if row["under_reports"] else None for row in table.to_dict("records")
        ]
        shown = pd.DataFrame(
            {
                "common.district": table["district"],
                "crossaudit.self_n": table["self_n"].map(formatting.count),
                "crossaudit.self_rate": table["self_rate"].map(formatting.percent),
                "crossaudit.cross_n": table["cross_n"].map(formatting.count),
                "crossaudit.cross_rate": table["cross_rate"].map(formatting.percent),
                "crossaudit.gap": table["gap"].map(signed_points),
                "common.p_value": table["p_value"].map(formatting.p_value),
                "crossaudit.p_adjusted": table["p_adjusted"].map(formatting.p_value),
                "crossaudit.under_reports": [
                    (yes if flag else no) if was_tested else formatting.MISSING
                    for flag, was_tested in zip(table["under_reports"], tested, strict=True)
                ],
                "crossaudit.missed_value": [
                    money[0] if money else formatting.MISSING for money in missed
                ],
                "crossaudit.missed_interval": [
                    _interval_text(*money[1:]) if money else formatting.MISSING for money in missed
                ],
                "common.note": self._shown_notes(table, lang),
            }
        )
        if not any(shown["common.note"]):
            shown = shown.drop(columns="common.note")
        return labelled(shown, lang)

    def _shown_notes(self, table: pd.DataFrame, lang: str) -> list[str]:
        """The table's note of each row: why no test was made, why no money is estimated (the
        gap is not significant, or the money found is unknown), or that a flagged district's
        self-audits missed no money."""
        notes = []
        for row in table.to_dict("records"):
            if row["note"]:
                code = row["note"]
            elif not row["under_reports"]:
                code = "not_flagged_no_money"
            elif formatting.is_missing(row["missed_value"]):
                code = "money_unknown_in_district"
            elif not row["missed_value"] > 0:
                code = "flagged_no_money"
            else:
                code = ""
            values = {**row, "min_inspections": self.min_inspections}
            notes.append(Note(code, values).text(lang) if code else "")
        return notes

    def district_notes(self, lang: str = i18n.DEFAULT_LANG, district: str = "") -> list[str]:
        """The `note` column of `by_district` (or only `district`'s rows) in `lang`."""
        return [
            Note(row["note"], {**row, "min_inspections": self.min_inspections}).text(lang)
            if row["note"]
            else ""
            for row in only(self.by_district, district).to_dict("records")
        ]

    def overall_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """The overall self-versus-cross tests, labelled, each statistic named (a z value, a
        sample odds ratio, a Mantel-Haenszel odds ratio): pooled over districts first, then the
        test within districts that the verdict rests on."""
        overall = self.overall
        shown = pd.DataFrame(
            {
                "common.test": [i18n.text(f"crossaudit.test.{t}", lang) for t in overall["test"]],
                "crossaudit.self_rate": overall["self_rate"].map(formatting.percent),
                "crossaudit.cross_rate": overall["cross_rate"].map(formatting.percent),
                "crossaudit.statistic_name": [
                    i18n.text(f"crossaudit.statistic.{t}", lang) for t in overall["test"]
                ],
                "crossaudit.statistic": overall["statistic"].map(
                    lambda value: formatting.number(value, 3)
                ),
                "common.p_value": overall["p_value"].map(formatting.p_value),
            }
        )
        return labelled(shown, lang)

    def plot(self, lang: str = i18n.DEFAULT_LANG) -> Figure:
        """The finding rates per district and kind (the comparison at a glance)."""
        return self.rates.plot(lang)


def compare(
    inspections: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    alpha: float = 0.05,
    min_inspections: int = MIN_INSPECTIONS,
) -> Comparison:
    """Compare error-finding rates of self-, cross- and special audits by audited district.

    The audited district comes from a `district` column of `inspections` or, failing that, from
    `customers` (customer_id -> district). A cross-audit made by the audited district itself, or
    (given `customers`) by a district none of theirs is, is left out with a note. Tests need at
    least `min_inspections` self- and cross-audits; where there are fewer, the tables say so in
    a `note` instead of a p-value.
    """
    if not 0 < alpha < 1:
        raise ParameterError("alpha", "a significance level between 0 and 1", alpha)
    min_inspections = positive_int("min_inspections", min_inspections)
    frame, notes = _prepare(inspections, customers)
    rates = finding_rates(frame)
    overall, overall_notes = _overall(frame, min_inspections)
    by_district = _by_district(frame, min_inspections, alpha)
    if not overall.empty:
        stratified, stratified_notes = _stratified(by_district, min_inspections)
        if not stratified.empty:
            overall = pd.concat([overall, stratified], ignore_index=True)
        overall_notes += stratified_notes
    model = fit_logistic(frame, min_inspections)
    self_rates = rates.table[rates.table["audit_kind"] == "self"]
    funnel_result = (
        funnel(self_rates, volume="inspections", events="errors", unit="district")
        if self_rates["inspections"].sum() > 0
        else None
    )
    notes += overall_notes + [note for note in (model.left_out, model.note) if note]
    return Comparison(
        rates, overall, by_district, model, funnel_result, alpha, min_inspections, notes
    )


def _prepare(
    inspections: pd.DataFrame, customers: pd.DataFrame | None
) -> tuple[pd.DataFrame, list[Note]]:
    """Inspections with the audited district, a 0/1 error and the under- and over-billed
    values (each ≥ 0); notes on rows left out or odd."""
    require_columns(inspections, INSPECTION_COLUMNS, "inspections")
    frame = inspections.copy()
    if "district" not in frame.columns:
        if customers is None:
            raise ColumnError(
                "inspections",
                ["district"],
                map(str, inspections.columns),
                hint="the audited district: add it, or pass customers= to look it up by "
                "customer_id",
            )
        require_columns(customers, ["customer_id", "district"], "customers")
        lookup = customers.drop_duplicates("customer_id").set_index("customer_id")["district"]
        frame["district"] = frame["customer_id"].map(lookup)
    notes: list[Note] = []
    unknown = frame["district"].isna()
    if unknown.any():
        notes.append(Note("unknown_customers", {"count": int(unknown.sum())}))
    kinds = frame["audit_kind"].astype(str)
    odd = ~kinds.isin(AUDIT_KINDS)
    if odd.any():
        label = kinds.index[odd.to_numpy()][0]
        raise ParameterError(
            "inspections.audit_kind",
            f"one of {', '.join(AUDIT_KINDS)}",
            f"{_cell(kinds[label])} in {_row(label)}",
        )
    _refuse_missing_auditors(frame["auditing_district"])
    frame = frame[~unknown].copy()
    frame["district"] = frame["district"].astype(str)
    frame["audit_kind"] = frame["audit_kind"].astype(str)
    frame["error"] = _error_flags(frame["error_found"])
    book, audited = (
        pd.to_numeric(frame[column], errors="coerce")
        if column in frame
        else pd.Series(np.nan, index=frame.index)
        for column in ("book_value", "audited_value")
    )
    # No error found is no money found; an error found without both values is an unknown sum.
    # Under- and over-billing are kept apart: a refund found is no under-billing found, and
    # netted it would make a district's audits look as if they found less than they did.
    difference = (audited - book).mask(frame["error"].eq(0) & (audited - book).isna(), 0.0)
    frame["underbilled"] = difference.clip(lower=0.0)
    frame["overbilled"] = (-difference).clip(lower=0.0)
    mislabelled = (frame["audit_kind"] == "self") & (
        frame["auditing_district"].astype(str) != frame["district"]
    )
    if mislabelled.any():
        notes.append(Note("mislabelled_self", {"count": int(mislabelled.sum())}))
    # A district inspecting its own customers makes a self-audit whatever the row says; counted
    # as cross it would move the cross rate toward the self rate the test compares it with.
    # Left out and said, not refused: a table appended before the sheet refused them may hold some.
    own = (frame["audit_kind"] == "cross") & (
        frame["auditing_district"].astype(str) == frame["district"]
    )
    if own.any():
        notes.append(Note("cross_by_own_district", {"count": int(own.sum())}))
        frame = frame[~own]
    if customers is not None:  # the utility's districts are known: a cross-audit by another
        frame = _without_unknown_auditors(frame, customers, notes)
    # counted among the rows compared only: one left out above changes no district's money
    unknown_money = frame["underbilled"].isna() & frame["audit_kind"].isin(["self", "cross"])
    if unknown_money.any():
        notes.append(Note("money_unknown", {"count": int(unknown_money.sum())}))
    return frame, notes


def _refuse_missing_auditors(auditors: pd.Series) -> None:
    """A ParameterError naming the first row of the inspections without an auditing district,
    as `data.load` refuses it: a cross-audit by no one cannot be told from one by the audited
    district (left out) or by another (compared)."""
    missing = auditors.isna() | auditors.astype(str).str.strip().eq("")
    if missing.any():
        label = auditors.index[missing.to_numpy()][0]
        raise ParameterError(
            "inspections.auditing_district",
            "the district that inspected, in every row",
            f"an empty cell in {_row(label)}",
        )


def _without_unknown_auditors(
    frame: pd.DataFrame, customers: pd.DataFrame, notes: list[Note]
) -> pd.DataFrame:
    """`frame` without the cross-audits made by a district that is none of `customers`'
    (a slip such as 'A局' for 'A'), noted with the names found. Counted as cross-audits they
    would move the cross rate of the district audited on the word of no district of the data."""
    require_columns(customers, ["customer_id", "district"], "customers")
    unknown = cross_by_unknown_district(frame, customers["district"])
    if unknown.any():
        names = sorted(set(frame.loc[unknown, "auditing_district"].astype(str)))
        notes.append(
            Note("cross_by_unknown_district", {"count": int(unknown.sum()), "auditors": names})
        )
    return frame[~unknown]


def cross_by_unknown_district(inspections: pd.DataFrame, districts: Iterable[str]) -> pd.Series:
    """Which of `inspections` are cross-audits made by none of `districts`, the utility's: what
    `compare` leaves out given customers, and the audit cycle given the register's districts,
    so the two reports count the same cross-audits."""
    known = {str(name) for name in districts if not formatting.is_missing(name)}
    auditors = inspections["auditing_district"].astype(str)
    return (inspections["audit_kind"] == "cross") & ~auditors.isin(known)


def _error_flags(column: pd.Series) -> pd.Series:
    """error_found as 0/1. Only booleans (as `data.load` types the column) and the integers 0
    and 1 are flags: text (是/否, "no"), a missing value or a fraction would otherwise count as
    an error found, so the first such row is named instead."""
    values = column.to_numpy(dtype=object)
    flags = np.array([_is_flag(value) for value in values], dtype=bool)
    if not flags.all():
        at = int(np.flatnonzero(~flags)[0])
        value = values[at]
        raise ParameterError(
            "inspections.error_found",
            "booleans (True/False) or the integers 0 and 1",
            f"{_cell(value)} in {_row(column.index[at])}",
        )
    return pd.Series([int(value) for value in values], index=column.index, dtype=int)


def _cell(value: object) -> str:
    """A cell's value as a reader writes it: text as it is, another value as `shown` says it."""
    return value if isinstance(value, str) else shown(value)


def _row(label: object) -> str:
    """A row of the inspections as a reader counts them: a pandas position (from 0) as the row
    from 1, another label as it is."""
    if isinstance(label, int | np.integer) and not isinstance(label, bool):
        return f"row {int(label) + 1}"
    return f"row {shown(label)}"


def _is_flag(value: object) -> bool:
    """A boolean, or the integer 0 or 1 (not 0.0, not text)."""
    if isinstance(value, bool | np.bool_):
        return True
    return isinstance(value, int | np.integer) and value in (0, 1)


def _overall(frame: pd.DataFrame, min_inspections: int) -> tuple[pd.DataFrame, list[Note]]:
    """Self against cross over all districts: two-proportion z-test and Fisher's exact test."""
    from statsmodels.stats.proportion import proportions_ztest

    counts = _kind_counts(frame)
    (self_n, self_errors), (cross_n, cross_errors) = counts["self"], counts["cross"]
    if min(self_n, cross_n) < min_inspections:
        values = {"self_n": self_n, "cross_n": cross_n, "min_inspections": min_inspections}
        return pd.DataFrame(columns=OVERALL_COLUMNS), [Note("no_overall_test", values)]
    base = _counts_and_rates(self_n, self_errors, cross_n, cross_errors)
    rows = []
    if 0 < self_errors + cross_errors < self_n + cross_n:
        z, p_z = proportions_ztest(
            [self_errors, cross_errors], [self_n, cross_n], alternative="smaller"
        )
        rows.append({"test": "two_proportion_z", **base, "statistic": z, "p_value": p_z})
    odds, p_fisher = _fisher_less(self_errors, self_n, cross_errors, cross_n)
    rows.append({"test": "fisher_exact", **base, "statistic": odds, "p_value": p_fisher})
    return pd.DataFrame(rows, columns=OVERALL_COLUMNS), []


def _counts_and_rates(
    self_n: int, self_errors: int, cross_n: int, cross_errors: int
) -> dict[str, float]:
    """A test row's inspections, errors and error rates of each kind (both kinds inspected)."""
    return {
        "self_n": self_n,
        "self_errors": self_errors,
        "self_rate": self_errors / self_n,
        "cross_n": cross_n,
        "cross_errors": cross_errors,
        "cross_rate": cross_errors / cross_n,
    }


def _by_district(frame: pd.DataFrame, min_inspections: int, alpha: float) -> pd.DataFrame:
    """Per district: self and cross rates, the gap, Fisher's test (Holm-adjusted), the money;
    the note TOO_FEW instead of a test where a kind has fewer than `min_inspections`."""
    rows = []
    for district, part in frame.groupby("district", sort=True):
        counts = _kind_counts(part)
        (self_n, self_errors), (cross_n, cross_errors) = counts["self"], counts["cross"]
        self_values, cross_values = (
            part.loc[part["audit_kind"] == kind, "underbilled"].to_numpy(float)
            for kind in ("self", "cross")
        )
        self_rate = self_errors / self_n if self_n else np.nan
        cross_rate = cross_errors / cross_n if cross_n else np.nan
        self_value = _mean_if_known(self_values)
        cross_value = _mean_if_known(cross_values)
        missed_low, missed_high = _missed_interval(self_values, cross_values)
        row = {
            "district": district,
            "self_n": self_n,
            "self_errors": self_errors,
            "self_rate": self_rate,
            "cross_n": cross_n,
            "cross_errors": cross_errors,
            "cross_rate": cross_rate,
            "gap": cross_rate - self_rate,
            "self_value_per_inspection": self_value,
            "cross_value_per_inspection": cross_value,
            "missed_value": max(cross_value - self_value, 0.0) * self_n
            if not np.isnan(cross_value - self_value)
            else np.nan,
            "p_value": np.nan,
            "note": "",
            "missed_low": missed_low,
            "missed_high": missed_high,
        }
        if min(self_n, cross_n) < min_inspections:
            row["note"] = TOO_FEW
        else:
            row["p_value"] = _fisher_less(self_errors, self_n, cross_errors, cross_n)[1]
        rows.append(row)
    from statsmodels.stats.multitest import multipletests

    table = pd.DataFrame(rows, columns=BY_DISTRICT_COLUMNS)
    tested = table["p_value"].notna()
    table["p_adjusted"] = np.nan
    if tested.any():
        table.loc[tested, "p_adjusted"] = multipletests(
            table.loc[tested, "p_value"], alpha=alpha, method="holm"
        )[1]
    table["under_reports"] = tested & (table["p_adjusted"] < alpha) & (table["gap"] > 0)
    return table


def _stratified(by_district: pd.DataFrame, min_inspections: int) -> tuple[pd.DataFrame, list[Note]]:
    """Self against cross within districts: the Cochran-Mantel-Haenszel test (two-sided, as
    the model's) and the Mantel-Haenszel odds ratio, over the districts with both kinds (the
    others say nothing about the difference within a district), from the counts of
    `_by_district`; the rates are theirs, pooled."""
    from statsmodels.stats.contingency_tables import StratifiedTable

    both = by_district[(by_district["self_n"] > 0) & (by_district["cross_n"] > 0)]
    self_n, self_errors, cross_n, cross_errors = (
        int(both[column].sum()) for column in ("self_n", "self_errors", "cross_n", "cross_errors")
    )
    found = self_errors + cross_errors
    if min(self_n, cross_n) < min_inspections or found in (0, self_n + cross_n):
        return pd.DataFrame(columns=OVERALL_COLUMNS), [Note("no_stratified_test")]
    # a district whose inspections all found errors, or none, adds nothing to either sum
    self_found, cross_found = both["self_errors"], both["cross_errors"]
    tables = [
        [self_found, both["self_n"] - self_found],
        [cross_found, both["cross_n"] - cross_found],
    ]
    stratified = StratifiedTable(np.array(tables, dtype=float))  # 2 x 2 x districts
    with np.errstate(divide="ignore"):  # no cross-audit error anywhere: an odds ratio of ∞
        odds_ratio = float(stratified.oddsratio_pooled)
    row = {
        "test": STRATIFIED,
        **_counts_and_rates(self_n, self_errors, cross_n, cross_errors),
        "statistic": odds_ratio,
        "p_value": float(stratified.test_null_odds().pvalue),
    }
    return pd.DataFrame([row], columns=OVERALL_COLUMNS), []


def _mean_if_known(values: np.ndarray) -> float:
    """The mean under-billing found per inspection; NaN when there is none or one is unknown."""
    return float(values.mean()) if len(values) and not np.isnan(values).any() else np.nan


def _missed_interval(self_values: np.ndarray, cross_values: np.ndarray) -> tuple[float, float]:
    """A bootstrap 95 % interval of the missed money: self- and cross-audits resampled apart,
    the seed fixed. Only inspections that found money change a resample's sum, so each draws
    how many of them it holds, then which (the same distribution as resampling every row)."""
    if (
        not (len(self_values) and len(cross_values))
        or np.isnan(np.concatenate([self_values, cross_values])).any()
    ):
        return np.nan, np.nan
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    self_means, cross_means = (
        _resampled_means(values, rng) for values in (self_values, cross_values)
    )
    missed = np.maximum(cross_means - self_means, 0.0) * len(self_values)
    low, high = np.percentile(missed, [2.5, 97.5])
    return float(low), float(high)


def _resampled_means(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """BOOTSTRAP_DRAWS means of `values` resampled with replacement, the same whatever order
    the inspections came in (the values are drawn from in sorted order)."""
    found = np.sort(values[values != 0])
    if not len(found):
        return np.zeros(BOOTSTRAP_DRAWS)
    held = rng.binomial(len(values), len(found) / len(values), BOOTSTRAP_DRAWS)
    picks = rng.choice(found, held.sum())
    draw = np.repeat(np.arange(BOOTSTRAP_DRAWS), held)
    return np.bincount(draw, weights=picks, minlength=BOOTSTRAP_DRAWS) / len(values)


def missed_money(row: Mapping[str, Any]) -> tuple[str, str, str]:
    """A district's missed money and its interval ends as text, rounded to what the interval
    allows: to the hundredth of its width (75,432.51 within 1,278-207,433 reads 75,000 within
    1,000-207,000), to the fen only when the interval is that narrow."""
    value, low, high = row["missed_value"], row["missed_low"], row["missed_high"]
    if formatting.is_missing(value) or formatting.is_missing(low):
        return formatting.money(value), formatting.MISSING, formatting.MISSING
    if high - low <= 0:
        return formatting.money(value), formatting.money(low), formatting.money(high)
    step = max(10.0 ** (int(np.floor(np.log10(high - low))) - 2), 0.01)
    decimals = max(0, -int(np.floor(np.log10(step))))

    def rounded(amount: float) -> str:
        return formatting.number(round(amount / step) * step + 0.0, decimals)

    return rounded(value), rounded(low), rounded(high)


def _interval_text(low: str, high: str) -> str:
    """'low – high' as the tables write an interval; the missing mark when there is none."""
    return formatting.MISSING if low == formatting.MISSING else f"{low} – {high}"


def _kind_counts(frame: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """(inspections, errors) per audit kind."""
    grouped = frame.groupby("audit_kind")["error"].agg(["size", "sum"])
    return {
        kind: (int(grouped.loc[kind, "size"]), int(grouped.loc[kind, "sum"]))
        if kind in grouped.index
        else (0, 0)
        for kind in AUDIT_KINDS
    }


def _fisher_less(
    self_errors: int, self_n: int, cross_errors: int, cross_n: int
) -> tuple[float, float]:
    """Fisher's exact test that self-audits find errors less often than cross-audits."""
    from scipy import stats

    table = [[self_errors, self_n - self_errors], [cross_errors, cross_n - cross_errors]]
    result = stats.fisher_exact(table, alternative="less")
    return float(result.statistic), float(result.pvalue)


def signed_points(gap: float) -> str:
    """A difference of two rates in percentage points, signed: 0.045 -> '+4.5' ('—' if missing)."""
    if formatting.is_missing(gap):
        return formatting.MISSING
    return f"{round(float(gap) * 100, 1) + 0.0:+.1f}"  # + 0.0: no negative zero


def points(gap: float, lang: str) -> str:
    """A gap between two rates as a sentence says it: '+4.5 pp' or '+4.5 个百分点', not '%'."""
    return i18n.text("crossaudit.points", lang).format(points=signed_points(gap))


def _worded(row: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A result row's figures as its sentence shows them: rates, p-values and money formatted
    as in the tables (`auditkit.formatting`), so text and tables never disagree; the gap in
    percentage points."""
    shown = dict(row)
    for name in ("self_rate", "cross_rate"):
        if name in shown:
            shown[name] = formatting.percent(shown[name])
    if "gap" in shown:
        shown["gap"] = points(shown["gap"], lang)
    for name in ("p_value", "p_adjusted"):
        if name in shown:
            shown[name] = formatting.p_clause(shown[name])
    if "missed_value" in shown:
        shown["missed_value"], shown["missed_low"], shown["missed_high"] = missed_money(shown)
    return shown

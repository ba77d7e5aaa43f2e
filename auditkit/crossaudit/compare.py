"""Do self-audits find as many errors as cross-audits? Rates, tests, and who under-reports.

Inspections of a district's customers come in three kinds: by the district itself (self), by
another district (cross), or by a special audit team. If self-audits find errors at a lower rate
than cross-audits of the same district's customers, the district is probably not reporting what
it finds, or not looking hard. The evidence, from the simplest to the most adjusted:

- finding rates per district and kind with exact (Clopper-Pearson) 95 % intervals;
- overall, self against cross: a two-proportion z-test and Fisher's exact test, one-sided (self
  finds fewer);
- per district: Fisher's exact test, one-sided, Holm-corrected across districts, so that testing
  six districts does not find a "guilty" one by chance;
- a logistic model error_found ~ kind + district (statsmodels GLM), whose self-vs-cross odds
  ratio compares the kinds within districts, so a district with many self-audits and a high
  error level does not distort the overall comparison.

Money: audited_value - book_value is what the bill should have said minus what it said (positive
= under-billed). A district's `missed_value` estimate is what its self-audits would have found more
if they found as much per inspection as cross-audits of its customers did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from auditkit import formatting, i18n
from auditkit.crossaudit.model import LogisticModel, fit_logistic
from auditkit.crossaudit.notes import Note
from auditkit.crossaudit.rates import Rates, finding_rates
from auditkit.crossaudit.tables import labelled, only
from auditkit.errors import ParameterError
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
)
#: Fewest inspections of each kind (self and cross) a district needs for its own test.
MIN_INSPECTIONS = 10
#: The code in `by_district["note"]` of a district with too few inspections for its test.
TOO_FEW = "too_few_in_district"
#: What a comparison rests on, as its sentences name it: the inspections table (a cross-audit
#: study) or the findings register's checks (the audit cycle, `cycle.selfcross`). The two count
#: different checks, so a reader of both reports must see which one each verdict comes from.
SOURCES = ("inspections", "register")


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
        """Overall self and cross rates, Fisher's one-sided p, the within-district odds ratio
        and the districts under-reporting."""
        tests = self.overall.set_index("test")
        fisher = tests.loc["fisher_exact"] if "fisher_exact" in tests.index else {}
        return {
            **{name: float(fisher.get(name, np.nan)) for name in ("self_rate", "cross_rate")},
            "p_value": float(fisher.get("p_value", np.nan)),
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
        tests = self.overall.set_index("test")
        if "fisher_exact" in tests.index:
            row = tests.loc["fisher_exact"]
            key = "overall_fewer" if row["p_value"] < self.alpha else "overall_not_shown"
            sentences.append(
                i18n.text(f"crossaudit.sentence.{key}", lang).format(**_worded(row, lang), **based)
            )
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
            else:
                key = "under_reports" if row["missed_value"] > 0 else "under_reports_no_money"
            sentences.append(
                i18n.text(f"crossaudit.sentence.{key}", lang).format(**_worded(row, lang), **based)
            )
        return "\n".join(sentences)

    def _no_flag_sentence(self, lang: str, district: str, based: Mapping[str, str]) -> str:
        """No significant under-reporting: say so, with `district`'s own gap, or (about every
        district) the largest of the gaps tested."""
        rows = only(self.by_district.dropna(subset=["gap", "p_adjusted"]), district)
        if rows.empty:
            return i18n.text("crossaudit.sentence.too_few_to_compare", lang).format(**based)
        largest = rows.loc[rows["gap"].idxmax()]
        key = "district_not_flagged" if district else "no_district_flagged"
        return i18n.text(f"crossaudit.sentence.{key}", lang).format(
            **based,
            district=district,
            largest=largest["district"],
            gap=points(largest["gap"], lang),
            p_adjusted=formatting.p_clause(largest["p_adjusted"]),
        )

    def to_table(self, lang: str = i18n.DEFAULT_LANG, district: str = "") -> pd.DataFrame:
        """Per-district (or only `district`'s) self-versus-cross comparison, money and notes.

        The estimated missed money is shown only for a district whose self-audits significantly
        under-report: elsewhere the difference per inspection may be chance, so the cell is '—'
        and the note says why (not tested, or not significantly fewer). A flagged district with
        no money missed says that self-audits found no less per inspection. `by_district` keeps
        every estimate; the note column is left out when no row has a note."""
        table = only(self.by_district, district)
        yes, no = i18n.text("common.yes", lang), i18n.text("common.no", lang)
        tested = table["p_adjusted"].notna()
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
                    formatting.money(value) if flag else formatting.MISSING
                    for flag, value in zip(
                        table["under_reports"], table["missed_value"], strict=True
                    )
                ],
                "common.note": self._shown_notes(table, lang),
            }
        )
        if not any(shown["common.note"]):
            shown = shown.drop(columns="common.note")
        return labelled(shown, lang)

    def _shown_notes(self, table: pd.DataFrame, lang: str) -> list[str]:
        """The table's note of each row: why no test was made, why no money is estimated (the
        gap is not significant), or that a flagged district's self-audits missed no money."""
        notes = []
        for row in table.to_dict("records"):
            if row["note"]:
                code = row["note"]
            elif not row["under_reports"]:
                code = "not_flagged_no_money"
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
        """The overall self-versus-cross tests, labelled."""
        overall = self.overall
        shown = pd.DataFrame(
            {
                "common.test": [i18n.text(f"crossaudit.test.{t}", lang) for t in overall["test"]],
                "crossaudit.self_rate": overall["self_rate"].map(formatting.percent),
                "crossaudit.cross_rate": overall["cross_rate"].map(formatting.percent),
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
    `customers` (customer_id -> district). Tests need at least `min_inspections` self- and
    cross-audits; where there are fewer, the tables say so in a `note` instead of a p-value.
    """
    if not 0 < alpha < 1:
        raise ParameterError("alpha", "a significance level between 0 and 1", alpha)
    frame, notes = _prepare(inspections, customers)
    rates = finding_rates(frame)
    overall, overall_notes = _overall(frame, min_inspections)
    by_district = _by_district(frame, min_inspections, alpha)
    model = fit_logistic(frame, min_inspections)
    self_rates = rates.table[rates.table["audit_kind"] == "self"]
    funnel_result = (
        funnel(self_rates, volume="inspections", events="errors", unit="district")
        if self_rates["inspections"].sum() > 0
        else None
    )
    notes += overall_notes + ([model.note] if model.note else [])
    return Comparison(
        rates, overall, by_district, model, funnel_result, alpha, min_inspections, notes
    )


def _prepare(
    inspections: pd.DataFrame, customers: pd.DataFrame | None
) -> tuple[pd.DataFrame, list[Note]]:
    """Inspections with the audited district, a 0/1 error and the under-billed value; notes on
    rows left out or odd."""
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
        raise ParameterError("inspections.audit_kind", f"one of {AUDIT_KINDS}", kinds[odd].iloc[0])
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
    frame["underbilled"] = (audited - book).fillna(0.0)
    mislabelled = (frame["audit_kind"] == "self") & (
        frame["auditing_district"].astype(str) != frame["district"]
    )
    if mislabelled.any():
        notes.append(Note("mislabelled_self", {"count": int(mislabelled.sum())}))
    return frame, notes


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
            f"{value.item() if isinstance(value, np.generic) else value!r} in row "
            f"{column.index[at]!r}",
        )
    return pd.Series([int(value) for value in values], index=column.index, dtype=int)


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
    base = {
        "self_n": self_n,
        "self_errors": self_errors,
        "self_rate": self_errors / self_n,
        "cross_n": cross_n,
        "cross_errors": cross_errors,
        "cross_rate": cross_errors / cross_n,
    }
    rows = []
    if 0 < self_errors + cross_errors < self_n + cross_n:
        z, p_z = proportions_ztest(
            [self_errors, cross_errors], [self_n, cross_n], alternative="smaller"
        )
        rows.append({"test": "two_proportion_z", **base, "statistic": z, "p_value": p_z})
    odds, p_fisher = _fisher_less(self_errors, self_n, cross_errors, cross_n)
    rows.append({"test": "fisher_exact", **base, "statistic": odds, "p_value": p_fisher})
    return pd.DataFrame(rows, columns=OVERALL_COLUMNS), []


def _by_district(frame: pd.DataFrame, min_inspections: int, alpha: float) -> pd.DataFrame:
    """Per district: self and cross rates, the gap, Fisher's test (Holm-adjusted), the money;
    the note TOO_FEW instead of a test where a kind has fewer than `min_inspections`."""
    rows = []
    for district, part in frame.groupby("district", sort=True):
        counts = _kind_counts(part)
        (self_n, self_errors), (cross_n, cross_errors) = counts["self"], counts["cross"]
        value = part.groupby("audit_kind")["underbilled"].sum()
        self_rate = self_errors / self_n if self_n else np.nan
        cross_rate = cross_errors / cross_n if cross_n else np.nan
        self_value = value.get("self", 0.0) / self_n if self_n else np.nan
        cross_value = value.get("cross", 0.0) / cross_n if cross_n else np.nan
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
            if self_n and cross_n
            else np.nan,
            "p_value": np.nan,
            "note": "",
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
        shown["missed_value"] = formatting.money(shown["missed_value"])
    return shown

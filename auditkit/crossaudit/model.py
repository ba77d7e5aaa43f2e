"""The logistic model error_found ~ kind + district: self- against cross-audits within districts.

A district with many self-audits and a high error level would distort the overall comparison;
the model's self-vs-cross odds ratio compares the kinds within districts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from auditkit import formatting, i18n
from auditkit.crossaudit.charts import plot_odds_ratios
from auditkit.crossaudit.notes import Note
from auditkit.crossaudit.tables import interval, labelled

#: The model's term for self- against cross-audits; districts are `district <name>`.
SELF_VS_CROSS = "self vs cross"
COLUMNS = ("term", "odds_ratio", "ci_low", "ci_high", "p_value")
#: Widest odds-ratio interval (high / low) taken as an estimate rather than separation.
WIDEST_INTERVAL = 1e6


@dataclass(frozen=True)
class LogisticModel:
    """Odds ratios (`table`, columns COLUMNS; empty when not estimated, `note` says why); the
    districts' against `reference`, the first district fitted; `left_out` names the districts
    not fitted (one outcome throughout, or one kind of audit only)."""

    table: pd.DataFrame
    note: Note | None = None
    reference: str = ""
    left_out: Note | None = None

    @property
    def estimated(self) -> bool:
        """The model could be fitted."""
        return self.note is None

    def summary(self) -> dict[str, Any]:
        """The self-vs-cross odds ratio, its interval and p-value (NaN when not estimated)."""
        terms = self.table.set_index("term")
        if SELF_VS_CROSS not in terms.index:
            return {"estimated": False, **dict.fromkeys(COLUMNS[1:], float("nan"))}
        row = terms.loc[SELF_VS_CROSS]
        return {"estimated": True, **{column: float(row[column]) for column in COLUMNS[1:]}}

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The self-vs-cross odds ratio in a sentence, or why there is none."""
        if self.note is not None:
            return self.note.text(lang)
        figures = self.summary()
        figures["p_value"] = formatting.p_clause(figures["p_value"])
        return i18n.text("crossaudit.sentence.odds_ratio", lang).format(**figures)

    def to_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """Odds ratios with their intervals and p-values (no rows when not estimated)."""
        shown = pd.DataFrame(
            {
                "crossaudit.term": [
                    term_text(term, lang, self.reference) for term in self.table["term"]
                ],
                "crossaudit.odds_ratio": [
                    formatting.number(value, 2) for value in self.table["odds_ratio"]
                ],
                "crossaudit.interval": [
                    interval(low, high, lambda value: formatting.number(value, 2))
                    for low, high in zip(self.table["ci_low"], self.table["ci_high"], strict=True)
                ],
                "common.p_value": [formatting.p_value(value) for value in self.table["p_value"]],
            }
        )
        return labelled(shown, lang)

    def plot(self, lang: str = i18n.DEFAULT_LANG) -> Figure:
        """Odds ratios with their intervals on a log scale (a blank chart when not estimated)."""
        terms = [term_text(term, lang, self.reference) for term in self.table["term"]]
        return plot_odds_ratios(self.table.assign(term=terms), lang)


def term_text(term: str, lang: str, reference: str) -> str:
    """A model term in `lang`: self vs cross, or a district against the `reference` district."""
    if term == SELF_VS_CROSS:
        return i18n.text("crossaudit.term.self_vs_cross", lang)
    district = term.removeprefix("district ")
    return i18n.text("crossaudit.term.district", lang).format(
        district=district, reference=reference
    )


def fit_logistic(frame: pd.DataFrame, min_inspections: int) -> LogisticModel:
    """Odds ratios of error ~ kind + district on prepared inspections (binomial GLM, cross and
    the first district as references); a note instead when it cannot be estimated.

    A district with one outcome throughout, or one kind of audit only, says nothing about self
    against cross within a district and only separates its own term: it is left out (and named
    in `left_out`). Separation is judged on the self-vs-cross term, the one reported."""
    import statsmodels.api as sm

    data = frame[frame["audit_kind"].isin(["self", "cross"])]
    counts = data["audit_kind"].value_counts()
    if min(counts.get("self", 0), counts.get("cross", 0)) < min_inspections:
        return _not_estimated(Note("too_few_for_model"))
    if data["error"].nunique() < 2:
        return _not_estimated(Note("same_outcome"))
    by_district = data.groupby("district")
    informative = (by_district["error"].nunique() == 2) & (by_district["audit_kind"].nunique() == 2)
    dropped = sorted(informative.index[~informative])
    left_out = Note("left_out_of_model", {"districts": ", ".join(dropped)}) if dropped else None
    data = data[data["district"].isin(informative.index[informative])]
    if data.empty:
        return _not_estimated(Note("nothing_within_districts"), left_out)
    districts = sorted(data["district"].unique())
    design = pd.DataFrame(
        {"const": 1.0, SELF_VS_CROSS: (data["audit_kind"] == "self").astype(float).to_numpy()}
    )
    for district in districts[1:]:
        design[f"district {district}"] = (data["district"] == district).astype(float).to_numpy()
    try:
        fit = sm.GLM(data["error"].to_numpy(float), design, family=sm.families.Binomial()).fit()
    except (np.linalg.LinAlgError, ValueError):  # its message is the library's, in English
        return _not_estimated(Note("model_failed"))
    bounds = fit.conf_int()
    with np.errstate(over="ignore"):  # separation shows as overflow; caught just below
        table = pd.DataFrame(
            {
                "term": design.columns[1:],
                "odds_ratio": np.exp(fit.params.to_numpy()[1:]),
                "ci_low": np.exp(bounds.iloc[1:, 0].to_numpy()),
                "ci_high": np.exp(bounds.iloc[1:, 1].to_numpy()),
                "p_value": fit.pvalues.to_numpy()[1:],
            }
        )
    kind = table.iloc[0]
    if (
        not np.isfinite(kind[["odds_ratio", "ci_low", "ci_high"]].to_numpy(float)).all()
        or kind["ci_high"] / kind["ci_low"] > WIDEST_INTERVAL
    ):
        return _not_estimated(Note("separation"), left_out)
    return LogisticModel(table, reference=districts[0], left_out=left_out)


def _not_estimated(note: Note, left_out: Note | None = None) -> LogisticModel:
    return LogisticModel(pd.DataFrame(columns=list(COLUMNS)), note, left_out=left_out)

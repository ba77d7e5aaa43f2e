"""Finding rates per district and audit kind, with exact (Clopper-Pearson) 95 % intervals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from auditkit import formatting, i18n
from auditkit.crossaudit.charts import plot_rates
from auditkit.crossaudit.tables import interval, labelled, only
from auditkit.options.sampling import AUDIT_KINDS

COLUMNS = (
    "district",
    "audit_kind",
    "inspections",
    "errors",
    "rate",
    "ci_low",
    "ci_high",
    "underbilled",
    "overbilled",
)


@dataclass(frozen=True)
class Rates:
    """`table`: one row per district and kind (columns COLUMNS; NaN rate where none); the
    under-billing found (to collect) and the over-billing found (to refund), each ≥ 0."""

    table: pd.DataFrame

    def summary(self) -> dict[str, Any]:
        """Inspections and errors per kind over all districts, and the kind's rate."""
        totals = self.table.groupby("audit_kind")[["inspections", "errors"]].sum()
        figures: dict[str, Any] = {}
        for kind in AUDIT_KINDS:
            inspections = int(totals["inspections"].get(kind, 0))
            errors = int(totals["errors"].get(kind, 0))
            figures[f"{kind}_inspections"] = inspections
            figures[f"{kind}_errors"] = errors
            figures[f"{kind}_rate"] = errors / inspections if inspections else float("nan")
        return figures

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The finding rate of each kind over all districts, one line each."""
        figures = self.summary()
        return "\n".join(
            f"{i18n.text(f'crossaudit.kind.{kind}', lang)}: "
            f"{formatting.percent(figures[f'{kind}_rate'])} "
            f"({formatting.count(figures[f'{kind}_errors'])} / "
            f"{formatting.count(figures[f'{kind}_inspections'])})"
            for kind in AUDIT_KINDS
        )

    def to_table(self, lang: str = i18n.DEFAULT_LANG, district: str = "") -> pd.DataFrame:
        """Rates per district (or only `district`) and kind with their intervals, labelled."""
        rates = only(self.table, district)
        shown = pd.DataFrame(
            {
                "common.district": rates["district"],
                "crossaudit.audit_kind": [
                    i18n.text(f"crossaudit.kind.{kind}", lang) for kind in rates["audit_kind"]
                ],
                "crossaudit.inspections": rates["inspections"].map(formatting.count),
                "crossaudit.errors": rates["errors"].map(formatting.count),
                "crossaudit.rate": rates["rate"].map(formatting.percent),
                "crossaudit.interval": [
                    interval(low, high, formatting.percent)
                    for low, high in zip(rates["ci_low"], rates["ci_high"], strict=True)
                ],
                "crossaudit.underbilled": rates["underbilled"].map(
                    lambda value: formatting.number(value, 2)
                ),
                "crossaudit.overbilled": rates["overbilled"].map(
                    lambda value: formatting.number(value, 2)
                ),
            }
        )
        return labelled(shown, lang)

    def plot(self, lang: str = i18n.DEFAULT_LANG) -> Figure:
        """Bars of the rate per district and kind, with the intervals as error bars."""
        return plot_rates(self.table, lang)


def _sum_if_known(values: pd.Series) -> float:
    """The under- (or over-) billing found in total; NaN (shown as missing) when any of it is
    unknown."""
    return float(values.sum(skipna=False))


def finding_rates(frame: pd.DataFrame) -> Rates:
    """Rates of `frame` (prepared inspections: district, audit_kind, error, underbilled,
    overbilled), with the under- and over-billing found summed apart."""
    from statsmodels.stats.proportion import proportion_confint

    grouped = frame.groupby(["district", "audit_kind"]).agg(
        inspections=("error", "size"),
        errors=("error", "sum"),
        underbilled=("underbilled", _sum_if_known),
        overbilled=("overbilled", _sum_if_known),
    )
    districts = sorted(frame["district"].unique())
    full = pd.MultiIndex.from_product(
        [districts, list(AUDIT_KINDS)], names=["district", "audit_kind"]
    )
    rates = grouped.reindex(full, fill_value=0).reset_index()
    inspected = rates["inspections"] > 0
    low, high = proportion_confint(
        rates["errors"], rates["inspections"].clip(lower=1), alpha=0.05, method="beta"
    )
    rates["rate"] = np.where(
        inspected, rates["errors"] / rates["inspections"].clip(lower=1), np.nan
    )
    rates["ci_low"] = np.where(inspected, low, np.nan)
    rates["ci_high"] = np.where(inspected, high, np.nan)
    return Rates(rates[list(COLUMNS)])

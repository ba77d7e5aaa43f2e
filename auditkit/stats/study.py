"""The consumption-statistics study of one district or all: every result the notebook shows.

`consumption_study` runs the statistics once on a loaded dataset; notebooks/
consumption_statistics.ipynb only displays what it returns (tables via
`auditkit.stats.presentation`, charts via `auditkit.stats.charts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from auditkit.errors import ParameterError
from auditkit.stats import anomaly
from auditkit.stats import theft as theft_module
from auditkit.stats.funnel import FunnelResult, funnel
from auditkit.stats.seasonal import Decomposition, decompose_by_group
from auditkit.stats.summary import DistrictSummary, summarize
from auditkit.stats.text import pick

if TYPE_CHECKING:
    from auditkit.data import Dataset


@dataclass(frozen=True)
class ConsumptionStudy:
    """Results of the study; `district` is "" when it covers every district. `bills` holds the
    studied customers' bills up to the end of the window, with their district."""

    district: str
    summary: DistrictSummary
    decompositions: dict[str, Decomposition]
    anomalies: pd.DataFrame
    theft: pd.DataFrame
    bills: pd.DataFrame
    estimated_funnel: FunnelResult | None
    notes: list[str] = field(default_factory=list)

    @property
    def districts(self) -> list[str]:
        """The districts the study reports on."""
        return [self.district] if self.district else list(self.summary.table["district"])

    @property
    def window_bills(self) -> pd.DataFrame:
        """The bills of the summary window (with their district), e.g. for Benford tests."""
        period = self.bills["period"]
        return self.bills[(period >= self.summary.period_from) & (period <= self.summary.period_to)]

    @property
    def outliers(self) -> pd.DataFrame:
        """Out-of-line months of every decomposition (district, period, resid_z ...)."""
        frames = [
            result.outliers.assign(district=name) for name, result in self.decompositions.items()
        ]
        return pd.concat(frames) if frames else pd.DataFrame(columns=["district", "period"])

    def headline_figures(self, lang: str = "zh") -> dict[str, float]:
        """Headline numbers, keyed by their label in `lang` (rates in percent)."""
        table = self.summary.table
        shown = table[table["district"].isin(self.districts)]
        kwh = float(shown["kwh"].sum())
        supplied = shown["kwh_supplied"]
        figures = {
            pick(lang, "用户数", "Customers"): float(shown["customers"].sum()),
            pick(lang, "售电量 (万kWh)", "Energy (MWh)"): kwh / (1e4 if lang == "zh" else 1e3),
            pick(lang, "电费 (万元)", "Revenue (k yuan)"): float(shown["revenue"].sum())
            / (1e4 if lang == "zh" else 1e3),
        }
        if supplied.notna().all() and supplied.sum() > 0:
            figures[pick(lang, "线损率 (%)", "Line loss (%)")] = 100 * (1 - kwh / supplied.sum())
        scored = self.theft[self.theft["status"] == "scored"]
        figures[pick(lang, "窃电嫌疑户 (评分>3)", "Theft suspects (score > 3)")] = float(
            (scored["score"] > 3).sum()
        )
        return figures


def consumption_study(
    dataset: Dataset,
    district: str = "",
    as_of: str = "",
    months: int = 12,
    lang: str = "zh",
) -> ConsumptionStudy:
    """Run the consumption statistics on `dataset`, for one `district` or ("") all of them.

    The district summary and the funnel always cover every district (a district is benchmarked
    against the others); seasonality, customer scores and bills are restricted to `district`.
    """
    if dataset.bills is None or dataset.customers is None:
        raise ParameterError("dataset", "the customers and bills tables", "a dataset without them")
    if district and district not in dataset.districts:
        raise ParameterError("district", f"one of {dataset.districts}", district)
    summary = summarize(
        dataset.bills, dataset.customers, dataset.district_supply, as_of or None, months, lang=lang
    )
    customers = dataset.customers
    if district:
        customers = customers[customers["district"] == district]
    bills = dataset.bills[dataset.bills["customer_id"].isin(customers["customer_id"])]
    notes = list(summary.notes)
    monthly = summary.monthly[summary.monthly["district"].isin(customers["district"].unique())]
    decompositions, seasonal_notes = decompose_by_group(monthly.dropna(subset=["kwh"]), lang=lang)
    notes += seasonal_notes

    history = bills[bills["period"] <= summary.period_to]
    if history.empty:  # a district without bills: its summary row and notes say so
        anomalies = pd.DataFrame(columns=list(anomaly.COLUMNS))
        theft = pd.DataFrame(columns=list(theft_module.COLUMNS))
    else:
        anomalies = anomaly.anomaly_scores(history, customers, summary.period_to)
        reads = history[["customer_id", "period", "kwh_billed"]].rename(
            columns={"kwh_billed": "kwh"}
        )
        peers = pd.Series(
            (
                customers["usage_type"].astype(str) + "|" + customers["district"].astype(str)
            ).to_numpy(),
            index=customers["customer_id"].to_numpy(),
        )
        theft = theft_module.theft_scores(reads, as_of=summary.period_to, peers=peers)

    window = summary.table[summary.table["bills"] > 0]
    estimated_funnel = (
        funnel(
            pd.DataFrame(
                {
                    "district": window["district"],
                    "bills": window["bills"].astype(int),
                    "estimated": (window["estimated_share"] * window["bills"]).round().astype(int),
                }
            ),
            volume="bills",
            events="estimated",
        )
        if len(window)
        else None
    )
    return ConsumptionStudy(
        district=district,
        summary=summary,
        decompositions=decompositions,
        anomalies=anomalies,
        theft=theft,
        bills=history.merge(customers[["customer_id", "district"]], on="customer_id"),
        estimated_funnel=estimated_funnel,
        notes=notes,
    )

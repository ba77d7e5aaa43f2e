"""Seasonal-trend decomposition (STL) of a district's consumption, and the months out of line.

STL (Cleveland et al. 1990, statsmodels) splits a series into trend, a seasonal pattern that may
drift slowly, and a residual. A month whose residual is far from the others, by robust z
(x - median) / (1.4826 MAD), moved in a way neither the season nor the trend explains: a billing
run that went wrong, a batch of estimated reads, a big customer that stopped.

Billing histories are short (two or three years: two or three points per calendar month), so the
seasonal smoother is locally constant (`seasonal_deg=0`) and STL's own robustness weights are off
(on so few cycles they let the seasonal follow the spike and the residual MAD collapse: 10 % of
ordinary months flagged). Instead, the worst month is set aside and STL refitted until no month
stands out, which removes the "echo" a spike leaves in the same month of other years. On 200
simulated 36-month series with one spike of 7.5 noise SDs this finds the spike 98.5 % of the time
and flags 0.7 % of ordinary months (docs/statistics.md); with only 24 months (two values per
calendar month) it cannot tell which year is odd and finds about half.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from auditkit import i18n
from auditkit.errors import ParameterError, require_type
from auditkit.periods import month_number, period_text
from auditkit.stats import tables
from auditkit.stats.notes import Note
from auditkit.stats.requirements import InsufficientDataError, require_columns

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Robust z beyond which a residual month is out of line.
RESIDUAL_THRESHOLD = 3.0


@dataclass(frozen=True)
class Decomposition:
    """STL components of one series, one row per month.

    `frame` columns: period, observed, trend, seasonal, resid, resid_z, outlier (bool), imputed
    (bool: the month had no data and was interpolated for STL; never flagged as an outlier).
    """

    name: str
    frame: pd.DataFrame
    threshold: float

    @property
    def outliers(self) -> pd.DataFrame:
        """The months whose residual is out of line, largest |resid_z| first."""
        rows = self.frame[self.frame["outlier"]]
        return rows.reindex(rows["resid_z"].abs().sort_values(ascending=False).index)

    def summary(self) -> dict[str, Any]:
        """Series name, months, out-of-line months and the robust-z threshold."""
        return {
            "name": self.name,
            "months": len(self.frame),
            "outliers": int(self.frame["outlier"].sum()),
            "imputed": int(self.frame["imputed"].sum()),
            "threshold": self.threshold,
        }

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """How many months are out of line."""
        figures = self.summary()
        return i18n.text("stats.sentence.decomposition", lang).format(
            name=self.name, count=figures["outliers"], threshold=self.threshold
        )

    def to_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """The out-of-line months, largest residual first: observed against trend + season."""
        return outlier_table({self.name: self}, lang)

    def plot(self, lang: str = i18n.DEFAULT_LANG, unit: str = "") -> Figure:
        """Observed, trend, seasonal and residual panels, out-of-line months in red; `unit` (such
        as "kwh") labels their axes."""
        from auditkit.stats import charts  # matplotlib: loaded when drawn

        return charts.plot_decomposition(self, lang, unit)


def outlier_table(
    decompositions: dict[str, Decomposition], lang: str = i18n.DEFAULT_LANG
) -> pd.DataFrame:
    """The out-of-line months of each decomposition (by district), formatted; with none among
    decompositions made at one threshold, its `attrs["empty"]` says so in `lang`."""
    frame = pd.DataFrame(
        [
            {
                "district": name,
                "period": row.period,
                "observed": row.observed,
                "expected": row.trend + row.seasonal,
                "resid_z": row.resid_z,
            }
            for name, result in decompositions.items()
            for row in result.outliers.itertuples()
        ],
        columns=["district", "period", "observed", "expected", "resid_z"],
    )
    formats = {
        "district": str,
        "period": str,
        "observed": tables.whole,
        "expected": tables.whole,
        "resid_z": tables.decimals(1),
    }
    table = tables.labelled(frame, formats, lang)
    thresholds = sorted({result.threshold for result in decompositions.values()})
    if len(thresholds) == 1:  # nothing decomposed, or thresholds that differ: no such sentence
        table.attrs["empty"] = i18n.text("stats.outliers.none", lang).format(
            threshold=f"{thresholds[0]:g}"
        )
    return table


def decompose(
    series: pd.Series,
    name: str = "",
    period: int = 12,
    threshold: float = RESIDUAL_THRESHOLD,
) -> Decomposition:
    """STL of `series` (indexed by 'YYYY-MM' text), with residuals scored by robust z.

    Months missing inside the series are interpolated linearly for the decomposition and marked
    `imputed`. Raises InsufficientDataError for fewer than two full seasons of months.
    """
    require_type(series, pd.Series, "series", "monthly values (a Series indexed by 'YYYY-MM')")
    if threshold <= 0:
        raise ParameterError("threshold", "a positive robust z", threshold)
    months = month_number(series.index)
    values = pd.Series(pd.to_numeric(series, errors="coerce").to_numpy(float), index=months)
    values = values.groupby(level=0).sum(min_count=1).dropna()
    span = 0 if len(values) == 0 else int(values.index.max() - values.index.min() + 1)
    if span < 2 * period:
        raise InsufficientDataError(
            f"{name or 'series'}: seasonal decomposition needs at least {2 * period} months of "
            f"data, found {span}."
        )
    full = np.arange(values.index.min(), values.index.max() + 1)
    observed = values.reindex(full)
    imputed = observed.isna().to_numpy()
    filled = observed.interpolate(method="linear").to_numpy()
    fit, resid, resid_z = _fit_without_outliers(filled, imputed, period, threshold)
    frame = pd.DataFrame(
        {
            "period": period_text(full),
            "observed": observed.to_numpy(),
            "trend": np.asarray(fit.trend),
            "seasonal": np.asarray(fit.seasonal),
            "resid": resid,
            "resid_z": resid_z,
            "outlier": (np.abs(resid_z) > threshold) & ~imputed,
            "imputed": imputed,
        }
    )
    return Decomposition(name=name, frame=frame, threshold=threshold)


def decompose_by_group(
    monthly: pd.DataFrame,
    value: str = "kwh",
    group: str = "district",
    period: int = 12,
    threshold: float = RESIDUAL_THRESHOLD,
) -> tuple[dict[str, Decomposition], list[Note]]:
    """One decomposition per group of a long monthly table (`group`, period, `value`).

    Returns the decompositions by group name and notes (codes): groups too short to
    decompose get a note instead of an exception; all-zero or constant groups (no seasonality,
    no month out of line) and groups with interpolated months get one beside theirs.
    """
    require_columns(monthly, [group, "period", value], "monthly")
    results: dict[str, Decomposition] = {}
    notes: list[Note] = []
    for name, rows in monthly.groupby(group, sort=True):
        series = pd.Series(rows[value].to_numpy(), index=rows["period"].to_numpy())
        try:
            result = decompose(series, str(name), period, threshold)
        except InsufficientDataError:
            months = month_number(rows.dropna(subset=[value])["period"])
            found = int(months.max() - months.min() + 1) if len(months) else 0
            notes.append(Note("too_short", {"name": name, "needed": 2 * period, "found": found}))
            continue
        observed = result.frame["observed"].dropna().to_numpy()
        if (observed == 0).all():
            notes.append(Note("all_zero", {"name": name}))
        elif np.ptp(observed) <= 1e-9 * max(np.abs(observed).max(), 1.0):  # as `_robust_z`
            notes.append(Note("constant", {"name": name}))
        if result.frame["imputed"].any():
            gaps = list(result.frame.loc[result.frame["imputed"], "period"])
            notes.append(Note("interpolated", {"name": name, "months": gaps}))
        results[str(name)] = result
    return results, notes


def _fit_without_outliers(
    filled: np.ndarray, imputed: np.ndarray, period: int, threshold: float
) -> tuple[object, np.ndarray, np.ndarray]:
    """STL fitted with the out-of-line months set aside, one at a time, worst first.

    With two or three values per calendar month, one spike pulls the seasonal estimate of its
    month and makes the same month of the other years look low ("echoes"). So the worst month
    beyond `threshold` is replaced by its value predicted from the other years (their seasonal
    deviation from the trend, on this year's trend) and STL is fitted again, until no month
    stands out. Residuals are observed minus the final fit; z uses the months never set aside.
    """
    from statsmodels.tsa.seasonal import STL

    cleaned = filled.copy()
    set_aside = np.zeros(len(filled), dtype=bool)
    season = np.arange(len(filled)) % period
    magnitude = float(np.abs(filled).max())
    for _ in range(len(filled) // 6):
        fit = STL(cleaned, period=period, seasonal_deg=0, robust=False).fit()
        trend = np.asarray(fit.trend)
        resid = filled - trend - np.asarray(fit.seasonal)
        reference = ~imputed & ~set_aside
        resid_z = _robust_z(resid[reference], resid, magnitude)
        candidates = np.where(reference, np.abs(resid_z), 0.0)
        worst = int(np.argmax(candidates))
        if candidates[worst] <= threshold:
            break
        set_aside[worst] = True
        others = (season == season[worst]) & ~set_aside
        if others.any():  # with two years both may stand out; then keep the value
            cleaned[worst] = trend[worst] + np.mean(cleaned[others] - trend[others])
    return fit, resid, resid_z


def _robust_z(reference: np.ndarray, values: np.ndarray, magnitude: float) -> np.ndarray:
    """(values - median) / (1.4826 MAD) of `reference`; all zeros when the reference has no spread
    worth the name (below 1e-9 of the series' `magnitude`).

    A series whose residuals are all equal (a constant or perfectly seasonal series) has no month
    out of line, rather than infinitely many.
    """
    centre = np.median(reference)
    scale = 1.4826 * np.median(np.abs(reference - centre))
    if scale <= 1e-9 * max(magnitude, 1.0):
        return np.zeros_like(values)
    return (values - centre) / scale

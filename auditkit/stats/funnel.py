"""Funnel plots for benchmarking districts: a rate against its volume, with exact binomial limits.

A small district's rate swings more by chance than a large one's; a funnel plot draws the range a
rate stays within, at each volume, if every district shared the same underlying rate (Spiegelhalter
2005). Limits come from the exact binomial distribution, interpolated between integer counts as in
Spiegelhalter's appendix so that the funnel is a smooth curve, and placed so that a district falls
outside them exactly when the one-sided exact binomial test rejects; a district outside the
99.8 % limits is very unlikely to differ from the target by chance alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from auditkit import formatting, i18n
from auditkit.checks import probability
from auditkit.errors import ParameterError
from auditkit.stats import tables
from auditkit.stats.requirements import InsufficientDataError, require_columns

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DEFAULT_LEVELS: tuple[float, ...] = (0.95, 0.998)


#: Significant digits of a level's percentage in its label: a float32 0.95 (94.99999881 %) is 95.
LABEL_DIGITS = 7


def level_label(level: float) -> str:
    """Column suffix of a level, its percentage rounded to LABEL_DIGITS significant digits:
    0.95 -> '95', 0.998 -> '99.8'."""
    return f"{level * 100:.{LABEL_DIGITS}g}"


def level_text(level: float) -> str:
    """A level as the report writes it (`formatting.percent`, with the decimals its label has):
    0.95 -> '95%', 0.998 -> '99.8%'."""
    return formatting.percent(level, len(level_label(level).partition(".")[2]))


def binomial_limits(
    volume: np.ndarray | Sequence[float], target: float, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper funnel limits (as rates) at each volume for a two-sided `level`.

    Lower limit (Spiegelhalter 2005, appendix): with t = (1 - level) / 2, r the smallest count
    with F(r) >= t under Binomial(volume, target) and a = (F(r) - t) / (F(r) - F(r - 1)), the
    limit is (r - a) / volume. The upper limit is the mirror image, one minus the lower limit of
    volume - X ~ Binomial(volume, 1 - target). A count then falls below (above) the limit exactly
    when the one-sided exact binomial test P(X <= x) < t (P(X >= x) < t) rejects.
    """
    if not 0 < level < 1:
        raise ParameterError("level", "a confidence level between 0 and 1", level)
    if not 0 <= target <= 1:
        raise ParameterError("target", "a rate between 0 and 1", target)
    n = np.asarray(volume, dtype=float)
    if (n <= 0).any() or not np.isfinite(n).all():
        raise ParameterError("volume", "positive volumes", n[(n <= 0) | ~np.isfinite(n)][:5])
    tail = (1 - level) / 2
    return _lower_limit(n, target, tail), 1 - _lower_limit(n, 1 - target, tail)


def _lower_limit(n: np.ndarray, target: float, tail: float) -> np.ndarray:
    from scipy import stats

    count = stats.binom.ppf(tail, n, target)
    at_count = stats.binom.cdf(count, n, target)
    step = at_count - stats.binom.cdf(count - 1, n, target)
    fraction = np.divide(at_count - tail, step, out=np.zeros_like(n), where=step > 0)
    return np.clip((count - fraction) / n, 0.0, 1.0)


@dataclass(frozen=True)
class FunnelResult:
    """Rates of each unit with their funnel limits and a status.

    `table` columns: unit, volume, events, rate, then lower_<level> and upper_<level> per level
    (e.g. lower_95, upper_99.8), and status: within, above_<level> or below_<level> for the
    widest level crossed, or no_volume for a unit with nothing to rate.
    """

    table: pd.DataFrame
    target: float
    levels: tuple[float, ...]

    @staticmethod
    def level_label(level: float) -> str:
        """Column suffix of a level (see `level_label`), for whoever draws the limits."""
        return level_label(level)

    @staticmethod
    def level_text(level: float) -> str:
        """A level as the report writes it (see `level_text`), for whoever labels the limits."""
        return level_text(level)

    def outside(self, level: float | None = None) -> pd.DataFrame:
        """Units outside the limits of `level` (default: the widest level), highest rate first."""
        level = max(self.levels) if level is None else level
        if level not in self.levels:
            raise ParameterError("level", f"one of {self.levels}", level)
        suffix = level_label(level)
        rated = self.table[self.table["volume"] > 0]
        mask = (rated["rate"] > rated[f"upper_{suffix}"]) | (
            rated["rate"] < rated[f"lower_{suffix}"]
        )
        return rated[mask].sort_values("rate", ascending=False)

    def curve(self, points: int = 200) -> pd.DataFrame:
        """Limits on a grid of volumes from half the smallest to 1.1 times the largest volume of
        the units, for drawing the funnel."""
        volumes = self.table.loc[self.table["volume"] > 0, "volume"].to_numpy(float)
        low, high = max(1.0, 0.5 * volumes.min()), 1.1 * volumes.max()
        grid = np.unique(np.round(np.geomspace(low, max(high, low + 1), points)))
        columns: dict[str, np.ndarray] = {"volume": grid}
        for level in self.levels:
            lower, upper = binomial_limits(grid, self.target, level)
            columns[f"lower_{level_label(level)}"] = lower
            columns[f"upper_{level_label(level)}"] = upper
        return pd.DataFrame(columns)

    def summary(self) -> dict[str, Any]:
        """Target rate, levels, units rated, and the units outside the widest limits."""
        rated = self.table[self.table["volume"] > 0]
        return {
            "target": self.target,
            "levels": self.levels,
            "units": len(rated),
            "outside": [str(unit) for unit in self.outside()["unit"]],
        }

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """Which units fall outside the widest limits."""
        outside = self.summary()["outside"]
        names = i18n.text("common.list_separator", lang).join(outside)
        return i18n.text("stats.sentence.funnel", lang).format(
            level=level_text(max(self.levels)), names=names or i18n.text("common.none", lang)
        )

    def to_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """Each unit's rate with its limits and where it falls, formatted."""
        frame = self.table.rename(columns={"unit": "district"})
        rate = tables.percent(2)
        formats = {"district": str, "volume": tables.whole, "events": tables.whole, "rate": rate}
        shown = tables.labelled(frame, formats, lang)
        for level in self.levels:
            suffix = level_label(level)
            label = i18n.text("stats.column.limits", lang).format(level=level_text(level))
            shown[label] = [
                f"{rate(low)} – {rate(high)}"
                for low, high in zip(
                    frame[f"lower_{suffix}"], frame[f"upper_{suffix}"], strict=True
                )
            ]
        shown[tables.column_label("status", lang)] = [
            status_text(status, lang) for status in frame["status"]
        ]
        return shown

    def plot(self, lang: str = i18n.DEFAULT_LANG, rate_label: str = "", title: str = "") -> Figure:
        """The funnel: each unit's rate against its volume, the target and the limits
        (`rate_label` and `title` name the rate, by default 'rate' and 'funnel plot')."""
        from auditkit.stats import charts  # matplotlib: loaded when drawn

        return charts.plot_funnel(self, rate_label, title, lang)


def status_text(status: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """A unit's funnel status in `lang`: 'above_99.8' -> '高于 99.8% 上限'."""
    if status in ("within", "no_volume"):
        return i18n.text(f"stats.funnel.{status}", lang)
    side, label = status.split("_", 1)
    return i18n.text(f"stats.funnel.{side}", lang).format(level=level_text(float(label) / 100))


def funnel(
    table: pd.DataFrame,
    volume: str = "volume",
    events: str = "events",
    unit: str = "district",
    target: float | None = None,
    levels: Sequence[float] = DEFAULT_LEVELS,
) -> FunnelResult:
    """Funnel limits for the rate events / volume of each row of `table` (one row per unit).

    `target` is the rate every unit is compared with; by default the pooled rate of all units.
    `levels` are the confidence levels drawn (a list of distinct numbers strictly between 0 and
    1; one level is a list of one). Raises InsufficientDataError when no unit has any volume.
    """
    require_columns(table, [unit, volume, events], "funnel input")
    volumes = pd.to_numeric(table[volume], errors="coerce").to_numpy(float, na_value=np.nan)
    counts = pd.to_numeric(table[events], errors="coerce").to_numpy(float, na_value=np.nan)
    bad = ~np.isfinite(volumes) | ~np.isfinite(counts) | (volumes < 0) | (counts < 0)
    bad |= (counts > volumes) | (volumes != np.round(volumes)) | (counts != np.round(counts))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ParameterError(
            f"{events}/{volume}",
            "whole counts with 0 <= events <= volume",
            f"{counts[row]} / {volumes[row]} for {table[unit].iloc[row]!r}",
        )
    if volumes.sum() == 0:
        raise InsufficientDataError(
            f"funnel: expected at least one {unit} with {volume} > 0, found none among {len(table)}"
        )
    levels = _checked_levels(levels)
    pooled = counts.sum() / volumes.sum()
    target = pooled if target is None else float(target)
    rated = volumes > 0
    result = pd.DataFrame(
        {
            "unit": table[unit].to_numpy(),
            "volume": volumes.astype(np.int64),
            "events": counts.astype(np.int64),
            "rate": np.divide(counts, volumes, out=np.full_like(counts, np.nan), where=rated),
        }
    )
    status = np.where(rated, "within", "no_volume").astype(object)
    for level in levels:  # narrowest first, so the widest level crossed wins
        suffix = level_label(level)
        lower = np.full_like(volumes, np.nan)
        upper = np.full_like(volumes, np.nan)
        lower[rated], upper[rated] = binomial_limits(volumes[rated], target, level)
        result[f"lower_{suffix}"] = lower
        result[f"upper_{suffix}"] = upper
        status[rated & (result["rate"].to_numpy() > upper)] = f"above_{suffix}"
        status[rated & (result["rate"].to_numpy() < lower)] = f"below_{suffix}"
    result["status"] = status.astype(str)
    return FunnelResult(table=result, target=target, levels=levels)


def _checked_levels(levels: object) -> tuple[float, ...]:
    """`levels` as sorted floats, or a ParameterError naming `levels`: a lone 0.95, a text or a
    level repeated is refused here, not met as a TypeError or as two limits of the same name."""
    expected = "a list of distinct confidence levels, each strictly between 0 and 1"
    if isinstance(levels, str | bytes) or not isinstance(levels, Iterable):
        raise ParameterError("levels", expected, levels)
    given = list(levels)
    for level in given:
        try:
            probability("levels", level)
        except ParameterError:
            raise ParameterError("levels", expected, level) from None
    if not given or len(set(given)) < len(given):
        raise ParameterError("levels", expected, given)
    labelled: dict[str, object] = {}
    for level in given:  # two levels of one label would draw one pair of limit columns
        label = level_label(float(level))
        if not 0 < float(label) < 100:  # 0.99999999 is labelled 100%: no limit
            bounded = f"confidence levels below 100% and above 0% to {LABEL_DIGITS} digits"
            raise ParameterError("levels", bounded, f"{level}, labelled {label}%")
        if label in labelled:
            distinct = f"confidence levels distinct as percentages to {LABEL_DIGITS} digits"
            found = f"{labelled[label]} and {level}, both {label}%"
            raise ParameterError("levels", distinct, found)
        labelled[label] = level
    # Each level as its label says, so a float32 0.95 draws and is asked for as 0.95.
    return tuple(sorted(float(label) / 100 for label in labelled))

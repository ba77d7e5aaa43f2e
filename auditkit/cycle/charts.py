"""Audit-cycle charts: each rule's confirmed share with its interval (every check and random
samples apart), and the yuan recovered per district, proved and estimated side by side (never
stacked: the two are not added)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from auditkit import formatting, i18n
from auditkit.cycle.tables import rule_title
from auditkit.plots import REVENUE_KIND_STYLE, PercentTicks, group_thousands
from auditkit.rules.registry import REVENUE_KINDS

SERIES = (("", "tab:blue", "o"), ("sample_", "tab:orange", "s"))


def plot_precision(table: pd.DataFrame, confidence: float, lang: str) -> Figure:
    """One line per rule (`precision.precision_by_rule`): the confirmed share on every check and
    on random-sample checks, each with its interval."""
    figure = Figure(figsize=(8, max(2.5, 0.45 * len(table) + 1.5)), layout="constrained")
    axes = figure.subplots()
    y = np.arange(len(table))[::-1]
    for offset, (prefix, colour, marker) in zip((0.15, -0.15), SERIES, strict=True):
        rate = table[f"{prefix}precision"].to_numpy(float)
        low, high = (table[end].to_numpy(float) for end in _ends(prefix))
        axes.errorbar(
            rate,
            y + offset,
            xerr=np.vstack([rate - low, high - rate]),
            fmt=marker,
            color=colour,
            capsize=3,
            label=i18n.text(f"cycle.chart.{prefix or 'all_'}checks", lang),
        )
    axes.axvline(0.5, color="grey", linestyle="--", linewidth=1)  # below: mostly false alarms
    axes.set_yticks(y, [rule_title(rule, lang) for rule in table["rule_id"]])
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(PercentTicks())
    axes.set_xlabel(i18n.text("cycle.column.precision", lang))
    axes.grid(alpha=0.3, axis="x")
    axes.legend(fontsize="small", loc="lower right")
    level = formatting.percent(confidence, 0)
    axes.set_title(i18n.text("cycle.chart.precision", lang).format(level=level))
    return figure


def _ends(prefix: str) -> tuple[str, str]:
    """The interval columns of a series."""
    return ("ci_low", "ci_high") if not prefix else ("sample_low", "sample_high")


def plot_recovered(by_district: pd.DataFrame, lang: str) -> Figure:
    """Yuan recovered per district, one bar per kind of revenue side by side."""
    districts = by_district["district"].astype(str).tolist()
    figure = Figure(figsize=(max(6, 1.2 * len(districts)), 4), layout="constrained")
    axes = figure.subplots()
    width = 0.8 / len(REVENUE_KINDS)
    for offset, kind in enumerate(REVENUE_KINDS):
        x = np.arange(len(districts)) + (offset - (len(REVENUE_KINDS) - 1) / 2) * width
        axes.bar(
            x,
            by_district[f"recovered_{kind}"].to_numpy(float),
            width,
            edgecolor="white",
            **REVENUE_KIND_STYLE[kind],
            label=i18n.text(f"report.revenue_kind.{kind}", lang),
        )
    axes.set_xticks(np.arange(len(districts)), districts)
    axes.set_ylabel(i18n.text("cycle.chart.yuan", lang))
    group_thousands(axes, "y")
    axes.legend(fontsize="small")
    axes.grid(alpha=0.3, axis="y")
    axes.set_title(i18n.text("cycle.chart.recovered", lang))
    return figure

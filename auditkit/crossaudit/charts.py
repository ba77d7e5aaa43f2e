"""Charts of cross-audits: the assignment as arrows between districts, finding rates, odds ratios."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from auditkit import i18n
from auditkit.plots import PercentTicks

KIND_COLOURS = {"self": "tab:orange", "cross": "tab:blue", "special": "tab:green"}


def plot_assignment(assignment: pd.DataFrame, lang: str = "zh") -> Figure:
    """Districts on a circle, an arrow from each auditor to the district it audits."""
    names = sorted(set(assignment["auditing_district"]) | set(assignment["audited_district"]))
    angles = np.pi / 2 - 2 * np.pi * np.arange(len(names)) / max(len(names), 1)
    where = {name: (np.cos(a), np.sin(a)) for name, a in zip(names, angles, strict=True)}
    figure = Figure(figsize=(6, 6), layout="constrained")
    axes = figure.subplots()
    for auditor, audited in assignment[["auditing_district", "audited_district"]].itertuples(
        index=False
    ):
        axes.add_patch(
            FancyArrowPatch(
                where[auditor],
                where[audited],
                arrowstyle="-|>",
                mutation_scale=18,
                shrinkA=22,
                shrinkB=22,
                connectionstyle="arc3,rad=0.12",
                color="tab:blue",
                linewidth=1.5,
            )
        )
    for name, (x, y) in where.items():
        axes.scatter([x], [y], s=1400, color="white", edgecolor="tab:blue", zorder=3)
        axes.text(x, y, name, ha="center", va="center", zorder=4)
    axes.set_xlim(-1.35, 1.35)
    axes.set_ylim(-1.35, 1.35)
    axes.set_aspect("equal")
    axes.axis("off")
    axes.set_title(i18n.text("crossaudit.chart.assignment", lang))
    return figure


def plot_rates(rates: pd.DataFrame, lang: str = "zh") -> Figure:
    """Finding rate per district and audit kind, with exact 95 % intervals."""
    districts = sorted(rates["district"].unique())
    kinds = [kind for kind in KIND_COLOURS if kind in set(rates["audit_kind"])]
    figure = Figure(figsize=(max(6, 1.4 * len(districts)), 4), layout="constrained")
    axes = figure.subplots()
    width = 0.8 / max(len(kinds), 1)
    for offset, kind in enumerate(kinds):
        rows = rates[rates["audit_kind"] == kind].set_index("district").reindex(districts)
        x = np.arange(len(districts)) + (offset - (len(kinds) - 1) / 2) * width
        rate = rows["rate"].to_numpy(float)
        error = np.vstack(
            [rate - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - rate]
        )
        axes.bar(
            x,
            rate,
            width,
            color=KIND_COLOURS[kind],
            label=i18n.text(f"crossaudit.kind.{kind}", lang),
            yerr=error,
            capsize=3,
        )
    axes.set_xticks(np.arange(len(districts)), districts)
    axes.set_ylabel(i18n.text("crossaudit.chart.rate_axis", lang))
    axes.yaxis.set_major_formatter(PercentTicks())
    axes.legend(fontsize="small")
    axes.grid(alpha=0.3, axis="y")
    axes.set_title(i18n.text("crossaudit.chart.rates", lang))
    return figure


def plot_odds_ratios(model: pd.DataFrame, lang: str = "zh") -> Figure:
    """Each term's odds ratio with its 95 % interval on a log scale, 1 (no difference) marked;
    `model` holds term (as shown), odds_ratio, ci_low, ci_high (no rows: a chart that says so)."""
    figure = Figure(figsize=(6, max(2.5, 0.5 * len(model) + 1.5)), layout="constrained")
    axes = figure.subplots()
    if model.empty:
        axes.text(0.5, 0.5, i18n.text("crossaudit.chart.no_model", lang), ha="center")
        axes.axis("off")
        return figure
    y = np.arange(len(model))[::-1]
    ratio = model["odds_ratio"].to_numpy(float)
    error = np.vstack(
        [ratio - model["ci_low"].to_numpy(float), model["ci_high"].to_numpy(float) - ratio]
    )
    axes.errorbar(ratio, y, xerr=error, fmt="o", color="tab:blue", capsize=3)
    axes.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    axes.set_xscale("log")
    axes.set_yticks(y, model["term"].tolist())
    axes.set_xlabel(i18n.text("crossaudit.chart.odds_axis", lang))
    axes.grid(alpha=0.3, axis="x")
    axes.set_title(i18n.text("crossaudit.chart.model", lang))
    return figure

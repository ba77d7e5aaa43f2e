"""Charts for the three results: matplotlib Figures (no pyplot state), CJK-capable labels."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from auditkit import formatting, i18n
from auditkit.checks import exact
from auditkit.plots import PercentTicks, use_cjk_font
from auditkit.sampling import likelihoods
from auditkit.sampling.notes import method_name

if TYPE_CHECKING:
    from auditkit.sampling.fieldsheet import FieldResults
    from auditkit.sampling.results import Evaluation, Plan, Selection
    from auditkit.sampling.study import Population

MATERIALITY_COLOUR = "#c0392b"
MAIN_COLOUR = "#1f5f8b"


def _label(key: str, lang: str) -> str:
    return i18n.text(f"sampling.label.{key}", lang)


def _figure(lang: str, width: float = 7.0, height: float = 3.6, columns: int = 1) -> Figure:
    if i18n.language(lang) == "zh":
        use_cjk_font()
    figure = Figure(figsize=(width, height), layout="constrained")
    figure.subplots(1, columns)
    return figure


def population_chart(population: Population, lang: str) -> Figure:
    """What is sampled: the book values of the bills (by values, on a log scale: a few large
    bills carry much of the value) or the accounts by usage type (by items)."""
    figure = _figure(lang)
    axes = figure.axes[0]
    frame = population.frame
    if population.values is not None:
        amounts = frame["amount"].to_numpy(dtype=float)
        positive = amounts[amounts > 0]
        bins = np.geomspace(positive.min(), positive.max(), 40) if len(positive) else 10
        axes.hist(positive, bins=bins, color=MAIN_COLOUR)
        axes.set_xscale("log")
        axes.set_xlabel(i18n.text("common.amount", lang))
    else:
        counts = frame["usage_type"].astype(str).value_counts().sort_index()
        names = [i18n.text(f"usage.{code}", lang, default=code) for code in counts.index]
        axes.bar(names, counts.to_numpy(), color=MAIN_COLOUR)
        axes.set_xlabel(i18n.text("common.usage_type", lang))
    axes.set_ylabel(_label("population_size", lang))
    return figure


def plan_chart(plan: Plan, lang: str) -> Figure:
    """Upper bound (with the expected errors) against n; materiality and the planned n marked."""
    figure = _figure(lang)
    figure.set_label(i18n.text("sampling.chart.plan", lang))  # its alt text
    axes = figure.axes[0]
    largest = max(2 * plan.n, plan.n + 20)
    if plan.population_size is not None:
        largest = min(largest, plan.population_size)
    sizes = np.unique(np.linspace(1, largest, 200).astype(int))
    expected = exact(plan.expected)
    bounds = []
    for n in sizes:
        errors = float(
            likelihoods.expected_error_count(
                plan.likelihood, expected, int(n), plan.expected_is_rate
            )
        )
        if errors >= n:
            bounds.append(np.nan)
        elif plan.prior is None:
            bounds.append(
                likelihoods.upper_bound(
                    plan.likelihood, errors, int(n), plan.confidence, plan.population_size
                )
            )
        else:
            bounds.append(plan.prior.update(errors, int(n)).quantile(plan.confidence))
    axes.plot(sizes, bounds, color=MAIN_COLOUR, label=_label("upper", lang))
    if plan.materiality is not None:
        axes.axhline(
            plan.materiality,
            color=MATERIALITY_COLOUR,
            linestyle="--",
            label=_label("materiality", lang),
        )
    axes.axvline(plan.n, color="grey", linestyle=":", label=f"n = {plan.n}")
    axes.set_xlabel(_label("n", lang))
    axes.set_ylabel(_label("upper", lang))
    axes.yaxis.set_major_formatter(PercentTicks())
    axes.set_ylim(0, min(1.0, 3 * (plan.materiality or plan.upper)))
    axes.legend(loc="upper right", fontsize="small")
    return figure


def selection_chart(selection: Selection, lang: str) -> Figure:
    """Book values of the selected rows (largest first) against the interval, or counts per stratum."""
    figure = _figure(lang)
    axes = figure.axes[0]
    if selection.values is not None:
        ordered = selection.sample.sort_values(selection.values, ascending=False)
        positions = np.arange(len(ordered))
        axes.bar(positions, ordered[selection.values], color=MAIN_COLOUR, width=1.0)
        if selection.interval is not None and selection.units == "values":
            axes.axhline(
                selection.interval,
                color=MATERIALITY_COLOUR,
                linestyle="--",
                label=_label("interval", lang),
            )
            axes.legend(fontsize="small")
        axes.set_yscale("log")
        axes.set_xlabel(_label("selected_rows", lang))
        axes.set_ylabel(_label("book_log", lang))
    else:
        column = "stratum" if "stratum" in selection.sample.columns else None
        counts = selection.sample[column].value_counts().sort_index() if column else None
        labels = list(counts.index) if counts is not None else [_label("selected_rows", lang)]
        heights = list(counts.to_numpy()) if counts is not None else [len(selection.sample)]
        axes.bar(labels, heights, color=MAIN_COLOUR)
        axes.set_ylabel(_label("selected_rows", lang))
    seed = _label("seed", lang)
    axes.set_title(f"{method_name(selection.method, lang)}, {seed} {selection.seed}")
    return figure


def field_chart(results: FieldResults, lang: str) -> Figure:
    """The difference (audited − book) on each misstated row, or rows with and without error."""
    figure = _figure(lang)
    axes = figure.axes[0]
    errors = results.errors_table()
    if "difference" in errors.columns:
        axes.bar(errors["sample_no"].astype(str), errors["difference"], color=MAIN_COLOUR)
        axes.axhline(0, color="grey", linewidth=0.8)
        axes.set_xlabel(i18n.text("sampling.column.sample_no", lang))
        axes.set_ylabel(i18n.text("sampling.column.difference", lang))
    else:
        labels = [_label("misstated_rows", lang), _label("inspected_rows", lang)]
        axes.bar(labels, [len(errors), len(results.sample)], color=MAIN_COLOUR)
    return figure


def evaluation_chart(evaluation: Evaluation, lang: str) -> Figure:
    """Most likely error and bounds (per stratum too) against materiality; densities if Bayesian."""
    columns = 2 if evaluation.posterior is not None else 1
    figure = _figure(lang, width=7.0 if columns == 1 else 10.0, columns=columns)
    figure.set_label(i18n.text("sampling.chart.evaluation", lang))  # its alt text
    axes = figure.axes[0]
    rows = [
        (
            method_name(evaluation.method, lang),
            evaluation.mle,
            evaluation.lower,
            evaluation.upper,
        )
    ]
    if evaluation.strata is not None:
        rows += [
            (str(row.stratum), row.mle, None if pd.isna(row.lower) else row.lower, row.upper)
            for row in evaluation.strata.itertuples()
        ]
    for position, (_name, mle, lower, upper) in enumerate(reversed(rows)):
        left = 0.0 if lower is None else lower
        axes.plot([left, upper], [position, position], color=MAIN_COLOUR, linewidth=6, alpha=0.5)
        axes.plot([mle], [position], "o", color=MAIN_COLOUR)
        axes.annotate(
            formatting.percent(upper, 2),
            (upper, position),
            textcoords="offset points",
            xytext=(6, -3),
            fontsize="small",
        )
    axes.set_yticks(range(len(rows)), [name for name, *_ in reversed(rows)])
    if evaluation.materiality is not None:
        axes.axvline(
            evaluation.materiality,
            color=MATERIALITY_COLOUR,
            linestyle="--",
            label=_label("materiality", lang),
        )
        axes.legend(loc="lower right", fontsize="small")
    axes.xaxis.set_major_formatter(PercentTicks())
    axes.set_xlabel(f"{_label('mle', lang)} / {_label('upper', lang)}")
    axes.set_ylim(-0.7, len(rows) - 0.3)
    if evaluation.posterior is not None:
        _densities(figure.axes[1], evaluation, lang)
    return figure


def _densities(axes, evaluation: Evaluation, lang: str) -> None:
    reach = max(evaluation.upper, evaluation.materiality or 0) * 2
    rates = np.linspace(0, min(reach, 1.0), 400)
    if evaluation.posterior.family == "beta-binomial":
        size = evaluation.posterior.population_size
        rates = np.unique(np.round(rates * size)) / size
    axes.plot(
        rates,
        evaluation.prior.density(rates),
        color="grey",
        linestyle="--",
        label=_label("prior", lang),
    )
    axes.plot(
        rates,
        evaluation.posterior.density(rates),
        color=MAIN_COLOUR,
        label=_label("posterior", lang),
    )
    if evaluation.materiality is not None:
        axes.axvline(evaluation.materiality, color=MATERIALITY_COLOUR, linestyle="--")
    axes.xaxis.set_major_formatter(PercentTicks())
    axes.legend(fontsize="small")

"""The results of plan, select and evaluate, after the Result protocol of `auditkit.results`.

`summary()` gives the figures as numbers and codes, `to_table(lang)` the two-column table a report
shows, `explain(lang)` the sentences, `plot(lang)` the chart; the repr is for the terminal.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from auditkit import formatting, i18n
from auditkit.sampling.notes import Note, method_name
from auditkit.sampling.priors import Prior
from auditkit.sampling.variables import MIN_DIFFERENCES

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def item_table(rows: list[tuple[str, str]], lang: str) -> pd.DataFrame:
    """A two-column table of (label, shown value) rows in `lang`; a label is the last part of a
    `sampling.label.*` key ('n') or, for words other areas share, a full key ('common.p_value')."""
    labels = [i18n.text(key if "." in key else f"sampling.label.{key}", lang) for key, _ in rows]
    values = [value for _, value in rows]
    return pd.DataFrame(
        {i18n.text("common.item", lang): labels, i18n.text("common.value", lang): values}
    )


def _rate(rate: float | None, digits: int = 2) -> str:
    """A sampling rate as every sampling table and sentence writes it: two decimals."""
    return formatting.percent(rate, digits)


def confidence_level(confidence: float) -> str:
    """A confidence level with the decimals it needs, no more: 0.95 -> '95%', 0.975 -> '97.5%',
    0.999 -> '99.9%' (rounded to a whole percent, 99.9% read as '100%', certainty)."""
    percent = float(confidence) * 100
    digits = next(
        (d for d in range(4) if abs(round(percent, d) - percent) < 1e-9 * max(percent, 1)), 4
    )
    return formatting.percent(confidence, digits)


def _bound(upper: float | None, materiality: float | None) -> str:
    """An upper limit as `_rate` writes it, with more decimals only where two would read the
    same as the materiality it is judged against (`formatting.percent_against`)."""
    return formatting.percent_against(upper, materiality)


def _notes(notes: tuple[Note, ...], lang: str) -> str:
    return "".join(f"\n- {note.text(lang)}" for note in notes)


@dataclass(frozen=True)
class Plan:
    """A planned sample: `n` units, allowing for `expected_errors` errors (a sum of taints for Poisson).

    `upper` is the bound the sample gives if it holds exactly the expected errors; `tolerable_errors`
    the most errors it may hold and still meet materiality (the field team's stop line).
    """

    n: int
    expected_errors: float
    expected: float
    expected_is_rate: bool
    likelihood: str
    confidence: float
    materiality: float | None
    min_precision: float | None
    population_size: int | None
    prior: Prior | None
    upper: float
    most_likely: float
    tolerable_errors: float | None

    @property
    def precision(self) -> float:
        """Upper bound minus most likely error, with the expected errors."""
        return self.upper - self.most_likely

    def __repr__(self) -> str:
        kind = f"Bayesian, prior {self.prior}" if self.prior else "classical"
        target = f"materiality {_rate(self.materiality)}" if self.materiality else ""
        if self.min_precision:
            target += f"{', ' if target else ''}precision {_rate(self.min_precision)}"
        return (
            f"Plan(n={self.n}, expected_errors={formatting.compact(self.expected_errors)}, "
            f"{self.likelihood} {kind}, {confidence_level(self.confidence)} confidence, {target}; "
            f"upper bound {_bound(self.upper, self.materiality)} with the expected errors)"
        )

    def summary(self) -> dict[str, Any]:
        """The plan's figures: sample size, expected and tolerable errors, bounds, objectives."""
        return {
            "n": self.n,
            "likelihood": self.likelihood,
            "confidence": self.confidence,
            "materiality": self.materiality,
            "min_precision": self.min_precision,
            "expected": self.expected,
            "expected_errors": self.expected_errors,
            "tolerable_errors": self.tolerable_errors,
            "upper": self.upper,
            "most_likely": self.most_likely,
            "precision": self.precision,
            "population_size": self.population_size,
            "prior": None if self.prior is None else str(self.prior),
        }

    def explain(self, lang: str = "zh") -> str:
        """The plan in one sentence: the size, the bound it gives and the field team's stop line."""
        return i18n.text("sampling.explain.plan", lang).format(
            confidence=confidence_level(self.confidence),
            n=self.n,
            errors=formatting.compact(self.expected_errors),
            upper=_bound(self.upper, self.materiality),
            tolerable=formatting.compact(self.tolerable_errors),
        )

    def to_table(self, lang: str = "zh") -> pd.DataFrame:
        """The plan as a two-column table for reports."""
        expected = (
            _rate(self.expected) if self.expected_is_rate else formatting.compact(self.expected)
        )
        rows = [
            ("n", str(self.n)),
            ("likelihood", method_name(self.likelihood, lang)),
            ("confidence", confidence_level(self.confidence)),
            ("materiality", _rate(self.materiality)),
            ("expected", expected),
            ("expected_errors", formatting.compact(self.expected_errors)),
            ("tolerable_errors", formatting.compact(self.tolerable_errors)),
            ("upper", _bound(self.upper, self.materiality)),
            ("precision", _rate(self.precision)),
        ]
        if self.min_precision is not None:
            rows.insert(4, ("min_precision", _rate(self.min_precision)))
        if self.population_size is not None:
            rows.append(("population_size", formatting.count(self.population_size)))
        if self.prior is not None:
            rows.append(("prior", self.prior.describe(lang)))
        return item_table(rows, lang)

    def plot(self, lang: str = "zh") -> Figure:
        """The upper bound against sample size, with materiality and the planned n marked."""
        from auditkit.sampling.charts import plan_chart

        return plan_chart(self, lang)


@dataclass(frozen=True)
class Selection:
    """The selected rows (`sample`, with a `times` column) and how they were drawn.

    `interval` and `start` are in monetary units for value sampling and in rows for item sampling
    (None for random and sieve by items); `seed` reproduces the draw. Rows that monetary units cannot
    reach (zero or negative values) are in `set_aside`. Stratified draws list each stratum in `strata`.
    """

    sample: pd.DataFrame
    units: str
    method: str
    n: int
    seed: int
    values: str | None
    interval: float | None
    start: float | None
    population_size: int
    population_value: float | None
    set_aside: pd.DataFrame
    strata: pd.DataFrame | None = None
    strata_column: str | None = None
    notes: tuple[Note, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.sample)

    def __repr__(self) -> str:
        where = "" if self.interval is None else f", interval {self.interval:,.2f}"
        where += "" if self.start is None else f", start {self.start:,.2f}"
        return (
            f"Selection({len(self.sample)} rows for {self.n} units, {self.units} by {self.method}"
            f"{where}, seed {self.seed}; {len(self.set_aside)} rows set aside)"
        )

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>" + self.sample.head(20).to_html()

    def summary(self) -> dict[str, Any]:
        """How the sample was drawn: units, method, size, interval, seed, rows set aside, notes."""
        return {
            "units": self.units,
            "method": self.method,
            "n": self.n,
            "selected_rows": len(self.sample),
            "population_size": self.population_size,
            "population_value": self.population_value,
            "interval": self.interval,
            "start": self.start,
            "seed": self.seed,
            "set_aside": len(self.set_aside),
            "notes": [note.code for note in self.notes],
        }

    def explain(self, lang: str = "zh") -> str:
        """How the sample was drawn, in one sentence, then its notes."""
        sentence = i18n.text("sampling.explain.selection", lang).format(
            method=method_name(self.method, lang),
            population=int(self.population_size),
            n=self.n,
            rows=len(self.sample),
            seed=self.seed,
            aside=len(self.set_aside),
        )
        return sentence + _notes(self.notes, lang)

    def to_table(self, lang: str = "zh") -> pd.DataFrame:
        """How the sample was drawn, as a two-column table. Its size and value are of the rows
        that can be drawn (`population_size`, `population_value`): the population less the rows
        set aside, so they are labelled as such, not as the population's."""
        rows = [
            ("units", i18n.text(f"sampling.units.{self.units}", lang)),
            ("method", method_name(self.method, lang)),
            ("n", str(self.n)),
            ("selected_rows", str(len(self.sample))),
            ("drawable_size", formatting.count(self.population_size)),
            ("drawable_value", formatting.money(self.population_value)),
            ("interval", formatting.number(self.interval, 2)),
            ("start", formatting.number(self.start, 2)),
            ("seed", str(self.seed)),
            ("set_aside", formatting.count(len(self.set_aside))),
        ]
        return item_table(rows, lang)

    def plot(self, lang: str = "zh") -> Figure:
        """Where the sample falls among the population's values (or per stratum)."""
        from auditkit.sampling.charts import selection_chart

        return selection_chart(self, lang)


@dataclass(frozen=True)
class Evaluation:
    """What the inspected sample says about the population.

    Rates (`mle`, `upper`, `lower`) are fractions of items or of monetary units; `upper` and `lower`
    are one-sided bounds at `confidence`. `x` is the number of errors, or for monetary data the sum
    of taints in the direction evaluated. `conclusion` is True when the upper bound is below
    materiality, False when it is not, None without a materiality. `lta_net_upper` (Stringer with
    misstatements of the other direction) is the LTA net figure, shown for reference only: the
    conclusion never uses it. `differences` (difference, ratio, regression, mpu) counts the non-zero
    differences the t-bound rests on: below `MIN_DIFFERENCES` the bound is not trusted
    (`bound_reliable` False) and the conclusion is not_shown whatever the bound.
    """

    method: str
    confidence: float
    materiality: float | None
    n: int
    x: float
    mle: float
    upper: float
    lower: float | None
    p_value: float | None
    direction: str
    population_size: int | None = None
    population_value: float | None = None
    prior: Prior | None = None
    posterior: Prior | None = None
    bayes_factor: float | None = None
    posterior_probability: float | None = None
    strata: pd.DataFrame | None = None
    errors: pd.DataFrame | None = None
    notes: tuple[Note, ...] = field(default=())
    lta_net_upper: float | None = None
    differences: int | None = None

    @property
    def bound_reliable(self) -> bool:
        """Is the bound trusted? Not when a t-bound rests on fewer than MIN_DIFFERENCES differences."""
        return self.differences is None or self.differences >= MIN_DIFFERENCES

    @property
    def conclusion(self) -> bool | None:
        """Does the population meet materiality (a trusted upper bound below it)? None without
        materiality; False when the bound is not trusted (too few differences)."""
        if self.materiality is None:
            return None
        return self.bound_reliable and bool(self.upper < self.materiality)

    @property
    def conclusion_code(self) -> str:
        """The conclusion as a code: 'accepted', 'not_shown' or 'no_materiality'."""
        if self.conclusion is None:
            return "no_materiality"
        return "accepted" if self.conclusion else "not_shown"

    @property
    def precision(self) -> float:
        """Upper bound minus most likely error."""
        return self.upper - self.mle

    @property
    def projected_misstatement(self) -> float | None:
        """Most likely misstatement in yuan (rate times population value), when the value is known."""
        return None if self.population_value is None else self.mle * self.population_value

    @property
    def upper_misstatement(self) -> float | None:
        """Upper limit of misstatement in yuan, when the population value is known."""
        return None if self.population_value is None else self.upper * self.population_value

    @property
    def lower_misstatement(self) -> float | None:
        """Lower limit of misstatement in yuan, when defined and the population value is known."""
        if self.population_value is None or self.lower is None:
            return None
        return self.lower * self.population_value

    def __repr__(self) -> str:
        verdict = i18n.text(f"sampling.conclusion.{self.conclusion_code}", "en")
        money = (
            f", projected {formatting.money(self.projected_misstatement)} "
            f"(upper {formatting.money(self.upper_misstatement)})"
            if self.population_value is not None
            else ""
        )
        return (
            f"Evaluation({self.method}, n={self.n}, x={formatting.compact(self.x, 4)}, "
            f"mle {_rate(self.mle)}, upper {_bound(self.upper, self.materiality)} at "
            f"{confidence_level(self.confidence)}{money}: {verdict})"
        )

    def summary(self) -> dict[str, Any]:
        """The evaluation's figures: rates and bounds, money projected, the conclusion's code."""
        return {
            "method": self.method,
            "direction": self.direction,
            "n": self.n,
            "x": self.x,
            "confidence": self.confidence,
            "materiality": self.materiality,
            "mle": self.mle,
            "upper": self.upper,
            "lower": self.lower,
            "lta_net_upper": self.lta_net_upper,
            "differences": self.differences,
            "bound_reliable": self.bound_reliable,
            "precision": self.precision,
            "p_value": self.p_value,
            "bayes_factor": self.bayes_factor,
            "posterior_probability": self.posterior_probability,
            "population_size": self.population_size,
            "population_value": self.population_value,
            "projected_misstatement": self.projected_misstatement,
            "upper_misstatement": self.upper_misstatement,
            "conclusion": self.conclusion_code,
            "notes": [note.code for note in self.notes],
        }

    def to_table(self, lang: str = "zh") -> pd.DataFrame:
        """The evaluation as a two-column table for reports."""
        rows = [
            ("method", method_name(self.method, lang)),
            ("n", str(self.n)),
            ("x", formatting.compact(self.x, 4)),
            ("confidence", confidence_level(self.confidence)),
            ("materiality", _rate(self.materiality)),
            ("mle", _rate(self.mle)),
            ("upper", _bound(self.upper, self.materiality)),
            ("lower", _rate(self.lower)),
            ("precision", _rate(self.precision)),
        ]
        if self.lta_net_upper is not None:
            rows.insert(8, ("lta_net_upper", _bound(self.lta_net_upper, self.materiality)))
        if self.differences is not None:
            rows.insert(3, ("differences", str(self.differences)))
        if self.errors is not None:  # evaluated from book and audited values: a direction applies
            rows.insert(1, ("direction", i18n.text(f"sampling.direction.{self.direction}", lang)))
        if self.p_value is not None:
            rows.append(("common.p_value", formatting.p_value(self.p_value)))
        if self.posterior is not None:
            posterior = f"{self.posterior.family}({self.posterior.a:.4g}, {self.posterior.b:.4g})"
            rows += [
                ("prior", self.prior.describe(lang)),
                ("posterior", posterior),
                ("bayes_factor", formatting.compact(self.bayes_factor, 3)),
                ("posterior_probability", _rate(self.posterior_probability)),
            ]
        if self.population_value is not None:
            rows += [
                ("population_value", formatting.money(self.population_value)),
                ("projected", formatting.money(self.projected_misstatement)),
                ("upper_yuan", formatting.money(self.upper_misstatement)),
            ]
        elif self.population_size is not None:
            rows += [
                ("population_size", formatting.count(self.population_size)),
                ("projected_errors", formatting.compact(self.mle * self.population_size, 1)),
            ]
        rows.append(("conclusion", i18n.text(f"sampling.conclusion.{self.conclusion_code}", lang)))
        return item_table(rows, lang)

    def explain(self, lang: str = "zh") -> str:
        """The conclusion in plain words (markdown), for reviewers who did not run the analysis."""
        from auditkit.sampling.conclusion import conclusion_markdown

        return conclusion_markdown(self, lang)

    def plot(self, lang: str = "zh") -> Figure:
        """Most likely error and bounds against materiality (with prior and posterior if Bayesian)."""
        from auditkit.sampling.charts import evaluation_chart

        return evaluation_chart(self, lang)

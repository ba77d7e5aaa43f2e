"""The typed results of plan, select and evaluate: readable repr, summary() table and plot()."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from auditkit.sampling import text
from auditkit.sampling.priors import Prior

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _table(rows: list[tuple[str, str]], lang: str) -> pd.DataFrame:
    """A one-column table indexed by the item labels (reads well in notebooks and terminals)."""
    table = pd.DataFrame(rows, columns=[text.label("item", lang), text.label("value", lang)])
    return table.set_index(text.label("item", lang))


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
        target = f"materiality {text.pct(self.materiality)}" if self.materiality else ""
        if self.min_precision:
            target += f"{', ' if target else ''}precision {text.pct(self.min_precision)}"
        return (
            f"Plan(n={self.n}, expected_errors={text.number(self.expected_errors)}, "
            f"{self.likelihood} {kind}, {text.pct(self.confidence, 0)} confidence, {target}; "
            f"upper bound {text.pct(self.upper, 3)} with the expected errors)"
        )

    def summary(self, lang: str = "zh") -> pd.DataFrame:
        """The plan as a two-column table for reports."""
        expected = text.pct(self.expected) if self.expected_is_rate else text.number(self.expected)
        rows = [
            (text.label("n", lang), str(self.n)),
            (text.label("likelihood", lang), text.method_name(self.likelihood, lang)),
            (text.label("confidence", lang), text.pct(self.confidence, 0)),
            (text.label("materiality", lang), text.pct(self.materiality)),
            (text.label("expected", lang), expected),
            (text.label("expected_errors", lang), text.number(self.expected_errors)),
            (text.label("tolerable_errors", lang), text.number(self.tolerable_errors)),
            (text.label("upper", lang), text.pct(self.upper, 3)),
            (text.label("precision", lang), text.pct(self.precision)),
        ]
        if self.min_precision is not None:
            rows.insert(4, (text.label("min_precision", lang), text.pct(self.min_precision)))
        if self.population_size is not None:
            rows.append((text.label("population_size", lang), f"{self.population_size:,}"))
        if self.prior is not None:
            rows.append((text.label("prior", lang), str(self.prior)))
        return _table(rows, lang)

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
    notes: tuple[str, ...] = field(default=())

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

    def summary(self, lang: str = "zh") -> pd.DataFrame:
        """How the sample was drawn, as a two-column table."""
        rows = [
            (text.label("units", lang), text.pick(text.UNITS[self.units], lang)),
            (text.label("method", lang), text.method_name(self.method, lang)),
            (text.label("n", lang), str(self.n)),
            (text.label("selected_rows", lang), str(len(self.sample))),
            (text.label("population_size", lang), f"{self.population_size:,}"),
            (text.label("population_value", lang), text.yuan(self.population_value)),
            (
                text.label("interval", lang),
                "-" if self.interval is None else f"{self.interval:,.2f}",
            ),
            (text.label("start", lang), "-" if self.start is None else f"{self.start:,.2f}"),
            (text.label("seed", lang), str(self.seed)),
            (text.label("set_aside", lang), str(len(self.set_aside))),
        ]
        return _table(rows, lang)

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
    materiality, False when it is not, None without a materiality.
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
    notes: tuple[str, ...] = field(default=())

    @property
    def conclusion(self) -> bool | None:
        """Does the population meet materiality (upper bound below it)? None without materiality."""
        return None if self.materiality is None else bool(self.upper < self.materiality)

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
        verdict = text.CONCLUSIONS[self.conclusion][1]
        money = (
            f", projected {text.yuan(self.projected_misstatement)} "
            f"(upper {text.yuan(self.upper_misstatement)})"
            if self.population_value is not None
            else ""
        )
        return (
            f"Evaluation({self.method}, n={self.n}, x={text.number(self.x, 4)}, "
            f"mle {text.pct(self.mle)}, upper {text.pct(self.upper, 3)} at "
            f"{text.pct(self.confidence, 0)}{money}: {verdict})"
        )

    def summary(self, lang: str = "zh") -> pd.DataFrame:
        """The evaluation as a two-column table for reports."""
        rows = [
            (text.label("method", lang), text.method_name(self.method, lang)),
            (text.label("n", lang), str(self.n)),
            (text.label("x", lang), text.number(self.x, 4)),
            (text.label("confidence", lang), text.pct(self.confidence, 0)),
            (text.label("materiality", lang), text.pct(self.materiality)),
            (text.label("mle", lang), text.pct(self.mle)),
            (text.label("upper", lang), text.pct(self.upper, 3)),
            (text.label("lower", lang), text.pct(self.lower)),
            (text.label("precision", lang), text.pct(self.precision)),
        ]
        if self.errors is not None:  # evaluated from book and audited values: a direction applies
            rows.insert(
                1, (text.label("direction", lang), text.pick(text.DIRECTIONS[self.direction], lang))
            )
        if self.p_value is not None:
            rows.append((text.label("p_value", lang), f"{self.p_value:.4f}"))
        if self.posterior is not None:
            rows += [
                (text.label("prior", lang), str(self.prior)),
                (
                    text.label("posterior", lang),
                    f"{self.posterior.family}({self.posterior.a:.4g}, {self.posterior.b:.4g})",
                ),
                (text.label("bayes_factor", lang), text.number(self.bayes_factor, 3)),
                (text.label("posterior_probability", lang), text.pct(self.posterior_probability)),
            ]
        if self.population_value is not None:
            rows += [
                (text.label("population_value", lang), text.yuan(self.population_value)),
                (text.label("projected", lang), text.yuan(self.projected_misstatement)),
                (text.label("upper_yuan", lang), text.yuan(self.upper_misstatement)),
            ]
        elif self.population_size is not None:
            rows += [
                (text.label("population_size", lang), f"{self.population_size:,}"),
                (
                    text.label("projected_errors", lang),
                    text.number(self.mle * self.population_size, 1),
                ),
            ]
        rows.append(
            (text.label("conclusion", lang), text.pick(text.CONCLUSIONS[self.conclusion], lang))
        )
        return _table(rows, lang)

    def explain(self, lang: str = "zh") -> str:
        """The conclusion in plain words (markdown), for reviewers who did not run the analysis."""
        from auditkit.sampling.wording import conclusion_markdown

        return conclusion_markdown(self, lang)

    def plot(self, lang: str = "zh") -> Figure:
        """Most likely error and bounds against materiality (with prior and posterior if Bayesian)."""
        from auditkit.sampling.charts import evaluation_chart

        return evaluation_chart(self, lang)

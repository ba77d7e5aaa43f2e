"""evaluate(): what the inspected sample says about the misstatement in the whole population.

Misstatement is measured in the `direction` evaluated: "overstatement" takes book - audited as the
error (the bill higher than it should be), "understatement" audited - book (under-billing, lost
revenue). A row's taint is its error divided by its book value. Errors of the other sign are
misstatements of the other direction: they neither enlarge nor reduce the bound and the most likely
error of the attribute and Stringer methods (over-billing is refunded, it does not make up for
revenue lost); a note names them, with the Stringer methods' LTA net figure for reference only.

The default direction is under-billing (`DEFAULT_DIRECTION`) everywhere auditkit evaluates: a
marketing audit looks for revenue lost, and one default keeps the CLI, the notebook and a field
sheet (which records its direction) from drawing opposite conclusions from the same answers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from auditkit import formatting
from auditkit.checks import (
    choice,
    non_negative_number,
    optional_positive_int,
    optional_probability,
    positive_int,
    probability,
)
from auditkit.errors import ParameterError
from auditkit.options.sampling import (
    DEFAULT_DIRECTION,
    DIRECTIONS,
    SELECTION_METHODS,
    STRINGER_METHODS,
    VARIABLES_METHODS,
)
from auditkit.options.sampling import EVALUATION_METHODS as METHODS
from auditkit.sampling import likelihoods, stringer, variables
from auditkit.sampling.checks import numeric_column, stratum_labels
from auditkit.sampling.errors import SampleDataError
from auditkit.sampling.notes import Note
from auditkit.sampling.priors import Prior, bayes_factor, resolve_prior
from auditkit.sampling.results import Evaluation

DISTRIBUTION_METHODS = likelihoods.LIKELIHOODS
POOLING = ("none", "complete")
#: Yuan within which a stratum's sampled book values adding up to its value make it a census.
CENSUS_TOLERANCE = 0.005
#: The selection methods that hit every bill of the sampling interval J or more: the fixed
#: interval, and the sieve (which hits such a bill floor(value / J) times at least).
CERTAIN_ABOVE_INTERVAL = ("interval", "sieve")

Sizes = int | Mapping[str, int] | None
Values = float | Mapping[str, float] | None


def evaluate(
    materiality: float | None = None,
    method: str = "poisson",
    confidence: float = 0.95,
    x: float | None = None,
    n: int | None = None,
    population_size: Sizes = None,
    data: pd.DataFrame | None = None,
    book: str | None = None,
    audit: str | None = None,
    times: str | None = None,
    strata: str | None = None,
    prior: Prior | str | None = None,
    population_value: Values = None,
    direction: str = DEFAULT_DIRECTION,
    pooling: str = "none",
    selection_method: str | None = None,
    interval: Values = None,
) -> Evaluation:
    """Evaluate a sample from x errors in n units, or from `data` with book and audited values.

    Methods: binomial, poisson, hypergeometric (x errors, or the sum of taints), stringer and
    stringer.poisson (monetary units, LTA-corrected), mpu (mean taint per unit, t-bound), and the
    classical variables estimators direct, difference, ratio and regression (these need
    population_size and population_value). `prior` makes binomial, poisson and hypergeometric
    Bayesian. With `strata` (a column of `data`) each stratum is evaluated; population_size and
    population_value are then mappings per stratum, and `pooling` is "none" (strata combined:
    estimators add up, bounds add up conservatively) or "complete" (one sample, ignoring strata).

    `selection_method` names how the monetary units were selected ("interval", "cell", "random",
    "sieve"; None: not known). Only the fixed interval and the sieve are certain to hit a bill of
    the sampling interval J or more, so only with them do the Stringer methods count such a
    bill's misstatement as found (individually significant); otherwise, and by default, every
    taint is projected. `interval` is J (per stratum, a mapping): by default V / n for
    "interval"; the sieve's design interval (`Selection.interval`) must be given.
    """
    method = choice("method", method, METHODS)
    if selection_method is not None:
        choice("selection_method", selection_method, SELECTION_METHODS)
    settings = _Settings(
        method=method,
        materiality=optional_probability("materiality", materiality),
        confidence=probability("confidence", confidence),
        direction=choice("direction", direction, DIRECTIONS),
        prior=prior,
        selection_method=selection_method,
    )
    _check_interval(selection_method, interval)
    if prior is not None and method not in DISTRIBUTION_METHODS:
        raise ParameterError(
            "prior", "a prior only with binomial, poisson or hypergeometric", prior
        )
    if strata is not None:
        choice("pooling", pooling, POOLING)
        frame = _require_data(data, book, audit, method)
        return _stratified(
            settings,
            frame,
            _Columns(book, audit, times),
            strata,
            _StrataFigures(population_size, population_value, interval),
            pooling,
        )
    if any(isinstance(given, Mapping) for given in (population_size, population_value, interval)):
        raise ParameterError(
            "strata", "a strata column when sizes, values or intervals are given per stratum", None
        )
    size = optional_positive_int("population_size", population_size)
    value = _optional_value("population_value", population_value)
    design_interval = _optional_value("interval", interval)
    if data is None:
        if method not in DISTRIBUTION_METHODS:
            raise ParameterError(
                "data", f"a sample with book and audited values for method {method!r}", None
            )
        return _from_counts(settings, x, n, size, value)
    if x is not None or n is not None:
        raise ParameterError("x", "either x and n, or data; not both", x)
    frame = _require_data(data, book, audit, method)
    return _from_data(settings, frame, _Columns(book, audit, times), size, value, design_interval)


@dataclass(frozen=True)
class _Settings:
    method: str
    materiality: float | None
    confidence: float
    direction: str
    prior: Prior | str | None
    selection_method: str | None = None

    @property
    def sign(self) -> int:
        return 1 if self.direction == "overstatement" else -1


@dataclass(frozen=True)
class _Columns:
    """The columns of `data` holding the book value, the audited value and the hits (or None)."""

    book: str
    audit: str
    times: str | None


@dataclass(frozen=True)
class _StrataFigures:
    """The population's figures as given to `evaluate` with strata (each a mapping or None)."""

    sizes: Sizes
    values: Values
    intervals: Values


@dataclass(frozen=True)
class _Sample:
    """Book and audited values of the inspected rows, with their taints in the evaluated direction."""

    rows: pd.DataFrame
    book: np.ndarray
    audit: np.ndarray
    times: np.ndarray
    taints: np.ndarray

    @property
    def n(self) -> int:
        return int(self.times.sum())

    def expanded(self) -> np.ndarray:
        """One taint per sampling unit (a row hit k times counts k times)."""
        return np.repeat(self.taints, self.times)

    def errors_table(self) -> pd.DataFrame:
        """The misstated rows with their taint, largest first."""
        misstated = self.taints != 0
        table = self.rows[misstated].copy()
        table["taint"] = self.taints[misstated]
        return table.sort_values("taint", ascending=False, kind="stable")


def _optional_value(name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.number) or not value > 0:
        what = "a sampling interval" if name == "interval" else "a total book value"
        raise ParameterError(name, f"{what} above 0 (yuan)", value)
    return float(value)


def _check_interval(selection_method: str | None, interval: Values) -> None:
    """Refuse an interval for a design that does not hit every bill of it or more, and a sieve
    without its design interval (the units it drew vary around n, so V / n is not J)."""
    if interval is not None and selection_method not in CERTAIN_ABOVE_INTERVAL:
        raise ParameterError(
            "interval",
            "an interval only with selection_method 'interval' or 'sieve' (the designs certain to "
            "hit a bill of the interval or more)",
            interval,
        )
    if selection_method == "sieve" and interval is None:
        raise ParameterError(
            "interval", "the sieve's design interval J (Selection.interval) with it", None
        )


def _require_data(
    data: pd.DataFrame | None, book: str | None, audit: str | None, method: str
) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame) or data.empty:
        found = "a table with no rows" if isinstance(data, pd.DataFrame) else type(data).__name__
        raise ParameterError(
            "data", f"a table of inspected rows (pandas) for method {method!r}", found
        )
    for name, column in (("book", book), ("audit", audit)):
        if column is None:
            raise ParameterError(name, "the name of a column of data", None)
    return data


def _read_sample(
    settings: _Settings, frame: pd.DataFrame, book: str, audit: str, times: str | None
) -> _Sample:
    book_values = numeric_column(frame, book, "data").to_numpy()
    audit_values = numeric_column(frame, audit, "data").to_numpy()
    if times is None:
        counts = np.ones(len(frame), dtype=np.int64)
    else:
        counts_float = numeric_column(frame, times, "data").to_numpy()
        wrong = (counts_float < 1) | (counts_float != np.round(counts_float))
        if wrong.any():
            at = int(np.flatnonzero(wrong)[0])
            raise SampleDataError(
                f"data: column {times!r} must hold whole numbers of at least 1; row "
                f"{frame.index[at]!r} holds {float(counts_float[at])!r}"
            )
        counts = counts_float.astype(np.int64)
    not_positive = book_values <= 0
    if not_positive.any() and settings.method not in variables.ESTIMATORS:
        at = int(np.flatnonzero(not_positive)[0])
        raise SampleDataError(
            f"data: column {book!r} must be above 0 to compute taints (method {settings.method!r}); "
            f"row {frame.index[at]!r} holds {float(book_values[at])!r}. Evaluate such rows with a "
            "variables estimator"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        taints = np.where(
            book_values > 0, settings.sign * (book_values - audit_values) / book_values, 0.0
        )
    return _Sample(frame, book_values, audit_values, counts, taints)


def _from_counts(
    settings: _Settings, x: float | None, n: int | None, size: int | None, value: float | None
) -> Evaluation:
    if x is None or n is None:
        raise ParameterError(
            "x" if x is None else "n", "errors x and sample size n (or data)", None
        )
    n = positive_int("n", n)
    x = non_negative_number("x", x)
    if x > n:
        raise ParameterError("x", f"at most n = {n}", x)
    if size is not None and n == size:
        return _census_of_counts(settings, x, n, value)
    result = _distribution(settings, x, n, size, value, errors=None, notes=())
    return _within_book_value(settings, result, audited_not_negative=True)


def _census_of_counts(settings: _Settings, x: float, n: int, value: float | None) -> Evaluation:
    """Every one of the population's n items examined, x of them in error: the error rate is
    x / n exactly, with no sampling risk, so mle, upper and lower are that rate."""
    return Evaluation(
        method=settings.method,
        confidence=settings.confidence,
        materiality=settings.materiality,
        n=n,
        x=x,
        mle=x / n,
        upper=x / n,
        lower=x / n,
        p_value=None,
        direction=settings.direction,
        population_size=n,
        population_value=value,
        notes=(Note("census", {"rows": n}),),
    )


def _from_data(
    settings: _Settings,
    frame: pd.DataFrame,
    columns: _Columns,
    size: int | None,
    value: float | None,
    interval: float | None,
) -> Evaluation:
    book, audit, times = columns.book, columns.audit, columns.times
    if _examined_in_full(frame, book, times, size, value):
        return _census(settings, frame, book, audit, times, size, value)
    sample = _read_sample(settings, frame, book, audit, times)
    errors = sample.errors_table()
    method = settings.method
    if method in VARIABLES_METHODS:
        # These estimators work on signed differences: the other direction offsets, and is named.
        other = int(np.sum(settings.sign * (sample.book - sample.audit) < 0))
        net = (Note(f"net.{settings.direction}", {"rows": other}),) if other else ()
        if method == "mpu":
            return _mean_per_unit(settings, sample, size, value, errors, net)
        return _variables(settings, sample, size, value, errors, net)
    positive = np.clip(sample.expanded(), 0, None)
    opposite = np.clip(-sample.expanded(), 0, None)
    notes = []
    if np.any(sample.taints > 1):
        notes.append(Note("large_taints"))
    audited_not_negative = bool(np.all(sample.audit >= 0))
    if method in STRINGER_METHODS:
        certain = _certainty_interval(settings, sample, value, interval)
        result = _stringer(
            settings, sample, positive, opposite, size, value, certain, errors, notes
        )
        return _within_book_value(settings, result, audited_not_negative)
    if opposite.sum() > 0:
        notes.append(
            Note(
                f"opposite.{settings.direction}",
                {"taints": float(opposite.sum()), "method": method},
            )
        )
    result = _distribution(
        settings, float(positive.sum()), sample.n, size, value, errors, tuple(notes)
    )
    return _within_book_value(settings, result, audited_not_negative)


def _within_book_value(
    settings: _Settings, result: Evaluation, audited_not_negative: bool
) -> Evaluation:
    """Over-billing cannot exceed what was billed: with no audited value below 0, an upper limit
    of overstatement above 100% of the book value is that value, with a note (a one-unit stratum
    of 1,510 yuan was bounded at 2.9957 × 1,510 = 4,523.56 yuan)."""
    if settings.direction != "overstatement" or not audited_not_negative or result.upper <= 1:
        return result
    return _with(result, upper=1.0, notes=(*result.notes, Note("overstatement_capped")))


def _check_population(n: int, size: int | None) -> None:
    if size is not None and n > size:
        raise ParameterError("n", f"at most the population size {size}", n)


def _distribution(
    settings: _Settings,
    x: float,
    n: int,
    size: int | None,
    value: float | None,
    errors: pd.DataFrame | None,
    notes: tuple[Note, ...],
) -> Evaluation:
    method, conf, m = settings.method, settings.confidence, settings.materiality
    if method == "hypergeometric" and size is None:
        raise ParameterError(
            "population_size", "the number of items in the population (hypergeometric)", None
        )
    _check_population(n, size)
    if method == "hypergeometric" and not float(x).is_integer():
        notes = (
            *notes,
            Note("rounded", {"taints": x, "errors": math.ceil(x)}),
        )
    prior = resolve_prior(settings.prior, method, m, size)
    common = {
        "method": method,
        "confidence": conf,
        "materiality": m,
        "n": n,
        "x": x,
        "direction": settings.direction,
        "population_size": size,
        "population_value": value,
        "errors": errors,
        "notes": notes,
    }
    if prior is None:
        return Evaluation(
            mle=(math.ceil(x) if method == "hypergeometric" else x) / n,
            upper=likelihoods.upper_bound(method, x, n, conf, size),
            lower=likelihoods.lower_bound(method, x, n, conf, size),
            p_value=None if m is None else likelihoods.p_value(method, x, n, m, size),
            **common,
        )
    posterior = prior.update(x, n)
    factor = None if m is None else bayes_factor(prior, posterior, m)
    if factor is not None and math.isnan(factor):
        common["notes"] = (*notes, Note("bayes_factor_undefined", {"prior": prior}))
    return Evaluation(
        mle=posterior.mode(),
        upper=posterior.quantile(conf),
        lower=posterior.quantile(1 - conf),
        p_value=None,
        prior=prior,
        posterior=posterior,
        bayes_factor=factor,
        posterior_probability=None if m is None else posterior.probability_below(m),
        **common,
    )


def _stringer(
    settings: _Settings,
    sample: _Sample,
    positive: np.ndarray,
    opposite: np.ndarray,
    size: int | None,
    value: float | None,
    certain: float | None,
    errors: pd.DataFrame,
    notes: list[Note],
) -> Evaluation:
    """The Stringer bound, with the bills individually significant counted as found.

    When the selection is certain to hit every bill of the sampling interval J or more
    (`certain`, see `_certainty_interval`), such a bill's misstatement is known, not projected
    (AICPA Audit Sampling guide, monetary unit sampling), and counts once as found however often
    it was hit. The bound is that found misstatement plus the Stringer bound of the other bills'
    taints (its factors over all n units), as the guide adds them in yuan. Without `certain`
    every taint is projected: a random or cell selection may miss a large bill, or hit it several
    times, and its hits then stand for the bills like it.
    """
    n = sample.n
    factors = STRINGER_METHODS[settings.method]
    significant = _individually_significant(sample, certain)
    rest = np.repeat(sample.taints[~significant], sample.times[~significant])
    rest_positive = np.clip(rest, 0, None)
    misstated = settings.sign * (sample.book[significant] - sample.audit[significant])
    found = float(np.clip(misstated, 0, None).sum()) / value if significant.any() else 0.0
    found_other = float(np.clip(-misstated, 0, None).sum()) / value if significant.any() else 0.0
    upper = found + stringer.stringer_upper(
        rest_positive[rest_positive > 0], n, settings.confidence, factors
    )
    if significant.any():
        figures = {
            "rows": int(significant.sum()),
            "interval": formatting.money(certain),
            "found_yuan": formatting.money(found * value),
        }
        notes.append(Note("individually_significant", figures))
    net = None
    if opposite.sum() > 0:
        rest_opposite = np.clip(-rest, 0, None)
        net = max(
            stringer.lta_corrected(upper, rest_opposite[rest_opposite > 0], n) - found_other, 0.0
        )
        figures = {
            "taints": float(opposite.sum()),
            "gross": formatting.percent(upper, 2),
            "net": formatting.percent(net, 2),
        }
        notes.append(Note(f"lta.{settings.direction}", figures))
    return Evaluation(
        method=settings.method,
        confidence=settings.confidence,
        materiality=settings.materiality,
        n=n,
        x=float(positive.sum()),
        mle=found + float(rest_positive.sum()) / n,
        upper=upper,
        lta_net_upper=net,
        lower=None,
        p_value=None,
        direction=settings.direction,
        population_size=size,
        population_value=value,
        errors=errors,
        notes=tuple(notes),
    )


def _certainty_interval(
    settings: _Settings, sample: _Sample, value: float | None, interval: float | None
) -> float | None:
    """The interval J at or above which the selection was certain to hit a bill: the one given,
    or V / n for the fixed interval (its n units are J apart); None when the design hits no bill
    for certain (random, cell, or not known) or the population's value V is unknown (a bill's
    misstatement found is then no share of it)."""
    if settings.selection_method not in CERTAIN_ABOVE_INTERVAL or value is None:
        return None
    return interval if interval is not None else value / sample.n


def _individually_significant(sample: _Sample, interval: float | None) -> np.ndarray:
    """The sampled rows whose book value is at least the sampling interval J, to half a fen (a
    bill of 30,023.40 / 30 = 1,000.78 yuan is J, though the division gives 1,000.7800000000001);
    none when no interval makes a bill certain to be hit."""
    if interval is None:
        return np.zeros(len(sample.book), dtype=bool)
    return sample.book >= interval - CENSUS_TOLERANCE


def _mean_per_unit(
    settings: _Settings,
    sample: _Sample,
    size: int | None,
    value: float | None,
    errors: pd.DataFrame,
    notes: tuple[Note, ...],
) -> Evaluation:
    taints = sample.expanded()
    n = len(taints)
    if n < 2:
        raise ParameterError("n", "at least 2 units for the mean-per-unit estimator", n)
    _check_population(n, size)
    correction = 1.0 if size is None else math.sqrt(1 - n / size)
    mean = float(taints.mean())
    spread = float(taints.std(ddof=1)) / math.sqrt(n) * correction
    notes = notes if spread > 0 else (*notes, Note("no_variation"))
    result = _t_based(
        settings,
        mean,
        spread,
        n - 1,
        n,
        size,
        value,
        errors,
        notes,
        x=float(np.clip(taints, 0, None).sum()),
    )
    return _counting_differences(result, int(np.count_nonzero(taints)))


def _variables(
    settings: _Settings,
    sample: _Sample,
    size: int | None,
    value: float | None,
    errors: pd.DataFrame,
    notes: tuple[Note, ...],
) -> Evaluation:
    method = settings.method
    if size is None or value is None:
        raise ParameterError(
            "population_size" if size is None else "population_value",
            f"the population's item count and book total for method {method!r}",
            None,
        )
    if np.any(sample.times != 1):
        raise ParameterError(
            "times", "each item once (classical variables estimators sample items)", "repeats"
        )
    n = len(sample.book)
    least = 3 if method == "regression" else 2
    if n < least:
        raise ParameterError("n", f"at least {least} items for method {method!r}", n)
    _check_population(n, size)
    if method == "ratio" and sample.book.sum() == 0:
        raise SampleDataError("data: the ratio estimator needs book values that do not sum to 0")
    if method == "regression" and np.all(sample.book == sample.book[0]):
        raise SampleDataError("data: the regression estimator needs book values that differ")
    estimate = variables.estimate_total(method, sample.book, sample.audit, size, value)
    misstatement = settings.sign * (value - estimate.audited_total) + 0.0  # never -0.0
    result = _t_based(
        settings,
        misstatement / value,
        estimate.standard_error / value,
        estimate.degrees_of_freedom,
        n,
        size,
        value,
        errors,
        notes,
        x=float(np.clip(sample.taints, 0, None).sum()),
    )
    if method not in variables.ON_DIFFERENCES:
        return result
    return _counting_differences(result, int(np.count_nonzero(sample.audit != sample.book)))


def _counting_differences(result: Evaluation, differences: int) -> Evaluation:
    """The result with its count of non-zero differences, and a note when too few to trust."""
    notes = result.notes
    if differences < variables.MIN_DIFFERENCES:
        figures = {"found": differences, "least": variables.MIN_DIFFERENCES}
        notes = (*notes, Note("too_few_differences", {**figures, "method": result.method}))
    return _with(result, differences=differences, notes=notes)


def _t_based(
    settings: _Settings,
    mean: float,
    spread: float,
    degrees: float,
    n: int,
    size: int | None,
    value: float | None,
    errors: pd.DataFrame,
    notes: tuple[Note, ...],
    x: float,
) -> Evaluation:
    quantile = float(stats.t.ppf(settings.confidence, degrees))
    m = settings.materiality
    if m is None:
        p = None
    elif spread > 0:
        p = float(stats.t.cdf((mean - m) / spread, degrees))
    else:
        p = 0.0 if mean < m else 1.0
    return Evaluation(
        method=settings.method,
        confidence=settings.confidence,
        materiality=m,
        n=n,
        x=x,
        mle=mean,
        upper=mean + quantile * spread,
        lower=mean - quantile * spread,
        p_value=p,
        direction=settings.direction,
        population_size=size,
        population_value=value,
        errors=errors,
        notes=notes,
    )


def _stratified(
    settings: _Settings,
    frame: pd.DataFrame,
    columns: _Columns,
    column: str,
    figures: _StrataFigures,
    pooling: str,
) -> Evaluation:
    """Each stratum evaluated on its own figures, then combined (or the sample pooled, whose
    bills are then all projected: one interval over strata of different intervals makes no bill
    certain to be hit)."""
    sizes, values = figures.sizes, figures.values
    if column not in frame.columns:
        columns = ", ".join(map(str, frame.columns))
        raise ParameterError("strata", f"a column of the data ({columns})", column)
    labels = stratum_labels(frame, column, "data")
    names = sorted(labels.unique())
    per_size = _per_stratum("population_size", sizes, names)
    per_value = _per_stratum("population_value", values, names)
    per_interval = _per_stratum("interval", figures.intervals, names)
    _check_every_stratum_sampled(names, sizes, values)
    results = {}
    for name in names:
        part = frame[(labels == name).to_numpy()]
        size, value = per_size[name], per_value[name]
        try:
            results[name] = _from_data(settings, part, columns, size, value, per_interval[name])
        except ParameterError as error:
            if error.name != "n":
                raise
            raise ParameterError(
                "strata",
                f"{error.expected} in stratum {name!r}{_of_population(size, value)}, or every "
                "unit of it examined",
                error.found,
            ) from None
    table = _strata_table(results)
    total_size = None if None in per_size.values() else int(sum(per_size.values()))
    total_value = None if None in per_value.values() else float(sum(per_value.values()))
    if pooling == "complete":
        projected = replace(settings, selection_method=None)
        pooled = _from_data(projected, frame, columns, total_size, total_value, None)
        note = Note("complete_pooling")
        return _with(pooled, strata=table, notes=(*pooled.notes, note))
    return _combine(settings, results, table, total_size, total_value)


def _of_population(size: int | None, value: float | None) -> str:
    """' (of its N items, V yuan)': the stratum's population, as far as it is known."""
    known = [f"{size:,} items"] if size is not None else []
    known += [f"{formatting.money(value)} yuan"] if value is not None else []
    return f" (of its {', '.join(known)})" if known else ""


def _check_every_stratum_sampled(names: list[str], sizes: Sizes, values: Values) -> None:
    """Refuse strata of the population (keys of population_value or population_size) that have
    no sampled row: nothing bounds their misstatement (under-billing is not capped at the book
    value), and a verdict on the others would read as one on the whole population."""
    for name, given in (("population_value", values), ("population_size", sizes)):
        if not isinstance(given, Mapping):
            continue
        unsampled = [key for key in given if key not in names]
        if not unsampled:
            continue
        figures = [given[key] for key in given]
        if all(isinstance(f, int | float | np.number) and not isinstance(f, bool) for f in figures):
            total = float(sum(figures))
            shares = ", ".join(
                f"{key!r} ({formatting.percent(float(given[key]) / total)} of the {name})"
                for key in unsampled
            )
        else:
            shares = ", ".join(map(repr, unsampled))
        raise ParameterError(
            "data",
            f"sampled rows in every stratum of {name}, or {name} without the strata not sampled "
            "(the conclusion then covers only the strata given)",
            f"none in stratum {shares}",
        )


def _examined_in_full(
    part: pd.DataFrame, book: str, times: str | None, size: int | None, value: float | None
) -> bool:
    """Are all of a population's (or a stratum's) rows in the sample? Its row count equals its
    population_size, or its book values (all above 0) add up to its population_value (to half a
    fen). The latter only with `times`, each row then a distinct bill with its hits: without it
    a row may be one monetary unit and a bill hit twice two rows (two rows of 100 yuan drawn from
    200 yuan may be one bill), and repeated bills add up to no census.
    """
    if size is not None:
        return len(part) == size
    if value is None or times is None:
        return False
    amounts = numeric_column(part, book, "data").to_numpy()
    return bool(np.all(amounts > 0) and abs(float(amounts.sum()) - value) <= CENSUS_TOLERANCE)


def _census(
    settings: _Settings,
    frame: pd.DataFrame,
    book: str,
    audit: str,
    times: str | None,
    size: int | None,
    value: float | None,
) -> Evaluation:
    """A population or stratum whose every row was examined: its misstatement is known, with no
    sampling risk.

    The rate is the misstatement found over the stratum's value (over its rows when weighed by
    items): in the evaluated direction only, or net for the variables estimators and mpu (as
    they estimate); mle, upper and lower are that rate.
    """
    sample = _read_sample(settings, frame, book, audit, times)
    errors = settings.sign * (sample.book - sample.audit)
    if settings.method in VARIABLES_METHODS:
        found = float(errors.sum())
    else:
        found = float(np.clip(errors, 0, None).sum())
    if value is not None:
        rate = found / value
    elif settings.method in DISTRIBUTION_METHODS:
        rate = float(np.clip(sample.taints, 0, None).sum()) / size
    else:
        rate = found / float(sample.book.sum())
    return Evaluation(
        method=settings.method,
        confidence=settings.confidence,
        materiality=settings.materiality,
        n=sample.n,
        x=float(np.clip(sample.expanded(), 0, None).sum()),
        mle=rate,
        upper=rate,
        lower=rate,
        p_value=None,
        direction=settings.direction,
        population_size=size,
        population_value=value,
        errors=sample.errors_table(),
        notes=(Note("census", {"rows": len(frame)}),),
    )


def _per_stratum(name: str, given: Sizes | Values, strata: list[str]) -> dict[str, object]:
    if given is None:
        return dict.fromkeys(strata)
    if not isinstance(given, Mapping):
        raise ParameterError(
            name, "a mapping from stratum to its figure when evaluating by strata", given
        )
    missing = [stratum for stratum in strata if stratum not in given]
    if missing:
        found = f"none for {', '.join(map(repr, missing))}"
        other = [key for key in given if not isinstance(key, str)]
        if other:
            found += (
                f"; the strata column's labels are read as text ({', '.join(map(repr, strata))}) "
                f"but the keys given are {', '.join(map(repr, other))} "
                f"({', '.join(sorted({type(key).__name__ for key in other}))})"
            )
        raise ParameterError(
            name, "a figure for every stratum in the data, keyed by its label as text", found
        )
    if name == "population_size":
        return {stratum: optional_positive_int(name, given[stratum]) for stratum in strata}
    return {stratum: _optional_value(name, given[stratum]) for stratum in strata}


def _strata_table(results: dict[str, Evaluation]) -> pd.DataFrame:
    rows = [
        {
            "stratum": name,
            "n": result.n,
            "x": result.x,
            "mle": result.mle,
            "upper": result.upper,
            "lower": result.lower,
            "population_size": result.population_size,
            "population_value": result.population_value,
            "projected_misstatement": result.projected_misstatement,
            "upper_misstatement": result.upper_misstatement,
            "conclusion": result.conclusion,
        }
        for name, result in results.items()
    ]
    return pd.DataFrame(rows)


def _combine(
    settings: _Settings,
    results: dict[str, Evaluation],
    table: pd.DataFrame,
    total_size: int | None,
    total_value: float | None,
) -> Evaluation:
    monetary = settings.method not in DISTRIBUTION_METHODS or total_value is not None
    weights = table["population_value" if monetary else "population_size"]
    if weights.isna().any():
        raise ParameterError(
            "population_value" if monetary else "population_size",
            "a figure per stratum to combine the strata (or pooling='complete')",
            None,
        )
    share = weights.to_numpy(dtype=float) / float(weights.sum())
    if settings.method in variables.ESTIMATORS:
        return _combine_estimators(settings, results, table, share, total_size, total_value)
    lowers = table["lower"]
    notes = [Note("strata_added"), *_census_notes(results)]
    differences = _total_differences(results)
    return Evaluation(
        method=settings.method,
        confidence=settings.confidence,
        materiality=settings.materiality,
        n=int(table["n"].sum()),
        x=float(table["x"].sum()),
        mle=float(np.dot(share, table["mle"])),
        upper=float(np.dot(share, table["upper"])),
        lower=None if lowers.isna().any() else float(np.dot(share, lowers.astype(float))),
        p_value=None,
        direction=settings.direction,
        population_size=total_size,
        population_value=total_value,
        strata=table,
        errors=pd.concat([r.errors for r in results.values() if r.errors is not None]),
        notes=tuple(notes),
        differences=differences,
    )


def _combine_estimators(
    settings: _Settings,
    results: dict[str, Evaluation],
    table: pd.DataFrame,
    share: np.ndarray,
    total_size: int | None,
    total_value: float,
) -> Evaluation:
    """Stratified estimator: totals add up, variances add up, Satterthwaite degrees of freedom."""
    degrees_each = np.array([_degrees(r) for r in results.values()], dtype=float)
    widths = table["upper"].to_numpy(dtype=float) - table["mle"].to_numpy(dtype=float)
    varied = widths > 0  # a stratum examined in full (or without variation) adds no variance
    spreads = np.zeros(len(widths))
    spreads[varied] = widths[varied] / stats.t.ppf(settings.confidence, degrees_each[varied])
    variance_parts = (share * spreads) ** 2
    total_variance = float(variance_parts.sum())
    degrees = (
        total_variance**2 / float(np.sum(variance_parts[varied] ** 2 / degrees_each[varied]))
        if total_variance > 0
        else max(float(degrees_each.sum()), 1.0)
    )
    mean = float(np.dot(share, table["mle"]))
    errors = pd.concat([r.errors for r in results.values()])
    combined = _t_based(
        settings,
        mean,
        math.sqrt(total_variance),
        degrees,
        int(table["n"].sum()),
        total_size,
        total_value,
        errors,
        _census_notes(results),
        float(table["x"].sum()),
    )
    return _with(combined, strata=table, differences=_total_differences(results))


def _total_differences(results: dict[str, Evaluation]) -> int | None:
    """The differences the strata's t-bounds rest on, added up (None when none rests on any)."""
    counts = [r.differences for r in results.values() if r.differences is not None]
    return sum(counts) if counts else None


def _census_notes(results: dict[str, Evaluation]) -> tuple[Note, ...]:
    """A note naming the strata examined in full, when there are any."""
    examined = [name for name, r in results.items() if any(n.code == "census" for n in r.notes)]
    return (Note("census_strata", {"strata": examined}),) if examined else ()


def _degrees(result: Evaluation) -> int:
    return result.n - (2 if result.method == "regression" else 1)


def _with(result: Evaluation, **changes: object) -> Evaluation:
    return replace(result, **changes)

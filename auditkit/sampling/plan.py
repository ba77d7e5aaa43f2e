"""plan(): the smallest sample whose upper bound, with the errors expected, stays below materiality.

The search is exact: every n from 1 upwards is tried (in vectorised blocks), because rounding the
expected errors up makes the bound jump as n grows, so a bisection could skip the answer.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy import optimize, stats

from auditkit.checks import (
    choice,
    exact,
    non_negative_number,
    optional_positive_int,
    optional_probability,
    positive_int,
    probability,
)
from auditkit.errors import ParameterError
from auditkit.sampling import likelihoods
from auditkit.sampling.priors import Prior, resolve_prior
from auditkit.sampling.results import Plan

DEFAULT_MAX_N = 100_000
_FIRST_BLOCK = 128
_LARGEST_BLOCK = 8192


def plan(
    materiality: float | None,
    expected: float = 0,
    likelihood: str = "poisson",
    confidence: float = 0.95,
    population_size: int | None = None,
    min_precision: float | None = None,
    prior: Prior | str | None = None,
    max_n: int | None = None,
) -> Plan:
    """Plan a sample: the smallest n meeting materiality (and min_precision when given).

    `expected` below 1 is a rate (expected errors = rate * n), 1 or more a count of errors.
    Binomial and hypergeometric round the expected errors up in exact decimal arithmetic;
    Poisson keeps them fractional (a sum of taints). With `prior` the criterion is the posterior
    upper bound (Bayesian planning). Raises ParameterError when no n up to `max_n` qualifies.
    """
    likelihood = choice("likelihood", likelihood, likelihoods.LIKELIHOODS)
    materiality = optional_probability("materiality", materiality)
    min_precision = optional_probability("min_precision", min_precision)
    confidence = probability("confidence", confidence)
    population_size = optional_positive_int("population_size", population_size)
    expected_value = non_negative_number("expected", expected)
    if materiality is None and min_precision is None:
        raise ParameterError("materiality", "a materiality or a min_precision to plan for", None)
    is_rate = expected_value < 1
    if is_rate and materiality is not None and expected_value >= materiality:
        raise ParameterError(
            "expected", f"an expected rate below materiality {materiality:g}", expected
        )
    if likelihood == "hypergeometric" and population_size is None:
        raise ParameterError(
            "population_size", "the number of items in the population (hypergeometric)", None
        )
    resolved = resolve_prior(prior, likelihood, materiality, population_size)
    limit = _largest_n(max_n, population_size)
    search = _Search(likelihood, resolved, confidence, materiality, min_precision, population_size)
    found = _first_plan(search, expected_value, is_rate, limit)
    if found is not None:
        return found
    if population_size is not None and limit == population_size:
        raise ParameterError(
            "materiality",
            f"a plan reachable within the population of {limit} items (raise materiality or "
            "lower expected)",
            materiality,
        )
    raise ParameterError(
        "max_n",
        "a largest sample size under which the plan is reachable (raise it or materiality, or "
        "lower expected)",
        limit,
    )


def within_population(planned: Plan, population_size: int) -> Plan:
    """`planned` when it asks for no more items than the population's `population_size` (or is
    hypergeometric already), else the plan over that finite population: items are drawn without
    replacement, so a binomial or Poisson n above the population cannot be drawn. The
    hypergeometric plan with the same materiality, expected errors, confidence, precision and
    prior kind takes the smallest n up to the whole population; when even all of them would not
    meet the objectives with the errors expected, the plan is a census (n = the population),
    whose evaluation is exact."""
    population_size = positive_int("population_size", population_size)
    if planned.n <= population_size or planned.likelihood == "hypergeometric":
        return planned
    kind = None if planned.prior is None else planned.prior.kind or "default"
    prior = resolve_prior(kind, "hypergeometric", planned.materiality, population_size)
    search = _Search(
        "hypergeometric",
        prior,
        planned.confidence,
        planned.materiality,
        planned.min_precision,
        population_size,
    )
    is_rate = planned.expected_is_rate
    finite = _first_plan(search, planned.expected, is_rate, population_size)
    if finite is not None:
        return finite
    errors = likelihoods.expected_error_count(
        "hypergeometric", exact(planned.expected), population_size, is_rate
    )
    return _result(search, population_size, float(errors), planned.expected, is_rate)


def _first_plan(search: _Search, expected: float, is_rate: bool, limit: int) -> Plan | None:
    """The plan of the first n up to `limit` meeting the search's objectives, or None."""
    expected_exact = exact(expected)
    if search.likelihood == "hypergeometric" and search.min_precision is None:
        n = _first_by_error_count(search, expected_exact, is_rate, limit)
    else:
        n = _first_by_blocks(search, search.likelihood, expected_exact, is_rate, limit)
    if n is None:
        return None
    errors = likelihoods.expected_error_count(search.likelihood, expected_exact, n, is_rate)
    return _result(search, n, float(errors), expected, is_rate)


def _first_by_blocks(
    search: _Search, likelihood: str, expected: Fraction, is_rate: bool, limit: int
) -> int | None:
    """Try every n in growing vectorised blocks; the first that meets the objectives."""
    start, block = 1, _FIRST_BLOCK
    while start <= limit:
        ns = np.arange(start, min(start + block, limit + 1), dtype=np.int64)
        found = search.first(ns, _expected_counts(likelihood, expected, ns, is_rate))
        if found is not None:
            return int(ns[found])
        start, block = start + block, min(2 * block, _LARGEST_BLOCK)
    return None


def _first_by_error_count(
    search: _Search, expected: Fraction, is_rate: bool, limit: int
) -> int | None:
    """The first n meeting materiality, for likelihoods whose probabilities are costly (hypergeometric).

    The expected errors k(n) are a step function of n; while k stays the same, the chance of k or
    fewer errors only falls as n grows. So each run of n with the same k is checked at its end and,
    when that end qualifies, bisected for its first qualifying n.
    """

    def qualifies(n: int, errors: int) -> bool:
        return search.first(np.array([n]), np.array([float(errors)])) is not None

    for errors, first, last in _runs_of_equal_errors(expected, is_rate, limit):
        low = max(first, errors + 1)
        if low > last or not qualifies(last, errors):
            continue
        while low < last:
            middle = (low + last) // 2
            if qualifies(middle, errors):
                last = middle
            else:
                low = middle + 1
        return low
    return None


def _runs_of_equal_errors(expected: Fraction, is_rate: bool, limit: int):
    """(k, first n, last n) for each run of sample sizes whose expected whole errors are k."""
    if not is_rate or expected == 0:
        yield (math.ceil(expected) if not is_rate else 0), 1, limit
        return
    errors = 1
    while True:
        first = math.floor((errors - 1) / expected) + 1
        if first > limit:
            return
        yield errors, first, min(math.floor(errors / expected), limit)
        errors += 1


def _largest_n(max_n: int | None, population_size: int | None) -> int:
    limit = DEFAULT_MAX_N if max_n is None else positive_int("max_n", max_n)
    return min(limit, population_size) if population_size is not None else limit


def _expected_counts(
    likelihood: str, expected: Fraction, ns: np.ndarray, is_rate: bool
) -> np.ndarray:
    if not is_rate:
        count = expected if likelihood == "poisson" else Fraction(math.ceil(expected))
        return np.full(ns.shape, float(count))
    if likelihood == "poisson":
        return ns * expected.numerator / expected.denominator
    return (-((-expected.numerator * ns) // expected.denominator)).astype(float)


class _Search:
    """The planning criterion for one likelihood (and prior), evaluated on blocks of candidate n."""

    def __init__(
        self,
        likelihood: str,
        prior: Prior | None,
        confidence: float,
        materiality: float | None,
        min_precision: float | None,
        population_size: int | None,
    ) -> None:
        self.likelihood = likelihood
        self.prior = prior
        self.confidence = confidence
        self.materiality = materiality
        self.min_precision = min_precision
        self.population_size = population_size

    def first(self, ns: np.ndarray, ks: np.ndarray) -> int | None:
        """Index of the first candidate meeting every objective, or None."""
        ok = ks < ns
        if self.materiality is not None:
            ok &= self._below_materiality(ns, ks)
        for index in np.flatnonzero(ok):
            if (
                self.min_precision is None
                or self.precision(int(ns[index]), ks[index]) <= self.min_precision
            ):
                return int(index)
        return None

    def _below_materiality(self, ns: np.ndarray, ks: np.ndarray) -> np.ndarray:
        m, conf, alpha = self.materiality, self.confidence, 1 - self.confidence
        size, prior = self.population_size, self.prior
        with np.errstate(invalid="ignore", divide="ignore"):
            if prior is None and self.likelihood == "binomial":
                return (ks < ns) & (stats.binom.cdf(ks, ns, m) < alpha)
            if prior is None and self.likelihood == "poisson":
                return stats.gamma.cdf(ns * m, ks + 1) > conf
            if prior is None:
                bad = likelihoods.material_error_count(m, size)
                return stats.hypergeom.cdf(ks, size, bad, ns) <= alpha
            if prior.family == "beta":
                return stats.beta.cdf(m, prior.a + ks, prior.b + ns - ks) > conf
            if prior.family == "gamma":
                return stats.gamma.cdf(m, prior.a + ks, scale=1 / (prior.b + ns)) > conf
            bad = likelihoods.material_error_count(m, size)
            unseen = size - ns
            return (
                stats.betabinom.cdf(bad - 1 - ks, unseen, prior.a + ks, prior.b + ns - ks) >= conf
            )

    def upper(self, n: int, k: float) -> float:
        """Upper bound (classical) or posterior upper bound with k errors in n."""
        if self.prior is None:
            return likelihoods.upper_bound(
                self.likelihood, k, n, self.confidence, self.population_size
            )
        return self.prior.update(k, n).quantile(self.confidence)

    def most_likely(self, n: int, k: float) -> float:
        """k / n classically, the posterior mode with a prior."""
        if self.prior is None:
            return k / n
        return self.prior.update(k, n).mode()

    def precision(self, n: int, k: float) -> float:
        """Upper bound minus most likely error."""
        return self.upper(n, k) - self.most_likely(n, k)

    def tolerable_errors(self, n: int) -> float | None:
        """The most errors (or sum of taints, Poisson) the sample may hold and still meet materiality."""
        if self.materiality is None:
            return None
        if self.likelihood == "poisson":
            return self._tolerable_taints(n)

        def qualifies(errors: int) -> bool:
            return bool(self._below_materiality(np.array([n]), np.array([float(errors)]))[0])

        if not qualifies(0):
            return None
        return float(likelihoods.last_true(0, n - 1, qualifies))

    def _tolerable_taints(self, n: int) -> float | None:
        def gap(k: float) -> float:
            return self.upper(n, k) - self.materiality

        if gap(0.0) >= 0:
            return None
        high = 1.0
        while gap(high) < 0:
            high *= 2
        return math.floor(float(optimize.brentq(gap, 0.0, high)) * 100) / 100


def _result(search: _Search, n: int, errors: float, expected: float, is_rate: bool) -> Plan:
    upper = search.upper(n, errors)
    most_likely = search.most_likely(n, errors)
    return Plan(
        n=n,
        expected_errors=errors,
        expected=expected,
        expected_is_rate=is_rate,
        likelihood=search.likelihood,
        confidence=search.confidence,
        materiality=search.materiality,
        min_precision=search.min_precision,
        population_size=search.population_size,
        prior=search.prior,
        upper=upper,
        most_likely=most_likely,
        tolerable_errors=search.tolerable_errors(n),
    )

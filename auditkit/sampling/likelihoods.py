"""Classical (frequentist) bounds, p-values and most likely errors for x errors in n units.

Binomial and Poisson accept a fractional x (a sum of taints); the hypergeometric needs whole
errors and a population size. Upper and lower bounds are each one-sided at `confidence`, so
[lower, upper] is a (2 * confidence - 1) two-sided interval.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from numpy.typing import ArrayLike
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from auditkit.checks import ceil_fraction, exact
from auditkit.errors import ParameterError
from auditkit.options.sampling import LIKELIHOODS as LIKELIHOODS


def material_error_count(materiality: float, population_size: int) -> int:
    """The fewest population errors that reach materiality: ceil(materiality * N), exactly."""
    return ceil_fraction(exact(materiality) * population_size)


def clopper_pearson(x: ArrayLike, n: int, confidence: float) -> tuple[ArrayLike, ArrayLike]:
    """Clopper-Pearson (lower, upper) bounds, each one-sided at `confidence` (statsmodels' "beta").

    statsmodels puts alpha / 2 in each tail of its two-sided interval, so alpha = 2 * (1 - confidence)
    gives the audit's one-sided bounds: P(X <= x) = 1 - confidence at the upper, P(X >= x) at the lower.
    """
    return proportion_confint(x, n, alpha=2 * (1 - confidence), method="beta")


def binomial_upper(x: float, n: int, confidence: float) -> float:
    """Clopper-Pearson upper bound: the rate at which P(X <= x) = 1 - confidence."""
    return 1.0 if x >= n else float(clopper_pearson(x, n, confidence)[1])


def binomial_lower(x: float, n: int, confidence: float) -> float:
    """Clopper-Pearson lower bound: the rate at which P(X >= x) = 1 - confidence."""
    return 0.0 if x <= 0 else float(clopper_pearson(x, n, confidence)[0])


def poisson_upper(x: float, n: int, confidence: float) -> float:
    """Poisson (gamma) upper bound on the rate: the confidence quantile of Gamma(x + 1) over n."""
    return float(stats.gamma.ppf(confidence, x + 1)) / n


def poisson_lower(x: float, n: int, confidence: float) -> float:
    """Poisson (gamma) lower bound on the rate: the (1 - confidence) quantile of Gamma(x) over n."""
    if x <= 0:
        return 0.0
    return float(stats.gamma.ppf(1 - confidence, x)) / n


def hypergeometric_upper(x: int, n: int, population_size: int, confidence: float) -> float:
    """The largest error rate K / N under which x or fewer errors still have probability > 1 - confidence.

    P(X <= x | K) falls as K grows, so the largest such K is found by bisection.
    """
    alpha = 1 - confidence

    def still_possible(errors: int) -> bool:
        return bool(stats.hypergeom.cdf(x, population_size, errors, n) > alpha)

    largest = last_true(x, population_size - (n - x), still_possible)
    return largest / population_size


def hypergeometric_lower(x: int, n: int, population_size: int, confidence: float) -> float:
    """The smallest error rate K / N under which x or more errors still have probability > 1 - confidence."""
    if x <= 0:
        return 0.0
    alpha = 1 - confidence

    def ruled_out(errors: int) -> bool:
        return bool(stats.hypergeom.sf(x - 1, population_size, errors, n) <= alpha)

    return (last_true(x - 1, population_size - (n - x), ruled_out) + 1) / population_size


def last_true(low: int, high: int, holds: Callable[[int], bool]) -> int:
    """The largest k in [low, high] where the monotone (true, then false) `holds` is true; low if none."""
    if not holds(low):
        return low
    while low < high:
        middle = (low + high + 1) // 2
        if holds(middle):
            low = middle
        else:
            high = middle - 1
    return low


def upper_bound(
    likelihood: str, x: float, n: int, confidence: float, population_size: int | None = None
) -> float:
    """One-sided upper bound on the misstatement rate for the named likelihood."""
    if likelihood == "binomial":
        return binomial_upper(x, n, confidence)
    if likelihood == "poisson":
        return poisson_upper(x, n, confidence)
    return hypergeometric_upper(math.ceil(x), n, _require_size(population_size), confidence)


def lower_bound(
    likelihood: str, x: float, n: int, confidence: float, population_size: int | None = None
) -> float:
    """One-sided lower bound on the misstatement rate for the named likelihood."""
    if likelihood == "binomial":
        return binomial_lower(x, n, confidence)
    if likelihood == "poisson":
        return poisson_lower(x, n, confidence)
    return hypergeometric_lower(math.ceil(x), n, _require_size(population_size), confidence)


def p_value(
    likelihood: str, x: float, n: int, materiality: float, population_size: int | None = None
) -> float:
    """P(x or fewer errors | misstatement at materiality): small means the population is below it.

    For binomial and Poisson, p < 1 - confidence exactly when the upper bound is below materiality.
    """
    if likelihood == "binomial":
        return 1.0 if x >= n else float(stats.beta.sf(materiality, x + 1, n - x))
    if likelihood == "poisson":
        return float(stats.gamma.sf(n * materiality, x + 1))
    size = _require_size(population_size)
    return float(
        stats.hypergeom.cdf(math.ceil(x), size, material_error_count(materiality, size), n)
    )


def expected_error_count(likelihood: str, expected: Fraction, n: int, is_rate: bool) -> Fraction:
    """Errors the plan allows for in n units: rate * n (or the count), whole for binomial and
    hypergeometric (rounded up in exact arithmetic: 0.035 * 400 is 14, not 15), fractional for Poisson.
    """
    errors = expected * n if is_rate else expected
    return errors if likelihood == "poisson" else Fraction(ceil_fraction(errors))


def _require_size(population_size: int | None) -> int:
    if population_size is None:
        raise ParameterError(
            "population_size", "the number of items in the population (hypergeometric)", None
        )
    return population_size

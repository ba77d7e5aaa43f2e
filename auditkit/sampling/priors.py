"""Prior and posterior distributions of the misstatement rate, in closed form.

Three conjugate families, one per likelihood:
- beta(a, b) with the binomial: posterior beta(a + x, b + n - x);
- gamma(a, b) (shape, rate) with the Poisson: posterior gamma(a + x, b + n);
- beta-binomial(a, b) on the number of errors among N items with the hypergeometric: after x errors
  in n items the errors still unseen among the other N - n follow beta-binomial(N - n, a + x, b + n - x).
The rate reported for a beta-binomial is (errors seen + errors unseen) / N.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, replace

import numpy as np
from scipy import optimize, stats

from auditkit import i18n
from auditkit.checks import choice, positive_int, probability
from auditkit.errors import ParameterError
from auditkit.options.sampling import PRIORS
from auditkit.sampling.likelihoods import material_error_count

#: The largest log of a double: a Bayes factor beyond it is reported as infinite.
LOG_FLOAT_MAX = math.log(sys.float_info.max)
FAMILY_OF_LIKELIHOOD = {"binomial": "beta", "poisson": "gamma", "hypergeometric": "beta-binomial"}


@dataclass(frozen=True)
class Prior:
    """A beta, gamma or beta-binomial distribution of the misstatement rate (prior or posterior).

    `a` and `b` are the shape parameters (for gamma: shape and rate). For the beta-binomial,
    `population_size` is N, `seen_items` and `seen_errors` what the sample has already shown.
    `kind` names how it was chosen ("impartial"), worded in a reader's language by `describe`.
    """

    family: str
    a: float
    b: float
    population_size: int | None = None
    seen_items: int = 0
    seen_errors: int = 0
    description: str = ""
    kind: str = ""

    def __post_init__(self) -> None:
        choice("prior family", self.family, FAMILY_OF_LIKELIHOOD.values())
        for name, value in (("a", self.a), ("b", self.b)):
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ParameterError(f"prior {name}", "a number above 0", value)
        if self.family == "beta-binomial":
            positive_int("population_size", self.population_size)

    @classmethod
    def beta(cls, a: float = 1.0, b: float = 1.0) -> Prior:
        """Beta(a, b) prior for the binomial likelihood; beta(1, 1) is uniform on [0, 1]."""
        return cls("beta", float(a), float(b), description=f"beta({a:g}, {b:g})")

    @classmethod
    def gamma(cls, shape: float = 1.0, rate: float = 1.0) -> Prior:
        """Gamma(shape, rate) prior for the Poisson likelihood."""
        return cls("gamma", float(shape), float(rate), description=f"gamma({shape:g}, {rate:g})")

    @classmethod
    def beta_binomial(cls, a: float, b: float, population_size: int) -> Prior:
        """Beta-binomial(N, a, b) prior on the number of errors among N items (hypergeometric)."""
        size = positive_int("population_size", population_size)
        return cls(
            "beta-binomial",
            float(a),
            float(b),
            size,
            description=f"beta-binomial({size}, {a:g}, {b:g})",
        )

    @classmethod
    def default(cls, likelihood: str, population_size: int | None = None) -> Prior:
        """The customary vague prior: beta(1, 1), gamma(1, 1) or beta-binomial(N, 1, 1)."""
        family = FAMILY_OF_LIKELIHOOD[choice("likelihood", likelihood, FAMILY_OF_LIKELIHOOD)]
        if family == "beta":
            return cls.beta(1, 1)
        if family == "gamma":
            return cls.gamma(1, 1)
        return cls.beta_binomial(1, 1, _size_for_beta_binomial(population_size))

    @classmethod
    def impartial(
        cls, likelihood: str, materiality: float, population_size: int | None = None
    ) -> Prior:
        """A prior that gives materiality even odds: P(rate < materiality) = P(rate >= materiality) = 1/2.

        Closed form for beta(1, b): b = ln(1/2) / ln(1 - materiality); for gamma(1, b): b = ln 2 / materiality.
        The beta-binomial's b is found numerically.
        """
        materiality = probability("materiality", materiality)
        family = FAMILY_OF_LIKELIHOOD[choice("likelihood", likelihood, FAMILY_OF_LIKELIHOOD)]
        if family == "beta":
            b = math.log(0.5) / math.log1p(-materiality)
            return replace(cls.beta(1, b), description=f"beta(1, {b:.4g})", kind="impartial")
        if family == "gamma":
            b = math.log(2) / materiality
            return replace(cls.gamma(1, b), description=f"gamma(1, {b:.4g})", kind="impartial")
        size = _size_for_beta_binomial(population_size)

        def odds_gap(b: float) -> float:
            return cls.beta_binomial(1, b, size).probability_below(materiality) - 0.5

        b = float(optimize.brentq(odds_gap, 1e-6, 1e7))
        return replace(
            cls.beta_binomial(1, b, size),
            description=f"beta-binomial({size}, 1, {b:.4g})",
            kind="impartial",
        )

    @property
    def likelihood(self) -> str:
        """The likelihood this family is conjugate to."""
        return {family: name for name, family in FAMILY_OF_LIKELIHOOD.items()}[self.family]

    def update(self, x: float, n: int) -> Prior:
        """The posterior after x errors (or a sum of taints) in n units."""
        if self.family == "beta":
            return replace(self, a=self.a + x, b=self.b + n - x, description="posterior", kind="")
        if self.family == "gamma":
            return replace(self, a=self.a + x, b=self.b + n, description="posterior", kind="")
        whole = math.ceil(x)
        if self.seen_items + n > self._population_size():
            raise ParameterError("n", f"at most the population size {self.population_size}", n)
        return replace(
            self,
            a=self.a + whole,
            b=self.b + n - whole,
            seen_items=self.seen_items + n,
            seen_errors=self.seen_errors + whole,
            description="posterior",
            kind="",
        )

    def _population_size(self) -> int:
        return int(self.population_size or 0)

    def _unseen(self) -> int:
        return self._population_size() - self.seen_items

    def quantile(self, q: float) -> float:
        """The rate below which the distribution puts probability q."""
        if self.family == "beta":
            return float(stats.beta.ppf(q, self.a, self.b))
        if self.family == "gamma":
            return float(stats.gamma.ppf(q, self.a, scale=1 / self.b))
        unseen = float(stats.betabinom.ppf(q, self._unseen(), self.a, self.b))
        return (self.seen_errors + unseen) / self._population_size()

    def probability_below(self, materiality: float) -> float:
        """P(rate < materiality) under this distribution."""
        if self.family == "beta":
            return float(stats.beta.cdf(materiality, self.a, self.b))
        if self.family == "gamma":
            return float(stats.gamma.cdf(materiality, self.a, scale=1 / self.b))
        largest_below = material_error_count(materiality, self._population_size()) - 1
        return float(
            stats.betabinom.cdf(largest_below - self.seen_errors, self._unseen(), self.a, self.b)
        )

    def log_odds_below(self, materiality: float) -> float:
        """log P(rate < materiality) - log P(rate >= materiality), from the log cdf and log
        survival function so that odds near certainty (a strong prior) stay finite; +inf or -inf
        when one side has no probability at all in double precision."""
        if self.family == "beta":
            below = stats.beta.logcdf(materiality, self.a, self.b)
            above = stats.beta.logsf(materiality, self.a, self.b)
        elif self.family == "gamma":
            below = stats.gamma.logcdf(materiality, self.a, scale=1 / self.b)
            above = stats.gamma.logsf(materiality, self.a, scale=1 / self.b)
        else:
            largest = material_error_count(materiality, self._population_size()) - 1
            errors = largest - self.seen_errors
            below = stats.betabinom.logcdf(errors, self._unseen(), self.a, self.b)
            above = stats.betabinom.logsf(errors, self._unseen(), self.a, self.b)
        return float(below - above)

    def mode(self) -> float:
        """The most likely rate (the posterior mode is the Bayesian most likely error)."""
        if self.family == "beta":
            if self.a <= 1:
                return 0.0
            if self.b <= 1:
                return 1.0
            return (self.a - 1) / (self.a + self.b - 2)
        if self.family == "gamma":
            return max(self.a - 1, 0.0) / self.b
        support = np.arange(self._unseen() + 1)
        pmf = stats.betabinom.pmf(support, self._unseen(), self.a, self.b)
        return (self.seen_errors + int(support[int(np.argmax(pmf))])) / self._population_size()

    def mean(self) -> float:
        """The expected rate."""
        if self.family == "beta":
            return self.a / (self.a + self.b)
        if self.family == "gamma":
            return self.a / self.b
        unseen_mean = self._unseen() * self.a / (self.a + self.b)
        return (self.seen_errors + unseen_mean) / self._population_size()

    def density(self, rates: np.ndarray) -> np.ndarray:
        """Density (beta, gamma) or probability mass per rate step (beta-binomial) at `rates`."""
        if self.family == "beta":
            return stats.beta.pdf(rates, self.a, self.b)
        if self.family == "gamma":
            return stats.gamma.pdf(rates, self.a, scale=1 / self.b)
        unseen = np.round(rates * self._population_size()) - self.seen_errors
        return stats.betabinom.pmf(unseen, self._unseen(), self.a, self.b)

    def describe(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The distribution as a reader of `lang` sees it: how it was chosen in words (中立 for
        an impartial prior), its formula as mathematics writes it (gamma(1, 13.86))."""
        formula = self.description or f"{self.family}({self.a:g}, {self.b:g})"
        if not self.kind:
            return formula
        return i18n.text(f"sampling.prior.{self.kind}", lang).format(formula=formula)

    def __str__(self) -> str:
        return self.describe("en")


def bayes_factor(prior: Prior, posterior: Prior, materiality: float) -> float:
    """BF-+ : how much the data raise the odds that the rate is below materiality.

    (posterior odds) / (prior odds) of H-: rate < materiality against H+: rate >= materiality;
    above 1 favours an immaterial population. Computed from log odds, so a strong prior (odds of
    1e40) gives a finite factor. Infinite (or 0) when only the posterior leaves no doubt; NaN,
    undefined, when the prior itself leaves none: no data can change odds that are infinite.
    """
    prior_odds = prior.log_odds_below(materiality)
    if math.isinf(prior_odds) or math.isnan(prior_odds):
        return math.nan
    posterior_odds = posterior.log_odds_below(materiality)
    if math.isinf(posterior_odds):
        return math.inf if posterior_odds > 0 else 0.0
    difference = posterior_odds - prior_odds
    return math.inf if difference > LOG_FLOAT_MAX else math.exp(difference)


def resolve_prior(
    prior: Prior | str | None,
    likelihood: str,
    materiality: float | None,
    population_size: int | None,
) -> Prior | None:
    """Turn the `prior=` argument of plan and evaluate into a Prior matching the likelihood.

    Accepts a Prior, "default" or "impartial" (which needs materiality), or None (classical).
    """
    if prior is None:
        return None
    if isinstance(prior, str):
        choice("prior", prior, PRIORS)
        if prior == "default":
            return Prior.default(likelihood, population_size)
        if materiality is None:
            raise ParameterError("materiality", "a materiality for an impartial prior", None)
        return Prior.impartial(likelihood, materiality, population_size)
    if not isinstance(prior, Prior):
        raise ParameterError("prior", "a Prior, 'default', 'impartial' or None", prior)
    if prior.likelihood != likelihood:
        raise ParameterError(
            "prior",
            f"a {FAMILY_OF_LIKELIHOOD[likelihood]} prior for the {likelihood} likelihood",
            str(prior),
        )
    if prior.family == "beta-binomial" and population_size not in (None, prior.population_size):
        raise ParameterError(
            "population_size",
            f"the prior's population size {prior.population_size}",
            population_size,
        )
    return prior


def _size_for_beta_binomial(population_size: int | None) -> int:
    if population_size is None:
        raise ParameterError(
            "population_size", "the number of items in the population (beta-binomial prior)", None
        )
    return positive_int("population_size", population_size)

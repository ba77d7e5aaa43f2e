"""The Stringer bound for monetary-unit samples, with the LTA correction for understatements.

With overstatement taints t(1) >= t(2) >= ... >= t(k) (taint = misstatement / book value of the
monetary unit's row) in n monetary units, and u(j) the upper bound on the rate for j errors:

    upper = u(0) + sum_j [u(j) - u(j-1)] * t(j)

u(j) is the Clopper-Pearson (binomial) bound (statsmodels, one-sided at `confidence`), or the Poisson bound Gamma quantile(j + 1) / n.
Misstatements of the other direction (taints of the other sign) do not enter the sum and do not
reduce the bound: in a revenue audit over-billing is refunded to the customers, it does not make
up for revenue lost. The LTA correction (Leslie, Teitlebaum and Anderson, 1979), which subtracts
their most likely rate, is computed only as a figure shown for reference (`lta_net`).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from auditkit.sampling.likelihoods import clopper_pearson

FACTORS = ("binomial", "poisson")


def rate_factors(errors: int, n: int, confidence: float, factors: str) -> np.ndarray:
    """u(0), ..., u(errors): the upper bound on the rate for 0..errors errors in n units."""
    counts = np.arange(errors + 1)
    if factors == "poisson":
        return stats.gamma.ppf(confidence, counts + 1) / n
    inside = counts < n
    bounds = np.ones(errors + 1)
    bounds[inside] = clopper_pearson(counts[inside], n, confidence)[1]
    return bounds


def stringer_upper(taints: np.ndarray, n: int, confidence: float, factors: str) -> float:
    """Stringer upper bound on the overstatement rate from the (positive) taints of n units."""
    ordered = np.sort(np.asarray(taints, dtype=float))[::-1]
    bounds = rate_factors(len(ordered), n, confidence, factors)
    return float(bounds[0] + np.sum(np.diff(bounds) * ordered))


def lta_corrected(upper: float, understatement_taints: np.ndarray, n: int) -> float:
    """The LTA net figure: the bound less the most likely rate of the other direction, for reference.

    Each taint of the other direction counts at most 1 (a monetary unit cannot be more than wholly
    misstated), and the figure is never below 0. It is not a bound on the evaluated direction:
    auditkit shows it beside the conclusion and never draws the conclusion from it.
    """
    offset = float(np.sum(np.minimum(np.abs(understatement_taints), 1.0))) / n
    return max(upper - offset, 0.0)

"""Classical variables estimators of the audited total from a simple random sample of items.

With N items in the population, book total B, and in a sample of n items book values b, audited
values a and errors d = a - b (f = n / N, s the sample standard deviation):
- direct (mean per unit):  A = N * mean(a),                        se = N sqrt((1-f)/n) s(a)
- difference:              A = B + N * mean(d),                    se = N sqrt((1-f)/n) s(d)
- ratio:                   A = B * sum(a) / sum(b),                se = N sqrt((1-f)/n) s(a - R b)
- regression:              A = N mean(a) + beta (B - N mean(b)),   se = N sqrt((1-f)/n) s_e,
  with beta the least-squares slope of a on b and s_e^2 = sum(residual^2) / (n - 2).
Bounds use Student's t with n - 1 degrees of freedom (n - 2 for regression).
The per-unit `mpu` estimator works on taints instead and is in evaluate.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditkit.options.sampling import ESTIMATORS as ESTIMATORS

#: Methods whose t-bound rests on the differences (errors, or taints for mpu) found in the sample.
ON_DIFFERENCES = ("difference", "ratio", "regression", "mpu")
#: Non-zero differences a sample needs before those bounds are trusted. With few differences
#: their standard error is estimated from a handful of values (none at all: 0, a bound equal
#: to the estimate) and the t-bound falls far short of its confidence (Kaplan 1973; Neter and
#: Loebbecke 1975, whose simulations of accounting populations with low error rates found the
#: difference and ratio bounds covering far less often than stated). 20 is auditkit's threshold.
MIN_DIFFERENCES = 20


@dataclass(frozen=True)
class TotalEstimate:
    """An estimate of the population's audited total with its standard error."""

    audited_total: float
    standard_error: float
    degrees_of_freedom: float


def estimate_total(
    method: str, book: np.ndarray, audit: np.ndarray, population_size: int, book_total: float
) -> TotalEstimate:
    """Estimate the audited total of the population with the named estimator."""
    n = len(book)
    scale = population_size * np.sqrt((1 - n / population_size) / n)
    if method == "direct":
        return TotalEstimate(population_size * audit.mean(), scale * audit.std(ddof=1), n - 1)
    if method == "difference":
        errors = audit - book
        return TotalEstimate(
            book_total + population_size * errors.mean(), scale * errors.std(ddof=1), n - 1
        )
    if method == "ratio":
        ratio = audit.sum() / book.sum()
        residuals = audit - ratio * book
        spread = np.sqrt(np.sum(residuals**2) / (n - 1))
        return TotalEstimate(book_total * ratio, scale * spread, n - 1)
    centred_book = book - book.mean()
    slope = float(np.sum(centred_book * (audit - audit.mean())) / np.sum(centred_book**2))
    residuals = audit - audit.mean() - slope * centred_book
    spread = np.sqrt(np.sum(residuals**2) / (n - 2))
    total = population_size * audit.mean() + slope * (book_total - population_size * book.mean())
    return TotalEstimate(total, scale * spread, n - 2)

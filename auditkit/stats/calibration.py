"""Calibration shared by the theft scores: a change-point z turned into a single-test z.

The best of many candidate change points is always large on pure noise; `sidak_score` turns its z
back into the z of a single test (Sidak correction), and `autocorrelation_inflation` widens a
segment mean's error for autocorrelated noise (AR(1) long-run variance).
"""

from __future__ import annotations

import numpy as np

#: Lowest reported score; stronger rises than that are all alike for theft.
SCORE_FLOOR = -10.0
MAX_AUTOCORRELATION = 0.9


def autocorrelation_inflation(residual: np.ndarray) -> np.ndarray:
    """sqrt((1 + r) / (1 - r)) from each row's lag-one autocorrelation r (floored at 0): how much
    wider a segment mean's error is under AR(1) noise than under independent noise."""
    lagged = (residual[:, 1:] * residual[:, :-1]).sum(axis=1)
    energy = np.maximum((residual**2).sum(axis=1), 1e-12)
    rho = np.clip(lagged / energy, 0.0, MAX_AUTOCORRELATION)
    return np.sqrt((1 + rho) / (1 - rho))


def sidak_score(z: np.ndarray, tries: np.ndarray) -> np.ndarray:
    """The z of the best of `tries` candidate change points, turned back into a single-test z.

    p = 1 - (1 - P(Z > z))^tries, computed in log space so extreme scores stay finite.
    """
    from scipy import special

    with np.errstate(divide="ignore", invalid="ignore"):
        log_tail = special.log_ndtr(-z)
        log_p = np.where(
            log_tail < -20,
            np.log(tries) + log_tail,
            np.log(-np.expm1(tries * np.log1p(-np.exp(log_tail)))),
        )
        score = -special.ndtri_exp(np.minimum(log_p, 0.0))
    return np.clip(np.nan_to_num(score, nan=SCORE_FLOOR, neginf=SCORE_FLOOR), SCORE_FLOOR, None)

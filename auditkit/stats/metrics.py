"""Ranking metrics of the theft-detection literature: ROC AUC and MAP@N.

Both judge a score only by the order it puts customers in, which is how inspectors use it: the top
of the list is visited first.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from auditkit.errors import ParameterError


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve: the chance a random positive outranks a random negative.

    Ties count one half (Mann-Whitney U / (n_pos * n_neg)).
    """
    positive, score = _check(labels, scores)
    n_positive = int(positive.sum())
    n_negative = positive.size - n_positive
    if n_positive == 0 or n_negative == 0:
        raise ParameterError(
            "labels", "both positive and negative labels", f"{n_positive} positive"
        )
    ranks = stats.rankdata(score)
    u_statistic = ranks[positive].sum() - n_positive * (n_positive + 1) / 2
    return float(u_statistic / (n_positive * n_negative))


def map_at_n(labels: np.ndarray, scores: np.ndarray, n: int) -> float:
    """Mean average precision at N (Zheng et al. 2018): mean of precision@k over the positions k
    of the true positives among the N highest scores; 0 when the top N holds none.

    Ties are broken against the detector (negatives first), so equal scores earn no credit.
    """
    positive, score = _check(labels, scores)
    if n < 1:
        raise ParameterError("n", "a positive number of top-ranked customers", n)
    order = np.lexsort((positive, -score))[:n]
    hits = positive[order]
    if not hits.any():
        return 0.0
    positions = np.flatnonzero(hits) + 1
    precision_at_hits = np.arange(1, positions.size + 1) / positions
    return float(precision_at_hits.mean())


def _check(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    positive = np.asarray(labels, dtype=bool)
    score = np.asarray(scores, dtype=float)
    if positive.shape != score.shape or positive.ndim != 1:
        raise ParameterError("scores", f"one score per label ({positive.shape})", score.shape)
    if np.isnan(score).any():
        raise ParameterError("scores", "no missing scores", f"{int(np.isnan(score).sum())} NaN")
    return positive, score

"""A rule's confirmed precision: the share of its checked findings the field confirmed, with an
exact (Clopper-Pearson) interval, on every check and on random-sample checks alone.

Checks chosen by revenue, score or severity look at a rule's strongest findings, so their
confirmed share overstates the rule's precision; only the findings a worklist drew at random
(`selected_by == 'sample'`) estimate it without that bias. Both are kept, labelled apart, and a
rule whose precision on every check lies above its sample interval is marked `overstated`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PRECISION_COLUMNS = (
    "rule_id",
    "checked",
    "confirmed",
    "precision",
    "ci_low",
    "ci_high",
    "sample_checked",
    "sample_confirmed",
    "sample_precision",
    "sample_low",
    "sample_high",
    "note",
)
#: Note of a rule without a random-sample check: its precision rests on chosen checks alone.
NO_SAMPLE = "no_sample"
#: Note of a rule whose precision on every check lies above its random-sample interval.
OVERSTATED = "overstated"


def confirmed_share(
    confirmed: pd.Series | np.ndarray, checked: pd.Series | np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The confirmed share of each count of checks and its exact (Clopper-Pearson) interval at
    `confidence`; NaN where nothing was checked."""
    from statsmodels.stats.proportion import proportion_confint

    hits = np.asarray(confirmed, dtype=float)
    trials = np.asarray(checked, dtype=float)
    some = trials > 0
    low, high = proportion_confint(
        hits, np.where(some, trials, 1.0), alpha=1 - confidence, method="beta"
    )
    share = np.where(some, hits / np.where(some, trials, 1.0), np.nan)
    return share, np.where(some, low, np.nan), np.where(some, high, np.nan)


def precision_by_rule(states: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Per rule with a check in the window (columns PRECISION_COLUMNS, rules in id order): the
    confirmed share of every check and of random-sample checks, each with its interval."""
    checked = states[states["checked"]]
    counts = checked.groupby("rule_id", sort=True)[
        ["checked", "confirmed", "sample_checked", "sample_confirmed"]
    ].sum()
    table = counts.reset_index()
    table["precision"], table["ci_low"], table["ci_high"] = confirmed_share(
        table["confirmed"], table["checked"], confidence
    )
    table["sample_precision"], table["sample_low"], table["sample_high"] = confirmed_share(
        table["sample_confirmed"], table["sample_checked"], confidence
    )
    table["note"] = np.select(
        [table["sample_checked"] == 0, table["precision"] > table["sample_high"]],
        [NO_SAMPLE, OVERSTATED],
        "",
    )
    return table.reindex(columns=list(PRECISION_COLUMNS)).astype(
        {name: np.int64 for name in PRECISION_COLUMNS[1:3] + PRECISION_COLUMNS[6:8]}
    )

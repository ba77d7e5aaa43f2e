"""Synthetic energy-theft attacks (Jokar et al. 2016, h1-h6) injected into real or synthetic reads.

Labelled theft is rare, so detectors are measured the way the theft literature does: take series
believed honest, tamper with a random share of customers from a random start to the end of the
series, and see how well a score ranks the tampered customers first. Running this on a utility's
own reads measures `theft_scores` on series it was never tuned on.

For each attacked customer, readings x_t from the start onwards become
  h1: a * x_t, one a ~ U(0.1, 0.8)                (scaled down)
  h2: 0 over a window of at least `min_duration` steps from the start, x_t after it (zeroed)
  h3: b_t * x_t, b_t ~ U(0.1, 0.8) per reading    (random per-reading factors)
  h4: b_t * mean(x), b_t ~ U(0.1, 0.8)            (reduced and flattened)
  h5: mean(x)                                     (flattened; same total energy)
  h6: x in reverse order                          (reversed; same total energy)
where mean(x) is over the attacked steps. h5 and h6 steal nothing under a flat tariff and only
matter under time-of-use prices; they are kept so that reports show what a drop score cannot see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditkit.errors import ParameterError
from auditkit.stats.requirements import ColumnError, InsufficientDataError, require_columns

ATTACKS: tuple[str, ...] = ("h1", "h2", "h3", "h4", "h5", "h6")
ENERGY_REDUCING: tuple[str, ...] = ("h1", "h2", "h3", "h4")
#: Default (history before the start, shortest attack) in steps, by frequency.
DEFAULT_WINDOWS = {"period": (12, 3), "date": (60, 14)}


@dataclass(frozen=True)
class InjectedAttacks:
    """Tampered reads (same columns and row order as the input) and one label row per customer.

    `labels` columns: customer_id, attacked (bool), attack (h1..h6 or ""), start (the first
    tampered period or date, or missing for honest customers).
    """

    reads: pd.DataFrame
    labels: pd.DataFrame


def inject_attacks(
    reads: pd.DataFrame,
    fraction: float = 0.1,
    seed: int = 0,
    attacks: Sequence[str] = ATTACKS,
    min_history: int | None = None,
    min_duration: int | None = None,
    value: str = "kwh",
) -> InjectedAttacks:
    """Tamper with a random `fraction` of customers, each with one attack drawn from `attacks`.

    The start of each attack is uniform over the customer's own readings, leaving at least
    `min_history` readings before it and `min_duration` from it (defaults: 12 and 3 for monthly
    reads, 60 and 14 for daily). Customers with too few readings are never attacked.
    """
    require_columns(reads, ["customer_id", value], "reads")
    time_column = next((c for c in ("period", "date") if c in reads.columns), None)
    if time_column is None:
        raise ColumnError(
            "reads", ["period"], map(str, reads.columns), hint="or 'date' for daily reads"
        )
    if not 0 < fraction < 1:
        raise ParameterError("fraction", "a share between 0 and 1", fraction)
    unknown = sorted(set(attacks) - set(ATTACKS))
    if unknown or not attacks:
        raise ParameterError("attacks", f"a non-empty selection of {ATTACKS}", list(attacks))
    default_history, default_duration = DEFAULT_WINDOWS[time_column]
    min_history = default_history if min_history is None else min_history
    min_duration = default_duration if min_duration is None else min_duration
    if min_history < 1 or min_duration < 1:
        raise ParameterError("min_history/min_duration", "at least 1", (min_history, min_duration))

    rng = np.random.default_rng(seed)
    order = np.lexsort((reads[time_column].to_numpy(), reads["customer_id"].to_numpy()))
    ordered = reads.iloc[order]
    customer_codes, customers = pd.factorize(ordered["customer_id"], sort=True)
    counts = np.bincount(customer_codes, minlength=len(customers))
    first_row = np.concatenate([[0], np.cumsum(counts)[:-1]])
    eligible = np.flatnonzero(counts >= min_history + min_duration)
    chosen_count = round(fraction * len(customers))
    if chosen_count == 0 or chosen_count > len(eligible):
        raise InsufficientDataError(
            f"inject_attacks: expected at least {max(chosen_count, 1)} customers with "
            f"{min_history + min_duration} readings or more, found {len(eligible)}"
        )
    chosen = np.sort(rng.choice(eligible, size=chosen_count, replace=False))
    kind = rng.choice(np.asarray(attacks), size=chosen_count)
    start = rng.integers(min_history, counts[chosen] - min_duration + 1)
    end = counts[chosen].copy()  # exclusive, position within the customer's readings
    zeroed = kind == "h2"
    end[zeroed] = start[zeroed] + rng.integers(
        min_duration, counts[chosen][zeroed] - start[zeroed] + 1
    )

    kwh = pd.to_numeric(ordered[value], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    tampered = kwh.copy()
    for customer, attack, begin, stop in zip(chosen, kind, start, end, strict=True):
        rows = slice(first_row[customer] + begin, first_row[customer] + stop)
        tampered[rows] = _tamper(attack, kwh[rows], rng)

    result = reads.copy()
    restored = np.empty_like(tampered)
    restored[order] = tampered
    result[value] = restored
    time_values = ordered[time_column].to_numpy()
    start_labels = np.full(len(customers), None, dtype=object)
    start_labels[chosen] = time_values[first_row[chosen] + start]
    attack_labels = np.full(len(customers), "", dtype=object)
    attack_labels[chosen] = kind
    labels = pd.DataFrame(
        {
            "customer_id": customers,
            "attacked": np.isin(np.arange(len(customers)), chosen),
            "attack": attack_labels.astype(str),
            "start": start_labels,
        }
    )
    return InjectedAttacks(reads=result, labels=labels)


def _tamper(attack: str, window: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The readings `window` after attack `attack` (see the module docstring)."""
    if attack == "h1":
        return window * rng.uniform(0.1, 0.8)
    if attack == "h2":
        return np.zeros_like(window)
    if attack == "h3":
        return window * rng.uniform(0.1, 0.8, window.size)
    if attack == "h6":
        return window[::-1].copy()
    mean = np.nanmean(window) if np.isfinite(window).any() else 0.0
    if attack == "h4":
        return mean * rng.uniform(0.1, 0.8, window.size)
    return np.full_like(window, mean)

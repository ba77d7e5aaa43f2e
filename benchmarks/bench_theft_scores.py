"""Benchmark of `auditkit.stats.theft_scores`: ranking quality on injected attacks, and speed.

Builds seasonal synthetic consumption (monthly bills and daily smart-meter reads) with the mess real
series have (customer-specific seasonality, trends, autocorrelated noise, weather shared by a usage
type, honest customers whose consumption legitimately changes or who leave their home empty for a
while, missing readings), injects Jokar et al. (2016) h1-h6 attacks from a random start into 10 % of
customers (`auditkit.stats.attacks`), and prints AUC and MAP@N overall and per attack, then the time
`theft_scores` takes on a large monthly table.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_theft_scores.py            # full run
    PYTHONPATH=. .venv/bin/python benchmarks/bench_theft_scores.py --quick    # smaller, ~1 min

The generator's seed differs from any seed used while the score was designed; change `--seed` to
check the figures do not hinge on one draw.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from auditkit.stats import theft_scores
from auditkit.stats.attacks import ATTACKS, ENERGY_REDUCING, inject_attacks
from auditkit.stats.metrics import map_at_n, roc_auc

USAGE_TYPES = ("residential", "commercial", "industrial", "agricultural", "public")
USAGE_SHARES = (0.70, 0.15, 0.08, 0.04, 0.03)
#: Median monthly kWh and its log spread, by usage type.
LEVELS = {
    "residential": (150, 0.6),
    "commercial": (2_000, 1.0),
    "industrial": (30_000, 1.2),
    "agricultural": (800, 1.0),
    "public": (1_500, 0.8),
}
#: Log seasonal shape by month of year (January first), by usage type.
SEASONAL_SHAPES = {
    "residential": [0.25, 0.15, -0.05, -0.15, -0.10, 0.10, 0.35, 0.35, 0.05, -0.15, -0.05, 0.20],
    "commercial": [0.00, -0.20, -0.05, -0.05, 0.05, 0.20, 0.30, 0.30, 0.10, -0.05, -0.05, 0.00],
    "industrial": [0.00, -0.30, 0.05, 0.05, 0.05, 0.00, -0.05, -0.05, 0.05, 0.05, 0.05, 0.10],
    "agricultural": [-0.60, -0.50, 0.00, 0.50, 0.80, 0.80, 0.60, 0.50, 0.10, -0.30, -0.50, -0.60],
    "public": [0.10, 0.05, 0.00, -0.05, -0.05, 0.05, 0.10, 0.10, 0.00, -0.05, 0.00, 0.10],
}
#: Log weekday effect (Monday first), by usage type, for daily reads.
WEEKLY_SHAPES = {
    "residential": [0.0, 0.0, 0.0, 0.0, 0.0, 0.10, 0.12],
    "commercial": [0.0, 0.0, 0.0, 0.0, 0.05, 0.15, 0.10],
    "industrial": [0.05, 0.05, 0.05, 0.05, 0.05, -0.30, -0.50],
    "agricultural": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    "public": [0.05, 0.05, 0.05, 0.05, 0.05, -0.25, -0.30],
}


def synthetic_reads(customers: int, steps: int, daily: bool, seed: int) -> pd.DataFrame:
    """Honest consumption of `customers` over `steps` months (or days): customer_id, period|date, kwh."""
    rng = np.random.default_rng(seed)
    usage = rng.choice(len(USAGE_TYPES), size=customers, p=USAGE_SHARES)
    median, spread = (np.array([LEVELS[USAGE_TYPES[u]][i] for u in usage]) for i in (0, 1))
    level = np.log(median) + spread * rng.standard_normal(customers)
    if daily:
        level -= np.log(30.4)
        start = pd.Timestamp("2023-01-01")
        times = pd.date_range(start, periods=steps, freq="D")
        month = times.month.to_numpy() - 1
        years = np.arange(steps) / 365.25
    else:
        times = pd.period_range("2021-01", periods=steps, freq="M")
        month = times.month.to_numpy() - 1
        years = np.arange(steps) / 12
    shapes = np.array([SEASONAL_SHAPES[name] for name in USAGE_TYPES])
    amplitude = rng.uniform(0.3, 1.7, customers)[:, None]
    own_shape = rng.normal(0, 0.08, (customers, 12))
    log_kwh = level[:, None] + amplitude * shapes[usage][:, month] + own_shape[:, month]
    log_kwh += rng.normal(0, 0.08, customers)[:, None] * years[None, :]

    # Weather: one shock per step, shared by a usage type with a customer-specific sensitivity.
    weather_rho, weather_sigma = (0.8, 0.08) if daily else (0.3, 0.05)
    weather = _ar1(rng, len(USAGE_TYPES), steps, weather_rho, weather_sigma)
    log_kwh += rng.uniform(0.5, 1.5, customers)[:, None] * weather[usage]
    noise_sigma = (
        rng.uniform(0.10, 0.35, customers) if daily else rng.uniform(0.04, 0.20, customers)
    )
    noise = _ar1(rng, customers, steps, rng.uniform(0.0, 0.6, customers), noise_sigma)
    log_kwh += noise
    if daily:
        weekly = np.array([WEEKLY_SHAPES[name] for name in USAGE_TYPES])
        log_kwh += weekly[usage][:, times.day_of_week.to_numpy()]
        festival = (times >= "2023-01-20") & (times < "2023-01-30")
        log_kwh[:, festival] += np.array([0.1, -0.4, -0.8, 0.0, -0.3])[usage][:, None]

    kwh = np.exp(log_kwh)
    _honest_changes(rng, kwh, usage, min_length=60 if daily else 2)
    kwh[rng.random(kwh.shape) < 0.01] = np.nan
    ids = np.array([f"C{i:07d}" for i in range(customers)])
    return pd.DataFrame(
        {
            "customer_id": np.repeat(ids, steps),
            "date" if daily else "period": np.tile(
                times if daily else times.strftime("%Y-%m"), customers
            ),
            "kwh": np.round(kwh.ravel(), 2),
        }
    )


def _ar1(
    rng: np.random.Generator,
    rows: int,
    steps: int,
    rho: np.ndarray | float,
    sigma: np.ndarray | float,
) -> np.ndarray:
    """Stationary AR(1) paths, one per row, with lag-one correlation `rho` and sd `sigma`."""
    rho = np.broadcast_to(np.asarray(rho, float), (rows,))[:, None]
    sigma = np.broadcast_to(np.asarray(sigma, float), (rows,))[:, None]
    shocks = rng.standard_normal((rows, steps)) * sigma * np.sqrt(1 - rho**2)
    path = np.empty((rows, steps))
    path[:, 0] = rng.standard_normal(rows) * sigma[:, 0]
    for step in range(1, steps):
        path[:, step] = rho[:, 0] * path[:, step - 1] + shocks[:, step]
    return path


def _honest_changes(
    rng: np.random.Generator, kwh: np.ndarray, usage: np.ndarray, min_length: int
) -> None:
    """Hard negatives, in place: 4 % permanent level changes (up or down), 2 % of homes left
    empty for a while, 1 % one-off spikes."""
    customers, steps = kwh.shape
    shifted = rng.random(customers) < 0.04
    for row in np.flatnonzero(shifted):
        kwh[row, rng.integers(1, steps) :] *= np.exp(rng.normal(0, 0.4))
    vacant = (rng.random(customers) < 0.02) & (usage == 0)
    for row in np.flatnonzero(vacant):
        begin = rng.integers(0, steps - min_length)
        length = rng.integers(min_length, min(3 * min_length, steps - begin) + 1)
        kwh[row, begin : begin + length] *= 0.05
    spiked = rng.random(kwh.shape) < 0.01 / steps * 12
    kwh[spiked] *= rng.uniform(2, 5, int(spiked.sum()))


def detection_quality(reads: pd.DataFrame, seed: int, top_n: int) -> pd.DataFrame:
    """AUC and MAP@N of theft_scores on `reads` with 10 % of customers attacked."""
    injected = inject_attacks(reads, fraction=0.1, seed=seed)
    started = time.perf_counter()
    scores = theft_scores(injected.reads)
    elapsed = time.perf_counter() - started
    merged = injected.labels.merge(scores[["customer_id", "score"]], on="customer_id")
    honest = merged[~merged["attacked"]]
    rows = []
    selections = {"all h1-h6": ATTACKS, "energy-reducing h1-h4": ENERGY_REDUCING}
    selections |= {attack: (attack,) for attack in ATTACKS}
    for name, attacks in selections.items():
        subset = pd.concat([honest, merged[merged["attack"].isin(attacks)]])
        rows.append(
            {
                "attacks": name,
                "positives": int(subset["attacked"].sum()),
                "AUC": roc_auc(subset["attacked"], subset["score"]),
                f"MAP@{top_n}": map_at_n(subset["attacked"], subset["score"], top_n),
            }
        )
    result = pd.DataFrame(rows)
    result.attrs["seconds"] = elapsed
    result.attrs["honest_above_3"] = float((honest["score"] > 3).mean())
    result.attrs["attacked_above_3"] = float((merged.loc[merged["attacked"], "score"] > 3).mean())
    return result


def time_large_monthly(customers: int, seed: int) -> float:
    """Seconds theft_scores takes on `customers` x 36 monthly bills."""
    reads = synthetic_reads(customers, 36, daily=False, seed=seed)
    started = time.perf_counter()
    theft_scores(reads)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--quick", action="store_true", help="smaller series, about a minute")
    args = parser.parse_args()
    customers = 4_000 if args.quick else 20_000
    top_n = 100 if args.quick else 500
    for label, steps, daily in (("monthly, 36 months", 36, False), ("daily, 365 days", 365, True)):
        reads = synthetic_reads(customers, steps, daily, args.seed)
        result = detection_quality(reads, args.seed + 1, top_n)
        print(f"\n== {label}: {customers} customers, 10 % attacked (seed {args.seed}) ==")
        print(result.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        print(
            f"score > 3: {result.attrs['honest_above_3']:.2%} of honest customers, "
            f"{result.attrs['attacked_above_3']:.2%} of attacked; "
            f"theft_scores took {result.attrs['seconds']:.2f} s"
        )
    large = 20_000 if args.quick else 200_000
    seconds = time_large_monthly(large, args.seed)
    print(f"\ntheft_scores on {large} customers x 36 months: {seconds:.2f} s")


if __name__ == "__main__":
    main()

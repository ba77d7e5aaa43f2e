"""Timing of audit-sampling planning: one case (target < 50 ms) and the full AICPA tables (< 5 s).

Run: PYTHONPATH=. python benchmarks/bench_sampling.py
Prints the figures; it asserts nothing, so a slow machine reports instead of failing.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd

from auditkit.sampling import evaluate, plan, select

EXPECTED = [i / 400 for i in range(17)] + [0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.125, 0.15, 0.175]
TOLERABLE = [0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.15, 0.20]
MUS_TOLERABLE = [0.5, 0.3, 0.1, 0.08, 0.06, 0.05, 0.04, 0.03, 0.02, 0.01, 0.005]
MUS_ROWS = [
    (risk, ratio) for risk in (0.05, 0.10, 0.15, 0.20, 0.25) for ratio in (0, 0.2, 0.3, 0.4, 0.5)
] + [(risk, ratio) for risk in (0.30, 0.35, 0.50) for ratio in (0, 0.2, 0.4, 0.6)]
SINGLE_CASES = {
    "binomial 5% / 1% at 95%": {"materiality": 0.05, "expected": 0.01, "likelihood": "binomial"},
    "binomial 2% / 1.25% at 95% (n = 1030)": {
        "materiality": 0.02,
        "expected": 0.0125,
        "likelihood": "binomial",
    },
    "poisson 0.5% / 0.25% at 95% (n = 2308)": {
        "materiality": 0.005,
        "expected": 0.0025,
        "likelihood": "poisson",
    },
    "hypergeometric N = 20,000, 1% / 0.6%": {
        "materiality": 0.01,
        "expected": 0.006,
        "likelihood": "hypergeometric",
        "population_size": 20_000,
    },
    "beta-binomial prior N = 20,000, 5% / 3% at 99%": {
        "materiality": 0.05,
        "expected": 0.03,
        "likelihood": "hypergeometric",
        "population_size": 20_000,
        "confidence": 0.99,
        "prior": "default",
    },
    "binomial, impartial beta prior, 5% / 1%": {
        "materiality": 0.05,
        "expected": 0.01,
        "likelihood": "binomial",
        "prior": "impartial",
    },
}


def seconds(action, repeat: int = 7) -> float:
    """Median wall time of `action` over `repeat` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def full_tables() -> int:
    cells = 0
    for confidence in (0.95, 0.90):
        for tolerable in TOLERABLE:
            for expected in EXPECTED:
                if expected < tolerable:
                    plan(tolerable, expected, likelihood="binomial", confidence=confidence)
                    cells += 1
    for risk, ratio in MUS_ROWS:
        for tolerable in MUS_TOLERABLE:
            plan(tolerable, ratio * tolerable, likelihood="poisson", confidence=1 - risk)
            cells += 1
    return cells


def main() -> None:
    plan(0.05, 0.01, likelihood="binomial")  # warm the imports
    print("single planning cases (median of 7):")
    for name, arguments in SINGLE_CASES.items():
        print(f"  {name:52s} {seconds(lambda a=arguments: plan(**a)) * 1000:8.1f} ms")
    started = time.perf_counter()
    cells = full_tables()
    print(
        f"full AICPA tables A-1, A-2 and C-1 ({cells} cells): {time.perf_counter() - started:.2f} s"
    )
    rng = np.random.default_rng(1)
    bills = pd.DataFrame({"amount": rng.lognormal(6, 1.5, 1_000_000)})
    print(
        f"select 400 monetary units from 1,000,000 bills: {seconds(lambda: select(bills, 400, units='values', values='amount', seed=1), 3) * 1000:.1f} ms"
    )
    sample = pd.DataFrame(
        {"book": np.full(2000, 100.0), "audit": np.r_[np.full(40, 60.0), np.full(1960, 100.0)]}
    )
    print(
        f"stringer.poisson on 2,000 units with 40 errors: {seconds(lambda: evaluate(0.05, 'stringer.poisson', data=sample, book='book', audit='audit')) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()

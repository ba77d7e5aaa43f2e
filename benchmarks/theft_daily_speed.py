"""Speed and memory of `theft_scores` on daily reads at utility scale (the matrix entry point).

    PYTHONPATH=. /usr/bin/time -v .venv/bin/python benchmarks/theft_daily_speed.py --days 728

Scores a customers x days matrix of lognormal homes with a yearly season (two years: every
customer against its year before; one year: against its own days before the change; both with
its peers) through `stats.theft.score_daily_shifts`, the entry point `theft_scores` calls after
pivoting the long table. Reports the seconds and which test gave the scores above 3; read the
peak memory from `time -v` ("Maximum resident set size").
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from auditkit.stats.theft import score_daily_shifts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=728)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    season = np.cos(2 * np.pi * np.arange(args.days) / 364)
    values = np.empty((args.customers, args.days))
    for start in range(0, args.customers, 10_000):
        rows = slice(start, min(start + 10_000, args.customers))
        count = rows.stop - rows.start
        values[rows] = np.exp(
            rng.normal(2.5, 0.5, (count, 1))
            + rng.uniform(0, 0.5, (count, 1)) * season
            + rng.normal(0, 0.2, (count, args.days))
        )
    values[rng.random(values.shape) < 0.005] = np.nan
    groups = np.arange(args.customers) % 20
    started = time.perf_counter()
    shifts, reasons = score_daily_shifts(values, 0.2, groups)
    seconds = time.perf_counter() - started
    above = shifts.score > 3
    signals = ", ".join(
        f"{name} {np.count_nonzero(reasons.signal[above] == name)}"
        for name in np.unique(reasons.signal)
    )
    print(
        f"{args.customers} customers x {args.days} days: {seconds:.1f} s; "
        f"{reasons.year_before.mean():.0%} against the year before, "
        f"{above.mean():.2%} above 3 ({signals})"
    )


if __name__ == "__main__":
    main()

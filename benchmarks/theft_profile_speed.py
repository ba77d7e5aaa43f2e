"""Speed and memory of the within-day profile test (`stats.theft_profile`) at utility scale.

    PYTHONPATH=. /usr/bin/time -v .venv/bin/python benchmarks/theft_profile_speed.py
    PYTHONPATH=. /usr/bin/time -v .venv/bin/python benchmarks/theft_profile_speed.py --with-daily
    PYTHONPATH=. /usr/bin/time -v .venv/bin/python benchmarks/theft_profile_speed.py --days 728

Scores 100,000 customers x 365 days x 24 hours (876 M hourly reads) without ever holding them:
the hours are generated in blocks of `--block` customers, each block from its own seed (so the
same block can be generated again), and `theft_profile.score_profiles` reads one block at a time.
Each customer has its own weekday and weekend shape (a base load, a morning and an evening peak of
its own hours and sizes), a yearly season, day-to-day and hour-to-hour noise (lognormal, sd 0.2),
and 1 % of them an h5 (days flattened to their mean) and 1 % an h6 (hours reversed) from a day of
the second half of the year. `--with-daily` scores the daily totals first
(`theft.score_daily_shifts`) and combines both (`theft.add_profile_scores`), as `theft_scores`
does with interval reads. One year of reads has no year before: the flatness is tested against
the own days before the change and the mirror (h6) is not tested; `--days 728` runs both tests
against the same season a year before. The seconds printed leave out the generation (timed
apart); read the peak memory from `time -v` ("Maximum resident set size").
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator

import numpy as np

from auditkit.stats.theft import add_profile_scores, score_daily_shifts
from auditkit.stats.theft_profile import SHAPES, score_profiles

ATTACK_SHARE = 0.01


class Hours:
    """The synthetic hours, block by block, and the seconds spent generating them."""

    def __init__(self, customers: int, days: int, block: int, seed: int) -> None:
        self.customers, self.days, self.block, self.seed = customers, days, block, seed
        self.seconds = 0.0

    def blocks(self) -> Iterator[np.ndarray]:
        """Consecutive blocks of customers x days x 24 hours of kWh."""
        for start in range(0, self.customers, self.block):
            began = time.perf_counter()
            hours = self._block(start, min(start + self.block, self.customers) - start)
            self.seconds += time.perf_counter() - began
            yield hours

    def attacked(self) -> tuple[np.ndarray, np.ndarray]:
        """Rows attacked with h5 and with h6 (every block attacks the same positions)."""
        rows = np.arange(self.customers) % self.block
        count = max(1, round(ATTACK_SHARE * self.block))
        return rows < count, (rows >= count) & (rows < 2 * count)

    def _block(self, start: int, count: int) -> np.ndarray:
        rng = np.random.default_rng([self.seed, start])
        hour = np.arange(24)
        shapes = []
        for _ in ("weekday", "weekend"):
            morning = rng.uniform(6, 10, (count, 1))
            evening = rng.uniform(17, 22, (count, 1))
            shape = (
                0.3
                + rng.uniform(0.2, 1.5, (count, 1)) * np.exp(-0.5 * ((hour - morning) / 1.5) ** 2)
                + rng.uniform(0.5, 2.5, (count, 1)) * np.exp(-0.5 * ((hour - evening) / 2.0) ** 2)
            )
            shapes.append(shape / shape.sum(axis=1, keepdims=True))
        weekend = (np.arange(self.days) % 7) >= 5
        profile = np.where(weekend[None, :, None], shapes[1][:, None], shapes[0][:, None])
        season = np.cos(2 * np.pi * np.arange(self.days) / 364)
        level = np.exp(
            rng.normal(2.5, 0.5, (count, 1))
            + rng.uniform(0, 0.5, (count, 1)) * season
            + rng.normal(0, 0.2, (count, self.days))
        )
        hours = level[:, :, None] * profile
        hours *= np.exp(rng.normal(0, 0.2, hours.shape))
        flat_rows, reversed_rows = self.attacked()
        first = rng.integers(self.days // 2, self.days - 28, count)
        for row in range(count):
            tail = hours[row, first[row] :]
            if flat_rows[start + row]:
                tail[:] = tail.mean(axis=1, keepdims=True)
            elif reversed_rows[start + row]:
                tail[:] = tail[:, ::-1].copy()
        return hours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--block", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--with-daily", action="store_true")
    args = parser.parse_args()
    hours = Hours(args.customers, args.days, args.block, args.seed)
    weekend = (np.arange(args.days) % 7) >= 5
    groups = np.arange(args.customers) % 20
    flat_rows, reversed_rows = hours.attacked()
    if args.with_daily:
        daily = np.concatenate([block.sum(axis=2) for block in hours.blocks()])
        hours.seconds = 0.0
        started = time.perf_counter()
        shifts, reasons = score_daily_shifts(daily, 0.2, groups)
        shifts, reasons, profile = add_profile_scores(
            shifts, reasons, hours.blocks(), weekend, groups
        )
        score = shifts.score
        decided = np.count_nonzero(reasons.signal == "profile")
    else:
        started = time.perf_counter()
        profile = score_profiles(hours.blocks(), weekend, groups)
        score = profile.score
        decided = len(score)
    seconds = time.perf_counter() - started - hours.seconds
    honest = ~(flat_rows | reversed_rows)
    print(
        f"{args.customers} customers x {args.days} days x 24 hours: {seconds:.1f} s scoring "
        f"(+ {hours.seconds:.1f} s generating the hours); profile decides {decided} scores; "
        f"above 3: h5 {np.mean(score[flat_rows] > 3):.1%} "
        f"({np.mean(profile.shape[flat_rows] == SHAPES.index('flat')):.0%} as flat), "
        f"h6 {np.mean(score[reversed_rows] > 3):.1%} "
        f"({np.mean(profile.shape[reversed_rows] == SHAPES.index('reversed')):.0%} as reversed), "
        f"honest {np.mean(score[honest] > 3):.2%}"
    )


if __name__ == "__main__":
    main()

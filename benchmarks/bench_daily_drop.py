"""Benchmark of `consumption_drop` with `source: daily_reads`: precision, recall, days dated, speed.

Generates the synthetic utility with a year of daily reads (`auditkit.synth`, `daily_days=365`),
runs `consumption_drop` on it with `source: daily_reads` and with the default monthly bills, and
prints for each precision and recall against the customers the synth labels `consumption_drop`
(meter_event_unresolved's tampered meters are labelled so too), the false alarms per look-alike
kind, the findings dated to a day, and the rule's time and peak memory.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_daily_drop.py --customers 20000 --seed 1
    PYTHONPATH=. .venv/bin/python benchmarks/bench_daily_drop.py --customers 100000 --seed 1

The time is the rule's alone (`rules.run` of consumption_drop on the loaded dataset); generating
the utility is not counted.
"""

from __future__ import annotations

import argparse
import resource
import time

import pandas as pd

from auditkit import rules, synth
from auditkit.data import Dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=365, help="days of daily reads")
    args = parser.parse_args()
    started = time.perf_counter()
    tables = synth.generate(
        synth.SynthConfig(customers=args.customers, daily_days=args.days, seed=args.seed)
    )
    truth, lookalikes = tables.pop("truth"), tables.pop("lookalikes")
    dataset = Dataset.from_frames(tables)
    reads = len(tables["daily_reads"])
    print(
        f"utility: {args.customers:,} customers, {reads:,} daily reads, seed {args.seed} "
        f"({time.perf_counter() - started:.1f} s to generate and load)"
    )
    for source in ("daily_reads", "bills"):
        started = time.perf_counter()
        found = rules.run(
            dataset, rules=["consumption_drop"], params={"consumption_drop.source": source}
        )
        elapsed = time.perf_counter() - started
        quality = rules.precision_recall(found, truth, ["consumption_drop"]).iloc[0]
        dated = found["evidence"].str.startswith("daily smart-meter").sum()
        print(
            f"{source:12s} findings {quality['findings']:5d}  labelled {quality['labelled']:5d}  "
            f"precision {quality['precision']:.3f}  recall {quality['recall']:.3f}  "
            f"dated to a day {dated:5d}  {elapsed:.1f} s"
        )
        print(f"{'':12s} false alarms per look-alike kind: {_false_alarms(found, lookalikes)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"peak memory of the process (generation included): {peak:.1f} GB")


def _false_alarms(found: pd.DataFrame, lookalikes: pd.DataFrame) -> dict[str, str]:
    """Per look-alike kind with any: customers flagged of customers of that kind."""
    flagged = lookalikes["customer_id"].isin(found["customer_id"])
    counts = lookalikes.assign(flagged=flagged).groupby("kind")["flagged"].agg(["sum", "size"])
    return {kind: f"{row['sum']}/{row['size']}" for kind, row in counts.iterrows() if row["sum"]}


if __name__ == "__main__":
    main()

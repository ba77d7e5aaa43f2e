"""Benchmark: synthetic utility → load + validate → every audit rule, with precision and recall.

    .venv/bin/python benchmarks/bench_rules.py --customers 200000 --months 36

Prints wall times, rows per second and peak memory (run on demand; not part of the test suite).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from auditkit import rules, synth
from auditkit.data import load


def peak_memory_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--districts", type=int, default=6)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    config = synth.SynthConfig(
        customers=args.customers, districts=args.districts, months=args.months, seed=args.seed
    )
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        tables = synth.generate(config)
        generated = time.perf_counter() - started
        synth.write(tables, Path(folder) / "data", config=config)
        written = time.perf_counter() - started
        bill_rows = len(tables["bills"])
        del tables
        print(
            f"synth: {args.customers:,} customers × {args.months} months = {bill_rows:,} bills; "
            f"generated {generated:.1f} s, with writing {written:.1f} s"
        )
        started = time.perf_counter()
        dataset = load(Path(folder) / "data")
        loaded = time.perf_counter() - started
        print(f"load + validate: {loaded:.1f} s ({bill_rows / loaded:,.0f} bill rows/s)")
        started = time.perf_counter()
        findings = rules.run(dataset)
        ran = time.perf_counter() - started
        print(
            f"all {len(rules.RULES)} rules: {ran:.1f} s ({bill_rows / ran:,.0f} bill rows/s), "
            f"{len(findings):,} findings, ¥{findings['revenue_impact'].sum():,.0f} at stake"
        )
        slowest = sorted(findings.attrs["timings"].items(), key=lambda item: -item[1])
        print("  per rule (s): " + ", ".join(f"{rule} {seconds:.2f}" for rule, seconds in slowest))
        print(f"peak memory: {peak_memory_gb():.2f} GB")
        scores = rules.precision_recall(findings, dataset.truth, list(rules.RULES))
        print(scores.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

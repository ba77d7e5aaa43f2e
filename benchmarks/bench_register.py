"""Benchmark of the findings register: recording months of 50,000 findings.

Builds findings shaped as `auditkit.rules.run` returns them (evidence of realistic length) for
`--findings` customers across 12 districts and records them month after month into a new
register: the first month all new, each later month with 95 % of findings persisting (a third
of them with a changed amount), 5 % no longer found and 5 % entering (new, or reopened from the
third month on). Prints the
seconds each month took to record (issue 17's target: under 5 s for 50,000 findings) and the
same month recorded again (a no-op by run id).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_register.py                    # SQLite file
    PYTHONPATH=. .venv/bin/python benchmarks/bench_register.py --db postgresql://user@host/db

`--db` should name an empty database (or one kept for benchmarks): runs are recorded in it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from auditkit.register import Register
from auditkit.rules import FINDING_COLUMNS

RULES = ("rate_mismatch", "zero_consumption", "capacity_overrun", "meter_change_energy_lost")


def month_findings(customers: np.ndarray, month: int, rng: np.random.Generator) -> pd.DataFrame:
    """Findings of the given customers (integer ids) for audit month `month` (1-12 of 2024):
    each customer's amount grows by its monthly share, and a third of them gain one more month."""
    count = len(customers)
    grows = customers % 3 == 0
    revenue = np.round(200.0 + (customers % 997) * 7.5 + grows * month * 100.0, 2)
    return pd.DataFrame(
        {
            "rule_id": np.array(RULES, dtype=object)[customers % len(RULES)],
            "area": "tariff",
            "severity": np.where(revenue > 5000, "high", "medium").astype(object),
            "customer_id": np.char.add("C", customers.astype(str)).astype(object),
            "district": np.char.add("D", (customers % 12).astype(str)).astype(object),
            "period_from": "2023-" + pd.Series(customers % 12 + 1).map("{:02d}".format),
            "period_to": f"2024-{month:02d}",
            "evidence": "billed at the general commercial rate 0.8 yuan/kWh while the archive "
            "says residential 0.5 yuan/kWh over 7 months (1,234 kWh)",
            "revenue_impact": revenue,
            "revenue_kind": "proved",
            "penalty": 0.0,
            "score": np.round(rng.random(count), 4),
            "evidence_code": '[["rate_mismatch", {"billed": 0.8, "expected": 0.5, "kwh": 1234}]]',
        },
        columns=list(FINDING_COLUMNS),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--db", default=None, help="database URL (default: a new SQLite file)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'register.sqlite'}"
        with Register.open(url) as register:
            print(f"register {register.url}: {args.findings:,} findings a month")
            customers = np.arange(args.findings)
            next_id, gone = args.findings, np.array([], dtype=np.int64)
            for month in range(1, args.months + 1):
                if month > 1:  # 5 % gone, 5 % new, of which a tenth came back after a gap
                    kept = np.sort(rng.choice(customers, int(len(customers) * 0.95), replace=False))
                    entering = len(customers) - len(kept)
                    back = np.setdiff1d(gone, kept)[: entering // 10]
                    fresh = np.arange(next_id, next_id + entering - len(back))
                    next_id += len(fresh)
                    gone = np.union1d(gone, np.setdiff1d(customers, kept))
                    customers = np.concatenate([kept, back, fresh])
                findings = month_findings(customers, month, rng)
                run_id = f"bench 2024-{month:02d}"
                started = time.perf_counter()
                changes = register.record_run(
                    findings, run_id=run_id, as_of=f"2024-{month:02d}", district=None
                )
                seconds = time.perf_counter() - started
                counts = ", ".join(f"{status} {n:,}" for status, n in changes.counts.items())
                print(f"2024-{month:02d}: recorded in {seconds:.2f} s ({counts}; "
                      f"amount changed {changes.amounts_changed:,})")  # fmt: skip
            started = time.perf_counter()
            again = register.record_run(
                findings, run_id=run_id, as_of=f"2024-{args.months:02d}", district=None
            )
            seconds = time.perf_counter() - started
            print(
                f"the last month again: {seconds:.2f} s (already recorded: {again.already_recorded})"
            )


if __name__ == "__main__":
    main()

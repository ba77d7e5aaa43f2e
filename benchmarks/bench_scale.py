"""Benchmark at scale: load, validation, the rule suite, district statistics, DuckDB, Dask, daily reads.

    # a district bureau's million customers: load, validate, 16 rules, statistics, DuckDB reference
    PYTHONPATH=. .venv/bin/python benchmarks/bench_scale.py --customers 1000000 --workdir /tmp/scale
    # the dask engine on a 2-worker LocalCluster against the local engine
    PYTHONPATH=. .venv/bin/python benchmarks/bench_scale.py --customers 200000 --dask --workdir /tmp/scale
    # smart-meter daily reads: 100,000 customers x 365 days
    PYTHONPATH=. .venv/bin/python benchmarks/bench_scale.py --customers 100000 --daily --workdir /tmp/scale

Prints wall time, rows per second and the peak resident memory of each phase (sampled every 20 ms;
cluster workers included in --dask). Synthetic data is generated in a child process (its memory is
not counted) and kept in --workdir for the next run. Run on demand, never in CI.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import psutil

from auditkit import rules, stats, synth
from auditkit.data import load
from auditkit.data.partitioned import PartitionedDataset, convert, is_partitioned
from auditkit.rules.params import load_defaults

SQL_FILE = Path(__file__).with_name("duckdb_rules.sql")
SHARED_RULES = (
    "multiplier_mismatch",
    "tariff_mismatch",
    "rate_mismatch",
    "zero_consumption",
    "capacity_underbilled",
)


class Peak:
    """Peak resident memory (this process and its children) while a `with` block runs."""

    def __init__(self) -> None:
        self.bytes = 0
        self._stop = threading.Event()

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.02):
            total = me.memory_info().rss
            for child in me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            self.bytes = max(self.bytes, total)

    def __enter__(self) -> Peak:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def phase(name: str, rows: int | None = None, unit: str = "bill rows") -> Iterator[dict]:
    """Time a phase and print its seconds, rows per second and peak memory."""
    result: dict = {}
    with Peak() as peak:
        started = time.perf_counter()
        yield result
        seconds = time.perf_counter() - started
    speed = f", {rows / seconds:,.0f} {unit}/s" if rows else ""
    extra = f"  {result['note']}" if "note" in result else ""
    print(
        f"{name:<44} {seconds:8.1f} s{speed}, peak {peak.bytes / 2**30:.2f} GB{extra}", flush=True
    )
    result["seconds"] = seconds


def dataset_folder(args: argparse.Namespace) -> Path:
    """The synthetic dataset for these arguments, generated in a child process unless kept."""
    config = synth.SynthConfig(
        customers=args.customers,
        districts=args.districts,
        months=args.months,
        seed=args.seed,
        daily_days=args.days if args.daily else 0,
    )
    folder = args.workdir / (
        f"synth-{args.customers}x{args.months}" + (f"-daily{args.days}" if args.daily else "")
    )
    meta = folder / "synthetic.json"
    if meta.is_file() and all(
        json.loads(meta.read_text(encoding="utf-8")).get(key) == value
        for key, value in asdict(config).items()
    ):
        print(f"data: reusing {folder}")
        return folder
    code = (
        "import sys, time; from auditkit import synth; "
        f"config = synth.SynthConfig(**{asdict(config)!r}); t = time.perf_counter(); "
        "tables = synth.generate(config); g = time.perf_counter() - t; "
        f"synth.write(tables, {str(folder)!r}, config=config); "
        "print(f'synth: generated {g:.1f} s, written {time.perf_counter() - t:.1f} s')"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    return folder


def converted_folder(source: Path) -> PartitionedDataset:
    destination = source.with_name(source.name + "-partitioned")
    if is_partitioned(destination):
        return PartitionedDataset(destination)
    bills = pq_rows(source / "bills.parquet")
    with phase("convert to partitioned Parquet", bills):
        converted = convert(source, destination)
    return converted


def pq_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


# --------------------------------------------------------------------------------- main benchmark


def bench_suite(args: argparse.Namespace) -> None:
    folder = dataset_folder(args)
    bill_rows = pq_rows(folder / "bills.parquet")
    print(f"{args.customers:,} customers x {args.months} months = {bill_rows:,} bills\n")
    with phase("load (typed, no cross-table checks)", bill_rows):
        dataset = load(folder, validate=False)
    del dataset
    with phase("load + validate (keys, references, kWh)", bill_rows):
        dataset = load(folder)
    with phase(f"all {len(rules.RULES)} rules, local engine", bill_rows) as result:
        findings = rules.run(dataset)
        result["note"] = f"{len(findings):,} findings"
    slowest = sorted(findings.attrs["timings"].items(), key=lambda item: -item[1])
    print("    per rule (s): " + ", ".join(f"{rule} {seconds:.1f}" for rule, seconds in slowest))
    with phase("district statistics (stats.summarize)", bill_rows):
        stats.summarize(dataset.bills, dataset.customers, dataset.district_supply)
    print()
    compare_with_duckdb(dataset, folder, findings.attrs["as_of"], bill_rows)


def compare_with_duckdb(dataset: object, folder: Path, as_of: str, bill_rows: int) -> None:
    """Five rules in auditkit and in DuckDB SQL over the same Parquet files: time and customers."""
    import duckdb

    with phase("auditkit: 5 shared rules (data in memory)", bill_rows) as result:
        ours = rules.run(dataset, rules=list(SHARED_RULES))
    ours_seconds = result["seconds"]
    queries = sql_sections(SQL_FILE.read_text(encoding="utf-8"))
    parameters = sql_parameters(dataset, as_of)
    over_files, in_memory = duckdb.connect(), duckdb.connect()
    for connection in (over_files, in_memory):
        connection.execute(f"SET threads = {psutil.cpu_count()}")
    with phase("DuckDB: 5 rules reading the Parquet files", bill_rows) as result:
        create_views(over_files, folder, parameters, queries["views"], materialize=False)
        theirs_files = run_queries(over_files, queries["rules"], parameters)
    files_seconds = result["seconds"]
    with phase("DuckDB: load the Parquet files into tables", bill_rows):
        create_views(in_memory, folder, parameters, queries["views"], materialize=True)
    with phase("DuckDB: 5 rules (data in memory)", bill_rows) as result:
        theirs = run_queries(in_memory, queries["rules"], parameters)
    memory_seconds = result["seconds"]
    print("\n    customers found        auditkit    DuckDB   same")
    all_same = True
    for rule_id in SHARED_RULES:
        mine = set(ours.loc[ours["rule_id"] == rule_id, "customer_id"])
        same = mine == theirs[rule_id] == theirs_files[rule_id]
        all_same &= same
        print(
            f"    {rule_id:<22} {len(mine):>8,} {len(theirs[rule_id]):>9,}   {'yes' if same else 'NO'}"
        )
    print(
        f"\n    ratio auditkit / DuckDB, 5 rules: {ours_seconds / memory_seconds:.2f} "
        f"(both on data in memory), {ours_seconds / files_seconds:.2f} (DuckDB reading Parquet); "
        f"same customers: {'yes' if all_same else 'NO'}"
    )


def sql_sections(text: str) -> dict[str, dict[str, str]]:
    """The `-- view: name` and `-- rule: name` sections of the SQL file."""
    sections: dict[str, dict[str, str]] = {"views": {}, "rules": {}}
    for kind, name, body in re.findall(
        r"^-- (view|rule): (\w+)\n(.*?)(?=^-- (?:view|rule): |\Z)", text, flags=re.M | re.S
    ):
        sections["views" if kind == "view" else "rules"][name] = body.strip().rstrip(";")
    return sections


def sql_parameters(dataset: object, as_of: str) -> dict[str, object]:
    defaults = load_defaults()
    month = int(as_of[:4]) * 12 + int(as_of[5:7]) - 1
    first = str(dataset.bills["period"].min())
    return {
        "as_of": month,
        "first_month": int(first[:4]) * 12 + int(first[5:7]) - 1,
        "month_end": (pd.Timestamp(as_of + "-01") + pd.offsets.MonthEnd(0)).to_pydatetime(),
        "multiplier_tolerance": defaults["multiplier_mismatch"]["relative_tolerance"],
        "two_part_threshold_kva": defaults["tariff_mismatch"]["two_part_threshold_kva"],
        "rate_tolerance": defaults["rate_mismatch"]["rate_tolerance"],
        "zero_min_months": defaults["zero_consumption"]["min_months"],
        "zero_lookback_months": defaults["zero_consumption"]["lookback_months"],
        "kva_tolerance": defaults["capacity_underbilled"]["kva_tolerance"],
    }


def create_views(
    connection: object,
    folder: Path,
    parameters: dict,
    views: dict[str, str],
    materialize: bool,
) -> None:
    """The tables (month numbers added) as views over the files, or loaded into DuckDB tables."""
    kind = "TABLE" if materialize else "VIEW"
    month = "CAST(substr({0}, 1, 4) AS INTEGER) * 12 + CAST(substr({0}, 6, 2) AS INTEGER) - 1"
    date_month = "year({0}) * 12 + month({0}) - 1"
    files = {
        name: str(folder / f"{name}.parquet")
        for name in ("customers", "bills", "tariffs", "work_orders")
    }
    statements = [
        f"CREATE OR REPLACE {kind} customers AS SELECT * FROM read_parquet('{files['customers']}')",
        f"CREATE OR REPLACE {kind} bills AS SELECT *, {month.format('period')} AS month "
        f"FROM read_parquet('{files['bills']}')",
        f"CREATE OR REPLACE {kind} tariffs AS SELECT *, row_number() OVER () AS row_number, "
        f"{date_month.format('valid_from')} AS from_month, {date_month.format('valid_to')} AS "
        f"to_month FROM read_parquet('{files['tariffs']}')",
        f"CREATE OR REPLACE {kind} work_orders AS SELECT *, "
        f"{date_month.format('effective_date')} AS effective_month "
        f"FROM read_parquet('{files['work_orders']}')",
    ]
    for statement in statements:
        connection.execute(statement)
    for name, body in views.items():
        used = {key: value for key, value in parameters.items() if f"${key}" in body}
        connection.execute(f"CREATE OR REPLACE TABLE {name} AS {body}", used)


def run_queries(connection: object, queries: dict[str, str], parameters: dict) -> dict[str, set]:
    found = {}
    for rule_id, body in queries.items():
        used = {key: value for key, value in parameters.items() if f"${key}" in body}
        found[rule_id] = {row[0] for row in connection.execute(body, used).fetchall()}
    return found


# ---------------------------------------------------------------------------------------- dask


def bench_dask(args: argparse.Namespace) -> None:
    from distributed import Client, LocalCluster

    folder = dataset_folder(args)
    converted = converted_folder(folder)
    bill_rows = converted.rows("bills")
    print(
        f"{args.customers:,} customers x {args.months} months = {bill_rows:,} bills, "
        f"{len(converted.partitions)} partitions\n"
    )
    dataset = load(folder)
    with phase("local engine, data in memory", bill_rows) as result:
        local = rules.run(dataset)
    local_seconds = result["seconds"]
    with phase("local engine by parts, from partitioned Parquet", bill_rows) as result:
        by_parts = rules.run(converted)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        with Client(address) as client:
            client.run(lambda: __import__("auditkit.engine.partition"))  # workers import it once
        with phase("dask engine, 2 workers, data sent from memory", bill_rows) as result:
            in_memory = rules.run(dataset, engine="dask", scheduler=address)
        memory_seconds = result["seconds"]
        with phase("dask engine, 2 workers, reading partitions", bill_rows) as result:
            stored = rules.run(converted, engine="dask", scheduler=address)
        stored_seconds = result["seconds"]
    runs = {"by parts": by_parts, "dask from memory": in_memory, "dask reading": stored}
    different = {name: findings_differences(found, local) for name, found in runs.items()}
    for name, differences in different.items():
        if differences:
            print(f"    {name} differs from the local engine: {differences}")
    identical = not any(different.values())
    print(
        f"\n    identical findings: {'yes' if identical else 'NO'}; dask / local: "
        f"{memory_seconds / local_seconds:.2f} (from memory), "
        f"{stored_seconds / local_seconds:.2f} (reading partitions)"
    )


def findings_differences(found: pd.DataFrame, expected: pd.DataFrame) -> str:
    """Where two findings frames differ: per rule, the findings only in one and the columns that
    differ for the same customer ('' when the frames are equal)."""
    if found.equals(expected):
        return ""
    merged = found.merge(
        expected,
        on=["rule_id", "customer_id"],
        how="outer",
        suffixes=("", " expected"),
        indicator=True,
    )
    notes = []
    for rule_id, rows in merged.groupby("rule_id", sort=True):
        missing = int((rows["_merge"] == "right_only").sum())
        extra = int((rows["_merge"] == "left_only").sum())
        both = rows[rows["_merge"] == "both"]
        columns = [
            column
            for column in found.columns.drop(["rule_id", "customer_id"])
            if not both[column]
            .reset_index(drop=True)
            .equals(both[f"{column} expected"].reset_index(drop=True))
        ]
        if missing or extra or columns:
            notes.append(f"{rule_id}: {missing} missing, {extra} extra, differing {columns}")
    return "; ".join(notes) or "same findings in another order or dtype"


# ---------------------------------------------------------------------------------- daily reads


def bench_daily(args: argparse.Namespace) -> None:
    import pyarrow.parquet as pq

    folder = dataset_folder(args)
    rows = pq.ParquetFile(folder / "daily_reads.parquet").metadata.num_rows
    print(f"{args.customers:,} customers x {args.days} days = {rows:,} daily reads\n")
    with phase("load + validate (with daily reads)", rows, "daily reads"):
        dataset = load(folder)
    reads = dataset.daily_reads
    with phase("district statistics from daily reads", rows, "daily reads") as result:
        profile = stats.daily_profile(reads, dataset.customers, dataset.bills)
        result["note"] = f"{len(profile.reconciliation):,} district-months reconciled"
    with phase("theft_scores on daily reads", rows, "daily reads") as result:
        scores = stats.theft_scores(reads[["customer_id", "date", "kwh"]])
        result["note"] = f"{(scores['score'] > 3).sum():,} customers scored above 3"
    with phase("rule consumption_drop on daily reads", rows, "daily reads") as result:
        daily = {"consumption_drop.source": "daily_reads"}
        findings = rules.run(dataset, rules=["consumption_drop"], params=daily)
        result["note"] = f"{len(findings):,} findings"
    if dataset.truth is not None:
        quality = rules.precision_recall(findings, dataset.truth)
        print(quality[quality["rule_id"] == "consumption_drop"].to_string(index=False))
    converted = converted_folder(folder)
    with phase("dask: monthly kWh per customer from daily", rows, "daily reads") as result:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
            Client(cluster),
        ):
            daily = converted.frame("daily_reads", columns=["customer_id", "date", "kwh"])
            daily = daily.assign(month=daily["date"].dt.year * 100 + daily["date"].dt.month)
            monthly = daily.groupby(["customer_id", "month"], observed=True)["kwh"].sum()
            result["note"] = f"{len(monthly.compute()):,} customer-months"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--districts", type=int, default=6)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workdir", type=Path, help="keep generated data here (default: temporary)"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--dask", action="store_true", help="dask engine against the local engine")
    mode.add_argument("--daily", action="store_true", help="smart-meter daily reads")
    parser.add_argument("--days", type=int, default=365, help="days of daily reads (--daily)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        args.workdir = args.workdir or Path(temporary)
        args.workdir.mkdir(parents=True, exist_ok=True)
        if args.dask:
            bench_dask(args)
        elif args.daily:
            bench_daily(args)
        else:
            bench_suite(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

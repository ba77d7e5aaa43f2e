"""Benchmark at scale: files to findings beside DuckDB, Dask, daily reads.

    # one command, both sizes: the Parquet files to findings, auditkit beside DuckDB
    PYTHONPATH=. .venv/bin/python benchmarks/bench_scale.py --workdir /tmp/bench18
    # the dask engine on a 2-worker LocalCluster against the local engine
    PYTHONPATH=. .venv/bin/python benchmarks/bench_scale.py --customers 200000 --dask --workdir /tmp/scale
    # smart-meter daily reads: 100,000 customers x 365 days
    PYTHONPATH=. .venv/bin/python benchmarks/bench_scale.py --customers 100000 --daily --workdir /tmp/scale

The default run takes each size of --customers (200,000 and 1,000,000) and measures, each in a
child process of its own, its peak the resident memory of that child and its own children (the
by-parts engine's worker processes), dataset included:

- DuckDB running benchmarks/duckdb_recompute.sql then duckdb_rules.sql (`check_duckdb_parity`)
  over the plain Parquet files, and over the converted folder, with a `memory_limit`
  (--duckdb-memory-gb, 8) and a temp directory to spill to (--spill);
- `convert` (streaming) of the plain folder into `<folder>-partitioned` when that is missing (or
  with --reconvert); its figures are kept beside it (`<folder>-partitioned.convert.json`) and
  reused while it stays;
- auditkit by parts from the converted folder (`rules.run(load(folder, lazy=True))`): the five
  shared rules, and every rule (the recomputation included); from the plain folder that is
  convert + by parts, both timed and summed;
- up to --in-memory-up-to customers (200,000), also auditkit with the whole dataset in one
  process (`load` + `rules.run`: five rules, every rule) and DuckDB on its own tables.

A child (with its workers) growing past --memory-cap-gb is stopped and reported so; one that
fails is reported with its error. One table prints every figure side by side, then the customers
each measurement flags per rule.

Synthetic data is generated in a child process (its memory is not counted) and kept in
--workdir; beyond 200,000 customers in chunks of 200,000 (`write_chunks`). --dask and --daily
print wall time, rows per second and the peak resident memory of each phase (sampled every
20 ms; cluster workers included in --dask). Run on demand, never in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.compute as pc
from check_duckdb_parity import SHARED_RULES  # benchmarks/ is the script's folder

from auditkit import rules, stats, synth
from auditkit.data import load
from auditkit.data.partitioned import PartitionedDataset, convert, is_partitioned


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


def dataset_folder(args: argparse.Namespace, customers: int) -> Path:
    """The synthetic dataset of `customers` for these arguments, generated in a child process
    unless kept in --workdir; beyond CHUNK_CUSTOMERS in chunks (`write_chunks`)."""
    chunks = -(-customers // CHUNK_CUSTOMERS) if not args.daily else 1
    config = synth.SynthConfig(
        customers=customers,
        districts=args.districts,
        months=args.months,
        seed=args.seed,
        daily_days=args.days if args.daily else 0,
        schedule_seed=args.seed if chunks > 1 else None,  # chunks share one schedule
    )
    name = f"synth-{customers}x{args.months}" + (f"-daily{args.days}" if args.daily else "")
    folder = args.workdir / (name if chunks == 1 else f"chunked-{customers}x{args.months}")
    recipe = asdict(config) | {"chunks": chunks}
    meta = folder / "synthetic.json"
    if meta.is_file() and all(
        json.loads(meta.read_text(encoding="utf-8")).get(key) == value
        for key, value in recipe.items()
        if key != "chunks" or chunks > 1
    ):
        print(f"data: reusing {folder}")
        return folder
    if chunks > 1:
        command = [sys.executable, __file__, "--chunks-child", str(folder)]
        command += ["--customers", str(customers), "--months", str(args.months)]
        command += ["--districts", str(args.districts)]
        subprocess.run([*command, "--seed", str(args.seed)], check=True)
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


#: Network units (transformer areas, feeders): made distinct per chunk like the districts.
UNIT_COLUMNS = ("area_id", "feeder_id", "unit_id")


def relabel_units(arrow: pa.Table, k: int) -> pa.Table:
    """Chunk k's network unit ids suffixed `·k` (each chunk's synth numbers its units from 0)."""
    for name in UNIT_COLUMNS:
        if name in arrow.column_names:
            index = arrow.schema.get_field_index(name)
            relabelled = pc.binary_join_element_wise(arrow[name], f"·{k}", "")
            arrow = arrow.set_column(index, name, relabelled)
    return arrow


def write_chunks(folder: Path, customers: int, months: int, seed: int, districts: int) -> None:
    """In this (child) process: the utility as chunks of CHUNK_CUSTOMERS generated one after
    another (seeds seed, seed + 1 ...; ids and districts made distinct per chunk as
    bench_recompute does), every table streamed into one Parquet file (one row group a chunk)."""
    import gc

    import pyarrow.parquet as pq
    from bench_recompute import chunk_sizes, chunk_table

    chunks = -(-customers // CHUNK_CUSTOMERS)
    staging = folder.with_name(f".{folder.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)  # a run stopped half way
    staging.mkdir(parents=True)
    writers: dict[str, pq.ParquetWriter] = {}
    for k, size in enumerate(chunk_sizes(customers, chunks), start=1):
        started = time.perf_counter()
        config = synth.SynthConfig(
            customers=size,
            districts=districts,
            months=months,
            seed=seed + k - 1,
            schedule_seed=seed,  # one tariff schedule: only the first chunk's is kept
        )
        tables = synth.generate(config)
        for table in list(tables):
            frame = tables.pop(table)
            if table == "tariffs" and k > 1:  # one schedule for the whole utility
                continue
            arrow = relabel_units(chunk_table(frame, table, k), k)
            if table not in writers:
                writers[table] = pq.ParquetWriter(staging / f"{table}.parquet", arrow.schema)
            writers[table].write_table(arrow.cast(writers[table].schema))
        del tables
        gc.collect()
        print(f"chunk {k}/{chunks}: {time.perf_counter() - started:.1f} s", flush=True)
    for writer in writers.values():
        writer.close()
    recipe = asdict(
        synth.SynthConfig(
            customers=customers, districts=districts, months=months, seed=seed, schedule_seed=seed
        )
    )
    (staging / "synthetic.json").write_text(json.dumps(recipe | {"chunks": chunks}))
    shutil.rmtree(folder, ignore_errors=True)  # made by another recipe: replaced
    staging.rename(folder)


def converted_folder(source: Path) -> PartitionedDataset:
    destination = source.with_name(source.name + "-partitioned")
    if is_partitioned(destination) and same_recipe(source, destination):
        return PartitionedDataset(destination)
    bills = pq_rows(source / "bills.parquet")
    with phase("convert to partitioned Parquet", bills):
        converted = convert(source, destination)
    return converted


def pq_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


# --------------------------------------------------------------------- files to findings, side by side

#: Customers generated per synth run: bigger sizes are generated in chunks of this many.
CHUNK_CUSTOMERS = 200_000
#: Measurements of the whole dataset in one process (a million customers do not fit one).
IN_MEMORY = ("auditkit-five", "auditkit-all", "duckdb-tables")
#: Measurements from the files: DuckDB on the plain folder, `convert` of it, then auditkit by
#: parts and DuckDB on the converted folder.
FROM_FILES = ("duckdb-files", "convert", "parts-five", "parts-all", "duckdb-converted")
MEASUREMENTS = IN_MEMORY + FROM_FILES


@dataclass(frozen=True)
class Limits:
    """What every measurement of a run is allowed: the cap past which a child is stopped, and
    DuckDB's memory limit and the folder it may spill to."""

    cap_gb: float
    duckdb_memory_gb: float
    spill: Path
    spill_gb: float


def bench_side_by_side(args: argparse.Namespace) -> None:
    """Every size: the synthetic utility's Parquet files to findings, auditkit beside DuckDB,
    each measurement in a child process of its own (`measure`)."""
    limits = Limits(args.memory_cap_gb, args.duckdb_memory_gb, args.spill, args.spill_gb)
    print(
        f"DuckDB: threads {psutil.cpu_count()}, memory_limit {limits.duckdb_memory_gb:g} GB, "
        f"temp_directory {limits.spill} (it may spill there, up to {limits.spill_gb:g} GB: "
        f"max_temp_directory_size); auditkit by parts: "
        f"rules.run(load(folder, lazy=True)), its worker processes included in its peak; "
        f"a measurement growing past {limits.cap_gb:.1f} GB is stopped",
        flush=True,
    )
    results = {}
    for customers in args.customers:
        folder = dataset_folder(args, customers)
        converted = folder.with_name(folder.name + "-partitioned")
        print(f"{customers:,} customers x {args.months} months = {dataset_rows(folder):,} bills")
        size: dict[str, dict] = {}
        in_memory = customers <= args.in_memory_up_to
        for kind in MEASUREMENTS:
            if args.only and kind not in args.only:
                size[kind] = {"skipped": "not chosen (--only)"}
            elif kind in IN_MEMORY and not in_memory:
                size[kind] = {"skipped": f"not run above {args.in_memory_up_to:,} customers"}
            elif kind == "convert":
                size[kind] = convert_measured(folder, converted, limits, args.reconvert)
            elif kind in ("parts-five", "parts-all", "duckdb-converted"):
                if is_partitioned(converted):
                    size[kind] = measure(kind, converted, limits)
                else:
                    size[kind] = {"skipped": f"no converted folder {converted}"}
            else:
                size[kind] = measure(kind, folder, limits)
        results[customers, dataset_rows(folder)] = size
    print_side_by_side(results)


def dataset_rows(folder: Path) -> int:
    if is_partitioned(folder):
        return PartitionedDataset(folder).rows("bills")
    return pq_rows(folder / "bills.parquet")


def same_recipe(folder: Path, converted: Path) -> bool:
    """Whether `converted` was converted from the data now in `folder` (convert copies the
    synthetic recipe, `synthetic.json`, along): a folder generated again is converted again."""
    recipes = [path / "synthetic.json" for path in (folder, converted)]
    return all(path.is_file() for path in recipes) and len({p.read_bytes() for p in recipes}) == 1


def convert_measured(folder: Path, converted: Path, limits: Limits, again: bool) -> dict:
    """`convert` of the plain folder into `converted`, measured when the bench writes it (it is
    missing, or `again`); else its figures as measured when it was written (kept beside it),
    or none."""
    record = converted.with_name(converted.name + ".convert.json")
    if is_partitioned(converted) and not again and same_recipe(folder, converted):
        if record.is_file():
            kept = json.loads(record.read_text(encoding="utf-8"))
            print(f"    convert        {json.dumps(kept)} (measured when written)", flush=True)
            return kept
        return {"skipped": f"{converted} was converted before (--reconvert measures it)"}
    result = measure("convert", folder, limits, destination=converted)
    if not result.get("stopped") and not result.get("failed"):
        record.write_text(json.dumps(result), encoding="utf-8")
    return result


def measure(kind: str, folder: Path, limits: Limits, destination: Path | None = None) -> dict:
    """One measurement in a child process; its figures (seconds, peak GB, customers found).

    The peak is the child's resident memory with its own children's (the by-parts engine's
    worker processes), sampled every 0.1 s; past `limits.cap_gb` the child and its workers are
    stopped (the machine is shared), and the figures say when and at what size. A child that
    fails is reported as such, with the last line of its error."""
    command = [sys.executable, __file__, "--measure", kind, "--data", str(folder)]
    command += ["--duckdb-memory-gb", str(limits.duckdb_memory_gb), "--spill", str(limits.spill)]
    command += ["--spill-gb", str(limits.spill_gb)]
    if destination is not None:
        command += ["--destination", str(destination)]
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        # files, not pipes: a child writing more than a pipe holds would wait for ever
        child = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        watched, top = psutil.Process(child.pid), 0.0
        try:
            while child.poll() is None:
                top = max(top, tree_rss(watched) / 2**30)
                if top > limits.cap_gb:
                    stop_tree(watched)
                    child.wait()
                    seconds = time.perf_counter() - started
                    print(
                        f"    {kind:<14} STOPPED at {top:.1f} GB after {seconds:.0f} s", flush=True
                    )
                    return {"stopped": True, "seconds": seconds, "peak_gb": top}
                time.sleep(0.1)
        finally:  # interrupted here: the child and its workers do not run on
            if child.poll() is None:
                stop_tree(watched)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if child.returncode:
        seconds = time.perf_counter() - started
        reason = failure_reason(stderr) or f"exit status {child.returncode}"
        print(f"    {kind:<14} FAILED after {seconds:.0f} s at {top:.1f} GB: {reason}", flush=True)
        return {"failed": reason, "seconds": seconds, "peak_gb": top}
    line = next(text for text in stdout.splitlines() if text.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT ")) | {"peak_gb": top}
    shown = {key: value for key, value in result.items() if key != "found"}
    print(f"    {kind:<14} {json.dumps(shown)}", flush=True)
    return result


def failure_reason(stderr: str) -> str:
    """The line of a child's error output that says what failed: the last naming an error or
    exception (DuckDB ends its message with a link to its tuning guide), else the last line."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    named = [line for line in lines if "Error" in line or "Exception" in line]
    return (named or lines or [""])[-1]


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants (0 once it has ended)."""
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def stop_tree(process: psutil.Process) -> None:
    """Kill a measurement's child and its descendants (by their ids)."""
    try:
        members = [*process.children(recursive=True), process]
    except psutil.NoSuchProcess:
        return
    for member in members:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.kill()


def measured(kind: str, folder: Path, args: argparse.Namespace) -> dict:
    """In this (child) process: one measurement, timed from the files to the findings."""
    started = time.perf_counter()
    if kind == "convert":
        convert(folder, args.destination)
        return {"files": time.perf_counter() - started}
    if kind.startswith(("auditkit", "parts")):
        by_parts = kind.startswith("parts")
        dataset = load(folder, lazy=by_parts)
        loaded = time.perf_counter()
        chosen = list(SHARED_RULES) if kind.endswith("five") else None
        findings = rules.run(dataset, rules=chosen)
        done = time.perf_counter()
        result = {"load": loaded - started, "rules": done - loaded, "files": done - started}
        if chosen is None:
            slowest = sorted(findings.attrs["timings"].items(), key=lambda item: -item[1])
            result |= {"findings": len(findings), "slowest": slowest[:6]}
        else:
            result["found"] = {
                rule_id: sorted(findings.loc[findings["rule_id"] == rule_id, "customer_id"])
                for rule_id in SHARED_RULES
            }
        return result
    import duckdb
    from check_duckdb_parity import load_tables, quoted, run_rules, sql_parameters

    parameters = sql_parameters(folder)
    connection = duckdb.connect()
    connection.execute(f"SET threads = {psutil.cpu_count()}")
    connection.execute(f"SET memory_limit = '{args.duckdb_memory_gb:g}GB'")
    args.spill.mkdir(parents=True, exist_ok=True)
    connection.execute(f"SET temp_directory = {quoted(str(args.spill))}")
    connection.execute(f"SET max_temp_directory_size = '{args.spill_gb:g}GB'")
    load_tables(connection, folder, parameters, materialize=kind == "duckdb-tables")
    loaded = time.perf_counter()
    found = run_rules(connection, parameters)  # the recomputation, then the five rules
    done = time.perf_counter()
    result = {"load": loaded - started, "rules": done - loaded, "files": done - started}
    result["found"] = {rule_id: sorted(customers) for rule_id, customers in found.items()}
    return result


#: The rows of the printed table: label, auditkit's measurements (summed when two: one after
#: the other) and figure, DuckDB's measurement and figure (None: no DuckDB reference).
ROWS = (
    (
        "5 shared rules, plain files: load + rules in memory",
        ("auditkit-five",),
        "files",
        "duckdb-files",
        "files",
    ),
    (
        "5 shared rules, plain files: convert + by parts",
        ("convert", "parts-five"),
        "files",
        "duckdb-files",
        "files",
    ),
    (
        "5 shared rules, converted folder: by parts",
        ("parts-five",),
        "files",
        "duckdb-converted",
        "files",
    ),
    (
        "5 shared rules, data in memory (DuckDB: its tables)",
        ("auditkit-five",),
        "rules",
        "duckdb-tables",
        "rules",
    ),
    ("all rules + recomputation, plain files, in memory", ("auditkit-all",), "files", None, None),
    (
        "all rules + recomputation, convert + by parts",
        ("convert", "parts-all"),
        "files",
        None,
        None,
    ),
    ("all rules + recomputation, converted, by parts", ("parts-all",), "files", None, None),
    ("converting the plain folder (streaming)", ("convert",), "files", None, None),
)


def combined(results: dict[str, dict], kinds: tuple[str, ...], key: str) -> dict:
    """The figures of measurements run one after another: seconds summed, the larger peak; the
    first that did not complete stands for all."""
    for kind in kinds:
        if "seconds" not in results[kind] and key not in results[kind]:
            return results[kind]
        if results[kind].get("stopped") or results[kind].get("failed"):
            return results[kind]
    return {
        key: sum(results[kind][key] for kind in kinds),
        "peak_gb": max(results[kind]["peak_gb"] for kind in kinds),
    }


def cell(result: dict, key: str | None) -> str:
    if key is None:
        return "—"
    if result.get("stopped"):
        return f"STOPPED at {result['peak_gb']:.1f} GB after {result['seconds']:.0f} s"
    if result.get("failed"):
        return f"FAILED after {result['seconds']:.0f} s"
    if "skipped" in result:
        return "not run"
    return f"{result[key]:6.1f} ({result['peak_gb']:4.1f} GB)"


def print_side_by_side(results: dict[tuple[int, int], dict[str, dict]]) -> None:
    """The figures in one table: seconds (peak GB), and auditkit / DuckDB, per size; then the
    customers each flags per rule, and why a measurement did not run."""
    print(f"\n{'seconds (peak GB)':<54}{'auditkit':<28}{'DuckDB':<28}auditkit/DuckDB")
    for (customers, bills), size in results.items():
        print(f"{customers:,} customers x 36 months ({bills:,} bills)")
        for label, ours, our_key, theirs, their_key in ROWS:
            mine = combined(size, ours, our_key)
            other = size[theirs] if theirs else {}
            ratio = "—"
            if our_key in mine and theirs and their_key in other:
                ratio = f"{mine[our_key] / other[their_key]:5.2f}"
            print(f"  {label:<52}{cell(mine, our_key):<28}{cell(other, their_key):<28}{ratio}")
        for kind in ("auditkit-all", "parts-all"):
            every = size[kind]
            if "findings" in every:
                slowest = ", ".join(f"{rule} {seconds:.1f}" for rule, seconds in every["slowest"])
                print(
                    f"    {kind}: load {every['load']:.1f} s + rules {every['rules']:.1f} s, "
                    f"{every['findings']:,} findings; slowest (s): {slowest}"
                )
        found = {kind: size[kind]["found"] for kind in MEASUREMENTS if "found" in size[kind]}
        for rule_id in SHARED_RULES if found else ():
            counts = ", ".join(
                f"{kind} {len(flagged[rule_id]):,}" for kind, flagged in found.items()
            )
            customers_of = [set(flagged[rule_id]) for flagged in found.values()]
            same = all(flagged == customers_of[0] for flagged in customers_of)
            print(f"    {rule_id:<22} customers: {counts}: {'the same' if same else 'DIFFERENT'}")
        for kind, result in size.items():
            if "skipped" in result:
                print(f"    {kind} not run: {result['skipped']}")


# ---------------------------------------------------------------------------------------- dask


def bench_dask(args: argparse.Namespace) -> None:
    from distributed import Client, LocalCluster

    folder = dataset_folder(args, args.customers[0])
    converted = converted_folder(folder)
    bill_rows = converted.rows("bills")
    print(
        f"{args.customers[0]:,} customers x {args.months} months = {bill_rows:,} bills, "
        f"{len(converted.partitions)} partitions\n"
    )
    dataset = load(folder)
    with phase("local engine, data in memory", bill_rows) as result:
        local = rules.run(dataset)
    local_seconds = result["seconds"]
    with phase("local engine by parts, from partitioned Parquet", bill_rows) as result:
        by_parts = rules.run(converted)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
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

    folder = dataset_folder(args, args.customers[0])
    rows = pq.ParquetFile(folder / "daily_reads.parquet").metadata.num_rows
    print(f"{args.customers[0]:,} customers x {args.days} days = {rows:,} daily reads\n")
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
            LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster,
            Client(cluster),
        ):
            daily = converted.frame("daily_reads", columns=["customer_id", "date", "kwh"])
            daily = daily.assign(month=daily["date"].dt.year * 100 + daily["date"].dt.month)
            monthly = daily.groupby(["customer_id", "month"], observed=True)["kwh"].sum()
            result["note"] = f"{len(monthly.compute()):,} customer-months"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--customers", type=int, nargs="+", default=[200_000, 1_000_000], help="sizes to run"
    )
    parser.add_argument("--districts", type=int, default=6)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workdir", type=Path, help="keep generated data here (default: temporary)"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--dask", action="store_true", help="dask engine against the local engine")
    mode.add_argument("--daily", action="store_true", help="smart-meter daily reads")
    mode.add_argument("--measure", choices=MEASUREMENTS, help=argparse.SUPPRESS)
    mode.add_argument("--chunks-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--destination", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--memory-cap-gb",
        type=float,
        default=0.8 * psutil.virtual_memory().available / 2**30,
        help="stop a measurement whose process grows past this (default: 80%% of free memory)",
    )
    parser.add_argument(
        "--in-memory-up-to",
        type=int,
        default=200_000,
        help="sizes up to this many customers are also measured with the whole dataset in one "
        "process (a million customers do not fit: stopped at 18 GB)",
    )
    parser.add_argument(
        "--reconvert",
        action="store_true",
        help="convert the plain folder again (measured) even where <data>-partitioned exists",
    )
    parser.add_argument(
        "--duckdb-memory-gb", type=float, default=8.0, help="DuckDB's memory_limit (default 8)"
    )
    parser.add_argument(
        "--spill", type=Path, help="DuckDB's temp_directory (default <workdir>/duckdb-spill)"
    )
    parser.add_argument(
        "--spill-gb",
        type=float,
        default=20.0,
        help="DuckDB's max_temp_directory_size: a query spilling more fails (default 20; at a "
        "million customers and 8 GB it spilled 25 GB in 12 minutes without finishing)",
    )
    parser.add_argument("--days", type=int, default=365, help="days of daily reads (--daily)")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=MEASUREMENTS,
        help="run these measurements only (default: all; DuckDB from the plain files at a "
        "million customers takes minutes to fail at 8 GB)",
    )
    args = parser.parse_args()
    if args.measure:
        args.spill = args.spill or args.data.parent / "duckdb-spill"  # the run's default
        print("RESULT " + json.dumps(measured(args.measure, args.data, args)), flush=True)
        return 0
    if args.chunks_child:
        write_chunks(args.chunks_child, args.customers[0], args.months, args.seed, args.districts)
        return 0
    with tempfile.TemporaryDirectory() as temporary:
        args.workdir = args.workdir or Path(temporary)
        args.spill = args.spill or args.workdir / "duckdb-spill"
        args.workdir.mkdir(parents=True, exist_ok=True)
        if args.dask:
            bench_dask(args)
        elif args.daily:
            bench_daily(args)
        else:
            bench_side_by_side(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

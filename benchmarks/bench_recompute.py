"""Benchmark: bills recomputed (auditkit.billing.recompute) against the same recomputation in DuckDB.

    # 200,000 customers x 36 months, recompute in memory, DuckDB over the same Parquet files
    PYTHONPATH=. .venv/bin/python benchmarks/bench_recompute.py --workdir /tmp/recompute
    # a million customers by parts of a converted folder (memory bounded by a part), or on dask
    PYTHONPATH=. .venv/bin/python benchmarks/bench_recompute.py --customers 1000000 --engine parts
    PYTHONPATH=. .venv/bin/python benchmarks/bench_recompute.py --customers 1000000 --engine dask
    # a million customers generated in 5 chunks of 200,000 (the synth needs ~5.3 GB per 200,000)
    PYTHONPATH=. .venv/bin/python benchmarks/bench_recompute.py --customers 1000000 --chunks 5 \
        --no-duckdb --engine parts --to-parquet --workdir /tmp/city
    # any dataset folder of Parquet files instead of the synthetic utility
    PYTHONPATH=. .venv/bin/python benchmarks/bench_recompute.py --data path/to/folder
    # the recomputation as the rules read it (ctx.recomputed: lines tied to the bills)
    PYTHONPATH=. .venv/bin/python benchmarks/bench_recompute.py --no-duckdb --as-rules-read-it
    # the same on one part of a converted folder, as a run's part task gives it to the rules
    PYTHONPATH=. .venv/bin/python benchmarks/bench_recompute.py --data path/to/converted \
        --part 0 --repeat 3

The synthetic itemized utility is generated in a child process (its memory is not counted) and
kept in --workdir. DuckDB runs benchmarks/duckdb_recompute.sql in a child process of its own over
the Parquet files, once reading them and once on tables loaded into memory; its frame is compared
line by line with auditkit's: lines on one side only, and lines whose difference disagrees by more
than 0.01 yuan. Peak memory is the peak resident set (`resource.getrusage`) of the process that
did the work (dataset included; for dask, the workers' peak too). Run on demand, never in CI.

With --chunks K the utility is generated as K utilities of customers/K each (seeds seed..seed+K-1,
one after another in one child process), their ids made distinct (customer_id `SY` -> `S1`..`SK`,
meter `MT` -> `M1`.., transformer `TR` -> `T1`.., order `WO` -> `W1`..; in every `*_id` column
and a work order's old and new value) and their districts suffixed `·k`; only the tables the
recomputation reads are kept (INPUTS; the tariffs of the first chunk). Each table is streamed into one Parquet file (a row group per chunk, categoricals as plain
strings). The conversion then runs in a child process whose resident set is watched: over
--memory-cap-gb it is stopped and reported, and --per-chunk converts and recomputes each chunk
on its own instead (the chunks share no customer nor district: the parts are the same).
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pandas as pd
from check_duckdb_parity import (  # the SQL's tables, as the rules read them
    INPUTS,
    ORDERED,
    SQL_TYPES,
)

from auditkit import synth
from auditkit.billing import load_billing_params, recompute
from auditkit.billing.recompute import BILL_FIGURES
from auditkit.data import load
from auditkit.data.partitioned import (
    MANIFEST_NAME,
    PartitionedDataset,
    convert,
    is_partitioned,
)
from auditkit.data.schema import TABLES
from auditkit.engine import source_of
from auditkit.periods import month_number
from auditkit.rules.context import RuleContext
from auditkit.rules.recomputed import recompute_lines

SQL_FILE = Path(__file__).with_name("duckdb_recompute.sql")
KEY = ("customer_id", "period", "line_type", "tou_period", "tier")
TOLERANCE = 0.01


def time_part(folder: Path, index: int, repeat: int) -> None:
    """ctx.recomputed on part `index` of a converted folder: its tables up to the last billing
    period, as a run's part task gives them to the rules (without the neighbouring customers),
    recomputed `repeat` times; CPU and wall of each (the context's own columns made before)."""
    source = source_of(load(folder, lazy=True))
    context = RuleContext.at_month(source.part(index), int(month_number([source.periods()[1]])[0]))
    # The context's own columns the recomputation reads are made first, untimed.
    made = (context.bill_lines, context.transformers, context.bill_customer, context.bill_month)
    lines = 0 if made[0] is None else len(made[0])
    print(f"part {source.partitions[index]}: {len(context.bills):,} bills, {lines:,} bill lines")
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        lines = len(recompute_lines(context).row)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        print(f"ctx.recomputed: CPU {cpu:.2f} s, wall {seconds:.2f} s, {lines:,} lines", flush=True)
    print(f"peak {peak_gb():.2f} GB")


def peak_gb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024**2


# ------------------------------------------------------------------------------------------ data


def dataset_folder(args: argparse.Namespace) -> Path:
    """The synthetic itemized utility for these arguments, generated in a child process unless
    kept in --workdir from an earlier run."""
    if args.data is not None:
        return args.data
    config = synth.SynthConfig(
        customers=args.customers, districts=args.districts, months=args.months, seed=args.seed
    )
    folder = args.workdir / f"itemized-{args.customers}x{args.months}-seed{args.seed}"
    meta = folder / "synthetic.json"
    if meta.is_file() and all(
        json.loads(meta.read_text(encoding="utf-8")).get(key) == value
        for key, value in asdict(config).items()
    ):
        print(f"data: reusing {folder}")
        return folder
    code = (
        "import time; from auditkit import synth; "
        f"config = synth.SynthConfig(**{asdict(config)!r}); t = time.perf_counter(); "
        "tables = synth.generate(config); g = time.perf_counter() - t; "
        f"synth.write(tables, {str(folder)!r}, config=config); "
        "print(f'synth: generated {g:.1f} s, written {time.perf_counter() - t:.1f} s', flush=True)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    return folder


CHUNK_MARKS = "123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ID_PREFIXES = ("SY", "MT", "TR", "WO")  # customer, meter, transformer, work order
RELABELLED = ("old_value", "new_value")  # a meter replacement's meters
ARROW_TYPES = {
    "text": "string",
    "period": "string",
    "number": "float64",
    "integer": "int64",
    "date": "date32",
    "datetime": "timestamp[ns]",
    "bool": "bool",
}


def chunk_sizes(customers: int, chunks: int) -> list[int]:
    return [customers // chunks + (k < customers % chunks) for k in range(chunks)]


def chunked_meta(args: argparse.Namespace) -> dict:
    return {
        "customers": args.customers,
        "chunks": args.chunks,
        "districts": args.districts,
        "months": args.months,
        "seed": args.seed,
        "tables": list(INPUTS),
    }


def chunk_table(frame: pd.DataFrame, table: str, k: int) -> object:
    """Chunk k's table as Arrow: plain strings, ids and districts made distinct from other chunks."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    mark = CHUNK_MARKS[k - 1]
    spec = {column.name: column.kind for column in TABLES[table].columns}
    for i, field in enumerate(arrow.schema):
        column = arrow.column(i)
        if pa.types.is_dictionary(field.type):
            column = column.cast(field.type.value_type)
        if pa.types.is_null(field.type) and field.name in spec:
            column = column.cast(ARROW_TYPES[spec[field.name]])
        if pa.types.is_large_string(column.type):
            column = column.cast(pa.string())
        if pa.types.is_string(column.type) and (
            field.name.endswith("_id") or field.name in RELABELLED
        ):
            for prefix in ID_PREFIXES:
                column = pc.replace_substring_regex(column, f"^{prefix}", prefix[0] + mark)
        if pa.types.is_string(column.type) and (
            field.name == "district" or field.name.endswith("_district")
        ):
            column = pc.binary_join_element_wise(column, f"·{mark}", "")
        arrow = arrow.set_column(i, field.name, column)
    return arrow


def write_chunks(args: argparse.Namespace, folder: Path) -> None:
    """In this (child) process: the chunks generated one after another and streamed into one
    Parquet file per table in `folder` (written under a temporary name, then renamed)."""
    import pyarrow.parquet as pq

    staging = folder.with_name(f".{folder.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    writers: dict[str, pq.ParquetWriter] = {}
    timings = []
    rows: dict[str, list[int]] = {}
    for k, size in enumerate(chunk_sizes(args.customers, args.chunks), start=1):
        started = time.perf_counter()
        config = synth.SynthConfig(
            customers=size,
            districts=args.districts,
            months=args.months,
            seed=args.seed + k - 1,
            schedule_seed=args.seed,  # one tariff schedule: only the first chunk's is kept
        )
        tables = synth.generate(config)
        generated = time.perf_counter() - started
        for table in INPUTS:
            frame = tables.pop(table, None)
            if frame is None or (table == "tariffs" and k > 1):
                continue
            arrow = chunk_table(frame, table, k)
            del frame
            if table not in writers:
                writers[table] = pq.ParquetWriter(staging / f"{table}.parquet", arrow.schema)
            writers[table].write_table(arrow.cast(writers[table].schema))
            rows.setdefault(table, []).append(arrow.num_rows)  # row groups never span chunks
            del arrow
        del tables
        gc.collect()
        timings.append(time.perf_counter() - started)
        print(
            f"chunk {k}/{args.chunks}: {size:,} customers (seed {config.seed}), generated "
            f"{generated:.1f} s, written {timings[-1]:.1f} s; peak {peak_gb():.2f} GB",
            flush=True,
        )
    for writer in writers.values():
        writer.close()
    (staging / "chunks.json").write_text(json.dumps(rows), encoding="utf-8")
    (staging / "synthetic.json").write_text(json.dumps(chunked_meta(args)), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)


def chunked_folder(args: argparse.Namespace) -> Path:
    """The utility of --customers generated in --chunks chunks, in a child process unless kept in
    --workdir from an earlier run."""
    folder = args.workdir / (
        f"itemized-{args.customers}x{args.months}-seed{args.seed}-chunks{args.chunks}"
    )
    meta = folder / "synthetic.json"
    if meta.is_file() and json.loads(meta.read_text(encoding="utf-8")) == chunked_meta(args):
        print(f"data: reusing {folder}")
        return folder
    started = time.perf_counter()
    command = [sys.executable, __file__, "--chunks-child", str(folder), *sys.argv[1:]]
    subprocess.run(command, check=True)
    print(
        f"generation in {args.chunks} chunks: {time.perf_counter() - started:.1f} s, "
        f"child peak {peak_gb(resource.RUSAGE_CHILDREN):.2f} GB",
        flush=True,
    )
    return folder


def watched(command: list[str], cap_gb: float) -> tuple[int, float, float]:
    """Run `command`, its resident set (children included) sampled every 0.5 s and the process
    stopped once over `cap_gb`: return code (None when stopped), seconds, sampled peak GB."""
    import psutil

    started = time.perf_counter()
    child = subprocess.Popen(command)
    watch = psutil.Process(child.pid)
    top = 0.0
    while child.poll() is None:
        try:
            procs = [watch, *watch.children(recursive=True)]
            rss = sum(proc.memory_info().rss for proc in procs) / 1024**3
        except psutil.Error:
            rss = 0.0
        top = max(top, rss)
        if rss > cap_gb:
            child.kill()
            child.wait()
            return None, time.perf_counter() - started, top
        time.sleep(0.5)
    return child.returncode, time.perf_counter() - started, top


def converted_in_child(source: Path, cap_gb: float) -> PartitionedDataset | None:
    """`converted_folder` in a watched child process; None if it went over `cap_gb`."""
    destination = source.with_name(source.name + "-partitioned")
    newest = max(path.stat().st_mtime for path in source.glob("*.parquet"))
    if is_partitioned(destination) and (destination / MANIFEST_NAME).stat().st_mtime > newest:
        return PartitionedDataset(destination)
    stopped = source.with_name(source.name + "-convert-stopped.json")
    if (
        stopped.is_file()
        and stopped.stat().st_mtime > newest
        and json.loads(stopped.read_text(encoding="utf-8"))["cap_gb"] >= cap_gb
    ):
        print(f"convert of {source.name}: stopped before ({stopped.read_text().strip()})")
        return None
    code, seconds, top = watched([sys.executable, __file__, "--convert-child", str(source)], cap_gb)
    if code is None:
        print(
            f"convert of {source.name}: STOPPED after {seconds:.1f} s, resident set "
            f"{top:.2f} GB over the cap of {cap_gb} GB (convert loads the whole dataset)",
            flush=True,
        )
        figures = {"cap_gb": cap_gb, "seconds": round(seconds, 1), "peak_gb": round(top, 2)}
        stopped.write_text(json.dumps(figures), encoding="utf-8")
        return None
    if code != 0:
        raise SystemExit(f"convert of {source.name} failed (exit {code}) after {seconds:.1f} s")
    print(f"convert of {source.name}: {seconds:.1f} s, peak {top:.2f} GB (sampled)", flush=True)
    return PartitionedDataset(destination)


def split_chunks(source: Path, chunks: int) -> list[Path]:
    """Each chunk's rows (one row group per table) as a dataset folder of its own."""
    import pyarrow.parquet as pq

    rows = json.loads((source / "chunks.json").read_text(encoding="utf-8"))
    folders = [source.with_name(f"{source.name}-chunk{k}") for k in range(1, chunks + 1)]
    for k, folder in enumerate(folders):
        if (folder / "done").is_file():
            continue
        folder.mkdir(exist_ok=True)
        for table, counts in rows.items():
            parquet = pq.ParquetFile(source / f"{table}.parquet")
            first, last = (
                (0, counts[0]) if len(counts) == 1 else (sum(counts[:k]), sum(counts[: k + 1]))
            )
            groups, start = [], 0
            for group in range(parquet.num_row_groups):
                if first <= start < last:
                    groups.append(group)
                start += parquet.metadata.row_group(group).num_rows
            parquet.read_row_groups(groups).to_pandas().to_parquet(
                folder / f"{table}.parquet", index=False
            )
        (folder / "done").write_text("", encoding="utf-8")
    return folders


def by_chunks(args: argparse.Namespace, source: Path) -> int:
    """Each chunk converted (in a watched child) and recomputed to Parquet on its own."""
    from auditkit.engine import recompute_to_parquet

    written = args.workdir / f"recomputed-{args.engine}-by-chunk"
    shutil.rmtree(written, ignore_errors=True)
    started = time.perf_counter()
    folders = split_chunks(source, args.chunks)
    print(f"split into {args.chunks} chunk folders: {time.perf_counter() - started:.1f} s")
    recomputing = bills = 0.0
    for k, folder in enumerate(folders, start=1):
        converted = converted_in_child(folder, args.memory_cap_gb)
        if converted is None:
            return 1
        bills += converted.rows("bills")
        started = time.perf_counter()
        engine = {"engine": "dask"} if args.engine == "dask" else {}
        recompute_to_parquet(converted, written / f"chunk{k}", **engine)
        seconds = time.perf_counter() - started
        recomputing += seconds
        print(f"chunk {k}: recomputed {seconds:.1f} s; peak {peak_gb():.2f} GB", flush=True)
    lines = sum(parquet_rows(folder) for folder in written.iterdir())
    print(
        f"\n{int(bills):,} bills; auditkit recompute ({args.engine}, by chunk): "
        f"{recomputing:.1f} s, {lines:,} lines (written to {written}), "
        f"peak {peak_gb():.2f} GB in this process; children (generation, conversions"
        f"{', dask workers' if args.engine == 'dask' else ''}) peak "
        f"{peak_gb(resource.RUSAGE_CHILDREN):.2f} GB"
    )
    return 0


def converted_folder(source: Path) -> PartitionedDataset:
    destination = source.with_name(source.name + "-partitioned")
    newest = max(path.stat().st_mtime for path in source.glob("*.parquet"))
    if is_partitioned(destination) and (destination / MANIFEST_NAME).stat().st_mtime > newest:
        return PartitionedDataset(destination)  # converted after the data was last written
    started = time.perf_counter()
    converted = convert(source, destination)
    print(f"convert to partitioned Parquet: {time.perf_counter() - started:.1f} s", flush=True)
    return converted


# ---------------------------------------------------------------------------------------- duckdb


def sql_sections(text: str) -> tuple[list[tuple[str, str]], str]:
    """The `-- step:` statements in order, and the `-- result:` query."""
    sections = re.findall(
        r"^-- (step|result): (\w+)\n(.*?)(?=^-- (?:step|result): |\Z)", text, flags=re.M | re.S
    )
    steps = [(name, body.strip().rstrip(";")) for kind, name, body in sections if kind == "step"]
    result = [body.strip().rstrip(";") for kind, _, body in sections if kind == "result"]
    return steps, result[0]


def input_statements(folder: Path, materialize: bool) -> list[str]:
    """The input tables as views over the Parquet files (or loaded into tables), with every
    contract column (NULL where the file lacks it) and `row_no` for the ordered tables."""
    import pyarrow.parquet as pq

    kind = "TABLE" if materialize else "VIEW"
    statements = []
    for table in INPUTS:
        spec = TABLES[table]
        path = folder / f"{table}.parquet"
        present = set(pq.read_schema(path).names) if path.is_file() else set()
        columns = [
            column.name
            if column.name in present
            else f"NULL::{SQL_TYPES[column.kind]} AS {column.name}"
            for column in spec.columns
        ]
        if table in ORDERED:
            columns.append("file_row_number AS row_no" if present else "NULL::BIGINT AS row_no")
        source = (
            f"read_parquet('{path}'{', file_row_number = true' if table in ORDERED else ''})"
            if present
            else "(SELECT 1) WHERE false"
        )
        statements.append(
            f"CREATE OR REPLACE {kind} {table} AS SELECT {', '.join(columns)} FROM {source}"
        )
        if table == "bills":
            absent = [f"('{name}')" for name in BILL_FIGURES.values() if name not in present]
            statements += [
                "CREATE OR REPLACE TABLE absent_bill_columns(column_name VARCHAR)",
                *(
                    [f"INSERT INTO absent_bill_columns VALUES {', '.join(absent)}"]
                    if absent
                    else []
                ),
            ]
    return statements


def parameter_statements(params: object) -> list[str]:
    """The tables carrying the billing parameters the SQL reads (pf tables, loss table, profile)."""
    pieces = [
        f"({float(standard)}, {piece.start}, {piece.base}, {piece.slope}, {piece.anchor})"
        for standard, table in params.pf_tables.items()
        for piece in table
    ]
    losses = [
        f"({float(kva)}, {entry.no_load_loss_kw}, {entry.load_loss_kw})"
        for kva, entry in params.loss_table.items()
    ]
    profile = [
        f"('{period}', {params.tou_profile.get(period, 0.0)})"
        for period in ("critical", "peak", "flat", "valley")
    ]
    return [
        "CREATE OR REPLACE TABLE pf_pieces(standard DOUBLE, start_percent BIGINT, base DOUBLE, "
        "slope DOUBLE, anchor DOUBLE)",
        *([f"INSERT INTO pf_pieces VALUES {', '.join(pieces)}"] if pieces else []),
        "CREATE OR REPLACE TABLE loss_table(kva DOUBLE, p0 DOUBLE, pk DOUBLE)",
        *([f"INSERT INTO loss_table VALUES {', '.join(losses)}"] if losses else []),
        "CREATE OR REPLACE TABLE tou_profile(tou_period VARCHAR, share DOUBLE)",
        f"INSERT INTO tou_profile VALUES {', '.join(profile)}",
    ]


def sql_parameters(params: object, as_of: str | None) -> dict[str, object]:
    return {
        "days_per_month": float(params.days_per_month),
        "demand_floor_share": params.demand_floor_share,
        "demand_excess_threshold": params.demand_excess_threshold,
        "demand_excess_multiplier": float(params.demand_excess_multiplier),
        "tier_year_start_month": params.tier_year_start_month,
        "hours_per_day": float(params.hours_per_day),
        "loss_form_factor": params.loss_form_factor,
        "loss_by_table": params.loss_method == "table",
        "last_month": 10**9 if as_of is None else int(as_of[:4]) * 12 + int(as_of[5:7]) - 1,
    }


def run_duckdb(folder: Path, out: Path, threads: int, materialize: bool) -> None:
    """In this (child) process: the SQL recomputation over `folder`, its frame written to `out`,
    and one line of JSON with seconds and peak memory on stdout."""
    import duckdb

    params = load_billing_params()
    steps, result = sql_sections(SQL_FILE.read_text(encoding="utf-8"))
    values = sql_parameters(params, None)
    connection = duckdb.connect()
    connection.execute(f"SET threads = {threads}")
    started = time.perf_counter()
    for statement in input_statements(folder, materialize):
        connection.execute(statement)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    for statement in parameter_statements(params):
        connection.execute(statement)
    for _, body in steps:
        used = {key: value for key, value in values.items() if f"${key}" in body}
        connection.execute(body, used)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE recomputed AS {result}")
    seconds = time.perf_counter() - started
    rows = connection.execute("SELECT count(*) FROM recomputed").fetchone()[0]
    connection.execute(f"COPY recomputed TO '{out}' (FORMAT parquet)")
    print(json.dumps({"load": loaded, "seconds": seconds, "rows": rows, "peak_gb": peak_gb()}))


def duckdb_in_child(folder: Path, out: Path, threads: int, materialize: bool) -> dict:
    command = [
        sys.executable,
        __file__,
        "--duckdb-child",
        str(folder),
        "--duckdb-out",
        str(out),
        "--threads",
        str(threads),
    ] + (["--materialize"] if materialize else [])
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------ comparison


def parquet_rows(folder: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(path).metadata.num_rows for path in folder.glob("*.parquet"))


def compare(ours: Path | str, theirs: Path, show: int) -> dict[str, int]:
    """Lines on one side only, and lines whose difference (or amount due) disagrees, between two
    recomputations saved as Parquet (joined in DuckDB: two frames of 10^7 lines do not fit
    pandas beside the dataset)."""
    import duckdb

    def side(path: Path | str) -> str:
        return (
            "SELECT customer_id, period, line_type, coalesce(tou_period, '') AS tou_period, "
            "coalesce(CAST(tier AS BIGINT), 0) AS tier, quantity_due, rate_due, amount_due, "
            f"difference, true AS present FROM read_parquet('{path}')"
        )

    values = ", ".join(
        f"{side_name}.{column} AS {column}_{side_name}"
        for column in ("present", "quantity_due", "rate_due", "amount_due", "difference")
        for side_name in ("py", "sql")
    )
    connection = duckdb.connect()
    connection.execute(
        f"CREATE TEMP TABLE joined AS SELECT {', '.join(KEY)}, {values} "
        f"FROM ({side(ours)}) AS py FULL JOIN ({side(theirs)}) AS sql USING ({', '.join(KEY)})"
    )
    bad = f"""
        CASE WHEN present_py IS NULL THEN 'only DuckDB'
             WHEN present_sql IS NULL THEN 'only auditkit'
             WHEN NOT (abs(difference_py - difference_sql) <= {TOLERANCE + 1e-9}
                       OR (difference_py IS NULL AND difference_sql IS NULL)) THEN 'difference'
             WHEN NOT (abs(amount_due_py - amount_due_sql) <= {TOLERANCE + 1e-9}
                       OR (amount_due_py IS NULL AND amount_due_sql IS NULL)) THEN 'amount due'
        END"""
    counts = dict(
        connection.execute(f"SELECT {bad} AS verdict, count(*) FROM joined GROUP BY ALL").fetchall()
    )
    if show and any(verdict is not None for verdict in counts):
        print("    lines that disagree (py: auditkit, sql: DuckDB):")
        print(
            connection.execute(
                f"SELECT {bad} AS verdict, line_type, tou_period, tier, count(*) AS lines "
                f"FROM joined WHERE {bad} IS NOT NULL GROUP BY ALL ORDER BY lines DESC LIMIT 12"
            )
            .df()
            .to_string(index=False)
        )
        print(
            connection.execute(f"SELECT * FROM joined WHERE {bad} IS NOT NULL LIMIT {show}")
            .df()
            .to_string()
        )
    return {
        "lines": sum(counts.values()),
        "only_auditkit": counts.get("only auditkit", 0),
        "only_duckdb": counts.get("only DuckDB", 0),
        "difference_disagrees": counts.get("difference", 0),
        "amount_due_disagrees": counts.get("amount due", 0),
    }


# ------------------------------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--districts", type=int, default=6)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/auditkit-recompute"))
    parser.add_argument("--data", type=Path, help="a dataset folder of Parquet files to use")
    parser.add_argument("--engine", choices=("local", "parts", "dask"), default="local")
    parser.add_argument("--workers", type=int, default=2, help="dask workers (--engine dask)")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    parser.add_argument("--no-duckdb", action="store_true", help="time auditkit only")
    parser.add_argument(
        "--as-rules-read-it",
        action="store_true",
        help="local: time RuleContext.recomputed (lines tied to the bills), not the frame; "
        "no DuckDB",
    )
    parser.add_argument(
        "--to-parquet",
        action="store_true",
        help="parts and dask: each part written to Parquet (recompute_to_parquet), not one frame",
    )
    parser.add_argument(
        "--part",
        type=int,
        help="with --data a converted folder: time ctx.recomputed on this part alone",
    )
    parser.add_argument("--repeat", type=int, default=3, help="--part: recomputations timed")
    parser.add_argument("--show", type=int, default=10, help="disagreeing lines to print")
    parser.add_argument(
        "--chunks", type=int, default=1, help="generate the utility in this many chunks (<= 35)"
    )
    parser.add_argument(
        "--memory-cap-gb", type=float, default=18.0, help="stop the conversion above this"
    )
    parser.add_argument(
        "--per-chunk",
        action="store_true",
        help="with --chunks: if the whole conversion is stopped, convert and recompute by chunk",
    )
    parser.add_argument("--chunks-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--convert-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--duckdb-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--duckdb-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--materialize", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.duckdb_child is not None:
        run_duckdb(args.duckdb_child, args.duckdb_out, args.threads, args.materialize)
        return 0
    if args.chunks_child is not None:
        write_chunks(args, args.chunks_child)
        return 0
    if args.convert_child is not None:
        converted_folder(args.convert_child)
        return 0
    if args.part is not None:
        if args.data is None or not is_partitioned(args.data):
            parser.error("--part: with --data a converted (partitioned) folder")
        time_part(args.data, args.part, args.repeat)
        return 0
    if args.as_rules_read_it and (args.engine != "local" or not args.no_duckdb):
        parser.error("--as-rules-read-it: with --engine local and --no-duckdb")
    if not 1 <= args.chunks <= len(CHUNK_MARKS):
        parser.error(f"--chunks: from 1 to {len(CHUNK_MARKS)}")

    args.workdir.mkdir(parents=True, exist_ok=True)
    folder = chunked_folder(args) if args.chunks > 1 and args.data is None else dataset_folder(args)
    if args.chunks > 1 and args.engine != "local":
        converted = converted_in_child(folder, args.memory_cap_gb)
        if converted is None and not args.per_chunk:
            return 1
        if converted is None:
            return by_chunks(args, folder)
    sql_runs = {}
    if not args.no_duckdb:  # first, in children: their memory is theirs
        for materialize in (False, True):
            out = args.workdir / f"duckdb-{'tables' if materialize else 'files'}.parquet"
            sql_runs[materialize] = duckdb_in_child(folder, out, args.threads, materialize)
    cpu = None
    if args.engine == "local":
        started = time.perf_counter()
        dataset = load(folder)
        print(f"load + validate: {time.perf_counter() - started:.1f} s", flush=True)
        bills = len(dataset.bills)
        context = RuleContext.build(dataset, None) if args.as_rules_read_it else None
        started, cpu_started = time.perf_counter(), time.process_time()
        if context is None:
            ours = recompute(dataset)
        else:
            ours, tied = None, len(context.recomputed.row)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        peak = peak_gb()
    else:
        from auditkit.engine import recompute_by_parts, recompute_to_parquet

        converted = converted_folder(folder)
        bills = converted.rows("bills")
        written = args.workdir / f"recomputed-{args.engine}"
        if args.to_parquet:
            shutil.rmtree(written, ignore_errors=True)

        def run(**engine: object) -> pd.DataFrame | None:
            if args.to_parquet:
                recompute_to_parquet(converted, written, **engine)
                return None
            return recompute_by_parts(converted, **engine)

        if args.engine == "parts":
            started = time.perf_counter()
            ours = run()
            seconds = time.perf_counter() - started
            peak = peak_gb()
        else:
            from distributed import LocalCluster

            with LocalCluster(
                n_workers=args.workers, threads_per_worker=1, dashboard_address=":0"
            ) as cluster:
                started = time.perf_counter()
                ours = run(engine="dask", scheduler=cluster.scheduler_address)
                seconds = time.perf_counter() - started
            peak = max(peak_gb(), peak_gb(resource.RUSAGE_CHILDREN))
    if args.as_rules_read_it:
        lines, where, what = tied, " tied to the context's bills", "ctx.recomputed"
    else:
        lines = len(ours) if ours is not None else parquet_rows(written)
        where = f" (written to {written})" if ours is None else ""
        what = f"recompute ({args.engine})"
    # On a shared machine the wall time follows the load; the CPU time is the work done.
    on_cpu = f" (CPU {cpu:.1f} s)" if cpu is not None else ""
    print(
        f"\n{bills:,} bills; auditkit {what}: {seconds:.1f} s{on_cpu}, "
        f"{lines:,} lines{where}, peak {peak:.2f} GB"
    )
    for materialize, run in sql_runs.items():
        place = "tables in memory" if materialize else "reading the Parquet files"
        load_note = f" (+ {run['load']:.1f} s loading)" if materialize else ""
        print(
            f"DuckDB, {place}: {run['seconds']:.1f} s{load_note}, {run['rows']:,} lines, "
            f"peak {run['peak_gb']:.2f} GB; ratio auditkit / DuckDB {seconds / run['seconds']:.2f}"
        )
    if sql_runs:
        mine = args.workdir / "auditkit.parquet"
        if ours is None:
            mine = f"{written}/part-*.parquet"
        else:
            ours.to_parquet(mine, index=False)
            del ours
        agreement = compare(mine, args.workdir / "duckdb-files.parquet", args.show)
        print(
            f"agreement: {agreement['lines']:,} lines; "
            f"{agreement['difference_disagrees']:,} whose difference disagrees by > {TOLERANCE}, "
            f"{agreement['amount_due_disagrees']:,} whose amount due does; "
            f"{agreement['only_auditkit']:,} only in auditkit, "
            f"{agreement['only_duckdb']:,} only in DuckDB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

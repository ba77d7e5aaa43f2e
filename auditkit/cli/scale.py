"""`auditkit convert SRC DST`: store a dataset as Parquet partitioned by district, for scale."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from auditkit.errors import ParameterError, flags, parameters_named
from auditkit.options.data import DEFAULT_BATCH_ROWS, DEFAULT_CUSTOMERS_PER_PART

#: `convert`'s arguments as the command line names them: DST and the flags of the same names.
CONVERT_NAMES = {"destination": "DST", **flags("customers_per_part", "batch_rows")}


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `convert` subcommand."""
    parser = subparsers.add_parser(
        "convert",
        help="store a dataset as Parquet partitioned by district (for large data and clusters)",
        description=(
            "Type and check the dataset folder SRC (CSV, Excel or Parquet tables) as `load` does and "
            "write it to DST as typed Parquet partitioned by district: "
            "<table>/district=<name>/part-N.parquet with every row of a customer in the same "
            "partition. A folder of Parquet files (or a converted folder) is converted table by "
            "table in batches of rows, so memory follows the batch, not the data; CSV and Excel "
            "folders are read whole. `auditkit.data.load(DST)` reads "
            "it back eagerly, `load(DST, lazy=True)` lazily, and the rules' dask engine runs one "
            "partition per task. DST is written completely or not at all."
        ),
    )
    parser.add_argument("source", type=Path, metavar="SRC", help="the dataset folder to convert")
    parser.add_argument("destination", type=Path, metavar="DST", help="the folder to write")
    parser.add_argument(
        "--customers-per-part",
        type=int,
        default=DEFAULT_CUSTOMERS_PER_PART,
        metavar="N",
        help="customers per partition file within a district (default %(default)s)",
    )
    parser.add_argument(
        "--batch-rows",
        type=int,
        default=DEFAULT_BATCH_ROWS,
        metavar="N",
        help="rows typed and written at a time from a Parquet table (default %(default)s)",
    )
    parser.set_defaults(func=run_convert)


def run_convert(args: argparse.Namespace) -> int:
    """Convert, then print the partitions and rows written."""
    from auditkit.cli.open_tables import say_open_tables
    from auditkit.data.partitioned import convert

    if args.destination.exists() and not args.destination.is_dir():  # a file: never replaced
        expected = "a new folder or an earlier converted dataset (it is replaced)"
        raise ParameterError("DST", expected, f"{args.destination}, a file")
    say_open_tables("convert", Path(args.source))  # converted as last saved
    started = time.perf_counter()
    with parameters_named(CONVERT_NAMES):  # named as the user typed them
        converted = convert(
            args.source,
            args.destination,
            customers_per_part=args.customers_per_part,
            batch_rows=args.batch_rows,
        )
    seconds = time.perf_counter() - started
    size = sum(path.stat().st_size for path in converted.root.rglob("*") if path.is_file())
    print(
        f"{converted.root}: {len(converted.districts)} districts in {len(converted.partitions)} "
        f"partitions, {size / 2**20:,.1f} MiB, written in {seconds:.1f} s"
    )
    for table, info in converted.table_info.items():
        print(f"  {table:<16} {info['rows']:>14,} rows  ({info['layout']})")
    return 0

"""Benchmark: load and validate a large bills table (default 200,000 customers × 36 months = 7.2M).

Builds a deterministic dataset with numpy/pyarrow (seeded), writes it as Parquet or CSV, then
times `auditkit.data.load` with and without the cross-table checks, and the content hashes.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_load.py --customers 200000 --format parquet
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from auditkit.data import load

T = TypeVar("T")

DISTRICTS = ("城东", "城西", "城南", "城北", "开发区", "郊县")
TARIFFS = ("居民生活", "一般工商业", "大工业")
USAGE = ("residential", "commercial", "industrial")


def _repeat_text(values: tuple[str, ...], indices: np.ndarray) -> pa.Array:
    """Text column picking `values[indices]`, built without a Python loop per row."""
    dictionary = pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), pa.array(values))
    return dictionary.cast(pa.string())


def build_tables(customers: int, months: int, seed: int) -> dict[str, pa.Table]:
    """Customers, tariffs and a bills table of customers × months rows, all consistent."""
    rng = np.random.default_rng(seed)
    ids = pc.binary_join_element_wise("C", pc.cast(pa.array(np.arange(customers)), pa.string()), "")
    tariff_of = rng.integers(0, len(TARIFFS), customers)
    customer_table = pa.table(
        {
            "customer_id": ids,
            "district": _repeat_text(DISTRICTS, rng.integers(0, len(DISTRICTS), customers)),
            "usage_type": _repeat_text(USAGE, tariff_of),
            "tariff_category": _repeat_text(TARIFFS, tariff_of),
            "voltage_kv": np.where(tariff_of == 2, 10.0, 0.4),
            "status": _repeat_text(("active",), np.zeros(customers, dtype=np.int32)),
            "connection_date": _repeat_text(("2015-06-01",), np.zeros(customers, dtype=np.int32)),
            "basic_charge_basis": _repeat_text(("none",), np.zeros(customers, dtype=np.int32)),
            "meter_id": pc.binary_join_element_wise(
                "M", pc.cast(pa.array(np.arange(customers)), pa.string()), ""
            ),
            "ct_ratio": np.where(tariff_of == 2, 40.0, 1.0),
            "pt_ratio": np.where(tariff_of == 2, 100.0, 1.0),
        }
    )
    tariffs = pa.table(
        {
            "tariff_category": list(TARIFFS),
            "usage_type": list(USAGE),
            "energy_rate": [0.538, 0.8, 0.65],
            "valid_from": ["2020-01-01"] * 3,
        }
    )
    rows = customers * months
    customer_index = np.repeat(np.arange(customers), months)
    month_index = np.tile(np.arange(months), customers)
    periods = tuple(f"{2022 + m // 12}-{m % 12 + 1:02d}" for m in range(months))
    multiplier = np.where(tariff_of == 2, 4000.0, 1.0)[customer_index]
    use = np.round(rng.gamma(2.0, 100.0, rows), 2) / multiplier
    use = np.round(use, 4)
    end = np.round(np.cumsum(use.reshape(customers, months), axis=1).ravel() + 1000.0, 4)
    start = np.round(end - use, 4)
    kwh = np.round((end - start) * multiplier, 2)
    rate = np.asarray([0.538, 0.8, 0.65])[tariff_of][customer_index]
    charge = np.round(kwh * rate, 2)
    bills = pa.table(
        {
            "customer_id": ids.take(pa.array(customer_index)),
            "period": _repeat_text(periods, month_index),
            "register_start": start,
            "register_end": end,
            "multiplier_billed": multiplier,
            "kwh_billed": kwh,
            "tariff_billed": _repeat_text(TARIFFS, tariff_of[customer_index]),
            "energy_rate": rate,
            "energy_charge": charge,
            "amount": charge,
            "read_type": _repeat_text(
                ("actual", "estimated"), (month_index % 7 == 0).astype(np.int32)
            ),
        }
    )
    return {"customers": customer_table, "tariffs": tariffs, "bills": bills}


def write(tables: dict[str, pa.Table], folder: Path, fmt: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        if fmt == "parquet":
            pq.write_table(table, folder / f"{name}.parquet")
        else:
            pa_csv.write_csv(table, folder / f"{name}.csv")


def timed(label: str, action: Callable[[], T]) -> T:
    """Run `action`, print its wall-clock and CPU seconds, return its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    print(
        f"{label:<34} {time.perf_counter() - wall:7.2f} s wall {time.process_time() - cpu:7.2f} s CPU"
    )
    return result


def prepare(folder: Path, args: argparse.Namespace) -> int:
    """Build and write the dataset (its Arrow tables are freed on return); the bills row count."""
    tables = timed(
        "build tables (numpy/pyarrow)",
        lambda: build_tables(args.customers, args.months, args.seed),
    )
    timed(f"write {args.format}", lambda: write(tables, folder, args.format))
    return tables["bills"].num_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--repeat", type=int, default=2, help="timed loads (first may warm up)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="auditkit-bench-") as temporary:
        warm_up = Path(temporary) / "warm-up"
        write(build_tables(100, args.months, args.seed), warm_up, args.format)
        load(warm_up)  # first use of Arrow kernels and thread pools, not part of the figure
        folder = Path(temporary) / "dataset"
        rows = prepare(folder, args)
        print(f"bills rows: {rows:,}")
        timed("load(validate=False)", lambda: load(folder, validate=False))
        for _ in range(args.repeat):
            dataset = timed("load() with every check", lambda: load(folder))
        timed("content hashes (sha256)", lambda: dataset.hashes)
        print(f"warnings: {len(dataset.problems)}")


if __name__ == "__main__":
    main()

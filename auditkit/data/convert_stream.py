"""`convert` of a folder of Parquet files, or of a converted folder, without loading it whole.

The customers are read, typed and checked whole (they choose every row's partition); the other
tables keyed by customer are read in batches of rows (`batch_rows`, row groups as they come),
each batch typed and checked cell by cell by the loader's own code (`intake.type_raw`: the same
typing, the same problems, the source file and its own row numbers), its rows sent to their
customer's partition and appended to that partition's file. Tables kept in one file (tariffs,
supply) are small and converted whole. Memory follows the batch, not the table: a million
customers × 36 months converts in a few GB.

A row whose customer is not in the customers table has no partition: it is reported as the
loader's reference check reports it (an error) and not written. The checks across rows and
tables then run on the written folder part by part (`part_checks`); when they find an error, the
source is loaded as `load` loads it, to report its problems where the user can find them.
CSV and Excel sources take the in-memory path of `partitioned.convert` (they are small).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from auditkit.data.cell_forms import apply_forms
from auditkit.data.consistency import check_key, check_reference
from auditkit.data.frames import TypedTable, codes_of
from auditkit.data.intake import locate_folder, type_raw
from auditkit.data.mapping import apply_mapping
from auditkit.data.part_checks import merged_problems
from auditkit.data.partitioned import (
    FORMAT,
    FORMAT_VERSION,
    PARTITIONED,
    Partition,
    PartitionedDataset,
    assign_partitions,
    is_partitioned,
    storage_table,
    write_file_table,
    write_partitions,
)
from auditkit.data.problems import DataValidationError, Problem
from auditkit.data.readers import RawTable, ReadFailure, RowIndex, read_parquet_batches
from auditkit.data.schema import TABLES
from auditkit.data.threads import GIL_FREE_THREADS
from auditkit.options.data import DEFAULT_BATCH_ROWS

Batches = Callable[[str, int], Iterator[RawTable]]


def streams(source: Path) -> bool:
    """Whether `source` converts batch by batch: a converted folder, or a dataset folder whose
    tables are all Parquet files (CSV and Excel exports are read whole)."""
    if is_partitioned(source):
        return True
    files, _ = locate_folder(source, [])
    return bool(files) and all(path.suffix.lower() == ".parquet" for path in files.values())


def stream_tables(
    source: Path, folder: Path, customers_per_part: int, batch_rows: int
) -> dict[str, Any]:
    """Write every table of `source` into `folder`, partitioned as `convert` writes them; return
    the manifest's description of the tables and partitions.

    Raises DataValidationError listing the problems found on the way (cells, files, rows whose
    customer is unknown) when one is an error; the caller then discards `folder`.
    """
    problems: list[Problem] = []
    tables, batches = _source(source, problems)
    customers = _whole(batches, "customers", problems) if "customers" in tables else None
    if customers is not None:
        problems.extend(check_key("customers", customers, ("customer_id",)))
    if customers is None or _has_errors(problems):
        raise DataValidationError(problems)
    partitions, part_of_customer = assign_partitions(customers.frame, customers_per_part)
    route = _Router(customers, part_of_customer)
    written = _Written(partitions)
    checked: list[Problem] = []  # the reference problems found while routing, after typing's
    for name in TABLES:
        if name not in tables:
            continue
        if name == "customers":
            frame = customers.frame
            written.add(name, frame)
            arrow = storage_table(frame.drop(columns="district"), name)
            rows, sizes = write_partitions(arrow, part_of_customer, partitions, folder, name)
            written.parts[name] = (rows, sizes)
        elif name in PARTITIONED:
            checked.extend(_stream(batches, name, folder, route, written, problems, batch_rows))
        else:
            typed = _whole(batches, name, problems)
            if typed is not None:
                written.add(name, typed.frame)
                arrow = storage_table(typed.frame, name)
                written.tables[name]["bytes"] = write_file_table(arrow, folder, name)
    problems.extend(checked)
    if _has_errors(problems):
        raise DataValidationError(problems)
    return written.manifest()


def _has_errors(problems: list[Problem]) -> bool:
    return any(problem.severity == "error" for problem in problems)


# ------------------------------------------------------------------------------------- sources


def _source(source: Path, problems: list[Problem]) -> tuple[list[str], Batches]:
    """The tables of `source` and how to read each in batches."""
    if is_partitioned(source):
        dataset = PartitionedDataset(source)
        return list(dataset.table_info), lambda name, rows: _converted_batches(dataset, name, rows)
    files, columns = locate_folder(source, problems)

    def batches(name: str, batch_rows: int) -> Iterator[RawTable]:
        renamed = None
        for raw in read_parquet_batches(files[name], name, batch_rows):
            if renamed is None:
                renamed, mapping_problems = apply_mapping(
                    name, raw.data.column_names, columns.mapping, columns.file
                )
                problems.extend(mapping_problems)
            batch = RawTable(raw.data.rename_columns(renamed), raw.rows, raw.file, raw.format)
            batch, form_problems = apply_forms(batch, name, columns.forms.get(name, {}))
            problems.extend(form_problems)
            yield batch

    return list(files), batches


def _converted_batches(
    dataset: PartitionedDataset, name: str, batch_rows: int
) -> Iterator[RawTable]:
    """A converted folder's table, file by file (customers with their district back), each
    file's rows numbered from its first."""
    info = dataset.table_info[name]
    if info["layout"] == "file":
        files: list[tuple[str, Partition | None]] = [(f"{name}.parquet", None)]
    else:
        files = [(partition.relative_path(name), partition) for partition in dataset.partitions]
    schema = None
    for relative, partition in files:
        try:
            parquet = pq.ParquetFile(dataset.root / relative)
            schema = parquet.schema_arrow
            first_row = 1
            for batch in parquet.iter_batches(batch_size=batch_rows):
                data = _with_district(pa.Table.from_batches([batch]), name, partition, info)
                yield RawTable(data, RowIndex(first_row=first_row), relative, "parquet")
                first_row += batch.num_rows
        except (pa.ArrowException, OSError) as error:
            found = f"a file that is not one ({error})"
            raise ReadFailure(
                Problem(relative, None, None, "a Parquet file", found, table=name)
            ) from None
    if not dataset.rows(name) and schema is not None:
        empty = _with_district(schema.empty_table(), name, None, info)
        yield RawTable(empty, RowIndex(first_row=1), files[-1][0], "parquet")


def _with_district(
    data: pa.Table, name: str, partition: Partition | None, info: dict[str, Any]
) -> pa.Table:
    if name != "customers":
        return data
    district = "" if partition is None else partition.district
    data = data.append_column("district", pa.array([district] * data.num_rows, pa.string()))
    return data.select(list(info["columns"]))


def _whole(batches: Batches, name: str, problems: list[Problem]) -> TypedTable | None:
    """A table read whole (the customers, the tables kept in one file), typed as `load` does."""
    try:
        pieces = list(batches(name, DEFAULT_BATCH_ROWS))
    except ReadFailure as failure:
        problems.append(failure.problem)
        return None
    data = pa.concat_tables([piece.data for piece in pieces], promote_options="permissive")
    first = pieces[0]
    label = first.file if len({piece.file for piece in pieces}) == 1 else f"{name}/"
    typed, found = type_raw(name, RawTable(data, RowIndex(first_row=1), label, first.format))
    problems.extend(found)
    return typed


# ------------------------------------------------------------------------------------- routing


class _Router:
    """Each row's partition, by its customer: the customers' own partition assignment (their
    ids are unique: a repeated one is an error before any row is routed)."""

    def __init__(self, customers: TypedTable, part_of_customer: np.ndarray) -> None:
        self.customers = customers
        self.index = pd.Index(customers.frame["customer_id"].to_numpy(dtype=object))
        self.part = part_of_customer

    def __call__(self, typed: TypedTable) -> np.ndarray:
        """Position of each row's partition, −1 for a row without a known customer."""
        codes = codes_of(typed, "customer_id")
        known = self.index.get_indexer(codes.uniques.to_numpy(zero_copy_only=False))
        part_of_code = np.append(np.where(known >= 0, self.part[known], -1), -1)  # last: empty
        return part_of_code[codes.codes]


# ------------------------------------------------------------------------------------- writing


@dataclass
class _Written:
    """What was written: per table its rows, columns, filled columns, and rows and bytes per
    partition; the bills' first and last period."""

    partitions: list[Partition]
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    parts: dict[str, tuple[list[int], list[int]]] = field(default_factory=dict)
    periods: list[str] = field(default_factory=list)

    def add(self, name: str, frame: pd.DataFrame) -> None:
        """Count the rows of `frame` (a table, or a batch of one) into table `name`."""
        entry = self.tables.setdefault(
            name,
            {
                "rows": 0,
                "columns": [str(column) for column in frame.columns],
                "filled": [],
                "layout": "partitioned" if name in PARTITIONED else "file",
            },
        )
        entry["rows"] += len(frame)
        filled = {str(column) for column in frame.columns if frame[column].notna().any()}
        entry["filled"] = [c for c in entry["columns"] if c in filled or c in entry["filled"]]
        if name == "bills":
            periods = frame["period"].dropna()
            if not periods.empty:
                self.periods = sorted([*self.periods, str(periods.min()), str(periods.max())])
                self.periods = [self.periods[0], self.periods[-1]]

    def manifest(self) -> dict[str, Any]:
        first, last = (self.periods[0], self.periods[-1]) if self.periods else (None, None)
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "tables": self.tables,
            "periods": {"first": first, "last": last},
            "partitions": [
                {
                    "district": partition.district,
                    "part": partition.part,
                    "rows": {name: rows[index] for name, (rows, _) in self.parts.items()},
                    "bytes": {name: sizes[index] for name, (_, sizes) in self.parts.items()},
                }
                for index, partition in enumerate(self.partitions)
            ],
        }


def _stream(
    batches: Batches,
    name: str,
    folder: Path,
    route: _Router,
    written: _Written,
    problems: list[Problem],
    batch_rows: int,
) -> list[Problem]:
    """Type, check and route table `name` batch by batch into one file per partition.

    Typing problems go to `problems` (each issue listed once over the batches); returns the
    reference problems of rows whose customer is unknown (those rows are not written)."""
    partitions = written.partitions
    writers: list[pq.ParquetWriter | None] = [None] * len(partitions)
    rows = np.zeros(len(partitions), dtype=np.int64)
    schema: pa.Schema | None = None
    typing: list[list[Problem]] = []
    unknown: list[list[Problem]] = []
    reference = next(r for r in TABLES[name].references if r.column == "customer_id")
    pool = ThreadPoolExecutor(max_workers=GIL_FREE_THREADS)  # Parquet writing releases the GIL
    writing: list[Future] = []  # the batch being written while the next one is typed
    try:
        for raw in batches(name, batch_rows):
            typed, found = type_raw(name, raw)
            typing.append(found)
            if typed is None:  # a column missing or named twice: every batch alike
                break
            part = route(typed)
            orphan = part < 0
            if orphan.any():
                unknown.append(check_reference(name, typed, reference, route.customers))
            frame = typed.frame if not orphan.any() else typed.frame[~orphan]
            part = part[~orphan]
            written.add(name, frame)
            arrow = storage_table(frame.reset_index(drop=True), name)
            schema = arrow.schema if schema is None else schema
            arrow = _conformed(arrow, schema, name, raw)
            order = np.argsort(part, kind="stable")
            bounds = np.searchsorted(part[order], np.arange(len(partitions) + 1))
            ordered = arrow.take(pa.array(order))
            rows += np.diff(bounds)

            def append(
                index: int,
                ordered: pa.Table = ordered,
                bounds: np.ndarray = bounds,
                schema: pa.Schema = schema,
            ) -> None:
                piece = ordered.slice(bounds[index], bounds[index + 1] - bounds[index])
                if not piece.num_rows:
                    return
                if writers[index] is None:
                    writers[index] = _writer(folder, partitions[index], name, schema)
                writers[index].write_table(piece)

            for done in writing:
                done.result()
            writing = [pool.submit(append, index) for index in range(len(partitions))]
        for done in writing:
            done.result()
    except ReadFailure as failure:
        typing.append([failure.problem])
    finally:
        pool.shutdown()
        for writer in writers:
            if writer is not None:
                writer.close()
    problems.extend(merged_problems(typing))
    if schema is not None:
        sizes = []
        for index, partition in enumerate(partitions):
            if writers[index] is None:  # an empty partition still carries the columns
                _writer(folder, partition, name, schema).close()
            sizes.append((folder / partition.relative_path(name)).stat().st_size)
        written.parts[name] = (rows.tolist(), sizes)
    return merged_problems(unknown)


def _writer(folder: Path, partition: Partition, name: str, schema: pa.Schema) -> pq.ParquetWriter:
    path = folder / partition.relative_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    return pq.ParquetWriter(path, schema, compression="zstd")


def _conformed(arrow: pa.Table, schema: pa.Schema, name: str, raw: RawTable) -> pa.Table:
    """A batch in the storage types of the table's first batch (text dictionary-encoded or not
    as there, an empty column of the type the first batch gave it)."""
    if arrow.schema.equals(schema):
        return arrow
    columns = []
    for target in schema:
        column = arrow[target.name]
        try:
            if pa.types.is_dictionary(target.type) and not pa.types.is_dictionary(column.type):
                column = pc.dictionary_encode(column.cast(target.type.value_type))
            column = column.cast(target.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise DataValidationError(
                [
                    Problem(
                        raw.file,
                        None,
                        target.name,
                        f"one type of value in the column ({target.type} in its first rows)",
                        f"{column.type} in rows from {raw.rows.first_row}",
                        table=name,
                    )
                ]
            ) from None
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)

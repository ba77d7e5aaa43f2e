"""Datasets stored for scale: Parquet partitioned by district, read eagerly or lazily.

    convert("data/city", "data/city-parquet")            # once (`auditkit convert SRC DST`)
    dataset = load_partitioned("data/city-parquet")      # eager, typed and validated Dataset
    lazy = load_partitioned("data/city-parquet", lazy=True)
    lazy.frame("bills")                                   # a dask DataFrame over every partition
    lazy.for_district("城东")                              # one district, eager and validated

Layout of a converted folder:

    auditkit-partitioned.json                   manifest: tables, partitions, rows, periods
    tariffs.parquet, district_supply.parquet    tables not keyed by customer: one file each
    <table>/district=<name>/part-0000.parquet   customers and every customer-keyed table

A customer's archive row, bills, bill lines, orders, inspections, daily reads, transformers,
meter events and tests, adjustments, truth and look-alike rows all sit in the same partition: its
district, and within a large district one of ceil(customers / customers_per_part) parts chosen by
a hash of customer_id. The district lives in the folder name
(hive style, which dask, DuckDB, Spark and pyarrow read as a column), not inside the files.
Columns keep their types: text that repeats (ids in bills, periods, codes) is stored
dictionary-encoded and reads back as categoricals, money and energy as float64, dates and
date-times as timestamps, booleans as booleans.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import quote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from auditkit.atomic import folder_written_whole
from auditkit.data.cell_types import Untypable, typable
from auditkit.data.column_typing import TEXT_DTYPE
from auditkit.data.consistency import check_tables
from auditkit.data.dataset import Dataset, supply_of_units
from auditkit.data.entries import not_a_regular_file
from auditkit.data.frames import TypedTable, extra_column, type_table
from auditkit.data.hashed_files import NotAsRecorded, checked_bytes
from auditkit.data.hashing import checks_version, file_digests
from auditkit.data.intake import Intake, TableSource, read_folder
from auditkit.data.problems import DataValidationError, Problem
from auditkit.data.readers import RawTable, RowIndex
from auditkit.data.schema import CUSTOMER_KEYED, DISTRICT_KEYED, TABLES
from auditkit.data.threads import GIL_FREE_THREADS
from auditkit.errors import ParameterError
from auditkit.options.data import DEFAULT_CUSTOMERS_PER_PART

if TYPE_CHECKING:
    import dask.dataframe

MANIFEST_NAME = "auditkit-partitioned.json"
FORMAT = "auditkit-partitioned"
FORMAT_VERSION = 1
#: Tables stored per partition: the customers and every table keyed by customer.
PARTITIONED = ("customers", *CUSTOMER_KEYED)
#: Files other than tables that travel with the data (the synthetic-data notice, its recipe).
_COMPANION_FILES = ("SYNTHETIC.md", "synthetic.json")


@dataclass(frozen=True, order=True)
class Partition:
    """One part of a district: the unit stored in one file per table and processed as one task."""

    district: str
    part: int

    def relative_path(self, table: str) -> str:
        """Path of this partition's file of `table`, relative to the dataset folder."""
        return f"{table}/district={_escape(self.district)}/part-{self.part:04d}.parquet"

    def __str__(self) -> str:
        return f"{self.district}#{self.part}"


def _escape(name: str) -> str:
    """A district name as a folder name: readable, with only unsafe characters percent-encoded
    (hive readers decode them)."""
    return "".join(
        char if char.isprintable() and char not in '%/\\:*?"<>|' else quote(char, safe="")
        for char in name
    )


def is_partitioned(path: str | Path) -> bool:
    """Whether `path` is a dataset folder written by `convert`."""
    return (Path(path) / MANIFEST_NAME).is_file()


# ------------------------------------------------------------------------------------------ writing


#: Bytes a folder name may hold (ext4, XFS, NTFS, APFS: 255).
FOLDER_NAME_BYTES = 255


def _check_folder_names(districts: Iterable[str]) -> None:
    """DataValidationError naming each district whose partition folder (`district=` and the name,
    unprintable characters as %XX) would not fit in a folder name."""
    problems = []
    for name in districts:
        size = len(f"district={_escape(name)}".encode())
        if size > FOLDER_NAME_BYTES:
            expected = (
                f"a district name whose folder name (district=<name>, unprintable characters "
                f"written as %XX) fits in {FOLDER_NAME_BYTES} bytes"
            )
            found = f"{name!r} ({size} bytes as a folder name)"
            problems.append(
                Problem("customers", None, "district", expected, found, table="customers")
            )
    if problems:
        raise DataValidationError(problems)


def assign_partitions(
    customers: pd.DataFrame, customers_per_part: int = DEFAULT_CUSTOMERS_PER_PART
) -> tuple[list[Partition], np.ndarray]:
    """The partitions of a customer table (districts in sorted order) and each customer's one.

    Returns the partitions and, per customer row, the position of its partition in that list.
    The part within a district is a hash of customer_id, so it never depends on row order.
    """
    if customers_per_part < 1:
        raise ParameterError("customers_per_part", "a whole number ≥ 1", customers_per_part)
    names, codes = np.unique(customers["district"].astype(str).to_numpy(), return_inverse=True)
    _check_folder_names(names)
    counts = np.bincount(codes, minlength=len(names))
    parts_per_district = np.maximum(1, -(-counts // customers_per_part))
    first_part = np.concatenate([[0], np.cumsum(parts_per_district)[:-1]])
    hashes = pd.util.hash_array(customers["customer_id"].astype(str).to_numpy(dtype=object))
    bucket = (hashes % parts_per_district[codes].astype(np.uint64)).astype(np.int64)
    partitions = [
        Partition(str(name), part)
        for name, parts in zip(names, parts_per_district, strict=True)
        for part in range(int(parts))
    ]
    return partitions, first_part[codes] + bucket


def _refuse_nested(source: Path, destination: Path) -> None:
    """A ParameterError naming `destination` when it lies inside the `source` folder (the copy
    would be written into the dataset it copies, read as part of it next time) or holds it
    (replacing the destination would delete the source)."""
    source_at, destination_at = source.resolve(), destination.resolve()
    if destination_at.is_relative_to(source_at) or source_at.is_relative_to(destination_at):
        raise ParameterError(
            "destination",
            f"a folder outside the source dataset {source} and not holding it",
            str(destination),
        )


def convert(
    source: str | Path | Dataset,
    destination: str | Path,
    *,
    customers_per_part: int = DEFAULT_CUSTOMERS_PER_PART,
    batch_rows: int | None = None,
) -> PartitionedDataset:
    """Write a dataset (a folder `load` reads, or a Dataset) as Parquet partitioned by district.

    A folder is typed and checked as `load` checks it, so a converted dataset always passed the
    checks. A folder of Parquet files, or a converted folder, is converted table by table, the
    tables keyed by customer in batches of `batch_rows` rows (`convert_stream`): memory follows
    the batch, not the data. A folder of CSV or Excel files, and a Dataset, are converted from
    memory. The checks across tables run on the written folder part by part (`part_checks`) and
    are recorded with the sha256 of every file.

    The destination is written under a temporary name and renamed when complete: it is either
    the whole converted dataset or absent; an existing destination is replaced only then.
    """
    from auditkit.data.convert_stream import DEFAULT_BATCH_ROWS, stream_tables, streams

    batch_rows = DEFAULT_BATCH_ROWS if batch_rows is None else batch_rows
    if batch_rows < 1:
        raise ParameterError("batch_rows", "a whole number ≥ 1", batch_rows)
    destination = Path(destination)
    if destination.exists() and not is_partitioned(destination):
        raise ParameterError(
            "destination",
            "a new folder or an earlier converted dataset (it is replaced)",
            f"{destination}, an existing folder of other files",
        )
    given = isinstance(source, Dataset)
    if not given and Path(source).is_dir():
        _refuse_nested(Path(source), destination)
    streamed = not given and streams(Path(source))
    dataset = None
    if given:
        dataset, origin = source, str(source.source or "(in-memory dataset)")
    else:
        folder = Path(source)
        origin = str(folder.resolve())
        if not streamed:
            dataset = Dataset.from_intake(read_folder(folder), folder)
    with folder_written_whole(destination) as staging:
        if dataset is None:
            manifest = stream_tables(Path(source), staging, customers_per_part, batch_rows)
            companions = Path(source)
        else:
            partitions, part_of_customer = assign_partitions(dataset.customers, customers_per_part)
            manifest = _write_tables(dataset, staging, partitions, part_of_customer)
            companions = dataset.source
        manifest |= {"source": origin, "customers_per_part": customers_per_part}
        _copy_companions(companions, staging)
        _write_manifest(staging, manifest)
        if not given:  # ours: freed before the written folder is checked (a Dataset given may
            del dataset  # not have been validated, and stays in its caller's memory)
            checked, problems = _checked_record(staging)
            if checked is None and streamed:  # an error across tables
                _refuse(Path(source), problems)
            if checked is not None:
                checked["manifest"] = manifest_digest(manifest)
                _write_manifest(staging, manifest | {"checked": checked})
    return PartitionedDataset(destination)


#: Rows of a source `convert` loads whole to name an error across tables in the source's own
#: files and rows (~250,000 customers' tables: a few GB); beyond, the parts written name it.
SOURCE_LOAD_ROWS = 10_000_000


def _refuse(source: Path, problems: list[Problem]) -> NoReturn:
    """Raise the DataValidationError of an error across tables found in the written parts: named
    in the source's files and rows (loading it as `load` does) where it is small enough to load,
    else in the part files written (`<table>/district=…/part-N.parquet row R`)."""
    if _source_rows(source) <= SOURCE_LOAD_ROWS:
        if is_partitioned(source):
            PartitionedDataset(source).dataset(validate=True, trust_recorded_checks=False)
        else:
            Dataset.from_intake(read_folder(source), source)
    raise DataValidationError(problems)


def _source_rows(source: Path) -> int:
    """Rows of every table of a Parquet or converted source, from the files' metadata."""
    if is_partitioned(source):
        converted = PartitionedDataset(source)
        return sum(converted.rows(table) for table in converted.table_info)
    return sum(pq.ParquetFile(path).metadata.num_rows for path in source.glob("*.parquet"))


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / MANIFEST_NAME).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def manifest_digest(manifest: Mapping[str, Any]) -> str:
    """The sha256 of a manifest's content but its checks record (keys sorted): recorded with the
    checks, so that a manifest edited since (its last period, a table or a column taken out, row
    counts) is refused on open instead of read as the data convert checked."""
    content = {key: value for key, value in manifest.items() if key != "checked"}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _checked_record(folder: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The written folder checked as an eager `load` of it would (its own part files and rows),
    part by part (`part_checks`), recorded with the sha256 of every file and the checks'
    version: a later load whose files hash the same trusts these checks instead of running them
    again. The record is None when the checks find an error (then every load checks, and
    reports it); the problems found come with it."""
    from auditkit.data.part_checks import check_by_parts

    written = PartitionedDataset(folder)
    problems = check_by_parts(written)
    if any(problem.severity == "error" for problem in problems):
        return None, problems
    record = {
        "checks": checks_version(),
        "files": file_digests(folder, written.files()),
        "problems": [asdict(problem) for problem in problems],
    }
    return record, problems


def _write_tables(
    dataset: Dataset, folder: Path, partitions: list[Partition], part_of_customer: np.ndarray
) -> dict[str, Any]:
    """Write every table; return the manifest's description of tables and partitions."""
    customer_ids = pd.Index(dataset.customers["customer_id"])
    tables: dict[str, Any] = {}
    rows_per_partition: dict[str, list[int]] = {}
    bytes_per_partition: dict[str, list[int]] = {}
    for name, frame in dataset.tables().items():
        columns = [str(column) for column in frame.columns]
        stored = frame.drop(columns="district") if name == "customers" else frame
        arrow = storage_table(stored, name)
        tables[name] = {
            "rows": len(frame),
            "columns": columns,
            "filled": [str(column) for column in frame.columns if frame[column].notna().any()],
            "layout": "partitioned" if name in PARTITIONED else "file",
        }
        if name not in PARTITIONED:
            tables[name]["bytes"] = write_file_table(arrow, folder, name)
            continue
        if name == "customers":
            part = part_of_customer
        else:
            position = customer_ids.get_indexer(frame["customer_id"])
            if (position < 0).any():
                row = int(np.flatnonzero(position < 0)[0])
                raise ParameterError(
                    f"{name} row {row + 1}: customer_id",
                    "a customer of the customers table (convert a validated dataset)",
                    frame["customer_id"].iloc[row],
                )
            part = part_of_customer[position]
        rows, sizes = write_partitions(arrow, part, partitions, folder, name)
        rows_per_partition[name], bytes_per_partition[name] = rows, sizes
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "tables": tables,
        "periods": _period_range(dataset.bills),
        "partitions": [
            {
                "district": partition.district,
                "part": partition.part,
                "rows": {name: rows[index] for name, rows in rows_per_partition.items()},
                "bytes": {name: sizes[index] for name, sizes in bytes_per_partition.items()},
            }
            for index, partition in enumerate(partitions)
        ],
    }


def storage_table(frame: pd.DataFrame, name: str) -> pa.Table:
    """The frame as Arrow with storage types: repeating text dictionary-encoded, dates as
    timestamps, integers as int64, numbers float64."""
    spec = TABLES[name]
    arrays, fields = [], []
    for column in frame.columns:
        series = frame[column]
        kind = spec.column(column).kind if column in spec.column_names else None
        if kind in ("text", "period") or (kind is None and pd.api.types.is_string_dtype(series)):
            array = _repeating_text(_text_array(series))
        elif kind in ("date", "datetime"):
            array = pa.array(series.to_numpy(dtype="datetime64[us]"), type=pa.timestamp("us"))
        elif kind == "integer":
            array = pa.array(series.astype("Int64"), type=pa.int64(), from_pandas=True)
        elif kind == "number":
            array = pa.array(series.to_numpy(dtype=float, na_value=np.nan), type=pa.float64())
        else:  # outside the contract: its own type (lists, records and bytes stay so)
            array = pa.array(series, from_pandas=True)
            if pa.types.is_string(array.type):
                array = _repeating_text(array)
        arrays.append(array)
        fields.append(pa.field(str(column), array.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _text_array(series: pd.Series) -> pa.Array:
    """Text as an Arrow string array: the typed text dtype's own Arrow buffers cast (typing
    gives it; 5 times faster than through Python strings), any other dtype through objects."""
    if series.dtype == TEXT_DTYPE:
        array = pa.array(series.array)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        return array.cast(pa.string())
    return pa.array(series.astype(object), type=pa.string(), from_pandas=True)


def _repeating_text(array: pa.Array) -> pa.Array:
    """Text dictionary-encoded when values repeat (a categorical pays), else as it is."""
    encoded = pc.dictionary_encode(array)
    return encoded if 2 * len(encoded.dictionary) <= len(array) else array


def _as_converted(handed_over: list[pa.Table], table: str) -> pd.DataFrame:
    """The columns as typed frames hold them, from the storage types `storage_table` writes
    (`_stored_as_converted` said they are), without checking cells again (columns outside the
    contract kept and placed as typing does).

    The Arrow table is handed over in a one-item list, so that no caller holds it: each column
    is taken out of it, converted, and its Arrow chunks freed before the next (the frame never
    doubles the table). Each column is converted once, without a copy where it can be: numbers
    and times keep the buffers Arrow read them into (`_own_numpy`), text goes from the files'
    dictionaries straight to the text dtype's own Arrow type, whole numbers straight to Int64
    (the tables of a part of 1.07 million bills: 0.13 s of CPU against 0.23 s through casts
    and copies)."""
    spec = TABLES[table]
    arrow = handed_over.pop()
    columns, extra = {}, {}
    for name in arrow.column_names:
        values = arrow.column(0)
        arrow = arrow.remove_column(0)
        if name in spec.column_names:
            columns[name] = _converted_column(values, spec.column(name).kind)
        else:
            extra[name] = extra_column(values)
        del values
    if extra:  # typing puts the contract's columns in its order, columns outside it after them
        columns = {name: columns[name] for name in spec.column_names if name in columns} | extra
    return pd.DataFrame(columns, copy=False)


def _stored_as_converted(schema: pa.Schema, table: str) -> bool:
    """Whether every column of `schema` is stored as `convert` writes a column of its kind
    (columns outside the contract named), so `_as_converted` can take them as they are."""
    spec = TABLES[table]
    return all(
        _convertible(field.type, spec.column(field.name).kind)
        if field.name in spec.column_names
        else bool(field.name)  # a column without a name: typing says what becomes of it
        for field in schema
    )


#: How `convert` stores a column of each kind other than text (`storage_table`).
_STORED_AS = {
    "date": pa.timestamp("us"),
    "datetime": pa.timestamp("us"),
    "number": pa.float64(),
    "integer": pa.int64(),
    "bool": pa.bool_(),
}


def _convertible(storage: pa.DataType, kind: str) -> bool:
    """A column of `kind` stored as `convert` writes it (`_converted_column` takes it so)."""
    if kind in ("text", "period"):
        return _is_stored_text(storage)
    return storage == _STORED_AS.get(kind)


def _converted_column(values: pa.ChunkedArray, kind: str) -> Any:
    """A column stored as `convert` writes a column of `kind` (`_convertible`), as typed frames
    hold it (a numpy array or an extension array), in one chunk.

    Text is cast file chunk by file chunk, then combined: cheaper than unifying the files'
    dictionaries first (the text of a part's bills: 40 ms against 47 ms)."""
    if kind in ("text", "period"):
        text = values.cast(pa.large_string())
        return pd.array(text.combine_chunks() if text.num_chunks > 1 else text, dtype=TEXT_DTYPE)
    if kind in ("date", "datetime"):
        return _own_numpy(values, np.dtype("datetime64[us]"))
    if kind == "number":
        return _own_numpy(values, np.dtype("float64"))
    if kind == "integer":
        return pd.Int64Dtype().__from_arrow__(values)
    return pc.fill_null(values, False).to_numpy(zero_copy_only=False)


def _own_numpy(values: pa.ChunkedArray, dtype: np.dtype) -> np.ndarray:
    """Numbers or times as a writable numpy array of `dtype`, nulls as NaN or NaT.

    A column in one chunk without nulls is its own Arrow buffer, when Arrow lets it be written
    (the reader's fresh buffers): the table was read for this frame alone, so the frame may own
    it without a copy, writable as frames are. Any other column is copied."""
    array = values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
    data = array.buffers()[1]
    if array.null_count == 0 and data is not None and data.is_mutable:
        return np.frombuffer(data, dtype, count=len(array), offset=array.offset * dtype.itemsize)
    return array.to_numpy(zero_copy_only=False).astype(dtype)


def _is_stored_text(storage: pa.DataType) -> bool:
    if pa.types.is_dictionary(storage):
        storage = storage.value_type
    return pa.types.is_string(storage)


def write_partitions(
    arrow: pa.Table, part: np.ndarray, partitions: list[Partition], folder: Path, name: str
) -> tuple[list[int], list[int]]:
    """One file per partition (empty partitions too, so every file carries the schema)."""
    order = np.argsort(part, kind="stable")
    bounds = np.searchsorted(part[order], np.arange(len(partitions) + 1))
    ordered = arrow.take(pa.array(order))

    def write(index: int) -> int:
        path = folder / partitions[index].relative_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        piece = ordered.slice(bounds[index], bounds[index + 1] - bounds[index])
        pq.write_table(piece, path, compression="zstd", row_group_size=1 << 20)
        return path.stat().st_size

    # Parquet writing releases the GIL
    with ThreadPoolExecutor(max_workers=GIL_FREE_THREADS) as pool:
        sizes = list(pool.map(write, range(len(partitions))))
    return np.diff(bounds).tolist(), sizes


def write_file_table(arrow: pa.Table, folder: Path, name: str) -> int:
    """Write a table not keyed by customer as one file; return its size (the manifest's)."""
    path = folder / f"{name}.parquet"
    pq.write_table(arrow, path, compression="zstd")
    return path.stat().st_size


def _period_range(bills: pd.DataFrame) -> dict[str, str | None]:
    periods = bills["period"].dropna()
    if periods.empty:
        return {"first": None, "last": None}
    return {"first": str(periods.min()), "last": str(periods.max())}


def _copy_companions(source: Path | None, folder: Path) -> None:
    """Copy each companion file of `source` that is a regular file (a link only to a file of
    its format, `not_a_regular_file`: a synthetic.json linked to /etc/shadow is not copied)."""
    if source is None:
        return
    for name in _COMPANION_FILES:
        path = Path(source) / name
        if path.exists() and not_a_regular_file(path, (path.suffix,), "its format") is None:
            shutil.copy2(path, folder / name)


# ------------------------------------------------------------------------------------------ reading


def valid_manifest(manifest: object, path: Path) -> dict[str, Any]:
    """The manifest read from `path`, or a ParameterError naming it and its first key not as
    `convert` writes it: the manifest chooses the paths read, which must be the folder's own
    (a table's name is a table of the contract, a part a whole number) and types checked here
    are relied on by every reader."""
    if not isinstance(manifest, dict):
        raise ParameterError(str(path), "a JSON object", type(manifest).__name__)
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise ParameterError(
            str(path),
            f"format {FORMAT} version {FORMAT_VERSION}",
            f"{manifest.get('format')} version {manifest.get('version')}",
        )
    tables = _entry(manifest, "tables", dict, path)
    for name, info in tables.items():
        _check_table_entry(name, info, path)
    partitioned = [name for name in tables if name in PARTITIONED]
    partitions = _entry(manifest, "partitions", list, path)
    for index, entry in enumerate(partitions):
        _check_partition_entry(entry, f"partitions[{index}]", partitioned, path)
    periods = _entry(manifest, "periods", dict, path)
    for end in ("first", "last"):
        if not isinstance(periods.get(end), str | None):
            raise _manifest_error(path, f"periods.{end}", "a period or null", periods.get(end))
    checked = manifest.get("checked")
    recorded = checked.get("manifest") if isinstance(checked, dict) else None
    if recorded is not None and recorded != manifest_digest(manifest):  # older folders: none
        raise ParameterError(
            str(path),
            "the manifest as convert wrote it (its sha256 is recorded under checked.manifest)",
            "one edited since (convert the data again rather than edit the manifest)",
        )
    return manifest


def _manifest_error(path: Path, key: str, expected: str, found: object) -> ParameterError:
    return ParameterError(f"{path} {key}", expected, found)


def _entry(mapping: Mapping[str, Any], key: str, kind: type, path: Path, where: str = "") -> Any:
    """`mapping[key]` when it is a `kind`; a ParameterError naming `where.key` otherwise."""
    value = mapping.get(key)
    if not isinstance(value, kind):
        found = "no such key" if key not in mapping else value
        raise _manifest_error(path, f"{where}{key}", f"a JSON {_JSON_KINDS[kind]}", found)
    return value


_JSON_KINDS = {dict: "object", list: "array", int: "whole number"}


def _count(mapping: Mapping[str, Any], key: str, path: Path, where: str) -> int:
    """`mapping[key]` as a whole number ≥ 0 (a bool or text refused)."""
    value = mapping.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        found = "no such key" if key not in mapping else value
        raise _manifest_error(path, f"{where}{key}", "a whole number ≥ 0", found)
    return value


def _check_table_entry(name: str, info: object, path: Path) -> None:
    where = f"tables.{name}"
    if name not in TABLES:
        raise _manifest_error(path, "tables", f"tables among {', '.join(TABLES)}", name)
    if not isinstance(info, dict):
        raise _manifest_error(path, where, "a JSON object", info)
    _count(info, "rows", path, f"{where}.")
    for key in ("columns", "filled"):
        names = _entry(info, key, list, path, f"{where}.")
        if not all(isinstance(column, str) for column in names):
            raise _manifest_error(path, f"{where}.{key}", "column names", names)
    layout = "partitioned" if name in PARTITIONED else "file"
    if info.get("layout") != layout:
        raise _manifest_error(path, f"{where}.layout", layout, info.get("layout"))
    if layout == "file" and "bytes" in info:
        _count(info, "bytes", path, f"{where}.")


def _check_partition_entry(entry: object, where: str, tables: list[str], path: Path) -> None:
    if not isinstance(entry, dict):
        raise _manifest_error(path, where, "a JSON object", entry)
    district = entry.get("district")
    if not isinstance(district, str) or not district:
        raise _manifest_error(path, f"{where}.district", "a district name", district)
    _count(entry, "part", path, f"{where}.")
    for key in ("rows", "bytes"):
        counts = _entry(entry, key, dict, path, f"{where}.")
        if sorted(counts) != sorted(tables):
            expected = f"the partitioned tables of tables ({', '.join(tables)})"
            raise _manifest_error(path, f"{where}.{key}", expected, ", ".join(counts))
        for table in tables:
            _count(counts, table, path, f"{where}.{key}.")


class PartitionedDataset:
    """A converted dataset opened without reading it: partitions, dask frames, eager reads.

    Opening checks the manifest and that every file is there with its recorded size, so a
    truncated or missing file is an error before any work starts, never a silently short result.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        manifest_path = self.root / MANIFEST_NAME
        refused = not_a_regular_file(manifest_path, (".json",), "JSON")
        if refused is not None:  # a link to another file is refused unread, as columns.yaml
            raise ParameterError(
                "path", f"a converted dataset folder with {MANIFEST_NAME}", f"{root} ({refused})"
            )
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise ParameterError(
                "path", f"a converted dataset folder with {MANIFEST_NAME}", f"{root} ({error})"
            ) from None
        self.manifest = valid_manifest(manifest, manifest_path)
        self._check_files()

    def __repr__(self) -> str:
        rows = ", ".join(f"{name}={t['rows']:,} rows" for name, t in self.table_info.items())
        return f"PartitionedDataset({self.root}; {len(self.partitions)} partitions; {rows})"

    def __reduce__(self) -> tuple[type, tuple[str]]:
        # workers reopen it from the (shared) folder, by its absolute path: a relative one would
        # be read from their own working folder
        return (type(self), (str(self.root.absolute()),))

    @property
    def table_info(self) -> dict[str, dict[str, Any]]:
        """Per table present: rows, columns (original order), filled columns, layout."""
        return self.manifest["tables"]

    @property
    def partitions(self) -> list[Partition]:
        """Every partition, districts in sorted order, parts in order."""
        return [Partition(p["district"], p["part"]) for p in self.manifest["partitions"]]

    @property
    def districts(self) -> list[str]:
        """Sorted names of the districts serving the customers."""
        return sorted({partition.district for partition in self.partitions})

    @property
    def periods(self) -> tuple[str | None, str | None]:
        """The first and last billing period of the bills."""
        return self.manifest["periods"]["first"], self.manifest["periods"]["last"]

    def rows(self, table: str, partitions: Iterable[Partition] | None = None) -> int:
        """Rows of `table` in all partitions (or in the given ones)."""
        if table not in self.table_info:
            return 0
        if partitions is None or self.table_info[table]["layout"] == "file":
            return int(self.table_info[table]["rows"])
        wanted = {(p.district, p.part) for p in partitions}
        return sum(
            p["rows"][table]
            for p in self.manifest["partitions"]
            if (p["district"], p["part"]) in wanted
        )

    def _check_files(self) -> None:
        """Raise DataValidationError listing every file missing or not of its written size."""
        problems = []
        for entry in self.manifest["partitions"]:
            partition = Partition(entry["district"], entry["part"])
            for table, size in entry["bytes"].items():
                problems.extend(self._file_problem(partition.relative_path(table), size, table))
        for table, info in self.table_info.items():
            if info["layout"] == "file":  # sizes recorded since they are checked (older: none)
                problems.extend(self._file_problem(f"{table}.parquet", info.get("bytes"), table))
        if problems:
            raise DataValidationError(problems)

    def _file_problem(self, relative: str, size: int | None, table: str) -> list[Problem]:
        path = self.root / relative
        if not path.is_file():
            return [
                Problem(
                    relative, None, None, f"a file listed in {MANIFEST_NAME}", "none", table=table
                )
            ]
        if size is not None and path.stat().st_size != size:
            found = f"{path.stat().st_size:,} bytes: the file was changed or truncated"
            return [
                Problem(
                    relative,
                    None,
                    None,
                    f"{size:,} bytes as written by convert",
                    found,
                    table=table,
                )
            ]
        return []

    # ----------------------------------------------------------------------------- pandas reads

    def read_arrow(
        self,
        table: str,
        partitions: Sequence[Partition] | None = None,
        columns: Sequence[str] | None = None,
    ) -> tuple[pa.Table, list[str]]:
        """Arrow rows of `table` from the given partitions (all by default), columns in their
        original order (customers get their district back), and the file each row block came from.

        Each file's bytes are hashed as they are read against the sha256 `convert` recorded
        (when it recorded them): DataValidationError naming the first file that differs.
        """
        with _changed_refused(table):
            return self._read_arrow(table, partitions, columns, self.checked_digests())

    def _read_arrow(
        self,
        table: str,
        partitions: Sequence[Partition] | None = None,
        columns: Sequence[str] | None = None,
        digests: Mapping[str, str] | None = None,
        one_chunk: bool = True,
    ) -> tuple[pa.Table, list[str]]:
        """`read_arrow`; with `digests`, each file's bytes are hashed as they are read and
        NotAsRecorded is raised at the first whose sha256 differs from its digest there. Without
        `one_chunk` the columns are left in the files' chunks (`read` combines them as it
        converts them)."""
        info = self.table_info[table]
        wanted = list(info["columns"]) if columns is None else list(columns)
        unknown = [column for column in wanted if column not in info["columns"]]
        if unknown:
            raise ParameterError(
                f"{table} columns", f"columns among {', '.join(info['columns'])}", unknown
            )
        if info["layout"] == "file":
            relative = f"{table}.parquet"
            return _read_file(self.root, relative, table, wanted, digests), [relative]
        chosen = self.partitions if partitions is None else list(partitions)
        stored = [
            column for column in wanted if not (table == "customers" and column == "district")
        ]
        pieces, files = [], []
        for partition in chosen:
            relative = partition.relative_path(table)
            piece = _read_file(self.root, relative, table, stored, digests)
            if "district" in wanted and table == "customers":
                district = pa.array([partition.district] * piece.num_rows, pa.string())
                piece = piece.append_column("district", district).select(wanted)
            pieces.append(piece)
            files.append(relative)
        if not pieces:
            schema = pq.read_schema(self.root / self.partitions[0].relative_path(table))
            return schema.empty_table().select(stored), files
        try:
            combined = pa.concat_tables(pieces, promote_options="permissive")
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            raise DataValidationError(_unlike_pieces(pieces, files, table)) from None
        pieces.clear()
        return (_one_chunk_per_column(combined) if one_chunk else combined), files

    def read(
        self,
        table: str,
        partitions: Sequence[Partition] | None = None,
        columns: Sequence[str] | None = None,
        keep: Callable[[pa.Table], pa.ChunkedArray] | None = None,
        check_cells: bool = True,
    ) -> pd.DataFrame:
        """`table` as a typed DataFrame (contract dtypes, as `load` gives) without cross checks.

        `keep` maps the Arrow rows read to a boolean mask of the rows wanted: only those are
        typed (engines read a few months of bills, or a few customers, this way). Cells are
        typed one by one, so a file edited since conversion cannot slip a wrong value through;
        raises DataValidationError naming the file and row. Without `check_cells`, the bytes
        read are those `convert` checked (each file hashed as it is read against the sha256
        recorded: DataValidationError naming the first that differs) and columns stored exactly
        as `convert` writes them are taken as it checked them (the rules engine reads each part
        so), columns outside the contract as typing keeps them; a contract column stored
        otherwise still makes the whole table typed and checked. A folder without recorded
        checks (converted from a Dataset in memory) is taken by its sizes alone.
        """
        digests = None if check_cells else self.checked_digests()
        # Taken as stored, the columns are combined one by one as they are converted.
        with _changed_refused(table):
            arrow, files = self._read_arrow(table, partitions, columns, digests, check_cells)
        mask = None if keep is None else keep(arrow)
        if mask is not None:
            arrow = arrow.filter(mask)
        if not check_cells:
            if _stored_as_converted(arrow.schema, table):
                handed_over = [arrow]
                del arrow
                return _as_converted(handed_over, table)
            arrow = _one_chunk_per_column(arrow)
            mask = None if mask is None else mask.combine_chunks()
        rows = RowIndex(first_row=1)
        if mask is not None:  # problems name the rows kept by their numbers in the files
            kept = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
            rows = RowIndex(first_row=1, numbers=kept + 1)
        file_rows = self.file_rows(table, partitions)
        typed, problems = typed_arrow(
            arrow, table, files, file_rows, some_columns=columns is not None, rows=rows
        )
        errors = [problem for problem in problems if problem.severity == "error"]
        if typed is None or errors:
            raise DataValidationError(problems)
        return typed.frame

    def file_rows(self, table: str, partitions: Sequence[Partition] | None) -> list[int]:
        """Rows of each file of `table` (of `partitions`, every partition by default), from the
        manifest, in file order."""
        if self.table_info[table]["layout"] == "file":
            return [int(self.table_info[table]["rows"])]
        chosen = {(p.district, p.part) for p in (partitions or self.partitions)}
        return [
            entry["rows"][table]
            for entry in self.manifest["partitions"]
            if (entry["district"], entry["part"]) in chosen
        ]

    def dataset(
        self,
        partitions: Sequence[Partition] | None = None,
        validate: bool = True,
        district: str | None = None,
        trust_recorded_checks: bool = True,
    ) -> Dataset:
        """An eager Dataset of the given partitions (all by default), typed like `load` does.

        With `validate` the keys, references, tariff validity and kWh are checked as well (on the
        partitions read, with the whole tariff schedule). `district` keeps only that district's
        rows of the district-keyed tables (district_supply).

        The whole folder validated is read without checking again when `convert` recorded its
        checks and every file still has the recorded sha256 (and the checks their version): the
        columns as stored, the warnings as recorded — the Dataset a full check gives. Any other
        file content (one byte), a file added or missing, or other checking code, and every cell
        and table is checked as above; `trust_recorded_checks=False` always checks.
        """
        record = self._recorded_checks() if trust_recorded_checks else None
        if validate and partitions is None and district is None and record is not None:
            try:
                return self._read_dataset(None, None, record)
            except NotAsRecorded:  # a file is not the one checked: check everything
                pass
        return self._read_dataset(partitions, district, None, validate=validate)

    def _read_dataset(
        self,
        partitions: Sequence[Partition] | None,
        district: str | None,
        record: dict[str, Any] | None,
        validate: bool = True,
    ) -> Dataset:
        """Read and type every table; check them (`validate`), or with the `record` of the
        checks `convert` ran, take its warnings for theirs (each file's bytes hashed as read:
        NotAsRecorded at the first that differs)."""
        digests = None if record is None else record["files"]
        intake = Intake()
        for table in self.table_info:
            arrow, files = self._read_arrow(table, partitions, digests=digests)
            if district is not None and table in DISTRICT_KEYED:
                arrow = arrow.filter(pc.equal(arrow["district"].cast(pa.string()), district))
            typed, table_problems = typed_arrow(
                arrow, table, files, self.file_rows(table, partitions)
            )
            intake.problems.extend(table_problems)
            intake.sources[table] = TableSource(_file_label(table, files), "parquet")
            if typed is not None:
                intake.tables[table] = typed
        if record is not None:  # the same bytes, typed the same: the warnings recorded
            intake.problems = [Problem(**problem) for problem in record["problems"]]
        elif validate:
            intake.problems.extend(locate_checks(check_tables(intake.tables), self, partitions))
        return Dataset.from_intake(intake, self.root)

    def files(self) -> list[str]:
        """Every table file of the folder, relative to it (part files in partition order)."""
        return [
            _relative(table, partition)
            for table, info in self.table_info.items()
            for partition in ([None] if info["layout"] == "file" else self.partitions)
        ]

    def checked_digests(self) -> dict[str, str] | None:
        """The sha256 of every file as `convert` checked it (whatever the checking code's
        version: the bytes are the ones checked), or None when it recorded none for exactly the
        files of this folder."""
        return self._checked_digests

    @cached_property
    def _checked_digests(self) -> dict[str, str] | None:
        # Worked out once: every file read asks (the manifest is not changed once read).
        record = self.manifest.get("checked")
        if not isinstance(record, dict) or not isinstance(record.get("files"), dict):
            return None
        return record["files"] if set(record["files"]) == set(self.files()) else None

    def _recorded_checks(self) -> dict[str, Any] | None:
        """The checks `convert` recorded, when recorded by this checking code for exactly the
        files of this folder (None otherwise: then everything is checked)."""
        record = self.manifest.get("checked")
        if not record or record.get("checks") != checks_version():
            return None
        return record if set(record["files"]) == set(self.files()) else None

    def require_district(self, name: str) -> None:
        """Raise ParameterError naming `name` and the known districts unless it is one of them
        (as `Dataset.require_district`; nothing is read)."""
        if name not in self.districts:
            raise ParameterError("district", f"one of {', '.join(self.districts)}", name)

    def for_district(self, name: str, validate: bool = True) -> Dataset:
        """One district's customers with their bills, orders, reads ... (tariffs whole), eager.

        Reads only that district's files. Raises ParameterError for an unknown district.
        """
        self.require_district(name)
        chosen = [partition for partition in self.partitions if partition.district == name]
        dataset = self.dataset(chosen, validate=validate, district=name)
        if dataset.network_supply is None or dataset.customers is None:
            return dataset
        supply = supply_of_units(dataset.network_supply, dataset.customers)
        return replace(dataset, network_supply=supply)

    # ------------------------------------------------------------------------------- dask reads

    def frame(self, table: str, columns: Sequence[str] | None = None) -> dask.dataframe.DataFrame:
        """A lazy dask DataFrame of `table` over every partition (nothing is read until computed).

        Only the files the manifest lists are read (a stray file in the folder is no part of the
        table), each hashed as it is read against the sha256 `convert` recorded, as the eager
        reads do. Partitioned tables carry the district of their customer as a categorical
        column (last, or where `columns` asks for it) from the manifest; repeating text columns
        come back as categoricals, numbers as float64.
        """
        import dask.dataframe as dd
        from dask.dataframe.utils import clear_known_categories

        if table not in self.table_info:
            raise ParameterError(
                "table", f"a table of this dataset ({', '.join(self.table_info)})", table
            )
        partitioned = self.table_info[table]["layout"] != "file"
        available = list(self.table_info[table]["columns"])  # customers list their district
        if partitioned and "district" not in available:
            available.append("district")
        wanted = available if columns is None else list(columns)
        unknown = [column for column in wanted if column not in available]
        if unknown or len(set(wanted)) < len(wanted):
            expected = f"distinct columns of {table} ({', '.join(available)})"
            raise ParameterError("columns", expected, ", ".join(unknown) or wanted)
        pieces = _FramePieces(self, table, wanted)
        parts = self.partitions if partitioned else [None]
        schema = pq.read_schema(self.root / _relative(table, parts[0]))
        meta = pieces.empty(schema)
        per_file = [c for c in pieces.stored if c in meta and meta[c].dtype == "category"]
        return dd.from_map(pieces, parts, meta=clear_known_categories(meta, per_file))


def _relative(table: str, partition: Partition | None) -> str:
    """The file of `table` in `partition` (its single file for a table laid out as one)."""
    return f"{table}.parquet" if partition is None else partition.relative_path(table)


class _FramePieces:
    """The pandas frame of one listed file of a table: a partition of `PartitionedDataset.frame`
    (dask pushes a column selection into `columns`)."""

    def __init__(self, dataset: PartitionedDataset, table: str, columns: list[str]) -> None:
        self.dataset, self.table, self.columns = dataset, table, columns
        self.stored = [column for column in columns if column != "district"]
        self.districts = dataset.districts

    def empty(self, schema: pa.Schema) -> pd.DataFrame:
        """The frame's columns and types, none of its rows (from a file's schema, no data read)."""
        present = [column for column in self.stored if column in schema.names]
        frame = schema.empty_table().select(present).to_pandas()
        wanted = [column for column in self.columns if column in present or column == "district"]
        return self._with_district(frame, None, wanted)

    def __call__(
        self, partition: Partition | None, columns: list[str] | None = None
    ) -> pd.DataFrame:
        wanted = self.columns if columns is None else [c for c in self.columns if c in columns]
        stored = [column for column in wanted if column != "district"]
        relative = _relative(self.table, partition)
        frame = read_checked_file(self.dataset, relative, self.table, stored).to_pandas()
        return self._with_district(frame, partition, wanted)

    def _with_district(
        self, frame: pd.DataFrame, partition: Partition | None, wanted: list[str]
    ) -> pd.DataFrame:
        """`frame` with the district of `partition` as a column (when wanted), in `wanted` order."""
        if "district" in wanted:
            code = -1 if partition is None else self.districts.index(partition.district)
            codes = np.full(len(frame), code, dtype=np.int32)
            frame["district"] = pd.Categorical.from_codes(codes, categories=self.districts)
        return frame[wanted]


def _one_chunk_per_column(table: pa.Table) -> pa.Table:
    """`table` with each column in one chunk (the files' dictionaries unified), freeing each
    column's chunks once combined: typing a column of many chunks (one or two per part file) was
    five times slower than combining it first (bills of 200,000 customers in 6 parts: 9.6 s
    against 0.5 s + 1.8 s)."""
    names, columns = table.column_names, []
    while table.num_columns:
        column = table.column(0)
        table = table.remove_column(0)
        columns.append(column.combine_chunks() if column.num_chunks > 1 else column)
        del column
    return pa.Table.from_arrays(columns, names=names)


@contextmanager
def _changed_refused(table: str) -> Iterator[None]:
    """A NotAsRecorded raised inside (a file's bytes are not those whose checks were recorded)
    as the DataValidationError naming the file (`changed_file`)."""
    try:
        yield
    except NotAsRecorded as changed:
        raise DataValidationError([changed_file(str(changed), table)]) from None


def changed_file(relative: str, table: str) -> Problem:
    """The problem of a file whose bytes are not those `convert` checked."""
    return Problem(
        relative,
        None,
        None,
        f"the bytes convert checked (the sha256 {MANIFEST_NAME} records)",
        "other bytes: the file was changed since conversion (convert the source again)",
        table=table,
    )


def _read_file(
    root: Path,
    relative: str,
    table: str,
    columns: list[str],
    digests: Mapping[str, str] | None = None,
) -> pa.Table:
    """The columns of one Parquet file; DataValidationError naming it when it is not readable.

    With `digests`, the bytes read are those hashed (`hashed_files.checked_bytes`, once in a
    process): NotAsRecorded when their sha256 is not `digests[relative]`, so no file edited
    since conversion can be taken for the one checked.
    """
    opened = (
        nullcontext(root / relative)
        if digests is None
        else checked_bytes(root, relative, digests.get(relative))
    )
    try:
        with opened as source:
            file = pq.ParquetFile(source)
            _check_columns(file.schema_arrow.names, relative, table, columns)
            return file.read(columns=columns)
    except (pa.ArrowException, OSError) as error:
        found = f"a file that is not one ({error})"
        raise DataValidationError(
            [Problem(relative, None, None, "a Parquet file", found, table=table)]
        ) from None


def _check_columns(stored: list[str], relative: str, table: str, columns: list[str]) -> None:
    """DataValidationError naming the file and column when a column the manifest lists is not
    in it, or a part file holds its own district (its folder name is the district)."""
    missing = [column for column in columns if column not in stored]
    if missing:
        expected = f"a column {missing[0]}, as {MANIFEST_NAME} lists for {table}"
        problem = Problem(relative, None, missing[0], expected, "no such column", table=table)
        raise DataValidationError([problem])
    if table in PARTITIONED and "district" in stored:
        expected = "no district column (a part's district is its folder's name)"
        problem = Problem(relative, None, "district", expected, "one", table=table)
        raise DataValidationError([problem])


def read_checked_file(
    dataset: PartitionedDataset, relative: str, table: str, columns: list[str]
) -> pa.Table:
    """The columns of one file of `dataset`, its bytes hashed as read against the sha256
    `convert` recorded (`checked_digests`, when recorded): DataValidationError naming the file
    when they differ or it is not readable."""
    with _changed_refused(table):
        return _read_file(dataset.root, relative, table, columns, dataset.checked_digests())


def _unlike_pieces(pieces: list[pa.Table], files: list[str], table: str) -> list[Problem]:
    """Why partition files of one table do not combine: a column that cannot be typed (several
    values per cell), or else the first file whose column types differ from the first file's."""
    spec = TABLES[table]
    problems = []
    for piece, relative in zip(pieces, files, strict=True):
        for name in piece.column_names:
            if name not in spec.column_names:
                continue
            ready = typable(piece.column(name), spec.column(name).kind)
            if isinstance(ready, Untypable):
                problems.append(
                    Problem(relative, None, name, ready.expected, ready.found, table=table)
                )
    if problems:
        return problems
    first = pieces[0].schema
    odd = next(index for index, piece in enumerate(pieces) if not piece.schema.equals(first))
    expected = f"the column types of {files[0]} ({first.to_string(show_schema_metadata=False)})"
    found = pieces[odd].schema.to_string(show_schema_metadata=False)
    return [Problem(files[odd], None, None, expected, found, table=table)]


def typed_arrow(
    arrow: pa.Table,
    table: str,
    files: list[str],
    file_rows: list[int],
    some_columns: bool = False,
    rows: RowIndex | None = None,
) -> tuple[TypedTable | None, list[Problem]]:
    """Type an Arrow table as the loader types a Parquet file; problems name the part file and
    its own row number (`rows` numbers the rows across all files when some were left out)."""
    rows = RowIndex(first_row=1) if rows is None else rows
    raw = RawTable(arrow, rows, _file_label(table, files), "parquet")
    spec = TABLES[table]
    if some_columns:  # type the columns asked for; keys and references are checked on whole tables
        kept = tuple(column for column in spec.columns if column.name in arrow.column_names)
        spec = replace(spec, columns=kept, key=(), references=())
    typed, problems = type_table(raw, spec)
    return typed, [_located(problem, files, file_rows) for problem in problems]


def _file_label(table: str, files: list[str]) -> str:
    return files[0] if len(files) == 1 else f"{table}/ ({len(files)} partition files)"


def _located(problem: Problem, files: list[str], file_rows: list[int]) -> Problem:
    """A problem whose row counts across all part files, re-pointed at its own file and row."""
    if problem.row is None or len(files) < 2:
        return problem
    ends = np.cumsum(file_rows)
    index = int(np.searchsorted(ends, problem.row, side="left"))
    start = int(ends[index - 1]) if index else 0
    return replace(problem, file=files[index], row=problem.row - start)


def locate_checks(
    problems: list[Problem], dataset: PartitionedDataset, partitions: Sequence[Partition] | None
) -> list[Problem]:
    """Re-point cross-check problems (rows counted over a whole table) at their part files."""
    located = []
    for problem in problems:
        table = problem.table
        if table in dataset.table_info and dataset.table_info[table]["layout"] == "partitioned":
            chosen = dataset.partitions if partitions is None else list(partitions)
            files = [partition.relative_path(table) for partition in chosen]
            problem = _located(problem, files, dataset.file_rows(table, partitions))
        located.append(problem)
    return located


def load_partitioned(
    path: str | Path, *, validate: bool = True, lazy: bool = False
) -> Dataset | PartitionedDataset:
    """Read a converted dataset: a validated Dataset, or with `lazy` the unread PartitionedDataset.

    `auditkit.data.load(path, lazy=...)` calls this for folders made by `convert`.
    """
    if not is_partitioned(path):
        raise ParameterError(
            "path",
            f"a dataset folder converted by `auditkit convert` (with {MANIFEST_NAME}) to read "
            "lazily",
            f"{path}, which has none: run `auditkit convert {path} DESTINATION` first",
        )
    partitioned = PartitionedDataset(path)
    return partitioned if lazy else partitioned.dataset(validate=validate)

"""Read one table file (CSV, XLSX or Parquet) into an Arrow table plus the rows a user would see.

Readers do not interpret values: CSV and XLSX cells arrive as text (XLSX numbers and dates are
written the way the CSV export would show them), Parquet keeps its own types. Typing and checks
happen afterwards, identically for every format (see `convert`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from auditkit.data.encoding import (
    SAMPLE_BYTES,
    Encoding,
    EncodingFailure,
    scan_encoding,
    sniff_encoding,
)
from auditkit.data.problems import Problem
from auditkit.data.schema import Kind

FORMATS = (".csv", ".xlsx", ".parquet")
# Parquet columns read at once: each is decoded by one thread, and each in flight is held twice
# (its row batches and their combination) until it is combined.
_PARQUET_READERS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class RowIndex:
    """Maps positions in a loaded table back to the row numbers the user sees in the file.

    `first_row` is the number of the first data row (2 under a header, 1 for Parquet and frames);
    `numbers` is set only when rows were dropped (blank or malformed rows), and then gives the row
    number of every kept row.
    """

    first_row: int
    numbers: np.ndarray | None = None

    def of(self, positions: np.ndarray) -> np.ndarray:
        """Row numbers of the given 0-based positions."""
        if self.numbers is not None:
            return self.numbers[positions]
        return positions + self.first_row


@dataclass(frozen=True)
class RawTable:
    """One table as read: columns named as in the file, values not yet typed."""

    data: pa.Table
    rows: RowIndex
    file: str
    format: str
    encoding: str | None = None


class ReadFailure(Exception):
    """Internal signal: the file cannot be read at all; `.problem` says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_table(path: Path, table: str, kind_of: Callable[[str], Kind | None]) -> RawTable:
    """Read `path` by its extension; `kind_of(file column name)` guides how XLSX cells are written.

    Raises ReadFailure when the file is empty, undecodable or not of its format.
    """
    if path.stat().st_size == 0:
        raise ReadFailure(
            _file_problem(path, table, "a header row naming the columns", "an empty file")
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, table)
    if suffix == ".xlsx":
        return _read_xlsx(path, table, kind_of)
    return _read_parquet(path, table)


def _file_problem(
    path: Path, table: str, expected: str, found: str, row: int | None = None
) -> Problem:
    return Problem(
        file=path.name, row=row, column=None, expected=expected, found=found, table=table
    )


# ---------------------------------------------------------------------------------------------- CSV


def _read_csv(path: Path, table: str) -> RawTable:
    """Read a CSV export: fast path first, careful path when anything looks wrong.

    The fast path trusts the first megabyte's encoding and splits the file at newlines for
    parallel parsing. If bytes later fail to decode, the whole file decides the encoding; if rows
    come out malformed, the file is parsed again allowing newlines inside quoted values before
    any row is reported as malformed.
    """
    try:
        encoding = sniff_encoding(path)
        names = _header(path, table, encoding)
        try:
            data, malformed = _arrow_csv(path, names, encoding, quoted_newlines=False)
        except (pa.ArrowInvalid, UnicodeDecodeError):
            encoding = scan_encoding(path)
            names = _header(path, table, encoding)
            data, malformed = _careful_csv(path, table, names, encoding)
        else:
            if malformed:
                data, malformed = _careful_csv(path, table, names, encoding)
    except EncodingFailure as failure:
        raise ReadFailure(
            _file_problem(path, table, failure.expected, failure.found, row=failure.row)
        ) from None
    rows = RowIndex(first_row=2)
    problems: list[Problem] = []
    if malformed:
        rows, problems = _locate_malformed(path, table, encoding, len(names))
    data, rows = _drop_blank_rows(data.rename_columns([name.strip() for name in names]), rows)
    raw = RawTable(data, rows, path.name, "csv", encoding.label)
    if problems:
        raise MalformedRows(raw, problems)
    return raw


def _header(path: Path, table: str, encoding: Encoding) -> list[str]:
    """The header's column names, decoded and parsed with the csv module from the file's head."""
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    text = head.decode(encoding.codec, errors="ignore").lstrip("\ufeff")
    names = next(csv.reader(io.StringIO(text)), [])
    if not any(name.strip() for name in names):
        raise ReadFailure(
            _file_problem(path, table, "a header row naming the columns", "an empty first row", 1)
        )
    return names


def _careful_csv(
    path: Path, table: str, names: list[str], encoding: Encoding
) -> tuple[pa.Table, int]:
    try:
        return _arrow_csv(path, names, encoding, quoted_newlines=True)
    except pa.ArrowInvalid as error:
        raise ReadFailure(
            _file_problem(path, table, "a CSV file", f"text that is not CSV ({error})")
        ) from None


def _arrow_csv(
    path: Path, names: list[str], encoding: Encoding, quoted_newlines: bool
) -> tuple[pa.Table, int]:
    """All columns as text (empty cells null), and how many rows had a wrong field count."""
    malformed = 0

    def skip_malformed(row: pa_csv.InvalidRow) -> str:
        nonlocal malformed
        malformed += 1
        return "skip"

    data = pa_csv.read_csv(
        path,
        read_options=pa_csv.ReadOptions(encoding=encoding.codec, column_names=names, skip_rows=1),
        parse_options=pa_csv.ParseOptions(
            newlines_in_values=quoted_newlines,
            ignore_empty_lines=False,
            invalid_row_handler=skip_malformed,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    return data, malformed


class MalformedRows(Exception):
    """Rows with the wrong number of fields were dropped; `.raw` holds the usable rest.

    The caller reports `.problems` and may still check the kept rows, with correct row numbers.
    """

    def __init__(self, raw: RawTable, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} malformed rows")
        self.raw = raw
        self.problems = problems


def _drop_blank_rows(data: pa.Table, rows: RowIndex) -> tuple[pa.Table, RowIndex]:
    """Drop rows whose cells are all empty (blank lines, `,,,` lines) keeping true row numbers."""
    if data.num_columns == 0 or data.column(0).null_count == 0:
        return data, rows
    blank = pc.is_null(data.column(0))
    for column in data.columns[1:]:
        blank = pc.and_(blank, pc.is_null(column))
    blank_mask = blank.to_numpy(zero_copy_only=False)
    if not blank_mask.any():
        return data, rows
    kept = np.flatnonzero(~blank_mask)
    numbers = rows.of(kept)
    return data.take(pa.array(kept)), RowIndex(rows.first_row, numbers)


def _locate_malformed(
    path: Path, table: str, encoding: Encoding, width: int
) -> tuple[RowIndex, list[Problem]]:
    """Find the row numbers of records with a wrong field count (slow path, only on bad files).

    Arrow drops such records without saying where they were, so the file is re-read record by
    record to report each one and to number the kept rows as a spreadsheet would.
    """
    kept: list[int] = []
    problems: list[Problem] = []
    with path.open(encoding=encoding.codec, newline="") as handle:
        records = csv.reader(handle)
        next(records, None)
        for row_number, fields in enumerate(records, start=2):
            if fields and len(fields) != width:
                problems.append(
                    _file_problem(
                        path,
                        table,
                        f"{width} fields as in the header",
                        f"{len(fields)} fields: {','.join(fields)[:80]!r}",
                        row=row_number,
                    )
                )
            else:
                kept.append(row_number)
    return RowIndex(first_row=2, numbers=np.asarray(kept, dtype=np.int64)), problems


# --------------------------------------------------------------------------------------------- XLSX


def _read_xlsx(path: Path, table: str, kind_of: Callable[[str], Kind | None]) -> RawTable:
    """The first worksheet, row 1 as header; fully empty rows are skipped but keep their number."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        reason = str(error) or type(error).__name__
        raise ReadFailure(
            _file_problem(
                path, table, "an Excel .xlsx workbook", f"a file that is not one ({reason})"
            )
        ) from None
    try:
        sheet = workbook.worksheets[0]
        cells = sheet.iter_rows(values_only=True)
        header = next(cells, None)
        if header is None or not any(_is_filled(value) for value in header):
            raise ReadFailure(
                _file_problem(
                    path, table, "a header row naming the columns", "an empty first row", 1
                )
            )
        names = ["" if value is None else str(value).strip() for value in header]
        writers = [_cell_writer(kind_of(name)) for name in names]
        columns: list[list[str | None]] = [[] for _ in names]
        kept: list[int] = []
        for row_number, values in enumerate(cells, start=2):
            while len(values) > len(names):  # cells right of the header: an unnamed column
                names.append("")
                writers.append(_cell_writer(None))
                columns.append([None] * len(kept))
            texts = [write(value) for write, value in zip(writers, values, strict=False)]
            if not any(texts):
                continue
            texts.extend([None] * (len(names) - len(texts)))
            for column, text in zip(columns, texts, strict=True):
                column.append(text)
            kept.append(row_number)
    finally:
        workbook.close()
    data = pa.table({f"{i}": pa.array(values, pa.string()) for i, values in enumerate(columns)})
    data = data.rename_columns(names)
    return RawTable(data, RowIndex(2, np.asarray(kept, dtype=np.int64)), path.name, "xlsx")


def _is_filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _cell_writer(kind: Kind | None) -> Callable[[object], str | None]:
    """How an XLSX cell is written as text, as a CSV export of the same sheet would show it.

    Whole numbers lose the `.0` Excel adds (account numbers stay `3100012345`), dates become
    `YYYY-MM-DD`, and a first-of-month date in a period column becomes `YYYY-MM` (Excel turns a
    typed `2024-01` into a date). Anything else keeps its text, so checks report it as found.
    """

    def write(value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
                return str(int(value))
            return repr(value)
        if isinstance(value, dt.datetime):
            if value.time() == dt.time(0):
                if kind == "period" and value.day == 1:
                    return value.strftime("%Y-%m")
                return value.strftime("%Y-%m-%d")
            return value.isoformat(sep=" ")
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value)
        return text if text.strip() else None

    return write


# ------------------------------------------------------------------------------------------ Parquet


def _read_parquet(path: Path, table: str) -> RawTable:
    """Parquet keeps its types; text columns are read as dictionaries (fast, and codes for free)."""
    try:
        schema = pq.read_schema(path)
        text_columns = [
            field.name
            for field in schema
            if pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
        ]
        data = read_parquet_columns(path, text_columns)
    except (pa.ArrowException, OSError) as error:
        raise ReadFailure(
            _file_problem(path, table, "a Parquet file", f"a file that is not one ({error})")
        ) from None
    data = data.rename_columns([name.strip() for name in data.column_names])
    return RawTable(data, RowIndex(first_row=1), path.name, "parquet")


def read_parquet_columns(path: Path, text_columns: list[str]) -> pa.Table:
    """The Parquet file as a table of one chunk per column, `text_columns` dictionary-encoded.

    Typing needs each column contiguous. Reading the whole table gives a chunk per row batch, and
    combining those afterwards held two copies of the file at once; here each column is read and
    combined on its own (a few in parallel), so only the columns in flight exist twice, and the
    typed number columns can share the combined buffers without a copy.
    """
    with pq.ParquetFile(path, read_dictionary=text_columns) as parquet:

        def read_column(index: int) -> pa.ChunkedArray:
            chunks = parquet.reader.read_column(index)  # top-level field `index`, nested or not
            if chunks.num_chunks == 1:
                return chunks
            return pa.chunked_array([chunks.combine_chunks()], type=chunks.type)

        schema = parquet.schema_arrow
        with ThreadPoolExecutor(max_workers=_PARQUET_READERS) as pool:
            columns = list(pool.map(read_column, range(len(schema))))
    return pa.Table.from_arrays(columns, schema=schema)

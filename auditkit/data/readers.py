"""Read one table file (CSV, XLSX or Parquet) into an Arrow table plus the rows a user would see.

Readers do not interpret values: CSV and XLSX cells arrive as text (XLSX numbers and dates are
written the way the CSV export would show them), Parquet keeps its own types. Typing and checks
happen afterwards, identically for every format (see `column_typing`).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from auditkit.data.column_typing import header_name, shown_cell
from auditkit.data.csv_quoting import (
    QUOTING_EXPECTED,
    QuoteFault,
    quote_faults,
    refuse_faulty_cells,
)
from auditkit.data.encoding import (
    BOM_EXPECTED,
    BOM_JOINED,
    ONE_READING,
    SAMPLE_BYTES,
    UTF8,
    Encoding,
    EncodingFailure,
    ambiguity,
    scan_encoding,
    sniff_encoding,
)
from auditkit.data.personal_headers import holds_personal
from auditkit.data.problems import Problem
from auditkit.data.raw import (
    RawTable,
    ReadFailure,
    ReadProblems,
    RowIndex,
    file_problem,
    title_found,
    title_rows_refused,
)
from auditkit.data.schema import Kind
from auditkit.data.threads import GIL_FREE_THREADS
from auditkit.data.xlsx_reader import read_xlsx

__all__ = ["FORMATS", "RawTable", "ReadFailure", "ReadProblems", "RowIndex", "read_table"]

FORMATS = (".csv", ".xlsx", ".parquet")
# Bytes Arrow parses at once: no row may be longer (a longer one is refused, naming its row).
_BLOCK_BYTES = 1 << 20
# The largest block Arrow takes (a C int32): a file longer than it is never read in one block.
_ARROW_BLOCK_LIMIT = (1 << 31) - 1
# The field metadata Arrow writes for an extension type, and the name of pandas' Period type.
_EXTENSION_NAME = b"ARROW:extension:name"
_EXTENSION_METADATA = b"ARROW:extension:metadata"
_PANDAS_PERIOD = b"pandas.period"
_COUNT_CHUNK = 1 << 24
#: Delimiters other exports separate columns with, by how a message says them.
OTHER_DELIMITERS = {"\t": "tabs", ";": "semicolons", "|": "vertical bars"}
# Excel's text literal in a CSV cell: `="00012345"` shown as 00012345, `="a""b"` as a"b.
_EXCEL_TEXT = r'^="((?:[^"]|"")*)"$'

# The UTF-8 byte-order mark as it reads at the start of a row, by the codec of the file: GB18030
# reads its first two bytes (EF BB) as 锘, a character no account number or name starts with.
_BOM_READ_AS = {"utf-8": "\ufeff", "gb18030": "锘"}


def read_table(
    path: Path,
    table: str,
    kind_of: Callable[[str], Kind | None],
    header_row: int = 1,
    column_of: Callable[[str], str] = str,
    dataset_encoding: Callable[[], Encoding | None] = lambda: None,
) -> RawTable:
    """Read `path` by its extension; `kind_of(file column name)` guides how XLSX cells are written
    and `column_of(file column name)`, the table's column it maps to, tells a hidden sheet of the
    table's rows; the header is row `header_row` of a CSV or XLSX file (titles above it,
    columns.yaml says); `dataset_encoding()`, the encoding the dataset's other CSV files agree
    on (`agreed_encoding`), is a CSV file's when its own text reads as UTF-8 and as GBK alike.

    Raises ReadFailure when the file is empty, undecodable or not of its format.
    """
    if path.stat().st_size == 0:
        raise ReadFailure(
            file_problem(path, table, "a header row naming the columns", "an empty file")
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, table, header_row, dataset_encoding)
    if suffix == ".xlsx":
        return read_xlsx(path, table, kind_of, header_row, column_of)
    return _read_parquet(path, table)


# ---------------------------------------------------------------------------------------------- CSV


def _read_csv(
    path: Path,
    table: str,
    header_row: int = 1,
    dataset_encoding: Callable[[], Encoding | None] = lambda: None,
) -> RawTable:
    """Read a CSV export: fast path first, careful path when anything looks wrong.

    The fast path trusts the first megabyte's encoding and splits the file at newlines for
    parallel parsing. If bytes later fail to decode, the whole file decides the encoding; if rows
    come out malformed, the file is parsed again allowing newlines inside quoted values before
    any row is reported as malformed. A file whose text reads as UTF-8 and as GBK alike takes
    `dataset_encoding()` (`_settled`).
    """
    careful = True
    problems: list[Problem] = []
    try:
        encoding, problems = _settled(
            path, table, sniff_encoding(path), dataset_encoding, header_row
        )
        names, header_lines = _header(path, table, encoding, header_row)
        try:
            data, malformed = _arrow_csv(path, names, encoding, False, header_lines)
        except (pa.ArrowInvalid, UnicodeDecodeError):
            encoding, problems = _settled(
                path, table, scan_encoding(path), dataset_encoding, header_row
            )
            names, header_lines = _header(path, table, encoding, header_row)
            data, malformed = _careful_csv(path, table, names, encoding, header_lines)
        else:
            if malformed or data.num_rows + header_lines != _line_count(path):
                # a row spread over lines: quoted newlines, or a quote never closed, which
                # the fast path reads by silently dropping the lines it swallowed
                data, malformed = _careful_csv(path, table, names, encoding, header_lines)
            else:
                careful = False
    except EncodingFailure as failure:
        raise ReadFailure(
            file_problem(path, table, failure.expected, failure.found, row=failure.row)
        ) from None
    faults = _data_row_faults(path, table, encoding, header_row)
    rows = RowIndex(first_row=header_row + 1)
    if malformed:
        if len(names) == 1:  # a title line above the header: every row has more fields
            found = title_found(names[0].strip(), header_row, "lines")
            raise ReadFailure(
                file_problem(path, table, "a header row naming the columns", found, header_row)
            )
        rows, located = _locate_malformed(path, table, encoding, names, header_row, faults)
        problems += located
    _refuse_joined_files(path, table, data, rows, encoding)
    data, rows = _drop_blank_rows(data.rename_columns([header_name(name) for name in names]), rows)
    data, refused, quoting = refuse_faulty_cells(path.name, table, data, rows, faults)
    problems += quoting
    if careful:  # only the careful path reads values over several lines
        data, swallowed_cells, swallowed = _swallowed_records(path, table, data, rows)
        for index, positions in swallowed_cells.items():
            refused[index] = np.union1d(refused.get(index, positions), positions)
        problems += swallowed
    raw = RawTable(
        _excel_text_unwrapped(data), rows, path.name, "csv", encoding.label, refused=refused
    )
    if problems:
        raise ReadProblems(raw, sorted(problems, key=lambda problem: problem.row or 0))
    return raw


def _settled(
    path: Path,
    table: str,
    encoding: Encoding,
    dataset_encoding: Callable[[], Encoding | None],
    header_row: int,
) -> tuple[Encoding, list[Problem]]:
    """The encoding of CSV file `path` read as `encoding`, and a warning when it was a guess.

    Text reading as UTF-8 and as GBK alike (`ambiguity`) is in the encoding the dataset's other
    files agree on (a GBK export's bills holding only 学校 beside GBK customers); with none to
    tell, or files in both, it is read as UTF-8. Either way a warning names its first such row
    with both readings (their lengths only in a file holding personal data, `holds_personal`)
    and how it was read, so a wrong reading can be told and settled.
    """
    found = ambiguity(path) if encoding is UTF8 else None
    if found is None:
        return encoding, []
    agreed = dataset_encoding()
    read_as = agreed or encoding
    names, _ = _header(path, table, read_as, header_row)
    if holds_personal(table, names):
        text = (
            f"text of {len(found.as_utf8):,} characters in UTF-8 that is {len(found.as_gbk):,} "
            "in GBK/GB18030 (not shown: the table holds names, addresses and phone numbers)"
        )
    else:
        text = (
            f"text {shown_cell(found.as_utf8)} in UTF-8 that is {shown_cell(found.as_gbk)} in "
            "GBK/GB18030"
        )
    if agreed is not None:
        readings = (
            f"{text}: read as {agreed.label}, the encoding the dataset's other CSV files agree "
            "on (save the file as UTF-8 with a byte-order mark if it is UTF-8)"
        )
    else:
        readings = (
            f"{text}, with no other CSV file of the dataset in one encoding to tell which: read "
            "as UTF-8 (save the file as UTF-8 with a byte-order mark, or keep all tables in one "
            "encoding)"
        )
    warning = Problem(
        path.name, found.row, None, ONE_READING, readings, severity="warning", table=table
    )
    return read_as, [warning]


def _data_row_faults(
    path: Path, table: str, encoding: Encoding, header_row: int
) -> list[QuoteFault]:
    """The quoting faults of the rows below the header (`csv_quoting`); raise ReadFailure for
    one in the header, whose column name would be read without its quotes. Titles above the
    header are skipped whatever their quoting."""
    faults = quote_faults(path, encoding.codec)
    for fault in faults:
        if fault.row == header_row:
            found = fault.found(shown_cell(fault.text))
            raise ReadFailure(file_problem(path, table, QUOTING_EXPECTED, found, header_row))
    return [fault for fault in faults if fault.row > header_row]


def _excel_text_unwrapped(data: pa.Table) -> pa.Table:
    """Cells written `="00012345"` read as `00012345`: exports write ids so, for Excel to keep
    their leading zeros when it opens the file (it shows the text inside), as a user sees them."""
    for index, name in enumerate(data.column_names):
        column = data.column(index)
        if pa.types.is_string(column.type) and pc.any(pc.starts_with(column, '="')).as_py():
            literal = pc.fill_null(pc.match_substring_regex(column, _EXCEL_TEXT), False)
            inside = pc.replace_substring_regex(column, _EXCEL_TEXT, r"\1")
            text = pc.if_else(literal, pc.replace_substring(inside, '""', '"'), column)
            data = data.set_column(index, name, text)
    return data


@contextmanager
def _arrow_source(path: Path) -> Iterator[str | BinaryIO]:
    """What Arrow reads `path` from: the path itself, or an open file when the path is not
    UTF-8 (Arrow refuses such names, e.g. a folder named in GBK unpacked from a Windows zip)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        with path.open("rb") as handle:
            yield handle
    else:
        yield str(path)


def _header(
    path: Path, table: str, encoding: Encoding, header_row: int = 1
) -> tuple[list[str], int]:
    """The header's column names, decoded and parsed with the csv module from the file's head:
    its row `header_row`, the rows above it titles (`title_rows_refused`); and the lines these
    rows take, the header's included (a title cell with a line break is one row over two lines,
    and Arrow skips lines, not rows)."""
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    text = head.decode(encoding.codec, errors="ignore").lstrip("\ufeff")
    records = csv.reader(io.StringIO(text, newline=""))
    above = list(itertools.islice(records, header_row - 1))
    title_rows_refused(path, table, above, header_row)
    names = next(records, [])
    if not any(name.strip() for name in names):
        found = "an empty first row" if header_row == 1 else f"an empty row {header_row}"
        raise ReadFailure(
            file_problem(path, table, "a header row naming the columns", found, header_row)
        )
    _refuse_other_delimiter(path, table, names, header_row)
    return names, records.line_num


def _refuse_other_delimiter(path: Path, table: str, names: list[str], header_row: int) -> None:
    """Raise ReadFailure when the header is one name holding OTHER_DELIMITERS' names split by
    one of them, three at least (a tab-separated export saved as .csv, or Excel's `;` where a
    comma is the decimal mark): read with commas every column is absent, and each absence
    would be an error quoting the whole header."""
    if len(names) != 1:
        return
    for delimiter, said in OTHER_DELIMITERS.items():
        parts = [part for part in names[0].split(delimiter) if part.strip()]
        if len(parts) >= 3:
            found = (
                f"a header of {len(parts)} names separated by {said}, starting "
                f"{shown_cell(delimiter.join(parts[:3]))} (save the file as CSV, comma "
                f"delimited, or replace the {said} by commas)"
            )
            raise ReadFailure(
                file_problem(
                    path, table, "columns separated by commas (a CSV file)", found, header_row
                )
            )


def _refuse_joined_files(
    path: Path, table: str, data: pa.Table, rows: RowIndex, encoding: Encoding
) -> None:
    """Raise ReadFailure when a row starts with a byte-order mark: a second export was appended
    (its header would be read as data, its text possibly in another encoding)."""
    if data.num_columns == 0:
        return
    marked = pc.starts_with(data.column(0), _BOM_READ_AS[encoding.codec])
    positions = np.flatnonzero(pc.fill_null(marked, False).to_numpy(zero_copy_only=False))
    if not positions.size:
        return
    more = f" and {positions.size - 1} more rows" if positions.size > 1 else ""
    raise ReadFailure(
        file_problem(
            path,
            table,
            BOM_EXPECTED,
            f"one at the start of this row{more} {BOM_JOINED}",
            row=int(rows.of(positions[:1])[0]),
        )
    )


def _line_count(path: Path) -> int:
    """Lines ending in LF (or unterminated at the end), counted at memory speed. Other line
    endings count as none, so such files take the careful path (which reads them right)."""
    lines = 0
    last = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_COUNT_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last not in (b"", b"\n"))


def _careful_csv(
    path: Path, table: str, names: list[str], encoding: Encoding, header_lines: int
) -> tuple[pa.Table, int]:
    """`_arrow_csv` reading values over several lines. A record longer than Arrow's block
    refuses the file at its row, unless it is a quote never closed (`quote_faults`): the rest
    of the file is then read as its cell in one block, so that its row and column are named
    beside the other faults, as in a smaller file; a file longer than Arrow's largest block
    (`_ARROW_BLOCK_LIMIT`, 2 GiB) is refused at its row as any long record is."""
    try:
        return _arrow_csv(path, names, encoding, True, header_lines)
    except pa.ArrowInvalid as error:
        if "straddling" in str(error):  # a record longer than Arrow's block
            row = _first_long_row(path, encoding)
            whole_file = path.stat().st_size + 1
            if whole_file <= _ARROW_BLOCK_LIMIT and any(
                fault.row == row and fault.unclosed_lines
                for fault in quote_faults(path, encoding.codec)
            ):  # a quote never closed: the rest of the file is its cell, as in a small file
                return _arrow_csv(path, names, encoding, True, header_lines, whole_file)
            raise ReadFailure(
                file_problem(
                    path,
                    table,
                    f"rows of at most {_BLOCK_BYTES >> 20} MiB",
                    "a longer row (a huge cell, or a quote never closed?)",
                    row=row,
                )
            ) from None
        raise ReadFailure(
            file_problem(path, table, "a CSV file", f"text that is not CSV ({error})")
        ) from None


def _first_long_row(path: Path, encoding: Encoding) -> int | None:
    """Row number of the first record as long as Arrow's block (slow path, bad files only)."""
    with path.open(encoding=encoding.codec, newline="") as handle:
        records = csv.reader(handle)
        row_number = 1
        try:
            for row_number, fields in enumerate(records, start=1):
                text = ",".join(fields)
                if (
                    len(text) * 4 >= _BLOCK_BYTES
                    and len(text.encode(encoding.codec)) >= _BLOCK_BYTES
                ):
                    return row_number
        except csv.Error:  # a field past the csv module's own limit (128 KiB)
            return row_number + 1
    return None


def _arrow_csv(
    path: Path,
    names: list[str],
    encoding: Encoding,
    quoted_newlines: bool,
    header_lines: int,
    block_bytes: int = _BLOCK_BYTES,
) -> tuple[pa.Table, int]:
    """All columns as text (empty cells null), and how many rows had a wrong field count; the
    `header_lines` down to the header's end are skipped, records parsed in blocks of
    `block_bytes`."""
    malformed = 0

    def skip_malformed(row: pa_csv.InvalidRow) -> str:
        nonlocal malformed
        malformed += 1
        return "skip"

    with _arrow_source(path) as source:
        data = pa_csv.read_csv(
            source,
            read_options=pa_csv.ReadOptions(
                encoding=encoding.codec,
                column_names=names,
                skip_rows=header_lines,
                block_size=block_bytes,
            ),
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


def _malformed_found(
    fields: list[str], lines: int, encoding: Encoding, personal: bool, fault: QuoteFault | None
) -> str:
    """A malformed record as shown to the user, with what broke it (its first quoting `fault`)
    or what probably did.

    The record's text is not shown from a file holding `personal` data (the customers table, a
    bills export carrying 户名 and 联系电话): its fields are out of place, so which of them is a
    name, an address or a phone number cannot be told to mask it.
    """
    joined = ",".join(fields)
    if personal:
        guess = "" if fault else "; an unquoted comma in an address?"
        found = (
            f"{len(fields)} fields (not shown: the table holds names, addresses and phone "
            f"numbers{guess})"
        )
    else:
        found = f"{len(fields)} fields: {shown_cell(joined)}"
    if _BOM_READ_AS[encoding.codec] in joined:
        found += f", with a byte-order mark inside {BOM_JOINED}"
    if fault is not None:
        shown = None if personal else shown_cell(fault.text)
        found += f"; in field {fault.field + 1}, {fault.found(shown)}"
    elif lines > 1:
        found += f", a quoted value running over {lines:,} lines (a quote never closed?)"
    return found


def _swallowed_records(
    path: Path, table: str, data: pa.Table, rows: RowIndex
) -> tuple[pa.Table, dict[int, np.ndarray], list[Problem]]:
    """`data` with each cell where a quote left open swallowed the next record(s) refused (read
    as empty, its row kept, as a refused xlsx cell), the refused positions per column index, and
    a Problem at the row where each began.

    A quote opened in one cell and closed by a stray quote in the same cell of the next line
    makes one record of two with the header's field count, so nothing else notices: the quoted
    value runs over a line break and holds the rest of its line and the start of the next, that
    is at least as many commas as a record has between its fields. A real multi-line value (an
    address over two lines) holds a line break but not a record's worth of commas.
    """
    separators = data.num_columns - 1
    refused: dict[int, np.ndarray] = {}
    problems = []
    for index, column in enumerate(data.columns):
        if not pa.types.is_string(column.type) or separators < 1:
            continue
        spanning = pc.and_(
            pc.match_substring_regex(column, "[\r\n]"),
            pc.greater_equal(pc.count_substring(column, ","), separators),
        )
        positions = np.flatnonzero(pc.fill_null(spanning, False).to_numpy(zero_copy_only=False))
        if not positions.size:
            continue
        name = data.column_names[index]
        for position, value in zip(
            rows.of(positions).tolist(), column.take(pa.array(positions)).to_pylist(), strict=True
        ):
            found = (
                f"a quoted value running over {len(value.splitlines()):,} lines and holding "
                f"{value.count(','):,} commas, a whole record's worth: a quote opened in this "
                "row and closed rows later swallowed the record(s) after it (a quote never "
                "closed, or a stray one?)"
            )
            problems.append(
                Problem(
                    path.name,
                    position,
                    name,
                    "each quoted value closed in the row it opens in",
                    found,
                    table=table,
                )
            )
        cut = np.zeros(data.num_rows, dtype=bool)
        cut[positions] = True
        emptied = pc.if_else(pa.array(cut), pa.scalar(None, column.type), column)
        data = data.set_column(index, name, emptied)
        refused[index] = positions
    return data, refused, sorted(problems, key=lambda problem: problem.row or 0)


def _drop_blank_rows(data: pa.Table, rows: RowIndex) -> tuple[pa.Table, RowIndex]:
    """Drop rows whose cells are all empty or whitespace (blank lines, `,,,` and `, , ,` lines,
    as the xlsx reader skips empty rows) keeping true row numbers."""
    if data.num_columns == 0:
        return data, rows
    blank = _blank_cells(data.column(0))
    if not pc.any(blank).as_py():
        return data, rows
    candidates = np.flatnonzero(blank.to_numpy(zero_copy_only=False))
    blank_mask = np.ones(candidates.size, dtype=bool)
    for column in data.columns[1:]:  # only the rows whose first cell is blank
        blank_mask &= _blank_cells(column.take(pa.array(candidates))).to_numpy(zero_copy_only=False)
    if not blank_mask.any():
        return data, rows
    kept = np.setdiff1d(np.arange(data.num_rows), candidates[blank_mask], assume_unique=True)
    numbers = rows.of(kept)
    return data.take(pa.array(kept)), RowIndex(rows.first_row, numbers)


def _blank_cells(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Where a text column's cells are empty or whitespace only (a missing cell, once trimmed)."""
    return pc.or_kleene(pc.is_null(column), pc.fill_null(pc.utf8_is_space(column), False))


def _locate_malformed(
    path: Path,
    table: str,
    encoding: Encoding,
    names: list[str],
    header_row: int,
    faults: list[QuoteFault],
) -> tuple[RowIndex, list[Problem]]:
    """Find the row numbers of records with a wrong field count (slow path, only on bad files).

    Arrow drops such records without saying where they were, so the file is re-read record by
    record to report each one and to number the kept rows as a spreadsheet would. A record's
    quoting `faults` say what broke it. A quote closed rows later swallows the lines between into
    one field: said so. Past the csv module's field limit (128 KiB) a quote never closed is named
    at its row and column, the rest of the file read into its cell, as in a smaller file (the
    faults before it kept); any other field that long refuses the file at its row. No record's text is shown from a file holding personal data (`holds_personal`).
    """
    width = len(names)
    first_fault: dict[int, QuoteFault] = {}
    for fault in faults:
        first_fault.setdefault(fault.row, fault)
    unclosed = {fault.row: fault for fault in faults if fault.unclosed_lines}
    kept: list[int] = []
    problems: list[Problem] = []
    expected = f"{width} fields as in the header"
    personal = holds_personal(table, names)
    with path.open(encoding=encoding.codec, newline="") as handle:
        records = csv.reader(handle)
        for _ in range(header_row):  # the titles above the header, and the header
            next(records, None)
        row_number, last_line = header_row, records.line_num
        try:
            for row_number, fields in enumerate(records, start=header_row + 1):
                lines, last_line = records.line_num - last_line, records.line_num
                if fields and len(fields) != width:
                    if not any(field.strip() for field in fields):
                        continue  # a line of blanks (`    `, `, ,`): skipped (Arrow dropped it)
                    fault = first_fault.get(row_number)
                    found = _malformed_found(fields, lines, encoding, personal, fault)
                    problems.append(file_problem(path, table, expected, found, row=row_number))
                else:
                    kept.append(row_number)
        except csv.Error:  # a field past the csv module's limit (128 KiB)
            row_number += 1
            fault = unclosed.get(row_number)
            if fault is None:  # a huge cell, not a quote left open
                found = "a field longer than 128 KiB from this row on (a quote never closed?)"
                raise ReadFailure(
                    file_problem(path, table, expected, found, row=row_number)
                ) from None
            if fault.field + 1 == width:  # opened in the last cell: a record of the header's width
                kept.append(row_number)
            else:  # the rows after it read into its cell, as Arrow read them: one short record
                shown = None if personal else shown_cell(fault.text)
                found = (
                    f"{fault.field + 1} fields; in field {fault.field + 1} (column "
                    f"{names[fault.field]}), {fault.found(shown)}"
                )
                problems.append(file_problem(path, table, expected, found, row=row_number))
    numbers = np.asarray(kept, dtype=np.int64)
    return RowIndex(first_row=header_row + 1, numbers=numbers), problems


# --------------------------------------------------------------------------------------------- XLSX


# ------------------------------------------------------------------------------------------ Parquet


def _read_parquet(path: Path, table: str) -> RawTable:
    """Parquet keeps its types; text columns are read as dictionaries (fast, and codes for free)."""
    try:
        with _arrow_source(path) as source:
            schema = pq.read_schema(source)
            text_columns = _text_columns(schema)
            data = read_parquet_columns(source, text_columns)
    except (pa.ArrowException, OSError) as error:
        raise ReadFailure(
            file_problem(path, table, "a Parquet file", f"a file that is not one ({error})")
        ) from None
    data = _pandas_periods_read(path, table, schema, data)
    data = data.rename_columns([header_name(name) for name in data.column_names])
    return RawTable(data, RowIndex(first_row=1), path.name, "parquet")


def _pandas_periods_read(path: Path, table: str, schema: pa.Schema, data: pa.Table) -> pa.Table:
    """`data` with each column pandas wrote from a Period column (int64 ordinals under the
    extension name pandas.period, read as plain numbers where pandas' type is not registered:
    636 is 2023-01) as what it stands for: monthly periods as their months `YYYY-MM`, as CSV
    writes them, daily ones as their dates. Periods of another frequency refuse the file, naming
    the column (read as numbers, each cell would be an error showing an ordinal)."""
    for index, field in enumerate(schema):
        if isinstance(field.type, pa.ExtensionType):  # pandas imported: its type registered
            name = field.type.extension_name.encode()
            serialized = field.type.__arrow_ext_serialize__()
        else:
            metadata = field.metadata or {}
            name, serialized = metadata.get(_EXTENSION_NAME), metadata.get(_EXTENSION_METADATA)
        if name != _PANDAS_PERIOD:
            continue
        freq = json.loads(serialized or b"{}").get("freq")
        column = data.column(index)
        if isinstance(column.type, pa.ExtensionType):
            column = pa.chunked_array([chunk.storage for chunk in column.chunks])
        missing = pc.is_null(column).to_numpy(zero_copy_only=False)
        ordinals = pc.fill_null(column, 0).to_numpy(zero_copy_only=False)
        if freq == "M":
            months = np.datetime_as_string(ordinals.astype("datetime64[M]"), unit="M")
            read = pa.array(months, pa.string(), mask=missing)
        elif freq == "D":
            read = pa.array(ordinals.astype("datetime64[D]"), pa.date32(), mask=missing)
        else:
            expected = "months or days (pandas periods of frequency M or D)"
            found = (
                f"column {header_name(field.name)} holds pandas periods of frequency {freq!r} "
                "(store it as text, months written YYYY-MM)"
            )
            raise ReadFailure(file_problem(path, table, expected, found))
        data = data.set_column(index, pa.field(field.name, read.type), read)
    return data


def _text_columns(schema: pa.Schema) -> list[str]:
    """The columns of a Parquet schema read as dictionaries: its text columns."""
    return [
        field.name
        for field in schema
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
    ]


def read_parquet_batches(path: Path, table: str, batch_rows: int) -> Iterator[RawTable]:
    """The Parquet file at `path` as RawTables of at most `batch_rows` rows, in file order.

    For files too large to type at once (`convert` streams them): each batch is what
    `read_table` gives for the whole file (text columns dictionary-encoded, names stripped),
    its rows numbered from their place in the file. A file without rows gives one empty batch
    carrying its columns. Raises ReadFailure as `read_table` does, also for a row group that
    cannot be read part way through.
    """
    if path.stat().st_size == 0:
        raise ReadFailure(
            file_problem(path, table, "a header row naming the columns", "an empty file")
        )
    try:
        with _arrow_source(path) as source:
            schema = pq.read_schema(source)
            text_columns = _text_columns(schema)
            names = [header_name(name) for name in schema.names]
            parquet = pq.ParquetFile(source, read_dictionary=text_columns)
            first_row = 1
            for batch in parquet.iter_batches(batch_size=batch_rows):
                data = _pandas_periods_read(path, table, schema, pa.Table.from_batches([batch]))
                data = data.rename_columns(names)
                yield RawTable(data, RowIndex(first_row=first_row), path.name, "parquet")
                first_row += batch.num_rows
            if first_row == 1:
                empty = parquet.schema_arrow.empty_table().rename_columns(names)
                yield RawTable(empty, RowIndex(first_row=1), path.name, "parquet")
    except (pa.ArrowException, OSError) as error:
        raise ReadFailure(
            file_problem(path, table, "a Parquet file", f"a file that is not one ({error})")
        ) from None


def read_parquet_columns(path: Path | str | BinaryIO, text_columns: list[str]) -> pa.Table:
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
        # Columns read at once: each is decoded by one thread, and each in flight is held twice
        # (its row batches and their combination) until it is combined.
        with ThreadPoolExecutor(max_workers=GIL_FREE_THREADS) as pool:
            columns = list(pool.map(read_column, range(len(schema))))
    return pa.Table.from_arrays(columns, schema=schema)

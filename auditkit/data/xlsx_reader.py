"""Read an .xlsx export into text cells, as a CSV export of the same sheet would show them.

The table is the first worksheet, row 1 its header. What Excel shows and what a reader of the file
gets can differ, and each difference is either written as Excel shows it or refused by cell:

- the stored extent of the sheet (`<dimension>`) is not trusted: every row is read;
- a number shown with leading zeros by its format (`00000001`) is written with them, and in a
  text column with the text its format writes around them (`"MT"0000000`: MT0012345); a text
  column's number whose format writes text otherwise (`"MT"#`) is refused;
- in a text column, a number past 15 digits stored as Excel stores numbers (it kept only 15: an
  id typed as a number has lost its last digits) is refused, and so is a date in an id column
  (Excel turned `2024-1-10` into one; elsewhere a date is written `YYYY-MM-DD`, as an order's
  new end date); an error value (`#N/A`) is refused in any column;
- a value merged across cells (only the first holds it), a hidden first sheet, data on another
  visible sheet, rows under a header holding every required column of the table on a hidden
  sheet (one sheet per year, the old ones hidden) and a workbook with no worksheet openpyxl reads
  (Strict Open XML) are refused; another hidden sheet after the table (a drop-down's list, a
  lookup, a pivot) is left alone;
- a formula is read by its saved result, and one saved without a result is refused.

A refused cell is read as empty, its row kept, so that what depends on the row (a customer's
bills) is not refused in turn; the problem fails the load.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import warnings
import zipfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pyarrow as pa
from openpyxl import load_workbook
from openpyxl.cell.read_only import EmptyCell, ReadOnlyCell
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from auditkit.data.column_typing import (
    EXACT_DIGITS_LIMIT,
    header_name,
    shown_cell,
    shown_personal,
)
from auditkit.data.personal_headers import holds_personal, personal_kind
from auditkit.data.problems import Problem
from auditkit.data.raw import (
    RawTable,
    ReadFailure,
    ReadProblems,
    RowIndex,
    file_problem,
    title_rows_refused,
)
from auditkit.data.schema import TABLES, Kind
from auditkit.masking import PERSONAL_COLUMNS
from auditkit.workbooks import (
    FORMULA_TAG,
    formula_cells,
    hidden_formula,
    sheet_parts,
    unpacking_refused,
    unsaved_formula,
)

# A merged range in worksheet XML (`<mergeCell ref="A2:A5"/>`).
_MERGE_TAG = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
# A number format that pads whole numbers with zeros (`00000000`, `000000000000`).
_ZERO_PADDED = re.compile(r"^0+$")
# Literal text in a number format: quoted (`"MT"`) or one character escaped (`\-`).
_LITERAL = re.compile(r'"([^"]*)"|\\(.)')
# A number format of literal text around zeros (`"MT"0000000`: 12345 shown as MT0012345).
_LITERAL_PADDED = re.compile(r'^((?:"[^"]*"|\\.)*)(0+)((?:"[^"]*"|\\.)*)$')
#: The rows of a hidden sheet looked through for the table's header (titles may sit above it).
HEADER_SEARCH_ROWS = 20
# Bytes kept from one chunk of worksheet XML to the next: longer than any tag looked for.
_TAIL_BYTES = 256

Cell = ReadOnlyCell | EmptyCell


def read_xlsx(
    path: Path,
    table: str,
    kind_of: Callable[[str], Kind | None],
    header_row: int = 1,
    column_of: Callable[[str], str] = str,
) -> RawTable:
    """The first worksheet, row `header_row` as header (titles above it, as columns.yaml says);
    fully empty rows are skipped but keep their number. `column_of(file column name)` is the
    table's column it maps to (columns.yaml), to tell a hidden part of the table.
    Raises ReadFailure when the workbook cannot be read as one table, ReadProblems (with the
    rest of the rows) for cells that are refused. A table may be large, so its size is not
    limited, but a part unpacking to over PART_RATIO_LIMIT times its packed size (a zip bomb: an
    export compresses 5 to 20 times) is refused before the workbook is loaded."""
    refused = unpacking_refused(path, None)
    if refused is not None:
        raise ReadFailure(file_problem(path, table, *refused))
    try:
        with warnings.catch_warnings():  # openpyxl warns of what it skips; the checks say more
            warnings.simplefilter("ignore")
            workbook = load_workbook(path, read_only=True, data_only=True)
    except (  # openpyxl fails on odd parts in many ways (a chart-only workbook: AttributeError)
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
        ElementTree.ParseError,  # a part that is no XML ([Content_Types].xml cut short)
        AttributeError,
        TypeError,
    ) as error:
        reason = str(error) or type(error).__name__
        if isinstance(error, (AttributeError, TypeError)):  # openpyxl's own slip, not a reason
            reason = "parts openpyxl cannot read: save it again as an ordinary Excel workbook"
        raise ReadFailure(
            file_problem(
                path, table, "an Excel .xlsx workbook", f"a file that is not one ({reason})"
            )
        ) from None
    try:
        sheet = the_table_sheet(path, table, workbook.worksheets, header_row, column_of)
        # the sheet's XML part, found as openpyxl found the sheet: through the package's parts
        tags = _sheet_tags(path, sheet_parts(path)[sheet.title])
        cells = sheet.iter_rows()
        above = [[cell.value for cell in row] for row in itertools.islice(cells, header_row - 1)]
        title_rows_refused(path, table, above, header_row)
        header = [cell.value for cell in next(cells, ())]
        if not any(_is_filled(value) for value in header):
            found = "an empty first row" if header_row == 1 else f"an empty row {header_row}"
            raise ReadFailure(
                file_problem(path, table, "a header row naming the columns", found, header_row)
            )
        names = ["" if value is None else header_name(str(value)) for value in header]
        sheet_cells = _SheetCells(path, table, names, kind_of, column_of, tags.formulas)
        for row_number, row in enumerate(cells, start=header_row + 1):
            sheet_cells.add(row_number, row)
    finally:
        workbook.close()
    merged = _merged_cells(path, table, tags.merged, sheet_cells, header_row)
    problems = sheet_cells.problems + merged
    if tags.formulas:
        problems += _unsaved_formulas(path, table, sheet_cells, header_row)
    names, columns, kept = sheet_cells.names, sheet_cells.columns, sheet_cells.kept
    data = pa.table({f"{i}": pa.array(values, pa.string()) for i, values in enumerate(columns)})
    data = data.rename_columns(names)
    rows = RowIndex(header_row + 1, np.asarray(kept, dtype=np.int64))
    raw = RawTable(
        data,
        rows,
        path.name,
        "xlsx",
        refused=_refused_cells(sheet_cells, kept),
        merged_header=_merged_header(tags.merged, names, header_row),
    )
    if problems:
        raise ReadProblems(raw, problems)
    return raw


def _refused_cells(cells: _SheetCells, kept: list[int]) -> dict[int, np.ndarray]:
    """Per column index, the positions (among the rows `kept`) of the cells refused."""
    position_of = {row: position for position, row in enumerate(kept)}
    refused: dict[int, list[int]] = {}
    for row, index in cells.refused:
        if row in position_of:
            refused.setdefault(index, []).append(position_of[row])
    return {index: np.asarray(positions) for index, positions in refused.items()}


def the_table_sheet(
    path: Path,
    table: str,
    sheets: list[ReadOnlyWorksheet],
    header_row: int = 1,
    column_of: Callable[[str], str] = str,
) -> ReadOnlyWorksheet:
    """The first worksheet, visible, alone with data, its every row to be read (its stored
    extent reset: a wrong `<dimension>` would cut the table short without a word); a hidden
    sheet after it may hold helpers (a drop-down's list), not rows under the table's header
    (`_refuse_hidden_parts`)."""
    if not sheets:
        raise ReadFailure(
            file_problem(
                path,
                table,
                "an Excel workbook with a worksheet",
                "none readable (a Strict Open XML workbook, or only chart sheets: save it as an "
                "ordinary Excel workbook)",
            )
        )
    for sheet in sheets:
        sheet.reset_dimensions()
    first = sheets[0]
    if first.sheet_state != "visible":
        raise ReadFailure(
            file_problem(
                path,
                table,
                "the table in the first worksheet, visible",
                f"the first worksheet {first.title!r} hidden (delete it or move the table first)",
            )
        )
    others = [
        sheet.title for sheet in sheets[1:] if sheet.sheet_state == "visible" and _holds_data(sheet)
    ]
    if others:
        listed = ", ".join(repr(title) for title in others)
        found = (
            f"data on worksheet {listed} too (join the sheets into one, or delete the others)"
            if _holds_data(first)
            else f"it empty and the data on worksheet {listed} (delete the empty sheet)"
        )
        raise ReadFailure(
            file_problem(
                path, table, f"the whole table in the first worksheet {first.title!r}", found
            )
        )
    # A hidden sheet after the table holds helpers (a drop-down's list), not more of the table,
    # unless its header holds the table's required columns: then it is a part hidden away.
    hidden = [sheet for sheet in sheets[1:] if sheet.sheet_state != "visible"]
    if hidden:
        _refuse_hidden_parts(path, table, first, hidden, header_row, column_of)
    return first


def _refuse_hidden_parts(
    path: Path,
    table: str,
    first: ReadOnlyWorksheet,
    hidden: list[ReadOnlyWorksheet],
    header_row: int,
    column_of: Callable[[str], str],
) -> None:
    """Raise ReadFailure when a hidden sheet holds rows under a header of the table (one sheet
    per year, the older ones hidden, perhaps with fewer columns): read alone, the first sheet
    would pass for the whole table and the hidden rows be missing from every check. A sheet is
    taken for a part when one of its first HEADER_SEARCH_ROWS rows, read and mapped as the
    table's header is, names every required column of the table (of a table outside the
    contract, every column of the first sheet's header), and a row below it holds data; a lookup
    or a pivot lacking one (district | period | kwh_billed | loss_pct) is left alone."""
    spec = TABLES.get(table)
    if spec is not None and spec.required_columns:
        required = set(spec.required_columns)
    else:
        row = next(first.iter_rows(min_row=header_row, max_row=header_row, values_only=True), ())
        required = _header_columns(row, column_of)
    if not required:
        return
    for sheet in hidden:
        rows = sheet.iter_rows(values_only=True)
        header_rows = itertools.islice(rows, HEADER_SEARCH_ROWS)
        number = _header_among(header_rows, required, column_of)
        if number is None:
            continue
        below = sum(1 for values in rows if any(_is_filled(value) for value in values))
        if below:
            found = (
                f"part of the table on the hidden worksheet {sheet.title!r}: its header in row "
                f"{number} and {below:,} rows of data below it, not read (unhide it and join "
                "the sheets into one, or delete it)"
            )
            raise ReadFailure(
                file_problem(
                    path, table, f"the whole table in the first worksheet {first.title!r}", found
                )
            )


def _header_among(
    rows: Iterator[tuple[object, ...]], required: set[str], column_of: Callable[[str], str]
) -> int | None:
    """The 1-based number of the first of `rows` naming every column of `required`."""
    for number, values in enumerate(rows, start=1):
        if required <= _header_columns(values, column_of):
            return number
    return None


def _header_columns(values: tuple[object, ...], column_of: Callable[[str], str]) -> set[str]:
    """The columns a header row names, read as the table's header is (`header_name`) and mapped
    by `column_of`."""
    return {column_of(header_name(str(value))) for value in values if _is_filled(value)}


def _holds_data(sheet: ReadOnlyWorksheet) -> bool:
    return any(_is_filled(value) for row in sheet.iter_rows(values_only=True) for value in row)


class _SheetCells:
    """The cells of the data rows as text, column by column, and a Problem for each refused."""

    def __init__(
        self,
        path: Path,
        table: str,
        names: list[str],
        kind_of: Callable[[str], Kind | None],
        column_of: Callable[[str], str],
        formulas: bool,
    ) -> None:
        self.path, self.table, self.formulas = path, table, formulas
        self.names = names
        self.kinds = [kind_of(name) for name in names]
        #: Per column, the table's column it maps to (columns.yaml) and the personal data it
        #: holds: a phone column named 联系电话 is masked as `phone` is.
        self.mapped = [column_of(name) for name in names]
        self.personal = [
            _personal_of(name, column) for name, column in zip(names, self.mapped, strict=True)
        ]
        self.columns: list[list[str | None]] = [[] for _ in names]
        self.kept: list[int] = []
        self.problems: list[Problem] = []
        #: With formulas on the sheet, per column index the rows (rising, 4 bytes each: a sheet
        #: of empty texts holds millions) of cells with a saved value but no text (empty or
        #: blank text, an error, a value refused): no formula without its result.
        self.saved_without_text: dict[int, array] = {}
        #: (row, column index) of the cells refused, left empty.
        self.refused: list[tuple[int, int]] = []
        self._position_of: dict[int, int] | None = None

    def add(self, row_number: int, row: tuple[Cell, ...]) -> None:
        while len(row) > len(self.names):  # cells right of the header: an unnamed column
            self.names.append("")
            self.kinds.append(None)
            self.mapped.append("")
            self.personal.append(None)
            self.columns.append([None] * len(self.kept))
        texts: list[str | None] = []
        for index, cell in enumerate(row):
            text, refused = _cell_text(
                cell, self.kinds[index], self.mapped[index], self.personal[index]
            )
            saved = cell.value is not None or getattr(cell, "data_type", None) == "str"
            if self.formulas and text is None and saved:  # ("str": a text result saved as "")
                self.saved_without_text.setdefault(index, array("i")).append(row_number)
            if refused is not None:
                self.refused.append((row_number, index))
                column = self.names[index] or f"#{index + 1}"
                self.problems.append(
                    Problem(
                        self.path.name, row_number, column, refused[0], refused[1], table=self.table
                    )
                )
            texts.append(text)
        if not any(texts):  # an empty row, or one whose only cells are refused (named above)
            return  # (a refused cell is left empty in its row: the row is read, the load fails)
        texts.extend([None] * (len(self.names) - len(texts)))
        for column, text in zip(self.columns, texts, strict=True):
            column.append(text)
        self.kept.append(row_number)

    def text_at(self, row_number: int, index: int) -> str | None:
        """The text read at a row and column (None where empty or not read)."""
        if self._position_of is None:  # asked only for merged ranges, after every row
            self._position_of = {row: position for position, row in enumerate(self.kept)}
        position = self._position_of.get(row_number)
        if position is None or index >= len(self.columns):
            return None
        return self.columns[index][position]


def _personal_of(name: str, column: str) -> str | None:
    """The personal data (`name`, `address`, `phone`) a file column holds: the personal contract
    column it maps to, else the one its header names (`personal_kind`: 联系电话, 手机号)."""
    if column in PERSONAL_COLUMNS:
        return column
    return personal_kind(name) if name else None


def _cell_text(
    cell: Cell, kind: Kind | None, name: str, personal: str | None
) -> tuple[str | None, tuple[str, str] | None]:
    """A cell as text, as a CSV export of the sheet would show it, or why it is refused
    (expected, found); `name` is the table's column it maps to, a cell of `personal` data is
    shown masked.

    Whole numbers lose the `.0` Excel adds (account numbers stay `3100012345`) and keep the zeros
    their format pads them with, dates become `YYYY-MM-DD`, date-times `YYYY-MM-DD HH:MM:SS`
    (openpyxl rounds them to the millisecond), and a first-of-month date in a period column
    becomes `YYYY-MM` (Excel turns a typed `2024-01` into a date). Anything else keeps its text,
    so checks report it as found.
    """
    value = cell.value
    if value is None:
        return None, None
    if getattr(cell, "data_type", None) == "e":
        return None, ("a value", f"the Excel error {value}")
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    if isinstance(value, (int, float)):
        return _number_text(value, cell, kind, name, personal)
    if isinstance(value, (dt.date, dt.datetime)):
        if kind == "text" and name.endswith("_id"):  # an id Excel read as a date: 2024-1-10
            return None, (
                "text",
                f"a date cell {_date_text(value, kind)!r} (Excel turned the id into a date: "
                "format the column as text and write the ids again)",
            )
        return _date_text(value, kind), None  # (text columns: a date an order's value holds)
    text = str(value)
    return (text if text.strip() else None), None


def _number_text(
    value: float, cell: Cell, kind: Kind | None, name: str, personal: str | None
) -> tuple[str | None, tuple[str, str] | None]:
    """A number cell as text, or why it is refused: a text column's number too long for Excel's
    15 digits (shown masked in a personal column, a phone stored as a number)."""
    if isinstance(value, int):  # stored as a whole number: exact, however long
        return _whole_text(str(value), value, cell, kind, name, personal)
    whole = math.isfinite(value) and value.is_integer()
    if kind == "text" and whole and abs(value) >= EXACT_DIGITS_LIMIT:
        digits = str(int(Decimal(f"{value:.15g}")))
        shown = digits if personal is None else shown_personal(personal, digits)
        one, all_of = ("an id", "ids") if name.endswith("_id") else ("a number", "values")
        return None, (
            "text",
            f"the number {shown} (Excel keeps 15 digits: {one} this long has lost its last ones; "
            f"format the column as text and write the {all_of} again)",
        )
    if whole and abs(value) < 2**53:
        return _whole_text(str(int(value)), value, cell, kind, name, personal)
    return repr(value), None


def _whole_text(
    text: str, value: float, cell: Cell, kind: Kind | None, name: str, personal: str | None
) -> tuple[str | None, tuple[str, str] | None]:
    """A whole number as its format shows it, or why it is refused: with the zeros the format
    pads it with (`00000000`) and, in a text column, the text it writes around them
    (`"MT"0000000` shows 12345 as MT0012345, an id typed as its digits); a text column's number
    whose format writes text in another way is refused, what Excel shows not being told."""
    number_format = getattr(cell, "number_format", "") or ""
    if value >= 0 and _ZERO_PADDED.match(number_format):
        return text.zfill(len(number_format)), None
    if kind != "text" or not _LITERAL.search(number_format):
        return text, None
    padded = _LITERAL_PADDED.match(number_format)
    if padded is not None and value >= 0:
        before, zeros, after = padded.groups()
        return _literal_text(before) + text.zfill(len(zeros)) + _literal_text(after), None
    shown = text if personal is None else shown_personal(personal, text)
    return None, (
        "text",
        f"the number {shown} shown by its format {number_format!r} with text of its own "
        "(format the column as text and write the values as Excel shows them)",
    )


def _literal_text(literals: str) -> str:
    """The text a run of a number format's literals (`"MT"`, `\\-`) writes."""
    return "".join(quoted + escaped for quoted, escaped in _LITERAL.findall(literals))


def _date_text(value: dt.date, kind: Kind | None) -> str:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            return value.isoformat(sep=" ")
        if kind == "period" and value.day == 1:
            return value.strftime("%Y-%m")
        return value.strftime("%Y-%m-%d")
    return value.isoformat()


def _is_filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


@dataclass(frozen=True)
class _SheetTags:
    """What a worksheet's XML holds besides its cells' values: whether any cell has a formula,
    and every merged range ('A2:B3')."""

    formulas: bool
    merged: list[str]


def _sheet_tags(path: Path, sheet_path: str) -> _SheetTags:
    """The worksheet's `_SheetTags`, its XML read once, in chunks. A tag is taken where it starts
    before the last _TAIL_BYTES of the bytes in hand, so it is whole (tags are shorter); one
    starting later is found again in the next window, which begins with those bytes."""
    formulas, merged = False, []
    with zipfile.ZipFile(path) as archive, archive.open(sheet_path) as member:
        tail = b""
        while True:
            chunk = member.read(1 << 20)
            window = tail + chunk
            cut = max(0, len(window) - _TAIL_BYTES) if chunk else len(window)
            if not formulas:
                first = FORMULA_TAG.search(window)
                formulas = first is not None and first.start() < cut
            merged += [
                match.group(1).decode()
                for match in _MERGE_TAG.finditer(window)
                if match.start() < cut
            ]
            if not chunk:
                return _SheetTags(formulas, merged)
            tail = window[cut:]


def _merged_cells(
    path: Path, table: str, ranges: list[str], cells: _SheetCells, header_row: int
) -> list[Problem]:
    """A Problem for each value merged across cells among the data rows: only the first cell
    holds it, the others read empty, though Excel shows it across them (an empty merged
    banner spreads nothing)."""
    problems = []
    for merged in ranges:
        first_column, first_row = coordinate_from_string(merged.split(":")[0])
        if first_row <= header_row:  # a title merged above the header: the header's own problem
            continue
        index = column_index_from_string(first_column) - 1
        if cells.text_at(first_row, index) is None:
            continue
        column = cells.names[index] or f"#{index + 1}"
        found = f"cells {merged} merged (only the first holds the value: unmerge them and fill each cell)"
        problems.append(
            Problem(path.name, first_row, column, "one value per cell", found, table=table)
        )
    return sorted(problems, key=lambda problem: problem.row)


def _merged_header(ranges: list[str], names: list[str], header_row: int) -> dict[int, str]:
    """Per column index whose header cell is empty, the merged range covering that cell (a name
    spread over several columns, or down from a row above the header)."""
    covering = {}
    for merged in ranges:
        first, last = merged.split(":")
        first_column, first_row = coordinate_from_string(first)
        last_column, last_row = coordinate_from_string(last)
        if not first_row <= header_row <= last_row:
            continue
        start = column_index_from_string(first_column) - 1
        for index in range(start, min(column_index_from_string(last_column), len(names))):
            if not names[index]:
                covering[index] = merged
    return covering


def _holds(rows: np.ndarray | None, row: int) -> bool:
    """Whether the rising `rows` hold `row`."""
    if rows is None:
        return False
    at = int(np.searchsorted(rows, row))
    return at < len(rows) and rows[at] == row


def _unsaved_formulas(path: Path, table: str, cells: _SheetCells, header_row: int) -> list[Problem]:
    """A Problem for each formula cell whose result was not saved with the file; the cell is
    refused (read as empty, its row kept, as any refused cell).

    Excel saves each formula's result, which is what is read; files written by programs often
    hold the formula alone, and its cell would otherwise read as empty. A result saved as empty
    text (`=IF(..., "", ...)`) is an empty cell. A formula in a text column of a table with
    personal columns is shown by its length only.
    """
    position_of = {row_number: position for position, row_number in enumerate(cells.kept)}
    saved = {index: np.asarray(rows) for index, rows in cells.saved_without_text.items()}
    # a name, address or phone column may be named anything (columns.yaml maps it): in a file
    # holding personal data, no text formula is shown
    personal = holds_personal(table, cells.names)
    problems = []
    for cell in formula_cells(path, None, header_row + 1):
        if _holds(saved.get(cell.column - 1), cell.row):
            continue
        index, position = cell.column - 1, position_of.get(cell.row)
        if position is not None and cells.columns[index][position] is not None:
            continue
        formula = str(cell.value)
        if personal and cells.kinds[index] in ("text", None):
            formula = hidden_formula(formula)
        else:
            formula = shown_cell(formula)
        column = cells.names[index] or f"#{index + 1}"
        found = unsaved_formula(formula)
        problems.append(Problem(path.name, cell.row, column, "a value", found, table=table))
        cells.refused.append((cell.row, index))
    return problems

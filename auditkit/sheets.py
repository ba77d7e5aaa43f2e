"""Sheets handed out to be filled in (sampling field sheets, register worklists): how they look,
what they let people change and how they print.

Row 1 holds a statement, row 2 the header, data from row 3. Given columns are grey and locked
(sheet protection without a password: it prevents slips, not intent, so readers check every given
cell again), input columns are yellow, unlocked and validated with a message in the sheet's
language, and the sheet prints landscape on A4, fitted to the page width, with the statement and
header rows on every page. A returned sheet's problems are gathered by `SheetProblems`, one line
each naming file, sheet, row and column, and raised together; a returned sheet is read with the
results its formulas saved, and a formula saved without one (it would read as a blank cell) is
one of its problems.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping, Sequence

from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from auditkit import i18n
from auditkit.errors import shown
from auditkit.workbooks import (
    formula_cells,
    hidden_formula,
    holds_formula,
    sheet_parts,
    unsaved_formula,
)

STATEMENT_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DEFAULT_WIDTH = 15

_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_GIVEN_FILL = PatternFill("solid", fgColor="EDEDED")


def format_sheet(
    sheet: Worksheet,
    columns: list[str],
    inputs: Collection[str],
    rows: int,
    *,
    widths: Mapping[str, int],
    number_formats: Mapping[str, str],
    wrapped: Collection[str],
    validation: Callable[[str], DataValidation | None],
) -> None:
    """Style the statement and header, lock the given columns, unlock, colour and validate the
    inputs (`validation(column)`, None for no validation) on `rows` data rows, freeze the panes."""
    last_row = FIRST_DATA_ROW + rows - 1
    sheet.merge_cells(f"A{STATEMENT_ROW}:{get_column_letter(len(columns))}{STATEMENT_ROW}")
    statement = sheet.cell(STATEMENT_ROW, 1)
    statement.font = Font(bold=True)
    statement.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[STATEMENT_ROW].height = 48
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        is_input = column in inputs
        header = sheet.cell(HEADER_ROW, index)
        header.font = Font(bold=True)
        header.alignment = Alignment(wrap_text=True, vertical="center")
        header.fill = _INPUT_FILL if is_input else _GIVEN_FILL
        sheet.column_dimensions[letter].width = widths.get(column, DEFAULT_WIDTH)
        for row in range(FIRST_DATA_ROW, last_row + 1):
            cell = sheet.cell(row, index)
            if column in number_formats:
                cell.number_format = number_formats[column]
            elif column in wrapped:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if is_input:
                cell.protection = Protection(locked=False)
            # the statement row tells the field: yellow to fill, grey given and locked
            cell.fill = _INPUT_FILL if is_input else _GIVEN_FILL
        rule = validation(column) if rows else None
        if rule is not None:
            sheet.add_data_validation(rule)
            rule.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
    sheet.freeze_panes = f"B{FIRST_DATA_ROW}"


def input_validation(
    options: dict[str, str], title: str, message: str, prompt_title: str | None = None
) -> DataValidation:
    """A validation of one input column that refuses a wrong value with `title` and `message`
    and shows them as the prompt (`prompt_title`, when given, heads the prompt instead)."""
    return DataValidation(
        **options,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=title,
        error=message,
        showInputMessage=True,
        promptTitle=title if prompt_title is None else prompt_title,
        prompt=message,
    )


def list_options(labels: Collection[str]) -> dict[str, str]:
    """Validation options: one of `labels` (which must not contain a comma)."""
    return {"type": "list", "formula1": '"' + ",".join(labels) + '"'}


def date_options(first_year: int, last_year: int) -> dict[str, str]:
    """Validation options: a date from 1 January `first_year` to 31 December `last_year`."""
    return {
        "type": "date",
        "operator": "between",
        "formula1": f"DATE({first_year},1,1)",
        "formula2": f"DATE({last_year},12,31)",
    }


def amount_options() -> dict[str, str]:
    """Validation options: a number, zero or more."""
    return {"type": "decimal", "operator": "greaterThanOrEqual", "formula1": "0"}


def text_options(length: int) -> dict[str, str]:
    """Validation options: text of at most `length` characters."""
    return {"type": "textLength", "operator": "lessThanOrEqual", "formula1": str(length)}


def protect(sheet: Worksheet) -> None:
    """Protect the sheet without a password; column widths and row heights stay adjustable."""
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = False
    protection.formatRows = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


def print_setup(sheet: Worksheet, lang: str, *, centred: bool) -> None:
    """Landscape A4 fitted to the page width, statement and header on every page, gridlines;
    `centred` centres the page horizontally."""
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{STATEMENT_ROW}:{HEADER_ROW}"
    sheet.print_options.gridLines = True
    if centred:
        sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = i18n.text("report.workbook.footer", lang)


class SheetProblems:
    """Problems of one returned sheet, one line each: file, sheet, row, column (its letter as the
    sheet has it and its name), expected and found; `raise_any` raises them together as `error`
    (an error class taking the message and the list of problems)."""

    def __init__(
        self,
        where: str,
        letters: Mapping[str, str],
        error: Callable[[str, Sequence[str]], Exception],
    ) -> None:
        self.where = where
        self.letters = dict(letters)
        self.lines: list[str] = []
        self._error = error

    def add(self, row: int, column: str | None, message: str) -> None:
        """A problem of `row` (as Excel numbers it), in `column` when given."""
        place = f"{self.where}, row {row}"
        if column is not None:
            place += f", column {self.letters.get(column, '?')} ({column})"
        self.lines.append(f"{place}: {message}")

    def expected(self, row: int, column: str, expected: str, found: object) -> None:
        """A cell that is not what was expected: what was, and what was found."""
        self.add(row, column, f"expected {expected}, found {shown(found)}")

    def unsaved_formulas(
        self,
        path: str | os.PathLike[str],
        sheet: Worksheet,
        header_row: int,
        columns: Collection[str],
    ) -> None:
        """A problem for each cell of `columns` (those the reader reads) below `header_row`
        holding a formula whose result was not saved: `sheet` (of the workbook at `path`, loaded
        with data_only=True) reads it as blank, so what was entered would silently go. A result
        saved as empty text is a blank cell. The formula is shown by its length only: a name or
        a phone may be typed into it, and the row and column already say where it is. The
        formulas are read (the file loaded once more) only when the sheet's XML holds one."""
        if not holds_formula(path, sheet_parts(path)[sheet.title]):
            return
        named = {self.letters[name]: name for name in columns if name in self.letters}
        for cell in formula_cells(path, sheet.title, header_row + 1):
            if cell.column_letter not in named:
                continue
            saved = sheet.cell(cell.row, cell.column)
            if saved.value is None and saved.data_type != "str":
                found = unsaved_formula(hidden_formula(str(cell.value)))
                self.add(cell.row, named[cell.column_letter], f"expected a value, found {found}")

    def raise_any(self) -> None:
        """Raise every problem gathered, if any."""
        if self.lines:
            count = len(self.lines)
            raise self._error(
                f"{self.where}: {count} problem{'s' if count > 1 else ''} to correct", self.lines
            )

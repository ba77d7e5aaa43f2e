"""How the inspectors' sheet looks, what it lets them change and how it prints.

The pre-filled columns are locked (sheet protection without a password: it prevents slips, not
intent; `read_field_sheet` still checks every pre-filled value against the hidden copy), the input
columns are unlocked and validated with a message in the sheet's language, and the sheet prints
landscape on A4, fitted to the page width, with the statement and header rows on every page.
"""

from __future__ import annotations

from collections.abc import Collection

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from auditkit import i18n, sheets
from auditkit.sheets import DATE_FORMAT, FIRST_DATA_ROW, HEADER_ROW, MONEY_FORMAT, STATEMENT_ROW

# The rows are those of every sheet handed out to be filled in (`auditkit.sheets`).
__all__ = [
    "FIRST_DATA_ROW",
    "HEADER_ROW",
    "NOTE_LENGTH",
    "STATEMENT_ROW",
    "flag_choices",
    "format_field_sheet",
]

NOTE_LENGTH = 500
WIDTHS = {"sample_no": 8, "times": 10, "note": 36, "customer_id": 16, "period": 11}
NUMBER_FORMATS = {
    "book_value": MONEY_FORMAT,
    "audited_value": MONEY_FORMAT,
    "inspected_at": DATE_FORMAT,
}

# Per input column: (title, message) of the error shown when a value is refused, and the prompt.
_RULES = ("inspected_at", "audited_value", "error_found", "note")


def flag_choices(lang: str) -> tuple[str, str]:
    """The two error flags the sheet offers in `lang` (yes, no)."""
    return i18n.text("common.yes", lang), i18n.text("common.no", lang)


def format_field_sheet(
    sheet: Worksheet,
    columns: list[str],
    inputs: tuple[str, ...],
    rows: int,
    lang: str,
    credit_rows: Collection[int] = (),
) -> None:
    """Lock the given columns, validate and format the input ones, set up printing.

    `credit_rows` (Excel row numbers) hold a credit, a book value below 0: their audited value
    may be below 0 too, so the audited_value column's "at least 0" leaves them out.
    """
    sheets.format_sheet(
        sheet,
        columns,
        inputs,
        rows,
        widths=WIDTHS,
        number_formats=NUMBER_FORMATS,
        wrapped=(),
        validation=lambda column: _validation(column, lang) if column in _RULES else None,
    )
    if credit_rows and rows:
        _leave_out_of_validation(sheet, columns.index("audited_value") + 1, rows, credit_rows)
    sheets.protect(sheet)
    sheets.print_setup(sheet, lang, centred=True)


def _validation(column: str, lang: str) -> DataValidation:
    """The data validation of one input column, with its error message and prompt in `lang`."""
    title = i18n.text(f"sampling.sheet.{column}.title", lang)
    message = i18n.text(f"sampling.sheet.{column}.message", lang).format(length=NOTE_LENGTH)
    if column == "error_found":
        return sheets.input_validation(
            sheets.list_options(flag_choices(lang)),
            title,
            message,
            prompt_title=i18n.text("sampling.sheet.header.error_found", lang),
        )
    if column == "inspected_at":
        options = sheets.date_options(2000, 2100)
    elif column == "audited_value":
        options = sheets.amount_options()
    else:
        options = sheets.text_options(NOTE_LENGTH)
    return sheets.input_validation(options, title, message)


def _leave_out_of_validation(
    sheet: Worksheet, column: int, rows: int, left_out: Collection[int]
) -> None:
    """The validation of `column` over the data rows, less the rows `left_out`."""
    letter = get_column_letter(column)
    whole = f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + rows - 1}"
    kept = [row for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + rows) if row not in left_out]
    runs: list[list[int]] = []
    for row in kept:
        if runs and row == runs[-1][-1] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    for rule in list(sheet.data_validations.dataValidation):
        if str(rule.sqref) != whole:
            continue
        if runs:
            ranges = " ".join(f"{letter}{run[0]}:{letter}{run[-1]}" for run in runs)
            rule.sqref = MultiCellRange(ranges)
        else:
            sheet.data_validations.dataValidation.remove(rule)

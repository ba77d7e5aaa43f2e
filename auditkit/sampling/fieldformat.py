"""How the inspectors' sheet looks, what it lets them change and how it prints.

The pre-filled columns are locked (sheet protection without a password: it prevents slips, not
intent; `read_field_sheet` still checks every pre-filled value against the hidden copy), the input
columns are unlocked and validated with a message in the sheet's language, and the sheet prints
landscape on A4, fitted to the page width, with the statement and header rows on every page.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from auditkit import i18n

STATEMENT_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
NOTE_LENGTH = 500
# What the yes/no list offers, per language (the reader also accepts the variants in FLAG_WORDS).
WIDTHS = {"sample_no": 8, "times": 10, "note": 36, "customer_id": 16, "period": 11}

_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_GIVEN_FILL = PatternFill("solid", fgColor="EDEDED")

# Per input column: (title, message) of the error shown when a value is refused, and the prompt.
_RULES = ("inspected_at", "audited_value", "error_found", "note")


def flag_choices(lang: str) -> tuple[str, str]:
    """The two error flags the sheet offers in `lang` (yes, no)."""
    return i18n.text("common.yes", lang), i18n.text("common.no", lang)


def format_field_sheet(
    sheet: Worksheet, columns: list[str], inputs: tuple[str, ...], rows: int, lang: str
) -> None:
    """Lock the given columns, validate and format the input ones, set up printing."""
    last_row = FIRST_DATA_ROW + rows - 1
    last_letter = get_column_letter(len(columns))
    sheet.merge_cells(f"A{STATEMENT_ROW}:{last_letter}{STATEMENT_ROW}")
    statement = sheet.cell(STATEMENT_ROW, 1)
    statement.font = Font(bold=True)
    statement.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[STATEMENT_ROW].height = 48
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(HEADER_ROW, index)
        header.font = Font(bold=True)
        header.alignment = Alignment(wrap_text=True, vertical="center")
        header.fill = _INPUT_FILL if column in inputs else _GIVEN_FILL
        sheet.column_dimensions[letter].width = WIDTHS.get(column, 15)
        for row in range(FIRST_DATA_ROW, last_row + 1):
            cell = sheet.cell(row, index)
            if column in ("book_value", "audited_value"):
                cell.number_format = MONEY_FORMAT
            elif column == "inspected_at":
                cell.number_format = DATE_FORMAT
            if column in inputs:
                cell.protection = Protection(locked=False)
                cell.fill = _INPUT_FILL
        if column in _RULES and rows:
            validation = _validation(column, lang)
            sheet.add_data_validation(validation)
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
    sheet.freeze_panes = f"B{FIRST_DATA_ROW}"
    _protect(sheet)
    _print_setup(sheet, lang)


def _validation(column: str, lang: str) -> DataValidation:
    """The data validation of one input column, with its error message and prompt in `lang`."""
    title = i18n.text(f"sampling.sheet.{column}.title", lang)
    message = i18n.text(f"sampling.sheet.{column}.message", lang).format(length=NOTE_LENGTH)
    if column == "error_found":
        options = {"type": "list", "formula1": '"' + ",".join(flag_choices(lang)) + '"'}
    elif column == "inspected_at":
        options = {
            "type": "date",
            "operator": "between",
            "formula1": "DATE(2000,1,1)",
            "formula2": "DATE(2100,12,31)",
        }
    elif column == "audited_value":
        options = {"type": "decimal", "operator": "greaterThanOrEqual", "formula1": "0"}
    else:
        options = {
            "type": "textLength",
            "operator": "lessThanOrEqual",
            "formula1": str(NOTE_LENGTH),
        }
    return DataValidation(
        **options,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=title,
        error=message,
        showInputMessage=True,
        promptTitle=title
        if column != "error_found"
        else i18n.text("sampling.sheet.header.error_found", lang),
        prompt=message,
    )


def _protect(sheet: Worksheet) -> None:
    """Protect the sheet without a password; column widths and row heights stay adjustable."""
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = False
    protection.formatRows = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


def _print_setup(sheet: Worksheet, lang: str) -> None:
    """Landscape A4 fitted to the page width, statement and header on every page, gridlines."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{STATEMENT_ROW}:{HEADER_ROW}"
    sheet.print_options.gridLines = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = i18n.text("report.workbook.footer", lang)

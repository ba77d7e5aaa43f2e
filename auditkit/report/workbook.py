"""The findings workbook: the rule findings as an .xlsx a reviewer can open in Excel safely.

A CSV opened in Excel loses what matters in an audit: `2023-01` becomes a date, `000123` loses its
zeros, a district named `=SUM(1+2)` becomes a formula. The workbook writes identifiers, periods and
every other text as text cells (never formulas, see `auditkit.formulas.put_cell`), amounts as
numbers with a money format, headers and rule titles in the report's language, with a frozen
header, filters, column widths and a print set-up. Personal fields are masked when asked. The
bytes are the same for the same findings (fixed timestamps), like the CSV and Parquet beside it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from auditkit import formatting, i18n
from auditkit.atomic import write_bytes_atomic
from auditkit.errors import ParameterError
from auditkit.formulas import put_cell
from auditkit.masking import mask_personal
from auditkit.report.tables import display_width, revenue_kind_name
from auditkit.workbooks import stable_xlsx_bytes

MONEY_FORMAT = "#,##0.00"
SCORE_FORMAT = "0.00"
TEXT_FORMAT = "@"
# Columns that are text whatever their dtype: codes and billing periods ('2023-01', '000123').
TEXT_COLUMNS = frozenset(
    {"rule_id", "area", "severity", "customer_id", "district", "period_from", "period_to"}
)
MONEY_COLUMNS = frozenset({"revenue_impact", "penalty", "amount", "book_value", "audited_value"})
# Header wording by column (catalogue keys); other columns keep their own names.
HEADERS = {
    "rule_id": "report.rule_id",
    "rule": "common.rule",
    "area": "common.area",
    "severity": "common.severity",
    "customer_id": "common.customer_id",
    "name": "common.name",
    "address": "common.address",
    "phone": "common.phone",
    "district": "common.district",
    "period_from": "report.workbook.period_from",
    "period_to": "report.workbook.period_to",
    "evidence": "common.evidence",
    "revenue_impact": "common.revenue_impact",
    "revenue_kind": "report.revenue_kind",
    "penalty": "report.figure.penalties",
    "score": "common.score",
}
WIDTH_LIMITS = (8, 80)


def write_findings_workbook(
    findings: pd.DataFrame,
    path: str | Path,
    *,
    lang: str = i18n.DEFAULT_LANG,
    mask: bool = True,
    catalog: pd.DataFrame | None = None,
) -> Path:
    """Write `findings` (the frame of `auditkit.rules.run`) to the .xlsx file `path`.

    Rule titles, areas and severities are shown in `lang` (`catalog` defaults to
    `auditkit.rules.catalog()`); name, address and phone are masked unless `mask` is False.
    Extra columns are kept after the known ones. The file is written atomically.
    """
    i18n.language(lang)
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ParameterError("path", "a file name ending in .xlsx", str(path))
    table = findings_table(findings, lang, catalog)
    if mask:
        table = mask_personal(table)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = i18n.text("report.workbook.sheet", lang)
    _write(sheet, table, lang)
    return write_bytes_atomic(target, stable_xlsx_bytes(workbook))


def findings_table(
    findings: pd.DataFrame, lang: str, catalog: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The findings in workbook order, with the rule's title, area, severity and evidence in
    `lang` (and the kind of revenue: 核算确认 / 估算); the machine form of the evidence
    (`evidence_code`) is left out."""
    from auditkit import rules

    if catalog is None:
        catalog = rules.catalog()
    titles = catalog.set_index("rule_id")[f"title_{lang}"]
    table = findings.reset_index(drop=True).copy()
    table.attrs = {}
    if "rule_id" in table.columns:
        position = table.columns.get_loc("rule_id") + 1
        table.insert(position, "rule", [titles.get(r, r) for r in table["rule_id"].astype(str)])
    if "area" in table.columns:
        table["area"] = [rules.area_name(str(a), lang) for a in table["area"]]
    if "severity" in table.columns:
        table["severity"] = [
            i18n.text(f"severity.{code}", lang, default=str(code)) for code in table["severity"]
        ]
    if "revenue_kind" in table.columns:
        table["revenue_kind"] = [revenue_kind_name(kind, lang) for kind in table["revenue_kind"]]
    if "evidence_code" in table.columns:
        table["evidence"] = rules.evidence_text(table, lang).to_numpy()
        table = table.drop(columns="evidence_code")
    return table


def _write(sheet: Worksheet, table: pd.DataFrame, lang: str) -> None:
    """Header, cells by column kind, widths, frozen header, filters and print set-up."""
    columns = list(table.columns)
    for position, column in enumerate(columns, start=1):
        header = sheet.cell(1, position)
        put_cell(header, i18n.text(HEADERS[column], lang) if column in HEADERS else str(column))
        header.font = Font(bold=True)
        header.alignment = Alignment(vertical="center", wrap_text=True)
        kind = _kind(table[column], column)
        for row, value in enumerate(table[column].tolist(), start=2):
            cell = sheet.cell(row, position)
            if kind == "text":
                put_cell(cell, None if formatting.is_missing(value) else str(value))
                cell.number_format = TEXT_FORMAT
            else:
                put_cell(cell, value)
                if kind == "money":
                    cell.number_format = MONEY_FORMAT
                elif kind == "date":
                    cell.number_format = "yyyy-mm-dd"
                elif column == "score":
                    cell.number_format = SCORE_FORMAT
        sheet.column_dimensions[get_column_letter(position)].width = _width(
            sheet.cell(1, position).value, table[column]
        )
    last = get_column_letter(max(len(columns), 1))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{len(table) + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True
    sheet.oddFooter.center.text = i18n.text("report.workbook.footer", lang)


def _kind(series: pd.Series, column: str) -> str:
    """How a column is written: 'money', 'number', 'date' or 'text'."""
    if column in TEXT_COLUMNS or column.endswith("_id"):
        return "text"
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_numeric_dtype(series):
        return "money" if column in MONEY_COLUMNS else "number"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    return "text"


def _width(header: object, series: pd.Series) -> float:
    """A column width fitting the header and most values (the 95th percentile), within limits."""
    sample = series.head(2000).dropna().map(display_width)
    body = int(sample.quantile(0.95)) if len(sample) else 0
    if pd.api.types.is_float_dtype(series):
        body = max(body, 12)
    low, high = WIDTH_LIMITS
    return float(min(max(display_width(header), body, low) + 2, high))

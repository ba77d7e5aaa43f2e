"""The field sheet: the selection written to .xlsx for inspectors, and read back as inspections.

The workbook has the sheet inspectors fill in (one row per selected row: identifying columns, book
value, times, then empty inspected_at, audited_value, error_found, note), an instructions sheet,
and two hidden sheets that record the selection (how it was drawn, and its rows) so a returned
sheet can be checked on its own: rows that were not selected, missing rows, missing audited
values and text in number columns are errors naming the file, the sheet row and the column.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from auditkit import __version__
from auditkit.errors import ParameterError
from auditkit.sampling import text
from auditkit.sampling.checks import choice
from auditkit.sampling.errors import FieldSheetError
from auditkit.sampling.evaluate import DISTRIBUTION_METHODS, evaluate
from auditkit.sampling.results import Evaluation, Selection

FIELD_SHEET = "field_sheet"
INSTRUCTIONS = "instructions"
META_SHEET = "auditkit_selection"
ROWS_SHEET = "auditkit_rows"
IDENTIFYING = ("customer_id", "district", "period", "stratum")
INSPECTOR_COLUMNS = ("inspected_at", "audited_value", "error_found", "note")
HEADERS_ZH = {
    "sample_no": "序号",
    "customer_id": "户号",
    "district": "供电单位",
    "period": "电费年月",
    "stratum": "层",
    "book_value": "账面金额",
    "times": "抽中次数",
    "inspected_at": "核查日期",
    "audited_value": "核实金额",
    "error_found": "是否有误",
    "note": "备注",
}
YES = {"是", "有", "有误", "y", "yes", "true", "1", "错", "x"}
NO = {"否", "无", "无误", "n", "no", "false", "0", "对"}
AMOUNT_TOLERANCE = 0.005
AUDIT_KINDS = ("self", "cross", "special")


@dataclass(frozen=True)
class FieldResults:
    """A filled field sheet read back: `inspections` (DATA.md columns) and the `sample` to evaluate."""

    inspections: pd.DataFrame
    sample: pd.DataFrame
    units: str
    population_size: int
    population_value: float | None
    strata: pd.DataFrame | None
    path: Path

    @property
    def n(self) -> int:
        """Sampling units inspected (a row hit k times counts k times)."""
        return int(self.sample["times"].sum())

    @property
    def errors(self) -> int:
        """Sampling units with an error found."""
        return int(self.sample.loc[self.sample["error_found"], "times"].sum())

    def evaluate(
        self,
        materiality: float | None,
        method: str | None = None,
        confidence: float = 0.95,
        direction: str = "overstatement",
        prior: object = None,
        pooling: str = "none",
    ) -> Evaluation:
        """Evaluate the inspected sample against materiality.

        By default items are evaluated as an attribute test (binomial on the errors found) and
        monetary units with the Poisson Stringer bound on the taints. Stratified selections are
        evaluated per stratum.
        """
        has_book = "book_value" in self.sample.columns
        if method is None:
            method = "stringer.poisson" if self.units == "values" else "binomial"
        common = {
            "materiality": materiality,
            "method": method,
            "confidence": confidence,
            "prior": prior,
        }
        if method in DISTRIBUTION_METHODS and (self.units == "items" or not has_book):
            if self.strata is not None and self.units == "items":
                return evaluate(
                    **common,
                    data=self.sample.assign(
                        _book=1.0, _audit=np.where(self.sample["error_found"], 0.0, 1.0)
                    ),
                    book="_book",
                    audit="_audit",
                    times="times",
                    strata="stratum",
                    population_size=dict(
                        zip(self.strata["stratum"], self.strata["items"], strict=True)
                    ),
                    pooling=pooling,
                )
            return evaluate(**common, x=self.errors, n=self.n, population_size=self.population_size)
        if not has_book:
            raise ParameterError(
                "method",
                "binomial, poisson or hypergeometric for a sheet without book values",
                method,
            )
        data_args = {
            "data": self.sample,
            "book": "book_value",
            "audit": "audited_value",
            "times": None if method in ("direct", "difference", "ratio", "regression") else "times",
            "direction": direction,
        }
        if self.strata is not None:
            return evaluate(
                **common,
                **data_args,
                strata="stratum",
                population_size=dict(
                    zip(self.strata["stratum"], self.strata["items"], strict=True)
                ),
                population_value=dict(
                    zip(self.strata["stratum"], self.strata["value"], strict=True)
                ),
                pooling=pooling,
            )
        return evaluate(
            **common,
            **data_args,
            population_size=self.population_size,
            population_value=self.population_value,
        )


def write_field_sheet(selection: Selection, path: str | os.PathLike[str], lang: str = "zh") -> Path:
    """Write the selection as a field sheet (.xlsx) for the inspectors; returns the path.

    The file is written under a temporary name and renamed, so an interrupted write never leaves
    a half sheet that looks whole.
    """
    text.language(lang)
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ParameterError("path", "a file name ending in .xlsx", str(path))
    rows = _selection_rows(selection)
    columns = [*rows.columns, *INSPECTOR_COLUMNS]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = FIELD_SHEET
    sheet.append([_header(column, lang) for column in columns])
    for record in rows.itertuples(index=False):
        sheet.append([_cell(value) for value in record] + [None] * len(INSPECTOR_COLUMNS))
    _format_field_sheet(sheet, columns, len(rows), lang)
    _write_instructions(workbook.create_sheet(INSTRUCTIONS), selection, lang)
    meta = workbook.create_sheet(META_SHEET)
    meta["A1"] = json.dumps(_metadata(selection, list(rows.columns)), ensure_ascii=False)
    meta.sheet_state = "hidden"
    hidden_rows = workbook.create_sheet(ROWS_SHEET)
    hidden_rows.append(list(rows.columns))
    for record in rows.itertuples(index=False):
        hidden_rows.append([_cell(value) for value in record])
    hidden_rows.sheet_state = "hidden"
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=".xlsx.part", dir=target.parent
    )
    os.close(handle)
    try:
        workbook.save(temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def read_field_sheet(
    path: str | os.PathLike[str],
    audit_kind: str = "self",
    auditing_district: str | None = None,
    inspected_at: str | dt.date | None = None,
) -> FieldResults:
    """Read a filled field sheet back, checking it against the selection recorded in it.

    `inspected_at` fills blank inspection dates (default: the file's modification date).
    `auditing_district` is who inspected; for self-audits it defaults to each row's district.
    """
    audit_kind = choice("audit_kind", audit_kind, AUDIT_KINDS)
    source = Path(path)
    if not source.is_file():
        raise FieldSheetError(f"field sheet {str(source)!r}: file not found")
    try:
        workbook = load_workbook(source, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for a non-xlsx file
        raise FieldSheetError(
            f"field sheet {source.name!r}: not a readable .xlsx file ({error})"
        ) from error
    for required in (FIELD_SHEET, META_SHEET, ROWS_SHEET):
        if required not in workbook.sheetnames:
            raise FieldSheetError(
                f"field sheet {source.name!r}: sheet {required!r} is missing (not written by auditkit?)"
            )
    meta = json.loads(workbook[META_SHEET]["A1"].value)
    expected = _sheet_frame(workbook[ROWS_SHEET], source.name, header_labels=False)
    filled = _sheet_frame(workbook[FIELD_SHEET], source.name, header_labels=True)
    default_date = _default_date(inspected_at, source)
    sample = _validate(filled, expected, meta, source.name, default_date)
    inspections = _inspections(sample, audit_kind, auditing_district)
    strata = None if meta["strata"] is None else pd.DataFrame(meta["strata"])
    return FieldResults(
        inspections=inspections,
        sample=sample,
        units=meta["units"],
        population_size=int(meta["population_size"]),
        population_value=meta["population_value"],
        strata=strata,
        path=source,
    )


def _selection_rows(selection: Selection) -> pd.DataFrame:
    sample = selection.sample
    rows = pd.DataFrame({"sample_no": np.arange(1, len(sample) + 1)})
    for column in IDENTIFYING:
        if column in sample.columns:
            rows[column] = sample[column].astype("string").to_numpy()
    if selection.values is not None:
        rows["book_value"] = sample[selection.values].to_numpy(dtype=float)
    rows["times"] = sample["times"].to_numpy(dtype=np.int64)
    return rows


def _header(column: str, lang: str) -> str:
    return f"{HEADERS_ZH[column]} {column}" if lang == "zh" and column in HEADERS_ZH else column


def canonical_column(header: object) -> str:
    """The canonical column name of a header cell ('核实金额 audited_value' -> 'audited_value')."""
    return str(header).split()[-1] if header is not None and str(header).strip() else ""


def _cell(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _format_field_sheet(sheet, columns: list[str], count: int, lang: str) -> None:
    sheet.freeze_panes = "B2"
    bold = Font(bold=True)
    to_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 16 if column != "note" else 30
        if column in INSPECTOR_COLUMNS:
            cell.fill = to_fill
        if column == "book_value":
            for row in range(2, count + 2):
                sheet.cell(row=row, column=index).number_format = "#,##0.00"
        if column == "error_found" and count:
            choices = '"是,否"' if lang == "zh" else '"yes,no"'
            validation = DataValidation(type="list", formula1=choices, allow_blank=True)
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{count + 1}")


def _write_instructions(sheet, selection: Selection, lang: str) -> None:
    zh = [
        "核查人员填写说明",
        "每一行是一条被抽中的记录；请勿增删行，也不要修改序号、户号、账面金额等已填列。",
        "核实金额 audited_value：核查后确认的正确金额（元）。无误时填写与账面金额相同的数。",
        "是否有误 error_found：填“是”或“否”；留空时按核实金额与账面金额是否一致判断。",
        "核查日期 inspected_at：格式 YYYY-MM-DD；留空时取本文件的保存日期。",
        "备注 note：发现的问题、依据、证据编号。",
        f"抽样：{selection.units} / {selection.method}，随机种子 {selection.seed}，共 {selection.n} 个抽样单位。",
    ]
    en = [
        "Instructions for inspectors",
        "Each row is one selected record; do not add or delete rows or change the pre-filled columns.",
        "audited_value: the correct amount (yuan) after inspection; the book value when it is right.",
        "error_found: yes or no; when blank it is derived from audited_value against book_value.",
        "inspected_at: YYYY-MM-DD; when blank, the date this file was saved.",
        "note: what was found, the basis, the evidence reference.",
        f"Sampling: {selection.units} / {selection.method}, seed {selection.seed}, {selection.n} units.",
    ]
    for line in zh if lang == "zh" else en:
        sheet.append([line])
    sheet.column_dimensions["A"].width = 100


def _metadata(selection: Selection, columns: list[str]) -> dict:
    strata = None
    if selection.strata is not None:
        strata = (
            selection.strata[["stratum", "items", "value"]]
            .astype(object)
            .where(selection.strata.notna(), None)
        )
        strata = strata.to_dict(orient="list")
    return {
        "auditkit": __version__,
        "units": selection.units,
        "method": selection.method,
        "n": selection.n,
        "seed": selection.seed,
        "values": selection.values,
        "interval": selection.interval,
        "start": selection.start,
        "population_size": selection.population_size,
        "population_value": selection.population_value,
        "strata": strata,
        "columns": columns,
    }


def _sheet_frame(sheet, file_name: str, header_labels: bool) -> pd.DataFrame:
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise FieldSheetError(f"field sheet {file_name!r}: sheet {sheet.title!r} is empty")
    header = [canonical_column(cell) if header_labels else str(cell) for cell in rows[0]]
    frame = pd.DataFrame(rows[1:], columns=header, dtype=object)
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # Excel's row numbers
    blank = frame.apply(
        lambda row: all(v is None or (isinstance(v, str) and not v.strip()) for v in row), axis=1
    )
    return frame[~blank] if len(frame) else frame


def _default_date(inspected_at: str | dt.date | None, source: Path) -> pd.Timestamp:
    if inspected_at is None:
        return pd.Timestamp(dt.datetime.fromtimestamp(source.stat().st_mtime).date())
    try:
        return pd.Timestamp(inspected_at).normalize()
    except ValueError as error:
        raise ParameterError("inspected_at", "a date YYYY-MM-DD", inspected_at) from error


def _validate(
    filled: pd.DataFrame,
    expected: pd.DataFrame,
    meta: dict,
    file_name: str,
    default_date: pd.Timestamp,
) -> pd.DataFrame:
    where = f"field sheet {file_name!r}"
    missing_columns = [
        c for c in [*meta["columns"], "audited_value", "error_found"] if c not in filled.columns
    ]
    if missing_columns:
        raise FieldSheetError(
            f"{where}: column(s) {missing_columns} missing from sheet {FIELD_SHEET!r}"
        )
    expected = expected.set_index(expected["sample_no"].astype(int), drop=False)
    keys = [c for c in ("customer_id", "period") if c in expected.columns]
    seen: set[int] = set()
    records = []
    for sheet_row, row in filled.iterrows():
        number = _whole(row["sample_no"], where, sheet_row, "sample_no")
        if number not in expected.index or any(
            str(row[k]) != str(expected.at[number, k]) for k in keys
        ):
            shown = ", ".join(f"{k} {row[k]!r}" for k in ["sample_no", *keys])
            raise FieldSheetError(
                f"{where}, sheet row {sheet_row}: this row ({shown}) is not in the selection"
            )
        if number in seen:
            raise FieldSheetError(
                f"{where}, sheet row {sheet_row}: sample_no {number} appears twice"
            )
        seen.add(number)
        records.append(_inspected_row(row, expected.loc[number], where, sheet_row, default_date))
    absent = sorted(set(expected.index) - seen)
    if absent:
        raise FieldSheetError(
            f"{where}: {len(absent)} selected rows are missing from the sheet (sample_no {absent[:10]})"
        )
    sample = pd.DataFrame(records).sort_values("sample_no", kind="stable").reset_index(drop=True)
    for column in ("customer_id", "district", "period", "stratum", "note"):
        if column in sample.columns:
            sample[column] = sample[column].astype("string")
    return sample


def _inspected_row(
    row: pd.Series, selected: pd.Series, where: str, sheet_row: int, default_date: pd.Timestamp
) -> dict:
    record = {column: selected[column] for column in selected.index}
    record["sample_no"] = int(selected["sample_no"])
    record["times"] = int(selected["times"])
    has_book = "book_value" in selected.index
    if has_book:
        record["book_value"] = float(selected["book_value"])
        sheet_book = _number(row.get("book_value"), where, sheet_row, "book_value")
        if sheet_book is None or abs(sheet_book - record["book_value"]) > AMOUNT_TOLERANCE:
            raise FieldSheetError(
                f"{where}, sheet row {sheet_row}, column 'book_value': changed from the selection's {record['book_value']}"
            )
    audited = _number(row["audited_value"], where, sheet_row, "audited_value")
    flag = _flag(row["error_found"], where, sheet_row)
    if has_book and audited is None:
        raise FieldSheetError(
            f"{where}, sheet row {sheet_row}, column 'audited_value': missing audited value"
        )
    if has_book:
        differs = abs(audited - record["book_value"]) > AMOUNT_TOLERANCE
        if flag is not None and flag != differs:
            state = "an error" if flag else "no error"
            raise FieldSheetError(
                f"{where}, sheet row {sheet_row}, column 'error_found': says {state} but audited_value "
                f"{audited} {'differs from' if differs else 'equals'} book_value {record['book_value']}"
            )
        flag = differs
    if flag is None:
        raise FieldSheetError(
            f"{where}, sheet row {sheet_row}, column 'error_found': missing (yes / no)"
        )
    record["audited_value"] = np.nan if audited is None else audited
    record["error_found"] = bool(flag)
    record["inspected_at"] = _date(row.get("inspected_at"), where, sheet_row, default_date)
    note = row.get("note")
    record["note"] = None if note is None else str(note)
    return record


def _whole(value: object, where: str, sheet_row: int, column: str) -> int:
    number = _number(value, where, sheet_row, column)
    if number is None or not float(number).is_integer():
        raise FieldSheetError(
            f"{where}, sheet row {sheet_row}, column {column!r}: expected a whole number, found {value!r}"
        )
    return int(number)


def _number(value: object, where: str, sheet_row: int, column: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FieldSheetError(
            f"{where}, sheet row {sheet_row}, column {column!r}: expected a number, found {value!r}"
        )
    try:
        number = (
            float(str(value).replace(",", "").strip()) if isinstance(value, str) else float(value)
        )
    except (TypeError, ValueError):
        raise FieldSheetError(
            f"{where}, sheet row {sheet_row}, column {column!r}: expected a number, found {value!r}"
        ) from None
    if not np.isfinite(number):
        raise FieldSheetError(
            f"{where}, sheet row {sheet_row}, column {column!r}: expected a number, found {value!r}"
        )
    return number


def _flag(value: object, where: str, sheet_row: int) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise FieldSheetError(
        f"{where}, sheet row {sheet_row}, column 'error_found': expected 是/否 (yes/no), found {value!r}"
    )


def _date(value: object, where: str, sheet_row: int, default: pd.Timestamp) -> pd.Timestamp:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    try:
        return pd.Timestamp(value).normalize()
    except (TypeError, ValueError):
        raise FieldSheetError(
            f"{where}, sheet row {sheet_row}, column 'inspected_at': expected a date YYYY-MM-DD, found {value!r}"
        ) from None


def _inspections(
    sample: pd.DataFrame, audit_kind: str, auditing_district: str | None
) -> pd.DataFrame:
    if auditing_district is None and (audit_kind != "self" or "district" not in sample.columns):
        raise ParameterError(
            "auditing_district",
            "who inspected (required unless a self-audit with a district column)",
            None,
        )
    inspections = pd.DataFrame(
        {
            "customer_id": sample["customer_id"].astype("string")
            if "customer_id" in sample.columns
            else pd.NA,
            "inspected_at": pd.to_datetime(sample["inspected_at"]),
            "audit_kind": pd.Series(audit_kind, index=sample.index, dtype="string"),
            "auditing_district": (
                sample["district"].astype("string")
                if auditing_district is None
                else pd.Series(auditing_district, index=sample.index, dtype="string")
            ),
            "error_found": sample["error_found"].astype(bool),
            "book_value": sample["book_value"].astype("float64")
            if "book_value" in sample.columns
            else np.nan,
            "audited_value": sample["audited_value"].astype("float64"),
        }
    )
    for extra in ("period", "sample_no", "times", "note"):
        if extra in sample.columns:
            inspections[extra] = sample[extra]
    return inspections

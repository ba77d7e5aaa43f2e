"""The field sheet: written for inspectors, read back and checked, returned as inspections."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from auditkit.sampling import FieldSheetError, read_field_sheet, select, write_field_sheet
from auditkit.sampling.fieldsheet import FIELD_SHEET, canonical_column

INSPECTIONS_COLUMNS = [
    "customer_id",
    "inspected_at",
    "audit_kind",
    "auditing_district",
    "error_found",
    "book_value",
    "audited_value",
]


@pytest.fixture
def selection():
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(60)],
            "district": "城东",
            "period": "2025-06",
            "amount": [float(100 + 10 * i) for i in range(60)],
        }
    )
    return select(frame, 12, units="values", values="amount", seed=21)


def fill(
    path: Path, target: Path, answers: dict[int, tuple[object, object]], date: str = "2025-07-15"
) -> Path:
    """Fill sheet rows (Excel numbering) with (audited_value, error_found); other rows: book value, 否."""
    workbook = load_workbook(path)
    sheet = workbook[FIELD_SHEET]
    columns = {canonical_column(cell.value): cell.column for cell in sheet[1]}
    for row in range(2, sheet.max_row + 1):
        book = sheet.cell(row, columns["book_value"]).value
        audited, flag = answers.get(row, (book, "否"))
        sheet.cell(row, columns["audited_value"]).value = audited
        sheet.cell(row, columns["error_found"]).value = flag
        sheet.cell(row, columns["inspected_at"]).value = date
    workbook.save(target)
    return target


def test_round_trip_gives_inspections(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    book = float(selection.sample[selection.values].iloc[1])
    filled = fill(blank, tmp_path / "filled.xlsx", {3: (book + 50, "是")})
    results = read_field_sheet(filled)
    assert list(results.inspections.columns[:7]) == INSPECTIONS_COLUMNS
    assert results.inspections["error_found"].dtype == bool
    assert results.inspections["inspected_at"].iloc[0] == pd.Timestamp("2025-07-15")
    assert set(results.inspections["auditing_district"]) == {"城东"}
    assert results.n == selection.sample["times"].sum() and results.errors == 1
    evaluation = results.evaluate(0.05, direction="understatement")
    assert evaluation.method == "stringer.poisson"
    assert evaluation.x == pytest.approx(50 / book)
    assert evaluation.population_value == pytest.approx(selection.population_value)


def test_blank_error_flag_is_derived_and_blank_date_defaults(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    filled = fill(blank, tmp_path / "filled.xlsx", {2: (1.0, None)}, date=None)
    results = read_field_sheet(
        filled, inspected_at="2025-08-01", audit_kind="cross", auditing_district="城西"
    )
    assert bool(results.sample["error_found"].iloc[0]) is True
    assert (results.inspections["inspected_at"] == pd.Timestamp("2025-08-01")).all()
    assert set(results.inspections["audit_kind"]) == {"cross"}


def test_a_row_not_in_the_selection_is_named(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    workbook = load_workbook(blank)
    sheet = workbook[FIELD_SHEET]
    sheet.cell(4, 2).value = "C999"  # customer_id of sheet row 4
    workbook.save(blank)
    filled = fill(blank, tmp_path / "filled.xlsx", {})
    with pytest.raises(FieldSheetError, match=r"filled.xlsx.*sheet row 4.*not in the selection"):
        read_field_sheet(filled)


def test_missing_audited_value_is_named(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    filled = fill(blank, tmp_path / "filled.xlsx", {5: (None, "否")})
    with pytest.raises(
        FieldSheetError, match=r"sheet row 5, column 'audited_value': missing audited value"
    ):
        read_field_sheet(filled)


def test_text_in_a_number_column_is_named(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    filled = fill(blank, tmp_path / "filled.xlsx", {6: ("一百", "是")})
    with pytest.raises(
        FieldSheetError,
        match=r"sheet row 6, column 'audited_value': expected a number, found '一百'",
    ):
        read_field_sheet(filled)


def test_unknown_error_flag_and_contradiction_are_named(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    with pytest.raises(FieldSheetError, match=r"sheet row 2, column 'error_found': expected 是/否"):
        read_field_sheet(fill(blank, tmp_path / "a.xlsx", {2: (None, "maybe")}))
    book = float(selection.sample[selection.values].iloc[0])
    with pytest.raises(FieldSheetError, match=r"sheet row 2, column 'error_found': says no error"):
        read_field_sheet(fill(blank, tmp_path / "b.xlsx", {2: (book + 1, "否")}))


def test_deleted_rows_are_reported(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    workbook = load_workbook(blank)
    workbook[FIELD_SHEET].delete_rows(3)
    workbook.save(blank)
    with pytest.raises(FieldSheetError, match=r"1 selected rows are missing .*sample_no \[2\]"):
        read_field_sheet(fill(blank, tmp_path / "filled.xlsx", {}))


def test_not_an_auditkit_sheet(tmp_path: Path) -> None:
    other = tmp_path / "other.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(other, index=False)
    with pytest.raises(FieldSheetError, match="not written by auditkit"):
        read_field_sheet(other)
    with pytest.raises(FieldSheetError, match="file not found"):
        read_field_sheet(tmp_path / "missing.xlsx")


def test_item_sheet_without_book_values_needs_the_flag(tmp_path: Path) -> None:
    frame = pd.DataFrame({"customer_id": [f"A{i}" for i in range(30)], "district": "城南"})
    chosen = select(frame, 6, units="items", method="random", seed=4)
    blank = write_field_sheet(chosen, tmp_path / "items.xlsx", lang="en")
    workbook = load_workbook(blank)
    sheet = workbook[FIELD_SHEET]
    columns = {canonical_column(cell.value): cell.column for cell in sheet[1]}
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, columns["error_found"]).value = "yes" if row == 2 else "no"
    workbook.save(blank)
    results = read_field_sheet(blank, inspected_at="2025-01-02")
    evaluation = results.evaluate(0.2)
    assert (evaluation.method, evaluation.x, evaluation.n) == ("binomial", 1, 6)
    assert evaluation.population_size == 30
    sheet.cell(3, columns["error_found"]).value = None
    workbook.save(blank)
    with pytest.raises(FieldSheetError, match=r"sheet row 3, column 'error_found': missing"):
        read_field_sheet(blank)


def test_path_must_be_xlsx(selection, tmp_path: Path) -> None:
    from auditkit.errors import ParameterError

    with pytest.raises(ParameterError, match="'path'"):
        write_field_sheet(selection, tmp_path / "sheet.csv")

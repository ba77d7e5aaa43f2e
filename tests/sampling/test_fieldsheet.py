"""The field sheet: written for inspectors, read back and checked, returned as inspections."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from formula_results import save_results
from lock_files import excel_owner_file, libreoffice_lock
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sampling_builders import accounts, bills
from scipy import stats
from zip_bombs import bombed, packed_ratio, with_sheets

from auditkit import workbooks
from auditkit.errors import ParameterError
from auditkit.formulas import put_cell
from auditkit.sampling import (
    FieldSheetError,
    read_field_sheet,
    select,
    write_field_sheet,
)
from auditkit.sampling.fieldformat import FIRST_DATA_ROW, HEADER_ROW
from auditkit.sampling.fieldsheet import INSPECTOR_COLUMNS, header_columns
from auditkit.workbooks import sheet_parts, unpacking_refused

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
    frame = bills([100 + 10 * i for i in range(60)])
    return select(frame, 12, units="values", values="amount", seed=21)


def fill(
    path: Path, target: Path, answers: dict[int, tuple[object, object]], date: object = "2025-07-15"
) -> Path:
    """Fill sheet rows (Excel numbering) with (audited_value, error_found); other rows: book value, 否."""
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    header_row, columns = header_columns(sheet)
    for row in range(header_row + 1, sheet.max_row + 1):
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
    filled = fill(blank, tmp_path / "filled.xlsx", {FIRST_DATA_ROW + 1: (book + 50, "是")})
    results = read_field_sheet(filled)
    assert list(results.inspections.columns[:7]) == INSPECTIONS_COLUMNS
    assert results.inspections["error_found"].dtype == bool
    assert results.inspections["inspected_at"].iloc[0] == pd.Timestamp("2025-07-15")
    assert set(results.inspections["auditing_district"]) == {"城东"}
    assert results.n == selection.sample["times"].sum() and results.errors == 1
    evaluation = results.evaluate(0.05)  # the direction the sheet states: under-billing
    assert evaluation.method == "stringer.poisson"
    assert evaluation.x == pytest.approx(50 / book)
    assert evaluation.population_value == pytest.approx(selection.population_value)


def test_a_sheet_without_errors_keeps_the_headings_of_its_errors_table(
    selection, tmp_path: Path
) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    results = read_field_sheet(fill(blank, tmp_path / "filled.xlsx", {}))
    errors = results.errors_table()
    assert errors.empty and {"customer_id", "book_value", "audited_value"} <= set(errors.columns)
    assert results.summary()["difference"] == 0


def test_the_results_difference_is_money_to_the_fen_without_float_noise(tmp_path: Path) -> None:
    frame = bills([161769.31, 233067.0, 162400.58])
    selection = select(frame, 3, units="values", values="amount", seed=1)
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    # 192635.22 − 161769.31 is 30865.910000000003 in floats, 263932.91 − 233067.00 is
    # 30865.909999999974: both are 30,865.91 yuan. 162400.58 is audited as billed (near miss).
    audited = {161769.31: 192635.22, 233067.0: 263932.91}
    workbook = load_workbook(blank)
    sheet = workbook.worksheets[0]
    _, columns = header_columns(sheet)
    answers = {}
    for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
        book = sheet.cell(row, columns["book_value"]).value
        answers[row] = (audited.get(book, book), "是" if book in audited else "否")
    results = read_field_sheet(fill(blank, tmp_path / "filled.xlsx", answers))

    errors = results.errors_table()
    assert errors["difference"].tolist() == [30865.91, 30865.91]
    assert sorted(errors["book_value"]) == [161769.31, 233067.0]
    assert sorted(errors["audited_value"]) == [192635.22, 263932.91]
    written = results.to_table("zh").to_csv(index=False)
    assert "30865.91," in written and "30865.9100" not in written and "30865.909" not in written
    assert results.summary()["difference"] == 61731.82  # 2 × 30,865.91


def test_blank_error_flag_is_derived_and_blank_date_defaults(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    filled = fill(blank, tmp_path / "filled.xlsx", {FIRST_DATA_ROW: (1.0, None)}, date=None)
    results = read_field_sheet(
        filled, inspected_at="2025-08-01", audit_kind="cross", auditing_district="城西"
    )
    assert bool(results.sample["error_found"].iloc[0]) is True
    assert (results.inspections["inspected_at"] == pd.Timestamp("2025-08-01")).all()
    assert set(results.inspections["audit_kind"]) == {"cross"}


def test_a_row_not_in_the_selection_is_named(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    workbook = load_workbook(blank)
    sheet = workbook.worksheets[0]
    sheet.cell(5, 2).value = "C999"  # customer_id of sheet row 5
    workbook.save(blank)
    filled = fill(blank, tmp_path / "filled.xlsx", {})
    with pytest.raises(FieldSheetError, match=r"filled.xlsx.*row 5: .*not in the selection"):
        read_field_sheet(filled)


def test_missing_audited_value_is_named(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    filled = fill(blank, tmp_path / "filled.xlsx", {5: (None, "否")})
    with pytest.raises(
        FieldSheetError,
        match=r"row 5, column H \(audited_value\): expected the audited amount in yuan, "
        r"found an empty cell$",
    ):
        read_field_sheet(filled)


def test_text_in_a_number_column_is_named(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    filled = fill(blank, tmp_path / "filled.xlsx", {6: ("一百", "是")})
    with pytest.raises(
        FieldSheetError,
        match=r"row 6, column H \(audited_value\): expected a number, found '一百'",
    ):
        read_field_sheet(filled)


def test_unknown_error_flag_and_contradiction_are_named(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    book = float(selection.sample[selection.values].iloc[0])
    with pytest.raises(
        FieldSheetError, match=r"row 3, column I \(error_found\): expected yes or no .*'maybe'"
    ):
        read_field_sheet(fill(blank, tmp_path / "a.xlsx", {3: (book, "maybe")}))
    with pytest.raises(FieldSheetError, match=r"row 3, column I \(error_found\): says no error"):
        read_field_sheet(fill(blank, tmp_path / "b.xlsx", {3: (book + 1, "否")}))


def test_deleted_rows_are_reported(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    workbook = load_workbook(blank)
    workbook.worksheets[0].delete_rows(FIRST_DATA_ROW + 1)
    workbook.save(blank)
    with pytest.raises(FieldSheetError, match=r"1 selected row is missing .*\(sample_no 2\)$"):
        read_field_sheet(fill(blank, tmp_path / "filled.xlsx", {}))


def test_not_an_auditkit_sheet(tmp_path: Path) -> None:
    other = tmp_path / "other.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(other, index=False)
    with pytest.raises(FieldSheetError) as raised:
        read_field_sheet(other)
    assert str(raised.value) == (
        "field sheet 'other.xlsx': expected the sheets 'field_sheet', 'auditkit_selection', "
        "'auditkit_rows' among at most 4 (as auditkit writes it), found 1 sheet(s): 'Sheet1', "
        "without 'field_sheet', 'auditkit_selection', 'auditkit_rows': not loaded"
    )
    with pytest.raises(FieldSheetError, match="file not found"):
        read_field_sheet(tmp_path / "missing.xlsx")


def test_item_sheet_without_book_values_needs_the_flag(tmp_path: Path) -> None:
    frame = accounts(30)
    chosen = select(frame, 6, units="items", method="random", seed=4)
    blank = write_field_sheet(chosen, tmp_path / "items.xlsx", lang="en")
    workbook = load_workbook(blank)
    sheet = workbook.worksheets[0]
    header_row, columns = header_columns(sheet)
    for row in range(header_row + 1, sheet.max_row + 1):
        sheet.cell(row, columns["error_found"]).value = "yes" if row == header_row + 1 else "no"
    workbook.save(blank)
    results = read_field_sheet(blank, inspected_at="2025-01-02")
    evaluation = results.evaluate(0.2)
    assert (evaluation.method, evaluation.x, evaluation.n) == ("binomial", 1, 6)
    assert evaluation.population_size == 30
    sheet.cell(4, columns["error_found"]).value = None
    workbook.save(blank)
    with pytest.raises(
        FieldSheetError, match=r"row 4, column .* \(error_found\): expected yes or no"
    ):
        read_field_sheet(blank)


def test_path_must_be_xlsx(selection, tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="'path'"):
        write_field_sheet(selection, tmp_path / "sheet.csv")


HOSTILE = ["=SUM(1+2)", "+86 138", "-1", "@cmd", '=HYPERLINK("http://x")']


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    frame = bills(
        [100 + i for i in range(10)], district=HOSTILE * 2, period="2023-01", prefix="0", width=4
    )
    chosen = select(frame, 10, units="values", values="amount", method="sieve", seed=3)
    blank = write_field_sheet(chosen, tmp_path / "sheet.xlsx")
    workbook = load_workbook(blank)
    formulas = [
        (sheet.title, cell.coordinate, cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    header_row, columns = header_columns(workbook.worksheets[0])
    sheet = workbook.worksheets[0]
    written = [
        sheet.cell(r, columns["district"]).value for r in range(header_row + 1, sheet.max_row + 1)
    ]
    assert written == chosen.sample["district"].tolist()
    ids = [
        sheet.cell(r, columns["customer_id"]).value
        for r in range(header_row + 1, sheet.max_row + 1)
    ]
    assert ids == chosen.sample["customer_id"].tolist()  # leading zeros kept, as text
    results = read_field_sheet(fill(blank, tmp_path / "filled.xlsx", {}))
    assert results.sample["district"].tolist() == chosen.sample["district"].tolist()


def test_given_columns_locked_and_every_input_column_validated(selection, tmp_path: Path) -> None:
    sheet = load_workbook(write_field_sheet(selection, tmp_path / "sheet.xlsx")).worksheets[0]
    header_row, columns = header_columns(sheet)
    first, last = header_row + 1, sheet.max_row
    assert sheet.protection.sheet and not sheet.protection.password
    inputs = ("inspected_at", "audited_value", "error_found", "note")
    for name, column in columns.items():
        locked = {sheet.cell(row, column).protection.locked for row in range(first, last + 1)}
        assert locked == {name not in inputs}, name
    validations = {}
    for validation in sheet.data_validations.dataValidation:
        for name, column in columns.items():
            letter = get_column_letter(column)
            if str(validation.sqref) == f"{letter}{first}:{letter}{last}":
                validations[name] = validation
    assert set(validations) == set(inputs)
    assert all(v.showErrorMessage and v.error and v.errorTitle for v in validations.values())
    assert validations["error_found"].type == "list"
    assert validations["error_found"].formula1 == '"是,否"'
    assert validations["inspected_at"].type == "date"
    assert (validations["audited_value"].type, validations["audited_value"].operator) == (
        "decimal",
        "greaterThanOrEqual",
    )
    assert validations["audited_value"].formula1 == "0"
    assert sheet.cell(first, columns["audited_value"]).number_format == "#,##0.00"
    assert sheet.cell(first, columns["book_value"]).number_format == "#,##0.00"
    assert sheet.cell(first, columns["inspected_at"]).number_format == "yyyy-mm-dd"


def test_english_sheet_offers_yes_and_no(tmp_path: Path) -> None:
    frame = accounts(30)
    chosen = select(frame, 6, units="items", method="random", seed=4)
    sheet = load_workbook(write_field_sheet(chosen, tmp_path / "en.xlsx", lang="en")).worksheets[0]
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert [v.formula1 for v in lists] == ['"yes,no"']


def test_printed_landscape_fitted_to_width_with_headers_on_every_page(
    selection, tmp_path: Path
) -> None:
    sheet = load_workbook(write_field_sheet(selection, tmp_path / "sheet.xlsx")).worksheets[0]
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.fitToWidth), int(setup.fitToHeight)) == ("landscape", 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$2"  # the statement and the header rows
    assert sheet.print_options.gridLines


def test_every_problem_is_one_line_naming_sheet_row_and_column(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    book = float(selection.sample[selection.values].iloc[2])
    filled = fill(
        blank, tmp_path / "filled.xlsx", {3: (None, "maybe"), 5: (book, "否"), 6: ("一百", "是")}
    )
    workbook = load_workbook(filled)
    workbook.worksheets[0]["G7"] = "next tuesday"
    workbook.save(filled)
    with pytest.raises(FieldSheetError) as raised:
        read_field_sheet(filled)
    where = "field sheet 'filled.xlsx', sheet '现场核查表'"
    assert raised.value.problems == [
        f"{where}, row 3, column I (error_found): expected yes or no "
        "(是/否, 有/无, 有误/无误, Y/N, yes/no, true/false, 1/0), found 'maybe'",
        f"{where}, row 3, column H (audited_value): expected the audited amount in yuan, found an empty cell",
        f"{where}, row 6, column H (audited_value): expected a number, found '一百'",
        f"{where}, row 7, column G (inspected_at): expected a date YYYY-MM-DD between 2000 and 2100, found 'next tuesday'",
    ]
    assert str(raised.value).count("\n") == 4


def test_an_inspection_dated_after_today_is_refused_naming_row_and_column(
    selection, tmp_path: Path
) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    filled = fill(blank, tmp_path / "filled.xlsx", {}, date=f"{today:%Y-%m-%d}")
    workbook = load_workbook(filled)
    workbook.worksheets[0].cell(FIRST_DATA_ROW + 1, 7).value = f"{tomorrow:%Y-%m-%d}"
    workbook.worksheets[0].cell(FIRST_DATA_ROW + 2, 7).value = dt.datetime(2099, 1, 1)
    workbook.save(filled)
    with pytest.raises(FieldSheetError) as raised:
        read_field_sheet(filled)
    where = "field sheet 'filled.xlsx', sheet '现场核查表'"
    assert raised.value.problems == [
        f"{where}, row {FIRST_DATA_ROW + 1}, column G (inspected_at): expected a date up to "
        f"today, {today:%Y-%m-%d}, found {tomorrow:%Y-%m-%d}",
        f"{where}, row {FIRST_DATA_ROW + 2}, column G (inspected_at): expected a date up to "
        f"today, {today:%Y-%m-%d}, found 2099-01-01",
    ]


@pytest.mark.parametrize(
    ("inspected_at", "expected"),
    [
        ("2999-01-01", "a date up to today"),
        (dt.date.today() + dt.timedelta(days=1), "a date up to today"),
        (2025, "a date YYYY-MM-DD"),  # pandas would read it as 2,025 ns after 1970
        ("", "a date YYYY-MM-DD"),  # pandas would read it as no date (NaT)
        ("next tuesday", "a date YYYY-MM-DD"),
    ],
)
def test_a_default_inspection_day_after_today_or_no_day_is_refused_naming_it(
    selection, tmp_path: Path, inspected_at: object, expected: str
) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    filled = fill(blank, tmp_path / "filled.xlsx", {}, date=None)
    with pytest.raises(ParameterError) as raised:
        read_field_sheet(filled, inspected_at=inspected_at)
    assert raised.value.name == "inspected_at"
    assert raised.value.expected.startswith(expected)


def test_blank_days_refused_when_the_file_is_dated_after_today_and_filled_ones_read(
    selection, tmp_path: Path
) -> None:
    """A sheet saved on a computer whose clock ran ahead: its blank days would take a day that
    has not come (they are named by row); a sheet whose every day is filled in is read."""
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    filled = fill(blank, tmp_path / "filled.xlsx", {}, date="2025-07-15")
    workbook = load_workbook(filled)
    workbook.worksheets[0].cell(FIRST_DATA_ROW + 2, 7).value = None
    workbook.save(filled)
    dated = fill(blank, tmp_path / "dated.xlsx", {}, date="2025-07-15")
    ahead = dt.datetime(2099, 1, 2).timestamp()
    for path in (filled, dated):
        os.utime(path, (ahead, ahead))
    with pytest.raises(FieldSheetError) as raised:
        read_field_sheet(filled)
    assert raised.value.problems == [
        f"field sheet 'filled.xlsx', sheet '现场核查表', row {FIRST_DATA_ROW + 2}, column G "
        f"(inspected_at): expected a date up to today, {dt.date.today():%Y-%m-%d}, found "
        "2099-01-02 (the file's modification date, which a blank takes: fill the day in)"
    ]
    days = read_field_sheet(dated).inspections["inspected_at"]
    assert (days == pd.Timestamp("2025-07-15")).all()
    assert (read_field_sheet(filled, inspected_at="2025-07-16").inspections["inspected_at"]).iloc[
        2
    ] == pd.Timestamp("2025-07-16")


def test_an_inspection_dated_today_is_read(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    today = dt.datetime.combine(dt.date.today(), dt.time())
    results = read_field_sheet(fill(blank, tmp_path / "filled.xlsx", {}, date=today))
    assert (results.inspections["inspected_at"] == pd.Timestamp(today)).all()


def test_an_inspection_day_is_read_as_register_import_reads_one_never_guessed(
    selection, tmp_path: Path
) -> None:
    """A serial number in a General cell is the day Excel keeps (45853: 2025-07-15), not 1970;
    a serial with a fraction, a date with a time of day, a zone or an empty date text are
    refused at their row; 2025年7月16日 is read."""
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    filled = fill(blank, tmp_path / "filled.xlsx", {}, date="2025-07-14")
    workbook = load_workbook(filled)
    cells = [workbook.worksheets[0].cell(FIRST_DATA_ROW + k, 7) for k in range(5)]
    cells[0].value, cells[0].number_format = 45853, "General"
    cells[1].value = "2025年7月16日"
    cells[2].value, cells[2].number_format = 45853.5, "General"
    cells[3].value = "2025-07-15T10:00+08:00"
    cells[4].value = "nat"
    workbook.save(filled)
    with pytest.raises(FieldSheetError) as raised:
        read_field_sheet(filled)
    expected = "expected a date YYYY-MM-DD between 2000 and 2100, found "
    assert [line.split("(inspected_at): ")[1] for line in raised.value.problems] == [
        f"{expected}45853.5",
        f"{expected}'2025-07-15T10:00+08:00'",
        f"{expected}'nat'",
    ]
    for cell in cells[2:]:
        cell.value = None  # blank: the file's day, as for every blank
    workbook.save(filled)
    days = read_field_sheet(filled).inspections.sort_values("sample_no")["inspected_at"]
    saved = f"{dt.date.fromtimestamp(filled.stat().st_mtime):%Y-%m-%d}"
    assert [f"{day:%Y-%m-%d}" for day in days[:5]] == ["2025-07-15", "2025-07-16", *[saved] * 3]


def with_notes(path: Path, notes: dict[int, str]) -> Path:
    """The field sheet at `path` with `notes` (by Excel row) written as text, whatever they look
    like (as a spreadsheet saves what is typed)."""
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    _, columns = header_columns(sheet)
    for row, note in notes.items():
        put_cell(sheet.cell(row, columns["note"]), note)
    workbook.save(path)
    return path


def test_a_note_with_a_control_or_invisible_character_or_too_long_is_refused(
    selection, tmp_path: Path
) -> None:
    filled = fill(write_field_sheet(selection, tmp_path / "sheet.xlsx"), tmp_path / "f.xlsx", {})
    notes = {3: "\u202e表计正常", 4: "门\u200b锁", 5: "铅封\x7f", 6: "查" * 501}
    with pytest.raises(FieldSheetError) as raised:
        read_field_sheet(with_notes(filled, notes))
    where = "field sheet 'f.xlsx', sheet '现场核查表'"
    hidden = (
        "expected text without control characters other than tab and line breaks (NUL, escape, "
        "bell) or invisible characters (zero-width spaces, direction marks)"
    )
    assert raised.value.problems == [
        f"{where}, row 3, column J (note): {hidden}, found '\\u202e表计正常'",
        f"{where}, row 4, column J (note): {hidden}, found '门\\u200b锁'",
        f"{where}, row 5, column J (note): {hidden}, found '铅封\\x7f'",
        f"{where}, row 6, column J (note): expected at most 500 characters, found "
        f"{'查' * 80!r}… (501 characters)",
    ]


def test_a_note_with_tabs_line_breaks_or_formula_text_is_kept_as_written(
    selection, tmp_path: Path
) -> None:
    filled = fill(write_field_sheet(selection, tmp_path / "sheet.xlsx"), tmp_path / "f.xlsx", {})
    notes = {3: "表计\t已封\n复查", 4: '=HYPERLINK("http://e.vil/","x")', 5: "查" * 500}
    results = read_field_sheet(with_notes(filled, notes))
    read = results.sample.set_index("sample_no")["note"]
    assert [read[row - 2] for row in notes] == list(notes.values())


@pytest.mark.parametrize(
    ("spelling", "found"),
    [
        ("Y", True),
        ("n", False),
        ("YES", True),
        ("有误", True),
        ("无", False),
        ("Ｙ", True),
        ("否", False),
    ],
)
def test_obvious_flag_spellings_are_accepted(tmp_path: Path, spelling: str, found: bool) -> None:
    frame = accounts(30)
    chosen = select(frame, 3, units="items", method="random", seed=4)
    blank = write_field_sheet(chosen, tmp_path / "items.xlsx")
    workbook = load_workbook(blank)
    sheet = workbook.worksheets[0]
    header_row, columns = header_columns(sheet)
    for row in range(header_row + 1, sheet.max_row + 1):
        sheet.cell(row, columns["error_found"]).value = spelling
    workbook.save(blank)
    results = read_field_sheet(blank, inspected_at="2025-01-02")
    assert results.errors == (3 if found else 0)


@pytest.mark.parametrize("spelling", ["x", "✓", "对"])
def test_ambiguous_flags_are_refused(tmp_path: Path, spelling: str) -> None:
    frame = accounts(30)
    chosen = select(frame, 3, units="items", method="random", seed=4)
    blank = write_field_sheet(chosen, tmp_path / "items.xlsx")
    workbook = load_workbook(blank)
    sheet = workbook.worksheets[0]
    header_row, columns = header_columns(sheet)
    for row in range(header_row + 1, sheet.max_row + 1):
        sheet.cell(row, columns["error_found"]).value = spelling if row == 3 else "否"
    workbook.save(blank)
    with pytest.raises(
        FieldSheetError, match=r"row 3, column G \(error_found\): expected yes or no"
    ):
        read_field_sheet(blank, inspected_at="2025-01-02")


def test_sheet_states_and_records_the_direction_it_is_evaluated_in(
    selection, tmp_path: Path
) -> None:
    book = float(selection.sample[selection.values].iloc[0])
    answers = {FIRST_DATA_ROW: (book * 1.5, "是")}  # under-billed: audited above book
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    statement = load_workbook(blank).worksheets[0]["A1"].value
    assert "少计" in statement and "核实金额高于账面金额" in statement
    results = read_field_sheet(fill(blank, tmp_path / "filled.xlsx", answers))
    assert results.direction == "understatement"
    assert results.evaluate(0.05).x == pytest.approx(0.5)
    over = write_field_sheet(selection, tmp_path / "over.xlsx", direction="overstatement")
    assert "多计" in load_workbook(over).worksheets[0]["A1"].value
    evaluation = read_field_sheet(fill(over, tmp_path / "over_filled.xlsx", answers)).evaluate(0.05)
    assert (evaluation.direction, evaluation.x) == ("overstatement", 0)


UNSAVED = "whose result was not saved (open and save the file in Excel, or paste the values)"


def test_formulas_saved_without_their_result_are_named_not_read_as_blank(
    selection, tmp_path: Path
) -> None:
    # A program (not Excel) wrote the formulas: each would read as a blank cell, the audited
    # amount missing, the inspection dated the file's day, the note lost.
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    filled = fill(blank, tmp_path / "filled.xlsx", {3: ("=E3*1.1", "是")})
    workbook = load_workbook(filled)
    workbook.worksheets[0]["G4"] = "=DATE(2025,7,15)"
    workbook.worksheets[0]["J5"] = '="电表已换"'
    workbook.save(filled)
    with pytest.raises(FieldSheetError) as raised:
        read_field_sheet(filled)
    where = "field sheet 'filled.xlsx', sheet '现场核查表'"
    hidden = "characters (not shown: it may hold personal data)"
    assert raised.value.problems == [
        f"{where}, row 3, column H (audited_value): expected a value, found a formula "
        f"of 7 {hidden} {UNSAVED}",
        f"{where}, row 4, column G (inspected_at): expected a value, found a formula "
        f"of 16 {hidden} {UNSAVED}",
        f"{where}, row 5, column J (note): expected a value, found a formula of 7 {hidden} "
        f"{UNSAVED}",
    ]
    assert "电表已换" not in str(raised.value.problems)


def test_formulas_with_their_saved_result_read_as_that_result(selection, tmp_path: Path) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    book = float(selection.sample[selection.values].iloc[0])
    filled = fill(blank, tmp_path / "filled.xlsx", {3: ("=E3+50", "是")})
    workbook = load_workbook(filled)
    workbook.worksheets[0]["J3"] = '="电表已换"'
    workbook.worksheets[0]["J4"] = '=IF(1,"","x")'  # its result saved as empty text: no note
    put_cell(workbook.worksheets[0]["J5"], "=见照片")  # text typed with a leading '=' stays text
    workbook.save(filled)
    save_results(
        filled, {"H3": book + 50, "J3": "电表已换", "J4": ""}, part="xl/worksheets/sheet1.xml"
    )
    results = read_field_sheet(filled)
    assert results.sample["audited_value"].iloc[0] == pytest.approx(book + 50)
    notes = results.sample["note"]
    assert (notes[0], notes[2]) == ("电表已换", "=见照片") and pd.isna(notes[1])


def test_a_field_sheet_with_nothing_filled_in_is_written_again(selection, tmp_path: Path) -> None:
    path = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    workbook = load_workbook(path)
    workbook.worksheets[0].cell(FIRST_DATA_ROW, 2).value = "changed"  # a given cell, not an input
    workbook.save(path)
    assert write_field_sheet(selection, path, lang="en") == path  # a scheduled rerun
    assert load_workbook(path).worksheets[0].cell(FIRST_DATA_ROW, 2).value != "changed"


@pytest.mark.parametrize(
    ("cell", "value"),
    [("H5", 120.5), ("I4", "否"), ("J6", "户主不在家"), ("G7", "=DATE(2025,7,15)")],
)
def test_a_field_sheet_the_inspectors_began_to_fill_is_never_written_over(
    selection, tmp_path: Path, cell: str, value: object
) -> None:
    path = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    workbook = load_workbook(path)
    workbook.worksheets[0][cell] = value
    workbook.save(path)
    before = path.read_bytes()
    column = {"G": "inspected_at", "H": "audited_value", "I": "error_found", "J": "note"}[cell[0]]
    with pytest.raises(ParameterError) as raised:
        write_field_sheet(selection, path)
    found = (
        f"{path} with 1 inspector cell(s) filled (the first: sheet '现场核查表', row {cell[1:]}, "
        f"column {cell[0]} ({column})): evaluate it and move it away first, or write the field "
        "sheet to another file"
    )
    assert str(raised.value) == (
        "parameter 'path': expected a new file, or an auditkit field sheet with nothing filled "
        f"in, found {found!r}"
    )
    assert path.read_bytes() == before


def test_a_file_that_is_no_field_sheet_is_never_written_over(selection, tmp_path: Path) -> None:
    other = tmp_path / "bills.xlsx"
    pd.DataFrame({"customer_id": ["C001"], "amount": [12.5]}).to_excel(other, index=False)
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook", encoding="utf-8")
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    reasons = {
        other: "field sheet 'bills.xlsx': expected the sheets 'field_sheet', "
        "'auditkit_selection', 'auditkit_rows' among at most 4 (as auditkit writes it), found 1 "
        "sheet(s): 'Sheet1', without 'field_sheet', 'auditkit_selection', 'auditkit_rows': not "
        "loaded",
        text: "field sheet 'notes.xlsx': expected an .xlsx workbook, found a file that is not a "
        "readable .xlsx file (BadZipFile: File is not a zip file)",
        folder: "field sheet 'folder.xlsx': expected an .xlsx workbook, found a folder",
    }
    for path, reason in reasons.items():
        before = None if path.is_dir() else path.read_bytes()
        with pytest.raises(ParameterError) as raised:
            write_field_sheet(selection, path)
        assert raised.value.name == "path"
        assert (
            raised.value.expected == "a new file, or an auditkit field sheet with nothing filled in"
        )
        assert raised.value.found == f"{reason}: move it away first"  # the file named once
        assert before is None or path.read_bytes() == before


def test_a_field_sheet_with_more_sheets_than_written_is_refused_before_it_is_loaded(
    selection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled = fill(write_field_sheet(selection, tmp_path / "sheet.xlsx"), tmp_path / "f.xlsx", {})
    assert read_field_sheet(filled).sample.shape[0] == len(selection.sample)  # four: the near miss
    # 51 sheets of empty rows more, each its own small part: no size guard refuses them (55
    # such sheets of 0.9 MB, 93 times packed, kept `sample evaluate` 89 s before it said so).
    extra = with_sheets(filled, tmp_path / "extra.xlsx", 51, 100, shared=False)
    assert unpacking_refused(extra, workbooks.RETURNED_SHEET_UNPACKED_BYTES) is None

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was loaded")

    monkeypatch.setattr(workbooks, "load_workbook", never)
    message = (
        "field sheet 'extra.xlsx': expected the sheets '现场核查表', 'auditkit_selection', "
        "'auditkit_rows' among at most 4 (as auditkit writes it), found 55 sheet(s): "
        "'现场核查表', '填写说明', 'auditkit_selection', 'auditkit_rows', 'extra0', "
        "'extra1', …: not loaded"
    )
    with pytest.raises(FieldSheetError) as raised:
        read_field_sheet(extra)
    assert str(raised.value) == message
    with pytest.raises(ParameterError) as raised:  # written over? It is not even loaded
        write_field_sheet(selection, extra)
    assert raised.value.found == f"{message}: move it away first"


def test_a_field_sheet_without_an_inspector_column_is_never_written_over(
    selection, tmp_path: Path
) -> None:
    sheet = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    workbook = load_workbook(sheet)
    header_row, columns = header_columns(workbook.worksheets[0])
    workbook.worksheets[0].cell(header_row, columns["error_found"]).value = None
    workbook.save(sheet)
    with pytest.raises(ParameterError) as raised:
        write_field_sheet(selection, sheet)
    assert raised.value.found == (
        "field sheet 'sheet.xlsx', sheet '现场核查表': expected the columns "
        f"{', '.join(INSPECTOR_COLUMNS)} in its header, found no error_found: move it away first"
    )


def test_a_field_sheet_that_is_a_zip_bomb_is_refused_before_it_is_loaded(
    selection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled = fill(write_field_sheet(selection, tmp_path / "sheet.xlsx"), tmp_path / "f.xlsx", {})
    bomb = bombed(filled, tmp_path / "bomb.xlsx", 40_000)  # 2 MB of rows packed 300 times
    part = next(iter(sheet_parts(bomb).values()))

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was loaded")

    monkeypatch.setattr(workbooks, "load_workbook", never)
    refused = (
        "expected an .xlsx workbook unpacking to at most 50.00 MB in all, none of its parts to "
        f"over 100 times its packed size, found the part {part!r} unpacking to "
    )
    with pytest.raises(FieldSheetError) as raised:
        read_field_sheet(bomb)
    assert str(raised.value).startswith(f"field sheet 'bomb.xlsx': {refused}")
    assert f"{packed_ratio(bomb, part):,.0f} times its packed" in str(raised.value)
    assert str(raised.value).endswith(
        "not loaded (a field sheet auditkit writes unpacks to far less)"
    )
    with pytest.raises(ParameterError) as raised:  # written over? It is not even loaded
        write_field_sheet(selection, bomb)
    assert raised.value.found.startswith(f"field sheet 'bomb.xlsx': {refused}")


def test_a_lock_file_read_as_a_field_sheet_is_named_as_one_with_its_workbook(
    selection, tmp_path: Path
) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    filled = fill(blank, tmp_path / "~$filled.xlsx", {FIRST_DATA_ROW: (999.0, "是")})
    lock = excel_owner_file(tmp_path / "~$sheet.xlsx")  # sheet.xlsx is open in Excel
    with pytest.raises(FieldSheetError) as raised:
        read_field_sheet(lock)
    assert str(raised.value) == (
        "field sheet '~$sheet.xlsx': expected an .xlsx workbook, found the lock file Excel or WPS "
        "keeps while 'sheet.xlsx' is open (save and close sheet.xlsx there, then evaluate it)"
    )
    # A workbook a user named like a lock file is a workbook: read as the field sheet it is.
    assert read_field_sheet(filled).inspections["error_found"].sum() == 1


def test_a_blank_field_sheet_open_in_an_office_program_is_not_written_over(
    selection, tmp_path: Path
) -> None:
    sheet = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    before = sheet.read_bytes()
    lock = libreoffice_lock(tmp_path / ".~lock.sheet.xlsx#")  # the inspectors have it open
    with pytest.raises(ParameterError) as raised:
        write_field_sheet(selection, sheet, lang="en")
    assert str(raised.value) == (
        "parameter 'path': expected a new file, or an auditkit field sheet with nothing filled "
        f"in, open in no office program, found '{sheet}, open in LibreOffice "
        "(.~lock.sheet.xlsx# beside it): save and close it first (or delete the lock file if no "
        "program has it open)'"
    )
    assert sheet.read_bytes() == before
    lock.unlink()  # closed: the blank sheet is written again, in English now
    write_field_sheet(selection, sheet, lang="en")
    assert sheet.read_bytes() != before


def flag_every_other_row(path: Path) -> None:
    """Mark the inspectors' error flag: yes on even Excel rows, no on odd ones."""
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    header_row, columns = header_columns(sheet)
    for row in range(header_row + 1, sheet.max_row + 1):
        sheet.cell(row, columns["error_found"]).value = "yes" if row % 2 == 0 else "no"
    workbook.save(path)


@pytest.mark.parametrize("direction", ["understatement", "overstatement"])
def test_a_stratified_item_sheet_counts_every_error_flagged_in_each_stratum(
    tmp_path: Path, direction: str
) -> None:
    frame = pd.concat([accounts(40, district="东", prefix="E"), accounts(40, "西", prefix="W")])
    chosen = select(frame, 20, units="items", method="random", seed=3, strata="district")
    path = write_field_sheet(chosen, tmp_path / "strata.xlsx", lang="en", direction=direction)
    flag_every_other_row(path)
    results = read_field_sheet(path, inspected_at="2025-01-02")
    assert results.errors == 10  # 10 of the 20 rows flagged
    evaluation = results.evaluate(0.05)
    per_stratum = evaluation.strata.set_index("stratum")
    flagged = results.sample.groupby("stratum")["error_found"].sum()
    for stratum, row in per_stratum.iterrows():
        x, n = int(flagged[stratum]), int(row["n"])
        assert row["x"] == x
        # Clopper-Pearson upper bound on x errors in n: Beta quantile (x + 1, n - x) at 95%.
        assert row["upper"] == pytest.approx(stats.beta.ppf(0.95, x + 1, n - x))
    assert evaluation.x == 10 and evaluation.conclusion_code == "not_shown"
    assert evaluation.direction == direction
    other = "overstatement" if direction == "understatement" else "understatement"
    assert results.evaluate(0.05, direction=other).x == 10  # a flagged error is an error either way


def test_a_one_bill_stratum_is_examined_and_its_value_stays_in_the_verdict(
    tmp_path: Path,
) -> None:
    # A large customer alone in its stratum holds 5,000 of 11,000 yuan; Neyman weighs it 0.
    frame = bills([100.0 + (i % 7) * 10 for i in range(60)] + [5_000.0]).assign(
        tariff=["居民"] * 60 + ["大工业"]
    )
    chosen = select(
        frame, 30, units="values", values="amount", strata="tariff", allocation="neyman", seed=4
    )
    filled = fill(write_field_sheet(chosen, tmp_path / "neyman.xlsx"), tmp_path / "f.xlsx", {})
    evaluation = read_field_sheet(filled).evaluate(0.05)
    assert evaluation.population_value == pytest.approx(chosen.population_value)
    big = evaluation.strata.set_index("stratum").loc["大工业"]
    assert big["upper"] == 0.0 and big["population_value"] == 5_000.0  # examined in full
    assert "census_strata" in evaluation.summary()["notes"]


def test_a_sheet_whose_selection_left_a_stratum_unsampled_is_refused(tmp_path: Path) -> None:
    # Sheets drawn before every stratum got a unit can lack a stratum: no verdict may then
    # quietly cover a smaller population.
    frame = bills([100.0 + (i % 7) * 10 for i in range(60)] + [5_000.0]).assign(
        tariff=["居民"] * 60 + ["大工业"]
    )
    chosen = select(frame, 30, units="values", values="amount", strata="tariff", seed=4)
    filled = fill(write_field_sheet(chosen, tmp_path / "old.xlsx"), tmp_path / "f.xlsx", {})
    results = read_field_sheet(filled)
    old = dataclasses.replace(results, sample=results.sample[results.sample["stratum"] == "居民"])
    share = 5_000.0 / chosen.population_value
    with pytest.raises(FieldSheetError) as caught:
        old.evaluate(0.05)
    assert str(caught.value).startswith(
        f"field sheet 'f.xlsx': stratum '大工业' (1 row(s), {share:.1%} of the value) has no "
        "selected row, so no verdict can cover the population"
    )


def test_a_returned_worklist_read_as_a_field_sheet_says_where_it_goes() -> None:
    from auditkit.register import sheet as worklist_sheet
    from auditkit.sampling import fieldsheet

    written = (
        worklist_sheet.WORKLIST_SHEET,
        worklist_sheet.INSTRUCTIONS,
        worklist_sheet.META_SHEET,
        worklist_sheet.ROWS_SHEET,
    )
    _, found = fieldsheet.RETURNED_SHEETS.refused(list(written))
    assert found.endswith(
        "without 'field_sheet', 'auditkit_selection', 'auditkit_rows': this is a returned "
        "worklist (import it with auditkit register import)"
    )


def test_the_same_selection_writes_the_same_bytes(selection, tmp_path: Path) -> None:
    """A rerun's field sheet can be compared by its hash: no save time in the workbook (the
    zip's entries are dated 1980, docProps/core.xml holds no created or modified time)."""
    first = write_field_sheet(selection, tmp_path / "first.xlsx")
    second = write_field_sheet(selection, tmp_path / "second.xlsx")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {item.date_time for item in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"dcterms:" not in archive.read("docProps/core.xml")


def test_an_audited_value_over_ten_times_book_is_a_slip_unless_large_amounts_are_allowed(
    selection, tmp_path: Path
) -> None:
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    book = float(selection.sample[selection.values].iloc[0])
    slip = fill(blank, tmp_path / "slip.xlsx", {3: (book * 100, "是")})
    with pytest.raises(FieldSheetError) as refused:
        read_field_sheet(slip)
    assert refused.value.problems == [
        f"field sheet 'slip.xlsx', sheet '现场核查表', row 3, column H (audited_value): "
        f"expected at most {10 * book:,.2f} yuan (10 × the book value {book:,.2f}), found "
        f"{int(book * 100)}: an amount in fen or a pasted number? An understatement checked to "
        "be that large is evaluated with --large-amounts"
    ]
    results = read_field_sheet(slip, large_amounts=True)
    assert results.sample["audited_value"].iloc[0] == book * 100
    huge = fill(blank, tmp_path / "huge.xlsx", {3: (1e12, "是")})
    with pytest.raises(FieldSheetError, match=r"expected an amount below 10\^12 yuan \(book"):
        read_field_sheet(huge, large_amounts=True)


def test_a_sheet_that_examined_the_whole_population_without_error_accepts_it(
    tmp_path: Path,
) -> None:
    # By items: all 5 accounts examined, none in error; the old code gave the binomial bound
    # 1 - 0.05^(1/5) = 45.07%.
    chosen = select(accounts(5), 5, units="items", seed=1)
    blank = write_field_sheet(chosen, tmp_path / "items.xlsx", lang="en")
    by_items = read_field_sheet(fill_items(blank, blank, "en")).evaluate(0.05)
    assert (by_items.upper, by_items.conclusion_code) == (0.0, "accepted")
    # By values: 10 bills of 500 yuan, 10 units (J = 500), each bill hit once and found right;
    # the old code gave the Poisson factor 2.9957 / 10 = 29.96%.
    chosen = select(bills([500.0] * 10), 10, units="values", values="amount", seed=2)
    filled = fill(write_field_sheet(chosen, tmp_path / "ten.xlsx"), tmp_path / "f.xlsx", {})
    by_values = read_field_sheet(filled).evaluate(0.05)
    assert (by_values.upper, by_values.upper_misstatement) == (0.0, 0.0)
    assert "census" in by_values.summary()["notes"]
    # Near miss: 10 units from 11 bills of 500 leave a bill unexamined, a sample.
    chosen = select(bills([500.0] * 11), 10, units="values", values="amount", seed=2)
    filled = fill(write_field_sheet(chosen, tmp_path / "eleven.xlsx"), tmp_path / "g.xlsx", {})
    assert read_field_sheet(filled).evaluate(0.05).upper == pytest.approx(2.995732 / 10)


def under_billed_three_of_twelve(tmp_path: Path, units: str) -> Path:
    """60 bills of 100 yuan, 12 drawn (by values J = 500, each drawn bill hit once), the first
    three audited at 110, 120 and 130: under-billing taints 0.1, 0.2, 0.3 and nine of 0."""
    chosen = select(bills([100.0] * 60), 12, units=units, values="amount", seed=5)
    answers = {FIRST_DATA_ROW + i: (100.0 + 10 * (i + 1), "是") for i in range(3)}
    return fill(write_field_sheet(chosen, tmp_path / f"{units}.xlsx"), tmp_path / "f.xlsx", answers)


@pytest.mark.parametrize(
    "method", ["direct", "difference", "ratio", "regression", "hypergeometric"]
)
def test_a_method_that_does_not_fit_a_monetary_unit_sheet_is_refused_naming_it(
    tmp_path: Path, method: str
) -> None:
    # The estimators of a simple random sample of items read a monetary-unit sample as one (the
    # old code gave direct a most likely rate of 139% on such a sheet), and the hypergeometric
    # counted 150 draws among 206 bills where the units are yuan.
    results = read_field_sheet(under_billed_three_of_twelve(tmp_path, "values"))
    with pytest.raises(ParameterError) as caught:
        results.evaluate(0.05, method=method)
    assert str(caught.value) == (
        "parameter 'method': expected a method that fits a sheet sampled by monetary units "
        f"(values): stringer, stringer.poisson, binomial, poisson, mpu, found '{method}'"
    )


def test_a_monetary_unit_method_on_an_item_sheet_is_refused_naming_it(tmp_path: Path) -> None:
    results = read_field_sheet(under_billed_three_of_twelve(tmp_path, "items"))
    for method in ("stringer", "stringer.poisson"):
        with pytest.raises(ParameterError, match=r"sheet sampled by items: binomial, poisson"):
            results.evaluate(0.05, method=method)
    # Near misses: what fits each sheet is evaluated. The difference estimator by items,
    # N = 60, n = 12, B = 6,000: d = 10, 20, 30 and nine 0, mean 5, s(d) = 10, so
    # A = 6,000 + 60 × 5 = 6,300, an under-billing of 300 = 5% of B.
    difference = results.evaluate(0.05, method="difference")
    assert difference.mle == pytest.approx(300 / 6_000)
    by_values = read_field_sheet(under_billed_three_of_twelve(tmp_path / "v", "values"))
    assert by_values.evaluate(0.05, method="stringer.poisson").x == pytest.approx(0.6)


def test_mean_per_unit_on_a_monetary_unit_sheet_has_no_correction_for_the_bills_count(
    tmp_path: Path,
) -> None:
    # Taints 0.1, 0.2, 0.3 and nine 0 in 12 monetary units: mean 0.6 / 12 = 0.05,
    # s² = (0.14 - 12 × 0.05²) / 11 = 0.01, s = 0.1; t(95%, 11) = 1.795885. The units are yuan
    # (6,000 of them, drawn as MUS draws), so no √(1 - 12/60) for the 60 bills: the old code's
    # upper limit was 0.05 + 1.795885 × 0.1 / √12 × √0.8 = 9.637%.
    results = read_field_sheet(under_billed_three_of_twelve(tmp_path, "values"))
    evaluation = results.evaluate(0.05, method="mpu")
    assert stats.t.ppf(0.95, 11) == pytest.approx(1.795885, abs=1e-6)
    assert evaluation.mle == pytest.approx(0.05)
    assert evaluation.upper == pytest.approx(0.05 + 1.795885 * 0.1 / 12**0.5, abs=1e-6)
    assert evaluation.upper_misstatement == pytest.approx(6_000 * 0.101843, abs=0.01)


def test_a_credit_on_an_item_sheet_is_returned_at_its_audited_value_below_zero(
    tmp_path: Path,
) -> None:
    # K2 is a credit of -120: its own -120 (no error) was refused as "at least 0", so the sheet
    # could never be returned. Now it reads; K1 500 audited 530 is the one difference.
    frame = pd.DataFrame(
        {"customer_id": ["K1", "K2", "K3"], "district": "城东", "amount": [500.0, -120.0, 80.0]}
    )
    chosen = select(frame, 3, units="items", values="amount", seed=1)
    blank = write_field_sheet(chosen, tmp_path / "credit.xlsx", lang="en")
    workbook = load_workbook(blank)
    _, columns = header_columns(workbook.worksheets[0])
    sheet = workbook.worksheets[0]
    audited_letter = get_column_letter(columns["audited_value"])
    rule = next(v for v in sheet.data_validations.dataValidation if audited_letter in str(v.sqref))
    credit_row = FIRST_DATA_ROW + 1  # K2, the second row
    # "at least 0" everywhere but on the credit
    assert str(rule.sqref) == f"{audited_letter}{FIRST_DATA_ROW} {audited_letter}{credit_row + 1}"
    answers = {FIRST_DATA_ROW: (530.0, "yes"), credit_row: (-120.0, "no")}
    results = read_field_sheet(fill(blank, tmp_path / "f.xlsx", answers))
    assert results.sample["audited_value"].tolist() == [530.0, -120.0, 80.0]
    # All 3 items examined: a census, 530 - 500 = 30 under-billed of a book total of 460.
    evaluation = results.evaluate(0.05, method="difference")
    assert evaluation.upper_misstatement == pytest.approx(30.0)
    # Near miss: a bill above 0 audited below 0 is still refused.
    with pytest.raises(FieldSheetError, match=r"audited_value\): expected an amount of at least 0"):
        read_field_sheet(fill(blank, tmp_path / "g.xlsx", {FIRST_DATA_ROW + 2: (-80.0, "yes")}))


def test_a_sheet_with_more_monetary_units_than_bills_is_evaluated_on_its_units(
    tmp_path: Path,
) -> None:
    # Bills of 1, 500 and 499 yuan, 4 units: J = 250. Unless the 1-yuan bill is hit, the 500 and
    # 499 are hit twice each: 2 rows, 4 units, a sample of more units than there are bills.
    chosen = select(bills([1.0, 500.0, 499.0]), 4, units="values", values="amount", start=100)
    assert chosen.sample["times"].tolist() == [2, 2]
    results = read_field_sheet(
        fill(write_field_sheet(chosen, tmp_path / "s.xlsx"), tmp_path / "f.xlsx", {})
    )
    evaluation = results.evaluate(0.05)
    # No error in 4 units: the Poisson factor 2.995732 / 4 = 74.89% (the 1-yuan bill unexamined).
    assert (evaluation.n, evaluation.upper) == (4, pytest.approx(2.995732 / 4))


@pytest.mark.parametrize(
    ("lang", "tabs"),
    [("zh", ["现场核查表", "填写说明"]), ("en", ["field_sheet", "instructions"])],
)
def test_the_visible_tabs_are_named_in_the_sheet_s_language_and_read_under_any_name(
    selection, tmp_path: Path, lang: str, tabs: list[str]
) -> None:
    """A zh sheet's tabs were field_sheet and instructions. A sheet is read whichever language
    its field tab is named in: an old zh sheet bears field_sheet, and a near miss (a tab
    renamed by hand) is refused, naming the sheets expected."""
    from sampling_builders import fill_values

    sheet = write_field_sheet(selection, tmp_path / "sheet.xlsx", lang=lang)
    assert load_workbook(sheet).sheetnames == [*tabs, "auditkit_selection", "auditkit_rows"]
    fill_values(sheet)
    assert read_field_sheet(sheet).errors == 1
    for title in ("field_sheet", "现场核查表", "Sheet9"):
        workbook = load_workbook(sheet)
        workbook.worksheets[0].title = title
        renamed = tmp_path / f"{title}.xlsx"
        workbook.save(renamed)
        if title == "Sheet9":
            with pytest.raises(FieldSheetError, match="without 'field_sheet'"):
                read_field_sheet(renamed)
        else:
            assert read_field_sheet(renamed).errors == 1


def test_auditkit_s_codes_and_columns_carried_to_a_zh_sheet_are_in_chinese_and_read_back(
    tmp_path: Path,
) -> None:
    """`--carry usage_type --carry status` showed 'usage_type, status' and 'commercial,
    active' on a zh sheet. The hidden copy keeps the codes; a code the catalogue does not word
    (a frame's own 正常) and a column that is not auditkit's (tariff codes) stay as they are."""
    frame = accounts(4).assign(
        usage_type=["commercial", "residential", "industrial", "商住"],
        status=["active", "suspended", "closed", "正常"],
        tariff_category=["COM", "RES", "IND", "COM2"],
    )
    chosen = select(frame, 4, units="items", method="random", seed=1)
    carry = ["usage_type", "status", "tariff_category"]
    written = {}
    for lang in ("zh", "en"):
        path = write_field_sheet(chosen, tmp_path / f"{lang}.xlsx", lang=lang, carry=carry)
        sheet = load_workbook(path).worksheets[0]
        header = [cell.value for cell in sheet[HEADER_ROW]]
        rows = sheet.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)
        written[lang] = (header[3:6], [row[3:6] for row in rows])
        hidden = load_workbook(path)["auditkit_rows"]
        assert [row[3] for row in hidden.iter_rows(min_row=2, values_only=True)] == list(
            chosen.sample["usage_type"]
        )
        sample = read_field_sheet(fill_items(path, tmp_path / f"{lang}-filled.xlsx", lang)).sample
        assert list(sample["status"]) == list(chosen.sample["status"])  # codes, not words
    assert written["zh"] == (
        ["用电类别 usage_type", "用户状态 status", "电价类别 tariff_category"],
        [
            ("商业", "在用", "COM"),
            ("居民", "暂停", "RES"),
            ("工业", "销户", "IND"),
            ("商住", "正常", "COM2"),
        ],
    )
    assert written["en"] == (
        ["usage_type", "status", "tariff_category"],
        [tuple(row) for row in chosen.sample[carry].itertuples(index=False)],
    )


def fill_items(path: Path, target: Path, lang: str) -> Path:
    """A sheet by items filled: every row inspected on 2025-07-15 and found without error."""
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    header_row, columns = header_columns(sheet)
    for row in range(header_row + 1, sheet.max_row + 1):
        sheet.cell(row, columns["inspected_at"]).value = "2025-07-15"
        sheet.cell(row, columns["error_found"]).value = "否" if lang == "zh" else "no"
    workbook.save(target)
    return target


def fill_billed_not_owed(path: Path, amount: float) -> Path:
    """Fill a sheet by values: the bills of `amount` audited at 0 (是), the others right (否)."""
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    header_row, columns = header_columns(sheet)
    for row in range(header_row + 1, sheet.max_row + 1):
        book = sheet.cell(row, columns["book_value"]).value
        wrong = book == amount
        sheet.cell(row, columns["audited_value"]).value = 0.0 if wrong else book
        sheet.cell(row, columns["error_found"]).value = "是" if wrong else "否"
        sheet.cell(row, columns["inspected_at"]).value = "2025-07-15"
    workbook.save(path)
    return path


def test_a_sheet_counts_a_large_bill_as_found_only_when_its_selection_was_certain_to_hit_it(
    tmp_path: Path,
) -> None:
    # 10 bills of 1,500 billed but not owed (15,000 = 50% of V = 30,000) and 150 right bills of
    # 100; n = 30, J = 1,000. At random (seed 0) six of the large bills are hit, 5+1+1+2+1+1 = 11
    # times: 11 taints of 1 projected, 1,000 × u(11) = 1,000 × chi2(0.95; 24) / 2 = 18,207.51,
    # above the 15,000 owed. Counted as found they read 6 × 1,500 + 2,995.73 = 11,995.73 (39.99%).
    frame = bills([1_500.0] * 10 + [100.0] * 150)

    def evaluated(method: str):
        chosen = select(frame, 30, units="values", values="amount", method=method, seed=0)
        sheet = write_field_sheet(chosen, tmp_path / f"{method}.xlsx")
        return read_field_sheet(fill_billed_not_owed(sheet, 1_500.0)).evaluate(
            0.05, direction="overstatement"
        )

    at_random = evaluated("random")
    eleven = float(stats.chi2.ppf(0.95, 2 * 12)) / 2
    assert at_random.upper_misstatement == pytest.approx(1_000 * eleven, abs=0.01)
    assert at_random.upper_misstatement == pytest.approx(18_207.51, abs=0.01)
    assert "individually_significant" not in at_random.summary()["notes"]
    # Near miss: by the fixed interval all ten are hit and found: 15,000 + 1,000 × 2.995732.
    fixed = evaluated("interval")
    assert fixed.upper_misstatement == pytest.approx(15_000 + 1_000 * 2.995732, abs=0.01)
    assert "individually_significant" in fixed.summary()["notes"]


def test_a_zh_sheet_stratified_by_a_coded_column_words_the_stratum_too_and_reads_codes_back(
    tmp_path: Path,
) -> None:
    """Stratified by usage_type and carrying it, a zh sheet showed 'commercial' as the stratum
    beside 商业 in the carried column. Both are worded now; the hidden copy and the results read
    back keep the codes, so the strata still meet the selection's."""
    frame = accounts(6).assign(usage_type=["commercial", "residential", "industrial"] * 2)
    chosen = select(frame, 6, units="items", method="random", seed=2, strata="usage_type")
    path = write_field_sheet(chosen, tmp_path / "zh.xlsx", lang="zh", carry=["usage_type"])
    sheet = load_workbook(path).worksheets[0]
    header = [cell.value for cell in sheet[HEADER_ROW]]
    stratum, carried = header.index("层 stratum"), header.index("用电类别 usage_type")
    rows = list(sheet.iter_rows(min_row=FIRST_DATA_ROW, values_only=True))
    assert {(row[stratum], row[carried]) for row in rows} == {
        ("商业", "商业"),
        ("居民", "居民"),
        ("工业", "工业"),
    }
    results = read_field_sheet(fill_items(path, tmp_path / "zh-filled.xlsx", "zh"))
    assert sorted(results.sample["stratum"]) == sorted(chosen.sample["stratum"])
    assert results.evaluate(0.05).upper < 1  # the strata meet the selection's: evaluated
    # Near miss: an English sheet keeps the codes as the inspectors read them.
    english = write_field_sheet(chosen, tmp_path / "en.xlsx", lang="en", carry=["usage_type"])
    en_rows = list(
        load_workbook(english).worksheets[0].iter_rows(min_row=FIRST_DATA_ROW, values_only=True)
    )
    assert {row[stratum] for row in en_rows} == {"commercial", "residential", "industrial"}


def test_an_audited_value_finer_than_the_fen_is_refused_naming_its_row(tmp_path: Path) -> None:
    # 199.994 was read as is while the results showed 199.99: the inspections and the figures
    # disagreed by 0.004 yuan. A sheet is money to the fen, so it is refused in one line.
    frame = pd.DataFrame(
        {"customer_id": ["K1", "K2", "K3"], "district": "城东", "amount": [500.0, 200.0, 80.0]}
    )
    chosen = select(frame, 3, units="items", values="amount", seed=1)
    blank = write_field_sheet(chosen, tmp_path / "fen.xlsx", lang="en")
    finer = {FIRST_DATA_ROW + 1: (199.994, "yes")}
    with pytest.raises(FieldSheetError) as raised:
        read_field_sheet(fill(blank, tmp_path / "finer.xlsx", finer))
    [line] = [line for line in str(raised.value).splitlines() if "audited_value" in line]
    assert f"row {FIRST_DATA_ROW + 1}" in line
    assert "expected an amount to the fen (0.01 yuan), found 199.994" in line
    # near miss: 199.99 and 1,234.57 (123456.99999... fen in floats) are whole fen
    to_the_fen = {FIRST_DATA_ROW: (1234.57, "yes"), FIRST_DATA_ROW + 1: (199.99, "yes")}
    results = read_field_sheet(fill(blank, tmp_path / "fen_ok.xlsx", to_the_fen))
    assert results.sample["audited_value"].tolist() == [1234.57, 199.99, 80.0]
    # 1,234.57 - 500 = 734.57 and 199.99 - 200 = -0.01
    assert results.errors_table()["difference"].tolist() == [734.57, -0.01]

"""`auditkit sample plan|select|evaluate` end to end on a small population file."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lock_files import excel_owner_file, libreoffice_lock
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from sampling_builders import bills, first_district, run, utility
from zip_bombs import bombed, with_sheets

from auditkit import workbooks
from auditkit.cli import main
from auditkit.errors import ParameterError
from auditkit.formulas import put_cell
from auditkit.sampling.fieldformat import FIRST_DATA_ROW
from auditkit.sampling.fieldsheet import header_columns


@pytest.fixture
def population(tmp_path: Path) -> Path:
    amounts = [50 + (i * 37) % 900 for i in range(300)]
    frame = bills(amounts, district="城北", period="2025-05", prefix="", width=6)
    path = tmp_path / "bills.csv"
    frame.to_csv(path, index=False, encoding="gb18030")
    return path


def test_plan_prints_the_size(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            [
                "sample",
                "plan",
                "--materiality",
                "0.05",
                "--expected",
                "0.01",
                "--likelihood",
                "binomial",
            ]
        )
        == 0
    )
    output = capsys.readouterr().out
    assert "样本量" in output and "93" in output


def test_select_then_evaluate(
    population: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "sheet.xlsx"
    arguments = [
        "sample",
        "select",
        "--frame",
        str(population),
        "--units",
        "values",
        "--values",
        "amount",
        "--materiality",
        "0.1",
        "--seed",
        "5",
        "--output",
        str(sheet),
        "--lang",
        "zh",
    ]
    assert run(arguments) == 0
    first = load_workbook(sheet).worksheets[0]
    ids = [row[1] for row in first.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]
    assert ids and all(len(value) == 6 for value in ids)  # leading zeros kept
    assert run([*arguments[:-4], "--output", str(tmp_path / "again.xlsx"), "--lang", "zh"]) == 0
    again = [
        row[1]
        for row in load_workbook(tmp_path / "again.xlsx")
        .worksheets[0]
        .iter_rows(min_row=FIRST_DATA_ROW, values_only=True)
    ]
    assert again == ids  # same seed, same selection
    workbook = load_workbook(sheet)
    rows = workbook.worksheets[0]
    header_row, columns = header_columns(rows)
    for row in range(header_row + 1, rows.max_row + 1):
        book = rows.cell(row, columns["book_value"]).value
        rows.cell(row, columns["audited_value"]).value = (
            book * 1.5 if row == header_row + 1 else book
        )
        rows.cell(row, columns["inspected_at"]).value = "2025-06-30"
    put_cell(rows.cell(header_row + 1, columns["note"]), '=HYPERLINK("http://x","现场")')
    workbook.save(sheet)
    capsys.readouterr()
    inspections = tmp_path / "inspections.csv"
    assert (
        run(
            [
                "sample",
                "evaluate",
                "--sheet",
                str(sheet),
                "--materiality",
                "0.1",
                "--inspections",
                str(inspections),
            ]
        )
        == 0
    )
    output = capsys.readouterr().out
    # No --direction: the sheet's stated direction (under-billing) is evaluated, so the bill
    # audited at 1.5 times its book value is an error, as the notebook says too.
    assert "Stringer 上限（泊松系数）" in output and "结论" in output and "少计" in output
    written = pd.read_csv(inspections, dtype={"customer_id": str}, encoding="utf-8-sig")
    assert written["error_found"].sum() == 1
    # An inspector's note that looks like a formula stays text when the CSV is opened in Excel.
    assert '\'=HYPERLINK("http://x","现场")' in set(written["note"].dropna())


def test_evaluate_from_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            ["sample", "evaluate", "--x", "0", "--n", "59", "--materiality", "0.05", "--lang", "zh"]
        )
        == 0
    )
    assert "可以认为总体不存在重大错报" in capsys.readouterr().out


def test_bad_input_is_a_parameter_error(population: Path, tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="'--materiality'"):  # the flag typed
        run(["sample", "plan", "--materiality", "1.5"])
    with pytest.raises(ParameterError, match="'--n'"):
        run(["sample", "select", "--frame", str(population), "--output", str(tmp_path / "x.xlsx")])
    with pytest.raises(ParameterError, match=r"'--output': expected a file name ending in \.xlsx"):
        run(["sample", "select", "--frame", str(population), "--n", "5", "--output", "x.csv"])


def test_select_never_writes_over_a_sheet_the_inspectors_began_to_fill(
    population: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "sheet.xlsx"
    arguments = ["sample", "select", "--frame", str(population), "--n", "10", "--seed", "5"]
    assert main([*arguments, "--output", str(sheet)]) == 0
    assert main([*arguments, "--output", str(sheet)]) == 0  # nothing filled in yet: written again
    workbook = load_workbook(sheet)
    rows = workbook.worksheets[0]
    header_row, columns = header_columns(rows)
    rows.cell(header_row + 2, columns["error_found"]).value = "是"
    workbook.save(sheet)
    before = sheet.read_bytes()
    capsys.readouterr()
    assert main([*arguments, "--output", str(sheet)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith(
        "auditkit sample select: error: parameter '--output': expected a new file, or an auditkit field "
        f'sheet with nothing filled in, found "{sheet} with 1 inspector cell(s) filled (the '
        f"first: sheet '现场核查表', row {header_row + 2}, column "
    )
    assert sheet.read_bytes() == before  # the inspectors' answer is still there
    other = tmp_path / "other.xlsx"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main([*arguments, "--output", str(other)]) == 2
    assert capsys.readouterr().err == (
        "auditkit sample select: error: parameter '--output': expected a new file, or an auditkit "
        "field sheet with nothing filled in, found \"field sheet 'other.xlsx': expected an .xlsx "
        "workbook, found a file that is not a readable .xlsx file (BadZipFile: File is not a zip "
        'file): move it away first"\n'
    )
    assert other.read_text(encoding="utf-8") == "a,b\n1,2\n"


def test_a_stratified_item_sheet_evaluated_on_the_command_line_keeps_its_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = tmp_path / "accounts.csv"
    pd.DataFrame(
        {"customer_id": [f"C{i:03d}" for i in range(200)], "district": ["东", "西"] * 100}
    ).to_csv(frame, index=False)
    sheet = tmp_path / "sheet.xlsx"
    selecting = ["sample", "select", "--frame", str(frame), "--units", "items", "--n", "30"]
    assert run([*selecting, "--strata", "district", "--seed", "5", "--output", str(sheet)]) == 0
    workbook = load_workbook(sheet)
    rows = workbook.worksheets[0]
    header_row, columns = header_columns(rows)
    for row in range(header_row + 1, rows.max_row + 1):  # 15 of the 30 rows in error
        rows.cell(row, columns["error_found"]).value = "是" if row % 2 == 0 else "否"
    workbook.save(sheet)
    capsys.readouterr()
    evaluating = ["sample", "evaluate", "--sheet", str(sheet), "--materiality", "0.05"]
    assert run([*evaluating, "--lang", "en"]) == 0
    output = capsys.readouterr().out
    assert "errors found 15 " in output and "not shown to be below materiality" in output
    assert "accepted" not in output


def select_from(frame: Path, tmp_path: Path) -> int:
    """`auditkit sample select` of 5 rows of `frame` into a new field sheet: the exit code."""
    sheet = tmp_path / "sheet.xlsx"
    return main(["sample", "select", "--frame", str(frame), "--n", "5", "--output", str(sheet)])


def test_a_gbk_frame_with_an_ascii_first_megabyte_reads_its_chinese_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the first megabyte decodes as UTF-8 too: GBK is only told by the Chinese further down
    # (their bills large enough that selecting by value takes them)
    ascii_rows = bills([1.0] * 50_000, district="north", prefix="A", width=6)
    chinese_rows = bills([1e6] * 5, district="城北", prefix="B", width=6)
    frame = tmp_path / "bills.csv"
    pd.concat([ascii_rows, chinese_rows]).to_csv(frame, index=False, encoding="gbk")
    assert frame.stat().st_size > (1 << 20)
    sheet = tmp_path / "sheet.xlsx"
    arguments = ["sample", "select", "--frame", str(frame), "--units", "values", "--n", "5"]
    # A seed of its own: each 城北 bill is 0.99 of the interval, so a random start falls on the
    # ASCII rows' 50,000 yuan one time in twenty and takes four of them, not five.
    arguments += ["--values", "amount", "--output", str(sheet), "--seed", "3"]
    assert main(arguments) == 0
    rows = load_workbook(sheet).worksheets[0]
    districts = [row[2] for row in rows.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]
    assert districts == ["城北"] * 5


def test_a_frame_with_a_utf8_row_joined_to_gbk_is_refused_naming_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = tmp_path / "bills.csv"
    gbk = bills([100.0, 200.0], district="城北").to_csv(index=False).encode("gbk")
    frame.write_bytes(gbk + "C009,城北,2025-06,300.0\n".encode())  # read as GBK: 鍩庡寳
    assert select_from(frame, tmp_path) == 2
    assert capsys.readouterr().err == (
        "auditkit sample select: error: bills.csv row 4: expected text in one encoding throughout, "
        "UTF-8 or GBK/GB18030, found text in UTF-8 in this row of a file read as GBK/GB18030 "
        "(files joined together? Keep one export per file, in one encoding)\n"
    )


def test_a_frame_in_neither_encoding_is_refused_naming_the_row_and_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = tmp_path / "bills.csv"
    frame.write_bytes(b"customer_id,district,period,amount\nC000,\x80\xff,2025-06,1.0\n")
    assert select_from(frame, tmp_path) == 2
    assert capsys.readouterr().err == (
        "auditkit sample select: error: bills.csv row 2: expected text encoded as UTF-8 or GBK/GB18030, "
        "found bytes b'\\x80' at byte offset 40 that are neither UTF-8 nor GBK\n"
    )


def test_a_frame_that_is_a_zip_bomb_is_refused_before_pandas_unpacks_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain.xlsx"
    bills([100.0, 200.0], district="城北").to_excel(plain, index=False)
    frame = bombed(plain, tmp_path / "bills.xlsx", 40_000)  # 2 MB of rows packed 300 times

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was loaded")

    monkeypatch.setattr(workbooks, "load_workbook", never)
    monkeypatch.setattr(pd, "read_excel", never)
    assert select_from(frame, tmp_path) == 2
    error = capsys.readouterr().err
    assert error.startswith(
        "auditkit sample select: error: population table 'bills.xlsx': expected an .xlsx "
        "workbook none of whose parts unpacks to over 100 times its packed size, found the part "
        "'xl/worksheets/sheet1.xml' unpacking to "
    )
    assert error.endswith(" MB (a zip bomb?): not loaded\n")
    assert not (tmp_path / "sheet.xlsx").exists()


def test_a_frame_that_is_a_lock_file_no_workbook_or_an_old_xls_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    amounts = [100.0 + 10 * i for i in range(20)]
    bills(amounts, district="城北").to_excel(tmp_path / "bills.xlsx", index=False)
    lock = excel_owner_file(tmp_path / "~$bills.xlsx")  # bills.xlsx is open in Excel
    notes = tmp_path / "notes.xlsx"
    notes.write_text("a,b\n1,2\n", encoding="utf-8")
    old = tmp_path / "bills.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # the start of an OLE2 (.xls) file
    office = libreoffice_lock(tmp_path / ".~lock.bills.xlsx#")  # and in LibreOffice
    bad_xml = tmp_path / "bad-xml.xlsx"
    with zipfile.ZipFile(bad_xml, "w") as package:  # its list of parts cut short
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types')
    refused = {
        lock: "population table '~$bills.xlsx': expected an .xlsx workbook, found the lock file "
        "Excel or WPS keeps while 'bills.xlsx' is open (save and close bills.xlsx there, then "
        "give it as --frame)",
        office: "population table '.~lock.bills.xlsx#': expected an .xlsx workbook, found the "
        "lock file LibreOffice keeps while 'bills.xlsx' is open (save and close bills.xlsx "
        "there, then give it as --frame)",
        notes: "population table 'notes.xlsx': expected an .xlsx workbook, found a file that is "
        "not a readable .xlsx file (BadZipFile: File is not a zip file)",
        bad_xml: "population table 'bad-xml.xlsx': expected an .xlsx workbook, found a file that "
        "is not a readable .xlsx file (ParseError: unclosed token: line 1, column 21)",
        old: "parameter '--frame': expected a .csv, .xlsx or .parquet file, found "
        f"'{old} (an old Excel format: save it as .xlsx)'",
    }
    capsys.readouterr()
    for frame, message in refused.items():
        assert select_from(frame, tmp_path) == 2
        assert capsys.readouterr().err == f"auditkit sample select: error: {message}\n"
    assert not (tmp_path / "sheet.xlsx").exists()
    assert select_from(tmp_path / "bills.xlsx", tmp_path) == 0  # the workbook itself is read


def returned_field_sheet(tmp_path: Path) -> Path:
    """A field sheet of 30 of 200 accounts selected by items, returned with 3 rows in error, in
    its own folder `returned`."""
    frame = tmp_path / "accounts.csv"
    accounts = {"customer_id": [f"C{i:03d}" for i in range(200)], "district": "城北"}
    pd.DataFrame(accounts).to_csv(frame, index=False)
    sheet = tmp_path / "returned" / "sheet.xlsx"
    sheet.parent.mkdir()
    selecting = ["sample", "select", "--frame", str(frame), "--units", "items", "--n", "30"]
    assert run([*selecting, "--seed", "5", "--output", str(sheet)]) == 0
    workbook = load_workbook(sheet)
    rows = workbook.worksheets[0]
    header_row, columns = header_columns(rows)
    for row in range(header_row + 1, rows.max_row + 1):
        rows.cell(row, columns["error_found"]).value = "是" if row % 10 == 0 else "否"
    workbook.save(sheet)
    return sheet


def evaluate_sheets(*sheets: object) -> int:
    """`auditkit sample evaluate --sheet SHEETS` at 5 % materiality, in English: the exit code."""
    given = [str(sheet) for sheet in sheets]
    return main(["sample", "evaluate", "--sheet", *given, "--materiality", "0.05", "--lang", "en"])


def skipped(lock: Path, workbook: str) -> str:
    """The warning of `sample evaluate` that the Excel lock file `lock` of `workbook` is skipped."""
    return (
        f"auditkit sample evaluate: warning: {lock} skipped, not a sheet: the lock file Excel or "
        f"WPS keeps while {workbook!r} is open (save and close {workbook} there, then evaluate it)"
    )


def open_warning(sheet: Path, programs: str, locks: str) -> str:
    """The warning of `sample evaluate` that `sheet` is open and is evaluated as last saved."""
    return (
        f"auditkit sample evaluate: warning: {sheet} is open in {programs} ({locks} beside it): "
        "evaluated as last saved, WITHOUT the edits not saved yet; save and close it, then "
        "evaluate it again"
    )


def test_excel_s_lock_file_matched_by_the_glob_is_skipped_and_the_open_sheet_evaluated_loudly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = returned_field_sheet(tmp_path)
    capsys.readouterr()
    assert evaluate_sheets(sheet) == 0
    alone = capsys.readouterr()
    assert alone.err == "" and "errors found 3 " in alone.out
    lock = excel_owner_file(sheet.with_name("~$sheet.xlsx"))  # the sheet is still open in Excel

    given = sorted(sheet.parent.glob("*.xlsx"))  # what the shell makes of returned/*.xlsx
    assert given == [sheet, lock]
    assert evaluate_sheets(*given) == 0
    captured = capsys.readouterr()
    assert captured.out == alone.out  # the same evaluation, as if the lock file were not there
    assert captured.err.splitlines() == [
        skipped(lock, "sheet.xlsx"),
        open_warning(sheet, "Excel or WPS", "~$sheet.xlsx"),
    ]


def test_a_lock_file_alone_or_two_field_sheets_are_refused_naming_sheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = returned_field_sheet(tmp_path)
    lock = excel_owner_file(sheet.with_name("~$sheet.xlsx"))
    capsys.readouterr()
    assert evaluate_sheets(lock) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        skipped(lock, "sheet.xlsx"),
        "auditkit sample evaluate: error: parameter '--sheet': expected a filled field sheet (.xlsx) "
        "besides lock files, found '~$sheet.xlsx'",
    ]
    copy = sheet.with_name("copy.xlsx")
    copy.write_bytes(sheet.read_bytes())
    assert evaluate_sheets(sheet, copy, lock) == 2  # which one is the sample's is not guessed
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[1:] == [
        "auditkit sample evaluate: error: parameter '--sheet': expected one filled field sheet (.xlsx), "
        "besides any lock files: each sample is evaluated from its own sheet, found "
        "'sheet.xlsx, copy.xlsx'"
    ]


def test_a_field_sheet_open_in_libreoffice_is_evaluated_with_the_warning_and_another_s_lock_is_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = returned_field_sheet(tmp_path)
    excel_owner_file(sheet.with_name("~$sheet-2.xlsx"))  # another workbook is open, not this one
    capsys.readouterr()
    assert evaluate_sheets(sheet) == 0
    closed = capsys.readouterr()
    assert closed.err == ""
    libreoffice_lock(sheet.with_name(".~lock.sheet.xlsx#"))
    assert evaluate_sheets(sheet) == 0
    captured = capsys.readouterr()
    assert captured.out == closed.out
    assert captured.err.splitlines() == [open_warning(sheet, "LibreOffice", ".~lock.sheet.xlsx#")]


def test_evaluate_refuses_an_inspection_dated_after_today_and_writes_one_dated_today(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = returned_field_sheet(tmp_path)
    inspections = tmp_path / "inspections.csv"
    header_row, columns = header_columns(load_workbook(sheet).worksheets[0])
    row, column = header_row + 2, columns["inspected_at"]

    def evaluate_dated(typed: str) -> int:
        workbook = load_workbook(sheet)
        workbook.worksheets[0].cell(row, column).value = typed
        workbook.save(sheet)
        given = ["--sheet", str(sheet), "--materiality", "0.05", "--inspections", str(inspections)]
        return main(["sample", "evaluate", *given])

    today = f"{dt.date.today():%Y-%m-%d}"
    capsys.readouterr()
    assert evaluate_dated("2099-01-01") == 2
    assert (
        f"field sheet 'sheet.xlsx', sheet '现场核查表', row {row}, column "
        f"{get_column_letter(column)} (inspected_at): expected a date up to today, {today}, "
        "found 2099-01-01"
    ) in capsys.readouterr().err
    assert not inspections.exists()
    assert evaluate_dated(today) == 0
    written = pd.read_csv(inspections, dtype={"customer_id": str}, encoding="utf-8-sig")
    assert written["inspected_at"].max() == today


def test_a_field_sheet_with_more_sheets_than_written_is_refused_by_evaluate_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = returned_field_sheet(tmp_path)
    extra = with_sheets(sheet, tmp_path / "extra.xlsx", 1, 100, shared=False)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was loaded")

    monkeypatch.setattr(workbooks, "load_workbook", never)
    capsys.readouterr()
    assert evaluate_sheets(extra) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "auditkit sample evaluate: error: field sheet 'extra.xlsx': expected the sheets "
        "'现场核查表', 'auditkit_selection', 'auditkit_rows' among at most 4 (as auditkit "
        "writes it), found 5 sheet(s): '现场核查表', '填写说明', 'auditkit_selection', "
        "'auditkit_rows', 'extra0': not loaded\n"
    )


def test_a_field_sheet_that_is_a_zip_bomb_is_refused_by_evaluate_before_it_is_loaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = bombed(returned_field_sheet(tmp_path), tmp_path / "bomb.xlsx", 40_000)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was loaded")

    monkeypatch.setattr(workbooks, "load_workbook", never)
    capsys.readouterr()
    assert evaluate_sheets(bomb) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        "auditkit sample evaluate: error: field sheet 'bomb.xlsx': expected an .xlsx workbook unpacking to "
        "at most 50.00 MB in all, none of its parts to over 100 times its packed size, found the "
        "part 'xl/worksheets/sheet1.xml' unpacking to "
    )
    assert captured.err.endswith(
        " MB (a zip bomb?): not loaded (a field sheet auditkit writes unpacks to far less)\n"
    )


def test_a_frame_that_cannot_be_read_whole_is_refused_naming_file_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row longer than the header (pandas would shift it under the header, taking its first
    field for an index), an empty file, and a Parquet file that is not one."""
    shifted = tmp_path / "shifted.csv"
    shifted.write_text("customer_id,amount\nC001,1,500\nC002,2,300\n", encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    fake = tmp_path / "fake.parquet"
    fake.write_text("customer_id,amount\n", encoding="utf-8")
    for frame, message in (
        (shifted, "shifted.csv row 2: expected at most 2 fields, one per column the header names"),
        (empty, "empty.csv: expected a header row naming the columns, found none"),
        (fake, "fake.parquet: expected a Parquet file, found "),
    ):
        assert select_from(frame, tmp_path) == 2
        error = capsys.readouterr().err
        assert error.startswith(f"auditkit sample select: error: {message}")
        assert len(error.splitlines()) == 1
    assert not (tmp_path / "sheet.xlsx").exists()


def test_an_empty_value_in_the_frame_is_named_as_an_empty_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = tmp_path / "bills.csv"
    frame.write_text("customer_id,amount\nC001,100\nC002,NA\n", encoding="utf-8")
    sheet = tmp_path / "sheet.xlsx"
    arguments = ["sample", "select", "--frame", str(frame), "--units", "values", "--n", "1"]
    assert main([*arguments, "--values", "amount", "--output", str(sheet)]) == 2
    assert capsys.readouterr().err == (
        "auditkit sample select: error: bills.csv: column 'amount' must hold numbers; row 3 "
        "holds an empty cell\n"
    )


def test_a_bad_value_is_named_by_the_row_a_spreadsheet_shows_past_empty_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_frame = tmp_path / "bills.csv"
    csv_frame.write_text("customer_id,amount\nC001,100\n\n,\nC002,abc\nC003,n/a\n", "utf-8")
    workbook = Workbook()
    for row in (["customer_id", "amount"], ["C001", 100], [], ["C002", "abc"]):
        workbook.active.append(row)
    xlsx_frame = tmp_path / "bills.xlsx"
    workbook.save(xlsx_frame)
    arguments = ["sample", "select", "--units", "values", "--values", "amount", "--n", "1"]
    for frame, row, more in ((csv_frame, 5, " (2 such rows)"), (xlsx_frame, 4, "")):
        sheet = tmp_path / "sheet.xlsx"
        assert main([*arguments, "--frame", str(frame), "--output", str(sheet)]) == 2
        assert capsys.readouterr().err == (
            f"auditkit sample select: error: {frame.name}: column 'amount' must hold numbers; "
            f"row {row} holds 'abc'{more}\n"
        )
        assert not sheet.exists()


def test_a_row_of_the_frame_without_a_stratum_is_named_by_its_row_in_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = tmp_path / "accounts.csv"
    frame.write_text("customer_id,district\nC001,城东\n\nC002,\nC003,城西\n", encoding="utf-8")
    sheet = tmp_path / "sheet.xlsx"
    arguments = ["sample", "select", "--frame", str(frame), "--n", "2", "--strata", "district"]
    assert main([*arguments, "--output", str(sheet)]) == 2
    assert capsys.readouterr().err == (
        "auditkit sample select: error: accounts.csv: strata column 'district' must name each "
        "row's stratum; row 4 holds an empty cell\n"
    )
    assert not sheet.exists()


def test_empty_lines_of_a_frame_are_no_units_of_its_population(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = tmp_path / "accounts.csv"
    frame.write_text("customer_id,district\nC001,城东\n\n,\nC002,城东\n", encoding="utf-8")
    sheet = tmp_path / "sheet.xlsx"
    arguments = ["sample", "select", "--frame", str(frame), "--n", "2", "--seed", "1"]
    assert main([*arguments, "--lang", "en", "--output", str(sheet)]) == 0
    assert re.search(r"^Units that can be drawn +2$", capsys.readouterr().out, re.MULTILINE)
    rows = load_workbook(sheet).worksheets[0]
    ids = [row[1] for row in rows.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]
    assert ids == ["C001", "C002"]


def test_a_frame_row_without_an_id_such_as_a_total_row_is_refused_naming_file_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Taken for a unit, the total row `,300` doubled the population's value (600) and could be
    drawn."""
    frame = tmp_path / "bills.csv"
    frame.write_text("customer_id,amount\nC1,100\nC2,200\n,300\n", encoding="utf-8")
    sheet = tmp_path / "sheet.xlsx"
    arguments = ["sample", "select", "--frame", str(frame), "--units", "values", "--n", "2"]
    assert main([*arguments, "--values", "amount", "--output", str(sheet)]) == 2
    assert capsys.readouterr() == (
        "",
        "auditkit sample select: error: bills.csv row 4, column customer_id: expected a value "
        "(the id of each unit of the population; a total row has none), found an empty cell\n",
    )
    assert not sheet.exists()


def test_values_other_than_the_bills_amount_with_data_are_refused_naming_what_applies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = utility(tmp_path / "utility", customers=60, seed=3)
    sheet = tmp_path / "sheet.xlsx"
    arguments = ["sample", "select", "--data", str(folder), "--district", first_district(folder)]
    arguments += ["--n", "2", "--seed", "1", "--output", str(sheet)]
    for units, given, expected in (
        (
            "values",
            "nosuch",
            "'amount' or no --values with --data (the book value is the bills' amount)",
        ),
        (
            "items",
            "amount",
            "no --values with --data --units items (accounts are counted, not valued)",
        ),
    ):
        assert main([*arguments, "--units", units, "--values", given]) == 2
        assert capsys.readouterr() == (
            "",
            f"auditkit sample select: error: parameter '--values': expected {expected}, "
            f"found {given!r}\n",
        )
    assert not sheet.exists()
    assert main([*arguments, "--units", "values", "--values", "amount"]) == 0


def test_a_population_size_of_zero_is_refused_naming_the_flag_not_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sample plan` said 'found None'; `sample select` took the frame's size instead."""
    frame = tmp_path / "accounts.csv"
    frame.write_text("customer_id\nA1\nA2\nA3\n", encoding="utf-8")
    sheet = tmp_path / "sheet.xlsx"
    planned = ["--materiality", "0.5", "--likelihood", "hypergeometric", "--population-size", "0"]
    for command in (
        ["sample", "plan"],
        ["sample", "select", "--frame", str(frame), "--output", str(sheet)],
    ):
        assert main([*command, *planned]) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err == (
            f"auditkit sample {command[1]}: error: parameter '--population-size': expected a "
            "whole number from 1 to 9,007,199,254,740,992, found 0\n"
        )
    assert not sheet.exists()
    evaluated = ["sample", "evaluate", "--x", "1", "--n", "50", "--materiality", "0.05"]
    assert main([*evaluated, "--method", "hypergeometric", "--population-size", "0"]) == 2
    assert "parameter '--population-size': expected a whole number" in capsys.readouterr().err
    assert main([*evaluated[:3], "60", *evaluated[4:]]) == 2  # more errors than units
    assert "parameter '--x': expected at most n = 50, found 60.0" in capsys.readouterr().err


def test_evaluating_every_unit_of_the_population_without_error_gives_a_zero_upper_limit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # n = N = 1, no error: examined in full, 0% (the old binomial bound on one draw said 95%).
    counts = ["--x", "0", "--n", "1", "--population-size", "1", "--materiality", "0.05"]
    assert main(["sample", "evaluate", *counts, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "at most **0.00%**" in out and "no sampling risk" in out


def test_a_method_that_does_not_fit_the_sheet_is_refused_naming_the_flag_and_the_units(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = tmp_path / "bills.csv"
    bills([100.0 + i for i in range(30)]).to_csv(frame, index=False)
    sheet = tmp_path / "sheet.xlsx"
    chosen = ["--frame", str(frame), "--units", "values", "--values", "amount", "--n", "8"]
    assert main(["sample", "select", *chosen, "--seed", "1", "--output", str(sheet)]) == 0
    workbook = load_workbook(sheet)
    rows = workbook.worksheets[0]
    header_row, columns = header_columns(rows)
    for row in range(header_row + 1, rows.max_row + 1):
        rows.cell(row, columns["audited_value"]).value = rows.cell(row, columns["book_value"]).value
        rows.cell(row, columns["inspected_at"]).value = "2025-06-30"
    workbook.save(sheet)
    evaluated = ["sample", "evaluate", "--sheet", str(sheet), "--materiality", "0.05"]
    assert main([*evaluated, "--method", "ratio"]) == 2
    assert capsys.readouterr().err == (
        "auditkit sample evaluate: error: parameter '--method': expected a method that fits a "
        "sheet sampled by monetary units (values): stringer, stringer.poisson, binomial, "
        "poisson, mpu, found 'ratio'\n"
    )
    assert main([*evaluated, "--method", "stringer"]) == 0  # near miss: it fits


@pytest.mark.parametrize(("units", "method"), [("items", "random"), ("values", "interval")])
def test_a_frame_with_its_rows_in_another_order_gives_the_same_sample(
    population: Path, tmp_path: Path, units: str, method: str
) -> None:
    shuffled = tmp_path / "shuffled.csv"
    frame = pd.read_csv(population, dtype={"customer_id": str}, encoding="gb18030")
    frame.sample(frac=1, random_state=3).to_csv(shuffled, index=False, encoding="gb18030")
    drawn = []
    for source in (population, shuffled):
        sheet = tmp_path / f"{source.stem}.xlsx"
        arguments = ["--units", units, "--method", method, "--n", "40", "--seed", "42"]
        valued = ["--values", "amount"] if units == "values" else []
        selecting = ["sample", "select", "--frame", str(source), *arguments, *valued]
        assert run([*selecting, "--output", str(sheet)]) == 0
        rows = (
            load_workbook(sheet).worksheets[0].iter_rows(min_row=FIRST_DATA_ROW, values_only=True)
        )
        drawn.append([row[1] for row in rows])
    # the frame is sorted by its id before positions are drawn, not taken in the file's order
    assert drawn[0] == drawn[1] and len(drawn[0]) > 20


def test_select_speaks_its_language_between_the_tables_and_never_prints_a_repr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reviewer's zh run printed `planned: Plan(n=60, ...)`, `note: ` and `field sheet
    written:` between Chinese tables. A bill of 0 yuan is set aside (a note); n is planned."""
    frame = tmp_path / "bills.csv"
    bills([0.0, *(100 + 7 * i for i in range(59))]).to_csv(frame, index=False)
    arguments = ["sample", "select", "--frame", str(frame), "--units", "values"]
    arguments += ["--values", "amount", "--materiality", "0.1", "--seed", "3"]
    assert run([*arguments, "--output", str(tmp_path / "zh.xlsx"), "--lang", "zh"]) == 0
    chinese = capsys.readouterr().out
    # poisson, 95 %, no expected errors: n = ceil(-ln 0.05 / 0.1) = ceil(29.96) = 30
    assert "按 --materiality 计划：在 95% 的置信水平下，样本量 30 使错报率上限" in chinese
    assert "注：" in chinese and f"现场核查表已写入：{tmp_path / 'zh.xlsx'}" in chinese
    assert not re.search(r"Plan\(|planned|note:|written", chinese)
    assert run([*arguments, "--output", str(tmp_path / "en.xlsx"), "--lang", "en"]) == 0
    english = capsys.readouterr().out  # near miss: English is still English
    assert "planned from --materiality: At 95% confidence a sample of 30 " in english
    assert "note: " in english and "Plan(" not in english

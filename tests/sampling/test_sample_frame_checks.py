"""`auditkit sample select --frame` refuses a population it would build wrong (a second sheet of
data left out, a totals row drawn as a unit, a unit listed twice), and `sample evaluate` refuses
an audited value that is a slip, each in one line naming the file, row and column."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sampling_builders import bills

from auditkit.cli import main
from auditkit.sampling.fieldformat import FIRST_DATA_ROW
from auditkit.sampling.fieldsheet import header_columns

SELECT = ["sample", "select", "--units", "values", "--values", "amount", "--n", "2", "--seed", "1"]


def select_from(frame: Path, sheet: Path, *more: str) -> int:
    return main([*SELECT, "--frame", str(frame), *more, "--lang", "en", "--output", str(sheet)])


def refused(capsys: pytest.CaptureFixture[str], frame: Path, sheet: Path, *more: str) -> str:
    """The one line `sample select` refuses `frame` with, its command's prefix left out: exit
    code 2, nothing printed on stdout, no sheet written."""
    assert select_from(frame, sheet, *more) == 2
    out, err = capsys.readouterr()
    assert (out, sheet.exists()) == ("", False)
    prefix = "auditkit sample select: error: "
    assert err.startswith(prefix) and err.endswith("\n")
    return err.removeprefix(prefix).removesuffix("\n")


def csv_frame(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "bills.csv"
    path.write_text("\n".join(["customer_id,amount", *lines]) + "\n", encoding="utf-8")
    return path


def test_a_workbook_frame_with_data_on_two_sheets_is_refused_not_read_as_its_first_sheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It gave population_size 5: the 5 rows of Sheet2 were silently left out."""
    workbook = Workbook()
    workbook.active.title = "Sheet1"
    second = workbook.create_sheet("Sheet2")
    for sheet, prefix in ((workbook.active, "A"), (second, "B")):
        sheet.append(["customer_id", "amount"])
        for i in range(5):
            sheet.append([f"{prefix}{i}", 100 + i])
    frame = tmp_path / "bills.xlsx"
    workbook.save(frame)
    sheet = tmp_path / "sheet.xlsx"
    assert refused(capsys, frame, sheet) == (
        "bills.xlsx: expected the whole table in the first "
        "worksheet 'Sheet1', found data on worksheet 'Sheet2' too (join the sheets into one, or "
        "delete the others)"
    )


def test_a_hidden_helper_sheet_after_the_frame_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hidden sheet holds a drop-down's list, as the dataset loader allows; so does an empty
    visible one."""
    workbook = Workbook()
    workbook.active.append(["customer_id", "amount"])
    for i in range(5):
        workbook.active.append([f"A{i}", 100 + i])
    helper = workbook.create_sheet("lists")
    helper.append(["城东", "城西"])
    helper.sheet_state = "hidden"
    workbook.create_sheet("empty")
    frame = tmp_path / "bills.xlsx"
    workbook.save(frame)
    assert select_from(frame, tmp_path / "sheet.xlsx") == 0
    assert re.search(r"^Units that can be drawn +5$", capsys.readouterr().out, re.MULTILINE)


@pytest.mark.parametrize("label", ["合计", "总 计", "小计：", "Total", "ＳＵＢＴＯＴＡＬ", " sum "])
def test_a_totals_row_is_refused_naming_its_row_and_column_as_one_to_remove(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], label: str
) -> None:
    """`合计,510` closing the export was drawn as a unit: the population's value doubled."""
    frame = csv_frame(tmp_path, ["A1,100", "A2,200", "A3,210", f"{label},510"])
    sheet = tmp_path / "sheet.xlsx"
    assert refused(capsys, frame, sheet) == (
        "bills.csv row 5, column customer_id: expected the id of a "
        f"unit of the population, found {label!r}, which looks like a totals row (remove it "
        "from the frame: it is no unit of the population)"
    )


def test_totals_rows_in_an_xlsx_frame_are_named_by_the_first_and_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = Workbook()
    for row in (["户号", "amount"], ["A1", 100], ["小计", 100], ["A2", 200], ["合计", 300]):
        workbook.active.append(row)
    frame = tmp_path / "bills.xlsx"
    workbook.save(frame)
    assert refused(capsys, frame, tmp_path / "sheet.xlsx", "--id", "户号") == (
        "bills.xlsx row 3, column 户号: expected the id of a unit "
        "of the population, found '小计', which looks like a totals row (remove it from the "
        "frame: it is no unit of the population) (2 such rows)"
    )


def test_an_id_merely_containing_a_totals_word_is_a_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = csv_frame(tmp_path, ["合计店,100", "Summit,200", "SUM1,300"])
    sheet = tmp_path / "sheet.xlsx"
    assert select_from(frame, sheet, "--n", "3") == 0
    out = capsys.readouterr().out
    assert re.search(r"^Units that can be drawn +3$", out, re.MULTILINE)
    assert re.search(r"^Value that can be drawn \(yuan\) +600.00$", out, re.MULTILINE)


def test_duplicated_ids_are_refused_naming_the_rows_of_the_first_and_how_many_repeat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A1 was listed twice with two book values, counted and drawable twice."""
    one = csv_frame(tmp_path, ["A1,100.5", "A2,200", "A1,200"])
    sheet = tmp_path / "sheet.xlsx"
    assert refused(capsys, one, sheet) == (
        "bills.csv row 2, column customer_id: expected each id "
        "once (one row per unit of the population; a unit named by several columns takes --id "
        "for each), found 'A1' in rows 2 and 4"
    )
    several = csv_frame(tmp_path, ["A1,1", "A2,2", "A3,3", "A2,4", "A1 ,5", "A3,6", "A2,7"])
    assert refused(capsys, several, sheet) == (
        "bills.csv row 2, column customer_id: expected each id "
        "once (one row per unit of the population; a unit named by several columns takes --id "
        "for each), found 'A1' in rows 2 and 6 (2 other ids repeat too)"
    )


def test_an_id_of_several_columns_is_repeated_only_when_all_of_them_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = bills([100, 200, 300, 400])
    frame["period"] = ["2025-05", "2025-06", "2025-05", "2025-05"]
    frame["customer_id"] = ["C1", "C1", "C2", "C3"]
    path = tmp_path / "bills.csv"
    frame.to_csv(path, index=False)
    sheet = tmp_path / "sheet.xlsx"
    ids = ["--id", "customer_id", "--id", "period"]
    assert select_from(path, sheet, *ids) == 0
    assert re.search(r"^Units that can be drawn +4$", capsys.readouterr().out, re.MULTILINE)
    frame.loc[3, "customer_id"] = "C1"
    frame.to_csv(path, index=False)
    sheet.unlink()
    assert refused(capsys, path, sheet, *ids) == (
        "bills.csv row 2, column customer_id, period: expected "
        "each id once (one row per unit of the population), found 'C1', '2025-05' in rows 2 "
        "and 5"
    )


@pytest.fixture
def blank_sheet(tmp_path: Path) -> Path:
    """A field sheet of 5 bills of 83,055.44 yuan or so, drawn from a frame with a district."""
    frame = bills([83055.44 + i for i in range(40)], district="城东")
    path = tmp_path / "bills.csv"
    frame.to_csv(path, index=False)
    sheet = tmp_path / "sheet.xlsx"
    assert select_from(path, sheet, "--n", "5") == 0
    return sheet


def filled(
    blank: Path, target: Path, first_audited: Callable[[float], float]
) -> tuple[Path, float]:
    """`blank` filled: the first row audited at `first_audited(its book value)`, the others at
    their book value; returns the path and the first row's book value."""
    workbook = load_workbook(blank)
    rows = workbook.worksheets[0]
    header_row, columns = header_columns(rows)
    first_book = rows.cell(header_row + 1, columns["book_value"]).value
    for row in range(header_row + 1, rows.max_row + 1):
        book = rows.cell(row, columns["book_value"]).value
        audited = first_audited(book) if row == header_row + 1 else book
        rows.cell(row, columns["audited_value"]).value = audited
        rows.cell(row, columns["inspected_at"]).value = "2025-06-30"
    workbook.save(target)
    return target, first_book


def evaluate(sheet: Path, *more: str) -> int:
    arguments = ["sample", "evaluate", "--sheet", str(sheet), "--materiality", "0.05"]
    return main([*arguments, "--lang", "en", *more])


def test_an_audited_value_beyond_any_bill_is_refused_naming_sheet_row_column_and_book_value(
    blank_sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1e20 gave exit 0 and a most likely error rate of 15,050,188,16…%; --large-amounts does
    not let it through."""
    sheet, book = filled(blank_sheet, tmp_path / "filled.xlsx", lambda book: 1e20)
    capsys.readouterr()
    for more in ((), ("--large-amounts",)):
        assert evaluate(sheet, *more) == 2
        assert capsys.readouterr() == (
            "",
            "auditkit sample evaluate: error: field sheet 'filled.xlsx', sheet 'field_sheet': "
            "1 problem to correct\n"
            f"field sheet 'filled.xlsx', sheet 'field_sheet', row {FIRST_DATA_ROW}, column H "
            f"(audited_value): expected an amount below 10^12 yuan (book value {book:,.2f}), "
            "found 1e+20\n",
        )


def test_an_audited_value_over_ten_times_its_book_value_is_refused_as_a_slip(
    blank_sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A × 100 slip (the amount in fen) gave a most likely error rate of 1,237.50%."""
    sheet, book = filled(blank_sheet, tmp_path / "filled.xlsx", lambda book: round(book * 100, 2))
    capsys.readouterr()
    assert evaluate(sheet) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[1] == (
        f"field sheet 'filled.xlsx', sheet 'field_sheet', row {FIRST_DATA_ROW}, column H "
        f"(audited_value): expected at most {10 * book:,.2f} yuan (10 × the book value "
        f"{book:,.2f}), found {round(book * 100)}: an amount in fen or a pasted number? An "
        "understatement checked to be that large is evaluated with --large-amounts"
    )
    assert len(err.splitlines()) == 2


def test_an_understatement_checked_to_be_large_is_evaluated_with_large_amounts(
    blank_sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Above book is an understatement found: up to 10 × it is evaluated as it is, beyond it
    with --large-amounts (a bypassed meter billed a tenth of what was used)."""
    within, _ = filled(blank_sheet, tmp_path / "within.xlsx", lambda book: round(book * 10, 2))
    beyond, _ = filled(blank_sheet, tmp_path / "beyond.xlsx", lambda book: round(book * 12, 2))
    capsys.readouterr()
    assert evaluate(within) == 0
    assert evaluate(beyond) == 2
    capsys.readouterr()
    assert evaluate(beyond, "--large-amounts") == 0
    assert "Stringer bound" in capsys.readouterr().out


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_ids_and_carried_columns_keep_their_leading_zeros(tmp_path: Path, suffix: str) -> None:
    """pandas read a workbook's text cell '0013' as the number 13, and a CSV's carried column of
    digits as a number: 户号 0013 went on the sheet as 13, a meter's bus address 000000100001 as
    100001, and the returned sheet's ids no longer matched the export's."""
    rows = [(f"{i:04d}", 100.5 + i, f"{i:012d}") for i in range(1, 31)]
    frame = tmp_path / f"bills{suffix}"
    if suffix == ".xlsx":
        workbook = Workbook()
        workbook.active.append(["户号", "amount", "表计通信地址"])
        for row in rows:
            workbook.active.append(list(row))
        workbook.save(frame)
    else:
        lines = ["户号,amount,表计通信地址", *(f"{a},{b},{c}" for a, b, c in rows)]
        frame.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sheet = tmp_path / "sheet.xlsx"
    assert select_from(frame, sheet, "--id", "户号", "--carry", "表计通信地址") == 0
    written = load_workbook(sheet).worksheets[0]
    header_row, _ = header_columns(written)
    header = [cell.value for cell in written[header_row]]
    drawn = [
        (row[header.index("户号")], row[header.index("表计通信地址")])
        for row in written.iter_rows(min_row=header_row + 1, values_only=True)
    ]
    assert len(drawn) == 2
    for customer, address in drawn:
        assert len(customer) == 4 and customer.startswith("00")
        assert address == f"{int(customer):012d}"

"""`auditkit sample select` names each unit on the field sheet (--id, --carry) and refuses a
population it cannot: no id column, a column named twice, no row; the wording of the sampling
errors (no Python reprs)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from sampling_builders import bills, fill_values

from auditkit.cli import main
from auditkit.errors import ParameterError
from auditkit.masking import mask_value
from auditkit.sampling import (
    FieldSheetError,
    SampleDataError,
    read_field_sheet,
    select,
    write_field_sheet,
)
from auditkit.sampling.fieldformat import FIRST_DATA_ROW, HEADER_ROW
from auditkit.sampling.fieldsheet import header_columns


def chinese_frame(folder: Path) -> Path:
    """A GBK population exported with Chinese headers and no customer_id: 户号 (with leading
    zeros), 户名, 表号 (a name with a space: 'meter no'), 电费."""
    frame = folder / "cn.csv"
    lines = ["户号,户名,meter no,电费"]
    lines += [f"{i:04d},用户{i},M{i},{100 + 37 * i}" for i in range(1, 41)]
    frame.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    return frame


SELECT_CN = ["sample", "select", "--units", "values", "--values", "电费", "--n", "5"]
SELECT_AMOUNT = ["sample", "select", "--units", "values", "--values", "amount", "--n", "1"]


def test_a_frame_without_customer_id_is_refused_naming_the_file_and_its_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reviewer's GBK frame `户号,电费` gave a sheet of sample_no and book values only: which
    account to visit, nobody could tell."""
    frame, sheet = chinese_frame(tmp_path), tmp_path / "sheet.xlsx"
    assert main([*SELECT_CN, "--frame", str(frame), "--output", str(sheet)]) == 2
    assert capsys.readouterr() == (
        "",
        "auditkit sample select: error: population table 'cn.csv': expected a column naming "
        "each unit (customer_id, or the column(s) --id names), found the columns 户号, 户名, "
        "meter no, 电费; name the id column with --id\n",
    )
    for flag, column in (("--id", "户 号"), ("--carry", "地址")):
        given = ["--id", "户号", flag, column] if flag == "--carry" else [flag, column]
        assert main([*SELECT_CN, "--frame", str(frame), *given, "--output", str(sheet)]) == 2
        assert capsys.readouterr().err == (
            f"auditkit sample select: error: parameter '{flag}': expected a column of "
            f"population table 'cn.csv' (户号, 户名, meter no, 电费), found {column!r}\n"
        )
    assert not sheet.exists()


def test_the_id_and_carried_columns_reach_the_sheet_a_name_masked_and_the_inspections(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """户名 is personal: carried masked as a name (the house rule); the id and a meter number
    as the frame holds them."""
    frame, sheet = chinese_frame(tmp_path), tmp_path / "sheet.xlsx"
    given = ["--id", "户号", "--carry", "户名", "--carry", "meter no", "--seed", "4"]
    assert main([*SELECT_CN, "--frame", str(frame), *given, "--output", str(sheet)]) == 0
    rows = load_workbook(sheet).worksheets[0]
    header = [cell.value for cell in rows[HEADER_ROW]]
    assert header[:5] == ["序号 sample_no", "户号", "户名", "meter no", "账面金额 book_value"]
    drawn = [row[:4] for row in rows.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]
    population = pd.read_csv(frame, encoding="gbk", dtype=str).set_index("户号")
    assert len(drawn) == 5
    for _, account, name, meter in drawn:
        assert len(account) == 4 and account.startswith("00")  # text: leading zeros kept
        assert name == mask_value("name", population.at[account, "户名"])
        assert meter == population.at[account, "meter no"]
    fill_values(sheet)
    inspections = tmp_path / "inspections.csv"
    evaluating = ["sample", "evaluate", "--sheet", str(sheet), "--materiality", "0.05"]
    evaluating += ["--auditing-district", "城东", "--inspections", str(inspections)]
    capsys.readouterr()
    assert main(evaluating) == 0
    assert f"核查记录已写入：{inspections}（5 行）" in capsys.readouterr().out
    written = pd.read_csv(inspections, dtype=str, encoding="utf-8-sig")
    assert list(written["户号"]) == [account for _, account, _, _ in drawn]
    assert written["error_found"].tolist() == ["True", "False", "False", "False", "False"]
    # The returned sheet is checked against its selection by the id: an account changed on it
    # is not the selection's.
    workbook = load_workbook(sheet)
    workbook.worksheets[0].cell(FIRST_DATA_ROW, 2).value = "9999"
    workbook.save(sheet)
    with pytest.raises(FieldSheetError, match=r"this row \(sample_no 1, 户号 '9999'\) is not in"):
        read_field_sheet(sheet, auditing_district="城东")


def test_an_id_of_two_columns_names_both_and_an_empty_id_cell_is_refused_by_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame, sheet = chinese_frame(tmp_path), tmp_path / "sheet.xlsx"
    given = ["--id", "户号", "--id", "meter no", "--seed", "4", "--lang", "en"]
    assert main([*SELECT_CN, "--frame", str(frame), *given, "--output", str(sheet)]) == 0
    _, columns = header_columns(load_workbook(sheet).worksheets[0])
    assert list(columns)[:4] == ["sample_no", "户号", "meter no", "book_value"]
    lines = frame.read_bytes().decode("gbk").splitlines()
    lines[7] = "," + lines[7].split(",", 1)[1]  # row 8 as a spreadsheet shows it: no 户号
    frame.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    capsys.readouterr()
    other = tmp_path / "other.xlsx"
    assert main([*SELECT_CN, "--frame", str(frame), *given, "--output", str(other)]) == 2
    assert capsys.readouterr().err == (
        "auditkit sample select: error: cn.csv row 8, column 户号: expected a value (the id of "
        "each unit of the population; a total row has none), found an empty cell\n"
    )
    assert not other.exists()


def test_a_header_naming_a_column_twice_is_refused_naming_file_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pandas reads the second `id` as `id.1`: which one names the unit nobody could say."""
    csv_frame = tmp_path / "twice.csv"
    csv_frame.write_text("id,amount,id\nA1,100,B1\nA2,200,B2\n", encoding="utf-8")
    workbook = Workbook()
    for row in (["id", "id", "amount"], ["A1", "B1", 100], ["A2", "B2", 200]):
        workbook.active.append(row)
    xlsx_frame = tmp_path / "twice.xlsx"
    workbook.save(xlsx_frame)
    sheet = tmp_path / "sheet.xlsx"
    for frame, letters in ((csv_frame, "A and C"), (xlsx_frame, "A and B")):
        arguments = [*SELECT_AMOUNT, "--id", "id"]
        assert main([*arguments, "--frame", str(frame), "--output", str(sheet)]) == 2
        assert capsys.readouterr() == (
            "",
            f"auditkit sample select: error: {frame.name} row 1, column id: expected each "
            f"column named once in the header, found 'id' in columns {letters}\n",
        )
    assert not sheet.exists()


def test_a_frame_without_a_row_is_refused_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said: parameter 'frame': expected a DataFrame with at least one row, found 'DataFrame'."""
    header_only = tmp_path / "header.csv"
    header_only.write_text("customer_id,amount\n", encoding="utf-8")
    blank_lines = tmp_path / "blank.csv"
    blank_lines.write_text("customer_id,amount\n\n,\n", encoding="utf-8")
    workbook = Workbook()
    workbook.active.append(["customer_id", "amount"])
    header_xlsx = tmp_path / "header.xlsx"
    workbook.save(header_xlsx)
    sheet = tmp_path / "sheet.xlsx"
    for frame, found in (
        (header_only, "none"),
        (blank_lines, "only 2 empty row(s)"),
        (header_xlsx, "none"),
    ):
        arguments = [*SELECT_AMOUNT, "--frame", str(frame)]
        assert main([*arguments, "--output", str(sheet)]) == 2
        assert capsys.readouterr() == (
            "",
            f"auditkit sample select: error: {frame.name}: expected at least one row below the "
            f"header (a unit of the population), found {found}\n",
        )
    assert not sheet.exists()
    with pytest.raises(ParameterError) as caught:
        select(pd.DataFrame({"customer_id": [], "amount": []}), 1)
    assert str(caught.value) == (
        "parameter 'frame': expected a table of the population with at least one row, found "
        "'a table with no rows'"
    )


def test_a_carried_column_the_sheet_makes_of_its_own_is_refused_and_id_is_for_frames(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = tmp_path / "bills.csv"
    bills([100, 200, 300]).assign(note="x").to_csv(frame, index=False)
    sheet = tmp_path / "sheet.xlsx"
    arguments = [*SELECT_AMOUNT, "--frame", str(frame)]
    assert main([*arguments, "--carry", "note", "--output", str(sheet)]) == 2
    assert capsys.readouterr().err == (
        "auditkit sample select: error: parameter '--carry': expected a column other than those "
        "the field sheet makes of its own (sample_no, book_value, times, inspected_at, "
        "audited_value, error_found, note, audit_kind, auditing_district): rename it in the "
        "file, found 'note'\n"
    )
    data = ["sample", "select", "--data", "demo", "--district", "城东", "--n", "2", "--id", "x"]
    assert main([*data, "--output", str(sheet)]) == 2
    assert capsys.readouterr().err == (
        "auditkit sample select: error: parameter '--id': expected no --id with --data (a "
        "dataset's units are named by customer_id), found 'x'\n"
    )
    assert not sheet.exists()


def test_write_field_sheet_needs_a_column_naming_each_unit(tmp_path: Path) -> None:
    frame = pd.DataFrame({"户号": ["0001", "0002", "0003"], "amount": [100.0, 200.0, 300.0]})
    selection = select(frame, 2, units="values", values="amount", seed=1)
    with pytest.raises(SampleDataError) as caught:
        write_field_sheet(selection, tmp_path / "sheet.xlsx")
    assert str(caught.value) == (
        "the selection: expected a column naming each unit (customer_id, or the column(s) ids "
        "names), found the columns 户号, amount, times; name the id column with ids"
    )
    assert not (tmp_path / "sheet.xlsx").exists()
    sheet = write_field_sheet(selection, tmp_path / "sheet.xlsx", ids=["户号"], lang="en")
    _, columns = header_columns(load_workbook(sheet).worksheets[0])
    assert list(columns)[:3] == ["sample_no", "户号", "book_value"]


def test_sampling_sheet_messages_say_an_empty_cell_and_name_missing_columns_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """They said `found None` and `column(s) ['error_found'] missing`."""
    frame = tmp_path / "accounts.csv"
    pd.DataFrame({"customer_id": [f"C{i}" for i in range(20)], "district": "城北"}).to_csv(
        frame, index=False
    )
    sheet = tmp_path / "sheet.xlsx"
    selecting = ["sample", "select", "--frame", str(frame), "--n", "3", "--seed", "1"]
    assert main([*selecting, "--output", str(sheet)]) == 0
    workbook = load_workbook(sheet)
    rows = workbook.worksheets[0]
    header_row, columns = header_columns(rows)
    for row in range(header_row + 2, rows.max_row + 1):  # the first row's flag left blank
        rows.cell(row, columns["error_found"]).value = "否"
    workbook.save(sheet)
    evaluating = ["sample", "evaluate", "--sheet", str(sheet), "--materiality", "0.05"]
    capsys.readouterr()
    assert main(evaluating) == 2
    letter = rows.cell(header_row, columns["error_found"]).column_letter
    assert capsys.readouterr().err.splitlines()[1] == (
        f"field sheet 'sheet.xlsx', sheet '现场核查表', row {header_row + 1}, column {letter} "
        "(error_found): expected yes or no (是/否, 有/无, 有误/无误, Y/N, yes/no, true/false, 1/0), "
        "found an empty cell"
    )
    rows.delete_cols(columns["error_found"])
    workbook.save(sheet)
    assert main(evaluating) == 2
    assert capsys.readouterr().err == (
        "auditkit sample evaluate: error: field sheet 'sheet.xlsx', sheet '现场核查表': "
        "expected the column error_found in the header row, found no error_found: write the "
        "header back as the sheet was handed out\n"
    )

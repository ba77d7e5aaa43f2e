"""`auditkit sample evaluate --inspections`: never writes over inspections recorded before; with
--append adds the sheet's rows to them, once."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from auditkit import synth
from auditkit.cli import main
from auditkit.data import load
from auditkit.sampling.fieldsheet import header_columns


@pytest.fixture(scope="module")
def utility(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic utility written as CSV, with the inspections it recorded."""
    config = synth.SynthConfig(customers=80, districts=2, months=24, seed=11)
    folder = tmp_path_factory.mktemp("utility") / "csv"
    return Path(synth.write(synth.generate(config), folder, fmt="csv", config=config))


@pytest.fixture
def dataset(utility: Path, tmp_path: Path) -> Path:
    """A copy of the utility the test may change."""
    copy = tmp_path / "data"
    copy.mkdir()
    for path in utility.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    return copy


def filled_sheet(dataset: Path, folder: Path) -> Path:
    """A field sheet of 8 bills of the first district, returned with the first under-billed."""
    district = sorted(pd.read_csv(dataset / "customers.csv")["district"].unique())[0]
    sheet = folder / "sheet.xlsx"
    selecting = ["sample", "select", "--data", str(dataset), "--district", district]
    selecting += ["--units", "values", "--n", "8", "--seed", "3", "--output", str(sheet)]
    assert main(selecting) == 0
    workbook = load_workbook(sheet)
    rows = workbook.worksheets[0]
    header_row, columns = header_columns(rows)
    for row in range(header_row + 1, rows.max_row + 1):
        book = rows.cell(row, columns["book_value"]).value
        rows.cell(row, columns["audited_value"]).value = book * (2 if row == header_row + 1 else 1)
        rows.cell(row, columns["inspected_at"]).value = "2025-06-30"
    workbook.save(sheet)
    return sheet


def evaluate(sheet: Path, inspections: Path, *more: str) -> int:
    given = ["--sheet", str(sheet), "--materiality", "0.05", "--inspections", str(inspections)]
    return main(["sample", "evaluate", *given, *more, "--lang", "en"])


def test_existing_inspections_are_never_written_over(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reviewer's run replaced a dataset's 21 inspections with the sheet's 20 rows."""
    sheet = filled_sheet(dataset, tmp_path)
    inspections = dataset / "inspections.csv"
    before = inspections.read_bytes()
    recorded = len(pd.read_csv(inspections))
    capsys.readouterr()
    assert evaluate(sheet, inspections) == 2
    assert capsys.readouterr() == (
        "",  # refused before the sheet is evaluated: nothing printed as if done
        "auditkit sample evaluate: error: parameter '--inspections': expected a new file, or "
        "--append to add the sheet's inspections to the table already there, found "
        f"'{inspections}, which exists ({recorded} rows): nothing is written over; give "
        "--append to add to it, or another file name'\n",
    )
    assert inspections.read_bytes() == before


def test_append_adds_the_sheet_once_and_keeps_every_row_recorded_before(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = filled_sheet(dataset, tmp_path)
    inspections = dataset / "inspections.csv"
    before = inspections.read_text(encoding="utf-8-sig").splitlines()
    capsys.readouterr()
    assert evaluate(sheet, inspections, "--append") == 0
    total = len(before) - 1 + 8
    said = (
        f"inspections appended: {inspections} (8 row(s) added, 0 already recorded, {total} in all)"
    )
    assert said in capsys.readouterr().out
    after = inspections.read_text(encoding="utf-8-sig").splitlines()
    # The rows recorded before are kept as they were, the new columns empty for them.
    assert after[0] == before[0] + ",period,sample_no,times,note"
    assert after[1 : len(before)] == [line + ",,,," for line in before[1:]]
    appended = load(dataset).inspections  # the dataset still loads, with both
    assert len(appended) == total
    assert appended["error_found"].tail(8).tolist() == [True] + [False] * 7
    once = inspections.read_bytes()
    assert evaluate(sheet, inspections, "--append") == 0  # the same sheet again: nothing added
    said = (
        f"inspections appended: {inspections} (0 row(s) added, 8 already recorded, {total} in all)"
    )
    assert said in capsys.readouterr().out
    assert inspections.read_bytes() == once


def test_append_refuses_a_sheet_corrected_since_its_rows_were_recorded(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Which finding holds is the audit team's call: neither is dropped nor counted twice."""
    sheet = filled_sheet(dataset, tmp_path)
    inspections = tmp_path / "inspections.csv"
    assert evaluate(sheet, inspections) == 0
    recorded = inspections.read_bytes()
    workbook = load_workbook(sheet)
    rows = workbook.worksheets[0]
    header_row, columns = header_columns(rows)
    cell = rows.cell(header_row + 1, columns["audited_value"])
    book = rows.cell(header_row + 1, columns["book_value"]).value
    cell.value = book  # no error after all
    workbook.save(sheet)
    written = pd.read_csv(inspections, dtype=str, encoding="utf-8-sig").iloc[0]
    capsys.readouterr()
    assert evaluate(sheet, inspections, "--append") == 2
    error = capsys.readouterr().err
    assert error.startswith(
        "auditkit sample evaluate: error: parameter '--inspections': expected an inspections "
        "table that records the sheet's rows with the same findings or not at all, found "
        f"\"{inspections} row 2, which records customer_id '{written['customer_id']}', "
        f"audit_kind 'self', auditing_district '{written['auditing_district']}', period "
        f"'{written['period']}', sample_no '1' with other findings (error_found 'True' there, "
        f"'False' on the sheet; audited_value '{written['audited_value']}' there, "
    )
    assert error.endswith(
        "on the sheet): nothing is written; correct the sheet or the file, or write to another "
        'file"\n'
    )
    assert inspections.read_bytes() == recorded


def test_inspections_flags_are_checked_before_the_work(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = filled_sheet(dataset, tmp_path)
    other = tmp_path / "bills.csv"
    other.write_text("customer_id,amount\nC1,100\n", encoding="utf-8")
    capsys.readouterr()
    for arguments, message in (
        (
            ["--sheet", str(sheet), "--append"],
            "parameter '--append': expected --inspections FILE.csv with it, the file to append "
            "to, found 'no --inspections'",
        ),
        (
            ["--x", "1", "--n", "50", "--inspections", str(tmp_path / "new.csv")],
            "parameter '--inspections': expected a --sheet with it, whose inspections are "
            "written, found '--x and --n'",
        ),
        (
            ["--sheet", str(sheet), "--inspections", str(tmp_path / "inspections.parquet")],
            "parameter '--inspections': expected a file name ending in .csv, found "
            f"'{tmp_path / 'inspections.parquet'}'",
        ),
        (
            ["--sheet", str(sheet), "--inspections", str(other), "--append"],
            "parameter '--inspections': expected an inspections table to append to, with the "
            "columns customer_id, inspected_at, audit_kind, auditing_district, error_found, "
            f"found '{other} without inspected_at, audit_kind, auditing_district, error_found "
            "(its columns: customer_id, amount): is it the inspections table?'",
        ),
    ):
        assert main(["sample", "evaluate", "--materiality", "0.05", *arguments]) == 2
        assert capsys.readouterr() == ("", f"auditkit sample evaluate: error: {message}\n")
    assert other.read_text(encoding="utf-8") == "customer_id,amount\nC1,100\n"
    assert not (tmp_path / "new.csv").exists()
    assert not (tmp_path / "inspections.parquet").exists()

"""The lock files office programs keep beside a workbook they have open, in a dataset folder:
each is skipped and named, never read as a table, and a table whose file is open is read as last
saved with a warning saying so (the same lock files `register import` and `sample evaluate`
warn of: `auditkit.workbooks`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from lock_files import excel_owner_file, libreoffice_lock
from sample_dataset import write_dataset

import auditkit.cli
from auditkit.cli import data as data_cli
from auditkit.data import load, validate

BILLS_OPEN_IN_EXCEL = (
    "warning: bills.xlsx: expected a table file no office program has open, found open in "
    "Excel or WPS (~$bills.xlsx beside it): read as last saved, WITHOUT the edits not saved yet "
    "(save and close it, then read the dataset again)"
)


def warnings_of(folder: Path) -> list[str]:
    return [str(problem) for problem in validate(folder) if problem.severity == "warning"]


def test_a_table_open_in_excel_loads_as_last_saved_with_a_warning_naming_its_lock_file(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    folder = write_dataset(tables, tmp_path / "data", "xlsx")
    excel_owner_file(folder / "~$bills.xlsx")

    dataset = load(folder)

    assert [str(problem) for problem in dataset.problems] == [BILLS_OPEN_IN_EXCEL]
    assert dataset.problems[0].table == "bills"
    assert len(dataset.bills) == len(tables["bills"])


def test_a_csv_table_open_in_libreoffice_is_read_with_the_warning(dataset_dir: Path) -> None:
    libreoffice_lock(dataset_dir / ".~lock.customers.csv#")

    assert warnings_of(dataset_dir) == [
        "warning: customers.csv: expected a table file no office program has open, found open "
        "in LibreOffice (.~lock.customers.csv# beside it): read as last saved, WITHOUT the edits "
        "not saved yet (save and close it, then read the dataset again)"
    ]


def test_a_lock_file_left_by_a_program_that_stopped_is_skipped_and_named(
    dataset_dir: Path,
) -> None:
    excel_owner_file(dataset_dir / "~$bills.xlsx")  # the table is bills.csv: no bills.xlsx

    assert warnings_of(dataset_dir) == [
        "warning: ~$bills.xlsx: expected a table file, not the lock file an office program keeps "
        "(skipped), found a lock file Excel or WPS left for 'bills.xlsx', which is not in the "
        "folder (the program stopped without closing it: delete the lock file)"
    ]


def test_the_lock_file_of_a_note_open_in_libreoffice_is_skipped_and_named(
    dataset_dir: Path,
) -> None:
    (dataset_dir / "说明.docx").write_bytes(b"PK")
    libreoffice_lock(dataset_dir / ".~lock.说明.docx#")

    assert [str(problem) for problem in validate(dataset_dir)] == [
        "warning: .~lock.说明.docx#: expected a table file, not the lock file an office program "
        "keeps (skipped), found the lock file LibreOffice keeps while '说明.docx' is open (save "
        "and close 说明.docx there, then read the dataset again)"
    ]


def test_a_workbook_named_like_a_lock_file_is_no_lock_file_and_no_table(
    tables: dict[str, pd.DataFrame], dataset_dir: Path
) -> None:
    tables["bills"].to_excel(dataset_dir / "~$bills.xlsx", index=False)  # a zip package

    assert validate(dataset_dir) == []


def test_a_table_beside_the_lock_file_of_another_file_is_not_said_to_be_open(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    folder = write_dataset(tables, tmp_path / "data", "xlsx")
    excel_owner_file(folder / "~$bills-old.xlsx")

    [warning] = warnings_of(folder)

    assert warning.startswith("warning: ~$bills-old.xlsx: expected a table file, not the lock")


def test_validate_lists_the_open_table_as_a_warning_and_exits_zero(
    tables: dict[str, pd.DataFrame],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    modules = tuple(auditkit.cli._COMMAND_MODULES)
    if data_cli not in modules:
        monkeypatch.setattr(auditkit.cli, "_COMMAND_MODULES", (*modules, data_cli))
    folder = write_dataset(tables, tmp_path / "data", "xlsx")
    excel_owner_file(folder / "~$bills.xlsx")

    assert auditkit.cli.main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == BILLS_OPEN_IN_EXCEL
    assert out[-1] == "0 errors, 1 warning (bills: 0 errors, 1 warning)"


def test_convert_says_the_open_table_it_converts_as_last_saved(
    tables: dict[str, pd.DataFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_dataset(tables, tmp_path / "data", "xlsx")
    excel_owner_file(folder / "~$bills.xlsx")

    assert auditkit.cli.main(["convert", str(folder), str(tmp_path / "converted")]) == 0
    said = capsys.readouterr().err.splitlines()
    assert said == [f"auditkit convert: {folder}: {BILLS_OPEN_IN_EXCEL}"]
    assert (tmp_path / "converted").is_dir()


def test_convert_of_a_folder_without_lock_files_says_nothing_on_stderr(
    dataset_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert auditkit.cli.main(["convert", str(dataset_dir), str(tmp_path / "converted")]) == 0
    assert capsys.readouterr().err == ""

"""A file in the dataset folder that is no table's file but may hold table rows is an error,
never skipped: a table split over files would otherwise load half its rows without a word."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from auditkit.data import DataValidationError, load, validate

SPLIT_EXPECTED = (
    "expected one file per table, named bills.csv, bills.xlsx or bills.parquet (join the parts "
    "into one file, or move this one out of the folder), found a file whose name starts with "
    "bills, not read (bills split over files?)"
)


def errors_of(folder: Path) -> list[str]:
    with pytest.raises(DataValidationError) as caught:
        load(folder)
    return [str(problem) for problem in caught.value.errors]


@pytest.mark.parametrize(
    "name", ["bills_2.csv", "bills (2).csv", "bills-202402.csv", "Bills_2.XLSX", "bills.csv.bak"]
)
def test_a_second_file_named_after_a_table_is_an_error_naming_it(
    dataset_dir: Path, name: str
) -> None:
    (dataset_dir / name).write_bytes((dataset_dir / "bills.csv").read_bytes())

    assert errors_of(dataset_dir) == [f"{name}: {SPLIT_EXPECTED}"]


def test_a_compressed_table_is_an_error_not_an_absent_table(dataset_dir: Path) -> None:
    path = dataset_dir / "work_orders.csv"
    (dataset_dir / "work_orders.csv.gz").write_bytes(gzip.compress(path.read_bytes()))
    path.unlink()

    [problem] = errors_of(dataset_dir)

    assert problem.startswith("work_orders.csv.gz: expected one file per table, named work_orders")


def test_the_problem_carries_the_table_it_belongs_to(dataset_dir: Path) -> None:
    (dataset_dir / "bills_2.csv").write_bytes((dataset_dir / "bills.csv").read_bytes())

    [problem] = validate(dataset_dir)

    assert (problem.file, problem.table, problem.row) == ("bills_2.csv", "bills", None)


@pytest.mark.parametrize("name", ["电费明细.csv", "export.xlsx", "extra.parquet", "old.xls"])
def test_a_table_file_of_no_known_table_is_an_error(dataset_dir: Path, name: str) -> None:
    (dataset_dir / name).write_bytes(b"a,b\n1,2\n")

    assert errors_of(dataset_dir) == [
        f"{name}: expected table files named after their table (customers.csv, bills.csv, ...: "
        "rename it, or move it out of the folder), found a file of no known table, not read"
    ]


def test_a_table_file_beside_a_copy_in_a_format_not_read_is_one_file_per_table(
    dataset_dir: Path,
) -> None:
    (dataset_dir / "bills.xls").write_bytes(b"old")

    assert errors_of(dataset_dir) == [
        "bills: expected one file per table, found bills.csv and bills.xls"
    ]


@pytest.mark.parametrize("name", ["README.md", "synthetic.json", ".DS_Store", "~$bills.xlsx"])
def test_notes_hidden_files_and_excel_lock_files_are_left_alone(
    dataset_dir: Path, name: str
) -> None:
    (dataset_dir / name).write_bytes(b"x")
    (dataset_dir / "archive").mkdir()

    assert [p for p in validate(dataset_dir) if p.severity == "error"] == []


def test_a_table_given_as_a_folder_of_parts_is_an_error_not_an_absent_table(
    dataset_dir: Path,
) -> None:
    parts = dataset_dir / "daily_reads"
    parts.mkdir()
    (dataset_dir / "daily_reads.csv").rename(parts / "part-0000.csv")

    assert errors_of(dataset_dir) == [
        "daily_reads: expected the table daily_reads as one file, not a folder of parts, found "
        "a folder daily_reads (join its parts into one file)"
    ]

"""CSV records as a spreadsheet shows them: a quote that swallows the next record is named where
it began, real multi-line values load, and rows of blank cells are skipped like empty ones."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sample_dataset import write_dataset

from auditkit.data import load, validate


def errors_of(folder: Path) -> list[str]:
    return [str(problem) for problem in validate(folder) if problem.severity == "error"]


def customers_lines(folder: Path) -> list[str]:
    return (folder / "customers.csv").read_text(encoding="utf-8").split("\n")


def test_a_quote_opened_in_one_row_and_closed_in_the_next_is_named_where_it_began(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    tables["customers"].loc[1, "name"] = "OPEN"
    tables["customers"].loc[2, "name"] = "CLOSE"
    folder = write_dataset(tables, tmp_path / "quote")
    path = folder / "customers.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("OPEN", '"东方机械厂').replace("CLOSE", '李四"'), encoding="utf-8")

    problems = [p for p in validate(folder) if p.severity == "error"]

    # row 4's customer C003 was swallowed into row 3's name: its bills name it, it is gone
    assert str(problems[0]) == (
        "customers.csv row 3, column name: expected each quoted value closed in the row it "
        "opens in, found a quoted value running over 2 lines and holding 16 commas, a whole "
        "record's worth: a quote opened in this row and closed rows later swallowed the "
        "record(s) after it (a quote never closed, or a stray one?)"
    )
    assert {(p.file, p.column) for p in problems[1:]} <= {
        ("bills.csv", "customer_id"),
        ("daily_reads.csv", "customer_id"),
        ("inspections.csv", "customer_id"),
        ("work_orders.csv", "customer_id"),
        ("truth.csv", "customer_id"),
    }


def test_a_swallowed_record_without_dependants_is_still_an_error(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """The unbilled account: a customer nothing else names vanished without a word before."""
    customers = pd.concat([tables["customers"]] * 2, ignore_index=True)
    customers["customer_id"] = ["C001", "C002", "C003", "C004", "C005", "C006"]
    customers["name"] = ["a", "b", "c", "OPEN", "CLOSE", "f"]
    folder = write_dataset(tables | {"customers": customers}, tmp_path / "quote")
    path = folder / "customers.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("OPEN", '"d').replace("CLOSE", 'e"'), encoding="utf-8")

    errors = errors_of(folder)

    assert len(errors) == 1
    assert errors[0].startswith("customers.csv row 5, column name: expected each quoted value")


def test_an_address_over_two_lines_loads_and_keeps_later_row_numbers(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    tables["customers"].loc[0, "address"] = "城东路1号,\n3单元,201室"
    tables["customers"].loc[2, "connection_date"] = "2020/01/10"
    folder = write_dataset(tables, tmp_path / "multiline")

    assert errors_of(folder) == [
        "customers.csv row 4, column connection_date: expected a date YYYY-MM-DD, found "
        "'2020/01/10'"
    ]
    tables["customers"].loc[2, "connection_date"] = "2020-01-10"
    customers = load(write_dataset(tables, tmp_path / "fixed")).customers
    assert customers["address"].iloc[0] == "城东路1号,\n3单元,201室"


@pytest.mark.parametrize(
    "blank", [",,,,,,,,,,,,,", ", , , , , , , , , , , , , ", "    ", "\t", " , ", ""]
)
def test_lines_of_blank_cells_are_skipped_keeping_row_numbers(
    tables: dict[str, pd.DataFrame], tmp_path: Path, blank: str
) -> None:
    tables["bills"].loc[4, "period"] = "2024-13"
    folder = write_dataset(tables, tmp_path / "blank")
    path = folder / "bills.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3:3] = [blank]  # between rows 3 and 4: bill 5 is now row 7
    path.write_text("\n".join([*lines, blank, blank]) + "\n", encoding="utf-8")

    assert errors_of(folder) == [
        "bills.csv row 7, column period: expected a month YYYY-MM (01-12), found '2024-13'"
    ]

"""Numbers are bounded to plausible magnitudes: below 10^12 everywhere, tiers 1-3, test cycles
at most a century; beyond is an error naming file, row and column, never a warning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sample_dataset import load_errors, set_cell, write_dataset

from auditkit.data import Dataset, DataValidationError, load

BEYOND = "a number below 10^12 in magnitude (no real figure comes near)"


@pytest.mark.parametrize("fmt", ["csv-utf8", "xlsx", "parquet"])
def test_bills_of_absurd_kwh_and_amounts_are_errors_not_warnings(
    tables: dict[str, pd.DataFrame], make_dataset, fmt: str
) -> None:
    """1e308 and 1e17 used to pass with a kWh-mismatch warning, and the rules then cast them
    into garbage tiers."""
    for column in ("kwh_billed", "amount"):
        tables["bills"][column] = tables["bills"][column].astype(float)
        tables["bills"].loc[0, column] = 1e308
        tables["bills"].loc[2, column] = 1e17
    folder = make_dataset(tables, fmt)
    file = "bills.csv" if fmt == "csv-utf8" else f"bills.{fmt}"
    first = 1 if fmt == "parquet" else 2  # Parquet counts records, a sheet has its header row

    assert load_errors(folder) == [
        f"{file} row {first}, column kwh_billed: expected {BEYOND}, found 1e+308",
        f"{file} row {first + 2}, column kwh_billed: expected {BEYOND}, found 1e+17",
        f"{file} row {first}, column amount: expected {BEYOND}, found 1e+308",
        f"{file} row {first + 2}, column amount: expected {BEYOND}, found 1e+17",
    ]


def test_figures_just_below_the_bound_load(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    tables["bills"]["pf_adjustment"] = [-999_999_999_999.99, 999_999_999_999.99, *[None] * 4]
    tables["district_supply"]["kwh_supplied"] = 999_999_999_999.0
    write_dataset(tables, dataset_dir)

    dataset = load(dataset_dir)

    assert dataset.bills["pf_adjustment"].tolist()[:2] == [-999_999_999_999.99, 999_999_999_999.99]
    assert (dataset.district_supply["kwh_supplied"] == 999_999_999_999.0).all()


def test_the_bound_holds_for_negative_figures_and_every_table(
    tables: dict[str, pd.DataFrame],
) -> None:
    tables["bills"]["pf_adjustment"] = [-1e12, *[None] * 5]  # a column without a minimum
    tables["inspections"]["book_value"] = [1e12, 5.0]
    tables["customers"]["ct_ratio"] = [1.0, 2e15, 1.0]

    with pytest.raises(DataValidationError) as refused:
        Dataset.from_frames(tables)

    assert [(p.table, p.row, p.column, p.found) for p in refused.value.errors] == [
        ("customers", 2, "ct_ratio", "2000000000000000.0"),
        ("bills", 1, "pf_adjustment", "-1000000000000.0"),
        ("inspections", 1, "book_value", "1000000000000.0"),
    ]
    assert {problem.expected for problem in refused.value.errors} == {BEYOND}


def test_a_figure_beyond_the_bound_is_one_error_and_missing_in_the_frame(
    tables: dict[str, pd.DataFrame],
) -> None:
    """-1e13 kWh is below the minimum 0 too: named once, for its magnitude."""
    tables["bills"]["kwh_billed"] = tables["bills"]["kwh_billed"].astype(float)
    tables["bills"].loc[1, "kwh_billed"] = -1e13

    with pytest.raises(DataValidationError) as refused:
        Dataset.from_frames(tables)

    assert [str(problem) for problem in refused.value.errors] == [
        f"bills (DataFrame) row 2, column kwh_billed: expected {BEYOND}, found -10000000000000.0"
    ]


def test_a_whole_number_beyond_the_bound_is_shown_whole(dataset_dir: Path) -> None:
    path = dataset_dir / "customers.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    set_cell(frame, 0, "meter_test_cycle_months", "5e15")
    frame.to_csv(path, index=False)

    assert load_errors(dataset_dir) == [
        "customers.csv row 2, column meter_test_cycle_months: expected a whole number below "
        "10^12 in magnitude (no real figure comes near), found 5000000000000000"
    ]


@pytest.mark.parametrize(
    ("table", "column", "value", "expected"),
    [
        ("customers", "meter_test_cycle_months", 1201, "a whole number ≤ 1200"),
        ("tariffs", "tier", 4, "a whole number ≤ 3"),
    ],
)
def test_tiers_past_three_and_test_cycles_past_a_century_are_errors(
    tables: dict[str, pd.DataFrame], table: str, column: str, value: int, expected: str
) -> None:
    """A tier of 999999999 crashed the tier lines (int8 codes), a test cycle of 10^11 months
    the overdue rule (a due date past pandas' years)."""
    frame = tables[table]
    if column not in frame:
        frame[column] = pd.array([None] * len(frame), dtype="Int64")
    frame[column] = frame[column].astype("Int64")
    frame.loc[0, column] = value

    with pytest.raises(DataValidationError) as refused:
        Dataset.from_frames(tables)

    assert [str(problem) for problem in refused.value.errors] == [
        f"{table} (DataFrame) row 1, column {column}: expected {expected}, found {value}"
    ]


def test_the_longest_test_cycle_and_the_third_tier_load(tables: dict[str, pd.DataFrame]) -> None:
    tables["customers"]["meter_test_cycle_months"] = [1200, 12, None]
    tables["tariffs"]["tier"] = pd.array([None, 3, None], dtype="Int64")

    dataset = Dataset.from_frames(tables)

    assert dataset.customers["meter_test_cycle_months"].tolist()[:2] == [1200, 12]
    assert np.array_equal(dataset.tariffs["tier"].isna(), [True, False, True])

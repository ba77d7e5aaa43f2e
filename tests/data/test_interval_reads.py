"""The optional `interval_reads` table (smart-meter load curves): loaded typed, refused when bad."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sample_dataset import load_errors, set_cell

from auditkit.data import load
from auditkit.data.partitioned import convert

MakeDataset = Callable[..., Path]


def hourly_reads() -> pd.DataFrame:
    """Four hours of C001 and two of C002 (the sample's customers), as a CSV export writes them."""
    return pd.DataFrame(
        {
            "customer_id": ["C001", "C001", "C001", "C001", "C002", "C002"],
            "read_at": [
                "2024-02-01 00:00",
                "2024-02-01 01:00",
                "2024-02-01 02:00",
                "2024-02-01 03:00",
                "2024-02-01 00:00:00",
                "2024-02-01T01:00:00",
            ],
            "kwh": [0.42, 0.38, None, 0.0, 12.5, 13.0],
            "interval_minutes": [60, 60, 60, 60, 60, 60],
        }
    )


@pytest.mark.parametrize("fmt", ["csv-utf8", "parquet"])
def test_interval_reads_load_typed_with_a_missing_interval_allowed(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset, fmt: str
) -> None:
    reads = hourly_reads()
    if fmt == "parquet":
        reads["read_at"] = pd.to_datetime(reads["read_at"], format="ISO8601")
    tables["interval_reads"] = reads

    dataset = load(make_dataset(tables, fmt))

    loaded = dataset.interval_reads
    assert loaded is not None
    assert str(loaded["read_at"].dtype) == "datetime64[us]"
    assert loaded["read_at"].iloc[5] == pd.Timestamp("2024-02-01 01:00")
    assert loaded["kwh"].isna().tolist() == [False, False, True, False, False, False]
    assert loaded["interval_minutes"].tolist() == [60] * 6
    assert dataset.problems == ()


def test_the_interval_column_is_optional(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    tables["interval_reads"] = hourly_reads().drop(columns="interval_minutes")

    loaded = load(make_dataset(tables)).interval_reads

    assert loaded is not None and len(loaded) == 6


def test_a_negative_interval_energy_names_file_row_and_column(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    reads = hourly_reads()
    reads.loc[1, "kwh"] = -0.5
    tables["interval_reads"] = reads

    assert load_errors(make_dataset(tables)) == [
        "interval_reads.csv row 3, column kwh: expected a number ≥ 0, found -0.5"
    ]


@pytest.mark.parametrize("bad_time", ["2024-02-01 24:00", "2024/02/01 01:00", "01:00"])
def test_a_read_at_that_is_not_a_time_names_file_row_and_column(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset, bad_time: str
) -> None:
    reads = hourly_reads()
    set_cell(reads, 2, "read_at", bad_time)
    tables["interval_reads"] = reads

    [error] = load_errors(make_dataset(tables))

    assert error.startswith("interval_reads.csv row 4, column read_at: expected a date-time")
    assert error.endswith(f"found '{bad_time}'")


def test_the_same_interval_twice_names_both_rows(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    reads = hourly_reads()
    reads.loc[3, "read_at"] = "2024-02-01 01:00"
    tables["interval_reads"] = reads

    assert load_errors(make_dataset(tables)) == [
        "interval_reads.csv row 5, column customer_id, read_at: expected a unique "
        "(customer_id, read_at), found ('C001', '2024-02-01 01:00:00') again (first at row 3)"
    ]


def test_a_zero_interval_and_an_unknown_customer_are_refused(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    reads = hourly_reads()
    reads.loc[0, "interval_minutes"] = 0
    reads.loc[4, "customer_id"] = "C404"
    tables["interval_reads"] = reads

    assert load_errors(make_dataset(tables)) == [
        "interval_reads.csv row 2, column interval_minutes: expected a whole number > 0, found 0",
        "interval_reads.csv row 6, column customer_id: expected a customer_id listed in "
        "customers, found 'C404'",
    ]


def test_a_district_keeps_its_own_customers_interval_reads(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    reads = hourly_reads()
    reads.loc[5, "customer_id"] = "C003"
    tables["interval_reads"] = reads
    dataset = load(make_dataset(tables))

    east, west = dataset.for_district("城东"), dataset.for_district("城西")

    assert east.interval_reads is not None and west.interval_reads is not None
    assert east.interval_reads["customer_id"].tolist() == ["C001"] * 4 + ["C002"]
    assert west.interval_reads["read_at"].tolist() == [pd.Timestamp("2024-02-01 01:00")]


def test_interval_reads_survive_the_conversion_to_partitioned_parquet(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset, tmp_path: Path
) -> None:
    tables["interval_reads"] = hourly_reads()
    original = load(make_dataset(tables))

    convert(original, tmp_path / "converted")
    converted = load(tmp_path / "converted").interval_reads

    assert converted is not None and original.interval_reads is not None
    pd.testing.assert_frame_equal(
        converted.sort_values(["customer_id", "read_at"], ignore_index=True),
        original.interval_reads,
    )

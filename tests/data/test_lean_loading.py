"""Loading with little memory gives exactly what the straightforward way gives.

Parquet is read column by column into one chunk per column, key codes are kept as int32 and the
kWh check runs block by block: each is compared here with the plain computation it replaces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sample_dataset import write_dataset

from auditkit.data import TABLES, DataValidationError, consistency, load, validate
from auditkit.data.frames import type_table
from auditkit.data.readers import RawTable, RowIndex, read_parquet_columns

MakeDataset = Callable[..., Path]


def every_kind_table() -> pa.Table:
    """Twelve rows of every column kind Parquet may hold, with nulls, a dictionary and a struct."""
    rows = 12
    text = [None if i % 5 == 0 else f"C{i % 4:03d}" for i in range(rows)]
    return pa.table(
        {
            "text": pa.array(text, pa.string()),
            "large_text": pa.array(text, pa.large_string()),
            "category": pa.array(["甲", "乙", None] * 4).dictionary_encode(),
            "period": pa.array([f"2024-{1 + i % 12:02d}" for i in range(rows)]),
            "date": pa.array(
                [None if i == 3 else dt.datetime(2024, 1, 1 + i) for i in range(rows)],
                pa.timestamp("us"),
            ),
            "number": pa.array([None if i % 4 == 1 else i * 1.5 for i in range(rows)]),
            "integer": pa.array([None if i == 7 else i for i in range(rows)], pa.int64()),
            "flag": pa.array([None if i == 2 else i % 2 == 0 for i in range(rows)]),
            "nested": pa.array([{"a": i, "b": str(i)} for i in range(rows)]),
        }
    )


def straightforward_read(path: Path) -> pa.Table:
    """The whole file in one call, as the loader read it before (a chunk per row group)."""
    schema = pq.read_schema(path)
    text = [
        field.name
        for field in schema
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
    ]
    return pq.read_table(path, read_dictionary=text)


def test_parquet_columns_are_single_chunks_equal_to_a_whole_read(tmp_path: Path) -> None:
    path = tmp_path / "kinds.parquet"
    pq.write_table(every_kind_table(), path, row_group_size=5)
    expected = straightforward_read(path)
    assert expected.column("number").num_chunks == 3  # the file really has three row groups

    text = ["text", "large_text", "period"]
    table = read_parquet_columns(path, text)

    assert table.schema.equals(expected.schema, check_metadata=True)
    assert pa.types.is_dictionary(table.schema.field("text").type)
    assert all(column.num_chunks == 1 for column in table.columns)
    assert table.equals(expected.combine_chunks())
    assert table.to_pylist() == expected.to_pylist()


def test_parquet_with_a_text_column_twice_reports_the_column(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    folder = make_dataset(tables, "parquet")
    bills = pq.read_table(folder / "bills.parquet")
    twice = bills.append_column("tariff_billed", bills.column("tariff_billed"))
    pq.write_table(twice, folder / "bills.parquet")

    read = read_parquet_columns(folder / "bills.parquet", ["tariff_billed"])
    with pytest.raises(DataValidationError) as caught:
        load(folder)

    assert read.column_names == twice.column_names
    assert [str(problem) for problem in caught.value.errors] == [
        "bills.parquet, column tariff_billed: expected each column once, "
        "found 2 columns named 'tariff_billed'"
    ]


def multi_row_group_dataset(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    """The sample dataset as Parquet with two rows per row group and repeated text categorical."""
    folder.mkdir()
    for name, frame in tables.items():
        frame = frame.copy()
        if "customer_id" in frame:
            frame["customer_id"] = frame["customer_id"].astype("category")
        pq.write_table(
            pa.Table.from_pandas(frame, preserve_index=False),
            folder / f"{name}.parquet",
            row_group_size=2,
        )
    return folder


def test_parquet_load_gives_the_frames_of_the_straightforward_conversion(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    folder = multi_row_group_dataset(tables, tmp_path / "parquet")

    dataset = load(folder)

    assert len(dataset.bills) == 6
    for name, frame in dataset.tables().items():
        path = folder / f"{name}.parquet"
        raw = RawTable(straightforward_read(path), RowIndex(first_row=1), path.name, "parquet")
        typed, problems = type_table(raw, TABLES[name])
        assert problems == []
        pd.testing.assert_frame_equal(frame, typed.frame, check_exact=True)
    assert dataset.hashes == load(write_dataset(tables, tmp_path / "csv")).hashes


def test_key_codes_are_int32_and_give_back_the_typed_values(
    tables: dict[str, pd.DataFrame],
) -> None:
    bills = pa.Table.from_pandas(tables["bills"], preserve_index=False)
    raw = RawTable(bills, RowIndex(first_row=1), "bills", "frame")

    typed, problems = type_table(raw, TABLES["bills"])

    assert problems == []
    for name in ("customer_id", "period", "tariff_billed"):
        codes = typed.codes[name]
        assert codes.codes.dtype == np.int32
        values = typed.frame[name]
        np.testing.assert_array_equal(codes.codes < 0, values.isna().to_numpy())
        known = codes.codes >= 0
        decoded = codes.uniques.take(pa.array(codes.codes[known])).to_pylist()
        assert decoded == values[known].tolist()


def test_repeated_keys_with_empty_key_cells(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    bills = tables["bills"]
    bills.loc[0, "customer_id"] = None
    bills.loc[1, "customer_id"] = None  # two empty keys in one period are not repeats
    bills.loc[1, "period"] = "2024-01"
    bills.loc[3, "period"] = "2024-01"  # C002 2024-01 again

    with pytest.raises(DataValidationError) as caught:
        load(make_dataset(tables))

    assert [str(problem) for problem in caught.value.errors] == [
        "bills.csv row 2, column customer_id: expected a value (the column is required), "
        "found an empty cell",
        "bills.csv row 3, column customer_id: expected a value (the column is required), "
        "found an empty cell",
        "bills.csv row 5, column customer_id, period: expected a unique (customer_id, period), "
        "found ('C002', '2024-01') again (first at row 4)",
    ]


def test_kwh_check_by_blocks_finds_what_one_pass_finds(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    bills = tables["bills"]
    bills.loc[[1, 2, 5], "kwh_billed"] = [1.0, 99.0, 5000.0]  # rows across three blocks of two
    bills.loc[4, "register_end"] = None  # an error, and no computed energy: no kWh warning
    bills.loc[4, "kwh_billed"] = 7.0
    folder = make_dataset(tables)

    monkeypatch.setattr(consistency, "KWH_BLOCK_ROWS", 2)
    problems = validate(folder)
    by_blocks = [problem for problem in problems if problem.column == "kwh_billed"]
    start, end, multiplier, billed = (
        bills[column].to_numpy(dtype=float)
        for column in ("register_start", "register_end", "multiplier_billed", "kwh_billed")
    )
    computed = (end - start) * multiplier
    difference = np.abs(billed - computed)
    with np.errstate(invalid="ignore"):
        off = (difference > consistency.KWH_TOLERANCE) & (
            difference > consistency.KWH_TOLERANCE_SHARE * np.abs(computed)
        )

    assert [problem.row for problem in by_blocks] == (np.flatnonzero(off) + 2).tolist()
    assert [problem.row for problem in by_blocks] == [3, 4, 7]
    assert {problem.severity for problem in by_blocks} == {"warning"}
    monkeypatch.setattr(consistency, "KWH_BLOCK_ROWS", 1 << 18)
    assert validate(folder) == problems

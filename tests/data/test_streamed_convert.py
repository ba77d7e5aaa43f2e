"""`convert` of Parquet folders batch by batch, checked part by part: the same converted dataset,
the same recorded problems and the same errors as converting from memory with a whole check."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest

import auditkit.data.column_typing as column_typing
from auditkit import synth
from auditkit.data import Dataset
from auditkit.data.convert_stream import streams
from auditkit.data.part_checks import check_by_parts
from auditkit.data.partitioned import convert, load_partitioned
from auditkit.data.problems import DataValidationError

PER_PART = 100  # 600 customers in 3 districts: two parts or more in each
BATCH = 2_000  # bills and bill lines come in ten batches or more


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return synth.generate(customers=600, districts=3, seed=7)


@pytest.fixture(scope="module")
def with_warnings(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables with warnings of every check that compares rows, in many parts."""
    changed = {name: _editable(frame) for name, frame in tables.items()}
    bills, lines = changed["bills"], changed["bill_lines"]
    itemized = bills.index[bills["customer_id"].isin(lines["customer_id"])]
    every_customer = bills.loc[itemized].groupby("customer_id").head(1).index[::7]
    bills.loc[every_customer, "amount"] += 5.0  # lines no longer add up to the bill
    bills.attrs["amounts_changed"] = len(every_customer)
    bills.loc[every_customer[::2], "kwh_billed"] += 40.0  # registers × multiplier and TOU lines
    bills.loc[bills.index[::997], "tariff_billed"] = "NO-SUCH-TARIFF"
    bills.loc[bills.index[5::1499], "kwh_peak"] = 1e7  # period registers above the kWh billed
    orphan = lines.iloc[[0, len(lines) // 2, len(lines) - 1]].assign(period="2099-01")
    changed["bill_lines"] = pd.concat([lines, orphan], ignore_index=True)
    transformers = changed["transformers"]
    transformers.loc[transformers.index[::3], "kva"] += 1000.0
    supply = changed["district_supply"]
    extra = supply.iloc[:2].assign(district="无此区")
    changed["district_supply"] = pd.concat([supply, extra], ignore_index=True)
    return changed


def _editable(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose categorical columns take any text."""
    return frame.apply(
        lambda column: column.astype(object) if column.dtype == "category" else column
    )


def test_a_parquet_folder_streams_and_a_csv_folder_does_not(tables, tmp_path):
    parquet = synth.write(tables, tmp_path / "parquet")
    csv = tmp_path / "csv"
    csv.mkdir()
    for name, frame in tables.items():
        frame.to_csv(csv / f"{name}.csv", index=False)
    assert streams(parquet) and not streams(csv)


def test_a_streamed_conversion_reads_back_as_one_from_memory(tables, tmp_path):
    folder = synth.write(tables, tmp_path / "source")
    streamed = convert(folder, tmp_path / "streamed", customers_per_part=PER_PART, batch_rows=BATCH)
    in_memory = convert(
        Dataset.from_frames(tables, source=folder), tmp_path / "memory", customers_per_part=PER_PART
    )
    assert len(streamed.partitions) >= 6
    ours, theirs = load_partitioned(streamed.root), load_partitioned(in_memory.root)
    assert ours.tables().keys() == theirs.tables().keys()
    for name, frame in theirs.tables().items():
        pd.testing.assert_frame_equal(ours.tables()[name], frame, obj=name)
    for key in ("format", "version", "tables", "periods", "customers_per_part"):
        assert streamed.manifest[key] == in_memory.manifest[key], key
    partitions = zip(streamed.manifest["partitions"], in_memory.manifest["partitions"], strict=True)
    for mine, other in partitions:
        assert mine["rows"] == other["rows"] and mine["district"] == other["district"]
    assert (streamed.root / "SYNTHETIC.md").is_file()
    # repeating text is stored dictionary-encoded, batch after batch
    bills_file = streamed.root / streamed.partitions[0].relative_path("bills")
    assert str(pd.read_parquet(bills_file)["customer_id"].dtype) == "category"


@pytest.mark.parametrize("listed", [3, 20])  # within one part, across parts
def test_problems_checked_part_by_part_are_those_of_a_whole_check(
    with_warnings, tmp_path, monkeypatch, listed
):
    monkeypatch.setattr(column_typing, "LISTED_PER_ISSUE", listed)  # issues past it, in parts
    folder = synth.write(with_warnings, tmp_path / "source")
    streamed = convert(folder, tmp_path / "streamed", customers_per_part=PER_PART, batch_rows=BATCH)
    whole = streamed.dataset(validate=True, trust_recorded_checks=False).problems
    recorded = streamed.manifest["checked"]["problems"]
    assert recorded == [asdict(problem) for problem in whole]
    assert check_by_parts(streamed) == list(whole)
    # every injected kind, found across parts and counted past the listing
    columns = {(problem.table, problem.column) for problem in whole}
    assert {
        ("bills", "amount"),
        ("bills", "kwh_billed"),
        ("bills", "tariff_billed"),
        ("bills", "kwh_critical, kwh_peak, kwh_valley"),
        ("bill_lines", "period"),
        ("customers", "contract_capacity_kva"),
        ("district_supply", "district"),
    } <= columns
    amounts = [p for p in whole if p.column == "amount"]
    assert len(amounts) == listed + 1 and amounts[-1].row is None
    counted = int(amounts[-1].found.split()[0])
    assert listed + counted == with_warnings["bills"].attrs["amounts_changed"]
    listed_from = {p.file for p in amounts[:-1]}
    assert len(listed_from) == (1 if listed == 3 else 2)


def test_a_converted_folder_converts_again_batch_by_batch(with_warnings, tmp_path):
    folder = synth.write(with_warnings, tmp_path / "source")
    first = convert(folder, tmp_path / "first", customers_per_part=PER_PART, batch_rows=BATCH)
    again = convert(first.root, tmp_path / "again", customers_per_part=250, batch_rows=BATCH)
    before, after = load_partitioned(first.root), load_partitioned(again.root)
    for name, frame in before.tables().items():
        if name in ("tariffs", "district_supply", "network_supply"):
            pd.testing.assert_frame_equal(after.tables()[name], frame, obj=name)
        else:  # other parts, other order: the same rows
            key = [c for c in ("customer_id", "period", "order_id") if c in frame][:2]
            ordered = [
                table.sort_values(key, kind="stable").reset_index(drop=True)
                for table in (after.tables()[name], frame)
            ]
            pd.testing.assert_frame_equal(*ordered, obj=name)
    assert len(again.manifest["checked"]["problems"]) == len(first.manifest["checked"]["problems"])


def test_a_bad_cell_in_a_late_batch_names_its_source_row(tables, tmp_path):
    changed = dict(tables, bills=_editable(tables["bills"]))
    row = 3 * BATCH + 17  # in the fourth batch
    changed["bills"].loc[row, "period"] = "2024-13"
    folder = synth.write(changed, tmp_path / "source")
    with pytest.raises(DataValidationError) as raised:
        convert(folder, tmp_path / "out", customers_per_part=PER_PART, batch_rows=BATCH)
    [problem] = raised.value.errors
    assert (problem.file, problem.row, problem.column) == ("bills.parquet", row + 1, "period")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["source"]  # no staging left behind


def test_a_bill_of_an_unknown_customer_is_an_error_at_its_source_row(tables, tmp_path):
    changed = dict(tables, bills=_editable(tables["bills"]))
    changed["bills"].loc[len(changed["bills"]) - 2, "customer_id"] = "NOBODY"
    folder = synth.write(changed, tmp_path / "source")
    with pytest.raises(DataValidationError) as raised:
        convert(folder, tmp_path / "out", batch_rows=BATCH)
    [problem] = raised.value.errors
    expected = ("bills.parquet", len(changed["bills"]) - 1, "customer_id", "'NOBODY'")
    assert (problem.file, problem.row, problem.column, problem.found) == expected


def _repeated_order_id(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, int, int]:
    """The work orders with one order's id given to an order of another district's customer."""
    orders = _editable(tables["work_orders"])
    # the two orders belong to customers of different districts: different parts
    districts = tables["customers"].set_index("customer_id")["district"]
    of_district = orders["customer_id"].map(districts)
    first = int(np.flatnonzero(of_district == of_district.iloc[0])[0])
    other = int(np.flatnonzero(of_district != of_district.iloc[0])[0])
    orders.loc[other, "order_id"] = orders.loc[first, "order_id"]
    return orders, first, other


def test_an_order_id_repeated_across_parts_is_an_error_named_in_the_source(tables, tmp_path):
    orders, first, other = _repeated_order_id(tables)
    folder = synth.write(dict(tables, work_orders=orders), tmp_path / "source")
    with pytest.raises(DataValidationError) as raised:
        convert(folder, tmp_path / "out", customers_per_part=PER_PART, batch_rows=BATCH)
    [problem] = raised.value.errors
    assert (problem.file, problem.row, problem.column) == (
        "work_orders.parquet",
        max(first, other) + 1,
        "order_id",
    )
    assert not (tmp_path / "out").exists()


def _refused(folder, destination) -> list:
    """The errors a streamed convert of `folder` raises; nothing may be left behind."""
    with pytest.raises(DataValidationError) as raised:
        convert(folder, destination, customers_per_part=PER_PART, batch_rows=BATCH)
    assert not destination.exists()
    assert [p.name for p in destination.parent.iterdir()] == ["source"]  # no staging either
    return raised.value.errors


def test_a_bills_file_without_a_required_column_is_refused_not_left_out(tables, tmp_path):
    folder = synth.write(
        dict(tables, bills=tables["bills"].drop(columns="period")), tmp_path / "source"
    )
    errors = _refused(folder, tmp_path / "out")
    assert [(e.file, e.row, e.column) for e in errors] == [("bills.parquet", None, "period")]


def test_an_empty_bills_file_is_refused_as_load_refuses_it(tables, tmp_path):
    folder = synth.write(dict(tables, bills=tables["bills"].iloc[:0]), tmp_path / "source")
    errors = _refused(folder, tmp_path / "out")
    assert [(e.file, e.expected, e.found) for e in errors] == [
        ("bills.parquet", "at least one data row", "no rows")
    ]


def test_a_row_group_that_cannot_be_read_part_way_is_refused_not_written_in_part(tables, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = synth.write(tables, tmp_path / "source")
    bills = folder / "bills.parquet"
    pq.write_table(pa.Table.from_pandas(tables["bills"]), bills, row_group_size=BATCH)
    meta = pq.ParquetFile(bills).metadata
    assert meta.num_row_groups > 3
    offset = meta.row_group(3).column(0).data_page_offset
    with bills.open("r+b") as damaged:  # the fourth row group's first page: garbage
        damaged.seek(offset)
        damaged.write(b"\xff" * 64)
    errors = _refused(folder, tmp_path / "out")
    assert [(e.file, e.row, e.expected) for e in errors] == [
        ("bills.parquet", None, "a Parquet file")
    ]


def test_a_source_too_large_to_load_has_its_error_named_in_the_parts_written(
    tables, tmp_path, monkeypatch
):
    from auditkit.data import partitioned

    monkeypatch.setattr(partitioned, "SOURCE_LOAD_ROWS", 0)  # as a million customers would be
    orders, _, _ = _repeated_order_id(tables)
    folder = synth.write(dict(tables, work_orders=orders), tmp_path / "source")
    [problem] = _refused(folder, tmp_path / "out")
    assert problem.column == "order_id" and problem.severity == "error"
    assert problem.file.startswith("work_orders/district=") and problem.row is not None

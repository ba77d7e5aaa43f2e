"""Partitioned Parquet: conversion, eager and lazy reading, and what happens to damaged files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from converted_manifests import write_manifest

from auditkit.data import DataValidationError, hashed_files, load, validate
from auditkit.data.partitioned import (
    MANIFEST_NAME,
    PartitionedDataset,
    _own_numpy,
    assign_partitions,
    convert,
    is_partitioned,
    load_partitioned,
)
from auditkit.data.schema import TABLES
from auditkit.errors import ParameterError

SORT_KEYS = (
    "customer_id",
    "period",
    "order_id",
    "inspected_at",
    "tariff_category",
    "valid_from",
    "district",
    "irregularity",
)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [key for key in SORT_KEYS if key in frame.columns]
    return frame.sort_values(keys, kind="stable", ignore_index=True)


def test_every_table_reads_back_with_the_same_values_and_dtypes(utility_folder, converted):
    original = load(utility_folder)
    eager = load_partitioned(converted.root)
    assert set(eager.tables()) == set(original.tables())
    for name, frame in original.tables().items():
        pd.testing.assert_frame_equal(_sorted(getattr(eager, name)), _sorted(frame), obj=name)
    assert len(eager.problems) == len(original.problems)  # the same warnings, found again


def test_each_customer_sits_in_one_partition_of_its_district(converted):
    seen: dict[str, str] = {}
    for partition in converted.partitions:
        for table in ("customers", "bills", "work_orders"):
            frame = converted.read(table, [partition], ["customer_id"])
            for customer in frame["customer_id"].unique():
                assert seen.setdefault(customer, str(partition)) == str(partition), customer
        customers = converted.read("customers", [partition], ["customer_id", "district"])
        assert (customers["district"] == partition.district).all()
    assert len(seen) == converted.rows("customers")


def test_layout_is_hive_by_district_with_typed_columns(converted):
    root = converted.root
    assert is_partitioned(root)
    assert (root / "tariffs.parquet").is_file()
    district = converted.districts[0]
    folder = root / "bills" / f"district={district}"
    files = sorted(folder.glob("part-*.parquet"))
    assert len(files) == sum(1 for p in converted.partitions if p.district == district) > 1
    schema = pq.read_schema(files[0])
    assert pa.types.is_dictionary(schema.field("customer_id").type)  # 36 bills per id: pays
    assert pa.types.is_dictionary(schema.field("period").type)
    assert schema.field("amount").type == pa.float64()
    assert "district" not in schema.names  # it is in the folder name
    customers = pq.read_schema(next((root / "customers").glob("*/part-0000.parquet")))
    assert customers.field("customer_id").type == pa.string()  # unique: a dictionary would not pay
    assert customers.field("connection_date").type == pa.timestamp("us")


def test_partitions_follow_customer_ids_not_row_order(utility):
    customers = utility.customers
    partitions, part = assign_partitions(customers, 400)
    shuffled = customers.sample(frac=1.0, random_state=3)
    again, part_again = assign_partitions(shuffled, 400)
    assert again == partitions
    mapping = dict(zip(customers["customer_id"], part, strict=True))
    assert [mapping[c] for c in shuffled["customer_id"]] == part_again.tolist()
    sizes = pd.Series(part).value_counts()
    assert sizes.max() < 2 * 400  # hashing spreads a district's customers over its parts


def test_lazy_load_reads_nothing_until_asked_and_dask_frames_compute(utility, converted):
    lazy = load_partitioned(converted.root, lazy=True)
    assert isinstance(lazy, PartitionedDataset)
    assert lazy.districts == utility.districts
    bills = lazy.frame("bills")
    assert bills.npartitions >= len(lazy.partitions)
    assert len(bills) == len(utility.bills)
    kwh_by_district = bills.groupby("district", observed=True)["kwh_billed"].sum().compute()
    expected = (
        utility.bills.merge(utility.customers[["customer_id", "district"]], on="customer_id")
        .groupby("district")["kwh_billed"]
        .sum()
    )
    kwh_by_district.index = kwh_by_district.index.astype(str)
    pd.testing.assert_series_equal(kwh_by_district.sort_index(), expected, check_names=False)


def test_a_district_whose_folder_name_would_not_fit_is_refused_before_anything_is_written(
    utility, tmp_path
):
    customers = utility.customers.copy()
    first = customers["district"] == utility.districts[0]
    customers.loc[first, "district"] = "城" + "\u00a0" * 62 + "东"  # 64 characters, 387 bytes
    with pytest.raises(DataValidationError) as raised:
        convert(replace(utility, customers=customers), tmp_path / "converted")
    [problem] = raised.value.errors
    assert str(problem).startswith("customers, column district: expected a district name whose")
    assert str(problem).endswith("(387 bytes as a folder name)")
    assert list(tmp_path.iterdir()) == []  # nor a half-written folder

    customers.loc[first, "district"] = "城" * 64  # 192 bytes in UTF-8: fits
    written = convert(replace(utility, customers=customers), tmp_path / "converted")
    assert "城" * 64 in written.districts


def test_a_dask_frame_reads_only_the_files_the_manifest_lists(utility, converted, tmp_path):
    root = _copy(converted, tmp_path)
    listed = root / converted.partitions[0].relative_path("bills")
    shutil.copy(listed, listed.with_name("part-0000 (copy).parquet"))  # an Explorer copy
    stray = root / "bills" / "district=不存在" / "part-0000.parquet"
    stray.parent.mkdir()
    shutil.copy(listed, stray)
    bills = PartitionedDataset(root).frame("bills")
    assert len(bills) == len(utility.bills)
    assert set(bills["district"].compute()) == set(utility.districts)


def test_a_dask_frame_selects_columns_and_refuses_a_column_the_table_lacks(utility, converted):
    kwh = converted.frame("bills", columns=["kwh_billed", "district"])
    assert list(kwh.columns) == ["kwh_billed", "district"]
    assert kwh["kwh_billed"].sum().compute() == pytest.approx(utility.bills["kwh_billed"].sum())
    customers = converted.frame("customers").compute()  # their district listed, not stored
    assert list(customers.columns) == list(utility.customers.columns)
    assert customers["district"].astype(str).tolist() == sorted(utility.customers["district"])
    assert list(converted.frame("tariffs").columns) == list(utility.tariffs.columns)
    assert len(converted.frame("tariffs")) == len(utility.tariffs)
    with pytest.raises(ParameterError) as raised:
        converted.frame("bills", columns=["kwh_billed", "kwh"])
    assert "parameter 'columns'" in str(raised.value) and "found 'kwh'" in str(raised.value)
    with pytest.raises(ParameterError, match="parameter 'columns'"):
        converted.frame("tariffs", columns=["district"])  # a table not kept by district


def test_one_district_reads_only_its_files_and_equals_for_district(utility, converted):
    district = utility.districts[1]
    mine = converted.for_district(district)
    expected = utility.for_district(district)
    for name in ("customers", "bills", "work_orders", "district_supply"):
        pd.testing.assert_frame_equal(
            _sorted(getattr(mine, name)), _sorted(getattr(expected, name)), obj=name
        )
    with pytest.raises(ParameterError, match="no such district"):
        converted.for_district("no such district")


def _copy(converted: PartitionedDataset, tmp_path: Path) -> Path:
    return Path(shutil.copytree(converted.root, tmp_path / "copy"))


def test_a_manifest_linked_to_a_file_not_named_as_json_is_refused_unread(converted, tmp_path):
    root = _copy(converted, tmp_path)
    kept = tmp_path / "manifests"
    kept.mkdir()
    (root / MANIFEST_NAME).rename(kept / "utility.txt")
    (root / MANIFEST_NAME).symlink_to(kept / "utility.txt")
    with pytest.raises(ParameterError) as refused:
        PartitionedDataset(root)
    assert (
        f"{root} (a link to 'utility.txt', whose name does not end in .json (not read: a "
        "link is followed only to a file named as JSON))" in str(refused.value)
    )
    (kept / "utility.txt").rename(kept / "utility.json")
    (root / MANIFEST_NAME).unlink()
    (root / MANIFEST_NAME).symlink_to(kept / "utility.json")
    assert PartitionedDataset(root).partitions == converted.partitions


def test_a_companion_file_linked_to_another_file_is_not_copied(utility_folder, tmp_path):
    source = Path(shutil.copytree(utility_folder, tmp_path / "source"))
    (source / "SYNTHETIC.md").write_text("synthetic\n", encoding="utf-8")
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$secret\n", encoding="utf-8")
    (source / "synthetic.json").unlink(missing_ok=True)
    (source / "synthetic.json").symlink_to(secret)
    converted = convert(source, tmp_path / "converted", customers_per_part=1_000)
    assert (converted.root / "SYNTHETIC.md").read_text(encoding="utf-8") == "synthetic\n"
    assert not (converted.root / "synthetic.json").exists()


def test_a_missing_or_truncated_file_is_an_error_naming_it(converted, tmp_path):
    root = _copy(converted, tmp_path)
    victim = converted.partitions[1].relative_path("bills")
    (root / victim).write_bytes((root / victim).read_bytes()[:100])
    with pytest.raises(
        DataValidationError, match=r"bills/district=.*part-0001\.parquet.*truncated"
    ):
        PartitionedDataset(root)
    (root / victim).unlink()
    problems = validate(root)
    assert [problem.file for problem in problems] == [victim]


def _with_negative_kwh(converted: PartitionedDataset, tmp_path: Path, index: int, row: int) -> Path:
    """A copy of the converted folder whose partition `index` has kWh -5 in bills row `row`
    (0-based), the manifest updated so that only the cell checks can tell."""
    path = converted.root / converted.partitions[index].relative_path("bills")
    kwh = pq.read_table(path)["kwh_billed"].to_numpy().copy()
    kwh[row] = -5.0
    return _with_bills_column(converted, tmp_path, index, "kwh_billed", pa.array(kwh))


def _with_bills_column(
    converted: PartitionedDataset, tmp_path: Path, index: int, name: str, values: pa.Array
) -> Path:
    """A copy of the converted folder whose partition `index` has `values` in bills column
    `name`, the manifest updated so that only reading the cells can tell."""
    root = _copy(converted, tmp_path)
    path = root / converted.partitions[index].relative_path("bills")
    table = pq.read_table(path)
    pq.write_table(table.set_column(table.schema.get_field_index(name), name, values), path)
    manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    manifest["partitions"][index]["bytes"]["bills"] = path.stat().st_size
    write_manifest(root, manifest)
    return root


def _recorded_as_checked(root: Path, relative: str) -> None:
    """The sha256 of `relative` recorded in the manifest as if convert had checked it."""
    manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    digest = hashlib.sha256((root / relative).read_bytes()).hexdigest()
    manifest["checked"]["files"][relative] = digest
    write_manifest(root, manifest)


def test_a_bad_value_written_after_conversion_names_its_part_file_and_row(converted, tmp_path):
    root = _with_negative_kwh(converted, tmp_path, 2, 4)
    with pytest.raises(DataValidationError) as raised:
        load_partitioned(root)
    bad = [p for p in raised.value.errors if p.column == "kwh_billed"]
    assert [(p.file, p.row) for p in bad] == [(converted.partitions[2].relative_path("bills"), 5)]


def test_a_filtered_read_types_the_rows_kept_and_names_their_own_file_rows(converted, tmp_path):
    def recent(rows: pa.Table) -> pa.ChunkedArray:
        return pc.greater_equal(rows["period"].cast(pa.string()), "2025-01")

    everything = converted.read("bills")
    expected = everything[(everything["period"] >= "2025-01").to_numpy()]
    kept = converted.read("bills", keep=recent)
    pd.testing.assert_frame_equal(kept, expected.reset_index(drop=True))
    damaged = PartitionedDataset(_with_negative_kwh(converted, tmp_path, 2, 4))
    with pytest.raises(DataValidationError) as raised:
        damaged.read("bills", keep=lambda rows: pc.less(rows["kwh_billed"], 1.0))
    bad = [p for p in raised.value.errors if p.column == "kwh_billed"]
    assert [(p.file, p.row) for p in bad] == [(converted.partitions[2].relative_path("bills"), 5)]


def test_bad_arguments_are_named(utility_folder, tmp_path):
    with pytest.raises(ParameterError, match="customers_per_part"):
        convert(utility_folder, tmp_path / "out", customers_per_part=0)
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ParameterError, match="destination"):
        convert(utility_folder, occupied)
    assert (occupied / "notes.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(ParameterError, match="auditkit convert"):
        load_partitioned(utility_folder, lazy=True)
    assert not is_partitioned(utility_folder)


def test_converting_again_replaces_the_earlier_conversion(utility_folder, tmp_path):
    first = convert(utility_folder, tmp_path / "out", customers_per_part=1000)
    second = convert(utility_folder, tmp_path / "out", customers_per_part=3000)
    assert len(first.partitions) > len(second.partitions) == 3
    assert len(list((tmp_path / "out" / "bills").glob("*/part-*.parquet"))) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left behind


def test_reading_as_converted_gives_the_frames_typing_gives(converted):
    some = converted.partitions[:2]
    for table, info in converted.table_info.items():
        partitions = None if info["layout"] == "file" else some
        typed = converted.read(table, partitions)
        as_stored = converted.read(table, partitions, check_cells=False)
        pd.testing.assert_frame_equal(as_stored, typed, check_exact=True, obj=table)
    tariffs = converted.read("tariffs", check_cells=False)  # tariff_name: outside the contract
    assert tariffs.columns[-1] == "tariff_name"
    assert tariffs["tier"].dtype == "Int64"
    assert str(tariffs["tariff_category"].dtype) == "str"


def test_a_column_stored_otherwise_is_typed_and_checked_over_every_file(converted, tmp_path):
    # kwh_billed stored as text in two partition files (each read in chunks): the whole table is
    # typed as the loader types it, not taken as stored, and a bad cell names its file and row
    # (in a folder without recorded checks, as convert of a Dataset writes).
    both = converted.partitions[:2]
    root = _copy(converted, tmp_path)
    manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    del manifest["checked"]
    for index, partition in enumerate(both):
        path = root / partition.relative_path("bills")
        table = pq.read_table(path)
        as_text = pc.cast(table["kwh_billed"], pa.string())
        if index == 1:
            as_text = pc.if_else(pc.equal(pa.array(range(len(as_text))), 2), "lots", as_text)
        kwh = table.schema.get_field_index("kwh_billed")
        pq.write_table(table.set_column(kwh, "kwh_billed", as_text), path, row_group_size=7)
        manifest["partitions"][index]["bytes"]["bills"] = path.stat().st_size
    write_manifest(root, manifest)
    dataset = PartitionedDataset(root)
    taken = dataset.read("bills", both[:1], check_cells=False)
    pd.testing.assert_frame_equal(taken, converted.read("bills", both[:1]), check_exact=True)
    assert taken["kwh_billed"].dtype == np.float64
    with pytest.raises(DataValidationError) as raised:
        dataset.read("bills", both, check_cells=False)
    located = [(p.file, p.row, p.column) for p in raised.value.errors]
    assert located == [(both[1].relative_path("bills"), 3, "kwh_billed")]


def test_columns_read_as_converted_can_be_changed_in_place(converted):
    bills = converted.read("bills", converted.partitions[:1], check_cells=False)
    stored = bills.loc[3, "kwh_billed"]
    bills.loc[3, "kwh_billed"] = stored + 1.5
    bills.loc[0, "read_to"] = pd.Timestamp("2030-01-31")
    assert bills.loc[3, "kwh_billed"] == stored + 1.5
    assert bills.loc[0, "read_to"] == pd.Timestamp("2030-01-31")
    again = converted.read("bills", converted.partitions[:1], check_cells=False)
    assert again.loc[3, "kwh_billed"] == stored  # the file, and every other read, keep theirs
    lines = converted.read("bill_lines", converted.partitions[:1], check_cells=False)
    lines.loc[0, "tier"] = 7
    assert lines.loc[0, "tier"] == 7


def test_missing_numbers_and_dates_stored_as_nulls_read_as_nan_and_nat(converted, tmp_path):
    path = converted.root / converted.partitions[0].relative_path("bills")
    read_to = pq.read_table(path)["read_to"]
    second_missing = pc.if_else(pc.equal(pa.array(range(len(read_to))), 1), None, read_to)
    root = _with_bills_column(converted, tmp_path, 0, "read_to", second_missing)
    _recorded_as_checked(root, converted.partitions[0].relative_path("bills"))
    bills = PartitionedDataset(root).read("bills", converted.partitions[:1], check_cells=False)
    assert bills.loc[1, "read_to"] is pd.NaT
    assert bills["read_to"].dtype == "datetime64[us]"
    assert bills.loc[2, "read_to"] == read_to[2].as_py()
    assert bills["read_to"].isna().sum() == 1


def test_numbers_in_a_buffer_arrow_keeps_read_only_are_copied():
    numbers = np.array([1.5, 2.5, 3.5, 4.5])
    frozen = pa.Array.from_buffers(pa.float64(), 4, [None, pa.py_buffer(numbers.tobytes())])
    own = _own_numpy(pa.chunked_array([frozen.slice(1, 2)]), np.dtype("float64"))
    own[0] = 9.0
    assert own.tolist() == [9.0, 3.5]
    assert frozen.to_pylist() == [1.5, 2.5, 3.5, 4.5]


CHANGED = (
    "expected the bytes convert checked (the sha256 auditkit-partitioned.json records), found "
    "other bytes: the file was changed since conversion (convert the source again)"
)


def _rewritten(root: Path, relative: str, edit, index: int | None = None) -> None:
    """`relative` (of partition `index`, or a single-file table) rewritten with `edit` applied to
    its rows, the manifest's size updated: only the recorded sha256 can tell."""
    path = root / relative
    pq.write_table(edit(pq.read_table(path)), path)
    manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    if index is None:
        manifest["tables"][relative.removesuffix(".parquet")]["bytes"] = path.stat().st_size
    else:
        manifest["partitions"][index]["bytes"][relative.split("/")[0]] = path.stat().st_size
    write_manifest(root, manifest)


def test_an_engine_read_of_a_file_changed_since_conversion_is_refused_naming_it(
    converted, tmp_path
):
    root = _copy(converted, tmp_path)
    _rewritten(
        root,
        "tariffs.parquet",
        lambda t: t.set_column(
            t.schema.get_field_index("energy_rate"),
            "energy_rate",
            pc.negate(t["energy_rate"]),
        ),
    )
    bills = converted.partitions[1].relative_path("bills")
    _rewritten(root, bills, lambda t: t, index=1)
    dataset = PartitionedDataset(root)
    with pytest.raises(DataValidationError) as tariffs:
        dataset.read("tariffs", check_cells=False)
    assert str(tariffs.value.errors[0]) == f"tariffs.parquet: {CHANGED}"
    with pytest.raises(DataValidationError) as part:
        dataset.read("bills", converted.partitions[1:2], ["amount"], check_cells=False)
    assert str(part.value.errors[0]) == f"{bills}: {CHANGED}"
    untouched = dataset.read("bills", converted.partitions[:1], check_cells=False)
    pd.testing.assert_frame_equal(untouched, converted.read("bills", converted.partitions[:1]))
    with pytest.raises(DataValidationError) as arrow:
        dataset.read_arrow("bills", columns=["period"])  # as the engine reads the latest date
    assert str(arrow.value.errors[0]) == f"{bills}: {CHANGED}"


def _counting_hashes(monkeypatch) -> list[int]:
    """A list that grows by one at each file hashed (`hashed_files` hashes with sha256)."""
    hashed: list[int] = []
    sha256 = hashlib.sha256

    def counted(data: bytes):
        hashed.append(len(data))
        return sha256(data)

    monkeypatch.setattr(hashed_files.hashlib, "sha256", counted)
    return hashed


def test_a_file_read_again_in_a_run_is_hashed_once_and_reads_the_same(
    converted, tmp_path, monkeypatch
):
    dataset = PartitionedDataset(_copy(converted, tmp_path))
    hashed = _counting_hashes(monkeypatch)
    first, _ = dataset.read_arrow("bills", dataset.partitions[:1], ["period", "amount"])
    assert len(hashed) == 1
    again, _ = dataset.read_arrow("bills", dataset.partitions[:1], ["period", "amount"])
    other, _ = dataset.read_arrow("bills", dataset.partitions[:1], ["customer_id"])
    assert len(hashed) == 1  # the file unchanged since: read as it is, its columns only
    assert again.equals(first)
    assert other["customer_id"].equals(
        converted.read_arrow("bills", converted.partitions[:1])[0]["customer_id"]
    )


def _same_size_other_bytes(path: Path) -> None:
    """`path` with one byte of its middle changed, its size and modification time kept (as
    `touch -r` would put them back), after the file system's clock has moved on."""
    time.sleep(0.05)  # a status-change time of its own (the clock advances in ticks of ms)
    status = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


def test_a_file_changed_after_its_first_read_in_a_run_is_refused_at_the_next(converted, tmp_path):
    dataset = PartitionedDataset(_copy(converted, tmp_path))
    bills = dataset.partitions[0].relative_path("bills")
    dataset.read_arrow("bills", dataset.partitions[:1], ["period"])
    _same_size_other_bytes(dataset.root / bills)
    with pytest.raises(DataValidationError) as raised:
        dataset.read_arrow("bills", dataset.partitions[:1], ["period"])
    assert str(raised.value.errors[0]) == f"{bills}: {CHANGED}"


def test_a_file_replaced_after_its_first_read_in_a_run_is_refused_at_the_next(converted, tmp_path):
    dataset = PartitionedDataset(_copy(converted, tmp_path))
    bills = dataset.root / dataset.partitions[0].relative_path("bills")
    dataset.read_arrow("bills", dataset.partitions[:1], ["period"])
    other = bills.with_name("other.parquet")
    shutil.copy2(bills, other)
    _same_size_other_bytes(other)
    other.replace(bills)  # another file renamed over it: same name, size and time
    with pytest.raises(DataValidationError, match="changed since conversion"):
        dataset.read_arrow("bills", dataset.partitions[:1], ["period"])


def test_a_dask_frame_of_a_file_changed_since_conversion_is_refused_naming_it(converted, tmp_path):
    root = _copy(converted, tmp_path)
    bills = converted.partitions[1].relative_path("bills")
    _rewritten(root, bills, lambda t: t.slice(1), index=1)
    frame = PartitionedDataset(root).frame("bills", columns=["amount"])
    with pytest.raises(DataValidationError) as raised:
        frame.sum().compute()
    assert str(raised.value.errors[0]) == f"{bills}: {CHANGED}"


def test_by_parts_a_file_changed_since_conversion_is_refused_not_audited(converted, tmp_path):
    from auditkit import rules

    root = _copy(converted, tmp_path)
    _rewritten(root, "tariffs.parquet", lambda t: t.slice(1))
    with pytest.raises(DataValidationError) as raised:
        rules.run(load(root, lazy=True))
    assert str(raised.value.errors[0]) == f"tariffs.parquet: {CHANGED}"


def test_a_single_file_table_of_another_size_is_refused_on_open(converted, tmp_path):
    root = _copy(converted, tmp_path)
    written = converted.table_info["tariffs"]["bytes"]
    with (root / "tariffs.parquet").open("ab") as file:
        file.write(b"\0")
    with pytest.raises(DataValidationError) as raised:
        PartitionedDataset(root)
    assert str(raised.value.errors[0]) == (
        f"tariffs.parquet: expected {written:,} bytes as written by convert, found "
        f"{written + 1:,} bytes: the file was changed or truncated"
    )


@pytest.mark.parametrize(
    ("edit", "key", "expected", "found"),
    [
        (lambda m: [m], "", "a JSON object", "'list'"),
        (lambda m: m.pop("partitions") and m, " partitions", "a JSON array", "'no such key'"),
        (lambda m: m.pop("tables") and m, " tables", "a JSON object", "'no such key'"),
        (
            lambda m: m["partitions"][0].update(part="0") or m,
            " partitions[0].part",
            "a whole number ≥ 0",
            "'0'",
        ),
        (
            lambda m: m["tables"].update({"../../evil": m["tables"]["tariffs"]}) or m,
            " tables",
            "tables among " + ", ".join(TABLES),
            "'../../evil'",
        ),
        (
            lambda m: m["partitions"][0]["bytes"].update({"../../etc": 1}) or m,
            " partitions[0].bytes",
            "the partitioned tables of tables ({tables})",
            "'{tables}, ../../etc'",
        ),
    ],
)
def test_a_manifest_not_as_convert_writes_it_is_refused_naming_its_key(
    converted, tmp_path, edit, key, expected, found
):
    root = _copy(converted, tmp_path)
    manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    (root / MANIFEST_NAME).write_text(json.dumps(edit(manifest)), encoding="utf-8")
    with pytest.raises(ParameterError) as raised:
        load(root, lazy=True)
    tables = ", ".join(t for t, i in converted.table_info.items() if i["layout"] != "file")
    expected, found = expected.format(tables=tables), found.format(tables=tables)
    assert str(raised.value) == (
        f"parameter '{root / MANIFEST_NAME}{key}': expected {expected}, found {found}"
    )


def test_a_part_without_a_listed_column_or_with_its_own_district_is_named(converted, tmp_path):
    root = _copy(converted, tmp_path)
    bills = converted.partitions[1].relative_path("bills")
    customers = converted.partitions[0].relative_path("customers")
    for relative, edit in (
        (bills, lambda t: t.drop_columns(["amount"])),
        (customers, lambda t: t.append_column("district", pa.array(["x"] * t.num_rows))),
    ):
        pq.write_table(edit(pq.read_table(root / relative)), root / relative)
    manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    del manifest["checked"]  # sizes as written: only the files' own columns tell
    for index, table, relative in ((1, "bills", bills), (0, "customers", customers)):
        manifest["partitions"][index]["bytes"][table] = (root / relative).stat().st_size
    write_manifest(root, manifest)
    dataset = PartitionedDataset(root)
    with pytest.raises(DataValidationError) as missing:
        dataset.read("bills", converted.partitions[:2], check_cells=False)
    assert str(missing.value.errors[0]) == (
        f"{bills}, column amount: expected a column amount, as {MANIFEST_NAME} lists for bills, "
        "found no such column"
    )
    with pytest.raises(DataValidationError) as district:
        dataset.read("customers", converted.partitions[:1])
    assert str(district.value.errors[0]) == (
        f"{customers}, column district: expected no district column (a part's district is its "
        "folder's name), found one"
    )


@pytest.mark.parametrize(
    "edit",
    [
        lambda manifest: manifest["periods"].update(last="2024-06"),
        lambda manifest: manifest["tables"]["bill_lines"].update(filled=[]),
        lambda manifest: manifest["tables"]["bills"]["columns"].remove("amount"),
    ],
    ids=["last period", "no column filled", "a column taken out"],
)
def test_a_manifest_edited_since_conversion_is_refused_on_open(converted, tmp_path, edit):
    root = _copy(converted, tmp_path)
    manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    edit(manifest)
    (root / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ParameterError) as raised:
        PartitionedDataset(root)
    assert str(raised.value) == (
        f"parameter '{root / MANIFEST_NAME}': expected the manifest as convert wrote it (its "
        "sha256 is recorded under checked.manifest), found 'one edited since (convert the data "
        "again rather than edit the manifest)'"
    )

"""A converted folder's checks, recorded by `convert` with the sha256 of every file, are trusted by
an eager load only while every file hashes the same: the same Dataset as a full check, and any
changed byte checked again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from converted_manifests import write_manifest

from auditkit import rules, synth
from auditkit.data import DataValidationError, load
from auditkit.data.partitioned import MANIFEST_NAME, PartitionedDataset, convert, load_partitioned


@pytest.fixture(scope="module")
def warned(tmp_path_factory: pytest.TempPathFactory, utility_tables) -> PartitionedDataset:
    """The utility with one bill's kWh short of its registers (a warning the load reports, not
    an error), converted: its checks record something to trust or not. The synthetic utility
    need not hold such a bill of its own."""
    tables = dict(utility_tables)
    bills = tables["bills"].copy()
    read = bills.index[bills["register_end"] > bills["register_start"] + 100][0]
    bills.loc[read, "kwh_billed"] -= 50.0 * bills.loc[read, "multiplier_billed"]
    tables["bills"] = bills
    folder = synth.write(tables, tmp_path_factory.mktemp("warned") / "source")
    return convert(folder, tmp_path_factory.mktemp("warned") / "converted", customers_per_part=500)


def _copy(converted: PartitionedDataset, tmp_path: Path) -> Path:
    return Path(shutil.copytree(converted.root, tmp_path / "copy"))


def _manifest(root: Path) -> dict:
    return json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))


def _assert_same_dataset(found, expected) -> None:
    assert found.tables().keys() == expected.tables().keys()
    for name, frame in expected.tables().items():
        pd.testing.assert_frame_equal(found.tables()[name], frame, obj=name)
    assert found.problems == expected.problems
    assert found.sources == expected.sources


def test_convert_records_every_file_and_the_warnings_a_full_check_finds(warned):
    record = warned.manifest["checked"]
    assert sorted(record["files"]) == sorted(warned.files())
    assert all(len(digest) == 64 for digest in record["files"].values())
    checked = warned.dataset(trust_recorded_checks=False)
    assert [problem["found"] for problem in record["problems"]] == [
        problem.found for problem in checked.problems
    ]
    assert checked.problems  # the bill short of its registers: something is recorded


def test_a_trusted_load_is_the_dataset_a_full_check_gives(converted, monkeypatch):
    checked = converted.dataset(trust_recorded_checks=False)
    calls = []
    monkeypatch.setattr(
        "auditkit.data.partitioned.check_tables", lambda tables: calls.append(1) or []
    )
    trusted = load(converted.root)
    assert calls == []  # the recorded checks were trusted: none ran again
    _assert_same_dataset(trusted, checked)


def test_the_same_findings_from_a_trusted_load_as_from_the_files_in_memory(
    converted, whole_findings
):
    pd.testing.assert_frame_equal(rules.run(load(converted.root)), whole_findings)


def test_a_file_changed_with_its_size_kept_is_checked_again(converted, tmp_path):
    """One kWh turned negative in a part file, the manifest's size updated: only the content
    hash tells, and the load reports the cell naming its part file and row."""
    root = _copy(converted, tmp_path)
    relative = converted.partitions[1].relative_path("bills")
    table = pq.read_table(root / relative)
    kwh = table["kwh_billed"].to_numpy().copy()
    kwh[2] = -5.0
    column = table.schema.get_field_index("kwh_billed")
    pq.write_table(table.set_column(column, "kwh_billed", pa.array(kwh)), root / relative)
    manifest = _manifest(root)
    manifest["partitions"][1]["bytes"]["bills"] = (root / relative).stat().st_size
    write_manifest(root, manifest)
    with pytest.raises(DataValidationError) as raised:
        load_partitioned(root)
    bad = [problem for problem in raised.value.errors if problem.column == "kwh_billed"]
    assert [(problem.file, problem.row) for problem in bad] == [(relative, 3)]


def test_a_valid_change_is_checked_again_and_its_new_warnings_reported(converted, tmp_path):
    """A bill's kWh doubled (still a valid number): the recorded warnings no longer hold, the
    load checks again and finds the new kWh mismatch."""
    root = _copy(converted, tmp_path)
    relative = converted.partitions[0].relative_path("bills")
    table = pq.read_table(root / relative)
    kwh = table["kwh_billed"].to_numpy().copy()
    kwh[0] = kwh[0] * 2 + 100.0
    column = table.schema.get_field_index("kwh_billed")
    pq.write_table(table.set_column(column, "kwh_billed", pa.array(kwh)), root / relative)
    manifest = _manifest(root)
    manifest["partitions"][0]["bytes"]["bills"] = (root / relative).stat().st_size
    write_manifest(root, manifest)
    reloaded = load(root)
    new = [p for p in reloaded.problems if (p.file, p.row) == (relative, 1)]
    assert [p.column for p in new] == ["kwh_billed"]
    assert len(reloaded.problems) == len(converted.manifest["checked"]["problems"]) + 1


def test_checks_recorded_by_other_checking_code_are_not_trusted(warned, tmp_path, monkeypatch):
    root = _copy(warned, tmp_path)
    manifest = _manifest(root)
    manifest["checked"]["checks"] = "0" * 64
    manifest["checked"]["problems"] = []  # were it trusted, the warnings would vanish
    write_manifest(root, manifest)
    assert len(load(root).problems) == len(warned.manifest["checked"]["problems"]) > 0

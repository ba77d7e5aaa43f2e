"""Manifest: input hashes, versions, commit, and detecting changed data."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from auditkit.errors import AuditkitError
from auditkit.report import manifest


def test_hash_inputs_covers_every_table_file_but_hidden_ones(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_bytes(b"customer_id\nc1\n")
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "bills.parquet").write_bytes(b"PAR1")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "x").write_bytes(b"ignored")
    hashes = manifest.hash_inputs(tmp_path)
    assert hashes == {
        "customers.csv": hashlib.sha256(b"customer_id\nc1\n").hexdigest(),
        "parts/bills.parquet": hashlib.sha256(b"PAR1").hexdigest(),
    }
    with pytest.raises(AuditkitError, match=r"data_dir"):
        manifest.hash_inputs(tmp_path / "absent")


def test_compare_inputs_names_changed_missing_and_new_files(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("1")
    (tmp_path / "b.csv").write_text("2")
    recorded = {str(tmp_path): manifest.hash_inputs(tmp_path)}
    assert manifest.compare_inputs(recorded) == []
    (tmp_path / "a.csv").write_text("changed")
    (tmp_path / "b.csv").unlink()
    (tmp_path / "c.csv").write_text("3")
    assert manifest.compare_inputs(recorded) == [
        f"{tmp_path}/a.csv: changed",
        f"{tmp_path}/b.csv: missing",
        f"{tmp_path}/c.csv: new file",
    ]
    assert manifest.compare_inputs({str(tmp_path / "gone"): {}}) == [
        f"{tmp_path / 'gone'}: folder missing"
    ]


def test_manifest_round_trip_and_versions(tmp_path: Path) -> None:
    record = {"format": manifest.FORMAT_VERSION, "run_id": "r", "notebooks": [{"name": "城东"}]}
    path = manifest.write_manifest(tmp_path, record)
    assert "城东" in path.read_text(encoding="utf-8")
    assert manifest.read_manifest(tmp_path) == record
    versions = manifest.package_versions()
    assert versions["pandas"] == __import__("pandas").__version__ and "python" in versions
    with pytest.raises(AuditkitError, match=r"expected a manifest.json"):
        manifest.read_manifest(tmp_path / "nothing")


def test_source_commit_is_unknown_outside_git(tmp_path: Path) -> None:
    assert manifest.source_commit(tmp_path) == "unknown"

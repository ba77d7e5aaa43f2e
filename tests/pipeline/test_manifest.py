"""Manifest: input hashes, versions, commit, and detecting changed data."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest

from auditkit.errors import AuditkitError
from auditkit.pipeline import manifest


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


def test_a_folder_of_more_files_than_a_dataset_holds_is_neither_hashed_nor_walked_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(manifest, "MOST_DATASET_FILES", 3)  # `/` or a home folder, in small
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.csv").write_text(name)
    recorded = {str(tmp_path): manifest.hash_inputs(tmp_path)}
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "d.csv").write_text("d")
    said = f"data_dir {str(tmp_path)!r}: expected a dataset folder (at most 3 files), found more"
    with pytest.raises(AuditkitError, match=re.escape(said)):
        manifest.hash_inputs(tmp_path)
    [line] = manifest.compare_inputs(recorded)  # an edited manifest naming such a folder
    assert line.startswith(f"{tmp_path}: not checked: {said}")


def test_a_folder_of_the_dataset_that_cannot_be_read_is_named_not_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "customers.csv").write_text("customer_id\n")
    (tmp_path / "locked").mkdir()
    scandir = os.scandir

    def refusing(path):  # as a share without read permission answers (root reads any folder)
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    with pytest.raises(AuditkitError) as raised:
        manifest.hash_inputs(tmp_path)
    assert str(raised.value) == (
        f"data_dir {str(tmp_path)!r}: expected files and folders auditkit can read, found "
        f"{str(tmp_path / 'locked')!r}: Permission denied"
    )


def test_manifest_round_trip_and_versions(tmp_path: Path) -> None:
    notebook = {"name": "城东", "notebook": "n.ipynb", "notebook_sha256": "0", "parameters": {}}
    record = {"format": manifest.FORMAT_VERSION, "run_id": "r", "inputs": {}}
    record |= {"notebooks": [notebook]}
    path = manifest.write_manifest(tmp_path, record)
    assert "城东" in path.read_text(encoding="utf-8")
    assert manifest.read_manifest(tmp_path) == record
    versions = manifest.package_versions()
    assert versions["pandas"] == __import__("pandas").__version__ and "python" in versions
    with pytest.raises(AuditkitError, match=r"expected a manifest.json"):
        manifest.read_manifest(tmp_path / "nothing")


def test_source_commit_is_unknown_outside_git(tmp_path: Path) -> None:
    assert manifest.source_commit(tmp_path) == "unknown"


def test_uncommitted_code_is_told_apart_by_what_it_changes(tmp_path: Path) -> None:
    import subprocess

    def git(*arguments: str) -> str:
        command = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
        return subprocess.run([*command, *arguments], capture_output=True, text=True).stdout

    git("init", "-q")
    (tmp_path / "auditkit").mkdir()
    rule = tmp_path / "auditkit" / "rule.py"
    rule.write_text("REVENUE = 1\n", encoding="utf-8")
    git("add", "-A")
    git("commit", "-qm", "first")
    head = git("rev-parse", "HEAD").strip()
    assert manifest.source_commit(tmp_path) == head
    (tmp_path / "docs.md").write_text("prose\n", encoding="utf-8")  # no code: still the commit
    assert manifest.source_commit(tmp_path) == head
    rule.write_text("REVENUE = 2\n", encoding="utf-8")
    edited = manifest.source_commit(tmp_path)
    assert edited.startswith(f"{head}-dirty-") and manifest.source_commit(tmp_path) == edited
    rule.write_text("REVENUE = 3\n", encoding="utf-8")  # another edit, still uncommitted
    again = manifest.source_commit(tmp_path)
    assert again != edited and again.startswith(f"{head}-dirty-")
    (tmp_path / "auditkit" / "new.py").write_text("X = 1\n", encoding="utf-8")  # a new module
    assert manifest.source_commit(tmp_path) not in (again, head)
    runs = {"auditkit": {"version": "1", "commit": edited}, "packages": {}}
    assert manifest.compare_code(runs, again, {"auditkit": "1"}) == [
        f"auditkit code: commit {edited} at the run, {again} now"
    ]


def test_output_hashes_cover_every_file_but_the_manifest_and_never_follow_links(
    tmp_path: Path,
) -> None:
    run_dir = tmp_path / "run"
    (run_dir / "城东").mkdir(parents=True)
    (run_dir / "城东" / "report.html").write_text("r", encoding="utf-8")
    (run_dir / ".hidden").write_text("h", encoding="utf-8")
    (run_dir / "manifest.json").write_text("{}", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside", encoding="utf-8")
    (run_dir / "link").symlink_to(secret)
    (run_dir / "folder-link").symlink_to(tmp_path, target_is_directory=True)
    hashes = manifest.hash_outputs(run_dir)
    assert sorted(hashes) == [".hidden", "folder-link", "link", "城东/report.html"]
    assert hashes["城东/report.html"] == manifest.file_sha256(run_dir / "城东" / "report.html")
    assert hashes["link"] != manifest.file_sha256(secret)
    secret.write_text("changed outside", encoding="utf-8")
    assert manifest.compare_outputs(run_dir, hashes) == []
    (run_dir / "link").unlink()
    (run_dir / "link").symlink_to(tmp_path / "elsewhere")
    (run_dir / "a\nb").write_text("x", encoding="utf-8")
    assert manifest.compare_outputs(run_dir, hashes) == [
        "output link: changed",
        "output a\\nb: added",
    ]


def test_manifests_of_the_first_format_are_still_read(tmp_path: Path) -> None:
    record = {"format": 1, "run_id": "r", "inputs": {}, "notebooks": []}
    manifest.write_manifest(tmp_path, record)
    assert manifest.read_manifest(tmp_path) == record
    manifest.write_manifest(tmp_path, record | {"format": 99})
    with pytest.raises(AuditkitError, match="expected manifest format 1 or 2, found 99"):
        manifest.read_manifest(tmp_path)


def test_a_file_that_goes_between_listing_and_hashing_is_missing_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bills.csv").write_text("1")
    (tmp_path / "customers.csv").write_text("2")
    recorded = {str(tmp_path): manifest.hash_inputs(tmp_path)}
    single = {str(tmp_path / "customers.csv"): recorded[str(tmp_path)]["customers.csv"]}
    hashed = manifest.file_sha256

    def removed_first(path: Path) -> str:  # a copy replacing the file during the run, in small
        if path.name == "bills.csv":
            path.unlink(missing_ok=True)
        return hashed(path)

    monkeypatch.setattr(manifest, "file_sha256", removed_first)
    # near miss: customers.csv is read as it was, and is no difference
    assert manifest.compare_inputs(recorded) == [f"{tmp_path}/bills.csv: missing"]
    assert manifest.compare_files(single) == []
    monkeypatch.setattr(manifest, "dataset_files", lambda _folder: ["bills.csv", "customers.csv"])
    assert manifest.compare_inputs(recorded) == [f"{tmp_path}/bills.csv: missing"]
    monkeypatch.setattr(manifest, "file_sha256", lambda path: path.unlink() or hashed(path))
    assert manifest.compare_files(single) == [f"{tmp_path / 'customers.csv'}: missing"]


def test_the_files_hashed_are_those_the_loader_reads_links_to_folders_followed(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "customers.xlsx").write_bytes(b"PK")
    (data / "columns.yaml").write_text("tables: {}\n")
    (data / "~$customers.xlsx").write_bytes(b"lock")  # Excel/WPS lock file: skipped by the loader
    (data / "SYNTHETIC.md").write_text("notes")
    (data / "Icon\r").write_bytes(b"")  # macOS folder icon
    elsewhere = tmp_path / "elsewhere" / "work_orders"
    elsewhere.mkdir(parents=True)
    (elsewhere / "part-0.parquet").write_bytes(b"PAR1")
    (data / "work_orders").symlink_to(elsewhere)  # a converted table kept on another disk
    assert manifest.dataset_files(data) == [
        "columns.yaml",
        "customers.xlsx",
        "work_orders/part-0.parquet",
    ]
    recorded = {str(data): manifest.hash_inputs(data)}
    (data / "~$customers.xlsx").unlink()
    (data / "SYNTHETIC.md").write_text("notes, edited")
    (data / "~$bills.xlsx").write_bytes(b"lock")
    assert manifest.compare_inputs(recorded) == []
    (elsewhere / "part-0.parquet").write_bytes(b"PAR1 other")
    assert manifest.compare_inputs(recorded) == [f"{data}/work_orders/part-0.parquet: changed"]


def test_a_notes_file_an_older_run_recorded_is_compared_while_there_not_called_missing(
    tmp_path: Path,
) -> None:
    (tmp_path / "bills.csv").write_text("1")
    (tmp_path / "SYNTHETIC.md").write_text("notes")
    # a manifest of an earlier version, which hashed every file of the folder
    recorded = {
        str(tmp_path): {
            "bills.csv": manifest.file_sha256(tmp_path / "bills.csv"),
            "SYNTHETIC.md": manifest.file_sha256(tmp_path / "SYNTHETIC.md"),
        }
    }
    assert manifest.compare_inputs(recorded) == []
    (tmp_path / "SYNTHETIC.md").write_text("notes, edited")
    assert manifest.compare_inputs(recorded) == [f"{tmp_path}/SYNTHETIC.md: changed"]
    (tmp_path / "SYNTHETIC.md").unlink()
    assert manifest.compare_inputs(recorded) == [f"{tmp_path}/SYNTHETIC.md: missing"]

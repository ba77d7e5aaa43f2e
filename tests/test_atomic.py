"""Files written together: a table's Parquet and CSV are replaced as a set or not at all."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from auditkit import atomic


def _old_pair(folder: Path) -> dict[Path, bytes]:
    pair = {folder / "findings.parquet": b"old parquet", folder / "findings.csv": b"old csv"}
    for path, data in pair.items():
        path.write_bytes(data)
    return pair


def test_a_write_that_fails_replaces_neither_file(tmp_path: Path) -> None:
    old = _old_pair(tmp_path)
    new = {tmp_path / "findings.parquet": b"new parquet", tmp_path / "findings.csv": None}
    with pytest.raises(TypeError):  # the CSV's bytes cannot be written
        atomic.write_files_together(new)  # type: ignore[arg-type]
    assert {path: path.read_bytes() for path in old} == old
    assert sorted(path.name for path in tmp_path.iterdir()) == ["findings.csv", "findings.parquet"]


def test_a_sigterm_between_the_renames_arrives_after_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM sent right after the first file is renamed (a scheduler stopping the run) is
    handled once the second is renamed too: what it finds is the new pair. (Run under xdist
    too, whose workers have other threads the signal may reach.)"""
    _old_pair(tmp_path)
    renamed: list[str] = []
    real_replace = os.replace

    def replace_then_terminate(source: Path, target: Path) -> None:
        real_replace(source, target)
        renamed.append(Path(target).name)
        if len(renamed) == 1:
            os.kill(os.getpid(), signal.SIGTERM)

    seen: list[dict[str, bytes]] = []

    def on_term(signum: int, frame: object) -> None:
        seen.append({path.name: path.read_bytes() for path in tmp_path.iterdir()})
        raise SystemExit(143)

    monkeypatch.setattr(atomic.os, "replace", replace_then_terminate)
    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        with pytest.raises(SystemExit):
            atomic.write_files_together(
                {
                    tmp_path / "findings.parquet": b"new parquet",
                    tmp_path / "findings.csv": b"new csv",
                }
            )
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert renamed == ["findings.parquet", "findings.csv"]
    assert seen == [{"findings.parquet": b"new parquet", "findings.csv": b"new csv"}]


def test_a_full_disk_names_the_file_being_written_and_replaces_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _old_pair(tmp_path)
    real_write = Path.write_bytes

    def full_at_the_csv(self: Path, data: bytes) -> int:
        if "findings.csv" in self.name:
            raise OSError(28, "No space left on device")  # as a write reports it: no file
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_at_the_csv)
    new = {tmp_path / "findings.parquet": b"new parquet", tmp_path / "findings.csv": b"new csv"}
    with pytest.raises(OSError) as caught:
        atomic.write_files_together(new)
    assert caught.value.filename == str(tmp_path / "findings.csv")
    monkeypatch.undo()
    assert {path: path.read_bytes() for path in old} == old
    assert sorted(path.name for path in tmp_path.iterdir()) == ["findings.csv", "findings.parquet"]


def test_a_folder_written_whole_replaces_the_earlier_one_only_when_complete(
    tmp_path: Path,
) -> None:
    destination = tmp_path / "recomputed"
    destination.mkdir()
    (destination / "part-0000.parquet").write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic.folder_written_whole(destination) as folder:
        (folder / "part-0000.parquet").write_bytes(b"new")
        assert (destination / "part-0000.parquet").read_bytes() == b"old"  # kept meanwhile
        raise RuntimeError("part 1")
    assert [path.name for path in tmp_path.iterdir()] == ["recomputed"]
    assert (destination / "part-0000.parquet").read_bytes() == b"old"
    with atomic.folder_written_whole(destination) as folder:
        (folder / "part-0000.parquet").write_bytes(b"new")
        (folder / "part-0001.parquet").write_bytes(b"new")
    assert [path.name for path in tmp_path.iterdir()] == ["recomputed"]
    assert sorted(path.name for path in destination.iterdir()) == [
        "part-0000.parquet",
        "part-0001.parquet",
    ]
    assert (destination / "part-0000.parquet").read_bytes() == b"new"


def test_a_folder_written_whole_keeps_a_shared_folders_permissions_and_its_link(
    tmp_path: Path,
) -> None:
    import stat

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o2775)  # group-shared, as a cluster's output folder is made
    link = tmp_path / "out"
    link.symlink_to(shared, target_is_directory=True)
    with atomic.folder_written_whole(link) as folder:
        (folder / "part-0000.parquet").write_bytes(b"new")
    assert link.is_symlink() and (shared / "part-0000.parquet").read_bytes() == b"new"
    assert stat.S_IMODE(shared.stat().st_mode) & 0o2775 == 0o2775
    fresh = tmp_path / "fresh"
    with atomic.folder_written_whole(fresh) as folder:
        (folder / "a").write_bytes(b"x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o755

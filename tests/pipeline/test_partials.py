"""Partial run folders: an owner record that tells a dead run from a live one, safely."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditkit.atomic import folder_written_whole
from auditkit.cli import main
from auditkit.pipeline.partials import (
    OWNER_NAME,
    STAGED_QUIET_SECONDS,
    find_partials,
    inspect_partial,
    owned_partial,
)

RAISE_INSIDE = (
    "import sys; from pathlib import Path\n"
    "from auditkit.pipeline.partials import owned_partial\n"
    "with owned_partial(Path(sys.argv[1]), 'r1') as folder:\n"
    "    (folder / 'A').mkdir(); (folder / 'A' / 'report.html').write_text('x')\n"
    "    raise KeyboardInterrupt\n"
)


def test_a_run_that_raised_keeps_its_owner_record_and_is_dead_once_its_process_ended(
    tmp_path: Path,
) -> None:
    ended = subprocess.run([sys.executable, "-c", RAISE_INSIDE, str(tmp_path)], check=False)
    assert ended.returncode != 0
    [partial] = find_partials(tmp_path)
    assert partial.path == tmp_path / ".r1.partial" and partial.state == "dead"
    assert (partial.path / OWNER_NAME).is_file() and (partial.path / "A" / "report.html").is_file()


def test_a_run_in_progress_is_live_and_a_published_one_carries_no_record(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), owned_partial(tmp_path, "r2") as folder:
        assert inspect_partial(folder).state == "live"
        raise RuntimeError("stopped")
    assert inspect_partial(folder).state == "live"  # this process, which owned it, still runs
    with owned_partial(tmp_path, "r3") as published:
        pass
    assert not (published / OWNER_NAME).exists()
    assert inspect_partial(published).state == "unknown"


def test_a_pid_taken_by_another_process_means_dead_another_host_means_unknown(
    tmp_path: Path,
) -> None:
    folder = tmp_path / ".r4.partial"
    folder.mkdir()
    owner = {"pid": os.getpid(), "started": 0.0, "host": socket.gethostname()}
    (folder / OWNER_NAME).write_text(json.dumps(owner), encoding="utf-8")
    assert inspect_partial(folder).state == "dead"  # this pid, but not the process that started
    (folder / OWNER_NAME).write_text(json.dumps(owner | {"host": "elsewhere"}), encoding="utf-8")
    assert inspect_partial(folder).state == "unknown"
    (folder / OWNER_NAME).write_text("{not json", encoding="utf-8")
    assert inspect_partial(folder).state == "unknown"


KILLED_WRITING = (
    "import os, sys; from pathlib import Path\n"
    "from auditkit.atomic import folder_written_whole\n"
    "with folder_written_whole(Path(sys.argv[1]) / 'converted') as folder:\n"
    "    (folder / 'part-0000.parquet').write_text('x')\n"
    "    os._exit(9)\n"
)


def _left_unchanged(folder: Path, seconds: float) -> None:
    """Date `folder` and everything in it `seconds` ago, as a folder left that long."""
    then = time.time() - seconds
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (then, then))


def test_a_folder_written_whole_by_a_killed_writer_is_dead_once_left_an_hour_and_clean_removes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before, the `.converted.XXXX.partial` a killed convert left was listed as unknown
    (no owner record) and never removed, however old."""
    ended = subprocess.run([sys.executable, "-c", KILLED_WRITING, str(tmp_path)], check=False)
    assert ended.returncode == 9
    [left] = find_partials(tmp_path)
    assert left.path.name.startswith(".converted.") and not (tmp_path / "converted").exists()
    # Near miss: changed a minute ago (an auditkit before the lock may still be writing it).
    _left_unchanged(left.path, 60)
    assert inspect_partial(left.path).state == "unknown"
    _left_unchanged(left.path, STAGED_QUIET_SECONDS + 60)
    assert inspect_partial(left.path).state == "dead"
    assert main(["clean", "--outputs", str(tmp_path)]) == 0
    assert capsys.readouterr().out.split()[:2] == ["dead", str(left.path)]
    assert left.path.is_dir()  # without --yes, listed only
    assert main(["clean", "--outputs", str(tmp_path), "--yes"]) == 0
    assert capsys.readouterr().out.split()[:2] == ["removed", str(left.path)]
    assert not left.path.exists()


def test_a_folder_still_being_written_whole_is_live_however_long_it_was_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with folder_written_whole(tmp_path / "converted") as staging:
        (staging / "part-0000.parquet").write_text("x")
        _left_unchanged(staging, STAGED_QUIET_SECONDS * 24)  # a slow part: its lock is held
        assert inspect_partial(staging).state == "live"
        assert main(["clean", "--outputs", str(tmp_path), "--yes"]) == 0
        assert capsys.readouterr().out.split()[:2] == ["live", str(staging)]
        assert staging.is_dir()
    assert (tmp_path / "converted" / "part-0000.parquet").is_file()


def test_a_months_findings_staged_by_a_killed_rules_run_are_listed_and_removed_once_dead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`auditkit rules --register` stages a month's findings beside the others of its dataset
    (`findings/<dataset>/.<month>.<random>.partial`); killed outright, it left a folder `clean`
    never listed, since it looked only directly under the outputs folder."""
    staged = tmp_path / "findings" / "data-0123abcd" / ".2024-12.k3x9.partial"
    staged.mkdir(parents=True)
    (staged / "findings.parquet").write_text("x")
    _left_unchanged(staged, STAGED_QUIET_SECONDS + 60)
    assert [partial.path for partial in find_partials(tmp_path)] == [staged]
    assert main(["clean", "--outputs", str(tmp_path), "--yes"]) == 0
    assert capsys.readouterr().out.split()[:2] == ["removed", str(staged)]
    assert not staged.exists()
    # near miss: a month's findings folder itself is no partial folder
    (tmp_path / "findings" / "data-0123abcd" / "2024-12").mkdir()
    assert find_partials(tmp_path) == []


FULL_AT_THE_MANIFEST = (
    "import errno, os, signal, sys; from pathlib import Path\n"
    "from auditkit.pipeline import manifest, runs\n"
    "runs._execute_jobs = lambda jobs, options, work_dir, run_id, check: ([], '', {}, {})\n"
    "def full(*_):\n"
    "    raise OSError(errno.ENOSPC, 'No space left on device', 'manifest.json')\n"
    "def hung_up(*_):\n"
    "    os.kill(os.getpid(), signal.SIGHUP)\n"
    "manifest.write_manifest = {'full': full, 'hung up': hung_up}.get(sys.argv[2], "
    "manifest.write_manifest)\n"
    "from auditkit.paths import notebooks_dir\n"
    "job = runs.Job(notebooks_dir() / 'audit_cycle.ipynb', 'n', {})\n"
    "runs.execute_run([job], runs.RunOptions(Path(sys.argv[1]), progress=False), 'run-all')\n"
)


def test_a_run_stopped_while_writing_its_manifest_is_dead_and_a_published_one_hashes_no_record(
    tmp_path: Path,
) -> None:
    """A full disk at the manifest left a folder of every report with no owner record, which
    clean called unknown ('an older auditkit, or just starting') and never removed."""
    ended = subprocess.run(
        [sys.executable, "-c", FULL_AT_THE_MANIFEST, str(tmp_path / "full"), "full"], check=False
    )
    assert ended.returncode != 0
    [partial] = find_partials(tmp_path / "full")
    assert partial.state == "dead" and (partial.path / "index.html").is_file()
    hung_up = subprocess.run(
        [sys.executable, "-c", FULL_AT_THE_MANIFEST, str(tmp_path / "hup"), "hung up"], check=False
    )
    assert hung_up.returncode == -signal.SIGINT  # stopped as Ctrl-C stops it (the CLI: 130)
    assert [partial.state for partial in find_partials(tmp_path / "hup")] == ["dead"]
    published = subprocess.run(
        [sys.executable, "-c", FULL_AT_THE_MANIFEST, str(tmp_path / "ok"), "ok"], check=False
    )
    assert published.returncode == 0 and find_partials(tmp_path / "ok") == []
    [run] = [path for path in (tmp_path / "ok").iterdir() if path.name != "latest"]
    recorded = json.loads((run / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    assert OWNER_NAME not in recorded and "index.html" in recorded
    assert not (run / OWNER_NAME).exists()

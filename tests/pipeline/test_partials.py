"""Partial run folders: an owner record that tells a dead run from a live one, safely."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from auditkit.pipeline.partials import OWNER_NAME, find_partials, inspect_partial, owned_partial

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

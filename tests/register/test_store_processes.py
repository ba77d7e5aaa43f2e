"""Two processes writing to one register at once, and one killed half way, on both databases:
nothing lost, nothing recorded twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from register_builders import finding, findings

from auditkit.register import Register, finding_keys

WORKER = Path(__file__).resolve().parent / "register_worker.py"


def _start(mode: str, url: str, go: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(WORKER.parent), *sys.path])}
    return subprocess.Popen(
        [sys.executable, str(WORKER), mode, url, str(go), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def _finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return out.strip()


def test_two_runs_of_one_month_at_once_record_the_month_once(database_url, tmp_path):
    """Whichever goes second waits for the first and finds the month recorded: refused."""
    Register.open(database_url).close()  # migrated before the workers race
    go = tmp_path / "go"
    workers = [_start("run", database_url, go, f"r{n}", "2024-07", "3000") for n in (1, 2)]
    time.sleep(1.0)  # both have opened the register and wait
    go.touch()
    ended = sorted(
        (worker.returncode, out.strip(), err)
        for worker in workers
        for out, err in [worker.communicate(timeout=300)]
    )
    (done, first, _), (refused, _, error) = ended
    assert (done, first) == (0, "3000") and refused != 0
    assert "expected a month after 2024-07, which is recorded for every district already" in error
    with Register.open(database_url) as register:
        assert len(register.findings()) == 3000
        assert len(register.runs()) == 1


def test_two_imports_of_overlapping_events_at_once_record_each_event_once(database_url, tmp_path):
    month = findings(*(finding(f"A{n}") for n in range(2000)))
    with Register.open(database_url) as register:
        register.record_run(month, run_id="m1", as_of="2024-07", district=None)
    keys = finding_keys(month).tolist()
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("\n".join(keys[:1500]))
    second.write_text("\n".join(keys[:1500]))  # the same sheet imported twice at once
    go = tmp_path / "go"
    workers = [_start("outcomes", database_url, go, str(path)) for path in (first, second)]
    time.sleep(1.0)
    go.touch()
    results = sorted(_finish(worker) for worker in workers)
    assert results == ["0 1500", "1500 0"]
    with Register.open(database_url) as register:
        assert len(register.outcomes()) == 1500


def test_a_run_killed_half_way_records_nothing_and_can_be_recorded_again(database_url, tmp_path):
    Register.open(database_url).close()
    go = tmp_path / "go"
    go.touch()
    worker = _start("stall", database_url, go, "m1", "2024-07", "2000")
    stalled = Path(str(go) + ".stalled")
    deadline = time.monotonic() + 120
    while not stalled.exists():
        assert worker.poll() is None, worker.stderr.read()
        assert time.monotonic() < deadline, "the worker never reached its findings"
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    with Register.open(database_url) as register:
        assert register.runs().empty and register.findings().empty
        month = findings(*(finding(f"A{n}", revenue=float(n)) for n in range(2000)))
        again = register.record_run(month, run_id="m1", as_of="2024-07", district=None)
        assert again.counts["new"] == 2000 and not again.already_recorded

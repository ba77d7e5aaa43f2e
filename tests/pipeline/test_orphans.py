"""A run killed with SIGKILL leaves no worker or kernel running and a folder `clean` can remove."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from pipeline_helpers import SLEEPER_BODY, SLEEPER_PARAMETERS, alive, write_notebook

from auditkit.cli import main as auditkit
from auditkit.pipeline.partials import find_partials

pytestmark = pytest.mark.slow

STOP_SECONDS = 5  # a worker watches its parent twice a second; a kernel polls its own each second


def _start_run(
    notebook: Path, pid_file: Path, outputs: Path, temporary: Path
) -> subprocess.Popen[str]:
    """`auditkit run` of the sleeper notebook in a child process, `TMPDIR` set to `temporary`."""
    code = "import sys, auditkit.cli as c\nsys.exit(c.main(sys.argv[1:]))"
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            "run",
            str(notebook),
            "-p",
            f"pid_file={pid_file}",
            "--outputs",
            str(outputs),
            "--no-progress",
        ],
        text=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(temporary)},
    )


def _wait_for_kernel(pid_file: Path, run: subprocess.Popen[str]) -> int:
    """The kernel's pid, once the notebook has written it."""
    deadline = time.monotonic() + 120
    while not (pid_file.exists() and pid_file.read_text()):
        assert time.monotonic() < deadline and run.poll() is None
        time.sleep(0.2)
    return int(pid_file.read_text())


def _gone_within(pids: list[int], seconds: float) -> list[int]:
    """The pids still alive after waiting up to `seconds` for them to end."""
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [pid for pid in pids if alive(pid)]


def test_sigkill_of_a_run_stops_its_worker_and_kernel_and_leaves_a_dead_folder(
    tmp_path: Path, short_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook = write_notebook(tmp_path / "sleeper.ipynb", SLEEPER_PARAMETERS, *SLEEPER_BODY)
    outputs = tmp_path / "outputs"
    run = _start_run(notebook, tmp_path / "kernel.pid", outputs, short_tmp)
    kernel = _wait_for_kernel(tmp_path / "kernel.pid", run)
    worker = psutil.Process(kernel).ppid()
    [sockets] = short_tmp.glob("auditkit-kernels-*/*")  # the worker's folder, the kernel's in it
    assert {path.name for path in sockets.iterdir()} >= {"kernel-1", "kernel-2"}
    assert worker != run.pid and psutil.Process(worker).ppid() == run.pid
    [live] = find_partials(outputs)
    assert live.state == "live"

    os.kill(run.pid, signal.SIGKILL)
    run.wait()

    assert _gone_within([worker, kernel], STOP_SECONDS) == []
    assert list(short_tmp.iterdir()) == []  # the orphaned worker removed the sockets
    [partial] = find_partials(outputs)
    assert partial.state == "dead" and partial.path == live.path
    assert auditkit(["clean", "--outputs", str(outputs)]) == 0
    assert capsys.readouterr().out.split()[:2] == ["dead", str(partial.path)]
    assert auditkit(["clean", "--outputs", str(outputs), "--yes"]) == 0
    assert list(outputs.iterdir()) == []


def test_a_kernel_whose_worker_is_killed_stops_too(tmp_path: Path, short_tmp: Path) -> None:
    notebook = write_notebook(tmp_path / "sleeper.ipynb", SLEEPER_PARAMETERS, *SLEEPER_BODY)
    run = _start_run(notebook, tmp_path / "kernel.pid", tmp_path / "outputs", short_tmp)
    try:
        kernel = _wait_for_kernel(tmp_path / "kernel.pid", run)
        os.kill(psutil.Process(kernel).ppid(), signal.SIGKILL)
        assert _gone_within([kernel], STOP_SECONDS) == []
    finally:
        run.kill()
        run.wait()

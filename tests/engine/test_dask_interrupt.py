"""Ctrl-C while the run's LocalCluster starts: a KeyboardInterrupt, and no dask traceback at exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("distributed")

pytestmark = pytest.mark.slow  # starts a LocalCluster's worker processes in a child process

#: A script pressing Ctrl-C once, as the LocalCluster's first worker starts (its nanny sends SIGINT
#: to the process: the main thread is then waiting for the cluster to start).
INTERRUPTED_START = """
import os
import signal

from distributed import nanny

from auditkit.engine.dask import connect

start_worker = nanny.Nanny.start_unsafe
pressed = []


async def start_pressing_ctrl_c(self):
    if not pressed:  # once: a second Ctrl-C interrupts at once
        pressed.append(True)
        os.kill(os.getpid(), signal.SIGINT)
    return await start_worker(self)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    nanny.Nanny.start_unsafe = start_pressing_ctrl_c
    with connect(None) as client:
        print("connected")
"""


def test_ctrl_c_while_the_local_cluster_starts_leaves_no_dask_traceback(tmp_path: Path):
    """The half-started cluster was left to dask's exit hook, which failed on its workers still
    starting ("Exception ignored in atexit callback ... AssertionError: Status.init")."""
    script = tmp_path / "interrupted.py"
    script.write_text(textwrap.dedent(INTERRUPTED_START), encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert "connected" not in run.stdout
    assert run.stderr.rstrip().endswith("KeyboardInterrupt")
    assert "Exception ignored" not in run.stderr
    assert "AssertionError" not in run.stderr

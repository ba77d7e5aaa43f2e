"""What a run writes to logs: no progress bar in files, no shutdown interrupt, no personal fields."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from pipeline_helpers import write_notebook

from auditkit.pipeline.execute import execute
from auditkit.pipeline.jobs import jobs_for_notebook
from auditkit.pipeline.runs import RunOptions, execute_run

pytestmark = pytest.mark.slow

NAME = "张三丰"
CONSOLE_PARAMETERS = "mask_personal: bool = True  # mask names in every output\n"
CONSOLE_BODY = (  # output that bypasses Python's sys.stdout: native code, subprocesses
    "import os, subprocess\n"
    f"os.write(2, '{NAME} fd2\\n'.encode())\n"
    f"subprocess.run(['echo', '{NAME} subprocess'], check=True)",
)


def _log_text(run_dir: Path) -> str:
    """Everything the run's logs say."""
    logs = run_dir / "logs"
    return "".join(p.read_text(encoding="utf-8") for p in logs.glob("*")) if logs.exists() else ""


def test_a_masked_run_logs_no_console_output_of_its_kernel_and_draws_no_bar_into_files(
    tmp_path: Path,
) -> None:
    notebook = write_notebook(tmp_path / "console.ipynb", CONSOLE_PARAMETERS, *CONSOLE_BODY)
    outputs = tmp_path / "outputs"
    code = "import sys, auditkit.cli as c\nsys.exit(c.main(sys.argv[1:]))"
    finished = subprocess.run(
        [sys.executable, "-c", code, "run", str(notebook), "--outputs", str(outputs)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    assert "ok  console" in finished.stderr  # one line per notebook, still
    assert "\r" not in finished.stderr and "%|" not in finished.stderr  # no bar in a file
    assert NAME not in _log_text(outputs / "latest")

    unmasked = jobs_for_notebook(notebook, {"mask_personal": False})
    options = RunOptions(outputs=outputs, parallel=1, time_limit=120, progress=False)
    assert NAME in _log_text(execute_run(unmasked, options, "run").run_dir)


INTERRUPT_WITNESS = """import signal, sys, time, pathlib
def interrupted(*_):
    pathlib.Path(sys.argv[1]).write_text("interrupted")
    sys.exit(0)
signal.signal(signal.SIGINT, interrupted)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
pathlib.Path(sys.argv[2]).write_text("ready")
time.sleep(120)
"""


def test_shutting_a_kernel_down_does_not_interrupt_it(tmp_path: Path) -> None:
    """The interrupt jupyter_client sends before a shutdown is what logs "KeyboardInterrupt caught
    in kernel"; a child process of the kernel (same process group) witnesses any SIGINT."""
    witness = tmp_path / "witness.py"
    witness.write_text(INTERRUPT_WITNESS, encoding="utf-8")
    marker, ready, pid_file = tmp_path / "marker", tmp_path / "ready", tmp_path / "pid"
    notebook = write_notebook(
        tmp_path / "witness.ipynb",
        "n: int = 1  # unused\n",
        "import subprocess, sys, time, pathlib\n"
        f"child = subprocess.Popen([sys.executable, {str(witness)!r}, {str(marker)!r}, "
        f"{str(ready)!r}])\n"
        f"while not pathlib.Path({str(ready)!r}).exists():\n    time.sleep(0.05)\n"
        f"pathlib.Path({str(pid_file)!r}).write_text(str(child.pid))",
    )
    result = execute(notebook, tmp_path / "executed.ipynb", {}, time_limit=120)
    assert result.status == "ok", result.error
    try:
        child = psutil.Process(int(pid_file.read_text()))
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=30)
    except psutil.NoSuchProcess:
        pass  # a kernel slow to stop on a busy machine is killed with its process group
    assert not marker.exists(), "the kernel's process group got a SIGINT at shutdown"

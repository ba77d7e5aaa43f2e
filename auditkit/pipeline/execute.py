"""Execute one notebook with papermill under a time limit for the whole notebook.

papermill only knows a per-cell timeout; here every cell gets the time left until the notebook's
deadline, and a cell that runs past it is interrupted, so the executed notebook keeps that cell with
its error. papermill shuts the kernel down on every path; the process pool kills whatever is left.

Kernels talk over Unix sockets (IPC) in a private folder, not TCP: kernels started in parallel
race for free TCP ports ("Address already in use", "Kernel died before replying to kernel_info").
The folder holds the connection file too, and is made inside `sockets_dir` when one is given: the
process pool gives each worker one and removes it when the worker ends, however it ends (a worker
killed at the hard time limit never reaches the `finally` that removes the folder here).

jupyter_client interrupts a kernel (SIGINT to its process group) before asking it to shut down;
an idle kernel then logs "KeyboardInterrupt caught in kernel" into the worker log of a run where
nothing went wrong. The kernel manager used here skips that interrupt during shutdown only (the
shutdown request goes over the control channel, which a busy kernel still answers, and a kernel
that does not stop is killed); interrupts at a cell's deadline are unchanged.

The kernel's own console (file descriptors 1 and 2: native libraries, subprocesses, ipykernel's
echo of them, its own log) goes to the worker log, which nothing masks. When the notebook masks
personal fields (its `mask_personal`, on unless turned off) that console is discarded instead:
the executed notebook still receives what the code printed.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditkit.pipeline.reasons import describe, reason


def pipeline_kernel_manager(discard_console: bool) -> type:
    """An AsyncKernelManager that does not interrupt the kernel while shutting it down and, with
    `discard_console`, starts it with its stdout and stderr sent to the null device."""
    from jupyter_client import AsyncKernelManager

    class PipelineKernelManager(AsyncKernelManager):  # type: ignore[misc]
        async def _async_interrupt_kernel(self) -> None:
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            if discard_console:
                kw |= {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
            await super()._async_launch_kernel(kernel_cmd, **kw)

    return PipelineKernelManager


@dataclass(frozen=True)
class ExecutionResult:
    """How an execution ended: status `ok`, `failed` or `timeout`, seconds taken, and why it did
    not end well as data (`auditkit.pipeline.reasons`; none when ok), which `error` words in
    English on one line (a notebook's error with its first problem lines: `error_parts`)."""

    status: str
    seconds: float
    reason: dict[str, Any] | None = None

    @property
    def error(self) -> str:
        """The reason in English words, empty when ok: derived, so that the two never differ."""
        return describe(self.reason, "en") if self.reason else ""


def execute(
    notebook: Path,
    executed: Path,
    parameters: dict[str, Any],
    *,
    time_limit: float,
    kernel_name: str = "python3",
    start_timeout: float = 120,
    discard_kernel_console: bool = True,
    sockets_dir: Path | None = None,
) -> ExecutionResult:
    """Run `notebook` with `parameters` into `executed`; never raises for notebook errors.

    The kernel's working directory is the notebook's folder, as in JupyterLab. The executed
    notebook is saved under a temporary name while running and renamed when execution ends.
    `discard_kernel_console` keeps the kernel's console output out of the worker log. The kernel's
    sockets go in a new folder inside `sockets_dir` (the system's temporary folder by default).
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from traitlets.config import Config

    started = time.monotonic()
    deadline = started + time_limit

    def time_left(_cell: object) -> int:
        return max(1, math.ceil(deadline - time.monotonic()))

    partial = executed.with_name(f".{executed.stem}.partial{executed.suffix}")
    status, why = "ok", None
    sockets = tempfile.mkdtemp(prefix="" if sockets_dir else "auditkit-kernel-", dir=sockets_dir)
    kernel_files = {"connection_file": f"{sockets}/connection.json"}  # not loose in TMPDIR
    ipc = Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/kernel", **kernel_files}})
    try:
        papermill.execute_notebook(
            str(notebook),
            str(partial),
            parameters=parameters,
            kernel_name=kernel_name,
            request_save_on_cell_execute=False,  # saving re-validates the whole notebook per cell
            progress_bar=False,
            log_output=False,
            cwd=str(notebook.parent),
            start_timeout=int(start_timeout),
            timeout_func=time_left,
            interrupt_on_timeout=True,
            kernel_manager_class=pipeline_kernel_manager(discard_kernel_console),
            config=ipc,
        )
    except papermill.PapermillExecutionError as failure:
        if time.monotonic() >= deadline:
            status = "timeout"
            why = reason("time_limit_in_cell", seconds=time_limit, cell=failure.exec_count)
        else:
            status = "failed"
            shown, more = error_parts(failure.evalue)
            why = reason("cell_error", cell=failure.exec_count, detail=f"{failure.ename}: {shown}")
            why |= {"more": more} if more else {}
    except CellTimeoutError:
        status, why = "timeout", reason("time_limit", seconds=time_limit)
    except DeadKernelError as failure:
        status, why = "failed", reason("kernel_died", detail=_first_line(str(failure)))
    except RuntimeError as failure:  # kernel start-up failures surface as RuntimeError
        detail = f"{type(failure).__name__}: {_first_line(str(failure))}"
        status, why = "failed", reason("kernel_failed", detail=detail)
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
        if partial.exists():
            os.replace(partial, executed)
    return ExecutionResult(status, round(time.monotonic() - started, 3), why)


#: The most lines after its first that a notebook's error keeps in the run's record: a field
#: sheet's problems (row and column each) are told, a long list ends "and N more".
MOST_ERROR_LINES = 5
#: The longest a line of a recorded error is kept (a value pasted whole into a message).
LONGEST_ERROR_LINE = 300


def error_parts(text: str, most: int = MOST_ERROR_LINES) -> tuple[str, int]:
    """A notebook's error message on one line for the run's record (stderr, manifest, index), and
    how many of its lines that leaves out (worded where it is shown: "; and N more"): its first
    line, then the next `most` lines (a field sheet's problems, each naming its row and column)
    after ": " and between "; ". A line that
    starts by repeating what the first names (its text before ": ", such as "field sheet
    'x.xlsx', sheet 'field_sheet'") is kept from there on ("row 4, column G ..."). Blank lines
    are skipped; a line longer than LONGEST_ERROR_LINE characters is cut with "…"."""
    lines = [_cut(line.strip()) for line in str(text).splitlines() if line.strip()]
    if len(lines) <= 1:
        return "".join(lines), 0
    head, rest = lines[0], lines[1:]
    subject = head.split(": ", 1)[0] + ", "  # "field sheet 'x.xlsx', sheet 'field_sheet', "
    rest = [line.removeprefix(subject) if ": " in head else line for line in rest]
    return f"{head.rstrip(':')}: {'; '.join(rest[:most])}", max(0, len(rest) - most)


def _cut(line: str) -> str:
    """A line cut to LONGEST_ERROR_LINE characters, "…" marking the cut."""
    return line if len(line) <= LONGEST_ERROR_LINE else line[: LONGEST_ERROR_LINE - 1] + "…"


def _first_line(text: str) -> str:
    """The first non-empty line of a message, for one-line error records."""
    return next((line.strip() for line in str(text).splitlines() if line.strip()), "")

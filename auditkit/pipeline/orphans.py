"""A worker never outlives the run that started it, and takes its kernels down with it.

The pool kills workers and kernels itself on every path it sees (end of job, time-out, Ctrl-C,
SIGTERM), but a run killed with SIGKILL sees nothing. So each worker watches its parent:

- on Linux, `prctl(PR_SET_PDEATHSIG, SIGTERM)` makes the kernel send the worker SIGTERM the moment
  the thread that started it ends;
- everywhere, a daemon thread compares `os.getppid()` with the parent it was started by, twice a
  second (the fallback on other systems, and the cover for a parent that died before `prctl`).

Either way the worker kills every descendant (kernels start in sessions of their own, so they are
not in its process group, but they are still its children), removes the folder it was told to
(its kernels' sockets) and exits. A worker killed outright
(SIGKILL, out of memory) cannot do this; its kernels then stop by themselves, because
jupyter_client passes the worker's pid to ipykernel (`JPY_PARENT_PID`), whose parent poller exits
the kernel within a second once its parent is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

import psutil

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5


def stop_with_descendants(exit_code: int = 1, remove: Path | None = None) -> None:
    """Kill every descendant of this process (kernels included), remove the folder `remove` (if
    given), then exit at once."""
    with contextlib.suppress(psutil.Error):
        descendants = psutil.Process().children(recursive=True)
        for process in descendants:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(descendants, timeout=5)
    if remove is not None:
        shutil.rmtree(remove, ignore_errors=True)
    os._exit(exit_code)


def _ask_kernel_for_death_signal() -> None:
    """Linux: have SIGTERM sent to this process when its parent ends."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)


def _watch_parent(parent_pid: int, remove: Path | None) -> None:
    """Stop (with descendants) as soon as the parent changes; runs in a daemon thread."""
    while os.getppid() == parent_pid:
        time.sleep(WATCH_SECONDS)
    stop_with_descendants(remove=remove)


def die_with_parent(parent_pid: int, remove: Path | None = None) -> None:
    """Make this process (and its descendants) stop when `parent_pid`, its parent, ends, removing
    the folder `remove` (if given) as it goes.

    `parent_pid` is passed by the parent itself, so a parent that died before this call is seen.
    Call from the main thread (it installs the SIGTERM handler).
    """
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop_with_descendants(remove=remove))
    _ask_kernel_for_death_signal()
    threading.Thread(target=_watch_parent, args=(parent_pid, remove), daemon=True).start()

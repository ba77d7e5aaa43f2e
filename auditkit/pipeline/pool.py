"""Run jobs on a few long-lived worker processes; enforce a hard time limit; leave nothing behind.

Each worker (`python -m auditkit.pipeline.worker --parent <this pid>`) reads job spec paths on its
stdin, one per line, and writes `<job folder>/.result.json` when a job ends; importing papermill
and nbconvert is paid once per worker, not once per notebook. Workers run in new sessions, so Ctrl-C reaches only this
process and the pool decides what to stop. Kernels are started by the workers in sessions of their
own, so killing a process group would miss them: the pool remembers every descendant of every
worker and kills those still alive after each job and on any interruption. A worker that overruns
the hard limit is killed with its kernel and replaced by a fresh one for the next job. If this
process itself is killed outright (SIGKILL), the workers notice their parent is gone and stop with
their kernels (`auditkit.pipeline.orphans`).

Each worker's kernels put their sockets in a temporary folder the pool makes for that worker and
removes once the worker is reaped, whichever way it ended; a worker orphaned by SIGKILL removes
its own as it stops.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import psutil

from auditkit.errors import ParameterError
from auditkit.pipeline.reasons import failure_fields, reason
from auditkit.pipeline.worker import RESULT_NAME

POLL_SECONDS = 0.05
SOCKET_PATH_MAX = 100  # a Unix socket's path holds 107 bytes on Linux, 103 on macOS
SOCKET_TAIL = len("/12345678/kernel-99")  # what `execute` adds: its folder and the port
SCAN_EVERY = 10  # look for new descendants and sample memory every 0.5 s (a scan reads /proc)


@dataclass(frozen=True)
class Task:
    """A job ready to start: its name, spec file, folder and the hard limit on its wall time."""

    name: str
    spec: Path
    job_dir: Path
    hard_limit: float


@dataclass
class _Worker:
    """A worker process, its kernels' sockets folder, the task it runs (if any) and the
    descendants seen during that task."""

    process: subprocess.Popen[bytes]
    log: IO[bytes]
    sockets: Path
    task: Task | None = None
    started: float = 0.0
    seen: dict[int, psutil.Process] = field(default_factory=dict)
    peak_worker: int = 0
    peak_kernel: int = 0


def kill_processes(processes: Sequence[psutil.Process]) -> None:
    """Kill the given processes (those still alive and not reused pids) and wait for them."""
    alive = []
    for process in processes:
        try:
            if process.is_running():
                process.kill()
                alive.append(process)
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(alive, timeout=10)


def _remember_descendants(worker: _Worker, measure: bool = False) -> None:
    """Record the worker's descendants (kernels included) so none can escape later.

    With `measure`, also sample the resident memory of the worker and of its descendants and keep
    the peaks of the current task.
    """
    try:
        own = psutil.Process(worker.process.pid)
        children = own.children(recursive=True)
        for child in children:
            worker.seen.setdefault(child.pid, child)
        if measure:
            worker.peak_worker = max(worker.peak_worker, own.memory_info().rss)
            worker.peak_kernel = max(worker.peak_kernel, sum(_rss(child) for child in children))
    except psutil.NoSuchProcess:
        return


def _rss(process: psutil.Process) -> int:
    """Resident memory of a process, 0 when it is gone."""
    try:
        return process.memory_info().rss
    except psutil.NoSuchProcess:
        return 0


def _start_worker(log_path: Path) -> _Worker:
    """Start one worker process whose output goes to `log_path`, its kernels' sockets in a
    folder of its own (`_sockets_folder`: ParameterError where none can be made)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sockets = _sockets_folder()
    command = [sys.executable, "-m", "auditkit.pipeline.worker", "--parent", str(os.getpid())]
    log = log_path.open("ab")
    try:
        process = subprocess.Popen(
            [*command, "--sockets", str(sockets)],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except BaseException:
        log.close()
        shutil.rmtree(sockets, ignore_errors=True)
        raise
    return _Worker(process, log, sockets)


def _sockets_folder() -> Path:
    """A new folder for one worker's kernel sockets: in the temporary folder, or in /tmp where
    the temporary folder's path is too long for a socket's (counted in bytes, as the system
    does) or cannot be written; ParameterError naming TMPDIR where neither will do."""
    room = SOCKET_PATH_MAX - SOCKET_TAIL - len("/auditkit-kernels-12345678")
    for parent in dict.fromkeys([tempfile.gettempdir(), "/tmp"]):
        if len(os.fsencode(parent)) <= room:
            try:
                return Path(tempfile.mkdtemp(prefix="auditkit-kernels-", dir=parent))
            except OSError:
                continue
    raise ParameterError(
        "TMPDIR",
        f"a folder that can be written whose path leaves room for the kernels' sockets (at "
        f"most {room} bytes), or else /tmp",
        tempfile.gettempdir(),
    )


def _release(worker: _Worker) -> None:
    """Reap an ended worker: close its log and remove its kernels' sockets folder."""
    worker.process.wait()
    worker.log.close()
    shutil.rmtree(worker.sockets, ignore_errors=True)


def _assign(worker: _Worker, task: Task) -> None:
    """Hand a task to an idle worker."""
    task.job_dir.mkdir(parents=True, exist_ok=True)
    worker.task, worker.started, worker.seen = task, time.monotonic(), {}
    worker.peak_worker = worker.peak_kernel = 0
    assert worker.process.stdin is not None
    worker.process.stdin.write(f"{task.spec}\n".encode())
    worker.process.stdin.flush()


def _kill_worker(worker: _Worker) -> None:
    """Kill a worker and every descendant ever seen, and reap it."""
    _remember_descendants(worker)
    try:
        own = [psutil.Process(worker.process.pid)]
    except psutil.NoSuchProcess:
        own = []
    kill_processes([*own, *worker.seen.values()])
    _release(worker)


def _retire(worker: _Worker) -> None:
    """Let an idle worker exit on its own (end of its input) and reap it."""
    if worker.process.stdin:
        worker.process.stdin.close()
    try:
        worker.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        _kill_worker(worker)
        return
    _release(worker)


def _finished_result(worker: _Worker) -> dict[str, Any] | None:
    """The result of the worker's task if it has ended (by itself or by the worker dying)."""
    assert worker.task is not None
    path = worker.task.job_dir / RESULT_NAME
    if path.exists():
        result = json.loads(path.read_text(encoding="utf-8"))
        path.unlink()
        return result
    if worker.process.poll() is not None:
        return {
            "status": "failed",
            **failure_fields(reason("worker_exited", code=worker.process.returncode)),
            "seconds": round(time.monotonic() - worker.started, 3),
        }
    if time.monotonic() - worker.started > worker.task.hard_limit:
        return {
            "status": "timeout",
            **failure_fields(reason("hard_limit", seconds=worker.task.hard_limit)),
            "seconds": round(time.monotonic() - worker.started, 3),
        }
    return None


def _clean_after_task(worker: _Worker, result: dict[str, Any]) -> bool:
    """Kill what the task left behind; returns whether the worker itself can take another task."""
    if (result.get("reason") or {}).get("kind") == "hard_limit":
        _kill_worker(worker)
        return False
    if worker.process.poll() is not None:
        kill_processes(list(worker.seen.values()))
        _release(worker)
        return False
    kill_processes(list(worker.seen.values()))
    return True


def run_tasks(
    tasks: Sequence[Task],
    parallel: int,
    on_done: Callable[[Task, dict[str, Any]], None],
    log_dir: Path,
) -> dict[str, dict[str, Any]]:
    """Run every task with at most `parallel` at a time; return each task's result by name.

    `on_done` is called as each task ends (for progress). A failing task never stops the others.
    On any interruption (Ctrl-C, SIGTERM turned into KeyboardInterrupt) every worker and kernel is
    killed before the exception propagates. Worker output goes to `log_dir/worker-N.log`.
    """
    pending = list(tasks)
    results: dict[str, dict[str, Any]] = {}
    slots = min(max(1, parallel), max(1, len(pending)))
    started_workers = polls = 0
    workers: list[_Worker] = []
    try:
        while pending or any(worker.task for worker in workers):
            while pending and (idle := [w for w in workers if w.task is None]):
                _assign(idle[0], pending.pop(0))
            while pending and len(workers) < slots:
                started_workers += 1
                workers.append(_start_worker(log_dir / f"worker-{started_workers}.log"))
                _assign(workers[-1], pending.pop(0))
            time.sleep(POLL_SECONDS)
            polls += 1
            for worker in [w for w in workers if w.task is not None]:
                if polls % SCAN_EVERY == 0:
                    _remember_descendants(worker, measure=True)
                result = _finished_result(worker)
                if result is None:
                    continue
                task = worker.task
                assert task is not None
                result["peak_rss_mb"] = {
                    "worker": round(worker.peak_worker / 2**20, 1),
                    "kernel": round(worker.peak_kernel / 2**20, 1),
                }
                results[task.name] = result
                worker.task = None
                if not _clean_after_task(worker, result):
                    workers.remove(worker)
                on_done(task, result)
        for worker in workers:
            _retire(worker)
    except BaseException:
        for worker in workers:
            _kill_worker(worker)
        raise
    return results

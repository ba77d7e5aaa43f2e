"""Per-district notebook runs fanned out to a dask.distributed cluster, one task per notebook.

Each task runs the run pipeline's own local pool (`auditkit.pipeline.pool.run_tasks`) for its one
notebook on the worker that received it: the same worker subprocess, papermill execution, hard
time limit, clean-up of kernels and memory figures as a local run, so the results, manifest and
outputs are the same. The run folder (specs, outputs, logs) must be on a file system every worker
reaches at the same path.

Failure isolation: a notebook that fails or times out is recorded as such and the others go on;
a worker that dies mid-notebook has the notebook rerun on another worker by the scheduler, and a
notebook whose workers keep dying is recorded as failed with that reason.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from auditkit.engine.dask import connect
from auditkit.pipeline.pool import Task, run_tasks
from auditkit.pipeline.reasons import failure_fields, reason
from auditkit.pipeline.run_paths import inside


def run_notebooks_on_cluster(
    tasks: Sequence[Task],
    scheduler: str,
    on_done: Callable[[Task, dict[str, Any]], None],
    log_dir: Path,
    timeout: float | None = None,
) -> dict[str, dict[str, Any]]:
    """Run every task on the cluster at `scheduler`; return each task's result by name.

    The drop-in for `run_tasks(tasks, parallel, on_done, log_dir)` of the local pool: `on_done`
    is called as each notebook ends, a worker's non-empty log is kept as `log_dir/<folder>.log`
    (the task's job folder name, safe whatever the district is called).
    `timeout` bounds each answer of the scheduler (None: dask's own connect timeout, read now;
    `auditkit.engine.dask.connect`).
    On an interruption the notebooks not yet started are cancelled before it propagates.
    """
    from distributed import as_completed

    results: dict[str, dict[str, Any]] = {}
    run = uuid.uuid4().hex[:8]
    with connect(scheduler, timeout) as client:
        futures = {
            client.submit(_run_one, task, log_dir, key=f"auditkit-notebook-{run}-{i}"): task
            for i, task in enumerate(tasks)
        }
        try:
            for future in as_completed(list(futures)):
                task = futures[future]
                results[task.name] = _result_of(future)
                on_done(task, results[task.name])
        except BaseException:
            client.cancel(list(futures))
            raise
    return results


def _result_of(future: Any) -> dict[str, Any]:
    """The task's result record, or a failed record saying what the cluster did."""
    from distributed import KilledWorker

    if future.status == "finished":
        return future.result()
    error = future.exception()
    if isinstance(error, KilledWorker):
        why = reason("cluster_workers_died")
    else:
        why = reason("cluster_error", detail=f"{type(error).__name__}: {error}")
    return {"status": "failed", **failure_fields(why), "seconds": 0.0}


def _run_one(task: Task, log_dir: Path) -> dict[str, Any]:
    """One notebook through the local pool on this worker; its log kept under its folder's name."""
    folder = task.job_dir.name
    own_logs = inside(log_dir, log_dir / f".{folder}.{os.getpid()}")
    try:
        result = run_tasks([task], 1, _ignore, own_logs)[task.name]
        logs = [log for log in sorted(own_logs.glob("*.log")) if log.stat().st_size]
        if logs:
            with inside(log_dir, log_dir / f"{folder}.log").open("wb") as kept:
                for log in logs:
                    kept.write(log.read_bytes())
    finally:
        shutil.rmtree(own_logs, ignore_errors=True)
    return result


def _ignore(_task: Task, _result: dict[str, Any]) -> None:
    """The worker's pool reports to no one; the client reports when the task's result arrives."""

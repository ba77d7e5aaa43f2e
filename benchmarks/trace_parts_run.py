"""Benchmark: one run of every rule by parts over a converted folder, each task traced.

    PYTHONPATH=. .venv/bin/python benchmarks/trace_parts_run.py /tmp/bench40/chunked-1000000x36-partitioned
    PYTHONPATH=/tmp/wt-old .venv/bin/python benchmarks/trace_parts_run.py <folder>   # another commit

Runs `rules.run(load(folder, lazy=True))` as a user would and records, in the worker that runs
it, each task's start, end, CPU seconds (user + system), system seconds and minor page faults.
Prints the run's wall time, the findings, the workers' CPU summed, when the first task started
(the planning before it: the extract date's reads), and with `--tasks` every task. On a machine
whose speed drifts, alternate commits run for run: the CPU sums and the first start are steadier
than the wall time. Run on demand; not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import auditkit.engine.local as local
from auditkit import rules
from auditkit.data import load

#: Where the workers append their tasks' figures, and when the run started (set by `traced_run`
#: before the workers are forked, so they inherit both).
_TRACE: dict[str, object] = {}
_IN_WORKER = local._in_worker


def _traced(call: Callable, arguments: tuple, gives_back_memory: bool) -> object:
    """`local._in_worker`, its task's figures appended to the log (in the worker that ran it)."""
    begin, cpu = time.perf_counter(), time.process_time()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    try:
        return _IN_WORKER(call, arguments, gives_back_memory)
    finally:
        after = resource.getrusage(resource.RUSAGE_SELF)
        record = {
            "pid": os.getpid(),
            "task": call.__name__,
            "start": begin - _TRACE["started"],
            "end": time.perf_counter() - _TRACE["started"],
            "cpu": time.process_time() - cpu,
            "system": after.ru_stime - usage.ru_stime,
            "minor_faults": after.ru_minflt - usage.ru_minflt,
        }
        with _TRACE["log"].open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")


def traced_run(folder: str, log: Path) -> tuple[float, int]:
    """The run's wall seconds and findings; each task's figures appended to `log` (JSON lines)
    by the worker that ran it (workers are forked: they run `_traced` in its place)."""
    _TRACE.update(started=time.perf_counter(), log=log)
    local._in_worker = _traced
    try:
        found = rules.run(load(folder, lazy=True))
    finally:
        local._in_worker = _IN_WORKER
    return time.perf_counter() - _TRACE["started"], len(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a converted (partitioned) folder")
    parser.add_argument("--tasks", action="store_true", help="print every task")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        log = Path(temporary) / "tasks.jsonl"
        log.touch()
        wall, findings = traced_run(args.folder, log)
        tasks = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    tasks.sort(key=lambda task: task["start"])
    if args.tasks:
        for task in tasks:
            print(
                f"  {task['pid']:>7} {task['task']:18s} {task['start']:6.1f} → {task['end']:6.1f} s"
                f"  cpu {task['cpu']:5.2f}  system {task['system']:4.2f}"
                f"  minor faults {task['minor_faults']:,}"
            )
    whole = [round(task["cpu"], 1) for task in tasks if task["task"] == "run_stored_whole"]
    print(
        f"run {wall:.1f} s, {findings:,} findings; workers' CPU {sum(t['cpu'] for t in tasks):.1f} s"
        f" over {len(tasks)} tasks; first task at {tasks[0]['start']:.2f} s; whole-dataset"
        f" tasks' CPU {whole} s; this process's CPU {time.process_time():.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

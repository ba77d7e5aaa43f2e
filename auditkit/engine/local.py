"""The local engine over parts: on this machine, memory bounded by the parts it runs at once.

`rules.run(dataset)` on a Dataset in memory runs the rules in one pass and never comes here; a
lazily loaded dataset does, so a city's data can be audited on one machine whose memory holds a
few parts (plus the whole-dataset rules' slim input), not the whole city.

A converted folder's parts run in a pool of worker processes (one per core), each reading its own
part from the files, as the dask engine's workers do: only findings travel back. The pool starts
a task only when the estimated peaks of the tasks running, with it, stay within `MEMORY_BUDGET`
(and 80 % of the memory available when the run starts). Findings are put in the parts' order
whatever order the tasks finish in, so the result is the one of a run part after another. A
Dataset in memory is cut into parts run one after another in this process (sending its parts to
other processes would copy them).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache, partial

import psutil

from auditkit.engine.partition import (
    PartResult,
    RulePlan,
    gather_whole_dataset,
    run_part,
    run_whole_dataset,
)
from auditkit.engine.sources import (
    MemorySource,
    StoredSource,
    neighbours_by_part,
    run_stored_part,
    run_stored_whole,
)
from auditkit.engine.worker_memory import give_back_freed_memory, keep_freed_memory
from auditkit.errors import AuditkitError, ParameterError

#: The memory the local engine's worker processes may take together, in bytes (issue 18: a
#: million customers under 8 GB); a run also keeps within 80 % of the memory available at its
#: start.
MEMORY_BUDGET = 8 * 2**30
#: A worker process's own resident memory before any part: Python, pandas, the rules.
WORKER_BYTES = 300 * 2**20
#: Peak resident memory per bill of a part while every per-part rule runs on it (the
#: recomputation included), over the worker's own. Measured at a million customers × 36 months
#: of the synthetic itemized utility, workers keeping freed memory between parts: 1.3-1.7 GB
#: for parts of 1.5 million bills (the heap's high-water mark: 1.7 GB after 15 parts).
PART_BYTES_PER_BILL = 1_200
#: Peak resident memory per bill of a whole-dataset rules' input (consumption_drop and
#: unbilled_account over 36 months of bills, read in one pass with text as codes), rules
#: included: 2.9 GB over the worker's own for 34.6 million bills at a million customers.
WHOLE_BYTES_PER_BILL = 100
#: ... per customer, for the whole-dataset rules that read the archive only (duplicate_account
#: compares names, addresses and phones): 0.85 GB for a million customers.
WHOLE_BYTES_PER_CUSTOMER = 1_000


def run_parts_locally(
    source: MemorySource | StoredSource, plan: RulePlan, workers: int | None = None
) -> list[PartResult]:
    """Every part's findings, then the whole-dataset rules' (in that order, whatever order
    the work finishes in).

    A converted folder's parts run in up to `workers` processes (default: one per core, as
    many as fit `MEMORY_BUDGET`); `workers=1`, or a Dataset in memory, runs them one after
    another in this process, cutting the whole-dataset rules' input from each part while it is
    at hand (nothing is read twice).
    """
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        raise ParameterError("workers", "a whole number ≥ 1 (None: one per core)", workers)
    if isinstance(source, StoredSource):
        task_count = len(source.partitions) + len(whole_dataset_groups(plan))  # stored_tasks'
        count = min(task_count, (os.cpu_count() or 1) if workers is None else workers)
        if count > 1:
            tasks = stored_tasks(source, plan)
            # The budget less this process's own memory (the plan, the neighbours, findings).
            mine = psutil.Process().memory_info().rss
            budget = min(MEMORY_BUDGET - mine, int(0.8 * psutil.virtual_memory().available))
            return run_in_pool(tasks, count, budget)
    return _run_in_process(source, plan)


def _run_in_process(source: MemorySource | StoredSource, plan: RulePlan) -> list[PartResult]:
    neighbours = neighbours_by_part(source) if plan.needs_neighbours else {}
    results, shares = [], []
    for index in range(len(source.partitions)):
        tables = source.part(index)
        results.append(run_part(tables, plan, neighbours.get(index)))
        if plan.whole_dataset:
            shares.append(source.whole_dataset_part(index, plan, tables))
    if plan.whole_dataset:
        results.append(run_whole_dataset(gather_whole_dataset(shares), plan))
    return results


@dataclass(frozen=True)
class Task:
    """One piece of a run for a worker process: what it is, its estimated peak, its call.

    `arguments` may be a function giving them: it is called in this process when the task is
    next to start, while the workers run the tasks before it (a part's neighbours are found
    while the whole-dataset rules run). A worker keeps the memory a task freed for its next task (`worker_memory`), which a part
    following a part reuses; a task much larger than the parts (`gives_back_memory`) returns it
    when done, so that a worker holds no more between tasks than a part needs.
    """

    name: str
    peak_bytes: int
    call: Callable[..., PartResult]
    arguments: tuple | Callable[[], tuple]
    gives_back_memory: bool = False

    @property
    def ready(self) -> bool:
        """Whether the arguments are known without work in this process."""
        return isinstance(self.arguments, tuple)


def stored_tasks(source: StoredSource, plan: RulePlan) -> list[Task]:
    """A converted folder's run as tasks in the order their results combine: each part, then
    the whole-dataset rules in two groups (those reading bills, those reading the archive only),
    each group reading its own input from the files. The parts' neighbours (archive_defect's
    accounts of other parts sharing a meter) are found when the first part is about to start."""
    neighbours = cache(lambda: neighbours_by_part(source) if plan.needs_neighbours else {})
    tasks = [
        Task(
            f"part {name}",
            WORKER_BYTES + PART_BYTES_PER_BILL * source.bill_rows(index),
            run_stored_part,
            partial(_part_arguments, source, index, plan, neighbours),
        )
        for index, name in enumerate(source.partitions)
    ]
    largest_part = max((task.peak_bytes for task in tasks), default=0)
    for group, reads_bills in whole_dataset_groups(plan):
        peak = WORKER_BYTES + (
            WHOLE_BYTES_PER_BILL * source.dataset.rows("bills")  # at most every bill
            if reads_bills
            else WHOLE_BYTES_PER_CUSTOMER * source.dataset.rows("customers")
        )
        name = f"the whole-dataset rules {', '.join(group)}"
        # Memory a part would take anyway is kept for the next part (no fresh pages for it).
        tasks.append(
            Task(
                name,
                peak,
                run_stored_whole,
                (source, plan, group),
                gives_back_memory=peak > largest_part,
            )
        )
    return tasks


def whole_dataset_groups(plan: RulePlan) -> list[tuple[tuple[str, ...], bool]]:
    """The whole-dataset rules that run, in two groups run apart, each with whether it reads
    bills: those that read months of bills (they share the bills read), then those reading the
    archive and adjustments (duplicate_account also the data's first billed month, one month in
    36: the archive's estimate covers it)."""

    def reads_bills(rule_id: str) -> bool:
        wanted = plan.whole_dataset_input([rule_id])
        return bool(wanted.bill_months or wanted.latest_bill)

    groups = (
        (tuple(rule for rule in plan.whole_dataset if reads_bills(rule)), True),
        (tuple(rule for rule in plan.whole_dataset if not reads_bills(rule)), False),
    )
    return [(group, bills) for group, bills in groups if group]


def _part_arguments(
    source: StoredSource, index: int, plan: RulePlan, neighbours: Callable[[], dict]
) -> tuple:
    return source, index, plan, neighbours().get(index)


def start_order(tasks: Sequence[Task]) -> list[int]:
    """The tasks by decreasing estimated peak (the longest first, so that they do not finish
    last), those whose arguments are ready first (the workers run them while this process works
    out the others')."""
    return sorted(
        range(len(tasks)), key=lambda index: (not tasks[index].ready, -tasks[index].peak_bytes)
    )


def run_in_pool(tasks: Sequence[Task], workers: int, budget: int) -> list[PartResult]:
    """Each task's result, in the tasks' order, run in `workers` processes started by fork (no
        module is imported again, and the caller's script is not re-run).

        Tasks start in `start_order`: each when a worker is free and the estimated peaks of the
        running tasks and its own stay within `budget` bytes (a smaller one may start before a
        larger one that does not fit yet; a task alone always starts). While the workers run, this
        process works out the arguments of the waiting tasks, where they are a function (an error
    doing so is raised as it is: it names its own file or parameter). The first
        task that fails stops the run: the waiting tasks are cancelled, the running ones killed, and
        its error is raised naming it: a run returns every finding or raises, never a partial
        worklist.
    """
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    waiting = start_order(tasks)
    results: dict[int, PartResult] = {}
    running: dict[Future, int] = {}
    prepared: dict[int, tuple] = {}  # arguments worked out before their task starts
    with ProcessPoolExecutor(workers, mp_context=context, initializer=keep_freed_memory) as pool:
        try:
            while waiting or running:
                held = sum(tasks[index].peak_bytes for index in running.values())
                for index in list(waiting):
                    task = tasks[index]
                    if len(running) == workers:
                        break
                    if running and held + task.peak_bytes > budget:
                        continue
                    waiting.remove(index)
                    arguments = prepared.pop(index) if index in prepared else _arguments(task)
                    submitted = pool.submit(
                        _in_worker, task.call, arguments, task.gives_back_memory
                    )
                    running[submitted] = index
                    held += task.peak_bytes
                # While the workers run: the arguments of the waiting tasks, in start order
                # (one a pass, each pass starting what can start).
                upcoming = next((index for index in waiting if index not in prepared), None)
                if upcoming is not None:
                    prepared[upcoming] = _arguments(tasks[upcoming])
                    continue  # it starts now if a worker is free
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=running.__getitem__):
                    index = running[future]
                    names = [tasks[other].name for other in running.values()]
                    results[index] = _result(future, tasks[index].name, names)
                    del running[future]
        except BaseException:
            _stop_workers(pool)
            raise
    return [results[index] for index in range(len(tasks))]


def _arguments(task: Task) -> tuple:
    return task.arguments if task.ready else task.arguments()


def _in_worker(
    call: Callable[..., PartResult], arguments: tuple, gives_back_memory: bool
) -> PartResult:
    """A task's call in a worker; then, if it `gives_back_memory`, the worker returns the
    memory the task freed."""
    try:
        return call(*arguments)
    finally:
        if gives_back_memory:
            give_back_freed_memory()


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel the waiting tasks and kill the running ones: a failed or interrupted run does not
    wait for parts whose findings it will not return. Python 3.14 has `terminate_workers`;
    before it the executor's own process table is the only handle on its workers."""
    if hasattr(pool, "terminate_workers"):
        pool.terminate_workers()
        return
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


#: What a failed run says it did not return.
LOST = "no findings were returned (a partial worklist would look complete)"


def _result(future: Future, name: str, running: list[str]) -> PartResult:
    """The result of task `name`, or an AuditkitError naming it (its own error when it raised
    an AuditkitError); a dead worker, by the tasks that were `running` (any of them)."""
    try:
        return future.result()
    except AuditkitError:
        raise
    except BrokenProcessPool:
        raise AuditkitError(
            f"local engine: a worker process died (out of memory, or killed) while running "
            f"{'; '.join(running)}; {LOST}"
        ) from None
    except Exception as error:
        raise AuditkitError(
            f"local engine: {name} failed: {type(error).__name__}: {error}; {LOST}"
        ) from error

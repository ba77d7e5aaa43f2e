"""The local engine's pool of worker processes: the same findings, in order, within memory."""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest
from plans import plan_for

from auditkit.engine import local
from auditkit.engine.local import (
    Task,
    run_in_pool,
    run_parts_locally,
    stored_tasks,
    whole_dataset_groups,
)
from auditkit.engine.partition import combine
from auditkit.engine.sources import StoredSource
from auditkit.errors import AuditkitError, ParameterError


def test_parts_run_in_two_processes_give_the_whole_run_findings(converted, whole_findings):
    source = StoredSource(converted, -(-converted.rows("bills") // 6))
    plan = plan_for(source)
    tasks = stored_tasks(source, plan)
    # Every part, then the whole-dataset rules in two groups: those reading bills apart from
    # those reading the archive only (each reads its own input from the files).
    assert [task.name for task in tasks[: len(source.partitions)]] == [
        f"part {name}" for name in source.partitions
    ]
    assert [task.name for task in tasks[len(source.partitions) :]] == [
        "the whole-dataset rules unbilled_account, consumption_drop",
        "the whole-dataset rules duplicate_account, unapproved_adjustment",
    ]
    assert len(tasks) == len(source.partitions) + len(whole_dataset_groups(plan))  # as counted
    findings = combine(plan, run_parts_locally(source, plan, workers=2), [])
    pd.testing.assert_frame_equal(findings, whole_findings)


def test_only_a_task_larger_than_every_part_gives_its_freed_memory_back(converted, monkeypatch):
    # A whole-dataset task that needs no more than a part leaves the memory it freed to the
    # worker's next part (fresh pages cost the kernel's clearing); a larger one returns it.
    source = StoredSource(converted, -(-converted.rows("bills") // 6))
    plan = plan_for(source)
    parts = len(source.partitions)
    tasks = stored_tasks(source, plan)
    largest_part = max(task.peak_bytes for task in tasks[:parts])
    assert all(task.peak_bytes <= largest_part for task in tasks[parts:])
    assert [task.gives_back_memory for task in tasks] == [False] * len(tasks)

    monkeypatch.setattr(local, "WHOLE_BYTES_PER_BILL", 10 * local.PART_BYTES_PER_BILL)
    bills_group, archive_group = stored_tasks(source, plan)[parts:]
    assert bills_group.peak_bytes > largest_part and bills_group.gives_back_memory
    assert not archive_group.gives_back_memory


def _stamped(name: str, seconds: float) -> tuple[str, int, float, float]:
    """A task that takes `seconds` and says who ran it, and when."""
    started = time.monotonic()
    time.sleep(seconds)
    return name, os.getpid(), started, time.monotonic()


def test_results_come_in_the_tasks_order_whatever_order_they_finish_in():
    # The first task is the slowest: it finishes last, yet its result comes first.
    tasks = [Task(f"task {i}", 1, _stamped, (f"task {i}", 0.6 - 0.2 * i)) for i in range(3)]
    results = run_in_pool(tasks, workers=3, budget=10)
    assert [result[0] for result in results] == ["task 0", "task 1", "task 2"]
    assert results[0][3] > results[2][3]  # it did finish last
    assert len({result[1] for result in results}) == 3  # three processes, none of them this one
    assert os.getpid() not in {result[1] for result in results}


def test_tasks_whose_peaks_exceed_the_budget_together_never_run_at_once():
    # 6 + 5 > 10: the two large tasks run one after the other; 6 + 3 fits, so the small one
    # runs beside the largest (started first: the largest peaks start first).
    tasks = [
        Task("small", 3, _stamped, ("small", 0.3)),
        Task("large", 5, _stamped, ("large", 0.3)),
        Task("largest", 6, _stamped, ("largest", 0.3)),
    ]
    small, large, largest = run_in_pool(tasks, workers=3, budget=10)
    assert large[2] >= largest[3]  # started when the largest had finished
    assert small[2] < largest[3]  # beside it
    # A task larger than the budget on its own still runs (alone).
    (alone,) = run_in_pool([Task("huge", 50, _stamped, ("huge", 0.0))], workers=2, budget=10)
    assert alone[0] == "huge"


def _fails(name: str) -> None:
    raise ValueError(f"{name} is damaged")


def _dies(name: str) -> None:
    os._exit(9)  # a worker killed mid-task (out of memory)


def test_a_failing_or_dying_task_stops_the_run_naming_it():
    tasks = [Task("part 城东#0", 1, _fails, ("part 城东#0",)), Task("ok", 1, _stamped, ("ok", 0.0))]
    with pytest.raises(
        AuditkitError, match=r"part 城东#0 failed: ValueError: .*damaged.*no findings"
    ):
        run_in_pool(tasks, workers=2, budget=10)
    with pytest.raises(AuditkitError, match=r"worker process died .* while running part 城北#1"):
        run_in_pool([Task("part 城北#1", 1, _dies, ("part 城北#1",))], workers=2, budget=10)


def test_a_failing_task_does_not_wait_for_the_running_ones_and_leaves_no_worker():
    import multiprocessing

    tasks = [
        Task("slow", 2, _stamped, ("slow", 30.0)),  # started first: the larger peak
        Task("part 城西#2", 1, _fails, ("part 城西#2",)),
    ]
    started = time.monotonic()
    with pytest.raises(AuditkitError, match="part 城西#2 failed"):
        run_in_pool(tasks, workers=2, budget=10)
    assert time.monotonic() - started < 20  # the 30 s task was killed, not waited for
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []


def test_workers_must_be_a_whole_number_of_at_least_one(converted):
    source = StoredSource(converted)
    with pytest.raises(ParameterError, match="workers"):
        run_parts_locally(source, plan_for(source), workers=0)


def test_a_task_whose_arguments_need_work_starts_after_the_ready_ones_which_run_meanwhile():
    # The lazy task has the larger peak, yet the ready one starts first, and this process
    # works out the lazy one's arguments while the ready one runs.
    worked_out_at: list[float] = []

    def arguments() -> tuple:
        worked_out_at.append(time.monotonic())
        return ("lazy", 0.0)

    tasks = [Task("lazy", 5, _stamped, arguments), Task("ready", 1, _stamped, ("ready", 0.6))]
    lazy, ready = run_in_pool(tasks, workers=2, budget=10)
    assert (lazy[0], ready[0]) == ("lazy", "ready")
    assert len(worked_out_at) == 1  # once
    assert worked_out_at[0] < ready[3]  # while the ready task ran
    assert worked_out_at[0] <= lazy[2] < ready[3]  # then started beside it


def test_a_lazy_tasks_failing_arguments_stop_the_run_with_their_own_error():
    def arguments() -> tuple:
        raise AuditkitError("customers/district=城东/part-0000.parquet: truncated")

    tasks = [Task("part 城东#0", 2, _stamped, arguments), Task("ok", 1, _stamped, ("ok", 0.0))]
    with pytest.raises(AuditkitError, match=r"part-0000\.parquet: truncated"):
        run_in_pool(tasks, workers=2, budget=10)


def _memory_pool(name: str) -> tuple[str, str]:
    import pyarrow as pa

    return name, pa.default_memory_pool().backend_name


def test_workers_keep_arrows_memory_in_the_c_allocator_whether_or_not_they_give_it_back():
    tasks = [
        Task("part", 1, _memory_pool, ("part",)),
        Task("whole", 1, _memory_pool, ("whole",), gives_back_memory=True),
    ]
    assert run_in_pool(tasks, workers=2, budget=10) == [("part", "system"), ("whole", "system")]


def _hugepage_hint(name: str) -> tuple[str, bool]:
    from numpy._core import multiarray

    return name, multiarray._get_madvise_hugepage()


def test_workers_take_ordinary_pages_and_leave_the_callers_numpy_as_it_was(monkeypatch):
    from numpy._core import multiarray

    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    callers = multiarray._get_madvise_hugepage()
    tasks = [Task("part", 1, _hugepage_hint, ("part",)), Task("whole", 1, _hugepage_hint, ("w",))]
    assert run_in_pool(tasks, workers=2, budget=10) == [("part", False), ("w", False)]
    assert multiarray._get_madvise_hugepage() == callers


def test_workers_keep_the_page_hint_the_user_set(monkeypatch):
    from numpy._core import multiarray

    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    callers = multiarray._get_madvise_hugepage()
    (found,) = run_in_pool([Task("part", 1, _hugepage_hint, ("part",))], workers=2, budget=10)
    assert found == ("part", callers)


def _memory_settings_taken(name: str) -> list[int] | None:
    """In a worker: glibc's answers to the workers' settings (1: taken), None off glibc."""
    from auditkit.engine import worker_memory

    library = worker_memory._glibc()
    if library is None:
        return None
    return [
        library.mallopt(worker_memory.M_MMAP_THRESHOLD, worker_memory.HEAP_BLOCKS_UP_TO),
        library.mallopt(worker_memory.M_TRIM_THRESHOLD, worker_memory.KEPT_FREED),
    ]


def test_glibc_takes_the_workers_memory_settings_as_given():
    # A value cut to a negative C int, or above glibc's bounds, would answer 0 or raise.
    (taken,) = run_in_pool([Task("part", 1, _memory_settings_taken, ("part",))], 2, 10)
    if taken is None:
        pytest.skip("not glibc: only Arrow's pool changes")
    assert taken == [1, 1]

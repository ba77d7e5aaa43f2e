"""The dask engine: the same parts as the local engine, one task each on a dask.distributed cluster.

The cluster is the one at the scheduler address given, or a `LocalCluster` started for the run
(one single-threaded worker process per core) and stopped after it. Parts of a converted folder
are read by the worker that processes them (the folder must be reachable at the same path from
every worker: a shared file system); parts of a Dataset in memory are sent from here.

Faults: an address that does not answer within `CONNECT_TIMEOUT` seconds is a ParameterError.
A worker that dies mid-task has its tasks rerun elsewhere by the scheduler; a part whose workers
keep dying, or whose task fails, stops the run with an error naming the part: a run returns all
findings or raises, never a partial worklist.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

from auditkit.engine.partition import PartResult, RulePlan, run_part, run_whole_dataset
from auditkit.engine.sources import (
    MemorySource,
    StoredSource,
    gather_whole_dataset,
    neighbours_by_part,
)
from auditkit.errors import AuditkitError, ParameterError

if TYPE_CHECKING:
    from distributed import Client, Future

#: Seconds to wait for a scheduler to answer before giving up on its address.
CONNECT_TIMEOUT = 5.0


@contextlib.contextmanager
def connect(scheduler: str | None, timeout: float = CONNECT_TIMEOUT) -> Iterator[Client]:
    """A Client of the cluster at `scheduler`, or of a LocalCluster started here and stopped after.

    Raises ParameterError when the address does not answer within `timeout` seconds.
    """
    from distributed import Client, LocalCluster

    if scheduler is None:
        with (
            LocalCluster(
                n_workers=os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ParameterError(
            "scheduler",
            f"the address of a running dask scheduler (tcp://host:8786) answering within "
            f"{timeout:g} s",
            f"{scheduler} ({reason})",
        ) from None
    with client:
        yield client


def run_parts_on_cluster(
    source: MemorySource | StoredSource, plan: RulePlan, scheduler: str | None
) -> list[PartResult]:
    """Every part's findings and the whole-dataset rules', each part a task on the cluster."""
    neighbours = neighbours_by_part(source) if plan.needs_neighbours else {}
    run = uuid.uuid4().hex[:8]
    with connect(scheduler) as client:
        tasks: dict[str, Future] = {}
        if isinstance(source, MemorySource):
            parts = client.scatter(source.parts())
            for i, (partition, tables) in enumerate(zip(source.partitions, parts, strict=True)):
                tasks[f"part {partition}"] = client.submit(
                    run_part, tables, plan, neighbours.get(i), key=f"auditkit-rules-{run}-{i}"
                )
            if plan.whole_dataset:
                whole = client.scatter(source.whole_dataset_input(plan))
                tasks["the whole-dataset rules"] = client.submit(
                    run_whole_dataset, whole, plan, key=f"auditkit-whole-{run}"
                )
        else:
            for i, partition in enumerate(source.partitions):
                tasks[f"part {partition}"] = client.submit(
                    _run_stored_part, source, i, plan, neighbours.get(i),
                    key=f"auditkit-rules-{run}-{i}",
                )  # fmt: skip
            if plan.whole_dataset:
                pieces = [
                    client.submit(
                        source.whole_dataset_part, i, plan, key=f"auditkit-slim-{run}-{i}"
                    )
                    for i in range(len(source.partitions))
                ]
                tasks["the whole-dataset rules"] = client.submit(
                    _run_whole_from_pieces, pieces, plan, key=f"auditkit-whole-{run}"
                )
        return _gather(client, tasks)


def _run_stored_part(
    source: StoredSource, index: int, plan: RulePlan, neighbours: object
) -> PartResult:
    return run_part(source.part(index), plan, neighbours)


def _run_whole_from_pieces(pieces: list, plan: RulePlan) -> PartResult:
    return run_whole_dataset(gather_whole_dataset(pieces), plan)


def _gather(client: Client, tasks: dict[str, Future]) -> list[PartResult]:
    """Each task's result, in order; the first failure cancels the rest and is raised, named."""
    from distributed import as_completed

    names = {future.key: name for name, future in tasks.items()}
    for future in as_completed(list(tasks.values())):
        if future.status == "finished":
            continue
        error = future.exception()
        client.cancel(list(tasks.values()))
        if isinstance(error, AuditkitError):
            raise error
        raise AuditkitError(
            f"dask engine: {names[future.key]} failed: {_describe(error)}; no findings were "
            "returned (a partial worklist would look complete)"
        ) from error
    return [future.result() for future in tasks.values()]


def _describe(error: BaseException | None) -> str:
    from distributed import KilledWorker

    if isinstance(error, KilledWorker):
        return "the workers running it died repeatedly (out of memory, or killed)"
    return f"{type(error).__name__}: {error}"

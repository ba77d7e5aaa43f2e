"""The dask engine: the same parts as the local engine, one task each on a dask.distributed cluster.

The cluster is the one at the scheduler address given, or a `LocalCluster` started for the run
(one single-threaded worker process per core) and stopped after it. Parts of a converted folder
are read by the worker that processes them (the folder must be reachable at the same path from
every worker: a shared file system); parts of a Dataset in memory are sent from here.

Faults: an address where no dask scheduler answers within dask's own connect timeout
(`distributed.comm.timeouts.connect`, read at each connection) is a ParameterError, its handshake
included (another service's port, a dashboard's or one that speaks first, SSH, is no hang nor
traceback); one where nothing listens is refused within `PROBE_TIMEOUT` seconds, not after
dask's retries for its whole timeout; and so is a LocalCluster started by a script's top-level
code (no `if __name__ == "__main__":`), whose workers, running the script again as they start,
would start clusters of their own. A scheduler with no worker within `WORKER_WAIT` seconds is
told on stderr in one line (how to start workers, or Ctrl-C) and the run goes on waiting: an
adaptive cluster starts workers for the tasks sent to it, a batch queue's join minutes later.
Data in memory is sent to a worker, so a run of it asks the cluster for one (a task an adaptive
cluster starts a worker for) and is a ParameterError naming the scheduler if none has joined
within `DATA_WORKER_WAIT` seconds more.
A worker that dies mid-task has its tasks rerun elsewhere by the scheduler; a part whose workers
keep dying, or whose task fails, stops the run with an error naming the part: a run returns all
findings or raises, never a partial worklist. A worker that cannot import auditkit (it died
unpickling its first task, and the run waited) is a ParameterError before any task is sent, and
so is one that does not find a converted folder at its path (no shared file system), one
whose auditkit is another version or other source (other rules: other money, silently), and one
that does not answer these checks within `WORKER_CHECK_TIMEOUT` seconds (a stopped worker blocked
the run forever). Workers joining once the run's tasks are sent are not checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import multiprocessing
import os
import socket
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import auditkit
from auditkit.data.partitioned import MANIFEST_NAME
from auditkit.engine.partition import (
    PartResult,
    RulePlan,
    run_part,
    run_whole_dataset,
)
from auditkit.engine.sources import (
    MemorySource,
    StoredSource,
    largest_first,
    neighbours_by_part,
    run_stored_part,
    run_stored_whole,
)
from auditkit.errors import AuditkitError, ParameterError

if TYPE_CHECKING:
    from distributed import Client, Future

#: How many connect timeouts the start of a client may take as a whole: dask bounds three of its
#: waits, one after the other, by one timeout each (the connection, the scheduler's identity, its
#: first message on the client's stream), so a healthy but slow scheduler may take nearly three;
#: the handshake after the connection dask leaves unbounded is bounded by this bound of the whole.
START_TIMEOUTS = 3
#: Seconds to wait for a scheduler given by address to have a worker (workers started with it
#: take a few seconds to join) before saying on stderr that the run waits for one.
WORKER_WAIT = 10.0
#: Seconds a run of data in memory, which is sent to a worker, then waits for one to join before
#: it is refused (it waited until Ctrl-C): an adaptive cluster asked for one starts it within
#: seconds, a batch queue's may take a minute or two.
DATA_WORKER_WAIT = 120.0
#: Seconds a TCP connection to a scheduler's host and port is given before dask connects: an
#: address where nothing listens is refused at once (dask retried it for its whole timeout).
PROBE_TIMEOUT = 3.0
#: Seconds each worker is given to answer a check (its auditkit, a converted folder's path): a
#: stopped or hung worker blocked every connection forever. The first check imports auditkit
#: and pandas on a fresh worker: 3 s on a loaded machine, over 10 s on 2 cores running 2 tests.
WORKER_CHECK_TIMEOUT = 30.0


@contextlib.contextmanager
def connect(
    scheduler: str | None, timeout: float | None = None, worker_wait: float | None = None
) -> Iterator[Client]:
    """A Client of the cluster at `scheduler`, or of a LocalCluster started here and stopped after.

    Raises ParameterError when no dask scheduler answers at the address within `timeout`
    seconds an answer (None: dask's `connect_timeout()`, the start as a whole within
    `START_TIMEOUTS` of them), or when the LocalCluster's workers fail to start under a script whose top-level
    code called this (each worker runs the script again: it needs `if __name__ ==
    "__main__":`). A scheduler with no worker within `worker_wait` seconds (None:
    `WORKER_WAIT`, read now) is said on stderr.
    """
    from distributed import Client, LocalCluster

    if scheduler is None:
        if _bootstrapping_a_worker():  # this script re-run by a worker process it started:
            raise SystemExit(1)  # quietly, the script's own process says why, once
        try:
            cluster = LocalCluster(
                n_workers=os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                # Its HTTP server (health and metrics; no dashboard without bokeh) on a free
                # port: on 8787, a second run at once warned "Port 8787 is already in use".
                dashboard_address=":0",
            )
        except RuntimeError:  # "Nanny failed to start": its workers died starting
            if _main_is_rerun_by_workers():
                raise _unguarded_script_error() from None
            raise
        with cluster, Client(cluster) as client:
            yield client
        return
    if timeout is None:
        timeout = connect_timeout()
    try:
        _probe(scheduler, min(PROBE_TIMEOUT, timeout))
        client = _bounded_client(scheduler, timeout)
    except Exception as error:  # whatever the service at the address answered
        raise ParameterError(
            "scheduler",
            f"the address of a running dask scheduler (tcp://host:8786) answering within "
            f"{timeout:g} s",
            f"{scheduler} ({_why_not_connected(error, timeout)})",
        ) from None
    with client:
        _wait_for_a_worker(client, scheduler, WORKER_WAIT if worker_wait is None else worker_wait)
        check_workers_import_auditkit(client)
        yield client


def connect_timeout() -> float:
    """dask's own connect timeout in seconds (`distributed.comm.timeouts.connect`, 30 s unless
    configured), read now: a setting made after import (dask.config.set, a YAML file, a
    DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT variable) counts."""
    import dask
    from dask.utils import parse_timedelta

    return parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), default="s")


def _probe(scheduler: str, timeout: float) -> None:
    """Raise the OSError of a TCP connection to the scheduler's host and port refused or
    unreachable within `timeout` seconds (nothing listens there: dask retried it for its whole
    connect timeout), or of a host name that does not resolve. A connection made, one not answered in time (a far or lossy link: dask
    waits its own timeout for it) and an address not over TCP or without a port (dask's to
    judge) pass."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(scheduler)
        host, port = parse_host_port(location)
    except (ValueError, TypeError):
        return
    if scheme not in ("tcp", "tls"):
        return
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # an IPv6 host bracketed
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except TimeoutError:
        return
    except socket.gaierror as error:  # not "nothing listens": there is no such host
        raise OSError(f"the host name of {where} does not resolve: {error.strerror}") from None
    except OSError as error:  # refused, unreachable
        raise OSError(f"nothing listens at {where}: {error.strerror or error}") from None


def _bounded_client(scheduler: str, timeout: float) -> Client:
    """A Client of the scheduler at `scheduler`, each wait of its start bounded by `timeout`
    seconds and the whole start by START_TIMEOUTS of them: dask bounds the TCP connection, the
    scheduler's identity and its first message by its timeout but not the handshake after the
    connection (a port that accepts and stays silent, an HTTP server's, hung forever); a client
    that fails to start is closed (no loop thread left behind)."""
    from distributed import Client

    class BoundedClient(Client):
        """A Client whose start gives up after START_TIMEOUTS × `timeout` seconds, and closes
        if it fails."""

        def start(self, **kwargs: object) -> None:
            try:
                super().start(callback_timeout=START_TIMEOUTS * timeout, **kwargs)
            except BaseException:
                self.close()
                raise

    return BoundedClient(scheduler, timeout=timeout)


def _why_not_connected(error: Exception, timeout: float) -> str:
    """The reason a connection failed, in a few words: dask's own for an address it could not
    reach or parse, else what the service there did instead of answering as a scheduler (an
    SSH banner read as a message's length asked for 2.82 EiB)."""
    if type(error) is TimeoutError:  # connected (dask's connect time-out is an OSError), then
        # no answer: the handshake stalled, or the scheduler's identity or first message
        return f"connected, but did not complete a dask scheduler's handshake within {timeout:g} s"
    if isinstance(error, OSError | ValueError | TypeError):
        return str(error).splitlines()[0] if str(error).strip() else type(error).__name__
    return f"its answer is not a dask scheduler's: {type(error).__name__}"


def _wait_for_a_worker(client: Client, scheduler: str, wait: float) -> None:
    """Wait up to `wait` seconds for the cluster to have a worker; without one, say on stderr
    that the run waits for one and go on: the tasks sent make an adaptive cluster start
    workers, and a batch queue's workers may join minutes later (refusing stopped both)."""
    try:
        client.wait_for_workers(1, timeout=wait)
    except TimeoutError:
        print(
            f"dask engine: waiting for a worker to join the cluster at {scheduler} (none yet "
            f"after {wait:g} s); start workers with `dask worker {scheduler}`, or Ctrl-C",
            file=sys.stderr,
        )


def check_workers_import_auditkit(client: Client) -> None:
    """Raise a ParameterError naming the scheduler and a worker that does not run this auditkit:
    one that cannot import it (it died unpickling its first task, silently, and the run waited
    until Ctrl-C), one whose auditkit is another version or other source (other rules: other
    money, silently), or one that does not answer (a stopped worker blocked the run forever)."""
    ours = installed_auditkit()
    found = ask_each_worker(client, _auditkit_on_worker())
    for worker, theirs in sorted(found.items()):
        if theirs == ours:
            continue
        if isinstance(theirs, TimeoutError):
            why = f"worker {worker} {theirs}"
        elif isinstance(theirs, BaseException):
            why = f"worker {worker} cannot import auditkit: {_one_line(theirs)}"
        else:
            why = f"worker {worker} runs auditkit {_named(theirs)}"
        raise ParameterError(
            "scheduler",
            f"a cluster whose workers run this auditkit, {_named(ours)} (install it where they "
            "run)",
            f"{client.scheduler.address} ({why})",
        )


@functools.cache
def installed_auditkit() -> tuple[str, str]:
    """This process's auditkit: its version and a digest of its source (every .py file of the
    package, by path within it), computed once per process: a worker with other rules under the
    same version number computed other money."""
    root = Path(auditkit.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return auditkit.__version__, digest.hexdigest()[:12]


def _auditkit_on_worker() -> Callable[[], tuple[str, str]]:
    """A function giving the auditkit of the worker it runs on (`installed_auditkit` there),
    sent by value: one sent by reference to this module fails to unpickle on a worker that cannot
    import auditkit, outside dask's handling of the function's errors."""

    def installed_on_worker() -> tuple[str, str]:
        import importlib

        version = importlib.import_module("auditkit").__version__
        engine = importlib.import_module("auditkit.engine.dask")
        if not hasattr(engine, "installed_auditkit"):  # an auditkit older than the check
            return version, "unknown source"
        return engine.installed_auditkit()

    return installed_on_worker


def _named(installed: tuple[str, str]) -> str:
    """An auditkit's version and source digest, as said in errors."""
    version, source = installed
    return f"{version} (source {source})"


def _one_line(error: BaseException) -> str:
    """An exception's first line, its type's name before it."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__


def ask_each_worker(
    client: Client, function: Callable[..., object], *args: object
) -> dict[str, object]:
    """Each worker's answer to `function(*args)` run on it: what it returned, the exception it
    raised, or a TimeoutError if it did not answer within `WORKER_CHECK_TIMEOUT` seconds (read
    now): dask's `client.run` waits for every worker without a bound, so one stopped worker
    (SIGSTOP, a hung host) blocked every connection forever."""
    timeout = WORKER_CHECK_TIMEOUT
    workers = sorted(client.scheduler_info()["workers"])

    async def ask(worker: str) -> object:
        try:
            answers = await asyncio.wait_for(
                client._run(function, *args, workers=[worker], on_error="return"), timeout
            )
        except TimeoutError:
            return TimeoutError(f"did not answer within {timeout:g} s (stopped or hung)")
        except Exception as error:  # the scheduler could not reach it
            return error
        return answers.get(worker, LookupError("left the cluster"))

    async def ask_all() -> dict[str, object]:
        return dict(zip(workers, await asyncio.gather(*map(ask, workers)), strict=True))

    return client.sync(ask_all)


def _bootstrapping_a_worker() -> bool:
    """Whether this process is a worker started by spawn still importing the main module:
    the script it re-runs reached a LocalCluster (it would start workers of its own, which
    multiprocessing refuses with a traceback per worker, and its parent with more: 12 in all
    on 2 cores). `_inheriting` is the flag multiprocessing itself sets for that phase
    (`spawn._check_not_importing_main`)."""
    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


def _main_is_rerun_by_workers() -> bool:
    """Whether the LocalCluster's worker processes run this program's main module again as
    they start: they are started by spawn or forkserver (dask's default, not fork) and the
    main module is a script or a `-m` module, not an interactive session."""
    import dask

    method = dask.config.get("distributed.worker.multiprocessing-method", default="spawn")
    return method != "fork" and getattr(sys.modules.get("__main__"), "__file__", None) is not None


def _unguarded_script_error() -> ParameterError:
    """The error of a LocalCluster whose workers, re-running the calling script, died starting."""
    return ParameterError(
        "engine",
        "'dask' called in a script under `if __name__ == \"__main__\":` (each worker process "
        "of the LocalCluster runs the script again as it starts), or given a scheduler address",
        "a LocalCluster whose worker processes failed to start",
    )


#: Task priority of the whole-dataset rules and their inputs: dask runs them before the parts,
#: so the one long task overlaps the parts instead of running alone at the end.
WHOLE_DATASET_PRIORITY = 1_000_000
WHOLE_DATASET_TASK = "the whole-dataset rules"


def run_parts_on_cluster(
    source: MemorySource | StoredSource,
    plan: RulePlan,
    scheduler: str | None,
    data_worker_wait: float | None = None,
) -> list[PartResult]:
    """Every part's findings and the whole-dataset rules', each part a task on the cluster; data
    in memory waits `data_worker_wait` seconds at most for a worker to be sent to (None:
    `DATA_WORKER_WAIT`, read now)."""
    run = uuid.uuid4().hex[:8]
    with connect(scheduler) as client:
        if isinstance(source, StoredSource):
            tasks = _submit_stored(client, source, plan, run)
        else:
            tasks = _submit_from_memory(client, source, plan, run, data_worker_wait)
        return gather(client, tasks)


def _submit_stored(
    client: Client, source: StoredSource, plan: RulePlan, run: str
) -> dict[str, Future]:
    """Tasks that read their part where they run: first the whole-dataset rules, reading their
    input from every part's files in one pass (a share per part would each be made a frame, sent
    and joined), then the parts, largest first."""
    check_workers_reach(client, source.dataset.root)
    tasks: dict[str, Future] = {}
    if plan.whole_dataset:
        tasks[WHOLE_DATASET_TASK] = client.submit(
            run_stored_whole,
            source,
            plan,
            key=f"auditkit-whole-{run}",
            priority=WHOLE_DATASET_PRIORITY,
        )
    # Found here while the workers read the shares.
    neighbours = neighbours_by_part(source) if plan.needs_neighbours else {}
    order = largest_first(source)
    for rank, index in enumerate(order):
        tasks[f"part {source.partitions[index]}"] = client.submit(
            run_stored_part,
            source,
            index,
            plan,
            neighbours.get(index),
            key=f"auditkit-rules-{run}-{index}",
            priority=len(order) - rank,
        )
    return tasks


def check_workers_reach(client: Client, folder: Path) -> None:
    """Raise a ParameterError naming the converted `folder` and a worker that does not find it
    at its absolute path: a worker reopens the folder as it unpickles its task, and one that
    could not died of it, saying so in its own log only, and the run waited until Ctrl-C."""
    manifest = str(folder.absolute() / MANIFEST_NAME)
    found = ask_each_worker(client, os.path.isfile, manifest)
    silent = sorted(
        worker for worker, present in found.items() if isinstance(present, TimeoutError)
    )
    if silent:
        raise ParameterError(
            "dataset",
            f"a converted folder every worker reaches at the same path, each answering within "
            f"{WORKER_CHECK_TIMEOUT:g} s",
            f"{folder.absolute()} (worker {silent[0]} {found[silent[0]]})",
        )
    lacking = sorted(worker for worker, present in found.items() if present is not True)
    if lacking:
        others = f", nor {len(lacking) - 1} more" if len(lacking) > 1 else ""
        raise ParameterError(
            "dataset",
            "a converted folder every worker reaches at the same path (a shared file system)",
            f"{folder.absolute()} (not found by worker {lacking[0]}{others})",
        )


def _submit_from_memory(
    client: Client, source: MemorySource, plan: RulePlan, run: str, worker_wait: float | None
) -> dict[str, Future]:
    """Tasks on data sent from here, each piece once, to the worker that will check it.

    The largest part goes first, then the whole-dataset input, so that its long task starts
    while the other parts travel (largest first). Pieces are about equal work (parts of equal
    bills; the whole-dataset rules take about as long as a part): each goes to the worker with
    the fewest so far, straight to it unless the client says otherwise (`direct_to_workers`).
    Data is sent to workers, so this asks for one and waits `worker_wait` seconds at most for
    it (`scatter_to_least_busy`).
    """
    send = scatter_to_least_busy(client, worker_wait)
    tasks: dict[str, Future] = {}
    neighbours = neighbours_by_part(source) if plan.needs_neighbours else {}
    order = largest_first(source)
    for rank, index in enumerate(order):
        tasks[f"part {source.partitions[index]}"] = client.submit(
            run_part,
            send(source.part(index)),
            plan,
            neighbours.get(index),
            key=f"auditkit-rules-{run}-{index}",
            priority=len(order) - rank,
        )
        if rank == 0 and plan.whole_dataset:  # one worker busy already, the next gets this
            tasks[WHOLE_DATASET_TASK] = client.submit(
                run_whole_dataset,
                send(source.whole_dataset_input(plan)),
                plan,
                key=f"auditkit-whole-{run}",
                priority=WHOLE_DATASET_PRIORITY,
            )
    return tasks


def scatter_to_least_busy(
    client: Client, worker_wait: float | None = None
) -> Callable[[object], Future]:
    """A function sending a piece of data to the worker that has received the fewest pieces so
    far (straight to it unless the client says otherwise: `direct_to_workers`), once the cluster
    has a worker (`workers_to_send_to`)."""
    workers = workers_to_send_to(client, worker_wait)
    pieces_sent = dict.fromkeys(workers, 0)
    direct = client.direct_to_workers is not False

    def send(piece: object) -> Future:
        worker = min(workers, key=pieces_sent.__getitem__)
        pieces_sent[worker] += 1
        return client.scatter(piece, workers=[worker], direct=direct, hash=False)

    return send


def workers_to_send_to(client: Client, wait: float | None = None) -> list[str]:
    """The cluster's workers, once it has one. Without one, a task is submitted that needs none
    (an adaptive cluster starts workers for tasks, not for data to be sent: the run waited for
    one until Ctrl-C), and a worker not joined within `wait` seconds (None: `DATA_WORKER_WAIT`,
    read now: a default bound at definition ignored a setting of it) is a ParameterError naming
    the scheduler and what to do."""
    if wait is None:
        wait = DATA_WORKER_WAIT
    if not client.scheduler_info()["workers"]:
        request = client.submit(_worker_request, key=f"auditkit-worker-request-{uuid.uuid4().hex}")
        try:
            client.wait_for_workers(1, timeout=wait)
        except TimeoutError:
            address = client.scheduler.address
            raise ParameterError(
                "scheduler",
                f"a cluster with a worker to send the data in memory to within {wait:g} s (start "
                f"workers with `dask worker {address}`, or run on a converted folder, whose parts "
                "the workers read)",
                f"{address} with no worker",
            ) from None
        finally:
            request.release()
        check_workers_import_auditkit(client)
    return sorted(client.scheduler_info()["workers"])


def _worker_request() -> None:
    """The task that asks an adaptive cluster for a worker: it does nothing where it runs."""


def gather(
    client: Client,
    tasks: dict[str, Future],
    lost: str = "no findings were returned (a partial worklist would look complete)",
) -> list:
    """Each task's result, in order; the first failure cancels the rest and is raised, named,
    saying what is `lost`."""
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
            f"dask engine: {names[future.key]} failed: {_describe(error)}; {lost}"
        ) from error
    return [future.result() for future in tasks.values()]


def _describe(error: BaseException | None) -> str:
    from distributed import KilledWorker

    if isinstance(error, KilledWorker):
        return "the workers running it died repeatedly (out of memory, or killed)"
    return f"{type(error).__name__}: {error}"

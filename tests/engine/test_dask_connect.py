"""Connecting to a scheduler by address: another service's port, or a cluster without workers, is
a one-line error naming the address, never a hang nor a traceback."""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditkit import rules
from auditkit.engine import dask as dask_engine
from auditkit.errors import AuditkitError, ParameterError
from auditkit.pipeline import cluster as notebook_cluster
from auditkit.pipeline.pool import Task

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow  # starts a scheduler (and once a worker process)

#: Seconds the tests give a scheduler to answer, or workers to join: short, as a hang is tested.
SHORT = 0.5
#: Seconds a fake service keeps a connection before hanging up: far beyond SHORT, so a client
#: that waited for it (the old hang) sees the connection closed instead of its own bound.
HANG_UP_AFTER = 20.0
SSH_BANNER = b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"


@contextlib.contextmanager
def fake_service(greeting: bytes = b"") -> Iterator[str]:
    """The address of a TCP service on this machine that accepts connections, sends `greeting`
    (nothing: it waits for a request, as an HTTP server does) and says nothing more until it
    hangs up after HANG_UP_AFTER seconds."""
    listener = socket.create_server(("127.0.0.1", 0))
    stopped = threading.Event()

    def serve(connection: socket.socket) -> None:
        with connection:
            connection.sendall(greeting)
            stopped.wait(HANG_UP_AFTER)

    def accept() -> None:
        with contextlib.suppress(OSError):  # the listener closed
            while True:
                connection, _ = listener.accept()
                threading.Thread(target=serve, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stopped.set()
        listener.close()


def connect_to(address: str, **options: float) -> None:
    """Connect to the scheduler at `address` and leave."""
    with dask_engine.connect(address, **options):
        pass


@pytest.fixture(scope="module")
def workerless_scheduler() -> Iterator[str]:
    with distributed.LocalCluster(n_workers=0, dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


def test_a_port_that_waits_for_a_request_is_a_clear_error_not_a_hang():
    """A dashboard's or any HTTP port accepts the connection and waits: dask's handshake read
    waited with it, whatever its timeout (it bounds the TCP connection only)."""
    with fake_service() as address, pytest.raises(ParameterError) as raised:
        connect_to(address, timeout=SHORT)
    assert str(raised.value) == (
        "parameter 'scheduler': expected the address of a running dask scheduler "
        f"(tcp://host:8786) answering within {SHORT:g} s, found '{address} (no answer as a "
        f"dask scheduler within {SHORT:g} s)'"
    )


def test_a_port_whose_service_speaks_first_is_a_clear_error_not_a_traceback():
    """An SSH banner read as the length of a dask message asked numpy for 2.82 EiB."""
    with fake_service(SSH_BANNER) as address, pytest.raises(ParameterError) as raised:
        connect_to(address, timeout=SHORT)
    assert raised.value.name == "scheduler"
    assert raised.value.found.startswith(f"{address} (its answer is not a dask scheduler's: ")


def test_a_scheduler_without_workers_is_an_error_saying_to_start_them(workerless_scheduler):
    with pytest.raises(AuditkitError) as raised:
        connect_to(workerless_scheduler, worker_wait=SHORT)
    assert str(raised.value) == (
        f"dask engine: the cluster at {workerless_scheduler} has no workers (none joined within "
        f"{SHORT:g} s); start workers (dask worker {workerless_scheduler}) and run again"
    )


@pytest.fixture
def short_worker_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection of the engine and of notebook runs waits SHORT seconds for workers."""
    connect = functools.partial(dask_engine.connect, worker_wait=SHORT)
    monkeypatch.setattr(dask_engine, "connect", connect)
    monkeypatch.setattr(notebook_cluster, "connect", connect)


@pytest.mark.usefixtures("short_worker_wait")
def test_a_converted_folder_on_a_cluster_without_workers_stops_as_data_in_memory_does(
    workerless_scheduler, converted, utility
):
    """Parts read by the workers were sent to none and waited forever; data in memory, scattered
    to the workers, stopped at once: the same error now, on every path."""
    for dataset in (converted, utility):
        with pytest.raises(AuditkitError, match=r"has no workers \(none joined within 0\.5 s\)"):
            rules.run(dataset, engine="dask", scheduler=workerless_scheduler)


@pytest.mark.usefixtures("short_worker_wait")
def test_notebooks_on_a_cluster_without_workers_stop_with_the_same_error(
    workerless_scheduler, tmp_path: Path
):
    task = Task("A", tmp_path / "0001.json", tmp_path / "A", hard_limit=60.0)
    with pytest.raises(AuditkitError, match=r"has no workers \(none joined within 0\.5 s\)"):
        notebook_cluster.run_notebooks_on_cluster(
            [task], workerless_scheduler, lambda *_: None, tmp_path
        )


def test_a_worker_that_joins_within_the_wait_is_waited_for():
    """The near miss: a cluster whose worker joins while the run waits is no error."""
    with distributed.LocalCluster(
        n_workers=0, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        joining = threading.Timer(SHORT, cluster.scale, [1])
        joining.start()
        with dask_engine.connect(cluster.scheduler_address) as client:
            assert client.submit(sum, [1, 2]).result() == 3
        joining.join()

"""Connecting to a scheduler by address: another service's port is a one-line error naming the
address, never a hang nor a traceback, and a port where nothing listens is one within seconds; a
cluster whose workers join late is waited for, said once on stderr; data in memory, sent to a
worker, asks an adaptive cluster for one and is refused after a bounded wait on a cluster with
none."""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dask
import pandas as pd
import pytest
from plans import plan_for

import auditkit
from auditkit import rules
from auditkit.data.partitioned import MANIFEST_NAME, PartitionedDataset
from auditkit.engine import dask as dask_engine
from auditkit.engine.sources import MemorySource
from auditkit.errors import ParameterError
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


def test_a_port_that_waits_for_a_request_is_a_clear_error_not_a_hang():
    """A dashboard's or any HTTP port accepts the connection and waits: dask's handshake read
    waited with it, whatever its timeout (it bounds the TCP connection only)."""
    with fake_service() as address, pytest.raises(ParameterError) as raised:
        connect_to(address, timeout=SHORT)
    found = f"{address} (connected, but did not complete a dask scheduler's handshake within 0.5 s)"
    assert str(raised.value) == (
        "parameter 'scheduler': expected the address of a running dask scheduler "
        f"(tcp://host:8786) answering within {SHORT:g} s, found {found!r}"
    )


def test_the_handshake_is_bounded_by_dasks_connect_timeout_as_configured_when_connecting():
    """The bound was auditkit's 5 s, baked in at import as a default argument: dask's own
    setting, made after import, was ignored."""
    with (
        dask.config.set({"distributed.comm.timeouts.connect": f"{SHORT}s"}),
        fake_service() as address,
        pytest.raises(ParameterError, match=rf"handshake within {SHORT:g} s\)"),
    ):
        connect_to(address)


@contextlib.contextmanager
def slow_link(address: str, latency: float) -> Iterator[str]:
    """The address of a relay to the scheduler at `address` delivering everything `latency`
    seconds late, both ways: a healthy scheduler far away."""
    host, port = address.removeprefix("tcp://").rsplit(":", 1)
    listener = socket.create_server(("127.0.0.1", 0))
    connections: list[socket.socket] = []

    def relay(source: socket.socket, sink: socket.socket) -> None:
        pending: queue.Queue[tuple[float, bytes] | None] = queue.Queue()

        def deliver() -> None:
            with contextlib.suppress(OSError):  # either side closed
                while (item := pending.get()) is not None:
                    due, data = item
                    time.sleep(max(0.0, due - time.monotonic()))
                    sink.sendall(data)

        threading.Thread(target=deliver, daemon=True).start()
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                pending.put((time.monotonic() + latency, data))
        pending.put(None)

    def accept() -> None:
        with contextlib.suppress(OSError):  # the listener closed
            while True:
                near, _ = listener.accept()
                far = socket.create_connection((host, int(port)))
                connections.extend((near, far))
                for source, sink in ((near, far), (far, near)):
                    threading.Thread(target=relay, args=(source, sink), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for connection in connections:
            connection.close()


def test_a_healthy_scheduler_slower_than_the_timeout_in_all_is_connected():
    """Each answer within the timeout, the start in all beyond it (the bound of the whole start
    was one timeout): at 0.45 s a message, the handshake 0.45 s, the scheduler's identity on a
    connection of its own 0.45 + 2 x 0.45 = 1.35 s, its first message 2 x 0.45 = 0.9 s: 2.7 s
    in all, each under 2 s, the whole under 3 x 2 = 6 s."""
    with (
        distributed.LocalCluster(
            n_workers=1, processes=False, protocol="tcp://", dashboard_address=":0"
        ) as cluster,
        slow_link(cluster.scheduler_address, latency=0.45) as address,
        dask_engine.connect(address, timeout=2.0) as client,
    ):
        assert client.submit(sum, [1, 2]).result() == 3


def test_a_port_whose_service_speaks_first_is_a_clear_error_not_a_traceback():
    """An SSH banner read as the length of a dask message asked numpy for 2.82 EiB."""
    with fake_service(SSH_BANNER) as address, pytest.raises(ParameterError) as raised:
        connect_to(address, timeout=SHORT)
    assert raised.value.name == "scheduler"
    assert raised.value.found.startswith(f"{address} (its answer is not a dask scheduler's: ")


def waiting_line(address: str) -> str:
    """What the run says on stderr when no worker has joined within the (short) wait."""
    return (
        f"dask engine: waiting for a worker to join the cluster at {address} (none yet after "
        f"{SHORT:g} s); start workers with `dask worker {address}`, or Ctrl-C\n"
    )


@contextlib.contextmanager
def worker_joining_late() -> Iterator[str]:
    """The address of a scheduler whose one worker joins well after the (short) wait, as a
    batch queue's workers do minutes later."""
    with distributed.LocalCluster(
        n_workers=0, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        joining = threading.Timer(4 * SHORT, cluster.scale, [1])
        joining.start()
        yield cluster.scheduler_address
        joining.join()


@pytest.fixture
def short_worker_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection of the engine and of notebook runs waits SHORT seconds for workers."""
    connect = functools.partial(dask_engine.connect, worker_wait=SHORT)
    monkeypatch.setattr(dask_engine, "connect", connect)
    monkeypatch.setattr(notebook_cluster, "connect", connect)


def test_a_worker_joining_after_the_wait_is_said_on_stderr_and_then_used(capsys):
    """The wait had refused the cluster (an error saying to start workers): workers that join
    late, from a batch queue, never got the run."""
    with worker_joining_late() as address, dask_engine.connect(address, worker_wait=SHORT) as c:
        assert c.submit(sum, [1, 2]).result() == 3
    assert capsys.readouterr().err == waiting_line(address)


def test_an_adaptive_cluster_is_sent_the_tasks_that_make_it_start_workers(capsys):
    """An adaptive cluster with no worker yet starts one for the tasks it is sent: refusing it
    for having none before any task was sent meant it never did."""
    with distributed.LocalCluster(
        n_workers=0, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        cluster.adapt(minimum=0, maximum=1, interval="100ms")
        with dask_engine.connect(cluster.scheduler_address, worker_wait=SHORT) as client:
            assert client.submit(sum, [1, 2]).result() == 3
        assert capsys.readouterr().err == waiting_line(cluster.scheduler_address)


@pytest.mark.usefixtures("short_worker_wait")
def test_every_path_waits_for_a_worker_joining_late(converted, utility, whole_findings, capsys):
    """A converted folder's parts, data in memory (sent to a worker, so it waits for one) and
    notebook runs all go on when a worker joins after the wait."""
    for dataset in (converted, utility):
        with worker_joining_late() as address:
            found = rules.run(dataset, engine="dask", scheduler=address)
        pd.testing.assert_frame_equal(found, whole_findings)
        assert capsys.readouterr().err == waiting_line(address)


@pytest.mark.usefixtures("short_worker_wait")
def test_notebooks_wait_for_a_worker_joining_late(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
):
    monkeypatch.setattr(notebook_cluster, "_run_one", lambda task, _logs: {"status": task.name})
    task = Task("A", tmp_path / "0001.json", tmp_path / "A", hard_limit=60.0)
    with worker_joining_late() as address:
        results = notebook_cluster.run_notebooks_on_cluster(
            [task], address, lambda *_: None, tmp_path
        )
    assert results == {"A": {"status": "A"}}
    assert capsys.readouterr().err == waiting_line(address)


def test_a_worker_that_joins_within_the_wait_is_waited_for_without_a_word(capsys):
    """The near miss: a cluster whose worker joins while the run waits says nothing."""
    with distributed.LocalCluster(
        n_workers=0, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        joining = threading.Timer(SHORT, cluster.scale, [1])
        joining.start()
        with dask_engine.connect(cluster.scheduler_address) as client:
            assert client.submit(sum, [1, 2]).result() == 3
        joining.join()
    assert capsys.readouterr().err == ""


def test_an_address_where_nothing_listens_is_refused_within_seconds_not_dasks_30():
    """dask retried a refused connection for its whole connect timeout (30 s unless configured,
    34.5 s in all with the import) before saying it timed out; a TCP probe refuses it at once."""
    with socket.create_server(("127.0.0.1", 0)) as listener:  # a port free a moment ago
        port = listener.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    started = time.monotonic()
    with pytest.raises(ParameterError) as raised:
        connect_to(address)
    assert time.monotonic() - started < 5  # the probe's 3 s at most, and a loaded machine's room
    assert str(raised.value) == (
        "parameter 'scheduler': expected the address of a running dask scheduler "
        "(tcp://host:8786) answering within 30 s, found "
        f"'{address} (nothing listens at 127.0.0.1:{port}: Connection refused)'"
    )


def test_a_host_name_that_does_not_resolve_is_said_so_not_that_nothing_listens():
    """It was "nothing listens at no-such-host.invalid:8786": a typo of the host read as a
    scheduler not started."""
    with pytest.raises(ParameterError) as raised:
        connect_to("tcp://no-such-host.invalid:8786")
    assert raised.value.found.startswith(
        "tcp://no-such-host.invalid:8786 (the host name of no-such-host.invalid:8786 does not "
        "resolve: "
    )


def test_an_ipv6_host_is_bracketed_in_the_error():
    """::1:PORT read as a host and port ambiguously; [::1]:PORT is how an address writes it."""
    with pytest.raises(ParameterError) as raised:
        connect_to("tcp://[::1]:1")
    assert raised.value.found.startswith("tcp://[::1]:1 (nothing listens at [::1]:1: ")


def test_an_address_without_a_scheme_is_probed_and_a_live_one_connected():
    """The near miss: a scheduler's host:port without tcp:// is connected, probe and all."""
    with distributed.LocalCluster(
        n_workers=1, processes=False, protocol="tcp://", dashboard_address=":0"
    ) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        with dask_engine.connect(address) as client:
            assert client.submit(sum, [1, 2]).result() == 3


def finished_within(seconds: float, call: Callable[[], object]) -> object:
    """What `call` returns or raises, if it ends within `seconds`: a run that hangs fails the
    test instead of hanging it (its thread is left behind)."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = call()
        except Exception as error:  # raised again below, in the test's thread
            outcome["error"] = error

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(seconds)
    assert not runner.is_alive(), f"still running after {seconds:g} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


@pytest.mark.usefixtures("short_worker_wait")
def test_data_in_memory_makes_an_adaptive_cluster_scaled_to_none_start_a_worker(
    utility, whole_findings, capsys
):
    """Data in memory is sent to a worker, so no task reached the scheduler and an adaptive
    cluster at 0 workers started none: the run waited, its stderr line printed, until Ctrl-C.
    A task asking for a worker makes it start one, and the findings are the whole run's."""
    with distributed.LocalCluster(
        n_workers=0, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        cluster.adapt(minimum=0, maximum=1, interval="100ms")
        address = cluster.scheduler_address
        found = finished_within(120, lambda: rules.run(utility, engine="dask", scheduler=address))
    pd.testing.assert_frame_equal(found, whole_findings)
    assert capsys.readouterr().err == waiting_line(address)


@pytest.mark.usefixtures("short_worker_wait")
def test_data_in_memory_on_a_cluster_that_never_gets_a_worker_is_refused_after_the_wait(utility):
    """Not adaptive, no worker: refused after the bounded wait, naming the scheduler and what
    to do, where it waited until Ctrl-C."""
    source = MemorySource(utility, len(utility.bills))
    with distributed.LocalCluster(
        n_workers=0, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        address = cluster.scheduler_address
        started = time.monotonic()
        with pytest.raises(ParameterError) as raised:
            finished_within(
                60,
                lambda: dask_engine.run_parts_on_cluster(
                    source, plan_for(source), address, data_worker_wait=2 * SHORT
                ),
            )
        assert time.monotonic() - started < 30  # SHORT + 2 x SHORT of waits, and the planning
        assert cluster.scheduler.tasks == {}  # the task asking for a worker is not left behind
    assert str(raised.value) == (
        "parameter 'scheduler': expected a cluster with a worker to send the data in memory to "
        f"within 1 s (start workers with `dask worker {address}`, or run on a converted folder, "
        f"whose parts the workers read), found '{address} with no worker'"
    )


@pytest.mark.usefixtures("short_worker_wait")
def test_the_data_worker_wait_set_on_the_module_is_the_one_waited(
    utility, monkeypatch: pytest.MonkeyPatch
):
    """The default was bound when the module was defined: setting engine.dask.DATA_WORKER_WAIT,
    as docs/scale.md says, changed nothing (the run waited its 120 s)."""
    monkeypatch.setattr(dask_engine, "DATA_WORKER_WAIT", 2 * SHORT)
    source = MemorySource(utility, len(utility.bills))
    with (
        distributed.LocalCluster(
            n_workers=0, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        pytest.raises(ParameterError, match="to send the data in memory to within 1 s "),
    ):
        finished_within(
            60,
            lambda: dask_engine.run_parts_on_cluster(
                source, plan_for(source), cluster.scheduler_address
            ),
        )


@contextlib.contextmanager
def worker_process(
    address: str, folder: Path, with_auditkit: bool = True, auditkit_from: Path | None = None
) -> Iterator[subprocess.Popen]:
    """A worker process of the scheduler at `address` working in `folder`, importing auditkit
    from `auditkit_from` if given; without auditkit: Python's site-packages on its path without
    the files (.pth) that install auditkit's import (`-m` puts the working folder on the path:
    `folder` is not auditkit's source tree)."""
    site_packages = Path(distributed.__file__).resolve().parents[1]
    options = ["--no-nanny", "--nthreads", "1", "--no-dashboard"]
    python = [sys.executable] if with_auditkit else [sys.executable, "-S"]
    path = os.environ.get("PYTHONPATH", "") if with_auditkit else str(site_packages)
    if auditkit_from is not None:
        python, path = [sys.executable, "-S"], f"{auditkit_from}{os.pathsep}{site_packages}"
    worker = subprocess.Popen(
        [*python, "-m", "distributed.cli.dask_worker", address, *options],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": path},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield worker
    finally:
        worker.send_signal(signal.SIGCONT)  # a stopped one ends too
        worker.terminate()
        worker.wait(timeout=30)


def test_a_worker_that_cannot_import_auditkit_is_a_clear_error_not_a_silent_wait(
    converted, tmp_path: Path
):
    """Such a worker died unpickling its first task, saying so in its own log only, and the run
    waited for a worker until Ctrl-C (still waiting after 60 s here)."""
    with (
        distributed.LocalCluster(
            n_workers=0, processes=False, protocol="tcp://", dashboard_address=":0"
        ) as cluster,
        worker_process(cluster.scheduler_address, tmp_path, with_auditkit=False),
    ):
        address = cluster.scheduler_address
        cluster.wait_for_workers(1, timeout=60)
        worker = next(iter(cluster.scheduler.workers))
        with pytest.raises(ParameterError) as raised:
            finished_within(60, lambda: rules.run(converted, engine="dask", scheduler=address))
    assert raised.value.expected == (
        f"a cluster whose workers run this auditkit, {ours()} (install it where they run)"
    )
    assert raised.value.found == (
        f"{address} (worker {worker} cannot import auditkit: ModuleNotFoundError: No module "
        "named 'auditkit')"
    )


def ours() -> str:
    """This process's auditkit as errors name it: version and source digest."""
    version, source = dask_engine.installed_auditkit()
    return f"{version} (source {source})"


def auditkit_copy(folder: Path, edit: Callable[[Path], None] = lambda _package: None) -> Path:
    """A folder holding a copy of this auditkit, its package folder changed by `edit`."""
    shutil.copytree(Path(auditkit.__file__).parent, folder / "auditkit")
    edit(folder / "auditkit")
    return folder


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def refusal_by_a_worker_running(package: Path, tmp_path: Path) -> str | None:
    """What the ParameterError of connecting to a cluster whose one worker imports auditkit from
    `package` found, after "ADDRESS (worker WORKER "; None if it connected."""
    with (
        distributed.LocalCluster(
            n_workers=0, processes=False, protocol="tcp://", dashboard_address=":0"
        ) as cluster,
        worker_process(cluster.scheduler_address, tmp_path, auditkit_from=package),
    ):
        cluster.wait_for_workers(1, timeout=60)
        worker = next(iter(cluster.scheduler.workers))
        try:
            finished_within(60, lambda: connect_to(cluster.scheduler_address))
        except ParameterError as error:
            assert error.name == "scheduler"
            return error.found.removeprefix(f"{cluster.scheduler_address} (worker {worker} ")
    return None


def test_a_worker_running_an_older_auditkit_is_named_with_both_versions(tmp_path: Path):
    """find_spec("auditkit") only asked whether one was installed: a worker with an older one
    passed and computed the money of its older rules, silently."""
    package = auditkit_copy(
        tmp_path / "old",
        lambda copy: replace_in(
            copy / "__init__.py", f'__version__ = "{auditkit.__version__}"', '__version__ = "0.0.9"'
        ),
    )
    found = refusal_by_a_worker_running(package, tmp_path)
    assert found is not None
    assert found.startswith("runs auditkit 0.0.9 (source ")


def test_a_worker_with_other_rules_under_the_same_version_is_named(tmp_path: Path):
    """Same version number, one rule's source changed: other money, silently."""
    package = auditkit_copy(
        tmp_path / "edited",
        lambda copy: (copy / "rules" / "__init__.py").write_text(
            (copy / "rules" / "__init__.py").read_text(encoding="utf-8") + "\n# edited\n",
            encoding="utf-8",
        ),
    )
    found = refusal_by_a_worker_running(package, tmp_path)
    assert found is not None
    assert found.startswith(f"runs auditkit {auditkit.__version__} (source ")
    assert found != f"runs auditkit {ours()})"


def test_a_worker_whose_auditkit_fails_to_import_is_named_with_the_error(tmp_path: Path):
    """It passed find_spec (the package is there), then died unpickling its first task."""
    package = auditkit_copy(
        tmp_path / "broken",
        lambda copy: replace_in(
            copy / "__init__.py", "from", 'raise ImportError("pyarrow is too old")\nfrom'
        ),
    )
    found = refusal_by_a_worker_running(package, tmp_path)
    assert found == "cannot import auditkit: ImportError: pyarrow is too old)"


def test_a_worker_with_an_identical_auditkit_elsewhere_is_not_refused(tmp_path: Path):
    """The near miss: the same source at another path (another machine's install) passes."""
    assert refusal_by_a_worker_running(auditkit_copy(tmp_path / "same"), tmp_path) is None


def test_a_stopped_worker_is_named_after_the_check_timeout_not_waited_for_forever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """dask's client.run waits for every worker without a bound: one SIGSTOPped worker blocked
    every connection forever (main connected in 0.7 s, not checking workers)."""
    monkeypatch.setattr(dask_engine, "WORKER_CHECK_TIMEOUT", 1.0)
    with (
        distributed.LocalCluster(
            n_workers=0, processes=False, protocol="tcp://", dashboard_address=":0"
        ) as cluster,
        worker_process(cluster.scheduler_address, tmp_path) as process,
    ):
        address = cluster.scheduler_address
        cluster.wait_for_workers(1, timeout=60)
        worker = next(iter(cluster.scheduler.workers))
        process.send_signal(signal.SIGSTOP)
        started = time.monotonic()
        with pytest.raises(ParameterError) as raised:
            finished_within(30, lambda: connect_to(address))
        assert time.monotonic() - started < 15  # the 1 s bound, and a loaded machine's room
    assert (
        raised.value.found
        == f"{address} (worker {worker} did not answer within 1 s (stopped or hung))"
    )


def test_a_stopped_worker_is_named_by_the_folder_check_too(tmp_path: Path, monkeypatch):
    """The converted folder's check asked every worker without a bound, as the import check."""
    monkeypatch.setattr(dask_engine, "WORKER_CHECK_TIMEOUT", 1.0)
    (tmp_path / MANIFEST_NAME).write_text("{}", encoding="utf-8")
    with (
        distributed.LocalCluster(
            n_workers=0, processes=False, protocol="tcp://", dashboard_address=":0"
        ) as cluster,
        worker_process(cluster.scheduler_address, tmp_path) as process,
        distributed.Client(cluster) as client,
    ):
        cluster.wait_for_workers(1, timeout=60)
        worker = next(iter(cluster.scheduler.workers))
        dask_engine.check_workers_reach(client, tmp_path)  # the near miss: it answers
        process.send_signal(signal.SIGSTOP)
        with pytest.raises(ParameterError) as raised:
            finished_within(30, lambda: dask_engine.check_workers_reach(client, tmp_path))
    assert (
        raised.value.found
        == f"{tmp_path} (worker {worker} did not answer within 1 s (stopped or hung))"
    )


def test_a_converted_folder_opened_by_a_relative_path_is_read_by_workers_elsewhere(
    converted, whole_findings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The folder travelled by its path as opened, relative: a worker working in another folder
    died reopening it as it unpickled its first task, and the run waited until Ctrl-C."""
    monkeypatch.chdir(converted.root.parent)
    relative = PartitionedDataset(converted.root.name)
    with (
        distributed.LocalCluster(
            n_workers=0, processes=False, protocol="tcp://", dashboard_address=":0"
        ) as cluster,
        worker_process(cluster.scheduler_address, tmp_path),
    ):
        address = cluster.scheduler_address
        cluster.wait_for_workers(1, timeout=60)
        found = finished_within(60, lambda: rules.run(relative, engine="dask", scheduler=address))
    pd.testing.assert_frame_equal(found, whole_findings)


def test_a_converted_folder_a_worker_does_not_reach_is_a_clear_error(tmp_path: Path):
    """A worker without the shared file system is named, before any task is sent; the near
    miss, a folder every worker reaches, passes."""
    with (
        distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as client,
    ):
        (tmp_path / MANIFEST_NAME).write_text("{}", encoding="utf-8")
        dask_engine.check_workers_reach(client, tmp_path)
        worker = next(iter(cluster.scheduler.workers))
        with pytest.raises(ParameterError) as raised:
            dask_engine.check_workers_reach(client, tmp_path / "elsewhere")
    assert str(raised.value) == (
        "parameter 'dataset': expected a converted folder every worker reaches at the same path "
        f"(a shared file system), found '{tmp_path / 'elsewhere'} (not found by worker {worker})'"
    )

"""The dask engine on a LocalCluster of 2 worker processes: identical findings, clear faults."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import threading
import time
from pathlib import Path

import dask
import pandas as pd
import pytest

from auditkit import rules
from auditkit.data import DataValidationError
from auditkit.data.partitioned import MANIFEST_NAME, PartitionedDataset
from auditkit.errors import ParameterError

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow  # starts worker processes: about 20 s in all on 2 cores


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local_cluster:
        yield local_cluster


def test_dask_and_local_engines_give_identical_findings(
    cluster, utility, converted, whole_findings, by_parts
):
    address = cluster.scheduler_address
    in_memory = rules.run(utility, engine="dask", scheduler=address)
    pd.testing.assert_frame_equal(in_memory, whole_findings)
    stored = rules.run(converted, engine="dask", scheduler=address)
    pd.testing.assert_frame_equal(stored, whole_findings)
    assert stored.attrs["as_of"] == whole_findings.attrs["as_of"]
    # In many parts, spread over both workers.
    pd.testing.assert_frame_equal(by_parts(utility, scheduler=address), whole_findings)
    pd.testing.assert_frame_equal(by_parts(converted, scheduler=address), whole_findings)


def test_consumption_drop_on_daily_reads_reads_them_on_the_workers(
    cluster, daily_utility, daily_converted, by_parts
):
    params = {"consumption_drop": {"source": "daily_reads"}}
    expected = rules.run(daily_utility, params=params)
    # the falls of tampered meters are left to meter_event_unresolved, here as on the workers
    assert (expected["rule_id"] == "consumption_drop").sum() >= 3
    left = [note for note in expected.attrs["notes"] if note.startswith("consumption_drop: ")]
    assert left
    address = cluster.scheduler_address
    in_memory = rules.run(daily_utility, engine="dask", scheduler=address, params=params)
    pd.testing.assert_frame_equal(in_memory, expected)
    parts = by_parts(daily_converted, scheduler=address, params=params)
    pd.testing.assert_frame_equal(parts, expected)
    for found in (in_memory, parts):
        assert [
            note for note in found.attrs["notes"] if note.startswith("consumption_drop: ")
        ] == left


def test_a_scheduler_that_does_not_answer_is_a_clear_error_within_seconds(utility):
    started = time.monotonic()
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "5s"}),  # dask's own, 30 s
        pytest.raises(ParameterError, match=r"scheduler.*within 5 s.*tcp://127\.0\.0\.1:9 "),
    ):
        rules.run(utility, engine="dask", scheduler="tcp://127.0.0.1:9")
    # The configured 5 s, with room for a loaded machine.
    assert time.monotonic() - started < 20


def test_a_local_cluster_beside_another_warns_of_no_port_in_use():
    import socket
    import warnings

    from auditkit.engine.dask import connect

    with socket.socket() as taken:  # the default dashboard port busy, as another run holds it
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with contextlib.suppress(OSError):  # busy already: all the better
            taken.bind(("127.0.0.1", 8787))
            taken.listen()
        with warnings.catch_warnings(record=True) as caught, connect(None) as client:
            warnings.simplefilter("always")
            assert client.submit(sum, [1, 2]).result() == 3
    assert [
        str(warning.message) for warning in caught if "already in use" in str(warning.message)
    ] == []


def test_a_worker_killed_mid_run_is_replaced_and_no_finding_is_lost(
    cluster, converted, whole_findings
):
    address = cluster.scheduler_address
    with distributed.Client(address) as client:
        pids = client.run(os.getpid)
        outcome: dict[str, object] = {}

        def run() -> None:
            outcome["findings"] = rules.run(converted, engine="dask", scheduler=address)

        runner = threading.Thread(target=run)
        runner.start()
        killed = None
        deadline = time.monotonic() + 60
        while killed is None and time.monotonic() < deadline:
            for worker, keys in client.processing().items():
                if any("auditkit-rules" in str(key) for key in keys):
                    os.kill(pids[worker], signal.SIGKILL)
                    killed = worker
                    break
            time.sleep(0.005)
        runner.join(timeout=120)
        assert killed is not None, "no rules task was seen running"
        assert killed not in client.run(os.getpid)  # that worker process is gone
    pd.testing.assert_frame_equal(outcome["findings"], whole_findings)
    cluster.wait_for_workers(2, timeout=60)


def test_a_part_that_cannot_be_read_stops_the_run_naming_its_file(cluster, converted, tmp_path):
    root = Path(shutil.copytree(converted.root, tmp_path / "copy"))
    opened = PartitionedDataset(root)  # checked here, damaged before the workers read it
    victim = opened.partitions[3].relative_path("bills")
    (root / victim).write_bytes(b"not parquet")
    manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    manifest["partitions"][3]["bytes"]["bills"] = len(b"not parquet")
    (root / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    # its bytes hash otherwise than convert recorded: refused as changed at the first read
    with pytest.raises(DataValidationError, match=re.escape(victim) + ".*changed since conversion"):
        rules.run(opened, engine="dask", scheduler=cluster.scheduler_address)

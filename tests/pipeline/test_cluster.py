"""Per-district notebook runs sent to the workers of a dask cluster, with a local run's outputs."""

from __future__ import annotations

import json
import os

import pytest
from pipeline_helpers import write_notebook

from auditkit.pipeline.jobs import jobs_for_notebook
from auditkit.pipeline.runs import RunOptions, execute_run

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow  # executes notebooks: about 30 s on 2 cores

PARAMETERS = """data_dir: str = ""  # dataset folder
district: str = "A"  # district to audit
fail_in: str = ""  # the district whose run fails
output_dir: str = ""  # where the run's files go
"""
HOSTILE = "C/..\nD"  # a district name that must not choose a path (nor a log's name)
BODY = """import psutil
from pathlib import Path
if district == fail_in:
    raise ValueError(f"no data for {district}")
ancestors = [process.pid for process in psutil.Process().parents()]
Path(output_dir).mkdir(parents=True, exist_ok=True)
Path(output_dir, "ancestors.csv").write_text("\\n".join(map(str, ancestors)), encoding="utf-8")
print(district)
"""


def test_each_district_runs_on_a_worker_and_a_failure_stays_its_own(tmp_path):
    notebook = write_notebook(tmp_path / "notebooks" / "audit.ipynb", PARAMETERS, BODY)
    data = tmp_path / "data"  # beside the outputs: a run is never written into its data
    data.mkdir()
    jobs = jobs_for_notebook(
        notebook,
        {"district": "*", "fail_in": "B", "data_dir": str(data)},
        districts_of=lambda _: ["A", "B", HOSTILE],
    )
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        worker_pids = set(client.run(os.getpid).values())
        options = RunOptions(
            outputs=tmp_path / "outputs",
            time_limit=120,
            progress=False,
            scheduler=cluster.scheduler_address,
        )
        outcome = execute_run(jobs, options, "run-all")

    records = {record["name"]: record for record in outcome.manifest["notebooks"]}
    statuses = {name: record["status"] for name, record in records.items()}
    assert statuses == {"A": "ok", "B": "failed", HOSTILE: "ok"}
    assert "no data for B" in records["B"]["error"]
    assert outcome.failed == ["B"]
    manifest = json.loads((outcome.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed"
    assert manifest["scheduler"].startswith("tcp://")
    for name in ("A", HOSTILE):
        folder = outcome.run_dir / records[name]["folder"]
        assert folder.parent == outcome.run_dir
        assert (folder / "audit.ipynb").is_file() and (folder / "report.html").is_file()
        assert records[name]["files"] == ["ancestors.csv"]
        assert records[name]["peak_rss_mb"]["kernel"] > 0
        ancestors = {int(pid) for pid in (folder / "ancestors.csv").read_text().split()}
        assert ancestors & worker_pids, "the kernel did not descend from a cluster worker"
    assert (outcome.run_dir / "B" / "audit.ipynb").is_file()  # the failed run is kept to read
    assert not list(outcome.run_dir.glob(".*"))  # no spec or partial folders left
    folders = {record["folder"] for record in records.values()}
    top = {p.name for p in outcome.run_dir.iterdir()} - {"logs"}
    assert top == folders | {"index.html", "manifest.json"}
    logs = outcome.run_dir / "logs"
    assert (
        {p.name for p in logs.iterdir()} <= {f"{f}.log" for f in folders} if logs.exists() else True
    )


def test_a_scheduler_that_does_not_answer_leaves_no_partial_folder(tmp_path):
    import socket

    from auditkit.errors import ParameterError

    with socket.socket() as unused:  # a port nobody listens on: bound here, never listening
        unused.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{unused.getsockname()[1]}"
        notebook = write_notebook(tmp_path / "notebooks" / "audit.ipynb", PARAMETERS, BODY)
        data = tmp_path / "data"
        data.mkdir()
        jobs = jobs_for_notebook(
            notebook, {"district": "A", "data_dir": str(data)}, districts_of=lambda _: ["A"]
        )
        outputs = tmp_path / "outputs"
        options = RunOptions(outputs=outputs, progress=False, scheduler=address)
        for _attempt in range(2):
            with pytest.raises(ParameterError, match="scheduler"):
                execute_run(jobs, options, "run-all")
    assert list(outputs.iterdir()) == []

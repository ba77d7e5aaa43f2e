"""Names from the data never choose where a run writes: every file stays inside its run folder."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from pipeline_helpers import write_notebook

from auditkit.errors import AuditkitError
from auditkit.paths import safe_name
from auditkit.pipeline.jobs import Job, jobs_for_notebook
from auditkit.pipeline.run_paths import job_folder
from auditkit.pipeline.runs import RunOptions, execute_run, verify_run

HOSTILE = ["../../x", "/tmp/x", "..", ".", "index.html", ".specs", "a/b", "a\nb", "x" * 300]

PARAMETERS = """data_dir: str = ""  # dataset folder
district: str = "A"  # district
output_dir: str = ""  # the job's folder in the run
"""
BODY = (
    "from auditkit import report\n"
    "import pandas as pd\n"
    "report.headline({'findings': 1}, title='t', subject=district, lang='en')\n"
    "_ = report.save_table(pd.DataFrame({'district': [district]}), report.report_dir(district),\n"
    "                      'findings')",
)


def _snapshot(folder: Path, skip: Path) -> dict[str, str]:
    """Every file under `folder` (but `skip`) with its content hash."""
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and skip not in path.parents
    }


@pytest.mark.slow
def test_hostile_district_names_write_only_inside_the_run_folder(tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "notebooks" / "audit.ipynb", PARAMETERS, *BODY)
    outputs = tmp_path / "work" / "outputs"
    data = tmp_path / "data"
    data.mkdir()
    (data / "districts.txt").write_text("\n".join(HOSTILE), encoding="utf-8")
    options = RunOptions(outputs=outputs, parallel=2, time_limit=120, progress=False)
    earlier = execute_run(
        jobs_for_notebook(
            notebook, {"district": "A", "data_dir": str(data)}, districts_of=lambda _: ["A"]
        ),
        options,
        "run",
    )
    earlier_files = _snapshot(earlier.run_dir, skip=tmp_path / "none")
    tmp_x_existed = Path("/tmp/x").exists()
    before = _snapshot(tmp_path, skip=outputs)

    jobs = jobs_for_notebook(
        notebook, {"district": "*", "data_dir": str(data)}, districts_of=lambda _: HOSTILE
    )
    outcome = execute_run(jobs, options, "run")

    assert outcome.failed == []
    assert _snapshot(tmp_path, skip=outputs) == before
    assert Path("/tmp/x").exists() == tmp_x_existed
    assert _snapshot(earlier.run_dir, skip=tmp_path / "none") == earlier_files
    assert verify_run(earlier.run_dir) == []
    run_dir = outcome.run_dir.resolve()
    assert sorted(p.name for p in outputs.iterdir()) == sorted(
        [earlier.run_dir.name, outcome.run_dir.name, "latest"]
    )
    records = outcome.manifest["notebooks"]
    assert [record["name"] for record in records] == HOSTILE
    for record in records:
        folder = run_dir / record["folder"]
        assert record["folder"] == safe_name(record["name"])
        assert folder.parent == run_dir and folder.is_dir()
        assert sorted(p.name for p in folder.iterdir()) == [
            "audit.ipynb",
            "findings.csv",
            "findings.parquet",
            "report.html",
        ]
        assert record["parameters"]["output_dir"] == str(outcome.run_dir / record["folder"])
        assert record["name"] in (folder / "findings.csv").read_text(encoding="utf-8-sig")
    top = sorted(p.name for p in run_dir.iterdir())
    assert top == sorted(["index.html", "manifest.json", *(r["folder"] for r in records)])
    assert verify_run(outcome.run_dir) == []


def test_a_folder_outside_the_run_is_refused(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    assert job_folder(run_dir, safe_name("../x")) == run_dir.resolve() / "%2E%2E%2Fx"
    for folder in ("..", ".", "../x", "/tmp/x", "a/b", ""):
        with pytest.raises(AuditkitError, match=r"outside the run folder|expected one folder"):
            job_folder(run_dir, folder)
    os.symlink(tmp_path, run_dir / "link")
    with pytest.raises(AuditkitError, match="outside the run folder"):
        job_folder(run_dir, "link")


def test_a_job_keeps_its_real_name_and_gets_a_safe_folder(tmp_path: Path) -> None:
    job = Job(tmp_path / "audit.ipynb", "../城东\n", {})
    assert job.name == "../城东\n" and job.folder == safe_name("../城东\n") == "%2E%2E%2F城东%0A"

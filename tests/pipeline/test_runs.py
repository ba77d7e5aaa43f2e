"""End to end on tiny notebooks: parallel runs, failures, time limits, manifest, reruns."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from pipeline_helpers import (
    FAILING_BODY,
    SLEEPER_BODY,
    SLEEPER_PARAMETERS,
    alive,
    two_districts,
    write_notebook,
)
from report_pages import normalized_report

from auditkit.pipeline import manifest as run_manifest
from auditkit.pipeline.jobs import jobs_for_notebook
from auditkit.pipeline.runs import (
    RunOptions,
    execute_run,
    jobs_from_manifest,
    latest_run_id,
    verify_run,
)

pytestmark = pytest.mark.slow


def _options(outputs: Path, **changes: object) -> RunOptions:
    return RunOptions(
        **({"outputs": outputs, "parallel": 2, "time_limit": 60, "progress": False} | changes)
    )


def test_failures_and_timeouts_are_recorded_and_leave_no_process(
    tmp_path: Path,
    tiny_notebook: Path,
    tiny_data: Path,
    short_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(short_tmp))  # where the kernels' sockets go
    failing = write_notebook(
        tmp_path / "notebooks" / "failing.ipynb", "n: int = 1\n", *FAILING_BODY
    )
    sleeper = write_notebook(
        tmp_path / "notebooks" / "sleeper.ipynb", SLEEPER_PARAMETERS, *SLEEPER_BODY
    )
    pid_file = tmp_path / "kernel.pid"
    jobs = [
        *jobs_for_notebook(
            tiny_notebook, {"district": "*", "data_dir": str(tiny_data)}, districts_of=two_districts
        ),
        *jobs_for_notebook(failing, {}),
        *jobs_for_notebook(sleeper, {"pid_file": str(pid_file)}),
    ]
    outputs = tmp_path / "outputs"
    outcome = execute_run(jobs, _options(outputs, time_limit=20), "run")

    status = {record["name"]: record["status"] for record in outcome.manifest["notebooks"]}
    assert status == {"A": "ok", "B": "ok", "failing": "failed", "sleeper": "timeout"}
    assert outcome.failed == ["failing", "sleeper"]
    assert outcome.manifest["status"] == "failed"
    assert not alive(int(pid_file.read_text()))
    assert list(short_tmp.iterdir()) == []  # every worker's sockets folder is gone with it

    run_dir = outcome.run_dir
    executed = json.loads((run_dir / "failing" / "failing.ipynb").read_text(encoding="utf-8"))
    error_cells = [
        c
        for c in executed["cells"]
        if any(o.get("output_type") == "error" for o in c.get("outputs", []))
    ]
    assert len(error_cells) == 1 and "no such column: kwh" in json.dumps(error_cells[0])
    assert (
        "KeyError"
        in next(r for r in outcome.manifest["notebooks"] if r["name"] == "failing")["error"]
    )
    sleeper_record = next(r for r in outcome.manifest["notebooks"] if r["name"] == "sleeper")
    assert sleeper_record["error"].startswith("time limit of 20 s exceeded in cell")
    interrupted = (run_dir / "sleeper" / "sleeper.ipynb").read_text(encoding="utf-8")
    assert "KeyboardInterrupt" in interrupted  # the cell past the deadline keeps its error
    assert not (run_dir / "failing" / "report.html").exists()
    assert (run_dir / "A" / "report.html").exists()
    assert sorted(p.name for p in (run_dir / "A").iterdir()) == [
        "findings.csv",
        "findings.parquet",
        "report.html",
        "tiny.ipynb",
    ]
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="failing/failing.ipynb"' in index and 'href="A/report.html"' in index

    record = outcome.manifest["notebooks"][0]
    assert record["headline"]["figures"] == {"findings": 4, "revenue_at_stake": 1273.75}
    assert record["parameters"] == {
        "data_dir": str(tiny_data),
        "district": "A",
        "lang": "zh",
        "top_n": 3,
    }
    assert record["peak_rss_mb"]["kernel"] > 0
    assert outcome.manifest["inputs"] == {str(tiny_data): run_manifest.hash_inputs(tiny_data)}
    for key in ("run_id", "started_at", "finished_at", "seed", "packages", "auditkit"):
        assert key in outcome.manifest
    assert not (outputs / "latest").exists()  # a failed run is kept, not made `latest`
    assert latest_run_id(outputs) is None
    assert outcome.manifest["registers_read"] == {}  # none of these notebooks reads one
    assert [p.name for p in outputs.iterdir() if p.name.startswith(".")] == []
    assert [r["folder"] for r in outcome.manifest["notebooks"]] == ["A", "B", "failing", "sleeper"]
    on_disk = {p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*") if p.is_file()} - {
        "manifest.json"
    }
    assert set(outcome.manifest["outputs"]) == on_disk and "index.html" in on_disk
    assert outcome.manifest["outputs"]["A/report.html"] == run_manifest.file_sha256(
        run_dir / "A" / "report.html"
    )


def test_rerun_reproduces_findings_and_report_and_verify_sees_changes(
    tmp_path: Path, tiny_notebook: Path, tiny_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = tmp_path / "params"
    params.mkdir()
    for name in ("rules.yaml", "billing.yaml"):
        (params / name).write_text(f"# {name}\n", encoding="utf-8")
    monkeypatch.setenv("AUDITKIT_PARAMS", str(params))
    jobs = jobs_for_notebook(
        tiny_notebook, {"district": "A", "data_dir": str(tiny_data)}, districts_of=two_districts
    )
    outputs = tmp_path / "outputs"
    first = execute_run(jobs, _options(outputs), "run")
    rerun_jobs, recorded = jobs_from_manifest(first.run_dir, notebooks_dir=tiny_notebook.parent)
    assert rerun_jobs == jobs and recorded["run_id"] == first.manifest["run_id"]
    second = execute_run(rerun_jobs, _options(outputs), "rerun", rerun_of=first.run_dir)
    assert second.run_dir != first.run_dir and first.run_dir.exists()
    assert second.manifest["rerun_of"] == str(first.run_dir)
    for name in ("findings.csv", "findings.parquet"):
        assert (first.run_dir / "tiny" / name).read_bytes() == (
            second.run_dir / "tiny" / name
        ).read_bytes()
    reports = [
        normalized_report(
            (outcome.run_dir / "tiny" / "report.html").read_text(encoding="utf-8"),
            outcome.manifest["run_id"],
        )
        for outcome in (first, second)
    ]
    assert reports[0] == reports[1]
    assert (outputs / "latest").resolve() == first.run_dir  # a rerun never moves latest

    assert verify_run(first.run_dir) == []
    assert sorted(first.manifest["input_files"]) == [
        str(params / "billing.yaml"),
        str(params / "rules.yaml"),
    ]
    (params / "rules.yaml").write_text("common:\n  severity_high_yuan: 1\n", encoding="utf-8")
    assert verify_run(first.run_dir) == [f"{params / 'rules.yaml'}: changed"]
    (params / "rules.yaml").write_text("# rules.yaml\n", encoding="utf-8")
    (tiny_data / "values.csv").write_text(
        "customer_id,district,amount,name\nc1,A,1,x\n", encoding="utf-8"
    )
    assert verify_run(first.run_dir) == [f"{tiny_data}/values.csv: changed"]

    job_dir = first.run_dir / "tiny"
    (job_dir / "report.html").write_text("<p>edited</p>", encoding="utf-8")
    with (job_dir / "findings.csv").open("a", encoding="utf-8") as findings:
        findings.write("c9,A,0,x\n")
    (job_dir / "findings.parquet").unlink()
    (job_dir / "extra.csv").write_text("x\n", encoding="utf-8")
    assert verify_run(first.run_dir) == [
        f"{tiny_data}/values.csv: changed",
        "output tiny/extra.csv: added",
        "output tiny/findings.csv: changed",
        "output tiny/findings.parquet: missing",
        "output tiny/report.html: changed",
    ]


def test_verify_names_the_code_and_packages_that_changed_since_the_run() -> None:
    now = {"python": "3.11.9", "auditkit": "0.9.0", "pandas": "2.2.3", "numpy": "2.1.0"}
    made = {
        "auditkit": {"version": "0.9.0", "commit": "b33aa12"},
        "packages": {**now, "pandas": "2.2.2"},
    }
    assert run_manifest.compare_code(made, "9c4823c", now) == [
        "auditkit code: commit b33aa12 at the run, 9c4823c now",
        "pandas: version 2.2.2 at the run, 2.2.3 now",
    ]
    same = {"auditkit": {"version": "0.9.0", "commit": "9c4823c"}, "packages": now}
    assert run_manifest.compare_code(same, "9c4823c", now) == []
    # Outside a git checkout the commit is unknown: the version tells instead.
    older = {"auditkit": {"version": "0.8.0", "commit": "unknown"}, "packages": now}
    assert run_manifest.compare_code(older, "unknown", now) == [
        "auditkit code: version 0.8.0 at the run, 0.9.0 now"
    ]
    assert run_manifest.compare_code({"auditkit": "edited"}, "9c4823c", now) == []


def test_a_failed_run_leaves_latest_on_the_last_good_run_and_says_so(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "flaky.ipynb", "fail: bool = False  # fail on purpose\n", "assert not fail"
    )
    outputs = tmp_path / "outputs"
    code = "import sys, auditkit.cli as c\nsys.exit(c.main(sys.argv[1:]))"

    def run(*parameters: str) -> subprocess.CompletedProcess[str]:
        command = ["run", str(notebook), *parameters, "--outputs", str(outputs), "--no-progress"]
        return subprocess.run(
            [sys.executable, "-c", code, *command], capture_output=True, text=True, timeout=300
        )

    good = run()
    assert good.returncode == 0, good.stderr
    good_dir = Path(good.stdout.splitlines()[-1]).parent
    assert (outputs / "latest").resolve() == good_dir

    bad = run("-p", "fail=true")
    assert bad.returncode == 1
    bad_dir = Path(bad.stdout.splitlines()[-1]).parent
    assert (outputs / "latest").resolve() == good_dir
    assert run_manifest.read_manifest(bad_dir)["status"] == "failed"
    assert "ak-status-failed" in (bad_dir / "index.html").read_text(encoding="utf-8")
    assert bad.stderr.splitlines()[-1] == (
        f"auditkit run: {outputs / 'latest'} still points at {good_dir.name}, the last run whose "
        f"notebooks all succeeded; this failed run is kept in {bad_dir}"
    )

    (outputs / "latest").unlink()
    again = run("-p", "fail=true")
    assert again.returncode == 1 and not (outputs / "latest").exists()
    assert again.stderr.splitlines()[-1].endswith(
        "latest is not set: no run here has succeeded yet; this failed run is kept in "
        f"{Path(again.stdout.splitlines()[-1]).parent}"
    )


def _cli(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    """The auditkit command in a child process (with the run commands registered)."""
    code = (
        "import sys, auditkit.cli as c, auditkit.cli.runs as r\n"
        "c._COMMAND_MODULES = c._COMMAND_MODULES if r in c._COMMAND_MODULES else (*c._COMMAND_MODULES, r)\n"
        "sys.exit(c.main(sys.argv[1:]))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        text=True,
        preexec_fn=_ctrl_c_as_at_a_terminal,
        **kwargs,
    )


def _ctrl_c_as_at_a_terminal() -> None:
    """In the child before it starts: Ctrl-C neither ignored nor blocked, as a command typed at
    a terminal gets it (a test worker's process may hold SIGINT otherwise, and a child inherits
    both: Python then never installs its handler, and the run would sleep on)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_everything_and_publishes_nothing(tmp_path: Path, short_tmp: Path) -> None:
    sleeper = write_notebook(tmp_path / "sleeper.ipynb", SLEEPER_PARAMETERS, *SLEEPER_BODY)
    pid_file = tmp_path / "kernel.pid"
    outputs = tmp_path / "outputs"
    process = _cli(
        "run",
        str(sleeper),
        "-p",
        f"pid_file={pid_file}",
        "--outputs",
        str(outputs),
        "--no-progress",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(short_tmp)},
    )
    deadline = time.monotonic() + 90
    while not (pid_file.exists() and pid_file.read_text()):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.2)
    kernel = int(pid_file.read_text())
    assert alive(kernel)
    os.kill(process.pid, signal.SIGINT)
    # About 5 s alone; a machine busy with the rest of the suite has taken over 60 s.
    _, stderr = process.communicate(timeout=180)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    assert not alive(kernel)
    assert not (outputs / "latest").exists()
    assert list(outputs.iterdir()) == []  # nothing was written but bookkeeping: nothing is left
    assert list(short_tmp.glob("auditkit-kernel*")) == []  # nor the kernel's sockets


def test_a_rerun_of_an_older_run_leaves_latest_on_the_newest_run_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rerun moved `latest`: last month's run, rerun to check it, became the run a reviewer
    opened as the newest (and `verify outputs/latest` checked it)."""
    from auditkit import cli

    outputs = tmp_path / "outputs"
    quiet = ["--outputs", str(outputs), "--jobs", "1", "--no-progress"]
    notebook = write_notebook(tmp_path / "notebooks" / "plain.ipynb", "n: int = 1\n", "x = n")
    run = ["run", str(notebook), *quiet]
    assert cli.main(run) == 0
    older = outputs / str(latest_run_id(outputs))
    assert cli.main(run) == 0  # near miss: a run moves latest, as ever
    newest = latest_run_id(outputs)
    assert newest != older.name
    capsys.readouterr()
    rerun = ["rerun", str(older), "--notebooks-dir", str(notebook.parent), *quiet]
    assert cli.main(rerun) == 0
    out, err = capsys.readouterr()
    repeated = Path(out.splitlines()[-1]).parent
    assert latest_run_id(outputs) == newest
    assert err.splitlines()[-1] == (
        f"auditkit rerun: {outputs / 'latest'} stays on {newest}: a rerun never moves it "
        f"(this one repeats {older})"
    )
    assert run_manifest.read_manifest(repeated)["rerun_of"] == str(older)
    assert sorted(path.name for path in outputs.iterdir()) == sorted(
        [older.name, newest, repeated.name, "latest"]
    )

"""A district report run with --db, as a user types it: the month recorded before the notebook
runs, the report's "since last month" read from that register, the password nowhere in what the
run prints or writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from databases import fresh_postgres_database
from pipeline_helpers import one_finding, write_notebook

from auditkit import data, synth
from auditkit.register import Register

SECRET = "s3cret-Pa55"


@pytest.fixture(scope="module")
def utility(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = synth.SynthConfig(customers=600, districts=2, months=24, seed=5)
    return Path(synth.write(synth.generate(config), tmp_path_factory.mktemp("u"), config=config))


def _run(*arguments: str, outputs: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "auditkit", "run", "district_audit", "--outputs",
               str(outputs), "--jobs", "1", "--no-progress", *arguments]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_a_run_with_a_team_database_records_the_month_and_never_shows_its_password(
    utility: Path, postgres_server, tmp_path: Path
) -> None:
    database = fresh_postgres_database(postgres_server).set(password=SECRET)
    url = database.render_as_string(hide_password=False)  # the test server trusts any password
    district = data.load(utility).districts[0]
    outputs = tmp_path / "outputs"
    parameters = ["-p", f"data_dir={utility}", "-p", f"district={district}"]

    earlier = _run(*parameters, "-p", "as_of=2024-11", "--db", url, outputs=outputs)
    assert earlier.returncode == 0, earlier.stderr
    first = _run(*parameters, "-p", "as_of=2024-12", "--db", url, outputs=outputs)
    assert first.returncode == 0, first.stderr
    again = _run(*parameters, "-p", "as_of=2024-12", "--db", url, outputs=outputs)
    assert again.returncode == 0, again.stderr

    with Register.open(url) as register:
        runs = register.runs()
    assert sorted(runs["as_of"]) == ["2024-11", "2024-12"]  # the third run recorded nothing
    assert set(runs["district"]) == {district}

    for process in (earlier, first, again):
        assert SECRET not in process.stdout + process.stderr
    written = [path for path in outputs.rglob("*") if path.is_file()]
    assert written and not [path for path in written if SECRET.encode() in path.read_bytes()]

    reports = sorted(outputs.glob("2*/district_audit/report.html"))  # run folders sort by time
    assert len(reports) == 3
    recorded = reports[1].read_text(encoding="utf-8")
    assert 'id="sec-since_by_status"' in recorded  # the month compared with 2024-11
    manifests = [(path.parent.parent / "manifest.json").read_text("utf-8") for path in reports]
    assert '"already_recorded": false' in manifests[1] and "***" in manifests[1]
    assert '"already_recorded": true' in manifests[2]


def _auditkit(*arguments: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "auditkit", *arguments, "--jobs", "1", "--no-progress"]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=cwd, env=env)


@pytest.mark.slow
def test_a_register_in_a_new_relative_outputs_folder_is_the_one_kernels_and_reruns_read(
    utility: Path, tmp_path: Path
) -> None:
    import os

    from auditkit.paths import notebooks_dir

    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    relative = environment | {"AUDITKIT_OUTPUTS": "rel"}  # a folder not made yet, kernels elsewhere
    district = data.load(utility).districts[0]
    for month in ("2024-11", "2024-12"):
        run = _auditkit(
            "run", "district_audit", "-p", f"data_dir={utility}", "-p", f"district={district}",
            "-p", f"as_of={month}", "--register", cwd=tmp_path, env=relative,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
    assert (tmp_path / "rel" / "register.sqlite").is_file()
    assert not (notebooks_dir() / "rel").exists()
    first = Path(run.stdout.splitlines()[-1]).parent
    assert 'id="sec-since_by_status"' in (first / "district_audit" / "report.html").read_text(
        "utf-8"
    )

    # Into other outputs, where no register is: the rerun still reads the one the run read.
    rerun = _auditkit("rerun", str(first), "--outputs", "other", cwd=tmp_path, env=environment)
    assert rerun.returncode == 0, rerun.stderr
    assert "warning" not in rerun.stderr
    second = Path(rerun.stdout.splitlines()[-1]).parent
    assert second.parent == tmp_path / "other"
    assert 'id="sec-since_by_status"' in (second / "district_audit" / "report.html").read_text(
        "utf-8"
    )
    manifest = (second / "manifest.json").read_text("utf-8")
    assert '"already_recorded": true' in manifest and str(tmp_path / "rel" / "register") in manifest


@pytest.mark.slow
def test_verify_names_a_register_changed_since_the_run_and_rerun_refuses_unless_allowed(
    tiny_data: Path, tmp_path: Path
) -> None:
    import os

    register_file = tmp_path / "team.sqlite"
    url = f"sqlite:///{register_file}"
    Register.open(url).close()  # an empty, migrated register
    notebook = write_notebook(
        tmp_path / "reader.ipynb",
        'data_dir: str = ""  # dataset\n',
        "from auditkit.register.location import open_report_register\n"
        "register = open_report_register(data_dir)\n"
        "print(len(register.runs()))",
    )
    environment = {**os.environ, "AUDITKIT_DB": url}
    environment.pop("AUDITKIT_RUN_DB", None)
    outputs = tmp_path / "outputs"

    def auditkit(*arguments: str) -> subprocess.CompletedProcess[str]:
        return _auditkit(*arguments, cwd=tmp_path, env=environment)

    run = auditkit("run", str(notebook), "-p", f"data_dir={tiny_data}", "--outputs", str(outputs))
    assert run.returncode == 0, run.stderr
    run_dir = Path(run.stdout.splitlines()[-1]).parent
    verified = _verify(run_dir, environment)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "inputs, findings register, notebooks and outputs unchanged" in verified.stdout

    with Register.open(url) as register:
        register.record_run(one_finding(), run_id="2024-07", as_of="2024-07", district=None)
    shown = f"register sqlite+pysqlite:///{register_file}: changed"
    verified = _verify(run_dir, environment)
    assert verified.returncode == 1
    assert verified.stdout.splitlines() == [
        f"{run_dir.name}: {shown} (finding_runs 0 → 1 rows, findings 0 → 1 rows, runs 0 → 1 rows)"
    ]

    rerun = ["rerun", str(run_dir), "--notebooks-dir", str(notebook.parent)]
    refused = auditkit(*rerun, "--outputs", str(outputs))
    assert refused.returncode == 2 and refused.stdout == ""
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith(f"auditkit rerun: error: {run_dir.name}: {shown}")
    assert line.endswith("--allow-register-change reruns on it anyway")
    assert sorted(path.name for path in outputs.iterdir()) == [run_dir.name, "latest"]

    allowed = auditkit(*rerun, "--outputs", str(outputs), "--allow-register-change")
    assert allowed.returncode == 0, allowed.stderr
    assert f"auditkit rerun: warning: since {run_dir.name}: {shown}" in allowed.stderr


def _verify(run_dir: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "auditkit", "verify", str(run_dir)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


#: `auditkit` in a child process that sends itself SIGTERM, as a scheduler stopping the run
#: would, right after the step its first argument names: the findings of the register step
#: written (its history not yet, the transaction open), or the run's input files hashed.
STOPPED_AFTER = (
    "import os, signal, sys\n"
    "from auditkit.pipeline import manifest\n"
    "from auditkit.register import store\n"
    "def stopped(step):\n"
    "    def stop(*arguments, **keywords):\n"
    "        done = step(*arguments, **keywords)\n"
    "        os.kill(os.getpid(), signal.SIGTERM)\n"
    "        return done\n"
    "    return stop\n"
    "if sys.argv.pop(1) == 'register':\n"
    "    store._write_findings = stopped(store._write_findings)\n"
    "else:\n"
    "    manifest.hash_files = stopped(manifest.hash_files)\n"
    "from auditkit.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@pytest.mark.slow
def test_sigterm_before_the_notebooks_ends_interrupted_and_leaves_the_register_whole(
    utility: Path, tmp_path: Path
) -> None:
    """SIGTERM in the register step, or while the run's inputs were hashed, exited 143 without
    a word (the notebooks' phase already ended "interrupted", 130)."""
    import os

    district = data.load(utility).districts[0]
    outputs = tmp_path / "outputs"
    environment = {name: value for name, value in os.environ.items() if name != "AUDITKIT_RUN_DB"}
    for step in ("register", "hashing"):
        url = f"sqlite:///{tmp_path / f'{step}.sqlite'}"
        stopped = subprocess.run(
            [sys.executable, "-c", STOPPED_AFTER, step, "run", "district_audit",
             "-p", f"data_dir={utility}", "-p", f"district={district}", "-p", "as_of=2024-12",
             "--outputs", str(outputs), "--jobs", "1", "--no-progress", "--db", url],
            capture_output=True, text=True, timeout=600, env=environment,
        )  # fmt: skip
        assert stopped.returncode == 130, (step, stopped.stderr)
        assert stopped.stderr.splitlines()[-1] == "auditkit run: interrupted"
        assert stopped.stdout == "" and list(outputs.glob("*")) == []  # no run folder
        with Register.open(url) as register:
            runs = register.runs()
            findings = register.findings(refuse_unknown_district=False)
        if step == "register":  # stopped inside the month's transaction: rolled back whole
            assert len(runs) == 0 and len(findings) == 0
        else:  # stopped after the register step: the month stays, recorded whole
            assert list(runs["as_of"]) == ["2024-12"]
            assert len(findings) == runs["findings"].iloc[0] > 0

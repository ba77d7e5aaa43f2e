"""The run commands: help on each, bad input as one clear line and a non-zero exit."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from databases import fresh_postgres_database
from lock_files import libreoffice_lock
from pipeline_helpers import one_finding, write_notebook

from auditkit import cli, synth
from auditkit.cli import runs
from auditkit.errors import AuditkitError
from auditkit.pipeline import manifest as run_manifest
from auditkit.pipeline.partials import OWNER_NAME, owned_partial
from auditkit.pipeline.runs import parameter_files_moved
from auditkit.register import Register
from auditkit.register.location import RUN_DB_ENV
from auditkit.register.store import fingerprint


@pytest.fixture
def auditkit(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], int]:
    """`auditkit.cli.main` with the run commands registered (however the CLI list is wired)."""
    if runs not in cli._COMMAND_MODULES:
        monkeypatch.setattr(cli, "_COMMAND_MODULES", (*cli._COMMAND_MODULES, runs))
    return cli.main


@pytest.mark.parametrize("command", ["run", "run-all", "verify", "rerun", "demo", "clean"])
def test_every_command_has_help(
    auditkit: Callable[[list[str]], int], command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        auditkit([command, "--help"])
    assert exited.value.code == 0
    assert f"usage: auditkit {command}" in capsys.readouterr().out


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_bad_parameters_are_one_line_each(
    auditkit: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook = write_notebook(tmp_path / "n.ipynb", 'top_n: int = 3  # rows\nlang: str = "zh"\n')
    assert auditkit(["run", str(notebook), "-p", "colour=red", "--outputs", str(tmp_path)]) == 2
    assert "unknown parameter 'colour' for n.ipynb" in _one_error_line(capsys)
    assert auditkit(["run", str(notebook), "-p", "top_n=lots", "--outputs", str(tmp_path)]) == 2
    assert "parameter 'top_n': expected a value of type int, found 'lots'" in _one_error_line(
        capsys
    )
    params = tmp_path / "p.yaml"
    params.write_text("lang: fr\n", encoding="utf-8")
    assert (
        auditkit(["run", str(notebook), "--params", str(params), "--outputs", str(tmp_path)]) == 2
    )
    assert "p.yaml: parameter 'lang'" in _one_error_line(capsys)
    assert auditkit(["run", "no_such_notebook", "--outputs", str(tmp_path)]) == 2
    assert "'NOTEBOOK'" in _one_error_line(capsys)
    assert auditkit(["verify", str(tmp_path)]) == 2
    assert "expected a folder with manifest.json" in _one_error_line(capsys)
    assert list(tmp_path.iterdir()) == [notebook, params]  # nothing ran, nothing written


def test_unknown_district_names_the_parameter(
    auditkit: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditkit.demo import demo_data_dir

    code = auditkit(
        [
            "run",
            "district_audit",
            "-p",
            "district=火星",
            "-p",
            f"data_dir={demo_data_dir()}",
            "--outputs",
            str(tmp_path),
        ]
    )
    assert code == 2
    line = _one_error_line(capsys)
    assert "parameter 'district'" in line and "城东" in line and "'火星'" in line


def test_a_dataset_breaking_its_contract_stops_the_run_before_any_folder(
    auditkit: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pandas as pd

    from auditkit.demo import demo_data_dir
    from auditkit.pipeline.jobs import dataset_districts

    data = tmp_path / "data"
    data.mkdir()
    for table in ("bills", "tariffs"):
        (data / f"{table}.parquet").write_bytes((demo_data_dir() / f"{table}.parquet").read_bytes())
    customers = pd.read_parquet(demo_data_dir() / "customers.parquet")
    # One customer written twice: a key the cell-by-cell checks cannot see.
    pd.concat([customers, customers.iloc[[0]]]).to_parquet(data / "customers.parquet")
    outputs = tmp_path / "outputs"
    dataset_districts.cache_clear()
    code = auditkit(
        ["run", "district_audit", "-p", "district=城东", "-p", f"data_dir={data}",
         "--outputs", str(outputs)]
    )  # fmt: skip
    assert code == 2
    error = capsys.readouterr().err
    assert "customers.parquet" in error and "customer_id" in error
    assert not outputs.exists()


@pytest.mark.parametrize("given", ["0", "-5", "nan", "inf", "1e300", "soon"])
def test_a_timeout_must_be_seconds_up_to_a_week_before_anything_runs(
    auditkit: Callable[[list[str]], int],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    given: str,
) -> None:
    outputs = tmp_path / "outputs"
    with pytest.raises(SystemExit) as exited:
        auditkit(["run-all", "--timeout", given, "--outputs", str(outputs)])
    assert exited.value.code == 2
    assert (
        f"expected seconds > 0 and at most 604,800 (a week), found {given!r}"
        in capsys.readouterr().err
    )
    assert not outputs.exists()


def test_jobs_must_be_positive(
    auditkit: Callable[[list[str]], int], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        auditkit(["run-all", "--jobs", "0"])
    assert exited.value.code == 2
    assert "expected a whole number >= 1, found '0'" in capsys.readouterr().err


def _run_folder(folder: Path) -> Path:
    """A published run folder as the pipeline leaves it: job files, index, logs, manifest."""
    (folder / "城东").mkdir(parents=True)
    (folder / "城东" / "report.html").write_text("<p>城东</p>", encoding="utf-8")
    (folder / "城东" / "findings.csv").write_text("id\n1\n", encoding="utf-8")
    (folder / "logs").mkdir()
    (folder / "logs" / "worker-1.log").write_text("said something\n", encoding="utf-8")
    (folder / "index.html").write_text("<p>index</p>", encoding="utf-8")
    manifest = {"format": run_manifest.FORMAT_VERSION, "run_id": folder.name, "inputs": {}}
    manifest |= {"input_files": run_manifest.hash_files(run_manifest.parameter_files())}
    manifest |= {"notebooks": [], "outputs": run_manifest.hash_outputs(folder)}
    run_manifest.write_manifest(folder, manifest)
    return folder


def test_verify_names_every_changed_missing_and_added_output(
    auditkit: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = _run_folder(tmp_path / "run")
    assert auditkit(["verify", str(run_dir)]) == 0
    assert "inputs, notebooks and outputs unchanged" in capsys.readouterr().out
    (run_dir / "城东" / "report.html").write_text("<p>edited</p>", encoding="utf-8")
    (run_dir / "城东" / "findings.csv").unlink()
    (run_dir / "城东" / "extra.xlsx").write_bytes(b"x")
    (run_dir / "index.html").write_text("<p>other</p>", encoding="utf-8")
    assert auditkit(["verify", str(run_dir)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "run: output index.html: changed",
        "run: output 城东/extra.xlsx: added",
        "run: output 城东/findings.csv: missing",
        "run: output 城东/report.html: changed",
    ]


def test_verify_checks_a_register_whose_password_the_manifest_masks_through_db(
    auditkit: Callable[[list[str]], int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    postgres_server,
) -> None:
    for name in (RUN_DB_ENV, "AUDITKIT_DB"):
        monkeypatch.delenv(name, raising=False)
    secret = "s3cret-Pa55"
    url = fresh_postgres_database(postgres_server).set(password=secret)
    text = url.render_as_string(hide_password=False)  # the test server trusts any password
    Register.open(text).close()  # an empty, migrated register
    read = fingerprint(text)
    run_dir = _run_folder(tmp_path / "run")
    manifest = run_manifest.read_manifest(run_dir)
    manifest["registers_read"] = {
        read.url: {"sha256": read.sha256, "rows": read.rows, "read_by": ["cycle"]}
    }
    run_manifest.write_manifest(run_dir, manifest)

    assert auditkit(["verify", str(run_dir)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"run: register {read.url}: not checked: the manifest masks its password (give --db or "
        "set AUDITKIT_DB: its URL, password included)"
    ]
    assert auditkit(["verify", str(run_dir), "--db", text]) == 0
    said = capsys.readouterr()
    assert "inputs, findings register, notebooks and outputs unchanged" in said.out
    with Register.open(text) as register:
        register.record_run(one_finding(), run_id="2024-07", as_of="2024-07", district=None)
    assert auditkit(["verify", str(run_dir), "--db", text]) == 1
    changed = capsys.readouterr()
    assert changed.out.splitlines() == [
        f"run: register {read.url}: changed (finding_runs 0 → 1 rows, findings 0 → 1 rows, "
        "runs 0 → 1 rows)"
    ]
    assert secret not in said.out + said.err + changed.out + changed.err

    # A --db naming another register than the run read is refused, and opens nothing.
    other = tmp_path / "other.sqlite"
    assert auditkit(["verify", str(run_dir), "--db", f"sqlite:///{other}"]) == 2
    line = _one_error_line(capsys)
    assert line.startswith("auditkit verify: error: parameter '--db': expected the URL of ")
    assert read.url in line and f"found 'sqlite+pysqlite:///{other}'" in line
    assert secret not in line and not other.exists()
    plain = _run_folder(tmp_path / "plain")  # its reports read no register
    assert auditkit(["verify", str(plain), "--db", text]) == 2
    line = _one_error_line(capsys)
    assert "expected no --db: the run's reports read no register" in line and secret not in line


def _dead_partial(outputs: Path, run_id: str) -> Path:
    """The partial folder of a run whose process died in the middle (a real process, ended)."""
    code = (
        "import os, sys; from pathlib import Path\n"
        "from auditkit.pipeline.partials import owned_partial\n"
        "with owned_partial(Path(sys.argv[1]), sys.argv[2]) as folder:\n"
        "    (folder / 'A').mkdir(); (folder / 'A' / 'x.ipynb').write_text('{}')\n"
        "    os._exit(9)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(outputs), run_id], check=False)
    return outputs / f".{run_id}.partial"


def test_clean_lists_dead_runs_and_removes_only_them_with_yes(
    auditkit: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "outputs"
    dead = _dead_partial(outputs, "20250101T000000Z-aaaaaa")
    assert (dead / "A" / "x.ipynb").is_file()
    published = _run_folder(outputs / "20250101T000000Z-bbbbbb")
    unknown = outputs / ".20250101T000000Z-cccccc.partial"
    unknown.mkdir()
    with owned_partial(outputs, "20250101T000000Z-dddddd") as live:
        assert auditkit(["clean", "--outputs", str(outputs)]) == 0
        listed = capsys.readouterr().out.splitlines()
        assert [line.split()[:2] for line in listed] == [
            ["dead", str(dead)],
            ["unknown", str(unknown)],
            ["live", str(live)],
        ]
        assert dead.exists()
        assert auditkit(["clean", "--outputs", str(outputs), "--yes"]) == 0
        assert capsys.readouterr().out.splitlines()[0].split()[:2] == ["removed", str(dead)]
        assert not dead.exists() and unknown.is_dir() and live.is_dir()
        assert auditkit(["verify", str(published)]) == 0
    assert not (live / OWNER_NAME).exists()


def test_an_empty_district_list_is_refused_naming_the_file_and_nothing_runs(
    auditkit: Callable[[list[str]], int],
    tmp_path: Path,
    tiny_notebook: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    params = tmp_path / "empty.yaml"
    params.write_text("district: []\n", encoding="utf-8")
    outputs = tmp_path / "outputs"
    code = auditkit(["run", str(tiny_notebook), "--params", str(params), "--outputs", str(outputs)])
    assert code == 2
    line = _one_error_line(capsys)
    assert f"{params}: parameter 'district'" in line and "found 'an empty list'" in line
    assert not outputs.exists()


def test_a_latest_that_is_a_folder_is_refused_before_anything_runs(
    auditkit: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook = write_notebook(tmp_path / "n.ipynb", "top_n: int = 3  # rows\n", "x = top_n")
    outputs = tmp_path / "outputs"
    (outputs / "latest").mkdir(parents=True)
    assert auditkit(["run", str(notebook), "--outputs", str(outputs), "--no-progress"]) == 2
    assert "latest: expected a link or pointer file, found a folder" in _one_error_line(capsys)
    assert [path.name for path in outputs.iterdir()] == ["latest"]


@pytest.mark.parametrize("seed", ["-1", str(2**64), "1e3", "9" * 5000])
def test_a_seed_out_of_range_is_refused_by_the_parser(
    auditkit: Callable[[list[str]], int], capsys: pytest.CaptureFixture[str], seed: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        auditkit(["run-all", "--seed", seed])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "expected a whole number from 0 to 2^64 − 1 (18,446,744,073,709,551,615)" in error
    assert len(error.splitlines()[-1]) < 300 and "Traceback" not in error


@pytest.mark.parametrize(
    ("manifest", "named"),
    [
        ({"inputs": {}}, "expected the key 'notebooks', found none"),
        ({"inputs": [], "notebooks": []}, "'inputs': expected a dict, found list"),
        ({"inputs": {}, "notebooks": [{"name": "A"}]}, "notebook 1: expected the key 'notebook'"),
    ],
)
def test_a_manifest_missing_keys_is_one_line_and_exit_2_for_verify_and_rerun(
    auditkit: Callable[[list[str]], int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    manifest: dict,
    named: str,
) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    run_manifest.write_manifest(run_dir, {"format": run_manifest.FORMAT_VERSION} | manifest)
    for command in ("verify", "rerun"):
        assert (
            auditkit(
                [command, str(run_dir), *(["--outputs", str(tmp_path)] * (command == "rerun"))]
            )
            == 2
        )
        line = _one_error_line(capsys)
        assert "manifest.json" in line and named in line


def test_a_manifest_without_its_seed_verifies_but_is_not_rerun(
    auditkit: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = _run_folder(tmp_path / "run")
    assert auditkit(["verify", str(run_dir)]) == 0
    capsys.readouterr()
    assert auditkit(["rerun", str(run_dir), "--outputs", str(tmp_path / "outputs")]) == 2
    assert "manifest.json: expected the key 'seed', found none" in _one_error_line(capsys)
    assert not (tmp_path / "outputs").exists()


def test_a_full_disk_naming_no_file_is_still_one_line_and_exit_2(
    auditkit: Callable[[list[str]], int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full(_outputs: Path) -> list:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(runs, "find_partials", full)
    assert auditkit(["clean", "--outputs", str(tmp_path)]) == 2
    line = _one_error_line(capsys)
    assert line == "auditkit clean: error: the file system refused a write: No space left on device"


def test_clean_of_an_outputs_folder_that_does_not_exist_says_so(
    auditkit: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "no partial run folders" of a folder mistyped."""
    missing = tmp_path / "outptus"
    assert auditkit(["clean", "--outputs", str(missing)]) == 2
    assert _one_error_line(capsys) == (
        "auditkit clean: error: parameter '--outputs': expected an existing outputs folder, "
        f"found {str(missing)!r}"
    )


def test_verify_sees_a_changed_rule_thresholds_file_and_says_when_none_was_recorded(
    auditkit: Callable[[list[str]], int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    params = tmp_path / "params"
    params.mkdir()
    for name in ("rules.yaml", "billing.yaml"):
        (params / name).write_text(f"# {name}\n", encoding="utf-8")
    monkeypatch.setenv("AUDITKIT_PARAMS", str(params))
    run_dir = _run_folder(tmp_path / "run")
    recorded = run_manifest.read_manifest(run_dir)
    files = recorded["input_files"]
    assert sorted(files) == [str(params / "billing.yaml"), str(params / "rules.yaml")]
    assert auditkit(["verify", str(run_dir)]) == 0
    capsys.readouterr()
    (params / "rules.yaml").write_text("common:\n  severity_high_yuan: 1\n", encoding="utf-8")
    (params / "billing.yaml").unlink()
    assert auditkit(["verify", str(run_dir)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"run: {params / 'billing.yaml'}: missing",
        f"run: {params / 'rules.yaml'}: changed",
    ]

    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    monkeypatch.setenv("AUDITKIT_PARAMS", str(elsewhere))
    assert parameter_files_moved(recorded | {"input_files": files}) == [
        f"{elsewhere / 'rules.yaml'}: read now; the run read {params / 'rules.yaml'}",
        f"{elsewhere / 'billing.yaml'}: read now; the run read {params / 'billing.yaml'}",
    ]

    del recorded["input_files"]  # a manifest of an auditkit before parameter files were hashed
    run_manifest.write_manifest(run_dir, recorded)
    assert auditkit(["verify", str(run_dir)]) == 0
    captured = capsys.readouterr()
    assert "unchanged" in captured.out
    assert "no hashes of the rule thresholds and billing conventions files" in captured.err


def test_a_rerun_reads_the_register_the_run_recorded_into_or_says_why_it_cannot() -> None:
    def recorded(*urls: str) -> dict:
        return {"register": [{"register": url, "district": "城东"} for url in urls]}

    assert runs._recorded_register({}, None) is None
    assert runs._recorded_register(recorded("sqlite:////r/register.sqlite"), None) == (
        "sqlite:////r/register.sqlite"
    )
    with pytest.raises(AuditkitError, match=r"parameter '--db': expected the URL of .*password"):
        runs._recorded_register(recorded("postgresql+psycopg://audit:***@db/register"), None)
    with pytest.raises(AuditkitError, match=r"expected the run to have recorded into one register"):
        runs._recorded_register(recorded("sqlite:////a.sqlite", "sqlite:////b.sqlite"), None)
    with pytest.raises(AuditkitError, match=r"the run recorded into no register"):
        runs._recorded_register({}, "sqlite:////a.sqlite")


def test_a_rerun_takes_db_naming_the_register_an_older_manifest_recorded_percent_encoded() -> None:
    """An auditkit before `shown_register` recorded `/审计 2026/` as `/%E5%AE%A1%E8%AE%A1 2026/`."""
    older = {"register": [{"register": "sqlite+pysqlite:////r/%E5%AE%A1%E8%AE%A1 2026/r.sqlite"}]}
    typed = "sqlite:////r/审计 2026/r.sqlite"
    assert runs._recorded_register(older, typed) == typed
    assert runs._recorded_register(older, None) == "sqlite+pysqlite:////r/审计 2026/r.sqlite"
    with pytest.raises(AuditkitError, match=r"expected sqlite\+pysqlite:////r/审计 2026/r.sqlite,"):
        runs._recorded_register(older, "sqlite:////r/审计 2027/r.sqlite")  # near miss: another file


def test_run_warns_of_a_table_of_its_dataset_open_in_an_office_program_and_still_runs(
    auditkit: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = synth.generate(customers=50, districts=2, seed=1)
    data = synth.write(tables, tmp_path / "data", "csv")
    libreoffice_lock(data / ".~lock.bills.csv#")
    notebook = write_notebook(
        tmp_path / "reader.ipynb", 'data_dir: str = ""  # dataset\n', "print(data_dir)"
    )

    arguments = ["-p", f"data_dir={data}", "--outputs", str(tmp_path / "out"), "--no-progress"]
    assert auditkit(["run", str(notebook), *arguments]) == 0

    assert capsys.readouterr().err.splitlines() == [
        f"auditkit run: {data}: warning: bills.csv: expected a table file no office program "
        "has open, found open in LibreOffice (.~lock.bills.csv# beside it): read as last saved, "
        "WITHOUT the edits not saved yet (save and close it, then read the dataset again)"
    ]


def test_a_run_without_seed_keeps_each_notebook_s_own_and_with_one_gives_it(
    auditkit: Callable[[list[str]], int], tmp_path: Path
) -> None:
    """`auditkit run cross_audit` drew with seed 0, not the notebook's 2026 that JupyterLab and
    params/cross_audit.yaml use: a sheet drawn by hand was then refused as another selection."""
    from auditkit.pipeline.jobs import jobs_for_notebook

    notebook = write_notebook(tmp_path / "n.ipynb", "seed: int = 2026  # seed\n")
    for typed, seed in ((["run", str(notebook)], 2026), (["run", str(notebook), "--seed", "7"], 7)):
        args = cli.build_parser().parse_args(typed)
        (job,) = jobs_for_notebook(notebook, {}, seed=args.seed)
        assert job.parameters["seed"] == seed
    run_manifest.check_rerun({"seed": None}, tmp_path / "manifest.json")  # a run without --seed

"""The findings register a run's reports read is kept in its manifest (URL and a fingerprint of
its rows) and compared again by `verify` and `rerun`: a register changed since the run is named."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from databases import fresh_postgres_database
from pipeline_helpers import one_finding, write_notebook

from auditkit import cli
from auditkit.paths import notebooks_dir
from auditkit.pipeline import manifest as run_manifest
from auditkit.pipeline.jobs import Job
from auditkit.pipeline.register_step import (
    compare_registers,
    reads_register,
    registers_read,
    shown_register,
)
from auditkit.pipeline.runs import latest_run_id
from auditkit.register import Register, store
from auditkit.register.location import RUN_DB_ENV
from auditkit.register.store import fingerprint

READER_BODY = (
    "from auditkit.register.location import open_report_register\n"
    "register = open_report_register(data_dir)"
)


@pytest.fixture(autouse=True)
def no_register_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (RUN_DB_ENV, "AUDITKIT_DB"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_the_notebooks_that_read_the_register_are_known() -> None:
    reading = {path.stem for path in notebooks_dir().glob("*.ipynb") if reads_register(path)}
    assert reading == {"district_audit", "consumption_statistics", "audit_cycle"}


def _register(path: Path) -> str:
    url = f"sqlite:///{path}"
    Register.open(url).close()  # an empty, migrated register
    return url


def test_a_run_keeps_each_register_its_reports_read_with_who_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _register(tmp_path / "team.sqlite")
    monkeypatch.setenv("AUDITKIT_DB", url)
    reader = write_notebook(tmp_path / "reader.ipynb", 'data_dir: str = ""\n', READER_BODY)
    other = write_notebook(tmp_path / "other.ipynb", 'data_dir: str = ""\n', "x = 1")
    data_dir = str(tmp_path)
    jobs = [
        Job(reader, "城东", {"data_dir": data_dir}),
        Job(reader, "城西", {"data_dir": data_dir}),
        Job(other, "other", {"data_dir": data_dir}),
    ]
    [(shown, entry)] = registers_read(jobs).items()
    assert shown == f"sqlite+pysqlite:///{tmp_path / 'team.sqlite'}"
    assert entry["read_by"] == ["城东", "城西"]
    assert entry["rows"]["findings"] == 0 and len(entry["sha256"]) == 64
    assert registers_read(jobs[2:]) == {}


def _counted(function: Callable[..., Any], calls: list[Any]) -> Callable[..., Any]:
    """`function`, noting the first argument of each call in `calls`."""

    def counted(*arguments: Any, **keywords: Any) -> Any:
        calls.append(arguments[0] if arguments else None)
        return function(*arguments, **keywords)

    return counted


def test_a_register_fingerprinted_already_is_not_hashed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _register(tmp_path / "team.sqlite")
    monkeypatch.setenv("AUDITKIT_DB", url)
    reader = write_notebook(tmp_path / "reader.ipynb", 'data_dir: str = ""\n', READER_BODY)
    jobs = [Job(reader, "reader", {"data_dir": str(tmp_path)})]
    hashed = registers_read(jobs)
    taken = fingerprint(url)
    calls: list[Any] = []
    monkeypatch.setattr(store, "fingerprint", _counted(store.fingerprint, calls))
    assert registers_read(jobs, [taken]) == hashed and calls == []
    elsewhere = fingerprint(f"sqlite:///{tmp_path / 'other.sqlite'}")
    assert registers_read(jobs, [elsewhere]) == hashed and len(calls) == 1


@pytest.mark.slow
def test_a_rerun_reads_its_manifest_once_and_hashes_the_register_its_reports_read_once(
    tmp_path: Path,
    tiny_data: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AUDITKIT_DB", _register(tmp_path / "team.sqlite"))
    reader = write_notebook(tmp_path / "reader.ipynb", 'data_dir: str = ""\n', READER_BODY)
    outputs = tmp_path / "outputs"
    quiet = ["--outputs", str(outputs), "--jobs", "1", "--no-progress"]
    assert cli.main(["run", str(reader), "-p", f"data_dir={tiny_data}", *quiet]) == 0
    first = outputs / str(latest_run_id(outputs))
    reads: list[Any] = []
    hashes: list[Any] = []
    monkeypatch.setattr(run_manifest, "read_manifest", _counted(run_manifest.read_manifest, reads))
    monkeypatch.setattr(store, "fingerprint", _counted(store.fingerprint, hashes))
    assert cli.main(["rerun", str(first), "--notebooks-dir", str(tmp_path), *quiet]) == 0
    out, err = capsys.readouterr()
    assert "warning" not in err
    assert len(reads) == 1 and len(hashes) == 1  # were 3 and 2
    second = Path(out.splitlines()[-1]).parent  # the rerun leaves latest on `first`
    assert second != first
    then, now = (json.loads((run / "manifest.json").read_text("utf-8")) for run in (first, second))
    assert now["registers_read"] == then["registers_read"]
    assert now["registers_read"] and then["registers_read"][next(iter(then["registers_read"]))][
        "read_by"
    ] == ["reader"]


def test_verify_names_a_register_changed_missing_or_created_since_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "team.sqlite"
    monkeypatch.setenv("AUDITKIT_DB", _register(path))
    reader = write_notebook(tmp_path / "reader.ipynb", 'data_dir: str = ""\n', READER_BODY)
    jobs = [Job(reader, "reader", {"data_dir": str(tmp_path)})]
    recorded = registers_read(jobs)
    shown = next(iter(recorded))
    assert compare_registers(recorded) == []

    with Register.open(f"sqlite:///{path}") as register:
        register.record_run(one_finding(), run_id="2024-07", as_of="2024-07", district=None)
    assert compare_registers(recorded) == [
        f"register {shown}: changed (finding_runs 0 → 1 rows, findings 0 → 1 rows, runs 0 → 1 rows)"
    ]
    path.unlink()
    assert compare_registers(recorded) == [f"register {shown}: missing"]

    none_then = registers_read(jobs)
    assert none_then[shown]["sha256"] is None
    _register(path)
    assert compare_registers(none_then) == [
        f"register {shown}: created since the run (it read none)"
    ]


def test_a_masked_register_is_checked_through_auditkit_db_or_said_unchecked(
    postgres_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = fresh_postgres_database(postgres_server).set(password="s3cret-Pa55")
    text = url.render_as_string(hide_password=False)  # the test server trusts any password
    Register.open(text).close()
    monkeypatch.setenv(RUN_DB_ENV, text)
    recorded = registers_read([Job(notebooks_dir() / "audit_cycle.ipynb", "cycle", {})])
    [shown] = recorded
    assert ":***@" in shown and "s3cret" not in str(recorded)
    monkeypatch.delenv(RUN_DB_ENV)
    assert compare_registers(recorded) == [
        f"register {shown}: not checked: the manifest masks its password (give --db or set "
        "AUDITKIT_DB: its URL, password included)"
    ]
    assert compare_registers(recorded, db=text) == []
    monkeypatch.setenv("AUDITKIT_DB", text)
    assert compare_registers(recorded) == []


def test_a_server_register_a_manifest_names_is_contacted_only_when_the_user_names_it(
    postgres_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = fresh_postgres_database(postgres_server)  # the test server needs no password
    text = url.render_as_string(hide_password=False)
    Register.open(text).close()
    monkeypatch.setenv(RUN_DB_ENV, text)
    recorded = registers_read([Job(notebooks_dir() / "audit_cycle.ipynb", "cycle", {})])
    [shown] = recorded
    assert ":***@" not in shown
    monkeypatch.delenv(RUN_DB_ENV)
    monkeypatch.delenv("AUDITKIT_DB", raising=False)
    assert compare_registers(recorded) == [
        f"register {shown}: not checked: a register on a database server is opened only when "
        "you name it (give --db or set AUDITKIT_DB: its URL, password included)"
    ]
    assert compare_registers(recorded, db=text) == []
    elsewhere = {shown.replace("@", "@evil.invalid:1", 1): recorded[shown]}  # edited manifest
    [said] = compare_registers(elsewhere, db=text)
    assert "not checked: a register on a database server" in said


def _percent_encoded(path: Path) -> str:
    """The URL an auditkit before `shown_register` recorded for a SQLite file at `path`."""
    return f"sqlite+pysqlite:///{quote(str(path), safe=' +/')}"


def test_a_register_in_a_chinese_folder_with_a_space_is_recorded_as_the_file_system_spells_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLAlchemy renders `/审计 2026/` as `/%E5%AE%A1%E8%AE%A1 2026/`, which the manifest kept."""
    path = tmp_path / "审计 2026" / "team.sqlite"
    path.parent.mkdir()
    monkeypatch.setenv("AUDITKIT_DB", _register(path))
    reader = write_notebook(tmp_path / "reader.ipynb", 'data_dir: str = ""\n', READER_BODY)
    jobs = [Job(reader, "reader", {"data_dir": str(tmp_path)})]
    recorded = registers_read(jobs)
    assert list(recorded) == [f"sqlite+pysqlite:///{path}"]

    old_style = {_percent_encoded(path): recorded[f"sqlite+pysqlite:///{path}"]}
    assert "%E5%AE%A1" in next(iter(old_style))
    assert compare_registers(old_style) == []  # an older manifest still compares
    with Register.open(f"sqlite:///{path}") as register:
        register.record_run(one_finding(), run_id="2024-07", as_of="2024-07", district=None)
    changed = f"register sqlite+pysqlite:///{path}: changed (finding_runs 0 → 1 rows"
    assert compare_registers(old_style)[0].startswith(changed)
    assert compare_registers(recorded)[0].startswith(changed)


def test_a_shown_register_opens_the_same_file_even_with_a_percent_or_question_mark_in_its_path(
    tmp_path: Path,
) -> None:
    path = tmp_path / "100% 审计?%41" / "team.sqlite"
    path.parent.mkdir()
    encoded = f"sqlite:///{quote(str(path), safe='/')}"  # a URL SQLAlchemy reads as `path`
    Register.open(encoded).close()
    assert path.is_file()
    shown = shown_register(encoded)
    assert shown == f"sqlite:///{str(path).replace('%', '%25').replace('?', '%3F')}"
    assert fingerprint(shown).sha256 is not None  # the file itself, not /…/100% 审计?A
    # near misses: a server URL keeps its password masked; text that is no URL stays as it is
    assert shown_register("postgresql://audit:s3cret@db/审计") == "postgresql://audit:***@db/审计"
    assert shown_register("no url") == "no url"


@pytest.mark.slow
def test_verify_and_rerun_accept_a_manifest_that_recorded_the_register_percent_encoded(
    tmp_path: Path,
    tiny_data: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "审计 2026" / "team.sqlite"
    path.parent.mkdir()
    typed = _register(path)
    monkeypatch.setenv("AUDITKIT_DB", typed)
    reader = write_notebook(tmp_path / "reader.ipynb", 'data_dir: str = ""\n', READER_BODY)
    outputs = tmp_path / "outputs"
    quiet = ["--outputs", str(outputs), "--jobs", "1", "--no-progress"]
    assert cli.main(["run", str(reader), "-p", f"data_dir={tiny_data}", *quiet]) == 0
    first = outputs / str(latest_run_id(outputs))
    manifest = run_manifest.read_manifest(first)
    assert list(manifest["registers_read"]) == [f"sqlite+pysqlite:///{path}"]

    [entry] = manifest["registers_read"].values()  # as an older auditkit wrote it
    run_manifest.write_manifest(
        first, manifest | {"registers_read": {_percent_encoded(path): entry}}
    )
    capsys.readouterr()
    for verify in (["verify", str(first)], ["verify", str(first), "--db", typed]):
        assert cli.main(verify) == 0
        assert "unchanged since the run" in capsys.readouterr().out
    assert cli.main(["rerun", str(first), "--notebooks-dir", str(tmp_path), *quiet]) == 0
    assert "warning" not in capsys.readouterr().err

"""`auditkit rules --register` records the run's findings in the register and says what changed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from auditkit.cli import main
from auditkit.register import Register

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "rules"))
from rule_builder import Utility, flat  # the rules tests' builder


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """One household billed at the wrong rate from July, one with an estimated streak."""
    u = Utility()
    u.customer("A")
    u.monthly("A", flat(100), rate=[None] * 6 + [0.55] * 6, estimated=[1, 2, 3])
    return u.write(tmp_path / "data")


def test_a_run_with_db_is_recorded_once_and_a_later_month_sees_it_persist(
    dataset: Path, tmp_path: Path, database_url: str, capsys
) -> None:
    out = str(tmp_path / "out")
    db = database_url.replace("postgresql+psycopg://", "postgresql://")
    assert main(["rules", str(dataset), "--out", out, "--as-of", "2024-11", "--db", db]) == 0
    assert "run 'data 2024-11': 2 new, 0 persisting" in capsys.readouterr().out
    assert main(["rules", str(dataset), "--out", out, "--as-of", "2024-11", "--db", db]) == 0
    assert "already recorded, nothing changed" in capsys.readouterr().out
    assert main(["rules", str(dataset), "--out", out, "--as-of", "2024-12", "--db", db]) == 0
    printed = capsys.readouterr().out
    assert "run 'data 2024-12': 0 new, 2 persisting, 0 no longer found, 0 reopened" in printed
    assert "(1 amounts changed)" in printed  # the wrong rate's December bill adds to its money
    with Register.open(database_url) as register:
        assert sorted(register.findings()["rule_id"]) == ["estimated_streak", "rate_mismatch"]
        assert register.runs()["run_id"].tolist() == ["data 2024-11", "data 2024-12"]


def test_without_register_nothing_is_recorded(dataset: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("AUDITKIT_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.delenv("AUDITKIT_DB", raising=False)
    assert main(["rules", str(dataset), "--out", str(tmp_path / "out")]) == 0
    assert not (tmp_path / "outputs" / "register.sqlite").exists()
    assert main(["rules", str(dataset), "--out", str(tmp_path / "out"), "--register"]) == 0
    assert (tmp_path / "outputs" / "register.sqlite").is_file()


def test_a_run_the_register_refuses_writes_no_findings_files(
    dataset: Path, tmp_path: Path, database_url: str, capsys
) -> None:
    db = database_url.replace("postgresql+psycopg://", "postgresql://")
    later = ["rules", str(dataset), "--out", str(tmp_path / "december"), "--as-of", "2024-12"]
    assert main([*later, "--db", db]) == 0
    capsys.readouterr()
    # A month before the latest recorded, and the same month under another id: refused by the
    # register before the findings are written, so no folder looks like a recorded run.
    earlier = ["rules", str(dataset), "--out", str(tmp_path / "november"), "--as-of", "2024-11"]
    again = ["rules", str(dataset), "--out", str(tmp_path / "again"), "--as-of", "2024-12"]
    for refused in ([*earlier, "--db", db], [*again, "--db", db, "--run-id", "rerun"]):
        assert main(refused) != 0
        assert "expected" in capsys.readouterr().err
    assert not (tmp_path / "november").exists() and not (tmp_path / "again").exists()
    with Register.open(database_url) as register:
        assert register.runs()["run_id"].tolist() == ["data 2024-12"]


def test_a_run_another_one_records_first_leaves_no_findings_folder_that_looks_recorded(
    dataset: Path, tmp_path: Path, database_url: str, capsys, monkeypatch
) -> None:
    """The race of two runs of one month: both pass the register's check, the other records
    first, and this one is refused when it records: its folder (findings and run.json) is not
    left behind."""
    monkeypatch.setenv("AUDITKIT_OUTPUTS", str(tmp_path / "outputs"))
    db = database_url.replace("postgresql+psycopg://", "postgresql://")
    checked = Register.check_run

    def checked_then_another_records(register: Register, findings, **run) -> None:
        checked(register, findings, **run)
        register.record_run(findings, **{**run, "run_id": "another 2024-12"})

    monkeypatch.setattr(Register, "check_run", checked_then_another_records)
    run = ["rules", str(dataset), "--as-of", "2024-12", "--db", db]
    assert main(run) == 2
    assert "expected" in capsys.readouterr().err
    findings_folders = tmp_path / "outputs" / "findings"
    assert [path for path in findings_folders.rglob("*") if path.is_file()] == []
    assert [path.name for path in findings_folders.rglob(".*")] == []  # nothing half-written
    # near miss: no other run in between; the run is recorded and its folder is in place
    monkeypatch.setattr(Register, "check_run", checked)
    assert main([*run, "--run-id", "another 2024-12"]) == 0
    written = sorted(path.name for path in findings_folders.rglob("*") if path.is_file())
    assert written == ["findings.csv", "findings.parquet", "run.json"]


def test_ctrl_c_while_a_recorded_run_is_put_in_place_leaves_its_files_whole(
    dataset: Path, tmp_path: Path, database_url: str, monkeypatch
) -> None:
    """Ctrl-C between the renames of a recorded run's files left November's findings.parquet
    beside December's findings.csv; now it is handled once all are in place."""
    import os
    import signal

    import pandas as pd

    db = database_url.replace("postgresql+psycopg://", "postgresql://")
    out = tmp_path / "out"
    assert main(["rules", str(dataset), "--out", str(out), "--as-of", "2024-11", "--db", db]) == 0
    november = pd.read_parquet(out / "findings.parquet")["revenue_impact"].tolist()
    replace, recorded = os.replace, Register.record_run

    def renamed_then_interrupted(source, target) -> None:
        replace(source, target)
        monkeypatch.setattr(os, "replace", replace)
        signal.raise_signal(signal.SIGINT)  # Ctrl-C after the first file is in place

    def recorded_then_moved(register: Register, findings, **run):
        changes = recorded(register, findings, **run)
        monkeypatch.setattr(os, "replace", renamed_then_interrupted)
        return changes

    monkeypatch.setattr(Register, "record_run", recorded_then_moved)
    assert main(["rules", str(dataset), "--out", str(out), "--as-of", "2024-12", "--db", db]) == 130
    parquet = pd.read_parquet(out / "findings.parquet")
    csv = pd.read_csv(out / "findings.csv", encoding="utf-8-sig")
    assert parquet["revenue_impact"].tolist() == csv["revenue_impact"].tolist()
    assert parquet["revenue_impact"].tolist() != november  # December's, both of them
    assert [path.name for path in tmp_path.glob(".*")] == []  # no staging folder left

"""The `run.json` guard of a command's default folder names the register a run read by where
it is, not by how its URL was typed."""

from __future__ import annotations

import json

import pytest

from auditkit.cli.run_records import (
    RUN_RECORD,
    refuse_another_runs_folder,
    register_location,
    write_run_record,
)
from auditkit.errors import AuditkitError


def _theft_record(register: str | None) -> dict[str, object]:
    """A theft run's record as `auditkit stats theft` makes it (Register.url: password masked)."""
    return {"dataset": "/data/demo", "district": None, "source": "monthly", "register": register}


def _described(record: dict) -> str:
    return f"register {record['register']}"


def test_a_relative_and_an_absolute_path_to_one_sqlite_register_are_one_run(tmp_path, monkeypatch):
    """Before, the record kept the URL as typed: a run with sqlite:///register.sqlite from
    tmp_path, then with its absolute path, was refused as another run's scores."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "register.sqlite").touch()
    (tmp_path / "link.sqlite").symlink_to(tmp_path / "register.sqlite")
    out = tmp_path / "theft-monthly-2024-08"
    out.mkdir()
    write_run_record(out, _theft_record("sqlite+pysqlite:///register.sqlite"))
    absolute = f"sqlite+pysqlite:///{tmp_path / 'register.sqlite'}"
    assert json.loads((out / RUN_RECORD).read_text(encoding="utf-8"))["register"] == absolute
    for same in (
        absolute,
        "sqlite+pysqlite:///./register.sqlite",
        "sqlite+pysqlite:///link.sqlite",
    ):
        refuse_another_runs_folder(out, _theft_record(same), "theft scores", _described)
    # Near misses: another file, or no register, is another run's.
    for other in ("sqlite+pysqlite:///other.sqlite", None):
        with pytest.raises(AuditkitError, match="holds the theft scores of another run"):
            refuse_another_runs_folder(out, _theft_record(other), "theft scores", _described)


def test_a_record_written_before_with_a_relative_path_is_read_from_the_working_folder(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "scores"
    out.mkdir()
    (out / RUN_RECORD).write_text(
        json.dumps(_theft_record("sqlite+pysqlite:///register.sqlite")), encoding="utf-8"
    )
    absolute = f"sqlite+pysqlite:///{tmp_path / 'register.sqlite'}"
    refuse_another_runs_folder(out, _theft_record(absolute), "theft scores", _described)


def test_a_postgresql_register_is_its_masked_url_whatever_its_password_was_typed():
    masked = "postgresql+psycopg://audit:***@db.example:5432/register"
    assert register_location(masked) == masked
    assert register_location("sqlite+pysqlite://") == "sqlite+pysqlite://"  # in memory: no file
    assert register_location(None) is None


def test_a_refusal_names_the_register_by_its_location(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "scores"
    out.mkdir()
    write_run_record(out, _theft_record(None))
    with pytest.raises(AuditkitError) as refused:
        refuse_another_runs_folder(
            out, _theft_record("sqlite+pysqlite:///r.sqlite"), "theft scores", _described
        )
    assert f"which this run (register sqlite+pysqlite:///{tmp_path / 'r.sqlite'})" in str(
        refused.value
    )


def test_a_record_of_a_register_in_a_chinese_folder_keeps_its_path_and_matches_an_older_one(
    tmp_path, monkeypatch
):
    """SQLAlchemy's rendering wrote `/审计 2026/` as `/%E5%AE%A1%E8%AE%A1 2026/` into run.json."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "审计 2026" / "register.sqlite"
    typed = f"sqlite+pysqlite:///{path}"
    out = tmp_path / "scores"
    out.mkdir()
    write_run_record(out, _theft_record(typed))
    assert json.loads((out / RUN_RECORD).read_text(encoding="utf-8"))["register"] == typed
    older = typed.replace("审计", "%E5%AE%A1%E8%AE%A1")
    (out / RUN_RECORD).write_text(json.dumps(_theft_record(older)), encoding="utf-8")
    refuse_another_runs_folder(out, _theft_record(typed), "theft scores", _described)
    with pytest.raises(AuditkitError) as refused:  # near miss: another folder is another run's
        refuse_another_runs_folder(
            out, _theft_record(typed.replace("2026", "2027")), "theft scores", _described
        )
    assert f"another run (register {typed})" in str(refused.value)

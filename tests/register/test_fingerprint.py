"""A register's content fingerprint: what a run's manifest keeps of the register its reports read,
so `verify` and `rerun` can tell when it changed."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from databases import fresh_postgres_database
from register_builders import event, events, finding, findings

from auditkit.register import Register
from auditkit.register.store import fingerprint


def _recorded(url: str) -> None:
    with Register.open(url) as register:
        register.record_run(
            findings(finding("A"), finding("B")), run_id="2024-07", as_of="2024-07", district=None
        )


def test_the_same_rows_give_the_same_fingerprint_and_an_outcome_changes_it(database_url: str):
    _recorded(database_url)
    before = fingerprint(database_url)
    assert before.sha256 is not None
    assert fingerprint(database_url) == before  # reading changes nothing
    assert before.rows["findings"] == 2 and before.rows["outcomes"] == 0
    with Register.open(database_url) as register:
        key = register.findings()["finding_key"].iloc[0]
        register.record_outcomes(events(event(key, "sent", happened_at="2024-08-01")))
    after = fingerprint(database_url)
    assert after.sha256 != before.sha256
    assert after.rows == before.rows | {"outcomes": 1}


def test_the_url_kept_masks_the_password(postgres_server) -> None:
    url = fresh_postgres_database(postgres_server).set(password="s3cret-Pa55")
    text = url.render_as_string(hide_password=False)  # the test server trusts any password
    _recorded(text)
    kept = fingerprint(text)
    assert "s3cret" not in kept.url and ":***@" in kept.url
    assert kept.sha256 is not None and kept.rows["findings"] == 2


def test_a_sqlite_write_still_in_the_wal_file_is_seen(tmp_path: Path) -> None:
    """Hashing the file would miss it: the row is in register.sqlite-wal, the main file unchanged."""
    path = tmp_path / "register.sqlite"
    url = f"sqlite:///{path}"
    _recorded(url)
    before = fingerprint(url)
    file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    writer = sqlite3.connect(path)
    try:
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("DELETE FROM finding_runs")
        writer.commit()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == file_hash
        after = fingerprint(url)
    finally:
        writer.close()
    assert after.sha256 != before.sha256
    assert after.rows["finding_runs"] == 0 and before.rows["finding_runs"] == 2


def test_no_sqlite_file_is_no_register_and_none_is_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.sqlite'}"
    assert fingerprint(url).sha256 is None
    assert fingerprint(url).rows == {}
    assert list(tmp_path.iterdir()) == []

"""A writer holding the register's write lock, on both databases: a reader of a register at the
newest schema never waits for it, and another writer waits a bounded time, then is refused
naming the register."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from register_builders import finding, findings

from auditkit.register import Register, RegisterError, store

#: The other writer lets go of the lock after this long: well after a refused writer gave up.
HELD_SECONDS = 4.0


@contextmanager
def _lock_held_by_another_writer(url: str) -> Iterator[None]:
    """The register's write lock taken by another connection, as an import does, and let go of
    `HELD_SECONDS` later (so old code that waits without a limit ends, too late), or when the
    block ends, if sooner (a test that waited for nothing does not wait for the timer)."""
    if url.startswith("sqlite"):
        holder = sqlite3.connect(
            sa.make_url(url).database, isolation_level=None, check_same_thread=False
        )
        holder.execute("BEGIN IMMEDIATE")
        release = threading.Timer(HELD_SECONDS, holder.rollback)
    else:
        engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
        connection = engine.connect()
        transaction = connection.begin()
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(store.WRITE_LOCK_KEY)))
        release = threading.Timer(
            HELD_SECONDS, lambda: transaction.rollback() if transaction.is_active else None
        )
    release.start()
    try:
        yield
    finally:
        release.cancel()
        release.join()
        release.function()  # nothing left to roll back when the timer let go already
        if url.startswith("sqlite"):
            holder.close()
        else:
            connection.close()
            engine.dispose()


def test_a_register_at_the_newest_schema_is_opened_and_read_while_another_writes(database_url):
    """Opening only reads the schema revision: no write lock, no wait."""
    with Register.open(database_url) as register:  # created and migrated before the writer
        register.record_run(findings(finding("A1")), run_id="r1", as_of="2024-07", district=None)
    with _lock_held_by_another_writer(database_url):
        started = time.monotonic()
        with Register.open_existing(database_url) as register:
            held = register.findings()
            trail = register.outcomes()
        waited = time.monotonic() - started
    assert waited < HELD_SECONDS / 2
    assert held["customer_id"].tolist() == ["A1"] and trail.empty


def test_a_writer_that_waits_longer_than_the_lock_wait_is_refused_naming_the_register(
    database_url, monkeypatch
):
    monkeypatch.setattr(store, "BUSY_TIMEOUT_SECONDS", 1)
    with Register.open(database_url) as register:
        with _lock_held_by_another_writer(database_url):
            started = time.monotonic()
            with pytest.raises(RegisterError) as refused:
                register.record_run(
                    findings(finding("A1")), run_id="r1", as_of="2024-07", district=None
                )
            waited = time.monotonic() - started
        assert register.runs().empty  # nothing recorded
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"register {register.url}: expected to take its write lock")
    assert "another import" in message and "nothing was recorded" in message
    assert 1 <= waited < HELD_SECONDS


def test_a_writer_that_takes_the_lock_within_the_wait_records_its_run(database_url, monkeypatch):
    """Near miss: the other writer lets go in time; nothing is refused."""
    monkeypatch.setattr(store, "BUSY_TIMEOUT_SECONDS", 30)
    with Register.open(database_url) as register:
        with _lock_held_by_another_writer(database_url):
            changes = register.record_run(
                findings(finding("A1")), run_id="r1", as_of="2024-07", district=None
            )
        assert changes.counts["new"] == 1
        assert register.runs()["run_id"].tolist() == ["r1"]

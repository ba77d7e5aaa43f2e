"""The two databases the register's tests (and the reports' tests that read a register) run on:
a SQLite file per test, and a PostgreSQL server started once per test session (a fresh database
per test). tests/conftest.py registers the fixtures, so every folder shares one server.

The server runs from the PostgreSQL binaries (`initdb`, `pg_ctl`: the Debian package
`postgresql`, which `python3 dev.py test` installs as root); without them the PostgreSQL tests
fail saying so rather than skip. PostgreSQL refuses to run as root, so as root the server runs as
the unprivileged user `postgres` from a temporary folder it owns.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

SERVER_USER = "postgres"
_databases = itertools.count(1)


def _binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[sa.URL]:
    """A PostgreSQL server on a free local port for this session; its admin URL."""
    binaries = _binaries()
    if binaries is None:
        pytest.fail(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: the register's tests need "
            "them; install the Debian package postgresql (python3 dev.py test does as root)",
            pytrace=False,
        )
    home = Path(tempfile.mkdtemp(prefix="auditkit-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        account = pwd.getpwnam(SERVER_USER)
        os.chown(home, account.pw_uid, account.pw_gid)
        prefix = ["runuser", "-u", SERVER_USER, "--"]
    data, log, port = home / "data", home / "server.log", _free_port()

    def pg(*command: str) -> None:
        subprocess.run([*prefix, *command], check=True, capture_output=True, text=True)

    try:
        pg(str(binaries / "initdb"), "-D", str(data), "-U", "auditkit", "-A", "trust",
           "--no-sync", "-E", "UTF8", "--locale", "C")  # fmt: skip
        pg(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
           f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off", "start")  # fmt: skip
    except subprocess.CalledProcessError as error:
        shutil.rmtree(home, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {error.stderr or error.stdout}", pytrace=False)
    try:
        yield sa.URL.create(
            "postgresql+psycopg", username="auditkit", host="127.0.0.1", port=port,
            database="postgres",
        )  # fmt: skip
    finally:
        pg(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(home, ignore_errors=True)


def fresh_postgres_database(server: sa.URL) -> sa.URL:
    """A new empty database on the session's server."""
    name = f"register_{os.getpid()}_{next(_databases)}"
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')  # a name made here, not data
    engine.dispose()
    return server.set(database=name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty register database, on each of the two databases in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'register.sqlite'}"
    server = request.getfixturevalue("postgres_server")
    return fresh_postgres_database(server).render_as_string(hide_password=False)

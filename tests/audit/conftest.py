"""The register's two databases for the district report's tests that read a register: the
`database_url` fixture of tests/register/conftest.py (a SQLite file, and a PostgreSQL server the
tests start), loaded from that file so both folders share one definition."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "register_databases", Path(__file__).resolve().parents[1] / "register" / "conftest.py"
)
_databases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_databases)

postgres_server = _databases.postgres_server
database_url = _databases.database_url

"""Shared by every test folder: pytest puts this folder on `sys.path` when it loads this file
(rootdir-relative 'prepend' imports), so the shared helper modules here (`report_pages`,
`databases`, `formula_results`, `zip_bombs`, `lock_files`, `converted_manifests`) can be imported from the tests of any folder. The register's database fixtures are
registered here once, so every folder's tests share one PostgreSQL server per session."""

import signal

import pytest
from databases import database_url, postgres_server  # noqa: F401


@pytest.fixture(autouse=True, scope="session")
def ctrl_c_as_at_a_terminal() -> None:
    """Ctrl-C raises KeyboardInterrupt in the tests as at a terminal, also where the suite was
    started in the background: a non-interactive shell's `&` starts it with SIGINT ignored, and
    Python then installs no handler, so the tests of what Ctrl-C does saw nothing happen (and
    a child the tests start inherits the default, as from a terminal)."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)

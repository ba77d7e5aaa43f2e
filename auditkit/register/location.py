"""Which register a report reads: the demo utility's own register, else the team's.

The built-in demo utility has a register of its own (`auditkit.register.demo.demo_register_url`: three
simulated months of runs and field outcomes), so running or opening the demo never writes into,
or reads from, the register a team set in `AUDITKIT_DB`. Any other dataset uses the team's
register: `AUDITKIT_DB`, else `outputs/register.sqlite` (what `Register.open(None)` opens).
A run of notebooks (`auditkit run-all --register`/`--db`) tells its kernels which register it
recorded into through `AUDITKIT_RUN_DB` in their environment, which comes first.
"""

from __future__ import annotations

import os
from pathlib import Path

from auditkit.register.store import Register

#: Environment variable through which a run of notebooks names the register it recorded into.
RUN_DB_ENV = "AUDITKIT_RUN_DB"


def is_demo_data(data_dir: str | os.PathLike[str] | None) -> bool:
    """Whether `data_dir` is the built-in demo utility: empty (a notebook's default) or its folder."""
    if data_dir is None or not str(data_dir).strip():
        return True
    from auditkit.paths import demo_folder

    return Path(data_dir).resolve() == demo_folder().resolve()


def file_url(path: Path) -> str:
    """The URL of a SQLite register at `path`, encoded so that SQLAlchemy reads `path` back
    (a '%' or '?' in a folder's name would otherwise change the file it names)."""
    import sqlalchemy as sa

    return sa.URL.create("sqlite", database=str(path)).render_as_string()


def register_url_for(data_dir: str | os.PathLike[str] | None, db: str | None = None) -> str | None:
    """The register URL for runs over `data_dir`: `db` when given, else the run's register
    (`AUDITKIT_RUN_DB`), else the demo register for the demo utility (built when needed), else
    None (`AUDITKIT_DB`, else outputs/register.sqlite)."""
    if db:
        return db
    if os.environ.get(RUN_DB_ENV):
        return os.environ[RUN_DB_ENV]
    if is_demo_data(data_dir):
        from auditkit.register.demo import demo_register_url

        return demo_register_url()
    return None


def open_report_register(data_dir: str | os.PathLike[str] | None) -> Register | None:
    """The register a report over `data_dir` reads, or None when there is none yet (a report
    never creates one)."""
    return Register.open_existing(register_url_for(data_dir))

"""Record the district reports' rule findings in the findings register before any notebook runs.

`auditkit run-all --register` (or `--db URL`) and `auditkit demo` record, per district report of
the run, the findings that report computes (the rules on the district's data, for its month), so
the report's "since last month" reads what was recorded and the audit_cycle report reads a
register no notebook writes while the run goes on: every report of a run sees one state.

A district whose month is already recorded (by an earlier run, or by `auditkit rules
--register`) is not recorded again. The demo utility records into its own register
(`auditkit.register.location`); other data into `--db`, else `AUDITKIT_DB`, else
`<outputs>/register.sqlite`; the notebooks' kernels are pointed at the same register through
`AUDITKIT_RUN_DB` in their environment (never through a parameter, which the report would show).
The manifest keeps what was recorded, with the register's URL password masked.

Whether or not a run records, the reports that read a register (`reads_register`) change with it
as much as with their data: the manifest keeps, under `registers_read`, each register the run's
reports read and its content fingerprint (`auditkit.register.store.fingerprint`: the rows, not
the file), taken after the recording step and before any kernel starts; `verify` and `rerun`
compare it with the register now (`compare_registers`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.pipeline.jobs import Job

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from auditkit.register.store import Fingerprint

#: Notebooks whose rule findings the register follows month by month.
RECORDING_NOTEBOOKS = ("district_audit",)
#: What a notebook's code says when it reads the findings register: the reports' reader, or
#: the audit-cycle study (which opens it itself).
REGISTER_READERS = ("open_report_register", "auditkit.cycle")
DEFAULT_FILE = "register.sqlite"


def sqlite_file_url(url: str) -> URL | None:
    """The parsed `url` when it names a SQLite file, else None (another database, SQLite in
    memory, or text that is no URL): the one test of which URLs have a path to resolve, shared
    by `absolute_sqlite` and the run records' `register_location`."""
    import sqlalchemy as sa

    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() != "sqlite" or (parsed.database or "") in ("", ":memory:"):
        return None
    return parsed


def shown_register(url: str) -> str:
    """`url` as messages, manifests and run records show a register (`store.readable_url`:
    password masked, a SQLite file's path as the file system spells it). The encoded form older
    manifests recorded gives the same text: compare registers by it. Text that is no URL is
    returned as it is."""
    import sqlalchemy as sa

    from auditkit.register.store import readable_url

    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        return url
    return readable_url(parsed)


def absolute_sqlite(url: str) -> str:
    """`url` with a relative SQLite file made absolute (from the working folder here): kernels
    run in the notebook's folder, where the same text would name another register. Other URLs
    (and text that is no URL, which opening the register reports) are returned as they are."""
    parsed = sqlite_file_url(url)
    if parsed is None or Path(parsed.database).is_absolute():
        return url
    return parsed.set(database=str(Path(parsed.database).resolve())).render_as_string(
        hide_password=False
    )


def recording_jobs(jobs: Sequence[Job]) -> list[Job]:
    """The jobs whose findings are recorded: district reports, with a district."""
    return [
        job
        for job in jobs
        if job.notebook.stem in RECORDING_NOTEBOOKS and job.parameters.get("district")
    ]


def record_findings(jobs: Sequence[Job], db: str | None, outputs: Path) -> list[dict[str, Any]]:
    """Record the findings of every district report among `jobs`; what was recorded, one entry
    per district, for the manifest (URL password masked)."""
    from auditkit import data, rules
    from auditkit.demo import demo_data_dir
    from auditkit.register import Register
    from auditkit.register.location import RUN_DB_ENV, file_url, is_demo_data, register_url_for
    from auditkit.register.texts import default_run_id

    entries: list[dict[str, Any]] = []
    groups: dict[tuple[str, str], list[str]] = {}
    for job in recording_jobs(jobs):
        source = str(job.parameters.get("data_dir") or "")
        groups.setdefault((source, str(job.parameters.get("as_of") or "")), []).append(
            str(job.parameters["district"])
        )
    for (source, as_of), districts in groups.items():
        folder = Path(source) if source else demo_data_dir()
        url = register_url_for(source, db) or os.environ.get("AUDITKIT_DB")
        if not url:
            outputs.mkdir(parents=True, exist_ok=True)  # a new --outputs folder: SQLite needs it
            url = file_url(outputs.resolve() / DEFAULT_FILE)
        url = absolute_sqlite(url)
        if db or not is_demo_data(source):
            os.environ[RUN_DB_ENV] = url  # the kernels inherit it: they read this register
        dataset = data.load(folder)
        with Register.open(url) as register:
            shown = shown_register(register.url)
            print(f"register {shown}: the findings of {', '.join(sorted(districts))} "
                  f"for {as_of or 'the last billed month'}", file=sys.stderr)  # fmt: skip
            for district in sorted(districts):
                dataset.require_district(district)
            everyone = rules.run(dataset, as_of=as_of or None)
            for district in sorted(districts):
                findings = rules.of_district(everyone, district)
                month = findings.attrs["as_of"]
                earlier = register.run_changes(month, district)
                if earlier is not None:
                    entry = {"run_id": earlier.run_id, "already_recorded": True}
                else:
                    changes = register.record_run(
                        findings,
                        run_id=default_run_id(folder.resolve().name, f" {month} {district}"),
                        as_of=month,
                        district=district,
                    )
                    entry = {"run_id": changes.run_id, "already_recorded": changes.already_recorded,
                             "counts": changes.counts}  # fmt: skip
                entries.append({"register": shown, "district": district, "as_of": month, **entry})
    return entries


def reads_register(notebook: Path) -> bool:
    """Whether a notebook's code reads the findings register (see REGISTER_READERS)."""
    from auditkit.notebook_params import read_notebook_json

    cells = read_notebook_json(notebook)["cells"]
    code = "".join(
        "".join(cell.get("source", "")) for cell in cells if cell.get("cell_type") == "code"
    )
    return any(marker in code for marker in REGISTER_READERS)


def registers_read(
    jobs: Sequence[Job], taken: Sequence[Fingerprint] = ()
) -> dict[str, dict[str, Any]]:
    """The registers the jobs' reports will read, by URL (password masked): content fingerprint,
    row counts and the jobs reading it. Run in the process whose environment the kernels inherit
    (after `record_findings`), so it names the register they open. A register among `taken`
    (fingerprints this process took already, of registers nothing has recorded into since) is
    not hashed again."""
    from auditkit.register.location import register_url_for
    from auditkit.register.store import fingerprint, shown_url

    reading = {notebook: reads_register(notebook) for notebook in {job.notebook for job in jobs}}
    readers: dict[str | None, list[str]] = {}
    for job in jobs:
        if reading[job.notebook]:
            url = register_url_for(job.parameters.get("data_dir"))
            readers.setdefault(url and absolute_sqlite(url), []).append(job.name)
    already = {shown_register(found.url): found for found in taken}
    registers: dict[str, dict[str, Any]] = {}
    for url, names in readers.items():
        found = already.get(shown_register(shown_url(url))) if already else None
        if found is None:
            found = fingerprint(url)
        entry = registers.setdefault(
            shown_register(found.url), {"sha256": found.sha256, "rows": found.rows, "read_by": []}
        )
        entry["read_by"] = sorted({*entry["read_by"], *names})
    return registers


def compare_registers(recorded: dict[str, dict[str, Any]], db: str | None = None) -> list[str]:
    """Differences between the registers a run read and those registers now, one line each
    (`register_differences` of `registers_now`)."""
    return register_differences(recorded, registers_now(recorded, db))


def registers_now(
    recorded: Mapping[str, Any], db: str | None = None
) -> dict[str, Fingerprint | None]:
    """The fingerprint now of each register a run read (`recorded`, keyed by the URL its
    manifest shows). A URL whose password the manifest masked is opened through `db`,
    `AUDITKIT_RUN_DB` or `AUDITKIT_DB` when one of them names the same register; None when none
    does (it cannot be opened)."""
    from auditkit.register.store import fingerprint

    now: dict[str, Fingerprint | None] = {}
    for shown in sorted(recorded):
        url = _unmasked(shown, db)
        now[shown] = None if url is None else fingerprint(url)
    return now


def register_differences(
    recorded: Mapping[str, dict[str, Any]], now: Mapping[str, Fingerprint | None]
) -> list[str]:
    """Differences between the registers a run read (`recorded`) and their fingerprints `now`
    (`registers_now`), one line each, the register named as `shown_register` shows it; a
    register that could not be opened is said not checked, with how to check it."""
    differences = []
    for recorded_as, then in sorted(recorded.items()):
        found = now[recorded_as]
        shown = shown_register(recorded_as)  # an older manifest's encoded path decoded
        if found is None:
            why = "the manifest masks its password" if MASKED in shown else _SERVER_NOT_NAMED
            differences.append(
                f"register {shown}: not checked: {why} "
                "(give --db or set AUDITKIT_DB: its URL, password included)"
            )
            continue
        if found.sha256 == then.get("sha256"):
            continue
        if found.sha256 is None:
            differences.append(f"register {shown}: missing")
        elif then.get("sha256") is None:
            differences.append(f"register {shown}: created since the run (it read none)")
        else:
            counts = then.get("rows") or {}
            moved = [
                f"{table} {counts.get(table, 0):,} → {rows:,} rows"
                for table, rows in sorted(found.rows.items())
                if counts.get(table, 0) != rows
            ]
            detail = f" ({', '.join(moved)})" if moved else " (same row counts, other values)"
            differences.append(f"register {shown}: changed{detail}")
    return differences


MASKED = ":***@"
#: Why a database server a manifest names is not contacted unless the user names it too.
_SERVER_NOT_NAMED = "a register on a database server is opened only when you name it"


def _unmasked(shown: str, db: str | None) -> str | None:
    """The URL to open the register recorded as `shown`: itself when it is a SQLite file whose
    URL masks no password, else `db`, `AUDITKIT_RUN_DB` or `AUDITKIT_DB` when it names the same
    register; None when none does. A manifest is data: the server it names (a host anyone may
    write into a run folder) is contacted only when the user's own setting names it."""
    if MASKED not in shown and _is_sqlite(shown):
        return shown
    from auditkit.errors import ParameterError
    from auditkit.register.location import RUN_DB_ENV
    from auditkit.register.store import shown_url

    for candidate in (db, *(os.environ.get(name) for name in (RUN_DB_ENV, "AUDITKIT_DB"))):
        if not candidate:
            continue
        try:
            if shown_register(shown_url(candidate)) == shown_register(shown):
                return candidate
        except ParameterError:
            continue
    return None


def _is_sqlite(url: str) -> bool:
    """Whether `url` names a SQLite register (a file), not a database server."""
    import sqlalchemy as sa

    try:
        return sa.engine.make_url(url).get_backend_name() == "sqlite"
    except (sa.exc.ArgumentError, ValueError):
        return False

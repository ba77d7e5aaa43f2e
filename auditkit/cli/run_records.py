"""Which run wrote the outputs of a command's default folder (`run.json` beside them), so that a
run with other settings does not replace them unasked: `auditkit rules` (other --rules or
--params) and `auditkit stats theft` (another register's field checks) refuse such a folder
unless --replace, and the same run again replaces its own outputs.

The register a record names (`register`, as `Register.url` shows it) is kept and compared by
its location (`register_location`): a SQLite file by its resolved path, so that a relative and
an absolute path to one file, or one typed from another folder, are one register."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from auditkit.atomic import write_text_atomic
from auditkit.errors import AuditkitError

#: The file beside the outputs in their default folder saying which run wrote them.
RUN_RECORD = "run.json"


def register_location(url: str | None) -> str | None:
    """Where the register of `url` (password masked, as `Register.url` shows it) is: a SQLite
    file's URL with its path resolved (from the working folder, links followed) and spelled as
    the file system has it (`shown_register`: an older record's percent-encoded path gives the
    same text); any other URL (PostgreSQL), or text that is no URL, as it is."""
    if url is None:
        return None
    # only for a record naming a register: `--help` does without sqlalchemy
    from auditkit.pipeline.register_step import shown_register, sqlite_file_url

    parsed = sqlite_file_url(url)
    if parsed is None:
        return url
    return shown_register(
        parsed.set(database=str(Path(parsed.database).resolve())).render_as_string(
            hide_password=True
        )
    )


def _located(record: dict[str, object]) -> dict[str, object]:
    """`record` with the register it names (if any) by its location (`register_location`)."""
    register = record.get("register")
    if not isinstance(register, str):
        return record
    return {**record, "register": register_location(register)}


def refuse_another_runs_folder(
    out: Path, record: dict[str, object], what: str, described: Callable[[dict], str]
) -> None:
    """An AuditkitError when `out` holds `what` (findings, theft scores) another run wrote
    (its `run.json` other than `record`, each shown by `described`; the registers they name
    compared by location): replacing them is asked for (--replace), not done unasked. A folder
    without a record, or with one auditkit did not write, is not refused."""
    try:
        earlier = json.loads((out / RUN_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # no record (no outputs yet), or not one auditkit wrote
        return
    if not isinstance(earlier, dict) or _located(earlier) == _located(record):
        return
    raise AuditkitError(
        f"{out}: holds the {what} of another run ({described(_located(earlier))}), which this run "
        f"({described(_located(record))}) would replace: --replace replaces them, --out DIR "
        "writes this run's elsewhere"
    )


def write_run_record(out: Path, record: dict[str, object]) -> None:
    """Write `record` as the `run.json` of `out`, once its outputs are written (the register
    it names by its location)."""
    write_text_atomic(out / RUN_RECORD, json.dumps(_located(record), ensure_ascii=False, indent=2))

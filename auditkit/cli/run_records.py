"""Which run wrote the outputs of a command's default folder (`run.json` beside them), so that a
run with other settings does not replace them unasked: `auditkit rules` (other --rules or
--params) and `auditkit stats theft` (another register's field checks) refuse such a folder
unless --replace, and the same run again replaces its own outputs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from auditkit.atomic import write_text_atomic
from auditkit.errors import AuditkitError

#: The file beside the outputs in their default folder saying which run wrote them.
RUN_RECORD = "run.json"


def refuse_another_runs_folder(
    out: Path, record: dict[str, object], what: str, described: Callable[[dict], str]
) -> None:
    """An AuditkitError when `out` holds `what` (findings, theft scores) another run wrote
    (its `run.json` other than `record`, each shown by `described`): replacing them is asked
    for (--replace), not done unasked. A folder without a record, or with one auditkit did not
    write, is not refused."""
    try:
        earlier = json.loads((out / RUN_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # no record (no outputs yet), or not one auditkit wrote
        return
    if not isinstance(earlier, dict) or earlier == record:
        return
    raise AuditkitError(
        f"{out}: holds the {what} of another run ({described(earlier)}), which this run "
        f"({described(record)}) would replace: --replace replaces them, --out DIR writes "
        "this run's elsewhere"
    )


def write_run_record(out: Path, record: dict[str, object]) -> None:
    """Write `record` as the `run.json` of `out`, once its outputs are written."""
    write_text_atomic(out / RUN_RECORD, json.dumps(record, ensure_ascii=False, indent=2))

"""Recording a written worklist as sent: the field loop's first event, from the API as from
`auditkit register worklist`, so that the audit cycle counts what went to the field."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from auditkit.errors import ParameterError, require_frame_columns, require_type
from auditkit.periods import today
from auditkit.register.schema import EVENT_COLUMNS, OPTIONAL_EVENT_COLUMNS
from auditkit.register.sheet import FIRST_DATA_ROW, worklist_source

if TYPE_CHECKING:
    from auditkit.register.store import Register


def record_sent(
    register: Register,
    written: Iterable[tuple[str | os.PathLike[str], pd.DataFrame]],
    *,
    sent_by: str,
    auditor: str | None = None,
    trail: pd.DataFrame | None = None,
) -> int:
    """Record each finding of the worklist sheets `written` (pairs of the path `write_worklist`
    wrote and the worklist frame written there) as `sent` today by `sent_by`, from its sheet and
    row, with the auditing bureau `auditor` (None: a self-audit) and how it was chosen; returns
    how many were recorded. A finding already sent on the same sheet (written again, any day)
    is not sent again (by `trail`, the register's outcomes as a caller already read them for
    these findings; None: read here). The events go in in one import: all of them or none."""
    if not isinstance(sent_by, str) or not sent_by.strip():
        raise ParameterError("sent_by", "who sends the worklist (a name)", sent_by)
    sheets = list(written)
    for path, sheet in sheets:
        require_type(path, (str, os.PathLike), "written", "pairs of a sheet's path and worklist")
        require_frame_columns(sheet, "written", "a worklist of select_worklist", ["finding_key"])
    if trail is None:
        districts = {district for _, sheet in sheets for district in sheet.get("district", [])}
        trail = register.outcomes(district=next(iter(districts)) if len(districts) == 1 else None)
    sent = trail.loc[trail["event"] == "sent", ["finding_key", "source"]]
    already = set(zip(sent["finding_key"], sent["source"], strict=True))
    sent_on = today()
    events = []
    for path, sheet in sheets:
        source = worklist_source(path)
        selected_by = (sheet.attrs.get("selection") or {}).get("by")
        for position, key in enumerate(sheet["finding_key"]):
            if (key, source) not in already:
                events.append((key, "sent", float("nan"), sent_by, sent_on, source,
                               FIRST_DATA_ROW + position, auditor, selected_by))  # fmt: skip
    if not events:
        return 0
    frame = pd.DataFrame(events, columns=[*EVENT_COLUMNS, *OPTIONAL_EVENT_COLUMNS])
    return register.record_outcomes(frame).recorded

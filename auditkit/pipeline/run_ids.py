"""When a run started, read from its id: run ids are put in order by that time, never as text.

A run id is the UTC time the run started and a random suffix: `20261207T100000.250000Z-1a2b3c`
since ids carry the microsecond, `20261207T100000Z-1a2b3c` before. As text an id of the old
form sorts after every new one of the same second ('Z' > '.'), so a run started later could
lose `latest` to it. By the time they name, an old id (to the second) counts as started at the
start of its second: before every new id of that second.
"""

from __future__ import annotations

import datetime as dt
import re

RUN_ID = re.compile(r"(\d{8}T\d{6})(?:\.(\d{6}))?Z-[0-9a-f]+")
_NO_TIME = dt.datetime.min.replace(tzinfo=dt.UTC)


def run_started(run_id: str) -> dt.datetime | None:
    """The UTC time a run id says its run started (to the second in an id of the old form);
    None for a name that is no run id (`interactive`, a folder made by hand)."""
    match = RUN_ID.fullmatch(run_id)
    if match is None:
        return None
    try:
        second = dt.datetime.strptime(match[1], "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:  # digits that are no date: 20261399T…
        return None
    return second + dt.timedelta(microseconds=int(match[2] or 0))


def run_order(name: str) -> tuple[bool, dt.datetime, str]:
    """A sort key of run folder names: run ids by the time their runs started (their text
    apart only ties), then every other name by its text, after them."""
    started = run_started(name)
    return (started is None, started or _NO_TIME, name)

"""Findings the field has already decided, left out of next month's worklist.

A finding persists from month to month under the same key (`keys.finding_key`). Once the field
has confirmed it (or rectified it, recovered money or corrected the archive, which confirm it)
or called it a false alarm, sending it again would send an inspector back to
what the field settled: `undecided` leaves those out before `select_worklist` chooses. A finding
the register marks `reopened` (gone in a run, found again since) is a new occurrence: what was
decided before the reopening does not hold for it, so it goes out again until the field decides
it anew (a verdict dated from the first day after the month of the run that found it again),
also once later runs find it persisting (`Register.state_of`'s `reopened_as_of`).
"""

from __future__ import annotations

import pandas as pd

from auditkit.cycle.evaluate import DECISIONS, latest_decisions
from auditkit.errors import require_frame_columns
from auditkit.periods import local_times
from auditkit.register.keys import KEY_COLUMNS, finding_keys

#: Columns of the outcomes that say what happened.
OUTCOME_KEYS = ("finding_key", "event")


def undecided(findings: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """`findings` without those whose field verdict is in: the latest `confirmed` /
    `false_alarm` event of the finding's key in `outcomes` (the register's trail,
    `Register.outcomes`), as the audit-cycle report decides (`cycle.evaluate.latest_decisions`:
    a re-check recorded later decides; a finding rectified, recovered or archive corrected was
    confirmed). Findings only sent, or never sent, are kept. A finding found again after it was
    gone is decided only by events dated from the first day after the month of the run that
    found it again: with the register's `reopened_as_of` column (`Register.state_of`), that
    month whatever its status since; else, with its `status` and `last_as_of` columns, the
    `last_as_of` of a finding whose status is `reopened`. A verdict on its earlier occurrence
    does not keep it from the field, one on the reopened finding does.

    `attrs` are kept; `attrs["decided"]` counts the findings left out per verdict (each of
    DECISIONS, 0 when none), so that a caller can say what it left out and why.
    """
    require_frame_columns(findings, "findings", "findings of auditkit.rules.run", KEY_COLUMNS)
    require_frame_columns(
        outcomes, "outcomes", "the register's outcome trail (Register.outcomes)", OUTCOME_KEYS
    )
    happened = _event_times(outcomes)
    order = happened.sort_values(kind="stable", na_position="first").index.to_numpy()
    outcomes, happened = outcomes.iloc[order], happened.iloc[order]  # an undated event: earliest
    dated = outcomes.assign(happened_at=happened.to_numpy())
    reopened = _reopening_months(findings)
    verdicts = latest_decisions(dated, reopened=reopened).set_index("finding_key")["event"]
    verdict = finding_keys(findings).map(verdicts)
    kept = findings[verdict.isna().to_numpy()].copy()
    kept.attrs = {
        **findings.attrs,
        "decided": {name: int((verdict == name).sum()) for name in DECISIONS},
    }
    return kept


def _event_times(outcomes: pd.DataFrame) -> pd.Series:
    """When each event of `outcomes` happened (a day's as recorded), by position; NaT for an
    undated one, and for every one of a trail without `happened_at`."""
    if "happened_at" not in outcomes.columns:
        return pd.Series(pd.NaT, index=range(len(outcomes)), dtype="datetime64[ns]")
    happened = local_times(
        outcomes["happened_at"], "outcomes.happened_at", "a date or time", allow_empty=True
    )
    return happened.reset_index(drop=True)


def _reopening_months(findings: pd.DataFrame) -> pd.Series:
    """finding_key -> the month of the run that found each reopened finding again: its
    `reopened_as_of` where the findings have that column (whatever its status since), else the
    `last_as_of` of each whose `status` is `reopened`; empty without either."""
    if "reopened_as_of" in findings.columns:
        months = findings["reopened_as_of"]
    elif "status" in findings.columns:
        require_frame_columns(
            findings, "findings", "the register's findings (Register.state_of)", ("last_as_of",)
        )
        months = findings["last_as_of"].where(findings["status"].astype(str) == "reopened")
    else:
        return pd.Series(dtype=object)
    known = months.notna().to_numpy()
    return pd.Series(months[known].astype(str).to_numpy(), index=finding_keys(findings[known]))

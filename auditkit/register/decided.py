"""Findings the field has already decided, left out of next month's worklist.

A finding persists from month to month under the same key (`keys.finding_key`). Once the field
has confirmed it (or rectified it, recovered money or corrected the archive, which confirm it)
or called it a false alarm, sending it again would send an inspector back to
what the field settled: `undecided` leaves those out before `select_worklist` chooses. A finding
the register marks `reopened` (gone in a run, found again since) is a new occurrence and goes
out again whatever was decided before.
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
    confirmed). Findings only sent, never sent, or (with the register's `status` column)
    `reopened` are kept.

    `attrs` are kept; `attrs["decided"]` counts the findings left out per verdict (each of
    DECISIONS, 0 when none), so that a caller can say what it left out and why.
    """
    require_frame_columns(findings, "findings", "findings of auditkit.rules.run", KEY_COLUMNS)
    require_frame_columns(
        outcomes, "outcomes", "the register's outcome trail (Register.outcomes)", OUTCOME_KEYS
    )
    if "happened_at" in outcomes.columns:  # the order events happened; a day's as recorded
        happened = local_times(
            outcomes["happened_at"], "outcomes.happened_at", "a date or time", allow_empty=True
        )
        order = happened.reset_index(drop=True).sort_values(kind="stable", na_position="first")
        outcomes = outcomes.iloc[order.index.to_numpy()]  # an undated event counts as earliest
    verdicts = latest_decisions(outcomes).set_index("finding_key")["event"]
    verdict = finding_keys(findings).map(verdicts)
    if "status" in findings.columns:
        verdict = verdict.where(findings["status"].astype(str) != "reopened")
    kept = findings[verdict.isna().to_numpy()].copy()
    kept.attrs = {
        **findings.attrs,
        "decided": {name: int((verdict == name).sum()) for name in DECISIONS},
    }
    return kept

"""Findings the field has already decided, left out of next month's worklist.

A finding persists from month to month under the same key (`keys.finding_key`). Once the field
has confirmed it or called it a false alarm, sending it again would send an inspector back to
what the field settled: `undecided` leaves those out before `select_worklist` chooses.
"""

from __future__ import annotations

import pandas as pd

from auditkit.cycle.evaluate import DECISIONS, latest_decisions
from auditkit.errors import ParameterError
from auditkit.register.keys import finding_keys


def undecided(findings: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """`findings` without those whose field verdict is in: the latest `confirmed` /
    `false_alarm` event of the finding's key in `outcomes` (the register's trail in the order
    events happened, `Register.outcomes`), as the audit-cycle report decides
    (`cycle.evaluate.latest_decisions`: a correction recorded later decides). Findings only
    sent, or never sent, are kept.

    `attrs` are kept; `attrs["decided"]` counts the findings left out per verdict (each of
    DECISIONS, 0 when none), so that a caller can say what it left out and why.
    """
    missing = [column for column in ("finding_key", "event") if column not in outcomes.columns]
    if missing:
        raise ParameterError(
            "outcomes",
            "the register's outcome trail (Register.outcomes)",
            "no column " + ", ".join(missing),
        )
    verdicts = latest_decisions(outcomes).set_index("finding_key")["event"]
    verdict = finding_keys(findings).map(verdicts)
    kept = findings[verdict.isna().to_numpy()].copy()
    kept.attrs = {
        **findings.attrs,
        "decided": {name: int((verdict == name).sum()) for name in DECISIONS},
    }
    return kept

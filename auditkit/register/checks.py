"""The register's field checks that found no theft behind a fall in use, for the theft ranking.

A finding of a fall (`FALL_RULES`) that the field closed as a false alarm says a visit saw the
customer's use low and found nothing wrong: an empty flat, a tenant gone, fewer people at home.
`field_checks` gives those visits as `stats.theft_scores(field_checks=...)` reads them, so next
month's ranking does not send the field back to the same honest fall (docs/statistics.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from auditkit.cycle.evaluate import latest_decisions
from auditkit.errors import ParameterError
from auditkit.register.store import Register
from auditkit.rules.registry import RULES

#: Rules whose findings are a fall in a customer's use: a false alarm on one clears the fall.
FALL_RULES = ("consumption_drop", "zero_consumption")
DAY = pd.Timedelta(days=1)


def field_checks(
    register: Register,
    district: str | None = None,
    rules: Sequence[str] = FALL_RULES,
    until: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """customer_id and checked_on (the day of the outcome) of every finding of `rules` (of
    `district`'s findings when given) decided a false alarm: its latest decision
    (`cycle.evaluate.latest_decisions`, as the audit-cycle report decides) up to the day `until`
    (default: every outcome) is `false_alarm`, so one confirmed on a later recheck is not, from
    that day. Sorted by customer and day, one row per customer and day."""
    if isinstance(rules, str):
        raise ParameterError("rules", "a list of rule ids", repr(rules))
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        raise ParameterError("rules", "rule ids of the library", ", ".join(map(str, unknown)))
    held = register.findings(district, columns=["customer_id", "rule_id"])
    held = held[held["rule_id"].isin(list(rules))]
    outcomes = register.outcomes(district=district)
    if until is not None:
        outcomes = outcomes[outcomes["happened_at"] < pd.Timestamp(until).normalize() + DAY]
    decided = latest_decisions(outcomes)
    alarms = decided[decided["event"] == "false_alarm"].merge(held, on="finding_key")
    checks = pd.DataFrame(
        {
            "customer_id": alarms["customer_id"].astype(str),
            "checked_on": pd.to_datetime(alarms["happened_at"]).dt.normalize(),
        }
    )
    return checks.drop_duplicates().sort_values(["customer_id", "checked_on"], ignore_index=True)

"""The register's field checks that found no theft behind a fall in use, for the theft ranking.

A finding of a fall (`FALL_RULES`) that the field closed as a false alarm says a visit saw the
customer's use low and found nothing wrong: an empty flat, a tenant gone, fewer people at home.
`field_checks` gives those visits as `stats.theft_scores(field_checks=...)` reads them, so next
month's ranking does not send the field back to the same honest fall (docs/statistics.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from auditkit.cycle.evaluate import latest_decisions
from auditkit.errors import ParameterError
from auditkit.periods import local_day
from auditkit.register.store import Register
from auditkit.rules.registry import RULES

#: Rules whose findings are a fall in a customer's use: a false alarm on one clears the fall.
FALL_RULES = ("consumption_drop", "zero_consumption")
DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class FieldRecords:
    """What `field_checks` and `stats.followed.register_outcomes` read of a register: the
    findings (finding_key, customer_id, rule_id) and live outcome events of `district` (None:
    every district). Read once (`read_field_records`) and given to both, the consumption study
    reads the register once, not twice."""

    district: str | None
    findings: pd.DataFrame
    outcomes: pd.DataFrame


def read_field_records(
    register: Register | FieldRecords,
    district: str | None,
    *,
    refuse_unknown_district: bool = True,
) -> FieldRecords:
    """The findings and outcomes of `district` in `register`; records read already are taken as
    they are when they are `district`'s (a ParameterError naming `district` otherwise). A
    district the register does not know is refused naming the ones it knows
    (`Register.require_district`: '城栋' for '城东' would read as a district without checks),
    unless `refuse_unknown_district` is False: for a district its dataset has checked already
    (the consumption study's, `stats theft --district`'s), which reads as empty."""
    if isinstance(register, FieldRecords):
        if register.district != district:
            raise ParameterError(
                "district",
                f"the district the register's records were read for ({register.district!r})",
                repr(district),
            )
        return register
    if refuse_unknown_district:
        register.require_district(district)
    return FieldRecords(
        district,
        register.findings(
            district, columns=["customer_id", "rule_id"], refuse_unknown_district=False
        ),
        register.outcomes(district=district, refuse_unknown_district=False),
    )


def field_checks(
    register: Register | FieldRecords,
    district: str | None = None,
    rules: Sequence[str] = FALL_RULES,
    until: pd.Timestamp | str | None = None,
    *,
    refuse_unknown_district: bool = True,
) -> pd.DataFrame:
    """customer_id and checked_on (the day of the outcome) of every finding of `rules` (of
    `district`'s findings when given) decided a false alarm, up to the day `until` (default:
    every outcome recorded). `register` may be its records read already (`read_field_records`).
    A district the register does not know is refused, unless `refuse_unknown_district` is
    False (a reader whose dataset has checked the district: `read_field_records`).

    A finding's decision is its latest `confirmed` / `false_alarm` event
    (`cycle.evaluate.latest_decisions`, as the audit-cycle report decides), so a false alarm a
    recheck confirmed is not one from the recheck's day; and a customer's false alarms before a
    theft confirmed on another of its falls (a later finding) no longer count either: the field
    has since found that customer stealing. Sorted by customer and day, one row per customer
    and day."""
    if isinstance(rules, str):
        raise ParameterError("rules", "a list of rule ids", repr(rules))
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        raise ParameterError("rules", "rule ids of the library", ", ".join(map(str, unknown)))
    records = read_field_records(
        register, district, refuse_unknown_district=refuse_unknown_district
    )
    held = records.findings[records.findings["rule_id"].isin(list(rules))]
    outcomes = records.outcomes
    if until is not None:
        day = local_day(until, "until", "a date (YYYY-MM-DD)")
        outcomes = outcomes[outcomes["happened_at"] < day + DAY]
    decided = latest_decisions(outcomes).merge(held, on="finding_key")
    decided["day"] = pd.to_datetime(decided["happened_at"]).dt.normalize()
    thefts = decided[decided["event"] == "confirmed"].groupby("customer_id", as_index=False)
    decided = decided.merge(
        thefts["day"].max().rename(columns={"day": "last_theft"}), on="customer_id", how="left"
    )
    alarms = decided[
        (decided["event"] == "false_alarm") & ~(decided["day"] <= decided["last_theft"])
    ]
    checks = pd.DataFrame(
        {"customer_id": alarms["customer_id"].astype(str), "checked_on": alarms["day"]}
    )
    return checks.drop_duplicates().sort_values(["customer_id", "checked_on"], ignore_index=True)

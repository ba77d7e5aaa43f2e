"""Falls someone is already on: the theft worklist ranks them after the ones no one is.

The theft ranking scores every fall, a run of zero kWh too. A customer at zero since its change is
also what the zero-consumption rule finds (运行用户连续零电量; its finding stands in the district
report of the same month), and the register may hold a field check that already confirmed the
theft, had it rectified or back-billed, or a finding sent to the field and not yet answered.
Telling the field to "inspect first" a customer that is already on its worklist, or already
confirmed, wastes the visits the ranking is for. `followed_up` names, for each such customer, the
rule whose finding of the same month covers its fall and the latest field outcome recorded on a
finding of a fall; `TheftReport` keeps every score as it is, lists those customers after the ones
no one is on (`theft_report._listed`) and marks them in its table.

Without the rule findings (the dataset cannot run the zero-consumption rule), a customer whose
use has been zero since its change is marked ZERO_SINCE_CHANGE: the zero-consumption rule's case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from auditkit.periods import local_day

if TYPE_CHECKING:
    from auditkit.data import Dataset
    from auditkit.register.checks import FieldRecords
    from auditkit.register.store import Register

#: Rules whose finding covers a customer's fall to zero: the zero-consumption rule and the rules
#: it leaves its findings to (`Rule.left_to`: the same loss counted on their evidence).
FOLLOW_RULES = ("zero_consumption", "register_mismatch", "meter_event_unresolved")
#: Field outcomes that say someone is on the customer (a false alarm is a field check instead:
#: `register.checks.field_checks`, which explains the fall).
FOLLOW_EVENTS = ("sent", "confirmed", "rectified", "recovered")
#: Columns of `followed_up`: the rule of a finding of the same month ("" none), the latest
#: outcome of FOLLOW_EVENTS recorded ("" none) and its day (NaT none).
FOLLOWED_COLUMNS = ("customer_id", "followed_rule", "followed_event", "followed_on")
#: followed_rule of a customer at zero since its change when the rules could not be run.
ZERO_SINCE_CHANGE = "zero_since_change"
DAY = pd.Timedelta(days=1)


def empty() -> pd.DataFrame:
    """A `followed_up` table of no customer."""
    return pd.DataFrame(
        {
            "customer_id": pd.Series(dtype=object),
            "followed_rule": pd.Series(dtype=object),
            "followed_event": pd.Series(dtype=object),
            "followed_on": pd.Series(dtype="datetime64[ns]"),
        }
    )


def rule_findings(dataset: Dataset, as_of: str, customers: pd.Series) -> pd.DataFrame | None:
    """customer_id and rule_id of the FOLLOW_RULES findings of month `as_of` (as the district
    report's run of the rule library gives them) of `customers`, one row per customer (the first
    rule of FOLLOW_RULES that found it); None when the zero-consumption rule could not run on
    `dataset` (a table or column it needs is missing)."""
    from auditkit import rules  # the rule library: loaded when the study is built

    notes: list[str] = []
    findings = rules.run(dataset, as_of=as_of, rules=list(FOLLOW_RULES), notes=notes)
    if any(note.startswith("zero_consumption") for note in notes):
        return None
    found = findings[findings["customer_id"].astype(str).isin(set(customers.astype(str)))]
    order = found["rule_id"].map(FOLLOW_RULES.index)
    found = found.assign(order=order.to_numpy()).sort_values(["customer_id", "order"])
    found = found.drop_duplicates("customer_id")
    return pd.DataFrame(
        {
            "customer_id": found["customer_id"].astype(str).to_numpy(),
            "rule_id": found["rule_id"].astype(str).to_numpy(),
        }
    )


def register_outcomes(
    register: Register | FieldRecords, district: str | None, until: pd.Timestamp | str
) -> pd.DataFrame:
    """customer_id, event and happened_at of each customer's latest field outcome on a finding
    of a fall (`register.checks.FALL_RULES` and FOLLOW_RULES) up to the day `until`, kept when it
    is one of FOLLOW_EVENTS (a latest false alarm is the field checks' case). `register` may be
    its records read already (`register.checks.read_field_records`)."""
    from auditkit.register.checks import FALL_RULES, read_field_records

    rule_ids = list(dict.fromkeys((*FALL_RULES, *FOLLOW_RULES)))
    records = read_field_records(register, district)
    held = records.findings[records.findings["rule_id"].isin(rule_ids)]
    outcomes = records.outcomes
    day = local_day(until, "until", "a date (YYYY-MM-DD)")
    outcomes = outcomes[pd.to_datetime(outcomes["happened_at"]) < day + DAY]
    events = outcomes[outcomes["event"].isin((*FOLLOW_EVENTS, "false_alarm"))]
    events = events.merge(held[["finding_key", "customer_id"]], on="finding_key")
    latest = events.groupby("customer_id", sort=True).tail(1)  # in the order they happened
    latest = latest[latest["event"].isin(FOLLOW_EVENTS)]
    return pd.DataFrame(
        {
            "customer_id": latest["customer_id"].astype(str).to_numpy(),
            "event": latest["event"].astype(str).to_numpy(),
            "happened_at": pd.to_datetime(latest["happened_at"]).dt.normalize().to_numpy(),
        }
    )


def followed_up(findings: pd.DataFrame | None, outcomes: pd.DataFrame | None) -> pd.DataFrame:
    """FOLLOWED_COLUMNS of each customer that a rule finding (`rule_findings`; None: none known)
    or a field outcome (`register_outcomes`; None: no register) covers."""
    if findings is None:
        findings = pd.DataFrame({"customer_id": [], "rule_id": []})
    if outcomes is None:
        outcomes = pd.DataFrame({"customer_id": [], "event": [], "happened_at": []})
    rules = findings.rename(columns={"rule_id": "followed_rule"})
    events = outcomes.rename(columns={"event": "followed_event", "happened_at": "followed_on"})
    merged = rules.astype({"customer_id": str}).merge(
        events.astype({"customer_id": str}), on="customer_id", how="outer"
    )
    if merged.empty:
        return empty()
    for column in ("followed_rule", "followed_event"):
        merged[column] = merged[column].astype(object).fillna("").astype(str)
    merged["followed_on"] = pd.to_datetime(merged["followed_on"])
    return merged[list(FOLLOWED_COLUMNS)].sort_values("customer_id").reset_index(drop=True)


def with_zero_since_change(followed: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """`followed` (FOLLOWED_COLUMNS) with the scored rows of `scores` (theft scores with their
    reasons) whose use is zero since their change (level_after 0) marked ZERO_SINCE_CHANGE where
    no rule is named: the zero-consumption rule's case, for when its findings are not known."""
    zero = scores["status"].eq("scored") & scores["level_after"].eq(0)
    customers = scores.loc[zero, "customer_id"].astype(str)
    known = followed["customer_id"].isin(customers) & followed["followed_rule"].eq("")
    followed = followed.assign(
        followed_rule=followed["followed_rule"].where(~known, ZERO_SINCE_CHANGE)
    )
    added = customers[~customers.isin(followed["customer_id"])]
    if added.empty:
        return followed.reset_index(drop=True)
    more = empty().reindex(range(len(added)))
    more = more.assign(
        customer_id=added.to_numpy(), followed_rule=ZERO_SINCE_CHANGE, followed_event=""
    )
    frames = [frame for frame in (followed, more) if len(frame)]
    return pd.concat(frames, ignore_index=True).sort_values("customer_id", ignore_index=True)


def tiers(listed: pd.DataFrame, followed: pd.DataFrame) -> np.ndarray:
    """The worklist tier of each row of `listed` (rows of theft scores): 0 unexplained and no one
    on it, 1 followed up (`followed_up`), 2 explained by a work order or a field check."""
    explained = listed["status"].eq("explained").to_numpy()
    on_it = listed["customer_id"].astype(str).isin(set(followed["customer_id"])).to_numpy()
    return np.where(explained, 2, np.where(on_it, 1, 0))

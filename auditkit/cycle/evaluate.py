"""Per finding, district and rule: what the field did with the register's findings in a window.

Pure functions on the register's frames (`Register.findings`, `Register.outcomes`), so they are
tested without a database. Definitions (docs/audit_cycle.md), for the window's cycles
(`auditkit.cycle.window`), counting only events that happened before the window ends:

- found: a run of one of the window's months found the finding (the runs' own record of what
  each found; a finding gone in a month between its first and last is not found in it);
- issued: a `sent` event in the window (a finding sent twice is issued once);
- checked: the finding's decision, the latest of its `confirmed` / `false_alarm` events (a
  re-check is a new event, so the latest one decides; events of one day in the order they were
  recorded; a `rectified`, `recovered` or `archive_corrected` event with no confirmation before
  it is a confirmation: `latest_decisions`), is dated in the window; confirmed and false alarms
  split the checked findings by it, whichever occurrence it decided (every check made counts);
- decision: a finding found again after it was gone (reopened) is a new occurrence: a verdict
  dated before the cycle of the window's latest reopening of it does not decide its current
  state (`decision`, awaiting check or rectification: `reopened_by`), one of the months before
  that reopening still does;
- sample checks: checked findings that a random-sample worklist drew (an event with
  `selected_by == 'sample'`): the basis of a rule's unbiased precision;
- rectified: the first `rectified` event is dated in the window; days to rectify run from the
  first `sent` event to it (unknown without a `sent` event before it);
- awaiting check: found or issued in the window, sent, and no decision yet when the window ends;
  awaiting rectification: found or issued in the window, confirmed, and not rectified when the
  window ends, unless its archive was corrected and the window's last month's runs no longer
  found it (the correction fixed it);
- recovered: the `recovered` amounts dated in the window, kept apart by the finding's kind of
  revenue (proved or estimated), never added together;
- penalty recovered: the penalties collected (违约使用电费 实收, an outcome's `penalty`) with the
  `recovered` events dated in the window: a column of its own, never added to the revenue
  recovered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from auditkit.cycle.window import Window, cycle_start
from auditkit.rules.registry import REVENUE_KINDS
from auditkit.stats.requirements import require_columns

#: Finding columns the evaluation reads (besides finding_key).
FINDING_FIELDS = (
    "customer_id",
    "rule_id",
    "district",
    "revenue_impact",
    "revenue_kind",
    "first_as_of",
    "last_as_of",
)
#: Columns of the keys each recorded month's runs found.
FOUND_IN_COLUMNS = ("finding_key", "as_of")
#: Columns of the runs that found a finding again after it was gone (`Register.reopenings`).
REOPENING_COLUMNS = ("finding_key", "as_of")
#: Outcome columns the evaluation reads.
OUTCOME_FIELDS = ("finding_key", "event", "amount", "happened_at", "auditor", "selected_by")
#: The verdicts that decide a finding; the latest one counts.
DECISIONS = ("confirmed", "false_alarm")
#: Outcomes that imply the irregularity was confirmed (已整改 / 已追补 / 档案已更正): a verdict of
#: `confirmed` where no confirmation stands already (none yet, or a false alarm before them).
CONFIRMING = ("rectified", "recovered", "archive_corrected")
#: Counts of findings per district and rule.
COUNTS = (
    "found",
    "issued",
    "checked",
    "confirmed",
    "false_alarms",
    "sample_checked",
    "sample_confirmed",
    "rectified",
    "awaiting_check",
    "awaiting_rectification",
)
#: Recovered amounts, one column per kind of revenue.
RECOVERED_NAME = "recovered_{kind}"
RECOVERED = tuple(RECOVERED_NAME.format(kind=kind) for kind in REVENUE_KINDS)
#: Penalties collected (违约使用电费 实收): apart from the revenue recovered, never added to it.
PENALTY_RECOVERED = "penalty_recovered"
SUMMARY_COLUMNS = (*COUNTS, "precision", "median_days", *RECOVERED, PENALTY_RECOVERED)


def latest_decisions(
    events: pd.DataFrame,
    by: Sequence[str] = ("finding_key",),
    reopened: pd.Series | None = None,
) -> pd.DataFrame:
    """The deciding event of each group of `by` (a finding; a finding and a kind of check): the
    latest of its `confirmed` / `false_alarm` events, one row of `events` per group. `events`
    must be in the order they happened, one day's in the order recorded (as
    `Register.outcomes` gives them), so a later verdict (a re-check) decides.

    A rectified, recovered or archive-corrected finding was confirmed (CONFIRMING): such an
    event counts as a `confirmed` verdict (its row's `event` reads `confirmed`) when no
    confirmation stands before it (the first word on the finding, or after a false alarm); after
    a confirmation it changes nothing, so a finding confirmed in one month and rectified the next
    stays decided the day it was confirmed.

    `reopened` (finding_key -> 'YYYY-MM', the month of the run that last found it again after
    it was gone, up to the month the reader reports: `reopened_by`) cuts each reopened finding's
    trail: only its events dated from the first day after that month (its `happened_at`; an
    undated one counts as earlier) decide the occurrence found again, so every reader (worklist,
    audit-cycle report, "since last month") leaves a verdict on the earlier occurrence aside."""
    if reopened is not None and len(reopened):
        events = events[after_reopening(reopened, events["finding_key"], events["happened_at"])]
    verdicts = events[events["event"].isin((*DECISIONS, *CONFIRMING))]
    confirms = verdicts["event"].where(verdicts["event"] == "false_alarm", "confirmed")
    before = confirms.groupby([verdicts[column] for column in by]).shift(1)
    keep = ~(verdicts["event"].isin(CONFIRMING) & (before == "confirmed")).to_numpy()
    kept = verdicts[keep].assign(event=confirms.to_numpy()[keep])
    return kept.groupby(list(by)).tail(1)


def reopened_by(reopenings: pd.DataFrame, month: str) -> pd.Series:
    """finding_key -> the month of each finding's latest reopening (REOPENING_COLUMNS, one row
    per run that found it again) up to `month` ('YYYY-MM'), for `latest_decisions`: a reader of
    an earlier month leaves a later reopening aside, so its figures stay as they were."""
    require_columns(reopenings, REOPENING_COLUMNS, "reopenings")
    known = reopenings[reopenings["as_of"].astype(str) <= month]
    return known.groupby("finding_key")["as_of"].max().astype(str)


def after_reopening(reopened: pd.Series, keys: pd.Series, happened: pd.Series) -> np.ndarray:
    """Which events (their finding `keys`, when they `happened`) are not of a reopened
    finding's earlier occurrence: those of findings not in `reopened` (finding_key -> month of
    the run that found it again), and those of a reopened one dated from the first day after
    that month; an undated event of a reopened finding counts as earlier."""
    began = pd.Series(
        [cycle_start(str(month)) for month in reopened],
        index=reopened.index.to_numpy(),
        dtype="datetime64[ns]",
    )
    since = began[~began.index.duplicated()].reindex(keys.to_numpy()).to_numpy()
    days = pd.to_datetime(happened).to_numpy(dtype="datetime64[ns]")
    return np.isnat(since) | (days >= since)


def by_kind(amount: pd.Series, kinds: pd.Series, name: str) -> dict[str, pd.Series]:
    """`amount` apart per kind of revenue, as columns `name.format(kind=kind)` for each of
    REVENUE_KINDS: a row's amount under its own kind, 0 under the others, so proved and
    estimated revenue are never added together. `kinds` is aligned with `amount`."""
    return {name.format(kind=kind): amount.where(kinds == kind, 0.0) for kind in REVENUE_KINDS}


def window_events(outcomes: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The outcome events that happened before the window ends, in the order they happened
    (events of one day in the order given, which is the order recorded), each marked
    `in_window`. The penalty collected (`penalty`) is read when the outcomes have it (a trail
    recorded before penalties were: none)."""
    require_columns(outcomes, OUTCOME_FIELDS, "outcomes")
    events = outcomes.loc[:, list(OUTCOME_FIELDS)].copy()
    events["happened_at"] = pd.to_datetime(events["happened_at"])
    events["amount"] = pd.to_numeric(events["amount"]).astype(float)
    penalty = outcomes["penalty"] if "penalty" in outcomes.columns else np.nan
    events["penalty"] = pd.to_numeric(pd.Series(penalty, index=events.index)).astype(float)
    events = events[window.before_end(events["happened_at"]).to_numpy()]
    events = events.sort_values("happened_at", kind="stable", ignore_index=True)
    events["in_window"] = window.inside(events["happened_at"]).to_numpy()
    return events


def finding_states(
    findings: pd.DataFrame,
    events: pd.DataFrame,
    window: Window,
    found_in: pd.DataFrame | None = None,
    reopened: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per finding the window concerns: the finding's columns and, as booleans, every
    count of COUNTS; `decision`, `first_sent`, `first_rectified`, `days_to_rectify`, the
    recovered amounts (RECOVERED) and the penalties collected (PENALTY_RECOVERED, apart). `found_in` (FOUND_IN_COLUMNS: finding_key, as_of) holds the
    keys the runs of each recorded month found (`found_by_runs`); without it a finding counts as
    found in every month from its first to its last found. `reopened` (`reopened_by` the
    window's last month) leaves a verdict on a reopened finding's earlier occurrence aside in
    its current state (`decision`, awaiting check or rectification) only: a check the field
    made in the window counts as checked, confirmed or a false alarm whichever occurrence it
    decided, so the window's checks and each rule's precision count every check made."""
    require_columns(findings, ("finding_key", *FINDING_FIELDS), "findings")
    states = findings.loc[:, ["finding_key", *FINDING_FIELDS]].reset_index(drop=True)
    keys = states["finding_key"]
    found, found_last = _found(states, window, found_in)
    sent = events[events["event"] == "sent"]
    first_sent = sent.groupby("finding_key")["happened_at"].min()
    checks = latest_decisions(events).set_index("finding_key")
    decisions = latest_decisions(events, reopened=reopened).set_index("finding_key")
    rectified = events[events["event"] == "rectified"].groupby("finding_key")["happened_at"].min()
    recoveries = events[(events["event"] == "recovered") & events["in_window"]]
    recovered = recoveries.groupby("finding_key")["amount"].sum()
    penalties = recoveries.groupby("finding_key")["penalty"].sum()
    sampled = set(events.loc[events["selected_by"] == "sample", "finding_key"])
    corrected = set(events.loc[events["event"] == "archive_corrected", "finding_key"])

    states["found"] = found
    states["issued"] = keys.isin(set(sent.loc[sent["in_window"], "finding_key"]))
    states["decision"] = _lookup(keys, decisions["event"])
    verdict = _lookup(keys, checks["event"])
    states["checked"] = window.inside(_lookup(keys, checks["happened_at"]))
    states["confirmed"] = states["checked"] & (verdict == "confirmed")
    states["false_alarms"] = states["checked"] & (verdict == "false_alarm")
    sample = keys.isin(sampled)
    states["sample_checked"] = states["checked"] & sample
    states["sample_confirmed"] = states["confirmed"] & sample
    states["first_sent"] = _lookup(keys, first_sent)
    states["first_rectified"] = _lookup(keys, rectified)
    states["rectified"] = window.inside(states["first_rectified"])
    days = (states["first_rectified"] - states["first_sent"]).dt.days
    states["days_to_rectify"] = days.where(days >= 0).astype(float)
    worked = states["found"] | states["issued"]  # a finding neither is not the window's backlog
    states["awaiting_check"] = worked & states["first_sent"].notna() & states["decision"].isna()
    corrected_away = keys.isin(corrected) & ~found_last
    states["awaiting_rectification"] = (
        worked
        & (states["decision"] == "confirmed")
        & states["first_rectified"].isna()
        & ~corrected_away
    )
    amount = _lookup(keys, recovered).fillna(0.0).astype(float)
    for column, values in by_kind(amount, states["revenue_kind"], RECOVERED_NAME).items():
        states[column] = values
    states[PENALTY_RECOVERED] = _lookup(keys, penalties).fillna(0.0).astype(float)
    concerned = states[list(COUNTS)].any(axis=1) | (amount > 0) | (states[PENALTY_RECOVERED] > 0)
    return states[concerned.to_numpy()].reset_index(drop=True)


def found_by_runs(changes: Iterable[pd.DataFrame], months: Iterable[str]) -> pd.DataFrame:
    """The keys each run found (FOUND_IN_COLUMNS) from the runs' `changes`
    (`RunChanges.changes`: a status per key, `no_longer_found` for a key the run did not find)
    and the month each run recorded, in the same order."""
    parts = [
        pd.DataFrame(
            {"finding_key": run["finding_key"][run["status"] != "no_longer_found"], "as_of": month}
        )
        for run, month in zip(changes, months, strict=True)
    ]
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=list(FOUND_IN_COLUMNS))
    )


def _found(
    states: pd.DataFrame, window: Window, found_in: pd.DataFrame | None
) -> tuple[pd.Series, pd.Series]:
    """Whether a run of the window's months found each finding of `states`, and whether one of
    its last month did. With `found_in`, a finding is also found in its first and last months
    found (a run of another district's may have found it before it moved: `RunChanges` gives a
    district's run's findings of that district now)."""
    first, last = states["first_as_of"], states["last_as_of"]
    if found_in is None:  # found in every month from its first to its last
        began = first <= window.last
        return began & (last >= window.first), began & (last >= window.last)
    require_columns(found_in, FOUND_IN_COLUMNS, "found_in")
    keys = states["finding_key"]
    in_window = found_in[found_in["as_of"].isin(window.months)]
    in_last = in_window.loc[in_window["as_of"] == window.last, "finding_key"]
    months = set(window.months)
    found = keys.isin(set(in_window["finding_key"])) | first.isin(months) | last.isin(months)
    found_last = keys.isin(set(in_last)) | (first == window.last) | (last == window.last)
    return found, found_last


def _lookup(keys: pd.Series, values: pd.Series) -> pd.Series:
    """The value of each key (missing: NaN or NaT), in the dtype of `values`."""
    return pd.Series(values.reindex(keys.to_numpy()).to_numpy(), index=keys.index)


def summarize(states: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The counts (COUNTS), confirmed precision on every check, median days to rectify and the
    recovered amounts and penalties collected of `states` per group of `by` (no column: one row
    for everything)."""
    if states.empty and not by:  # nothing concerned: one row of zeros
        zeros = {name: 0 for name in COUNTS} | {
            name: 0.0 for name in (*RECOVERED, PENALTY_RECOVERED)
        }
        return pd.DataFrame([zeros | {"precision": np.nan, "median_days": np.nan}]).reindex(
            columns=list(SUMMARY_COLUMNS)
        )
    frame = states.assign(_all="") if not by else states
    keys = by or ["_all"]
    grouped = frame.groupby(keys, sort=True)
    table = grouped[list(COUNTS)].sum().astype(np.int64)
    money = grouped[[*RECOVERED, PENALTY_RECOVERED]].sum()
    timed = frame[frame["rectified"] & frame["days_to_rectify"].notna()]
    days = timed.groupby(keys)["days_to_rectify"].median()
    table["precision"] = np.where(
        table["checked"] > 0, table["confirmed"] / table["checked"].clip(lower=1), np.nan
    )
    table["median_days"] = days.reindex(table.index).astype(float)
    table = table.join(money).reset_index()
    return table.drop(columns=["_all"], errors="ignore").reindex(columns=[*by, *SUMMARY_COLUMNS])

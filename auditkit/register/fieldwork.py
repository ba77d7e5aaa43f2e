"""The field's work on the monthly worklists, simulated from a synthetic utility's truth.

The demo's register (`auditkit.register.demo.demo_register_url`) holds three months of runs; this module
says what the field did with their findings, so that every section of the audit cycle report
shows real figures. `simulate(findings_by_month, truth, until=...)` gives the outcome events:

- each month, per district, a worklist: a random `sample_share` of the findings not sent before
  (drawn first, so the confirmed share of the sample measures each rule's precision without the
  bias of checking only the largest findings), then the `top` findings with most revenue at
  stake among the rest (`auditkit.register.select_worklist` both);
- `sent` on one of the first working days of the next month, one day per district's sheet;
- some days later the checking team's verdict: `confirmed` when the truth table labels the
  customer with the finding's rule from the audited month or before (truth names irregularities
  by rule id, as `rules.precision_recall` reads it), else `false_alarm`; but a self-audit team
  calls a real irregularity a false alarm with probability `self_audit_miss_share` (self-audits
  under-report), a cross-audit team never does;
- in one of the months (`cross_audit_month`) the districts audit each other in rotation
  (横向互查: each district's worklist is checked by the next district's team, `auditor`); that team
  also re-checks the findings the district's own team called false alarms before, confirming the
  real ones: what the cross-audit finds that the self-audit missed (a correction is a new event);
- a confirmed finding is rectified some days later (a share stays open), its revenue recovered
  after that (proved revenue nearly whole, estimated revenue a settled share), and archive and
  metering findings get `archive_corrected` on the day of rectification;
- nothing happens after `until`, the simulation's today: late work is still open.

Every draw comes from the recipe's seed with the month and the finding key (or the district), so
the same findings, truth and recipe give the same events whatever the row order. Actors are
made-up staff ids, no real people.
"""

from __future__ import annotations

import hashlib
import json
import types
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from auditkit.errors import ParameterError, require_frame_columns
from auditkit.periods import is_period, month_first_days, month_number
from auditkit.register.keys import finding_keys
from auditkit.register.schema import EVENT_COLUMNS, OPTIONAL_EVENT_COLUMNS, OUTCOME_EVENTS
from auditkit.register.worklist import select_worklist

#: Seed of the demo's field: any fixed number; the same seed gives the same outcomes.
FIELD_SEED = 20261204
#: Findings with most revenue at stake each district checks a month besides its sample: about
#: what one district team checks in a month beside its routine work, and enough for every
#: district to show confirmed findings and recoveries.
WORKLIST_TOP = 12
#: Random share of each district's findings not sent before, checked every month: with about a
#: hundred findings per district, ten or so a month, thirty over the three months, which gives
#: each rule's precision an interval that says something without checking everything.
SAMPLE_SHARE = 0.1
#: A district's worklist goes out on one of the first working days of the month after the
#: audited month, when the month's bills are out (audits follow the billing cycle).
SEND_WITHIN_WORKING_DAYS = 5
#: Days from sending to the team's verdict, inclusive: a site visit is planned within the first
#: weeks; the longest ones wait for the customer or a meter test, so some of the last month's
#: worklist is still unchecked at the end.
CHECK_DAYS = (3, 30)
#: Share of real irregularities a self-audit team reports as false alarms: a bureau checking its
#: own accounts tends to under-report (DOMAIN.md: cross-audits reveal what self-audits miss).
#: About a third: with the 40 to 50 self-checked and 25 to 30 cross-checked findings a demo
#: district has in three months, a fifth would not stand out from chance in the audit cycle
#: report's comparison (Fisher's exact test, Holm-adjusted over six districts); a third does
#: in most districts, which is what the demo is there to show.
SELF_AUDIT_MISS_SHARE = 0.35
#: Which of the simulated months (0 the first) is the horizontal cross-audit: the middle one,
#: so self-audit months come before and after it.
CROSS_AUDIT_MONTH = 1
#: Days from confirmation to rectification (archive fixed, meter or tariff corrected), inclusive.
RECTIFY_DAYS = (5, 40)
#: Share of confirmed findings still not rectified at the end however long ago they were
#: confirmed: the customer disputes, or new equipment is on order.
UNRESOLVED_SHARE = 0.1
#: Days from rectification to the back-billing being paid (退补), inclusive.
RECOVER_DAYS = (0, 10)
#: Share of proved revenue recovered: the bills prove it, so nearly all; a little is written off
#: (a customer gone, an item the customer successfully disputes).
PROVED_RECOVERED = (0.9, 1.0)
#: Share of estimated revenue settled (theft, a misuse of unknown start): negotiated with the
#: customer from the estimate, so often well under it.
ESTIMATED_SETTLED = (0.4, 0.8)
#: Areas whose confirmed findings are fixed in the archive (the multiplier, the CT and PT ratios,
#: the meter's records), recorded as `archive_corrected`.
ARCHIVE_AREAS = ("metering",)
#: Rules outside those areas whose fix is an archive correction: the archive's defects, a
#: duplicated account, the tariff category on file.
ARCHIVE_RULES = ("archive_defect", "duplicate_account", "tariff_mismatch")
#: Inspectors per district team, for the made-up staff ids of the actors.
INSPECTORS_PER_TEAM = 4
#: Who sends the worklists: the audit centre's dispatcher (a made-up staff id).
DISPATCHER = "稽查中心-派工01"

EVENT_FRAME_COLUMNS = (*EVENT_COLUMNS, *OPTIONAL_EVENT_COLUMNS)
_EVENT_ORDER = {event: rank for rank, event in enumerate(OUTCOME_EVENTS)}
_NEEDED = ("rule_id", "area", "customer_id", "district", "period_from", "severity",
           "revenue_impact", "revenue_kind", "score")  # fmt: skip


@dataclass(frozen=True)
class FieldRecipe:
    """The numbers of the simulated field; the defaults are the module's constants (see there
    for why each)."""

    seed: int = FIELD_SEED
    top: int = WORKLIST_TOP
    sample_share: float = SAMPLE_SHARE
    send_within_working_days: int = SEND_WITHIN_WORKING_DAYS
    check_days: tuple[int, int] = CHECK_DAYS
    self_audit_miss_share: float = SELF_AUDIT_MISS_SHARE
    cross_audit_month: int | None = CROSS_AUDIT_MONTH
    recheck_self_false_alarms: bool = True
    rectify_days: tuple[int, int] = RECTIFY_DAYS
    unresolved_share: float = UNRESOLVED_SHARE
    recover_days: tuple[int, int] = RECOVER_DAYS
    proved_recovered: tuple[float, float] = PROVED_RECOVERED
    estimated_settled: tuple[float, float] = ESTIMATED_SETTLED
    archive_areas: tuple[str, ...] = ARCHIVE_AREAS
    archive_rules: tuple[str, ...] = ARCHIVE_RULES
    inspectors: int = INSPECTORS_PER_TEAM

    def __post_init__(self) -> None:
        for name in ("top", "send_within_working_days", "inspectors"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ParameterError(name, "a whole number of at least 1", value)
        for name in ("sample_share", "self_audit_miss_share", "unresolved_share"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ParameterError(name, "a share from 0 to 1", value)
        if self.sample_share == 0:
            raise ParameterError("sample_share", "a share above 0 (precision needs a sample)", 0)
        for name in ("check_days", "rectify_days", "recover_days"):
            bounds = getattr(self, name)
            if not (_is_pair(bounds, int) and 0 <= bounds[0] <= bounds[1]):
                raise ParameterError(
                    name, "days (low, high): whole numbers with 0 <= low <= high", bounds
                )
        for name in ("proved_recovered", "estimated_settled"):
            bounds = getattr(self, name)
            if not (_is_pair(bounds, int | float) and 0 <= bounds[0] <= bounds[1] <= 1):
                raise ParameterError(name, "shares (low, high) with 0 <= low <= high <= 1", bounds)
        month = self.cross_audit_month
        if month is not None and (
            isinstance(month, bool) or not isinstance(month, int) or month < 0
        ):
            raise ParameterError("cross_audit_month", "a month index (0 the first) or None", month)

    def as_dict(self) -> dict:
        """The recipe as JSON holds it (tuples as lists), to record and compare."""
        return json.loads(json.dumps(asdict(self)))


def _is_pair(value: object, kinds: type | types.UnionType) -> bool:
    """Whether `value` is two numbers of `kinds` (booleans are not numbers here)."""
    return (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(item, kinds) and not isinstance(item, bool) for item in value)
    )


def simulate(
    findings_by_month: Mapping[str, pd.DataFrame],
    truth: pd.DataFrame,
    *,
    until: str | pd.Timestamp,
    recipe: FieldRecipe | None = None,
) -> pd.DataFrame:
    """The field's outcome events on the worklists of each month's findings, up to `until`.

    `findings_by_month` maps each audited month ('YYYY-MM') to the findings of that month's runs
    (the frames of `auditkit.rules.run`, every district together); `truth` is the synthetic
    utility's table (customer_id, irregularity, from_period). Returns the columns
    `Register.record_outcomes` takes (`EVENT_COLUMNS`, then `auditor` and `selected_by`), in
    the order the events happened.
    """
    recipe = recipe or FieldRecipe()
    until_day = _day(until)
    real = _real_irregularities(truth)
    rows: list[tuple] = []
    sent: set[str] = set()
    missed: set[str] = set()  # keys whose latest verdict is a self-audit's false alarm
    for index, month in enumerate(sorted(findings_by_month)):
        if not is_period(month):
            raise ParameterError("findings_by_month", "months 'YYYY-MM' as keys", month)
        findings = _checked(findings_by_month[month], month)
        month_no = int(month_number([month])[0])
        cross = index == recipe.cross_audit_month
        teams = _teams(findings["district"], cross)
        worklist = month_worklist(findings, exclude=sent, recipe=recipe, month_no=month_no)
        if cross and recipe.recheck_self_false_alarms and missed:
            keys = finding_keys(findings)
            rechecked = findings[keys.isin(missed).to_numpy()].assign(
                finding_key=keys[keys.isin(missed)].to_numpy(), selected_by=None
            )
            rechecked = rechecked.sort_values(["district", "revenue_impact", "finding_key"],
                                              ascending=[True, False, True])  # fmt: skip
            worklist = pd.concat([worklist, rechecked], ignore_index=True)
        for district, sheet in worklist.groupby("district", sort=True):
            day = _sent_day(recipe, month_no, str(district))
            source = f"demo field {month} {district}"
            for position, finding in enumerate(sheet.itertuples(index=False), start=1):
                auditor = teams[str(district)]
                selected_by = None if pd.isna(finding.selected_by) else finding.selected_by
                is_real = month_no >= real.get((finding.customer_id, finding.rule_id), month_no + 1)
                events, verdict = _finding_events(
                    finding, recipe, month_no, day, auditor, is_real, selected_by is None, until_day
                )
                rows += [(finding.finding_key, *event, source, position, auditor, selected_by)
                         for event in events]  # fmt: skip
                sent.add(finding.finding_key)
                if verdict == "false_alarm" and auditor is None:
                    missed.add(finding.finding_key)
                elif verdict is not None and auditor is not None:
                    missed.discard(finding.finding_key)
    return _event_frame(rows)


def month_worklist(
    findings: pd.DataFrame, *, exclude: set[str], recipe: FieldRecipe, month_no: int
) -> pd.DataFrame:
    """One month's worklist, per district: a random `sample_share` of the findings whose key is
    not in `exclude` (those sent before), then the `top` by revenue among the others; rows by
    district, most revenue first, each with `finding_key` and `selected_by`."""
    fresh = findings[~finding_keys(findings).isin(exclude).to_numpy()]
    sample = select_worklist(
        fresh, by="sample", share=recipe.sample_share, seed=recipe.seed + month_no
    )
    rest = fresh[~finding_keys(fresh).isin(sample["finding_key"]).to_numpy()]
    top = select_worklist(rest, by="revenue", top=recipe.top)
    worklist = pd.concat([top, sample], ignore_index=True)
    return worklist.sort_values(
        ["district", "revenue_impact", "score", "finding_key"],
        ascending=[True, False, False, True],
        ignore_index=True,
    )


def _checked(findings: pd.DataFrame, month: str) -> pd.DataFrame:
    """The month's findings with the columns the simulation reads."""
    require_frame_columns(
        findings, f"findings_by_month[{month!r}]", "findings of auditkit.rules.run", _NEEDED
    )
    return findings.reset_index(drop=True).astype({"district": str, "customer_id": str})


def _real_irregularities(truth: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(customer, rule) → the month number the irregularity begins (the earliest when twice);
    a row without `from_period` is irregular from the start."""
    require_frame_columns(truth, "truth", "the truth table (from_period optional)",
                          ("customer_id", "irregularity"))  # fmt: skip
    start = np.full(len(truth), np.iinfo(np.int64).min, dtype=np.int64)
    if "from_period" in truth.columns:
        known = truth["from_period"].notna().to_numpy()
        start[known] = month_number(truth["from_period"].astype(str)[known], "from_period")
    real: dict[tuple[str, str], int] = {}
    pairs = zip(truth["customer_id"].astype(str), truth["irregularity"].astype(str), strict=True)
    for (customer, rule), month in zip(pairs, start, strict=True):
        real[(customer, rule)] = min(int(month), real.get((customer, rule), int(month)))
    return real


def _teams(districts: pd.Series, cross: bool) -> dict[str, str | None]:
    """The bureau whose team checks each district's worklist: None (its own team, a
    self-audit), or in a cross-audit month the next district in sorted order (a rotation, so
    no team checks itself when there are two districts or more)."""
    names = sorted(set(districts.astype(str)))
    if not cross or len(names) < 2:
        return {name: None for name in names}
    return {name: names[(index + 1) % len(names)] for index, name in enumerate(names)}


def _finding_events(
    finding: object,
    recipe: FieldRecipe,
    month_no: int,
    sent_day: np.datetime64,
    auditor: str | None,
    is_real: bool,
    recheck: bool,
    until: np.datetime64,
) -> tuple[list[tuple], str | None]:
    """The events of one finding on a worklist, up to `until` (event, amount, actor, day), and
    its verdict (None when it is not given by then). A re-check draws afresh."""
    key = finding.finding_key
    stream = 1 if recheck else 0
    draws = np.random.default_rng([recipe.seed, month_no, int(key, 16), stream]).random(7)
    team = auditor or finding.district
    inspector = f"{team}-稽查{1 + int(draws[6] * recipe.inspectors):02d}"
    events = [("sent", np.nan, DISPATCHER, sent_day)]
    checked = _working_day(sent_day + _days(recipe.check_days, draws[0]))
    missed = is_real and auditor is None and draws[1] < recipe.self_audit_miss_share
    verdict = "confirmed" if is_real and not missed else "false_alarm"
    events.append((verdict, np.nan, inspector, checked))
    if verdict == "confirmed" and draws[2] >= recipe.unresolved_share:
        rectified = _working_day(checked + _days(recipe.rectify_days, draws[3]))
        events.append(("rectified", np.nan, inspector, rectified))
        if finding.area in recipe.archive_areas or finding.rule_id in recipe.archive_rules:
            events.append(("archive_corrected", np.nan, inspector, rectified))
        if finding.revenue_impact >= 0.01:
            low, high = (recipe.estimated_settled if finding.revenue_kind == "estimated"
                         else recipe.proved_recovered)  # fmt: skip
            amount = round(float(finding.revenue_impact) * (low + draws[5] * (high - low)), 2)
            paid = _working_day(rectified + _days(recipe.recover_days, draws[4]))
            events.append(("recovered", amount, inspector, paid))
    happened = [event for event in events if event[3] <= until]
    given = verdict if checked <= until else None
    return happened, given


def _sent_day(recipe: FieldRecipe, month_no: int, district: str) -> np.datetime64:
    """The working day a district's worklist goes out: one of the first working days of the
    month after the audited month."""
    number = int.from_bytes(hashlib.sha256(district.encode("utf-8")).digest()[:8], "big")
    offset = int(np.random.default_rng([recipe.seed, month_no, number]).integers(
        recipe.send_within_working_days))  # fmt: skip
    first = month_first_days(np.array([month_no + 1]))[0]
    return np.busday_offset(first, offset, roll="forward")


def _days(bounds: tuple[int, int], draw: float) -> np.timedelta64:
    """A whole number of days from `bounds` (inclusive) by a uniform draw in [0, 1)."""
    low, high = bounds
    return np.timedelta64(low + int(draw * (high - low + 1)), "D")


def _working_day(day: np.datetime64) -> np.datetime64:
    """The day, or the next working day (Monday to Friday) when it falls on a weekend."""
    return np.busday_offset(day, 0, roll="forward")


def _day(value: str | pd.Timestamp) -> np.datetime64:
    """`until` as a day."""
    day = pd.to_datetime(value, errors="coerce")
    if pd.isna(day):
        raise ParameterError("until", "a date", value)
    return np.datetime64(day.date(), "D")


def _event_frame(rows: list[tuple]) -> pd.DataFrame:
    """The events as `Register.record_outcomes` takes them, in the order they happened."""
    frame = pd.DataFrame(rows, columns=list(EVENT_FRAME_COLUMNS))
    frame["amount"] = frame["amount"].astype(float)
    frame["happened_at"] = pd.to_datetime(frame["happened_at"]).astype("datetime64[s]")
    frame["source_row"] = frame["source_row"].astype(np.int64)
    for column in ("finding_key", "event", "actor", "source", "auditor", "selected_by"):
        frame[column] = frame[column].astype(object)
    order = frame["event"].map(_EVENT_ORDER)
    return (
        frame.assign(_order=order)
        .sort_values(["happened_at", "source", "source_row", "_order"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )

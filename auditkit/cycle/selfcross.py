"""Self-audit against cross-audit on the register's field checks, per audited district.

A check's kind comes from its events' `auditor`: none or the finding's own district is a
self-audit, another district a cross-audit (that district's team checked). A cross check by no
district of the register's findings (a slip such as '西局') is left out of the table, the tests
and the under-reported list, and noted, as the cross_audit report leaves out one by no district
of the customers. Each kind's verdict on
a finding is the latest of that kind's decisions, so a cross-audit confirming what the district
had called a false alarm keeps both verdicts. A check is a random-sample check when that kind's
events drew the finding by a sample worklist. Self- and cross-audits are compared on
random-sample checks alone when both kinds have some in the window (basis `sample`): a
self-audit's checks chosen by revenue against a cross-audit's random draw would compare the
choices, not the teams; else on every check (basis `all`), which the report says. The
comparison of confirmed rates (Fisher's exact
test per district, Holm-corrected, and the logistic model) is `auditkit.crossaudit.compare`'s,
fed with one inspection per check: the error found is a confirmation, the money found the
amount the kind's events recovered on the finding up to the window's end (the table shows it per
check apart per kind of revenue, proved and estimated, never added). A district whose checks
were too few for its test is `not_tested` in `under_reports`, not "no". What cross-audits
confirmed that the district's own checks had called a false alarm, or never decided, is listed
(under-reporting): the district's verdict is its own on the occurrence the cross-audit confirmed,
so a false alarm on a finding's earlier occurrence (before it was gone and found again) does not
blame the district for the occurrence it never checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditkit.crossaudit.compare import Comparison, compare, cross_by_unknown_district
from auditkit.cycle.evaluate import after_reopening, by_kind, latest_decisions
from auditkit.rules import REVENUE_KINDS

SELF_CROSS_COLUMNS = (
    "district",
    "self_n",
    "self_rate",
    "self_proved_per_check",
    "self_estimated_per_check",
    "cross_n",
    "cross_rate",
    "cross_proved_per_check",
    "cross_estimated_per_check",
    "p_adjusted",
    "under_reports",
    "note",
)
UNDER_REPORTED_COLUMNS = (
    "district",
    "customer_id",
    "rule_id",
    "self_verdict",
    "auditor",
    "decided_at",
    "revenue_impact",
    "revenue_kind",
)
#: `self_verdict` of a cross-confirmed finding the district's own checks never decided.
UNCHECKED = "unchecked"
#: `under_reports` of a district whose self- and cross-audits were not tested (too few checks).
NOT_TESTED = "not_tested"
#: Bases of the comparison: random-sample checks of both kinds, or every check.
SAMPLE, ALL = "sample", "all"


@dataclass(frozen=True)
class SelfCross:
    """`table`: per audited district (SELF_CROSS_COLUMNS); `under_reported`: the findings a
    cross-audit confirmed in the window that the district's own checks had called a false alarm
    or never decided (UNDER_REPORTED_COLUMNS, most revenue first); `comparison` the crossaudit
    comparison, None without a cross-audit check; `basis` the checks compared (SAMPLE or ALL)."""

    table: pd.DataFrame
    under_reported: pd.DataFrame
    comparison: Comparison | None
    basis: str = "all"


def kind_checks(findings: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Each kind's latest decision on each finding (finding_key, kind, auditor, decision,
    decided_at, in_window), whether that kind's events drew it by a random sample (`sample`),
    and the amount that kind's events recovered up to the window's end (`recovered`). `events`
    are `evaluate.window_events`; `findings` give the districts."""
    marked = _with_kind(findings, events)
    decided = latest_decisions(marked, ["finding_key", "kind"])
    recovered = (
        marked[marked["event"] == "recovered"].groupby(["finding_key", "kind"])["amount"].sum()
    )
    checks = decided[["finding_key", "kind", "auditor", "event", "happened_at", "in_window"]]
    checks = checks.rename(columns={"event": "decision", "happened_at": "decided_at"})
    sampled = marked[marked["selected_by"] == "sample"].groupby(["finding_key", "kind"]).size()
    index = pd.MultiIndex.from_frame(checks[["finding_key", "kind"]])
    checks = checks.assign(
        sample=sampled.reindex(index).notna().to_numpy(),
        recovered=recovered.reindex(index).fillna(0.0).to_numpy(),
    )
    return checks.reset_index(drop=True)


def _with_kind(findings: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """`events` with the `kind` of check each is: `self` by no auditor or the finding's own
    district (`findings` give it), `cross` by another district."""
    district = findings.set_index("finding_key")["district"]
    marked = events.assign(own=events["finding_key"].map(district))
    auditor = marked["auditor"].astype(object)
    is_self = auditor.isna() | (auditor == marked["own"])
    return marked.assign(kind=np.where(is_self, "self", "cross"))


def self_cross(
    findings: pd.DataFrame, events: pd.DataFrame, reopened: pd.Series | None = None
) -> SelfCross:
    """The self- against cross-audit evaluation of the window's checks (see the module).
    `reopened` (`evaluate.reopened_by` the window's last month) splits a reopened finding's
    checks into its earlier and its current occurrence, so the under-reported list reads the
    district's verdict on the occurrence the cross-audit confirmed."""
    checks = kind_checks(findings, events)
    about = findings.set_index("finding_key")[
        ["customer_id", "rule_id", "district", "revenue_impact", "revenue_kind"]
    ]
    current = checks[checks["in_window"]].join(about, on="finding_key")
    # a cross check by no district of the register (a slip such as '西局'): left out and noted
    # by `compare`, as the cross_audit report leaves out one by no district of the customers
    districts = findings[["customer_id", "district"]]
    slip = pd.Series(
        cross_by_unknown_district(_inspections(current), districts["district"]).to_numpy(),
        index=current.index,
    )
    drawn = current[current["sample"] & ~slip]
    basis = SAMPLE if drawn["kind"].nunique() == 2 else ALL
    pool = current[current["sample"]] if basis == SAMPLE else current  # slips too, to be noted
    compared = pool[~slip[pool.index]]
    table = _by_district(compared)
    comparison = None
    if (pool["kind"] == "cross").any():
        comparison = compare(_inspections(pool), districts)
        tests = comparison.by_district.set_index("district")
        table["p_adjusted"] = table["district"].map(tests["p_adjusted"]).astype(float)
        tested = table["district"].map(tests["p_adjusted"]).notna()
        flagged = table["district"].map(tests["under_reports"]).astype(object)
        table["under_reports"] = flagged.where(tested, NOT_TESTED)
        table["note"] = table["district"].map(tests["note"]).fillna("")
    crossed = current[~slip & (current["kind"] == "cross") & (current["decision"] == "confirmed")]
    own = _own_verdicts(_with_kind(findings, events), crossed, reopened)
    missed = crossed.assign(self_verdict=own)
    missed = missed[missed["self_verdict"] != "confirmed"]
    under_reported = missed.sort_values(
        ["revenue_impact", "district", "customer_id"], ascending=[False, True, True], kind="stable"
    ).reindex(columns=list(UNDER_REPORTED_COLUMNS))
    return SelfCross(
        table.reindex(columns=list(SELF_CROSS_COLUMNS)),
        under_reported.reset_index(drop=True),
        comparison,
        basis,
    )


def _own_verdicts(
    marked: pd.DataFrame, crossed: pd.DataFrame, reopened: pd.Series | None
) -> pd.Series:
    """Per cross check in `crossed` (its index), the district's latest own verdict on the same
    occurrence of the finding (`marked`: events with their `kind`): one dated from the cycle
    after the finding's latest reopening (`reopened`) when the cross check is, else one before
    it; UNCHECKED when the district decided none."""
    cut = reopened if reopened is not None else pd.Series(dtype=object)
    own = marked[marked["kind"] == "self"]
    own = own.assign(current=after_reopening(cut, own["finding_key"], own["happened_at"]))
    verdicts = latest_decisions(own, ["finding_key", "current"])
    verdict = verdicts.set_index(["finding_key", "current"])["event"]
    current = after_reopening(cut, crossed["finding_key"], crossed["decided_at"])
    occurrence = pd.MultiIndex.from_arrays([crossed["finding_key"], current])
    found = verdict.reindex(occurrence).to_numpy()
    return pd.Series(found, index=crossed.index, dtype=object).fillna(UNCHECKED)


def _by_district(current: pd.DataFrame) -> pd.DataFrame:
    """Checks, confirmed rate and recovered per check of each kind, per audited district; the
    yuan recovered apart per kind of revenue (the finding's `revenue_kind`), never added."""
    current = current.assign(
        confirmed=current["decision"] == "confirmed",
        **by_kind(current["recovered"], current["revenue_kind"], "{kind}"),
    )
    grouped = current.groupby(["district", "kind"]).agg(
        n=("confirmed", "size"),
        confirmed=("confirmed", "sum"),
        **{kind: (kind, "sum") for kind in REVENUE_KINDS},
    )
    districts = sorted(current["district"].unique())
    table = pd.DataFrame({"district": pd.Series(districts, dtype=object)})
    for kind in ("self", "cross"):
        part = grouped.xs(kind, level="kind") if kind in grouped.index.get_level_values(1) else None
        n = table["district"].map(part["n"]).fillna(0) if part is not None else 0
        table[f"{kind}_n"] = pd.Series(n, index=table.index).astype(np.int64)
        if part is None:
            table[f"{kind}_rate"] = np.nan
            for revenue in REVENUE_KINDS:
                table[f"{kind}_{revenue}_per_check"] = np.nan
            continue
        some = table[f"{kind}_n"] > 0
        per = table[f"{kind}_n"].where(some)
        table[f"{kind}_rate"] = table["district"].map(part["confirmed"]) / per
        for revenue in REVENUE_KINDS:
            table[f"{kind}_{revenue}_per_check"] = table["district"].map(part[revenue]) / per
    table["p_adjusted"] = np.nan
    table["under_reports"] = pd.Series(NOT_TESTED, index=table.index, dtype=object)
    table["note"] = ""
    return table


def _inspections(current: pd.DataFrame) -> pd.DataFrame:
    """One inspection per check, as `crossaudit.compare` reads them."""
    return pd.DataFrame(
        {
            "customer_id": current["customer_id"].to_numpy(),
            "audit_kind": current["kind"].to_numpy(),
            "auditing_district": current["auditor"]
            .astype(object)
            .where(current["auditor"].notna(), current["district"])
            .to_numpy(),
            "error_found": (current["decision"] == "confirmed").to_numpy(),
            "district": current["district"].to_numpy(),
            # No money: the register's recovered yuan are proved or estimated, never one sum
            # (`_by_district` shows them apart); the comparison tests the rates alone.
            "book_value": 0.0,
            "audited_value": 0.0,
        }
    )

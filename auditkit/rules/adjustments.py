"""Adjustments after billing (退补): refunds and waivers posted without an approval.

A refund, a late-fee waiver or a correction that lowers a bill gives money back; billing systems
record who posted it (`operator_id`) and who approved it (`approved_by`). One posted with no
approver is a finding of its customer, priced at the money given back, and one operator posting
many of them (staff-side manipulation, a core target of 营销稽查) raises its score.

The concentration compares operators with each other, across every district: the rule runs once
over the whole dataset's adjustments (`auditkit.engine.partition.WHOLE_DATASET_RULES`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.periods import month_number
from auditkit.rules.context import RuleContext
from auditkit.rules.evidence import Clause, clause
from auditkit.rules.findings import empty_raw, group_stats, raw_per_customer
from auditkit.rules.registry import rule

#: Kinds that always give money back (an amount of either sign is the sum returned or waived).
RETURNING_KINDS = ("refund", "late_fee_waiver")
#: Kinds that give money back only when their amount is negative (a back-bill or read correction
#: that lowers the bill).
SIGNED_KINDS = ("backbill", "read_correction")
#: Columns of the adjustments table the rule reads (the engines gather them from every part).
COLUMNS = ("customer_id", "period", "adjusted_at", "kind", "amount", "approved_by", "operator_id")
#: Robust z-score scale: 1.4826 × MAD estimates a standard deviation; at least one adjustment,
#: since most operators post no unapproved refund at all (MAD 0).
MAD_SCALE, MIN_SCALE = 1.4826, 1.0
#: Score of an unapproved refund or waiver, raised to 1 by its operator's concentration.
BASE_SCORE = 0.5


@rule(
    "unapproved_adjustment",
    area="routine",
    needs=("adjustments.kind", "adjustments.amount", "adjustments.approved_by"),
    params=("min_operator_count", "unapproved_share", "z_threshold"),
    severity="medium",
    revenue_kind="proved",
)
def unapproved_adjustment(ctx: RuleContext, params: dict) -> pd.DataFrame:
    returned = money_returned(getattr(ctx.source, "adjustments", None), ctx.as_of_date)
    operators = operator_concentration(returned, params)
    unapproved = returned[~returned["approved"]]
    unapproved = unapproved.assign(cust=ctx.customer_codes(unapproved["customer_id"]))
    unapproved = unapproved[unapproved["cust"] >= 0]
    if unapproved.empty:
        return empty_raw()
    unapproved = unapproved.join(operators, on="operator")
    unapproved["concentration"] = unapproved["concentration"].fillna(0.0)
    # Each customer's finding shows its adjustment whose operator is the most concentrated (the
    # largest amount among equals); a total order keeps every engine's choice the same.
    unapproved = unapproved.sort_values(
        ["cust", "concentration", "returned", "adjusted_at", "month", "kind", "operator"],
        ascending=[True, False, False, True, True, True, True],
        kind="stable",
        na_position="last",
    )
    grouped = group_stats(
        unapproved.groupby("cust", sort=True),
        month_from=("month", "min"),
        month_to=("month", "max"),
        revenue=("returned", "sum"),
        count=("returned", "size"),
        concentration=("concentration", "max"),
    )
    shown = unapproved.drop_duplicates("cust").set_index("cust").loc[grouped.index]
    evidence = [
        _evidence(adjustment, found)
        for adjustment, found in zip(shown.itertuples(), grouped.itertuples(), strict=True)
    ]
    score = BASE_SCORE + (1 - BASE_SCORE) * grouped["concentration"].to_numpy()
    return raw_per_customer(grouped.reset_index(), evidence, score)


def money_returned(adjustments: pd.DataFrame | None, as_of_date: pd.Timestamp) -> pd.DataFrame:
    """The refunds and waivers posted up to `as_of_date` (its whole day): customer_id, month (of
    the period adjusted), adjusted_at, kind, returned (yuan given back, > 0), approved, operator
    (NaN where none is recorded)."""
    if adjustments is None or adjustments.empty:
        return _returned_frame(pd.DataFrame(columns=list(COLUMNS)))
    amount = pd.to_numeric(adjustments["amount"], errors="coerce").to_numpy(dtype=float)
    kind = adjustments["kind"].astype(object).to_numpy()
    returned = np.where(
        np.isin(kind, RETURNING_KINDS),
        np.abs(amount),
        np.where(np.isin(kind, SIGNED_KINDS), -amount, np.nan),
    )
    posted = pd.to_datetime(adjustments["adjusted_at"])
    keep = (returned > 0) & (posted < as_of_date.normalize() + pd.Timedelta(days=1)).to_numpy()
    return _returned_frame(adjustments[keep], returned[keep])


def _returned_frame(rows: pd.DataFrame, returned: np.ndarray | None = None) -> pd.DataFrame:
    approver = _text_or_nan(rows, "approved_by")
    return pd.DataFrame(
        {
            "customer_id": rows["customer_id"].astype(object).to_numpy(),
            "month": month_number(rows["period"]) if len(rows) else np.array([], dtype=np.int64),
            "adjusted_at": pd.to_datetime(rows["adjusted_at"]).to_numpy(),
            "kind": rows["kind"].astype(object).to_numpy(),
            "returned": np.zeros(0) if returned is None else returned,
            "approved": approver.notna().to_numpy(),
            "operator": _text_or_nan(rows, "operator_id").to_numpy(),
        }
    )


def approved(rows: pd.DataFrame) -> np.ndarray:
    """Per adjustment of `rows`, whether it records who approved it (`approved_by` filled)."""
    return _text_or_nan(rows, "approved_by").notna().to_numpy()


def _text_or_nan(rows: pd.DataFrame, column: str) -> pd.Series:
    """An optional text column with blanks as NaN (all NaN where the column is absent)."""
    if column not in rows:
        return pd.Series(np.nan, index=rows.index, dtype=object)
    text = rows[column].astype(object).where(rows[column].notna())
    return text.where(text.astype(str).str.strip() != "")


def operator_concentration(returned: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Per operator who posted a refund or waiver: how many, how many unapproved, their share,
    the robust z-score of the unapproved count among all such operators, and the concentration
    in [0, 1] (0 unless the operator posted at least `min_operator_count` unapproved ones and
    their share reaches `unapproved_share` or their z-score `z_threshold`; then the larger of
    the share and z / (2 × z_threshold), capped at 1)."""
    known = returned[returned["operator"].notna()]
    stats = group_stats(
        known.assign(unapproved=~known["approved"]).groupby("operator", sort=True),
        total=("returned", "size"),
        unapproved=("unapproved", "sum"),
    )
    counts = stats["unapproved"].to_numpy(dtype=float)
    median = float(np.median(counts)) if len(counts) else 0.0
    spread = float(np.median(np.abs(counts - median))) if len(counts) else 0.0
    stats["share"] = counts / np.maximum(stats["total"].to_numpy(dtype=float), 1.0)
    stats["z"] = (counts - median) / max(MAD_SCALE * spread, MIN_SCALE)
    concentrated = (counts >= params["min_operator_count"]) & (
        (stats["share"] >= params["unapproved_share"]) | (stats["z"] >= params["z_threshold"])
    )
    strength = np.minimum(1.0, np.maximum(stats["share"], stats["z"] / (2 * params["z_threshold"])))
    stats["concentration"] = np.where(concentrated, strength, 0.0)
    stats["concentrated"] = concentrated
    return stats


def _evidence(adjustment: object, found: object) -> list[Clause]:
    """One unapproved adjustment (kind, date, period, amount, operator), its operator's record,
    the customer's other unapproved ones, and the money given back."""
    clauses = [
        clause(
            f"unapproved_adjustment.{adjustment.kind}",
            date=adjustment.adjusted_at,
            period=adjustment.month,
            amount=adjustment.returned,
            operator=adjustment.operator,
        )
    ]
    if isinstance(adjustment.operator, str):
        record = {
            "unapproved": adjustment.unapproved,
            "total": adjustment.total,
            "share": adjustment.share,
        }
        if adjustment.concentrated:
            clauses.append(
                clause("unapproved_adjustment.operator_concentrated", z=adjustment.z, **record)
            )
        else:
            clauses.append(clause("unapproved_adjustment.operator", **record))
    if found.count > 1:
        clauses.append(clause("unapproved_adjustment.more", more=found.count - 1))
    clauses.append(clause("revenue", amount=found.revenue))
    return clauses

"""Shape of a finding, and the helpers rules share to build one: orders near a bill, flagged
bills grouped into one finding per customer, runs of months. Evidence is made of clauses
(`auditkit.rules.evidence`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.rules.context import RuleContext
from auditkit.rules.evidence import Clause

FINDING_COLUMNS = (
    "rule_id",
    "area",
    "severity",
    "customer_id",
    "district",
    "period_from",
    "period_to",
    "evidence",
    "revenue_impact",
    "revenue_kind",
    "penalty",
    "score",
    "evidence_code",
)
RAW_COLUMNS = ("cust", "month_from", "month_to", "evidence", "revenue_impact", "score")


def raw(
    cust: np.ndarray,
    month_from: np.ndarray,
    month_to: np.ndarray,
    evidence: list[list[Clause]],
    revenue_impact: np.ndarray,
    score: np.ndarray,
    penalty_base: np.ndarray | None = None,
) -> pd.DataFrame:
    """What a rule's check returns: customer codes, month numbers and each finding's evidence
    clauses, finished by `rules.run` (which renders and encodes the evidence).

    `penalty_base` is what the penalty multiple applies to when it is not the revenue: a tariff
    misuse of unknown start is penalised on its recoverable 3 months, not on all the data.
    """
    frame = pd.DataFrame(
        {
            "cust": np.asarray(cust, dtype=np.int64),
            "month_from": np.asarray(month_from, dtype=np.int64),
            "month_to": np.asarray(month_to, dtype=np.int64),
            "evidence": _objects(evidence),
            "revenue_impact": _money(revenue_impact),
            "score": np.clip(np.nan_to_num(np.asarray(score, dtype=float)), 0.0, 1.0),
        }
    )
    if penalty_base is not None:
        frame["penalty_base"] = _money(penalty_base)
    return frame


def _money(amounts: np.ndarray) -> np.ndarray:
    """Yuan to the fen, never negative (a finding's money is what the utility is owed)."""
    return np.round(np.maximum(np.nan_to_num(np.asarray(amounts, dtype=float)), 0.0), 2)


def _objects(items: list) -> np.ndarray:
    """`items` as a 1-d object array (np.asarray would make lists of clauses a 2-d array)."""
    array = np.empty(len(items), dtype=object)
    for position, item in enumerate(items):
        array[position] = item
    return array


def raw_per_customer(
    grouped: pd.DataFrame, evidence: list[list[Clause]], score: np.ndarray | pd.Series
) -> pd.DataFrame:
    """`raw` for findings grouped by `per_customer` (cust, month_from, month_to, revenue)."""
    return raw(
        grouped["cust"],
        grouped["month_from"],
        grouped["month_to"],
        evidence,
        grouped["revenue"],
        score,
    )


def empty_raw() -> pd.DataFrame:
    return raw(np.array([]), np.array([]), np.array([]), [], np.array([]), np.array([]))


def per_customer(ctx: RuleContext, flagged: np.ndarray, **values: np.ndarray) -> pd.DataFrame:
    """Group flagged bills by customer: first and last month, bill count, and sums of `values`.

    Each keyword array is aligned with the bills; its flagged entries are summed per customer
    (names ending in `_max` / `_min` / `_first` / `_last` take that statistic instead).
    """
    return per_customer_at(
        ctx, flagged, **{name: np.asarray(array)[flagged] for name, array in values.items()}
    )


def per_customer_at(ctx: RuleContext, rows: np.ndarray, **values: np.ndarray) -> pd.DataFrame:
    """`per_customer` of the bills at `rows` (positions, or a mask), with `values` given for
    those bills only: rules compute money for the bills they flag, not for every bill."""
    frame = pd.DataFrame({"cust": ctx.bill_customer[rows], "month": ctx.bill_month[rows]} | values)
    aggregations = {
        "month_from": ("month", "min"),
        "month_to": ("month", "max"),
        "bills": ("month", "size"),
    }
    for name in values:
        statistic = next(
            (s for s in ("max", "min", "first", "last") if name.endswith("_" + s)), "sum"
        )
        aggregations[name] = (name, statistic)
    return frame.groupby("cust", sort=True).agg(**aggregations).reset_index()


def optional_values(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A numeric column as floats; all NaN where the (optional) column is absent from `frame`."""
    if column not in frame:
        return np.full(len(frame), np.nan)
    return frame[column].to_numpy(dtype=float)


def order_between_bills(ctx: RuleContext, order_types: tuple[str, ...], window: int) -> np.ndarray:
    """Per bill: an order of these types took effect between the previous bill and this one, ±window.

    For consecutive bills that is ±`window` months around the bill's month; across a gap in a
    customer's bills it also covers the unbilled months, where a meter replacement or a change of
    terms may have happened. Orders without an effective date have not taken effect.
    """
    orders = ctx.orders_of(*order_types)
    cust = orders["cust"].to_numpy(dtype=np.int64)
    effective = orders["effective_month"].to_numpy(dtype=np.int64)
    valid = (cust >= 0) & (effective >= 0)
    found = np.zeros(len(ctx.bills), dtype=bool)
    if not valid.any():
        return found
    rows = np.flatnonzero(ctx.bills_of(cust[valid]))  # only bills of customers with such orders
    stride = np.int64(1 << 32)  # month numbers stay far below 2**32
    keys = np.sort(cust[valid] * stride + effective[valid])
    month = ctx.bill_month[rows]
    previous_month = ctx.bill_month[np.maximum(rows - 1, 0)]
    after_previous = np.where(
        ctx.same_customer_as_previous[rows], np.minimum(previous_month + 1, month), month
    )
    base = ctx.bill_customer[rows].astype(np.int64) * stride
    low = base + after_previous - window
    high = base + month + window
    found[rows] = np.searchsorted(keys, high, side="right") > np.searchsorted(
        keys, low, side="left"
    )
    return found


def zero_where_nan(values: np.ndarray) -> np.ndarray:
    """`values` with NaN as 0 (np.nan_to_num without its infinity passes: rates are finite)."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isnan(values), 0.0, values)


def flagged_rows(ctx: RuleContext, flag: np.ndarray) -> pd.DataFrame:
    """Per customer with a flagged bill: its first and last flagged rows and how many are flagged.

    Indexed by customer code, so evidence can quote the bills behind a finding.
    """
    return flagged_rows_at(ctx, np.flatnonzero(flag))


def flagged_rows_at(ctx: RuleContext, rows: np.ndarray) -> pd.DataFrame:
    """`flagged_rows` of the bills at positions `rows` (in increasing order)."""
    frame = pd.DataFrame({"cust": ctx.bill_customer[rows], "row": rows})
    return frame.groupby("cust").agg(
        first=("row", "first"), last=("row", "last"), count=("row", "size")
    )


def runs(ctx: RuleContext, flag: np.ndarray) -> pd.DataFrame:
    """Runs of consecutive flagged months per customer: cust, month_from, month_to, length, first_row.

    A month with no bill ends a run: flagged months on either side of it are two runs.
    """
    cust, month = ctx.bill_customer, ctx.bill_month
    continues = np.zeros(len(flag), dtype=bool)
    continues[1:] = flag[1:] & flag[:-1] & (cust[1:] == cust[:-1]) & (month[1:] == month[:-1] + 1)
    starts = flag & ~continues
    run_id = np.cumsum(starts) - 1
    rows = np.flatnonzero(flag)
    frame = pd.DataFrame(
        {"run": run_id[rows], "cust": cust[rows], "month": month[rows], "row": rows}
    )
    return (
        frame.groupby("run")
        .agg(
            cust=("cust", "first"),
            month_from=("month", "min"),
            month_to=("month", "max"),
            length=("month", "size"),
            first_row=("row", "min"),
        )
        .reset_index(drop=True)
    )

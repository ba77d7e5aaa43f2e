"""Shape of a finding, and helpers that turn flagged bills into one finding per customer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.rules.context import RuleContext

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
    "score",
)
RAW_COLUMNS = ("cust", "month_from", "month_to", "evidence", "revenue_impact", "score")


def raw(
    cust: np.ndarray,
    month_from: np.ndarray,
    month_to: np.ndarray,
    evidence: list[str] | np.ndarray,
    revenue_impact: np.ndarray,
    score: np.ndarray,
) -> pd.DataFrame:
    """What a rule's check returns: customer codes and month numbers, finished by `rules.run`."""
    return pd.DataFrame(
        {
            "cust": np.asarray(cust, dtype=np.int64),
            "month_from": np.asarray(month_from, dtype=np.int64),
            "month_to": np.asarray(month_to, dtype=np.int64),
            "evidence": np.asarray(evidence, dtype=object),
            "revenue_impact": np.round(np.maximum(np.nan_to_num(revenue_impact), 0.0), 2),
            "score": np.clip(np.nan_to_num(np.asarray(score, dtype=float)), 0.0, 1.0),
        }
    )


def empty_raw() -> pd.DataFrame:
    return raw(np.array([]), np.array([]), np.array([]), [], np.array([]), np.array([]))


def per_customer(ctx: RuleContext, flagged: np.ndarray, **values: np.ndarray) -> pd.DataFrame:
    """Group flagged bills by customer: first and last month, bill count, and sums of `values`.

    Each keyword array is aligned with the bills; its flagged entries are summed per customer
    (names ending in `_max` / `_min` / `_first` / `_last` take that statistic instead).
    """
    frame = pd.DataFrame(
        {"cust": ctx.bill_customer[flagged], "month": ctx.bill_month[flagged]}
        | {name: np.asarray(array)[flagged] for name, array in values.items()}
    )
    aggregations = {"month_from": ("month", "min"), "month_to": ("month", "max"),
                    "bills": ("month", "size")}  # fmt: skip
    for name in values:
        statistic = next(
            (s for s in ("max", "min", "first", "last") if name.endswith("_" + s)), "sum"
        )
        aggregations[name] = (name, statistic)
    return frame.groupby("cust", sort=True).agg(**aggregations).reset_index()


def fmt_money(value: float) -> str:
    return f"¥{value:,.2f}"


def fmt_number(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def runs(ctx: RuleContext, flag: np.ndarray) -> pd.DataFrame:
    """Runs of consecutive flagged months per customer: cust, month_from, month_to, length, first_row."""
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

"""Shape of a finding, and the helpers rules share to build one: orders near a bill, flagged
bills grouped into one finding per customer, runs of months. Evidence is made of clauses
(`auditkit.rules.evidence`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.typing import DataFrameGroupBy

from auditkit.rules.context import RuleContext, bill_rows_of, customer_keys
from auditkit.rules.evidence import Clause
from auditkit.rules.shared import once_per_context

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
    revenue_kind: np.ndarray | None = None,
    penalty_months: list[tuple[np.ndarray, np.ndarray]] | None = None,
) -> pd.DataFrame:
    """What a rule's check returns: customer codes, month numbers and each finding's evidence
    clauses, finished by `rules.run` (which renders and encodes the evidence).

    `penalty_base` is what the penalty multiple applies to when it is not the revenue: a private
    capacity increase is penalised on the basic charge escaped, not its power-factor part.
    `penalty_months` is that base (or the revenue) month by month (per finding, its months and
    yuan), so each month is penalised under the regime in force then (`penalty.penalties`);
    without it the whole base is under the regime of the finding's first month.
    `revenue_kind` is each finding's kind where it is not the rule's for all (a recomputed
    figure resting on an estimated line is estimated).
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
    if revenue_kind is not None:
        frame["revenue_kind"] = np.asarray(revenue_kind, dtype=object)
    if penalty_months is not None:
        frame["penalty_months"] = _objects(penalty_months)
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
    grouped: pd.DataFrame,
    evidence: list[list[Clause]],
    score: np.ndarray | pd.Series,
    revenue_kind: np.ndarray | None = None,
) -> pd.DataFrame:
    """`raw` for findings grouped by `per_customer` (cust, month_from, month_to, revenue)."""
    return raw(
        grouped["cust"],
        grouped["month_from"],
        grouped["month_to"],
        evidence,
        grouped["revenue"],
        score,
        revenue_kind=revenue_kind,
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
    those bills only: rules compute money for the bills they flag, not for every bill.

    Customers in increasing order; months and counts by numpy over each customer's bills, the
    statistics of `values` by pandas' grouped reductions (its sums, NaN skipped, as ever)."""
    cust = ctx.bill_customer[rows]
    order = np.argsort(cust, kind="stable")  # each customer's bills together, in their order
    cust, month = cust[order], ctx.bill_month[rows][order]
    starts = group_starts(cust)
    sizes = np.diff(np.append(starts, len(cust)))
    grouped = np.repeat(np.arange(len(starts)), sizes)  # each bill's customer, numbered
    columns = {
        "cust": cust[starts],
        "month_from": _reduce_groups(np.minimum, month, starts),
        "month_to": _reduce_groups(np.maximum, month, starts),
        "bills": sizes.astype(np.int64),
    }
    for name, array in values.items():
        statistic = next(
            (s for s in ("max", "min", "first", "last") if name.endswith("_" + s)), "sum"
        )
        by_customer = pd.Series(np.asarray(array)[order]).groupby(grouped, sort=False)
        columns[name] = getattr(by_customer, statistic)().to_numpy()
    return pd.DataFrame(columns)


def group_stats(groups: DataFrameGroupBy, **named: tuple[str, str]) -> pd.DataFrame:
    """`groups.agg(**named)`, each `name=(column, reduction)`, one grouped reduction a column:
    the same frame, without pandas' named aggregation (some 3 ms a call, against 0.7 ms)."""
    return pd.DataFrame(
        {name: getattr(groups[column], how)() for name, (column, how) in named.items()}
    )


def group_starts(keys: np.ndarray) -> np.ndarray:
    """Where each run of equal `keys` begins (positions; none for no keys)."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    return np.append(0, np.flatnonzero(keys[1:] != keys[:-1]) + 1)


def _reduce_groups(function: np.ufunc, values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """`function` reduced over each group of `values` beginning at `starts` (empty for none)."""
    return function.reduceat(values, starts) if len(starts) else values[:0]


def records_per_customer(frame: pd.DataFrame) -> list[list[tuple]]:
    """The rows of `frame` as named tuples (`itertuples`), grouped by its integer `cust` column:
    customers in increasing order, each one's rows in the frame's order, as iterating over
    `frame.groupby("cust")` gives them, for one pass of itertuples instead of one per customer."""
    order = np.argsort(frame["cust"].to_numpy(), kind="stable")
    records = list(frame.iloc[order].itertuples())
    cust = frame["cust"].to_numpy()[order]
    if not len(cust):
        return []
    starts = np.append(0, np.flatnonzero(cust[1:] != cust[:-1]) + 1)  # a customer's first row
    ends = np.append(starts[1:], len(cust))
    return [records[start:end] for start, end in zip(starts, ends, strict=True)]


def optional_values(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A numeric column as floats; all NaN where the (optional) column is absent from `frame`."""
    if column not in frame:
        return np.full(len(frame), np.nan)
    return frame[column].to_numpy(dtype=float)


@once_per_context
def order_between_bills(ctx: RuleContext, order_types: tuple[str, ...], window: int) -> np.ndarray:
    """Per bill: an order of these types took effect between the previous bill and this one, ±window.

    Found once per run for each types and window (meter replacements within a month: read by
    change_without_order and register_mismatch); shared: read it, never write into it.

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
    rows = rows_of(ctx, cust[valid])  # only bills of customers with such orders
    keys = np.sort(customer_keys(cust[valid], effective[valid]))
    month = ctx.bill_month[rows]
    previous_month = ctx.bill_month[np.maximum(rows - 1, 0)]
    after_previous = np.where(
        ctx.same_customer_as_previous[rows], np.minimum(previous_month + 1, month), month
    )
    base = customer_keys(ctx.bill_customer[rows], 0)
    low = base + after_previous - window
    high = base + month + window
    found[rows] = np.searchsorted(keys, high, side="right") > np.searchsorted(
        keys, low, side="left"
    )
    return found


def rows_of(ctx: RuleContext, customers: np.ndarray) -> np.ndarray:
    """Positions, ascending, of the bills of the customer codes `customers` (any order, repeats
    and -1 for unknown allowed). The bills come sorted by customer (RuleContext): each
    customer's are one run, found by bisection, with no pass over every bill
    (`bill_rows_of`)."""
    return bill_rows_of(ctx.bill_customer, customers)


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
    cust = ctx.bill_customer[rows]  # bills come in customer order: so do their rows
    starts = group_starts(cust)
    ends = np.append(starts[1:], len(rows))[: len(starts)]  # none without rows
    rows = np.asarray(rows, dtype=np.int64)
    return pd.DataFrame(
        {"first": rows[starts], "last": rows[ends - 1], "count": ends - starts},
        index=pd.Index(cust[starts], name="cust"),
    )


def runs(ctx: RuleContext, flag: np.ndarray) -> pd.DataFrame:
    """Runs of consecutive flagged months per customer: cust, month_from, month_to, length, first_row.

    A month with no bill ends a run: flagged months on either side of it are two runs.
    """
    cust, month = ctx.bill_customer, ctx.bill_month
    continues = np.zeros(len(flag), dtype=bool)
    continues[1:] = flag[1:] & flag[:-1] & (cust[1:] == cust[:-1]) & (month[1:] == month[:-1] + 1)
    starts = np.flatnonzero(flag & ~continues)
    rows = np.flatnonzero(flag)
    first = np.searchsorted(rows, starts)  # each run's first row among the flagged ones
    return pd.DataFrame(
        {
            "cust": cust[starts],
            "month_from": _reduce_groups(np.minimum, month[rows], first),
            "month_to": _reduce_groups(np.maximum, month[rows], first),
            "length": np.diff(np.append(first, len(rows))),
            "first_row": starts,
        }
    )

"""The helpers rules group their flagged bills with, and the work they share within a run."""

from __future__ import annotations

from functools import partial
from types import SimpleNamespace

import numpy as np
import pandas as pd

from auditkit.rules.billing_lines import _tier_year_clean
from auditkit.rules.context import RuleContext, bill_rows_of
from auditkit.rules.findings import (
    flagged_rows_at,
    group_stats,
    per_customer_at,
    records_per_customer,
    rows_of,
    runs,
)
from auditkit.rules.shared import once_per_context


def _bills() -> SimpleNamespace:
    """Three customers' bills in customer order: 0 has months 1-3, 1 has 1 and 3, 2 has 2-4."""
    return SimpleNamespace(
        bill_customer=np.array([0, 0, 0, 1, 1, 2, 2, 2], dtype=np.int32),
        bill_month=np.array([1, 2, 3, 1, 3, 2, 3, 4], dtype=np.int32),
    )


def test_flagged_bills_given_in_any_order_group_by_customer_in_customer_order():
    ctx = _bills()
    rows = np.array([6, 1, 3, 0, 7])  # customer 2, 0, 1, 0, 2
    grouped = per_customer_at(
        ctx,
        rows,
        revenue=np.array([1.5, 2.0, 4.0, 0.25, 3.0]),
        off_max=np.array([0.1, np.nan, 0.3, 0.2, np.nan]),
        wrong=np.array([True, False, True, True, True]),
    )
    assert grouped["cust"].tolist() == [0, 1, 2]
    assert grouped["month_from"].tolist() == [1, 1, 3]
    assert grouped["month_to"].tolist() == [2, 1, 4]
    assert grouped["bills"].tolist() == [2, 1, 2]
    assert grouped["revenue"].tolist() == [2.25, 4.0, 4.5]
    assert grouped["off_max"].tolist() == [0.2, 0.3, 0.1]  # NaN left out of the maximum
    assert grouped["wrong"].tolist() == [1, 1, 2]  # flags counted


def test_no_flagged_bill_groups_into_no_customer():
    grouped = per_customer_at(_bills(), np.array([], dtype=np.int64), revenue=np.array([]))
    assert grouped.empty
    assert list(grouped.columns) == ["cust", "month_from", "month_to", "bills", "revenue"]


def test_flagged_rows_name_each_customers_first_and_last_flagged_bill():
    found = flagged_rows_at(_bills(), np.array([1, 2, 4, 5, 7]))
    assert found.index.tolist() == [0, 1, 2]
    assert found["first"].tolist() == [1, 4, 5]
    assert found["last"].tolist() == [2, 4, 7]
    assert found["count"].tolist() == [2, 1, 2]
    assert flagged_rows_at(_bills(), np.array([], dtype=np.int64)).empty


def test_a_missing_month_or_another_customer_ends_a_run():
    flag = np.array([True, True, True, True, True, False, True, True])
    found = runs(_bills(), flag)
    # Customer 1 has no bill in month 2: months 1 and 3 are two runs.
    assert found["cust"].tolist() == [0, 1, 1, 2]
    assert found["month_from"].tolist() == [1, 1, 3, 3]
    assert found["month_to"].tolist() == [3, 1, 3, 4]
    assert found["length"].tolist() == [3, 1, 1, 2]
    assert found["first_row"].tolist() == [0, 3, 4, 6]


def test_the_bills_of_some_customers_are_found_in_bill_order():
    ctx = _bills()
    assert rows_of(ctx, np.array([2, 0, 2, -1])).tolist() == [0, 1, 2, 5, 6, 7]
    assert rows_of(ctx, np.array([1])).tolist() == [3, 4]
    assert rows_of(ctx, np.array([7])).tolist() == []  # a customer without bills
    assert rows_of(ctx, np.array([], dtype=np.int64)).tolist() == []


def test_records_come_per_customer_in_customer_order_each_in_the_frames_order():
    frame = pd.DataFrame({"cust": [3, 1, 3, 1, 2], "kwh": [10.0, 20.0, 30.0, 40.0, 50.0]})
    grouped = records_per_customer(frame)
    assert [[record.kwh for record in records] for records in grouped] == [
        [20.0, 40.0],
        [50.0],
        [10.0, 30.0],
    ]
    assert records_per_customer(frame.iloc[:0]) == []


def test_shared_work_is_done_once_per_context_and_key():
    calls = []

    @once_per_context
    def doubled(ctx: SimpleNamespace, factor: float) -> np.ndarray:
        calls.append(factor)
        return ctx.bill_month * factor

    first, second = _bills(), _bills()
    assert doubled(first, 2.0).tolist() == [2, 4, 6, 2, 6, 4, 6, 8]
    assert doubled(first, 2.0) is doubled(first, 2.0)
    doubled(first, 3.0)  # another key: computed again
    doubled(second, 2.0)  # another context (another run): computed again
    assert calls == [2.0, 3.0, 2.0]


def test_a_bill_whose_customer_is_not_in_the_archive_is_nobodys():
    # Bills 0-1 carry code -1 (no archive row): no customer's flag or selection reaches them,
    # the last customer's included.
    ctx = SimpleNamespace(
        customers=pd.DataFrame({"usage_type": ["resident", "industrial"]}),
        bill_customer=np.array([-1, -1, 0, 1, 1]),
    )
    ctx.customer_flag = partial(RuleContext.customer_flag, ctx)
    assert bill_rows_of(ctx.bill_customer, np.array([1, -1])).tolist() == [3, 4]
    # Asked for, the unknown customers' bills are one run of their own.
    assert bill_rows_of(ctx.bill_customer, np.array([-1, 1]), unknown=True).tolist() == [0, 1, 3, 4]
    assert RuleContext.customer_is(ctx, "usage_type", "industrial").tolist() == [
        False,
        False,
        False,
        True,
        True,
    ]


def test_grouped_statistics_are_those_of_a_named_aggregation():
    frame = pd.DataFrame(
        {
            "cust": [2, 0, 2, 0, 1],
            "order_id": pd.array(["b", "a", "a", "a", "c"], dtype="str"),
            "amount": [1.5, np.nan, 2.25, 4.0, 0.5],
            "month": [7, 3, 5, 4, 9],
            "late": [True, False, False, False, True],
        }
    )
    named = {
        "revenue": ("amount", "sum"),
        "month_from": ("month", "min"),
        "month_to": ("month", "max"),
        "bills": ("month", "size"),
        "late": ("late", "any"),
        "first_order": ("order_id", "first"),
    }
    stats = group_stats(frame.groupby("cust"), **named)
    assert stats.index.tolist() == [0, 1, 2]
    assert stats["revenue"].tolist() == [4.0, 0.5, 3.75]  # NaN skipped, as pandas sums
    assert stats["month_from"].tolist() == [3, 9, 5]
    assert stats["bills"].tolist() == [2, 1, 2]
    assert stats["late"].tolist() == [False, True, True]
    assert stats["first_order"].tolist() == ["a", "c", "b"]
    pd.testing.assert_frame_equal(stats, frame.groupby("cust").agg(**named))
    by_order = frame.groupby(["cust", "order_id"], sort=False)
    pd.testing.assert_frame_equal(
        group_stats(by_order, **named).reset_index(),
        frame.groupby(["cust", "order_id"], as_index=False, sort=False).agg(**named),
    )
    empty = frame.iloc[:0].groupby("cust")
    pd.testing.assert_frame_equal(group_stats(empty, **named), empty.agg(**named))


def test_a_bill_with_wrong_kwh_taints_the_rest_of_its_customers_year_only():
    january_2024 = 2024 * 12
    ctx = SimpleNamespace(
        bill_customer=np.array([-1, 0, 0, 0, 0, 1, 1], dtype=np.int32),
        bill_month=january_2024 + np.array([1, 0, 1, 2, 12, 0, 1], dtype=np.int32),
    )
    wrong = np.array([False, False, True, False, False, False, False])
    clean = _tier_year_clean(ctx, wrong)
    # Customer 0's February taints its March, not its January nor the next January.
    assert clean.tolist() == [True, True, False, False, True, True, True]
    wrong[0] = wrong[6] = True  # a bill of no archive customer; customer 1's last bill
    assert _tier_year_clean(ctx, wrong).tolist() == [False, True, False, False, True, True, False]
    assert _tier_year_clean(ctx, np.zeros(7, dtype=bool)).all()


def test_tier_years_tainted_by_bisection_agree_with_a_bill_by_bill_look_back():
    rng = np.random.default_rng(3)
    customers = np.repeat(np.arange(-1, 30), 30)
    months = np.concatenate([np.sort(rng.choice(36, 30, replace=False)) for _ in range(31)])
    ctx = SimpleNamespace(bill_customer=customers.astype(np.int32), bill_month=months + 24288)
    wrong = rng.random(len(customers)) < 0.04  # some years with two wrong bills
    expected = [
        not any(
            wrong[earlier]
            and customers[earlier] == customers[row]
            and months[earlier] // 12 == months[row] // 12
            for earlier in range(row + 1)
        )
        for row in range(len(customers))
    ]
    assert _tier_year_clean(ctx, wrong).tolist() == expected

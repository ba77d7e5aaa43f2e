"""score_theft on customers with both daily reads and bills: a fall older than the daily reads is
not lost for having them (issue 16's review, problem 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditkit.stats.theft_report import score_theft

#: Bills of three years; daily reads from 2024-10-01 (457 days: a year and 56 days and more).
PERIODS = pd.period_range("2023-01", "2025-12", freq="M")
READ_DAYS = pd.date_range("2024-10-01", "2025-12-31")


def _utility() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """30 steady peers (bills and daily reads at their own level), `OLD` whose bills fell from
    10 to 4 kWh a day in 2024-06, before its daily reads began (they read 4 kWh a day
    throughout), `NEW` whose bills fell likewise in 2025-06 while its daily reads kept 10 kWh a
    day (a fall the daily reads can date, and do not show), and `BOTH` whose bills and very
    uneven daily reads fell alike from 2025-06."""
    days_in = PERIODS.days_in_month.to_numpy(dtype=float)
    bills, reads = [], []
    levels = {f"P{index:02d}": (5.0 + index, 5.0 + index) for index in range(30)}
    rng = np.random.default_rng(4)
    for customer, (level, _) in levels.items():
        bills.append(pd.DataFrame({"customer_id": customer, "period": PERIODS.astype(str)}))
        bills[-1]["kwh_billed"] = level * days_in * rng.normal(1, 0.03, len(PERIODS))
        reads.append(
            pd.DataFrame(
                {
                    "customer_id": customer,
                    "date": READ_DAYS,
                    "kwh": level * rng.normal(1, 0.05, len(READ_DAYS)),
                }
            )
        )
    for customer, month, daily_level in (("OLD", "2024-06", 4.0), ("NEW", "2025-06", 10.0)):
        per_day = np.where(PERIODS.astype(str) >= month, 4.0, 10.0)
        bills.append(
            pd.DataFrame(
                {
                    "customer_id": customer,
                    "period": PERIODS.astype(str),
                    "kwh_billed": per_day * days_in,
                }
            )
        )
        kwh = daily_level * rng.normal(1, 0.05, len(READ_DAYS))
        reads.append(pd.DataFrame({"customer_id": customer, "date": READ_DAYS, "kwh": kwh}))
    # BOTH: bills and very uneven daily reads fell alike from 2025-06-01 (a fall both date).
    fell = np.where(PERIODS.astype(str) >= "2025-06", 4.0, 10.0)
    bills.append(
        pd.DataFrame(
            {"customer_id": "BOTH", "period": PERIODS.astype(str), "kwh_billed": fell * days_in}
        )
    )
    uneven = np.where(READ_DAYS >= "2025-06-01", 4.0, 10.0) * rng.lognormal(0, 0.6, len(READ_DAYS))
    reads.append(pd.DataFrame({"customer_id": "BOTH", "date": READ_DAYS, "kwh": uneven}))
    customers = pd.DataFrame(
        {
            "customer_id": [*levels, "OLD", "NEW", "BOTH"],
            "usage_type": "residential",
            "district": "D1",
        }
    )
    return pd.concat(bills, ignore_index=True), pd.concat(reads, ignore_index=True), customers


def test_a_fall_older_than_the_daily_reads_is_scored_on_the_bills_and_says_so():
    bills, reads, customers = _utility()
    report = score_theft(bills, reads, customers, "2025-12", top_n=3)
    scores = report.scores.set_index("customer_id")
    old = scores.loc["OLD"]
    # Before: OLD was scored on its daily reads alone, flat at 4 kWh a day (no fall to see).
    assert old["source"] == "bills"
    assert old["score"] > 3
    assert old["change_at"] == "2024-06"
    assert old["other_score"] < 3  # its daily reads' score, worded
    assert old["level_after"] == pytest.approx(4.0)
    row = report.scores[report.scores["customer_id"] == "OLD"].iloc[0]
    assert "its daily reads scored only -10.0, so its bills are used" in report.reason(row, "en")
    assert "日冻结电量评分仅 -10.0，取账单评分" in report.reason(row, "zh")
    assert set(report.top()["customer_id"].iloc[:2]) == {"OLD", "BOTH"}
    # Near miss: NEW's bills fell when its daily reads could date a fall: they decide (no fall).
    assert scores.loc["NEW", "source"] == "daily_reads"
    assert scores.loc["NEW", "score"] < 3
    assert scores.loc["NEW", "other_score"] > 3  # the bills' score, kept beside it
    # BOTH's daily reads date the fall its bills show (below 80 %), too unevenly to be sure of it:
    # the bills, the stronger, list it (before: its daily score alone, about 0).
    both = scores.loc["BOTH"]
    assert both["source"] == "bills" and both["change_at"] == "2025-06"
    assert both["score"] > 3 and both["other_score"] < 3
    # Every customer once; the peers on their daily reads.
    assert scores.index.is_unique and len(scores) == 33
    assert (scores.drop(index=["OLD", "NEW", "BOTH"])["source"] == "daily_reads").all()


def test_customers_too_short_to_score_on_either_source_draw_nothing_and_raise_nothing():
    bills, reads, customers = _utility()
    recent = bills[bills["period"] >= "2025-10"]  # three months: too short for the bills' model
    report = score_theft(recent, reads[reads["date"] >= "2025-10-01"], customers, "2025-12")
    assert (report.scores["status"] == "too_short").all()
    assert report.series.empty and report.top().empty


@pytest.mark.parametrize("top_n", [1, 2, 3])
def test_every_customer_listed_by_its_bills_is_drawn_from_them(top_n):
    # NEW's bills rank high among all bills but its daily reads list it: the bills' own top
    # `top_n` held NEW and missed OLD or BOTH, listed with no steps drawn (an empty panel).
    bills, reads, customers = _utility()
    report = score_theft(bills, reads, customers, "2025-12", top_n=top_n)
    listed = report.top()
    assert len(listed) == top_n
    for _, row in listed.iterrows():
        drawn = report.series[report.series["customer_id"] == row["customer_id"]]
        assert len(drawn) > 0, row["customer_id"]
        if row["source"] == "bills":  # drawn from the bills: one step a month
            assert drawn["start"].dt.is_month_start.all() and len(drawn) <= len(PERIODS)

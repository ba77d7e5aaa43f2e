"""Theft scores read the work orders: a change an order explains keeps its score, is ranked after
the unexplained ones and says so; what explains nothing, and bad orders."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from stats_builders import DROP_CUSTOMER
from test_theft_report import WEEK, daily_reads, monthly_bills

from auditkit import formatting, i18n
from auditkit.errors import ParameterError
from auditkit.rules import consumption
from auditkit.stats import study
from auditkit.stats.requirements import ColumnError
from auditkit.stats.theft import EXPLAINING_ORDERS, theft_scores
from auditkit.stats.theft_report import score_theft

NO_BILLS = pd.DataFrame(columns=["customer_id", "period", "kwh_billed"])


def orders(*rows: tuple[str, str, str | None]) -> pd.DataFrame:
    """Work orders of (customer_id, order_type, effective_date) rows."""
    return pd.DataFrame(rows, columns=["customer_id", "order_type", "effective_date"])


def explained(reads: pd.DataFrame, work_orders: pd.DataFrame, **options) -> pd.Series:
    """The row of customer D-1 (daily) or M-1 (monthly) in `theft_scores` given the orders."""
    scores = theft_scores(reads, work_orders=work_orders, **options).set_index("customer_id")
    return scores.loc["D-1" if "D-1" in scores.index else "M-1"]


def test_an_order_within_31_days_of_the_day_the_level_fell_explains_it_and_one_a_day_further_does_not():
    reads, _ = daily_reads("2025-09-18")  # D-1 falls to 40 % on 2025-09-18
    for day in ("2025-08-18", "2025-09-18", "2025-10-19"):  # 31 days before, the day, 31 after
        row = explained(reads, orders(("D-1", "closure", day)))
        assert row["status"] == "explained" and row["explained_by"] == "closure"
        assert row["explained_at"] == pd.Timestamp(day)
    for day in ("2025-08-17", "2025-10-20"):  # 32 days before, 32 after
        row = explained(reads, orders(("D-1", "closure", day)))
        assert row["status"] == "scored" and row["explained_by"] == ""
        assert pd.isna(row["explained_at"])
    # The window is a parameter: with 0 days only the day itself explains.
    assert explained(reads, orders(("D-1", "suspension", "2025-09-19")), order_window_days=0)[
        "status"
    ] == ("scored")
    assert explained(reads, orders(("D-1", "suspension", "2025-09-18")), order_window_days=0)[
        "explained_by"
    ] == ("suspension")


def test_an_order_near_a_customer_with_no_fall_explains_nothing():
    reads, _ = daily_reads("2025-09-18")
    own = reads["customer_id"].eq("D-1")
    later = reads["date"] >= pd.Timestamp("2025-09-18")
    rose = reads.assign(kwh=np.where(own, np.where(later, 25.0, 10.0), reads["kwh"]))  # 10 → 25
    plain = theft_scores(rose).set_index("customer_id").loc["D-1"]
    assert plain["score"] <= 0  # no evidence of a fall
    on_its_change_day = orders(("D-1", "closure", str(plain["change_at"].date())))
    row = explained(rose, on_its_change_day)
    assert row["status"] == "scored" and row["explained_by"] == ""
    assert row["score"] == plain["score"]


def test_on_monthly_bills_the_window_counts_from_the_month_before_the_change_to_its_end():
    # M-1 is low from 2024-07: the fall lies between 2024-06-01 and 2024-07-31.
    bills, _ = monthly_bills({"M-1": "2024-07"})
    reads = bills.rename(columns={"kwh_billed": "kwh"})
    for day in ("2024-05-01", "2024-06-15", "2024-08-31"):  # 31 days before 06-01, inside, after
        assert explained(reads, orders(("M-1", "ownership_transfer", day)))["status"] == (
            "explained"
        )
    for day in ("2024-04-30", "2024-09-01"):
        assert explained(reads, orders(("M-1", "ownership_transfer", day)))["status"] == "scored"


def test_on_monthly_bills_an_order_after_a_mid_month_as_of_was_not_in_effect_yet():
    bills, _ = monthly_bills({"M-1": "2024-07"})
    reads = bills.rename(columns={"kwh_billed": "kwh"})
    closure = orders(("M-1", "closure", "2024-08-25"))
    assert explained(reads, closure, as_of="2024-08")["status"] == "explained"
    assert explained(reads, closure, as_of="2024-08-25")["status"] == "explained"
    assert explained(reads, closure, as_of="2024-08-24")["status"] == "scored"


def test_an_order_dated_with_a_time_zone_takes_effect_on_its_own_day_and_numbers_are_refused():
    reads, _ = daily_reads("2025-09-18")  # D-1 falls to 40 % on 2025-09-18
    for given in ("2025-10-19T23:30+08:00", pd.Timestamp("2025-10-19 06:00", tz="Asia/Shanghai")):
        row = explained(reads, orders(("D-1", "closure", given)))
        assert (row["status"], row["explained_at"]) == ("explained", pd.Timestamp("2025-10-19"))
    later = explained(reads, orders(("D-1", "closure", "2025-10-20T00:30+08:00")))
    assert later["status"] == "scored"  # 32 days after, where it was issued
    with pytest.raises(ParameterError, match=r"work_orders.effective_date.*numbers \(int64\)"):
        theft_scores(reads, work_orders=orders(("D-1", "closure", 20251019)))


def test_the_nearest_explaining_order_is_named_and_the_score_is_kept():
    reads, _ = daily_reads("2025-09-18")
    without = theft_scores(reads).set_index("customer_id").loc["D-1"]
    row = explained(
        reads,
        orders(
            ("D-1", "ownership_transfer", "2025-09-10"),  # 8 days before
            ("D-1", "closure", "2025-09-25"),  # 7 days after: the nearest
            ("D-1", "tariff_change", "2024-09-18"),  # a year before: explains nothing
        ),
    )
    assert (row["explained_by"], row["explained_at"]) == ("closure", pd.Timestamp("2025-09-25"))
    assert row["score"] == without["score"] and row["change_at"] == without["change_at"]


def test_a_meter_replacement_or_an_order_not_in_effect_explains_nothing():
    reads, _ = daily_reads("2025-09-18")
    row = explained(
        reads,
        orders(
            ("D-1", "meter_replacement", "2025-09-18"),  # the classic time to tamper
            ("D-1", "new_connection", "2025-09-18"),
            ("D-1", "closure", None),  # issued, not yet in effect
            ("P00", "closure", "2025-09-18"),  # another customer's order
        ),
    )
    assert row["status"] == "scored" and row["explained_by"] == ""


def with_a_smaller_fall() -> tuple[pd.DataFrame, pd.DataFrame]:
    """`daily_reads("2025-09-18")` and its customers, with D-2 falling by 30 % on the same day
    (D-1 falls by 60 %): a smaller fall that no record explains."""
    reads, archive = daily_reads("2025-09-18")
    dates = pd.date_range("2024-01-01", "2025-12-31")
    rhythm = WEEK[np.arange(len(dates)) % 7]
    smaller = np.where(dates >= pd.Timestamp("2025-09-18"), 0.7, 1.0) * rhythm
    reads = pd.concat([reads, pd.DataFrame({"customer_id": "D-2", "date": dates, "kwh": smaller})])
    return reads, pd.concat([archive, archive.tail(1).assign(customer_id="D-2")])


def test_an_explained_customer_ranks_after_every_unexplained_one_whatever_its_score():
    reads, archive = with_a_smaller_fall()
    work_orders = orders(("D-1", "ownership_transfer", "2025-09-18"))
    plain = theft_scores(reads).set_index("customer_id")["score"]
    assert plain["D-1"] > plain["D-2"] > 3  # without records the move-out ranks first
    ranking = theft_scores(reads, work_orders=work_orders)
    assert ranking["customer_id"].iloc[0] == "D-2" and ranking["customer_id"].iloc[-1] == "D-1"
    assert (ranking["status"] == "explained").sum() == 1
    report = score_theft(NO_BILLS, reads, archive, "2025-12", top_n=2, work_orders=work_orders)
    assert report.top()["customer_id"].iloc[0] == "D-2"
    assert "D-1" not in set(report.top()["customer_id"])
    assert report.summary()["strong"] == 1 and report.summary()["explained_strong"] == 1


def test_the_reason_and_the_chart_name_the_explaining_order_in_both_languages():
    reads, archive = daily_reads("2025-09-18")
    report = score_theft(
        NO_BILLS, reads, archive, "2025-12", work_orders=orders(("D-1", "closure", "2025-09-20"))
    )
    row = report.scores.loc[report.scores["customer_id"] == "D-1"].iloc[0]
    own, peers = (formatting.percent(row[column]) for column in ("own_past_ratio", "peers_ratio"))
    score = formatting.number(row["score"], 1)
    assert report.reason(row, "zh") == (
        "日冻结电量显示，自 2025-09-18 起日均用电由 10.0 千瓦时降至 4.0 千瓦时，下降 60.0%；"
        f"为自身上年同期的 {own}；同类用户（居民，D1）同期为其上年的 {peers}；"
        f"与 2025-09-20 生效的销户工单相符，已有工单说明，排在未说明的用户之后；评分 {score}。"
    )
    assert report.reason(row, "en") == (
        "Daily reads: from 2025-09-18 the use fell from 10.0 to 4.0 kWh a day, 60.0% less; "
        f"{own} of its same days a year before; its peers (residential, D1) used {peers} of "
        "their year before; the account was closed on 2025-09-20: the work order explains the "
        f"change, ranked after the unexplained customers; score {score}."
    )
    assert report.explain("zh").endswith(
        "另有 1 户评分大于 3，但其变化已有过户、销户、暂停、减容或改类工单说明，"
        "或现场核查已见过且未发现异常，排在其后。"
    )
    assert "1 more score above 3, but a work order" in report.explain("en")
    statuses = report.status_table("zh").set_index("状态")["数量"]
    assert statuses.to_dict() == {"已评分": "30", "已有工单或现场核查说明": "1"}


def test_a_listed_explained_customer_is_titled_by_its_order_on_the_chart():
    bills, archive = monthly_bills({"M-1": "2024-07", "M-2": "2024-07"}, peers=0)
    work_orders = orders(("M-1", "ownership_transfer", "2024-06-20"))
    report = score_theft(bills, None, archive, "2024-12", top_n=2, work_orders=work_orders)
    assert list(report.top()["customer_id"]) == ["M-2", "M-1"]  # equal scores: explained last
    titles = {lang: [axes.get_title() for axes in report.plot(lang).axes] for lang in ("zh", "en")}
    score = formatting.number(report.top()["score"].iloc[1], 1)
    assert titles["zh"][:2] == [
        f"M-2（评分 {score}）",
        f"M-1（评分 {score}，2024-06-20 工单已说明）",
    ]
    assert titles["en"][1] == f"M-1 (score {score}, explained by an order of 2024-06-20)"
    assert report.reasons("zh")[1].endswith(
        f"与 2024-06-20 生效的过户工单相符，已有工单说明，排在未说明的用户之后；评分 {score}。"
    )


def test_every_explaining_order_is_worded_by_its_own_name():
    for order_type in EXPLAINING_ORDERS:
        zh = i18n.text(f"theft.reason.explained_{order_type}", "zh").format(date="2025-03-02")
        assert f"2025-03-02 生效的{i18n.text(f'order.{order_type}', 'zh')}工单" in zh
        en = i18n.text(f"theft.reason.explained_{order_type}", "en").format(date="2025-03-02")
        assert "on 2025-03-02: the work order explains the change" in en
    # The rule consumption_drop reads the same orders: a recorded move explains its drops too.
    assert consumption.EXPLAINING_ORDERS is EXPLAINING_ORDERS
    assert {"ownership_transfer", "closure"} <= set(EXPLAINING_ORDERS)
    assert "meter_replacement" not in EXPLAINING_ORDERS


def test_without_work_orders_nothing_is_explained_and_an_empty_table_adds_the_columns():
    reads, _ = daily_reads("2025-09-18")
    assert "explained_by" not in theft_scores(reads).columns
    empty = theft_scores(reads, work_orders=orders())
    assert (empty["explained_by"] == "").all() and set(empty["status"]) == {"scored"}


@pytest.mark.parametrize(
    ("work_orders", "window", "error", "message"),
    [
        (
            pd.DataFrame({"customer_id": ["D-1"], "order_type": ["closure"]}),
            31,
            ColumnError,
            "table 'work_orders': expected column(s) 'effective_date'",
        ),
        (
            orders(("D-1", "Closure", "2025-09-18")),
            31,
            ParameterError,
            "parameter 'work_orders.order_type': expected one of new_connection, "
            "capacity_increase,",
        ),
        (
            orders(("D-1", "closure", "2025-09-18"), ("D-1", "closure", "2025-13-40")),
            31,
            ParameterError,
            "parameter 'work_orders.effective_date': expected a date (YYYY-MM-DD), or empty for "
            "an order not yet in effect, found \"'2025-13-40' in row 2\"",
        ),
        (orders(), -1, ParameterError, "parameter 'order_window_days'"),
        (orders(), 2.5, ParameterError, "expected a whole number of days >= 0, found 2.5"),
        ([("D-1", "closure", "2025-09-18")], 31, ParameterError, "found 'list'"),
    ],
)
def test_bad_work_orders_name_the_column_and_what_was_expected(work_orders, window, error, message):
    reads, _ = daily_reads("2025-09-18")
    with pytest.raises(error) as raised:
        theft_scores(reads, work_orders=work_orders, order_window_days=window)
    assert message in str(raised.value)


def test_an_unknown_order_type_is_named_with_its_row():
    reads, _ = daily_reads("2025-09-18")
    with pytest.raises(ParameterError, match="found \"'Closure' in row 1\""):
        theft_scores(reads, work_orders=orders(("D-1", "Closure", "2025-09-18")))


def test_the_consumption_study_reads_the_datasets_work_orders(small_dataset):
    # The small utility's one strong drop: SY-甲-000, on its bills from 2024-07.
    assert study.build(small_dataset).theft.summary()["strong"] == 1
    transfer = pd.DataFrame(
        {
            "order_id": ["W1"],
            "customer_id": [DROP_CUSTOMER],
            "order_type": ["ownership_transfer"],
            "issued_at": [pd.Timestamp("2024-06-20")],
            "effective_date": [pd.Timestamp("2024-06-28")],
        }
    )
    theft = study.build(replace(small_dataset, work_orders=transfer)).theft
    row = theft.scores.set_index("customer_id").loc[DROP_CUSTOMER]
    assert (row["status"], row["explained_by"]) == ("explained", "ownership_transfer")
    assert theft.summary()["strong"] == 0 and theft.summary()["explained_strong"] == 1
    assert DROP_CUSTOMER not in set(theft.top()["customer_id"])

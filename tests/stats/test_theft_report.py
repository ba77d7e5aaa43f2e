"""Theft scores a reviewer can read: the reason sentence and the chart of each listed customer."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text
from stats_builders import DROP_CUSTOMER
from test_notebooks import errors, run, shown

from auditkit import formatting
from auditkit.errors import ParameterError
from auditkit.report.notebook import figure_png, save_table
from auditkit.report.tables import table_html
from auditkit.stats.theft import theft_scores
from auditkit.stats.theft_report import TheftReport, score_theft

#: A weekly rhythm whose every seven consecutive days sum to 70: 10 kWh a day over any week.
WEEK = np.array([9.0, 10.0, 11.0, 10.0, 9.0, 11.0, 10.0])
RATIOS = ("own_past_ratio", "peers_ratio")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
LATIN = re.compile(r"[A-Za-z]")


def monthly_bills(
    drops: dict[str, str], peers: int = 30, first_year: int = 2023
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bills of two years from `first_year`: `peers` residential customers of district D1, each
    at its own level with the same month-of-year shape both years (a year-before ratio of exactly
    1), and each customer of `drops` at 10 kWh a day until its month, 4 kWh a day from it."""
    periods = [f"{first_year + year}-{month:02d}" for year in (0, 1) for month in range(1, 13)]
    starts = pd.to_datetime(periods, format="%Y-%m")
    days = starts.days_in_month.to_numpy(dtype=float)
    shape = 1 + 0.2 * np.cos(2 * np.pi * (starts.month.to_numpy() - 1) / 12)
    rows, customers = [], []
    for index in range(peers):
        customer = f"P{index:02d}"
        kwh = (5 + index) * shape * days
        rows.append(pd.DataFrame({"customer_id": customer, "period": periods, "kwh_billed": kwh}))
        customers.append(customer)
    for customer, month in drops.items():
        per_day = np.where(np.array(periods) >= month, 4.0, 10.0)
        rows.append(
            pd.DataFrame({"customer_id": customer, "period": periods, "kwh_billed": per_day * days})
        )
        customers.append(customer)
    archive = pd.DataFrame(
        {"customer_id": customers, "usage_type": "residential", "district": "D1"}
    )
    return pd.concat(rows, ignore_index=True), archive


def daily_reads(drop_day: str, peers: int = 30) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reads of 2024-01-01..2025-12-31 for `peers` customers on the weekly rhythm at their own
    level (the same days a year apart are equal), and customer D-1 on the rhythm (10 kWh a day a
    week) until `drop_day`, at 40 % of it from then on."""
    dates = pd.date_range("2024-01-01", "2025-12-31")
    rhythm = WEEK[np.arange(len(dates)) % 7]
    frames, customers = [], []
    for index in range(peers):
        customer = f"P{index:02d}"
        frames.append(
            pd.DataFrame({"customer_id": customer, "date": dates, "kwh": rhythm * (1 + index / 10)})
        )
        customers.append(customer)
    kwh = np.where(dates >= pd.Timestamp(drop_day), 0.4, 1.0) * rhythm
    frames.append(pd.DataFrame({"customer_id": "D-1", "date": dates, "kwh": kwh}))
    archive = pd.DataFrame(
        {"customer_id": [*customers, "D-1"], "usage_type": "residential", "district": "D1"}
    )
    return pd.concat(frames, ignore_index=True), archive


def test_a_monthly_drop_names_its_month_levels_fall_year_before_and_peers():
    bills, archive = monthly_bills({"M-1": "2024-07"})
    report = score_theft(bills, None, archive, "2024-12", top_n=3)
    top = report.top().iloc[0]
    assert top["customer_id"] == "M-1" and top["change_at"] == "2024-07"
    score = formatting.number(top["score"], 1)
    # 10 kWh a day before, 4 from July: 60 % less; Jul-Dec 2024 over Jul-Dec 2023 = 4 / 10.
    assert report.reasons("zh")[0] == (
        "按月账单，自 2024-07 起日均用电由 10.0 千瓦时降至 4.0 千瓦时，下降 60.0%；"
        f"为自身上年同月的 40.0%；同类用户（居民，D1）同期为其上年的 100.0%；评分 {score}。"
    )
    assert report.reasons("en")[0] == (
        "Monthly bills: from 2024-07 the use fell from 10.0 to 4.0 kWh a day, 60.0% less; "
        "40.0% of its same months a year before; its peers (residential, D1) used 100.0% of "
        f"their year before; score {score}."
    )
    assert top["score"] > 3


def test_a_daily_drop_names_its_day_and_a_customer_without_reads_speaks_in_months():
    # 2025-09-18 to 2025-12-31 is 15 whole weeks; the 364 days before it 52 whole weeks.
    reads, archive = daily_reads("2025-09-18")
    bills, by_month = monthly_bills({"M-1": "2025-07"}, peers=0, first_year=2024)
    report = score_theft(bills, reads, pd.concat([archive, by_month]), "2025-12", top_n=2)
    scores = report.scores.set_index("customer_id")
    assert scores.loc["D-1", "source"] == "daily_reads" and scores.loc["M-1", "source"] == "bills"
    assert list(report.top()["customer_id"]) == ["D-1", "M-1"]
    day, month = report.reasons("en")
    # The ratios against the year before on daily reads are the detector's own (theft_daily).
    own, peers = (formatting.percent(scores.loc["D-1", column]) for column in RATIOS)
    assert day == (
        "Daily reads: from 2025-09-18 the use fell from 10.0 to 4.0 kWh a day, 60.0% less; "
        f"{own} of its same days a year before; its peers (residential, D1) used {peers} of "
        f"their year before; score {formatting.number(scores.loc['D-1', 'score'], 1)}."
    )
    assert month.startswith("Monthly bills: from 2025-07 the use fell from 10.0 to 4.0 kWh a day")
    assert report.reasons("zh")[0].startswith("日冻结电量显示，自 2025-09-18 起")


def test_reads_spanning_less_than_a_year_and_its_comparison_leave_the_bills_to_score():
    reads, archive = daily_reads("2025-09-18")
    bills, _ = monthly_bills({"D-1": "2024-07"}, peers=0)
    short = reads[reads["date"] >= "2025-03-01"]
    report = score_theft(bills, short, archive, "2024-12")
    assert set(report.scores["source"]) == {"bills"}


def test_a_daily_score_from_flatter_days_or_zero_reads_says_so():
    row = {
        "customer_id": "D-1",
        "score": 6.04,
        "change_at": "2025-10-06",
        "status": "scored",
        "source": "daily_reads",
        "level_before": 10.0,
        "level_after": 9.5,
        "fall": 0.05,
        "own_past_ratio": np.nan,
        "peers_ratio": 0.98,
        "peers_scope": "group",
        "variation_ratio": 0.25,
        "zero_days": 12,
    }
    names = pd.DataFrame({"usage_type": ["residential"], "district": ["D1"]}, index=["D-1"])
    report = TheftReport(pd.DataFrame(), pd.DataFrame(), names)
    flatter = report.reason(pd.Series({**row, "signal": "variation"}), "en")
    assert flatter == (
        "Daily reads: from 2025-10-06 the use fell from 10.0 to 9.5 kWh a day, 5.0% less; "
        "its day-to-day variation became 25.0% of what it was; no year before to compare with; "
        "score 6.0."
    )
    zeros = report.reason(pd.Series({**row, "signal": "zero_reads"}), "zh")
    assert zeros == (
        "日冻结电量显示，自 2025-10-06 起日均用电由 10.0 千瓦时降至 9.5 千瓦时，下降 5.0%；"
        "比较期内 12 天读数为 0；无上年同期数据可比；评分 6.0。"
    )
    level = report.reason(pd.Series({**row, "signal": "level"}), "en")
    assert "variation" not in level and "0 kWh" not in level


def test_zh_and_en_each_speak_one_language():
    bills, archive = monthly_bills({"M-1": "2024-07", "M-2": "2024-03"})
    report = score_theft(bills, None, archive, "2024-12", top_n=2)
    data = re.compile(r"M-\d|D1|\d")  # ids and the district come from the data
    zh = report.reasons("zh") + list(report.to_table("zh").columns)
    en = report.reasons("en") + list(report.to_table("en").columns)
    assert not [line for line in zh if LATIN.search(data.sub("", line))]
    assert not [line for line in en if CJK.search(line)]
    for lang, foreign in (("zh", LATIN), ("en", CJK)):
        texts = [text.get_text() for text in report.plot(lang).findobj(Text)]
        assert not [text for text in texts if foreign.search(data.sub("", text))], lang


def test_a_hostile_customer_id_is_escaped_in_html_and_drawn_as_written(tmp_path):
    hostile = ["$x$", "<b>", "=1+1"]
    bills, archive = monthly_bills(dict.fromkeys(hostile, "2024-07"))
    report = score_theft(bills, None, archive, "2024-12", top_n=3)
    assert set(report.top()["customer_id"]) == set(hostile)
    html = table_html(report.to_table("en"), lang="en")
    assert "&lt;b&gt;" in html and "<b>" not in html
    figure = report.plot("en")
    assert figure_png(figure).startswith(b"\x89PNG")
    titles = [ax.get_title() for ax in figure.axes if ax.get_visible()]
    assert any(title.startswith("$x$ (score ") for title in titles)
    assert not any(text.get_parse_math() for text in figure.findobj(Text))
    _, csv = save_table(report.scores, tmp_path, "theft_scores", sort_by=["customer_id"])
    cells = [line.split(",")[0] for line in csv.read_text(encoding="utf-8-sig").splitlines()]
    assert "'=1+1" in cells and "=1+1" not in cells


def test_the_chart_draws_the_year_before_and_marks_the_change():
    bills, archive = monthly_bills({"M-1": "2024-07"})
    report = score_theft(bills, None, archive, "2024-12", top_n=1)
    steps = report.series
    # From a year before the change to the end: 2023-07..2024-12, the year before where it exists.
    assert steps["start"].min() == pd.Timestamp("2023-07-01") and len(steps) == 18
    july = steps[steps["start"] == pd.Timestamp("2024-07-01")].iloc[0]
    assert july["kwh_per_day"] == pytest.approx(4.0) and july["year_before"] == pytest.approx(10)
    assert steps.loc[steps["start"] < "2024-01-01", "year_before"].isna().all()
    (panel,) = [ax for ax in report.plot("zh").axes if ax.get_visible()]
    marked = [line.get_xdata()[0] for line in panel.get_lines() if line.get_linestyle() == "--"]
    assert pd.Timestamp(marked[0]) == pd.Timestamp("2024-07-01")


def test_the_full_export_keeps_every_customer_with_the_reason_columns():
    bills, archive = monthly_bills({"M-1": "2024-07"})
    scores = score_theft(bills, None, archive, "2024-12", top_n=1).scores
    assert len(scores) == 31
    assert {"score", "drop_ratio", "change_at", "peer_z", "status"} <= set(scores.columns)
    assert {"level_before", "level_after", "fall", "own_past_ratio", "peers_ratio"} <= set(
        scores.columns
    )
    assert scores.set_index("customer_id").loc["M-1", "fall"] == pytest.approx(0.6)
    reads, archive = daily_reads("2025-09-18")
    no_bills = pd.DataFrame(columns=["customer_id", "period", "kwh_billed"])
    by_day = score_theft(no_bills, reads, archive, "2025-12").scores
    assert set(theft_scores(reads, as_of="2025-12").columns) < set(by_day.columns)


@pytest.mark.slow
def test_the_notebook_shows_each_listed_customer_with_its_reason(
    small_folder, tmp_path, monkeypatch
):
    monkeypatch.setenv("AUDITKIT_REPORT_DIR", str(tmp_path / "files"))
    notebook = run("consumption_statistics", tmp_path, data_dir=str(small_folder), lang="en")
    html = shown(notebook)
    assert f"{DROP_CUSTOMER}" in html and "Monthly bills: from 2024-07 the use fell" in html
    exported = pd.read_csv(tmp_path / "files" / "theft_scores.csv")
    assert exported.set_index("customer_id").loc[DROP_CUSTOMER, "change_at"] == "2024-07"
    assert not errors(notebook)


@pytest.mark.parametrize(
    "written",
    [
        lambda dates: dates.dt.strftime("%Y-%m-%d"),  # as a CSV export gives them: text
        lambda dates: dates.dt.tz_localize("Asia/Shanghai"),  # read where they were metered
    ],
)
def test_daily_reads_as_text_or_with_a_time_zone_score_as_plain_dates(written):
    reads, archive = daily_reads("2025-09-18")
    bills, by_month = monthly_bills({"M-1": "2025-07"}, peers=0, first_year=2024)
    archive = pd.concat([archive, by_month])
    plain = score_theft(bills, reads, archive, "2025-12", top_n=2).scores
    other = score_theft(bills, reads.assign(date=written(reads["date"])), archive, "2025-12")
    pd.testing.assert_frame_equal(other.scores, plain)


def test_a_day_as_of_ends_the_daily_reads_on_that_day_not_at_its_month_end():
    reads, archive = daily_reads("2025-09-18")
    bills, by_month = monthly_bills({"M-1": "2025-07"}, peers=0, first_year=2024)
    archive = pd.concat([archive, by_month])
    by_day = score_theft(bills, reads, archive, "2025-12-15").scores.set_index("customer_id")
    cut = reads[reads["date"] <= "2025-12-15"]
    by_cut = score_theft(bills, cut, archive, "2025-12-15").scores.set_index("customer_id")
    pd.testing.assert_frame_equal(by_day, by_cut)
    assert (
        by_day.loc["D-1", "steps_since_change"]
        == (pd.Timestamp("2025-12-15") - pd.Timestamp("2025-09-18")).days + 1
    )


def test_a_use_that_began_from_nothing_is_worded_without_a_percentage():
    bills, archive = monthly_bills({"M-1": "2024-07"})
    new = pd.DataFrame(
        {
            "customer_id": "N-1",
            "period": [f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13)],
            "kwh_billed": [0.0] * 18 + [300.0] * 6,  # nothing until July 2024, then 300 a month
        }
    )
    archive = pd.concat([archive, archive.iloc[:1].assign(customer_id="N-1")])
    report = score_theft(pd.concat([bills, new]), None, archive, "2024-12", top_n=40)
    row = report.scores.set_index("customer_id").loc["N-1"]
    assert row["level_before"] == 0 and np.isnan(row["fall"])
    reason = dict(zip(report.top()["customer_id"], report.reasons("en"), strict=True))["N-1"]
    change = row["change_at"]
    assert reason.startswith(f"Monthly bills: from {change} the use rose from none to ")
    assert "inf" not in reason and "%" not in reason.split(";")[0]
    zh = dict(zip(report.top()["customer_id"], report.reasons("zh"), strict=True))["N-1"]
    assert zh.startswith(f"按月账单，自 {change} 起日均用电由 0 升至 ")


def test_daily_reads_that_end_before_the_bills_month_are_scored_to_their_last_day():
    reads, archive = daily_reads("2025-09-18")
    bills, by_month = monthly_bills({"M-1": "2025-07"}, peers=0, first_year=2024)
    archive = pd.concat([archive, by_month])
    ending = reads[reads["date"] <= "2025-11-20"]  # the meter export lags the bills
    report = score_theft(bills, ending, archive, "2025-12").scores.set_index("customer_id")
    own_day = score_theft(bills, ending, archive, "2025-11-20").scores.set_index("customer_id")
    pd.testing.assert_frame_equal(report.loc[["D-1"]], own_day.loc[["D-1"]])
    assert report.loc["D-1", "score"] > 3


def test_a_daily_read_that_is_no_number_is_refused_by_row_not_left_out():
    reads, archive = daily_reads("2025-09-18")
    bills, by_month = monthly_bills({"M-1": "2025-07"}, peers=0, first_year=2024)
    written = reads.astype({"kwh": object})
    written.loc[5, "kwh"] = "1,5"
    with pytest.raises(ParameterError, match=r"'daily_reads.kwh'.*'1,5' in row 6"):
        score_theft(bills, written, pd.concat([archive, by_month]), "2025-12")


def test_a_meter_rollover_day_is_left_out_of_the_levels_worded():
    reads, archive = daily_reads("2025-09-18")
    spike = (reads["customer_id"] == "D-1") & (reads["date"] == pd.Timestamp("2025-06-15"))
    reads.loc[spike, "kwh"] = 99994.2  # the register rolled over
    no_bills = pd.DataFrame(columns=["customer_id", "period", "kwh_billed"])
    report = score_theft(no_bills, reads, archive, "2025-12")
    row = report.scores.set_index("customer_id").loc["D-1"]
    # Before: (364 x 10 - 10 + 99,994.2) / 364 = 284.7 kWh a day before, "99% less".
    assert row["level_before"] == pytest.approx(10.0, abs=0.05)
    assert row["level_after"] == pytest.approx(4.0)
    assert row["fall"] == pytest.approx(0.6, abs=0.005)

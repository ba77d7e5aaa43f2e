"""Theft scores on the shape of the day (interval reads) worded and drawn for a reviewer."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text
from stats_builders import build_tables, write_folder
from test_notebooks import errors, run, shown

from auditkit import formatting
from auditkit.report.notebook import figure_png
from auditkit.report.tables import table_html
from auditkit.stats.study import METHODS, build
from auditkit.stats.theft import ORDER_WINDOW_DAYS
from auditkit.stats.theft_report import PROFILE_COLUMNS, score_theft

#: 728 days (104 weeks) from a Tuesday; CHANGE is a Tuesday: the 364 days before it and the 91
#: from it to the last day are whole weeks.
DAYS = pd.date_range("2023-01-03", "2024-12-30")
CHANGE = "2024-10-01"
#: Day factors of a weekly rhythm (Tuesday first): every week and the five weekdays of every
#: week average 1.
WEEK = np.array([0.9, 1.0, 1.1, 1.0, 0.9, 1.1, 1.0])
HOUR = np.arange(24)
#: A weekday of 34 kWh: 1 kWh an hour, 2 at 07:00-08:59, 3 at 18:00-21:59. Its hours' CV is
#: sqrt(24 * (18 * 1 + 2 * 4 + 4 * 9) / 34**2 - 1) = sqrt(1488 / 1156 - 1) = 0.5359.
WEEKDAY = np.where(np.isin(HOUR, (7, 8)), 2.0, np.where((HOUR >= 18) & (HOUR <= 21), 3.0, 1.0))
#: A weekend day of 34 kWh: 1 kWh an hour, 3.5 at 10:00-13:59.
WEEKEND = np.where((HOUR >= 10) & (HOUR <= 13), 3.5, 1.0)
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
LATIN = re.compile(r"[A-Za-z]")


def home_hours(attack: str = "", factor: float = 1.0, days: pd.DatetimeIndex = DAYS) -> np.ndarray:
    """kWh per day x hour of a home on WEEKDAY/WEEKEND shapes and the WEEK rhythm, times
    `factor`; from CHANGE its hours 90 % of the way to the day's mean ("flat", the day's energy
    kept) or in reverse order ("reversed", Jokar et al.'s h6)."""
    shape = np.where((days.day_of_week >= 5)[:, None], WEEKEND, WEEKDAY)
    rhythm = WEEK[(days - DAYS[0]).days.to_numpy() % 7]
    hours = factor * rhythm[:, None] * shape
    after = days >= pd.Timestamp(CHANGE)
    if attack == "flat":
        hours[after] = 0.9 * hours[after].mean(axis=1, keepdims=True) + 0.1 * hours[after]
    elif attack == "reversed":
        hours[after] = hours[after, ::-1]
    return hours


def reads_of(homes: dict[str, np.ndarray]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily reads (each day's sum) over DAYS and hourly interval reads of `homes` (customer ->
    days x 24 kWh; a home with fewer days has the last of DAYS)."""
    daily, interval = [], []
    for customer, hours in homes.items():
        days = DAYS[-len(hours) :]
        daily.append(
            pd.DataFrame({"customer_id": customer, "date": days, "kwh": hours.sum(axis=1)})
        )
        stamps = (days.to_numpy()[:, None] + HOUR * np.timedelta64(1, "h")).ravel()
        interval.append(
            pd.DataFrame(
                {
                    "customer_id": customer,
                    "read_at": stamps,
                    "kwh": hours.ravel(),
                    "interval_minutes": 60,
                }
            )
        )
    return pd.concat(daily, ignore_index=True), pd.concat(interval, ignore_index=True)


def utility(attacks: dict[str, str], peers: int = 30):
    """30 honest residential peers of district D1 at their own levels (1 + i / 10 of a home) and
    the `attacks` (customer -> "flat" | "reversed") at 34 kWh a day: daily reads, interval reads,
    the archive and no bills."""
    homes = {f"P{index:02d}": home_hours(factor=1 + index / 10) for index in range(peers)}
    homes.update({customer: home_hours(attack) for customer, attack in attacks.items()})
    daily, interval = reads_of(homes)
    archive = pd.DataFrame(
        {"customer_id": list(homes), "usage_type": "residential", "district": "D1"}
    )
    bills = pd.DataFrame(columns=["customer_id", "period", "kwh_billed"])
    return bills, daily, archive, interval


def scored(attacks: dict[str, str], top_n: int = 2):
    bills, daily, archive, interval = utility(attacks)
    return score_theft(bills, daily, archive, "2024-12", top_n, interval_reads=interval)


def test_a_flattened_customer_says_how_little_its_hours_vary_against_a_year_before_and_peers():
    report = scored({"F-1": "flat"})
    top = report.top().iloc[0]
    assert (top["customer_id"], top["signal"], top["shape_change"]) == ("F-1", "profile", "flat")
    assert top["change_at"] == CHANGE
    score = formatting.number(top["score"], 1)
    # Weekday CV 0.5359 a year before; 90 % of the way to flat leaves a tenth: 0.0536. The
    # peers' days did not change (100 %); the day's energy is kept (34 kWh a day).
    assert report.reason(top, "en") == (
        "Interval reads: from 2024-10-01 its days became flat: on a typical weekday its hours "
        "varied by 5.4% around their mean, against 53.6% on the same days a year before "
        "(10.0% of it); its peers (residential, D1) kept 100.0% of their variation of a year "
        f"before; its use went from 34.0 to 34.0 kWh a day; score {score}."
    )
    assert report.reason(top, "zh") == (
        "负荷曲线显示，自 2024-10-01 起日内各小时用电变平：工作日各小时用电偏离其平均的幅度"
        "（变异系数）为 5.4%，上年同期为 53.6%，仅为其 10.0%；同类用户（居民，D1）同期的变异系数"
        f"为其上年的 100.0%；日均用电由 34.0 千瓦时变为 34.0 千瓦时；评分 {score}。"
    )


def test_a_reversed_customer_says_its_shape_mirrors_its_year_before_while_its_peers_kept_theirs():
    report = scored({"R-1": "reversed"})
    top = report.top().iloc[0]
    assert (top["customer_id"], top["shape_change"], top["change_at"]) == (
        "R-1",
        "reversed",
        CHANGE,
    )
    score = formatting.number(top["score"], 1)
    # Every weekday alike: its own shape is 1, the hours reversed exactly -1.
    assert report.reason(top, "en") == (
        "Interval reads: from 2024-10-01 the hours of its days were reversed: its weekday shape "
        "scored -1.00 against its own shape on the same days a year before (1 the same shape, "
        "-1 the hours in reverse order), 1.00 in the four weeks before; its peers (residential, "
        f"D1) scored 1.00; its use went from 34.0 to 34.0 kWh a day; score {score}."
    )
    assert report.reason(top, "zh") == (
        "负荷曲线显示，自 2024-10-01 起日内各小时用电前后颠倒：工作日曲线与自身上年同期曲线的镜像系数"
        "为 -1.00（1 为形状相同，-1 为各小时顺序颠倒），变化前四周为 1.00；同类用户（居民，D1）"
        f"同期为 1.00；日均用电由 34.0 千瓦时变为 34.0 千瓦时；评分 {score}。"
    )


def test_without_interval_reads_a_year_before_a_flat_day_is_set_against_the_weeks_before():
    bills, daily, archive, interval = utility({"F-1": "flat"})
    recent = interval[interval["read_at"] >= pd.Timestamp("2024-02-01")]  # the meters' first year
    report = score_theft(bills, daily, archive, "2024-12", 1, interval_reads=recent)
    top = report.top().iloc[0]
    assert top["profile_baseline"] == "weeks_before"
    assert report.reason(top, "en").startswith(
        "Interval reads: from 2024-10-01 its days became flat: on a typical weekday its hours "
        "varied by 5.4% around their mean, against 53.6% in the four weeks before (10.0% of it; "
        "no interval reads a year before); its peers (residential, D1) kept 100.0% of their "
        "variation"
    )


def test_the_chart_draws_the_weekday_hours_before_after_and_a_year_before():
    report = scored({"F-1": "flat", "R-1": "reversed"})
    shapes = report.day_shapes.set_index(["customer_id", "hour"])
    # Flat: 90 % of the day's mean (34 / 24) plus a tenth of the hour; the weekdays' rhythm
    # averages 1 over whole weeks.
    assert shapes.loc[("F-1", 18), "after"] == pytest.approx(0.9 * 34 / 24 + 0.3)
    assert shapes.loc[("F-1", 18), "before"] == pytest.approx(3.0)
    assert shapes.loc[("F-1", 18), "year_before"] == pytest.approx(3.0)
    assert shapes.loc[("R-1", 5), "after"] == pytest.approx(3.0)  # 18:00 drawn at 05:00
    figure = report.plot("en")
    panels = [ax for ax in figure.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == [
        f"{customer} (score {formatting.number(score, 1)}, {shape})"
        for customer, score, shape in zip(
            report.top()["customer_id"],
            report.top()["score"],
            ("flat days", "hours reversed"),
            strict=True,
        )
    ]
    assert panels[0].get_xlabel() == "Hour of the day"
    assert len(panels[0].get_lines()) == 3
    assert figure_png(figure).startswith(b"\x89PNG")


def test_zh_and_en_profile_reasons_and_charts_each_speak_one_language():
    report = scored({"F-1": "flat", "R-1": "reversed"})
    data = re.compile(r"[FRP]-?\d+|D1|\d")
    zh = report.reasons("zh") + list(report.to_table("zh").columns)
    en = report.reasons("en") + list(report.to_table("en").columns)
    assert not [line for line in zh if LATIN.search(data.sub("", line))]
    assert not [line for line in en if CJK.search(line)]
    for lang, foreign in (("zh", LATIN), ("en", CJK)):
        texts = [text.get_text() for text in report.plot(lang).findobj(Text)]
        assert not [text for text in texts if foreign.search(data.sub("", text))], lang


def test_a_hostile_customer_id_is_escaped_in_the_reason_table_and_drawn_as_written():
    hostile = "<b>$x$=1+1"
    report = scored({hostile: "flat"}, top_n=1)
    assert report.top()["customer_id"].tolist() == [hostile]
    html = table_html(report.to_table("en"), lang="en")
    assert "&lt;b&gt;$x$=1+1" in html and "<b>" not in html
    figure = report.plot("en")
    titles = [ax.get_title() for ax in figure.axes if ax.get_visible()]
    assert titles[0].startswith(f"{hostile} (score ")
    assert not any(text.get_parse_math() for text in figure.findobj(Text))


def test_without_interval_reads_nothing_of_the_profile_appears():
    bills, daily, archive, interval = utility({"F-1": "flat"})
    plain = score_theft(bills, daily, archive, "2024-12", 2)
    assert not plain.profile_tested and plain.day_shapes.empty
    assert not set(PROFILE_COLUMNS) & set(plain.scores.columns)
    assert "shape_change" not in plain.scores.columns
    assert not plain.reasons("en")[0].startswith("Interval reads")
    with_hours = score_theft(bills, daily, archive, "2024-12", 2, interval_reads=interval)
    assert with_hours.profile_tested
    # Only the listed customers scored on the profile carry its figures.
    filled = with_hours.scores.dropna(subset=["hours_spread_after"])
    assert filled["customer_id"].tolist() == ["F-1"]


def test_a_dataset_without_interval_reads_has_no_day_shape_paragraph_in_its_methods(
    small_dataset,
):
    study = build(small_dataset)
    assert not study.theft.profile_tested
    assert not [line for line in study.methods("en") if "load curve" in line]
    assert len(study.methods("en")) == len(METHODS) - 1


def interval_folder(folder):
    """The small utility of the statistics tests with daily and hourly reads for district 甲
    from 2023-01-03: SY-甲-001 flattened from CHANGE, SY-甲-002 reversed, the others honest."""
    tables = build_tables()
    customers = tables["customers"]
    ids = customers.loc[customers["district"] == "甲", "customer_id"]
    attacks = {"SY-甲-001": "flat", "SY-甲-002": "reversed"}
    homes = {
        customer: home_hours(attacks.get(customer, ""), 0.2 + 0.01 * index)
        for index, customer in enumerate(ids)
    }
    daily, interval = reads_of(homes)
    write_folder({**tables, "daily_reads": daily}, folder)
    interval.to_parquet(folder / "interval_reads.parquet", index=False)
    return folder


@pytest.mark.slow
def test_the_notebook_words_and_draws_the_profile_customers(tmp_path, monkeypatch):
    folder = interval_folder(tmp_path / "utility")
    monkeypatch.setenv("AUDITKIT_REPORT_DIR", str(tmp_path / "files"))
    notebook = run("consumption_statistics", tmp_path, data_dir=str(folder), lang="en")
    html = shown(notebook)
    assert "SY-甲-001" in html and "Interval reads: from 2024-10-01 its days became flat" in html
    assert "Interval reads: from 2024-10-01 the hours of its days were reversed" in html
    assert "Interval reads: customers with an hourly or 15-minute load curve" in html
    assert "负荷曲线" not in html
    exported = pd.read_csv(tmp_path / "files" / "theft_scores.csv").set_index("customer_id")
    assert exported.loc["SY-甲-002", "shape_change"] == "reversed"
    assert not errors(notebook)


def test_the_methods_state_the_order_window_the_scores_apply_in_both_languages(small_dataset):
    study = build(small_dataset)
    for lang, stated in (("zh", f"{ORDER_WINDOW_DAYS} 天内生效"), ("en", "within 31 days")):
        methods = study.methods(lang)
        assert any(stated in line for line in methods), lang
        assert not [line for line in methods if "{" in line or "}" in line]
    assert ORDER_WINDOW_DAYS == 31

"""The consumption study the notebook shows: its results, tables, sentences and charts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from stats_builders import DROP_CUSTOMER

from auditkit import formatting
from auditkit.errors import ParameterError
from auditkit.results import Result, Study
from auditkit.stats import benford, charts, decompose, funnel
from auditkit.stats.notes import Note
from auditkit.stats.study import benford_table, benford_tests, build


@pytest.fixture(scope="module")
def study(small_dataset):
    return build(small_dataset, top_n=3)


def test_study_of_all_districts(study):
    assert isinstance(study, Study)
    assert study.districts == ["丁", "丙", "乙", "甲"]
    assert study.theft.top().iloc[0]["customer_id"] == DROP_CUSTOMER
    assert study.anomalies.scores.iloc[0]["customer_id"] == DROP_CUSTOMER
    assert set(study.decompositions) == {"丙", "乙", "甲"}
    headline = study.headline()
    assert headline["customers"] == 44
    assert headline["theft_suspects"] == 1
    assert "line_loss_pct" not in headline  # 丙 and 丁 have no supply
    assert study.headline_figures("en")["Customers"] == 44
    zh, en = study.headline_figures("zh"), study.headline_figures("en")
    assert zh["售电量 (千瓦时)"] == en["Energy (kWh)"] == headline["kwh"]  # one value, any language


def test_study_of_a_district_without_bills(small_dataset):
    empty = build(small_dataset, district="丁")
    assert empty.districts == ["丁"]
    assert empty.theft.scores.empty and empty.anomalies.scores.empty
    assert not empty.decompositions
    assert "丁: no bills in the period." in empty.data_notes("en")
    assert empty.estimated_funnel is not None  # the other districts are still benchmarked
    with pytest.raises(ParameterError, match="'district'") as raised:
        build(small_dataset, district="戊")
    listed = ", ".join(small_dataset.districts)  # as text, not a Python list ['甲', ...]
    assert str(raised.value) == f"parameter 'district': expected one of {listed}, found '戊'"


def test_an_as_of_after_the_last_bill_is_refused_as_given(small_dataset):
    with pytest.raises(
        ParameterError,
        match=r"'as_of': expected a month from 2022-01 to 2024-12 \(the months the bills cover\), "
        "found '2025-01-15'",
    ):  # was the anomaly scores' "up to the reads' last", found the window's end '2025-01'
        build(small_dataset, as_of="2025-01-15")


@pytest.mark.parametrize("top_n", [0, -1, 2.5, "3"])
def test_a_top_n_under_one_or_not_whole_is_refused_not_read_as_all_but_n(small_dataset, top_n):
    """top_n=-1 listed all but the last customer (.head(-1)), 0 emptied the rankings."""
    with pytest.raises(ParameterError, match="parameter 'top_n': expected a whole number from 1"):
        build(small_dataset, top_n=top_n)


def test_a_study_of_a_folder_path_is_refused_naming_dataset():
    with pytest.raises(ParameterError, match="parameter 'dataset': expected a dataset loaded by"):
        build("/tmp/demo")


def test_every_part_is_a_result_with_numbers(study):
    parts = [study.summary, study.theft, study.anomalies, study.estimated_funnel]
    parts += [*study.decompositions.values(), *study.benford.values()]
    for part in parts:
        assert isinstance(part, Result)
        assert isinstance(part.explain("en"), str) and isinstance(part.to_table("zh"), pd.DataFrame)
    assert study.summary.summary(["甲"])["districts"] == 1
    assert study.theft.summary()["strong"] == 1
    assert study.theft.summary()["statuses"]["scored"] == 41
    assert study.estimated_funnel.summary()["units"] == 3
    assert sorted(study.benford) == ["乙", "甲"]


def test_every_named_table_and_figure(study):
    assert study.table_names == (
        "summary",
        "by_usage",
        "outliers",
        "theft",
        "theft_status",
        "anomalies",
        "anomaly_status",
        "benford",
        "funnel",
    )
    for name in study.table_names:
        assert isinstance(study.table(name, "en"), pd.DataFrame)
    assert study.figures_of("monthly") == (
        "monthly/kwh",
        "monthly/line_loss",
        "monthly/estimated_share",
    )
    assert study.figures_of("benford") == ("benford/乙", "benford/甲")  # 丙 bills zero
    figure = study.figure("funnel", "en")
    assert isinstance(figure, Figure) and figure.axes[0].get_ylabel() == "Share of estimated reads"
    with pytest.raises(ParameterError, match="'table'"):
        study.table("nothing")


def test_formatted_tables(study):
    table = study.table("summary", "en")
    row = table.set_index("District").loc["乙"]
    assert row["Line loss"].startswith("-") and row["Line loss"].endswith("%")
    assert table.set_index("District").loc["丁", "Energy (kWh)"] == formatting.MISSING
    assert list(study.summary.to_table("zh", ["甲"])["供电单位"]) == ["甲"]
    usage = study.summary.usage_table("zh", ["甲"])
    assert sorted(usage["用电类别"]) == ["商业", "居民"]
    theft = study.table("theft", "zh")
    assert list(theft.columns[:2]) == ["户号", "评分"] and len(theft) == 3
    statuses = study.table("theft_status", "en").set_index("Status")["Count"]
    assert statuses["scored"] == "41" and statuses.filter(like="all zero").iloc[0] == "3"


def test_benford_and_funnel_tables():
    rng = np.random.default_rng(0)
    amounts = pd.Series(10 ** rng.uniform(1, 5, 3000))
    districts = pd.Series(np.where(np.arange(3000) < 2000, "甲", "乙"))
    table = benford_table(benford_tests(amounts, districts), "en")
    assert len(table) == 6
    assert table["Test"].tolist()[:3] == ["first digit", "second digit", "first two digits"]
    result = funnel(pd.DataFrame({"district": ["A", "B"], "volume": [100, 100], "events": [1, 30]}))
    shown = result.to_table("en").set_index("District")
    assert shown.loc["B", "Status"] == "above the 99.8% limit"
    assert list(shown.columns[3:5]) == ["95% limits", "99.8% limits"]
    assert result.explain("zh") == "超出 99.8% 控制限的单位：B、A。"


def test_conclusions_say_what_was_found(study):
    text = study.explain("en")
    assert "highest line loss is 甲's (8.0%)" in text
    assert "1 customers show a sustained drop" in text
    assert "Districts outside the 99.8% limits" in text


def test_a_one_district_study_s_conclusions_speak_of_that_district_only(small_dataset, study):
    alone = build(small_dataset, district="乙", top_n=3)
    text = alone.explain("en")
    # 乙's own figures (甲 has the highest line loss of all, 8.0%: not 乙's business)
    assert "From 2024-01 to 2024-12, 乙's line loss is -5.3%." in text
    assert "乙's year-over-year energy change is -1.3%." in text
    assert "甲" not in text
    assert "2024-01 至 2024-12，乙的线损率为 -5.3%。" in alone.explain("zh")
    # near miss: the study of every district still ranks them
    assert "highest line loss is 甲's (8.0%)" in study.explain("en")


def test_benford_sentence_when_every_district_departs(study):
    tests = pd.DataFrame(
        {
            "district": ["A", "B", "C"],
            "test": "first_two",
            "mad": [0.003, 0.004, 0.009],
            "conformity": ["nonconformity"] * 3,
            "departs": [True] * 3,
        }
    )
    departed = dataclasses.replace(study, benford_tests=tests)
    sentence = next(s for s in departed.conclusions("en") if "Benford" in s)
    assert "every district" in sentence and "C's (MAD 0.0090)" in sentence
    # C too small to judge: no "every district", and C is named as too small instead.
    small = dataclasses.replace(study, benford_tests=tests.assign(departs=[True, True, np.nan]))
    said = [s for s in small.conclusions("en") if "Benford's law" in s]
    assert said[0] == "Bill amounts' first two digits depart from Benford's law in: A, B."
    assert said[1].startswith("Too few bill amounts to judge their first two digits") and (
        "in: C (" in said[1]
    )


def test_the_caveat_on_bill_amounts_speaks_only_when_a_district_s_amounts_were_tested(study):
    caveat = "Whether bill amounts follow Benford's law depends mainly on the mix of customers"
    # Every amount below 10 yuan: each district has a row, none a test (its MAD is NaN).
    amounts = pd.Series([3.5, 7.0, 9.99, 0.0, 5.0, 8.0])
    districts = pd.Series(["城东", "城东", "城东", "城西", "城西", "城西"])
    untested = dataclasses.replace(study, benford_tests=benford_tests(amounts, districts))
    assert len(untested.benford_tests) == 6 and untested.benford_tests["mad"].isna().all()
    assert untested.benford_caveat("en") == [] and untested.benford_caveat("zh") == []
    said = untested.explain("en")
    assert "No amounts could be tested against Benford." in said and caveat not in said
    # One amount of 12 yuan in 城西: its amounts were tested, so the caveat is said.
    tested = dataclasses.replace(
        study, benford_tests=benford_tests(amounts.replace(8.0, 12.0), districts)
    )
    assert tested.benford_caveat("en") == [next(s for s in tested.conclusions("en") if caveat in s)]
    assert len(tested.benford_caveat("zh")) == 1


def test_amounts_drawn_from_the_law_are_not_said_to_depart(study):
    """300 amounts a district, drawn from Benford's law: their first-two-digit MAD (0.0044 to
    0.0055) is Nigrini's nonconformity but what 300 conforming amounts show (0.0046), and some
    digit pairs are expected 1.3 times: too few to judge, and said so. 3,000 amounts of 100 to
    199 yuan (first two digits 10 to 19 only) depart; 3,000 drawn from the law do not."""
    rng = np.random.default_rng(0)
    amounts = pd.Series(10 ** rng.uniform(1, 5, 900))
    districts = pd.Series(np.repeat(["城东", "城西", "城南"], 300))
    tests = benford_tests(amounts, districts)
    first_two = tests[tests["test"] == "first_two"]
    assert (first_two["conformity"] == "nonconformity").all()
    assert first_two["expected_mad"].to_numpy() == pytest.approx([0.00458] * 3, abs=1e-5)
    assert first_two["departs"].isna().all() and (first_two["note"] == "small_sample").all()
    drawn = dataclasses.replace(study, benford_tests=tests)
    said = drawn.explain("en")
    assert (
        "Too few bill amounts to judge their first two digits against Benford's law in: 城东, 城南"
        in said
    )
    assert "depart from Benford's law" not in said and "conform to Benford's law" not in said
    assert "城东、城南、城西的电费金额太少" in drawn.explain("zh")

    many = pd.concat(
        [pd.Series(10 ** rng.uniform(1, 5, 3000)), pd.Series(100 + np.arange(3000) / 30)]
    )
    places = pd.Series(["甲"] * 3000 + ["乙"] * 3000)
    judged = benford_tests(many, places).set_index(["district", "test"])
    assert judged.xs("first_two", level="test")["departs"].to_dict() == {"乙": True, "甲": False}
    both = dataclasses.replace(study, benford_tests=judged.reset_index())
    assert "Bill amounts' first two digits depart from Benford's law in: 乙." in both.explain("en")
    shown = benford_table(judged.reset_index(), "en")
    departs = "Departs (significant chi-square and a MAD beyond acceptable)"
    assert list(shown.columns[6:11]) == [
        "MAD", "MAD if conforming", "MAD range (Nigrini, for large samples)", departs, "Why",
    ]  # fmt: skip
    assert shown[departs].tolist()[2::3] == ["yes", "no"]  # first two digits of 乙, 甲
    # 乙's second digits (amounts 100 to 199.97: each of 0-9 exactly 10 %, where Benford expects
    # 12.0 % to 8.5 %) are significant, but their MAD is acceptable: no departure, and the row
    # says why.
    second = judged.loc[("乙", "second")]
    assert second["p_value"] < 0.05 and second["conformity"] in ("close", "acceptable")
    assert shown["Why"].tolist()[1] == (
        "significant chi-square, but the MAD is within acceptable (on many amounts a slight "
        "departure is significant): no departure"
    )
    assert benford_table(judged.reset_index(), "zh")["判定依据"].tolist()[4] == (
        "卡方不显著，MAD 在可接受区间内：不偏离"
    )


def test_charts_draw_with_chinese_labels(study):
    monthly = study.summary.monthly
    assert isinstance(study.summary.plot("zh", "line_loss"), Figure)
    decomposition = decompose(monthly[monthly["district"] == "甲"].set_index("period")["kwh"], "甲")
    figure = decomposition.plot("zh")
    assert len(figure.axes) == 4 and "季节分解" in figure._suptitle.get_text()
    series = charts.plot_customer_series(study.bills, [DROP_CUSTOMER, "SY-甲-001", "SY-甲-002"])
    assert sum(ax.get_visible() for ax in series.axes) == 3
    assert sum(ax.get_visible() for ax in study.theft.plot("en").axes) == 3
    result = benford(study.bills["amount"], "first")
    assert result.plot("en").axes[0].get_xlabel() == "First digit"
    assert "MAD" in study.benford["甲"].plot("zh").axes[0].get_title()
    funnel_figure = study.estimated_funnel.plot("en", "rate", "title")
    labels = [text.get_text() for text in funnel_figure.axes[0].texts]
    assert sorted(labels) == ["丙", "乙", "甲"]


def test_energy_axes_group_thousands_without_an_offset(study):
    """Reviewers read 27,500,000 on the axis, not 2.75 with a 1e7 in the corner."""
    monthly = study.summary.monthly.assign(kwh=lambda frame: frame["kwh"] * 1e4)
    figure = charts.plot_monthly(monthly, "kwh", "zh")
    figure.canvas.draw()
    axes = figure.axes[0]
    labels = [tick.get_text() for tick in axes.get_yticklabels() if tick.get_text()]
    assert axes.yaxis.get_offset_text().get_text() == ""
    assert any("," in label for label in labels), labels


def test_a_month_with_under_eighteen_months_of_history_builds(small_dataset):
    # 2022-01 to 2023-03: 15 months, too few for the year-over-year windows of the anomaly
    # scores (which had no history window to take a median of) — scored as too short, no error.
    early = build(small_dataset, as_of="2023-03", top_n=3)
    assert early.summary.period_to == "2023-03"
    assert early.anomalies.scores["score"].isna().all() or early.anomalies.scores.empty
    for name in early.table_names:
        early.table(name, "zh")


def test_a_month_before_the_daily_reads_has_no_daily_section_and_says_why(small_tables):
    from auditkit.data import Dataset

    customer = small_tables["customers"]["customer_id"].iloc[0]
    days = pd.date_range("2024-10-01", "2024-12-31", freq="D")
    reads = pd.DataFrame({"customer_id": customer, "date": days, "kwh": 10.0})
    dataset = Dataset.from_frames({**small_tables, "daily_reads": reads})
    early = build(dataset, as_of="2024-06", top_n=3)
    assert early.daily is None
    assert "daily reads begin on 2024-10-01, after 2024-06: no daily profile for this month." in (
        early.data_notes("en")
    )
    assert build(dataset, top_n=3).daily is not None


def test_a_one_district_study_profiles_its_own_daily_reads_only(small_dataset):
    """Reads of 甲's customer, of 乙's (in the archive, another district) and of a meter missing
    from the archive: a study of 甲 counts 甲's and names only the missing one's as unknown."""
    customers = small_dataset.customers.set_index("district")["customer_id"]
    december = pd.date_range("2024-12-01", "2024-12-31", freq="D")
    reads = pd.concat(
        [
            pd.DataFrame({"customer_id": customers["甲"].iloc[0], "date": december, "kwh": 10.0}),
            pd.DataFrame({"customer_id": customers["乙"], "date": december, "kwh": 20.0}),
            pd.DataFrame({"customer_id": "ghost", "date": december[:5], "kwh": 1.0}),
        ],
        ignore_index=True,
    )
    dataset = dataclasses.replace(small_dataset, daily_reads=reads)
    profile = build(dataset, district="甲", top_n=3).daily
    assert profile.table["district"].tolist() == ["甲"]
    assert profile.table.loc[0, "reads"] == 31 and profile.table.loc[0, "kwh"] == 310
    # 乙's 31 reads are in the archive: not 36 unknown, 5.
    assert profile.notes == [Note("unknown_meters", {"count": 5})]
    assert "5 daily reads of customers not in the archive are left out." in profile.explain("en")
    alone = dataclasses.replace(dataset, daily_reads=reads[reads["customer_id"] != "ghost"])
    assert build(alone, "甲", top_n=3).daily.notes == []
    everyone = build(dataset, top_n=3).daily.table.set_index("district")
    assert everyone.loc["乙", "reads"] == 31


def test_a_district_whose_bills_stop_early_is_scored_up_to_its_last_bill(small_tables):
    """甲's December bills are missing: its one-district study scores its customers up to
    November and says why (it refused an as_of nobody gave: the other districts' December)."""
    from auditkit.data import Dataset

    customers, bills = small_tables["customers"], small_tables["bills"]
    jia = customers.loc[customers["district"] == "甲", "customer_id"]
    december = bills["customer_id"].isin(jia) & (bills["period"].astype(str) >= "2024-12")
    dataset = Dataset.from_frames({**small_tables, "bills": bills[~december]})
    study = build(dataset, district="甲", top_n=3)
    assert "甲's bills end in 2024-11, before the study month 2024-12: its customers are scored " \
        "up to 2024-11." in study.data_notes("en")  # fmt: skip
    assert "甲 的账单止于 2024-11，早于本期 2024-12" in " ".join(study.data_notes("zh"))
    assert study.theft.top().iloc[0]["customer_id"] == DROP_CUSTOMER
    everyone = build(dataset, top_n=3)  # all districts: the study month is the last billed
    assert not any("bills end in" in note for note in everyone.data_notes("en"))


def test_a_window_longer_than_the_bills_starts_at_the_first_month_billed_and_says_so(
    small_dataset,
):
    """`months=100` on bills of 2022-01 to 2024-12 showed the period 2016-09 – 2024-12 in the
    report header without a word (and dropped the line loss, its supply 'incomplete')."""
    study = build(small_dataset, months=100)
    summary = study.summary.summary()
    assert (summary["period_from"], summary["period_to"]) == ("2022-01", "2024-12")
    assert study.data_notes("zh")[0] == (
        "所选 100 个月中只有 36 个月有账单：账单始于 2022-01，稽查期间自 2022-01 起。"
    )
    assert study.data_notes("en")[0] == (
        "36 of the 100 months asked: the bills begin in 2022-01, so the period starts there."
    )


def test_a_window_the_bills_cover_has_no_note_on_its_start(small_dataset):
    study = build(small_dataset, months=36)
    assert study.summary.period_from == "2022-01"
    assert not [note for note in study.notes if note.code == "months_before_bills"]


def test_the_daily_profile_ends_at_the_study_month_whatever_a_stray_later_read(small_dataset):
    customers = small_dataset.customers["customer_id"]
    december = pd.date_range("2024-12-01", "2024-12-31", freq="D")
    reads = pd.concat(
        [
            pd.DataFrame({"customer_id": customers.iloc[0], "date": december, "kwh": 10.0}),
            pd.DataFrame({"customer_id": [customers.iloc[1]], "date": ["2027-03-01"], "kwh": 14.0}),
        ],
        ignore_index=True,
    )
    dataset = dataclasses.replace(small_dataset, daily_reads=reads)
    study = build(dataset, top_n=3)
    assert study.summary.period_to == "2024-12"
    # Before: the profile's year ended on 2027-03-01 and held that one read (1 day, 14 kWh).
    table = study.daily.table
    assert table["reads"].sum() == 31 and table["kwh"].sum() == 310

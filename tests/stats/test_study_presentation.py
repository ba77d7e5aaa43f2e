"""The study the notebook shows, its formatted tables, sentences and charts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from stats_builders import DROP_CUSTOMER

from auditkit.errors import ParameterError
from auditkit.stats import benford, charts, decompose, funnel
from auditkit.stats import presentation as view
from auditkit.stats.benford import benford_by_group
from auditkit.stats.study import consumption_study


@pytest.fixture(scope="module")
def study(small_dataset):
    return consumption_study(small_dataset, lang="en")


def test_study_of_all_districts(study):
    assert study.districts == ["丁", "丙", "乙", "甲"]
    scored = study.theft[study.theft["status"] == "scored"]
    assert scored.iloc[0]["customer_id"] == DROP_CUSTOMER
    assert study.anomalies.iloc[0]["customer_id"] == DROP_CUSTOMER
    assert set(study.decompositions) == {"丙", "乙", "甲"}
    assert study.window_bills["period"].between("2024-01", "2024-12").all()
    figures = study.headline_figures("en")
    assert figures["Customers"] == 44
    assert figures["Theft suspects (score > 3)"] == 1
    assert "Line loss (%)" not in figures  # 丙 and 丁 have no supply


def test_study_of_a_district_without_bills(small_dataset):
    empty = consumption_study(small_dataset, district="丁", lang="en")
    assert empty.districts == ["丁"]
    assert empty.theft.empty and empty.anomalies.empty and not empty.decompositions
    assert "丁: no bills in the period." in empty.notes
    assert empty.estimated_funnel is not None  # the other districts are still benchmarked
    with pytest.raises(ParameterError, match="'district'"):
        consumption_study(small_dataset, district="戊")


def test_formatted_tables(study):
    table = view.summary_table(study.summary, "en")
    row = table.set_index("District").loc["乙"]
    assert row["Line loss"].startswith("-") and row["Line loss"].endswith("%")
    assert table.set_index("District").loc["丁", "Energy (kWh)"] == view.MISSING
    assert list(view.summary_table(study.summary, "zh", ["甲"])["供电单位"]) == ["甲"]
    usage = view.usage_table(study.summary, "zh", ["甲"])
    assert sorted(usage["用电类别"]) == ["商业", "居民"]
    theft = view.theft_table(study.theft, 3, "zh")
    assert list(theft.columns[:2]) == ["户号", "评分"] and len(theft) == 3
    statuses = view.status_table(study.theft, "en").set_index("Status")["Count"]
    assert statuses["scored"] == "41" and statuses.filter(like="all zero").iloc[0] == "3"
    assert view.percent(0.1234) == "12.3%" and view.p_value(0.0001) == "<0.001"
    assert view.number(float("nan")) == view.MISSING


def test_benford_and_funnel_tables():
    rng = np.random.default_rng(0)
    amounts = pd.Series(10 ** rng.uniform(1, 5, 3000))
    districts = pd.Series(np.where(np.arange(3000) < 2000, "甲", "乙"))
    table = view.benford_table(amounts, districts, "en")
    assert len(table) == 6
    assert table["Test"].tolist()[:3] == ["first digit", "second digit", "first two digits"]
    results = view.benford_results(amounts, districts)
    assert sorted(results) == ["乙", "甲"] and results["甲"].n == 2000
    assert "MAD" in view.benford_title("甲", results["甲"], "zh")
    result = funnel(pd.DataFrame({"district": ["A", "B"], "volume": [100, 100], "events": [1, 30]}))
    shown = view.funnel_table(result, "en").set_index("District")
    assert shown.loc["B", "Status"] == "above the 99.8 % limit"
    assert view.funnel_status("below_95", "zh") == "低于 95% 下限"


def test_conclusions_say_what_was_found(study):
    first_two = benford_by_group(
        study.window_bills["amount"], study.window_bills["district"], "first_two"
    )
    sentences = view.conclusions(
        study.summary, study.outliers, study.theft, study.anomalies, first_two,
        study.estimated_funnel, "en",
    )  # fmt: skip
    text = " ".join(sentences)
    assert "highest line loss is 甲's (8.0%)" in text
    assert "1 customers show a sustained drop" in text
    assert "Districts outside the 99.8 % limits" in text


def test_benford_sentence_when_every_district_departs(study):
    table = pd.DataFrame(
        {"group": ["A", "B", "C"], "mad": [0.003, 0.004, 0.009],
         "conformity": ["nonconformity"] * 3}
    )  # fmt: skip
    sentences = view.conclusions(
        study.summary, study.outliers, study.theft, study.anomalies, table, None, "en"
    )
    benford_sentence = next(s for s in sentences if "Benford" in s)
    assert "every district" in benford_sentence and "C's (MAD 0.0090)" in benford_sentence


def test_charts_draw_with_chinese_labels(study):
    monthly = study.summary.monthly
    assert isinstance(charts.plot_monthly(monthly, "line_loss", "zh"), Figure)
    decomposition = decompose(monthly[monthly["district"] == "甲"].set_index("period")["kwh"], "甲")
    figure = charts.plot_decomposition(decomposition, "zh")
    assert len(figure.axes) == 4 and "季节分解" in figure._suptitle.get_text()
    series = charts.plot_customer_series(study.bills, [DROP_CUSTOMER, "SY-甲-001", "SY-甲-002"])
    assert sum(ax.get_visible() for ax in series.axes) == 3
    result = benford(study.window_bills["amount"], "first")
    assert charts.plot_benford(result, lang="en").axes[0].get_xlabel() == "First digit"
    funnel_figure = charts.plot_funnel(study.estimated_funnel, "rate", "title", "en")
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

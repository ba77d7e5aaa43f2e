"""Every colour and number on the statistics page's charts is said: the anomaly panels' legend and
titles, the Benford legend's three entries whatever colours a chart drew, units on the STL axes,
energy axes from zero; and the sentences above the line-loss table and under the summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.patches import Patch
from test_network_loss import BILLS, CUSTOMERS, SUPPLY, _reads

from auditkit.stats import benford, charts, decompose
from auditkit.stats.network_loss import network_loss
from auditkit.stats.scores import CustomerScores
from auditkit.stats.study import build


@pytest.fixture(scope="module")
def study(small_dataset):
    return build(small_dataset, top_n=3)


def legend_texts(figure) -> list[str]:
    """The texts of every legend of `figure` (the figure's own and its axes')."""
    legends = [*figure.legends, *(ax.get_legend() for ax in figure.axes)]
    return [text.get_text() for legend in legends if legend for text in legend.get_texts()]


@pytest.mark.parametrize(
    ("lang", "labels", "title"),
    [
        (
            "zh",
            [
                "月电量（千瓦时）",
                "近 12 个月（加粗）",
                "评分所比较的近 3 个月",
                "上年同月（比较基准）",
            ],
            "{customer} · 评分 {score}",
        ),
        (
            "en",
            [
                "Monthly kWh",
                "Last 12 months (bold)",
                "The last 3 months the score compares",
                "The same months a year before",
            ],
            "{customer} · score {score}",
        ),
    ],
)
def test_anomaly_panels_have_a_legend_and_say_score_in_their_titles(study, lang, labels, title):
    figure = study.figure("anomalies", lang)
    assert legend_texts(figure) == labels
    top = study.anomalies.top()
    titles = [ax.get_title() for ax in figure.axes if ax.get_visible()]
    assert titles == [
        title.format(customer=customer, score=f"{score:.1f}")
        for customer, score in zip(top["customer_id"], top["score"], strict=True)
    ]


def test_the_scored_months_and_their_year_before_are_marked_on_each_panel():
    periods = [f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13)]
    bills = pd.DataFrame({"customer_id": "C1", "period": periods, "kwh_billed": 100.0})
    scores = pd.DataFrame({"customer_id": ["C1"], "score": [5.0], "status": ["scored"]})
    figure = CustomerScores("anomalies", scores, bills, 1).plot("en")
    dots, rings = figure.axes[0].collections
    assert len(dots.get_offsets()) == 3 and len(rings.get_offsets()) == 3
    # The theft kind marks no scored months (its own chart draws the change).
    assert len(charts.plot_customer_series(bills, ["C1"]).axes[0].collections) == 2


def _benford_legend(figure) -> list[tuple[str, tuple]]:
    legend = figure.axes[0].get_legend()
    return [
        (
            text.get_text(),
            to_rgba(handle.get_facecolor() if isinstance(handle, Patch) else handle.get_color()),
        )
        for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True)
    ]


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("zh", ["本福特定律期望", "实际占比", "实际占比：该数字显著偏多或偏少"]),
        (
            "en",
            [
                "Benford expected",
                "Observed share",
                "Observed share: the digit significantly over or under",
            ],
        ),
    ],
)
def test_every_benford_chart_legends_expected_observed_and_significantly_off_in_their_colours(
    lang, labels
):
    rng = np.random.default_rng(0)
    conforming = 10 ** rng.uniform(1, 5, 20_000)  # Benford's law itself: blue bars only
    ones = np.concatenate([conforming, np.full(3_000, 1234.0)])  # too many 1s and 12s: red first
    for values, test in ((conforming, "first_two"), (ones, "first"), (ones, "first_two")):
        entries = _benford_legend(benford(values, test).plot(lang))
        assert [text for text, _ in entries] == labels
        expected, observed, off = (colour for _, colour in entries)
        assert expected[:3] == to_rgba("black")[:3]
        assert observed[:3] == to_rgba(charts.BENFORD_OBSERVED)[:3]
        assert off[:3] == to_rgba(charts.BENFORD_OFF)[:3]


def test_stl_axes_name_their_unit_and_energy_axes_start_at_zero(study):
    name = next(name for name in study.figure_names if name.startswith("seasonality/"))
    zh = [ax.get_ylabel() for ax in study.figure(name, "zh").axes]
    assert zh == ["实际（千瓦时）", "趋势（千瓦时）", "季节（千瓦时）", "残差（千瓦时）"]
    en = [ax.get_ylabel() for ax in study.figure(name, "en").axes]
    assert en == ["Observed (kWh)", "Trend (kWh)", "Seasonal (kWh)", "Residual (kWh)"]
    assert study.figure("monthly/kwh", "en").axes[0].get_ylim()[0] == 0
    # A series of its own (no unit given) is labelled as before.
    periods = [f"{year}-{month:02d}" for year in (2022, 2023, 2024) for month in range(1, 13)]
    series = pd.Series(100 + 10 * np.sin(np.arange(36)), index=periods)
    observed = decompose(series, "x").plot("en").axes[0]
    assert observed.get_ylabel() == "Observed"
    assert observed.get_ylim()[0] == 0  # a swing of 20 around 100 is drawn as the 20 % it is
    below_zero = decompose(series - 150, "x").plot("en").axes[0]
    assert below_zero.get_ylim()[0] < (series - 150).min()  # its own limit, below the data


def test_a_series_that_goes_negative_keeps_its_own_lower_limit():
    monthly = pd.DataFrame(
        {"district": "甲", "period": ["2025-01", "2025-02"], "kwh_yoy": [-0.05, 0.02]}
    )
    assert charts.plot_monthly(monthly, "kwh_yoy", "en").axes[0].get_ylim()[0] < 0


def test_the_line_loss_table_says_it_lists_only_the_abnormal_units():
    result = network_loss(SUPPLY, CUSTOMERS, _reads(), BILLS, min_supply_kwh=100.0)
    assert len(result.to_table("zh")) == 3 and len(result.units) == 4
    assert result.listed_sentence("zh") == (
        "下表只列出有异常月份的 3 个台区或线路（负损 1 个、采集覆盖不足，未计算 1 个、"
        "档案中无用户，未计算 1 个）；其余 1 个各月线损正常或供电量过小不判断，不列出（共 4 个）。"
    )
    assert result.listed_sentence("en").startswith(
        "The table below lists only the 3 areas or feeders with an abnormal month (1 marked "
        "'negative loss'"
    )
    assert "the 2 most serious first" in result.listed_sentence("en", rows=2)


def test_the_summary_says_its_total_is_of_the_unrounded_figures_when_the_rows_do_not_add_up(study):
    summary = study.summary
    table = summary.table.copy()
    table["kwh"] = [0.4] * len(table)  # rows shown as 0 each; the total of 3 or more is not 0
    off = type(summary)(
        summary.period_from, summary.period_to, table, summary.by_usage, summary.monthly
    )
    assert off.rounding_note("zh") == [
        "表中各单位的售电量 (千瓦时)分别四舍五入；页首合计为未取整数值之和再四舍五入，"
        "与表中各行之和可能相差末位 1。"
    ]
    assert off.rounding_note("en")[0].startswith(
        "Each district's Energy (kWh) is rounded on its own"
    )
    exact = table.assign(kwh=1.0, revenue=2.5)
    assert (
        type(summary)(
            summary.period_from, summary.period_to, exact, summary.by_usage, summary.monthly
        ).rounding_note("en")
        == []
    )

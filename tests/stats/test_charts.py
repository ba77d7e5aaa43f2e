"""Charts draw names and ids from the data as written, whatever characters they hold."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd

from auditkit.plots import PercentTicks
from auditkit.report.notebook import figure_png, figure_text
from auditkit.stats import charts, funnel

#: Ids that mathtext would typeset ($x^2$) or fail on (an unfinished \frac).
MATH_IDS = ("R$\\frac$", "$x^2$")


def _texts(figure) -> list[str]:
    return [text.get_text() for text in figure.findobj(lambda artist: hasattr(artist, "get_text"))]


def test_reader_ids_with_dollar_signs_are_drawn_as_written():
    shares = pd.DataFrame(np.full((2, 10), 0.1), index=list(MATH_IDS), columns=range(10))
    verdicts = pd.DataFrame(
        {"mad": [0.03, 0.0], "p_adjusted": [0.001, 1.0], "flagged": [True, False]},
        index=list(MATH_IDS),
    )
    figure = charts.plot_last_digits(shares, verdicts, 0.05, 0.02, "en")

    assert figure_png(figure).startswith(b"\x89PNG")  # mathtext would fail on "\frac"
    labels = figure.axes[0].get_yticklabels()
    assert [label.get_text() for label in labels] == list(MATH_IDS)
    assert not any(label.get_parse_math() for label in labels)


def test_district_names_with_dollar_signs_in_a_legend_and_a_title_are_drawn_as_written():
    monthly = pd.DataFrame(
        {"district": [MATH_IDS[0]] * 2, "period": ["2025-01", "2025-02"], "kwh": [1.0, 2.0]}
    )
    figure = charts.plot_monthly(monthly, "kwh", "zh")

    assert figure_png(figure).startswith(b"\x89PNG")
    assert MATH_IDS[0] in _texts(figure)


def test_a_chart_drawn_before_any_font_set_up_draws_its_chinese_with_a_cjk_font():
    monthly = pd.DataFrame(
        {"district": ["城东"] * 2, "period": ["2025-01", "2025-02"], "kwh": [1.0, 2.0]}
    )
    with matplotlib.rc_context(), warnings.catch_warnings():
        matplotlib.rcdefaults()  # as in a fresh script: no use_cjk_font() called yet
        warnings.simplefilter("error")  # "Glyph ... missing from font(s) DejaVu Sans"
        assert figure_png(charts.plot_monthly(monthly, "kwh", "zh")).startswith(b"\x89PNG")


def test_a_tick_at_ten_percent_reads_ten_percent():
    assert PercentTicks().format_ticks([0.0, 0.7 - 0.6, 0.2]) == ["0%", "10%", "20%"]
    assert PercentTicks()(0.05) == "5%" and PercentTicks()(-0.0001 / 3) == "-0.003%"


def test_percent_ticks_have_the_decimals_the_ticks_need_and_never_read_alike():
    assert PercentTicks().format_ticks([0.1, 0.125, 0.15, 0.175]) == [
        "10.0%", "12.5%", "15.0%", "17.5%",
    ]  # fmt: skip
    assert PercentTicks().format_ticks([0.0015, 0.002, 0.0025]) == ["0.15%", "0.20%", "0.25%"]
    assert PercentTicks().format_ticks([-0.0, 0.5]) == ["0%", "50%"]


def _tick_labels(axis) -> list[str]:
    return [label.get_text() for label in axis.get_ticklabels() if label.get_text()]


def test_a_funnel_of_small_rates_labels_each_tick_apart_and_groups_its_volumes():
    volumes = [20_000, 25_000, 30_000, 40_000]
    table = pd.DataFrame({"district": list("ABCD"), "volume": volumes, "events": [40, 55, 60, 70]})
    figure = funnel(table).plot("zh")
    figure_png(figure)  # lays the ticks out
    rates = _tick_labels(figure.axes[0].yaxis)
    assert len(rates) == len(set(rates)) > 2 and all(label.endswith("%") for label in rates)
    assert "20,000" in _tick_labels(figure.axes[0].xaxis)


def test_a_benford_chart_of_a_district_named_with_unfinished_math_draws_its_title_as_written():
    """A district `$x$ $$y$$` failed the consumption report: matplotlib's own title wrapping
    parses `$...$` whatever `parse_math` says."""
    from auditkit.stats.benford import benford

    amounts = pd.Series(np.random.default_rng(1).lognormal(6, 2, 2_000))
    for test in ("first", "first_two"):
        result = benford(amounts, test=test, name="$x$ $$y$$")
        figure = result.plot("en")
        assert figure_png(figure).startswith(b"\x89PNG")
        (title,) = [axes.get_title() for axes in figure.axes]
        assert title.replace("\n", " ").startswith("$x$ $$y$$")
        assert max(map(len, title.splitlines())) <= (100 if test == "first_two" else 60)
        assert figure_text(figure) == " ".join(title.split())  # its alt text on one line

"""Charts draw names and ids from the data as written, whatever characters they hold."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.report.notebook import figure_png
from auditkit.stats import charts

#: Ids that mathtext would typeset ($x^2$) or fail on (an unfinished \frac).
MATH_IDS = ("R$\\frac$", "$x^2$")


def _texts(figure) -> list[str]:
    return [text.get_text() for text in figure.findobj(lambda artist: hasattr(artist, "get_text"))]


def test_reader_ids_with_dollar_signs_are_drawn_as_written():
    shares = pd.DataFrame(np.full((2, 10), 0.1), index=list(MATH_IDS), columns=range(10))
    figure = charts.plot_last_digits(shares, {MATH_IDS[0]}, "title", "en")

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


def test_a_tick_at_ten_percent_reads_ten_percent():
    assert charts._percent(0.7 - 0.6, 0) == "10%"  # 0.09999999999999998
    assert charts._percent(0.05, 0) == "5.0%" and charts._percent(0.0, 0) == "0%"

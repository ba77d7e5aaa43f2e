"""Numbers as reports show them."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from auditkit import formatting
from auditkit.plots import PercentTicks
from auditkit.rules import evidence
from auditkit.stats import tables as stats_tables
from auditkit.stats.funnel import funnel, status_text


def test_a_percentage_that_rounds_to_zero_has_no_sign():
    assert formatting.percent(-0.00001) == "0.0%"
    assert formatting.percent(-0.00001, digits=2) == "0.00%"
    assert formatting.percent(-0.0012) == "-0.1%"
    assert formatting.percent(0.1234) == "12.3%"


def test_money_is_to_the_fen_and_an_amount_that_rounds_to_zero_has_no_sign():
    assert formatting.money(-127.6) == "-127.60"
    assert formatting.money(-0.004) == "0.00"
    assert formatting.money(76040) == "76,040.00"


def test_every_kind_of_missing_value_shows_as_the_one_mark_and_nothing_else_does():
    """pandas' and numpy's gaps are recognised although formatting never imports either."""
    for missing in (None, float("nan"), np.float32("nan"), np.float64("nan"), pd.NA, pd.NaT):
        assert formatting.is_missing(missing)
        assert formatting.money(missing) == formatting.MISSING
    for present in (0, 0.0, np.float32(0), np.int64(0), "", "nan", pd.Timestamp("2024-01-01")):
        assert not formatting.is_missing(present)


def test_p_values_have_three_decimals_whatever_their_size():
    """Holm-adjusted p-values read '1', '0.6' and '0.714' side by side in one column."""
    assert [formatting.p_value(p) for p in (1, 0.6, 0.71428, 0.00609)] == [
        "1.000",
        "0.600",
        "0.714",
        "0.006",
    ]
    assert formatting.p_value(0.001) == "0.001"
    assert formatting.p_value(0.000999) == "<0.001"
    assert formatting.p_clause(0.0138) == "p = 0.014"


def test_a_bound_gets_more_decimals_only_where_two_would_read_as_its_threshold():
    assert formatting.percent_against(0.04978, 0.05) == "4.98%"
    assert formatting.percent_against(0.054362, 0.05) == "5.44%"
    assert formatting.percent_against(0.04996, 0.05) == "4.996%"  # '5.00%' would read as 5 %
    assert formatting.percent_against(0.050004, 0.05) == "5.0004%"
    assert formatting.percent_against(0.05, 0.05) == "5.00%"  # equal: nothing to tell apart
    assert formatting.percent_against(0.04996, None) == "5.00%"  # no threshold to tell apart


#: A number, a space and a percent sign ('2.00 %'): the way no report writes a share.
SPACED = re.compile(r"\d\s%")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_share_reads_alike_in_both_languages_through_every_path(lang: str) -> None:
    """One convention, `formatting.percent`'s: '8.6%', the sign right after the number, in a
    table, a sentence, a column label, evidence (a share and a figure already in percent) and
    a chart's ticks."""
    share = pd.DataFrame({"volume": [1000, 1000, 1000], "events": [20, 30, 160]})
    rated = funnel(share.assign(district=["A", "B", "C"]), target=0.086, levels=(0.95, 0.998))
    shown = {
        "table": stats_tables.labelled(
            pd.DataFrame({"line_loss": [0.086]}), {"line_loss": stats_tables.percent()}, lang
        ).iloc[0, 0],
        "sentence": rated.explain(lang),
        "label and status": " ".join(rated.to_table(lang).columns)
        + status_text("above_99.8", lang),
        "evidence share": evidence.render(
            [evidence.clause("consumption_drop.year_before", ratio=0.086)], lang
        ),
        "evidence in percent": evidence.render(
            [
                evidence.clause(
                    "pf_adjustment_error.missing",
                    bills=1,
                    last=True,
                    at="2024-01",
                    due=360.0,
                    due_percent=8.6,
                )
            ],
            lang,
        ),
        "chart tick": PercentTicks()(0.086),
    }
    assert shown["table"] == shown["chart tick"] == "8.6%"
    assert "99.8%" in shown["sentence"] and "99.8%" in shown["label and status"]
    assert "95%" in shown["label and status"]
    assert "9%" in shown["evidence share"] and "8.60%" in shown["evidence in percent"]
    assert {path: text for path, text in shown.items() if SPACED.search(text)} == {}


def test_a_rise_carries_its_sign_and_a_large_share_its_separators() -> None:
    assert formatting.percent(0.013, signed=True) == "+1.3%"
    assert formatting.percent(-0.013, signed=True) == "-1.3%"
    assert formatting.percent(-0.00001, signed=True) == "0.0%"  # no '+0.0%' nor '-0.0%'
    assert formatting.percent(12.5) == "1,250.0%"

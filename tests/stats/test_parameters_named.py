"""Library parameters of the statistics are refused by name, in one line, not as a TypeError."""

from __future__ import annotations

import pandas as pd
import pytest

from auditkit.errors import ParameterError
from auditkit.stats import summarize
from auditkit.stats.funnel import funnel

COUNTS = pd.DataFrame({"district": ["甲", "乙"], "volume": [100, 200], "events": [5, 9]})


@pytest.mark.parametrize("wrong", ["0.1", None, True, 0, 1, 1.5])
def test_a_high_loss_that_is_no_rate_is_refused_by_name(small_tables, wrong: object):
    with pytest.raises(ParameterError, match="parameter 'high_loss': expected a number strictly"):
        summarize(small_tables["bills"], small_tables["customers"], high_loss=wrong)


def test_a_high_loss_rate_is_taken(small_tables):
    bills, customers, supply = (
        small_tables[name] for name in ("bills", "customers", "district_supply")
    )
    # 甲 loses 8 %: flagged above 5 %, not above the default 10 %
    assert "high_loss" in [
        note.code for note in summarize(bills, customers, supply, high_loss=0.05).notes
    ]
    assert "high_loss" not in [note.code for note in summarize(bills, customers, supply).notes]


@pytest.mark.parametrize(
    ("wrong", "found"),
    [(0.95, "0.95"), ("0.95", "'0.95'"), (["0.95"], "'0.95'"), ([0.95, 1.5], "1.5"), ([], r"\[\]")],
)
def test_funnel_levels_that_are_no_list_of_confidence_levels_are_refused_by_name(wrong, found):
    with pytest.raises(
        ParameterError, match=rf"parameter 'levels': expected a list .* found {found}$"
    ):
        funnel(COUNTS, levels=wrong)


def test_funnel_levels_repeated_are_refused_and_a_tuple_in_any_order_is_taken():
    with pytest.raises(ParameterError, match="'levels'"):
        funnel(COUNTS, levels=[0.95, 0.95])
    assert funnel(COUNTS, levels=(0.998, 0.95)).levels == (0.95, 0.998)
    assert funnel(COUNTS, levels=[0.9]).levels == (0.9,)

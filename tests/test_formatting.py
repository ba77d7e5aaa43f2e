"""Numbers as reports show them."""

from __future__ import annotations

from auditkit import formatting


def test_a_percentage_that_rounds_to_zero_has_no_sign():
    assert formatting.percent(-0.00001) == "0.0%"
    assert formatting.percent(-0.00001, digits=2) == "0.00%"
    assert formatting.percent(-0.0012) == "-0.1%"
    assert formatting.percent(0.1234) == "12.3%"


def test_money_is_to_the_fen_and_an_amount_that_rounds_to_zero_has_no_sign():
    assert formatting.money(-127.6) == "-127.60"
    assert formatting.money(-0.004) == "0.00"
    assert formatting.money(76040) == "76,040.00"


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

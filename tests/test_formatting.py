"""Numbers as reports show them."""

from __future__ import annotations

from auditkit import formatting


def test_a_percentage_that_rounds_to_zero_has_no_sign():
    assert formatting.percent(-0.00001) == "0.0%"
    assert formatting.percent(-0.00001, digits=2) == "0.00%"
    assert formatting.percent(-0.0012) == "-0.1%"
    assert formatting.percent(0.1234) == "12.3%"

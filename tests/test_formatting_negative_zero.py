"""A number that rounds to zero is written without a sign, as money and percentages are."""

from __future__ import annotations

import numpy as np

from auditkit import formatting


def test_a_number_that_rounds_to_zero_has_no_sign():
    assert formatting.number(-0.3, 0) == "0"  # before: '-0'
    assert formatting.number(-0.004, 2) == "0.00"  # before: '-0.00'
    assert formatting.number(np.float64(-0.0)) == "0"
    assert formatting.compact(-0.00001, 4) == "0"
    assert formatting.count(-0.4) == "0"


def test_a_negative_number_that_does_not_round_to_zero_keeps_its_sign():
    assert formatting.number(-0.6, 0) == "-1"
    assert formatting.number(-0.005, 2) == "-0.01"  # -0.005 is -0.005000000000000000104 in binary
    assert formatting.number(-1234.5, 1) == "-1,234.5"
    assert formatting.number(-0.05, 1) == "-0.1"  # -0.05 in binary is -0.05000000000000000277

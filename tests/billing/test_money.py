"""Money rounded as a bill rounds it: half up (away from zero) to the fen, in place when asked."""

from __future__ import annotations

import numpy as np

from auditkit.billing.money import round_half_up


def test_halves_go_away_from_zero_where_numpy_would_go_to_even():
    # 0.125 → 0.13 and −0.125 → −0.13 (numpy: 0.12, −0.12); 0.615 × 100 = 61.4999… still a half.
    values = np.array([0.125, -0.125, 0.615, 2.675, 1.004, -1.005, np.nan])
    got = round_half_up(values, 2)
    np.testing.assert_array_equal(got, [0.13, -0.13, 0.62, 2.68, 1.0, -1.01, np.nan])
    assert round_half_up(2.5, 0) == 3.0 and round_half_up(-2.5, 0) == -3.0


def test_a_buffer_given_as_out_is_rounded_in_place_and_the_values_are_left_alone():
    values = np.array([45.225, -0.004, 90.0])
    kept = values.copy()
    buffer = np.empty(3)
    got = round_half_up(values, 2, out=buffer)
    assert got is buffer
    np.testing.assert_array_equal(got, [45.23, -0.0, 90.0])
    np.testing.assert_array_equal(values, kept)
    # A temporary rounded in itself: the same figures, no second buffer.
    product = np.array([1005.0]) * 0.045
    assert round_half_up(product, 2, out=product) is product
    np.testing.assert_array_equal(product, [45.23])

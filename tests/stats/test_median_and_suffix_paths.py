"""The two ways `row_nanmedian` reads a median, and the two ways the level-shift fit sums a row's
later steps: each pair gives the same numbers, to the bit, as the scores must stay the same."""

from __future__ import annotations

import numpy as np

from auditkit.stats.matrix import LONG_ROW, row_nanmedian
from auditkit.stats.theft import _suffix_sums


def test_a_long_row_median_is_read_from_its_middle_values():
    width = LONG_ROW + 44  # 300 columns: partitioned, not sorted
    odd = np.full(width, np.nan)
    odd[:201] = np.random.default_rng(0).permutation(np.arange(1.0, 202.0))  # 1..201
    even = np.full(width, np.nan)
    even[50:250] = np.random.default_rng(1).permutation(np.arange(1.0, 201.0))  # 1..200
    empty = np.full(width, np.nan)
    medians = row_nanmedian(np.vstack([odd, even, empty]))
    assert medians[0] == 101.0  # the 101st of 201
    assert medians[1] == 100.5  # between the 100th and 101st of 200
    assert np.isnan(medians[2])


def test_long_rows_give_the_medians_sorting_gives_to_the_bit():
    rng = np.random.default_rng(7)
    values = rng.normal(size=(40, LONG_ROW * 3))
    values[rng.random(values.shape) < rng.random((40, 1))] = np.nan  # a share missing per row
    values[3] = np.nan
    values[5, 1:] = np.nan  # one reading
    ordered = np.sort(values, axis=1)
    counts = np.count_nonzero(~np.isnan(values), axis=1)
    rows = np.arange(len(values))
    lower = ordered[rows, np.maximum(counts - 1, 0) // 2]
    upper = ordered[rows, counts // 2]
    by_sorting = np.where(counts > 0, (lower + upper) / 2, np.nan)
    assert np.array_equal(row_nanmedian(values), by_sorting, equal_nan=True)
    assert row_nanmedian(values)[5] == values[5, 0]


def test_later_steps_are_summed_from_the_last_step_back():
    values = np.array([[1.0, 2.0, 3.0, 4.0], [0.5, 0.25, 0.125, 1.0]])
    # Steps after 0, 1 and 2: 2 + 3 + 4, 3 + 4, 4.
    np.testing.assert_array_equal(_suffix_sums(values), [[9.0, 7.0, 4.0], [1.375, 1.125, 1.0]])
    observed = np.array([[True, False, True, True]] * 3)
    np.testing.assert_array_equal(_suffix_sums(observed), [[2, 2, 1]] * 3)


def test_step_by_step_sums_add_as_the_cumulative_sum_does():
    rng = np.random.default_rng(3)
    many_rows = rng.normal(size=(500, 36)) * 10.0 ** rng.integers(-8, 8, size=(500, 36))
    many_steps = rng.normal(size=(4, 400))
    for values in (many_rows, many_steps):
        cumulative = np.cumsum(values[:, ::-1], axis=1)[:, ::-1][:, 1:]
        assert np.array_equal(_suffix_sums(values), cumulative)

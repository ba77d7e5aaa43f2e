"""The ways `row_nanmedian` reads a median, the two ways `log_consumption` and the level-shift
fit take their medians, and the two ways the fit sums a row's later steps: each gives the same
numbers, to the bit, as the scores must stay the same."""

from __future__ import annotations

import numpy as np

from auditkit.stats import matrix
from auditkit.stats.calibration import autocorrelation_inflation, sidak_score
from auditkit.stats.matrix import (
    BRACKETED_ROW,
    LONG_ROW,
    SAMPLE_STEP,
    ZERO_AS_SHARE,
    log_consumption,
    row_nanmedian,
)
from auditkit.stats.theft import (
    MIN_SCALE,
    _absolute_deviation,
    _design_basis,
    _fit_level_shift,
    _step_columns,
    _suffix_sums,
)


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


def _by_sorting(values: np.ndarray) -> np.ndarray:
    """Row medians ignoring NaN, read from the whole rows sorted."""
    ordered = np.sort(values, axis=1)
    counts = np.count_nonzero(~np.isnan(values), axis=1)
    rows = np.arange(len(values))
    lower = ordered[rows, np.maximum(counts - 1, 0) // 2]
    upper = ordered[rows, counts // 2]
    return np.where(counts > 0, (lower + upper) / 2, np.nan)


def test_very_long_rows_give_the_medians_sorting_gives_to_the_bit():
    rng = np.random.default_rng(11)
    values = rng.normal(size=(8, BRACKETED_ROW + 1001)) * 1e3
    values[rng.random(values.shape) < rng.random((8, 1))] = np.nan  # a share missing per row
    values[1] = np.round(values[1] / 1e3)  # a few values, each many times
    values[2, :5000] = -np.inf
    values[2, 5000:5003] = np.inf
    values[3] = np.sort(values[3])  # NaN last
    values[4] = np.nan
    values[5, 1:] = np.nan  # one reading
    values[6, 7] = 2.0  # two readings: their mean
    values[6, ~np.isin(np.arange(values.shape[1]), [3, 7])] = np.nan
    assert np.array_equal(row_nanmedian(values), _by_sorting(values), equal_nan=True)
    assert row_nanmedian(values)[6] == (values[6, 3] + 2.0) / 2


def test_a_sample_that_misses_the_middle_leaves_the_whole_row_partitioned(monkeypatch):
    # Every sampled value is far above the others: the bracket lies above the middle.
    row = np.arange(BRACKETED_ROW * 2, dtype=float)
    row[::SAMPLE_STEP] += 1e9
    partitioned = []
    monkeypatch.setattr(
        matrix.np,
        "partition",
        lambda a, kth: partitioned.append(len(a)) or np.sort(a, kind="stable"),
    )
    median = row_nanmedian(row[None, :])
    assert len(row) in partitioned  # the bracket missed: the whole row
    # 16384 values, ranks 8191 and 8192 in the middle, the 1024 sampled ones (the multiples of
    # 16) moved up: among the others, 15 a block of 16, rank 8191 is 546 * 16 + 2
    assert median[0] == _by_sorting(row[None, :])[0] == (8738.0 + 8739.0) / 2


def test_given_counts_read_the_same_medians():
    values = np.array([[3.0, np.nan, 1.0, 2.0], [4.0, 8.0, np.nan, np.nan]])
    assert row_nanmedian(values, np.array([3, 2])).tolist() == [2.0, 6.0]


def test_positive_readings_take_the_medians_any_readings_take():
    rng = np.random.default_rng(5)
    positive = rng.lognormal(4, 1, size=(50, 36))
    positive[rng.random(positive.shape) < 0.2] = np.nan
    with_zeros = positive.copy()
    with_zeros[0, 3] = 0.0  # one zero anywhere: every row read as zeros may be
    for values in (positive, with_zeros):
        typical = _by_sorting(np.where(values > 0, values, np.nan))
        expected = np.log(values + ZERO_AS_SHARE * np.nan_to_num(typical, nan=1.0)[:, None])
        expected -= _by_sorting(expected)[:, None]
        assert np.array_equal(log_consumption(values)[0], expected, equal_nan=True)
    assert log_consumption(with_zeros)[0][0, 3] < np.nanmin(log_consumption(positive)[0][0])


def test_the_fit_spread_reads_a_residual_not_finite_as_nan_to_num_makes_it():
    observed = np.array([[True, True, False, True, True], [True] * 5])
    finite = np.array([[0.5, -1.0, 7.0, 2.0, 0.0], [1.0, 2.0, 3.0, 4.0, 100.0]])
    not_finite = finite.copy()
    not_finite[1, 4] = np.inf
    for residual in (finite, not_finite):
        seen = np.where(observed, residual, np.nan)
        expected = _by_sorting(np.abs(seen - _by_sorting(seen)[:, None]))
        spread = _absolute_deviation(residual, observed, observed.sum(axis=1))
        assert np.array_equal(spread, expected, equal_nan=True)
        assert np.array_equal(residual, np.nan_to_num(seen))  # 0 where not observed
    # Row 0 reads 0.5, -1, 2 and 0: median 0.25, deviations 0.25, 1.25, 1.75, 0.25; row 1
    # reads 1, 2, 3, 4 and inf: median 3, deviations 2, 1, 0, 1, inf.
    assert spread.tolist() == [0.75, 1.0]


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


def _two_passes_everywhere(log_kwh, observed, basis, step_columns, before, after, log_min_drop):
    """The level-shift fit searching every row twice (its first form), for comparison."""
    n_readings = observed.sum(axis=1)
    after_counts = np.cumsum(observed[:, ::-1], axis=1)[:, ::-1][:, 1:]
    norms = (step_columns**2).sum(axis=0)
    allowed = (n_readings[:, None] - after_counts >= before) & (after_counts >= after)
    allowed &= norms > 1e-9
    filled = np.where(observed, log_kwh, 0.0)
    rows = np.arange(len(log_kwh))
    for fill in (True, False):
        residual = filled - (filled @ basis) @ basis.T
        coefficient = _suffix_sums(residual) / norms
        evidence = np.where(allowed, (-coefficient + log_min_drop) * np.sqrt(norms), -np.inf)
        change = np.argmax(evidence, axis=1)
        shift = coefficient[rows, change]
        residual -= shift[:, None] * step_columns.T[change]
        if fill:
            filled = np.where(observed, log_kwh, filled - residual)
    residual = np.where(observed, residual, np.nan)
    centre = _by_sorting(residual)
    scale = 1.4826 * _by_sorting(np.abs(residual - centre[:, None]))
    scale = np.maximum(scale, MIN_SCALE) * np.sqrt(
        n_readings / np.maximum(n_readings - basis.shape[1] - 1, 1)
    )
    scale *= autocorrelation_inflation(np.nan_to_num(residual))
    return change, -shift, sidak_score(evidence[rows, change] / scale, allowed.sum(axis=1))


def test_only_rows_with_gaps_are_searched_again_and_all_fit_as_before():
    rng = np.random.default_rng(2)
    steps = 36
    log_kwh = rng.normal(size=(400, steps)) * 0.2
    log_kwh[::3, 20:] -= 0.7  # a drop in every third row
    basis = _design_basis(steps, np.cos(np.arange(steps) * np.pi / 6)[:, None])
    columns = _step_columns(steps, basis)
    read_every_step = np.ones(log_kwh.shape, dtype=bool)
    with_gaps = rng.random(log_kwh.shape) > 0.15
    some_gaps = read_every_step.copy()
    some_gaps[1::4] = with_gaps[1::4]
    for observed in (read_every_step, with_gaps, some_gaps):
        expected = _two_passes_everywhere(log_kwh, observed, basis, columns, 6, 2, np.log(0.8))
        found = _fit_level_shift(log_kwh, observed, basis, columns, 6, 2, np.log(0.8))
        for one, other in zip(found, expected, strict=True):
            assert np.array_equal(one, other)
    # the drops found: step 19 the last before them, a fall of about 0.7 in log kWh
    assert np.median(found[0][::3]) == 19
    assert 0.6 < np.median(found[1][::3]) < 0.8

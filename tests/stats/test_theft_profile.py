"""Within-day profile test on interval reads: flat days (h5), reversed hours (h6), honest changes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditkit.errors import ParameterError
from auditkit.stats import theft_scores
from auditkit.stats.theft_profile import (
    CV_FLOOR,
    FLAT_LIMIT,
    SHAPES,
    hourly_blocks,
    hourly_cube,
    score_profiles,
)

TWO_YEARS = pd.date_range("2023-01-02", periods=728, freq="D")  # 52-week years, from a Monday
WEEKEND = np.asarray(TWO_YEARS.day_of_week >= 5)
CHANGE = 600  # a day of the last year
HOUR = np.arange(24)


def _shapes(customers: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Weekday and weekend shapes of each home (customers x 24, each summing to 1): a base load,
    a morning and an evening peak of its own hours and sizes."""
    shapes = []
    for _ in range(2):
        morning = rng.uniform(6, 9, (customers, 1))
        evening = rng.uniform(18, 21, (customers, 1))
        shape = (
            0.3
            + rng.uniform(0.3, 1.0, (customers, 1)) * np.exp(-0.5 * ((HOUR - morning) / 1.5) ** 2)
            + rng.uniform(1.0, 2.0, (customers, 1)) * np.exp(-0.5 * ((HOUR - evening) / 2) ** 2)
        )
        shapes.append(shape / shape.sum(axis=1, keepdims=True))
    return shapes[0], shapes[1]


def _homes(customers: int = 40, noise: float = 0.2, seed: int = 5) -> np.ndarray:
    """Honest hourly kWh (customers x 728 days x 24): own shapes, a winter peak, day-to-day and
    hour-to-hour lognormal noise of sd `noise` (0: every weekday alike, every weekend day alike)."""
    rng = np.random.default_rng(seed)
    weekday, weekend = _shapes(customers, rng)
    profile = np.where(WEEKEND[None, :, None], weekend[:, None], weekday[:, None])
    winter = np.cos(2 * np.pi * np.arange(728) / 364)
    level = np.exp(
        rng.normal(2.5, 0.3, (customers, 1))
        + rng.uniform(0.1, 0.4, (customers, 1)) * winter
        + noise * rng.standard_normal((customers, 728))
    )
    hours = level[:, :, None] * profile
    return hours * np.exp(noise * rng.standard_normal(hours.shape))


def _score(hours: np.ndarray):
    return score_profiles(
        (hours[start : start + 7] for start in range(0, len(hours), 7)),
        WEEKEND,
        np.zeros(len(hours), dtype=np.int64),
    )


def test_days_flattened_to_their_mean_are_found_flat_from_the_day_they_began():
    hours = _homes()
    hours[0, CHANGE:] = hours[0, CHANGE:].mean(axis=1, keepdims=True)

    profile = _score(hours)

    assert profile.score[0] > 10
    assert SHAPES[profile.shape[0]] == "flat"
    assert profile.first_changed[0] == CHANGE
    assert profile.mirror_after[0] == pytest.approx(0.0, abs=1e-9)  # a flat day has no shape
    assert (profile.score[1:] < 3).all()


def test_reversed_hours_are_found_reversed_and_a_perfect_mirror_is_exactly_minus_one():
    hours = _homes(noise=0.0)
    hours[1, CHANGE:] = hours[1, CHANGE:, ::-1]

    profile = _score(hours)

    assert profile.score[1] > 10
    assert SHAPES[profile.shape[1]] == "reversed"
    assert profile.first_changed[1] == CHANGE
    # Every day the same shape: its own shape is 1, its mirror image -1, by construction.
    assert profile.mirror_before[1] == pytest.approx(1.0, abs=1e-9)
    assert profile.mirror_after[1] == pytest.approx(-1.0, abs=1e-9)
    assert profile.year_before[1]


def test_a_flat_day_counts_as_flat_as_its_limit_allows():
    hours = _homes(noise=0.0)
    hours[2, CHANGE:] = hours[2, CHANGE:].mean(axis=1, keepdims=True)
    weekday = hours[2, 0] / hours[2, 0].sum()
    weekday_variation = 24 * np.std(weekday)

    profile = _score(hours)

    # Noise-free: the flattened days' log(CV + floor) falls from log(weekday CV + floor) to
    # log(floor), limited at FLAT_LIMIT (weekday CV about 0.5: a fall of about 3.3).
    fall = np.log(weekday_variation + CV_FLOOR) - np.log(CV_FLOOR)
    assert fall > FLAT_LIMIT
    assert profile.flatness_ratio[2] == pytest.approx(np.exp(-FLAT_LIMIT), rel=1e-6)


def test_honest_changes_of_the_day_shape_do_not_fire():
    hours = _homes()
    rng = np.random.default_rng(11)
    # A time-of-use tariff: a quarter of the 08:00-22:00 energy moved into 22:00-08:00.
    peak = (HOUR >= 8) & (HOUR < 22)
    moved = 0.25 * hours[3, CHANGE:, peak].T
    hours[3, CHANGE:][:, peak] -= moved
    hours[3, CHANGE:][:, ~peak] += moved.sum(axis=1, keepdims=True) / (~peak).sum()
    # Working from home: weekdays take the weekend shape, 20 % more energy.
    weekend_shape = hours[4, 5] / hours[4, 5].sum()
    workdays = np.flatnonzero(~WEEKEND[CHANGE:]) + CHANGE
    hours[4, workdays] = 1.2 * hours[4, workdays].sum(axis=1, keepdims=True) * weekend_shape
    # A new appliance: an EV charged 23:00-02:00 on most nights, 40 % of a mean day.
    nights = CHANGE + np.flatnonzero(rng.random(728 - CHANGE) < 0.8)
    hours[5, nights[:, None], np.array([23, 0, 1])] += 0.4 * hours[5].sum(axis=1).mean() / 3
    # An empty home at the end (a trip): the fridge's flat hours at 10 % of its use.
    hours[6, -20:] = 0.1 * hours[6, -20:].mean(axis=1, keepdims=True)

    profile = _score(hours)

    assert profile.scored.all()
    assert (profile.score < 3).all()
    assert profile.mirror_after[3] > 0.5  # a block moved to the valley is not a reversal


def test_one_year_of_interval_reads_finds_flat_days_but_tests_no_mirror():
    hours = _homes()[:, -364:]
    start = 200
    hours[0, start:] = hours[0, start:].mean(axis=1, keepdims=True)
    hours[1, start:] = hours[1, start:, ::-1]

    profile = score_profiles(
        (hours[i : i + 7] for i in range(0, len(hours), 7)),
        WEEKEND[-364:],
        np.zeros(len(hours), dtype=np.int64),
    )

    assert profile.score[0] > 10
    assert profile.first_changed[0] == start
    assert profile.flatness_ratio[0] < 0.2  # against its own days before the change
    assert not profile.year_before.any()
    # No shape of the same season to compare a reversal with: only the flatness is tested.
    assert profile.score[1] < 3
    assert np.isnan(profile.mirror_after).all()


def _long_tables(hours: np.ndarray, ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily reads (each day's sum) and hourly interval reads of `hours`."""
    customers, days, _ = hours.shape
    daily = pd.DataFrame(
        {
            "customer_id": np.repeat(ids, days),
            "date": np.tile(TWO_YEARS, customers),
            "kwh": np.round(hours.sum(axis=2), 3).ravel(),
        }
    )
    stamps = (TWO_YEARS.to_numpy()[:, None] + np.arange(24) * np.timedelta64(1, "h")).ravel()
    interval = pd.DataFrame(
        {
            "customer_id": np.repeat(ids, days * 24),
            "read_at": np.tile(stamps, customers),
            "kwh": np.round(hours, 3).ravel(),
        }
    )
    return daily, interval


def test_theft_scores_with_interval_reads_lets_the_profile_decide_and_keeps_the_rest():
    hours = _homes(customers=30)
    hours[0, CHANGE:] = hours[0, CHANGE:, ::-1]
    hours[1, CHANGE:] = hours[1, CHANGE:, ::-1]
    ids = [f"H{i:03d}" for i in range(len(hours))]
    daily, interval = _long_tables(hours, ids)
    without_h001 = interval[interval["customer_id"] != "H001"]

    alone = theft_scores(daily).set_index("customer_id")
    both = theft_scores(daily, interval_reads=without_h001).set_index("customer_id")

    assert alone.loc["H000", "score"] < 3  # the same energy every day: the daily tests are blind
    assert both.loc["H000", "score"] > 10
    assert both.loc["H000", ["signal", "shape_change"]].tolist() == ["profile", "reversed"]
    assert both.loc["H000", "change_at"] == TWO_YEARS[CHANGE]
    # Without interval reads, the same theft keeps its daily score and reasons.
    kept = ["score", "change_at", "signal", "drop_ratio"]
    assert both.loc["H001", kept].tolist() == alone.loc["H001", kept].tolist()
    assert both.loc["H001", "shape_change"] == ""
    assert list(both.columns) == [*alone.columns, "shape_change"]


def test_quarter_hours_are_summed_into_hours_and_an_incomplete_hour_is_missing():
    customers = pd.Index(["A", "B"])
    days = pd.date_range("2024-03-01", periods=2, freq="D")
    quarters = pd.date_range("2024-03-01 10:00", periods=4, freq="15min")
    reads = pd.DataFrame(
        {
            "customer_id": ["A"] * 4 + ["B"] * 3,
            "read_at": [*quarters, *quarters[:3]],
            "kwh": [0.1, 0.2, 0.3, 0.4, 1.0, 1.0, 1.0],
        }
    )

    cube = hourly_cube(reads, customers, days)

    assert cube.shape == (2, 2, 24)
    assert cube[0, 0, 10] == pytest.approx(1.0)
    assert np.isnan(cube[1, 0, 10])  # 45 of its 60 minutes read
    assert np.isnan(cube[0, 1]).all()


def test_the_hours_in_blocks_of_customers_are_the_cube_of_all_of_them():
    rng = np.random.default_rng(5)
    customers = pd.Index([f"C{i}" for i in range(7)])
    days = pd.date_range("2024-03-01", periods=3, freq="D")
    hours = pd.date_range("2024-02-29", periods=24 * 5, freq="h")  # a day before and after too
    reads = pd.DataFrame(
        {
            "customer_id": np.repeat([*customers, "NOT-SCORED"], len(hours)),
            "read_at": np.tile(hours, len(customers) + 1),
            "kwh": rng.uniform(0, 2, (len(customers) + 1) * len(hours)),
        }
    ).sample(frac=0.9, random_state=1)  # some hours unread, the rows in no order
    whole = hourly_cube(reads, customers, days)
    for block in (1, 3, 7, 10):
        blocks = list(hourly_blocks(reads, customers, days, block))
        assert [len(cube) for cube in blocks] == [
            min(block, len(customers) - first) for first in range(0, len(customers), block)
        ]
        np.testing.assert_array_equal(np.concatenate(blocks), whole)
    assert np.isnan(whole).any() and not np.isnan(whole).all()


def test_a_read_off_its_interval_grid_is_refused_naming_the_customer():
    reads = pd.DataFrame(
        {
            "customer_id": ["A", "A"],
            "read_at": pd.to_datetime(["2024-03-01 10:00", "2024-03-01 10:20"]),
            "kwh": [0.5, 0.5],
            "interval_minutes": [15, 15],
        }
    )

    with pytest.raises(ParameterError, match=r"'A' at 2024-03-01 10:20:00 \(15 minutes\)"):
        hourly_cube(reads, pd.Index(["A"]), pd.date_range("2024-03-01", periods=1))


def test_interval_reads_need_daily_reads():
    bills = pd.DataFrame({"customer_id": ["A"], "period": ["2024-01"], "kwh": [300.0]})
    interval = pd.DataFrame(
        {"customer_id": ["A"], "read_at": [pd.Timestamp("2024-01-01")], "kwh": [0.5]}
    )

    with pytest.raises(ParameterError, match="interval_reads"):
        theft_scores(bills, interval_reads=interval)


def test_interval_reads_match_their_customers_however_the_ids_and_clocks_are_written():
    hours = _homes(customers=30)
    hours[0, CHANGE:] = hours[0, CHANGE:, ::-1]
    ids = [str(1000 + i) for i in range(len(hours))]
    daily, interval = _long_tables(hours, ids)
    expected = theft_scores(daily, interval_reads=interval).set_index("customer_id")
    assert expected.loc["1000", "shape_change"] == "reversed"

    as_numbers = daily.assign(customer_id=daily["customer_id"].astype(int))
    numbered = theft_scores(as_numbers, interval_reads=interval).set_index("customer_id")
    assert numbered.loc[1000, "shape_change"] == "reversed"
    assert numbered.loc[1000, "score"] == pytest.approx(expected.loc["1000", "score"])

    # Read in Shanghai: each read keeps its own clock's hour (not moved to UTC's).
    local = interval.assign(read_at=interval["read_at"].dt.tz_localize("Asia/Shanghai"))
    zoned = theft_scores(daily, interval_reads=local).set_index("customer_id")
    pd.testing.assert_frame_equal(zoned, expected)


@pytest.mark.parametrize("empty", [np.nan, None, ""])
def test_an_empty_interval_is_its_customers_read_spacing(empty):
    stamps = pd.date_range("2024-03-01 10:00", periods=4, freq="15min")
    reads = pd.DataFrame(
        {
            "customer_id": ["A"] * 4,
            "read_at": stamps,
            "kwh": [0.1, 0.2, 0.3, 0.4],
            "interval_minutes": [15, empty, 15, 15],
        }
    )
    cube = hourly_cube(reads, pd.Index(["A"]), pd.date_range("2024-03-01", periods=1))
    assert cube[0, 0, 10] == pytest.approx(1.0)


@pytest.mark.parametrize("minutes", [0, -15, 7.5, "15分钟", "fifteen"])
def test_an_interval_that_is_no_whole_positive_number_of_minutes_is_refused_by_row(minutes):
    reads = pd.DataFrame(
        {
            "customer_id": ["A", "A"],
            "read_at": pd.to_datetime(["2024-03-01 10:00", "2024-03-01 11:00"]),
            "kwh": [0.5, 0.5],
            "interval_minutes": [60, minutes],
        }
    )
    with pytest.raises(ParameterError, match=r"interval_minutes.*whole number.*in row 2"):
        hourly_cube(reads, pd.Index(["A"]), pd.date_range("2024-03-01", periods=1))


def test_an_hour_read_twice_is_refused_naming_the_customer_the_hour_and_the_row():
    hours = pd.date_range("2024-03-01", periods=24, freq="h")
    reads = pd.DataFrame({"customer_id": "A", "read_at": hours, "kwh": 1.0})
    repeated = reads.iloc[[10]]  # 10:00 again: a duplicated row, or a repeated hour (clocks back)
    reads = pd.concat([reads, repeated], ignore_index=True)
    # Before: "found 'reads covering more than an hour in one clock hour'": no customer, no row.
    with pytest.raises(
        ParameterError,
        match=r"found \"reads of customer 'A' covering more than the hour from 2024-03-01 10:00, "
        r"the last in row 25\"",
    ):
        hourly_cube(reads, pd.Index(["A"]), pd.date_range("2024-03-01", periods=1))

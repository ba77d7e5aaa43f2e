"""The synthetic utility's thefts and tampered meters start on a day: the daily reads change level
that day, the month's bill is the sum of its days, the truth names the day."""

import numpy as np
import pandas as pd
import pytest

from auditkit import synth
from auditkit.synth import render
from auditkit.synth.inject_meters import records_less_from
from auditkit.synth.world import World, build_world


@pytest.fixture(scope="module")
def utility() -> dict[str, pd.DataFrame]:
    return synth.generate(customers=3000, districts=2, months=24, seed=5, daily_days=365)


def _changed(utility: dict[str, pd.DataFrame]) -> pd.DataFrame:
    truth = utility["truth"]
    return truth[truth["irregularity"].isin(["consumption_drop", "meter_event_unresolved"])]


def test_thefts_and_tampering_start_on_a_day_of_their_month(utility):
    changed = _changed(utility)
    assert len(changed) >= 5 and changed["from_date"].notna().all()
    assert (changed["from_date"].dt.strftime("%Y-%m") == changed["from_period"]).all()
    assert (changed["from_date"].dt.day > 1).mean() > 0.5  # not the month's first day


def test_daily_reads_fall_on_the_injected_day(utility):
    reads = utility["daily_reads"].set_index(["customer_id", "date"])["kwh"]
    first, last = (
        reads.index.get_level_values("date").min(),
        reads.index.get_level_values("date").max(),
    )
    week = pd.Timedelta(days=7)
    changed = _changed(utility)
    # Meters read by hand have no daily reads (an agricultural pump's theft among them).
    read_remotely = changed["customer_id"].isin(reads.index.get_level_values("customer_id"))
    inside = changed[
        read_remotely
        & (changed["from_date"] - 2 * week >= first)
        & (changed["from_date"] + week <= last)
    ]
    assert len(inside) >= 3
    for customer, day, detail in inside[["customer_id", "from_date", "detail"]].itertuples(
        index=False
    ):
        own = reads.loc[customer]
        earlier = own[day - 2 * week : day - week - pd.Timedelta(days=1)].mean()
        before = own[day - week : day - pd.Timedelta(days=1)].mean()
        after = own[day : day + week - pd.Timedelta(days=1)].mean()
        kept = float(detail.split("records ")[1].rstrip("%")) / 100
        assert after / before == pytest.approx(kept, rel=0.25), (customer, day)
        if (day - 2 * week).month == day.month:  # one month's level (a season moves it)
            assert before / earlier == pytest.approx(1.0, rel=0.25), (customer, day)


def test_a_changed_months_daily_reads_add_up_to_its_bill(utility):
    reads = utility["daily_reads"]
    changed = reads[reads["customer_id"].isin(_changed(utility)["customer_id"])]
    month = changed["date"].dt.strftime("%Y-%m")
    whole = month > reads["date"].min().strftime("%Y-%m")  # the first month is read in part
    sums = changed[whole].groupby(["customer_id", month[whole]])["kwh"].sum().rename("read")
    bills = utility["bills"].assign(period=utility["bills"]["period"].astype(str))
    # An estimated bill is not its reads, and the actual bill after it catches up: both left out.
    estimated = bills["read_type"].eq("estimated")
    caught_up = estimated.groupby(bills["customer_id"]).shift(fill_value=False)
    paired = bills[~estimated & ~caught_up].join(sums, on=["customer_id", "period"], how="inner")
    assert len(paired) >= 50
    np.testing.assert_allclose(paired["read"], paired["kwh_billed"], rtol=2e-3)


def _world_and_customer(two_part: bool = False) -> tuple[World, int]:
    """A small honest utility and one customer billed every month with a remote-read meter (with a
    demand register when `two_part`)."""
    world = build_world(200, 1, 24, "2023-01", 3)
    eligible = world.active.all(axis=1) & ~render.read_by_hand(world)
    if two_part:
        eligible &= ~np.isnan(world.demand).any(axis=1)
    return world, int(np.flatnonzero(eligible)[0])


def test_a_meter_recording_half_from_the_eleventh_bills_two_thirds_of_its_month():
    world, at = _world_and_customer(two_part=True)
    true, demand = world.true_kwh[at].copy(), world.demand[at].copy()
    records_less_from(world, np.array([at]), np.array([5]), np.array([10]), np.array([0.5]))
    np.testing.assert_allclose(world.metered_kwh[at, :5], true[:5])
    # June has 30 days: 10 at the full level, 20 at half.
    assert world.metered_kwh[at, 5] == pytest.approx(true[5] * (10 + 20 * 0.5) / 30)
    np.testing.assert_allclose(world.metered_kwh[at, 6:], true[6:] * 0.5)
    np.testing.assert_allclose(world.demand[at, :6], demand[:6])  # its peak came before the day
    np.testing.assert_allclose(world.demand[at, 6:], demand[6:] * 0.5)
    assert world.level_changes[0]["date"].iloc[0] == np.datetime64("2023-06-11")


def test_a_change_on_the_first_day_lowers_the_whole_month_and_its_demand():
    world, at = _world_and_customer(two_part=True)
    true, demand = world.true_kwh[at].copy(), world.demand[at].copy()
    records_less_from(world, np.array([at]), np.array([5]), np.array([0]), np.array([0.4]))
    np.testing.assert_allclose(world.metered_kwh[at, 5:], true[5:] * 0.4)
    np.testing.assert_allclose(world.demand[at, 5:], demand[5:] * 0.4)


def test_a_window_starting_mid_month_reads_its_share_of_a_changed_month():
    world, at = _world_and_customer()
    # December 2024 has 31 days; the meter records half from the 26th.
    records_less_from(world, np.array([at]), np.array([23]), np.array([25]), np.array([0.5]))
    december = world.metered_kwh[at, 23]
    reads = render.daily_reads_table(world, 10)
    assert reads["date"].min() == pd.Timestamp("2024-12-22")
    own = reads.loc[reads["customer_id"] == world.customer_id[at], "kwh"]
    # The window's days 22-25 at the full level, 26-31 at half: (4 + 6 * 0.5) of (25 + 6 * 0.5).
    assert own.sum() == pytest.approx(december * 7 / 28, rel=1e-3)

"""Honest look-alikes: each kind has the property it claims, none is irregular, and the rules leave
them alone (issue 14: no rule fires on more than 1 % of a kind)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import auditkit.synth.catalog as catalog
from auditkit import rules, synth
from auditkit.data import Dataset
from auditkit.data.schema import LOOKALIKE_KINDS
from auditkit.errors import ParameterError
from auditkit.periods import month_number
from auditkit.rules.workdays import WorkingCalendar
from auditkit.synth.lookalikes import (
    DEFAULT_SHARES,
    DOWNTURN_KEPT,
    DOWNTURN_SPREAD,
    ORDER_STEP_LIMITS,
    VACANCY_MONTHS,
    add_lookalikes,
    false_alarms,
    industry_downturn,
)
from auditkit.synth.world import build_world

#: A kind is judged on its false alarms from this many customers (1 % of 30 is under one customer).
MIN_KIND_SIZE = 30


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return synth.generate(customers=3000, districts=4, months=36, seed=3)


def _of_kind(tables: dict[str, pd.DataFrame], kind: str) -> pd.DataFrame:
    lookalikes = tables["lookalikes"]
    return lookalikes[lookalikes["kind"] == kind]


def _bills_of(tables: dict[str, pd.DataFrame], kind: str) -> pd.DataFrame:
    chosen = _of_kind(tables, kind)
    bills = tables["bills"].astype({"customer_id": object, "period": object})
    bills = bills[bills["customer_id"].isin(chosen["customer_id"])]
    return bills.merge(chosen[["customer_id", "from_period"]], on="customer_id")


def test_every_kind_made_is_tagged_on_known_customers(tables):
    lookalikes = tables["lookalikes"]
    assert list(lookalikes.columns) == ["customer_id", "kind", "from_period"]
    assert set(DEFAULT_SHARES) <= set(lookalikes["kind"]) <= set(LOOKALIKE_KINDS)
    assert lookalikes["customer_id"].isin(tables["customers"]["customer_id"]).all()
    made = lookalikes[lookalikes["kind"].isin(list(DEFAULT_SHARES))]
    assert not made["customer_id"].duplicated().any()  # one made kind per customer
    Dataset.from_frames(tables)  # the table passes the dataset contract


def test_no_lookalike_is_irregular(tables):
    assert not tables["lookalikes"]["customer_id"].isin(tables["truth"]["customer_id"]).any()


def test_lookalikes_are_reproducible_and_depend_on_the_seed(tables):
    again = synth.generate(customers=3000, districts=4, months=36, seed=3)
    pd.testing.assert_frame_equal(again["lookalikes"], tables["lookalikes"])
    other = synth.generate(customers=3000, districts=4, months=36, seed=4)
    assert not other["lookalikes"]["customer_id"].equals(tables["lookalikes"]["customer_id"])


def test_an_industry_falls_together_in_every_district_from_one_month(tables):
    bills = _bills_of(tables, "industry_downturn")
    customers = tables["customers"].set_index("customer_id")
    chosen = _of_kind(tables, "industry_downturn").set_index("customer_id")
    industry = customers.loc[chosen.index, "industry"]
    assert (chosen.groupby(industry)["from_period"].nunique() == 1).all()  # one month an industry
    assert (industry.value_counts() >= 2).all()
    assert customers.loc[chosen.index, "usage_type"].isin(["commercial", "industrial"]).all()
    # every district with a business of the industry has some of it falling, not one district
    business = customers[customers["usage_type"].isin(["commercial", "industrial"])]
    districts = business.groupby("industry")["district"].unique().map(set)
    tagged = customers.loc[chosen.index].groupby("industry")["district"].unique().map(set)
    assert (tagged == districts.reindex(tagged.index)).all()
    assert (tagged.map(len) > 1).all()
    # The three months from the fall against the same months a year before (seasons cancel).
    month = pd.Series(month_number(bills["period"]) - month_number(bills["from_period"]))
    after = bills[month.between(0, 2)].groupby("customer_id")["kwh_billed"].sum()
    year_before = bills[month.between(-12, -10)].groupby("customer_id")["kwh_billed"].sum()
    kept = after / year_before
    assert (kept < 0.9).all()  # every one falls, beyond a month's noise and an estimate's catch-up
    assert DOWNTURN_KEPT[0] * 0.95 < kept.median() < DOWNTURN_KEPT[1] * 1.05


def test_a_downturn_lowers_every_business_of_its_industry_in_every_district():
    """The downturn fell on one industry in one district only, so its customers were a few of a
    district falling together, what consumption_drop now reads as collusion (rule_quality
    --customers 2000 --seed 5: precision 0.333, 2 of 27 downturn customers flagged). It is an
    industry's: every business of a chosen industry, in each district, busy or not, keeps
    60-70 % (± 5 %) of its energy from one month on. Near misses: the other industries keep all
    of theirs, and no industry with more free customers than the share is made to fall."""
    world = build_world(3000, 4, 36, "2023-01", 3)
    before = world.true_kwh.copy()
    industry_downturn(world, DEFAULT_SHARES["industry_downturn"])
    tagged = pd.concat(world.lookalikes)
    tagged_industry = world.industry[tagged["customer"].to_numpy()]
    business = np.isin(world.usage, ["commercial", "industrial"])
    fallen = np.unique(tagged_industry)
    low, high = DOWNTURN_KEPT[0] * (1 - DOWNTURN_SPREAD), DOWNTURN_KEPT[1] * (1 + DOWNTURN_SPREAD)
    for name in fallen:
        members = np.flatnonzero(business & (world.industry == name))
        assert len(np.unique(world.district[members])) == 4
        start = tagged.loc[tagged_industry == name, "from_month"].unique()
        assert len(start) == 1  # one month for the whole industry
        used = before[members, start[0] :] > 0
        kept = world.true_kwh[members, start[0] :][used] / before[members, start[0] :][used]
        assert ((kept >= low) & (kept <= high)).all()
        assert (world.true_kwh[members, : start[0]] == before[members, : start[0]]).all()
    others = business & ~np.isin(world.industry, fallen)
    assert (world.true_kwh[others] == before[others]).all()
    wanted = round(DEFAULT_SHARES["industry_downturn"] * int(business.sum()))
    assert 2 <= pd.Series(tagged_industry).value_counts().max() <= wanted


def test_schools_and_care_homes_pay_the_shared_meter_price_without_tiers(tables):
    chosen = _of_kind(tables, "shared_meter_exception")
    customers = tables["customers"].set_index("customer_id").loc[chosen["customer_id"]]
    assert customers["industry"].isin(catalog.SHARED_METER_INDUSTRIES).all()
    assert (customers["usage_type"] == "public").all()
    assert (customers["tariff_category"] == "RES").all()
    assert (customers["tier_scheme"] == "shared").all()
    lines = tables["bill_lines"]
    energy = lines[
        lines["customer_id"].isin(chosen["customer_id"]) & (lines["line_type"] == "energy")
    ]
    assert len(energy) and energy["tier"].isna().all()


def test_a_price_change_inside_the_read_period_splits_the_energy_line(tables):
    chosen = _of_kind(tables, "mid_month_price_change")
    bills = _bills_of(tables, "mid_month_price_change")
    bills = bills[bills["period"] == bills["from_period"]]
    assert len(bills) == len(chosen)
    tariffs = tables["tariffs"]
    changes = pd.to_datetime(tariffs["valid_from"]).dt.normalize()
    inside = [
        ((changes > row.read_from) & (changes <= row.read_to)).any() for row in bills.itertuples()
    ]
    assert all(inside)  # read_from < a change day ≤ read_to
    lines = tables["bill_lines"].astype({"customer_id": object, "period": object})
    energy = lines[lines["line_type"] == "energy"].merge(
        bills[["customer_id", "period"]], on=["customer_id", "period"]
    )
    per_bill = energy.groupby(["customer_id", "period"]).agg(
        lines=("rate", "size"), periods=("tou_period", lambda p: p.nunique(dropna=False))
    )
    assert len(per_bill) == len(chosen)
    assert (per_bill["lines"] > per_bill["periods"]).all()  # some period billed at two rates


def test_seasonal_businesses_nearly_stop_out_of_season_and_never_reach_zero(tables):
    bills = _bills_of(tables, "seasonal_business")
    month = bills["period"].str[5:7]
    by_customer = bills.groupby(["customer_id", month])["kwh_billed"].mean().unstack()
    winter = by_customer[["01", "02", "12"]].mean(axis=1)
    summer = by_customer[["06", "07", "08"]].mean(axis=1)
    assert (winter < 0.15 * summer).all()
    assert (bills["kwh_billed"] > 0).all()


def test_vacant_households_stand_still_for_whole_months_then_use_resumes(tables):
    bills = _bills_of(tables, "residential_vacancy")
    customers = tables["customers"].set_index("customer_id")
    assert (customers.loc[bills["customer_id"].unique(), "usage_type"] == "residential").all()
    for _, own in bills.groupby("customer_id"):
        own = own.sort_values("period")
        still = (own["register_end"] == own["register_start"]).to_numpy()
        start = int(np.flatnonzero(own["period"].to_numpy() == own["from_period"].iat[0])[0])
        length = int(np.argmin(still[start:]))  # months still from the tagged month on
        assert VACANCY_MONTHS[0] <= length <= VACANCY_MONTHS[1]
        assert (own["kwh_billed"].to_numpy()[start : start + length] == 0).all()
        assert still[start + length :].sum() < len(still) - start - length  # use resumes


def test_mid_month_connections_start_billing_in_their_month_with_an_order(tables):
    chosen = _of_kind(tables, "mid_month_connection")
    customers = tables["customers"].set_index("customer_id").loc[chosen["customer_id"]]
    connected = pd.to_datetime(customers["connection_date"])
    assert (connected.dt.day >= 10).all()
    assert (connected.dt.strftime("%Y-%m").to_numpy() == chosen["from_period"].to_numpy()).all()
    first_bill = _bills_of(tables, "mid_month_connection").groupby("customer_id")["period"].min()
    assert (first_bill.reindex(chosen["customer_id"]).to_numpy() == chosen["from_period"]).all()
    orders = tables["work_orders"]
    orders = orders[orders["customer_id"].isin(chosen["customer_id"])]
    assert (orders["order_type"] == "new_connection").all()
    effective = pd.to_datetime(orders.set_index("customer_id")["effective_date"])
    assert (effective.reindex(connected.index) == connected).all()


def test_mid_month_connection_first_bill_covers_the_days_since_connection(tables):
    bills = _bills_of(tables, "mid_month_connection").sort_values(["customer_id", "period"])
    first = bills.groupby("customer_id")["kwh_billed"].first()
    later = bills.groupby("customer_id")["kwh_billed"].apply(lambda kwh: kwh.iloc[1:4].mean())
    # At most 22 of the month's 28-31 days are served: the first bill is clearly partial.
    assert (first / later).median() < 0.75


def test_late_legal_postings_exceed_calendar_days_but_not_working_days(tables):
    chosen = _of_kind(tables, "late_legal_posting")
    orders = tables["work_orders"]
    orders = orders[orders["customer_id"].isin(chosen["customer_id"])]
    assert (orders["order_type"] == "ownership_transfer").all()
    assert len(orders) == len(chosen)
    steps = ["issued_at", "transferred_at", "registered_at", "archived_at"]
    days = orders[steps].apply(pd.to_datetime).to_numpy().astype("datetime64[D]")
    calendar = np.diff(days.astype("int64"), axis=1)
    official = WorkingCalendar.chinese()  # holidays and make-up days, as order_stalled counts
    working = official.working_days(days[:, :-1].ravel(), days[:, 1:].ravel()).reshape(-1, 3)
    limits = np.asarray(ORDER_STEP_LIMITS)[None, :]
    assert (working == limits - 1).all()  # a working day inside each limit
    assert (calendar > limits).any(axis=1).all()  # late by the calendar in some step
    posted = official.working_days(days.ravel() - 1, days.ravel())
    assert (posted == 1).all()  # posted on working days


def test_joined_meter_replacements_start_the_new_register_with_an_order(tables):
    bills = _bills_of(tables, "meter_replacement_joined").sort_values(["customer_id", "period"])
    orders = tables["work_orders"]
    orders = orders[
        orders["customer_id"].isin(bills["customer_id"])
        & (orders["order_type"] == "meter_replacement")
    ].set_index("customer_id")
    at = bills[bills["period"] == bills["from_period"]].set_index("customer_id")
    effective = pd.to_datetime(orders.loc[at.index, "effective_date"]).dt.strftime("%Y-%m")
    assert (effective.to_numpy() == at["from_period"].to_numpy()).all()
    assert (at["register_start"] == 0).all()
    register_kwh = (at["register_end"] - at["register_start"]) * at["multiplier_billed"]
    assert np.allclose(register_kwh, at["kwh_billed"], atol=0.01)
    customers = tables["customers"].set_index("customer_id")
    assert (customers.loc[at.index, "meter_id"] == orders.loc[at.index, "new_value"]).all()
    # The old meter's final read is the last read billed on it; the new one's first starts its bills.
    assert (orders.loc[at.index, "new_first_read"] == at["register_start"]).all()
    previous = bills[bills["period"] < bills["from_period"]].groupby("customer_id").last()
    assert (orders.loc[at.index, "old_final_read"] == previous.loc[at.index, "register_end"]).all()


def test_an_owners_two_flats_some_with_the_owners_phone_are_no_duplicate(tables):
    """Room 3 and room 4 of one house, one owner: one pair in two carries the owner's phone on
    both flats, the shape duplicate_account once called a duplicate."""
    flats = _of_kind(tables, "same_building_accounts")["customer_id"]
    customers = tables["customers"].astype({"customer_id": object})
    pairs = customers[customers["customer_id"].isin(flats)].groupby("name")
    assert pairs.size().eq(2).all()
    assert (pairs["address"].nunique() == 2).all()
    one_phone = pairs["phone"].nunique() == 1
    assert 0 < one_phone.sum() < len(one_phone)
    found = rules.run(Dataset.from_frames(tables), rules="duplicate_account")
    assert not found["customer_id"].isin(flats).any()


#: Seven look-alike shares raised together (review s50 §13).
RAISED_SHARES = {
    "seasonal_business": 0.5,
    "residential_vacancy": 0.3,
    "multiplier_change_with_order": 0.5,
    "mid_month_connection": 0.5,
    "late_legal_posting": 0.5,
    "meter_replacement_joined": 0.5,
    "mid_month_price_change": 0.5,
}


def _irregular(world) -> pd.Series:
    """Customers per irregularity injected in `world`."""
    return pd.concat(world.truth).groupby("irregularity")["customer"].nunique()


def test_raised_lookalike_shares_leave_the_irregularities_their_customers(tmp_path):
    """Seven shares raised together took every customer an irregularity could go to: of 98
    irregular customers of 31 kinds, 18 of 2 were left, and SYNTHETIC.md did not say. The
    customers the irregularities take at the default shares are now kept from the look-alikes
    (98 → 86 of 31 kinds: a rate is of the customers still eligible). Near miss: a share given
    at its default changes nothing."""
    default = synth.build(customers=3000, seed=11)
    raised = synth.build(customers=3000, seed=11, lookalikes=RAISED_SHARES)
    assert set(_irregular(raised).index) == set(_irregular(default).index)
    assert _irregular(raised).sum() >= 0.8 * _irregular(default).sum()
    made = [pd.concat(world.lookalikes)["customer"].nunique() for world in (default, raised)]
    assert made[1] > 5 * made[0]  # 429 → 2,559: the raised kinds are still made
    as_default = synth.build(customers=3000, seed=11, lookalikes={"seasonal_business": 0.1})
    pd.testing.assert_series_equal(_irregular(as_default), _irregular(default))
    truth = pd.DataFrame({"customer_id": ["SY1", "SY1", "SY2"], "irregularity": ["a", "b", "a"]})
    config = synth.configure(customers=3000, seed=11, lookalikes=RAISED_SHARES)
    synth.write({"truth": truth}, tmp_path / "raised", config=config)
    notice = (tmp_path / "raised" / "SYNTHETIC.md").read_text(encoding="utf-8")
    assert "`truth` holds 2 customers of 2 kinds of irregularity." in notice
    synth.write({"truth": truth}, tmp_path / "as_default", config=synth.configure())
    assert "truth` holds" not in (tmp_path / "as_default" / "SYNTHETIC.md").read_text("utf-8")


def test_a_share_of_a_kind_not_made_or_out_of_range_is_named():
    world = build_world(200, 2, 24, "2023-01", 1)
    with pytest.raises(ParameterError, match="parameter 'lookalikes'"):
        add_lookalikes(world, {"no_such_kind": 0.1})
    with pytest.raises(ParameterError, match=r"parameter 'lookalikes\.residential_vacancy'"):
        add_lookalikes(world, {"residential_vacancy": 1.5})
    with pytest.raises(ParameterError, match=r"parameter 'lookalikes\.seasonal_business'"):
        add_lookalikes(world, {"seasonal_business": "0.1"})


def test_false_alarms_count_customers_of_each_kind_per_rule():
    findings = pd.DataFrame(
        {
            "rule_id": [
                "zero_consumption",
                "zero_consumption",
                "order_stalled",
                "zero_consumption",
            ],
            "customer_id": ["A", "A", "C", "X"],
        }
    )
    lookalikes = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "kind": ["residential_vacancy", "residential_vacancy", "late_legal_posting"],
            "from_period": ["2024-01", "2024-02", "2024-03"],
        }
    )
    shares = false_alarms(findings, lookalikes, ["order_stalled", "zero_consumption"])
    got = shares.set_index(["rule_id", "kind"])
    assert got.loc[("zero_consumption", "residential_vacancy"), "flagged"] == 1
    assert got.loc[("zero_consumption", "residential_vacancy"), "share"] == 0.5
    assert got.loc[("order_stalled", "late_legal_posting"), "share"] == 1.0
    assert got.loc[("order_stalled", "residential_vacancy"), "flagged"] == 0
    assert len(shares) == 4


@pytest.mark.slow
def test_no_rule_fires_on_more_than_one_percent_of_a_kind():
    tables = synth.generate(customers=10_000, districts=4, months=36, seed=5)
    findings = rules.run(Dataset.from_frames(tables))
    shares = false_alarms(findings, tables["lookalikes"], list(rules.RULES))
    judged = shares[shares["customers"] >= MIN_KIND_SIZE]
    assert set(DEFAULT_SHARES) <= set(judged["kind"])  # every kind made is large enough to judge
    misfires = judged[judged["share"] > 0.01]
    assert misfires.empty, misfires.to_string(index=False)

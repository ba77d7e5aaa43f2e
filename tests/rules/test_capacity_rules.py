"""Capacity and business-expansion rules on hand-made two-part customers."""

from __future__ import annotations

import pytest
from rule_builder import TWO_PART_BY_CAPACITY, Utility, flat, run


def test_capacity_underbilled_without_order():
    u = Utility()
    u.customer("A", contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "A", flat(100_000), multiplier=1000.0, tariff="IND2", capacity=400.0, basis="capacity"
    )
    findings = run(u, "capacity_underbilled")
    assert findings["customer_id"].tolist() == ["A"]
    assert findings.iloc[0]["revenue_impact"] == pytest.approx((630 - 400) * 30 * 12)
    assert findings.iloc[0]["severity"] == "high"


def test_capacity_below_archive_is_explained_by_an_increase_order_or_a_suspension():
    u = Utility()
    u.customer("inc", contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "inc",
        flat(80_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[400.0] * 6 + [630.0] * 6,
        basis="capacity",
    )
    u.order("inc", "capacity_increase", "2024-07-01", 400, 630)
    u.customer("sus", contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "sus",
        flat(80_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[630.0] * 5 + [315.0] * 3 + [630.0] * 4,
        basis="capacity",
    )
    u.order("sus", "suspension", "2024-06-01", 630, 315)
    u.order("sus", "resumption", "2024-09-01", 315, 630)
    assert run(u, "capacity_underbilled").empty


def test_demand_over_capacity_persistent_but_not_marginal_or_brief():
    u = Utility()
    over = [300.0] * 8 + [500.0] * 4
    u.customer("big", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "big",
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=400.0,
        demand=over,
        basis="capacity",
    )
    u.customer("brief", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "brief",
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=400.0,
        demand=[300.0] * 10 + [500.0] * 2,
        basis="capacity",
    )
    u.customer("marginal", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "marginal",
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=400.0,
        demand=410.0,
        basis="capacity",
    )
    findings = run(u, "demand_over_capacity")
    assert findings["customer_id"].tolist() == ["big"]
    # Lower bound: 100 kVA excess × 30 yuan × 4 months since the first month over capacity.
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(100 * 30 * 4)
    assert findings.iloc[0]["period_from"] == "2024-09"


def test_demand_over_capacity_keeps_its_start_from_one_audit_month_to_the_next():
    # Over the 400 kVA from March 2023 (500 kW) for two years of bills: listed on the recent 12
    # months, described and priced from the first month over, whatever the audit month.
    u = Utility()
    periods = [f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13)]
    u.customer("big", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "big",
        flat(100_000, 24),
        multiplier=1000.0,
        tariff="IND2",
        capacity=400.0,
        demand=[300.0] * 2 + [500.0] * 22,
        basis="capacity",
        periods=periods,
    )
    for as_of, months in (("2024-06", 16), ("2024-12", 22)):
        found = run(u, "demand_over_capacity", as_of=as_of).iloc[0]
        assert (found["period_from"], found["period_to"]) == ("2023-03", as_of)
        # 100 kVA above the capacity × 30 yuan in every month since March 2023.
        assert found["revenue_impact"] == pytest.approx(100 * 30 * months)
        assert f"in {months} months 2023-03..{as_of}" in found["evidence"]


def test_reduction_without_drop_versus_a_real_reduction():
    u = Utility()
    u.customer("fake", contract_capacity_kva=315.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "fake",
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[630.0] * 6 + [315.0] * 6,
        demand=420.0,
        basis="capacity",
    )
    u.order("fake", "capacity_reduction", "2024-07-01", 630, 315)
    u.customer("real", contract_capacity_kva=315.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "real",
        [100_000.0] * 6 + [40_000.0] * 6,
        multiplier=1000.0,
        tariff="IND2",
        capacity=[630.0] * 6 + [315.0] * 6,
        demand=[420.0] * 6 + [170.0] * 6,
        basis="capacity",
    )
    u.order("real", "capacity_reduction", "2024-07-01", 630, 315)
    findings = run(u, "reduction_without_drop")
    assert findings["customer_id"].tolist() == ["fake"]
    assert findings.iloc[0]["revenue_impact"] == pytest.approx((630 - 315) * 30 * 6)


def test_suspension_overrun_charges_the_months_past_the_limit():
    u = Utility()
    u.customer("long", contract_capacity_kva=630.0, status="suspended", **TWO_PART_BY_CAPACITY)
    u.monthly(
        "long",
        flat(40_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[630.0] + [315.0] * 11,
        demand=200.0,
        basis="capacity",
    )
    u.order("long", "suspension", "2024-02-01", 630, 315)
    u.customer("ok", contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "ok",
        flat(40_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[630.0] + [315.0] * 4 + [630.0] * 7,
        demand=200.0,
        basis="capacity",
    )
    u.order("ok", "suspension", "2024-02-01", 630, 315)
    u.order("ok", "resumption", "2024-06-01", 315, 630)
    findings = run(u, "suspension_overrun")
    assert findings["customer_id"].tolist() == ["long"]
    # Suspended from 1 February: the year's 184 days ran out on 3 August (2024 is a leap year);
    # 29 days of August at 1/30 of the month, then September to December.
    assert findings.iloc[0]["revenue_impact"] == pytest.approx((630 - 315) * 30 * (29 / 30 + 4))
    assert findings.iloc[0]["period_from"] == "2024-08"
    assert run(u, "suspension_overrun", params={"suspension_overrun.max_months": 12}).empty

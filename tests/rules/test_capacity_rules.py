"""Capacity and business-expansion rules on hand-made two-part customers."""

from __future__ import annotations

import pandas as pd
import pytest
from itemized_builder import INDUSTRIAL, Itemized
from rule_builder import (
    COMMERCIAL,
    PERIODS,
    TWO_PART,
    TWO_PART_BY_CAPACITY,
    Utility,
    flat,
    run,
    with_ind1,
)

from auditkit import rules


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


def test_demand_over_capacity_nets_the_adjustment_on_the_basic_charge_escaped():
    """Itemized: a 400 kVA factory on IND2 (30 yuan a kVA) at PF 0.86 (10,000 kWh, 6,000 kvarh;
    standard 0.90: +2.0 %), its demand 500 kW from September. Each of the 4 months escaped
    100 kVA × 30 = 3,000.00 of basic charge and the adjustment on it: 2.0 % of 18,000.00 +
    3,000.00 = 420.00 due less 360.00 billed, 60.00; 4 × 3,060.00 = 12,240.00 (the lower bound
    said 12,000.00, as capacity_underbilled carries its own adjustment)."""
    u = Itemized()
    u.customer("big", **INDUSTRIAL, pf_standard=0.90)
    for month in range(1, 13):
        lines = [
            ("energy", 10_000.0, 0.60),
            ("basic", 400.0, 30.0),
            ("pf_adjustment", 18_000.0, 0.02),
            ("fund", 10_000.0, 0.03),
        ]
        u.bill("big", f"2024-{month:02d}", 10_000, lines, tariff="IND2", kvarh_import=6000.0,
               kvarh_export=0.0, max_demand_kw=500.0 if month >= 9 else 300.0)  # fmt: skip
    found = u.run("demand_over_capacity")
    assert found.loc["big", "revenue_impact"] == pytest.approx(12_240.00, abs=1e-9)
    assert found.loc["big", "evidence"].endswith(
        "(basic charge lower bound ¥12,240.00), of which ¥240.00 of power-factor adjustment on "
        "the basic charge difference"
    )


def test_demand_over_capacity_penalty_does_take_three_times_the_basic_charge_alone():
    """The factory above: 12,240.00 escaped, of which 240.00 of power-factor adjustment. The
    penalty of a private capacity increase is 3 × the basic charge of the capacity added
    (DOMAIN.md, params common): 3 × 4 × 3,000.00 = 36,000.00, not 3 × 12,240.00 = 36,720.00.
    Near miss: without a power-factor standard nothing moves, 3 × the revenue is the same."""
    for standard, revenue, penalty in ((0.90, 12_240.00, 36_000.00), (None, 12_000.00, 36_000.00)):
        u = Itemized()
        u.customer("big", **INDUSTRIAL, pf_standard=standard)
        for month in range(1, 13):
            lines = [("energy", 10_000.0, 0.60), ("basic", 400.0, 30.0), ("fund", 10_000.0, 0.03)]
            if standard:
                lines.append(("pf_adjustment", 18_000.0, 0.02))
            u.bill("big", f"2024-{month:02d}", 10_000, lines, tariff="IND2", kvarh_import=6000.0,
                   kvarh_export=0.0, max_demand_kw=500.0 if month >= 9 else 300.0)  # fmt: skip
        found = u.run("demand_over_capacity").loc["big"]
        assert (found["revenue_impact"], found["penalty"]) == pytest.approx((revenue, penalty))


def _over_capacity_from_september(**archive: object) -> Utility:
    # A 400 kVA factory on IND2 (30 yuan a kVA), 500 kW from September: 100 kVA escaped a month.
    u = Utility()
    u.customer("big", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY | archive)
    u.monthly("big", flat(100_000), multiplier=1000.0, tariff="IND2", capacity=400.0,
              demand=[300.0] * 8 + [500.0] * 4, basis="capacity")  # fmt: skip
    return u


@pytest.mark.parametrize(
    ("closed", "revenue"),
    [
        # Closed on 10 December: 1 to 10 December in service, 10/30 of a month: 3 × 100 × 30 +
        # 100 × 30 × 10 / 30 = 9,000.00 + 1,000.00 = 10,000.00 (the whole December counted
        # gave 12,000.00, and 3 × 12,000.00 of penalty).
        ("2024-12-10", 10_000.00),
        # Near miss: closed on the 31st, December's 31 days are a whole month, no more:
        # 4 × 3,000.00 = 12,000.00.
        ("2024-12-31", 12_000.00),
    ],
)
def test_demand_over_capacity_does_count_a_month_of_closure_by_its_days_in_service(closed, revenue):
    u = _over_capacity_from_september(status="closed")
    u.order("big", "closure", closed)
    found = run(u, "demand_over_capacity").iloc[0]
    assert (found["revenue_impact"], found["penalty"]) == pytest.approx((revenue, 3 * revenue))


def test_demand_over_capacity_does_count_a_month_of_connection_by_its_days_in_service():
    # Connected on 21 September, billed from then: 21 to 30 September in service, 10/30 of a
    # month: 100 × 30 × 10 / 30 + 3 × 3,000.00 = 1,000.00 + 9,000.00 = 10,000.00, penalty
    # 30,000.00 (a whole September gave 12,000.00). Near miss: connected on 1 September, 30
    # days of 30, 12,000.00.
    for connected, revenue in (("2024-09-21", 10_000.00), ("2024-09-01", 12_000.00)):
        u = Utility()
        u.customer("big", contract_capacity_kva=400.0, connection_date=pd.Timestamp(connected),
                   **TWO_PART_BY_CAPACITY)  # fmt: skip
        u.monthly("big", flat(100_000, 4), multiplier=1000.0, tariff="IND2", capacity=400.0,
                  demand=500.0, basis="capacity", periods=PERIODS[8:])  # fmt: skip
        found = run(u, "demand_over_capacity").iloc[0]
        assert (found["revenue_impact"], found["penalty"]) == pytest.approx((revenue, 3 * revenue))


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
    # August is a month of change by the day, (2 × 315 + 29 × 630) / 30 = 630 kVA, a whole
    # month on the full capacity, then September to December.
    assert findings.iloc[0]["revenue_impact"] == pytest.approx((630 - 315) * 30 * 5)
    assert findings.iloc[0]["period_from"] == "2024-08"
    assert run(u, "suspension_overrun", params={"suspension_overrun.max_months": 12}).empty


# --- months of change: the capacity due is prorated by day -------------------------------------


def test_an_increase_month_billed_on_the_capacity_prorated_by_day_is_not_short():
    u = Utility()
    # 500 → 800 kVA from 20 May: (19 × 500 + 12 × 800) / 30 = 636.67 kVA-months, ¥19,100.
    for cid, may in (("prorated", 636.67), ("new_capacity", 800.0), ("old_capacity", 500.0)):
        u.customer(cid, contract_capacity_kva=800.0, **TWO_PART_BY_CAPACITY)
        u.monthly(
            cid,
            flat(80_000),
            multiplier=1000.0,
            tariff="IND2",
            capacity=[500.0] * 4 + [may] + [800.0] * 7,
            basis="capacity",
        )
        u.order(cid, "capacity_increase", "2024-05-20", 500, 800)
    findings = run(u, "capacity_underbilled")
    assert findings["customer_id"].tolist() == ["old_capacity"]
    row = findings.iloc[0]
    # The whole of May on 500 kVA: 19,100 − 15,000 = ¥4,100 short of the prorated charge.
    assert row["revenue_impact"] == pytest.approx(19_100 - 15_000)
    assert (row["period_from"], row["period_to"]) == ("2024-05", "2024-05")


def test_a_reduction_month_billed_whole_on_the_reduced_capacity_is_short():
    u = Utility()
    # 800 → 500 kVA from 16 May: (15 × 800 + 16 × 500) / 30 = 666.67 kVA-months, ¥20,000.
    for cid, may in (("whole_month", 500.0), ("prorated", 666.67)):
        u.customer(cid, contract_capacity_kva=500.0, **TWO_PART_BY_CAPACITY)
        u.monthly(
            cid,
            flat(80_000),
            multiplier=1000.0,
            tariff="IND2",
            capacity=[800.0] * 4 + [may] + [500.0] * 7,
            basis="capacity",
        )
        u.order(cid, "capacity_reduction", "2024-05-16", 800, 500)
    # From 31 May: (30 × 800 + 500) / 30 = 816.67 kVA-months, more than the 800 kVA of a
    # whole month; May billed whole on 800 kVA is not short.
    u.customer("last_day", contract_capacity_kva=500.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "last_day",
        flat(80_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[800.0] * 5 + [500.0] * 7,
        basis="capacity",
    )
    u.order("last_day", "capacity_reduction", "2024-05-31", 800, 500)
    findings = run(u, "capacity_underbilled")
    assert findings["customer_id"].tolist() == ["whole_month"]
    row = findings.iloc[0]
    assert row["revenue_impact"] == pytest.approx(20_000 - 15_000)
    assert (row["period_from"], row["period_to"]) == ("2024-05", "2024-05")


def test_a_connection_month_billed_on_the_days_in_service_is_not_short():
    u = Utility()
    # Connected on 16 March: 400 × 16 / 30 = 213.33 kVA-months, ¥6,400; 200 kVA is short.
    for cid, march in (("prorated", 213.33), ("short", 200.0)):
        u.customer(
            cid,
            contract_capacity_kva=400.0,
            connection_date=pd.Timestamp("2024-03-16"),
            **TWO_PART_BY_CAPACITY,
        )
        u.monthly(
            cid,
            flat(40_000, 10),
            multiplier=1000.0,
            tariff="IND2",
            capacity=[march] + [400.0] * 9,
            basis="capacity",
            periods=PERIODS[2:],
        )
    findings = run(u, "capacity_underbilled")
    assert findings["customer_id"].tolist() == ["short"]
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(6_400 - 200 * 30)


def _reduced_in_may(u: Itemized, cid: str, may: float) -> None:
    """A 500 kVA customer reduced from 800 kVA on 16 May, its bills itemized: April on 800,
    May on `may`, June on 500 kVA (30 yuan per kVA-month)."""
    u.customer(cid, **INDUSTRIAL | {"contract_capacity_kva": 500.0})
    u.orders.append(
        {
            "order_id": f"R-{cid}",
            "customer_id": cid,
            "order_type": "capacity_reduction",
            "issued_at": pd.Timestamp("2024-05-01"),
            "effective_date": pd.Timestamp("2024-05-16"),
            "old_value": "800",
            "new_value": "500",
        }
    )
    for period, kva in (("2024-04", 800.0), ("2024-05", may), ("2024-06", 500.0)):
        lines = [("energy", 10_000.0, 0.60), ("basic", kva, 30.0), ("fund", 10_000.0, 0.03)]
        u.bill(cid, period, 10_000, lines, tariff="IND2", capacity_billed_kva=kva)


def test_an_itemized_reduction_month_billed_whole_on_the_reduced_capacity_is_short():
    u = Itemized()
    _reduced_in_may(u, "orders", 500.0)
    _reduced_in_may(u, "transformers", 500.0)
    u.transformer("transformers", "T1", kva=500.0)
    u.transformer("transformers", "T2", kva=300.0)
    u.transformer(
        "transformers", "T2", kva=300.0, status="sealed", status_since=pd.Timestamp("2024-05-16")
    )
    _reduced_in_may(u, "prorated", 666.67)
    # T2 never sealed: June's 800 kVA running on a 500 kVA bill is equipment used against the
    # reduction (reduction_without_drop's), and May billed as the orders prorate it is not short.
    _reduced_in_may(u, "never_sealed", 666.67)
    u.transformer("never_sealed", "T1", kva=500.0)
    u.transformer("never_sealed", "T2", kva=300.0)
    found = u.run("capacity_underbilled")
    assert sorted(found.index) == ["orders", "transformers"]
    # Due (15 × 800 + 16 × 500) / 30 × 30 = ¥20,000; billed 500 × 30 = ¥15,000.
    assert (found["revenue_impact"] == 5_000.0).all()
    assert (found["period_from"] == "2024-05").all() and (found["period_to"] == "2024-05").all()
    assert found.loc["orders", "evidence"] == (
        "1 bill 2024-05 charged the basic charge on less than the capacity in force, the days "
        "of any suspension counted (in 2024-05: 500 kVA billed, 667 kVA in force) (¥5,000.00)"
    )


def test_no_basic_charge_is_due_below_the_two_part_threshold():
    u = Itemized()
    # Reduced from 800 kVA on 1 June to 250 kVA (single-part below 315, 发改办价格〔2016〕1583号)
    # or to 315 kVA (still two-part); both billed no basic charge from June.
    for cid, left in (("single_part", 250.0), ("two_part", 315.0)):
        u.customer(cid, **INDUSTRIAL | {"contract_capacity_kva": left})
        u.orders.append(
            {
                "order_id": f"R-{cid}",
                "customer_id": cid,
                "order_type": "capacity_reduction",
                "issued_at": pd.Timestamp("2024-05-20"),
                "effective_date": pd.Timestamp("2024-06-01"),
                "old_value": "800",
                "new_value": str(left),
            }
        )
        u.bill(
            cid,
            "2024-05",
            10_000,
            [("energy", 10_000.0, 0.60), ("basic", 800.0, 30.0), ("fund", 10_000.0, 0.03)],
            tariff="IND2",
        )
        for period in ("2024-06", "2024-07", "2024-08"):
            lines = [("energy", 5_000.0, 0.60), ("fund", 5_000.0, 0.03)]
            u.bill(cid, period, 5_000, lines, tariff="IND2", capacity_billed_kva=0.0)
    found = u.run("capacity_underbilled")
    assert found.index.tolist() == ["two_part"]
    assert found.loc["two_part", "revenue_impact"] == 315 * 30 * 3


def test_no_basic_charge_is_due_below_the_two_part_threshold_on_monthly_bills():
    """Reduced from 800 kVA before the year to 250 kVA (single-part below 315) or 315 kVA
    (still two-part), both billed no basic charge: only the 315 kVA is short, 315 × 30 × 12."""
    u = Utility()
    for cid, capacity in (("single_part", 250.0), ("two_part", 315.0)):
        u.customer(cid, contract_capacity_kva=capacity, **TWO_PART_BY_CAPACITY)
        u.monthly(
            cid, flat(40_000), multiplier=1000.0, tariff="IND2", capacity=0.0, basis="capacity"
        )
        u.order(cid, "capacity_reduction", "2023-12-01", 800, capacity)
    findings = run(u, "capacity_underbilled")
    assert findings["customer_id"].tolist() == ["two_part"]
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(315 * 30 * 12)


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_a_customer_below_the_threshold_that_chose_a_two_part_tariff_is_found_short(
    itemized: bool,
):
    """200 kVA on IND2 by capacity (30 a kVA-month), never above 315 kVA: a two-part tariff it
    chose (100 to 315 kVA may), billed 10,000 kWh a month at 0.60 and a basic charge on 150
    kVA (4,500.00): `chose` is short 50 kVA, 50 × 30 × 12 = 18,000.00 (below the threshold
    every month was read as single-part: nothing).

    Near misses: `fell`, 630 kVA reduced to 200 before the year, billed the same: a capacity
    brought below 315 kVA moves it to a single-part tariff, no basic charge due, nothing.
    `shop`, 200 kVA on COM (single-part, no rate per kVA) recording 150 kVA: nothing.
    `over_billed`, as `chose` but its energy charged at 0.80: 2,000.00 a month over the
    schedule's 0.60 (rate_mismatch's refund) against the 1,500.00 short, the bill over-billed
    by 500.00 as a whole: the short is no revenue there, 0.00."""
    u = Utility()
    for cid, rate in (("chose", None), ("over_billed", 0.8), ("fell", None)):
        u.customer(cid, contract_capacity_kva=200.0, **TWO_PART_BY_CAPACITY)
        u.monthly(cid, flat(10_000), multiplier=1000.0, tariff="IND2", rate=rate,
                  capacity=150.0, basis="capacity")  # fmt: skip
    u.order("fell", "capacity_reduction", "2023-12-01", 630, 200)
    u.customer("shop", contract_capacity_kva=200.0, basic_charge_basis="capacity", **COMMERCIAL)
    u.monthly("shop", flat(10_000), tariff="COM", capacity=150.0, basis="capacity")
    found = rules.run(with_ind1(u, itemized), rules=["capacity_underbilled", "rate_mismatch"])
    money = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    short = {cid: amount for (cid, rule_id), amount in money.items() if rule_id != "rate_mismatch"}
    assert short == pytest.approx({"chose": 18_000.00, "over_billed": 0.0})
    assert money[("over_billed", "rate_mismatch")] == 0.0  # a refund, reported apart


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_a_customer_below_100_kva_on_a_two_part_tariff_does_not_owe_a_capacity_short(
    itemized: bool,
):
    """`c99`, 99 kVA on IND2 by capacity (30 a kVA-month) billed on 50 kVA: below 100 kVA no
    customer may choose a two-part tariff (100 to 315 kVA may, 发改价格〔2023〕526号), it is
    single-part, no basic charge due: nothing (it counted 49 × 30 × 12 = 17,640.00).

    Near miss: `c100`, 100 kVA billed on 50, the least that may choose it: 50 × 30 × 12 =
    18,000.00."""
    u = Utility()
    for cid, kva in (("c99", 99.0), ("c100", 100.0)):
        u.customer(cid, contract_capacity_kva=kva, **TWO_PART_BY_CAPACITY)
        u.monthly(cid, flat(10_000), multiplier=1000.0, tariff="IND2", capacity=50.0,
                  basis="capacity")  # fmt: skip
    found = rules.run(with_ind1(u, itemized), rules=["capacity_underbilled"])
    money = found.set_index("customer_id")["revenue_impact"].to_dict()
    assert money == pytest.approx({"c100": 18_000.00})


def test_a_customer_below_100_kva_by_demand_is_judged_single_part_by_the_recomputation_too():
    """`c50`, 50 kVA on IND2 by demand (40 a kW-month), read 30 kW, billed no basic charge on
    itemized bills: below 100 kVA (params/billing.yaml `two_part_choice_from_kva`) it is
    single-part in the recomputation as in capacity_underbilled, no demand charge due: nothing
    (basic_charge_error read the recomputation's 30 kW × 40 × 12 = 14,400.00 where the capacity
    rules call it single-part).

    Near miss: `c100`, 100 kVA, may choose the two-part tariff: its floor 0.40 × 100 = 40 kW
    above the 30 read, 40 × 40 × 12 = 19,200.00."""
    u = Utility()
    for cid, kva in (("c50", 50.0), ("c100", 100.0)):
        u.customer(cid, contract_capacity_kva=kva, **TWO_PART | {"basic_charge_basis": "demand"})
        for bill in u.monthly(cid, flat(10_000), multiplier=1000.0, tariff="IND2", demand=30.0,
                              basis="demand"):  # fmt: skip
            bill["basic_charge"], bill["amount"] = 0.0, bill["energy_charge"]
    found = rules.run(with_ind1(u, True), rules=["capacity_underbilled", "basic_charge_error"])
    money = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert money == pytest.approx({("c100", "basic_charge_error"): 19_200.00})


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_the_days_before_a_reduction_below_315_kva_inside_its_month_are_found_short(
    itemized: bool,
):
    """630 kVA on IND2 by capacity (30 a kVA-month), reduced to 200 kVA from 16 July 2024
    (below 315 kVA: single-part from then on, 发改办价格〔2016〕1583号), 10,000 kWh a month at
    0.60. July's 1 to 15 were still two-part on 630 kVA: 15 × 630 / 30 = 315 kVA-months,
    9,450.00 due; `short` billed July on 150 kVA, 4,500.00: 165 × 30 = 4,950.00 (the rule
    read July as single-part from its last day: nothing, and the recomputation −4,500.00).

    Near misses: `whole` billed July on the 315 kVA-months due, nothing; `over`, as `short`
    but July's energy at 1.10, 5,000.00 over the schedule's 0.60 beside the 4,950.00 short,
    over-billed 50.00 as a whole: nothing (rate_mismatch's refund); `on_first`, reduced from
    1 July, billed July on 150 kVA: no day of July was two-part, nothing."""
    u = Utility()
    cases = (("short", "2024-07-16", 150.0, None), ("whole", "2024-07-16", 315.0, None),
             ("over", "2024-07-16", 150.0, 1.10), ("on_first", "2024-07-01", 150.0, None))  # fmt: skip
    for cid, effective, july, july_rate in cases:
        u.customer(cid, contract_capacity_kva=200.0, **TWO_PART_BY_CAPACITY)
        u.monthly(cid, flat(10_000), multiplier=1000.0, tariff="IND2", basis="capacity",
                  capacity=[630.0] * 6 + [july] + [0.0] * 5,
                  rate=[None] * 6 + [july_rate] + [None] * 5)  # fmt: skip
        u.order(cid, "capacity_reduction", effective, 630, 200)
    found = rules.run(with_ind1(u, itemized), rules=["capacity_underbilled", "rate_mismatch"])
    money = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    short = {cid: amount for (cid, rule_id), amount in money.items() if rule_id != "rate_mismatch"}
    assert short == pytest.approx({"short": 4_950.00, "over": 0.0})


# --- inside a suspension: the capacity it leaves ----------------------------------------------


def _suspended_april_and_may(u: Utility, cid: str, billed: float, left: float = 315.0) -> None:
    """A 630 kVA customer suspended down to `left` kVA for April and May (applied for in time),
    billed `billed` kVA in those months and 630 in the others."""
    u.customer(cid, contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        cid,
        flat(40_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[630.0] * 3 + [billed] * 2 + [630.0] * 7,
        demand=150.0,
        basis="capacity",
    )
    u.order(cid, "suspension", "2024-04-01", 630, left, issued="2024-03-10")
    u.order(cid, "resumption", "2024-06-01", left, 630, issued="2024-05-20")


def test_a_bill_short_of_the_capacity_a_suspension_leaves_is_underbilled():
    """Suspended 630→315 kVA for April and May, billed on 200 kVA: (315 − 200) × 30 × 2 =
    6,900.00 under-billed, on monthly bills as on itemized ones, and the evidence says the bills
    are inside the suspension. Near misses: billed on the 315 kVA left (nothing short), and a
    suspension down to 250 kVA billed nothing (single-part below 315 kVA, 1583号)."""
    u = Utility()
    _suspended_april_and_may(u, "short", 200.0)
    _suspended_april_and_may(u, "on_what_is_left", 315.0)
    _suspended_april_and_may(u, "single_part", 0.0, left=250.0)
    found = run(u, "capacity_underbilled")
    assert found["customer_id"].tolist() == ["short"]
    row = found.iloc[0]
    assert row["revenue_impact"] == pytest.approx(115 * 30 * 2)
    assert (row["period_from"], row["period_to"]) == ("2024-04", "2024-05")
    assert row["evidence"] == (
        "2 bills 2024-04..2024-05 charged the basic charge on less than the capacity in force, "
        "2 of them inside a suspension, on less than the capacity it leaves in service (in "
        "2024-05: 200 kVA billed, 315 kVA in force) (¥6,900.00)"
    )
    assert rules.evidence_text(found, "zh")[0] == (
        "2024-04 至 2024-05 共 2 期账单按小于运行容量的容量计收基本电费，其中 2 期在暂停期间，小于暂停后保留的容量"
        "（2024-05：计费容量 200 千伏安，运行容量 315 千伏安）（涉及电费 6,900.00 元）"
    )
    assert run(u, "suspension_overrun").empty  # a legal suspension: nothing else is due

    itemized = Itemized()
    for cid, kva in (("short", 200.0), ("on_what_is_left", 315.0)):
        itemized.customer(cid, **INDUSTRIAL | {"contract_capacity_kva": 630.0})
        for period, billed in (("2024-03", 630.0), ("2024-04", kva), ("2024-05", kva)):
            lines = [("energy", 10_000.0, 0.60), ("basic", billed, 30.0), ("fund", 10_000.0, 0.03)]
            itemized.bill(cid, period, 10_000, lines, tariff="IND2", capacity_billed_kva=billed)
        for kind, day, old, new, issued in (
            ("suspension", "2024-04-01", 630, 315, "2024-03-10"),
            ("resumption", "2024-06-01", 315, 630, "2024-05-20"),
        ):
            itemized.orders.append(
                {
                    "order_id": f"{cid}-{kind}",
                    "customer_id": cid,
                    "order_type": kind,
                    "issued_at": pd.Timestamp(issued),
                    "effective_date": pd.Timestamp(day),
                    "old_value": str(old),
                    "new_value": str(new),
                }
            )
    lines_found = itemized.run("capacity_underbilled")
    assert lines_found.index.tolist() == ["short"]
    assert lines_found.loc["short", "revenue_impact"] == pytest.approx(115 * 30 * 2)
    assert "2 of them inside a suspension" in lines_found.loc["short", "evidence"]


def test_sealed_use_after_a_reduction_leaves_the_capacity_billed_short_to_capacity_underbilled():
    """Reduced 630→400 kVA from July, billed 350 kVA, demand 600 kW: the sealed equipment in use
    escapes (630 − 350) × 30 × 6 = 50,400.00. (400 − 350) × 30 × 6 = 9,000.00 of it is billed
    short of what the order leaves, proved: capacity_underbilled's; reduction_without_drop
    estimates the other 41,400.00, whatever rules run. Near miss: billed on the 400 kVA left,
    nothing is capacity_underbilled's and the estimate keeps (630 − 400) × 30 × 6 = 41,400.00."""
    u = Utility()
    for cid, billed in (("short", 350.0), ("on_what_is_left", 400.0)):
        u.customer(cid, contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
        u.monthly(
            cid,
            flat(40_000),
            multiplier=1000.0,
            tariff="IND2",
            capacity=[630.0] * 6 + [billed] * 6,
            demand=[500.0] * 6 + [600.0] * 6,
            basis="capacity",
        )
        u.order(cid, "capacity_reduction", "2024-07-01", 630, 400, issued="2024-06-01")
    found = run(u, ["capacity_underbilled", "reduction_without_drop"])
    money = found.groupby(["customer_id", "rule_id"])["revenue_impact"].sum().to_dict()
    assert money == pytest.approx(
        {
            ("short", "capacity_underbilled"): 9_000.0,
            ("short", "reduction_without_drop"): 41_400.0,
            ("on_what_is_left", "reduction_without_drop"): 41_400.0,
        }
    )
    alone = run(u, "reduction_without_drop").set_index("customer_id")
    assert alone.loc["short", "evidence"] == (
        "capacity reduction 630→400 kVA from 2024-07, yet maximum demand reached 600 kW, above "
        "the 400 kVA left (¥41,400.00 basic charge escaped); ¥9,000.00 more, billed short of the "
        "capacity the orders leave, is counted under capacity_underbilled"
    )
    zh = dict(zip(alone.index, rules.evidence_text(alone.reset_index(), "zh"), strict=True))
    assert zh["short"].endswith(
        "（少收基本电费 41,400.00 元）；另有 9,000.00 元系计费容量小于工单保留的容量，计入“基本电费计费容量小于档案容量”规则"
    )


# --- an order that records no new capacity ------------------------------------------------------


def _suspended_then_reduced_without_value(u: Utility, cid: str, december: float) -> None:
    """A 1000 kVA customer suspended down to 685 kVA from September (legal: 122 days by
    December), then a capacity reduction from 1 December whose new capacity is empty; billed
    1000 kVA until August, 685 from September, `december` kVA in December."""
    u.customer(cid, contract_capacity_kva=1000.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        cid,
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[1000.0] * 8 + [685.0] * 3 + [december],
        demand=300.0,
        basis="capacity",
    )
    u.order(cid, "suspension", "2024-09-01", 1000, 685, issued="2024-08-10")
    u.order(cid, "capacity_reduction", "2024-12-01", 1000, "", issued="2024-11-10")


def test_a_reduction_without_its_new_capacity_does_not_cancel_a_suspension():
    """The reduction records no new capacity, so it proves none: the 685 kVA the suspension
    leaves stay due in December (the empty value was read as the archive's 1000 kVA, pricing
    315 × 30 = ¥9,450.00 on nothing). Near miss that still fires: December billed on 600 kVA is
    short of the suspension's 685 by 85 × 30 = ¥2,550.00, on the suspension's own values."""
    u = Utility()
    _suspended_then_reduced_without_value(u, "on_what_is_left", 685.0)
    _suspended_then_reduced_without_value(u, "below_what_is_left", 600.0)
    found = run(u, ["capacity_underbilled", "suspension_overrun", "reduction_without_drop"])
    money = found.groupby(["customer_id", "rule_id"])["revenue_impact"].sum().to_dict()
    assert money == pytest.approx({("below_what_is_left", "capacity_underbilled"): 85 * 30})
    row = found.iloc[0]
    assert (row["period_from"], row["period_to"]) == ("2024-12", "2024-12")
    assert "(in 2024-12: 600 kVA billed, 685 kVA in force)" in row["evidence"]

    itemized = Itemized()
    itemized.customer("A", **INDUSTRIAL | {"contract_capacity_kva": 1000.0})
    for period, kva in (
        ("2024-08", 1000.0),
        ("2024-09", 685.0),
        ("2024-10", 685.0),
        ("2024-11", 685.0),
        ("2024-12", 685.0),
    ):
        lines = [("energy", 10_000.0, 0.60), ("basic", kva, 30.0), ("fund", 10_000.0, 0.03)]
        itemized.bill("A", period, 10_000, lines, tariff="IND2", capacity_billed_kva=kva)
    for order_id, kind, day, new, issued in (
        ("S1", "suspension", "2024-09-01", "685", "2024-08-10"),
        ("R1", "capacity_reduction", "2024-12-01", "", "2024-11-10"),
    ):
        itemized.orders.append(
            {
                "order_id": order_id,
                "customer_id": "A",
                "order_type": kind,
                "issued_at": pd.Timestamp(issued),
                "effective_date": pd.Timestamp(day),
                "old_value": "1000",
                "new_value": new,
            }
        )
    assert itemized.run(["capacity_underbilled", "basic_charge_error"]).empty


def test_a_reduction_without_its_new_capacity_stands_for_the_lower_archive_capacity():
    """800 kVA reduced from 16 May by an order without its new capacity, the archive holding
    500 kVA: the archive stands for the new capacity, no more than the 800 before it. May due
    (15 × 800 + 16 × 500) / 30 = 666.67 kVA-months, ¥20,000.00: billed on it nothing is short,
    billed whole on 500 kVA ¥5,000.00 is (the empty value is not read as 'nothing changed',
    which would price May and every later month on 800 kVA)."""
    u = Utility()
    for cid, may in (("prorated", 666.67), ("whole_month", 500.0)):
        u.customer(cid, contract_capacity_kva=500.0, **TWO_PART_BY_CAPACITY)
        u.monthly(
            cid,
            flat(80_000),
            multiplier=1000.0,
            tariff="IND2",
            capacity=[800.0] * 4 + [may] + [500.0] * 7,
            basis="capacity",
        )
        u.order(cid, "capacity_reduction", "2024-05-16", 800, "")
    found = run(u, "capacity_underbilled")
    assert found["customer_id"].tolist() == ["whole_month"]
    assert found.iloc[0]["revenue_impact"] == pytest.approx(20_000 - 15_000)


# --- an order that records no old capacity ------------------------------------------------------


def test_an_increase_without_its_old_capacity_claims_nothing_before_it():
    """500 → 800 kVA from 20 May, billed 400 kVA January to April and 500 in May. With the old
    value recorded, January to April are short of 500 by 100 × 30 = ¥3,000.00 each and May of
    (19 × 500 + 12 × 800) / 30 = 636.67 kVA-months by 19,100 − 15,000 = ¥4,100.00: ¥16,100.00.
    An order that records no old capacity proves nothing before it: the same bills are judged
    on what they billed (the archive's 800 kVA, today's, priced ¥41,400.00 from nothing)."""
    u = Utility()
    for cid, old in (("recorded", 500), ("unrecorded", "")):
        u.customer(cid, contract_capacity_kva=800.0, **TWO_PART_BY_CAPACITY)
        u.monthly(
            cid,
            flat(80_000),
            multiplier=1000.0,
            tariff="IND2",
            capacity=[400.0] * 4 + [500.0] + [800.0] * 7,
            basis="capacity",
        )
        u.order(cid, "capacity_increase", "2024-05-20", old, 800)
    # Billed 500 kVA until April and 620 in May: ¥41,400.00 on the archive's 800 kVA before.
    u.customer("unrecorded_prorated", contract_capacity_kva=800.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "unrecorded_prorated",
        flat(80_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[500.0] * 4 + [500 + 300 * 12 / 30] + [800.0] * 7,
        basis="capacity",
    )
    u.order("unrecorded_prorated", "capacity_increase", "2024-05-20", "", 800)
    found = run(u, ["capacity_underbilled", "demand_over_capacity", "tariff_mismatch"])
    money = found.groupby(["customer_id", "rule_id"])["revenue_impact"].sum().to_dict()
    assert money == pytest.approx({("recorded", "capacity_underbilled"): 4 * 3_000 + 4_100})
    row = found.iloc[0]
    assert (row["period_from"], row["period_to"]) == ("2024-01", "2024-05")


def test_a_reduction_without_its_old_capacity_claims_nothing_before_it():
    """Reduced to 500 kVA from 16 May, billed 400 kVA January to April and 500 whole in May.
    From 800 kVA recorded: January to April short of 800 by 400 × 30 = ¥12,000.00 each, May of
    (15 × 800 + 16 × 500) / 30 = 666.67 kVA-months by 20,000 − 15,000 = ¥5,000.00: ¥53,000.00.
    Without the old value: nothing (the archive's 500 kVA priced January to April ¥3,000.00
    each)."""
    u = Utility()
    for cid, old in (("recorded", 800), ("unrecorded", "")):
        u.customer(cid, contract_capacity_kva=500.0, **TWO_PART_BY_CAPACITY)
        u.monthly(
            cid,
            flat(80_000),
            multiplier=1000.0,
            tariff="IND2",
            capacity=[400.0] * 4 + [500.0] * 8,
            basis="capacity",
        )
        u.order(cid, "capacity_reduction", "2024-05-16", old, 500)
    found = run(u, ["capacity_underbilled", "reduction_without_drop", "basic_charge_error"])
    money = found.groupby(["customer_id", "rule_id"])["revenue_impact"].sum().to_dict()
    assert money == pytest.approx({("recorded", "capacity_underbilled"): 4 * 12_000 + 5_000})


def test_before_an_order_without_its_old_capacity_the_order_before_it_says():
    """315 → 500 kVA from 1 March, then to 800 from 1 September by an order without its old
    value; billed 300 kVA in January and February, 400 from March to August. The first order's
    new value holds from March: 6 × 100 × 30 = ¥18,000.00, and its old value before it:
    2 × 15 × 30 = ¥900.00. Where the first order records no new capacity either, it proves
    none: the 315 recorded before it holds from March to August (at least 315), which the 400
    billed covers: only January and February's ¥900.00."""
    u = Utility()
    for cid, first_new in (("recorded_between", 500), ("unrecorded_between", "")):
        u.customer(cid, contract_capacity_kva=800.0, **TWO_PART_BY_CAPACITY)
        u.monthly(
            cid,
            flat(80_000),
            multiplier=1000.0,
            tariff="IND2",
            capacity=[300.0] * 2 + [400.0] * 6 + [800.0] * 4,
            basis="capacity",
        )
        u.order(cid, "capacity_increase", "2024-03-01", 315, first_new)
        u.order(cid, "capacity_increase", "2024-09-01", "", 800)
    found = run(u, "capacity_underbilled")
    money = found.set_index("customer_id")["revenue_impact"].to_dict()
    assert money == pytest.approx({"recorded_between": 900 + 18_000, "unrecorded_between": 900})


def test_a_bound_left_by_an_order_without_its_new_value_is_no_capacity_in_force():
    """200 → 315 kVA from 1 March, an order from 1 June that records no new capacity, a
    reduction to 250 from 1 September that records no old one. After an increase the capacity
    was at least 315 (630 in truth, billed so, with 500 kW of demand): read as the capacity in
    force, 315 put June to August ¥16,650.00 over the capacity, with a ¥49,950.00 penalty, from
    nothing. After a reduction it was at most 315: read so, a 300 kVA bill looked ¥1,350.00
    short. Neither rule finds anything: from June to August the capacity is unknown."""
    u = Utility()
    for cid, june, between, demand in (
        ("raised", "capacity_increase", 630.0, 500.0),
        ("reduced", "capacity_reduction", 300.0, 200.0),
    ):
        u.customer(cid, contract_capacity_kva=250.0, **TWO_PART_BY_CAPACITY)
        u.monthly(
            cid,
            flat(100_000),
            multiplier=1000.0,
            tariff="IND2",
            capacity=[200.0] * 2 + [315.0] * 3 + [between] * 3 + [250.0] * 4,
            demand=[150.0] * 2 + [250.0] * 3 + [demand] * 3 + [200.0] * 4,
            basis="capacity",
        )
        u.order(cid, "capacity_increase", "2024-03-01", 200, 315)
        u.order(cid, june, "2024-06-01", 315, "")
        u.order(cid, "capacity_reduction", "2024-09-01", "", 250)
    assert run(u, ["demand_over_capacity", "capacity_underbilled"], as_of="2024-12").empty


def _record_neither(u: Utility, cid: str, periods: set[str]) -> None:
    """`cid`'s bills of `periods` record neither their capacity nor their basic charge, nor
    does their amount hold one (a blank charge is otherwise read from the amount)."""
    for bill in u.bills:
        if bill["customer_id"] == cid and bill["period"] in periods:
            bill["capacity_billed_kva"] = None
            bill["basic_charge"] = None
            bill["amount"] = bill["energy_charge"]


def test_a_bill_by_capacity_recording_neither_capacity_nor_charge_is_not_found_short():
    """A 630 kVA customer whose April to June bills record neither capacity_billed_kva nor
    basic_charge: an archive gap, not a basic charge of nothing (capacity_underbilled found
    3 × 630 × 30 = ¥56,700.00 short). Near misses that still fire: an April bill recording a
    basic charge of 0.00 charged nothing, 630 × 30 = ¥18,900.00 short; one recording 400 kVA
    and no charge is short of (630 − 400) × 30 = ¥6,900.00; a gap customer's August billed on
    400 kVA (12,000.00) is found for August alone."""
    u = Utility()
    for cid in ("gap", "charged_zero", "recorded_400", "gap_then_short"):
        u.customer(cid, contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
        u.monthly(
            cid, flat(100_000), multiplier=1000.0, tariff="IND2", capacity=630.0, basis="capacity"
        )
    _record_neither(u, "gap", {"2024-04", "2024-05", "2024-06"})
    _record_neither(u, "gap_then_short", {"2024-04", "2024-05", "2024-06"})
    for bill in u.bills:
        if bill["period"] == "2024-04" and bill["customer_id"] == "charged_zero":
            bill["capacity_billed_kva"], bill["basic_charge"] = None, 0.0
        if bill["period"] == "2024-04" and bill["customer_id"] == "recorded_400":
            bill["capacity_billed_kva"], bill["basic_charge"] = 400.0, None
            bill["amount"] = bill["energy_charge"]
        if bill["period"] == "2024-08" and bill["customer_id"] == "gap_then_short":
            bill["capacity_billed_kva"], bill["basic_charge"] = 400.0, 12_000.0
    found = run(u, "capacity_underbilled").set_index("customer_id")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"charged_zero": 630 * 30, "recorded_400": 230 * 30, "gap_then_short": 230 * 30}
    )
    assert found.loc["gap_then_short", ["period_from", "period_to"]].tolist() == [
        "2024-08",
        "2024-08",
    ]


def test_sealed_use_counts_no_escaped_charge_on_months_recording_neither():
    """630 → 315 kVA from July with the load of 630 kept: July to September billed on 315 kVA
    escaped 315 × 30 = ¥9,450.00 each, ¥28,350.00. October to December record neither capacity
    nor charge: nothing is counted on them (they were read as billed on nothing:
    capacity_underbilled found each 315 × 30 short, ¥28,350.00, and reduction_without_drop
    counted the rest of the 630 × 30 as escaped, ¥56,700.00 in all)."""
    u = Utility()
    u.customer("sealed", contract_capacity_kva=315.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "sealed",
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[630.0] * 6 + [315.0] * 6,
        demand=420.0,
        basis="capacity",
    )
    u.order("sealed", "capacity_reduction", "2024-07-01", 630, 315)
    _record_neither(u, "sealed", {"2024-10", "2024-11", "2024-12"})
    found = run(u, ["capacity_underbilled", "reduction_without_drop"])
    assert found["rule_id"].tolist() == ["reduction_without_drop"]
    assert found.iloc[0]["revenue_impact"] == pytest.approx(3 * 315 * 30)


def _increased_in_may(u: Itemized, cid: str, old: str) -> None:
    """An 800 kVA customer increased on 20 May by an order whose old value is `old`, its bills
    itemized: March and April on 500 kVA, May on 620, June on 800 (30 yuan per kVA-month)."""
    u.customer(cid, **INDUSTRIAL | {"contract_capacity_kva": 800.0})
    u.orders.append(
        {
            "order_id": f"I-{cid}",
            "customer_id": cid,
            "order_type": "capacity_increase",
            "issued_at": pd.Timestamp("2024-05-01"),
            "effective_date": pd.Timestamp("2024-05-20"),
            "old_value": old,
            "new_value": "800",
        }
    )
    for period, kva in (
        ("2024-03", 500.0),
        ("2024-04", 500.0),
        ("2024-05", 620.0),
        ("2024-06", 800.0),
    ):
        lines = [("energy", 10_000.0, 0.60), ("basic", kva, 30.0), ("fund", 10_000.0, 0.03)]
        u.bill(cid, period, 10_000, lines, tariff="IND2", capacity_billed_kva=kva)


def test_an_itemized_increase_without_its_old_capacity_claims_nothing_before_it():
    """The recomputation prices the bills before the order on what they billed: no difference
    (the archive's 800 kVA priced March and April 300 × 30 = ¥9,000.00 each and May 180 × 30 =
    ¥5,400.00: ¥23,400.00). Near misses that still fire: with the old value 500 recorded, May is
    due (19 × 500 + 12 × 800) / 30 = 636.67 kVA-months, ¥19,100.00, billed 620 × 30 =
    ¥18,600.00: ¥500.00 short; a customer whose transformers (800 kVA running since 2020) give
    its capacity is due 800 kVA throughout whatever its orders say: ¥23,400.00."""
    u = Itemized()
    _increased_in_may(u, "unrecorded", "")
    _increased_in_may(u, "recorded", "500")
    _increased_in_may(u, "transformers", "")
    u.transformer("transformers", "T1", kva=800.0)
    found = u.run(["capacity_underbilled", "basic_charge_error"])
    assert found["rule_id"].tolist() == ["capacity_underbilled"] * 2
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"recorded": 500.0, "transformers": 2 * 9_000 + 5_400}
    )


def _demand_until_july(u: Utility, cid: str, july_to_december_kva: list[float]) -> None:
    """A 630 kVA IND2 customer billed by demand January to June (300 kW × 40 = 12,000.00 a
    month, no capacity recorded) and by capacity from July on `july_to_december_kva` (× 30); the
    archive holds today's basis, capacity."""
    u.customer(cid, contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        cid,
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[None] * 6 + july_to_december_kva,
        demand=[300.0] * 6 + [None] * 6,
        basis=["demand"] * 6 + ["capacity"] * 6,
    )


def test_capacity_underbilled_judges_each_bill_on_the_basis_in_force_on_it():
    """By demand until June, by capacity from July (basis_change demand → capacity effective
    1 July), September billed on 500 of 630 kVA: short (630 − 500) × 30 = ¥3,900.00, the only
    finding. On today's basis the demand months were read as by capacity, 12,000.00 / 30 = 400
    kVA billed: 6 × (630 − 400) × 30 = ¥41,400.00 found from nothing (¥45,300.00 in all)."""
    u = Utility()
    _demand_until_july(u, "switched", [630.0, 630.0, 500.0, 630.0, 630.0, 630.0])
    u.order("switched", "basis_change", "2024-07-01", "demand", "capacity")
    found = run(u, "capacity_underbilled")
    assert found["customer_id"].tolist() == ["switched"]
    row = found.iloc[0]
    assert row["revenue_impact"] == pytest.approx(3_900.00)
    assert (row["period_from"], row["period_to"]) == ("2024-09", "2024-09")


def test_a_basis_change_issued_after_the_audit_month_is_not_known_then():
    """The customer above, billed 630 kVA since July, audited at June: its order demand →
    capacity issued on 20 July is not known in June, so its demand months are judged on the
    archive's basis, as without the order (6 × (630 − 400) × 30 = ¥41,400.00); the same order
    issued on 20 June puts them on demand: nothing is short."""
    found = {}
    for issued in ("2024-07-20", "2024-06-20", None):
        u = Utility()
        _demand_until_july(u, "switched", [630.0] * 6)
        if issued:
            u.order("switched", "basis_change", "2024-07-01", "demand", "capacity", issued=issued)
        found[issued] = run(u, "capacity_underbilled", as_of="2024-06")
    assert found["2024-07-20"]["revenue_impact"].tolist() == pytest.approx([41_400.00])
    assert found["2024-07-20"]["evidence"].tolist() == found[None]["evidence"].tolist()
    assert found["2024-06-20"].empty


def test_an_itemized_capacity_era_short_is_found_after_a_switch_to_demand():
    """A 400 kVA customer by capacity until March, billed on 300 kVA (short 100 × 30 = 3,000.00
    a month), by demand from April (basis_change capacity → demand effective 1 April; the
    archive, today's, says demand), 200 kW × 40 = 8,000.00 a month as due (at least 40 % of
    400 kVA = 160 kW): ¥9,000.00 over January to March. On today's basis nothing was found."""
    u = Itemized()
    u.customer("switched", **INDUSTRIAL | {"basic_charge_basis": "demand"})
    for month in range(1, 7):
        by_capacity = month <= 3
        basic = ("basic", 300.0, 30.0) if by_capacity else ("basic", 200.0, 40.0)
        lines = [("energy", 10_000.0, 0.60), basic, ("fund", 10_000.0, 0.03)]
        u.bill(
            "switched",
            f"2024-{month:02d}",
            10_000,
            lines,
            tariff="IND2",
            capacity_billed_kva=300.0 if by_capacity else None,
            max_demand_kw=None if by_capacity else 200.0,
        )
    u.orders.append(
        {
            "order_id": "WO1",
            "customer_id": "switched",
            "order_type": "basis_change",
            "issued_at": pd.Timestamp("2024-03-20"),
            "effective_date": pd.Timestamp("2024-04-01"),
            "old_value": "capacity",
            "new_value": "demand",
        }
    )
    found = u.run(["capacity_underbilled", "basic_charge_error"])
    assert found["rule_id"].tolist() == ["capacity_underbilled"]
    assert found.loc["switched", "revenue_impact"] == pytest.approx(3 * 3_000.00)
    assert (found.loc["switched", "period_from"], found.loc["switched", "period_to"]) == (
        "2024-01",
        "2024-03",
    )


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_a_month_of_connection_billed_whole_on_its_capacity_is_not_short(itemized: bool):
    """Connected on 1 March on 630 kVA, March billed on 630: 31 days at 1/30 a day are 651
    kVA-months by the convention, an artefact, not a charge due: nothing short, on itemized
    bills too (they claimed the 21 kVA, ¥630.00)."""
    u = Utility()
    u.customer("CN", contract_capacity_kva=630.0, connection_date=pd.Timestamp("2024-03-01"),
               **TWO_PART_BY_CAPACITY)  # fmt: skip
    u.monthly("CN", flat(40_000, 10), multiplier=1000.0, tariff="IND2", capacity=630.0,
              basis="capacity", periods=PERIODS[2:])  # fmt: skip
    assert rules.run(with_ind1(u, itemized), rules=["capacity_underbilled"]).empty


def test_a_bills_only_export_with_read_dates_does_not_flag_a_month_of_change_charged_right():
    """1,600 kVA on IND2 by capacity (30 a kVA-month) suspended to 800 kVA from 16 November; a
    bills-only export (no bill_lines) with read dates, so the basic line is recomputed from the
    bill. November is due (15 × 1,600 + 15 × 800) / 30 = 1,200 kVA-months = 36,000.00;
    capacity_billed_kva records the month-end 800. `right` charged 36,000.00: 36,000 / 30 =
    1,200 kVA-months, nothing short (the line's 800 read alone claimed 400 × 30 = 12,000.00).
    Near miss, `short`: charged 800 × 30 = 24,000.00, both record and charge short by 400
    kVA-months: 12,000.00."""
    u = Utility()
    for cid, november in (("right", 36_000.0), ("short", 24_000.0)):
        u.customer(cid, contract_capacity_kva=1600.0, **TWO_PART_BY_CAPACITY)
        bills = u.monthly(cid, flat(100_000), multiplier=1000.0, tariff="IND2",
                          basis="capacity", capacity=[1600.0] * 10 + [800.0] * 2)  # fmt: skip
        bills[10]["basic_charge"] = november
        bills[10]["amount"] = bills[10]["energy_charge"] + november
        for month, bill in enumerate(bills, start=1):
            bill["read_from"] = pd.Timestamp(2024, month, 1)
            bill["read_to"] = bill["read_from"] + pd.offsets.MonthEnd(0)
        u.order(cid, "suspension", "2024-11-16", 1600, 800)
    findings = run(u, "capacity_underbilled")
    money = findings.set_index("customer_id")["revenue_impact"].to_dict()
    assert money == pytest.approx({"short": 12_000.00})

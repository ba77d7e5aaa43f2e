"""Revenue impact by hand: the under-billed yuan over each finding's window, each month counted once."""

from __future__ import annotations

import pytest
from rule_builder import (
    COMMERCIAL,
    PERIODS,
    TWO_PART,
    WHOLE_DATA,
    Utility,
    flat,
    halved_multiplier_year,
    run,
)

from auditkit import rules
from auditkit.data import Dataset


def by_customer(findings) -> dict[str, float]:
    return dict(zip(findings["customer_id"], findings["revenue_impact"], strict=True))


def _multiplier_halved_from_july(u: Utility, cid: str, basis: str) -> None:
    """Archive 50/5 × 10000/100 = 1000; from July the bills use 500, reading half the energy and demand."""
    u.customer(cid, contract_capacity_kva=630.0, basic_charge_basis=basis, **TWO_PART)
    common = {"tariff": "IND2", "capacity": 630.0, "basis": basis}
    u.monthly(cid, flat(100_000, 6), multiplier=1000.0, demand=400.0, periods=PERIODS[:6], **common)
    u.monthly(
        cid,
        flat(50_000, 6),
        multiplier=500.0,
        demand=200.0,
        periods=PERIODS[6:],
        start_register=1600.0,
        **common,
    )


def test_multiplier_mismatch_adds_a_demand_charge_shortfall_once_per_bill():
    u = Utility()
    _multiplier_halved_from_july(u, "demand", "demand")
    _multiplier_halved_from_july(u, "capacity", "capacity")
    findings = run(u, "multiplier_mismatch").set_index("customer_id")
    # Each bill from July misses 50,000 kWh at 0.6; a demand-basis bill also half its demand
    # charge (200 kW billed × 40 of the 400 kW drawn). A capacity charge does not follow the meter.
    assert findings.loc["demand", "revenue_impact"] == pytest.approx(6 * (50_000 * 0.6 + 200 * 40))
    assert findings.loc["capacity", "revenue_impact"] == pytest.approx(6 * 50_000 * 0.6)
    assert findings.loc["demand", "period_from"] == "2024-07"
    assert findings.loc["demand", "evidence"] == (
        "6 bills 2024-07..2024-12 used multiplier 500.00 where the archive has CT 10.00 × PT 100.00 "
        "= 1,000.00: 300,000 kWh not billed, demand charge short by ¥48,000.00 (¥228,000.00)"
    )


def test_multiplier_mismatch_adds_the_funds_on_the_missing_kwh_where_the_schedule_has_them():
    u = Utility()
    for customer_id in ("A", "B"):
        u.customer(customer_id, ct_ratio=40.0, **COMMERCIAL)
        u.monthly(customer_id, flat(100), multiplier=20.0, tariff="COM")
    u.bills[-1]["tariff_billed"] = "IND2"  # B's December: a tariff without funds, by an order
    u.order("B", "tariff_change", "2024-12-01", "COM", "IND2")
    tables = u.tables()
    tables["tariffs"]["fund_rate"] = [None, None, 0.03, None, None]  # COM's 0.03 yuan/kWh
    findings = rules.run(Dataset.from_frames(tables), rules="multiplier_mismatch")
    found = by_customer(findings)
    # 100 kWh a month not billed at 0.80 + 0.03 funds; B's December at IND2's 0.60, no funds.
    assert found["A"] == pytest.approx(12 * 100 * 0.83)
    assert found["B"] == pytest.approx(11 * 100 * 0.83 + 100 * 0.60)
    evidence = findings["evidence"].iat[0]
    assert evidence.endswith("1,200 kWh not billed, funds short by ¥36.00 (¥996.00)")


def test_multiplier_and_rate_errors_split_the_shortfall_without_overlap():
    u = Utility()
    u.customer("A", ct_ratio=40.0, **COMMERCIAL)
    u.monthly("A", flat(100), multiplier=20.0, tariff="COM", rate=0.5)  # due: 200 kWh at 0.8
    findings = run(u, ["multiplier_mismatch", "rate_mismatch"]).set_index("rule_id")
    assert findings.loc["multiplier_mismatch", "revenue_impact"] == pytest.approx(12 * 100 * 0.8)
    assert findings.loc["rate_mismatch", "revenue_impact"] == pytest.approx(12 * 100 * 0.3)
    # Together: 12 × (200 kWh × 0.8 due − 100 kWh × 0.5 billed).
    assert findings["revenue_impact"].sum() == pytest.approx(12 * (200 * 0.8 - 100 * 0.5))


def test_register_jump_and_short_billing_add_up_in_one_finding():
    u = Utility()
    u.customer("A", **COMMERCIAL)
    bills = u.monthly("A", flat(100), tariff="COM")
    bills[2]["kwh_billed"] = 60.0  # March: registers say 100
    for bill in bills[4:]:  # from May the start register is 10 units past April's end
        bill["register_start"] += 10
        bill["register_end"] += 10
    findings = run(u, "register_mismatch")
    assert findings.iloc[0]["revenue_impact"] == pytest.approx((40 + 10) * 0.8)
    assert (findings.iloc[0]["period_from"], findings.iloc[0]["period_to"]) == (
        "2024-03",
        "2024-05",
    )
    assert findings.iloc[0]["evidence"].startswith(
        "2024-03..2024-05: 1 bill charged 40 kWh less than the registers show; 1 start register ≠ "
        "the previous bill's end with no meter replacement (2024-05 starts at 1,410.00 after "
        "1,400.00 at the end of 2024-04; 10 kWh skipped)"
    )


def test_demand_over_capacity_lower_bound_follows_the_highest_demand_so_far():
    u = Utility()
    for cid, demand, basis in (
        ("rising", [300.0] * 6 + [450.0] * 2 + [500.0] * 4, "capacity"),
        ("peak_then_less", [300.0] * 6 + [500.0] * 3 + [300.0] * 3, "capacity"),
        ("demand_basis", [300.0] * 6 + [500.0] * 6, "demand"),
    ):
        u.customer(cid, contract_capacity_kva=400.0, basic_charge_basis=basis, **TWO_PART)
        u.monthly(
            cid,
            flat(100_000),
            multiplier=1000.0,
            tariff="IND2",
            capacity=400.0,
            demand=demand,
            basis=basis,
        )
    findings = run(u, "demand_over_capacity")
    # The transformer is at least as large as the highest demand seen since July: 450 kW in July
    # and August, 500 after; once seen, it stays there when the demand falls back.
    assert by_customer(findings) == pytest.approx(
        {"rising": (2 * 50 + 4 * 100) * 30, "peak_then_less": 6 * 100 * 30, "demand_basis": 0.0}
    )
    assert set(findings["period_from"]) == {"2024-07"} and set(findings["period_to"]) == {"2024-12"}


def test_reduction_without_drop_counts_each_month_once_over_successive_orders():
    u = Utility()
    u.customer("A", contract_capacity_kva=500.0, basic_charge_basis="capacity", **TWO_PART)
    u.monthly(
        "A",
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        demand=700.0,
        basis="capacity",
        capacity=[1000.0] * 2 + [500.0] * 3 + [250.0] * 7,
    )
    u.order("A", "capacity_reduction", "2024-03-01", 1000, 500)
    u.order("A", "suspension", "2024-06-01", 500, 250)
    findings = run(u, "reduction_without_drop")
    # The 1,000 kVA stay in use: March to May 500 kVA escape the basic charge, June to December
    # 750 (the suspension's own 250 of those are not counted a second time), less the 250 kVA
    # of December: the suspension overran its 184 days on 2 December, suspension_overrun's.
    assert findings.iloc[0]["revenue_impact"] == pytest.approx((3 * 500 + 7 * 750 - 250) * 30)
    assert (findings.iloc[0]["period_from"], findings.iloc[0]["period_to"]) == (
        "2024-03",
        "2024-12",
    )
    assert findings.iloc[0]["evidence"] == (
        "capacity reduction 1,000→500 kVA from 2024-03, yet maximum demand reached 700 kW, above "
        "the 500 kVA left; 1 more such order (¥195,000.00 basic charge escaped); ¥7,500.00 "
        "more, due as the suspension was too short or over its yearly limit, is counted under "
        "suspension_overrun"
    )


def test_overlapping_suspensions_charge_each_late_day_once():
    u = Utility()
    u.customer(
        "A",
        contract_capacity_kva=630.0,
        status="suspended",
        basic_charge_basis="capacity",
        **TWO_PART,
    )
    u.monthly(
        "A",
        flat(40_000),
        multiplier=1000.0,
        tariff="IND2",
        demand=200.0,
        basis="capacity",
        capacity=[630.0] + [315.0] * 11,
    )
    u.order("A", "suspension", "2024-02-01", 630, 315)
    u.order("A", "suspension", "2024-04-01", 630, 315)
    u.order("A", "resumption", "2024-12-01", 315, 630, issued="2024-09-20")
    findings = run(u, "suspension_overrun", as_of="2024-11")
    # Due again from 3 August (1 February + 184 days): August a month of change by the day,
    # (2 × 315 + 29 × 630) / 30 = 630 kVA, whole, then September to November, once each however
    # many suspensions cover them.
    row = findings.iloc[0]
    assert row["revenue_impact"] == pytest.approx(315 * 30 * 4)
    assert (row["period_from"], row["period_to"]) == ("2024-08", "2024-11")
    # The resumption takes effect after the audit month: at 2024-11 it has not happened yet.
    assert row["evidence"] == (
        "suspension from 2024-02-01 not resumed by 2024-11: 304 days suspended in 2024, over the "
        "yearly limit of 6 months (184 days); the basic charge on the full capacity was due "
        "again from 2024-08-03 (¥37,800.00)"
    )


def test_tariff_mismatch_two_part_customer_owes_the_basic_charge_too():
    u = Utility()
    u.customer("big", usage_type="industrial", tariff_category="COM", contract_capacity_kva=400.0)
    u.monthly("big", flat(1000), tariff="COM")
    findings = run(u, "tariff_mismatch")
    row = findings.iloc[0]
    # Every month of the data on IND2: energy at 0.6 instead of 0.8, plus 400 kVA × 30 a month;
    # the revenue is October to December, recoverable when the start is unknown.
    month = (0.6 - 0.8) * 1000 + 400 * 30
    assert row["revenue_impact"] == pytest.approx(3 * month)
    assert (row["period_from"], row["period_to"]) == ("2024-01", "2024-12")
    # The data's twelve months beside it.
    assert row["evidence"] == (
        "industrial customer archived on tariff COM (for commercial); should be IND2; capacity 400 "
        "kVA is at or above the two-part threshold; the data's 12 bills 2024-01..2024-12 "
        f"under-billed ¥{12 * month:,.2f} (¥{3 * month:,.2f} recoverable for 2024-10..2024-12, "
        "the start being unknown)"
    )


def test_tariff_mismatch_two_part_customer_billed_some_basic_charge_owes_the_rest():
    u = Utility()
    u.customer("big", usage_type="industrial", tariff_category="COM", contract_capacity_kva=400.0)
    # Billed on COM with a basic charge on 250 kVA (30 a kVA): 150 kVA of it is missing.
    u.monthly("big", flat(1000), tariff="COM", capacity=250.0, basis="capacity")
    row = run(u, "tariff_mismatch", params=WHOLE_DATA).iloc[0]
    assert row["revenue_impact"] == pytest.approx(12 * ((0.6 - 0.8) * 1000 + 400 * 30 - 250 * 30))


def test_order_not_applied_until_a_later_order_and_only_on_capacity_basis():
    u = Utility()
    for cid, basis in (("capacity", "capacity"), ("demand", "demand")):
        u.customer(cid, contract_capacity_kva=400.0, basic_charge_basis=basis, **TWO_PART)
        u.monthly(
            cid,
            flat(100_000),
            multiplier=1000.0,
            tariff="IND2",
            capacity=400.0,
            demand=300.0,
            basis=basis,
        )
        u.order(cid, "capacity_increase", "2024-03-01", 400, 630)
        u.order(cid, "capacity_reduction", "2024-09-01", 630, 400)
    u.customer("twice", **COMMERCIAL)
    u.monthly("twice", flat(100), tariff="RES")
    u.order("twice", "tariff_change", "2024-07-01", "RES", "COM")
    u.order("twice", "tariff_change", "2024-07-01", "RES", "COM")  # the same order entered twice
    findings = run(u, ["order_not_applied", "capacity_underbilled"])
    not_applied = findings[findings["rule_id"] == "order_not_applied"].set_index("customer_id")
    # March to August billed 400 kVA of the 630 in force (the month of grace is only for
    # billing to follow; an order not applied owes from its effective month); from September
    # 400 is right again. capacity_underbilled proves the 41,400.00 on the capacity in force,
    # from the archive and these orders; the order stays listed, its money counted there.
    underbilled = findings[findings["rule_id"] == "capacity_underbilled"]
    assert underbilled["customer_id"].tolist() == ["capacity"]
    assert underbilled["revenue_impact"].tolist() == [pytest.approx(6 * 230 * 30)]
    assert not_applied.loc["capacity", "revenue_impact"] == 0
    assert not_applied.loc["capacity", "evidence"] == (
        "order WO0001 (capacity_increase 400→630 kVA) took effect in 2024-03, yet 6 bills "
        "2024-03..2024-08 still use 400 kVA (¥0.00); the basic charge short on 6 bills is "
        "counted under capacity_underbilled, on the capacity in force"
    )
    assert not_applied.loc["demand", "revenue_impact"] == 0  # its basic charge follows demand
    assert not_applied.loc["twice", "revenue_impact"] == pytest.approx(6 * 100 * (0.8 - 0.6))


def test_change_without_order_prices_only_the_unexplained_change():
    u = Utility()
    for cid, basis in (("capacity", "capacity"), ("demand", "demand")):
        archive = TWO_PART | {"ct_ratio": 5.0}
        u.customer(cid, contract_capacity_kva=630.0, basic_charge_basis=basis, **archive)
        halved_multiplier_year(u, cid, basis)
        u.order(cid, "suspension", "2024-07-01", 630, 315)  # explains the capacity change
    findings = run(u, "change_without_order").set_index("customer_id")
    # From April the multiplier halved with no meter replacement: 50,000 kWh a month unbilled at
    # 0.6, and for the demand-basis customer half its demand charge (200 kW × 40). The archive
    # moved with it (CT 5 × PT 100 = 500): no other rule proves this money.
    assert findings.loc["capacity", "revenue_impact"] == pytest.approx(9 * 50_000 * 0.6)
    assert findings.loc["demand", "revenue_impact"] == pytest.approx(9 * (50_000 * 0.6 + 200 * 40))
    assert findings.loc["capacity", "evidence"] == (
        "billing changed with no work order within ±1 months: multiplier 1,000.00→500.00 in "
        "2024-04 (¥270,000.00 under-billed since)"
    )


def test_change_without_order_and_rate_mismatch_split_a_silent_tariff_switch():
    u = Utility()
    u.customer("A", **COMMERCIAL)
    u.monthly("A", flat(100), tariff=["COM"] * 6 + ["RES"] * 6, rate=[None] * 6 + [0.55] * 6)
    findings = run(u, ["change_without_order", "rate_mismatch"]).set_index("rule_id")
    # July to December: COM 0.8 was due, RES's 0.6 is what the switch lost, 0.55 the wrong rate.
    assert findings.loc["change_without_order", "revenue_impact"] == pytest.approx(6 * 100 * 0.2)
    assert findings.loc["rate_mismatch", "revenue_impact"] == pytest.approx(6 * 100 * 0.05)
    assert findings["revenue_impact"].sum() == pytest.approx(6 * 100 * (0.8 - 0.55))


def test_zero_consumption_priced_at_the_rates_due_during_the_run():
    u = Utility()
    u.customer("A")
    u.monthly("A", [100.0] * 4 + [0.0] * 8)
    findings = run(u, "zero_consumption")
    # May and June at 0.5, July to December at 0.6 (the price change of July).
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(100 * (2 * 0.5 + 6 * 0.6))
    assert (findings.iloc[0]["period_from"], findings.iloc[0]["period_to"]) == (
        "2024-05",
        "2024-12",
    )


def test_capacity_underbilled_reads_the_basic_charge_where_no_capacity_is_recorded():
    u = Utility()
    u.customer("A", contract_capacity_kva=630.0, basic_charge_basis="capacity", **TWO_PART)
    bills = u.monthly(
        "A",
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        basis="capacity",
        capacity=[630.0] * 9 + [None] * 3,
    )
    bills[9]["basic_charge"] = 630 * 30.0  # October: full charge, capacity not recorded
    bills[10]["basic_charge"] = 400 * 30.0  # November: charged on 400 kVA
    # December records neither capacity nor charge: an archive gap, not judged (it was read as
    # billed on 0 kVA, 630 × 30 = ¥18,900.00 more).
    bills[11]["basic_charge"] = None
    findings = run(u, "capacity_underbilled")
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(230 * 30)
    assert (findings.iloc[0]["period_from"], findings.iloc[0]["period_to"]) == (
        "2024-11",
        "2024-11",
    )
    assert findings.iloc[0]["evidence"] == (
        "1 bill 2024-11 charged the basic charge on less than the capacity in force, "
        "the days of any suspension counted (in 2024-11: 400 kVA billed, 630 kVA in force) (¥6,900.00)"
    )


def test_multiplier_above_the_archive_is_over_billing_with_nothing_owed():
    u = Utility()
    u.customer("A", ct_ratio=20.0, **COMMERCIAL)
    u.monthly("A", flat(100, 3), multiplier=40.0, tariff="COM", periods=PERIODS[:3])
    findings = run(u, "multiplier_mismatch")
    assert findings.iloc[0]["revenue_impact"] == 0
    assert findings.iloc[0]["evidence"] == (
        "3 bills 2024-01..2024-03 used multiplier 40.00 where the archive has CT 20.00 × PT 1.00 "
        "= 20.00: 150 kWh billed too much; over-billed ¥120.00 (to refund, not counted as "
        "revenue)"  # 3 × 100 × (1 − 20 / 40) = 150 kWh × 0.80
    )

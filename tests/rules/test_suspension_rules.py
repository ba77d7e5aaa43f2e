"""Suspensions and reductions (issue 15): the yearly allowance counted in days, too-short and
backdated suspensions priced by the day, and the windows that end at resumption or restoration.

A 630 kVA customer on IND2 (30 yuan per kVA and month) suspends 315 kVA: a whole month
suspended is 315 × 30 = 9,450 yuan, a day of a part month 315 × 30 / 30 = 315 yuan.
"""

from __future__ import annotations

import pandas as pd
import pytest
from itemized_builder import INDUSTRIAL, Itemized
from rule_builder import TWO_PART, TWO_PART_BY_CAPACITY, Utility, flat, run, with_ind1

from auditkit import rules
from auditkit.data import Dataset
from auditkit.rules.capacity import max_days_in_months

MONTH = 315 * 30.0
DAY = 315 * 30.0 / 30


def periods(first_year: int, count: int) -> list[str]:
    """`count` billing periods from January of `first_year`."""
    return [f"{first_year + i // 12}-{i % 12 + 1:02d}" for i in range(count)]


def suspended_customer(
    u: Utility,
    cid: str,
    capacity: list[float],
    months: list[str] | None = None,
    demand: float | list[float] = 200.0,
    kwh: list[float] | None = None,
) -> None:
    """A 630 kVA capacity-basis customer billed on `capacity` (kVA) month by month."""
    months = months or periods(2024, 12)
    u.customer(cid, contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        cid,
        kwh or flat(40_000, len(months)),
        multiplier=1000.0,
        tariff="IND2",
        capacity=capacity,
        demand=demand,
        basis="capacity",
        periods=months,
    )


def test_six_months_allow_the_longest_six_calendar_months():
    assert max_days_in_months(6) == 184  # July to December, or March to August
    assert max_days_in_months(1) == 31
    assert max_days_in_months(12) == 366


# --- suspension_overrun ----------------------------------------------------------------------


def test_two_four_month_suspensions_in_one_year_overrun():
    u = Utility()
    suspended_customer(u, "A", [315.0] * 4 + [630.0] * 2 + [315.0] * 4 + [630.0] * 2)
    u.order("A", "suspension", "2024-01-01", 630, 315)
    u.order("A", "resumption", "2024-05-01", 315, 630)  # 121 days
    u.order("A", "suspension", "2024-07-01", 630, 315)
    u.order("A", "resumption", "2024-11-01", 315, 630)  # 123 more: 244 in 2024
    row = run(u, "suspension_overrun").iloc[0]
    # 184 − 121 = 63 days left for the second: due from 2 September, 29 days of September and
    # the whole of October.
    assert row["revenue_impact"] == pytest.approx(29 * DAY + MONTH)
    assert (row["period_from"], row["period_to"]) == ("2024-09", "2024-10")
    assert row["evidence"] == (
        "suspension from 2024-07-01 resumed 2024-11-01: 244 days suspended in 2024, over the "
        "yearly limit of 6 months (184 days); the basic charge on the full capacity was due "
        "again from 2024-09-02 (¥18,585.00)"
    )


def test_an_october_to_april_suspension_legal_in_each_year_does_not_overrun():
    u = Utility()
    months = periods(2023, 24)
    suspended_customer(u, "A", [630.0] * 9 + [315.0] * 6 + [630.0] * 9, months)
    u.order("A", "suspension", "2023-10-01", 630, 315)  # 92 days in 2023
    u.order("A", "resumption", "2024-04-01", 315, 630)  # 91 days in 2024
    assert run(u, "suspension_overrun").empty


def test_six_whole_calendar_months_do_not_overrun_but_a_day_more_does():
    u = Utility()
    suspended_customer(u, "six", [630.0] * 6 + [315.0] * 6)
    u.order("six", "suspension", "2024-07-01", 630, 315)  # to 31 December: 184 days
    suspended_customer(u, "longer", [315.0] * 7 + [630.0] * 5)
    u.order("longer", "suspension", "2024-01-01", 630, 315)
    u.order("longer", "resumption", "2024-07-04", 315, 630)  # 185 days
    findings = run(u, "suspension_overrun")
    assert findings["customer_id"].tolist() == ["longer"]
    # Due from 3 July (1 January + 184 days) to the resumption on the 4th: one day.
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(DAY)


def test_a_suspension_never_resumed_counts_again_from_january():
    u = Utility()
    months = periods(2023, 24)
    suspended_customer(u, "A", [630.0] * 10 + [315.0] * 14, months)
    u.order("A", "suspension", "2023-11-01", 630, 315)  # 61 days of 2023
    row = run(u, "suspension_overrun").iloc[0]
    # 2024's allowance runs out on 3 July (1 January + 184 days): July is a month of change,
    # (2 × 315 + 29 × 630) / 30 = 630 kVA, a whole month on the full capacity (it counted 29
    # days), then August to December.
    assert row["revenue_impact"] == pytest.approx(6 * MONTH)
    assert (row["period_from"], row["period_to"]) == ("2024-07", "2024-12")


def test_an_overrun_suspension_stays_due_into_the_next_year():
    u = Utility()
    months = periods(2024, 18)
    suspended_customer(u, "A", [630.0] * 2 + [315.0] * 16, months)
    u.order("A", "suspension", "2024-03-01", 630, 315)
    row = run(u, "suspension_overrun").iloc[0]
    # Due from 1 September 2024 (1 March + 184 days), and 2025 brings no new allowance to a
    # suspension already over it: September 2024 to June 2025.
    assert row["revenue_impact"] == pytest.approx(10 * MONTH)
    assert (row["period_from"], row["period_to"]) == ("2024-09", "2025-06")


def test_a_suspension_ends_at_the_closure_of_the_account():
    u = Utility()
    # Suspended from 1 March, closed on 1 June (92 days): no bill after, nothing overran.
    suspended_customer(u, "closed_soon", [630.0] * 2 + [315.0] * 3, periods(2024, 5))
    u.order("closed_soon", "suspension", "2024-03-01", 630, 315)
    u.order("closed_soon", "closure", "2024-06-01", 630, 0)
    # Suspended from 1 March, closed on 1 December (275 days): due again from 1 September
    # (1 March + 184 days) until the closure, September to November.
    suspended_customer(u, "closed_late", [630.0] * 2 + [315.0] * 9, periods(2024, 11))
    u.order("closed_late", "suspension", "2024-03-01", 630, 315)
    u.order("closed_late", "closure", "2024-12-01", 630, 0)
    suspended_customer(u, "neighbour", [630.0] * 12)  # the utility billed to December
    findings = run(u, "suspension_overrun")
    assert findings["customer_id"].tolist() == ["closed_late"]
    row = findings.iloc[0]
    assert row["revenue_impact"] == pytest.approx(3 * MONTH)
    assert (row["period_from"], row["period_to"]) == ("2024-09", "2024-11")
    assert row["evidence"].startswith("suspension from 2024-03-01 ended by closure 2024-12-01: ")


def test_a_suspension_closed_within_15_days_is_no_too_short_suspension():
    u = Utility()
    suspended_customer(u, "A", [630.0] * 2 + [630.0 - 315 * 21 / 30], periods(2024, 3))
    u.order("A", "suspension", "2024-03-01", 630, 315)
    u.order("A", "closure", "2024-03-11", 630, 0)
    suspended_customer(u, "neighbour", [630.0] * 12)
    assert run(u, "suspension_overrun").empty


def test_a_suspension_under_15_days_pays_its_basic_charge_and_15_days_do_not():
    u = Utility()
    # Billed Σ day capacity / 30 in the month of change: (630 × 31 − 315 × 10) / 30 = 546 kVA.
    suspended_customer(u, "short", [630.0] * 2 + [546.0] + [630.0] * 9)
    u.order("short", "suspension", "2024-03-05", 630, 315)
    u.order("short", "resumption", "2024-03-15", 315, 630)
    suspended_customer(u, "fifteen", [630.0] * 4 + [493.5] + [630.0] * 7)
    u.order("fifteen", "suspension", "2024-05-01", 630, 315)
    u.order("fifteen", "resumption", "2024-05-16", 315, 630)
    findings = run(u, "suspension_overrun")
    assert findings["customer_id"].tolist() == ["short"]
    row = findings.iloc[0]
    # Due: the full charge, a whole March on 630 kVA (18,900), not 10 days at 1/30 on top of
    # the 31 days the proration counted: billed 546 × 30 = 16,380, short 2,520.
    assert row["revenue_impact"] == pytest.approx(630 * 30 - 546 * 30)
    assert (row["period_from"], row["period_to"]) == ("2024-03", "2024-03")
    assert row["evidence"] == (
        "suspension 2024-03-05..2024-03-15 lasted 10 days, under the 15-day minimum (¥2,520.00)"
    )


# --- suspension_backdated --------------------------------------------------------------------


def test_a_suspension_applied_for_after_it_took_effect_is_backdated():
    u = Utility()
    suspended_customer(u, "A", [630.0] * 2 + [315.0] * 3 + [630.0] * 7)
    u.order("A", "suspension", "2024-03-04", 630, 315, issued="2024-03-18")
    u.order("A", "resumption", "2024-06-01", 315, 630)
    findings = run(u, "suspension_backdated")
    row = findings.iloc[0]
    # The basic charge stopped on 4 March; nothing could be sealed before the 18th: 14 days.
    assert row["revenue_impact"] == pytest.approx(14 * DAY)
    assert (row["period_from"], row["period_to"]) == ("2024-03", "2024-03")
    assert row["evidence"] == (
        "order WO0001 (suspension 630→315 kVA) took effect 2024-03-04 but was applied for only "
        "on 2024-03-18, backdated 14 days (applications are due 5 working days ahead): the "
        "basic charge stopped before the equipment could be sealed (¥4,410.00)"
    )
    assert findings.iloc[0]["severity"] == "high"
    # The other findings of the same order are not this rule's: the suspension is legal.
    assert run(u, "suspension_overrun").empty


def test_a_reduction_backdated_over_a_month_end_is_priced_by_the_day_and_the_month():
    u = Utility()
    u.customer("A", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "A",
        flat(40_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[630.0] * 3 + [400.0] * 9,
        demand=200.0,
        basis="capacity",
    )
    u.order("A", "capacity_reduction", "2024-04-20", 630, 400, issued="2024-06-05")
    row = run(u, "suspension_backdated").iloc[0]
    # 230 kVA: 11 days of April, the whole of May, 4 days of June.
    assert row["revenue_impact"] == pytest.approx(230 * 30 * (11 / 30 + 1 + 4 / 30))
    assert (row["period_from"], row["period_to"]) == ("2024-04", "2024-06")


def test_a_backdated_suspension_whose_days_reach_the_next_bill_names_both_bills():
    """Read on the 25th: suspended from 20 March, applied for on the 28th. March's bill (26 Feb
    to 25 March) gave back 6 days: billed 630 − 315 × 6 / 30 = 567 kVA, short 6 × 315 = 1,890;
    April's (26 March to 25 April, 31 days) billed 315 kVA where 26 and 27 March were due on
    630: (2 × 630 + 29 × 315) / 30 = 346.5 kVA, short 31.5 × 30 = 945; 2,835 in all. The
    period covers both bills (it said 2024-03..2024-03, the calendar months of the dates)."""
    u = Utility()
    suspended_customer(u, "A", [630.0] * 2 + [567.0] + [315.0] * 2 + [630.0] * 7)
    for bill in u.bills:
        month = int(bill["period"][5:])
        bill["read_from"] = pd.Timestamp(2024, month, 26) - pd.DateOffset(months=1)
        bill["read_to"] = pd.Timestamp(2024, month, 25)
    u.order("A", "suspension", "2024-03-20", 630, 315, issued="2024-03-28")
    u.order("A", "resumption", "2024-05-26", 315, 630)
    row = run(u, "suspension_backdated").iloc[0]
    assert row["revenue_impact"] == pytest.approx(1890 + 945)
    assert (row["period_from"], row["period_to"]) == ("2024-03", "2024-04")
    assert row["evidence"].endswith("(¥2,835.00); under-billed on the bills of 2024-03..2024-04")


def test_orders_applied_for_in_time_or_on_short_notice_are_not_backdated():
    u = Utility()
    suspended_customer(u, "ahead", [630.0] * 2 + [315.0] * 3 + [630.0] * 7)
    u.order("ahead", "suspension", "2024-03-04", 630, 315)  # applied 10 days before
    u.order("ahead", "resumption", "2024-06-01", 315, 630)
    suspended_customer(u, "same_day", [630.0] * 2 + [315.0] * 3 + [630.0] * 7)
    u.order("same_day", "suspension", "2024-03-04", 630, 315, issued="2024-03-04")
    u.order("same_day", "resumption", "2024-06-01", 315, 630)
    # Applied on Friday 1 March for Monday the 4th: 1 working day ahead, 5 due.
    suspended_customer(u, "short", [630.0] * 2 + [315.0] * 3 + [630.0] * 7)
    u.order("short", "suspension", "2024-03-04", 630, 315, issued="2024-03-01")
    u.order("short", "resumption", "2024-06-01", 315, 630)
    assert run(u, "suspension_backdated").empty
    strict = run(
        u, "suspension_backdated", params={"suspension_backdated.short_notice_working_days": 5}
    )
    # Listed when asked, with no revenue: the equipment may have been sealed on the 4th.
    strict = strict.set_index("customer_id")
    assert strict.index.tolist() == ["same_day", "short"]
    assert (strict["revenue_impact"] == 0).all()
    assert strict.loc["short", "evidence"] == (
        "order WO0005 (suspension 630→315 kVA) applied for 2024-03-01, effective 2024-03-04: "
        "1 working days ahead, 5 due"
    )


# --- demand_over_capacity and reduction_without_drop after the span ends ---------------------


def test_demand_over_capacity_is_checked_again_after_resumption():
    u = Utility()
    demand = [500.0] * 3 + [300.0] * 3 + [700.0] * 6
    suspended_customer(u, "A", [630.0] + [315.0] * 3 + [630.0] * 8, demand=demand)
    u.order("A", "suspension", "2024-02-01", 630, 315)
    u.order("A", "resumption", "2024-05-01", 315, 630)
    findings = run(u, "demand_over_capacity")
    # 700 kW over the full 630 kVA from July; the suspension months (demand 500 and 300 kW
    # above the 315 kVA left in February and March) are reduction_without_drop's.
    row = findings.iloc[0]
    assert (row["period_from"], row["period_to"]) == ("2024-07", "2024-12")
    assert row["revenue_impact"] == pytest.approx(70 * 30 * 6)


def test_reduction_without_drop_ends_at_resumption_or_restoration():
    u = Utility()
    demand = [500.0] * 2 + [200.0] * 4 + [500.0] * 6
    suspended_customer(u, "resumed", [630.0] * 2 + [315.0] * 4 + [630.0] * 6, demand=demand)
    u.order("resumed", "suspension", "2024-03-01", 630, 315)
    u.order("resumed", "resumption", "2024-07-01", 315, 630)
    suspended_customer(u, "restored", [630.0] * 2 + [315.0] * 4 + [630.0] * 6, demand=demand)
    u.order("restored", "capacity_reduction", "2024-03-01", 630, 315)
    u.order("restored", "capacity_increase", "2024-07-01", 315, 630)
    # Load back on the full capacity after July is no sealed equipment in use.
    assert run(u, "reduction_without_drop").empty


def test_reduction_without_drop_tests_the_load_the_capacity_left_can_carry():
    u = Utility()
    for cid, kwh in (("overloaded", 250_000.0), ("fits", 150_000.0)):
        u.customer(cid, contract_capacity_kva=315.0, **TWO_PART_BY_CAPACITY)
        u.monthly(
            cid,
            flat(kwh),
            multiplier=1000.0,
            tariff="IND2",
            capacity=[1000.0] * 6 + [315.0] * 6,
            basis="capacity",
        )
        u.order(cid, "capacity_reduction", "2024-07-01", 1000, 315)
    findings = run(u, "reduction_without_drop")
    # July to December: 184 days = 4,416 hours. 1,500,000 kWh / (315 kVA × 4,416 h × 0.9) =
    # 120 % of what 315 kVA carry; 900,000 kWh is 72 %, under 80 %: a load that fits, though
    # the energy did not fall at all.
    assert findings["customer_id"].tolist() == ["overloaded"]
    row = findings.iloc[0]
    assert row["revenue_impact"] == pytest.approx((1000 - 315) * 30 * 6)
    assert row["evidence"] == (
        "capacity reduction 1,000→315 kVA from 2024-07, yet average load reached 120% of what "
        "the 315 kVA left can carry (at power factor 0.90) (¥123,300.00 basic charge escaped)"
    )


def reduced_cold_store(u: Utility, cid: str, kwh: float, demand: float | None) -> None:
    """A cold store running 24/7 that swapped its 800 kVA transformer for a 630 kVA one from
    July 2024 by its order, billed `kwh` a month (maximum demand `demand`, None: not recorded)."""
    u.customer(cid, contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        cid,
        flat(kwh),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[800.0] * 6 + [630.0] * 6,
        demand=demand,
        basis="capacity",
    )
    u.order(cid, "capacity_reduction", "2024-07-01", 800, 630)


def test_a_load_within_what_the_capacity_left_carries_does_not_fire_reduction_without_drop():
    u = Utility()
    # July to December: 184 days = 4,416 h; 630 kVA × 4,416 h × 0.9 = 2,503,872 kWh carried.
    # 6 × 363,000 = 2,178,000 kWh is 87 % of it, peak 560 kW below the 630 kVA left: a well
    # loaded transformer, no sealed equipment (was ¥30,600 + ¥61,200 penalty at 0.8).
    reduced_cold_store(u, "cold_store", 363_000.0, demand=560.0)
    # No demand recorded: 6 × 413,000 = 2,478,000 kWh is 98.97 % of what 630 kVA carry.
    reduced_cold_store(u, "no_demand_99", 413_000.0, demand=None)
    # Near misses, one step past: a peak of 640 kW above the 630 kVA left, and 6 × 421,000 =
    # 2,526,000 kWh = 100.88 % of what they carry where no demand is recorded.
    reduced_cold_store(u, "peak_640", 363_000.0, demand=640.0)
    reduced_cold_store(u, "no_demand_101", 421_000.0, demand=None)
    findings = run(u, "reduction_without_drop").set_index("customer_id")
    assert sorted(findings.index) == ["no_demand_101", "peak_640"]
    # (800 − 630) kVA × 30 yuan × 6 months = 30,600.00 escaped, each.
    assert findings["revenue_impact"].tolist() == pytest.approx([170 * 30 * 6] * 2)
    peak, energy = findings.loc[["peak_640", "no_demand_101"], "evidence"]
    assert "maximum demand reached 640 kW, above the 630 kVA left" in peak
    assert "average load reached 101% of what the 630 kVA left can carry" in energy


def test_a_suspension_leaving_one_unit_well_loaded_does_not_fire_reduction_without_drop():
    u = Utility()
    # 2 × 315 kVA, one sealed July to December; the other at 241 kW average (85 % of 315 × 0.9
    # = 283.5 kW), peak 270 kW within 315 kVA (was ¥56,700 + ¥113,400 penalty at 0.8).
    kwh = [241.0 * 24 * days for days in (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)]
    suspended_customer(u, "honest", [630.0] * 6 + [315.0] * 6, demand=[540.0] * 6 + [270.0] * 6,
                       kwh=[k * 2 for k in kwh[:6]] + kwh[6:])  # fmt: skip
    u.order("honest", "suspension", "2024-07-01", 630, 315)
    # Near miss: a peak of 320 kW, above the 315 kVA left: (630 − 315) × 30 × 6 = 56,700.00.
    suspended_customer(u, "sealed_used", [630.0] * 6 + [315.0] * 6,
                       demand=[540.0] * 6 + [320.0] * 6, kwh=[k * 2 for k in kwh[:6]] + kwh[6:])  # fmt: skip
    u.order("sealed_used", "suspension", "2024-07-01", 630, 315)
    findings = run(u, "reduction_without_drop")
    assert findings["customer_id"].tolist() == ["sealed_used"]
    assert findings["revenue_impact"].tolist() == pytest.approx([315 * 30 * 6])


# --- the money is what the bills under-billed ------------------------------------------------


def test_a_too_short_suspension_billed_in_full_is_listed_without_revenue():
    u = Utility()
    # 5 to 15 March (10 days) billed on the full 630 kVA: what the rule finds due was charged.
    suspended_customer(u, "paid", [630.0] * 12)
    u.order("paid", "suspension", "2024-03-05", 630, 315)
    u.order("paid", "resumption", "2024-03-15", 315, 630)
    row = run(u, "suspension_overrun").iloc[0]
    assert row["revenue_impact"] == 0.0
    assert row["evidence"] == (
        "suspension 2024-03-05..2024-03-15 lasted 10 days, under the 15-day minimum; the bills "
        "charged the basic charge on it: nothing under-billed"
    )


def test_a_bill_recording_the_whole_capacity_but_charging_it_prorated_under_billed():
    u = Utility()
    # As the too-short suspension above, but the March bill records the contract 630 kVA while
    # its basic charge is the prorated 546 kVA × 30 = 16,380: the charge is what was billed.
    suspended_customer(u, "short", [630.0] * 2 + [546.0] + [630.0] * 9)
    u.order("short", "suspension", "2024-03-05", 630, 315)
    u.order("short", "resumption", "2024-03-15", 315, 630)
    tables = u.tables()
    march = (tables["bills"]["customer_id"] == "short") & (tables["bills"]["period"] == "2024-03")
    tables["bills"].loc[march, "capacity_billed_kva"] = 630.0
    row = rules.run(Dataset.from_frames(tables), rules="suspension_overrun").iloc[0]
    assert row["revenue_impact"] == pytest.approx(630 * 30 - 546 * 30)
    assert row["evidence"] == (
        "suspension 2024-03-05..2024-03-15 lasted 10 days, under the 15-day minimum (¥2,520.00)"
    )


def test_an_overrun_counts_only_the_months_the_bills_left_short():
    u = Utility()
    # As the two four-month suspensions above, but October billed on the full 630 kVA: only
    # the 29 days of September are under-billed.
    suspended_customer(u, "A", [315.0] * 4 + [630.0] * 2 + [315.0] * 3 + [630.0] * 3)
    u.order("A", "suspension", "2024-01-01", 630, 315)
    u.order("A", "resumption", "2024-05-01", 315, 630)
    u.order("A", "suspension", "2024-07-01", 630, 315)
    u.order("A", "resumption", "2024-11-01", 315, 630)
    row = run(u, "suspension_overrun").iloc[0]
    assert row["revenue_impact"] == pytest.approx(29 * DAY)


def test_a_backdated_suspension_billed_until_its_application_is_listed_without_revenue():
    u = Utility()
    # Effective 4 March, applied for on the 18th; March billed on 630 kVA for its 14 days
    # before the application and 315 kVA after: (630 × 17 + 315 × 14) / 30 = 504 kVA.
    suspended_customer(u, "paid", [630.0] * 2 + [504.0] + [315.0] * 2 + [630.0] * 7)
    u.order("paid", "suspension", "2024-03-04", 630, 315, issued="2024-03-18")
    u.order("paid", "resumption", "2024-06-01", 315, 630)
    # Billed from the effective date (the order's dates): 14 days × 315 kVA short.
    suspended_customer(u, "short", [630.0] * 2 + [357.0] + [315.0] * 2 + [630.0] * 7)
    u.order("short", "suspension", "2024-03-04", 630, 315, issued="2024-03-18")
    u.order("short", "resumption", "2024-06-01", 315, 630)
    findings = run(u, "suspension_backdated").set_index("customer_id")
    assert sorted(findings.index) == ["paid", "short"]
    assert findings.loc["paid", "revenue_impact"] == 0.0
    assert findings.loc["paid", "evidence"].endswith("nothing under-billed")
    assert findings.loc["short", "revenue_impact"] == pytest.approx(14 * DAY)


# --- a yuan counted once between the suspension rules ----------------------------------------


def test_a_short_suspension_also_backdated_counts_its_days_once():
    """10 days suspended (1 to 11 March), applied for on the 6th: the whole suspension pays the
    full charge, a whole March on 630 kVA, 18,900.00; March billed 525 kVA, 15,750.00: 3,150.00
    under-billed. Of it capacity_underbilled counts what the orders leave, (630 × 21 + 315 × 10)
    / 30 = 546 kVA: (546 − 525) × 30 = 630.00, and suspension_overrun the rest, 2,520.00 (it
    counted 3,150.00 beside the 630.00); the 5 backdated days are inside the suspension:
    suspension_backdated lists the order with no money, whatever rules run. Near miss:
    backdated by 5 days but 3 months long, the 5 days are its own, March a month of change by
    the day: (5 × 630 + 26 × 315) / 30 = 378 kVA against the 315 billed, 1,890.00."""
    u = Utility()
    suspended_customer(u, "short", [630.0] * 2 + [525.0] + [630.0] * 9)
    u.order("short", "suspension", "2024-03-01", 630, 315, issued="2024-03-06")
    u.order("short", "resumption", "2024-03-11", 315, 630)
    suspended_customer(u, "legal", [630.0] * 2 + [315.0] * 3 + [630.0] * 7)
    u.order("legal", "suspension", "2024-03-01", 630, 315, issued="2024-03-06")
    u.order("legal", "resumption", "2024-06-01", 315, 630)
    both = run(u, ["suspension_overrun", "suspension_backdated", "capacity_underbilled"])
    money = both.groupby(["customer_id", "rule_id"])["revenue_impact"].sum().to_dict()
    assert money == pytest.approx(
        {
            ("short", "capacity_underbilled"): 630.0,
            ("short", "suspension_overrun"): 2520.0,
            ("short", "suspension_backdated"): 0.0,
            ("legal", "suspension_backdated"): 378 * 30 - 315 * 30,
        }
    )
    alone = run(u, "suspension_backdated").set_index("customer_id")
    assert alone["revenue_impact"].to_dict() == pytest.approx({"short": 0.0, "legal": 1890.0})
    assert alone.loc["short", "evidence"].endswith(
        "backdated 5 days (applications are due 5 working days ahead): the basic charge stopped "
        "before the equipment could be sealed; the basic charge of 5 days of them is counted "
        "under suspension_overrun (a suspension too short or over its yearly limit is due on "
        "the full capacity)"
    )
    zh = dict(zip(alone.index, rules.evidence_text(alone.reset_index(), "zh"), strict=True))
    assert zh["short"].endswith(
        "其中 5 天的基本电费计入“暂停超期”规则（暂停不足最短期限或超过年度期限，按全部容量计收）"
    )


def test_stacked_suspensions_are_due_on_all_the_capacity_they_took_off():
    """1,000 kVA, 300 suspended from 1 January (1,000→700) and 300 more from 1 March (700→400),
    never resumed. The allowance is per customer and calendar year, counted in days (DOMAIN.md:
    at most 6 months cumulated a year): a day suspended counts once, so 2024's 184 days ran out
    on 3 July, and the full capacity is due again from then, both suspensions' 600 kVA: July a
    month of change by the day, (2 × 400 + 29 × 1,000) / 30 = 993.33 kVA against the 400
    billed, 17,800.00, August to December 5 × 18,000.00: 107,800.00. Near miss: the same
    630→315 suspension recorded twice takes off 315 kVA, not 630 (overlapping suspensions,
    tests/rules/test_revenue.py): July (2 × 315 + 29 × 630) / 30 = 630 kVA, whole, 6 ×
    9,450.00 = 56,700.00."""
    u = Utility()
    u.customer("A", contract_capacity_kva=1000.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "A",
        flat(40_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[700.0] * 2 + [400.0] * 10,
        demand=300.0,
        basis="capacity",
    )
    u.order("A", "suspension", "2024-01-01", 1000, 700, issued="2023-12-10")
    u.order("A", "suspension", "2024-03-01", 700, 400, issued="2024-02-10")
    suspended_customer(u, "twice", [315.0] * 12)
    u.order("twice", "suspension", "2024-01-01", 630, 315)
    u.order("twice", "suspension", "2024-03-01", 630, 315)
    found = run(u, "suspension_overrun").set_index("customer_id")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"A": (29_800 / 30 - 400) * 30 + 5 * 600 * 30, "twice": 6 * MONTH}
    )
    assert (found.loc["A", "period_from"], found.loc["A", "period_to"]) == ("2024-07", "2024-12")


def test_sealed_use_in_an_overrun_suspension_is_counted_once():
    """630 kVA, 315 suspended from 1 February and never resumed, demand 600 kW all along: the
    sealed 315 kVA in use escape 315 × 30 = 9,450.00 a month, February to December 103,950.00.
    Of it, the days past the year's 184 (from 3 August: August a month of change by the day,
    (2 × 315 + 29 × 630) / 30 = 630 kVA, whole, then September to December: 5 × 9,450.00 =
    47,250.00) are proved by the order, suspension_overrun's; reduction_without_drop estimates
    the rest, 56,700.00, whatever rules run. Near miss: resumed on 1 June (121 days), nothing
    overran and the estimate keeps February to May whole, 4 × 9,450.00 = 37,800.00."""
    u = Utility()
    suspended_customer(u, "long", [630.0] + [315.0] * 11, demand=[300.0] + [600.0] * 11)
    u.order("long", "suspension", "2024-02-01", 630, 315, issued="2024-01-10")
    suspended_customer(
        u,
        "resumed",
        [630.0] + [315.0] * 4 + [630.0] * 7,
        demand=[300.0] + [600.0] * 4 + [300.0] * 7,
    )
    u.order("resumed", "suspension", "2024-02-01", 630, 315, issued="2024-01-10")
    u.order("resumed", "resumption", "2024-06-01", 315, 630)
    both = run(u, ["reduction_without_drop", "suspension_overrun"])
    money = both.groupby(["customer_id", "rule_id"])["revenue_impact"].sum().to_dict()
    assert money == pytest.approx(
        {
            ("long", "reduction_without_drop"): 103_950.0 - 47_250.0,
            ("long", "suspension_overrun"): 47_250.0,
            ("resumed", "reduction_without_drop"): 4 * MONTH,
        }
    )
    alone = run(u, "reduction_without_drop").set_index("customer_id")
    assert alone.loc["long", "revenue_impact"] == pytest.approx(56_700.0)
    assert alone.loc["long", "evidence"].endswith(
        "(¥56,700.00 basic charge escaped); ¥47,250.00 more, due as the suspension was too short "
        "or over its yearly limit, is counted under suspension_overrun"
    )
    assert alone.loc["resumed", "evidence"].endswith("(¥37,800.00 basic charge escaped)")


def test_an_order_without_its_capacity_says_so_in_both_languages():
    """A backdated suspension whose old and new values are empty: nothing to price (no kVA),
    and the evidence says the order records no capacity instead of '?→? kVA'."""
    u = Utility()
    suspended_customer(u, "A", [630.0] * 12)
    u.order("A", "suspension", "2024-03-01", "", "", issued="2024-03-20")
    u.order("A", "resumption", "2024-06-01", "", "")
    found = run(u, "suspension_backdated")
    assert found.iloc[0]["revenue_impact"] == 0.0
    assert found.iloc[0]["evidence"].startswith(
        "order WO0001 (suspension, no capacity recorded on the order) took effect 2024-03-01"
    )
    assert rules.evidence_text(found, "zh")[0].startswith(
        "工单 WO0001（暂停，工单未记录容量）于 2024-03-01 生效"
    )


def test_a_suspension_month_recording_its_end_capacity_but_charging_the_days_before_is_not_short():
    """630 kVA suspended to 315 from 3 March (31 days): (2 × 630 + 29 × 315) / 30 = 346.50
    kVA-months, ¥10,395.00 due. A March bill recording the 315 kVA in service at its end but
    charging the 346.50 is not short (capacity_underbilled read the record and found
    31.50 × 30 = ¥945.00); one charging the 315 alone is short by that."""
    u = Utility()
    for cid, charged in (("charged_prorated", 346.5), ("charged_end", 315.0)):
        suspended_customer(u, cid, [630.0] * 2 + [charged] + [315.0] * 9)
        u.order(cid, "suspension", "2024-03-03", 630, 315)
    for bill in u.bills:
        if bill["period"] == "2024-03":
            bill["capacity_billed_kva"] = 315.0  # the record: the capacity at the month's end
    found = run(u, "capacity_underbilled").set_index("customer_id")
    assert found.index.tolist() == ["charged_end"]
    assert found.loc["charged_end", "revenue_impact"] == pytest.approx(31.5 * 30)


def test_suspension_months_recording_neither_capacity_nor_charge_prove_no_shortfall():
    """315 kVA of 630 suspended from 1 February, never resumed: the allowance ran out on
    3 August, so August (a month of change by the day, (2 × 315 + 29 × 630) / 30 = 630 kVA,
    whole: ¥9,450.00) and September to December (4 × ¥9,450.00) are due on the 315 kVA
    suspended. Where September to December record neither capacity nor basic charge, they prove
    nothing: ¥9,450.00, and capacity_underbilled nothing (they were read as billed on nothing:
    the five months and 4 × 315 × 30 = ¥37,800.00 more on the 315 left). Where August to
    December all record neither, nothing is counted, and the evidence does not say the bills
    charged it. Near miss: September to December recording a basic charge of 0.00 charged
    nothing: ¥47,250.00 and ¥37,800.00."""
    u = Utility()
    for cid in ("gap_from_september", "gap_from_august", "charged_zero"):
        suspended_customer(u, cid, [630.0] + [315.0] * 11, demand=200.0)
        u.order(cid, "suspension", "2024-02-01", 630, 315)
    for bill in u.bills:
        gap_months = {"gap_from_september": "2024-09", "gap_from_august": "2024-08"}
        if bill["customer_id"] in gap_months and bill["period"] >= gap_months[bill["customer_id"]]:
            bill["capacity_billed_kva"], bill["basic_charge"] = None, None
            bill["amount"] = bill["energy_charge"]  # nor does the amount hold it
        if bill["customer_id"] == "charged_zero" and bill["period"] >= "2024-09":
            bill["capacity_billed_kva"], bill["basic_charge"] = None, 0.0
    found = run(u, ["suspension_overrun", "capacity_underbilled"])
    money = found.groupby(["customer_id", "rule_id"])["revenue_impact"].sum().to_dict()
    assert money == pytest.approx(
        {
            ("gap_from_september", "suspension_overrun"): MONTH,
            ("gap_from_august", "suspension_overrun"): 0.0,
            ("charged_zero", "suspension_overrun"): 5 * MONTH,
            ("charged_zero", "capacity_underbilled"): 4 * MONTH,
        }
    )
    gap = found.set_index("customer_id").loc["gap_from_august", "evidence"]
    assert gap.endswith("the basic charge on the full capacity was due again from 2024-08-03")


def test_a_bill_with_a_day_of_unknown_capacity_proves_no_suspension_charged():
    """630 kVA from 3 March by an increase that records no old capacity (1 and 2 March unknown:
    the March bill is judged on what it billed), 315 kVA of it suspended for 10 days from the
    5th, under the 15-day minimum; and the same with the suspension effective the 4th, applied
    for on the 18th (backdated 14 days), resumed on 1 June. March billed 546 kVA: the bill
    proves neither that the days were charged nor that they were not. No money, and the evidence
    does not say the bills charged it (it did, ranked as a procedural finding).

    Near misses, the increase recording its old 630 kVA so March is judged: billed 546 kVA,
    (21 × 630 + 10 × 315) / 30, it left the 10 days unbilled, 630 × 30 − 546 × 30 = ¥2,520.00;
    billed 630 it charged them, as the evidence says; the backdated one billed
    (630 × 17 + 315 × 14) / 30 = 504 kVA charged its days until the application."""
    u = Utility()
    for cid, old, march in (
        ("unknown_short", "", 546.0),
        ("known_short", 630, 546.0),
        ("known_paid", 630, 630.0),
    ):
        suspended_customer(u, cid, [630.0] * 2 + [march] + [630.0] * 9)
        u.order(cid, "capacity_increase", "2024-03-03", old, 630)
        u.order(cid, "suspension", "2024-03-05", 630, 315)
        u.order(cid, "resumption", "2024-03-15", 315, 630)
    for cid, old, march in (("unknown_backdated", "", 546.0), ("known_backdated", 630, 504.0)):
        suspended_customer(u, cid, [630.0] * 2 + [march] + [315.0] * 2 + [630.0] * 7)
        u.order(cid, "capacity_increase", "2024-03-03", old, 630)
        u.order(cid, "suspension", "2024-03-04", 630, 315, issued="2024-03-18")
        u.order(cid, "resumption", "2024-06-01", 315, 630)
    found = run(u, ["suspension_overrun", "suspension_backdated"])
    found = found.set_index(["customer_id", "rule_id"])
    money = found["revenue_impact"].to_dict()
    assert money == pytest.approx(
        {
            ("unknown_short", "suspension_overrun"): 0.0,
            ("known_short", "suspension_overrun"): 630 * 30 - 546 * 30,
            ("known_paid", "suspension_overrun"): 0.0,
            ("unknown_backdated", "suspension_backdated"): 0.0,
            ("known_backdated", "suspension_backdated"): 0.0,
        }
    )
    evidence = found["evidence"]
    charged = "; the bills charged the basic charge on it: nothing under-billed"
    too_short = "suspension 2024-03-05..2024-03-15 lasted 10 days, under the 15-day minimum"
    assert evidence[("unknown_short", "suspension_overrun")] == too_short
    assert evidence[("known_paid", "suspension_overrun")] == too_short + charged
    assert not evidence[("unknown_backdated", "suspension_backdated")].endswith(charged)
    assert evidence[("known_backdated", "suspension_backdated")].endswith(charged)
    score = found["score"]
    paid = ("known_paid", "suspension_overrun")
    assert score[("unknown_short", "suspension_overrun")] > score[paid]


def test_a_contract_order_ends_a_suspension_never_resumed():
    """630 kVA suspended to 315 from January, no resumption. `reduced`: made a reduction
    630 → 315 from April, billed 315 all year; `increased`: a resumption filed as an increase
    315 → 630 from June, billed 630 from June. Every bill charged the capacity in force:
    nothing, where the suspension ran on past its six months and its 315 kVA were counted on
    top of the capacity restored (56,385.00 each)."""
    u = Utility()
    for cid, archive, billed in (
        ("reduced", 315.0, [315.0] * 12),
        ("increased", 630.0, [315.0] * 5 + [630.0] * 7),
    ):
        u.customer(cid, contract_capacity_kva=archive, **TWO_PART_BY_CAPACITY)
        u.monthly(cid, flat(40_000), multiplier=1000.0, tariff="IND2", capacity=billed,
                  basis="capacity")  # fmt: skip
        u.order(cid, "suspension", "2024-01-01", 630, 315)
    u.order("reduced", "capacity_reduction", "2024-04-01", 630, 315)
    u.order("increased", "capacity_increase", "2024-06-01", 315, 630)
    assert run(u, ["suspension_overrun", "capacity_underbilled", "reduction_without_drop"]).empty


def test_an_overrun_billed_on_a_single_part_tariff_is_due_at_the_tariff_in_force():
    """Archive IND2 on 630 kVA, billed COM all year, suspended to 315 from January and never
    resumed: from 3 July the 315 kVA are due again at IND2's 30, July by the day (2 × 315 +
    29 × 630) / 30 = 630 kVA, whole, and August on: 6 × 9,450.00 = 56,700.00 (at COM's rate,
    nothing); billed_tariff_mismatch counts IND2 on the 315 kVA left less what COM charged,
    17,400.00."""
    u = Utility()
    u.customer("A", contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
    u.monthly("A", flat(40_000), multiplier=1000.0, tariff="COM")
    u.order("A", "suspension", "2024-01-01", 630, 315)
    found = run(u, ["suspension_overrun", "billed_tariff_mismatch"])
    money = found.set_index("rule_id")["revenue_impact"].to_dict()
    assert money == pytest.approx(
        {"suspension_overrun": 56_700.0, "billed_tariff_mismatch": 17_400.0}
    )


# --- a month the suspension rules price is a month of change (DOMAIN.md: 1/30 a day) ----------


def test_a_too_short_suspension_on_a_bill_short_of_the_capacity_left_counts_each_yuan_once():
    """630 kVA, 315 suspended 5 to 15 March (10 days, too short: the full charge is due, a whole
    March on 630 kVA, 18,900.00); March billed on 400 kVA, 12,000.00: 6,900.00 under-billed.
    capacity_underbilled counts what the orders leave, (630 × 31 − 315 × 10) / 30 = 546 kVA:
    (546 − 400) × 30 = 4,380.00; suspension_overrun the rest, 18,900.00 − 546 × 30 = 2,520.00
    (it counted 3,150.00, the 10 days, netted against the 12,000.00 billed: 7,530.00 in all),
    whatever rules run, on monthly and itemized bills. Near miss: March billed on the 546 kVA
    left, capacity_underbilled finds nothing and the overrun is the same 2,520.00."""
    u = Utility()
    suspended_customer(u, "short", [630.0] * 2 + [400.0] + [630.0] * 9)
    suspended_customer(u, "prorated", [630.0] * 2 + [546.0] + [630.0] * 9)
    for cid in ("short", "prorated"):
        u.order(cid, "suspension", "2024-03-05", 630, 315)
        u.order(cid, "resumption", "2024-03-15", 315, 630)
    both = ["capacity_underbilled", "suspension_overrun"]
    expected = {
        ("short", "capacity_underbilled"): 4_380.0,
        ("short", "suspension_overrun"): 2_520.0,
        ("prorated", "suspension_overrun"): 2_520.0,
    }
    for dataset in (u.dataset(), with_ind1(u, True)):
        found = rules.run(dataset, rules=both)
        money = found.groupby(["customer_id", "rule_id"])["revenue_impact"].sum().to_dict()
        assert money == pytest.approx(expected)
        alone = rules.run(dataset, rules="suspension_overrun").set_index("customer_id")
        assert alone["revenue_impact"].to_dict() == pytest.approx(
            {"short": 2_520.0, "prorated": 2_520.0}
        )
    assert sum(v for (cid, _), v in expected.items() if cid == "short") == 630 * 30 - 400 * 30


def test_a_too_short_suspension_pays_the_full_charge_of_a_short_month():
    """315 kVA of 630 suspended 5 to 15 February 2024 (29 days), billed (19 × 630 + 10 × 315) /
    30 = 504 kVA, 15,120.00: the full charge is due, a whole February on 630 kVA, 18,900.00:
    3,780.00 (it counted the 10 days, 3,150.00, and February's 29 days stayed 1/30 short). Near
    miss: the same 10 days in September (30 days), billed (20 × 630 + 10 × 315) / 30 = 525 kVA,
    15,750.00: 3,150.00, the days and the full charge alike."""
    u = Utility()
    suspended_customer(u, "february", [630.0] + [504.0] + [630.0] * 10)
    u.order("february", "suspension", "2024-02-05", 630, 315)
    u.order("february", "resumption", "2024-02-15", 315, 630)
    suspended_customer(u, "september", [630.0] * 8 + [525.0] + [630.0] * 3)
    u.order("september", "suspension", "2024-09-05", 630, 315)
    u.order("september", "resumption", "2024-09-15", 315, 630)
    found = run(u, "suspension_overrun").set_index("customer_id")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"february": 630 * 30 - 504 * 30, "september": 630 * 30 - 525 * 30}
    )


def test_an_overrun_month_is_due_by_the_day_as_a_month_of_change():
    """630 kVA, 315 suspended October 2024 to April 2025 (120 days of 2025) and again from
    1 August 2025, resumed 1 November: 2025's 184 days ran out on 3 October, the full capacity
    is due from the 4th. October was billed whole on the 315 kVA left (9,450.00); due by the day,
    as in any month of change, (3 × 315 + 28 × 630) / 30 = 619.5 kVA, 18,585.00: 9,135.00 (it
    counted 315 whole plus 28 days at 1/30, 8,820.00). Near miss: an overrun from the 1st of a
    month, a whole month on 630 kVA: 9,450.00 (tests above)."""
    u = Utility()
    months = periods(2024, 24)
    capacity = [630.0] * 9 + [315.0] * 7 + [630.0] * 3 + [315.0] * 3 + [630.0] * 2
    suspended_customer(u, "A", capacity, months)
    u.order("A", "suspension", "2024-10-01", 630, 315)
    u.order("A", "resumption", "2025-05-01", 315, 630)
    u.order("A", "suspension", "2025-08-01", 630, 315)
    u.order("A", "resumption", "2025-11-01", 315, 630)
    row = run(u, "suspension_overrun").iloc[0]
    assert row["revenue_impact"] == pytest.approx(619.5 * 30 - 315 * 30)
    assert (row["period_from"], row["period_to"]) == ("2025-10", "2025-10")


def test_a_backdated_month_is_due_by_the_day_as_a_month_of_change():
    """630 kVA suspended to 315 from 1 February 2024, applied for on the 15th, resumed 1 April:
    February was billed whole on 315 kVA (9,450.00); the 630 kVA were due until the application,
    by the day: (14 × 630 + 15 × 315) / 30 = 451.5 kVA, 13,545.00: 4,095.00 (it counted 315
    whole plus 14 days at 1/30, 4,410.00). Near miss: 14 days backdated in March, billed on 315
    from the 4th, is 4,410.00 as before (test above)."""
    u = Utility()
    suspended_customer(u, "A", [630.0] + [315.0] * 2 + [630.0] * 9)
    u.order("A", "suspension", "2024-02-01", 630, 315, issued="2024-02-15")
    u.order("A", "resumption", "2024-04-01", 315, 630)
    row = run(u, "suspension_backdated").iloc[0]
    assert row["revenue_impact"] == pytest.approx(451.5 * 30 - 315 * 30)


def test_an_overrun_on_itemized_bills_carries_the_power_factor_adjustment():
    """400 kVA suspended to 200 from 1 January 2024, never resumed; itemized bills of 10,000 kWh
    (6,000.00), 200 kVA × 30 (6,000.00) and an adjustment of +2 % (6,000 kvarh: PF 0.86 on a
    0.90 standard): the full 400 kVA are due again from 3 July, July (2 × 200 + 29 × 400) / 30 =
    400 kVA whole, 6,000.00 a month from July to December, 36,000.00, and the adjustment on it,
    2 % × 6,000.00 = 120.00 a month: 36,720.00 (the adjustment was left out). Near miss: 4,800
    kvarh, PF 0.90 on the standard, no adjustment: 36,000.00."""
    u = Itemized()
    for cid, kvarh, percent in (("P", 6_000.0, 0.02), ("at_standard", 4_800.0, 0.0)):
        u.customer(cid, **INDUSTRIAL, pf_standard=0.90)
        for period in [f"2024-{month:02d}" for month in range(1, 13)]:
            lines = [
                ("energy", 10_000.0, 0.60),
                ("basic", 200.0, 30.0),
                ("pf_adjustment", 12_000.0, percent),
                ("fund", 10_000.0, 0.03),
            ]
            u.bill(cid, period, 10_000, lines, tariff="IND2", kvarh_import=kvarh, kvarh_export=0.0)
        u.orders.append(
            {
                "order_id": f"WO-{cid}",
                "customer_id": cid,
                "order_type": "suspension",
                "issued_at": pd.Timestamp("2023-12-15"),
                "transferred_at": pd.Timestamp("2023-12-16"),
                "registered_at": pd.Timestamp("2023-12-17"),
                "archived_at": pd.Timestamp("2023-12-18"),
                "effective_date": pd.Timestamp("2024-01-01"),
                "old_value": "400",
                "new_value": "200",
            }
        )
    found = u.run("suspension_overrun")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"P": 6 * (6_000.0 + 120.0), "at_standard": 6 * 6_000.0}
    )
    assert found.loc["P", "evidence"].endswith(
        "(¥36,720.00), of which ¥720.00 of power-factor adjustment on the basic charge difference"
    )
    assert found.loc["at_standard", "evidence"].endswith("(¥36,000.00)")


def test_an_overrun_on_the_demand_basis_is_due_on_the_floor_of_the_full_capacity():
    """1,000 kVA by demand, 500 suspended from 1 January 2024, never resumed, demand 150 kW:
    billed on the floor of the 500 kVA left, 0.4 × 500 = 200 kW × 40 = 8,000.00 a month. From
    3 July the floor is 0.4 × 1,000 = 400 kW (the floor is on the capacity at the end of the
    read period, as the recomputation has it): 200 kW × 40 = 8,000.00 a month more, July to
    December 48,000.00, on monthly and itemized bills (it priced nothing: by demand no charge
    per kVA). Near miss: demand 450 kW, above either floor, billed 450 × 40: nothing due."""
    u = Utility()
    for cid, demand in (("floor", 150.0), ("above", 450.0)):
        u.customer(
            cid, contract_capacity_kva=1000.0, **(TWO_PART | {"basic_charge_basis": "demand"})
        )
        bills = u.monthly(cid, flat(40_000), multiplier=1000.0, tariff="IND2", demand=demand,
                          basis="demand")  # fmt: skip
        for bill in bills:
            bill["basic_charge"] = max(demand, 200.0) * 40.0
            bill["amount"] = bill["energy_charge"] + bill["basic_charge"]
        u.order(cid, "suspension", "2024-01-01", 1000, 500)
    for dataset in (u.dataset(), with_ind1(u, True)):
        found = rules.run(dataset, rules="suspension_overrun").set_index("customer_id")
        assert found["revenue_impact"].to_dict() == pytest.approx({"floor": 48_000.0, "above": 0.0})
        assert (found.loc["floor", "period_from"], found.loc["floor", "period_to"]) == (
            "2024-07",
            "2024-12",
        )

"""Metering rules on hand-made bills: what must fire, near misses that must not, impact by hand."""

from __future__ import annotations

import pytest
from rule_builder import COMMERCIAL, PERIODS, TWO_PART_BY_CAPACITY, WHOLE_DATA, Utility, flat, run

from auditkit import rules
from auditkit.billing.recompute import recompute


def test_multiplier_mismatch_fires_with_revenue_from_the_first_bill():
    u = Utility()
    u.customer(
        "A",
        ct_ratio=40.0,
        usage_type="commercial",
        tariff_category="COM",
        contract_capacity_kva=100.0,
    )
    u.monthly("A", flat(100), multiplier=20.0, tariff="COM")  # archive 200/5 = 40, billed 20
    u.customer(
        "B",
        ct_ratio=10.0,
        pt_ratio=100.0,
        usage_type="commercial",
        tariff_category="COM",
        voltage_kv=10.0,
        contract_capacity_kva=100.0,
    )
    u.monthly("B", flat(1000), multiplier=1000.0, tariff="COM")  # 50/5 × 10000/100: correct
    findings = run(u, "multiplier_mismatch")
    assert findings["customer_id"].tolist() == ["A"]
    row = findings.iloc[0]
    # Registers advanced 5 units a month: 5 × 40 = 200 kWh due, 100 billed, at 0.8 yuan for 12 months.
    assert row["revenue_impact"] == pytest.approx(12 * 100 * 0.8)
    assert (row["period_from"], row["period_to"]) == ("2024-01", "2024-12")
    assert "multiplier 20.00" in row["evidence"] and "= 40.00" in row["evidence"]


def test_register_jump_without_meter_replacement_is_energy_lost():
    u = Utility()
    u.customer("A", usage_type="commercial", tariff_category="COM")
    bills = u.monthly("A", flat(100), tariff="COM")
    for bill in bills[4:]:  # from May the start register is 10 units past April's end
        bill["register_start"] += 10
        bill["register_end"] += 10
    findings = run(u, "register_mismatch")
    assert findings["customer_id"].tolist() == ["A"]
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(10 * 0.8)
    assert findings.iloc[0]["period_from"] == "2024-05"


def test_register_reset_backed_by_meter_replacement_is_not_a_finding():
    u = Utility()
    u.customer("A", usage_type="commercial", tariff_category="COM")
    bills = u.monthly("A", flat(100), tariff="COM")
    register = 0.0
    for bill in bills[4:]:  # a new meter from May starts at zero
        bill["register_start"], bill["register_end"] = register, register + 100
        register += 100
    u.order("A", "meter_replacement", "2024-05-01", "M-old", "M-new")
    assert run(u, "register_mismatch").empty


def _pt_changed_in_july(u: Utility, customer_id: str, july_kwh: float, august_kwh: float) -> None:
    """A shop through CT 5 × PT 10 (archive 50), billed at 40 (300 units, 12,000 kWh a month) until
    its PT goes 8 → 10 on 16 July with the meter kept: an order recording the multiplier 40 → 50,
    its final and first reads both 2,950; the registers run on, July 2,800 → 3,100 at 50, then
    240 units (12,000 kWh at 50) a month."""
    u.customer(customer_id, contract_capacity_kva=160.0, ct_ratio=5.0, pt_ratio=10.0, **COMMERCIAL)
    bills = u.monthly(customer_id, flat(12_000), multiplier=40.0, tariff="COM")
    bills[6].update(register_end=3100.0, multiplier_billed=50.0, kwh_billed=july_kwh)
    bills[6].update(energy_charge=july_kwh * 0.8, amount=july_kwh * 0.8)
    register = 3100.0
    for bill in bills[7:]:
        bill.update(register_start=register, register_end=register + 240.0, multiplier_billed=50.0)
        register += 240.0
    bills[7].update(kwh_billed=august_kwh, energy_charge=august_kwh * 0.8, amount=august_kwh * 0.8)
    u.order(customer_id, "meter_replacement", "2024-07-16", "40", "50")
    u.orders[-1].update(old_final_read=2950.0, new_first_read=2950.0)


def test_a_pt_changed_with_the_meter_kept_is_no_register_mismatch():
    """July joins the two multipliers on one meter: 150 units × 40 + 150 × 50 = 13,500 kWh due.
    Billed so ("right"): nothing (register_mismatch said 300 × 50 = 15,000 less 13,500 = 1,500
    kWh short, ¥1,200.00). Billed 13,000 ("short"): 500 kWh × 0.80 = ¥400.00 left out, counted
    once by register_mismatch on the joined registers (it added 2,000 kWh, ¥1,600.00). Near miss
    ("august"): August billed 11,000 of its 240 × 50 = 12,000 kWh after the change is still
    register_mismatch's, 1,000 kWh × 0.80 = ¥800.00."""
    u = Utility()
    _pt_changed_in_july(u, "right", 13_500.0, 12_000.0)
    _pt_changed_in_july(u, "short", 13_000.0, 12_000.0)
    _pt_changed_in_july(u, "august", 13_500.0, 11_000.0)
    found = run(u, ["register_mismatch", "multiplier_mismatch", "meter_change_energy_lost"])
    by_rule = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert by_rule == pytest.approx(
        {("short", "register_mismatch"): 400.0, ("august", "register_mismatch"): 800.0}
    )


def test_a_joined_bill_without_the_final_read_of_a_meter_kept_is_judged_on_its_first_read():
    """PT 8 → 10 on 16 July with the meter kept, the order recording the first read 2,950 and no
    final read: the meter reads on, 2,950 is where the old multiplier stopped. July 2,800 → 3,100
    is due 150 × 40 + 150 × 50 = 13,500 kWh. Billed 9,000: 4,500 short × 0.80 = ¥3,600.00; billed
    only the part after the change, 150 × 50 = 7,500: 6,000 short, ¥4,800.00 (both were no
    finding). Near miss: billed 13,500, nothing. Found once, by register_mismatch."""
    u = Utility()
    for cid, july_kwh in (("b9000", 9_000.0), ("b7500", 7_500.0), ("right", 13_500.0)):
        _pt_changed_in_july(u, cid, july_kwh, 12_000.0)
        del u.orders[-1]["old_final_read"]
    found = run(u, ["register_mismatch", "multiplier_mismatch", "meter_change_energy_lost"])
    by_rule = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert by_rule == pytest.approx(
        {("b9000", "register_mismatch"): 3_600.0, ("b7500", "register_mismatch"): 4_800.0}
    )


def test_a_joined_bill_short_of_both_parts_is_found_at_its_whole_shortfall():
    """CT 40 → 60 on 3 July with the meter kept (final = first read 2,810): July 2,800 → 3,100 is
    due 10 × 40 + 290 × 60 = 400 + 17,400 = 17,800 kWh. Billed 15,000: 2,800 kWh × 0.80 =
    ¥2,240.00; billed 16,000: 1,800 × 0.80 = ¥1,440.00 (both were ¥320.00, the old part alone).
    Near miss: billed 17,800, nothing."""
    u = Utility()
    for cid, july_kwh in (("short15k", 15_000.0), ("short16k", 16_000.0), ("right", 17_800.0)):
        u.customer(cid, contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
        bills = u.monthly(cid, flat(12_000), multiplier=40.0, tariff="COM")
        bills[6].update(register_end=3100.0, multiplier_billed=60.0, kwh_billed=july_kwh)
        bills[6].update(energy_charge=july_kwh * 0.8, amount=july_kwh * 0.8)
        register = 3100.0
        for bill in bills[7:]:
            bill.update(register_start=register, register_end=register + 200.0)
            bill.update(multiplier_billed=60.0)
            register += 200.0
        u.order(cid, "meter_replacement", "2024-07-03", "40", "60")
        u.orders[-1].update(old_final_read=2810.0, new_first_read=2810.0)
    found = run(u, ["register_mismatch", "multiplier_mismatch", "meter_change_energy_lost"])
    by_rule = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert by_rule == pytest.approx(
        {("short15k", "register_mismatch"): 2_240.0, ("short16k", "register_mismatch"): 1_440.0}
    )


def _ct_changed_in_july(u: Utility, cid: str, multiplier: float, july_kwh: float) -> None:
    """A shop through CT 60 billed at 40 (300 units, 12,000 kWh a month) whose CT goes 40 → 60 on
    3 July with the meter kept (final = first read 2,810): July 2,800 → 3,100 billed at
    `multiplier`, `july_kwh`; then 200 units × 60 = 12,000 kWh a month."""
    u.customer(cid, contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
    bills = u.monthly(cid, flat(12_000), multiplier=40.0, tariff="COM")
    bills[6].update(register_end=3100.0, multiplier_billed=multiplier, kwh_billed=july_kwh)
    bills[6].update(energy_charge=july_kwh * 0.8, amount=july_kwh * 0.8)
    register = 3100.0
    for bill in bills[7:]:
        bill.update(register_start=register, register_end=register + 200.0)
        bill.update(multiplier_billed=60.0)
        register += 200.0
    u.order(cid, "meter_replacement", "2024-07-03", "40", "60")
    u.orders[-1].update(old_final_read=2810.0, new_first_read=2810.0)


def test_a_ct_change_with_the_meter_kept_billed_at_the_old_multiplier_all_month_is_found():
    """July is due 10 × 40 + 290 × 60 = 17,800 kWh. Billed at the old 40 all month ("at40"),
    300 × 40 = 12,000: 5,800 kWh × 0.80 = ¥4,640.00 (was nothing, July taken for the old meter's
    last bill and August's reads "impossible"); at 50 ("at50"), 15,000: 2,800 × 0.80 =
    ¥2,240.00 once by register_mismatch (was multiplier_mismatch's 15,000 × (60 ÷ 50 − 1) =
    3,000 kWh, ¥2,400.00, the old part priced at 60 too). Near miss: at 60, 17,800, nothing.
    The recomputation agrees bill by bill."""
    u = Utility()
    for cid, multiplier, july_kwh in (("at40", 40.0, 12_000.0), ("at50", 50.0, 15_000.0),
                                      ("right", 60.0, 17_800.0)):  # fmt: skip
        _ct_changed_in_july(u, cid, multiplier, july_kwh)
    found = run(u, ["register_mismatch", "multiplier_mismatch", "meter_change_energy_lost"])
    by_rule = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert by_rule == pytest.approx(
        {("at40", "register_mismatch"): 4_640.0, ("at50", "register_mismatch"): 2_240.0}
    )
    recomputed = recompute(u.dataset())
    differences = recomputed[recomputed["difference"].abs() > 0.005]
    assert differences.groupby("customer_id")["difference"].sum().to_dict() == pytest.approx(
        {"at40": 4_640.0, "at50": 2_240.0}
    )


def test_a_meter_kept_without_its_final_read_is_joined_though_billed_at_the_old_multiplier():
    """CT 40 → 60 on 16 July, the meter kept, the order recording the first read 2,850 and no
    final read ("keptnf") or both 2,850 ("keptf"): July 2,800 → 2,900 billed 100 × 40 = 4,000 kWh
    of 50 × 40 + 50 × 60 = 5,000 due, 1,000 × 0.80 = ¥800.00 (keptnf was meter_change_energy_lost
    ¥2,400.00 "never billed", keptf nothing). Near miss: two meters named (E-OLD → E-NEW, a
    refurbished new meter at 3,000, no final read), July 2,800 → 3,100 billed (150 + 100) × 40 =
    10,000 kWh: the order's first read is not where the old meter stopped, nothing (was
    register_mismatch ¥1,600.00 and the recomputation +¥1,600.00 on a right bill)."""
    u = Utility()
    for cid, final in (("keptnf", None), ("keptf", 2850.0)):
        u.customer(cid, contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
        july = [*flat(12_000, 6), 4_000.0, *flat(18_000, 5)]
        bills = u.monthly(cid, july, multiplier=40.0, tariff="COM")
        bills[6].update(register_start=2800.0, register_end=2900.0)
        register = 2900.0
        for bill in bills[7:]:
            bill.update(register_start=register, register_end=register + 300.0)
            bill.update(multiplier_billed=60.0)
            register += 300.0
        u.order(cid, "meter_replacement", "2024-07-16", "40", "60")
        u.orders[-1].update(new_first_read=2850.0)
        if final is not None:
            u.orders[-1].update(old_final_read=final)
    u.customer("two_meters", contract_capacity_kva=160.0, ct_ratio=40.0, **COMMERCIAL)
    bills = u.monthly("two_meters", flat(12_000), multiplier=40.0, tariff="COM")
    bills[6].update(register_end=3100.0, kwh_billed=10_000.0, energy_charge=8_000.0)
    bills[6].update(amount=8_000.0)
    register = 3100.0
    for bill in bills[7:]:
        bill.update(register_start=register, register_end=register + 300.0)
        register += 300.0
    u.order("two_meters", "meter_replacement", "2024-07-16", "E-OLD", "E-NEW")
    u.orders[-1].update(new_first_read=3000.0)
    found = run(u, ["register_mismatch", "multiplier_mismatch", "meter_change_energy_lost"])
    by_rule = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert by_rule == pytest.approx(
        {("keptnf", "register_mismatch"): 800.0, ("keptf", "register_mismatch"): 800.0}
    )
    recomputed = recompute(u.dataset())
    differences = recomputed[recomputed["difference"].abs() > 0.005]
    assert differences.groupby("customer_id")["difference"].sum().to_dict() == pytest.approx(
        {"keptnf": 800.0, "keptf": 800.0}
    )


def test_billed_energy_below_registers_and_rounding_tolerance():
    u = Utility()
    u.customer("A", usage_type="commercial", tariff_category="COM")
    bills = u.monthly("A", flat(100), tariff="COM")
    bills[2]["kwh_billed"] = 60.0  # registers say 100
    u.customer("B", usage_type="commercial", tariff_category="COM")
    near = u.monthly("B", flat(100), tariff="COM")
    near[2]["kwh_billed"] = 99.7  # within the 0.5 kWh rounding tolerance
    findings = run(u, "register_mismatch")
    assert findings["customer_id"].tolist() == ["A"]
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(40 * 0.8)
    assert "charged 40 kWh less" in findings.iloc[0]["evidence"]


def test_register_running_backwards_is_flagged():
    u = Utility()
    u.customer("A")
    bills = u.monthly("A", flat(100))
    bills[11]["register_end"] = bills[11]["register_start"] - 5
    bills[11]["kwh_billed"] = 0.0
    findings = run(u, "register_mismatch")
    assert findings["customer_id"].tolist() == ["A"]
    assert "running backwards" in findings.iloc[0]["evidence"]


def test_meter_test_overdue_against_cycle_and_audit_date():
    u = Utility()
    u.customer("late", meter_test_date=pd_ts("2022-06-01"), meter_test_cycle_months=12)
    u.customer("fresh", meter_test_date=pd_ts("2024-03-01"), meter_test_cycle_months=12)
    u.customer(
        "closed", status="closed", meter_test_date=pd_ts("2020-01-01"), meter_test_cycle_months=12
    )
    u.customer("no_cycle")
    for cid in ("late", "fresh", "closed", "no_cycle"):
        u.monthly(cid, flat(100))
    findings = run(u, "meter_test_overdue")
    assert findings["customer_id"].tolist() == ["late"]
    assert findings.iloc[0]["revenue_impact"] == 0
    assert "due 2023-06" in findings.iloc[0]["evidence"]
    # As of March 2023 the same meter was still within its cycle.
    assert run(u, "meter_test_overdue", as_of="2024-01")["customer_id"].tolist() == ["late"]


def pd_ts(text: str):
    import pandas as pd

    return pd.Timestamp(text)


def test_a_multiplier_changed_by_a_meter_replacement_order_is_due_from_its_month():
    u = Utility()
    # Today's archive: CT 30 (multiplier 30); a replacement on 15 July raised it from 20.
    for customer_id, july in (("replaced", 20.0), ("wrong", 25.0)):
        u.customer(customer_id, ct_ratio=30.0, **COMMERCIAL)
        u.monthly(customer_id, flat(3000, 6), multiplier=20.0, tariff="COM", periods=PERIODS[:6])
        u.monthly(customer_id, flat(3000, 1), multiplier=july, tariff="COM",
                  periods=PERIODS[6:7], start_register=1900.0)  # fmt: skip
        u.monthly(customer_id, flat(3000, 5), multiplier=30.0, tariff="COM", periods=PERIODS[7:],
                  start_register=1900.0 + 3000 / july)  # fmt: skip
        u.order(customer_id, "meter_replacement", "2024-07-15", 20, 30)
    found = run(u, "multiplier_mismatch")
    # June and before at 20, July at the old or the new value, then 30: all as due. A July
    # bill at 25 is neither: 3 000 × (30 / 25 − 1) = 600 kWh × 0.80 = 480.00.
    assert found["customer_id"].tolist() == ["wrong"]
    assert found.iloc[0]["period_from"] == "2024-07" and found.iloc[0]["period_to"] == "2024-07"
    assert found.iloc[0]["revenue_impact"] == pytest.approx(480.0)


def ct_swapped_with_meter(u: Utility, customer_id: str, new: float, old_value: object) -> None:
    """A shop archived today on CT 60, 12,000 kWh a month in 2024 billed at multiplier 40 to
    June (300 units) and at `new` from July (12,000 / `new` units a month on a new meter from
    0), the meter replaced on 1 July by an order whose old value is `old_value` (new value alike)
    and whose reads join (the old meter's last read, the new one's first)."""
    u.customer(customer_id, contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
    bills = u.monthly(customer_id, flat(12_000), multiplier=40.0, tariff="COM", periods=PERIODS)
    for month, bill in enumerate(bills[6:]):
        units = 12_000 / new
        bill.update(register_start=month * units, register_end=(month + 1) * units,
                    multiplier_billed=new)  # fmt: skip
    u.order(customer_id, "meter_replacement", "2024-07-01", old_value, old_value)
    u.orders[-1].update(old_final_read=bills[5]["register_end"], new_first_read=0.0)


def test_a_ct_change_at_a_replacement_recording_meter_numbers_does_not_fire_multiplier_mismatch():
    u = Utility()
    # CT 40 → 60 with the meter, the order holding meter numbers or nothing: the bills'
    # multiplier changed exactly at the replacement, so 40 before it is the bills' (was "proved"
    # 6 × 300 × 20 = 36,000 kWh × 0.80 = ¥28,800.00).
    ct_swapped_with_meter(u, "meter_numbers", 60.0, "E-0012345")
    ct_swapped_with_meter(u, "empty", 60.0, "")
    # Near misses: a meter-only swap, billed at 40 throughout against CT 60: 12 × 300 × 20 =
    # 72,000 kWh × 0.80 = 57,600.00; and an order recording 60 before it: 6 × 300 × 20 =
    # 36,000 kWh × 0.80 = 28,800.00.
    ct_swapped_with_meter(u, "meter_only", 40.0, "E-0012345")
    ct_swapped_with_meter(u, "recorded_60", 60.0, "60")
    found = run(u, "multiplier_mismatch").set_index("customer_id")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"meter_only": 57_600.0, "recorded_60": 28_800.0}
    )


def ct_swapped_inside_the_last_bill(u: Utility, customer_id: str, old_value: object) -> None:
    """The shop of `ct_swapped_with_meter` swapped CT 40 → 60 with the meter on 16 December,
    inside the last bill's read period: 300 units a month at 40 to November (registers 1,000 to
    4,300); December starts on the new meter's first read 0 and bills its 100 units at 60
    (6,000 kWh) plus the old meter's 150 units from its 4,300 read to its final 4,450 at 40
    (6,000 kWh, 换表电量): 12,000 kWh. The order's old and new values are `old_value`."""
    u.customer(customer_id, contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
    bills = u.monthly(customer_id, flat(12_000), multiplier=40.0, tariff="COM", periods=PERIODS)
    bills[11].update(register_start=0.0, register_end=100.0, multiplier_billed=60.0)
    u.order(customer_id, "meter_replacement", "2024-12-16", old_value, old_value)
    u.orders[-1].update(old_final_read=4450.0, new_first_read=0.0)


def test_a_ct_change_inside_the_last_bills_read_period_is_judged_on_the_multiplier_before_it():
    """No bill is read wholly after a swap inside the last bill's period, so an order recording
    meter numbers left the multiplier before it unknown and the bills before it were judged on
    the archive's new 60: 11 bills × 300 units × (60 − 40) = 66,000 kWh × 0.80 = ¥52,800.00
    "proved". December, the swap's bill, is the new meter's and billed 60: 40 before it is the
    bills'. Near misses: an order recording 60 before it, 11 × 300 × 20 × 0.80 = 52,800.00; a
    meter-only swap billed 40 in December too, 12 × 300 × 20 × 0.80 = 57,600.00."""
    u = Utility()
    ct_swapped_inside_the_last_bill(u, "meter_numbers", "E-0012345")
    ct_swapped_inside_the_last_bill(u, "recorded_60", "60")
    ct_swapped_inside_the_last_bill(u, "meter_only", "E-0012345")
    meter_only = [bill for bill in u.bills if bill["customer_id"] == "meter_only"]
    meter_only[11].update(register_end=150.0, multiplier_billed=40.0)  # 150 new units at 40
    found = run(u, ["multiplier_mismatch", "meter_change_energy_lost"])
    assert found.set_index("customer_id")["revenue_impact"].to_dict() == pytest.approx(
        {"recorded_60": 52_800.0, "meter_only": 57_600.0}
    )
    assert set(found["rule_id"]) == {"multiplier_mismatch"}


# --- kWh left out of a bill on the wrong tariff: due at the tariff due ------------------------


def test_a_joined_bill_billing_both_meters_at_the_new_multiplier_does_not_make_the_old_one_due():
    """Archive CT 60, right all year; January to November billed at 40; a meter-only swap on 16
    December (meter numbers) and December joining old 4,300 → final 4,450 and new 0 → 100,
    billing all 250 units at 60 = 15,000 kWh. That one bill made 40 the multiplier before the
    swap, so nothing was found: 11 bills × 300 units × (60 − 40) = 66,000 kWh × 0.80 =
    ¥52,800.00 short. Near miss: December billing the old meter's 150 units at 40 and the new
    one's 100 at 60 (12,000 kWh) shows the CT changed with the meter: 40 before, nothing."""
    u = Utility()
    for customer_id, kwh in (("all_at_60", 15_000.0), ("joined_at_40", 12_000.0)):
        u.customer(customer_id, contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
        bills = u.monthly(customer_id, flat(12_000), multiplier=40.0, tariff="COM")
        bills[11].update(register_start=4300.0, register_end=100.0, multiplier_billed=60.0)
        bills[11].update(kwh_billed=kwh, energy_charge=kwh * 0.8, amount=kwh * 0.8)
        u.order(customer_id, "meter_replacement", "2024-12-16", "E-1", "E-2")
        u.orders[-1].update(old_final_read=4450.0, new_first_read=0.0)
    found = run(u, ["multiplier_mismatch", "meter_change_energy_lost"])
    assert found.set_index("customer_id")["revenue_impact"].to_dict() == pytest.approx(
        {"all_at_60": 52_800.0}
    )


def test_bills_before_a_meter_swap_are_priced_at_the_multiplier_due_then():
    """The kWh a bill before a swap left out are those of the multiplier due then, not of the
    archive's (the new meter's). CT 40 → 60 swapped with the meter on 16 December (meter
    numbers), December joining 150 old units × 40 + 100 new × 60; March alone billed at 20:
    300 units × (40 − 20) = 6,000 kWh × 0.80 = ¥4,800.00, not 300 × (60 − 20) = 12,000 kWh,
    ¥9,600.00. An order recording the old multiplier 40, the 11 bills before it at 30 (9,000
    kWh each): 11 × 300 × (40 − 30) = 33,000 kWh × 0.80 = ¥26,400.00, not 11 × 300 × 30 =
    99,000 kWh, ¥79,200.00. Near miss: the bills after that swap billed at 60, due: nothing."""
    u = Utility()
    u.customer("march20", contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
    bills = u.monthly("march20", flat(12_000), multiplier=40.0, tariff="COM")
    bills[11].update(register_start=4300.0, register_end=100.0, multiplier_billed=60.0)
    bills[2].update(multiplier_billed=20.0, kwh_billed=6000.0, energy_charge=4800.0)
    bills[2]["amount"] = 4800.0
    u.order("march20", "meter_replacement", "2024-12-16", "E-1", "E-2")
    u.orders[-1].update(old_final_read=4450.0, new_first_read=0.0)
    u.customer("rec40", contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
    bills = u.monthly("rec40", flat(9_000), multiplier=30.0, tariff="COM")
    bills[11].update(register_start=0.0, register_end=200.0, multiplier_billed=60.0)
    u.order("rec40", "meter_replacement", "2024-12-01", "40", "60")
    u.orders[-1].update(old_final_read=4300.0, new_first_read=0.0)
    found = run(u, ["multiplier_mismatch"])
    assert found.set_index("customer_id")["revenue_impact"].to_dict() == pytest.approx(
        {"march20": 4_800.0, "rec40": 26_400.0}
    )


def test_evidence_and_score_of_bills_before_a_swap_name_the_multiplier_due_not_the_archives():
    """An order recording the old multiplier 40 (CT 40 → 60 on 1 December), the 11 bills
    before it at 30: priced at 40, 11 × 300 × (40 − 30) = 33,000 kWh × 0.80 = ¥26,400.00, so
    the evidence says 40 is due (the archive's 60 after the swap) and the score is
    0.5 + |1 − 30 / 40| = 0.75, not 0.5 + |1 − 30 / 60| = 1.0. Near miss: bills at 30 with no
    swap, the archive's 60 due and said: 12 × 300 × 30 = 108,000 kWh × 0.80 = ¥86,400.00,
    score 1.0."""
    u = Utility()
    u.customer("rec40", contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
    bills = u.monthly("rec40", flat(9_000), multiplier=30.0, tariff="COM")
    bills[11].update(register_start=0.0, register_end=200.0, multiplier_billed=60.0)
    u.order("rec40", "meter_replacement", "2024-12-01", "40", "60")
    u.orders[-1].update(old_final_read=4300.0, new_first_read=0.0)
    u.customer("archive", contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
    u.monthly("archive", flat(9_000), multiplier=30.0, tariff="COM")
    found = run(u, ["multiplier_mismatch"]).set_index("customer_id")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"rec40": 26_400.0, "archive": 86_400.0}
    )
    assert found["score"].to_dict() == pytest.approx({"rec40": 0.75, "archive": 1.0})
    zh = dict(zip(found.index, rules.evidence_text(found.reset_index(), "zh"), strict=True))
    assert found.loc["rec40", "evidence"] == (
        "11 bills 2024-01..2024-11 used multiplier 30.00 where the multiplier due is 40.00 "
        "(before a meter replacement its old multiplier, after it the archive's CT 60.00 × "
        "PT 1.00 = 60.00): 33,000 kWh not billed (¥26,400.00)"
    )
    assert zh["rec40"] == (
        "2024-01 至 2024-11 共 11 期账单按倍率 30.00 计费，而应收倍率为 40.00（换表前为原倍率，"
        "换表后为档案倍率 CT 60.00 × PT 1.00 = 60.00）：少计电量 33,000 千瓦时（涉及电费 26,400.00 元）"
    )
    assert found.loc["archive", "evidence"].startswith(
        "12 bills 2024-01..2024-12 used multiplier 30.00 where the archive has CT 60.00 × PT 1.00 "
        "= 60.00: 108,000 kWh not billed"
    )


def test_the_old_meters_last_bill_in_the_swap_month_is_due_the_multiplier_before():
    """CT 40 → 60 swapped with the meter on 16 July (archive 60); July reads the old meter
    alone, 2,800 → its final 2,950, billed at 20: 150 × 20 = 3,000 kWh. Due 150 × 40 = 6,000:
    3,000 kWh × 0.80 = ¥2,400.00 (was priced at the new 60, 150 × 40 = 6,000 kWh, ¥4,800.00),
    whether the order records 40 ("jul20") or meter numbers, the bills telling 40 ("jul20n").
    The recomputation prices July at 6,000 kWh too (was 150 × 60 = 9,000). Near miss ("right"):
    July billed at 40, 6,000 kWh: nothing."""
    u = Utility()
    for customer_id, multiplier, old in (
        ("jul20", 20.0, "40"),
        ("jul20n", 20.0, "E-1"),
        ("right", 40.0, "40"),
    ):
        u.customer(customer_id, contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
        bills = u.monthly(customer_id, flat(12_000), multiplier=40.0, tariff="COM")
        kwh = 150.0 * multiplier
        bills[6].update(register_end=2950.0, multiplier_billed=multiplier, kwh_billed=kwh)
        bills[6].update(energy_charge=kwh * 0.8, amount=kwh * 0.8)
        for month, bill in enumerate(bills[7:]):
            bill.update(
                register_start=200.0 * month,
                register_end=200.0 * (month + 1),
                multiplier_billed=60.0,
            )
        u.order(customer_id, "meter_replacement", "2024-07-16", old, "60")
        u.orders[-1].update(old_final_read=2950.0, new_first_read=0.0)
    found = run(u, ["multiplier_mismatch", "meter_change_energy_lost"])
    assert found.set_index("customer_id")["revenue_impact"].to_dict() == pytest.approx(
        {"jul20": 2_400.0, "jul20n": 2_400.0}
    )
    recomputed = recompute(u.dataset())
    july = recomputed[(recomputed["period"] == "2024-07") & (recomputed["line_type"] == "energy")]
    assert july.set_index("customer_id")["quantity_due"].to_dict() == pytest.approx(
        {"jul20": 6_000.0, "jul20n": 6_000.0, "right": 6_000.0}
    )


def test_a_net_over_billing_is_said_to_refund_not_as_no_money():
    """An order recording CT 40 → 60 on 1 December; January to November billed at 50 where
    40 was due: 11 × 300 × (50 − 40) = 33,000 kWh × 0.80 = ¥26,400.00 billed too much, to
    refund, no revenue (was "(¥0.00)"). At the archive's 60 where 40 was due ("over60"): 11 ×
    300 × 20 = 66,000 kWh × 0.80 = ¥52,800.00 to refund (was no finding: only bills off the
    archive's multiplier were looked at). Near miss: the same at 30, 33,000 kWh short,
    ¥26,400.00 revenue said as such."""
    u = Utility()
    for customer_id, multiplier in (("over50", 50.0), ("over60", 60.0), ("under30", 30.0)):
        u.customer(customer_id, contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
        bills = u.monthly(customer_id, flat(12_000), multiplier=40.0, tariff="COM")
        for bill in bills[:11]:
            kwh = 300.0 * multiplier
            bill.update(multiplier_billed=multiplier, kwh_billed=kwh)
            bill.update(energy_charge=kwh * 0.8, amount=kwh * 0.8)
        bills[11].update(multiplier_billed=60.0, kwh_billed=18_000.0)
        bills[11].update(energy_charge=14_400.0, amount=14_400.0)
        u.order(customer_id, "meter_replacement", "2024-12-01", "40", "60")
        u.orders[-1].update(old_final_read=4300.0, new_first_read=4300.0)
    found = run(u, ["multiplier_mismatch"]).set_index("customer_id")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"over50": 0.0, "over60": 0.0, "under30": 26_400.0}
    )
    assert found.loc["over60", "evidence"].endswith(
        ": 66,000 kWh billed too much; over-billed ¥52,800.00 (to refund, not counted as revenue)"
    )
    assert found.loc["over50", "evidence"].endswith(
        ": 33,000 kWh billed too much; over-billed ¥26,400.00 (to refund, not counted as revenue)"
    )
    assert found.loc["under30", "evidence"].endswith(": 33,000 kWh not billed (¥26,400.00)")


def test_bills_before_two_swaps_in_one_bill_recording_no_old_multiplier_are_not_judged():
    """Archive CT 60; January to November billed at 40; December joins three meters, 40 → 50 on
    5 December (old 4,300 → final 4,340) and 50 → 60 on 20 December (0 → final 30, the third
    0 → 50): 40 × 40 + 30 × 50 + 50 × 60 = 6,100 kWh, all billed. Orders recording meter
    numbers: the multiplier before them is not known (which units of December are whose is
    not), so the 40 is not proved wrong (was 11 × 300 × (60 − 40) = 66,000 kWh × 0.80 =
    ¥52,800.00). Near miss: the same bills at 40 with no swap, the archive's 60 due all year:
    12 × 300 × 20 = 72,000 kWh × 0.80 = ¥57,600.00."""
    u = Utility()
    u.customer("two", contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
    bills = u.monthly("two", flat(12_000), multiplier=40.0, tariff="COM")
    bills[11].update(register_start=4300.0, register_end=50.0, multiplier_billed=60.0)
    bills[11].update(kwh_billed=6100.0, energy_charge=4880.0, amount=4880.0)  # 6,100 × 0.8
    for day, final, old, new in (
        ("2024-12-05", 4340.0, "E-1", "E-2"),
        ("2024-12-20", 30.0, "E-2", "E-3"),
    ):
        u.order("two", "meter_replacement", day, old, new)
        u.orders[-1].update(old_final_read=final, new_first_read=0.0)
    u.customer("no_swap", contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
    u.monthly("no_swap", flat(12_000), multiplier=40.0, tariff="COM")
    found = run(u, ["multiplier_mismatch"])
    assert found.set_index("customer_id")["revenue_impact"].to_dict() == pytest.approx(
        {"no_swap": 57_600.0}
    )


def _on_agr(u: Utility, customer_id: str, **archive: object) -> list[dict]:
    """A shop archived and billed on AGR (0.4, agricultural): tariff_mismatch finds COM (0.8)
    due. 100 kWh billed a month."""
    u.customer(customer_id, usage_type="commercial", tariff_category="AGR", **archive)
    return u.monthly(customer_id, flat(100), tariff="AGR")


def test_a_multiplier_shortfall_on_the_wrong_tariff_is_priced_at_the_tariff_due():
    """CT 2 in the archive, billed at 1: 100 kWh a month left out. tariff_mismatch prices the
    kWh billed, 12 × 100 × (0.8 − 0.4) = 480.00; multiplier_mismatch the kWh left out at the
    tariff due, 12 × 100 × 0.8 = 960.00 (at the tariff billed it was 480.00, and the two
    tariffs' difference on those kWh was counted by neither). Together 1 440.00: 12 × (200 ×
    0.8 − 100 × 0.4), what the year owed less what it was billed."""
    u = Utility()
    _on_agr(u, "shop", ct_ratio=2.0)
    found = run(u, ["tariff_mismatch", "multiplier_mismatch"], params=WHOLE_DATA)
    found = found.set_index("rule_id")
    assert found.loc["tariff_mismatch", "revenue_impact"] == pytest.approx(480.00)
    assert found.loc["multiplier_mismatch", "revenue_impact"] == pytest.approx(960.00)
    alone = run(u, "multiplier_mismatch")
    assert alone["revenue_impact"].tolist() == pytest.approx([960.00])


def test_a_multiplier_shortfall_on_the_tariff_due_keeps_its_rate():
    """The near miss: the same shop on COM, its tariff right: 12 × 100 × 0.8 = 960.00 as before,
    and no tariff finding."""
    u = Utility()
    u.customer("shop", ct_ratio=2.0, **COMMERCIAL)
    u.monthly("shop", flat(100), tariff="COM")
    found = run(u, ["tariff_mismatch", "multiplier_mismatch"])
    assert found["rule_id"].tolist() == ["multiplier_mismatch"]
    assert found["revenue_impact"].tolist() == pytest.approx([960.00])


def test_a_register_shortfall_on_the_wrong_tariff_is_priced_at_the_tariff_due():
    """March billed 60 kWh of its 100 registered, on AGR where COM is due: register_mismatch
    prices the 40 kWh at 0.8, 32.00; tariff_mismatch the 1 160 kWh billed at 0.4, 464.00.
    Together 496.00 = 1 200 × 0.8 − 1 160 × 0.4."""
    u = Utility()
    _on_agr(u, "shop")[2]["kwh_billed"] = 60.0
    found = run(u, ["tariff_mismatch", "register_mismatch"], params=WHOLE_DATA)
    found = found.set_index("rule_id")
    assert found.loc["register_mismatch", "revenue_impact"] == pytest.approx(32.00)
    assert found.loc["tariff_mismatch", "revenue_impact"] == pytest.approx(464.00)


def test_kwh_left_out_where_the_tariff_due_is_cheaper_are_priced_lower_and_said_so():
    """A pump (agricultural) billed on COM (0.8) where AGR (0.4) is due, CT 2 billed at 1: the
    100 kWh a month left out are due at 0.4, 12 × 100 × 0.4 = 480.00, and the evidence says the
    tariff due took 480.00 off (not "-¥480.00 more")."""
    u = Utility()
    u.customer("pump", usage_type="agricultural", tariff_category="COM", ct_ratio=2.0)
    u.monthly("pump", flat(100), tariff="COM")
    found = run(u, "multiplier_mismatch").set_index("customer_id")
    assert found.loc["pump", "revenue_impact"] == pytest.approx(480.00)
    assert (
        "priced at AGR, the tariff due: ¥480.00 less than at the tariff billed"
        in (found.loc["pump", "evidence"])
    )
    chinese = rules.evidence_text(found.reset_index(), "zh").iat[0]
    assert "少计电量按应执行电价 AGR 计价，比按现行电价少 480.00 元" in chinese


def test_a_demand_charge_read_through_a_wrong_multiplier_is_short_on_the_bills_by_demand():
    """A 630 kVA IND2 customer metered through CT 10 × PT 100 = 1,000, billed at 500 all year:
    50,000 of 100,000 kWh a month, 50,000 × 0.6 = 30,000.00 short. By demand until June
    (basis_change demand → capacity effective 1 July; the archive, today's, says capacity), its
    150 kW billed (300 kW read at 1,000) × 40 = 6,000.00 short by the same ratio each month;
    from July by capacity (630 × 30), not read through the meter. 12 × 30,000.00 + 6 × 6,000.00
    = ¥396,000.00 (the demand months' charge was left out on today's basis: ¥360,000.00)."""
    u = Utility()
    u.customer("switched", contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "switched",
        flat(50_000),
        multiplier=500.0,
        tariff="IND2",
        capacity=[None] * 6 + [630.0] * 6,
        demand=[150.0] * 6 + [None] * 6,
        basis=["demand"] * 6 + ["capacity"] * 6,
    )
    u.order("switched", "basis_change", "2024-07-01", "demand", "capacity")
    found = run(u, "multiplier_mismatch")
    assert found["revenue_impact"].tolist() == pytest.approx([12 * 30_000 + 6 * 6_000])


def _two_swaps_in_december(u: Utility, cid: str, november_multiplier: float) -> None:
    """A shop through CT 60 billed at 40 (300 units, 12,000 kWh a month, November ending 4,300)
    whose December holds two swaps: 5 December CT 40 → 50 (final 4,350, first 0), 20 December
    50 → 60 (final 40, first 0); December 4,300 → 100 billed right, 50 × 40 + 40 × 50 + 100 ×
    60 = 10,000 kWh; November billed at `november_multiplier`."""
    u.customer(cid, contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
    bills = u.monthly(cid, flat(12_000), multiplier=40.0, tariff="COM")
    november_kwh = 300.0 * november_multiplier
    bills[10].update(multiplier_billed=november_multiplier, kwh_billed=november_kwh)
    bills[10].update(energy_charge=november_kwh * 0.8, amount=november_kwh * 0.8)
    bills[11].update(register_end=100.0, multiplier_billed=60.0, kwh_billed=10_000.0)
    bills[11].update(energy_charge=8_000.0, amount=8_000.0)
    for day, final, old, new in (
        ("2024-12-05", 4350.0, "40", "50"),
        ("2024-12-20", 40.0, "50", "60"),
    ):
        u.order(cid, "meter_replacement", day, old, new)
        u.orders[-1].update(old_final_read=final, new_first_read=0.0)


def test_the_old_meters_last_bill_before_two_swaps_is_due_the_multiplier_before_the_first():
    """November reads meter A alone, before A → B (40 → 50) and B → C (50 → 60) in December: due
    at 40, A's, as the recomputation prices it, not 50, the middle meter's (was 300 × 10 = 3,000
    kWh × 0.80 = ¥2,400.00 on a right bill). Near miss: November billed at 30, 300 × (40 − 30)
    = 3,000 kWh × 0.80 = ¥2,400.00."""
    u = Utility()
    _two_swaps_in_december(u, "right", 40.0)
    _two_swaps_in_december(u, "low", 30.0)
    found = run(u, "multiplier_mismatch")
    assert found.set_index("customer_id")["revenue_impact"].to_dict() == pytest.approx(
        {"low": 2_400.0}
    )


def test_a_bill_holding_two_swaps_billed_short_of_its_three_meters_is_found():
    """December 4,300 → 100 across A → B (40 → 50) and B → C (50 → 60) is due 50 × 40 + 40 × 50
    + 100 × 60 = 10,000 kWh; billed C's 100 × 60 = 6,000 alone: 4,000 kWh × 0.80 = ¥3,200.00 by
    register_mismatch, as the recomputation (was no finding). Near miss: billed 10,000,
    nothing."""
    u = Utility()
    _two_swaps_in_december(u, "short", 40.0)
    december = u.bills[-1]
    december.update(kwh_billed=6_000.0, energy_charge=4_800.0, amount=4_800.0)
    _two_swaps_in_december(u, "right", 40.0)
    found = run(u, ["register_mismatch", "multiplier_mismatch", "meter_change_energy_lost"])
    by_rule = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert by_rule == pytest.approx({("short", "register_mismatch"): 3_200.0})


def test_bills_before_a_swap_whose_reads_no_meter_can_show_are_not_judged_on_the_archive():
    """CT 40 → 60 swapped on 16 December by an order recording meter numbers; December starts
    on the new meter 0 → 100 at 60 and adds the old meter's 150 units at 40 (6,000 + 6,000 =
    12,000 kWh), but the order's final read 4,200 is below November's end 4,300: no read tells
    the multiplier before, so the 11 bills at 40 are not judged against the archive's 60 (was
    11 × 300 × 20 × 0.80 = ¥52,800.00). Near miss: the final read 4,450, 150 units past 4,300:
    December billed them at 40, 40 is due before the swap, nothing either. Near miss: the
    final read 4,450 and December adding the 150 units at 60 too (15,000 kWh): the swap
    changed no multiplier, the archive's 60 is due before it, 11 × 300 × 20 × 0.80 =
    ¥52,800.00."""
    u = Utility()
    for cid, final, december in (("low", 4200.0, 12_000.0), ("read", 4450.0, 12_000.0),
                                 ("meter_only", 4450.0, 15_000.0)):  # fmt: skip
        u.customer(cid, contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
        bills = u.monthly(cid, flat(12_000), multiplier=40.0, tariff="COM")
        bills[11].update(register_start=0.0, register_end=100.0, multiplier_billed=60.0)
        bills[11].update(kwh_billed=december, energy_charge=december * 0.8, amount=december * 0.8)
        u.order(cid, "meter_replacement", "2024-12-16", f"M-{cid}", f"N-{cid}")
        u.orders[-1].update(old_final_read=final, new_first_read=0.0)
    found = run(u, "multiplier_mismatch")
    assert found.set_index("customer_id")["revenue_impact"].to_dict() == pytest.approx(
        {"meter_only": 52_800.0}
    )


def test_the_recomputation_leaves_bills_before_a_swap_of_unknown_multiplier_unjudged_and_says_so():
    """As multiplier_mismatch: CT 60 archived today, January to November billed at 40 (300
    units, 12,000 kWh), a swap on 16 December recording meter numbers and a final read 4,200
    below November's end 4,300. The recomputation "proved" 11 × 300 × (60 − 40) × 0.80 =
    ¥52,800.00 on them; now their kWh billed are due and the note names them. Near miss: the
    final read 4,450 and December billing the 150 units at 60 too: the swap changed no
    multiplier, 60 is due before it, 11 × 4,800 = ¥52,800.00 and no such note."""
    u = Utility()
    for cid, final, december in (("low", 4200.0, 12_000.0), ("meter_only", 4450.0, 15_000.0)):
        u.customer(cid, contract_capacity_kva=160.0, ct_ratio=60.0, **COMMERCIAL)
        bills = u.monthly(cid, flat(12_000), multiplier=40.0, tariff="COM")
        bills[11].update(register_start=0.0, register_end=100.0, multiplier_billed=60.0)
        bills[11].update(kwh_billed=december, energy_charge=december * 0.8, amount=december * 0.8)
        u.order(cid, "meter_replacement", "2024-12-16", f"M-{cid}", f"N-{cid}")
        u.orders[-1].update(old_final_read=final, new_first_read=0.0)
    recomputed = recompute(u.dataset())
    differences = recomputed[recomputed["difference"].abs() > 0.005]
    assert differences.groupby("customer_id")["difference"].sum().to_dict() == pytest.approx(
        {"meter_only": 52_800.0}
    )
    notes = {note.code: note.values for note in recomputed.attrs["notes"]}
    assert notes["swap_multiplier_unknown"]["count"] == 11
    assert notes["swap_multiplier_unknown"]["bills"].startswith("low 2024-01, low 2024-02")

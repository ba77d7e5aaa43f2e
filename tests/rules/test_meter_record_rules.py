"""Meter records by hand: energy lost at a meter replacement, a meter error back-billed over half
the time since its last test, and metering alarms nobody inspected, with their near misses."""

from __future__ import annotations

import pandas as pd
import pytest
from itemized_builder import INDUSTRIAL, Itemized
from rule_builder import COMMERCIAL, TWO_PART_BY_CAPACITY, Utility, flat

from auditkit import rules
from auditkit.data import Dataset


def findings_of(u: Utility, rule_id: str, as_of: str | None = None, **tables: list[dict]):
    """Findings of `rule_id` on the utility with the extra tables given as rows."""
    frames = u.tables() | {name: pd.DataFrame(rows) for name, rows in tables.items()}
    return rules.run(Dataset.from_frames(frames), rules=rule_id, as_of=as_of).set_index(
        "customer_id"
    )


# --- meter_change_energy_lost ------------------------------------------------------------------


def _replaced_in_july(
    u: Utility, cid: str, old_final: float, new_first: float, first_start: float = 0.0, **bill
) -> None:
    """A household metered through CT 40 (4,000 kWh a month): the old meter ends June at
    1,000 + 6 × 100 = 1,600 units; the new meter's first bill (July) starts at `first_start`."""
    u.customer(cid, ct_ratio=40.0)
    u.monthly(cid, flat(4000, 6), multiplier=40.0, periods=[f"2024-{m:02d}" for m in range(1, 7)])
    u.monthly(
        cid,
        flat(4000, 6),
        multiplier=40.0,
        periods=[f"2024-{m:02d}" for m in range(7, 13)],
        start_register=first_start,
        **bill,
    )
    u.order(cid, "meter_replacement", "2024-07-01", old=f"M-{cid}", new=f"N-{cid}")
    u.orders[-1] |= {"old_final_read": old_final, "new_first_read": new_first}


def test_old_meter_read_beyond_its_last_bill_is_energy_never_billed_at_the_rate_due_after():
    u = Utility()
    _replaced_in_july(u, "A", old_final=1650.0, new_first=0.0)
    found = findings_of(u, "meter_change_energy_lost")
    # 50 units × CT 40 = 2,000 kWh, priced at July's household rate 0.6 (0.5 until June).
    assert found.loc["A", "revenue_impact"] == pytest.approx(2000 * 0.6)
    assert (found.loc["A", "period_from"], found.loc["A", "period_to"]) == ("2024-07", "2024-07")
    assert found.loc["A", "evidence"] == (
        "meter replaced 2024-07-01: the old meter's final read 1,650.00 is beyond the last billed "
        "read 1,600.00 (2024-06): 2,000 kWh never billed (¥1,200.00)"
    )


def test_new_meter_first_read_below_its_first_bill_start_is_energy_never_billed():
    u = Utility()
    _replaced_in_july(u, "A", old_final=1600.0, new_first=0.0, first_start=30.0)
    found = findings_of(u, "meter_change_energy_lost")
    assert found.loc["A", "revenue_impact"] == pytest.approx(30 * 40 * 0.6)
    assert "first read 0.00 is below the start register 30.00" in found.loc["A", "evidence"]


def test_swaps_among_customers_without_swaps_find_each_customers_own_bills():
    u = Utility()
    u.customer("before", ct_ratio=40.0)
    u.monthly("before", flat(4000), multiplier=40.0)
    _replaced_in_july(u, "A", old_final=1650.0, new_first=0.0)
    u.customer("between", ct_ratio=40.0)
    u.monthly("between", flat(4000), multiplier=40.0)
    _replaced_in_july(u, "B", old_final=1600.0, new_first=0.0, first_start=30.0)
    # Billed until June only: no bill on the new meter, nothing to compare it with.
    u.customer("gone", ct_ratio=40.0)
    u.monthly(
        "gone", flat(4000, 6), multiplier=40.0, periods=[f"2024-{m:02d}" for m in range(1, 7)]
    )
    u.order("gone", "meter_replacement", "2024-07-01", old="M-gone", new="N-gone")
    u.orders[-1] |= {"old_final_read": 1650.0, "new_first_read": 0.0}
    found = findings_of(u, "meter_change_energy_lost")
    assert sorted(found.index) == ["A", "B"]
    assert found.loc["A", "revenue_impact"] == pytest.approx(2000 * 0.6)
    assert found.loc["B", "revenue_impact"] == pytest.approx(30 * 40 * 0.6)


def test_joined_reads_reads_within_tolerance_and_a_remainder_billed_after_are_no_loss():
    u = Utility()
    _replaced_in_july(u, "joined", old_final=1600.0, new_first=0.0)
    _replaced_in_july(u, "rounded", old_final=1600.4, new_first=0.0, first_start=0.4)
    # The old meter's last 50 units (2,000 kWh) charged on the first new bill (换表电量).
    _replaced_in_july(u, "added", old_final=1650.0, new_first=0.0)
    july = next(b for b in u.bills if b["customer_id"] == "added" and b["period"] == "2024-07")
    july["kwh_billed"] += 2000.0
    assert findings_of(u, "meter_change_energy_lost").empty


def _factory_replaced_in_july(u: Utility, cid: str, old_final: float, first_start: float) -> None:
    """A 10 kV factory metered through CT 30 × PT 100 = 3,000 (60,000 kWh, 20 units a month on
    IND2 at 0.6): the old meter ends June at 1,000 + 6 × 20 = 1,120 units, the new one's reads
    start at `first_start`; the order's reads are kept to 2 decimals (new_first_read 0.00)."""
    u.customer(cid, contract_capacity_kva=630.0, **(TWO_PART_BY_CAPACITY | {"ct_ratio": 30.0}))
    common = {"multiplier": 3000.0, "tariff": "IND2", "capacity": 630.0, "demand": 300.0}
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    u.monthly(cid, flat(60000, 6), basis="capacity", periods=months[:6], **common)
    u.monthly(
        cid,
        flat(60000, 6),
        basis="capacity",
        periods=months[6:],
        start_register=first_start,
        **common,
    )
    u.order(cid, "meter_replacement", "2024-07-01", old=f"M-{cid}", new=f"N-{cid}")
    u.orders[-1] |= {"old_final_read": old_final, "new_first_read": 0.0}


def test_under_half_a_unit_behind_a_large_multiplier_is_lost_energy_past_the_kwh_bound():
    """Half a unit was the tolerance whatever the multiplier: 0.45 units × 3,000 = 1,350 kWh
    (¥810.00) passed as read rounding (review s50 §11). Past `read_tolerance_kwh` (100 kWh) a
    difference is lost; 0.03 units × 3,000 = 90 kWh, and 0.4 units × CT 40 = 16 kWh (the
    rounding test above), are not."""
    u = Utility()
    _factory_replaced_in_july(u, "old_045", old_final=1120.45, first_start=0.0)
    _factory_replaced_in_july(u, "new_045", old_final=1120.0, first_start=0.45)
    _factory_replaced_in_july(u, "old_003", old_final=1120.03, first_start=0.0)
    _factory_replaced_in_july(u, "new_003", old_final=1120.0, first_start=0.03)
    found = findings_of(u, "meter_change_energy_lost")
    assert sorted(found.index) == ["new_045", "old_045"]
    # 0.45 units × 3,000 = 1,350 kWh × 0.6 = 810.00 yuan, on either meter.
    assert found.loc["old_045", "revenue_impact"] == pytest.approx(1350 * 0.6)
    assert found.loc["new_045", "revenue_impact"] == pytest.approx(1350 * 0.6)
    assert "1,350 kWh never billed (¥810.00)" in found.loc["old_045", "evidence"]


def test_a_meter_swapped_after_the_months_read_day_joins_the_next_bill():
    """Read on the 25th: July's bill (26 June to 25 July) is still the old meter's; the meter
    swapped on 28 July joins August's bill, the first whose read period holds the swap."""
    u = Utility()
    u.customer("A", ct_ratio=40.0)
    u.monthly("A", flat(4000, 7), multiplier=40.0, periods=[f"2024-{m:02d}" for m in range(1, 8)])
    u.monthly(
        "A",
        flat(4000, 5),
        multiplier=40.0,
        periods=[f"2024-{m:02d}" for m in range(8, 13)],
        start_register=0.0,
    )
    for bill in u.bills:
        month = int(bill["period"][5:])
        bill["read_from"] = pd.Timestamp(2024, month, 26) - pd.DateOffset(months=1)
        bill["read_to"] = pd.Timestamp(2024, month, 25)
    u.order("A", "meter_replacement", "2024-07-28", old="M-A", new="N-A")
    # The old meter ran 3 units (120 kWh) from the 25 July read (1,700) to the swap; August's
    # bill starts at the new meter's first read and charges those 120 kWh beside its own.
    u.orders[-1] |= {"old_final_read": 1703.0, "new_first_read": 0.0}
    august = next(bill for bill in u.bills if bill["period"] == "2024-08")
    august["kwh_billed"] += 120.0
    assert findings_of(u, "meter_change_energy_lost").empty


def _ct_swapped_inside_july(
    u: Utility,
    cid: str,
    old_final: float | None,
    day: str = "2024-07-16",
    new_units: float = 100.0,
) -> None:
    """A shop metered through CT 40 (12,000 kWh, 300 units a month; old meter at 2,800 after
    June) whose CT went to 60 with the meter on `day` (16 July): July's bill runs from the old
    meter's 2,800 read to the new meter's `new_units` (read from 0) and bills 150 old units at
    40 and 100 new ones at 60, 12,000 kWh, at multiplier 60 (the two meters joined, as the
    recomputation reads such a bill); the order records meter numbers, the new meter's first
    read 0 and the old meter's final read `old_final` (None: not recorded)."""
    u.customer(cid, ct_ratio=60.0, contract_capacity_kva=160.0, **COMMERCIAL)
    bills = u.monthly(cid, flat(12_000), multiplier=40.0, tariff="COM")
    bills[6].update(register_end=new_units, multiplier_billed=60.0)
    register = new_units
    for bill in bills[7:]:
        bill.update(register_start=register, register_end=register + 200.0, multiplier_billed=60.0)
        register += 200.0
    u.order(cid, "meter_replacement", day, old=f"M-{cid}", new=f"N-{cid}")
    u.orders[-1] |= {"new_first_read": 0.0}
    if old_final is not None:
        u.orders[-1] |= {"old_final_read": old_final}


def test_a_bill_joining_both_meters_of_a_swap_inside_its_period_loses_nothing():
    """July's bill starts on the old meter and ends on the new one: its start register (2,800,
    the old meter's) was read as the new meter's, 2,800 units "below" its first read 0, × the new
    60 = 168,000 kWh never billed (¥134,400.00) on a bill that billed both meters. The new
    meter's part is from its first read (100 × 60 = 6,000 kWh); the other 6,000 kWh of the bill
    are the old meter's, at the 40 before the swap: 150 units, to its final read 2,950. Near
    miss: a final read of 2,960, 10 units × 40 = 400 kWh past what July billed for it, × 0.8 =
    ¥320.00 lost: short of the joined bill's registers (160 × 40 + 100 × 60 = 12,400 kWh of
    12,000 billed), register_mismatch's, found once."""
    u = Utility()
    _ct_swapped_inside_july(u, "joined", old_final=2950.0)
    _ct_swapped_inside_july(u, "short", old_final=2960.0)
    assert findings_of(u, "meter_change_energy_lost").empty
    found = findings_of(u, "register_mismatch")
    assert found["revenue_impact"].to_dict() == pytest.approx({"short": 320.0})
    assert found.loc["short", "evidence"] == (
        "2024-07: 1 bill charged 400 kWh less than the registers show (¥320.00)"
    )


def test_a_joined_bill_without_the_final_read_or_swapped_on_its_first_day_loses_nothing():
    """July's bill joins both meters, billing them right, but its old-meter start (2,800) was
    read as the new meter's, 2,800 units "below" its first read 0 × 60 = 168,000 kWh never
    billed (¥134,400.00), where the order records no final read (unknown is not below) and
    where the swap is on 1 July, the first day of July's read period: July then bills 0 old
    units (final read 2,800) and the new meter's 0 → 200 at 60, 12,000 kWh. Near miss: a swap
    on 1 July with a final read of 2,810, 10 old units × 40 = 400 kWh never billed × 0.8 =
    ¥320.00, short of the joined bill's registers: register_mismatch's, found once."""
    u = Utility()
    _ct_swapped_inside_july(u, "no_final", old_final=None)
    _ct_swapped_inside_july(u, "on_1st", old_final=2800.0, day="2024-07-01", new_units=200.0)
    _ct_swapped_inside_july(u, "short", old_final=2810.0, day="2024-07-01", new_units=200.0)
    assert findings_of(u, "meter_change_energy_lost").empty
    found = findings_of(u, "register_mismatch")
    assert found["revenue_impact"].to_dict() == pytest.approx({"short": 320.0})


def test_swap_reads_no_bill_can_place_prove_no_energy_lost():
    """July joins both meters of a CT 40 → 60 swap on 16 July (2,800 → final 2,950 at 40, new 0
    → 100 at 60, 12,000 kWh billed right), but the order's reads cannot be placed: a final read
    2,700 below June's end 2,800 ("final_low": the new meter's first read 0 set against July's
    start 2,800, 2,800 × 60 × 0.80 = ¥134,400.00 "never billed"), or the order dated 3 August
    while July's registers fall 2,800 → 100 ("late": (2,950 − 300) × 60 + 300 × 60, ¥141,600.00
    "never billed"). The recomputation judges neither; nothing is proved. Near miss: a
    household's meter swapped on 1 July, June ending 1,600 and the final read 1,650: 50 units ×
    40 = 2,000 kWh never billed × 0.6 = ¥1,200.00 (no read days: the first new bill's rate)."""
    u = Utility()
    _ct_swapped_inside_july(u, "final_low", old_final=2700.0)
    _ct_swapped_inside_july(u, "late", old_final=2950.0, day="2024-08-03")
    _replaced_in_july(u, "tail", old_final=1650.0, new_first=0.0)
    found = findings_of(u, "meter_change_energy_lost")
    assert found["revenue_impact"].to_dict() == pytest.approx({"tail": 2_000 * 0.6})


def test_a_bill_reading_the_old_meter_up_to_its_final_read_is_the_old_meters_last():
    """A bill read on the old meter only, up to the swap, was taken for one joining both meters,
    the start of its registers being the old meter's: December read 4,300 → its final 4,600 on
    a swap on 31 December (300 × 40 = 12,000 kWh "never billed", ¥9,600.00), July read 2,800 →
    its final 2,950 on a swap on 16 July, August starting on the new meter's first read 0
    (150 × 40 = 6,000 kWh, ¥4,800.00). Near miss: July read to 2,950 of a final read of 2,960,
    August from the new meter's 0: 10 units × 40 = 400 kWh never billed × 0.8 = ¥320.00."""
    u = Utility()
    u.customer("dec31", ct_ratio=40.0, contract_capacity_kva=160.0, **COMMERCIAL)
    u.monthly("dec31", flat(12_000), multiplier=40.0, tariff="COM")  # 1,000 → 4,600 in 2024
    u.order("dec31", "meter_replacement", "2024-12-31", old="M-dec31", new="N-dec31")
    u.orders[-1] |= {"old_final_read": 4600.0, "new_first_read": 0.0}
    for cid, final in (("jul16", 2950.0), ("short", 2960.0)):
        u.customer(cid, ct_ratio=60.0, contract_capacity_kva=160.0, **COMMERCIAL)
        bills = u.monthly(cid, flat(12_000), multiplier=40.0, tariff="COM")
        # July: 2,800 → 2,950, 150 old units × 40 = 6,000 kWh; August on: the new meter at 60.
        bills[6].update(register_end=2950.0, kwh_billed=6000.0, energy_charge=4800.0)
        bills[6]["amount"] = 4800.0
        for month, bill in enumerate(bills[7:]):
            bill.update(
                register_start=200.0 * month,
                register_end=200.0 * (month + 1),
                multiplier_billed=60.0,
            )
        u.order(cid, "meter_replacement", "2024-07-16", old=f"M-{cid}", new=f"N-{cid}")
        u.orders[-1] |= {"old_final_read": final, "new_first_read": 0.0}
    found = findings_of(u, "meter_change_energy_lost")
    assert found["revenue_impact"].to_dict() == pytest.approx({"short": 320.0})


def test_two_swaps_in_one_bill_are_not_judged_as_one():
    """December joins three meters: 40 → 50 on 5 December (old 4,300 → final 4,340), 50 → 60 on
    20 December (the second meter 0 → final 30), the third 0 → 50: 40 × 40 + 30 × 50 + 50 × 60
    = 6,100 kWh, all billed. The second swap's first read 0 was set against December's start
    4,300 (the first meter's): 4,300 × 60 = 258,000 kWh "never billed", ¥206,400.00. Which read
    of such a bill is whose is not known: nothing is proved. Near miss: one swap in July whose
    final read 2,960 is 10 units past the 2,950 July billed: 400 kWh × 0.8 = ¥320.00, short of
    July's joined registers (register_mismatch's)."""
    u = Utility()
    u.customer("two", ct_ratio=60.0, contract_capacity_kva=160.0, **COMMERCIAL)
    bills = u.monthly("two", flat(12_000), multiplier=40.0, tariff="COM")
    bills[11].update(register_end=50.0, multiplier_billed=60.0, kwh_billed=6100.0)
    bills[11].update(energy_charge=4880.0, amount=4880.0)  # 6,100 × 0.8
    for day, final, old, new in (
        ("2024-12-05", 4340.0, "E-1", "E-2"),
        ("2024-12-20", 30.0, "E-2", "E-3"),
    ):
        u.order("two", "meter_replacement", day, old=old, new=new)
        u.orders[-1] |= {"old_final_read": final, "new_first_read": 0.0}
    _ct_swapped_inside_july(u, "short", old_final=2960.0)
    assert findings_of(u, "meter_change_energy_lost").empty
    found = findings_of(u, "register_mismatch")
    assert found["revenue_impact"].to_dict() == pytest.approx({"short": 320.0})


def test_a_joined_first_bill_of_the_extract_loses_nothing():
    """The extract starts in January, whose bill joins both meters of a swap on 16 January: old
    1,000 → final 1,150 and new 0 → 150, 300 units × 40 = 12,000 kWh billed. With no bill
    before it its start (the old meter's 1,000) was read as the new meter's: 1,000 × 40 =
    40,000 kWh "never billed", ¥32,000.00; its register running back (1,000 → 150) shows it
    ends on another meter. Near miss: a first bill starting on the new meter at 30 (read from
    0), 30 → 330: 30 units × 40 = 1,200 kWh never billed × 0.8 = ¥960.00."""
    u = Utility()
    for cid, start in (("first", 1000.0), ("short", 30.0)):
        u.customer(cid, ct_ratio=40.0, contract_capacity_kva=160.0, **COMMERCIAL)
        bills = u.monthly(cid, flat(12_000), multiplier=40.0, tariff="COM")
        register = 150.0 if cid == "first" else start + 300.0
        bills[0].update(register_start=start, register_end=register)
        for bill in bills[1:]:
            bill.update(register_start=register, register_end=register + 300.0)
            register += 300.0
        u.order(cid, "meter_replacement", "2024-01-16", old=f"M-{cid}", new=f"N-{cid}")
        u.orders[-1] |= {"old_final_read": 1150.0, "new_first_read": 0.0}
    found = findings_of(u, "meter_change_energy_lost")
    assert found["revenue_impact"].to_dict() == pytest.approx({"short": 960.0})


def _read_on_the_25th(u: Utility) -> None:
    """Every bill read from the 26th of the month before to the 25th of its month."""
    for bill in u.bills:
        month = int(bill["period"][5:])
        bill["read_from"] = pd.Timestamp(2024, month, 26) - pd.DateOffset(months=1)
        bill["read_to"] = pd.Timestamp(2024, month, 25)


def test_old_meter_remainder_is_priced_at_the_rates_of_the_days_it_was_used():
    """Read on the 25th, meter swapped on 1 July: the old meter's last 50 units (2,000 kWh) ran
    from the 25 June read to 30 June, at June's household rate 0.5, not at July's 0.6 of the
    first new bill (the rule said 1,200.00)."""
    u = Utility()
    _replaced_in_july(u, "A", old_final=1650.0, new_first=0.0)
    _read_on_the_25th(u)
    found = findings_of(u, "meter_change_energy_lost")
    assert found.loc["A", "revenue_impact"] == pytest.approx(2000 * 0.5)  # 1,000.00


def test_old_meter_remainder_over_a_price_change_is_priced_by_its_days():
    """Read on the 25th, swapped on 10 July: the remainder ran 26 June to 9 July, 5 days at
    June's 0.5 and 9 at July's 0.6: 2,000 × (5 × 0.5 + 9 × 0.6) / 14 = 1,128.57."""
    u = Utility()
    _replaced_in_july(u, "A", old_final=1650.0, new_first=0.0)
    u.orders[-1]["effective_date"] = pd.Timestamp("2024-07-10")
    _read_on_the_25th(u)
    found = findings_of(u, "meter_change_energy_lost")
    assert found.loc["A", "revenue_impact"] == pytest.approx(1128.57, abs=1e-9)


def test_old_meter_remainder_of_a_swap_on_the_read_day_is_priced_on_that_day():
    """Read on the 25th: July reads 26 June – 25 July, 1,600 → 1,700, and the meter is swapped
    later on 25 July, final read 1,720: 20 units × 40 = 800 kWh ran on 25 July, at July's 0.6 =
    ¥480.00 (was 466.21, priced over July's whole read period, 5 days of it at June's 0.5).
    Near miss: swapped on 26 July, the same 800 kWh at 0.6, ¥480.00."""
    u = Utility()
    for cid, day in (("on_read_day", "2024-07-25"), ("day_after", "2024-07-26")):
        u.customer(cid, ct_ratio=40.0)
        bills = u.monthly(cid, flat(4000), multiplier=40.0)
        for units, bill in enumerate(bills[7:]):
            bill.update(register_start=100.0 * units, register_end=100.0 * (units + 1))
        u.order(cid, "meter_replacement", day, old=f"M-{cid}", new=f"N-{cid}")
        u.orders[-1] |= {"old_final_read": 1720.0, "new_first_read": 0.0}
    _read_on_the_25th(u)
    found = findings_of(u, "meter_change_energy_lost")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"on_read_day": 800 * 0.6, "day_after": 800 * 0.6}
    )


def test_new_meter_shortfall_stays_at_the_first_new_bills_rate():
    """Near miss: read on the 25th, swapped on 1 July, the new meter's first read 30 units below
    July's start: those 1,200 kWh ran on the new meter, billed from July's bill on: 0.6."""
    u = Utility()
    _replaced_in_july(u, "A", old_final=1600.0, new_first=0.0, first_start=30.0)
    _read_on_the_25th(u)
    found = findings_of(u, "meter_change_energy_lost")
    assert found.loc["A", "revenue_impact"] == pytest.approx(30 * 40 * 0.6)


def _household_replaced_in_april(u: Itemized, cid: str, scheme: str) -> None:
    """A household on RES (itemized_builder: tiers 0-2,160 at 0.50, 2,160-4,800 at 0.55; 0.52
    without a tier, a shared meter's) billed 500 kWh a month, its meter replaced on 1 April:
    the old meter's final read is 300 units beyond March's end register (2,500), the new one
    starts at 0."""
    u.customer(cid, usage_type="residential", tariff_category="RES", tier_scheme=scheme)
    line = ("energy", 500.0, 0.50, None, 1) if scheme == "single" else ("energy", 500.0, 0.52)
    for month in range(1, 5):
        if month == 4:
            u.registers[cid] = 0.0
        u.bill(cid, f"2024-{month:02d}", 500.0, [line], tariff="RES")
    u.orders.append(
        {
            "order_id": f"WO-{cid}",
            "customer_id": cid,
            "order_type": "meter_replacement",
            "issued_at": pd.Timestamp("2024-03-20"),
            "effective_date": pd.Timestamp("2024-04-01"),
            "old_value": f"M-{cid}",
            "new_value": f"N-{cid}",
            "old_final_read": 2800.0,
            "new_first_read": 0.0,
        }
    )


def test_energy_lost_by_a_tiered_household_is_priced_by_its_tiers():
    """The year billed 2,000 kWh up to and including April (the first new bill): the 300 kWh
    lost fill tier 1 to 2,160 (160 × 0.50 = 80.00) and 140 go to tier 2 (140 × 0.55 = 77.00):
    157.00 (the rule said 300 × 0.52 = 156.00, the row without a tier)."""
    u = Itemized()
    _household_replaced_in_april(u, "T", "single")
    found = u.run("meter_change_energy_lost", as_of="2024-04")
    assert found.loc["T", "revenue_impact"] == pytest.approx(157.00, abs=1e-9)


def test_energy_lost_on_a_shared_meter_is_priced_at_the_shared_price():
    """Near miss: a shared meter (合表) has no tiers: 300 × 0.52 = 156.00."""
    u = Itemized()
    _household_replaced_in_april(u, "S", "shared")
    found = u.run("meter_change_energy_lost", as_of="2024-04")
    assert found.loc["S", "revenue_impact"] == pytest.approx(156.00)


def test_a_replacement_with_no_bill_after_it_yet_is_not_judged():
    u = Utility()
    _replaced_in_july(u, "A", old_final=1650.0, new_first=0.0)
    assert findings_of(u, "meter_change_energy_lost", as_of="2024-06").empty


def _stopping_short_in_december(
    u: Utility, cid: str, swapped: str, final: float | None, status: str = "closed"
) -> None:
    """A shop metered through CT 40 (300 units, 12,000 kWh a month: the registers end November
    at 4,300); its meter swapped on `swapped` for another CT 40 one (first read 0); December,
    the extract's last bill, reads the old meter 4,300 → 4,400 alone (100 × 40 = 4,000 kWh,
    billed right) and no bill of the new meter follows; the account `status` (closed: no bill
    can follow)."""
    u.customer(cid, contract_capacity_kva=160.0, ct_ratio=40.0, **COMMERCIAL | {"status": status})
    bills = u.monthly(cid, flat(12_000), multiplier=40.0, tariff="COM")
    bills[11].update(register_end=4400.0, kwh_billed=4000.0, energy_charge=3200.0, amount=3200.0)
    u.order(cid, "meter_replacement", swapped, f"M-{cid}", f"N-{cid}")
    u.orders[-1] |= {"new_first_read": 0.0} | ({} if final is None else {"old_final_read": final})


def test_an_old_meters_last_bill_stopping_short_with_no_bill_after_it_does_lose_energy():
    """Swapped on 16 December, December (read to the month's end, past the swap) stops at 4,400
    short of the final read 4,450, and the account closed with it: (4,450 − 4,400) × 40 = 2,000
    kWh × 0.80 = ¥1,600.00 on no bill (was no finding: without a new bill nothing was judged).
    Near misses: the order without the final read ("nofinal": nothing provable); December read
    on the 25th, the meter swapped on the 28th after it ("after_read": the remainder is the next
    bill's, not yet issued); the final read 4,400 ("billed": December billed it all)."""
    u = Utility()
    _stopping_short_in_december(u, "short", "2024-12-16", 4450.0)
    _stopping_short_in_december(u, "nofinal", "2024-12-16", None)
    _stopping_short_in_december(u, "after_read", "2024-12-28", 4450.0)
    _stopping_short_in_december(u, "billed", "2024-12-16", 4400.0)
    december = next(
        bill
        for bill in u.bills
        if bill["customer_id"] == "after_read" and bill["period"] == "2024-12"
    )
    december.update(read_from=pd.Timestamp("2024-11-26"), read_to=pd.Timestamp("2024-12-25"))
    found = findings_of(u, "meter_change_energy_lost")
    assert found["revenue_impact"].to_dict() == pytest.approx({"short": 1_600.0})
    assert found.loc["short", "evidence"] == (
        "meter replaced 2024-12-16: the old meter's final read 4,450.00 is beyond the last billed "
        "read 4,400.00 (2024-12): 2,000 kWh never billed (¥1,600.00)"
    )
    assert (found.loc["short", "period_from"], found.loc["short", "period_to"]) == (
        "2024-12",
        "2024-12",
    )


def test_an_old_meters_last_bill_stopping_short_of_an_open_account_waits_for_the_next_bill():
    """An active account's December stops 50 units short of the final read 4,450 and the data
    ends with it: January's bill, not issued yet, may add the 2,000 kWh (换表电量). Audited in
    December or January: nothing (was ¥1,600.00 in December, gone in January once January's
    bill added them). Audited in February with no January bill: 2,000 × 0.80 = ¥1,600.00."""
    u = Utility()
    _stopping_short_in_december(u, "open", "2024-12-16", 4450.0, status="active")
    u.customer("later", contract_capacity_kva=160.0, **COMMERCIAL)
    u.monthly("later", flat(12_000, 2), tariff="COM", periods=["2025-01", "2025-02"])
    for as_of in ("2024-12", "2025-01"):
        assert findings_of(u, "meter_change_energy_lost", as_of=as_of).empty
    found = findings_of(u, "meter_change_energy_lost", as_of="2025-02")
    assert found["revenue_impact"].to_dict() == pytest.approx({"open": 1_600.0})


def test_an_account_closed_after_the_audit_month_still_waits_for_the_next_bill():
    """CT 40, swapped 16 December 2024 (final 4,450, first 0); December reads the old meter
    4,300 → 4,400 and January 2025 bills the new meter 0 → 300 with the old meter's 50 units
    (14,000 kWh); the account closed in March 2025 (archive status closed today, a closure
    order effective 15 March). Audited in December 2024 the account was open, January's bill to
    come: nothing (was ¥1,600.00 "never billed", today's status read into December). Near miss
    ("closed_dec"): a closure order effective 20 December: December's 50 × 40 = 2,000 kWh ×
    0.80 = ¥1,600.00."""
    u = Utility()
    periods = [f"2024-{month:02d}" for month in range(1, 13)] + ["2025-01", "2025-02", "2025-03"]
    for cid, closed_on in (("later_closed", "2025-03-15"), ("closed_dec", "2024-12-20")):
        u.customer(cid, contract_capacity_kva=160.0, ct_ratio=40.0, status="closed", **COMMERCIAL)
        months = len(periods) if cid == "later_closed" else 12
        bills = u.monthly(
            cid, flat(12_000, months), multiplier=40.0, tariff="COM", periods=periods[:months]
        )
        bills[11].update(register_end=4400.0, kwh_billed=4_000.0, energy_charge=3_200.0)
        bills[11].update(amount=3_200.0)
        register = 0.0
        for bill in bills[12:]:
            bill.update(register_start=register, register_end=register + 300.0)
            register += 300.0
        if cid == "later_closed":
            bills[12].update(kwh_billed=14_000.0, energy_charge=11_200.0, amount=11_200.0)
        u.order(cid, "meter_replacement", "2024-12-16", f"M-{cid}", f"N-{cid}")
        u.orders[-1].update(old_final_read=4450.0, new_first_read=0.0)
        u.order(cid, "closure", closed_on)
    found = findings_of(u, "meter_change_energy_lost", as_of="2024-12")
    assert found["revenue_impact"].to_dict() == pytest.approx({"closed_dec": 1_600.0})


def test_a_bi_monthly_last_bill_waits_two_months_for_the_next_bill():
    """A bi-monthly COM account at CT 40 (bills January, March … November 2024, 600 units each),
    swapped 16 November (final 4,450, first 0); November reads the old meter 4,000 → 4,400 and
    its 50 units go on January 2025's bill, not yet issued. Audited in January 2025 (a monthly
    neighbour's January sets it): nothing (was ¥1,600.00, one month of grace as a monthly
    bill's). Audited in February with no January bill: 50 × 40 = 2,000 kWh × 0.80 =
    ¥1,600.00."""
    u = Utility()
    u.customer("bim", contract_capacity_kva=160.0, ct_ratio=40.0, **COMMERCIAL)
    periods = [f"2024-{month:02d}" for month in range(1, 12, 2)]
    bills = u.monthly("bim", flat(24_000, 6), multiplier=40.0, tariff="COM", periods=periods)
    for bill in bills:
        period = pd.Period(bill["period"], "M")
        bill["read_from"] = (period - 1).to_timestamp()
        bill["read_to"] = period.to_timestamp(how="end").normalize()
    bills[5].update(register_end=bills[5]["register_start"] + 400.0, kwh_billed=16_000.0)
    bills[5].update(energy_charge=12_800.0, amount=12_800.0)
    u.order("bim", "meter_replacement", "2024-11-16", "M-bim", "N-bim")
    u.orders[-1].update(old_final_read=bills[5]["register_start"] + 450.0, new_first_read=0.0)
    u.customer("neighbour", contract_capacity_kva=160.0, ct_ratio=40.0, **COMMERCIAL)
    monthly = [f"2024-{month:02d}" for month in range(1, 13)] + ["2025-01", "2025-02"]
    u.monthly("neighbour", flat(12_000, 14), multiplier=40.0, tariff="COM", periods=monthly)
    assert findings_of(u, "meter_change_energy_lost", as_of="2025-01").empty
    found = findings_of(u, "meter_change_energy_lost", as_of="2025-02")
    assert found["revenue_impact"].to_dict() == pytest.approx({"bim": 1_600.0})


def test_an_old_meters_last_bill_billing_its_remainder_itself_loses_nothing():
    """December reads 4,300 → 4,400 at 40 and bills 6,000 kWh = 100 × 40 + the 50 units to the
    final read 4,450 × 40: nothing lost, the account closed ("closed") or followed by January
    on the new meter 0 → 300 billing its own 12,000 ("followed"; both were ¥1,600.00 "never
    billed"). Near miss ("part"): December billing 5,000, 25 of the 50 units: 25 × 40 = 1,000
    kWh × 0.80 = ¥800.00."""
    u = Utility()
    for cid, billed in (("closed", 6_000.0), ("followed", 6_000.0), ("part", 5_000.0)):
        status = "active" if cid == "followed" else "closed"
        _stopping_short_in_december(u, cid, "2024-12-16", 4450.0, status=status)
        december = u.bills[-1]
        december.update(kwh_billed=billed, energy_charge=billed * 0.8, amount=billed * 0.8)
    u.monthly("followed", flat(12_000, 1), multiplier=40.0, tariff="COM", periods=["2025-01"])
    u.bills[-1].update(register_start=0.0, register_end=300.0)
    found = findings_of(u, "meter_change_energy_lost", as_of="2025-01")
    assert found["revenue_impact"].to_dict() == pytest.approx({"part": 800.0})


def test_an_old_meters_remainder_inside_its_last_bills_period_is_priced_in_that_period():
    """A household through CT 40 whose bills end with June (read to the month's end), which
    stops at 2,500 short of the final read 2,550 of a swap on 16 June; the extract runs on to
    December with another customer. The 50 units × 40 = 2,000 kWh ran in June before the swap:
    June's household rate 0.5, ¥1,000.00, not July's 0.6 (¥1,200.00, the day after June's read).
    Near miss ("followed"): the same June with July's bill on the new meter from its first read
    0 is priced in June too, not at July's rate."""
    u = Utility()
    for cid in ("ended", "followed"):
        u.customer(cid, ct_ratio=40.0)
        bills = u.monthly(cid, flat(4000), multiplier=40.0)
        bills[5].update(register_end=2500.0, kwh_billed=2000.0, energy_charge=1000.0)
        bills[5]["amount"] = 1000.0
        for month, bill in enumerate(bills[6:]):
            bill.update(register_start=100.0 * month, register_end=100.0 * (month + 1))
        u.order(cid, "meter_replacement", "2024-06-16", f"M-{cid}", f"N-{cid}")
        u.orders[-1] |= {"old_final_read": 2550.0, "new_first_read": 0.0}
    u.bills[:] = [b for b in u.bills if b["customer_id"] != "ended" or b["period"] <= "2024-06"]
    u.customer("other", **COMMERCIAL)
    u.monthly("other", flat(1000), tariff="COM")
    found = findings_of(u, "meter_change_energy_lost")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"ended": 1_000.0, "followed": 1_000.0}
    )


# --- meter_error_backbill ----------------------------------------------------------------------


def _shop(u: Utility, cid: str, **archive: object) -> None:
    """A shop at 0.8 yuan/kWh using 1,000 kWh a month in 2024 (calendar-month bills)."""
    u.customer(cid, **COMMERCIAL, **archive)
    u.monthly(cid, flat(1000), tariff="COM")


def _test(cid: str, tested: str, error: float) -> dict:
    return {"customer_id": cid, "meter_id": f"M-{cid}", "tested_at": tested, "error_pct": error}


def test_slow_meter_is_back_billed_over_half_the_time_since_its_previous_test():
    u = Utility()
    _shop(u, "A")
    tests = [_test("A", "2023-07-01", 0.1), _test("A", "2024-07-01", -4.0)]
    found = findings_of(u, "meter_error_backbill", meter_tests=tests)
    # 366 days since 2023-07-01, half 183: 2023-12-31 to 2024-06-30 holds the bills of January
    # to June, 6,000 kWh; × 4 / 96 = 250 kWh at 0.8.
    assert found.loc["A", "revenue_impact"] == pytest.approx(200.0)
    assert (found.loc["A", "period_from"], found.loc["A", "period_to"]) == ("2023-12", "2024-07")
    assert found.loc["A", "evidence"] == (
        "meter M-A tested 2024-07-01 at -4.00% (allowed ±2.00%); half the time since the "
        "previous test on 2023-07-01 is 183 days, from 2023-12-31: 6,000 kWh billed in it, "
        "250 kWh to back-bill, ¥200.00"
    )


def test_window_cuts_bills_by_their_days_inside_it():
    u = Utility()
    _shop(u, "A")
    tests = [_test("A", "2024-01-16", 0.0), _test("A", "2024-07-16", -2.5)]
    found = findings_of(u, "meter_error_backbill", meter_tests=tests)
    # 182 days, half 91: 2024-04-16 to 2024-07-15, half of April and 15 of July's 31 days.
    kwh = 500 + 1000 + 1000 + 1000 * 15 / 31
    assert found.loc["A", "revenue_impact"] == pytest.approx(kwh * 0.8 * 2.5 / 97.5, abs=0.005)


def test_window_runs_from_the_meter_installation_or_the_connection_when_later():
    u = Utility()
    _shop(u, "installed")
    u.order("installed", "meter_replacement", "2024-03-01", old="M-old", new="M-installed")
    _shop(u, "connected", connection_date=pd.Timestamp("2024-01-01"))
    tests = [
        _test("installed", "2023-07-01", 0.0),
        _test("installed", "2024-07-01", -4.0),
        _test("connected", "2024-07-01", -4.0),
    ]
    found = findings_of(u, "meter_error_backbill", meter_tests=tests)
    # Installed 2024-03-01: 122 days, half 61 from 2024-05-01 (May, June). Connected
    # 2024-01-01: 182 days, half 91 from 2024-04-01 (April to June).
    assert found.loc["installed", "revenue_impact"] == pytest.approx(2000 * 0.8 * 4 / 96, abs=0.005)
    assert found.loc["connected", "revenue_impact"] == pytest.approx(3000 * 0.8 * 4 / 96)
    assert "the meter's installation on 2024-03-01" in found.loc["installed", "evidence"]
    assert "the connection on 2024-01-01" in found.loc["connected", "evidence"]


def test_the_meter_tested_was_installed_by_the_last_replacement_before_the_test_day():
    u = Utility()
    _shop(u, "twice")  # replaced in January and March: the March meter was tested
    u.order("twice", "meter_replacement", "2024-01-01", old="M-0", new="M-1")
    u.order("twice", "meter_replacement", "2024-03-01", old="M-1", new="M-twice")
    _shop(u, "same_day")  # replaced on the test day: the meter tested was the old one
    u.order("same_day", "meter_replacement", "2024-07-01", old="M-same_day", new="M-new")
    tests = [
        _test("twice", "2023-07-01", 0.0),
        _test("twice", "2024-07-01", -4.0),
        _test("same_day", "2023-07-01", 0.0),
        _test("same_day", "2024-07-01", -4.0),
    ]
    found = findings_of(u, "meter_error_backbill", meter_tests=tests)
    # From 2024-03-01 half of 122 days (May, June); the same-day one from its previous test,
    # 183 days (January to June).
    assert found.loc["twice", "revenue_impact"] == pytest.approx(2000 * 0.8 * 4 / 96, abs=0.005)
    assert "the meter's installation on 2024-03-01" in found.loc["twice", "evidence"]
    assert found.loc["same_day", "revenue_impact"] == pytest.approx(200.0)
    assert "previous test on 2023-07-01" in found.loc["same_day", "evidence"]


def test_fast_meter_is_a_refund_owed_with_no_revenue():
    u = Utility()
    _shop(u, "A")
    tests = [_test("A", "2023-07-01", 0.0), _test("A", "2024-07-01", 3.0)]
    found = findings_of(u, "meter_error_backbill", meter_tests=tests)
    assert found.loc["A", "revenue_impact"] == 0.0
    # 6,000 kWh × 3 / 103 = 174.76 kWh, ¥139.81 to give back.
    assert found.loc["A", "evidence"].endswith(
        "the meter ran fast: 175 kWh, ¥139.81 to refund to the customer"
    )


def test_meter_within_tolerance_a_later_test_or_a_settled_error_is_no_finding():
    u = Utility()
    for cid in ("within", "later", "settled", "part_settled"):
        _shop(u, cid)
    tests = [
        _test("within", "2024-07-01", -1.9),
        _test("later", "2024-11-01", -4.0),
        _test("settled", "2024-07-01", -4.0),
        _test("part_settled", "2024-07-01", -4.0),
    ]
    # A connection in 2020: half the time runs back before the bills, all of January to June.
    # Due ¥200: a back-bill of ¥190 settles it (90 %), one of ¥100 does not.
    adjustments = [
        {
            "customer_id": cid,
            "period": "2024-07",
            "adjusted_at": "2024-08-10",
            "kind": "backbill",
            "amount": amount,
            "approved_by": "主任",
            "operator_id": "OP1",
        }
        for cid, amount in (("settled", 190.0), ("part_settled", 100.0))
    ]
    found = findings_of(
        u, "meter_error_backbill", as_of="2024-10", meter_tests=tests, adjustments=adjustments
    )
    assert list(found.index) == ["part_settled"]
    assert found.loc["part_settled", "revenue_impact"] == pytest.approx(200.0)


def _adjustment(cid: str, kind: str, amount: float, day: str = "2024-08-10") -> dict:
    return {
        "customer_id": cid,
        "period": "2024-07",
        "adjusted_at": day,
        "kind": kind,
        "amount": amount,
        "approved_by": "主任",
        "operator_id": "OP1",
    }


def test_a_slow_meter_is_settled_by_money_charged_and_a_fast_one_by_money_given_back():
    u = Utility()
    slow = ("credited", "reversed", "refunded", "back_billed")
    fast = ("fast_refunded", "fast_credited", "fast_charged")
    for cid in slow + fast:
        _shop(u, cid)
    # January to June, 6,000 kWh at 0.8: a slow meter (−4 %) owes 4,800 × 4 / 96 = 200.00, a
    # fast one (+3 %) is owed 4,800 × 3 / 103 = 139.81.
    tests = [_test(cid, "2024-07-01", -4.0) for cid in slow]
    tests += [_test(cid, "2024-07-01", 3.0) for cid in fast]
    adjustments = [
        _adjustment("credited", "backbill", -200.0),  # a credit to the customer
        _adjustment("reversed", "backbill", 200.0),
        _adjustment("reversed", "backbill", -200.0, day="2024-08-20"),  # charged, then reversed
        _adjustment("refunded", "refund", 200.0),  # money given back settles no money owed
        _adjustment("back_billed", "backbill", 200.0),  # near miss: settled
        _adjustment("fast_refunded", "refund", 139.81),  # near miss: settled
        _adjustment("fast_credited", "backbill", -139.81),  # near miss: given back as a credit
        _adjustment("fast_charged", "backbill", 139.81),  # a charge returns nothing
    ]
    found = findings_of(
        u, "meter_error_backbill", as_of="2024-10", meter_tests=tests, adjustments=adjustments
    )
    assert sorted(found.index) == ["credited", "fast_charged", "refunded", "reversed"]
    for cid in ("credited", "refunded", "reversed"):
        assert found.loc[cid, "revenue_impact"] == pytest.approx(200.0)
    assert found.loc["fast_charged", "revenue_impact"] == 0.0
    assert found.loc["fast_charged", "evidence"].endswith("¥139.81 to refund to the customer")


def test_a_back_bill_reversed_without_approval_is_counted_once_as_the_unapproved_credit():
    """A slow meter's 200.00 charged, then reversed by a credit nobody approved: the customer
    owes 200.00 once. unapproved_adjustment counts the credit (money returned without
    approval); meter_error_backbill sees the back-bill charged and lists nothing (it counted
    200.00 more before). Approved, the reversal undoes the back-bill: the meter's 200.00 is
    owed again and unapproved_adjustment has nothing."""
    for approver, owner in ((None, "unapproved_adjustment"), ("主任", "meter_error_backbill")):
        u = Utility()
        _shop(u, "R")
        reversal = _adjustment("R", "backbill", -200.0, day="2024-08-20") | {
            "approved_by": approver,
            "operator_id": "OP2",
        }
        adjustments = [_adjustment("R", "backbill", 200.0), reversal]
        found = findings_of(
            u,
            ["meter_error_backbill", "unapproved_adjustment"],
            as_of="2024-10",
            meter_tests=[_test("R", "2024-07-01", -4.0)],
            adjustments=adjustments,
        )
        assert found["rule_id"].tolist() == [owner]
        assert found["revenue_impact"].tolist() == [pytest.approx(200.0)]


# --- meter_event_unresolved --------------------------------------------------------------------


def _falls_after_june(u: Utility, cid: str, after: float = 400.0) -> None:
    """A shop using 1,000 kWh a month to June, `after` from July."""
    u.customer(cid, **COMMERCIAL)
    u.monthly(cid, flat(1000, 6) + flat(after, 6), tariff="COM")


def _alarm(cid: str, at: str, event: str = "cover_open", cleared: str | None = None) -> dict:
    return {
        "customer_id": cid,
        "meter_id": f"M-{cid}",
        "event_at": pd.Timestamp(at),
        "event": event,
        "cleared_at": pd.Timestamp(cleared) if cleared else pd.NaT,
    }


def _inspection(cid: str, day: str) -> dict:
    return {
        "customer_id": cid,
        "inspected_at": day,
        "audit_kind": "self",
        "auditing_district": "城东",
        "error_found": False,
    }


def _unresolved_on_falls(alarms: list[dict]) -> pd.DataFrame:
    """meter_event_unresolved's findings on `alarms`, every customer with an alarm a shop whose use
    falls after June (`_falls_after_june`)."""
    u = Utility()
    for cid in dict.fromkeys(alarm["customer_id"] for alarm in alarms):
        _falls_after_june(u, cid)
    return findings_of(u, "meter_event_unresolved", meter_events=alarms)


def test_cover_open_never_cleared_then_a_fall_and_no_inspection_is_estimated_lost_energy():
    u = Utility()
    _falls_after_june(u, "A")
    found = findings_of(
        u,
        "meter_event_unresolved",
        meter_events=[_alarm("A", "2024-06-10 08:00")],
        inspections=[_inspection("A", "2024-05-20")],  # before the alarm: no check of it
    )
    # June (the alarm's month) left out: January to May at 1,000, July to December at 400;
    # 6 × 600 kWh at 0.8. Open from 2024-06-10 08:00 to the audit month's end: 20 days 16 hours
    # in June, then 184 days, 4,912 hours.
    assert found.loc["A", "revenue_impact"] == pytest.approx(6 * 600 * 0.8)
    assert found.loc["A", "revenue_kind"] == "estimated"
    assert (found.loc["A", "period_from"], found.loc["A", "period_to"]) == ("2024-06", "2024-12")
    assert found.loc["A", "evidence"] == (
        "meter cover open alarm from 2024-06-10, not cleared after 4,912 hours (1 alarm of these "
        "kinds in all), with no inspection since; monthly kWh fell from 1,000 (the months before "
        "the alarm) to 400 (40%) over 2024-07..2024-12; ¥2,880.00 estimated unbilled"
    )


def test_the_alarms_own_bill_counts_its_days_from_the_alarm_at_the_fall_after():
    """Alarm on 10 June: the months after fell from 1,000 kWh to 400 (40 %). June's bill (1 to
    30 June) recorded its 9 days before the alarm in full; its 21 days from the alarm are
    expected 1,000 × 21 / 30 = 700 kWh, 60 % of them missed: 420, at most the 1,000 − 700 =
    300 kWh June fell short: 300 × 0.8 = 240.00, with July to December's 6 × 600 × 0.8 =
    2,880.00: 3,120.00 (the rule left June out). The fall itself is still judged on the months
    after."""
    u = Utility()
    u.customer("A", **COMMERCIAL)
    u.monthly("A", [*flat(1000, 5), 700.0, *flat(400, 6)], tariff="COM")
    found = findings_of(u, "meter_event_unresolved", meter_events=[_alarm("A", "2024-06-10")])
    assert found.loc["A", "revenue_impact"] == pytest.approx(3120.00)
    assert (found.loc["A", "period_from"], found.loc["A", "period_to"]) == ("2024-06", "2024-12")
    assert found.loc["A", "evidence"].endswith(
        "to 400 (40%) over 2024-07..2024-12; ¥3,120.00 estimated unbilled over 2024-06..2024-12 "
        "(the alarm's own bill 2024-06 for its 21 of 30 days from the alarm on 2024-06-10, at "
        "the fall of the months after, at most what it fell short)"
    )


def test_a_bill_read_before_the_alarm_day_is_not_the_alarms():
    """Near miss: read on the 25th, alarm on 28 June: June's bill (26 May to 25 June) ended
    before it, so its 200 kWh short are not the alarm's. July's bill (26 June to 25 July, 30
    days) holds the alarm: its 28 days from it expected 1,000 × 28 / 30 = 933.33 kWh, 60 %
    missed, 560 (below the 600 it fell short) × 0.8 = 448.00; August to December 5 × 600 ×
    0.8 = 2,400.00: 2,848.00."""
    u = Utility()
    u.customer("A", **COMMERCIAL)
    u.monthly("A", [*flat(1000, 5), 800.0, *flat(400, 6)], tariff="COM")
    _read_on_the_25th(u)
    found = findings_of(u, "meter_event_unresolved", meter_events=[_alarm("A", "2024-06-28")])
    assert found.loc["A", "revenue_impact"] == pytest.approx(2848.00)
    assert found.loc["A", "evidence"].endswith(
        "¥2,848.00 estimated unbilled over 2024-07..2024-12 (the alarm's own bill 2024-07 for "
        "its 28 of 30 days from the alarm on 2024-06-28, at the fall of the months after, at most "
        "what it fell short)"
    )


def test_the_shortfall_of_a_tiered_household_is_priced_by_its_tiers():
    """A household on RES (tiers 0-2,160 at 0.50, 2,160-4,800 at 0.55, above at 0.80) billed
    500 kWh a month to May, then 100 from its alarm's month (June) on: 400 kWh short a month,
    each on top of the tier year. By June the year billed 2,600 (2,500 + June's 100); the k-th
    month's 400 go on 2,600 + 500k: June to September in tier 2 (1,600), October 4,600 → 5,000
    (200 in tier 2, 200 in tier 3), November and December in tier 3 (800): 1,800 × 0.55 =
    990.00 + 1,000 × 0.80 = 800.00, 1,790.00 (the rule said 2,800 × 0.52 = 1,456.00)."""
    u = Itemized()
    u.customer("H", usage_type="residential", tariff_category="RES", tier_scheme="single")
    for month in range(1, 13):
        kwh = 500.0 if month <= 5 else 100.0
        u.bill("H", f"2024-{month:02d}", kwh, [("energy", kwh, 0.52)], tariff="RES")
    events = pd.DataFrame([_alarm("H", "2024-06-01")])
    dataset = Dataset.from_frames(u.tables() | {"meter_events": events})
    found = rules.run(dataset, rules="meter_event_unresolved").set_index("customer_id")
    assert found.loc["H", "revenue_impact"] == pytest.approx(1790.00, abs=1e-9)


#: A cold-store whose use peaks in summer: 2,000 kWh a month from June to September, 500 the
#: rest of the year.
SEASON = [500.0] * 5 + [2000.0] * 4 + [500.0] * 3


def _seasonal_two_years(u: Utility, cid: str, second_year: list[float]) -> None:
    u.customer(cid, **COMMERCIAL)
    periods = [f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13)]
    u.monthly(cid, SEASON + second_year, tariff="COM", periods=periods)


def test_a_seasonal_load_is_judged_against_the_same_months_a_year_before():
    u = Utility()
    # An alarm in May 2024 before the summer peak. After it the summer runs at half the year
    # before (1,000 against 2,000), the autumn as before: June to December 4,000 + 1,500 kWh
    # against 8,000 + 1,500, 58 % of what was expected, under drop_ratio 0.7.
    _seasonal_two_years(u, "halved", [500.0] * 5 + [1000.0] * 4 + [500.0] * 3)
    # The same season as the year before: against the months before the alarm (500 a month) it
    # would look like a rise; against the year before there is no fall.
    _seasonal_two_years(u, "as_before", SEASON)
    events = [_alarm(cid, "2024-05-10 08:00") for cid in ("halved", "as_before")]
    found = findings_of(u, "meter_event_unresolved", meter_events=events)
    assert list(found.index) == ["halved"]
    # 4 summer months × 1,000 kWh short at 0.8.
    assert found.loc["halved", "revenue_impact"] == pytest.approx(4 * 1000 * 0.8)
    assert (
        "fell from 1,357 (the same months of the year before the alarm) to 786 (58%)"
        in (found.loc["halved", "evidence"])
    )


def test_a_summer_peak_after_an_alarm_in_winter_hides_no_fall_of_the_year_before():
    u = Utility()
    # An alarm in February 2024, then a summer at a third of the summer before: against the
    # months before the alarm (500 a month) June to September at 700 would look like a rise.
    _seasonal_two_years(u, "summer_lost", [500.0] * 5 + [700.0] * 4 + [500.0] * 3)
    found = findings_of(
        u, "meter_event_unresolved", meter_events=[_alarm("summer_lost", "2024-02-03")]
    )
    # March to December: 10 months, 2,800 + 3,000 = 5,800 kWh against 8,000 + 3,000 = 11,000
    # (53 %); short 4 × 1,300 kWh at 0.8.
    assert found.loc["summer_lost", "revenue_impact"] == pytest.approx(4 * 1300 * 0.8)


def test_a_fall_lasting_past_a_year_is_still_judged_against_the_year_before_the_alarm():
    u = Utility()
    periods = [f"{year}-{month:02d}" for year in (2022, 2023, 2024) for month in range(1, 13)]
    # An alarm in January 2023, then 350 kWh a month from February on instead of 1,000.
    u.customer("fallen", **COMMERCIAL)
    u.monthly("fallen", [1000.0] * 13 + [350.0] * 23, tariff="COM", periods=periods)
    # Near miss: the same alarm on a shop that goes on using 1,000 kWh a month.
    u.customer("steady", **COMMERCIAL)
    u.monthly("steady", [1000.0] * 36, tariff="COM", periods=periods)
    alarms = [_alarm(cid, "2023-01-15 10:00") for cid in ("fallen", "steady")]
    first = findings_of(u, "meter_event_unresolved", as_of="2023-12", meter_events=alarms)
    later = findings_of(u, "meter_event_unresolved", as_of="2024-12", meter_events=alarms)
    assert list(first.index) == list(later.index) == ["fallen"]
    # February to December 2023 against 2022: 11 × 650 kWh short at 0.8 = 11 × 520 = 5,720.00.
    assert first.loc["fallen", "revenue_impact"] == pytest.approx(5720.0)
    # 2024 against the year before the alarm too (2022), not against 2023's fallen months:
    # 23 × 520 = 11,960.00, the fall still 35 %.
    assert later.loc["fallen", "revenue_impact"] == pytest.approx(11960.0)
    assert (
        "monthly kWh fell from 1,000 (the same months of the year before the alarm) to 350 (35%) "
        "over 2023-02..2024-12; ¥11,960.00 estimated unbilled"
    ) in later.loc["fallen", "evidence"]
    zh = rules.evidence_text(later.reset_index(), "zh")[0]
    assert "月均电量由告警前一年同期 1,000 千瓦时降至 350 千瓦时（35%）" in zh


def test_alarm_cleared_after_more_than_a_day_lasts_and_within_a_day_does_not():
    alarms = [
        _alarm("late", "2024-06-10 08:00", "current_loss", cleared="2024-06-11 09:00"),
        _alarm("soon", "2024-06-10 08:00", "current_loss", cleared="2024-06-11 07:00"),
    ]
    found = _unresolved_on_falls(alarms)
    assert list(found.index) == ["late"]
    assert "cleared only after 25 hours" in found.loc["late", "evidence"]


def test_short_alarms_count_when_they_repeat_three_times_within_a_month():
    alarms = [
        _alarm(cid, day, "voltage_loss", cleared=f"{day[:10]} 23:00")
        for cid, days in (
            ("three", ("2024-06-02 10:00", "2024-06-15 10:00", "2024-06-30 10:00")),
            ("two", ("2024-06-02 10:00", "2024-06-15 10:00", "2024-07-20 10:00")),
        )
        for day in days
    ]
    found = _unresolved_on_falls(alarms)
    assert list(found.index) == ["three"]
    assert "3 times within 30 days" in found.loc["three", "evidence"]


def test_one_alarm_exported_three_times_is_one_alarm_not_a_repeat():
    alarm = _alarm("copied", "2024-06-02 10:00", "voltage_loss", cleared="2024-06-02 23:00")
    assert _unresolved_on_falls([alarm, alarm, alarm]).empty


def test_alarm_inspected_since_or_without_fall_or_of_another_kind_is_no_finding():
    u = Utility()
    for cid in ("inspected", "other_kind"):
        _falls_after_june(u, cid)
    _falls_after_june(u, "no_fall", after=750.0)  # 75 % of before: above the 70 % a fall needs
    found = findings_of(
        u,
        "meter_event_unresolved",
        meter_events=[
            _alarm("inspected", "2024-06-10 08:00"),
            _alarm("no_fall", "2024-06-10 08:00"),
            _alarm("other_kind", "2024-06-10 08:00", "phase_imbalance"),
        ],
        inspections=[_inspection("inspected", "2024-07-05")],
    )
    assert found.empty


def test_an_alarm_needs_two_bills_after_its_month_to_show_a_fall():
    u = Utility()
    _falls_after_june(u, "A")
    alarms = [_alarm("A", "2024-06-10 08:00")]
    assert findings_of(u, "meter_event_unresolved", as_of="2024-06", meter_events=alarms).empty
    assert findings_of(u, "meter_event_unresolved", as_of="2024-07", meter_events=alarms).empty
    assert not findings_of(u, "meter_event_unresolved", as_of="2024-08", meter_events=alarms).empty


# --- energy a meter left unbilled on the wrong tariff: at the tariff due -----------------------


def test_energy_lost_at_a_replacement_on_the_wrong_tariff_is_priced_at_the_tariff_due():
    """A shop archived and billed on AGR (0.4) where COM (0.8) is due: the old meter's 50 units
    beyond its last bill × CT 40 = 2,000 kWh at 0.8 = 1,600.00 (800.00 at AGR); tariff_mismatch
    prices the kWh billed, as ever."""
    u = Utility()
    u.customer("A", usage_type="commercial", tariff_category="AGR", ct_ratio=40.0)
    u.monthly("A", flat(4000, 6), multiplier=40.0, tariff="AGR", periods=[f"2024-{m:02d}" for m in range(1, 7)])  # fmt: skip
    u.monthly("A", flat(4000, 6), multiplier=40.0, tariff="AGR", periods=[f"2024-{m:02d}" for m in range(7, 13)], start_register=0.0)  # fmt: skip
    u.order("A", "meter_replacement", "2024-07-01", old="M-A", new="N-A")
    u.orders[-1] |= {"old_final_read": 1650.0, "new_first_read": 0.0}
    found = findings_of(u, "meter_change_energy_lost")
    assert found.loc["A", "revenue_impact"] == pytest.approx(1600.00)
    assert found.loc["A", "evidence"].endswith(
        "2,000 kWh never billed; the kWh not billed priced at COM, the tariff due: ¥800.00 more "
        "than at the tariff billed (¥1,600.00)"
    )


def test_a_slow_meter_on_the_wrong_tariff_is_back_billed_at_the_tariff_due():
    """The slow meter above on a shop billed on AGR (0.4) where COM (0.8) is due: its 250 kWh
    at 0.8, 200.00 (100.00 at AGR), and the evidence says so in both languages."""
    u = Utility()
    u.customer("A", usage_type="commercial", tariff_category="AGR")
    u.monthly("A", flat(1000), tariff="AGR")
    tests = [_test("A", "2023-07-01", 0.1), _test("A", "2024-07-01", -4.0)]
    found = findings_of(u, "meter_error_backbill", meter_tests=tests)
    assert found.loc["A", "revenue_impact"] == pytest.approx(200.0)
    assert found.loc["A", "evidence"].endswith(
        "250 kWh to back-bill, ¥200.00; the kWh not billed priced at COM, the tariff due: "
        "¥100.00 more than at the tariff billed"
    )
    chinese = rules.evidence_text(found.loc[["A"]].reset_index(), "zh").iat[0]
    assert chinese.endswith("；少计电量按应执行电价 COM 计价，比按现行电价多 100.00 元")


# --- the funds on the kWh back-billed ---------------------------------------------------------


def _factory_on_ind2(u: Itemized, cid: str, months: range) -> None:
    """A 10 kV factory on IND2 (energy 0.60, 30 a kVA on 400 kVA, funds 0.03), 10,000 kWh a
    month, each bill's lines as due."""
    u.customer(cid, **INDUSTRIAL)
    for month in months:
        lines = [("energy", 10000.0, 0.60), ("basic", 400.0, 30.0), ("fund", 10000.0, 0.03)]
        u.bill(cid, f"2024-{month:02d}", 10000, lines, tariff="IND2")


def test_energy_lost_at_a_replacement_owes_its_funds_too():
    """The old meter's final read 500 units beyond its last bill (multiplier 1): 500 kWh never
    billed, 500 × 0.60 = 300.00 of energy and 500 × 0.03 = 15.00 of funds, 315.00; the funds
    are collected on every kWh sold, as multiplier_mismatch collects them."""
    u = Itemized()
    _factory_on_ind2(u, "F", range(1, 3))
    last_end = u.registers["F"]
    u.registers["F"] = 0.0  # the new meter starts at 0
    lines = [("energy", 10000.0, 0.60), ("basic", 400.0, 30.0), ("fund", 10000.0, 0.03)]
    u.bill("F", "2024-03", 10000, lines, tariff="IND2")
    u.orders.append(
        {
            "order_id": "WO1",
            "customer_id": "F",
            "order_type": "meter_replacement",
            "issued_at": pd.Timestamp("2024-02-20"),
            "transferred_at": pd.Timestamp("2024-02-21"),
            "registered_at": pd.Timestamp("2024-02-22"),
            "archived_at": pd.Timestamp("2024-02-23"),
            "effective_date": pd.Timestamp("2024-03-01"),
            "old_value": "M-F",
            "new_value": "N-F",
            "old_final_read": last_end + 500,
            "new_first_read": 0.0,
        }
    )
    found = u.run("meter_change_energy_lost", as_of="2024-03")
    assert found.loc["F", "revenue_impact"] == pytest.approx(315.00, abs=0.005)
    assert found.loc["F", "evidence"].endswith(
        "500 kWh never billed (¥315.00), of which ¥15.00 of funds"
    )


def test_a_slow_meter_is_back_billed_its_funds_too():
    """Tested on 1 July at −5 %, tested before on 1 January: the window is half the 182 days,
    91, from 1 April; April to June billed 30,000 kWh, so 30,000 × 5 / 95 = 1,578.95 kWh were
    used and not recorded: 947.37 of energy at 0.60 and 47.37 of funds at 0.03, 994.74."""
    u = Itemized()
    _factory_on_ind2(u, "M", range(1, 8))
    tests = pd.DataFrame(
        {
            "customer_id": ["M", "M"],
            "meter_id": ["M-M", "M-M"],
            "tested_at": pd.to_datetime(["2024-01-01", "2024-07-01"]),
            "error_pct": [0.1, -5.0],
        }
    )
    dataset = Dataset.from_frames(u.tables() | {"meter_tests": tests})
    found = rules.run(dataset, rules="meter_error_backbill", as_of="2024-07")
    assert found["revenue_impact"].tolist() == [pytest.approx(994.74, abs=0.005)]
    assert (
        found["evidence"]
        .iat[0]
        .endswith("1,579 kWh to back-bill, ¥994.74, of which ¥47.37 of funds")
    )


def test_a_register_jump_owes_the_funds_on_the_kwh_it_skipped():
    """March's start register is 500 units past February's end with no replacement: 500 kWh
    never billed, 500 × 0.60 = 300.00 of energy and 500 × 0.03 = 15.00 of funds, 315.00, as
    the energy lost at a replacement is priced."""
    u = Itemized()
    _factory_on_ind2(u, "F", range(1, 3))
    u.registers["F"] += 500
    lines = [("energy", 10000.0, 0.60), ("basic", 400.0, 30.0), ("fund", 10000.0, 0.03)]
    u.bill("F", "2024-03", 10000, lines, tariff="IND2")
    found = u.run("register_mismatch", as_of="2024-03")
    assert found.loc["F", "revenue_impact"] == pytest.approx(315.00, abs=0.005)
    assert found.loc["F", "evidence"].endswith("(¥315.00), of which ¥15.00 of funds")


def test_a_bill_short_of_its_registers_owes_its_funds_on_monthly_data_too():
    """Monthly bills without lines, COM at 0.80 with funds of 0.03 a kWh: March billed 60 kWh
    of its 100 registered, 40 × 0.80 + 40 × 0.03 = 33.20 (the energy alone said 32.00). Near
    miss: without a fund rate in the schedule, 32.00 and no funds said."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff="COM")[2]["kwh_billed"] = 60.0
    tables = u.tables()
    plain = rules.run(Dataset.from_frames(tables), rules="register_mismatch")
    assert plain["revenue_impact"].tolist() == [pytest.approx(32.00)]
    assert "funds" not in plain["evidence"].iat[0]
    tariffs = tables["tariffs"]
    tables["tariffs"] = tariffs.assign(fund_rate=(tariffs["tariff_category"] == "COM") * 0.03)
    found = rules.run(Dataset.from_frames(tables), rules="register_mismatch")
    assert found["revenue_impact"].tolist() == [pytest.approx(33.20)]
    assert found["evidence"].iat[0].endswith("(¥33.20), of which ¥1.20 of funds")


def test_a_bill_whose_kwh_are_the_old_meters_alone_is_its_last_though_its_reads_could_join():
    """July read the old meter only, 2,800 → 2,950 (150 × 40 = 6,000 kWh, billed right), on a
    CT 40 → 60 swap on 16 July; August starts the new meter at 30 though its first read was 0:
    30 × 60 = 1,800 kWh never billed × 0.8 = ¥1,440.00. July's reads pass for a join (it runs
    on from June, ends off the final read), but its kWh are one meter's: a join would be
    (2,950 − 0) × 40 = 118,000 kWh at least. Without the final read ("nofinal") July was taken
    as joined and the ¥1,440.00 hidden; with a final read of 3,000 ("short") July stops 50
    units short of it: 50 × 40 + 30 × 60 = 2,000 + 1,800 = 3,800 kWh × 0.8 = ¥3,040.00 (was
    (3,000 − 2,800) × 40 = 8,000 kWh, ¥6,400.00). Near miss ("withfinal"): July read up to the
    final read 2,950, the ¥1,440.00 alone."""
    u = Utility()
    for cid, final in (("nofinal", None), ("withfinal", 2950.0), ("short", 3000.0)):
        u.customer(cid, ct_ratio=60.0, contract_capacity_kva=160.0, **COMMERCIAL)
        bills = u.monthly(cid, flat(12_000), multiplier=40.0, tariff="COM")
        bills[6].update(register_end=2950.0, kwh_billed=6000.0, energy_charge=4800.0)
        bills[6]["amount"] = 4800.0
        for month, bill in enumerate(bills[7:]):
            bill.update(
                register_start=30.0 + 200.0 * month,
                register_end=30.0 + 200.0 * (month + 1),
                multiplier_billed=60.0,
            )
        u.order(cid, "meter_replacement", "2024-07-16", old=f"M-{cid}", new=f"N-{cid}")
        if final is not None:
            u.orders[-1]["old_final_read"] = final
        u.orders[-1]["new_first_read"] = 0.0
    found = findings_of(u, "meter_change_energy_lost")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"nofinal": 1440.0, "withfinal": 1440.0, "short": 3040.0}
    )

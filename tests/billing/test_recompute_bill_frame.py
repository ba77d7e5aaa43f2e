"""The prepared bill frame: what was in force on each bill from the archive and the orders."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from billing_builders import Billing

from auditkit.billing import recompute
from auditkit.billing.basic import capacity_before, order_steps
from auditkit.billing.bill_frame import (
    BILL_FRAME_COLUMNS,
    SWAP_JUDGED,
    SWAP_READS_IMPOSSIBLE,
    SWAP_REGISTERS_FALL,
    SWAP_THREE_METERS,
    bill_of,
    codes_of,
    prepare_bills,
    rates_frame,
)
from auditkit.billing.tariff_lookup import TariffLookup, day_numbers
from auditkit.periods import month_number


def _frame(b: Billing, last: str | None = None) -> pd.DataFrame:
    return prepare_bills(b.dataset(), None if last is None else int(month_number([last])[0]))


def test_frame_columns_read_dates_and_order():
    b = Billing()
    b.customer("B")
    b.customer("A")
    b.bill("B", "2024-02", 10, 0.80)
    b.bill("A", "2024-02", 10, 0.80, read_from=pd.Timestamp("2024-01-26"))
    b.bill("A", "2024-01", 10, 0.80)
    frame = _frame(b)
    assert tuple(frame.columns[: len(BILL_FRAME_COLUMNS)]) == BILL_FRAME_COLUMNS
    assert frame["customer_id"].tolist() == ["A", "A", "B"]
    assert frame["period"].tolist() == ["2024-01", "2024-02", "2024-02"]
    assert frame["bill"].tolist() == [0, 1, 2]
    # Read dates default to the calendar month; given ones are kept. 2024-02 has 29 days.
    assert frame["read_from"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-01",
        "2024-01-26",
        "2024-02-01",
    ]
    assert frame["read_to"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-31",
        "2024-02-29",
        "2024-02-29",
    ]
    assert frame["read_days"].tolist() == [31, 35, 29]
    assert _frame(b, "2024-01")["period"].tolist() == ["2024-01"]


def test_multiplier_and_tariff_in_force_before_their_orders():
    b = Billing()
    b.customer("C", ct_ratio=10.0, pt_ratio=10.0, tariff_category="MKT")
    b.order("C", "meter_replacement", "2024-02-10", old=50, new=100)
    b.order("C", "meter_replacement", "2024-03-01", old="M-OLD", new="M-NEW")  # not a number
    b.order("C", "tariff_change", "2024-03-01", old="COM", new="MKT")
    for month in (1, 2, 3):
        b.bill("C", f"2024-0{month}", 500, 0.80, multiplier=50, start=month * 10)
    frame = _frame(b)
    # 10 register units a month: × 50 in January (before 2024-02-10), × 100 after.
    assert frame["multiplier_due"].tolist() == [50.0, 100.0, 100.0]
    assert frame["kwh_due"].tolist() == [500.0, 1000.0, 1000.0]
    assert frame["tariff_due"].tolist() == ["COM", "COM", "MKT"]
    rates = rates_frame(frame, TariffLookup(b.dataset().tariffs))
    # COM's flat rate; MKT has no market price for March.
    assert rates["flat_rate"][:2].tolist() == [0.80, 0.80]
    assert np.isnan(rates["flat_rate"][2])


def test_contract_capacity_before_an_order_without_its_old_value_is_unknown():
    """On each read_to: before a capacity order its old value; before one that records none, the
    new value of the order before it (A: 315 → 500 from 10 February, then to 800 from 1 April
    without the old value: 500 in February and March), else unknown (B, an increase from
    15 March without it: NaN in January and February), never the archive's 800 of today. The
    multiplier still skips an order whose old value is not a number (the old meter's id)."""
    b = Billing()
    for cid in ("A", "B"):
        b.customer(cid, contract_capacity_kva=800.0)
        for month in (1, 2, 3, 4):
            b.bill(cid, f"2024-0{month}", 100, 0.80)
    b.order("A", "capacity_increase", "2024-02-10", old=315, new=500)
    b.order("A", "capacity_increase", "2024-04-01", old="", new=800)
    b.order("B", "capacity_increase", "2024-03-15", old="", new=800)
    b.order("B", "meter_replacement", "2024-03-15", old="M-OLD", new="M-NEW")
    frame = _frame(b)
    capacity = frame["contract_capacity_kva"].to_numpy()
    np.testing.assert_array_equal(capacity[:4], [315.0, 500.0, 500.0, 800.0])
    np.testing.assert_array_equal(capacity[4:], [np.nan, np.nan, 800.0, 800.0])
    assert frame["multiplier_due"].tolist() == [1.0] * 8


def _three_capacity_orders(june: str) -> Billing:
    """A two-part customer by capacity, billed 2024: 200 → 315 kVA from 1 March, an order of
    type `june` from 1 June that records no new capacity, and a reduction to 250 (the
    archive's, today's) from 1 September that records no old one."""
    b = Billing()
    b.customer(
        "X",
        usage_type="industrial",
        tariff_category="IND2",
        voltage_kv=10.0,
        contract_capacity_kva=250.0,
        basic_charge_basis="capacity",
    )
    for month in range(1, 13):
        b.bill("X", f"2024-{month:02d}", 100, 0.60, tariff="IND2")
    b.order("X", "capacity_increase", "2024-03-01", old=200, new=315)
    b.order("X", june, "2024-06-01", old=315, new="")
    b.order("X", "capacity_reduction", "2024-09-01", old="", new=250)
    return b


def _capacity_before_each(orders: pd.DataFrame) -> np.ndarray:
    """`capacity_before` of each of one customer's orders, from the work-order table."""

    def kva(column: str) -> np.ndarray:
        return pd.to_numeric(orders[column], errors="coerce").to_numpy(dtype=float)

    return capacity_before(
        np.zeros(len(orders), dtype=np.int64),
        day_numbers(orders["effective_date"]),
        kva("old_value"),
        kva("new_value"),
    )


@pytest.mark.parametrize(
    ("june", "at_most", "at_least"),
    [("capacity_increase", np.nan, 315.0), ("capacity_reduction", 315.0, np.nan)],
)
def test_the_capacity_before_an_order_is_a_capacity_never_a_bound(
    june: str, at_most: float, at_least: float
) -> None:
    """200 → 315 kVA from 1 March, an order from 1 June that records no new capacity, a
    reduction to 250 from 1 September that records no old one. Before each order
    capacity_before gives 200, 315 and NaN: from June the capacity was at least 315 (an
    increase) or at most 315 (a reduction), which `order_steps` keeps as the June order's bound;
    read as the capacity in force, 315 would make a demand of 320 kW look over the capacity
    after an increase, or a 300 kVA bill look short after a reduction. June to August are
    unknown in the bill frame (judged as billed)."""
    b = _three_capacity_orders(june)
    orders = b.dataset().work_orders
    np.testing.assert_array_equal(_capacity_before_each(orders), [200.0, 315.0, np.nan])
    steps = order_steps(orders)
    assert steps["kva"].tolist()[:2] == [200.0, 315.0] and steps["kva"].tolist()[3] == 250.0
    np.testing.assert_array_equal(
        steps.iloc[2][["at_most", "at_least"]].tolist(), [at_most, at_least]
    )
    contract = _frame(b)["contract_capacity_kva"].to_numpy()
    assert contract[:5].tolist() == [200.0] * 2 + [315.0] * 3
    assert np.isnan(contract[5:8]).all()
    assert contract[8:].tolist() == [250.0] * 4


def test_a_meter_replaced_inside_the_read_period_joins_the_two_meters():
    b = Billing()
    b.customer("J", ct_ratio=100.0)
    b.orders.append(
        {
            "order_id": "WO9",
            "customer_id": "J",
            "order_type": "meter_replacement",
            "issued_at": pd.Timestamp("2024-03-01"),
            "effective_date": pd.Timestamp("2024-03-11"),
            "old_value": "50",
            "new_value": "100",
            "old_final_read": 1040.0,
            "new_first_read": 0.0,
        }
    )
    # Old meter 1000 → 1040 × 50 = 2000 kWh, new meter 0 → 30 × 100 = 3000 kWh: 5000 kWh due.
    b.bill("J", "2024-03", 5000, 0.90, start=1000, register_end=30.0, multiplier=100)
    # Near miss: a bill that already starts on the new meter's first read is not joined again
    # (old final read 1040 = the previous end): 0 → 30 × 100 = 3000 kWh.
    b.customer("N", ct_ratio=100.0)
    b.orders.append({**b.orders[0], "order_id": "WO10", "customer_id": "N", "old_value": "100"})
    b.bill("N", "2024-03", 3000, 0.90, start=0.0, register_end=30.0, multiplier=100)
    assert _frame(b)["kwh_due"].tolist() == [5000.0, 3000.0]


def test_a_ct_change_inside_the_last_bills_period_joins_the_old_meter_at_the_multiplier_before():
    """CT 50 → 100 swapped with the meter on 11 March, inside the last bill's period, by an
    order recording meter numbers: with no bill read from that day on, the multiplier before it
    was unknown and the join priced the old meter at the new 100 too, (1040 − 1000) × 100 +
    30 × 100 = 7,000 kWh due of 5,000 billed. March's bill is the new meter's, at 100, and
    February's at 50: (1040 − 1000) × 50 + 30 × 100 = 5,000. Near miss: a meter-only swap,
    billed 100 before it too, changes no multiplier: 40 × 100 + 3,000 = 7,000."""
    b = Billing()
    for customer_id, before in (("J", 50.0), ("M", 100.0)):
        b.customer(customer_id, ct_ratio=100.0)
        b.bill(customer_id, "2024-02", 40 * before, 0.90, start=960.0, multiplier=before)
        b.bill(customer_id, "2024-03", 5000, 0.90, start=1000, register_end=30.0, multiplier=100)
        b.orders.append(
            {
                "order_id": f"WO-{customer_id}",
                "customer_id": customer_id,
                "order_type": "meter_replacement",
                "issued_at": pd.Timestamp("2024-03-01"),
                "effective_date": pd.Timestamp("2024-03-11"),
                "old_value": "E-0012345",
                "new_value": "E-0098765",
                "old_final_read": 1040.0,
                "new_first_read": 0.0,
            }
        )
    frame = _frame(b)
    march = frame[frame["period"] == "2024-03"].set_index("customer_id")["kwh_due"]
    assert march.to_dict() == {"J": 5000.0, "M": 7000.0}


def _swap(b: Billing, customer_id: str, day: str, old: str, **reads: float) -> None:
    """A meter_replacement of `customer_id` effective on `day`, old value `old` (new 100), with
    the reads given (old_final_read, new_first_read)."""
    b.orders.append(
        {
            "order_id": f"WO-{customer_id}",
            "customer_id": customer_id,
            "order_type": "meter_replacement",
            "issued_at": pd.Timestamp(day) - pd.Timedelta(days=5),
            "effective_date": pd.Timestamp(day),
            "old_value": old,
            "new_value": "100",
            **reads,
        }
    )


def test_a_joined_bill_of_a_meter_kept_without_its_final_read_splits_at_the_first_read():
    """PT changed on 11 March with the meter kept (multiplier 50 → 100), the order recording the
    first read 1,020 and no final read: the meter reads on, so 1,020 is where 50 stopped. March
    1,000 → 1,030 is due 20 × 50 + 10 × 100 = 2,000 kWh (was the 1,800 billed). Near miss: a new
    meter's first read 0, outside March's registers 1,000 → 30, tells nothing of the old part:
    the 5,000 billed (at least 30 × 100)."""
    b = Billing()
    b.customer("K", ct_ratio=100.0)
    b.bill("K", "2024-02", 2000, 0.90, start=960.0, multiplier=50)  # 960 → 1,000
    b.bill("K", "2024-03", 1800, 0.90, start=1000, register_end=1030.0, multiplier=100)
    _swap(b, "K", "2024-03-11", "50", new_first_read=1020.0)
    b.customer("F", ct_ratio=100.0)
    b.bill("F", "2024-03", 5000, 0.90, start=1000, register_end=30.0, multiplier=100)
    _swap(b, "F", "2024-03-11", "50", new_first_read=0.0)
    march = _frame(b).query("period == '2024-03'").set_index("customer_id")["kwh_due"]
    assert march.to_dict() == {"K": 2000.0, "F": 5000.0}


def test_a_bill_joins_both_meters_as_meter_change_energy_lost_reads_it():
    """The bills around a swap, read as the rule reads them (`meter_swap_bills`). A joined bill
    without the final read: the old meter's part is not known, the 5,000 kWh billed are due
    (at least 30 new units × 100), not (30 − 1,000) × 100 = −97,000. A swap on 1 March, the
    first day of March's period: 0 old units (final 1,000) + 30 × 100 = 3,000, not −97,000. A
    bill read on the old meter up to its final read 1,040 (meter-only swap at 100): its own
    40 × 100 = 4,000, not (1,040 − 1,000) × 100 + (1,040 − 0) × 100 = 108,000. A bill read
    26 June – 25 July starting on the new meter at 30 (read from 0), a swap on 1 July, the old
    meter's 20 units to its final 2,820 added (800 kWh): its own (330 − 30) × 40 + the old
    meter's tail (2,820 − 2,800) × 40 = 12,800 (the 30 units before it are
    meter_change_energy_lost's), not (2,820 − 30) × 40 + 330 × 40 = 124,800."""
    b = Billing()
    for customer_id in ("F", "D", "O"):
        b.customer(customer_id, ct_ratio=100.0)
        b.bill(customer_id, "2024-02", 4000, 0.90, start=960.0, multiplier=100)
    b.bill("F", "2024-03", 5000, 0.90, start=1000, register_end=30.0, multiplier=100)
    _swap(b, "F", "2024-03-11", "50", new_first_read=0.0)
    b.bill("D", "2024-03", 3000, 0.90, start=1000, register_end=30.0, multiplier=100)
    _swap(b, "D", "2024-03-01", "E-1", old_final_read=1000.0, new_first_read=0.0)
    b.bill("O", "2024-03", 4000, 0.90, start=1000, multiplier=100)  # 1,000 → 1,040
    _swap(b, "O", "2024-03-11", "E-1", old_final_read=1040.0, new_first_read=0.0)
    b.customer("S", ct_ratio=40.0)
    june = {"read_from": pd.Timestamp("2024-05-26"), "read_to": pd.Timestamp("2024-06-25")}
    july = {"read_from": pd.Timestamp("2024-06-26"), "read_to": pd.Timestamp("2024-07-25")}
    b.bill("S", "2024-06", 12000, 0.80, start=2500.0, multiplier=40, **june)
    b.bill("S", "2024-07", 12800, 0.80, start=30.0, register_end=330.0, multiplier=40, **july)
    _swap(b, "S", "2024-07-01", "E-1", old_final_read=2820.0, new_first_read=0.0)
    frame = _frame(b)
    last = frame[frame["period"].isin(["2024-03", "2024-07"])].set_index("customer_id")
    assert last["kwh_due"].to_dict() == {"D": 3000.0, "F": 5000.0, "O": 4000.0, "S": 12800.0}


def test_a_bill_whose_kwh_are_the_old_meters_alone_is_due_its_own_registers():
    """March read the old meter only, 1,000 → 1,030 (30 × 100 = 3,000 kWh, billed right), on a
    swap on 11 March; the new meter's first bill is not in the extract. Its reads pass for a
    join, its kWh do not: without the final read ("N") it was due (1,030 − 0) × 100 = 103,000
    kWh (+100,000); with a final read of 1,050 it stops short of ("H") (1,050 − 1,000) × 100 +
    (1,030 − 0) × 100 = 108,000 (+105,000). Both are due their own 3,000. Near miss ("J"): a
    bill joining both meters, 1,000 → final 1,040 and the new meter 0 → 30, billed (40 + 30)
    × 100 = 7,000 kWh, due 7,000 as joined (its own registers would say (30 − 1,000) × 100)."""
    b = Billing()
    for customer_id in ("N", "H", "J"):
        b.customer(customer_id, ct_ratio=100.0)
        b.bill(customer_id, "2024-02", 4000, 0.90, start=960.0, multiplier=100)
    b.bill("N", "2024-03", 3000, 0.90, start=1000, register_end=1030.0, multiplier=100)
    _swap(b, "N", "2024-03-11", "E-1", new_first_read=0.0)
    b.bill("H", "2024-03", 3000, 0.90, start=1000, register_end=1030.0, multiplier=100)
    _swap(b, "H", "2024-03-11", "E-1", old_final_read=1050.0, new_first_read=0.0)
    b.bill("J", "2024-03", 7000, 0.90, start=1000, register_end=30.0, multiplier=100)
    _swap(b, "J", "2024-03-11", "E-1", old_final_read=1040.0, new_first_read=0.0)
    frame = _frame(b)
    march = frame[frame["period"] == "2024-03"].set_index("customer_id")
    assert march["kwh_due"].to_dict() == {"H": 3000.0, "J": 7000.0, "N": 3000.0}


def test_a_first_new_bill_adding_the_old_meters_tail_is_due_it():
    """CT 40 → 60 swapped with the meter on 16 December (final read 4,450, first read 0);
    November read the old meter 4,000 → 4,300. December starts on the new meter 0 → 100 and adds
    the old meter's unbilled 150 units (换表电量): 100 × 60 + 150 × 40 = 12,000 kWh billed, right
    ("A"); it was due its own 100 × 60 = 6,000 (−6,000 kWh, a ¥4,800 refund on an honest bill).
    Billing only its own 6,000 ("M", the order recording CT 40), the tail is due there too:
    12,000. Near miss ("R"): November read up to the final read 4,450 (4,150 → 4,450), no tail
    left: December is due its own 6,000."""
    b = Billing()
    for customer_id, old, november_start, december_kwh in (
        ("A", "E-1", 4000.0, 12000),
        ("M", "40", 4000.0, 6000),
        ("R", "40", 4150.0, 6000),
    ):
        b.customer(customer_id, ct_ratio=60.0)
        b.bill(customer_id, "2024-11", 12000, 0.80, start=november_start, multiplier=40)
        b.bill(
            customer_id,
            "2024-12",
            december_kwh,
            0.80,
            start=0.0,
            register_end=100.0,
            multiplier=60,
        )
        _swap(b, customer_id, "2024-12-16", old, old_final_read=4450.0, new_first_read=0.0)
    frame = _frame(b)
    december = frame[frame["period"] == "2024-12"].set_index("customer_id")["kwh_due"]
    assert december.to_dict() == {"A": 12000.0, "M": 12000.0, "R": 6000.0}
    november = frame[frame["period"] == "2024-11"].set_index("customer_id")["kwh_due"]
    assert november.to_dict() == {"A": 12000.0, "M": 12000.0, "R": 12000.0}


def test_an_old_meters_tail_read_across_a_falling_register_is_not_owed():
    """An honest July joining both meters of a CT 40 → 60 swap on 16 July (2,800 → final 2,950
    at 40, new 0 → 100 at 60: 12,000 kWh), the order's final read typed 29,500: July does not
    join, its kWh being nearer its own registers, and is the old meter's last bill, August
    (100 → 300 at 60, 12,000 kWh) the first new one. A tail of 29,500 − 100 = 29,400 units "owed"
    there made August due 12,000 + 29,400 × 40 = 1,188,000 kWh (+¥940,800.00); July's registers
    fall, whose reads are whose is not known: August is due its own 200 × 60 = 12,000."""
    b = Billing()
    b.customer("T", ct_ratio=60.0)
    b.bill("T", "2024-06", 12000, 0.80, start=2500.0, multiplier=40)
    b.bill("T", "2024-07", 12000, 0.80, start=2800.0, register_end=100.0, multiplier=60)
    b.bill("T", "2024-08", 12000, 0.80, start=100.0, multiplier=60)
    _swap(b, "T", "2024-07-16", "40", old_final_read=29500.0, new_first_read=0.0)
    august = _frame(b).set_index("period")["kwh_due"]["2024-08"]
    assert august == 12000.0


def test_a_first_new_bill_whose_swap_reads_no_meter_can_show_is_due_its_kwh_billed():
    """June read the old meter 2,500 → 2,800 at 40; July joins it to the new meter (2,800 →
    100, 12,000 kWh billed at 60) on a CT 40 → 60 swap on 16 July. The order's final read 2,700
    is below June's last billed read 2,800 ("L"): July was due its own (100 − 2,800) × 60 =
    −162,000 kWh (−¥139,200.00 "proved"); the new meter's first read 150 is above July's end
    100 ("H"): 150 × 40 + (100 − 150) × 60 = 3,000 (−¥7,200.00). Reads no meter can have shown
    prove nothing: both are due the 12,000 billed, not judged, and the recomputation's note
    names them. Near miss ("J", final 2,950,
    first 0, billed 10,000): judged, 150 × 40 + 100 × 60 = 12,000 due."""
    b = Billing()
    for customer_id, final, first, kwh in (
        ("L", 2700.0, 0.0, 12000),
        ("H", 2950.0, 150.0, 12000),
        ("J", 2950.0, 0.0, 10000),
    ):
        b.customer(customer_id, ct_ratio=60.0)
        b.bill(customer_id, "2024-06", 12000, 0.80, start=2500.0, multiplier=40)
        b.bill(customer_id, "2024-07", kwh, 0.80, start=2800.0, register_end=100.0, multiplier=60)
        _swap(b, customer_id, "2024-07-16", "40", old_final_read=final, new_first_read=first)
    july = _frame(b).set_index("period").loc["2024-07"].set_index("customer_id")
    assert july["kwh_due"].to_dict() == {"H": 12000.0, "J": 12000.0, "L": 12000.0}
    assert july["swap_not_judged"].to_dict() == {
        "H": SWAP_READS_IMPOSSIBLE,
        "J": SWAP_JUDGED,
        "L": SWAP_READS_IMPOSSIBLE,
    }
    notes = [note for note in recompute(b.dataset()).attrs["notes"] if note.code.startswith("swap")]
    assert [(note.code, note.values) for note in notes] == [
        ("swap_reads_impossible", {"count": 2, "bills": "H 2024-07, L 2024-07"})
    ]


def test_a_bill_whose_registers_fall_around_a_swap_dated_outside_it_is_due_its_kwh_billed():
    """May and June read the old meter 2,200 → 2,800 at 40; July reads 2,800 → 100 and billed 150 × 40
    + 100 × 60 = 12,000 kWh, right, on a CT 40 → 60 swap the order dates 28 June (final 2,950,
    first 0), in June's read period, not July's: July joins no swap, its registers fall. It was
    due its own (100 − 2,800) × 60 = −162,000 kWh (−¥139,200.00 at 0.80, no note); which reads
    are whose is not known, as the rules leave it: the 12,000 billed, not judged, named in the
    note. Near miss ("J"): the order dated 16 July, July joins it: judged, 150 × 40 + 100 × 60 =
    12,000 due of 10,000 billed."""
    b = Billing()
    for customer_id, day, kwh in (("E", "2024-06-28", 12000), ("J", "2024-07-16", 10000)):
        b.customer(customer_id, ct_ratio=60.0)
        b.bill(customer_id, "2024-05", 12000, 0.80, start=2200.0, multiplier=40)
        b.bill(customer_id, "2024-06", 12000, 0.80, start=2500.0, multiplier=40)
        b.bill(customer_id, "2024-07", kwh, 0.80, start=2800.0, register_end=100.0, multiplier=60)
        _swap(b, customer_id, day, "40", old_final_read=2950.0, new_first_read=0.0)
    july = _frame(b).set_index("period").loc["2024-07"].set_index("customer_id")
    assert july["kwh_due"].to_dict() == {"E": 12000.0, "J": 12000.0}
    assert july["swap_not_judged"].to_dict() == {"E": SWAP_REGISTERS_FALL, "J": SWAP_JUDGED}
    notes = [note for note in recompute(b.dataset()).attrs["notes"] if note.code.startswith("swap")]
    assert [(note.code, note.values) for note in notes] == [
        ("swap_registers_fall", {"count": 1, "bills": "E 2024-07"})
    ]


def test_a_bill_holding_two_swaps_is_due_each_meters_units_where_the_reads_tell_them():
    """November read meter A 4,000 → 4,300 at 40. On 5 December A (final 4,350) gave way to B
    (first 0, CT 50), on 20 December B (final 40) to C (first 0, CT 60): December reads 4,300 →
    100 and billed all 190 units at 60, 11,400 kWh. It was due its kWh billed, not judged; each
    meter's units × its multiplier: 50 × 40 + 40 × 50 + 100 × 60 = 2,000 + 2,000 + 6,000 =
    10,000 kWh ("T", orders recording the CTs); and November was due at the second swap's old
    50, the middle meter's: 300 × 50 = 15,000 kWh of 12,000 billed right (+¥2,400.00). Near miss ("N"): orders recording meter numbers
    tell neither A's nor B's multiplier: not judged, the 11,400 billed, and the recomputation's
    note names the bill; November before it, its multiplier before unknown, is not judged
    either (as multiplier_mismatch leaves it), named in its own note."""
    b = Billing()
    for customer_id, old in (("T", ("40", "50")), ("N", ("E-A", "E-B"))):
        b.customer(customer_id, ct_ratio=60.0)
        b.bill(customer_id, "2024-11", 12000, 0.80, start=4000.0, multiplier=40)
        b.bill(customer_id, "2024-12", 11400, 0.80, start=4300.0, register_end=100.0, multiplier=60)
        _swap(b, customer_id, "2024-12-05", old[0], old_final_read=4350.0, new_first_read=0.0)
        _swap(b, customer_id, "2024-12-20", old[1], old_final_read=40.0, new_first_read=0.0)
        b.orders[-1]["order_id"] += "-2"
    frame = _frame(b).set_index("period")
    december = frame.loc["2024-12"].set_index("customer_id")
    assert december["kwh_due"].to_dict() == {"N": 11400.0, "T": 10000.0}
    # November, meter A's last bill, is due at A's 40 (300 × 40 = 12,000), not at B's 50.
    assert frame.loc["2024-11"].set_index("customer_id")["kwh_due"]["T"] == 12000.0
    assert december["swap_not_judged"].to_dict() == {"N": SWAP_THREE_METERS, "T": SWAP_JUDGED}
    notes = [note for note in recompute(b.dataset()).attrs["notes"] if note.code.startswith("swap")]
    assert [(note.code, note.values) for note in notes] == [
        ("swap_three_meters", {"count": 1, "bills": "N 2024-12"}),
        ("swap_multiplier_unknown", {"count": 1, "bills": "N 2024-11"}),
    ]


def test_a_joined_bill_billing_both_meters_at_one_multiplier_keeps_the_archives_before_it():
    """A meter-only swap (meter numbers) on 11 March, CT 100 kept, the bills before it billed 50
    by mistake: March joins old 1,000 → final 1,040 and new 0 → 30 and bills all 70 units at
    100, 7,000 kWh. That one bill made the multiplier before the swap the 50 billed before it:
    (1,040 − 1,000) × 50 + 30 × 100 = 5,000 due, 2,000 "over-billed". It billed the old meter's
    units at 100, not 50: 100 before it, 40 × 100 + 3,000 = 7,000 due. Near miss: March billing
    the old meter's 40 units at 50 (2,000 + 3,000 = 5,000 kWh) shows the CT changed with the
    meter: 50 before it, 5,000 due."""
    b = Billing()
    for customer_id, kwh in (("A", 7000), ("J", 5000)):
        b.customer(customer_id, ct_ratio=100.0)
        b.bill(customer_id, "2024-02", 2000, 0.90, start=960.0, multiplier=50)
        b.bill(customer_id, "2024-03", kwh, 0.90, start=1000, register_end=30.0, multiplier=100)
        _swap(b, customer_id, "2024-03-11", "E-1", old_final_read=1040.0, new_first_read=0.0)
    frame = _frame(b)
    due = frame.set_index(["customer_id", "period"])["multiplier_due"]
    assert due.to_dict() == {
        ("A", "2024-02"): 100.0,
        ("A", "2024-03"): 100.0,
        ("J", "2024-02"): 50.0,
        ("J", "2024-03"): 100.0,
    }
    march = frame[frame["period"] == "2024-03"].set_index("customer_id")["kwh_due"]
    assert march.to_dict() == {"A": 7000.0, "J": 5000.0}


def test_demand_and_reactive_energy_are_due_at_the_multiplier_due():
    # W: billed at 20 where CT 40 is due: its demand and reactive energy, read through the same
    # CT, are due twice as billed. E: the same, read estimated: its kWh, demand and kvarh stay as
    # billed (no register was read). J: a meter replaced inside the read period (50 → 100), the
    # bill at the new meter's 100: the multiplier due, nothing rescaled.
    b = Billing()
    reads = {"max_demand_kw": 30.0, "kvarh_import": 400.0, "kvarh_export": 10.0}
    for customer_id in ("W", "E"):
        b.customer(customer_id, ct_ratio=40.0)
    b.bill("W", "2024-03", 1000, 0.90, multiplier=20.0, **reads)
    b.bill("E", "2024-03", 1000, 0.90, multiplier=20.0, read_type="estimated", **reads)
    b.customer("J", ct_ratio=100.0)
    b.orders.append(
        {
            "order_id": "WO9",
            "customer_id": "J",
            "order_type": "meter_replacement",
            "issued_at": pd.Timestamp("2024-03-01"),
            "effective_date": pd.Timestamp("2024-03-11"),
            "old_value": "50",
            "new_value": "100",
            "old_final_read": 1040.0,
            "new_first_read": 0.0,
        }
    )
    b.bill("J", "2024-03", 5000, 0.90, start=1000, register_end=30.0, multiplier=100, **reads)
    frame = _frame(b).set_index(pd.Index(["E", "J", "W"]))
    assert frame["kwh_due"].to_dict() == {"E": 1000.0, "J": 5000.0, "W": 2000.0}
    for name, value in reads.items():
        assert frame[name].tolist() == [value] * 3  # the bill's own
        assert frame[f"{name}_due"].to_dict() == {"E": value, "J": value, "W": 2 * value}


def test_a_bill_joined_across_a_multiplier_change_keeps_its_demand_and_kvarh_as_billed():
    """CT 1,000 → 1,500 on 16 July, the meter kept (first read 1,650): July 1,600 → 1,700 billed
    100,000 kWh at 1,000, demand 400 kW and 300 kvarh. Its kWh are due 50 × 1,000 + 50 × 1,500
    = 125,000; its peak fell before or after the change, which no figure tells: 400 kW and 300
    kvarh due as billed (was × 1,500 / 1,000 = 600 kW, basic +200 kW × 40 = +¥8,000.00), named
    in the recomputation's note. Near miss ("W"): June, billed at 1,000 where 1,500 is due, no
    swap in it: 400 × 1,500 / 1,000 = 600 kW due."""
    b = Billing()
    reads = {"max_demand_kw": 400.0, "kvarh_import": 300.0}
    b.customer("K", ct_ratio=1500.0)
    b.bill("K", "2024-06", 100000, 0.60, start=1500.0, multiplier=1000, **reads)
    b.bill("K", "2024-07", 100000, 0.60, start=1600.0, multiplier=1000, **reads)
    _swap(b, "K", "2024-07-16", "1000", new_first_read=1650.0)
    b.customer("W", ct_ratio=1500.0)
    b.bill("W", "2024-06", 100000, 0.60, start=1500.0, multiplier=1000, **reads)
    frame = _frame(b).set_index(["customer_id", "period"])
    assert frame["kwh_due"].to_dict() == {
        ("K", "2024-06"): 100000.0,  # 100 × 1,000: before the change
        ("K", "2024-07"): 125000.0,  # 50 × 1,000 + 50 × 1,500
        ("W", "2024-06"): 150000.0,  # 100 × 1,500
    }
    assert frame["max_demand_kw_due"].to_dict() == {
        ("K", "2024-06"): 400.0,
        ("K", "2024-07"): 400.0,
        ("W", "2024-06"): 600.0,
    }
    assert frame["kvarh_import_due"][("K", "2024-07")] == 300.0
    assert frame["metered_not_judged"].to_dict() == {
        ("K", "2024-06"): False,
        ("K", "2024-07"): True,
        ("W", "2024-06"): False,
    }
    notes = [note for note in recompute(b.dataset()).attrs["notes"] if note.code.startswith("swap")]
    assert [(note.code, note.values) for note in notes] == [
        ("swap_demand_not_judged", {"count": 1, "bills": "K 2024-07"})
    ]


def test_closure_date_and_archive_columns():
    b = Billing()
    b.customer("K", pf_standard=0.9, metering_mode="high_low")
    b.order("K", "closure", "2024-02-20", old="active", new="closed")
    b.bill("K", "2024-01", 10, 0.80)
    b.bill("K", "2024-02", 10, 0.80)
    frame = _frame(b)
    assert frame["closure_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-02-20"] * 2
    assert frame["pf_standard"].tolist() == [0.9, 0.9]
    assert frame["metering_mode"].tolist() == ["high_low", "high_low"]


def _keyed(dataset: object, last: int | None = None) -> pd.DataFrame:
    """The frame made from the bills' customer rows and months, as the rule context gives them."""
    rows = pd.Index(dataset.customers["customer_id"]).get_indexer(dataset.bills["customer_id"])
    keys = (rows, month_number(dataset.bills["period"]))
    return prepare_bills(dataset, last, keys)


def test_a_frame_from_the_bills_keys_is_the_frame_from_their_texts():
    b = Billing()
    b.customer("B")
    b.customer("A", tou=True)
    b.order("A", "tariff_change", "2024-02-10", old="RES", new="TOU")
    b.bill("B", "2024-03", 10, 0.80)
    b.bill("A", "2024-03", 10, 0.80)
    b.bill("A", "2024-01", 10, 0.80)
    dataset = b.dataset()
    for last in (None, int(month_number(["2024-01"])[0])):
        by_texts, by_keys = prepare_bills(dataset, last), _keyed(dataset, last)
        pd.testing.assert_frame_equal(
            by_keys.astype({"customer_id": object, "period": object}),
            by_texts.astype({"customer_id": object, "period": object}),
        )
    assert _keyed(dataset)["period"].tolist() == ["2024-01", "2024-03", "2024-03"]


def test_a_bill_of_an_unknown_customer_keeps_its_id_when_keys_are_given():
    b = Billing()
    b.customer("A")
    b.bill("A", "2024-01", 10, 0.80)
    b.bill("Z", "2024-01", 10, 0.80)
    dataset = SimpleNamespace(**{"work_orders": None, **b.tables()})
    frame = _keyed(dataset)
    assert frame["customer_id"].tolist() == ["Z", "A"]  # unknown (−1) first
    assert frame["customer_row"].tolist() == [-1, 0]


def test_bill_of_finds_each_rows_bill():
    b = Billing()
    b.customer("A")
    b.bill("A", "2024-01", 10, 0.80)
    b.bill("A", "2024-02", 10, 0.80)
    frame = _frame(b)
    rows = pd.DataFrame(
        {"customer_id": ["A", "A", "Z"], "period": ["2024-02", "2024-03", "2024-01"]}
    )
    assert bill_of(frame, rows).tolist() == [1, -1, -1]


def _bills_of(*bills: tuple[str, str]) -> pd.DataFrame:
    """The frame of these (customer, period) bills, as tables that were not validated (a bill
    twice in a month is refused by validation, not by the recomputation)."""
    b = Billing()
    for customer in sorted({customer for customer, _ in bills}):
        b.customer(customer)
    for customer, period in bills:
        b.bill(customer, period, 10, 0.80)
    return prepare_bills(SimpleNamespace(**{"work_orders": None, **b.tables()}))


def test_bill_of_takes_the_first_of_two_bills_of_a_month_and_none_for_a_gap():
    # Frame rows: A 2024-01 (0), its second 2024-01 bill (1), A 2024-03 (2), B 2024-01 (3).
    frame = _bills_of(("A", "2024-01"), ("A", "2024-01"), ("A", "2024-03"), ("B", "2024-01"))
    # Rows of one bill come together, as a bill's lines do: A 2024-01 twice, B 2024-01 twice.
    customers = ["A", "A", "A", "A", "A", "B", "B", "B", "Z"]
    periods = ["2024-01", "2024-01", "2024-02", "2024-03", "2023-12"]
    periods += ["2024-01", "2024-01", "2024-02", "2024-01"]
    rows = pd.DataFrame({"customer_id": customers, "period": periods})
    assert bill_of(frame, rows).tolist() == [0, 0, -1, 2, -1, 3, 3, -1, -1]


def test_bill_of_a_customer_billed_decades_apart_finds_the_same_bills():
    # B's bills 34 years apart span 409 months for 5 bills: the bills are searched, not tabled.
    frame = _bills_of(
        ("A", "2024-01"), ("A", "2024-01"), ("A", "2024-03"), ("B", "1990-01"), ("B", "2024-01")
    )
    rows = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "B", "B", "B", "Z"],
            "period": ["2024-01", "2024-02", "2024-03", "1990-01", "2000-01", "2024-01", "2024-01"],
        }
    )
    assert bill_of(frame, rows).tolist() == [0, -1, 2, 3, -1, 4, -1]


def test_bill_of_reads_rows_alike_as_arrow_text_python_text_or_categories():
    # Frame rows: A 2024-01 (0), A 2024-02 (1), B 2024-01 (2).
    frame = _bills_of(("A", "2024-01"), ("A", "2024-02"), ("B", "2024-01"))
    # Runs of one bill's rows, an empty id between two runs of A's, B's bill after A's.
    customers = ["A", "A", None, "A", "B", "B", "A"]
    periods = ["2024-02", "2024-02", "2024-02", "2024-01", "2024-01", "2024-02", "2024-01"]
    expected = [1, 1, -1, 0, 2, -1, 0]
    for dtype in ("str", object, "category"):
        rows = pd.DataFrame({"customer_id": customers, "period": periods}, dtype=dtype)
        assert bill_of(frame, rows).tolist() == expected, dtype


def test_codes_of_finds_texts_by_arrow_and_anything_else_by_pandas_alike():
    ids = pd.Series(["A", "Z", None, "C", "A"])  # Arrow text: looked up by Arrow
    assert codes_of(ids, pd.Index(["B", "A", "C"])).tolist() == [1, -1, -1, 2, 1]
    objects = pd.Index(["B", "A", "C"], dtype=object)
    assert codes_of(ids.astype(object), objects).tolist() == [1, -1, -1, 2, 1]
    assert codes_of(np.array([3, 7, 3]), pd.Index([7, 5, 3])).tolist() == [2, 0, 2]

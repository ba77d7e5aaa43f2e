"""Basic charge due by capacity (day sums in months of connection, change and closure) and by
demand (40 % floor, 105 % excess doubled), to the fen."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from billing_builders import Billing, line_of
from charges_builders import TWO_PART, bills, dataset, line, rates, recompute_row

from auditkit.billing import recompute
from auditkit.billing.basic import basic_lines, capacity_billed
from auditkit.billing.params import load_billing_params

PARAMS = load_billing_params()
KVA_RATE = {"basic_rate_kva_month": 25.0}
KW_RATE = {"basic_rate_kw_month": 38.0}


def capacity_bills(**extra) -> object:
    """One capacity-basis customer connected on 2024-03-10, bills March to August."""
    return bills(
        *(
            {
                "period": period,
                "basic_charge_basis": "capacity",
                "contract_capacity_kva": 500,
                "connection_date": "2024-03-10",
                **extra,
            }
            for period in ("2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08")
        )
    )


# March: connected on the 10th, 22 days × 800 kVA = 17 600 kVA·days / 30 = 586.667 kVA·month,
#   × 25 = 14 666.666… → 14 666.67 yuan.
# April: 800 kVA all month (no change) → 800 × 25 = 20 000.00.
# May: reduced to 500 kVA from the 16th: 15 × 800 + 16 × 500 = 20 000 / 30 = 666.667
#   → 16 666.67 (not 500 × 25 = 12 500, nor the 31/30 of a plain day count).
# June, July: 500 kVA → 12 500.00 (July has 31 days: no proration without a change).
# August: closed on the 20th: 20 × 500 / 30 = 333.333 → 8 333.33.
EXPECTED = [
    (17_600 / 30, 14_666.67),
    (800.0, 20_000.00),
    (20_000 / 30, 16_666.67),
    (500.0, 12_500.00),
    (500.0, 12_500.00),
    (10_000 / 30, 8_333.33),
]


def check(lines, expected=EXPECTED) -> None:
    assert lines["bill"].tolist() == list(range(len(expected)))
    assert (lines["line_type"] == "basic").all()
    assert lines["quantity"].to_numpy() == pytest.approx([q for q, _ in expected], abs=1e-9)
    assert lines["amount"].tolist() == [amount for _, amount in expected]
    assert (lines["rate"] == 25.0).all()


def test_capacity_from_orders_with_connection_reduction_and_closure():
    frame = capacity_bills()
    frame.loc[5, "closure_date"] = np.datetime64("2024-08-20")
    orders = [
        {
            "customer_id": "C1",
            "order_type": "capacity_reduction",
            "effective_date": "2024-05-16",
            "old_value": "800",
            "new_value": "500",
        }
    ]
    check(basic_lines(frame, rates(*[KVA_RATE] * 6), dataset(orders=orders), PARAMS))


def test_capacity_from_transformer_status_history():
    # Same capacity from transformers: 500 + 300 running from the connection, the 300 sealed on
    # 2024-05-16; a 200 kVA cold-standby unit never counts; a hot-standby unit counts (below).
    frame = capacity_bills()
    frame.loc[5, "closure_date"] = np.datetime64("2024-08-20")
    units = [
        {"transformer_id": "T1", "kva": 500, "status": "running", "status_since": "2024-03-10"},
        {"transformer_id": "T2", "kva": 300, "status": "running", "status_since": "2024-03-10"},
        {"transformer_id": "T2", "kva": 300, "status": "sealed", "status_since": "2024-05-16"},
        {"transformer_id": "T3", "kva": 200, "status": "cold_standby", "status_since": None},
    ]
    units = [{"customer_id": "C1", **row} for row in units]
    check(basic_lines(frame, rates(*[KVA_RATE] * 6), dataset(units), PARAMS))
    # Hot standby is capacity in force: 100 kVA from 2024-07-01, the first day of July's read
    # period, so no day of July differs: 600 × 25 = 15 000.00, not 31/30 of it; June stays 500.
    units.append(
        {
            "customer_id": "C1",
            "transformer_id": "T4",
            "kva": 100,
            "status": "hot_standby",
            "status_since": "2024-07-01",
        }
    )
    lines = basic_lines(frame, rates(*[KVA_RATE] * 6), dataset(units), PARAMS)
    assert line(lines, 3)["quantity"] == 500.0
    assert line(lines, 4)["quantity"] == 600.0
    assert line(lines, 4)["amount"] == 15_000.00


def test_suspension_and_resumption_orders_move_the_capacity():
    # 800 kVA; suspension effective 2024-04-11 leaving 315 kVA, resumption 2024-06-21 back to 800.
    # April: 10 × 800 + 20 × 315 = 14 300 / 30 = 476.667 → 11 916.67; May: 315 → 7 875.00;
    # June: 20 × 315 + 10 × 800 = 14 300 / 30 → 11 916.67; July: 800 → 20 000.00.
    frame = bills(
        *(
            {"period": period, "basic_charge_basis": "capacity", "contract_capacity_kva": 800}
            for period in ("2024-04", "2024-05", "2024-06", "2024-07")
        )
    )
    orders = [
        {
            "customer_id": "C1",
            "order_type": kind,
            "effective_date": day,
            "old_value": old,
            "new_value": new,
        }
        for kind, day, old, new in (
            ("suspension", "2024-04-11", "800", "315"),
            ("resumption", "2024-06-21", "315", "800"),
            ("tariff_change", "2024-05-02", "RES", "COM"),  # not a capacity order
        )
    ]
    lines = basic_lines(frame, rates(*[KVA_RATE] * 4), dataset(orders=orders), PARAMS)
    assert lines["amount"].tolist() == [11_916.67, 7_875.00, 11_916.67, 20_000.00]


def test_a_suspension_leaving_less_than_315_kva_has_no_basic_charge_due():
    # 650 kVA suspended from 2024-03-05 leaving 250 kVA, resumed 2024-07-05 (发改办价格〔2016〕
    # 1583号: less than 315 kVA is single-part).  March ends below 315, its 4 days before still
    # two-part: 4 × 650 / 30 = 86.667 → 2 166.67 (it had no line: the days were due nothing).
    # April to June end below 315: no basic line (April was due 250 × 25 = 6 250.00).  July ends
    # at 650: 4 × 250 + 27 × 650 = 18 550 / 30 = 618.333 → 15 458.33.  Near miss: a threshold
    # of 250 keeps April's 6 250.00.
    frame = bills(
        *(
            {"period": period, "basic_charge_basis": "capacity", "contract_capacity_kva": 650}
            for period in ("2024-03", "2024-04", "2024-05", "2024-06", "2024-07")
        )
    )
    orders = [
        {
            "customer_id": "C1",
            "order_type": kind,
            "effective_date": day,
            "old_value": old,
            "new_value": new,
        }
        for kind, day, old, new in (
            ("suspension", "2024-03-05", "650", "250"),
            ("resumption", "2024-07-05", "250", "650"),
        )
    ]
    lines = basic_lines(frame, rates(*[KVA_RATE] * 5), dataset(orders=orders), PARAMS)
    assert lines["bill"].tolist() == [0, 4]
    assert lines["amount"].tolist() == [2_166.67, 15_458.33]
    lower = load_billing_params(overrides={"two_part_threshold_kva": 250})
    lines = basic_lines(frame, rates(*[KVA_RATE] * 5), dataset(orders=orders), lower)
    assert lines["amount"].tolist()[1:4] == [6_250.00, 6_250.00, 6_250.00]


def test_an_order_without_its_new_capacity_is_held_to_what_its_type_allows():
    """A 1000 kVA contract: suspended to 685 kVA from 2024-04-01, then orders whose new value is
    empty. A reduction from 2024-05-01 is at most the 685 before it (the contract's 1000 would
    cancel the suspension): May 685 × 25 = 17 125.00. A resumption from 2024-06-01 is at least
    685, the contract's 1000 → 25 000.00. Without a suspension, a reduction whose archive holds
    500 kVA (lower than the 800 before it) is the archive's: 500 × 25 = 12 500.00, and an
    increase whose archive holds 800 (above the 500 before it) is 800 → 20 000.00."""
    frame = bills(
        *(
            {"period": period, "basic_charge_basis": "capacity", "contract_capacity_kva": 1000}
            for period in ("2024-04", "2024-05", "2024-06")
        ),
        {"customer_id": "C2", "basic_charge_basis": "capacity", "contract_capacity_kva": 500},
        {"customer_id": "C3", "basic_charge_basis": "capacity", "contract_capacity_kva": 800},
    )
    orders = [
        {
            "customer_id": customer,
            "order_type": kind,
            "effective_date": day,
            "old_value": old,
            "new_value": new,
        }
        for customer, kind, day, old, new in (
            ("C1", "suspension", "2024-04-01", "1000", "685"),
            ("C1", "capacity_reduction", "2024-05-01", "1000", ""),
            ("C1", "resumption", "2024-06-01", "", ""),
            ("C2", "capacity_reduction", "2023-06-01", "800", ""),
            ("C3", "capacity_increase", "2023-06-01", "500", ""),
        )
    ]
    lines = basic_lines(frame, rates(*[KVA_RATE] * 5), dataset(orders=orders), PARAMS)
    assert lines["quantity"].tolist() == [685.0, 685.0, 1000.0, 500.0, 800.0]
    assert lines["amount"].tolist() == [17_125.00, 17_125.00, 25_000.00, 12_500.00, 20_000.00]


def test_before_an_order_without_its_old_capacity_the_basic_charge_is_due_as_billed():
    """An increase to 800 kVA from 2024-05-20 that records no old capacity: before it the capacity
    is unknown (the bill frame's contract capacity NaN in April; May's read_to is after the
    order: 800), and a bill with a day of it is due on the capacity it billed, whole. April:
    500 kVA recorded → 12 500.00, or, without capacity_billed_kva, its basic charge 11 250.00 ÷
    25 = 450 kVA → 11 250.00; May (1–19 May unknown) on its 620 kVA billed → 15 500.00, not the
    archive's 800 → 20 000.00; June 800 → 20 000.00. Near miss: with the old value 500 recorded,
    May is prorated, (19 × 500 + 12 × 800) / 30 = 636.667 → 15 916.67."""

    def months(customer: str, april: dict, old_april: float) -> list[dict]:
        return [
            {"customer_id": customer, "period": "2024-04", "contract_capacity_kva": old_april}
            | april,
            {"customer_id": customer, "period": "2024-05", "capacity_billed_kva": 620.0},
            {"customer_id": customer, "period": "2024-06", "capacity_billed_kva": 800.0},
        ]

    rows = [
        *months("C1", {"capacity_billed_kva": 500.0}, np.nan),
        *months("C2", {"basic_charge": 11_250.0}, np.nan),
        *months("C3", {"capacity_billed_kva": 500.0}, 500.0),
    ]
    frame = bills(
        *({"basic_charge_basis": "capacity", "contract_capacity_kva": 800.0} | row for row in rows)
    )
    orders = [
        {
            "customer_id": customer,
            "order_type": "capacity_increase",
            "effective_date": "2024-05-20",
            "old_value": old,
            "new_value": "800",
        }
        for customer, old in (("C1", ""), ("C2", "n/a"), ("C3", "500"))
    ]
    lines = basic_lines(frame, rates(*[KVA_RATE] * 9), dataset(orders=orders), PARAMS)
    assert lines["quantity"].to_numpy() == pytest.approx(
        [500.0, 620.0, 800.0, 450.0, 620.0, 800.0, 500.0, 19_100 / 30, 800.0], abs=1e-9
    )
    assert lines["amount"].tolist() == [
        *(12_500.00, 15_500.00, 20_000.00),
        *(11_250.00, 15_500.00, 20_000.00),
        *(12_500.00, 15_916.67, 20_000.00),
    ]


def test_a_bill_judged_as_billed_that_says_neither_capacity_nor_charge_has_no_line():
    """Before an increase to 800 kVA from 2024-05-20 that records no old capacity, an April
    bill by capacity recording neither capacity_billed_kva nor basic_charge says nothing of
    what it billed: no line (C1, where 450 kVA recorded is due 450 × 25 = 11,250.00, as C2's
    charge of 11,250.00 says); a charge on a tariff without a rate per kVA cannot be read as
    kVA (NaN), while a charge of 0.00 at 25 is 0 kVA."""
    rows = [
        {"customer_id": customer, "period": "2024-04", "contract_capacity_kva": np.nan} | april
        for customer, april in (
            ("C1", {"capacity_billed_kva": np.nan, "basic_charge": np.nan}),
            ("C2", {"capacity_billed_kva": np.nan, "basic_charge": 11_250.0}),
            ("C3", {"capacity_billed_kva": 450.0}),
        )
    ]
    frame = bills(*({"basic_charge_basis": "capacity"} | row for row in rows))
    orders = [
        {
            "customer_id": customer,
            "order_type": "capacity_increase",
            "effective_date": "2024-05-20",
            "old_value": "",
            "new_value": "800",
        }
        for customer in ("C1", "C2", "C3")
    ]
    lines = basic_lines(frame, rates(*[KVA_RATE] * 3), dataset(orders=orders), PARAMS)
    assert lines["bill"].tolist() == [1, 2]
    assert lines["amount"].tolist() == [11_250.00, 11_250.00]
    no_record = np.full(3, np.nan)
    charged = np.array([9_000.0, 0.0, np.nan])
    by_capacity = np.ones(3, dtype=bool)
    read = capacity_billed(no_record, charged, np.array([0.0, 25.0, 25.0]), by_capacity)
    np.testing.assert_array_equal(read, [np.nan, 0.0, np.nan])


def test_capacity_without_orders_is_the_contract_capacity_and_no_rate_or_basis_no_line():
    frame = bills(
        {"basic_charge_basis": "capacity", "contract_capacity_kva": 630},
        {"basic_charge_basis": "capacity", "contract_capacity_kva": 630},
        {"basic_charge_basis": "none", "contract_capacity_kva": 630},
        {"basic_charge_basis": "capacity", "contract_capacity_kva": 630},
    )
    lines = basic_lines(
        frame, rates(KVA_RATE, {}, KVA_RATE, {"basic_rate_kva_month": 0.0}), dataset(), PARAMS
    )
    # 630 × 25 = 15 750.00 for the first bill only.
    assert lines["bill"].tolist() == [0]
    assert line(lines)["amount"] == 15_750.00


def demand_bill(demand: float, **extra) -> dict:
    return {
        "basic_charge_basis": "demand",
        "contract_capacity_kva": 1000,
        "contract_demand_kw": 600,
        "max_demand_kw": demand,
        **extra,
    }


def test_demand_basis_floor_and_excess():
    # Capacity 1000 kVA, contract demand 600 kW, 38 yuan/kW-month; 105 % of 600 = 630 kW.
    # 300 kW → floor 40 % × 1000 = 400 kW → 15 200.00.
    # 630 kW → exactly 105 %: no excess → 630 × 38 = 23 940.00.
    # 631 kW → 631 + (631 − 630) = 632 → 24 016.00.
    # 700 kW → 700 + 70 = 770 → 29 260.00.
    # Connected on 2024-04-10 with 500 kW: 500 × 21/30 = 350 kW → 13 300.00.
    frame = bills(
        demand_bill(300),
        demand_bill(630),
        demand_bill(631),
        demand_bill(700),
        demand_bill(500, connection_date="2024-04-10"),
    )
    lines = basic_lines(frame, rates(*[KW_RATE] * 5), dataset(), PARAMS)
    assert lines["quantity"].to_numpy() == pytest.approx([400, 630, 632, 770, 350], abs=1e-9)
    assert lines["amount"].tolist() == [15_200.00, 23_940.00, 24_016.00, 29_260.00, 13_300.00]
    assert (lines["rate"] == 38.0).all()


def test_a_demand_basis_in_its_month_of_connection_is_due_at_most_a_whole_month():
    """Capacity 1000 kVA, contract demand 600 kW, 38 yuan/kW-month, 300 kW read: the floor,
    400 kW, is the month's demand; in a month of connection it is prorated by the days in
    service, 1/30 a day, calendar month by calendar month, a whole calendar month 1.

    Connected on 2024-03-01, March read whole (31 days): a whole calendar month, 400 kW →
    15 200.00 (the uncapped 413.333 kW charged 15 706.67, ¥506.67 over a whole month). Read
    from the connection on 2024-03-20 to 2024-04-19 (31 days, no whole calendar month): 12 days
    of March and 19 of April, 400 × (12 + 19) / 30 = 413.333 kW → 15 706.67, 1/30 a day as the
    next bill from 20 April is a month (it was capped at 400 kW, 15 200.00, with the whole
    read period). The near miss, connected on 2024-03-20 and read to the month's end: 12 days,
    400 × 12 / 30 = 160 kW → 6 080.00, prorated as before."""
    frame = bills(
        demand_bill(300, period="2024-03", connection_date="2024-03-01"),
        demand_bill(
            300, period="2024-03", connection_date="2024-03-20", read_from="2024-03-20",
            read_to="2024-04-19",
        ),
        demand_bill(300, period="2024-03", connection_date="2024-03-20"),
    )  # fmt: skip
    lines = basic_lines(frame, rates(*[KW_RATE] * 3), dataset(), PARAMS)
    assert lines["quantity"].to_numpy() == pytest.approx([400, 400 * 31 / 30, 160], abs=1e-9)
    assert lines["amount"].tolist() == [15_200.00, 15_706.67, 6_080.00]


def test_a_demand_basis_first_bill_longer_than_a_month_is_due_by_calendar_month():
    """Capacity 1000 kVA, contract demand 600 kW, 38 yuan/kW-month, 300 kW read: the floor,
    400 kW. A first bill from the connection on 2024-02-05 read to 2024-03-20 (45 days): 25
    days of February (5th to 29th) and 20 of March, 400 × (25 + 20) / 30 = 600 kW → 22 800.00
    (capped at one month it was 400 kW, 15 200.00). Read to 2024-03-31: 25/30 of February and
    the whole of March, 1: 400 × (25/30 + 1) = 733.333 kW → 27 866.67.

    Near miss: connected on 2024-03-01, read 2024-03-01..2024-03-31: one whole calendar month,
    400 kW → 15 200.00."""
    connected = {"period": "2024-03", "connection_date": "2024-02-05", "read_from": "2024-02-05"}
    frame = bills(
        demand_bill(300, **connected, read_to="2024-03-20"),
        demand_bill(300, **connected, read_to="2024-03-31"),
        demand_bill(300, period="2024-03", connection_date="2024-03-01"),
    )
    lines = basic_lines(frame, rates(*[KW_RATE] * 3), dataset(), PARAMS)
    expected = [600, 400 * (25 / 30 + 1), 400]
    assert lines["quantity"].to_numpy() == pytest.approx(expected, abs=1e-9)
    assert lines["amount"].tolist() == [22_800.00, 27_866.67, 15_200.00]


def test_recompute_says_a_full_demand_floor_in_a_month_of_connection_is_over_billed():
    """A new IND2 customer by demand (1000 kVA, contract demand 600 kW, 40 yuan/kW-month, 300 kW
    read), connected on 2024-03-20 and billed March's full floor, 400 × 40 = 16 000.00: due
    400 × 12 / 30 = 160 kW, 6 400.00, over-billed 9 600.00. Connected on 2024-03-01 and billed
    the full floor, it is due as billed (the uncapped 31 / 30 said 533.33 short)."""
    b = Billing()
    for cid, connected in (("late", "2024-03-20"), ("first", "2024-03-01")):
        b.customer(cid, **TWO_PART | {"basic_charge_basis": "demand"}, contract_capacity_kva=1000.0,
                   connection_date=pd.Timestamp(connected))  # fmt: skip
        b.bill(cid, "2024-03", 10_000, 0.60, tariff="IND2", max_demand_kw=300.0,
               contract_demand_kw=600.0, basic_charge=16_000.0, amount=22_000.0)  # fmt: skip
    result = recompute(b.dataset())
    late, first = (line_of(result, cid, "2024-03", "basic") for cid in ("late", "first"))
    assert (late["quantity_due"], late["amount_due"]) == pytest.approx((160.0, 6_400.00))
    assert late["difference"] == -9_600.00
    assert (first["quantity_due"], first["amount_due"]) == pytest.approx((400.0, 16_000.00))
    assert first["difference"] == 0.0


def test_demand_basis_parameters_and_missing_demand():
    # Floor 50 %: 300 kW → 500 kW → 19 000.00; excess charged three times (multiplier 3):
    # 700 kW → 700 + 2 × 70 = 840 → 31 920.00. A bill without a demand reading has no line.
    params = load_billing_params(
        overrides={"demand_floor_share": 0.5, "demand_excess_multiplier": 3}
    )
    frame = bills(demand_bill(300), demand_bill(700), demand_bill(np.nan))
    lines = basic_lines(frame, rates(*[KW_RATE] * 3), dataset(), params)
    assert lines["amount"].tolist() == [19_000.00, 31_920.00]


def test_recompute_prorates_a_reduction_billed_at_the_old_capacity():
    # 800 kVA reduced to 500 kVA from 2024-05-16 (the archive now says 500); May billed at the old
    # 800 kVA: 800 × 30 = 24 000.00. Due: (15 × 800 + 16 × 500)/30 = 666.667 kVA·month × 30
    # = 20 000.00; difference −4 000.00 (over-billed). June due 500 × 30 = 15 000.00 as billed.
    b = Billing()
    b.customer("I1", **TWO_PART, contract_capacity_kva=500.0)
    b.order("I1", "capacity_reduction", "2024-05-16", old=800, new=500)
    for period, kva in (("2024-05", 800.0), ("2024-06", 500.0)):
        b.bill("I1", period, 10000, 0.60, tariff="IND2")
        b.line("I1", period, "energy", 10000, 0.60)
        b.line("I1", period, "basic", kva, 30.0)
    result = recompute(b.dataset())
    may, june = recompute_row(result, "basic", "2024-05"), recompute_row(result, "basic", "2024-06")
    assert may["quantity_due"] == pytest.approx(20_000 / 30, abs=1e-9)
    assert may["rate_due"] == 30.0
    assert (may["amount_billed"], may["amount_due"]) == (24_000.00, 20_000.00)
    assert may["difference"] == -4_000.00
    assert (june["amount_due"], june["difference"]) == (15_000.00, 0.0)


def test_a_reduction_on_the_last_day_of_a_31_day_month_is_due_at_most_the_whole_month():
    # 1250 kVA reduced to 630 kVA on 2024-03-31: (30 × 1250 + 630) / 30 = 1271 kVA·month is more
    # than a whole month at 1250: due 1250 × 30 = 37 500.00 as billed, no difference.
    # Near miss: reduced on 2024-03-30: (29 × 1250 + 2 × 630) / 30 = 1250.333… is capped too;
    # on 2024-03-29: (28 × 1250 + 3 × 630) / 30 = 1229.667 × 30 = 36 890.00, −610.00.
    b = Billing()
    for customer, day in (("I1", "2024-03-31"), ("I2", "2024-03-30"), ("I3", "2024-03-29")):
        b.customer(customer, **TWO_PART, contract_capacity_kva=630.0)
        b.order(customer, "capacity_reduction", day, old=1250, new=630)
        b.bill(customer, "2024-03", 10000, 0.60, tariff="IND2")
        b.line(customer, "2024-03", "energy", 10000, 0.60)
        b.line(customer, "2024-03", "basic", 1250.0, 30.0)
    result = recompute(b.dataset())
    due = {
        customer: tuple(
            line_of(result, customer, "2024-03", "basic")[
                ["quantity_due", "amount_due", "difference"]
            ]
        )
        for customer in ("I1", "I2", "I3")
    }
    assert due["I1"] == (1250.0, 37_500.00, 0.0)
    assert due["I2"] == (1250.0, 37_500.00, 0.0)
    assert due["I3"][0] == pytest.approx(36_890 / 30, abs=1e-9)
    assert due["I3"][1:] == (36_890.00, -610.00)


def test_a_customer_always_below_315_kva_on_a_two_part_basis_keeps_its_basic_charge():
    # 200 kVA on IND2 by capacity, no order: a two-part tariff it may have chosen (100 to 315 kVA
    # may, 发改价格〔2023〕526号), nothing in the data moved it below the threshold: due
    # 200 × 30 = 6 000.00 as billed (the threshold alone gave 0.00, −6 000.00 "over-billed").
    # Near miss: reduced 650 → 200 kVA from 2024-02-01, it is single-part: no basic line due.
    b = Billing()
    for customer in ("S1", "S2"):
        b.customer(customer, **TWO_PART, contract_capacity_kva=200.0)
        b.bill(customer, "2024-03", 10000, 0.60, tariff="IND2")
        b.line(customer, "2024-03", "energy", 10000, 0.60)
        b.line(customer, "2024-03", "basic", 200.0, 30.0)
    b.order("S2", "capacity_reduction", "2024-02-01", old=650, new=200)
    result = recompute(b.dataset())
    chosen = line_of(result, "S1", "2024-03", "basic")
    assert (chosen["amount_due"], chosen["difference"]) == (6_000.00, 0.0)
    reduced = line_of(result, "S2", "2024-03", "basic")
    assert (reduced["amount_due"], reduced["difference"]) == (0.0, -6_000.00)


def test_a_customer_always_below_100_kva_on_a_two_part_basis_has_no_basic_charge_due():
    # Below `two_part_choice_from_kva` (100 kVA) no customer may choose a two-part tariff
    # (发改价格〔2023〕526号): 50 kVA on IND2 by capacity, never above, billed 50 × 30 =
    # 1 500.00 is single-part, as capacity_underbilled judges it: no basic line due, the
    # 1 500.00 billed over-billed (it was due 1 500.00 as billed: 0.00). Near misses: 100 kVA,
    # the least that may choose it, due 100 × 30 = 3 000.00 as billed; with the bound lowered
    # to 50 kVA the 50 kVA customer keeps its 1 500.00.
    b = Billing()
    for customer, kva in (("S50", 50.0), ("S100", 100.0)):
        b.customer(customer, **TWO_PART, contract_capacity_kva=kva)
        b.bill(customer, "2024-03", 10000, 0.60, tariff="IND2")
        b.line(customer, "2024-03", "energy", 10000, 0.60)
        b.line(customer, "2024-03", "basic", kva, 30.0)
    result = recompute(b.dataset())
    small = line_of(result, "S50", "2024-03", "basic")
    assert (small["amount_due"], small["difference"]) == (0.0, -1_500.00)
    least = line_of(result, "S100", "2024-03", "basic")
    assert (least["amount_due"], least["difference"]) == (3_000.00, 0.0)
    lowered = recompute(b.dataset(), params={"two_part_choice_from_kva": 50})
    kept = line_of(lowered, "S50", "2024-03", "basic")
    assert (kept["amount_due"], kept["difference"]) == (1_500.00, 0.0)


def test_a_fall_below_315_kva_by_demand_inside_a_read_period_does_owe_its_days_before():
    # 630 kVA by demand on IND2 (40 a kW-month), read 16 June – 15 July 2024, suspended to
    # 200 kVA (single-part) from 6 July: 16–30 June and 1–5 July were two-part, 15/30 + 5/30
    # = 20/30 of a month (1/30 a day, calendar month by calendar month). The bill's demand is
    # the read period's peak, reached while the 630 kVA carried it:
    # D1 400 kW (> floor 0.40 × 630 = 252): 400 × 20/30 = 266.667 kW-months × 40 = 10 666.67;
    # D2 100 kW (< floor): 252 × 20/30 = 168 × 40 = 6 720.00;
    # D3 400 kW on a contract demand of 300 kW: excess 400 − 1.05 × 300 = 85 counted twice,
    #    485 × 20/30 = 323.333 × 40 = 12 933.33.
    # Near misses: D4 suspended from 16 June, the first day: nothing two-part, no line; D5
    # suspended to 400 kVA (still two-part): the whole period on 400 kW, 400 × 40 = 16 000.00.
    b = Billing()
    cases = (("D1", 400.0, {}, "2024-07-06", 200), ("D2", 100.0, {}, "2024-07-06", 200),
             ("D3", 400.0, {"contract_demand_kw": 300.0}, "2024-07-06", 200),
             ("D4", 400.0, {}, "2024-06-16", 200), ("D5", 400.0, {}, "2024-07-06", 400))  # fmt: skip
    for customer, kw, archive, effective, left in cases:
        b.customer(customer, **TWO_PART | {"basic_charge_basis": "demand"},
                   contract_capacity_kva=630.0)  # fmt: skip
        b.customers[-1].update(archive)  # the builder's archive has no contract demand
        b.bill(customer, "2024-07", 10000, 0.60, tariff="IND2", max_demand_kw=kw,
               read_from=pd.Timestamp("2024-06-16"), read_to=pd.Timestamp("2024-07-15"))  # fmt: skip
        b.order(customer, "suspension", effective, old=630, new=left)
    result = recompute(b.dataset())
    basic = result[result["line_type"] == "basic"].set_index("customer_id")["amount_due"]
    assert basic.to_dict() == {"D1": 10_666.67, "D2": 6_720.00, "D3": 12_933.33, "D5": 16_000.00}


def _demand_due(cases: tuple, orders: dict) -> dict[str, float]:
    """630 kVA by demand on IND2 (40 a kW-month); `cases`: per customer its demand and read
    period; `orders`: per customer its capacity orders (type, effective date, old, new). The
    basic charge due per customer."""
    b = Billing()
    for customer, kw, read_from, read_to in cases:
        b.customer(customer, **TWO_PART | {"basic_charge_basis": "demand"},
                   contract_capacity_kva=630.0)  # fmt: skip
        b.bill(customer, read_to[:7], 10000, 0.60, tariff="IND2", max_demand_kw=kw,
               read_from=pd.Timestamp(read_from), read_to=pd.Timestamp(read_to))  # fmt: skip
        for order_type, effective, old, new in orders.get(customer, ()):
            b.order(customer, order_type, effective, old=old, new=new)
    result = recompute(b.dataset())
    return result[result["line_type"] == "basic"].set_index("customer_id")["amount_due"].to_dict()


def test_a_demand_floor_in_a_fall_month_is_on_the_last_two_part_days_capacity():
    # 100 kW read 1–31 July 2024, reduced 630 → 400 kVA from 2 July. `whole` stays two-part:
    # floored on its last day's 400 kVA, 0.40 × 400 = 160 kW × 40 = 6 400.00. `fell` is also
    # suspended to 200 kVA (single-part) from 31 July: its 30 two-part days (1–30 July, 30/30
    # = 1 month) floor on the last of them, 400 kVA: 160 × 40 = 6 400.00, no dearer than not
    # falling (it was floored on their largest, 630: 252 × 40 = 10 080.00).
    # Near miss `kept`: not reduced, suspended from 31 July: 0.40 × 630 = 252 × 40 = 10 080.00.
    july = ("2024-07-01", "2024-07-31")
    reduced = ("capacity_reduction", "2024-07-02", 630, 400)
    due = _demand_due(
        (("whole", 100.0, *july), ("fell", 100.0, *july), ("kept", 100.0, *july)),
        {
            "whole": (reduced,),
            "fell": (reduced, ("suspension", "2024-07-31", 400, 200)),
            "kept": (("suspension", "2024-07-31", 630, 200),),
        },
    )
    assert due == {"whole": 6_400.00, "fell": 6_400.00, "kept": 10_080.00}


def test_a_demand_charge_before_a_fall_is_due_at_most_one_month():
    # 400 kW. `long`: read 3 July – 5 August (34 days), suspended 630 → 200 kVA from 4 August:
    # two-part 3–31 July and 1–3 August, 29/30 + 3/30 = 32/30 of a month, at most 1: 400 × 40
    # = 16 000.00, as `stay`, the same read without the fall (it was 400 × 32/30 × 40 =
    # 17 066.67). `bimonthly`: read 1 June – 31 July, suspended from 16 July: June whole + 15/30
    # = 1.5, at most 1: 16 000.00 (was 24 000.00).
    # Near miss `short`: read 3 July – 5 August, suspended from 20 July: 17/30 of a month,
    # 400 × 17/30 × 40 = 9 066.67.
    suspended = {
        customer: (("suspension", effective, 630, 200),)
        for customer, effective in (
            ("long", "2024-08-04"), ("bimonthly", "2024-07-16"), ("short", "2024-07-20"),
        )
    }  # fmt: skip
    long_read = ("2024-07-03", "2024-08-05")
    due = _demand_due(
        (
            ("long", 400.0, *long_read),
            ("stay", 400.0, *long_read),
            ("bimonthly", 400.0, "2024-06-01", "2024-07-31"),
            ("short", 400.0, *long_read),
        ),
        suspended,
    )
    assert due == {
        "long": 16_000.00,
        "stay": 16_000.00,
        "bimonthly": 16_000.00,
        "short": 9_066.67,
    }


def test_a_demand_floor_before_a_fall_is_on_the_last_two_part_day_where_the_days_do_not_open_the_period():
    # 100 kW read 1–31 July 2024. `late`: suspended 630 → 200 kVA from 1 May (single-part),
    # resumed to 630 from 15 July, reduced to 200 from 25 July: two-part 15–24 July, 10 days
    # at 630, floored 0.40 × 630 = 252 kW × 10/30 × 40 = 3 360.00 (it was floored on 10 July's
    # 200 kVA, 80 kW below the 100 read: 100 × 10/30 × 40 = 1 333.33).
    # Near miss `opening`: reduced 630 → 200 from 11 July, two-part 1–10 July at 630: 3 360.00.
    july = ("2024-07-01", "2024-07-31")
    due = _demand_due(
        (("late", 100.0, *july), ("opening", 100.0, *july)),
        {
            "late": (
                ("suspension", "2024-05-01", 630, 200),
                ("resumption", "2024-07-15", 200, 630),
                ("capacity_reduction", "2024-07-25", 630, 200),
            ),
            "opening": (("capacity_reduction", "2024-07-11", 630, 200),),
        },
    )
    assert due == {"late": 3_360.00, "opening": 3_360.00}

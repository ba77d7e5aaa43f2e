"""The days before a fall below the two-part bound inside a read period, by demand as by
capacity, and on the capacity rules' own threshold (`two_part_threshold_kva`)."""

from __future__ import annotations

import pytest
from rule_builder import TWO_PART, TWO_PART_BY_CAPACITY, Utility, flat, with_ind1

from auditkit import rules
from auditkit.billing import recompute

BY_DEMAND = TWO_PART | {"basic_charge_basis": "demand"}


def _suspended_by_demand(
    u: Utility, cid: str, effective: str, left: float, july: tuple[float, float], after: float = 0.0
) -> None:
    """630 kVA by demand on IND2 (40 a kW-month), 400 kW read and billed January–June, suspended
    down to `left` kVA from `effective`; July reads and bills `july` (kW, basic charge), August
    on reads `after` kW and bills it × 40."""
    u.customer(cid, contract_capacity_kva=630.0, **BY_DEMAND)
    bills = u.monthly(cid, flat(10_000), multiplier=1000.0, tariff="IND2", basis="demand",
                      demand=[400.0] * 6 + [july[0]] + [after] * 5)  # fmt: skip
    bills[6]["basic_charge"], bills[6]["amount"] = july[1], bills[6]["energy_charge"] + july[1]
    u.order(cid, "suspension", effective, 630, left)


def _fall_by_demand() -> Utility:
    """`read400`: suspended to 200 kVA (below 315: single-part) from 16 July, July read 400 kW
    (the peak of 1–15 July: 200 kVA cannot carry it), billed no basic charge. 1–15 July were
    two-part: 400 kW × 15/30 = 200 kW-months × 40 = 8,000.00 due (the code priced no July line).
    `floor`: the same, July read 100 kW, below the floor 0.40 × 630 = 252 kW:
    252 × 15/30 = 126 kW-months × 40 = 5,040.00.

    Near misses: `billed`, as `read400` but billed the 8,000.00 due: nothing; `on_first`,
    suspended from 1 July: no day of July two-part, nothing due; `to400`, suspended to 400 kVA
    (still two-part), July and after billed 400 × 40 = 16,000.00 on the 400 kW read, as due."""
    u = Utility()
    _suspended_by_demand(u, "read400", "2024-07-16", 200.0, (400.0, 0.0))
    _suspended_by_demand(u, "floor", "2024-07-16", 200.0, (100.0, 0.0))
    _suspended_by_demand(u, "billed", "2024-07-16", 200.0, (400.0, 8_000.0))
    _suspended_by_demand(u, "on_first", "2024-07-01", 200.0, (0.0, 0.0))
    _suspended_by_demand(u, "to400", "2024-07-16", 400.0, (400.0, 16_000.0), after=400.0)
    return u


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_a_fall_below_315_kva_by_demand_does_price_the_demand_of_its_days_before(itemized: bool):
    lines = recompute(with_ind1(_fall_by_demand(), itemized))
    july = lines[(lines["line_type"] == "basic") & (lines["period"] == "2024-07")]
    due = july.set_index("customer_id")["amount_due"].to_dict()
    assert due == pytest.approx(
        {"read400": 8_000.00, "floor": 5_040.00, "billed": 8_000.00, "to400": 16_000.00}
    )


def test_a_fall_below_315_kva_by_demand_is_found_short_of_its_days_before_on_itemized_bills():
    # On monthly bills no rule prices a demand charge billed short (basic_charge_error reads
    # bill lines); on itemized bills basic_charge_error finds the two short July bills.
    ds = with_ind1(_fall_by_demand(), True)
    found = rules.run(ds, rules=["capacity_underbilled", "basic_charge_error"])
    money = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert money == pytest.approx(
        {("read400", "basic_charge_error"): 8_000.00, ("floor", "basic_charge_error"): 5_040.00}
    )


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_capacity_underbilled_does_judge_the_days_before_a_fall_on_its_own_threshold(
    itemized: bool,
):
    """`two_part_threshold_kva` 400 for capacity_underbilled (billing.yaml keeps 315). `r350`:
    630 kVA by capacity (30 a kVA-month) reduced to 350 kVA from 16 July, billed nothing from
    July. Below 400 after 630 it is single-part from the 16th: July's 1–15 are due
    15 × 630 / 30 = 315 kVA-months × 30 = 9,450.00, August on nothing. The code judged the
    days on billing.yaml's 315, where 350 stays two-part: July (15 × 630 + 16 × 350) / 30 =
    501.67 kVA-months (15,050.00) and 350 × 30 × 5 = 52,500.00 for August–December, 67,550.00.

    Near miss: `paid`, the same but billed July on the 315 kVA-months due: nothing."""
    u = Utility()
    for cid, july in (("r350", 0.0), ("paid", 315.0)):
        u.customer(cid, contract_capacity_kva=350.0, **TWO_PART_BY_CAPACITY)
        u.monthly(cid, flat(10_000), multiplier=1000.0, tariff="IND2", basis="capacity",
                  capacity=[630.0] * 6 + [july] + [0.0] * 5)  # fmt: skip
        u.order(cid, "capacity_reduction", "2024-07-16", 630, 350)
    params = {"capacity_underbilled": {"two_part_threshold_kva": 400}}
    found = rules.run(with_ind1(u, itemized), rules=["capacity_underbilled"], params=params)
    assert found.set_index("customer_id")["revenue_impact"].to_dict() == pytest.approx(
        {"r350": 9_450.00}
    )


def _suspended_from_blank(u: Utility, cid: str, basis: str, old: object, july: float) -> None:
    """630 kVA on IND2 by `basis` (30 a kVA-month, 40 a kW-month), 400 kW read every month,
    suspended to 200 kVA from 16 July by an order whose old value is `old`; billed in full
    January–June, July's basic charge `july`, nothing from August."""
    u.customer(cid, contract_capacity_kva=630.0, **TWO_PART | {"basic_charge_basis": basis})
    bills = u.monthly(cid, flat(10_000), multiplier=1000.0, tariff="IND2", basis=basis,
                      capacity=630.0, demand=400.0)  # fmt: skip
    for month, bill in enumerate(bills[6:]):
        charged = july if month == 0 else 0.0
        bill["amount"] += charged - bill["basic_charge"]
        bill["basic_charge"] = charged
        bill["capacity_billed_kva"] = charged / 30 if basis == "capacity" else None
    u.order(cid, "suspension", "2024-07-16", old, 200)


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_a_suspension_with_a_blank_old_value_does_fall_below_315_kva_from_the_contract_capacity(
    itemized: bool,
):
    # The blank old value resolves to the contract 630 kVA, so 630 → 200 from 16 July is a fall
    # below 315: 1–15 July two-part, nothing due from August. `cap`: 15 × 630 / 30 = 315
    # kVA-months × 30 = 9,450.00 short in July (the code saw no fall from a blank: 200 kVA
    # chosen two-part, 42,650.00 claimed July–December). `dem` (itemized only, basic_charge_error
    # reads bill lines): 400 kW × 15/30 × 40 = 8,000.00 (it claimed 96,000.00).
    # Near misses: `known`, the old value 630 recorded: the same 9,450.00; `paid`, blank, July
    # billed the 9,450.00 due: nothing.
    u = Utility()
    _suspended_from_blank(u, "cap", "capacity", "", 0.0)
    _suspended_from_blank(u, "dem", "demand", "", 0.0)
    _suspended_from_blank(u, "known", "capacity", 630, 0.0)
    _suspended_from_blank(u, "paid", "capacity", "", 9_450.0)
    found = rules.run(with_ind1(u, itemized), rules=["capacity_underbilled", "basic_charge_error"])
    money = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    expected = {
        ("cap", "capacity_underbilled"): 9_450.00,
        ("known", "capacity_underbilled"): 9_450.00,
    }
    if itemized:
        expected[("dem", "basic_charge_error")] = 8_000.00
    assert money == pytest.approx(expected)


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_a_tariff_order_not_applied_prices_the_days_before_a_fall_by_demand_on_monthly_bills(
    itemized: bool,
):
    # 630 kVA ordered COM → IND2 from 1 April, billed COM (0.80) all year, 10,000 kWh a month,
    # suspended to 200 kVA (single-part) from 16 July. IND2: 0.60 a kWh, 40 a kW-month, 30 a
    # kVA-month; its energy 2,000.00 cheaper a month. `dem`, by demand, 400 kW read to July:
    # April–June 400 × 40 − 2,000 = 14,000.00 each; July's 1–15 two-part, 400 × 15/30 × 40 −
    # 2,000 = 6,000.00; August on single-part, cheaper on IND2: 0. 3 × 14,000 + 6,000 =
    # 48,000.00, monthly as itemized (monthly read July single-part: 42,000.00).
    # Near miss `cap`, by capacity: April–June 630 × 30 − 2,000 = 16,900.00 each, July
    # 15 × 630 / 30 × 30 − 2,000 = 7,450.00: 58,150.00 either way.
    u = Utility()
    for cid, basis in (("dem", "demand"), ("cap", "capacity")):
        u.customer(cid, contract_capacity_kva=630.0, **TWO_PART | {"basic_charge_basis": basis})
        u.monthly(cid, flat(10_000), multiplier=1000.0, tariff="COM",
                  demand=[400.0] * 7 + [100.0] * 5)  # fmt: skip
        u.order(cid, "tariff_change", "2024-04-01", "COM", "IND2")
        u.order(cid, "suspension", "2024-07-16", 630, 200)
    found = rules.run(with_ind1(u, itemized), rules=["order_not_applied"])
    money = found.set_index("customer_id")["revenue_impact"].to_dict()
    assert money == pytest.approx({"dem": 48_000.00, "cap": 58_150.00})


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_capacity_underbilled_does_keep_two_part_a_capacity_its_lower_threshold_keeps(
    itemized: bool,
):
    """`two_part_threshold_kva` 250 for capacity_underbilled (billing.yaml keeps 315). `r300`:
    630 kVA by capacity (30 a kVA-month) reduced to 300 kVA from 16 July, billed nothing from
    July. At least 250 it stays two-part: July (15 × 630 + 16 × 300) / 30 = 475 kVA-months ×
    30 = 14,250.00, August–December 300 × 30 × 5 = 45,000.00: 59,250.00. On itemized bills
    the lines, priced on 315, have July's 315 kVA-months and no line after: it claimed 9,450.00.

    Near miss: `paid`, billed July on 475 kVA and 300 after: nothing."""
    u = Utility()
    for cid, after in (("r300", [0.0] * 6), ("paid", [475.0] + [300.0] * 5)):
        u.customer(cid, contract_capacity_kva=300.0, **TWO_PART_BY_CAPACITY)
        u.monthly(cid, flat(10_000), multiplier=1000.0, tariff="IND2", basis="capacity",
                  capacity=[630.0] * 6 + after)  # fmt: skip
        u.order(cid, "capacity_reduction", "2024-07-16", 630, 300)
    params = {"capacity_underbilled": {"two_part_threshold_kva": 250}}
    found = rules.run(with_ind1(u, itemized), rules=["capacity_underbilled"], params=params)
    assert found.set_index("customer_id")["revenue_impact"].to_dict() == pytest.approx(
        {"r300": 59_250.00}
    )


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_a_blank_old_value_resolves_to_the_capacity_then_in_force_not_todays_archive(
    itemized: bool,
):
    # IND2 by capacity (30 a kVA-month), today's archive 200 kVA after a reduction 630 → 200
    # from 1 October; suspended to 250 kVA from 16 July with its old value blank, so the blank
    # is the 630 kVA then in force: 630 → 250 is a fall below 315. Billed 630 kVA to June, 250
    # July–September, 200 after. July is due 15 × 630 / 30 = 315 kVA-months × 30 = 9,450.00
    # against 250 × 30 = 7,500.00 billed: 1,950.00 short; August–December owe no basic charge.
    # (The peak read the blank as today's 200: no fall, July due (15 × 630 + 16 × 250) / 30 ×
    # 30 = 13,450.00, 5,950.00 claimed.) Near miss `known`: the old value 630 recorded, the same.
    u = Utility()
    for cid, old in (("blank", ""), ("known", 630)):
        u.customer(cid, contract_capacity_kva=200.0, **TWO_PART_BY_CAPACITY)
        u.monthly(cid, flat(10_000), multiplier=1000.0, tariff="IND2", basis="capacity",
                  capacity=[630.0] * 6 + [250.0] * 3 + [200.0] * 3)  # fmt: skip
        u.order(cid, "suspension", "2024-07-16", old, 250)
        u.order(cid, "capacity_reduction", "2024-10-01", 630, 200)
    found = rules.run(with_ind1(u, itemized), rules=["capacity_underbilled"])
    money = found.set_index("customer_id")["revenue_impact"].to_dict()
    assert money == pytest.approx({"blank": 1_950.00, "known": 1_950.00})
    if itemized:
        lines = recompute(with_ind1(u, itemized))
        basic = lines[(lines["line_type"] == "basic") & (lines["customer_id"] == "blank")]
        due = basic.set_index("period")["amount_due"]
        assert due["2024-07"] == 9_450.00
        assert (due[due.index > "2024-07"] == 0.0).all()

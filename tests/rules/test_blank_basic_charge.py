"""A blank basic charge is what the bill's amount holds for it (DATA.md: amount = energy_charge +
basic_charge + pf_adjustment + fund_charge), not a charge of nothing; where the amount holds
nothing for it either, the charge is recorded nowhere: unknown, an archive gap. Every rule and
the recomputation read it the same way (`auditkit.billing.basic.basic_charge_billed`).

Rates: IND2 0.60 yuan/kWh, 30 yuan per kVA-month, 40 per kW-month (rule_builder.TARIFFS); on the
itemized utility funds 0.03 yuan/kWh (itemized_builder.TARIFFS)."""

from __future__ import annotations

import pandas as pd
import pytest
from itemized_builder import INDUSTRIAL, Itemized
from rule_builder import TWO_PART, TWO_PART_BY_CAPACITY, Utility, flat, halved_multiplier_year, run

from auditkit import rules
from auditkit.billing import recompute
from auditkit.data import Dataset


def _money(found: pd.DataFrame) -> dict[tuple[str, str], float]:
    pairs = zip(found["customer_id"], found["rule_id"], found["revenue_impact"], strict=True)
    return {(cid, rule_id): money for cid, rule_id, money in pairs}


def test_a_blank_charge_beside_no_capacity_is_read_from_the_amount():
    """400 kVA by capacity, 100,000 kWh a month at 0.60 (60,000.00), no bill recording its
    capacity and none its basic charge, each recording its adjustment and funds (0.00). The
    amount holding 12,000.00 paid for 400 kVA: nothing short. One holding 6,000.00 paid for 200:
    12 × 200 × 30 = ¥72,000.00 (was unknown, nothing found). Near misses: an amount holding
    nothing for it records the charge nowhere, an archive gap (nothing found, not 12 ×
    12,000.00); where the bills leave their adjustment blank the amount's 11,460.00 may be
    12,000.00 less a 540.00 rebate: unknown, not 382 kVA short; a charge recorded as 0.00
    charged nothing: 12 × 400 × 30 = ¥144,000.00."""
    u = Utility()
    held_in_amount = {
        "paid_400": 12_000.0,
        "paid_200": 6_000.0,
        "none_held": 0.0,
        "adjustment_blank": 11_460.0,
    }
    for cid, held in held_in_amount.items():
        u.customer(cid, contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
        for bill in u.monthly(cid, flat(100_000), multiplier=1000.0, tariff="IND2"):
            bill["basic_charge"] = None
            bill["amount"] = bill["energy_charge"] + held
            bill["fund_charge"] = 0.0
            bill["pf_adjustment"] = None if cid == "adjustment_blank" else 0.0
    u.customer("zero", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
    u.monthly("zero", flat(100_000), multiplier=1000.0, tariff="IND2", basis="capacity")
    found = run(u, "capacity_underbilled")
    assert _money(found) == pytest.approx(
        {
            ("paid_200", "capacity_underbilled"): 12 * 200 * 30,
            ("zero", "capacity_underbilled"): 12 * 400 * 30,
        }
    )
    assert (
        found.set_index("customer_id")
        .loc["paid_200", "evidence"]
        .startswith(
            "12 bills 2024-01..2024-12 charged the basic charge on less than the capacity in force, "
            "the days of any suspension counted (in 2024-12: 200 kVA billed, 400 kVA in force)"
        )
    )


def test_an_export_without_the_adjustment_and_funds_leaves_a_blank_charge_unknown():
    """The bills carry no pf_adjustment or fund_charge column: their amount may hold either, so
    a blank basic charge is not read from it (6,000.00 beyond the energy might be a basic
    charge on 200 kVA, or funds). Nothing is found, as on a bill recording neither."""
    u = Utility()
    u.customer("unsaid", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
    for bill in u.monthly("unsaid", flat(100_000), multiplier=1000.0, tariff="IND2"):
        bill["basic_charge"] = None
        bill["amount"] = bill["energy_charge"] + 6_000.0
    u.customer("recorded", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
    u.monthly("recorded", flat(100_000), multiplier=1000.0, tariff="IND2", capacity=400.0,
              basis="capacity")  # fmt: skip
    assert run(u, "capacity_underbilled").empty


LINE_RULES = [
    "loss_not_charged",
    "pf_adjustment_error",
    "fund_charge_error",
    "basic_charge_error",
    "capacity_underbilled",
]


def _itemized_energy_only(blank: bool) -> Itemized:
    """400 kVA at 10 kV, PF 0.86 (+2.0 % under 0.90), 10,000 kWh (6,000.00), funds 300.00: the
    bills itemize their energy alone and record no capacity. `right` charged 400 × 30 =
    12,000.00 and 2.0 % of 18,000.00 = 360.00; `short` 300 × 30 = 9,000.00 and 2.0 % of
    15,000.00 = 300.00. With `blank`, their basic_charge cells are empty (the amount holds it)."""
    u = Itemized()
    for cid, kva in (("right", 400.0), ("short", 300.0)):
        u.customer(cid, **INDUSTRIAL, pf_standard=0.90)
        basic = kva * 30.0
        lines = [
            ("energy", 10_000.0, 0.60),
            ("basic", kva, 30.0),
            ("pf_adjustment", 6_000.0 + basic, 0.02),
            ("fund", 10_000.0, 0.03),
        ]
        u.bill(cid, "2024-01", 10_000, lines, tariff="IND2", kvarh_import=6000.0, kvarh_export=0.0)
    u.lines = [line for line in u.lines if line["line_type"] == "energy"]
    if blank:
        for bill in u.bills:
            bill["basic_charge"] = None
    return u


def test_an_itemized_charge_recorded_nowhere_is_unknown_as_on_monthly_bills():
    """An itemized bill of energy lines alone whose basic charge is blank and whose amount
    (6,300.00: energy and funds) holds nothing for it: what it billed is unknown, as on monthly
    bills, and the recomputation says so (it was billed 0: 400 × 30 = ¥12,000.00 short)."""
    u = Itemized()
    u.customer("gap", **INDUSTRIAL)
    lines = [("energy", 10_000.0, 0.60), ("basic", 400.0, 30.0), ("fund", 10_000.0, 0.03)]
    u.bill("gap", "2024-01", 10_000, lines, tariff="IND2")
    u.lines = [line for line in u.lines if line["line_type"] == "energy"]
    u.bills[0]["basic_charge"], u.bills[0]["amount"] = None, 6_300.0
    assert u.run(LINE_RULES).empty
    monthly = Utility()
    monthly.customers, monthly.bills = u.customers, u.bills
    assert run(monthly, "capacity_underbilled").empty
    recomputed = recompute(u.dataset())
    basic = recomputed[recomputed["line_type"] == "basic"].iloc[0]
    assert pd.isna(basic["amount_billed"]) and pd.isna(basic["difference"])
    unknown = [note.values for note in recomputed.attrs["notes"] if note.code == "billed_unknown"]
    assert unknown == [{"line_type": "basic", "count": 1, "column": "bills.basic_charge"}]


@pytest.mark.parametrize("blank", [True, False], ids=["blank", "recorded"])
def test_a_basic_charge_without_its_capacity_is_read_as_the_kva_it_pays_for(blank: bool):
    """On itemized data the basic line billed is the capacity the charge pays for at the rate
    due (9,000.00 / 30 = 300 kVA), not 0 kVA: `right` owes nothing (capacity_underbilled said
    ¥12,240.00, and with the charge blank pf_adjustment_error judged 360.00 on 6,000.00 alone,
    6.00 %); `short` owes 100 × 30 = 3,000.00 and the 60.00 of adjustment on it, ¥3,060.00, once."""
    u = _itemized_energy_only(blank)
    found = u.run(LINE_RULES).reset_index()
    assert _money(found) == {("short", "capacity_underbilled"): 3_060.00}
    lines = recompute(u.dataset()).set_index(["customer_id", "line_type"])
    basic = lines.xs("basic", level="line_type")
    assert basic["quantity_billed"].to_dict() == {"right": 400.0, "short": 300.0}
    assert basic["amount_billed"].to_dict() == {"right": 12_000.0, "short": 9_000.0}
    pf = lines.xs("pf_adjustment", level="line_type")
    assert pf["quantity_billed"].to_dict() == {"right": 18_000.0, "short": 15_000.0}
    assert pf["difference"].to_dict() == {"right": 0.0, "short": 60.0}


def test_a_blank_demand_charge_read_through_a_halved_multiplier_is_short_by_as_much():
    """From April the multiplier halved with no meter replacement (50,000 kWh at 0.60 a month
    unbilled) and the demand read through it: 200 kW × 40 = 8,000.00 charged, as much again due.
    With every bill's basic charge blank (its adjustment and funds recorded), the amounts hold it: 9 × (30,000.00 + 8,000.00), as
    when the charge is recorded (read as 0, the demand part was lost)."""
    u = Utility()
    u.customer("demand", contract_capacity_kva=630.0, basic_charge_basis="demand",
               **TWO_PART | {"ct_ratio": 5.0})  # fmt: skip
    halved_multiplier_year(u, "demand", "demand")
    u.order("demand", "suspension", "2024-07-01", 630, 315)
    for bill in u.bills:
        bill["basic_charge"], bill["pf_adjustment"], bill["fund_charge"] = None, 0.0, 0.0
    found = run(u, "change_without_order")
    assert found["revenue_impact"].tolist() == pytest.approx([9 * (50_000 * 0.6 + 200 * 40)])


def test_the_adjustment_under_a_laxer_standard_is_on_a_blank_basic_charge_too():
    """400 kVA held to 0.90, recorded 0.85, PF 0.86: 2.1 % of 72,000.00 (60,000.00 of energy and
    the 12,000.00 basic charge the amount holds) = 1,512.00 a month, ¥18,144.00 (read as 0, the
    base was 60,000.00: ¥15,120.00)."""
    u = Utility()
    u.customer("lax", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
    u.customers[0]["pf_standard"] = 0.85
    for bill in u.monthly("lax", flat(100_000), tariff="IND2", basis="capacity", capacity=400.0):
        bill["power_factor"] = 0.86
        bill["basic_charge"], bill["pf_adjustment"], bill["fund_charge"] = None, 0.0, 0.0
    found = rules.run(u.dataset(), rules="pf_standard_mismatch", as_of="2024-12")
    assert found["revenue_impact"].tolist() == pytest.approx([18_144.00], abs=0.005)


def test_a_laxer_standard_beside_an_unknown_charge_is_priced_on_the_capacity_billed():
    """400 kVA held to 0.90, recorded 0.85, PF 0.86, the basic charge blank and the adjustment
    too (the amount cannot say the charge): the bills record 400 kVA, so their base is 60,000.00
    + 400 × 30 = 72,000.00, and 2.1 % of it 1,512.00 a month, ¥18,144.00 (the charge read as 0:
    2.1 % of 60,000.00, ¥15,120.00). Near miss: bills recording no capacity either state no
    base: found without money (not ¥15,120.00)."""
    u = Utility()
    for cid, kva in (("recorded", 400.0), ("unsaid", None)):
        u.customer(cid, contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
        u.customers[-1]["pf_standard"] = 0.85
        for bill in u.monthly(cid, flat(100_000), tariff="IND2", basis="capacity", capacity=kva):
            bill["power_factor"] = 0.86
            bill["basic_charge"], bill["pf_adjustment"], bill["fund_charge"] = None, None, 0.0
            bill["amount"] = bill["energy_charge"] + 12_000.0 - 72.0  # a 0.1 % rebate on 72,000.00
    found = rules.run(u.dataset(), rules="pf_standard_mismatch", as_of="2024-12")
    assert _money(found) == pytest.approx(
        {("recorded", "pf_standard_mismatch"): 18_144.00, ("unsaid", "pf_standard_mismatch"): 0.0},
        abs=0.005,
    )
    assert (
        found.set_index("customer_id")
        .loc["unsaid", "evidence"]
        .endswith("no basic charge, to price it")
    )


def _adjusted_on_an_unknown_charge(adjustments: dict[str, tuple[float, float]]) -> Itemized:
    """400 kVA at 10 kV held to 0.90, 10,000 kWh (6,000.00), 400 × 30 = 12,000.00 of basic
    charge, funds 300.00: the bills itemize their energy, adjustment (on 18,000.00) and funds,
    not their basic charge, and leave its cell blank (the amount cannot say it: unknown).
    `adjustments` maps each customer to its kvarh (3,000: PF 0.96, −0.75 % due; 6,000: PF 0.86,
    +2.0 %) and the rate its adjustment line bills."""
    u = Itemized()
    for cid, (kvarh, rate) in adjustments.items():
        u.customer(cid, **INDUSTRIAL, pf_standard=0.90)
        lines = [
            ("energy", 10_000.0, 0.60),
            ("basic", 400.0, 30.0),
            ("pf_adjustment", 18_000.0, rate),
            ("fund", 10_000.0, 0.03),
        ]
        bill = u.bill(cid, "2024-01", 10_000, lines, tariff="IND2", kvarh_import=kvarh,
                      kvarh_export=0.0)  # fmt: skip
        bill["basic_charge"], bill["pf_adjustment"] = None, None
    u.lines = [line for line in u.lines if line["line_type"] != "basic"]
    return u


def test_an_adjustment_beside_an_unknown_charge_is_judged_on_the_base_its_line_states():
    """The adjustment line states its base, 18,000.00: −0.75 % of it is −135.00 and +2.0 %
    360.00, both right (the unknown charge read as 0, the base was 6,000.00: −45.00 due, ¥90.00
    "under-billed", and 120.00, ¥240.00 "over-billed"). Near miss: −1.00 % on the same base
    (−180.00 where −135.00 is due) is ¥45.00 under-billed, found."""
    u = _adjusted_on_an_unknown_charge(
        {"rebate": (3_000.0, -0.0075), "surcharge": (6_000.0, 0.02), "deep": (3_000.0, -0.01)}
    )
    found = u.run(LINE_RULES).reset_index()
    assert _money(found) == pytest.approx({("deep", "pf_adjustment_error"): 45.00})
    pf = recompute(u.dataset()).set_index(["customer_id", "line_type"]).xs("pf_adjustment", level=1)
    assert pf["difference"].to_dict() == {"deep": 45.0, "rebate": 0.0, "surcharge": 0.0}


def test_an_adjustment_column_beside_an_unknown_charge_states_the_base_of_the_capacity():
    """Bills itemizing their energy alone (6,000.00), the adjustment and funds (300.00) in their
    columns, the basic charge blank and outside the amount (unknown), PF 0.86 (+2.0 %). One
    recording 400 kVA has a base of 6,000.00 + 400 × 30 = 18,000.00: its 120.00 (2.0 % of the
    energy alone) is ¥240.00 short (read as 0, the base was 6,000.00: nothing found). Bills
    recording no capacity state no base: neither 360.00 (right; it was ¥240.00 "over-billed")
    nor 120.00 is judged."""
    u = Itemized()
    for cid, kva, adjustment in (
        ("recorded", 400.0, 120.0),
        ("unsaid_right", None, 360.0),
        ("unsaid_short", None, 120.0),
    ):
        u.customer(cid, **INDUSTRIAL, pf_standard=0.90)
        lines = [("energy", 10_000.0, 0.60), ("fund", 10_000.0, 0.03)]
        bill = u.bill(cid, "2024-01", 10_000, lines, tariff="IND2", kvarh_import=6_000.0,
                      kvarh_export=0.0)  # fmt: skip
        bill["capacity_billed_kva"], bill["basic_charge"] = kva, None
        bill["pf_adjustment"], bill["amount"] = adjustment, 6_300.0 + adjustment
    u.lines = [line for line in u.lines if line["line_type"] == "energy"]
    found = u.run(LINE_RULES).reset_index()
    assert _money(found) == pytest.approx({("recorded", "pf_adjustment_error"): 240.00})
    pf = recompute(u.dataset()).set_index(["customer_id", "line_type"]).xs("pf_adjustment", level=1)
    assert pf.loc["recorded", "quantity_billed"] == 18_000.0
    assert pf["quantity_billed"].drop("recorded").isna().all()


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_a_capacity_recorded_beside_an_unknown_charge_is_what_the_bill_charged_for(
    itemized: bool,
):
    """Bills on IND2 recording 300 of 400 kVA, their basic charge blank, in an export without
    an adjustment column (the amount cannot say the charge): the capacity recorded is what they
    charged for, 12 × 100 × 30 = ¥36,000.00 short, on itemized bills too (there the whole
    basic line was unknown: nothing found)."""
    u = Utility()
    u.customer("short", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
    for bill in u.monthly("short", flat(100_000), multiplier=1000.0, tariff="IND2",
                          capacity=300.0, basis="capacity"):  # fmt: skip
        bill["basic_charge"] = None
    tables = u.tables()
    if itemized:
        tables["bill_lines"] = pd.DataFrame(
            {"customer_id": bill["customer_id"], "period": bill["period"], "line_type": "energy",
             "tou_period": None, "tier": None, "quantity": bill["kwh_billed"],
             "rate": bill["energy_rate"], "amount": bill["energy_charge"]}
            for bill in u.bills
        )  # fmt: skip
    found = rules.run(Dataset.from_frames(tables))
    assert _money(found) == pytest.approx({("short", "capacity_underbilled"): 12 * 100 * 30})

"""No basic charge is due on a single-part tariff: the rule pricing the tariff nets what a bill
charged, and the rules pricing a basic or demand charge short leave those bills."""

from __future__ import annotations

import pandas as pd
import pytest
from rule_builder import TWO_PART_BY_CAPACITY, WHOLE_DATA, Utility, flat, run

from auditkit import rules
from auditkit.data import Dataset
from auditkit.rules.context import RuleContext
from auditkit.rules.tariff_due import tariff_in_force

#: A 400 kVA shop archived on the factories' two-part IND2 (0.6 + 30 per kVA); COM (0.8, no
#: basic charge) is due for its usage.
SHOP_ON_IND2 = {
    "usage_type": "commercial",
    "tariff_category": "IND2",
    "contract_capacity_kva": 400.0,
    "basic_charge_basis": "capacity",
}


def _by_rule(u: Utility, rule_ids: list[str]) -> dict[tuple[str, str], float]:
    found = run(u, rule_ids, params=WHOLE_DATA)
    pairs = zip(found["rule_id"], found["customer_id"], found["revenue_impact"], strict=True)
    return {(rule_id, cid): money for rule_id, cid, money in pairs}


def test_a_bill_recording_no_basic_charge_paid_what_its_amount_holds():
    """The shops billed on 200 kVA with their basic charge left blank; their amounts hold the
    6,000.00 (energy + basic): a blank is no charge of nothing. The small shop (10,000 kWh)
    paid 12,000.00 where COM charges 8,000.00: nothing under-billed (reading the blank as 0 said
    ¥24,000.00); the big one (100,000 kWh) 12 × (80,000 − 66,000) = ¥168,000.00. A third whose
    amount is its energy alone paid no basic charge: 12 × (80,000 − 60,000)."""
    u = Utility()
    for cid, kwh in (("small", 10_000), ("big", 100_000), ("none_paid", 100_000)):
        u.customer(cid, **SHOP_ON_IND2)
        for bill in u.monthly(cid, flat(kwh), tariff="IND2", capacity=200.0, basis="capacity"):
            bill["basic_charge"] = None
            if cid == "none_paid":
                bill["amount"] = bill["energy_charge"]
    assert _by_rule(u, ["tariff_mismatch", "capacity_underbilled"]) == pytest.approx(
        {
            ("tariff_mismatch", "small"): 0.0,
            ("tariff_mismatch", "big"): 168_000.0,
            ("tariff_mismatch", "none_paid"): 240_000.0,
        }
    )


@pytest.mark.parametrize(("kwh", "owed"), [(100_000, 12 * (80_000 - 66_000)), (10_000, 0.0)])
def test_an_order_to_a_single_part_tariff_not_applied_nets_the_basic_charge_billed(
    kwh: float, owed: float
):
    """Archived on COM after an order IND2 → COM from January that billing never applied: each
    bill on IND2 at 200 of 400 kVA. COM charges no basic charge, so order_not_applied nets the
    6,000.00 each bill charged and capacity_underbilled finds no capacity short: at 100,000 kWh
    ¥168,000.00 (it said ¥240,000.00 + ¥72,000.00), at 10,000 kWh nothing (¥24,000.00 +
    ¥72,000.00 on an over-billed shop)."""
    u = Utility()
    u.customer("shop", **SHOP_ON_IND2 | {"tariff_category": "COM"})
    u.monthly("shop", flat(kwh), tariff="IND2", capacity=200.0, basis="capacity")
    u.order("shop", "tariff_change", "2024-01-01", "IND2", "COM")
    rule_ids = ["tariff_mismatch", "order_not_applied", "capacity_underbilled"]
    assert _by_rule(u, rule_ids) == pytest.approx({("order_not_applied", "shop"): owed})


@pytest.mark.parametrize(
    ("effective", "owed"), [("2024-07-01", 84_000.0), ("2024-07-15", 77_677.42)]
)
def test_the_capacity_is_short_on_the_bills_before_an_order_to_a_single_part_tariff(
    effective: str, owed: float
):
    """Near miss: the order IND2 → COM takes effect in July. January to June were due IND2's
    basic charge on 400 kVA: capacity_underbilled finds 6 × 200 × 30 = ¥36,000.00 short; July
    to December order_not_applied nets the 6,000.00 each bill charged, 6 × 14,000.00. An order
    effective on the 15th owes on July's bill (read 1-31 July) its days from the 15th only:
    14,000.00 × 17 / 31 = 7,677.42, so 5 × 14,000.00 + 7,677.42 = ¥77,677.42; July is not priced
    by both rules (it was: 20,000.00 for a month owing 14,000.00 at most). Left: the capacity
    short of July's first 14 days (IND2 still due) is counted by neither, as capacity_underbilled
    takes the tariff in force by month (`tariff_due.tariff_in_force`)."""
    u = Utility()
    u.customer("shop", **SHOP_ON_IND2 | {"tariff_category": "COM"})
    u.monthly("shop", flat(100_000), tariff="IND2", capacity=200.0, basis="capacity")
    u.order("shop", "tariff_change", effective, "IND2", "COM")
    rule_ids = ["order_not_applied", "capacity_underbilled"]
    assert _by_rule(u, rule_ids) == pytest.approx(
        {("capacity_underbilled", "shop"): 36_000.0, ("order_not_applied", "shop"): owed}
    )


@pytest.mark.parametrize(("usage", "owed"), [("commercial", 8_000.0), ("industrial", 10_000.0)])
def test_a_demand_read_short_through_a_multiplier_owes_no_charge_on_a_single_part_tariff(
    usage: str, owed: float
):
    """A shop on IND2 by demand (40 per kW), CT 2 billed at 1: 10,000 kWh and 100 kW left out.
    COM, due, has no demand charge: 10,000 × 0.8 = ¥8,000.00 (it added the 4,000.00 of demand
    charge billed). Near miss: a factory, due IND2, owes 10,000 × 0.6 + 100 × 40."""
    u = Utility()
    archive = SHOP_ON_IND2 | {"usage_type": usage, "basic_charge_basis": "demand"}
    u.customer("A", **archive, ct_ratio=2.0)
    u.monthly(
        "A", flat(10_000, 1), tariff="IND2", demand=100.0, basis="demand", periods=["2024-01"]
    )
    found = _by_rule(u, ["multiplier_mismatch"])
    assert found == pytest.approx({("multiplier_mismatch", "A"): owed})


@pytest.mark.parametrize("usage", ["commercial", "industrial"])
def test_a_reduction_used_beyond_owes_no_basic_charge_on_a_single_part_tariff(usage: str):
    """A 630 kVA customer on IND2 reduced to 400 kVA from July, billed on 350, its demand at
    600 kW: the equipment is used beyond the reduction. A shop (COM due) escaped no basic
    charge: reduction_without_drop lists it at ¥0.00 and leaves nothing to capacity_underbilled,
    which finds nothing. A factory (IND2 due) escaped some: capacity_underbilled proves the
    50 kVA billed short of the 400 (6 × 50 × 30), the estimate the rest."""
    u = Utility()
    u.customer("A", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY | {"usage_type": usage})
    u.monthly("A", flat(40_000), multiplier=1000.0, tariff="IND2",
              capacity=[630.0] * 6 + [350.0] * 6, demand=[500.0] * 6 + [600.0] * 6,
              basis="capacity")  # fmt: skip
    u.order("A", "capacity_reduction", "2024-07-01", 630, 400, issued="2024-06-01")
    rule_ids = ["tariff_mismatch", "capacity_underbilled", "reduction_without_drop"]
    found = run(u, rule_ids).set_index("rule_id")
    if usage == "commercial":
        assert found.loc["reduction_without_drop", "revenue_impact"] == 0.0
        assert "capacity_underbilled" not in found.index
        said = found.loc["reduction_without_drop", "evidence"]
        assert "capacity_underbilled" not in said
        assert said.endswith("; no basic charge is due on 6 bills, a single-part tariff being due")
    else:
        assert found.loc["capacity_underbilled", "revenue_impact"] == pytest.approx(9_000.0)
        assert found.loc["reduction_without_drop", "revenue_impact"] > 0


def test_the_tariff_in_force_follows_the_archive_and_its_orders_month_by_month():
    """Archived on COM; orders IND2 → RES effective 1 March and RES → COM effective 15 July:
    January and February on IND2 (the first order's old tariff), March to June on RES, July
    (the month of the second change, as order_not_applied dates it) and August on COM. Two
    orders in one month: the later effective date is in force, whatever their rows' order. A
    customer with no order is on its archive's tariff."""
    u = Utility()
    u.customer("A", tariff_category="COM")
    u.monthly("A", flat(100, 8), tariff="COM", periods=[f"2024-{m:02d}" for m in range(1, 9)])
    u.order("A", "tariff_change", "2024-03-01", "IND2", "RES")
    u.order("A", "tariff_change", "2024-07-15", "RES", "COM")
    u.customer("B", tariff_category="RES")
    u.monthly("B", flat(100, 2), periods=["2024-01", "2024-02"])
    u.customer("C", tariff_category="COM")
    u.monthly("C", flat(100, 2), periods=["2024-01", "2024-02"])
    u.order("C", "tariff_change", "2024-02-20", "IND2", "COM")
    u.order("C", "tariff_change", "2024-02-10", "RES", "IND2")
    ctx = RuleContext.build(u.dataset(), None)
    names = ctx.tariff_index.to_numpy(dtype=object)[tariff_in_force(ctx)]
    by_customer = {
        cid: list(names[ctx.bill_customer == code])
        for code, cid in enumerate(ctx.customers["customer_id"])
    }
    assert by_customer == {
        "A": ["IND2"] * 2 + ["RES"] * 4 + ["COM"] * 2,
        "B": ["RES"] * 2,
        "C": ["RES", "COM"],
    }


@pytest.mark.parametrize("usage", ["commercial", "industrial"])
def test_a_suspension_overrun_owes_no_basic_charge_on_a_single_part_tariff(usage: str):
    """A 630 kVA customer on IND2 suspends 315 kVA twice in 2024 (121 + 123 days, over the
    184 allowed): the factory (IND2 due) owes 29 days of September and October on the 315 kVA,
    18,585.00. A shop (COM due, no basic charge) owes none: the overrun is listed at ¥0.00,
    the evidence saying why."""
    u = Utility()
    u.customer("A", contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY | {"usage_type": usage})
    u.monthly("A", flat(40_000), multiplier=1000.0, tariff="IND2", demand=200.0,
              capacity=[315.0] * 4 + [630.0] * 2 + [315.0] * 4 + [630.0] * 2,
              basis="capacity")  # fmt: skip
    u.order("A", "suspension", "2024-01-01", 630, 315)
    u.order("A", "resumption", "2024-05-01", 315, 630)
    u.order("A", "suspension", "2024-07-01", 630, 315)
    u.order("A", "resumption", "2024-11-01", 315, 630)
    row = run(u, "suspension_overrun").iloc[0]
    if usage == "industrial":
        assert row["revenue_impact"] == pytest.approx(29 * 315.0 * 30 / 30 + 315.0 * 30)
        assert "basic charge is due" not in row["evidence"]
    else:
        assert row["revenue_impact"] == 0.0
        assert row["evidence"].endswith(
            "; no basic charge is due on 2 bills, a single-part tariff being due"
        )


def test_a_silent_change_from_a_single_part_tariff_leaves_the_proved_capacity_to_its_rule():
    """A factory archived on IND2 at 400 kVA billed COM January to March, then IND2 on 200 kVA
    with no order, 100,000 kWh a month. capacity_underbilled proves the 200 kVA short on the
    archive's IND2, 9 × 6,000; the bills from April are on the archive's IND2, which the usage
    allows, so the silent change lost nothing more: change_without_order lists it at 0.00
    (it priced COM, the tariff before, against IND2 on the 400 kVA in force, 72,000.00 more,
    as if the single-part tariff a factory of 400 kVA may not have were due). The bills on
    COM, with no rate per kVA, are short of no charge and not counted."""
    u = Utility()
    u.customer("F", **SHOP_ON_IND2 | {"usage_type": "industrial"})
    u.monthly("F", flat(100_000), tariff=["COM"] * 3 + ["IND2"] * 9,
              capacity=[None] * 3 + [200.0] * 9, basis="capacity")  # fmt: skip
    rule_ids = ["tariff_mismatch", "change_without_order", "capacity_underbilled"]
    assert _by_rule(u, rule_ids) == pytest.approx(
        {("change_without_order", "F"): 0.0, ("capacity_underbilled", "F"): 54_000.0}
    )
    said = run(u, "capacity_underbilled")["evidence"].iat[0]
    assert said.startswith("9 bills 2024-04..2024-12 charged the basic charge on less than")


def test_a_basic_rate_at_another_voltage_does_not_make_the_tariff_due_two_part():
    """The big shop at 0.4 kV, COM due, the schedule giving COM a basic rate at 10-35 kV only:
    at the shop's voltage COM charges none, so tariff_mismatch still nets the 6,000.00 paid,
    12 × (80,000 − 66,000), and no capacity is short."""
    u = Utility()
    u.customer("shop", **SHOP_ON_IND2)
    u.monthly("shop", flat(100_000), tariff="IND2", capacity=200.0, basis="capacity")
    tables = u.tables()
    tariffs = tables["tariffs"]
    at_10_kv = tariffs[tariffs["tariff_category"] == "COM"].head(1)
    at_10_kv = at_10_kv.assign(basic_rate_kva_month=25.0, voltage_kv_min=10.0, voltage_kv_max=35.0)
    tables["tariffs"] = pd.concat([tariffs, at_10_kv], ignore_index=True)
    found = rules.run(
        Dataset.from_frames(tables),
        rules=["tariff_mismatch", "capacity_underbilled"],
        params=WHOLE_DATA,
    )
    assert found["rule_id"].tolist() == ["tariff_mismatch"]
    assert found["revenue_impact"].tolist() == pytest.approx([168_000.0])


def test_a_tariff_charging_by_demand_alone_is_two_part():
    """A 400 kVA factory on IND3, 0.55 a kWh and 40 per kW of demand, no rate per kVA: it pays
    a basic charge, so it is not 'single-part at or above the two-part threshold'."""
    u = Utility()
    archive = {"usage_type": "industrial", "contract_capacity_kva": 400.0}
    u.customer("F", tariff_category="IND3", basic_charge_basis="demand", **archive)
    u.monthly("F", flat(100_000), tariff="IND3", rate=0.55, demand=300.0, basis="demand")
    tables = u.tables()
    tariffs = tables["tariffs"]
    ind3 = tariffs[tariffs["tariff_category"] == "IND2"].assign(
        tariff_category="IND3", energy_rate=0.55, basic_rate_kva_month=None
    )
    tables["tariffs"] = pd.concat([tariffs, ind3], ignore_index=True)
    assert rules.run(Dataset.from_frames(tables), rules="tariff_mismatch").empty


def test_a_customer_on_the_wrong_tariff_with_no_bills_is_said_to_have_none():
    """Near miss of 'the bills charged the tariff due': a shop archived on IND2 with no bill in
    the data is listed for its archive, nothing priced, and the evidence says why."""
    u = Utility()
    u.customer("shop", **SHOP_ON_IND2)
    u.customer("other")
    u.monthly("other", flat(100))
    found = run(u, "tariff_mismatch").set_index("customer_id")
    assert found.loc["shop", "revenue_impact"] == 0.0
    assert found.loc["shop", "evidence"].endswith("; the data hold no bills of it: nothing priced")


def test_a_shop_single_part_at_its_voltage_is_told_to_take_the_two_part_tariff_offered():
    """A 400 kVA shop at 0.4 kV on COM (0.8), which charges a basic rate only at 10-35 kV, where
    the schedule offers COM2 (0.55 + 30 per kVA) at every voltage: at its voltage COM is
    single-part, so it should be on COM2, 12 × (0.55 × 10,000 + 30 × 400 − 0.8 × 10,000) =
    ¥114,000.00 (the rate at another voltage hid it)."""
    u = Utility()
    archive = {"usage_type": "commercial", "tariff_category": "COM", "contract_capacity_kva": 400.0}
    u.customer("shop", basic_charge_basis="capacity", **archive)
    u.monthly("shop", flat(10_000), tariff="COM")
    tables = u.tables()
    tariffs = tables["tariffs"]
    com = tariffs[tariffs["tariff_category"] == "COM"].head(1)
    at_10_kv = com.assign(basic_rate_kva_month=25.0, voltage_kv_min=10.0, voltage_kv_max=35.0)
    com2 = com.assign(tariff_category="COM2", energy_rate=0.55, basic_rate_kva_month=30.0)
    tables["tariffs"] = pd.concat([tariffs, at_10_kv, com2], ignore_index=True)
    found = rules.run(Dataset.from_frames(tables), rules="tariff_mismatch", params=WHOLE_DATA)
    assert found["revenue_impact"].tolist() == pytest.approx([114_000.0])
    assert "should be COM2" in found["evidence"].iat[0]

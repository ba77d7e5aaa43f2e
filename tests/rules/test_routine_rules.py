"""Routine rules: tariff against usage, rates against the schedule, consumption, archive."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rule_builder import PERIODS, WHOLE_DATA, Utility, flat, run

from auditkit import rules
from auditkit.data import Dataset


def test_tariff_mismatch_counts_the_three_recoverable_months_and_reports_the_data_beside_them():
    u = Utility()
    u.customer("shop", usage_type="commercial", tariff_category="RES")
    u.monthly("shop", flat(100), tariff="RES")
    u.customer("ok", usage_type="commercial", tariff_category="COM")
    u.monthly("ok", flat(100), tariff="COM")
    findings = run(u, "tariff_mismatch")
    assert findings["customer_id"].tolist() == ["shop"]
    row = findings.iloc[0]
    # The start being unknown, October to December are recoverable: 3 × 100 × (0.8 − 0.6) =
    # 60.00, the revenue (it was the data's 300.00, beside a penalty on the 60.00).
    assert row["revenue_impact"] == pytest.approx(3 * 100 * (0.8 - 0.6))
    assert (row["period_from"], row["period_to"]) == ("2024-01", "2024-12")
    # The evidence says both: over the data, January to June COM 0.8 against RES 0.5 and July
    # to December against RES 0.6, 6 × 100 × 0.3 + 6 × 100 × 0.2 = 300.00; recoverable 60.00.
    assert row["evidence"] == (
        "commercial customer archived on tariff RES (for residential); should be COM; the data's "
        "12 bills 2024-01..2024-12 under-billed ¥300.00 (¥60.00 recoverable for "
        "2024-10..2024-12, the start being unknown)"
    )
    # The penalty, 2× the price difference, is on what is recoverable: 2 × 60.
    assert row["penalty"] == pytest.approx(2 * 60.0)


def test_tariff_mismatch_reports_a_customer_billed_dearer_than_due_as_a_refund():
    """A farm archived and billed on COM (0.8) where AGR (0.4) is due: 12 bills × 100 kWh ×
    (0.8 − 0.4) = 480.00 over-billed, a refund, as the line rules report one (no revenue, no
    penalty), not "under-billed ¥0.00". The near miss: a shop on RES still under-billed."""
    u = Utility()
    u.customer("farm", usage_type="agricultural", tariff_category="COM")
    u.monthly("farm", flat(100), tariff="COM")
    u.customer("shop", usage_type="commercial", tariff_category="RES")
    u.monthly("shop", flat(100), tariff="RES")
    found = run(u, "tariff_mismatch").set_index("customer_id")
    assert found.loc["farm", "revenue_impact"] == 0.0
    assert found.loc["farm", "penalty"] == 0.0
    assert found.loc["farm", "evidence"] == (
        "agricultural customer archived on tariff COM (for commercial); should be AGR; the "
        "data's 12 bills 2024-01..2024-12 over-billed ¥480.00 (to refund, not counted as revenue)"
    )
    chinese = rules.evidence_text(found.loc[["farm"]].reset_index(), "zh").iat[0]
    assert chinese.endswith("多收 480.00 元（应退补，不计入涉及电费）")
    assert "under-billed ¥300.00" in found.loc["shop", "evidence"]


def test_tariff_mismatch_whose_start_the_bills_show_is_recoverable_from_it():
    u = Utility()
    u.customer("late", usage_type="commercial", tariff_category="RES")
    u.monthly("late", flat(100), tariff=["COM"] * 4 + ["RES"] * 8)
    row = run(u, "tariff_mismatch").iloc[0]
    # May and June at 0.8 − 0.5, July to December at 0.8 − 0.6; the four COM bills owe nothing.
    assert row["revenue_impact"] == pytest.approx(2 * 100 * 0.3 + 6 * 100 * 0.2)
    assert row["period_from"] == "2024-05"
    assert "the bills show it began in 2024-05: all of it recoverable" in row["evidence"]


def test_a_tariff_order_not_applied_does_date_the_tariff_mismatch_start():
    """A shop archived RES with an order RES → COM from 1 July never applied: order_not_applied
    leaves its six bills to tariff_mismatch, which counts them all, the order dating the start:
    July to December 6 × 100 × (0.8 − 0.6) = ¥120.00 (it counted only October to December,
    3 × 20.00 = ¥60.00, the start unknown: July to September counted by neither)."""
    u = Utility()
    u.customer("shop", usage_type="commercial", tariff_category="RES")
    u.monthly("shop", flat(100), tariff="RES")
    u.order("shop", "tariff_change", "2024-07-01", "RES", "COM")
    # Near miss: the same bills without an order keep the unknown start's last three months.
    u.customer("no_order", usage_type="commercial", tariff_category="RES")
    u.monthly("no_order", flat(100), tariff="RES")
    # Near miss: an order billing applied on time leaves nothing and dates nothing: the six RES
    # bills before it keep the unknown start, whose last three months are on COM (0.00).
    u.customer("applied", usage_type="commercial", tariff_category="RES")
    u.monthly("applied", flat(100), tariff=["RES"] * 6 + ["COM"] * 6)
    u.order("applied", "tariff_change", "2024-07-01", "RES", "COM")
    found = run(u, ["tariff_mismatch", "order_not_applied"]).set_index(["customer_id", "rule_id"])
    dated = found.loc[("shop", "tariff_mismatch")]
    assert (dated["revenue_impact"], dated["penalty"]) == (120.0, 2 * 120.0)
    assert (
        "order WO0001, not applied, dates the start: ¥120.00 recoverable for 2024-07..2024-12"
        in (dated["evidence"])
    )
    assert found.loc[("shop", "order_not_applied"), "revenue_impact"] == 0.0
    assert (
        "6 bills is counted under tariff_mismatch"
        in found.loc[("shop", "order_not_applied"), "evidence"]
    )
    assert found.loc[("no_order", "tariff_mismatch"), "revenue_impact"] == 3 * 100 * 0.2
    applied = found.loc[("applied", "tariff_mismatch")]
    assert (applied["revenue_impact"], applied["penalty"]) == (0.0, 0.0)
    assert "the start being unknown" in applied["evidence"]
    assert ("applied", "order_not_applied") not in found.index


def test_tariff_mismatch_archive_wrong_but_bills_on_the_tariff_due_owe_nothing():
    u = Utility()
    u.customer("archive", usage_type="commercial", tariff_category="RES")
    u.monthly("archive", flat(100), tariff="COM")
    row = run(u, "tariff_mismatch").iloc[0]
    assert row["revenue_impact"] == 0.0
    assert row["evidence"].endswith("the bills charged the tariff due: nothing under-billed")


def test_tariff_mismatch_single_part_above_two_part_threshold():
    u = Utility()
    u.customer("big", usage_type="industrial", tariff_category="COM", contract_capacity_kva=400.0)
    u.monthly("big", flat(100), tariff="COM")
    u.customer(
        "small", usage_type="industrial", tariff_category="IND2", contract_capacity_kva=314.0
    )
    u.monthly("small", flat(100), tariff="IND2")
    findings = run(u, "tariff_mismatch")
    assert findings["customer_id"].tolist() == ["big"]  # under the threshold IND2 is no error
    assert "two-part threshold" in findings.iloc[0]["evidence"]


def test_tariff_mismatch_prices_the_basic_charge_billed_where_the_capacity_is_unknown():
    """An industrial 400 kVA customer billed on the single-part COM (0.8) where the two-part IND2
    (0.6 + 30 per kVA) is due, its basic charge billed on 300 kVA (9,000.00 a month), increased
    to 400 kVA from 1 July. July to December: 400 × 30 − 9,000 − 100 × 0.2 = ¥2,980.00 a month.
    Before the increase, with its old value 350 recorded: 350 × 30 − 9,000 − 20 = ¥1,480.00 a
    month, ¥26,760.00 in all. Without it the capacity then is unknown and the bills are judged on
    the 300 kVA they billed: −¥20.00 a month (the energy), ¥17,760.00 in all; not on the archive's
    400 kVA (¥35,760.00), nor on nothing, which would claim the 9,000.00 billed back (¥0.00)."""
    u = Utility()
    for cid, old in (("recorded", 350), ("unrecorded", "")):
        u.customer(
            cid,
            usage_type="industrial",
            tariff_category="COM",
            contract_capacity_kva=400.0,
            basic_charge_basis="capacity",
        )
        u.monthly(cid, flat(100), tariff="COM", capacity=300.0, basis="capacity")
        u.order(cid, "capacity_increase", "2024-07-01", old, 400)
    found = run(u, "tariff_mismatch", params=WHOLE_DATA).set_index("customer_id")["revenue_impact"]
    assert found.to_dict() == pytest.approx(
        {"recorded": 6 * 1_480 + 6 * 2_980, "unrecorded": 6 * -20 + 6 * 2_980}
    )


def test_tariff_mismatch_reads_no_refund_from_a_basic_charge_it_cannot_put_on_a_capacity():
    """As above without its old value, the bills recording their 9,000.00 basic charge but no
    capacity: on COM, without a rate per kVA, the charge says nothing of the kVA billed; January
    to June are judged on nothing of their basic charge: −¥20.00 a month, ¥17,760.00 in all, as
    where the 300 kVA are recorded (the charge was read as billed on 0 kVA, claiming the
    9,000.00 back each month: ¥0.00). A customer by demand: `test_tariff_mismatch_prices_a_
    demand_customers_basic_charge_by_its_demand`."""
    u = Utility()
    for cid, basis, recorded in (
        ("recorded", "capacity", 300.0),
        ("charge_only", "capacity", None),
    ):
        u.customer(
            cid,
            usage_type="industrial",
            tariff_category="COM",
            contract_capacity_kva=400.0,
            basic_charge_basis=basis,
        )
        for bill in u.monthly(cid, flat(100), tariff="COM", capacity=300.0, basis="capacity"):
            bill["capacity_billed_kva"] = recorded
        u.order(cid, "capacity_increase", "2024-07-01", "", 400)
    found = run(u, "tariff_mismatch", params=WHOLE_DATA).set_index("customer_id")["revenue_impact"]
    assert found.to_dict() == pytest.approx(
        dict.fromkeys(("recorded", "charge_only"), 6 * -20 + 6 * 2_980)
    )


def _on_com2(u: Utility) -> Dataset:
    """`u`'s tables with the commercial two-part COM2 (0.7, 25 per kVA, 35 per kW) beside the
    schedule's tariffs, every customer's contract demand 600 kW."""
    tables = u.tables()
    tables["customers"]["contract_demand_kw"] = 600.0
    tariffs = tables["tariffs"]
    com2 = tariffs[tariffs["tariff_category"] == "COM"].assign(
        tariff_category="COM2", energy_rate=0.7, basic_rate_kva_month=25.0, basic_rate_kw_month=35.0
    )
    tables["tariffs"] = pd.concat([tariffs, com2], ignore_index=True)
    return Dataset.from_frames(tables)


def _com2_factory(u: Utility, cid: str, basis: str, **archive: object) -> None:
    """An industrial 10 kV, 1,000 kVA customer `cid` archived on COM2, by `basis`."""
    u.customer(
        cid,
        usage_type="industrial",
        tariff_category="COM2",
        voltage_kv=10.0,
        contract_capacity_kva=1000.0,
        basic_charge_basis=basis,
        **archive,
    )


def test_tariff_mismatch_prices_a_demand_customers_basic_charge_by_its_demand():
    """An industrial 1,000 kVA customer by demand (contract demand 600 kW) archived and billed
    on the commercial two-part COM2 (0.7, 25 per kVA, 35 per kW) where IND2 (0.6, 30 per kVA,
    40 per kW) is due, 10,000 kWh a month. Its basic charge is 40 per kW on the demand billed,
    at least 40 % of 1,000 kVA, the excess over 105 % of 600 kW counted double: January 300 kW
    → 400 kW, 16,000.00 due against 14,000.00 billed; February 500 kW, 20,000.00 against
    17,500.00; March 700 kW → 700 + 70 = 770 kW, 30,800.00 against 26,950.00; less 1,000.00 a
    month of energy (0.6 against 0.7): ¥5,350.00. The flat rates put IND2's 30 per kVA on
    the 1,000 kVA (30,000.00 a month): ¥28,550.00.

    Near misses: the same customer by capacity, billed 25 per kVA on its 1,000 kVA, owes 30 per
    kVA (5,000.00 − 1,000.00 a month: ¥12,000.00); one by demand whose bills record no demand has
    no demand charge to price (nothing to bill from): only the energy, −¥3,000.00, no money."""
    u = Utility()
    demand = [300.0, 500.0, 700.0]
    for cid, basis, recorded in (
        ("by_demand", "demand", demand),
        ("by_capacity", "capacity", None),
        ("no_demand", "demand", None),
    ):
        _com2_factory(u, cid, basis)
        bills = u.monthly(
            cid, flat(10_000, 3), tariff="COM2", rate=0.7, demand=recorded, periods=PERIODS[:3]
        )
        for bill, kw in zip(bills, demand, strict=True):
            if basis == "capacity":
                bill["capacity_billed_kva"], bill["basic_charge"] = 1000.0, 1000 * 25.0
            else:  # the bill's own demand charge, whether or not the export keeps the demand
                bill["basic_charge"] = 35.0 * (max(kw, 400.0) + max(kw - 630.0, 0.0))
            bill["amount"] = bill["energy_charge"] + bill["basic_charge"]
    found = rules.run(_on_com2(u), rules="tariff_mismatch")
    found = found.set_index("customer_id")["revenue_impact"]
    assert found.to_dict() == pytest.approx(
        {
            "by_demand": (16_000 - 14_000) + (20_000 - 17_500) + (30_800 - 26_950) - 3 * 1_000,
            "by_capacity": 3 * (30_000 - 25_000 - 1_000),
            "no_demand": 0.0,
        }
    )


def test_tariff_mismatch_legal_exceptions_by_industry_and_their_near_misses():
    u = Utility()
    legal = {
        "school": dict(usage_type="public", industry="教育", tariff_category="RES"),
        "care": dict(usage_type="public", industry="养老服务", tariff_category="RES"),
        "ev_large": dict(
            usage_type="commercial",
            industry="充换电服务业",
            tariff_category="IND2",
            contract_capacity_kva=800.0,
        ),
        "ev_estate": dict(usage_type="commercial", industry="充换电服务业", tariff_category="RES"),
        # A car-park station of 400 kVA on the single-part commercial price: no two-part due.
        "ev_car_park": dict(
            usage_type="commercial",
            industry="机动车充电销售",
            tariff_category="COM",
            contract_capacity_kva=400.0,
        ),
    }
    wrong = {
        "ev_farm": dict(usage_type="commercial", industry="充换电服务业", tariff_category="AGR"),
        "shop_ind2": dict(
            usage_type="commercial",
            industry="批发和零售业",
            tariff_category="IND2",
            contract_capacity_kva=800.0,
        ),
        "school_agr": dict(usage_type="public", industry="教育", tariff_category="AGR"),
    }
    for cid, archive in (legal | wrong).items():
        u.customer(cid, **archive)
        u.monthly(cid, flat(100), tariff=archive["tariff_category"])
    findings = run(u, "tariff_mismatch")
    assert sorted(findings["customer_id"]) == sorted(wrong)
    # Without industrial among EV charging's usages, the large-industry station is flagged too.
    narrowed = run(
        u, "tariff_mismatch", params={"tariff_mismatch.ev_charging_usages": ["commercial"]}
    )
    assert sorted(narrowed["customer_id"]) == sorted([*wrong, "ev_estate", "ev_large"])


def test_a_sub_class_of_a_shared_meter_industry_does_not_fire_tariff_mismatch():
    u = Utility()
    # GB/T 4754 sub-classes and codes of the listed classes (教育, 养老服务, P83): legal.
    legal = {"primary": "小学教育", "care": "社区养老服务", "code": "P83", "sub_code": "P8321"}
    # Near misses: a shop selling school supplies, a code outside P83, sports: not schools.
    wrong = {"supplies": "教育用品零售", "other_code": "P84", "sports": "体育"}
    for cid, industry in (legal | wrong).items():
        u.customer(cid, usage_type="public", industry=industry, tariff_category="RES")
        u.monthly(cid, flat(100), tariff="RES")
    findings = run(u, "tariff_mismatch")
    assert sorted(findings["customer_id"]) == sorted(wrong)


def test_tariff_mismatch_counts_the_funds_the_tariff_due_collects():
    u = Utility()
    u.customer("shop", usage_type="commercial", tariff_category="RES")
    u.monthly("shop", flat(100), tariff="RES")
    tables = u.tables()
    # COM collects 0.03 yuan/kWh of government funds, RES none.
    tables["tariffs"]["fund_rate"] = [0.0, 0.0, 0.03, 0.0, 0.0]
    row = rules.run(Dataset.from_frames(tables), rules="tariff_mismatch", params=WHOLE_DATA).iloc[0]
    assert row["revenue_impact"] == pytest.approx(6 * 100 * 0.3 + 6 * 100 * 0.2 + 12 * 100 * 0.03)


def _voltage_banded(u: Utility) -> Dataset:
    """The builder's schedule with a single-part industrial IND (0.7, any voltage) and IND2 by
    voltage band: 0.6 from 1 to 10 kV, 0.58 from 35 to 110 kV, none below 1 kV."""
    tables = u.tables()
    tariffs = tables["tariffs"]
    ind2 = tariffs[tariffs["tariff_category"] == "IND2"]
    banded = pd.concat(
        [
            ind2.assign(voltage_kv_min=1.0, voltage_kv_max=10.0),
            ind2.assign(voltage_kv_min=35.0, voltage_kv_max=110.0, energy_rate=0.58),
        ]
    )
    ind = ind2.assign(
        tariff_category="IND", energy_rate=0.7, basic_rate_kva_month=None, basic_rate_kw_month=None
    )
    tables["tariffs"] = pd.concat(
        [tariffs[tariffs["tariff_category"] != "IND2"], banded, ind], ignore_index=True
    )
    return Dataset.from_frames(tables)


def test_tariff_mismatch_looks_up_the_tariff_due_at_the_customers_voltage_band():
    u = Utility()
    industrial = dict(usage_type="industrial", contract_capacity_kva=400.0)
    u.customer("hv", voltage_kv=35.0, tariff_category="COM", **industrial)
    u.monthly("hv", flat(1000), tariff="COM")
    u.customer("lv", voltage_kv=0.4, tariff_category="IND2", **industrial)
    u.monthly("lv", flat(1000), tariff="IND2")
    u.customer("mv", voltage_kv=10.0, tariff_category="IND2", **industrial)
    u.monthly("mv", flat(1000), tariff="IND2")
    findings = rules.run(_voltage_banded(u), rules="tariff_mismatch", params=WHOLE_DATA).set_index(
        "customer_id"
    )
    assert sorted(findings.index) == ["hv", "lv"]
    # 35 kV: IND2 of the 35-110 kV band, 0.58 against COM 0.8, plus 400 kVA × 30 a month.
    assert findings.loc["hv", "revenue_impact"] == pytest.approx(
        12 * ((0.58 - 0.8) * 1000 + 12_000)
    )
    assert "should be IND2" in findings.loc["hv", "evidence"]
    # 0.4 kV: IND2 has no row below 1 kV; the single-part IND is due, 0.7 against the 0.6 billed.
    assert findings.loc["lv", "revenue_impact"] == pytest.approx(12 * 1000 * 0.1)
    assert findings.loc["lv", "evidence"].startswith(
        "industrial customer archived on tariff IND2, which the schedule in force does not offer "
        "at 0.4 kV; should be IND"
    )


def test_rate_mismatch_old_rate_after_the_price_change():
    u = Utility()
    u.customer("old")
    u.monthly("old", flat(100), rate=[0.5] * 12)  # 0.6 is in force from July
    u.customer("ok")
    u.monthly("ok", flat(100))
    findings = run(u, "rate_mismatch")
    assert findings["customer_id"].tolist() == ["old"]
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(6 * 100 * 0.1)
    assert (findings.iloc[0]["period_from"], findings.iloc[0]["period_to"]) == (
        "2024-07",
        "2024-12",
    )


def test_zero_consumption_three_months_but_not_two_or_suspended():
    u = Utility()
    u.customer("dead", usage_type="commercial", tariff_category="COM")
    u.monthly("dead", [100.0] * 8 + [0.0] * 4, tariff="COM")
    u.customer("away", usage_type="commercial", tariff_category="COM")
    u.monthly("away", [100.0] * 5 + [0.0] * 2 + [100.0] * 5, tariff="COM")
    u.customer("paused", usage_type="commercial", tariff_category="COM", status="suspended")
    u.monthly("paused", [100.0] * 8 + [0.0] * 4, tariff="COM")
    findings = run(u, "zero_consumption")
    assert findings["customer_id"].tolist() == ["dead"]
    # 4 months at the usual 100 kWh and 0.8 yuan.
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(4 * 100 * 0.8)
    assert findings.iloc[0]["period_from"] == "2024-09"


def test_estimated_streak_three_in_a_row_not_two():
    u = Utility()
    u.customer("streak")
    u.monthly("streak", flat(100), estimated=[4, 5, 6])
    u.customer("two")
    u.monthly("two", flat(100), estimated=[2, 3, 8])
    findings = run(u, "estimated_streak")
    assert findings["customer_id"].tolist() == ["streak"]
    assert "3 estimated reads in a row 2024-05..2024-07" in findings.iloc[0]["evidence"]


def test_archive_defects_each_kind_and_a_clean_customer():
    u = Utility()
    u.customer("odd_ct", ct_ratio=37.5, usage_type="commercial", tariff_category="COM")
    u.customer("pt_lv", pt_ratio=100.0, usage_type="commercial", tariff_category="COM")
    u.customer(
        "no_cap",
        usage_type="industrial",
        tariff_category="IND2",
        voltage_kv=10.0,
        basic_charge_basis="capacity",
        contract_capacity_kva=None,
    )
    u.customer("shared1", meter_id="M-SHARED")
    u.customer("shared2", meter_id="M-SHARED")
    u.customer("early", connection_date=pd.Timestamp("2024-05-10"))
    u.customer("clean", ct_ratio=40.0, usage_type="commercial", tariff_category="COM")
    u.customer("by_demand", basic_charge_basis="demand", contract_capacity_kva=None)  # none due
    for cid, multiplier in (
        ("odd_ct", 37.5),
        ("pt_lv", 100.0),
        ("no_cap", 1.0),
        ("shared1", 1.0),
        ("shared2", 1.0),
        ("early", 1.0),
        ("clean", 40.0),
        ("by_demand", 1.0),
    ):
        u.monthly(
            cid,
            flat(100),
            multiplier=multiplier,
            tariff={"odd_ct": "COM", "pt_lv": "COM", "clean": "COM", "no_cap": "IND2"}.get(
                cid, "RES"
            ),
        )
    findings = run(u, "archive_defect").set_index("customer_id")["evidence"]
    assert sorted(findings.index) == ["early", "no_cap", "odd_ct", "pt_lv", "shared1", "shared2"]
    assert "non-standard CT ratio 37.50" in findings["odd_ct"]
    assert "PT ratio 100 on 0.4 kV" in findings["pt_lv"]
    assert "capacity missing" in findings["no_cap"]
    assert "M-SHARED" in findings["shared1"]
    assert "first bill 2024-01 before connection 2024-05-10" in findings["early"]


def test_bills_of_an_account_closed_then_reconnected_precede_its_new_connection_date():
    """The archive keeps the latest connection date: the bills before the closure are the
    account's earlier life, not bills before its connection."""
    u = Utility()
    for cid in ("reconnected", "never_closed"):
        u.customer(cid, connection_date=pd.Timestamp("2024-08-01"))
        u.monthly(
            cid, flat(100, 9), periods=[f"2024-{m:02d}" for m in (1, 2, 3, 4, 8, 9, 10, 11, 12)]
        )
    u.order("reconnected", "closure", "2024-04-20")
    u.order("reconnected", "new_connection", "2024-08-01")
    findings = run(u, "archive_defect").set_index("customer_id")["evidence"]
    assert list(findings.index) == ["never_closed"]
    assert "first bill 2024-01 before connection 2024-08-01" in findings["never_closed"]


def _peers_with_one_drop(u: Utility, drop_from: int, order: bool = False) -> None:
    """30 households with seasonal noise; household H00 falls to 30 % from month `drop_from`."""
    rng = np.random.default_rng(5)
    periods = [str(pd.Period("2023-01", "M") + i) for i in range(24)]
    season = np.array([1.3, 1.2, 1.0, 0.9, 0.9, 1.0, 1.4, 1.4, 1.1, 0.9, 0.9, 1.2])
    for i in range(30):
        cid = f"H{i:02d}"
        u.customer(cid)
        kwh = 150 * season[np.arange(24) % 12] * rng.lognormal(0, 0.08, 24)
        if i == 0:
            kwh[drop_from:] *= 0.3
        u.monthly(cid, list(np.round(kwh, 2)), periods=periods)
    if order:
        u.order("H00", "capacity_reduction", periods[drop_from] + "-01", 8, 4)


def test_consumption_drop_flags_a_sustained_fall_with_its_estimated_loss():
    u = Utility()
    _peers_with_one_drop(u, drop_from=16)
    findings = run(u, "consumption_drop")
    assert findings["customer_id"].tolist() == ["H00"]
    row = findings.iloc[0]
    assert row["period_from"] == "2024-05"
    # The loss is what the 70 % missing energy would have cost: about 8 months × 0.7/0.3 × bill.
    bills = u.dataset().bills
    paid = bills[(bills["customer_id"] == "H00") & (bills["period"] >= "2024-05")]
    expected = (paid["kwh_billed"] * paid["energy_rate"]).sum() * (1 / 0.3 - 1)
    assert row["revenue_impact"] == pytest.approx(expected, rel=0.25)


def test_consumption_drop_explained_by_an_order_or_too_recent_is_not_listed():
    explained = Utility()
    _peers_with_one_drop(explained, drop_from=16, order=True)
    assert run(explained, "consumption_drop").empty
    recent = Utility()
    _peers_with_one_drop(recent, drop_from=22)  # two months: not yet sustained
    assert run(recent, "consumption_drop").empty


def test_tariff_mismatch_prices_the_basic_charge_due_for_the_days_and_capacity_in_service():
    """Industrial customers on COM2 (35 per kW, 25 per kVA) where IND2 (40 per kW, 30 per kVA)
    is due, 10,000 kWh a month (0.7 billed where 0.6 is due: −1,000.00 a month).

    Connected on 16 January, by demand (500 kW): January is due 16 of 30 days, as billed,
    40 × 500 × 16/30 = 10,666.67 against COM2's 9,333.33, less 1,000.00; February and March
    20,000.00 against 17,500.00, less 1,000.00: ¥3,333.33 (a whole January was priced:
    ¥12,666.67). By capacity (1,000 kVA), 500 kVA suspended from 1 February: 30 × 500 = 15,000.00
    due against 12,500.00 in February and March, less 1,000.00, and January 30,000.00 against
    25,000.00, less 1,000.00: ¥7,000.00 (the 1,000 kVA were priced through the suspension:
    ¥37,000.00)."""
    u = Utility()
    _com2_factory(u, "connected", "demand", connection_date=pd.Timestamp("2024-01-16"))
    _com2_factory(u, "suspended", "capacity")
    bills = u.monthly(
        "connected",
        flat(10_000, 3),
        tariff="COM2",
        rate=0.7,
        demand=[500.0] * 3,
        periods=PERIODS[:3],
    )
    for month, bill in enumerate(bills):
        bill["basic_charge"] = round(35.0 * 500 * (16 / 30 if month == 0 else 1), 2)
        bill["amount"] = bill["energy_charge"] + bill["basic_charge"]
    bills = u.monthly("suspended", flat(10_000, 3), tariff="COM2", rate=0.7, periods=PERIODS[:3])
    for bill, kva in zip(bills, [1000.0, 500.0, 500.0], strict=True):
        bill["capacity_billed_kva"], bill["basic_charge"] = kva, 25.0 * kva
        bill["amount"] = bill["energy_charge"] + bill["basic_charge"]
    u.order("suspended", "suspension", "2024-02-01", 1000, 500)
    found = rules.run(_on_com2(u), rules="tariff_mismatch")
    assert found.set_index("customer_id")["revenue_impact"].to_dict() == pytest.approx(
        {
            # January: what IND2 charges on the 16 days less what COM2 charges on them (the
            # charge billed, 9,333.33, is COM2's to the fen)
            "connected": (40 - 35) * 500 * 16 / 30 + 2 * (20_000 - 17_500) - 3 * 1_000,
            "suspended": (30_000 - 25_000) + 2 * (15_000 - 12_500) - 3 * 1_000,
        }
    )


def test_tariff_mismatch_prices_each_bill_by_the_basis_in_force_on_it():
    """An industrial 1,000 kVA customer (contract demand 600 kW) on COM2 (0.7, 25 per kVA, 35
    per kW) where IND2 (0.6, 30 per kVA, 40 per kW) is due, 10,000 kWh a month, by demand
    (500 kW) until June and by capacity from July (basis_change demand → capacity effective
    1 July; the archive, today's, says capacity). January to June 40 × 500 = 20,000.00 due
    against 35 × 500 = 17,500.00, less 1,000.00 of energy: 1,500.00 a month; July to December
    30 × 1,000 = 30,000.00 against 25 × 1,000 = 25,000.00, less 1,000.00: 4,000.00 a month;
    ¥33,000.00. On today's basis the demand months were priced 30,000.00 against 17,500.00,
    11,500.00 a month: ¥93,000.00."""
    u = Utility()
    _com2_factory(u, "switched", "capacity")
    bills = u.monthly(
        "switched", flat(10_000), tariff="COM2", rate=0.7, demand=[500.0] * 6 + [None] * 6
    )
    for month, bill in enumerate(bills):
        if month < 6:
            bill["basic_charge"] = 35.0 * 500
        else:
            bill["capacity_billed_kva"], bill["basic_charge"] = 1000.0, 25.0 * 1000
        bill["amount"] = bill["energy_charge"] + bill["basic_charge"]
    u.order("switched", "basis_change", "2024-07-01", "demand", "capacity")
    found = rules.run(_on_com2(u), rules="tariff_mismatch", params=WHOLE_DATA)
    assert found["revenue_impact"].tolist() == pytest.approx(
        [6 * (20_000 - 17_500 - 1_000) + 6 * (30_000 - 25_000 - 1_000)]
    )


def _shops_on_ind2(capacity_billed: float) -> Utility:
    """A big shop (100,000 kWh a month) and a small one (10,000) archived and billed on the
    factories' two-part IND2 on 400 kVA, their basic charge on `capacity_billed`."""
    u = Utility()
    for cid, kwh in (("big_shop", 100_000), ("small_shop", 10_000)):
        u.customer(
            cid,
            usage_type="commercial",
            tariff_category="IND2",
            contract_capacity_kva=400.0,
            basic_charge_basis="capacity",
        )
        u.monthly(cid, flat(kwh), tariff="IND2", capacity=capacity_billed, basis="capacity")
    return u


def test_tariff_mismatch_nets_the_basic_charge_a_single_part_tariff_due_does_not_charge():
    """Two shops archived and billed on the factories' two-part IND2 (0.6 a kWh + 30 a kVA on
    their 400 kVA: 12,000.00 a month) where their single-part COM (0.8, no basic charge) is due.
    The big shop's 100,000 kWh a month owe 80,000.00 on COM against 60,000.00 + 12,000.00
    billed: 8,000.00 a month, ¥96,000.00 in all (the basic charge left out of the gap, as
    before: ¥240,000.00). The small shop's 10,000 kWh owe 8,000.00 against 18,000.00: it paid
    more than COM charges: its archive is still wrong, with nothing under-billed (was
    ¥24,000.00 from nothing)."""
    u = _shops_on_ind2(capacity_billed=400.0)
    found = run(u, "tariff_mismatch", params=WHOLE_DATA).set_index("customer_id")["revenue_impact"]
    assert found.to_dict() == pytest.approx(
        {"big_shop": 12 * (80_000 - 60_000 - 12_000), "small_shop": 0.0}
    )


def test_a_single_part_tariff_due_nets_the_basic_charge_billed_and_no_capacity_is_short():
    """The two shops of the test above billed their IND2 basic charge on 200 of their 400 kVA
    (6,000.00 a month). COM, due, charges no basic charge, so no capacity is short: what each
    paid is netted. The big shop owes 80,000.00 against 60,000.00 + 6,000.00 a month:
    ¥168,000.00 under tariff_mismatch alone, the sum the two rules said before (96,000.00 on
    the 400 kVA + 72,000.00 of capacity short). The small shop paid 12,000.00 a month where
    COM charges 8,000.00: nothing is under-billed, where capacity_underbilled "proved"
    ¥72,000.00 of a basic charge not due; basic_charge_error and order_not_applied's capacity
    order leave those bills too."""
    u = _shops_on_ind2(capacity_billed=200.0)
    for cid in ("big_shop", "small_shop"):
        u.order(cid, "capacity_increase", "2024-01-01", "200", "400")
    found = run(u, "tariff_mismatch", params=WHOLE_DATA).set_index("customer_id")["revenue_impact"]
    assert found.to_dict() == pytest.approx(
        {"big_shop": 12 * (80_000 - 60_000 - 6_000), "small_shop": 0.0}
    )
    assert run(u, "capacity_underbilled").empty
    orders = run(u, "order_not_applied").set_index("customer_id")
    assert orders["revenue_impact"].tolist() == [0.0, 0.0]  # still listed: the order is stale
    assert orders.loc["big_shop", "evidence"].endswith(
        "(¥0.00); no basic charge is due on 12 bills, a single-part tariff being due"
    )
    chinese = rules.evidence_text(orders.reset_index(), "zh").iat[0]
    assert "12 期账单不应收基本电费：应执行单一制电价" in chinese


def test_a_two_part_tariff_due_leaves_a_capacity_billed_short_to_capacity_underbilled():
    """Near miss: an industrial 1,000 kVA factory archived and billed on the commercial
    two-part COM2 (0.7 + 25 per kVA) where IND2 (0.6 + 30 per kVA), two-part too, is due,
    billed on 800 kVA. A basic charge is due: capacity_underbilled finds the 200 kVA short at
    COM2's 25, 5,000.00 a month, and tariff_mismatch nets what COM2 charges on the 1,000 kVA
    in force: (0.6 − 0.7) × 10,000 + (30 − 25) × 1,000 = 4,000.00 a month."""
    u = Utility()
    _com2_factory(u, "factory", "capacity")
    for bill in u.monthly("factory", flat(10_000), tariff="COM2", rate=0.7, capacity=800.0):
        bill["basic_charge"], bill["amount"] = 20_000.0, bill["energy_charge"] + 20_000.0
    data = _on_com2(u)
    tariff = rules.run(data, rules="tariff_mismatch", params=WHOLE_DATA)
    assert tariff["revenue_impact"].tolist() == pytest.approx([12 * 4_000.0])
    short = rules.run(data, rules="capacity_underbilled")
    assert short["revenue_impact"].tolist() == pytest.approx([12 * 200 * 25.0])


def test_tariff_mismatch_reads_no_refund_from_a_two_part_row_without_a_basic_rate():
    """IND2 (two-part) due, a 1,000 kVA factory billed on COM2 (0.7 + 25 per kVA). From July
    IND2's row (0.62) leaves its basic rates empty, as rows may: that says nothing of the basic
    charge due, which is not read as none (it would net the 25,000.00 billed each month off).
    January to June (0.6 − 0.7) × 10,000 + (30 − 25) × 1,000 = 4,000.00 a month, July to
    December (0.62 − 0.7) × 10,000 = −800.00: ¥19,200.00."""
    u = Utility()
    u.customer(
        "factory",
        usage_type="industrial",
        tariff_category="COM2",
        contract_capacity_kva=1000.0,
        basic_charge_basis="capacity",
    )
    for bill in u.monthly("factory", flat(10_000), tariff="COM2", rate=0.7, capacity=1000.0):
        bill["basic_charge"], bill["amount"] = 25_000.0, bill["energy_charge"] + 25_000.0
    tables = _on_com2(u).tables()
    tariffs = tables["tariffs"]
    ind2 = tariffs["tariff_category"] == "IND2"
    tariffs.loc[ind2, "valid_to"] = pd.Timestamp("2024-06-30")
    later = tariffs[ind2].assign(
        energy_rate=0.62,
        basic_rate_kva_month=np.nan,
        basic_rate_kw_month=np.nan,
        valid_from=pd.Timestamp("2024-07-01"),
        valid_to=pd.NaT,
    )
    tables["tariffs"] = pd.concat([tariffs, later], ignore_index=True)
    found = rules.run(Dataset.from_frames(tables), rules="tariff_mismatch", params=WHOLE_DATA)
    assert found["revenue_impact"].tolist() == pytest.approx([6 * 4_000 + 6 * -800])

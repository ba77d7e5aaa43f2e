"""billed_tariff_mismatch (计费电价与档案不符): bills on another tariff than the archive's in force,
priced where no other rule prices them, with the near misses that must not fire.

Monthly rates (rule_builder.TARIFFS): RES 0.5 to June 2024 then 0.6, COM 0.8, AGR 0.4, IND2
0.6 + 30 per kVA-month.
"""

from __future__ import annotations

import pandas as pd
import pytest
from itemized_builder import INDUSTRIAL, WITH_SINGLE_PART_IND, Itemized
from rule_builder import (
    COMMERCIAL,
    PERIODS,
    TWO_PART,
    TWO_PART_BY_CAPACITY,
    WHOLE_DATA,
    Utility,
    flat,
    run,
    with_ind1,
)

from auditkit import rules
from auditkit.data import Dataset

RULE = "billed_tariff_mismatch"
#: The rules whose bills it leaves, run beside it.
NEIGHBOURS = [RULE, "tariff_mismatch", "change_without_order", "order_not_applied"]


def _found(u: Utility, rule_ids: str | list[str] = RULE, **kwargs: object) -> pd.DataFrame:
    return run(u, rule_ids, **kwargs).set_index(["rule_id", "customer_id"])


def _chinese(found: pd.DataFrame, key: tuple[str, str]) -> str:
    return rules.evidence_text(found.loc[[key]].reset_index(), "zh").iat[0]


def test_a_shop_billed_on_the_household_tariff_since_its_first_bill_owes_the_difference():
    """Archive COM (0.8), every bill on RES: 6 × 100 × 0.3 + 6 × 100 × 0.2 = 300.00."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff="RES")
    found = _found(u)
    key = (RULE, "shop")
    assert found.loc[key, "revenue_impact"] == pytest.approx(300.00, abs=0.005)
    assert (found.loc[key, "period_from"], found.loc[key, "period_to"]) == ("2024-01", "2024-12")
    assert found.loc[key, "evidence"] == (
        "12 bills 2024-01..2024-12 billed on tariff RES, the archive's tariff in force (with its "
        "tariff-change orders) being COM; under-billed ¥300.00"
    )
    assert _chinese(found, key) == (
        "12 期账单（2024-01 至 2024-12）按电价类别 RES 计费，档案（含改类工单）在用电价类别为 COM"
        "；少计 300.00 元"
    )


def test_a_factory_billed_single_part_owes_the_basic_charge_of_its_archive():
    """Archive IND2 by capacity, 400 kVA, billed COM: each month 400 × 30 = 12 000.00 of basic
    charge due less 10 000 × (0.8 − 0.6) = 2 000.00 of energy billed beyond IND2's: 12 ×
    10 000.00 = 120 000.00. capacity_underbilled prices the capacity on the tariff billed (COM
    has no basic charge): nothing, so the yuan is counted once."""
    u = Utility()
    u.customer("factory", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
    u.monthly("factory", flat(10_000), tariff="COM", capacity=400.0)
    found = _found(u, [RULE, "capacity_underbilled"])
    assert list(found.index) == [(RULE, "factory")]
    assert found["revenue_impact"].iat[0] == pytest.approx(120_000.00, abs=0.005)


def test_bills_before_a_silent_correction_are_priced_and_the_correction_is_not():
    """RES January to June, COM (the archive's) from July with no order: the six RES bills owe
    6 × 100 × 0.3 = 180.00 here; change_without_order lists the correction at 0.00."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff=["RES"] * 6 + ["COM"] * 6)
    found = _found(u, NEIGHBOURS)
    assert found.loc[(RULE, "shop"), "revenue_impact"] == pytest.approx(180.00, abs=0.005)
    assert found.loc[(RULE, "shop"), "period_to"] == "2024-06"
    assert found.loc[("change_without_order", "shop"), "revenue_impact"] == 0


def test_a_silent_change_away_from_the_archive_is_left_to_change_without_order():
    """COM to June, RES from July with no order: change_without_order prices the six RES bills
    (6 × 100 × 0.2 = 120.00); this rule, alone or beside it, lists nothing."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff=["COM"] * 6 + ["RES"] * 6)
    assert run(u, RULE).empty
    found = _found(u, NEIGHBOURS)
    assert list(found.index) == [("change_without_order", "shop")]
    assert found["revenue_impact"].iat[0] == pytest.approx(120.00, abs=0.005)


def test_an_order_not_applied_is_left_to_order_not_applied():
    """RES→COM from May, billing kept RES: order_not_applied prices the eight bills (4 × 100
    × 0.3 + … = 180.00); the RES bills before May are on the tariff in force."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff="RES")
    u.order("shop", "tariff_change", "2024-05-01", "RES", "COM")
    assert run(u, RULE).empty
    found = _found(u, NEIGHBOURS)
    assert list(found.index) == [("order_not_applied", "shop")]
    assert found["revenue_impact"].iat[0] == pytest.approx(180.00, abs=0.005)


def test_a_tariff_no_order_names_is_priced_against_each_months_tariff_in_force():
    """RES→COM from May, billed AGR (0.4) all year: January to April RES 4 × 100 × 0.1 =
    40.00, May and June COM 2 × 100 × 0.4 = 80.00, July on 6 × 100 × 0.4 = 240.00: 360.00."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff="AGR")
    u.order("shop", "tariff_change", "2024-05-01", "RES", "COM")
    found = _found(u)
    key = (RULE, "shop")
    assert found.loc[key, "revenue_impact"] == pytest.approx(360.00, abs=0.005)
    assert found.loc[key, "evidence"] == (
        "12 bills 2024-01..2024-12 billed on tariff AGR, the archive's tariff in force (with its "
        "tariff-change orders) being RES, then COM once its tariff-change order took effect"
        "; under-billed ¥360.00"
    )
    assert "，改类工单生效后为 COM；少计 360.00 元" in _chinese(found, key)


def test_a_customer_billed_dearer_than_its_archive_is_listed_as_a_refund():
    """Archive AGR (0.4), billed COM (0.8): 12 × 100 × 0.4 = 480.00 over-billed, listed, not
    counted as revenue."""
    u = Utility()
    u.customer("farm", usage_type="agricultural", tariff_category="AGR")
    u.monthly("farm", flat(100), tariff="COM")
    found = _found(u)
    key = (RULE, "farm")
    assert found.loc[key, "revenue_impact"] == 0
    assert found.loc[key, "evidence"].endswith(
        "being AGR; over-billed ¥480.00 (to refund, not counted as revenue)"
    )
    assert _chinese(found, key).endswith("；多计 480.00 元（应退补，不计入涉及电费）")


def test_an_archive_on_the_wrong_tariff_leaves_its_bills_to_tariff_mismatch():
    """A shop archived on RES (not for its usage: COM is due) and billed AGR: tariff_mismatch
    prices the AGR bills against COM; this rule leaves them, alone or beside it."""
    u = Utility()
    u.customer("shop", usage_type="commercial", tariff_category="RES")
    u.monthly("shop", flat(100), tariff="AGR")
    assert run(u, RULE).empty
    found = _found(u, NEIGHBOURS, params=WHOLE_DATA)
    assert list(found.index) == [("tariff_mismatch", "shop")]
    assert found["revenue_impact"].iat[0] == pytest.approx(12 * 100 * 0.4, abs=0.005)


def test_a_silent_change_between_two_wrong_tariffs_is_split_with_change_without_order():
    """RES (off the archive's COM) January to June, AGR from July with no order. Due COM
    (0.8): 6 × 100 × 0.3 + 6 × 100 × 0.4 = 420.00. change_without_order counts the AGR bills
    against RES, the tariff before: 6 × 100 × 0.2 = 120.00; this rule the rest, 180.00 on the
    RES bills and 240.00 − 120.00 on the AGR ones: 300.00."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff=["RES"] * 6 + ["AGR"] * 6)
    alone = _found(u)
    assert alone["revenue_impact"].iat[0] == pytest.approx(300.00, abs=0.005)
    assert alone["evidence"].iat[0] == (
        "12 bills 2024-01..2024-12 billed on tariff RES, then on AGR, the archive's tariff in "
        "force (with its tariff-change orders) being COM; under-billed ¥300.00; "
        "change_without_order counts what the tariff before a change with no order charges more "
        "on 6 bills; only the rest is counted here"
    )
    both = _found(u, NEIGHBOURS)["revenue_impact"]
    assert both.to_dict() == pytest.approx(
        {(RULE, "shop"): 300.00, ("change_without_order", "shop"): 120.00}
    )


def test_a_silent_change_from_a_tariff_not_in_the_schedule_is_priced_here():
    """RES, RES, then one bill on XYZ (not in the schedule), then RES again with no order:
    change_without_order cannot price the RES bills against XYZ (0.00), so they are priced
    here against COM. Due 0.8: 2 × 100 × 0.3 + 4 × 100 × 0.3 + 6 × 100 × 0.2 = 300.00 less the
    XYZ bill (unlisted, not priced): 270.00."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff=["RES", "RES", "XYZ"] + ["RES"] * 9, rate=0.5)
    found = _found(u, NEIGHBOURS)["revenue_impact"]
    assert found[(RULE, "shop")] == pytest.approx(270.00, abs=0.005)
    assert found.drop((RULE, "shop")).sum() == 0


def test_a_multiplier_on_a_bill_off_the_archive_prices_the_kwh_left_out_at_the_tariff_in_force():
    """Archive COM (0.8), CT 10 billed at 5, billed RES: 100 kWh billed a month, 100 left out.
    This rule: 6 × 100 × 0.3 + 6 × 100 × 0.2 = 300.00 on the kWh billed; multiplier_mismatch
    the 1,200 kWh left out at COM's 0.8: 960.00 (the tariff in force, not RES's 660.00).
    Together 12 × 200 × 0.8 − (600 × 0.5 + 600 × 0.6) = 1,260.00."""
    u = Utility()
    u.customer("shop", **COMMERCIAL, ct_ratio=10.0)
    u.monthly("shop", flat(100), multiplier=5.0, tariff="RES")
    found = _found(u, [RULE, "multiplier_mismatch"])["revenue_impact"]
    assert found.to_dict() == pytest.approx(
        {(RULE, "shop"): 300.00, ("multiplier_mismatch", "shop"): 960.00}
    )


def test_a_capacity_short_on_a_tariff_dearer_per_kva_is_counted_once():
    """Archive IND1 (0.65 + 25 per kVA) at 400 kVA, billed IND2 (0.6 + 30) on 300 kVA, 10,000
    kWh a month: due 6,500.00 + 10,000.00, billed 6,000.00 + 9,000.00: 12 × 1,500.00 =
    18,000.00, counted here; capacity_underbilled's 100 kVA at IND2's 30 (36,000.00, twice the
    loss) is left to it, the finding listed at 0.00."""
    u = Utility()
    factory = TWO_PART | {"contract_capacity_kva": 400.0, "basic_charge_basis": "capacity"}
    u.customer("factory", **factory | {"tariff_category": "IND1"})
    u.monthly("factory", flat(10_000), multiplier=1000.0, tariff="IND2", capacity=300.0,
              basis="capacity")  # fmt: skip
    found = rules.run(with_ind1(u, itemized=False))
    money = found.set_index("rule_id")["revenue_impact"].to_dict()
    assert money == pytest.approx({RULE: 18_000.00, "capacity_underbilled": 0.0})
    assert (
        found.set_index("rule_id")
        .loc["capacity_underbilled", "evidence"]
        .endswith(
            "; 12 bills on another tariff than the archive's are recomputed whole under "
            "billed_tariff_mismatch, their capacity short included"
        )
    )


def test_an_order_issued_after_the_audit_month_rewinds_the_archive():
    """RES to September, COM (the archive's now) from an order effective October, issued in
    September: audited in August, the RES bills were on the tariff in force (nothing), though
    the order is not yet known then."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff=["RES"] * 9 + ["COM"] * 3)
    u.order("shop", "tariff_change", "2024-10-01", "RES", "COM", issued="2024-09-20")
    for as_of in ("2024-08", "2024-12"):
        assert run(u, NEIGHBOURS, as_of=as_of).empty, as_of


def test_an_archive_on_the_wrong_tariff_leaves_bills_on_the_tariff_due_alone():
    """A farm archived on COM (not for its usage: AGR is due), billed AGR: tariff_mismatch
    says the bills charged the tariff due; this rule does not price them against COM."""
    u = Utility()
    u.customer("farm", usage_type="agricultural", tariff_category="COM")
    u.monthly("farm", flat(100), tariff="AGR")
    found = _found(u, NEIGHBOURS)
    assert list(found.index) == [("tariff_mismatch", "farm")]
    assert found["revenue_impact"].iat[0] == 0


@pytest.mark.parametrize(
    "tariff_billed",
    [pytest.param("COM", id="on-the-archive"), pytest.param("XYZ", id="not-in-the-schedule")],
)
def test_near_misses_bills_on_the_archive_or_on_an_unlisted_tariff(tariff_billed: str):
    """Bills on the archive's tariff owe nothing; a tariff the schedule does not list cannot be
    priced (loading warns of it)."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff=tariff_billed, rate=0.8)
    assert run(u, RULE).empty


def test_an_itemized_factory_billed_single_part_is_priced_on_every_line():
    """A 400 kVA factory at 10 kV archived on IND2 (standard 0.90; 10 000 kWh, 6 000 kvarh a
    month: PF 0.86, +2.0 %), billed on IND (single-part, 0.65, funds 0.03) since its first
    bill. Due on IND2: 6 000.00 + 12 000.00 of basic charge + 360.00 of adjustment + 300.00 of
    funds = 18 660.00; billed 6 500.00 + 130.00 + 300.00 = 6 930.00. Two months: 2 × 11 730.00
    = 23 460.00, of which 2 × 230.00 = 460.00 of adjustment."""
    u = Itemized()
    u.customer("factory", **INDUSTRIAL, pf_standard=0.90)
    reactive = {"kvarh_import": 6000.0, "kvarh_export": 0.0}
    fund = ("fund", 10_000.0, 0.03)
    for period in ("2024-01", "2024-02"):
        lines = [("energy", 10_000.0, 0.65), ("pf_adjustment", 6500.0, 0.02), fund]
        u.bill("factory", period, 10_000, lines, tariff="IND", **reactive)
    tables = u.tables() | {"tariffs": WITH_SINGLE_PART_IND}
    found = rules.run(Dataset.from_frames(tables), rules=RULE, as_of="2024-02")
    assert found["revenue_impact"].iat[0] == pytest.approx(23_460.00, abs=0.005)
    assert (
        found["evidence"]
        .iat[0]
        .endswith(
            "being IND2; under-billed ¥23,460.00, of which ¥460.00 of power-factor adjustment"
        )
    )


def _factories(u: Utility) -> None:
    """test_change_of_use_rules' orders not applied, with no order: 400 kVA factories archived
    on IND2, 10,000 kWh a month, billed since their first bill on COM (`com`; `com_basic`
    charged 300 × 30 = 9,000.00 a month on it) or on IND1 at 300 kVA (`ind1`; `ind1_unrecorded`
    recording no capacity beside its 7,500.00), and a shop archived on COM billed IND2 on
    100,000 kWh."""
    factory = TWO_PART | {"contract_capacity_kva": 400.0, "basic_charge_basis": "capacity"}
    u.customer("com", **factory)
    u.monthly("com", flat(10_000), multiplier=1000.0, tariff="COM")
    u.customer("com_basic", **factory)
    u.monthly("com_basic", flat(10_000), multiplier=1000.0, tariff="COM", capacity=300.0,
              basis="capacity")  # fmt: skip
    for cid in ("ind1", "ind1_unrecorded"):
        u.customer(cid, **factory)
        for bill in u.monthly(cid, flat(10_000), multiplier=1000.0, tariff="IND1", rate=0.65,
                              capacity=300.0, basis="capacity"):  # fmt: skip
            bill["basic_charge"] = 300 * 25.0
            bill["amount"] = bill["energy_charge"] + bill["basic_charge"]
            if cid == "ind1_unrecorded":
                bill["capacity_billed_kva"] = None
    u.customer("shop", **(factory | COMMERCIAL))
    u.monthly("shop", flat(100_000), multiplier=1000.0, tariff="IND2", capacity=400.0,
              basis="capacity")  # fmt: skip


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_factories_billed_off_their_archive_owe_what_an_order_not_applied_owes(itemized: bool):
    """The figures order_not_applied gives the same bills after an order (test_change_of_use_
    rules): `com` 12 × (18,000.00 − 8,000.00) = ¥120,000.00; `com_basic` its 9,000.00 netted,
    12 × 1,000.00; `ind1` due 18,000.00, billed 6,500.00 + 7,500.00: 12 × 4,000.00 =
    ¥48,000.00, the 100 kVA billed short included (capacity_underbilled, which would price
    them at IND1's 25, leaves them: listed at 0.00), and `ind1_unrecorded` alike; `shop` 12 × (80,000.00 − 72,000.00) = ¥96,000.00, its basic
    charge netted. Each yuan once, on monthly and itemized bills alike."""
    u = Utility()
    _factories(u)
    found = rules.run(with_ind1(u, itemized))
    money = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert money == pytest.approx(
        {
            ("com", RULE): 120_000.0,
            ("com_basic", RULE): 12_000.0,
            ("ind1", RULE): 48_000.0,
            ("ind1", "capacity_underbilled"): 0.0,
            ("ind1_unrecorded", RULE): 48_000.0,
            ("ind1_unrecorded", "capacity_underbilled"): 0.0,
            ("shop", RULE): 96_000.0,
        }
    )


@pytest.mark.parametrize("rule_id", [RULE, "tariff_mismatch"])
def test_a_tariff_without_a_fund_rate_collects_no_funds_on_monthly_bills(rule_id: str):
    """A shop due COM (0.8, funds 0.03) billed AGR (0.4, no fund rate in the schedule) on 100
    kWh a month: 12 × 100 × (0.4 + 0.03) = 516.00 (480.00 when the missing rate made the fund
    difference unknown), archived on COM (this rule) or on AGR (tariff_mismatch)."""
    u = Utility()
    u.customer("shop", usage_type="commercial", tariff_category="COM" if rule_id == RULE else "AGR")
    u.monthly("shop", flat(100), tariff="AGR")
    tables = u.tables()
    tables["tariffs"]["fund_rate"] = [None, None, 0.03, None, None]
    found = rules.run(Dataset.from_frames(tables), rules=rule_id, params=WHOLE_DATA)
    assert found["revenue_impact"].iat[0] == pytest.approx(516.00, abs=0.005)


def test_an_order_naming_a_bill_in_a_silent_run_leaves_it_to_order_not_applied():
    """AGR January to March (RES in force, before an order RES→COM from July), RES from April
    with no order near: the AGR bills owe 3 × 100 × 0.1 = 30.00 here; from July the RES bills
    are the order's, not applied: 6 × 100 × 0.2 = 120.00 under order_not_applied, not here too."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff=["AGR"] * 3 + ["RES"] * 9)
    u.order("shop", "tariff_change", "2024-07-01", "RES", "COM")
    money = _found(u, NEIGHBOURS)["revenue_impact"].to_dict()
    assert money == pytest.approx(
        {
            (RULE, "shop"): 30.00,
            ("order_not_applied", "shop"): 120.00,
            ("change_without_order", "shop"): 0.00,
        }
    )


def test_a_month_the_schedule_cannot_price_leaves_the_capacity_short_to_its_rule():
    """Archive IND3 (priced from July only), billed IND2 on 300 of 400 kVA: January to June
    nothing prices the tariff, so capacity_underbilled keeps the 100 kVA short at IND2's 30
    (6 × 3,000.00); from July the bills are this rule's, the capacity included: due 6,000.00 +
    12,000.00, billed 6,000.00 + 9,000.00, 6 × 3,000.00."""
    ind3 = {"tariff_category": "IND3", "usage_type": "industrial", "energy_rate": 0.6,
            "basic_rate_kva_month": 30.0, "basic_rate_kw_month": 40.0,
            "valid_from": pd.Timestamp("2024-07-01"), "valid_to": pd.NaT}  # fmt: skip
    u = Utility()
    factory = TWO_PART | {"contract_capacity_kva": 400.0, "basic_charge_basis": "capacity"}
    u.customer("factory", **factory | {"tariff_category": "IND3"})
    u.monthly("factory", flat(10_000), multiplier=1000.0, tariff="IND2", capacity=300.0,
              basis="capacity")  # fmt: skip
    tables = u.tables()
    tables["tariffs"] = pd.concat([tables["tariffs"], pd.DataFrame([ind3])], ignore_index=True)
    found = rules.run(Dataset.from_frames(tables), rules=[RULE, "capacity_underbilled"])
    money = found.set_index("rule_id")["revenue_impact"].to_dict()
    assert money == pytest.approx({RULE: 18_000.00, "capacity_underbilled": 18_000.00})


def test_funds_of_a_tariff_not_in_force_that_month_stay_unknown():
    """Bills on OLD, a tariff whose rows ended in 2023, at COM's 0.80: the schedule prices
    neither its energy nor its funds in 2024, so no rule counts COM's funds as unbilled."""
    old = {"tariff_category": "OLD", "usage_type": "commercial", "energy_rate": 0.7,
           "fund_rate": 0.01, "valid_from": pd.Timestamp("2018-01-01"),
           "valid_to": pd.Timestamp("2023-12-31")}  # fmt: skip
    u = Utility()
    u.customer("tm", usage_type="commercial", tariff_category="RES")
    u.monthly("tm", flat(100), tariff="OLD", rate=0.8)
    u.customer("btm", **COMMERCIAL)
    u.monthly("btm", flat(100), tariff="OLD", rate=0.8, periods=PERIODS[:6])
    u.customer("cwo", **COMMERCIAL)
    u.monthly("cwo", flat(100), tariff=["COM"] * 6 + ["OLD"] * 6, rate=0.8)
    tables = u.tables()
    tables["tariffs"]["fund_rate"] = [0.02, 0.02, 0.03, 0.03, None]
    tables["tariffs"] = pd.concat([tables["tariffs"], pd.DataFrame([old])], ignore_index=True)
    found = rules.run(Dataset.from_frames(tables), rules=NEIGHBOURS)
    assert found["revenue_impact"].sum() == 0


def test_kwh_a_silent_multiplier_left_out_of_a_bill_off_the_archive_are_due_at_the_archives_tariff():
    """Archive COM (0.8): 200 kWh a month billed on RES at multiplier 10 to June, then 100 on
    AGR at 5 (both silent). Due 12 × 200 × 0.8 = 1,920.00, billed 6 × 200 × 0.5 + 6 × 100 ×
    0.4 = 840.00: 1,080.00, of which the 600 kWh left out at COM's 0.80 (480.00), not RES's."""
    u = Utility()
    u.customer("shop", **COMMERCIAL, ct_ratio=5.0)
    u.monthly("shop", flat(200, 6), multiplier=10.0, tariff="RES", periods=PERIODS[:6])
    u.monthly("shop", flat(100, 6), multiplier=5.0, tariff="AGR", periods=PERIODS[6:],
              start_register=1120)  # fmt: skip
    found = _found(u, [*NEIGHBOURS, "multiplier_mismatch"])
    assert found["revenue_impact"].sum() == pytest.approx(1080.00, abs=0.005)


def test_a_silent_run_partly_unpriced_counts_only_what_change_without_order_counts_on_the_rest():
    """Archive NEW (1.0, in the schedule from July only), COM to March, AGR (0.4) from April
    with no order: change_without_order counts 9 × 100 × (0.8 − 0.4) = 360.00; July to
    December are priced here against NEW, 6 × 100 × 0.6 = 360.00 less the 240.00 that
    change_without_order counts on them: 120.00 (480.00 in all, April to June on NEW being
    unpriced)."""
    new = {"tariff_category": "NEW", "usage_type": "commercial", "energy_rate": 1.0,
           "valid_from": pd.Timestamp("2024-07-01"), "valid_to": pd.NaT}  # fmt: skip
    u = Utility()
    u.customer("shop", usage_type="commercial", tariff_category="NEW")
    u.monthly("shop", flat(100), tariff=["COM"] * 3 + ["AGR"] * 9)
    tables = u.tables()
    tables["tariffs"] = pd.concat([tables["tariffs"], pd.DataFrame([new])], ignore_index=True)
    found = rules.run(Dataset.from_frames(tables), rules=NEIGHBOURS)
    money = found.set_index("rule_id")["revenue_impact"].to_dict()
    assert money == pytest.approx({RULE: 120.00, "change_without_order": 360.00})


def test_a_silent_change_to_the_old_tariff_of_an_order_not_applied_is_counted_once():
    """COM to March, RES from April with no order near; an order RES → COM from July, not
    applied. RES was in force to June (the order's old tariff): April to June lost nothing, and
    change_without_order leaves July to December to order_not_applied, 6 × 100 × (0.8 − 0.6) =
    120.00 (it counted them too, and April to June against COM: 210.00 + 120.00). The COM bills
    of January to March, on the order's new tariff six months before it took effect (no
    posting lag), are this rule's: over-billed 3 × 100 × 0.3 = 90.00, listed at 0.00."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff=["COM"] * 3 + ["RES"] * 9)
    u.order("shop", "tariff_change", "2024-07-01", "RES", "COM")
    found = _found(u, NEIGHBOURS)
    money = found["revenue_impact"].to_dict()
    assert money == pytest.approx(
        {
            ("change_without_order", "shop"): 0.00,
            ("order_not_applied", "shop"): 120.00,
            (RULE, "shop"): 0.0,
        }
    )
    assert "over-billed ¥90.00" in found.loc[(RULE, "shop"), "evidence"]
    assert found.loc[("change_without_order", "shop"), "evidence"].endswith(
        "; the tariff difference of 6 bills is counted under order_not_applied, billed on the "
        "old tariff after a tariff-change order took effect)"
    )


def test_a_capacity_short_it_recomputes_is_named_as_its_in_the_change_rules_evidence():
    """Archive IND1 at 400 kVA, billed IND2 (no order names it). `order`: a capacity order
    300 → 400 from July never applied, billed 300 all year: here January to June IND1 on 300
    less IND2 on 300 (−1,000.00 each), July on IND1 on 400 less IND2 on 300 (+1,500.00 each):
    ¥3,000.00. `silent`: billed 400 to June, 300 from July with no order: −1,500.00 then
    +1,500.00, ¥0.00. The order rules list the change at 0.00 and name this rule, not
    capacity_underbilled (which leaves the bills here too)."""
    u = Utility()
    factory = TWO_PART | {"contract_capacity_kva": 400.0, "basic_charge_basis": "capacity"}
    for cid in ("order", "silent"):
        u.customer(cid, **factory | {"tariff_category": "IND1"})
    u.monthly("order", flat(10_000), multiplier=1000.0, tariff="IND2", capacity=300.0,
              basis="capacity")  # fmt: skip
    u.order("order", "capacity_increase", "2024-07-01", 300.0, 400.0)
    u.monthly("silent", flat(10_000), multiplier=1000.0, tariff="IND2",
              capacity=[400.0] * 6 + [300.0] * 6, basis="capacity")  # fmt: skip
    found = rules.run(with_ind1(u, itemized=False)).set_index(["rule_id", "customer_id"])
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {
            (RULE, "order"): 3_000.0,
            (RULE, "silent"): 0.0,
            ("order_not_applied", "order"): 0.0,
            ("change_without_order", "silent"): 0.0,
            ("capacity_underbilled", "order"): 0.0,
            ("capacity_underbilled", "silent"): 0.0,
        }
    )
    recomputed_here = (
        "6 bills on another tariff than the archive's are recomputed whole under "
        "billed_tariff_mismatch, their capacity short included"
    )
    assert found.loc[("order_not_applied", "order"), "evidence"].endswith(
        "(¥0.00); " + recomputed_here
    )
    assert found.loc[("change_without_order", "silent"), "evidence"].endswith(
        "(¥0.00 under-billed since; " + recomputed_here + ")"
    )


def test_the_evidence_names_every_tariff_billed_and_in_force_in_order():
    """`back`: RES, AGR, then RES again under a COM archive, with no order: all three runs
    named, not "RES" alone. `twice`: billed AGR under two orders RES→COM (May) and COM→IND2
    (September): the archive's tariffs in force in order."""
    u = Utility()
    u.customer("back", **COMMERCIAL)
    u.monthly("back", flat(100), tariff=["RES"] * 4 + ["AGR"] * 4 + ["RES"] * 4)
    u.customer("twice", **COMMERCIAL)
    u.monthly("twice", flat(100), tariff="AGR")
    u.order("twice", "tariff_change", "2024-05-01", "RES", "COM")
    u.order("twice", "tariff_change", "2024-09-01", "COM", "IND2")
    found = _found(u)
    assert found.loc[(RULE, "back"), "evidence"].startswith(
        "12 bills 2024-01..2024-12 billed on tariff RES, then on AGR→RES, the archive's tariff "
        "in force (with its tariff-change orders) being COM;"
    )
    assert found.loc[(RULE, "twice"), "evidence"].startswith(
        "12 bills 2024-01..2024-12 billed on tariff AGR, the archive's tariff in force (with its "
        "tariff-change orders) being RES, then COM→IND2 once its tariff-change order took effect;"
    )
    assert _chinese(found, (RULE, "back")).startswith(
        "12 期账单（2024-01 至 2024-12）按电价类别 RES、后改按 AGR→RES 计费，档案（含改类工单）在用电价类别为 COM；"
    )


def test_an_order_applied_early_is_priced_here_and_a_posting_lag_is_not():
    """Orders COM→RES from July. `early`: billed RES all year, the archive's history COM to
    June: billing moved six months early, 6 × 100 × 0.3 = 180.00 here. `lag`: COM to May, RES
    from June: moved one month early, within change_without_order's window: nothing. `chain`:
    RES→COM from April, COM→AGR from October, billed AGR from April: April to September on the
    later order's tariff where COM was due, 6 × 100 × 0.4 = 240.00 (each once nobody's)."""
    u = Utility()
    for cid, tariffs in (("early", ["RES"] * 12), ("lag", ["COM"] * 5 + ["RES"] * 7)):
        u.customer(cid, tariff_category="RES")
        u.monthly(cid, flat(100), tariff=tariffs)
        u.order(cid, "tariff_change", "2024-07-01", "COM", "RES")
    u.customer("chain", tariff_category="AGR", usage_type="agricultural")
    u.monthly("chain", flat(100), tariff=["RES"] * 3 + ["AGR"] * 9)
    u.order("chain", "tariff_change", "2024-04-01", "RES", "COM")
    u.order("chain", "tariff_change", "2024-10-01", "COM", "AGR")
    found = _found(u, NEIGHBOURS)
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {(RULE, "early"): 180.0, (RULE, "chain"): 240.0}
    )
    assert (found.loc[(RULE, "early"), "period_from"], found.loc[(RULE, "early"), "period_to"]) == (
        "2024-01",
        "2024-06",
    )


def test_a_silent_change_off_the_archive_counts_at_most_the_difference_to_the_tariff_in_force():
    """`home`: archive RES, an order COM→RES from September; billed COM to March, AGR from
    April with no order: April to August lost 5 × 100 × (0.8 − 0.4) = 200.00, September on
    only RES's 4 × 100 × (0.6 − 0.4) = 80.00: 280.00 (COM's 360.00 before). `farm`: archived
    on AGR, billed COM (dearer) to June, then RES (cheaper than COM, dearer than AGR): every
    bill over-billed, nothing lost (change_without_order counted COM's 6 × 20.00)."""
    u = Utility()
    u.customer("home", tariff_category="RES")
    u.monthly("home", flat(100), tariff=["COM"] * 3 + ["AGR"] * 9)
    u.order("home", "tariff_change", "2024-09-01", "COM", "RES")
    u.customer("farm", usage_type="agricultural", tariff_category="AGR")
    u.monthly("farm", flat(100), tariff=["COM"] * 6 + ["RES"] * 6)
    found = _found(u, NEIGHBOURS)
    per_customer = found.groupby(level="customer_id")["revenue_impact"].sum().to_dict()
    assert per_customer == pytest.approx({"home": 280.0, "farm": 0.0})


def test_an_order_issued_after_the_audit_month_but_backdated_leaves_its_bills_here():
    """RES→COM effective July, issued 10 September, billing on RES: audited in August the order
    is not known to order_not_applied, yet the archive's history has COM from July: July and
    August are this rule's, 2 × 100 × 0.2 = 40.00; audited in December they are the order's
    (6 × 20.00 = 120.00) and nothing is left here."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff="RES")
    u.order("shop", "tariff_change", "2024-07-01", "RES", "COM", issued="2024-09-10")
    august = run(u, NEIGHBOURS, as_of="2024-08").set_index("rule_id")["revenue_impact"]
    assert august.to_dict() == pytest.approx({RULE: 40.0})
    december = run(u, NEIGHBOURS).set_index("rule_id")["revenue_impact"]
    assert december.to_dict() == pytest.approx({"order_not_applied": 120.0})

"""pf_standard_mismatch: the archive's power-factor standard against the customer's class,
supply voltage and capacity (水电财字〔1983〕215号), priced on the bills' power factors."""

from __future__ import annotations

import pandas as pd
import pytest
from rule_builder import TWO_PART_BY_CAPACITY, Utility, flat

from auditkit import rules

#: 400 kVA at 10 kV: 100 000 kWh × 0.60 = 60 000.00 and 400 × 30 = 12 000.00 a month.
INDUSTRIAL_400 = TWO_PART_BY_CAPACITY | {"contract_capacity_kva": 400.0}


def utility_with(standards: dict[str, float | None], power_factors: dict[str, float]) -> Utility:
    """The customers' `pf_standard` and their bills' `power_factor` set after building."""
    u = Utility()
    u.customer("lax", **INDUSTRIAL_400)  # held to 0.90, recorded 0.85
    u.monthly("lax", flat(100_000), tariff="IND2", basis="capacity", capacity=400.0)
    u.customer("oltc", **INDUSTRIAL_400 | {"usage_type": "commercial"})  # 0.90 where 0.85 is due
    u.monthly("oltc", flat(100_000), tariff="IND2", basis="capacity", capacity=400.0)
    u.customer("small", **INDUSTRIAL_400 | {"contract_capacity_kva": 125.0})  # 0.85, rightly
    u.monthly("small", flat(30_000), tariff="IND2")
    u.customer("low_side", **INDUSTRIAL_400 | {"voltage_kv": 0.4, "pt_ratio": 1.0})  # 0.85
    u.monthly("low_side", flat(30_000), tariff="IND2")
    u.customer(
        "pump", usage_type="agricultural", tariff_category="AGR", contract_capacity_kva=100.0
    )
    u.monthly("pump", flat(5_000), tariff="AGR")  # 0.80 due, none recorded, no power factor
    u.customer("home", contract_capacity_kva=120.0)  # a household is held to none
    u.monthly("home", flat(800))
    u.customer("closed", **INDUSTRIAL_400 | {"status": "closed"})
    u.monthly("closed", flat(100_000), tariff="IND2", basis="capacity", capacity=400.0)
    for row in u.customers:
        row["pf_standard"] = standards.get(row["customer_id"])
    for row in u.bills:
        row["power_factor"] = power_factors.get(row["customer_id"])
    return u


@pytest.fixture(scope="module")
def found() -> pd.DataFrame:
    standards = {"lax": 0.85, "oltc": 0.90, "small": 0.85, "low_side": 0.85, "closed": 0.85}
    power_factors = {name: 0.86 for name in ("lax", "oltc", "small", "low_side", "closed")}
    u = utility_with(standards, power_factors)
    return rules.run(u.dataset(), rules="pf_standard_mismatch", as_of="2024-12").set_index(
        "customer_id"
    )


def test_a_laxer_standard_is_priced_by_the_two_tables_on_the_bills_power_factor(found):
    # PF 0.86: the 0.90 table +0.5 × (90 − 86) = +2.0 %, the 0.85 table −0.10 × (86 − 85) =
    # −0.1 %: 2.1 % of 72 000.00 = 1 512.00 a month, 12 months 18 144.00.
    row = found.loc["lax"]
    assert row["revenue_impact"] == pytest.approx(18_144.00, abs=0.005)
    assert (row["period_from"], row["period_to"]) == ("2024-01", "2024-12")
    assert row["evidence"] == (
        "industrial customer supplied at 10.0 kV with 400 kVA is held to the power-factor "
        "standard 0.90; the archive records 0.85; 12 bills of 2024-01..2024-12 adjusted under "
        "the standard recorded, ¥18,144.00 under-billed against the standard due (last power "
        "factor 0.86)"
    )


def test_a_standard_due_but_none_recorded_is_found_even_without_power_factors(found):
    row = found.loc["pump"]
    assert row["revenue_impact"] == 0.0
    assert "held to the power-factor standard 0.80; the archive records none" in row["evidence"]
    assert row["evidence"].endswith(
        "the bills give no power factor or reactive energy, or no basic charge, to price it"
    )
    zh = rules.evidence_text(found.loc[["pump"]].reset_index(), "zh").iat[0]
    assert "应执行功率因数考核标准 0.80，档案为未设考核标准" in zh


def test_a_stricter_standard_the_right_one_a_household_and_a_closed_account_are_left_alone(found):
    assert sorted(found.index) == ["lax", "pump"]


def test_the_power_factor_comes_from_the_registers_when_the_bill_gives_none():
    # 100 000 kWh and 60 000 kvarh: PF = 100 000 / √(100 000² + 60 000²) = 0.857… → 0.86.
    u = utility_with({"lax": 0.85}, {})
    for row in u.bills:
        if row["customer_id"] == "lax":
            row["kvarh_import"] = 60_000.0
    found = rules.run(u.dataset(), rules="pf_standard_mismatch", as_of="2024-12")
    lax = found.set_index("customer_id").loc["lax"]
    assert lax["revenue_impact"] == pytest.approx(18_144.00, abs=0.005)


def test_bills_before_a_capacity_increase_are_judged_on_the_capacity_then():
    # 125 kVA until June (0.85 due, rightly recorded), 160 kVA from July 2024: 0.90 due from then.
    # Six bills priced: 2.1 % of 72 000.00 (the bills' basic charge stays on 400 kVA) each.
    u = utility_with({"lax": 0.85}, {"lax": 0.86})
    u.customers[0]["contract_capacity_kva"] = 160.0
    u.order("lax", "capacity_increase", "2024-07-01", old=125.0, new=160.0)
    found = rules.run(u.dataset(), rules="pf_standard_mismatch", as_of="2024-12")
    lax = found.set_index("customer_id").loc["lax"]
    assert lax["revenue_impact"] == pytest.approx(6 * 1_512.00, abs=0.005)
    assert (lax["period_from"], lax["period_to"]) == ("2024-07", "2024-12")


def test_a_capacity_increase_after_the_last_bill_is_found_without_money_and_says_why():
    # 125 kVA (0.85, rightly recorded) on every bill; 160 kVA from 2025-01, after the data.
    u = utility_with({"lax": 0.85}, {"lax": 0.86})
    u.customers[0]["contract_capacity_kva"] = 160.0
    u.order("lax", "capacity_increase", "2025-01-01", old=125.0, new=160.0)
    found = rules.run(u.dataset(), rules="pf_standard_mismatch", as_of="2024-12")
    lax = found.set_index("customer_id").loc["lax"]
    assert lax["revenue_impact"] == 0.0
    assert lax["evidence"].endswith(
        "no bill yet at the capacity now in force: nothing under-billed"
    )

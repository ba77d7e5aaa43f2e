"""multiplier_mismatch on itemized bills: the money a wrong multiplier leaves out is the
recomputed bill's, line by line (periods, tiers, funds, the demand charge and the power factor
read through the same multiplier), by hand to the fen; and the near misses that must not fire.

Rates (this module's schedule): TOU peak 1.00, flat 0.60, valley 0.30, funds 0.03; RES tiers
0.4883 / 0.5383 / 0.7883 on 0-2160 / 2160-4200 / above kWh a year, the shared-meter row 0.50 with
funds 0.02; IND 0.60 yuan/kWh, 40 yuan per kW-month, funds 0.03; COM 0.80.
"""

from __future__ import annotations

import pandas as pd
import pytest
from itemized_builder import Itemized, fen

from auditkit import rules
from auditkit.data import Dataset


def _row(category: str, usage: str, rate: float, **more: object) -> dict:
    return {
        "tariff_category": category,
        "usage_type": usage,
        "energy_rate": rate,
        "valid_from": pd.Timestamp("2018-01-01"),
        **more,
    }


TARIFFS = pd.DataFrame(
    [
        _row("TOU", "industrial", 1.00, tou_period="peak"),
        _row("TOU", "industrial", 0.60, tou_period="flat", fund_rate=0.03),
        _row("TOU", "industrial", 0.30, tou_period="valley"),
        _row("RES", "residential", 0.4883, tier=1, tier_from_kwh=0, tier_to_kwh=2160),
        _row("RES", "residential", 0.5383, tier=2, tier_from_kwh=2160, tier_to_kwh=4200),
        _row("RES", "residential", 0.7883, tier=3, tier_from_kwh=4200),
        _row("RES", "residential", 0.50, fund_rate=0.02),
        _row("IND", "industrial", 0.60, basic_rate_kw_month=40.0, fund_rate=0.03),
        _row("COM", "commercial", 0.80),
    ]
)
MONTHS = ("2024-01", "2024-02", "2024-03")
#: Archive of a 10 kV demand-basis customer metered through CT 40 × PT 100 = 4000, PF 0.90.
DEMAND = {
    "usage_type": "industrial",
    "tariff_category": "IND",
    "voltage_kv": 10.0,
    "contract_capacity_kva": 1000.0,
    "contract_demand_kw": 700.0,
    "basic_charge_basis": "demand",
    "ct_ratio": 40.0,
    "pt_ratio": 100.0,
    "pf_standard": 0.90,
}


def _run(u: Itemized, rule_ids: str | list[str]) -> pd.DataFrame:
    dataset = Dataset.from_frames({**u.tables(), "tariffs": TARIFFS.copy()})
    return rules.run(dataset, rules=rule_ids).set_index("customer_id")


def _tiers(low: float, high: float) -> list[tuple]:
    """The tier lines of the year's kWh from `low` to `high`."""
    bands = ((1, 0, 2160, 0.4883), (2, 2160, 4200, 0.5383), (3, 4200, float("inf"), 0.7883))
    lines = []
    for tier, start, end, rate in bands:
        kwh = max(0.0, min(high, end) - max(low, start))
        if kwh:
            lines.append(("energy", kwh, rate, None, tier))
    return lines


def _md_bill(u: Itemized, customer_id: str, period: str, multiplier: float) -> None:
    """A month of 200 000 kWh, 600 kW and 120 000 kvarh drawn, read at `multiplier` (the
    archive's 4000, or 2000: half of each)."""
    share = multiplier / 4000
    kwh, demand, kvarh = 200_000 * share, 600 * share, 120_000 * share
    billed_kw = max(demand, 400.0)  # the 40 % floor of 1000 kVA
    base = kwh * 0.60 + billed_kw * 40.0
    lines = [
        ("energy", kwh, 0.60),
        ("basic", billed_kw, 40.0),
        ("pf_adjustment", base, 0.02),  # PF 0.86 either way: +2 %
        ("fund", kwh, 0.03),
    ]
    u.bill(customer_id, period, kwh, lines, tariff="IND", multiplier=multiplier,
           max_demand_kw=demand, kvarh_import=kvarh, kvarh_export=0.0)  # fmt: skip


def test_a_time_of_use_bill_at_half_its_multiplier_is_short_its_period_energy_and_funds():
    # Archive CT 40, billed 20: 10 000 kWh a month billed (peak 5 000, flat 2 000, valley 3 000),
    # 20 000 due. Each month: peak 5 000 × 1.00 + flat 2 000 × 0.60 + valley 3 000 × 0.30
    # = 7 100.00, funds 10 000 × 0.03 = 300.00: 3 × 7 400.00 = 22 200.00 (the flat rate alone
    # gave 30 000 × 0.60 = 18 000.00).
    u = Itemized()
    u.customer("M1", usage_type="industrial", tariff_category="TOU", tou=True, ct_ratio=40.0)
    lines = [
        ("energy", 5000.0, 1.00, "peak"),
        ("energy", 2000.0, 0.60, "flat"),
        ("energy", 3000.0, 0.30, "valley"),
        ("fund", 10_000.0, 0.03),
    ]
    for period in MONTHS:
        u.bill("M1", period, 10_000, lines, tariff="TOU", multiplier=20.0,
               kwh_peak=5000.0, kwh_valley=3000.0)  # fmt: skip
    found = _run(u, "multiplier_mismatch")
    assert found.loc["M1", "revenue_impact"] == 22_200.00
    assert found.loc["M1", "revenue_kind"] == "proved"
    assert found.loc["M1", "evidence"] == (
        "3 bills 2024-01..2024-03 used multiplier 20.00 where the archive has CT 40.00 × PT 1.00 "
        "= 40.00: 30,000 kWh not billed; recomputed at the multiplier due: energy ¥21,300.00, "
        "funds ¥900.00 (¥22,200.00)"
    )
    zh = rules.evidence_text(found.loc[["M1"]].reset_index(), "zh").iat[0]
    assert zh.endswith(
        "少计电量 30,000 千瓦时；按应收倍率重算：电度电费 21,300.00 元，基金及附加 900.00 元（涉及电费 22,200.00 元）"
    )


def test_a_tiered_household_at_half_its_multiplier_is_short_its_tiers_and_funds():
    # Archive CT 2, billed 1: 1 500 kWh a month billed, 3 000 due, on the year's tiers.
    # Due: Jan 2 160 × 0.4883 = 1 054.73 + 840 × 0.5383 = 452.17; Feb 1 200 × 0.5383 = 645.96
    # + 1 800 × 0.7883 = 1 418.94; Mar 3 000 × 0.7883 = 2 364.90: 5 936.70, funds 9 000 × 0.02.
    # Billed: Jan 1 500 × 0.4883 = 732.45; Feb 660 × 0.4883 = 322.28 + 840 × 0.5383 = 452.17;
    # Mar 1 200 × 0.5383 = 645.96 + 300 × 0.7883 = 236.49: 2 389.35, funds 4 500 × 0.02.
    # Short: 3 547.35 + 90.00 = 3 637.35 (the shared-meter row gave 4 500 × 0.50 = 2 250.00).
    u = Itemized()
    u.customer("M2", usage_type="residential", tariff_category="RES", voltage_kv=0.22,
               tier_scheme="single", ct_ratio=2.0)  # fmt: skip
    for month, period in enumerate(MONTHS):
        lines = [*_tiers(1500 * month, 1500 * (month + 1)), ("fund", 1500.0, 0.02)]
        u.bill("M2", period, 1500, lines, tariff="RES")
    due = sum(
        fen(kwh * rate)
        for low, high in ((0, 3000), (3000, 6000), (6000, 9000))
        for _, kwh, rate, *_ in _tiers(low, high)
    )
    assert due == pytest.approx(5936.70)
    found = _run(u, "multiplier_mismatch")
    assert found.loc["M2", "revenue_impact"] == 3637.35
    assert found.loc["M2", "evidence"].endswith(
        "4,500 kWh not billed; recomputed at the multiplier due: energy ¥3,547.35, funds ¥90.00 "
        "(¥3,637.35)"
    )


def test_a_demand_customer_at_half_its_multiplier_is_short_its_demand_charge_and_pf():
    # Archive CT 40 × PT 100 = 4000, billed 2000: 100 000 kWh, 300 kW, 60 000 kvarh billed.
    # Billed: 60 000.00 + 400 kW (the 40 % floor) × 40 = 16 000.00 + PF 0.86 → +2 % of
    # 76 000.00 = 1 520.00 + funds 3 000.00. Due: 120 000.00 + 600 kW × 40 = 24 000.00 + 2 % of
    # 144 000.00 = 2 880.00 + funds 6 000.00. Short: 60 000.00 + 8 000.00 + 1 360.00 + 3 000.00
    # = 72 360.00 (doubling the basic charge gave 16 000.00, past the floor).
    u = Itemized()
    u.customer("MD", **DEMAND)
    _md_bill(u, "MD", "2024-05", 2000.0)
    found = _run(u, ["multiplier_mismatch", "basic_charge_error", "pf_adjustment_error"])
    assert found.index.tolist() == ["MD"]  # the line rules leave the bill to the multiplier
    assert found.loc["MD", "revenue_impact"] == 72_360.00
    assert found.loc["MD", "evidence"].endswith(
        "100,000 kWh not billed; recomputed at the multiplier due: energy ¥60,000.00, funds "
        "¥3,000.00, basic charge ¥8,000.00, power-factor adjustment ¥1,360.00 (¥72,360.00)"
    )


def test_a_multiplier_changed_by_its_meter_replacement_order_does_not_fire():
    # CT 20 → 40 (multiplier 2000 → 4000) from 2024-05-01 with its order: April at 2000, May at
    # 4000 are both as due, and nothing rescaled leaves a basic, PF or fund line short.
    u = Itemized()
    u.customer("R", **DEMAND)
    _md_bill(u, "R", "2024-04", 2000.0)
    _md_bill(u, "R", "2024-05", 4000.0)
    u.orders.append(
        {
            "order_id": "WO1",
            "customer_id": "R",
            "order_type": "meter_replacement",
            "issued_at": pd.Timestamp("2024-04-20"),
            "effective_date": pd.Timestamp("2024-05-01"),
            "old_value": "2000",
            "new_value": "4000",
        }
    )
    rule_ids = ["multiplier_mismatch", "basic_charge_error", "pf_adjustment_error",
                "fund_charge_error", "rate_mismatch"]  # fmt: skip
    assert _run(u, rule_ids).empty


def test_a_rate_off_the_schedule_stays_rate_mismatchs_on_a_recomputed_bill():
    # Archive CT 40, billed 20 at 0.50 where 0.80 is due: 100 kWh billed, 200 due each month.
    # The multiplier's: 100 kWh × 0.80 = 80.00; the rate's: 100 × 0.30 = 30.00; together the
    # bill's 200 × 0.80 − 100 × 0.50 = 110.00.
    u = Itemized()
    u.customer("A", ct_ratio=40.0)
    for period in MONTHS:
        u.bill("A", period, 100, [("energy", 100.0, 0.50)], multiplier=20.0)
    found = _run(u, ["multiplier_mismatch", "rate_mismatch"]).set_index("rule_id")
    assert found.loc["multiplier_mismatch", "revenue_impact"] == 3 * 80.00
    assert found.loc["rate_mismatch", "revenue_impact"] == 3 * 30.00


def test_a_capacity_billed_short_beside_a_wrong_multiplier_is_counted_once():
    """400 kVA by capacity billed on 200 kVA, multiplier 20 where 40 is due, 10 000 kWh billed a
    month at IND2 0.60 + funds 0.03, three months: the multiplier leaves out 3 × 10 000 kWh =
    18 000.00 + 900.00 of funds; the capacity 3 × 200 kVA × 30 = 18 000.00, capacity_underbilled's
    alone: 36 900.00 in all, what the bills under-billed."""
    from itemized_builder import INDUSTRIAL
    from itemized_builder import TARIFFS as ITEMIZED_TARIFFS

    u = Itemized()
    u.customer("X", **INDUSTRIAL, ct_ratio=40.0)
    for period in ("2024-01", "2024-02", "2024-03"):
        lines = [("energy", 10_000.0, 0.60), ("basic", 200.0, 30.0), ("fund", 10_000.0, 0.03)]
        u.bill("X", period, 10_000.0, lines, tariff="IND2", multiplier=20.0,
               capacity_billed_kva=200.0)  # fmt: skip
    dataset = Dataset.from_frames({**u.tables(), "tariffs": ITEMIZED_TARIFFS.copy()})
    ids = ["multiplier_mismatch", "capacity_underbilled", "basic_charge_error"]
    found = rules.run(dataset, rules=ids).set_index("rule_id")["revenue_impact"]
    assert found.to_dict() == {"multiplier_mismatch": 18_900.00, "capacity_underbilled": 18_000.00}

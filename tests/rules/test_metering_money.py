"""Money of the metering rules to the fen, computed by hand (itemized_builder's schedule).

- multiplier_mismatch on a bill split by read days at a price change: its shortfall is the
  recomputation's difference (the rate's part is subtracted only where rate_mismatch counts it).
- register_mismatch on a single household: the kWh a register jump skipped are priced at the
  tiers they fall in, on top of the kWh the tier year billed up to and including the bill.
"""

from __future__ import annotations

import pandas as pd
import pytest

from auditkit.billing.recompute import recompute
from tests.rules.itemized_builder import Itemized

# COM: 0.80 until 2024-03-15, 0.90 from the 16th (no funds). RES tiers on the year's kWh:
# 0-2160 at 0.50, 2160-4800 at 0.55, above 4800 at 0.80; the row without a tier (0.52) is the
# shared-meter price (no funds).
MARCH = {"read_from": pd.Timestamp("2024-03-01"), "read_to": pd.Timestamp("2024-03-31")}


def _split_march_bill(u: Itemized, customer_id: str, ct: float) -> None:
    """1 001 kWh billed at multiplier 1 in March 2024, split by read days at the price change:
    15 of 31 days at 0.80, q_old = round(1001 × 15 / 31, 2) = 484.35 → 387.48, 516.65 at 0.90
    → 464.99 (464.985 half up)."""
    u.customer(customer_id, ct_ratio=ct)
    u.bill(
        customer_id,
        "2024-03",
        1001.0,
        [("energy", 484.35, 0.80), ("energy", 516.65, 0.90)],
        **MARCH,
    )


def test_split_price_bill_shortfall_is_the_recomputation_to_the_fen():
    # Due at CT 2: 2 002 kWh, q_old = round(2002 × 15 / 31, 2) = 968.71 → 774.97 (774.968),
    # 1 033.29 at 0.90 → 929.96 (929.961): 1 704.93 less 852.47 billed = 852.46. The two lines'
    # average rates (852.47 / 1001 and 1704.93 / 2002) differ by 5 × 10⁻⁶: no rate is wrong, so
    # nothing of the difference is rate_mismatch's (the rule took round(gap × 1001) = −0.01
    # off, and said 852.47).
    u = Itemized()
    _split_march_bill(u, "C1", ct=2.0)
    found = u.run(["multiplier_mismatch", "rate_mismatch"])
    assert list(found["rule_id"]) == ["multiplier_mismatch"]
    assert found.loc["C1", "revenue_impact"] == pytest.approx(852.46, abs=1e-9)
    lines = recompute(u.dataset())
    assert round(lines["difference"].sum(), 2) == 852.46


def test_split_price_bill_at_the_multiplier_due_is_no_finding():
    # Near miss: the same bill on a meter of CT 1 is billed right.
    u = Itemized()
    _split_march_bill(u, "C1", ct=1.0)
    assert u.run(["multiplier_mismatch", "rate_mismatch"]).empty


def test_split_price_bill_with_a_wrong_rate_counts_each_yuan_once():
    # The new-price line billed at 0.85 where 0.90 is due: rate_mismatch counts its kWh billed at
    # either rate, 516.65 × 0.90 = 464.99 less 516.65 × 0.85 = 439.15 (439.1525): 25.84;
    # multiplier_mismatch the rest of the bill's difference, 1 704.93 − (387.48 + 439.15) −
    # 25.84 = 852.46; together the recomputation's 878.30.
    u = Itemized()
    u.customer("C1", ct_ratio=2.0)
    u.bill("C1", "2024-03", 1001.0, [("energy", 484.35, 0.80), ("energy", 516.65, 0.85)], **MARCH)
    found = u.run(["multiplier_mismatch", "rate_mismatch"])
    by_rule = found.reset_index().set_index("rule_id")["revenue_impact"]
    assert round(by_rule.sum(), 2) == round(recompute(u.dataset())["difference"].sum(), 2)
    assert round(by_rule.sum(), 2) == 878.30


def _household(u: Itemized, customer_id: str, monthly: float, scheme: str = "single") -> None:
    u.customer(customer_id, usage_type="residential", tariff_category="RES", tier_scheme=scheme)
    tiered = scheme == "single"
    for month in range(1, 5):
        if month == 4:
            u.registers[customer_id] += SKIPPED[customer_id]  # the register jumps
        line = ("energy", monthly, 0.50, None, 1) if tiered else ("energy", monthly, 0.52)
        u.bill(customer_id, f"2024-{month:02d}", monthly, [line], tariff="RES")


SKIPPED = {"T1": 100.0, "T2": 300.0, "SH": 100.0}


def test_skipped_register_of_a_household_in_tier_1_at_the_tier_1_rate():
    # 300 kWh a month: the year billed 1 200 kWh up to and including April, so the 100 kWh the
    # April register skipped (1 900 → 2 000) are in tier 1: 100 × 0.50 = 50.00 (52.00 at the
    # row without a tier, as the rule priced them).
    u = Itemized()
    _household(u, "T1", 300.0)
    found = u.run("register_mismatch")
    assert found.loc["T1", "revenue_impact"] == 50.00


def test_skipped_register_crossing_into_tier_2():
    # 500 kWh a month: 2 000 kWh up to and including April; the 300 kWh skipped fill tier 1 to
    # 2 160 (160 × 0.50 = 80.00) and 140 go to tier 2 (140 × 0.55 = 77.00): 157.00.
    u = Itemized()
    _household(u, "T2", 500.0)
    found = u.run("register_mismatch")
    assert found.loc["T2", "revenue_impact"] == 157.00


def test_skipped_register_of_a_shared_meter_at_the_shared_price():
    # Near miss: a shared meter (合表) has no tiers: 100 × 0.52 = 52.00.
    u = Itemized()
    _household(u, "SH", 300.0, scheme="shared")
    found = u.run("register_mismatch")
    assert found.loc["SH", "revenue_impact"] == 52.00


def test_tier_year_starts_again_in_january():
    # Near miss: 2 000 kWh billed in 2024, then a jump of 300 kWh at January 2025's start after
    # a 500 kWh January: the new year has billed 500 kWh, all 300 in tier 1 (150.00), not on top
    # of 2024's 2 000 (157.00).
    u = Itemized()
    u.customer("J1", usage_type="residential", tariff_category="RES", tier_scheme="single")
    for month in range(1, 5):
        u.bill("J1", f"2024-{month:02d}", 500.0, [("energy", 500.0, 0.50, None, 1)], tariff="RES")
    u.registers["J1"] += 300.0
    u.bill("J1", "2025-01", 500.0, [("energy", 500.0, 0.50, None, 1)], tariff="RES")
    found = u.run("register_mismatch")
    assert found.loc["J1", "revenue_impact"] == 150.00

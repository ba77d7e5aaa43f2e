"""A rule's proved part of one bill is at most what the bill lost as a whole
(`auditkit.rules.bill_lost`), also where the export leaves a line's billed side unknown or the
recomputation prices another tariff than the rule."""

from __future__ import annotations

import pytest
from rule_builder import COMMERCIAL, TWO_PART_BY_CAPACITY, Utility, flat

from auditkit import rules
from auditkit.data import Dataset


def test_a_monthly_export_without_fund_charge_does_not_switch_the_cap_off():
    """Funds of 0.03 a kWh on every tariff; the export has no `fund_charge` column, so each
    bill's fund line is billed unknown, and its `amount` holds what it billed in all.

    `ona_over`: a shop ordered RES → COM from July, billed RES at 0.90: 100 kWh × 0.90 = 90.00
    against 100 × 0.80 + 100 × 0.03 = 83.00 due, over-billed 7.00 a month: order_not_applied
    counts nothing (it claimed 6 × (0.80 − 0.60) × 100 = 120.00). `chose_over`: 200 kVA on IND2
    by capacity (30 a kVA-month) billed on 150 kVA and its energy at 0.80: 8,000.00 + 4,500.00 =
    12,500.00 against 6,000.00 + 6,000.00 + 300.00 = 12,300.00, over-billed 200.00 a month:
    capacity_underbilled counts nothing (it claimed 50 × 30 × 12 = 18,000.00).

    Near misses, rightly short: `ona_short` billed RES at 0.60, 60.00 against 83.00, lost
    23.00 a month, more than the order's 20.00: 6 × 20.00 = 120.00; `chose` at 0.60,
    6,000.00 + 4,500.00 = 10,500.00 against 12,300.00, lost 1,800.00 a month, more than the
    1,500.00 short: 12 × 1,500.00 = 18,000.00."""
    u = Utility()
    for cid, rate in (("ona_over", 0.9), ("ona_short", None)):
        u.customer(cid, **COMMERCIAL)
        u.monthly(cid, flat(100), tariff="RES", rate=[None] * 6 + [rate] * 6)
        u.order(cid, "tariff_change", "2024-07-01", "RES", "COM")
    for cid, rate in (("chose_over", 0.8), ("chose", None)):
        u.customer(cid, contract_capacity_kva=200.0, **TWO_PART_BY_CAPACITY)
        u.monthly(cid, flat(10_000), multiplier=1000.0, tariff="IND2", rate=rate,
                  capacity=150.0, basis="capacity")  # fmt: skip
    tables = u.tables()
    tables["tariffs"]["fund_rate"] = 0.03
    assert "fund_charge" not in tables["bills"]
    found = rules.run(
        Dataset.from_frames(tables), rules=["capacity_underbilled", "order_not_applied"]
    )
    money = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert money == pytest.approx(
        {
            ("ona_over", "order_not_applied"): 0.0,
            ("ona_short", "order_not_applied"): 120.00,
            ("chose_over", "capacity_underbilled"): 0.0,
            ("chose", "capacity_underbilled"): 18_000.00,
        }
    )

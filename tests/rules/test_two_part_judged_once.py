"""Whether a basic charge is due at all (`basic.no_two_part_tariff`: below 100 kVA, or below
315 after a fall) is judged once, the same on monthly and on itemized bills, by the
recomputation and by every rule that prices a basic charge."""

import pytest
from rule_builder import TWO_PART_BY_CAPACITY, Utility, flat, with_ind1

from auditkit import rules

#: A low-voltage shop metered directly: its energy and basic charge are the tariff's alone.
LOW_VOLTAGE = {"voltage_kv": 0.4, "pt_ratio": 1.0, "ct_ratio": 1.0}


def _impact(u: Utility, rule_id: str, itemized: bool) -> dict[str, float]:
    found = rules.run(with_ind1(u, itemized), rules=[rule_id])
    return found.groupby("customer_id")["revenue_impact"].sum().round(2).to_dict()


def _ordered_com_to_ind2(u: Utility, customer_id: str, kva: float) -> None:
    """A customer on `kva` billed COM (0.80) on 1,000 kWh a month, 800.00, ordered onto IND2
    (0.60 + 30 per kVA-month) from March: 10 bills billed on the old tariff."""
    u.customer(customer_id, contract_capacity_kva=kva, **TWO_PART_BY_CAPACITY | LOW_VOLTAGE)
    u.monthly(customer_id, flat(1_000), tariff="COM")
    u.order(customer_id, "tariff_change", "2024-03-01", "COM", "IND2")


@pytest.mark.parametrize("itemized", [False, True])
def test_a_tariff_order_not_applied_below_100_kva_or_after_a_fall_does_claim_no_basic_charge(
    itemized: bool,
) -> None:
    u = Utility()
    # 50 kVA may not be two-part: IND2 is due 1,000 × 0.60 = 600.00 against 800.00 billed, 0.
    _ordered_com_to_ind2(u, "s50", 50.0)
    # 630 → 200 kVA in 2023: single-part since, the same 600.00 against 800.00, 0.
    _ordered_com_to_ind2(u, "f200", 200.0)
    u.order("f200", "capacity_reduction", "2023-03-01", 630, 200)
    # Near misses, always between 100 and 315 kVA (they may have chosen two-part):
    # 200 kVA: 10 × (600 + 200 × 30 − 800) = 10 × 5,800 = 58,000.00.
    _ordered_com_to_ind2(u, "c200", 200.0)
    # 100 kVA, on the bound: 10 × (600 + 100 × 30 − 800) = 10 × 2,800 = 28,000.00.
    _ordered_com_to_ind2(u, "c100", 100.0)
    found = _impact(u, "order_not_applied", itemized)
    assert found.get("s50", 0.0) == 0.0
    assert found.get("f200", 0.0) == 0.0
    assert found["c200"] == 58_000.00
    assert found["c100"] == 28_000.00


@pytest.mark.parametrize("itemized", [False, True])
def test_a_tariff_mismatch_below_100_kva_does_claim_no_basic_charge(itemized: bool) -> None:
    u = Utility()
    # Industrial use on archive COM, 50 kVA: IND2 due 1,000 × 0.60 = 600.00 < 800.00 billed, 0.
    u.customer("a_com50", contract_capacity_kva=50.0,
               **TWO_PART_BY_CAPACITY | LOW_VOLTAGE | {"tariff_category": "COM"})  # fmt: skip
    u.monthly("a_com50", flat(1_000), tariff="COM")
    u.order("a_com50", "tariff_change", "2024-03-01", "COM", "IND2")
    found = _impact(u, "tariff_mismatch", itemized)
    assert found.get("a_com50", 0.0) == 0.0

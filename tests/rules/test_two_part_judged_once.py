"""Whether a basic charge is due at all (`basic.no_two_part_tariff`: below 100 kVA, or below
315 after a fall) is judged once, the same on monthly and on itemized bills, by the
recomputation and by every rule that prices a basic charge."""

import pandas as pd
import pytest
from rule_builder import TWO_PART_BY_CAPACITY, Utility, flat, with_ind1

from auditkit import rules
from auditkit.billing import recompute

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


def _july_basic_due(u: Utility, itemized: bool) -> dict[str, float]:
    lines = recompute(with_ind1(u, itemized))
    july = lines[(lines["line_type"] == "basic") & (lines["period"] == "2024-07")]
    return july.set_index("customer_id")["amount_due"].round(2).to_dict()


@pytest.mark.parametrize("itemized", [False, True])
def test_a_chosen_two_part_customer_reduced_below_100_kva_inside_a_month_does_owe_its_days_before(
    itemized: bool,
) -> None:
    u = Utility()
    # 200 kVA (chosen two-part) reduced from 16 July, billed 200 kVA to June and nothing after.
    for customer_id, new in (("to99", 99.0), ("to100", 100.0), ("from50", 40.0)):
        old = 50.0 if customer_id == "from50" else 200.0
        u.customer(customer_id, contract_capacity_kva=new, **TWO_PART_BY_CAPACITY)
        u.monthly(customer_id, flat(10_000), multiplier=1000.0, tariff="IND2",
                  basis="capacity", capacity=[old] * 6 + [0.0] * 6)  # fmt: skip
        u.order(customer_id, "capacity_reduction", "2024-07-16", old, new)
    due = _july_basic_due(u, itemized)
    # 1–15 July two-part on 200 kVA: 15 × 200 / 30 = 100 kVA-months × 30 = 3,000.00.
    assert due["to99"] == 3_000.00
    # Near miss, 100 kVA may stay two-part: 100 + 16 × 100 / 30 = 153.33 × 30 = 4,600.00.
    assert due["to100"] == 4_600.00
    # Near miss, 50 → 40 kVA was never two-part: nothing due.
    assert "from50" not in due
    found = _impact(u, "capacity_underbilled", itemized)
    # July billed nothing: 3,000.00 short.
    assert found["to99"] == 3_000.00
    assert "from50" not in found


@pytest.mark.parametrize("itemized", [False, True])
def test_a_reduction_without_its_new_capacity_does_judge_its_days_after_on_the_archive(
    itemized: bool,
) -> None:
    u = Utility()
    # 630 kVA reduced from 16 July, archive 200 after: July billed 315 kVA-months (or 150).
    for customer_id, new, july in (("known", 200, 315.0), ("blank", "", 315.0),
                                   ("blank_short", "", 150.0)):  # fmt: skip
        u.customer(customer_id, contract_capacity_kva=200.0, **TWO_PART_BY_CAPACITY)
        u.monthly(customer_id, flat(10_000), multiplier=1000.0, tariff="IND2",
                  basis="capacity", capacity=[630.0] * 6 + [july] + [0.0] * 5)  # fmt: skip
        u.order(customer_id, "capacity_reduction", "2024-07-16", 630, new)
    due = _july_basic_due(u, itemized)
    # The 16 days after at 200 kVA (below 315 after 630) are single-part: July is due
    # 15 × 630 / 30 = 315 kVA-months × 30 = 9,450.00, known or blank.
    assert due["known"] == due["blank"] == due["blank_short"] == 9_450.00
    found = _impact(u, "capacity_underbilled", itemized)
    assert "known" not in found
    assert "blank" not in found
    # Near miss: billed 150, (315 − 150) × 30 = 4,950.00 short.
    assert found["blank_short"] == 4_950.00


@pytest.mark.parametrize("itemized", [False, True])
def test_a_fall_recorded_by_the_transformers_alone_does_have_its_days_before_claimed(
    itemized: bool,
) -> None:
    u = Utility()
    # Archive 200 kVA, no work order; billed 630 kVA to June, 150 in July, nothing after.
    # tx_cheap: its energy billed at 0.50 from August, 1,000.00 a month short.
    for customer_id, july, rate in (
        ("tx", 150.0, None),
        ("tx_right", 315.0, None),
        ("tx_cheap", 315.0, 0.50),
    ):
        u.customer(customer_id, contract_capacity_kva=200.0, **TWO_PART_BY_CAPACITY)
        u.monthly(customer_id, flat(10_000), multiplier=1000.0, tariff="IND2",
                  basis="capacity", capacity=[630.0] * 6 + [july] + [0.0] * 5,
                  rate=[None] * 7 + [rate] * 5)  # fmt: skip
    transformers = pd.DataFrame(
        [   # T1 630 kVA sealed and T2 200 kVA running from 16 July
            dict(customer_id=customer_id, transformer_id=name, status=status,
                 status_since=pd.Timestamp(since), kva=kva)
            for customer_id in ("tx", "tx_right", "tx_cheap")
            for name, status, since, kva in (("T1", "running", "2020-01-01", 630.0),
                                             ("T1", "sealed", "2024-07-16", 630.0),
                                             ("T2", "running", "2024-07-16", 200.0))
        ]
    )  # fmt: skip
    tables = u.tables
    u.tables = lambda: tables() | {"transformers": transformers}
    # 1–15 July two-part on 630 kVA: 15 × 630 / 30 = 315 kVA-months × 30 = 9,450.00 due.
    assert _july_basic_due(u, itemized)["tx"] == 9_450.00
    found = _impact(u, "capacity_underbilled", itemized)
    # Billed 150: (315 − 150) × 30 = 4,950.00 short.
    assert found["tx"] == 4_950.00
    # Near misses, billed the 315 due: nothing; nor on the single-part months after (200 kVA,
    # no basic charge due), where a bill short of its energy does not hide a capacity claim.
    assert "tx_right" not in found
    assert "tx_cheap" not in found

"""A high rule's finding stays high at ¥0.00 of revenue: its money may be a refund, unpriced
or still to come (the review of fix-look51 found such findings hidden at medium)."""

from __future__ import annotations

from rule_builder import COMMERCIAL, Utility, flat, run


def test_a_multiplier_over_billing_at_no_revenue_does_stay_high() -> None:
    u = Utility()
    # Billed at ×20 where the archive has CT 10 × PT 1 = 10: 240,000 − 120,000 = 120,000 kWh
    # over-billed, 120,000 × 0.8 = ¥96,000.00 to refund; the utility is owed ¥0.00.
    u.customer("over", usage_type="commercial", tariff_category="COM", ct_ratio=10.0)
    u.monthly("over", flat(20000), multiplier=20.0, tariff="COM")
    # Near miss of another kind: under-billed 10,000 × 12 = 120,000 kWh × 0.8 = ¥96,000.00 owed.
    u.customer("under", usage_type="commercial", tariff_category="COM", ct_ratio=20.0)
    u.monthly("under", flat(10000), multiplier=10.0, tariff="COM")
    found = run(u, "multiplier_mismatch").set_index("customer_id")
    assert found.loc["over", "revenue_impact"] == 0.0
    assert found.loc["over", "severity"] == "high"
    assert found.loc["under", "revenue_impact"] == 96000.0
    assert found.loc["under", "severity"] == "high"


def test_a_tariff_mismatch_not_priced_does_stay_high() -> None:
    u = Utility()
    # A public customer on COM: the schedule has no tariff for its usage, so no money is priced.
    u.customer("lights", usage_type="public", tariff_category="COM")
    u.monthly("lights", flat(100), tariff="COM")
    # A commercial customer on IND2 with no bills at all: nothing priced.
    u.customer(
        "shop_ind2", usage_type="commercial", tariff_category="IND2", voltage_kv=10.0, ct_ratio=10.0
    )
    u.customer("other")
    u.monthly("other", flat(100))
    found = run(u, "tariff_mismatch").set_index("customer_id")
    assert list(found.loc[["lights", "shop_ind2"], "revenue_impact"]) == [0.0, 0.0]
    assert list(found.loc[["lights", "shop_ind2"], "severity"]) == ["high", "high"]
    assert "other" not in found.index


def test_a_rate_mismatch_on_months_of_no_energy_does_stay_high() -> None:
    u = Utility()
    periods = ["2024-10", "2024-11", "2024-12"]
    # Charged 0.5 where COM says 0.8, on 0 kWh: 0 × (0.8 − 0.5) = ¥0.00 now, more once it is used.
    u.customer("idle_shop", **COMMERCIAL)
    u.monthly("idle_shop", [0.0] * 3, tariff="COM", rate=0.5, periods=periods)
    # Near miss: charged the schedule's 0.8, nothing to find.
    u.customer("other", **COMMERCIAL)
    u.monthly("other", [100.0] * 3, tariff="COM", periods=periods)
    found = run(u, "rate_mismatch")
    assert list(found["customer_id"]) == ["idle_shop"]
    assert list(found["severity"]) == ["high"]

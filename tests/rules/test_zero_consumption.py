"""zero_consumption: a business at zero scores high, a house standing empty low (not listed)."""

from __future__ import annotations

import pytest
from itemized_builder import Itemized
from rule_builder import COMMERCIAL, Utility, run

#: Four months at zero (May to August 2024) between months of 100 kWh: use comes back in September.
AWAY = [100.0] * 4 + [0.0] * 4 + [100.0] * 4
#: The same four months at zero, still at zero at the audit month (December 2024).
STOPPED = [100.0] * 8 + [0.0] * 4


def _scores(u: Utility, **kwargs: object) -> dict[str, float]:
    findings = run(u, "zero_consumption", **kwargs)
    return dict(zip(findings["customer_id"], findings["score"], strict=True))


def test_a_vacancy_is_not_listed_and_a_business_at_zero_is():
    u = Utility()
    u.customer("vacant")  # a household: registers still, no demand, use back with the same meter
    u.monthly("vacant", AWAY)
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", AWAY, tariff="COM")
    # 0.5 + 0.5 × 4 / 12 = 0.6667 for the business; × 0.8 (household) × 0.3 (vacancy) = 0.16.
    assert _scores(u) == {"shop": pytest.approx(0.6667)}
    assert _scores(u, params={"zero_consumption.min_score": 0.1}) == {
        "shop": pytest.approx(0.6667),
        "vacant": pytest.approx(0.16),
    }


def test_a_household_whose_meter_stays_at_zero_is_listed():
    u = Utility()
    u.customer("stopped")
    u.monthly("stopped", STOPPED)
    findings = run(u, "zero_consumption")
    assert findings["customer_id"].tolist() == ["stopped"]
    assert findings["score"].iat[0] == pytest.approx(0.5333)  # 0.6667 × 0.8
    # September to December at the 100 kWh of the 12 months before, 0.6 yuan/kWh.
    assert findings["revenue_impact"].iat[0] == pytest.approx(240.0)


@pytest.mark.parametrize("why", ["meter replaced", "registers moved", "demand recorded"])
def test_a_household_back_in_use_is_no_vacancy_when_the_months_at_zero_were_not_quiet(why):
    u = Utility()
    u.customer("house")
    bills = u.monthly("house", AWAY)
    if why == "meter replaced":  # use came back on a new meter: the old one had stopped
        u.order("house", "meter_replacement", "2024-09-01", issued="2024-08-25")
    elif why == "registers moved":  # billed 0 kWh while the registers turned in June
        bills[5]["register_end"] += 80.0
        for later in bills[6:]:
            later["register_start"] += 80.0
            later["register_end"] += 80.0
    else:
        bills[6]["max_demand_kw"] = 2.5
    assert _scores(u) == {"house": pytest.approx(0.5333)}


def test_runs_are_found_over_the_whole_audit_period():
    u = Utility()
    periods = [f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13)]
    u.customer("shop", **COMMERCIAL)
    # Zero from February to May 2023, 19 months before the audit month.
    u.monthly("shop", [100.0] + [0.0] * 4 + [100.0] * 19, tariff="COM", periods=periods)
    findings = run(u, "zero_consumption")
    assert (findings["period_from"].iat[0], findings["period_to"].iat[0]) == ("2023-02", "2023-05")
    # One month of history (January 2023) at 100 kWh, 4 months at 0.8 yuan/kWh.
    assert findings["revenue_impact"].iat[0] == pytest.approx(320.0)


def test_a_customers_best_scored_run_is_listed():
    u = Utility()
    u.customer("house")
    # A vacancy of six months in 2024's first half, then a stop from October: three months.
    u.monthly("house", [0.0] * 6 + [100.0] * 3 + [0.0] * 3)
    findings = run(u, "zero_consumption")
    assert (findings["period_from"].iat[0], findings["period_to"].iat[0]) == ("2024-10", "2024-12")
    assert findings["score"].iat[0] == pytest.approx(0.5)  # (0.5 + 0.5 × 3 / 12) × 0.8


def _household_stopped_in_september(scheme: str) -> Itemized:
    """A household on RES (itemized_builder: tiers 0-2,160 at 0.50, 2,160-4,800 at 0.55, above
    at 0.80; 0.52 without a tier, a shared meter's) billed 500 kWh a month to August 2024, then
    0 from September to December."""
    u = Itemized()
    u.customer("H", usage_type="residential", tariff_category="RES", tier_scheme=scheme)
    for month in range(1, 13):
        kwh = 500.0 if month <= 8 else 0.0
        u.bill("H", f"2024-{month:02d}", kwh, [("energy", kwh, 0.52)], tariff="RES")
    return u


def test_the_estimate_of_a_tiered_household_is_priced_by_its_tiers():
    """Each month at zero is estimated at the 500 kWh of the months before, on top of the tier
    year: August ends it at 4,000 kWh. September 4,000 → 4,500 in tier 2 (500 × 0.55 = 275.00);
    October 4,500 → 5,000, 300 in tier 2 (165.00) and 200 in tier 3 (× 0.80 = 160.00);
    November and December 500 in tier 3 (400.00 each): 1,400.00 (the rule said 4 × 500 × 0.52
    = 1,040.00 at the row without a tier)."""
    found = _household_stopped_in_september("single").run("zero_consumption")
    assert found.loc["H", "revenue_impact"] == pytest.approx(1400.00, abs=1e-9)


def test_the_estimate_of_a_shared_meter_is_at_the_shared_price():
    """Near miss: a shared meter (合表) has no tiers: 4 × 500 × 0.52 = 1,040.00."""
    found = _household_stopped_in_september("shared").run("zero_consumption")
    assert found.loc["H", "revenue_impact"] == pytest.approx(1040.00)

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


#: Three years of monthly periods, 2023-01 to 2025-12 (the audit month).
THREE_YEARS = [f"{year}-{month:02d}" for year in (2023, 2024, 2025) for month in range(1, 13)]
#: An irrigation pump's year: 0 kWh from November to March.
IRRIGATION = [0.0, 0.0, 0.0, 800.0, 1500.0, 2500.0, 3000.0, 3000.0, 2000.0, 900.0, 0.0, 0.0]
#: A summer resort's year: closed (0 kWh) from October to May.
SUMMER = [0.0] * 5 + [4000.0, 6000.0, 6000.0, 3000.0] + [0.0] * 3


def _pump_and_resort(pump: list[float], resort: list[float]) -> Utility:
    u = Utility()
    u.customer("pump", usage_type="agricultural", tariff_category="AGR")
    u.monthly("pump", pump, tariff="AGR", periods=THREE_YEARS)
    u.customer("resort", **COMMERCIAL)
    u.monthly("resort", resort, tariff="COM", periods=THREE_YEARS)
    return u


def test_a_seasonal_customer_at_zero_in_the_same_months_every_year_is_not_listed():
    """A pump at 0 kWh every November to March and a resort every October to May, three years
    alike: each run's months were at zero a year before (or, the first year's, a year after)."""
    assert run(_pump_and_resort(IRRIGATION * 3, SUMMER * 3), "zero_consumption").empty


def test_a_seasonal_customer_whose_meter_stops_in_season_or_for_a_year_is_listed():
    """Near misses one step past a season. The pump's meter stops in August 2025 (2,000 kWh in
    August 2024): 2025-08..12 at zero, the mean of the 12 months before (2024-08..2025-07) is
    (2,000 + 900 + 0 × 5 + 800 + 1,500 + 2,500 + 3,000 + 3,000) / 12 = 13,700 / 12 = 1,141.67
    kWh, × 5 months × 0.4 yuan = ¥2,283.33. The resort closes in October 2023 and never opens
    again: 2023-10..2025-12, 27 months, most at zero a year before too but no season lasts a
    year; the mean of the 9 months before (2023-01..09) is (4,000 + 6,000 + 6,000 + 3,000) / 9
    = 2,111.11 kWh, × 27 × 0.8 yuan = ¥45,600.00."""
    pump = IRRIGATION * 2 + IRRIGATION[:7] + [0.0] * 5
    resort = SUMMER + [0.0] * 24
    findings = run(_pump_and_resort(pump, resort), "zero_consumption").set_index("customer_id")
    assert findings["revenue_impact"].to_dict() == pytest.approx(
        {"pump": 2_283.33, "resort": 45_600.0}
    )
    assert findings.loc["pump", ["period_from", "period_to"]].tolist() == ["2025-08", "2025-12"]


@pytest.mark.parametrize(
    ("order", "effective", "expected"),
    [
        ("meter_removal", "2025-03-01", None),
        ("meter_removal", "2025-02-20", None),  # the order's month still used: its last bill
        (None, None, 14_400.0),
    ],
)
def test_zero_months_under_a_meter_removal_order_are_not_listed(
    order: str | None, effective: str | None, expected: float | None
):
    """A shop at 3,000 kWh a month whose meter is taken away (暂拆) while it is rebuilt:
    2025-03..08 at zero, the meter back in September. Registered, the zeros are what the order
    says (as a suspension's). Near miss, no order: 6 months × 3,000 kWh × 0.8 yuan = ¥14,400.00."""
    kwh = [3000.0] * 14 + [0.0] * 6 + [3000.0] * 4
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", kwh, tariff="COM", periods=THREE_YEARS[12:])
    if order:
        u.order("shop", order, effective, issued="2025-02-10")
        u.order("shop", "meter_replacement", "2025-09-01", issued="2025-08-25")
    findings = run(u, "zero_consumption")
    if expected is None:
        assert findings.empty
    else:
        assert findings["revenue_impact"].tolist() == pytest.approx([expected])


def test_a_meter_put_back_after_a_removal_that_reads_zero_again_is_listed():
    """Near miss: after the removal (2025-03..08 at zero) the meter records 3,000 kWh in
    September, then nothing from October: the order explains no more. The 12 months before
    October less the removal's six: 2024-10..2025-02 and 2025-09, all at 3,000 kWh, × 3 months
    × 0.8 yuan = ¥7,200.00."""
    kwh = [3000.0] * 14 + [0.0] * 6 + [3000.0] + [0.0] * 3
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", kwh, tariff="COM", periods=THREE_YEARS[12:])
    u.order("shop", "meter_removal", "2025-03-01", issued="2025-02-20")
    findings = run(u, "zero_consumption")
    assert findings[["period_from", "period_to"]].values.tolist() == [["2025-10", "2025-12"]]
    assert findings["revenue_impact"].tolist() == pytest.approx([7_200.0])


def _shop_removed_in_march_2024(steps: tuple[int | None, ...] = (1, 2, 3)) -> Utility:
    """A shop at 3,000 kWh a month, its meter removed (暂拆) from 2024-03-01, never put back:
    0 kWh from 2024-03 to the audit month 2025-12 (22 months)."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", [3000.0] * 14 + [0.0] * 22, tariff="COM", periods=THREE_YEARS)
    u.order("shop", "meter_removal", "2024-03-01", issued="2024-02-20", steps=steps)
    return u


def test_a_meter_removal_excuses_six_months_of_zero_at_most():
    """A removal is temporary: it explains 2024-03..08 (6 whole months), not the 16 months
    after. The run 2024-09..2025-12: the 12 months before it less the removal's are
    2023-09..2024-02 at 3,000 kWh, so 16 months × 3,000 kWh × 0.8 yuan = ¥38,400.00."""
    findings = run(_shop_removed_in_march_2024(), "zero_consumption")
    assert findings[["period_from", "period_to"]].values.tolist() == [["2024-09", "2025-12"]]
    assert findings["revenue_impact"].tolist() == pytest.approx([38_400.0])


def test_a_meter_removal_issued_but_never_registered_excuses_nothing():
    """An order issued and never registered or archived is no order on file: the whole run
    2024-03..2025-12, 22 months × 3,000 kWh × 0.8 yuan = ¥52,800.00."""
    findings = run(_shop_removed_in_march_2024(steps=(1, None, None)), "zero_consumption")
    assert findings[["period_from", "period_to"]].values.tolist() == [["2024-03", "2025-12"]]
    assert findings["revenue_impact"].tolist() == pytest.approx([52_800.0])


def test_a_closure_order_on_a_customer_still_active_does_not_excuse_its_zeros():
    """The archive stays active and zero bills go on after a closure order of 2025-01: the
    customer was not closed. 12 months × 3,000 kWh × 0.8 yuan = ¥28,800.00."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", [3000.0] * 24 + [0.0] * 12, tariff="COM", periods=THREE_YEARS)
    u.order("shop", "closure", "2025-01-01", issued="2024-12-20")
    findings = run(u, "zero_consumption")
    assert findings["revenue_impact"].tolist() == pytest.approx([28_800.0])


def _shop(kwh: list[float], periods: list[str] = THREE_YEARS) -> Utility:
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", kwh, tariff="COM", periods=periods)
    return u


def _with_zeros(months: list[int], count: int = 36) -> list[float]:
    """3,000 kWh a month but at 0 in `months` (positions)."""
    return [0.0 if i in months else 3000.0 for i in range(count)]


def test_the_same_zero_months_two_years_running_do_not_vouch_for_each_other():
    """A shop's meter dead 11 months a year (one read each December) is no season: longer than
    max_off_season_months (8). Its latest run 2025-01..11: the 12 months before, 2024-01..12,
    used 3,000 kWh once: 250 kWh, × 11 × 0.8 yuan = ¥2,200.00 (¥0.00 before)."""
    findings = run(_shop(_with_zeros([*range(12, 23), *range(24, 35)])), "zero_consumption")
    assert findings[["period_from", "period_to"]].values.tolist() == [["2025-01", "2025-11"]]
    assert findings["revenue_impact"].tolist() == pytest.approx([2_200.0])


def test_zero_months_a_year_used_before_are_no_season():
    """June-September at 0 in 2024 and 2025, used in 2023 (3,000 kWh a month): the months were
    not at zero every year. The latest run 2025-06..09: the 12 months before used 8 × 3,000 kWh:
    2,000 kWh, × 4 × 0.8 yuan = ¥6,400.00 (¥0.00 before). Near miss, ambiguous and not listed:
    the same with no 2023 (two years alike, no third to tell)."""
    summers = [*range(17, 21), *range(29, 33)]
    findings = run(_shop(_with_zeros(summers)), "zero_consumption")
    assert findings[["period_from", "period_to"]].values.tolist() == [["2025-06", "2025-09"]]
    assert findings["revenue_impact"].tolist() == pytest.approx([6_400.0])
    two_years = _shop(_with_zeros([m - 12 for m in summers], 24), THREE_YEARS[12:])
    assert run(two_years, "zero_consumption").empty


def test_a_suspension_last_year_makes_no_season_of_this_years_zeros():
    """2024-01..06 suspended by order, 2025-01..06 at 0 with none: last year's zeros were the
    order's. The 12 months before 2025-01 less the suspended six: 3,000 kWh, × 6 × 0.8 yuan =
    ¥14,400.00 (¥0.00 before)."""
    u = _shop(_with_zeros([*range(12, 18), *range(24, 30)]))
    u.order("shop", "suspension", "2024-01-01", issued="2023-12-20")
    u.order("shop", "resumption", "2024-07-01", issued="2024-06-20")
    findings = run(u, "zero_consumption")
    assert findings[["period_from", "period_to"]].values.tolist() == [["2025-01", "2025-06"]]
    assert findings["revenue_impact"].tolist() == pytest.approx([14_400.0])

"""One judgement of months an account may rightly use nothing: unbilled_account excuses a month
with no bill where zero_consumption excuses a month at zero (an off-season, a registered meter
removal for at most six months), whichever way the billing system exports an idle month."""

from __future__ import annotations

import pandas as pd
import pytest
from rule_builder import COMMERCIAL, Utility, run

from auditkit import rules
from auditkit.data import Dataset
from auditkit.engine.local import run_parts_locally
from auditkit.engine.partition import combine, plan_run
from auditkit.engine.sources import MemorySource

THREE_YEARS = [f"{year}-{month:02d}" for year in (2023, 2024, 2025) for month in range(1, 13)]
#: An irrigation pump, off November-March every year; a summer resort, closed October-May.
PUMP = [0, 0, 0, 800, 1500, 2500, 3000, 3000, 2000, 900, 0, 0]
RESORT = [0, 0, 0, 0, 0, 4000, 6000, 6000, 3000, 0, 0, 0]


def _billed(u: Utility, customer_id: str, kwh: list[float], **archive: object) -> None:
    """A customer billed `kwh` over the three years, with no bill in a month of None."""
    archive = COMMERCIAL | archive
    u.customer(customer_id, **archive)
    months = [(p, k) for p, k in zip(THREE_YEARS, kwh, strict=True) if k is not None]
    u.monthly(
        customer_id,
        [float(k) for _, k in months],
        tariff=archive["tariff_category"],
        periods=[p for p, _ in months],
    )


def _no_bill_at_zero(kwh: list[float]) -> list[float | None]:
    """The same months as a billing system exports them that issues no bill at 0 kWh."""
    return [None if k == 0 else k for k in kwh]


def _utility() -> Utility:
    """A household billed every month: its district billed each of the 36."""
    u = Utility()
    u.customer("home")
    u.monthly("home", [150.0] * 36, periods=THREE_YEARS)
    return u


def test_an_off_season_with_no_bill_does_not_fire_unbilled_account():
    u = _utility()
    # Honest: the pump and the resort with no bill in their off-season, every year (were
    # ¥12,000.00 and ¥96,000.00), in a district whose billing system issues no bill at 0 kWh
    # (none of its bills is at 0 kWh).
    _billed(
        u,
        "pump",
        _no_bill_at_zero(PUMP * 3),
        usage_type="agricultural",
        tariff_category="AGR",
    )
    _billed(u, "resort", _no_bill_at_zero(RESORT * 3))
    # Near miss: a resort that used its October-May the years before (200 kWh a month), and
    # whose bills stop 2024-10..2025-05: its median bill, 200 kWh × 0.8 = ¥160.00, × 8 months
    # = ¥1,280.00.
    used_before = [k or 200 for k in RESORT]
    lapsed = used_before + used_before[:9] + [None] * 8 + used_before[5:]
    _billed(u, "lapsed", lapsed)
    # Near miss: a shop never seasonal, 100 kWh a month, no bill 2025-02..04: 3 × ¥80.00.
    _billed(u, "shop", [100] * 25 + [None] * 3 + [100] * 8)
    findings = run(u, "unbilled_account").set_index("customer_id")
    assert sorted(findings.index) == ["lapsed", "shop"]
    assert findings.loc["lapsed", "revenue_impact"] == pytest.approx(8 * 160.00)
    assert (findings.loc["lapsed", "period_from"], findings.loc["lapsed", "period_to"]) == (
        "2024-10",
        "2025-05",
    )
    assert findings.loc["shop", "revenue_impact"] == pytest.approx(3 * 80.00)


@pytest.mark.parametrize(
    ("zero_billed", "missing"),
    [
        # M: a pump in the shop's district billed 0 kWh every winter; the shop, at 3,000 kWh a
        # month, has no bill January-March 2023, 2024 and 2025: 9 × 3,000 × 0.8 = ¥21,600.00.
        ("pump", ((2023, 2024, 2025), 9 * 2_400.00)),
        # E: the shop itself billed 0 kWh January-March 2023, then no bill January-March 2024
        # and 2025: 6 × ¥2,400.00 = ¥14,400.00 (its zeros are no proof of a season).
        ("shop", ((2024, 2025), 6 * 2_400.00)),
    ],
)
def test_a_missing_bill_where_the_district_issues_zero_bills_is_no_off_season(
    zero_billed: str, missing: tuple[tuple[int, ...], float]
):
    years, revenue = missing
    u = _utility()
    shop = [3000] * 36
    for year in (2023, 2024, 2025):
        for month in range(3):
            at = 12 * (year - 2023) + month
            shop[at] = None if year in years else 0
    _billed(u, "shop", shop)
    if zero_billed == "pump":
        _billed(u, "pump", PUMP * 3, usage_type="agricultural", tariff_category="AGR")
    findings = run(u, ["unbilled_account", "zero_consumption"]).set_index("rule_id")
    found = findings.loc["unbilled_account"]
    assert found["customer_id"] == "shop"
    assert found["revenue_impact"] == pytest.approx(revenue)
    # The pump's winters at 0 kWh stay an off-season.
    assert "pump" not in set(findings["customer_id"])


def test_a_missing_bill_in_another_year_does_not_take_an_off_season_from_zero_consumption():
    """A run of months with no bill is unbilled_account's finding alone, whichever year it
    falls in: it tells nothing of another year's season, where the district issues 0 kWh
    bills too."""
    u = _utility()
    # A shop at 3,000 kWh a month billed 0 kWh January-March 2023 and 2024, then not billed
    # at all January-March 2025.
    shop = [3000] * 36
    for at in (0, 1, 2, 12, 13, 14):
        shop[at] = 0
    for at in (24, 25, 26):
        shop[at] = None
    _billed(u, "shop", shop)
    findings = run(u, ["unbilled_account", "zero_consumption"])
    # 2025-01..03 unbilled: 3 × 3,000 kWh × 0.8 = ¥7,200.00.
    assert findings["rule_id"].tolist() == ["unbilled_account"]
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(7_200.00)
    # 2024-01..03 at zero: 2023 alike and 2025 unknown, two years alike and no third to tell
    # (a winter closure two years running), as with 2025 not exported at all: not listed.


def test_a_bi_monthly_customer_missing_one_off_season_read_keeps_its_other_off_seasons():
    """A pump read every other month (January, March, May...) at 0 kWh in January and March,
    its March 2024 read missed: 2024-02..04 with no bill is unbilled_account's alone, not
    evidence against 2025's honest off-season (zero_consumption listed 2025-01..03 at
    ¥2,192.00 before)."""
    u = _utility()
    year = [{1: 0, 3: 0, 5: 2300, 7: 5500, 9: 5000, 11: 900}.get(m) for m in range(1, 13)]
    missed = year.copy()
    missed[2] = None
    _billed(u, "pump", year + missed + year, usage_type="agricultural", tariff_category="AGR")
    findings = run(u, ["unbilled_account", "zero_consumption"])
    findings = findings[findings["customer_id"] == "pump"]
    assert findings["rule_id"].tolist() == ["unbilled_account"]
    # 2024-02..04 at the median monthly bill: the bills of 2024 from May on are 2,300, 5,500,
    # 5,000, 900 kWh over their two months each: the bills' median over the window is
    # ¥920.00 a month (as unbilled_account computes it) × 3 months = ¥2,760.00.
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(2_760.00)
    assert (findings.iloc[0]["period_from"], findings.iloc[0]["period_to"]) == (
        "2024-02",
        "2024-04",
    )


def _removed_in_march_2024(u: Utility, steps: tuple[int | None, ...], zero_bills: bool) -> None:
    """A shop at 3,000 kWh a month, its meter removed (暂拆) from 2024-03-01, never put back:
    2024-03..2025-12 billed at 0 kWh (`zero_bills`) or not billed at all."""
    away = [0] * 22 if zero_bills else [None] * 22
    _billed(u, "shop", [3000] * 14 + away)
    u.order("shop", "meter_removal", "2024-03-01", issued="2024-02-20", steps=steps)


@pytest.mark.parametrize(
    ("steps", "months", "revenue"),
    [
        # Registered: the removal excuses 2024-03..08; 2024-09..2025-12 are 16 months at the
        # shop's usual bill, 3,000 kWh × 0.8 = ¥2,400.00: ¥38,400.00 (none before: any removal
        # excused every month to the next bill).
        ((1, 2, 3), ("2024-09", "2025-12"), 16 * 2_400.00),
        # Issued and never registered or archived: no order on file, 22 months × ¥2,400.00.
        ((1, None, None), ("2024-03", "2025-12"), 22 * 2_400.00),
    ],
)
def test_a_meter_removal_excuses_missing_bills_as_it_excuses_zero_ones(
    steps: tuple[int | None, ...], months: tuple[str, str], revenue: float
):
    for rule_id, zero_bills in (("unbilled_account", False), ("zero_consumption", True)):
        u = _utility()
        _removed_in_march_2024(u, steps, zero_bills)
        findings = run(u, rule_id)
        assert findings["customer_id"].tolist() == ["shop"], rule_id
        found = findings.iloc[0]
        assert (found["period_from"], found["period_to"]) == months, rule_id
        # zero_consumption prices the 12 months before at 3,000 kWh × 0.8: the same ¥2,400.00.
        assert found["revenue_impact"] == pytest.approx(revenue), rule_id


def test_a_registered_meter_removal_put_back_within_six_months_leaves_nothing_unbilled():
    """Near miss: removed 2024-03-01 and billed again from 2024-08 (five months away)."""
    u = _utility()
    _billed(u, "shop", [3000] * 14 + [None] * 5 + [3000] * 17)
    u.order("shop", "meter_removal", "2024-03-01", issued="2024-02-20")
    assert run(u, "unbilled_account").empty


def test_an_off_season_is_judged_on_the_lookback_months_alone_whole_or_by_parts():
    """unbilled_account's whole-dataset input holds its 36 lookback months of bills
    (engine/partition.py): in memory it reads no earlier bill either, or the two would differ."""
    four_years = [f"{year}-{month:02d}" for year in range(2022, 2026) for month in range(1, 13)]
    u = Utility()
    # A shop at 3,000 kWh a month, no bill January-March 2023, 2024 and 2025: in the window, the
    # same months each year with use around them. Its use of January-March 2022 lies before the
    # window, which the input by parts does not hold (in memory it was found: 3 × 3 months ×
    # 3,000 kWh × 0.8 = ¥21,600.00; by parts nothing).
    kwh = [3000.0] * 48
    unbilled = {12 * year + month for year in (1, 2, 3) for month in (0, 1, 2)}
    u.customer("shop", **COMMERCIAL)
    u.monthly(
        "shop",
        [k for i, k in enumerate(kwh) if i not in unbilled],
        tariff="COM",
        periods=[p for i, p in enumerate(four_years) if i not in unbilled],
    )
    u.customer("home")
    u.monthly("home", [150.0] * 48, periods=four_years)
    whole = run(u, "unbilled_account")
    u.bills = [bill for bill in u.bills if bill["period"] >= "2023-01"]
    window = run(u, "unbilled_account")
    assert whole.equals(window)
    assert whole.empty


@pytest.mark.parametrize("rule_id", ["unbilled_account", "zero_consumption"])
def test_a_removal_with_the_order_steps_not_exported_does_excuse_and_notes_it(rule_id: str):
    """transferred_at, registered_at and archived_at are optional (docs/data.md): where the
    export leaves them out, a removal's registration is unknown, not refused."""
    u = _utility()
    # A shop at 3,000 kWh a month, its meter removed 2024-03-01 and back 2024-06: 3 months
    # unbilled (or at 0 kWh), were 3 × 3,000 × 0.8 = ¥7,200.00 with no note.
    away = [None] * 3 if rule_id == "unbilled_account" else [0] * 3
    _billed(u, "shop", [3000] * 14 + away + [3000] * 19)
    u.order("shop", "meter_removal", "2024-03-01", issued="2024-02-20")
    tables = u.tables()
    steps = ["transferred_at", "registered_at", "archived_at"]
    tables["work_orders"] = tables["work_orders"].drop(columns=steps)
    findings = rules.run(Dataset.from_frames(tables), rules=[rule_id])
    assert findings.empty
    assert any(
        note.startswith(f"{rule_id}: work_orders.transferred_at, work_orders.registered_at")
        for note in findings.attrs["notes"]
    )
    # Near miss: the same shop with the columns exported and the order transferred but never
    # registered: no order on file, the 3 months are found.
    u.orders[0]["registered_at"] = u.orders[0]["archived_at"] = None
    found = run(u, rule_id)
    assert found["customer_id"].tolist() == ["shop"]
    assert not any("registration is unknown" in note for note in found.attrs["notes"])


@pytest.mark.parametrize("rule_id", ["unbilled_account", "zero_consumption"])
@pytest.mark.parametrize(("months_away", "revenue"), [(8, 0.0), (9, 3 * 2_400.00)])
def test_months_past_a_removals_term_do_fire_from_one_minimum(
    rule_id: str, months_away: int, revenue: float
):
    """A registered removal of 2024-03-01 excuses 2024-03..08; the months past it are listed
    from zero_consumption's min_months (3) on, unbilled or at zero (unbilled_account listed 2
    months, ¥4,800.00, where zero_consumption listed none)."""
    u = _utility()
    away = [None] * months_away if rule_id == "unbilled_account" else [0] * months_away
    _billed(u, "shop", [3000] * 14 + away + [3000] * (22 - months_away))
    u.order("shop", "meter_removal", "2024-03-01", issued="2024-02-20")
    findings = run(u, rule_id)
    if not revenue:
        # 8 months away: 2024-09..10 past the term, 2 months, under the minimum.
        assert findings.empty
        return
    # 9 months away: 2024-09..11, 3 months × 3,000 kWh × 0.8 = ¥7,200.00.
    assert findings["customer_id"].tolist() == ["shop"]
    assert (findings["period_from"].iat[0], findings["period_to"].iat[0]) == ("2024-09", "2024-11")
    assert findings["revenue_impact"].iat[0] == pytest.approx(revenue)


@pytest.mark.parametrize("rule_id", ["unbilled_account", "zero_consumption"])
def test_a_removal_registered_again_each_term_does_not_restart_its_allowance(rule_id: str):
    """Removals registered 2024-03, 2024-09, 2025-03 and 2025-09, the meter never back: one
    removal, 2024-03..08 excused; 2024-09..2025-12 are 16 months × 3,000 kWh × 0.8 =
    ¥38,400.00 (each order restarted the 6 months: nothing was found)."""
    u = _utility()
    away = [None] * 22 if rule_id == "unbilled_account" else [0] * 22
    _billed(u, "shop", [3000] * 14 + away)
    for month in ("2024-03-01", "2024-09-01", "2025-03-01", "2025-09-01"):
        u.order("shop", "meter_removal", month, issued=month)
    findings = run(u, rule_id)
    assert findings["customer_id"].tolist() == ["shop"]
    assert (findings["period_from"].iat[0], findings["period_to"].iat[0]) == ("2024-09", "2025-12")
    assert findings["revenue_impact"].iat[0] == pytest.approx(16 * 2_400.00)


def test_a_removal_after_the_meter_came_back_has_its_own_allowance():
    """Near miss: removed 2024-03 and back 2024-06 (billed), removed again 2024-09 and back
    2025-01: two removals, each within its 6 months; nothing unbilled."""
    u = _utility()
    shop = [3000] * 14 + [None] * 3 + [3000] * 3 + [None] * 4 + [3000] * 12
    _billed(u, "shop", shop)
    for month in ("2024-03-01", "2024-09-01"):
        u.order("shop", "meter_removal", month, issued=month)
    assert run(u, "unbilled_account").empty


def test_a_removal_never_registered_does_fire_whole_or_by_parts_where_another_was():
    """Registration is unknown only where the export has none of the step columns: a part of
    the accounts whose orders leave them empty judges as the whole dataset does."""
    u = _utility()
    # A shop removed 2024-03-01, registered, back 2024-06: its 3 months at 0 kWh are excused.
    _billed(u, "a_shop", [3000] * 14 + [0] * 3 + [3000] * 19)
    u.order("a_shop", "meter_removal", "2024-03-01", issued="2024-02-20")
    # A shop whose removal was only issued, at 0 kWh 2024-03..2024-06: 4 × 3,000 × 0.8 =
    # ¥9,600.00 (by parts, its part held no filled date: nothing, and a note "missing or empty").
    _billed(u, "b_shop", [3000] * 14 + [0] * 4 + [3000] * 18)
    u.order("b_shop", "meter_removal", "2024-03-01", issued="2024-02-20")
    u.orders[1]["transferred_at"] = u.orders[1]["registered_at"] = None
    u.orders[1]["archived_at"] = None
    data = Dataset.from_frames(u.tables())
    whole = rules.run(data, rules=["zero_consumption"])
    source = MemorySource(data, bills_per_part=36)  # one customer's bills a part
    assert len(source.partitions) == 3
    plan = plan_run(
        source.periods(),
        source.profile(),
        None,
        ["zero_consumption"],
        None,
        extracted_on=source.latest_date,
    )
    parts = combine(plan, run_parts_locally(source, plan), [])
    pd.testing.assert_frame_equal(parts, whole)
    assert whole["customer_id"].tolist() == ["b_shop"]
    assert whole.iloc[0]["revenue_impact"] == pytest.approx(9600.0)
    assert parts.attrs["notes"] == []


def test_one_bill_missing_in_another_year_does_not_make_a_pump_fire_zero_consumption():
    """A month read with the next (双月抄表) leaves one month without a bill: no evidence
    against an off-season, as unbilled_account lists no gap shorter than its min_months (2)."""
    u = _utility()
    # An irrigation pump at 0 kWh every November-March, 2023-02 billed with March: 2024-11..
    # 2025-03 was found at 13,700 kWh / 12 months × 5 × 0.4 = ¥2,283.33.
    kwh = list(PUMP * 3)
    kwh[1] = None
    _billed(u, "pump", kwh, usage_type="agricultural", tariff_category="AGR")
    assert run(u, ["zero_consumption", "unbilled_account"]).empty


def test_two_bills_missing_in_another_year_do_stand_against_a_pump_s_off_season():
    """Near miss: no bill 2024-01..2024-02, two months in a row (unbilled_account's min_months)."""
    u = _utility()
    kwh = list(PUMP * 3)
    kwh[12] = kwh[13] = None
    _billed(u, "pump", kwh, usage_type="agricultural", tariff_category="AGR")
    found = run(u, "zero_consumption")
    assert found["customer_id"].tolist() == ["pump"]
    assert (found.iloc[0]["period_from"], found.iloc[0]["period_to"]) == ("2024-11", "2025-03")
    # Its 12 months before, 2023-11..2024-10, billed 13,700 kWh in 10 bills: 1,370 kWh a month,
    # × 5 months × 0.4 = ¥2,740.00.
    assert found.iloc[0]["revenue_impact"] == pytest.approx(2740.0)


@pytest.mark.parametrize("rule_id", ["unbilled_account", "zero_consumption"])
def test_a_removal_registered_again_a_month_past_each_term_does_not_restart_its_allowance(
    rule_id: str,
):
    """Removals 2024-03, 2024-10, 2025-05 and 2025-12, the meter never back: each order came one
    month past the term before (2024-09, 2025-04, 2025-11 unexcused, each a run shorter than
    zero_consumption's min_months: nothing was found). One removal: 2024-03..08 excused, then
    16 months × 3,000 kWh × 0.8 = ¥38,400.00."""
    u = _utility()
    away = [None] * 22 if rule_id == "unbilled_account" else [0] * 22
    _billed(u, "shop", [3000] * 14 + away)
    for month in ("2024-03-01", "2024-10-01", "2025-05-01", "2025-12-01"):
        u.order("shop", "meter_removal", month, issued=month)
    findings = run(u, rule_id)
    assert findings["customer_id"].tolist() == ["shop"]
    assert (findings["period_from"].iat[0], findings["period_to"].iat[0]) == ("2024-09", "2025-12")
    assert findings["revenue_impact"].iat[0] == pytest.approx(16 * 2_400.00)


@pytest.mark.parametrize(
    ("rule_id", "first_month", "revenue"),
    [("unbilled_account", "2024-09", (3 + 7) * 2_400.00), ("zero_consumption", "2025-06", 0.0)],
)
def test_a_removal_min_months_past_the_term_before_does_start_its_own(
    rule_id: str, first_month: str, revenue: float
):
    """Near miss: removals 2024-03 and 2024-12, the meter never back: 2024-09..11, three months
    (zero_consumption's min_months) between the terms, are a run of their own; the second
    removal excuses 2024-12..2025-05, and 2025-06..12 (7 months) are past it. unbilled_account
    lists both runs, (3 + 7) × 3,000 kWh × 0.8 = ¥24,000.00; zero_consumption the longest,
    priced at the 0 kWh a month of the 12 months before it: ¥0.00 (one removal, 2024-09..
    2025-12, would be ¥38,400.00 in both)."""
    u = _utility()
    away = [None] * 22 if rule_id == "unbilled_account" else [0] * 22
    _billed(u, "shop", [3000] * 14 + away)
    for month in ("2024-03-01", "2024-12-01"):
        u.order("shop", "meter_removal", month, issued=month)
    findings = run(u, rule_id)
    assert findings["customer_id"].tolist() == ["shop"]
    assert (findings["period_from"].iat[0], findings["period_to"].iat[0]) == (
        first_month,
        "2025-12",
    )
    assert findings["revenue_impact"].iat[0] == pytest.approx(revenue)


def _district_of_homes(u: Utility, homes: int) -> None:
    """`homes` more households billed 150 kWh every month: a district of some size."""
    for index in range(homes):
        u.customer(f"home{index}")
        u.monthly(f"home{index}", [150.0] * 36, periods=THREE_YEARS)


def test_one_stray_0_kwh_bill_does_not_take_a_district_s_off_season_excuse():
    """A district whose system exports no bill at 0 kWh keeps the excuse beside one shop's
    single 0 kWh bill: 1 of its 41 × 36 + 3 × 12 + 36 = 1,548 bills in the window (0.06%), under
    unbilled_account's min_zero_bill_share (0.1%). Three resorts closed October-May, unbilled
    those months each year, were 3 × 3 years × 8 months × ¥4,000.00 (their median bill of
    5,000 kWh × 0.8) = ¥288,000.00."""
    u = _utility()
    _district_of_homes(u, 40)
    for resort in ("resort1", "resort2", "resort3"):
        _billed(u, resort, _no_bill_at_zero(RESORT * 3))
    shop = [3000] * 36
    shop[29] = 0  # 2025-06, a holiday closure
    _billed(u, "shop", shop)
    assert run(u, ["unbilled_account", "zero_consumption"]).empty


def test_a_share_of_0_kwh_bills_does_take_a_district_s_off_season_excuse():
    """Near miss: two shops closed each June, billed 0 kWh: 6 of the district's 41 × 36 +
    3 × 12 + 2 × 36 = 1,584 bills (0.38% ≥ 0.1%). The district bills idle months, so the
    resorts' missing months are bills missing: 3 resorts × 3 years × 8 months × ¥4,000.00 =
    ¥288,000.00."""
    u = _utility()
    _district_of_homes(u, 40)
    for resort in ("resort1", "resort2", "resort3"):
        _billed(u, resort, _no_bill_at_zero(RESORT * 3))
    for shop_id in ("shop1", "shop2"):
        shop = [3000] * 36
        shop[5] = shop[17] = shop[29] = 0
        _billed(u, shop_id, shop)
    findings = run(u, "unbilled_account")
    assert sorted(findings["customer_id"]) == ["resort1", "resort2", "resort3"]
    assert findings["revenue_impact"].sum() == pytest.approx(288_000.00)


def _alternating(kwh: float, months: int) -> list[float | None]:
    """`months` months billed `kwh`, no bill, `kwh`, no bill ... from the first."""
    return [None if at % 2 else kwh for at in range(months)]


def test_a_customer_alternating_a_0_kwh_bill_and_no_bill_does_fire_zero_consumption():
    """A shop at 100 kWh a month, then all 2024 billed 0 kWh in January, March ... November and
    not billed in February, April ... December; back to 100 kWh in 2025. No gap reaches
    unbilled_account's min_months (2), and no run of zero bills zero_consumption's (3): both
    missed it. Its zeros joined over the single months without a bill are 2024-01..11, 11
    months (score 0.5 + 0.5 × 11 / 12 = 0.9583). Read monthly before, each zero bill after a
    month with no bill covers that month too (its registers did not move): the 11 months at
    the 100 kWh a month of the 12 months before × 0.8, 11 × ¥80.00 = ¥880.00, as 11 zero bills
    would be (¥480.00 before, the six bills alone)."""
    u = _utility()
    _billed(u, "shop", [100] * 12 + _alternating(0, 12) + [100] * 12)
    # Near miss: gaps of two months (unbilled_account's min_months) between its 0 kWh bills of
    # 2025 stay unbilled_account's runs, 2025-02..03, 05..06, 08..09, 11..12: 8 months at its
    # median bill, 100 kWh × 0.8 = ¥80.00: ¥640.00.
    _billed(u, "gaps", [100] * 24 + [0, None, None] * 4)
    # Near miss: a pump whose off-season, November-March every year, alternates a 0 kWh bill and
    # no bill: the same months idle every year, and use the rest of it (`idle.off_seasons`).
    pump = [None if k == 0 and at % 2 else k for at, k in enumerate(PUMP)]
    _billed(u, "pump", pump * 3, usage_type="agricultural", tariff_category="AGR")
    # Near miss: a registered meter removal (暂拆) from 2024-03-01 excuses 2024-03..08, billed
    # 0 kWh and not at all by turns; the meter back with use from 2024-09.
    _billed(u, "removed", [100] * 14 + _alternating(0, 6) + [100] * 16)
    u.order("removed", "meter_removal", "2024-03-01", issued="2024-02-20")
    # Near miss: a district read every other month (双月抄表): each customer billed in the odd
    # months only, its district billing nothing in the even ones.
    for customer_id in ("north1", "north2"):
        _billed(u, customer_id, _alternating(200, 36), district="城北")
    findings = run(u, ["unbilled_account", "zero_consumption"])
    found = findings.set_index(["rule_id", "customer_id"])
    assert sorted(found.index) == [("unbilled_account", "gaps"), ("zero_consumption", "shop")]
    shop = found.loc[("zero_consumption", "shop")]
    assert (shop["period_from"], shop["period_to"]) == ("2024-01", "2024-11")
    assert shop["score"] == pytest.approx(0.9583, abs=1e-4)
    assert shop["revenue_impact"] == pytest.approx(11 * 80.00)
    assert "0 kWh in 11 consecutive months 2024-01..2024-11" in shop["evidence"]
    assert "5 months of them with no bill" in shop["evidence"]
    assert "read monthly and the next bill's registers unmoved" in shop["evidence"]
    # Its next bill, the first with use, is January 2025 (December had none; "2024-12" before).
    assert "use came back in 2025-01 with no meter replaced" in shop["evidence"]
    assert found.loc[("unbilled_account", "gaps"), "revenue_impact"] == pytest.approx(640.00)


def test_a_district_read_every_other_month_with_every_bill_at_0_kwh_is_a_run_of_zeros():
    """Read every other month, a customer billed 0 kWh on each of its bills used nothing for as
    long as a customer read monthly billed 0 kWh twelve times: 2025-01..11, 11 months
    (0.9583), its six bills priced at the 200 kWh a bill of the 12 months before × 0.8:
    6 × ¥160.00 = ¥960.00. Its district's other customer, at 200 kWh a bill, is found by
    neither rule."""
    u = _utility()
    _billed(u, "north1", _alternating(200, 36), district="城北")
    _billed(u, "north2", _alternating(200, 24) + _alternating(0, 12), district="城北")
    findings = run(u, ["unbilled_account", "zero_consumption"])
    assert findings[["rule_id", "customer_id"]].values.tolist() == [["zero_consumption", "north2"]]
    found = findings.iloc[0]
    assert (found["period_from"], found["period_to"]) == ("2025-01", "2025-11")
    assert found["revenue_impact"] == pytest.approx(6 * 160.00)
    assert "read every other month: priced in the next bill's estimate" in found["evidence"]


def test_a_customer_read_every_other_month_is_said_to_use_its_kwh_a_month_not_a_bill():
    """Read every other month at 200 kWh a bill, then 0 kWh on each bill of 2025: the money is
    one estimate a bill, 6 × 200 kWh × 0.8 = ¥960.00, and the evidence gives the use a month,
    200 kWh a bill over 2 months = 100 kWh (it said "used 200 kWh a month"). Near miss: a shop
    read monthly at 100 kWh is said to use 100 kWh a month."""
    u = _utility()
    _billed(u, "north2", _alternating(200, 24) + _alternating(0, 12), district="城北")
    _billed(u, "shop", [100] * 24 + [0] * 12)
    found = run(u, "zero_consumption").set_index("customer_id")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"north2": 6 * 160.00, "shop": 12 * 80.00}
    )
    for customer_id in ("north2", "shop"):
        evidence = found.loc[customer_id, "evidence"]
        assert "it used 100 kWh a month in the 12 months before" in evidence
    zh = rules.evidence_text(run(u, "zero_consumption"), "zh")
    assert all("此前 12 个月月均用电 100 千瓦时" in text for text in zh)


@pytest.mark.parametrize(
    ("closed_junes", "revenue"),
    [
        # One holiday bill at 0 kWh (2025-06): 1 of the district's 3 × 36 + 12 + 36 = 156 bills,
        # 0.64%, above min_zero_bill_share (0.1%) but fewer than min_zero_bills (3): the resort's
        # winters unbilled stay its off-season (was ¥96,000.00).
        ((2025,), 0.0),
        ((2024, 2025), 0.0),
        # Near miss: three Junes at 0 kWh (3 of 156, 1.9%): the district bills idle months, so
        # the resort's 24 months unbilled are bills missing at its median bill, 5,000 kWh × 0.8
        # = ¥4,000.00: 24 × ¥4,000.00 = ¥96,000.00.
        ((2023, 2024, 2025), 96_000.00),
    ],
)
def test_a_five_customer_district_needs_min_zero_bills_as_well_as_the_share(
    closed_junes: tuple[int, ...], revenue: float
):
    """A district of five customers: three households, a resort closed October-May and
    unbilled those months every year, and a shop at 3,000 kWh a month closed some Junes."""
    u = _utility()
    _district_of_homes(u, 2)
    _billed(u, "resort", _no_bill_at_zero(RESORT * 3))
    shop = [3000] * 36
    for year in closed_junes:
        shop[12 * (year - 2023) + 5] = 0
    _billed(u, "shop", shop)
    findings = run(u, ["unbilled_account", "zero_consumption"])
    assert findings["customer_id"].tolist() == (["resort"] if revenue else [])
    assert findings["revenue_impact"].sum() == pytest.approx(revenue)


def test_a_monthly_customer_alternating_0_kwh_and_no_bill_is_priced_as_one_with_every_bill_at_0():
    """Two shops at 100 kWh a month in 2023, at zero 2024-01..11: "every" billed 0 kWh each
    month, "alt" billed 0 kWh in the odd months and nothing in the even ones. Both 11 months
    at the usual 100 kWh × 0.8 = ¥80.00 a month: 11 × ¥80.00 = ¥880.00 each (alt was ¥480.00,
    its six bills alone). Near miss: a shop already billed every other month in 2023 (200 kWh a
    bill) keeps one estimate a bill, 6 × 200 × 0.8 = ¥960.00; one connected 2024-01 has no
    bill to price from: ¥0.00, its evidence saying nothing of how its gaps are read."""
    u = _utility()
    _billed(u, "every", [100] * 12 + [0] * 11 + [100] * 13)
    _billed(u, "alt", [100] * 12 + _alternating(0, 11) + [100] * 13)
    _billed(u, "bimonthly", _alternating(200, 12) + _alternating(0, 11) + [100] * 13)
    _billed(u, "new", [None] * 12 + _alternating(0, 11) + [100] * 13,
            connection_date=pd.Timestamp("2024-01-01"))  # fmt: skip
    found = run(u, "zero_consumption").set_index("customer_id")
    assert sorted(found.index) == ["alt", "bimonthly", "every", "new"]
    assert found.loc["new", "revenue_impact"] == 0.0
    assert "5 months of them with no bill (fewer in a row" in found.loc["new", "evidence"]
    assert "read" not in found.loc["new", "evidence"]
    assert found.loc["every", "revenue_impact"] == pytest.approx(11 * 80.00)
    assert found.loc["alt", "revenue_impact"] == pytest.approx(11 * 80.00)
    assert found.loc["bimonthly", "revenue_impact"] == pytest.approx(6 * 160.00)


def test_a_monthly_customer_with_months_stopped_by_an_order_before_the_run_is_read_monthly():
    """Shops at 100 kWh a month alternating a 0 kWh bill and no bill 2024-01..11, "suspended"
    with 2023-03..08 under a suspension (billed 0 kWh), "removed" at zero 2024-01..06 under a
    registered meter removal and alternating 2024-07..11: the stopped months are no measure of
    the cadence either, so each is read monthly (6 bills in 6 months not stopped, 1 a month)
    and priced for its gap months: suspended 11 × 100 kWh × 0.8 = ¥880.00 (was ¥480.00, its six
    bills "read every other month": 12 months / 6 bills), removed 5 × ¥80.00 = ¥400.00 (was
    ¥240.00, its three bills). Near miss: "bimonthly", billed every other month in 2023 with
    no order, keeps one estimate a bill: 6 × 200 × 0.8 = ¥960.00."""
    u = _utility()
    _billed(u, "suspended", [100] * 2 + [0] * 6 + [100] * 4 + _alternating(0, 12) + [100] * 12)
    u.order("suspended", "suspension", "2023-03-01")
    u.order("suspended", "resumption", "2023-09-01")
    _billed(u, "removed", [100] * 12 + [0] * 6 + _alternating(0, 5) + [100] * 13)
    u.order("removed", "meter_removal", "2024-01-01", issued="2023-12-20")
    _billed(u, "bimonthly", _alternating(200, 12) + _alternating(0, 11) + [100] * 13)
    found = run(u, "zero_consumption").set_index("customer_id")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"suspended": 880.00, "removed": 400.00, "bimonthly": 960.00}
    )
    assert (
        "read monthly and the next bill's registers unmoved" in found.loc["suspended", "evidence"]
    )
    assert "read monthly and the next bill's registers unmoved" in found.loc["removed", "evidence"]


def test_a_suspended_month_joins_no_run_of_zeros_whether_billed_0_kwh_or_not_billed():
    """A shop at 100 kWh a month, at zero 2024-01..04 with February under a suspension (暂停
    2024-02-01, resumed 2024-03-01): "billed0" has a 0 kWh bill for February, "nobill" none.
    The suspended month breaks the run either way: 2024-01 alone and 2024-03..04 (two months),
    both shorter than min_months (3), so neither is listed (nobill was 2024-01..04, ¥240.00).
    Near miss: the same unbilled February with no order is one run, 2024-01..04, read monthly
    and so priced for its four months: 4 × 100 kWh × 0.8 = ¥320.00."""
    u = _utility()
    _billed(u, "billed0", [100] * 12 + [0, 0, 0, 0] + [100] * 20)
    _billed(u, "nobill", [100] * 12 + [0, None, 0, 0] + [100] * 20)
    _billed(u, "no_order", [100] * 12 + [0, None, 0, 0] + [100] * 20)
    for customer_id in ("billed0", "nobill"):
        u.order(customer_id, "suspension", "2024-02-01")
        u.order(customer_id, "resumption", "2024-03-01")
    findings = run(u, ["zero_consumption", "unbilled_account"])
    assert findings[["rule_id", "customer_id"]].values.tolist() == [
        ["zero_consumption", "no_order"]
    ]
    found = findings.iloc[0]
    assert (found["period_from"], found["period_to"]) == ("2024-01", "2024-04")
    assert found["revenue_impact"] == pytest.approx(4 * 80.00)


#: A pump off January-March every year, 500-3,000 kWh a month the rest of it.
WINTER_PUMP = [0, 0, 0, 800, 1500, 2500, 3000, 3000, 2000, 900, 500, 500]


@pytest.mark.parametrize("winter_2023", [0, None])
@pytest.mark.parametrize("order", ["suspension", "meter_removal"])
def test_a_winter_stopped_by_an_order_once_does_not_take_the_off_season_of_the_others(
    order: str, winter_2023: int | None
):
    """A pump at zero January-March each year, its winter 2023 under a suspension (resumed
    2023-04-01) or a registered meter removal, billed 0 kWh or not billed: a month under an
    order is neither idle nor against an off-season, and 2024 is alike: 2025-01..03 stays an
    off-season either way (was listed at 1,225 kWh a month × 0.40 × 3 = ¥1,470.00). Near
    miss: a pump with no year before the suspended one has no year alike, its 2025-01..03 is
    listed (the 12 months before, its stopped winter no measure: 14,700 kWh / 9 = 1,633.33 kWh
    a month × 0.40 × 3 = ¥1,960.00)."""
    u = _utility()
    winter = [winter_2023] * 3 + WINTER_PUMP[3:]
    agricultural = {"usage_type": "agricultural", "tariff_category": "AGR"}
    _billed(u, "pump", winter + WINTER_PUMP * 2, **agricultural)
    _billed(u, "new_pump", [None] * 12 + winter + WINTER_PUMP, **agricultural)
    for customer in ("pump", "new_pump"):
        start = "2023-01-01" if customer == "pump" else "2024-01-01"
        if order == "suspension":
            u.order(customer, "suspension", start)
            u.order(customer, "resumption", start.replace("-01-01", "-04-01"))
        else:
            issued = "2022-12-20" if customer == "pump" else "2023-12-20"
            u.order(customer, "meter_removal", start, issued=issued)
    found = run(u, "zero_consumption")
    assert found["customer_id"].tolist() == ["new_pump"]
    assert (found.iloc[0]["period_from"], found.iloc[0]["period_to"]) == ("2025-01", "2025-03")
    assert found.iloc[0]["revenue_impact"] == pytest.approx(1_960.00)


@pytest.mark.parametrize("latest_winter", [0, None])
def test_a_suspension_open_over_the_latest_winter_does_not_take_the_earlier_off_seasons(
    latest_winter: int | None,
):
    """A pump off November-March every year, suspended from 2025-11-01 and still suspended at
    the audit month, November-December 2025 billed 0 kWh or not billed: 2024-11..2025-03 has
    2023-11..2024-03 alike and 2025-11.. neither: an off-season (was listed at ¥2,283.33)."""
    u = _utility()
    _billed(
        u,
        "pump",
        PUMP * 2 + PUMP[:10] + [latest_winter] * 2,
        usage_type="agricultural",
        tariff_category="AGR",
    )
    u.order("pump", "suspension", "2025-11-01")
    assert run(u, "zero_consumption").empty


def test_an_unbilled_winter_suspended_once_does_not_take_the_off_season_of_the_others():
    """A pump with no bill November-March every year (its district issues no 0 kWh bill), its
    winter 2023 under a suspension (2023-01-01, resumed 2023-04-01): the suspended months are
    neither idle nor against a season, 2024-11..2025-03 has 2023-11..2024-03 alike: no
    unbilled_account (was 2 × 5 months × ¥800.00 = ¥8,000.00). Near miss: a shop at 3,000 kWh
    a month with the same suspension, unbilled January-March 2025, used them in 2024:
    3 × 3,000 kWh × 0.80 = ¥7,200.00."""
    u = _utility()
    _billed(
        u,
        "pump",
        _no_bill_at_zero(PUMP * 3),
        usage_type="agricultural",
        tariff_category="AGR",
    )
    _billed(u, "shop", [3000] * 24 + [None] * 3 + [3000] * 9)
    for customer in ("pump", "shop"):
        u.order(customer, "suspension", "2023-01-01")
        u.order(customer, "resumption", "2023-04-01")
    found = run(u, "unbilled_account")
    assert found["customer_id"].tolist() == ["shop"]
    assert found.iloc[0]["revenue_impact"] == pytest.approx(7_200.00)

"""Change-of-use rules: work-order lifecycle, orders not applied, billing changes with no order."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from itemized_builder import WITH_SINGLE_PART_IND, Itemized
from rule_builder import (
    COMMERCIAL,
    PERIODS,
    TWO_PART,
    TWO_PART_BY_CAPACITY,
    WHOLE_DATA,
    Utility,
    flat,
    run,
    with_ind1,
)

from auditkit import rules
from auditkit.data import Dataset
from auditkit.rules.change_of_use import _previous_known


def test_order_stalled_late_step_and_missing_step_past_its_limit():
    u = Utility()
    for cid in ("late", "missing", "quick", "recent"):
        u.customer(cid)
        u.monthly(cid, flat(100))
    # Issued Friday 1 March, transferred Sunday 10 March: Mon 4 .. Fri 8 are 5 working days.
    u.order("late", "meter_replacement", "2024-03-20", issued="2024-03-01", steps=(9, 1, 1))
    u.order(
        "missing",
        "tariff_change",
        "2024-11-20",
        "RES",
        "RES",
        issued="2024-11-01",
        steps=(1, None, None),
    )
    u.order("quick", "meter_replacement", "2024-10-20", issued="2024-10-01", steps=(2, 4, 9))
    u.order("recent", "meter_replacement", "2025-01-20", issued="2024-12-27", steps=(2, None, None))
    findings = run(u, "order_stalled")
    assert sorted(findings["customer_id"]) == ["late", "missing"]
    evidence = findings.set_index("customer_id")["evidence"]
    assert "transferred late 2 working days over the limit" in evidence["late"]
    # Transferred Saturday 2 Nov; the data's latest date is Sunday 29 Dec (the recent order's
    # transfer): 8 weeks of 5 working days, 40 against a 5-day limit.
    assert "registered missing 35 working days over the limit" in evidence["missing"]
    assert (findings["revenue_impact"] == 0).all()


def test_order_not_applied_tariff_change_still_billed_old_tariff():
    u = Utility()
    u.customer("stale", usage_type="commercial", tariff_category="COM")
    u.monthly("stale", flat(100), tariff="RES")
    u.order("stale", "tariff_change", "2024-07-01", "RES", "COM")
    u.customer("applied", usage_type="commercial", tariff_category="COM")
    u.monthly("applied", flat(100), tariff=["RES"] * 6 + ["COM"] * 6)
    u.order("applied", "tariff_change", "2024-07-01", "RES", "COM")
    u.customer("one month late", usage_type="commercial", tariff_category="COM")
    u.monthly("one month late", flat(100), tariff=["RES"] * 7 + ["COM"] * 5)
    u.order("one month late", "tariff_change", "2024-07-01", "RES", "COM")
    findings = run(u, "order_not_applied")
    # A month of grace for billing to follow: July on RES alone is no finding.
    assert findings["customer_id"].tolist() == ["stale"]
    # Not applied: every bill from the effective month on was under-billed, July included,
    # July to December, 100 kWh at 0.8 instead of 0.6.
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(6 * 100 * (0.8 - 0.6))
    assert findings.iloc[0]["period_from"] == "2024-07"
    assert "6 bills 2024-07..2024-12 still use RES" in findings.iloc[0]["evidence"]


def test_an_order_not_applied_covers_bills_by_their_read_dates_and_splits_the_one_across_it():
    """Shops on RES (0.6 from July) due COM (0.8) by an order, billed RES all year, 100 kWh a
    month. `mid_month`, calendar reads, order from 16 July: July's bill split as a bill splits
    it, q_old = round(100 × 15 / 31, 2) = 48.39 on RES, 51.61 × (0.8 − 0.6) = 10.322 → 10.32;
    August to December 5 × 20.00: 110.32 (not 120.00, July whole). `read_25th`, read on the
    25th, order from 28 July: July's bill (06-25..07-24) ends before it and is not counted;
    August's (07-25..08-24, 31 days) q_old = round(100 × 3 / 31, 2) = 9.68 at 0.6 = 5.81,
    90.32 × 0.8 = 72.26 against 60.00 billed: 18.07 (the bill split there charges 78.07; not
    90.32 × 0.2 = 18.064 → 18.06); September to December 4 × 20.00: 98.07 over 5 bills."""
    u = Utility()
    for cid, effective in (("mid_month", "2024-07-16"), ("read_25th", "2024-07-28")):
        u.customer(cid, usage_type="commercial", tariff_category="COM")
        bills = u.monthly(cid, flat(100), tariff="RES")
        u.order(cid, "tariff_change", effective, "RES", "COM")
    for bill in bills:  # read_25th's: the 25th of the month before to the 24th
        read_to = pd.Timestamp(f"{bill['period']}-24")
        bill["read_from"], bill["read_to"] = read_to - pd.DateOffset(months=1, days=-1), read_to
    found = run(u, "order_not_applied").set_index("customer_id")
    assert found.loc["mid_month", "revenue_impact"] == pytest.approx(110.32, abs=0.005)
    assert found.loc["read_25th", "revenue_impact"] == pytest.approx(98.07, abs=0.005)
    assert found.loc["read_25th", "evidence"].endswith(
        "yet 5 bills 2024-08..2024-12 still use RES (¥98.07)"
    )


def _read_25th(u: Itemized, customer_id: str, tariff: str, march: list[tuple]) -> None:
    """`customer_id` billed on `tariff` over two bills read on the 25th: March (02-25..03-24,
    29 days, 290 kWh, `march` its lines) and April (03-25..04-24, 300 kWh)."""
    fund = 0.03 if tariff == "IND" else 0.0
    rate = 0.65 if tariff == "IND" else 0.90
    reads = (("2024-03", 290, march, "2024-02-25", "2024-03-24"),
             ("2024-04", 300, [("energy", 300.0, rate)], "2024-03-25", "2024-04-24"))  # fmt: skip
    for period, kwh, lines, read_from, read_to in reads:
        funds = [("fund", float(kwh), fund)] if fund else []
        u.bill(customer_id, period, kwh, [*lines, *funds], tariff=tariff,
               read_from=pd.Timestamp(read_from), read_to=pd.Timestamp(read_to))  # fmt: skip


def _order(u: Itemized, customer_id: str, effective: str, old: str, new: str) -> None:
    """A tariff_change order `old` → `new` of `customer_id`, in force from `effective`."""
    u.orders.append(
        {
            "order_id": f"T-{customer_id}",
            "customer_id": customer_id,
            "order_type": "tariff_change",
            "issued_at": pd.Timestamp(effective) - pd.Timedelta(days=10),
            "effective_date": pd.Timestamp(effective),
            "old_value": old,
            "new_value": new,
        }
    )


def test_a_bill_read_across_an_order_prices_each_line_over_its_own_days():
    """IND 0.65 + funds 0.03 all along; COM 0.80 to 03-15, 0.90 from 03-16, no funds. March's
    bill reads 02-25..03-24 (29 days, 290 kWh), April's 300 kWh at 0.90 on COM.

    `mid`, billed IND, order IND → COM from 03-10: its line (188.50) splits at the order by
    its 29 days, 14 before: round(290 × 14 / 29, 2) = 140.00 stay at 0.65 (91.00), 150.00
    from 03-10 on COM, split at COM's change by their 15 days, 6 before: 60.00 × 0.80 = 48.00
    + 90.00 × 0.90 = 81.00; energy 91.00 + 129.00 − 188.50 = 31.50. The funds (none on COM,
    −8.70) by the kWh from the order: −8.70 × 150 / 290 = −4.50. March 27.00 (the whole
    bill's 52.50 − 8.70 = 43.80 × 150 / 290 said 22.66), April 75.00 − 9.00 = 66.00: 93.00.

    `split`, billed COM (its lines split at 03-16 by read days: round(290 × 20 / 29, 2) =
    200.00 × 0.80 = 160.00, 90.00 × 0.90 = 81.00), order COM → IND from 03-20: the first line
    (02-25..03-15) wholly before it; the second (9 days, 4 before) keeps round(90 × 4 / 9, 2)
    = 40.00 × 0.90 = 36.00, 50.00 on IND 32.50 for 45.00 billed: −12.50; funds 8.70 × 50 /
    290 = 1.50 (50 of 290 kWh from 03-20: 240.00 before). March −11.00 (whole −43.80 × 50 /
    290 said −7.55), April −75.00 + 9.00 = −66.00: over-billed 77.00, a refund.

    The near miss `first_day`, as `mid` from 02-25, the read period's first day: March whole,
    43.80 + 66.00 = 109.80."""
    u = Itemized()
    ind_march = [("energy", 290.0, 0.65)]
    com_march = [("energy", 200.0, 0.80), ("energy", 90.0, 0.90)]
    for customer_id, archive, tariff, march, effective in (
        ("mid", "COM", "IND", ind_march, "2024-03-10"),
        ("split", "IND", "COM", com_march, "2024-03-20"),
        ("first_day", "COM", "IND", ind_march, "2024-02-25"),
    ):
        usage = "industrial" if archive == "IND" else "commercial"
        u.customer(customer_id, tariff_category=archive, usage_type=usage)
        _read_25th(u, customer_id, tariff, march)
        _order(u, customer_id, effective, tariff, archive)
    tables = u.tables() | {"tariffs": WITH_SINGLE_PART_IND}
    found = rules.run(Dataset.from_frames(tables), rules="order_not_applied", as_of="2024-04")
    found = found.set_index("customer_id")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"mid": 93.00, "split": 0.0, "first_day": 109.80}, abs=0.005
    )
    assert found.loc["split", "evidence"].endswith(
        "over-billed ¥77.00 (to refund, not counted as revenue)"
    )


def test_an_order_to_a_cheaper_tariff_not_applied_is_reported_as_a_refund():
    """A shop turned farm: order COM → AGR from July, billed on COM (0.8) all year where AGR
    (0.4) is due: 6 bills × 100 kWh × 0.4 = 240.00 over-billed, a refund as the line rules
    report one (no revenue), not "(¥0.00)". The near miss: an order RES → COM not applied
    still counts its 6 × 100 × 0.2 = 120.00 as before."""
    u = Utility()
    u.customer("farm", usage_type="agricultural", tariff_category="AGR")
    u.monthly("farm", flat(100), tariff="COM")
    u.order("farm", "tariff_change", "2024-07-01", "COM", "AGR")
    u.customer("shop", usage_type="commercial", tariff_category="COM")
    u.monthly("shop", flat(100), tariff="RES")
    u.order("shop", "tariff_change", "2024-07-01", "RES", "COM")
    found = run(u, "order_not_applied").set_index("customer_id")
    assert found.loc["farm", "revenue_impact"] == 0.0
    assert found.loc["farm", "evidence"] == (
        "order WO0001 (tariff_change COM→AGR) took effect in 2024-07, yet 6 bills "
        "2024-07..2024-12 still use COM; over-billed ¥240.00 (to refund, not counted as revenue)"
    )
    chinese = rules.evidence_text(found.loc[["farm"]].reset_index(), "zh").iat[0]
    assert chinese.endswith("多计 240.00 元（应退补，不计入涉及电费）")
    assert found.loc["shop", "revenue_impact"] == pytest.approx(120.00)
    assert found.loc["shop", "evidence"].endswith("still use RES (¥120.00)")


def test_two_orders_in_one_read_period_name_the_tariff_the_bills_are_billed_on():
    """A house ordered RES → COM from 1 July and COM → AGR from 15 July, billed RES all year:
    the July..December bills are under the second order, whose old tariff (COM) no bill uses;
    the sentence names RES, the tariff billed. The near miss: one order RES → COM from July
    names RES, its old tariff and the tariff billed alike."""
    u = Utility()
    u.customer("farm", usage_type="agricultural", tariff_category="AGR")
    u.monthly("farm", flat(100), tariff="RES")
    u.order("farm", "tariff_change", "2024-07-01", "RES", "COM")
    u.order("farm", "tariff_change", "2024-07-15", "COM", "AGR")
    u.customer("shop", usage_type="commercial", tariff_category="COM")
    u.monthly("shop", flat(100), tariff="RES")
    u.order("shop", "tariff_change", "2024-07-01", "RES", "COM")
    found = run(u, "order_not_applied").set_index("customer_id")["evidence"]
    assert found["farm"].startswith(
        "order WO0002 (tariff_change COM→AGR) took effect in 2024-07, yet 6 bills "
        "2024-07..2024-12 still use RES"
    )
    assert found["shop"].startswith(
        "order WO0003 (tariff_change RES→COM) took effect in 2024-07, yet 6 bills "
        "2024-07..2024-12 still use RES"
    )
    farm = run(u, "order_not_applied").query("customer_id == 'farm'")
    assert "共 6 期账单仍按 RES 计费" in rules.evidence_text(farm, "zh").iat[0]


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_two_orders_in_one_read_period_price_each_ones_days_at_its_tariff(itemized: bool):
    """Houses on RES (0.6 from July) billed RES all year, 100 kWh a bill, read on the 25th.

    `both_inside`: RES → AGR (0.4) from 28 September, AGR → COM (0.8) from 10 October.
    October's bill (09-25..10-24, 30 days): 3 days before the first order, round(100 × 3 /
    30, 2) = 10.00 kWh on RES; 15 days before the second, round(100 × 15 / 30, 2) = 50.00, so
    50.00 − 10.00 = 40.00 kWh due AGR: 40 × (0.4 − 0.6) = −8.00; 50.00 due COM: 50 × (0.8 −
    0.6) = 10.00; October 2.00 (only the COM days were priced: 10.00). November and December
    2 × 20.00: 42.00 (was 50.00).

    `earlier_before`: RES → AGR from 1 September, AGR → COM from 10 October. September's bill
    (08-25..09-24, 31 days) keeps round(100 × 7 / 31, 2) = 22.58 on RES, 77.42 × −0.2 =
    −15.484 → −15.48, a refund reported apart (bills netting below nothing are not revenue);
    October's 50.00 kWh before 10 October are due AGR, −10.00, with 10.00 for the COM days:
    0.00 (was 10.00); November and December 40.00 (was 50.00).

    The near miss `one_order`: RES → COM from 10 October alone, 10.00 + 40.00 = 50.00, as
    before."""
    u = Utility()
    for cid, orders in (
        ("both_inside", (("2024-09-28", "RES", "AGR"), ("2024-10-10", "AGR", "COM"))),
        ("earlier_before", (("2024-09-01", "RES", "AGR"), ("2024-10-10", "AGR", "COM"))),
        ("one_order", (("2024-10-10", "RES", "COM"),)),
    ):
        u.customer(cid, usage_type="commercial", tariff_category="COM")
        for bill in u.monthly(cid, flat(100), tariff="RES"):
            read_to = pd.Timestamp(f"{bill['period']}-24")
            bill["read_from"] = read_to - pd.DateOffset(months=1, days=-1)
            bill["read_to"] = read_to
        for effective, old, new in orders:
            u.order(cid, "tariff_change", effective, old, new)
    found = rules.run(with_ind1(u, itemized), rules="order_not_applied")
    assert found.set_index("customer_id")["revenue_impact"].to_dict() == pytest.approx(
        {"both_inside": 42.00, "earlier_before": 40.00, "one_order": 50.00}, abs=0.005
    )
    assert (
        found.set_index("customer_id")
        .loc["earlier_before", "evidence"]
        .endswith("(¥40.00); over-billed ¥15.48 (to refund, not counted as revenue)")
    )


def _read_on_the_25th(u: Utility, cid: str, tariff: str | list[str] = "RES") -> list[dict]:
    """`cid` billed 100 kWh a month on `tariff` (a list: each month's), each bill read from the
    25th to the 24th."""
    bills = u.monthly(cid, flat(100), tariff=tariff)
    for bill in bills:
        read_to = pd.Timestamp(f"{bill['period']}-24")
        bill["read_from"], bill["read_to"] = read_to - pd.DateOffset(months=1, days=-1), read_to
    return bills


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_orders_back_and_forth_inside_one_read_period_price_the_days_between(itemized: bool):
    """Houses archived on RES (0.6 from July), 100 kWh a bill read on the 25th, orders RES →
    COM (0.8) from 5 October and COM → RES from 20 October.

    `back_forth`, billed RES all year: October's bill (09-25..10-24, 30 days) keeps round(100
    × 10 / 30, 2) = 33.33 kWh before 5 October on RES; the days to the 19th take round(100 ×
    25 / 30, 2) − 33.33 = 83.33 − 33.33 = 50.00 kWh due COM: 50 × (0.8 − 0.6) = 10.00; the
    16.67 kWh from the 20th are due RES as billed. 10.00, where the bill, on the tariff of the
    order in force, was no order's and nobody's.

    Near misses: `applied`, October billed COM and RES after: billing applied both orders
    (its 5 RES days on COM are a lag inside the grace), nothing. `reissued`, RES → COM from 5
    October and again from 6 October (a correction), October billed RES and COM from November:
    applied inside the grace, nothing. `over_billed`, as
    `back_forth` but October charged at 0.75 (75.00): its COM days add 10.00 to 60.00 due on
    RES, 70.00 against 75.00, a bill over-billed by 5.00 as a whole (rate_mismatch reports its
    15.00 refund): counting 10.00 here would claim revenue on it, so nothing."""
    u = Utility()
    com = {"tariff_billed": "COM", "energy_rate": 0.8, "energy_charge": 80.0, "amount": 80.0}
    for cid in ("back_forth", "applied", "reissued", "over_billed"):
        u.customer(cid)
        bills = _read_on_the_25th(u, cid)
        october = bills[9]
        if cid == "applied":
            october.update(com)
        if cid == "over_billed":
            october.update(energy_rate=0.75, energy_charge=75.0, amount=75.0)
        u.order(cid, "tariff_change", "2024-10-05", "RES", "COM")
        if cid == "reissued":
            u.order(cid, "tariff_change", "2024-10-06", "RES", "COM")
            for later in bills[10:]:
                later.update(com)
        else:
            u.order(cid, "tariff_change", "2024-10-20", "COM", "RES")
    found = rules.run(with_ind1(u, itemized), rules=["order_not_applied", "rate_mismatch"])
    money = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert money[("back_forth", "order_not_applied")] == pytest.approx(10.00, abs=0.005)
    assert money.get(("applied", "order_not_applied"), 0.0) == 0.0
    assert money.get(("reissued", "order_not_applied"), 0.0) == 0.0
    assert money.get(("over_billed", "order_not_applied"), 0.0) == 0.0
    assert money[("over_billed", "rate_mismatch")] == 0.0  # a refund, reported apart


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_an_order_not_applied_counts_at_most_what_its_bill_lost_as_a_whole(itemized: bool):
    """Houses billed 100 kWh a bill read on the 25th (RES 0.6 from July, COM 0.8, AGR 0.4):
    a tariff order's part of a bill is at most what the bill lost in all.

    `single_over`, RES → COM from 5 October, billed RES at 0.85 from October: October is due
    33.33 × 0.6 + 66.67 × 0.8 = 20.00 + 53.34 = 73.34 against 85.00, November and December
    80.00 against 85.00: every bill over-billed, 0.00 (it counted 13.34 + 20 + 20 = 53.34).
    `sup_over`, RES → COM from 5 October, COM → AGR from 20 October, October billed RES at
    0.75, AGR after: 33.33 × 0.6 + 50.00 × 0.8 + 16.67 × 0.4 = 20.00 + 40.00 + 6.67 = 66.67
    against 75.00, over-billed 8.33: 0.00 (it counted 6.67). `back_forth`, RES → COM from 5
    October, COM → RES from 20 October, October billed RES at 0.65: 33.33 × 0.6 + 50.00 ×
    0.8 + 16.67 × 0.6 = 20.00 + 40.00 + 10.00 = 70.00 against 65.00: lost 5.00 as a whole,
    its COM days' 10.00 capped at 5.00 (it counted 0.00). `july`, RES → COM from 28 June,
    COM → RES from 10 July, billed RES at 0.60: July (06-25..07-24) is due 10 × 0.5 + 10 × 0.8
    + 30 × 0.8 + 50 × 0.6 = 67.00 against 60.00: 7.00 (it counted 0.00: the recomputation on
    RES alone nets 58.00 − 60.00 = −2.00). `skip`, RES → COM from 5 October, COM → AGR from
    20 October, billed AGR from October: its COM days 50.00 kWh × (0.8 − 0.4) = 20.00, the
    bill 66.67 due against 40.00 (it counted nothing: AGR is no order's old tariff).

    Near miss: `single_lost`, as `single_over` billed RES at 0.60: each bill under-billed as a
    whole, 13.34 + 20.00 + 20.00 = 53.34 counted. The refunds stay rate_mismatch's, reported."""
    u = Utility()
    agr = {"tariff_billed": "AGR", "energy_rate": 0.4, "energy_charge": 40.0, "amount": 40.0}
    for cid in ("single_over", "single_lost"):
        u.customer(cid, **COMMERCIAL)
        for bill in _read_on_the_25th(u, cid)[9:]:
            if cid == "single_over":
                bill.update(energy_rate=0.85, energy_charge=85.0, amount=85.0)
        u.order(cid, "tariff_change", "2024-10-05", "RES", "COM")
    for cid in ("sup_over", "skip"):
        u.customer(cid, usage_type="agricultural", tariff_category="AGR")
        bills = _read_on_the_25th(u, cid)
        for bill in bills[9:]:
            bill.update(agr)
        if cid == "sup_over":
            bills[9].update(energy_rate=0.75, energy_charge=75.0, amount=75.0)
        u.order(cid, "tariff_change", "2024-10-05", "RES", "COM")
        u.order(cid, "tariff_change", "2024-10-20", "COM", "AGR")
    u.customer("back_forth")
    _read_on_the_25th(u, "back_forth")[9].update(energy_rate=0.65, energy_charge=65.0, amount=65.0)
    u.order("back_forth", "tariff_change", "2024-10-05", "RES", "COM")
    u.order("back_forth", "tariff_change", "2024-10-20", "COM", "RES")
    u.customer("july")
    _read_on_the_25th(u, "july")
    u.order("july", "tariff_change", "2024-06-28", "RES", "COM")
    u.order("july", "tariff_change", "2024-07-10", "COM", "RES")
    found = rules.run(with_ind1(u, itemized), rules=["order_not_applied", "rate_mismatch"])
    money = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    counted = {
        cid: amount for (cid, rule_id), amount in money.items() if rule_id != "rate_mismatch"
    }
    expected = {"single_over": 0.0, "sup_over": 0.0, "back_forth": 5.00, "july": 7.00}
    assert counted == pytest.approx(expected | {"skip": 20.00, "single_lost": 53.34}, abs=0.005)
    refunds = found[found["rule_id"] == "rate_mismatch"].set_index("customer_id")["evidence"]
    assert "over-billed ¥77.00" in refunds["single_over"]  # Jul 2.00 + Oct–Dec 3 × 25.00


def test_a_bill_stale_by_an_earlier_order_alone_names_that_order():
    """Houses billed RES (0.6), 100 kWh a bill read on the 25th. `back_forth`: WO0001 RES → COM
    from 5 October, WO0002 COM → RES from 20 October, billed RES: the bill is on WO0002's new
    tariff, WO0001 is the order not applied (its COM days, 50.00 × 0.2 = 10.00): the evidence
    names WO0001 (it named WO0002). Near miss: `in_a_row`, WO0003 RES → COM from 5 October,
    WO0004 COM → AGR from 20 October, billed RES: on the old tariff of both, the order in force
    WO0004 is named, as before."""
    u = Utility()
    u.customer("back_forth")
    _read_on_the_25th(u, "back_forth")
    u.order("back_forth", "tariff_change", "2024-10-05", "RES", "COM")
    u.order("back_forth", "tariff_change", "2024-10-20", "COM", "RES")
    u.customer("in_a_row", usage_type="agricultural", tariff_category="AGR")
    _read_on_the_25th(u, "in_a_row")
    u.order("in_a_row", "tariff_change", "2024-10-05", "RES", "COM")
    u.order("in_a_row", "tariff_change", "2024-10-20", "COM", "AGR")
    found = rules.run(u.dataset(), rules=["order_not_applied"]).set_index("customer_id")
    assert "order WO0001 (tariff_change RES→COM)" in found.loc["back_forth", "evidence"]
    assert "order WO0004 (tariff_change COM→AGR)" in found.loc["in_a_row", "evidence"]


def test_an_order_billing_applied_leaves_nothing_to_the_bills_of_the_next_order():
    """Farms archived on AGR (0.4), 100 kWh a bill read on the 25th (RES 0.5 to June, 0.6
    from July; COM 0.8). `two`: WO0001 RES → COM from 5 March, billed COM from April (applied
    inside the grace), WO0002 COM → AGR from 20 October, billed AGR from October. `one`:
    billed COM, WO0003 COM → AGR from 20 October, billed AGR from October. October's bill
    (09-25..10-24) is the same on both: on the tariff in force by its read_to, as the
    recomputation dates the tariff due, nothing. `two` counted 54.03 naming WO0001 "still use
    RES": October's COM days round(100 × 25 / 30, 2) = 83.33 kWh × (0.8 − 0.4) = 33.33, and
    March's lag inside the grace (68.97 kWh from 5 March × (0.8 − 0.5) ≈ 20.70) as if late.
    The same back to the old tariff: `two_back`, as `two` with WO0005 COM → RES from 20 October
    billed RES from October, counted 37.36 naming WO0001; `one_back`, as `one` with WO0006
    COM → RES: nothing on both.

    Near misses: `skipped`, WO0007 RES → COM from 5 October, WO0008 COM → AGR from 20 October,
    billed RES to September and AGR from October: billing never applied WO0007, its COM days
    round(100 × 25 / 30, 2) − round(100 × 10 / 30, 2) = 83.33 − 33.33 = 50.00 kWh × (0.8 −
    0.4) = 20.00, naming it. `reverted`, as `two` billed RES again from October: WO0010 COM →
    AGR not applied, October due 83.33 × 0.8 + 16.67 × 0.4 = 66.66 + 6.67 = 73.33 against
    60.00, 13.33 (November and December 20.00 over-billed each, a refund), naming WO0010, not
    WO0009 billing applied (it counted March's lag too: 34.03)."""
    u = Utility()
    applied_in_april = ("2024-03-05", "RES", "COM")
    for cid, tariffs, orders in (
        ("two", ["RES"] * 3 + ["COM"] * 6 + ["AGR"] * 3,
         (applied_in_april, ("2024-10-20", "COM", "AGR"))),
        ("one", ["COM"] * 9 + ["AGR"] * 3, (("2024-10-20", "COM", "AGR"),)),
        ("two_back", ["RES"] * 3 + ["COM"] * 6 + ["RES"] * 3,
         (applied_in_april, ("2024-10-20", "COM", "RES"))),
        ("one_back", ["COM"] * 9 + ["RES"] * 3, (("2024-10-20", "COM", "RES"),)),
        ("skipped", ["RES"] * 9 + ["AGR"] * 3,
         (("2024-10-05", "RES", "COM"), ("2024-10-20", "COM", "AGR"))),
        ("reverted", ["RES"] * 3 + ["COM"] * 6 + ["RES"] * 3,
         (applied_in_april, ("2024-10-20", "COM", "AGR"))),
    ):  # fmt: skip
        u.customer(cid, usage_type="agricultural", tariff_category="AGR")
        _read_on_the_25th(u, cid, tariffs)
        for effective, old, new in orders:
            u.order(cid, "tariff_change", effective, old, new)
    found = rules.run(u.dataset(), rules=["order_not_applied"]).set_index("customer_id")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"skipped": 20.00, "reverted": 13.33}, abs=0.005
    )
    assert "order WO0007 (tariff_change RES→COM)" in found.loc["skipped", "evidence"]
    assert "order WO0010 (tariff_change COM→AGR)" in found.loc["reverted", "evidence"]
    assert "WO0009" not in found.loc["reverted", "evidence"]


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_an_earlier_orders_days_are_priced_once_to_the_fen(itemized: bool):
    """Farms archived on AGR (0.4), billed RES (0.6) all year, 100 kWh a bill read on the 25th.

    `chain`: orders RES → COM (0.8) from 26 July and COM → AGR from 14 August. August's bill
    (07-25..08-24, 31 days), split at both as a bill splits it: 1 day on RES, round(100 × 1 /
    31, 2) = 3.23 kWh; 19 days on COM, round(100 × 19 / 31, 2) = 61.29 kWh, 61.29 × 0.8 =
    49.032 → 49.03 against what the line billed on them, round(64.52 × 0.6) − round(3.23 ×
    0.6) = 38.71 − 1.94 = 36.77: 12.26; the 35.48 kWh left on AGR, 35.48 × 0.4 = 14.192 →
    14.19 against 60.00 − 38.71 = 21.29: −7.10. August 5.16 (the COM days were the difference
    of two "from this day on" figures rounded apart: 96.77 × 0.8 = 77.42 less 35.48 × 0.8 =
    28.38, 49.04, so 12.27 and 5.17). September to December on AGR, 4 × 20.00 over-billed: a
    refund reported apart.

    The near miss `one_order`: RES → COM from 14 August alone: 35.48 × 0.8 = 28.38 − 21.29 =
    7.09, then 4 × 20.00: 87.09, as before."""
    u = Utility()
    for cid, orders in (
        ("chain", (("2024-07-26", "RES", "COM"), ("2024-08-14", "COM", "AGR"))),
        ("one_order", (("2024-08-14", "RES", "COM"),)),
    ):
        archive = "AGR" if cid == "chain" else "COM"
        u.customer(cid, usage_type="agricultural" if cid == "chain" else "commercial",
                   tariff_category=archive)  # fmt: skip
        _read_on_the_25th(u, cid)
        for effective, old, new in orders:
            u.order(cid, "tariff_change", effective, old, new)
    found = rules.run(with_ind1(u, itemized), rules="order_not_applied")
    found = found.set_index("customer_id")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"chain": 5.16, "one_order": 87.09}, abs=0.005
    )
    assert found.loc["chain", "evidence"].endswith(
        "(¥5.16); over-billed ¥80.00 (to refund, not counted as revenue)"
    )


@pytest.mark.parametrize(("tolerance", "underbilled"), [(None, 2_820.0), (300.0, None)])
def test_a_capacity_order_not_applied_counts_each_month_once_prorated_in_its_first(
    tolerance: float | None, underbilled: float | None
):
    """A 400 kVA factory (30 a kVA) with an increase to 630 kVA from 16 February, billed on 400
    all year; its archive still says 400. February is 15 days on 400 and 14 on 630 (30-day
    months): 494 kVA-months, 94 × 30 = 2,820.00 short; March to December 230 × 30 = 6,900.00
    each: 71,820.00 in all. capacity_underbilled proves February on the capacity its orders put
    on it (the archive is in force after them), and order_not_applied leaves that bill to it; with
    capacity_underbilled's tolerance above the 94 kVA short it finds nothing, and
    order_not_applied prices February itself, prorated the same way. Never 6,900.00 for February,
    never a month twice."""
    u = Utility()
    u.customer("F", contract_capacity_kva=400.0, basic_charge_basis="capacity", **TWO_PART)
    u.monthly(
        "F", flat(100_000), multiplier=1000.0, tariff="IND2", capacity=400.0, basis="capacity"
    )
    u.order("F", "capacity_increase", "2024-02-16", 400, 630)
    params = {} if tolerance is None else {"capacity_underbilled.kva_tolerance": tolerance}
    both = ["order_not_applied", "capacity_underbilled"]
    findings = run(u, both, params=params).set_index("rule_id")
    money = findings["revenue_impact"]
    assert money.get("capacity_underbilled") == (
        None if underbilled is None else pytest.approx(underbilled)
    )
    assert money["order_not_applied"] == pytest.approx(71_820.0 - (underbilled or 0.0))
    said = "the basic charge short on 1 bill is counted under capacity_underbilled"
    assert (said in findings.loc["order_not_applied", "evidence"]) == (underbilled is not None)


def test_a_tariff_order_not_applied_on_a_wrong_archive_is_counted_under_tariff_mismatch():
    """A shop archived on RES (residential's), an order to COM from July, billed RES all year,
    100 kWh a month: order_not_applied lists the order and leaves its six bills to
    tariff_mismatch, which counts them from the start the order dates, July, whatever its
    window: (0.80 − 0.60) × 100 = 20.00 a month, 120.00 (not the data's twelve bills, 300.00).
    Archived on COM, tariff_mismatch finds nothing and the 120.00 is order_not_applied's."""
    for archive, mismatch, not_applied in (("RES", 120.0, 0.0), ("COM", None, 120.0)):
        u = Utility()
        u.customer("shop", usage_type="commercial", tariff_category=archive)
        u.monthly("shop", flat(100), tariff="RES")
        u.order("shop", "tariff_change", "2024-07-01", "RES", "COM")
        findings = run(u, ["tariff_mismatch", "order_not_applied"], params=WHOLE_DATA)
        findings = findings.set_index("rule_id")
        money = findings["revenue_impact"]
        assert money.get("tariff_mismatch") == (
            None if mismatch is None else pytest.approx(mismatch)
        )
        assert money["order_not_applied"] == pytest.approx(not_applied)
        alone = run(u, "order_not_applied")["revenue_impact"]
        assert alone.tolist() == [pytest.approx(not_applied)]  # whatever rules run
        said = "the tariff difference of 6 bills is counted under tariff_mismatch"
        assert (said in findings.loc["order_not_applied", "evidence"]) == (mismatch is not None)


def test_change_without_order_tariff_switch_and_the_same_switch_with_an_order():
    u = Utility()
    u.customer("silent", usage_type="commercial", tariff_category="COM")
    u.monthly("silent", flat(100), tariff=["COM"] * 6 + ["RES"] * 6)
    u.customer("ordered", usage_type="commercial", tariff_category="COM")
    u.monthly("ordered", flat(100), tariff=["COM"] * 6 + ["RES"] * 6)
    u.order("ordered", "tariff_change", "2024-07-01", "COM", "RES")
    findings = run(u, "change_without_order")
    assert findings["customer_id"].tolist() == ["silent"]
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(6 * 100 * (0.8 - 0.6))
    assert "tariff COM→RES" in findings.iloc[0]["evidence"]


@pytest.mark.parametrize(
    ("archive", "mismatch", "silent"), [("RES", 120.0, 0.0), ("COM", None, 120.0)]
)
def test_a_tariff_moved_in_the_archive_too_is_counted_once_on_monthly_bills(
    archive: str, mismatch: float | None, silent: float
):
    """A shop billed COM (0.80) then RES (0.60 from July) with no order, 6 × 100 kWh on RES:
    6 × 100 × 0.20 = 120.00 under-billed. Archived on RES (moved too) it is tariff_mismatch's and
    change_without_order lists the change at 0.00; archived on COM (the billing alone) it is
    change_without_order's, as before."""
    u = Utility()
    u.customer("shop", usage_type="commercial", tariff_category=archive)
    u.monthly("shop", flat(100), tariff=["COM"] * 6 + ["RES"] * 6)
    findings = run(u, ["tariff_mismatch", "change_without_order"]).set_index("rule_id")
    money = findings["revenue_impact"]
    assert money.get("tariff_mismatch") == (None if mismatch is None else pytest.approx(mismatch))
    assert money["change_without_order"] == pytest.approx(silent)
    assert money.sum() == pytest.approx(120.0)
    said = "the tariff difference of 6 bills is counted under tariff_mismatch"
    assert (said in findings.loc["change_without_order", "evidence"]) == (mismatch is not None)


@pytest.mark.parametrize("archived_kva", [630.0, 315.0])
def test_a_silent_capacity_change_owes_no_basic_charge_where_a_single_part_tariff_is_due(
    archived_kva: float,
):
    """A shop archived on the factories' two-part IND2 (0.6 + 30 per kVA) where the
    single-part COM (0.8) is due, billed 100,000 kWh a month on 630 kVA, then from July on 315
    with no order (archived on 630, or moved to 315 too). No basic charge is due at all, so
    the 315 kVA dropped are no money: change_without_order lists the change at 0.00 and says
    why (it priced 315 × 30 × 6 = 56,700.00 where the archive moved, and capacity_underbilled
    as much where it did not). tariff_mismatch nets every basic charge paid: 12 × 80,000.00 −
    12 × 60,000.00 − 6 × 18,900.00 − 6 × 9,450.00 = ¥69,900.00."""
    u = Utility()
    u.customer(
        "shop",
        usage_type="commercial",
        tariff_category="IND2",
        contract_capacity_kva=archived_kva,
        basic_charge_basis="capacity",
    )
    u.monthly("shop", flat(100_000), tariff="IND2", capacity=[630.0] * 6 + [315.0] * 6,
              basis="capacity")  # fmt: skip
    rule_ids = ["tariff_mismatch", "capacity_underbilled", "change_without_order"]
    findings = run(u, rule_ids, params=WHOLE_DATA).set_index("rule_id")
    assert findings["revenue_impact"].to_dict() == pytest.approx(
        {"tariff_mismatch": 69_900.0, "change_without_order": 0.0}
    )
    assert findings.loc["change_without_order", "evidence"].endswith(
        "(¥0.00 under-billed since; no basic charge is due on 6 bills, a single-part tariff "
        "being due)"
    )


#: A 400 kVA factory at 10 kV (IND2 0.60 + 30 per kVA-month or 40 per kW-month; COM 0.80).
FACTORY_400 = TWO_PART | {"contract_capacity_kva": 400.0}


def test_an_order_to_a_two_part_tariff_not_applied_owes_its_basic_charge_on_monthly_bills():
    """Orders COM → IND2 from January that billing never applied: 10,000 kWh a month billed
    at COM's 0.80 (8,000.00) where IND2 charges 6,000.00 and its basic charge. By capacity, and
    without a basis (a two-part tariff due charges it by capacity): 400 × 30 = 12,000.00, so
    12 × (6,000.00 + 12,000.00 − 8,000.00) = ¥120,000.00 (the energy alone said ¥0.00). By
    demand, 200 kW × 40 = 8,000.00 a month: 12 × 6,000.00 = ¥72,000.00. Near miss: at 100,000
    kWh IND2 charges less (72,000.00 against 80,000.00): nothing under-billed."""
    u = Utility()
    cases = {"capacity": ("capacity", 10_000), "none": ("none", 10_000),
             "demand": ("demand", 10_000), "large": ("capacity", 100_000)}  # fmt: skip
    for cid, (basis, kwh) in cases.items():
        u.customer(cid, **FACTORY_400, basic_charge_basis=basis)
        u.monthly(cid, flat(kwh), multiplier=1000.0, tariff="COM", demand=200.0)
        u.order(cid, "tariff_change", "2024-01-01", "COM", "IND2")
    u.customer("reference", **FACTORY_400, basic_charge_basis="capacity")
    u.monthly("reference", flat(10_000), multiplier=1000.0, tariff="IND2", capacity=400.0,
              basis="capacity")  # fmt: skip
    found = rules.run(u.dataset())
    money = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert money == pytest.approx(
        {
            ("capacity", "order_not_applied"): 12 * 10_000.0,
            ("none", "order_not_applied"): 12 * 10_000.0,
            ("demand", "order_not_applied"): 12 * 6_000.0,
            ("large", "order_not_applied"): 0.0,
        }
    )


#: A second two-part tariff for factories: 0.65 yuan/kWh + 25 per kVA-month (35 per kW).
def _order_cases(u: Utility) -> None:
    """400 kVA factories at 10,000 kWh a month, each billed on a tariff an order from January
    moved them off (not applied): `com` on COM (8,000.00 a month) for IND2 (6,000.00 +
    12,000.00); `com_basic` the same, charged 300 × 30 = 9,000.00 a month on COM; `ind1` on IND1
    at 300 kVA (6,500.00 + 7,500.00) for IND2; `shop`, 100,000 kWh on IND2 for COM (an order to
    a single-part tariff, whose bills' capacity no rule may then price)."""
    u.customer("com", **FACTORY_400, basic_charge_basis="capacity")
    u.monthly("com", flat(10_000), multiplier=1000.0, tariff="COM")
    u.customer("com_basic", **FACTORY_400, basic_charge_basis="capacity")
    u.monthly("com_basic", flat(10_000), multiplier=1000.0, tariff="COM", capacity=300.0,
              basis="capacity")  # fmt: skip
    for cid in ("ind1", "ind1_unrecorded"):
        u.customer(cid, **FACTORY_400, basic_charge_basis="capacity")
        for bill in u.monthly(cid, flat(10_000), multiplier=1000.0, tariff="IND1", rate=0.65,
                              capacity=300.0, basis="capacity"):  # fmt: skip
            bill["basic_charge"] = 300 * 25.0
            bill["amount"] = bill["energy_charge"] + bill["basic_charge"]
            if cid == "ind1_unrecorded":  # the capacity read from the charge, at IND1's 25
                bill["capacity_billed_kva"] = None
    u.customer("shop", **FACTORY_400, basic_charge_basis="capacity")
    u.monthly("shop", flat(100_000), multiplier=1000.0, tariff="IND2", capacity=400.0,
              basis="capacity")  # fmt: skip
    for cid, old, new in (("com", "COM", "IND2"), ("com_basic", "COM", "IND2"),
                          ("ind1", "IND1", "IND2"), ("ind1_unrecorded", "IND1", "IND2"),
                          ("shop", "IND2", "COM")):  # fmt: skip
        u.order(cid, "tariff_change", "2024-01-01", old, new)


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_orders_not_applied_are_priced_once_alike_on_monthly_and_itemized_bills(itemized: bool):
    """`com`: 12 × (18,000.00 − 8,000.00) = ¥120,000.00, by order_not_applied alone (on itemized
    bills capacity_underbilled also found the 400 kVA short, ¥144,000.00 more). `com_basic`: the
    9,000.00 it paid on COM is netted, 12 × 1,000.00 (itemized: ¥120,000.00 + ¥36,000.00).
    `ind1`: due 18,000.00, billed 14,000.00, 12 × 4,000.00 = ¥48,000.00, all under
    order_not_applied, which recomputes the bill whole on IND2, the 100 kVA billed short
    included (capacity_underbilled leaves it those bills, listed at 0.00; itemized once priced
    the shortfall at 30: ¥54,000.00 in all). `ind1_unrecorded`, the same recording no
    capacity: its 7,500.00 paid for 300 kVA at IND1's 25, not 250 at IND2's 30 (itemized said
    ¥45,000.00 short). `shop`: 12 × (80,000.00 − 72,000.00) = ¥96,000.00, its basic charge
    netted (the order to a single-part tariff once made order_not_applied drop the basic
    charge of every bill capacity_underbilled found short: ¥0.00)."""
    u = Utility()
    _order_cases(u)
    found = rules.run(with_ind1(u, itemized))
    money = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert money == pytest.approx(
        {
            ("com", "order_not_applied"): 120_000.0,
            ("com_basic", "order_not_applied"): 12_000.0,
            ("ind1", "order_not_applied"): 48_000.0,
            ("ind1", "capacity_underbilled"): 0.0,
            ("ind1_unrecorded", "order_not_applied"): 48_000.0,
            ("ind1_unrecorded", "capacity_underbilled"): 0.0,
            ("shop", "order_not_applied"): 96_000.0,
        }
    )


def _old_tariff_short(u: Utility, cid: str, old: str, new: str, effective: str) -> None:
    """A factory archived on `new` at 400 kVA by capacity, billed `old` on 300 kVA (IND1 at its
    0.65 and 25 per kVA), 10,000 kWh a month, with a tariff_change order `old`→`new` effective
    `effective` never applied."""
    archive = FACTORY_400 | {"basic_charge_basis": "capacity", "tariff_category": new}
    u.customer(cid, **archive)
    rate = 0.65 if old == "IND1" else None
    for bill in u.monthly(cid, flat(10_000), multiplier=1000.0, tariff=old, rate=rate,
                          capacity=300.0, basis="capacity"):  # fmt: skip
        bill["basic_charge"] = 300 * (25.0 if old == "IND1" else 30.0)
        bill["amount"] = bill["energy_charge"] + bill["basic_charge"]
    u.order(cid, "tariff_change", effective, old, new)


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_a_capacity_short_on_the_old_tariff_of_an_order_not_applied_is_counted_once(
    itemized: bool,
):
    """`dearer`: IND2→IND1 from July, billed IND2 (30 per kVA) on 300 of 400 kVA. January to
    June the archive is IND2's (the order rewinds it): capacity_underbilled's 100 kVA × 30 =
    3,000.00 a month, 18,000.00. From July order_not_applied recomputes each bill whole on
    IND1, the capacity short included: due 6,500.00 + 10,000.00, billed 6,000.00 + 9,000.00,
    6 × 1,500.00 = 9,000.00 (capacity_underbilled would price the 100 kVA at IND2's 30 beside
    it, 18,000.00 for 9,000.00 lost). `cheaper`: IND1→IND2 from January, billed IND1 (25): due
    6,000.00 + 12,000.00, billed 6,500.00 + 7,500.00, 12 × 4,000.00 = 48,000.00 under
    order_not_applied (capacity_underbilled's 25 would leave 12 × 500.00 uncounted)."""
    u = Utility()
    _old_tariff_short(u, "dearer", "IND2", "IND1", "2024-07-01")
    _old_tariff_short(u, "cheaper", "IND1", "IND2", "2024-01-01")
    found = rules.run(with_ind1(u, itemized)).set_index(["customer_id", "rule_id"])
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {
            ("dearer", "capacity_underbilled"): 18_000.0,
            ("dearer", "order_not_applied"): 9_000.0,
            ("cheaper", "capacity_underbilled"): 0.0,
            ("cheaper", "order_not_applied"): 48_000.0,
        }
    )
    evidence = found.loc[("dearer", "capacity_underbilled"), "evidence"]
    assert evidence.endswith(
        "(¥18,000.00); 6 bills on the old tariff after a tariff-change order took effect are "
        "recomputed whole under order_not_applied, their capacity short included"
    )
    chinese = rules.evidence_text(
        found.loc[[("dearer", "capacity_underbilled")]].reset_index(), "zh"
    )
    assert chinese.iat[0].endswith(
        "；另有 6 期账单在改类工单生效后仍按原电价类别计费，整期账单（含少计容量）按“变更工单未在计费中执行”规则重算"
    )


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_orders_not_applied_on_a_short_capacity_lose_no_yuan(itemized: bool):
    """Factories on 400 kVA billed IND2 (30 per kVA) on 300 all year. `flagged`: archived on
    COM, an order IND2→COM from July; tariff_mismatch flags it (IND2 due at 400 kVA, the
    two-part threshold): the bills are on the tariff due, so the order to COM proves nothing
    (tariff_mismatch's judgement stands) and the 100 kVA short are due all year, 12 × 3,000.00
    = 36,000.00, on itemized bills too (whose recomputation on the archive's COM once had no
    basic line to find them short). `unpriced`: an order to IND9, a tariff
    the schedule lacks: the short is proved all year (36,000.00), not left to a difference
    nobody can price. `chain`: IND2→IND1 from April, IND1→COM from October, neither applied:
    3 × 3,000.00 + 6 × (75,000.00 − 69,000.00) + 3 × (80,000.00 − 69,000.00) = 78,000.00; the
    bills still on IND2 after the second order were nobody's (45,000.00)."""
    u = Utility()
    for cid, kwh, archive in (("flagged", 100_000, {"tariff_category": "COM"}),
                              ("unpriced", 10_000, {}),
                              ("chain", 100_000, {"tariff_category": "COM", "usage_type": "commercial"})):  # fmt: skip
        u.customer(cid, **FACTORY_400 | {"basic_charge_basis": "capacity"} | archive)
        u.monthly(cid, flat(kwh), multiplier=1000.0, tariff="IND2", capacity=300.0,
                  basis="capacity")  # fmt: skip
    u.order("flagged", "tariff_change", "2024-07-01", "IND2", "COM")
    u.order("unpriced", "tariff_change", "2024-07-01", "IND2", "IND9")
    u.order("chain", "tariff_change", "2024-04-01", "IND2", "IND1")
    u.order("chain", "tariff_change", "2024-10-01", "IND1", "COM")
    found = rules.run(with_ind1(u, itemized))
    per_customer = found.groupby("customer_id")["revenue_impact"].sum().to_dict()
    assert per_customer == pytest.approx(
        {"flagged": 36_000.0, "unpriced": 36_000.0, "chain": 78_000.0}
    )
    money = found.set_index(["customer_id", "rule_id"])["revenue_impact"]
    assert money[("unpriced", "capacity_underbilled")] == pytest.approx(36_000.0)
    assert money[("chain", "order_not_applied")] == pytest.approx(69_000.0)


@pytest.mark.parametrize("grace", [1, 3])
def test_a_chain_of_orders_not_applied_is_late_from_the_first_whatever_the_grace(grace: int):
    """Archive COM, billed AGR all year; orders AGR→RES from April and RES→COM from July, or
    from May (`close`). April to June 3 × 100 × (0.5 − 0.4) = 30.00 and July on 6 × 100 × 0.4
    = 240.00: 270.00; `close` April 10.00 and May on 8 × 40.00: 330.00. The first order is
    late though its later bills fall under the second (they once went uncounted inside its
    grace: 240.00, 320.00)."""
    u = Utility()
    for cid, second in (("chain", "2024-07-01"), ("close", "2024-05-01")):
        u.customer(cid, **COMMERCIAL)
        u.monthly(cid, flat(100), tariff="AGR")
        u.order(cid, "tariff_change", "2024-04-01", "AGR", "RES")
        u.order(cid, "tariff_change", second, "RES", "COM")
    found = run(u, "order_not_applied", params={"order_not_applied": {"grace_months": grace}})
    money = found.set_index("customer_id")["revenue_impact"].to_dict()
    assert money == pytest.approx({"chain": 270.0, "close": 330.0})


def test_of_two_orders_in_one_month_the_later_effective_date_is_in_force_whatever_its_id():
    """Archive COM, billed AGR; WO0001 RES→COM effective 20 July, WO0002 AGR→RES effective 5
    July: COM is the tariff in force on the bills from July (as the archive's history reads
    it), not RES: July's bill (calendar reads) from the 20th, q_old = round(100 × 19 / 31, 2)
    = 61.29, 38.71 × (0.8 − 0.4) = 15.484 → 15.48, then 5 × 100 × 0.4 = 200.00, not RES's
    5 × 20.00. July's days from the 5th to the 19th are due RES: round(100 × 4 / 31, 2) =
    12.90 before the 5th, 61.29 − 12.90 = 48.39 × (0.6 − 0.4) = 9.678 → 9.68 (counted by no
    rule before, 215.48): 225.16."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff="AGR")
    u.order("shop", "tariff_change", "2024-07-20", "RES", "COM")
    u.order("shop", "tariff_change", "2024-07-05", "AGR", "RES")
    found = run(u, "order_not_applied")
    assert found["revenue_impact"].tolist() == pytest.approx([225.16])


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_a_tariff_and_a_capacity_order_not_applied_net_on_each_bill(itemized: bool):
    """Archive IND1, still on 300 kVA; orders IND2→IND1 and 300 → 400 kVA from July, neither
    applied, billed IND2 on 300: due 6,500.00 + 10,000.00, billed 6,000.00 + 9,000.00, 6 ×
    1,500.00 = 9,000.00. On monthly bills the tariff's −1,000.00 a month (IND1's on the orders'
    400 kVA less IND2's) was floored on its own beside the capacity's 3,000.00: 18,000.00."""
    u = Utility()
    u.customer("factory", **TWO_PART | {"contract_capacity_kva": 300.0,
               "basic_charge_basis": "capacity", "tariff_category": "IND1"})  # fmt: skip
    u.monthly("factory", flat(10_000), multiplier=1000.0, tariff="IND2", capacity=300.0,
              basis="capacity")  # fmt: skip
    u.order("factory", "tariff_change", "2024-07-01", "IND2", "IND1")
    u.order("factory", "capacity_increase", "2024-07-01", 300.0, 400.0)
    found = rules.run(with_ind1(u, itemized))
    assert found["revenue_impact"].sum() == pytest.approx(9_000.0)


def test_kwh_a_multiplier_left_out_of_a_stale_bill_are_due_at_the_orders_tariff():
    """A shop archived on COM with CT 10 billed at 5 on RES, an order RES→COM from January not
    applied: order_not_applied 12 × 100 × 0.8 less 660.00 billed = 300.00, multiplier_mismatch
    1,200 kWh at COM's 0.8 = 960.00 (at RES's 0.5 / 0.6, 660.00): 1,260.00, as without the
    order (billed_tariff_mismatch's)."""
    u = Utility()
    for cid in ("shop", "no_order"):
        u.customer(cid, **COMMERCIAL, ct_ratio=10.0)
        u.monthly(cid, flat(100), multiplier=5.0, tariff="RES")
    u.order("shop", "tariff_change", "2024-01-01", "RES", "COM")
    found = run(u, ["order_not_applied", "billed_tariff_mismatch", "multiplier_mismatch"])
    money = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert money == pytest.approx(
        {
            ("shop", "order_not_applied"): 300.0,
            ("shop", "multiplier_mismatch"): 960.0,
            ("no_order", "billed_tariff_mismatch"): 300.0,
            ("no_order", "multiplier_mismatch"): 960.0,
        }
    )


def test_a_silent_change_counts_nothing_once_an_order_puts_its_tariff_in_force():
    """Archive RES; orders RES→COM from March and COM→RES from September; billed RES to
    February, COM March to June, RES from July with no order near. July and August were due
    COM: order_not_applied 2 × 100 × 0.2 = 40.00; from September RES is in force, so the
    silent change to RES lost nothing there (change_without_order counted 4 × 20.00 more)."""
    u = Utility()
    u.customer("shop", tariff_category="RES")
    u.monthly("shop", flat(100), tariff=["RES"] * 2 + ["COM"] * 4 + ["RES"] * 6)
    u.order("shop", "tariff_change", "2024-03-01", "RES", "COM")
    u.order("shop", "tariff_change", "2024-09-01", "COM", "RES")
    found = run(u, ["order_not_applied", "change_without_order", "billed_tariff_mismatch"])
    money = found.set_index("rule_id")["revenue_impact"].to_dict()
    assert money == pytest.approx({"order_not_applied": 40.0, "change_without_order": 0.0})


def test_an_order_away_from_the_tariff_tariff_mismatch_finds_due_proves_nothing():
    """A farm archived on COM (tariff_mismatch flags it: AGR due), billed AGR all year, an
    order AGR→COM from July never applied: every bill is on the tariff due, nothing lost
    (order_not_applied counted COM's 6 × 100 × 0.4 = 240.00); the order is listed at 0.00."""
    u = Utility()
    u.customer("farm", usage_type="agricultural", tariff_category="COM")
    u.monthly("farm", flat(100), tariff="AGR")
    u.order("farm", "tariff_change", "2024-07-01", "AGR", "COM")
    found = run(u, ["order_not_applied", "tariff_mismatch", "billed_tariff_mismatch"])
    assert found.set_index("rule_id")["revenue_impact"].to_dict() == pytest.approx(
        {"order_not_applied": 0.0, "tariff_mismatch": 0.0}
    )


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_a_capacity_short_on_the_tariff_due_of_a_flagged_archive_is_found_on_any_bills(
    itemized: bool,
):
    """A factory archived on COM (tariff_mismatch: IND2 due at 400 kVA), billed IND2 on 300
    kVA: 12 × 100 × 30 = 36,000.00 short, on itemized bills too (their recomputation on the
    archive's single-part COM has no basic line to find short)."""
    u = Utility()
    u.customer(
        "factory", **FACTORY_400 | {"basic_charge_basis": "capacity", "tariff_category": "COM"}
    )
    u.monthly("factory", flat(100_000), multiplier=1000.0, tariff="IND2", capacity=300.0,
              basis="capacity")  # fmt: skip
    found = rules.run(with_ind1(u, itemized)).set_index("rule_id")["revenue_impact"]
    assert found.to_dict() == pytest.approx(
        {"capacity_underbilled": 36_000.0, "tariff_mismatch": 0.0}
    )


def test_an_order_billing_never_applied_is_late_from_its_month_whatever_tariff_follows():
    """RES→COM from July; billing kept RES in July, then moved to AGR from August, never to
    COM: the order is late though no bill after its grace is on its old tariff. July 100 ×
    (0.8 − 0.6) = 20.00 here, August on 5 × 100 × 0.4 = 200.00 billed_tariff_mismatch's
    (July was left inside a grace that billing never used: 200.00)."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", flat(100), tariff=["RES"] * 7 + ["AGR"] * 5)
    u.order("shop", "tariff_change", "2024-07-01", "RES", "COM")
    found = run(u, ["order_not_applied", "billed_tariff_mismatch", "change_without_order"])
    assert found.set_index("rule_id")["revenue_impact"].to_dict() == pytest.approx(
        {"order_not_applied": 20.0, "billed_tariff_mismatch": 200.0}
    )


def test_a_silent_change_back_to_the_archives_tariff_lost_nothing():
    """A farm archived on AGR (its usage's), billed COM to June, AGR from July with no order:
    billing corrected itself; change_without_order lists the change at 0.00 (it counted COM's
    6 × 100 × 0.4 = 240.00), billed_tariff_mismatch the six COM bills as a refund."""
    u = Utility()
    u.customer("farm", usage_type="agricultural", tariff_category="AGR")
    u.monthly("farm", flat(100), tariff=["COM"] * 6 + ["AGR"] * 6)
    found = run(u, ["change_without_order", "billed_tariff_mismatch", "tariff_mismatch"])
    assert found.set_index("rule_id")["revenue_impact"].to_dict() == pytest.approx(
        {"change_without_order": 0.0, "billed_tariff_mismatch": 0.0}
    )


def test_a_demand_charge_a_multiplier_left_out_of_a_stale_bill_is_due_at_the_orders_rate():
    """A factory by demand archived on IND1 (35 per kW here), billed IND2 (40 per kW) with CT
    10 × PT 100, its multiplier halved from September; an order IND2→IND1 from July not
    applied. Due each month on IND1: 65,000.00 + 35 × 400 = 79,000.00; billed July and August
    60,000.00 + 16,000.00 (3,000.00 each), from September 30,000.00 + 8,000.00 (41,000.00
    each): 170,000.00, where the 200 kW left out were priced at IND2's 40 (174,000.00)."""
    u = Utility()
    u.customer("F", contract_capacity_kva=400.0, basic_charge_basis="demand",
               **TWO_PART | {"tariff_category": "IND1"})  # fmt: skip
    u.monthly("F", flat(100_000, 8), multiplier=1000.0, tariff="IND2", capacity=400.0,
              demand=400.0, basis="demand", periods=PERIODS[:8])  # fmt: skip
    u.monthly("F", flat(50_000, 4), multiplier=500.0, tariff="IND2", capacity=400.0,
              demand=200.0, basis="demand", periods=PERIODS[8:], start_register=1800.0)  # fmt: skip
    u.order("F", "tariff_change", "2024-07-01", "IND2", "IND1")
    found = rules.run(with_ind1(u, itemized=False))
    assert found["revenue_impact"].sum() == pytest.approx(170_000.0)


def test_a_capacity_order_not_applied_beside_a_tariff_order_not_applied_counts_once():
    """IND2→IND1 and 300→400 kVA from July, neither applied: each of the six bills from July
    owes 1,500.00 (as `dearer` above), counted on the tariff order; the capacity order is listed
    in the same finding, not left to capacity_underbilled (listed at 0.00)."""
    u = Utility()
    _old_tariff_short(u, "factory", "IND2", "IND1", "2024-07-01")
    u.order("factory", "capacity_increase", "2024-07-01", 300.0, 400.0)
    found = rules.run(with_ind1(u, itemized=False)).set_index("rule_id")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"order_not_applied": 9_000.0, "capacity_underbilled": 0.0}
    )
    assert found.loc["order_not_applied", "evidence"] == (
        "order WO0001 (tariff_change IND2→IND1) took effect in 2024-07, yet 6 bills "
        "2024-07..2024-12 still use IND2; 1 more order not applied (¥9,000.00)"
    )


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_a_silent_change_to_a_single_part_tariff_is_priced_once_on_itemized_bills_too(
    itemized: bool,
):
    """Archived on IND2 at 400 kVA, billed IND2 to June, then COM with no order: July to
    December 6 × (18,000.00 − 8,000.00) = ¥60,000.00 (itemized bills also found the 400 kVA
    short, ¥72,000.00 more)."""
    u = Utility()
    u.customer("silent", **FACTORY_400, basic_charge_basis="capacity")
    u.monthly("silent", flat(10_000), multiplier=1000.0, tariff=["IND2"] * 6 + ["COM"] * 6,
              capacity=[400.0] * 6 + [None] * 6, basis=["capacity"] * 6 + ["none"] * 6)  # fmt: skip
    found = rules.run(with_ind1(u, itemized))
    assert found.set_index("rule_id")["revenue_impact"].to_dict() == pytest.approx(
        {"change_without_order": 60_000.0}
    )


def test_an_order_not_applied_on_monthly_bills_owes_the_funds_of_the_tariff_due_too():
    """With funds of 0.02 yuan/kWh on COM and 0.05 on IND2, `com` (above) also owes 0.03 on its
    10,000 kWh a month: 12 × (10,000.00 + 300.00) = ¥123,600.00, as tariff_mismatch prices the
    same bills (it said ¥120,000.00)."""
    u = Utility()
    _order_cases(u)
    tables = u.tables()
    funds = {"COM": 0.02, "IND2": 0.05}
    tables["tariffs"]["fund_rate"] = tables["tariffs"]["tariff_category"].map(funds)
    found = rules.run(Dataset.from_frames(tables), rules="order_not_applied")
    assert found.set_index("customer_id").loc["com", "revenue_impact"] == pytest.approx(123_600.0)


def test_what_change_without_order_leaves_follows_tariff_mismatchs_own_thresholds():
    """The moved shop is a school (教育), billed COM then RES (the archive's) from July. Without
    教育 among tariff_mismatch's shared-meter industries the 120.00 is tariff_mismatch's and
    change_without_order says so; with it a school may pay RES, the bills from July are on the
    archive's tariff, which the usage allows: nothing lost (the six COM bills before are
    billed_tariff_mismatch's refund). The threshold is read once, from tariff_mismatch's
    section, not copied."""
    u = Utility()
    u.customer("school", usage_type="commercial", tariff_category="RES", industry="教育")
    u.monthly("school", flat(100), tariff=["COM"] * 6 + ["RES"] * 6)
    both = ["tariff_mismatch", "change_without_order"]
    left_there = "the tariff difference of 6 bills is counted under tariff_mismatch"
    for industries, mismatch, left in (([], 120.0, True), (["教育"], None, False)):
        params = {"tariff_mismatch.shared_meter_industries": industries}
        found = run(u, both, params=params).set_index("rule_id")
        money = found["revenue_impact"]
        assert money.get("tariff_mismatch") == (
            None if mismatch is None else pytest.approx(mismatch)
        )
        assert money["change_without_order"] == 0.0
        assert (left_there in found.loc["change_without_order", "evidence"]) is left


def test_order_rules_are_skipped_with_a_note_without_work_orders():
    u = Utility()
    u.customer("A")
    u.monthly("A", flat(100))
    notes: list[str] = []
    findings = rules.run(u.dataset(), rules=["order_stalled", "order_not_applied"], notes=notes)
    assert findings.empty
    assert notes == [
        "order_stalled skipped: table work_orders is absent",
        "order_not_applied skipped: table work_orders is absent",
    ]


def test_the_previous_known_value_of_each_bill_stays_within_its_customer():
    ctx = SimpleNamespace(bill_customer=np.array([0, 0, 0, 1, 1, 2, 2]))
    nan = np.nan
    values = np.array([nan, 100.0, nan, nan, 80.0, 50.0, 60.0])
    previous = _previous_known(ctx, values)
    np.testing.assert_array_equal(previous, [nan, nan, 100.0, nan, nan, nan, 50.0])
    assert np.isnan(_previous_known(ctx, np.full(7, nan))).all()  # none known
    assert len(_previous_known(SimpleNamespace(bill_customer=np.array([])), np.array([]))) == 0


@pytest.mark.parametrize(
    ("order_type", "expected"),
    [("closure", None), ("ownership_transfer", 4_000.0), (None, 4_000.0)],
)
def test_a_closure_months_prorated_capacity_does_not_fire_change_without_order(
    order_type: str | None, expected: float | None
):
    """A 400 kVA factory (IND2, 30 per kVA-month) closed on 2024-09-20: its last bill is read
    09-01..09-20 and bills 400 × 20 / 30 = 266.67 kVA, as DOMAIN.md prorates a closure month.
    Its closure order explains the month: neither rule fires. Near misses: the same capacity
    drop with no order, or with an order that moves no capacity (a transfer), is a change
    billing made on its own, listed by change_without_order, whose money capacity_underbilled
    counts: (400 − 266.67) kVA × 30 = 133.33 × 30 = ¥4,000.00 under-billed."""
    periods = [f"2024-{month:02d}" for month in range(1, 10)]
    u = Utility()
    u.customer("closing", contract_capacity_kva=400.0, status="closed", **TWO_PART_BY_CAPACITY)
    rows = u.monthly("closing", [*flat(40_000, 8), 26_000.0], multiplier=1000.0, tariff="IND2",
                     capacity=[*flat(400, 8), 400 * 20 / 30], demand=200.0, basis="capacity",
                     periods=periods)  # fmt: skip
    for bill in rows:
        month = pd.Period(bill["period"], "M")
        bill["read_from"], bill["read_to"] = month.start_time, month.end_time.normalize()
    rows[-1]["read_to"] = pd.Timestamp("2024-09-20")
    if order_type:
        u.order("closing", order_type, "2024-09-20", issued="2024-09-05")
    findings = run(u, ["capacity_underbilled", "change_without_order"], as_of="2024-09")
    if expected is None:
        assert findings.empty
    else:
        assert sorted(findings["rule_id"]) == ["capacity_underbilled", "change_without_order"]
        assert findings["revenue_impact"].sum() == pytest.approx(expected)
        silent = findings.set_index("rule_id").loc["change_without_order", "evidence"]
        assert "capacity 400→267 kVA in 2024-09" in silent


def test_a_closure_order_does_not_excuse_a_lasting_capacity_cut_on_a_customer_still_billed():
    """A 400 kVA factory (IND2, 30 per kVA-month) billed 200 kVA from June 2024 though it stays
    active and is billed full months of 40,000 kWh after its closure order of 2024-06-15: the
    customer never closed, so the order explains no cut. change_without_order lists the change
    with June's 200 kVA × 30 = ¥6,000.00 (¥0.00 before); capacity_underbilled counts
    July-December, 6 × 200 × 30 = ¥36,000.00."""
    periods = [f"2024-{month:02d}" for month in range(1, 13)]
    u = Utility()
    u.customer("F", contract_capacity_kva=400.0, status="active", **TWO_PART_BY_CAPACITY)
    rows = u.monthly("F", flat(40_000, 12), multiplier=1000.0, tariff="IND2",
                     capacity=[*flat(400, 5), *flat(200, 7)], demand=200.0, basis="capacity",
                     periods=periods)  # fmt: skip
    for bill in rows:
        month = pd.Period(bill["period"], "M")
        bill["read_from"], bill["read_to"] = month.start_time, month.end_time.normalize()
    u.order("F", "closure", "2024-06-15", issued="2024-06-15")
    findings = run(u, ["capacity_underbilled", "change_without_order"], as_of="2024-12")
    money = findings.set_index("rule_id")["revenue_impact"].to_dict()
    assert money == pytest.approx(
        {"capacity_underbilled": 36_000.0, "change_without_order": 6_000.0}
    )
    silent = findings.set_index("rule_id").loc["change_without_order"]
    assert [silent["period_from"], silent["period_to"]] == ["2024-06", "2024-12"]

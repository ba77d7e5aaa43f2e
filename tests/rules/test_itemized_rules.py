"""The rules priced from the recomputed bill, on hand-made itemized bills: money to the fen,
the cause in the evidence, and the near misses that must not fire.

Rates (itemized_builder.TARIFFS): IND2 0.60 yuan/kWh at 10 kV, 30 yuan per kVA-month, 40 per
kW-month, funds 0.03 yuan/kWh; TOU periods critical 1.20, peak 0.95 (1.00 from April 2024), flat
0.60, valley 0.30; RES tiers 0.50 / 0.55 / 0.80 on 0-2160 / 2160-4800 / above kWh a year, shared
meters 0.52; COM 0.80, 0.90 from 2024-03-16; MKT 0.45 / 0.47 / 0.44 in 2024-01 / 02 / 03.
"""

from __future__ import annotations

import pandas as pd
import pytest
from itemized_builder import INDUSTRIAL, TARIFFS, WITH_SINGLE_PART_IND, Itemized

from auditkit import rules
from auditkit.billing import recompute
from auditkit.data import Dataset

TOU = INDUSTRIAL | {"tariff_category": "TOU", "tou": True}
#: One month of a 400 kVA customer at 10 kV: 10 000 kWh (4 000 peak, 3 000 valley, 3 000 flat).
REGISTERS = {"kwh_peak": 4000.0, "kwh_valley": 3000.0, "kwh_critical": 0.0}
BASIC = ("basic", 400.0, 30.0)  # 12 000.00
FUND = ("fund", 10_000.0, 0.03)  # 300.00
TOU_LINES = [
    ("energy", 4000.0, 0.95, "peak"),  # 3 800.00
    ("energy", 3000.0, 0.60, "flat"),  # 1 800.00
    ("energy", 3000.0, 0.30, "valley"),  # 900.00: 6 500.00 due in all
]
IND2_LINES = [("energy", 10_000.0, 0.60), BASIC, FUND]  # 6 000 + 12 000 + 300


def evidence(found, customer_id: str) -> tuple[str, str]:
    """A finding's evidence in English and Chinese."""
    row = found.loc[[customer_id]].reset_index()
    return row["evidence"].iat[0], rules.evidence_text(row, "zh").iat[0]


# --- tou_misapplied ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def time_of_use() -> Itemized:
    u = Itemized()
    for customer_id in ("flat", "right", "old_peak", "wrong_multiplier"):
        archive = TOU | ({"ct_ratio": 2.0} if customer_id == "wrong_multiplier" else {})
        u.customer(customer_id, **archive)
        u.transformer(customer_id, f"{customer_id}-T1")
    u.customer("not_tou")  # commercial, COM, not on time-of-use
    for period in ("2024-01", "2024-02", "2024-03", "2024-04"):
        # A time-of-use customer billed at the flat rate: 6 000.00 where 6 500.00 is due (6 700.00
        # in April, the peak at 1.00).
        u.bill("flat", period, 10_000, [("energy", 10_000.0, 0.60), BASIC, FUND],
               tariff="TOU", **REGISTERS)  # fmt: skip
        # Right, the peak at 1.00 from April.
        peak = 1.00 if period == "2024-04" else 0.95
        right = [("energy", 4000.0, peak, "peak"), *TOU_LINES[1:], BASIC, FUND]
        u.bill("right", period, 10_000, right, tariff="TOU", **REGISTERS)
        # The old peak rate kept in April: 4 000 × (1.00 − 0.95) = 200.00 short.
        u.bill("old_peak", period, 10_000, [*TOU_LINES, BASIC, FUND], tariff="TOU", **REGISTERS)
        # Billed flat and at multiplier 1 where the archive says 2: multiplier_mismatch's.
        u.bill("wrong_multiplier", period, 10_000, [("energy", 10_000.0, 0.60), BASIC, FUND],
               tariff="TOU", **REGISTERS)  # fmt: skip
    # Commercial, billed by periods in January: 500 × 1.00 + 500 × 0.40 = 700.00, due
    # 1 000 × 0.80 = 800.00.
    u.bill("not_tou", "2024-01", 1000, [("energy", 500.0, 1.00, "peak"),
                                        ("energy", 500.0, 0.40, "valley")])  # fmt: skip
    return u


def test_tou_misapplied_prices_each_cause(time_of_use):
    found = time_of_use.run("tou_misapplied")
    assert sorted(found.index) == ["flat", "not_tou", "old_peak"]
    assert found.loc["flat", "revenue_impact"] == 3 * 500.00 + 700.00
    assert found.loc["old_peak", "revenue_impact"] == 200.00
    assert found.loc["not_tou", "revenue_impact"] == 100.00
    assert (found["revenue_kind"] == "proved").all() and (found["penalty"] == 0).all()
    assert found.loc["flat", ["period_from", "period_to"]].tolist() == ["2024-01", "2024-04"]
    assert found.loc["old_peak", ["period_from", "period_to"]].tolist() == ["2024-04", "2024-04"]
    assert evidence(found, "flat") == (
        "2024-01..2024-04: 4 bills of a time-of-use customer billed without periods (last "
        "2024-04: ¥6,000.00 billed, ¥6,700.00 due); under-billed ¥2,200.00",
        "2024-01 至 2024-04：4 期账单对分时用户未按峰谷时段计费（最近一期为 2024-04：计收 6,000.00 元，应收 "
        "6,700.00 元）；少计 2,200.00 元",
    )
    assert evidence(found, "old_peak")[0] == (
        "2024-04: 1 bill with period lines other than due (2024-04: peak 4,000 kWh at 0.9500 "
        "yuan/kWh billed, 4,000 kWh at 1.0000 due); under-billed ¥200.00"
    )
    assert evidence(found, "old_peak")[1].startswith(
        "2024-04：1 期账单时段电量或电价与应收不符（2024-04：高峰计费 4,000 千瓦时 × 0.9500 元/千瓦时"
    )
    assert evidence(found, "not_tou")[0].startswith(
        "2024-01: 1 bill billed by time-of-use periods for a customer not on time-of-use"
    )


def test_a_wrong_multiplier_is_one_finding_not_two(time_of_use):
    found = time_of_use.run(["tou_misapplied", "multiplier_mismatch"])
    assert found.loc["wrong_multiplier", "rule_id"] == "multiplier_mismatch"
    assert "multiplier_mismatch" not in set(found.drop(index="wrong_multiplier")["rule_id"])


def test_rate_mismatch_is_silent_on_time_of_use_bills(time_of_use):
    # The average rate of a right time-of-use bill (0.65) is no schedule rate, and the bills
    # billed wrong are tou_misapplied's.
    assert time_of_use.run("rate_mismatch").empty


# --- tier_misapplied ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiers() -> Itemized:
    u = Itemized()
    residential = {"usage_type": "residential", "tariff_category": "RES", "voltage_kv": 0.22}
    u.customer("one_tier", tier_scheme="single", **residential)
    u.customer("right", tier_scheme="single", **residential)
    u.customer("shared", tier_scheme="shared", **residential)
    for month in range(1, 13):
        period = f"2024-{month:02d}"
        # 400 kWh a month: the year's 2 160 kWh of tier 1 run out in June (160 + 240 in tier 2),
        # July to December are tier 2. All billed at tier 1: June 240 × 0.05 = 12.00, then
        # 6 × 400 × 0.05 = 120.00 short.
        u.bill("one_tier", period, 400, [("energy", 400.0, 0.50, None, 1)], tariff="RES")
        if month < 6:
            right = [("energy", 400.0, 0.50, None, 1)]
        elif month == 6:
            right = [("energy", 160.0, 0.50, None, 1), ("energy", 240.0, 0.55, None, 2)]
        else:
            right = [("energy", 400.0, 0.55, None, 2)]
        u.bill("right", period, 400, right, tariff="RES")
        if month <= 3:  # a shared meter billed by tiers: 300 × (0.52 − 0.50) = 6.00 a month
            u.bill("shared", period, 300, [("energy", 300.0, 0.50, None, 1)], tariff="RES")
    return u


def test_tier_misapplied_on_the_cumulative_and_on_a_shared_meter(tiers):
    found = tiers.run("tier_misapplied")
    assert sorted(found.index) == ["one_tier", "shared"]
    assert found.loc["one_tier", "revenue_impact"] == 132.00
    assert found.loc["one_tier", ["period_from", "period_to"]].tolist() == ["2024-06", "2024-12"]
    assert found.loc["shared", "revenue_impact"] == 18.00
    assert evidence(found, "one_tier") == (
        "2024-06..2024-12: 7 bills with tier kWh other than due (last 2024-12: 0 and 0 kWh "
        "billed in tiers 2 and 3, 400 and 0 kWh due); under-billed ¥132.00",
        "2024-06 至 2024-12：7 期账单分档电量与应收不符（最近一期为 2024-12：第二档、第三档计费 0 与 0 千瓦时，"
        "应为 400 与 0 千瓦时）；少计 132.00 元",
    )
    assert evidence(found, "shared")[0] == (
        "2024-01..2024-03: 3 bills billed by tiers on a meter without tiers, such as a shared "
        "meter (last 2024-03: ¥150.00 billed, ¥156.00 due); under-billed ¥18.00"
    )


def test_tier_misapplied_says_which_tiers_differ_when_the_kwh_above_tier_1_agree():
    u = Itemized()
    u.customer("third", tier_scheme="single", usage_type="residential", tariff_category="RES")
    # 500 kWh a month: tier 2 from May (160 + 340), tier 3 from October (300 + 200); October to
    # December billed at tier 2 only: 200 × 0.25 + 2 × 500 × 0.25 = 300.00 short.
    due = {5: [(1, 160.0), (2, 340.0)], 10: [(2, 300.0), (3, 200.0)]}
    for month in range(1, 13):
        tiers = due.get(month, [(1 if month < 5 else 2 if month < 10 else 3, 500.0)])
        billed = [(2, 500.0)] if month >= 10 else tiers
        rates = {1: 0.50, 2: 0.55, 3: 0.80}
        lines = [("energy", kwh, rates[tier], None, tier) for tier, kwh in billed]
        u.bill("third", f"2024-{month:02d}", 500, lines, tariff="RES")
    found = u.run("tier_misapplied")
    assert found.loc["third", "revenue_impact"] == 300.00
    assert evidence(found, "third") == (
        "2024-10..2024-12: 3 bills with tier kWh other than due (last 2024-12: 500 and 0 kWh "
        "billed in tiers 2 and 3, 0 and 500 kWh due); under-billed ¥300.00",
        "2024-10 至 2024-12：3 期账单分档电量与应收不符（最近一期为 2024-12：第二档、第三档计费 500 与 0 千瓦时，"
        "应为 0 与 500 千瓦时）；少计 300.00 元",
    )


def test_rate_mismatch_is_silent_on_tiered_bills(tiers):
    assert tiers.run("rate_mismatch").empty


# --- rate_mismatch on itemized data ------------------------------------------------------------


def test_rate_mismatch_on_lines_prorates_a_price_change_and_knows_market_months():
    u = Itemized()
    for customer_id in ("prorated", "whole_month", "cheap", "market"):
        u.customer(customer_id)
    u.customers[-1]["tariff_category"] = "MKT"
    # March: the price changes on the 16th; 3 100 kWh over 31 read days: q_old =
    # round(3 100 × 15 / 31, 2) = 1 500.00 at 0.80, 1 600.00 at 0.90: 1 200.00 + 1 440.00.
    u.bill("prorated", "2024-03", 3100, [("energy", 1500.0, 0.80), ("energy", 1600.0, 0.90)])
    # The whole month at the new price: 2 790.00 where 2 640.00 is due, over-billed.
    u.bill("whole_month", "2024-03", 3100, [("energy", 3100.0, 0.90)])
    # February at 0.75 where 0.80 is due: 1 000 × 0.05 = 50.00 short.
    u.bill("cheap", "2024-02", 1000, [("energy", 1000.0, 0.75)])
    for period, rate in (("2024-01", 0.45), ("2024-02", 0.47), ("2024-03", 0.44)):
        u.bill("market", period, 1000, [("energy", 1000.0, rate)], tariff="MKT")
    found = u.run("rate_mismatch")
    assert sorted(found.index) == ["cheap", "whole_month"]
    assert found.loc["cheap", "revenue_impact"] == 50.00
    assert found.loc["whole_month", "revenue_impact"] == 0.0
    assert found.loc["cheap", "evidence"] == (
        "2024-02: 1 bill charged another rate than the schedule (2024-02: 0.7500 yuan/kWh where "
        "the schedule says 0.8000) (¥50.00)"
    )
    assert "0.9000 yuan/kWh where the schedule says 0.8516" in found.loc["whole_month", "evidence"]


def test_rate_mismatch_reports_a_rate_charged_above_the_schedule_as_a_refund():
    """`dear`, on COM: February 1 000 kWh at 0.85 where 0.80 is due, 50.00 over-billed.
    `wrong_tariff`, archived on COM and billed on RES (the tariff rules' difference), judged
    against RES's shared-meter 0.52: 1 000 × (0.60 − 0.52) = 80.00 over-billed. Both refunds,
    not "(¥0.00)"; the near miss `cheap` at 0.75 is 50.00 short, revenue as before."""
    u = Itemized()
    for customer_id in ("dear", "wrong_tariff", "cheap"):
        u.customer(customer_id)
    u.bill("dear", "2024-02", 1000, [("energy", 1000.0, 0.85)])
    u.bill("wrong_tariff", "2024-02", 1000, [("energy", 1000.0, 0.60)], tariff="RES")
    u.bill("cheap", "2024-02", 1000, [("energy", 1000.0, 0.75)])
    found = u.run("rate_mismatch")
    assert found["revenue_impact"].to_dict() == {"dear": 0.0, "wrong_tariff": 0.0, "cheap": 50.0}
    assert found.loc["dear", "evidence"] == (
        "2024-02: 1 bill charged another rate than the schedule (2024-02: 0.8500 yuan/kWh where "
        "the schedule says 0.8000); over-billed ¥50.00 (to refund, not counted as revenue)"
    )
    assert found.loc["wrong_tariff", "evidence"].endswith(
        "0.6000 yuan/kWh where the schedule says 0.5200); over-billed ¥80.00 (to refund, not "
        "counted as revenue)"
    )
    assert found.loc["cheap", "evidence"].endswith("the schedule says 0.8000) (¥50.00)")
    _, chinese = evidence(found, "dear")
    assert chinese.endswith("；多计 50.00 元（应退补，不计入涉及电费）")


def test_rate_mismatch_reads_the_rate_of_a_bills_one_energy_line_not_its_average():
    u = Itemized()
    for customer_id in ("average", "cheap"):
        u.customer(customer_id)  # archived on COM, billed on the shared-meter RES price (0.52)
    # 33.3 kWh × 0.52 = 17.316 → 17.32; the bill shows 17.32 / 33.3 = 0.5201 (rounded): the
    # line's 0.52 is the schedule's.
    u.bill("average", "2024-02", 33.3, [("energy", 33.3, 0.52)], tariff="RES", energy_rate=0.5201)
    # The line itself at 0.50: (0.52 − 0.50) × 33.3 = 0.666 → 0.67 short.
    u.bill("cheap", "2024-02", 33.3, [("energy", 33.3, 0.50)], tariff="RES", energy_rate=0.5)
    found = u.run("rate_mismatch")
    assert found.index.tolist() == ["cheap"]
    assert found.loc["cheap", "revenue_impact"] == 0.67


def test_a_bill_split_by_read_days_at_one_price_does_not_fire_rate_mismatch():
    u = Itemized()
    for customer_id in ("split", "split_cheap"):
        u.customer(customer_id)  # COM: 0.80 in January and February alike
    read = {"read_from": pd.Timestamp("2024-01-26"), "read_to": pd.Timestamp("2024-02-25")}
    # 52.54 kWh over 31 read days split by them: round(52.54 × 6 / 31, 2) = 10.17 in January,
    # 42.37 in February, each line to the fen: 10.17 × 0.80 = 8.136 → 8.14 and 42.37 × 0.80 =
    # 33.896 → 33.90. Both on the schedule; their average 42.04 / 52.54 = 0.80015 was flagged
    # (high severity, over-billed ¥0.01).
    u.bill("split", "2024-02", 52.54, [("energy", 10.17, 0.80), ("energy", 42.37, 0.80)], **read)
    # Near miss: both lines at 0.78: 7.9326 → 7.93 + 33.0486 → 33.05 = 40.98 billed where
    # 52.54 × 0.80 = 42.032 → 42.03 is due: 1.05 short.
    u.bill("split_cheap", "2024-02", 52.54, [("energy", 10.17, 0.78), ("energy", 42.37, 0.78)],
           **read)  # fmt: skip
    found = u.run("rate_mismatch")
    assert found.index.tolist() == ["split_cheap"]
    assert found.loc["split_cheap", "revenue_impact"] == 1.05


def test_a_bill_split_by_read_days_at_a_tariff_change_does_not_fire_rate_or_fund_rules():
    """Shops turned workshops (COM → IND) by an order effective 16 June, 3,000 kWh a month read
    1–30 June, archived on IND (WITH_SINGLE_PART_IND: COM 0.90, IND 0.65 + funds 0.03). The
    split, as DOMAIN prices it: round(3,000 × 15 / 30, 2) = 1,500 kWh on COM (1,350.00), 1,500 on
    IND (975.00) with funds on them (1,500 × 0.03 = 45.00). Recomputed whole on IND it was
    "over-billed ¥375.00" and "¥45.00 short of funds"; billed whole on IND (1,950.00 + 90.00) it
    stays right.

    Near misses, on the split: no funds (1,500 × 0.03 = 45.00 short), and the COM days at 0.80
    (1,500 × (0.90 − 0.80) = 150.00 short)."""
    u = Itemized()
    split = [("energy", 1500.0, 0.90), ("energy", 1500.0, 0.65), ("fund", 1500.0, 0.03)]
    june = {
        "split": split,
        "whole_ind": [("energy", 3000.0, 0.65), ("fund", 3000.0, 0.03)],
        "split_no_fund": split[:2],
        "split_cheap": [("energy", 1500.0, 0.80), *split[1:]],
    }
    for customer_id, lines in june.items():
        u.customer(customer_id, usage_type="industrial", tariff_category="IND")
        for month in range(4, 13):
            period = pd.Period(f"2024-{month:02d}", "M")
            read = {"read_from": period.start_time, "read_to": period.end_time.normalize()}
            if month < 6:
                billed, tariff = [("energy", 3000.0, 0.90)], "COM"
            elif month == 6:
                billed, tariff = lines, "IND"
            else:
                billed, tariff = june["whole_ind"], "IND"
            u.bill(customer_id, str(period), 3000.0, billed, tariff=tariff, **read)
        u.orders.append(
            {
                "order_id": f"WO-{customer_id}",
                "customer_id": customer_id,
                "order_type": "tariff_change",
                **dict.fromkeys(["issued_at", "transferred_at", "registered_at", "archived_at"],
                                pd.Timestamp("2024-06-10")),
                "effective_date": pd.Timestamp("2024-06-16"),
                "old_value": "COM",
                "new_value": "IND",
            }
        )  # fmt: skip
    tables = u.tables()
    tables["tariffs"] = WITH_SINGLE_PART_IND.copy()
    found = rules.run(
        Dataset.from_frames(tables), rules=["rate_mismatch", "fund_charge_error"], as_of="2024-12"
    )
    money = found.set_index(["customer_id", "rule_id"])["revenue_impact"].to_dict()
    assert money == {
        ("split_no_fund", "fund_charge_error"): 45.0,
        ("split_cheap", "rate_mismatch"): 150.0,
    }


def test_rate_mismatch_counts_each_bill_to_the_fen_as_billed():
    # January and February at 0.78 where 0.80 is due: 33.3 × 0.78 = 25.974 → 25.97 billed,
    # 26.64 due, 0.67 short a bill: 1.34, not 2 × 33.3 × 0.02 = 1.332 → 1.33.
    u = Itemized()
    u.customer("cheap")
    for period in ("2024-01", "2024-02"):
        u.bill("cheap", period, 33.3, [("energy", 33.3, 0.78)])
    found = u.run("rate_mismatch")
    assert found.loc["cheap", "revenue_impact"] == 1.34
    assert recompute(u.dataset())["difference"].sum().round(2) == 1.34


def test_rate_mismatch_leaves_a_time_of_use_bills_tariff_difference_to_the_tariff_rules():
    """Shops archived on COM by periods (`_com_by_periods`: peak 1.10, flat 0.80, valley 0.40)
    billed on TOU by its periods (peak 0.95, 1.00 from 2024-04-01; flat 0.60; valley 0.30):
    what COM charges more is billed_tariff_mismatch's, so rate_mismatch judges each line
    against TOU's own rate. `right`: January at TOU's rates, nothing. `low_peak`: January's
    peak at 0.90: 4 000 × (0.95 − 0.90) = 200.00, not 4 000 × 0.20 + 3 000 × 0.20 + 3 000 ×
    0.10 = 1 700.00 against COM. `split`: read 03-25..04-24 (31 days), its peak split as a
    bill splits it at April's price: q_old = round(4 000 × 7 / 31, 2) = 903.23 × 0.95 =
    858.07, 3 096.77 × 1.00 = 3 096.77; 3 954.84 billed on the line, nothing."""
    u = Itemized()
    for customer_id in ("right", "low_peak", "split"):
        u.customer(customer_id, tou=True)
    u.bill("right", "2024-01", 10_000, TOU_LINES, tariff="TOU", **REGISTERS)
    low_peak = [("energy", 4000.0, 0.90, "peak"), *TOU_LINES[1:]]
    u.bill("low_peak", "2024-01", 10_000, low_peak, tariff="TOU", **REGISTERS)
    split_peak = ("energy", 4000.0, 0.98871, "peak", None, 858.07 + 3096.77)
    u.bill("split", "2024-04", 10_000, [split_peak, *TOU_LINES[1:]], tariff="TOU",
           read_from="2024-03-25", read_to="2024-04-24", **REGISTERS)  # fmt: skip
    tables = u.tables() | {"tariffs": _com_by_periods()}
    found = rules.run(
        Dataset.from_frames(tables), rules=["rate_mismatch", "billed_tariff_mismatch"]
    ).set_index(["rule_id", "customer_id"])
    assert found.loc["rate_mismatch"].index.tolist() == ["low_peak"]
    assert found.loc[("rate_mismatch", "low_peak"), "revenue_impact"] == pytest.approx(200.00)
    assert sorted(found.loc["billed_tariff_mismatch"].index) == ["low_peak", "right", "split"]


# --- basic_charge_error and capacity_underbilled -----------------------------------------------


@pytest.fixture(scope="module")
def capacity() -> Itemized:
    u = Itemized()
    u.customer("connected", **INDUSTRIAL, connection_date=pd.Timestamp("2024-03-16"))
    u.transformer("connected", "connected-T1")
    u.customer("short", **INDUSTRIAL)
    u.transformer("short", "short-T1")
    # Connected on 16 March: 16 read days, 400 × 30 × 16 / 30 = 6 400.00, billed so.
    u.bill("connected", "2024-03", 5000, [("energy", 5000.0, 0.60),
                                          ("basic", 213.33, 30.0, None, None, 6400.00),
                                          ("fund", 5000.0, 0.03)],
           tariff="IND2", read_from="2024-03-16", read_to="2024-03-31")  # fmt: skip
    u.bill("connected", "2024-04", 10_000, IND2_LINES, tariff="IND2")
    # 315 kVA billed where 400 are running: 85 × 30 = 2 550.00 a month short.
    for period in ("2024-03", "2024-04"):
        u.bill("short", period, 10_000, [("energy", 10_000.0, 0.60), ("basic", 315.0, 30.0),
                                         FUND], tariff="IND2")  # fmt: skip
    return u


def test_capacity_underbilled_against_the_running_transformers(capacity):
    found = capacity.run(["capacity_underbilled", "basic_charge_error"])
    assert found.index.tolist() == ["short"]
    assert found.loc["short", "rule_id"] == "capacity_underbilled"
    assert found.loc["short", "revenue_impact"] == 2 * 2550.00
    assert found.loc["short", "evidence"] == (
        "2 bills 2024-03..2024-04 charged the basic charge on less than the capacity in force, "
        "the days of any suspension counted (in 2024-04: 315 kVA billed, 400 kVA in force) "
        "(¥5,100.00)"
    )


def test_basic_charge_error_on_the_demand_floor():
    u = Itemized()
    demand = INDUSTRIAL | {"contract_capacity_kva": 1000.0, "basic_charge_basis": "demand",
                           "contract_demand_kw": 500.0}  # fmt: skip
    u.customer("floor", **demand)
    u.customer("right", **demand)
    # 300 kW measured: billed kW = max(300, 0.40 × 1 000) = 400, 16 000.00 due; billed on
    # 300 kW, 12 000.00: 4 000.00 short a month.
    for period in ("2024-01", "2024-02"):
        lines = [("energy", 10_000.0, 0.60), ("basic", 300.0, 40.0), FUND]
        u.bill("floor", period, 10_000, lines, tariff="IND2", max_demand_kw=300.0)
        lines = [("energy", 10_000.0, 0.60), ("basic", 400.0, 40.0), FUND]
        u.bill("right", period, 10_000, lines, tariff="IND2", max_demand_kw=300.0)
    found = u.run("basic_charge_error")
    assert found.index.tolist() == ["floor"]
    assert found.loc["floor", "revenue_impact"] == 8000.00
    assert found.loc["floor", "evidence"] == (
        "2024-01..2024-02: 2 bills with a basic charge other than due (last 2024-02: "
        "¥12,000.00 billed on 300.00, ¥16,000.00 due on 400.00); under-billed ¥8,000.00"
    )


# --- pf_adjustment_error -----------------------------------------------------------------------


def test_pf_adjustment_missing_of_the_wrong_sign_and_within_a_fen():
    # 10 000 kWh, 6 000 kvarh: PF = 10 000 / √(10 000² + 6 000²) = 0.8575 → 0.86; standard 0.90:
    # +0.5 × (90 − 86) = +2.0 %, on 6 000.00 + 12 000.00 = 18 000.00: 360.00 due.
    u = Itemized()
    adjustments = {"missing": None, "sign": -360.00, "fen": 359.99, "rounding": 359.996}
    for customer_id, billed in adjustments.items():
        u.customer(customer_id, **INDUSTRIAL, pf_standard=0.90)
        lines = [*IND2_LINES]
        if billed is not None:
            lines.append(("pf_adjustment", 18_000.0, billed / 18_000, None, None, billed))
        u.bill(customer_id, "2024-01", 10_000, lines, tariff="IND2",
               kvarh_import=6000.0, kvarh_export=0.0)  # fmt: skip
    found = u.run("pf_adjustment_error")
    assert sorted(found.index) == ["missing", "sign"]
    assert found.loc["missing", "revenue_impact"] == 360.00
    assert found.loc["sign", "revenue_impact"] == 720.00
    assert evidence(found, "missing") == (
        "2024-01: 1 bill without the power-factor adjustment due (2024-01: ¥360.00, 2.00%); "
        "under-billed ¥360.00",
        "2024-01：1 期账单应调整力调电费而未调整（2024-01：应为 360.00 元，调整 2.00%）；少计 360.00 元",
    )
    assert evidence(found, "sign")[0] == (
        "2024-01: 1 bill with the adjustment of the wrong sign (2024-01: -¥360.00 billed, "
        "¥360.00 due); under-billed ¥720.00"
    )


# --- loss_not_charged and fund_charge_error ----------------------------------------------------


@pytest.fixture(scope="module")
def losses() -> Itemized:
    # January, 744 h; 10 000 kWh, 6 000 kvarh on an S11 400 kVA: P0·T = 0.57 × 744 = 424.08,
    # Pk·(Ap² + Aq²)/(Sn²·T) = 4.52 × 1.36e8 / (160 000 × 744) = 5.164; 429.24 → 429 kWh,
    # × 0.60 = 257.40. Funds due on 10 429 kWh: 312.87.
    u = Itemized()
    for customer_id in ("none", "right", "below"):
        u.customer(customer_id, **INDUSTRIAL, metering_mode="high_low")
        u.transformer(customer_id, f"{customer_id}-T1")
    reactive = {"kvarh_import": 6000.0, "kvarh_export": 0.0}
    energy = ("energy", 10_000.0, 0.60)
    # No losses billed, funds on the metered kWh only: the funds follow the losses billed.
    u.bill("none", "2024-01", 10_000, [energy, BASIC, FUND], tariff="IND2", **reactive)
    u.bill("right", "2024-01", 10_000, [energy, ("loss", 429.0, 0.60), BASIC,
                                        ("fund", 10_429.0, 0.03)], tariff="IND2", **reactive)  # fmt: skip
    # 300 kWh of losses billed, 180.00: 77.40 short.
    u.bill("below", "2024-01", 10_000, [energy, ("loss", 300.0, 0.60), BASIC,
                                        ("fund", 10_300.0, 0.03)], tariff="IND2", **reactive)  # fmt: skip
    return u


def test_loss_not_charged_missing_or_below_due(losses):
    found = losses.run(["loss_not_charged", "fund_charge_error"])
    assert sorted(found.index) == ["below", "none"]
    # One cause, one finding: the funds on the loss kWh are under-billed with the losses and
    # counted by loss_not_charged, not by fund_charge_error (funds billed on the kWh billed).
    assert set(found["rule_id"]) == {"loss_not_charged"}
    # none: 257.40 of losses + 429 × 0.03 = 12.87 of funds; below: 77.40 + 129 × 0.03 = 3.87.
    assert found.loc["none", "revenue_impact"] == 270.27
    assert found.loc["below", "revenue_impact"] == 81.27
    assert evidence(found, "none") == (
        "2024-01: 1 bill metered on the low side with no transformer losses billed (2024-01: "
        "429 kWh of losses due, ¥257.40); under-billed ¥270.27; of which ¥12.87 of funds on "
        "the loss energy",
        "2024-01：1 期账单高供低计未计变损（2024-01：应计变损电量 429 千瓦时，257.40 元）；少计 270.27 元；"
        "其中变损电量少计的基金及附加 12.87 元",
    )
    assert found.loc["below", "evidence"].startswith(
        "2024-01: 1 bill with less transformer loss than due (2024-01: 300 kWh for ¥180.00 "
        "billed, 429 kWh for ¥257.40 due)"
    )


def test_fund_charge_error_beyond_a_fen():
    # 1 000 kWh a month: 30.00 of funds due.
    u = Itemized()
    funds = {"low": 25.00, "fen": 29.99, "two_fen": 29.98, "missing": None}
    for customer_id, billed in funds.items():
        u.customer(customer_id, **INDUSTRIAL)
        for period in ("2024-01", "2024-02"):
            lines = [("energy", 1000.0, 0.60), BASIC]
            if billed is not None:
                lines.append(("fund", 1000.0, 0.03, None, None, billed))
            u.bill(customer_id, period, 1000, lines, tariff="IND2")
    found = u.run("fund_charge_error")
    assert sorted(found.index) == ["low", "missing", "two_fen"]
    assert found.loc["low", "revenue_impact"] == 10.00
    assert found.loc["two_fen", "revenue_impact"] == 0.04
    assert found.loc["missing", "revenue_impact"] == 60.00
    assert evidence(found, "low")[0] == (
        "2024-01..2024-02: 2 bills with funds other than due (last 2024-02: ¥25.00 billed, "
        "1,000 kWh × 0.0300 yuan/kWh = ¥30.00 due); under-billed ¥10.00"
    )
    assert evidence(found, "missing")[1] == (
        "2024-01 至 2024-02：2 期账单未计收代征基金及附加（最近一期为 2024-02：1,000 千瓦时 × 0.0300 元/千瓦时 = "
        "30.00 元）；少计 60.00 元"
    )


def test_an_over_billing_is_shown_but_counts_no_revenue():
    u = Itemized()
    u.customer("over", **INDUSTRIAL)
    u.bill("over", "2024-01", 10_000, [*IND2_LINES[:2], ("fund", 10_000.0, 0.04)], tariff="IND2")
    found = u.run("fund_charge_error")
    assert found.loc["over", "revenue_impact"] == 0.0
    assert found.loc["over", "evidence"].endswith(
        "; over-billed ¥100.00 (to refund, not counted as revenue)"
    )


def test_the_line_rules_are_skipped_without_bill_lines():
    u = Itemized()
    u.customer("A", **INDUSTRIAL)
    u.bill("A", "2024-01", 10_000, IND2_LINES, tariff="IND2")
    tables = u.tables()
    del tables["bill_lines"]
    notes: list[str] = []
    from auditkit.data import Dataset

    found = rules.run(Dataset.from_frames(tables), rules=["fund_charge_error"], notes=notes)
    assert found.empty
    assert notes == ["fund_charge_error skipped: table bill_lines is absent"]


# --- tariff_mismatch on a tiered tariff ------------------------------------------------------


def test_tariff_mismatch_prices_a_tiered_bill_by_its_tiers_not_the_shared_meter_row():
    """A shop on the household tariff, billed by its tiers: 2024-01 1 500 kWh at 0.50 = 750.00,
    2024-02 660 at 0.50 + 840 at 0.55 = 792.00; due at COM 0.80: 1 200.00 a month. Under-billed
    450.00 + 408.00 = 858.00 (the shared-meter row would say 2 × 1 500 × 0.28 = 840.00)."""
    u = Itemized()
    shop = {"usage_type": "commercial", "tariff_category": "RES", "tier_scheme": "single"}
    u.customer("shop", **shop)
    u.bill("shop", "2024-01", 1500, [("energy", 1500.0, 0.50, None, 1)], tariff="RES")
    february = [("energy", 660.0, 0.50, None, 1), ("energy", 840.0, 0.55, None, 2)]
    u.bill("shop", "2024-02", 1500, february, tariff="RES")
    household = {"usage_type": "residential", "tariff_category": "RES", "tier_scheme": "single"}
    u.customer("home", **household)  # the near miss: a household on its own tariff
    u.bill("home", "2024-01", 1500, [("energy", 1500.0, 0.50, None, 1)], tariff="RES")
    u.bill("home", "2024-02", 1500, february, tariff="RES")
    found = u.run("tariff_mismatch", as_of="2024-02")
    assert list(found.index) == ["shop"]
    assert found.loc["shop", "revenue_impact"] == pytest.approx(858.00, abs=0.005)
    assert "under-billed ¥858.00" in found.loc["shop", "evidence"]


def _run_on(u: Itemized, tariffs: pd.DataFrame, rule_id: str, as_of: str) -> pd.DataFrame:
    """The findings of `rule_id` on `u` with its schedule replaced by `tariffs`."""
    tables = u.tables() | {"tariffs": tariffs}
    return rules.run(Dataset.from_frames(tables), rules=rule_id, as_of=as_of).set_index(
        "customer_id"
    )


def _com_by_periods() -> pd.DataFrame:
    """The schedule with COM by periods (critical 1.20, peak 1.10, flat 0.80, valley 0.40, all
    year) and AGR (agricultural, 0.50, no funds)."""
    com = [("critical", 1.20), ("peak", 1.10), ("flat", 0.80), ("valley", 0.40)]
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "tariff_category": "COM",
                    "usage_type": "commercial",
                    "energy_rate": [rate for _, rate in com],
                    "tou_period": [period for period, _ in com],
                    "valid_from": pd.Timestamp("2018-01-01"),
                }
            ),
            TARIFFS[TARIFFS["tariff_category"] != "COM"],
            pd.DataFrame(
                {
                    "tariff_category": ["AGR"],
                    "usage_type": "agricultural",
                    "energy_rate": 0.50,
                    "valid_from": pd.Timestamp("2018-01-01"),
                }
            ),
        ],
        ignore_index=True,
    )


def test_tariff_mismatch_prices_a_time_of_use_shop_by_its_periods_on_the_kwh_billed():
    """COM by periods (`_com_by_periods`); shops on RES billed at the shared-meter price 0.52.
    January 1 000 kWh (300 peak, 400 valley, 300 flat): due 330.00 + 240.00 + 160.00 = 730.00,
    billed 520.00; February 2 000 kWh (1 000 peak, 200 valley, 800 flat): due 1 100.00 +
    640.00 + 80.00 = 1 820.00, billed 1 040.00. Under-billed 210.00 + 780.00 = 990.00 (the flat
    row would say 3 000 × 0.28 = 840.00)."""
    tariffs = _com_by_periods()
    u = Itemized()
    shop = {"tariff_category": "RES", "tou": True}
    u.customer("shop", **shop)
    # The same shop with a CT of 2 in the archive, billed at multiplier 1: the missing half of
    # its kWh is multiplier_mismatch's, so the tariff is priced on the kWh billed.
    u.customer("shop_ct", **shop, ct_ratio=2.0)
    u.customer("plain_shop", tariff_category="RES")  # not on time-of-use: COM's flat row
    for customer_id in ("shop", "shop_ct", "plain_shop"):
        for period, kwh, peak, valley in (("2024-01", 1000, 300.0, 400.0),
                                          ("2024-02", 2000, 1000.0, 200.0)):  # fmt: skip
            registers = {"kwh_peak": peak, "kwh_valley": valley, "kwh_critical": 0.0}
            u.bill(customer_id, period, kwh, [("energy", float(kwh), 0.52)], tariff="RES",
                   **registers)  # fmt: skip
    found = _run_on(u, tariffs, "tariff_mismatch", "2024-02")
    assert sorted(found.index) == ["plain_shop", "shop", "shop_ct"]
    assert found.loc["shop", "revenue_impact"] == pytest.approx(990.00, abs=0.005)
    assert found.loc["shop_ct", "revenue_impact"] == pytest.approx(990.00, abs=0.005)
    # The near miss: a shop not on time-of-use is priced at the flat row, as before.
    assert found.loc["plain_shop", "revenue_impact"] == pytest.approx(840.00, abs=0.005)
    assert "under-billed ¥990.00 (" in found.loc["shop", "evidence"]  # no adjustment due


def _tariff_order(u: Itemized, customer_id: str, effective: str) -> None:
    """A tariff_change order RES → COM of `customer_id`, in force from `effective`."""
    u.orders.append(
        {
            "order_id": f"T-{customer_id}",
            "customer_id": customer_id,
            "order_type": "tariff_change",
            "issued_at": pd.Timestamp(effective) - pd.Timedelta(days=10),
            "effective_date": pd.Timestamp(effective),
            "old_value": "RES",
            "new_value": "COM",
        }
    )


def test_an_order_not_applied_is_priced_by_the_periods_of_the_tariff_it_ordered():
    """A shop on time-of-use, its order RES → COM in force from January, still billed on RES at
    the shared-meter price 0.52 (`_com_by_periods`). January 1 000 kWh: due 730.00, billed 520.00;
    February 2 000 kWh: due 1 820.00, billed 1 040.00. Under-billed 210.00 + 780.00 = 990.00
    from the effective month on (COM's flat row would say 3 000 × 0.28 = 840.00). The near
    miss: the same shop billed on COM from February, one month late, within the grace."""
    u = Itemized()
    for customer_id in ("shop", "late_shop"):
        u.customer(customer_id, tou=True)
        _tariff_order(u, customer_id, "2024-01-01")
    for period, kwh, peak, valley in (("2024-01", 1000, 300.0, 400.0),
                                      ("2024-02", 2000, 1000.0, 200.0)):  # fmt: skip
        registers = {"kwh_peak": peak, "kwh_valley": valley, "kwh_critical": 0.0}
        u.bill("shop", period, kwh, [("energy", float(kwh), 0.52)], tariff="RES", **registers)
    january = {"kwh_peak": 300.0, "kwh_valley": 400.0, "kwh_critical": 0.0}
    u.bill("late_shop", "2024-01", 1000, [("energy", 1000.0, 0.52)], tariff="RES", **january)
    february = [("energy", 1000.0, 1.10, "peak"), ("energy", 200.0, 0.40, "valley"),
                ("energy", 800.0, 0.80, "flat")]  # fmt: skip
    u.bill("late_shop", "2024-02", 2000, february, kwh_peak=1000.0, kwh_valley=200.0,
           kwh_critical=0.0)  # fmt: skip
    found = _run_on(u, _com_by_periods(), "order_not_applied", "2024-02")
    assert list(found.index) == ["shop"]
    assert found.loc["shop", "revenue_impact"] == pytest.approx(990.00, abs=0.005)
    english, chinese = evidence(found, "shop")
    assert english == (
        "order T-shop (tariff_change RES→COM) took effect in 2024-01, yet 2 bills "
        "2024-01..2024-02 still use RES (¥990.00)"
    )
    assert chinese.endswith("共 2 期账单仍按 RES 计费（涉及电费 990.00 元）")


def test_an_order_to_a_two_part_tariff_not_applied_owes_its_basic_charge_and_adjustment():
    """The factory of the next test, its order COM → IND2 in force from January, billed on COM
    in January and February: each month 10 500.00 under-billed, of which 200.00 of adjustment
    (computed there): 21 000.00, of which 400.00."""
    tariffs = TARIFFS[TARIFFS["tariff_category"] != "TOU"]
    u = Itemized()
    u.customer("factory", **INDUSTRIAL, pf_standard=0.90)
    _tariff_order(u, "factory", "2024-01-01")
    u.orders[-1] |= {"old_value": "COM", "new_value": "IND2"}
    for period in ("2024-01", "2024-02"):
        u.bill("factory", period, 10_000, [("energy", 10_000.0, 0.80),
               ("pf_adjustment", 8000.0, 0.02)], kvarh_import=6000.0, kvarh_export=0.0)  # fmt: skip
    found = _run_on(u, tariffs, "order_not_applied", "2024-02")
    assert found.loc["factory", "revenue_impact"] == pytest.approx(21_000.00, abs=0.005)
    english, chinese = evidence(found, "factory")
    assert english.endswith("(¥21,000.00), of which ¥400.00 of power-factor adjustment")
    assert chinese.endswith("（涉及电费 21,000.00 元），其中力调电费 400.00 元")


def test_tariff_mismatch_owes_the_two_part_basic_charge_and_the_adjustment_it_moves():
    """A 400 kVA factory at 10 kV archived and billed on COM (0.80), standard 0.90, 10 000 kWh
    and 6 000 kvarh: PF 0.86, +2.0 %. Billed 8 000.00 + 160.00 of adjustment. Due on IND2
    (TOU left out of the schedule): 6 000.00 of energy, 400 kVA × 30 = 12 000.00 of basic charge
    by capacity (no basis in force), 2.0 % of 18 000.00 = 360.00 of adjustment, funds
    300.00: 18 660.00. Under-billed 10 500.00, of which 200.00 of adjustment (the flat rates
    said 10 000.00: no adjustment, and no funds against a tariff billed without a fund rate)."""
    tariffs = TARIFFS[TARIFFS["tariff_category"] != "TOU"]
    u = Itemized()
    factory = INDUSTRIAL | {"tariff_category": "COM", "basic_charge_basis": "none"}
    u.customer("factory", **factory, pf_standard=0.90)
    u.bill("factory", "2024-01", 10_000, [("energy", 10_000.0, 0.80),
           ("pf_adjustment", 8000.0, 0.02)], kvarh_import=6000.0, kvarh_export=0.0)  # fmt: skip
    found = _run_on(u, tariffs, "tariff_mismatch", "2024-01")
    assert found.loc["factory", "revenue_impact"] == pytest.approx(10_500.00, abs=0.005)
    english, chinese = evidence(found, "factory")
    assert "should be IND2" in english
    assert "under-billed ¥10,500.00, of which ¥200.00 of power-factor adjustment (" in english
    assert "少收 10,500.00 元，其中力调电费 200.00 元（" in chinese


def test_a_single_part_tariff_due_nets_the_basic_charge_each_bill_charged():
    """Two 400 kVA shops at 10 kV archived and billed on IND2 (0.60, 30 per kVA, funds 0.03)
    on 200 kVA in January, where COM (0.80, no basic charge, no funds) is due. The big shop's
    100 000 kWh: 80 000.00 due against 60 000.00 + 6 000.00 + 3 000.00 paid, 11 000.00 (the
    recomputation on IND2 charged the 400 kVA in force: 5 000.00, and capacity_underbilled
    6 000.00 more). The small shop's 10 000 kWh: 8 000.00 due against 12 300.00 paid,
    nothing under-billed (capacity_underbilled said 6 000.00). No basic charge is due, so
    neither capacity_underbilled nor basic_charge_error finds a basic charge short."""
    tariffs = TARIFFS[TARIFFS["tariff_category"] != "TOU"]
    u = Itemized()
    for cid, kwh in (("big_shop", 100_000.0), ("small_shop", 10_000.0)):
        u.customer(cid, **INDUSTRIAL | {"usage_type": "commercial"})
        lines = [("energy", kwh, 0.60), ("basic", 200.0, 30.0), ("fund", kwh, 0.03)]
        u.bill(cid, "2024-01", kwh, lines, tariff="IND2", capacity_billed_kva=200.0)
    found = _run_on(u, tariffs, "tariff_mismatch", "2024-01")["revenue_impact"]
    assert found.to_dict() == pytest.approx({"big_shop": 11_000.00, "small_shop": 0.0}, abs=0.005)
    for rule_id in ("capacity_underbilled", "basic_charge_error"):
        assert _run_on(u, tariffs, rule_id, "2024-01").empty, rule_id


@pytest.mark.parametrize(("amount", "owed"), [(69_000.0, 11_000.0), (63_000.0, 17_000.0)])
def test_a_bill_without_its_basic_line_and_charge_paid_what_its_amount_holds(amount, owed):
    """The big shop of the test above, its bill listing energy and funds only and leaving its
    basic charge blank: a blank is no charge of nothing, and the amount (energy + basic +
    adjustment + funds) says what was paid. An amount of 69 000.00 paid 6 000.00 of basic
    charge, 11 000.00 under-billed as where it is recorded; one of 63 000.00 paid none, and
    17 000.00 is owed (reading the capacity billed said 11 000.00)."""
    tariffs = TARIFFS[TARIFFS["tariff_category"] != "TOU"]
    u = Itemized()
    u.customer("big_shop", **INDUSTRIAL | {"usage_type": "commercial"})
    lines = [("energy", 100_000.0, 0.60), ("fund", 100_000.0, 0.03)]
    u.bill("big_shop", "2024-01", 100_000.0, lines, tariff="IND2", capacity_billed_kva=200.0,
           basic_charge=None, amount=amount)  # fmt: skip
    found = _run_on(u, tariffs, "tariff_mismatch", "2024-01")
    assert found.loc["big_shop", "revenue_impact"] == pytest.approx(owed, abs=0.005)


def test_tariff_mismatch_on_a_two_part_tariff_due_keeps_a_bill_by_demand_by_demand():
    """A 400 kVA factory at 10 kV billed on COM (0.80) where IND2 is due (TOU left out), 10,000
    kWh a month, recorded by demand in January (200 kW) and without a basis from February
    (basis_change demand → none effective 1 February; the archive says none). Due on IND2:
    6,000.00 of energy and 300.00 of funds a month, and the basic charge by the basis in force:
    January by demand, 40 × 200 kW (above 40 % of 400 kVA) = 8,000.00; February, without one,
    by capacity, 30 × 400 = 12,000.00. Billed 8,000.00 a month: 6,300.00 + 10,300.00 =
    ¥16,600.00 (January was priced by capacity on today's basis: ¥20,600.00)."""
    tariffs = TARIFFS[TARIFFS["tariff_category"] != "TOU"]
    u = Itemized()
    u.customer("factory", **INDUSTRIAL | {"tariff_category": "COM", "basic_charge_basis": "none"})
    u.orders.append(
        {
            "order_id": "B-factory",
            "customer_id": "factory",
            "order_type": "basis_change",
            "issued_at": pd.Timestamp("2024-01-20"),
            "effective_date": pd.Timestamp("2024-02-01"),
            "old_value": "demand",
            "new_value": "none",
        }
    )
    for period in ("2024-01", "2024-02"):
        u.bill("factory", period, 10_000, [("energy", 10_000.0, 0.80)], max_demand_kw=200.0)
    found = _run_on(u, tariffs, "tariff_mismatch", "2024-02")
    assert found.loc["factory", "revenue_impact"] == pytest.approx(
        (6_000 + 8_000 + 300 - 8_000) + (6_000 + 12_000 + 300 - 8_000), abs=0.005
    )


def test_tariff_mismatch_prices_a_bill_on_a_third_tariff_at_the_flat_rates():
    """A shop archived on RES but billed on MKT (0.45 in January): the recomputation on the
    archive prices RES (0.52), not the tariff billed, so the bill is priced at the flat rates:
    1 000 × (COM 0.80 − MKT 0.45) = 350.00 (not 1 000 × (0.80 − 0.52) = 280.00)."""
    u = Itemized()
    u.customer("shop", tariff_category="RES")
    u.bill("shop", "2024-01", 1000, [("energy", 1000.0, 0.45)], tariff="MKT")
    found = u.run("tariff_mismatch", as_of="2024-01")
    assert found.loc["shop", "revenue_impact"] == pytest.approx(350.00, abs=0.005)


# --- change_without_order: a silent tariff change priced like tariff_mismatch ----------------

#: A time-of-use month on COM by periods (`_com_by_periods`): 1 000 kWh, 300 peak, 400 valley,
#: 300 flat: 330.00 + 240.00 + 160.00 = 730.00.
SHOP_MONTH = {"kwh_peak": 300.0, "kwh_valley": 400.0, "kwh_critical": 0.0}
SHOP_LINES = [("energy", 300.0, 1.10, "peak"), ("energy", 300.0, 0.80, "flat"),
              ("energy", 400.0, 0.40, "valley")]  # fmt: skip


@pytest.fixture(scope="module")
def silent_changes() -> pd.DataFrame:
    """Shops on COM billed by periods in January, then on other tariffs with no work order."""
    u = Itemized()
    for customer_id in ("shop", "back", "twice"):
        u.customer(customer_id, tou=True)
        u.bill(customer_id, "2024-01", 1000, SHOP_LINES, **SHOP_MONTH)
    # On AGR from February: 2 000 kWh (1 000 peak, 200 valley, 800 flat), then 1 000 as in
    # January.
    february = {"kwh_peak": 1000.0, "kwh_valley": 200.0, "kwh_critical": 0.0}
    u.bill("shop", "2024-02", 2000, [("energy", 2000.0, 0.50)], tariff="AGR", **february)
    u.bill("shop", "2024-03", 1000, [("energy", 1000.0, 0.50)], tariff="AGR", **SHOP_MONTH)
    # On AGR in February, back on COM in March, with no order either.
    u.bill("back", "2024-02", 1000, [("energy", 1000.0, 0.50)], tariff="AGR", **SHOP_MONTH)
    u.bill("back", "2024-03", 1000, SHOP_LINES, **SHOP_MONTH)
    # On RES (0.52, the shared-meter row) in February, on AGR in March.
    u.bill("twice", "2024-02", 1000, [("energy", 1000.0, 0.52)], tariff="RES", **SHOP_MONTH)
    u.bill("twice", "2024-03", 1000, [("energy", 1000.0, 0.50)], tariff="AGR", **SHOP_MONTH)
    # The near miss: a shop not on time-of-use, billed at COM's flat 0.80, then on AGR.
    u.customer("plain_shop")
    u.bill("plain_shop", "2024-01", 1000, [("energy", 1000.0, 0.80)])
    for period, kwh in (("2024-02", 2000), ("2024-03", 1000)):
        u.bill("plain_shop", period, kwh, [("energy", float(kwh), 0.50)], tariff="AGR")
    return _run_on(u, _com_by_periods(), "change_without_order", "2024-03")


def test_a_time_of_use_shop_silently_billed_on_agr_is_priced_by_its_periods(silent_changes):
    """February: due on COM 1 100.00 + 640.00 + 80.00 = 1 820.00, billed on AGR 1 000.00;
    March: 730.00 against 500.00. Under-billed 820.00 + 230.00 = 1 050.00, where COM's flat row
    said 3 000 × (0.80 − 0.50) = 900.00."""
    assert silent_changes.loc["shop", "revenue_impact"] == pytest.approx(1050.00, abs=0.005)
    english, chinese = evidence(silent_changes, "shop")
    assert english == (
        "billing changed with no work order within ±1 months: tariff COM→AGR in 2024-02 "
        "(¥1,050.00 under-billed since)"
    )
    assert chinese == (
        "计费参数变更，但 ±1 个月内无相应工单：2024-02 电价类别 COM→AGR（此后少收电费 1,050.00 元）"
    )


def test_each_silent_tariff_run_is_priced_from_the_tariff_it_left(silent_changes):
    """`back`: February on AGR, 730.00 − 500.00 = 230.00; its change back to COM in March
    under-billed nothing (AGR's 500.00 less COM's 730.00 counts 0, not −230.00). `twice`:
    February on RES, 730.00 − 520.00 = 210.00; March on AGR, from RES: 520.00 − 500.00 =
    20.00 (three tariffs, so three recomputations of its bills)."""
    assert silent_changes.loc["back", "revenue_impact"] == pytest.approx(230.00, abs=0.005)
    assert silent_changes.loc["twice", "revenue_impact"] == pytest.approx(230.00, abs=0.005)
    assert "tariff COM→AGR in 2024-02 and 1 more change" in silent_changes.loc["back", "evidence"]


def test_a_shop_not_on_time_of_use_is_priced_at_the_flat_rates_as_before(silent_changes):
    """COM's flat row 0.80 against AGR's 0.50 on 3 000 kWh: 900.00, what the flat rates said."""
    assert silent_changes.loc["plain_shop", "revenue_impact"] == pytest.approx(900.00, abs=0.005)


def test_a_two_part_factory_silently_billed_single_part_owes_its_basic_charge():
    """A 400 kVA factory at 10 kV on IND2 by capacity, standard 0.90, 10 000 kWh and 6 000 kvarh
    a month: PF 0.86, +2.0 %. January on IND2: 6 000.00 + 12 000.00 of basic charge + 360.00 of
    adjustment + 300.00 of funds = 18 660.00. February and March silently on IND (single-part,
    0.65, funds 0.03): 6 500.00 + 130.00 of adjustment + 300.00 = 6 930.00. Under-billed
    2 × 11 730.00 = 23 460.00, of which 2 × 230.00 = 460.00 of adjustment; the flat rates said
    nothing (0.60 − 0.65 < 0: the basic charge lost was not seen)."""
    tariffs = WITH_SINGLE_PART_IND
    u = Itemized()
    u.customer("factory", **INDUSTRIAL, pf_standard=0.90)
    reactive = {"kvarh_import": 6000.0, "kvarh_export": 0.0}
    u.bill("factory", "2024-01", 10_000, [*IND2_LINES, ("pf_adjustment", 18_000.0, 0.02)],
           tariff="IND2", **reactive)  # fmt: skip
    for period in ("2024-02", "2024-03"):
        lines = [("energy", 10_000.0, 0.65), ("pf_adjustment", 6500.0, 0.02), FUND]
        u.bill("factory", period, 10_000, lines, tariff="IND", **reactive)
    found = _run_on(u, tariffs, "change_without_order", "2024-03")
    assert found.loc["factory", "revenue_impact"] == pytest.approx(23_460.00, abs=0.005)
    english, chinese = evidence(found, "factory")
    assert "tariff IND2→IND in 2024-02 (¥23,460.00 under-billed since, of which ¥460.00 of " \
        "power-factor adjustment)" in english  # fmt: skip
    assert "（此后少收电费 23,460.00 元，其中力调电费 460.00 元）" in chinese


# --- a silent change of the archive and the billing: tariff_mismatch's, counted once -----------


def _moved_to_agr(archive: str) -> Itemized:
    """A plain shop (commercial, not on time-of-use) archived on `archive`, billed on COM's flat
    row 0.80 in January, then on AGR (0.50) with no order: February 2 000 kWh, March 1 000."""
    u = Itemized()
    u.customer("shop", tariff_category=archive)
    u.bill("shop", "2024-01", 1000, [("energy", 1000.0, 0.80)])
    u.bill("shop", "2024-02", 2000, [("energy", 2000.0, 0.50)], tariff="AGR")
    u.bill("shop", "2024-03", 1000, [("energy", 1000.0, 0.50)], tariff="AGR")
    return u


BOTH = ["tariff_mismatch", "change_without_order"]


def test_an_archive_moved_with_the_billing_is_counted_once_under_tariff_mismatch():
    """Archive and billing both moved to AGR: the shop is due COM (tariff_mismatch), and its
    bills on AGR under-billed 3 000 × (0.80 − 0.50) = 900.00. tariff_mismatch counts them; the
    silent change stays listed at 0.00, its evidence pointing there: the two rules sum to the
    bills' loss, 900.00, not 1 800.00."""
    found = _run_on(_moved_to_agr("AGR"), _com_by_periods(), BOTH, "2024-03")
    mine = found.loc["shop"].set_index("rule_id")["revenue_impact"]
    assert mine["tariff_mismatch"] == pytest.approx(900.00, abs=0.005)
    assert mine["change_without_order"] == pytest.approx(0.00, abs=0.005)
    assert mine.sum() == pytest.approx(900.00, abs=0.005)
    row = found.reset_index()
    row = row[row["rule_id"] == "change_without_order"]
    english, chinese = row["evidence"].iat[0], rules.evidence_text(row, "zh").iat[0]
    assert english == (
        "billing changed with no work order within ±1 months: tariff COM→AGR in 2024-02 "
        "(¥0.00 under-billed since; the tariff difference of 2 bills is counted under "
        "tariff_mismatch, the archive's tariff not being the one due either)"
    )
    assert "；另有 2 期账单的电价差额计入“电价类别与用电性质不符”规则，" in chinese


def test_a_silent_change_of_the_billing_alone_is_still_priced_by_change_without_order():
    """The archive right (COM): tariff_mismatch finds nothing, and change_without_order prices
    the AGR bills as before, 900.00."""
    found = _run_on(_moved_to_agr("COM"), _com_by_periods(), BOTH, "2024-03")
    assert list(found["rule_id"]) == ["change_without_order"]
    assert found.loc["shop", "revenue_impact"] == pytest.approx(900.00, abs=0.005)
    assert "counted under" not in found.loc["shop", "evidence"]


def test_change_without_order_alone_leaves_the_money_of_a_moved_archive_to_tariff_mismatch():
    """Run alone on the double case it still counts 0.00 and says where the 900.00 is: a rule's
    figure does not depend on which rules run (the evidence names the rule to run)."""
    found = _run_on(_moved_to_agr("AGR"), _com_by_periods(), "change_without_order", "2024-03")
    assert found.loc["shop", "revenue_impact"] == pytest.approx(0.00, abs=0.005)
    assert "counted under tariff_mismatch" in found.loc["shop", "evidence"]


@pytest.mark.parametrize(
    ("ct_ratio", "owner"), [(1.0, "change_without_order"), (2.0, "multiplier_mismatch")]
)
def test_a_silent_multiplier_change_on_a_wrong_tariff_counts_each_yuan_once(
    ct_ratio: float, owner: str
):
    """The double case, March billed at multiplier 1 after 2 (500 kWh for its 500 kWh of
    registers, 1 000 metered): the tariff difference is tariff_mismatch's, 2 000 × 0.30 + 500 ×
    0.30 = 750.00 (on the kWh billed); the 500 kWh left out, at the rate of the tariff due,
    500 × 0.80 = 400.00, are change_without_order's where the archive moved with the billing
    (CT 1) and multiplier_mismatch's where the archive kept the CT of 2 due (the silent change
    then lists them at 0.00). Together 1 150.00 either way: March owed 1 000 × 0.80 = 800.00 and
    was billed 250.00, February 2 000 × 0.30 short."""
    u = Itemized()
    u.customer("shop", tariff_category="AGR", ct_ratio=ct_ratio)
    u.bill("shop", "2024-01", 1000, [("energy", 1000.0, 0.80)], multiplier=2.0)
    u.bill("shop", "2024-02", 2000, [("energy", 2000.0, 0.50)], tariff="AGR", multiplier=2.0)
    u.bill("shop", "2024-03", 500, [("energy", 500.0, 0.50)], tariff="AGR")
    found = _run_on(u, _com_by_periods(), [*BOTH, "multiplier_mismatch"], "2024-03")
    mine = found.loc["shop"].set_index("rule_id")["revenue_impact"]
    assert mine["tariff_mismatch"] == pytest.approx(750.00, abs=0.005)
    assert mine[owner] == pytest.approx(400.00, abs=0.005)
    assert mine.sum() == pytest.approx(1_150.00, abs=0.005)


# --- what a line wrong upstream moves downstream, counted once --------------------------------


@pytest.fixture(scope="module")
def downstream() -> Itemized:
    # January (744 h), 10 000 kWh, 6 000 kvarh, S11 400 kVA metered on the low side, standard
    # 0.90. Losses 429 kWh (257.40, as in `losses`). With them A = 10 429: PF = 10 429 /
    # √(10 429² + 6 000²) = 0.8668 → 0.87, +1.5 % of 6 000.00 + 257.40 + 12 000.00 = 18 257.40:
    # 273.86 due; funds 10 429 × 0.03 = 312.87. Without them PF = 0.8575 → 0.86: +2.0 %.
    u = Itemized()
    reactive = {"kvarh_import": 6000.0, "kvarh_export": 0.0}
    energy = ("energy", 10_000.0, 0.60)
    for customer_id in ("right", "consistent", "sign"):
        u.customer(customer_id, **INDUSTRIAL, metering_mode="high_low", pf_standard=0.90)
        u.transformer(customer_id, f"{customer_id}-T1")
    u.bill("right", "2024-01", 10_000, [energy, ("loss", 429.0, 0.60), BASIC,
           ("pf_adjustment", 18_257.40, 0.015), ("fund", 10_429.0, 0.03)], tariff="IND2",
           **reactive)  # fmt: skip
    # No losses; the adjustment and funds billed as the energy billed gives them: 2.0 % of
    # 18 000.00 = 360.00, funds 300.00.
    u.bill("consistent", "2024-01", 10_000, [energy, BASIC, ("pf_adjustment", 18_000.0, 0.02),
           FUND], tariff="IND2", **reactive)  # fmt: skip
    # The same, the adjustment billed as a rebate: −360.00.
    u.bill("sign", "2024-01", 10_000, [energy, BASIC, ("pf_adjustment", 18_000.0, -0.02),
           FUND], tariff="IND2", **reactive)  # fmt: skip
    # Not metered on the low side: no losses; PF 0.86, +2.0 %. The basic charge billed at 25
    # yuan/kVA (10 000.00, 12 000.00 due) and the adjustment on what was billed: 2.0 % of
    # 16 000.00 = 320.00 where 360.00 is due.
    u.customer("basic", **INDUSTRIAL, pf_standard=0.90)
    u.bill("basic", "2024-01", 10_000, [energy, ("basic", 400.0, 25.0),
           ("pf_adjustment", 16_000.0, 0.02), FUND], tariff="IND2", **reactive)  # fmt: skip
    return u


LINE_RULES = ["loss_not_charged", "pf_adjustment_error", "fund_charge_error", "basic_charge_error"]


def test_missing_losses_carry_their_funds_and_the_adjustment_they_move(downstream):
    found = downstream.run(LINE_RULES)
    # 257.40 of losses + 12.87 of funds (429 × 0.03) + 273.86 − 360.00 = −86.14 of adjustment
    # (the losses raise the power factor: less surcharge): 184.13, the bill's whole difference.
    consistent = found.loc[["consistent"]]
    assert consistent["rule_id"].tolist() == ["loss_not_charged"]
    assert consistent["revenue_impact"].tolist() == [184.13]
    assert evidence(found, "consistent") == (
        "2024-01: 1 bill metered on the low side with no transformer losses billed (2024-01: "
        "429 kWh of losses due, ¥257.40); under-billed ¥184.13; of which ¥12.87 of funds on "
        "the loss energy; of which -¥86.14 of power-factor adjustment moved by the losses",
        "2024-01：1 期账单高供低计未计变损（2024-01：应计变损电量 429 千瓦时，257.40 元）；少计 184.13 元；"
        "其中变损电量少计的基金及附加 12.87 元；其中变损引起的力调电费差额 -86.14 元",
    )
    assert "right" not in found.index


def test_an_adjustment_of_the_wrong_sign_is_found_where_the_losses_are_wrong_too(downstream):
    found = downstream.run(LINE_RULES).loc[["sign"]].set_index("rule_id")
    # The adjustment the losses billed give, 360.00, billed as −360.00: 720.00; the losses as
    # on `consistent`: 184.13. In all 904.13 = 257.40 + 12.87 + 273.86 + 360.00, counted once.
    assert found["revenue_impact"].to_dict() == {
        "pf_adjustment_error": 720.00,
        "loss_not_charged": 184.13,
    }
    assert found.loc["pf_adjustment_error", "evidence"] == (
        "2024-01: 1 bill with the adjustment of the wrong sign (2024-01: -¥360.00 billed, "
        "¥360.00 due); under-billed ¥720.00"
    )


def test_each_yuan_of_a_bills_difference_is_found_once(downstream):
    found = downstream.run(LINE_RULES)
    net = recompute(downstream.dataset()).groupby("customer_id")["difference"].sum().round(2)
    assert found.groupby(level="customer_id")["revenue_impact"].sum().round(2).to_dict() == {
        customer_id: net[customer_id] for customer_id in ("basic", "consistent", "sign")
    }
    assert net["right"] == 0.0


def test_a_basic_charge_off_carries_the_adjustment_on_it(downstream):
    found = downstream.run(LINE_RULES).loc[["basic"]]
    # 2 000.00 of basic charge + 2.0 % of it, 40.00 (360.00 due, 320.00 billed): pf_adjustment_error
    # judges 2.0 % of the 16 000.00 billed, as billed.
    assert found["rule_id"].tolist() == ["basic_charge_error"]
    assert found["revenue_impact"].tolist() == [2040.00]
    assert evidence(found, "basic")[0].endswith(
        "; under-billed ¥2,040.00; of which ¥40.00 of power-factor adjustment on the basic "
        "charge difference"
    )


def test_capacity_billed_short_carries_the_adjustment_on_its_basic_charge():
    # As `basic` above (PF 0.86, +2.0 %), but the basic charge billed on 300 kVA at the right
    # 30 yuan (9 000.00, 12 000.00 due) and the adjustment on what was billed: 2.0 % of
    # 15 000.00 = 300.00 where 360.00 is due. 3 000.00 + 60.00 = 3 060.00, the whole difference.
    u = Itemized()
    u.customer("short", **INDUSTRIAL, pf_standard=0.90)
    u.bill("short", "2024-01", 10_000, [("energy", 10_000.0, 0.60), ("basic", 300.0, 30.0),
           ("pf_adjustment", 15_000.0, 0.02), FUND], tariff="IND2", kvarh_import=6000.0,
           kvarh_export=0.0)  # fmt: skip
    found = u.run([*LINE_RULES, "capacity_underbilled"])
    assert found["rule_id"].tolist() == ["capacity_underbilled"]
    assert found["revenue_impact"].tolist() == [3060.00]
    net = recompute(u.dataset())["difference"].sum().round(2)
    assert net == 3060.00
    assert evidence(found, "short") == (
        "1 bill 2024-01 charged the basic charge on less than the capacity in force, the days "
        "of any suspension counted (in 2024-01: 300 kVA billed, 400 kVA in force) (¥3,060.00), "
        "of which ¥60.00 of power-factor adjustment on the basic charge difference",
        "2024-01 共 1 期账单按小于运行容量（已按天计入暂停）的容量计收基本电费（2024-01：计费容量 300 千伏安，运行容量 "
        "400 千伏安）（涉及电费 3,060.00 元），其中基本电费差额引起的力调电费差额 60.00 元",
    )


def test_capacity_billed_short_beside_a_wrong_multiplier_leaves_the_adjustment_to_it():
    # As `short` above, read through multiplier 1 where CT 2 is due: 5 000 kWh and 3 000 kvarh
    # billed (PF 0.86, +2.0 %), 2.0 % of the 12 000.00 billed = 240.00 where 2.0 % of 18 000.00
    # = 360.00 is due. multiplier_mismatch counts the adjustment line's difference whole (120.00)
    # with 3 000.00 of energy and 150.00 of funds; the capacity its 3 000.00 alone: 6 270.00.
    u = Itemized()
    u.customer("both", **INDUSTRIAL, ct_ratio=2.0, pf_standard=0.90)
    u.bill("both", "2024-01", 5_000, [("energy", 5_000.0, 0.60), ("basic", 300.0, 30.0),
           ("pf_adjustment", 12_000.0, 0.02), ("fund", 5_000.0, 0.03)], tariff="IND2",
           kvarh_import=3000.0, kvarh_export=0.0)  # fmt: skip
    found = u.run([*LINE_RULES, "capacity_underbilled", "multiplier_mismatch"])
    assert found.set_index("rule_id")["revenue_impact"].to_dict() == {
        "multiplier_mismatch": 3270.00,
        "capacity_underbilled": 3000.00,
    }
    assert recompute(u.dataset())["difference"].sum().round(2) == 6270.00


def test_periods_billed_flat_carry_the_adjustment_on_their_energy_difference():
    # A time-of-use customer of standard 0.90 (10 000 kWh, 6 000 kvarh: PF 0.86, +2.0 %) billed
    # flat: 6 000.00 of energy where 6 500.00 is due, the adjustment 2.0 % of the 18 000.00
    # billed = 360.00, as pf_adjustment_error judges it; 2.0 % of 18 500.00 = 370.00 is due:
    # 500.00 + 10.00.
    u = Itemized()
    u.customer("flat", **TOU, pf_standard=0.90)
    u.bill("flat", "2024-01", 10_000, [("energy", 10_000.0, 0.60), BASIC,
           ("pf_adjustment", 18_000.0, 0.02), FUND], tariff="TOU", kvarh_import=6000.0,
           kvarh_export=0.0, capacity_billed_kva=400.0, **REGISTERS)  # fmt: skip
    found = u.run(["tou_misapplied", "pf_adjustment_error"])
    assert found["rule_id"].tolist() == ["tou_misapplied"]
    assert found.loc["flat", "revenue_impact"] == 510.00
    english, chinese = evidence(found, "flat")
    assert english.endswith(
        "; under-billed ¥510.00; of which ¥10.00 of power-factor adjustment on the energy "
        "difference"
    )
    assert chinese.endswith("；少计 510.00 元；其中分时电度电费差额引起的力调电费差额 10.00 元")


def test_the_adjustment_on_an_energy_difference_is_carried_on_a_base_unknown():
    # As above, but the bill itemizes its energy alone, its adjustment (360.00) and funds in
    # their columns, its basic charge blank and outside the amount, no capacity recorded: the
    # base billed is unknown, yet 2.0 % of the 500.00 missing is due whatever it is: 510.00.
    # pf_adjustment_error judges nothing on a base unknown (read as 0, 6 000.00: 360.00 was
    # 240.00 "over-billed").
    u = Itemized()
    u.customer("flat", **TOU, pf_standard=0.90)
    bill = u.bill("flat", "2024-01", 10_000, [("energy", 10_000.0, 0.60), BASIC,
                  ("pf_adjustment", 18_000.0, 0.02), FUND], tariff="TOU", kvarh_import=6000.0,
                  kvarh_export=0.0, **REGISTERS)  # fmt: skip
    bill["basic_charge"], bill["amount"] = None, 6_660.0
    u.lines = [line for line in u.lines if line["line_type"] == "energy"]
    found = u.run(["tou_misapplied", "pf_adjustment_error"])
    assert found["rule_id"].tolist() == ["tou_misapplied"]
    assert found.loc["flat", "revenue_impact"] == 510.00


def test_tiers_misapplied_carry_the_adjustment_where_one_is_due():
    # A tiered meter held to 0.85 (kvarh 3/4 of the kWh: PF 0.80, +2.5 %). February's 400 kWh
    # all billed in tier 1 (200.00) after January's 2 000: 160 × 0.50 + 240 × 0.55 = 212.00 is
    # due, and 2.5 % of it, 5.30, where 5.00 was billed on 200.00: 12.00 + 0.30.
    u = Itemized()
    u.customer("meter", usage_type="residential", tariff_category="RES", tier_scheme="single",
               pf_standard=0.85)  # fmt: skip
    for period, kwh in (("2024-01", 2000.0), ("2024-02", 400.0)):
        lines = [("energy", kwh, 0.50, None, 1), ("pf_adjustment", kwh * 0.50, 0.025)]
        u.bill("meter", period, kwh, lines, tariff="RES", kvarh_import=0.75 * kwh,
               kvarh_export=0.0)  # fmt: skip
    found = u.run(["tier_misapplied", "pf_adjustment_error"])
    assert found["rule_id"].tolist() == ["tier_misapplied"]
    assert found.loc["meter", "revenue_impact"] == 12.30
    assert evidence(found, "meter")[0].endswith(
        "; under-billed ¥12.30; of which ¥0.30 of power-factor adjustment on the energy difference"
    )


def test_a_wrong_energy_rate_carries_the_adjustment_where_one_is_due():
    # Standard 0.90 (10 000 kWh, 6 000 kvarh: PF 0.86, +2.0 %), the energy billed at 0.55:
    # 5 500.00 where 6 000.00 is due, the adjustment 2.0 % of the 17 500.00 billed = 350.00, as
    # pf_adjustment_error judges it; 2.0 % of 18 000.00 = 360.00 is due: 500.00 + 10.00, the
    # bill's whole difference. `plain`, with no standard, owes no adjustment: 500.00.
    u = Itemized()
    u.customer("adjusted", **INDUSTRIAL, pf_standard=0.90)
    u.customer("plain", **INDUSTRIAL)
    u.bill("adjusted", "2024-01", 10_000, [("energy", 10_000.0, 0.55), BASIC,
           ("pf_adjustment", 17_500.0, 0.02), FUND], tariff="IND2", kvarh_import=6000.0,
           kvarh_export=0.0, capacity_billed_kva=400.0)  # fmt: skip
    u.bill("plain", "2024-01", 10_000, [("energy", 10_000.0, 0.55), BASIC, FUND], tariff="IND2",
           capacity_billed_kva=400.0)  # fmt: skip
    found = u.run([*LINE_RULES, "rate_mismatch"])
    assert found["rule_id"].tolist() == ["rate_mismatch", "rate_mismatch"]
    assert found["revenue_impact"].to_dict() == {"adjusted": 510.00, "plain": 500.00}
    net = recompute(u.dataset()).groupby("customer_id")["difference"].sum().round(2)
    assert net.to_dict() == {"adjusted": 510.00, "plain": 500.00}
    assert evidence(found, "adjusted") == (
        "2024-01: 1 bill charged another rate than the schedule (2024-01: 0.5500 yuan/kWh where "
        "the schedule says 0.6000) (¥510.00), of which ¥10.00 of power-factor adjustment on the "
        "energy difference",
        "2024-01：1 期账单执行电价与电价表不符（2024-01：执行 0.5500 元/千瓦时，电价表为 0.6000）（涉及电费 510.00 元），"
        "其中电度电费差额引起的力调电费差额 10.00 元",
    )
    assert evidence(found, "plain")[0].endswith("(¥500.00)")


def test_a_wrong_energy_rate_beside_a_wrong_multiplier_leaves_the_adjustment_to_it():
    # As `adjusted` above, read through multiplier 1 where CT 2 is due: 5 000 kWh and 3 000 kvarh
    # billed (PF 0.86 either way, +2.0 %), the adjustment 2.0 % of the 14 750.00 billed = 295.00,
    # 360.00 due. multiplier_mismatch counts the adjustment line's difference whole (65.00), so
    # the rate counts its 5 000 × 0.05 = 250.00 alone: 3 215.00 + 250.00, the bill's 3 465.00.
    u = Itemized()
    u.customer("both", **INDUSTRIAL, ct_ratio=2.0, pf_standard=0.90)
    u.bill("both", "2024-01", 5_000, [("energy", 5_000.0, 0.55), BASIC,
           ("pf_adjustment", 14_750.0, 0.02), ("fund", 5_000.0, 0.03)], tariff="IND2",
           kvarh_import=3000.0, kvarh_export=0.0, capacity_billed_kva=400.0)  # fmt: skip
    found = u.run([*LINE_RULES, "rate_mismatch", "multiplier_mismatch"])
    assert found.set_index("rule_id")["revenue_impact"].to_dict() == {
        "multiplier_mismatch": 3215.00,
        "rate_mismatch": 250.00,
    }
    assert recompute(u.dataset())["difference"].sum().round(2) == 3465.00


def test_the_adjustment_quoted_is_that_of_the_under_billed_bills_only():
    # January's basic charge 800.00 short (+2 % = 16.00 of adjustment), February's 800.00 over:
    # the revenue is January's 816.00, and so is the adjustment quoted in it (not 16 − 16 = 0).
    u = Itemized()
    u.customer("X", **INDUSTRIAL, pf_standard=0.90)  # 400 kVA × 30.00 due, PF 0.86: +2 %
    for period, rate in (("2024-01", 28.0), ("2024-02", 32.0)):
        base = 10_000 * 0.60 + 400 * rate
        lines = [("energy", 10_000.0, 0.60), ("basic", 400.0, rate), ("pf_adjustment", base, 0.02),
                 ("fund", 10_000.0, 0.03)]  # fmt: skip
        u.bill("X", period, 10_000.0, lines, tariff="IND2", capacity_billed_kva=400.0,
               kvarh_import=6000.0, kvarh_export=0.0)  # fmt: skip
    found = u.run("basic_charge_error")
    assert found.loc["X", "revenue_impact"] == 816.00
    assert evidence(found, "X")[0].endswith(
        "under-billed ¥816.00; over-billed ¥816.00 (to refund, not counted as revenue); of which "
        "¥16.00 of power-factor adjustment on the basic charge difference"
    )


# --- money resting on an estimate is estimated -------------------------------------------------


def test_a_time_of_use_split_by_the_profile_is_estimated_and_registers_prove_it():
    # 10 000 kWh billed flat at 0.60 (6 000.00). Without period registers the kWh due are split
    # by the profile: critical 500 × 1.20 + peak 3 000 × 0.95 + flat 3 500 × 0.60 + valley
    # 3 000 × 0.30 = 600.00 + 2 850.00 + 2 100.00 + 900.00 = 6 450.00: 450.00, an estimate.
    # With the registers (4 000 peak, 3 000 valley): 6 500.00, 500.00 proved.
    u = Itemized()
    for customer_id in ("profiled", "registered"):
        u.customer(customer_id, **TOU)
    u.bill("profiled", "2024-01", 10_000, [("energy", 10_000.0, 0.60)], tariff="TOU")
    u.bill("registered", "2024-01", 10_000, [("energy", 10_000.0, 0.60)], tariff="TOU",
           **REGISTERS)  # fmt: skip
    found = u.run("tou_misapplied")
    assert found["revenue_impact"].to_dict() == {"profiled": 450.00, "registered": 500.00}
    assert found["revenue_kind"].to_dict() == {"profiled": "estimated", "registered": "proved"}
    english, chinese = evidence(found, "profiled")
    assert english.endswith("(estimated); under-billed ¥450.00 (an estimate)")
    assert chinese.endswith("（估算）；少计 450.00 元（估算值）")
    assert evidence(found, "registered")[0].endswith("; under-billed ¥500.00")


def test_losses_without_reactive_registers_are_an_estimate():
    # January, 10 000 kWh and no reactive register: Aq counted 0, losses 0.57 × 744 + 4.52 ×
    # 10 000² / (400² × 744) = 424.08 + 3.80 = 427.88 → 428 kWh, 256.80, + funds 428 × 0.03 =
    # 12.84: 269.64, estimated. With 6 000 kvarh: 429 kWh, 257.40 + 12.87 = 270.27, proved.
    u = Itemized()
    for customer_id in ("no_reactive", "reactive"):
        u.customer(customer_id, **INDUSTRIAL, metering_mode="high_low")
        u.transformer(customer_id, f"{customer_id}-T1")
    lines = [("energy", 10_000.0, 0.60), BASIC, FUND]
    # The export's loss column (变损电量) says no loss was charged.
    u.bill("no_reactive", "2024-01", 10_000, lines, tariff="IND2", loss_kwh=0.0)
    u.bill("reactive", "2024-01", 10_000, lines, tariff="IND2", loss_kwh=0.0, kvarh_import=6000.0)
    found = u.run("loss_not_charged")
    assert found["revenue_impact"].to_dict() == {"no_reactive": 269.64, "reactive": 270.27}
    assert found["revenue_kind"].to_dict() == {"no_reactive": "estimated", "reactive": "proved"}
    assert evidence(found, "no_reactive") == (
        "2024-01: 1 bill metered on the low side with no transformer losses billed (2024-01: "
        "428 kWh of losses due, ¥256.80); months without reactive registers take their losses "
        "with no reactive energy (estimated); under-billed ¥269.64 (an estimate); of which "
        "¥12.84 of funds on the loss energy",
        "2024-01：1 期账单高供低计未计变损（2024-01：应计变损电量 428 千瓦时，256.80 元）；无无功示数的月份按无功电量为零"
        "计算变损（估算）；少计 269.64 元（估算值）；其中变损电量少计的基金及附加 12.84 元",
    )
    assert "estimate" not in evidence(found, "reactive")[0]


# --- register_mismatch on tiers -----------------------------------------------------------------


def test_a_bill_short_of_its_registers_is_priced_on_the_tier_its_energy_reaches():
    """A household on tiers (0.50 to 2 160 kWh a year, 0.55 to 4 800): January 1 500 kWh billed
    and read, 750.00. February's registers show 1 500 kWh, the bill charged 660 (all in tier 1,
    330.00). Due on 1 500: 660 at 0.50 + 840 at 0.55 = 792.00, so 462.00 unbilled (the flat row
    would say 840 × 0.52 = 436.80). The near miss: the same home billed all its registers."""
    u = Itemized()
    household = {"usage_type": "residential", "tariff_category": "RES", "tier_scheme": "single"}
    for customer_id in ("short", "whole"):
        u.customer(customer_id, **household)
        u.bill(customer_id, "2024-01", 1500, [("energy", 1500.0, 0.50, None, 1)], tariff="RES")
    u.bill("whole", "2024-02", 1500, [("energy", 660.0, 0.50, None, 1),
           ("energy", 840.0, 0.55, None, 2)], tariff="RES")  # fmt: skip
    row = u.bill("short", "2024-02", 660, [("energy", 660.0, 0.50, None, 1)], tariff="RES")
    row["register_end"] = row["register_start"] + 1500
    found = u.run("register_mismatch", as_of="2024-02")
    assert list(found.index) == ["short"]
    assert found.loc["short", "revenue_impact"] == pytest.approx(462.00, abs=0.005)
    assert found.loc["short", "evidence"] == (
        "2024-02: 1 bill charged 840 kWh less than the registers show (¥462.00)"
    )


def test_an_itemized_multiplier_shortfall_on_the_wrong_tariff_adds_the_tariff_due():
    """A plain shop archived and billed on AGR (0.50) where COM (flat 0.80) is due, CT 2 billed
    at 1: 500 kWh billed for 1 000 metered. multiplier_mismatch recomputes the bill on its
    1 000 kWh, 500 × 0.50 = 250.00 short on AGR, plus the tariff due's surcharge on those kWh,
    500 × (0.80 − 0.50) = 150.00: 400.00. tariff_mismatch prices the 500 kWh billed, 150.00.
    Together 550.00 = 1 000 × 0.80 − 250.00 billed."""
    u = Itemized()
    u.customer("shop", tariff_category="AGR", ct_ratio=2.0)
    u.bill("shop", "2024-03", 500, [("energy", 500.0, 0.50)], tariff="AGR")
    found = _run_on(u, _com_by_periods(), ["tariff_mismatch", "multiplier_mismatch"], "2024-03")
    mine = found.loc["shop"].set_index("rule_id")["revenue_impact"]
    assert mine["multiplier_mismatch"] == pytest.approx(400.00, abs=0.005)
    assert mine["tariff_mismatch"] == pytest.approx(150.00, abs=0.005)


def test_capacity_billed_short_under_a_laxer_standard_carries_the_adjustment_due():
    """As `short` above, but the archive records the standard 0.85 where 0.90 is due, and the
    bill is adjusted under 0.85: PF 0.86 gives −0.1 % of 15 000.00 = −15.00. pf_standard_mismatch
    prices the base billed, 2.1 % of 15 000.00 = 315.00. capacity_underbilled: 3 000.00 of basic
    charge, −3.00 of adjustment under 0.85 and 63.00 more under 0.90 (2.1 % of 3 000.00, which
    neither rule counted): 3 060.00. Together 3 375.00 = 18 660.00 due (6 000.00 + 12 000.00 +
    360.00 + 300.00) − 15 285.00 billed."""
    u = Itemized()
    u.customer("short", **INDUSTRIAL, pf_standard=0.85)
    u.bill("short", "2024-01", 10_000, [("energy", 10_000.0, 0.60), ("basic", 300.0, 30.0),
           ("pf_adjustment", 15_000.0, -0.001), FUND], tariff="IND2", kvarh_import=6000.0,
           kvarh_export=0.0)  # fmt: skip
    found = u.run([*LINE_RULES, "capacity_underbilled", "pf_standard_mismatch"])
    assert found.set_index("rule_id")["revenue_impact"].to_dict() == {
        "capacity_underbilled": 3060.00,
        "pf_standard_mismatch": 315.00,
    }
    assert "of which ¥60.00 of power-factor adjustment" in evidence(found, "short")[0]
    alone = u.run("capacity_underbilled")
    assert alone["revenue_impact"].tolist() == [3060.00]


@pytest.mark.parametrize(
    ("tolerance", "owner"), [(0.5, "basic_charge_error"), (0.1, "capacity_underbilled")]
)
def test_capacity_billed_a_little_short_is_one_rules_on_capacity_underbilleds_tolerance(
    tolerance: float, owner: str
):
    """400 kVA due, two bills on 399.7 kVA × 30: 2 × 9.00 = 18.00 short. Within
    capacity_underbilled's kva_tolerance (0.5 by default) it is basic_charge_error's line
    difference; with that tolerance at 0.1 it is capacity_underbilled's, and basic_charge_error
    reads the same tolerance: 18.00 once either way (36.00 before, with the tolerances apart)."""
    u = Itemized()
    u.customer("F", **INDUSTRIAL)
    lines = [("energy", 10000, 0.60), ("basic", 399.7, 30.0), ("fund", 10000, 0.03)]
    for period in ("2024-01", "2024-02"):
        u.bill("F", period, 10000, lines, tariff="IND2")
    params = {"capacity_underbilled.kva_tolerance": tolerance}
    found = u.run(["capacity_underbilled", "basic_charge_error"], params=params)
    assert found["rule_id"].tolist() == [owner]
    assert found["revenue_impact"].tolist() == [pytest.approx(18.00, abs=0.005)]

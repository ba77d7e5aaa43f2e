"""Energy lines due, to the fen against bills computed by hand (tariffs in billing_builders)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from billing_builders import Billing, line_of

from auditkit.billing import recompute
from auditkit.billing.energy import priced_by_days, rate_change
from auditkit.billing.tariff_lookup import TariffLookup, day_numbers

TOU_10KV = {"usage_type": "industrial", "tariff_category": "TOU", "voltage_kv": 10.0, "tou": True}


def test_a_flat_bill_billed_right_differs_by_nothing():
    b = Billing()
    b.customer("C1")
    b.bill("C1", "2024-01", 1234.5, 0.80)  # 1234.5 × 0.80 = 987.60
    row = line_of(recompute(b.dataset()), "C1", "2024-01")
    assert (row["quantity_due"], row["rate_due"], row["amount_due"]) == (1234.5, 0.80, 987.60)
    assert row["amount_billed"] == 987.60
    assert row["difference"] == 0.0


def test_a_price_change_on_the_16th_splits_the_kwh_by_read_days():
    b = Billing()
    b.customer("C1")
    # March 2024: 31 read days, 0.80 until the 15th (15 days), 0.90 from the 16th.
    # q_old = round(1000 × 15 / 31, 2) = round(483.8709…, 2) = 483.87 → × 0.80 = 387.096 → 387.10
    # q_new = 1000 − 483.87 = 516.13 → × 0.90 = 464.517 → 464.52;   due 851.62, billed 800.00
    b.bill("C1", "2024-03", 1000, 0.80)
    # Near miss: read from the 16th (the day the price changed) to 2024-04-15: no split, all 0.90.
    b.customer("C2")
    b.bill(
        "C2",
        "2024-04",
        1000,
        0.90,
        read_from=pd.Timestamp("2024-03-16"),
        read_to=pd.Timestamp("2024-04-15"),
    )
    result = recompute(b.dataset())
    row = line_of(result, "C1", "2024-03")
    assert row["quantity_due"] == 1000
    assert row["amount_due"] == 851.62
    assert row["rate_due"] == pytest.approx(0.85162, abs=1e-12)
    assert row["difference"] == 51.62
    near = line_of(result, "C2", "2024-04")
    assert (near["rate_due"], near["amount_due"], near["difference"]) == (0.90, 900.0, 0.0)


def test_time_of_use_from_the_period_registers_at_the_narrowest_voltage_band():
    b = Billing()
    b.customer("T1", **TOU_10KV, ct_ratio=20.0, pt_ratio=100.0)
    # 5 register units × 2000 = 10,000 kWh: critical 500, peak 3000, valley 4000, flat the rest 2500.
    # 10 kV lies in the 1-20 kV flat band (0.60), narrower than the unbounded one (0.65).
    # critical 500 × 1.20 = 600.00; peak 3000 × 0.95 = 2850.00; flat 2500 × 0.60 = 1500.00;
    # valley 4000 × 0.30 = 1200.00.  The flat line was billed at 0.65: 1625.00, 125.00 too much.
    b.bill(
        "T1",
        "2024-01",
        10000,
        0.615,
        multiplier=2000,
        tariff="TOU",
        kwh_critical=500.0,
        kwh_peak=3000.0,
        kwh_valley=4000.0,
    )
    b.line("T1", "2024-01", "energy", 500, 1.20, tou_period="critical")
    b.line("T1", "2024-01", "energy", 3000, 0.95, tou_period="peak")
    b.line("T1", "2024-01", "energy", 2500, 0.65, tou_period="flat")
    b.line("T1", "2024-01", "energy", 4000, 0.30, tou_period="valley")
    result = recompute(b.dataset())
    due = {
        p: line_of(result, "T1", "2024-01", tou_period=p)
        for p in ("critical", "peak", "flat", "valley")
    }
    assert {p: r["amount_due"] for p, r in due.items()} == {
        "critical": 600.0,
        "peak": 2850.0,
        "flat": 1500.0,
        "valley": 1200.0,
    }
    assert due["flat"]["quantity_due"] == 2500
    assert {p: r["difference"] for p, r in due.items()} == {
        "critical": 0.0,
        "peak": 0.0,
        "flat": -125.0,
        "valley": 0.0,
    }
    assert not result["estimated"].any()
    # Rows listed critical, peak, flat, valley.
    assert result["tou_period"].tolist() == ["critical", "peak", "flat", "valley"]


def test_time_of_use_from_billed_period_lines_scaled_by_the_multiplier_due():
    b = Billing()
    b.customer("T2", **TOU_10KV | {"voltage_kv": 0.4}, ct_ratio=2.0)
    # Billed with multiplier 1 (archive CT 2): 600 register units billed as 600 kWh, due 1200.
    # No period registers: the billed lines' periods × 2: peak 200, valley 600, flat the rest 400.
    # 0.4 kV is outside the 1-20 kV band: flat 0.65.  peak 200 × 0.95 = 190.00 (billed 95.00),
    # valley 600 × 0.30 = 180.00 (billed 90.00), flat 400 × 0.65 = 260.00 (billed 130.00).
    b.bill("T2", "2024-01", 600, 0.525, tariff="TOU")
    b.line("T2", "2024-01", "energy", 100, 0.95, tou_period="peak")
    b.line("T2", "2024-01", "energy", 200, 0.65, tou_period="flat")
    b.line("T2", "2024-01", "energy", 300, 0.30, tou_period="valley")
    result = recompute(b.dataset())
    got = {
        p: tuple(
            line_of(result, "T2", "2024-01", tou_period=p)[
                ["quantity_due", "amount_due", "difference"]
            ]
        )
        for p in ("peak", "flat", "valley")
    }
    assert got == {
        "peak": (200.0, 190.0, 95.0),
        "flat": (400.0, 260.0, 130.0),
        "valley": (600.0, 180.0, 90.0),
    }
    assert set(result["tou_period"]) == {"peak", "flat", "valley"}


def test_of_two_time_of_use_bills_only_the_one_without_registers_reads_its_billed_lines():
    b = Billing()
    b.customer("T3", **TOU_10KV | {"voltage_kv": 0.4})
    # January has registers (peak 300, valley 500, flat 1000 − 800 = 200) and lines that say
    # otherwise: the registers count. February has none: its lines' peak 100, valley 300, flat
    # 600 − 400 = 200. peak 0.95, valley 0.30, flat 0.65 (0.4 kV: the unbounded band).
    b.bill("T3", "2024-01", 1000, 0.5, tariff="TOU", kwh_peak=300.0, kwh_valley=500.0)
    b.line("T3", "2024-01", "energy", 900, 0.95, tou_period="peak")
    b.line("T3", "2024-01", "energy", 100, 0.30, tou_period="valley")
    b.bill("T3", "2024-02", 600, 0.5, tariff="TOU")
    b.line("T3", "2024-02", "energy", 100, 0.95, tou_period="peak")
    b.line("T3", "2024-02", "energy", 300, 0.30, tou_period="valley")
    result = recompute(b.dataset())
    got = {
        (month, p): line_of(result, "T3", month, tou_period=p)["quantity_due"]
        for month in ("2024-01", "2024-02")
        for p in ("peak", "flat", "valley")
    }
    assert got == {
        ("2024-01", "peak"): 300.0,
        ("2024-01", "flat"): 200.0,
        ("2024-01", "valley"): 500.0,
        ("2024-02", "peak"): 100.0,
        ("2024-02", "flat"): 200.0,
        ("2024-02", "valley"): 300.0,
    }
    assert not result["estimated"].any()


def test_time_of_use_without_registers_or_lines_is_split_by_the_profile_and_marked_estimated():
    b = Billing()
    b.customer("T3", **TOU_10KV)
    # 1000 kWh by the default profile: critical 50 × 1.20 = 60.00, peak 300 × 0.95 = 285.00,
    # flat 350 × 0.60 = 210.00, valley 300 × 0.30 = 90.00 (645.00); billed flat: 1000 × 0.60.
    b.bill("T3", "2024-01", 1000, 0.60, tariff="TOU")
    b.line("T3", "2024-01", "energy", 1000, 0.60)
    # The same bill without lines: one energy row, due 645.00 against 600.00 billed.
    b.customer("T4", **TOU_10KV)
    b.bill("T4", "2024-01", 1000, 0.60, tariff="TOU")
    result = recompute(b.dataset())
    itemized = result[result["customer_id"] == "T3"]
    assert itemized["tou_period"].tolist() == ["critical", "peak", "flat", "valley", None]
    assert itemized["quantity_due"].tolist() == [50.0, 300.0, 350.0, 300.0, 0.0]
    assert itemized["amount_due"].tolist() == [60.0, 285.0, 210.0, 90.0, 0.0]
    assert itemized["estimated"].tolist() == [True, True, True, True, False]
    # The billed flat energy line (no period) is a kind of its own: billed, not due.
    billed = line_of(result, "T3", "2024-01")
    assert (billed["amount_billed"], billed["difference"]) == (600.0, -600.0)
    summed = line_of(result, "T4", "2024-01")
    assert (summed["quantity_due"], summed["amount_due"], summed["difference"]) == (
        1000.0,
        645.0,
        45.0,
    )
    assert summed["rate_due"] == pytest.approx(0.645, abs=1e-12)
    assert summed["estimated"]
    assert [n.values for n in result.attrs["notes"] if n.code == "tou_profile"] == [{"count": 2}]


def test_period_registers_above_the_bills_kwh_do_the_split_by_billed_lines_else_the_profile():
    b = Billing()
    # 0.4 kV: peak 0.95, flat 0.65, valley 0.30.  Registers peak 600 + valley 100 = 700 kWh on a
    # bill of 645: flat would be 645 − 700 = −55 kWh.  The registers prove no split: the billed
    # lines' peak 300 × 0.95 = 285.00, valley 100 × 0.30 = 30.00, flat 645 − 400 = 245 × 0.65 =
    # 159.25 are due as billed (no difference).
    b.customer("T5", **TOU_10KV | {"voltage_kv": 0.4})
    b.bill("T5", "2024-01", 645, 0.5, tariff="TOU", kwh_peak=600.0, kwh_valley=100.0)
    b.line("T5", "2024-01", "energy", 300, 0.95, tou_period="peak")
    b.line("T5", "2024-01", "energy", 245, 0.65, tou_period="flat")
    b.line("T5", "2024-01", "energy", 100, 0.30, tou_period="valley")
    # Without billed lines (one summed energy line): the profile's shares, estimated.
    b.customer("T6", **TOU_10KV | {"voltage_kv": 0.4})
    b.bill("T6", "2024-01", 645, 0.5, tariff="TOU", kwh_peak=600.0, kwh_valley=100.0)
    # Near miss: registers exactly the kWh (peak 545 + valley 100 = 645): flat 0, priced by them
    # and not by the billed lines that say otherwise.
    b.customer("T7", **TOU_10KV | {"voltage_kv": 0.4})
    b.bill("T7", "2024-01", 645, 0.5, tariff="TOU", kwh_peak=545.0, kwh_valley=100.0)
    b.line("T7", "2024-01", "energy", 300, 0.95, tou_period="peak")
    b.line("T7", "2024-01", "energy", 345, 0.30, tou_period="valley")
    result = recompute(b.dataset())
    by_lines = {
        p: line_of(result, "T5", "2024-01", tou_period=p) for p in ("peak", "flat", "valley")
    }
    assert {p: row["quantity_due"] for p, row in by_lines.items()} == {
        "peak": 300.0,
        "flat": 245.0,
        "valley": 100.0,
    }
    assert [row["difference"] for row in by_lines.values()] == [0.0, 0.0, 0.0]
    profiled = line_of(result, "T6", "2024-01")
    assert (profiled["quantity_due"], profiled["estimated"]) == (645.0, True)
    near = {p: line_of(result, "T7", "2024-01", tou_period=p) for p in ("peak", "valley")}
    assert {p: row["quantity_due"] for p, row in near.items()} == {"peak": 545.0, "valley": 100.0}
    assert not near["peak"]["estimated"]
    assert (result["quantity_due"] >= 0).all()
    assert [n.values for n in result.attrs["notes"] if n.code == "tou_registers_exceed"] == [
        {"count": 2}
    ]


def test_period_registers_above_the_kwh_billed_but_not_the_kwh_metered_still_split_it():
    # 0.4 kV: peak 0.95, flat 0.65, valley 0.30.  Metered 1,000 kWh (registers 1,000 → 2,000),
    # billed 645 kWh: registers peak 600 + valley 100 = 700 exceed the kWh billed, not the kWh
    # due, and split them: 600 × 0.95 = 570.00, flat 300 × 0.65 = 195.00, valley 30.00, due
    # 795.00 (read by the billed lines 300 / 600 / 100 it was 705.00: 90.00 of peak kWh lost).
    # Near miss: metered 645 too, the registers leave a negative flat and the billed lines split.
    b = Billing()
    for customer, end in (("T9", 2000.0), ("T10", 1645.0)):
        b.customer(customer, **TOU_10KV | {"voltage_kv": 0.4})
        b.bill(
            customer, "2024-01", 645, 0.5, tariff="TOU", kwh_peak=600.0, kwh_valley=100.0,
            register_end=end,
        )  # fmt: skip
        b.line(customer, "2024-01", "energy", 300, 0.95, tou_period="peak")
        b.line(customer, "2024-01", "energy", 245, 0.65, tou_period="flat")
        b.line(customer, "2024-01", "energy", 100, 0.30, tou_period="valley")
    result = recompute(b.dataset())
    due = {
        customer: {
            p: line_of(result, customer, "2024-01", tou_period=p)["quantity_due"]
            for p in ("peak", "flat", "valley")
        }
        for customer in ("T9", "T10")
    }
    assert due == {
        "T9": {"peak": 600.0, "flat": 300.0, "valley": 100.0},
        "T10": {"peak": 300.0, "flat": 245.0, "valley": 100.0},
    }
    energy = result[(result["customer_id"] == "T9") & (result["line_type"] == "energy")]
    assert round(energy["amount_due"].sum(), 2) == 795.00
    assert [n.values for n in result.attrs["notes"] if n.code == "tou_registers_exceed"] == [
        {"count": 1}
    ]


def test_kwh_due_are_rounded_to_the_hundredth_as_a_bill_line_shows_them():
    b = Billing()
    # CT 62.5: 32.99 register units × 62.5 = 2,061.875 kWh, billed 2,061.88 × 0.45 = 927.846 →
    # 927.85.  Unrounded it was priced 927.84375 → 927.84: −0.01 on a correct bill.
    b.customer("C1", tariff_category="MKT", ct_ratio=62.5)
    b.bill("C1", "2024-01", 2061.88, 0.45, tariff="MKT", multiplier=62.5, register_end=1032.99)
    # Near miss: 33 units × 62.5 = 2,062.5 kWh, nothing to round: × 0.45 = 928.125 → 928.13.
    b.customer("C2", tariff_category="MKT", ct_ratio=62.5)
    b.bill("C2", "2024-01", 2062.5, 0.45, tariff="MKT", multiplier=62.5, register_end=1033.0)
    # Time of use billed at multiplier 5, due 4: registers × 4/5.  400 units × 4 = 1,600 kWh;
    # peak 1,091.65625 × 0.8 = 873.325 → 873.33, valley 300 × 0.8 = 240, flat 1,600 − 873.33 −
    # 240 = 486.67 (not 873.325 and 486.675).
    b.customer("T8", **TOU_10KV | {"voltage_kv": 0.4}, ct_ratio=4.0)
    b.bill(
        "T8", "2024-01", 2000, 0.5, tariff="TOU", multiplier=5.0, kwh_peak=1091.65625,
        kwh_valley=300.0,
    )  # fmt: skip
    b.line("T8", "2024-01", "energy", 1091.66, 0.95, tou_period="peak")
    b.line("T8", "2024-01", "energy", 608.34, 0.65, tou_period="flat")
    b.line("T8", "2024-01", "energy", 300, 0.30, tou_period="valley")
    result = recompute(b.dataset())
    row = line_of(result, "C1", "2024-01")
    assert (row["quantity_due"], row["amount_due"], row["difference"]) == (2061.88, 927.85, 0.0)
    near = line_of(result, "C2", "2024-01")
    assert (near["quantity_due"], near["amount_due"], near["difference"]) == (2062.5, 928.13, 0.0)
    periods = {
        p: line_of(result, "T8", "2024-01", tou_period=p)["quantity_due"] for p in ("peak", "flat")
    }
    assert periods == {"peak": 873.33, "flat": 486.67}


#: PUB: 0.599 until 7 November 2024, 0.605 from the 8th to the 15th, 0.611 from the 16th (a row
#: of the same 0.611 again from the 20th splits nothing).
PUB_ROWS = pd.DataFrame(
    {
        "tariff_category": "PUB",
        "usage_type": "commercial",
        "energy_rate": [0.599, 0.605, 0.611, 0.611],
        "valid_from": pd.to_datetime(["2018-01-01", "2024-11-08", "2024-11-16", "2024-11-20"]),
        "valid_to": pd.to_datetime(["2024-11-07", "2024-11-15", "2024-11-19", None]),
    }
)


def test_every_price_change_inside_the_read_period_splits_the_kwh_by_read_days():
    b = Billing()
    b.tariffs = pd.concat([b.tariffs, PUB_ROWS], ignore_index=True)
    # 3,566.7 kWh over 30 days of November: 7 days at 0.599: round(3,566.7 × 7 / 30, 2) = 832.23
    # → 498.51; 8 days at 0.605: round(3,566.7 × 8 / 30, 2) = 951.12 → 575.43; the rest
    # 1,783.35 at 0.611 → 1,089.63; due 2,163.57 (only the last change split: 1,783.35 at 0.605
    # = 1,078.93 + 1,089.63 = 2,168.56).
    b.customer("P1", tariff_category="PUB")
    b.bill("P1", "2024-11", 3566.7, 0.611, tariff="PUB")
    # Near miss: read from the 8th (the 0.599 days before it): 2 parts, round(3,566.7 × 8 / 23,
    # 2) = 1,240.59 × 0.605 = 750.56 and 2,326.11 × 0.611 = 1,421.25; due 2,171.81.
    b.customer("P2", tariff_category="PUB")
    b.bill(
        "P2", "2024-11", 3566.7, 0.611, tariff="PUB",
        read_from=pd.Timestamp("2024-11-08"), read_to=pd.Timestamp("2024-11-30"),
    )  # fmt: skip
    result = recompute(b.dataset())
    assert line_of(result, "P1", "2024-11")["amount_due"] == 2163.57
    assert line_of(result, "P2", "2024-11")["amount_due"] == 2171.81
    # The rules price a line by the same parts (energy.rate_change, priced_by_days).
    lookup = TariffLookup(b.dataset().tariffs)
    first = day_numbers(pd.to_datetime(["2024-11-01", "2024-11-08"]))
    last = day_numbers(pd.to_datetime(["2024-11-30", "2024-11-30"]))
    category = np.array(["PUB", "PUB"], dtype=object)
    links = rate_change(lookup, category, first, last, np.array([0.4, 0.4]), None, None)
    priced = priced_by_days(np.array([3566.7, 3566.7]), first, last, links)
    assert priced.tolist() == [2163.57, 2171.81]


def test_tiers_fill_the_year_from_the_kwh_due_of_earlier_months():
    b = Billing()
    b.customer("R1", usage_type="residential", tariff_category="RES", tier_scheme="single")
    # January 2000 kWh: all tier 1, 2000 × 0.50 = 1000.00.
    # February 400 kWh from 2000 kWh already used: tier 1 up to 2160 → 160 × 0.50 = 80.00,
    # tier 2 the other 240 × 0.55 = 132.00.  Billed all at tier 1: 400 × 0.50 = 200.00.
    b.bill("R1", "2024-01", 2000, 0.50, tariff="RES")
    b.line("R1", "2024-01", "energy", 2000, 0.50, tier=1)
    b.bill("R1", "2024-02", 400, 0.50, tariff="RES", start=3000)
    b.line("R1", "2024-02", "energy", 400, 0.50, tier=1)
    result = recompute(b.dataset())
    jan = line_of(result, "R1", "2024-01", tier=1)
    assert (jan["amount_due"], jan["difference"]) == (1000.0, 0.0)
    tier1 = line_of(result, "R1", "2024-02", tier=1)
    tier2 = line_of(result, "R1", "2024-02", tier=2)
    assert (tier1["quantity_due"], tier1["amount_due"], tier1["difference"]) == (
        160.0,
        80.0,
        -120.0,
    )
    assert (tier2["quantity_due"], tier2["amount_due"]) == (240.0, 132.0)
    assert (tier2["quantity_billed"], tier2["amount_billed"], tier2["difference"]) == (
        0.0,
        0.0,
        132.0,
    )
    # as_of February keeps January in the cumulative; as_of January shows January only.
    assert (
        line_of(recompute(b.dataset(), as_of="2024-02"), "R1", "2024-02", tier=2)["amount_due"]
        == 132.0
    )
    assert set(recompute(b.dataset(), as_of="2024-01")["period"]) == {"2024-01"}


def test_a_tiered_bill_split_at_a_tariff_change_fills_the_old_tiers_from_the_years_use():
    # Households on RES (tiers 0-2160 at 0.50, 2160-4800 at 0.55) ordered onto COM (0.90 in
    # June) from 16 June; June read 1-30 June, 600 kWh, split by read days: 600 × 15/30 = 300
    # kWh on RES (its tier lines scaled: each q_old = round(q × 15/30, 2)), 300 × 0.90 = 270.00
    # on COM. The RES tiers fill from the year's kWh billed before June:
    # Y2500, 5 × 500 = 2500 already, past tier 1: all 600 in tier 2, 300 × 0.55 = 165.00,
    #   June 435.00 (the code filled tier 1 from June alone: 300 × 0.50 = 150.00, 420.00);
    # Y2000, 5 × 400 = 2000: tier 1 160 → 80 × 0.50 = 40.00, tier 2 440 → 220 × 0.55 = 121.00,
    #   June 431.00 (was 420.00).
    # Near miss, Y0: no bill before June this year: 300 × 0.50 = 150.00, June 420.00.
    b = Billing()
    cases = (("Y2500", 500.0, 435.00), ("Y2000", 400.0, 431.00), ("Y0", 0.0, 420.00))
    for customer, monthly, june in cases:
        b.customer(customer, usage_type="residential", tariff_category="COM", tier_scheme="single")
        start = 1000.0
        for month in ("2024-01", "2024-02", "2024-03", "2024-04", "2024-05"):
            b.bill(customer, month, monthly, 0.50, tariff="RES", start=start)
            start += monthly
        b.bill(customer, "2024-06", 600, 0.725, tariff="COM", start=start, energy_charge=june)
        b.order(customer, "tariff_change", "2024-06-16", old="RES", new="COM")
    result = recompute(b.dataset())
    june_lines = result[(result["period"] == "2024-06") & (result["line_type"] == "energy")]
    due = june_lines.groupby("customer_id")["amount_due"].sum().round(2).to_dict()
    assert due == {"Y2500": 435.00, "Y2000": 431.00, "Y0": 420.00}
    assert june_lines["difference"].abs().sum() == 0.0


def test_the_tier_year_restarts_and_its_first_month_is_a_parameter():
    b = Billing()
    b.customer("R2", usage_type="residential", tariff_category="RES", tier_scheme="single")
    # Nov 4700 kWh: tier 1 2160 × 0.50 = 1080.00, tier 2 2540 × 0.55 = 1397.00.
    # Dec 200 kWh from 4700: tier 2 100 × 0.55 = 55.00, tier 3 100 × 0.80 = 80.00.
    # Jan 2025 300 kWh: a new year, tier 1 300 × 0.50 = 150.00.
    for period, kwh, start in (
        ("2024-11", 4700, 0),
        ("2024-12", 200, 4700),
        ("2025-01", 300, 4900),
    ):
        b.bill("R2", period, kwh, 0.50, tariff="RES", start=start)
    for period, tier, kwh, rate in (
        ("2024-11", 1, 2160, 0.50),
        ("2024-11", 2, 2540, 0.55),
        ("2024-12", 2, 100, 0.55),
        ("2024-12", 3, 100, 0.80),
        ("2025-01", 1, 300, 0.50),
    ):
        b.line("R2", period, "energy", kwh, rate, tier=tier)
    result = recompute(b.dataset())
    assert (result["difference"] == 0).all()
    due = {(r.period, r.tier): r.amount_due for r in result.itertuples()}
    assert due == {
        ("2024-11", 1): 1080.0,
        ("2024-11", 2): 1397.0,
        ("2024-12", 2): 55.0,
        ("2024-12", 3): 80.0,
        ("2025-01", 1): 150.0,
    }
    # Tier year from December: December starts afresh (200 × 0.50 = 100.00) and January goes on
    # from 200 kWh (300 × 0.50 = 150.00).
    december = recompute(b.dataset(), params={"tier_year_start_month": 12})
    due = {(r.period, r.tier): r.amount_due for r in december.itertuples()}
    assert due[("2024-12", 1)] == 100.0
    assert due[("2024-12", 3)] == 0.0  # billed, no longer due
    assert due[("2025-01", 1)] == 150.0


def test_a_year_reaching_a_band_end_exactly_fills_it_without_a_hair_of_the_next_tier():
    # 168.52 + 289.45 + 741.02 + 961.01 = 2160.00 kWh, tier 1's end, though float sums (of kWh
    # from registers, after a customer of 123 456.78 kWh) overshoot it by 5 × 10⁻¹² kWh.
    # April: 961.01 × 0.50 = 480.505 → 480.51 at tier 1 only; May: 100 × 0.55 = 55.00 at tier 2.
    b = Billing()
    b.customer("A0", usage_type="residential", tariff_category="RES", tier_scheme="single")
    b.bill("A0", "2024-01", 123_456.78, 0.50, tariff="RES")
    b.customer("R3", usage_type="residential", tariff_category="RES", tier_scheme="single")
    start = 1000.0
    for period, kwh, tier, rate in (
        ("2024-01", 168.52, 1, 0.50),
        ("2024-02", 289.45, 1, 0.50),
        ("2024-03", 741.02, 1, 0.50),
        ("2024-04", 961.01, 1, 0.50),
        ("2024-05", 100.0, 2, 0.55),
    ):
        b.bill("R3", period, kwh, rate, tariff="RES", start=start)
        b.line("R3", period, "energy", kwh, rate, tier=tier)
        start += kwh
    result = recompute(b.dataset())
    r3 = result[result["customer_id"] == "R3"]
    assert r3["tier"].tolist() == [1, 1, 1, 1, 2]
    assert (r3["difference"] == 0).all()
    tier1 = line_of(result, "R3", "2024-04", tier=1)
    assert (tier1["quantity_due"], tier1["amount_due"]) == (961.01, 480.51)
    assert line_of(result, "R3", "2024-05", tier=2)["amount_due"] == 55.0


def test_a_shared_meter_pays_the_row_without_tiers():
    b = Billing()
    b.customer("S1", usage_type="residential", tariff_category="RES", tier_scheme="shared")
    # 500 kWh × 0.52 (合表 price) = 260.00 whatever the year's total; billed so: no difference.
    b.bill("S1", "2024-01", 5000, 0.52, tariff="RES")
    b.bill("S1", "2024-02", 500, 0.52, tariff="RES", start=6000)
    result = recompute(b.dataset())
    assert result["tier"].isna().all()
    assert line_of(result, "S1", "2024-02")["amount_due"] == 260.0
    assert (result["difference"] == 0).all()


def test_a_market_month_takes_that_months_price_rounded_half_up():
    b = Billing()
    b.customer("M1", tariff_category="MKT")
    # January 123.7 × 0.45 = 55.665 → 55.67 (half up, not to even).
    # February 200 × 0.47 = 94.00, billed at January's stale 0.45 = 90.00: 4.00 under-billed.
    b.bill("M1", "2024-01", 123.7, 0.45, tariff="MKT")
    b.bill("M1", "2024-02", 200, 0.45, tariff="MKT", start=2000)
    result = recompute(b.dataset())
    jan, feb = line_of(result, "M1", "2024-01"), line_of(result, "M1", "2024-02")
    assert (jan["rate_due"], jan["amount_due"], jan["difference"]) == (0.45, 55.67, 0.0)
    assert (feb["rate_due"], feb["amount_due"], feb["difference"]) == (0.47, 94.0, 4.0)


def test_a_wrong_multiplier_yields_the_positive_difference_and_a_documented_change_none():
    b = Billing()
    b.customer("W1", ct_ratio=50.0)
    b.order("W1", "meter_replacement", "2024-03-01", old=40, new=50)
    # February: multiplier 40 was in force until the replacement on 2024-03-01: 100 units × 40.
    b.bill("W1", "2024-02", 4000, 0.80, multiplier=40)
    # March: 50 in force, billed with 40: due 100 × 50 = 5000 kWh × 0.80 = 4000.00, billed 3200.00.
    b.bill("W1", "2024-03", 4000, 0.90, multiplier=40, start=1100)
    # (March is after the 16th price change too: all days at 0.90 → due 4500.00, billed 3600.00.)
    b.bill("W1", "2024-04", 4000, 0.90, multiplier=40, start=1200)
    result = recompute(b.dataset())
    assert line_of(result, "W1", "2024-02")["difference"] == 0.0
    april = line_of(result, "W1", "2024-04")
    assert (april["quantity_due"], april["amount_due"], april["difference"]) == (
        5000.0,
        4500.0,
        900.0,
    )
    march = line_of(result, "W1", "2024-03")
    # 5000 kWh split: q_old = round(5000 × 15/31, 2) = 2419.35 × 0.80 = 1935.48,
    # q_new = 2580.65 × 0.90 = 2322.585 → 2322.59; due 4258.07, billed 3600.00.
    assert (march["amount_due"], march["difference"]) == (4258.07, 658.07)


def test_an_estimated_read_is_priced_on_the_billed_kwh():
    b = Billing()
    b.customer("E1", ct_ratio=5.0)
    # Registers did not move (estimated), 300 kWh billed: due 300 × 0.80 = 240.00, billed at 0.70
    # = 210.00: 30.00 under-billed; the multiplier (5 in the archive) is not applied to an estimate.
    b.bill("E1", "2024-01", 300, 0.70, read_type="estimated", register_end=1000.0)
    row = line_of(recompute(b.dataset()), "E1", "2024-01")
    assert (row["quantity_due"], row["amount_due"], row["difference"]) == (300.0, 240.0, 30.0)
    assert not row["estimated"]


def test_a_time_of_use_customer_on_a_tariff_without_periods_is_priced_flat():
    b = Billing()
    b.customer("T5", tou=True)  # COM has no period rows: 100 × 0.80 = 80.00, no period lines
    b.bill("T5", "2024-01", 100, 0.80)
    b.line("T5", "2024-01", "energy", 100, 0.80)
    result = recompute(b.dataset())
    assert len(result) == 1
    row = line_of(result, "T5", "2024-01")
    assert (row["amount_due"], row["difference"]) == (80.0, 0.0)
    assert not [n for n in result.attrs["notes"] if n.code == "no_rate"]


def test_kwh_due_past_what_the_tier_count_holds_fill_the_top_band_without_a_numpy_warning():
    """Registers × an archive multiplier of 10^14 (each ratio 10^7, within the contract's
    bound) make 10^16 kWh due in January and 5 × 10^15 in February: 10^20 units of 1/10,000
    kWh, which the cast to int64 turned into garbage (`invalid value encountered in cast`).
    January fills tiers 1 and 2 and the rest is tier 3; February is all tier 3."""
    b = Billing()
    archive = {"ct_ratio": 1e7, "pt_ratio": 1e7, "tier_scheme": "single"}
    b.customer("X1", usage_type="residential", tariff_category="RES", **archive)
    for period, kwh, start in (("2024-01", 100, 1000), ("2024-02", 50, 1100)):
        b.bill("X1", period, kwh, 0.50, tariff="RES", start=start)
        b.line("X1", period, "energy", kwh, 0.50, tier=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = recompute(b.dataset())
    due = {(r.period, r.tier): r.quantity_due for r in result.itertuples() if r.quantity_due}
    # February's billed tier-1 line is due 0: the year is past every band by then
    assert due == {
        ("2024-01", 1): 2160.0,
        ("2024-01", 2): 2640.0,
        ("2024-01", 3): pytest.approx(1e16 - 4800.0, rel=1e-12),
        ("2024-02", 3): pytest.approx(5e15, rel=1e-12),
    }

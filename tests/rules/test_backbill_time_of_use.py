"""A slow meter's back-bill on itemized bills, by hand: a time-of-use customer's energy priced at
each bill's own period lines (a slow meter under-records every period alike), the funds on the
kWh, and the power-factor adjustment the energy back-billed moves; a flat customer priced as
before, and a bill half inside the window shared line by line.

Rates (itemized_builder.TARIFFS): TOU critical 1.20, peak 0.95 (1.00 from April 2024), flat 0.60,
valley 0.30, funds 0.03, 30 yuan per kVA-month; IND2 0.60, funds 0.03.
"""

from __future__ import annotations

import pandas as pd
import pytest
from itemized_builder import INDUSTRIAL, Itemized

from auditkit import rules
from auditkit.data import Dataset

TOU = INDUSTRIAL | {"tariff_category": "TOU", "tou": True}
BASIC = ("basic", 400.0, 30.0)  # 12 000.00
FUND = ("fund", 10_000.0, 0.03)  # 300.00
#: From April: 4 000 peak at 1.00, 3 000 flat at 0.60, 3 000 valley at 0.30: 6 700.00.
SPRING = [
    ("energy", 4000.0, 1.00, "peak"),
    ("energy", 3000.0, 0.60, "flat"),
    ("energy", 3000.0, 0.30, "valley"),
]
SPRING_REGISTERS = {"kwh_peak": 4000.0, "kwh_valley": 3000.0, "kwh_critical": 0.0}
#: 2 000 peak at 1.00, 4 000 flat at 0.60, 4 000 valley at 0.30: 5 600.00.
LIGHT = [
    ("energy", 2000.0, 1.00, "peak"),
    ("energy", 4000.0, 0.60, "flat"),
    ("energy", 4000.0, 0.30, "valley"),
]
LIGHT_REGISTERS = {"kwh_peak": 2000.0, "kwh_valley": 4000.0, "kwh_critical": 0.0}
#: 10 000 kWh and 2 000 kvarh: PF 10 000 / √(10 000² + 2 000²) = 0.9806 → 0.98; standard
#: 0.90, p ≥ 95: −0.75 %.
REACTIVE = {"kvarh_import": 2000.0, "kvarh_export": 0.0}


def _tests(customer_id: str, *tested: tuple[str, float]) -> list[dict]:
    return [
        {
            "customer_id": customer_id,
            "meter_id": f"M-{customer_id}",
            "tested_at": pd.Timestamp(day),
            "error_pct": error,
        }
        for day, error in tested
    ]


def _backbill(u: Itemized, tests: list[dict], as_of: str = "2024-07") -> pd.DataFrame:
    dataset = Dataset.from_frames(u.tables() | {"meter_tests": pd.DataFrame(tests)})
    found = rules.run(dataset, rules="meter_error_backbill", as_of=as_of)
    return found.set_index("customer_id")


def _tou_factory(u: Itemized, cid: str, pf: bool) -> None:
    """A 400 kVA TOU factory at 10 kV billed April to July 2024 at SPRING; with `pf`, standard
    0.90 and −0.75 % on energy + basic (6 700 + 12 000 = 18 700: −140.25)."""
    u.customer(cid, **TOU, **({"pf_standard": 0.90} if pf else {}))
    for month in range(4, 8):
        lines = [*SPRING, BASIC, FUND]
        more = REACTIVE if pf else {}
        if pf:
            lines.append(("pf_adjustment", 18_700.0, -0.0075))
        u.bill(cid, f"2024-{month:02d}", 10_000, lines, tariff="TOU", **SPRING_REGISTERS, **more)


def test_a_time_of_use_back_bill_is_priced_at_each_bills_period_lines_with_the_adjustment():
    """Tested on 1 July at −5 %, before on 1 January: half of 182 days, 91, from 1 April: the
    bills of April to June, 30 000 kWh, owe 5/95 of their energy. Each bill's period lines
    give 6 700.00, so 3 × 6 700 × 5/95 = 1 057.89 of energy (at the flat 0.60 it was 947.37),
    30 000 × 0.03 × 5/95 = 47.37 of funds, and on each bill the adjustment on 18 700.00 +
    352.63 is −0.75 % × 19 052.63 = −142.89 where −140.25 was billed: 3 × −2.64 = −7.92.
    1 057.89 + 47.37 − 7.92 = 1 097.34."""
    u = Itemized()
    _tou_factory(u, "T", pf=True)
    found = _backbill(u, _tests("T", ("2024-01-01", 0.1), ("2024-07-01", -5.0)))
    energy = 3 * 6700 * 5 / 95
    funds = 30_000 * 0.03 * 5 / 95
    assert found.loc["T", "revenue_impact"] == pytest.approx(energy + funds - 7.92, abs=0.005)
    assert found.loc["T", "revenue_impact"] == pytest.approx(1097.34, abs=0.005)
    assert found.loc["T", "revenue_kind"] == "proved"
    assert found.loc["T", "evidence"].endswith(
        "30,000 kWh billed in it, 1,579 kWh to back-bill, ¥1,097.34, of which ¥47.37 of funds; "
        "of which -¥7.92 of power-factor adjustment on the energy back-billed"
    )


def test_a_time_of_use_customer_without_an_adjustment_owes_the_period_energy_and_funds():
    """The same factory with no power-factor standard: 1 057.89 + 47.37 = 1 105.26, where the
    flat rate gave 947.37 + 47.37 = 994.74."""
    u = Itemized()
    _tou_factory(u, "T", pf=False)
    found = _backbill(u, _tests("T", ("2024-01-01", 0.1), ("2024-07-01", -5.0)))
    assert found.loc["T", "revenue_impact"] == pytest.approx(1105.26, abs=0.005)
    assert "power-factor" not in found.loc["T", "evidence"]


def test_near_miss_a_flat_customer_is_priced_at_the_flat_rate_as_before():
    """A 10 kV factory on IND2 (0.60, no periods, no standard), the same window and error:
    30 000 × 0.60 × 5/95 = 947.37 and 47.37 of funds, 994.74, nothing more; beside it the TOU
    factory's 1 105.26 (each customer's bills priced on their own lines)."""
    u = Itemized()
    u.customer("F", **INDUSTRIAL)
    for month in range(4, 8):
        u.bill("F", f"2024-{month:02d}", 10_000, [("energy", 10_000.0, 0.60), BASIC, FUND],
               tariff="IND2")  # fmt: skip
    _tou_factory(u, "T", pf=False)
    tests = [
        *_tests("F", ("2024-01-01", 0.1), ("2024-07-01", -5.0)),
        *_tests("T", ("2024-01-01", 0.1), ("2024-07-01", -5.0)),
    ]
    found = _backbill(u, tests)
    assert found.loc["F", "revenue_impact"] == pytest.approx(994.74, abs=0.005)
    assert found.loc["F", "evidence"].endswith(
        "1,579 kWh to back-bill, ¥994.74, of which ¥47.37 of funds"
    )
    assert found.loc["T", "revenue_impact"] == pytest.approx(1105.26, abs=0.005)


def test_a_flat_customer_with_a_standard_carries_the_adjustment_on_its_energy_back_billed():
    """The IND2 factory with standard 0.90 at −0.75 % on 6 000 + 12 000 = 18 000 (−135.00):
    each bill's 315.79 more energy makes it −0.75 % × 18 315.79 = −137.37, −2.37 a bill, −7.11
    in all: 994.74 − 7.11 = 987.63 (the adjustment is on the energy charge, periods or not)."""
    u = Itemized()
    u.customer("F", **INDUSTRIAL, pf_standard=0.90)
    for month in range(4, 8):
        lines = [("energy", 10_000.0, 0.60), BASIC, FUND, ("pf_adjustment", 18_000.0, -0.0075)]
        u.bill("F", f"2024-{month:02d}", 10_000, lines, tariff="IND2", **REACTIVE)
    found = _backbill(u, _tests("F", ("2024-01-01", 0.1), ("2024-07-01", -5.0)))
    assert found.loc["F", "revenue_impact"] == pytest.approx(987.63, abs=0.005)


def test_a_bill_half_inside_the_window_shares_each_of_its_period_lines():
    """Tested on 1 July at −4 %, before on 31 January: 152 days, half 76, from 16 April. April
    (LIGHT: 5 600.00 for 10 000 kWh) counts 15 of its 30 days, each period line halved: 2 800.00
    for 5 000 kWh; May and June (SPRING) 6 700.00 each; March, before the window, nothing.
    25 000 kWh owe 4/96: 16 200 / 24 = 675.00 of energy and 25 000 × 0.03 / 24 = 31.25 of
    funds, 706.25 (the flat 0.60 gave 625.00 + 31.25 = 656.25)."""
    u = Itemized()
    u.customer("H", **TOU)
    u.bill("H", "2024-03", 10_000, [*LIGHT, BASIC, FUND], tariff="TOU", **LIGHT_REGISTERS)
    u.bill("H", "2024-04", 10_000, [*LIGHT, BASIC, FUND], tariff="TOU", **LIGHT_REGISTERS)
    for month in (5, 6, 7):
        u.bill("H", f"2024-{month:02d}", 10_000, [*SPRING, BASIC, FUND], tariff="TOU",
               **SPRING_REGISTERS)  # fmt: skip
    found = _backbill(u, _tests("H", ("2024-01-31", 0.0), ("2024-07-01", -4.0)))
    assert found.loc["H", "revenue_impact"] == pytest.approx(706.25, abs=0.005)
    assert (
        "from 2024-04-16: 25,000 kWh billed in it, 1,042 kWh to back-bill, ¥706.25"
        in (found.loc["H", "evidence"])
    )


def test_a_fast_time_of_use_meter_owes_its_refund_at_the_period_rates_and_no_revenue():
    """Tested on 1 July at +5 %, the same window: 30 000 × 5/105 = 1 428.57 kWh refunded,
    3 × 6 700 × 5/105 + 30 000 × 0.03 × 5/105 = 957.14 + 42.86 = 1 000.00."""
    u = Itemized()
    _tou_factory(u, "T", pf=False)
    found = _backbill(u, _tests("T", ("2024-01-01", 0.1), ("2024-07-01", 5.0)))
    assert found.loc["T", "revenue_impact"] == 0.0
    assert "1,429 kWh, ¥1,000.00 to refund to the customer" in found.loc["T", "evidence"]

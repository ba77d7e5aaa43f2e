"""The estimated rules price the kWh they find missing with the funds (政府性基金及附加) due on
every kWh sold, as the proved rules that back-bill kWh do; the evidence says how much."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rule_builder import COMMERCIAL, Utility
from test_consumption_drop import _household_drop
from test_meter_record_rules import _alarm, _falls_after_june

from auditkit import rules
from auditkit.data import Dataset


def _run(u: Utility, rule_id: str, funds: dict[str, float] | None, **tables: list[dict]):
    """`rule_id`'s findings on `u` (extra tables as rows), its schedule charging the fund rate
    per kWh of `funds` per tariff (the row's energy rate × the value where it is negative)."""
    frames = u.tables() | {name: pd.DataFrame(rows) for name, rows in tables.items()}
    if funds is not None:
        tariffs = frames["tariffs"]
        share = tariffs["tariff_category"].map(funds).fillna(0.0)
        rate = np.where(share < 0, -share * tariffs["energy_rate"], share)
        frames["tariffs"] = tariffs.assign(fund_rate=rate)
    found = rules.run(Dataset.from_frames(frames), rules=rule_id)
    return found.set_index("customer_id")


def test_a_business_at_zero_is_estimated_its_funds_too():
    """A shop on COM (0.80, funds 0.03) at 0 kWh September to December after 100 kWh a month:
    4 × 100 × 0.83 = 332.00, of which 12.00 of funds. Near miss: a schedule without funds,
    320.00 and no funds said."""
    u = Utility()
    u.customer("shop", **COMMERCIAL)
    u.monthly("shop", [100.0] * 8 + [0.0] * 4, tariff="COM")
    plain = _run(u, "zero_consumption", None)
    assert plain.loc["shop", "revenue_impact"] == pytest.approx(320.00)
    assert "funds" not in plain.loc["shop", "evidence"]
    found = _run(u, "zero_consumption", {"COM": 0.03})
    assert found.loc["shop", "revenue_impact"] == pytest.approx(332.00)
    assert "(¥332.00 estimated), of which ¥12.00 of funds" in found.loc["shop", "evidence"]
    chinese = rules.evidence_text(found.reset_index(), "zh").iat[0]
    assert "（估计少收电费 332.00 元），其中政府性基金及附加 12.00 元" in chinese


def test_a_fall_after_an_alarm_is_estimated_its_funds_too():
    """The cover left open in June, use from 1,000 to 400 kWh a month: 6 × 600 kWh at 0.80
    and funds of 0.03, 2,988.00, of which 108.00 of funds (2,880.00 without)."""
    u = Utility()
    _falls_after_june(u, "A")
    alarms = [_alarm("A", "2024-06-10 08:00")]
    plain = _run(u, "meter_event_unresolved", None, meter_events=alarms)
    assert plain.loc["A", "revenue_impact"] == pytest.approx(6 * 600 * 0.8)
    found = _run(u, "meter_event_unresolved", {"COM": 0.03}, meter_events=alarms)
    assert found.loc["A", "revenue_impact"] == pytest.approx(2_988.00)
    assert found.loc["A", "evidence"].endswith(
        "; ¥2,988.00 estimated unbilled, of which ¥108.00 of funds"
    )


def test_a_fall_scored_by_its_bills_is_estimated_its_funds_too():
    """The household falling to 30 % (RES: 0.5 to June, 0.6 from July) with funds of a tenth
    of each month's energy rate: the same kWh lost, so 1.1 × the money without funds, of which
    a tenth of that money is funds."""
    u = _household_drop("RES")
    plain = _run(u, "consumption_drop", None).loc["H00"]
    found = _run(u, "consumption_drop", {"RES": -0.1}).loc["H00"]
    energy = plain["revenue_impact"]
    assert found["revenue_impact"] == pytest.approx(1.1 * energy, abs=0.01)
    assert f", of which ¥{0.1 * energy:,.2f} of funds" in found["evidence"]
    assert "funds" not in plain["evidence"]


def test_a_fall_is_priced_with_the_funds_of_the_tariff_it_is_priced_at():
    """The household archived on COM (0.80) but billed on RES: its lost kWh are priced at COM,
    the tariff it should be on, and so are their funds. COM's funds of 0.03 add 0.03 / 0.80
    of the money; RES's funds, the tariff billed, add nothing."""
    u = _household_drop("COM")
    energy = _run(u, "consumption_drop", None).loc["H00", "revenue_impact"]
    with_com_funds = _run(u, "consumption_drop", {"COM": 0.03}).loc["H00", "revenue_impact"]
    assert with_com_funds == pytest.approx(energy * 0.83 / 0.80, abs=0.01)
    with_res_funds = _run(u, "consumption_drop", {"RES": 0.05}).loc["H00", "revenue_impact"]
    assert with_res_funds == pytest.approx(energy)

"""Instrument transformers: CT ratios with their own rated secondary, PT ratios against the supply
voltage and the metering mode, CT sizing at the metering voltage (archive_defect and the CT
evidence of demand_over_capacity)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rule_builder import TWO_PART_BY_CAPACITY, Utility, flat

from auditkit import rules
from auditkit.data import Dataset
from auditkit.rules.instrument import ct_sizing, expected_pt_ratio


def _run(u: Utility, rule_id: str, extra: dict[str, dict], **kwargs: object) -> pd.DataFrame:
    """Findings of `rule_id` with archive columns the builder does not set (`extra`: customer →
    {column: value}) added to the customers."""
    tables = u.tables()
    customers = tables["customers"]
    for column in {name for values in extra.values() for name in values}:
        customers[column] = [extra.get(cid, {}).get(column) for cid in customers["customer_id"]]
    return rules.run(Dataset.from_frames(tables), rules=rule_id, **kwargs)


def _archive_defects(u: Utility, extra: dict[str, dict]) -> pd.Series:
    findings = _run(u, "archive_defect", extra)
    return findings.set_index("customer_id")["evidence"]


def test_a_ct_ratio_is_judged_with_its_own_rated_secondary():
    u = Utility()
    ratios = {
        "one_amp_750": (750.0, 1.0),  # 750/1: a standard 750 A CT
        "five_amp_750": (750.0, None),  # 3750/5 (empty = 5 A): no such rating
        "one_amp_240": (240.0, 1.0),  # 240/1: no such rating
        "five_amp_240": (240.0, 5.0),  # 1200/5: standard
        "two_amp": (40.0, 2.0),  # 80 A is standard, a 2 A secondary is not
        "no_ct": (1.0, 1.0),  # direct connection: nothing to judge
    }
    for cid, (ratio, _) in ratios.items():
        u.customer(cid, ct_ratio=ratio, usage_type="commercial", tariff_category="COM")
        u.monthly(cid, flat(100), multiplier=ratio, tariff="COM")
    found = _archive_defects(
        u, {cid: {"ct_secondary_a": secondary} for cid, (_, secondary) in ratios.items()}
    )
    assert sorted(found.index) == ["five_amp_750", "one_amp_240", "two_amp"]
    assert found["five_amp_750"] == (
        "non-standard CT ratio 750.00 (3,750.0 A primary on a 5 A secondary)"
    )
    assert (
        found["one_amp_240"] == "non-standard CT ratio 240.00 (240.0 A primary on a 1 A secondary)"
    )
    assert found["two_amp"] == "CT rated secondary 2.0 A is no standard rating"


def test_pt_ratio_against_the_supply_voltage_and_the_metering_mode():
    u = Utility()
    points = {
        # customer: supply kV, metering mode, PT ratio
        "hh10": (10.0, "high_high", 100.0),
        "hh35": (35.0, "high_high", 350.0),
        "hh10_within_tolerance": (10.0, "high_high", 100.5),  # 0.5 % off: accepted
        "hl10": (10.0, "high_low", 1.0),
        "unknown10_low_side": (10.0, None, 1.0),
        "unknown10_high_side": (10.0, None, 100.0),
        "hh10_35kv_pt": (10.0, "high_high", 350.0),
        "hh35_10kv_pt": (35.0, "high_high", 100.0),
        "hh10_no_pt": (10.0, "high_high", 1.0),
        "hh10_2pct_off": (10.0, "high_high", 102.0),
        "hl10_with_pt": (10.0, "high_low", 100.0),
        "unknown10_neither": (10.0, None, 350.0),
        "ll04_with_pt": (0.4, "low_low", 100.0),
    }
    for cid, (voltage, _, pt) in points.items():
        u.customer(cid, voltage_kv=voltage, pt_ratio=pt)
        u.monthly(cid, flat(100), multiplier=pt)
    found = _archive_defects(
        u, {cid: {"metering_mode": mode} for cid, (_, mode, _) in points.items()}
    )
    assert sorted(found.index) == sorted(
        [
            "hh10_35kv_pt",
            "hh35_10kv_pt",
            "hh10_no_pt",
            "hh10_2pct_off",
            "hl10_with_pt",
            "unknown10_neither",
            "ll04_with_pt",
        ]
    )
    # 10 kV × 1000 / 100 V = 100; 35 kV: 350.
    assert found["hh10_35kv_pt"] == (
        "PT ratio 350 metering on the 10.0 kV supply side, where 100 is needed"
    )
    assert found["hh35_10kv_pt"] == (
        "PT ratio 100 metering on the 35.0 kV supply side, where 350 is needed"
    )
    assert found["hl10_with_pt"] == (
        "PT ratio 100 with the meter on the low-voltage side of a 10.0 kV supply, where none is "
        "needed"
    )
    assert found["unknown10_neither"] == (
        "PT ratio 350 on 10.0 kV: neither 100 (metering on the supply side) nor 1 (on the "
        "low-voltage side)"
    )
    assert found["ll04_with_pt"] == "PT ratio 100 on 0.4 kV"


def test_pt_secondary_and_tolerance_are_parameters():
    u = Utility()
    u.customer("hh10", voltage_kv=10.0, pt_ratio=100.0)
    u.monthly("hh10", flat(100), multiplier=100.0)
    modes = {"hh10": {"metering_mode": "high_high"}}
    assert _run(u, "archive_defect", modes).empty
    # A 110 V secondary wants 10000 / 110 = 90.9: 100 is 10 % off, beyond a 5 % tolerance ...
    params = {"archive_defect": {"pt_secondary_v": 110, "pt_ratio_tolerance": 0.05}}
    assert _run(u, "archive_defect", modes, params=params)["customer_id"].tolist() == ["hh10"]
    # ... and within 11 %.
    params["archive_defect"]["pt_ratio_tolerance"] = 0.11
    assert _run(u, "archive_defect", modes, params=params).empty


def test_ct_sizing_uses_the_metering_voltage_and_the_rated_secondary():
    customers = pd.DataFrame(
        {
            "voltage_kv": [10.0, 10.0, 10.0, 10.0, 0.4, 10.0],
            "metering_mode": ["high_high", "high_high", "high_low", None, "low_low", None],
            "pt_ratio": [100.0, 100.0, 1.0, 1.0, 1.0, 100.0],
            "ct_ratio": [40.0, 40.0, 160.0, 160.0, 40.0, 10.0],
            "ct_secondary_a": [None, 1.0, 5.0, None, None, None],
            "contract_capacity_kva": [400.0, 400.0, 400.0, 400.0, 100.0, None],
        }
    )
    sizing = ct_sizing(customers, low_side_kv=0.4)
    assert sizing.primary_a.tolist() == [200.0, 40.0, 800.0, 800.0, 200.0, 50.0]
    # No mode recorded: a PT places the meter on the supply voltage, none on the low side.
    assert sizing.metering_kv.tolist() == [10.0, 10.0, 0.4, 0.4, 0.4, 10.0]
    rated_10kv = 400 / (np.sqrt(3) * 10)  # 23.09 A
    rated_04kv = 400 / (np.sqrt(3) * 0.4)  # 577.35 A
    np.testing.assert_allclose(
        sizing.rated_a[:5],
        [rated_10kv, rated_10kv, rated_04kv, rated_04kv, 100 / (np.sqrt(3) * 0.4)],
    )
    assert np.isnan(sizing.rated_a[5])  # no capacity: nothing to size against


def test_expected_pt_ratio_by_mode_and_voltage():
    customers = pd.DataFrame(
        {
            "voltage_kv": [10.0, 35.0, 10.0, 10.0, 0.4],
            "metering_mode": ["high_high", "high_high", "high_low", None, "high_high"],
        }
    )
    needed, alternative = expected_pt_ratio(customers, low_voltage_kv=1.0, pt_secondary_v=100)
    assert needed.tolist() == [100.0, 350.0, 1.0, 100.0, 1.0]
    assert np.isnan(alternative[[0, 1, 2, 4]]).all()
    assert alternative[3] == 1.0


def _demand_over(u: Utility, cid: str, ct_ratio: float) -> None:
    """400 kVA at 10 kV, demand above it for the last 6 months."""
    u.customer(cid, contract_capacity_kva=400.0, **(TWO_PART_BY_CAPACITY | {"ct_ratio": ct_ratio}))
    u.monthly(
        cid,
        flat(100_000),
        multiplier=ct_ratio * 100.0,
        tariff="IND2",
        capacity=400.0,
        demand=[300.0] * 6 + [500.0] * 6,
        basis="capacity",
    )


def test_ct_oversized_evidence_judges_the_ct_where_it_meters():
    u = Utility()
    _demand_over(u, "five_amp", 40.0)  # 200/5 on 10 kV: 200 A for a rated 23.1 A
    _demand_over(u, "one_amp", 40.0)  # 40/1: 40 A, within 2.5 × 23.1 A
    _demand_over(u, "high_low", 160.0)  # 800/5 behind the transformer: rated 577 A at 0.4 kV
    extra = {
        "one_amp": {"ct_secondary_a": 1.0, "metering_mode": "high_high"},
        "high_low": {"metering_mode": "high_low"},
        "five_amp": {"metering_mode": "high_high"},
    }
    found = _run(u, "demand_over_capacity", extra).set_index("customer_id")["evidence"]
    assert sorted(found.index) == ["five_amp", "high_low", "one_amp"]
    assert "CT primary 200 A is sized for far more than the rated 23.1 A" in found["five_amp"]
    assert "CT primary" not in found["one_amp"]
    assert "CT primary" not in found["high_low"]


@pytest.mark.parametrize(("ratio", "oversized"), [(2.6, False), (2.4, True)])
def test_ct_oversize_ratio_is_a_parameter(ratio: float, oversized: bool):
    u = Utility()
    _demand_over(u, "A", 12.0)  # 60/5 against a rated 23.09 A: 2.6 times it
    params = {"demand_over_capacity": {"ct_oversize_ratio": ratio}}
    found = _run(u, "demand_over_capacity", {"A": {"metering_mode": "high_high"}}, params=params)
    assert ("CT primary 60 A" in found.iloc[0]["evidence"]) is oversized

"""Power-factor adjustment: the 1983 tables at every boundary, the PF from import + |export|, losses
in A and in the base, amounts to the fen."""

from __future__ import annotations

import numpy as np
import pytest
from billing_builders import Billing
from charges_builders import TWO_PART, bills, charged, line, recompute_row

from auditkit.billing import recompute
from auditkit.billing.params import load_billing_params
from auditkit.billing.power_factor import adjustment_percent, pf_lines, power_factor

PARAMS = load_billing_params()

# The published table values of 水电财字〔1983〕215号 (percent; + surcharge, − rebate) at the first
# and last PF of each piece.
TABLE = [
    # standard 0.90: ≤ 0.64 15 + 2(65 − p) · 0.65–0.69 10 + (70 − p) · 0.70–0.89 0.5(90 − p)
    # · 0.90–0.94 −0.15(p − 90) · ≥ 0.95 −0.75
    (0.90, 0.64, 17.0),
    (0.90, 0.65, 15.0),
    (0.90, 0.69, 11.0),
    (0.90, 0.70, 10.0),
    (0.90, 0.89, 0.5),
    (0.90, 0.90, 0.0),
    (0.90, 0.91, -0.15),
    (0.90, 0.94, -0.60),
    (0.90, 0.95, -0.75),
    (0.90, 1.00, -0.75),
    # standard 0.85: ≤ 0.59 15 + 2(60 − p) · 0.60–0.64 10 + (65 − p) · 0.65–0.84 0.5(85 − p)
    # · 0.85–0.90 −0.10(p − 85) · 0.91–0.93 −(0.50 + 0.15(p − 90)) · ≥ 0.94 −1.10
    (0.85, 0.59, 17.0),
    (0.85, 0.60, 15.0),
    (0.85, 0.64, 11.0),
    (0.85, 0.65, 10.0),
    (0.85, 0.84, 0.5),
    (0.85, 0.85, 0.0),
    (0.85, 0.90, -0.50),
    (0.85, 0.91, -0.65),
    (0.85, 0.93, -0.95),
    (0.85, 0.94, -1.10),
    (0.85, 1.00, -1.10),
    # standard 0.80: ≤ 0.54 15 + 2(55 − p) · 0.55–0.59 10 + (60 − p) · 0.60–0.79 0.5(80 − p)
    # · 0.80–0.90 −0.10(p − 80) · 0.91 −1.15 · ≥ 0.92 −1.30
    (0.80, 0.54, 17.0),
    (0.80, 0.55, 15.0),
    (0.80, 0.59, 11.0),
    (0.80, 0.60, 10.0),
    (0.80, 0.79, 0.5),
    (0.80, 0.80, 0.0),
    (0.80, 0.90, -1.00),
    (0.80, 0.91, -1.15),
    (0.80, 0.92, -1.30),
    (0.80, 1.00, -1.30),
]


@pytest.mark.parametrize(("standard", "pf", "percent"), TABLE)
def test_adjustment_percent_matches_the_published_table(standard, pf, percent):
    found = adjustment_percent(np.array([pf]), standard, PARAMS.pf_tables)
    assert found[0] == percent


def test_adjustment_percent_vectorised_over_standards_and_unknown_standard_is_nan():
    standards = np.array([standard for standard, _, _ in TABLE] + [0.75])
    pfs = np.array([pf for _, pf, _ in TABLE] + [0.90])
    found = adjustment_percent(pfs, standards, PARAMS.pf_tables)
    assert found[:-1].tolist() == [percent for _, _, percent in TABLE]
    assert np.isnan(found[-1])


def test_power_factor_rounds_half_up_to_two_decimals():
    # 3/5 = 0.60; 8000/√(8000² + 4000²) = 0.8944 → 0.89; 8000/√(8000² + 3000²) = 0.9363 → 0.94;
    # Without active energy (A = 0, or a negative A) there is no power factor, reactive or not.
    found = power_factor(
        np.array([3.0, 8000, 8000, 0, 0, -5]), np.array([4.0, 4000, 3000, 0, 9, 1])
    )
    assert found[:3].tolist() == [0.60, 0.89, 0.94]
    assert np.isnan(found[3:]).all()


def test_export_reactive_energy_counts_as_absolute():
    # Q = 3000 + |±1000| = 4000 → PF 0.89 → +0.5 % of 5000.00 + 1000.00 = 30.00 yuan.
    # Leaving export out would give PF 0.94 and a rebate of −0.60 %.
    frame = bills(
        {"kwh_due": 8000, "kvarh_import": 3000, "kvarh_export": 1000, "pf_standard": 0.90},
        {"kwh_due": 8000, "kvarh_import": 3000, "kvarh_export": -1000, "pf_standard": 0.90},
    )
    amounts = {"energy_amount": 5000.00, "basic_amount": 1000.00}
    lines = pf_lines(frame, charged(amounts, amounts), PARAMS)
    for bill in (0, 1):
        found = line(lines, bill)
        assert found["line_type"] == "pf_adjustment"
        assert found["quantity"] == 6000.00
        assert found["rate"] == pytest.approx(0.005, abs=1e-12)
        assert found["amount"] == 30.00


def test_losses_count_in_the_power_factor_and_in_the_base():
    # A = 6000 kWh + 1000 loss kWh = 7000, Q = 3500: PF = 7000/√(7000² + 3500²) = 0.8944 → 0.89
    # → +0.5 % (6000 kWh alone would give 0.86 → +2.0 %). Base = 3600.00 energy + 600.00 loss
    # + 1261.00 basic = 5461.00; 5461.00 × 0.005 = 27.305 → 27.31 half up (27.30 half to even).
    frame = bills({"kwh_due": 6000, "kvarh_import": 3500, "pf_standard": 0.90})
    due = charged(
        {"energy_amount": 3600.00, "loss_amount": 600.00, "basic_amount": 1261.00, "loss_kwh": 1000}
    )
    found = line(pf_lines(frame, due, PARAMS))
    assert found["quantity"] == 5461.00
    assert found["rate"] == pytest.approx(0.005, abs=1e-12)
    assert found["amount"] == 27.31


def test_rebate_is_negative():
    # Standard 0.85, PF 10000/√(10000² + 3000²) = 0.9578 → 0.96 → −1.10 % of 10000.00 = −110.00.
    frame = bills({"kwh_due": 10000, "kvarh_import": 3000, "kvarh_export": 0, "pf_standard": 0.85})
    found = line(pf_lines(frame, charged({"energy_amount": 10000.00}), PARAMS))
    assert found["rate"] == pytest.approx(-0.011, abs=1e-12)
    assert found["amount"] == -110.00


def test_no_line_without_standard_registers_or_a_table_for_the_standard():
    frame = bills(
        {"kwh_due": 8000, "kvarh_import": 3000},  # no standard
        {"kwh_due": 8000, "pf_standard": 0.90},  # no reactive registers
        {"kwh_due": 8000, "kvarh_import": 3000, "pf_standard": 0.75},  # no table for 0.75
        {"kwh_due": 8000, "kvarh_export": 3000, "pf_standard": 0.90},  # export register only
    )
    amounts = {"energy_amount": 5000.00}
    lines = pf_lines(frame, charged(*[amounts] * 4), PARAMS)
    # Export alone is a register: Q = 3000, PF 0.94 → −0.60 % of 5000.00 = −30.00.
    assert lines["bill"].tolist() == [3]
    assert line(lines, 3)["amount"] == -30.00


def test_recompute_finds_a_power_factor_that_left_export_out():
    # IND2, 315 kVA, standard 0.90: 10 000 kWh, 5000 kvarh import, 1000 export.
    # Due: Q = 6000, PF = 10 000/√(10 000² + 6000²) = 0.8575 → 0.86 → +2.0 % of energy 6000.00
    #   + basic 9450.00 = 15 450.00 → 309.00.
    # Billed without export: PF 10 000/√(10 000² + 5000²) = 0.8944 → 0.89 → +0.5 % = 77.25.
    b = Billing()
    b.customer("I1", **TWO_PART, contract_capacity_kva=315.0, pf_standard=0.90)
    b.bill(
        "I1",
        "2024-01",
        10000,
        0.60,
        tariff="IND2",
        kvarh_import=5000,
        kvarh_export=1000,
        capacity_billed_kva=315.0,
        basic_charge=9450.0,
        pf_adjustment=77.25,
    )
    found = recompute_row(recompute(b.dataset()), "pf_adjustment", "2024-01")
    assert found["quantity_due"] == 15_450.00
    assert found["rate_due"] == pytest.approx(0.02, abs=1e-12)
    assert (found["amount_billed"], found["amount_due"]) == (77.25, 309.00)
    assert found["difference"] == 231.75


def test_bills_with_a_standard_and_neither_reactive_register_are_counted_in_a_note():
    # P1 (standard 0.90): 2024-01 has an import register (a line), 2024-02 and 2024-03 have
    # neither (no line, counted); 2024-04 has an export register only (a line, not counted).
    # P2 has no standard and no registers: nothing to assess, not counted.
    b = Billing()
    b.customer("P1", **TWO_PART, contract_capacity_kva=315.0, pf_standard=0.90)
    b.customer("P2", **TWO_PART, contract_capacity_kva=315.0)
    common = {"tariff": "IND2", "capacity_billed_kva": 315.0, "basic_charge": 9450.0}
    b.bill("P1", "2024-01", 10000, 0.60, kvarh_import=3000, kvarh_export=0, **common)
    b.bill("P1", "2024-02", 10000, 0.60, start=20000, **common)
    b.bill("P1", "2024-03", 10000, 0.60, start=30000, **common)
    b.bill("P1", "2024-04", 10000, 0.60, start=40000, kvarh_export=3000, **common)
    b.bill("P2", "2024-01", 10000, 0.60, **common)
    result = recompute(b.dataset())
    pf = result[result["line_type"] == "pf_adjustment"]
    assert pf[["customer_id", "period"]].values.tolist() == [["P1", "2024-01"], ["P1", "2024-04"]]
    notes = [note for note in result.attrs["notes"] if note.code == "no_reactive_registers"]
    assert [note.values for note in notes] == [{"count": 2}]
    assert notes[0].text("en").startswith("2 bills of customers held to a power-factor standard")
    assert notes[0].text("zh").startswith("2 张执行功率因数考核标准的账单")


def test_no_reactive_register_note_when_every_assessed_bill_has_one():
    b = Billing()
    b.customer("P1", **TWO_PART, contract_capacity_kva=315.0, pf_standard=0.90)
    b.bill("P1", "2024-01", 10000, 0.60, tariff="IND2", kvarh_import=3000)
    b.customer("P2", **TWO_PART, contract_capacity_kva=315.0)
    b.bill("P2", "2024-01", 10000, 0.60, tariff="IND2")
    codes = [note.code for note in recompute(b.dataset()).attrs["notes"]]
    assert "no_reactive_registers" not in codes


def test_a_wrong_multiplier_bill_is_due_its_demand_and_reactive_energy_at_the_multiplier_due():
    # Archive CT 40 × PT 100 = 4000, billed at 2000: the demand and reactive registers are read
    # through the same CT and PT as the kWh, so all three are half what is due.
    # Billed: 100 000 kWh, 300 kW (raised to the 40 % floor of 1000 kVA: 400 kW × 40 = 16 000.00),
    # 60 000 kvarh: PF 100 000/√(100 000² + 60 000²) = 0.857 → 0.86 → +2 % of 76 000.00 = 1520.00.
    # Due: 200 000 kWh, 600 kW (above the floor; no contract demand, no excess) × 40 = 24 000.00,
    # 120 000 kvarh: PF 0.86 → +2 % of 120 000.00 + 24 000.00 = 2880.00. With the kvarh as billed the PF
    # would be 200 000/√(200 000² + 60 000²) = 0.958 → 0.96 → a −0.75 % rebate.
    b = Billing()
    b.customer(
        "I1",
        **{**TWO_PART, "basic_charge_basis": "demand"},
        ct_ratio=40.0,
        pt_ratio=100.0,
        contract_capacity_kva=1000.0,
        pf_standard=0.90,
    )
    b.bill(
        "I1",
        "2024-05",
        100_000,
        0.60,
        multiplier=2000.0,
        tariff="IND2",
        max_demand_kw=300.0,
        kvarh_import=60_000.0,
        kvarh_export=0.0,
        basic_charge=16_000.0,
        pf_adjustment=1520.0,
    )
    result = recompute(b.dataset())
    basic = recompute_row(result, "basic", "2024-05")
    # The billed side keeps the bill's own demand, 300 kW, as the bill recorded it.
    assert (basic["quantity_billed"], basic["quantity_due"]) == (300.0, 600.0)
    assert (basic["amount_billed"], basic["amount_due"], basic["difference"]) == (
        16_000.00,
        24_000.00,
        8000.00,
    )
    pf = recompute_row(result, "pf_adjustment", "2024-05")
    assert pf["quantity_due"] == 144_000.00
    assert pf["rate_due"] == pytest.approx(0.02, abs=1e-12)
    assert (pf["amount_billed"], pf["amount_due"], pf["difference"]) == (1520.00, 2880.00, 1360.00)

"""Funds due: fund_rate × (kWh due + loss kWh), half up to the fen."""

from __future__ import annotations

import numpy as np
import pandas as pd
from billing_builders import Billing
from charges_builders import TWO_PART, bills, line, rates, recompute_row

from auditkit.billing import recompute
from auditkit.billing.funds import fund_lines
from auditkit.billing.params import load_billing_params
from auditkit.data import Dataset

PARAMS = load_billing_params()


def test_funds_count_the_loss_energy():
    # 1000 kWh + 5 loss kWh = 1005 kWh × 0.045 = 45.225 → 45.23 (half up; 45.22 half to even).
    # Without losses: 2000 × 0.045 = 90.00.
    frame = bills({"kwh_due": 1000}, {"kwh_due": 2000})
    lines = fund_lines(frame, np.array([5.0, np.nan]), rates(*[{"fund_rate": 0.045}] * 2), PARAMS)
    first, second = line(lines, 0), line(lines, 1)
    assert first["line_type"] == "fund"
    assert first["quantity"] == 1005
    assert first["rate"] == 0.045
    assert first["amount"] == 45.23
    assert second["quantity"] == 2000
    assert second["amount"] == 90.00


def test_the_quantity_is_kwh_to_the_hundredth():
    # Registers (33 617.81 − 33 520.16) × 3500 give 341 774.99999999 kWh in binary floating point;
    # the line counts 341 775.00 kWh: × 0.0262 = 8954.505 → 8954.51, not 8954.50.
    frame = bills({"kwh_due": (33_617.81 - 33_520.16) * 3500})
    found = line(fund_lines(frame, np.zeros(1), rates({"fund_rate": 0.0262}), PARAMS))
    assert found["quantity"] == 341_775.00
    assert found["amount"] == 8954.51


def test_no_fund_rate_no_line():
    frame = bills({"kwh_due": 1000}, {"kwh_due": 1000}, {"kwh_due": 1000})
    lines = fund_lines(
        frame, np.zeros(3), rates({"fund_rate": np.nan}, {"fund_rate": 0.0}, {}), PARAMS
    )
    assert lines.empty
    assert list(lines.columns) == [
        "bill",
        "line_type",
        "tou_period",
        "tier",
        "quantity",
        "rate",
        "amount",
        "estimated",
    ]


def test_recompute_finds_funds_that_left_the_losses_out():
    # A 630 kVA high_low customer (P0 0.81 kW, Pk 6.2 kW) billed 180 000 kWh and its 1462 loss kWh
    # (test_losses), funds billed on the metered kWh only: 180 000 × 0.03 = 5400.00.
    # Due: (180 000 + 1462) × 0.03 = 5443.86; difference 43.86.
    b = Billing()
    b.customer("I1", **{**TWO_PART, "metering_mode": "high_low"}, contract_capacity_kva=630.0)
    b.bill(
        "I1",
        "2024-04",
        180_000,
        0.60,
        tariff="IND2",
        energy_charge=108_877.20,  # (180 000 + 1462) × 0.60, losses priced with the energy
        kvarh_import=80_000,
        kvarh_export=10_000,
        loss_kwh=1462,
        fund_charge=5400.00,
    )
    tables = b.tables()
    tables["transformers"] = pd.DataFrame(
        [
            {
                "customer_id": "I1",
                "transformer_id": "T1",
                "kva": 630,
                "no_load_loss_kw": 0.81,
                "load_loss_kw": 6.2,
                "status": "running",
            }
        ]
    )
    result = recompute(Dataset.from_frames(tables))
    found = recompute_row(result, "fund", "2024-04")
    assert (found["quantity_billed"], found["quantity_due"]) == (181_462, 181_462)
    assert (found["amount_billed"], found["amount_due"]) == (5400.00, 5443.86)
    assert found["difference"] == 43.86
    assert recompute_row(result, "loss", "2024-04")["difference"] == 0

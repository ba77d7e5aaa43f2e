"""Funds due: fund_rate × (kWh due + loss kWh), half up to the fen."""

from __future__ import annotations

import numpy as np
from charges_builders import bills, line, rates

from auditkit.billing.funds import fund_lines
from auditkit.billing.params import load_billing_params

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

"""consumption_drop prices the lost energy at the rate due (the archive's tariff at the customer's
voltage band, month by month): its whole-dataset input carries what that lookup reads, so a run
by parts gives the findings of one run over the whole."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditkit import rules
from auditkit.data import Dataset

PERIODS = [str(pd.Period("2023-01", "M") + i) for i in range(24)]
SEASON = np.array([1.3, 1.2, 1.0, 0.9, 0.9, 1.0, 1.4, 1.4, 1.1, 0.9, 0.9, 1.2])
#: RES 0.5 until June 2024 and 0.6 from July; COM 0.8 up to 10 kV, 0.75 from 35 kV.
TARIFFS = pd.DataFrame(
    {
        "tariff_category": ["RES", "RES", "COM", "COM"],
        "usage_type": ["residential", "residential", "commercial", "commercial"],
        "energy_rate": [0.5, 0.6, 0.8, 0.75],
        "voltage_kv_min": [None, None, 0.0, 35.0],
        "voltage_kv_max": [None, None, 10.0, 110.0],
        "valid_from": pd.to_datetime(["2018-01-01", "2024-07-01", "2018-01-01", "2018-01-01"]),
        "valid_to": pd.to_datetime(["2024-06-30", None, None, None]),
    }
)


def _utility(archive: dict[str, tuple[str, float]]) -> Dataset:
    """60 households billed on RES; H00 and H30 fall to 30 % from May 2024; `archive` gives some
    customers another archive tariff and supply voltage."""
    rng = np.random.default_rng(5)
    customers, bills = [], []
    for i in range(60):
        cid = f"H{i:02d}"
        tariff, voltage = archive.get(cid, ("RES", 0.4))
        customers.append(
            {
                "customer_id": cid,
                "district": "城东" if i < 30 else "城西",
                "usage_type": "residential",
                "tariff_category": tariff,
                "voltage_kv": voltage,
                "status": "active",
                "connection_date": pd.Timestamp("2020-01-01"),
                "basic_charge_basis": "none",
                "meter_id": f"M-{cid}",
                "ct_ratio": 1.0,
                "pt_ratio": 1.0,
            }
        )
        kwh = np.round(150 * SEASON[np.arange(24) % 12] * rng.lognormal(0, 0.08, 24), 2)
        if i in (0, 30):
            kwh[16:] = np.round(kwh[16:] * 0.3, 2)
        register = np.concatenate([[1000.0], 1000.0 + np.cumsum(kwh)])
        for month, period in enumerate(PERIODS):
            rate = 0.5 if period < "2024-07" else 0.6
            bills.append(
                {
                    "customer_id": cid,
                    "period": period,
                    "register_start": register[month],
                    "register_end": register[month + 1],
                    "multiplier_billed": 1.0,
                    "kwh_billed": kwh[month],
                    "tariff_billed": "RES",
                    "energy_rate": rate,
                    "energy_charge": round(kwh[month] * rate, 2),
                    "amount": round(kwh[month] * rate, 2),
                    "read_type": "actual",
                }
            )
    return Dataset.from_frames(
        {"customers": pd.DataFrame(customers), "bills": pd.DataFrame(bills), "tariffs": TARIFFS}
    )


def test_drop_priced_at_the_archive_tariff_of_its_voltage_band_alike_by_parts(by_parts):
    plain = rules.run(_utility({}), rules="consumption_drop").set_index("customer_id")
    archive = {"H00": ("COM", 10.0), "H30": ("COM", 35.0)}
    dataset = _utility(archive)
    whole = rules.run(dataset, rules="consumption_drop")
    assert sorted(whole["customer_id"]) == ["H00", "H30"]
    pd.testing.assert_frame_equal(by_parts(dataset, rules=["consumption_drop"]), whole)
    # Priced at COM's 0.8 (10 kV) and 0.75 (35 kV) instead of RES's 0.5 and 0.6 the bills charged.
    bills = dataset.bills
    for cid, rate_due in (("H00", 0.8), ("H30", 0.75)):
        after = bills[(bills["customer_id"] == cid) & (bills["period"] >= "2024-05")]
        ratio = (after["kwh_billed"] * rate_due).sum() / (
            after["kwh_billed"] * after["energy_rate"]
        ).sum()
        found = whole.set_index("customer_id").loc[cid, "revenue_impact"]
        assert found == pytest.approx(plain.loc[cid, "revenue_impact"] * ratio, abs=0.01 * ratio)

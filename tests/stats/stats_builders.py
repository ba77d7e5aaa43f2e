"""A small utility with awkward districts, as DATA.md tables, for the statistics tests.

Districts: 甲 (40 ordinary customers; SY-甲-000 drops to 30 % from 2024-07), 乙 (a single
customer), 丙 (three customers billed zero kWh throughout, no bills at all in 2023-03..2023-05),
丁 (two customers and not one bill). 36 months, 2022-01 to 2024-12.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from auditkit.register import Register, finding_key
from auditkit.rules import FINDING_COLUMNS

PERIODS = [f"{year}-{month:02d}" for year in (2022, 2023, 2024) for month in range(1, 13)]
RATES = {"RES": 0.55, "COM": 0.70}
DROP_CUSTOMER = "SY-甲-000"
DROP_FROM = "2024-07"
MISSING_MONTHS = ("2023-03", "2023-04", "2023-05")


#: 36 months from 2022-01, the periods of the anomaly tests' customer × month matrices.
MONTHS_FROM_2022 = [f"{2022 + m // 12}-{m % 12 + 1:02d}" for m in range(36)]


def monthly_bills(kwh: np.ndarray, ids: list[str]) -> pd.DataFrame:
    """A customer × month kWh matrix (rows `ids`, months from 2022-01) as bills with
    customer_id, period and kwh_billed; NaN cells are months without a bill."""
    return pd.DataFrame(
        {
            "customer_id": np.repeat(ids, kwh.shape[1]),
            "period": np.tile(MONTHS_FROM_2022[: kwh.shape[1]], len(ids)),
            "kwh_billed": kwh.ravel(),
        }
    ).dropna()


def build_tables(seed: int = 0) -> dict[str, pd.DataFrame]:
    """customers, bills, tariffs, district_supply and inspections of the small utility."""
    rng = np.random.default_rng(seed)
    customers = _customers()
    season = 1 + 0.25 * np.cos(2 * np.pi * (np.arange(36) - 6) / 12)
    rows = []
    for customer in customers.itertuples():
        if customer.district == "丁":
            continue
        level = 2_000 if customer.usage_type == "commercial" else 150
        kwh = level * season * np.exp(rng.normal(0, 0.08, 36)) * rng.uniform(0.5, 2.0)
        if customer.customer_id == DROP_CUSTOMER:
            kwh[PERIODS.index(DROP_FROM) :] *= 0.3
        if customer.district == "丙":
            kwh[:] = 0.0
        register = 1_000.0
        for month, period in enumerate(PERIODS):
            if customer.district == "丙" and period in MISSING_MONTHS:
                continue
            energy = round(float(kwh[month]), 2)
            rate = RATES[customer.tariff_category]
            charge = round(energy * rate, 2)
            rows.append(
                {
                    "customer_id": customer.customer_id,
                    "period": period,
                    "register_start": round(register, 2),
                    "register_end": round(register + energy, 2),
                    "multiplier_billed": 1.0,
                    "kwh_billed": energy,
                    "tariff_billed": customer.tariff_category,
                    "energy_rate": rate,
                    "energy_charge": charge,
                    "basic_charge": 0.0,
                    "amount": charge,
                    "read_type": "estimated" if rng.random() < 0.05 else "actual",
                }
            )
            register += energy
    bills = pd.DataFrame(rows)
    return {
        "customers": customers,
        "bills": bills,
        "tariffs": _tariffs(),
        "district_supply": _supply(bills, customers),
        "inspections": _inspections(customers, rng),
    }


def write_folder(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    """Write the tables as UTF-8 CSV files named after them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def _customers() -> pd.DataFrame:
    plan = [("甲", 40), ("乙", 1), ("丙", 3), ("丁", 2)]
    rows = []
    for district, count in plan:
        for index in range(count):
            commercial = district == "甲" and index % 4 == 3
            rows.append(
                {
                    "customer_id": f"SY-{district}-{index:03d}",
                    "district": district,
                    "usage_type": "commercial" if commercial else "residential",
                    "tariff_category": "COM" if commercial else "RES",
                    "voltage_kv": 0.4,
                    "status": "active",
                    "connection_date": "2015-01-01",
                    "contract_capacity_kva": 10.0,
                    "basic_charge_basis": "none",
                    "meter_id": f"M-{district}-{index:03d}",
                    "ct_ratio": 1.0,
                    "pt_ratio": 1.0,
                }
            )
    return pd.DataFrame(rows)


def _tariffs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tariff_category": ["RES", "COM"],
            "usage_type": ["residential", "commercial"],
            "energy_rate": [RATES["RES"], RATES["COM"]],
            "valid_from": ["2015-01-01", "2015-01-01"],
        }
    )


def _supply(bills: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Supplied energy of 甲 (8 % loss) and 乙 (billed more than supplied); none for 丙."""
    billed = bills.merge(customers[["customer_id", "district"]], on="customer_id")
    totals = billed.groupby(["district", "period"])["kwh_billed"].sum().reset_index()
    totals = totals[totals["district"].isin(["甲", "乙"])]
    factor = np.where(totals["district"] == "甲", 1 / 0.92, 0.95)
    return pd.DataFrame(
        {
            "district": totals["district"],
            "period": totals["period"],
            "kwh_supplied": np.round(totals["kwh_billed"] * factor, 1),
        }
    )


def _inspections(customers: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """甲: 30 self-audits finding 3 errors, 30 cross-audits by 乙 finding 12; 乙: 2 of each."""
    ids = customers.loc[customers["district"] == "甲", "customer_id"].to_numpy()
    plan = [("self", "甲", 30, 3), ("cross", "乙", 30, 12)]
    rows = []
    for kind, auditor, count, errors in plan:
        for index in range(count):
            found = index < errors
            book = float(rng.integers(100, 500))
            rows.append(
                {
                    "customer_id": ids[index % len(ids)],
                    "inspected_at": f"2024-{index % 12 + 1:02d}-15",
                    "audit_kind": kind,
                    "auditing_district": auditor,
                    "error_found": found,
                    "book_value": book,
                    "audited_value": book + (100.0 if found else 0.0),
                }
            )
    for kind, auditor in (("self", "乙"), ("cross", "甲")):
        for index in range(2):
            rows.append(
                {
                    "customer_id": "SY-乙-000",
                    "inspected_at": f"2024-0{index + 1}-10",
                    "audit_kind": kind,
                    "auditing_district": auditor,
                    "error_found": False,
                    "book_value": 80.0,
                    "audited_value": 80.0,
                }
            )
    return pd.DataFrame(rows)


def record_false_alarm(url: str, customer: str, district: str, period_from: str, day: str) -> None:
    """Record in the register at `url` a consumption_drop finding of `customer` from
    `period_from` and its field outcome on `day`: a false alarm (a check that found nothing)."""
    drop = {
        "rule_id": "consumption_drop", "area": "consumption", "severity": "high",
        "customer_id": customer, "district": district, "period_from": period_from,
        "period_to": period_from, "evidence": "use fell", "revenue_impact": 100.0,
        "revenue_kind": "estimated", "penalty": 0.0, "score": 9.0, "evidence_code": "[]",
    }  # fmt: skip
    checked = {
        "finding_key": finding_key(customer, "consumption_drop", period_from),
        "event": "false_alarm", "amount": float("nan"), "actor": "王工",
        "happened_at": day, "source": "worklist.xlsx", "source_row": 5,
    }  # fmt: skip
    with Register.open(url) as register:
        findings = pd.DataFrame([drop], columns=list(FINDING_COLUMNS))
        register.record_run(findings, run_id=period_from, as_of=period_from, district=None)
        register.record_outcomes(pd.DataFrame([checked]))

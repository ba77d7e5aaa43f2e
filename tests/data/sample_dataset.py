"""A small hand-made valid dataset (two districts, three customers) and writers for every format.

Imported by the tests of this folder (plain module, so no clash with other folders' conftest).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from auditkit.data import DataValidationError, load


def valid_tables() -> dict[str, pd.DataFrame]:
    """Every table of the contract, consistent with each other, values as a CSV export has them."""
    customers = pd.DataFrame(
        {
            "customer_id": ["C001", "C002", "C003"],
            "district": ["城东", "城东", "城西"],
            "usage_type": ["residential", "industrial", "commercial"],
            "tariff_category": ["居民生活", "大工业", "一般工商业"],
            "voltage_kv": [0.4, 10.0, 0.4],
            "status": ["active", "active", "suspended"],
            "connection_date": ["2015-03-01", "2018-07-15", "2020-01-10"],
            "contract_capacity_kva": [8.0, 630.0, None],
            "basic_charge_basis": ["none", "capacity", "none"],
            "meter_id": ["M1", "M2", "M3"],
            "ct_ratio": [1.0, 40.0, 1.0],
            "pt_ratio": [1.0, 100.0, 1.0],
            "meter_test_date": ["2022-05-01", None, "2021-11-30"],
            "meter_test_cycle_months": [96, 12, None],
            "name": ["张三", "东方机械厂", "李四便利店"],
            "address": ["城东路1号", "工业园2号", "城西街3号"],
            "phone": ["13800000001", "0571-88888888", None],
        }
    )
    bills = pd.DataFrame(
        {
            "customer_id": ["C001", "C001", "C002", "C002", "C003", "C003"],
            "period": ["2024-01", "2024-02"] * 3,
            "register_start": [1000.0, 1210.0, 50.0, 55.5, 300.0, 300.0],
            "register_end": [1210.0, 1400.0, 55.5, 61.25, 300.0, 420.0],
            "multiplier_billed": [1.0, 1.0, 4000.0, 4000.0, 1.0, 1.0],
            "kwh_billed": [210.0, 190.0, 22000.0, 23000.0, 0.0, 120.0],
            "tariff_billed": [
                "居民生活",
                "居民生活",
                "大工业",
                "大工业",
                "一般工商业",
                "一般工商业",
            ],
            "energy_rate": [0.538, 0.538, 0.65, 0.65, 0.8, 0.8],
            "energy_charge": [112.98, 102.22, 14300.0, 14950.0, 0.0, 96.0],
            "capacity_billed_kva": [None, None, 630.0, 630.0, None, None],
            "max_demand_kw": [None, None, 410.5, 422.0, None, None],
            "basic_charge": [None, None, 18900.0, 18900.0, None, None],
            "amount": [112.98, 102.22, 33200.0, 33850.0, 0.0, 96.0],
            "read_type": ["actual", "actual", "actual", "estimated", "actual", "actual"],
        }
    )
    tariffs = pd.DataFrame(
        {
            "tariff_category": ["居民生活", "大工业", "一般工商业"],
            "usage_type": ["residential", "industrial", "commercial"],
            "energy_rate": [0.538, 0.65, 0.8],
            "basic_rate_kva_month": [None, 30.0, None],
            "basic_rate_kw_month": [None, 40.0, None],
            "valid_from": ["2020-01-01", "2020-01-01", "2020-01-01"],
            "valid_to": [None, "9999-12-31", None],
        }
    )
    work_orders = pd.DataFrame(
        {
            "order_id": ["W1", "W2"],
            "customer_id": ["C002", "C003"],
            "order_type": ["capacity_increase", "suspension"],
            "issued_at": ["2023-06-01", "2023-09-05"],
            "transferred_at": ["2023-06-03", None],
            "registered_at": ["2023-06-10", None],
            "archived_at": [None, None],
            "effective_date": ["2023-07-01", "2023-10-01"],
            "old_value": ["400", "active"],
            "new_value": ["630", "suspended"],
        }
    )
    inspections = pd.DataFrame(
        {
            "customer_id": ["C001", "C002"],
            "inspected_at": ["2024-03-05", "2024-03-06"],
            "audit_kind": ["self", "cross"],
            "auditing_district": ["城东", "城西"],
            "error_found": ["否", "是"],
            "book_value": [102.22, 33850.0],
            "audited_value": [102.22, 35100.0],
        }
    )
    district_supply = pd.DataFrame(
        {
            "district": ["城东", "城东", "城西", "城西"],
            "period": ["2024-01", "2024-02", "2024-01", "2024-02"],
            "kwh_supplied": [23500.0, 24300.0, 10.0, 130.0],
        }
    )
    daily_reads = pd.DataFrame(
        {
            "customer_id": ["C001", "C001", "C003"],
            "date": ["2024-01-01", "2024-01-02", "2024-01-01"],
            "kwh": [6.5, None, 0.0],
        }
    )
    truth = pd.DataFrame(
        {
            "customer_id": ["C002"],
            "irregularity": ["multiplier_mismatch"],
            "from_period": ["2024-02"],
            "revenue_effect": [1250.0],
        }
    )
    return {
        "customers": customers,
        "bills": bills,
        "tariffs": tariffs,
        "work_orders": work_orders,
        "inspections": inspections,
        "district_supply": district_supply,
        "daily_reads": daily_reads,
        "truth": truth,
    }


FORMATS = ("csv-utf8", "csv-utf8-bom", "csv-gbk", "xlsx", "parquet")


def write_table(frame: pd.DataFrame, folder: Path, table: str, fmt: str) -> Path:
    """Write one table in one of FORMATS and return its path."""
    if fmt == "xlsx":
        path = folder / f"{table}.xlsx"
        frame.to_excel(path, index=False)
    elif fmt == "parquet":
        path = folder / f"{table}.parquet"
        frame.to_parquet(path, index=False)
    else:
        path = folder / f"{table}.csv"
        encoding = {"csv-utf8": "utf-8", "csv-utf8-bom": "utf-8-sig", "csv-gbk": "gbk"}[fmt]
        frame.to_csv(path, index=False, encoding=encoding)
    return path


def write_dataset(tables: dict[str, pd.DataFrame], folder: Path, fmt: str = "csv-utf8") -> Path:
    """Write every table of `tables` into `folder` in format `fmt`; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, frame in tables.items():
        write_table(frame, folder, table, fmt)
    return folder


def set_cell(frame: pd.DataFrame, position: int, column: str, value: object) -> None:
    """Put any value (e.g. text into a numeric column) into one cell, as a broken export would."""
    frame[column] = frame[column].astype(object)
    frame.loc[position, column] = value


def load_errors(folder: Path) -> list[str]:
    """The errors `load` raises on `folder`, one line each."""
    with pytest.raises(DataValidationError) as caught:
        load(folder)
    return [str(problem) for problem in caught.value.errors]

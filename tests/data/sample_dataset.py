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


#: The optional tables of itemized billing (DATA.md, "How bills are really computed").
ITEMIZED_TABLES = (
    "bill_lines",
    "transformers",
    "meter_events",
    "meter_tests",
    "adjustments",
    "lookalikes",
    "network_supply",
)


def itemized_tables() -> dict[str, pd.DataFrame]:
    """Every table and column of the contract: the valid sample itemized, consistent throughout.

    C001 is a single-household residential meter billed on tier 1 (210 and 190 kWh at 0.538);
    C002 an industrial time-of-use customer at 10 kV: peak 8000 kWh × 0.95, valley 5000 × 0.17,
    the flat rest × 0.65 (14300.00 and 14950.00 yuan, the legacy energy charges), 630 kVA × 30
    basic charge, a power-factor rebate (PF 0.93 → −0.45 % of 33200.00 = −149.40; PF 0.92 →
    −0.30 % of 33850.00 = −101.55) and funds at 0.02 yuan/kWh (440.00, 460.00). C003 is commercial
    at a flat 0.8. Bill lines add up to each bill to the fen; tier bands join; the TOU tariff has
    peak, flat and valley; C002's transformers in force (T2, 630 kVA; T1 removed) equal its
    contract capacity. Loading it raises no warning. Rows are in district order (城东 before
    城西), so a copy partitioned by `convert` reads back in the same order.
    """
    tables = valid_tables()
    customers = tables["customers"].assign(
        metering_mode=["low_low", "high_high", "low_low"],
        contract_demand_kw=[None, 500.0, None],
        pf_standard=[None, 0.9, None],
        tou=[False, True, False],
        tier_scheme=["single", "none", "none"],
        industry=["城乡居民生活用电", "通用设备制造业", "零售业"],
        area_id=["TQ01", "TQ02", "TQ03"],
        feeder_id=["10kV东1线", "10kV东1线", "10kV西3线"],
        supply_type=["permanent", "permanent", "temporary"],
        supply_end_date=[None, None, "2024-12-31"],
        ct_secondary_a=[None, 5.0, None],
    )
    bills = tables["bills"].assign(
        amount=[112.98, 102.22, 33490.60, 34208.45, 0.0, 96.0],
        read_from=["2024-01-01", "2024-02-01"] * 3,
        read_to=["2024-01-31", "2024-02-29"] * 3,
        kvarh_import=[None, None, 9000.0, 9500.0, None, None],
        kvarh_export=[None, None, 0.0, 120.0, None, None],
        power_factor=[None, None, 0.93, 0.92, None, None],
        pf_adjustment=[None, None, -149.40, -101.55, None, None],
        loss_kwh=[None] * 6,
        fund_charge=[None, None, 440.0, 460.0, None, None],
        kwh_critical=[None] * 6,
        kwh_peak=[None, None, 8000.0, 8000.0, None, None],
        kwh_valley=[None, None, 5000.0, 5000.0, None, None],
        reader_id=["R01", "R01", None, None, "R02", "R02"],
    )
    tariffs = pd.concat(
        [
            tables["tariffs"],
            pd.DataFrame(
                {
                    "tariff_category": ["大工业", "大工业", "居民生活", "居民生活", "一般工商业"],
                    "usage_type": ["industrial"] * 2 + ["residential"] * 2 + ["commercial"],
                    "energy_rate": [0.95, 0.17, 0.588, 0.838, 0.79],
                    "basic_rate_kva_month": [30.0, 30.0, None, None, None],
                    "basic_rate_kw_month": [40.0, 40.0, None, None, None],
                    "valid_from": ["2020-01-01"] * 4 + ["2024-03-01"],
                    "valid_to": ["9999-12-31", "9999-12-31", None, None, "2024-03-31"],
                }
            ),
        ],
        ignore_index=True,
    ).assign(
        voltage_kv_min=[None, 1.0, None, 1.0, 1.0, None, None, None],
        voltage_kv_max=[None, 35.0, None, 35.0, 35.0, None, None, None],
        tou_period=[None, "flat", None, "peak", "valley", None, None, None],
        tier=[1, None, None, None, None, 2, 3, None],
        tier_from_kwh=[0.0, None, None, None, None, 2760.0, 4800.0, None],
        tier_to_kwh=[2760.0, None, None, None, None, 4800.0, None, None],
        fund_rate=[None, 0.02, None, 0.02, 0.02, None, None, None],
        market=[False, False, False, False, False, False, False, True],
    )
    work_orders = pd.concat(
        [
            tables["work_orders"].iloc[:1],
            pd.DataFrame(
                {
                    "order_id": ["W3"],
                    "customer_id": ["C001"],
                    "order_type": ["meter_replacement"],
                    "issued_at": ["2024-02-20"],
                    "effective_date": ["2024-03-01"],
                    "old_value": ["M1"],
                    "new_value": ["M9"],
                }
            ),
            tables["work_orders"].iloc[1:],
        ],
        ignore_index=True,
    ).assign(old_final_read=[None, 1400.0, None], new_first_read=[None, 0.0, None])
    line_columns = ["customer_id", "period", "line_type", "tou_period", "tier"]
    line_columns += ["quantity", "rate", "amount"]
    bill_lines = pd.DataFrame(
        [
            ("C001", "2024-01", "energy", None, 1, 210.0, 0.538, 112.98),
            ("C001", "2024-02", "energy", None, 1, 190.0, 0.538, 102.22),
            ("C002", "2024-01", "energy", "peak", None, 8000.0, 0.95, 7600.0),
            ("C002", "2024-01", "energy", "flat", None, 9000.0, 0.65, 5850.0),
            ("C002", "2024-01", "energy", "valley", None, 5000.0, 0.17, 850.0),
            ("C002", "2024-01", "basic", None, None, 630.0, 30.0, 18900.0),
            ("C002", "2024-01", "pf_adjustment", None, None, 33200.0, -0.0045, -149.40),
            ("C002", "2024-01", "fund", None, None, 22000.0, 0.02, 440.0),
            ("C002", "2024-02", "energy", "peak", None, 8000.0, 0.95, 7600.0),
            ("C002", "2024-02", "energy", "flat", None, 10000.0, 0.65, 6500.0),
            ("C002", "2024-02", "energy", "valley", None, 5000.0, 0.17, 850.0),
            ("C002", "2024-02", "basic", None, None, 630.0, 30.0, 18900.0),
            ("C002", "2024-02", "pf_adjustment", None, None, 33850.0, -0.003, -101.55),
            ("C002", "2024-02", "fund", None, None, 23000.0, 0.02, 460.0),
            ("C003", "2024-01", "energy", None, None, 0.0, 0.8, 0.0),
            ("C003", "2024-02", "energy", None, None, 120.0, 0.8, 96.0),
        ],
        columns=line_columns,
    )
    transformers = pd.DataFrame(
        {
            "customer_id": ["C002", "C002", "C002"],
            "transformer_id": ["T1", "T1", "T2"],
            "kva": [400.0, 400.0, 630.0],
            "no_load_loss_kw": [0.57, 0.57, 0.81],
            "load_loss_kw": [4.2, 4.2, 6.2],
            "status": ["running", "removed", "running"],
            "status_since": ["2018-07-15", "2023-07-01", "2023-07-01"],
        }
    )
    meter_events = pd.DataFrame(
        {
            "customer_id": ["C002", "C001", "C002"],
            "meter_id": ["M2", "M1", "M2"],
            "event_at": ["2024-01-15 08:30:00", "2024-02-03", "2024-02-10 23:59:59"],
            "event": ["voltage_loss", "cover_open", "clock_drift"],
            "cleared_at": ["2024-01-15 10:05", None, "2024-02-11 00:00:30"],
        }
    )
    meter_tests = pd.DataFrame(
        {
            "customer_id": ["C001", "C002", "C003"],
            "meter_id": ["M1", "M2", "M3"],
            "tested_at": ["2022-05-01", "2023-12-10", "2021-11-30"],
            "error_pct": [0.3, -0.5, 0.0],
        }
    )
    adjustments = pd.DataFrame(
        {
            "customer_id": ["C001", "C003"],
            "period": ["2024-02", "2024-01"],
            "adjusted_at": ["2024-03-05", "2024-02-10"],
            "kind": ["read_correction", "refund"],
            "amount": [3.2, -12.5],
            "approved_by": [None, "王五"],
            "operator_id": ["OP2", "OP7"],
        }
    )
    lookalikes = pd.DataFrame(
        {
            "customer_id": ["C001", "C003"],
            "kind": ["tiered_bill", "seasonal_business"],
            "from_period": ["2024-01", "2024-01"],
        }
    )
    network_supply = pd.DataFrame(
        {
            "level": ["area", "area", "feeder"],
            "unit_id": ["TQ01", "TQ01", "10kV东1线"],
            "period": ["2024-01", "2024-02", "2024-01"],
            "kwh_supplied": [230.0, 205.0, 23500.0],
        }
    )
    return tables | {
        "customers": customers,
        "bills": bills,
        "tariffs": tariffs,
        "work_orders": work_orders,
        "bill_lines": bill_lines,
        "transformers": transformers,
        "meter_events": meter_events,
        "meter_tests": meter_tests,
        "adjustments": adjustments,
        "lookalikes": lookalikes,
        "network_supply": network_supply,
        "truth": tables["truth"].assign(from_date=["2024-02-10"]),
    }

"""The itemized-billing tables and columns load like the others: every format, GBK with Chinese
headers through columns.yaml, partitioned Parquet, stable hashes, cell problems located."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sample_dataset import FORMATS, ITEMIZED_TABLES, itemized_tables, write_dataset

import auditkit.cli
from auditkit.cli import data as data_cli
from auditkit.data import TABLES, Dataset, DataValidationError, load
from auditkit.data.partitioned import convert

# A utility's own column names for the new tables and columns, as a GBK export has them.
CHINESE_NAMES = {
    "customers": {
        "customer_id": "户号",
        "metering_mode": "计量方式",
        "contract_demand_kw": "合同最大需量",
        "pf_standard": "力率考核标准",
        "tou": "执行分时",
        "tier_scheme": "阶梯类型",
        "industry": "行业分类",
        "area_id": "台区编号",
        "feeder_id": "线路编号",
        "supply_type": "供电类型",
        "supply_end_date": "临时用电到期日",
    },
    "bills": {
        "customer_id": "户号",
        "period": "抄表年月",
        "read_from": "抄表起日",
        "read_to": "抄表止日",
        "kvarh_import": "正向无功电量",
        "kvarh_export": "反向无功电量",
        "power_factor": "功率因数",
        "pf_adjustment": "力调电费",
        "loss_kwh": "变损电量",
        "fund_charge": "代征基金",
        "kwh_critical": "尖电量",
        "kwh_peak": "峰电量",
        "kwh_valley": "谷电量",
    },
    "tariffs": {
        "tariff_category": "电价类别",
        "voltage_kv_min": "电压下限",
        "voltage_kv_max": "电压上限",
        "tou_period": "时段",
        "tier": "阶梯档次",
        "tier_from_kwh": "阶梯起始电量",
        "tier_to_kwh": "阶梯终止电量",
        "fund_rate": "基金单价",
        "market": "市场化",
    },
    "work_orders": {"old_final_read": "旧表止码", "new_first_read": "新表起码"},
    "bill_lines": {
        "customer_id": "户号",
        "period": "抄表年月",
        "line_type": "电费项目",
        "tou_period": "时段",
        "tier": "阶梯档次",
        "quantity": "计费电量",
        "rate": "电价",
        "amount": "电费",
    },
    "transformers": {
        "customer_id": "户号",
        "transformer_id": "变压器编号",
        "kva": "容量",
        "no_load_loss_kw": "空载损耗",
        "load_loss_kw": "负载损耗",
        "status": "运行状态",
        "status_since": "状态日期",
    },
    "meter_events": {
        "customer_id": "户号",
        "meter_id": "电能表编号",
        "event_at": "发生时间",
        "event": "事件类型",
        "cleared_at": "恢复时间",
    },
    "meter_tests": {
        "customer_id": "户号",
        "meter_id": "电能表编号",
        "tested_at": "检定日期",
        "error_pct": "误差",
    },
    "adjustments": {
        "customer_id": "户号",
        "period": "电费年月",
        "adjusted_at": "退补日期",
        "kind": "退补类型",
        "amount": "退补金额",
        "approved_by": "审批人",
        "operator_id": "操作员",
    },
    "lookalikes": {"customer_id": "户号", "kind": "类型", "from_period": "起始年月"},
}


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    return itemized_tables()


@pytest.fixture
def reference(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> Dataset:
    """The itemized sample loaded from UTF-8 CSV."""
    return load(write_dataset(tables, tmp_path / "reference"))


def assert_same_dataset(other: Dataset, reference: Dataset) -> None:
    assert set(other.tables()) == set(reference.tables())
    for name, frame in reference.tables().items():
        pd.testing.assert_frame_equal(other.tables()[name], frame, check_exact=True)
    assert other.hashes == reference.hashes


def test_every_table_and_column_of_the_contract_loads_with_its_dtype(reference: Dataset) -> None:
    assert set(reference.tables()) == set(TABLES) - {"interval_reads"}  # test_interval_reads.py
    for name, frame in reference.tables().items():
        assert list(frame.columns) == list(TABLES[name].column_names), name
    events = reference.meter_events
    assert events["event_at"].dtype == "datetime64[us]"
    assert events["event_at"].tolist() == [
        pd.Timestamp("2024-01-15 08:30:00"),
        pd.Timestamp("2024-02-03 00:00:00"),  # a date alone is midnight
        pd.Timestamp("2024-02-10 23:59:59"),
    ]
    assert events["cleared_at"].iloc[0] == pd.Timestamp("2024-01-15 10:05")
    assert pd.isna(events["cleared_at"].iloc[1])
    assert reference.bill_lines["tier"].dtype == "Int64"
    assert reference.bill_lines["tier"].iloc[:3].tolist() == [1, 1, pd.NA]
    assert reference.customers["tou"].tolist() == [False, True, False]
    assert reference.tariffs["market"].tolist() == [False] * 7 + [True]
    assert reference.transformers["status_since"].dtype == "datetime64[us]"
    assert reference.adjustments["amount"].tolist() == [3.2, -12.5]
    assert reference.lookalikes["kind"].tolist() == ["tiered_bill", "seasonal_business"]
    assert reference.problems == ()


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "csv-utf8"])
def test_every_format_gives_the_same_itemized_dataset(
    tmp_path: Path, tables: dict[str, pd.DataFrame], reference: Dataset, fmt: str
) -> None:
    assert_same_dataset(load(write_dataset(tables, tmp_path / fmt, fmt)), reference)


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_real_datetimes_from_excel_and_parquet_load_identically(
    tmp_path: Path, reference: Dataset, fmt: str
) -> None:
    """Typed frames saved by pandas: Excel date-time cells, Parquet timestamps and booleans."""
    folder = write_dataset(reference.tables(), tmp_path / "typed", fmt)
    if fmt == "parquet":
        stored = pq.read_schema(folder / "meter_events.parquet").field("event_at").type
        assert pa.types.is_timestamp(stored)

    assert_same_dataset(load(folder), reference)


def test_gbk_csv_with_chinese_headers_through_columns_yaml(
    tmp_path: Path, tables: dict[str, pd.DataFrame], reference: Dataset
) -> None:
    folder = tmp_path / "gbk"
    folder.mkdir()
    mapping_lines = []
    for name, frame in tables.items():
        names = CHINESE_NAMES.get(name, {})
        if name == "customers":  # a Chinese export writes booleans as 是/否
            frame = frame.assign(tou=frame["tou"].map({True: "是", False: "否"}))
        frame.rename(columns=names).to_csv(folder / f"{name}.csv", index=False, encoding="gbk")
        if names:
            mapping_lines.append(f"{name}:")
            mapping_lines.extend(f"  {source}: {target}" for target, source in names.items())
    (folder / "columns.yaml").write_text("\n".join(mapping_lines) + "\n", encoding="gbk")

    dataset = load(folder)

    assert dataset.sources["bill_lines"].encoding == "GBK/GB18030"
    assert_same_dataset(dataset, reference)


def test_partitioned_parquet_round_trip(tmp_path: Path, reference: Dataset) -> None:
    converted = convert(reference, tmp_path / "partitioned")

    assert_same_dataset(load(tmp_path / "partitioned"), reference)
    for name in ITEMIZED_TABLES:
        # Supply per transformer area or feeder is small and read whole, like the tariffs.
        layout = "file" if name == "network_supply" else "partitioned"
        assert converted.table_info[name]["layout"] == layout
    events = converted.read("meter_events", check_cells=False)  # as stored, not typed again
    pd.testing.assert_frame_equal(events, reference.meter_events, check_exact=True)
    customers = converted.read("customers", columns=["customer_id", "tou"], check_cells=False)
    assert customers["tou"].tolist() == [False, True, False]
    west = converted.for_district("城西")
    assert west.bill_lines["customer_id"].unique().tolist() == ["C003"]
    assert west.meter_events.empty


def test_partitioned_warnings_point_at_the_part_file(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    tables["bill_lines"].loc[15, "amount"] = 95.0  # C003 2024-02, in 城西
    convert(write_dataset(tables, tmp_path / "csv"), tmp_path / "partitioned")

    (warning,) = load(tmp_path / "partitioned").problems

    assert (warning.file, warning.row, warning.column) == (
        "bills/district=城西/part-0000.parquet",
        2,
        "amount",
    )
    assert (
        warning.found
        == "96.0 yuan, while its 1 bill lines add up to 95.0 yuan (lines − bill = -1.00)"
    )


def test_hashes_cover_date_times_to_the_second(
    tmp_path: Path, tables: dict[str, pd.DataFrame], reference: Dataset
) -> None:
    tables["meter_events"].loc[0, "event_at"] = "2024-01-15 08:30:01"

    changed = load(write_dataset(tables, tmp_path / "changed")).hashes

    assert changed["meter_events"] != reference.hashes["meter_events"]
    assert {name: digest for name, digest in changed.items() if name != "meter_events"} == {
        name: digest for name, digest in reference.hashes.items() if name != "meter_events"
    }
    assert len(changed["meter_events"]) == 64


@pytest.mark.parametrize(
    ("table", "position", "column", "value", "problem"),
    [
        (
            "bill_lines",
            0,
            "line_type",
            "energyy",
            "bill_lines.csv row 2, column line_type: expected one of energy, basic, "
            "pf_adjustment, loss, fund, found 'energyy'",
        ),
        (
            "bill_lines",
            1,
            "tier",
            0,
            "bill_lines.csv row 3, column tier: expected a whole number ≥ 1, found 0",
        ),
        (
            "meter_events",
            2,
            "event_at",
            "2024-13-01 25:00",
            "meter_events.csv row 4, column event_at: expected a date-time YYYY-MM-DD "
            "HH:MM[:SS] (a date alone is midnight), found '2024-13-01 25:00'",
        ),
        (
            "meter_events",
            0,
            "cleared_at",
            "2024-02-30 10:00",
            "meter_events.csv row 2, column cleared_at: expected a date-time YYYY-MM-DD "
            "HH:MM[:SS] (a date alone is midnight), found '2024-02-30 10:00'",
        ),
        (
            "transformers",
            1,
            "status",
            "stopped",
            "transformers.csv row 3, column status: expected one of running, hot_standby, "
            "cold_standby, sealed, removed, found 'stopped'",
        ),
        (
            "adjustments",
            0,
            "period",
            "2024-3",
            "adjustments.csv row 2, column period: expected a month YYYY-MM (01-12), "
            "found '2024-3'",
        ),
        (
            "lookalikes",
            1,
            "kind",
            "seasonal",
            "lookalikes.csv row 3, column kind: expected one of "
            "seasonal_business, residential_vacancy, multiplier_change_with_order, "
            "mid_month_price_change, mid_month_connection, tou_bill, tiered_bill, "
            "late_legal_posting, shared_meter_exception, industry_downturn, "
            "meter_replacement_joined, suspension_across_years, closure_final_bill, "
            "same_building_accounts, temporary_supply_extended, meter_event_inspected, "
            "busy_refund_operator, ev_charging_tariff, found 'seasonal'",
        ),
        (
            "customers",
            0,
            "tou",
            "maybe",
            "customers.csv row 2, column tou: expected true/false (also yes/no, y/n, 1/0, 是/否), "
            "found 'maybe'",
        ),
    ],
)
def test_a_bad_cell_is_one_problem_naming_file_row_column(
    tmp_path: Path,
    tables: dict[str, pd.DataFrame],
    table: str,
    position: int,
    column: str,
    value: object,
    problem: str,
) -> None:
    frame = tables[table]
    frame[column] = frame[column].astype(object)
    frame.loc[position, column] = value

    with pytest.raises(DataValidationError) as caught:
        load(write_dataset(tables, tmp_path / "bad"))

    assert [str(found) for found in caught.value.problems] == [problem]


def test_a_bad_date_time_in_parquet_names_the_record(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    tables["meter_events"].loc[1, "event_at"] = "2024-02-03 24:00"

    with pytest.raises(DataValidationError) as caught:
        load(write_dataset(tables, tmp_path / "bad", "parquet"))

    assert [str(problem) for problem in caught.value.problems] == [
        "meter_events.parquet row 2, column event_at: expected a date-time YYYY-MM-DD HH:MM[:SS] "
        "(a date alone is midnight), found '2024-02-03 24:00'"
    ]


def test_for_district_restricts_every_customer_keyed_table(reference: Dataset) -> None:
    east, west = reference.for_district("城东"), reference.for_district("城西")

    assert set(east.bill_lines["customer_id"]) == {"C001", "C002"}
    assert len(east.bill_lines) + len(west.bill_lines) == len(reference.bill_lines) == 16
    assert east.transformers["transformer_id"].tolist() == ["T1", "T1", "T2"]
    assert west.transformers.empty
    assert east.meter_events["customer_id"].tolist() == ["C002", "C001", "C002"]
    assert west.meter_tests["meter_id"].tolist() == ["M3"]
    assert east.adjustments["kind"].tolist() == ["read_correction"]
    assert west.adjustments["amount"].tolist() == [-12.5]
    assert east.lookalikes["kind"].tolist() == ["tiered_bill"]
    assert west.lookalikes["kind"].tolist() == ["seasonal_business"]
    assert east.work_orders["order_id"].tolist() == ["W1", "W3"]
    pd.testing.assert_frame_equal(west.tariffs, reference.tariffs)


def test_a_dataset_without_the_new_tables_has_none_for_them(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    legacy = {name: frame for name, frame in tables.items() if name not in ITEMIZED_TABLES}

    dataset = load(write_dataset(legacy, tmp_path / "legacy"))

    assert all(getattr(dataset, name) is None for name in ITEMIZED_TABLES)
    assert dataset.problems == ()


def test_validate_lists_the_itemized_warnings(
    tmp_path: Path,
    tables: dict[str, pd.DataFrame],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    modules = tuple(auditkit.cli._COMMAND_MODULES)
    if data_cli not in modules:
        monkeypatch.setattr(auditkit.cli, "_COMMAND_MODULES", (*modules, data_cli))
    tables["bill_lines"].loc[2, "quantity"] = 8100.0
    tables["transformers"].loc[2, "kva"] = 800.0

    status = auditkit.cli.main(["validate", str(write_dataset(tables, tmp_path / "warned"))])

    assert status == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if " read from " not in line] == [
        "warning: bills.csv row 4, column kwh_billed: expected kwh_billed = the sum of the "
        "quantities of the bill's energy lines with a tou_period within 0.01 kWh a line, found "
        "22000.0 kWh, while its 3 time-of-use energy lines add up to 22100.0 kWh "
        "(lines − bill = 100.0 kWh)",
        "warning: customers.csv row 3, column contract_capacity_kva: expected "
        "contract_capacity_kva = the kVA of the customer's running and hot_standby transformers, "
        "or of all its transformers not removed (a suspension seals some), within 0.01 kVA, found "
        "630.0 kVA, while its transformers in force add up to 800.0 kVA (1 running or hot "
        "standby) and those not removed to 800.0 kVA",
        "0 errors, 2 warnings (bills: 0 errors, 1 warning; customers: 0 errors, 1 warning)",
    ]

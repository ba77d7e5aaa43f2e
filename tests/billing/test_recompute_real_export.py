"""A small itemized export as a billing system writes it — GBK CSV, Chinese headers mapped by a
columns.yaml — loaded with auditkit.data.load and recomputed to the fen (figures by hand)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from auditkit.billing import recompute
from auditkit.data import load

MAPPING = {
    "customers": {
        "户号": "customer_id",
        "供电单位": "district",
        "用电类别": "usage_type",
        "电价代码": "tariff_category",
        "电压等级": "voltage_kv",
        "用户状态": "status",
        "立户日期": "connection_date",
        "合同容量": "contract_capacity_kva",
        "基本电费计费方式": "basic_charge_basis",
        "电能表资产号": "meter_id",
        "CT变比": "ct_ratio",
        "PT变比": "pt_ratio",
        "计量方式": "metering_mode",
        "力率考核标准": "pf_standard",
        "是否分时": "tou",
        "阶梯类型": "tier_scheme",
    },
    "bills": {
        "户号": "customer_id",
        "抄表年月": "period",
        "起码": "register_start",
        "止码": "register_end",
        "综合倍率": "multiplier_billed",
        "结算电量": "kwh_billed",
        "执行电价": "tariff_billed",
        "电度电价": "energy_rate",
        "电度电费": "energy_charge",
        "计费容量": "capacity_billed_kva",
        "基本电费": "basic_charge",
        "应收电费": "amount",
        "抄表类型": "read_type",
        "无功正向": "kvarh_import",
        "无功反向": "kvarh_export",
        "力调电费": "pf_adjustment",
        "代征基金": "fund_charge",
        "峰电量": "kwh_peak",
        "谷电量": "kwh_valley",
    },
    "bill_lines": {
        "户号": "customer_id",
        "抄表年月": "period",
        "电费项目": "line_type",
        "时段": "tou_period",
        "阶梯档次": "tier",
        "电量": "quantity",
        "单价": "rate",
        "金额": "amount",
    },
    "tariffs": {
        "电价代码": "tariff_category",
        "用电类别": "usage_type",
        "电度电价": "energy_rate",
        "容量电价": "basic_rate_kva_month",
        "执行日期": "valid_from",
        "时段": "tou_period",
        "阶梯档次": "tier",
        "阶梯起点": "tier_from_kwh",
        "阶梯终点": "tier_to_kwh",
        "基金单价": "fund_rate",
    },
}

# GS-TOU (commercial, time-of-use): peak 1.00, flat 0.60 (with the basic charge 20 yuan per
# kVA-month and funds 0.02 yuan/kWh), valley 0.30. JM (residential tiers on the year's kWh):
# 0-2160 at 0.50, 2160-4800 at 0.55, above at 0.80.
TARIFFS = [
    ["GS-TOU", "commercial", 1.00, None, "2020-01-01", "peak", None, None, None, None],
    ["GS-TOU", "commercial", 0.60, 20.0, "2020-01-01", "flat", None, None, None, 0.02],
    ["GS-TOU", "commercial", 0.30, None, "2020-01-01", "valley", None, None, None, None],
    ["JM", "residential", 0.50, None, "2020-01-01", None, 1, 0, 2160, None],
    ["JM", "residential", 0.55, None, "2020-01-01", None, 2, 2160, 4800, None],
    ["JM", "residential", 0.80, None, "2020-01-01", None, 3, 4800, None, None],
]
CUSTOMERS = [
    # 1001: commercial, time-of-use (是), 315 kVA by capacity, power-factor standard 0.90.
    ["1001", "城东供电所", "commercial", "GS-TOU", 10.0, "active", "2020-01-01", 315.0,
     "capacity", "M1001", 1, 1, "high_high", 0.90, "是", "none"],
    # 1002: a single residential household (一户一表) on tiers, not time-of-use (否).
    ["1002", "城东供电所", "residential", "JM", 0.22, "active", "2019-05-01", 8.0,
     "none", "M1002", 1, 1, "low_low", None, "否", "single"],
]  # fmt: skip
BILLS = [
    # 1001 2024-03: 10 000 kWh, registers peak 4000 and valley 3000 (flat the 3000 left), import
    # 4000 kvarh. Billed: peak at the flat rate 0.60 (2400.00), flat 1800.00, valley 900.00
    # = 5100.00; basic 6300.00; PF 0.93 → −0.45 % of 11 400.00 = −51.30; funds 200.00.
    ["1001", "2024-03", 0, 10000, 1, 10000, "GS-TOU", 0.51, 5100.00, 315.0, 6300.00, 11548.70,
     "actual", 4000, 0, -51.30, 200.00, 4000, 3000],
    # 1002: 2000 kWh in January (tier 1), 500 in February billed all in tier 1.
    ["1002", "2024-01", 5000, 7000, 1, 2000, "JM", 0.50, 1000.00, None, None, 1000.00,
     "actual", None, None, None, None, None, None],
    ["1002", "2024-02", 7000, 7500, 1, 500, "JM", 0.50, 250.00, None, None, 250.00,
     "actual", None, None, None, None, None, None],
]  # fmt: skip
LINES = [
    ["1001", "2024-03", "energy", "peak", None, 4000, 0.60, 2400.00],
    ["1001", "2024-03", "energy", "flat", None, 3000, 0.60, 1800.00],
    ["1001", "2024-03", "energy", "valley", None, 3000, 0.30, 900.00],
    ["1001", "2024-03", "basic", None, None, 315, 20.0, 6300.00],
    ["1001", "2024-03", "pf_adjustment", None, None, 11400.00, -0.0045, -51.30],
    ["1001", "2024-03", "fund", None, None, 10000, 0.02, 200.00],
    ["1002", "2024-01", "energy", None, 1, 2000, 0.50, 1000.00],
    ["1002", "2024-02", "energy", None, 1, 500, 0.50, 250.00],
]

# customer, period, line_type, tou_period, tier, quantity billed, quantity due, amount billed,
# amount due, difference.
EXPECTED = [
    # Peak due at 1.00: 4000.00, 1600.00 under-billed; flat and valley right.
    ["1001", "2024-03", "energy", "peak", None, 4000, 4000, 2400.00, 4000.00, 1600.00],
    ["1001", "2024-03", "energy", "flat", None, 3000, 3000, 1800.00, 1800.00, 0.00],
    ["1001", "2024-03", "energy", "valley", None, 3000, 3000, 900.00, 900.00, 0.00],
    # 315 kVA × 20 = 6300.00.
    ["1001", "2024-03", "basic", None, None, 315, 315, 6300.00, 6300.00, 0.00],
    # PF 10 000/√(10 000² + 4000²) = 0.9285 → 0.93 → −0.45 % of the base due 4000.00 + 1800.00
    # + 900.00 + 6300.00 = 13 000.00 → −58.50 (billed −51.30 on a base of 11 400.00).
    ["1001", "2024-03", "pf_adjustment", None, None, 11400.00, 13000.00, -51.30, -58.50, -7.20],
    # 10 000 kWh × 0.02 = 200.00.
    ["1001", "2024-03", "fund", None, None, 10000, 10000, 200.00, 200.00, 0.00],
    ["1002", "2024-01", "energy", None, 1, 2000, 2000, 1000.00, 1000.00, 0.00],
    # February: 2000 kWh before, so 160 kWh fill tier 1 (80.00) and 340 kWh fall in tier 2
    # × 0.55 = 187.00; billed 500 kWh in tier 1 at 250.00.
    ["1002", "2024-02", "energy", None, 1, 500, 160, 250.00, 80.00, -170.00],
    ["1002", "2024-02", "energy", None, 2, 0, 340, 0.00, 187.00, 187.00],
]


def _write(folder: Path, name: str, rows: list[list], mapping: dict[str, str]) -> None:
    frame = pd.DataFrame(rows, columns=list(mapping))
    frame.to_csv(folder / f"{name}.csv", index=False, encoding="gbk")


def _export(folder: Path) -> Path:
    folder.mkdir()
    for name, rows in (
        ("customers", CUSTOMERS),
        ("bills", BILLS),
        ("bill_lines", LINES),
        ("tariffs", TARIFFS),
    ):
        _write(folder, name, rows, MAPPING[name])
    lines = []
    for table, columns in MAPPING.items():
        lines.append(f"{table}:")
        lines += [f"  {source}: {target}" for source, target in columns.items()]
    (folder / "columns.yaml").write_text("\n".join(lines) + "\n", encoding="gbk")
    return folder


def test_a_gbk_export_with_chinese_headers_is_recomputed_to_the_fen(tmp_path):
    folder = _export(tmp_path / "export")
    assert "户号" in (folder / "bill_lines.csv").read_bytes().decode("gbk")
    dataset = load(folder)
    assert {"line_type", "tou_period", "tier"} <= set(dataset.bill_lines.columns)

    result = recompute(dataset)

    assert result.attrs["notes"] == []
    shown = result[
        [
            "customer_id",
            "period",
            "line_type",
            "tou_period",
            "tier",
            "quantity_billed",
            "quantity_due",
            "amount_billed",
            "amount_due",
            "difference",
        ]
    ].astype(object)
    rows = shown.where(shown.notna(), None).values.tolist()
    assert rows == EXPECTED
    rates = result["rate_due"].tolist()
    assert rates[3:6] == [20.0, rates[4], 0.02] and round(rates[4], 12) == -0.0045
    assert rates[-2:] == [0.50, 0.55]

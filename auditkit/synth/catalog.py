"""Fixed reference data of the synthetic utility: districts, tariffs, segments, equipment sizes."""

from __future__ import annotations

import numpy as np

DISTRICT_NAMES = (
    "城东",
    "城西",
    "城南",
    "城北",
    "高新",
    "江北",
    "江南",
    "开发区",
    "临港",
    "东湖",
    "西山",
    "南湖",
)

USAGE_TYPES = ("residential", "commercial", "industrial", "agricultural", "public")

# Tariff schedule: code, Chinese name, usage type, energy rate (yuan/kWh) before / after the price
# change, basic rate per kVA-month and per kW-month (two-part tariffs only), fund rate (yuan/kWh of
# government funds and surcharges, 0 where the price includes them). Business prices rise at the
# change, as they did when coal prices were passed on (发改价格〔2021〕1439号).
TARIFFS = (
    ("RES", "居民生活用电", "residential", 0.5283, 0.5483, None, None, 0.0),
    ("COM", "一般工商业(商业)", "commercial", 0.6450, 0.6640, None, None, 0.0262),
    ("COM2", "一般工商业两部制", "commercial", 0.5920, 0.6020, 23.3, 37.0, 0.0262),
    ("IND", "一般工商业(工业)", "industrial", 0.6380, 0.6520, None, None, 0.0262),
    ("IND2", "大工业用电", "industrial", 0.5890, 0.5980, 26.4, 40.0, 0.0262),
    ("AGR", "农业生产用电", "agricultural", 0.4880, 0.4980, None, None, 0.0),
    ("PUB", "公共服务用电", "public", 0.5890, 0.5990, None, None, 0.0262),
)
TARIFF_CODES = tuple(row[0] for row in TARIFFS)
TWO_PART_CODES = ("COM2", "IND2")
#: Categories billed by time-of-use periods and, from the market start, at monthly agency prices.
TOU_CODES = ("COM", "COM2", "IND", "IND2")
MARKET_CODES = TOU_CODES
#: Period rates as ratios to the flat rate (发改价格〔2021〕1093号: peak/valley ≥ 3, critical ≥ peak × 1.2).
TOU_RATIOS = {"critical": 1.8, "peak": 1.5, "flat": 1.0, "valley": 0.45}
#: Calendar months with a critical-peak period (summer and winter peaks), January = 1.
CRITICAL_MONTHS = (1, 7, 8, 12)
#: Residential tiers (发改价格〔2011〕2617号): tier, from kWh, to kWh (None = open) per tier year,
#: yuan/kWh added to the tier-1 rate.
TIER_BANDS = ((1, 0.0, 2160.0, 0.0), (2, 2160.0, 4800.0, 0.05), (3, 4800.0, None, 0.30))
#: Shared-meter (合表) residential price: the tier-1 rate plus this, one rate for all kWh.
SHARED_METER_PREMIUM = 0.02
#: Voltage bands of the large-industry tariff (kV from, kV to, yuan/kWh added to the rate).
VOLTAGE_BANDS = {"IND2": ((1.0, 10.0, 0.0), (35.0, 110.0, -0.015))}
#: Categories whose price changes again on the 16th, some months after the main change.
MID_MONTH_CODES = ("AGR", "PUB")
MID_MONTH_DAY = 16
MID_MONTH_STEP = 0.012  # yuan/kWh added at that change
#: Monthly agency price: the schedule's rate × (1 + amplitude × seasonal wave + noise).
MARKET_AMPLITUDE = 0.05
MARKET_NOISE = 0.015

#: Industry classification (行业分类, GB/T 4754 门类 names) per usage type, with weights.
INDUSTRIES = {
    "residential": (("居民",), (1.0,)),
    "commercial": (
        ("批发和零售业", "住宿和餐饮业", "租赁和商务服务业", "信息传输、软件和信息技术服务业"),
        (0.45, 0.3, 0.15, 0.1),
    ),
    "industrial": (("制造业", "建筑业", "采矿业"), (0.85, 0.1, 0.05)),
    "agricultural": (("农业",), (1.0,)),
    "public": (
        ("公共管理、社会保障和社会组织", "卫生和社会工作", "水利、环境和公共设施管理业"),
        (0.4, 0.3, 0.3),
    ),
}
#: Customers allowed the residential shared-meter price though not households (DOMAIN.md).
SHARED_METER_INDUSTRIES = ("教育", "养老服务")

#: Nameplate losses of S11 10 kV distribution transformers (GB/T 6451): kVA, P0 kW, Pk kW.
S11_LOSSES = (
    (30, 0.10, 0.63),
    (50, 0.13, 0.91),
    (63, 0.15, 1.09),
    (80, 0.18, 1.31),
    (100, 0.20, 1.58),
    (125, 0.24, 1.89),
    (160, 0.28, 2.31),
    (200, 0.34, 2.73),
    (250, 0.40, 3.20),
    (315, 0.48, 3.83),
    (400, 0.57, 4.52),
    (500, 0.68, 5.41),
    (630, 0.81, 6.20),
    (800, 0.98, 7.50),
    (1000, 1.15, 10.30),
    (1250, 1.36, 12.00),
    (1600, 1.64, 14.50),
    (2000, 1.94, 18.30),
    (2500, 2.29, 21.20),
)
#: Largest transformer of a customer metered on its low-voltage side (高供低计).
HIGH_LOW_MAX_KVA = 630.0

#: Meter test cycles (months) by metering-point class, DL/T 448-2016: I, II, III.
TEST_CYCLE_MONTHS = {"I": 6, "II": 12, "III": 24}
#: Largest honest error (%) of a periodic test: well inside the class 1.0 tolerance of ±1 %.
TEST_ERROR_SD = 0.2
TEST_ERROR_MAX = 0.8

# Standard CT primary currents (A) with a 5 A secondary; ratio = primary / 5.
CT_PRIMARIES = np.array(
    [
        10,
        15,
        20,
        30,
        40,
        50,
        75,
        100,
        150,
        200,
        250,
        300,
        400,
        500,
        600,
        750,
        800,
        1000,
        1200,
        1500,
        2000,
        2500,
        3000,
        4000,
    ]
)
STANDARD_CT_RATIOS = tuple(float(p) / 5 for p in CT_PRIMARIES)
TRANSFORMER_SIZES_KVA = np.array([315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500])
TWO_PART_THRESHOLD_KVA = 315.0
PT_RATIO_10KV = 100.0  # 10000 V / 100 V
PT_RATIO_35KV = 350.0  # 35000 V / 100 V

# Monthly seasonal profile per usage type (January first): summer and winter peaks.
SEASONAL_PROFILES = {
    "residential": (1.25, 1.15, 0.95, 0.85, 0.85, 1.00, 1.35, 1.40, 1.05, 0.85, 0.90, 1.15),
    "commercial": (1.05, 0.90, 0.95, 0.95, 1.00, 1.10, 1.25, 1.25, 1.05, 0.95, 0.95, 1.05),
    "industrial": (0.95, 0.85, 1.00, 1.02, 1.03, 1.05, 1.07, 1.07, 1.03, 1.00, 0.98, 0.98),
    "agricultural": (0.55, 0.55, 0.80, 1.10, 1.30, 1.45, 1.55, 1.40, 1.05, 0.85, 0.65, 0.55),
    "public": (1.15, 1.05, 0.95, 0.90, 0.90, 1.00, 1.10, 1.10, 1.00, 0.90, 0.95, 1.10),
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN_NAME_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏辉建国海燕红梅晨宇浩然"
STREETS = (
    "人民路",
    "解放路",
    "建设路",
    "中山路",
    "和平街",
    "新华路",
    "滨江路",
    "工业大道",
    "文化路",
    "长江路",
)

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

# Tariff schedule: code, Chinese name, usage type, energy rate before / after the price change,
# basic rate per kVA-month, per kW-month (two-part tariffs only).
TARIFFS = (
    ("RES", "居民生活用电", "residential", 0.5283, 0.5483, None, None),
    ("COM", "一般工商业(商业)", "commercial", 0.6640, 0.6450, None, None),
    ("COM2", "一般工商业两部制", "commercial", 0.6020, 0.5920, 23.3, 37.0),
    ("IND", "一般工商业(工业)", "industrial", 0.6520, 0.6380, None, None),
    ("IND2", "大工业用电", "industrial", 0.5980, 0.5890, 26.4, 40.0),
    ("AGR", "农业生产用电", "agricultural", 0.4880, 0.4980, None, None),
    ("PUB", "公共服务用电", "public", 0.5890, 0.5990, None, None),
)
TARIFF_CODES = tuple(row[0] for row in TARIFFS)
TWO_PART_CODES = ("COM2", "IND2")

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

"""Evidence in the report's language: every rule's clauses read the same facts in Chinese and
English, every clause names exactly the arguments its templates show, and the catalogue has both
languages for every code."""

from __future__ import annotations

import json
import re
import string

import pandas as pd
import pytest
from rule_builder import COMMERCIAL, PERIODS, TWO_PART, Utility, flat, halved_multiplier_year

from auditkit import i18n, rules, synth
from auditkit.data import Dataset
from auditkit.errors import ParameterError
from auditkit.rules.evidence import KINDS, clause, placeholders, render

# Three English words in a row: an English sentence, not a code (IND2, WO0001) or a unit (kV).
ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,;:()]+[A-Za-z]{2,}[ ,;:()]+[A-Za-z]{2,}")
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def evidence(utility: Utility, rule_id: str, **kwargs: object) -> dict[str, tuple[str, str]]:
    """Per customer: the finding's evidence in English and in Chinese."""
    findings = rules.run(utility.dataset(), rules=[rule_id], **kwargs)
    assert rules.evidence_text(findings, "en").tolist() == findings["evidence"].tolist()
    zh = rules.evidence_text(findings, "zh")
    return {
        cid: (en, chinese)
        for cid, en, chinese in zip(findings["customer_id"], findings["evidence"], zh, strict=True)
    }


def test_multiplier_mismatch_in_both_languages():
    u = Utility()
    u.customer("demand", contract_capacity_kva=630.0, basic_charge_basis="demand", **TWO_PART)
    common = {"tariff": "IND2", "capacity": 630.0, "basis": "demand"}
    u.monthly(
        "demand", flat(100_000, 6), multiplier=1000.0, demand=400.0, periods=PERIODS[:6], **common
    )
    u.monthly(
        "demand",
        flat(50_000, 6),
        multiplier=500.0,
        demand=200.0,
        periods=PERIODS[6:],
        start_register=1600.0,
        **common,
    )
    u.customer("over", ct_ratio=20.0, **COMMERCIAL)
    u.monthly("over", flat(100, 2), multiplier=40.0, tariff="COM", periods=PERIODS[:2])
    u.monthly("over", flat(100, 1), multiplier=60.0, tariff="COM", periods=PERIODS[2:3])
    found = evidence(u, "multiplier_mismatch")
    assert found["demand"] == (
        "6 bills 2024-07..2024-12 used multiplier 500.00 where the archive has CT 10.00 × PT 100.00 "
        "= 1,000.00: 300,000 kWh not billed, demand charge short by ¥48,000.00 (¥228,000.00)",
        "2024-07 至 2024-12 共 6 期账单按倍率 500.00 计费，而档案倍率为 CT 10.00 × PT 100.00 = 1,000.00："
        "少计电量 300,000 千瓦时，按需量计收的基本电费少计 48,000.00 元（涉及电费 228,000.00 元）",
    )
    assert found["over"] == (
        "3 bills 2024-01..2024-03 used multipliers 40.00 to 60.00 where the archive has CT 20.00 × "
        "PT 1.00 = 20.00: 167 kWh billed too much; over-billed ¥133.33 (to refund, not counted as "
        "revenue)",  # 100 × (1 − 20 / 40) × 2 + 100 × (1 − 20 / 60) = 166.67 kWh × 0.80
        "2024-01 至 2024-03 共 3 期账单按倍率 40.00 至 60.00 计费，而档案倍率为 CT 20.00 × PT 1.00 = 20.00："
        "多计电量 167 千瓦时；多计 133.33 元（应退补，不计入涉及电费）",
    )


def test_register_mismatch_in_both_languages():
    u = Utility()
    u.customer("A", **COMMERCIAL)
    bills = u.monthly("A", flat(100), tariff="COM")
    bills[2]["kwh_billed"] = 60.0  # March: registers say 100
    for bill in bills[4:]:  # from May the start register is 10 units past April's end
        bill["register_start"] += 10
        bill["register_end"] += 10
    assert evidence(u, "register_mismatch")["A"] == (
        "2024-03..2024-05: 1 bill charged 40 kWh less than the registers show; 1 start register ≠ "
        "the previous bill's end with no meter replacement (2024-05 starts at 1,410.00 after "
        "1,400.00 at the end of 2024-04; 10 kWh skipped) (¥40.00)",
        "2024-03 至 2024-05：1 期账单计费电量比示数少 40 千瓦时；1 期账单的起码与上期止码不接续，且无换表工单"
        "（2024-05：起码 1,410.00，上期 2024-04 止码 1,400.00；跳过电量 10 千瓦时）（涉及电费 40.00 元）",
    )


def test_register_running_backwards_names_the_first_of_several_bills():
    backwards = clause(
        "register.backwards", bills=2, first=True, at=2024 * 12 + 1, start=99_950, end=99_900
    )
    assert render([backwards], "en") == (
        "2 bills with the register running backwards (first 2024-02: 99,950.00 → 99,900.00)"
    )
    assert render([backwards], "zh") == "2 期账单示数倒走（首次为 2024-02：99,950.00 → 99,900.00）"


def test_a_negative_amount_puts_its_sign_before_the_yuan_mark():
    """English evidence wrote '¥-127.60'; the sign leads in both languages, as in the tables."""
    sign = clause("pf_adjustment_error.sign", bills=1, last=True, at=2024 * 12, billed=-127.6,
                  due=127.6)  # fmt: skip
    assert render([sign], "en") == (
        "1 bill with the adjustment of the wrong sign (last 2024-01: -¥127.60 billed, ¥127.60 due)"
    )
    assert render([sign], "zh") == (
        "1 期账单力调电费奖罚方向错误（最近一期为 2024-01：计收 -127.60 元，应为 127.60 元）"
    )
    almost = clause("pf_adjustment_error.sign", bills=1, last=True, at=2024 * 12, billed=-0.001,
                    due=0.0)  # fmt: skip
    assert "(last 2024-01: ¥0.00 billed, ¥0.00 due)" in render([almost], "en")


def test_meter_test_overdue_in_both_languages():
    u = Utility()
    months = [f"2024-{m:02d}" for m in range(1, 9)]
    u.customer("leap_day", meter_test_date=pd.Timestamp("2024-02-29"), meter_test_cycle_months=6)
    u.customer("never", meter_test_cycle_months=12)
    for cid in ("leap_day", "never"):
        u.monthly(cid, flat(100, 8), periods=months)
    found = evidence(u, "meter_test_overdue")
    assert found["leap_day"] == (
        "last test 2024-02-29, cycle 6 months, due 2024-08-29: 2 days past due at the end of 2024-08",
        "上次检验 2024-02-29，检验周期 6 个月，应于 2024-08-29 检验：截至 2024-08 月末已超期 2 天",
    )
    assert found["never"] == (
        "no meter test date recorded for a meter with a 12-month test cycle",
        "档案无检验日期（检验周期 12 个月）",
    )


def test_capacity_underbilled_in_both_languages():
    u = Utility()
    u.customer("A", contract_capacity_kva=630.0, basic_charge_basis="capacity", **TWO_PART)
    bills = u.monthly(
        "A",
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        basis="capacity",
        capacity=[630.0] * 9 + [None] * 3,
    )
    bills[9]["basic_charge"] = 630 * 30.0
    bills[10]["basic_charge"] = 400 * 30.0
    bills[11]["basic_charge"] = 0.0  # recorded as nothing (neither recorded: not judged)
    assert evidence(u, "capacity_underbilled")["A"] == (
        "2 bills 2024-11..2024-12 charged the basic charge on less than the capacity in force, "
        "the days of any suspension counted (in 2024-12: 0 kVA billed, 630 kVA in force) (¥25,800.00)",
        "2024-11 至 2024-12 共 2 期账单按小于运行容量（已按天计入暂停）的容量计收基本电费（2024-12：计费容量 0 千伏安，"
        "运行容量 630 千伏安）（涉及电费 25,800.00 元）",
    )


def test_demand_over_capacity_in_both_languages():
    u = Utility()
    # A 200/5 CT (40) on a 400 kVA, 10 kV supply: rated 23.1 A, the CT fits far more.
    u.customer(
        "A",
        contract_capacity_kva=400.0,
        basic_charge_basis="capacity",
        **(TWO_PART | {"ct_ratio": 40.0}),
    )
    u.monthly(
        "A",
        flat(100_000),
        multiplier=4000.0,
        tariff="IND2",
        capacity=400.0,
        demand=[300.0] * 6 + [450.0] * 2 + [500.0] * 4,
        basis="capacity",
    )
    assert evidence(u, "demand_over_capacity")["A"] == (
        "maximum demand above the registered 400 kVA in 6 months 2024-07..2024-12, peak 500 kW; "
        "CT primary 200 A is sized for far more than the rated 23.1 A (basic charge lower bound "
        "¥15,000.00)",
        "最大需量超过登记容量 400 千伏安：2024-07 至 2024-12 共 6 个月，峰值 500 千瓦；电流互感器一次电流 200 A，"
        "远大于按容量计算的额定电流 23.1 A（少收基本电费至少 15,000.00 元）",
    )


def test_reduction_without_drop_in_both_languages():
    u = Utility()
    u.customer("A", contract_capacity_kva=500.0, basic_charge_basis="capacity", **TWO_PART)
    u.monthly(
        "A",
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        demand=700.0,
        basis="capacity",
        capacity=[1000.0] * 2 + [500.0] * 3 + [250.0] * 7,
    )
    u.order("A", "capacity_reduction", "2024-03-01", 1000, 500)
    u.order("A", "suspension", "2024-06-01", 500, 250)
    # The suspension is never resumed: from 2 December (1 June + 184 days) its 250 kVA are
    # suspension_overrun's (250 × 30 × 30/30 = 7,500.00), the rest of 202,500.00 an estimate.
    assert evidence(u, "reduction_without_drop")["A"] == (
        "capacity reduction 1,000→500 kVA from 2024-03, yet maximum demand reached 700 kW, above "
        "the 500 kVA left; 1 more such order (¥195,000.00 basic charge escaped); ¥7,500.00 more, "
        "due as the suspension was too short or over its yearly limit, is counted under "
        "suspension_overrun",
        "2024-03 起减容 1,000→500 千伏安，但最大需量达 700 千瓦，超过剩余容量 500 千伏安；"
        "另有 1 张同类工单（少收基本电费 195,000.00 元）；另有 7,500.00 元系暂停不足最短期限或超过年度期限应收，"
        "计入“暂停超期”规则",
    )


def test_suspension_load_above_the_capacity_left_in_both_languages():
    found = [
        clause(
            "reduction_without_drop.suspension",
            old=630,
            remaining=315,
            start=2024 * 12 + 5,
            reasons=[clause("load_above_remaining", load=1.198, remaining=315, pf=0.9)],
        ),
        clause("basic_charge_escaped", amount=28_350),
    ]
    assert render(found, "en") == (
        "suspension 630→315 kVA from 2024-06, yet average load reached 120% of what the 315 kVA "
        "left can carry (at power factor 0.90) (¥28,350.00 basic charge escaped)"
    )
    assert render(found, "zh") == (
        "2024-06 起暂停 630→315 千伏安，但平均负荷达剩余容量 315 千伏安（功率因数按 0.90 计）所能承载的 120%"
        "（少收基本电费 28,350.00 元）"
    )


def test_suspension_overrun_in_both_languages():
    u = Utility()
    u.customer(
        "A",
        contract_capacity_kva=630.0,
        status="suspended",
        basic_charge_basis="capacity",
        **TWO_PART,
    )
    u.monthly(
        "A",
        flat(40_000),
        multiplier=1000.0,
        tariff="IND2",
        demand=200.0,
        basis="capacity",
        capacity=[630.0] + [315.0] * 11,
    )
    u.order("A", "suspension", "2024-02-01", 630, 315)
    u.order("A", "suspension", "2024-04-01", 630, 315)
    u.order("A", "resumption", "2024-12-01", 315, 630, issued="2024-09-20")
    # The two suspensions overlap: one period, its days counted once. Due again from 3 August:
    # August by the day, (2 × 315 + 29 × 630) / 30 = 630 kVA, whole, to November: 4 × 9,450.00.
    assert evidence(u, "suspension_overrun", as_of="2024-11")["A"] == (
        "suspension from 2024-02-01 not resumed by 2024-11: 304 days suspended in 2024, over the "
        "yearly limit of 6 months (184 days); the basic charge on the full capacity was due "
        "again from 2024-08-03 (¥37,800.00)",
        "2024-02-01 起暂停，截至 2024-11 未恢复：2024 年累计暂停已达 304 天，超过 6 个月（184 天）的年度期限；"
        "自 2024-08-03 起应恢复按全部容量计收基本电费（涉及电费 37,800.00 元）",
    )


def test_suspensions_resumed_or_too_short_in_both_languages():
    resumed = clause(
        "suspension.too_long",
        start=pd.Timestamp("2024-07-01"),
        year=2024,
        days=244,
        limit=184,
        months=6,
        due_from=pd.Timestamp("2024-09-02"),
        ended=clause("suspension.resumed", at=pd.Timestamp("2024-11-01")),
    )
    assert render([resumed], "en") == (
        "suspension from 2024-07-01 resumed 2024-11-01: 244 days suspended in 2024, over the "
        "yearly limit of 6 months (184 days); the basic charge on the full capacity was due "
        "again from 2024-09-02"
    )
    assert render([resumed], "zh") == (
        "2024-07-01 起暂停，2024-11-01 恢复：2024 年累计暂停已达 244 天，超过 6 个月（184 天）的年度期限；"
        "自 2024-09-02 起应恢复按全部容量计收基本电费"
    )
    short = clause(
        "suspension.too_short",
        start=pd.Timestamp("2024-03-01"),
        end=pd.Timestamp("2024-03-08"),
        days=7,
        minimum=15,
    )
    assert (
        render([short], "en")
        == "suspension 2024-03-01..2024-03-08 lasted 7 days, under the 15-day minimum"
    )
    assert render([short], "zh") == "暂停 2024-03-01 至 2024-03-08 仅 7 天，不足 15 天的最短期限"


def test_order_stalled_in_both_languages():
    u = Utility()
    for cid in ("late", "missing"):
        u.customer(cid)
        u.monthly(cid, flat(100))
    u.order("late", "meter_replacement", "2024-03-20", issued="2024-03-01", steps=(9, 1, 1))
    u.order("late", "meter_replacement", "2024-11-20", issued="2024-11-01", steps=(7, 1, 1))
    u.order(
        "missing",
        "tariff_change",
        "2024-11-20",
        "RES",
        "RES",
        issued="2024-11-01",
        steps=(1, None, None),
    )
    # Registration measured from Saturday 2 Nov to the extract on Tuesday 31 Dec: 42 working days.
    found = evidence(u, "order_stalled", params={"order_stalled.extract_date": "2024-12-31"})
    assert found["late"] == (
        "order WO0001 (meter_replacement) issued 2024-03-01: transferred late 2 working days "
        "over the limit; 1 more stalled order",
        "工单 WO0001（换表）于 2024-03-01 发起：传递超过时限 2 个工作日；另有 1 张工单流转超时",
    )
    assert found["missing"] == (
        "order WO0003 (tariff_change) issued 2024-11-01: registered missing 37 working days "
        "over the limit",
        "工单 WO0003（改类）于 2024-11-01 发起：登记未完成，已超过时限 37 个工作日",
    )


def test_order_not_applied_in_both_languages():
    u = Utility()
    u.customer("capacity", contract_capacity_kva=400.0, basic_charge_basis="capacity", **TWO_PART)
    u.monthly(
        "capacity",
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=400.0,
        demand=300.0,
        basis="capacity",
    )
    u.order("capacity", "capacity_increase", "2024-03-01", 400, 630)
    u.order("capacity", "capacity_reduction", "2024-09-01", 630, 400)
    u.customer("tariff", **COMMERCIAL)
    u.monthly("tariff", flat(100), tariff="RES")
    u.order("tariff", "tariff_change", "2024-03-01", "RES", "COM")
    u.order("tariff", "tariff_change", "2024-07-01", "RES", "COM")
    found = evidence(u, "order_not_applied")
    assert found["capacity"] == (
        "order WO0001 (capacity_increase 400→630 kVA) took effect in 2024-03, yet 6 bills "
        "2024-03..2024-08 still use 400 kVA (¥0.00); the basic charge short on 6 bills is "
        "counted under capacity_underbilled, on the capacity in force",
        "工单 WO0001（增容 400→630 千伏安）已于 2024-03 生效，但 2024-03 至 2024-08 共 6 期账单仍按 400 千伏安计费"
        "（涉及电费 0.00 元）；另有 6 期账单少收的基本电费计入“基本电费计费容量小于档案容量”规则，按在用容量计算",
    )
    assert found["tariff"] == (
        "order WO0003 (tariff_change RES→COM) took effect in 2024-03, yet 4 bills 2024-03..2024-06 "
        "still use RES; 1 more order not applied (¥240.00)",
        "工单 WO0003（改类 RES→COM）已于 2024-03 生效，但 2024-03 至 2024-06 共 4 期账单仍按 RES 计费；"
        "另有 1 张工单未执行（涉及电费 240.00 元）",
    )


def test_change_without_order_in_both_languages():
    """A's archive moved with its billing (CT 5 × PT 100 = 500, 315 kVA): the changes' money is
    this rule's. Kept's archive still has the multiplier and capacity due (1,000, 630 kVA):
    multiplier_mismatch and capacity_underbilled prove that money, and the evidence says so."""
    u = Utility()
    for cid, archive in (("A", {"ct_ratio": 5.0}), ("kept", {})):
        capacity_archived = 315.0 if archive else 630.0
        u.customer(
            cid,
            contract_capacity_kva=capacity_archived,
            basic_charge_basis="capacity",
            **(TWO_PART | archive),
        )
        halved_multiplier_year(u, cid, "capacity")
    u.customer("B", **COMMERCIAL)
    u.monthly("B", flat(100), tariff=["COM"] * 2 + ["RES"] * 2 + ["COM"] * 2 + ["RES"] * 6)
    found = evidence(u, "change_without_order")
    assert found["A"] == (
        "billing changed with no work order within ±1 months: capacity 630→315 kVA in 2024-07; "
        "multiplier 1,000.00→500.00 in 2024-04 (¥326,700.00 under-billed since)",
        "计费参数变更，但 ±1 个月内无相应工单：2024-07 计费容量 630→315 千伏安；2024-04 计费倍率 1,000.00→500.00"
        "（此后少收电费 326,700.00 元）",
    )
    assert found["kept"] == (
        "billing changed with no work order within ±1 months: capacity 630→315 kVA in 2024-07; "
        "multiplier 1,000.00→500.00 in 2024-04 (¥0.00 under-billed since; the kWh left out of 9 "
        "bills are counted under multiplier_mismatch, the archive having the multiplier due; the "
        "basic charge short on 6 bills is counted under capacity_underbilled, on the capacity in "
        "force)",
        "计费参数变更，但 ±1 个月内无相应工单：2024-07 计费容量 630→315 千伏安；2024-04 计费倍率 1,000.00→500.00"
        "（此后少收电费 0.00 元；另有 9 期账单少计的电量计入“计费倍率与应执行倍率不符”规则，档案倍率即应执行的倍率；"
        "6 期账单少收的基本电费计入“基本电费计费容量小于档案容量”规则，按在用容量计算）",
    )
    assert found["B"] == (
        "billing changed with no work order within ±1 months: tariff COM→RES in 2024-03 and 2 "
        "more changes (¥180.00 under-billed since)",
        "计费参数变更，但 ±1 个月内无相应工单：2024-03 电价类别 COM→RES（另有 2 次变更）（此后少收电费 180.00 元）",
    )


def test_consumption_drop_monthly_and_daily_in_both_languages():
    monthly = clause(
        "consumption_drop.monthly",
        ratio=0.3512,
        change=2024 * 12 + 6,
        steps=6,
        score=4.236,
        peer=7.04,
        revenue=1234.567,
    )
    assert render([monthly], "en") == (
        "consumption fell to 35% of its seasonal level from 2024-07 and stayed down for 6 months "
        "(suspicion score 4.2; 7.0 robust SD beyond peers of the same usage type and district); "
        "¥1,234.57 estimated unbilled"
    )
    assert render([monthly], "zh") == (
        "用电量自 2024-07 起降至季节性水平的 35%，已持续 6 个月（疑似度评分 4.2；较同用电类别、同供电单位用户偏离 "
        "7.0 个稳健标准差）；估计少收电费 1,234.57 元"
    )
    daily = clause(
        "consumption_drop.daily",
        ratio=0.35,
        change="2024-11-13",
        steps=200,
        score=9.1,
        peer=3.0,
        revenue=88.0,
    )
    assert render([daily], "en") == (
        "daily smart-meter consumption fell to 35% of its usual level from 2024-11-13 and stayed "
        "down for 200 days (suspicion score 9.1; 3.0 robust SD beyond peers of the same usage type "
        "and district); ¥88.00 estimated unbilled"
    )
    assert render([daily], "zh") == (
        "智能电表日用电量自 2024-11-13 起降至通常水平的 35%，已持续 200 天（疑似度评分 9.1；较同用电类别、同供电单位"
        "用户偏离 3.0 个稳健标准差）；估计少收电费 88.00 元"
    )


def test_tariff_mismatch_in_both_languages():
    u = Utility()
    u.customer("big", usage_type="industrial", tariff_category="COM", contract_capacity_kva=400.0)
    u.monthly("big", flat(1000), tariff="COM")
    u.customer("public", usage_type="public", tariff_category="COM")
    u.monthly("public", flat(100), tariff="COM")
    found = evidence(u, "tariff_mismatch")
    assert found["big"] == (
        "industrial customer archived on tariff COM (for commercial); should be IND2; capacity 400 "
        "kVA is at or above the two-part threshold; the data's 12 bills 2024-01..2024-12 "
        "under-billed ¥141,600.00 (¥35,400.00 recoverable for 2024-10..2024-12, the start being "
        "unknown)",
        "工业用户档案电价类别为 COM（适用于商业），应为 IND2；容量 400 千伏安已达两部制电价执行标准；"
        "数据期内 12 期账单（2024-01 至 2024-12）少收 141,600.00 元（起始时间不明，按 2024-10 至 "
        "2024-12 可追补 35,400.00 元）",
    )
    assert found["public"] == (
        "public customer archived on tariff COM (for commercial); the schedule offers its usage "
        "no tariff at its voltage: not priced",
        "公用用户档案电价类别为 COM（适用于商业）；电价表在其电压等级没有适用于该用电类别的电价，未计算少收电费",
    )


def test_a_tariff_the_schedule_does_not_list_is_named_as_such():
    found = [clause("tariff_mismatch.unlisted", usage="residential", tariff="XYZ")]
    assert render(found, "en") == (
        "residential customer archived on tariff XYZ, which the schedule does not list"
    )
    assert render(found, "zh") == "居民用户档案电价类别为 XYZ，电价表中无此类别"


def test_rate_mismatch_in_both_languages():
    u = Utility()
    u.customer("wrong")
    u.monthly("wrong", flat(100), rate=[None] * 6 + [0.55] * 6)
    u.customer("unlisted")
    u.monthly("unlisted", flat(100), tariff=["RES"] * 6 + ["XYZ"] * 6, rate=[None] * 6 + [0.3] * 6)
    found = evidence(u, "rate_mismatch")
    assert found["wrong"] == (
        "2024-07..2024-12: 6 bills charged another rate than the schedule (last 2024-12: 0.5500 "
        "yuan/kWh where the schedule says 0.6000) (¥30.00)",
        "2024-07 至 2024-12：6 期账单执行电价与电价表不符（最近一期为 2024-12：执行 0.5500 元/千瓦时，电价表为 0.6000）"
        "（涉及电费 30.00 元）",
    )
    assert found["unlisted"] == (
        "2024-07..2024-12: 6 bills on tariff XYZ, which the schedule does not list (first 2024-07: "
        "0.3000 yuan/kWh; archive tariff RES: 0.6000) (¥180.00)",
        "2024-07 至 2024-12：6 期账单按电价表未列的电价类别 XYZ 计费（首次为 2024-07：0.3000 元/千瓦时；"
        "档案电价类别 RES：0.6000）（涉及电费 180.00 元）",
    )


def test_zero_consumption_in_both_languages():
    u = Utility()
    u.customer("usual", **COMMERCIAL)
    u.monthly("usual", [100.0] * 4 + [0.0] * 4 + [100.0] * 4, tariff="COM")
    assert evidence(u, "zero_consumption")["usual"] == (
        "0 kWh in 4 consecutive months 2024-05..2024-08 on an active account; it used 100 kWh a "
        "month in the 12 months before (¥320.00 estimated); use came back in 2024-09 with no "
        "meter replaced",
        "在用用户 2024-05 至 2024-08 连续 4 个月电量为零；此前 12 个月月均用电 100 千瓦时（估计少收电费 320.00 元）"
        "；2024-09 起恢复用电，其间未换表",
    )
    u = Utility()
    u.customer("new", **COMMERCIAL)
    u.monthly("new", [0.0] * 4 + [100.0] * 8, tariff="COM")
    assert evidence(u, "zero_consumption")["new"] == (
        "0 kWh in 4 consecutive months 2024-01..2024-04 on an active account; no earlier bills to "
        "estimate the missing energy from; use came back in 2024-05 with no meter replaced",
        "在用用户 2024-01 至 2024-04 连续 4 个月电量为零；无更早的账单可据以估算少计电量；2024-05 起恢复用电，其间未换表",
    )


def test_estimated_streak_in_both_languages():
    u = Utility()
    u.customer("A")
    u.monthly("A", flat(100), estimated=[4, 5, 6])
    assert evidence(u, "estimated_streak")["A"] == (
        "3 estimated reads in a row 2024-05..2024-07: the meter was not read",
        "2024-05 至 2024-07 连续 3 次估抄，未实际抄表",
    )


def test_archive_defect_in_both_languages():
    u = Utility()
    u.customer("odd", ct_ratio=32.5, meter_id="M-1", connection_date=pd.Timestamp("2024-03-15"))
    u.monthly("odd", flat(100))
    u.customer(
        "pt",
        pt_ratio=100.0,
        basic_charge_basis="capacity",
        contract_capacity_kva=None,
        meter_id="M-1",
    )
    u.monthly("pt", flat(100))
    found = evidence(u, "archive_defect")
    assert found["odd"] == (
        "non-standard CT ratio 32.50 (162.5 A primary on a 5 A secondary); meter M-1 also on "
        "another open account; first bill 2024-01 before connection 2024-03-15",
        "电流互感器变比 32.50 非标准（二次 5 A，一次 162.5 A）；电能表 M-1 同时挂接在另一在用户号上；"
        "首期账单 2024-01 早于接电日期 2024-03-15",
    )
    assert found["pt"] == (
        "PT ratio 100 on 0.4 kV; contract capacity missing for a capacity-basis customer; meter "
        "M-1 also on another open account",
        "0.4 kV 低压用户电压互感器变比为 100；按容量计收基本电费的用户缺少合同容量；电能表 M-1 同时挂接在另一在用户号上",
    )


def test_every_template_has_both_languages_with_the_same_arguments():
    evidence_keys = i18n.keys("evidence.")
    assert evidence_keys
    for key in evidence_keys:
        code = key.removeprefix("evidence.")
        zh, en = placeholders(code, "zh"), placeholders(code, "en")
        assert zh == en, code  # the same arguments, shown the same way
        assert set(en.values()) <= KINDS, code
        for _, _, spec, _ in string.Formatter().parse(i18n.text(key, "en")):
            kind, _, option = (spec or "").partition(":")
            if kind in ("count", "noun"):
                assert i18n.has(f"noun.{option}") and i18n.has(f"noun.{option}.plural"), key
            if kind == "word":
                assert i18n.has(f"word.{option}"), key
    assert all(text for key in i18n.WORDS for text in (i18n.text(key, "zh"), i18n.text(key, "en")))


def _clauses(items: list[dict]) -> list[dict]:
    """Every clause of a finding's evidence, nested ones included."""
    found = []
    for item in items:
        found.append(item)
        for value in item.values():
            if isinstance(value, dict):
                found.extend(_clauses([value]))
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                found.extend(_clauses(value))
    return found


@pytest.fixture(scope="module")
def synthetic_findings() -> pd.DataFrame:
    notes: list[str] = []
    dataset = Dataset.from_frames(synth.generate(customers=3000, districts=3, seed=5))
    findings = rules.run(dataset, notes=notes)
    findings.attrs["skipped"] = {note.split(" skipped")[0] for note in notes}
    return findings


def test_every_clause_names_exactly_the_arguments_of_its_templates(synthetic_findings):
    assert (
        set(synthetic_findings["rule_id"]) == set(rules.RULES) - synthetic_findings.attrs["skipped"]
    )
    codes = set()
    for code in synthetic_findings["evidence_code"]:
        for item in _clauses(json.loads(code)):
            named = set(item) - {"code"}
            codes.add(item["code"])
            assert named == set(placeholders(item["code"], "en")), item
            assert named == set(placeholders(item["code"], "zh")), item
    assert len(codes) >= 30  # most templates occur in a synthetic utility


def test_chinese_evidence_has_no_english_sentence_and_english_no_chinese(synthetic_findings):
    zh = rules.evidence_text(synthetic_findings, "zh")
    en = rules.evidence_text(synthetic_findings, "en")
    assert en.tolist() == synthetic_findings["evidence"].tolist()
    assert not [text for text in zh if ENGLISH.search(text)]
    assert zh.map(lambda text: bool(CHINESE.search(text))).all()
    assert not [text for text in en if CHINESE.search(text)]


def test_rule_titles_and_checks_follow_the_language():
    catalog = rules.catalog()
    assert not [text for text in catalog["checks_zh"] if ENGLISH.search(text)]
    assert not [text for text in catalog["title_zh"] if ENGLISH.search(text)]
    assert not [text for text in catalog[["title_en", "checks_en"]].stack() if CHINESE.search(text)]
    assert [rules.area_name(area, "zh") for area in rules.AREAS] == [
        "计量装置",
        "业扩报装",
        "变更用电",
        "常态稽查",
    ]
    assert rules.area_name("metering", "en") == "metering devices"


def test_a_rule_without_wording_cannot_be_registered():
    with pytest.raises(ValueError, match=r"rule.unworded_rule.title, rule.unworded_rule.checks"):
        rules.registry.rule("unworded_rule", area="routine", needs=(), revenue_kind="proved")


def test_evidence_text_names_what_it_needs():
    with pytest.raises(ParameterError, match="evidence_code"):
        rules.evidence_text(pd.DataFrame({"evidence": ["x"]}), "zh")
    with pytest.raises(ParameterError, match="'zh' or 'en'"):
        rules.evidence_text(pd.DataFrame({"evidence_code": ["[]"]}), "fr")


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        ("pct", 0.975, f"{0.975:.0%}"),  # 97.5 in binary floating point: as Python rounds it
        ("pct", 0.125, f"{0.125:.0%}"),
        ("num0", 2.5, f"{2.5:,.0f}"),
        ("num2", 1.005, f"{1.005:,.2f}"),
        ("money", 0.125, "¥0.12"),
    ],
)
def test_clauses_keep_numbers_as_they_are_shown(kind, value, shown):
    code = {
        "pct": "consumption_drop.year_before",
        "num0": "kwh.not_billed",
        "num2": "multiplier.one",
        "money": "revenue",
    }[kind]
    name = next(iter(placeholders(code, "en")))
    assert shown in render([clause(code, **{name: value})], "en")


def test_chinese_evidence_templates_neither_double_a_counted_noun_nor_space_before_words():
    doubled, spaced = [], []
    for key in i18n.keys("evidence."):
        template = i18n.text(key, "zh")
        for found in re.finditer(r"\{\w+:count:(\w+)\}", template):
            noun = i18n.text(f"noun.{found.group(1)}", "zh")[-2:]  # 告警 of 次告警
            if noun in template[max(0, found.start() - 8) : found.start()]:
                doubled.append(key)
        if re.search(r"\{\w+:money\} [\u4e00-\u9fff]", template):
            spaced.append(key)  # "42.13 元 估算"
    assert doubled == [] and spaced == []

"""Wording (Chinese, English) of rule sources: see `auditkit.i18n`.

`rule.<id>.source` says where each rule of the original library comes from: the supply rules
(供电营业规则, 1996 with the article where it is certain, and the 2024 rules, 国家发展改革委令第14号,
in force 2024-06-01), the metering code DL/T 448-2016, the State Grid marketing rules, the pricing
documents of the National Development and Reform Commission, and audit practice (营销稽查).
The practice checks of issue 15 word their sources in their own modules.
"""

WORDS: dict[str, tuple[str, str]] = {
    # the rule catalogue's column of sources (district report appendix)
    "report.district.source": ("规则来源", "Where it comes from"),
    "rule.multiplier_mismatch.source": (
        "《供电营业规则》（1996）第八十一条：计算电量的倍率与实际不符的，以实际倍率为基准按正确与错误倍率的差值"
        "退补电量，退补时间以抄表记录为准；《电能计量装置技术管理规程》（DL/T 448-2016）",
        "Rules of Electricity Supply Business (1996), art. 81: a multiplier other than the real one is "
        "corrected to the real one, the energy back-billed from the date the reading record "
        "shows; metering code DL/T 448-2016",
    ),
    "rule.register_mismatch.source": (
        "《供电营业规则》（1996）第八十一条（接线错误、倍率不符等计量差错的退补）；国家电网公司电费抄核收管理规则"
        "（抄表数据复核：示数接续、电量与示数相符）",
        "Rules of Electricity Supply Business (1996), art. 81 (back-billing of metering errors); State "
        "Grid rules on meter reading, billing and collection (reads checked to join "
        "and to match the energy billed)",
    ),
    "rule.meter_test_overdue.source": (
        "《电能计量装置技术管理规程》（DL/T 448-2016）：电能计量装置按类别定期现场检验和周期检定（轮换）",
        "Technical code for electric energy metering devices DL/T 448-2016: periodic on-site tests and "
        "verification of metering devices by class",
    ),
    "rule.capacity_underbilled.source": (
        "《国家发展改革委办公厅关于完善两部制电价用户基本电价执行方式的通知》（发改办价格〔2016〕1583号）；"
        "《供电营业规则》（2024）",
        "NDRC notice on the basic charge of two-part tariff customers (NDRC General Office, Fa Gai Ban Jia Ge [2016] No. 1583); "
        "Rules of Electricity Supply Business (2024, NDRC Order No. 14)",
    ),
    "rule.demand_over_capacity.source": (
        "《供电营业规则》（1996）第一百条第二项：私自超过合同约定的容量用电（私增容量）；营销稽查实践（大换小）",
        "Rules of Electricity Supply Business (1996), art. 100 item 2: use beyond the contract capacity "
        "(private capacity increase); marketing audit practice (a large transformer swapped "
        "for a small one)",
    ),
    "rule.reduction_without_drop.source": (
        "《供电营业规则》（1996）第二十三条（减容）、第二十四条（暂停），第一百条第四项：擅自使用已办理暂停手续的"
        "电力设备或启用封存的电力设备",
        "Rules of Electricity Supply Business (1996), art. 23 (capacity reduction) and 24 (suspension), "
        "art. 100 item 4: use of suspended or sealed equipment",
    ),
    "rule.suspension_overrun.source": (
        "《供电营业规则》（1996）第二十四条：每一日历年内暂停两次，每次不少于十五天，一年累计不超过六个月；"
        "《供电营业规则》（2024）",
        "Rules of Electricity Supply Business (1996), art. 24: suspensions at least 15 days each, at most "
        "six months in a calendar year; Rules of Electricity Supply Business (2024, NDRC Order No. 14)",
    ),
    "rule.order_stalled.source": (
        "国家电网公司业扩报装管理规则（各环节办理时限）；营销稽查实践（工单流程时限稽查）",
        "State Grid rules on business expansion (time limit of each step); "
        "marketing audit practice (work order time limits)",
    ),
    "rule.order_not_applied.source": (
        "《供电营业规则》（1996）第二十二条：变更用电须办理手续并变更供用电合同；国家电网公司电费抄核收管理规则"
        "（变更信息及时传递至计费）",
        "Rules of Electricity Supply Business (1996), art. 22: a change of use is applied for and changes "
        "the supply contract; State Grid rules on meter reading, billing and collection "
        "(changes passed on to billing in time)",
    ),
    "rule.change_without_order.source": (
        "《供电营业规则》（1996）第二十二条：变更用电须事先申请、办理手续；营销稽查实践（计费参数变更须有工单依据）",
        "Rules of Electricity Supply Business (1996), art. 22: a change of use is applied for first; "
        "marketing audit practice (every change of billing terms rests on a work order)",
    ),
    "rule.consumption_drop.source": (
        "《供电营业规则》（1996）第一百零一条至第一百零三条（窃电行为、窃电的处理、窃电量的确定）；"
        "营销稽查实践（用电异常分析）",
        "Rules of Electricity Supply Business (1996), art. 101-103 (theft, its handling, the energy "
        "stolen); marketing audit practice (consumption anomaly analysis)",
    ),
    "rule.tariff_mismatch.source": (
        "《供电营业规则》（1996）第一百条第一项：擅自改变用电类别，按实际使用日期补交差额电费，使用起讫日期难以确定的"
        "按三个月计算；省级价格主管部门的销售电价表（执行范围）",
        "Rules of Electricity Supply Business (1996), art. 100 item 1: a tariff misuse pays the price "
        "difference, three months when its start cannot be told; the provincial price "
        "schedule (who each tariff is for)",
    ),
    "rule.billed_tariff_mismatch.source": (
        "国家电网公司电费抄核收管理规则（电价执行核查：计费参数与用户档案一致）；营销稽查实践（计费电价与档案不符）",
        "State Grid rules on meter reading, billing and collection (tariffs applied as the "
        "customer archive holds them); marketing audit practice (tariff billed against the "
        "archive)",
    ),
    "rule.rate_mismatch.source": (
        "省级价格主管部门公布的销售电价表及电网企业代理购电价格；国家电网公司电费抄核收管理规则（电价执行核查）",
        "The provincial price schedule and the grid's agency purchase prices; State "
        "Grid rules on meter reading, billing and collection (rates checked against the "
        "schedule)",
    ),
    "rule.zero_consumption.source": (
        "营销稽查实践（零电量、低电量用户核查）；国家电网公司电费抄核收管理规则（异常电量复核）",
        "Marketing audit practice (accounts at zero or low consumption); State Grid rules on "
        "meter reading, billing and collection (abnormal consumption reviewed)",
    ),
    "rule.estimated_streak.source": (
        "国家电网公司电费抄核收管理规则（按抄表例日抄表，估抄须复核并在下次抄表时结清）；《供电营业规则》（1996）",
        "State Grid rules on meter reading, billing and collection (reads on the scheduled "
        "day; an estimate is reviewed and settled at the next read); Rules of Electricity Supply Business (1996)",
    ),
    "rule.archive_defect.source": (
        "营销稽查实践（客户档案完整性与正确性核查）；《电能计量装置技术管理规程》（DL/T 448-2016）（互感器配置）",
        "Marketing audit practice (the customer archive complete and right); metering code "
        "DL/T 448-2016 (instrument transformers)",
    ),
    "rule.tou_misapplied.source": (
        "《国家发展改革委关于进一步完善分时电价机制的通知》（发改价格〔2021〕1093号）；省级分时电价政策",
        "NDRC notice on the time-of-use pricing mechanism (Fa Gai Jia Ge [2021] No. 1093); the "
        "province's time-of-use periods and ratios",
    ),
    "rule.tier_misapplied.source": (
        "《国家发展改革委关于居民生活用电试行阶梯电价的指导意见》（发改价格〔2011〕2617号）；省级阶梯电价方案",
        "NDRC guidance on residential tiered pricing (Fa Gai Jia Ge [2011] No. 2617); the province's tier "
        "bands",
    ),
    "rule.basic_charge_error.source": (
        "《国家发展改革委办公厅关于完善两部制电价用户基本电价执行方式的通知》（发改办价格〔2016〕1583号）："
        "按需量计费的核定值下限与超过合同需量 105% 部分加倍，计费方式按季变更",
        "NDRC notice on the basic charge of two-part tariff customers (NDRC General Office, Fa Gai Ban Jia Ge [2016] No. 1583): "
        "the demand floor, the excess over 105% of the contract demand charged double, the "
        "basis changed by the quarter",
    ),
    "rule.pf_adjustment_error.source": (
        "《功率因数调整电费办法》（水电财字〔1983〕215号）：考核标准 0.90、0.85、0.80 及调整电费表",
        "Power-factor adjustment rules (Shui Dian Cai Zi [1983] No. 215): the 0.90, "
        "0.85 and 0.80 standards and the table of adjustments",
    ),
    "rule.pf_standard_mismatch.source": (
        "《功率因数调整电费办法》（水电财字〔1983〕215号）第二条：功率因数标准 0.90、0.85、0.80 的适用范围",
        "Power-factor adjustment rules (Shui Dian Cai Zi [1983] No. 215), art. 2: who is held "
        "to the 0.90, 0.85 and 0.80 standards",
    ),
    "rule.loss_not_charged.source": (
        "《供电营业规则》（1996）第七十四条：计量装置不在产权分界处时，线路与变压器损耗电量由产权所有者负担；"
        "《电力网电能损耗计算导则》（DL/T 686）",
        "Rules of Electricity Supply Business (1996), art. 74: metering away from the ownership boundary, "
        "the owner bears the line and transformer losses; grid energy loss calculation guide "
        "DL/T 686",
    ),
    "rule.fund_charge_error.source": (
        "国家规定随电价征收的政府性基金及附加（财政部、国家发展改革委文件）；国家电网公司电费抄核收管理规则",
        "Government funds and surcharges levied with the electricity price (Ministry of "
        "Finance and NDRC documents); State Grid rules on meter reading, billing and collection",
    ),
}  # fmt: skip

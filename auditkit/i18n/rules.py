"""Wording of the rule library: areas and data codes, rule titles and checks, evidence templates.

`evidence.` holds the templates rule evidence is rendered with (see `auditkit.rules.evidence`),
`noun.` the counted nouns and `word.` / `mark.` the words and marks those templates use.
"""

from __future__ import annotations

_AREAS = {
    "area.metering": ("计量装置", "metering devices"),
    "area.capacity": ("业扩报装", "business expansion and capacity"),
    "area.change_of_use": ("变更用电", "change of use"),
    "area.routine": ("常态稽查", "routine tariff and archive checks"),
}

_CODES = {
    "usage.residential": ("居民", "residential"),
    "usage.commercial": ("商业", "commercial"),
    "usage.industrial": ("工业", "industrial"),
    "usage.agricultural": ("农业", "agricultural"),
    "usage.public": ("公用", "public"),
    "severity.high": ("高", "high"),
    "severity.medium": ("中", "medium"),
    "severity.low": ("低", "low"),
    # work order types (业扩报装、变更用电); English keeps the billing system's codes
    "order.new_connection": ("新装", "new_connection"),
    "order.capacity_increase": ("增容", "capacity_increase"),
    "order.capacity_reduction": ("减容", "capacity_reduction"),
    "order.suspension": ("暂停", "suspension"),
    "order.resumption": ("暂停恢复", "resumption"),
    "order.tariff_change": ("改类", "tariff_change"),
    "order.meter_replacement": ("换表", "meter_replacement"),
    "order.closure": ("销户", "closure"),
    "order.ownership_transfer": ("过户", "ownership_transfer"),
    "order.basis_change": ("基本电费计费方式变更", "basis_change"),
    "order.demand_change": ("需量值变更", "demand_change"),
    "order.voltage_change": ("改压", "voltage_change"),
    "order.temporary_supply": ("临时用电", "temporary_supply"),
    "order.meter_removal": ("拆表", "meter_removal"),
    "order.meter_move": ("移表", "meter_move"),
    # work order steps after issue
    "step.transferred": ("传递", "transferred"),
    "step.registered": ("登记", "registered"),
    "step.archived": ("归档", "archived"),
    # time-of-use periods (峰谷分时)
    "tou.critical": ("尖峰", "critical"),
    "tou.peak": ("高峰", "peak"),
    "tou.flat": ("平段", "flat"),
    "tou.valley": ("低谷", "valley"),
}

_RULES = {
    "rule.multiplier_mismatch.title": (
        "计费倍率与应执行倍率不符",
        "Billed multiplier differs from the multiplier due",
    ),
    "rule.multiplier_mismatch.checks": (
        "计费倍率 ≠ 应收倍率：档案中电流互感器变比 × 电压互感器变比（ct_ratio × pt_ratio），换表前为换表工单的原倍率"
        "（工单未记原倍率时按换表前后账单的倍率）；涉及电费自第一期倍率不符的账单起算，按应收倍率计，"
        "有明细的账单按应收倍率重算各项电费（分时、阶梯、基金、基本电费、力调），否则为少计电量的电费及基金",
        "multiplier_billed ≠ the multiplier due: archive ct_ratio × pt_ratio, before a meter "
        "replacement the order's old multiplier (where it records none, the bills' around it); "
        "impact from the first mismatched bill, at the multiplier due: on itemized bills the "
        "recomputed bill (periods, tiers, funds, basic charge, power factor), else the missing "
        "kWh's energy and funds",
    ),
    "rule.register_mismatch.title": ("电量与示数不符（示数跳变、倒走或少计）", "Billed energy does not follow the registers"),
    "rule.register_mismatch.checks": (
        "计费电量 ≠（止码 − 起码）× 计费倍率（跨换表的接续账单，新旧两表或同表前后两个倍率：示数电量为旧表部分 × 换表前倍率 + 新表部分 × 计费倍率，同表改倍率未记旧表止码时以新表起码为界，不能分开的不判断）；示数倒走；本期起码与上期止码不接续，且两期之间无换表工单；"
        "涉及电费：少计电量在有明细的账单上按示数电量重算的账单减按计费电量重算的账单（含阶梯、分时、基金、力调），"
        "否则及跳码电量按电价表电度电价计",
        "kwh_billed ≠ (register_end − register_start) × multiplier_billed; a register running "
        "backwards; a start register ≠ the previous bill's end with no meter-replacement order "
        "between the two bills (a bill joining both sides of a replacement, two meters or one "
        "kept under two multipliers: its register energy is the old part × the multiplier "
        "before + the new part × the one billed, a meter kept without its final read split at "
        "the first read, not judged where the parts are not known); priced on itemized bills as "
        "the bill recomputed on its register "
        "energy less recomputed as billed (tiers, periods, funds, power-factor adjustment), "
        "elsewhere and for skipped registers at the schedule's energy rate",
    ),
    "rule.meter_test_overdue.title": ("计量装置超周期未检", "Periodic meter test overdue"),
    "rule.meter_test_overdue.checks": (
        "上次检验日期加检验周期（按自然月计）早于稽查日期（仅在用用户）",
        "meter_test_date + meter_test_cycle_months (calendar months) earlier than the audit date "
        "(active accounts)",
    ),
    "rule.capacity_underbilled.title": ("基本电费计费容量小于档案容量", "Basic charge on less capacity than the archive"),
    "rule.capacity_underbilled.checks": (
        "按容量计收基本电费的账单（以当期计费方式为准）：计费容量小于当月运行的合同容量（暂停期间为暂停后保留的容量，暂停的容量及其超期归“暂停超期”"
        "规则）；新装、变更、销户月份按工单逐日折算"
        "（不超过当月各日的最大容量），计费容量不低于折算容量即不列；有电费明细、变压器或抄表日期的数据按重算的"
        "运行容量（运行和热备用变压器，新装、变更、销户月份按日折算）核对基本电费明细的计费容量；运行容量低于 "
        "two_part_threshold_kva 的月份执行单一制电价，不计基本电费；少计容量按账单执行电价类别的容量电价计（执行单一制电价的账单不计，"
        "电价差额归变更工单规则）；有电费明细的数据，电量无差异的账单另计基本电费差额引起的力调电费差额",
        "bills by capacity (the basis in force on each): capacity_billed_kva below the contract "
        "capacity in force that month (inside a suspension, the capacity it leaves in service: "
        "the capacity suspended, and its overrun, are suspension_overrun's); in a month of "
        "connection, change or "
        "closure the capacity due is the orders' prorated by day (at most the largest capacity "
        "of its days), and a bill on that or more is not short; on itemized data (bill lines, "
        "transformers, read dates) the basic line's quantity against the recomputed capacity in "
        "force (running and hot-standby transformers, prorated by day in months of connection, "
        "change or closure); months whose capacity in force is below two_part_threshold_kva are "
        "single-part, with no basic charge due; the kVA short are priced at the rate per kVA of "
        "the tariff billed (none on a single-part one: a tariff's difference is the change-of-use "
        "rules'); on itemized data, on bills of the kWh due, the power-factor adjustment the "
        "basic charge difference moves is counted with it",
    ),
    "rule.demand_over_capacity.title": (
        "最大需量持续超过登记容量（疑似大换小、私增容量）",
        "Maximum demand persistently above the registered capacity",
    ),
    "rule.demand_over_capacity.checks": (
        "最近 lookback_months 个月中至少 min_months 个月最大需量超过 demand_ratio × 合同容量（暂停至恢复、减容至减容恢复"
        "期间的月份归“减容或暂停后用电未相应下降”规则，恢复后按全部容量重新核对）即列出；证据和涉及电费自数据中首次超容月份"
        "算起（各月稽查的起始月份不变）：每月按此前所见最高需量超出容量的部分计收基本电费（新装、销户当月按在运天数折算），"
        "及其引起的力调电费（分项账单）；违约使用电费按基本电费部分计，不含力调电费",
        "max_demand_kw above demand_ratio × contract capacity in at least min_months of the last "
        "lookback_months (months inside a suspension until its resumption, or a reduction until "
        "its restoration, belong to reduction_without_drop; after them the full capacity is "
        "checked again) lists a customer; its evidence and impact run from the first month over "
        "in the data (the same start whatever the audit month): basic charge on the highest "
        "demand seen so far above the capacity, each month from then (a month of connection "
        "or closure by its days in service), with the power-factor adjustment it moves "
        "(itemized bills); the penalty is on the basic charge part alone",
    ),
    "rule.reduction_without_drop.title": (
        "减容或暂停后用电未相应下降（疑似私启封存设备）",
        "Capacity reduced or suspended but load carries on",
    ),
    "rule.reduction_without_drop.checks": (
        "减容或暂停期间（至减容恢复或暂停恢复），整个抄表周期的平均负荷率 电量 ÷（剩余容量 × 小时数 × power_factor）"
        "超过 max_load_factor（未记录最大需量时），或最大需量超过 demand_ratio × 剩余容量，即剩余容量承载不了所用负荷；至少 "
        "min_months_after 个周期可判；涉及电费：按减少的容量计收基本电费，同一月份无论被几张工单覆盖只计一次；其中"
        "工单即可证明的少收（计费容量小于工单保留的容量、暂停不足期限或超期、倒签工单申请前的天数）归相应规则，按其参数"
        "计算，本规则不重复计入，证据列明金额",
        "during a capacity reduction or suspension (until its restoration or resumption), over "
        "whole read periods, a load factor kWh / (remaining kVA × hours × power_factor) above "
        "max_load_factor (where no maximum demand is recorded), or maximum demand above "
        "demand_ratio × the remaining capacity: a "
        "load the capacity left cannot carry; judged on at least min_months_after periods; "
        "impact: basic charge on the capacity given up, each month counted once however many "
        "orders cover it, less what the orders prove on their own (capacity billed short of what "
        "they leave, a suspension too short or overrun, days before a backdated application): "
        "capacity_underbilled's, suspension_overrun's and suspension_backdated's, on their "
        "thresholds, named with their amounts in the evidence",
    ),
    "rule.suspension_overrun.title": ("暂停超期（超期未恢复基本电费）", "Suspension beyond the allowed length"),
    "rule.suspension_overrun.checks": (
        "暂停按日计：每一日历年内累计暂停天数超过 max_months 个月（按任意连续 max_months 个自然月的最多天数计，6 个月"
        "为 184 天），或一次暂停不足 min_days 天（暂停期间基本电费照收）；跨年暂停各年分别累计；同时暂停的多台设备"
        "每日只计一天，期满后各自暂停的容量均应恢复计收（重复登记的同一暂停只计一次）；涉及电费：暂停容量"
        "自期满之日起至恢复（跨年仍计）、或不足期限的暂停全部天数的基本电费，整个抄表周期按月、不足按日（1/30）计收，"
        "只计账单少收的部分（账单已按全部容量计收的照列，不计涉及电费）",
        "suspensions counted in days: more suspended days in a calendar year than max_months allow "
        "(the most days any max_months consecutive calendar months hold: 184 for 6), or a "
        "suspension shorter than min_days (its basic charge stays due); a suspension across two "
        "years counts in each year apart; suspensions in force together count a day once, and "
        "once the allowance runs out all the capacity they took off is due (a suspension "
        "recorded twice counts once); impact: the basic charge of the suspended capacity from "
        "the day the allowance ran out until resumption (into later years too), or for every day "
        "of a too-short suspension, a whole read period at the monthly rate, part of one at 1/30 "
        "a day, counted only where the bills under-billed it (bills that charged it: listed "
        "with no revenue)",
    ),
    "rule.order_stalled.title": ("工单流转超时（传递、登记、归档不及时）", "Work order stalled in its lifecycle"),
    "rule.order_stalled.checks": (
        "工单某一环节（传递、登记、归档）距上一环节超过时限（工作日，按法定节假日及调休）才完成，"
        "或至数据提取日已超时限仍未完成",
        "a work order step (transfer, registration, archiving) done later than its time limit "
        "in working days (public holidays and make-up days counted) after the previous step, or "
        "not done although the limit has passed by the day the data was extracted",
    ),
    "rule.order_not_applied.title": ("变更工单未在计费中执行", "Work order not applied to billing"),
    "rule.order_not_applied.checks": (
        "工单生效月份（加 grace_months 个月宽限）之后、同类下一张工单之前，账单仍执行原电价类别（改类）或原容量"
        "（增容、减容）；按抄表日期判断账单是否在工单生效之后（抄表止日早于生效日期的账单不计），跨生效日期的账单按抄表天数"
        "折算生效后的电量计算；涉及电费自生效月份起计（宽限只决定是否算作未执行）：改类为按新电价类别重算的账单减按原电价类别"
        "重算的账单（同一计费电量，含分时、阶梯、基本电费、力调和基金；无电费明细的按平段电度电价和基金及附加差额加新电价类别按运行容量、"
        "需量应收的基本电费减已收基本电费，两者均为两部制的减原电价类别按同一容量、需量应收的基本电费），容量为按容量计收基本电费时工单所定容量（生效当月按天折算）"
        "与计费容量之差；tariff_mismatch 计算的账单（档案电价类别也不是应执行的类别）的电价差额计入 tariff_mismatch，"
        "capacity_underbilled 计算的账单少收的基本电费计入 capacity_underbilled；本规则仍列出工单但不重复计算"
        "（无论是否同时运行这些规则）；按工单条件应少收的账单列为应退电费、不计入涉及电费",
        "after an order's effective month (plus grace_months), and until a later order of the same "
        "kind, bills still use the old tariff (tariff_change) or the old capacity "
        "(capacity_increase / capacity_reduction); a bill is under the order where its read "
        "period ends on or after the effective date (a bill read across it owes on its kWh from "
        "that day on, prorated by read days); priced from the effective month on (the grace "
        "only decides whether the order is late): for a tariff, the bill recomputed on the new "
        "tariff less recomputed on the old one on the kWh billed (periods, tiers, basic charge, "
        "power-factor adjustment and funds; without itemized bills, the flat energy and fund rates' "
        "difference plus the basic charge the new tariff charges on the capacity and demand in "
        "force less the basic charge billed, or less what the old tariff charges on the same "
        "quantities where both are two-part); for capacity, the basic charge on the capacity the "
        "orders put on the bill (prorated by day in the month of the change) less the capacity "
        "billed, where it is charged by capacity. The tariff difference of a bill "
        "tariff_mismatch prices (the archive's tariff is not the one due either) and the basic "
        "charge of a bill capacity_underbilled prices are counted under those rules: the order "
        "is still listed, its money not counted twice (whether they run or not); a bill the "
        "order's terms charge less for is listed to refund, not counted as revenue",
    ),
    "rule.change_without_order.title": ("无工单变更计费参数（电价、容量、倍率）", "Billing changed with no work order"),
    "rule.change_without_order.checks": (
        "电价类别、计费容量或计费倍率与上期账单不同，而两期账单之间（±window_months 个月）无相应类型的工单生效；"
        "涉及电费：新参数执行期间按原参数应多收的电费——电价类别为按原电价类别计收的电费减按计费电价类别计收的电费"
        "（同一次变更的各期账单合计，合计不为正的计零）：有电费明细的按计费电量重算两种电价下的账单（分时、阶梯按"
        "时段、档位，含变损、基本电费、力调电费和基金及附加），否则按当月、电压等级的平段电度电价和基金及附加差额，加原电价类别按运行容量、需量应收的基本电费减已收基本电费（两者均为两部制的，减计费电价类别按同一容量、需量应收的基本电费）；倍率为少计的电量"
        "（及按需量计的基本电费）按应执行电价计；容量为减少的容量按容量电价计。档案电价类别也被改动、"
        "tariff_mismatch 判定有误的用户，其未按应执行电价计费的账单的电价差额计入 tariff_mismatch；档案倍率仍为应执行"
        "倍率、multiplier_mismatch 计算的账单少计的电量计入 multiplier_mismatch；capacity_underbilled 计算的账单少收"
        "的基本电费计入 capacity_underbilled；本规则仍列出该变更但不重复计算（无论是否同时运行这些规则）",
        "tariff_billed, capacity_billed_kva or multiplier_billed differs from the previous bill "
        "with no work order of the matching type taking effect between the two bills "
        "(±window_months); impact: what the previous terms would have charged more while the new "
        "ones last — for a tariff, what the schedule charges on the tariff before less what it "
        "charges on the tariff billed, summed over the change's bills (0 where the sum is not "
        "positive): on itemized data both bills recomputed on the quantities billed (periods or "
        "tiers, losses, basic charge, power-factor adjustment and funds), else the flat energy "
        "and fund rates of the month and voltage band plus the basic charge the tariff before charges on "
        "the capacity and demand in force less the basic charge billed (both two-part: less what "
        "the tariff billed charges on the same quantities); for a multiplier, the "
        "kWh (and demand charge) it "
        "left out at the rate due; for a capacity, the kVA dropped at the rate per kVA. Where "
        "the archive's tariff was moved too (a customer tariff_mismatch flags), the tariff "
        "difference of its bills not on the tariff due is counted under tariff_mismatch; the "
        "kWh left out of a bill multiplier_mismatch prices (the archive kept the multiplier "
        "due) under multiplier_mismatch; the basic charge of a bill capacity_underbilled "
        "prices under capacity_underbilled: the change is still listed, its money not counted "
        "twice (whether those rules run or not)",
    ),
    "rule.consumption_drop.title": ("用电量持续突降（疑似窃电或计量故障）", "Sustained drop in consumption (theft signal)"),
    "rule.consumption_drop.checks": (
        "经季节和趋势调整后，用户月用电量（或智能电表日电量，source: daily_reads）相对自身历史和同类用户（同用电"
        "类别、同供电单位）出现台阶式下降，持续至少 min_months_after 个月，且较上年同期下降；同行业、同用电类别、"
        "同供电单位（且同容量档 peer_capacity_bands_kva，档内用户足够时）用户同步下降（行业不景气）、过户、减容、"
        "暂停、销户或改类前后 order_window_months 个月内的下降（其后更晚的此类工单，暂停除外，不解释下降，"
        "少收电费计至其生效前一日），以及连续零电量（归“运行用户连续零电量”规则）不计；换表、新装、增容不能解释下降；"
        "估计少收电费：下降以来少计电量按各月应执行电价（档案电价类别、电压等级）"
        "及政府性基金及附加计；同一用户同期已由"
        "“计量异常告警未处理”规则（meter_event_unresolved）发现的下降归该规则，不重复计列；下降可能是窃电也可能是计量故障，须"
        "现场取证认定窃电后方可计收违约使用电费，故不计违约金",
        "a step down in a customer's monthly energy (or daily smart-meter reads, source: "
        "daily_reads), adjusted for season and trend, against its own history and its peers "
        "(usage type and district), lasting at least min_months_after months and lower than the "
        "same months a year before; a fall its peers of the same industry, usage type and "
        "district (and capacity band, peer_capacity_bands_kva, where it holds enough of them) "
        "share (a downturn), drops within order_window_months either side of an ownership "
        "transfer, reduction, suspension, closure or tariff change (a later such order, a "
        "suspension apart, explains none and ends the loss the day before it took effect), and "
        "runs of zero kWh (zero_consumption) are left out; a meter replacement, new connection "
        "or capacity increase explains no drop; estimated impact: the energy missing since the "
        "fall at each month's rate due (archive tariff, voltage band) and its funds; a fall that "
        "meter_event_unresolved finds on the same customer over the same months is left to it, "
        "counted once; a fall may be theft or a failing meter, and a field check must establish "
        "theft before any penalty, so no penalty is computed",
    ),
    "rule.tariff_mismatch.title": ("电价类别与用电性质不符（高价低接）", "Tariff category not for the customer's usage"),
    "rule.tariff_mismatch.checks": (
        "档案电价类别对应的用电类别与用户用电类别不符，或电价表在用户电压等级无此类别，或容量达到两部制标准"
        "（two_part_threshold_kva）而电价表对该用电类别在其电压等级有两部制电价却执行单一制电价；法定例外："
        "shared_meter_industries 所列行业（学校、养老机构、社会福利机构）及其子类可执行居民合表电价，ev_charging_industries"
        "（充换电设施）及其子类可执行 ev_charging_usages 所列用电类别的电价且不受两部制标准约束；涉及电费为数据期内各期未按"
        "应执行电价计费的账单按应执行电价计收的电费减按计费电价计收的电费之和：有电费明细的按计费电量重算两种电价下的账单"
        "（分时、阶梯按时段、档位，含变损、基本电费——两部制而当期无计费方式的按容量——、力调电费和基金及附加），"
        "否则按其电压等级、当月的平段电价、基金及附加和按当期计费方式计的基本电费；涉及电费与违约使用电费按可追补期间计："
        "数据显示起始时间（含数据期内新装、自首张账单起即执行错误电价）的自起始起追补，起始时间不明的按最近 backbill_months"
        " 个月，数据期内合计另列于依据；合计为负的列为应退电费、不计入涉及电费、不计违约使用电费",
        "the archive tariff's usage type ≠ the customer's usage_type, or the schedule offers the "
        "tariff no rate at the customer's voltage, or a single-part tariff at or above the "
        "two-part threshold where the schedule offers the usage a two-part tariff at that voltage; "
        "legal exceptions: industries in shared_meter_industries (schools, care homes, welfare "
        "sites) and their sub-classes may pay the residential shared-meter price, "
        "ev_charging_industries (EV charging) and their sub-classes "
        "the tariffs of ev_charging_usages, single-part or two-part; impact: what the bills of "
        "the data not on the tariff due under-billed, over the months recoverable: what the "
        "schedule charges on the tariff due "
        "less what it charges on the tariff billed; on itemized data both bills recomputed on the "
        "quantities billed (periods or tiers, losses, the basic charge — by capacity where a "
        "two-part tariff is due and the bill has no basis in force —, the power-factor adjustment "
        "and funds), else the flat rates of the month and voltage band, funds and the basic charge "
        "by the basis in force on the bill; recoverable, and penalised: from the start where "
        "the data shows it (a customer connected inside the data and on the wrong tariff since "
        "its first bill included), else the last backbill_months, the data's total in the "
        "evidence beside it; a net over-billing is listed to refund, not counted as revenue "
        "and not penalised",
    ),
    "rule.rate_mismatch.title": ("执行电价与电价表不符", "Energy rate differs from the schedule"),
    "rule.rate_mismatch.checks": (
        "账单执行的电度电价 ≠ 电价表中该电价类别当月的电价；电价表未列的计费电价类别按档案电价类别的电价核对；有电费明细、分时、"
        "阶梯电价或抄表日期的数据按重算账单逐条核对电度电费明细的电价（跨调价日按抄表天数折算），分时、阶梯账单归其专门规则；"
        "有电费明细的数据逐条按分计算电度电费差额，电量无差异的账单另计其引起的力调电费差额；计费电价类别不是应执行类别的账单"
        "按计费电价类别本身的电价核对（电价类别差额归电价类别规则）",
        "energy_rate billed ≠ the schedule's rate for the billed tariff and month; a billed tariff "
        "the schedule does not list is checked against the archive tariff's rate. On itemized "
        "data (bill lines, time-of-use or tier rows, read dates) each energy line's rate against "
        "the recomputed rate due for that line (a price change inside the read period split by "
        "read days); time-of-use and tiered bills belong to tou_misapplied and tier_misapplied; "
        "on itemized data the energy difference is each line's to the fen, and on bills of the "
        "kWh due the power-factor adjustment it moves is counted with it; a bill on another "
        "tariff than the one due is judged against the tariff billed's own rates (the tariffs' "
        "difference is the tariff rules')",
    ),
    "rule.zero_consumption.title": ("运行用户连续零电量", "Active account with zero consumption"),
    "rule.zero_consumption.checks": (
        "稽查期内在用用户连续至少 min_months 个月计费电量为零；经营性用户评分高，居民住宅空置"
        "（示数不走、无需量、未换表即恢复用电）评分低；估计少收电费：零电量各月按此前 12 个月月均电量 × 当月应执行电价及"
        "政府性基金及附加计（执行阶梯电价的一户一表居民按年度累计电量所处阶梯计价）；暂停期间、已登记或归档的暂拆工单起至多 "
        "max_removal_months 个整月内的零电量不计；不超过 max_off_season_months 个月、其他各年同月均为零电量（非工单所致）"
        "且各年其余月份有用电的为季节性停用，不计（其他年份暂停、暂拆的月份及连续缺账单达到漏户规则 unbilled_account 的 "
        "min_months 个月的月份既不算零电量，也不否定季节性停用，缺账单由漏户规则判断）；前次期满后不足 min_months 个月内再次登记、表计未装回的暂拆算同一次；"
        "工单未导出传递、登记、归档日期列时暂拆均视为已登记并注明；两张零电量账单之间连续无账单不足漏户规则 min_months "
        "个月且其间无暂停、暂拆月份的（如零电量与无账单逐月交替，双月抄表同理），其间各月并入零电量连续月份（此前按月抄表的，无账单各月随下一张账单按月估算；双月抄表的每张账单估算一次）",
        "an active account billed 0 kWh for at least min_months consecutive months in the audit "
        "period (months with no bill between two 0 kWh bills, fewer in a row than "
        "unbilled_account's min_months and none under a suspension or removal, count in the "
        "run: a customer alternating a 0 kWh bill "
        "and no bill, read monthly before, has them priced with the next bill, one read every "
        "other month at 0 kWh one estimate a bill); a business scores high, a house standing "
        "empty (registers still, no demand, use "
        "back with no meter replaced) low; estimated impact: each month at 0 priced at the mean "
        "kWh of the 12 months before, at that month's rate due (a single household on tiered "
        "rates by the tiers it falls in on its tier year) and funds; months under a suspension, "
        "or under a meter removal registered or archived for at most max_removal_months whole "
        "months, are left out, and so is an off-season: at most max_off_season_months, the same "
        "months at 0 kWh with no order in the other years, and use in the rest of each year (a "
        "month under a suspension or removal, or a run of at least unbilled_account's min_months "
        "with no bill, in another year is neither idle nor against one: missing bills are "
        "unbilled_account's); a removal "
        "ordered again less than min_months after the term before, the meter not back, is one "
        "removal; with the transfer, "
        "registration and archive columns not exported each removal counts, with a note",
    ),
    "rule.estimated_streak.title": ("连续估抄", "Long run of estimated reads"),
    "rule.estimated_streak.checks": (
        "最近 lookback_months 个月内连续至少 min_months 次估抄",
        "at least min_months consecutive estimated reads within lookback_months",
    ),
    "rule.archive_defect.title": ("档案信息缺失或错误", "Missing or impossible archive values"),
    "rule.archive_defect.checks": (
        "电流互感器一次电流（变比 × 二次额定电流 ct_secondary_a，空为 5 A）不在 standard_ct_primaries，或二次"
        "额定电流不在 ct_secondaries；电压互感器变比与计量方式不符：高供高计应为供电电压 ÷ pt_secondary_v（10 千伏为"
        " 100，35 千伏为 350），高供低计、低供低计或供电电压低于 low_voltage_kv 应为 1，未登记计量方式时两者之一"
        "（容差 pt_ratio_tolerance）；按容量计收基本电费的用户缺少合同容量；一块电能表挂接两个户号；账单早于接电日期（销户后重新接电的户，重新接电前的账单不算）",
        "a CT primary (ratio × rated secondary ct_secondary_a, 5 A where empty) not in "
        "standard_ct_primaries, or a secondary not in ct_secondaries; a PT ratio the metering "
        "does not need: supply voltage ÷ pt_secondary_v on the high-voltage side (10 kV: 100, "
        "35 kV: 350), 1 for high_low, low_low or a supply below low_voltage_kv, either where no "
        "metering mode is recorded (within pt_ratio_tolerance); capacity missing for a "
        "capacity-basis customer; one meter on two accounts; a bill before the connection date "
        "(of an account closed and connected again, the bills before its new connection do not "
        "count)",
    ),
    "rule.tou_misapplied.title": ("峰谷分时电价执行错误", "Time-of-use pricing misapplied"),
    "rule.tou_misapplied.checks": (
        "按重算账单核对电度电费明细：分时用户未按时段计费、非分时用户按时段计费、各时段电量或电价（含调价后仍用旧时段电价）与应收不符；"
        "每条明细差额超过 amount_tolerance 元且超过应收的 relative_tolerance；计费电价类别或电量与应收不符的账单归电价、倍率或示数规则；"
        "涉及电费为各期电度电费少计的净额及其引起的力调电费差额之和，多计的只在证据中说明；按典型负荷比例拆分时段电量的为估算，其余为核实",
        "energy lines against the recomputed bill: a time-of-use customer billed without periods, "
        "a customer not on time-of-use billed by periods, period kWh or rates (an old schedule's "
        "after a price change) other than due; a line off by more than amount_tolerance yuan and "
        "relative_tolerance of its amount due; bills on another tariff or for other kWh than due "
        "belong to the tariff, multiplier and register rules; impact: the net energy under-billed "
        "with the power-factor adjustment on it, bill by bill (over-billing is shown, not "
        "counted); proved, or estimated where the period kWh due are split by the typical load "
        "profile",
    ),
    "rule.tier_misapplied.title": ("居民阶梯电价执行错误", "Residential tiers misapplied"),
    "rule.tier_misapplied.checks": (
        "按重算账单核对阶梯电度电费明细：按错误的年度累计电量分档、合表用户按阶梯计费、一户一表用户未按阶梯计费；"
        "容差与归属同峰谷分时规则；涉及电费为各期少计的净额及其引起的力调电费差额之和",
        "tier lines against the recomputed bill: bands filled from the wrong cumulative kWh of "
        "the tier year, tiers on a shared meter, no tiers for a single household; tolerances and "
        "attribution as tou_misapplied; impact: the net energy under-billed with the "
        "power-factor adjustment on it, bill by bill",
    ),
    "rule.basic_charge_error.title": ("基本电费计算错误", "Basic charge miscalculated"),
    "rule.basic_charge_error.checks": (
        "基本电费明细与重算不符（单价、按日折算、需量 40% 下限与超 105% 部分加倍）；计费容量小于运行容量的归"
        "“基本电费计费容量小于档案容量”规则；涉及电费为各期少计的基本电费及其引起的力调电费差额之和",
        "the basic charge line against the recomputed one (rate, proration by day, the 40% demand "
        "floor and the doubled excess over 105%); capacity billed short of the capacity in force "
        "belongs to capacity_underbilled; impact: the basic charge under-billed with the "
        "power-factor adjustment on it, bill by bill",
    ),
    "rule.pf_adjustment_error.title": ("功率因数调整电费错误", "Power-factor adjustment wrong"),
    "rule.pf_adjustment_error.checks": (
        "力调电费按应执行的调整比例乘以已计收的电度、变损和基本电费核对（变损不符的账单按已计变损电量下的调整比例）："
        "应调未调、无考核标准却调整、奖罚方向错误、金额不符；变损、基本电费、分时与阶梯电度电费差额引起的力调差额归各自规则；"
        "涉及电费为各期少计之和",
        "the adjustment due (the table's percentage of the customer's standard × the energy, "
        "loss and basic charges billed; where the losses are off, the percentage the losses "
        "billed give) against the one billed: missing, not due, of the wrong sign or amount; "
        "what a loss, basic, period or tier line off moves the adjustment by is counted by "
        "their rules; "
        "impact: the adjustment under-billed, bill by bill",
    ),
    "rule.pf_standard_mismatch.title": (
        "功率因数考核标准与用户类别、容量不符",
        "Power-factor standard laxer than due",
    ),
    "rule.pf_standard_mismatch.checks": (
        "档案功率因数考核标准低于按用电类别、供电电压和容量应执行的标准（高压工业 160 千伏安及以上 0.90，"
        "农业 100 千伏安及以上 0.80，其他 100 千伏安及以上 0.85，居民除外）或应考核而未设；涉及电费为各期"
        "按应执行标准与所记标准计算的力调电费之差",
        "a recorded power-factor standard laxer than the customer's class, supply voltage and "
        "capacity call for (0.90 high-voltage industrial from 160 kVA, 0.80 agricultural from "
        "100 kVA, 0.85 any other from 100 kVA, households aside), or none where one is due; "
        "impact: the adjustment under the standard due less the one under the standard recorded, "
        "bill by bill",
    ),
    "rule.loss_not_charged.title": ("高供低计用户变损未计或少计", "Transformer losses not charged"),
    "rule.loss_not_charged.checks": (
        "高供低计用户的变损电费明细缺失或低于按变压器空载、负载损耗重算的应收（超过容差）；涉及电费为各期少计的变损电费，"
        "加上少计变损电量的基金及附加和变损引起的力调电费差额；无无功示数时按无功为零计算变损，为估算，其余为核实",
        "a high-voltage customer metered on the low side whose loss lines are missing or below "
        "the losses recomputed from its transformers' no-load and load losses (beyond "
        "tolerance); impact: the losses under-billed, with the funds on the loss kWh and the "
        "power-factor adjustment the losses move, bill by bill; proved, or estimated where the "
        "losses are computed without reactive registers",
    ),
    "rule.fund_charge_error.title": ("代征基金及附加计收错误", "Government funds charged wrong"),
    "rule.fund_charge_error.checks": (
        "代征基金及附加按现行基金费率乘以已计费电量（含变损电量）核对：缺失或金额不符；少计变损电量的基金归变损规则；涉及电费为各期少计之和",
        "funds due (the fund rate in force × the kWh billed, losses included) against those "
        "billed: missing or of another amount (the funds on loss kWh not billed are "
        "loss_not_charged's); impact: the funds under-billed, bill by bill",
    ),
}  # fmt: skip

# Evidence templates. A placeholder names an argument of the clause and how to show it:
# num0/num1/num2 (digits, separators), dec1, int, rate (yuan/kWh, 4 digits), pct, money,
# count:<noun> (number and noun), noun:<noun> (the noun alone, in the number of the argument),
# word:<word> (the word when the argument is true), period, span, date, text (data as it is),
# usage / order / step / tou (codes named in the language), clause (a nested clause, or nothing),
# join / and (nested clauses joined by '; ' or ' and ').
_EVIDENCE = {
    "evidence.multiplier_mismatch": (
        "{months:span} 共 {bills:count:bill}按{used:clause} 计费，而档案倍率为 CT {ct:num2} × PT {pt:num2} = "
        "{archive:num2}：{energy:clause}",
        "{bills:count:bill} {months:span} used {used:clause} where the archive has CT {ct:num2} × "
        "PT {pt:num2} = {archive:num2}: {energy:clause}",
    ),
    "evidence.multiplier_mismatch.before_swap": (
        "{months:span} 共 {bills:count:bill}按{used:clause} 计费，而应收倍率为 {due:clause}（换表前为原倍率，"
        "换表后为档案倍率 CT {ct:num2} × PT {pt:num2} = {archive:num2}）：{energy:clause}",
        "{bills:count:bill} {months:span} used {used:clause} where the multiplier due is {due:clause} "
        "(before a meter replacement its old multiplier, after it the archive's CT {ct:num2} × "
        "PT {pt:num2} = {archive:num2}): {energy:clause}",
    ),
    "evidence.multiplier.due_one": ("{multiplier:num2}", "{multiplier:num2}"),
    "evidence.multiplier.due_range": ("{low:num2} 至 {high:num2}", "{low:num2} to {high:num2}"),
    "evidence.multiplier.one": ("倍率 {multiplier:num2}", "multiplier {multiplier:num2}"),
    "evidence.multiplier.range": ("倍率 {low:num2} 至 {high:num2}", "multipliers {low:num2} to {high:num2}"),
    "evidence.kwh.not_billed": ("少计电量 {kwh:num0} 千瓦时", "{kwh:num0} kWh not billed"),
    "evidence.kwh.billed_too_much": ("多计电量 {kwh:num0} 千瓦时", "{kwh:num0} kWh billed too much"),
    "evidence.demand_charge_short": ("，按需量计收的基本电费少计 {amount:money}", ", demand charge short by {amount:money}"),
    "evidence.funds_of_which": ("，其中政府性基金及附加 {amount:money}", ", of which {amount:money} of funds"),
    "evidence.funds_short": ("，政府性基金及附加少计 {amount:money}", ", funds short by {amount:money}"),
    "evidence.multiplier.recomputed": (
        "；按应收倍率重算：电度电费 {energy:money}{fund:clause}{basic:clause}{pf_adjustment:clause}{loss:clause}",
        "; recomputed at the multiplier due: energy {energy:money}{fund:clause}{basic:clause}"
        "{pf_adjustment:clause}{loss:clause}",
    ),
    "evidence.multiplier.part.fund": ("，基金及附加 {amount:money}", ", funds {amount:money}"),
    "evidence.multiplier.part.basic": ("，基本电费 {amount:money}", ", basic charge {amount:money}"),
    "evidence.multiplier.part.pf_adjustment": ("，力调电费 {amount:money}", ", power-factor adjustment {amount:money}"),
    "evidence.multiplier.part.loss": ("，变损电费 {amount:money}", ", losses {amount:money}"),
    "evidence.unbilled.at_tariff_due": (
        "；少计电量按应执行电价 {tariff:text} 计价，比按现行电价多 {amount:money}",
        "; the kWh not billed priced at {tariff:text}, the tariff due: {amount:money} more than at "
        "the tariff billed",
    ),
    "evidence.unbilled.at_cheaper_tariff_due": (
        "；少计电量按应执行电价 {tariff:text} 计价，比按现行电价少 {amount:money}",
        "; the kWh not billed priced at {tariff:text}, the tariff due: {amount:money} less than at "
        "the tariff billed",
    ),
    "evidence.revenue": ("（涉及电费 {amount:money}）", " ({amount:money})"),
    "evidence.register_mismatch": ("{months:span}：{parts:join}", "{months:span}: {parts:join}"),
    "evidence.register.short": (
        "{bills:count:bill}计费电量比示数少 {kwh:num0} 千瓦时",
        "{bills:count:bill} charged {kwh:num0} kWh less than the registers show",
    ),
    "evidence.register.jump": (
        "{registers:count:start_register}与上期止码不接续，且无换表工单（{first:word:first}{at:period}：起码 "
        "{start:num2}，上期 {previous:period} 止码 {end:num2}；跳过电量 {kwh:num0} 千瓦时）",
        "{registers:count:start_register} ≠ the previous bill's end with no meter replacement "
        "({first:word:first}{at:period} starts at {start:num2} after {end:num2} at the end of "
        "{previous:period}; {kwh:num0} kWh skipped)",
    ),
    "evidence.register.backwards": (
        "{bills:count:bill}示数倒走（{first:word:first}{at:period}：{start:num2} → {end:num2}）",
        "{bills:count:bill} with the register running backwards ({first:word:first}{at:period}: "
        "{start:num2} → {end:num2})",
    ),
    "evidence.meter_test.never": (
        "档案无检验日期（检验周期 {cycle:int} 个月）",
        "no meter test date recorded for a meter with a {cycle:int}-month test cycle",
    ),
    "evidence.meter_test.overdue": (
        "上次检验 {tested:date}，检验周期 {cycle:int} 个月，应于 {due:date} 检验：截至 {as_of:period} 月末已超期 "
        "{days:count:day}",
        "last test {tested:date}, cycle {cycle:int} months, due {due:date}: {days:count:day} past "
        "due at the end of {as_of:period}",
    ),
    "evidence.capacity_underbilled": (
        "{months:span} 共 {bills:count:bill}按小于运行容量（已按天计入暂停）的容量计收基本电费（{last:period}：计费容量 "
        "{billed:num0} 千伏安，运行容量 {in_force:num0} 千伏安）",
        "{bills:count:bill} {months:span} charged the basic charge on less than the capacity in "
        "force, the days of any suspension counted (in {last:period}: {billed:num0} kVA "
        "billed, {in_force:num0} kVA in force)",
    ),
    "evidence.capacity_underbilled.pf": (
        "，其中基本电费差额引起的力调电费差额 {amount:money}",
        ", of which {amount:money} of power-factor adjustment on the basic charge difference",
    ),
    "evidence.demand_over_capacity": (
        "最大需量超过登记容量 {capacity:num0} 千伏安：{months:span} 共 {over:count:month}，峰值 {peak:num0} 千瓦",
        "maximum demand above the registered {capacity:num0} kVA in {over:count:month} "
        "{months:span}, peak {peak:num0} kW",
    ),
    "evidence.ct_oversized": (
        "；电流互感器一次电流 {primary:num0} A，远大于按容量计算的额定电流 {rated:num1} A",
        "; CT primary {primary:num0} A is sized for far more than the rated {rated:num1} A",
    ),
    "evidence.basic_charge_lower_bound": (
        "（少收基本电费至少 {amount:money}）",
        " (basic charge lower bound {amount:money})",
    ),
    "evidence.reduction_without_drop.capacity_reduction": (
        "{start:period} 起减容 {old:num0}→{remaining:num0} 千伏安，但{reasons:and}",
        "capacity reduction {old:num0}→{remaining:num0} kVA from {start:period}, yet {reasons:and}",
    ),
    "evidence.reduction_without_drop.suspension": (
        "{start:period} 起暂停 {old:num0}→{remaining:num0} 千伏安，但{reasons:and}",
        "suspension {old:num0}→{remaining:num0} kVA from {start:period}, yet {reasons:and}",
    ),
    "evidence.demand_above_remaining": (
        "最大需量达 {demand:num0} 千瓦，超过剩余容量 {remaining:num0} 千伏安",
        "maximum demand reached {demand:num0} kW, above the {remaining:num0} kVA left",
    ),
    "evidence.more_such_orders": ("；另有 {more:int} 张同类工单", "; {more:int} more such {more:noun:order}"),
    "evidence.basic_charge_escaped": (
        "（少收基本电费 {amount:money}）",
        " ({amount:money} basic charge escaped)",
    ),
    "evidence.suspension.too_long": (
        "{start:date} 起暂停{ended:clause}：{year:int} 年累计暂停已达 {days:count:day}，超过 {months:int} 个月"
        "（{limit:int} 天）的年度期限；自 {due_from:date} 起应恢复按全部容量计收基本电费",
        "suspension from {start:date} {ended:clause}: {days:count:day} suspended in {year:int}, "
        "over the yearly limit of {months:int} months ({limit:int} days); the basic charge on the "
        "full capacity was due again from {due_from:date}",
    ),
    "evidence.suspension.resumed": ("，{at:date} 恢复", "resumed {at:date}"),
    "evidence.suspension.not_resumed": ("，截至 {as_of:period} 未恢复", "not resumed by {as_of:period}"),
    "evidence.suspension.too_short": (
        "暂停 {start:date} 至 {end:date} 仅 {days:count:day}，不足 {minimum:int} 天的最短期限",
        "suspension {start:date}..{end:date} lasted {days:count:day}, under the "
        "{minimum:int}-day minimum",
    ),
    "evidence.more_suspensions": (
        "；另有 {more:int} 次暂停超出期限",
        "; {more:int} more {more:noun:suspension} out of limits",
    ),
    "evidence.order_stalled.late": (
        "工单 {order:text}（{type:order}）于 {issued:date} 发起：{step:step}超过时限 {over:int} 个工作日",
        "order {order:text} ({type:order}) issued {issued:date}: {step:step} late {over:int} "
        "working days over the limit",
    ),
    "evidence.order_stalled.missing": (
        "工单 {order:text}（{type:order}）于 {issued:date} 发起：{step:step}未完成，已超过时限 {over:int} 个工作日",
        "order {order:text} ({type:order}) issued {issued:date}: {step:step} missing {over:int} "
        "working days over the limit",
    ),
    "evidence.more_stalled_orders": (
        "；另有 {more:count:more_stalled_order}",
        "; {more:count:more_stalled_order}",
    ),
    "evidence.order_not_applied.tariff": (
        "工单 {order:text}（{type:order} {old:text}→{new:text}）已于 {effective:period} 生效，但 {months:span} "
        "共 {bills:count:bill}仍按 {billed:text} 计费",
        "order {order:text} ({type:order} {old:text}→{new:text}) took effect in "
        "{effective:period}, yet {bills:count:bill} {months:span} still use {billed:text}",
    ),
    "evidence.order_not_applied.capacity": (
        "工单 {order:text}（{type:order} {old:text}→{new:text} 千伏安）已于 {effective:period} 生效，但 "
        "{months:span} 共 {bills:count:bill}仍按 {old:text} 千伏安计费",
        "order {order:text} ({type:order} {old:text}→{new:text} kVA) took effect in "
        "{effective:period}, yet {bills:count:bill} {months:span} still use {old:text} kVA",
    ),
    "evidence.more_orders_not_applied": (
        "；另有 {more:int} 张工单未执行",
        "; {more:int} more {more:noun:order} not applied",
    ),
    "evidence.change_without_order": (
        "计费参数变更，但 ±{window:int} 个月内无相应工单：{changes:join}（此后少收电费 {amount:money}{pf:clause}"
        "{left:clause}）",
        "billing changed with no work order within ±{window:int} months: {changes:join} "
        "({amount:money} under-billed since{pf:clause}{left:clause})",
    ),
    "evidence.left_to": ("；另有 {parts:join}", "; {parts:join}"),
    "evidence.left.tariff_mismatch": (
        "{bills:count:bill}的电价差额计入“电价类别与用电性质不符”规则，档案电价类别也不是应执行的类别",
        "the tariff difference of {bills:count:bill} is counted under tariff_mismatch, the "
        "archive's tariff not being the one due either",
    ),
    "evidence.left.multiplier_mismatch": (
        "{bills:count:bill}少计的电量计入“计费倍率与应执行倍率不符”规则，档案倍率即应执行的倍率",
        "the kWh left out of {bills:count:bill} are counted under multiplier_mismatch, the "
        "archive having the multiplier due",
    ),
    "evidence.left.capacity_underbilled": (
        "{bills:count:bill}少收的基本电费计入“基本电费计费容量小于档案容量”规则，按在用容量计算",
        "the basic charge short on {bills:count:bill} is counted under capacity_underbilled, "
        "on the capacity in force",
    ),
    "evidence.left.single_part_due": (
        "{bills:count:bill}不应收基本电费：应执行单一制电价",
        "no basic charge is due on {bills:count:bill}, a single-part tariff being due",
    ),
    # Findings stored by earlier versions name the tariff part alone (now `left_to`).
    "evidence.change_without_order.left": (
        "；另有 {bills:count:bill}的电价差额计入“电价类别与用电性质不符”规则（档案电价类别也已改为非应执行的类别）",
        "; the tariff difference of {bills:count:bill} is counted under tariff_mismatch (the "
        "archive's tariff was moved too and is not the one due)",
    ),
    "evidence.changed.tariff": (
        "{at:period} 电价类别 {old:text}→{new:text}{more:clause}",
        "tariff {old:text}→{new:text} in {at:period}{more:clause}",
    ),
    "evidence.changed.capacity": (
        "{at:period} 计费容量 {old:num0}→{new:num0} 千伏安{more:clause}",
        "capacity {old:num0}→{new:num0} kVA in {at:period}{more:clause}",
    ),
    "evidence.changed.multiplier": (
        "{at:period} 计费倍率 {old:num2}→{new:num2}{more:clause}",
        "multiplier {old:num2}→{new:num2} in {at:period}{more:clause}",
    ),
    "evidence.more_changes": ("（另有 {count:count:more_change}）", " and {count:count:more_change}"),
    "evidence.consumption_drop.monthly": (
        "用电量自 {change:period} 起降至季节性水平的 {ratio:pct}，已持续 {steps:int} 个月（疑似度评分 "
        "{score:dec1}；较同用电类别、同供电单位用户偏离 {peer:dec1} 个稳健标准差）；估计少收电费 {revenue:money}",
        "consumption fell to {ratio:pct} of its seasonal level from {change:period} and stayed down "
        "for {steps:int} months (suspicion score {score:dec1}; {peer:dec1} robust SD beyond peers "
        "of the same usage type and district); {revenue:money} estimated unbilled",
    ),
    "evidence.consumption_drop.year_before": (
        "；下降后月份用电量为上年同期的 {ratio:pct}",
        "; the months since used {ratio:pct} of the same months a year before",
    ),
    "evidence.consumption_drop.daily": (
        "智能电表日用电量自 {change:date} 起降至通常水平的 {ratio:pct}，已持续 {steps:int} 天（疑似度评分 "
        "{score:dec1}；较同用电类别、同供电单位用户偏离 {peer:dec1} 个稳健标准差）；估计少收电费 {revenue:money}",
        "daily smart-meter consumption fell to {ratio:pct} of its usual level from {change:date} "
        "and stayed down for {steps:int} days (suspicion score {score:dec1}; {peer:dec1} robust SD "
        "beyond peers of the same usage type and district); {revenue:money} estimated unbilled",
    ),
    "evidence.tariff_mismatch": (
        "{usage:usage}用户档案电价类别为 {tariff:text}（适用于{tariff_usage:usage}）",
        "{usage:usage} customer archived on tariff {tariff:text} (for {tariff_usage:usage})",
    ),
    "evidence.tariff_mismatch.unlisted": (
        "{usage:usage}用户档案电价类别为 {tariff:text}，电价表中无此类别",
        "{usage:usage} customer archived on tariff {tariff:text}, which the schedule does not list",
    ),
    "evidence.tariff.should_be": ("，应为 {tariff:text}", "; should be {tariff:text}"),
    "evidence.tariff.two_part_threshold": (
        "；容量 {capacity:num0} 千伏安已达两部制电价执行标准",
        "; capacity {capacity:num0} kVA is at or above the two-part threshold",
    ),
    "evidence.rate_mismatch": ("{months:span}：{parts:join}", "{months:span}: {parts:join}"),
    "evidence.rate.wrong": (
        "{bills:count:bill}执行电价与电价表不符（{last:word:last}{at:period}：执行 {billed:rate} 元/千瓦时，电价表为 "
        "{due:rate}）",
        "{bills:count:bill} charged another rate than the schedule ({last:word:last}{at:period}: "
        "{billed:rate} yuan/kWh where the schedule says {due:rate})",
    ),
    "evidence.rate.unlisted": (
        "{bills:count:bill}按电价表未列的电价类别 {tariff:text} 计费（{first:word:first}{at:period}：{billed:rate} "
        "元/千瓦时；档案电价类别 {archive:text}：{archive_rate:rate}）",
        "{bills:count:bill} on tariff {tariff:text}, which the schedule does not list "
        "({first:word:first}{at:period}: {billed:rate} yuan/kWh; archive tariff {archive:text}: "
        "{archive_rate:rate})",
    ),
    "evidence.rate_mismatch.pf": (
        "，其中电度电费差额引起的力调电费差额 {amount:money}",
        ", of which {amount:money} of power-factor adjustment on the energy difference",
    ),
    "evidence.zero.run": (
        "在用用户 {months:span} 连续 {months_zero:count:consecutive_month}电量为零；",
        "0 kWh in {months_zero:count:consecutive_month} {months:span} on an active account; ",
    ),
    "evidence.zero.unbilled_between": (
        "其中 {months:count:month}无账单（连续不足漏户规则的 min_months，不计漏户），双月抄表，"
        "随下一张账单估算；",
        "{months:count:month} of them with no bill (fewer in a row than unbilled_account's "
        "min_months, no unbilled run), read every other month: priced in the next bill's "
        "estimate; ",
    ),
    "evidence.zero.unbilled_months": (
        "其中 {months:count:month}无账单（连续不足漏户规则的 min_months，不计漏户）；",
        "{months:count:month} of them with no bill (fewer in a row than unbilled_account's "
        "min_months, no unbilled run); ",
    ),
    "evidence.zero.unbilled_priced": (
        "其中 {months:count:month}无账单（连续不足漏户规则的 min_months，不计漏户），按月抄表而"
        "下一张账单示数未动，同样按月估算；",
        "{months:count:month} of them with no bill (fewer in a row than unbilled_account's "
        "min_months, no unbilled run), read monthly and the next bill's registers unmoved: "
        "priced as months at zero; ",
    ),
    "evidence.zero.usual": (
        "此前 12 个月月均用电 {kwh:num0} 千瓦时（估计少收电费 {amount:money}）",
        "it used {kwh:num0} kWh a month in the 12 months before ({amount:money} estimated)",
    ),
    "evidence.zero.no_history": (
        "无更早的账单可据以估算少计电量",
        "no earlier bills to estimate the missing energy from",
    ),
    "evidence.zero.resumed": (
        "；{month:period} 起恢复用电，其间未换表",
        "; use came back in {month:period} with no meter replaced",
    ),
    "evidence.estimated_streak": (
        "{months:span} 连续 {reads:count:estimated_read}，未实际抄表",
        "{reads:count:estimated_read} in a row {months:span}: the meter was not read",
    ),
    "evidence.archive_defect": ("{defects:join}", "{defects:join}"),
    "evidence.archive.odd_ct": ("电流互感器变比 {ct:num2} 非标准", "non-standard CT ratio {ct:num2}"),
    "evidence.archive.pt_on_low_voltage": (
        "{voltage:text} kV 低压用户电压互感器变比为 {pt:num0}",
        "PT ratio {pt:num0} on {voltage:text} kV",
    ),
    "evidence.archive.no_capacity": (
        "按容量计收基本电费的用户缺少合同容量",
        "contract capacity missing for a capacity-basis customer",
    ),
    "evidence.archive.shared_meter": (
        "电能表 {meter:text} 同时挂接在另一在用户号上",
        "meter {meter:text} also on another open account",
    ),
    "evidence.archive.bill_before_connection": (
        "首期账单 {first:period} 早于接电日期 {connected:date}",
        "first bill {first:period} before connection {connected:date}",
    ),
    "evidence.tou_misapplied": ("{months:span}：{parts:join}", "{months:span}: {parts:join}"),
    "evidence.tou_misapplied.billed_flat": (
        "{bills:count:bill}对分时用户未按峰谷时段计费（{last:word:last}{at:period}：计收 {billed:money}，应收 {due:money}）",
        "{bills:count:bill} of a time-of-use customer billed without periods "
        "({last:word:last}{at:period}: {billed:money} billed, {due:money} due)",
    ),
    "evidence.tou_misapplied.not_due": (
        "{bills:count:bill}对非分时用户按峰谷时段计费（{last:word:last}{at:period}：计收 {billed:money}，应收 {due:money}）",
        "{bills:count:bill} billed by time-of-use periods for a customer not on time-of-use "
        "({last:word:last}{at:period}: {billed:money} billed, {due:money} due)",
    ),
    "evidence.tou_misapplied.periods": (
        "{bills:count:bill}时段电量或电价与应收不符（{last:word:last}{at:period}：{period:tou}计费 {kwh:num0} 千瓦时 × "
        "{rate:rate} 元/千瓦时，应为 {due_kwh:num0} 千瓦时 × {due_rate:rate}）",
        "{bills:count:bill} with period lines other than due ({last:word:last}{at:period}: "
        "{period:tou} {kwh:num0} kWh at {rate:rate} yuan/kWh billed, {due_kwh:num0} kWh at "
        "{due_rate:rate} due)",
    ),
    "evidence.tou_misapplied.profile": (
        "；无分时示数或分时明细的月份按典型负荷比例拆分时段（估算）",
        "; months without period registers or period lines are split by the typical load "
        "profile (estimated)",
    ),
    "evidence.tier_misapplied": ("{months:span}：{parts:join}", "{months:span}: {parts:join}"),
    "evidence.tier_misapplied.not_due": (
        "{bills:count:bill}对不执行阶梯电价的电能表（合表等）按阶梯计费（{last:word:last}{at:period}：计收 {billed:money}，"
        "应收 {due:money}）",
        "{bills:count:bill} billed by tiers on a meter without tiers, such as a shared meter "
        "({last:word:last}{at:period}: {billed:money} billed, {due:money} due)",
    ),
    "evidence.tier_misapplied.missing": (
        "{bills:count:bill}应执行阶梯电价而未执行（{last:word:last}{at:period}：计收 {billed:money}，应收 {due:money}）",
        "{bills:count:bill} billed without the tiers due ({last:word:last}{at:period}: "
        "{billed:money} billed, {due:money} due)",
    ),
    "evidence.tier_misapplied.bands": (
        "{bills:count:bill}分档电量与应收不符（{last:word:last}{at:period}：第二档、第三档计费 {tier2:num0} 与 "
        "{tier3:num0} 千瓦时，应为 {due_tier2:num0} 与 {due_tier3:num0} 千瓦时）",
        "{bills:count:bill} with tier kWh other than due ({last:word:last}{at:period}: "
        "{tier2:num0} and {tier3:num0} kWh billed in tiers 2 and 3, {due_tier2:num0} and "
        "{due_tier3:num0} kWh due)",
    ),
    "evidence.basic_charge_error": ("{months:span}：{parts:join}", "{months:span}: {parts:join}"),
    "evidence.basic_charge_error.differs": (
        "{bills:count:bill}基本电费与应收不符（{last:word:last}{at:period}：按 {quantity:num2} 计收 {billed:money}，"
        "应按 {due_quantity:num2} 计收 {due:money}）",
        "{bills:count:bill} with a basic charge other than due ({last:word:last}{at:period}: "
        "{billed:money} billed on {quantity:num2}, {due:money} due on {due_quantity:num2})",
    ),
    "evidence.tou_misapplied.pf": (
        "；其中分时电度电费差额引起的力调电费差额 {amount:money}",
        "; of which {amount:money} of power-factor adjustment on the energy difference",
    ),
    "evidence.tier_misapplied.pf": (
        "；其中阶梯电度电费差额引起的力调电费差额 {amount:money}",
        "; of which {amount:money} of power-factor adjustment on the energy difference",
    ),
    "evidence.basic_charge_error.pf": (
        "；其中基本电费差额引起的力调电费差额 {amount:money}",
        "; of which {amount:money} of power-factor adjustment on the basic charge difference",
    ),
    "evidence.pf_adjustment_error": ("{months:span}：{parts:join}", "{months:span}: {parts:join}"),
    "evidence.pf_adjustment_error.missing": (
        "{bills:count:bill}应调整力调电费而未调整（{last:word:last}{at:period}：应为 {due:money}，调整 "
        "{due_percent:percent2}）",
        "{bills:count:bill} without the power-factor adjustment due ({last:word:last}{at:period}: "
        "{due:money}, {due_percent:percent2})",
    ),
    "evidence.pf_adjustment_error.not_due": (
        "{bills:count:bill}无功率因数考核标准却调整力调电费（{last:word:last}{at:period}：{billed:money}）",
        "{bills:count:bill} with a power-factor adjustment where the customer has no standard "
        "({last:word:last}{at:period}: {billed:money})",
    ),
    "evidence.pf_adjustment_error.sign": (
        "{bills:count:bill}力调电费奖罚方向错误（{last:word:last}{at:period}：计收 {billed:money}，应为 {due:money}）",
        "{bills:count:bill} with the adjustment of the wrong sign ({last:word:last}{at:period}: "
        "{billed:money} billed, {due:money} due)",
    ),
    "evidence.pf_adjustment_error.amount": (
        "{bills:count:bill}力调电费金额与应收不符（{last:word:last}{at:period}：计收 {billed:money}（{percent:percent2}），"
        "应为 {due:money}（{due_percent:percent2}））",
        "{bills:count:bill} with another adjustment than due ({last:word:last}{at:period}: "
        "{billed:money} ({percent:percent2}) billed, {due:money} ({due_percent:percent2}) due)",
    ),
    "evidence.pf_standard_mismatch": (
        "{usage:usage}用户 {voltage:num1} kV 供电、容量 {capacity:num0} 千伏安，应执行功率因数考核标准 "
        "{due:num2}，档案为{recorded:clause}",
        "{usage:usage} customer supplied at {voltage:num1} kV with {capacity:num0} kVA is held "
        "to the power-factor standard {due:num2}; the archive records {recorded:clause}",
    ),
    "evidence.pf_standard.recorded": (" {standard:num2}", "{standard:num2}"),
    "evidence.pf_standard.none": ("未设考核标准", "none"),
    "evidence.pf_standard.priced": (
        "；{months:span} {bills:count:bill}按所记标准计算力调电费，较应执行标准少计 {amount:money}"
        "（末期功率因数 {pf:num2}）",
        "; {bills:count:bill} of {months:span} adjusted under the standard recorded, "
        "{amount:money} under-billed against the standard due (last power factor {pf:num2})",
    ),
    "evidence.pf_standard.not_billed_yet": (
        "；现有容量下尚无账单，无少计电费",
        "; no bill yet at the capacity now in force: nothing under-billed",
    ),
    "evidence.pf_standard.unpriced": (
        "；账单无功率因数及无功电量，或基本电费不明，无法计算少计电费",
        "; the bills give no power factor or reactive energy, or no basic charge, to price it",
    ),
    "evidence.loss_not_charged": ("{months:span}：{parts:join}", "{months:span}: {parts:join}"),
    "evidence.loss_not_charged.missing": (
        "{bills:count:bill}高供低计未计变损（{last:word:last}{at:period}：应计变损电量 {due_kwh:num0} 千瓦时，"
        "{due:money}）",
        "{bills:count:bill} metered on the low side with no transformer losses billed "
        "({last:word:last}{at:period}: {due_kwh:num0} kWh of losses due, {due:money})",
    ),
    "evidence.loss_not_charged.below": (
        "{bills:count:bill}变损少计（{last:word:last}{at:period}：计费 {kwh:num0} 千瓦时 {billed:money}，应为 "
        "{due_kwh:num0} 千瓦时 {due:money}）",
        "{bills:count:bill} with less transformer loss than due ({last:word:last}{at:period}: "
        "{kwh:num0} kWh for {billed:money} billed, {due_kwh:num0} kWh for {due:money} due)",
    ),
    "evidence.loss_not_charged.no_reactive": (
        "；无无功示数的月份按无功电量为零计算变损（估算）",
        "; months without reactive registers take their losses with no reactive energy "
        "(estimated)",
    ),
    "evidence.loss_not_charged.funds": (
        "；其中变损电量少计的基金及附加 {amount:money}",
        "; of which {amount:money} of funds on the loss energy",
    ),
    "evidence.loss_not_charged.pf": (
        "；其中变损引起的力调电费差额 {amount:money}",
        "; of which {amount:money} of power-factor adjustment moved by the losses",
    ),
    "evidence.fund_charge_error": ("{months:span}：{parts:join}", "{months:span}: {parts:join}"),
    "evidence.fund_charge_error.missing": (
        "{bills:count:bill}未计收代征基金及附加（{last:word:last}{at:period}：{kwh:num0} 千瓦时 × {rate:rate} 元/千瓦时 = "
        "{due:money}）",
        "{bills:count:bill} without the funds due ({last:word:last}{at:period}: {kwh:num0} kWh × "
        "{rate:rate} yuan/kWh = {due:money})",
    ),
    "evidence.fund_charge_error.differs": (
        "{bills:count:bill}代征基金及附加与应收不符（{last:word:last}{at:period}：计收 {billed:money}，应为 {kwh:num0} "
        "千瓦时 × {rate:rate} 元/千瓦时 = {due:money}）",
        "{bills:count:bill} with funds other than due ({last:word:last}{at:period}: "
        "{billed:money} billed, {kwh:num0} kWh × {rate:rate} yuan/kWh = {due:money} due)",
    ),
    "evidence.lines.under": ("；少计 {amount:money}", "; under-billed {amount:money}"),
    "evidence.lines.under_estimated": (
        "；少计 {amount:money}（估算值）", "; under-billed {amount:money} (an estimate)",
    ),
    "evidence.lines.over": (
        "；多计 {amount:money}（应退补，不计入涉及电费）",
        "; over-billed {amount:money} (to refund, not counted as revenue)",
    ),
}  # fmt: skip

# Counted nouns (`count:` and `noun:` placeholders): English has a plural form, Chinese a measure word.
_NOUNS = {
    "noun.bill": ("期账单", "bill"),
    "noun.bill.plural": ("期账单", "bills"),
    "noun.customer": ("户", "customer"),
    "noun.customer.plural": ("户", "customers"),
    "noun.day": ("天", "day"),
    "noun.day.plural": ("天", "days"),
    "noun.month": ("个月", "month"),
    "noun.month.plural": ("个月", "months"),
    "noun.consecutive_month": ("个月", "consecutive month"),
    "noun.consecutive_month.plural": ("个月", "consecutive months"),
    "noun.estimated_read": ("次估抄", "estimated read"),
    "noun.estimated_read.plural": ("次估抄", "estimated reads"),
    "noun.start_register": ("期账单的起码", "start register"),
    "noun.start_register.plural": ("期账单的起码", "start registers"),
    "noun.more_change": ("次变更", "more change"),
    "noun.more_change.plural": ("次变更", "more changes"),
    "noun.more_stalled_order": ("张工单流转超时", "more stalled order"),
    "noun.more_stalled_order.plural": ("张工单流转超时", "more stalled orders"),
    "noun.order": ("张工单", "order"),
    "noun.order.plural": ("张工单", "orders"),
    "noun.suspension": ("次暂停", "suspension"),
    "noun.suspension.plural": ("次暂停", "suspensions"),
    "noun.it": ("该期账单", "it"),
    "noun.it.plural": ("这些账单", "them"),
}

# Words and marks the evidence templates and their arguments use.
_WORDS = {
    "word.first": ("首次为 ", "first "),
    "word.last": ("最近一期为 ", "last "),
    "word.none_in_force": ("无现行电价", "none in force"),
    "mark.empty": ("（空）", "(empty)"),
    "mark.unknown": ("?", "?"),
    "mark.money": ("{amount} 元", "¥{amount}"),
    "mark.span": ("{start} 至 {end}", "{start}..{end}"),
    "mark.join": ("；", "; "),
    "mark.and": ("，且", " and "),
}

WORDS: dict[str, tuple[str, str]] = {
    **_AREAS, **_CODES, **_RULES, **_EVIDENCE, **_NOUNS, **_WORDS
}  # fmt: skip

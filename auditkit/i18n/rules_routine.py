"""Wording (Chinese, English) of rules routine: see `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {
    "rule.billed_tariff_mismatch.title": (
        "计费电价类别与档案不符",
        "Tariff billed differs from the archive's",
    ),
    "rule.billed_tariff_mismatch.checks": (
        "账单的计费电价类别（电价表有此类别）不是档案及其改类工单当期在用的电价类别，且无工单、无计费参数变更可以解释；"
        "涉及电费：按用户合计，按在用电价类别计收的电费减按计费电价类别计收的电费（有电费明细的按计费电量重算两种电价下的"
        "账单，含分时、阶梯、变损、基本电费、力调电费和基金及附加；否则按平段电度电价、基金及附加差额加基本电费差额），"
        "合计为负的列为应退电费、不计入涉及电费。tariff_mismatch 判定档案电价类别有误的用户的账单、无工单变更电价类别"
        "（change_without_order，±window_months 个月）之后的账单、计费电价类别为该用户改类工单原类别或新类别的账单"
        "（何时执行由 order_not_applied、change_without_order 判定）不在此计算（无论是否同时运行这些规则）",
        "a bill priced on a tariff the schedule lists that is not the one the archive and its "
        "tariff-change orders put on it, with no order or change of billing to explain it; "
        "revenue: per customer, what the tariff in force charges less what the tariff billed "
        "charges (itemized bills recomputed on the quantities billed on both tariffs: time of use, "
        "tiers, losses, basic charge, power-factor adjustment and funds; else the flat energy rate, "
        "funds and basic charge), a net over-billing listed as a refund and not counted. Bills of a "
        "customer tariff_mismatch flags, bills after a change of the tariff billed with no order "
        "(change_without_order, ±window_months) and bills on the old or new tariff of one of the "
        "customer's tariff-change orders (when it applied is order_not_applied's and "
        "change_without_order's) are not priced here, whichever rules run",
    ),
    "evidence.billed_tariff_mismatch": (
        "{bills:count:bill}（{months:span}）按电价类别 {billed:text}{then:clause} 计费，档案（含改类工单）在用电价类别为 "
        "{archive:text}",
        "{bills:count:bill} {months:span} billed on tariff {billed:text}{then:clause}, the "
        "archive's tariff in force (with its tariff-change orders) being {archive:text}",
    ),
    "evidence.billed_tariff_mismatch.then": (
        "，改类工单生效后为 {archive:text}",
        ", then {archive:text} once its tariff-change order took effect",
    ),
    "evidence.left.change_without_order": (
        "{bills:count:bill}在无工单变更计费电价类别之后，其相对变更前电价类别的差额计入“无工单变更计费参数”规则，此处只计其余部分",
        "change_without_order counts what the tariff before a change with no order charges more "
        "on {bills:count:bill}; only the rest is counted here",
    ),
    "evidence.billed_tariff_mismatch.billed_then": (
        "、后改按 {billed:text}",
        ", then on {billed:text}",
    ),
    "evidence.left.billed_tariff_mismatch": (
        "{bills:count:bill}的计费电价类别与档案不符，整期账单（含少计容量）按“计费电价类别与档案不符”规则重算",
        "{bills:count:bill} on another tariff than the archive's are recomputed whole under "
        "billed_tariff_mismatch, their capacity short included",
    ),
    "evidence.left.order_not_applied": (
        "{bills:count:bill}的电价差额计入“变更工单未在计费中执行”规则，改类工单生效后仍按原电价类别计费",
        "the tariff difference of {bills:count:bill} is counted under order_not_applied, "
        "billed on the old tariff after a tariff-change order took effect",
    ),
    "evidence.left.tariff_order_not_applied": (
        "{bills:count:bill}在改类工单生效后仍按原电价类别计费，整期账单（含少计容量）按“变更工单未在计费中执行”规则重算",
        "{bills:count:bill} on the old tariff after a tariff-change order took effect are "
        "recomputed whole under order_not_applied, their capacity short included",
    ),
    "evidence.left.tariff_order": (
        "{bills:count:bill}按该户改类工单所列电价类别计费，何时执行由工单规则判定",
        "{bills:count:bill} billed on a tariff one of the customer's tariff-change orders names, "
        "when it applied being the order rules' question",
    ),
    "evidence.consumption_drop.daily_step": (
        "；该日前后日均用电 {before:num1} 千瓦时→{after:num1} 千瓦时，同类用户同期为此前的 {peers:pct}",
        "; {before:num1} kWh a day in the days before, {after:num1} kWh from it, while its peers "
        "used {peers:pct} of their level before",
    ),
    "evidence.consumption_drop.before_daily": (
        "用电量自 {change:period} 起降至季节性水平的 {ratio:pct}（早于日用电量数据起始日 {first:date}，"
        "按月账单定位），已持续 {steps:int} 个月（疑似度评分 {score:dec1}；较同用电类别、同供电单位用户偏离 "
        "{peer:dec1} 个稳健标准差）；估计少收电费 {revenue:money}",
        "consumption fell to {ratio:pct} of its seasonal level from {change:period}, before the "
        "daily reads began on {first:date} (dated by the monthly bills), and stayed down for "
        "{steps:int} months (suspicion score {score:dec1}; {peer:dec1} robust SD beyond peers of "
        "the same usage type and district); {revenue:money} estimated unbilled",
    ),
    "evidence.tariff_mismatch.voltage": (
        "{usage:usage}用户档案电价类别为 {tariff:text}，现行电价表在其 {voltage:text} 千伏电压等级无此类别",
        "{usage:usage} customer archived on tariff {tariff:text}, which the schedule in force "
        "does not offer at {voltage:text} kV",
    ),
    "evidence.tariff.underbilled": (
        "；数据期内 {bills:count:bill}（{months:span}）少收 {amount:money}",
        "; the data's {bills:count:bill} {months:span} under-billed {amount:money}",
    ),
    "evidence.tariff.overbilled": (
        "；数据期内 {bills:count:bill}（{months:span}）多收 {amount:money}（应退补，不计入涉及电费）",
        "; the data's {bills:count:bill} {months:span} over-billed {amount:money} (to refund, "
        "not counted as revenue)",
    ),
    "evidence.tariff.pf": (
        "，其中力调电费 {amount:money}",
        ", of which {amount:money} of power-factor adjustment",
    ),
    "evidence.tariff.no_tariff_due": (
        "；电价表在其电压等级没有适用于该用电类别的电价，未计算少收电费",
        "; the schedule offers its usage no tariff at its voltage: not priced",
    ),
    "evidence.tariff.bills_on_due": (
        "；账单已按应执行电价计费，未少收",
        "; the bills charged the tariff due: nothing under-billed",
    ),
    "evidence.tariff.no_bills": (
        "；数据中没有该用户的账单，未计算少收电费",
        "; the data hold no bills of it: nothing priced",
    ),
    "evidence.tariff.recoverable_unknown_start": (
        "（起始时间不明，按 {months:span} 可追补 {amount:money}）",
        " ({amount:money} recoverable for {months:span}, the start being unknown)",
    ),
    "evidence.tariff.recoverable_from_order": (
        "（未执行的工单 {order:text} 表明起始时间，按 {months:span} 可追补 {amount:money}）",
        " (order {order:text}, not applied, dates the start: {amount:money} recoverable for "
        "{months:span})",
    ),
    "evidence.tariff.recoverable_from_start": (
        "（账单显示自 {start:period} 起执行错误电价，可全额追补）",
        " (the bills show it began in {start:period}: all of it recoverable)",
    ),
    "evidence.archive.odd_ct_primary": (
        "电流互感器变比 {ct:num2} 非标准（二次 {secondary:num0} A，一次 {primary:num1} A）",
        "non-standard CT ratio {ct:num2} ({primary:num1} A primary on a {secondary:num0} A "
        "secondary)",
    ),
    "evidence.archive.odd_ct_secondary": (
        "电流互感器二次额定电流 {secondary:num1} A 非标准",
        "CT rated secondary {secondary:num1} A is no standard rating",
    ),
    "evidence.archive.pt_high_side": (
        "高供高计用户供电电压 {voltage:text} 千伏，电压互感器变比应为 {needed:num0}，档案为 {pt:num0}",
        "PT ratio {pt:num0} metering on the {voltage:text} kV supply side, where {needed:num0} "
        "is needed",
    ),
    "evidence.archive.pt_low_side": (
        "低压侧计量（供电电压 {voltage:text} 千伏）无需电压互感器，档案变比为 {pt:num0}",
        "PT ratio {pt:num0} with the meter on the low-voltage side of a {voltage:text} kV supply, "
        "where none is needed",
    ),
    "evidence.archive.pt_neither": (
        "供电电压 {voltage:text} 千伏，电压互感器变比 {pt:num0} 既非高压侧计量应有的 {high_side:num0}，也非低压侧计量的 1",
        "PT ratio {pt:num0} on {voltage:text} kV: neither {high_side:num0} (metering on the "
        "supply side) nor 1 (on the low-voltage side)",
    ),
}

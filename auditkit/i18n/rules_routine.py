"""Wording (Chinese, English) of rules routine: see `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {
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

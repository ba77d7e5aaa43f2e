"""Wording (Chinese, English) of the theft scores' reasons and charts
(`auditkit.stats.theft_report`). See `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {
    "theft.column.reason": ("判断依据", "Reason"),
    "stats.method.theft_reasons": (
        "判断依据：日冻结电量覆盖一年零 56 天以上的用户按日冻结电量评分（与自身上年同期和同类用户比较，"
        "变化精确到日；不足两年时与自身此前各日和同类用户比较），其余用户按月账单评分，两者合并排名；"
        "两者都有的用户，账单评分较高且其变化早于日冻结电量可判断的日期、或日冻结电量同期也显示下降时按账单列出，否则按日冻结电量。变化前水平为变化前一年的日均用电，"
        "变化后水平为变化起至统计截止的日均用电；与上年同期之比取变化起首年的电量对比上年同期；"
        "同类用户为同一供电单位、同一用电类别的用户（不足 20 户时为全部用户）。有工单数据时，变化日前后 "
        "{window:,} 天内生效的过户、销户、暂停、减容或改类工单视为已说明该变化：保留评分，但排在所有未说明的用户"
        "之后，不计入强烈可疑户数；换表、新装、增容等工单不能说明用电下降。稽查台账中用电突降或零电量问题经现场核查"
        "登记为误报（此后未在该户其他问题上核实窃电）的，若最近一次核查不早于变化日（按月账单为变化当月之后），"
        "且核查后最近 {after_days:,} 天（按月账单为最近 {after_months:,} 个月）用电未比核查前同样天数（月数）"
        "再下降 {min_drop} 以上（电量本身与对上年同期之比同时下降才算再次下降），同样视为已说明。"
        "已有人跟进的用户评分不变，但在清单中排在无人跟进的用户之后，并在“已有疑点/已核查”列注明："
        "同一统计月份零电量规则（或其让与的电量与示数不符、计量异常告警未处理规则）已有疑点的，"
        "以及稽查台账中用电突降或零电量问题已派发、核实属实、已整改或已追补的；无法运行零电量规则时，"
        "变化后用电全部为零的用户标为“降为零，见零电量规则”。",
        "Reasons: customers whose daily reads span a year and 56 days are scored on them (against "
        "their own same days a year before and their peers, the change dated to the day; with "
        "less than two years, against their own earlier days and their peers), the others on "
        "their monthly bills, in one ranking; a customer with both is listed by its bills where "
        "they scored higher with a fall older than its daily reads can date, or one its daily "
        "reads show too, else by its daily reads. The level before is the mean kWh a day "
        "over the year before the change, the level after from the change to the end of the "
        "study; the ratio to the year before compares the first year from the change with the same "
        "days or months a year before; peers are the customers of the same district and usage type "
        "(every customer when they are fewer than 20). Where the dataset has work orders, an "
        "ownership transfer, closure, suspension, capacity reduction or tariff change taking "
        "effect within {window:,} days of the change explains it: the customer keeps its score but is "
        "ranked after every unexplained customer and not counted among the strongly suspicious; "
        "a meter replacement, new connection or capacity increase explains no fall. So does the "
        "latest field check recorded in the register as a false alarm on a consumption drop or "
        "zero consumption finding (with no theft confirmed on the customer since), when it came "
        "on or after the day of the change (on bills after its month) and the use of the last "
        "{after_days:,} days (on bills the last {after_months:,} months), all after it, is not more "
        "than {min_drop} below that of as many days (months) before it, in kWh and, where there is a "
        "year before, against it: both must fall. Customers someone is already on keep their "
        "score but are listed after the ones no one is on, marked in the 'Already found / "
        "checked' column: those with a finding of the zero-consumption rule (or of a rule it "
        "leaves its losses to: billed energy not following the registers, a metering alarm left "
        "unchecked) for the month studied, and those whose consumption drop or zero consumption finding the register records as "
        "sent, confirmed, rectified or back-billed; where the zero-consumption rule cannot run, "
        "a customer at zero since its change is marked 'fell to zero: the zero-consumption "
        "rule's case'.",
    ),
    # one reason: clauses joined by mark.join, then ended
    "theft.reason.sentence": ("{clauses}。", "{clauses}."),
    "theft.reason.day_fell": (
        "日冻结电量显示，自 {change} 起日均用电由 {before} 千瓦时降至 {after} 千瓦时，下降 {fall}",
        "Daily reads: from {change} the use fell from {before} to {after} kWh a day, {fall} less",
    ),
    "theft.reason.day_rose": (
        "日冻结电量显示，自 {change} 起日均用电由 {before} 千瓦时升至 {after} 千瓦时，上升 {fall}",
        "Daily reads: from {change} the use rose from {before} to {after} kWh a day, {fall} more",
    ),
    "theft.reason.day_from_zero": (
        "日冻结电量显示，自 {change} 起日均用电由 0 升至 {after} 千瓦时",
        "Daily reads: from {change} the use rose from none to {after} kWh a day",
    ),
    "theft.reason.month_fell": (
        "按月账单，自 {change} 起日均用电由 {before} 千瓦时降至 {after} 千瓦时，下降 {fall}",
        "Monthly bills: from {change} the use fell from {before} to {after} kWh a day, {fall} less",
    ),
    "theft.reason.month_rose": (
        "按月账单，自 {change} 起日均用电由 {before} 千瓦时升至 {after} 千瓦时，上升 {fall}",
        "Monthly bills: from {change} the use rose from {before} to {after} kWh a day, {fall} more",
    ),
    "theft.reason.month_from_zero": (
        "按月账单，自 {change} 起日均用电由 0 升至 {after} 千瓦时",
        "Monthly bills: from {change} the use rose from none to {after} kWh a day",
    ),
    "theft.reason.daily_weaker": (
        "日冻结电量评分仅 {score}，取账单评分",
        "its daily reads scored only {score}, so its bills are used",
    ),
    "theft.reason.variation": (
        "日间波动为变化前的 {variation}",
        "its day-to-day variation became {variation} of what it was",
    ),
    "theft.reason.zero_reads": (
        "比较期内 {days} 天读数为 0",
        "{days} days in the compared period read 0 kWh",
    ),
    "theft.reason.own_days": (
        "为自身上年同期的 {own}",
        "{own} of its same days a year before",
    ),
    "theft.reason.own_months": ("为自身上年同月的 {own}", "{own} of its same months a year before"),
    "theft.reason.no_year_before": ("无上年同期数据可比", "no year before to compare with"),
    "theft.reason.peers_group": (
        "同类用户（{usage}，{district}）同期为其上年的 {peers}",
        "its peers ({usage}, {district}) used {peers} of their year before",
    ),
    "theft.reason.peers_everyone": (
        "全部用户同期为其上年的 {peers}",
        "all customers used {peers} of their year before",
    ),
    "theft.reason.profile_flat_year": (
        "负荷曲线显示，自 {change} 起日内各小时用电变平：工作日各小时用电偏离其平均的幅度（变异系数）"
        "为 {after}，上年同期为 {reference}，仅为其 {share}",
        "Interval reads: from {change} its days became flat: on a typical weekday its hours "
        "varied by {after} around their mean, against {reference} on the same days a year before "
        "({share} of it)",
    ),
    "theft.reason.profile_flat_weeks": (
        "负荷曲线显示，自 {change} 起日内各小时用电变平：工作日各小时用电偏离其平均的幅度（变异系数）"
        "为 {after}，变化前四周为 {reference}，仅为其 {share}（无上年同期负荷曲线）",
        "Interval reads: from {change} its days became flat: on a typical weekday its hours "
        "varied by {after} around their mean, against {reference} in the four weeks before "
        "({share} of it; no interval reads a year before)",
    ),
    "theft.reason.profile_reversed": (
        "负荷曲线显示，自 {change} 起日内各小时用电前后颠倒：工作日曲线与自身上年同期曲线的镜像系数为 "
        "{after}（1 为形状相同，-1 为各小时顺序颠倒），变化前四周为 {before}",
        "Interval reads: from {change} the hours of its days were reversed: its weekday shape "
        "scored {after} against its own shape on the same days a year before (1 the same shape, "
        "-1 the hours in reverse order), {before} in the four weeks before",
    ),
    "theft.reason.profile_group": (
        "同类用户（{usage}，{district}）",
        "its peers ({usage}, {district})",
    ),
    "theft.reason.profile_everyone": ("全部有负荷曲线的用户", "all customers with interval reads"),
    "theft.reason.profile_peers_flat": (
        "{peers}同期的变异系数为其上年的 {figure}",
        "{peers} kept {figure} of their variation of a year before",
    ),
    "theft.reason.profile_peers_reversed": ("{peers}同期为 {figure}", "{peers} scored {figure}"),
    "theft.reason.profile_level": (
        "日均用电由 {before} 千瓦时变为 {after} 千瓦时",
        "its use went from {before} to {after} kWh a day",
    ),
    "theft.reason.explained_ownership_transfer": (
        "与 {date} 生效的过户工单相符，已有工单说明，排在未说明的用户之后",
        "an ownership transfer took effect on {date}: the work order explains the change, "
        "ranked after the unexplained customers",
    ),
    "theft.reason.explained_closure": (
        "与 {date} 生效的销户工单相符，已有工单说明，排在未说明的用户之后",
        "the account was closed on {date}: the work order explains the change, ranked after the "
        "unexplained customers",
    ),
    "theft.reason.explained_suspension": (
        "与 {date} 生效的暂停工单相符，已有工单说明，排在未说明的用户之后",
        "a suspension took effect on {date}: the work order explains the change, ranked after "
        "the unexplained customers",
    ),
    "theft.reason.explained_capacity_reduction": (
        "与 {date} 生效的减容工单相符，已有工单说明，排在未说明的用户之后",
        "a capacity reduction took effect on {date}: the work order explains the change, ranked "
        "after the unexplained customers",
    ),
    "theft.reason.explained_field_check": (
        "{date} 现场核查已见到此变化且未发现异常（登记为误报），排在未说明的用户之后",
        "a field check on {date} saw this change and found nothing wrong (recorded as a false "
        "alarm): ranked after the unexplained customers",
    ),
    "theft.reason.explained_tariff_change": (
        "与 {date} 生效的改类工单相符，已有工单说明，排在未说明的用户之后",
        "a tariff change took effect on {date}: the work order explains the change, ranked "
        "after the unexplained customers",
    ),
    "theft.sentence.explained": (
        "另有 {count:,} 户评分大于 3，但其变化已有过户、销户、暂停、减容或改类工单说明，"
        "或现场核查已见过且未发现异常，排在其后。",
        " {count:,} more score above 3, but a work order (ownership transfer, closure, suspension, "
        "capacity reduction or tariff change) explains their change, or a field check that found "
        "nothing wrong has seen it; they are ranked after the others.",
    ),
    "stats.status.explained": (
        "已有工单或现场核查说明",
        "explained by a work order or field check",
    ),
    "theft.column.record": ("已有疑点/已核查", "Already found / checked"),
    "theft.followed.rule": ("已有“{rule}”疑点", "'{rule}' finding"),
    "theft.followed.zero_since_change": (
        "降为零，见零电量规则",
        "fell to zero: the zero-consumption rule's case",
    ),
    "theft.followed.event": ("{date} 核查：{outcome}", "field check: {outcome} on {date}"),
    "theft.followed.explained_field_check": (
        "{date} 核查：误报（未见异常）",
        "field check: false alarm on {date}",
    ),
    "theft.followed.explained_ownership_transfer": ("{date} 过户工单", "transfer order of {date}"),
    "theft.followed.explained_closure": ("{date} 销户工单", "closure order of {date}"),
    "theft.followed.explained_suspension": ("{date} 暂停工单", "suspension order of {date}"),
    "theft.followed.explained_capacity_reduction": (
        "{date} 减容工单",
        "capacity reduction order of {date}",
    ),
    "theft.followed.explained_tariff_change": ("{date} 改类工单", "tariff change order of {date}"),
    "theft.reason.followed": (
        "已有人跟进（{mark}），排在无人跟进的用户之后",
        "already followed up ({mark}): ranked after the customers no one is on",
    ),
    "theft.sentence.followed": (
        "{count:,} 户用电量持续突降、窃电嫌疑评分大于 3（强烈可疑）；其中 {followed:,} 户已有零电量等"
        "规则的疑点或现场核查记录（表中“已有疑点/已核查”列标出，排在后面），其余 {fresh:,} 户无人跟进，"
        "建议优先现场核查。",
        "{count:,} customers show a sustained drop with a theft suspicion score above 3 (strongly "
        "suspicious); {followed:,} of them already have a finding of another rule (zero "
        "consumption) or a field check on record (marked in the table's 'Already found / "
        "checked' column and listed after the others): inspect the other {fresh:,} first.",
    ),
    "theft.chart.title_followed": (
        "{customer}（评分 {score}，已有疑点/已核查）",
        "{customer} (score {score}, already found / checked)",
    ),
    "theft.reason.score": ("评分 {score}", "score {score}"),
    "theft.chart.title": ("{customer}（评分 {score}）", "{customer} (score {score})"),
    "theft.chart.title_flat": (
        "{customer}（评分 {score}，日内用电变平）",
        "{customer} (score {score}, flat days)",
    ),
    "theft.chart.title_reversed": (
        "{customer}（评分 {score}，日内各小时颠倒）",
        "{customer} (score {score}, hours reversed)",
    ),
    "theft.chart.title_explained_field_check": (
        "{customer}（评分 {score}，{date} 现场核查未见异常）",
        "{customer} (score {score}, checked on {date}: nothing wrong)",
    ),
    "theft.chart.title_explained": (
        "{customer}（评分 {score}，{date} 工单已说明）",
        "{customer} (score {score}, explained by an order of {date})",
    ),
    "theft.chart.this_period": ("日均用电", "kWh a day"),
    "theft.chart.year_before": ("上年同期", "Same period a year before"),
    "theft.chart.levels": ("变化前后日均水平", "Level before and after"),
    "theft.chart.change": ("水平变化起点", "Change"),
    "theft.chart.kwh_per_day": ("千瓦时/日", "kWh/day"),
    "theft.chart.hour": ("时刻（时）", "Hour of the day"),
    "theft.chart.kwh_per_hour": ("千瓦时/小时", "kWh/hour"),
    "theft.chart.weeks_before": ("变化前四周工作日", "Weekdays, four weeks before"),
    "theft.chart.from_change": ("变化后工作日", "Weekdays from the change"),
    "theft.chart.days_year_before": ("上年同期工作日", "Same weekdays a year before"),
    "stats.method.theft_profile": (
        "负荷曲线：有分时（小时或 15 分钟）负荷曲线的用户，另检验每日用电曲线的形状（Jokar 等 2016 年的"
        " h5 整日拉平、h6 各小时顺序颠倒两类窃电不改变日电量）：与自身上年同季同类日（工作日或周末）的"
        "曲线和同类用户同日比较，搜索持续至统计截止的变化。由此评分的用户按工作日说明：变平者给出各小时"
        "用电的变异系数（标准差与平均之比，整日拉平为 0）变化后与上年同期（无上年同期时与变化前四周）"
        "之比；颠倒者给出镜像系数（1 为与上年同期形状相同，-1 为各小时顺序颠倒，不计谷段与其余时段之间"
        "整体转移的电量）；同类用户的同一数值取至多 200 户的中位数；图中为变化前四周、变化后和上年同期"
        "工作日各小时的平均用电。",
        "Interval reads: customers with an hourly or 15-minute load curve are also tested on the "
        "shape of their days (Jokar et al. 2016's h5, a day flattened to its mean, and h6, its "
        "hours reversed, keep the day's energy): against their own days of the same kind (weekday "
        "or weekend) in the same season a year before and their peers on the same day, searched "
        "for a change lasting to the end of the study. A customer scored on it is described by its "
        "weekdays: a flat one by the coefficient of variation of its hours (their standard "
        "deviation over their mean, 0 for a flattened day) from the change on against the same "
        "days a year before (without them, the four weeks before); a reversed one by its mirror "
        "figure (1 the shape of the same days a year before, -1 its hours reversed, energy moved "
        "as a block between the valley and the other hours left out); the peers' figure is the "
        "median of at most 200 of them; the chart shows the mean kWh in each hour of the weekdays "
        "in the four weeks before the change, from it on and a year before.",
    ),
}

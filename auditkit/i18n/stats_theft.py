"""Wording (Chinese, English) of the theft scores' reasons and charts
(`auditkit.stats.theft_report`). See `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {
    "theft.column.reason": ("判断依据", "Reason"),
    "stats.method.theft_reasons": (
        "判断依据：日冻结电量覆盖一年零 56 天以上的用户按日冻结电量评分（与自身上年同期和同类用户比较，"
        "变化精确到日），其余用户按月账单评分，两者合并排名。变化前水平为变化前一年的日均用电，"
        "变化后水平为变化起至统计截止的日均用电；与上年同期之比取变化起首年的电量对比上年同期；"
        "同类用户为同一供电单位、同一用电类别的用户（不足 20 户时为全部用户）。",
        "Reasons: customers whose daily reads span a year and 56 days are scored on them (against "
        "their own same days a year before and their peers, the change dated to the day), the "
        "others on their monthly bills, in one ranking. The level before is the mean kWh a day "
        "over the year before the change, the level after from the change to the end of the "
        "study; the ratio to the year before compares the first year from the change with the same "
        "days or months a year before; peers are the customers of the same district and usage type "
        "(every customer when they are fewer than 20).",
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
    "theft.reason.month_fell": (
        "按月账单，自 {change} 起日均用电由 {before} 千瓦时降至 {after} 千瓦时，下降 {fall}",
        "Monthly bills: from {change} the use fell from {before} to {after} kWh a day, {fall} less",
    ),
    "theft.reason.month_rose": (
        "按月账单，自 {change} 起日均用电由 {before} 千瓦时升至 {after} 千瓦时，上升 {fall}",
        "Monthly bills: from {change} the use rose from {before} to {after} kWh a day, {fall} more",
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
    "theft.reason.score": ("评分 {score}", "score {score}"),
    "theft.chart.title": ("{customer}（评分 {score}）", "{customer} (score {score})"),
    "theft.chart.this_period": ("日均用电", "kWh a day"),
    "theft.chart.year_before": ("上年同期", "Same period a year before"),
    "theft.chart.levels": ("变化前后日均水平", "Level before and after"),
    "theft.chart.change": ("水平变化起点", "Change"),
    "theft.chart.kwh_per_day": ("千瓦时/日", "kWh/day"),
}

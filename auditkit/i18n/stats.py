"""Wording of auditkit.stats: headings, table labels and sentences (zh, en) by key.

`stats.column.` labels table columns, `stats.heading.` the consumption notebook's sections,
`stats.status.`, `stats.test.`, `stats.direction.` and `stats.conformity.` name the codes the
statistics return, `stats.note.` the remarks a computation returns as codes with values,
`stats.sentence.` the conclusions, `stats.chart.` the charts' labels, `stats.method.` the methods
section; sentences are `str.format` templates.
"""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    # table columns (district, customer and score are common.)
    "stats.column.usage_type": ("用电类别", "Usage type"),
    "stats.column.customers": ("户数", "Customers"),
    "stats.column.bills": ("账单数", "Bills"),
    "stats.column.kwh": ("售电量 (千瓦时)", "Energy (kWh)"),
    "stats.column.revenue": ("电费 (元)", "Revenue (yuan)"),
    "stats.column.avg_price": ("平均电价 (元/千瓦时)", "Average price (yuan/kWh)"),
    "stats.column.kwh_yoy": ("售电量同比", "Energy YoY"),
    "stats.column.revenue_yoy": ("电费同比", "Revenue YoY"),
    "stats.column.estimated_share": ("估抄比例", "Estimated reads"),
    "stats.column.zero_share": ("零电量比例", "Zero-kWh bills"),
    "stats.column.kwh_supplied": ("供电量 (千瓦时)", "Supplied (kWh)"),
    "stats.column.line_loss": ("线损率", "Line loss"),
    "stats.column.kwh_share": ("电量占比", "Share of energy"),
    "stats.column.period": ("月份", "Month"),
    "stats.column.observed": ("实际值", "Observed"),
    "stats.column.expected": ("趋势+季节", "Trend + season"),
    "stats.column.resid_z": ("残差稳健z", "Residual robust z"),
    "stats.column.recent_kwh": ("近期月均电量", "Recent kWh/month"),
    "stats.column.year_before_kwh": ("上年同期月均", "Year-before kWh/month"),
    "stats.column.change": ("同比变化", "Change"),
    "stats.column.self_z": ("对比自身 z", "Self z"),
    "stats.column.peer_z": ("对比同类 z", "Peer z"),
    "stats.column.direction": ("方向", "Direction"),
    "stats.column.drop_ratio": ("降后/降前", "After / before"),
    "stats.column.change_at": ("突降起始", "Drop from"),
    "stats.column.steps_since_change": ("持续期数", "Periods since"),
    "stats.column.count": ("数量", "Count"),
    "stats.column.n": ("金额个数", "Amounts"),
    "stats.column.n_excluded": ("剔除", "Left out"),
    "stats.column.chi2": ("卡方", "Chi-square"),
    "stats.column.mad": ("MAD", "MAD"),
    "stats.column.conformity": (
        "MAD 区间（Nigrini，适用于大样本）",
        "MAD range (Nigrini, for large samples)",
    ),
    "stats.column.standouts": (
        "显著偏多↑或偏少↓的数字（逐个 z 检验）",
        "Digits that stand out (z test of each)",
    ),
    "stats.column.volume": ("样本量", "Volume"),
    "stats.column.events": ("事件数", "Events"),
    "stats.column.rate": ("比率", "Rate"),
    "stats.column.limits": ("{level} 控制限", "{level} limits"),
    "stats.column.digit": ("数字", "Digit"),
    "stats.column.expected_share": ("本福特期望占比", "Benford expected"),
    "stats.column.observed_share": ("实际占比", "Observed share"),
    "stats.column.z": ("z 值", "z"),
    # daily smart-meter reads
    "stats.column.metered_customers": ("日冻结电量户数", "Customers with daily reads"),
    "stats.column.days_read": ("有读数天数", "Days read"),
    "stats.column.kwh_read_total": ("日电量合计 (千瓦时)", "Energy read (kWh)"),
    "stats.column.kwh_per_customer_day": ("户均日电量 (千瓦时)", "kWh per customer-day"),
    "stats.column.peak_date": ("最大日", "Peak day"),
    "stats.column.peak_kwh": ("最大日电量 (千瓦时)", "Peak day (kWh)"),
    "stats.column.load_factor": ("日负荷率", "Daily load factor"),
    "stats.column.missing_share": ("缺数比例", "Missing reads"),
    "stats.column.zero_reads": ("零电量比例", "Zero reads"),
    "stats.column.weekend_ratio": ("周末/工作日", "Weekend / weekday"),
    "stats.column.kwh_read": ("日电量累计 (千瓦时)", "Read (kWh)"),
    "stats.column.kwh_billed": ("抄表结算电量 (千瓦时)", "Billed (kWh)"),
    "stats.column.difference": ("差额 (千瓦时)", "Billed − read (kWh)"),
    "stats.column.difference_share": ("差额比例", "Difference"),
    # codes the statistics return
    "stats.status.scored": ("已评分", "scored"),
    "stats.status.all_zero": (
        "全部为零（另由零电量规则处理）",
        "all zero (the zero-consumption rule's case)",
    ),
    "stats.status.too_short": ("数据过短", "too short"),
    "stats.status.no_recent_change": ("近期或上年同期无读数", "no reads recently or a year before"),
    "stats.status.idle_year_before": (
        "上年同期未用电（如空置），无比较基准",
        "no use a year before (a vacancy): nothing to compare with",
    ),
    "stats.status.short_history": ("历史不足", "short history"),
    "stats.status.no_peers": ("同类用户不足", "too few peers"),
    "stats.test.first": ("首位数字", "first digit"),
    "stats.test.second": ("第二位数字", "second digit"),
    "stats.test.first_two": ("前两位数字", "first two digits"),
    "stats.direction.drop": ("下降", "drop"),
    "stats.direction.rise": ("上升", "rise"),
    "stats.conformity.close": ("高度符合", "close"),
    "stats.conformity.acceptable": ("可接受", "acceptable"),
    "stats.conformity.marginal": ("勉强符合", "marginal"),
    "stats.conformity.nonconformity": ("不符合", "nonconformity"),
    "stats.funnel.within": ("在控制限内", "within the limits"),
    "stats.funnel.no_volume": ("无样本", "no volume"),
    "stats.funnel.above": ("高于 {level} 上限", "above the {level} limit"),
    "stats.funnel.below": ("低于 {level} 下限", "below the {level} limit"),
    # headings of the consumption notebook
    "stats.heading.summary": ("供电单位概况", "District summary"),
    "stats.heading.by_usage": ("分用电类别", "By usage type"),
    "stats.heading.monthly": ("逐月走势", "Month by month"),
    "stats.heading.seasonality": ("季节性分解与异常月份", "Seasonality and out-of-line months"),
    "stats.heading.theft": ("用电量持续突降（窃电嫌疑）", "Sustained drops (theft suspicion)"),
    "stats.heading.anomalies": ("用户用电异常评分", "Customer anomaly scores"),
    "stats.heading.daily": ("日冻结电量（智能电表）", "Daily smart-meter reads"),
    "stats.heading.benford": ("电费金额本福特检验", "Benford tests of bill amounts"),
    "stats.heading.funnel": ("估抄比例漏斗图", "Funnel plot of estimated reads"),
    "stats.chart.customer_series": (
        "{customers} 的月电量（近 12 个月加粗）",
        "Monthly kWh of {customers} (the last 12 months bold)",
    ),
    # headline figures
    "stats.headline.theft_suspects": ("窃电嫌疑户 (评分>3)", "Theft suspects (score > 3)"),
    # remarks of the computations
    "stats.note.unknown_customers": (
        "{count:,} 条账单的户号不在客户档案中，未计入统计。",
        "{count:,} bills belong to customers missing from the archive and are left out.",
    ),
    "stats.note.months_before_bills": (
        "所选 {asked:,} 个月中只有 {covered:,} 个月有账单：账单始于 {first}，稽查期间自 {first} 起。",
        "{covered:,} of the {asked:,} months asked: the bills begin in {first}, so the period "
        "starts there.",
    ),
    "stats.note.no_bills": (
        "{district}：统计期内没有账单。",
        "{district}: no bills in the period.",
    ),
    "stats.note.missing_months": (
        "{district}：{months} 无账单（缺月），同比和线损不计算。",
        "{district}: no bills for {months} (missing months); year-over-year change and line "
        "loss are not computed.",
    ),
    "stats.note.no_supply": (
        "未提供 district_supply（供电量）表，线损率不计算。",
        "No district_supply table: line-loss rates are not computed.",
    ),
    "stats.note.no_year_before": (
        "{district}：缺少上年同期账单，无法计算同比。",
        "{district}: no complete year-earlier bills, so no year-over-year change.",
    ),
    "stats.note.supply_incomplete": (
        "{district}：供电量数据不完整，线损率不计算。",
        "{district}: supplied energy incomplete, so no line-loss rate.",
    ),
    "stats.note.supply_unknown_districts": (
        "district_supply 中有 {count:,} 个供电单位不在客户档案中（{districts}），其供电量未计入；"
        "请核对单位名称。",
        "district_supply names {count:,} districts not in the customer archive ({districts}): "
        "their supply is not counted; check the district names.",
    ),
    "stats.note.nothing_supplied": (
        "{district}：统计期内供电量为 0 kWh，而售电量为 {kwh} kWh，线损率无法计算；应核查供电量数据。",
        "{district}: supplied 0 kWh over the window but billed {kwh} kWh, so no line-loss rate; "
        "check the supplied-energy figures.",
    ),
    "stats.note.negative_loss": (
        "{district}：线损率为负（{line_loss}），售电量大于供电量，应核查倍率或户变关系。",
        "{district}: negative line loss ({line_loss}): more energy billed than supplied; "
        "check multipliers and which customers belong to the district.",
    ),
    "stats.note.high_loss": (
        "{district}：线损率 {line_loss} 高于 {high_loss}，可能存在窃电或计量差错。",
        "{district}: line loss {line_loss} above {high_loss}: possible theft or metering errors.",
    ),
    "stats.note.too_short": (
        "{name}：季节分解至少需要 {needed:,} 个月的数据，实际只有 {found:,} 个月。",
        "{name}: seasonal decomposition needs at least {needed:,} months of data, found {found:,}.",
    ),
    "stats.note.all_zero": (
        "{name}：各月数值均为 0，无季节性可言。",
        "{name}: every month is zero; there is no seasonality to speak of.",
    ),
    "stats.note.constant": (
        "{name}：各月数值相同，无季节性可言。",
        "{name}: every month has the same value; there is no seasonality to speak of.",
    ),
    "stats.note.interpolated": (
        "{name}：{months} 缺数据，分解时按线性插值补齐，不作异常判断。",
        "{name}: no data for {months}; interpolated for the decomposition and never flagged.",
    ),
    "stats.note.district_bills_end": (
        "{district} 的账单止于 {last}，早于本期 {month}：其用户的异常与窃电评分计至 {last}。",
        "{district}'s bills end in {last}, before the study month {month}: its customers are "
        "scored up to {last}.",
    ),
    "stats.note.daily_after_month": (
        "日电量读数自 {first} 起，晚于 {month}：本期无日电量分析。",
        "daily reads begin on {first}, after {month}: no daily profile for this month.",
    ),
    "stats.note.unknown_meters": (
        "{count:,} 条日电量读数的用户不在档案中，未计入。",
        "{count:,} daily reads of customers not in the archive are left out.",
    ),
    "stats.note.daily_undated_reads": (
        "{count:,} 条日电量读数没有日期，未计入。",
        "{count:,} daily reads without a date are left out.",
    ),
    "stats.note.daily_months_part_read": (
        "有日电量且有账单的 {total:,} 个用户·月中，{count:,} 个有未读到日电量的日子，未参与电量核对："
        "账单计整月电量，缺读的日子是缺数，不是 0 千瓦时。",
        "{count:,} of the {total:,} customer-months read and billed have days without a daily read and are "
        "left out of the reconciliation: a bill covers the whole month, and an unread day is "
        "missing, not 0 kWh.",
    ),
    "stats.note.no_testable_amount": (
        "无可检验金额（均缺失、非正或小于 10）",
        "no amount >= 10 to test",
    ),
    "stats.note.small_sample": (
        "样本偏小，卡方仅供参考",
        "small sample: chi-square only indicative",
    ),
    # conclusions
    "stats.sentence.summary_complete": (
        "{period_from} 至 {period_to}，各单位每月均有账单和供电量，无缺月，无预警。",
        "From {period_from} to {period_to}, every district has bills and supply in every month: "
        "no gap, nothing flagged.",
    ),
    "stats.sentence.highest_loss": (
        "{period_from} 至 {period_to}，线损率最高的是{district}（{line_loss}）。",
        "From {period_from} to {period_to}, the highest line loss is {district}'s ({line_loss}).",
    ),
    "stats.sentence.weakest_growth": (
        "售电量同比增幅最低的是{district}（{kwh_yoy}）。",
        "The weakest year-over-year energy change is {district}'s ({kwh_yoy}).",
    ),
    "stats.sentence.highest_loss_district": (
        "{period_from} 至 {period_to}，{district}的线损率为 {line_loss}。",
        "From {period_from} to {period_to}, {district}'s line loss is {line_loss}.",
    ),
    "stats.sentence.weakest_growth_district": (
        "{district}售电量同比变化 {kwh_yoy}。",
        "{district}'s year-over-year energy change is {kwh_yoy}.",
    ),
    "stats.sentence.outliers": (
        "季节分解发现 {count:,} 个异常月份（残差稳健 z 绝对值大于 3）。",
        "The seasonal decomposition finds {count:,} out-of-line months (|robust z| > 3).",
    ),
    "stats.sentence.outliers_not_computed": (
        "季节分解未做：所分析的单位都没有 {months:,} 个月的账单，异常月份不作结论。",
        "The seasonal decomposition was not computed: no district studied has {months:,} months of "
        "bills, so nothing is said of out-of-line months.",
    ),
    "stats.sentence.theft_not_computed": (
        "窃电嫌疑评分未做：没有可评分的用户（{reason}）。",
        "Theft suspicion scores were not computed: no customer could be scored ({reason}).",
    ),
    "stats.sentence.anomalies_not_computed": (
        "用电异常评分未做：没有可评分的用户（{reason}）。",
        "Anomaly scores were not computed: no customer could be scored ({reason}).",
    ),
    "stats.sentence.status_count": ("{status} {count:,} 户", "{status}: {count:,}"),
    "stats.sentence.no_customer_billed": (
        "所分析月份内没有用户的账单",
        "no customer has bills in the months studied",
    ),
    "stats.outliers.none": (
        "没有异常月份：各区的残差稳健 z 绝对值均不大于 {threshold}。",
        "No out-of-line month: every district's |robust z| of the residual is {threshold} or less.",
    ),
    "stats.sentence.rounded_total": (
        "表中各单位的{columns}分别四舍五入；页首合计为未取整数值之和再四舍五入，"
        "与表中各行之和可能相差末位 1。",
        "Each district's {columns} is rounded on its own; the total at the top is the sum of the "
        "unrounded figures, then rounded, so it may differ by 1 in the last digit from the sum "
        "of the rows shown.",
    ),
    "stats.sentence.theft": (
        "{count:,} 户用电量持续突降、窃电嫌疑评分大于 3（强烈可疑），建议优先现场核查。",
        "{count:,} customers show a sustained drop with a theft suspicion score above 3 (strongly "
        "suspicious); inspect them first.",
    ),
    "stats.sentence.anomalies": (
        "{count:,} 户近期用电与自身历史和同类用户相比都异常（评分大于 3）。",
        "{count:,} customers' recent consumption is unusual both for themselves and for their "
        "peers (score above 3).",
    ),
    "stats.sentence.benford_untested": (
        "没有可做本福特检验的金额。",
        "No amounts could be tested against Benford.",
    ),
    "stats.sentence.benford_conforms": (
        "电费金额前两位数字在各单位均未偏离本福特定律。",
        "Bill amounts' first two digits depart from Benford's law in no district.",
    ),
    "stats.sentence.benford_conforms_judged": (
        "样本足以判断的单位，电费金额前两位数字均未显著偏离本福特定律。",
        "Bill amounts' first two digits depart from Benford's law in no district with enough "
        "amounts to judge.",
    ),
    "stats.sentence.benford_too_few": (
        "{names}的电费金额太少，无法判断前两位数字是否符合本福特定律（部分数字期望频数不足 5，"
        "符合定律的小样本其 MAD 也会落入不符合区间）。",
        "Too few bill amounts to judge their first two digits against Benford's law in: {names} "
        "(some digit pairs are expected fewer than 5 times, and a small sample drawn from the "
        "law itself shows a MAD in Nigrini's nonconformity range).",
    ),
    "stats.sentence.benford_departs": (
        "电费金额前两位数字偏离本福特定律的单位：{names}。",
        "Bill amounts' first two digits depart from Benford's law in: {names}.",
    ),
    "stats.sentence.benford_departs_everywhere": (
        "各单位电费金额前两位数字均偏离本福特定律（MAD 中位数 {median:.4f}）：同类用户的电费"
        "集中在较窄范围内，本福特定律的前提（金额跨越多个数量级）不成立，宜在单位之间横向比较；"
        "偏离最大的是{district}（MAD {mad:.4f}）。",
        "Bill amounts depart from Benford's law in every district (median MAD {median:.4f}): "
        "bills of similar customers cluster in a narrow range, so the law's premise (amounts "
        "spanning several orders of magnitude) fails and districts are best compared with each "
        "other; the largest departure is {district}'s (MAD {mad:.4f}).",
    ),
    "stats.sentence.funnel_outside": (
        "估抄比例超出 99.8% 控制限的单位：{names}。",
        "Districts outside the 99.8% limits of the estimated-read share: {names}.",
    ),
    "stats.sentence.funnel": (
        "超出 {level} 控制限的单位：{names}。",
        "Units outside the {level} limits: {names}.",
    ),
    "stats.sentence.decomposition": (
        "{name}：{count:,} 个异常月份（残差稳健 z 绝对值大于 {threshold:g}）。",
        "{name}: {count:,} out-of-line months (|robust z| > {threshold:g}).",
    ),
    "stats.sentence.scores": (
        "{scored:,} 户已评分，其中 {strong:,} 户评分大于 3（强烈可疑）。",
        "{scored:,} customers scored, {strong:,} of them above 3 (strongly suspicious).",
    ),
    "stats.sentence.benford": (
        "{n:,} 个金额参与检验（剔除 {n_excluded:,} 个：缺失或无穷大 {n_missing:,}、非正 {n_nonpositive:,}、"
        "小于 10 的 {n_below_10:,}）。MAD = {mad:.4f}，{conformity}；卡方 = {chi2:.1f}（自由度 {df:,}），"
        "{p_value}。显著偏离的数字：{digits}。",
        "{n:,} amounts tested ({n_excluded:,} left out: {n_missing:,} missing or infinite, "
        "{n_nonpositive:,} zero "
        "or negative, {n_below_10:,} below 10). MAD = {mad:.4f}: {conformity}; chi-square = "
        "{chi2:.1f} (df {df:,}), {p_value}. Digits that stand out: {digits}.",
    ),
    "stats.sentence.benford_small_sample": (
        "样本偏小（部分数字期望频数不足 5），卡方检验仅供参考。",
        " Small sample (some expected counts below 5): the chi-square is only indicative.",
    ),
    "stats.sentence.daily_gap": (
        "{district} {period}：结算电量比日冻结电量累计{direction} {share}"
        "（{kwh} 千瓦时，{customers}）。",
        "{district} {period}: billed {share} {direction} than the daily reads add up to "
        "({kwh} kWh, {customers}).",
    ),
    "stats.sentence.daily_less": ("少", "less"),
    "stats.sentence.daily_more": ("多", "more"),
    "stats.sentence.daily_within": (
        "各单位逐月结算电量与日冻结电量累计相差均不超过 {gap_share}。",
        "Every district's monthly billed energy is within {gap_share} of its daily reads.",
    ),
    # charts
    "stats.chart.monthly_title": ("各单位{label}逐月", "{label} by month and district"),
    "stats.chart.kwh": ("售电量 (千瓦时)", "Billed energy (kWh)"),
    "stats.chart.revenue": ("电费收入 (元)", "Revenue (yuan)"),
    "stats.chart.estimated_share": ("估抄比例", "Share of estimated reads"),
    "stats.chart.zero_share": ("零电量户比例", "Share of zero-kWh bills"),
    "stats.chart.line_loss": ("线损率", "Line-loss rate"),
    "stats.chart.kwh_yoy": ("售电量同比", "Energy, year over year"),
    "stats.chart.customers": ("抄表户数", "Customers billed"),
    "stats.chart.observed": ("实际", "Observed"),
    "stats.chart.trend": ("趋势", "Trend"),
    "stats.chart.seasonal": ("季节", "Seasonal"),
    "stats.chart.resid": ("残差", "Residual"),
    "stats.chart.outlier": ("异常月份", "Out-of-line month"),
    "stats.chart.with_unit": ("{label}（{unit}）", "{label} ({unit})"),
    "stats.unit.kwh": ("千瓦时", "kWh"),
    "stats.chart.decomposition": ("{name}：STL 季节分解", "{name}: STL decomposition"),
    "stats.chart.last_12": ("近 12 个月（加粗）", "Last 12 months (bold)"),
    "stats.chart.monthly_kwh": ("月电量（千瓦时）", "Monthly kWh"),
    "stats.chart.scored_months": (
        "评分所比较的近 {months:,} 个月",
        "The last {months:,} months the score compares",
    ),
    "stats.chart.scored_year_before": ("上年同月（比较基准）", "The same months a year before"),
    "stats.chart.anomaly_title": ("{customer} · 评分 {score}", "{customer} · score {score}"),
    "stats.chart.benford_off": (
        "实际占比：该数字显著偏多或偏少",
        "Observed share: the digit significantly over or under",
    ),
    "stats.chart.benford_expected": ("本福特定律期望", "Benford expected"),
    "stats.chart.benford_digit_first": ("首位数字", "First digit"),
    "stats.chart.benford_digit_second": ("第二位数字", "Second digit"),
    "stats.chart.benford_digit_first_two": ("前两位数字", "First two digits"),
    "stats.chart.benford_title": (
        "本福特检验（MAD = {mad:.4f}）",
        "Benford test (MAD = {mad:.4f})",
    ),
    "stats.chart.benford_named_title": (
        "{name}：{test}（{n:,} 个金额，MAD = {mad:.4f}，Nigrini 区间：{conformity}）",
        "{name}: {test} ({n:,} amounts, MAD = {mad:.4f}, Nigrini's range: {conformity})",
    ),
    "stats.chart.target": ("目标 {target}", "target {target}"),
    "stats.chart.funnel": ("漏斗图", "Funnel plot"),
    "stats.chart.daily_axis": ("户均日电量 (千瓦时)", "kWh per customer and day"),
    "stats.chart.daily_title": (
        "各单位户均日电量（粗线：7 日均值）",
        "Daily kWh per customer (bold: 7-day mean)",
    ),
    # methods
    "stats.method.summary": (
        "统计期为截至数据月份的最近若干个月，同比与上年同期相同月份比较；某单位缺月时不计算同比和线损。"
        "线损率 = 1 − 售电量 / 供电量；负线损提示倍率或户变关系错误，高于 10% 提示窃电或计量差错。",
        "The window is the last months up to the data month; year-over-year compares the same "
        "months a year earlier and is skipped when a month is missing. Line loss = 1 - billed / "
        "supplied: negative points at multiplier or membership errors, above 10% at theft or "
        "metering errors.",
    ),
    "stats.method.seasonality": (
        "季节分解用 STL（statsmodels，周期 12 个月）；残差按中位数和 MAD 标准化（稳健 z），"
        "绝对值大于 3 的月份列为异常。",
        "Seasonality: STL (statsmodels, period 12); residuals are scored by robust z (median and "
        "MAD) and months beyond |z| > 3 are listed.",
    ),
    "stats.method.theft": (
        "窃电嫌疑评分：对每户对数电量拟合“水平 + 趋势 + 全体用户共同季节模式 + 一次台阶下降”，"
        "在所有可能的起点中找最显著的下降，按稳健噪声、自相关和多次尝试校正为 z 值；"
        "大于 3 为强烈可疑。全部为零的用户不评分（由零电量规则处理）。",
        "Theft suspicion: each customer's log consumption is fitted with level, trend, the common "
        "seasonal patterns of all customers and one step down, searched over every start; the "
        "evidence that the drop exceeds 20% is a z corrected for robust noise, autocorrelation "
        "and the search. Above 3 is strongly suspicious. All-zero series are not scored (the "
        "zero-consumption rule covers them).",
    ),
    "stats.method.anomalies": (
        "用户异常评分：近 3 个月的同比对数变化，分别与该户以往的同比变化、同单位同类别用户的变化比较"
        "（稳健 z）；两者同向时取较小者为评分。某月的上年同月电量低于该户用电较多月份（有用电月份的第 90 百分位）的 5%"
        "（空置）时，该月无比较基准，不计入变化及近期、上年同期月均电量；但以往各年该月都如此的"
        "（如灌溉泵冬季停用，且这些年份其他月份有用电），是该户的季节常态，照常比较。",
        "Anomaly score: the year-over-year log change of the last 3 months, compared with the "
        "customer's own earlier changes and with peers of the same district and usage type "
        "(robust z); when both agree in sign, the smaller is the score. A month whose same month "
        "a year before billed under 5% of the customer's busy month (the 90th percentile of its months with use; a vacancy) is "
        "no baseline and is left out of the change and of the recent and year-before kWh; where "
        "that month was so in every earlier year, with use in those years' other months (a pump off every winter), it is the "
        "customer's season and is compared.",
    ),
    "stats.method.benford": (
        "本福特检验剔除缺失、非正和小于 10 的金额；MAD 区间按 Nigrini (2012) 划分"
        "（首位：0.006/0.012/0.015；前两位：0.0012/0.0018/0.0022）。判为偏离须同时满足两条："
        "卡方 p 小于检验水平（默认 0.05），且 MAD 为勉强符合或不符合。只看卡方，金额多时微小偏差也显著；只看 MAD，"
        "金额少时完全符合定律的样本也会落入不符合区间（Nigrini 的区间按大样本制定，见“符合时期望 "
        "MAD”）。两条不一致时，“判定依据”一栏说明原因。部分数字期望频数不足 5 的单位不作判定。",
        "Benford tests leave out missing, non-positive and below-10 amounts; MAD ranges "
        "follow Nigrini (2012) (first digit 0.006/0.012/0.015; first two 0.0012/0.0018/0.0022). "
        "A set departs when both hold: chi-square p below the level (0.05 by default) and a "
        "marginal or nonconforming MAD. "
        "On many amounts a slight departure is significant; on few, a sample drawn from the law "
        "itself falls in the nonconformity range (Nigrini's ranges were set on large data sets: "
        "see 'MAD if conforming'). Where the two disagree, the 'Why' column says so. Sets with "
        "digits expected fewer than 5 times are not judged.",
    ),
    "stats.method.funnel": (
        "漏斗图控制限来自精确二项分布（Spiegelhalter 2005 插值），目标为各单位合计比率。",
        "Funnel limits come from the exact binomial (Spiegelhalter 2005 interpolation) around the "
        "pooled rate of all districts.",
    ),
}

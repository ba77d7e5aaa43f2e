"""Wording of auditkit.cycle, the audit-cycle report (zh, en) by key.

`cycle.column.` labels the evaluation's columns (and the headline figures they share),
`cycle.headline.` the headline's own figures, `cycle.heading.` the sections, `cycle.note.` the
remarks a computation returns as codes with values, `cycle.sentence.` the conclusions,
`cycle.method.` the methods section; sentences are `str.format` templates. The run's index names
the notebook by `pipeline.study.audit_cycle`.
"""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "pipeline.study.audit_cycle": ("稽查闭环评价", "Audit cycle"),
    # columns of the evaluation tables
    "cycle.column.found": ("期内发现疑点", "Found"),
    "cycle.column.issued": ("下发核查", "Sent to the field"),
    "cycle.column.checked": ("已核查", "Checked"),
    "cycle.column.confirmed": ("查实", "Confirmed"),
    "cycle.column.false_alarms": ("误报数", "False alarms"),
    "cycle.column.precision": ("查实率", "Confirmed share"),
    "cycle.column.interval": ("{level} 置信区间", "{level} interval"),
    "cycle.column.sample_checked": ("随机抽查核查数", "Random-sample checks"),
    "cycle.column.sample_confirmed": ("随机抽查查实", "Random-sample confirmed"),
    "cycle.column.sample_precision": ("随机抽查查实率", "Random-sample share"),
    "cycle.column.sample_interval": ("随机抽查 {level} 置信区间", "Random-sample {level} interval"),
    "cycle.column.rectified": ("整改完成", "Rectified"),
    "cycle.column.median_days": ("整改天数中位数", "Median days to rectify"),
    "cycle.column.awaiting_check": ("待核查", "Awaiting check"),
    "cycle.column.awaiting_rectification": ("待整改", "Awaiting rectification"),
    "cycle.column.recovered_proved": ("追补电费·核算确认 (元)", "Recovered, proved (yuan)"),
    "cycle.column.recovered_estimated": ("追补电费·估算 (元)", "Recovered, estimated (yuan)"),
    "cycle.column.penalty_recovered": ("违约使用电费实收 (元)", "Penalty collected (yuan)"),
    "cycle.column.self_proved_per_check": (
        "自查每次追补·核算确认 (元)",
        "Recovered per self-audit, proved (yuan)",
    ),
    "cycle.column.self_estimated_per_check": (
        "自查每次追补·估算 (元)",
        "Recovered per self-audit, estimated (yuan)",
    ),
    "cycle.column.cross_proved_per_check": (
        "交叉检查每次追补·核算确认 (元)",
        "Recovered per cross-audit, proved (yuan)",
    ),
    "cycle.column.cross_estimated_per_check": (
        "交叉检查每次追补·估算 (元)",
        "Recovered per cross-audit, estimated (yuan)",
    ),
    "cycle.under_reports.not_tested": ("未检验", "not tested"),
    "cycle.column.self_verdict": ("自查结论", "Self-audit verdict"),
    "cycle.column.decided_at": ("交叉检查核查日期", "Cross-audit check date"),
    "cycle.verdict.false_alarm": ("判为误报", "called a false alarm"),
    "cycle.verdict.unchecked": ("未核查", "never checked"),
    # headline figures of their own
    "cycle.headline.precision_pct": ("查实率 (%)", "Confirmed share (%)"),
    "cycle.headline.sample_precision_pct": (
        "随机抽查查实率 (%)",
        "Random-sample confirmed share (%)",
    ),
    # headings and charts
    "cycle.heading.districts": ("各供电单位稽查闭环情况", "Field work by district"),
    "cycle.heading.district_recovery": ("整改与追补电费", "Rectification and recovered revenue"),
    "cycle.heading.district_rules": ("分单位分规则", "By district and rule"),
    "cycle.heading.district_rule_recovery": (
        "分单位分规则整改与追补电费",
        "Rectification and recovered revenue by district and rule",
    ),
    "cycle.heading.precision": ("各规则查实率", "Confirmed share by rule"),
    "cycle.heading.self_cross_recovery": (
        "自查与交叉检查每次追补电费（核算确认与估算分列）",
        "Recovered per check, self- and cross-audits (proved and estimated apart)",
    ),
    "cycle.heading.under_reported": (
        "交叉检查查实而自查未报的疑点",
        "Confirmed by cross-audits, missed by self-audits",
    ),
    "cycle.chart.all_checks": ("全部核查", "every check"),
    "cycle.chart.sample_checks": ("随机抽查", "random-sample checks"),
    "cycle.chart.precision": (
        "各规则查实率（{level} 置信区间）",
        "Confirmed share by rule ({level} interval)",
    ),
    "cycle.chart.recovered": (
        "各单位追补电费（核算确认与估算分列）",
        "Recovered by district (proved and estimated apart)",
    ),
    "cycle.chart.yuan": ("追补电费 (元)", "Recovered (yuan)"),
    # why there is nothing to evaluate, and remarks on the data
    "cycle.note.no_register": (
        "尚无稽查疑点台账：按月运行 auditkit rules --register（或 run-all --register）登记疑点，"
        "并导入现场核查工单后，本报告才有内容。",
        "There is no findings register yet: record the monthly runs (auditkit rules --register, "
        "or run-all --register) and import the field's worklists to fill this report.",
    ),
    "cycle.note.no_runs": (
        "疑点台账中尚无任何月度登记，无可评价。",
        "The findings register holds no recorded month yet: there is nothing to evaluate.",
    ),
    "cycle.note.no_outcomes": (
        "疑点台账登记了 {months:,} 个月共 {findings:,} 条疑点，但尚无现场核查结果：下发工单"
        "（auditkit worklist）并导入返回的工单后，本报告才有内容。",
        "The findings register holds findings ({findings:,}, recorded months: {months:,}) but no "
        "field outcome yet: send worklists (auditkit worklist) and import the returned sheets "
        "to fill this report.",
    ),
    "cycle.note.no_district": (
        "疑点台账中没有{district}的疑点，无可评价。",
        "The findings register holds no finding of {district}: there is nothing to evaluate.",
    ),
    "cycle.note.days_unknown": (
        "{count:,} 条已整改疑点在整改前没有下发记录，其整改天数未知，未计入中位数。",
        "Rectified findings without a sent event before their rectification: {count:,}; their "
        "days to rectify are unknown and left out of the median.",
    ),
    "cycle.note.as_of_not_recorded": (
        "{as_of} 不是台账中登记的月份：窗口止于此前最近登记的 {last}。",
        "{as_of} is no month recorded in the register: the window ends at the latest recorded "
        "before it, {last}.",
    ),
    "cycle.note.no_events_in_window": (
        "{first} 至 {last} 的核查周期内没有任何现场核查记录。",
        "No field outcome happened in the cycles of {first} to {last}.",
    ),
    # conclusions
    "cycle.sentence.work": (
        "{first} 至 {last}（登记 {months:,} 个月）：下发核查 {issued:,} 条疑点，核查 {checked:,} 条，"
        "查实 {confirmed:,} 条、误报 {false_alarms:,} 条（查实率 {precision}）。",
        "From {first} to {last} (recorded months: {months:,}): findings sent to the field "
        "{issued:,}, checked {checked:,}, of which confirmed {confirmed:,} and false alarms "
        "{false_alarms:,} (confirmed share {precision}).",
    ),
    "cycle.sentence.sample": (
        "随机抽查的 {sample_checked:,} 条疑点查实率为 {sample_precision}，同一批规则全部核查的查实率为 "
        "{precision}：按金额或评分选查的是最可疑的疑点，会高估规则的查实率，调整阈值应以随机抽查为准。",
        "Findings checked from random samples: {sample_checked:,}, of which {sample_precision} "
        "confirmed, against {precision} over every check of the same rules: checks chosen by "
        "revenue or score look at the strongest findings and overstate a rule's precision, so "
        "thresholds are set on the random samples.",
    ),
    "cycle.sentence.no_sample": (
        "期内核查的疑点均非随机抽取：查实率只反映选查的疑点，会高估规则的查实率；"
        "请按比例随机抽取部分疑点下发（auditkit worklist --by sample）。",
        "No finding checked in the window was drawn at random: the confirmed shares describe "
        "the findings chosen for checking and overstate the rules' precision; send a random "
        "share of findings (auditkit worklist --by sample).",
    ),
    "cycle.sentence.mostly_false": (
        "{rules}的随机抽查查实率 {level} 置信区间整体低于 50%，多数疑点为误报：应首先调高其阈值。",
        "Rules most of whose findings are false alarms (the {level} interval of the "
        "random-sample confirmed share lies below 50%), their thresholds the first to raise: "
        "{rules}.",
    ),
    "cycle.sentence.lowest": (
        "随机抽查不少于 {least:,} 条的规则中，查实率最低的是{rule}：{share}（{level} 置信区间 "
        "{interval}，{checks:,} 条），可优先复核其阈值。",
        "Of the rules with at least {least:,} random-sample checks, the lowest confirmed share is "
        "that of {rule}: {share} ({level} interval {interval}, {checks:,} checks); its thresholds "
        "are the first to review.",
    ),
    # each language counts as it lists: 等 7 条规则 (all of them), "and 2 more" (the rest)
    "cycle.sentence.more_rules": ("等 {total:,} 条规则", " and {count:,} more"),
    "cycle.sentence.overstated": (
        "{rules}全部核查的查实率高于其随机抽查的 {level} 置信区间：选查明显高估了其查实率。",
        "Rules whose confirmed share on every check lies above the {level} interval of their "
        "random samples (the chosen checks clearly overstate them): {rules}.",
    ),
    "cycle.sentence.rectify": (
        "期内整改完成 {rectified:,} 条，自下发起整改天数中位数为 {median_days} 天；期末仍有 "
        "{awaiting_rectification:,} 条已查实疑点待整改，{awaiting_check:,} 条已下发疑点待核查。",
        "Rectified in the window: {rectified:,}, a median of {median_days} days after being "
        "sent; when the window ends, confirmed findings awaiting rectification: "
        "{awaiting_rectification:,}, sent findings awaiting a check: {awaiting_check:,}.",
    ),
    "cycle.sentence.rectify_none": (
        "期内没有疑点整改完成；期末仍有 {awaiting_rectification:,} 条已查实疑点待整改，"
        "{awaiting_check:,} 条已下发疑点待核查。",
        "No finding was rectified in the window; when the window ends, confirmed findings "
        "awaiting rectification: {awaiting_rectification:,}, sent findings awaiting a check: "
        "{awaiting_check:,}.",
    ),
    "cycle.sentence.recovered": (
        "期内追补电费：核算确认类疑点 {proved} 元，估算类疑点 {estimated} 元"
        "（两者分列、不相加：估算金额依赖对用电量的估计）。",
        "Recovered in the window: {proved} yuan on proved findings and {estimated} yuan on "
        "estimated ones (kept apart, never added: an estimated amount rests on an estimate of "
        "the energy used).",
    ),
    "cycle.sentence.penalty_recovered": (
        "随之收取违约使用电费 {penalty} 元，单独列示，不计入追补电费。",
        "Penalties collected with them: {penalty} yuan, shown apart and never counted as "
        "revenue recovered.",
    ),
    "cycle.sentence.no_cross": (
        "期内没有交叉检查的核查记录，不做自查与交叉检查的比较。",
        "No cross-audit check in the window: self-audits are not compared with cross-audits.",
    ),
    "cycle.sentence.self_cross_sample": (
        "以下自查与交叉检查的比较只计随机抽取疑点的核查（按金额选查的查实率本就偏高，混在一起比较的是"
        "选查方式而不是检查队伍）：“发现问题”即疑点查实；比较的是查实率，每次追补的电费另表列出（核算确认与估算分列）。",
        "Self- and cross-audits are compared below on random-sample checks alone (checks chosen "
        "by revenue confirm more anyway: mixing them would compare the choices, not the teams): "
        "an error found is a confirmed finding; the rates are compared, and the yuan each check "
        "recovered are tabled apart (proved and estimated, never added).",
    ),
    "cycle.sentence.self_cross_all": (
        "以下自查与交叉检查的比较计入全部核查（期内没有两类检查都随机抽取的疑点）：两类检查选查的疑点"
        "可能不同，差距可能来自选查方式而非检查队伍。“发现问题”即疑点查实；比较的是查实率，每次追补的电费另表"
        "列出（核算确认与估算分列）。",
        "Self- and cross-audits are compared below on every check (the window has no random-sample "
        "checks of both kinds): the two may have checked differently chosen findings, so a gap may "
        "come from the choice, not the team. An error found is a confirmed finding; the rates are "
        "compared, and the yuan each check recovered are tabled apart (proved and estimated, never "
        "added).",
    ),
    "cycle.sentence.under_reported": (
        "{district}：交叉检查查实的疑点中，{false_alarm:,} 条本单位自查判为误报，{unchecked:,} 条本单位"
        "从未核查（涉及电费：核算确认 {proved} 元，估算 {estimated} 元）。",
        "{district}: cross-audits confirmed findings its own checks had called false alarms "
        "({false_alarm:,}) or never checked ({unchecked:,}); at stake: {proved} yuan proved, "
        "{estimated} yuan estimated.",
    ),
    # methods
    "cycle.method.window": (
        "评价期为截至所选月份（参数 as_of，默认为最新登记月）的最近若干登记月（个数为参数 months）。每个登记月开启一个核查周期：自下一个自然月的第一天起，"
        "至下一个登记月的周期开始为止；第一个登记月的周期也包括此前的记录，最新登记月的周期没有终点。"
        "因此每条现场记录只属于一个周期，相邻月份的报告不会重复计数。评价期结束后的记录不计入。",
        "The window is the last recorded months up to the month as_of (by default the latest "
        "recorded), as many as the parameter months. Each recorded month "
        "opens a cycle of field work: from the first day of the next calendar month until the "
        "next recorded month's cycle begins; the first recorded month's cycle also takes "
        "earlier events and the latest has no end, so every field event belongs to one cycle "
        "and reports of consecutive months never count it twice. Events after the window are "
        "left out.",
    ),
    "cycle.method.decisions": (
        "期内发现：该登记月份的运行发现了该疑点。下发：期内有“已派发”记录。已核查：疑点的最新结论"
        "（属实或误报中日期最晚的一条；同日按登记顺序）落在期内；更正是一条新记录，以最新的为准。"
        "待核查：期内发现或下发、已下发但期末尚无结论；待整改：期内发现或下发、最新结论为属实但期末"
        "尚未整改（档案已更正且期末月份的运行不再发现的除外）。",
        "Found: a run of the window's months found the finding. Sent: a sent event in the "
        "window. Checked: the finding's decision, the latest of its confirmed and false-alarm "
        "events (one day's events in the order recorded), is dated in the window; a correction "
        "is a new event, so the latest decides. Awaiting check: found or sent in the window, "
        "sent, no decision when the window ends; awaiting rectification: found or sent in the "
        "window, confirmed, not rectified when the window ends (but for an archive corrected "
        "that the last month's runs no longer find).",
    ),
    "cycle.method.precision": (
        "查实率 = 查实 / 已核查。置信区间为精确二项（Clopper-Pearson）{level} 区间：其覆盖率不低于标称"
        "水平，每条规则的随机抽查往往只有几十条，此时宁可保守；自查与交叉检查的发现率用的也是同一方法。"
        "只有工单随机抽取的疑点能无偏地估计规则的查实率；按金额、评分或风险等级选查的"
        "疑点查实率会偏高，两者分列。多期随机抽查合并计算，假定各期抽取比例相近。",
        "Confirmed share = confirmed / checked, with an exact binomial (Clopper-Pearson) {level} "
        "interval: its coverage is never below the stated level, the careful choice when a "
        "rule has only tens of random-sample checks, and the method of the self- and "
        "cross-audit rates too. Only findings a worklist drew at random estimate a "
        "rule's precision without bias; checks chosen by revenue, score or severity overstate "
        "it, so the two are shown apart. Samples of several months are pooled, assuming similar "
        "sampling shares.",
    ),
    "cycle.method.rectify": (
        "整改天数 = 首次“已整改”日期 − 首次“已派发”日期，只计期内整改完成的疑点，取中位数；"
        "整改前没有下发记录的疑点天数未知，不计入。",
        "Days to rectify = the first rectified date minus the first sent date, for findings "
        "rectified in the window, summarised by the median; a finding without a sent event "
        "before its rectification has unknown days and is left out.",
    ),
    "cycle.method.recovered": (
        "追补电费为期内“已追补”记录的金额之和，按疑点的电费性质分为核算确认与估算两列，从不相加；"
        "随之收取的违约使用电费另列一栏，不计入追补电费。",
        "Recovered is the sum of the recovered amounts dated in the window, split by the "
        "finding's kind of revenue into proved and estimated, never added together; the "
        "penalties collected with them are a column of their own, never counted as revenue "
        "recovered.",
    ),
    "cycle.method.self_cross": (
        "核查记录未填检查单位或填的是疑点所属单位即自查，填其他单位即交叉检查；每类检查对一条疑点的结论"
        "取该类最新的一条。期内两类检查都有随机抽取的核查时，只比较随机抽取的核查。自查与交叉检查的查实率按单位用 Fisher 精确检验（单侧）比较并作 Holm 校正，"
        "每类少于 10 次的单位不做检验（p 值显示为 —，自查少报显示为“未检验”）。每次追补 = 该类检查期内核查的"
        "疑点至期末由该类追补的电费 / 核查次数，核算确认与估算分列，从不相加。交叉检查查实而自查判为误报或从未核查的疑点逐条列出。本比较依据疑点登记簿"
        "的核查结论；交叉检查报告依据现场检查记录中每次检查是否发现问题，两者计入的"
        "检查不同，对同一单位的结论可以不同。",
        "A check is a self-audit when its events name no auditing district or the finding's "
        "own, a cross-audit otherwise; each kind's verdict on a finding is its latest. "
        "When both kinds have random-sample checks in the window, only those are compared. "
        "Self- and cross-audit confirmed rates are compared per district by Fisher's exact "
        "test (one-sided) with Holm's correction; districts with fewer than 10 checks of a "
        "kind are not tested (p shown as —, under-reporting as not tested). Recovered per check "
        "= what that kind recovered, up to the window's end, on the findings it checked in the "
        "window, divided by its checks, proved and estimated apart, never added. "
        "Findings a cross-audit confirmed that the district's own checks called a false alarm "
        "or never checked are listed one by one. This comparison rests on the findings "
        "register's check outcomes; the cross-audit report rests on the field inspections (the "
        "inspections table: whether each inspection found an error). The two count different "
        "checks, so their verdicts on a district can differ.",
    ),
}

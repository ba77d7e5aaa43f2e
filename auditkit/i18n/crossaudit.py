"""Wording of auditkit.crossaudit: headings, table labels and sentences (zh, en) by key.

`crossaudit.kind.` and `crossaudit.test.` name the codes of the comparison, `crossaudit.note.`
the remarks a computation returns as codes with values, `crossaudit.sentence.` the conclusions,
`crossaudit.method.` the methods section; sentences are `str.format` templates.
"""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    # table columns and headline figures
    "crossaudit.auditing_district": ("检查单位", "Auditor"),
    "crossaudit.audited_district": ("被检查单位", "Audited district"),
    "crossaudit.audit_kind": ("检查类型", "Audit kind"),
    "crossaudit.inspections": ("检查次数", "Inspections"),
    "crossaudit.errors": ("发现问题", "Errors found"),
    "crossaudit.rate": ("发现率", "Finding rate"),
    "crossaudit.interval": ("95% 置信区间", "95% interval"),
    "crossaudit.underbilled": ("查出少收电费 (元)", "Under-billing found (yuan)"),
    "crossaudit.self_rate": ("自查发现率", "Self-audit rate"),
    "crossaudit.cross_rate": ("交叉检查发现率", "Cross-audit rate"),
    "crossaudit.self_n": ("自查次数", "Self-audits"),
    "crossaudit.cross_n": ("交叉检查次数", "Cross-audits"),
    "crossaudit.gap": ("差距（百分点）", "Gap (pp)"),
    "crossaudit.points": ("{points} 个百分点", "{points} pp"),
    "crossaudit.statistic": ("统计量", "Statistic"),
    "crossaudit.p_adjusted": ("Holm 校正 p", "Holm-adjusted p"),
    "crossaudit.under_reports": ("自查少报", "Self-audits under-report"),
    "crossaudit.missed_value": ("估计少查金额 (元)", "Estimated missed (yuan)"),
    "crossaudit.term": ("变量", "Term"),
    "crossaudit.odds_ratio": ("优势比", "Odds ratio"),
    "crossaudit.audits": ("检查对象", "Audits"),
    "crossaudit.work_share": ("工作量占比", "Share of work"),
    "crossaudit.capacity_share": ("能力占比", "Share of capacity"),
    "crossaudit.self_rate_pct": ("自查发现率 (%)", "Self-audit rate (%)"),
    "crossaudit.cross_rate_pct": ("交叉检查发现率 (%)", "Cross-audit rate (%)"),
    "crossaudit.under_reporting": (
        "自查少报单位数（现场检查记录）",
        "Districts under-reporting (field inspections)",
    ),
    # codes
    "crossaudit.kind.self": ("自查", "self"),
    "crossaudit.kind.cross": ("交叉检查", "cross"),
    "crossaudit.kind.special": ("专项稽查", "special"),
    "crossaudit.test.two_proportion_z": (
        "两比例 z 检验（单侧）",
        "two-proportion z-test (one-sided)",
    ),
    "crossaudit.test.fisher_exact": ("Fisher 精确检验（单侧）", "Fisher's exact test (one-sided)"),
    "crossaudit.term.self_vs_cross": ("自查 vs 交叉检查", "self vs cross"),
    # what a comparison rests on (`compare.SOURCES`), named in its verdicts
    "crossaudit.source.inspections": ("依据现场检查记录", "by field inspections"),
    "crossaudit.source.register": (
        "依据疑点登记簿的核查结论",
        "by the findings register's check outcomes",
    ),
    "crossaudit.term.district": ("单位 {district}", "district {district}"),
    # headings and charts
    "crossaudit.heading.assignment": ("下一轮交叉检查安排", "Next round of cross-audits"),
    "crossaudit.heading.rates": ("各类检查的问题发现率", "Finding rates by audit kind"),
    "crossaudit.heading.tests": ("自查与交叉检查的比较", "Self- versus cross-audits"),
    "crossaudit.heading.model": ("逻辑回归（控制单位差异）", "Logistic model (within districts)"),
    "crossaudit.heading.self_funnel": (
        "自查发现率漏斗图",
        "Funnel plot of self-audit finding rates",
    ),
    "crossaudit.chart.self_rate": ("自查发现率", "Self-audit finding rate"),
    "crossaudit.chart.assignment": (
        "下一轮交叉检查：箭头由检查单位指向被检查单位",
        "Next round: arrows run from auditor to audited district",
    ),
    "crossaudit.chart.rate_axis": ("发现问题比例（95% 置信区间）", "Finding rate (95% CI)"),
    "crossaudit.chart.rates": (
        "各单位各类检查的问题发现率",
        "Finding rate by district and audit kind",
    ),
    "crossaudit.chart.odds_axis": (
        "优势比（95% 置信区间，对数刻度）",
        "Odds ratio (95% CI, log scale)",
    ),
    "crossaudit.chart.model": (
        "逻辑回归：自查及各单位的优势比",
        "Logistic model: odds ratios of self-audits and districts",
    ),
    "crossaudit.chart.no_model": ("逻辑回归未能估计", "The logistic model was not estimated"),
    # remarks returned by the computations as codes
    "crossaudit.note.no_inspections": (
        "数据中没有检查记录（inspections），不做自查与交叉检查的比较。",
        "The dataset has no inspections, so self- and cross-audits are not compared.",
    ),
    "crossaudit.note.unknown_customers": (
        "{count:,} 条检查记录的户号不在客户档案中，未计入。",
        "{count:,} inspections of customers missing from the archive are left out.",
    ),
    "crossaudit.note.mislabelled_self": (
        "{count:,} 条“自查”记录的检查单位与被查客户所属单位不同，按原记录统计。",
        "{count:,} inspections marked self were made by another district than the customer's; "
        "they are counted as recorded.",
    ),
    "crossaudit.note.no_overall_test": (
        "自查 {self_n:,} 次、交叉检查 {cross_n:,} 次，少于 {min_inspections:,} 次，不做总体检验。",
        "{self_n:,} self-audits and {cross_n:,} cross-audits: fewer than {min_inspections:,} of one "
        "kind, so no overall test.",
    ),
    "crossaudit.note.too_few_in_district": (
        "检查次数不足（自查 {self_n:,}、交叉 {cross_n:,}，每类至少 {min_inspections:,}），不做检验",
        "too few inspections for a test (self {self_n:,}, cross {cross_n:,}; {min_inspections:,} of "
        "each needed)",
    ),
    "crossaudit.note.not_flagged_no_money": (
        "自查发现率未显著低于交叉检查（Holm 校正），不估计少查金额",
        "self-audits do not find significantly fewer errors (Holm-adjusted): no missed money "
        "is estimated",
    ),
    "crossaudit.note.flagged_no_money": (
        "自查每次检查查出的金额不低于交叉检查",
        "self-audits found no less money per inspection than cross-audits",
    ),
    "crossaudit.note.too_few_for_model": (
        "自查或交叉检查次数不足，不拟合逻辑回归模型。",
        "Too few self- or cross-audits to fit the logistic model.",
    ),
    "crossaudit.note.same_outcome": (
        "所有检查结果相同（全部发现或全部未发现问题），逻辑回归无法估计。",
        "Every inspection has the same outcome, so the logistic model cannot be estimated.",
    ),
    "crossaudit.note.model_failed": (
        "逻辑回归无法估计（拟合时出现数值错误）。",
        "The logistic model could not be estimated (a numerical error in the fit).",
    ),
    "crossaudit.note.separation": (
        "某些单位的检查结果完全一致（完全分离），逻辑回归无法可靠估计。",
        "Some district has identical outcomes throughout (separation), so the logistic model "
        "cannot be estimated reliably.",
    ),
    # conclusions
    "crossaudit.sentence.overall_fewer": (
        "总体上（{source}），自查发现问题的比例为 {self_rate}，交叉检查为 {cross_rate}；"
        "自查显著偏低（Fisher 精确检验单侧 {p_value}）。",
        "Overall ({source}), self-audits found errors in {self_rate} of inspections and "
        "cross-audits in {cross_rate}; self-audits find significantly fewer (Fisher's exact "
        "test, one-sided {p_value}).",
    ),
    "crossaudit.sentence.overall_not_shown": (
        "总体上（{source}），自查发现问题的比例为 {self_rate}，交叉检查为 {cross_rate}；"
        "差异不显著（{p_value}），不能认定自查少报。",
        "Overall ({source}), self-audits found errors in {self_rate} of inspections and "
        "cross-audits in {cross_rate}; the difference is not significant ({p_value}), so "
        "under-reporting is not shown.",
    ),
    "crossaudit.sentence.odds_ratio": (
        "控制供电单位差异后，自查发现问题的几率是交叉检查的 {odds_ratio:.2f} 倍"
        "（95% 置信区间 {ci_low:.2f}–{ci_high:.2f}，{p_value}）。",
        "Within districts, the odds that a self-audit finds an error are {odds_ratio:.2f} times "
        "those of a cross-audit (95% CI {ci_low:.2f}-{ci_high:.2f}, {p_value}).",
    ),
    "crossaudit.sentence.under_reports": (
        "{district}（{source}）：自查发现率 {self_rate}，交叉检查 {cross_rate}，相差 {gap}"
        "（校正后 {p_adjusted}）；按交叉检查的水平，自查约少发现 {missed_value} 元。",
        "{district} ({source}): self-audits found errors in {self_rate}, cross-audits in "
        "{cross_rate}, a gap of {gap} (adjusted {p_adjusted}); at the "
        "cross-audit level, self-audits missed about {missed_value} yuan.",
    ),
    "crossaudit.sentence.under_reports_no_money": (
        "{district}（{source}）：自查发现率 {self_rate}，交叉检查 {cross_rate}，相差 {gap}"
        "（校正后 {p_adjusted}）；自查每次检查查出的金额不低于交叉检查。",
        "{district} ({source}): self-audits found errors in {self_rate}, cross-audits in "
        "{cross_rate}, a gap of {gap} (adjusted {p_adjusted}); self-audits found no less "
        "money per inspection than cross-audits.",
    ),
    "crossaudit.sentence.under_reports_register": (
        "{district}（{source}）：自查发现率 {self_rate}，交叉检查 {cross_rate}，相差 {gap}"
        "（校正后 {p_adjusted}）；每次检查追补的金额见下表，核算确认与估算分列、不相加。",
        "{district} ({source}): self-audits found errors in {self_rate}, cross-audits in "
        "{cross_rate}, a gap of {gap} (adjusted {p_adjusted}); the yuan each kind of check "
        "recovered are in the table below, proved and estimated apart, never added.",
    ),
    "crossaudit.sentence.audits": ("{auditor} 检查 {audited}", "{auditor} audits {audited}"),
    "crossaudit.sentence.too_few_to_compare": (
        "检查次数不足，无法按单位比较自查与交叉检查（{source}）。",
        "Too few inspections to compare self- and cross-audits by district ({source}).",
    ),
    "crossaudit.sentence.no_district_flagged": (
        "经多重比较校正（Holm），{source}，没有单位的自查显著少报；差距最大的是{largest}（{gap}，"
        "校正后 {p_adjusted}），可作为下一轮重点关注，但尚不能认定。",
        "After correction for multiple comparisons (Holm), no district's self-audits under-report "
        "significantly {source}; the largest gap is {largest}'s ({gap}, adjusted {p_adjusted}): "
        "worth watching next round, not proof.",
    ),
    "crossaudit.sentence.district_not_flagged": (
        "经多重比较校正（Holm），{source}，{district}的自查未显著少报：交叉检查与自查的发现率之差为 "
        "{gap}（校正后 {p_adjusted}），不能据此认定少报。",
        "After correction for multiple comparisons (Holm), {district}'s self-audits do not "
        "under-report significantly {source}: the cross-audit finding rate minus its self-audit "
        "rate is {gap} (adjusted {p_adjusted}), no proof of under-reporting.",
    ),
    # methods
    "crossaudit.method.assignment": (
        "安排规则：不自查自；同一轮内两单位不互查；检查单位不连续两轮查同一单位。未给能力时每个单位查且只查"
        "一个单位（形成三个及以上单位的检查环）；给出能力时按能力比例分配被查单位的工作量（户数）。"
        "同一随机种子得到同一安排。",
        "Assignment rules: no district audits itself; no two districts audit each other in a "
        "round; no auditor audits the same district two rounds running. Without capacities each "
        "district audits exactly one other (circles of three or more); with capacities, the "
        "audited districts' work (customers) is shared in proportion. The same seed gives the "
        "same assignment.",
    ),
    "crossaudit.method.tests": (
        "发现率的置信区间为精确二项（Clopper-Pearson）95% 区间。总体比较用两比例 z 检验和 Fisher 精确检验"
        "（单侧：自查发现更少）；分单位用 Fisher 精确检验并作 Holm 多重比较校正；每类检查少于 10 次的单位"
        "不做检验。本报告依据现场检查记录：每次检查是否发现问题。稽查闭环报告"
        "依据疑点登记簿：每条下发疑点的核查结论（查实或误报）。两者计入的检查不同，对同一单位的结论"
        "可以不同。",
        "Finding-rate intervals are exact binomial (Clopper-Pearson) 95% intervals. Overall: "
        "two-proportion z-test and Fisher's exact test (one-sided: self-audits find fewer); per "
        "district: Fisher's exact test with Holm's correction; districts with fewer than 10 "
        "inspections of a kind are not tested. This report rests on the field inspections (the "
        "inspections table): whether each inspection found an error. The audit cycle report "
        "rests on the findings register: whether a check confirmed a finding sent to the field "
        "or called it a false alarm. The two count different checks, so their verdicts on a "
        "district can differ.",
    ),
    "crossaudit.method.model": (
        "逻辑回归 error_found ~ 检查类型 + 供电单位（statsmodels 二项 GLM）给出控制单位差异后自查相对交叉"
        "检查的优势比。",
        "A logistic model error_found ~ kind + district (statsmodels binomial GLM) gives the "
        "self-versus-cross odds ratio within districts.",
    ),
    "crossaudit.method.money": (
        "少报金额估计 =（交叉检查每次查出的少收电费 − 自查每次查出的少收电费）× 自查次数，"
        "少收电费 = 稽查值 − 账面值。只对自查显著少报的单位列出；其他单位的差额可能出于偶然，表中记为“—”。",
        "Estimated missed money = (under-billing found per cross-audit - per self-audit) x "
        "self-audits, under-billing = audited_value - book_value. It is shown only for districts "
        "whose self-audits significantly under-report; elsewhere the difference may be chance, "
        "and the table shows '—'.",
    ),
}

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
    "crossaudit.overbilled": ("查出多收电费 (元，应退)", "Over-billing found (yuan, to refund)"),
    "crossaudit.self_rate": ("自查发现率", "Self-audit rate"),
    "crossaudit.cross_rate": ("交叉检查发现率", "Cross-audit rate"),
    "crossaudit.self_n": ("自查次数", "Self-audits"),
    "crossaudit.cross_n": ("交叉检查次数", "Cross-audits"),
    "crossaudit.gap": ("差距（百分点）", "Gap (pp)"),
    "crossaudit.points": ("{points} 个百分点", "{points} pp"),
    "crossaudit.statistic_name": ("统计量", "Statistic"),
    "crossaudit.statistic": ("统计量数值", "Value"),
    "crossaudit.p_adjusted": ("Holm 校正 p", "Holm-adjusted p"),
    "crossaudit.under_reports": ("自查少报", "Self-audits under-report"),
    "crossaudit.missed_value": ("估计少查金额 (元)", "Estimated missed (yuan)"),
    "crossaudit.missed_interval": (
        "少查金额 95% 区间（自助法，元）",
        "Missed, 95% bootstrap interval (yuan)",
    ),
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
    # counted nouns (`i18n.counted`): English has a plural form, Chinese a measure word
    "noun.inspection": ("次检查", "inspection"),
    "noun.inspection.plural": ("次检查", "inspections"),
    "noun.district": ("个单位", "district"),
    "noun.district.plural": ("个单位", "districts"),
    # codes
    "crossaudit.kind.self": ("自查", "self"),
    "crossaudit.kind.cross": ("交叉检查", "cross"),
    "crossaudit.kind.special": ("专项稽查", "special"),
    "crossaudit.test.two_proportion_z": (
        "两比例 z 检验（单侧）",
        "two-proportion z-test (one-sided)",
    ),
    "crossaudit.test.fisher_exact": ("Fisher 精确检验（单侧）", "Fisher's exact test (one-sided)"),
    "crossaudit.test.mantel_haenszel": (
        "按单位分层的 Cochran-Mantel-Haenszel 检验（双侧）",
        "Cochran-Mantel-Haenszel test within districts (two-sided)",
    ),
    # what `overall["statistic"]` is, per test
    "crossaudit.statistic.two_proportion_z": ("两比例 z 值", "two-proportion z"),
    "crossaudit.statistic.fisher_exact": ("样本优势比", "sample odds ratio"),
    "crossaudit.statistic.mantel_haenszel": ("分层合并优势比", "Mantel-Haenszel odds ratio"),
    "crossaudit.term.self_vs_cross": ("自查 vs 交叉检查", "self vs cross"),
    # what a comparison rests on (`compare.SOURCES`), named in its verdicts
    "crossaudit.source.inspections": ("依据现场检查记录", "by field inspections"),
    "crossaudit.source.register": (
        "依据疑点登记簿的核查结论",
        "by the findings register's check outcomes",
    ),
    "crossaudit.term.district": (
        "单位 {district}（相对 {reference}）",
        "district {district} (against {reference})",
    ),
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
    "crossaudit.note.no_inspections_by": (
        "截至 {month} 没有检查记录（最早一条在 {first}），不做自查与交叉检查的比较。",
        "No inspections up to {month} (the first is in {first}), so self- and cross-audits are "
        "not compared.",
    ),
    "crossaudit.note.no_round_1": (
        "只有一个单位（{districts}），无法安排下一轮交叉检查：单位不检查自己。",
        "There is only one district ({districts}), so no next round of cross-audits can be "
        "assigned: no district audits itself.",
    ),
    "crossaudit.note.no_round_2": (
        "只有两个单位（{districts}），无法安排下一轮交叉检查：两个单位只能互相检查，而同一轮内两单位不得互查。",
        "There are only two districts ({districts}), so no next round of cross-audits can be "
        "assigned: each could only audit the other, and no two districts audit each other in "
        "the same round.",
    ),
    "crossaudit.note.unknown_customers": (
        "{inspections}的户号不在客户档案中，未计入。",
        "{inspections} of customers missing from the archive: left out.",
    ),
    "crossaudit.note.cross_by_unknown_district": (
        "标为“交叉检查”的 {inspections}，检查单位（{auditors}）不是数据中的供电单位，未计入比较。",
        "{inspections} marked cross but made by {auditors}, no district of the data: left out of "
        "the comparison.",
    ),
    "crossaudit.note.mislabelled_self": (
        "标为“自查”的 {inspections}，检查单位与被查客户所属单位不同，按原记录统计。",
        "{inspections} marked self but made by another district than the customer's: counted as "
        "recorded.",
    ),
    "crossaudit.note.cross_by_own_district": (
        "标为“交叉检查”的 {inspections}，检查单位就是被查客户所属单位（实为自查），未计入比较。",
        "{inspections} marked cross but made by the customer's own district (a self-audit in "
        "fact): left out of the comparison.",
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
    "crossaudit.note.money_unknown": (
        "{inspections}发现问题但未记录账面值或稽查值，查出的金额未知；所涉单位不估计少查金额。",
        "{inspections} found an error without the book or audited value recorded, so the money "
        "found is unknown; no missed money is estimated for the districts concerned.",
    ),
    "crossaudit.note.money_unknown_in_district": (
        "部分发现问题的检查未记录金额，查出的金额未知，不估计少查金额",
        "the money some inspections found is not recorded: no missed money is estimated",
    ),
    "crossaudit.note.no_stratified_test": (
        "同时有自查和交叉检查的单位中，检查次数不足或检查结果全部相同，不做按单位分层的检验，"
        "不给出总体结论。",
        "The districts with both self- and cross-audits have too few inspections, or the same "
        "outcome throughout, for a test within districts, so there is no overall verdict.",
    ),
    "crossaudit.note.left_out_of_model": (
        "{districts} 的检查结果全部相同或只有一类检查，对单位内自查与交叉检查的差异没有信息，"
        "未纳入逻辑回归。",
        "{districts}: every inspection has the same outcome, or there is only one kind of "
        "audit, which says nothing about self against cross within a district, so they are "
        "left out of the logistic model.",
    ),
    "crossaudit.note.nothing_within_districts": (
        "没有单位同时有两类检查且结果有异，逻辑回归无从在单位内比较。",
        "No district has both kinds of audit with both outcomes, so the logistic model has "
        "nothing to compare within districts.",
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
        "单位内自查或交叉检查的结果完全一致（完全分离），自查与交叉检查的优势比无法可靠估计。",
        "Within districts, the self- or cross-audits have identical outcomes throughout "
        "(separation), so the self-versus-cross odds ratio cannot be estimated reliably.",
    ),
    # conclusions
    "crossaudit.sentence.overall_fewer": (
        "总体上（{source}），自查发现问题的比例为 {self_rate}，交叉检查为 {cross_rate}；"
        "在同一单位内比较，自查显著偏低（按单位分层的 MH 卡方检验 {p_value}）。",
        "Overall ({source}), self-audits found errors in {self_rate} of inspections and "
        "cross-audits in {cross_rate}; compared within districts, self-audits find "
        "significantly fewer (Cochran-Mantel-Haenszel test, {p_value}).",
    ),
    "crossaudit.sentence.overall_not_shown": (
        "总体上（{source}），自查发现问题的比例为 {self_rate}，交叉检查为 {cross_rate}；"
        "在同一单位内比较，差异不显著（按单位分层的 MH 卡方检验 {p_value}），不能认定自查少报。",
        "Overall ({source}), self-audits found errors in {self_rate} of inspections and "
        "cross-audits in {cross_rate}; compared within districts, the difference is not "
        "significant (Cochran-Mantel-Haenszel test, {p_value}), so under-reporting is not shown.",
    ),
    "crossaudit.sentence.overall_more": (
        "总体上（{source}），自查发现问题的比例为 {self_rate}，交叉检查为 {cross_rate}；"
        "在同一单位内比较，自查发现的反而显著更多（按单位分层的 MH 卡方检验 {p_value}），不能认定自查少报。",
        "Overall ({source}), self-audits found errors in {self_rate} of inspections and "
        "cross-audits in {cross_rate}; compared within districts, self-audits find "
        "significantly more (Cochran-Mantel-Haenszel test, {p_value}), so under-reporting is "
        "not shown.",
    ),
    "crossaudit.sentence.overall_not_stratified": (
        "总体上（{source}），自查发现问题的比例为 {self_rate}，交叉检查为 {cross_rate}；"
        "无法在同一单位内比较，不给出总体结论。",
        "Overall ({source}), self-audits found errors in {self_rate} of inspections and "
        "cross-audits in {cross_rate}; they cannot be compared within districts, so there is no "
        "overall verdict.",
    ),
    "crossaudit.sentence.odds_ratio": (
        "控制供电单位差异后，自查发现问题的几率是交叉检查的 {odds_ratio:.2f} 倍"
        "（95% 置信区间 {ci_low:.2f}–{ci_high:.2f}，{p_value}）。",
        "Within districts, the odds that a self-audit finds an error are {odds_ratio:.2f} times "
        "those of a cross-audit (95% CI {ci_low:.2f}-{ci_high:.2f}, {p_value}).",
    ),
    "crossaudit.sentence.under_reports": (
        "{district}（{source}）：自查发现率 {self_rate}，交叉检查 {cross_rate}，相差 {gap}"
        "（校正后 {p_adjusted}）；按交叉检查的水平，自查约少发现 {missed_value} 元"
        "（95% 自助法区间 {missed_low}–{missed_high} 元）。",
        "{district} ({source}): self-audits found errors in {self_rate}, cross-audits in "
        "{cross_rate}, a gap of {gap} (adjusted {p_adjusted}); at the "
        "cross-audit level, self-audits missed about {missed_value} yuan (95% bootstrap "
        "interval {missed_low}-{missed_high}).",
    ),
    "crossaudit.sentence.under_reports_money_unknown": (
        "{district}（{source}）：自查发现率 {self_rate}，交叉检查 {cross_rate}，相差 {gap}"
        "（校正后 {p_adjusted}）；部分检查未记录金额，不估计少查金额。",
        "{district} ({source}): self-audits found errors in {self_rate}, cross-audits in "
        "{cross_rate}, a gap of {gap} (adjusted {p_adjusted}); the money some inspections found "
        "is not recorded, so no missed money is estimated.",
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
        "经多重比较校正（Holm），{source}，没有单位的自查显著少报；在检查次数足以检验的 {tested_districts}中，"
        "自查比交叉检查少发现最多的是{largest}（{gap}，校正后 {p_adjusted}），可作为下一轮重点关注，"
        "但尚不能认定。",
        "After correction for multiple comparisons (Holm), no district's self-audits under-report "
        "significantly {source}; where there were enough inspections to test "
        "({tested_districts}), the largest gap by which self-audits found fewer is {largest}'s ({gap}, adjusted "
        "{p_adjusted}): worth watching next round, not proof.",
    ),
    "crossaudit.sentence.no_district_fewer": (
        "经多重比较校正（Holm），{source}，没有单位的自查显著少报；在检查次数足以检验的 {tested_districts}中，"
        "自查的发现率都不低于交叉检查。",
        "After correction for multiple comparisons (Holm), no district's self-audits under-report "
        "significantly {source}; self-audits found errors at least as often as cross-audits "
        "wherever there were enough inspections to test ({tested_districts}).",
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
        "发现率的置信区间为精确二项（Clopper-Pearson）95% 区间。各单位合计的发现率附两比例 z 检验和 "
        "Fisher 精确检验（单侧：自查发现更少），仅作描述：各单位问题多少不同、自查与交叉检查的比例不同，"
        "合计的差异可以是各单位内都没有的（辛普森悖论）；总体结论依据按单位分层的 Cochran-Mantel-Haenszel "
        "检验（双侧）。分单位用 Fisher 精确检验并作 Holm 多重比较校正；每类检查少于 10 次的单位"
        "不做检验。本报告依据现场检查记录：每次检查是否发现问题。稽查闭环报告"
        "依据疑点登记簿：每条下发疑点的核查结论（查实或误报）。两者计入的检查不同，对同一单位的结论"
        "可以不同。",
        "Finding-rate intervals are exact binomial (Clopper-Pearson) 95% intervals. The rates "
        "pooled over districts come with a two-proportion z-test and Fisher's exact test "
        "(one-sided: self-audits find fewer) as description only: districts differ in error level "
        "and in their mix of kinds, so a pooled gap can be one no district has (Simpson's "
        "paradox); the overall verdict rests on the Cochran-Mantel-Haenszel test within districts "
        "(two-sided). Per "
        "district: Fisher's exact test with Holm's correction; districts with fewer than 10 "
        "inspections of a kind are not tested. This report rests on the field inspections (the "
        "inspections table): whether each inspection found an error. The audit cycle report "
        "rests on the findings register: whether a check confirmed a finding sent to the field "
        "or called it a false alarm. The two count different checks, so their verdicts on a "
        "district can differ.",
    ),
    "crossaudit.method.model": (
        "逻辑回归 error_found ~ 检查类型 + 供电单位（statsmodels 二项 GLM）给出控制单位差异后自查相对交叉"
        "检查的优势比；单位的优势比相对第一个单位。检查结果全部相同或只有一类检查的单位不纳入。",
        "A logistic model error_found ~ kind + district (statsmodels binomial GLM) gives the "
        "self-versus-cross odds ratio within districts; the districts' odds ratios are against "
        "the first district. Districts whose inspections all have one outcome, or that have one "
        "kind of audit only, are left out.",
    ),
    "crossaudit.method.money": (
        "少报金额估计 =（交叉检查每次查出的少收电费 − 自查每次查出的少收电费）× 自查次数，"
        "少收电费 = 稽查值 − 账面值（为正时）；多收电费（稽查值低于账面值，应退）另列，不与少收相抵。"
        "少报金额估计只对自查显著少报的单位列出；其他单位的差额可能出于偶然，表中记为“—”。"
        "少数大额案件即可左右估计，故附自助法 95% 区间（自查、交叉检查分别重抽 2,000 次，种子固定），"
        "并按区间宽度取整；发现问题而未记录金额的检查使该单位的金额未知，记为“—”。",
        "Estimated missed money = (under-billing found per cross-audit - per self-audit) x "
        "self-audits, under-billing = audited_value - book_value where positive; over-billing "
        "(audited below book, to refund) is shown apart, never netted against it. The estimate "
        "is shown only for districts whose self-audits significantly under-report; elsewhere "
        "the difference may be chance, and the table shows '—'. A few large cases can drive it, so it comes with a bootstrap "
        "95% interval (self- and cross-audits resampled apart 2,000 times, fixed seed) and is "
        "rounded as the interval's width allows; an inspection that found an error without a "
        "recorded value makes its district's money unknown ('—').",
    ),
}

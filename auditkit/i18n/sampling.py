"""Wording of auditkit.sampling: headings, table labels and sentences (zh, en) by key."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "sampling.title": ("统计抽样稽查报告", "Statistical audit sampling report"),
    # labels of the result tables and charts
    "sampling.label.n": ("样本量", "Sample size"),
    "sampling.label.likelihood": ("概率模型", "Likelihood"),
    "sampling.label.confidence": ("置信水平", "Confidence"),
    "sampling.label.materiality": ("重要性水平（可容忍错报率）", "Materiality (tolerable rate)"),
    "sampling.label.min_precision": ("要求精度", "Required precision"),
    "sampling.label.expected": ("预期错报", "Expected errors"),
    "sampling.label.expected_errors": ("样本中预期错报数", "Expected errors in the sample"),
    "sampling.label.tolerable_errors": ("可容忍的样本错报数", "Errors the sample may hold"),
    "sampling.label.upper": ("错报率上限", "Upper limit of misstatement rate"),
    "sampling.label.lower": ("错报率下限", "Lower limit of misstatement rate"),
    "sampling.label.mle": ("最可能错报率", "Most likely misstatement rate"),
    "sampling.label.precision": ("精度（上限−最可能值）", "Precision (upper - most likely)"),
    "sampling.label.population_size": ("总体数量", "Population size"),
    "sampling.label.population_value": ("总体金额（元）", "Population value (yuan)"),
    "sampling.label.drawable_size": ("可抽样数量", "Units that can be drawn"),
    "sampling.label.drawable_value": ("可抽样金额（元）", "Value that can be drawn (yuan)"),
    "sampling.label.prior": ("先验分布", "Prior"),
    "sampling.label.posterior": ("后验分布", "Posterior"),
    # how a prior was chosen, before its formula (gamma(1, 13.86))
    "sampling.prior.impartial": ("中立型 {formula}", "impartial {formula}"),
    "sampling.label.bayes_factor": ("贝叶斯因子 BF-+", "Bayes factor BF-+"),
    "sampling.label.posterior_probability": (
        "低于重要性的后验概率",
        "Posterior P(below materiality)",
    ),
    "sampling.label.units": ("抽样单位", "Sampling units"),
    "sampling.label.method": ("方法", "Method"),
    "sampling.label.seed": ("随机种子", "Seed"),
    "sampling.label.interval": ("抽样间隔", "Interval"),
    "sampling.label.start": ("起点", "Start"),
    "sampling.label.selected_rows": ("抽中记录数", "Rows selected"),
    "sampling.label.set_aside": ("剔除（零或负值）", "Set aside (zero or negative)"),
    "sampling.label.x": ("发现错报（个数或错报比例之和）", "Errors found (count or sum of taints)"),
    "sampling.label.conclusion": ("结论", "Conclusion"),
    "sampling.label.differences": ("样本中的差异数", "Differences in the sample"),
    "sampling.label.lta_net_upper": (
        "LTA 净额（仅供参考，不作结论依据）",
        "LTA net figure (reference only, not the conclusion)",
    ),
    "sampling.label.projected": ("推断错报金额（元）", "Projected misstatement (yuan)"),
    "sampling.label.upper_yuan": ("错报金额上限（元）", "Upper limit of misstatement (yuan)"),
    "sampling.label.projected_errors": ("推断错误户数", "Projected erroneous items"),
    "sampling.label.direction": ("错报方向", "Direction"),
    "sampling.label.stratum": ("层", "Stratum"),
    "sampling.label.scope": ("范围", "Scope"),
    "sampling.label.periods": ("电费年月", "Billing periods"),
    "sampling.label.book_log": ("账面金额（元，对数刻度）", "book value (yuan, log scale)"),
    "sampling.label.inspected_rows": ("核查记录数", "Rows inspected"),
    "sampling.label.misstated_rows": ("有错报的记录数", "Rows with an error"),
    "sampling.label.difference_total": ("差额合计（元）", "Total difference (yuan)"),
    # codes
    "sampling.conclusion.accepted": (
        "低于重要性水平：总体可以接受",
        "below materiality: the population is accepted",
    ),
    "sampling.conclusion.not_shown": (
        "未能证明低于重要性水平",
        "not shown to be below materiality",
    ),
    "sampling.conclusion.no_materiality": ("未设定重要性水平", "no materiality given"),
    "sampling.direction.overstatement": (
        "多计（账面高于核实值）",
        "overstatement (book above audited)",
    ),
    "sampling.direction.understatement": (
        "少计（账面低于核实值，即少收电费）",
        "understatement (book below audited: under-billing)",
    ),
    "sampling.method.interval": ("固定间隔抽样", "fixed-interval selection"),
    "sampling.method.cell": ("分组随机抽样", "cell selection"),
    "sampling.method.random": ("简单随机抽样", "random selection"),
    "sampling.method.sieve": ("筛选抽样", "sieve selection"),
    "sampling.method.binomial": ("二项分布", "binomial"),
    "sampling.method.poisson": ("泊松分布", "Poisson"),
    "sampling.method.hypergeometric": ("超几何分布", "hypergeometric"),
    "sampling.method.stringer": ("Stringer 上限（二项系数）", "Stringer bound (binomial factors)"),
    "sampling.method.stringer.poisson": (
        "Stringer 上限（泊松系数）",
        "Stringer bound (Poisson factors)",
    ),
    "sampling.method.mpu": ("单位平均估计", "mean per unit"),
    "sampling.method.direct": ("直接估计", "direct estimator"),
    "sampling.method.difference": ("差额估计", "difference estimator"),
    "sampling.method.ratio": ("比率估计", "ratio estimator"),
    "sampling.method.regression": ("回归估计", "regression estimator"),
    "sampling.units.items": ("按户（项目）", "items (accounts)"),
    "sampling.units.values": ("按金额（货币单位）", "values (monetary units)"),
    "sampling.stratum.all": ("全部", "all"),
    "sampling.stratum.flagged": ("稽查规则命中的用户", "customers flagged by the audit rules"),
    "sampling.stratum.unflagged": (
        "稽查规则未命中的用户",
        "customers not flagged by the audit rules",
    ),
    # columns of the inspection results
    "sampling.column.sample_no": ("序号", "Sample no."),
    "sampling.column.period": ("电费年月", "Billing period"),
    "sampling.column.book_value": ("账面金额（元）", "Book value (yuan)"),
    "sampling.column.audited_value": ("核实金额（元）", "Audited value (yuan)"),
    "sampling.column.difference": ("差额（元）", "Difference (yuan)"),
    "sampling.column.times": ("抽中次数", "Times selected"),
    "sampling.column.note": ("备注", "Note"),
    # the charts' descriptions (alternative text)
    "sampling.chart.plan": (
        "错报上限随样本量的变化，标出重要性水平与计划样本量",
        "Upper error limit against sample size, with materiality and the planned size",
    ),
    "sampling.chart.evaluation": (
        "最可能错报与错报上限，对照重要性水平",
        "Most likely and upper error against materiality",
    ),
    # the report's sections
    "sampling.section.population": ("总体", "Population"),
    "sampling.population.explain.items": (
        "{district}的抽样总体为{scope}的 {size:,} 个用户。",
        "The population of {district} is {size:,} accounts ({scope}).",
    ),
    "sampling.population.explain.values": (
        "{district}的抽样总体为{scope}在 {period} 的 {size:,} 笔电费，金额合计 {value} 元。",
        "The population of {district} is {size:,} bills of {period} ({scope}), {value} yuan in all.",
    ),
    "sampling.section.population.explain": (
        "按户抽样时总体为该单位的用户档案；按金额抽样时为近几个月的电费账单，每一元是一个抽样单位。",
        "By items the population is the district's accounts; by values it is the bills of the "
        "last months, each yuan a sampling unit.",
    ),
    "sampling.section.plan": ("抽样计划", "Sampling plan"),
    "sampling.section.plan.explain": (
        "样本量是使“按预期错报计算的错报上限低于重要性水平”的最小样本。",
        "The sample size is the smallest for which the upper limit, with the expected errors, "
        "stays below materiality.",
    ),
    "sampling.section.selection": ("选样", "Selection"),
    "sampling.section.selection.explain": (
        "同一随机种子总是抽出同一样本。金额为零或负的账单无法被货币单位抽中，单独列出。",
        "The same seed always gives the same sample. Bills of zero or negative amount cannot "
        "be reached by monetary units and are set aside.",
    ),
    "sampling.section.field_sheet": ("现场核查表", "Field sheet"),
    "sampling.section.field_sheet.explain": (
        "核查人员在表中填写核查日期、核实金额、是否有误和备注；其余列已锁定。",
        "Inspectors fill in the inspection date, the audited value, whether an error was "
        "found, and a note; the other columns are locked.",
    ),
    "sampling.section.results": ("核查结果", "Inspection results"),
    "sampling.section.results.explain": (
        "核查发现错报的记录，按差额大小排列。",
        "The inspected records with an error, largest difference first.",
    ),
    "sampling.section.evaluation": ("评价", "Evaluation"),
    "sampling.section.evaluation.explain": (
        "按户抽样用二项分布评价错误率；按金额抽样用 Stringer 上限（泊松系数）。",
        "Items are evaluated with the binomial on the errors found; monetary units with the "
        "Stringer bound (Poisson factors).",
    ),
    "sampling.simulated_sheet": ("模拟填写的核查表", "Simulated filled sheet"),
    "sampling.separator": ("：", ": "),
    "sampling.simulation": (
        "<strong>⚠ 模拟演示：</strong> 未提供核查人员填写的核查表，以下核查结果由合成数据的 "
        "<code>truth</code> 表模拟生成，仅用于演示抽样流程，不是真实的现场核查结论。",
        "<strong>⚠ SIMULATION:</strong> no filled field sheet was given; the inspection results "
        "below are simulated from the synthetic <code>truth</code> table to demonstrate the loop. "
        "They are not field results.",
    ),
    # sentences: explain()
    "sampling.explain.plan": (
        "在 {confidence} 的置信水平下，样本量 {n:,} 使错报率上限（按样本中 {errors} 个预期错报计算）为 "
        "{upper}；样本中错报不超过 {tolerable} 时可以接受总体。",
        "At {confidence} confidence a sample of {n:,} gives an upper limit of {upper} with "
        "{errors} expected errors; the population is accepted if the sample holds at most "
        "{tolerable} errors.",
    ),
    "sampling.explain.selection": (
        "以{method}从 {population:,} 个单位中抽取 {n:,} 个抽样单位（{rows:,} 条记录，随机种子 {seed}），"
        "{aside:,} 条记录单独列出。",
        "{n:,} units drawn by {method} from a population of {population:,} ({rows:,} rows, seed "
        "{seed}); {aside:,} rows set aside.",
    ),
    "sampling.explain.field": (
        "核查 {rows:,} 条记录（{n:,} 个抽样单位），{errors:,} 条有错报，差额合计 {difference} 元。",
        "{rows:,} rows inspected ({n:,} units), {errors:,} with an error; total difference {difference}"
        " yuan.",
    ),
    "sampling.verdict.head": (
        "**结论：** 在 {confidence} 的置信水平下，总体错报率上限为 **{upper}**",
        "**Conclusion.** At {confidence} confidence the misstatement rate of the population is "
        "at most **{upper}**",
    ),
    "sampling.verdict.no_materiality": (
        "（未设定重要性水平，不作接受或拒绝判断）。",
        " (no materiality was given, so no accept or reject verdict).",
    ),
    "sampling.verdict.accepted": (
        "，低于重要性水平 {materiality}：可以认为总体不存在重大错报。",
        ", below the materiality of {materiality}: the population can be accepted.",
    ),
    "sampling.verdict.not_shown": (
        "，未低于重要性水平 {materiality}：样本不能证明总体不存在重大错报，"
        "建议扩大样本或对总体进一步核查。",
        ", not below the materiality of {materiality}: the sample does not show the population "
        "to be free of material misstatement. Extend the sample or examine the population further.",
    ),
    "sampling.verdict.census_not_accepted": (
        "，未低于重要性水平 {materiality}：总体已全数核查，发现的错报达到重要性水平，没有抽样风险，"
        "总体存在重大错报。",
        ", not below the materiality of {materiality}: every unit of the population was examined, "
        "so the misstatement found reaches materiality, with no sampling risk: the population is "
        "materially misstated.",
    ),
    "sampling.verdict.too_few_differences": (
        "，但样本中只有 {differences:,} 个差异（少于 {least:,} 个），此上限不可靠：不能据此认为总体不存在"
        "重大错报。请扩大样本，或改用货币单位抽样（Stringer 上限）或属性抽样评价。",
        ", but the sample holds only {differences:,} differences (fewer than {least:,}), too few for "
        "this bound to be trusted: the sample does not show the population to be free of material "
        "misstatement. Extend the sample, or evaluate with monetary units (Stringer) or as an "
        "attribute test.",
    ),
    "sampling.line.sample": (
        "- 样本：{n:,} 个抽样单位（方法：{method}），{rows}错报合计 {found}（个数或错报比例之和）。",
        "- Sample: {n:,} units (method: {method}); {rows}errors found {found} (count or sum of taints).",
    ),
    "sampling.line.misstated_rows": ("{count:,} 条记录有错报，", "{count:,} misstated rows, "),
    "sampling.line.projection_value": (
        "- 最可能错报率 {mle}，推断错报金额约 {projected} 元；错报金额上限 {upper} 元"
        "（总体金额 {total} 元）。",
        "- Most likely misstatement {mle}, about {projected} yuan; upper limit of misstatement "
        "{upper} yuan (population {total} yuan).",
    ),
    "sampling.line.projection_items": (
        "- 最可能错误率 {mle}，推断约 {items} 户有错误（上限 {upper} 户，总体 {total:,} 户）。",
        "- Most likely error rate {mle}: about {items} erroneous items (at most {upper} of "
        "{total:,}).",
    ),
    "sampling.line.projection_rate": (
        "- 最可能错报率 {mle}。",
        "- Most likely misstatement rate {mle}.",
    ),
    "sampling.line.understatement": (
        "- 此处“错报”指少计电费：核实金额高于账面（计费）金额。",
        "- Misstatement here means under-billing: the audited amount exceeds the billed amount.",
    ),
    "sampling.line.bayes": (
        "- 贝叶斯分析（先验 {prior}）：数据使“低于重要性水平”的几率提高 {factor} 倍（贝叶斯因子），"
        "后验概率 {probability}。",
        "- Bayesian (prior {prior}): the data multiply the odds of an immaterial population by "
        "{factor} (Bayes factor BF-+); posterior probability {probability}.",
    ),
    "sampling.line.bayes_undefined": (
        "- 贝叶斯分析（先验 {prior}）：贝叶斯因子无定义（见下注）；后验概率 {probability}。",
        "- Bayesian (prior {prior}): the Bayes factor is undefined (see the note below); "
        "posterior probability {probability}.",
    ),
    # notes on results (codes with arguments: auditkit.sampling.notes.Note)
    # the column of values a note names (a column the catalogue does not name: as it is)
    "sampling.values.amount": ("电费金额", "bill amount"),
    "sampling.note.set_aside": (
        "{rows:,} 条记录中有 {aside:,} 条的{column}为零或负（合计 {total:,.2f}），货币单位抽样"
        "抽不到，已单独列出，不计入可抽样数量（{rows:,} − {aside:,} = {drawable:,}）；"
        "如有必要请按户另行抽查",
        "{aside:,} of {rows:,} rows have a zero or negative {column} (total {total:,.2f}); monetary "
        "units cannot reach them, so they are set aside and left out of the units that can be "
        "drawn ({rows:,} - {aside:,} = {drawable:,}): test them by items if they matter",
    ),
    "sampling.note.sieve": (
        "筛选抽样抽中 {units:,} 个抽样单位（{rows:,} 条记录；期望 {n:,} 个单位）",
        "sieve sampling drew {units:,} units on {rows:,} rows for an expected {n:,}",
    ),
    "sampling.note.large_taints": (
        "部分错报比例超过 100%（按评价方向，核实金额超过账面金额的两倍），按原值计入",
        "some taints exceed 100% (audited value more than twice the book value in the "
        "direction evaluated); they are used as they are",
    ),
    "sampling.note.opposite.understatement": (
        "发现多收电费（核实金额低于账面，错报比例之和 {taints:.4g}）：应退还用户，不抵减少收电费，"
        "未计入{method}的上限",
        "over-billing found (audited below book, sum of taints {taints:.4g}): it is refunded to "
        "the customers, does not offset the under-billing and is left out of the {method} bound",
    ),
    "sampling.note.opposite.overstatement": (
        "发现少计（核实金额高于账面，错报比例之和 {taints:.4g}）：不抵减多计的错报，未计入{method}的上限",
        "understatements found (audited above book, sum of taints {taints:.4g}): they do not "
        "offset the overstatements and are left out of the {method} bound",
    ),
    "sampling.note.rounded": (
        "错报比例之和 {taints:.4g} 向上取整为 {errors:,} 个错误",
        "the sum of taints {taints:.4g} is rounded up to {errors:,} whole errors",
    ),
    "sampling.note.lta.understatement": (
        "发现多收电费（核实金额低于账面，错报比例之和 {taints:.4g}）：应退还用户，不抵减少收电费；"
        "错报率上限 {gross} 只按少收电费计算。LTA 净额 {net}（减去多收电费的最可能比例，"
        "每笔至多 100%）仅供参考，不作结论依据",
        "over-billing found (audited below book, sum of taints {taints:.4g}): it is refunded to "
        "the customers and does not offset the under-billing; the upper limit {gross} counts "
        "the under-billing alone. The LTA net figure {net} (the most likely over-billing rate "
        "subtracted, each taint at most 100%) is for reference only, not the conclusion",
    ),
    "sampling.note.lta.overstatement": (
        "发现少计（核实金额高于账面，错报比例之和 {taints:.4g}）：不抵减多计的错报；"
        "错报率上限 {gross} 只按多计的错报计算。LTA 净额 {net}（减去少计的最可能比例，"
        "每笔至多 100%）仅供参考，不作结论依据",
        "understatements found (audited above book, sum of taints {taints:.4g}): they do not "
        "offset the overstatements; the upper limit {gross} counts the overstatements alone. "
        "The LTA net figure {net} (the most likely understatement rate subtracted, each taint "
        "at most 100%) is for reference only, not the conclusion",
    ),
    "sampling.note.net.understatement": (
        "估计为净额：{rows:,} 条记录多收电费（核实金额低于账面），与少收电费相抵",
        "the estimate is net: {rows:,} rows are over-billed (audited below book) and offset the "
        "under-billing",
    ),
    "sampling.note.net.overstatement": (
        "估计为净额：{rows:,} 条记录少计（核实金额高于账面），与多计的错报相抵",
        "the estimate is net: {rows:,} rows are understated (audited above book) and offset the "
        "overstatements",
    ),
    "sampling.note.too_few_differences": (
        "{method}的上限建立在样本中的差异上，本样本只有 {found:,} 个非零差异（至少需要 {least:,} 个）："
        "上限不可靠，不据此接受总体",
        "the {method} bound rests on the differences in the sample, and this sample holds {found:,} "
        "non-zero differences (at least {least:,} are needed): the bound is not trusted and the "
        "population is not accepted on it",
    ),
    "sampling.note.bayes_factor_undefined": (
        "先验 {prior} 已（在双精度范围内）完全确定错报率低于或不低于重要性水平：任何数据都不能改变其几率，"
        "贝叶斯因子无定义，不予报告",
        "the prior {prior} already leaves no doubt (to double precision) whether the rate is "
        "below materiality: no data can change its odds, so the Bayes factor is undefined and "
        "not reported",
    ),
    "sampling.note.no_variation": (
        "错报比例没有变异：上下限等于均值",
        "no variation among the taints: the bounds equal the mean",
    ),
    "sampling.note.raised_stratum.proportional": (
        "层“{stratum}”按比例分配不足 1 个抽样单位，改为 1 个：每层至少抽 1 个（只有 1 条记录的层即全数核查）",
        "stratum '{stratum}' was given 1 unit although its proportional share rounds to none: "
        "every stratum is sampled (a one-row stratum is so examined in full)",
    ),
    "sampling.note.raised_stratum.neyman": (
        "层“{stratum}”按 Neyman 分配不足 1 个抽样单位，改为 1 个：每层至少抽 1 个（只有 1 条记录的层即全数核查）",
        "stratum '{stratum}' was given 1 unit although its Neyman share rounds to none: every "
        "stratum is sampled (a one-row stratum is so examined in full)",
    ),
    "sampling.note.census": (
        "全数核查（{rows:,} 条记录）：错报已知，没有抽样风险，上下限等于发现的错报率",
        "examined in full ({rows:,} rows): the misstatement is known, with no sampling risk; the "
        "bounds equal the rate found",
    ),
    "sampling.note.individually_significant": (
        "{rows:,} 条记录的账面金额不低于抽样间隔 {interval} 元，属单项重大项目：其错报 {found_yuan} 元按核实数"
        "计入（不按错报比例推断），上限为此错报加其余记录的 Stringer 上限",
        "{rows:,} row(s) with a book value at or above the sampling interval of {interval} yuan "
        "are individually significant: their misstatement of {found_yuan} yuan is counted as found "
        "(not projected from taints), and the upper limit is it plus the Stringer bound of the "
        "other rows",
    ),
    "sampling.note.overstatement_capped": (
        "多计电费不会超过账面（计费）金额：上限按账面金额的 100% 计",
        "over-billing cannot exceed what was billed: the upper limit is capped at 100% of the "
        "book value",
    ),
    "sampling.note.census_strata": (
        "层 {strata} 已全数核查：其错报已知，没有抽样风险，按发现的错报计入",
        "strata examined in full ({strata}): their misstatement is known, with no sampling "
        "risk, and is counted as found",
    ),
    "sampling.note.complete_pooling": (
        "完全合并：各层作为一个样本评价，分层结果仅供参考",
        "complete pooling: the strata are evaluated as one sample; per-stratum results are "
        "shown for reference",
    ),
    "sampling.note.strata_added": (
        "各层上限相加合并：偏保守（合并后的置信水平更高）",
        "strata combined by adding their upper limits: conservative (the combined confidence "
        "is higher)",
    ),
    # the field sheet's checks
    "sampling.sheet.inspected_at.title": ("日期无效", "Invalid date"),
    "sampling.sheet.inspected_at.message": (
        "请填写核查日期（YYYY-MM-DD），2000 年至 2100 年之间。",
        "Enter the inspection date (YYYY-MM-DD), between 2000 and 2100.",
    ),
    "sampling.sheet.audited_value.title": ("金额无效", "Invalid amount"),
    "sampling.sheet.audited_value.message": (
        "请填写核实后的正确金额（元），不小于 0 的数字；无误时与账面金额相同。",
        "Enter the correct amount in yuan, a number of at least 0; the book value when right.",
    ),
    "sampling.sheet.error_found.title": ("请选择“是”或“否”", "Choose yes or no"),
    "sampling.sheet.error_found.message": (
        "是否有误只能填“是”或“否”（可从下拉列表选择）。",
        "error_found takes yes or no (pick from the list).",
    ),
    "sampling.sheet.note.title": ("备注过长", "Note too long"),
    "sampling.sheet.note.message": (
        "备注不超过 {length:,} 个字符。",
        "A note holds at most {length:,} characters.",
    ),
    # the field sheet: headers (Chinese name beside the column), statement and instructions
    "sampling.sheet.header.sample_no": ("序号", "sample_no"),
    "sampling.sheet.header.customer_id": ("户号", "customer_id"),
    "sampling.sheet.header.district": ("供电单位", "district"),
    "sampling.sheet.header.period": ("电费年月", "period"),
    "sampling.sheet.header.stratum": ("层", "stratum"),
    "sampling.sheet.header.book_value": ("账面金额", "book_value"),
    "sampling.sheet.header.times": ("抽中次数", "times"),
    "sampling.sheet.header.inspected_at": ("核查日期", "inspected_at"),
    "sampling.sheet.header.audited_value": ("核实金额", "audited_value"),
    "sampling.sheet.header.error_found": ("是否有误", "error_found"),
    "sampling.sheet.header.note": ("备注", "note"),
    # auditkit's columns a sheet may carry (with --data), and the codes they hold
    "sampling.sheet.header.usage_type": ("用电类别", "usage_type"),
    "sampling.sheet.header.tariff_category": ("电价类别", "tariff_category"),
    "sampling.sheet.header.status": ("用户状态", "status"),
    "sampling.sheet.header.flagged": ("规则命中", "flagged"),
    "sampling.status.active": ("在用", "active"),
    "sampling.status.suspended": ("暂停", "suspended"),
    "sampling.status.closed": ("销户", "closed"),
    "sampling.flagged.True": ("命中", "flagged"),
    "sampling.flagged.False": ("未命中", "not flagged"),
    # the workbook's visible tabs (the hidden ones keep their names: auditkit reads them)
    "sampling.sheet.tab.field_sheet": ("现场核查表", "field_sheet"),
    "sampling.sheet.statement": (
        "评价的错报方向：{what}。{amount}请只填写黄色列（核查日期、核实金额、是否有误填“{yes}”或“{no}”、"
        "备注）；灰色列已锁定，请勿修改。",
        "Misstatement evaluated: {what}.{amount} Fill in only the yellow columns (inspected_at, "
        "audited_value, error_found as {yes} or {no}, note); the grey columns are locked.",
    ),
    "sampling.sheet.revenue_lost": (
        "核实金额高于账面金额即为少收电费。",
        " An audited amount above the book amount is revenue lost.",
    ),
    "sampling.sheet.instructions": ("核查人员填写说明", "Instructions for inspectors"),
    "sampling.sheet.line.rows": (
        "每一行是一条被抽中的记录；请勿增删行。序号、户号、账面金额等灰色列已锁定（工作表保护，无密码），"
        "只为防止误改；返回后仍会逐项核对。",
        "Each row is one selected record; do not add or delete rows. The grey columns are locked "
        "(sheet protection without a password) against slips; they are checked again on return.",
    ),
    "sampling.sheet.line.audited_value": (
        "核实金额 audited_value：核查后确认的正确金额（元），不小于 0。无误时填写与账面金额相同的数。",
        "audited_value: the correct amount (yuan) after inspection, at least 0; the book value "
        "when it is right.",
    ),
    "sampling.sheet.line.error_found": (
        "是否有误 error_found：从下拉列表选择“{yes}”或“{no}”；留空时按核实金额与账面金额是否一致判断。"
        "读取时也接受 {flags}。",
        "error_found: pick {yes} or {no} from the list; when blank it is derived from "
        "audited_value against book_value. Reading also accepts {flags}.",
    ),
    "sampling.sheet.line.inspected_at": (
        "核查日期 inspected_at：日期，格式 YYYY-MM-DD；留空时取本文件的保存日期。",
        "inspected_at: a date, YYYY-MM-DD; when blank, the date this file was saved.",
    ),
    "sampling.sheet.line.note": (
        "备注 note：发现的问题、依据、证据编号（不超过 {length:,} 字）。",
        "note: what was found, the basis, the evidence reference (at most {length:,} characters).",
    ),
    "sampling.sheet.line.sampling": (
        "抽样：{units}，{method}，随机种子 {seed}，共 {n:,} 个抽样单位。",
        "Sampling: {units}, {method}, seed {seed}, {n:,} units.",
    ),
    "sampling.sheet.line.masked": (
        "已脱敏的列：{columns}（个人信息只显示一部分，请按编号列找到核查对象；需要完整信息时请向出具本表的"
        "稽查人员索取，或由其加 --no-mask / --keep 重新出表）。",
        "Masked columns: {columns} (personal data shows only in part: find each unit by its id "
        "columns; for the full text ask whoever issued the sheet, who can write it again with "
        "--no-mask or --keep).",
    ),
    # what `auditkit sample` prints between its tables
    "sampling.cli.planned": ("按 --materiality 计划：{plan}", "planned from --materiality: {plan}"),
    "sampling.cli.note": ("注：{text}", "note: {text}"),
    "sampling.plan.finite": (
        "总体只有 {accounts:,} 户，少于 {likelihood} 计划所需：改按有限总体（超几何）计划并评价。",
        "The population holds {accounts:,} accounts, fewer than the {likelihood} plan asks "
        "for: it is planned and evaluated over the finite population (hypergeometric).",
    ),
    "sampling.plan.census": (
        "总体只有 {accounts:,} 户，少于 {likelihood} 计划所需，且更小的样本都达不到计划：全部逐户"
        "核查（普查，按超几何评价）。",
        "The population holds {accounts:,} accounts, fewer than the {likelihood} plan asks for, "
        "and no smaller sample of them meets the plan: all are examined (a census, evaluated "
        "hypergeometric).",
    ),
    "sampling.cli.finite_plan": (
        "总体只有 {accounts:,} 户，少于 {likelihood} 计划的 {planned:,} 户：改按有限总体"
        "（超几何）计划，抽 {n:,} 户",
        "the population holds {accounts:,} accounts, fewer than the {planned:,} of the "
        "{likelihood} plan: planned over the finite population (hypergeometric), {n:,} accounts",
    ),
    "sampling.cli.census": (
        "总体只有 {accounts:,} 户，少于 {likelihood} 计划的 {planned:,} 户，且更小的样本都达不到"
        "计划：全部 {n:,} 户逐户核查（普查，按超几何评价）",
        "the population holds {accounts:,} accounts, fewer than the {planned:,} of the "
        "{likelihood} plan, and no smaller sample of them meets the plan: a census, all {n:,} "
        "accounts examined (evaluated hypergeometric)",
    ),
    "sampling.cli.differs_from_plan": (
        "注：{flag} {given} 不同于核查表记录的计划（{as_planned}）：按 {given} 评价",
        "note: {flag} {given} differs from the plan the sheet records ({as_planned}): evaluated "
        "with {given}",
    ),
    "sampling.cli.sheet_written": ("现场核查表已写入：{path}", "field sheet written: {path}"),
    "sampling.cli.inspections_written": (
        "核查记录已写入：{path}（{added:,} 行）",
        "inspections written: {path} ({added:,} row(s))",
    ),
    "sampling.cli.inspections_appended": (
        "核查记录已追加：{path}（新增 {added:,} 行，{recorded:,} 行已有记录，共 {total:,} 行）",
        "inspections appended: {path} ({added:,} row(s) added, {recorded:,} already recorded, "
        "{total:,} in all)",
    ),
    "sampling.cli.masked": (
        "核查表上已脱敏：{columns}；--keep 列名 或 --no-mask 可原样写出",
        "masked on the sheet: {columns}; --keep COLUMN or --no-mask writes them as they are",
    ),
    "sampling.cli.masked_as": ("{column}（按{kind}）", "{column} (as {kind})"),
    "sampling.cli.kept": (
        "核查表上原样写出（--keep）：{columns}",
        "written unmasked on the sheet (--keep): {columns}",
    ),
    "sampling.cli.kept_personal": (
        "{column}（默认按{kind}脱敏）",
        "{column} (masked as {kind} by default)",
    ),
    "sampling.cli.unmasked": (
        "因 --no-mask 未脱敏写出的个人信息列：{columns}（核查表含完整个人信息，请妥善保管）",
        "personal columns written unmasked on the sheet (--no-mask): {columns} (the sheet holds "
        "personal data in full: keep it safe)",
    ),
    "sampling.cli.holding": ("{column}（{kind}）", "{column} ({kind})"),
    "sampling.cli.kind.name": ("姓名", "name"),
    "sampling.cli.kind.address": ("地址", "address"),
    "sampling.cli.kind.phone": ("电话", "phone"),
    # the simulated inspectors' notes
    "sampling.simulated.under_billed": (
        "模拟：少计 {amount} 元",
        "simulated: under-billed by {amount} yuan",
    ),
    "sampling.simulated.irregular": ("模拟：存在植入的异常", "simulated: an injected irregularity"),
}

"""Wording (Chinese, English) of the digit tests (`auditkit.stats.digits`): Benford on
adjustments, the last digit of hand-read registers per meter reader, and what Benford on bill
amounts can and cannot say. See `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {
    "stats.heading.adjustment_digits": (
        "退补金额本福特检验",
        "Benford tests of adjustments (refunds, back-bills, waivers)",
    ),
    "stats.heading.last_digits": (
        "手工抄表示数末位检验（按抄表员）",
        "Last digit of hand-read registers, by meter reader",
    ),
    "digits.column.amounts": ("可检验笔数", "Amounts tested"),
    "digits.column.tested": ("检验情况", "Tested"),
    "digits.column.expected_mad": ("符合时期望 MAD", "MAD if conforming"),
    "digits.column.departs": (
        "偏离本福特（卡方显著且 MAD 超出可接受区间）",
        "Departs (significant chi-square and a MAD beyond acceptable)",
    ),
    "digits.column.verdict_basis": ("判定依据", "Why"),
    "digits.column.reader_id": ("抄表员", "Meter reader"),
    "digits.column.reads": ("手工实抄示数（已走字）", "Hand reads (register moved)"),
    "digits.column.unchanged": ("未走字（剔除）", "Unchanged (left out)"),
    "digits.column.p_adjusted": ("Holm 校正 p 值", "Holm-adjusted p"),
    "digits.column.digit_mad": ("末位占比平均偏差", "Mean deviation from 10%"),
    "digits.column.top_digit": ("最常见末位（占比）", "Most frequent last digit (share)"),
    "digits.column.flagged": ("末位不均匀", "Not uniform"),
    "digits.status.tested": ("已检验", "tested"),
    "digits.status.too_few": ("不足 {minimum:,} 笔，未检验", "fewer than {minimum:,}: not tested"),
    "digits.status.small_sample": (
        "部分数字期望频数不足 5，不作判定",
        "some digit expected fewer than 5 times: not judged",
    ),
    "digits.note.too_few_reads": ("抄表数过少，未检验", "too few reads: not tested"),
    "digits.word.group_test": ("{name}（{test}）", "{name} ({test})"),
    "digits.word.digit_share": ("{digit}（{share}）", "{digit} ({share})"),
    "digits.word.mad_only": (
        "{name}（{test}，MAD {mad:.4f}，符合时期望 {expected:.4f}，卡方 {p_value}）",
        "{name} ({test}: MAD {mad:.4f} against {expected:.4f} if conforming, chi-square {p_value})",
    ),
    # Why a tested set departs or not (`benford.verdict_basis`): the two criteria of the verdict.
    "digits.basis.both": (
        "卡方显著且 MAD 超出可接受区间：偏离",
        "significant chi-square and a MAD beyond acceptable: departs",
    ),
    "digits.basis.significance_only": (
        "卡方显著，但 MAD 在可接受区间内（金额多时微小偏差也显著）：不判为偏离",
        "significant chi-square, but the MAD is within acceptable (on many amounts a slight "
        "departure is significant): no departure",
    ),
    "digits.basis.mad_only": (
        "MAD 落入“{conformity}”区间，但卡方不显著；{n:,} 笔完全符合定律的金额 MAD 平均也有 "
        "{expected_mad:.4f}（Nigrini 区间适用于大样本）：不判为偏离",
        "the MAD is in the {conformity} range, but the chi-square is not significant; {n:,} "
        "amounts drawn from the law itself show a MAD of {expected_mad:.4f} on average "
        "(Nigrini's ranges are for large samples): no departure",
    ),
    "digits.basis.neither": (
        "卡方不显著，MAD 在可接受区间内：不偏离",
        "chi-square not significant and the MAD within acceptable: no departure",
    ),
    "digits.sentence.adjustments_untested": (
        "退补金额共 {count:,} 笔，各单位均不足 {minimum:,} 笔，未做本福特检验（样本过小时，即使金额"
        "完全符合本福特定律，MAD 也会落入“不符合”区间）。",
        "{count:,} adjustments in all, fewer than {minimum:,} in every group: no Benford test (on so "
        "few amounts even a sample drawn from the law itself shows a nonconforming MAD).",
    ),
    "digits.sentence.adjustments_not_judged": (
        "退补金额共 {count:,} 笔，各组金额过少，部分数字期望频数不足 5，本福特检验不作判定。",
        "{count:,} adjustments in all; in every group some digit is expected fewer than 5 "
        "times, so no Benford test is judged.",
    ),
    "digits.sentence.adjustments_some_not_judged": (
        "另有 {tests} 项检验部分数字期望频数不足 5，不作判定。",
        " {tests} more tests have some digit expected fewer than 5 times and are not judged.",
    ),
    "digits.sentence.adjustments_conform": (
        "退补金额 {count:,} 笔，已做 {tests} 项本福特检验，均未偏离本福特定律（判为偏离须卡方 "
        "p < {alpha:g} 且 MAD 为勉强符合或不符合）。",
        "{count:,} adjustments; Benford tests run: {tests}; none departs from the law (a departure "
        "needs a chi-square p < {alpha:g} and a marginal or nonconforming MAD).",
    ),
    "digits.sentence.adjustments_depart": (
        "退补金额 {count:,} 笔，偏离本福特定律（卡方 p < {alpha:g} 且 MAD 勉强符合或不符合）的有："
        "{names}；建议抽查这些退补的审批和依据（整数金额、卡在审批限额以下的金额等）。",
        "{count:,} adjustments; departing from Benford's law (chi-square p < {alpha:g} and a "
        "marginal or nonconforming MAD): {names}. Check the approvals and grounds of these "
        "adjustments (round amounts, amounts kept just under an approval limit).",
    ),
    "digits.sentence.adjustments_mad_only": (
        "{names}的 MAD 超出可接受区间，但卡方不显著：同样大小、完全符合定律的样本 MAD 也差不多这么大"
        "（Nigrini 的区间按大样本制定），故不判为偏离。",
        " The MAD of {names} is beyond acceptable, but the chi-square is not significant: a "
        "sample of that size drawn from the law itself shows about as large a MAD (Nigrini's "
        "ranges were set on large data sets), so this is no departure.",
    ),
    "digits.sentence.readers_untested": (
        "{readers} 名抄表员的手工抄表数均不足 {minimum:,} 个，末位检验未做。",
        "None of the {readers} meter readers has {minimum:,} hand reads: no last-digit test.",
    ),
    "digits.sentence.readers_uniform": (
        "手工抄表示数末位检验：{tested} 名抄表员、{reads:,} 个示数，没有抄表员的末位数字明显不均匀"
        "（Holm 校正后 p < {alpha:g} 且各数字占比与 10% 平均相差超过 {min_mad}）。",
        "Last digit of hand reads: {tested} meter readers, {reads:,} registers; no reader's last "
        "digits are clearly uneven (Holm-adjusted p < {alpha:g} with digit shares more than "
        "{min_mad} from 10% on average).",
    ),
    "digits.sentence.readers_flagged": (
        "手工抄表示数末位检验：{tested} 名抄表员、{reads:,} 个示数中，{names} 的末位数字明显"
        "不均匀（Holm 校正后 p < {alpha:g} 且各数字占比与 10% 平均相差超过 {min_mad}），"
        "可能存在估抄或编造示数，建议现场复抄核对。",
        "Last digit of hand reads: of {tested} meter readers ({reads:,} registers), {names} "
        "favour some last digits (Holm-adjusted p < {alpha:g}, digit shares more than "
        "{min_mad} from 10% on average): reads may be estimated or made up at the desk; "
        "re-read a sample of their meters on site.",
    ),
    "digits.sentence.bill_amounts_mix": (
        "电费金额是否符合本福特定律，主要取决于用户构成（居民、工商业、大工业的电量和电价区间不同，"
        "同类用户的电费集中在较窄范围），而不是是否有人作假；电费金额偏离本福特定律本身不是舞弊"
        "信号，只宜在单位之间横向比较。",
        "Whether bill amounts follow Benford's law depends mainly on the mix of customers "
        "(households, businesses and large industry bill in different ranges, and bills of one "
        "class cluster in a narrow band), not on fraud: bill amounts departing from the law are "
        "not a fraud signal on their own; compare districts with each other.",
    ),
    "digits.chart.adjustments_title": (
        "{name}：退补金额{test}（{n:,} 笔，MAD = {mad:.4f}，符合时期望 {expected:.4f}）",
        "{name}: adjustments, {test} ({n:,} amounts, MAD = {mad:.4f}, {expected:.4f} if "
        "conforming)",
    ),
    "digits.chart.readers_title": (
        "各抄表员示数末位检验（红色：末位不均匀，即 Holm 校正 p < {alpha:g} 且平均偏差 > "
        "{min_mad}）",
        "Last digit of hand reads per meter reader (red: not uniform, i.e. Holm-adjusted "
        "p < {alpha:g} and mean deviation > {min_mad})",
    ),
    "digits.chart.shares_title": (
        "各数字占比 − 10%（橙：偏多，紫：偏少）",
        "Each digit's share − 10% (orange: more, purple: fewer)",
    ),
    "digits.chart.verdict_title": (
        "判定：平均偏差与 Holm 校正 p",
        "Verdict: mean deviation, Holm-adjusted p",
    ),
    "digits.chart.mean_deviation": (
        "各数字占比与 10% 的平均偏差（虚线：{min_mad}）",
        "Mean deviation from 10% (dashed: {min_mad})",
    ),
    "digits.chart.last_digit": ("示数末位整数", "Last whole digit of the register"),
    "digits.chart.share_minus_uniform": ("占比 − 10%", "Share − 10%"),
    "stats.note.adjustments_unknown_customers": (
        "{count:,} 笔退补的户号不在客户档案中，未参与本福特检验。",
        "{count:,} adjustments belong to customers missing from the archive and are left out of "
        "the Benford tests.",
    ),
    "stats.note.no_adjustments": (
        "未提供 adjustments（退补）表，退补金额本福特检验未做。",
        "No adjustments table: no Benford test of refunds, back-bills and waivers.",
    ),
    "stats.note.no_manual_reads": (
        "账单未记录抄表员（reader_id 为空）：没有手工抄表示数，末位检验未做。",
        "No bill names a meter reader (reader_id empty): no hand reads, no last-digit test.",
    ),
    "stats.method.adjustment_digits": (
        "退补金额本福特检验：取退补（退费、补收、违约金减免、示数更正）金额的绝对值，按单位和全部单位"
        "分别做首位和前两位数字检验（Nigrini 2012）；可检验笔数（≥10 元）少于下限（首位 100、前两位 "
        "1,000）时不做检验并注明。样本较小时即使完全符合本福特定律，MAD 也偏大，故同时给出“符合时期望 "
        "MAD”（√(2p(1−p)/(πn)) 的均值）；卡方显著且 MAD 为勉强符合或不符合时判为显著偏离。",
        "Benford tests of adjustments: absolute amounts of refunds, back-bills, waivers and read "
        "corrections, per district and overall, first-digit and first-two-digits tests (Nigrini "
        "2012); groups with fewer testable amounts (>= 10 yuan) than the minimum (100 first "
        "digit, 1,000 first two) are not tested and say so. A small sample's MAD is large even "
        "when it follows the law, so the MAD a conforming sample of that size shows (mean of "
        "sqrt(2p(1-p)/(pi n))) is given beside it; a group departs when the chi-square is "
        "significant and the MAD is marginal or nonconforming.",
    ),
    "stats.method.last_digits": (
        "抄表示数末位检验：只取有抄表员（reader_id）且为实抄的账单，取本月示数整数部分的个位（小数"
        "不计）；示数整数部分未走字的剔除（其末位重复上月示数）。真实示数走字后末位在 0–9 上均匀分布，"
        "与用电多少无关；对每名抄表员"
        "做与均匀分布的卡方检验（自由度 9），多名抄表员之间用 Holm 方法校正；校正后 p 小于显著性水平、"
        "各数字占比与 10% 的平均偏差超过 2 个百分点且抄表数不少于 100 时标记（只看显著性，抄表数多时"
        "微小偏差也会显著）。",
        "Last-digit test: bills with a meter reader (reader_id) and an actual read; the units "
        "digit of the register's whole part (decimals aside). Registers whose whole part did not "
        "move are left out (their digit repeats the last read). Once a register moves, its last "
        "digit is uniform over 0-9 whatever the consumption; each reader's digits are tested "
        "against the uniform by "
        "chi-square (9 df), Holm-corrected across readers, and flagged when the adjusted p is "
        "below the level, the digit shares are more than 2 points from 10% on average (with "
        "many reads a trivial departure is significant) and the reader has at least 100 reads.",
    ),
}

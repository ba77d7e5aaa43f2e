"""Wording (Chinese, English) of rules adjustments: see `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {
    "rule.unapproved_adjustment.title": (
        "退费、减免未经审批（集中于操作员）",
        "Refund or waiver posted without approval",
    ),
    "rule.unapproved_adjustment.checks": (
        "截至稽查日期录入的退费、违约金减免，以及冲减电费的退补和抄表差错更正，无审批人记录；同一操作员未经审批的"
        "至少 min_operator_count 笔，且占其退费减免的 unapproved_share 以上，或其笔数相对各操作员中位数的稳健 z 值"
        "达到 z_threshold，视为集中于该操作员，评分提高；涉及电费为未经审批退还或减免的金额",
        "refunds, late-fee waivers and back-bills or read corrections that lower a bill, posted up "
        "to the audit date with no approver recorded; when an operator posted at least "
        "min_operator_count of them and they are unapproved_share of the operator's refunds and "
        "waivers, or their count's robust z-score against the median operator reaches "
        "z_threshold, they are concentrated on that operator and score higher; impact: the money "
        "refunded or waived without approval",
    ),
    "rule.unapproved_adjustment.source": (
        "国家电网公司电费抄核收管理规则（电费退补须经审批后执行）；营销稽查实践：退费、减免集中于同一操作员"
        "是内部人员违规操作的重点稽查对象",
        "State Grid rules on meter reading, billing and collection (a refund or waiver is "
        "posted only once approved); marketing audit practice: refunds and waivers concentrated "
        "on one operator are a core target for staff-side manipulation",
    ),
    "evidence.unapproved_adjustment.refund": (
        "{date:date} 退费 {amount:money}（{period:period} 电费），无审批人，操作员 {operator:text}",
        "refund of {amount:money} for {period:period} posted {date:date} by operator "
        "{operator:text} with no approval",
    ),
    "evidence.unapproved_adjustment.late_fee_waiver": (
        "{date:date} 减免违约金 {amount:money}（{period:period} 电费），无审批人，操作员 {operator:text}",
        "late-fee waiver of {amount:money} for {period:period} posted {date:date} by operator "
        "{operator:text} with no approval",
    ),
    "evidence.unapproved_adjustment.backbill": (
        "{date:date} 退补冲减电费 {amount:money}（{period:period} 电费），无审批人，操作员 {operator:text}",
        "back-bill lowering {period:period} by {amount:money} posted {date:date} by operator "
        "{operator:text} with no approval",
    ),
    "evidence.unapproved_adjustment.read_correction": (
        "{date:date} 抄表差错更正冲减电费 {amount:money}（{period:period} 电费），无审批人，操作员 {operator:text}",
        "read correction lowering {period:period} by {amount:money} posted {date:date} by "
        "operator {operator:text} with no approval",
    ),
    "evidence.unapproved_adjustment.operator": (
        "；该操作员共 {unapproved:int} 笔未经审批（占其 {total:count:refund_or_waiver}的 {share:pct}）",
        "; the operator posted {unapproved:int} of {total:count:refund_or_waiver} without "
        "approval ({share:pct})",
    ),
    "evidence.unapproved_adjustment.operator_concentrated": (
        "；未经审批的退费减免集中于该操作员：共 {unapproved:int} 笔，占其 {total:count:refund_or_waiver}的 "
        "{share:pct}，稳健 z 值 {z:num1}",
        "; unapproved refunds concentrate on this operator: {unapproved:int} of "
        "{total:count:refund_or_waiver} ({share:pct}), robust z-score {z:num1}",
    ),
    "evidence.unapproved_adjustment.more": (
        "；该户另有 {more:int} 笔未经审批的退费或减免",
        "; {more:int} more unapproved {more:noun:refund_or_waiver}",
    ),
    "noun.refund_or_waiver": ("笔退费或减免", "refund or waiver"),
    "noun.refund_or_waiver.plural": ("笔退费或减免", "refunds and waivers"),
}  # fmt: skip

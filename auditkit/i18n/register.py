"""Wording of auditkit.register (zh, en) by key: `register.store.*` for the findings register,
`register.sheet.*` for the worklist sheet the field fills in."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    # the findings register: a finding's status after a run of its district
    "register.store.status.new": ("新发现", "new"),
    "register.store.status.persisting": ("持续存在", "persisting"),
    "register.store.status.no_longer_found": ("本月未再发现", "no longer found"),
    "register.store.status.reopened": ("再次出现", "reopened"),
    "register.store.status.moved_in": ("随用户迁入", "moved in"),
    "register.store.status.moved_out": ("随用户迁出", "moved out"),
    "register.store.amount_changed": ("涉及金额有变化", "amount changed"),
    # the worklist sheet: headers (Chinese name beside the column) of the columns without a
    # common word
    "register.sheet.header.finding_key": ("线索编号", "finding_key"),
    "register.sheet.header.period": ("异常期间", "period"),
    "register.sheet.header.revenue_proved": ("涉及金额（核算确认）", "revenue_proved"),
    "register.sheet.header.revenue_estimated": ("涉及金额（估算）", "revenue_estimated"),
    "register.sheet.header.outcome": ("核查结果", "outcome"),
    "register.sheet.header.amount_recovered": ("追补金额（元）", "amount_recovered"),
    "register.sheet.header.penalty": ("违约使用电费（核定）", "penalty"),
    "register.sheet.header.penalty_recovered": ("违约使用电费实收（元）", "penalty_recovered"),
    "register.sheet.header.checked_by": ("核查人", "checked_by"),
    "register.sheet.header.checked_on": ("核查日期", "checked_on"),
    "register.sheet.period_span": ("{start} 至 {end}", "{start} to {end}"),
    # the outcomes the sheet's list offers, and what each means
    "register.sheet.outcome.sent": ("已派发", "sent"),
    "register.sheet.outcome.confirmed": ("属实", "confirmed"),
    "register.sheet.outcome.false_alarm": ("误报", "false alarm"),
    "register.sheet.outcome.rectified": ("已整改", "rectified"),
    "register.sheet.outcome.recovered": ("已追补", "recovered"),
    "register.sheet.outcome.archive_corrected": ("档案已更正", "archive corrected"),
    "register.sheet.meaning.sent": ("已派发现场核查", "sent to the field for checking"),
    "register.sheet.meaning.confirmed": (
        "现场核实，疑点属实",
        "checked on site, the irregularity is real",
    ),
    "register.sheet.meaning.false_alarm": (
        "现场核实，疑点不成立",
        "checked on site, there is no irregularity",
    ),
    "register.sheet.meaning.rectified": (
        "问题已整改（计量、电价或用电性质已纠正）",
        "put right (metering, tariff or usage corrected)",
    ),
    "register.sheet.meaning.recovered": (
        "已追补电费（在追补金额列填写金额）",
        "revenue recovered (enter the amount in amount_recovered)",
    ),
    "register.sheet.meaning.archive_corrected": (
        "营销档案已更正",
        "the customer archive was corrected",
    ),
    # the checks of the input columns
    "register.sheet.outcome.title": ("请选择核查结果", "Choose an outcome"),
    "register.sheet.outcome.message": (
        "核查结果请从下拉列表选择；未核查的行留空。",
        "Pick the outcome from the list; leave rows not yet checked blank.",
    ),
    "register.sheet.amount_recovered.title": ("追补金额无效", "Invalid amount recovered"),
    "register.sheet.amount_recovered.message": (
        "核查结果为“已追补”时填写追补的电费（元，不含违约使用电费），不小于 0 的数字；其他结果留空。",
        "With the outcome recovered, enter the revenue recovered in yuan (without the penalty), "
        "a number of at least 0; leave it blank for other outcomes.",
    ),
    "register.sheet.penalty_recovered.title": ("违约使用电费实收无效", "Invalid penalty recovered"),
    "register.sheet.penalty_recovered.message": (
        "核查结果为“已追补”且收取了违约使用电费时填写实收金额（元），不小于 0 的数字；不计入追补电费。",
        "With the outcome recovered, enter the penalty collected (the penalty for breach of the "
        "supply rules) in yuan, a number of at least 0; it is not added to the revenue "
        "recovered.",
    ),
    "register.sheet.checked_by.title": ("核查人过长", "Name too long"),
    "register.sheet.checked_by.message": (
        "填写核查人姓名或工号，不超过 {length:,} 个字符。",
        "Enter who checked (name or staff number), at most {length:,} characters.",
    ),
    "register.sheet.checked_on.title": ("核查日期无效", "Invalid date checked"),
    "register.sheet.checked_on.message": (
        "请填写核查日期（YYYY-MM-DD），{first} 年至 {last} 年之间。",
        "Enter the date checked (YYYY-MM-DD), between {first} and {last}.",
    ),
    # the statement above the header and the instructions sheet
    "register.sheet.statement": (
        "稽查线索核查工单。请只填写黄色列：核查结果（{outcomes}）、追补金额、违约使用电费实收、核查人、核查日期；"
        "灰色列已锁定，请勿修改，请勿增删行。未核查的行留空。",
        "Findings to check in the field. Fill in only the yellow columns: outcome ({outcomes}), "
        "amount_recovered, penalty_recovered, checked_by, checked_on; the grey columns are "
        "locked: do not change "
        "them, do not add or delete rows. Leave rows not yet checked blank.",
    ),
    "register.sheet.instructions": ("核查工单填写说明", "Instructions for the worklist"),
    # the names of the visible sheets (tabs); the English ones are `sheet.WORKLIST_SHEET` and
    # `sheet.INSTRUCTIONS`, every worklist's names before they followed its language
    "register.sheet.tab.worklist": ("核查工单", "worklist"),
    "register.sheet.line.rows": (
        "每一行是一条稽查线索，线索编号 finding_key 在各月运行中保持不变。灰色列已锁定（工作表保护，无密码），"
        "只为防止误改；返回后仍会逐项核对，改动、删除或新增的行都会被指出。",
        "Each row is one finding; its finding_key stays the same from month to month. The grey "
        "columns are locked (sheet protection without a password) against slips; they are "
        "checked again on return, and changed, deleted or added rows are pointed out.",
    ),
    "register.sheet.line.outcome": (
        "核查结果 outcome：从下拉列表选择，每行一个结果（{outcomes}）。同一线索的后续结果在下一期工单中填写。",
        "outcome: pick one from the list per row ({outcomes}). A later outcome of the same "
        "finding goes on a later worklist.",
    ),
    "register.sheet.line.amount_recovered": (
        "追补金额 amount_recovered：结果为“已追补”时必填，追补的电费（元），不小于 0；其他结果留空。"
        "超过该行涉及电费 {multiple} 倍且超过 {floor} 元的金额导入时会被拒绝（多为按分填写或误贴号码）；"
        "核实确为该金额的，由稽查人员用 auditkit register import --large-amounts 导入。",
        "amount_recovered: required with the outcome recovered, the revenue recovered in yuan, "
        "at least 0; blank for other outcomes. An amount above {multiple} times the row's revenue "
        "at stake and above {floor} yuan is refused at import (usually fen typed as yuan, or a "
        "pasted number); one checked to be right is imported with auditkit register import "
        "--large-amounts.",
    ),
    "register.sheet.line.penalty_recovered": (
        "违约使用电费实收 penalty_recovered：结果为“已追补”且收取了违约使用电费时填写实收金额（元），不小于 0；"
        "只填电费退补的金额在追补金额列，违约使用电费不计入追补电费，单独统计。"
        "违约使用电费（核定）列是规则核定的金额，空白表示未核定。超过该行核定违约使用电费与涉及电费中较大者 "
        "{multiple} 倍且超过 {floor} 元的金额导入时会被拒绝。",
        "penalty_recovered: with the outcome recovered, the penalty collected (the penalty for "
        "breach of the supply rules) in yuan, at least 0; amount_recovered holds the "
        "back-billing alone: a penalty is counted "
        "apart, never as revenue recovered. The penalty column is the penalty the rules "
        "assessed (blank: none). An amount above {multiple} times the larger of the row's "
        "penalty assessed and revenue at stake and above {floor} yuan is refused at import.",
    ),
    "register.sheet.line.checked_by": (
        "核查人 checked_by：填写了结果的行必填，姓名或工号，不超过 {length:,} 个字符。",
        "checked_by: required on a row with an outcome, a name or staff number, at most "
        "{length:,} characters.",
    ),
    "register.sheet.line.checked_on": (
        "核查日期 checked_on：填写了结果的行必填，格式 YYYY-MM-DD，{first} 年至 {last} 年之间。",
        "checked_on: required on a row with an outcome, YYYY-MM-DD, between {first} and {last}.",
    ),
    "register.sheet.line.return": (
        "返回的工单导入后按行记入稽查线索台账，只追加、不覆盖；同一工单重复导入不会重复记录，"
        "更正请在下一期工单中填写新的结果。",
        "A returned worklist is recorded row by row in the findings register, appended and "
        "never overwritten; importing the same sheet again records nothing twice, and a "
        "correction is a new outcome on a later worklist.",
    ),
    "register.sheet.line.unmasked": (
        "未脱敏写出的个人信息列：{columns}（本工单含完整个人信息，请妥善保管）。",
        "Personal columns written unmasked: {columns} (this worklist holds personal data in "
        "full: keep it safe).",
    ),
    "register.worklist.unmasked": (
        "因 --no-mask 未脱敏写出的个人信息列：{columns}（核查工单含完整个人信息，请妥善保管）",
        "personal columns written unmasked on the worklist (--no-mask): {columns} (the worklist "
        "holds personal data in full: keep it safe)",
    ),
    "register.sheet.selection.revenue": (
        "选取方式：每个供电单位涉及金额最高的 {top:,} 条线索。",
        "Chosen: the {top:,} findings with the most revenue at stake in each district.",
    ),
    "register.sheet.selection.score": (
        "选取方式：每个供电单位评分最高的 {top:,} 条线索。",
        "Chosen: the {top:,} findings with the highest score in each district.",
    ),
    "register.sheet.selection.high": (
        "选取方式：每个供电单位的全部高风险线索。",
        "Chosen: every high-severity finding of each district.",
    ),
    "register.sheet.selection.high_top": (
        "选取方式：每个供电单位的高风险线索中涉及金额最高的 {top:,} 条。",
        "Chosen: the {top:,} high-severity findings with the most revenue in each district.",
    ),
    "register.sheet.selection.sample": (
        "选取方式：按随机种子 {seed} 从每个供电单位的线索中随机抽取 {share}，用于测算规则的实际准确率，"
        "请逐条核查，不论金额大小。",
        "Chosen: a random {share} of each district's findings (seed {seed}) to measure the rules' "
        "real precision: check every one, whatever its amount.",
    ),
}

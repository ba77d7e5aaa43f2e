"""Wording of auditkit.billing: bill line kinds and the recomputation's notes (zh, en) by key."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "billing.line.energy": ("电度电费", "Energy charge"),
    "billing.line.loss": ("变损电费", "Transformer losses"),
    "billing.line.basic": ("基本电费", "Basic charge"),
    "billing.line.pf_adjustment": ("力调电费", "Power-factor adjustment"),
    "billing.line.fund": ("代征基金及附加", "Government funds and surcharges"),
    # notes of auditkit.billing.recompute (codes with figures: auditkit.billing.notes.Note)
    "billing.note.not_recomputed": (
        "缺少 {missing}，{line_type}未重算（已计费的该类明细应收金额留空）。",
        "{missing} missing: {line_type} lines are not recomputed (their amounts due are left "
        "empty).",
    ),
    "billing.note.no_tou_column": (
        "电价表有分时段电价，但客户档案无 tou（是否执行分时电价）列：全部按不分时电价重算。",
        "The tariffs have time-of-use rows but customers have no tou column: every bill is "
        "recomputed without periods.",
    ),
    "billing.note.no_tier_scheme": (
        "电价表有阶梯电价，但客户档案无 tier_scheme（一户一表/合表）列：不按阶梯重算。",
        "The tariffs have tier rows but customers have no tier_scheme column: no bill is "
        "recomputed by tiers.",
    ),
    "billing.note.tou_profile": (
        "{count:,} 张分时客户账单既无分时段示数也无分时段明细，按典型负荷比例拆分时段（估算）。",
        "{count:,} time-of-use bills have neither period registers nor billed period lines: their "
        "periods are split by the typical profile (estimated).",
    ),
    "billing.note.tou_registers_exceed": (
        "{count:,} 张分时客户账单的尖、峰、谷示数之和大于抄见电量（平段为负）：不按示数拆分时段，"
        "改按分时段明细，无明细则按典型负荷比例（估算）；这些账单不证明分时差额。",
        "{count:,} time-of-use bills have period registers adding up to more than their kWh "
        "metered (a negative flat period): their periods are split by their billed period lines, "
        "else by the typical profile (estimated); they prove no time-of-use difference.",
    ),
    "billing.note.no_rate": (
        "{count:,} 条应收明细在电价表中找不到执行电价（电价类别 {categories}），应收金额留空。",
        "{count:,} lines due have no tariff row in force (categories {categories}): their amounts "
        "due are left empty.",
    ),
    "billing.note.no_reactive_registers": (
        "{count:,} 张执行功率因数考核标准的账单既无无功正向也无无功反向示数，未计算力调电费。",
        "{count:,} bills of customers held to a power-factor standard have neither reactive "
        "register (import nor export): no power-factor adjustment is computed for them.",
    ),
    "billing.note.billed_unknown": (
        "{count:,} 行{line_type}有应收，但账单明细中没有任何此类明细，账单也无 {column} 列："
        "已收金额未知，差额留空。",
        "{count:,} {line_type} lines are due, but the bill lines hold no line of the kind and the "
        "bills have no {column} column: what was billed is unknown and the difference is left "
        "empty.",
    ),
    "billing.note.swap_reads_impossible": (
        "{count:,} 张换表后首期账单的换表工单示数与账单示数矛盾（旧表止码低于旧表最后计费示数，"
        "或新表起码高于该账单止码）：不据示数重算，应收电量按已计电量（{bills}）。",
        "{count:,} first bills after a meter replacement have swap reads no meter can have shown "
        "(the old meter's final read below its last billed read, or the new meter's first read "
        "above the bill's end): they are not judged from their reads, the kWh billed are taken "
        "as due ({bills}).",
    ),
    "billing.note.swap_three_meters": (
        "{count:,} 张账单的抄表期内有两次换表（三块表），示数或倍率不足以分清各表电量："
        "不据示数重算，应收电量按已计电量（{bills}）。",
        "{count:,} bills hold two meter replacements in their read period (three meters) whose "
        "reads or multipliers do not tell each meter's units: they are not judged from their "
        "reads, the kWh billed are taken as due ({bills}).",
    ),
    "billing.note.swap_multiplier_unknown": (
        "{count:,} 张换表前账单的换表工单未记旧倍率（或只记表号），示数又不足以定出换表前倍率："
        "不按档案今日倍率重算，应收电量按已计电量（{bills}）。",
        "{count:,} bills before a meter replacement whose order records no old multiplier (or "
        "meter numbers only) and whose reads cannot tell the multiplier before: they are not "
        "judged against the archive's multiplier of today, the kWh billed are taken as due "
        "({bills}).",
    ),
    "billing.note.swap_registers_fall": (
        "{count:,} 张换表前后账单示数倒走（止码低于起码），而换表工单日期不在其间："
        "不知哪段示数属哪块表，不据示数重算，应收电量按已计电量（{bills}）。",
        "{count:,} bills around a meter replacement have falling registers (end below start) "
        "while the order's day joins no bill: which reads are whose is not known, so they are "
        "not judged from their reads, the kWh billed are taken as due ({bills}).",
    ),
    "billing.note.swap_demand_not_judged": (
        "{count:,} 张账单的抄表期跨越倍率变更（同一抄表期内新旧倍率各计一段）：最大需量与无功电量"
        "不知落在变更前后哪一侧，按已计数量，不予判定；有功电量仍按示数重算（{bills}）。",
        "{count:,} bills are read across a multiplier change (part at the old multiplier, part at "
        "the new): which side their maximum demand and reactive energy fell on is not known, so "
        "they are taken as billed, not judged; their kWh are still recomputed ({bills}).",
    ),
    "billing.note.losses_unknown": (
        "{count:,} 张高供低计账单的变压器缺少空载、负载损耗参数，或其容量未知（无变压器记录，"
        "且合同容量在未记原容量的增减容工单之前不明），未计算变损。",
        "{count:,} bills metered on the low side lack their transformer's no-load and load losses, "
        "or its capacity is unknown (no transformer rows, and the contract capacity unknown "
        "before a capacity order that records no old capacity): no transformer losses are "
        "computed for them.",
    ),
}

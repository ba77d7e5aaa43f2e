"""Wording (Chinese, English) of the same-period line loss per transformer area and feeder
(`auditkit.stats.network_loss`). See `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {
    "stats.heading.network_loss": (
        "台区与线路同期线损",
        "Same-period line loss by transformer area and feeder",
    ),
    "network.level.area": ("台区", "transformer area"),
    "network.level.feeder": ("线路", "feeder"),
    "network.status.negative_loss": ("负损", "negative loss"),
    "network.status.high_loss": ("高损", "high loss"),
    "network.status.low_coverage": ("采集覆盖不足，未计算", "coverage too low: not computed"),
    "network.status.no_customers": ("档案中无用户，未计算", "no customers on file: not computed"),
    "network.status.small_supply": ("供电量过小，不判断", "supply too small to judge"),
    "network.status.normal": ("正常", "normal"),
    "network.column.level": ("层级", "Level"),
    "network.column.unit_id": ("台区/线路编号", "Area / feeder"),
    "network.column.units": ("台区/线路数", "Units"),
    "network.column.unit_months": ("单元·月数", "Unit-months"),
    "network.column.computed": ("已计算", "Computed"),
    "network.column.loss_rate": ("同期线损率", "Same-period loss rate"),
    "network.column.months": ("月数", "Months"),
    "network.column.months_computed": ("已计算月数", "Months computed"),
    "network.column.kwh_sold": ("同期售电量 (千瓦时)", "Sold, same period (kWh)"),
    "network.column.months_high": ("高损月数", "High-loss months"),
    "network.column.months_negative": ("负损月数", "Negative-loss months"),
    "network.column.months_low_coverage": ("覆盖不足月数", "Low-coverage months"),
    "network.column.coverage": ("最低采集覆盖率", "Lowest coverage"),
    "network.sentence.nothing": (
        "没有可计算同期线损的台区或线路。",
        "No transformer area or feeder has a same-period loss to compute.",
    ),
    "network.sentence.level": (
        "{period_from} 至 {period_to}，{level}同期线损：{units:,} 个有供电量，{unit_months:,} 个单元·月中 "
        "{computed:,} 个已计算，合计线损率 {loss}；{high:,} 个出现高损（>{high_loss_rate}）、"
        "{negative:,} 个出现负损，{low:,} 个单元·月采集覆盖不足未计算。",
        "From {period_from} to {period_to}, {level} loss of the same period: {units:,} with supply, "
        "{computed:,} of {unit_months:,} unit-months computed, overall loss {loss}; {high:,} with a "
        "high-loss month (> {high_loss_rate}), {negative:,} with a negative-loss month; {low:,} "
        "unit-months not computed for low coverage.",
    ),
    "network.sentence.listed": (
        "下表只列出有异常月份的 {listed:,} 个台区或线路（{statuses}）；其余 {rest:,} 个各月线损正常"
        "或供电量过小不判断，不列出（共 {units:,} 个）。",
        "The table below lists only the {listed:,} areas or feeders with an abnormal month "
        "({statuses}); the other {rest:,} of the {units:,}, every month normal or too small a "
        "supply to judge, are not listed.",
    ),
    "network.sentence.listed_first": (
        "下表只列出有异常月份的台区或线路，共 {listed:,} 个（{statuses}），按严重程度列前 {rows:,} 个"
        "（完整清单见附件）；其余 {rest:,} 个各月线损正常或供电量过小不判断，不列出（共 {units:,} 个）。",
        "The table below lists only the areas or feeders with an abnormal month, {listed:,} of "
        "them ({statuses}), the {rows:,} most serious first (the attached file has them all); the "
        "other {rest:,} of the {units:,}, every month normal or too small a supply to judge, are "
        "not listed.",
    ),
    "network.sentence.listed_none": (
        "{units:,} 个台区或线路各月线损均正常或供电量过小不判断，没有需要列出的单位。",
        "Every month of the {units:,} areas and feeders is normal or too small a supply to judge: "
        "no unit to list.",
    ),
    "network.sentence.status_count": ("{status} {count:,} 个", "{count:,} marked '{status}'"),
    "network.chart.title": (
        "同期线损率分布（{period_from} 至 {period_to}，绿色：0–合理上限）",
        "Same-period loss rates, {period_from} to {period_to} (green: 0 to the reasonable limit)",
    ),
    "network.chart.loss_rate": ("同期线损率", "Loss rate, same period"),
    "stats.note.network_no_daily_reads": (
        "有 network_supply（台区/线路供电量）但没有日冻结电量（daily_reads），无法计算同期线损。",
        "network_supply is present but there are no daily reads (daily_reads): no same-period "
        "loss per area or feeder.",
    ),
    "stats.note.network_no_whole_month": (
        "日冻结电量不覆盖任何完整的自然月，无法计算同期线损。",
        "The daily reads cover no whole calendar month: no same-period loss.",
    ),
    "stats.note.network_months_outside": (
        "{count:,} 条台区/线路供电量不在日冻结电量覆盖的完整月份（{period_from} 至 {period_to}）内，"
        "未计算同期线损。",
        "{count:,} area or feeder supply rows fall outside the whole months the daily reads cover "
        "({period_from} to {period_to}) and are not used.",
    ),
    "stats.note.network_unknown_reads": (
        "{count:,} 条日冻结电量的用户不在档案中（或无日期），未计入同期售电量。",
        "{count:,} daily reads of customers not in the archive (or without a date) are left out "
        "of the same-period sales.",
    ),
    "stats.note.network_feeders_without_supply": (
        "{feeders:,} 条线路有用户但缺少关口表供电量（共 {unit_months:,} 个线路·月），其同期线损未计算。",
        "Feeders with customers but no supply row: {feeders:,} ({unit_months:,} feeder-months); "
        "their same-period loss is not computed.",
    ),
    "stats.note.network_supply_summed": (
        "{rows:,} 条台区/线路供电量按台区/线路与月份合计为 {unit_months:,} 个单元·月（多块关口表或月内换表）。",
        "{rows:,} area or feeder supply rows are summed into {unit_months:,} unit-months (one unit "
        "and month on several rows: several supply meters, or a meter exchanged).",
    ),
    "stats.note.network_supply_empty": (
        "{unit_months:,} 个台区/线路·月的供电量为空，未计算同期线损（缺数不是 0 千瓦时）。",
        "{unit_months:,} area or feeder months have an empty kWh supplied and are left out "
        "(missing, not 0 kWh).",
    ),
    "stats.note.network_no_unit_on_file": (
        "有供电量的 {count:,} 个编号均不在客户档案 {column} 中，全部显示为档案中无用户：请核对两表编号写法。",
        "None of the {count:,} ids with supply is in the customer archive's {column}: every one "
        "shows no customers on file; check that both tables write the ids alike.",
    ),
    "stats.note.network_no_unit_column": (
        "客户档案缺少 {column}（或全部为空），该层级同期线损不计算。",
        "The customer archive has no {column} (or it is empty): that level's loss is not computed.",
    ),
    "stats.method.network_loss": (
        "同期线损：供电量取台区/线路关口表自然月电量（network_supply），售电量取同一自然月内用户日冻结"
        "电量之和（同期），线损率 = 1 − 售电量 / 供电量；线路层级中，有台区总表的公变台区按其总表电量"
        "计入，专变等其他用户按日冻结电量计入（分线线损）。当月应有用户（当月有账单或有读数）的采集覆盖率"
        "低于 95% 时不计算，避免把不完整的售电量当作完整；负损提示户变关系或倍率错误，高于 10% 为高损，"
        "提示窃电、计量故障或漏户；供电量低于 1,000 千瓦时不判断。供电单位线损仍按账单计算（见上）。",
        "Same-period loss: supply is the area or feeder supply meter's calendar month "
        "(network_supply); sales are the customers' daily reads summed over the same calendar "
        "month; loss rate = 1 - sales / supply. On a feeder, a public area with a supply meter "
        "counts by that meter and other customers (own transformers) by their daily reads. When "
        "the reads cover less than 95% of the customer-days the month expects (customers billed "
        "or read that month), the loss is not computed rather than shown on a partial sum. "
        "Negative loss points at customers booked to the wrong unit or a wrong multiplier; above "
        "10% is high loss (theft, metering faults, customers missing from the books); units "
        "supplied under 1,000 kWh are not judged. District loss is computed from bills as above.",
    ),
}

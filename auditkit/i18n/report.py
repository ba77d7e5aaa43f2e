"""Wording of auditkit.report's kernel-side helpers and the district audit study (zh, en) by key.

`report.figure.` names headline figures (those every report shares, such as findings or the
revenue at stake, are `common.` words), `report.revenue_kind.` the two kinds of revenue a finding
has (proved by a recomputation of the bill, or estimated), `report.table.` the notes under tables,
`report.workbook.` the findings workbook, `report.district.` the district audit's headings,
table labels and sentences.
"""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    # headline figures
    "report.figure.customers_flagged": ("涉及用户数", "Customers flagged"),
    "report.figure.rules_fired": ("触发规则数", "Rules fired"),
    "report.figure.sample_errors": ("有错报的样本", "Sample items with an error"),
    "report.figure.upper_limit_pct": ("错报率上限 (%)", "Upper misstatement limit (%)"),
    "report.figure.projected_misstatement": ("推断错报金额 (元)", "Projected misstatement (yuan)"),
    "report.figure.revenue_proved": ("核算确认电费 (元)", "Revenue proved (yuan)"),
    "report.figure.revenue_estimated": ("估算电费 (元)", "Revenue estimated (yuan)"),
    "report.figure.penalties": ("违约使用电费 (元)", "Penalties (yuan)"),
    # what a headline figure counts, where studies count it differently (the run's index)
    "report.figure.basis.on_file": ("档案", "on file"),
    "report.figure.basis.billed": ("{period}有账单", "billed in {period}"),
    "report.figure.basis.year": ("{year} 年", "{year}"),
    "report.figure.simulated": (
        "⚠ 模拟演示：核查结果为模拟数据，非现场结果",
        "⚠ Simulated demo: the inspection results are simulated, not from the field",
    ),
    # a finding's kind of revenue
    "report.revenue_kind": ("电费性质", "Revenue kind"),
    "report.revenue_kind.proved": ("核算确认", "proved"),
    "report.revenue_kind.estimated": ("估算", "estimated"),
    # tables
    "report.table.showing_rows": (
        "显示前 {shown:,} 行，共 {total:,} 行",
        "Showing {shown:,} of {total:,} rows",
    ),
    "report.table.full_data": ("完整数据", "Full data"),
    "report.table.tools_cover_shown": (
        "搜索和筛选只针对所列前 {shown:,} 行",
        "search and filters cover only the first {shown:,} rows listed",
    ),
    "report.saved_folder": ("本报告保存的数据文件在：", "This report's data files are saved in: "),
    # the findings workbook
    "report.rule_id": ("规则编号", "Rule id"),
    "report.workbook.sheet": ("疑点清单", "Findings"),
    "report.workbook.period_from": ("起始年月", "From period"),
    "report.workbook.period_to": ("截止年月", "To period"),
    "report.workbook.footer": ("第 &P 页，共 &N 页", "Page &P of &N"),
    # the district audit
    "report.district.title": ("营销稽查报告", "Marketing audit report"),
    "report.district.profile": ("供电单位概况", "District profile"),
    "report.district.customers_by_usage": ("用户构成", "Customers by usage type"),
    "report.district.monthly_billing": ("月度售电量", "Billed energy by month"),
    "report.district.findings_by_rule": ("疑点分布：按稽查领域与规则", "Findings by area and rule"),
    "report.district.revenue_by_rule_chart": (
        "各规则涉及电费，核算确认与估算分列",
        "Revenue per rule, proved and estimated apart",
    ),
    "report.district.chart_top_rules": (
        "前 {shown:,} 条，有金额的规则共 {total:,} 条",
        "top {shown:,} of {total:,} rules with revenue",
    ),
    "report.district.top_findings": ("涉及电费最多的疑点", "Top findings by revenue impact"),
    "report.district.latest_outcome": ("最近核查结果", "Latest field outcome"),
    "report.district.recovered": ("已追补电费 (元)", "Recovered (yuan)"),
    "report.district.top_findings_note": (
        "涉及电费为发现时的金额，未扣除已追补的电费；已追补电费列在其旁，与该行的电费性质相同，"
        "核算确认与估算从不相加或相抵。",
        "Revenue at stake is the amount as found, with nothing recovered taken off; the yuan "
        "recovered are shown beside it, in the row's own revenue kind (proved and estimated are "
        "never added or netted).",
    ),
    "report.district.line_loss_over": ("线损率（{period}）", "Line loss ({period})"),
    "report.district.appendix": (
        "附录：方法与规则目录",
        "Appendix: methodology and rule catalog",
    ),
    "report.district.rule_inputs": ("各规则所需数据与参数", "Data and parameters of each rule"),
    "report.district.billing_months": ("账期", "Billing months"),
    "report.district.active_customers": ("在用用户", "Active customers"),
    "report.district.two_part_customers": ("两部制用户", "Two-part tariff customers"),
    "report.district.kwh_billed": ("售电量 (千瓦时)", "Energy billed (kWh)"),
    "report.district.amount_billed": ("应收电费 (元)", "Amount billed (yuan)"),
    "report.district.checks": ("检查内容", "What it checks"),
    "report.district.needs": ("所需数据", "Data needed"),
    "report.district.rule_parameters": ("参数及默认值", "Parameters and defaults"),
    "report.district.no_findings": ("本期未发现疑点。", "No findings in this period."),
    "report.district.conclusion": (
        "共发现疑点 {findings:,} 条，涉及用户 {customers:,} 户、规则 {rules:,} 条：核算确认少计电费 {proved} 元，"
        "估算少计电费 {estimated} 元（两类性质不同，分别列示，不相加）；另有违约使用电费 {penalties} 元，单独计列。",
        "{findings:,} findings on {customers:,} customers from {rules:,} rules: {proved} yuan under-billed "
        "as proved by recomputing the bills and {estimated} yuan estimated (two kinds, shown apart, "
        "never added); penalties of {penalties} yuan are a separate figure.",
    ),
    "report.data.read_while_open": (
        "读取数据时 {file} 正在办公软件中打开：按上次保存的内容读取，尚未保存的修改不在本报告中。",
        "{file} was open in an office program when the data was read: it was read as last saved, "
        "and edits not saved yet are not in this report.",
    ),
    "report.data.unlisted": (
        "另有 {count:,} 条同类提示超出逐条列出的上限（{where}），未记录所属用户，可能涉及本单位；"
        "auditkit validate 可给出其起始行。",
        "{count:,} more warnings past the limit of those listed one by one ({where}) name no "
        "customer and may concern this district; auditkit validate gives the row they start at.",
    ),
    "report.data.rows_at": ("{place} {count:,} 条", "{place} ({count:,})"),
    "report.data.warnings": (
        "读取数据时有 {count:,} 条提示（{where}），未阻止本次稽查，复核相关疑点时请一并考虑；"
        "逐条内容可用 auditkit validate 查看。",
        "Reading the data gave {count:,} warnings ({where}): they did not stop the audit, but "
        "weigh them when reviewing its findings; auditkit validate lists each one.",
    ),
    "report.data.warning": (
        "读取数据时有 1 条提示（{where}），未阻止本次稽查，复核相关疑点时请一并考虑；"
        "其内容可用 auditkit validate 查看。",
        "Reading the data gave 1 warning ({where}): it did not stop the audit, but weigh it "
        "when reviewing its findings; auditkit validate shows it.",
    ),
    "report.district.methodology": (
        "<p>本报告由 auditkit 自动生成：读取营销系统导出的用户档案、电费账单、电价、业扩及变更工单等数据，"
        "经校验后对所选供电单位运行稽查规则库，每条疑点给出可供复核的依据和涉及电费。</p>"
        "<p><b>涉及电费</b> = 少计电量 × 适用电价 + 少计基本电费（及力调、变损、基金等差额），"
        "按各规则的追补期间计算（参数见下表及 <code>params/rules.yaml</code>），分两类列示、从不相加："
        "<b>核算确认</b>为按档案、抄表和执行电价重新核算账单得出的差额（倍率、电价、容量、峰谷、阶梯、力调、"
        "变损、基金）；<b>估算</b>为窃电、零电量、需量超容量等无法逐笔核算、按参数推定的金额。"
        "<b>违约使用电费</b>按事件发生时适用的规定计算，单独列示，不计入涉及电费。"
        "疑点需经现场核实后方可退补。</p>",
        "<p>Generated by auditkit: the billing system's customer archive, bills, tariffs and work "
        "orders are loaded and validated, the audit rule library runs on the selected district, "
        "and every finding carries evidence a reviewer can check and the revenue at stake.</p>"
        "<p><b>Revenue impact</b> = energy not billed × applicable rate + basic charge not billed "
        "(and power-factor, loss and fund differences), over each rule's back-billing window "
        "(parameters below and in <code>params/rules.yaml</code>). It has two kinds, shown apart "
        "and never added: <b>proved</b>, the difference a recomputation of the bill from the "
        "archive, the readings and the tariff in force proves (multiplier, rate, capacity, "
        "time-of-use, tiers, power factor, losses, funds), and <b>estimated</b>, an amount inferred "
        "with parameters where no bill can be recomputed (theft, zero consumption, demand above "
        "capacity). <b>Penalties</b> follow the rules in force when the event happened and are a "
        "separate figure, not part of the revenue impact. Findings must be confirmed in the field "
        "before back-billing.</p>",
    ),
    "report.district.personal_masked": (
        "<p>个人信息（户名、地址、电话）在表格中已脱敏；完整疑点清单见本报告的数据文件 "
        "<code>findings.csv</code> / <code>findings.parquet</code>（auditkit run 生成的报告在同目录，"
        "手动运行时在报告开头所列的文件夹）。</p>",
        "<p>Personal fields (name, address, phone) are masked in tables; the full list of findings "
        "is in this report's data files <code>findings.csv</code> / <code>findings.parquet</code> "
        "(next to a report auditkit run wrote; run by hand, in the folder named at the top of "
        "the report).</p>",
    ),
    "report.district.personal_unmasked": (
        "<p><b>本报告未脱敏</b>（<code>mask_personal=false</code>）：表格和数据文件中的个人信息（户名、地址、电话）"
        "均为完整信息，请妥善保管，勿外传；完整疑点清单见本报告的数据文件 "
        "<code>findings.csv</code> / <code>findings.parquet</code>（auditkit run 生成的报告在同目录，"
        "手动运行时在报告开头所列的文件夹）。</p>",
        "<p><b>Masking is OFF in this report</b> (<code>mask_personal=false</code>): personal fields (name, "
        "address, phone) are shown in full in its tables and data files; keep it safe and do not "
        "pass it on. The full list of findings is in this report's data files "
        "<code>findings.csv</code> / <code>findings.parquet</code> (next to a report auditkit run "
        "wrote; run by hand, in the folder named at the top of the report).</p>",
    ),
}

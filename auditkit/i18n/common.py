"""Words every report shares, defined once: the district, the period, the customer, money."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "common.district": ("供电单位", "District"),
    "common.districts": ("供电单位数", "Districts"),
    "common.period": ("期间", "Period"),
    "common.customer_id": ("户号", "Customer"),
    "common.customers": ("用户数", "Customers"),
    "common.name": ("户名", "Name"),
    "common.address": ("用电地址", "Address"),
    "common.phone": ("联系电话", "Phone"),
    "common.usage_type": ("用电类别", "Usage"),
    "common.kwh": ("电量 (kWh)", "Energy (kWh)"),
    "common.amount": ("电费 (元)", "Amount (yuan)"),
    "common.revenue_impact": ("涉及电费 (元)", "Revenue at stake (yuan)"),
    "common.findings": ("疑点数", "Findings"),
    "common.rule": ("稽查规则", "Rule"),
    "common.area": ("稽查领域", "Area"),
    "common.severity": ("风险等级", "Severity"),
    "common.evidence": ("依据", "Evidence"),
    "common.total": ("合计", "Total"),
    "common.share": ("占比", "Share"),
    "common.line_loss": ("线损率 (%)", "Line loss (%)"),
    "common.score": ("评分", "Score"),
    "common.item": ("项目", "Item"),
    "common.value": ("数值", "Value"),
    "common.none": ("无", "none"),
}

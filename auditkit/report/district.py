"""What the district audit report shows, computed here (tested) so the notebook stays thin.

Inputs are a district's `Dataset` (see `auditkit.data`) and its findings (`auditkit.rules.run`);
outputs are small DataFrames and figures ready for `auditkit.report.show_table`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from auditkit import i18n
from auditkit.report.labels import label
from auditkit.report.notebook import save_table
from auditkit.report.workbook import write_findings_workbook
from auditkit.rules import area_name, evidence_text

FINDINGS_SORT = ("rule_id", "customer_id", "period_from", "period_to")

DISTRICT_LABELS: dict[str, tuple[str, str]] = {
    "report_title": ("营销稽查报告", "Marketing audit report"),
    "profile": ("供电单位概况", "District profile"),
    "customers_by_usage": ("用户构成", "Customers by usage type"),
    "monthly_billing": ("月度售电量", "Billed energy by month"),
    "findings_by_rule": ("疑点分布：按稽查领域与规则", "Findings by area and rule"),
    "top_findings": ("涉及电费最多的疑点", "Top findings by revenue impact"),
    "appendix": ("附录：方法与规则目录", "Appendix: methodology and rule catalog"),
    "metric": ("指标", "Metric"),
    "billing_months": ("账期", "Billing months"),
    "active_customers": ("在用用户", "Active customers"),
    "two_part_customers": ("两部制用户", "Two-part tariff customers"),
    "kwh_billed": ("售电量 (千瓦时)", "Energy billed (kWh)"),
    "amount_billed": ("应收电费 (元)", "Amount billed (yuan)"),
    "estimated_share": ("估抄比例 (%)", "Estimated reads (%)"),
    "line_loss": ("线损率 (%)", "Line loss (%)"),
    "usage_type": ("用电类别", "Usage type"),
    "kwh_share": ("电量占比 (%)", "Share of energy (%)"),
    "area": ("稽查领域", "Area"),
    "rule": ("规则", "Rule"),
    "rule_id": ("规则编号", "Rule id"),
    "severity": ("严重程度", "Severity"),
    "customer_id": ("户号", "Customer"),
    "name": ("户名", "Name"),
    "address": ("地址", "Address"),
    "phone": ("电话", "Phone"),
    "periods": ("期间", "Periods"),
    "revenue_impact": ("涉及电费 (元)", "Revenue impact (yuan)"),
    "evidence": ("依据", "Evidence"),
    "checks": ("检查内容", "What it checks"),
    "needs": ("所需数据", "Data needed"),
    "rule_parameters": ("参数及默认值", "Parameters and defaults"),
    "month": ("月份", "Month"),
    "total": ("合计", "Total"),
    "no_findings": ("本期未发现疑点。", "No findings in this period."),
}


def text(key: str, lang: str) -> str:
    """District report wording (falls back to the shared report labels)."""
    pair = DISTRICT_LABELS.get(key)
    if pair is None:
        return label(key, lang)
    return pair[0] if lang == "zh" else pair[1]


def _code_name(group: str, code: str, lang: str) -> str:
    """A code of the data (usage type, severity) named in `lang`; an unknown code as it is."""
    return i18n.text(f"{group}.{code}", lang, default=str(code))


def billing_window(bills: pd.DataFrame | None, as_of: str | None) -> pd.DataFrame:
    """Bills up to and including `as_of` ('YYYY-MM'), all when empty."""
    if bills is None:
        return pd.DataFrame(columns=["period", "kwh_billed", "amount", "read_type"])
    return bills[bills["period"] <= as_of] if as_of else bills


def save_findings(findings: pd.DataFrame, folder: Path, lang: str, mask: bool = True) -> list[Path]:
    """The district's findings for reviewers and scripts: Parquet and CSV with the evidence in
    `lang` (and its `evidence_code`), and a workbook for Excel (ids and periods as text)."""
    in_lang = findings.assign(evidence=evidence_text(findings, lang))
    files = save_table(in_lang, folder, "findings", sort_by=FINDINGS_SORT, mask=mask)
    workbook = write_findings_workbook(findings, folder / "findings.xlsx", lang=lang, mask=mask)
    return [*files, workbook]


def profile_figures(dataset: Any, as_of: str | None = None) -> dict[str, Any]:
    """Key facts of a district: customers, tariffs, energy and money billed, reads, line loss."""
    customers = dataset.customers
    bills = billing_window(dataset.bills, as_of)
    periods = sorted(bills["period"].dropna().unique())
    figures: dict[str, Any] = {
        "customers": len(customers),
        "active_customers": int((customers["status"] == "active").sum()),
        "two_part_customers": int((customers["basic_charge_basis"] != "none").sum()),
        "billing_months": f"{periods[0]} – {periods[-1]}" if periods else "",
        "kwh_billed": round(float(bills["kwh_billed"].sum())),
        "amount_billed": round(float(bills["amount"].sum()), 2),
        "estimated_share": round(100 * float((bills["read_type"] == "estimated").mean()), 2)
        if len(bills)
        else 0.0,
    }
    supply = dataset.district_supply
    if supply is not None and len(supply) and periods:
        supplied = supply[supply["period"].isin(periods)]["kwh_supplied"].sum()
        if supplied > 0:
            figures["line_loss"] = round(100 * (1 - figures["kwh_billed"] / supplied), 2)
    return figures


def profile_table(figures: dict[str, Any], lang: str) -> pd.DataFrame:
    """The profile as a two-column table (metric, value) in one language."""
    return pd.DataFrame(
        {
            text("metric", lang): [text(key, lang) for key in figures],
            label("value", lang): [_show(value) for value in figures.values()],
        }
    )


def _show(value: Any) -> str:
    """A profile value as text: separators for numbers, two decimals for fractions."""
    if isinstance(value, int | float):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return str(value)


def usage_mix(dataset: Any, lang: str, as_of: str | None = None) -> pd.DataFrame:
    """Customers and share of billed energy by usage type, largest first."""
    customers = dataset.customers[["customer_id", "usage_type"]]
    bills = billing_window(dataset.bills, as_of)
    energy = bills.groupby("customer_id")["kwh_billed"].sum()
    mix = customers.assign(kwh=customers["customer_id"].map(energy).fillna(0.0))
    grouped = mix.groupby("usage_type").agg(customers=("customer_id", "size"), kwh=("kwh", "sum"))
    total = grouped["kwh"].sum()
    grouped["share"] = (100 * grouped["kwh"] / total).round(2) if total else 0.0
    grouped = grouped.sort_values(["customers", "kwh"], ascending=False)
    return pd.DataFrame(
        {
            text("usage_type", lang): [_code_name("usage", usage, lang) for usage in grouped.index],
            label("customers", lang): grouped["customers"].to_numpy(),
            text("kwh_billed", lang): grouped["kwh"].round(0).to_numpy(),
            text("kwh_share", lang): grouped["share"].to_numpy(),
        }
    )


def monthly_billing(dataset: Any, as_of: str | None = None) -> pd.DataFrame:
    """Billed kWh and amount per billing month (the district's load curve)."""
    bills = billing_window(dataset.bills, as_of)
    monthly = bills.groupby("period", sort=True).agg(
        kwh_billed=("kwh_billed", "sum"), amount=("amount", "sum")
    )
    return monthly.reset_index()


def headline_figures(dataset: Any, findings: pd.DataFrame) -> dict[str, float]:
    """Headline: customers audited, findings, customers flagged, rules fired, revenue at stake."""
    return {
        "customers": len(dataset.customers),
        "findings": len(findings),
        "customers_flagged": int(findings["customer_id"].nunique()),
        "rules_fired": int(findings["rule_id"].nunique()),
        "revenue_at_stake": round(float(findings["revenue_impact"].sum()), 2),
    }


def findings_by_rule(findings: pd.DataFrame, catalog: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Findings, customers and revenue impact per area and rule, by revenue impact, with a total."""
    titles = catalog.set_index("rule_id")[f"title_{lang}"]
    grouped = (
        findings.groupby(["area", "rule_id"], sort=True)
        .agg(
            findings=("customer_id", "size"),
            customers=("customer_id", "nunique"),
            revenue_impact=("revenue_impact", "sum"),
        )
        .reset_index()
        .sort_values(["revenue_impact", "rule_id"], ascending=[False, True], kind="stable")
    )
    table = pd.DataFrame(
        {
            text("area", lang): [area_name(a, lang) for a in grouped["area"]],
            text("rule", lang): [titles.get(r, r) for r in grouped["rule_id"]],
            text("rule_id", lang): grouped["rule_id"].to_numpy(),
            label("findings", lang): grouped["findings"].to_numpy(),
            label("customers", lang): grouped["customers"].to_numpy(),
            text("revenue_impact", lang): grouped["revenue_impact"].round(2).to_numpy(),
        }
    )
    total = {column: "" for column in table.columns}
    total[text("area", lang)] = text("total", lang)
    total[label("findings", lang)] = len(findings)
    total[label("customers", lang)] = findings["customer_id"].nunique()
    total[text("revenue_impact", lang)] = round(float(findings["revenue_impact"].sum()), 2)
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def top_findings(
    findings: pd.DataFrame, customers: pd.DataFrame, catalog: pd.DataFrame, lang: str, n: int
) -> pd.DataFrame:
    """The `n` findings with the largest revenue impact, with the customer and the evidence
    (in `lang`)."""
    titles = catalog.set_index("rule_id")[f"title_{lang}"]
    personal = [c for c in ("name", "address") if c in customers.columns]
    top = findings.sort_values(
        ["revenue_impact", "score", "rule_id", "customer_id"],
        ascending=[False, False, True, True],
        kind="stable",
    ).head(n)
    top = top.merge(customers[["customer_id", *personal]], on="customer_id", how="left")
    columns = {
        text("rule", lang): [titles.get(r, r) for r in top["rule_id"]],
        text("severity", lang): [_code_name("severity", s, lang) for s in top["severity"]],
        "customer_id": top["customer_id"].to_numpy(),
        **{column: top[column].to_numpy() for column in personal},
        text("periods", lang): (top["period_from"] + " – " + top["period_to"]).to_numpy(),
        text("revenue_impact", lang): top["revenue_impact"].to_numpy(),
        text("evidence", lang): evidence_text(top, lang).to_numpy(),
    }
    return pd.DataFrame(columns)


def personal_labels(lang: str) -> dict[str, str]:
    """Display names of the customer columns kept under their masking names."""
    return {key: text(key, lang) for key in ("customer_id", "name", "address", "phone")}


def catalog_table(catalog: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The rule catalog for the appendix: area, id, title, what it checks (in `lang`), data,
    parameters."""
    ordered = catalog.sort_values(["area", "rule_id"], kind="stable")
    return pd.DataFrame(
        {
            text("area", lang): [area_name(a, lang) for a in ordered["area"]],
            text("rule_id", lang): ordered["rule_id"].to_numpy(),
            text("rule", lang): ordered[f"title_{lang}"].to_numpy(),
            text("checks", lang): ordered[f"checks_{lang}"].to_numpy(),
            text("needs", lang): ordered["needs"].to_numpy(),
            text("rule_parameters", lang): ordered["parameters"].to_numpy(),
        }
    )


METHODOLOGY = {
    "zh": (
        "<p>本报告由 auditkit 自动生成：读取营销系统导出的用户档案、电费账单、电价、业扩及变更工单等数据，"
        "经校验后对所选供电单位运行稽查规则库，每条疑点给出可供复核的依据和涉及电费。</p>"
        "<p><b>涉及电费</b> = 少计电量 × 适用电价 + 少计基本电费，按各规则的追补期间计算（参数见下表及 "
        "<code>params/rules.yaml</code>）；不含违约使用电费。疑点需经现场核实后方可退补。</p>"
        "<p>个人信息（户名、地址、电话）在表格中已脱敏；完整疑点清单见同目录的 "
        "<code>findings.csv</code> / <code>findings.parquet</code>。</p>"
    ),
    "en": (
        "<p>Generated by auditkit: the billing system's customer archive, bills, tariffs and work "
        "orders are loaded and validated, the audit rule library runs on the selected district, "
        "and every finding carries evidence a reviewer can check and the revenue at stake.</p>"
        "<p><b>Revenue impact</b> = energy not billed × applicable rate + basic charge not billed, "
        "over each rule's back-billing window (parameters below and in "
        "<code>params/rules.yaml</code>); penalties are not included. Findings must be confirmed "
        "in the field before back-billing.</p>"
        "<p>Personal fields (name, address, phone) are masked in tables; the full list of findings "
        "is in <code>findings.csv</code> / <code>findings.parquet</code> next to this report.</p>"
    ),
}


def methodology_html(lang: str) -> str:
    """The methodology paragraph of the appendix."""
    return METHODOLOGY["zh" if lang == "zh" else "en"]

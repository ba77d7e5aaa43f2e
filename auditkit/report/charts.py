"""Charts of the district audit report (matplotlib, CJK-capable through `auditkit.plots`)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from auditkit.plots import group_thousands, use_cjk_font
from auditkit.report.district import text


def revenue_by_rule_chart(by_rule: pd.DataFrame, lang: str, limit: int = 12) -> Figure:
    """Horizontal bars of revenue impact per rule (the `findings_by_rule` table, total excluded)."""
    use_cjk_font()
    rule, money = text("rule", lang), text("revenue_impact", lang)
    rows = by_rule[by_rule[text("rule_id", lang)] != ""].head(limit).iloc[::-1]
    figure = Figure(figsize=(8, 0.45 * max(len(rows), 2) + 1))
    axes = figure.subplots()
    axes.barh(rows[rule].astype(str), rows[money].astype(float), color="#0b6e99")
    axes.set_xlabel(money)
    axes.xaxis.set_major_locator(MaxNLocator(5))
    group_thousands(axes, "x")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def monthly_billing_chart(monthly: pd.DataFrame, lang: str) -> Figure:
    """Billed energy per month, to show the district's load curve and any break in it."""
    use_cjk_font()
    figure = Figure(figsize=(8, 3.2))
    axes = figure.subplots()
    axes.plot(monthly["period"], monthly["kwh_billed"], marker="o", markersize=3, color="#0b6e99")
    step = max(1, len(monthly) // 12)
    axes.set_xticks(range(0, len(monthly), step))
    axes.set_xticklabels(monthly["period"].iloc[::step], rotation=45, ha="right")
    axes.set_ylabel(text("kwh_billed", lang))
    group_thousands(axes, "y")
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(text("monthly_billing", lang), loc="left")
    return figure

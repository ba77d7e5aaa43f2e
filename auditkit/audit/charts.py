"""Charts of the district audit (matplotlib, CJK-capable through `auditkit.plots`)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from auditkit import i18n
from auditkit.plots import group_thousands, use_cjk_font


def revenue_by_rule_chart(revenue: pd.Series, lang: str, limit: int = 12) -> Figure:
    """Horizontal bars of revenue impact per rule (`revenue` indexed by rule title, largest
    first): the `limit` largest, the largest on top."""
    use_cjk_font()
    money = i18n.text("common.revenue_impact", lang)
    rows = revenue.head(limit).iloc[::-1]
    figure = Figure(figsize=(8, 0.45 * max(len(rows), 2) + 1))
    axes = figure.subplots()
    axes.barh(rows.index.astype(str), rows.astype(float).to_numpy(), color="#0b6e99")
    axes.set_xlabel(money)
    axes.xaxis.set_major_locator(MaxNLocator(5))
    group_thousands(axes, "x")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def monthly_billing_chart(monthly: pd.DataFrame, lang: str) -> Figure:
    """Billed energy per month (`period`, `kwh_billed`), to show the district's load curve and
    any break in it."""
    use_cjk_font()
    figure = Figure(figsize=(8, 3.2))
    axes = figure.subplots()
    axes.plot(monthly["period"], monthly["kwh_billed"], marker="o", markersize=3, color="#0b6e99")
    step = max(1, len(monthly) // 12)
    axes.set_xticks(range(0, len(monthly), step))
    axes.set_xticklabels(monthly["period"].iloc[::step], rotation=45, ha="right")
    axes.set_ylabel(i18n.text("report.district.kwh_billed", lang))
    group_thousands(axes, "y")
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(i18n.text("report.district.monthly_billing", lang), loc="left")
    return figure

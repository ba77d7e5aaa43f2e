"""Charts of the district audit (matplotlib, CJK-capable through `auditkit.plots`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from auditkit import i18n
from auditkit.plots import REVENUE_KIND_STYLE, group_thousands, use_cjk_font


def revenue_by_rule_chart(revenue: pd.DataFrame, lang: str, limit: int = 12) -> Figure:
    """Revenue per rule, proved and estimated as two bars side by side (never stacked into one
    total): `revenue` indexed by rule title with columns `proved` and `estimated` (yuan). The
    `limit` rules with the most revenue of either kind, the largest on top; rules without
    revenue are left out. The title is drawn above the bars (and is the figure's alternative
    text); when rules with revenue were cut it says how many are shown of how many."""
    use_cjk_font()
    largest = revenue.max(axis=1)
    largest = largest[largest > 0].sort_values(ascending=False, kind="stable")
    rows = revenue.loc[largest.index[:limit]].iloc[::-1]
    figure = Figure(figsize=(8, 0.6 * max(len(rows), 2) + 1.6))
    title = chart_title(len(rows), len(largest), lang)
    figure.set_label(title)  # its alt text
    axes = figure.subplots()
    positions = np.arange(len(rows))
    height = 0.4
    for offset, (kind, style) in zip(
        (height / 2, -height / 2), REVENUE_KIND_STYLE.items(), strict=True
    ):
        axes.barh(
            positions + offset,
            rows[kind].astype(float).to_numpy(),
            height=height,
            color=style["color"],
            hatch=style["hatch"],
            edgecolor="white",
            label=i18n.text(f"report.revenue_kind.{kind}", lang),
        )
    axes.set_yticks(positions)
    axes.set_yticklabels(rows.index.astype(str))
    axes.set_xlabel(i18n.text("common.revenue_impact", lang))
    axes.xaxis.set_major_locator(MaxNLocator(5))
    group_thousands(axes, "x")
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(title=i18n.text("report.revenue_kind", lang), loc="lower right", frameon=False)
    axes.set_title(title, loc="left")
    return figure


def chart_title(shown: int, total: int, lang: str) -> str:
    """The revenue chart's title, with "top `shown` of `total` rules with revenue" when rules
    were cut: it counts the rules with revenue, fewer than the rules that fired."""
    title = i18n.text("report.district.revenue_by_rule_chart", lang)
    if shown >= total:
        return title
    cut = i18n.text("report.district.chart_top_rules", lang).format(shown=shown, total=total)
    return i18n.text("common.with_aside", lang).format(text=title, qualifier=cut)


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
    axes.set_ylim(bottom=0)  # from zero: a fall of 5 % does not look like one of half
    axes.set_ylabel(i18n.text("report.district.kwh_billed", lang))
    group_thousands(axes, "y")
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(i18n.text("report.district.monthly_billing", lang), loc="left")
    return figure

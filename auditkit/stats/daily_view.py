"""How a daily smart-meter profile is shown in reports: tables, a chart and findings in zh or en."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from auditkit.stats.daily import DailyProfile
from auditkit.stats.presentation import number, percent
from auditkit.stats.text import pick

#: |billed − read| / read above which a district-month is named in the findings.
GAP_SHARE = 0.02

LABELS: dict[str, tuple[str, str]] = {
    "district": ("供电单位", "District"),
    "metered_customers": ("日冻结电量户数", "Customers with daily reads"),
    "days_read": ("有读数天数", "Days read"),
    "kwh": ("日电量合计 (kWh)", "Energy read (kWh)"),
    "kwh_per_customer_day": ("户均日电量 (kWh)", "kWh per customer-day"),
    "peak_date": ("最大日", "Peak day"),
    "peak_kwh": ("最大日电量 (kWh)", "Peak day (kWh)"),
    "load_factor": ("日负荷率", "Daily load factor"),
    "missing_share": ("缺数比例", "Missing reads"),
    "zero_share": ("零电量比例", "Zero reads"),
    "weekend_ratio": ("周末/工作日", "Weekend / weekday"),
    "period": ("月份", "Month"),
    "customers": ("户数", "Customers"),
    "kwh_read": ("日电量累计 (kWh)", "Read (kWh)"),
    "kwh_billed": ("抄表结算电量 (kWh)", "Billed (kWh)"),
    "difference": ("差额 (kWh)", "Billed − read (kWh)"),
    "difference_share": ("差额比例", "Difference"),
}


def heading(lang: str = "zh") -> str:
    return pick(lang, "日冻结电量（智能电表）", "Daily smart-meter reads")


def daily_table(profile: DailyProfile, lang: str = "zh") -> pd.DataFrame:
    """Per district figures, formatted, with column names in `lang`."""
    formats = {
        "district": str, "metered_customers": number, "days_read": number, "kwh": number,
        "kwh_per_customer_day": lambda v: number(v, 1), "peak_date": lambda v: f"{v:%Y-%m-%d}",
        "peak_kwh": number, "load_factor": lambda v: number(v, 3),
        "missing_share": lambda v: percent(v, 2), "zero_share": lambda v: percent(v, 2),
        "weekend_ratio": lambda v: number(v, 3),
    }  # fmt: skip
    return _format(profile.table, formats, lang)


def reconciliation_table(profile: DailyProfile, lang: str = "zh") -> pd.DataFrame:
    """Read against billed kWh per district and whole month, formatted."""
    formats = {
        "district": str, "period": str, "customers": number, "kwh_read": number,
        "kwh_billed": number, "difference": number, "difference_share": lambda v: percent(v, 2),
    }  # fmt: skip
    return _format(profile.reconciliation, formats, lang)


def findings(profile: DailyProfile, lang: str = "zh", gap_share: float = GAP_SHARE) -> list[str]:
    """Sentences naming the district-months billed off the meters by more than `gap_share`."""
    gaps = profile.reconciliation[profile.reconciliation["difference_share"].abs() > gap_share]
    sentences = [
        pick(
            lang,
            f"{row.district} {row.period}：结算电量比日冻结电量累计"
            f"{'少' if row.difference < 0 else '多'} {abs(row.difference_share):.1%}"
            f"（{number(abs(row.difference))} kWh，{number(row.customers)} 户）。",
            f"{row.district} {row.period}: billed {abs(row.difference_share):.1%} "
            f"{'less' if row.difference < 0 else 'more'} than the daily reads add up to "
            f"({number(abs(row.difference))} kWh, {number(row.customers)} customers).",
        )
        for row in gaps.itertuples()
    ]
    if not sentences and len(profile.reconciliation):
        sentences.append(
            pick(
                lang,
                f"各单位逐月结算电量与日冻结电量累计相差均不超过 {gap_share:.0%}。",
                f"Every district's monthly billed energy is within {gap_share:.0%} of its daily reads.",
            )
        )
    return sentences + list(profile.notes)


def plot_daily(profile: DailyProfile, lang: str = "zh") -> Figure:
    """kWh per customer and day, one line per district, with its 7-day mean."""
    figure = Figure(figsize=(10, 4), layout="constrained")
    axes = figure.subplots()
    for district, rows in profile.by_day.groupby("district", sort=True):
        line = axes.plot(rows["date"], rows["kwh_per_customer"], linewidth=0.6, alpha=0.4)[0]
        weekly = rows["kwh_per_customer"].rolling(7, min_periods=1, center=True).mean()
        axes.plot(rows["date"], weekly, color=line.get_color(), label=str(district))
    axes.set_ylabel(pick(lang, "户均日电量 (kWh)", "kWh per customer and day"))
    axes.set_title(
        pick(lang, "各单位户均日电量（粗线：7日均值）", "Daily kWh per customer (bold: 7-day mean)")
    )
    axes.legend(ncol=3, fontsize="small")
    axes.grid(alpha=0.3)
    return figure


def _format(frame: pd.DataFrame, formats: dict, lang: str) -> pd.DataFrame:
    shown = pd.DataFrame({name: frame[name].map(format_) for name, format_ in formats.items()})
    return shown.rename(columns={name: pick(lang, *LABELS[name]) for name in formats})

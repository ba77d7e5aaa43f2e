"""Headline figures: their names in words, their order and how their values read.

A notebook's `report.headline` shows them and records them under stable keys (the same in every
language); the run's index shows them again from that record, so both read names, order and
values here. A key this module does not know (a label recorded by an older auditkit) is shown as
it was recorded, in the order recorded, as a number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from auditkit import formatting, i18n

#: Figures in yuan (two decimals); the others are percentages (`PERCENT_FIGURES`) or whole.
MONEY_FIGURES = frozenset(
    {
        "revenue_at_stake",
        "revenue_proved",
        "revenue_estimated",
        "penalties",
        "projected_misstatement",
        "recovered_proved",
        "recovered_estimated",
        "revenue",
    }
)

#: Figures in percent, each with the decimals its report's sentences and tables write it with
#: (a sampling rate with two, as the plan and evaluation tables; every other share with one).
PERCENT_FIGURES = {
    "upper_limit_pct": 2,
    "precision_pct": 1,
    "sample_precision_pct": 1,
    "line_loss_pct": 1,
    "self_rate_pct": 1,
    "cross_rate_pct": 1,
}

#: The wording of each headline figure a study reports, in the order they are shown: shared words
#: where the figure is one (findings, the sample size ...), else a `report.figure.` word or the
#: study's own. Each key means one thing in every study: a sample's errors are not findings.
FIGURE_WORDS = {
    "findings": "common.findings",
    "customers": "common.customers",
    "revenue_at_stake": "common.revenue_impact",
    "revenue_proved": "report.figure.revenue_proved",
    "revenue_estimated": "report.figure.revenue_estimated",
    "penalties": "report.figure.penalties",
    "customers_flagged": "report.figure.customers_flagged",
    "rules_fired": "report.figure.rules_fired",
    "sample_size": "sampling.label.n",
    "sample_errors": "report.figure.sample_errors",
    "upper_limit_pct": "report.figure.upper_limit_pct",
    "projected_misstatement": "report.figure.projected_misstatement",
    # the audit cycle
    "issued": "cycle.column.issued",
    "checked": "cycle.column.checked",
    "precision_pct": "cycle.headline.precision_pct",
    "sample_precision_pct": "cycle.headline.sample_precision_pct",
    "recovered_proved": "cycle.column.recovered_proved",
    "recovered_estimated": "cycle.column.recovered_estimated",
    "awaiting_rectification": "cycle.column.awaiting_rectification",
    # the consumption statistics
    "kwh": "stats.column.kwh",
    "revenue": "stats.column.revenue",
    "line_loss_pct": "common.line_loss",
    "theft_suspects": "stats.headline.theft_suspects",
    # the cross-audit
    "districts": "common.districts",
    "inspections": "crossaudit.inspections",
    "self_rate_pct": "crossaudit.self_rate_pct",
    "cross_rate_pct": "crossaudit.cross_rate_pct",
    "under_reporting": "crossaudit.under_reporting",
}
ORDER = {key: position for position, key in enumerate(FIGURE_WORDS)}


def figure_name(key: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """The name of headline figure `key` in `lang`; a figure not in `FIGURE_WORDS` as it is."""
    return i18n.text(FIGURE_WORDS[key], lang) if key in FIGURE_WORDS else key


def figure_value(key: str, value: Any) -> str:
    """A headline value as the report's text writes it: money with two decimals, a percentage
    with its decimals (`PERCENT_FIGURES`), every other known figure (counts, kWh) whole; a
    figure not in `FIGURE_WORDS` with separators (two decimals unless whole)."""
    if key in MONEY_FIGURES:
        return formatting.money(value)
    if key in PERCENT_FIGURES:
        return formatting.number(value, PERCENT_FIGURES[key])
    return formatting.count(value) if key in FIGURE_WORDS else formatting.number(value)


def in_order(figures: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The figures in their declared order (`FIGURE_WORDS`), unknown keys last as recorded: a
    manifest stores them sorted by key."""
    return sorted(figures.items(), key=lambda item: ORDER.get(item[0], len(ORDER)))


def labelled(figures: Mapping[str, Any], lang: str = i18n.DEFAULT_LANG) -> dict[str, Any]:
    """The figures keyed by their names in `lang`, in their declared order."""
    return {figure_name(key, lang): value for key, value in in_order(figures)}


#: What a study's figure counts where that is not the same in every study reporting the key:
#: a district audit's customers are those on file, the statistics' those billed in its months.
#: Other figures are over the period their headline records.
FIGURE_BASIS = {
    ("district_audit", "customers"): "report.figure.basis.on_file",
    ("consumption_statistics", "customers"): "report.figure.basis.billed",
}
_WHOLE_YEAR = re.compile(r"(\d{4})-01 – (\d{4})-12")


def period_words(period: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """A headline's period as a label names it: a calendar year as the year ('2025 年'), any
    other as it is ('2023-01 – 2025-12')."""
    year = _WHOLE_YEAR.fullmatch(period)
    if year and year.group(1) == year.group(2):
        return i18n.text("report.figure.basis.year", lang).format(year=year.group(1))
    return period


def figure_basis(study: str, key: str, period: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """What figure `key` of a `study` (a notebook's stem) counts, in `lang`: its own basis
    (`FIGURE_BASIS`), else the headline's `period`; empty when neither is known."""
    words = FIGURE_BASIS.get((study, key))
    shown = period_words(period, lang) if period else ""
    if words:
        return i18n.text(words, lang).format(period=shown).strip()
    return shown


def qualified_name(key: str, basis: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """A figure's name with its basis ('用户数（档案）', 'Customers (on file)'); the plain name
    without one."""
    name = figure_name(key, lang)
    if not basis:
        return name
    return i18n.text("common.with_aside", lang).format(text=name, qualifier=basis)

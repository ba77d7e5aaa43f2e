"""Headline figures: their names in words and how their values read.

A notebook's `report.headline` shows them and records them; the run's index shows them again
from that record, so both read names and values here.
"""

from __future__ import annotations

from typing import Any

from auditkit import formatting, i18n

#: Figures in yuan (two decimals); every other figure is a number.
MONEY_FIGURES = frozenset(
    {
        "revenue_at_stake",
        "revenue_proved",
        "revenue_estimated",
        "penalties",
        "projected_misstatement",
    }
)

#: The wording of each headline figure a study reports: shared words where the figure is one
#: (findings, the sample size ...), else a `report.figure.` word.
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
    "upper_limit_pct": "report.figure.upper_limit_pct",
    "projected_misstatement": "report.figure.projected_misstatement",
}


def figure_name(key: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """The name of headline figure `key` in `lang`; a figure not in `FIGURE_WORDS` as it is."""
    return i18n.text(FIGURE_WORDS[key], lang) if key in FIGURE_WORDS else key


def figure_value(key: str, value: Any) -> str:
    """A headline value: money with two decimals, other numbers with separators."""
    return formatting.money(value) if key in MONEY_FIGURES else formatting.number(value)

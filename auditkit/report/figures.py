"""Headline figures: their names in words and how their values read.

A notebook's `report.headline` shows them and records them; the run's index shows them again
from that record, so both read names and values here.
"""

from __future__ import annotations

from typing import Any

from auditkit import formatting, i18n

#: Figures in yuan (two decimals); every other figure is a number.
MONEY_FIGURES = frozenset({"revenue_at_stake", "projected_misstatement"})

# Figures every report shares are common words; the others are named under `report.figure.`.
_SHARED_WORDS = {
    "findings": "common.findings",
    "customers": "common.customers",
    "revenue_at_stake": "common.revenue_impact",
}


def figure_name(key: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """The name of headline figure `key` in `lang`; a key the catalogue lacks as it is."""
    return i18n.text(_SHARED_WORDS.get(key, f"report.figure.{key}"), lang, default=key)


def figure_value(key: str, value: Any) -> str:
    """A headline value: money with two decimals, other numbers with separators."""
    return formatting.money(value) if key in MONEY_FIGURES else formatting.number(value)

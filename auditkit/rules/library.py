"""The rule library: every audit rule registered, chosen by id, and described.

Importing this module imports each audit area's module, which registers its rules in `RULES`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

import auditkit.rules.accounts
import auditkit.rules.adjustments
import auditkit.rules.billed_tariff
import auditkit.rules.billing_lines
import auditkit.rules.capacity
import auditkit.rules.change_of_use
import auditkit.rules.consumption
import auditkit.rules.meter_records
import auditkit.rules.metering
import auditkit.rules.pf_standard
import auditkit.rules.routine  # noqa: F401  (the imports above register the rules)
from auditkit import i18n
from auditkit.errors import ParameterError, require_type
from auditkit.rules.params import load_defaults
from auditkit.rules.registry import RULES, Rule


def select_rules(rules: Iterable[str] | None) -> list[Rule]:
    """The rules named by `rules` (all when None); raises ParameterError for unknown ids."""
    if rules is None:
        return list(RULES.values())
    if isinstance(rules, str):
        rules = [rules]
    require_type(rules, Iterable, "rules", "rule ids (a list, or one id)")
    chosen = list(rules)
    unknown = [rule_id for rule_id in chosen if rule_id not in RULES]
    if unknown:
        raise ParameterError("rules", f"rule ids among {', '.join(RULES)}", ", ".join(unknown))
    return [RULES[rule_id] for rule_id in chosen]


def catalog() -> pd.DataFrame:
    """Every rule: id, area, title, what it checks and where it comes from (its source: the
    supply rules' article, the metering code, the pricing document or audit practice) in English
    and Chinese, data it needs, parameters with their defaults (in English and Chinese: a list
    joined, an empty value as the missing mark, never Python's quotes), severity, whether its
    revenue is proved or estimated, its penalty class ('' where it carries no penalty), the rules
    it leaves a customer to where they count the same loss and the rules whose thresholds it reads
    ('' where none)."""
    defaults = load_defaults()
    rows = [
        {
            "rule_id": rule.rule_id,
            "area": rule.area,
            "title_en": rule.title("en"),
            "title_zh": rule.title("zh"),
            "checks_en": rule.checks("en"),
            "checks_zh": rule.checks("zh"),
            "source_en": rule.source("en"),
            "source_zh": rule.source("zh"),
            "needs": ", ".join(need.replace("|", " or ") for need in rule.needs),
            "parameters_en": _parameters_text(rule.params, defaults[rule.rule_id], "en"),
            "parameters_zh": _parameters_text(rule.params, defaults[rule.rule_id], "zh"),
            "severity": rule.severity,
            "revenue_kind": rule.revenue_kind,
            "penalty_class": rule.penalty or "",
            "left_to": ", ".join(rule.left_to),
            "reads": ", ".join(rule.reads),
        }
        for rule in RULES.values()
    ]
    return pd.DataFrame(rows)


def _parameters_text(names: tuple[str, ...], values: Mapping[str, Any], lang: str) -> str:
    """A rule's parameters with their defaults as a reader reads them in `lang`:
    `max_hours=24; events=voltage_loss, current_loss` (`i18n.value_text`)."""
    return i18n.text("mark.join", lang).join(
        f"{name}={i18n.value_text(values[name], lang)}" for name in names
    )

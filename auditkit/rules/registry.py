"""The rule registry: each audit rule declares what it checks, what it needs, and its parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from auditkit.rules.context import RuleContext

AREAS = {
    "metering": "计量装置 metering devices",
    "capacity": "业扩报装 business expansion and capacity",
    "change_of_use": "变更用电 change of use",
    "routine": "常态稽查 routine tariff and archive checks",
}


@dataclass(frozen=True)
class Rule:
    """One audit rule: a vectorised check over all customers that returns findings.

    `needs` names the tables and columns the rule reads (`"bills.max_demand_kw"` or `"work_orders"`);
    a rule whose needs are absent or empty is skipped with a note instead of failing the run.
    `params` names the entries of `params/rules.yaml` the rule reads.
    """

    rule_id: str
    area: str
    title_en: str
    title_zh: str
    checks: str
    needs: tuple[str, ...]
    params: tuple[str, ...]
    severity: str
    check: Callable[[RuleContext, dict], pd.DataFrame]


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    *,
    area: str,
    title_en: str,
    title_zh: str,
    checks: str,
    needs: tuple[str, ...],
    params: tuple[str, ...] = (),
    severity: str = "medium",
) -> Callable[
    [Callable[[RuleContext, dict], pd.DataFrame]], Callable[[RuleContext, dict], pd.DataFrame]
]:
    """Register the decorated function as rule `rule_id` (ids are unique and public)."""
    if area not in AREAS:
        raise ValueError(f"rule {rule_id}: unknown area {area!r}")

    def register(check: Callable[[RuleContext, dict], pd.DataFrame]) -> Callable:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(
            rule_id, area, title_en, title_zh, checks, needs, params, severity, check
        )
        return check

    return register

"""The rule registry: each audit rule declares its area, what it needs, and its parameters.

What a rule is called, what it checks and where it comes from (the supply rules' article, the
metering code, the pricing document or audit practice) are worded in `auditkit.i18n`
(`rule.<id>.title`, `rule.<id>.checks`, `rule.<id>.source`), in Chinese and English; registering
a rule without them is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from auditkit import i18n

if TYPE_CHECKING:
    from auditkit.rules.context import RuleContext

#: Audit areas, by code; `area_name(code, lang)` names them.
AREAS = ("metering", "capacity", "change_of_use", "routine")
#: What a finding's revenue is: proved by recomputing the bill from the archive, the readings and
#: the schedule, or estimated (theft, zero consumption, demand above capacity, anything inferred).
#: Reports show the two apart, never as one sum.
REVENUE_KINDS = ("proved", "estimated")
#: Penalty classes of 违约使用电费 (供电营业规则 1996, art. 100-102; the 2024 rules cap them by the
#: same multiples): the multiple of each per regime is a parameter of `params/rules.yaml` common.
PENALTY_CLASSES = ("tariff_misuse", "capacity_increase", "sealed_equipment", "theft")
#: What every rule has worded in both languages (`rule.<id>.<part>`): its name, what it checks
#: and where it comes from.
WORDED_PARTS = ("title", "checks", "source")


def area_name(area: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """An audit area's name in `lang` (an unknown code as it is)."""
    return i18n.text(f"area.{area}", lang, default=area)


@dataclass(frozen=True)
class Rule:
    """One audit rule: a vectorised check over all customers that returns findings.

    `needs` names the tables and columns the rule reads (`"bills.max_demand_kw"` or `"work_orders"`,
    `"a|b"` for either); a rule whose needs are absent or empty is skipped with a note instead of
    failing the run.
    `params` names the entries of `params/rules.yaml` the rule reads. `revenue_kind` says whether
    its revenue is proved or estimated (`REVENUE_KINDS`); `penalty` the class of penalty its
    findings carry (`PENALTY_CLASSES`), None where the finding is no customer's violation.
    `left_to` names rules that count the same loss on their own evidence: where one of them
    finds the customer over the same months, this rule's finding is left to it, so a loss is
    counted once (`rules.worklist.counted_once`). `reads` names rules whose thresholds it
    reads too (as `params[rule_id]`): a rule that leaves part of its money to another inside its
    own check, on that rule's criteria, so the two cannot drift apart.
    """

    rule_id: str
    area: str
    needs: tuple[str, ...]
    params: tuple[str, ...]
    severity: str
    check: Callable[[RuleContext, dict], pd.DataFrame]
    revenue_kind: str = "proved"
    penalty: str | None = None
    left_to: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()

    def title(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """What the rule is called, in `lang`."""
        return i18n.text(f"rule.{self.rule_id}.title", lang)

    def checks(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """What the rule checks and how it prices a finding, in `lang`."""
        return i18n.text(f"rule.{self.rule_id}.checks", lang)

    def source(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """Where the rule comes from (document and article, or audit practice), in `lang`."""
        return i18n.text(f"rule.{self.rule_id}.source", lang)


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    *,
    area: str,
    needs: tuple[str, ...],
    params: tuple[str, ...] = (),
    severity: str = "medium",
    revenue_kind: str,
    penalty: str | None = None,
    left_to: tuple[str, ...] = (),
    reads: tuple[str, ...] = (),
) -> Callable[
    [Callable[[RuleContext, dict], pd.DataFrame]], Callable[[RuleContext, dict], pd.DataFrame]
]:
    """Register the decorated function as rule `rule_id` (ids are unique and public)."""
    if area not in AREAS:
        raise ValueError(f"rule {rule_id}: unknown area {area!r}")
    if revenue_kind not in REVENUE_KINDS:
        raise ValueError(f"rule {rule_id}: unknown revenue kind {revenue_kind!r}")
    if penalty is not None and penalty not in PENALTY_CLASSES:
        raise ValueError(f"rule {rule_id}: unknown penalty class {penalty!r}")
    unworded = [
        key for key in (f"rule.{rule_id}.{part}" for part in WORDED_PARTS) if not i18n.has(key)
    ]
    if unworded:
        raise ValueError(f"rule {rule_id}: no wording for {', '.join(unworded)} in auditkit.i18n")

    def register(check: Callable[[RuleContext, dict], pd.DataFrame]) -> Callable:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(
            rule_id, area, needs, params, severity, check, revenue_kind, penalty, left_to, reads
        )
        return check

    return register

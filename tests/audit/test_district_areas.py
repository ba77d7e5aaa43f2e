"""Every registered rule has its place in the district report: its findings are counted in its
area's rows under its title, and the appendix lists it in its area with its source."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from auditkit import i18n, rules
from auditkit.audit import study
from auditkit.audit.study import DistrictAudit


def _one_finding_per_rule() -> pd.DataFrame:
    """A finding of every registered rule, each on its own customer, as `rules.run` shapes them
    (area and revenue kind from the registry)."""
    registered = list(rules.RULES.values())
    count = len(registered)
    frame = pd.DataFrame(
        {
            "rule_id": [rule.rule_id for rule in registered],
            "area": [rule.area for rule in registered],
            "severity": "medium",
            "customer_id": [f"c{index}" for index in range(count)],
            "district": "X",
            "period_from": "2024-01",
            "period_to": "2024-02",
            "evidence": "",
            "revenue_impact": [float(index + 1) for index in range(count)],
            "revenue_kind": [rule.revenue_kind for rule in registered],
            "penalty": 0.0,
            "score": 0.5,
            "evidence_code": "[]",
        }
    )
    frame.attrs["as_of"] = "2024-02"
    return frame


@pytest.fixture(scope="module")
def audit() -> DistrictAudit:
    findings = _one_finding_per_rule()
    customers = pd.DataFrame(
        {
            "customer_id": findings["customer_id"],
            "usage_type": "residential",
            "status": "active",
            "basic_charge_basis": "none",
        }
    )
    bills = pd.DataFrame(
        {
            "customer_id": findings["customer_id"],
            "period": "2024-01",
            "kwh_billed": 100.0,
            "amount": 60.0,
            "read_type": "actual",
        }
    )
    local = SimpleNamespace(customers=customers, bills=bills, district_supply=None)
    profile = study.profile_figures(local, "2024-02")
    return DistrictAudit("X", local, findings, rules.catalog(), profile, top_n=5)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_registered_rule_is_counted_in_its_area_under_its_title(
    audit: DistrictAudit, lang: str
) -> None:
    by_rule = audit.table("findings_by_rule", lang).set_index(i18n.text("report.rule_id", lang))
    area, title = i18n.text("common.area", lang), i18n.text("common.rule", lang)
    for rule in rules.RULES.values():
        row = by_rule.loc[rule.rule_id]
        assert row[area] == rules.area_name(rule.area, lang), rule.rule_id
        assert row[title] == rule.title(lang), rule.rule_id
        assert row[i18n.text("common.findings", lang)] == 1, rule.rule_id


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_appendix_lists_every_rule_in_its_area_with_its_title_and_source(
    audit: DistrictAudit, lang: str
) -> None:
    appendix = audit.table("catalog", lang).set_index(i18n.text("report.rule_id", lang))
    assert sorted(appendix.index) == sorted(rules.RULES)
    for rule in rules.RULES.values():
        row = appendix.loc[rule.rule_id]
        assert row[i18n.text("common.area", lang)] == rules.area_name(rule.area, lang)
        assert row[i18n.text("common.rule", lang)] == rule.title(lang)
        assert row[i18n.text("report.district.source", lang)] == rule.source(lang)


def test_the_new_practice_check_on_adjustments_is_a_routine_audit() -> None:
    """unapproved_adjustment (issue 15) is reported among the routine audits (常态稽查)."""
    assert rules.RULES["unapproved_adjustment"].area == "routine"
    assert rules.area_name("routine", "zh") == "常态稽查"

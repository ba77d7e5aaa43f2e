"""What kind of money a finding holds: proved by recomputing the bill, or estimated; the catalog
says it per rule with the penalty class, and the CLI never adds the two kinds together."""

from __future__ import annotations

import pytest
from rule_builder import Utility, flat

from auditkit import rules
from auditkit.cli import main

#: Rule id → (revenue kind, penalty class).
KINDS = {
    "multiplier_mismatch": ("proved", ""),
    "register_mismatch": ("proved", ""),
    "meter_test_overdue": ("proved", ""),
    "loss_not_charged": ("proved", ""),
    "capacity_underbilled": ("proved", ""),
    "demand_over_capacity": ("estimated", "capacity_increase"),
    "reduction_without_drop": ("estimated", "sealed_equipment"),
    "suspension_overrun": ("proved", ""),
    "suspension_backdated": ("proved", ""),
    "basic_charge_error": ("proved", ""),
    "order_stalled": ("proved", ""),
    "order_not_applied": ("proved", ""),
    "change_without_order": ("estimated", ""),
    "consumption_drop": ("estimated", ""),
    "tariff_mismatch": ("proved", "tariff_misuse"),
    "billed_tariff_mismatch": ("proved", ""),
    "rate_mismatch": ("proved", ""),
    "zero_consumption": ("estimated", ""),
    "estimated_streak": ("proved", ""),
    "archive_defect": ("proved", ""),
    "tou_misapplied": ("proved", ""),
    "tier_misapplied": ("proved", ""),
    "pf_adjustment_error": ("proved", ""),
    "pf_standard_mismatch": ("proved", ""),
    "fund_charge_error": ("proved", ""),
    "unbilled_account": ("estimated", ""),
    "billed_after_closure": ("proved", ""),
    "temporary_supply_overrun": ("proved", ""),
    "duplicate_account": ("proved", ""),
    "unapproved_adjustment": ("proved", ""),
    "meter_change_energy_lost": ("proved", ""),
    "meter_error_backbill": ("proved", ""),
    "meter_event_unresolved": ("estimated", ""),
}


def test_the_catalog_gives_each_rule_its_revenue_kind_and_penalty_class():
    catalog = rules.catalog().set_index("rule_id")
    assert set(catalog.index) == set(KINDS)
    kinds = zip(catalog["revenue_kind"], catalog["penalty_class"], strict=True)
    found = dict(zip(catalog.index, kinds, strict=True))
    assert found == KINDS


def _two_kinds() -> Utility:
    u = Utility()
    u.customer("rate")
    u.monthly("rate", flat(100), rate=[0.5] * 12)  # 0.6 due from July: 60.00 proved
    u.customer("zero")
    u.monthly("zero", [100.0] * 9 + [0.0] * 3)  # three months at zero: estimated
    return u


def test_findings_carry_their_rules_kind():
    findings = rules.run(_two_kinds().dataset()).set_index("rule_id")
    assert findings.loc["rate_mismatch", "revenue_kind"] == "proved"
    assert findings.loc["rate_mismatch", "revenue_impact"] == 60.0
    assert findings.loc["zero_consumption", "revenue_kind"] == "estimated"
    assert findings.loc["zero_consumption", "revenue_impact"] == pytest.approx(3 * 100 * 0.6)
    assert list(rules.run(_two_kinds().dataset()).columns[8:11]) == [
        "revenue_impact",
        "revenue_kind",
        "penalty",
    ]


def test_the_cli_shows_proved_and_estimated_revenue_apart(tmp_path, capsys):
    folder = _two_kinds().write(tmp_path / "data")
    assert main(["rules", str(folder), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "¥60.00 proved and ¥180.00 estimated at stake, ¥0.00 of penalties" in out
    assert "proved ¥" in out and "estimated ¥" in out


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"revenue_kind": "guessed"}, "unknown revenue kind 'guessed'"),
        ({"revenue_kind": "proved", "penalty": "fine"}, "unknown penalty class 'fine'"),
    ],
)
def test_a_rule_declares_a_known_kind_and_penalty_class(kwargs, message):
    with pytest.raises(ValueError, match=message):
        rules.registry.rule("rate_mismatch", area="routine", needs=(), **kwargs)

"""The rule catalogue: every rule says where it comes from, in both languages, and a rule that
does not cannot be registered."""

from __future__ import annotations

import re

import pytest

from auditkit import rules

# Three English words in a row: an English sentence, not a code (DL/T 448-2016) or a unit.
ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,;:()]+[A-Za-z]{2,}[ ,;:()]+[A-Za-z]{2,}")
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def outside_brackets(text: str) -> str:
    """`text` without its bracketed parts (innermost first)."""
    while (shorter := re.sub(r"\([^()]*\)", "", text)) != text:
        text = shorter
    return text


def test_the_catalog_gives_every_rule_its_source_in_both_languages():
    catalog = rules.catalog()
    assert {"source_en", "source_zh"} <= set(catalog.columns)
    assert set(catalog["rule_id"]) == set(rules.RULES)
    assert catalog["source_en"].str.len().gt(20).all()
    assert catalog["source_zh"].str.len().gt(5).all()
    assert not [text for text in catalog["source_zh"] if ENGLISH.search(text)]
    # English may quote a document's Chinese title in parentheses, nothing else in Chinese.
    assert not [text for text in catalog["source_en"] if CHINESE.search(outside_brackets(text))]
    row = catalog.set_index("rule_id").loc["multiplier_mismatch"]
    assert row["source_zh"] == rules.RULES["multiplier_mismatch"].source("zh")


@pytest.mark.parametrize(
    ("rule_id", "zh", "en"),
    [
        ("multiplier_mismatch", "《供电营业规则》（1996）第八十一条", "(1996), art. 81"),
        ("suspension_overrun", "第二十四条", "art. 24"),
        ("tariff_mismatch", "第一百条第一项", "art. 100 item 1"),
        ("meter_test_overdue", "DL/T 448-2016", "DL/T 448-2016"),
        ("tou_misapplied", "发改价格〔2021〕1093号", "[2021] No. 1093"),
        ("tier_misapplied", "发改价格〔2011〕2617号", "[2011] No. 2617"),
        ("basic_charge_error", "发改办价格〔2016〕1583号", "[2016] No. 1583"),
        ("pf_adjustment_error", "水电财字〔1983〕215号", "[1983] No. 215"),
        ("unapproved_adjustment", "营销稽查", "marketing audit practice"),
    ],
)
def test_a_rule_names_the_document_and_article_it_rests_on(rule_id: str, zh: str, en: str):
    rule = rules.RULES[rule_id]
    assert zh in rule.source("zh")
    assert en in rule.source("en")


def test_a_rule_without_a_source_cannot_be_registered(monkeypatch: pytest.MonkeyPatch):
    words = {
        "rule.sourceless_rule.title": ("无来源规则", "Rule without a source"),
        "rule.sourceless_rule.checks": ("检查内容", "what it checks"),
    }
    monkeypatch.setattr(rules.registry.i18n, "WORDS", rules.registry.i18n.WORDS | words)
    with pytest.raises(ValueError, match=r"no wording for rule\.sourceless_rule\.source"):
        rules.registry.rule("sourceless_rule", area="routine", needs=(), revenue_kind="proved")


def test_the_catalog_says_which_rules_count_a_loss_for_another_or_read_its_thresholds():
    catalog = rules.catalog().set_index("rule_id")
    assert catalog.loc["consumption_drop", "left_to"] == (
        "meter_event_unresolved, multiplier_mismatch, register_mismatch, meter_error_backbill"
    )
    assert catalog.loc["zero_consumption", "left_to"] == "register_mismatch, meter_event_unresolved"
    assert catalog.loc["basic_charge_error", "reads"] == "capacity_underbilled, tariff_mismatch"
    assert catalog.loc["change_without_order", "reads"] == (
        "tariff_mismatch, multiplier_mismatch, capacity_underbilled, order_not_applied"
    )
    assert catalog.loc["order_not_applied", "reads"] == (
        "tariff_mismatch, capacity_underbilled, change_without_order"
    )
    # tariff_mismatch counts the bills order_not_applied leaves it, on its grace.
    assert catalog.loc["tariff_mismatch", ["left_to", "reads"]].tolist() == [
        "",
        "order_not_applied",
    ]

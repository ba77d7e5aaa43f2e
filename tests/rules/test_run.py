"""The rule runner: parameters, as_of, selection, catalog, determinism, measured against truth."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rule_builder import Utility, flat

from auditkit import rules, synth
from auditkit.data import Dataset
from auditkit.errors import ParameterError


@pytest.fixture(scope="module")
def small_utility() -> Dataset:
    return Dataset.from_frames(synth.generate(customers=4000, districts=3, seed=11))


def _one_rate_error() -> Utility:
    u = Utility()
    u.customer("A")
    u.monthly("A", flat(100), rate=[0.5] * 12)
    return u


def test_findings_have_the_public_columns_and_are_ranked_by_impact(small_utility):
    findings = rules.run(small_utility)
    assert list(findings.columns) == list(rules.FINDING_COLUMNS)
    assert (findings["revenue_impact"] >= 0).all()
    assert findings["revenue_impact"].is_monotonic_decreasing
    assert findings.duplicated(["rule_id", "customer_id"]).sum() == 0
    assert set(findings["severity"]) <= {"high", "medium", "low"}
    assert findings["score"].between(0, 1).all()


def test_same_data_same_findings(small_utility):
    first, second = rules.run(small_utility), rules.run(small_utility)
    assert first.equals(second)


def test_every_rule_against_synthetic_truth(small_utility):
    """Issue 14's bar on a utility of the realistic synthetic world (look-alikes included)."""
    notes: list[str] = []
    findings = rules.run(small_utility, notes=notes)
    skipped = {note.split(" skipped")[0] for note in notes}
    ran = [rule_id for rule_id in rules.RULES if rule_id not in skipped]
    scores = rules.precision_recall(findings, small_utility.truth, ran).set_index("rule_id")
    assert (scores["precision"] >= 0.95).all(), scores
    assert (scores["recall"] >= 0.95).all(), scores


def test_as_of_ignores_later_bills():
    u = _one_rate_error()
    assert rules.run(u.dataset(), rules=["rate_mismatch"], as_of="2024-06").empty
    assert len(rules.run(u.dataset(), rules=["rate_mismatch"], as_of="2024-07")) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"as_of": "2030-01"}, "expected a month within the bills' periods 2024-01..2024-12"),
        ({"as_of": "2024-13"}, "'as_of': expected a month YYYY-MM (01-12), found '2024-13'"),
        ({"rules": ["no_such_rule"]}, "'rules': expected rule ids among"),
        ({"params": {"zero_consumption.min_months": -1}}, "params.zero_consumption.min_months"),
        ({"params": {"zero_consumption": {"min_months": "three"}}}, "expected a number ≥ 0"),
        ({"params": {"consumption_drop.min_score": float("nan")}}, "≥ 0, found nan"),
        ({"params": {"consumption_drop.min_score": float("inf")}}, "≥ 0, found inf"),
        ({"params": {"zero_consumption.min_month": 3}}, "'params.zero_consumption'"),
        ({"params": {"no_rule.x": 3}}, "expected a rule id among"),
        (
            {"params": {"zero_consumption": 4}},
            "'params.zero_consumption': expected a mapping of parameter → value (or "
            "'rule.parameter: value'), found 4",
        ),
        (
            {"params": {"meter_test_overdue.grace_days": 10**20}},
            "'params.meter_test_overdue.grace_days': expected a number from 0 to 36,525 (a "
            "hundred years), found a whole number of 21 digits",
        ),
        (
            {"params": {"meter_error_backbill.settled_share": 3}},
            "'params.meter_error_backbill.settled_share': expected a share from 0 to 1, found 3",
        ),
        ({"params": {"consumption_drop.max_year_ratio": 7}}, "a share from 0 to 1, found 7"),
        ({"params": {"register_mismatch.relative_tolerance": 50}}, "from 0 to 1, found 50"),
        ({"params": {"zero_consumption.household_weight": 1.5}}, "from 0 to 1, found 1.5"),
        ({"params": {"consumption_drop.lookback_months": 1201}}, "from 0 to 1,200"),
        ({"params": {"meter_error_backbill.tolerance_pct": 100}}, "a percentage below 100"),
    ],
)
def test_bad_parameters_name_the_parameter(kwargs, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        rules.run(_one_rate_error().dataset(), **kwargs)


def test_the_edges_of_a_bound_are_thresholds_still():
    u = _one_rate_error()
    edges = {
        "meter_error_backbill.settled_share": 1.0,
        "meter_test_overdue.grace_days": 36_525,
        "consumption_drop.lookback_months": 1_200,
        "meter_error_backbill.tolerance_pct": 99.9,
    }
    assert len(rules.run(u.dataset(), rules=["rate_mismatch"], params=edges)) == 1


@pytest.mark.parametrize(
    ("added", "message"),
    [
        (
            "meter_test_overdue:\n  grace_days: 0\n  grace_dayz: 30\n",
            "parameter 'rules.yaml: meter_test_overdue': expected a parameter among grace_days, "
            "found 'grace_dayz'",
        ),
        ("nosuchrule:\n  x: 1\n", "parameter 'rules.yaml': expected a rule id among"),
    ],
)
def test_a_name_the_thresholds_file_misspells_is_refused_not_left_unread(
    tmp_path, monkeypatch, added: str, message: str
):
    shipped = (Path(__file__).parents[2] / "params" / "rules.yaml").read_text(encoding="utf-8")
    shipped = shipped.replace("meter_test_overdue:\n  grace_days: 0", "")
    (tmp_path / "rules.yaml").write_text(shipped + added, encoding="utf-8")
    monkeypatch.setenv("AUDITKIT_PARAMS", str(tmp_path))
    with pytest.raises(ParameterError) as caught:
        rules.run(_one_rate_error().dataset())
    assert str(caught.value).startswith(message)


def test_thresholds_can_be_overridden_per_call():
    u = Utility()
    u.customer("A")
    u.monthly("A", [100.0] * 9 + [0.0] * 3)
    assert len(rules.run(u.dataset(), rules=["zero_consumption"])) == 1
    assert rules.run(
        u.dataset(), rules=["zero_consumption"], params={"zero_consumption": {"min_months": 4}}
    ).empty


def test_malformed_rules_yaml_is_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "rules.yaml").write_text(
        "zero_consumption:\n  min_months: [1, 2\n", encoding="utf-8"
    )
    monkeypatch.setenv("AUDITKIT_PARAMS", str(tmp_path))
    with pytest.raises(ParameterError, match=re.escape("valid YAML")):
        rules.run(_one_rate_error().dataset())
    (tmp_path / "rules.yaml").write_text("zero_consumption:\n  min_months: yes\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=re.escape("rules.yaml: zero_consumption.min_months")):
        rules.run(_one_rate_error().dataset())
    (tmp_path / "rules.yaml").write_text("zero_consumption:\n  min_months: 3\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=re.escape("rules.yaml: common")):
        rules.run(_one_rate_error().dataset())


def test_a_rule_whose_column_is_empty_is_skipped_with_a_note():
    u = _one_rate_error()
    dataset = u.dataset()
    notes: list[str] = []
    rules.run(dataset, rules=["demand_over_capacity", "rate_mismatch"], notes=notes)
    assert notes == ["demand_over_capacity skipped: column bills.max_demand_kw is missing or empty"]


def test_catalog_lists_every_rule_bilingually_with_its_defaults():
    catalog = rules.catalog()
    assert set(catalog["rule_id"]) == set(rules.RULES)
    assert len(rules.RULES) >= 16
    assert catalog["title_zh"].str.len().gt(0).all() and catalog["title_en"].str.len().gt(0).all()
    row = catalog.set_index("rule_id").loc["suspension_overrun"]
    assert "max_months=6" in row["parameters_en"] and row["area"] == "capacity"


def test_catalog_writes_parameter_values_as_a_reader_reads_them_not_as_python():
    """The rule catalogue showed events=['voltage_loss', …] and extract_date= with no value."""
    catalog = rules.catalog().set_index("rule_id")
    events = catalog.loc["meter_event_unresolved"]
    assert events["parameters_zh"].startswith(
        "events=voltage_loss、current_loss、cover_open、reverse_energy；max_hours=24；"
    )
    assert events["parameters_en"].startswith(
        "events=voltage_loss, current_loss, cover_open, reverse_energy; max_hours=24; "
    )
    stalled = catalog.loc["order_stalled"]
    assert stalled["parameters_zh"] == (
        "transfer_days=3；register_days=5；archive_days=10；extract_date=—"
    )
    assert stalled["parameters_en"].endswith("archive_days=10; extract_date=—")

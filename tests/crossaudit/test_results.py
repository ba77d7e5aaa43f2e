"""Every cross-audit result speaks the one protocol: numbers, sentences, a table, a chart."""

from __future__ import annotations

import pandas as pd
import pytest
from crossaudit_builders import PLAN, inspections

from auditkit.crossaudit import Assignment, assign, compare, loads
from auditkit.results import Result


@pytest.fixture(scope="module")
def comparison():
    return compare(inspections(PLAN))


def test_the_comparison_gives_its_figures_as_numbers(comparison):
    assert isinstance(comparison, Result)
    summary = comparison.summary()
    assert summary["self_rate"] == pytest.approx(26 / 280)
    assert summary["cross_rate"] == pytest.approx(43 / 220)
    assert summary["under_reporting"] == ["A"]
    assert 0 < summary["odds_ratio"] < 1 and summary["p_value"] < 0.01
    assert comparison.to_table("en")["Self-audits under-report"].tolist() == ["yes", "no", "no"]
    assert comparison.plot("en").axes


def test_the_rates_give_each_kinds_totals(comparison):
    rates = comparison.rates
    assert isinstance(rates, Result)
    summary = rates.summary()
    assert (summary["self_inspections"], summary["self_errors"]) == (280, 26)
    assert summary["special_rate"] == pytest.approx(2 / 10)
    assert "special: 20.0% (2 / 10)" in rates.explain("en")
    assert rates.to_table("zh", district="B")["检查类型"].tolist() == [
        "自查",
        "交叉检查",
        "专项稽查",
    ]
    assert rates.plot("zh").axes


def test_the_model_gives_the_self_versus_cross_odds_ratio(comparison):
    model = comparison.model
    assert isinstance(model, Result) and model.estimated
    odds = model.table.set_index("term").loc["self vs cross"]
    assert model.summary()["odds_ratio"] == pytest.approx(odds["odds_ratio"])
    assert model.summary()["ci_low"] < odds["odds_ratio"] < model.summary()["ci_high"]
    assert model.explain("en").startswith("Within districts, the odds")
    assert model.to_table("zh")["变量"].tolist() == [
        "自查 vs 交叉检查",
        "单位 B（相对 A）",
        "单位 C（相对 A）",
    ]
    assert len(model.plot("en").axes[0].get_yticklabels()) == 3


def test_a_model_not_estimated_says_why():
    thin = compare(inspections({"A": {"self": (3, 0), "cross": (2, 1)}})).model
    assert isinstance(thin, Result) and not thin.estimated
    assert thin.summary()["estimated"] is False
    assert thin.explain("en") == "Too few self- or cross-audits to fit the logistic model."
    assert thin.to_table("en").empty and thin.plot("en").axes


def test_the_assignment_gives_who_audits_whom():
    sizes = {"A": 300.0, "B": 100.0, "C": 100.0, "D": 100.0}
    capacity = {"A": 1, "B": 1, "C": 1, "D": 1}
    pairs = assign(sizes, 1, workload=capacity)
    assignment = Assignment(pairs, loads(pairs, sizes, capacity), with_capacity=True)
    assert isinstance(assignment, Result)
    summary = assignment.summary()
    assert (summary["districts"], summary["audits"]) == (4, 4)
    assert summary["largest_share_gap"] == pytest.approx(0.25)  # A's 300 cannot be split
    lines = assignment.explain("en").splitlines()
    assert len(lines) == len(set(pairs["auditing_district"]))
    assert all(" audits " in line for line in lines)
    assert list(assignment.loads_table("en").columns) == [
        "District",
        "Audits",
        "Share of work",
        "Share of capacity",
    ]
    assert assignment.to_table("en").shape == (4, 2) and assignment.plot("en").axes


def test_an_auditor_of_several_districts_names_them_with_the_languages_list_separator():
    pairs = pd.DataFrame(
        [("B", "A"), ("B", "C"), ("C", "D"), ("D", "B")],
        columns=["auditing_district", "audited_district"],
    )
    capacity = {"A": 0, "B": 2, "C": 1, "D": 1}
    assignment = Assignment(pairs, loads(pairs, list("ABCD"), capacity), with_capacity=True)
    assert assignment.loads["audits"].tolist() == [[], ["A", "C"], ["D"], ["B"]]
    assert assignment.explain("zh").splitlines() == ["B 检查 A、C", "C 检查 D", "D 检查 B"]
    assert assignment.explain("en").splitlines()[0] == "B audits A, C"
    assert assignment.loads_table("zh")["检查对象"].tolist() == ["—", "A、C", "D", "B"]
    assert assignment.loads_table("en")["Audits"].tolist() == ["—", "A, C", "D", "B"]

"""Self- versus cross-audit comparison against scipy, statsmodels and hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.multitest import multipletests

from auditkit.crossaudit import clopper_pearson, compare
from auditkit.errors import ParameterError
from auditkit.stats import ColumnError


def _inspections(plan: dict[str, dict[str, tuple[int, int]]], seed: int = 0) -> pd.DataFrame:
    """plan: district -> kind -> (inspections, errors); errors add 100 yuan under-billed."""
    rng = np.random.default_rng(seed)
    rows = []
    for district, kinds in plan.items():
        for kind, (count, errors) in kinds.items():
            auditor = {"self": district, "cross": "其他", "special": "稽查中心"}[kind]
            for index in range(count):
                book = float(rng.integers(100, 400))
                rows.append(
                    {"customer_id": f"{district}-{kind}-{index}", "district": district,
                     "inspected_at": pd.Timestamp("2024-06-01"), "audit_kind": kind,
                     "auditing_district": auditor, "error_found": index < errors,
                     "book_value": book, "audited_value": book + (100.0 if index < errors else 0)}
                )  # fmt: skip
    return pd.DataFrame(rows)


PLAN = {
    "A": {"self": (120, 6), "cross": (80, 20), "special": (10, 2)},
    "B": {"self": (100, 15), "cross": (90, 14)},
    "C": {"self": (60, 5), "cross": (50, 9)},
}


def test_rates_and_exact_intervals():
    comparison = compare(_inspections(PLAN))
    rates = comparison.rates.set_index(["district", "audit_kind"])
    row = rates.loc[("A", "self")]
    assert (row["inspections"], row["errors"], row["rate"]) == (120, 6, pytest.approx(0.05))
    interval = stats.binomtest(6, 120).proportion_ci(0.95, method="exact")
    assert (row["ci_low"], row["ci_high"]) == (
        pytest.approx(interval.low),
        pytest.approx(interval.high),
    )
    assert row["underbilled"] == 600
    empty = rates.loc[("B", "special")]
    assert empty["inspections"] == 0 and np.isnan(empty["rate"]) and np.isnan(empty["ci_low"])
    low, high = clopper_pearson(np.array([0, 10]), np.array([10, 10]))
    assert low[0] == 0 and high[1] == 1


def test_overall_tests_match_scipy_and_the_formula():
    comparison = compare(_inspections(PLAN))
    overall = comparison.overall.set_index("test")
    self_n, self_e, cross_n, cross_e = 280, 26, 220, 43
    fisher = stats.fisher_exact(
        [[self_e, self_n - self_e], [cross_e, cross_n - cross_e]], alternative="less"
    )
    assert overall.loc["fisher_exact", "p_value"] == pytest.approx(fisher.pvalue)
    pooled = (self_e + cross_e) / (self_n + cross_n)
    z = (self_e / self_n - cross_e / cross_n) / np.sqrt(
        pooled * (1 - pooled) * (1 / self_n + 1 / cross_n)
    )
    assert overall.loc["two_proportion_z", "statistic"] == pytest.approx(z)
    assert overall.loc["two_proportion_z", "p_value"] == pytest.approx(stats.norm.cdf(z))


def test_per_district_fisher_with_holm_and_the_money():
    comparison = compare(_inspections(PLAN), alpha=0.05)
    table = comparison.by_district.set_index("district")
    raw = [
        stats.fisher_exact([[e1, n1 - e1], [e2, n2 - e2]], alternative="less").pvalue
        for (n1, e1), (n2, e2) in [((120, 6), (80, 20)), ((100, 15), (90, 14)), ((60, 5), (50, 9))]
    ]
    np.testing.assert_allclose(table["p_value"], raw)
    np.testing.assert_allclose(table["p_adjusted"], multipletests(raw, method="holm")[1])
    assert table["under_reports"].tolist() == [True, False, False]
    a = table.loc["A"]
    assert a["gap"] == pytest.approx(0.25 - 0.05)
    # Cross-audits found 100 yuan x 20 / 80 per inspection, self-audits 100 x 6 / 120.
    assert a["missed_value"] == pytest.approx((2000 / 80 - 600 / 120) * 120)
    assert comparison.under_reporting["district"].tolist() == ["A"]


def test_logistic_model_matches_a_formula_fit():
    frame = _inspections(PLAN)
    comparison = compare(frame)
    model = comparison.model.set_index("term")
    data = frame[frame["audit_kind"] != "special"].assign(
        error=lambda f: f["error_found"].astype(int),
        is_self=lambda f: (f["audit_kind"] == "self").astype(int),
    )
    reference = smf.logit("error ~ is_self + C(district)", data).fit(disp=0)
    assert model.loc["self vs cross", "odds_ratio"] == pytest.approx(
        np.exp(reference.params["is_self"]), rel=1e-5
    )
    assert model.loc["self vs cross", "p_value"] == pytest.approx(
        reference.pvalues["is_self"], rel=1e-4
    )
    assert model.loc["district B", "odds_ratio"] == pytest.approx(
        np.exp(reference.params["C(district)[T.B]"]), rel=1e-5
    )


def test_too_few_inspections_and_separation_give_notes():
    plan = {"A": {"self": (30, 0), "cross": (25, 0)}, "B": {"self": (4, 0), "cross": (3, 1)}}
    comparison = compare(_inspections(plan), lang="en")
    table = comparison.by_district.set_index("district")
    assert "too few inspections" in table.loc["B", "note"] and np.isnan(table.loc["B", "p_value"])
    assert comparison.model is None
    assert any("separation" in note or "logistic" in note for note in comparison.notes)
    sentences = " ".join(comparison.conclusions("en"))
    assert "no district's self-audits under-report significantly" in sentences
    tiny = compare(_inspections({"A": {"self": (3, 0), "cross": (2, 1)}}), lang="zh")
    assert tiny.overall.empty and tiny.model is None and tiny.funnel is not None
    assert any("不做总体检验" in note for note in tiny.notes)


def test_the_audited_district_comes_from_customers_or_is_asked_for():
    frame = _inspections(PLAN)
    customers = frame[["customer_id", "district"]].iloc[:-5]
    via_customers = compare(frame.drop(columns="district"), customers, lang="en")
    assert any("5 inspections of customers missing" in note for note in via_customers.notes)
    with pytest.raises(ColumnError, match="pass customers="):
        compare(frame.drop(columns="district"))
    with pytest.raises(ParameterError, match="audit_kind"):
        compare(frame.assign(audit_kind="peer"))
    with pytest.raises(ParameterError, match="'alpha'"):
        compare(frame, alpha=0)


def test_conclusions_name_the_under_reporting_district_in_both_languages():
    comparison = compare(_inspections(PLAN))
    zh = comparison.conclusions("zh")
    assert any(sentence.startswith("A：自查发现率 5.0%") for sentence in zh)
    en = comparison.conclusions("en", district="B")
    assert not any(sentence.startswith("A:") for sentence in en)
    assert any("B's self-audits do not under-report" in sentence for sentence in en)

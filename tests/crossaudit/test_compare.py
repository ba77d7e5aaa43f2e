"""Self- versus cross-audit comparison against scipy, statsmodels and hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from crossaudit_builders import PLAN, inspections
from scipy import stats
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.multitest import multipletests

from auditkit.crossaudit import compare
from auditkit.crossaudit.compare import INSPECTION_COLUMNS
from auditkit.errors import ParameterError
from auditkit.stats import ColumnError


def test_rates_and_exact_intervals():
    rates = compare(inspections(PLAN)).rates.table.set_index(["district", "audit_kind"])
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


@pytest.mark.parametrize(
    ("errors", "trials", "low", "high"),
    [(0, 10, 0.0, 0.3084971078187607), (10, 10, 0.6915028921812392, 1.0), (0, 1, 0.0, 0.975)],
)
def test_intervals_at_no_errors_and_all_errors_are_the_exact_ones(errors, trials, low, high):
    """The values the hand-written Clopper-Pearson gave before statsmodels computed them."""
    plan = {"A": {"self": (trials, errors), "cross": (trials, errors)}}
    row = compare(inspections(plan)).rates.table.iloc[0]
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low, abs=1e-12), pytest.approx(high))


def test_overall_tests_match_scipy_and_the_formula():
    overall = compare(inspections(PLAN)).overall.set_index("test")
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
    comparison = compare(inspections(PLAN), alpha=0.05)
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


def test_the_estimated_missed_money_comes_with_its_interval_rounded_as_it_allows():
    """'self-audits missed about 75,432.51 yuan': to the fen, from one large case, without
    uncertainty; the demo's bootstrap interval ran 1,278-207,433."""
    frame = inspections(PLAN)
    one = frame.index[(frame["district"] == "A") & (frame["audit_kind"] == "cross")][0]
    frame.loc[one, "audited_value"] += 30_000.40  # one large case among A's 20 cross findings
    comparison = compare(frame, alpha=0.05)
    a = comparison.by_district.set_index("district").loc["A"]
    # (32,000.40 / 80 - 600 / 120) x 120 self-audits = 395.005 x 120 = 47,400.60, kept whole
    assert a["missed_value"] == pytest.approx(47_400.60)
    # the interval is wide: the case is in a resample or not
    assert a["missed_low"] < 10_000 and a["missed_high"] > 90_000
    again = compare(frame, alpha=0.05).by_district.set_index("district").loc["A"]
    assert (again["missed_low"], again["missed_high"]) == (a["missed_low"], a["missed_high"])
    # the same inspections in another order: the same interval
    shuffled = compare(frame.sample(frac=1, random_state=1), alpha=0.05)
    other = shuffled.by_district.set_index("district").loc["A"]
    assert (other["missed_low"], other["missed_high"]) == (a["missed_low"], a["missed_high"])
    # a width of over a hundred thousand: rounded to the thousand (a hundredth of the width)
    shown = comparison.to_table("en").iloc[0]
    assert shown["Estimated missed (yuan)"] == "47,000"
    low, high = (round(value, -3) for value in (a["missed_low"], a["missed_high"]))
    assert shown["Missed, 95% bootstrap interval (yuan)"] == f"{low:,.0f} – {high:,.0f}"
    assert f"missed about 47,000 yuan (95% bootstrap interval {low:,.0f}-{high:,.0f})." in (
        comparison.explain("en")
    )
    assert f"自查约少发现 47,000 元（95% 自助法区间 {low:,.0f}–{high:,.0f} 元）" in (
        comparison.explain("zh")
    )
    assert "47,400.60" not in comparison.explain("en")


def test_a_narrow_interval_keeps_the_fen():
    """The near miss: every finding the same 100.40 yuan and a narrow interval keep decimals."""
    frame = inspections({"A": {"self": (1000, 0), "cross": (1000, 1000)}})
    frame["audited_value"] = frame["book_value"] + np.where(frame["error_found"], 100.40, 0.0)
    table = compare(frame, alpha=0.05).to_table("en").iloc[0]
    # (100.40 - 0) x 1,000 self-audits = 100,400.00: every resample gives the same
    assert table["Estimated missed (yuan)"] == "100,400.00"
    assert table["Missed, 95% bootstrap interval (yuan)"] == "100,400.00 – 100,400.00"


def test_logistic_model_matches_a_formula_fit():
    frame = inspections(PLAN)
    model = compare(frame).model.table.set_index("term")
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


def test_too_few_inspections_and_separation_give_codes_not_sentences():
    plan = {"A": {"self": (30, 0), "cross": (25, 0)}, "B": {"self": (4, 0), "cross": (3, 1)}}
    comparison = compare(inspections(plan))
    table = comparison.by_district.set_index("district")
    assert table.loc["B", "note"] == "too_few_in_district" and np.isnan(table.loc["B", "p_value"])
    assert "too few inspections" in comparison.district_notes("en", "B")[0]
    assert not comparison.model.estimated and comparison.model.table.empty
    assert comparison.model.note.code == "separation"
    # A found no error at all: left out of the model, which says nothing about it; B's self-
    # audits found none of 4 while its cross-audits found 1 of 3: the kind term is separated
    assert [note.code for note in comparison.notes] == ["left_out_of_model", "separation"]
    assert "no district's self-audits under-report significantly" in comparison.explain("en")
    tiny = compare(inspections({"A": {"self": (3, 0), "cross": (2, 1)}}))
    assert tiny.overall.empty and not tiny.model.estimated and tiny.funnel is not None
    assert [note.code for note in tiny.notes] == ["no_overall_test", "too_few_for_model"]
    assert "不做总体检验" in tiny.notes[0].text("zh")
    assert np.isnan(tiny.summary()["p_value"]) and tiny.summary()["under_reporting"] == []


def test_the_audited_district_comes_from_customers_or_is_asked_for():
    frame = inspections(PLAN)
    customers = frame[["customer_id", "district"]].iloc[:-5]
    via_customers = compare(frame.drop(columns="district"), customers)
    left_out = via_customers.notes[0]
    assert (left_out.code, left_out.values) == ("unknown_customers", {"count": 5})
    assert "5 inspections of customers missing" in left_out.text("en")
    with pytest.raises(ColumnError, match="pass customers="):
        compare(frame.drop(columns="district"))
    with pytest.raises(ParameterError, match="audit_kind"):
        compare(frame.assign(audit_kind="peer"))
    with pytest.raises(ParameterError, match="'alpha'"):
        compare(frame, alpha=0)


def test_explain_names_the_under_reporting_district_in_both_languages():
    comparison = compare(inspections(PLAN))
    zh = comparison.explain("zh").splitlines()
    assert any(sentence.startswith("A（依据现场检查记录）：自查发现率 5.0%") for sentence in zh)
    en = comparison.explain("en", district="B").splitlines()
    assert not any(sentence.startswith("A:") for sentence in en)
    assert any("B's self-audits do not under-report" in sentence for sentence in en)


def test_an_under_reporting_district_whose_self_audits_found_more_money_names_no_money():
    frame = inspections({"A": {"self": (120, 6), "cross": (80, 20)}})
    frame.loc[frame["audit_kind"].eq("self") & frame["error_found"], "audited_value"] += 5000.0
    comparison = compare(frame, alpha=0.05)
    assert comparison.by_district.loc[0, "under_reports"]
    assert comparison.by_district.loc[0, "missed_value"] == 0.0
    for lang, said, unsaid in (("en", "no less money per inspection", "missed about"),
                               ("zh", "不低于交叉检查", "约少发现")):  # fmt: skip
        text = comparison.explain(lang)
        assert said in text and unsaid not in text


def test_from_the_register_an_under_reporting_district_names_no_sum_of_money():
    """The audit cycle's comparison read the register's recovered yuan, proved and estimated
    added into one 'missed about' figure; its sentence now points to the table that keeps them
    apart."""
    comparison = compare(inspections(PLAN), alpha=0.05)
    assert comparison.under_reporting["district"].tolist() == ["A"]
    zh = comparison.explain("zh", source="register")
    en = comparison.explain("en", source="register")
    assert "每次检查追补的金额见下表，核算确认与估算分列、不相加。" in zh and "约少发现" not in zh
    assert "proved and estimated apart, never added." in en and "missed about" not in en
    assert "self-audits missed about" in comparison.explain("en")  # field inspections: one sum


@pytest.mark.parametrize(
    ("flags", "found"),
    [
        # rows counted from 1, as a reader counts them (pandas' position 0 is row 1)
        (["否", "是"], "否 in row 1"),  # text as a CSV or Excel export holds it
        ([None, True], "nothing in row 1"),
        ([False, np.nan], "nan in row 2"),
        ([0, 2], "2 in row 2"),
        ([0.0, 1.0], "0.0 in row 1"),
    ],
)
def test_error_flags_that_are_no_booleans_are_refused_naming_row_and_value(flags, found):
    frame = inspections(PLAN).astype({"error_found": object})
    frame.loc[[0, 1], "error_found"] = flags
    with pytest.raises(ParameterError) as caught:
        compare(frame)
    message = str(caught.value)
    assert message.startswith(
        "parameter 'inspections.error_found': expected booleans (True/False) or the integers 0 "
        "and 1, found "
    )
    assert message.endswith(repr(found))


def test_booleans_and_the_integers_0_and_1_are_error_flags():
    frame = inspections(PLAN)
    as_bool = compare(frame)
    as_int = compare(frame.assign(error_found=frame["error_found"].astype(int)))
    as_object = compare(frame.astype({"error_found": object}))
    for other in (as_int, as_object):
        assert other.overall.equals(as_bool.overall)
    assert as_bool.summary()["self_rate"] == pytest.approx((6 + 15 + 5) / 280)


def test_gaps_are_in_percentage_points_and_a_district_is_not_compared_with_itself():
    comparison = compare(inspections(PLAN))
    b = comparison.by_district.set_index("district").loc["B"]
    gap = b["cross_rate"] - b["self_rate"]  # 14/90 - 15/100 = +0.56 points
    assert round(gap * 100, 1) == 0.6
    english = comparison.explain("en", district="B").splitlines()[-1]
    assert "p = p =" not in english and "largest gap" not in english
    assert "rate minus its self-audit rate is +0.6 pp (adjusted p = " in english
    chinese = comparison.explain("zh", district="B").splitlines()[-1]
    assert "发现率之差为 +0.6 个百分点（校正后 p = " in chinese
    table = comparison.to_table("en").set_index("District")
    assert table.loc["A", "Gap (pp)"] == "+20.0" and table.loc["B", "Gap (pp)"] == "+0.6"
    flagged = comparison.explain("en").splitlines()
    assert any("a gap of +20.0 pp" in sentence for sentence in flagged)
    none_flagged = compare(inspections({k: v for k, v in PLAN.items() if k != "A"}))
    # C: 9/50 - 5/60 = 0.18 - 0.0833 = +9.7 points, larger than B's +0.6.
    assert "found fewer is C's (+9.7 pp, adjusted p = " in none_flagged.explain("en")
    assert "自查比交叉检查少发现最多的是C（+9.7 个百分点" in none_flagged.explain("zh")


def test_each_verdict_names_the_checks_it_rests_on():
    """The cross-audit report compares inspections, the audit cycle the register's checks: the
    same district can be flagged by one and not the other, so every verdict says which."""
    without_a = compare(inspections({k: v for k, v in PLAN.items() if k != "A"}))
    inspected = without_a.explain("en").splitlines()
    assert inspected[0].startswith("Overall (by field inspections), self-audits found errors")
    assert inspected[-1].startswith(
        "After correction for multiple comparisons (Holm), no district's self-audits "
        "under-report significantly by field inspections; where there were enough inspections "
        "to test (2 districts), the largest gap by which self-audits found fewer is C's (+9.7 pp, "
    )
    registered = without_a.explain("zh", source="register").splitlines()
    assert registered[0].startswith(
        "总体上（依据疑点登记簿的核查结论），自查发现问题的比例为 12.5%"
    )
    assert registered[-1].startswith(
        "经多重比较校正（Holm），依据疑点登记簿的核查结论，没有单位的自查显著少报；"
        "在检查次数足以检验的 2 个单位中，自查比交叉检查少发现最多的是C"
    )
    one = without_a.explain("en", district="B", source="register").splitlines()[-1]
    assert one.startswith(
        "After correction for multiple comparisons (Holm), B's self-audits do not under-report "
        "significantly by the findings register's check outcomes: "
    )
    flagged = compare(inspections(PLAN)).explain("en", source="register").splitlines()
    assert flagged[-1].startswith(
        "A (by the findings register's check outcomes): self-audits found errors in 5.0%"
    )
    with pytest.raises(ParameterError, match="'source': expected one of"):
        without_a.explain("en", source="both")


def test_the_missed_money_is_shown_only_for_a_district_flagged_as_under_reporting():
    """城北 read '自查少报 否' beside '估计少查金额 258,121.61', the largest sum on the page: an
    estimate behind a gap that is not significant is shown as '—', the note says why."""
    comparison = compare(inspections(PLAN), alpha=0.05)
    kept = comparison.by_district.set_index("district")["missed_value"]
    # B's cross-audits found 14 x 100 / 90 yuan per inspection, its self-audits 15 x 100 / 100
    assert kept["B"] == pytest.approx((1400 / 90 - 1500 / 100) * 100)  # the numbers are kept
    zh = comparison.to_table("zh").set_index("供电单位")
    assert zh["自查少报"].tolist() == ["是", "否", "否"]
    assert zh["估计少查金额 (元)"].tolist() == ["2,400", "—", "—"]
    assert zh["说明"].tolist() == [
        "",
        "自查发现率未显著低于交叉检查（Holm 校正），不估计少查金额",
        "自查发现率未显著低于交叉检查（Holm 校正），不估计少查金额",
    ]
    en = comparison.to_table("en").set_index("District")
    assert en["Estimated missed (yuan)"].tolist() == ["2,400", "—", "—"]
    assert en.loc["B", "Note"] == (
        "self-audits do not find significantly fewer errors (Holm-adjusted): no missed money "
        "is estimated"
    )
    # the sentences name money only where the table shows it
    assert "自查约少发现 2,400 元" in comparison.explain("zh")
    assert comparison.explain("en").count("missed about") == 1


def test_a_flagged_district_whose_self_audits_missed_no_money_says_so_in_the_note():
    """城东 read '是' beside '0.00' with an empty 说明."""
    frame = inspections({"A": {"self": (120, 6), "cross": (80, 20)}})
    frame.loc[frame["audit_kind"].eq("self") & frame["error_found"], "audited_value"] += 5000.0
    comparison = compare(frame, alpha=0.05)
    zh = comparison.to_table("zh").iloc[0]
    assert (zh["自查少报"], zh["估计少查金额 (元)"]) == ("是", "0.00")
    assert zh["说明"] == "自查每次检查查出的金额不低于交叉检查"
    assert zh["说明"] in comparison.explain("zh")  # the note and the sentence say one thing
    en = comparison.to_table("en").iloc[0]
    assert en["Note"] == "self-audits found no less money per inspection than cross-audits"
    assert en["Note"] in comparison.explain("en")


def test_the_note_column_is_left_out_when_no_district_has_a_note():
    comparison = compare(inspections({"A": {"self": (120, 6), "cross": (80, 20)}}), alpha=0.05)
    for lang, note in (("zh", "说明"), ("en", "Note")):
        table = comparison.to_table(lang)
        assert note not in table.columns and len(table.columns) == 11
    assert comparison.to_table("en")["Estimated missed (yuan)"].tolist() == ["2,400"]


def test_a_district_too_small_to_test_shows_no_verdict_and_no_money():
    plan = {"A": {"self": (120, 6), "cross": (80, 20)}, "B": {"self": (4, 0), "cross": (3, 1)}}
    comparison = compare(inspections(plan), alpha=0.05)
    assert comparison.by_district.set_index("district").loc["B", "missed_value"] > 0
    zh = comparison.to_table("zh").set_index("供电单位").loc["B"]
    assert (zh["自查少报"], zh["估计少查金额 (元)"]) == ("—", "—")
    assert zh["说明"].startswith("检查次数不足（自查 4、交叉 3")
    en = comparison.to_table("en", district="B").iloc[0]
    assert (en["Self-audits under-report"], en["Estimated missed (yuan)"]) == ("—", "—")
    assert en["Note"].startswith("too few inspections for a test (self 4, cross 3")


def by_plan(spec: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    """Inspections of (district, kind, inspections, errors), no money columns."""
    return pd.DataFrame(
        [
            {
                "customer_id": f"{district}{kind}{index}",
                "audit_kind": kind,
                "auditing_district": district if kind == "self" else "Z",
                "error_found": index < errors,
                "district": district,
            }
            for district, kind, count, errors in spec
            for index in range(count)
        ]
    )


#: A: 30 % found by either kind, mostly cross-audited; B: 5 % against 6 %, mostly self-audited.
SIMPSON = [
    ("A", "self", 50, 15),
    ("A", "cross", 500, 150),
    ("B", "self", 500, 25),
    ("B", "cross", 50, 3),
]


def test_the_overall_verdict_rests_on_the_comparison_within_districts():
    """Pooled, self-audits found 40 / 550 = 7.3 % and cross-audits 153 / 550 = 27.8 % (Fisher
    p 4e-20), yet within each district the rates are equal: the verdict said 'significantly
    fewer' beside an odds ratio of 0.96 (0.54-1.71, p 0.894)."""
    comparison = compare(by_plan(SIMPSON))
    tables = np.array([[[15, 35], [150, 350]], [[25, 475], [3, 47]]], dtype=float)
    reference = StratifiedTable(tables.transpose(1, 2, 0))
    within = comparison.overall.set_index("test").loc["mantel_haenszel"]
    assert within["statistic"] == pytest.approx(reference.oddsratio_pooled)  # 0.963
    assert within["p_value"] == pytest.approx(reference.test_null_odds().pvalue)  # 0.895
    english = comparison.explain("en").splitlines()
    assert english[0] == (
        "Overall (by field inspections), self-audits found errors in 7.3% of inspections and "
        "cross-audits in 27.8%; compared within districts, the difference is not significant "
        "(Cochran-Mantel-Haenszel test, p = 0.895), so under-reporting is not shown."
    )
    assert english[1].startswith(
        "Within districts, the odds that a self-audit finds an error are 0.96"
    )
    assert "差异不显著（按单位分层的 MH 卡方检验 p = 0.895）" in comparison.explain("zh")
    summary = comparison.summary()
    assert summary["p_value"] < 1e-15 and summary["mh_p_value"] == pytest.approx(0.895, abs=5e-4)
    # the near miss: the same districts with A's self-audits finding 5 of 50 within districts
    fewer = compare(by_plan([("A", "self", 50, 5), *SIMPSON[1:]]))
    assert "compared within districts, self-audits find significantly fewer" in fewer.explain("en")


def test_the_overall_table_names_each_statistic():
    table = compare(by_plan(SIMPSON)).overall_table("en")
    assert table["Statistic"].tolist() == [
        "two-proportion z",
        "sample odds ratio",
        "Mantel-Haenszel odds ratio",
    ]
    assert table["Value"].tolist()[2] == "0.963"


def test_unknown_money_is_shown_missing_and_no_money_sentence_is_drawn_from_it():
    """No money columns read 'self-audits found no less money per inspection' and an
    estimated 0.00 missed; empty audited values on the errors found read 'found 0.00'."""
    no_money = compare(by_plan([("A", "self", 120, 6), ("A", "cross", 80, 20)]))
    a = no_money.by_district.iloc[0]
    assert np.isnan(a["missed_value"]) and np.isnan(a["cross_value_per_inspection"])
    table = no_money.to_table("en").iloc[0]
    assert table["Self-audits under-report"] == "yes"
    assert table["Estimated missed (yuan)"] == "—"
    assert table["Note"] == (
        "the money some inspections found is not recorded: no missed money is estimated"
    )
    english = no_money.explain("en")
    assert "no less money" not in english and "missed about" not in english
    assert "the money some inspections found is not recorded, so no missed money" in english
    assert [note.code for note in no_money.notes] == ["money_unknown"]
    assert no_money.notes[0].values["count"] == 26  # 6 self + 20 cross found errors
    assert "部分检查未记录金额，不估计少查金额" in no_money.explain("zh")
    # audited_value empty on the 20 cross-audits that found errors: unknown, not 0.00 found
    frame = inspections({"A": {"self": (120, 6), "cross": (80, 20)}})
    found = frame["audit_kind"].eq("cross") & frame["error_found"]
    frame.loc[found, "audited_value"] = np.nan
    rates = compare(frame).rates.to_table("en").set_index("Audit kind")
    assert rates.loc["cross", "Under-billing found (yuan)"] == "—"
    assert rates.loc["self", "Under-billing found (yuan)"] == "600.00"  # 6 errors x 100 yuan
    # the near miss: values missing only where no error was found are no money found
    frame = inspections({"A": {"self": (120, 6), "cross": (80, 20)}})
    frame.loc[~frame["error_found"], ["book_value", "audited_value"]] = np.nan
    kept = compare(frame)
    assert kept.by_district.iloc[0]["missed_value"] == pytest.approx((2000 / 80 - 600 / 120) * 120)
    assert kept.notes == []


def test_a_district_without_any_error_does_not_stop_the_model():
    """C (5 self, 3 cross, no error) made the whole odds ratio 'separation, cannot be
    estimated'; it says nothing about self against cross within a district."""
    spec = [("A", "self", 200, 10), ("A", "cross", 200, 30), ("B", "self", 200, 12)]
    spec += [("B", "cross", 200, 35), ("C", "self", 5, 0), ("C", "cross", 3, 0)]
    comparison = compare(by_plan(spec))
    model = comparison.model
    assert model.estimated
    fitted = by_plan(spec[:4]).assign(
        error=lambda f: f["error_found"].astype(int),
        is_self=lambda f: (f["audit_kind"] == "self").astype(int),
    )
    reference = smf.logit("error ~ is_self + C(district)", fitted).fit(disp=0)
    assert model.summary()["odds_ratio"] == pytest.approx(np.exp(reference.params["is_self"]))
    assert model.explain("en").startswith(
        "Within districts, the odds that a self-audit finds an error are 0.30 times those of a "
        "cross-audit (95% CI 0.18-0.50"
    )
    assert [note.code for note in comparison.notes] == ["money_unknown", "left_out_of_model"]
    assert comparison.notes[1].text("en").startswith("C: every inspection has the same outcome")
    # the near miss: separation of the self-vs-cross term itself is still caught
    separated = compare(by_plan([("A", "self", 50, 0), ("A", "cross", 50, 10)]))
    assert separated.model.note.code == "separation"


def test_model_terms_name_the_reference_district():
    model = compare(by_plan(SIMPSON)).model
    assert model.to_table("en")["Term"].tolist() == ["self vs cross", "district B (against A)"]
    assert model.to_table("zh")["变量"].tolist()[1] == "单位 B（相对 A）"


def test_the_largest_gap_worth_watching_is_one_where_self_audits_found_fewer():
    """'the largest gap is A's (-10.0 pp ...): worth watching next round' named a district
    whose self-audits found more."""
    spec = [("A", "self", 50, 20), ("A", "cross", 50, 15), ("B", "self", 50, 10)]
    spec += [("B", "cross", 50, 11), ("C", "self", 4, 0), ("C", "cross", 4, 3)]
    comparison = compare(by_plan(spec))
    last = comparison.explain("en").splitlines()[-1]
    # A: 15/50 - 20/50 = -10.0 points (self found more); B: 11/50 - 10/50 = +2.0; C untested
    assert "where there were enough inspections to test (2 districts)" in last
    assert "found fewer is B's (+2.0 pp" in last and "A's" not in last
    # the near miss: no district tested where self-audits found fewer names none
    only_more = compare(by_plan(spec[:2] + spec[4:]))
    assert (
        only_more.explain("en")
        .splitlines()[-1]
        .endswith(
            "self-audits found errors at least as often as cross-audits wherever there were "
            "enough inspections to test (1 district)."
        )
    )


def test_counts_of_one_are_said_in_the_singular():
    """'among the 1 districts', 'in none of the 1 districts' and '1 inspections that found an
    error lack' read as a typing slip; the counts are said with i18n.counted now."""
    spec = [("A", "self", 50, 20), ("A", "cross", 50, 15), ("C", "self", 4, 0)]
    last = compare(by_plan(spec)).explain("en").splitlines()[-1]
    assert last.endswith("wherever there were enough inspections to test (1 district).")
    assert "1 districts" not in last
    fewer = [*spec, ("B", "self", 50, 10), ("B", "cross", 50, 11)]  # B: +2.0 pp, A: -10.0 pp
    assert "enough inspections to test (2 districts), the largest gap" in (
        compare(by_plan(fewer)).explain("en")
    )
    frame = inspections({"A": {"self": (20, 1), "cross": (20, 4)}})
    unrecorded = frame.index[frame["audit_kind"].eq("self") & frame["error_found"]]
    frame.loc[unrecorded, "audited_value"] = np.nan  # the one self-audit that found an error
    note = compare(frame).notes[0]
    assert note.text("en").startswith(
        "1 inspection found an error without the book or audited value recorded"
    )
    assert note.text("zh").startswith("1 次检查发现问题但未记录账面值或稽查值")
    frame.loc[frame["error_found"], "audited_value"] = np.nan  # near miss: 1 + 4 = 5 of them
    assert compare(frame).notes[0].text("en").startswith("5 inspections found an error without")


def test_without_a_district_holding_both_kinds_there_is_no_overall_verdict():
    """A's self-audits against B's cross-audits compare two districts, not two kinds: the
    pooled rates are described and no verdict is drawn from them."""
    comparison = compare(by_plan([("A", "self", 100, 2), ("B", "cross", 100, 30)]))
    assert "mantel_haenszel" not in set(comparison.overall["test"])
    first = comparison.explain("en").splitlines()[0]
    assert first == (
        "Overall (by field inspections), self-audits found errors in 2.0% of inspections and "
        "cross-audits in 30.0%; they cannot be compared within districts, so there is no "
        "overall verdict."
    )
    assert "no_stratified_test" in [note.code for note in comparison.notes]
    assert np.isnan(comparison.summary()["mh_p_value"])


def test_self_audits_finding_significantly_more_within_districts_are_not_called_not_significant():
    """Cross-audits found nothing anywhere: CMH p = 0.004 the other way round, which read
    'the difference is not significant (p = 0.004)'."""
    spec = [("A", "self", 100, 5), ("A", "cross", 100, 0), ("B", "self", 50, 3)]
    comparison = compare(by_plan([*spec, ("B", "cross", 50, 0)]))
    assert comparison.summary()["mh_odds_ratio"] == np.inf
    assert (
        comparison.explain("en")
        .splitlines()[0]
        .endswith(
            "compared within districts, self-audits find significantly more "
            "(Cochran-Mantel-Haenszel test, p = 0.004), so under-reporting is not shown."
        )
    )
    assert comparison.overall_table("en")["Value"].tolist()[2] == "∞"


def test_a_cross_audit_by_the_audited_district_is_left_out_and_said() -> None:
    plan = {"A": {"self": (40, 2), "cross": (30, 6)}, "B": {"self": (40, 4), "cross": (30, 3)}}
    frame = inspections(plan)
    # 93 of A's own inspections appended as cross (no error): A's cross rate 6 / 30 = 20 % would
    # read 6 / 123 = 4.9 %, near its self rate 2 / 40 = 5 %
    own = inspections({"A": {"cross": (93, 0)}}, seed=1).assign(auditing_district="A")
    own["customer_id"] = "A-own-" + own.index.astype(str)
    comparison = compare(pd.concat([frame, own], ignore_index=True))
    rates = comparison.rates.table.set_index(["district", "audit_kind"])
    assert (rates.loc[("A", "cross"), "inspections"], rates.loc[("A", "cross"), "errors"]) == (
        30,
        6,
    )
    assert rates.loc[("A", "cross"), "rate"] == pytest.approx(6 / 30)
    said = [note.text("en") for note in comparison.notes]
    assert "93 inspections marked cross but made by the customer's own district" in " ".join(said)
    # near miss: cross-audits by another district (其他) are all kept, nothing said
    clean = compare(frame)
    assert (
        clean.rates.table.set_index(["district", "audit_kind"]).loc[("A", "cross"), "inspections"]
        == 30
    )
    assert not any("own district" in note.text("en") for note in clean.notes)


def test_a_cross_audit_by_no_district_of_the_data_is_left_out_and_said() -> None:
    """A cross row whose auditor is 'A局' (no district of the customers) counted as a
    cross-audit, with no note."""
    plan = {"A": {"self": (40, 2), "cross": (30, 6)}, "B": {"self": (40, 4), "cross": (30, 3)}}
    frame = inspections(plan).assign(
        auditing_district=lambda rows: rows["auditing_district"].mask(
            rows["audit_kind"] == "cross", rows["district"].map({"A": "B", "B": "A"})
        )
    )
    customers = frame[["customer_id", "district"]]
    # 20 of A's cross-audits typed as made by 'A局', none finding an error: A's cross rate
    # 6 / 30 = 20 % would read 6 / 50 = 12 %
    slips = inspections({"A": {"cross": (20, 0)}}, seed=1).assign(auditing_district="A局")
    slips["customer_id"] = "A-slip-" + slips.index.astype(str)
    customers = pd.concat([customers, slips[["customer_id", "district"]]], ignore_index=True)
    comparison = compare(pd.concat([frame, slips], ignore_index=True), customers)
    rates = comparison.rates.table.set_index(["district", "audit_kind"])
    assert (rates.loc[("A", "cross"), "inspections"], rates.loc[("A", "cross"), "errors"]) == (
        30,
        6,
    )
    said = [note.text("en") for note in comparison.notes]
    assert said == [
        "20 inspections marked cross but made by A局, no district of the data: left out of the "
        "comparison."
    ]
    assert comparison.notes[0].text("zh").startswith("标为“交叉检查”的 20 次检查，检查单位（A局）")
    # near miss: the cross-audits by B and A, districts of the customers, are all kept
    clean = compare(frame, frame[["customer_id", "district"]])
    clean_rates = clean.rates.table.set_index(["district", "audit_kind"])
    assert clean_rates.loc[("A", "cross"), "inspections"] == 30 and not clean.notes


@pytest.mark.parametrize("missing", [None, np.nan, "  "], ids=["none", "nan", "blank"])
def test_a_row_without_an_auditing_district_is_refused_naming_the_column_and_row(missing):
    """A cross row with no auditing district crashed sorting the auditors by no district of the
    customers ('<' between str and float); `data.load` refuses such a row, and so does compare."""
    customers = pd.DataFrame({"customer_id": ["a", "b"], "district": ["东", "西"]})
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "audit_kind": ["cross", "cross"],
            "auditing_district": ["西局", missing],
            "error_found": [True, False],
        }
    )
    with pytest.raises(ParameterError) as caught:
        compare(frame, customers)
    assert str(caught.value) == (
        "parameter 'inspections.auditing_district': expected the district that inspected, in "
        "every row, found 'an empty cell in row 2'"
    )
    # near miss: with the auditor filled in, the slip '西局' is left out and said, not refused
    frame.loc[1, "auditing_district"] = "东"
    kept = compare(frame, customers)
    assert kept.notes[0].code == "cross_by_unknown_district"
    assert kept.notes[0].values["auditors"] == ["西局"]


def test_the_money_unknown_note_counts_only_the_inspections_compared():
    """东's 20 self-audits (1 error: 150 - 100 = 50 found) and 20 cross-audits by 西 (8 errors:
    300 - 100 = 200 each); 西's 20 of each find nothing. One more cross row, by the slip '东局',
    found an error without values: it is left out, yet the note said 1 inspection's money was
    unknown and no missed money estimated, beside 东's estimate of
    (8 × 200 / 20 - 50 / 20) × 20 = (80 - 2.50) × 20 = 1,550.00."""
    customers = pd.DataFrame(
        {"customer_id": [f"c{i}" for i in range(40)], "district": ["东"] * 20 + ["西"] * 20}
    )
    rows = []
    for i in range(20):
        rows += [
            (f"c{i}", "self", "东", i < 1, 100.0, 150.0 if i < 1 else 100.0),
            (f"c{i}", "cross", "西", i < 8, 100.0, 300.0 if i < 8 else 100.0),
            (f"c{20 + i}", "self", "西", False, 100.0, 100.0),
            (f"c{20 + i}", "cross", "东", False, 100.0, 100.0),
        ]
    frame = pd.DataFrame(rows, columns=[*INSPECTION_COLUMNS, "book_value", "audited_value"])
    slip = pd.DataFrame([("c0", "cross", "东局", True, np.nan, np.nan)], columns=frame.columns)
    comparison = compare(pd.concat([frame, slip], ignore_index=True), customers)
    assert [note.code for note in comparison.notes][:1] == ["cross_by_unknown_district"]
    assert "money_unknown" not in [note.code for note in comparison.notes]
    east = comparison.by_district.set_index("district").loc["东"]
    assert east["missed_value"] == pytest.approx(1550.0)
    # near miss: the same row by 西, a district of the data, is compared and its money unknown
    by_west = slip.assign(auditing_district="西")
    kept = compare(pd.concat([frame, by_west], ignore_index=True), customers)
    unknown = [note for note in kept.notes if note.code == "money_unknown"]
    assert [note.values["count"] for note in unknown] == [1]
    assert np.isnan(kept.by_district.set_index("district").loc["东", "missed_value"])


def test_an_unknown_audit_kind_is_named_with_its_row_and_the_kinds_listed():
    frame = inspections(PLAN)
    frame.loc[3, "audit_kind"] = "交叉"
    with pytest.raises(ParameterError) as caught:
        compare(frame)
    # pandas' position 3 is the 4th row; the kinds as a reader writes them, no tuple
    assert str(caught.value) == (
        "parameter 'inspections.audit_kind': expected one of self, cross, special, "
        "found '交叉 in row 4'"
    )


def test_over_billing_found_is_shown_apart_not_netted_against_under_billing() -> None:
    """B's self-audits found two bills 100 yuan short and one 290 yuan over: the table showed
    under-billing 100 + 100 − 290 = −90.00, and the money compared was netted the same way."""
    frame = inspections({"B": {"self": (10, 3), "cross": (10, 3)}})
    over = frame.index[(frame["audit_kind"] == "self") & frame["error_found"]][2]
    frame.loc[over, "audited_value"] = frame.loc[over, "book_value"] - 290.0
    comparison = compare(frame)
    rates = comparison.rates.table.set_index(["district", "audit_kind"])
    assert rates.loc[("B", "self"), "underbilled"] == 200.0  # 100 + 100
    assert rates.loc[("B", "self"), "overbilled"] == 290.0  # the refund, apart
    assert rates.loc[("B", "cross"), "underbilled"] == 300.0  # 3 × 100
    assert rates.loc[("B", "cross"), "overbilled"] == 0.0  # near miss: none found, none shown
    shown = comparison.rates.to_table("en").set_index("Audit kind")
    assert shown.loc["self", "Under-billing found (yuan)"] == "200.00"
    assert shown.loc["self", "Over-billing found (yuan, to refund)"] == "290.00"
    assert comparison.rates.to_table("zh").columns[-1] == "查出多收电费 (元，应退)"
    row = comparison.by_district.set_index("district").loc["B"]
    assert row["self_value_per_inspection"] == pytest.approx(200 / 10)  # not −90 / 10
    assert row["cross_value_per_inspection"] == pytest.approx(300 / 10)
    assert row["missed_value"] == pytest.approx((30 - 20) * 10)  # not (30 + 9) × 10 = 390

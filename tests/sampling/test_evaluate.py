"""evaluate(): bounds, Stringer, the other direction (LTA for reference) and the estimators, checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from auditkit.errors import ParameterError
from auditkit.sampling import Prior, SampleDataError, evaluate, select
from auditkit.sampling.conclusion import conclusion_markdown
from auditkit.sampling.results import Evaluation

# Poisson factors at 95%: lambda_j solves P(Poisson(lambda) <= j) = 0.05 (AICPA Table C-3 prints
# 3.00, 4.75, 6.30); -ln(0.05) in closed form for j = 0.
POISSON_95 = (2.995732, 4.743865, 6.295794)


def monetary(taints_book_audit: list[tuple[float, float]], n: int) -> pd.DataFrame:
    """n sampled rows of book 100, the first ones misstated as given (book, audit)."""
    rows = list(taints_book_audit) + [(100.0, 100.0)] * (n - len(taints_book_audit))
    return pd.DataFrame(rows, columns=["book", "audit"])


def test_poisson_factors_solve_their_equations() -> None:
    for errors, factor in enumerate(POISSON_95):
        tail = sum(math.exp(-factor) * factor**i / math.factorial(i) for i in range(errors + 1))
        assert tail == pytest.approx(0.05, abs=1e-6)


def test_classical_bounds_in_closed_form() -> None:
    assert evaluate(0.05, "binomial", x=0, n=59).upper == pytest.approx(1 - 0.05 ** (1 / 59))
    assert evaluate(0.05, "poisson", x=0, n=100).upper == pytest.approx(-math.log(0.05) / 100)
    # Hypergeometric, N = 100, n = 45, no errors: P(X = 0 | K = 4) = 55*54*53*52 / (100*99*98*97)
    # = 0.087 > 5% but P(X = 0 | K = 5) = 0.046: at most 4 errors, an upper rate of 4%.
    assert (
        (55 * 54 * 53 * 52) / (100 * 99 * 98 * 97)
        > 0.05
        > (55 * 54 * 53 * 52 * 51) / (100 * 99 * 98 * 97 * 96)
    )
    result = evaluate(0.05, "hypergeometric", x=0, n=45, population_size=100)
    assert result.upper == pytest.approx(0.04)
    assert result.conclusion is True


def test_p_value_agrees_with_the_bound() -> None:
    for x in range(6):
        result = evaluate(0.05, "binomial", x=x, n=100)
        p_by_hand = sum(math.comb(100, i) * 0.05**i * 0.95 ** (100 - i) for i in range(x + 1))
        assert result.p_value == pytest.approx(p_by_hand)
        assert (result.p_value < 0.05) == result.conclusion


def test_lower_bound_binomial_one_error() -> None:
    # One error in 20: the lower bound solves 1 - (1 - p)^20 = 0.05.
    result = evaluate(0.05, "binomial", x=1, n=20)
    assert result.lower == pytest.approx(1 - 0.95 ** (1 / 20))


def test_stringer_poisson_by_hand() -> None:
    data = monetary([(100.0, 50.0), (100.0, 80.0)], 100)  # taints 0.5 and 0.2
    result = evaluate(
        0.05,
        "stringer.poisson",
        data=data,
        book="book",
        audit="audit",
        direction="overstatement",
        population_value=1_000_000,
    )
    by_hand = (
        POISSON_95[0]
        + (POISSON_95[1] - POISSON_95[0]) * 0.5
        + (POISSON_95[2] - POISSON_95[1]) * 0.2
    ) / 100
    assert result.upper == pytest.approx(by_hand, rel=1e-6)
    assert result.mle == pytest.approx(0.007)
    assert result.upper_misstatement == pytest.approx(by_hand * 1_000_000, rel=1e-6)
    assert result.lower is None and result.p_value is None
    assert result.conclusion is True


def test_stringer_binomial_by_hand() -> None:
    data = monetary([(100.0, 40.0)], 20)  # one taint of 0.6 in 20 units
    result = evaluate(
        0.3, "stringer", data=data, book="book", audit="audit", direction="overstatement"
    )
    u0 = 1 - 0.05 ** (1 / 20)  # no errors: (1 - u)^20 = 0.05
    u1 = stats.beta.ppf(0.95, 2, 19)
    assert (1 - u1) ** 20 + 20 * u1 * (1 - u1) ** 19 == pytest.approx(0.05)  # P(X <= 1 | u1) = 5%
    assert result.upper == pytest.approx(u0 + (u1 - u0) * 0.6)


def test_misstatements_of_the_other_direction_never_lower_the_stringer_bound() -> None:
    # Overstatement taints .5 and .2; one bill audited at 10 times its book value (taint -9).
    data = monetary([(100.0, 50.0), (100.0, 80.0), (100.0, 1000.0)], 100)
    result = evaluate(
        0.05, "stringer.poisson", data=data, book="book", audit="audit", direction="overstatement"
    )
    gross = (
        POISSON_95[0]
        + (POISSON_95[1] - POISSON_95[0]) * 0.5
        + (POISSON_95[2] - POISSON_95[1]) * 0.2
    ) / 100
    assert result.upper == pytest.approx(gross, rel=1e-6)
    assert result.mle == pytest.approx((0.5 + 0.2) / 100)  # the evaluated direction only
    # The LTA net figure, for reference: the -9 taint counts at most 1 (a unit at most wholly).
    assert result.lta_net_upper == pytest.approx(gross - 1 / 100, rel=1e-6)
    assert result.summary()["lta_net_upper"] == result.lta_net_upper
    assert "lta.overstatement" in result.summary()["notes"]


def test_over_billing_does_not_offset_under_billing_and_the_verdict_stays_not_shown() -> None:
    # 80 units: under-billed taints .6 and .4, three bills over-billed in full (audited 0).
    data = monetary([(100.0, 160.0), (100.0, 140.0), *[(100.0, 0.0)] * 3], 80)
    result = evaluate(0.05, "stringer.poisson", data=data, book="book", audit="audit")
    factors = [stats.gamma.ppf(0.95, j + 1) for j in range(3)]
    gross = (factors[0] + (factors[1] - factors[0]) * 0.6 + (factors[2] - factors[1]) * 0.4) / 80
    assert gross == pytest.approx(0.058317, abs=1e-6)  # above materiality 5%
    assert result.upper == pytest.approx(gross) and result.conclusion_code == "not_shown"
    assert result.lta_net_upper == pytest.approx(gross - 3 / 80)  # 2.08 %, reference only
    assert result.mle == pytest.approx(1.0 / 80)
    english, chinese = result.explain("en"), result.explain("zh")
    assert "over-billing found" in english and "not the conclusion" in english
    assert "understatement" not in english.split("under-billing: the audited")[1]
    assert "多收电费" in chinese and "仅供参考" in chinese
    assert "LTA net figure" in "\n".join(result.to_table("en").iloc[:, 0])


def test_an_lta_net_figure_is_never_below_zero() -> None:
    data = monetary([(100.0, 0.0)] * 10, 10)  # every unit over-billed, none under-billed
    result = evaluate(0.5, "stringer", data=data, book="book", audit="audit")
    assert result.upper == pytest.approx(1 - 0.05 ** (1 / 10)) and result.lta_net_upper == 0.0


def test_attribute_methods_leave_the_other_direction_out_and_say_so() -> None:
    data = monetary([(100.0, 150.0), (100.0, 0.0)], 50)  # under-billed .5, over-billed 1
    result = evaluate(0.1, "binomial", data=data, book="book", audit="audit")
    assert result.x == pytest.approx(0.5) and result.mle == pytest.approx(0.5 / 50)
    assert result.upper == pytest.approx(stats.beta.ppf(0.95, 1.5, 49.5))
    assert "opposite.understatement" in result.summary()["notes"]
    assert "over-billing found" in result.explain("en") and "多收电费" in result.explain("zh")


def test_variables_estimators_say_their_estimate_is_net() -> None:
    data = pd.DataFrame({"book": [100.0] * 4, "audit": [150.0, 90.0, 100.0, 97.0]})
    result = evaluate(
        0.1,
        "difference",
        data=data,
        book="book",
        audit="audit",
        population_size=100,
        population_value=10_000.0,
    )
    assert "net.understatement" in result.summary()["notes"]
    assert "2 rows are over-billed" in result.explain("en")


def test_understatement_direction_flips_the_taints() -> None:
    data = monetary([(100.0, 150.0)], 100)  # billed 100, should have been 150: under-billing
    over = evaluate(
        0.05, "stringer.poisson", data=data, book="book", audit="audit", direction="overstatement"
    )
    under = evaluate(
        0.05, "stringer.poisson", data=data, book="book", audit="audit", direction="understatement"
    )
    assert under.x == pytest.approx(0.5) and over.x == 0
    assert under.upper == pytest.approx(
        (POISSON_95[0] + (POISSON_95[1] - POISSON_95[0]) * 0.5) / 100, rel=1e-6
    )
    assert over.upper == pytest.approx(POISSON_95[0] / 100, rel=1e-6)  # not lowered
    assert over.lta_net_upper == pytest.approx((POISSON_95[0] - 0.5) / 100, rel=1e-6)


def test_times_count_each_hit() -> None:
    once = pd.DataFrame({"book": [100.0, 100.0], "audit": [50.0, 100.0], "times": [2, 98]})
    expanded = monetary([(100.0, 50.0), (100.0, 50.0)], 100)
    by_times = evaluate(
        0.05,
        "stringer.poisson",
        data=once,
        book="book",
        audit="audit",
        direction="overstatement",
        times="times",
    )
    by_rows = evaluate(
        0.05,
        "stringer.poisson",
        data=expanded,
        book="book",
        audit="audit",
        direction="overstatement",
    )
    assert by_times.n == 100 and by_times.upper == pytest.approx(by_rows.upper)


SAMPLE = pd.DataFrame({"book": [100.0, 200.0, 300.0, 400.0], "audit": [100.0, 180.0, 300.0, 380.0]})
SCALE = 100 * math.sqrt((1 - 4 / 100) / 4)  # N sqrt((1 - f) / n) with N = 100, n = 4
T3 = 2.353363  # Student t, 95%, 3 degrees of freedom
T2 = 2.919986  # 2 degrees of freedom


@pytest.mark.parametrize(
    ("method", "audited_total", "spread", "t"),
    [
        # errors d = (0, -20, 0, -20): mean -10, s = sqrt(400 / 3)
        ("difference", 10_000 - 100 * 10, math.sqrt(400 / 3), T3),
        # R = 960 / 1000; residuals a - R b = (4, -12, 12, -4), s = sqrt(320 / 3)
        ("ratio", 10_000 * 0.96, math.sqrt(320 / 3), T3),
        # mean audited 240, s = sqrt(46400 / 3)
        ("direct", 100 * 240, math.sqrt(46400 / 3), T3),
        # slope 48000 / 50000 = 0.96; A = 24000 + 0.96 (10000 - 25000); residual s = sqrt(320 / 2)
        ("regression", 24_000 + 0.96 * (10_000 - 25_000), math.sqrt(320 / 2), T2),
    ],
)
def test_variables_estimators_by_hand(
    method: str, audited_total: float, spread: float, t: float
) -> None:
    result = evaluate(
        0.05,
        method,
        data=SAMPLE,
        book="book",
        audit="audit",
        direction="overstatement",
        population_size=100,
        population_value=10_000,
    )
    misstatement = 10_000 - audited_total
    assert result.projected_misstatement == pytest.approx(misstatement)
    assert result.upper_misstatement == pytest.approx(misstatement + t * SCALE * spread, rel=1e-5)
    assert result.lower_misstatement == pytest.approx(misstatement - t * SCALE * spread, rel=1e-5)


def test_mean_per_unit_on_taints_by_hand() -> None:
    # taints (0, 0.1, 0, 0.05): mean 0.0375, s^2 = 0.006875 / 3, finite-population factor sqrt(0.96)
    result = evaluate(
        0.05,
        "mpu",
        data=SAMPLE,
        book="book",
        audit="audit",
        direction="overstatement",
        population_size=100,
    )
    spread = math.sqrt(0.006875 / 3) / 2 * math.sqrt(0.96)
    assert result.mle == pytest.approx(0.0375)
    assert result.upper == pytest.approx(0.0375 + T3 * spread, rel=1e-5)


def test_bayesian_beta_posterior_and_bayes_factor_by_hand() -> None:
    result = evaluate(0.05, "binomial", x=2, n=100, prior=Prior.beta(1, 1))
    assert (result.posterior.a, result.posterior.b) == (3, 99)
    assert result.mle == pytest.approx(2 / 100)  # posterior mode (a - 1) / (a + b - 2)
    # I_0.05(3, 99) = P(Binomial(101, 0.05) >= 3)
    below = 1 - sum(math.comb(101, k) * 0.05**k * 0.95 ** (101 - k) for k in range(3))
    assert result.posterior_probability == pytest.approx(below)
    assert result.bayes_factor == pytest.approx((below / (1 - below)) / (0.05 / 0.95))
    assert result.conclusion == (result.upper < 0.05)


def test_bayesian_gamma_posterior_upper_solves_its_equation() -> None:
    result = evaluate(0.05, "poisson", x=2, n=100, prior=Prior.gamma(1, 1))
    z = 101 * result.upper  # posterior gamma(3, 101)
    assert 1 - math.exp(-z) * (1 + z + z * z / 2) == pytest.approx(0.95)


def test_stratified_none_pooling_adds_upper_limits() -> None:
    data = pd.concat([monetary([(100.0, 50.0)], 50).assign(s="A"), monetary([], 50).assign(s="B")])
    values = {"A": 600_000.0, "B": 400_000.0}
    result = evaluate(
        0.05,
        "stringer.poisson",
        data=data,
        book="book",
        audit="audit",
        direction="overstatement",
        strata="s",
        population_value=values,
    )
    a = evaluate(
        0.05,
        "stringer.poisson",
        data=data[data.s == "A"],
        book="book",
        audit="audit",
        direction="overstatement",
        population_value=values["A"],
    )
    b = evaluate(
        0.05,
        "stringer.poisson",
        data=data[data.s == "B"],
        book="book",
        audit="audit",
        direction="overstatement",
        population_value=values["B"],
    )
    assert result.upper_misstatement == pytest.approx(a.upper_misstatement + b.upper_misstatement)
    assert list(result.strata["stratum"]) == ["A", "B"]
    pooled = evaluate(
        0.05,
        "stringer.poisson",
        data=data,
        book="book",
        audit="audit",
        direction="overstatement",
        strata="s",
        population_value=values,
        pooling="complete",
    )
    assert pooled.n == 100 and pooled.upper < result.upper


def test_stratified_estimator_adds_variances() -> None:
    data = pd.concat([SAMPLE.assign(s="A"), SAMPLE.assign(s="B")])
    one = evaluate(
        0.05,
        "difference",
        data=SAMPLE,
        book="book",
        audit="audit",
        direction="overstatement",
        population_size=100,
        population_value=10_000,
    )
    both = evaluate(
        0.05,
        "difference",
        data=data,
        book="book",
        audit="audit",
        direction="overstatement",
        strata="s",
        population_size={"A": 100, "B": 100},
        population_value={"A": 10_000.0, "B": 10_000.0},
    )
    assert both.projected_misstatement == pytest.approx(2 * one.projected_misstatement)
    # Two equal strata: standard error sqrt(2) times one stratum's, Satterthwaite df = 6.
    half_width = (
        (one.upper_misstatement - one.projected_misstatement)
        / T3
        * math.sqrt(2)
        * stats.t.ppf(0.95, 6)
    )
    assert both.upper_misstatement == pytest.approx(
        both.projected_misstatement + half_width, rel=1e-6
    )


def test_explain_and_summary_in_both_languages() -> None:
    result = evaluate(0.05, "binomial", x=0, n=59, population_size=10_000)
    assert "accepted" in result.explain("en")
    assert "不存在重大错报" in result.explain("zh")
    assert result.to_table("zh").set_index("项目").loc["结论"].iloc[0].startswith("低于")
    assert result.plot("zh").axes


@pytest.mark.parametrize(
    ("arguments", "parameter"),
    [
        ({"materiality": 1.2, "x": 0, "n": 10}, "materiality"),
        ({"confidence": 1.0, "x": 0, "n": 10}, "confidence"),
        ({"method": "hypergeometric", "x": 0, "n": 10}, "population_size"),
        ({"method": "binomial", "x": 0, "n": 500, "population_size": 100}, "n"),
        ({"method": "binomial", "x": 11, "n": 10}, "x"),
        ({"method": "binomial", "x": 1}, "n"),
        ({"method": "stringer", "x": 1, "n": 10}, "data"),
        ({"method": "stringer", "prior": "default", "x": 1, "n": 10}, "prior"),
        ({"method": "magic", "x": 1, "n": 10}, "method"),
        ({"direction": "sideways", "x": 1, "n": 10}, "direction"),
        ({"method": "ratio", "data": SAMPLE, "book": "book", "audit": "audit"}, "population_size"),
        ({"method": "binomial", "data": SAMPLE, "book": "book", "audit": "audit", "x": 1}, "x"),
    ],
)
def test_bad_input_names_the_parameter(arguments: dict, parameter: str) -> None:
    with pytest.raises(ParameterError) as caught:
        evaluate(**arguments)
    assert caught.value.name == parameter


def test_a_strata_column_not_in_the_data_names_the_parameter_and_the_columns() -> None:
    data = monetary([(100.0, 50.0)], 50)
    with pytest.raises(ParameterError) as caught:
        evaluate(0.05, "stringer.poisson", data=data, book="book", audit="audit",
                 direction="overstatement", strata="s", population_value={"A": 1e6})  # fmt: skip
    assert (caught.value.name, caught.value.found) == ("strata", "s")
    assert caught.value.expected == f"a column of the data ({', '.join(data.columns)})"


def test_text_in_a_value_column_names_column_and_row() -> None:
    data = SAMPLE.astype({"audit": object})
    data.loc[2, "audit"] = "三百"
    with pytest.raises(SampleDataError, match=r"'audit'.*row 2.*三百"):
        evaluate(0.05, "stringer", data=data, book="book", audit="audit", direction="overstatement")


def test_non_positive_book_values_cannot_carry_taints() -> None:
    data = SAMPLE.copy()
    data.loc[1, "book"] = 0.0
    with pytest.raises(SampleDataError, match=r"'book'.*row 1"):
        evaluate(
            0.05,
            "stringer.poisson",
            data=data,
            book="book",
            audit="audit",
            direction="overstatement",
        )
    # The estimators of totals accept them.
    assert (
        evaluate(
            0.05,
            "difference",
            data=data,
            book="book",
            audit="audit",
            direction="overstatement",
            population_size=100,
            population_value=1e4,
        ).n
        == 4
    )


def test_upper_stays_finite_with_every_unit_misstated() -> None:
    data = pd.DataFrame({"book": np.full(10, 100.0), "audit": np.zeros(10)})
    result = evaluate(
        0.5, "stringer", data=data, book="book", audit="audit", direction="overstatement"
    )
    assert result.upper == pytest.approx(1.0)


def test_a_stratum_of_the_population_without_sampled_rows_is_refused() -> None:
    # Stratum C (300,000 of 1,000,000 yuan) was never sampled: no verdict on A and B may pass
    # for one on the whole population.
    data = pd.concat([monetary([], 50).assign(s="A"), monetary([], 50).assign(s="B")])
    values = {"A": 400_000.0, "B": 300_000.0, "C": 300_000.0}
    with pytest.raises(ParameterError) as caught:
        evaluate(
            0.05,
            "stringer.poisson",
            data=data,
            book="book",
            audit="audit",
            strata="s",
            population_value=values,
        )
    assert caught.value.name == "data"
    assert "none in stratum 'C' (30.0% of the population_value)" in str(caught.value)
    covered = evaluate(
        0.05,
        "stringer.poisson",
        data=data,
        book="book",
        audit="audit",
        strata="s",
        population_value={"A": 400_000.0, "B": 300_000.0},  # the strata sampled, said so
    )
    assert covered.population_value == 700_000.0


def test_a_stratum_examined_in_full_has_no_sampling_risk() -> None:
    # A: 50 units, no error. B: its 3 bills (300 yuan) all examined, one under-billed by 12 yuan.
    sampled = monetary([], 50).assign(s="A")
    census = pd.DataFrame({"book": [100.0] * 3, "audit": [112.0, 100.0, 100.0], "s": "B"})
    result = evaluate(
        0.05,
        "stringer.poisson",
        data=pd.concat([sampled, census]),
        book="book",
        audit="audit",
        strata="s",
        population_size={"A": 10_000, "B": 3},
        population_value={"A": 1_000_000.0, "B": 300.0},
    )
    b = result.strata.set_index("stratum").loc["B"]
    assert b["mle"] == b["upper"] == b["lower"] == pytest.approx(12 / 300)
    # A alone: 0 errors in 50 units, Poisson factor 2.9957 / 50 of 1,000,000 yuan.
    assert result.upper_misstatement == pytest.approx(POISSON_95[0] / 50 * 1_000_000 + 12)
    assert "census_strata" in result.summary()["notes"]
    assert "strata examined in full (B)" in result.explain("en")
    assert "层 B 已全数核查" in result.explain("zh")
    # Without population_size, book values of distinct bills (rows with their hits, `times`)
    # adding up to the stratum's value say the same.
    by_value = evaluate(
        0.05,
        "stringer.poisson",
        data=pd.concat([sampled, census]).assign(times=1),
        book="book",
        audit="audit",
        times="times",
        strata="s",
        population_value={"A": 1_000_000.0, "B": 300.0},
    )
    assert by_value.upper_misstatement == pytest.approx(result.upper_misstatement)


def test_a_stratum_examined_in_full_adds_no_variance_to_an_estimator() -> None:
    census = pd.DataFrame({"book": [50.0, 70.0], "audit": [50.0, 60.0], "s": "B"})
    both = evaluate(
        0.05,
        "difference",
        data=pd.concat([SAMPLE.assign(s="A"), census]),
        book="book",
        audit="audit",
        direction="overstatement",
        strata="s",
        population_size={"A": 100, "B": 2},
        population_value={"A": 10_000.0, "B": 120.0},
    )
    one = evaluate(
        0.05,
        "difference",
        data=SAMPLE,
        book="book",
        audit="audit",
        direction="overstatement",
        population_size=100,
        population_value=10_000,
    )
    # B's overstatement is known (10 yuan); A's half-width is unchanged, on 3 degrees of freedom.
    assert both.projected_misstatement == pytest.approx(one.projected_misstatement + 10)
    assert both.upper_misstatement == pytest.approx(one.upper_misstatement + 10)


def items_with_differences(count: int, n: int = 100) -> pd.DataFrame:
    """n items of book 100, the first `count` audited at 101 (under-billed by 1 yuan)."""
    audit = [101.0] * count + [100.0] * (n - count)
    return pd.DataFrame({"book": [100.0] * n, "audit": audit})


@pytest.mark.parametrize("method", ["difference", "ratio", "regression", "mpu"])
def test_two_items_without_differences_do_not_accept_a_population(method: str) -> None:
    data = pd.DataFrame({"book": [120.0, 80.0], "audit": [120.0, 80.0]})
    if method == "regression":
        data = pd.DataFrame({"book": [120.0, 80.0, 60.0], "audit": [120.0, 80.0, 60.0]})
    result = evaluate(
        0.05,
        method,
        data=data,
        book="book",
        audit="audit",
        population_size=10_000,
        population_value=1_000_000.0,
    )
    assert result.upper == pytest.approx(0.0, abs=1e-12)  # no spread: the bound is the estimate
    assert result.differences == 0 and not result.bound_reliable
    assert result.conclusion_code == "not_shown"
    assert "too_few_differences" in result.summary()["notes"]
    assert "only 0 differences (fewer than 20)" in result.explain("en")
    assert "只有 0 个差异（少于 20 个）" in result.explain("zh")


def test_the_difference_estimator_is_trusted_from_twenty_differences_by_hand() -> None:
    # N = 10,000 items, B = 1,000,000 yuan; n = 100 with 20 differences of +1 yuan.
    # d: mean 0.2, s = sqrt(20 * 0.8^2 + 80 * 0.2^2) / 99) = sqrt(16 / 99).
    scale = 10_000 * math.sqrt((1 - 100 / 10_000) / 100)
    upper = (10_000 * 0.2 + stats.t.ppf(0.95, 99) * scale * math.sqrt(16 / 99)) / 1_000_000
    common = {"book": "book", "audit": "audit", "population_size": 10_000}
    trusted = evaluate(
        0.05, "difference", data=items_with_differences(20), population_value=1e6, **common
    )
    assert trusted.upper == pytest.approx(upper) and trusted.differences == 20
    assert trusted.conclusion_code == "accepted"
    nineteen = evaluate(
        0.05, "difference", data=items_with_differences(19), population_value=1e6, **common
    )
    assert nineteen.upper < 0.05 and nineteen.conclusion_code == "not_shown"


def test_strata_add_up_their_differences() -> None:
    data = pd.concat(
        [items_with_differences(10, 50).assign(s="A"), items_with_differences(10, 50).assign(s="B")]
    )
    result = evaluate(
        0.05,
        "difference",
        data=data,
        book="book",
        audit="audit",
        strata="s",
        population_size={"A": 5_000, "B": 5_000},
        population_value={"A": 500_000.0, "B": 500_000.0},
    )
    assert result.differences == 20 and result.conclusion_code == "accepted"
    assert list(result.strata["conclusion"]) == [False, False]  # 10 each: not trusted alone


def log_binomial_cdf(k: int, n: int, p: float) -> float:
    """log P(Binomial(n, p) <= k), summed in logs (no scipy)."""
    terms = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
        + i * math.log(p) + (n - i) * math.log1p(-p)
        for i in range(k + 1)
    ]  # fmt: skip
    top = max(terms)
    return top + math.log(sum(math.exp(t - top) for t in terms))


def log_odds(log_above: float) -> float:
    """log P(below) / P(above) from log P(above)."""
    return math.log(-math.expm1(log_above)) - log_above


def test_a_strong_prior_gives_a_finite_bayes_factor_by_hand() -> None:
    # beta(1, 2000) (2,000 clean bills last year), 3 errors in 60: posterior beta(4, 2057).
    # P(Beta(a, b) >= m) = P(Binomial(a + b - 1, m) <= a - 1) for whole a: prior above = 0.95^2000.
    result = evaluate(0.05, "binomial", x=3, n=60, prior=Prior.beta(1, 2000))
    log_factor = log_odds(log_binomial_cdf(3, 2060, 0.05)) - log_odds(2000 * math.log(0.95))
    assert result.bayes_factor == pytest.approx(math.exp(log_factor), rel=1e-6)
    # gamma(1, 1000), Poisson, 3 in 60: posterior gamma(4, 1060); P(rate >= m) = P(Poisson(53) <= 3).
    poisson = evaluate(0.05, "poisson", x=3, n=60, prior=Prior.gamma(1, 1000))
    above = math.log(sum(math.exp(-53) * 53**k / math.factorial(k) for k in range(4)))
    expected = log_odds(above) - log_odds(-50.0)  # prior: P(rate >= m) = exp(-1000 m)
    assert poisson.bayes_factor == pytest.approx(math.exp(expected), rel=1e-6)


def test_a_prior_without_doubt_reports_an_undefined_bayes_factor() -> None:
    result = evaluate(0.05, "binomial", x=3, n=60, prior=Prior.beta(1, 1e6))
    assert math.isnan(result.bayes_factor)
    assert "bayes_factor_undefined" in result.summary()["notes"]
    assert "the Bayes factor is undefined" in result.explain("en")
    assert "贝叶斯因子无定义" in result.explain("zh")


def test_integer_strata_labels_against_integer_keys_say_what_was_found() -> None:
    data = monetary([], 50).assign(s=[1] * 25 + [2] * 25)
    with pytest.raises(ParameterError) as caught:
        evaluate(
            0.05,
            "stringer.poisson",
            data=data,
            book="book",
            audit="audit",
            strata="s",
            population_value={1: 1e5, 2: 1e5},
        )
    assert str(caught.value) == (
        "parameter 'population_value': expected a figure for every stratum in the data, keyed "
        "by its label as text, found \"none for '1', '2'; the strata column's labels are read "
        "as text ('1', '2') but the keys given are 1, 2 (int)\""
    )


def test_a_fractional_times_names_its_row_and_value() -> None:
    data = monetary([], 10).assign(times=[1.0] * 9 + [1.5])
    with pytest.raises(SampleDataError) as caught:
        evaluate(0.05, "stringer", data=data, book="book", audit="audit", times="times")
    assert str(caught.value) == (
        "data: column 'times' must hold whole numbers of at least 1; row 9 holds 1.5"
    )


def test_a_negative_book_value_is_shown_as_the_number_it_is() -> None:
    data = monetary([(-20.0, 0.0)], 10)
    with pytest.raises(SampleDataError, match=r"row 0 holds -20\.0\. Evaluate such rows"):
        evaluate(0.05, "stringer", data=data, book="book", audit="audit")


def test_the_verdict_writes_the_bound_with_two_decimals_unless_they_read_as_materiality() -> None:
    """-ln(0.05) / 60 = 4.9929 %: '4.99%' below a materiality of 5 %, but '4.993%' against
    4.99 %, where two decimals would show the bound equal to the materiality it fails."""
    below = conclusion_markdown(evaluate(0.05, "poisson", x=0, n=60), "zh").splitlines()[0]
    assert below == (
        "**结论：** 在 95% 的置信水平下，总体错报率上限为 **4.99%**，低于重要性水平 5.00%："
        "可以认为总体不存在重大错报。"
    )
    above = evaluate(0.0499, "poisson", x=0, n=60)
    assert (
        conclusion_markdown(above, "en")
        .splitlines()[0]
        .startswith(
            "**Conclusion.** At 95% confidence the misstatement rate of the population is at most "
            "**4.993%**, not below the materiality of 4.99%"
        )
    )
    table = dict(above.to_table("zh").to_numpy().tolist())
    assert (table["错报率上限"], table["重要性水平（可容忍错报率）"]) == ("4.993%", "4.99%")


def test_a_population_examined_in_full_without_error_has_a_zero_upper_limit() -> None:
    # n = N = 1 and no error: the one item is known to be right, no sampling risk. The old code
    # gave the binomial bound 1 - 0.05^(1/1) = 95%.
    one = evaluate(0.05, "binomial", x=0, n=1, population_size=1)
    assert (one.mle, one.upper, one.lower) == (0.0, 0.0, 0.0)
    assert one.conclusion is True
    assert "census" in one.summary()["notes"]
    # Near miss: 1 item of 2 examined keeps its sampling risk, 1 - 0.05^(1/1) = 95%.
    assert evaluate(0.05, "binomial", x=0, n=1, population_size=2).upper == pytest.approx(0.95)
    # 10 distinct bills of 500 yuan (each hit once), all examined and right, by values: 0, as the
    # stratified path says (the old code gave the Poisson factor 2.9957 / 10 = 29.96%).
    bills_all = pd.DataFrame({"book": [500.0] * 10, "audit": [500.0] * 10, "times": 1})
    by_values = evaluate(
        0.05, "stringer.poisson", data=bills_all, book="book", audit="audit", times="times",
        population_value=5_000.0,
    )  # fmt: skip
    assert by_values.upper == 0.0 and by_values.upper_misstatement == 0.0
    stratified = evaluate(
        0.05, "stringer.poisson", data=bills_all.assign(s="A"), book="book", audit="audit",
        times="times", strata="s", population_value={"A": 5_000.0},
    )  # fmt: skip
    assert stratified.upper == by_values.upper
    # Near miss: the same 10 bills of a population worth 5,000.01 yuan are a sample.
    sampled = evaluate(
        0.05, "stringer.poisson", data=bills_all, book="book", audit="audit", times="times",
        population_value=5_000.01,
    )  # fmt: skip
    assert sampled.upper == pytest.approx(POISSON_95[0] / 10)


def test_a_census_with_errors_states_the_exact_misstatement_without_sampling_risk() -> None:
    # 3 errors in all 40 items of the population: the rate is 3 / 40 = 7.5%, exact.
    counted = evaluate(0.05, "binomial", x=3, n=40, population_size=40)
    assert counted.mle == counted.upper == counted.lower == pytest.approx(3 / 40)
    assert counted.conclusion is False
    assert "no sampling risk" in counted.explain("en")
    assert "没有抽样风险" in counted.explain("zh")
    # 4 bills of 250 yuan, all examined, one under-billed by 30: 30 / 1,000 = 3% exactly.
    bills_all = pd.DataFrame({"book": [250.0] * 4, "audit": [280.0, 250.0, 250.0, 250.0]})
    found = evaluate(
        0.05, "stringer.poisson", data=bills_all, book="book", audit="audit",
        population_size=4, population_value=1_000.0,
    )  # fmt: skip
    assert found.upper == pytest.approx(0.03) and found.upper_misstatement == pytest.approx(30.0)
    assert found.conclusion is True and "census" in found.summary()["notes"]


def test_a_census_not_accepted_states_the_misstatement_found_not_a_larger_sample() -> None:
    # 1 error in all 5 items: 1 / 5 = 20%, known, at or above 5% materiality. No sample to
    # extend: the verdict says the misstatement found reaches materiality, with no sampling risk.
    census = evaluate(0.05, "binomial", x=1, n=5, population_size=5)
    assert census.conclusion is False
    assert "every unit of the population was examined" in census.explain("en")
    assert "Extend the sample" not in census.explain("en")
    assert "总体已全数核查，发现的错报达到重要性水平" in census.explain("zh")
    assert "建议扩大样本" not in census.explain("zh")
    # Every stratum examined in full says the same: A's 2 bills of 100 under-billed by 10 (5%),
    # B's 1 bill of 100 right: 10 / 300 = 3.33%, against a materiality of 3%.
    data = pd.DataFrame(
        {"book": [100.0] * 3, "audit": [110.0, 100.0, 100.0], "s": ["A", "A", "B"], "times": 1}
    )
    strata = evaluate(
        0.03, "stringer.poisson", data=data, book="book", audit="audit", times="times",
        strata="s", population_value={"A": 200.0, "B": 100.0},
    )  # fmt: skip
    assert strata.upper == pytest.approx(10 / 300)
    assert "every unit of the population was examined" in strata.explain("en")
    # Near miss: 1 error in 5 of 6 items is a sample, which may be extended.
    sampled = evaluate(0.05, "binomial", x=1, n=5, population_size=6)
    assert "Extend the sample or examine the population further" in sampled.explain("en")
    assert "建议扩大样本" in sampled.explain("zh")


def test_a_bill_at_or_above_the_interval_counts_its_misstatement_as_found() -> None:
    # AICPA Audit Sampling guide: 100,000 yuan, n = 10, J = 10,000. Bill X of 19,000 (hit once
    # at 9,500) audited 38,000 is individually significant: 19,000 under-billed is found, not a
    # taint of 1 projected over J (10,000). Upper = 19,000 + 2.995732 × 10,000 = 48,957.32; the
    # old code gave 10,000 × (2.995732 + 1.748133 × 1) = 47,438.65, below what was found.
    frame = pd.DataFrame(
        {"customer_id": ["X"] + [f"S{i}" for i in range(81)], "amount": [19_000.0] + [1_000.0] * 81}
    )
    chosen = select(frame, 10, units="values", values="amount", start=9_500)
    sample = chosen.sample.assign(audit=chosen.sample["amount"])
    sample.loc[sample["customer_id"] == "X", "audit"] = 38_000.0
    assert sample.loc[sample["customer_id"] == "X", "times"].item() == 1
    result = evaluate(
        0.05, "stringer.poisson", data=sample, book="amount", audit="audit", times="times",
        population_value=100_000.0, selection_method="interval",
    )  # fmt: skip
    assert result.projected_misstatement == pytest.approx(19_000.0)
    assert result.upper_misstatement == pytest.approx(19_000.0 + POISSON_95[0] * 10_000, abs=0.01)
    assert result.upper_misstatement == pytest.approx(48_957.32, abs=0.01)
    assert "individually_significant" in result.summary()["notes"]
    assert "10,000.00 yuan are individually significant" in result.explain("en")


def test_a_bill_below_the_interval_is_projected_from_its_taint() -> None:
    # J = 100,000 / 10 = 10,000. A bill of exactly 10,000 audited 13,000 is significant: 3,000
    # found + 29,957.32 = 32,957.32. Near miss: one of 9,000 audited 12,000 has a taint of 1/3,
    # projected: 10,000 × (2.995732 + 1.748133 / 3) = 35,784.43, with no note.
    def upper(book: float, audit: float) -> Evaluation:
        data = monetary([(book, audit)], 10)
        return evaluate(
            0.05, "stringer.poisson", data=data, book="book", audit="audit",
            population_value=100_000.0, selection_method="interval",
        )  # fmt: skip

    at_interval = upper(10_000.0, 13_000.0)
    assert at_interval.upper_misstatement == pytest.approx(32_957.32, abs=0.01)
    assert at_interval.projected_misstatement == pytest.approx(3_000.0)
    below = upper(9_000.0, 12_000.0)
    step = POISSON_95[1] - POISSON_95[0]
    assert below.upper_misstatement == pytest.approx(10_000 * (POISSON_95[0] + step / 3), abs=0.01)
    assert below.upper_misstatement == pytest.approx(35_784.43, abs=0.01)
    assert "individually_significant" not in below.summary()["notes"]
    # Hit twice, a significant bill's misstatement still counts once: 3,000, not 6,000.
    twice = monetary([(25_000.0, 28_000.0)], 10).assign(times=[2] + [1] * 9)
    result = evaluate(
        0.05, "stringer.poisson", data=twice, book="book", audit="audit", times="times",
        population_value=121_000.0, selection_method="interval",  # n = 11 units, J = 11,000
    )  # fmt: skip
    assert result.projected_misstatement == pytest.approx(3_000.0)
    assert result.upper_misstatement == pytest.approx(3_000 + POISSON_95[0] * 11_000, abs=0.01)


def test_a_bill_above_the_interval_drawn_at_random_or_by_cell_is_projected_from_its_taint() -> None:
    # V = 30,000, n = 30, J = 1,000. A bill of 1,500 billed but not owed (taint 1), hit twice, the
    # other 28 units right. Drawn at random (with replacement) or by cell, a bill above J may be
    # missed or hit again, so its hits stand for the bills like it: two taints of 1 projected,
    # 1,000 × u(2) = 1,000 × 6.295794 = 6,295.79. Counted as found (1,500 + 1,000 × 2.995732 =
    # 4,495.73) it could fall below the misstatement: ten such bills (15,000) drawn at random
    # read 39.99% of the value in the reviewer's case.
    data = pd.DataFrame({"book": [1_500.0] + [100.0] * 28, "times": [2] + [1] * 28})
    data["audit"] = np.where(data.index == 0, 0.0, data["book"])

    def evaluated(**design: object) -> Evaluation:
        return evaluate(
            0.05, "stringer.poisson", data=data, book="book", audit="audit", times="times",
            population_value=30_000.0, direction="overstatement", **design,
        )  # fmt: skip

    two_errors = float(stats.chi2.ppf(0.95, 2 * 3)) / 2  # 6.295794
    for design in ({}, {"selection_method": "random"}, {"selection_method": "cell"}):
        result = evaluated(**design)
        assert result.upper_misstatement == pytest.approx(1_000 * two_errors, abs=0.01)
        assert result.upper_misstatement == pytest.approx(6_295.79, abs=0.01)
        assert result.projected_misstatement == pytest.approx(2_000.0)
        assert "individually_significant" not in result.summary()["notes"]
    # Near miss: by the fixed interval the bill was certain to be hit, its 1,500 found.
    fixed = evaluated(selection_method="interval")
    assert fixed.upper_misstatement == pytest.approx(1_500 + 1_000 * POISSON_95[0], abs=0.01)
    assert fixed.upper_misstatement == pytest.approx(4_495.73, abs=0.01)


def test_a_sieve_sample_is_judged_by_its_design_interval_not_the_units_drawn() -> None:
    # V = 1,000, sieve for n = 10: J = 100; it drew 12 units. A bill of 90 (below J, kept with
    # probability 0.9) billed but not owed is projected, over the 12 units: 1,000 / 12 ×
    # u(1) = 83.33 × 4.743865 = 395.32. Taking J = 1,000 / 12 = 83.33 (units drawn) made it
    # significant: 90 + 83.33 × 2.995732 = 339.64.
    data = pd.DataFrame({"book": [90.0] + [10.0] * 11, "times": 1})
    data["audit"] = np.where(data.index == 0, 0.0, data["book"])

    def evaluated(interval: float) -> Evaluation:
        return evaluate(
            0.05, "stringer.poisson", data=data, book="book", audit="audit", times="times",
            population_value=1_000.0, direction="overstatement", selection_method="sieve",
            interval=interval,
        )  # fmt: skip

    below = evaluated(100.0)
    assert below.upper_misstatement == pytest.approx(1_000 / 12 * POISSON_95[1], abs=0.01)
    assert below.upper_misstatement == pytest.approx(395.32, abs=0.01)
    assert "individually_significant" not in below.summary()["notes"]
    # Near miss: with a design interval of 90 the bill is J and its 90 yuan are found.
    at = evaluated(90.0)
    assert at.upper_misstatement == pytest.approx(90 + 1_000 / 12 * POISSON_95[0], abs=0.01)
    assert "interval of 90.00 yuan" in at.explain("en")
    # The sieve's units vary around n, so V / n is not its J: the interval must be given.
    with pytest.raises(ParameterError, match="interval"):
        evaluate(
            0.05, "stringer.poisson", data=data, book="book", audit="audit", times="times",
            population_value=1_000.0, selection_method="sieve",
        )  # fmt: skip
    with pytest.raises(ParameterError, match="interval"):
        evaluate(
            0.05, "stringer.poisson", data=data, book="book", audit="audit", times="times",
            population_value=1_000.0, selection_method="random", interval=100.0,
        )  # fmt: skip


def test_a_bill_of_exactly_the_interval_is_significant_despite_floating_point() -> None:
    # V = 30,023.40, n = 30: J = 1,000.78, which the division gives as 1,000.7800000000001. A
    # bill of 1,000.78 under-billed by 100 is J: 100 found + 1,000.78 × 2.995732 = 3,098.07.
    data = pd.DataFrame({"book": [1_000.78] + [100.0] * 29, "audit": [1_100.78] + [100.0] * 29})
    result = evaluate(
        0.05, "stringer.poisson", data=data, book="book", audit="audit",
        population_value=30_023.40, selection_method="interval",
    )  # fmt: skip
    assert result.upper_misstatement == pytest.approx(100 + 1_000.78 * POISSON_95[0], abs=0.01)
    assert result.upper_misstatement == pytest.approx(3_098.07, abs=0.01)
    assert "individually_significant" in result.summary()["notes"]
    # Near miss: a bill a fen below J (1,000.77) is projected, its taint 100 / 1,000.77.
    short = data.assign(book=[1_000.77] + [100.0] * 29, audit=[1_100.77] + [100.0] * 29)
    projected = evaluate(
        0.05, "stringer.poisson", data=short, book="book", audit="audit",
        population_value=30_023.39, selection_method="interval",
    )  # fmt: skip
    assert "individually_significant" not in projected.summary()["notes"]


def test_rows_of_monetary_units_without_times_are_never_a_census() -> None:
    # Two rows of 100 yuan drawn from 200 yuan may be one bill hit twice: without `times` (or
    # ids) the rows are no distinct bills, so no census: 0 errors in 2 units, the Poisson
    # factor 2.995732 / 2 = 149.79%. The old code read it as examined in full, upper 0.
    twice = pd.DataFrame({"book": [100.0, 100.0], "audit": [100.0, 100.0]})
    result = evaluate(
        0.05, "stringer.poisson", data=twice, book="book", audit="audit",
        population_value=200.0,
    )  # fmt: skip
    assert result.upper == pytest.approx(POISSON_95[0] / 2)
    assert result.upper == pytest.approx(1.4979, abs=1e-4)
    assert "census" not in result.summary()["notes"]
    # Near miss: the same two rows as distinct bills (times given, once each) are every bill.
    bills_all = evaluate(
        0.05, "stringer.poisson", data=twice.assign(times=1), book="book", audit="audit",
        times="times", population_value=200.0,
    )  # fmt: skip
    assert bills_all.upper == 0.0 and "census" in bills_all.summary()["notes"]


def test_an_overstatement_upper_limit_never_exceeds_the_book_value() -> None:
    # Stratum C: 1 unit of a stratum worth 1,510, no error; the Poisson factor alone gives
    # 2.9957 × 1,510 = 4,523.56 yuan of over-billing, more than was billed: capped at 1,510.
    data = monetary([], 17).assign(s=["A"] * 16 + ["C"])
    result = evaluate(
        0.05, "stringer.poisson", data=data, book="book", audit="audit", strata="s",
        population_value={"A": 55_651.95, "C": 1_510.0}, direction="overstatement",
    )  # fmt: skip
    c = result.strata.set_index("stratum").loc["C"]
    assert c["upper"] == 1.0 and c["upper_misstatement"] == pytest.approx(1_510.0)
    # A: 16 units, 2.9957 / 16 of 55,651.95 = 10,419.90; the strata add up.
    a_upper = POISSON_95[0] / 16 * 55_651.95
    assert result.upper_misstatement == pytest.approx(a_upper + 1_510.0, abs=0.01)
    # Near miss: under-billing is not bounded by what was billed (a bypassed meter): 4,523.56.
    under = evaluate(
        0.05, "stringer.poisson", data=data, book="book", audit="audit", strata="s",
        population_value={"A": 55_651.95, "C": 1_510.0},
    )  # fmt: skip
    assert under.strata.set_index("stratum").loc["C", "upper_misstatement"] == pytest.approx(
        POISSON_95[0] * 1_510.0
    )
    # From counts too: 0 errors in 1 unit by Poisson, 299.57% of items capped at 100%.
    counted = evaluate(0.05, "poisson", x=0, n=1, direction="overstatement")
    assert counted.upper == 1.0 and "overstatement_capped" in counted.summary()["notes"]


def test_a_stratum_too_small_for_an_estimator_is_named_with_what_it_needs() -> None:
    # Stratum C: 1 of its 5 bills sampled; a difference estimate needs 2 (a standard deviation).
    # The old message named n ("parameter 'n': expected at least 2 items ..., found 1").
    data = pd.DataFrame(
        {"b": [100.0, 110, 120, 130, 300], "a": [100.0, 112, 120, 130, 300], "s": [*"AAAA", "C"]}
    )
    sizes, values = {"A": 100, "C": 5}, {"A": 10_000.0, "C": 1_510.0}
    with pytest.raises(ParameterError) as caught:
        evaluate(
            0.05, "difference", data=data, book="b", audit="a", strata="s",
            population_size=sizes, population_value=values,
        )  # fmt: skip
    assert str(caught.value) == (
        "parameter 'strata': expected at least 2 items for method 'difference' in stratum 'C' "
        "(of its 5 items, 1,510.00 yuan), or every unit of it examined, found 1"
    )
    # Near miss: the one bill of a one-bill stratum is examined in full and evaluated.
    examined = evaluate(
        0.05, "difference", data=data, book="b", audit="a", strata="s",
        population_size={"A": 100, "C": 1}, population_value={"A": 10_000.0, "C": 300.0},
    )  # fmt: skip
    assert examined.strata.set_index("stratum").loc["C", "upper"] == 0.0

"""plan(): exact searches checked against sizes worked out by hand."""

from __future__ import annotations

import math

import pytest

from auditkit.errors import AuditkitError, ParameterError
from auditkit.sampling import Prior, evaluate, plan


def binomial_cdf(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


def test_zero_expected_binomial_is_the_rule_of_059() -> None:
    # 0.95^59 = 0.0485 < 0.05 while 0.95^58 = 0.0510: 59 items with no errors.
    assert 0.95**59 < 0.05 < 0.95**58
    result = plan(0.05, 0, likelihood="binomial")
    assert result.n == 59
    assert result.expected_errors == 0
    assert result.upper == pytest.approx(1 - 0.05 ** (1 / 59))


def test_zero_expected_poisson_uses_minus_log_alpha() -> None:
    # Upper bound -ln(0.05) / n = 2.9957 / n falls below 5% first at n = 60.
    result = plan(0.05, 0, likelihood="poisson")
    assert result.n == 60
    assert result.upper == pytest.approx(-math.log(0.05) / 60)


def test_expected_count_is_kept_whole_for_the_binomial() -> None:
    # Two errors allowed: the smallest n with P(X <= 2 | n, 5%) < 5%.
    result = plan(0.05, 2, likelihood="binomial")
    assert binomial_cdf(2, result.n, 0.05) < 0.05 <= binomial_cdf(2, result.n - 1, 0.05)
    assert result.expected_errors == 2


def test_expected_rate_times_n_is_exact() -> None:
    # 0.035 * 400 is 14 errors (floating point would say 14.000000000000002 and round up to 15).
    result = plan(0.05, 0.035, likelihood="binomial", confidence=0.90)
    assert (result.n, result.expected_errors) == (400, 14)


def test_poisson_keeps_expected_errors_fractional() -> None:
    result = plan(0.05, 0.01, likelihood="poisson")
    assert result.expected_errors == pytest.approx(0.01 * result.n)
    assert not float(result.expected_errors).is_integer()


def test_tolerable_errors_is_the_stop_line() -> None:
    result = plan(0.05, 0.01, likelihood="binomial")
    assert result.n == 93
    tolerable = int(result.tolerable_errors)
    assert binomial_cdf(tolerable, 93, 0.05) < 0.05 <= binomial_cdf(tolerable + 1, 93, 0.05)


def test_min_precision_alone() -> None:
    # No errors expected: precision = upper = 1 - 0.05^(1/n) <= 2% first at n = 149.
    result = plan(None, 0, likelihood="binomial", min_precision=0.02)
    assert result.n == math.ceil(math.log(0.05) / math.log(0.98))
    assert result.precision <= 0.02


def test_min_precision_can_raise_the_size_above_materiality_alone() -> None:
    loose = plan(0.05, 0.01, likelihood="binomial")
    tight = plan(0.05, 0.01, likelihood="binomial", min_precision=0.02)
    assert tight.n > loose.n
    assert tight.precision <= 0.02 and tight.upper < 0.05


def test_bayesian_uniform_beta_prior_zero_errors() -> None:
    # Posterior beta(1, 1 + n): upper = 1 - 0.05^(1/(n+1)) < 5% first when n + 1 = 59.
    result = plan(0.05, 0, likelihood="binomial", prior=Prior.beta(1, 1))
    assert result.n == 58
    assert result.upper == pytest.approx(1 - 0.05 ** (1 / 59))


def test_bayesian_gamma_prior_zero_errors() -> None:
    # Posterior gamma(1, 1 + n): upper = -ln(0.05) / (1 + n) < 5% first at 1 + n = 60.
    result = plan(0.05, 0, likelihood="poisson", prior="default")
    assert result.n == 59


def test_impartial_prior_needs_fewer_units_than_classical() -> None:
    classical = plan(0.05, 0.01, likelihood="binomial")
    impartial = plan(0.05, 0.01, likelihood="binomial", prior="impartial")
    assert impartial.n < classical.n
    assert impartial.prior.probability_below(0.05) == pytest.approx(0.5)


def test_hypergeometric_with_prior_stays_within_the_population() -> None:
    result = plan(0.05, 0.01, likelihood="hypergeometric", population_size=400, prior="default")
    assert result.n <= 400
    assert result.upper < 0.05


def test_summary_gives_numbers_and_the_table_words() -> None:
    result = plan(0.05, 0.01, likelihood="binomial")
    assert "n=93" in repr(result)
    assert result.summary()["n"] == 93 and result.summary()["likelihood"] == "binomial"
    table = result.to_table("zh").set_index("项目")
    assert table.loc["样本量"].iloc[0] == "93"
    assert "93" in result.explain("en")
    assert result.plot("en").axes


@pytest.mark.parametrize(
    ("arguments", "parameter"),
    [
        ({"materiality": 0}, "materiality"),
        ({"materiality": 1}, "materiality"),
        ({"materiality": -0.1}, "materiality"),
        ({"materiality": 1.5}, "materiality"),
        ({"materiality": 0.05, "expected": 0.05}, "expected"),
        ({"materiality": 0.05, "expected": 0.06}, "expected"),
        ({"materiality": 0.05, "expected": -1}, "expected"),
        ({"materiality": 0.05, "confidence": 1.0}, "confidence"),
        ({"materiality": 0.05, "confidence": 0}, "confidence"),
        ({"materiality": 0.05, "likelihood": "hypergeometric"}, "population_size"),
        (  # beyond what the distributions compute: an error, not scipy's OverflowError
            {"materiality": 0.05, "likelihood": "hypergeometric", "population_size": 10**23},
            "population_size",
        ),
        ({"materiality": 0.05, "likelihood": "normal"}, "likelihood"),
        ({"materiality": None}, "materiality"),
        ({"materiality": 0.001, "max_n": 100}, "max_n"),
        (  # the population caps the hypergeometric search: no max_n was the limit
            {
                "materiality": 0.05,
                "expected": 2,
                "likelihood": "hypergeometric",
                "population_size": 20,
            },
            "materiality",
        ),
        ({"materiality": 0.05, "likelihood": "binomial", "prior": Prior.gamma()}, "prior"),
    ],
)
def test_bad_input_names_the_parameter(arguments: dict, parameter: str) -> None:
    with pytest.raises(ParameterError) as caught:
        plan(**arguments)
    assert caught.value.name == parameter
    assert isinstance(caught.value, AuditkitError)


def test_a_choice_among_no_options_says_there_is_none_instead_of_an_empty_list() -> None:
    from auditkit.checks import choice

    with pytest.raises(ParameterError) as raised:
        choice("table", "by_rule", ())
    assert "there is none to choose from" in str(raised.value)
    assert "one of ," not in str(raised.value)
    assert choice("table", "by_rule", ("by_rule", "by_district")) == "by_rule"


def test_the_plan_writes_every_rate_with_two_decimals_in_both_languages() -> None:
    """'4.978%' stood beside '5.00%' and '3.98%': -ln(0.05) / 60 = 4.9929 % reads 4.99 %."""
    result = plan(0.05, 0, likelihood="poisson")
    assert result.explain("zh") == (
        "在 95% 的置信水平下，样本量 60 使错报率上限（按样本中 0 个预期错报计算）为 4.99%；"
        "样本中错报不超过 0 时可以接受总体。"
    )
    assert result.explain("en").startswith("At 95% confidence a sample of 60 gives an upper limit")
    assert "of 4.99% with 0 expected errors" in result.explain("en")
    table = dict(result.to_table("en").to_numpy().tolist())
    assert table["Upper limit of misstatement rate"] == "4.99%"
    assert table["Materiality (tolerable rate)"] == "5.00%"


@pytest.mark.parametrize(
    ("confidence", "shown"), [(0.999, "99.9%"), (0.975, "97.5%"), (0.95, "95%")]
)
def test_a_confidence_level_is_shown_with_the_decimals_it_needs(
    confidence: float, shown: str
) -> None:
    # 99.9% was printed "100%" (certainty) and 97.5% "98%": rounded to a whole percent.
    planned = plan(0.05, confidence=confidence, likelihood="poisson")
    evaluated = evaluate(0.05, "poisson", x=0, n=3_000, confidence=confidence)
    for lang, level in (("zh", "置信水平"), ("en", "Confidence")):
        for table in (planned.to_table(lang), evaluated.to_table(lang)):
            labels = table.iloc[:, 0].tolist()
            row = next(i for i, label in enumerate(labels) if level.lower() in label.lower())
            assert table.iloc[row, 1] == shown
        assert planned.explain(lang).startswith(("在 " if lang == "zh" else "At ") + shown)
        assert shown in evaluated.explain(lang).splitlines()[0]
    assert f"{shown} confidence" in repr(planned) and f"at {shown}" in repr(evaluated)

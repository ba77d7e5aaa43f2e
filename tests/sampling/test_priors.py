"""Priors: closed forms of the impartial priors, conjugate updates, modes."""

from __future__ import annotations

import math

import pytest

from auditkit.errors import ParameterError
from auditkit.sampling import Prior


def test_impartial_beta_in_closed_form() -> None:
    prior = Prior.impartial("binomial", 0.05)
    assert prior.b == pytest.approx(math.log(0.5) / math.log(0.95))
    assert prior.probability_below(0.05) == pytest.approx(0.5)


def test_impartial_gamma_in_closed_form() -> None:
    prior = Prior.impartial("poisson", 0.05)
    assert prior.b == pytest.approx(math.log(2) / 0.05)
    assert prior.probability_below(0.05) == pytest.approx(0.5)


def test_impartial_beta_binomial_gives_even_odds() -> None:
    prior = Prior.impartial("hypergeometric", 0.05, population_size=500)
    assert prior.probability_below(0.05) == pytest.approx(0.5, abs=1e-6)


def test_conjugate_updates() -> None:
    assert Prior.beta(2, 5).update(3, 40) == Prior("beta", 5, 42, description="posterior")
    assert (Prior.gamma(1, 4).update(1.5, 60).a, Prior.gamma(1, 4).update(1.5, 60).b) == (2.5, 64)
    posterior = Prior.beta_binomial(1, 1, 100).update(2, 30)
    assert (posterior.a, posterior.b, posterior.seen_items, posterior.seen_errors) == (3, 29, 30, 2)


def test_modes() -> None:
    assert Prior.beta(3, 99).mode() == pytest.approx(2 / 100)
    assert Prior.gamma(3, 100).mode() == pytest.approx(2 / 100)
    assert Prior.beta(1, 10).mode() == 0.0
    # Beta-binomial after 2 errors in 30 of 100 items: the mode counts the 2 seen errors.
    assert Prior.beta_binomial(1, 1, 100).update(2, 30).mode() >= 2 / 100


def test_beta_binomial_quantile_counts_seen_errors() -> None:
    posterior = Prior.beta_binomial(1, 1, 100).update(5, 100)
    assert posterior.quantile(0.95) == pytest.approx(5 / 100)


@pytest.mark.parametrize(
    ("build", "parameter"),
    [
        (lambda: Prior.beta(0, 1), "prior a"),
        (lambda: Prior.gamma(1, -2), "prior b"),
        (lambda: Prior.default("hypergeometric"), "population_size"),
        (lambda: Prior.impartial("binomial", 1.5), "materiality"),
        (lambda: Prior.default("normal"), "likelihood"),
    ],
)
def test_bad_priors_name_the_parameter(build, parameter: str) -> None:
    with pytest.raises(ParameterError) as caught:
        build()
    assert caught.value.name == parameter


def test_an_impartial_prior_is_described_in_the_readers_language() -> None:
    from auditkit.sampling import evaluate, plan

    prior = Prior.impartial("poisson", 0.05)  # b = ln 2 / 0.05 = 13.86
    assert prior.describe("zh") == "中立型 gamma(1, 13.86)"
    assert prior.describe("en") == str(prior) == "impartial gamma(1, 13.86)"
    planned = plan(0.05, 1, likelihood="poisson", prior="impartial")
    evaluated = evaluate(0.05, method="poisson", x=1, n=60, prior="impartial")
    shown = [*planned.to_table("zh").iloc[:, 1], *evaluated.to_table("zh").iloc[:, 1]]
    assert "中立型 gamma(1, 13.86)" in shown and "贝叶斯分析（先验 中立型 gamma(1, 13.86)）" in (
        evaluated.explain("zh")
    )
    assert not any("impartial" in str(cell) for cell in shown)
    assert "impartial" not in evaluated.explain("zh")
    # near misses: a prior given by its parameters, and any posterior, are their formula alone
    assert Prior.gamma(1, 1).describe("zh") == "gamma(1, 1)"
    assert prior.update(1, 60).kind == ""  # the data, not the choice of prior, made it

"""Properties that must hold for every input (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from auditkit.sampling import evaluate, plan, select

FAST = settings(max_examples=40, deadline=None)
likelihoods = st.sampled_from(["binomial", "poisson", "hypergeometric"])


@FAST
@given(
    likelihood=likelihoods,
    low=st.floats(0.01, 0.2),
    factor=st.floats(1.0, 3.0),
    expected_share=st.floats(0.0, 0.6),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_n_never_decreases_as_materiality_shrinks(
    likelihood, low, factor, expected_share, confidence
) -> None:
    high = min(low * factor, 0.5)
    expected = round(expected_share * low, 4)
    size = 20_000 if likelihood == "hypergeometric" else None
    small = plan(low, expected, likelihood, confidence, population_size=size)
    large = plan(high, expected, likelihood, confidence, population_size=size)
    assert small.n >= large.n


@FAST
@given(
    likelihood=likelihoods,
    materiality=st.floats(0.02, 0.2),
    expected_share=st.floats(0.0, 0.6),
    lower=st.floats(0.5, 0.98),
    step=st.floats(0.0, 0.5),
)
def test_n_never_decreases_as_confidence_grows(
    likelihood, materiality, expected_share, lower, step
) -> None:
    higher = min(lower + step * (1 - lower), 0.995)
    expected = round(expected_share * materiality, 4)
    size = 20_000 if likelihood == "hypergeometric" else None
    assert (
        plan(materiality, expected, likelihood, higher, population_size=size).n
        >= plan(materiality, expected, likelihood, lower, population_size=size).n
    )


@FAST
@given(
    method=st.sampled_from(["binomial", "poisson", "hypergeometric"]),
    n=st.integers(1, 400),
    share=st.floats(0.0, 1.0),
    confidence=st.floats(0.5, 0.999),
    prior=st.booleans(),
)
def test_upper_bound_never_below_most_likely_error(method, n, share, confidence, prior) -> None:
    # Classical bounds at 50% confidence or more never fall below x / n. A Bayesian posterior's mode
    # can exceed its median when more than half the sample is in error (the posterior then leans
    # left), so with a prior the sample's error share stays at most one half, as in any audit.
    x = math.floor(share * n / 2) if prior else math.floor(share * n)
    result = evaluate(
        0.05,
        method,
        confidence,
        x=x,
        n=n,
        population_size=2 * n + 7,
        prior="default" if prior else None,
    )
    assert result.upper >= result.mle - 1e-12


@FAST
@given(
    taints=st.lists(st.floats(-1.0, 1.0), min_size=1, max_size=60),
    confidence=st.floats(0.5, 0.999),
    method=st.sampled_from(["stringer", "stringer.poisson", "mpu"]),
)
def test_monetary_upper_bound_never_below_most_likely_error(taints, confidence, method) -> None:
    book = np.full(len(taints) + 2, 100.0)
    audit = book.copy()
    audit[: len(taints)] = 100.0 * (1 - np.asarray(taints))
    data = pd.DataFrame({"book": book, "audit": audit})
    result = evaluate(
        0.05, method, confidence, data=data, book="book", audit="audit", direction="overstatement"
    )
    assert result.upper >= result.mle - 1e-12


@FAST
@given(
    values=st.lists(st.floats(0.01, 1e6), min_size=2, max_size=300),
    share=st.floats(0.01, 1.0),
    seed=st.integers(0, 2**31),
    method=st.sampled_from(["interval", "sieve"]),
)
def test_interval_selection_hits_every_item_above_the_interval(values, share, seed, method) -> None:
    frame = pd.DataFrame({"amount": values})
    n = max(1, int(share * len(values)))
    chosen = select(frame, n, units="values", method=method, values="amount", seed=seed)
    above = frame.index[frame["amount"] > chosen.interval]
    assert set(above) <= set(chosen.sample.index)
    times = chosen.sample["times"]  # both methods hit a row at least floor(value / J) times
    assert all(times[i] >= math.floor(frame.at[i, "amount"] / chosen.interval) for i in above)


@FAST
@given(seed=st.integers(0, 2**32 - 1), units=st.sampled_from(["items", "values"]))
def test_same_seed_same_selection(seed, units) -> None:
    frame = pd.DataFrame({"amount": np.linspace(1, 500, 97)})
    first = select(frame, 17, units=units, method="random", values="amount", seed=seed)
    second = select(frame, 17, units=units, method="random", values="amount", seed=seed)
    pd.testing.assert_frame_equal(first.sample, second.sample)

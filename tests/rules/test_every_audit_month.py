"""Every rule at every audit month of a small synthetic utility: no rule fails on the edges of the
data (an alarm, an order or a suspension in the audit month itself, with no bill after it yet),
and no finding reaches past its audit month."""

from __future__ import annotations

import pytest

from auditkit import rules, synth
from auditkit.data import Dataset


@pytest.fixture(scope="module")
def utility() -> Dataset:
    return Dataset.from_frames(
        synth.generate(customers=400, districts=2, months=24, seed=2, irregular_share=0.1)
    )


def test_every_rule_runs_at_every_month_and_stays_inside_it(utility: Dataset) -> None:
    periods = sorted(utility.bills["period"].astype(str).unique())
    found_somewhere = set()
    for period in periods:
        findings = rules.run(utility, as_of=period)
        assert (findings["period_to"].astype(str) <= period).all(), period
        found_somewhere |= set(findings["rule_id"])
    assert len(found_somewhere) >= 20  # the months reach most of the library's rules


def test_billed_tariff_mismatch_finds_only_its_injected_customers_at_every_month(
    utility: Dataset,
) -> None:
    """The archive is a snapshot of the extract: audited before a tariff order was issued, a
    customer billed on the old tariff is on its tariff in force, not off the archive."""
    truth = utility.truth
    injected = set(truth.loc[truth["irregularity"] == "billed_tariff_mismatch", "customer_id"])
    assert injected
    for period in sorted(utility.bills["period"].astype(str).unique()):
        findings = rules.run(utility, as_of=period, rules=["billed_tariff_mismatch"])
        assert set(findings["customer_id"]) == injected, period

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
    """billed_tariff_mismatch finds its injected customers alone at every month too: the archive
    is a snapshot of the extract, and audited before a tariff order was issued, a customer
    billed on the old tariff was on its tariff in force."""
    truth = utility.truth
    injected = set(truth.loc[truth["irregularity"] == "billed_tariff_mismatch", "customer_id"])
    assert injected
    periods = sorted(utility.bills["period"].astype(str).unique())
    found_somewhere = set()
    for period in periods:
        findings = rules.run(utility, as_of=period)
        assert (findings["period_to"].astype(str) <= period).all(), period
        found_somewhere |= set(findings["rule_id"])
        billed_off = findings.loc[findings["rule_id"] == "billed_tariff_mismatch", "customer_id"]
        assert set(billed_off) == injected, period
    assert len(found_somewhere) >= 20  # the months reach most of the library's rules

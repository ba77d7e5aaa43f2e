"""The synthetic utility's cross-audits are made by another district than the customer's."""

from __future__ import annotations

import pytest

from auditkit import synth


@pytest.mark.parametrize("districts", [1, 2])
def test_a_cross_audit_is_made_by_another_district_and_one_district_makes_none(districts):
    """With one district, (home + shift) % 1 is the customer's own district: 'cross' rows by it
    were self-audits in fact (the comparison left them out with a note)."""
    tables = synth.generate(customers=300, districts=districts, months=24, seed=5)
    inspections = tables["inspections"].merge(tables["customers"][["customer_id", "district"]])
    cross = inspections[inspections["audit_kind"] == "cross"]
    assert not (cross["auditing_district"] == cross["district"]).any()
    if districts == 1:
        assert cross.empty
        assert (inspections["audit_kind"] == "self").any()  # the self-audits remain
    else:  # near miss: two districts cross-audit each other
        assert len(cross) > 0

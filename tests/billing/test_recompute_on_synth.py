"""recompute on a freshly generated synthetic utility (20,000 customers × 36 months): honest
customers' lines agree with what was billed to the fen, and every billing fault the synth injects
for the six line rules shows as a difference on its line type, of the revenue its truth row gives.
The same holds for the utility exported as a billing system that itemizes only the energy and
carries the basic charge, power-factor adjustment, loss kWh and funds as bill columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditkit.billing import recompute
from auditkit.data import Dataset
from auditkit.synth import generate

#: The six line rules' irregularities and the line type each fault shows on.
LINE_FAULTS = {
    "tou_misapplied": "energy",
    "tier_misapplied": "energy",
    "basic_charge_error": "basic",
    "pf_adjustment_error": "pf_adjustment",
    "loss_not_charged": "loss",
    "fund_charge_error": "fund",
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return generate(customers=20000, months=36)


@pytest.fixture(scope="module", params=["itemized", "energy lines only"])
def recomputed(request, tables) -> pd.DataFrame:
    frames = dict(tables)
    if request.param == "energy lines only":
        lines = frames["bill_lines"]
        frames["bill_lines"] = lines[lines["line_type"] == "energy"]
    return recompute(Dataset.from_frames(frames))


def test_honest_customers_lines_are_within_a_fen_of_what_was_billed(recomputed, tables):
    honest = ~recomputed["customer_id"].isin(set(tables["truth"]["customer_id"])).to_numpy()
    difference = recomputed["difference"].to_numpy()[honest]
    within = np.abs(difference) <= 0.01 + 1e-9
    share = within.sum() / len(within)
    worst = recomputed[honest][~within].head(5)
    assert len(within) > 1_000_000
    assert share >= 0.999, (share, worst)
    assert not any(n.code == "billed_unknown" for n in recomputed.attrs["notes"])


def test_every_injected_billing_fault_shows_on_its_line_for_its_revenue(recomputed, tables):
    truth = tables["truth"]
    faults = truth[truth["irregularity"].isin(LINE_FAULTS)]
    assert set(faults["irregularity"]) == set(LINE_FAULTS)
    differing = recomputed[recomputed["difference"].abs() > 0.005]
    shown = set(zip(differing["customer_id"], differing["line_type"], strict=True))
    missed = [
        (c, irregularity)
        for c, irregularity in zip(faults["customer_id"], faults["irregularity"], strict=True)
        if (c, LINE_FAULTS[irregularity]) not in shown
    ]
    assert not missed
    # Each faulty customer's net difference is the revenue effect the synth's ledger gives.
    net = recomputed.groupby("customer_id")["difference"].sum()
    gap = net.reindex(faults["customer_id"]).to_numpy() - faults["revenue_effect"].to_numpy()
    assert np.abs(gap).max() < 0.005, faults[np.abs(gap) >= 0.005]

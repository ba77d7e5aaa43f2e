"""The synthetic utility's instrument transformers and EV charging posts: honest archives that the
CT, PT and tariff checks must accept, and the archive defects injected against them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditkit import synth
from auditkit.synth import catalog
from auditkit.synth.world import EV_CHARGING_INDUSTRY


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return synth.generate(customers=6000, districts=3, months=36, seed=3)


def _honest(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Customers without an archive defect injected."""
    truth = tables["truth"]
    defective = truth.loc[truth["irregularity"] == "archive_defect", "customer_id"]
    customers = tables["customers"]
    return customers[~customers["customer_id"].isin(defective)]


def test_some_high_voltage_cts_have_a_1_a_secondary_and_a_ratio_to_match(tables):
    customers = _honest(tables)
    secondary = customers["ct_secondary_a"]
    one_amp = customers[secondary == 1]
    assert len(one_amp) >= 10
    assert (one_amp["metering_mode"] == "high_high").all()
    # A 1 A CT's ratio is its primary; a 5 A CT's primary is five times its ratio.
    primaries = customers["ct_ratio"] * secondary
    assert primaries.dropna().isin(catalog.CT_PRIMARIES).all()
    assert secondary[customers["ct_ratio"] == 1].isna().all()  # no CT: nothing recorded


def test_pt_ratios_follow_the_metering_mode_and_the_supply_voltage(tables):
    customers = _honest(tables)
    high_side = customers["metering_mode"] == "high_high"
    assert (
        customers.loc[high_side, "pt_ratio"] == customers.loc[high_side, "voltage_kv"] * 10
    ).all()
    assert (customers.loc[~high_side, "pt_ratio"] == 1).all()


def test_injected_ct_and_pt_defects_break_the_rule_they_are_named_for(tables):
    truth = tables["truth"]
    defects = truth[truth["irregularity"] == "archive_defect"]
    customers = tables["customers"].set_index("customer_id")
    ct = defects[defects["detail"].str.startswith("non-standard CT ratio")]["customer_id"]
    assert len(ct) >= 2
    primary = customers.loc[ct, "ct_ratio"] * customers.loc[ct, "ct_secondary_a"].fillna(5.0)
    assert not primary.isin(catalog.CT_PRIMARIES).any()
    pt = defects.loc[defects["detail"] == "PT ratio not for the metering", "customer_id"]
    assert len(pt) >= 1
    archive = customers.loc[pt]
    needed = np.where(archive["metering_mode"] == "high_high", archive["voltage_kv"] * 10, 1.0)
    assert (archive["pt_ratio"] != needed).all()


def test_ev_charging_posts_pay_the_shared_meter_price_and_are_look_alikes(tables):
    customers = tables["customers"]
    posts = customers[customers["industry"] == EV_CHARGING_INDUSTRY]
    assert len(posts) >= 10
    assert (posts["usage_type"] == "commercial").all()
    assert (posts["tariff_category"] == "RES").all()
    assert (posts["tier_scheme"] == "shared").all()
    lookalikes = tables["lookalikes"]
    tagged = lookalikes.loc[lookalikes["kind"] == "ev_charging_tariff", "customer_id"]
    assert len(tagged) >= 10 and tagged.isin(posts["customer_id"]).all()

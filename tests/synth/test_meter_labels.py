"""The labels of the meter-record faults price their kWh as the rules do: the old meter's
remainder at the rates of the days it ran, a household on tiers by its tiers."""

from __future__ import annotations

import pandas as pd
import pytest

from auditkit import rules, synth
from auditkit.data import Dataset


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    # The reviewer's seed: a meter read on the 25th and three tiered households among its swaps.
    return synth.generate(customers=3000, seed=11)


def _labels(tables: dict[str, pd.DataFrame], irregularity: str) -> pd.Series:
    truth = tables["truth"]
    return truth[truth["irregularity"] == irregularity].set_index("customer_id")["revenue_effect"]


def test_energy_lost_at_a_replacement_is_labelled_as_the_rule_prices_it(tables):
    labelled = _labels(tables, "meter_change_energy_lost")
    found = rules.run(Dataset.from_frames(tables), rules="meter_change_energy_lost")
    found = found.set_index("customer_id")["revenue_impact"].reindex(labelled.index)
    assert found.round(2).tolist() == labelled.round(2).tolist()
    # SY00002022, read on the 24th, swapped on 1 July: 257.83 units × 30 = 7,734.9 kWh ran on
    # 25-30 June, at June's flat 0.6741 = 5,214.10 (5,214.096) + funds × 0.0262 = 202.65:
    # 5,416.75 (the label said July's 0.6551: 5,269.78).
    assert labelled["SY00002022"] == pytest.approx(5416.75, abs=0.005)
    # SY00000124, a single household whose year billed 644 kWh: 150.98 kWh in tier 1 at 0.5483
    # = 82.78 (the label said the untiered 0.5683: 85.80).
    assert labelled["SY00000124"] == pytest.approx(82.78, abs=0.005)


def test_a_stopped_meter_of_a_tiered_household_is_labelled_by_its_tiers(tables):
    # SY00001566, a single household on RES, billed 952.44 kWh in January-April 2025, then its
    # meter stopped: May-December used 1,785.61 kWh, put on the tier year month by month.
    # 1,207.56 fill tier 1 to 2,160 at 0.5483 = 662.10, 578.05 go to tier 2 at 0.5983 = 345.85:
    # 1,007.95, within a fen of each month's tiers rounded on the unrounded kWh (the label said
    # the untiered 0.5683: 979.06).
    assert _labels(tables, "zero_consumption")["SY00001566"] == pytest.approx(1007.95, abs=0.015)

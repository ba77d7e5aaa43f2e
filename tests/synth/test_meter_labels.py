"""The labels of the meter-record faults price their kWh as the rules do: the old meter's
remainder at the rates of the days it ran, a household on tiers by its tiers."""

from __future__ import annotations

import pandas as pd
import pytest

from auditkit import rules, synth
from auditkit.data import Dataset


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    # The reviewer's seed: tiered households among its swaps and its stopped meters.
    return synth.generate(customers=3000, seed=11)


def _labels(tables: dict[str, pd.DataFrame], irregularity: str) -> pd.Series:
    truth = tables["truth"]
    return truth[truth["irregularity"] == irregularity].set_index("customer_id")["revenue_effect"]


def test_energy_lost_at_a_replacement_is_labelled_as_the_rule_prices_it(tables):
    labelled = _labels(tables, "meter_change_energy_lost")
    found = rules.run(Dataset.from_frames(tables), rules="meter_change_energy_lost")
    found = found.set_index("customer_id")["revenue_impact"].reindex(labelled.index)
    assert found.round(2).tolist() == labelled.round(2).tolist()
    # SY00000066, a single household swapped on 1 April 2024 whose year billed 560.46 kWh to
    # March: the old meter's final read 23,443.62 less its last billed 23,108.15 = 335.47 kWh,
    # all in tier 1 at 0.5283 = 177.23 (177.228; untiered at 0.5483 it would be 183.94).
    assert labelled["SY00000066"] == pytest.approx(177.23, abs=0.005)


def test_a_stopped_meter_of_a_tiered_household_is_labelled_by_its_tiers(tables):
    # SY00000444, a single household on RES, billed 1,248.63 kWh in January-June 2025, then its
    # meter stopped: July-December used 1,434.33 kWh, put on the tier year month by month.
    # 911.37 fill tier 1 to 2,160 at 0.5483 = 499.70, 522.96 go to tier 2 at 0.5983 = 312.89:
    # 812.59, within a fen of each month's tiers rounded on the unrounded kWh (untiered at
    # 0.5683 it would be 815.13).
    assert _labels(tables, "zero_consumption")["SY00000444"] == pytest.approx(812.59, abs=0.015)

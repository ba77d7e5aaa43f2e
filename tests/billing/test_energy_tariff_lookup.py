"""TariffLookup: the row in force by date, voltage band, period and tier, for arrays of bills."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from billing_builders import TARIFFS

from auditkit.billing.basic import shared_codes
from auditkit.billing.tariff_lookup import TariffLookup, row_numbers


def _dates(*texts: str) -> np.ndarray:
    return pd.to_datetime(list(texts)).to_numpy()


LOOKUP = TariffLookup(TARIFFS)


def test_validity_is_inclusive_and_a_gap_has_no_rate():
    rates = LOOKUP.rate(
        ["COM", "COM", "MKT", "MKT", "MKT", "NONE"],
        _dates("2024-03-15", "2024-03-16", "2024-01-31", "2024-02-01", "2024-03-01", "2024-01-01"),
        0.4,
    )
    np.testing.assert_array_equal(rates, [0.80, 0.90, 0.45, 0.47, np.nan, np.nan])


def test_the_narrowest_voltage_band_wins_and_bands_hold_their_ends():
    # flat: 0.60 in 1-20 kV, 0.65 without a band; without a period the 35 kV row (0.55) from 35 kV.
    rates = LOOKUP.rate(
        ["TOU"] * 4, _dates(*["2024-01-01"] * 4), [0.4, 1.0, 20.0, 21.0], tou_period="flat"
    )
    np.testing.assert_array_equal(rates, [0.65, 0.60, 0.60, 0.65])
    no_period = LOOKUP.rate(["TOU"] * 3, _dates(*["2024-01-01"] * 3), [10.0, 35.0, 110.0])
    # A bill without periods takes the row without a period, else falls back to flat.
    np.testing.assert_array_equal(no_period, [0.60, 0.55, 0.55])


def test_periods_fall_back_only_from_flat_and_tiers_only_to_tier_one():
    dates = _dates(*["2024-01-01"] * 4)
    peak = LOOKUP.rate(["TOU", "COM", "RES", "RES"], dates, 10.0, tou_period="peak")
    np.testing.assert_array_equal(peak, [0.95, np.nan, np.nan, np.nan])
    flat = LOOKUP.rate(["COM", "RES"], dates[:2], 0.4, tou_period="flat")
    np.testing.assert_array_equal(flat, [0.80, 0.52])  # rows without a period
    tiers = LOOKUP.rate(["RES", "RES", "RES", "COM"], dates, 0.22, tier=[None, 2, 3, 1])
    np.testing.assert_array_equal(tiers, [0.52, 0.55, 0.80, 0.80])
    without_blank = TariffLookup(TARIFFS[TARIFFS["tier"].notna()])
    np.testing.assert_array_equal(without_blank.rate(["RES"], dates[:1], 0.22), [0.50])
    assert np.isnan(without_blank.rate(["RES"], dates[:1], 0.22, fallback=False)[0])


def test_tier_bands_per_query():
    bands = LOOKUP.tier_bands(["RES", "COM"], _dates("2024-05-01", "2024-05-01"), [0.22, 0.4])
    assert sorted(bands) == [1, 2, 3]
    low, high, rate = bands[3]
    assert (low[0], high[0], rate[0]) == (4800.0, np.inf, 0.80)
    assert np.isnan(low[1]) and np.isnan(rate[1])
    assert (bands[2][0][0], bands[2][1][0]) == (2160.0, 4800.0)


def test_a_table_without_the_optional_columns():
    plain = TariffLookup(
        TARIFFS[["tariff_category", "usage_type", "energy_rate", "valid_from"]].iloc[:1]
    )
    np.testing.assert_array_equal(plain.rate(["COM"], _dates("2030-01-01"), 0.4), [0.80])
    assert plain.tiers == ()


def _banded(bands: list[tuple[float | None, float | None, float]]) -> pd.DataFrame:
    """Rows of one category HV, one per voltage band (None = an open end) and its rate."""
    return pd.DataFrame(
        {
            "tariff_category": "HV",
            "usage_type": "industrial",
            "energy_rate": [rate for _, _, rate in bands],
            "valid_from": pd.Timestamp("2018-01-01"),
            "voltage_kv_min": [low for low, _, _ in bands],
            "voltage_kv_max": [high for _, high, _ in bands],
        }
    ).astype({"voltage_kv_min": float, "voltage_kv_max": float})


BANDS = [(None, None, 0.70), (1.0, 10.0, 0.65), (35.0, None, 0.60), (35.0, 110.0, 0.55)]


@pytest.mark.parametrize("order", [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]])
def test_a_half_bounded_band_is_narrower_than_an_unbounded_one_and_wider_than_a_bounded_one(order):
    # any 0.70, 1–10 kV 0.65, ≥ 35 kV 0.60, 35–110 kV 0.55, in any row order: 10 kV in 1–10;
    # 35 and 110 kV in 35–110 (bounded, inside ≥ 35); 220 kV in ≥ 35 (not the unbounded row);
    # 0.4 and 20 kV in no band but the unbounded one.
    lookup = TariffLookup(_banded([BANDS[i] for i in order]))
    volts = [10.0, 35.0, 110.0, 220.0, 0.4, 20.0]
    rates = lookup.rate(["HV"] * len(volts), _dates(*["2024-01-01"] * len(volts)), volts)
    np.testing.assert_array_equal(rates, [0.65, 0.55, 0.55, 0.60, 0.70, 0.70])


def test_of_two_half_bounded_bands_the_one_whose_end_is_nearer_the_voltage_wins():
    # ≥ 10 kV 0.62 and ≥ 35 kV 0.58 hold 220 kV: ≥ 35 lies inside ≥ 10. ≤ 110 kV 0.66 and ≤ 35 kV
    # 0.64 hold 5 kV: ≤ 35 lies inside ≤ 110. 20 kV: ≥ 10 (10 kV from its end) before ≤ 35 (15).
    lookup = TariffLookup(
        _banded([(10.0, None, 0.62), (35.0, None, 0.58), (None, 110.0, 0.66), (None, 35.0, 0.64)])
    )
    rates = lookup.rate(["HV"] * 3, _dates(*["2024-01-01"] * 3), [220.0, 5.0, 20.0])
    np.testing.assert_array_equal(rates, [0.58, 0.64, 0.62])


def test_numbers_in_runs_are_numbered_as_numbers_in_no_order_are():
    # Voltages come in runs of a customer's bills (NaN too): each run's value is hashed once,
    # and the rows are numbered as every value hashed: by first appearance, NaN as one value.
    volts = np.array([10.0, 10.0, 10.0, 0.4, 0.4, 0.4, np.nan, np.nan, np.nan, 10.0, 10.0, 10.0])
    days = np.zeros(len(volts), dtype=np.int64)
    numbers, count = row_numbers((days, volts))
    assert numbers.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 0, 0]
    assert count == 3
    scattered = np.array([0.4, 10.0, np.nan, 10.0])
    assert row_numbers((days[:4], scattered))[0].tolist() == [0, 1, 2, 1]


def test_a_categorical_id_is_shared_with_a_table_as_isin_has_it():
    ids = pd.Series(pd.Categorical(["A", None, "B", "C", "A"]))
    rows, codes, table_codes = shared_codes(ids, pd.Series(["A", "C", "Z"]))
    assert (rows.tolist(), codes.tolist(), table_codes.tolist()) == (
        [0, 3, 4],
        [0, 1, 0],
        [0, 1, -1],
    )
    # A table with an empty id shares it with the bill without one, as isin has it.
    rows, codes, _ = shared_codes(ids, pd.Series(["A", None], dtype=object))
    assert (rows.tolist(), codes.tolist()) == ([0, 1, 4], [0, -1, 0])

"""TariffLookup: the row in force by date, voltage band, period and tier, for arrays of bills."""

from __future__ import annotations

import numpy as np
import pandas as pd
from billing_builders import TARIFFS

from auditkit.billing.tariff_lookup import TariffLookup


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

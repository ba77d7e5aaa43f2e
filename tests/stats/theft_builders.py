"""Daily reads of made-up homes scored by `theft_scores`, for the daily detector's tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.stats import theft_scores

#: Two years of 52 weeks each, from a Monday (weekdays line up across the years).
TWO_YEARS = pd.date_range("2023-01-02", periods=728, freq="D")


def daily_scores(kwh: np.ndarray, days: pd.DatetimeIndex = TWO_YEARS) -> pd.DataFrame:
    """`theft_scores` of a customers × days kWh matrix (customers H000, H001, ...), by customer."""
    ids = [f"H{i:03d}" for i in range(len(kwh))]
    reads = pd.DataFrame(
        {
            "customer_id": np.repeat(ids, len(days)),
            "date": np.tile(days, len(kwh)),
            "kwh": kwh.ravel(),
        }
    )
    return theft_scores(reads).set_index("customer_id")

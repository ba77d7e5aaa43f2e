"""Billing periods ('YYYY-MM') as month numbers, so month arithmetic is integer arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd


def month_number(periods: pd.Series | np.ndarray) -> np.ndarray:
    """'YYYY-MM' → year × 12 + month − 1, fast on millions of rows (parses each distinct value once)."""
    codes, uniques = pd.factorize(np.asarray(periods), sort=False)
    parsed = np.array([int(text[:4]) * 12 + int(text[5:7]) - 1 for text in uniques], dtype=np.int64)
    return parsed[codes]


def date_month_number(dates: pd.Series) -> np.ndarray:
    """Month number of each date; NaT gives -1."""
    values = pd.to_datetime(dates)
    result = (values.dt.year * 12 + values.dt.month - 1).to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(result), -1, result).astype(np.int64)


def period_text(month: np.ndarray | int) -> np.ndarray | str:
    """Month number → 'YYYY-MM'."""
    if np.isscalar(month):
        return f"{int(month) // 12:04d}-{int(month) % 12 + 1:02d}"
    months = np.asarray(month, dtype=np.int64)
    unique, inverse = np.unique(months, return_inverse=True)
    texts = np.array([f"{m // 12:04d}-{m % 12 + 1:02d}" for m in unique], dtype=object)
    return texts[inverse]


def month_end(month: int) -> pd.Timestamp:
    """Last day of month number `month`."""
    return pd.Timestamp(year=month // 12, month=month % 12 + 1, day=1) + pd.offsets.MonthEnd(0)

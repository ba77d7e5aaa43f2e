"""Validation of a sampling table's columns, each failure a `SampleDataError` naming the row; the
parameter checks the verbs share are in `auditkit.checks`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.errors import shown
from auditkit.sampling.errors import SampleDataError


def numeric_column(frame: pd.DataFrame, column: str, table: str) -> pd.Series:
    """The column as float64; text, missing columns and empty cells are errors naming the row
    by its index label (a frame read from a file is labelled with the file's row numbers).

    Numbers stored as text ("12.5") are accepted, anything else ("abc", "") is not, because a
    silently dropped value would change the sample's statistics.
    """
    if column not in frame.columns:
        raise SampleDataError(
            f"{table}: column {column!r} not found (columns are: {', '.join(map(str, frame.columns))})"
        )
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        found = raw.iloc[position]
        held = "an empty cell" if pd.isna(found) else shown(found)
        label = frame.index[position]  # a NumPy scalar shown as the number it is
        label = label.item() if isinstance(label, np.generic) else label
        count = int(bad.sum())
        more = f" ({count:,} such rows)" if count > 1 else ""
        raise SampleDataError(
            f"{table}: column {column!r} must hold numbers; row {label!r} holds {held}{more}"
        )
    return values.astype("float64")

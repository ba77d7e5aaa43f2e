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
        position, more = _first_of(frame, bad)
        found = raw.iloc[position]
        held = "an empty cell" if pd.isna(found) else shown(found)
        raise SampleDataError(
            f"{table}: column {column!r} must hold numbers; row {_label(frame, position)!r} "
            f"holds {held}{more}"
        )
    return values.astype("float64")


def stratum_labels(frame: pd.DataFrame, column: str, table: str) -> pd.Series:
    """The strata column's labels as text; an empty cell is an error naming the row (by its
    index label): a row of no stratum would otherwise form one of its own, or be dropped."""
    labels = frame[column].astype("string")
    empty = labels.isna() | (labels.str.strip() == "")
    if empty.any():
        position, more = _first_of(frame, empty)
        raise SampleDataError(
            f"{table}: strata column {column!r} must name each row's stratum; row "
            f"{_label(frame, position)!r} holds an empty cell{more}"
        )
    return labels


def _first_of(frame: pd.DataFrame, bad: pd.Series) -> tuple[int, str]:
    """The position of the first row `bad` marks, and ' (N such rows)' when there are more."""
    count = int(bad.sum())
    return int(np.flatnonzero(bad.to_numpy())[0]), f" ({count:,} such rows)" if count > 1 else ""


def _label(frame: pd.DataFrame, position: int) -> object:
    """The index label of the row at `position`, a NumPy scalar as the number it is."""
    label = frame.index[position]
    return label.item() if isinstance(label, np.generic) else label

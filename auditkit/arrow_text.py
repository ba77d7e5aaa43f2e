"""pandas text held by Arrow, read as Arrow: runs and codes of ids without Python strings.

The billing recomputation and the rule context both code ids that come in runs (a customer's
bills together); both read the text through these two helpers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def arrow_text(values: object) -> pa.Array | None:
    """The Arrow array of a pandas text Series or Index stored by Arrow (None for any other
    values: they take pandas' path)."""
    if not isinstance(values, pd.Series | pd.Index):
        return None
    dtype = values.dtype
    held_by_arrow = isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
    if isinstance(dtype, pd.ArrowDtype):
        held_by_arrow = pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(
            dtype.pyarrow_dtype
        )
    if not held_by_arrow:
        return None
    array = pa.array(values.array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def run_changes(array: pa.Array) -> np.ndarray:
    """Per value: it starts a run of equal values (the first, one unlike the previous, or an
    empty value, which starts a run of its own)."""
    if len(array) < 2:
        return np.ones(len(array), dtype=bool)
    same = pc.equal(array.slice(1), array.slice(0, len(array) - 1)).fill_null(False)
    return np.append(True, ~same.to_numpy(zero_copy_only=False))

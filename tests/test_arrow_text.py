"""Arrow-held text read as Arrow: which values take that path, and where runs of ids start."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from auditkit.arrow_text import arrow_text, run_changes


def test_only_text_stored_by_arrow_is_read_as_arrow_series_or_index():
    held = pd.Series(["C1", "C2"], dtype="string[pyarrow]")
    assert arrow_text(held).to_pylist() == ["C1", "C2"]
    assert arrow_text(pd.Index(held)).to_pylist() == ["C1", "C2"]
    assert arrow_text(pd.Series(["C1"], dtype=object)) is None
    assert arrow_text(pd.Series(["C1"], dtype="category")) is None
    assert arrow_text(np.array(["C1"])) is None


def test_a_run_starts_at_the_first_id_at_each_change_and_at_every_empty_id():
    ids = pa.array(["a", "a", None, None, "b", "b", "a"])
    assert run_changes(ids).tolist() == [True, False, True, True, True, False, True]
    assert run_changes(pa.array(["a"])).tolist() == [True]
    assert run_changes(pa.array([], pa.string())).tolist() == []

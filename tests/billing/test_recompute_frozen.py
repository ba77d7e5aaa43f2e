"""The recomputation gives the very lines it gave before its engine was rewritten on integer codes:
on five small synthetic utilities (tests/billing/frozen_scenarios.py) every column of every line,
its dtype, the row order and the notes are those frozen from the reference code, to the fen; and the
same tables recompute the same whether their text is read from Parquet files (Arrow text), held as
categoricals (a converted folder's dictionaries) or as Python objects."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from frozen_scenarios import frozen, notes_of, scenarios, synth_tables

from auditkit.billing import RECOMPUTE_COLUMNS, recompute
from auditkit.billing.recompute import EXTRA_COLUMNS
from auditkit.data import Dataset, load
from auditkit.synth import write

#: The public frame's dtypes, as users of recompute have always read them.
DTYPES = {
    "customer_id": "object",
    "period": "object",
    "line_type": "object",
    "tou_period": "object",
    "tier": "Int64",
    "quantity_billed": "float64",
    "quantity_due": "float64",
    "rate_billed": "float64",
    "rate_due": "float64",
    "amount_billed": "float64",
    "amount_due": "float64",
    "difference": "float64",
    "estimated": "bool",
    "tariff_due": "object",
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return synth_tables()


@pytest.fixture(scope="module")
def datasets(tables):
    return scenarios(tables)


@pytest.mark.parametrize(
    "name", ["itemized", "energy_lines_only", "no_bill_lines", "missing_columns", "as_of"]
)
def test_every_line_is_the_one_frozen_from_the_reference_recomputation(name, datasets):
    dataset, as_of = datasets[name]
    expected, expected_notes = frozen(name)
    got = recompute(dataset, as_of=as_of)
    assert tuple(got.columns) == RECOMPUTE_COLUMNS + EXTRA_COLUMNS
    assert {column: str(dtype) for column, dtype in got.dtypes.items()} == DTYPES
    assert isinstance(got.index, pd.RangeIndex) and got.index.start == 0
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=True)
    assert notes_of(got) == expected_notes


def test_a_dataset_read_from_parquet_recomputes_as_the_frozen_tables(tables, tmp_path):
    write(tables, tmp_path / "utility")
    dataset = load(tmp_path / "utility", validate=False)
    got = recompute(dataset)
    expected, expected_notes = frozen("itemized")
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=True)
    assert notes_of(got) == expected_notes


def _with_text_as(dataset: Dataset, dtype: str) -> SimpleNamespace:
    """The tables the recomputation reads with every text column as `dtype` (category: a
    converted folder's dictionaries; object: Python texts, as a frame built by hand holds them)."""
    tables = {}
    for name in ("customers", "bills", "bill_lines", "tariffs", "work_orders", "transformers"):
        frame = getattr(dataset, name)
        texts = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c].dtype)]
        tables[name] = frame.astype(dict.fromkeys(texts, dtype))
    return SimpleNamespace(**tables)


@pytest.mark.parametrize("dtype", ["category", "object"])
def test_text_held_as_categoricals_or_python_objects_recomputes_the_same(datasets, dtype):
    dataset = _with_text_as(datasets["itemized"][0], dtype)
    assert str(dataset.bills["customer_id"].dtype) == dtype
    assert str(dataset.bill_lines["line_type"].dtype) == dtype
    got = recompute(dataset)
    expected, expected_notes = frozen("itemized")
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=True)
    assert notes_of(got) == expected_notes

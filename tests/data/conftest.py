"""Fixtures: the valid sample dataset as frames and as a folder, and a maker for broken copies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sample_dataset import valid_tables, write_dataset


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    return valid_tables()


@pytest.fixture
def dataset_dir(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """A valid dataset folder in UTF-8 CSV."""
    return write_dataset(tables, tmp_path / "dataset")


@pytest.fixture
def make_dataset(tmp_path: Path) -> Callable[..., Path]:
    """Write (possibly broken) tables to a fresh folder: make_dataset(tables, fmt='csv-utf8')."""
    counter = iter(range(1000))

    def make(tables: dict[str, pd.DataFrame], fmt: str = "csv-utf8") -> Path:
        return write_dataset(tables, tmp_path / f"dataset{next(counter)}", fmt)

    return make

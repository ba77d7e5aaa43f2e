"""Fixtures of the engine tests: a small synthetic utility in memory, as files and converted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from auditkit import rules, synth
from auditkit.data import Dataset
from auditkit.data.partitioned import PartitionedDataset, convert

# Small parts, so that even this small utility is split into many parts per district.
CUSTOMERS_PER_PART = 500


@pytest.fixture(scope="session")
def utility_tables() -> dict[str, pd.DataFrame]:
    """3,000 synthetic customers in 3 districts, 36 months, with every kind of irregularity."""
    return synth.generate(customers=3000, districts=3, seed=7)


@pytest.fixture(scope="session")
def utility(utility_tables: dict[str, pd.DataFrame]) -> Dataset:
    return Dataset.from_frames(utility_tables)


@pytest.fixture(scope="session")
def utility_folder(tmp_path_factory: pytest.TempPathFactory, utility_tables) -> Path:
    """The utility written as a plain dataset folder (one Parquet file per table)."""
    return synth.write(utility_tables, tmp_path_factory.mktemp("source") / "utility")


@pytest.fixture(scope="session")
def converted(tmp_path_factory: pytest.TempPathFactory, utility_folder: Path) -> PartitionedDataset:
    """The utility converted to partitioned Parquet."""
    destination = tmp_path_factory.mktemp("converted") / "utility"
    return convert(utility_folder, destination, customers_per_part=CUSTOMERS_PER_PART)


@pytest.fixture(scope="session")
def whole_findings(utility: Dataset) -> pd.DataFrame:
    """The findings of one in-process run over the whole utility: what every engine must give."""
    return rules.run(utility)

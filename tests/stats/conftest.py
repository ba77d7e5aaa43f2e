"""Fixtures of the statistics tests: the small awkward utility, as tables and as a loaded Dataset."""

from __future__ import annotations

import pandas as pd
import pytest
from stats_builders import build_tables, write_folder

from auditkit.data import Dataset, load


@pytest.fixture(scope="session")
def small_tables() -> dict[str, pd.DataFrame]:
    return build_tables()


@pytest.fixture(scope="session")
def small_folder(tmp_path_factory: pytest.TempPathFactory, small_tables):
    return write_folder(small_tables, tmp_path_factory.mktemp("small_utility"))


@pytest.fixture(scope="session")
def small_dataset(small_folder) -> Dataset:
    return load(small_folder)

"""Fixtures of the engine tests: a small synthetic utility in memory, as files and converted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from plans import plan_for

from auditkit import rules, synth
from auditkit.data import Dataset
from auditkit.data.partitioned import PartitionedDataset, convert
from auditkit.engine.local import run_parts_locally
from auditkit.engine.partition import combine
from auditkit.engine.sources import MemorySource, StoredSource

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


@pytest.fixture(scope="session")
def daily_utility() -> Dataset:
    """1,200 synthetic customers in 3 districts with a year of smart-meter daily reads, 1 % of
    them with a consumption drop (12; the default rate leaves two or three, too few to hold the
    engines to the same findings whatever the synthetic utility's other draws)."""
    tables = synth.generate(
        customers=1200, districts=3, seed=11, daily_days=365, rates={"consumption_drop": 0.01}
    )
    return Dataset.from_frames(tables)


@pytest.fixture(scope="session")
def daily_converted(tmp_path_factory: pytest.TempPathFactory, daily_utility) -> PartitionedDataset:
    """The daily-read utility converted to partitioned Parquet."""
    destination = tmp_path_factory.mktemp("converted") / "daily"
    return convert(daily_utility, destination, customers_per_part=200)


@pytest.fixture(scope="session")
def bills_per_part(utility: Dataset) -> int:
    """Bills per part that split the utility into 6 parts: many, even for its size."""
    return -(-len(utility.bills) // 6)


@pytest.fixture(scope="session")
def by_parts() -> Callable[..., pd.DataFrame]:
    """Findings of a Dataset or converted folder run in 6 parts (or more) of about equal bills,
    on the local engine or on the dask cluster at `scheduler`."""

    def run(dataset: object, scheduler: str | None = None, **kwargs: object) -> pd.DataFrame:
        if isinstance(dataset, PartitionedDataset):
            source = StoredSource(dataset, -(-dataset.rows("bills") // 6))
        else:
            source = MemorySource(dataset, -(-len(dataset.bills) // 6))
        assert len(source.partitions) >= 4
        plan = plan_for(source, **kwargs)
        if scheduler is None:
            return combine(plan, run_parts_locally(source, plan), [])
        from auditkit.engine.dask import run_parts_on_cluster

        return combine(plan, run_parts_on_cluster(source, plan, scheduler), [])

    return run

"""Parts carry the itemized-billing tables a dataset has, each row in its customer's part."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auditkit import rules
from auditkit.data import Dataset
from auditkit.data.partitioned import PartitionedDataset, convert
from auditkit.engine.partition import ITEMIZED_TABLES
from auditkit.engine.sources import MemorySource, StoredSource


def itemized_tables(dataset: Dataset) -> dict[str, pd.DataFrame]:
    """Small itemized tables over the utility's customers: one energy line per bill, a
    transformer per customer with a capacity, and a few events, tests and adjustments."""
    bills, customers = dataset.bills, dataset.customers
    with_capacity = customers[customers["contract_capacity_kva"].fillna(0) > 0]
    some = customers["customer_id"].iloc[::97].to_numpy()
    return {
        "bill_lines": pd.DataFrame(
            {
                "customer_id": bills["customer_id"],
                "period": bills["period"],
                "line_type": "energy",
                "quantity": bills["kwh_billed"],
                "rate": bills["energy_rate"],
                "amount": bills["energy_charge"],
            }
        ),
        "transformers": pd.DataFrame(
            {
                "customer_id": with_capacity["customer_id"],
                "transformer_id": [f"T{i}" for i in range(len(with_capacity))],
                "kva": with_capacity["contract_capacity_kva"],
                "status": "running",
                "status_since": with_capacity["connection_date"],
            }
        ),
        "meter_events": pd.DataFrame(
            {
                "customer_id": some,
                "event_at": pd.Timestamp("2024-03-05 10:30"),
                "event": "cover_open",
            }
        ),
        "meter_tests": pd.DataFrame(
            {
                "customer_id": some,
                "meter_id": customers["meter_id"].iloc[::97].to_numpy(),
                "tested_at": pd.Timestamp("2023-06-01"),
                "error_pct": np.linspace(-1.5, 1.5, len(some)),
            }
        ),
        "adjustments": pd.DataFrame(
            {
                "customer_id": some,
                "period": "2024-02",
                "adjusted_at": pd.Timestamp("2024-03-10"),
                "kind": "refund",
                "amount": -12.5,
            }
        ),
    }


@pytest.fixture(scope="module")
def itemized(utility: Dataset) -> Dataset:
    return Dataset.from_frames(utility.tables() | itemized_tables(utility))


@pytest.fixture(scope="module")
def itemized_converted(tmp_path_factory: pytest.TempPathFactory, itemized) -> PartitionedDataset:
    return convert(
        itemized, Path(tmp_path_factory.mktemp("itemized")) / "utility", customers_per_part=500
    )


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    text = frame.astype({column: str for column in frame.columns})
    return text.sort_values(list(text.columns), ignore_index=True)


@pytest.mark.parametrize("stored", [False, True], ids=["in memory", "converted"])
def test_every_itemized_row_is_in_its_customers_part(itemized, itemized_converted, stored):
    source = (
        StoredSource(itemized_converted, -(-len(itemized.bills) // 6))
        if stored
        else MemorySource(itemized, -(-len(itemized.bills) // 6))
    )
    assert len(source.partitions) >= 4
    parts = [source.part(index) for index in range(len(source.partitions))]
    for table in ITEMIZED_TABLES:
        for part in parts:
            frame = getattr(part, table)
            assert frame is not None, table
            assert frame["customer_id"].isin(part.customers["customer_id"]).all(), table
        whole = getattr(itemized, table)
        together = pd.concat([getattr(part, table) for part in parts], ignore_index=True)
        pd.testing.assert_frame_equal(_rows(together), _rows(whole), obj=table)


def test_absent_itemized_tables_stay_absent(utility, tmp_path):
    plain = replace(utility, **dict.fromkeys(ITEMIZED_TABLES))
    stored = convert(plain, tmp_path / "plain", customers_per_part=500)
    for source in (MemorySource(plain, -(-len(plain.bills) // 4)), StoredSource(stored)):
        part = source.part(0)
        assert all(getattr(part, table) is None for table in ITEMIZED_TABLES)


def test_rules_by_parts_on_an_itemized_dataset_give_the_whole_run_findings(
    itemized, itemized_converted, by_parts
):
    expected = rules.run(itemized)
    pd.testing.assert_frame_equal(by_parts(itemized), expected)
    pd.testing.assert_frame_equal(by_parts(itemized_converted), expected)


def test_a_part_keeps_the_rows_of_a_customer_missing_from_the_archive(itemized):
    lines = itemized.bill_lines
    stray = lines.iloc[:1].assign(customer_id="NOBODY")
    dataset = replace(itemized, bill_lines=pd.concat([lines, stray], ignore_index=True))
    source = MemorySource(dataset, -(-len(dataset.bills) // 6))
    found = [
        (source.part(index).bill_lines["customer_id"] == "NOBODY").sum()
        for index in range(len(source.partitions))
    ]
    assert sum(found) == 1


def test_an_itemized_table_with_a_header_alone_is_skipped_by_parts_as_in_memory(
    utility, tmp_path, by_parts
):
    headers = {
        table: frame.iloc[:0] for table, frame in itemized_tables(utility).items()
    }  # a header alone: the export left the rows out
    empty = Dataset.from_frames(utility.tables() | headers)
    notes: list[str] = []
    expected = rules.run(empty, notes=notes)
    assert "loss_not_charged skipped: table bill_lines has no rows" in notes
    pd.testing.assert_frame_equal(by_parts(empty), expected)
    stored = convert(empty, tmp_path / "headers", customers_per_part=500)
    pd.testing.assert_frame_equal(by_parts(stored), expected)

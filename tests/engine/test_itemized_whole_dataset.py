"""Whether the data is itemized is decided once for the whole dataset, not by each part's tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from plans import plan_for

from auditkit import rules
from auditkit.data import Dataset
from auditkit.data.partitioned import convert
from auditkit.engine.local import run_parts_locally
from auditkit.engine.partition import combine
from auditkit.engine.sources import MemorySource, StoredSource
from auditkit.rules.context import RuleContext, itemized_billing

#: The district whose customers (those in the first of six parts in memory) have bill lines.
ITEMIZED_DISTRICT_INDEX = 0
#: Parts in memory.
PARTS = 6


def monthly_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The utility with nothing that makes data itemized (`itemized_billing`): no bill lines
    nor transformers, no read dates, of the schedule only each tariff's flat rows."""
    tariffs = tables["tariffs"]
    flat = tariffs["tier"].isna() & (
        tariffs["tou_period"].isna() | (tariffs["tou_period"] == "flat")
    )
    return {
        "customers": tables["customers"],
        "bills": tables["bills"].drop(columns=["read_from", "read_to"]),
        "tariffs": tariffs[flat].assign(tou_period=None).reset_index(drop=True),
        "work_orders": tables["work_orders"],
    }


def in_memory_parts(dataset: Dataset) -> MemorySource:
    return MemorySource(dataset, -(-len(dataset.bills) // PARTS))


@pytest.fixture(scope="module")
def monthly(utility_tables) -> Dataset:
    return Dataset.from_frames(monthly_tables(utility_tables))


@pytest.fixture(scope="module")
def lines_in_one_district(utility_tables, monthly) -> Dataset:
    """The monthly utility with the bill lines of one district's customers in the first part in
    memory only: the other parts have none, in memory and converted (parts by district)."""
    customers, lines = utility_tables["customers"], utility_tables["bill_lines"]
    district = sorted(customers["district"].unique())[ITEMIZED_DISTRICT_INDEX]
    first_part = in_memory_parts(monthly).part_of_customer == 0
    itemized = customers.loc[(customers["district"] == district) & first_part, "customer_id"]
    kept = lines[lines["customer_id"].isin(itemized)].reset_index(drop=True)
    return Dataset.from_frames(monthly_tables(utility_tables) | {"bill_lines": kept})


def test_a_dataset_with_lines_for_some_customers_only_is_itemized_in_every_part(
    lines_in_one_district, tmp_path: Path
):
    whole = rules.run(lines_in_one_district)
    assert RuleContext.build(lines_in_one_district, None).itemized
    memory = in_memory_parts(lines_in_one_district)
    stored = StoredSource(
        convert(lines_in_one_district, tmp_path / "lines", customers_per_part=500), 1
    )
    for source in (memory, stored):
        lines_per_part = [len(source.part(i).bill_lines) for i in range(len(source.partitions))]
        assert 0 in lines_per_part and max(lines_per_part) > 0  # some parts have none
        plan = plan_for(source)
        assert plan.itemized
        # Before, the parts without lines were checked month by month: other findings and
        # money than the whole run's (1525 findings, ¥2,279,082.29 against 1479,
        # ¥2,339,421.87 on a 2,000-customer utility with lines in one district of five).
        pd.testing.assert_frame_equal(combine(plan, run_parts_locally(source, plan), []), whole)


def test_a_dataset_with_no_lines_is_not_itemized_in_any_part(monthly, tmp_path: Path):
    """The near miss: the same utility with no bill line at all stays monthly, whole and by
    parts."""
    assert not RuleContext.build(monthly, None).itemized
    memory = in_memory_parts(monthly)
    stored = StoredSource(convert(monthly, tmp_path / "monthly", customers_per_part=500), 1)
    for source in (memory, stored):
        assert not plan_for(source).itemized


def test_a_profile_of_a_converted_folder_tells_itemized_data_by_what_it_holds(
    monthly, lines_in_one_district, tmp_path: Path
):
    """Each thing that makes data itemized, alone, read from the folder's profile (its
    filled columns) as from the tables themselves."""
    tables = {
        "none": monthly,
        "bill lines": lines_in_one_district,
        "read dates": Dataset.from_frames(
            monthly_tables_with(monthly, bills=monthly.bills.assign(read_from=pd.NaT))
        ),
    }
    bills = monthly.bills.copy()
    bills.loc[0, "read_from"] = pd.Timestamp("2023-01-01")
    tables["one read date"] = Dataset.from_frames(monthly_tables_with(monthly, bills=bills))
    expected = {"none": False, "bill lines": True, "read dates": False, "one read date": True}
    for name, dataset in tables.items():
        profile = StoredSource(
            convert(dataset, tmp_path / name.replace(" ", "_"), customers_per_part=500)
        ).profile()
        assert itemized_billing(dataset) is expected[name], name
        assert itemized_billing(profile) is expected[name], name


def monthly_tables_with(monthly: Dataset, **changed: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The monthly utility's tables, with some of them changed."""
    names = ("customers", "bills", "tariffs", "work_orders")
    return {name: getattr(monthly, name) for name in names} | changed

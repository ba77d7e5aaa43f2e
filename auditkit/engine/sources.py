"""What an engine splits into parts: a Dataset in memory, or a converted (partitioned) folder.

Both give the same parts for the same customers (district, then a hash of customer_id: see
`auditkit.data.partitioned.assign_partitions`), the facts a plan needs about the whole dataset,
and the inputs of the whole-dataset rules. A stored part is read where it is processed (on a
cluster's worker), so only findings travel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditkit.data.partitioned import (
    DEFAULT_CUSTOMERS_PER_PART,
    Partition,
    PartitionedDataset,
    assign_partitions,
)
from auditkit.engine.partition import (
    METER_COLUMNS,
    RulePlan,
    Tables,
    profile_of,
    shared_meter_neighbours,
)
from auditkit.errors import ParameterError

#: The tables the rules read; the others (inspections, daily reads, truth ...) stay where they are.
RULE_TABLES = ("customers", "bills", "tariffs", "work_orders")


class MemorySource:
    """A Dataset already in memory, split into parts by the partitioned layout's rule."""

    def __init__(
        self, dataset: object, customers_per_part: int = DEFAULT_CUSTOMERS_PER_PART
    ) -> None:
        self.dataset = dataset
        self.partitions, self.part_of_customer = assign_partitions(
            dataset.customers, customers_per_part
        )

    def periods(self) -> tuple[str | None, str | None]:
        periods = self.dataset.bills["period"].dropna()
        return (str(periods.min()), str(periods.max())) if len(periods) else (None, None)

    def profile(self) -> object:
        return self.dataset  # rule needs read the tables themselves

    def meters(self) -> tuple[pd.DataFrame, np.ndarray]:
        """customer_id, meter_id and status of every customer, and each one's part."""
        return self.dataset.customers[list(METER_COLUMNS)], self.part_of_customer

    def neighbour_rows(self, customer_ids: np.ndarray, parts: list[int]) -> pd.DataFrame:
        """Whole archive rows of the given customers (who are in `parts`)."""
        customers = self.dataset.customers
        return customers[customers["customer_id"].isin(customer_ids)].reset_index(drop=True)

    def parts(self) -> list[Tables]:
        """The rules' tables of every part, in partition order."""
        customers = self.dataset.customers
        index = pd.Index(customers["customer_id"])
        split_customers = _split(customers, self.part_of_customer, len(self.partitions))
        split = {}
        for name in ("bills", "work_orders"):
            frame = getattr(self.dataset, name)
            if frame is None:
                split[name] = [None] * len(self.partitions)
                continue
            part = self.part_of_customer[index.get_indexer(frame["customer_id"])]
            split[name] = _split(frame, part, len(self.partitions))
        tariffs = self.dataset.tariffs
        return [
            Tables(split_customers[i], split["bills"][i], tariffs, split["work_orders"][i])
            for i in range(len(self.partitions))
        ]

    def whole_dataset_input(self, plan: RulePlan) -> Tables:
        """The whole-dataset rules' columns, bills from the first period they read."""
        wanted = plan.whole_dataset_input()
        bills = self.dataset.bills
        bills = bills.loc[
            (bills["period"] >= plan.first_period_read()).to_numpy(), list(wanted.bills)
        ]
        orders = self.dataset.work_orders
        return Tables(
            self.dataset.customers[list(wanted.customers)],
            bills.reset_index(drop=True),
            self.dataset.tariffs,
            None if orders is None else orders[list(wanted.work_orders)],
        )


def _split(frame: pd.DataFrame, part: np.ndarray, parts: int) -> list[pd.DataFrame]:
    """Rows of `frame` per part, each part keeping the rows' order."""
    order = np.argsort(part, kind="stable")
    bounds = np.searchsorted(part[order], np.arange(parts + 1))
    ordered = frame.take(order)
    return [ordered.iloc[bounds[i] : bounds[i + 1]].reset_index(drop=True) for i in range(parts)]


@dataclass(frozen=True)
class StoredSource:
    """A converted folder: parts are read from their own files where they are processed."""

    dataset: PartitionedDataset

    @property
    def partitions(self) -> list[Partition]:
        return self.dataset.partitions

    def periods(self) -> tuple[str | None, str | None]:
        return self.dataset.periods

    def profile(self) -> object:
        info = self.dataset.table_info
        return profile_of(
            {name: info[name]["columns"] for name in info},
            {name: info[name]["filled"] for name in info},
        )

    def meters(self) -> tuple[pd.DataFrame, np.ndarray]:
        """customer_id, meter_id and status of every customer, and each one's part."""
        meters = self.dataset.read("customers", columns=list(METER_COLUMNS))
        rows = [self.dataset.rows("customers", [p]) for p in self.partitions]
        return meters, np.repeat(np.arange(len(self.partitions)), rows)

    def neighbour_rows(self, customer_ids: np.ndarray, parts: list[int]) -> pd.DataFrame:
        """Whole archive rows of the given customers, reading only `parts` (which hold them)."""
        customers = self.dataset.read("customers", [self.partitions[i] for i in parts])
        return customers[customers["customer_id"].isin(customer_ids)].reset_index(drop=True)

    def part(self, index: int) -> Tables:
        """The rules' tables of part `index`, read from its files."""
        partition = [self.partitions[index]]
        present = self.dataset.table_info
        return Tables(
            self.dataset.read("customers", partition),
            self.dataset.read("bills", partition),
            self.dataset.read("tariffs"),
            self.dataset.read("work_orders", partition) if "work_orders" in present else None,
        )

    def whole_dataset_part(self, index: int, plan: RulePlan) -> Tables:
        """Part `index`'s share of the whole-dataset rules' input (columns and months they read)."""
        wanted = plan.whole_dataset_input()
        partition = [self.partitions[index]]
        bills = self.dataset.read("bills", partition, wanted.bills)
        bills = bills.loc[(bills["period"] >= plan.first_period_read()).to_numpy()]
        present = self.dataset.table_info
        return Tables(
            self.dataset.read("customers", partition, wanted.customers),
            bills.reset_index(drop=True),
            self.dataset.read("tariffs"),
            self.dataset.read("work_orders", partition, wanted.work_orders)
            if "work_orders" in present
            else None,
        )


def neighbours_by_part(source: MemorySource | StoredSource) -> dict[int, pd.DataFrame]:
    """Per part, the archive rows of other parts' customers sharing a meter with its accounts."""
    meters, part = source.meters()
    ids_by_part = shared_meter_neighbours(meters, part)
    if not ids_by_part:
        return {}
    wanted = np.unique(np.concatenate(list(ids_by_part.values())))
    holding = np.unique(part[meters["customer_id"].isin(wanted).to_numpy()]).tolist()
    rows = source.neighbour_rows(wanted, holding)
    return {
        index: rows[rows["customer_id"].isin(ids)].reset_index(drop=True)
        for index, ids in ids_by_part.items()
    }


def gather_whole_dataset(pieces: list[Tables]) -> Tables:
    """The whole-dataset rules' input from every part's share."""
    orders = [piece.work_orders for piece in pieces if piece.work_orders is not None]
    return Tables(
        pd.concat([piece.customers for piece in pieces], ignore_index=True),
        pd.concat([piece.bills for piece in pieces], ignore_index=True),
        pieces[0].tariffs,
        pd.concat(orders, ignore_index=True) if orders else None,
    )


def source_of(dataset: object) -> MemorySource | StoredSource:
    """The source for a Dataset (or any object with the rule tables) or a PartitionedDataset."""
    if isinstance(dataset, PartitionedDataset):
        return StoredSource(dataset)
    if all(hasattr(dataset, name) for name in RULE_TABLES):
        return MemorySource(dataset)
    raise ParameterError(
        "dataset",
        "a Dataset (auditkit.data.load) or a lazily loaded one (load(path, lazy=True))",
        type(dataset).__name__,
    )

"""What an engine splits into parts: a Dataset in memory, or a converted (partitioned) folder.

Any split of the customers gives the findings of one run over the whole dataset (see
`auditkit.engine.partition`), so each source splits the way that is cheapest for it, into parts
of about `BILLS_PER_PART` bills (each part costs the rules a fixed overhead):

- a converted folder by its partitions (district, then a hash of customer_id: see
  `auditkit.data.partitioned.assign_partitions`), small ones merged, each part read from its own
  files where it is processed (on a cluster's worker), so only findings travel;
- a Dataset in memory whose bills come grouped by customer (as exports and `load` give them) into
  runs of whole customers of about equal numbers of bills: each part's bills are a slice of the
  bills table, no copy and no reordering; other datasets by the partitioned layout's rule.

Both give the facts a plan needs about the whole dataset, the neighbours of each part, and each
part's number of bills (engines start the largest parts first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditkit.data.partitioned import (
    Partition,
    PartitionedDataset,
    assign_partitions,
)
from auditkit.data.threads import GIL_FREE_THREADS
from auditkit.engine.partition import (
    ITEMIZED_TABLES,
    METER_COLUMNS,
    PartResult,
    RulePlan,
    Tables,
    daily_window,
    profile_of,
    run_part,
    run_whole_dataset,
    shared_meter_neighbours,
    whole_dataset_share,
)
from auditkit.engine.partition import present as present_columns
from auditkit.engine.shares import read_whole_dataset_input
from auditkit.errors import ParameterError
from auditkit.rules.context import RECORDED_DATES, latest_date, run_starts

#: The tables the rules read (with the itemized-billing tables and inspections a dataset has,
#: `ITEMIZED_TABLES`); the others (daily reads, truth ...) stay where they are.
RULE_TABLES = ("customers", "bills", "tariffs", "work_orders")
#: Bills per part: large enough that the rules' fixed cost per part (0.3-0.5 s) is small, small
#: enough that a part and the rules' work on it (1.7 GB for 1.15 million bills, the worker
#: process included) run beside the whole-dataset rules' bills (5.6 GB at a million customers)
#: within 8 GB: a converted folder's partitions of 50,000 customers are each a part.
BILLS_PER_PART = 1_500_000


class MemorySource:
    """A Dataset already in memory, split into parts of about `bills_per_part` bills."""

    def __init__(self, dataset: object, bills_per_part: int = BILLS_PER_PART) -> None:
        if bills_per_part < 1:
            raise ParameterError("bills_per_part", "a whole number ≥ 1", bills_per_part)
        self.dataset = dataset
        self._rows: dict[str, _RowsByPart] = {}
        customers, bills = dataset.customers, dataset.bills
        parts = max(1, -(-len(bills) // bills_per_part))
        runs = _customer_runs(bills["customer_id"])
        #: Per part, where its bills start and end (grouped bills), else None.
        self._bill_bounds: np.ndarray | None = None
        if runs is None:  # bills not grouped by customer: parts as the partitioned layout's
            per_part = max(1, -(-len(customers) // parts))
            partitions, self.part_of_customer = assign_partitions(customers, per_part)
            self.partitions = [str(partition) for partition in partitions]
            return
        starts, run_ids = runs
        # Part boundaries at the customer runs nearest to equal shares of the bills.
        targets = np.arange(1, parts) * len(bills) / parts
        cuts = np.unique(np.concatenate([[0], np.searchsorted(starts, targets), [len(starts)]]))
        run_part = np.repeat(np.arange(len(cuts) - 1), np.diff(cuts))
        self.partitions = [f"{index + 1}/{len(cuts) - 1}" for index in range(len(cuts) - 1)]
        position = pd.Index(customers["customer_id"]).get_indexer(run_ids)
        # Customers without bills join the last part; bills of unknown customers stay in theirs.
        self.part_of_customer = np.full(len(customers), len(self.partitions) - 1)
        self.part_of_customer[position[position >= 0]] = run_part[position >= 0]
        self._bill_bounds = np.append(starts, len(bills))[cuts]

    def periods(self) -> tuple[str | None, str | None]:
        periods = self.dataset.bills["period"].dropna()
        return (str(periods.min()), str(periods.max())) if len(periods) else (None, None)

    def profile(self) -> object:
        return self.dataset  # rule needs read the tables themselves

    def latest_date(self) -> pd.Timestamp | None:
        """The day the whole dataset was extracted, as far as its data tells (`latest_date`)."""
        return latest_date(self.dataset)

    def meters(self) -> tuple[pd.DataFrame, np.ndarray]:
        """customer_id, meter_id and status of every customer, and each one's part."""
        return self.dataset.customers[list(METER_COLUMNS)], self.part_of_customer

    def neighbour_rows(self, customer_ids: np.ndarray, parts: list[int]) -> pd.DataFrame:
        """Whole archive rows of the given customers (who are in `parts`)."""
        customers = self.dataset.customers
        return customers[customers["customer_id"].isin(customer_ids)].reset_index(drop=True)

    def whole_dataset_input(self, plan: RulePlan) -> Tables:
        """The whole-dataset rules' input in one piece (the columns and rows they read)."""
        dataset = self.dataset
        whole = Tables(
            dataset.customers,
            dataset.bills,
            dataset.tariffs,
            dataset.work_orders,
            getattr(dataset, "daily_reads", None),
            adjustments=getattr(dataset, "adjustments", None),
        )
        return whole_dataset_share(whole, plan)

    def whole_dataset_part(self, index: int, plan: RulePlan, tables: Tables) -> Tables:
        """Part `index`'s share of the whole-dataset rules' input, cut from its `tables`."""
        reads = getattr(self.dataset, "daily_reads", None)
        if reads is not None and plan.whole_dataset_input().daily_reads:
            reads = _take(reads, self._rows_by_part("daily_reads").rows(index))
        return whole_dataset_share(replace(tables, daily_reads=reads), plan)

    def bill_rows(self, index: int) -> int:
        """Bills of part `index`."""
        if self._bill_bounds is None:
            return len(self._rows_by_part("bills").rows(index))
        return int(self._bill_bounds[index + 1] - self._bill_bounds[index])

    def part(self, index: int) -> Tables:
        """The rules' tables of part `index` (rows in the dataset's order)."""
        dataset = self.dataset
        if self._bill_bounds is None:
            bills = _take(dataset.bills, self._rows_by_part("bills").rows(index))
        else:
            first, end = self._bill_bounds[index], self._bill_bounds[index + 1]
            bills = dataset.bills.iloc[first:end].reset_index(drop=True)
        return Tables(
            _take(dataset.customers, self._rows_by_part("customers").rows(index)),
            bills,
            dataset.tariffs,
            **{
                table: _take(getattr(dataset, table), self._rows_by_part(table).rows(index))
                for table in ("work_orders", *ITEMIZED_TABLES)
                if getattr(dataset, table, None) is not None
            },
        )

    def _rows_by_part(self, table: str) -> _RowsByPart:
        """The rows of a table per part (computed once). Rows of customers absent from the
        archive go to part 0: each row is in one part, and the rules leave them out anywhere."""
        if table not in self._rows:
            if table == "customers":
                part = self.part_of_customer
            else:
                position = pd.Index(self.dataset.customers["customer_id"]).get_indexer(
                    getattr(self.dataset, table)["customer_id"]
                )
                part = np.where(position >= 0, self.part_of_customer[position], 0)
            self._rows[table] = _RowsByPart(part, len(self.partitions))
        return self._rows[table]


class _RowsByPart:
    """Positions of the rows of each part, in row order, from each row's part."""

    def __init__(self, part: np.ndarray, parts: int) -> None:
        self.order = np.argsort(part, kind="stable")
        self.bounds = np.searchsorted(part[self.order], np.arange(parts + 1))

    def rows(self, index: int) -> np.ndarray:
        return self.order[self.bounds[index] : self.bounds[index + 1]]


def _take(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    return frame.take(rows).reset_index(drop=True)


def _customer_runs(customer_ids: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """Where each customer's bills start and whose they are, when every customer's bills are
    contiguous; None otherwise (or when a bill has no customer_id)."""
    if len(customer_ids) == 0 or customer_ids.hasnans:
        return None
    starts = run_starts(customer_ids)
    run_ids = customer_ids.iloc[starts].to_numpy()
    return (starts, run_ids) if pd.Index(run_ids).is_unique else None


@dataclass(frozen=True)
class StoredSource:
    """A converted folder: parts are read from their own files where they are processed.

    A part is one or more of the folder's partitions: small ones (the parts of small districts)
    are merged into parts of about `bills_per_part` bills, since every part costs the rules a
    fixed overhead. Cells are taken as `convert` checked them
    (`PartitionedDataset.read(check_cells=False)`): a converted folder was validated whole, and
    opening it checked every file's size.
    """

    dataset: PartitionedDataset
    bills_per_part: int = BILLS_PER_PART

    def __post_init__(self) -> None:
        if self.bills_per_part < 1:
            raise ParameterError("bills_per_part", "a whole number ≥ 1", self.bills_per_part)

    @cached_property
    def part_partitions(self) -> list[list[Partition]]:
        """The partitions of each part."""
        partitions = self.dataset.partitions
        sizes = [self.dataset.rows("bills", [partition]) for partition in partitions]
        return [
            [partitions[i] for i in part] for part in merge_into_parts(sizes, self.bills_per_part)
        ]

    @property
    def partitions(self) -> list[str]:
        """Each part's name: its partitions."""
        return ["+".join(str(partition) for partition in part) for part in self.part_partitions]

    def periods(self) -> tuple[str | None, str | None]:
        return self.dataset.periods

    def profile(self) -> object:
        info = self.dataset.table_info
        return profile_of(
            {name: info[name]["columns"] for name in info},
            {name: info[name]["filled"] for name in info},
        )

    def latest_date(self) -> pd.Timestamp | None:
        """The day the whole folder was extracted, as far as its data tells (`latest_date` of
        all of it), reading the recorded dates of one partition a read, a few reads at once in
        threads (each file is hashed as it is read: the workers forked later do not hash it
        again). The first file in order that cannot be read is the error raised."""
        info = self.dataset.table_info
        reads = []
        for table, wanted in RECORDED_DATES.items():
            names = present_columns(info[table]["columns"], wanted) if table in info else []
            if names:
                pieces = [None] if info[table]["layout"] == "file" else self.dataset.partitions
                reads.extend((table, None if piece is None else [piece], names) for piece in pieces)

        def latest_of(read: tuple[str, list[Partition] | None, list[str]]) -> list:
            table, partitions, names = read
            arrow, _ = self.dataset.read_arrow(table, partitions, names)
            return [pc.max(arrow[name]).as_py() for name in names]

        with ThreadPoolExecutor(max_workers=GIL_FREE_THREADS) as pool:
            latest = [day for days in pool.map(latest_of, reads) for day in days]
        latest = [day for day in latest if day is not None]
        return pd.Timestamp(max(latest)).normalize() if latest else None

    def meters(self) -> tuple[pd.DataFrame, np.ndarray]:
        """customer_id, meter_id and status of every customer, and each one's part."""
        in_order = [partition for part in self.part_partitions for partition in part]
        meters = self._read("customers", in_order, list(METER_COLUMNS))
        rows = [self.dataset.rows("customers", part) for part in self.part_partitions]
        return meters, np.repeat(np.arange(len(rows)), rows)

    def neighbour_rows(self, customer_ids: np.ndarray, parts: list[int]) -> pd.DataFrame:
        """Whole archive rows of the given customers, reading only `parts` (which hold them).

        File by file: the few rows kept from each are joined, not every row of every file
        (joining a million archive rows to keep a few hundred cost the parent a second)."""
        wanted = pa.array(np.asarray(customer_ids, dtype=object), pa.string())
        kept = [
            self._read(
                "customers",
                [partition],
                keep=lambda rows: pc.is_in(rows["customer_id"], value_set=wanted),
            )
            for index in parts
            for partition in self.part_partitions[index]
        ]
        return pd.concat(kept, ignore_index=True)

    def bill_rows(self, index: int) -> int:
        """Bills of part `index`."""
        return self.dataset.rows("bills", self.part_partitions[index])

    def part(self, index: int) -> Tables:
        """The rules' tables of part `index`, read from its files."""
        partition = self.part_partitions[index]
        present = self.dataset.table_info
        return Tables(
            self._read("customers", partition),
            self._read("bills", partition),
            self._read("tariffs"),
            **{
                table: self._read(table, partition)
                for table in ("work_orders", *ITEMIZED_TABLES)
                if table in present
            },
        )

    def whole_dataset_input(self, plan: RulePlan, rule_ids: Sequence[str] | None = None) -> Tables:
        """The input of the whole-dataset rules `rule_ids` (default: all that run) in one piece,
        read from the files without the rest of the parts (`auditkit.engine.shares`): the parts'
        shares one after another, as `gather_whole_dataset` joins them."""
        in_order = [partition for part in self.part_partitions for partition in part]
        return read_whole_dataset_input(self.dataset, in_order, plan, rule_ids)

    def whole_dataset_part(self, index: int, plan: RulePlan, tables: Tables) -> Tables:
        """Part `index`'s share of the whole-dataset rules' input, cut from its `tables` (read
        by a run in this process); its daily reads, which parts do not carry, read from its
        files."""
        wanted = plan.whole_dataset_input()
        reads = None
        if wanted.daily_reads and "daily_reads" in self.dataset.table_info:
            first = daily_window(plan, wanted)[0].astype("datetime64[us]")
            first_day = pa.scalar(first, pa.timestamp("us"))
            reads = self._read(
                "daily_reads",
                self.part_partitions[index],
                wanted.daily_reads,
                keep=lambda rows: pc.greater_equal(rows["date"], first_day),
            )
        return whole_dataset_share(replace(tables, daily_reads=reads), plan)

    def _read(
        self,
        table: str,
        partitions: list[Partition] | None = None,
        columns: Sequence[str] | None = None,
        keep: Callable[[pa.Table], pa.ChunkedArray] | None = None,
    ) -> pd.DataFrame:
        return self.dataset.read(table, partitions, columns, keep, check_cells=False)


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


def merge_into_parts(sizes: Sequence[int], per_part: int) -> list[list[int]]:
    """Items (by position, of the given sizes) merged into parts of nearly equal sizes: as many
    parts as `per_part` goes into their total, more where that leaves a part above `per_part`
    (30 partitions of 1.15 million bills make 15 parts of two, not 14 of which two hold three:
    a part's size bounds its memory); each item, largest first, joins the smallest part."""
    count = max(1, min(len(sizes), -(-sum(sizes) // per_part)))
    while True:
        parts: list[list[int]] = [[] for _ in range(count)]
        totals = [0] * count
        for item in sorted(range(len(sizes)), key=lambda position: -sizes[position]):
            smallest = min(range(count), key=totals.__getitem__)
            parts[smallest].append(item)
            totals[smallest] += sizes[item]
        if max(totals) <= per_part or count >= len(sizes):
            return sorted(sorted(part) for part in parts)  # in the items' order
        count += 1


def largest_first(source: MemorySource | StoredSource) -> list[int]:
    """The parts by decreasing number of bills: started first, the long ones do not finish last."""
    return sorted(range(len(source.partitions)), key=lambda index: -source.bill_rows(index))


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


#: Where parts run: one after another in this process, or on a dask cluster.
ENGINES = ("local", "dask")


def check_engine(engine: str, scheduler: str | None) -> None:
    """Refuse an unknown engine, and a scheduler address without the dask engine, by name."""
    if engine not in ENGINES:
        raise ParameterError("engine", f"one of {', '.join(ENGINES)}", engine)
    if engine == "local" and scheduler is not None:
        raise ParameterError(
            "scheduler", "no scheduler with engine='local' (use 'dask')", scheduler
        )


def run_stored_part(
    source: StoredSource, index: int, plan: RulePlan, neighbours: pd.DataFrame | None
) -> PartResult:
    """Part `index` of a converted folder, read where it runs (a worker of either engine)."""
    return run_part(source.part(index), plan, neighbours)


def run_stored_whole(
    source: StoredSource, plan: RulePlan, rule_ids: Sequence[str] | None = None
) -> PartResult:
    """The whole-dataset rules `rule_ids` (default: all that run) on their input read from a
    converted folder in one pass, where they run."""
    return run_whole_dataset(source.whole_dataset_input(plan, rule_ids), plan, rule_ids)

"""Data the rules share, prepared once per run: bills in customer order, month numbers, rates in force.

Rules read these arrays instead of re-deriving them, so the whole library makes one pass of
preparation over the bills however many rules run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditkit.arrow_text import arrow_text, run_changes
from auditkit.billing.basic import (
    CONTRACT_ORDERS,
    basic_charge_billed,
    capacity_before,
    capacity_billed_of,
)
from auditkit.billing.bill_frame import BASES, basis_in_force
from auditkit.billing.tariff_lookup import TariffLookup, day_numbers
from auditkit.data.schema import TABLES
from auditkit.errors import ParameterError
from auditkit.periods import (
    date_month_number,
    month_end,
    month_end_days,
    month_first_days,
    month_number,
    period_text,
)
from auditkit.rules.recomputed import Recomputed, recompute_lines
from auditkit.rules.shared import read_only


@dataclass(frozen=True)
class RuleContext:
    """The dataset restricted to what is known at `as_of`, with per-bill lookups the rules share.

    Frozen: the lookups are computed once from the tables and cached, so no table can be
    swapped under them; for other tables, build a new context (`build`, `at_month`)."""

    customers: pd.DataFrame
    bills: pd.DataFrame
    tariffs: pd.DataFrame
    work_orders: pd.DataFrame | None
    as_of: int  # month number of the audit date
    daily_reads: pd.DataFrame | None = field(default=None, repr=False)  # as in the dataset
    rate_tables: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    # Itemized billing (as in the dataset, None where absent), and the dataset itself, which
    # the recomputation reads as given.
    bill_lines: pd.DataFrame | None = field(default=None, repr=False)
    transformers: pd.DataFrame | None = field(default=None, repr=False)
    source: object = field(default=None, repr=False)
    # The day the whole dataset was extracted, given when the rules run on one part of it at a
    # time (None: `extracted_on` reads it from the tables).
    extract_date: pd.Timestamp | None = None
    # Every work order of the dataset, those issued after the audit month too (`work_orders`
    # keeps the ones known at the audit date): the archive is a snapshot of the extract, so the
    # terms it held in an earlier month are rewound through all of them (`tariff_in_force`).
    archived_orders: pd.DataFrame | None = field(default=None, repr=False)
    # Whether the whole dataset bills the real way (`itemized_billing`), given when the rules run
    # on one part of it at a time (None: `itemized` reads it from the tables): a part may hold
    # none of the customers with bill lines.
    dataset_itemized: bool | None = None

    @classmethod
    def build(cls, dataset: object, as_of: str | None) -> RuleContext:
        """Prepare a run: sort bills by customer and period and keep those up to `as_of`."""
        bill_month = month_number(dataset.bills["period"]).astype(np.int32)
        as_of_month = audit_month(as_of, int(bill_month.min()), int(bill_month.max()))
        return cls.at_month(dataset, as_of_month, bill_month)

    @classmethod
    def at_month(
        cls,
        dataset: object,
        as_of_month: int,
        bill_month: np.ndarray | None = None,
        extract_date: pd.Timestamp | None = None,
        itemized: bool | None = None,
    ) -> RuleContext:
        """Prepare a run at a month already checked by `audit_month` (any bills, even none).

        Engines that run the rules on one part of a dataset at a time use this: the audit month
        comes from the whole dataset, not from the part's own bills, and so should
        `extract_date` (the largest `latest_date` of the parts; default that of `dataset`) and
        `itemized` (`itemized_billing` of the whole dataset; default that of `dataset`).
        """
        bills = with_contract_columns(dataset.bills, "bills")
        if bill_month is None:
            bill_month = _bill_months(bills["period"])
        # int32 codes and months: 35M bills take 140 MB per column instead of 280 MB
        month = bill_month.astype(np.int32, copy=False)
        keep = month <= as_of_month
        customers = with_contract_columns(dataset.customers, "customers").reset_index(drop=True)
        if not keep.all():
            bills, month = bills.loc[keep], month[keep]
        cust = customer_positions(bills["customer_id"], customers["customer_id"])
        # Series share the arrays (assigning an array would copy each: 140 MB at 35M bills)
        bills = bills.assign(
            month=pd.Series(month, index=bills.index, copy=False),
            cust=pd.Series(cust, index=bills.index, copy=False),
        )
        if not _in_customer_order(cust, month):  # exports usually come sorted already
            bills = bills.sort_values(["cust", "month"], kind="stable")
        bills = bills.reset_index(drop=True)
        archived = orders = dataset.work_orders
        if orders is not None:
            archived = with_contract_columns(orders, "work_orders").assign(
                cust=lambda table: archive_rows(customers["customer_id"], table["customer_id"]),
                effective_month=lambda table: date_month_number(table["effective_date"]),
            )
            orders = archived.loc[archived["issued_at"] <= month_end(as_of_month)].copy()
        tariffs = with_contract_columns(dataset.tariffs, "tariffs")
        daily_reads = getattr(dataset, "daily_reads", None)
        return cls(
            customers,
            bills,
            tariffs,
            orders,
            as_of_month,
            daily_reads,
            bill_lines=getattr(dataset, "bill_lines", None),
            transformers=getattr(dataset, "transformers", None),
            source=dataset,
            extract_date=extract_date,
            archived_orders=archived,
            dataset_itemized=itemized,
        )

    @cached_property
    def recomputed(self) -> Recomputed:
        """The bills up to the audit month recomputed line by line (`auditkit.billing.recompute`),
        tied to the context's bills; computed once, on first use, for the rules that read it."""
        return recompute_lines(self)

    @cached_property
    def itemized(self) -> bool:
        """The dataset bills the real way (`itemized_billing`): the one given for the whole
        dataset, else that of the context's tables."""
        return itemized_billing(self) if self.dataset_itemized is None else self.dataset_itemized

    @cached_property
    def daily(self) -> DailyReads | None:
        """The daily reads up to the audit month's last day as codes (None without daily reads).

        Read once, on first use: only rules that read daily consumption pay for it.
        """
        if self.daily_reads is None or self.daily_reads.empty:
            return None
        reads = self.daily_reads
        codes, uniques = pd.factorize(reads["customer_id"])
        known = self.customer_codes(uniques).astype(np.int32)
        cust = np.append(known, np.int32(-1))[codes]
        day = reads["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
        last_day = int(np.datetime64(self.as_of_date.date(), "D").astype(np.int64))
        keep = np.flatnonzero((cust >= 0) & (day <= last_day))
        return DailyReads(cust[keep], day[keep], reads["kwh"].to_numpy(dtype=float)[keep])

    @cached_property
    def extracted_on(self) -> pd.Timestamp | None:
        """The day the data was extracted: the one given, else the latest date the tables hold
        (`latest_date`; None where they hold none)."""
        return latest_date(self.source) if self.extract_date is None else self.extract_date

    @property
    def as_of_period(self) -> str:
        return period_text(self.as_of)

    @property
    def as_of_date(self) -> pd.Timestamp:
        """Last day of the audit month: the date steps and tests are measured against."""
        return month_end(self.as_of)

    @cached_property
    def bill_customer(self) -> np.ndarray:
        return self.bills["cust"].to_numpy()

    @cached_property
    def bill_month(self) -> np.ndarray:
        return self.bills["month"].to_numpy()

    @cached_property
    def same_customer_as_previous(self) -> np.ndarray:
        """True where a bill's previous row is the same customer's earlier bill."""
        cust = self.bill_customer
        result = np.zeros(len(cust), dtype=bool)
        result[1:] = cust[1:] == cust[:-1]
        return result

    def customer_column(self, column: str) -> np.ndarray:
        """A numeric archive column aligned with the bills (text columns: use `customer_is`)."""
        return self.customers[column].to_numpy(dtype=float)[self.bill_customer]

    def customer_flag(self, column: str, *values: str) -> np.ndarray:
        """Per customer (archive row): its `column` is one of `values`."""
        return self.customers[column].isin(values).to_numpy(dtype=bool)

    def customer_is(self, column: str, *values: str) -> np.ndarray:
        """Per bill: the customer's archive `column` is one of `values`.

        Compared once per customer, then spread over the bills: a text column is never copied
        to the bills' length as Python strings.
        """
        per_customer = self.customer_flag(column, *values)
        return np.append(per_customer, False)[self.bill_customer]  # -1: not in the archive

    @cached_property
    def bill_basis(self) -> np.ndarray:
        """Per bill, the basic-charge basis in force on the day it was read to (its read_to,
        else its month's last day), as a position in BASES (−1: none recorded, or a customer not
        in the archive): the archive's, which is today's, and before a basis_change order known
        at the audit date (issued by its month's end) its old value, read as the recomputation
        reads it (`bill_frame.basis_in_force`): rules judge each bill on the basis it was due on.

        A read period has one basis, the one in force on read_to: a change effective inside it
        (mid-month, on calendar reads) puts the whole bill on the new basis, as the recomputation
        prices it, and a change effective after read_to (the 28th, on a bill read to the 25th)
        leaves it on the old one. Only the bills of customers with such orders are searched;
        read-only (every rule reads it)."""
        archive = pd.Index(BASES).get_indexer(self.customers["basic_charge_basis"])
        basis = np.append(archive.astype(np.int8), np.int8(-1))[self.bill_customer]
        orders = self.orders_of("basis_change")
        rows = bill_rows_of(self.bill_customer, orders["cust"].to_numpy(dtype=np.int64))
        if len(rows):
            read_to = self.read_days(rows)[1].view(np.int64)
            in_force = basis_in_force(self.customers, orders, self.bill_customer[rows], read_to)
            codes = pd.Index(BASES).get_indexer(in_force.categories).astype(np.int8)
            basis[rows] = np.append(codes, np.int8(-1))[in_force.codes]
        return read_only(basis)

    def basis_is(self, rows: np.ndarray | None, *bases: str) -> np.ndarray:
        """Per bill of `rows` (positions; every bill where None): the basis in force on it
        (`bill_basis`) is one of `bases`."""
        basis = self.bill_basis if rows is None else self.bill_basis[rows]
        return np.isin(basis, [BASES.index(name) for name in bases])

    def customer_codes(self, customer_ids: pd.Series) -> np.ndarray:
        """Each id's row in the archive, -1 where unknown: how the rows of the optional tables
        (meter tests and events, inspections, adjustments) find their customer
        (`archive_rows`)."""
        return archive_rows(self.customers["customer_id"], customer_ids)

    @cached_property
    def first_bill_month(self) -> np.ndarray:
        """Per customer, the month of its first bill (the largest int64 where it has none)."""
        first = np.full(len(self.customers), np.iinfo(np.int64).max)
        starts = ~self.same_customer_as_previous
        first[self.bill_customer[starts]] = self.bill_month[starts]
        return first

    @cached_property
    def tariff_index(self) -> pd.Index:
        """Every tariff code the schedule knows; codes elsewhere are looked up against it."""
        return pd.Index(pd.unique(self.tariffs["tariff_category"].astype(str)))

    @cached_property
    def billed_tariff_codes(self) -> tuple[np.ndarray, pd.Index]:
        """Each bill's tariff_billed as a code into the distinct tariffs billed (-1 where empty).

        Tariffs the schedule does not list keep codes of their own, so a change between two
        unlisted tariffs is still a change.
        """
        billed = self.bills["tariff_billed"]
        starts = run_starts(billed)  # a customer's tariff seldom changes: factorize runs only
        codes, uniques = pd.factorize(billed.iloc[starts])
        codes = spread_over_runs(codes.astype(np.int32), starts, len(billed))
        return codes, pd.Index(uniques).astype(str)

    @cached_property
    def bill_tariff(self) -> np.ndarray:
        """Each bill's tariff as a position in `tariff_index` (-1 where the schedule lacks it)."""
        codes, uniques = self.billed_tariff_codes
        positions = np.append(self.tariff_index.get_indexer(uniques), -1)  # empty: unknown
        return positions.astype(np.int32)[codes]

    def tariff_code(self, tariff: np.ndarray | pd.Series) -> np.ndarray:
        """Positions in `tariff_index` of tariff names (-1 where unknown)."""
        names = tariff if isinstance(tariff, pd.Series) else np.asarray(tariff, dtype=object)
        codes, uniques = pd.factorize(names)
        positions = self.tariff_index.get_indexer(pd.Index(uniques).astype(str))
        return np.append(positions, -1)[codes]  # a missing name (code -1) is unknown too

    @cached_property
    def first_month(self) -> int:
        return int(self.bill_month.min()) if len(self.bill_month) else self.as_of

    @cached_property
    def line_customer_runs(self) -> CustomerRuns | None:
        """The bill lines' runs of one customer (None without lines), to pick a few customers'
        lines many times without a pass over every line (`rules.repriced`)."""
        return None if self.bill_lines is None else self._customer_runs(self.bill_lines)

    @cached_property
    def transformer_customer_runs(self) -> CustomerRuns | None:
        """The transformers' runs of one customer (None without the table), as the lines'."""
        return None if self.transformers is None else self._customer_runs(self.transformers)

    def _customer_runs(self, table: pd.DataFrame) -> CustomerRuns:
        starts = run_starts(table["customer_id"])
        ids = table["customer_id"].iloc[starts]
        customer = archive_rows(self.customers["customer_id"], ids)
        customer[ids.isna().to_numpy(dtype=bool)] = -1  # a missing id is nobody's
        return CustomerRuns(starts, customer, len(table))

    @cached_property
    def tariff_lookup(self) -> TariffLookup:
        """The schedule's rows in force by category, date, voltage band, period and tier."""
        return TariffLookup(self.tariffs)

    @cached_property
    def customer_voltage_code(self) -> tuple[np.ndarray, np.ndarray]:
        """Each customer's supply voltage as a code into the distinct voltages, and those (kV).

        A utility has a handful of supply voltages: rates are looked up once per tariff, voltage
        and month, then read per bill by code.
        """
        codes, voltages = pd.factorize(self.customers["voltage_kv"].to_numpy(dtype=float))
        unknown = len(voltages)  # a missing voltage: a code of its own, matching no band
        return np.where(codes < 0, unknown, codes), np.append(voltages, np.nan)

    def _rate_table(self, column: str) -> np.ndarray:
        """Flat rate `column` per (tariff, voltage) pair (rows, plus a NaN row for unknown
        tariffs) and month since `first_month`, as in force on each month's last day."""
        voltages = self.customer_voltage_code[1]
        months = np.arange(self.first_month, self.as_of + 1)
        pairs = len(self.tariff_index) * len(voltages)
        category = np.repeat(self.tariff_index.to_numpy(dtype=object), len(voltages) * len(months))
        voltage = np.tile(np.repeat(voltages, len(months)), len(self.tariff_index))
        month_end = np.tile(month_end_days(months), pairs)
        rates = self.tariff_lookup.rate(category, month_end, voltage, column)
        return np.vstack([rates.reshape(pairs, len(months)), np.full((1, len(months)), np.nan)])

    def schedule_rate(
        self, tariff: np.ndarray, month: np.ndarray, column: str, rows: np.ndarray | None = None
    ) -> np.ndarray:
        """Flat rate `column` of the schedule in force for each (tariff, month) at the voltage of
        the bills `rows` (all bills when None); NaN where none is.

        `tariff` holds tariff names, or integer positions in `tariff_index` (as `bill_tariff`).
        The flat rate is the row without a time-of-use period (else 'flat'), without a tier (else
        tier 1), of the narrowest voltage band holding the customer's voltage
        (`auditkit.billing.tariff_lookup`), in force on the month's last day.
        """
        if column not in self.rate_tables:
            self.rate_tables[column] = self._rate_table(column)
        tariff = np.asarray(tariff)
        codes = tariff if np.issubdtype(tariff.dtype, np.integer) else self.tariff_code(tariff)
        voltage_code, voltages = self.customer_voltage_code
        table = self.rate_tables[column]
        # Each bill's cell as one position in the flat table, made in place in one array.
        cell = voltage_code[self.bill_customer if rows is None else self.bill_customer[rows]]
        cell += codes * len(voltages)
        cell[codes < 0] = len(table) - 1  # an unknown tariff reads the NaN row
        cell *= table.shape[1]
        cell += np.clip(np.asarray(month) - self.first_month, 0, self.as_of - self.first_month)
        return table.ravel().take(cell)

    @cached_property
    def bill_tariff_due(self) -> np.ndarray:
        """Each bill's tariff for pricing: the billed one, or the archive's where the schedule
        does not list the billed tariff (loading only warns): the tariff it should have been on."""
        archive = self.tariff_code(self.customers["tariff_category"]).astype(np.int32)
        due = self.bill_tariff.copy()
        unlisted = np.flatnonzero(due < 0)  # few: only those bills read the archive
        due[unlisted] = archive[self.bill_customer[unlisted]]
        return due

    # Rates and money per bill are computed for the rows a rule prices (`rows`, positions in the
    # bills), not kept for every bill: at 35M bills each float column kept costs 280 MB.

    def schedule_rate_due(self, column: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Per bill (of `rows`, else all), flat rate `column` in force for `bill_tariff_due` at
        the customer's voltage; NaN where none is."""
        tariff, month = self.bill_tariff_due, self.bill_month
        if rows is not None:
            tariff, month = tariff[rows], month[rows]
        return self.schedule_rate(tariff, month, column, rows)

    def fund_rate_due(self, rows: np.ndarray) -> np.ndarray:
        """Per bill of `rows`, the schedule's fund rate due (政府性基金及附加, yuan/kWh; 0 where
        it has none): the funds are collected on every kWh sold, the kWh a rule back-bills (a
        multiplier, a register, a meter replacement or a slow meter left out) included."""
        if "fund_rate" not in self.tariffs:
            return np.zeros(len(rows))
        rate = self.schedule_rate_due("fund_rate", rows)
        return np.where(np.isnan(rate), 0.0, rate)

    def energy_rate_due_or_billed(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Per bill (of `rows`, else all), the schedule's energy rate due, else the rate billed.

        Rules that price unbilled energy use it, so a wrong rate on the bill stays rate_mismatch's
        finding instead of being counted again in theirs.
        """
        rate = self.schedule_rate_due("energy_rate", rows)
        missing = np.flatnonzero(np.isnan(rate))
        billed = self.bills["energy_rate"].to_numpy(dtype=float)
        rate[missing] = billed[missing if rows is None else np.asarray(rows)[missing]]
        return rate

    def kva_rate_due(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Per bill (of `rows`, else all), the basic rate per kVA and month due (0 where the
        tariff has none)."""
        rate = self.schedule_rate_due("basic_rate_kva_month", rows)
        rate[np.isnan(rate)] = 0.0
        return rate

    def capacity_billed(self, rows: np.ndarray | None = None, larger: bool = False) -> np.ndarray:
        """Per bill (of `rows`, else all), the capacity its basic charge was computed on
        (`auditkit.billing.basic.capacity_billed`): recorded, else what its basic charge pays
        for at the rate per kVA due (with `larger`, the larger of the two); NaN on a bill by
        capacity that records neither (an archive gap), 0 on one by demand or of a single-part
        customer that records no capacity."""
        at = np.arange(len(self.bills)) if rows is None else np.asarray(rows)
        by_capacity = self.basis_is(at, "capacity")
        basic = self.basic_charge_billed[at]
        return capacity_billed_of(
            self.bills, at, basic, self.kva_rate_due(rows), by_capacity, larger
        )

    @cached_property
    def basic_charge_billed(self) -> np.ndarray:
        """Per bill, the basic charge it billed (`auditkit.billing.basic.basic_charge_billed`):
        a blank one read from its amount; NaN throughout where the export has no basic_charge
        column (the context's bills carry every contract column: the dataset's say whether
        the export had it). Read once per run by every rule that nets or bases on it."""
        if "basic_charge" not in getattr(self.source, "bills", self.bills):
            return np.full(len(self.bills), np.nan)
        return basic_charge_billed(self.bills)

    def orders_of(self, *order_types: str) -> pd.DataFrame:
        """Work orders of the given types known at the audit date (empty without a work_orders
        table), selected once per run for each types (the meter replacements: six rules read
        them): shared, so derive frames from it, never write into it."""
        if order_types not in self.selected_orders:
            self.selected_orders[order_types] = self._select_orders(order_types)
        return self.selected_orders[order_types]

    @cached_property
    def selected_orders(self) -> dict[tuple[str, ...], pd.DataFrame]:
        """The orders `orders_of` selected, by their types."""
        return {}

    def _select_orders(self, order_types: tuple[str, ...]) -> pd.DataFrame:
        if self.work_orders is None:
            columns = [
                "order_id",
                "customer_id",
                "order_type",
                "issued_at",
                "effective_date",
                "old_value",
                "new_value",
                "cust",
                "effective_month",
            ]
            empty = pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
            return empty.astype(
                {
                    "cust": np.int64,
                    "effective_month": np.int64,
                    "effective_date": "datetime64[ns]",
                    "issued_at": "datetime64[ns]",
                }
            )
        codes, types = self.order_type_codes
        wanted = types.get_indexer(pd.Index(order_types, dtype=object))
        return self.work_orders.loc[np.isin(codes, wanted[wanted >= 0])]

    @cached_property
    def order_type_codes(self) -> tuple[np.ndarray, pd.Index]:
        """Each work order's type as a code into the distinct types, -1 where the order has not
        taken effect (no effective date: no rule may date a change by it) or has no type.

        Coded once per run: `orders_of` selects by code, not by comparing the texts each call.
        """
        orders = self.work_orders
        codes, types = pd.factorize(orders["order_type"])
        codes[(orders["effective_month"] < 0).to_numpy()] = -1
        return codes, pd.Index(types, dtype=object)

    def has_order_near(
        self, order_types: tuple[str, ...], window: int, rows: np.ndarray
    ) -> np.ndarray:
        """Per bill of `rows` (positions): an order of these types takes effect within
        ±`window` months of the period.

        Marks a customer × month grid once and reads it at those bills only.
        """
        orders = self.orders_of(*order_types)
        orders = orders[orders["cust"] >= 0]
        width = self.as_of - self.first_month + 1
        grid = np.zeros((len(self.customers), width + 2 * window + 1), dtype=bool)
        offset = orders["effective_month"].to_numpy() - self.first_month + window
        inside = (offset >= 0) & (offset < grid.shape[1])
        cust = orders["cust"].to_numpy()[inside]
        for shift in range(-window, window + 1):
            grid[cust, np.clip(offset[inside] + shift, 0, grid.shape[1] - 1)] = True
        return grid[self.bill_customer[rows], self.bill_month[rows] - self.first_month + window]

    @cached_property
    def capacity_in_force(self) -> np.ndarray:
        """Contract capacity in force for each bill's month, from the archive and capacity orders;
        NaN where it is unknown.

        The archive holds today's capacity; before each capacity increase or reduction the
        capacity was that order's old value, else (an order that records none) the new value of
        the customer's capacity order before it, else unknown (`capacity_before`: a capacity,
        never a bound): such an order proves nothing about the time before it.
        """
        archive = self.customer_column("contract_capacity_kva")
        return self.in_force(archive, CONTRACT_ORDERS, unknown_before=True)[0]

    def in_force(
        self,
        archive: np.ndarray,
        order_types: tuple[str, ...],
        unknown_before: bool = False,
        old_value: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per bill, an archive value (aligned with the bills) as it was in the bill's month, and
        where an order took effect in the bill's month the value before it (else NaN): a change
        inside a month may show on its bill either way.

        The archive holds today's value; before each order of `order_types` the value was that
        order's old value (when it is a number; an order without one is skipped). With
        `unknown_before` (capacity orders) an order without one is not skipped: the value before
        it is the new value of the order before it, else NaN (`capacity_before`). `old_value`,
        per order of `orders_of(*order_types)`, replaces the numbers of their old values where
        the caller knows more (`bill_frame.multiplier_before_replacements`).
        """
        changed_in_month = np.full(len(archive), np.nan)
        orders = self.orders_of(*order_types)
        if old_value is None:
            old_value = pd.to_numeric(orders["old_value"], errors="coerce").to_numpy(dtype=float)
        known = orders["cust"].to_numpy() >= 0
        if unknown_before:
            old_value = capacity_before(
                orders["cust"].to_numpy(dtype=np.int64),
                day_numbers(orders["effective_date"]),
                old_value,
                pd.to_numeric(orders["new_value"], errors="coerce").to_numpy(dtype=float),
            )
            valid = known
        else:
            valid = ~np.isnan(old_value) & known
        if not valid.any():
            return archive, changed_in_month
        # The orders by customer, month and given order: on (customer, month) keys the first
        # change effective after a bill's month is found by bisection, as is one in its month.
        cust = orders["cust"].to_numpy(dtype=np.int64)[valid]
        month = orders["effective_month"].to_numpy(dtype=np.int64)[valid]
        order = np.lexsort((month, cust))  # stable: equal keys keep the orders' order
        keys = customer_keys(cust[order], month[order])
        old_value = old_value[valid][order]
        rows = bill_rows_of(self.bill_customer, cust)
        bill_keys = customer_keys(self.bill_customer[rows], self.bill_month[rows])
        # The first change effective after the bill's month tells what was in force then.
        later = np.searchsorted(keys, bill_keys, "right")
        found = later < len(keys)
        found[found] = keys[later[found]] // KEY_STRIDE == bill_keys[found] // KEY_STRIDE
        result = archive.copy()
        result[rows[found]] = old_value[later[found]]
        # The value before the first change effective in the bill's own month.
        same = np.searchsorted(keys, bill_keys, "left")
        found = same < len(keys)
        found[found] = keys[same[found]] == bill_keys[found]
        changed_in_month[rows[found]] = old_value[same[found]]
        return result, changed_in_month

    @cached_property
    def suspension_spans(self) -> pd.DataFrame:
        """Each suspension with the resumption (or closure) that ends it: `reducing_spans` of the
        suspensions."""
        spans = self.reducing_spans
        return spans[spans["order_type"] == "suspension"].reset_index(drop=True)

    @cached_property
    def reducing_spans(self) -> pd.DataFrame:
        """Each suspension and capacity reduction (order_id, order_type, cust, effective_month,
        effective_date, issued_at, old_value, new_value) with the order that ends it: end_date,
        end_month and end_type of the first order ending it (`REDUCING_ENDED_BY`: a
        resumption or contract order of a suspension, a capacity increase of a reduction, 减容恢复,
        a closure of either) of the customer effective after it, NaT / NaN where none has.

        Matched by date, so a suspension resumed within its own month (shorter than 15 days) ends.
        A span may end after the audit month: it had not ended by then.
        """
        columns = [
            "order_id",
            "order_type",
            "cust",
            "effective_month",
            "effective_date",
            "issued_at",
            "old_value",
            "new_value",
        ]
        parts = [
            _ended_by(self.orders_of(kind)[columns], _ending(self.orders_of(*enders), kind))
            for kind, enders in REDUCING_ENDED_BY.items()
        ]
        spans = pd.concat(parts, ignore_index=True)
        return spans.sort_values(["cust", "effective_date"], kind="stable", ignore_index=True)

    @cached_property
    def suspended(self) -> np.ndarray:
        """Per bill: the month falls inside a suspension (from its effective month until resumption)."""
        return self.inside_spans(self.suspension_spans)

    def inside_spans(self, spans: pd.DataFrame) -> np.ndarray:
        """Per bill: its month falls in one of `spans` of its customer (from effective_month up to,
        not including, end_month; to the audit month where end_month is NaN)."""
        hit = np.zeros(len(self.bills), dtype=bool)
        if spans.empty:
            return hit
        end = spans["end_month"].fillna(self.as_of + 1).to_numpy(dtype=np.int64)
        cust = spans["cust"].to_numpy(dtype=np.int64)
        known = cust >= 0  # a span of a customer not in the archive covers no bill
        cust, start, end = cust[known], spans["effective_month"].to_numpy()[known], end[known]
        # The spans' customers' bills, in (customer, month) order: each span covers one run of
        # them, found by bisection on (customer, month) keys.
        rows = bill_rows_of(self.bill_customer, cust)
        keys = customer_keys(self.bill_customer[rows], self.bill_month[rows])
        first = np.searchsorted(keys, customer_keys(cust, start.astype(np.int64)), "left")
        after = np.searchsorted(keys, customer_keys(cust, end), "left")
        hit[rows[range_positions(first, np.maximum(after - first, 0))]] = True
        return hit

    def read_days(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per bill of `rows` (positions), the first and last day its read covers
        (datetime64[D]): read_from and read_to where the bill gives them, else the calendar
        month of its period. Made for the bills a rule reads, not kept for every bill."""
        month = self.bill_month[rows]
        read_from = self.bills["read_from"].iloc[rows].to_numpy(dtype="datetime64[D]")
        read_to = self.bills["read_to"].iloc[rows].to_numpy(dtype="datetime64[D]")
        return (
            np.where(np.isnat(read_from), month_first_days(month), read_from),
            np.where(np.isnat(read_to), month_end_days(month), read_to),
        )


#: The orders that end each kind of reducing order: a resumption ends a suspension, a capacity
#: increase restores a reduction (减容恢复), and a closure (销户) ends either with the account. A
#: contract order ends a suspension too: it sets the capacity in force anew (a suspension made
#: a reduction, a resumption filed as an increase), as the capacity steps read it, where it
#: records its new capacity (`_ending`).
REDUCING_ENDED_BY = {
    "suspension": ("resumption", "closure", *CONTRACT_ORDERS),
    "capacity_reduction": ("capacity_increase", "closure"),
}


def _ending(enders: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The orders of `enders` that can end a reducing order of `kind`: a contract order ends a
    suspension only where it records its new capacity (one without proves none: the capacity
    the suspension left stays in force)."""
    if kind != "suspension":
        return enders
    contract = enders["order_type"].isin(CONTRACT_ORDERS).to_numpy()
    recorded = pd.to_numeric(enders["new_value"], errors="coerce").notna().to_numpy()
    return enders[~contract | recorded]


def _ended_by(orders: pd.DataFrame, enders: pd.DataFrame) -> pd.DataFrame:
    """`orders` with end_date, end_type (its order type) and end_month of the first of `enders`
    of the same customer that takes effect after each (by date; NaT, NaN and NaN where none
    does), in order of effective date (ties as given).

    Found by bisection on (customer, date rank) keys, as pandas' forward `merge_asof` by customer
    would find it (ties in the enders' dates: the first given), without its frames and joins."""
    spans = orders.astype({"cust": np.int64, "effective_date": "datetime64[ns]"})
    spans = spans.sort_values("effective_date", kind="stable", ignore_index=True)
    cust = spans["cust"].to_numpy()
    date = spans["effective_date"].to_numpy().view(np.int64)
    ender_cust = enders["cust"].to_numpy(dtype=np.int64)
    ender_date = enders["effective_date"].to_numpy(dtype="datetime64[ns]")
    # Dates ranked together, so a customer and a date make one integer key.
    distinct, rank = np.unique(np.append(ender_date.view(np.int64), date), return_inverse=True)
    stride = np.int64(len(distinct) + 1)
    ender_key = ender_cust * stride + rank[: len(ender_cust)]
    by_key = np.argsort(ender_key, kind="stable")  # equal keys keep the enders' order
    ender_key = ender_key[by_key]
    # The first ender keyed above (customer, date): of the same customer, strictly later.
    found = np.searchsorted(ender_key, cust * stride + rank[len(ender_cust) :], "right")
    matched = np.append(ender_cust[by_key], np.int64(-1))[found] == cust
    matched &= found < len(by_key)
    ender = np.where(matched, np.append(by_key, -1)[found], -1)
    end_date = np.append(ender_date, np.datetime64("NaT", "ns"))[ender]
    # The enders' types typed as a frame of them would type them (text, else objects).
    types = pd.Series(enders["order_type"].to_numpy(dtype=object))
    end_type = types.array.take(ender, allow_fill=True)
    month = date_month_number(pd.Series(end_date)).astype(float)
    return spans.assign(
        end_date=end_date, end_type=end_type, end_month=np.where(month < 0, np.nan, month)
    )


@dataclass(frozen=True)
class CustomerRuns:
    """A table's runs of rows of one customer: where each starts, its customer's row in the
    archive (-1: unknown or missing) and the table's length."""

    starts: np.ndarray
    customer: np.ndarray
    total: int

    def rows_with_customers(self, flagged: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions, ascending, of the rows of the customers `flagged` marks (a boolean per
        archive row), and each one's customer; a customer not in the archive is never flagged."""
        chosen = np.flatnonzero(np.append(flagged, False)[self.customer])
        ends = np.append(self.starts[1:], self.total)
        lengths = ends[chosen] - self.starts[chosen]
        return range_positions(self.starts[chosen], lengths), np.repeat(
            self.customer[chosen], lengths
        )


@dataclass(frozen=True)
class DailyReads:
    """Daily reads of known customers up to the audit date: customer code, day number (days since
    1970-01-01) and kWh (NaN where the meter sent none)."""

    cust: np.ndarray
    day: np.ndarray
    kwh: np.ndarray


def run_starts(ids: pd.Series) -> np.ndarray:
    """Positions where a run of equal `ids` starts (a missing id starts a run of its own).

    One comparison of each id with the next, on the Arrow strings, or on the codes of
    categorical ids (equal codes, equal texts): no hashing of every row.
    """
    if len(ids) == 0:
        return np.zeros(0, dtype=np.int64)
    if isinstance(ids.dtype, pd.CategoricalDtype):
        codes = ids.array.codes
        changed = (codes[1:] != codes[:-1]) | (codes[1:] < 0)  # code -1: missing
        return np.concatenate([[0], np.flatnonzero(changed) + 1])
    values = pa.array(ids)
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    return np.flatnonzero(run_changes(values))


#: Month, day and second numbers stay far below 2**32: a customer code times it plus one of
#: them is one int64 key, in the order of customer, then number.
KEY_STRIDE = np.int64(1 << 32)


def customer_keys(cust: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """Customer codes and month (or day, or second) numbers as one int64 key each
    (cust × KEY_STRIDE + number), for bisection in (customer, number) order."""
    return np.asarray(cust, dtype=np.int64) * KEY_STRIDE + numbers


def bill_rows_of(
    bill_customer: np.ndarray, customers: np.ndarray, unknown: bool = False
) -> np.ndarray:
    """Positions, ascending, of the bills (their customer codes `bill_customer`, sorted) of the
    customer codes `customers` (any order, repeats allowed): each customer's bills are one run,
    found by bisection, with no pass over every bill. A code -1 (no customer of the archive)
    picks the bills of unknown customers only when `unknown`; else nobody's."""
    codes = np.unique(np.asarray(customers, dtype=np.int64))
    codes = codes[codes >= (-1 if unknown else 0)].astype(bill_customer.dtype)
    start = np.searchsorted(bill_customer, codes, "left")
    count = np.searchsorted(bill_customer, codes, "right") - start
    return range_positions(start, count)


def range_positions(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The positions start[i], start[i] + 1, ... (count[i] of them) of each range, one range
    after another."""
    run_start = np.cumsum(count) - count  # where each range begins in the result
    return np.repeat(start - run_start, count) + np.arange(count.sum())


def spread_over_runs(per_run: np.ndarray, starts: np.ndarray, total: int) -> np.ndarray:
    """Each run's value repeated over its rows (runs begin at `starts`; the last ends at `total`)."""
    return np.repeat(per_run, np.diff(np.append(starts, total)))


def customer_positions(bill_ids: pd.Series, customer_ids: pd.Series) -> np.ndarray:
    """Each bill's customer as its row in the archive (-1 where unknown), as int32.

    Categorical ids are looked up once per category and read per bill by code; other bills
    come grouped by customer, so only the first bill of each run is looked up.
    """
    if isinstance(bill_ids.dtype, pd.CategoricalDtype):
        found = archive_rows(customer_ids, bill_ids.cat.categories).astype(np.int32)
        return np.append(found, np.int32(-1))[bill_ids.array.codes]  # code -1: missing
    starts = run_starts(bill_ids)
    found = archive_rows(customer_ids, bill_ids.iloc[starts]).astype(np.int32)
    return spread_over_runs(found, starts, len(bill_ids))


def archive_rows(customer_ids: pd.Series, wanted: pd.Series | pd.Index) -> np.ndarray:
    """Each `wanted` id's row in the archive's `customer_ids` (-1 where unknown or missing), as
    `pd.Index.get_indexer` gives it.

    Text ids are encoded together, the archive's first, in one pass of Arrow's hashing: an
    archive of distinct ids is coded by its rows, and a wanted id coded past them is not in
    it (pandas' index would make Python strings of both). Other ids, or an archive that
    repeats an id, go to pandas' index (which refuses to look ids up in the latter).
    """
    if not len(wanted):  # nothing to find: no index of the archive built for it
        return np.zeros(0, dtype=np.intp)
    archive, targets = _arrow_text(customer_ids), _arrow_text(wanted)
    if archive is not None and targets is not None:
        encoded = pc.dictionary_encode(pa.chunked_array([archive, targets]).combine_chunks())
        codes = pc.fill_null(encoded.indices, -1).to_numpy().astype(np.int64)
        rows = len(archive)
        if np.array_equal(codes[:rows], np.arange(rows)):
            found = codes[rows:]
            return np.where(found < rows, found, -1)
    return pd.Index(customer_ids).get_indexer(wanted)


def _arrow_text(values: pd.Series | pd.Index) -> pa.Array | None:
    """pandas text held by Arrow as one Arrow array of large strings (None: other values)."""
    array = arrow_text(values)
    return None if array is None else array.cast(pa.large_string())


def _bill_months(periods: pd.Series) -> np.ndarray:
    """Each bill's month number (`month_number`); categorical periods are parsed once per
    category and read per bill by code (as int32, the context's month)."""
    codes = periods.array.codes if isinstance(periods.dtype, pd.CategoricalDtype) else None
    if codes is None:
        parsed = _months_of_fixed_width_text(periods)
        return month_number(periods).astype(np.int32) if parsed is None else parsed
    if len(codes) and codes.min() < 0:  # a missing period: month_number's
        return month_number(periods).astype(np.int32)
    try:
        per_category = month_number(periods.cat.categories).astype(np.int32)
    except ParameterError:  # the first bad period named in the bills' order (if a bill has it)
        return month_number(periods).astype(np.int32)
    return per_category[codes]


def _two_digit_values() -> np.ndarray:
    """Per 16-bit word (two bytes read little-endian): the value of the two ASCII digits it
    holds, -1 where it holds anything else."""
    values = np.full(1 << 16, -1, dtype=np.int16)
    tens, ones = np.divmod(np.arange(100), 10)
    values[(0x30 + tens) | (0x30 + ones) << 8] = np.arange(100)
    return values


_TWO_DIGITS = _two_digit_values()


def _months_of_fixed_width_text(periods: pd.Series) -> np.ndarray | None:
    """Month numbers (int32) of Arrow-held periods that are all 'YYYY-MM' of ASCII digits with a
    month 01-12, read from the bytes as they lie (no hashing of a million texts, as
    `month_number` factorizes them); None for any other text (`month_number` then parses it,
    and names what is not a month)."""
    array = arrow_text(periods)
    if array is None or not len(array) or array.null_count:
        return None
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return None
    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(array.buffers()[1], dtype=width)
    offsets = offsets[array.offset : array.offset + len(array) + 1]
    if not (np.diff(offsets) == 7).all():
        return None
    data, start = array.buffers()[2], int(offsets[0])

    def column(byte: int, dtype: type) -> np.ndarray:  # every text's bytes from `byte` on
        return np.ndarray(
            (len(array),), dtype=dtype, buffer=data, offset=start + byte, strides=(7,)
        )

    century, year, month = (_TWO_DIGITS[column(byte, np.dtype("<u2"))] for byte in (0, 2, 5))
    dashed = (column(4, np.uint8) == ord("-")).all()
    if not dashed or min(century.min(), year.min()) < 0 or month.min() < 1 or month.max() > 12:
        return None
    months = century.astype(np.int32) * 1200
    months += year * 12
    months += month - 1
    return months


def _in_customer_order(cust: np.ndarray, month: np.ndarray) -> bool:
    """Bills already sorted by customer code, then month (compared with the previous bill: no
    64-bit sort key, and no difference arrays, built for it)."""
    if not (cust[1:] >= cust[:-1]).all():
        return False
    return bool((month[1:] >= month[:-1])[cust[1:] == cust[:-1]].all())


def with_contract_columns(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """`frame` with every column DATA.md gives `table`: absent optional ones added, empty.

    Rules then read an optional column without checking it exists; `missing_needs` still sees an
    empty column and skips the rules that need it.
    """
    absent = [column for column in TABLES[table].columns if column.name not in frame.columns]
    if not absent:
        return frame
    empty_dtype = {"date": "datetime64[ns]", "number": float, "integer": float}
    return frame.assign(
        **{
            column.name: pd.Series(
                np.nan, index=frame.index, dtype=empty_dtype.get(column.kind, object)
            )
            for column in absent
        }
    )


def itemized_billing(dataset: object) -> bool:
    """Whether `dataset` bills the real way: bill lines or transformers, tariff rows per period or
    tier, or read dates (proration by day). Rules then price from the recomputation (which
    prices a bill without lines from its own columns); on other datasets they keep their
    month-by-month checks. A property of the whole dataset, not of a customer: runs by parts
    decide it once (`auditkit.engine.partition.plan_run`). Absent tables and columns count as
    empty (a profile of the dataset will do)."""

    def filled(table: pd.DataFrame | None, column: str) -> bool:
        return table is not None and column in table.columns and table[column].notna().any()

    tables = (getattr(dataset, "bill_lines", None), getattr(dataset, "transformers", None))
    return bool(
        any(table is not None and len(table) for table in tables)
        or filled(dataset.tariffs, "tou_period")
        or filled(dataset.tariffs, "tier")
        or filled(dataset.bills, "read_from")
    )


#: Columns whose dates record what had happened when the data was extracted (an order's
#: effective date may lie ahead: it is not one).
RECORDED_DATES = {
    "work_orders": ("issued_at", "transferred_at", "registered_at", "archived_at"),
    "bills": ("read_to",),
    "daily_reads": ("date",),
}


def latest_date(dataset: object) -> pd.Timestamp | None:
    """The latest day `RECORDED_DATES` of `dataset` hold (None where they hold none): the day its
    data was extracted, as far as the data tells."""
    latest = [
        table[column].max()
        for name, columns in RECORDED_DATES.items()
        if (table := getattr(dataset, name, None)) is not None
        for column in columns
        if column in table
    ]
    latest = [day for day in latest if pd.notna(day)]
    return pd.Timestamp(max(latest)).normalize() if latest else None


def audit_month(as_of: str | None, first: int, last: int) -> int:
    """Month number of the audit month `as_of` ('YYYY-MM'; None = `last`), within first..last.

    `first` and `last` are the month numbers of the earliest and latest bills.
    """
    if as_of is None:
        return last
    as_of_month = int(month_number([str(as_of)], name="as_of")[0])
    if not first <= as_of_month <= last:
        raise ParameterError(
            "as_of",
            f"a month within the bills' periods {period_text(first)}..{period_text(last)}",
            as_of,
        )
    return as_of_month

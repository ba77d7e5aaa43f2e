"""Bills recomputed on another archive than the one they were billed on: what a rule that prices
a wrong archive value (the tariff) compares with the bills recomputed on the archive as it is."""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace

import numpy as np
import pandas as pd

from auditkit.billing.bill_frame import LINE_TYPES
from auditkit.billing.recompute import CodedLines, recompute_coded
from auditkit.rules.context import CustomerRuns, RuleContext, archive_rows, bill_rows_of
from auditkit.rules.findings import optional_values
from auditkit.rules.recomputed import bill_rows


def two_part_tariffs(ctx: RuleContext) -> pd.Series:
    """Per tariff category of the schedule, whether it is two-part: any of its rows has a basic
    rate per kVA (time-of-use, tier and market rows may leave it empty)."""
    tariffs = ctx.tariffs
    has_basic = np.nan_to_num(optional_values(tariffs, "basic_rate_kva_month")) > 0
    return pd.Series(has_basic).groupby(tariffs["tariff_category"].to_numpy()).any()


def recompute_as_billed(
    ctx: RuleContext,
    customers: np.ndarray,
    archive: Mapping[str, np.ndarray] | None = None,
    without_orders: Mapping[str, np.ndarray] | None = None,
    by_capacity: np.ndarray | None = None,
) -> tuple[np.ndarray, CodedLines]:
    """The bills of `customers` (codes, ascending) recomputed on what each bill metered: every
    read taken as billed (its kWh, period, demand and reactive figures, as an estimated read
    keeps them), with the archive columns of `archive` set to its values (aligned with
    `customers`) and the orders of each type in `without_orders` left out for the customers it
    flags (aligned with `customers`). The customers `by_capacity` flags (aligned) pay their
    basic charge by capacity on every bill whose basis in force is neither capacity nor demand:
    an archive basis `none` or empty, and a basis_change order's old value `none`, read as
    `capacity` (the bills by demand stay so). Also the context's row of each recomputed bill
    (-1: none).

    A rule pricing bills on another archive (the tariff due) compares two such recomputations,
    so a difference of kWh (multiplier, register) stays the rules' that find it."""
    source = ctx.source
    people = source.customers.iloc[customers].reset_index(drop=True)
    for column, values in (archive or {}).items():
        people[column] = values
    if by_capacity is not None:
        basis = people["basic_charge_basis"].to_numpy(dtype=object)
        unset = by_capacity & ~np.isin(basis, ["capacity", "demand"])
        people["basic_charge_basis"] = np.where(unset, "capacity", basis)
    position = np.full(len(ctx.customers) + 1, -1, dtype=np.int64)  # -1: no customer
    position[customers] = np.arange(len(customers))
    rows = bill_rows_of(ctx.bill_customer, customers)
    bills = ctx.bills.iloc[rows][list(source.bills.columns)].assign(read_type="estimated")
    orders = getattr(source, "work_orders", None)
    if orders is not None:
        at = position[archive_rows(ctx.customers["customer_id"], orders["customer_id"])]
        kept = (orders["issued_at"] <= ctx.as_of_date).to_numpy(dtype=bool) & (at >= 0)
        for order_type, flagged in (without_orders or {}).items():
            dropped = np.append(np.asarray(flagged, dtype=bool), False)[at]
            kept &= ~(dropped & orders["order_type"].eq(order_type).to_numpy(dtype=bool))
        orders = orders.loc[kept]
        if by_capacity is not None:
            none_before = np.append(by_capacity, False)[at[kept]]
            none_before &= orders["order_type"].eq("basis_change").to_numpy(dtype=bool)
            none_before &= orders["old_value"].eq("none").to_numpy(dtype=bool, na_value=False)
            orders = orders.assign(old_value=orders["old_value"].mask(none_before, "capacity"))
    dataset = SimpleNamespace(
        customers=people,
        bills=bills,
        tariffs=source.tariffs,
        work_orders=orders,
        bill_lines=_of_customers(ctx.bill_lines, ctx.line_customer_runs, position),
        transformers=_of_customers(ctx.transformers, ctx.transformer_customer_runs, position),
    )
    keys = (position[ctx.bill_customer[rows]], ctx.bill_month[rows])
    coded = recompute_coded(dataset, ctx.as_of_period, bill_keys=keys, lookup=ctx.tariff_lookup)
    recomputed = coded.bills["customer_row"].to_numpy(dtype=np.int64)
    in_context = np.append(customers, -1)[recomputed]  # -1 stays -1
    bill_row = bill_rows(
        ctx, pd.DataFrame({"customer_row": in_context, "month": coded.bills["month"]})
    )
    return (np.arange(len(coded.bills)) if bill_row is None else bill_row), coded


def recompute_on_tariff(
    ctx: RuleContext, customers: np.ndarray, tariffs: np.ndarray, two_part: np.ndarray
) -> tuple[np.ndarray, CodedLines]:
    """`recompute_as_billed` with every bill of each of `customers` (codes, ascending) due its
    tariff of `tariffs` (names, aligned; its tariff_change orders left out). Where that tariff
    is two-part (`two_part`), a bill whose basis in force (archive and basis_change orders) is
    none or unknown pays its basic charge by capacity, as the recomputation reads the capacity
    in force (transformers, orders, archive): a two-part tariff always has one; a bill by
    demand stays by demand."""
    return recompute_as_billed(
        ctx,
        customers,
        archive={"tariff_category": tariffs},
        without_orders={"tariff_change": np.ones(len(customers), dtype=bool)},
        by_capacity=np.asarray(two_part, dtype=bool),
    )


def amounts_per_bill(
    ctx: RuleContext, bill_row: np.ndarray, coded: CodedLines, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bill of `rows` (ascending), of a recomputation (`recompute_as_billed`): the amount
    due over its lines, of which the power-factor adjustment, and the tariff it was priced on
    (a code of `ctx.tariff_index`; -1 where the bill was not recomputed or an energy line has
    no rate)."""
    at = np.minimum(np.searchsorted(rows, bill_row), len(rows) - 1)
    at[rows[at] != bill_row] = -1  # a bill of the customers not among `rows`
    tariff = np.full(len(rows), -1)
    mine = at >= 0
    tariff[at[mine]] = ctx.tariff_code(coded.bills["tariff_due"])[mine]
    line = at[coded.bill]
    mine = line >= 0
    amount = coded.figures["amount_due"][mine]
    kind = coded.line_type[mine]
    line = line[mine]
    total = np.bincount(line, np.nan_to_num(amount), len(rows))
    pf = kind == LINE_TYPES.index("pf_adjustment")
    pf_amount = np.bincount(line[pf], np.nan_to_num(amount[pf]), len(rows))
    no_rate = (kind == LINE_TYPES.index("energy")) & np.isnan(amount)
    tariff[line[no_rate]] = -1
    return total, pf_amount, tariff


def _of_customers(
    table: pd.DataFrame | None, runs: CustomerRuns | None, position: np.ndarray
) -> pd.DataFrame | None:
    """The rows of `table` (its customers' runs `runs`) of the customers `position` places
    (≥ 0), in the table's order."""
    if table is None or runs is None:
        return None
    return table.iloc[runs.rows(position >= 0)]

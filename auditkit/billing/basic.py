"""The basic charge due (基本电费), by capacity or by demand (发改办价格〔2016〕1583号).

By capacity the quantity is the kVA in force: running and hot-standby transformers by their
status history (`transformers`), else the contract capacity moved by capacity and suspension orders
(`work_orders`), else the contract capacity. In a month of connection, change or closure it is
Σ over the read days of each day's capacity / days_per_month (a day before connection or after
closure counts 0). By demand the quantity is the billed kW: max(demand, floor × capacity) plus the
excess over threshold × contract demand counted (multiplier − 1) times more, prorated by days in
service in a month of connection or closure.

Vectorised: a customer's capacity is a step function of the day (one step per status change or
order), and a bill sums the overlap of its read period with each step, never day by day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.billing.money import round_half_up
from auditkit.billing.params import BillingParams
from auditkit.billing.tariff_lookup import NO_DAY, day_numbers

#: The columns of a line frame, as every charges function returns it.
LINE_COLUMNS = (
    "bill",
    "line_type",
    "tou_period",
    "tier",
    "quantity",
    "rate",
    "amount",
    "estimated",
)
#: Transformer states whose kVA is capacity in force (and billed); others carry no load.
IN_FORCE = ("running", "hot_standby")
#: Orders that move the capacity in force: old_value before, new_value from the effective date.
CAPACITY_ORDERS = ("capacity_increase", "capacity_reduction", "suspension", "resumption")
#: Day number standing for "since always" (a status without status_since, before the first order).
FAR_PAST = -(2**20)
_SPAN = 2**22  # day numbers (clipped to ±2**21) fit in this width of a combined (group, day) key


def line_frame(
    bill: np.ndarray,
    line_type: str,
    quantity: np.ndarray,
    rate: np.ndarray,
    estimated: np.ndarray | bool = False,
) -> pd.DataFrame:
    """Lines of one type without period or tier, amount = quantity × rate rounded half up to the fen."""
    quantity = np.asarray(quantity, dtype=float)
    rate = np.asarray(rate, dtype=float)
    return pd.DataFrame(
        {
            "bill": np.asarray(bill, dtype=np.int64),
            "line_type": line_type,
            "tou_period": pd.Series([None] * len(quantity), dtype=object),
            "tier": pd.array([pd.NA] * len(quantity), dtype="Int64"),
            "quantity": quantity,
            "rate": rate,
            "amount": round_half_up(quantity * rate, 2),
            "estimated": np.broadcast_to(np.asarray(estimated, dtype=bool), len(quantity)).copy(),
        },
        columns=list(LINE_COLUMNS),
    )


def has_rate(rate: np.ndarray) -> np.ndarray:
    """A rate exists where it is a positive number (the rates frame holds NaN or 0 where none)."""
    rate = np.asarray(rate, dtype=float)
    return ~np.isnan(rate) & (rate > 0)


def latest_at(
    group_rows: np.ndarray, day_rows: np.ndarray, group_query: np.ndarray, day_query: np.ndarray
) -> np.ndarray:
    """For each query, the position of the last row of its group with day ≤ its day (-1 if none).

    Rows must be sorted by group, then day; groups are non-negative integers.
    """
    rows = _key(group_rows, day_rows)
    found = np.searchsorted(rows, _key(group_query, day_query), side="right") - 1
    same = found >= 0
    same[same] = group_rows[found[same]] == group_query[same]
    return np.where(same, found, -1)


def _key(group: np.ndarray, day: np.ndarray) -> np.ndarray:
    clipped = np.clip(day, -(_SPAN // 2) + 1, _SPAN // 2 - 1)
    return group.astype(np.int64) * _SPAN + clipped + _SPAN // 2


def customer_codes(bills: pd.DataFrame, customer_ids: pd.Series) -> np.ndarray:
    """Position of each of `customer_ids` among the bills' customers (-1 for another customer)."""
    return pd.Index(pd.unique(bills["customer_id"])).get_indexer(customer_ids)


def service_window(bills: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per bill, the first and last day in service of the read period (day numbers; first > last
    when the whole period is before connection or after closure)."""
    read_from = day_numbers(bills["read_from"])
    read_to = day_numbers(bills["read_to"])
    connection = day_numbers(bills["connection_date"])
    connection[connection == NO_DAY] = FAR_PAST
    return np.maximum(read_from, connection), np.minimum(
        read_to, day_numbers(bills["closure_date"])
    )


def basic_lines(
    bills: pd.DataFrame, rates: pd.DataFrame, dataset: object, params: BillingParams
) -> pd.DataFrame:
    """The basic-charge line due of each bill on a capacity or demand basis with a rate."""
    basis = bills["basic_charge_basis"].to_numpy(dtype=object)
    kva_rate = rates["basic_rate_kva_month"].to_numpy(dtype=float)
    kw_rate = rates["basic_rate_kw_month"].to_numpy(dtype=float)
    by_capacity = (basis == "capacity") & has_rate(kva_rate)
    by_demand = (basis == "demand") & has_rate(kw_rate)
    if not (by_capacity | by_demand).any():
        return line_frame(np.empty(0), "basic", np.empty(0), np.empty(0))
    first, last = service_window(bills)
    read_from = day_numbers(bills["read_from"])
    read_to = day_numbers(bills["read_to"])
    in_service = np.maximum(last - first + 1, 0)
    day_sum, capacity, changed = capacity_over(bills, dataset, first, last)
    # Months of connection or closure (the date inside the read period), or a period partly or
    # wholly outside service, are prorated by day.
    connection = day_numbers(bills["connection_date"])
    closure = day_numbers(bills["closure_date"])
    part_month = (
        ((connection >= read_from) & (connection <= read_to))
        | ((closure >= read_from) & (closure <= read_to))
        | (in_service < bills["read_days"].to_numpy(dtype=np.int64))
    )
    days_per_month = params.days_per_month

    kva = np.where(part_month | changed, day_sum / days_per_month, capacity)
    by_capacity &= ~np.isnan(kva)

    demand = bills["max_demand_kw"].to_numpy(dtype=float)
    contract = bills["contract_demand_kw"].to_numpy(dtype=float)
    excess = np.nan_to_num(np.maximum(demand - params.demand_excess_threshold * contract, 0.0))
    kw = np.fmax(demand, params.demand_floor_share * capacity)
    kw = kw + (params.demand_excess_multiplier - 1) * excess
    kw = np.where(part_month, kw * in_service / days_per_month, kw)
    by_demand &= ~np.isnan(demand)

    rows = np.flatnonzero(by_capacity | by_demand)
    quantity = np.where(by_capacity, kva, kw)[rows]
    rate = np.where(by_capacity, kva_rate, kw_rate)[rows]
    return line_frame(bills["bill"].to_numpy()[rows], "basic", quantity, rate)


def capacity_over(
    bills: pd.DataFrame, dataset: object, first: np.ndarray, last: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bill over its days `first`..`last`: Σ of each day's capacity in force (kVA·days), the
    capacity on the last day (on `last` itself, or the read period's end when no day is in
    service) and whether the capacity changes between two of those days."""
    archive = bills["contract_capacity_kva"].to_numpy(dtype=float)
    days = np.maximum(last - first + 1, 0)
    day_sum = archive * days
    capacity = archive.copy()
    changed = np.zeros(len(bills), dtype=bool)
    steps = capacity_steps(bills, dataset)
    if steps.empty:
        return day_sum, capacity, changed
    cust = customer_codes(bills, bills["customer_id"])
    step_cust = steps["cust"].to_numpy()
    step_day = steps["day"].to_numpy()
    step_kva = steps["kva"].to_numpy()
    # A step lasts until the next step of the same customer.
    following = np.append(step_day[1:], NO_DAY)
    following[np.append(step_cust[1:] != step_cust[:-1], True)] = NO_DAY
    end_day = np.where(first <= last, last, day_numbers(bills["read_to"]))
    at_end = latest_at(step_cust, step_day, cust, end_day)
    stepped = np.flatnonzero(at_end >= 0)  # every stepped customer has a step since FAR_PAST
    capacity[stepped] = step_kva[at_end[stepped]]
    day_sum[stepped] = 0.0
    spans = stepped[first[stepped] <= last[stepped]]
    if len(spans) == 0:
        return day_sum, capacity, changed
    start = latest_at(step_cust, step_day, cust[spans], first[spans])
    count = at_end[spans] - start + 1
    offsets = np.cumsum(count) - count
    bill = np.repeat(spans, count)
    step = np.repeat(start, count) + np.arange(count.sum()) - np.repeat(offsets, count)
    overlap = (
        np.minimum(following[step] - 1, last[bill]) - np.maximum(step_day[step], first[bill]) + 1
    )
    kva = step_kva[step]
    day_sum[spans] = np.add.reduceat(kva * overlap, offsets)
    changed[spans] = np.maximum.reduceat(kva, offsets) != np.minimum.reduceat(kva, offsets)
    return day_sum, capacity, changed


def capacity_steps(bills: pd.DataFrame, dataset: object) -> pd.DataFrame:
    """The capacity in force of the bills' customers as steps `cust, day, kva` sorted by customer
    and day, each customer starting with a step at FAR_PAST: from the transformer status history
    where the customer has transformers, else from its capacity and suspension orders."""
    from_transformers = _transformer_steps(bills, dataset.transformers)
    from_orders = _order_steps(bills, dataset.work_orders)
    from_orders = from_orders[~from_orders["cust"].isin(from_transformers["cust"])]
    steps = pd.concat([from_transformers, from_orders], ignore_index=True)
    return steps.sort_values(["cust", "day"], kind="stable", ignore_index=True)


def _empty_steps() -> pd.DataFrame:
    return pd.DataFrame(
        {"cust": np.empty(0, np.int64), "day": np.empty(0, np.int64), "kva": np.empty(0)}
    )


def _transformer_steps(bills: pd.DataFrame, transformers: pd.DataFrame | None) -> pd.DataFrame:
    """Running + hot-standby kVA per customer from each change of a transformer's status (a row
    without status_since holds since always): the change in kVA in force, summed over time."""
    if transformers is None or transformers.empty:
        return _empty_steps()
    cust = customer_codes(bills, transformers["customer_id"])
    known = cust >= 0
    if not known.any():
        return _empty_steps()
    rows = transformers[known]
    day = day_numbers(rows["status_since"])
    day[day == NO_DAY] = FAR_PAST
    unit = pd.factorize(rows["transformer_id"].astype(str))[0]
    order = np.lexsort((day, unit, cust[known]))
    cust, unit, day = cust[known][order], unit[order], day[order]
    in_force = rows["status"].isin(IN_FORCE).to_numpy()[order]
    kva = np.where(in_force, rows["kva"].to_numpy(dtype=float)[order], 0.0)
    previous = np.append(0.0, kva[:-1])
    first_of_unit = np.append(True, (cust[1:] != cust[:-1]) | (unit[1:] != unit[:-1]))
    previous[first_of_unit] = 0.0
    changes = pd.DataFrame({"cust": cust, "day": day, "kva": kva - previous})
    # Every customer starts at nothing in force before its first status row.
    starts = pd.DataFrame({"cust": np.unique(cust), "day": FAR_PAST, "kva": 0.0})
    steps = (
        pd.concat([starts, changes], ignore_index=True)
        .groupby(["cust", "day"], sort=True, as_index=False)["kva"]
        .sum()
    )
    steps["kva"] = round_half_up(steps.groupby("cust")["kva"].cumsum().to_numpy(), 6)
    return steps


def _order_steps(bills: pd.DataFrame, orders: pd.DataFrame | None) -> pd.DataFrame:
    """Contract capacity per customer moved by orders that have taken effect: before the first
    order its old_value, from each effective date the order's new_value (a suspension's new_value
    is the kVA left in service); a value that is not a number stands for the contract capacity."""
    if orders is None or orders.empty:
        return _empty_steps()
    orders = orders[orders["order_type"].isin(CAPACITY_ORDERS) & orders["effective_date"].notna()]
    cust = customer_codes(bills, orders["customer_id"])
    known = cust >= 0
    if not known.any():
        return _empty_steps()
    orders = orders[known]
    cust = cust[known]
    day = day_numbers(orders["effective_date"])
    order = np.lexsort((day, cust))
    cust, day = cust[order], day[order]
    contract = (
        pd.Series(bills["contract_capacity_kva"].to_numpy(dtype=float))
        .groupby(customer_codes(bills, bills["customer_id"]))
        .last()
        .to_numpy()[cust]
    )
    old = pd.to_numeric(orders["old_value"], errors="coerce").to_numpy(dtype=float)[order]
    new = pd.to_numeric(orders["new_value"], errors="coerce").to_numpy(dtype=float)[order]
    first = np.append(True, cust[1:] != cust[:-1])
    starts = pd.DataFrame(
        {"cust": cust[first], "day": FAR_PAST, "kva": np.where(np.isnan(old), contract, old)[first]}
    )
    changes = pd.DataFrame(
        {"cust": cust, "day": day, "kva": np.where(np.isnan(new), contract, new)}
    )
    # Two orders effective the same day: the later one (in the table's order) holds.
    changes = changes.drop_duplicates(["cust", "day"], keep="last")
    return pd.concat([starts, changes], ignore_index=True)

"""The basic charge due (基本电费), by capacity or by demand (发改办价格〔2016〕1583号).

By capacity the quantity is the kVA in force: running and hot-standby transformers by their
status history (`transformers`), else the contract capacity moved by capacity and suspension orders
(`work_orders`), else the contract capacity. In a month of connection, change or closure it is
Σ over the read days of each day's capacity / days_per_month (a day before connection or after
closure counts 0), at most the largest capacity of those days. By demand the quantity is the billed kW: max(demand, floor × capacity) plus the
excess over threshold × contract demand counted (multiplier − 1) times more, prorated by days in
service in a month of connection or closure, and by the two-part days before a fall below the
two-part bound inside the read period (`days_before_the_fall`), as a capacity is.

Vectorised: a customer's capacity is a step function of the day (one step per status change or
order), and a bill sums the overlap of its read period with each step, never day by day.
"""

from __future__ import annotations

from typing import NamedTuple

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
#: Orders that change the contract capacity itself (the others take kVA out of service and back).
CONTRACT_ORDERS = ("capacity_increase", "capacity_reduction")
#: Capacity orders that lower the capacity in force (the others raise it back or increase it).
LOWERING_ORDERS = ("capacity_reduction", "suspension")
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
    amount = quantity * rate
    return pd.DataFrame(
        {
            "bill": np.asarray(bill, dtype=np.int64),
            "line_type": line_type,
            # None throughout, as objects (not inferred cell by cell)
            "tou_period": pd.Series(
                np.empty(len(quantity), dtype=object), dtype=object, copy=False
            ),
            "tier": pd.arrays.IntegerArray(
                np.zeros(len(quantity), dtype=np.int64), np.ones(len(quantity), dtype=bool)
            ),
            "quantity": quantity,
            "rate": rate,
            "amount": round_half_up(amount, 2, out=amount),
            "estimated": np.broadcast_to(np.asarray(estimated, dtype=bool), len(quantity)).copy(),
        },
        columns=list(LINE_COLUMNS),
        copy=False,
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


def shared_codes(
    bill_ids: pd.Series, table_ids: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The positions of the bills whose customer is in a (small) table, their customer codes, and
    each table row's code in the same numbering (-1 for a customer without bills)."""
    if isinstance(bill_ids.dtype, pd.CategoricalDtype):
        return _shared_categories(bill_ids, table_ids)
    rows = np.flatnonzero(bill_ids.isin(table_ids).to_numpy(dtype=bool))
    codes, distinct = pd.factorize(bill_ids.iloc[rows])
    return rows, codes.astype(np.int64), pd.Index(distinct).get_indexer(table_ids)


def _shared_categories(
    bill_ids: pd.Series, table_ids: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`shared_codes` of categorical bill ids, worked on their integer codes: the table's ids
    are looked up once among the categories (whose hash table pandas keeps for the next call),
    and the bills' codes numbered by first appearance as pd.factorize numbers the ids."""
    categories = bill_ids.cat.categories
    category = np.append(categories.get_indexer(table_ids), -1)  # the last: an empty bill id
    shared = np.zeros(len(categories) + 1, dtype=bool)
    shared[category[:-1][category[:-1] >= 0]] = True
    # An empty id (code −1) is shared where the table has an empty one, as isin has it.
    shared[-1] = bool(pd.isna(table_ids).any())
    bill_category = bill_ids.cat.codes.to_numpy()  # −1 reads the last entry
    rows = np.flatnonzero(shared[bill_category])
    # Empty ids as NaN, which pd.factorize leaves out of the numbering (code −1).
    taken = bill_category[rows].astype(float)
    taken[taken < 0] = np.nan
    codes, distinct = pd.factorize(taken)
    number = np.full(len(categories) + 1, -1, dtype=np.int64)
    number[distinct.astype(np.int64)] = np.arange(len(distinct))
    return rows, codes.astype(np.int64), number[category[:-1]]


def basic_lines(
    bills: pd.DataFrame, rates: pd.DataFrame, dataset: object, params: BillingParams
) -> pd.DataFrame:
    """The basic-charge line due of each bill on a capacity or demand basis with a rate."""
    basis = bills["basic_charge_basis"]
    kva_rate = rates["basic_rate_kva_month"].to_numpy(dtype=float)
    kw_rate = rates["basic_rate_kw_month"].to_numpy(dtype=float)
    by_capacity = basis.eq("capacity").to_numpy(dtype=bool) & has_rate(kva_rate)
    rows = np.flatnonzero(
        by_capacity | (basis.eq("demand").to_numpy(dtype=bool) & has_rate(kw_rate))
    )
    by_capacity = by_capacity[rows]

    def column(name: str) -> np.ndarray:
        return bills[name].to_numpy()[rows]

    def number(name: str) -> np.ndarray:
        return bills[name].iloc[rows].to_numpy(dtype=float, na_value=np.nan)

    read_from, read_to, connection, closure = (
        day_numbers(column(name))
        for name in ("read_from", "read_to", "connection_date", "closure_date")
    )
    first, last, part_month = days_in_service(read_from, read_to, connection, closure)
    # The bill frame's basic charge, a blank one read already (`basic_charge_billed`).
    charged = number("basic_charge") if "basic_charge" in bills else np.full(len(rows), np.nan)
    steps = capacity_steps(dataset)
    day_sum, capacity, lowest, highest, as_billed = capacity_over(
        bills["customer_id"].iloc[rows],
        number("contract_capacity_kva"),
        capacity_billed_of(bills, rows, charged, kva_rate[rows], by_capacity),
        first,
        last,
        read_to,
        steps,
    )
    days_per_month = params.days_per_month
    prorated = (part_month | (lowest != highest)) & ~as_billed
    # A prorated month is due at most its largest capacity, as the capacity rules judge it: 31
    # days at 1/30 are an artefact of the convention, not a charge due.
    kva = np.where(prorated, np.fmin(day_sum / days_per_month, highest), capacity)

    demand = number("max_demand_kw_due")
    kw = demand_billed(demand, number("contract_demand_kw"), capacity, params)
    kw = kw * month_share(first, last, part_month, days_per_month)

    customer_id, contract = bills["customer_id"].iloc[rows], number("contract_capacity_kva")
    contracts = BillContracts(customer_id, read_to, contract)
    peak = capacity_peak(customer_id, read_to, steps, contracts)
    single = single_part(capacity, peak, as_billed, params)
    # Brought below the threshold inside the read period: the days before were two-part, due
    # at 1/30 a day (a reduction 630 → 200 kVA from the 16th: 15 × 630 / 30 = 315 kVA·month;
    # a chosen 200 kVA → 99 from the 16th: 15 × 200 / 30 = 100; by demand, 400 kW × 15/30).
    fell = np.flatnonzero(fell_inside_period(single, highest, params.two_part_choice_from_kva))
    if len(fell):
        before = days_before_the_fall(
            customer_id,
            contract,
            fell,
            first,
            last,
            read_to,
            steps,
            params,
            contracts,
        )
        kva[fell] = np.fmin(before.kva_days / days_per_month, before.highest)
        # By demand, the bill's demand (the read period's peak, reached on days the capacity
        # carried it) floored on the capacity of the last two-part day, as a whole month's is
        # on its last day, for the two-part days' share of a month.
        kw[fell] = demand_billed(
            demand[fell], number("contract_demand_kw")[fell], before.last_kva, params
        )
        kw[fell] *= before.months
        single[fell] = ~(np.where(by_capacity[fell], kva[fell], before.days) > 0)
    quantity = np.where(by_capacity, kva, kw)
    keep = ~np.isnan(quantity) & ~single
    rate = np.where(by_capacity, kva_rate[rows], kw_rate[rows])
    return line_frame(column("bill")[keep], "basic", quantity[keep], rate[keep])


def month_share(
    first: np.ndarray, last: np.ndarray, part_month: np.ndarray, days_per_month: float
) -> np.ndarray:
    """Per bill, the part of a month its basic charge by demand is due for, its days in service
    `first`..`last` (day numbers) decided calendar month by calendar month in a month of
    connection or closure (`days_in_service`): a whole calendar month in service is 1, whatever
    its days (a customer connected on the 1st of a 31-day month owes its demand once, not
    31/30 of it), another month its days / `days_per_month` (1/30 a day, DOMAIN.md), at most
    1. A first bill read over 45 days (5 February to 20 March 2024) is 25/30 + 20/30 = 1.5
    months; 1 otherwise."""
    first, last = np.asarray(first, dtype=np.int64), np.asarray(last, dtype=np.int64)
    share = np.where(part_month, 0.0, 1.0)
    counted = np.flatnonzero(np.asarray(part_month, dtype=bool) & (last >= first))
    if not len(counted):
        return share
    start, end = first[counted], last[counted]
    month = start.astype("datetime64[D]").astype("datetime64[M]")
    last_month = end.astype("datetime64[D]").astype("datetime64[M]")
    while len(start):  # each bill's calendar months in turn, from its first
        month_first = month.astype("datetime64[D]").astype(np.int64)
        month_last = (month + 1).astype("datetime64[D]").astype(np.int64) - 1
        days_from, days_to = np.maximum(start, month_first), np.minimum(end, month_last)
        whole = (days_from == month_first) & (days_to == month_last)
        part = np.minimum((days_to - days_from + 1) / days_per_month, 1.0)
        share[counted] += np.where(whole, 1.0, part)
        more = month < last_month
        counted, start, end = counted[more], start[more], end[more]
        month, last_month = month[more] + 1, last_month[more]
    return share


def single_part(
    capacity: np.ndarray, peak: np.ndarray, as_billed: np.ndarray, params: BillingParams
) -> np.ndarray:
    """Per bill, whether it is single-part on the last day of its read period
    (`no_two_part_tariff` on its capacity in force that day, `capacity`, and its customer's
    `peak`, `capacity_peak`). Not where the capacity is unknown (`as_billed`: judged on what the
    bill billed). A bill that fell below the two-part bound inside its period still owes its
    days before the fall (`basic_lines`)."""
    return (
        no_two_part_tariff(
            capacity, peak, params.two_part_threshold_kva, params.two_part_choice_from_kva
        )
        & ~as_billed
    )


def no_two_part_tariff(
    capacity: np.ndarray, peak: np.ndarray, threshold_kva: float, choice_from_kva: float
) -> np.ndarray:
    """Per bill, whether its capacity in force (`capacity`) leaves it single-part: below
    `threshold_kva` after its customer had at least that (`peak`): a reduction or suspension
    leaving less moves it to a single-part tariff (发改办价格〔2016〕1583号); or below
    `choice_from_kva`, where no customer may choose a two-part tariff. A customer always
    between the two whose archive puts it on a two-part basis keeps its basic charge: it may
    have chosen the two-part tariff (100 to 315 kVA may, 发改价格〔2023〕526号). The one
    judgement of the recomputation (`single_part`) and of the capacity rules
    (`capacity.fell_below_two_part`). NaN: unknown, not."""
    capacity = np.asarray(capacity, dtype=float)
    with np.errstate(invalid="ignore"):
        below = capacity < threshold_kva
        fell = np.asarray(peak, dtype=float) >= threshold_kva
        return below & (fell | (capacity < choice_from_kva))


def two_part_steps(
    steps: pd.DataFrame, params: BillingParams, contracts: BillContracts
) -> pd.DataFrame:
    """The capacity `steps` (`capacity_steps`) with 0 kVA on each step that leaves its customer
    single-part (`no_two_part_tariff` on the step's kVA and the largest its customer had up to
    it): summed over a read period's days they give the kVA·days on a two-part tariff, the
    days before a reduction or suspension below the threshold inside it. A step of unknown kVA
    is judged on, and holds, the capacity it resolves to (`_resolved_kva` on `contracts`), as
    the bills priced on it are: 630 → blank with an archive of 200 is single-part, not two-part
    days at 200 kVA."""
    customer = pd.factorize(steps["customer_id"])[0]
    order = np.lexsort((steps["day"].to_numpy(), customer))
    kva = _resolved_kva(steps, contracts)
    by_customer = customer[order]
    peak = pd.Series(kva[order]).groupby(by_customer).cummax().groupby(by_customer).ffill()
    single = np.zeros(len(steps), dtype=bool)
    single[order] = no_two_part_tariff(
        kva[order],
        peak.to_numpy(),
        params.two_part_threshold_kva,
        params.two_part_choice_from_kva,
    )
    return steps.assign(kva=np.where(single, 0.0, kva))


def fell_inside_period(
    single: np.ndarray, highest: np.ndarray, choice_from_kva: float
) -> np.ndarray:
    """Per bill single-part on the last day of its read period (`single`), whether it fell
    below the two-part bound inside the period: its largest capacity of those days (`highest`)
    was at least `choice_from_kva` (100 kVA), so days before the fall may have been two-part
    (630 → 200 kVA, a chosen 200 → 99) and are due at 1/30 a day (`days_before_the_fall` says
    which). The one test of the recomputation (`basic_lines`) and the capacity rules."""
    return np.asarray(single, dtype=bool) & (np.nan_to_num(highest) >= choice_from_kva)


class TwoPartDays(NamedTuple):
    """Per bill, its days on a two-part tariff before a fall below the bound inside its read
    period (`days_before_the_fall`)."""

    kva_days: np.ndarray  # Σ of each two-part day's capacity in force (kVA·days)
    days: np.ndarray  # how many days were two-part
    highest: np.ndarray  # the largest capacity of those days (kVA)
    last_kva: np.ndarray  # the capacity on the last of those days (kVA)
    months: np.ndarray  # their share of a month (`month_share`), at most 1 as a capacity's


def days_before_the_fall(
    customer_id: pd.Series,
    contract: np.ndarray,
    fell: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    read_to: np.ndarray,
    steps: pd.DataFrame,
    params: BillingParams,
    contracts: BillContracts,
) -> TwoPartDays:
    """`TwoPartDays` of the bills `fell` (positions) of bills of `customer_id` with contract
    capacity `contract`, days in service `first`..`last` and last read day `read_to`, on the
    capacity `steps` (`capacity_steps`) judged two-part or not by `two_part_steps` (a step of
    unknown kVA resolved on `contracts`, the bills' contract capacities): a bill by
    capacity is due the kVA·days / 30 (at most its largest capacity), one by demand its demand
    floored on the last two-part day's capacity for the days' share of a month, at most one: 32
    two-part days of a 34-day read are one month, as for a bill that did not fall. NaN where a
    day's capacity is unknown."""
    two_part = two_part_steps(steps, params, contracts)
    resolved = two_part["kva"].to_numpy(dtype=float)
    # 1 a two-part day, 0 a single-part one: summed over the days, the two-part days.
    counted = two_part.assign(
        kva=np.where(resolved > 0, 1.0, 0.0),
        at_most=np.nan,
        at_least=np.nan,
        as_billed=two_part["as_billed"].to_numpy(dtype=bool) | np.isnan(resolved),
    )

    def over(day_steps: pd.DataFrame, until: np.ndarray) -> tuple[np.ndarray, ...]:
        return capacity_over(
            customer_id.iloc[fell],
            contract[fell],
            np.full(len(fell), np.nan),
            first[fell],
            until,
            read_to[fell],
            day_steps,
        )

    kva_days, *_, highest, _ = over(two_part, last[fell])
    days = over(counted, last[fell])[0]
    # As many days from the first as were two-part: their share of a month.
    as_many = first[fell] + np.nan_to_num(days).astype(np.int64) - 1
    # The last two-part day, the first by which all of them have passed: they need not open
    # the period (resumed to 630 kVA on 15 July, reduced below the bound on 25 July: the 24th).
    low, high = as_many, last[fell]
    while np.any(low < high):
        middle = (low + high) // 2
        passed = over(counted, middle)[0] >= days
        low, high = np.where(passed, low, middle + 1), np.where(passed, middle, high)
    unknown = np.isnan(days)
    last_kva = np.where(unknown, np.nan, over(two_part, low)[1])
    share = month_share(first[fell], as_many, np.ones(len(fell), bool), params.days_per_month)
    months = np.where(unknown, np.nan, np.fmin(share, 1.0))
    return TwoPartDays(kva_days, days, highest, last_kva, months)


class BillContracts(NamedTuple):
    """Per bill, its customer, last read day and contract capacity in force (the archive's
    walked back over the contract orders): what a capacity step of unknown kVA resolves to."""

    customer_id: pd.Series
    read_to: np.ndarray  # day numbers
    contract: np.ndarray  # kVA; NaN: unknown


def _resolved_kva(steps: pd.DataFrame, contracts: BillContracts) -> np.ndarray:
    """Per capacity step, its kVA, or for a step of unknown kVA the contract capacity of its
    customer's bill (`contracts`) holding the step's last day (the day before its customer's
    next step; the latest bill for the last step), held within the step's bounds, as that
    bill is priced on it: a suspension from 16 July whose old value is blank, reduced 630 →
    200 kVA from 1 October, was 630 kVA before the suspension, not today's 200. NaN where that
    is unknown too."""
    archive = np.full(len(steps), np.nan)
    billed, bill_cust, step_cust = shared_codes(contracts.customer_id, steps["customer_id"])
    if len(billed):
        bills = np.lexsort((contracts.read_to[billed], bill_cust))
        bill_cust, bill_day = bill_cust[bills], np.asarray(contracts.read_to)[billed][bills]
        contract = np.asarray(contracts.contract, dtype=float)[billed][bills]
        order = np.lexsort((steps["day"].to_numpy(), step_cust))
        ordered_cust = step_cust[order]
        last_day = np.append(steps["day"].to_numpy()[order][1:] - 1, NO_DAY)
        last_day[np.append(ordered_cust[1:] != ordered_cust[:-1], True)] = NO_DAY
        # The first bill read to the step's last day or after, else the customer's latest.
        after = np.searchsorted(_key(bill_cust, bill_day), _key(ordered_cust, last_day))
        after = np.minimum(after, len(bill_cust) - 1)
        holding = np.where(bill_cust[after] == ordered_cust, after, after - 1)
        found = (ordered_cust >= 0) & (holding >= 0)
        found[found] = bill_cust[holding[found]] == ordered_cust[found]
        archive[order[found]] = contract[holding[found]]
    positions = np.arange(len(steps))
    return _step_capacity(
        steps["kva"].to_numpy(dtype=float),
        steps["at_most"].to_numpy(dtype=float),
        steps["at_least"].to_numpy(dtype=float),
        np.zeros(len(steps), dtype=bool),
        positions,
        archive,
    )


def capacity_peak(
    customer_id: pd.Series, day: np.ndarray, steps: pd.DataFrame, contracts: BillContracts
) -> np.ndarray:
    """Per bill, the largest kVA its customer's capacity `steps` (`capacity_steps`) recorded
    from the first step to the one in force on `day` (day numbers), a step of unknown kVA
    counted at the capacity it resolves to (`_resolved_kva` on the bills' `contracts`) as
    `two_part_steps` counts it: a suspension 630 → 200 kVA whose old value is blank fell from
    630, not from nothing. NaN for a customer
    without steps (its capacity never moved) or without a known kVA by then."""
    peak = np.full(len(customer_id), np.nan)
    stepped, cust, step_cust = shared_codes(customer_id, steps["customer_id"])
    if len(stepped) == 0:
        return peak
    order = np.lexsort((steps["day"].to_numpy(), step_cust))
    order = order[step_cust[order] >= 0]
    step_cust, step_day = step_cust[order], steps["day"].to_numpy()[order]
    kva = pd.Series(_resolved_kva(steps, contracts)[order])
    # The running largest known kVA of each customer (a step of NaN kVA keeps the one before).
    running = kva.groupby(step_cust).cummax().groupby(step_cust).ffill().to_numpy()
    at = latest_at(step_cust, step_day, cust, np.asarray(day)[stepped])
    peak[stepped] = np.where(at >= 0, running[np.maximum(at, 0)], np.nan)
    return peak


def demand_billed(
    demand: np.ndarray, contract_demand: np.ndarray, capacity: np.ndarray, params: BillingParams
) -> np.ndarray:
    """Per bill by demand, the kW its basic charge is due on for a whole month in service: the
    demand, at least `demand_floor_share` of the capacity in force (no floor where it is NaN,
    unknown), plus its excess over `demand_excess_threshold` × the contract demand counted
    (`demand_excess_multiplier` − 1) times more (none without a contract demand). NaN where the
    demand is: nothing to bill from. The one arithmetic of the recomputation and of the rules
    that price a demand charge."""
    demand = np.asarray(demand, dtype=float)
    contract_demand = np.asarray(contract_demand, dtype=float)
    excess = np.nan_to_num(
        np.maximum(demand - params.demand_excess_threshold * contract_demand, 0.0)
    )
    kw = np.fmax(demand, params.demand_floor_share * np.asarray(capacity, dtype=float))
    kw = kw + (params.demand_excess_multiplier - 1) * excess
    return np.where(np.isnan(demand), np.nan, kw)


def basic_charge_billed(bills: pd.DataFrame) -> np.ndarray:
    """Per bill of an export's `bills`, the basic charge it billed: its `basic_charge`, and
    where that cell is blank what its amount holds for it (`basic_in_amount`). A blank is no
    charge of nothing: read as 0, a bill whose amount holds its whole basic charge was found
    short of all of it, and its adjustment judged on a base without it.

    The amount is read only where the bill records every other part of it (DATA.md: amount =
    energy_charge + basic_charge + pf_adjustment + fund_charge, each cell filled): a rebate or
    funds the export leaves out would otherwise be read as basic charge. NaN (unknown) where it
    cannot be so read, where the amount holds nothing for it (the charge recorded nowhere:
    billed on another bill, or not exported; an archive gap, never a charge of nothing), and
    throughout where the export has no basic_charge column."""
    if "basic_charge" not in bills:
        return np.full(len(bills), np.nan)
    charged = bills["basic_charge"].to_numpy(dtype=float, na_value=np.nan, copy=True)
    blank = np.flatnonzero(np.isnan(charged))
    if len(blank):
        readable = np.ones(len(blank), dtype=bool)
        for part in ("pf_adjustment", "fund_charge"):
            if part not in bills:
                readable[:] = False
                break
            readable &= bills[part].iloc[blank].notna().to_numpy()
        held = basic_in_amount(bills, blank)
        charged[blank] = np.where(readable & (held > 0), held, np.nan)
    return charged


def basic_in_amount(bills: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows` (positions in an export's `bills`), what its amount holds beyond its
    energy charge, power-factor adjustment and funds (DATA.md: amount = energy_charge +
    basic_charge + pf_adjustment + fund_charge, a blank or absent adjustment or fund counting
    0), to the fen and never below 0: the basic charge of a bill that records none."""

    def number(name: str) -> np.ndarray:
        if name not in bills:
            return np.zeros(len(rows))
        return np.nan_to_num(bills[name].iloc[rows].to_numpy(dtype=float, na_value=np.nan))

    rest = number("amount") - number("energy_charge") - number("pf_adjustment")
    rest -= number("fund_charge")
    return round_half_up(np.maximum(rest, 0.0), 2)


def capacity_billed_of(
    bills: pd.DataFrame,
    rows: np.ndarray,
    basic_charge: np.ndarray,
    kva_rate: np.ndarray,
    by_capacity: np.ndarray,
    larger: bool = False,
) -> np.ndarray:
    """Per bill of `rows` (positions in `bills`), `capacity_billed` from its capacity_billed_kva
    (NaN where the frame lacks it) and `basic_charge` (`basic_charge_billed` of those bills):
    what a bill whose capacity in force is unknown is judged on, for the recomputation's bill
    frame and the rule context's bills alike."""
    recorded = np.full(len(rows), np.nan)
    if "capacity_billed_kva" in bills:
        column = bills["capacity_billed_kva"]
        recorded = column.iloc[rows].to_numpy(dtype=float, na_value=np.nan)
    return capacity_billed(recorded, basic_charge, kva_rate, by_capacity, larger)


def capacity_billed(
    recorded: np.ndarray,
    basic_charge: np.ndarray,
    kva_rate: np.ndarray,
    by_capacity: np.ndarray,
    larger: bool = False,
) -> np.ndarray:
    """Per bill, the capacity (kVA-months) its basic charge was billed on: `recorded`
    (capacity_billed_kva), else what its `basic_charge` pays for at the rate per kVA due
    (`kva_rate`), the one answer the recomputation and the rules read.

    With `larger`, the larger of the two where both are known: a month of change often records
    the capacity at its end while charging the days before it too (a suspension from the 3rd:
    1,250 kVA recorded, (2 × 2,500 + 29 × 1,250) / 30 = 1,375 charged), so a bill is short only
    where both fall short.

    A bill by capacity (`by_capacity`) that records neither, or only a charge without a rate
    per kVA to read it by, is NaN: an archive gap, not a charge of nothing (which would find
    the whole capacity short). A bill by demand or of a single-part customer charges no
    capacity: its recorded capacity, else 0.
    """
    recorded = np.asarray(recorded, dtype=float)
    kva_rate = np.asarray(kva_rate, dtype=float)
    implied = np.divide(
        np.asarray(basic_charge, dtype=float),
        kva_rate,
        out=np.full(len(recorded), np.nan),
        where=kva_rate > 0,
    )
    if larger:
        by_charge = np.fmax(recorded, implied)
    else:
        by_charge = np.where(np.isnan(recorded), implied, recorded)
    return np.where(by_capacity, by_charge, np.where(np.isnan(recorded), 0.0, recorded))


def days_in_service(
    read_from: np.ndarray, read_to: np.ndarray, connection: np.ndarray, closure: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bill (day numbers; NO_DAY where there is no connection or closure date), the first
    and last day of its read period in service, from connection (a missing date: always) to
    closure (inclusive), and whether its basic charge is prorated by day for it: a connection
    or closure inside the read period, or a period partly or wholly outside service."""
    first = np.maximum(read_from, np.where(connection == NO_DAY, FAR_PAST, connection))
    last = np.minimum(read_to, closure)
    in_service = np.maximum(last - first + 1, 0)
    part_month = (
        ((connection >= read_from) & (connection <= read_to))
        | ((closure >= read_from) & (closure <= read_to))
        | (in_service < read_to - read_from + 1)
    )
    return first, last, part_month


def capacity_over(
    customer_id: pd.Series,
    archive: np.ndarray,
    billed: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    read_to: np.ndarray,
    steps: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per bill over its days `first`..`last`: Σ of each day's capacity in force (kVA·days), the
    capacity on the last day (on `last` itself, or on `read_to` when no day is in service), the
    smallest and largest capacity of those days (both the capacity on the last day where no
    day is in service; they differ where the capacity changes between two of the days), and
    whether the bill is judged as billed.

    A customer without `steps` has its bills' contract capacity (`archive`) throughout, as has a
    step of NaN kVA, held within the step's at_most and at_least (`order_steps`). A day whose
    capacity is unknown (an `as_billed` step, or a step of NaN kVA on a bill whose contract
    capacity is unknown) proves nothing about its bill: a bill with such a day is judged on the
    capacity it billed (`billed`, kVA-months) whole, its four figures that capacity (Σ: over
    its days in service), and no proration."""
    days = np.maximum(last - first + 1, 0)
    day_sum = archive * days
    capacity = archive.copy()
    lowest = archive.copy()
    highest = archive.copy()
    as_billed = np.zeros(len(archive), dtype=bool)
    stepped, cust, step_cust = shared_codes(customer_id, steps["customer_id"])
    if len(stepped) == 0:
        return day_sum, capacity, lowest, highest, as_billed
    order = np.lexsort((steps["day"].to_numpy(), step_cust))
    order = order[step_cust[order] >= 0]
    step_cust, step_day = step_cust[order], steps["day"].to_numpy()[order]
    step_kva = steps["kva"].to_numpy(dtype=float)[order]
    at_most = steps["at_most"].to_numpy(dtype=float)[order]
    at_least = steps["at_least"].to_numpy(dtype=float)[order]
    unknown = steps["as_billed"].to_numpy(dtype=bool)[order]
    # A step lasts until the next step of the same customer.
    following = np.append(step_day[1:], NO_DAY)
    following[np.append(step_cust[1:] != step_cust[:-1], True)] = NO_DAY
    first, last, archive = first[stepped], last[stepped], archive[stepped]
    end_day = np.where(first <= last, last, read_to[stepped])
    # Every customer with steps has one since FAR_PAST: a step is always found.
    at_end = latest_at(step_cust, step_day, cust, end_day)
    capacity[stepped] = _step_capacity(step_kva, at_most, at_least, unknown, at_end, archive)
    lowest[stepped] = capacity[stepped]
    highest[stepped] = capacity[stepped]
    as_billed[stepped] = np.isnan(capacity[stepped])
    day_sum[stepped] = 0.0
    spans = np.flatnonzero(first <= last)
    if len(spans):
        start = latest_at(step_cust, step_day, cust[spans], first[spans])
        count = at_end[spans] - start + 1
        offsets = np.cumsum(count) - count
        bill = np.repeat(spans, count)
        step = np.repeat(start, count) + np.arange(count.sum()) - np.repeat(offsets, count)
        overlap = (
            np.minimum(following[step] - 1, last[bill])
            - np.maximum(step_day[step], first[bill])
            + 1
        )
        kva = _step_capacity(step_kva, at_most, at_least, unknown, step, archive[bill])
        day_sum[stepped[spans]] = np.add.reduceat(kva * overlap, offsets)
        lowest[stepped[spans]] = np.minimum.reduceat(kva, offsets)
        highest[stepped[spans]] = np.maximum.reduceat(kva, offsets)
        as_billed[stepped[spans]] = np.logical_or.reduceat(np.isnan(kva), offsets)
    judged = np.flatnonzero(as_billed)
    capacity[judged] = lowest[judged] = highest[judged] = billed[judged]
    day_sum[judged] = billed[judged] * days[judged]
    return day_sum, capacity, lowest, highest, as_billed


def _step_capacity(
    kva: np.ndarray,
    at_most: np.ndarray,
    at_least: np.ndarray,
    unknown: np.ndarray,
    step: np.ndarray,
    archive: np.ndarray,
) -> np.ndarray:
    """The capacity of each `step` (positions into the step arrays) for a bill whose contract
    capacity is `archive`: the step's kVA, else the contract capacity held within the step's
    bounds (NaN: none); NaN (unknown) for an `unknown` (as_billed) step, and for a step of NaN
    kVA where the contract capacity is unknown too."""
    bounded = np.fmax(np.fmin(archive, at_most[step]), at_least[step])
    bounded[np.isnan(archive)] = np.nan
    capacity = np.where(np.isnan(kva[step]), bounded, kva[step])
    capacity[unknown[step]] = np.nan
    return capacity


def capacity_steps(dataset: object) -> pd.DataFrame:
    """The capacity in force as steps `customer_id, day, kva, at_most, at_least, as_billed`
    (from that day number on; the bounds of a step of unknown kVA and the steps whose capacity
    is unknown, `order_steps`), each customer with a step at FAR_PAST: from the transformer
    status history of customers with transformers, else from their capacity and suspension
    orders."""
    from_transformers = _transformer_steps(dataset.transformers)
    from_orders = order_steps(dataset.work_orders)
    from_orders = from_orders[~from_orders["customer_id"].isin(from_transformers["customer_id"])]
    return pd.concat([from_transformers, from_orders], ignore_index=True)


def _steps(
    customer_id: object,
    day: object,
    kva: object,
    at_most: object = np.nan,
    at_least: object = np.nan,
    as_billed: object = False,
) -> pd.DataFrame:
    """A steps frame (`capacity_steps`); the bounds NaN (none) and as_billed False unless given."""
    frame = pd.DataFrame(
        {
            "customer_id": pd.Series(customer_id, dtype=object),
            "day": pd.Series(day, dtype=np.int64),
            "kva": pd.Series(kva, dtype=float),
        }
    )
    return frame.assign(at_most=at_most, at_least=at_least, as_billed=as_billed).astype(
        {"at_most": float, "at_least": float, "as_billed": bool}
    )


def status_days(transformers: pd.DataFrame) -> np.ndarray:
    """The day number from which each transformer row holds (FAR_PAST without status_since)."""
    if "status_since" not in transformers:
        return np.full(len(transformers), FAR_PAST, dtype=np.int64)
    day = day_numbers(transformers["status_since"])
    day[day == NO_DAY] = FAR_PAST
    return day


def _kva(orders: pd.DataFrame, column: str) -> np.ndarray:
    """An order value column as kVA (NaN where it is not a number or the table lacks it)."""
    if column not in orders:
        return np.full(len(orders), np.nan)
    return pd.to_numeric(orders[column], errors="coerce").to_numpy(dtype=float)


def _transformer_steps(transformers: pd.DataFrame | None) -> pd.DataFrame:
    """Running + hot-standby kVA per customer from each change of a transformer's status (a row
    without status_since holds since always): the change in kVA in force, summed over time."""
    if transformers is None or transformers.empty:
        return _steps([], [], [])
    cust, customers = pd.factorize(transformers["customer_id"])
    day = status_days(transformers)
    unit = pd.factorize(transformers["transformer_id"].astype(str))[0]
    order = np.lexsort((day, unit, cust))
    cust, unit, day = cust[order], unit[order], day[order]
    in_force = transformers["status"].isin(IN_FORCE).to_numpy(dtype=bool)[order]
    kva = np.where(in_force, transformers["kva"].to_numpy(dtype=float)[order], 0.0)
    previous = np.append(0.0, kva[:-1])
    previous[np.append(True, (cust[1:] != cust[:-1]) | (unit[1:] != unit[:-1]))] = 0.0
    # Every customer starts at nothing in force before its first status row.
    distinct = np.unique(cust)
    steps = (
        pd.DataFrame(
            {
                "cust": np.concatenate([distinct, cust]),
                "day": np.concatenate([np.full(len(distinct), FAR_PAST), day]),
                "kva": np.concatenate([np.zeros(len(distinct)), kva - previous]),
            }
        )
        .groupby(["cust", "day"], sort=True, as_index=False)["kva"]
        .sum()
    )
    total = round_half_up(steps.groupby("cust")["kva"].cumsum().to_numpy(), 6)
    return _steps(np.asarray(customers, dtype=object)[steps["cust"]], steps["day"], total)


def order_steps(orders: pd.DataFrame | None) -> pd.DataFrame:
    """Contract capacity per customer moved by orders that have taken effect: before the first
    order its old_value, from each effective date the order's new_value (a suspension's new_value
    is the kVA left in service); a value that is not a number (NaN kVA) stands for the contract
    capacity of the bill.

    A capacity increase or reduction that records no old capacity proves nothing about the time
    before it: where it is the customer's first order, the capacity before it is unknown and
    its start step is `as_billed` (a bill with a day of it is judged on the capacity it billed,
    `capacity_over`), not the bill's contract capacity, which is today's. The old value of a
    later order is not read: the orders before it say what was in force.

    An order that records no new capacity proves none: its contract capacity is held to what the
    order's type allows of the last capacity recorded before it, at most that for a reduction or
    suspension (at_most), at least that for an increase or resumption (at_least). A reduction
    without its value then neither raises the capacity above a suspension in force (cancelling
    it) nor leaves the capacity before it where the archive shows the reduction."""
    if orders is None or orders.empty or "effective_date" not in orders:
        return _steps([], [], [])
    orders = orders[orders["order_type"].isin(CAPACITY_ORDERS) & orders["effective_date"].notna()]
    cust, customers = pd.factorize(orders["customer_id"])
    day = day_numbers(orders["effective_date"])
    order = np.lexsort((day, cust))
    cust, day = cust[order], day[order]
    old, new = (_kva(orders, column)[order] for column in ("old_value", "new_value"))
    first = np.append(True, cust[1:] != cust[:-1]) if len(cust) else np.empty(0, dtype=bool)
    ids = np.asarray(customers, dtype=object)
    contract_order = orders["order_type"].isin(CONTRACT_ORDERS).to_numpy(dtype=bool)[order]
    unknown_start = (np.isnan(old) & contract_order)[first]
    starts = _steps(
        ids[cust[first]], np.full(int(first.sum()), FAR_PAST), old[first], as_billed=unknown_start
    )
    unrecorded = np.isnan(new)
    lowering = orders["order_type"].isin(LOWERING_ORDERS).to_numpy(dtype=bool)[order]
    # A bound that lowers the due (at most) may carry over any order: at worst it is lower than
    # the capacity was. One that raises it (at least) stops at a lowering order without its value.
    at_most = np.where(unrecorded & lowering, _recorded_before(cust, old, new), np.nan)
    at_least = np.where(
        unrecorded & ~lowering, _recorded_before(cust, old, new, unrecorded & lowering), np.nan
    )
    changes = _steps(ids[cust], day, new, at_most, at_least)
    # Two orders effective the same day: the later one (in the table's order) holds.
    changes = changes.drop_duplicates(["customer_id", "day"], keep="last")
    return pd.concat([starts, changes], ignore_index=True)


def _recorded_before(
    cust: np.ndarray, old: np.ndarray, new: np.ndarray, stops: np.ndarray | None = None
) -> np.ndarray:
    """Per capacity order (sorted by customer code `cust`, then day), the last capacity
    recorded before it: the new values of the customer's orders before it, carried over those
    that record none, else the first order's old value; NaN where none is recorded.

    The carry stops at the orders `stops` marks: after one, NaN until an order records a
    capacity. The one walk of `order_steps` (its bounds on an order without a new value) and
    `capacity_before` (the capacity before an order without an old value)."""
    first = np.append(True, cust[1:] != cust[:-1]) if len(cust) else np.empty(0, dtype=bool)
    before = np.where(first, old, np.append(np.nan, new[:-1]))
    if stops is not None:
        after_stop = ~first & np.append(False, stops[:-1])
        before = np.where(after_stop, -np.inf, before)
    carried = pd.Series(before).groupby(cust).ffill().to_numpy()
    return np.where(np.isneginf(carried), np.nan, carried)


def capacity_before(
    cust: np.ndarray, day: np.ndarray, old: np.ndarray, new: np.ndarray
) -> np.ndarray:
    """Per capacity order (customer code `cust`, effective `day`, old and new kVA, NaN where
    not a number), the contract capacity in force before it: its old value, else the new value
    of the customer's order before it (by day; of equal days, in the arrays' order), else NaN.

    A capacity, never a bound: an order that records no old capacity proves nothing about the
    time before it (nor does today's archive), and one that records no new capacity proves
    none after it. `order_steps` holds such an order to a bound (at least or at most the value
    recorded before it) for the basic charge due; a bound read as the capacity in force would
    be unsafe for some rule either way (a lower one makes a demand above it look over the
    capacity, an upper one a bill below it look short), so this walk stops at it."""
    order = np.lexsort((day, cust))
    before = np.empty(len(cust))
    before[order] = _recorded_before(cust[order], old[order], new[order], np.isnan(new[order]))
    return np.where(np.isnan(old), before, old)

"""The prepared bill frame: one row per bill with what a recomputation needs, and the rates in force.

The archive holds today's values; work orders tell what was in force before: before a
meter_replacement order takes effect the multiplier was its old value (when that is a number),
before a tariff_change its old category, before a voltage_change, capacity or demand change, or
basis change its old value (before a capacity order without one, the capacity is unknown unless
the orders before it recorded one: `capacity_before`). A value is in force on a bill when it
was on the bill's read_to date.
Everything is array work over the whole table (searchsorted on customer × day keys), never per bill.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditkit.arrow_text import arrow_text, run_changes
from auditkit.billing.basic import CONTRACT_ORDERS, basic_charge_billed, capacity_before
from auditkit.billing.money import round_half_up
from auditkit.billing.params import TOU_PERIODS
from auditkit.billing.tariff_lookup import TariffLookup, day_numbers, first_rows, row_numbers
from auditkit.data import Dataset
from auditkit.periods import month_end_days, month_first_days, month_number, period_text

#: Columns of the prepared bill frame that every charge function may read (extras follow them).
BILL_FRAME_COLUMNS = (
    "bill",
    "customer_id",
    "period",
    "month",
    "read_from",
    "read_to",
    "read_days",
    "kwh_billed",
    "kwh_due",
    "multiplier_billed",
    "multiplier_due",
    "tariff_due",
    "voltage_kv",
    "metering_mode",
    "pf_standard",
    "basic_charge_basis",
    "contract_capacity_kva",
    "contract_demand_kw",
    "max_demand_kw",
    "kvarh_import",
    "kvarh_export",
    "max_demand_kw_due",
    "kvarh_import_due",
    "kvarh_export_due",
    "connection_date",
    "closure_date",
    "read_type",
)
#: Bill columns carried along for the energy lines and the billed side (NaN where absent).
BILLED_COLUMNS = (
    "energy_rate",
    "energy_charge",
    "capacity_billed_kva",
    "basic_charge",
    "pf_adjustment",
    "loss_kwh",
    "fund_charge",
    "kwh_critical",
    "kwh_peak",
    "kwh_valley",
)
#: Line types in the order a recomputation lists them.
LINE_TYPES = ("energy", "loss", "basic", "pf_adjustment", "fund")
#: The period code of a line without a time-of-use period (periods are positions in TOU_PERIODS).
NO_PERIOD = len(TOU_PERIODS)
#: Bill figures read through the meter's CT and PT as the kWh are, and their columns at the
#: multiplier due (the billed ones stay the bill's own: what was billed).
METERED = {
    "max_demand_kw": "max_demand_kw_due",
    "kvarh_import": "kvarh_import_due",
    "kvarh_export": "kvarh_export_due",
}
RATE_COLUMNS = ("flat_rate", "basic_rate_kva_month", "basic_rate_kw_month", "fund_rate")
#: Orders whose old value tells an archive column's value before they took effect.
CHANGES = {
    "multiplier": ("meter_replacement",),
    "tariff_category": ("tariff_change",),
    "voltage_kv": ("voltage_change",),
    "contract_capacity_kva": CONTRACT_ORDERS,
    "contract_demand_kw": ("demand_change",),
    "basic_charge_basis": ("basis_change",),
}
#: Columns whose value before an order that records no old value is unknown (NaN), not the
#: archive's (`capacity_before`); before the other columns' orders such an order is skipped.
_UNKNOWN_BEFORE = {"contract_capacity_kva"}
_NUMERIC = {"multiplier", "voltage_kv", "contract_capacity_kva", "contract_demand_kw"}
#: The bases a basic charge may be on (DATA.md): an order's old value is a basis when it is one.
BASES = ("capacity", "demand", "none")
# customer × day keys: a day number (±2 million days around 1970) in the low 22 bits.
_DAY_BITS = 22
_DAY_OFFSET = 1 << (_DAY_BITS - 1)


def prepare_bills(
    dataset: Dataset,
    last_month: int | None = None,
    bill_keys: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """The bill frame of `dataset` (bills up to month number `last_month` when given), sorted by
    customer and month, index 0..n-1, `bill` = row position. Columns BILL_FRAME_COLUMNS, then the
    billed figures (BILLED_COLUMNS), then `tariff_billed`, the archive's `tou` and
    `tier_scheme`, `cust` (the
    customer's position among the customers in id order), `customer_row` (its row in
    `dataset.customers`, −1 for an unknown customer) and `tariff_query` (the number of the bill's
    (tariff_due, read_to, voltage_kv) among the distinct ones: bills asking the tariff the same
    question are answered once) and `swap_not_judged` (why a bill around a meter replacement is
    due its kWh billed, not its reads: SWAP_READS_IMPOSSIBLE, SWAP_THREE_METERS, else
    SWAP_JUDGED). Text columns are categoricals (codes into the distinct texts;
    `texts_at` reads them as Python texts, None where empty).

    `bill_keys`, where the caller has coded the bills already (the rule context), are each bill's
    customer row in `dataset.customers` (−1: unknown) and month number, for the rows of
    `dataset.bills`: their ids and periods are then not coded again.
    """
    source = dataset.bills
    # Customers in id order, so that sorting bills by customer code sorts them by customer_id.
    customers = dataset.customers.reset_index(drop=True)
    customers = customers.sort_values("customer_id", kind="stable")
    customer_row = np.append(customers.index.to_numpy(dtype=np.int64), -1)
    customers = customers.reset_index(drop=True)
    coded = _coded_by_keys(bill_keys, customer_row, customers["customer_id"])
    if coded is None:
        period_codes, periods = factorized(source["period"])
        months = _months(source["period"], period_codes, periods)
        id_codes, ids = factorized(source["customer_id"])
        cust = _positions(id_codes, ids, pd.Index(customers["customer_id"]))
    else:
        cust, months, period_codes, periods = coded
        id_codes, ids = cust, customers["customer_id"]
    # An export is usually sorted already (checked on one key, not sorted again): its columns are
    # then taken as they are.
    key = _month_key(cust, months)
    in_order = len(key) < 2 or bool((key[1:] >= key[:-1]).all())
    del key
    if in_order:
        kept = None if last_month is None else np.flatnonzero(months <= last_month)
        kept = None if kept is None or len(kept) == len(months) else kept
    else:
        kept = np.lexsort((months, cust))
        if last_month is not None:
            kept = kept[months[kept] <= last_month]
    months, cust = _taken(months, kept), _taken(cust, kept)

    def text(column: str) -> pd.Categorical:
        codes, distinct = factorized(source[column])
        return _categorical(_taken(codes, kept), distinct)

    def number(column: str) -> np.ndarray:
        return _taken(_number(source, column), kept)

    def date(column: str, months: np.ndarray, default: object) -> np.ndarray:
        """The bills' dates, `default(month)` (the month's first or last day) where empty."""
        if column not in source:
            return _month_days(months, default)
        values = _taken(source[column].to_numpy("datetime64[D]"), kept)
        empty = np.flatnonzero(np.isnat(values))
        if len(empty):
            values = values.copy()
            values[empty] = _month_days(months[empty], default)
        return values

    def billed_figure(column: str) -> np.ndarray:
        """A billed column; a blank basic charge is what the bill's amount holds for it, not a
        charge of nothing (`basic_charge_billed`)."""
        if column == "basic_charge":
            return _taken(basic_charge_billed(source), kept)
        return number(column)

    read_from = date("read_from", months, month_first_days)
    read_to = date("read_to", months, month_end_days)
    # Whole days, no NaT left: their day numbers are their integers (no copy).
    from_day, to_day = read_from.view(np.int64), read_to.view(np.int64)
    read_days = to_day - from_day
    read_days += 1
    archive = _archive(customers, cust)
    orders = _orders(dataset.work_orders, customers)
    # Only bills of customers with orders can have had another value in force: the others are
    # not searched.
    ordered = np.zeros(len(customers) + 1, dtype=bool)
    ordered[orders["cust"].to_numpy(dtype=np.int64)] = True
    ordered = np.flatnonzero(ordered[cust])
    multiplier_billed = number("multiplier_billed")
    registers = number("register_start"), number("register_end")
    kwh_billed = number("kwh_billed")
    replaced = np.flatnonzero((orders["order_type"] == "meter_replacement").to_numpy(dtype=bool))
    replacements = Replacements(
        *(orders[name].to_numpy(dtype=np.int64)[replaced] for name in ("cust", "day")),
        *(
            orders[name].to_numpy(dtype=float)[replaced]
            for name in ("old_number", "final", "first")
        ),
        names_two_meters(orders["old_text"], orders["new_text"])[replaced],
    )
    reads = MeterReads(
        cust[ordered],
        from_day[ordered],
        to_day[ordered],
        _old_meter_last_days(source, kept, ordered, to_day),
        registers[0][ordered],
        registers[1][ordered],
        kwh_billed[ordered],
        multiplier_billed[ordered],
    )
    swaps = meter_swap_bills(replacements, reads)
    before = multiplier_before_replacements(replacements, reads, swaps)
    orders.iloc[replaced, orders.columns.get_loc("old_number")] = before
    read_to_key = _key(cust[ordered], to_day[ordered])  # customer × read_to day of those bills
    in_force = {
        name: _value_before(
            cust[ordered],
            read_to_key,
            ordered,
            orders,
            types,
            archive[name],
            name in _NUMERIC,
            name in _UNKNOWN_BEFORE,
        )
        for name, types in CHANGES.items()
    }
    # The old meter's last bill of a swap reads the old meter alone, though read to a day after
    # the swap: due at the multiplier before it; before the first of two swaps in the next bill
    # (three meters), not the second's (the middle meter's).
    old_meter_last = first_swap_after_each_bill(replacements.day, swaps.last_old)
    old_meter_last = old_meter_last[np.isfinite(before[old_meter_last])]
    in_force["multiplier"][ordered[swaps.last_old[old_meter_last]]] = before[old_meter_last]
    # Before a swap whose multiplier before is unknown and whose reads cannot tell it, the bills
    # are not judged: their multiplier billed stands (the archive's is today's, after the swap).
    untold = ordered[_before_untold_swaps(replacements, reads, swaps, before)]
    in_force["multiplier"][untold] = multiplier_billed[untold]
    read_type = text("read_type")
    estimated = np.asarray(read_type == "estimated")
    metered_billed = {name: number(name) for name in METERED}
    # A bill joined across a multiplier change read its peak and reactive energy on a side of
    # the change no figure tells: they stay as billed, not judged (its kWh still are).
    across = np.zeros(len(cust), dtype=bool)
    across[_joined_across_change(ordered, swaps, before, in_force["multiplier"])] = True
    metered = _metered_due(
        metered_billed,
        register_scale(estimated | across, in_force["multiplier"], multiplier_billed),
    )
    metered_not_judged = across & np.any(
        [np.isfinite(values) for values in metered_billed.values()], axis=0
    )
    tariff_due = in_force["tariff_category"]
    kwh_due, swap_not_judged = _kwh_due(
        registers,
        kwh_billed,
        estimated,
        in_force["multiplier"],
        SwapPricing(ordered, reads, replacements._replace(old=before), replacements.old, swaps),
    )
    untold = untold[swap_not_judged[untold] == SWAP_JUDGED]
    swap_not_judged[untold] = SWAP_MULTIPLIER_UNKNOWN
    kwh_due[untold] = kwh_billed[untold]
    columns = {
        "bill": np.arange(len(cust)),
        "customer_id": _categorical(_taken(id_codes, kept), ids),
        "period": _categorical(_taken(period_codes, kept), periods),
        "month": months,
        "read_from": read_from,
        "read_to": read_to,
        "read_days": read_days,
        "kwh_billed": kwh_billed,
        "kwh_due": kwh_due,
        "multiplier_billed": multiplier_billed,
        "multiplier_due": in_force["multiplier"],
        "tariff_due": tariff_due,
        "voltage_kv": in_force["voltage_kv"],
        "metering_mode": archive["metering_mode"],
        "pf_standard": archive["pf_standard"],
        "basic_charge_basis": in_force["basic_charge_basis"],
        "contract_capacity_kva": in_force["contract_capacity_kva"],
        "contract_demand_kw": in_force["contract_demand_kw"],
        **metered,
        "connection_date": archive["connection_date"],
        "closure_date": _closure(len(cust), ordered, cust[ordered], from_day[ordered], orders),
        "read_type": read_type,
        **{column: billed_figure(column) for column in BILLED_COLUMNS},
        "tariff_billed": text("tariff_billed"),
        "tou": archive["tou"],
        "tier_scheme": archive["tier_scheme"],
        "cust": cust,
        "customer_row": customer_row[cust],
        "tariff_query": row_numbers((tariff_due.codes, to_day, in_force["voltage_kv"]))[0],
        "swap_not_judged": swap_not_judged,
        "metered_not_judged": metered_not_judged,
    }
    # The columns are not copied into one block (gigabytes on millions of bills).
    return pd.DataFrame(columns, copy=False)


def _coded_by_keys(
    bill_keys: tuple[np.ndarray, np.ndarray] | None, customer_row: np.ndarray, ids: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """From bills' customer rows and months (`bill_keys`): each bill's position among the
    customers in id order (`customer_row`: their rows, then −1; `ids` theirs), its month, and
    its period as a code into the months' texts from the first month to the last. None where the
    keys cannot stand for the texts (no keys or no bills, a bill of an unknown customer, whose
    id is not in the archive, or an archive whose ids are not distinct and filled)."""
    if bill_keys is None or not len(bill_keys[0]) or ids.hasnans or not ids.is_unique:
        return None
    rows, months = (np.asarray(values, dtype=np.int64) for values in bill_keys)
    if rows.min() < 0:
        return None
    position = np.empty(len(customer_row) - 1, dtype=np.int64)
    position[customer_row[:-1]] = np.arange(len(position))
    low, high = int(months.min()), int(months.max())
    periods = np.asarray(period_text(np.arange(low, high + 1)), dtype=object)
    return position[rows], months, months - low, periods


def _categorical(codes: np.ndarray, distinct: object) -> pd.Categorical:
    """Texts as codes (−1: empty) into the distinct texts, kept as Python texts (object); the
    codes are right by construction, so they are not checked again."""
    return pd.Categorical.from_codes(
        _narrow(codes, len(distinct)), dtype=_text_dtype(distinct), validate=False
    )


def _narrow(codes: np.ndarray, count: int) -> np.ndarray:
    """Codes of `count` distinct values in the integers a categorical keeps them in."""
    dtype = np.int8 if count < 127 else np.int16 if count < 32767 else np.int32
    return codes.astype(dtype, copy=False)


def _text_dtype(distinct: object) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(pd.Index(np.asarray(distinct, dtype=object), dtype=object))


def texts_at(values: pd.Series, rows: np.ndarray | None = None) -> np.ndarray:
    """A text column of the bill frame (a categorical, or object text in a frame made by hand)
    as Python texts at `rows` (all rows when None), None where empty: the texts are taken
    from the few distinct ones, never converted cell by cell."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        names = np.append(np.asarray(values.cat.categories, dtype=object), None)
        return names[codes if rows is None else codes[rows]]
    texts = values.to_numpy(dtype=object)
    texts = texts if rows is None else texts[rows]
    return np.where(pd.isna(texts), None, texts)


def _month_days(months: np.ndarray, day_of: object) -> np.ndarray:
    """`day_of` (month_first_days or month_end_days) of each month number, computed once per
    month of the range."""
    if not len(months):
        return day_of(months)
    low = int(months.min())
    return day_of(np.arange(low, int(months.max()) + 1))[months - low]


def _taken(values: np.ndarray, order: np.ndarray | None) -> np.ndarray:
    return values if order is None else values[order]


def codes_of(values: pd.Series | np.ndarray, index: pd.Index) -> np.ndarray:
    """Position of each of `values` in `index` (−1 where absent), hashing each distinct value once
    (ids repeat over millions of rows)."""
    return _positions(*factorized(values), index)


def factorized(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (−1 for an empty value) into the distinct values (object), as pd.factorize gives
    them: a categorical's own codes (a file's dictionary), Arrow text dictionary-encoded by Arrow
    (pandas' factorize of Arrow text costs twice as much), anything else by pd.factorize."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), np.asarray(values.cat.categories, dtype=object)
    arrow = arrow_text(values)
    if arrow is None:
        codes, distinct = pd.factorize(values)
        return codes, np.asarray(distinct, dtype=object)
    # Ids come in runs (a customer's bills together): where runs are few, only their first
    # values are encoded. Texts that change at most rows (periods) show it in their first
    # values: they are encoded whole, not compared row by row first.
    if _few_runs(arrow[:_RUN_SAMPLE]):
        starts = np.flatnonzero(run_changes(arrow))
        if _few_runs(arrow, len(starts)):
            codes, distinct = _encoded(arrow.take(pa.array(starts)))
            return np.repeat(codes, np.diff(np.append(starts, len(arrow)))), distinct
    return _encoded(arrow)


#: Values whose runs `factorized` counts before it compares a whole column.
_RUN_SAMPLE = 4096


def _few_runs(arrow: pa.Array, runs: int | None = None) -> bool:
    """The values (`runs` of them, counted here when not given) run in fewer runs than a
    quarter of their number: encoding each run's first value pays."""
    runs = int(np.count_nonzero(run_changes(arrow))) if runs is None else runs
    return runs * 4 < len(arrow)


def _encoded(arrow: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Arrow's dictionary encoding as codes (−1 for an empty value) and the distinct texts."""
    encoded = arrow.dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return codes, encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)


def _months(values: object, codes: np.ndarray, distinct: np.ndarray) -> np.ndarray:
    """Month numbers of periods given as codes into their distinct texts; an empty or malformed
    period raises month_number's error."""
    if len(codes) and codes.min() < 0:
        return month_number(values)
    return month_number(distinct)[codes] if len(distinct) else np.zeros(0, dtype=np.int64)


def _positions(codes: np.ndarray, distinct: object, index: pd.Index) -> np.ndarray:
    """Position in `index` of each value given as codes into its distinct values (−1: absent)."""
    positions = np.append(_indexer(distinct, index), -1)
    return positions[codes]


def _indexer(values: object, index: pd.Index) -> np.ndarray:
    """Position in `index` of each of `values` (−1: absent), as `index.get_indexer` gives it.

    Texts are looked up by Arrow where the index holds distinct texts (pandas hashes tens of
    thousands of Python texts six times as slowly); anything else, or an index with a text
    twice or an empty one, is left to pandas (which refuses an index that is not unique)."""
    try:
        wanted = pa.array(np.asarray(values, dtype=object), type=pa.large_string())
        among = arrow_text(pd.Series(index, copy=False))
        if among is None:
            among = pa.array(np.asarray(index, dtype=object), type=pa.large_string())
    except (pa.ArrowException, UnicodeError):
        return index.get_indexer(values)
    if among.null_count or len(pc.unique(among)) != len(among):
        return index.get_indexer(values)
    found = pc.index_in(wanted, value_set=among.cast(pa.large_string()))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)


def tariff_changed_inside(
    bills: pd.DataFrame, dataset: Dataset
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """The bills of the prepared frame `bills` whose read period holds the effective day of one
    tariff_change order (read_from < day ≤ read_to) recording an old tariff other than the
    tariff due, billed on the tariff due (or on none said): their positions, the frame's rows
    on the old tariff due (`tariff_due`, `tariff_query` made again), and their read days before
    the day (d_old; the rows keep their read days, rd). A bill holding two such orders, back and forth, is
    left out (no one split)."""
    none = (np.empty(0, dtype=np.int64), bills.iloc[:0], np.empty(0))
    orders = dataset.work_orders
    if orders is None or not len(orders):
        return none
    customers = dataset.customers.sort_values("customer_id", kind="stable")
    orders = _orders(orders, customers.reset_index(drop=True))
    orders = orders[(orders["order_type"] == "tariff_change").to_numpy(dtype=bool)]
    old = pd.Series(orders["old_text"].to_numpy(dtype=object), dtype=object)
    orders = orders[(old.notna() & (old.astype(str).str.strip() != "")).to_numpy(dtype=bool)]
    if not len(orders):
        return none
    cust = bills["cust"].to_numpy(dtype=np.int64)
    from_day = bills["read_from"].to_numpy("datetime64[D]").view(np.int64)
    to_day = bills["read_to"].to_numpy("datetime64[D]").view(np.int64)
    keys = orders["key"].to_numpy(dtype=np.int64)
    first = np.searchsorted(keys, _key(cust, from_day), side="right")
    last = np.searchsorted(keys, _key(cust, to_day), side="right")
    rows = np.flatnonzero(last - first == 1)  # one change inside, of the bill's own customer
    order = first[rows]
    old = orders["old_text"].to_numpy(dtype=object)[order]
    new = np.asarray(texts_at(bills["tariff_due"], rows), dtype=object)
    billed = np.asarray(texts_at(bills["tariff_billed"], rows), dtype=object)
    # Billed on the new tariff (or not said): one billed on the old is the tariff rules'.
    other = (old != new) & ((billed == new) | pd.isna(billed))
    rows, order, old = rows[other], order[other], old[other]
    days_before = orders["day"].to_numpy(dtype=np.int64)[order] - from_day[rows]
    on_old = bills.iloc[rows].reset_index(drop=True)
    on_old["bill"] = np.arange(len(rows))
    tariff = pd.Categorical(old.astype(str))
    on_old["tariff_due"] = tariff
    on_old["tariff_query"] = row_numbers(
        (tariff.codes, to_day[rows], on_old["voltage_kv"].to_numpy(dtype=float))
    )[0]
    return rows, on_old, days_before


def rates_frame(bills: pd.DataFrame, lookup: TariffLookup) -> pd.DataFrame:
    """Per bill, the rates of the flat (no period, no tier) row of the tariff due in force on
    read_to; NaN where there is none."""
    # Bills asking the same question (tariff_query: the questions numbered 0..count−1) asked once.
    inverse = bills["tariff_query"].to_numpy(dtype=np.int64)
    first = first_rows(inverse, int(inverse.max()) + 1 if len(inverse) else 0)
    rows = lookup.row(
        texts_at(bills["tariff_due"], first),
        bills["read_to"].to_numpy("datetime64[D]")[first],
        bills["voltage_kv"].to_numpy(dtype=float)[first],
    )
    rates = {}
    for name, column in zip(RATE_COLUMNS, ("energy_rate", *RATE_COLUMNS[1:]), strict=True):
        if column in lookup.tariffs and len(lookup.tariffs):
            # Per question (row −1: the NaN appended), then spread to the bills asking it.
            values = lookup.tariffs[column].to_numpy(dtype=float, na_value=np.nan)
            rates[name] = np.append(values, np.nan)[rows][inverse]
        else:
            rates[name] = np.full(len(bills), np.nan)
    return pd.DataFrame(rates, index=bills.index, copy=False)


def _archive(customers: pd.DataFrame, cust: np.ndarray) -> dict[str, object]:
    """Archive columns per bill (bills of unknown customers get empty values); texts as
    categoricals."""

    def per_customer(column: str) -> np.ndarray:
        if column not in customers:
            return np.full(len(customers), np.nan)
        return customers[column].to_numpy(dtype=float, na_value=np.nan)

    def number(column: str | np.ndarray) -> np.ndarray:
        """A customers' number column (or figures per customer) per bill; the last entry answers
        the bills of unknown customers (cust −1)."""
        values = per_customer(column) if isinstance(column, str) else column
        return np.append(values, np.nan)[cust]

    def text(column: str, empty: str | None = None) -> pd.Categorical:
        codes, distinct = (
            pd.factorize(customers[column])
            if column in customers
            else (np.full(len(customers), -1), np.empty(0, dtype=object))
        )
        distinct = np.asarray(distinct, dtype=object)
        fill = -1
        if empty is not None:
            if empty not in distinct:
                distinct = np.append(distinct, empty)
            fill = np.flatnonzero(distinct == empty)[0]
            codes = np.where(codes < 0, fill, codes)
        return _categorical(_narrow(np.append(codes, fill), len(distinct))[cust], distinct)

    tou = (
        np.append(customers["tou"].fillna(False).to_numpy(dtype=bool), False)[cust]
        if "tou" in customers
        else np.zeros(len(cust), dtype=bool)
    )
    # Whole days in the frame's seconds: made per customer, so the bills' column is not converted
    # again when the frame is made.
    connection = customers["connection_date"].to_numpy("datetime64[D]").astype("datetime64[s]")
    return {
        "multiplier": number(per_customer("ct_ratio") * per_customer("pt_ratio")),
        "tariff_category": text("tariff_category"),
        "voltage_kv": number("voltage_kv"),
        "metering_mode": text("metering_mode"),
        "pf_standard": number("pf_standard"),
        "basic_charge_basis": text("basic_charge_basis"),
        "contract_capacity_kva": number("contract_capacity_kva"),
        "contract_demand_kw": number("contract_demand_kw"),
        "connection_date": np.append(connection, np.datetime64("NaT"))[cust],
        "tou": tou,
        "tier_scheme": text("tier_scheme", "none"),
    }


def _orders(orders: pd.DataFrame | None, customers: pd.DataFrame) -> pd.DataFrame:
    """The `orders` that took effect (an effective date) of known customers (their positions in
    `customers` as `cust`), sorted by customer × day, with `key` (customer × day), old and new
    values as texts and as numbers."""
    columns = [
        "order_type",
        "key",
        "day",
        "cust",
        "old_text",
        "old_number",
        "new_text",
        "new_number",
        "final",
        "first",
    ]
    if orders is None or not len(orders):
        return pd.DataFrame({column: [] for column in columns})
    cust = codes_of(orders["customer_id"], pd.Index(customers["customer_id"]))
    day = day_numbers(orders["effective_date"])
    taken = (cust >= 0) & (day != np.iinfo(np.int64).max)
    old = orders["old_value"] if "old_value" in orders else pd.Series(pd.NA, index=orders.index)
    new = orders["new_value"] if "new_value" in orders else pd.Series(pd.NA, index=orders.index)
    frame = pd.DataFrame(
        {
            "order_type": orders["order_type"].to_numpy(dtype=object),
            "key": _key(cust, day),
            "day": day,
            "cust": cust,
            "old_text": old.to_numpy(dtype=object),
            "old_number": pd.to_numeric(old, errors="coerce").to_numpy(dtype=float),
            "new_text": new.to_numpy(dtype=object),
            "new_number": pd.to_numeric(new, errors="coerce").to_numpy(dtype=float),
            "final": _number(orders, "old_final_read"),
            "first": _number(orders, "new_first_read"),
        }
    )[taken]
    return frame.sort_values("key", kind="stable", ignore_index=True)


#: How close two register reads (kept to the hundredth) are to be one read.
READ_MATCH = 0.005


class Replacements(NamedTuple):
    """meter_replacement orders: customer codes, effective days (days since 1970), old values as
    numbers (the multiplier before; NaN for meter numbers or nothing), the old meter's final read
    and the new meter's first read (NaN where not recorded), and whether the order names two
    different meters (old and new values both meter numbers, not alike: E-OLD → E-NEW)."""

    cust: np.ndarray
    day: np.ndarray
    old: np.ndarray
    final: np.ndarray
    first: np.ndarray
    two_meters: np.ndarray


class MeterReads(NamedTuple):
    """The bills searched around meter replacements, each customer's in month order: customer
    codes, read_from and read_to days, the last day each bill reads the old meter of a swap on
    it (the eve of read_to where the bill records read_to, whose reading is the old meter's; else
    the month's last day: the swap month's bill is the new meter's), registers, kWh and
    multiplier billed."""

    cust: np.ndarray
    from_day: np.ndarray
    to_day: np.ndarray
    old_last_day: np.ndarray
    start: np.ndarray
    end: np.ndarray
    kwh: np.ndarray
    multiplier: np.ndarray


class MeterSwapBills(NamedTuple):
    """Per meter replacement, its bills (positions among the MeterReads, −1 where none):
    `last_old`, the old meter's last bill, and `first_new`, the new meter's first; `joined`,
    whether that first new bill joins both meters; `crowded`, whether another swap of the
    customer falls in the same first new bill (three meters in one bill: which read is whose is
    not known)."""

    last_old: np.ndarray
    first_new: np.ndarray
    joined: np.ndarray
    crowded: np.ndarray


class SwapPricing(NamedTuple):
    """What the kWh due of the bills around meter replacements are priced from: the frame rows of
    the bills searched (`rows`, by MeterReads position), their reads, the replacements with the
    multiplier before each as its old value, the old values the orders recorded (`recorded_old`,
    NaN for meter numbers or nothing) and the replacements' bills."""

    rows: np.ndarray
    reads: MeterReads
    replacements: Replacements
    recorded_old: np.ndarray
    swaps: MeterSwapBills


#: Why a bill's kWh due are its kWh billed, not judged from its reads (`swap_not_judged`): none,
#: a swap's reads no meter can have shown, three meters whose units the reads cannot tell, a
#: bill before a swap whose multiplier before no order or read tells, or registers falling
#: around a swap that joins no bill (a meter change the order's day does not show).
SWAP_JUDGED, SWAP_READS_IMPOSSIBLE, SWAP_THREE_METERS, SWAP_MULTIPLIER_UNKNOWN = 0, 1, 2, 3
SWAP_REGISTERS_FALL = 4


def names_two_meters(old: pd.Series | np.ndarray, new: pd.Series | np.ndarray) -> np.ndarray:
    """Per order, whether its old and new values name two different meters: both recorded, not
    numbers (a multiplier), and not the same text."""
    old_text, new_text = pd.Series(old, dtype=object), pd.Series(new, dtype=object)
    numbers = (
        pd.to_numeric(old_text, errors="coerce").notna()
        | pd.to_numeric(new_text, errors="coerce").notna()
    )
    recorded = old_text.notna() & new_text.notna() & ~numbers
    differ = old_text.astype(str).str.strip() != new_text.astype(str).str.strip()
    return (recorded & differ).to_numpy(dtype=bool)


def meter_kept(replacements: Replacements, reads: MeterReads, bill: np.ndarray) -> np.ndarray:
    """Per replacement, whether the bill `bill` (−1: none) reads one meter kept through a CT or
    PT change: the order names no two different meters, its first read continues the bill's
    registers (start ≤ first ≤ end) and its final read, where recorded, is that first read."""
    at = np.maximum(bill, 0)
    first, final = replacements.first, replacements.final
    within = (reads.start[at] <= first) & (first <= reads.end[at])
    same_read = np.isnan(final) | (np.abs(final - first) < READ_MATCH)
    return (bill >= 0) & ~replacements.two_meters & within & same_read


def meter_swap_bills(replacements: Replacements, reads: MeterReads) -> MeterSwapBills:
    """The bills around each meter replacement, one definition for the rules and the
    recomputation.

    The first new bill is the first one reading the old meter no later than the eve of the swap
    (`MeterReads.old_last_day`), unless it ends on the old meter: read up to its final read, or
    followed by a bill starting at the new meter's first read (neither read from nor to that
    read itself); it then is the old meter's last bill, the next one the new meter's first.

    A first new bill joins both meters when the swap falls in its read period (on read_from or
    after), it starts on the old meter (where the old meter's last bill ended, to the
    hundredth; the first bill of the extract, no bill before it: its register runs back below
    its start), not at the new meter's first read nor past the old meter's final read, and it
    ends on the new meter (not at the old meter's final read), and its kWh say so
    (`_kwh_say_joined`). Without the new meter's first read no bill joins; a final read not
    recorded leaves its comparisons open (the kWh then decide). A bill that passes the reads but
    whose kWh are the old meter's alone (a bill stopping short of the final read, or one of an
    order without it) is the old meter's last bill, the next one the new meter's first. A bill
    holding two swaps (`crowded`) joins none."""
    cust, day, final, first_read = (
        replacements.cust,
        replacements.day,
        replacements.final,
        replacements.first,
    )
    n = len(reads.cust)
    if not n:
        none = np.full(len(cust), -1, dtype=np.int64)
        return MeterSwapBills(
            none, none, np.zeros(len(cust), dtype=bool), np.zeros(len(cust), dtype=bool)
        )

    def own(position: np.ndarray) -> np.ndarray:
        """`position` where it is a bill of the replacement's customer, else −1."""
        at = np.clip(position, 0, n - 1)
        return np.where((position >= 0) & (position < n) & (reads.cust[at] == cust), position, -1)

    position = np.searchsorted(_key(reads.cust, reads.old_last_day), _key(cust, day), "left")
    at = own(position)
    bill = np.maximum(at, 0)
    after = own(position + 1)
    from_first = (after >= 0) & (
        np.abs(reads.start[np.maximum(after, 0)] - first_read) < READ_MATCH
    )
    ends_old = (
        (at >= 0)
        & ~(np.abs(reads.start[bill] - first_read) < READ_MATCH)
        & ~(np.abs(reads.end[bill] - first_read) < READ_MATCH)
        & ((np.abs(reads.end[bill] - final) < READ_MATCH) | from_first)
    )
    # A bill whose reads would join both meters but whose kWh are the old meter's alone.
    reads_join = ~ends_old & _reads_join(replacements, reads, at, own(position - 1))
    # One meter kept through a CT or PT change joins whatever its kWh (billed at the old
    # multiplier all month, they would tie with the old meter's alone).
    says_joined = _kwh_say_joined(replacements, reads, at) | meter_kept(replacements, reads, at)
    ends_old |= reads_join & ~says_joined
    position = position + ends_old
    first_new, last_old = own(position), own(position - 1)
    joined = _reads_join(replacements, reads, first_new, last_old)
    joined &= _kwh_say_joined(replacements, reads, first_new) | meter_kept(
        replacements, reads, first_new
    )
    # Swaps of other days in the same first new bill.
    swaps = np.unique(np.stack([first_new, day])[:, first_new >= 0], axis=1)
    per_bill = np.bincount(swaps[0], minlength=n)
    crowded = (first_new >= 0) & (per_bill[np.maximum(first_new, 0)] > 1)
    return MeterSwapBills(last_old, first_new, joined & ~crowded, crowded)


def _reads_join(
    replacements: Replacements, reads: MeterReads, first_new: np.ndarray, last_old: np.ndarray
) -> np.ndarray:
    """Per replacement, whether the reads of the bill `first_new` (−1: none) join both meters
    (`meter_swap_bills`), `last_old` the bill before it (−1: none)."""
    final, first_read = replacements.final, replacements.first
    new, old = np.maximum(first_new, 0), np.maximum(last_old, 0)
    start, end = reads.start[new], reads.end[new]
    continues = np.where(last_old >= 0, np.abs(start - reads.end[old]) < READ_MATCH, end < start)
    starts_old = continues & ~(np.abs(start - first_read) < READ_MATCH) & ~(final < start)
    ends_new = ~(np.abs(end - final) < READ_MATCH)
    joined = (first_new >= 0) & ~np.isnan(first_read) & (replacements.day >= reads.from_day[new])
    return joined & starts_old & ends_new


def _kwh_say_joined(replacements: Replacements, reads: MeterReads, bill: np.ndarray) -> np.ndarray:
    """Per replacement, whether the kWh billed on `bill` (−1: none) are nearer a join of both
    meters than the old meter's alone: (final − start) × the old multiplier (the order's old
    value, else the one billed) + (end − first) × the one billed, against (end − start) × the old
    multiplier; without the final read a join is at least its new part (at or above it, the kWh
    agree); no kWh billed (NaN), no evidence of a join. A swap order without the final read and
    a bill reading the old meter 2,800 → 2,950 (6,000 kWh at 40) make no join, though the new
    meter's 2,950 − 0 units would price that bill at 177,000 kWh."""
    at = np.maximum(bill, 0)
    kwh, billed = reads.kwh[at], reads.multiplier[at]
    start, end = reads.start[at], reads.end[at]
    old = np.where(np.isfinite(replacements.old), replacements.old, billed)
    new_part = (end - replacements.first) * billed
    join_gap = np.where(
        np.isnan(replacements.final),
        np.maximum(new_part - kwh, 0.0),
        np.abs(kwh - (replacements.final - start) * old - new_part),
    )
    one_meter_gap = np.abs(kwh - (end - start) * old)
    return (bill >= 0) & (join_gap < one_meter_gap)


def _old_meter_last_days(
    source: pd.DataFrame, kept: np.ndarray | None, rows: np.ndarray, to_day: np.ndarray
) -> np.ndarray:
    """Per bill of `rows` (positions in the frame), `MeterReads.old_last_day`: read_to (filled
    with the month's last day) less a day where the bill records read_to (`source`'s rows
    `kept`, all where None)."""
    last_day = to_day[rows].copy()
    if "read_to" in source:
        at = rows if kept is None else kept[rows]
        recorded = source["read_to"].to_numpy("datetime64[D]")[at]
        last_day[~np.isnat(recorded)] -= 1
    return last_day


def multiplier_before_replacements(
    replacements: Replacements, reads: MeterReads, swaps: MeterSwapBills
) -> np.ndarray:
    """Per meter replacement, the multiplier before it: its old value; where it records none
    (meter asset numbers, or nothing), the multiplier billed on the customer's last bill read
    before its day if the first bill read from that day on billed another (the bills'
    multiplier changed exactly at a registered replacement, a CT 40 → 60 swapped with the meter:
    judged on what the bills billed, as an order's unknown old capacity is); where no bill is
    read from that day on, the first new bill (`swaps`) decides only where it billed the old
    meter's units (joined, or added: `_old_part_multiplier`) at that last bill's multiplier and
    the new meter's at another (a bill billing them all at one multiplier shows a meter-only
    swap, the CT kept), not one holding two swaps (`crowded`: which units are whose is not
    known); else NaN (the order changes no multiplier: the archive's is due before it)."""
    before = replacements.old.astype(float, copy=True)
    unknown = np.flatnonzero(np.isnan(before))
    if not len(unknown) or not len(reads.cust):
        return before
    order_cust = replacements.cust[unknown]
    order_key = _key(order_cust, replacements.day[unknown])

    def billed_next_to(bill_key: np.ndarray, step: int) -> np.ndarray:
        """The multiplier billed on the bill next to each order's day, bills ordered by
        `bill_key`: the last one before it (`step` −1) or the first on or after it (0)."""
        by_key = np.argsort(bill_key, kind="stable")
        at = np.searchsorted(bill_key[by_key], order_key, side="left") + step
        inside = (at >= 0) & (at < len(by_key))
        at = by_key[np.clip(at, 0, len(by_key) - 1)]
        return np.where(inside & (reads.cust[at] == order_cust), reads.multiplier[at], np.nan)

    last = billed_next_to(_key(reads.cust, reads.to_day), -1)
    first = billed_next_to(_key(reads.cust, reads.from_day), 0)
    changed = np.isfinite(last) & np.isfinite(first) & (last != first)
    # No bill read from the day on: the first new bill tells, where it billed the old meter's
    # units at the multiplier before and the new meter's at another; not one holding two swaps
    # (three meters: which units are whose is not known, the multiplier before stays unknown).
    mixed = np.isnan(first) & (swaps.first_new[unknown] >= 0) & ~swaps.crowded[unknown]
    new_bill = swaps.first_new[unknown][mixed]
    old_part = _old_part_multiplier(replacements, reads, swaps)[unknown][mixed]
    changed[mixed] = np.isclose(old_part, last[mixed], rtol=1e-3) & (
        last[mixed] != reads.multiplier[new_bill]
    )
    before[unknown[changed]] = last[changed]
    return before


def old_meter_tails(
    replacements: Replacements, reads: MeterReads, swaps: MeterSwapBills
) -> np.ndarray:
    """Per replacement, the old meter's units its last bill left unread (final read − that
    bill's register_end), which the new meter's first bill owes where it does not join both
    meters (换表电量, billed there). NaN where none is known: no such pair of bills or a
    first new bill holding two swaps, no final read, a final read at or below the last bill's
    end (nothing left, or a read the old meter never showed), or registers falling on the first
    new bill, the old meter's last bill or the one before it (a meter change the order's day
    does not show, a typed final read of 29,500 on a bill joining 2,800 → 100 unseen: which
    reads are whose is not known)."""
    tails = np.full(len(replacements.cust), np.nan)
    if not len(reads.cust):
        return tails
    tail = replacements.final - reads.end[np.maximum(swaps.last_old, 0)]
    owed = (swaps.first_new >= 0) & (swaps.last_old >= 0) & ~swaps.joined & ~swaps.crowded
    owed &= ~registers_fall_around_swaps(reads, swaps) & (tail > READ_MATCH)
    tails[owed] = tail[owed]
    return tails


def joined_bill_kwh(
    replacements: Replacements,
    reads: MeterReads,
    swaps: MeterSwapBills,
    multiplier: np.ndarray,
) -> np.ndarray:
    """Per replacement, the kWh due on its first new bill where that bill joins both meters
    (`meter_swap_bills`): the old meter's units from the bill's start to the final read × the
    multiplier before (the order's old value, else `multiplier`, per MeterReads position) + the
    new meter's from the first read to the bill's end × `multiplier`. Without the final read,
    a first read within the bill's registers is one meter kept and read on through a CT or PT
    change (PT 8 → 10 on 16 July, July 2,800 → 3,100, first read 2,950: 150 × 40 + 150 × 50):
    the final read is that first read. NaN on other replacements, and where the old meter's
    units are not known (no final read, a first read outside the registers)."""
    kwh = np.full(len(replacements.cust), np.nan)
    if not len(reads.cust):
        return kwh
    bill = np.maximum(swaps.first_new, 0)
    start, end, first = reads.start[bill], reads.end[bill], replacements.first
    final = np.where(meter_kept(replacements, reads, swaps.first_new), first, replacements.final)
    due = multiplier[bill]
    before = np.where(np.isfinite(replacements.old), replacements.old, due)
    total = (final - start) * before + (end - first) * due
    kwh[swaps.joined] = total[swaps.joined]
    return kwh


def registers_fall_around_swaps(reads: MeterReads, swaps: MeterSwapBills) -> np.ndarray:
    """Per replacement, whether registers fall (end below start) on its first new bill, the old
    meter's last bill or the one before it: a meter change the order's day does not show (an
    order dated 3 August for a July joining 2,800 → 100), so which reads are whose is not
    known."""
    if not len(reads.cust):
        return np.zeros(len(swaps.last_old), dtype=bool)
    first, last = np.maximum(swaps.first_new, 0), np.maximum(swaps.last_old, 0)
    before = np.maximum(swaps.last_old - 1, 0)
    has_before = (swaps.last_old >= 1) & (reads.cust[before] == reads.cust[last])
    falling = reads.end < reads.start
    has_first, has_last = swaps.first_new >= 0, swaps.last_old >= 0
    return (
        (has_first & falling[first]) | (has_last & falling[last]) | (has_before & falling[before])
    )


def _falling_bills_around(reads: MeterReads, swaps: MeterSwapBills) -> np.ndarray:
    """The MeterReads positions of the bills whose registers fall (end below start) around a
    swap joining no bill (`registers_fall_around_swaps`: its first new bill, the old meter's
    last bill or the one before it): which reads are whose is not known, as the rules leave
    them (`unplaced_swap_reads`; an order dated 28 June for a July reading 2,800 → 100)."""
    unplaced = np.flatnonzero(registers_fall_around_swaps(reads, swaps) & ~swaps.joined)
    last_old = swaps.last_old[unplaced]
    before = last_old[last_old >= 1] - 1
    before = before[reads.cust[before] == reads.cust[before + 1]]
    around = np.concatenate([swaps.first_new[unplaced], last_old, before])
    around = around[around >= 0]
    return around[reads.end[around] < reads.start[around]]


def _before_untold_swaps(
    replacements: Replacements, reads: MeterReads, swaps: MeterSwapBills, before: np.ndarray
) -> np.ndarray:
    """Per MeterReads position, whether the bill starts before a swap of its customer whose
    multiplier before is unknown (`before` NaN: meter numbers or nothing recorded) and whose
    reads cannot tell it (`unplaced_swap_reads`, or two swaps in one bill), as
    multiplier_mismatch leaves such bills unjudged (11 bills at 40 before a swap recording
    meter numbers and a final read below the last billed read: not ¥52,800.00 "proved" against
    the archive's 60)."""
    untold = np.isnan(before) & (swaps.crowded | unplaced_swap_reads(replacements, reads, swaps))
    if not len(reads.cust) or not untold.any():
        return np.zeros(len(reads.cust), dtype=bool)
    latest = np.full(max(reads.cust.max(), replacements.cust.max()) + 1, np.iinfo(np.int64).min)
    np.maximum.at(latest, replacements.cust[untold], replacements.day[untold])
    return reads.from_day < latest[reads.cust]


def unplaced_swap_reads(
    replacements: Replacements, reads: MeterReads, swaps: MeterSwapBills
) -> np.ndarray:
    """Per replacement, whether its reads cannot be placed on its bills: reads no meter can
    have shown (`impossible_swap_reads`), or registers falling around a swap that joins no bill
    (`registers_fall_around_swaps`: a meter change the order's day does not show). Such reads
    prove no kWh, nor the multiplier before the swap."""
    falls = registers_fall_around_swaps(reads, swaps) & ~swaps.joined
    return impossible_swap_reads(replacements, reads, swaps) | falls


def impossible_swap_reads(
    replacements: Replacements, reads: MeterReads, swaps: MeterSwapBills
) -> np.ndarray:
    """Per replacement, whether its first new bill (not one holding two swaps) reads against
    the order: an old meter's final read below its last billed read (`last_old`'s end: a final
    read of 2,700 after June billed up to 2,800), or a new meter's first read above that bill's
    end (first read 150, the bill ending on the new meter at 100). Such reads prove no kWh."""
    if not len(reads.cust):
        return np.zeros(len(replacements.cust), dtype=bool)
    first, last = np.maximum(swaps.first_new, 0), np.maximum(swaps.last_old, 0)
    final_below = (swaps.last_old >= 0) & (replacements.final < reads.end[last] - READ_MATCH)
    first_above = replacements.first > reads.end[first] + READ_MATCH
    return (swaps.first_new >= 0) & ~swaps.crowded & (final_below | first_above)


def three_meter_kwh(swapped: SwapPricing, multiplier_due: np.ndarray) -> np.ndarray:
    """Per replacement, the kWh due on its first new bill where that bill holds it and a later
    swap (two swaps, three meters) and the reads tell each meter's units: the first meter's from
    the bill's start to the first swap's final read at the multiplier before it, the second's
    from that swap's first read to the second's final read at the old multiplier the second
    order records, the third's from the second's first read to the bill's end at the
    multiplier due (`multiplier_due`, per MeterReads position); the first swap's reads joining
    the bill as `meter_swap_bills` joins one (the bill running on from the old meter's last
    bill), every read and multiplier recorded, and each meter's registers rising. NaN elsewhere,
    and on the second swap (the bill is priced once)."""
    reads, replacements, swaps = swapped.reads, swapped.replacements, swapped.swaps
    kwh = np.full(len(replacements.cust), np.nan)
    crowded = np.flatnonzero(swaps.crowded)
    if not len(crowded):
        return kwh
    by_bill = crowded[np.lexsort((replacements.day[crowded], swaps.first_new[crowded]))]
    bill = swaps.first_new[by_bill]
    opens = np.flatnonzero(np.r_[True, bill[1:] != bill[:-1]])
    holds_two = np.diff(np.r_[opens, len(bill)]) == 2
    first_swap, second_swap = by_bill[opens[holds_two]], by_bill[opens[holds_two] + 1]
    at = swaps.first_new[first_swap]
    joins = _reads_join(replacements, reads, swaps.first_new, swaps.last_old)[first_swap]
    units = (
        replacements.final[first_swap] - reads.start[at],
        replacements.final[second_swap] - replacements.first[first_swap],
        reads.end[at] - replacements.first[second_swap],
    )
    multipliers = (
        replacements.old[first_swap],
        swapped.recorded_old[second_swap],
        multiplier_due[at],
    )
    fair = joins & np.logical_and.reduce([np.isfinite(m) for m in multipliers])
    fair &= np.logical_and.reduce([u >= 0 for u in units])  # NaN reads are not ≥ 0
    total = sum(u * m for u, m in zip(units, multipliers, strict=True))
    kwh[first_swap[fair]] = total[fair]
    return kwh


def first_swap_after_each_bill(day: np.ndarray, last_old: np.ndarray) -> np.ndarray:
    """The replacements (positions) that are each old meter's last bill's first swap after it:
    per bill in `last_old` (−1: none, skipped), the one of the earliest `day`."""
    having = np.flatnonzero(last_old >= 0)
    by_bill = having[np.lexsort((day[having], last_old[having]))]
    bill = last_old[by_bill]
    return by_bill[np.r_[True, bill[1:] != bill[:-1]]] if len(bill) else by_bill


def _old_part_multiplier(
    replacements: Replacements, reads: MeterReads, swaps: MeterSwapBills
) -> np.ndarray:
    """Per replacement, the multiplier its first new bill billed the old meter's units at: its
    kWh less the new meter's units × its multiplier, over the old meter's units it holds. A
    bill joining both meters holds the old meter's from its start to the final read and the new
    one's from the first read; another holds its own registers and, added (换表电量), the old
    meter's from the end of its last bill to the final read. NaN where a read is missing or no
    old unit is in the bill."""
    bill = np.maximum(swaps.first_new, 0)
    old_end = np.where(swaps.joined, reads.start[bill], reads.end[np.maximum(swaps.last_old, 0)])
    new_start = np.where(swaps.joined, replacements.first, reads.start[bill])
    new_kwh = (reads.end[bill] - new_start) * reads.multiplier[bill]
    old_units = replacements.final - old_end
    old_units[(swaps.first_new < 0) | (~swaps.joined & (swaps.last_old < 0))] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(old_units > 0, (reads.kwh[bill] - new_kwh) / old_units, np.nan)


def _key(cust: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Customer × day as one integer (days clipped to ±2 million around 1970)."""
    key = np.add(day, _DAY_OFFSET, dtype=np.int64)
    np.clip(key, 0, (1 << _DAY_BITS) - 1, out=key)
    key += np.multiply(cust, 1 << _DAY_BITS, dtype=np.int64)
    return key


def _month_key(cust: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Customer × month number as one integer, in the order of customer, then month (month
    numbers of years 0–9999 are below 2**17)."""
    key = np.left_shift(cust, 17, dtype=np.int64)
    key += month
    return key


def _value_before(
    cust: np.ndarray,
    key: np.ndarray,
    rows: np.ndarray,
    orders: pd.DataFrame,
    order_types: tuple[str, ...],
    archive: np.ndarray | pd.Categorical,
    numeric: bool,
    unknown_before: bool = False,
) -> np.ndarray | pd.Categorical:
    """Per bill, the old value of the customer's first order of these types effective after the
    day it was read to (what was in force that day), else the archive value (numbers, or texts
    as a categorical; numbers are written into `archive`, made per bill for this frame). Only the
    bills `rows` (customers with orders) are searched, by their `cust` and `key` (customer ×
    read_to day). Orders whose old value is not a number (numeric columns) or not a known basis
    are not changes of the column; with `unknown_before` (the contract capacity) they are, and
    the value before them is the new value of the order before them, else unknown (NaN:
    `capacity_before`, a capacity, never a bound)."""
    # The orders' columns as arrays, picked by position (no frame filtered per change).
    picked = np.flatnonzero(orders["order_type"].isin(order_types).to_numpy(dtype=bool))
    if numeric:
        values = orders["old_number"].to_numpy(dtype=float)[picked]
        usable = np.isfinite(values)
        if unknown_before:
            new = orders["new_number"].to_numpy(dtype=float)[picked]
            values = capacity_before(
                orders["cust"].to_numpy(dtype=np.int64)[picked],
                orders["day"].to_numpy(dtype=np.int64)[picked],
                np.where(usable, values, np.nan),
                np.where(np.isfinite(new), new, np.nan),
            )
            usable = np.ones(len(values), dtype=bool)
    else:
        values = orders["old_text"].to_numpy(dtype=object)[picked]
        text = pd.Series(values, dtype=object)
        usable = text.notna() & (text.astype(str).str.strip() != "")
        if order_types == CHANGES["basic_charge_basis"]:
            usable &= text.isin(BASES)
            values = _basis_carried(orders, picked, values, usable.to_numpy(dtype=bool))
            usable = pd.Series(values, dtype=object).isin(BASES)
        usable = usable.to_numpy(dtype=bool)
    picked, values = picked[usable], values[usable]
    if not len(picked):
        return archive
    keys = orders["key"].to_numpy(dtype=np.int64)[picked]
    index = np.searchsorted(keys, key, side="right")
    hit = index < len(keys)
    hit[hit] = orders["cust"].to_numpy(dtype=np.int64)[picked][index[hit]] == cust[hit]
    at, index = rows[hit], index[hit]
    if numeric:
        archive[at] = values[index]  # the archive's values per bill, made for this frame
        return archive
    # Texts: the old values coded among the archive's texts (new texts added to them).
    names = pd.Index(archive.categories, dtype=object)
    added = pd.unique(values[names.get_indexer(values) < 0])
    names = names.append(pd.Index(added, dtype=object))
    codes = archive.codes.astype(np.int32)
    codes[at] = names.get_indexer(values)[index]
    return _categorical(codes, names)


def _basis_carried(
    orders: pd.DataFrame, picked: np.ndarray, old: np.ndarray, known: np.ndarray
) -> np.ndarray:
    """The old bases of the basis_change orders `picked` (positions in `orders`, sorted by
    customer × day), each one that records none (`known` False) taking the basis the customer's
    order before it set, where that is one: capacity → demand on 1 April, then "" → capacity on
    1 September, was by demand from April to August, not by today's capacity."""
    new = orders["new_text"].to_numpy(dtype=object)[picked]
    cust = orders["cust"].to_numpy(dtype=np.int64)[picked]
    carried = old.copy()
    follows = np.flatnonzero(~known[1:] & (cust[1:] == cust[:-1])) + 1
    before = new[follows - 1]
    takes = pd.Series(before, dtype=object).isin(BASES).to_numpy(dtype=bool)
    carried[follows[takes]] = before[takes]
    return carried


def basis_in_force(
    customers: pd.DataFrame,
    work_orders: pd.DataFrame | None,
    cust: np.ndarray,
    read_to_day: np.ndarray,
) -> pd.Categorical:
    """Per bill (its customer's row `cust` in `customers`, −1: unknown; `read_to_day` the day it
    was read to, in days since 1970-01-01), the basic-charge basis in force that day, read as
    `prepare_bills` reads its `basic_charge_basis` (`_value_before` on the basis_change orders of
    `work_orders`): the archive's, before such an order effective after that day the old value of
    the first one whose old value is a basis (one of BASES; an order without one takes the basis
    the order before it set, `_basis_carried`, else changes nothing). The rules read the basis
    through this (`RuleContext.bill_basis`), so they judge a bill on the basis the
    recomputation prices it by."""
    orders = _orders(work_orders, customers)
    codes, distinct = pd.factorize(customers["basic_charge_basis"])
    archive = _categorical(np.append(codes, -1)[cust], distinct)  # −1: an unknown customer
    return _value_before(
        cust,
        _key(cust, read_to_day),
        np.arange(len(cust)),
        orders,
        CHANGES["basic_charge_basis"],
        archive,
        numeric=False,
    )


def _kwh_due(
    registers: tuple[np.ndarray, np.ndarray],
    kwh_billed: np.ndarray,
    estimated_read: np.ndarray,
    multiplier: np.ndarray,
    swapped: SwapPricing,
) -> tuple[np.ndarray, np.ndarray]:
    """Per bill, the kWh due and why a bill around a swap is not judged from its reads
    (`swap_not_judged`: SWAP_JUDGED, SWAP_READS_IMPOSSIBLE, SWAP_THREE_METERS; an estimated read is
    never this). The kWh due are (register_end − register_start) × multiplier due, rounded half
    up to 0.01 kWh as a bill line shows it (a CT of 62.5: 33 × 62.5 = 2,061.875 → 2,061.88);
    estimated reads (`estimated_read`) keep the billed kWh.

    A bill joining both meters of a replacement (`meter_swap_bills`: the first new bill,
    starting on the old meter and ending on the new) is due (final − start) × the multiplier
    before the order (its old value, else the multiplier due) + (end − first) × the multiplier
    due (`joined_bill_kwh`; without the final read, a first read within the bill's registers
    stands for it: one meter kept through a CT or PT change); where the old meter's part is not
    known the kWh billed are due, at least the new meter's. A first new bill not joining starts on the new meter: it is due its
    own registers and the old meter's tail its last bill left unread (`old_meter_tails`:
    换表电量), at the old meter's multiplier due, so a bill adding that tail is right, one
    leaving it out short. A first new bill whose swap records reads no meter can have shown
    (`impossible_swap_reads`) proves nothing: its kWh billed. One holding two swaps (three
    meters) is due each meter's units × its multiplier where the reads tell them
    (`three_meter_kwh`), else its kWh billed.
    """
    start, end = registers
    kwh = end - start
    kwh *= multiplier
    rows, reads, replacements, _, swaps = swapped
    joined = np.flatnonzero(swaps.joined)
    at = rows[swaps.first_new[joined]]
    joined_kwh = joined_bill_kwh(replacements, reads, swaps, multiplier[rows])[joined]
    new_kwh = (end[at] - replacements.first[joined]) * multiplier[at]
    kwh[at] = np.where(np.isnan(joined_kwh), np.fmax(kwh_billed[at], new_kwh), joined_kwh)
    # The first new bill of a swap not joined also owes the old meter's tail (换表电量), at the
    # old meter's multiplier due.
    tails = old_meter_tails(replacements, reads, swaps)
    owed = np.flatnonzero(np.isfinite(tails))
    at, last_old = rows[swaps.first_new[owed]], rows[swaps.last_old[owed]]
    kwh[at] += tails[owed] * multiplier[last_old]
    not_judged = np.zeros(len(kwh), dtype=np.int8)
    not_judged[rows[_falling_bills_around(reads, swaps)]] = SWAP_REGISTERS_FALL
    impossible = rows[swaps.first_new[impossible_swap_reads(replacements, reads, swaps)]]
    not_judged[impossible] = SWAP_READS_IMPOSSIBLE
    three = three_meter_kwh(swapped, multiplier[rows])
    crowded = rows[swaps.first_new[swaps.crowded]]
    not_judged[crowded] = SWAP_THREE_METERS
    judged = np.flatnonzero(np.isfinite(three))
    not_judged[rows[swaps.first_new[judged]]] = SWAP_JUDGED
    kwh[rows[swaps.first_new[judged]]] = three[judged]
    not_judged[estimated_read] = SWAP_JUDGED
    unjudged = not_judged != SWAP_JUDGED
    kwh[unjudged] = kwh_billed[unjudged]
    round_half_up(kwh, 2, out=kwh)
    np.copyto(kwh, kwh_billed, where=estimated_read)
    return kwh, not_judged


def _joined_across_change(
    ordered: np.ndarray, swaps: MeterSwapBills, before: np.ndarray, multiplier_due: np.ndarray
) -> np.ndarray:
    """The frame rows of the bills joined across a meter replacement (`swaps.joined`; `ordered`
    takes their MeterReads positions to rows) whose multiplier before (`before`, NaN: unknown)
    is not their multiplier due: which side of the change their peak fell on is not known."""
    joined = np.flatnonzero(swaps.joined)
    rows = ordered[swaps.first_new[joined]]
    return rows[~(before[joined] == multiplier_due[rows])]


def register_scale(
    estimated_read: np.ndarray, multiplier_due: np.ndarray, multiplier_billed: np.ndarray
) -> np.ndarray:
    """Per bill, the factor taking a figure read at the multiplier billed to the multiplier due:
    multiplier due / multiplier billed; 1 for an estimated read (its kWh are the billed ones: no
    register was read) and where the ratio is not a number (a multiplier unknown or 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.divide(multiplier_due, multiplier_billed)
    return np.where(~estimated_read & np.isfinite(ratio), ratio, 1.0)


def _metered_due(billed: dict[str, np.ndarray], scale: np.ndarray) -> dict[str, np.ndarray]:
    """The bill's METERED figures as billed, then each at the multiplier due (billed × `scale`):
    the demand and reactive energy read through the same CT and PT as the kWh. Where no bill is
    rescaled the due column is the billed array itself (no copy on millions of bills)."""
    scaled = np.flatnonzero(scale != 1.0)
    due = {}
    for name, values in billed.items():
        if len(scaled):
            values = values.copy()
            values[scaled] *= scale[scaled]
        due[METERED[name]] = values
    return {**billed, **due}


def _closure(
    n: int, rows: np.ndarray, cust: np.ndarray, from_day: np.ndarray, orders: pd.DataFrame
) -> np.ndarray:
    """Per bill (of `n`), the effective date of the customer's first closure on or after
    read_from; only the bills `rows` (customers with orders; `cust`, `from_day` theirs) can
    have one. Whole days in seconds, as the frame keeps dates (not converted again)."""
    closures = orders[orders["order_type"] == "closure"]
    result = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    if not len(closures):
        return result
    keys = closures["key"].to_numpy(dtype=np.int64)
    index = np.searchsorted(keys, _key(cust, from_day), side="left")
    hit = index < len(keys)
    hit[hit] = closures["cust"].to_numpy(dtype=np.int64)[index[hit]] == cust[hit]
    days = closures["day"].to_numpy(dtype=np.int64)
    result[rows[hit]] = days[index[hit]].astype("datetime64[D]")
    return result


def _number(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A number column as float64 (NaN where empty or absent); a float64 column is not copied."""
    if column not in frame:
        return np.full(len(frame), np.nan)
    values = frame[column]
    if values.dtype == np.float64:
        return values.to_numpy()
    return values.to_numpy(dtype=float, na_value=np.nan)


def bill_of(bills: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    """Per row of `rows` (customer_id, period), the position of its bill in the prepared frame
    `bills` (the first of two bills of one customer and month), −1 where the frame has no such
    bill."""
    if not len(bills) or not len(rows):
        return np.full(len(rows), -1, dtype=np.int64)
    cust = bills["cust"].to_numpy(dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, cust[1:] != cust[:-1]])
    ids = pd.Index(texts_at(bills["customer_id"], starts), dtype=object)
    # Rows come in runs of one bill (bill lines: a bill's lines together), each looked up once.
    periods = _distinct_texts(bills["period"])
    first, id_code, id_names, period = _bill_runs(rows, periods)
    run = _positions(id_code, id_names, ids)  # the run's customer's run of bills in the frame
    month = np.append(month_number(periods), -1)[period]  # −1: a period no bill has
    found = _bill_in_run(starts, bills["month"].to_numpy(dtype=np.int64), run, month)
    return np.repeat(found, np.diff(np.append(first, len(rows))))


def _distinct_texts(values: pd.Series) -> np.ndarray:
    """The distinct texts of a frame's text column (a categorical's categories), as objects."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return np.asarray(values.cat.categories, dtype=object)
    return np.asarray(pd.unique(values.dropna()), dtype=object)


def _bill_runs(
    rows: pd.DataFrame, periods: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The first row of each run of `rows` (not empty) of one customer_id and period; at those
    rows the ids as codes (−1: empty) into their distinct values, and the periods as positions
    among `periods` (the frame's distinct periods; −1 for another: it is no bill's period). An
    empty or malformed period raises month_number's error.

    The periods are looked up among the frame's few (by Arrow for Arrow text); Arrow-held ids are
    coded on their runs alone: the runs found by comparing each row with the previous one, the
    ids coded once per run of a customer's rows."""
    period = codes_among(rows["period"], tuple(periods), -1)
    other = np.flatnonzero(period < 0)
    if len(other):  # periods no bill has: an empty or malformed one is named
        month_number(rows["period"].iloc[other])
    new_period = np.r_[True, period[1:] != period[:-1]]
    ids = arrow_text(rows["customer_id"])
    if ids is None:
        id_code, id_names = factorized(rows["customer_id"])
        first = np.flatnonzero(np.r_[True, id_code[1:] != id_code[:-1]] | new_period)
        return first, id_code[first], id_names, period[first]
    new_id = run_changes(ids)
    first = np.flatnonzero(new_id | new_period)
    id_code, id_names = _encoded(ids.take(pa.array(np.flatnonzero(new_id))))
    # A customer's run of rows starts a run of rows: each run's customer run counted among them.
    of_run = new_id[first].astype(np.int64)
    np.cumsum(of_run, out=of_run)
    of_run -= 1
    return first, id_code[of_run], id_names, period[first]


def _bill_in_run(
    starts: np.ndarray, bill_month: np.ndarray, run: np.ndarray, month: np.ndarray
) -> np.ndarray:
    """Position of the first bill of month `month` in run `run` of the frame's bills (runs begin
    at `starts`, months ascending within a run), −1 where none or `run` is −1.

    Each run's months from its first to its last are cells of one table holding the bill of each
    month: a row's bill is read from its cell, no search over millions of keys. A frame whose runs
    have long gaps between months (more cells than 8 per bill) is searched instead."""
    n = len(bill_month)
    ends = np.append(starts[1:], n)
    low = bill_month[starts]
    span = bill_month[ends - 1] - low + 1
    offset = np.cumsum(span) - span
    if offset[-1] + span[-1] > 8 * n:
        return _bill_searched(starts, bill_month, run, month)
    run_of_bill = np.repeat(np.arange(len(starts)), ends - starts)
    cells = np.full(int(offset[-1] + span[-1]), -1, dtype=np.int64)
    cell = offset[run_of_bill] + bill_month - low[run_of_bill]
    del run_of_bill
    cells[cell[::-1]] = np.arange(n - 1, -1, -1)  # written last to first: the first bill holds
    del cell
    known = run >= 0
    run = np.where(known, run, 0)
    month = month - low[run]  # the month's place in its run's months
    known &= (month >= 0) & (month < span[run])
    month += offset[run]
    month[~known] = 0
    found = cells[month]
    found[~known] = -1
    return found


def _bill_searched(
    starts: np.ndarray, bill_month: np.ndarray, run: np.ndarray, month: np.ndarray
) -> np.ndarray:
    """`_bill_in_run` by a binary search of (run, month) keys among the bills' (sorted) keys."""
    run_of_bill = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(bill_month))))
    bill_keys = _month_key(run_of_bill, bill_month)
    keys = _month_key(np.where(run >= 0, run, -2), month)
    index = np.minimum(np.searchsorted(bill_keys, keys), len(bill_keys) - 1)
    return np.where(bill_keys[index] == keys, index, -1).astype(np.int64)


def coded_lines(bills: pd.DataFrame, lines: pd.DataFrame) -> dict[str, np.ndarray]:
    """The rows of `lines` (bill_lines) as arrays aligned with them: `bill` (position in the
    prepared frame `bills`, −1 for a bill not in it), `line_type` (position in LINE_TYPES, −1 for
    another), `period` (position in TOU_PERIODS, −1 for another, NO_PERIOD for none), `tier` (0
    for none), `quantity`, `rate`, `amount` (NaN where the column is absent). Texts are coded once
    per distinct text."""
    n = len(lines)
    periods = lines["tou_period"] if "tou_period" in lines else np.full(n, None, dtype=object)
    # Codes in the narrowest integers: millions of lines stay in memory through a recomputation.
    return {
        "bill": bill_of(bills, lines),
        "line_type": codes_among(lines["line_type"], LINE_TYPES, -1).astype(np.int8),
        "period": codes_among(periods, TOU_PERIODS, NO_PERIOD).astype(np.int8),
        "tier": _clipped(tier_numbers(lines["tier"] if "tier" in lines else np.full(n, np.nan))),
        **{name: _number(lines, name) for name in ("quantity", "rate", "amount")},
    }


def _clipped(tier: np.ndarray) -> np.ndarray:
    """Tier numbers clipped to 0..127 (in place) as int8."""
    np.clip(tier, 0, 127, out=tier)
    return tier.astype(np.int8)


def codes_among(values: pd.Series | np.ndarray, names: tuple[str, ...], missing: int) -> np.ndarray:
    """Position of each value among `names` (−1 for another, `missing` for an empty value), one
    lookup per distinct value (Arrow text looked up by Arrow)."""
    arrow = arrow_text(values)
    if arrow is not None:
        found = pc.index_in(arrow, value_set=pa.array(names, type=arrow.type))
        # Arrow's int32 positions kept as they are (millions of lines, narrowed by the caller).
        codes = found.fill_null(-1).to_numpy(zero_copy_only=False)
        if not arrow.null_count:  # no empty value: the codes as Arrow gives them
            return codes
        empty = arrow.is_null().to_numpy(zero_copy_only=False)
        return np.where(empty, np.int32(missing), codes)
    codes, distinct = factorized(values)
    positions = pd.Index(names).get_indexer(pd.Index(distinct, dtype=object))
    return np.where(codes >= 0, positions[np.maximum(codes, 0)] if len(positions) else -1, missing)


def tier_numbers(tier: object) -> np.ndarray:
    """Tiers as whole numbers, 0 for none."""
    if isinstance(tier, pd.Series) and pd.api.types.is_integer_dtype(tier.dtype):
        return tier.to_numpy(dtype=np.int64, na_value=0)  # one pass, no floats in between
    if isinstance(tier, pd.Series) and tier.dtype != object:
        values = tier.to_numpy(dtype=float, na_value=np.nan)
    else:
        values = pd.to_numeric(pd.Series(np.asarray(tier, dtype=object)), errors="coerce")
        values = values.to_numpy(dtype=float, na_value=np.nan)
    return np.nan_to_num(values).astype(np.int64)

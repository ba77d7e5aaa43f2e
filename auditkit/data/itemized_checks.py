"""Cross-table checks of itemized billing data, reported as warnings with the figures compared.

An export whose bill lines do not add up to the bill, whose time-of-use lines do not add up to the
metered energy, whose tier bands leave a gap or whose time-of-use tariff lacks a period still
loads: these are what an auditor looks at, not reasons to refuse the data. Each warning names the
table, file, row and column, says what was expected, shows both figures, and carries the
customer_id (and period) where the row has one. A check whose table or columns are absent is
skipped.

Everything is vectorised: bill lines (ten times the bills) are mapped to their bill in blocks of
`LINE_BLOCK_ROWS` rows, through integer codes, and summed with `np.bincount`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import auditkit.data.column_typing as column_typing
from auditkit.data.column_typing import Issue
from auditkit.data.frames import TypedTable, codes_of, issue_problems, shown_number, with_context
from auditkit.data.problems import Problem

#: Bill lines may add up to the bill's amount to within this many yuan (one fen of rounding).
LINE_AMOUNT_TOLERANCE = 0.01
#: Time-of-use energy lines may add up to kwh_billed to within this many kWh per line.
TOU_KWH_TOLERANCE = 0.01
#: Transformers in force may differ from the archive's contract capacity by this many kVA.
CAPACITY_TOLERANCE = 0.01
#: Bill lines mapped to their bill at a time (bounds the temporaries whatever the table's size).
LINE_BLOCK_ROWS = 1 << 22
#: Bills are found through a dense table of (customer, period) codes while it has at most this
#: many slots per bill (plus DENSE_SLOTS_MINIMUM), else by a sorted search.
DENSE_SLOTS_PER_BILL = 4
DENSE_SLOTS_MINIMUM = 1024
# Float noise allowed on top of a tolerance: sums of fens are not exact in binary.
_NOISE = 1e-6
_PERIOD_REGISTERS = ("kwh_critical", "kwh_peak", "kwh_valley")
_IN_FORCE = ("running", "hot_standby")
# What identifies one tariff (and the band, period and tier inside it), in the tariffs' key order.
_TARIFF_GROUP = ("tariff_category", "valid_from", "voltage_kv_min", "voltage_kv_max")
_REQUIRED_PERIODS = ("peak", "flat", "valley")


def check_itemized(tables: dict[str, TypedTable]) -> list[Problem]:
    """Warnings of the itemized-billing checks on the tables present (none when they are absent)."""
    problems: list[Problem] = []
    bills, customers = tables.get("bills"), tables.get("customers")
    if bills is not None:
        problems.extend(check_period_registers(bills))
        lines = tables.get("bill_lines")
        if lines is not None:
            problems.extend(check_bill_lines(lines, bills, customers))
    tariffs = tables.get("tariffs")
    if tariffs is not None:
        problems.extend(check_tier_bands(tariffs))
        problems.extend(check_tou_periods(tariffs))
    transformers = tables.get("transformers")
    if customers is not None and transformers is not None:
        problems.extend(check_transformer_capacity(customers, transformers))
    return problems


# ------------------------------------------------------------------------------------ bill lines


@dataclass(frozen=True)
class _BillIndex:
    """Finds the bill (row position in bills) of (customer, period) codes of the bills' own
    dictionaries: a dense table when the codes are dense, else a sorted search."""

    customers: pa.Array
    periods: pa.Array
    dense: np.ndarray | None
    sorted_keys: np.ndarray
    sorted_rows: np.ndarray

    @classmethod
    def of(cls, bills: TypedTable) -> _BillIndex:
        customer, period = codes_of(bills, "customer_id"), codes_of(bills, "period")
        width = len(period.uniques)
        filled = np.flatnonzero((customer.codes >= 0) & (period.codes >= 0))
        keys = customer.codes[filled].astype(np.int64) * width + period.codes[filled]
        size = len(customer.uniques) * width
        dense = None
        if size <= DENSE_SLOTS_PER_BILL * len(keys) + DENSE_SLOTS_MINIMUM:
            dense = np.full(size, -1, dtype=np.int64)
            dense[keys] = filled
            keys, filled = keys[:0], filled[:0]
        else:
            order = np.argsort(keys, kind="stable")
            keys, filled = keys[order], filled[order]
        return cls(customer.uniques, period.uniques, dense, keys, filled)

    def rows(self, customer: np.ndarray, period: np.ndarray) -> np.ndarray:
        """Bill row of each (customer code, period code) pair, −1 where there is no such bill."""
        known = (customer >= 0) & (period >= 0)
        keys = np.where(known, customer * len(self.periods) + period, 0)
        if self.dense is not None:
            found = self.dense[keys] if self.dense.size else np.full(keys.size, -1)
        elif not self.sorted_keys.size:
            found = np.full(keys.size, -1)
        else:
            at = np.minimum(np.searchsorted(self.sorted_keys, keys), self.sorted_keys.size - 1)
            found = np.where(self.sorted_keys[at] == keys, self.sorted_rows[at], -1)
        return np.where(known, found, -1)


def _translation(uniques: pa.Array, target: pa.Array) -> np.ndarray:
    """For each code of `uniques`, the code of the same value in `target` (−1 when absent), with
    one more entry, −1, that code −1 (an empty cell) picks."""
    index = pc.index_in(uniques.cast(pa.large_string()), value_set=target.cast(pa.large_string()))
    return np.append(pc.fill_null(index, -1).to_numpy(zero_copy_only=False), -1).astype(np.int64)


@dataclass
class _LineSums:
    """Per bill: its lines' amount, how many lines, time-of-use energy kWh and lines."""

    amount: np.ndarray
    lines: np.ndarray
    tou_kwh: np.ndarray
    tou_lines: np.ndarray


def check_bill_lines(
    lines: TypedTable,
    bills: TypedTable,
    customers: TypedTable | None = None,
    amount_tolerance: float = LINE_AMOUNT_TOLERANCE,
    kwh_tolerance: float = TOU_KWH_TOLERANCE,
) -> list[Problem]:
    """Bills whose lines do not add up to their amount, bills whose time-of-use energy lines do
    not add up to kwh_billed, and lines of a customer's bill that does not exist.

    A bill without lines is not checked (it is computed from its own row). Lines of a customer
    unknown to customers are already reference errors and are not reported again.
    """
    index = _BillIndex.of(bills)
    customer_codes = codes_of(lines, "customer_id")
    to_bill_customer = _translation(customer_codes.uniques, index.customers)
    known = customers if customers is not None else bills
    known_ids = codes_of(known, "customer_id").uniques
    listed_customer = np.append(
        pc.fill_null(pc.is_in(customer_codes.uniques, value_set=known_ids), False).to_numpy(
            zero_copy_only=False
        ),
        False,
    )
    frame = lines.frame
    with_quantity = "quantity" in frame and "tou_period" in frame
    rows = len(bills.frame)
    count = np.zeros(rows, dtype=np.int64)
    sums = _LineSums(np.zeros(rows), count, np.zeros(rows), count.copy())
    orphans = []
    for first in range(0, len(frame), LINE_BLOCK_ROWS):
        block = slice(first, first + LINE_BLOCK_ROWS)
        customer = to_bill_customer[customer_codes.codes[block]]
        period_codes, period_uniques = pd.factorize(frame["period"].iloc[block])
        to_bill_period = _translation(pa.array(period_uniques, pa.string()), index.periods)
        period = to_bill_period[period_codes]
        bill = index.rows(customer, period)
        has_bill = bill >= 0
        amount = frame["amount"].iloc[block].to_numpy(dtype=float, na_value=0.0)
        sums.amount += np.bincount(bill[has_bill], amount[has_bill], minlength=rows)
        sums.lines += np.bincount(bill[has_bill], minlength=rows)
        if with_quantity:
            tou = has_bill & _tou_energy(frame, block)
            quantity = frame["quantity"].iloc[block].to_numpy(dtype=float, na_value=0.0)[tou]
            sums.tou_kwh += np.bincount(bill[tou], quantity, minlength=rows)
            sums.tou_lines += np.bincount(bill[tou], minlength=rows)
        missing = ~has_bill & listed_customer[customer_codes.codes[block]] & (period_codes >= 0)
        orphans.append(np.flatnonzero(missing) + first)
    problems = _amount_problems(bills, sums, amount_tolerance)
    problems.extend(_tou_problems(bills, sums, kwh_tolerance))
    if orphans:
        problems.extend(_orphan_problems(lines, np.concatenate(orphans)))
    return problems


def _tou_energy(frame: pd.DataFrame, block: slice) -> np.ndarray:
    """Energy lines with a time-of-use period, in `block`."""
    energy = (frame["line_type"].iloc[block] == "energy").to_numpy(dtype=bool, na_value=False)
    return energy & frame["tou_period"].iloc[block].notna().to_numpy()


def _amount_problems(bills: TypedTable, sums: _LineSums, tolerance: float) -> list[Problem]:
    amount = bills.frame["amount"].to_numpy(dtype=float, na_value=np.nan)
    difference = sums.amount - amount
    with np.errstate(invalid="ignore"):
        off = (sums.lines > 0) & (np.abs(difference) > tolerance + _NOISE)
    positions = np.flatnonzero(off)
    if not positions.size:
        return []
    listed = positions[: column_typing.LISTED_PER_ISSUE]
    found = [
        f"{shown_number(amount[p])} yuan, while its {sums.lines[p]:.0f} bill lines add up to "
        f"{shown_number(sums.amount[p])} yuan (lines − bill = {_shown_yuan(difference[p])})"
        for p in listed.tolist()
    ]
    expected = f"amount = the sum of the bill's bill_lines amounts within {tolerance:g} yuan"
    return _warnings(bills, "bills", "amount", Issue(positions, expected, found))


def _shown_yuan(difference: float) -> str:
    """A difference in yuan with its sign, to the fen; one too large to read (a bill of 1e308
    yuan: 309 digits) in powers of ten."""
    exact = abs(difference) < column_typing.EXACT_DIGITS_LIMIT
    return f"{difference:+.2f}" if exact else f"{difference:+.3g}"


def _tou_problems(bills: TypedTable, sums: _LineSums, tolerance: float) -> list[Problem]:
    kwh = bills.frame["kwh_billed"].to_numpy(dtype=float, na_value=np.nan)
    difference = sums.tou_kwh - kwh
    with np.errstate(invalid="ignore"):
        off = (sums.tou_lines > 0) & (np.abs(difference) > tolerance * sums.tou_lines + _NOISE)
    positions = np.flatnonzero(off)
    if not positions.size:
        return []
    listed = positions[: column_typing.LISTED_PER_ISSUE]
    found = [
        f"{shown_number(kwh[p])} kWh, while its {sums.tou_lines[p]:.0f} time-of-use energy "
        f"lines add up to {shown_number(sums.tou_kwh[p])} kWh "
        f"(lines − bill = {shown_number(difference[p])} kWh)"
        for p in listed.tolist()
    ]
    expected = (
        "kwh_billed = the sum of the quantities of the bill's energy lines with a tou_period "
        f"within {tolerance:g} kWh a line"
    )
    return _warnings(bills, "bills", "kwh_billed", Issue(positions, expected, found))


def _orphan_problems(lines: TypedTable, positions: np.ndarray) -> list[Problem]:
    if not positions.size:
        return []
    listed = positions[: column_typing.LISTED_PER_ISSUE]
    customers = lines.frame["customer_id"].take(listed).to_numpy()
    periods = lines.frame["period"].take(listed).to_numpy()
    found = [
        f"no bill of {customer!r} for {period!r}"
        for customer, period in zip(customers, periods, strict=True)
    ]
    expected = "a bill in bills for the line's customer_id and period"
    return _warnings(lines, "bill_lines", "period", Issue(positions, expected, found))


def periods_exceed(
    periods: np.ndarray, kwh: np.ndarray, tolerance: float = TOU_KWH_TOLERANCE
) -> np.ndarray:
    """Per bill, whether its period kWh (`periods`: a column per period, NaN where not read) add
    up to more than its `kwh` by over `tolerance`: the flat period, the rest, would be negative.
    One test for validate's warning (against the kWh billed) and the recomputation (the
    registers at the multiplier due against the kWh due: it reads such registers as missing,
    `auditkit.billing.energy`)."""
    filled = ~np.isnan(periods)
    total = np.where(filled, periods, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore"):
        return filled.any(axis=1) & (total > kwh + tolerance + _NOISE)


def check_period_registers(
    bills: TypedTable, tolerance: float = TOU_KWH_TOLERANCE
) -> list[Problem]:
    """Bills whose period registers (critical, peak, valley kWh) exceed the kWh billed: the flat
    period, the rest, would be negative."""
    frame = bills.frame
    present = [column for column in _PERIOD_REGISTERS if column in frame]
    if not present:
        return []
    registers = np.column_stack(
        [frame[column].to_numpy(dtype=float, na_value=np.nan) for column in present]
    )
    filled = ~np.isnan(registers)
    total = np.where(filled, registers, 0.0).sum(axis=1)
    kwh = frame["kwh_billed"].to_numpy(dtype=float, na_value=np.nan)
    positions = np.flatnonzero(periods_exceed(registers, kwh, tolerance))
    if not positions.size:
        return []
    listed = positions[: column_typing.LISTED_PER_ISSUE]
    found = []
    for p in listed.tolist():
        parts = [
            f"{column} {shown_number(registers[p, i])}"
            for i, column in enumerate(present)
            if filled[p, i]
        ]
        found.append(
            f"{' + '.join(parts)} = {shown_number(total[p])} kWh, more than kwh_billed "
            f"{shown_number(kwh[p])} kWh"
        )
    expected = (
        f"{' + '.join(present)} ≤ kwh_billed (the flat period is the rest; where they exceed the "
        "kWh due too, the recomputation splits such a bill by its billed period lines, else by "
        "the tou_profile as an estimate: it proves no time-of-use difference)"
    )
    return _warnings(bills, "bills", ", ".join(present), Issue(positions, expected, found))


# --------------------------------------------------------------------------------------- tariffs


def _tariff_groups(frame: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """Group number of each tariff row by `columns` present (an empty cell is a value)."""
    present = [column for column in columns if column in frame]
    return frame.groupby(present, dropna=False, sort=False).ngroup().to_numpy()


def _tariff_named(frame: pd.DataFrame, position: int) -> str:
    """The tariff a row belongs to, for a message: category, start date and voltage band."""
    row = frame.iloc[position]
    start = row["valid_from"]
    named = f"{row['tariff_category']} from {'?' if pd.isna(start) else f'{start:%Y-%m-%d}'}"
    low, high = row.get("voltage_kv_min"), row.get("voltage_kv_max")
    if pd.notna(low) or pd.notna(high):
        low_shown = "" if pd.isna(low) else f"{low:g}"
        high_shown = "" if pd.isna(high) else f"{high:g}"
        named += f", {low_shown}–{high_shown} kV"
    return named


def check_tier_bands(tariffs: TypedTable) -> list[Problem]:
    """Tier bands of a tariff (category, valid_from, voltage band, period) that leave a gap or
    overlap: tier n+1 must start where tier n ends, tier 1 at 0 kWh (empty = 0), no tier may be
    skipped, and no band may end where or before it starts."""
    frame = tariffs.frame
    if not {"tier", "tier_from_kwh", "tier_to_kwh"} <= set(frame.columns):
        return []
    tier = frame["tier"].to_numpy(dtype=float, na_value=np.nan)
    start = frame["tier_from_kwh"].to_numpy(dtype=float, na_value=np.nan)
    end = frame["tier_to_kwh"].to_numpy(dtype=float, na_value=np.nan)
    group = _tariff_groups(frame, (*_TARIFF_GROUP, "tou_period"))
    tiered = np.flatnonzero(~np.isnan(tier))
    order = tiered[np.lexsort((tier[tiered], group[tiered]))]
    first = np.ones(order.size, dtype=bool)
    first[1:] = group[order[1:]] != group[order[:-1]]
    problems: list[Problem] = []
    # The lowest tier of each tariff: tier 1, from 0 kWh.
    lowest = order[first]
    not_one = lowest[tier[lowest] != 1]
    problems.extend(
        _tariff_warnings(
            tariffs,
            "tier",
            not_one,
            "tier 1 as the lowest tier of the tariff",
            [
                f"tier {tier[p]:.0f} as the lowest tier of {_tariff_named(frame, p)}"
                for p in not_one
            ],
        )
    )
    with np.errstate(invalid="ignore"):
        not_zero = lowest[(tier[lowest] == 1) & ~np.isnan(start[lowest]) & (start[lowest] != 0)]
    problems.extend(
        _tariff_warnings(
            tariffs,
            "tier_from_kwh",
            not_zero,
            "tier 1 to start at 0 kWh",
            [f"{shown_number(start[p])} kWh in {_tariff_named(frame, p)}" for p in not_zero],
        )
    )
    # Consecutive tiers of one tariff: no tier skipped, band n+1 starting where band n ends.
    previous, following = order[:-1][~first[1:]], order[1:][~first[1:]]
    step = tier[following] - tier[previous]
    skipped = following[step > 1]
    problems.extend(
        _tariff_warnings(
            tariffs,
            "tier",
            skipped,
            "tiers numbered without a gap",
            [
                f"tier {tier[p]:.0f} after tier {tier[q]:.0f} in {_tariff_named(frame, p)}"
                for q, p in zip(previous[step > 1].tolist(), skipped.tolist(), strict=True)
            ],
        )
    )
    joined = step == 1
    before, after = previous[joined], following[joined]
    with np.errstate(invalid="ignore"):
        apart = ~(np.abs(start[after] - end[before]) <= 1e-9)  # an empty end or start is apart
    problems.extend(
        _tariff_warnings(
            tariffs,
            "tier_from_kwh",
            after[apart],
            "each tier to start where the tier below ends (tier_to_kwh of tier n = "
            "tier_from_kwh of tier n+1)",
            [
                _band_join(tier[q], end[q], start[p], _tariff_named(frame, p))
                for q, p in zip(before[apart].tolist(), after[apart].tolist(), strict=True)
            ],
        )
    )
    with np.errstate(invalid="ignore"):
        empty_band = np.flatnonzero(~np.isnan(tier) & (end <= start))
    problems.extend(
        _tariff_warnings(
            tariffs,
            "tier_to_kwh",
            empty_band,
            "tier_to_kwh above tier_from_kwh",
            [
                f"{shown_number(end[p])} kWh, not above tier_from_kwh {shown_number(start[p])} "
                f"(tier {tier[p]:.0f} of {_tariff_named(frame, p)})"
                for p in empty_band.tolist()
            ],
        )
    )
    return problems


def _band_join(lower_tier: float, lower_end: float, start: float, tariff: str) -> str:
    """How tier n+1's start misses tier n's end, in words with both figures."""
    below = f"tier {lower_tier:.0f}"
    if np.isnan(lower_end):
        return f"{below} without an end (tier_to_kwh empty) followed by a tier in {tariff}"
    if np.isnan(start):
        return f"an empty tier_from_kwh after {below} ending at {shown_number(lower_end)} kWh"
    gap = start - lower_end
    kind = "a gap" if gap > 0 else "an overlap"
    return (
        f"{shown_number(start)} kWh after {below} ending at {shown_number(lower_end)} kWh: "
        f"{kind} of {shown_number(abs(gap))} kWh in {tariff}"
    )


def check_tou_periods(tariffs: TypedTable) -> list[Problem]:
    """Time-of-use tariffs (category, valid_from, voltage band, tier with any tou_period row)
    without a row for each of peak, flat and valley; critical is optional, and a row without
    tou_period serves as flat (the rate looked up for flat when no flat row exists)."""
    frame = tariffs.frame
    if "tou_period" not in frame:
        return []
    group = _tariff_groups(frame, (*_TARIFF_GROUP, "tier"))
    groups = int(group.max(initial=-1)) + 1
    period = frame["tou_period"].to_numpy(dtype=object, na_value=None)
    empty = pd.isna(period)
    has = {
        name: np.bincount(group[period == name], minlength=groups) > 0
        for name in ("critical", *_REQUIRED_PERIODS)
    }
    flat_or_empty = has["flat"] | (np.bincount(group[empty], minlength=groups) > 0)
    timed = np.zeros(groups, dtype=bool)
    for name in has:
        timed |= has[name]
    complete = has["peak"] & flat_or_empty & has["valley"]
    incomplete = np.flatnonzero(timed & ~complete)
    if not incomplete.size:
        return []
    # Reported at the first time-of-use row of each incomplete tariff.
    rows = np.flatnonzero(np.isin(group, incomplete) & ~empty)
    _, first = np.unique(group[rows], return_index=True)
    positions = np.sort(rows[first])
    found = []
    for p in positions.tolist():
        g = group[p]
        have = [name for name in ("critical", *_REQUIRED_PERIODS) if has[name][g]]
        lacking = [
            name
            for name in _REQUIRED_PERIODS
            if not (flat_or_empty[g] if name == "flat" else has[name][g])
        ]
        missing = ", ".join(lacking[:-1]) + (" or " if len(lacking) > 1 else "") + lacking[-1]
        found.append(f"{', '.join(have)} only, no {missing} in {_tariff_named(frame, p)}")
    expected = (
        "a row for each of peak, flat and valley in a time-of-use tariff (critical optional; "
        "a row without tou_period serves as flat)"
    )
    return _tariff_warnings(tariffs, "tou_period", positions, expected, found)


def _tariff_warnings(
    tariffs: TypedTable, column: str, positions: np.ndarray, expected: str, found: list[str]
) -> list[Problem]:
    if not positions.size:
        return []
    issue = Issue(positions, expected, found[: column_typing.LISTED_PER_ISSUE])
    return issue_problems(issue, tariffs.file, tariffs.rows, column, "tariffs", "warning")


# ---------------------------------------------------------------------------------- transformers


def check_transformer_capacity(
    customers: TypedTable, transformers: TypedTable, tolerance: float = CAPACITY_TOLERANCE
) -> list[Problem]:
    """Customers whose contract_capacity_kva matches neither their transformers in force (running
    and hot standby) nor all their transformers not removed, each transformer in its latest
    status by status_since.

    A suspension seals transformers without changing the contract capacity: the capacity in force
    is then below it while the installed capacity still equals it, which is not warned about.
    Customers without transformer rows or without a contract capacity are not checked.
    """
    if "contract_capacity_kva" not in customers.frame:
        return []
    owner = _customer_rows(customers, transformers)
    frame = transformers.frame
    transformer = codes_of(transformers, "transformer_id").codes.astype(np.int64)
    since = (
        frame["status_since"].to_numpy(dtype="datetime64[us]").astype(np.int64)
        if "status_since" in frame
        else np.zeros(len(frame), dtype=np.int64)
    )  # NaT is the smallest int64: a row without a date is the earliest state
    kept = np.flatnonzero(owner >= 0)
    order = kept[np.lexsort((since[kept], transformer[kept], owner[kept]))]
    latest = np.ones(order.size, dtype=bool)  # the last row of each (customer, transformer)
    latest[:-1] = (owner[order[1:]] != owner[order[:-1]]) | (
        transformer[order[1:]] != transformer[order[:-1]]
    )
    current = order[latest]
    status = frame["status"].take(current)
    in_force = current[status.isin(_IN_FORCE).to_numpy()]
    installed = current[(status != "removed").to_numpy(dtype=bool, na_value=True)]
    count = len(customers.frame)
    kva = np.nan_to_num(frame["kva"].to_numpy(dtype=float, na_value=0.0))
    in_force_kva = np.bincount(owner[in_force], kva[in_force], minlength=count)
    in_force_count = np.bincount(owner[in_force], minlength=count)
    installed_kva = np.bincount(owner[installed], kva[installed], minlength=count)
    listed = np.bincount(owner[kept], minlength=count) > 0
    contract = customers.frame["contract_capacity_kva"].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        off = (
            listed
            & ~np.isnan(contract)
            & (np.abs(in_force_kva - contract) > tolerance + _NOISE)
            & (np.abs(installed_kva - contract) > tolerance + _NOISE)
        )
    positions = np.flatnonzero(off)
    if not positions.size:
        return []
    found = [
        f"{shown_number(contract[p])} kVA, while its transformers in force add up to "
        f"{shown_number(in_force_kva[p])} kVA ({in_force_count[p]} running or hot standby) and "
        f"those not removed to {shown_number(installed_kva[p])} kVA"
        for p in positions[: column_typing.LISTED_PER_ISSUE].tolist()
    ]
    expected = (
        "contract_capacity_kva = the kVA of the customer's running and hot_standby transformers, "
        f"or of all its transformers not removed (a suspension seals some), within {tolerance:g} "
        "kVA"
    )
    issue = Issue(positions, expected, found)
    return _warnings(customers, "customers", "contract_capacity_kva", issue)


def _customer_rows(customers: TypedTable, table: TypedTable) -> np.ndarray:
    """Row of the customers table of each row of `table` (−1 for an unknown or empty id)."""
    archive = codes_of(customers, "customer_id")
    row_of_code = np.full(len(archive.uniques) + 1, -1, dtype=np.int64)  # last: code −1
    filled = np.flatnonzero(archive.codes >= 0)
    row_of_code[archive.codes[filled][::-1]] = filled[::-1]  # the first row of a repeated id
    own = codes_of(table, "customer_id")
    return row_of_code[_translation(own.uniques, archive.uniques)[own.codes]]


def _warnings(typed: TypedTable, table: str, column: str, issue: Issue) -> list[Problem]:
    problems = issue_problems(issue, typed.file, typed.rows, column, table, "warning")
    return with_context(problems, typed.frame, issue.positions)

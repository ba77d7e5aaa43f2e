"""Checks across rows and tables: unique keys, references, tariff validity, billed kWh consistency,
and the itemized-billing checks of `itemized_checks`.

All checks are vectorized on the codes produced while typing (no text column is hashed twice)
and Problems are built only for the offending rows. A kWh mismatch is an audit finding,
not a load error: it is reported as a warning carrying the customer and period.

A key may include optional columns (a tariff row is keyed by category, valid_from, voltage band,
tou_period and tier): only the key columns present in the file count, and an empty cell in an
optional one is a value of its own (the flat rate, any voltage, no tier), so a flat row and a
peak row of one category and date are two rows, two peak rows a duplicate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import auditkit.data.column_typing as column_typing
from auditkit import formatting
from auditkit.data.column_typing import Issue, shown_cell
from auditkit.data.frames import (
    TypedTable,
    codes_of,
    issue_problems,
    shown_number,
    with_context,
)
from auditkit.data.itemized_checks import check_itemized
from auditkit.data.problems import Problem
from auditkit.data.schema import TABLES, Reference

# Billed kWh may differ from (register_end − register_start) × multiplier by rounding only: a
# difference above both 0.5 kWh and 0.1 % of the computed energy is reported.
KWH_TOLERANCE = 0.5
KWH_TOLERANCE_SHARE = 0.001
# Rows checked at a time for kWh consistency (bounds the temporaries to a few MB).
KWH_BLOCK_ROWS = 1 << 18


def check_tables(tables: dict[str, TypedTable]) -> list[Problem]:
    """Every cross-row and cross-table problem of the typed tables (errors and warnings)."""
    problems: list[Problem] = []
    for name, typed in tables.items():
        spec = TABLES[name]
        # Optional key columns (a tariff's voltage band, TOU period, tier) count where present;
        # an empty cell in one is a value of its own (the flat rate, any voltage).
        key = tuple(column for column in spec.key if column in typed.frame.columns)
        if key:
            optional = {column for column in key if not spec.column(column).required}
            problems.extend(check_key(name, typed, key, optional))
        for reference in spec.references:
            target = tables.get(reference.target_table)
            if target is not None:
                problems.extend(check_reference(name, typed, reference, target))
    if "tariffs" in tables:
        problems.extend(check_validity(tables["tariffs"]))
    if "bills" in tables:
        problems.extend(check_kwh(tables["bills"]))
    problems.extend(check_itemized(tables))
    return problems


def check_key(
    table: str,
    typed: TypedTable,
    key: tuple[str, ...],
    optional: set[str] | frozenset = frozenset(),
) -> list[Problem]:
    """Rows of `table` repeating the value of `key` (columns in `optional` may be empty)."""
    rows = len(typed.frame)
    combined = np.zeros(rows, dtype=np.int64)
    filled = np.ones(rows, dtype=bool)
    radix_product = 1
    for column in key:
        codes = codes_of(typed, column)
        if column not in optional:
            filled &= codes.codes >= 0
        elif column in typed.unreadable:  # a bad cell is an error of its own, not an empty one
            filled[typed.unreadable[column]] = False
        radix = len(codes.uniques) + 1
        # combined × radix + (code + 1), in place: no temporary the size of the table
        combined *= radix
        combined += codes.codes
        combined += 1
        radix_product *= radix
        if radix_product > 2**53:
            combined = np.asarray(pd.factorize(combined)[0], dtype=np.int64)
            radix_product = int(combined.max(initial=0)) + 1
    repeats = _repeated_rows(combined, filled, radix_product)
    if not repeats.size:
        return []
    # First occurrence of each repeated key, searched among the rows sharing a repeated key only.
    involved = np.flatnonzero(filled & np.isin(combined, combined[repeats]))
    first_of = pd.Series(involved, index=combined[involved]).groupby(level=0).min()
    first_rows = typed.rows.of(first_of.loc[combined[repeats]].to_numpy())
    listed = repeats[: column_typing.LISTED_PER_ISSUE]
    first_rows = first_rows[: listed.size]
    values = typed.frame.loc[listed, list(key)].itertuples(index=False, name=None)
    shown = [
        f"{_shown_key(value)} again (first at row {first})"
        for value, first in zip(values, first_rows.tolist(), strict=True)
    ]
    label = key[0] if len(key) == 1 else f"({', '.join(key)})"
    issue = Issue(repeats, f"a unique {label}", shown)
    return issue_problems(issue, typed.file, typed.rows, ", ".join(key), table)


def _shown_key(value: tuple) -> str:
    """A key as shown in a problem: its value, or its values in parentheses (an empty optional
    part shown as `empty`, a date as `2024-01-01`)."""
    shown = [_shown_key_part(part) for part in value]
    return shown[0] if len(shown) == 1 else f"({', '.join(shown)})"


def _shown_key_part(part: object) -> str:
    if pd.isna(part):
        return "empty"
    if isinstance(part, pd.Timestamp):
        return repr(part.isoformat(sep=" ") if part != part.normalize() else f"{part:%Y-%m-%d}")
    if isinstance(part, np.generic):
        part = part.item()  # 2, not np.int64(2)
    return shown_cell(part)


def _repeated_rows(combined: np.ndarray, filled: np.ndarray, radix_product: int) -> np.ndarray:
    """Positions of rows whose (filled) key appeared on an earlier row."""
    if radix_product <= 4 * len(combined) + 1024:
        # Dense keys: counting is one pass; only rows of keys seen twice are examined further.
        counted = combined if filled.all() else combined[filled]  # no copy when all are filled
        repeated = np.bincount(counted, minlength=radix_product) > 1
        suspects = np.flatnonzero(filled & repeated[combined])
        if not suspects.size:
            return suspects
        later = pd.Series(combined[suspects]).duplicated(keep="first").to_numpy()
        return suspects[later]
    keyed = np.flatnonzero(filled)
    return keyed[pd.Series(combined[keyed]).duplicated(keep="first").to_numpy()]


def check_reference(
    table: str, typed: TypedTable, reference: Reference, target: TypedTable
) -> list[Problem]:
    """Rows of `table` whose `reference.column` names no row of the `target` table."""
    codes = codes_of(typed, reference.column)
    targets = pc.unique(pa.array(target.frame[reference.target_column], from_pandas=True))
    listed = pc.is_in(codes.uniques, value_set=targets.drop_null())
    known = np.append(listed.to_numpy(zero_copy_only=False), True)  # code -1: empty, no reference
    broken = np.flatnonzero(~known[codes.codes])
    if not broken.size:
        return []
    listed = broken[: column_typing.LISTED_PER_ISSUE]
    values = codes.uniques.take(pa.array(codes.codes[listed])).to_pylist()
    expected = f"a {reference.target_column} listed in {reference.target_table}"
    issue = Issue(broken, expected, [shown_cell(value) for value in values])
    return with_context(
        issue_problems(issue, typed.file, typed.rows, reference.column, table, reference.severity),
        typed.frame,
        broken,
    )


def check_validity(tariffs: TypedTable) -> list[Problem]:
    """Tariff rows whose valid_to comes before their valid_from."""
    frame = tariffs.frame
    if "valid_to" not in frame:
        return []
    reversed_dates = (frame["valid_to"] < frame["valid_from"]).to_numpy()
    positions = np.flatnonzero(reversed_dates)
    if not positions.size:
        return []
    found = [
        f"{end:%Y-%m-%d} before valid_from {start:%Y-%m-%d}"
        for end, start in zip(
            frame["valid_to"].iloc[positions[: column_typing.LISTED_PER_ISSUE]],
            frame["valid_from"].iloc[positions[: column_typing.LISTED_PER_ISSUE]],
            strict=True,
        )
    ]
    issue = Issue(positions, "a date on or after valid_from", found)
    return issue_problems(issue, tariffs.file, tariffs.rows, "valid_to", "tariffs")


def check_kwh(bills: TypedTable) -> list[Problem]:
    """Bills whose kWh billed is not (register end − start) × multiplier."""
    frame = bills.frame
    start = frame["register_start"].to_numpy()
    end = frame["register_end"].to_numpy()
    multiplier = frame["multiplier_billed"].to_numpy()
    billed = frame["kwh_billed"].to_numpy()
    positions = _kwh_mismatches(start, end, multiplier, billed)
    if not positions.size:
        return []
    listed = positions[: column_typing.LISTED_PER_ISSUE]
    computed = (end[listed] - start[listed]) * multiplier[listed]
    found = [
        f"{shown_number(billed[p])} kWh, while ({shown_number(end[p])} − {shown_number(start[p])}) × "
        f"{shown_number(multiplier[p])} = {shown_number(computed[i])} kWh"
        for i, p in enumerate(listed.tolist())
    ]
    expected = (
        "kwh_billed = (register_end − register_start) × multiplier_billed "
        f"within {KWH_TOLERANCE:g} kWh or {formatting.percent(KWH_TOLERANCE_SHARE)}"
    )
    issue = Issue(positions, expected, found)
    problems = issue_problems(issue, bills.file, bills.rows, "kwh_billed", "bills", "warning")
    return with_context(problems, frame, positions)


def _kwh_mismatches(
    start: np.ndarray, end: np.ndarray, multiplier: np.ndarray, billed: np.ndarray
) -> np.ndarray:
    """Positions where billed kWh differs from (end − start) × multiplier beyond the tolerance.

    Computed block by block so the temporaries stay small whatever the number of bills.
    """
    found = []
    for first in range(0, len(billed), KWH_BLOCK_ROWS):
        block = slice(first, first + KWH_BLOCK_ROWS)
        computed = (end[block] - start[block]) * multiplier[block]
        difference = np.abs(billed[block] - computed)
        with np.errstate(invalid="ignore"):
            off = (difference > KWH_TOLERANCE) & (
                difference > KWH_TOLERANCE_SHARE * np.abs(computed)
            )
        found.append(np.flatnonzero(off) + first)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.intp)

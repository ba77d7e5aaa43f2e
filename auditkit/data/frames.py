"""From a raw table (columns named as in the file) to a typed DataFrame in canonical column order.

Structural problems (a required column missing, a column named twice) and every cell problem are
turned into `Problem`s located by file, row and column.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa

from auditkit.data.cell_types import Untypable, typable
from auditkit.data.column_typing import (
    TEXT_DTYPE,
    Codes,
    Issue,
    Typed,
    shown_cell,
    shown_personal,
    type_column,
)
from auditkit.data.encoding import misread_mark
from auditkit.data.problems import Problem
from auditkit.data.raw import title_found
from auditkit.data.readers import RawTable, RowIndex
from auditkit.data.schema import TableSpec
from auditkit.data.threads import GIL_FREE_THREADS


@dataclass(frozen=True)
class TypedTable:
    """A table after typing: the frame, where its rows came from, the file it was read from, the
    codes of its key and reference columns (for the checks), and the positions of the cells of
    those columns that could not be typed (an error already; the key check skips their rows)."""

    frame: pd.DataFrame
    rows: RowIndex
    file: str
    codes: dict[str, Codes] = field(default_factory=dict)
    unreadable: dict[str, np.ndarray] = field(default_factory=dict)


def type_table(raw: RawTable, spec: TableSpec) -> tuple[TypedTable | None, list[Problem]]:
    """Type every canonical column of `raw`; extra columns are kept as they are.

    Returns no table when a required column is missing or a column name repeats, since rows
    cannot then be checked meaningfully; the problems say which.
    """
    names = raw.data.column_names
    problems = _structure_problems(raw, spec, names)
    if problems:
        return None, problems
    present = [name for name in spec.column_names if name in names]
    data, problems = _typable_columns(raw, spec, present)
    if problems:
        return None, problems
    # Arrow's allocator keeps the pages freed since the last table (file reads, earlier tables)
    # for its own reuse; handed back, they serve this table's NumPy columns: a lower peak.
    pa.default_memory_pool().release_unused()
    keyed = set(spec.key) | {reference.column for reference in spec.references}

    def type_one(name: str) -> Typed:
        return type_column(data.column(name), spec.column(name), keyed=name in keyed)

    # Arrow compute releases the GIL: columns are typed in parallel, results kept in order.
    with ThreadPoolExecutor(max_workers=GIL_FREE_THREADS) as pool:
        typed_columns = dict(zip(present, pool.map(type_one, present), strict=True))
    columns: dict[str, pd.Series] = {}
    for name, typed in typed_columns.items():
        columns[name] = typed.values
        refused = raw.refused.get(names.index(name))
        for issue in typed.issues:
            kept = issue if refused is None else _without_cells(issue, refused)
            if kept is not None:
                problems.extend(issue_problems(kept, raw.file, raw.rows, name, spec.name))
    for name in names:
        if name not in columns and name:
            columns[name] = extra_column(data.column(name))
    frame = pd.DataFrame(columns, copy=False)
    codes = {name: typed.codes for name, typed in typed_columns.items() if typed.codes is not None}
    unreadable = {
        name: typed.unreadable
        for name, typed in typed_columns.items()
        if name in keyed and typed.unreadable.size
    }
    return TypedTable(frame, raw.rows, raw.file, codes, unreadable), problems


def _structure_problems(raw: RawTable, spec: TableSpec, names: list[str]) -> list[Problem]:
    # the header's row (below titles columns.yaml skips); Parquet and frames have none
    header_row = raw.rows.first_row - 1 if raw.format in ("csv", "xlsx") else None
    missing = [name for name in spec.required_columns if name not in names]
    if header_row and missing and is_title(names):
        # a title above the table (often merged across it): the header is further down
        found = title_found(next(name for name in names if name), header_row, "rows")
        return [
            Problem(
                raw.file,
                header_row,
                None,
                "a header row naming the columns",
                found,
                table=spec.name,
            )
        ]
    near = _near_names(names, spec)
    shown = _header_cell_shown(spec, set(near.values()))
    problems, unmarked = _marked_names(raw, spec, names, header_row)
    named_required = set(spec.required_columns) & (set(names) | set(near) | unmarked)
    if missing and not named_required and any(map(_looks_like_data, names)):
        return [_header_row_missing(raw, spec, names, header_row)]
    for name, count in Counter(names).items():
        if count > 1 and name:
            problems.append(
                Problem(
                    raw.file,
                    header_row,
                    shown(name, str),
                    "each column once",
                    f"{count} columns named {shown(name, repr)}",
                    table=spec.name,
                )
            )
    for position, name in enumerate(names):
        if not name and raw.data.column(position).null_count < raw.data.num_rows:
            found = "an empty header cell above a filled column"
            if position in raw.merged_header:
                found += (
                    f", one of the cells {raw.merged_header[position]} merged (only the first "
                    "holds the name: unmerge them and name each column)"
                )
            problems.append(
                Problem(
                    raw.file,
                    header_row,
                    f"#{position + 1}",
                    "a column name in the header",
                    found,
                    table=spec.name,
                )
            )
    for canonical, name in near.items():  # `Contract_Capacity_kVA`: read as an extra column
        problems.append(
            Problem(
                raw.file,
                header_row,
                name,
                f"the column name {canonical} (names are exact: columns.yaml can map the file's own)",
                f"{name!r}, which would be kept as an extra column and {canonical} read as absent",
                table=spec.name,
            )
        )
    named = [shown(name, shown_cell) for name in names if name]
    found = (
        "no such column in the header: " + ", ".join(named) if named else "a table of no columns"
    )
    for name in missing:
        if name in near or name in unmarked:
            continue
        problems.append(
            Problem(
                raw.file,
                None,
                name,
                f"a required column {name} (columns.yaml can map the file's own name)",
                found,
                table=spec.name,
            )
        )
    return problems


def _marked_names(
    raw: RawTable, spec: TableSpec, names: list[str], header_row: int | None
) -> tuple[list[Problem], set[str]]:
    """A Problem for each column name starting with a byte-order mark a reader left in it (a
    GBK export marked as UTF-8 read as GB18030, a name saved with U+FEFF), and the names
    without the mark: its column would pass for an extra one and the contract's as absent. The
    name is shown when the rest is a contract column's, else as any other header cell."""
    problems, unmarked = [], set()
    for name in names:
        mark = misread_mark(name)
        if mark is None:
            continue
        unmarked.add(mark.rest)
        known = mark.rest in spec.column_names
        shown = shown_cell(name) if known or not spec.personal else shown_personal("name", name)
        problems.append(
            Problem(
                raw.file,
                header_row,
                mark.rest if known else shown,
                "a column name without a byte-order mark",
                f"{shown}, {mark.read_as} at its start (read as part of the name, it would "
                "make the column an extra one: rename the column)",
                table=spec.name,
            )
        )
    return problems, unmarked


#: A header cell that reads as a value, not a column name: a number, or a run of three digits (an
#: account number, a period 2024-01, a reading, a phone).
_VALUE_LIKE = re.compile(r"\d{3}|^[+-]?\d+(?:\.\d+)?$")


def _looks_like_data(name: str) -> bool:
    return _VALUE_LIKE.search(name) is not None


def _header_row_missing(
    raw: RawTable, spec: TableSpec, names: list[str], header_row: int | None
) -> Problem:
    """One Problem for a header naming none of the table's required columns with cells that read
    as values: a file saved without its header row, its first row of data read as the header.
    Its cells are not shown (a name, a phone and an address among them), nor is each missing
    column named after it."""
    required = ", ".join(spec.required_columns)
    return Problem(
        raw.file,
        header_row,
        None,
        f"a header row naming the columns ({required} required; columns.yaml can map the "
        "file's own names)",
        f"none of them among its {len(names):,} cells, which look like data: is the header row "
        "missing? (the cells are not shown: they may hold personal data)",
        table=spec.name,
    )


def _header_cell_shown(spec: TableSpec, near: set[str]) -> Callable[[str, Callable], str]:
    """How a problem shows a header cell: as `show` does where the cell names a contract
    column (or nearly does); in a table with personal columns any other cell masked as a name
    is, with its length, since a header missing from the file makes the first row of data the
    header, and its name, address and phone would reach the message."""
    known = set(spec.column_names) | near

    def shown(name: str, show: Callable) -> str:
        if name in known or not spec.personal:
            return show(name)
        return shown_personal("name", name)

    return shown


def is_title(names: list[str]) -> bool:
    """Whether a header row of several columns has one name only: a title above the table (the
    header is further down), whatever columns.yaml maps."""
    return len(names) > 1 and sum(1 for name in names if name) == 1


def _without_cells(issue: Issue, refused: np.ndarray) -> Issue | None:
    """`issue` without the cells a reader refused already (None when none is left)."""
    keep = ~np.isin(issue.positions, refused)
    if keep.all():
        return issue
    if not keep.any():
        return None
    found = [shown for shown, kept in zip(issue.found, keep, strict=False) if kept]
    return Issue(issue.positions[keep], issue.expected, found)


def _near_names(names: list[str], spec: TableSpec) -> dict[str, str]:
    """Contract columns absent but written otherwise in the header (other case, spaces or
    hyphens for underscores, padding): canonical name -> the file's."""
    absent = set(spec.column_names) - set(names)
    near = {}
    for name in names:
        canonical = re.sub(r"[\s_-]+", "_", name.strip()).lower()
        if canonical in absent:
            near.setdefault(canonical, name)
    return near


def _typable_columns(
    raw: RawTable, spec: TableSpec, present: list[str]
) -> tuple[pa.Table, list[Problem]]:
    """`raw.data` with binary contract columns decoded as text, and a Problem for each contract
    column that cannot be typed (several values per cell, bytes that are not UTF-8)."""
    data = raw.data
    problems = []
    for name in present:
        values = data.column(name)
        ready = typable(values, spec.column(name).kind)
        if isinstance(ready, Untypable):
            row = None
            if ready.position is not None:
                row = int(raw.rows.of(np.asarray([ready.position]))[0])
            problems.append(
                Problem(raw.file, row, name, ready.expected, ready.found, table=spec.name)
            )
        elif ready is not values:
            data = data.set_column(data.column_names.index(name), name, ready)
    return data, problems


def extra_column(raw: pa.ChunkedArray) -> pd.Series:
    """Columns outside the contract are kept (text from CSV/XLSX, own type from Parquet)."""
    if pa.types.is_dictionary(raw.type):
        raw = raw.cast(raw.type.value_type)
    series = pd.Series(raw.to_pandas(), copy=False)
    if pa.types.is_string(raw.type) or pa.types.is_large_string(raw.type):
        return series.astype(TEXT_DTYPE)
    return series


def issue_problems(
    issue: Issue, file: str, rows: RowIndex, column: str, table: str, severity: str = "error"
) -> list[Problem]:
    """One Problem per listed cell of `issue` with the row number the user sees, and one Problem
    counting the cells beyond the listing limit, if any."""
    listed = np.asarray(issue.positions[: len(issue.found)], dtype=np.int64)
    problems = [
        Problem(file, row, column, issue.expected, found, severity=severity, table=table)
        for row, found in zip(rows.of(listed).tolist(), issue.found, strict=True)
    ]
    unlisted = len(issue.positions) - len(issue.found)
    if unlisted > 0:
        first_unlisted = int(rows.of(np.asarray(issue.positions[len(issue.found) :][:1]))[0])
        found = (
            f"{unlisted} more rows like this from row {first_unlisted} on (not listed one by one)"
        )
        problems.append(
            Problem(
                file,
                None,
                column,
                issue.expected,
                found,
                severity=severity,
                table=table,
                count=unlisted,
            )
        )
    return problems


def codes_of(typed: TypedTable, column: str) -> Codes:
    """The column's codes from typing, or factorized here (typed non-text columns, e.g. dates)."""
    if column in typed.codes:
        return typed.codes[column]
    codes, uniques = pd.factorize(typed.frame[column])
    return Codes(np.asarray(codes, dtype=np.int64), pa.array(uniques, from_pandas=True))


def with_context(
    problems: list[Problem], frame: pd.DataFrame, positions: np.ndarray
) -> list[Problem]:
    """Attach the customer_id and period of each listed row (`problems` as `issue_problems` made
    them for `positions`), so rules and reports can use it."""
    if "customer_id" not in frame:
        return problems
    listed = [problem for problem in problems if problem.row is not None]
    counted = [problem for problem in problems if problem.row is None]
    rows = positions[: len(listed)]
    # take() before to_numpy(): only the listed rows become Python strings, not the column
    customers = frame["customer_id"].take(rows).to_numpy()
    periods = frame["period"].take(rows).to_numpy() if "period" in frame else [None] * rows.size
    return [
        replace(
            problem,
            customer_id=None if pd.isna(customer) else str(customer),
            period=None if pd.isna(period) else str(period),
        )
        for problem, customer, period in zip(listed, customers, periods, strict=True)
    ] + counted


def shown_number(value: float) -> str:
    """A number for a message: rounded to 6 decimals so float noise (175.63999999999942) hides."""
    return repr(round(float(value), 6))

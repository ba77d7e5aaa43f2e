"""The checks across rows and tables of a converted folder, part by part instead of all at once.

`check_by_parts(folder)` gives the problems an eager check of the whole folder gives
(`PartitionedDataset.dataset(validate=True)`: every file read and typed, `check_tables` on the
whole tables, problems re-pointed at their part files) while holding one part at a time:

- checks that only compare rows of one customer (a bill's key, its bill lines, its transformers,
  its references to the customer and to the tariffs) run on each part, since `convert` writes
  every row of a customer in the customer's part; their rows are numbered across the whole table,
  as the eager check numbers them, and one issue found in several parts is listed as one;
- checks that look across customers (a work order's id, district_supply's districts) run on the
  few whole columns they read; the tables kept in one file (tariffs, supply) are read whole.

`STEPS` below follows `check_tables` and `check_itemized` check by check; the test
tests/data/test_streamed_convert.py compares both on data where every check finds something.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

import auditkit.data.column_typing as column_typing
from auditkit.data.column_typing import Issue
from auditkit.data.consistency import check_key, check_kwh, check_reference, check_validity
from auditkit.data.frames import TypedTable, issue_problems
from auditkit.data.itemized_checks import (
    check_bill_lines,
    check_period_registers,
    check_tier_bands,
    check_tou_periods,
    check_transformer_capacity,
)
from auditkit.data.partitioned import Partition, PartitionedDataset, locate_checks, typed_arrow
from auditkit.data.problems import Problem
from auditkit.data.readers import RowIndex
from auditkit.data.schema import TABLES

Tables = dict[str, TypedTable]
# How `issue_problems` counts the cells of an issue past its listing limit.
_COUNTED = re.compile(r"^(\d+) more rows like this from row (\d+) on")


@dataclass(frozen=True)
class _Step:
    """One check of `check_tables`: run on each part (`by_part`) or once on `columns` of whole
    tables (all columns of a table not named there). `issues` orders the issues of a check
    reporting several, by (table, column), as the check lists them."""

    run: Callable[[Tables], list[Problem]]
    by_part: bool
    columns: dict[str, tuple[str, ...]]
    issues: tuple[tuple[str, str], ...] = ()


def check_by_parts(dataset: PartitionedDataset) -> list[Problem]:
    """Every problem of the whole converted folder `dataset`: the typing problems of its files,
    then those of the checks across rows and tables, exactly as an eager check of it lists them.
    """
    info = dataset.table_info
    steps = _steps(dataset)
    typing: dict[str, list[list[Problem]]] = {table: [] for table in info}
    whole: Tables = {}
    for table in (table for table in info if info[table]["layout"] == "file"):
        typed, problems = _typed_table(dataset, table)
        typing[table].append(problems)
        if typed is not None:
            whole[table] = typed
    per_part: list[list[list[Problem]]] = [[] for _ in steps]
    offsets = {table: 0 for table in info}
    for partition in dataset.partitions:
        tables = dict(whole)
        for table in info:
            if info[table]["layout"] == "partitioned":
                typed, problems = _typed_table(dataset, table, partition, offsets[table])
                typing[table].append(problems)
                offsets[table] += dataset.rows(table, [partition])
                if typed is not None:
                    tables[table] = typed
        for index, step in enumerate(steps):
            if step.by_part:
                per_part[index].append(step.run(tables))
        del tables
    problems = [problem for table in info for problem in merged_problems(typing[table])]
    for index, step in enumerate(steps):
        if step.by_part:
            found = merged_problems(per_part[index], step.issues)
        else:
            found = step.run(_slim_tables(dataset, step.columns, whole))
        problems.extend(locate_checks(found, dataset, None))
    return problems


def _typed_table(
    dataset: PartitionedDataset,
    table: str,
    partition: Partition | None = None,
    first: int = 0,
    columns: tuple[str, ...] | None = None,
) -> tuple[TypedTable | None, list[Problem]]:
    """`table` typed as the eager read types it (one partition of it: its rows numbered from
    `first` + 1, as in the whole table, the file named as the whole table's)."""
    chosen = None if partition is None else [partition]
    arrow, _ = dataset.read_arrow(table, chosen, columns)
    files = (
        [f"{table}.parquet"]
        if dataset.table_info[table]["layout"] == "file"
        else [p.relative_path(table) for p in dataset.partitions]
    )
    return typed_arrow(
        arrow,
        table,
        files,
        dataset.file_rows(table, None),
        some_columns=columns is not None,
        rows=RowIndex(first_row=first + 1),
    )


def _slim_tables(
    dataset: PartitionedDataset, columns: dict[str, tuple[str, ...]], whole: Tables
) -> Tables:
    """The whole tables a check reads: the files read whole, the columns named of the others."""
    tables = {table: whole[table] for table in columns if table in whole}
    for table, wanted in columns.items():
        if table not in tables:
            typed, _ = _typed_table(dataset, table, columns=wanted)
            if typed is not None:
                tables[table] = typed
    return tables


def _steps(dataset: PartitionedDataset) -> list[_Step]:
    """The checks of `check_tables` on the tables of `dataset`, in its order."""
    info = dataset.table_info
    partitioned = {table for table in info if info[table]["layout"] == "partitioned"}
    steps: list[_Step] = []
    for name in info:
        spec, present = TABLES[name], info[name]["columns"]
        key = tuple(column for column in spec.key if column in present)
        if key:
            optional = {column for column in key if not spec.column(column).required}
            # one customer's rows share its part: a key naming the customer repeats within it
            local = name in partitioned and "customer_id" in key
            steps.append(
                _Step(
                    lambda tables, name=name, key=key, optional=optional: check_key(
                        name, tables[name], key, optional
                    ),
                    local,
                    {name: key},
                )
            )
        for reference in spec.references:
            target = reference.target_table
            if target not in info:
                continue
            local = name in partitioned and (
                target not in partitioned or reference.target_column == "customer_id"
            )
            context = tuple(c for c in ("customer_id", "period") if c in present)
            steps.append(
                _Step(
                    lambda tables, name=name, reference=reference: check_reference(
                        name, tables[name], reference, tables[reference.target_table]
                    ),
                    local,
                    {
                        name: tuple(dict.fromkeys((reference.column, *context))),
                        target: (reference.target_column,),
                    },
                )
            )
    if "tariffs" in info:
        steps.append(
            _Step(lambda tables: check_validity(tables["tariffs"]), False, {"tariffs": ()})
        )
    if "bills" in info:
        steps.append(_Step(lambda tables: check_kwh(tables["bills"]), True, {}))
        steps.append(_Step(lambda tables: check_period_registers(tables["bills"]), True, {}))
        if "bill_lines" in info:
            steps.append(
                _Step(
                    lambda tables: check_bill_lines(
                        tables["bill_lines"], tables["bills"], tables.get("customers")
                    ),
                    True,
                    {},
                    # as check_bill_lines lists them: amounts, time-of-use kWh, lines without bill
                    (("bills", "amount"), ("bills", "kwh_billed"), ("bill_lines", "period")),
                )
            )
    if "tariffs" in info:
        steps.append(
            _Step(lambda tables: check_tier_bands(tables["tariffs"]), False, {"tariffs": ()})
        )
        steps.append(
            _Step(lambda tables: check_tou_periods(tables["tariffs"]), False, {"tariffs": ()})
        )
    if "customers" in info and "transformers" in info:
        steps.append(
            _Step(
                lambda tables: check_transformer_capacity(
                    tables["customers"], tables["transformers"]
                ),
                True,
                {},
            )
        )
    return steps


def merged_problems(
    per_part: list[list[Problem]], issues: tuple[tuple[str, str], ...] = ()
) -> list[Problem]:
    """The problems of one check (or of typing) run part by part, or batch by batch, as one run on
    the whole lists them.

    Rows are numbered across the whole table in every part, so an issue's listed cells are those
    of the parts in order, up to the listing limit, and the cells past it are counted in one line.
    """
    groups: dict[tuple, list[list[Problem]]] = {}
    for problems in per_part:
        in_part: dict[tuple, list[Problem]] = {}
        for problem in problems:
            issue = (problem.table, problem.column, problem.expected, problem.severity)
            in_part.setdefault(issue, []).append(problem)
        for issue, found in in_part.items():
            groups.setdefault(issue, []).append(found)
    order = {issue: position for position, issue in enumerate(issues)}
    ranked = sorted(groups, key=lambda issue: order.get((issue[0], issue[1]), len(order)))
    merged: list[Problem] = []
    for issue in ranked:
        merged.extend(_one_issue(groups[issue]))
    return merged


def _one_issue(per_part: list[list[Problem]]) -> list[Problem]:
    """One issue's problems from several parts: listed cells up to the limit, then a count.

    A problem of no row that is not such a count (a column missing, a file or row group that
    cannot be read, a table without rows) is the table's, not a cell's: kept as it is, once."""
    limit = column_typing.LISTED_PER_ISSUE
    whole: list[Problem] = []
    listed: list[Problem] = []
    total, first_unlisted = 0, None
    for problems in per_part:
        rows = [problem for problem in problems if problem.row is not None]
        counts = []
        for problem in (problem for problem in problems if problem.row is None):
            count = _COUNTED.match(problem.found)
            if count:
                counts.append(count)
            elif problem not in whole:
                whole.append(problem)
        more = sum(int(count.group(1)) for count in counts)
        room = limit - len(listed)
        if first_unlisted is None and len(rows) + more > room:
            first_unlisted = rows[room].row if room < len(rows) else int(counts[0].group(2))
        listed.extend(rows[:room])
        total += len(rows) + more
    if total <= limit:
        return [*whole, *listed]
    sample = listed[0] if listed else next(p for part in per_part for p in part)
    numbers = np.asarray([problem.row for problem in listed] + [first_unlisted], dtype=np.int64)
    issue = Issue(np.arange(total), sample.expected, [problem.found for problem in listed])
    counted = issue_problems(
        issue,
        sample.file,
        RowIndex(first_row=0, numbers=numbers),
        sample.column or "",
        sample.table or "",
        sample.severity,
    )[-1]
    return [*whole, *listed, replace(counted, column=sample.column, table=sample.table)]

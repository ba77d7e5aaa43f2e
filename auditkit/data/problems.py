"""What is wrong with a dataset, cell by cell, and how to show many problems to a person."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import pandas as pd

from auditkit.errors import AuditkitError

Severity = Literal["error", "warning"]

PROBLEM_COLUMNS = (
    "table",
    "file",
    "row",
    "column",
    "expected",
    "found",
    "severity",
    "customer_id",
    "period",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located as a spreadsheet user would look for it.

    `row` is the row number a user sees in a spreadsheet for CSV and XLSX (header = row 1, first
    data row = 2) and the 1-based record number for Parquet and in-memory frames; None when the
    problem concerns a whole file or column. `found` is already formatted for display (values are
    quoted with repr). Row-level warnings carry the customer_id and period they concern so the
    audit rules and the report can attach them to a customer. `count` is how many rows the
    problem stands for: 1, or for the one Problem counting the cells of an issue past its
    listing limit (a whole column of 36M bad cells is not 36M objects) those cells' number, so
    every count and message says the true figure.
    """

    file: str
    row: int | None
    column: str | None
    expected: str
    found: str
    severity: Severity = "error"
    table: str | None = None
    customer_id: str | None = None
    period: str | None = None
    count: int = 1

    def __str__(self) -> str:
        place = self.file
        if self.row is not None:
            place += f" row {self.row}"
        if self.column is not None:
            place += f", column {self.column}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{place}: expected {self.expected}, found {self.found}"

    @property
    def kind(self) -> tuple[str, str | None, str]:
        """What groups repeated problems: the same file, column and expectation."""
        return (self.file, self.column, self.expected)


class DataValidationError(AuditkitError):
    """The dataset breaks its contract.

    `.problems` lists every problem found (all errors, not only the first, and the warnings found
    alongside); `.errors` only the errors. The message lists them, a bounded sample per kind.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        self.errors = [problem for problem in self.problems if problem.severity == "error"]
        errors = sum(problem.count for problem in self.errors)
        header = f"the dataset has {errors} error{'s' if errors != 1 else ''}:"
        super().__init__("\n".join([header, *format_problems(self.problems, per_kind=10)]))


def shown_path(path: str | os.PathLike[str]) -> str:
    """A path as text that can be printed: bytes that are not UTF-8 (a folder named in GBK,
    unpacked from a Windows zip) shown as `\\xb3` escapes instead of failing the output."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def format_problems(problems: Iterable[Problem], per_kind: int | None = 20) -> list[str]:
    """One line per problem, at most `per_kind` per (file, column, expectation) plus a count line.

    A mass problem (50,000 rows with the same bad column) stays readable: the first rows are shown,
    then "... and N more rows like this". `per_kind=None` shows every problem.
    """
    lines: list[str] = []
    shown: Counter[tuple[str, str | None, str]] = Counter()
    hidden: Counter[tuple[str, str | None, str]] = Counter()
    for problem in problems:
        if per_kind is None or shown[problem.kind] < per_kind:
            shown[problem.kind] += 1
            lines.append(str(problem))
        else:
            hidden[problem.kind] += problem.count
    for (file, column, expected), count in hidden.items():
        where = f"{file}, column {column}" if column else file
        lines.append(f"... and {count} more rows in {where} (expected {expected})")
    return lines


def count_problems(problems: Iterable[Problem]) -> str:
    """A one-line count of errors and warnings, per table, e.g. `2 errors, 1 warning (bills: ...)`."""
    per_table: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    for problem in problems:
        table = problem.table or problem.file
        per_table.setdefault(table, Counter())[problem.severity] += problem.count
        totals[problem.severity] += problem.count

    def counts(counter: Counter[str]) -> str:
        errors, warnings = counter["error"], counter["warning"]
        return (
            f"{errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
        )

    detail = "; ".join(f"{table}: {counts(counter)}" for table, counter in per_table.items())
    return counts(totals) + (f" ({detail})" if detail else "")


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """The problems as a DataFrame (one row each) for rules, reports and CSV export."""
    records = [asdict(problem) for problem in problems]
    frame = pd.DataFrame.from_records(records, columns=list(PROBLEM_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    return frame

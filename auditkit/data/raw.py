"""A table as read from its file, before typing: the shared shapes of every reader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from auditkit.data.column_typing import shown_cell
from auditkit.data.problems import Problem


@dataclass(frozen=True)
class RowIndex:
    """Maps positions in a loaded table back to the row numbers the user sees in the file.

    `first_row` is the number of the first data row (2 under a header, 1 for Parquet and frames);
    `numbers` is set only when rows were dropped (blank or malformed rows), and then gives the row
    number of every kept row.
    """

    first_row: int
    numbers: np.ndarray | None = None

    def of(self, positions: np.ndarray) -> np.ndarray:
        """Row numbers of the given 0-based positions."""
        if self.numbers is not None:
            return self.numbers[positions]
        return positions + self.first_row


@dataclass(frozen=True)
class RawTable:
    """One table as read: columns named as in the file, values not yet typed. `refused` holds,
    per column index, the positions of cells the reader refused (and named) and left empty: no
    check names them again (a required cell is not also "empty"). `merged_header` holds, per
    column index whose header cell is empty, the merged range covering it (`A1:B1`): a name
    spread across columns holds only in the first, which is what its problem says."""

    data: pa.Table
    rows: RowIndex
    file: str
    format: str
    encoding: str | None = None
    refused: Mapping[int, np.ndarray] = field(default_factory=dict)
    merged_header: Mapping[int, str] = field(default_factory=dict)


class ReadFailure(Exception):
    """Internal signal: the file cannot be read at all; `.problem` says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class ReadProblems(Exception):
    """The file was read, but some rows or cells could not be (rows with a wrong number of
    fields, formulas without a saved result); `.raw` holds the usable rest.

    The caller reports `.problems` and may still check the kept rows, with correct row numbers.
    """

    def __init__(self, raw: RawTable, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} rows or cells not read")
        self.raw = raw
        self.problems = problems


def file_problem(
    path: Path, table: str, expected: str, found: str, row: int | None = None
) -> Problem:
    return Problem(
        file=path.name, row=row, column=None, expected=expected, found=found, table=table
    )


def title_found(title: str, header_row: int, above: str) -> str:
    """What a header row holding only `title` is found to be: a title, and how to get past the
    `above` ("rows" or "lines") over the header, or, with a `header_row` given by columns.yaml,
    whether that is the header's row. The title is shown cut as any cell is (a file's first
    line may be long)."""
    fix = f"delete the {above} above the header, or give its row as columns.yaml's header_row"
    if header_row > 1:
        fix = f"columns.yaml's header_row {header_row}: is that the header's row?"
    return f"a title {shown_cell(title)} in one cell ({fix})"


def title_rows_refused(path: Path, table: str, rows: list[list[object]], header_row: int) -> None:
    """Raise ReadFailure unless each of `rows`, the rows above a header columns.yaml puts at
    row `header_row`, is a title: at most one filled cell (a row of data there would be lost)."""
    for number, row in enumerate(rows, start=1):
        filled = [value for value in row if value is not None and str(value).strip()]
        if len(filled) > 1:
            found = (
                f"a row of {len(filled)} filled cells (columns.yaml's header_row {header_row} "
                "puts the header below it: is that its row?)"
            )
            expected = "a title above the header (one filled cell at most)"
            raise ReadFailure(file_problem(path, table, expected, found, row=number))

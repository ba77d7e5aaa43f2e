"""A findings file `auditkit rules` wrote (findings.parquet, findings.csv), read for a worklist
and held to the findings contract before anything is chosen or written.

The contract is what `auditkit.rules.run` gives (`rules.worklist._finish`): the columns
FINDING_COLUMNS; `rule_id` one of the rule catalog's (`rules.RULES`) and `area` that rule's
area; `severity` one of SEVERITIES; `customer_id` and `district` filled in; `period_from` and
`period_to` months 'YYYY-MM', the first not after the last; `revenue_impact` and `penalty`
numbers of at least 0 (a finding's money is what the utility is owed: never negative), `score`
a number from 0 to 1; `revenue_kind` one of REVENUE_KINDS; `evidence_code` the clauses as JSON;
one row per finding (customer, rule and start period: what its `finding_key` is made of), and a
`finding_key` column, where a file has one, holding that key. A hand-edited file is refused
whole, every problem one line naming the file, row and column, what was expected and what was
found (rows as `auditkit validate` counts them: a CSV's header is row 1, a Parquet file's first
record row 1), so that no sheet is written from a finding the field cannot act on (a rule no one
knows, a row with no account) and none is written half way through the districts.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from auditkit.data.problems import Problem, format_problems, shown_path
from auditkit.errors import AuditkitError, ParameterError, shown
from auditkit.periods import is_period
from auditkit.register.keys import KEY_COLUMNS, finding_key
from auditkit.rules import AREAS, FINDING_COLUMNS, REVENUE_KINDS, RULES

#: Files `auditkit rules` writes; Parquet keeps every value exactly (read first in a folder).
FINDINGS_FILES = ("findings.parquet", "findings.csv")
#: Number columns of a finding: ranked by the worklist and written as money in its sheets.
NUMBER_COLUMNS = ("revenue_impact", "penalty", "score")
#: Text columns of a finding, read as text from a CSV (a customer id `007` stays `007`).
TEXT_COLUMNS = tuple(column for column in FINDING_COLUMNS if column not in NUMBER_COLUMNS)
#: A finding's severity: its rule's (high, medium or low), raised to high from
#: `common.severity_high_yuan` (`rules.worklist`).
SEVERITIES = ("high", "medium", "low")
#: The columns a finding's key is made of (`register.keys`), named together for a repeated row.
_KEY_PARTS = "customer_id, rule_id and period_from"
#: Lines shown per kind of problem (file, column, expectation); the rest are counted.
PER_KIND = 10


class FindingsFileError(AuditkitError, ValueError):
    """A findings file breaks the findings contract. `problems` lists every problem (each a
    `Problem`: file, row, column, expected, found); the message shows PER_KIND of each kind
    and counts the rest."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = sum(problem.count for problem in self.problems)
        header = (
            f"{shown_path(path)}: {count} error{'s' if count != 1 else ''} against the findings "
            "contract (what `auditkit rules` writes, docs/worklist.md); nothing chosen, no sheet "
            "written"
        )
        super().__init__("\n".join([header, *format_problems(self.problems, PER_KIND)]))


def findings_path(path: Path, parameter: str = "FINDINGS") -> Path:
    """The findings file at `path`, or the Parquet (else CSV) file in the folder `path`; a
    ParameterError naming `parameter` when there is none."""
    if path.is_dir():
        present = [path / name for name in FINDINGS_FILES if (path / name).is_file()]
        if not present:
            raise ParameterError(
                parameter, f"a folder holding {' or '.join(FINDINGS_FILES)}", str(path)
            )
        path = present[0]
    if not path.is_file() or path.suffix.lower() not in (".parquet", ".csv"):
        raise ParameterError(
            parameter, "an existing findings .parquet or .csv of `auditkit rules`", str(path)
        )
    return path


def read_findings_file(path: Path, parameter: str = "FINDINGS") -> pd.DataFrame:
    """The findings of the file (or folder, see `findings_path`) at `path`, checked against the
    contract (the module's description): number columns as floats, text as text, a CSV's
    formula guard undone. A FindingsFileError lists every problem; nothing is returned while
    any remains."""
    from auditkit.data.side_csv import read_side_csv
    from auditkit.formulas import undefuse_frame

    path = findings_path(path, parameter)
    if path.suffix.lower() == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except (OSError, ValueError) as error:
            raise ParameterError(
                parameter, "a findings file of `auditkit rules`", f"{path}: {error}"
            ) from None
        rows = np.arange(1, len(frame) + 1)  # no header: row 1 is the first record
        return checked_findings(frame.reset_index(drop=True), path, rows)
    # Saved again by a spreadsheet it may be GBK; one that cannot be read whole names its row.
    # Blank lines are read so that the rows named are the file's, then left out.
    frame = read_side_csv(
        path,
        dtype=dict.fromkeys(TEXT_COLUMNS, str),
        na_filter=False,
        skip_blank_lines=False,
    )
    frame = undefuse_frame(frame)  # the CSV wrote '= for =, and '' for '
    blank = pd.Series(True, index=frame.index)  # a row of empty fields (`,,,`) is no finding
    for column in frame.columns:
        values = frame[column]
        blank &= values.str.strip().eq("") if values.dtype.kind in "OT" else False
    rows = np.flatnonzero(~blank.to_numpy()) + 2  # the header is row 1
    return checked_findings(frame.loc[~blank].reset_index(drop=True), path, rows)


def checked_findings(frame: pd.DataFrame, path: Path, rows: np.ndarray) -> pd.DataFrame:
    """`frame` (read from `path`, its records at the file's `rows`) with NUMBER_COLUMNS as
    floats, or a FindingsFileError listing every cell that breaks the contract."""
    file = str(path)
    problems: list[Problem] = []

    def problem(position: int | None, column: str | None, expected: str, found: str) -> None:
        row = None if position is None else int(rows[position])
        problems.append(Problem(file, row, column, expected, found))

    header = "no such column in the header" if path.suffix.lower() == ".csv" else "no such column"
    for column in FINDING_COLUMNS:
        if column not in frame.columns:
            problem(None, column, f"a column {column}, as `auditkit rules` writes it", header)
    text = {column: _texts(frame[column]) for column in TEXT_COLUMNS if column in frame.columns}
    for column, values in text.items():
        _check_filled(column, values, problem)
    _check_catalog(text, problem)
    for column in ("period_from", "period_to"):
        for position in _positions(text.get(column), lambda value: not is_period(value)):
            problem(position, column, "a month YYYY-MM (01-12)", shown(text[column][position]))
    if "period_from" in text and "period_to" in text:
        for position, (start, end) in enumerate(
            zip(text["period_from"], text["period_to"], strict=True)
        ):
            if is_period(start) and is_period(end) and end < start:
                problem(
                    position, "period_to", "a month on or after the row's period_from",
                    f"{end!r} (period_from is {start!r})",
                )  # fmt: skip
    numbers = {column: _numbers(frame[column], column, problem)
               for column in NUMBER_COLUMNS if column in frame.columns}  # fmt: skip
    if "evidence_code" in text:
        _check_evidence(text["evidence_code"], problem)
    _check_keys(frame, text, rows, problem)
    if problems:
        problems.sort(key=lambda found: (found.row or 0, _order(found.column)))
        raise FindingsFileError(path, problems)
    return frame.assign(**numbers)


def _texts(values: pd.Series) -> list[object]:
    """A column's cells as Python values: text as text, a missing cell as None."""
    return [None if _missing(value) else value for value in values.tolist()]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _positions(values: list[object] | None, bad) -> list[int]:
    """Where `values` holds text for which `bad` is true (blanks are told apart, once)."""
    if values is None:
        return []
    return [
        position
        for position, value in enumerate(values)
        if isinstance(value, str) and value.strip() and bad(value)
    ]


def _check_filled(column: str, values: list[object], problem) -> None:
    """Every cell of a text column is text, and one of a column other than the evidence's
    (which may read empty) holds some: a blank customer_id is a row with no account."""
    for position, value in enumerate(values):
        if value is not None and not isinstance(value, str):
            problem(position, column, "text", shown(value))
        elif column not in ("evidence", "evidence_code") and (value is None or not value.strip()):
            problem(position, column, "a value", "an empty cell")
        elif value is None:
            problem(position, column, "text", "an empty cell")


def _check_catalog(text: dict[str, list[object]], problem) -> None:
    """rule_id names a rule of the catalog and area is its area; severity and revenue_kind are
    of their vocabularies."""
    for position in _positions(text.get("rule_id"), lambda value: value not in RULES):
        problem(
            position,
            "rule_id",
            f"the id of one of the {len(RULES)} audit rules of auditkit "
            "(auditkit.rules.catalog() lists them)",
            shown(text["rule_id"][position]),
        )
    rule_ids = text.get("rule_id")
    for position in _positions(text.get("area"), lambda value: True):
        area = text["area"][position]
        rule = RULES.get(rule_ids[position]) if rule_ids is not None else None
        if rule is not None and area != rule.area:
            problem(
                position,
                "area",
                "the area of the row's rule in the rule catalog",
                f"{area!r} (rule {rule.rule_id} is in {rule.area})",
            )
        elif rule is None and area not in AREAS:
            problem(position, "area", f"one of {', '.join(AREAS)}", shown(area))
    for column, allowed in (("severity", SEVERITIES), ("revenue_kind", REVENUE_KINDS)):
        for position in _positions(text.get(column), lambda value, ok=allowed: value not in ok):
            problem(position, column, f"one of {', '.join(allowed)}", shown(text[column][position]))


def _numbers(values: pd.Series, column: str, problem) -> pd.Series:
    """The column as floats; a cell that is no plain number (a blank, '562,823.15' saved by a
    spreadsheet, words) or out of its range (money below 0, a score outside 0 to 1) named."""
    from auditkit.register.worklist import number_values

    cells = values  # a space no number reads (U+00A0, U+3000) is cut first
    if values.dtype.kind not in "iuf":
        cells = values.map(lambda value: value.strip() if isinstance(value, str) else value)
    numbers, bad = number_values(cells)
    for position in bad:
        value = values.iloc[position]
        found = "an empty cell" if _missing(value) or value == "" else shown(value)
        problem(
            position,
            column,
            "a number (digits and a decimal point, no thousands separators, as `auditkit rules` "
            "writes it)",
            found,
        )
    array = numbers.to_numpy()
    finite = np.isfinite(array)
    if column == "score":
        out = finite & ((array < 0) | (array > 1))
        expected = "a score from 0 to 1"
    else:
        out = finite & (array < 0)
        expected = "an amount of at least 0 (yuan the utility is owed: never negative)"
    for position in np.flatnonzero(out):
        problem(int(position), column, expected, shown(float(array[position])))
    return numbers


def _check_evidence(codes: list[object], problem) -> None:
    """Every finding's evidence reads as the clauses `auditkit rules` wrote: a hand-edited or
    broken row is named before any sheet is written, not half way through them."""
    from auditkit.rules.evidence import render

    for position, code in enumerate(codes):
        if not isinstance(code, str):
            continue  # named already: not text
        try:
            render(json.loads(code), "en")
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            problem(
                position,
                "evidence_code",
                "evidence_code as `auditkit rules` writes it (its clauses as JSON)",
                shown(code if len(code) <= 60 else code[:60] + "…"),
            )


def _check_keys(
    frame: pd.DataFrame, text: dict[str, list[object]], rows: np.ndarray, problem
) -> None:
    """One row per finding: a customer, rule and start period given twice is one finding
    twice (one key, one row of the sheet, one outcome); a `finding_key` column, where the file
    has one, holds each row's key."""
    if not all(column in text for column in KEY_COLUMNS):
        return
    first: dict[str, int] = {}
    keys = []
    for position, parts in enumerate(zip(*(text[column] for column in KEY_COLUMNS), strict=True)):
        if not all(isinstance(part, str) and part.strip() for part in parts):
            keys.append(None)
            continue  # named already: no value
        key = finding_key(*parts)
        keys.append(key)
        if key in first:
            problem(
                position,
                _KEY_PARTS,
                "each finding once: one row per customer, rule and start period",
                f"the finding of row {rows[first[key]]} again (finding_key {key})",
            )
        else:
            first[key] = position
    if "finding_key" in frame.columns:
        for position, (given, key) in enumerate(
            zip(_texts(frame["finding_key"]), keys, strict=True)
        ):
            if key is not None and given != key:
                problem(
                    position,
                    "finding_key",
                    f"the key of the row's {_KEY_PARTS}",
                    f"{shown(given) if given is not None else 'an empty cell'} (their key is {key})",
                )


def _order(column: str | None) -> int:
    """Problems of a row in the file's column order (the key columns' last)."""
    if column in FINDING_COLUMNS:
        return FINDING_COLUMNS.index(column)
    return len(FINDING_COLUMNS)

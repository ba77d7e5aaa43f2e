"""The inspections table `auditkit sample evaluate --inspections` writes: a new CSV file, or with
`append` the sheet's rows added to an inspections table already there, never written over.

A file already there holds inspections recorded before (a dataset's `inspections.csv`, an earlier
sheet's): without `append` it is refused. With `append` its rows are kept as they are, text for
text, and the sheet's rows are added after them; a row the file already records (the same unit,
sample_no, audit kind and auditing district, with the same findings) is not added again, so
evaluating the same sheet twice records it once, and one it records with other findings (the
sheet corrected since) is refused naming both: which one holds is the team's call, not the
program's. The file is rewritten whole under a temporary name, then renamed.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from auditkit.atomic import write_bytes_atomic
from auditkit.errors import ParameterError
from auditkit.formulas import csv_bytes, csv_text, defuse_frame
from auditkit.sampling.fieldsheet import AMOUNT_TOLERANCE, NO, YES

#: The columns every inspections table has (docs/data.md): a file to append to must have them.
REQUIRED = ("customer_id", "inspected_at", "audit_kind", "auditing_district", "error_found")
#: What an inspection found: the columns compared when a row's unit is already in the file.
FINDINGS = ("inspected_at", "error_found", "book_value", "audited_value", "times", "note")
NUMBERS = ("book_value", "audited_value", "times")


@dataclass(frozen=True)
class Written:
    """What `write_inspections` did: rows added, rows the file already recorded, rows in all."""

    path: Path
    added: int
    recorded: int
    total: int
    appended: bool


def check_inspections_path(path: str | Path, append: bool, name: str = "--inspections") -> Path:
    """`path` as a file the inspections may be written to, or a ParameterError naming `name`
    (checked before the sheet is read): a file name ending in .csv, where there is no file yet,
    or, with `append`, an inspections table no office program has open."""
    from auditkit.workbooks import refuse_if_open

    target = Path(path)
    if target.suffix.lower() != ".csv":
        raise ParameterError(name, "a file name ending in .csv", str(path))
    if not target.exists():
        return target
    if not target.is_file():
        raise ParameterError(name, "a file name ending in .csv", f"{target}, a folder")
    if not append:
        raise ParameterError(
            name,
            "a new file, or --append to add the sheet's inspections to the table already there",
            f"{target}, which exists ({_rows_said(target)}): nothing is written over; give "
            "--append to add to it, or another file name",
        )
    refuse_if_open(target, name, "an inspections table open in no office program")
    return target


def write_inspections(
    path: str | Path, inspections: pd.DataFrame, append: bool, name: str = "--inspections"
) -> Written:
    """Write `inspections` (`FieldResults.inspections`) to `path`: a new file, or with `append`
    added to the table there (see the module). Every refusal is a ParameterError naming `name`,
    and leaves the file as it was."""
    target = check_inspections_path(path, append, name)
    if not target.exists():
        write_bytes_atomic(target, csv_bytes(inspections))
        return Written(target, len(inspections), 0, len(inspections), appended=False)
    existing = _existing_table(target, name)
    new = _as_written(inspections)
    if (new["customer_id"].str.strip() == "").any():
        raise ParameterError(
            name,
            "a field sheet whose rows name their customer_id, to append to an inspections table "
            "(its customer_id is required)",
            "rows without a customer_id (a population without customer_id): write them to a "
            "new file instead",
        )
    key = [column for column in new.columns if column not in FINDINGS]
    recorded: dict[tuple[str, ...], list[int]] = {}
    for position, values in enumerate(_column_values(existing, key)):
        recorded.setdefault(values, []).append(position)
    added, again, conflicts = [], 0, []
    for position, values in enumerate(_column_values(new, key)):
        matches = recorded.get(values, [])
        if not matches:
            added.append(position)
        elif any(_same_findings(existing.iloc[m], new.iloc[position]) for m in matches):
            again += 1
        else:
            conflicts.append((matches[0], position))
    if conflicts:
        raise ParameterError(
            name,
            "an inspections table that records the sheet's rows with the same findings or not "
            "at all",
            _conflict_said(target, existing, new, key, conflicts),
        )
    columns = [*existing.columns, *(c for c in new.columns if c not in existing.columns)]
    table = pd.concat(
        [existing.reindex(columns=columns), new.iloc[added].reindex(columns=columns)],
        ignore_index=True,
    ).fillna("")
    table.columns = [str(column) for column in table.columns]
    # Both parts are already as a CSV holds them (the new rows' formulas defused): written as is.
    write_bytes_atomic(target, csv_text(table).encode("utf-8-sig"))
    return Written(target, len(added), again, len(table), appended=True)


def auditing_districts(path: str | Path, name: str = "--inspections") -> set[str]:
    """The districts the inspections table at `path` records as auditing (blank cells left
    out): the districts of the utility, as each audits its own customers. A table that cannot
    be read is a ParameterError naming `name` (`_existing_table`)."""
    column = _existing_table(Path(path), name)["auditing_district"].str.strip()
    return set(column[column != ""])


def _rows_said(path: Path) -> str:
    """How many rows the table at `path` holds, for a message ('21 rows')."""
    from auditkit.data.side_csv import SideTableError

    try:
        table = _read_text_table(path)
    except (SideTableError, OSError):
        return "not readable as a CSV table"
    return f"{len(table):,} row{'' if len(table) == 1 else 's'}"


def _read_text_table(path: Path) -> pd.DataFrame:
    """Every cell of the CSV at `path` as the text it holds ('' for an empty one), decoded as
    the dataset reader decodes an export, each row labelled with its row number as a
    spreadsheet shows it (the header row 1), empty lines left out."""
    from auditkit.data.side_csv import read_side_csv

    table = read_side_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
    table = table.fillna("")  # an empty line's cells
    table.index = pd.RangeIndex(2, 2 + len(table))
    return table[(table.apply(lambda column: column.str.strip()) != "").any(axis=1)]


def _existing_table(path: Path, name: str) -> pd.DataFrame:
    """The inspections table at `path`, every cell as its text; a ParameterError naming `name`
    when it cannot be read whole, names a column twice or lacks a column of REQUIRED."""
    from auditkit.data.side_csv import SideTableError, read_side_csv

    expected = "an inspections table to append to, with the columns " + ", ".join(REQUIRED)
    try:
        table = _read_text_table(path)
        header = read_side_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False)
    except SideTableError as error:
        raise ParameterError(name, expected, f"{error}") from None
    names = list(header.iloc[0]) if len(header) else []
    twice = sorted({column for column in names if names.count(column) > 1})
    if twice:
        raise ParameterError(name, expected, f"{path} whose header names {', '.join(twice)} twice")
    missing = [column for column in REQUIRED if column not in table.columns]
    if missing:
        raise ParameterError(
            name,
            expected,
            f"{path} without {', '.join(missing)} (its columns: {', '.join(table.columns)}): "
            "is it the inspections table?",
        )
    return table


def _as_written(inspections: pd.DataFrame) -> pd.DataFrame:
    """`inspections` as the text each cell will hold in the file (dates as YYYY-MM-DD, text
    that looks like a formula defused), read back as `_read_text_table` reads the file."""
    text = csv_text(defuse_frame(inspections))
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _column_values(table: pd.DataFrame, columns: Sequence[str]) -> list[tuple[str, ...]]:
    """Each row's texts in `columns` ('' where `table` has no such column), spaces trimmed."""
    values = [
        table[column].str.strip() if column in table.columns else pd.Series("", index=table.index)
        for column in columns
    ]
    return list(zip(*values, strict=True)) if values else [() for _ in range(len(table))]


def _same_findings(recorded: pd.Series, new: pd.Series) -> bool:
    """Whether the file's row `recorded` says what `new` says in every column of FINDINGS."""
    return all(
        _same(column, str(recorded.get(column, "")), str(new.get(column, "")))
        for column in FINDINGS
    )


def _same(column: str, one: str, other: str) -> bool:
    """Whether two texts of `column` say the same: amounts to half a fen, a flag in any of its
    spellings, a day in any form of it; text as written."""
    one, other = one.strip(), other.strip()
    if one == other:
        return True
    if column in NUMBERS:
        try:
            first, second = float(one.replace(",", "")), float(other.replace(",", ""))
        except ValueError:
            return False
        return math.isclose(first, second, abs_tol=AMOUNT_TOLERANCE)
    if column == "error_found":
        flags = {_flag(one), _flag(other)}
        return len(flags) == 1 and None not in flags
    if column == "inspected_at":
        try:
            return pd.Timestamp(one).normalize() == pd.Timestamp(other).normalize()
        except ValueError:
            return False
    return False


def _flag(text: str) -> bool | None:
    """An error flag's text as True or False (any spelling a field sheet takes), else None."""
    word = unicodedata.normalize("NFKC", text).strip().lower()
    return True if word in YES else False if word in NO else None


def _conflict_said(
    path: Path,
    existing: pd.DataFrame,
    new: pd.DataFrame,
    key: Sequence[str],
    conflicts: Sequence[tuple[int, int]],
) -> str:
    """The first row the file records with other findings than the sheet, as a message."""
    at, position = conflicts[0]
    recorded, given = existing.iloc[at], new.iloc[position]
    unit = ", ".join(f"{column} {given[column]!r}" for column in key if given[column] != "")
    differ = "; ".join(
        f"{column} {str(recorded.get(column, ''))!r} there, {str(given.get(column, ''))!r} on "
        "the sheet"
        for column in FINDINGS
        if not _same(column, str(recorded.get(column, "")), str(given.get(column, "")))
    )
    more = f" ({len(conflicts):,} such rows)" if len(conflicts) > 1 else ""
    return (
        f"{path} row {existing.index[at]}, which records {unit} with other findings ({differ}){more}: "
        "nothing is written; correct the sheet or the file, or write to another file"
    )

"""A dataset folder or in-memory frames → typed, checked tables and every problem (an `Intake`).

One pipeline for every source: locate the table files, apply columns.yaml, read, type every
column, then check keys, references and consistency. Every problem is collected before anything
is decided, so a user sees all of them at once; `Dataset.from_intake` then builds the Dataset or
raises.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from auditkit.data.cell_forms import apply_forms
from auditkit.data.column_typing import EXACT_DIGITS_LIMIT, INEXACT_TEXT, header_name, shown_in
from auditkit.data.consistency import check_tables
from auditkit.data.encoding import Encoding, agreed_encoding
from auditkit.data.entries import not_a_regular_file
from auditkit.data.frames import TypedTable, is_title, type_table
from auditkit.data.guarded_text import unguarded
from auditkit.data.mapping import (
    HEADER_ROW,
    ColumnsFile,
    apply_mapping,
    read_columns,
)
from auditkit.data.problems import Problem, shown_path
from auditkit.data.readers import (
    FORMATS,
    RawTable,
    ReadFailure,
    ReadProblems,
    RowIndex,
    read_table,
)
from auditkit.data.schema import TABLES
from auditkit.errors import require_type
from auditkit.workbooks import LockFile, lock_file, lock_said, open_locks, open_said

# Files skipped unseen: hidden ones and, past `lock_file`, whatever else starts like a lock file.
_IGNORED_PREFIXES = (".", "~$")
#: What a warning of `_lock_warnings` expects: an office program's lock file is skipped, and a
#: table's file open in one is read as last saved. `auditkit rules` repeats these on stderr.
LOCK_SKIPPED = "a table file, not the lock file an office program keeps (skipped)"
TABLE_CLOSED = "a table file no office program has open"
#: What to do once a workbook open in an office program is saved and closed.
_THEN = "read the dataset again"
# Suffixes of files that hold tables: one under an unknown name is refused, not skipped.
_TABLE_SUFFIXES = frozenset((*FORMATS, ".xls", ".xlsm", ".tsv"))
_OLD_FORMATS = {".xls": "an old Excel format: save it as .xlsx", ".txt": "not a .csv file name"}
#: Suffixes of notes, documents and pictures: one under a table's name holds no rows of it.
_NOTES_SUFFIXES = frozenset(
    (".md", ".pdf", ".doc", ".docx", ".rtf", ".png", ".jpg", ".jpeg", ".html")
)


@dataclass(frozen=True)
class TableSource:
    """Where a table came from: file name, format (csv/xlsx/parquet/frame) and text encoding."""

    file: str
    format: str
    encoding: str | None = None


@dataclass
class Intake:
    """Typed tables, where they came from, and every problem found on the way to a Dataset."""

    tables: dict[str, TypedTable] = field(default_factory=dict)
    sources: dict[str, TableSource] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(problem.severity == "error" for problem in self.problems)


def type_frames(tables: Mapping[str, pd.DataFrame], check: bool = True) -> Intake:
    """Type (and with `check`, check) in-memory frames exactly like files (rows numbered from 1
    in each frame)."""
    require_type(tables, Mapping, "tables", "a mapping of table name → DataFrame")
    outcome = Intake()
    for name in tables:
        if name not in TABLES:
            outcome.problems.append(
                Problem(name, None, None, f"a table name ({', '.join(TABLES)})", "an unknown table")
            )
    for name, spec in TABLES.items():
        frame = tables.get(name)
        if frame is None:
            if spec.required:
                outcome.problems.append(
                    Problem(
                        name, None, None, "a DataFrame for this required table", "none", table=name
                    )
                )
            continue
        require_type(frame, pd.DataFrame, f"tables[{name!r}]", f"the {name} table (a DataFrame)")
        file = f"{name} (DataFrame)"
        data, refused, problems = _arrow_table(frame, name, file)
        outcome.problems.extend(problems)
        _type_into(
            outcome, name, RawTable(data, RowIndex(first_row=1), file, "frame", refused=refused)
        )
    if check:
        outcome.problems.extend(check_tables(outcome.tables))
    return outcome


def read_folder(folder: Path, check: bool = True) -> Intake:
    """Read and type every table file of `folder` (with `check`, check keys, references and kWh
    too), collecting every problem."""
    outcome = Intake()
    files, columns = locate_folder(folder, outcome.problems)
    dataset_encoding = functools.cache(functools.partial(agreed_encoding, list(files.values())))
    for name, path in files.items():
        _read_into(outcome, name, path, columns, dataset_encoding)
    if check:
        outcome.problems.extend(check_tables(outcome.tables))
    return outcome


def locate_folder(folder: Path, problems: list[Problem]) -> tuple[dict[str, Path], ColumnsFile]:
    """The file of each table of `folder` and what its columns.yaml says; appends to `problems`
    a missing folder, a required table absent, a table in two files, columns.yaml mistakes and
    a header row given for a Parquet file (which has none)."""
    if not folder.is_dir():
        found = "a file, not a folder" if folder.exists() else "no such folder"
        problems.append(Problem(shown_path(folder), None, None, "a dataset folder", found))
        return {}, ColumnsFile()
    locks: list[LockFile] = []
    files = _locate_tables(folder, problems, locks)
    problems.extend(_lock_warnings(files, locks))
    columns, mapping_problems = read_columns(folder)
    problems.extend(mapping_problems)
    for name, row in columns.header_rows.items():
        if name in files and files[name].suffix.lower() == ".parquet":
            found = f"{HEADER_ROW} {row} for {files[name].name}, which has no header row"
            problems.append(
                Problem(
                    f"{columns.file} [{name}]",
                    None,
                    None,
                    f"{HEADER_ROW} only for a CSV or .xlsx file",
                    found,
                    table=name,
                )
            )
    return files, columns


def _locate_tables(folder: Path, problems: list[Problem], locks: list[LockFile]) -> dict[str, Path]:
    """The file of each table present (names matched case-insensitively), in contract order,
    and each office program's lock file skipped appended to `locks`; a problem for a required
    table absent, any table given only in a format not read (.xls), a
    table's name given to what is no file to read (`not_a_regular_file`: never taken for an
    absent table) and any file that would be left unread though it may hold a table's rows
    (`_stray_file`). A table's name on notes, a document or a picture (tariffs.md,
    work_orders.pdf) is left alone, as every notes file is; on any other format (.et, .ods,
    .json, .gz) it is a table in a format not read."""
    candidates: dict[str, list[Path]] = {name: [] for name in TABLES}
    unsupported: dict[str, list[Path]] = {name: [] for name in TABLES}
    unreadable: set[str] = set()
    for entry in sorted(folder.iterdir()):
        lock = lock_file(entry)
        if lock is not None:
            locks.append(lock)
            continue
        if entry.name.startswith(_IGNORED_PREFIXES):
            continue
        stem, suffix = entry.stem.lower(), entry.suffix.lower()
        if stem in TABLES and suffix in _TABLE_SUFFIXES:
            found = not_a_regular_file(entry, (suffix,), "its table's format")
            if found is not None:
                expected = "a readable regular file"
                problems.append(
                    Problem(shown_path(entry.name), None, None, expected, found, table=stem)
                )
                unreadable.add(stem)
                continue
        if entry.is_dir() and entry.name.lower() in TABLES:  # parts in a folder: not read
            expected = f"the table {entry.name.lower()} as one file, not a folder of parts"
            found = f"a folder {shown_path(entry.name)} (join its parts into one file)"
            problems.append(
                Problem(
                    shown_path(entry.name), None, None, expected, found, table=entry.name.lower()
                )
            )
            continue
        if entry.is_dir():
            continue
        if stem in TABLES and suffix in FORMATS:
            candidates[stem].append(entry)
        elif stem in TABLES and suffix not in _NOTES_SUFFIXES:
            unsupported[stem].append(entry)
        elif stem not in TABLES:
            stray = _stray_file(entry)
            if stray is not None:
                problems.append(stray)
    files: dict[str, Path] = {}
    for name, spec in TABLES.items():
        found = candidates[name]
        if len(found) > 1 or (found and unsupported[name]):  # bills.csv beside bills.xls too
            names = " and ".join(path.name for path in sorted(found + unsupported[name]))
            problems.append(Problem(name, None, None, "one file per table", names, table=name))
        elif found:
            files[name] = found[0]
        elif name in unreadable:  # named above: given, not absent
            continue
        elif spec.required or unsupported[name]:  # an optional table given unreadable is no absence
            others = ", ".join(
                f"{path.name} ({_OLD_FORMATS.get(path.suffix.lower(), 'an unsupported format')})"
                for path in unsupported[name]
            )
            expected = f"a file {name}.csv, {name}.xlsx or {name}.parquet in {shown_path(folder)}"
            problems.append(
                Problem(name, None, None, expected, others or "no such file", table=name)
            )
    return files


def _lock_warnings(files: Mapping[str, Path], locks: list[LockFile]) -> list[Problem]:
    """A warning for each table's file an office program has open (`open_locks`: read as last
    saved, without the edits not saved yet) and for each other lock file skipped (`lock_said`:
    whose it is, or that its program stopped without removing it). A lock file beside a table's
    file is named by that table's warning alone."""
    warnings, beside_tables = [], set()
    for name, path in files.items():
        held = open_locks(path)
        beside_tables.update(lock.path.name for lock in held)
        if held:
            found = (
                f"{open_said(held)}: read as last saved, WITHOUT the edits not saved yet (save "
                f"and close it, then {_THEN})"
            )
            shown = shown_path(path.name)
            warnings.append(Problem(shown, None, None, TABLE_CLOSED, found, "warning", name))
    for lock in locks:
        if lock.path.name not in beside_tables:
            found = lock_said(lock, _THEN)
            shown = shown_path(lock.path.name)
            warnings.append(Problem(shown, None, None, LOCK_SKIPPED, found, "warning"))
    return warnings


def folder_lock_warnings(folder: Path) -> list[Problem]:
    """The lock-file warnings of dataset folder `folder` (`_lock_warnings`) without reading a
    table, for a command that reads the folder elsewhere (in a kernel, while converting) to say
    them where its user looks; none for what is no folder (its reader names that)."""
    if not folder.is_dir():
        return []
    locks: list[LockFile] = []
    files = _locate_tables(folder, [], locks)
    return _lock_warnings(files, locks)


def lock_warnings_of(problems: Iterable[Problem]) -> list[Problem]:
    """The warnings of `problems` about office programs' lock files (`_lock_warnings`), for a
    command that prints no other warning to say them all the same."""
    return [problem for problem in problems if problem.expected in (LOCK_SKIPPED, TABLE_CLOSED)]


def _stray_file(entry: Path) -> Problem | None:
    """An error for a file that is no table's file but may hold table rows: a name starting with
    a table's (`bills_2.csv`, `bills (2).csv`, `bills-202402.csv`, `bills.csv.gz`: a table split
    over files or compressed), or a table format under an unknown name (`电费明细.csv`). Read as
    absent, its rows would be missing from every check and finding (false unbilled accounts)."""
    lowered = entry.name.lower()
    table = max((name for name in TABLES if lowered.startswith(name)), key=len, default=None)
    if table is not None:
        expected = (
            f"one file per table, named {table}.csv, {table}.xlsx or {table}.parquet (join "
            f"the parts into one file, or move this one out of the folder)"
        )
        found = f"a file whose name starts with {table}, not read ({table} split over files?)"
        return Problem(shown_path(entry.name), None, None, expected, found, table=table)
    if any(suffix.lower() in _TABLE_SUFFIXES for suffix in entry.suffixes):
        expected = (
            "table files named after their table (customers.csv, bills.csv, ...: rename it, or "
            "move it out of the folder)"
        )
        found = "a file of no known table, not read"
        return Problem(shown_path(entry.name), None, None, expected, found)
    return None


def _read_into(
    outcome: Intake,
    name: str,
    path: Path,
    columns: ColumnsFile,
    dataset_encoding: Callable[[], Encoding | None],
) -> None:
    spec = TABLES[name]
    mapping = columns.mapping
    table_mapping = mapping.get(name, {})

    def column_of(file_column: str) -> str:
        return table_mapping.get(file_column, file_column)

    def kind_of(file_column: str) -> str | None:
        canonical = column_of(file_column)
        return spec.column(canonical).kind if canonical in spec.column_names else None

    refused_rows = 0
    try:
        header_row = columns.header_rows.get(name, 1)
        raw = read_table(path, name, kind_of, header_row, column_of, dataset_encoding)
    except ReadFailure as failure:
        outcome.problems.append(failure.problem)
        return
    except OSError as error:  # unreadable: permissions, a vanished network share ...
        outcome.problems.append(
            Problem(path.name, None, None, "a readable file", str(error), table=name)
        )
        return
    except ReadProblems as partly:
        raw = partly.raw
        if not is_title(raw.data.column_names):  # under a title its error alone (typing) says it:
            outcome.problems.extend(partly.problems)  # cells would be named after the title
        if raw.data.num_rows == 0:  # none kept: each data row its problems name was left out
            named = {problem.row for problem in partly.problems if problem.row is not None}
            refused_rows = sum(1 for row in named if row >= raw.rows.first_row)
    renamed, mapping_problems = apply_mapping(name, raw.data.column_names, mapping, columns.file)
    if not is_title(raw.data.column_names):  # a title row: its one error says it (typing)
        outcome.problems.extend(mapping_problems)
    raw = unguarded(replace(raw, data=raw.data.rename_columns(renamed)), name)
    raw, form_problems = apply_forms(raw, name, columns.forms.get(name, {}))
    outcome.problems.extend(form_problems)
    outcome.sources[name] = TableSource(raw.file, raw.format, raw.encoding)
    _type_into(outcome, name, raw, refused_rows)


def _type_into(outcome: Intake, name: str, raw: RawTable, refused_rows: int = 0) -> None:
    typed, problems = type_raw(name, raw, refused_rows)
    outcome.problems.extend(problems)
    if typed is None:
        return
    outcome.tables[name] = typed
    outcome.sources.setdefault(name, TableSource(raw.file, raw.format))


def type_raw(
    name: str, raw: RawTable, refused_rows: int = 0
) -> tuple[TypedTable | None, list[Problem]]:
    """Table `name` typed as the loader types it, with its problems: every cell's, and a
    required table without rows (`convert` types a large table so, one batch of rows at a time:
    only the last batch of an empty file is empty). `refused_rows` counts the file's rows the
    reader left out, each named by a problem of its own: a table is then not said to have none."""
    spec = TABLES[name]
    typed, problems = type_table(raw, spec)
    if typed is not None and spec.required and typed.frame.empty:
        found = "no rows"
        if refused_rows:
            plural = "s" if refused_rows > 1 else ""
            found = f"{refused_rows:,} row{plural}, none read (each refused: see its error)"
        problems.append(Problem(raw.file, None, None, "at least one data row", found, table=name))
    return typed, problems


def _arrow_table(
    frame: pd.DataFrame, table: str, file: str
) -> tuple[pa.Table, dict[int, np.ndarray], list[Problem]]:
    """A DataFrame of `table` as Arrow columns, the positions per column index of the cells
    refused, and their problems. A column of pandas Periods is written as text as they print
    (`2024-01`, `2024-01-15` for a day). Object columns of mixed types are written as text, a
    float as a column of floats writes it (`_mixed_text`); in a text column a float past 15
    digits is refused as a column of floats refuses it (`pd.read_excel` gives a 22-digit id
    typed as a number so). Column names are read as a file's header is (`header_name`: a name
    pasted with a zero-width space is the column's), and kept when two become one, so that the
    header's checks name both."""
    spec = TABLES[table]
    names = [header_name(str(name)) for name in frame.columns]
    columns: list[pa.Array] = []
    refused: dict[int, np.ndarray] = {}
    problems: list[Problem] = []
    for index, name in enumerate(names):
        series = frame.iloc[:, index]
        if isinstance(series.dtype, pd.PeriodDtype):  # Arrow would write its ordinals: 636
            # as each prints (str), formatted by pandas at once, not one Period object per cell
            columns.append(pa.array(series.astype("string"), pa.string(), from_pandas=True))
            continue
        try:
            columns.append(pa.array(series, from_pandas=True))
            continue
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
        text = name in spec.column_names and spec.column(name).kind == "text"
        cells, inexact = [], []
        for position, value in enumerate(series):
            if text and isinstance(value, float) and not _exact_as_text(value):
                inexact.append(position)
                problems.append(
                    Problem(
                        file,
                        position + 1,
                        name,
                        INEXACT_TEXT,
                        shown_in(name, str(value)),
                        table=table,
                    )
                )
                cells.append(None)
            else:
                cells.append(_mixed_text(value))
        columns.append(pa.array(cells, pa.string()))
        if inexact:
            refused[index] = np.asarray(inexact)
    return pa.Table.from_arrays(columns, names=names), refused, problems


def _exact_as_text(value: float) -> bool:
    """Whether a float stands for the text it writes: of at most 15 digits, or NaN (a missing
    cell, as a column of floats reads it: `_inexact_as_text`)."""
    return math.isnan(value) or abs(value) < EXACT_DIGITS_LIMIT


def _mixed_text(value: object) -> str | None:
    """A cell of a column of mixed types as text: a whole float without `.0`, as a column of
    floats writes it (an account number stays `3100012345`)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < EXACT_DIGITS_LIMIT:
        return str(int(value))
    return None if pd.isna(value) else str(value)

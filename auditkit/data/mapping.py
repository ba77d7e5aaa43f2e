"""`columns.yaml`: a utility's own column names (often Chinese, e.g. 户号, 倍率) → canonical names,
and how the file writes a column's values where that differs from the contract.

The file holds one mapping per table, from the file's column name to the canonical one, or to
`{column: canonical name, format: ..., values: {...}}` (a `CellForm`: a period or date layout
such as `YYYYMM` or `YYYY年M月D日`, a map of coded values such as 实抄 → actual, digit groups and a
currency sign in a number); beside the tables, `header_row` gives the row of a table's header
where titles sit above it. Every mistake in it (an unknown table, a target that is not a
canonical column, a source column missing from the file, two sources for one target, an option
unknown or not for that column, a header row that is no row) is reported naming columns.yaml,
the table and the column, because a silently ignored mapping would look like a missing column
later. Every key, and every value of a `values` map, is the text written: YAML 1.1 would read a
column `0123` as 83 and a code `no` as False, so a cell `False` would map and the cell `no` not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from auditkit import yamlsafe
from auditkit.data.column_typing import header_name, shown_cell
from auditkit.data.encoding import EncodingFailure, sniff_encoding
from auditkit.data.entries import not_a_regular_file
from auditkit.data.problems import Problem
from auditkit.data.schema import TABLES

MAPPING_FILE = "columns.yaml"
#: The names a mapping file goes by, compared case-insensitively (`Columns.yml` as saved on
#: Windows): one silently not read would look like missing columns later.
MAPPING_NAMES = ("columns.yaml", "columns.yml")
#: What a link named columns.yaml may lead to: a file named as YAML (`entries.not_a_regular_file`).
MAPPING_SUFFIXES = (".yaml", ".yml")
#: The most bytes of columns.yaml. A mapping of every table's every column with coded values is a
#: few kilobytes; PyYAML parses about half a megabyte a second (1.1 MB of mapping in 2.4 s), so a
#: link to a large file is refused before it is parsed, not read for minutes.
MAPPING_BYTES = 1_000_000

ColumnMapping = dict[str, dict[str, str]]

#: The layouts columns.yaml may give a period or date column, by kind: each layout's pattern, its
#: fields named year, month and day (month and day of one or two digits where the layout says
#: M or D). The contract's own layout is always accepted too.
LAYOUTS: dict[str, dict[str, str]] = {
    "period": {
        "YYYY-MM": r"^(?P<year>\d{4})-(?P<month>\d{2})$",
        "YYYYMM": r"^(?P<year>\d{4})(?P<month>\d{2})$",
        "YYYY年M月": r"^(?P<year>\d{4})年(?P<month>\d{1,2})月$",
        "YYYY/M": r"^(?P<year>\d{4})/(?P<month>\d{1,2})$",
    },
    "date": {
        "YYYY-MM-DD": r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})$",
        "YYYYMMDD": r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$",
        "YYYY/M/D": r"^(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})$",
        "YYYY年M月D日": r"^(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日$",
    },
}
_OPTIONS = ("column", "format", "values", "thousands", "currency")
#: The digit-group separator a number column may be given (`3,767.23`).
THOUSANDS = ","


@dataclass(frozen=True)
class CellForm:
    """How a file writes a column's values, from columns.yaml: `layout`, a key of LAYOUTS for
    the column's kind; `values`, the file's spelling of a coded value → the contract's; for a
    number, `thousands` (digits grouped by THOUSANDS) and `currency` (a leading ¥ or a
    trailing 元)."""

    layout: str | None = None
    values: Mapping[str, str] | None = None
    thousands: bool = False
    currency: bool = False


#: Per table, per canonical column, the form its values are written in (columns given one).
CellForms = dict[str, dict[str, CellForm]]
#: columns.yaml's key, beside the tables, for the row of each table's header (titles above it).
HEADER_ROW = "header_row"
#: The lowest a header may sit: exports put one to a few title lines above it.
MAX_HEADER_ROW = 100


@dataclass(frozen=True)
class ColumnsFile:
    """What columns.yaml says: names per table, cell forms per table and column, and the row of
    a table's header where titles sit above it (row 1 otherwise); `file` is its name as found
    (`Columns.yml`), for problems to name it."""

    mapping: ColumnMapping = field(default_factory=dict)
    forms: CellForms = field(default_factory=dict)
    header_rows: dict[str, int] = field(default_factory=dict)
    file: str = MAPPING_FILE


class _ColumnsLoader(yamlsafe.TextKeysLoader):
    """columns.yaml's YAML: keys (tables, column names, options, the codes a `values` map
    names) and the contract's values those codes map to are built as the text written; the
    other settings (`header_row`'s rows, `currency`) keep YAML's numbers and booleans."""

    def compose_document(self) -> yaml.Node:
        document = super().compose_document()
        for values in _values_maps(document):
            values.value[:] = [(code, yamlsafe.as_text(meant)) for code, meant in values.value]
        return document


def _values_maps(document: yaml.Node) -> list[yaml.MappingNode]:
    """The `values` maps of `document`'s columns: table → file column → options → values."""
    if not isinstance(document, yaml.MappingNode):
        return []
    return [
        values
        for table, columns in document.value
        if table.value != HEADER_ROW and isinstance(columns, yaml.MappingNode)
        for _, options in columns.value
        if isinstance(options, yaml.MappingNode)
        for option, values in options.value
        if option.value == "values" and isinstance(values, yaml.MappingNode)
    ]


def read_columns(folder: Path) -> tuple[ColumnsFile, list[Problem]]:
    """What the columns.yaml of the dataset in `folder` says (nothing when there is none), with
    every mistake found in it: named in any case, `.yaml` or `.yml` (`MAPPING_NAMES`), and
    problems name it as found; two such files are an error, neither read."""
    found = sorted(entry for entry in folder.iterdir() if entry.name.lower() in MAPPING_NAMES)
    if len(found) > 1:
        names = " and ".join(path.name for path in found)
        expected = f"one column mapping file ({' or '.join(MAPPING_NAMES)}, in any case)"
        return ColumnsFile(), [_problem(None, None, expected, f"{names} (delete all but one)")]
    if not found:
        return ColumnsFile(), []
    columns, problems = _read_columns_file(found[0])
    if found[0].name == MAPPING_FILE:
        return columns, problems
    named = [
        replace(problem, file=found[0].name + problem.file[len(MAPPING_FILE) :])
        for problem in problems
    ]
    return replace(columns, file=found[0].name), named


def _read_columns_file(path: Path) -> tuple[ColumnsFile, list[Problem]]:
    """What the mapping file at `path` says, with every mistake found in it."""
    found = not_a_regular_file(path, MAPPING_SUFFIXES, "YAML")
    if found is not None:
        return ColumnsFile(), [_problem(None, None, "a readable regular file", found)]
    size = path.stat().st_size
    if size > MAPPING_BYTES:
        expected = f"a column mapping of at most {MAPPING_BYTES:,} bytes"
        return ColumnsFile(), [_problem(None, None, expected, f"{size:,} bytes")]
    try:
        text = path.read_bytes().decode(sniff_encoding(path).codec).lstrip("\ufeff")
        document = yamlsafe.safe_load(text, _ColumnsLoader)
    except EncodingFailure as failure:
        return ColumnsFile(), [
            _problem(None, None, failure.expected, failure.found, row=failure.row)
        ]
    except yamlsafe.RefusedYAMLError as refused:
        return ColumnsFile(), [
            _problem(None, None, refused.expected, refused.found, row=refused.line)
        ]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        found = getattr(error, "problem", None) or str(error)
        return ColumnsFile(), [
            _problem(None, None, "valid YAML", f"a syntax error ({found})", row=row)
        ]
    if document is None:
        return ColumnsFile(), []
    if not isinstance(document, dict):
        expected = "a mapping of table names to column mappings"
        return ColumnsFile(), [
            _problem(None, None, expected, f"{type(document).__name__} {shown_cell(document)}")
        ]
    mapping: ColumnMapping = {}
    forms: CellForms = {}
    header_rows: dict[str, int] = {}
    problems: list[Problem] = []
    for table, columns in document.items():
        if table == HEADER_ROW:
            header_rows, header_problems = _header_rows(columns)
            problems.extend(header_problems)
            continue
        table_mapping, table_forms, table_problems = _table_mapping(str(table), columns)
        problems.extend(table_problems)
        if table_mapping:
            mapping[str(table)] = table_mapping
        if table_forms:
            forms[str(table)] = table_forms
    return ColumnsFile(mapping, forms, header_rows), problems


def _header_rows(rows: object) -> tuple[dict[str, int], list[Problem]]:
    """`header_row: {table: row}`: the row of each table's header, below a title."""
    if not isinstance(rows, dict):
        expected = f"{HEADER_ROW} as a mapping of table names to the row of their header"
        return {}, [_problem(None, None, expected, repr(rows))]
    header_rows: dict[str, int] = {}
    problems = []
    for table, row in rows.items():
        if str(table) not in TABLES:
            expected = f"{HEADER_ROW} for a table name ({', '.join(TABLES)})"
            problems.append(_problem(None, None, expected, f"unknown table {table!r}"))
        elif isinstance(row, bool) or not isinstance(row, int) or not 1 <= row <= MAX_HEADER_ROW:
            expected = f"{HEADER_ROW} a whole number from 1 to {MAX_HEADER_ROW} (the header's row)"
            problems.append(_problem(str(table), None, expected, f"{HEADER_ROW} {row!r}"))
        else:
            header_rows[str(table)] = row
    return header_rows, problems


def _table_mapping(
    table: str, columns: object
) -> tuple[dict[str, str], dict[str, CellForm], list[Problem]]:
    if table not in TABLES:
        known = ", ".join(TABLES)
        return (
            {},
            {},
            [_problem(table, None, f"a table name ({known})", f"unknown table {table!r}")],
        )
    if not isinstance(columns, dict):
        expected = "a mapping of file column names to canonical names"
        return {}, {}, [_problem(table, None, expected, repr(columns))]
    canonical = TABLES[table].column_names
    mapping: dict[str, str] = {}
    forms: dict[str, CellForm] = {}
    problems: list[Problem] = []
    for source, target in columns.items():
        source_name = header_name(str(source))
        options: dict[object, object] = {}
        if isinstance(target, dict):
            options = target
            if "column" not in options:
                expected = (
                    "a canonical column name, or a mapping with column: (the canonical name) "
                    "and its options (format, values)"
                )
                problems.append(_problem(table, source_name, expected, f"{target!r}"))
                continue
            target = options["column"]
        target_name = str(target).strip()
        if target_name not in canonical:
            expected = f"a canonical column of {table} ({', '.join(canonical)})"
            problems.append(_problem(table, source_name, expected, repr(target_name)))
        elif target_name in mapping.values():
            other = next(name for name, value in mapping.items() if value == target_name)
            expected = (
                f"one file column per canonical column ({target_name} is mapped from {other!r})"
            )
            problems.append(
                _problem(table, source_name, expected, f"a second source for {target_name}")
            )
        else:
            form, form_problems = _cell_form(table, source_name, target_name, options)
            problems.extend(form_problems)
            mapping[source_name] = target_name
            if form is not None:
                forms[target_name] = form
    return mapping, forms, problems


def _cell_form(
    table: str, source: str, target: str, options: dict[object, object]
) -> tuple[CellForm | None, list[Problem]]:
    """The form of column `target`'s values from its options in columns.yaml, or None (no
    option, or a mistake: reported, and the column's values then read as the contract writes
    them)."""
    problems = []
    for option in options:
        if option not in _OPTIONS:
            expected = f"an option of a column ({', '.join(_OPTIONS)})"
            problems.append(_problem(table, source, expected, f"an option {option!r}"))
    column = TABLES[table].column(target)
    layout = options.get("format")
    if layout is not None:
        layouts = LAYOUTS.get(column.kind)
        if layouts is None:
            expected = "format only for a period or date column"
            found = f"format {layout!r} for {target}, a {column.kind} column"
            problems.append(_problem(table, source, expected, found))
        elif str(layout) not in layouts:
            expected = f"format one of {', '.join(layouts)} for {target}"
            problems.append(_problem(table, source, expected, f"format {layout!r}"))
        layout = str(layout)
    values = options.get("values")
    if values is not None:
        if column.allowed is None:
            expected = "values only for a coded column (one with allowed values)"
            found = f"values for {target}, which takes any {column.kind}"
            problems.append(_problem(table, source, expected, found))
        elif not isinstance(values, dict) or not values:
            expected = "values as a mapping of the file's values to the contract's"
            problems.append(_problem(table, source, expected, f"values {values!r}"))
        else:
            for written, meant in values.items():
                if str(meant).strip() not in column.allowed:
                    expected = f"values mapped to one of {', '.join(column.allowed)}"
                    found = f"{str(written)!r} mapped to {str(meant)!r}"
                    problems.append(_problem(table, source, expected, found))
            values = {str(written).strip(): str(meant).strip() for written, meant in values.items()}
    thousands, currency = options.get("thousands"), options.get("currency")
    for option, value in (("thousands", thousands), ("currency", currency)):
        if value is not None and column.kind not in ("number", "integer"):
            expected = f"{option} only for a number column"
            found = f"{option} for {target}, a {column.kind} column"
            problems.append(_problem(table, source, expected, found))
    if thousands is not None and thousands != THOUSANDS:
        found = f"thousands {thousands!r}"
        problems.append(_problem(table, source, f"thousands {THOUSANDS!r}", found))
    if currency is not None and not isinstance(currency, bool):
        found = f"currency {currency!r}"
        problems.append(_problem(table, source, "currency true or false", found))
    if problems or (layout is None and values is None and thousands is None and not currency):
        return None, problems
    return CellForm(layout, values, thousands is not None, bool(currency)), []


def apply_mapping(
    table: str, file_columns: list[str], mapping: ColumnMapping, file: str = MAPPING_FILE
) -> tuple[list[str], list[Problem]]:
    """The canonical names of `file_columns`, and a Problem for each mapped source not in the
    file, naming the mapping `file`.

    A file column that is already named as a mapping target is a conflict (two columns would get
    the same name): it is reported and the source keeps its own name.
    """
    table_mapping = mapping.get(table, {})
    problems = [
        _problem(
            table, source, f"a column {source!r} in the {table} file", "no such column", file=file
        )
        for source in table_mapping
        if source not in file_columns
    ]
    clashing = {
        source
        for source, target in table_mapping.items()
        if source in file_columns and target in file_columns and target != source
    }
    problems.extend(
        _problem(
            table,
            source,
            f"{table_mapping[source]} to come from one column only",
            f"the file also has a column named {table_mapping[source]!r}",
            file=file,
        )
        for source in sorted(clashing)
    )
    renamed = [name if name in clashing else table_mapping.get(name, name) for name in file_columns]
    return renamed, problems


def _problem(
    table: str | None,
    column: str | None,
    expected: str,
    found: str,
    row: int | None = None,
    file: str = MAPPING_FILE,
) -> Problem:
    place = file if table is None else f"{file} [{table}]"
    return Problem(file=place, row=row, column=column, expected=expected, found=found, table=table)

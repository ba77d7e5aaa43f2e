"""`columns.yaml`: a utility's own column names (often Chinese, e.g. 户号, 倍率) → canonical names.

The file holds one mapping per table, from the file's column name to the canonical one. Every
mistake in it (an unknown table, a target that is not a canonical column, a source column missing
from the file, two sources for one target) is reported naming columns.yaml, the table and the
column, because a silently ignored mapping would look like a missing column later.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from auditkit import yamlsafe
from auditkit.data.encoding import EncodingFailure, sniff_encoding
from auditkit.data.problems import Problem
from auditkit.data.schema import TABLES

MAPPING_FILE = "columns.yaml"

ColumnMapping = dict[str, dict[str, str]]


def read_mapping(folder: Path) -> tuple[ColumnMapping, list[Problem]]:
    """The column mapping of the dataset in `folder` (empty when there is no columns.yaml)."""
    path = folder / MAPPING_FILE
    if not path.is_file():
        return {}, []
    try:
        text = path.read_bytes().decode(sniff_encoding(path).codec).lstrip("\ufeff")
        document = yamlsafe.safe_load(text)
    except EncodingFailure as failure:
        return {}, [_problem(None, None, failure.expected, failure.found, row=failure.row)]
    except yamlsafe.RefusedYAMLError as refused:
        return {}, [_problem(None, None, refused.expected, refused.found, row=refused.line)]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        found = getattr(error, "problem", None) or str(error)
        return {}, [_problem(None, None, "valid YAML", f"a syntax error ({found})", row=row)]
    if document is None:
        return {}, []
    if not isinstance(document, dict):
        expected = "a mapping of table names to column mappings"
        return {}, [_problem(None, None, expected, f"{type(document).__name__} {document!r}")]
    mapping: ColumnMapping = {}
    problems: list[Problem] = []
    for table, columns in document.items():
        table_mapping, table_problems = _table_mapping(str(table), columns)
        problems.extend(table_problems)
        if table_mapping:
            mapping[str(table)] = table_mapping
    return mapping, problems


def _table_mapping(table: str, columns: object) -> tuple[dict[str, str], list[Problem]]:
    if table not in TABLES:
        known = ", ".join(TABLES)
        return {}, [_problem(table, None, f"a table name ({known})", f"unknown table {table!r}")]
    if not isinstance(columns, dict):
        expected = "a mapping of file column names to canonical names"
        return {}, [_problem(table, None, expected, repr(columns))]
    canonical = TABLES[table].column_names
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    for source, target in columns.items():
        source_name, target_name = str(source).strip(), str(target).strip()
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
            mapping[source_name] = target_name
    return mapping, problems


def apply_mapping(
    table: str, file_columns: list[str], mapping: ColumnMapping
) -> tuple[list[str], list[Problem]]:
    """The canonical names of `file_columns`, and a Problem for each mapped source not in the file.

    A file column that is already named as a mapping target is a conflict (two columns would get
    the same name): it is reported and the source keeps its own name.
    """
    table_mapping = mapping.get(table, {})
    problems = [
        _problem(table, source, f"a column {source!r} in the {table} file", "no such column")
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
        )
        for source in sorted(clashing)
    )
    renamed = [name if name in clashing else table_mapping.get(name, name) for name in file_columns]
    return renamed, problems


def _problem(
    table: str | None, column: str | None, expected: str, found: str, row: int | None = None
) -> Problem:
    place = MAPPING_FILE if table is None else f"{MAPPING_FILE} [{table}]"
    return Problem(file=place, row=row, column=column, expected=expected, found=found, table=table)

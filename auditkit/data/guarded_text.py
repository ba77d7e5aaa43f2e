"""Text guarded against spreadsheet formulas by auditkit's own CSV writer, read back as it was.

auditkit writes a text that a spreadsheet would take for a formula (starting with = + - @, a tab
or a carriage return, their full-width forms, or those after spaces) with a leading apostrophe,
and a text starting with an apostrophe with a second one (`auditkit.formulas.defuse`): the
inspections.csv `auditkit sample evaluate` writes holds `'-审计组` for the bureau `-审计组`. Such a
file copied into a dataset would load `'-审计组`, a bureau that does not exist, and `'@SUM(1)`, a
customer that does not. So in the text columns of a CSV or .xlsx table (Excel keeps the apostrophe
of a CSV cell it opens) a cell that is exactly what the guard makes of a text loses that one
apostrophe; an apostrophe before anything else (`'城西`) stays. Parquet and frames are not guarded.
"""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa
import pyarrow.compute as pc

from auditkit.data.raw import RawTable
from auditkit.data.schema import TABLES
from auditkit.formulas import GUARDED_PATTERN

#: The formats whose text cells auditkit's writer (or a spreadsheet saving its CSV) guarded.
GUARDED_FORMATS = ("csv", "xlsx")


def unguarded(raw: RawTable, table: str) -> RawTable:
    """`raw` (columns named canonically) with the guard's apostrophe taken off the cells of its
    text columns that carry one, when it is a CSV or .xlsx table."""
    if raw.format not in GUARDED_FORMATS:
        return raw
    spec = TABLES[table]
    data = raw.data
    for index, name in enumerate(data.column_names):
        if name in spec.column_names and spec.column(name).kind == "text":
            data = data.set_column(index, name, _unguarded_column(data.column(index)))
    return replace(raw, data=data)


def _unguarded_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """`column` with the guard's apostrophe off each guarded cell (one search for a leading
    apostrophe when no cell has one)."""
    if not pa.types.is_string(column.type) or not pc.any(pc.starts_with(column, "'")).as_py():
        return column
    guarded = pc.fill_null(pc.match_substring_regex(column, GUARDED_PATTERN), False)
    return pc.if_else(guarded, pc.utf8_slice_codeunits(column, 1), column)

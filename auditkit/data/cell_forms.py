"""Cells written as columns.yaml says a file writes them → the contract's spelling, before typing.

A utility's export writes a period `202403` or `2024年3月`, a date `2024/3/5` or `2024年3月5日`, a
read type `实抄`, an amount `¥3,767.23`: columns.yaml may say so per column (`mapping.CellForm`),
and such cells are then rewritten in the contract's spelling (`2024-03`, `2024-03-05`, `actual`,
`3767.23`) before the same typing and checks as any other file. Nothing is guessed: a layout applies to the column it is given for,
the contract's own layout stays accepted (an .xlsx date cell reads `YYYY-MM-DD`), and a cell in
neither layout, or naming no real month or day, is an error showing the cell as written and is
read as empty (refused, as a reader refuses a cell). A value map rewrites the values it names
only; any other value is checked against the allowed values as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from auditkit.data.column_typing import WHOLE_LIMIT, parse_failures, shown_cell
from auditkit.data.mapping import LAYOUTS, THOUSANDS, CellForm
from auditkit.data.problems import Problem
from auditkit.data.raw import RawTable
from auditkit.data.schema import TABLES

_NOUNS = {"period": "a month", "date": "a date"}


def apply_forms(
    raw: RawTable, table: str, forms: Mapping[str, CellForm]
) -> tuple[RawTable, list[Problem]]:
    """`raw` with the columns that `forms` names (canonical names) rewritten in the contract's
    spelling, and a Problem for each cell in no accepted layout (that cell refused)."""
    data = raw.data
    refused = dict(raw.refused)
    problems: list[Problem] = []
    for name, form in forms.items():
        if name not in data.column_names:
            continue
        index = data.column_names.index(name)
        column = data.column(index)
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        if form.layout is not None or form.values is not None:
            column = _digits_as_text(column)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue  # typed cells (Parquet dates) are checked by typing as they are
        encoded = pc.dictionary_encode(column.combine_chunks())
        distinct = encoded.dictionary
        if form.values is not None:
            distinct = _mapped(distinct, form.values)
        kind = TABLES[table].column(name).kind
        bad = None
        if form.layout is not None:
            distinct, bad = _laid_out(distinct, kind, form.layout)
        if form.thousands or form.currency:
            distinct, bad = _number_text(distinct, kind, form)
        rewritten = distinct.take(encoded.indices)
        if bad is not None and pc.any(bad).as_py():
            positions = np.flatnonzero(
                pc.fill_null(bad.take(encoded.indices), False).to_numpy(zero_copy_only=False)
            )
            expected = _expected(kind, form)
            shown = column.take(pa.array(positions)).to_pylist()
            problems.extend(
                Problem(raw.file, row, name, expected, shown_cell(value), table=table)
                for row, value in zip(raw.rows.of(positions).tolist(), shown, strict=True)
            )
            emptied = np.zeros(len(rewritten), dtype=bool)
            emptied[positions] = True
            rewritten = pc.if_else(pa.array(emptied), pa.scalar(None, rewritten.type), rewritten)
            earlier = refused.get(index)
            refused[index] = positions if earlier is None else np.union1d(earlier, positions)
        data = data.set_column(index, name, rewritten)
    return replace(raw, data=data, refused=refused), problems


def _digits_as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column of whole numbers (a Parquet or spreadsheet period 202403, a code 1) as the digits
    written, for a layout or value map to read; any other column as it is (a number 2.5 stays
    one, for typing to refuse). NaN is a missing number, as a null is: left out of the test (one
    NaN would otherwise keep the map from every cell) and written as an empty cell. A decimal
    column (Parquet decimal128(6,0) periods, decimal128(1,0) codes) is whole when no value has a
    fraction."""
    if pa.types.is_integer(column.type):
        return column.cast(pa.string())
    if pa.types.is_decimal(column.type):
        return _whole_decimal_digits(column)
    if pa.types.is_floating(column.type):
        missing = pc.or_kleene(pc.is_null(column), pc.is_nan(column))
        values = column.filter(pc.invert(missing))
        whole = pc.all(pc.equal(pc.floor(values), values)).as_py() is not False
        if whole and (len(values) == 0 or pc.max(pc.abs(values)).as_py() < WHOLE_LIMIT):
            present = pc.if_else(missing, pa.scalar(None, column.type), column)
            return present.cast(pa.int64()).cast(pa.string())
    return column


def _whole_decimal_digits(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A decimal column as its digits when every value is whole (202403.00 is 202403), else as
    it is: Arrow refuses the rescale to no decimals when it would drop a fraction."""
    decimal_type = pa.decimal256 if pa.types.is_decimal256(column.type) else pa.decimal128
    try:
        whole = column.cast(decimal_type(column.type.precision, 0))
    except pa.ArrowInvalid:
        return column
    return whole.cast(pa.string())


def _expected(kind: str, form: CellForm) -> str:
    """What a cell of a column given `form` must be."""
    if form.layout is not None:
        contract = next(iter(LAYOUTS[kind]))
        return (
            f"{_NOUNS[kind]} written {form.layout} (as columns.yaml says) or {contract}, "
            f"{'a month 01-12' if kind == 'period' else 'a real day'}"
        )
    allowed = []
    if form.thousands:
        allowed.append(f"digits grouped by {THOUSANDS!r}")
    if form.currency:
        allowed.append("a leading ¥ or a trailing 元")
    noun = "a whole number" if kind == "integer" else "a number"
    return f"{noun} as columns.yaml says ({' and '.join(allowed)} allowed)"


def _number_text(values: pa.Array, kind: str, form: CellForm) -> tuple[pa.Array, pa.Array]:
    """`values` without the currency sign and digit-group separators `form` allows, and where a
    value is then no number of `kind` (`1,20`, `¥¥5`, a lone `¥` or `元`: a cell holding only a
    mark is no number, not an empty cell; empty cells are none)."""
    text = pc.utf8_trim_whitespace(values)
    written = pc.greater(pc.binary_length(text), 0)
    if form.currency:
        text = pc.replace_substring_regex(text, r"^([+-]?)[¥￥]\s*", r"\1")
        text = pc.replace_substring_regex(text, r"\s*元$", "")
    if form.thousands:
        grouped = pc.match_substring_regex(text, r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
        text = pc.if_else(grouped, pc.replace_substring(text, THOUSANDS, ""), text)
    emptied = pc.equal(pc.binary_length(text), 0)
    bad = pc.and_(written, pc.or_(emptied, parse_failures(text, kind)))
    return text, pc.fill_null(bad, False)


def _mapped(values: pa.Array, spelling: Mapping[str, str]) -> pa.Array:
    """`values` with each the map names (once trimmed) replaced by the contract's spelling."""
    keys = pa.array(list(spelling), values.type)
    at = pc.index_in(pc.utf8_trim_whitespace(values), value_set=keys)
    meant = pa.array(list(spelling.values()), values.type).take(at)
    return pc.if_else(pc.is_valid(at), meant, values)


def _laid_out(values: pa.Array, kind: str, layout: str) -> tuple[pa.Array, pa.Array]:
    """`values` in `layout` rewritten as the contract writes the kind, and where a value is in
    neither layout or names no real month or day (empty cells are neither: typing says if one
    may not be empty)."""
    text = pc.utf8_trim_whitespace(values)
    parts = pc.extract_regex(text, LAYOUTS[kind][layout])
    fields = [pc.struct_field(parts, "year"), pc.struct_field(parts, "month")]
    if kind == "date":
        fields.append(pc.struct_field(parts, "day"))
    padded = [fields[0], *(pc.utf8_lpad(field, width=2, padding="0") for field in fields[1:])]
    written = pc.binary_join_element_wise(*padded, pa.scalar("-", text.type))
    matched = pc.is_valid(parts)
    rewritten = pc.if_else(matched, written, text)
    contract = pc.match_substring_regex(text, next(iter(LAYOUTS[kind].values())))
    filled = pc.greater(pc.binary_length(text), 0)
    neither = pc.and_(filled, pc.invert(pc.or_(matched, contract)))
    unreal = pc.and_(pc.or_(matched, contract), parse_failures(rewritten, kind))
    return rewritten, pc.fill_null(pc.or_(neither, unreal), False)

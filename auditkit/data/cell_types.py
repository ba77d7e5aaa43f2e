"""Which stored column types a contract column can be typed from (Parquet files and DataFrames).

Typing reads one value per cell. A column holding several values per cell (a list, struct, map or
union type) cannot be typed: it is refused as a whole, naming its type, rather than failing deep
in Arrow. Binary columns are what older tools write for text: they are read as text when their
bytes are UTF-8, and refused at the first cell that is not.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from auditkit.data.schema import Kind

_ONE_VALUE = {
    "text": "one text value per cell",
    "period": "one month YYYY-MM per cell",
    "date": "one date per cell",
    "datetime": "one date-time per cell",
    "number": "one number per cell",
    "integer": "one whole number per cell",
    "bool": "one true/false value per cell",
}
_SHOWN_BYTES = 40


@dataclass(frozen=True)
class Untypable:
    """Why a stored column cannot be typed: `position` is the 0-based position of the first bad
    cell, None when the column's type itself is the problem."""

    expected: str
    found: str
    position: int | None = None


def typable(values: pa.ChunkedArray, kind: Kind) -> pa.ChunkedArray | Untypable:
    """`values` ready for typing as `kind` (binary decoded as UTF-8 text), or why it cannot be."""
    stored = values.type.value_type if pa.types.is_dictionary(values.type) else values.type
    if pa.types.is_nested(stored):
        found = f"{_several_values(stored)} (column type {_type_name(stored)})"
        return Untypable(_ONE_VALUE[kind], found)
    if not _is_binary(stored):
        return values
    text_type = pa.large_string() if pa.types.is_large_binary(stored) else pa.string()
    array = _binary(values)
    try:
        return pa.chunked_array([array.cast(text_type)])
    except pa.ArrowInvalid:
        position = _first_not_utf8(array, text_type)
        shown = array[position].as_py()
        more = "…" if len(shown) > _SHOWN_BYTES else ""
        found = f"bytes {shown[:_SHOWN_BYTES]!r}{more} that are not UTF-8 (column type {stored})"
        return Untypable("text encoded as UTF-8", found, position)


def _several_values(stored: pa.DataType) -> str:
    if pa.types.is_struct(stored):
        return "a record of named fields in each cell"
    if pa.types.is_map(stored):
        return "key-value pairs in each cell"
    if pa.types.is_union(stored):
        return "values of several types"
    return "a list of values in each cell"


def _type_name(stored: pa.DataType) -> str:
    """Arrow's name of a type, without the field name Arrow adds to some map types."""
    if pa.types.is_map(stored):
        return f"map<{stored.key_type}, {stored.item_type}>"
    return str(stored)


def _is_binary(stored: pa.DataType) -> bool:
    return (
        pa.types.is_binary(stored)
        or pa.types.is_large_binary(stored)
        or pa.types.is_fixed_size_binary(stored)
    )


def _binary(values: pa.ChunkedArray) -> pa.Array:
    """One contiguous variable-size binary array of the cells (dictionaries expanded)."""
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if pa.types.is_fixed_size_binary(values.type):
        values = values.cast(pa.binary())
    if values.num_chunks == 0:
        return pa.array([], type=values.type)
    return values.combine_chunks()


def _first_not_utf8(array: pa.Array, text_type: pa.DataType) -> int:
    """Position of the first cell whose bytes are not UTF-8, by bisection over prefixes (Arrow
    validates a whole cast at once and does not say where it failed)."""
    good, bad = 0, len(array)  # array[:good] decodes, array[:bad] does not
    while bad - good > 1:
        middle = (good + bad) // 2
        try:
            array.slice(good, middle - good).cast(text_type)
        except pa.ArrowInvalid:
            bad = middle
        else:
            good = middle
    return good

"""Keep untrusted text from becoming a live spreadsheet formula when a file is opened in Excel.

Excel, LibreOffice and WPS evaluate a cell whose text starts with `=`, `+`, `-` or `@` (and, after
a tab or carriage return, the same), also when they open a CSV file; WPS and Excel in Chinese
input modes take the full-width `＝ ＋ － ＠` alike, and leading spaces are skipped. A district
named `=SUM(1+2)` or a note ` ＝HYPERLINK(...)` from the data must stay text: in a CSV such text
gets a leading apostrophe (the convention spreadsheet programs show as text), in an .xlsx file the
cell is written with the string type instead (`put_cell`, used by every workbook auditkit writes).
Text that starts with an apostrophe itself gets one more, so that a reader of auditkit's CSV
(`undefuse_frame`) takes exactly one off and reads every text as it was: `'-城西` stays `'-城西`.

A CSV file is written by `csv_bytes` (defused, and every cell holding a line break quoted): a
carriage return left unquoted would end the record there and start a row with data text.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
#: A text `defuse` guarded, as an RE2 pattern (Arrow's regular expressions): an apostrophe, then
#: a second one, a FORMULA_STARTS character, or one that is not whitespace after whitespace as
#: `str.lstrip` skips it (which skips a tab or carriage return too).
GUARDED_PATTERN = (
    r"^'(?:'|["
    + "".join(f"\\x{{{ord(start):x}}}" for start in FORMULA_STARTS)
    + r"]|[\t\n\x{b}\x{c}\r\x{1c}-\x{1f}\x{85}\p{Z}]+["
    + "".join(f"\\x{{{ord(start):x}}}" for start in FORMULA_STARTS if not start.isspace())
    + "])"
)


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet program would treat `text` as a formula: it starts with one of
    FORMULA_STARTS, also after leading whitespace (spaces, U+3000, line breaks)."""
    return text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS)


def needs_apostrophe(text: str) -> bool:
    """Whether `text` gets a leading `'` in a CSV auditkit writes: it looks like a formula, or it
    starts with `'` itself (else a reader could not tell the apostrophe added from its own)."""
    return text.startswith("'") or looks_like_formula(text)


def defuse(value: object) -> object:
    """`value` unchanged unless it is text that `needs_apostrophe`; then `'` + text."""
    if isinstance(value, str) and needs_apostrophe(value):
        return "'" + value
    return value


def defuse_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` for CSV export: text cells that `needs_apostrophe` get a leading `'`;
    numbers, dates and column names that are not text are left alone, column names defused too."""
    result = frame.copy()
    for column in result.columns:
        series = result[column]
        if pd.api.types.is_string_dtype(series) or series.dtype == object:
            mask = series.map(lambda v: isinstance(v, str) and needs_apostrophe(v))
            if mask.any():
                result[column] = series.astype(object).where(~mask, "'" + series.astype(str))
    result.columns = [defuse(name) for name in result.columns]
    return result


def undefuse_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` read from a CSV auditkit wrote, with each text as it was before `defuse_frame`:
    the one `'` it added taken off (a text starting with `'` whose rest `needs_apostrophe`).
    Column names are read back alike."""
    result = frame.copy()
    for column in result.select_dtypes(include=["object", "str"]).columns:
        series = result[column]
        mask = series.map(lambda v: isinstance(v, str) and _defused(v)).astype(bool)
        if mask.any():
            result[column] = series.where(~mask, series.str[1:])
    result.columns = [
        name[1:] if isinstance(name, str) and _defused(name) else name for name in result.columns
    ]
    return result


def _defused(text: str) -> bool:
    """Whether `text` is what `defuse` made of another."""
    return text.startswith("'") and needs_apostrophe(text[1:])


def csv_text(frame: pd.DataFrame) -> str:
    """`frame` as CSV text without its index, `\n` line ends, and every cell holding a carriage
    return or a line feed quoted.

    Python's csv writer quotes only the characters of its line terminator, so with `\n` a lone
    `\r` in a cell went out bare and a spreadsheet (and auditkit's own reader) ended the record
    there. Written with `\r\n`, every cell holding either is quoted; the record ends are then
    the `\r\n` outside quotes (the even pieces between `"`, doubled quotes inside a cell
    counting twice), turned into `\n`.
    """
    text = frame.to_csv(index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    pieces = text.split('"')
    pieces[::2] = [piece.replace("\r\n", "\n") for piece in pieces[::2]]
    return '"'.join(pieces)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """`frame` as the bytes of a CSV file auditkit writes: formulas defused (`defuse_frame`),
    line breaks in cells quoted (`csv_text`), UTF-8 with a BOM (Excel shows Chinese correctly)."""
    return csv_text(defuse_frame(frame)).encode("utf-8-sig")


# Characters XML 1.0 cannot hold; openpyxl refuses a cell containing one.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def put_cell(cell: Cell, value: object) -> None:
    """Write `value` into an openpyxl cell so that data never becomes a formula.

    Text is always a string cell (openpyxl would otherwise store text starting with `=` as a
    formula, and Excel would evaluate it); characters XML cannot hold become U+FFFD. Numbers,
    booleans, dates and blanks keep their type (numpy and pandas scalars are unwrapped).
    """
    if value is None or value is pd.NA or value is pd.NaT:
        cell.value = None
        return
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, float) and math.isnan(value):
        cell.value = None
    elif isinstance(value, bool | int | float | dt.date | dt.datetime):
        cell.value = value
    else:
        cell.value = within_cell(_NOT_IN_XML.sub("\ufffd", str(value)))
        cell.data_type = "s"


#: The most characters a spreadsheet cell holds (Excel's limit; openpyxl cuts silently beyond).
CELL_CHARACTERS = 32_767


def within_cell(text: str) -> str:
    """`text` as a cell can hold it: whole, or cut and ending in a mark `…[kept/total]` (the
    characters kept and written, in no language: a reader must not take a cut text for the
    whole of it)."""
    if len(text) <= CELL_CHARACTERS:
        return text
    mark_length = len(f"…[{CELL_CHARACTERS:,}/{len(text):,}]")  # the longest the mark can be
    kept = CELL_CHARACTERS - mark_length
    return f"{text[:kept]}…[{kept:,}/{len(text):,}]"

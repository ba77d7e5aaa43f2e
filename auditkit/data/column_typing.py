"""Type one column by its contract kind and find every cell that breaks the contract, vectorized.

Input is an Arrow column: text from CSV/XLSX, or typed values from Parquet and DataFrames. Output
is a pandas Series of the contract dtype plus `Issue`s (positions, expectation, what was found).
Cells are never coerced silently: a value that is not exactly of the kind is an Issue and becomes
missing in the typed Series. The only normalization is trimming surrounding whitespace (fixed-width
exports pad text) and treating an empty cell as missing.

Dtypes: text and period as pandas text (`str`, missing = NaN); dates and date-times as
datetime64[us] (so a "never" date such as 9999-12-31 fits where a validity ends; elsewhere a day
beyond pandas' years 1678-2261 is an Issue, `_check_days`); numbers float64; integers nullable
Int64; booleans bool.

Speed: columns with few distinct values (periods, dates, codes) and key columns are parsed once
per distinct value through an Arrow dictionary, then expanded; the dictionary codes are handed to
the key and reference checks so no text column is hashed twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditkit.data.schema import LARGEST_NUMBER, LARGEST_SHOWN, Column
from auditkit.errors import ParameterError
from auditkit.masking import PERSONAL_COLUMNS, mask_value
from auditkit.periods import FIRST_DAY, LAST_DAY, PERIOD_PATTERN

EMPTY = "an empty cell"
TRUE_WORDS = ("true", "yes", "y", "1", "是")
FALSE_WORDS = ("false", "no", "n", "0", "否")
_NUMBER_PATTERN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_DATE_TYPE = pa.timestamp("us")
# A date-time as exports write it: ISO date, then optionally a time HH:MM[:SS[.ffffff]] after a
# space or a T (Java and Oracle exports add `.0`); a date alone is midnight.
_DATETIME_PATTERN = (
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[ T](?P<minute>\d{2}:\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?)?$"
)
# A date at midnight as Oracle DATE columns export it (SG186, 营销2.0): `2024-03-05 00:00:00`,
# Java adds `.0`. It is the date, as the same cell is from .xlsx or Parquet; any other time of
# day in a date column stays an error.
_MIDNIGHT_PATTERN = r"^(\d{4}-\d{2}-\d{2})[ T]00:00(?::00(?:\.0{1,6})?)?$"
# A period exported as its month's first day (an Oracle DATE, as `2024-03-01` or at midnight):
# the month, as the same cell is from .xlsx or Parquet; any other day stays an error.
_FIRST_OF_MONTH_PATTERN = r"^(\d{4}-(?:0[1-9]|1[0-2]))-01$"
#: The whole numbers a float64 holds exactly, every one of them, are those below this.
WHOLE_LIMIT = 2**53
#: Excel keeps 15 significant digits, and so does a float as written: a whole number at or past
#: this, stored as a number, has lost its last ones (an id typed as one: the .xlsx reader too).
EXACT_DIGITS_LIMIT = 10**15
#: What a column of half-precision floats must be stored as instead.
_HALF_FLOAT = (
    "numbers stored as float64, integers or decimals (float16 keeps 3 significant digits: a "
    "rate of 0.5283 reads 0.5283203125)"
)
#: The finest step any number of the contract is written in: a fen (0.01 yuan); kWh, readings
#: and capacities are written no finer, rates and ratios are below 10, where float32 tells far
#: finer steps apart.
FINEST_STEP = 0.01
#: What a float32 number too large to tell FINEST_STEP apart must be stored as instead.
_SINGLE_FLOAT = (
    "a number stored as float64, integers or decimals (float32 tells numbers 0.01 apart only "
    "below 131,072: 343321.15 and 343321.16 are one float32)"
)
#: Significant digits that always give a float32 back: 9 (its shortest decimal has at most as many).
_FLOAT32_DIGITS = 9
# Problems listed one by one per column and kind; beyond, one Problem counts the rest (a whole
# wrong column of 36M rows must not become 36M Python objects).
LISTED_PER_ISSUE = 100_000
#: Characters of a text cell shown in a problem.
SHOWN_CHARACTERS = 80


def _text_dtype() -> pd.StringDtype:
    """pandas' default text dtype (`str`, missing = NaN) on pandas 3, and its 2.x equivalent."""
    try:
        return pd.StringDtype(na_value=np.nan)
    except TypeError:  # pandas < 2.3 names the same dtype by its storage
        return pd.StringDtype("pyarrow_numpy")


TEXT_DTYPE = _text_dtype()


@dataclass(frozen=True)
class Issue:
    """Cells at `positions` break the contract: `expected` says how, `found` shows each value.

    `found` may be shorter than `positions` (at most LISTED_PER_ISSUE): the cells beyond are
    counted, not listed.
    """

    positions: np.ndarray
    expected: str
    found: Sequence[str]


@dataclass(frozen=True)
class Codes:
    """A factorized text column: `codes[i]` indexes `uniques` (distinct values), −1 when empty."""

    codes: np.ndarray
    uniques: pa.Array


@dataclass(frozen=True)
class Typed:
    """A typed column, the issues found while typing and checking it, its codes if asked, and
    the positions of the cells that could not be typed (missing in `values`, like empty ones)."""

    values: pd.Series
    issues: list[Issue]
    codes: Codes | None = None
    unreadable: np.ndarray = field(default_factory=lambda: _NONE)


@dataclass(frozen=True)
class _Parsed:
    """Arrow-level result of parsing: typed values (null where bad), bad mask, display form."""

    values: pa.Array
    bad: pa.Array | None
    shown: pa.Array | _StampsShown  # display form of each cell, computed when taken
    expected: str
    #: Further cells bad for another reason, each with what was expected of them (a key column
    #: may hold both an id in scientific notation and one with a zero-width space).
    also: tuple[tuple[pa.Array, str], ...] = ()


def encodes(column: Column, keyed: bool) -> bool:
    """Whether to parse `column` through a dictionary: few distinct values, or codes needed."""
    return keyed or column.kind in ("period", "date", "bool") or column.allowed is not None


def type_column(raw: pa.ChunkedArray | pa.Array, column: Column, keyed: bool = False) -> Typed:
    """Type `raw` as `column.kind`, then check empty cells, allowed values and the minimum.

    `keyed` asks for the column's codes (it is part of a unique key or a reference).
    """
    parsed, shown, codes = _parse_rows(raw, column, keyed)
    issues = []
    bad_positions = _mask_positions(parsed.bad) if parsed.bad is not None else _NONE
    if bad_positions.size:
        found = _found(shown, bad_positions[:LISTED_PER_ISSUE], column.name)
        issues.append(Issue(bad_positions, parsed.expected, found))
    for also_bad, also_expected in parsed.also:
        positions = _mask_positions(also_bad)
        found = _found(shown, positions[:LISTED_PER_ISSUE], column.name)
        issues.append(Issue(positions, also_expected, found))
        bad_positions = np.union1d(bad_positions, positions)
    if not column.may_be_empty:
        missing = pc.is_null(parsed.values, nan_is_null=True)
        if pc.any(missing).as_py():
            empty = np.flatnonzero(missing.to_numpy(zero_copy_only=False))
            if bad_positions.size:
                empty = np.setdiff1d(empty, bad_positions, assume_unique=True)
            if empty.size:
                found = [EMPTY] * min(empty.size, LISTED_PER_ISSUE)
                issues.append(Issue(empty, "a value (the column is required)", found))
    typed = _to_pandas(parsed.values, column)
    if column.kind in ("number", "integer"):
        typed, beyond = _beyond_largest(typed, column.kind == "integer")
        if beyond is not None:
            issues.append(beyond)
            bad_positions = np.union1d(bad_positions, beyond.positions)
    if column.kind == "text" and column.allowed is None:
        issues.extend(_check_length(typed, column))
    if column.kind in ("date", "datetime"):
        issues.extend(_check_days(typed, column))
    if column.minimum is not None:
        issues.extend(
            _check_minimum(
                typed, column.minimum, column.minimum_inclusive, column.kind == "integer"
            )
        )
    if column.maximum is not None:
        issues.extend(_check_maximum(typed, column.maximum, column.kind == "integer"))
    if column.choices is not None:
        issues.extend(_check_choices(typed, column.choices))
    return Typed(typed, issues, codes, bad_positions)


def _parse_rows(
    raw: pa.ChunkedArray | pa.Array, column: Column, keyed: bool
) -> tuple[_Parsed, pa.Array | pa.ChunkedArray | _Expanded, Codes | None]:
    """Parse every row: directly, or once per distinct value through a dictionary.

    Returns the parsed rows, the display form of the cells (looked up lazily for dictionaries)
    and the codes when `keyed`.
    """
    plain_numbers = _plain_numbers(raw) if column.kind in ("number", "integer") else None
    if plain_numbers is not None:
        return _parse(plain_numbers, column), raw, None  # cells shown as written in the file
    array = _combined(raw)
    if (_is_text(array.type) or _is_naive_temporal(array.type)) and encodes(column, keyed):
        array = pc.dictionary_encode(array)
    if not pa.types.is_dictionary(array.type):
        parsed = _parse(array, column)
        return parsed, parsed.shown, None
    per_value = _parse(array.dictionary, column)
    bad = None
    if per_value.bad is not None and pc.any(per_value.bad).as_py():
        bad = per_value.bad.take(array.indices)
    also = tuple((mask.take(array.indices), expected) for mask, expected in per_value.also)
    parsed = _Parsed(
        per_value.values.take(array.indices), bad, per_value.shown, per_value.expected, also
    )
    codes = _codes(per_value.values, array.indices) if keyed else None
    return parsed, _Expanded(per_value.shown, array.indices), codes


_NONE = np.zeros(0, dtype=np.int64)


class _Expanded:
    """Display values of dictionary-encoded cells, looked up only for the cells shown."""

    def __init__(self, dictionary: pa.Array, indices: pa.Array) -> None:
        self._dictionary = dictionary
        self._indices = indices

    def take(self, positions: pa.Array) -> pa.Array:
        return self._dictionary.take(self._indices.take(positions))


def _codes(distinct: pa.Array, indices: pa.Array) -> Codes:
    """Codes of the typed column, −1 for empty and bad cells.

    Distinct raw values may become equal once typed (`'C1 '` and `'C1'`), so the typed distinct
    values are encoded once more before the row codes are looked up. Codes are int32 when they
    fit: the checks hold them for every row of a table until they run.
    """
    encoded = pc.dictionary_encode(distinct)
    per_distinct = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    width = np.int32 if len(distinct) < np.iinfo(np.int32).max else np.int64
    lookup = np.append(per_distinct.astype(width), width(-1))  # position −1: an empty cell
    if indices.null_count:
        indices = pc.fill_null(indices, -1)
    return Codes(lookup[indices.to_numpy(zero_copy_only=False)], encoded.dictionary)


def _parse(array: pa.Array, column: Column) -> _Parsed:
    if column.kind == "text":
        return _parse_text(array, column)
    return _PARSERS[column.kind](array)


def _to_pandas(values: pa.Array, column: Column) -> pd.Series:
    kind = column.kind
    if kind in ("text", "period"):
        return pd.Series(values.to_pandas(), copy=False).astype(TEXT_DTYPE)
    if kind in ("date", "datetime"):
        return pd.Series(values.to_pandas(), copy=False).astype("datetime64[us]")
    if kind == "bool":
        return pd.Series(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)
    numbers = pd.Series(values.to_numpy(zero_copy_only=False), copy=False, dtype="float64")
    return numbers.astype("Int64") if kind == "integer" else numbers


# -------------------------------------------------------------------------------------- text forms

# The characters a spreadsheet shows as nothing but the byte-order mark (U+FEFF), as ranges.
_ZERO_WIDTH = "\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
#: Characters a spreadsheet shows as nothing, pasted from a web page or a chat: '江北\u200b' would
#: be a district of its own, 'C001\ufeff' a customer no bill names.
INVISIBLE_CHARACTERS = f"[{_ZERO_WIDTH}\ufeff]"
#: The invisible characters a column header loses (`power_factor\u200b` pasted from a chat is
#: power_factor): all but the byte-order mark, which `frames` names as a mark read into the name.
_HEADER_INVISIBLE = re.compile(f"[{_ZERO_WIDTH}]")
#: Control characters no text may hold: C0 but tab, line feed and carriage return, DEL, C1. A NUL
#: is refused by PostgreSQL, ESC and BEL start terminal sequences (retitle or clear the window
#: where the CLI prints the cell), and spreadsheets turn them into other characters.
CONTROL_CHARACTERS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
#: Control characters a key-like text (an id, a district, a category) may not hold: all of C0
#: (a tab or a line break in an id splits it in a CSV, and xlsx turns `\r` into `\n`), DEL, C1.
KEY_CONTROL_CHARACTERS = "[\x00-\x1f\x7f-\x9f]"
#: What free text may not hold, and what key-like text may not hold (a regular expression each).
_FREE_TEXT_REFUSED = f"{INVISIBLE_CHARACTERS}|{CONTROL_CHARACTERS}"
_KEY_REFUSED = f"{INVISIBLE_CHARACTERS}|{KEY_CONTROL_CHARACTERS}"
# Either, for showing where a cell holds one.
_HIDDEN = re.compile(_KEY_REFUSED)
_HIDDEN_IN_FREE_TEXT = re.compile(_FREE_TEXT_REFUSED)
_FREE_TEXT_EXPECTED = (
    "text without control characters other than tab and line breaks (NUL, escape, bell) "
    "or invisible characters (zero-width spaces, direction marks)"
)
_KEY_EXPECTED = (
    "text without control characters (tab, line break, NUL, escape) "
    "or invisible characters (zero-width spaces, direction marks)"
)


def header_name(name: str) -> str:
    """A column header as read: without the invisible characters a spreadsheet shows as nothing
    (`_HEADER_INVISIBLE`) and trimmed, so that a name pasted with a zero-width space is the
    column's, not an extra one beside it read as absent."""
    return _HEADER_INVISIBLE.sub("", name).strip()


def refused_text(text: str, *, free_text: bool, longest: int | None = None) -> str | None:
    """What a text is expected to be when it holds a character the data's text columns refuse
    (`_parse_text`: an invisible character, a control character; `free_text` may hold tabs and
    line breaks) or is longer than `longest` characters (None: any length), None when it holds.
    The same check and wording for text that reaches the outputs from elsewhere: who checked a
    finding, an inspector's note on a returned sheet."""
    if free_text and _HIDDEN_IN_FREE_TEXT.search(text):
        return _FREE_TEXT_EXPECTED
    if not free_text and _HIDDEN.search(text):
        return _KEY_EXPECTED
    if longest is not None and len(text) > longest:
        return f"at most {longest} characters"
    return None


def checked_key_text(parameter: str, text: str, longest: int) -> str:
    """`text` as given, or a ParameterError naming `parameter` (an option, a library argument)
    when `refused_text` refuses it as key-like text of at most `longest` characters: text a
    caller hands in that the outputs keep (who sent a worklist, a run's id, a bureau). Text that
    looks like a formula (=1+1) is kept: every file auditkit writes keeps it text."""
    expected = refused_text(text, free_text=False, longest=longest)
    if expected is not None:
        raise ParameterError(parameter, expected, text)
    return text


def _combined(raw: pa.ChunkedArray | pa.Array) -> pa.Array:
    """One contiguous array (dictionary chunks are unified into one dictionary)."""
    if isinstance(raw, pa.ChunkedArray):
        if raw.num_chunks == 1:
            return raw.chunk(0)
        if raw.num_chunks == 0:
            return pa.array([], type=raw.type)
        return raw.combine_chunks()
    return raw


def _plain_numbers(raw: pa.ChunkedArray | pa.Array) -> pa.Array | None:
    """Text that casts to float64 as it is (the usual CSV number column), without copying the
    text first; None when some cell needs the careful path (spaces, words, commas)."""
    if not _is_text(raw.type):
        return None
    try:
        numbers = _combined(pc.cast(raw, pa.float64()))
    except pa.ArrowInvalid:
        return None
    # 'nan' and 'inf' cast too, but a cell saying so is not an amount: the careful path flags it.
    return numbers if pc.all(pc.is_finite(numbers)).as_py() is not False else None


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _clean_text(raw: pa.Array) -> pa.Array:
    """String values trimmed, empty and whitespace-only cells as null."""
    text = pc.utf8_trim_whitespace(raw)
    empty = pc.equal(pc.binary_length(text), 0)
    if pc.any(empty).as_py():
        text = pc.if_else(empty, pa.scalar(None, text.type), text)
    return text


def _as_text(raw: pa.Array) -> pa.Array:
    """Any Arrow column written as text the way a CSV export shows it, then cleaned.

    Whole floats are written without `.0` (account numbers stored as numbers stay `3100012345`).
    """
    kind = raw.type
    if _is_text(kind):
        return _clean_text(raw)
    if pa.types.is_floating(kind):
        floats = pc.if_else(pc.is_nan(raw), pa.scalar(None, kind), raw)
        whole = pc.and_(pc.equal(pc.floor(floats), floats), pc.less(pc.abs(floats), WHOLE_LIMIT))
        whole = pc.fill_null(whole, False)
        as_int = pc.cast(pc.cast(pc.if_else(whole, floats, 0.0), pa.int64()), pa.string())
        return pc.if_else(whole, as_int, pc.cast(floats, pa.string()))
    if pa.types.is_null(kind):
        return pa.nulls(len(raw), pa.string())
    if _is_naive_temporal(kind):
        return _show_stamps(pc.cast(raw, _DATE_TYPE))
    return _clean_text(pc.cast(raw, pa.string()))


def _is_naive_temporal(kind: pa.DataType) -> bool:
    return pa.types.is_date(kind) or (pa.types.is_timestamp(kind) and kind.tz is None)


def _show_stamps(stamps: pa.Array) -> pa.Array:
    """Timestamps as text: `YYYY-MM-DD` at midnight, `YYYY-MM-DD HH:MM:SS` otherwise."""
    seconds = pc.cast(stamps, pa.timestamp("s"), safe=False)
    midnight = pc.equal(stamps, pc.floor_temporal(stamps, unit="day"))
    return pc.if_else(
        midnight,
        pc.strftime(seconds, format="%Y-%m-%d"),
        pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S"),
    )


class _StampsShown:
    """Timestamps shown as text (`_show_stamps`) only for the cells a problem lists.

    strftime costs microseconds a row: 36M daily reads shown up front took minutes, while
    at most a few cells are ever shown.
    """

    def __init__(self, stamps: pa.Array) -> None:
        self._stamps = stamps

    def take(self, positions: pa.Array) -> pa.Array:
        return _show_stamps(self._stamps.take(positions))


def _found(
    values: pa.Array | pa.ChunkedArray | _Expanded | _StampsShown,
    positions: np.ndarray,
    column: str | None = None,
) -> list[str]:
    """Display form of the cells at `positions`: repr of each value, or 'an empty cell'; the
    cells of a personal `column` masked (`shown_personal`)."""
    shown = values.take(pa.array(positions)).to_pylist()
    return [EMPTY if value is None else shown_in(column, value) for value in shown]


def shown_in(column: str | None, value: object) -> str:
    """A cell of `column` as a problem shows it: masked in a personal column (`shown_personal`),
    else as `shown_cell` shows it; one rule for every path that reports a cell."""
    if column in PERSONAL_COLUMNS:
        return shown_personal(column, value)
    return shown_cell(value)


def shown_cell(value: object) -> str:
    """repr of a cell (control and invisible characters escaped), a long text cut (a 1 MB cell
    would make a 1 MB error line) and then saying where its first such character is."""
    if isinstance(value, str) and len(value) > SHOWN_CHARACTERS:
        cut = f"{value[:SHOWN_CHARACTERS]!r}… ({len(value):,} characters"
        hidden = _HIDDEN.search(value, SHOWN_CHARACTERS)
        if hidden is not None and _HIDDEN.search(value, 0, SHOWN_CHARACTERS) is None:
            cut += f", {hidden.group()!r} at character {hidden.start() + 1:,}"
        return cut + ")"
    return repr(value)


def shown_personal(column: str, value: object) -> str:
    """A cell of a personal column (name, address, phone) as a problem shows it: masked as
    outputs mask it, with its length and its first control or invisible character escaped (what
    a data steward needs to find and fix it, never the person's name or number)."""
    text = str(value)
    shape = f"{len(text):,} characters"
    hidden = _HIDDEN.search(text)
    if hidden is not None:
        shape += f", {hidden.group()!r} at character {hidden.start() + 1:,}"
    masked = mask_value(column, text)
    if len(masked) > SHOWN_CHARACTERS:
        masked = masked[:SHOWN_CHARACTERS] + "…"
    return f"{masked!r} ({shape})"


def _mask_positions(mask: pa.Array) -> np.ndarray:
    return np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))


def _nulled(values: pa.Array, bad: pa.Array) -> pa.Array:
    """`values` with null wherever `bad` holds."""
    return pc.if_else(pc.fill_null(bad, False), pa.scalar(None, values.type), values)


# ---------------------------------------------------------------------------------------- by kind


def _parse_text(array: pa.Array, column: Column) -> _Parsed:
    """Text without invisible or control characters (free text may hold tabs and line breaks),
    or one of the allowed values (which refuse any other text, such characters too); text
    stored as floating-point numbers only where a number holds it exactly."""
    text = _as_text(array)
    if pa.types.is_floating(array.type):
        inexact = _inexact_as_text(array)
        if pc.any(inexact).as_py():
            return _Parsed(_nulled(text, inexact), inexact, text, INEXACT_TEXT)
    allowed = column.allowed
    if allowed is None:
        pattern = _FREE_TEXT_REFUSED if column.free_text else _KEY_REFUSED
        hidden = pc.fill_null(pc.match_substring_regex(text, pattern), False)
        expected = _FREE_TEXT_EXPECTED if column.free_text else _KEY_EXPECTED
        if not column.free_text:
            scientific = pc.fill_null(pc.match_substring_regex(text, _SCIENTIFIC), False)
            if pc.any(scientific).as_py():
                # both are reported: one id in scientific notation must not hide another
                # holding a zero-width space (it would load as a separate id)
                hidden = pc.and_(hidden, pc.invert(scientific))
                also = ((hidden, expected),) if pc.any(hidden).as_py() else ()
                values = _nulled(_nulled(text, scientific), hidden)
                return _Parsed(values, scientific, text, _scientific(column), also)
        if not pc.any(hidden).as_py():
            return _Parsed(text, None, text, "")
        return _Parsed(_nulled(text, hidden), hidden, text, expected)
    outside = pc.invert(pc.is_in(text, value_set=pa.array(allowed)))
    outside = pc.and_(pc.is_valid(text), outside)
    return _Parsed(_nulled(text, outside), outside, text, f"one of {', '.join(allowed)}")


#: What a text column stored as floating-point numbers must hold instead of a long or endless one.
INEXACT_TEXT = (
    "text, or a number of at most 15 digits (a float keeps no more: an id of 16 or more digits "
    "stored as a number has lost its last ones; store the column as text)"
)


#: A number as Excel shows it in scientific notation when its column is not formatted as text
#: (`3.33E+21`; a float written by pandas, `3.33e+21`): in a key-like text column it is an id
#: or a code of 12 or more digits whose digits are lost, saved as shown.
_SCIENTIFIC = r"^[+-]?\d(?:\.\d+)?[eE]\+\d{2,3}$"


def _scientific(column: Column) -> str:
    """What a key-like text cell written in scientific notation is expected to be instead."""
    one, all_of = ("an id", "ids") if column.name.endswith("_id") else ("a code", "values")
    return (
        f"{one} as written, not a number in scientific notation (Excel shows a long number so "
        f"and a CSV saved from it keeps only those digits: format the column as text and "
        f"export the {all_of} again)"
    )


def _inexact_as_text(floats: pa.Array) -> pa.Array:
    """Where a floating-point cell cannot stand for text: infinite, or of 16 digits or more
    (past 10^15 a float's digits are not the ones written: 3.1000123456789012e+16)."""
    values = pc.cast(floats, pa.float64())
    return pc.fill_null(
        pc.or_(pc.is_inf(values), pc.greater_equal(pc.abs(values), EXACT_DIGITS_LIMIT)), False
    )


def _parse_period(array: pa.Array) -> _Parsed:
    expected = "a month YYYY-MM (01-12)"
    if _is_naive_temporal(array.type):
        stamps = pc.cast(array, _DATE_TYPE)
        bad = pc.not_equal(stamps, pc.floor_temporal(stamps, unit="month"))
        text = pc.strftime(stamps, format="%Y-%m")
        return _Parsed(_nulled(text, bad), bad, _StampsShown(stamps), expected)
    text = _as_text(array)
    day = pc.replace_substring_regex(text, _MIDNIGHT_PATTERN, r"\1")
    month = pc.replace_substring_regex(day, _FIRST_OF_MONTH_PATTERN, r"\1")
    bad = pc.invert(pc.match_substring_regex(month, PERIOD_PATTERN))
    return _Parsed(_nulled(month, bad), bad, text, expected)


def _stamps(array: pa.Array) -> tuple[pa.Array, pa.Array | None]:
    """Dates or naive timestamps as timestamp[us], and where the cast lost digits (a time below
    the microsecond, as pandas' nanoseconds allow), None when it lost none."""
    if pa.types.is_timestamp(array.type) and array.type.unit == "ns":
        stamps = pc.cast(array, _DATE_TYPE, safe=False)
        lost = pc.not_equal(pc.cast(stamps, array.type), array)
        return stamps, lost if pc.any(lost).as_py() else None
    return pc.cast(array, _DATE_TYPE), None


def _parse_date(array: pa.Array) -> _Parsed:
    expected = "a date YYYY-MM-DD"
    if _is_naive_temporal(array.type):
        stamps, _ = _stamps(array)  # a time below the microsecond is not midnight either
        bad = pc.not_equal(stamps, pc.floor_temporal(stamps, unit="day"))
        return _Parsed(_nulled(stamps, bad), bad, _StampsShown(stamps), expected)
    text = _as_text(array)
    day = pc.replace_substring_regex(text, _MIDNIGHT_PATTERN, r"\1")
    parsed = pc.strptime(day, format="%Y-%m-%d", unit="us", error_is_null=True)
    # strptime accepts 2024-1-5 and rolls 2024-02-30 over: only exact round trips are dates.
    exact = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), day)
    bad = pc.and_(pc.is_valid(text), pc.invert(pc.fill_null(exact, False)))
    return _Parsed(_nulled(parsed, bad), bad, text, expected)


def _parse_datetime(array: pa.Array) -> _Parsed:
    """Date-times: `YYYY-MM-DD HH:MM[:SS[.ffffff]]` (or a T for the space), a date alone as
    midnight, Excel date-times (written so by the reader), Parquet timestamps without a zone."""
    expected = "a date-time YYYY-MM-DD HH:MM[:SS] (a date alone is midnight)"
    if _is_naive_temporal(array.type):
        stamps, lost = _stamps(array)
        if lost is None:
            return _Parsed(stamps, None, stamps, expected)
        return _Parsed(_nulled(stamps, lost), lost, pc.cast(array, pa.string()), expected)
    text = _as_text(array)
    parts = pc.extract_regex(text, _DATETIME_PATTERN)  # null where the pattern does not match
    minute, second = pc.struct_field(parts, "minute"), pc.struct_field(parts, "second")

    def text_of(value: str) -> pa.Scalar:  # of the column's own string type (large from pandas)
        return pa.scalar(value, minute.type)

    clock = pc.binary_join_element_wise(
        pc.if_else(pc.equal(minute, text_of("")), text_of("00:00"), minute),
        pc.if_else(pc.equal(second, text_of("")), text_of("00"), second),
        text_of(":"),
    )
    whole = pc.binary_join_element_wise(pc.struct_field(parts, "date"), clock, text_of(" "))
    whole_format = "%Y-%m-%d %H:%M:%S"
    parsed = pc.strptime(whole, format=whole_format, unit="s", error_is_null=True)
    # strptime rolls 2024-02-30 and 24:00 over: only exact round trips are date-times.
    exact = pc.equal(pc.strftime(parsed, format=whole_format), whole)
    parsed = pc.cast(parsed, _DATE_TYPE)
    bad = pc.and_(pc.is_valid(text), pc.invert(pc.fill_null(exact, False)))
    fraction = pc.struct_field(parts, "fraction")
    if pc.any(pc.not_equal(fraction, text_of(""))).as_py():
        digits = pc.utf8_rpad(fraction, width=6, padding="0")  # '.5' is 500000 µs
        micros = pc.cast(pc.cast(digits, pa.int64()), pa.duration("us"))
        parsed = pc.add(parsed, micros)
    return _Parsed(_nulled(parsed, bad), bad, text, expected)


def _parse_number(array: pa.Array, expected: str = "a number") -> _Parsed:
    kind = array.type
    if pa.types.is_temporal(kind):  # a duration of 1 s would read as 1000 (its milliseconds)
        bad = pc.is_valid(array)
        shown = pc.cast(array, pa.string())
        values = pa.nulls(len(array), pa.float64())
        return _Parsed(values, bad, shown, f"{expected}, not a {kind} column")
    if pa.types.is_float16(kind):  # 3 significant digits: a rate of 0.5283 reads 0.5283203125
        bad = pc.is_valid(array)
        shown = pc.cast(array, pa.float64())
        return _Parsed(_nulled(shown, bad), bad, shown, _HALF_FLOAT)
    if pa.types.is_float32(kind):
        values, ambiguous = _widened_float32(array)
        bad = pc.or_(pc.fill_null(pc.is_inf(values), False), ambiguous)
        if not pc.any(bad).as_py():
            return _Parsed(values, None, values, expected)
        exact = pc.cast(array, pa.float64())  # shown as stored: 343321.15625
        why = _SINGLE_FLOAT if pc.any(ambiguous).as_py() else expected
        return _Parsed(_nulled(values, bad), bad, exact, why)
    if kind in (pa.int64(), pa.uint64()):  # past 2^53 a float64 cannot hold every whole number
        too_large = pc.greater(array, pa.scalar(WHOLE_LIMIT, kind))
        if kind == pa.int64():
            too_large = pc.or_(too_large, pc.less(array, pa.scalar(-WHOLE_LIMIT, kind)))
        too_large = pc.fill_null(too_large, False)
        if pc.any(too_large).as_py():
            shown = pc.cast(array, pa.string())
            values = pc.cast(_nulled(array, too_large), pa.float64())
            return _Parsed(values, too_large, shown, f"{expected} between -2^53 and 2^53")
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        # NaN is how pandas writes a missing number: it stays missing (NaN in the typed column).
        values = array if kind == pa.float64() else pc.cast(_decimal_as_text(array), pa.float64())
        bad = pc.is_inf(values)
        if not pc.any(bad).as_py():
            return _Parsed(values, None, values, expected)
        return _Parsed(_nulled(values, bad), bad, values, expected)
    text = _as_text(array)
    try:
        values = pc.cast(text, pa.float64())
        bad = pc.invert(pc.is_finite(values))  # 'nan' and 'inf' parse but are no amounts
    except pa.ArrowInvalid:
        not_number = pc.invert(pc.match_substring_regex(text, _NUMBER_PATTERN))
        values = pc.cast(_nulled(text, not_number), pa.float64())
        not_finite = pc.fill_null(pc.invert(pc.is_finite(values)), False)
        bad = pc.or_(pc.fill_null(not_number, False), not_finite)
    return _Parsed(_nulled(values, bad), bad, text, expected)


def _decimal_as_text(array: pa.Array) -> pa.Array:
    """A decimal column as the text of its digits (148.42), any other as it is: Arrow casts a
    decimal to float64 by scaling, 1 ulp off the float the same digits parse to from CSV
    (148.42000000000002), and the table's content hash with it; parsed from its text it is the
    CSV's float."""
    return pc.cast(array, pa.string()) if pa.types.is_decimal(array.type) else array


def _widened_float32(array: pa.Array) -> tuple[pa.Array, pa.Array]:
    """float32 numbers as float64 holding the shortest decimal each stands for (a float32 money
    or rate column: 112.98 is stored 112.9800033569336, widened bit for bit it would read so),
    and where the float32 is too large to tell FINEST_STEP apart (from 2^17 = 131,072 on, its
    spacing is 1/64 or more: 343321.15 and 343321.16 are both stored 343321.15625, and which was
    written cannot be told).

    Below 2^17 a float32 is the only one any number of at most two decimals rounds to, and the
    shortest decimal giving it back is that number (a shorter one would be a second such
    number); a rate's four or six decimals are far above its spacing too. The shortest decimal is
    found by rounding to 1, 2, ... significant digits until the float32 comes back.
    """
    singles = array.to_numpy(zero_copy_only=False).astype(np.float32)
    numbers = singles.astype(np.float64)
    finite = np.isfinite(numbers) & (numbers != 0)
    exponents = np.floor(np.log10(np.abs(np.where(finite, numbers, 1.0))))
    widened = numbers.copy()
    pending = finite.copy()
    # near float32's largest (3.4e38, a sentinel), a rounding up and its spacing overflow to
    # inf: no match, and too large to tell apart, as meant, without numpy's warning
    with np.errstate(over="ignore"):
        for digits in range(1, _FLOAT32_DIGITS + 1):
            scale = digits - 1 - exponents  # decimals kept (negative: whole tens, hundreds ...)
            up, down = 10.0 ** np.maximum(scale, 0), 10.0 ** np.maximum(-scale, 0)
            rounded = np.where(
                scale >= 0, np.round(numbers * up) / up, np.round(numbers / down) * down
            )
            back = pending & (rounded.astype(np.float32) == singles)
            widened[back] = rounded[back]
            pending &= ~back
        ambiguous = finite & (np.spacing(np.abs(singles)) > FINEST_STEP)
    mask = None if array.null_count == 0 else pc.is_null(array).to_numpy(zero_copy_only=False)
    return pa.array(widened, mask=mask), pa.array(ambiguous)


def _parse_integer(array: pa.Array) -> _Parsed:
    parsed = _parse_number(array, "a whole number")
    fractional = pc.not_equal(pc.floor(parsed.values), parsed.values)
    fractional = pc.or_(fractional, pc.greater_equal(pc.abs(parsed.values), WHOLE_LIMIT))
    bad = pc.fill_null(fractional, False)
    if parsed.bad is not None:
        bad = pc.or_(pc.fill_null(parsed.bad, False), bad)
    return _Parsed(_nulled(parsed.values, bad), bad, parsed.shown, parsed.expected)


def _parse_bool(array: pa.Array) -> _Parsed:
    expected = "true/false (also yes/no, y/n, 1/0, 是/否)"
    if pa.types.is_boolean(array.type):
        return _Parsed(array, None, array, expected)
    text = _as_text(array)
    words = pc.utf8_lower(text)
    is_true = pc.is_in(words, value_set=pa.array(TRUE_WORDS))
    is_false = pc.is_in(words, value_set=pa.array(FALSE_WORDS))
    bad = pc.and_(pc.is_valid(text), pc.invert(pc.or_(is_true, is_false)))
    return _Parsed(_nulled(is_true, pc.is_null(text)), bad, text, expected)


def parse_failures(values: pa.Array, kind: str) -> pa.Array:
    """Where text `values` are not of `kind` (a period or a date, say), as typing would find:
    for rewriting cells (columns.yaml's layouts) before typing shows them as written."""
    parsed = _PARSERS[kind](values)
    if parsed.bad is None:
        return pa.array(np.zeros(len(values), dtype=bool))
    return pc.fill_null(parsed.bad, False)


_PARSERS = {
    "period": _parse_period,
    "date": _parse_date,
    "datetime": _parse_datetime,
    "number": _parse_number,
    "integer": _parse_integer,
    "bool": _parse_bool,
}


# ------------------------------------------------------------------------------------ domain checks


def _check_length(values: pd.Series, column: Column) -> list[Issue]:
    """Text longer than `column.longest`, shown cut with its length (a personal column's
    masked, `shown_personal`)."""
    lengths = values.str.len().to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        positions = np.flatnonzero(lengths > column.longest)
    if not positions.size:
        return []
    found = []
    for value in values.iloc[positions[:LISTED_PER_ISSUE]]:
        if column.name in PERSONAL_COLUMNS:
            found.append(shown_personal(column.name, value))
            continue
        shown = shown_cell(value)
        found.append(
            shown if len(value) > SHOWN_CHARACTERS else f"{shown} ({len(value)} characters)"
        )
    return [Issue(positions, f"text of at most {column.longest:,} characters", found)]


def _beyond_largest(values: pd.Series, whole: bool) -> tuple[pd.Series, Issue | None]:
    """`values` with the cells at or beyond LARGEST_NUMBER in magnitude made missing, and their
    Issue (None when there are none): such a figure is a broken export, which the rules' sums
    and casts would turn into garbage. Missing, they are checked against no minimum again."""
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        positions = np.flatnonzero(np.abs(numbers) >= LARGEST_NUMBER)
    if not positions.size:
        return values, None
    expected = f"{_noun(whole)} below {LARGEST_SHOWN} in magnitude (no real figure comes near)"
    values = values.copy()
    values.iloc[positions] = None
    return values, Issue(positions, expected, _numbers_found(numbers, positions, whole))


def _check_minimum(
    values: pd.Series, minimum: float, inclusive: bool, whole: bool = False
) -> list[Issue]:
    """Cells below the minimum; `whole` numbers (integer columns) are shown without a `.0`."""
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        below = numbers < minimum if inclusive else numbers <= minimum
    positions = np.flatnonzero(below)
    if not positions.size:
        return []
    sign = "≥" if inclusive else ">"
    found = _numbers_found(numbers, positions, whole)
    return [Issue(positions, f"{_noun(whole)} {sign} {minimum:g}", found)]


def _check_maximum(values: pd.Series, maximum: float, whole: bool = False) -> list[Issue]:
    """Cells above the maximum (a power factor of 92 written as a percent, or 1.2; a tier 4);
    `whole` numbers (integer columns) are shown without a `.0`."""
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        positions = np.flatnonzero(numbers > maximum)
    if not positions.size:
        return []
    found = _numbers_found(numbers, positions, whole)
    return [Issue(positions, f"{_noun(whole)} ≤ {maximum:g}", found)]


def _noun(whole: bool) -> str:
    """What a number column holds, as an expectation says it."""
    return "a whole number" if whole else "a number"


def _numbers_found(numbers: np.ndarray, positions: np.ndarray, whole: bool) -> list[str]:
    """The typed numbers at (the first LISTED_PER_ISSUE) `positions` as a problem shows them:
    `whole` numbers (integer columns) without a `.0`."""
    shown = numbers[positions[:LISTED_PER_ISSUE]]
    return [repr(int(value)) if whole else repr(float(value)) for value in shown]


def _check_choices(values: pd.Series, choices: tuple[float, ...]) -> list[Issue]:
    """Cells that are none of a standard's `choices` (up to float noise: 0.85 read as 0.8500000001)."""
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    known = np.isclose(numbers[:, None], np.asarray(choices, dtype=float)[None, :], atol=1e-9)
    positions = np.flatnonzero(~np.isnan(numbers) & ~known.any(axis=1))
    if not positions.size:
        return []
    found = [repr(float(value)) for value in numbers[positions[:LISTED_PER_ISSUE]]]
    listed = ", ".join(f"{choice:g}" for choice in choices)
    return [Issue(positions, f"one of {listed}", found)]


def _check_days(values: pd.Series, column: Column) -> list[Issue]:
    """Days outside the whole years pandas holds (FIRST_DAY's next to LAST_DAY's last), the end
    left open in a column that is an end of validity (only it may read 'never', 9999-12-31): a
    typing slip (0202 for 2022) that would crash a later stage."""
    first, last = FIRST_DAY.year + 1, LAST_DAY.year - 1  # the years the message states
    stamps = values.to_numpy(dtype="datetime64[us]")
    beyond = stamps < np.datetime64(f"{first}-01-01", "us")  # compared in µs: no overflow
    if not column.open_end:
        beyond |= stamps >= np.datetime64(f"{last + 1}-01-01", "us")
    positions = np.flatnonzero(beyond)
    if not positions.size:
        return []
    unit = "D" if column.kind == "date" else "s"
    shown = np.datetime_as_string(stamps[positions[:LISTED_PER_ISSUE]], unit=unit)
    found = [repr(value.item().replace("T", " ")) for value in shown]
    noun = "a date" if column.kind == "date" else "a date-time"
    years = f"from {first} on" if column.open_end else f"in the years {first} to {last}"
    return [Issue(positions, f"{noun} {years}", found)]

"""Names, addresses and phone numbers of the customer archive in one comparable form.

Chinese billing archives write one address many ways: full-width digits (１２号), Chinese numerals
(十二号), spaces and punctuation, traditional characters (號) or `#` for 号. `address_key` folds
those away and keeps the unit markers (号 弄 栋 幢 单元 楼 层 室 ...) with their numbers, so that
12号3室 and 十二号 3 室 are one unit while 12号3室 and 12号4室 stay two rooms of one building.
`street_key` is the address a phone match compares: the key from the street on, without the
administrative areas one record writes and another leaves out (城东区建设路1号 and 建设路1号 are one
address); a name and address match compares the whole key (`address_codes`).
The keys are vectorised over pandas Series (duplicate_account compares the whole archive): by
pyarrow where a value is plain text (`PLAIN_TEXT`: most of an archive), else by the per-value
functions `name_text_key`, `address_text_key`, `street_text_key` and `phone_text_key`, which
define the keys
(pyarrow's keys are the same: tests/rules/test_addresses.py compares them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Characters that mark a unit of an address; a Chinese numeral before one is a number.
UNIT_MARKERS = ("单元", "号", "弄", "栋", "幢", "座", "楼", "层", "室", "户")
#: Traditional or alternative forms of the markers, after NFKC (which makes ＃ a #).
MARKER_VARIANTS = {"號": "号", "棟": "栋", "單元": "单元", "層": "层", "#": "号"}
_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS |= {"七": 7, "八": 8, "九": 9}
_POWERS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_POWERS)
_MARKERS = "|".join(UNIT_MARKERS)
_NUMERAL = re.compile(f"([{_NUMERAL_CHARS}]+)(?={_MARKERS})")
_NUMERAL_BEFORE_MARKER_OR_VARIANT = "|".join(
    [f"[{_NUMERAL_CHARS}](?:{_MARKERS})", *MARKER_VARIANTS]
)
_NOT_WORD = re.compile(r"[\W_]+")
_NOT_DIGIT = re.compile(r"\D+")
_COUNTRY_PREFIX = re.compile(r"^(?:00)?86(?=1\d{10}$)")
#: Shortest phone number compared (a landline without area code has 7 digits).
MIN_PHONE_DIGITS = 7
#: Plain text (RE2, as pyarrow reads it): ASCII letters and digits and CJK Unified Ideographs
#: only. NFKC leaves each of them as it is, case folding changes only A-Z (to a-z), all are
#: word characters and 0-9 their only digits: a plain name's key is the name in lower case.
PLAIN_TEXT = r"^[0-9A-Za-z\x{4e00}-\x{9fff}]*$"
_AREA_NAMES = "省|自治区|市|区|县|旗|镇|乡|街道"
#: Characters that end a street's name or a house number, never part of an area's name.
_NOT_AREA_NAME = r"[^0-9路街巷弄号]"
#: One administrative area: a name of one character at least, then its level (南京市, 欢口镇):
#: a level word alone (镇海路, 市场路) begins a street's name, not an area.
_AREA = rf"{_NOT_AREA_NAME}+?(?:{_AREA_NAMES})"
#: What an address must go on with after its areas for them to be taken off: a street, lane,
#: village or estate named by two characters at least (人民路, 张庄村, 阳光小区). Never a key that
#: starts mid-name: 北市街 keeps 北市, 东乡路 its 东乡, 农贸市场路 its 农贸市 (场路 is no name).
_STREET = rf"{_NOT_AREA_NAME}{{2,}}?(?:路|街|巷|弄|道|村|里|胡同|小区|花园|苑|园|庄|屯)"
#: The administrative areas at the head of an address key (省, 自治区, 市, 区, 县, 旗, 镇, 乡, 街道)
#: before a street (`_STREET`): what one record writes and another leaves out.
LEADING_AREAS = re.compile(rf"^(?:{_AREA})+(?={_STREET})")
#: `LEADING_AREAS` as pyarrow's RE2 reads it (no lookahead): the areas, then the street's name,
#: which the replacement keeps.
_LEADING_AREAS_KEPT_STREET = rf"^((?:{_AREA})+)({_STREET})"


def chinese_number(numeral: str) -> int:
    """A Chinese numeral as an integer: positional (一百零三 = 103, 十二 = 12) or written digit
    by digit (二〇三 = 203)."""
    if not any(char in _POWERS for char in numeral):
        value = 0
        for char in numeral:
            value = value * 10 + _DIGITS[char]
        return value
    total, digit = 0, None
    for char in numeral:
        if char in _POWERS:
            total += (1 if digit is None else digit) * _POWERS[char]
            digit = None
        else:
            digit = _DIGITS[char]
    return total + (digit or 0)


def _arabic(match: re.Match) -> str:
    return str(chinese_number(match.group(1)))


def _separator(match: re.Match) -> str:
    """Punctuation or spaces between two digits separate numbers (12-3 is not 123): one '-';
    elsewhere they go."""
    text, start, end = match.string, match.start(), match.end()
    between = start > 0 and end < len(text) and text[start - 1].isdigit() and text[end].isdigit()
    return "-" if between else ""


def _folded(text: str) -> str:
    """Text in NFKC (full-width forms to half-width), lower case."""
    return unicodedata.normalize("NFKC", text).casefold()


def name_text_key(name: str) -> str:
    """One name without width, case, spaces or punctuation."""
    return _NOT_WORD.sub("", _folded(name))


def address_text_key(address: str) -> str:
    """One address without width, case, spaces, punctuation or numeral script, unit markers
    kept."""
    text = _folded(address)
    for variant, marker in MARKER_VARIANTS.items():
        text = text.replace(variant, marker)
    text = _NUMERAL.sub(_arabic, text)
    return _NOT_WORD.sub(_separator, text)


def street_text_key(address: str) -> str:
    """One address's key (`address_text_key`) from the street on: without its leading
    administrative areas (`LEADING_AREAS`)."""
    return LEADING_AREAS.sub("", address_text_key(address), count=1)


def phone_text_key(phone: str) -> str:
    """One phone number as its digits, without a +86 / 0086 country prefix on a mobile number;
    '' where fewer than `MIN_PHONE_DIGITS` digits remain."""
    digits = _COUNTRY_PREFIX.sub("", _NOT_DIGIT.sub("", _folded(phone)))
    return digits if len(digits) >= MIN_PHONE_DIGITS else ""


def _plain_names(names: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Which names are plain text, and their keys (valid where plain)."""
    return pc.match_substring_regex(names, PLAIN_TEXT), pc.ascii_lower(names)


def _plain_addresses(addresses: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Which addresses are plain text without a marker's variant or a Chinese numeral before a
    marker, and their keys (valid where so): nothing to replace."""
    replaced = pc.match_substring_regex(addresses, _NUMERAL_BEFORE_MARKER_OR_VARIANT)
    plain = pc.and_(pc.match_substring_regex(addresses, PLAIN_TEXT), pc.invert(replaced))
    return plain, pc.ascii_lower(addresses)


def _plain_streets(addresses: pa.Array) -> tuple[pa.Array, pa.Array]:
    """`_plain_addresses` with the keys' leading administrative areas taken off."""
    plain, keys = _plain_addresses(addresses)
    return plain, pc.replace_substring_regex(keys, _LEADING_AREAS_KEPT_STREET, r"\2")


def _ascii_phones(phones: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Which phone numbers are ASCII (NFKC leaves it as it is, 0-9 its only digits), and their
    keys (valid where ASCII)."""
    digits = pc.replace_substring_regex(phones, "[^0-9]+", "")
    digits = pc.replace_substring_regex(digits, "^(?:00)?86(1[0-9]{10})$", r"\1")
    short = pc.less(pc.utf8_length(digits), MIN_PHONE_DIGITS)
    return pc.string_is_ascii(phones), pc.if_else(short, "", digits)


def _key_text(
    values: pd.Series,
    vectorised: Callable[[pa.Array], tuple[pa.Array, pa.Array]],
    one: Callable[[str], str],
) -> pa.Array:
    """Each value's key ('' where missing): by `vectorised` where its mask says it can, else by
    `one`."""
    text = pa.array(values.astype("string").array)
    if isinstance(text, pa.ChunkedArray):  # pandas' arrow storage hands over its chunks
        text = text.combine_chunks()
    done, keys = vectorised(text)
    rest = pc.invert(pc.fill_null(done, True))  # a missing value's key is ''
    others = [one(value) for value in pc.filter(text, rest).to_pylist()]
    if others:
        keys = pc.replace_with_mask(keys, rest, pa.array(others, keys.type))
    return pc.fill_null(keys, "")


def _keys(
    values: pd.Series,
    vectorised: Callable[[pa.Array], tuple[pa.Array, pa.Array]],
    one: Callable[[str], str],
) -> pd.Series:
    """Each value's key as text ('' where missing)."""
    keys = _key_text(values, vectorised, one).to_numpy(zero_copy_only=False)
    return pd.Series(keys, index=values.index, name=values.name, dtype=object)


def _codes(
    values: pd.Series,
    vectorised: Callable[[pa.Array], tuple[pa.Array, pa.Array]],
    one: Callable[[str], str],
) -> np.ndarray:
    """Each value's key as a code: equal keys, equal codes; -1 where the key is '' (nothing
    recorded, or missing)."""
    encoded = _key_text(values, vectorised, one).dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    codes[codes == pc.index(encoded.dictionary, "").as_py()] = -1  # index -1: no ''
    return codes


def name_key(names: pd.Series) -> pd.Series:
    """Names compared without width, case, spaces or punctuation ('' where missing)."""
    return _keys(names, _plain_names, name_text_key)


def address_key(addresses: pd.Series) -> pd.Series:
    """Addresses compared without width, case, spaces, punctuation or numeral script, unit
    markers kept ('' where missing)."""
    return _keys(addresses, _plain_addresses, address_text_key)


def phone_key(phones: pd.Series) -> pd.Series:
    """Phone numbers as their digits, without a +86 / 0086 country prefix on mobile numbers;
    '' where fewer than `MIN_PHONE_DIGITS` digits remain (a placeholder is no number)."""
    return _keys(phones, _ascii_phones, phone_text_key)


def name_codes(names: pd.Series) -> np.ndarray:
    """`name_key` as codes (-1 for ''): what duplicate_account compares, without the text."""
    return _codes(names, _plain_names, name_text_key)


def address_codes(addresses: pd.Series) -> np.ndarray:
    """`address_key` as codes (-1 for ''): the whole address, as a name and address match
    compares it."""
    return _codes(addresses, _plain_addresses, address_text_key)


def street_key(addresses: pd.Series) -> pd.Series:
    """Addresses compared from the street on (`street_text_key`): `address_key` without the
    leading administrative areas, so that 城东区建设路1号 and 建设路1号 are one address while
    解放路12号 and 人民路88号, or room 3 and room 4 of one house, stay two ('' where missing)."""
    return _keys(addresses, _plain_streets, street_text_key)


def street_codes(addresses: pd.Series) -> np.ndarray:
    """`street_key` as codes (-1 for ''): the address duplicate_account's phone match
    compares."""
    return _codes(addresses, _plain_streets, street_text_key)


def phone_codes(phones: pd.Series) -> np.ndarray:
    """`phone_key` as codes (-1 for '')."""
    return _codes(phones, _ascii_phones, phone_text_key)

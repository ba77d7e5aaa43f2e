"""Names, addresses and phone numbers of the customer archive in one comparable form.

Chinese billing archives write one address many ways: full-width digits (１２号), Chinese numerals
(十二号), spaces and punctuation, traditional characters (號) or `#` for 号. `address_key` folds
those away and keeps the unit markers (号 弄 栋 幢 单元 楼 层 室 ...) with their numbers, so that
12号3室 and 十二号 3 室 are one unit while 12号3室 and 12号4室 stay two rooms of one building.
The keys are vectorised over pandas Series (duplicate_account compares the whole archive).
"""

from __future__ import annotations

import re

import pandas as pd

#: Characters that mark a unit of an address; a Chinese numeral before one is a number.
UNIT_MARKERS = ("单元", "号", "弄", "栋", "幢", "座", "楼", "层", "室", "户")
#: Traditional or alternative forms of the markers, after NFKC (which makes ＃ a #).
MARKER_VARIANTS = {"號": "号", "棟": "栋", "單元": "单元", "層": "层", "#": "号"}
_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS |= {"七": 7, "八": 8, "九": 9}
_POWERS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = re.compile("([〇零一二两三四五六七八九十百千]+)(?=" + "|".join(UNIT_MARKERS) + ")")
_NOT_WORD = re.compile(r"[\W_]+")
_NOT_DIGIT = re.compile(r"\D+")
#: Shortest phone number compared (a landline without area code has 7 digits).
MIN_PHONE_DIGITS = 7


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


def _folded(values: pd.Series) -> pd.Series:
    """Text in NFKC (full-width forms to half-width), lower case, missing as ''."""
    text = values.astype("string").fillna("")
    return text.str.normalize("NFKC").str.casefold()


def name_key(names: pd.Series) -> pd.Series:
    """Names compared without width, case, spaces or punctuation ('' where missing)."""
    return _folded(names).str.replace(_NOT_WORD, "", regex=True).astype(object)


def address_key(addresses: pd.Series) -> pd.Series:
    """Addresses compared without width, case, spaces, punctuation or numeral script, unit
    markers kept ('' where missing)."""
    text = _folded(addresses)
    for variant, marker in MARKER_VARIANTS.items():
        text = text.str.replace(variant, marker, regex=False)
    text = text.str.replace(_NUMERAL, _arabic, regex=True)
    return text.str.replace(_NOT_WORD, _separator, regex=True).astype(object)


def phone_key(phones: pd.Series) -> pd.Series:
    """Phone numbers as their digits, without a +86 / 0086 country prefix on mobile numbers;
    '' where fewer than `MIN_PHONE_DIGITS` digits remain (a placeholder is no number)."""
    digits = _folded(phones).str.replace(_NOT_DIGIT, "", regex=True)
    digits = digits.str.replace(r"^(?:00)?86(?=1\d{10}$)", "", regex=True)
    return digits.where(digits.str.len() >= MIN_PHONE_DIGITS, "").astype(object)

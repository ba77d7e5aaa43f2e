"""Masking of personal fields (name, address, phone): every output file shows them masked
unless masking is turned off, so reports, workbooks and field sheets mask them the same way.

A masked value stays recognisable to someone who holds the record (the family name, the first
and last digits of a number, the district of an address) and hides what picks out one person:

- name: the family name only, `张三丰` -> `张**`.
- phone: a mobile as the national convention shows it, `13812345678` -> `138****5678`; any other
  number hides more than half of its digits and at least 4 (`80000093` -> `8*****93`), an area
  code shown in full (`0571-88001234` -> `0571-8*****34`); no number shows more than the 7
  digits a mobile does (a country code, `+86`, aside).
- address: the administrative prefix (province, city, district, county, town, street office)
  and nothing after it, `城东区中山路831号` -> `城东区****`; never a digit (a house number).
"""

from __future__ import annotations

import re

import pandas as pd

#: The customer columns that hold personal data.
PERSONAL_COLUMNS = ("name", "address", "phone")

#: What a masked address shows after its kept prefix, whatever the length of the rest.
HIDDEN_TEXT = "****"
#: At most this many leading characters of an address are kept, however many markers follow.
ADDRESS_PREFIX = 10
#: Kept when an address starts with no administrative prefix (a street, a building).
ADDRESS_FALLBACK = 2
#: The ends of administrative divisions (省, 市, 区, 县, 镇, 乡, 街道); the 区 of 小区 (a housing
#: estate, which with its building narrows an address to a few households) is none.
_DIVISION_END = re.compile(r"省|市|(?<!小)区|县|镇|乡|街道")
#: The start an address with no administrative prefix keeps: characters up to its first digit.
_NO_DIGITS = re.compile(r"\D*")
#: The characters an administrative prefix is written in: Chinese characters only, so that a
#: digit, a letter (`B区`) or a space ends it.
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]*")

#: Characters a phone number is written with besides digits; they are shown where they stand, and
#: any other character (a letter, a control character) is masked like a digit.
_PHONE_SEPARATORS = frozenset(" -()+./")
#: Digits a mobile shows (first 3, last 4): no number shows more.
_MOBILE_HEAD, _MOBILE_TAIL = 3, 4
#: Digits any phone number hides at the least.
_LEAST_HIDDEN = 4
_MOBILE = re.compile(r"1[3-9]\d{9}")


def mask_name(value: str) -> str:
    """Keep the family name (first character), one `*` for each other character: 张三丰 -> 张**,
    欧阳娜娜 -> 欧*** (of a two-character family name the first only). A one-character name (a
    family name alone) gets one `*` too, 张 -> 张*, so that it never shows unmasked."""
    if not value:
        return value
    return value[:1] + "*" * max(len(value) - 1, 1)


def mask_phone(value: str) -> str:
    """Mask the digits of a phone number, counting digits whatever is written between them.

    - An 11-digit mobile (1[3-9]…) keeps its first 3 and last 4 digits (the national convention):
      13812345678 -> 138****5678, `138 1234 5678` -> `138 **** 5678`.
    - A country code (`+86`, `0086`) is kept and the number after it masked as without it:
      `+86 138 1234 5678` -> `+86 138 **** 5678`.
    - A number with an area code (0 and 2 or 3 digits: `010`, `021`, `0571`, then 7 or 8 digits)
      keeps the area code and masks the local number: `0571-88001234` -> `0571-8*****34`.
    - Any other number (a local landline, a short code, a broken value) hides more than half its
      digits and at least 4, keeping the rest split between its ends, the last ones favoured
      (people recognise a number by its last digits) and never more than a mobile keeps (first 3,
      last 4): 80000093 -> 8*****93, `2222-0542` -> `2***-**42`, 95598 -> ****8, 110 -> ***.
      Hiding more than half (not just half) keeps an area-code number within the 7 digits a
      mobile shows: 4 of the area code and 3 of an 8-digit local number.

    Separators (space, `-`, `(`, `)`, `+`, `.`, `/`) stay where they are; every other character
    that is not a kept digit becomes `*`, so the masked text is as long as the value."""
    digits = [i for i, c in enumerate(value) if c.isdigit()]
    number = "".join(value[i] for i in digits)
    kept = _kept_digits(number, international=value.lstrip().startswith(("+", "00")))
    shown = {digits[i] for i in kept}
    return "".join(c if i in shown or c in _PHONE_SEPARATORS else "*" for i, c in enumerate(value))


def _kept_digits(number: str, international: bool) -> set[int]:
    """Positions (in `number`, digits only) of the digits a masked phone number shows."""
    country = 0
    if number.startswith("0086") and (international or len(number) == 15):
        country = 4
    elif number.startswith("86") and (international or _MOBILE.fullmatch(number[2:])):
        country = 2
    national = number[country:]
    if _MOBILE.fullmatch(national):
        head, tail = _MOBILE_HEAD, _MOBILE_TAIL
        return {*range(country + head), *range(len(number) - tail, len(number))}
    area = _area_code(national, domestic=not country)
    local = len(national) - area
    hidden = max(_LEAST_HIDDEN, local // 2 + 1)
    shown = max(local - hidden, 0)
    head = min(shown // 2, _MOBILE_HEAD)
    tail = min(shown - shown // 2, _MOBILE_TAIL)
    start = country + area
    return {*range(start + head), *range(len(number) - tail, len(number))}


def _area_code(national: str, domestic: bool) -> int:
    """Length of the area code `national` starts with (0 when it starts with none): 010, 02x
    and 0 with 3 digits else, then a local number of 7 or 8 digits. A `domestic` number (no
    country code) writes it with its 0; after a country code the 0 may be left out
    (`+86 571 8800 1234`)."""
    zero = 1 if national.startswith("0") else 0
    if (domestic and not zero) or len(national) <= zero:
        return 0
    area = zero + (2 if national[zero] in "12" else 3)
    return area if len(national) - area in (7, 8) else 0


def mask_address(value: str) -> str:
    """Keep the administrative prefix and hide the rest behind `****`.

    The prefix runs up to the last end of a division (省, 市, 区, 县, 镇, 乡, 街道) within the
    first 10 characters, in Chinese characters only: 浙江省杭州市西湖区幸福路9号 -> 浙江省杭州市西湖区****,
    城东区中山路831号 -> 城东区****. An address with no such prefix keeps at most its first 2
    characters and never a digit: 中山路356号4室 -> 中山****, 12号楼 -> ****. A street, a
    housing estate or a house number never shows: with them an address names a household."""
    if not value:
        return value
    chinese = _CHINESE.match(value, 0, ADDRESS_PREFIX).group()
    ends = [found.end() for found in _DIVISION_END.finditer(chinese)]
    if ends:
        return value[: ends[-1]] + HIDDEN_TEXT
    return _NO_DIGITS.match(value, 0, ADDRESS_FALLBACK).group() + HIDDEN_TEXT


_MASKERS = {"name": mask_name, "phone": mask_phone, "address": mask_address}


def mask_value(column: str, value: str) -> str:
    """`value` of the personal `column` (name, address or phone) masked as outputs mask it."""
    return _MASKERS[column](value)


def mask_personal(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with the personal columns (name, address, phone) masked."""
    masked = frame.copy()
    for column, masker in _MASKERS.items():
        if column in masked.columns:
            masked[column] = masked[column].map(
                lambda value, mask=masker: value if pd.isna(value) else mask(str(value))
            )
    return masked

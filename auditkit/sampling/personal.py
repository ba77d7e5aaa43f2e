"""Which carried columns of a field sheet hold personal data, and how they are masked.

A field sheet is an output file like any other: with masking on (the default) a carried column
holding a name, an address or a phone is written masked, on the visible sheet and in the hidden
copy of the selection alike, by `auditkit.masking.mask_value` as every report masks it. A carried
column is personal when its header is a contract column of `PERSONAL_COLUMNS` (`name`,
`address`, `phone`) or a report's label for one (户名, 用电地址, 联系电话, Name, Address, Phone;
case, spaces and full/half width ignored), or when it holds a word billing exports spell one
with (`PERSONAL_WORDS`: 用户名称 and 客户名称 hold 户名, 联系地址 地址, 手机号 手机), a word
inside a technical compound of `TECHNICAL_COMPOUNDS` or before a closing 核对 not counting
(表计通信地址, IP地址, 台区地址码 and 抄表段电话核对 name a device or a check, no person's
data); others are marked with `personal` (--personal). A carried column given in `keep` (--keep) is written as it is whatever its header
says. Ids are not personal: the returned sheet is checked against them, so they are written as
they are.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping, Sequence

import pandas as pd

from auditkit import i18n
from auditkit.errors import ParameterError
from auditkit.masking import PERSONAL_COLUMNS, mask_value

#: Words of a billing export's header that make a column personal, by the contract column whose
#: masker it takes; looked for in this order (联系人电话 is a phone, 联系人 a name).
PERSONAL_WORDS: dict[str, tuple[str, ...]] = {
    "phone": ("电话", "手机"),
    "address": ("地址", "住址"),
    "name": ("户名", "姓名", "户主", "联系人"),
}
#: Compounds holding a word of `PERSONAL_WORDS` that name a device's address or a check's
#: outcome, never a person's data: a header's compounds are taken out before its words are looked
#: for (compared as `_plain` compares: case and width ignored). A device's address is one of a
#: network (IP地址, MAC地址), a code (地址码: 台区地址码) or a meter's or a terminal's bus address
#: (表计地址, 表计通信地址, 电能表通讯地址, 终端通信地址); a bare 通信地址 or 通讯地址 is a customer's
#: mailing address on a billing export and stays personal. The list is closed: a header it does
#: not cover is masked by its words, and --keep writes one column as it is.
TECHNICAL_COMPOUNDS: tuple[str, ...] = (
    "ip地址",
    "mac地址",
    "地址码",
    "表计地址",
    "电表地址",
    "表通信地址",
    "表通讯地址",
    "表计通信地址",
    "表计通讯地址",
    "终端地址",
    "终端通信地址",
    "终端通讯地址",
)
#: A header ending in a word of `PERSONAL_WORDS` followed by this is a check's outcome (抄表段电话核对:
#: 是/否), that word no person's data; 户名核对人 (a person) does not end so and stays personal.
CHECKED = "核对"
#: Why an id column cannot be marked personal.
ID_KEPT = "an id column is written as it is, the returned sheet being checked against it"
#: How a column given as personal without a kind is masked: as a name, the most hidden of the
#: three (only the first character kept).
DEFAULT_KIND = "name"


def _plain(header: object) -> str:
    """A header as compared: full/half width, case and spaces ignored."""
    return "".join(unicodedata.normalize("NFKC", str(header)).casefold().split())


@functools.cache
def _labels() -> dict[str, str]:
    """Each header naming a personal column outright → its contract column: the column itself
    and the labels reports give it in every language (`common.name` is 户名 / Name)."""
    labels = {_plain(column): column for column in PERSONAL_COLUMNS}
    for column in PERSONAL_COLUMNS:
        for lang in i18n.LANGS:
            labels.setdefault(_plain(i18n.text(f"common.{column}", lang)), column)
    return labels


def personal_kind(header: object) -> str | None:
    """The contract column (`name`, `address`, `phone`) whose masker a column of this header
    takes, or None when the header names no personal data: a report's label for one, else the
    first kind one of whose `PERSONAL_WORDS` the header holds outside its `TECHNICAL_COMPOUNDS`
    and outside a check (`CHECKED`) ending it."""
    plain = _plain(header)
    known = _labels().get(plain)
    if known is not None:
        return known
    for compound in sorted(TECHNICAL_COMPOUNDS, key=len, reverse=True):
        plain = plain.replace(compound, "\0")  # a stop, so that no word is joined across it
    for word in (word for words in PERSONAL_WORDS.values() for word in words):
        if plain.endswith(word + CHECKED):
            plain = plain[: -len(word + CHECKED)]
    for kind, words in PERSONAL_WORDS.items():
        if any(word in plain for word in words):
            return kind
    return None


def personal_columns(
    carry: Sequence[str],
    personal: Mapping[str, str | None] | Sequence[str] = (),
    mask: bool = True,
    names: tuple[str, ...] = ("carry", "personal", "mask", "keep"),
    keep: Sequence[str] = (),
) -> dict[str, str]:
    """The carried columns to mask, each → the contract column whose masker it takes: those whose
    header names personal data (`personal_kind`) and those `personal` marks (a sequence of
    columns, masked as names, or a mapping of column → name, address or phone, which overrides
    the kind a header gives), less those `keep` names (written as they are whatever their
    header says); none with `mask` off. A ParameterError naming the flag (`names`: carry,
    personal, mask, keep) for a `personal` or `keep` column not carried, a kind that is none of
    the three, a column both in `personal` and in `keep`, or `personal` or `keep` given with
    masking off."""
    carry_name, personal_name, mask_name, keep_name = names
    if not isinstance(mask, bool):  # "false" is no False: masking stays on only by a bool
        raise ParameterError(mask_name, "True or False", mask)
    if isinstance(personal, str):  # one column, not its characters
        personal = [personal]
    if isinstance(keep, str):
        keep = [keep]
    marked = dict(personal) if isinstance(personal, Mapping) else dict.fromkeys(personal, None)
    kept = list(dict.fromkeys(keep))
    if not mask:
        for name, given in ((personal_name, list(marked)), (keep_name, kept)):
            if given:
                raise ParameterError(
                    name,
                    f"no {name} with {mask_name} (every carried column is written as it is)",
                    ", ".join(map(str, given)),
                )
        return {}
    carried = ", ".join(carry) if carry else "none"
    for column, kind in marked.items():
        if column not in carry:
            raise ParameterError(
                personal_name,
                f"a carried column ({carry_name}: {carried}); {ID_KEPT}",
                column,
            )
        if kind is not None and kind not in PERSONAL_COLUMNS:
            raise ParameterError(
                personal_name, f"{column!r} masked as one of {', '.join(PERSONAL_COLUMNS)}", kind
            )
    for column in kept:
        if column not in carry:
            raise ParameterError(
                keep_name,
                f"a carried column ({carry_name}: {carried}); an id column is never masked",
                column,
            )
        if column in marked:
            raise ParameterError(
                keep_name,
                f"a column not also given as {personal_name} (masked or written as it is, "
                "not both)",
                column,
            )
    masked = {}
    for column in carry:
        if column in kept:
            continue
        kind = marked.get(column) or (DEFAULT_KIND if column in marked else personal_kind(column))
        if kind is not None:
            masked[column] = kind
    return masked


def personal_flags(given: Sequence[str], carry: Sequence[str]) -> dict[str, str | None]:
    """--personal as given, `[KIND=]COLUMN` each, as `personal_columns` takes it: a carried
    column written whole is that column (masked as a name); `name=`, `address=` or `phone=`
    before one masks it as that. A ParameterError naming --personal for anything else (the
    carried columns listed as --carry gives them, `carry`)."""
    marked: dict[str, str | None] = {}
    for text in given:
        kind, _, column = text.partition("=")
        if text in carry or kind not in PERSONAL_COLUMNS:
            kind, column = None, text
        if column not in carry:
            kinds = ", ".join(f"{each}=" for each in PERSONAL_COLUMNS[:-1])
            kinds += f" or {PERSONAL_COLUMNS[-1]}="
            listed = ", ".join(carry) if carry else "none"
            raise ParameterError(
                "--personal",
                f"a carried column (--carry: {listed}), alone or after {kinds}; {ID_KEPT}",
                text,
            )
        marked[column] = kind
    return marked


def masked_values(text: pd.Series, kind: str) -> pd.Series:
    """A carried column's values, as text, masked as the contract column `kind` masks
    (`mask_value`), an empty cell left empty."""
    return text.map(lambda value: value if pd.isna(value) else mask_value(kind, str(value)))

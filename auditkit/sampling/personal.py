"""Which carried columns of a field sheet hold personal data, and how they are masked.

A field sheet is an output file like any other: with masking on (the default) a carried column
holding a name, an address or a phone is written masked, on the visible sheet and in the hidden
copy of the selection alike, by `auditkit.masking.mask_personal` as every report masks it.
A carried column is personal when its header names personal data (`auditkit.data.personal_headers`,
which the loader's messages use too: `name`, 户名, 用电地址, 联系电话, 用户名称, 手机号…, not a
device's address as 表计通信地址 or IP地址, nor a check as 抄表段电话核对: no person's
data); others are marked with `personal` (--personal). A carried column given in `keep` (--keep) is written as it is whatever its header
says. Ids are not personal: the returned sheet is checked against them, so they are written as
they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from auditkit.data.personal_headers import personal_kind
from auditkit.errors import ParameterError
from auditkit.masking import PERSONAL_COLUMNS, mask_personal

#: Why an id column cannot be marked personal.
ID_KEPT = "an id column is written as it is, the returned sheet being checked against it"
#: How a column given as personal without a kind is masked: as a name, the most hidden of the
#: three (only the first character kept).
DEFAULT_KIND = "name"


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
    """A carried column's values, as text, masked as the contract column `kind` is in every
    output (`mask_personal`, so the two cannot drift), an empty cell left empty."""
    return mask_personal(text.to_frame(kind))[kind]

"""Text the register keeps from whoever calls it: a run's id and district, who sent or checked a
finding, the auditing bureau, where an event was read from. Each is held here, at the register's
boundary, to the check `auditkit validate` makes of a key-like text cell (`refused_text`: no
control or invisible character, at most as many characters as its place holds), so a library
caller, the command line and a returned sheet are refused alike. And the id a run gets when its
caller gives none, kept within RUN_ID_LENGTH."""

from __future__ import annotations

import hashlib

from auditkit.data.column_typing import checked_key_text, refused_text
from auditkit.data.schema import KEY_CHARACTERS
from auditkit.register.schema import ACTOR_LENGTH, RUN_ID_LENGTH, SOURCE_LENGTH

#: The most characters of each text the register keeps from its caller. A district and an
#: auditing bureau are districts of the data, held to its key length.
TEXT_LENGTHS = {
    "run_id": RUN_ID_LENGTH,
    "district": KEY_CHARACTERS,
    "actor": ACTOR_LENGTH,
    "auditor": KEY_CHARACTERS,
    "source": SOURCE_LENGTH,
}
#: Hex digits of the hash that ends a folder name cut to fit a run's id.
_HASH_DIGITS = 8


def refused_register_text(field: str, text: str) -> str | None:
    """What the register's `field` (a key of TEXT_LENGTHS) expects when `text` holds a control
    or invisible character or is too long for it, None when it holds."""
    return refused_text(text, free_text=False, longest=TEXT_LENGTHS[field])


def checked_register_text(field: str, text: str, parameter: str | None = None) -> str:
    """`text` as given, or a ParameterError naming `parameter` (default: `field`, as a library
    caller names it; a command names its option, '--run-id') when the register would refuse it
    as its `field` (`refused_register_text`, `checked_key_text`)."""
    return checked_key_text(parameter or field, text, TEXT_LENGTHS[field])


def default_run_id(folder_name: str, rest: str) -> str:
    """The id of a run no id was given for: the dataset folder's name, then `rest` (the month
    and district, as its caller words them: ' 2025-06 城东'). A folder name too long for the
    id to fit RUN_ID_LENGTH keeps its end (where exports differ: a date, a district) after
    '…' and a hash of the whole name, so two long names never share an id and the same name
    always gives the same one."""
    whole = folder_name + rest
    if len(whole) <= RUN_ID_LENGTH:
        return whole
    digest = hashlib.sha256(folder_name.encode("utf-8")).hexdigest()[:_HASH_DIGITS]
    kept = RUN_ID_LENGTH - len(rest) - len(digest) - 1
    return f"{digest}…{folder_name[len(folder_name) - kept :]}{rest}"

"""Text typed on the command line that auditkit keeps outside the register: the auditing
district of a sample, the districts of a cross-audit round. It reaches the field sheets and the
reports, so it is held to the check `auditkit validate` makes of a key-like text cell. Text the
register keeps (a run's id, who sent a worklist, the auditing bureau) is checked by the
register's own `register.texts.checked_register_text`, the command naming its option."""

from __future__ import annotations

from auditkit.data.column_typing import refused_text
from auditkit.errors import ParameterError


def checked_text(option: str, text: str | None, longest: int) -> str | None:
    """`text` as given (None when the option was not given), or a ParameterError naming
    `option` when it holds a control or invisible character (a line break, an escape that
    retitles the terminal, a direction override that reverses a report cell) or is longer than
    `longest` characters: the wording of `refused_text`. Text that looks like a formula (=1+1)
    is kept: every file auditkit writes keeps it text (`auditkit.formulas`)."""
    if text is None:
        return None
    expected = refused_text(text, free_text=False, longest=longest)
    if expected is not None:
        raise ParameterError(option, expected, text)
    return text

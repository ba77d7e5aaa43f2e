"""Errors of the sampling workflow: bad data in a frame or a returned field sheet."""

from __future__ import annotations

from collections.abc import Sequence

from auditkit.errors import AuditkitError


class SampleDataError(AuditkitError, ValueError):
    """A table given to plan, select or evaluate cannot be used as it is.

    The message names the table, the column (and the row where one is at fault), what was expected
    and what was found.
    """


class FieldSheetError(SampleDataError):
    """A field sheet returned by the inspectors does not match its selection or is incomplete.

    Each problem is one line naming the file, the sheet, the row (as Excel numbers it) and the
    column, what was expected and what was found; `problems` lists them (every problem of the
    sheet, not only the first).
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems = list(problems) or [message]
        super().__init__("\n".join([message, *problems]) if problems else message)

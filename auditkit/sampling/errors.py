"""Errors of the sampling workflow: bad data in a frame or a returned field sheet."""

from __future__ import annotations

from auditkit.errors import AuditkitError


class SampleDataError(AuditkitError, ValueError):
    """A table given to plan, select or evaluate cannot be used as it is.

    The message names the table, the column (and the row where one is at fault), what was expected
    and what was found.
    """


class FieldSheetError(SampleDataError):
    """A field sheet returned by the inspectors does not match its selection or is incomplete.

    The message names the file, the sheet row (as Excel numbers it) and the column.
    """

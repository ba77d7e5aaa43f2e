"""Requirements of the statistics and cross-audit inputs: the columns a table must have, and enough data to compute on, with errors written for users."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from auditkit.errors import AuditkitError


class ColumnError(AuditkitError, KeyError):
    """A table lacks columns a computation needs; the message names the table and the columns."""

    def __init__(
        self, table: str, missing: Iterable[str], found: Iterable[str], hint: str = ""
    ) -> None:
        self.table = table
        self.missing = list(missing)
        self.found = list(found)
        super().__init__(
            f"table {table!r}: expected column(s) {', '.join(map(repr, self.missing))}, "
            f"found only {', '.join(map(repr, self.found)) or 'no columns'}"
            + (f" ({hint})" if hint else "")
        )

    def __str__(self) -> str:
        # KeyError would quote the message; users should read it as written.
        return str(self.args[0])


class InsufficientDataError(AuditkitError, ValueError):
    """Too little data for a statistic to mean anything; the message says what is needed."""


def require_columns(frame: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    """Raise ColumnError naming `table` when `frame` lacks any of `columns`."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ColumnError(table, missing, map(str, frame.columns))

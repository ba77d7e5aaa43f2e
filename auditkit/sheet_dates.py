"""A day typed into a returned sheet (a worklist's checked_on, a field sheet's inspected_at), read
one way wherever auditkit reads one: a date cell, the serial number Excel keeps a date as (a
whole number in a cell not formatted as a date), or text year first. Anything else is a problem
named at its row and column, never a guess: a number read as nanoseconds since 1970, or a time
of day cut off, would date a check on a day nobody chose."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Protocol

import numpy as np
import pandas as pd
from openpyxl.utils.datetime import from_excel, to_excel

FIRST_YEAR, LAST_YEAR = 2000, 2100
_DATE = re.compile(
    r"^\s*(?P<year>\d{4})(?:(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
    r"|\s*年\s*(?P<zh_month>\d{1,2})\s*月\s*(?P<zh_day>\d{1,2})\s*日?)\s*$",
    re.ASCII,
)
#: The last serial number Excel keeps a date as (9999-12-31).
_LAST_SERIAL = 2958465


class RowProblems(Protocol):
    """Where a sheet reader collects the problems of its rows."""

    def add(self, sheet_row: int, column: str, text: str) -> None: ...

    def expected(self, sheet_row: int, column: str, expected: str, value: object) -> None: ...


def sheet_day(
    value: object, problems: RowProblems, sheet_row: int, column: str, epoch: dt.datetime
) -> pd.Timestamp | None:
    """The day of a filled cell, FIRST_YEAR to LAST_YEAR: a date cell, a whole number in a cell
    not formatted as a date (the serial number Excel keeps a date as, from the workbook's
    `epoch`), or text year first: 2025-07-15, 2025/7/15, 2025.7.15, 2025年7月15日. Day-first or
    month-first text (15/07/2025, 07/15/2025) cannot be told apart and is a problem, and so is a
    date cell with a time of day (a serial number with a fraction, 46362.9, typed into the date
    column: a time or a slip, shown there as a whole day); None after adding it."""
    expected = f"a date YYYY-MM-DD between {FIRST_YEAR} and {LAST_YEAR}"
    date = None
    if isinstance(value, dt.date | np.datetime64):
        date = pd.Timestamp(value)
        if date != date.normalize():
            serial = round(to_excel(date.to_pydatetime(), epoch), 6)
            problems.add(
                sheet_row,
                column,
                f"expected {expected} (a whole day), found the serial number {serial!r} in a "
                f"date cell: {date:%Y-%m-%d} at {date:%H:%M:%S}",
            )
            return None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        serial = float(value)
        if serial.is_integer() and 0 < serial <= _LAST_SERIAL:
            date = pd.Timestamp(from_excel(serial, epoch)).normalize()
    elif isinstance(value, str) and (match := _DATE.match(unicodedata.normalize("NFKC", value))):
        try:
            month, day = match["month"] or match["zh_month"], match["day"] or match["zh_day"]
            date = pd.Timestamp(int(match["year"]), int(month), int(day))
        except ValueError:
            date = None
    if date is None or not FIRST_YEAR <= date.year <= LAST_YEAR:
        if isinstance(value, dt.date | np.datetime64):  # a date cell: say which date it holds
            problems.add(
                sheet_row,
                column,
                f"expected {expected}, found the date {pd.Timestamp(value):%Y-%m-%d}",
            )
        else:
            problems.expected(sheet_row, column, expected, value)
        return None
    return date

"""The window of an audit-cycle report: the last recorded months up to `as_of`, and the days
whose field events belong to them.

Each month recorded in the register (a run's `as_of`) opens a cycle of field work on its
findings: from the first day of the next calendar month (the run is made once the month's bills
are in) until the next recorded month's cycle begins. The first recorded month's cycle also takes
any earlier event, and the latest one has no end, so every event belongs to exactly one cycle and
reports of consecutive months never count an event twice. A window of `months` recorded months
takes the events of their cycles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from auditkit.checks import positive_int
from auditkit.errors import ParameterError
from auditkit.periods import is_period, month_end, month_number


@dataclass(frozen=True)
class Window:
    """Recorded months of the window (oldest first), and the days its events fall in: from
    `start` (None: from the beginning) up to the day before `end` (None: no end)."""

    months: tuple[str, ...]
    start: pd.Timestamp | None
    end: pd.Timestamp | None

    @property
    def first(self) -> str:
        """The window's first recorded month."""
        return self.months[0]

    @property
    def last(self) -> str:
        """The window's last recorded month."""
        return self.months[-1]

    def before_end(self, days: pd.Series) -> pd.Series:
        """Which of `days` happened before the window ends (all, without an end)."""
        return pd.Series(True, index=days.index) if self.end is None else days < self.end

    def inside(self, days: pd.Series) -> pd.Series:
        """Which of `days` fall in the window (NaT: none)."""
        after = days.notna() if self.start is None else days >= self.start
        return after & self.before_end(days)


def cycle_window(recorded: Iterable[str], as_of: str = "", months: int = 12) -> Window:
    """The last `months` recorded months up to `as_of` ('YYYY-MM'; empty: the latest recorded)
    and their cycles' days. `recorded` must hold at least one month; an `as_of` before every
    recorded month is refused."""
    count = positive_int("months", months)
    recorded_months = sorted({str(month) for month in recorded})
    if not recorded_months:
        raise ParameterError("recorded", "at least one recorded month", "none")
    if as_of and not is_period(as_of):
        raise ParameterError("as_of", "a month 'YYYY-MM' (or empty for the latest recorded)", as_of)
    last = as_of or recorded_months[-1]
    upto = [month for month in recorded_months if month <= last]
    if not upto:
        raise ParameterError(
            "as_of", f"a month from {recorded_months[0]} on (the first recorded)", as_of
        )
    chosen = tuple(upto[-count:])
    later = [month for month in recorded_months if month > chosen[-1]]
    start = None if chosen[0] == recorded_months[0] else cycle_start(chosen[0])
    end = cycle_start(later[0]) if later else None
    return Window(chosen, start, end)


def previous_cycle(recorded: Iterable[str], month: str) -> Window:
    """The cycle that ends where `month`'s begins: that of the last recorded month before
    `month` (its months; the first recorded month's takes any earlier event), or, without one,
    every day before `month`'s cycle (no month). `month` need not be recorded (a preview): it is
    placed among `recorded`. The reports of consecutive months take consecutive cycles, so each
    event falls in exactly one month's."""
    if not is_period(month):
        raise ParameterError("month", "a month 'YYYY-MM'", month)
    months = sorted({str(recorded_month) for recorded_month in recorded} | {month})
    before = [recorded_month for recorded_month in months if recorded_month < month]
    end = cycle_start(month)
    if not before:
        return Window((), None, end)
    start = None if before[-1] == months[0] else cycle_start(before[-1])
    return Window((before[-1],), start, end)


def cycle_start(month: str) -> pd.Timestamp:
    """The first day of the calendar month after `month` ('YYYY-MM'): where its cycle begins,
    the first day a field event can follow that month's run."""
    return month_end(int(month_number([month])[0])) + pd.Timedelta(days=1)

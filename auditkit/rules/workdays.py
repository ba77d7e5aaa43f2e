"""Working days of the Chinese calendar: Monday to Friday, less the statutory holidays, plus the
weekend days worked in their place (调休上班).

Time limits of work-order steps run in working days. The holidays and make-up days come from the
maintained `chinese_calendar` package, which follows the State Council's notice of each year; a
year it does not cover is counted Monday to Friday, and `uncovered_years` names such years so a
run can say which counts were made without the holiday calendar.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache

import chinese_calendar
import numpy as np

#: Monday to Friday, for numpy's business-day functions.
WEEKMASK = "1111100"


@dataclass(frozen=True)
class WorkingCalendar:
    """Days off on weekdays and weekend days worked, as sorted datetime64[D] arrays."""

    holidays: np.ndarray
    makeup_days: np.ndarray

    @classmethod
    @cache
    def chinese(cls) -> WorkingCalendar:
        """The official calendar of the years `chinese_calendar` covers (read once)."""
        holidays = sorted(day for day in chinese_calendar.holidays if day.weekday() < 5)
        makeup = sorted(day for day in chinese_calendar.workdays if day.weekday() >= 5)
        return cls(np.array(holidays, dtype="datetime64[D]"), np.array(makeup, "datetime64[D]"))

    def working_days(self, after: np.ndarray, through: np.ndarray) -> np.ndarray:
        """Working days after `after` up to and including `through` (aligned date arrays), as
        a time limit counts them from the day after the previous step; negative where `through`
        comes first, NaN where either date is missing."""
        after = np.asarray(after, dtype="datetime64[D]")
        through = np.asarray(through, dtype="datetime64[D]")
        known = ~np.isnat(after) & ~np.isnat(through)
        start, stop = after[known] + 1, through[known] + 1  # the half-open days [start, stop)
        weekdays = np.busday_count(start, stop, weekmask=WEEKMASK, holidays=self.holidays)
        makeup = np.searchsorted(self.makeup_days, stop) - np.searchsorted(self.makeup_days, start)
        counted = np.full(len(after), np.nan)
        counted[known] = weekdays + makeup
        return counted


def uncovered_years(after: np.ndarray, through: np.ndarray) -> list[int]:
    """The years the spans (after, through] touch that the holiday calendar does not cover, where
    `WorkingCalendar.working_days` counted Monday to Friday."""
    after = np.asarray(after, dtype="datetime64[D]")
    through = np.asarray(through, dtype="datetime64[D]")
    known = ~np.isnat(after) & ~np.isnat(through)
    first = (after[known] + 1).astype("datetime64[Y]").astype(np.int64) + 1970
    last = through[known].astype("datetime64[Y]").astype(np.int64) + 1970
    spans = set(zip(first.tolist(), last.tolist(), strict=True))
    years = {year for low, high in spans for year in range(low, high + 1)}
    return sorted(year for year in years if not _covered(year))


@cache
def _covered(year: int) -> bool:
    """The holiday calendar knows `year` (chinese_calendar raises NotImplementedError outside
    the years its release covers)."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True

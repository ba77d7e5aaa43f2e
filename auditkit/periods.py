"""Billing periods ('YYYY-MM') as month numbers, so month arithmetic is integer arithmetic."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from auditkit.errors import ParameterError

#: A billing period as text: 'YYYY-MM' with a month 01-12 (anchored, so no trailing newline).
PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


def is_period(text: object) -> bool:
    """True for a 'YYYY-MM' billing period."""
    return isinstance(text, str) and re.fullmatch(PERIOD_PATTERN, text) is not None


def month_number(
    periods: pd.Series | pd.Index | np.ndarray | Sequence[str], name: str = "period"
) -> np.ndarray:
    """'YYYY-MM' → year × 12 + month − 1; raises ParameterError naming the parameter `name` and
    the first text that is not a month.

    Fast on millions of rows: each distinct text is checked and parsed once (a bill table repeats
    a few dozen periods), and a Series is factorized as it is stored (pandas text is Arrow).
    """
    if not isinstance(periods, pd.Index | pd.Series | np.ndarray):
        periods = np.asarray(periods, dtype=object)
    codes, distinct = pd.factorize(periods, use_na_sentinel=False)
    texts = pd.Series(np.asarray(distinct, dtype=object)).astype(str)
    valid = texts.str.fullmatch(PERIOD_PATTERN)
    if not valid.all():  # distinct texts keep their order of first appearance
        raise ParameterError(name, "a month YYYY-MM (01-12)", texts[~valid].iloc[0])
    years = texts.str.slice(0, 4).astype(np.int64).to_numpy()
    return (years * 12 + texts.str.slice(5, 7).astype(np.int64).to_numpy() - 1)[codes]


def date_month_number(dates: pd.Series | np.ndarray) -> np.ndarray:
    """Month number of each date; NaT gives -1."""
    values = pd.Series(pd.to_datetime(dates))
    result = (values.dt.year * 12 + values.dt.month - 1).to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(result), -1, result).astype(np.int64)


def add_months(dates: pd.Series, months: np.ndarray) -> pd.Series:
    """Each date plus a whole number of calendar months, kept within the target month.

    As `pd.DateOffset(months=n)` per row: 2024-03-31 + 6 months is 2024-09-30, not a day count
    (a cycle of 6 × 30.44 days would fall due a day or two early). NaT stays NaT; the index is kept.
    """
    index = dates.index
    dates = pd.Series(pd.to_datetime(dates)).reset_index(drop=True)
    target = date_month_number(dates) + np.asarray(months, dtype=np.int64)
    known = dates.notna().to_numpy()
    first_day = pd.to_datetime(
        pd.DataFrame(
            {
                "year": np.where(known, target // 12, 2000),
                "month": np.where(known, target % 12 + 1, 1),
                "day": 1,
            }
        )
    )
    day = np.minimum(dates.dt.day.fillna(1).to_numpy(dtype=np.int64), first_day.dt.days_in_month)
    shifted = (first_day + pd.to_timedelta(day - 1, unit="D")).where(known)
    shifted.index = index
    return shifted


def period_text(month: np.ndarray | Sequence[int] | int) -> list[str] | str:
    """Month number → 'YYYY-MM' (a list of texts for several months)."""
    if np.isscalar(month):
        return f"{int(month) // 12:04d}-{int(month) % 12 + 1:02d}"
    months = np.asarray(month, dtype=np.int64)
    unique, inverse = np.unique(months, return_inverse=True)
    texts = np.array([f"{m // 12:04d}-{m % 12 + 1:02d}" for m in unique], dtype=object)
    return texts[inverse].tolist()


def month_end(month: int) -> pd.Timestamp:
    """Last day of month number `month`."""
    return pd.Timestamp(year=month // 12, month=month % 12 + 1, day=1) + pd.offsets.MonthEnd(0)


def period_last_day(period: str) -> pd.Timestamp:
    """Last day of the month 'YYYY-MM' `period`."""
    return pd.Period(period, "M").end_time.normalize()


def month_first_days(months: np.ndarray) -> np.ndarray:
    """The first day of each month number, as datetime64[D] (vectorised `month_end`'s partner)."""
    return _per_distinct_month(np.asarray(months), _first_days)


def month_end_days(months: np.ndarray) -> np.ndarray:
    """The last day of each month number, as datetime64[D]."""
    return _per_distinct_month(np.asarray(months), _end_days)


def _first_days(months: np.ndarray) -> np.ndarray:
    return (months - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")


def _end_days(months: np.ndarray) -> np.ndarray:
    return _first_days(months + 1) - np.timedelta64(1, "D")


def _per_distinct_month(
    months: np.ndarray, days_of: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """`days_of(months)`, worked out once per month of their span and looked up: a calendar
    conversion per element costs five times a lookup on a part's million bills, which span a
    few dozen months."""
    if months.size == 0:
        return days_of(months)
    first, last = int(months.min()), int(months.max())
    if last - first >= months.size:
        return days_of(months)
    return days_of(np.arange(first, last + 1))[months - first]


def last_months(
    bills: pd.DataFrame, months: int | None = None, as_of: str | None = None
) -> pd.DataFrame:
    """The bills of the last `months` billing periods present up to `as_of` ('YYYY-MM').

    Empty `as_of`: up to the latest period in the bills; `months` None: every period up to it.
    The one definition of "the last N months of bills" that reports, statistics and sampling use.
    """
    periods = bills["period"].astype(str)
    kept = periods <= as_of if as_of else pd.Series(True, index=bills.index)
    if months is not None:
        present = np.sort(periods[kept].unique())
        kept &= periods.isin(present[-months:]) if months > 0 else False
    return bills[kept]


#: The first and last whole days pandas holds in nanoseconds (1677-09-22, 2262-04-11), as every
#: stage reads dates: a day beyond them is refused when loaded and where a date is parsed.
FIRST_DAY = pd.Timestamp.min.ceil("D")
LAST_DAY = pd.Timestamp.max.floor("D")


def local_days(
    given: pd.Series | pd.DataFrame, column: str, expected: str, allow_empty: bool = False
) -> pd.Series:
    """The day of each value of `given` (dates, date texts or timestamps, each the day in its own
    time zone, as a visit or an order is dated where it happened), as naive days; NaT for an
    empty value when `allow_empty`. A ParameterError names `column`, `expected` and the first
    value that is not a day: numbers (a day is not a count), 'now' or 'today' (a run must not
    depend on when it runs), a day pandas cannot hold (years 1678 to 2261), or two columns."""
    return _local(given, column, expected, allow_empty, whole_days=True)


def local_times(
    given: pd.Series | pd.DataFrame, column: str, expected: str, allow_empty: bool = False
) -> pd.Series:
    """The time of each value of `given` on the clock where it was read (a timestamp with a time
    zone, +08:00 or Asia/Shanghai, keeps its own wall-clock time; mixed zones in one column are
    each their own), as naive timestamps: an interval read's hour is the hour of its day there.
    Refused as `local_days` refuses; NaT for an empty value when `allow_empty`."""
    return _local(given, column, expected, allow_empty, whole_days=False)


#: What an `as_of` may be, as its refusals say.
AS_OF_EXPECTED = "a period 'YYYY-MM' or a date 'YYYY-MM-DD'"

#: An `as_of` text: 'YYYY-MM', or an ISO date 'YYYY-MM-DD', optionally with a time (and zone).
AS_OF_PATTERN = r"\d{4}-\d{2}(-\d{2}([ T]\S.*)?)?"


def as_of_day(as_of: str | pd.Timestamp | pd.Period | dt.date) -> pd.Timestamp:
    """The last day `as_of` knows: the day of a date (in its own time zone, returned without
    one), the last day of a month ('YYYY-MM' or a pandas Period) or other Period.

    Text must be 'YYYY-MM' or an ISO date 'YYYY-MM-DD' (a time may follow): anything else that
    pandas would read as some date ('2024' as January, '2024Q2' as April, '3/4/2024' in US order,
    'June 2024') is refused naming `as_of`, not read as a month nobody meant."""
    if isinstance(as_of, pd.Period):
        return as_of.end_time.normalize()
    if isinstance(as_of, str) and not re.fullmatch(AS_OF_PATTERN, as_of):
        raise ParameterError("as_of", AS_OF_EXPECTED, as_of)
    if not isinstance(as_of, str | dt.date | np.datetime64):  # pd.Timestamp is a dt.date
        raise ParameterError("as_of", AS_OF_EXPECTED, as_of)
    day = local_day(as_of, "as_of", AS_OF_EXPECTED)
    if is_month(as_of):
        day += pd.offsets.MonthEnd(0)
    return day


def today() -> pd.Timestamp:
    """Today on this computer's clock, at midnight: the day a worklist is recorded as sent, and
    the last day a check or an inspection read from a returned sheet can be dated."""
    return pd.Timestamp(dt.date.today())


def after_today(day: pd.Timestamp) -> str | None:
    """What is wrong with `day` if it is after `today()` ('expected a date up to today, ...,
    found ...'), else None: a check or an inspection dated later has not happened yet (a slip
    of the year), so the readers of returned sheets refuse it by row and column."""
    latest = today()
    if day <= latest:
        return None
    return f"expected a date up to today, {latest:%Y-%m-%d}, found {day:%Y-%m-%d}"


def is_month(as_of: object) -> bool:
    """True for a whole month: 'YYYY-MM' text or a monthly pandas Period."""
    if isinstance(as_of, pd.Period):
        return as_of.freqstr == "M"
    return isinstance(as_of, str) and len(as_of) == 7


def as_of_month(as_of: str | pd.Timestamp | pd.Period) -> int:
    """The month number of the last day `as_of` knows (`as_of_day`): the month a 'YYYY-MM', a
    date or a Period falls in; a ParameterError naming `as_of` for anything else."""
    day = as_of_day(as_of)
    return day.year * 12 + day.month - 1


def as_of_month_within(
    as_of: str | pd.Timestamp | pd.Period, first: int, last: int, covered_by: str
) -> int:
    """The month number of `as_of` (`as_of_month`); a ParameterError naming `as_of`, the months
    `first` to `last` that `covered_by` (the bills, the reads) cover and the value given where it
    falls outside them. An as_of beyond the data is taken for a mistake, not padded: its months
    would show as months without bills, or a stop of use, that the data never said."""
    month = as_of_month(as_of)
    if not first <= month <= last:
        covered = f"a month from {period_text(first)} to {period_text(last)}"
        raise ParameterError("as_of", f"{covered} (the months {covered_by} cover)", as_of)
    return month


def local_day(value: object, name: str, expected: str, row: int | None = None) -> pd.Timestamp:
    """The day of one `value` (a date, a date text or a timestamp, the day in its own time zone),
    without a time zone; a ParameterError naming `name` (and the `row`, for a table's value) and
    `expected` where it is not a day: a number (a day is not a count), 'now' or 'today' (a run
    must not depend on when it runs), a day pandas cannot hold (years 1678 to 2261)."""
    stamp = _parsed_stamp(value)
    if pd.isna(stamp):
        raise ParameterError(name, expected, value if row is None else f"{value!r} in row {row}")
    return stamp.normalize()


def _local(
    given: pd.Series | pd.DataFrame, column: str, expected: str, allow_empty: bool, whole_days: bool
) -> pd.Series:
    """`local_days` (`whole_days`) or `local_times` of `given`."""
    if isinstance(given, pd.DataFrame):
        raise ParameterError(column, "one column", f"{given.shape[1]} columns")
    if isinstance(given.dtype, pd.ArrowDtype) and pd.api.types.is_datetime64_any_dtype(given):
        given = given.astype(object)  # Arrow dates and timestamps: read value by value below
    if pd.api.types.is_datetime64_any_dtype(given):  # the register's, and any parsed column
        missing = given.isna().to_numpy()
        if missing.any() and not allow_empty:
            row = int(np.flatnonzero(missing)[0])
            raise ParameterError(column, expected, f"empty in row {row + 1}")
        local = given.dt.tz_localize(None) if given.dt.tz is not None else given
        return _in_range(local.dt.normalize() if whole_days else local, column, expected)
    numbers = pd.api.types.is_numeric_dtype(given) and not pd.api.types.is_bool_dtype(given)
    if numbers and not (allow_empty and given.isna().all()):
        raise ParameterError(column, expected, f"numbers ({given.dtype})")
    codes, distinct = pd.factorize(given.astype(object), use_na_sentinel=True)
    if (codes < 0).any() and not allow_empty:
        row = int(np.flatnonzero(codes < 0)[0])
        raise ParameterError(column, expected, f"empty in row {row + 1}")
    stamps = np.empty(len(distinct), dtype="datetime64[ns]")
    for index, value in enumerate(distinct):  # each distinct value once: dates repeat
        stamp = _parsed_stamp(value)
        if pd.isna(stamp):  # its first row, looked for only now: codes number values as met
            row = int(np.argmax(codes == index)) + 1
            raise ParameterError(column, expected, f"{value!r} in row {row}")
        stamps[index] = (stamp.normalize() if whole_days else stamp).to_datetime64()
    stamps = np.append(stamps, np.datetime64("NaT", "ns"))  # code -1, an empty value: NaT
    return pd.Series(stamps[codes], index=given.index, dtype="datetime64[ns]")


def _parsed_stamp(value: object) -> pd.Timestamp:
    """One `value` as a naive nanosecond timestamp on its own clock; NaT where it is no day as
    `local_day` says (a number, 'now' or 'today', text that is no date, a day beyond pandas')."""
    if isinstance(value, bool | int | float | np.number) or (
        isinstance(value, str) and value.strip().lower() in ("now", "today")
    ):
        return pd.NaT
    try:
        stamp = pd.Timestamp(value)
        if pd.isna(stamp):
            return pd.NaT
        return (stamp.tz_localize(None) if stamp.tzinfo else stamp).as_unit("ns")
    except (OverflowError, ValueError, TypeError):  # OutOfBoundsDatetime is a ValueError
        return pd.NaT


def _in_range(days: pd.Series, column: str, expected: str) -> pd.Series:
    """`days` as nanosecond days; a ParameterError naming the first day beyond them."""
    try:
        return days.astype("datetime64[ns]")
    except (OverflowError, ValueError):
        beyond = ((days < FIRST_DAY) | (days > LAST_DAY)).to_numpy()
        row = int(np.flatnonzero(beyond)[0]) if beyond.any() else 0
        raise ParameterError(column, expected, f"{days.iloc[row]} in row {row + 1}") from None

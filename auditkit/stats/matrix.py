"""Long consumption tables (customer, month or day, kWh) as a dense customers x time matrix.

Every consumption score works on whole columns of this matrix at once, so it stays vectorized for
hundreds of thousands of customers; a missing month or day is a NaN cell, never a dropped column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditkit.errors import ParameterError
from auditkit.periods import (
    as_of_day,
    as_of_month,
    as_of_month_within,
    is_month,
    local_days,
    month_number,
    period_last_day,
    period_text,
)
from auditkit.stats.requirements import ColumnError, InsufficientDataError, require_columns

#: A zero reading is taken as this share of the customer's median positive reading (log of 0).
ZERO_AS_SHARE = 0.1
#: Row length from which `row_nanmedian` partitions instead of sorting.
LONG_ROW = 256
#: Row length from which `row_nanmedian` partitions only the values a sample of the row brackets
#: around its middle (a partition costs about 10 ns a value; the bracketing passes a tenth of it).
BRACKETED_ROW = 8192
#: The sample of such a row: every SAMPLE_STEP-th value.
SAMPLE_STEP = 16


@dataclass(frozen=True)
class ConsumptionMatrix:
    """kWh of each customer (row) at each step (column); NaN where no reading exists.

    `frequency` is "M" (monthly, columns are 'YYYY-MM' periods) or "D" (daily, columns are
    dates). `times` labels the columns: text periods for "M", a DatetimeIndex for "D". `as_of`
    is the last day the `as_of` it was made for knew (`as_of_day`; None: none was given).
    """

    customers: pd.Index
    times: pd.Index
    values: np.ndarray
    frequency: str
    as_of: pd.Timestamp | None = None

    @property
    def last_day(self) -> pd.Timestamp:
        """The last day the matrix covers: its last date, or the end of its last month."""
        if self.frequency == "M":
            return period_last_day(self.times[-1])
        return pd.Timestamp(self.times[-1])

    @property
    def known_until(self) -> pd.Timestamp:
        """The last day whose records (orders, visits) count: the day `as_of` knew, else the
        last day covered (on bills a mid-month as_of ends before its month does)."""
        return self.last_day if self.as_of is None else min(self.as_of, self.last_day)

    @property
    def season_length(self) -> int:
        """Steps in one seasonal cycle: 12 months, or 7 days of the week."""
        return 12 if self.frequency == "M" else 7

    @property
    def season_index(self) -> np.ndarray:
        """Position of each column in the seasonal cycle: month of year (0-11) or weekday (0-6)."""
        if self.frequency == "M":
            return np.array([int(label[5:7]) - 1 for label in self.times])
        return np.asarray(self.times.day_of_week)


def row_nanmedian(values: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Median of each row ignoring NaN (NaN for an all-NaN row); `counts`, each row's values
    that are not NaN, where the caller knows them already.

    numpy's nanmedian goes through masked arrays and is several times slower on many short rows.
    Short rows are sorted whole (a sorting network's work); a long row (a median across
    customers) is only partitioned at its lower middle value, NaN going last as in a sort, the
    upper middle one being the least after it (`_middle_values`: of a very long row, only the
    values around its middle): the same two values, so the same median, in a fraction of the
    time.
    """
    if values.shape[1] == 0:  # rows without a column (no history yet): no median
        return np.full(values.shape[0], np.nan)
    if counts is None:
        counts = np.count_nonzero(~np.isnan(values), axis=1)
    lower_at = np.maximum(counts - 1, 0) // 2
    if values.shape[1] > LONG_ROW:
        lower, upper = np.empty(len(values)), np.empty(len(values))
        for row, (count, at) in enumerate(zip(counts, lower_at, strict=True)):
            lower[row], upper[row] = _middle_values(values[row], int(count), int(at))
    else:
        ordered = np.sort(values, axis=1)  # NaN sort last
        rows = np.arange(values.shape[0])
        lower = ordered[rows, lower_at]
        upper = ordered[rows, counts // 2]
    return np.where(counts > 0, (lower + upper) / 2, np.nan)


def _middle_values(row: np.ndarray, count: int, at: int) -> tuple[float, float]:
    """The values ranked `at` and `count // 2` (from 0) among the `count` values of a long `row`
    that are not NaN (any value where `count` is 0).

    A row of BRACKETED_ROW values or more is first bracketed: two values of its sample, ranked
    well either side of the middle's share of the sample, bound the few values partitioned,
    which are the row's values ranked from `below` on, `below` being those under the lower
    bound; where the bracket misses the middle (rarely: it spans 4 standard deviations of the
    middle's rank in the sample either side), the whole row is partitioned.
    """
    upper_at = count // 2
    if len(row) >= BRACKETED_ROW and count:
        sample = row[::SAMPLE_STEP]
        sampled = np.count_nonzero(~np.isnan(sample))
        centre = at * sampled / count
        spread = 2 * math.sqrt(sampled) + 1  # 4 standard deviations of a rank near the middle
        low_at, high_at = math.floor(centre - spread), math.ceil(centre + spread)
        inside = [rank for rank in (low_at, high_at) if 0 <= rank < sampled]
        bounds = np.partition(sample, inside) if inside else sample
        low = bounds[low_at] if low_at >= 0 else -np.inf
        high = bounds[high_at] if high_at < sampled else np.inf
        below = np.count_nonzero(row < low)
        window = row[(row >= low) & (row <= high)]
        if below <= at and upper_at < below + len(window):
            part = np.partition(window, at - below)
            lower = part[at - below]
            return lower, part[upper_at - below :].min() if upper_at > at else lower
    part = np.partition(row, at)
    # after the lower middle: the upper values and the NaN, in no promised order
    return part[at], np.nanmin(part[at + 1 :]) if upper_at > at else part[at]


def masked_row_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per row, the mean of its non-NaN values where `mask` holds (NaN where there are none)."""
    seen = mask & ~np.isnan(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(seen, values, 0.0).sum(axis=1) / seen.sum(axis=1)


def log_consumption(values: np.ndarray, zeros_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Log kWh minus each customer's median log, NaN where missing; and the rows whose readings
    are all zero.

    ZERO_AS_SHARE of the customer's median positive reading is added to every reading before the
    log: a soft floor, so a zeroed meter reads as a drop of about 90 %, not an infinite one, and
    a fall of small readings counts less (a 50 % fall reads as 45 %; the theft scores were
    measured so). With `zeros_only`, zeros alone become that share and every other reading keeps
    its plain log, so a change is the change billed.
    """
    positive = not (values <= 0).any()  # kWh read by bills and meters mostly is
    # Where every reading is positive, nothing is left out and the logs are missing where the
    # kWh are: the readings are counted once for both medians (else each median counts its own).
    readings = np.count_nonzero(~np.isnan(values), axis=1) if positive else None
    typical = row_nanmedian(values if positive else np.where(values > 0, values, np.nan), readings)
    all_zero = np.isnan(typical)  # no reading above 0: all zero where one reads 0
    all_zero[all_zero] = (values[all_zero] == 0).any(axis=1)
    floor = ZERO_AS_SHARE * np.nan_to_num(typical, nan=1.0)[:, None]
    log_kwh = np.log(np.where(values == 0, floor, values) if zeros_only else values + floor)
    log_kwh -= row_nanmedian(log_kwh, readings)[:, None]
    return log_kwh, all_zero


def to_matrix(
    reads: pd.DataFrame,
    as_of: str | pd.Timestamp | pd.Period | None = None,
    value: str = "kwh",
    table: str = "reads",
) -> ConsumptionMatrix:
    """Pivot a long table `customer_id, period | date, <value>` to a ConsumptionMatrix.

    Monthly input has a text `period` column ('YYYY-MM'); daily input a `date` column. Steps after
    `as_of` are dropped; columns run without gaps from the first step to `as_of` (or the last step).
    On monthly input `as_of` must fall in the months read (`periods.as_of_month_within`); on daily
    input it may not lie after the last day read (or its month). A date is the day in its own
    time zone (`periods.local_days`), so two reads of one day at different hours are two
    readings of that day. Raises, naming `table`, its column and the row, on an empty period or
    date, on duplicated (customer, step) pairs and on negative or infinite values.
    """
    require_columns(reads, ["customer_id", value], table)
    if "period" in reads.columns:
        frequency, time_column = "M", "period"
    elif "date" in reads.columns:
        frequency, time_column = "D", "date"
    else:
        raise ColumnError(
            table, ["period"], map(str, reads.columns), hint="or 'date' for daily reads"
        )
    kwh = checked_kwh(reads, value, table)
    customer_codes, customers = pd.factorize(reads["customer_id"], sort=True)
    if frequency == "M":
        time_codes, time_labels = pd.factorize(reads[time_column], sort=True)
        if (time_codes < 0).any():
            row = int(np.flatnonzero(time_codes < 0)[0])
            raise ParameterError(f"{table}.period", "a period 'YYYY-MM'", f"empty in row {row + 1}")
        steps = month_number(time_labels)
    else:
        days = local_days(reads[time_column], f"{table}.date", "dates YYYY-MM-DD")
        time_codes, time_labels = pd.factorize(days, sort=True)
        steps = time_labels.to_numpy().astype("datetime64[D]").astype(np.int64)
    last = steps.max() if len(steps) else 0
    if as_of not in (None, "") and frequency == "D":
        last = _as_of_day(as_of)
        if len(steps):
            _check_day_within(as_of, last, int(steps.max()))
    elif as_of not in (None, ""):
        last = (
            as_of_month_within(as_of, int(steps.min()), int(steps.max()), f"the {table}")
            if len(steps)
            else as_of_month(as_of)
        )
    first = steps.min() if len(steps) else last
    if len(steps) == 0 or first > last:
        raise InsufficientDataError(
            f"{table}: expected readings up to as_of={as_of!r}, found "
            + ("no readings" if len(steps) == 0 else f"the first one at {time_labels[0]!r}")
        )
    column_of_code = steps - first
    row_columns = column_of_code[time_codes]
    keep = (row_columns <= last - first) & ~np.isnan(kwh) & (customer_codes >= 0)
    values = np.full((len(customers), int(last - first + 1)), np.nan)
    values[customer_codes[keep], row_columns[keep]] = kwh[keep]
    if np.count_nonzero(~np.isnan(values)) < np.count_nonzero(keep):
        kept_rows = np.flatnonzero(keep)
        cells = customer_codes[kept_rows] * values.shape[1] + row_columns[kept_rows]
        row = int(kept_rows[pd.Series(cells).duplicated().to_numpy()][0])
        step = time_labels[time_codes[row]]
        raise ParameterError(
            table,
            f"one reading per customer and {'period' if frequency == 'M' else 'day'}",
            f"another for customer {reads['customer_id'].iloc[row]!r} at "
            f"{step if frequency == 'M' else step.date()} in row {row + 1}",
        )
    if frequency == "M":
        times = pd.Index(period_text(np.arange(first, last + 1)), name="period")
    else:
        times = pd.DatetimeIndex(
            np.arange(first, last + 1).astype("datetime64[D]"), name="date"
        ).as_unit("ns")
    return ConsumptionMatrix(
        customers=pd.Index(customers, name="customer_id"),
        times=times,
        values=values,
        frequency=frequency,
        as_of=None if as_of in (None, "") else as_of_day(as_of),
    )


def positions_of(known: pd.Index, ids: pd.Series | pd.Index) -> np.ndarray:
    """Each of `ids`' position in the unique `known` ids, -1 where absent: matched as written,
    else as text, so that a customer 1001 read from numbers is the customer '1001' of a text
    column (orders and field checks match ids as text too)."""
    ids = pd.Index(ids)
    positions = known.get_indexer(ids)
    unmatched = positions < 0
    if unmatched.any():
        positions[unmatched] = id_text(known).get_indexer(id_text(ids[unmatched]))
    return positions


def id_text(ids: pd.Index) -> pd.Index:
    """Ids as text; a whole float as its integer (1001.0 is '1001': a number column with one
    empty cell is read as floats, and the same customer is 1001 in every other table)."""
    if not pd.api.types.is_float_dtype(ids):
        return ids.astype(str)
    values = ids.to_numpy(dtype=float)
    whole = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 2**53)
    text = ids.astype(str).to_numpy(dtype=object)
    text[whole] = values[whole].astype(np.int64).astype(str)
    return pd.Index(text)


def checked_numbers(frame: pd.DataFrame, column: str, table: str, expected: str) -> np.ndarray:
    """`frame[column]` as floats (NaN where empty or blank); a ParameterError naming
    `table`.`column`, `expected` and the row of the first value that is text but no number (a
    decimal comma, a unit): none is read as missing."""
    values = frame[column]
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if not pd.api.types.is_numeric_dtype(values):  # text: empty is missing, else a number
        given = values.astype(object).where(values.notna(), "").astype(str)
        unread = np.isnan(numbers) & (given.str.strip() != "").to_numpy()
        if unread.any():
            row = int(np.flatnonzero(unread)[0])
            raise ParameterError(
                f"{table}.{column}", expected, f"{given.iloc[row]!r} in row {row + 1}"
            )
    return numbers


def checked_kwh(frame: pd.DataFrame, column: str, table: str) -> np.ndarray:
    """The readings in `frame[column]` as floats, NaN where empty (`checked_numbers`); a
    ParameterError names `table`.`column` and the row (and its customer, where the frame has
    one) of a value that is text but no number, negative or infinite: a meter's count is ≥ 0,
    and a negative one would be scored or turned into a loss as if it were a reading."""
    expected = "a number of kWh ≥ 0"
    kwh = checked_numbers(frame, column, table, expected)
    bad = (kwh < 0) | np.isinf(kwh)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        whose = f" (customer {frame['customer_id'].iloc[row]!r})" if "customer_id" in frame else ""
        raise ParameterError(f"{table}.{column}", expected, f"{kwh[row]:g} in row {row + 1}{whose}")
    return kwh


def checked_supply(frame: pd.DataFrame, table: str) -> np.ndarray:
    """`frame.kwh_supplied` as `checked_kwh` reads it: energy fed into a district or a network
    unit is a supply meter's count (DATA.md: ≥ 0)."""
    return checked_kwh(frame, "kwh_supplied", table)


def _check_day_within(as_of: str | pd.Timestamp | pd.Period, day: int, read: int) -> None:
    """A ParameterError naming `as_of` where its `day` lies after the last `read` day: days with
    no reads at all would be scored as a stop of use. A month given holds if the reads reach
    it."""
    if day <= read:
        return
    last_day = pd.Timestamp(np.datetime64(read, "D"))
    month_given = is_month(as_of)
    if not (month_given and as_of_day(as_of).to_period("M") == last_day.to_period("M")):
        raise ParameterError(
            "as_of", f"a day up to the reads' last, {last_day.date()} (or its month)", as_of
        )


def _as_of_day(as_of: str | pd.Timestamp | pd.Period) -> int:
    """The last day to keep as a day number (the last day of a month for 'YYYY-MM')."""
    return int(np.datetime64(as_of_day(as_of).date(), "D").astype(np.int64))

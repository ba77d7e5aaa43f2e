"""Theft suspicion scores: how strongly each customer's consumption fell, and stayed down.

Energy theft (a bypassed or tampered meter) shows in the billed series as a sustained drop that
the customer's peers and its own history do not explain. For every customer `theft_scores` fits

    log kWh_t = level + trend * t + loadings . F_t - drop * [t >= change] + noise_t

where F holds the main common patterns of all customers scored together (seasons, weather,
holidays: the median customer's series, then principal components when there are enough
customers), each customer with its own loadings, so a customer whose summer peak is twice the
typical one is not flagged for its quiet winter. The change step is searched over every month (or
day) leaving `WINDOWS` readings on each side, vectorized over customers: the design is shared, so
each candidate costs one suffix sum per customer.

A drop that many customers share in the same month (a tariff or policy change, a holiday) is a
common pattern, so it is not held against any of them.

The score is a calibrated z: the evidence that the drop exceeds `min_drop` (default 20 %), in
units of the drop's standard error, where the noise scale is robust (median absolute deviation),
widened for autocorrelated noise (lag-one, AR(1) long-run variance) and corrected for having tried
every change point (Sidak). Measured (docs/statistics.md): on series of pure noise almost none
exceed 3 (0.02 % with autocorrelated noise); on honest synthetic customers 0.5-1.1 % of monthly
and 1.4-1.7 % of daily series do, most of them customers whose consumption really fell (an
empty home, a lasting change). Read it as

    score > 3   strongly suspicious: a sustained drop beyond min_drop, very unlikely by chance
    score > 2   worth a look
    score <= 0  no evidence of a drop (negative: consumption rose; floored at -10)

Series that are all zero, or too short to hold the windows, carry no signal: score 0 and a status
saying why (zero consumption with an active account is a separate rule's business).

A series alone cannot tell a home that moved out from a thief, nor a lasting 50-80 % fall from a
50-80 % scaling attack: the records can. Given `work_orders`, a customer whose change lies within
`order_window_days` of an order that legitimately lowers consumption (`EXPLAINING_ORDERS`: the
ownership passed to a new occupant, the account closed, equipment suspended or reduced, the
tariff changed) keeps its score but gets status "explained", the order's type and date
(`explained_by`, `explained_at`), and ranks after every customer no order explains. A record is a
fact, not a likelihood: a discounted score would let a large recorded move-out outrank a modest
unexplained fall, which is the visit a reviewer must not miss.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from auditkit.data.schema import ORDER_TYPES
from auditkit.errors import ParameterError
from auditkit.periods import as_of_day, local_days
from auditkit.stats.calibration import autocorrelation_inflation, sidak_score
from auditkit.stats.field_checks import FIELD_CHECK, checked_field_checks, cleared_by_checks
from auditkit.stats.matrix import (
    ConsumptionMatrix,
    log_consumption,
    positions_of,
    row_nanmedian,
    to_matrix,
)
from auditkit.stats.requirements import require_columns
from auditkit.stats.theft_daily import MIN_AFTER_DAYS, MIN_DAYS, SIGNALS, score_daily
from auditkit.stats.theft_profile import (
    HOURS,
    SHAPES,
    ProfileScores,
    hourly_blocks,
    profile_decides,
    score_profiles,
)

if TYPE_CHECKING:
    from auditkit.data.intake import TableSource

#: Fewest readings before and after a change point: (before, after), monthly and daily.
WINDOWS: dict[str, tuple[int, int]] = {"M": (6, 2), "D": (28, 7)}
#: Common patterns removed before the search: the median customer's series, then principal
#: components, each needing CUSTOMERS_PER_FACTOR customers; none under MIN_CUSTOMERS customers.
COMMON_FACTORS = 2
CUSTOMERS_PER_FACTOR = 100
MIN_CUSTOMERS = 20
#: Cells (customers x steps) processed together. Besides bounding memory on daily reads, small
#: chunks let the allocator reuse the same memory for every temporary array: with whole-matrix
#: temporaries each pass touched fresh pages, and the fit ran about twice as slowly.
CHUNK_CELLS = 100_000
#: Hour cells (customers x days x 24) of interval reads given to the profile test at a time.
PROFILE_CHUNK_CELLS = 2_000_000
#: Customers used to estimate the common patterns (evenly spaced, so results are deterministic).
FACTOR_SAMPLE = 20_000
#: Smallest noise scale (log units, about 2 %): a perfectly regular series is not infinitely sure.
MIN_SCALE = 0.02
#: Work orders that legitimately lower a customer's consumption, so a fall near one is explained:
#: a new owner or occupant (the old one moved out), the account closed, equipment suspended or its
#: capacity reduced, a change of tariff (of use). A meter replacement, a new connection or a
#: capacity increase explains none: a drop right after a replacement is the classic sign of a
#: wrong multiplier or wiring. The rule consumption_drop reads the same tuple.
EXPLAINING_ORDERS = (
    "ownership_transfer",
    "closure",
    "suspension",
    "capacity_reduction",
    "tariff_change",
)
#: Days either side of a change within which an explaining order's effective date explains it:
#: paperwork lags a move by days to weeks; a month keeps an unrelated order of another season out.
ORDER_WINDOW_DAYS = 31
#: Columns `theft_scores` reads of `work_orders`.
ORDER_COLUMNS = ("customer_id", "order_type", "effective_date")
#: The columns `theft_scores` adds, given work orders: the explaining order's type and date.
EXPLAINED_COLUMNS = ("explained_by", "explained_at")
#: Statuses of customers whose change was computed (explained or not).
CHANGE_STATUSES = ("scored", "explained")
#: Columns of the result, in order.
COLUMNS = (
    "customer_id",
    "score",
    "drop_ratio",
    "change_at",
    "steps_since_change",
    "peer_z",
    "n_readings",
    "status",
)


#: Share of the customers read on the median day that the default last day of daily reads must
#: have been read by (`read_end`).
READ_END_SHARE = 0.5
#: The group of a customer `peers` gives none: scored among the others without one.
NO_GROUP = "(no group)"
#: The smallest drop `theft_scores` counts as material by default (a share of consumption).
DEFAULT_MIN_DROP = 0.2


def theft_scores(
    reads: pd.DataFrame | ConsumptionMatrix,
    as_of: str | pd.Timestamp | None = None,
    min_drop: float = DEFAULT_MIN_DROP,
    peers: pd.Series | None = None,
    interval_reads: pd.DataFrame | None = None,
    work_orders: pd.DataFrame | None = None,
    order_window_days: int = ORDER_WINDOW_DAYS,
    field_checks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One theft suspicion score per customer from `customer_id, period | date, kwh` reads.

    Monthly bills (`period` 'YYYY-MM') and daily smart-meter reads (`date`) alike; readings after
    `as_of` are ignored and, on daily reads, counted in the result's `attrs["left_out"]` (the day
    scored to in `attrs["as_of"]`). On daily reads `as_of` defaults to the last day a meaningful
    share of customers were read (`read_end`: a stray later read is left out, not scored as
    everyone's stop of use), and a read dated after today is refused; so is a read without a
    customer id. `reads` may be a ConsumptionMatrix pivoted already (`to_matrix`, with
    its own as_of), for a caller that reads the matrix too. `min_drop` is the smallest drop
    (share of consumption, 0.2 = 20 %) that counts as material. `peers` (customer_id -> group,
    e.g. usage type) sets whom `peer_z` compares a customer with; by default every customer
    scored together.

    Returns, sorted by score (highest first): customer_id, score, drop_ratio (consumption after
    the change relative to before, adjusted for season and trend; 0.3 = 70 % lower), change_at
    (first period or date at the lower level), steps_since_change (months or days from the change
    to as_of, inclusive), peer_z (robust z of the drop among peers, positive = larger drop),
    n_readings, status ("scored", "all_zero" or "too_short"). On daily reads spanning a year or
    more a customer is scored against its own past (the same days a year before where the reads
    span two years) and its peers (`theft_daily.score_daily`), and more columns give the reason:
    own_past_ratio (level from the change on / the same days a year before), peers_ratio (the
    peers' same ratio; without a year before, their level from the change on / before it; NaN
    with fewer than `theft_daily.MIN_PEERS` customers: none compared),
    baseline ("year_before", or "own_days" when it has no year before), variation_ratio (typical
    day-to-day change from the change on / before: below 1 flatter, above 1 more erratic),
    zero_days (days read 0 kWh in the compared days) and signal (the test that gave the score:
    "level", "variation" or "zero_reads"; "" for customers scored by the level-shift model).
    With `interval_reads` (customer_id, read_at, kwh[, interval_minutes]: the load curve) and
    daily reads, the shape of each customer's days is tested too (`theft_profile`): where its
    score beats the daily one, that is the score, its day the change_at, signal "profile", and
    column shape_change says how the days changed ("flat" or "reversed"; "" where the daily
    tests decided). Customers without interval reads keep their daily score.

    With `work_orders` (customer_id, order_type, effective_date: the dataset's work orders), a
    scored customer whose change lies within `order_window_days` days of the effective date of
    one of its `EXPLAINING_ORDERS` (`explaining_orders`; in effect by the last day known,
    `ConsumptionMatrix.known_until`: on bills a mid-month `as_of` ends before its month does)
    gets status "explained" and columns
    explained_by (the order's type; "" for the others) and explained_at (its effective date),
    keeps its score, and is ranked after every customer no order explains (`ranked`).

    With `field_checks` (customer_id, checked_on: visits that found nothing wrong, such as the
    register's false alarms, `register.checks.field_checks`), a scored customer whose change began
    on or before its latest check (by the last day known, as for orders) is explained alike, with
    explained_by "field_check" and explained_at the check's date (`field_checks.cleared_by_checks`);
    an order near the change explains it first. A fall that began after the visit, or use more
    than `min_drop` below what the visit saw over the last 28 days (on bills the last 2 months)
    since, is not explained.
    """
    _check_min_drop(min_drop)
    orders = None if work_orders is None else _checked_orders(work_orders, order_window_days)
    checks = None if field_checks is None else checked_field_checks(field_checks)
    end = None
    if isinstance(reads, ConsumptionMatrix):  # pivoted already (the report reads it again)
        if as_of is not None:
            raise ParameterError("as_of", "none with a pivoted matrix (it has its own)", as_of)
        matrix = reads
    else:
        _refuse_empty_ids(reads)
        if "date" in reads.columns and "period" not in reads.columns:
            end = read_end(reads)
            as_of = end.day if as_of in (None, "") else as_of
        matrix = to_matrix(reads, as_of)
    if peers is None:
        peer_groups = np.zeros(len(matrix.customers), dtype=np.int64)
    else:
        peer_groups = peer_group_codes(peers, matrix.customers)
    if interval_reads is not None and matrix.frequency != "D":
        raise ParameterError("interval_reads", "given with daily reads (a date column)", "bills")
    profile = None
    if matrix.frequency == "D":
        shifts, reasons = score_daily_shifts(matrix.values, min_drop, peer_groups)
        if interval_reads is not None:
            block = max(1, PROFILE_CHUNK_CELLS // (len(matrix.times) * HOURS))
            blocks = hourly_blocks(interval_reads, matrix.customers, matrix.times, block)
            shifts, reasons, profile = add_profile_scores(
                shifts, reasons, blocks, matrix.times.day_of_week >= 5, peer_groups
            )
    else:
        shifts = score_level_shifts(matrix.values, matrix.frequency, min_drop, peer_groups)
    scorable = shifts.scorable
    status = np.where(shifts.all_zero, "all_zero", np.where(scorable, "scored", "too_short"))
    result = pd.DataFrame(
        {
            "customer_id": matrix.customers,
            "score": shifts.score,
            "drop_ratio": shifts.drop_ratio,
            "change_at": pd.Series(matrix.times[shifts.first_low_step]).where(scorable),
            "steps_since_change": shifts.steps_since_change,
            "peer_z": shifts.peer_z,
            "n_readings": shifts.n_readings,
            "status": status,
        }
    )
    if matrix.frequency == "D":
        result["own_past_ratio"] = reasons.own_past_ratio
        result["peers_ratio"] = reasons.peers_ratio
        result["baseline"] = np.where(
            ~scorable, "", np.where(reasons.year_before, "year_before", "own_days")
        )
        result["variation_ratio"] = reasons.variation_ratio
        result["zero_days"] = reasons.zero_days
        result["signal"] = reasons.signal
    if profile is not None:
        result["shape_change"] = np.where(
            reasons.signal == "profile", np.asarray(SHAPES, dtype=object)[profile.shape], ""
        )
    if orders is not None or checks is not None:
        explained = _explanations(result, matrix, orders, order_window_days, checks, min_drop)
        for column in EXPLAINED_COLUMNS:
            result[column] = explained[column]
        result.loc[result["explained_by"] != "", "status"] = "explained"
    scores = ranked(result)
    if end is not None and as_of:
        scores.attrs["left_out"] = int((end.days > as_of_day(as_of)).sum())
        scores.attrs["as_of"] = str(as_of)
    return scores


def _refuse_empty_ids(reads: pd.DataFrame) -> None:
    """A ParameterError naming reads.customer_id and the first row without an id (its reads would
    otherwise be left out unsaid)."""
    require_columns(reads, ["customer_id"], "reads")
    ids = reads["customer_id"]
    empty = ids.isna().to_numpy() | (ids.astype(str).str.strip() == "").to_numpy()
    if empty.any():
        row = int(np.flatnonzero(empty)[0])
        raise ParameterError("reads.customer_id", "an id in every row", f"none in row {row + 1}")


@dataclass(frozen=True, eq=False)
class ReadEnd:
    """The days of daily reads (`periods.local_days`, one per read of `customer_ids`) and the
    last of them a default as_of scores to (`day`: counted once, when first asked, as a run
    given its as_of never needs it)."""

    days: pd.Series
    customer_ids: pd.Series

    @cached_property
    def day(self) -> str:
        """The last day read by at least READ_END_SHARE of the customers read on the median day
        read ('' without reads): a stray read days or months after every other would otherwise
        end each series in days nobody was read, scored as a stop of use."""
        counts = self.customer_ids.groupby(self.days.to_numpy()).nunique()
        if counts.empty:
            return ""
        busy = counts.index[counts >= READ_END_SHARE * counts.median()]
        return str(busy.max().date())


def read_days(reads: pd.DataFrame, table: str = "reads") -> pd.Series:
    """The day of each daily read of `reads` (`periods.local_days` of its date); a ParameterError
    names `table`.date and the first value that is no day. A caller that reads the days more than
    once passes `reads` on with these as its dates: a day is its own day again, found at once."""
    return local_days(reads["date"], f"{table}.date", "dates YYYY-MM-DD")


def read_end(reads: pd.DataFrame, table: str = "reads") -> ReadEnd:
    """The days of the daily `reads` (customer_id, date) and their default last day
    (`ReadEnd.day`). A ParameterError names `table`.date and the row of a read dated after
    today."""
    days = read_days(reads, table)
    future = days > pd.Timestamp.today().normalize()
    if future.any():
        row = int(np.flatnonzero(future.to_numpy())[0])
        raise ParameterError(
            f"{table}.date", "days up to today", f"{days.iloc[row].date()} in row {row + 1}"
        )
    return ReadEnd(days, reads["customer_id"])


def refuse_reads_after(
    reads: pd.DataFrame, last_day: pd.Timestamp, source: TableSource | None, table: str
) -> None:
    """Refuse daily `reads` of a loaded table (`source`: its file and format, None for frames)
    dated after `last_day` (the bills' last period: no read can be later), naming the file, the
    first such row (as a spreadsheet numbers it for CSV and XLSX) and the date column."""
    from auditkit.data.problems import DataValidationError, Problem

    days = read_days(reads, table)
    later = np.flatnonzero((days > last_day).to_numpy())
    if len(later) == 0:
        return
    first = int(later[0])
    header = 1 if source is not None and source.format in ("csv", "xlsx") else 0
    problem = Problem(
        file=table if source is None else source.file,
        row=first + 1 + header,
        column="date",
        expected=f"a day up to the bills' last period ({last_day.date()})",
        found=f"{days.iloc[first].date()} (reads after it: {len(later):,})",
        table=table,
        customer_id=str(reads["customer_id"].iloc[first]),
    )
    raise DataValidationError([problem])


def peer_group_codes(peers: pd.Series, customers: pd.Index) -> np.ndarray:
    """One integer group per customer of `customers` from `peers` (customer_id -> group; ids
    matched as `matrix.positions_of` does), NO_GROUP for a customer it does not name or gives
    none; a ParameterError where it names a customer twice."""
    peers = pd.Series(peers)
    doubled = peers.index.duplicated()
    if doubled.any():
        raise ParameterError(
            "peers", "one group per customer", f"customer {peers.index[doubled][0]!r} twice"
        )
    positions = positions_of(peers.index, customers)
    groups = peers.astype(object).where(peers.notna(), NO_GROUP).astype(str)
    names = np.append(groups.to_numpy(dtype=object), NO_GROUP)[positions]
    return pd.factorize(names)[0]


def _explanations(
    scores: pd.DataFrame,
    matrix: ConsumptionMatrix,
    orders: pd.DataFrame | None,
    window_days: int,
    checks: pd.DataFrame | None,
    min_drop: float,
) -> pd.DataFrame:
    """EXPLAINED_COLUMNS per row of `scores`: the explaining order (`explaining_orders`), else
    the field check that saw the fall (`cleared_by_checks`): an order names the cause, a check
    only says the visit found nothing wrong."""
    if orders is None:
        explained = pd.DataFrame({"explained_by": "", "explained_at": pd.NaT}, index=scores.index)
        explained["explained_at"] = pd.to_datetime(explained["explained_at"])
    else:
        explained = explaining_orders(scores, orders, window_days, matrix)
    if checks is not None:
        candidates = fallen(scores)
        open_rows = candidates[explained.loc[candidates.index, "explained_by"].eq("")]
        # A further fall since the visit counts once it has held as long as the detector asks
        # of a drop: the last 28 days of daily reads, the last 2 bills.
        after_steps = MIN_AFTER_DAYS if matrix.frequency == "D" else WINDOWS["M"][1]
        cleared = cleared_by_checks(open_rows, checks, matrix, min_drop, after_steps)
        visited = cleared.index[cleared["explained_by"] == FIELD_CHECK]
        explained.loc[visited, "explained_by"] = FIELD_CHECK
        explained.loc[visited, "explained_at"] = cleared.loc[visited, "explained_at"]
    return explained


def ranked(scores: pd.DataFrame) -> pd.DataFrame:
    """Rows of `theft_scores` in ranking order: the customers no work order explains by score
    (highest first), then the explained ones by score; ties by customer_id."""
    explained = scores["status"].eq("explained").rename("_explained")
    return (
        pd.concat([scores, explained], axis=1)
        .sort_values(
            ["_explained", "score", "customer_id"], ascending=[True, False, True], ignore_index=True
        )
        .drop(columns="_explained")
    )


def fallen(scores: pd.DataFrame) -> pd.DataFrame:
    """The rows of `scores` whose score is evidence of a fall (above 0): only those are explained
    by a record; the others keep their status, whatever lies near their best-fitting change."""
    return scores[scores["status"].isin(CHANGE_STATUSES) & (scores["score"] > 0)]


def explaining_orders(
    scores: pd.DataFrame, orders: pd.DataFrame, window_days: int, matrix: ConsumptionMatrix
) -> pd.DataFrame:
    """Per row of `scores` (`theft_scores` of `matrix`, aligned by index): the type and effective
    date of the explaining order nearest its change (explained_by "" and explained_at NaT where
    none is within `window_days` days, or its score is no evidence of a fall: 0 or below), among
    `orders` (`_checked_orders`) in effect by the end of the matrix's last step.

    On daily reads the change is its day; on monthly bills the level fell somewhere between the
    first day of the month before `change_at` (a month partly low may be fitted on either side)
    and the last day of `change_at`, and the distance is counted from that span. Of orders equally
    near, the earliest, then the first in EXPLAINING_ORDERS.
    """
    explaining = orders[
        orders["order_type"].isin(EXPLAINING_ORDERS)
        & (orders["effective_date"] <= matrix.known_until)
    ]
    changed = fallen(scores)
    if matrix.frequency == "D":
        first = pd.to_datetime(changed["change_at"])
        last = first
    else:
        month = pd.PeriodIndex(changed["change_at"].astype(str), freq="M")
        first = pd.Series((month - 1).start_time, index=changed.index)
        last = pd.Series(month.end_time.normalize(), index=changed.index)
    spans = pd.DataFrame(
        {"row": changed.index, "customer": changed["customer_id"].astype(str), "first": first}
    ).assign(last=last.to_numpy())
    pairs = spans.merge(
        explaining.assign(customer=explaining["customer_id"].astype(str)), on="customer"
    )
    before = (pairs["first"] - pairs["effective_date"]).dt.days
    after = (pairs["effective_date"] - pairs["last"]).dt.days
    pairs["distance"] = np.maximum(np.maximum(before, after), 0)
    pairs["kind"] = pairs["order_type"].map({kind: i for i, kind in enumerate(EXPLAINING_ORDERS)})
    nearest = (
        pairs[pairs["distance"] <= window_days]
        .sort_values(["row", "distance", "effective_date", "kind"])
        .drop_duplicates("row")
        .set_index("row")
    )
    return pd.DataFrame(
        {
            "explained_by": nearest["order_type"].reindex(scores.index).fillna("").astype(str),
            "explained_at": pd.to_datetime(nearest["effective_date"].reindex(scores.index)),
        },
        index=scores.index,
    )


def _checked_orders(work_orders: pd.DataFrame, window_days: int) -> pd.DataFrame:
    """customer_id, order_type and effective_date (a Timestamp, NaT for an order not yet in
    effect) of `work_orders`; a ParameterError or ColumnError naming the column that is not as
    `theft_scores` needs it."""
    whole = isinstance(window_days, int | np.integer) and not isinstance(window_days, bool)
    if not whole or window_days < 0:
        raise ParameterError("order_window_days", "a whole number of days >= 0", window_days)
    if not isinstance(work_orders, pd.DataFrame):
        raise ParameterError(
            "work_orders", "a table (DataFrame) of work orders", type(work_orders).__name__
        )
    require_columns(work_orders, ORDER_COLUMNS, "work_orders")
    types = work_orders["order_type"]
    unknown = ~types.isin(ORDER_TYPES)
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise ParameterError(
            "work_orders.order_type",
            f"one of {', '.join(ORDER_TYPES)}",
            f"{types.iloc[row]!r} in row {row + 1}",
        )
    dates = local_days(
        work_orders["effective_date"],
        "work_orders.effective_date",
        "a date (YYYY-MM-DD), or empty for an order not yet in effect",
        allow_empty=True,
    )
    return pd.DataFrame(
        {
            "customer_id": work_orders["customer_id"].to_numpy(),
            "order_type": types.to_numpy(),
            "effective_date": dates.to_numpy(),
        }
    )


@dataclass(frozen=True)
class LevelShifts:
    """The fitted drop of each row (customer) of a consumption matrix, as arrays aligned with rows.

    `first_low_step` is the column of the first step at the lower level (the last column where
    nothing could be fitted); the other fields are those of `theft_scores`, `scorable` being its
    status "scored".
    """

    score: np.ndarray
    drop_ratio: np.ndarray
    first_low_step: np.ndarray
    steps_since_change: np.ndarray
    peer_z: np.ndarray
    n_readings: np.ndarray
    scorable: np.ndarray
    all_zero: np.ndarray


def score_level_shifts(
    values: np.ndarray, frequency: str, min_drop: float, peer_groups: np.ndarray
) -> LevelShifts:
    """Score every row of a customers x steps kWh matrix (NaN = no reading), as `theft_scores`.

    The entry point for callers that already hold integer customer and step codes (the rules
    engine at a million customers): no text keys, no long table. `frequency` is "M" or "D";
    `peer_groups` holds one integer group per row (whom `peer_z` compares the row with).
    """
    _check_min_drop(min_drop)
    if frequency not in WINDOWS:
        raise ParameterError("frequency", f"one of {', '.join(WINDOWS)}", frequency)
    if len(peer_groups) != len(values):
        raise ParameterError("peer_groups", f"one group per row ({len(values)})", len(peer_groups))
    before, after = WINDOWS[frequency]
    steps = values.shape[1]
    n_readings = np.zeros(len(values), dtype=np.int64)
    all_zero = np.zeros(len(values), dtype=bool)
    for rows in _slices(len(values), steps):
        n_readings[rows], all_zero[rows] = _readings(values[rows])
    scorable = ~all_zero & (n_readings >= before + after)

    # Each chunk's log kWh is made where it is used (log_consumption is row by row): no matrix
    # of them all is kept, only a sample's for the common patterns.
    basis = _design_basis(steps, _common_factors(values, np.flatnonzero(scorable)))
    step_columns = _step_columns(steps, basis)
    change = np.full(len(values), steps - 1)
    log_drop = np.zeros(len(values))
    score = np.zeros(len(values))
    for rows in _chunks(np.flatnonzero(scorable), steps):
        chunk = values[rows]
        fit = _fit_level_shift(
            log_consumption(chunk)[0],
            ~np.isnan(chunk),
            basis,
            step_columns,
            before,
            after,
            np.log1p(-min_drop),
        )
        change[rows], log_drop[rows], score[rows] = fit
    return LevelShifts(
        score=score,
        drop_ratio=np.where(scorable, np.exp(-log_drop), np.nan),
        first_low_step=np.minimum(change + 1, steps - 1),
        steps_since_change=np.where(scorable, steps - 1 - change, 0),
        peer_z=_peer_z(log_drop, scorable, peer_groups),
        n_readings=n_readings,
        scorable=scorable,
        all_zero=all_zero,
    )


@dataclass(frozen=True)
class DailyReasons:
    """Per row of a daily matrix: the level from the change on relative to the same days a year
    before (own, and the peers' median), the day-to-day variation from the change on against
    before, the days read 0 kWh, which test gave the score (`theft_daily.SIGNALS`, "" when the
    row was not scored by them) and whether the row was scored against its year before (True) or
    on its own days (False)."""

    own_past_ratio: np.ndarray
    peers_ratio: np.ndarray
    variation_ratio: np.ndarray
    zero_days: np.ndarray
    signal: np.ndarray
    year_before: np.ndarray


def score_daily_shifts(
    values: np.ndarray, min_drop: float, peer_groups: np.ndarray
) -> tuple[LevelShifts, DailyReasons]:
    """Score every row of a customers x days kWh matrix, as `theft_scores` does on daily reads.

    Matrices spanning a year or more are scored by `theft_daily.score_daily` (against the year
    before where the days span two years, else on the own days before the change, both with the
    peers); rows it cannot score (too few days) and shorter matrices by the level-shift model on
    their own days.
    """
    _check_min_drop(min_drop)
    if len(peer_groups) != len(values):
        raise ParameterError("peer_groups", f"one group per row ({len(values)})", len(peer_groups))
    days = values.shape[1]
    rows = np.arange(len(values))
    nothing = np.full(len(values), np.nan)
    if days < MIN_DAYS:
        shifts = score_level_shifts(values, "D", min_drop, peer_groups)
        no_signal = np.full(len(values), "", dtype=object)
        reasons = DailyReasons(
            own_past_ratio=nothing,
            peers_ratio=nothing.copy(),
            variation_ratio=nothing.copy(),
            zero_days=np.zeros(len(values), dtype=np.int64),
            signal=no_signal,
            year_before=np.zeros(len(values), dtype=bool),
        )
        return shifts, reasons
    n_readings = np.count_nonzero(~np.isnan(values), axis=1)
    all_zero = ~(values > 0).any(axis=1) & (values == 0).any(axis=1)
    daily = score_daily(values, min_drop, peer_groups, max(1, CHUNK_CELLS // days))
    scored = daily.scored & ~all_zero
    own = rows[~scored]
    alone = score_level_shifts(values[own], "D", min_drop, peer_groups[own])
    score = np.where(scored, daily.score, 0.0)
    log_drop = np.where(scored, daily.log_drop, 0.0)
    first_low = daily.first_low_step.copy()
    scorable = scored.copy()
    score[own], first_low[own] = alone.score, alone.first_low_step
    log_drop[own] = np.where(alone.scorable, -np.log(alone.drop_ratio), 0.0)
    scorable[own] = alone.scorable
    signal = np.where(scored, np.asarray(SIGNALS, dtype=object)[daily.signal], "")
    shifts = LevelShifts(
        score=score,
        drop_ratio=np.where(scorable, np.exp(-log_drop), np.nan),
        first_low_step=first_low,
        steps_since_change=np.where(scorable, days - first_low, 0),
        peer_z=_peer_z(log_drop, scorable, peer_groups),
        n_readings=n_readings,
        scorable=scorable,
        all_zero=all_zero,
    )
    reasons = DailyReasons(
        own_past_ratio=np.where(scored, daily.own_past_ratio, np.nan),
        peers_ratio=np.where(scored, daily.peers_ratio, np.nan),
        variation_ratio=np.where(scored, daily.variation_ratio, np.nan),
        zero_days=daily.zero_days,
        signal=signal,
        year_before=scored & daily.year_before,
    )
    return shifts, reasons


def add_profile_scores(
    shifts: LevelShifts,
    reasons: DailyReasons,
    hourly_blocks: Iterable[np.ndarray],
    weekend: np.ndarray,
    peer_groups: np.ndarray,
) -> tuple[LevelShifts, DailyReasons, ProfileScores]:
    """The daily scores of `score_daily_shifts` with the within-day profile test where it decides.

    `hourly_blocks` yields consecutive blocks of rows (customers x days x 24 hours of kWh, NaN
    where not read: a customer without interval reads is all NaN and keeps its daily score),
    aligned with the daily matrix; `weekend` marks its weekend columns. Where
    `theft_profile.profile_decides`, the score, the first changed day and the days since come
    from the profile and the signal is "profile"; the level's drop ratio stays the daily one.
    """
    profile = score_profiles(hourly_blocks, weekend, peer_groups)
    decides = profile_decides(shifts.score, profile)
    first_low = np.where(decides, profile.first_changed, shifts.first_low_step)
    shifts = replace(
        shifts,
        score=np.where(decides, profile.score, shifts.score),
        first_low_step=first_low,
        steps_since_change=np.where(decides, len(weekend) - first_low, shifts.steps_since_change),
        scorable=shifts.scorable | decides,
    )
    reasons = replace(reasons, signal=np.where(decides, "profile", reasons.signal))
    return shifts, reasons, profile


def _check_min_drop(min_drop: float) -> None:
    if not 0 <= min_drop < 1:
        raise ParameterError("min_drop", "a share of consumption in [0, 1)", min_drop)


def _common_factors(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Common patterns (steps x factors) of the log kWh (`log_consumption`) of the kWh `values`
    of `rows`.

    The first is the median customer's series, which a few customers' own drops cannot move; the
    others are principal components of what the median leaves, only when there are at least
    CUSTOMERS_PER_FACTOR customers per component (with fewer, one customer's drop would become a
    "common" pattern and hide itself). None below MIN_CUSTOMERS.
    """
    if len(rows) < MIN_CUSTOMERS:
        return np.empty((values.shape[1], 0))
    sample = log_consumption(values[rows[:: max(1, len(rows) // FACTOR_SAMPLE)]])[0]
    median = np.nan_to_num(row_nanmedian(sample.T))  # a day nobody was read: no pattern
    extra = min(COMMON_FACTORS - 1, len(rows) // CUSTOMERS_PER_FACTOR - 1)
    if extra < 1:
        return median[:, None]
    rest = np.clip(np.nan_to_num(sample - median), -3.0, 3.0)  # spikes and zeros must not steer
    _, vectors = np.linalg.eigh(rest.T @ rest)
    return np.column_stack([median, vectors[:, ::-1][:, :extra]])


def _design_basis(steps: int, factors: np.ndarray) -> np.ndarray:
    """Orthonormal basis (steps x p) of the shared regressors: level, trend and common factors."""
    position = np.arange(steps, dtype=float)
    design = np.column_stack([np.ones(steps), (position - position.mean()) / steps, factors])
    left, singular, _ = np.linalg.svd(design, full_matrices=False)
    return left[:, singular > 1e-8 * singular[0]]


def _step_columns(steps: int, basis: np.ndarray) -> np.ndarray:
    """Step regressors 1[t > k] for k = 0..steps-2 with the shared regressors projected out."""
    position = np.arange(steps)
    step = (position[:, None] > position[None, :-1]).astype(float)
    return step - basis @ (basis.T @ step)


def _fit_level_shift(
    log_kwh: np.ndarray,
    observed: np.ndarray,
    basis: np.ndarray,
    step_columns: np.ndarray,
    min_before: int,
    min_after: int,
    log_min_drop: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best change point, log drop and calibrated score for each row (customer) of a chunk.

    Missing readings are filled with the model's own fit (two passes), so they neither create
    nor hide a drop. A row read at every step is its own fill: the second pass would find for it
    what the first found, so only the rows with gaps are searched again.
    """
    n_readings = observed.sum(axis=1)
    after_counts = _suffix_sums(observed)
    step_norms = (step_columns**2).sum(axis=0)
    # min_before readings up to k (n_readings - after_counts), min_after after it
    allowed = (after_counts <= (n_readings - min_before)[:, None]) & (after_counts >= min_after)
    allowed &= step_norms > 1e-9
    # step regressor k as row k
    steps = _StepSearch(np.ascontiguousarray(step_columns.T), step_norms, ~allowed, log_min_drop)
    filled = np.where(observed, log_kwh, 0.0)
    residual = _projected_out(filled, basis)
    change, shift, evidence = steps.best(residual, slice(None))
    gaps = np.flatnonzero(n_readings < observed.shape[1])
    if len(gaps):
        filled = np.where(observed, log_kwh, filled - residual)
        # the whole chunk's products, as the first pass made them (a product of other rows
        # may add in another order)
        refit = _projected_out(filled, basis)[gaps]
        change[gaps], shift[gaps], evidence[gaps] = steps.best(refit, gaps)
        residual[gaps] = refit
    spread = _absolute_deviation(residual, observed, n_readings)
    parameters = basis.shape[1] + 1
    scale = np.maximum(1.4826 * spread, MIN_SCALE) * np.sqrt(
        n_readings / np.maximum(n_readings - parameters, 1)
    )
    scale *= autocorrelation_inflation(residual)
    return change, -shift, sidak_score(evidence / scale, np.count_nonzero(allowed, axis=1))


def _projected_out(values: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Each row of `values` less its projection on the orthonormal `basis` (steps x p)."""
    return values - (values @ basis) @ basis.T


@dataclass(frozen=True)
class _StepSearch:
    """The search for each row's best change point among the step regressors (`_step_columns`
    as rows, `step_rows`; their squared norms `step_norms`) not `barred` for it (a row per row
    of a chunk)."""

    step_rows: np.ndarray
    step_norms: np.ndarray
    barred: np.ndarray
    log_min_drop: float

    def best(
        self, residual: np.ndarray, rows: slice | np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row of `residual` (the chunk's `rows`, the shared regressors projected out): the
        step whose drop has the most evidence beyond log_min_drop, its coefficient and that
        evidence; the step's fit is taken from `residual` (in place)."""
        # <residual, step_k> is the sum of residuals after k: one suffix sum per customer.
        coefficient = _suffix_sums(residual)
        coefficient /= self.step_norms
        evidence = np.subtract(self.log_min_drop, coefficient)  # -coefficient + log_min_drop
        evidence *= np.sqrt(self.step_norms)
        np.copyto(evidence, -np.inf, where=self.barred[rows])
        change = np.argmax(evidence, axis=1)
        at = np.arange(len(residual))
        shift = coefficient[at, change]
        residual -= shift[:, None] * self.step_rows[change]
        return change, shift, evidence[at, change]


def _absolute_deviation(
    residual: np.ndarray, observed: np.ndarray, n_readings: np.ndarray
) -> np.ndarray:
    """Median absolute deviation (from the median) of each row's `residual` where `observed`
    (its `n_readings` steps); the residual is left 0 where not observed (as the autocorrelation
    reads it), any value not finite made finite as numpy's nan_to_num does.

    A finite residual (every fit of a series of kWh gives one) is missing only where not
    observed, and so is its absolute deviation: both medians read `n_readings` values.
    """
    missing = ~observed
    finite = np.isfinite(residual).all()
    np.copyto(residual, np.nan, where=missing)
    counts = n_readings if finite else None
    centre = row_nanmedian(residual, counts)
    deviation = row_nanmedian(np.abs(residual - centre[:, None]), counts)
    if finite:
        np.copyto(residual, 0.0, where=missing)
    else:
        np.nan_to_num(residual, copy=False)
    return deviation


def _suffix_sums(values: np.ndarray) -> np.ndarray:
    """Per row of `values`, the sum of the steps after each step but the last (steps - 1
    columns), added from the last step backwards as a cumulative sum of the reversed row does.

    With fewer steps than rows (months) the same additions run step by step over all rows at
    once: a cumulative sum along rows of 36 runs its inner loop once per row.
    """
    count, steps = values.shape
    if steps >= count or steps < 2:
        return np.cumsum(values[:, ::-1], axis=1)[:, ::-1][:, 1:]
    sums = np.empty((count, steps - 1), dtype=np.int64 if values.dtype == bool else values.dtype)
    sums[:, -1] = values[:, -1]
    for step in range(steps - 3, -1, -1):
        np.add(sums[:, step + 1], values[:, step + 1], out=sums[:, step])
    return sums


def _chunks(rows: np.ndarray, steps: int) -> list[np.ndarray]:
    """`rows` in consecutive pieces of about CHUNK_CELLS cells."""
    size = max(1, CHUNK_CELLS // max(steps, 1))
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def _slices(count: int, steps: int) -> list[slice]:
    """Rows 0 to `count` in consecutive slices of about CHUNK_CELLS cells."""
    size = max(1, CHUNK_CELLS // max(steps, 1))
    return [slice(start, start + size) for start in range(0, count, size)]


def _readings(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of kWh `values`: the readings (not NaN), and whether all of them are zero (at
    least one, none above: `log_consumption`'s all-zero rows)."""
    all_zero = ~(values > 0).any(axis=1)  # the zeros looked for where nothing is above
    all_zero[all_zero] = (values[all_zero] == 0).any(axis=1)
    return np.count_nonzero(~np.isnan(values), axis=1), all_zero


def _peer_z(log_drop: np.ndarray, scorable: np.ndarray, peer_groups: np.ndarray) -> np.ndarray:
    """Robust z, (x - median) / (1.4826 MAD), of each scored customer's log drop among its peers."""
    drop = pd.Series(np.where(scorable, log_drop, np.nan))
    median = drop.groupby(peer_groups).transform("median")
    mad = 1.4826 * (drop - median).abs().groupby(peer_groups).transform("median")
    z = (drop - median) / mad.clip(lower=MIN_SCALE)
    return z.fillna(0.0).to_numpy()

"""Consumption-based rule: the sustained drop that signals theft or a failing meter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditkit.errors import ParameterError
from auditkit.periods import date_month_number, period_text
from auditkit.rules.context import DailyReads, RuleContext
from auditkit.rules.evidence import Clause, clause, funds_clause
from auditkit.rules.findings import empty_raw, optional_values, raw, rows_of
from auditkit.rules.registry import rule
from auditkit.stats.daily_drop import MIN_SIDE_DAYS, date_level_changes, whole_month_sums
from auditkit.stats.matrix import masked_row_mean, row_nanmedian
from auditkit.stats.theft import EXPLAINING_ORDERS, score_level_shifts

#: Smallest drop the suspicion score weighs (theft_scores' default: 20 % less consumption).
THEFT_MIN_DROP = 0.2
#: Days counted as a month where a threshold in months applies to daily reads.
DAYS_PER_MONTH = 30
#: Bills read or written together where a step goes bill by bill: temporaries of a few MB that
#: the allocator hands out again, instead of arrays as long as the bills (tens of millions at a
#: million customers), each of them fresh memory the system must supply page by page.
BILL_CHUNK = 1 << 20


@rule(
    "consumption_drop",
    area="routine",
    needs=("bills.kwh_billed",),
    params=(
        "min_score",
        "lookback_months",
        "daily_lookback_months",
        "min_history_months",
        "min_months_after",
        "order_window_months",
        "source",
        "min_peers",
        "peer_min_drop",
        "peer_margin",
        "max_year_ratio",
        "peer_capacity_bands_kva",
        "back_share",
        "vacancy_share",
    ),
    severity="high",
    revenue_kind="estimated",
    # A fall a meter alarm or a proved metering fault explains is that rule's loss.
    left_to=(
        "meter_event_unresolved",
        "multiplier_mismatch",
        "register_mismatch",
        "meter_error_backbill",
    ),
)
def consumption_drop(ctx: RuleContext, params: dict) -> pd.DataFrame:
    if params["source"] == "daily_reads":
        return _daily_drop(ctx, params)
    measured = _recent_measured(ctx, params)
    if not measured.any():
        return empty_raw()
    scored = _scored(ctx, _MeasuredMatrix.of(ctx, measured), measured, params)
    if scored.empty:
        return empty_raw()
    evidence = _evidence(scored, "monthly")
    return _findings(ctx, scored, evidence, params["min_score"])


def _recent_measured(ctx: RuleContext, params: dict) -> np.ndarray:
    """Which bills (a mask) are the measured bills of the lookback months (`_measured_months`)
    of a customer in the archive."""
    measured = np.empty(len(ctx.bills), dtype=bool)
    partial_month = _partial_month(ctx)
    for bills in _bill_slices(len(ctx.bills)):
        measured[bills] = (
            (ctx.bill_month[bills] > ctx.as_of - params["lookback_months"])
            & (ctx.bill_customer[bills] >= 0)
            & _measured_months(ctx, bills, partial_month)
        )
    return measured


def _bill_slices(count: int) -> list[slice]:
    """Consecutive slices of `count` bills, BILL_CHUNK at a time."""
    return [slice(start, min(start + BILL_CHUNK, count)) for start in range(0, count, BILL_CHUNK)]


def _scored(
    ctx: RuleContext, matrix: _MeasuredMatrix, measured: np.ndarray, params: dict
) -> pd.DataFrame:
    """The unexplained drops of the monthly kWh `matrix`, highest score first: those scoring
    min_score after min_history_months, lasting min_months_after, not as low a year before and
    not shared with peers; with the kWh and revenue since the change from the `measured` bills."""
    shifts = score_level_shifts(matrix.values, "M", THEFT_MIN_DROP, matrix.peer_groups(ctx))
    chosen = np.flatnonzero(
        shifts.scorable
        & (shifts.score >= params["min_score"])
        & (shifts.n_readings >= params["min_history_months"])
        & (shifts.steps_since_change >= params["min_months_after"])
    )
    first_low = shifts.first_low_step[chosen]
    year_ratio = _year_before_ratio(matrix.values[chosen], first_low)
    kept = ~(year_ratio > params["max_year_ratio"])  # no year before to compare: the score decides
    kept &= ~_shared_with_peers(ctx, matrix, chosen, first_low, params)
    chosen, year_ratio = chosen[kept], year_ratio[kept]
    if not len(chosen):
        return pd.DataFrame()
    # Highest score first; rows are in customer_id order, which breaks ties as theft_scores does.
    ranked = np.argsort(-shifts.score[chosen], kind="stable")
    chosen, year_ratio = chosen[ranked], year_ratio[ranked]
    change_month = matrix.first_month + shifts.first_low_step[chosen]
    scored = pd.DataFrame(
        {
            "cust": matrix.row_customer[chosen],
            "score": shifts.score[chosen],
            "drop_ratio": shifts.drop_ratio[chosen],
            "change_at": period_text(change_month),
            "steps_since_change": shifts.steps_since_change[chosen],
            "peer_z": shifts.peer_z[chosen],
            "change_month": change_month,
            "year_ratio": year_ratio,
        }
    )
    explained, month_to = _order_bounds(ctx, scored, params["order_window_months"])
    steps_after = scored["steps_since_change"].to_numpy()
    values, first_low = matrix.values[chosen], shifts.first_low_step[chosen]
    reference = _level_reference(values, first_low)
    with np.errstate(invalid="ignore"):
        back = (np.arange(values.shape[1]) >= first_low[:, None]) & (
            values >= params["back_share"] * reference
        )
    last_step = month_to - matrix.first_month
    last_low, recovered = _last_low_step(back, values, last_step)
    # Months back near the level count no loss, and the low months are priced at their own fall
    # (not one the months back dilute). A drop is listed for its low months, back or not by the
    # audit month: revenue lost is lost. A vacancy that ended is not: months near zero (base
    # load only) then use back at the level for min_months_after months.
    came_back = recovered > 0
    down_months = np.where(came_back, last_low - first_low + 1, steps_after)
    low = _low_months(back, values, first_low, last_low)
    low_ratio = _low_ratio(values, reference, low)
    any_back = (back & (np.arange(values.shape[1]) <= last_step[:, None])).any(axis=1)
    scored["drop_ratio"] = np.where(any_back, low_ratio, scored["drop_ratio"].to_numpy())
    vacancy = (recovered >= params["min_months_after"]) & (low_ratio < params["vacancy_share"])
    lasting = (down_months >= params["min_months_after"]) & ~vacancy
    scored["month_to"] = np.where(came_back, matrix.first_month + last_low, month_to)
    scored["steps_since_change"] = down_months
    scored = scored.join(_after_change(ctx, measured, scored, back, matrix.first_month), on="cust")
    # No measured kWh since the change: a run of zeros (zero_consumption's finding, not a drop).
    return scored[(scored["kwh_after"] > 0).to_numpy() & ~explained & lasting]


def _level_reference(values: np.ndarray, first_low: np.ndarray) -> np.ndarray:
    """Per row of `values` (kWh by month, NaN unmeasured) and step: the level before the drop
    at `first_low`, the same month in the latest year before it where measured (the season in
    it), else the mean before."""
    step = np.arange(values.shape[1])
    before = step < first_low[:, None]
    seen = ~np.isnan(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = np.where(seen & before, values, 0.0).sum(axis=1) / (seen & before).sum(axis=1)
    reference = np.repeat(level[:, None], values.shape[1], axis=1)
    for years in range(values.shape[1] // 12, 0, -1):  # the latest year written last
        shift = 12 * years
        year_before = np.full_like(values, np.nan)
        year_before[:, shift:] = values[:, :-shift]
        usable = (step - shift < first_low[:, None]) & ~np.isnan(year_before)
        reference = np.where(usable, year_before, reference)
    return reference


def _low_months(
    back: np.ndarray, values: np.ndarray, first_low: np.ndarray, last_low: np.ndarray
) -> np.ndarray:
    """Per row and step: a measured month from `first_low` to `last_low` not `back` at the level."""
    step = np.arange(values.shape[1])
    inside = (step >= first_low[:, None]) & (step <= last_low[:, None])
    return inside & ~np.isnan(values) & ~back


def _low_ratio(values: np.ndarray, reference: np.ndarray, low: np.ndarray) -> np.ndarray:
    """Per row: what the `low` months used of their level (`reference`), their geometric mean
    (as the score's ratio is, on the log scale); NaN without one."""
    with np.errstate(invalid="ignore", divide="ignore"):
        logs = np.where(low, np.log(values / reference), 0.0)
        return np.exp(logs.sum(axis=1) / low.sum(axis=1))


def _last_low_step(
    back: np.ndarray, values: np.ndarray, last_step: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the last measured step up to `last_step` not `back` at its level (-1 where
    none), and the measured steps after it up to `last_step` (all back at the level)."""
    step = np.arange(values.shape[1])
    inside = (step <= last_step[:, None]) & ~np.isnan(values)
    low = inside & ~back
    last_low = np.where(low.any(axis=1), values.shape[1] - 1 - np.argmax(low[:, ::-1], axis=1), -1)
    recovered = (inside & (step > last_low[:, None])).sum(axis=1)
    return last_low, recovered


def _evidence(scored: pd.DataFrame, steps: str) -> list[list[Clause]]:
    """What the score saw, per scored customer; `steps` says whether it scored months or days;
    with monthly bills, the fall against the same months a year before where there were any;
    and the funds in the money."""
    return [
        _with_funds_and_year(found, [_drop_clause(found, steps)]) for found in scored.itertuples()
    ]


def _with_funds_and_year(found: object, clauses: list[Clause]) -> list[Clause]:
    """A scored customer's `clauses` with the funds in its money beside the first (which states
    the money) and, where it has one, its fall against the same months a year before."""
    finished = [clauses[0], *funds_clause(found.funds), *clauses[1:]]
    if not np.isnan(getattr(found, "year_ratio", np.nan)):
        finished.append(clause("consumption_drop.year_before", ratio=found.year_ratio))
    return finished


def _drop_clause(found: object, steps: str) -> Clause:
    """The fall a scored customer's months or days (`steps`) show, and the money since."""
    return clause(
        f"consumption_drop.{steps}",
        ratio=found.drop_ratio,
        change=found.change_at,
        steps=found.steps_since_change,
        score=found.score,
        peer=found.peer_z,
        revenue=found.revenue,
    )


def _findings(
    ctx: RuleContext, scored: pd.DataFrame, evidence: list[str], min_score: float
) -> pd.DataFrame:
    # Map the unbounded suspicion score onto (0, 1) for ranking alongside other rules.
    score01 = 1 - np.exp(-scored["score"].to_numpy(dtype=float) / (2 * min_score))
    return raw(
        scored["cust"],
        scored["change_month"],
        scored["month_to"],
        evidence,
        scored["revenue"],
        score01,
    )


def _daily_drop(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """consumption_drop with smart-meter days: the drop found on the customer's months, each
    month read whole by the meter (every day of it in the last daily_lookback_months) its
    daily reads' sum, the months before them its measured bills (its own past, a year before
    included); then dated to the day from the daily reads around the month of the change
    (`auditkit.stats.daily_drop`).

    A year of days alone holds no past for a drop that began before it and shows month-to-month
    swings as steps: scored on the days it found 0.40 of the thefts at precision 0.10 on the
    synthetic utility (docs/statistics.md). A drop that began before the daily reads (less than
    MIN_SIDE_DAYS days of them before its month) keeps its month.
    """
    reads = ctx.daily
    if reads is None:
        raise ParameterError(
            "consumption_drop.source", "bills, or a dataset with a daily_reads table", "daily_reads"
        )
    measured = _recent_measured(ctx, params)
    if not measured.any():
        return empty_raw()
    matrix = _MeasuredMatrix.of(ctx, measured)
    days = _DailyMatrix.of(ctx, reads, matrix.row_customer, params["daily_lookback_months"])
    scored = _scored(ctx, days.with_whole_months(ctx, matrix), measured, params)
    if scored.empty:
        return empty_raw()
    row_of_customer = np.full(len(ctx.customers), -1)
    row_of_customer[matrix.row_customer] = np.arange(len(matrix.row_customer))
    rows = row_of_customer[scored["cust"].to_numpy()]
    evidence, first_low_month = _daily_evidence(ctx, scored, days, rows)
    return _findings(
        ctx, scored.assign(change_month=first_low_month), evidence, params["min_score"]
    )


@dataclass(frozen=True)
class _DailyMatrix:
    """Daily kWh as rows x days (NaN = no read), rows those of a `_MeasuredMatrix`, columns the
    days from `first_day` (day number) to the audit month's last day."""

    values: np.ndarray
    row_customer: np.ndarray
    first_day: int

    @classmethod
    def of(
        cls, ctx: RuleContext, reads: DailyReads, row_customer: np.ndarray, months: int
    ) -> _DailyMatrix:
        """The reads of the customers `row_customer` over the last `months` months."""
        first_day = _first_day_of_month(ctx.as_of - months + 1)
        last_day = _first_day_of_month(ctx.as_of + 1) - 1
        row_of_customer = np.full(len(ctx.customers), -1)
        row_of_customer[row_customer] = np.arange(len(row_customer))
        row = row_of_customer[reads.cust]
        inside = np.flatnonzero((reads.day >= first_day) & (row >= 0) & ~np.isnan(reads.kwh))
        values = np.full((len(row_customer), last_day - first_day + 1), np.nan)
        values[row[inside], reads.day[inside] - first_day] = reads.kwh[inside]
        if np.count_nonzero(~np.isnan(values)) < len(inside):
            raise ParameterError("daily_reads", "one read per customer and date", "repeated reads")
        return cls(values, row_customer, first_day)

    def with_whole_months(self, ctx: RuleContext, matrix: _MeasuredMatrix) -> _MeasuredMatrix:
        """`matrix` with each month a row's meter read on every day set to the reads' sum,
        where that month was billed neither under a suspension nor for part of it (a connection
        after the first day), and the sum is not zero (zero runs are zero_consumption's)."""
        sums, months = whole_month_sums(self.values, self.first_day)
        column = months - matrix.first_month
        kept = (column >= 0) & (column < matrix.values.shape[1])
        sums, column = sums[:, kept], column[kept]
        usable = np.zeros_like(sums, dtype=bool)
        row_of_customer = np.full(len(ctx.customers), -1)
        row_of_customer[matrix.row_customer] = np.arange(len(matrix.row_customer))
        column_of_month = np.full(matrix.values.shape[1], -1)
        column_of_month[column] = np.arange(len(column))
        bill_row = row_of_customer[np.maximum(ctx.bill_customer, 0)]
        bill_step = ctx.bill_month - matrix.first_month
        inside = (bill_row >= 0) & (bill_step >= 0) & (bill_step < matrix.values.shape[1])
        bill_column = np.where(inside, column_of_month[np.where(inside, bill_step, 0)], -1)
        whole_terms = inside & (bill_column >= 0) & ~ctx.suspended & ~_partial_months(ctx)
        usable[bill_row[whole_terms], bill_column[whole_terms]] = True
        usable &= sums > 0
        values = matrix.values.copy()
        target = values[:, column]
        values[:, column] = np.where(usable, sums, target)
        return _MeasuredMatrix(values, matrix.row_customer, matrix.first_month)


def _daily_evidence(
    ctx: RuleContext, scored: pd.DataFrame, days: _DailyMatrix, rows: np.ndarray
) -> tuple[list[list[Clause]], np.ndarray]:
    """Per scored drop: dated to the day where the daily reads hold at least MIN_SIDE_DAYS days
    before its month, with the kWh a day before and after and the peers' change (the fall it
    names is the customer's beyond its peers' around that day); else its month,
    before the daily reads began (or from the bills alone, for a customer without daily reads).
    Returns the evidence and the month each drop starts in (the dated day's where dated)."""
    change_month = scored["change_month"].to_numpy()
    month_start = np.array([_first_day_of_month(m) for m in change_month]) - days.first_day
    month_stop = np.array([_first_day_of_month(m + 1) for m in change_month]) - days.first_day
    read = ~np.isnan(days.values[rows])
    first_read = np.where(read.any(axis=1), np.argmax(read, axis=1), days.values.shape[1])
    # The month of the change, a month either side: a fall mid-month lowers either month.
    start = np.maximum(month_start - DAYS_PER_MONTH, first_read)
    stop = np.minimum(month_stop + DAYS_PER_MONTH, days.values.shape[1])
    inside = np.flatnonzero(
        (month_start - first_read >= MIN_SIDE_DAYS) & (stop - start >= 2 * MIN_SIDE_DAYS)
    )
    groups = _peer_groups(ctx, days.row_customer)
    dated = date_level_changes(days.values, rows[inside], start[inside], stop[inside], groups)
    last_day = days.values.shape[1] - 1
    first_low_month = change_month.copy()
    evidence = []
    for at, found in enumerate(scored.itertuples()):
        where = np.searchsorted(inside, at)
        if where < len(inside) and inside[where] == at:
            day = int(dated.first_low_day[where])
            first_low_month[at] = _month_of_day(days.first_day + day)
            clauses = [
                clause(
                    "consumption_drop.daily",
                    ratio=dated.kwh_after[where]
                    / dated.kwh_before[where]
                    / dated.peers_ratio[where],
                    change=_date_text(days.first_day + day),
                    steps=last_day - day + 1,
                    score=found.score,
                    peer=found.peer_z,
                    revenue=found.revenue,
                ),
                clause(
                    "consumption_drop.daily_step",
                    before=dated.kwh_before[where],
                    after=dated.kwh_after[where],
                    peers=dated.peers_ratio[where],
                ),
            ]
        elif first_read[at] > last_day:  # a meter read by hand: its bills alone
            clauses = [_drop_clause(found, "monthly")]
        else:
            clauses = [
                clause(
                    "consumption_drop.before_daily",
                    ratio=found.drop_ratio,
                    change=found.change_at,
                    first=_date_text(days.first_day + first_read[at]),
                    steps=found.steps_since_change,
                    score=found.score,
                    peer=found.peer_z,
                    revenue=found.revenue,
                )
            ]
        evidence.append(_with_funds_and_year(found, clauses))
    return evidence, first_low_month


def _first_day_of_month(month: int) -> int:
    """Day number (days since 1970-01-01) of the first day of month number `month`."""
    return int(np.datetime64(int(month) - 1970 * 12, "M").astype("datetime64[D]").astype(np.int64))


def _month_of_day(day: int) -> int:
    """Month number (year * 12 + month - 1) of day number `day`."""
    return int(np.datetime64(int(day), "D").astype("datetime64[M]").astype(np.int64)) + 1970 * 12


def _date_text(day: int) -> str:
    """Day number `day` as YYYY-MM-DD."""
    return str(np.datetime64(int(day), "D"))


def _rates_due(ctx: RuleContext, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per bill of `rows`, the energy and fund rates the unbilled energy is priced at: the
    schedule's flat rates for the archive's tariff (the one the customer should be on) at its
    voltage band, in force that month; where the schedule has no energy rate for it, the billed
    tariff's, else the rate billed. A tariff without funds collects none."""
    archive = ctx.tariff_code(ctx.customers["tariff_category"])[ctx.bill_customer[rows]]
    month = ctx.bill_month[rows]
    energy = ctx.schedule_rate(archive, month, "energy_rate", rows)
    funds = np.zeros(len(rows))
    if "fund_rate" in ctx.tariffs:
        funds = np.nan_to_num(ctx.schedule_rate(archive, month, "fund_rate", rows))
    missing = np.flatnonzero(np.isnan(energy))
    if len(missing):  # the tariffs due of every bill are worked out for it: only when needed
        energy[missing] = ctx.energy_rate_due_or_billed(rows[missing])
        funds[missing] = ctx.fund_rate_due(rows[missing])
    return energy, funds


def _rows_in_id_order(ctx: RuleContext, has_reading: np.ndarray) -> np.ndarray:
    """Customer codes with a reading, in customer_id order (as `theft_scores` orders them, so
    both give the same scores); equal ids in archive order, missing ones first."""
    ids = pa.array(ctx.customers["customer_id"])
    order = pc.array_sort_indices(ids, null_placement="at_start").to_numpy()  # stable
    return order[has_reading[order]]


def _peer_groups(ctx: RuleContext, row_customer: np.ndarray) -> np.ndarray:
    """Each row's peer group: its usage type and district (one shared group where either is
    missing)."""
    usage = pd.factorize(ctx.customers["usage_type"])[0]
    district = pd.factorize(ctx.customers["district"])[0]
    group = np.where((usage < 0) | (district < 0), -1, usage * (district.max() + 1) + district)
    return group[row_customer]


@dataclass(frozen=True)
class _MeasuredMatrix:
    """Measured kWh as a customers x months matrix, built from the context's integer codes.

    Rows are the customers with a measured bill, in customer_id order (as `theft_scores` orders
    them, so both give the same scores); columns run from the first measured month to as_of.
    """

    values: np.ndarray
    row_customer: np.ndarray  # customer code (row of ctx.customers) of each matrix row
    first_month: int

    @classmethod
    def of(cls, ctx: RuleContext, measured: np.ndarray) -> _MeasuredMatrix:
        """The matrix of the bills `measured` (a mask over the bills, some set; customer codes
        >= 0, months <= as_of), written BILL_CHUNK bills at a time."""
        # Bills come sorted by customer and month (RuleContext): each customer's are one run.
        runs = np.flatnonzero(~ctx.same_customer_as_previous)
        has_reading = np.zeros(len(ctx.customers), dtype=bool)
        known = ctx.bill_customer[runs] >= 0
        has_reading[ctx.bill_customer[runs[known]]] = np.logical_or.reduceat(measured, runs)[known]
        first_month = int(np.min(ctx.bill_month, where=measured, initial=ctx.as_of))
        row_customer = _rows_in_id_order(ctx, has_reading)
        row_of_customer = np.full(len(ctx.customers), -1)
        row_of_customer[row_customer] = np.arange(len(row_customer))
        width = ctx.as_of - first_month + 1
        values = np.full((len(row_customer), width), np.nan)
        cells = values.reshape(-1)
        kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)
        row_start = row_of_customer * width - first_month  # + a month: the customer's cell
        previous = -1
        for bills in _bill_slices(len(measured)):
            # most bills are measured: each cell worked out, then those of the measured kept
            kept = measured[bills]
            cell = np.take(row_start, ctx.bill_customer[bills]) + ctx.bill_month[bills]
            cell = cell[kept]
            if not len(cell):
                continue
            # A month billed twice is one cell for two neighbouring bills, maybe the last of a
            # chunk and the first of the next.
            if cell[0] == previous or (cell[1:] == cell[:-1]).any():
                _raise_duplicated(ctx, measured)
            previous = cell[-1]
            cells[cell] = kwh[bills][kept]
        return cls(values, row_customer, first_month)

    def peer_groups(self, ctx: RuleContext) -> np.ndarray:
        return _peer_groups(ctx, self.row_customer)


def _raise_duplicated(ctx: RuleContext, measured: np.ndarray) -> None:
    """Raise for the first customer billed twice for the same month among the bills `measured`
    (a mask)."""
    measured = np.flatnonzero(measured)
    keys = pd.DataFrame({"cust": ctx.bill_customer[measured], "month": ctx.bill_month[measured]})
    first = int(np.flatnonzero(keys.duplicated(keep=False).to_numpy())[0])
    customer_id = ctx.customers["customer_id"].iloc[int(keys["cust"].iloc[first])]
    period = period_text(int(keys["month"].iloc[first]))
    raise ParameterError(
        "bills", "one bill per customer and period", f"several for {customer_id!r} at {period!r}"
    )


def _after_change(
    ctx: RuleContext, measured: np.ndarray, scored: pd.DataFrame, back: np.ndarray, first_month: int
) -> pd.DataFrame:
    """Per scored customer (`cust`): measured kWh since the change and the revenue it lost (the
    energy missing each month at that month's rate due), the months `back` at the level left
    out (a row per scored customer, a step per month from `first_month`)."""
    position = np.full(len(ctx.customers), -1)
    position[scored["cust"].to_numpy()] = np.arange(len(scored))
    bills = rows_of(ctx, scored["cust"].to_numpy())
    bills = bills[measured[bills]]
    row = position[ctx.bill_customer[bills]]
    month = ctx.bill_month[bills]
    after = (month >= scored["change_month"].to_numpy()[row]) & (
        month <= scored["month_to"].to_numpy()[row]
    )
    after &= ~back[row, np.clip(month - first_month, 0, back.shape[1] - 1)]
    bills, row = bills[after], row[after]
    kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)[bills]
    drop_ratio = np.maximum(scored["drop_ratio"].to_numpy()[row], 0.05)
    lost_kwh = kwh * (1 / drop_ratio - 1)
    energy_rate, fund_rate = _rates_due(ctx, bills)
    funds = lost_kwh * fund_rate  # collected on every kWh sold
    frame = pd.DataFrame(
        {
            "cust": ctx.bill_customer[bills],
            "kwh": kwh,
            "lost": lost_kwh * energy_rate + funds,
            "funds": funds,
        }
    )
    return frame.groupby("cust").agg(
        kwh_after=("kwh", "sum"), revenue=("lost", "sum"), funds=("funds", "sum")
    )


def _measured_months(
    ctx: RuleContext, bills: slice = slice(None), partial_month: np.ndarray | None = None
) -> np.ndarray:
    """Of the `bills` (all by default), those whose kWh measures a whole month's use at the
    customer's usual terms: not estimated, not the catch-up read after estimates (it spans
    several months), not the month of a connection after its first day (its bill covers part of
    the month; `partial_month` is `_partial_month`, given when the caller has it), not under a
    suspension (low by order), and not zero (zero runs are zero_consumption's; one or two empty
    months are a holiday home, not a fall)."""
    start, stop, _ = bills.indices(len(ctx.bills))
    before = max(start - 1, 0)  # the bill before the first tells whether it is a catch-up
    estimated = (ctx.bills["read_type"].iloc[before:stop] == "estimated").to_numpy(dtype=bool)
    catch_up = np.zeros(stop - start, dtype=bool)
    catch_up[int(start == 0) :] = (
        estimated[:-1] & ~estimated[1:] & ctx.same_customer_as_previous[max(start, 1) : stop]
    )
    estimated = estimated[start - before :]
    if partial_month is None:
        partial_month = _partial_month(ctx)
    partial = ctx.bill_month[bills] == np.take(partial_month, ctx.bill_customer[bills])
    positive = ctx.bills["kwh_billed"].to_numpy(dtype=float)[bills] > 0
    return ~estimated & ~catch_up & positive & ~partial & ~ctx.suspended[bills]


def _partial_month(ctx: RuleContext) -> np.ndarray:
    """Per customer, the month of its connection where that was after the month's first day
    (its bill covers part of the month); -1 where it was not. Of the bills' months' type: a
    month of each bill is read from it."""
    connected = ctx.customers["connection_date"]
    after_first_day = connected.dt.day.to_numpy(dtype=float, na_value=1) > 1
    month = np.where(after_first_day, date_month_number(connected), -1)
    return month.astype(ctx.bill_month.dtype, copy=False)


def _partial_months(ctx: RuleContext) -> np.ndarray:
    """Bills of the month of a connection after its first day (they cover part of the month)."""
    return ctx.bill_month == _partial_month(ctx)[ctx.bill_customer]


def _year_before_ratio(values: np.ndarray, first_low: np.ndarray) -> np.ndarray:
    """Per row of `values` (kWh by month, NaN unmeasured): its first low months (up to a year
    from `first_low`) over the same months a year before, where both were measured; NaN where
    no such pair is in the months scored. A drop the season made (the same months were as low
    a year before) is no fall."""
    step = np.arange(values.shape[1])
    year_before = np.roll(values, 12, axis=1)  # step j holds j − 12 (wrapped steps left out)
    low = (step >= first_low[:, None]) & (step < first_low[:, None] + 12) & (step >= 12)
    paired = low & ~np.isnan(values) & ~np.isnan(year_before)
    before = np.where(paired, year_before, 0.0).sum(axis=1)
    after = np.where(paired, values, 0.0).sum(axis=1)
    return np.divide(after, before, out=np.full(len(values), np.nan), where=paired.any(axis=1))


def _shared_with_peers(
    ctx: RuleContext,
    matrix: _MeasuredMatrix,
    chosen: np.ndarray,
    first_low: np.ndarray,
    params: dict,
) -> np.ndarray:
    """Per chosen row: its peers fell with it, so the drop is theirs too (an industry's
    downturn, not a theft). Peers are the customers of the same usage type, industry, district
    and capacity band (`peer_capacity_bands_kva`); of the same usage type, industry and district
    where those are fewer than `min_peers`; of the same usage type and district where those
    too are fewer, or without an industry column. The peers' month is their median log kWh, each centred on its
    own mean; the drop is shared when, in the row's low months, the peers' month used at most
    1 − `peer_min_drop` of the same months a year before, and the row's log kWh less the peers'
    month fell by less than `peer_margin` from its first low month (the spread of a downturn
    between its customers; a change point a few months off the peers' changes neither).

    The peers' months are worked out once per group of a chosen row, the rest for all chosen
    rows at once. A row whose industry has fewer than `min_peers` customers in its district
    (but more than itself) is judged against its industry across the utility
    (`_fell_with_small_group`): the district's other customers of its usage type did not fall
    with a downturn of an industry they are not in, and a few of one district falling together
    are no downturn on their own.
    """
    shared = np.zeros(len(chosen), dtype=bool)
    if not len(chosen):
        return shared
    small = _small_industry_groups(ctx, matrix.row_customer, params["min_peers"])
    shared |= _fell_with_small_group(ctx, matrix, small, chosen, first_low, params)
    groups = _industry_groups(
        ctx, matrix.row_customer, params["min_peers"], params["peer_capacity_bands_kva"]
    )
    grouped = np.flatnonzero(groups[chosen] >= 0)
    if not len(grouped):
        return shared
    wanted = np.unique(groups[chosen[grouped]])
    peers = _peer_months(matrix.values, groups, wanted)
    row_peers = peers[np.searchsorted(wanted, groups[chosen[grouped]])]
    step = first_low[grouped]
    peers_kept = _year_before_ratio(np.exp(row_peers), step)
    beyond = _fall(np.log(matrix.values[chosen[grouped]]) - row_peers, step)
    shared[grouped] |= (peers_kept <= 1 - params["peer_min_drop"]) & (
        beyond < -np.log1p(-params["peer_margin"])
    )
    return shared


def _small_industry_groups(
    ctx: RuleContext, row_customer: np.ndarray, min_peers: int
) -> np.ndarray:
    """Each row's group of usage type, district and industry where it holds from 2 to
    `min_peers` − 1 rows (too few for a peers' median); -1 elsewhere, or where a key is missing."""
    codes = _archive_codes(ctx, "usage_type", row_customer)
    for column in ("district", "industry"):
        codes = _paired_codes(codes, _archive_codes(ctx, column, row_customer))
    size = np.bincount(codes[codes >= 0], minlength=len(codes))[np.maximum(codes, 0)]
    return np.where((codes >= 0) & (size >= 2) & (size < min_peers), codes, -1)


def _fell_with_small_group(
    ctx: RuleContext,
    matrix: _MeasuredMatrix,
    small: np.ndarray,
    chosen: np.ndarray,
    first_low: np.ndarray,
    params: dict,
) -> np.ndarray:
    """Per chosen row of a small district group (`small`, -1 for none): it shares an
    industry-wide downturn. Its peers are its usage type and industry across the utility (all
    districts), less any with an order that explains a fall (`EXPLAINING_ORDERS`) within
    `order_window_months` of the row's change (a peer's own reduction is no evidence of a
    downturn); they are at least `min_peers` − 1, some in other districts (2 to 4 customers of
    one district falling together may be one owner's bypass, not a downturn), and in the row's
    low months both all of them and those of other districts (medians) used at most
    1 − `peer_min_drop` of the same months a year before; the row's log kWh less their median
    month fell by less than `peer_margin`. The row is left out of its peers: among a few, its own
    fall would move their median."""
    shared = np.zeros(len(chosen), dtype=bool)
    in_small = np.flatnonzero(small[chosen] >= 0)
    if not len(in_small):
        return shared
    industry = _paired_codes(
        _archive_codes(ctx, "usage_type", matrix.row_customer),
        _archive_codes(ctx, "industry", matrix.row_customer),
    )
    district = _archive_codes(ctx, "district", matrix.row_customer)
    row_of = np.full(len(ctx.customers), -1)
    row_of[matrix.row_customer] = np.arange(len(matrix.row_customer))
    orders = ctx.orders_of(*EXPLAINING_ORDERS)
    orders = orders[orders["cust"] >= 0]
    order_row = row_of[orders["cust"].to_numpy(dtype=np.int64)]
    order_month = orders["effective_month"].to_numpy(dtype=np.int64)
    fell = 1 - params["peer_min_drop"]
    for at in in_small:
        row = chosen[at]
        change = matrix.first_month + first_low[at]
        explained = order_row[np.abs(order_month - change) <= params["order_window_months"]]
        others = np.flatnonzero(industry == industry[row])
        others = others[(others != row) & ~np.isin(others, explained)]
        outside = others[district[others] != district[row]]
        if len(others) < params["min_peers"] - 1 or not len(outside):
            continue
        kept = _year_before_ratio(matrix.values[others], np.full(len(others), first_low[at]))
        kept_outside = kept[district[others] != district[row]]
        if not (_median_at_most(kept, fell) and _median_at_most(kept_outside, fell)):
            continue
        peers = _peer_months(
            matrix.values[others], np.zeros(len(others), dtype=np.int64), np.zeros(1)
        )
        beyond = _fall(np.log(matrix.values[[row]]) - peers, first_low[[at]])
        shared[at] = beyond[0] < -np.log1p(-params["peer_margin"])
    return shared


def _median_at_most(values: np.ndarray, bound: float) -> bool:
    """The median of `values` known (not NaN: no year before) is at most `bound`; False where
    none is known."""
    known = values[~np.isnan(values)]
    return bool(len(known)) and float(np.median(known)) <= bound


def _peer_months(values: np.ndarray, groups: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Per group of `wanted` (ascending): the median over its rows (`groups`) of their log kWh
    each centred on its own mean, by step. The rows of the wanted groups are sorted by group
    once; each group is then a run of them, centred straight into a steps x rows array (each
    step's values side by side, as its median reads them)."""
    members = np.flatnonzero(np.isin(groups, wanted))
    members = members[np.argsort(groups[members], kind="stable")]  # by group, then row
    starts = np.searchsorted(groups[members], wanted, "left")
    stops = np.searchsorted(groups[members], wanted, "right")
    peers = np.empty((len(wanted), values.shape[1]))
    for at, (start, stop) in enumerate(zip(starts, stops, strict=True)):
        log = values[members[start:stop]]
        np.log(log, out=log)
        mean = masked_row_mean(log, np.True_)  # nanmean's sum over count
        by_step = np.empty((values.shape[1], stop - start))
        np.subtract(log.T, mean, out=by_step)
        peers[at] = row_nanmedian(by_step)
    return peers


def _fall(series: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Per row of `series` (NaN unmeasured): its mean before `step` less its mean from it."""
    before = np.arange(series.shape[1]) < step[:, None]
    seen = ~np.isnan(series)
    values = np.where(seen, series, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_before = (values * before).sum(axis=1) / (seen & before).sum(axis=1)
        mean_after = (values * ~before).sum(axis=1) / (seen & ~before).sum(axis=1)
    return mean_before - mean_after


def _industry_groups(
    ctx: RuleContext, row_customer: np.ndarray, min_peers: int, capacity_bands: list[float]
) -> np.ndarray:
    """Each row's peer group for a shared fall: the finest of usage type, industry, district and
    capacity band (edges `capacity_bands` in kVA); usage type, industry and district; usage type
    and district that has at least `min_peers` rows; -1 where none has, or a key is missing."""
    capacity = optional_values(ctx.customers, "contract_capacity_kva")[row_customer]
    band = np.searchsorted(np.sort(np.asarray(capacity_bands, dtype=float)), capacity, "right")
    band = np.where(np.isnan(capacity), -1, band)
    codes = _archive_codes(ctx, "usage_type", row_customer)
    keys = [_archive_codes(ctx, "district", row_customer)]
    keys += [_archive_codes(ctx, "industry", row_customer), band]
    group = np.full(len(row_customer), -1, dtype=np.int64)
    # Coarse to fine, each level's codes apart from the others'; a finer group wins where large.
    for level, key in enumerate(keys):
        codes = _paired_codes(codes, key)
        size = np.bincount(codes[codes >= 0], minlength=len(codes))
        large = (codes >= 0) & (size[np.maximum(codes, 0)] >= min_peers)
        group[large] = codes[large] + level * len(row_customer)
    return group


def _archive_codes(ctx: RuleContext, column: str, row_customer: np.ndarray) -> np.ndarray:
    """Codes of the archive's `column` (-1 where missing, or the column is absent), per row."""
    if column not in ctx.customers:
        return np.full(len(row_customer), -1)
    return pd.factorize(ctx.customers[column])[0][row_customer]


def _paired_codes(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Codes (0 to rows - 1) of the distinct pairs of codes `first` and `second`; -1 where
    either is -1. Where the pairs are numbered within a few times the rows (codes of the
    archive's few usage types, districts and industries), each pair's code is its rank among
    the pairs present, read from a table of them all; else they are hashed."""
    known = (first >= 0) & (second >= 0)
    pair = first.astype(np.int64) * (int(second.max(initial=0)) + 1) + second
    pair = pair[known]
    codes = np.full(len(first), -1, dtype=np.int64)
    pairs = int(pair.max(initial=-1)) + 1
    if pairs <= 4 * len(first):
        present = np.zeros(pairs, dtype=bool)
        present[pair] = True
        codes[known] = (np.cumsum(present) - 1)[pair]
    else:
        codes[known] = pd.factorize(pair)[0]
    return codes


def _order_bounds(
    ctx: RuleContext, scored: pd.DataFrame, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per scored drop: whether an order that lowers load (`EXPLAINING_ORDERS`) took effect
    within `window` months either side of its change (the drop is the order's: a new occupant,
    a reduction); and the last month of the drop's loss, up to the day before the first such
    order later than that (other than a suspension, whose months are not measured anyway), else the
    audit month. An order long after a drop does not explain it: a theft found after the account
    closed or passed to a new owner lost the revenue of the months before (and of the order's
    month where it took effect after the month's first day: that bill covers days before it)."""
    month_to = np.full(len(scored), ctx.as_of, dtype=np.int64)
    orders = ctx.orders_of(*EXPLAINING_ORDERS)
    if orders.empty:
        return np.zeros(len(scored), dtype=bool), month_to
    joined = (
        scored[["cust", "change_month"]]
        .reset_index(drop=True)
        .reset_index()
        .merge(orders[["cust", "effective_month", "effective_date", "order_type"]], on="cust")
    )
    day_before = pd.to_datetime(joined["effective_date"]) - pd.Timedelta(days=1)
    joined["last_month"] = date_month_number(day_before)
    distance = joined["effective_month"] - joined["change_month"]
    explained = np.zeros(len(scored), dtype=bool)
    explained[joined.loc[distance.abs() <= window, "index"].to_numpy()] = True
    ends = joined[(distance > window) & (joined["order_type"] != "suspension")]
    ends = ends.groupby("index")["last_month"].min()
    month_to[ends.index.to_numpy()] = ends.to_numpy()
    return explained, month_to

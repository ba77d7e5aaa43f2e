"""Field checks that found nothing: a fall a visit has already seen stops topping the theft ranking.

The audit is a cycle. A customer whose consumption fell goes to the field; a visit that finds an
empty flat, a tenant gone or nothing wrong is recorded in the register as a false alarm
(`register.checks.field_checks`). No series tells an unrecorded move from a theft that takes as
much (docs/statistics.md), so without that outcome the same honest fall would top every month's
ranking and send the field back to it. Given `field_checks` (customer_id, checked_on),
`theft_scores` treats a customer whose change began on or before its latest check (on bills:
before the check's month) as explained by it: status "explained", explained_by FIELD_CHECK,
explained_at the check's date, ranked after every unexplained customer. A fall that began after
the visit, or a further fall of more than `min_drop` since it, is new evidence and ranks as any
other; a check after the last day known (`as_of`) is ignored, so scoring an earlier month gives
what it gave then.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.errors import ParameterError
from auditkit.periods import local_days
from auditkit.stats.matrix import ConsumptionMatrix
from auditkit.stats.requirements import require_columns
from auditkit.stats.theft_daily import YEAR_DAYS

#: Columns `theft_scores` reads of `field_checks`.
FIELD_CHECK_COLUMNS = ("customer_id", "checked_on")
#: explained_by of a customer a field check explains.
FIELD_CHECK = "field_check"


def checked_field_checks(field_checks: pd.DataFrame) -> pd.DataFrame:
    """customer_id (text) and checked_on (a day) of `field_checks`; a ParameterError or
    ColumnError naming the column and row that is not as `theft_scores` needs it. A day given
    with a time zone is that zone's day (a visit is dated where it happened)."""
    if not isinstance(field_checks, pd.DataFrame):
        raise ParameterError(
            "field_checks", "a table (DataFrame) of field checks", type(field_checks).__name__
        )
    require_columns(field_checks, FIELD_CHECK_COLUMNS, "field_checks")
    days = local_days(field_checks["checked_on"], "field_checks.checked_on", "a date (YYYY-MM-DD)")
    customers = field_checks["customer_id"]
    missing = (customers.isna() | customers.astype(str).str.strip().eq("")).to_numpy()
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise ParameterError("field_checks.customer_id", "a customer id", f"empty in row {row + 1}")
    return pd.DataFrame(
        {"customer_id": customers.astype(str).to_numpy(), "checked_on": days.to_numpy()}
    )


def cleared_by_checks(
    fallen: pd.DataFrame,
    checks: pd.DataFrame,
    matrix: ConsumptionMatrix,
    min_drop: float,
    after_steps: int,
) -> pd.DataFrame:
    """For the rows of `fallen` (rows of `theft_scores` of `matrix`, whose index is the matrix's
    row and whose score is evidence of a fall): FIELD_CHECK and the date of its latest check of
    `checks` (`checked_field_checks`) when that check saw the fall; "" and NaT otherwise.

    The latest check on or before the last day the matrix knows (`known_until`) counts, and it
    saw the fall when it came on or after the day the change began (on monthly bills after the
    month of `change_at`: the level fell somewhere up to its end, and a false alarm on that
    month's bill always comes later) and the use has not fallen again since (`_fell_again`: the
    last `after_steps` steps against what the visit saw, in kWh and against the year before).
    The last steps, not all since the check: a fall a month ago counts however long ago the
    visit was; a holiday shorter than half of them does not.
    """
    daily = matrix.frequency == "D"
    if daily:
        seen_from = pd.to_datetime(fallen["change_at"])
    else:
        seen_from = pd.Series(
            (pd.PeriodIndex(fallen["change_at"].astype(str), freq="M") + 1).start_time,
            index=fallen.index,
        )
    latest = (
        checks[checks["checked_on"] <= matrix.known_until]
        .sort_values("checked_on")
        .drop_duplicates("customer_id", keep="last")
    )
    pairs = pd.DataFrame(
        {"row": fallen.index, "customer_id": fallen["customer_id"].astype(str), "from": seen_from}
    ).merge(latest, on="customer_id")
    pairs = pairs[pairs["checked_on"] >= pairs["from"]]
    change_columns = fallen.loc[pairs["row"], "change_at"]
    if daily:
        starts = matrix.times.get_indexer(pd.to_datetime(change_columns))
        ends = matrix.times.searchsorted(pairs["checked_on"], side="right")
    else:
        columns = pd.PeriodIndex(matrix.times, freq="M")
        starts = columns.get_indexer(pd.PeriodIndex(change_columns.astype(str), freq="M"))
        ends = columns.searchsorted(pd.PeriodIndex(pairs["checked_on"], freq="M"), side="right")
    year = YEAR_DAYS if daily else 12
    held = np.array(
        [
            not _fell_again(matrix.values[row], (start, end), year, min_drop, after_steps)
            for row, start, end in zip(pairs["row"], starts, ends, strict=True)
        ],
        dtype=bool,
    )
    checked_at = pd.to_datetime(pairs[held].set_index("row")["checked_on"].reindex(fallen.index))
    return pd.DataFrame(
        {"explained_by": np.where(checked_at.notna(), FIELD_CHECK, ""), "explained_at": checked_at},
        index=fallen.index,
    )


def _fell_again(
    kwh: np.ndarray, seen: tuple[int, int], year: int, min_drop: float, after_steps: int
) -> bool:
    """Whether a customer's use (`kwh`, per step) fell again after a check: `seen` (start, end)
    are the steps from the change to the check, and the check saw the last `after_steps` of them
    (the level at the visit); the use fell again when the last `after_steps` steps, all after the
    check, are more than `min_drop` below that, both in kWh and against the same steps `year`
    steps before (where the customer has reads a year before both the steps seen and the last
    ones; else in kWh alone). Fewer steps after the check: no new evidence yet.

    Both, so that neither honest case the checks are for comes back by its season: an empty flat
    keeps no season (its kWh hold while its ratio to a lived-in year before follows that year's
    season), an occupied home with fewer people keeps its season (its kWh follow it while its
    ratio to the year before holds). Levels are medians, the last steps' the upper one (more
    than half of them lower)."""
    start, end = seen
    if len(kwh) - end < after_steps:
        return False
    last = np.arange(len(kwh) - after_steps, len(kwh))
    looked = np.arange(max(start, end - after_steps), end)
    if not _lower(kwh[last], kwh[looked], min_drop):
        return False
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = kwh / np.concatenate([np.full(year, np.nan), kwh[:-year]])
    ratio[~np.isfinite(ratio)] = np.nan
    if np.isnan(ratio[last]).all() or np.isnan(ratio[looked]).all():
        return True  # no year before to read the season from: the kWh decide
    return _lower(ratio[last], ratio[looked], min_drop)


def _lower(last: np.ndarray, seen: np.ndarray, min_drop: float) -> bool:
    """Whether the upper median of `last` is more than `min_drop` below the median of `seen`
    (NaN left out; False when either has no value)."""
    last, seen = last[~np.isnan(last)], seen[~np.isnan(seen)]
    if not len(last) or not len(seen):
        return False
    return bool(np.quantile(last, 0.5, method="higher") < (1 - min_drop) * np.median(seen))

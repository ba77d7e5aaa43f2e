"""Field checks that found nothing: a fall a visit has already seen stops topping the theft ranking.

The audit is a cycle. A customer whose consumption fell goes to the field; a visit that finds an
empty flat, a tenant gone or nothing wrong is recorded in the register as a false alarm
(`register.checks.field_checks`). No series tells an unrecorded move from a theft that takes as
much (docs/statistics.md), so without that outcome the same honest fall would top every month's
ranking and send the field back to it. Given `field_checks` (customer_id, checked_on),
`theft_scores` treats a customer whose change began on or before its latest check as explained by
it: status "explained", explained_by FIELD_CHECK, explained_at the check's date, ranked after every
unexplained customer. A fall that began after the visit, or a further fall of more than
`min_drop` since it, is new evidence and ranks as any other; a check after the last day scored is
ignored, so scoring an earlier month gives what it gave then.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.errors import ParameterError
from auditkit.stats.matrix import ConsumptionMatrix
from auditkit.stats.requirements import require_columns

#: Columns `theft_scores` reads of `field_checks`.
FIELD_CHECK_COLUMNS = ("customer_id", "checked_on")
#: explained_by of a customer a field check explains.
FIELD_CHECK = "field_check"
#: Fewest read steps (days or months) after a check that can show the use fell again since.
AFTER_CHECK_STEPS = 7


def checked_field_checks(field_checks: pd.DataFrame) -> pd.DataFrame:
    """customer_id (text) and checked_on (a day) of `field_checks`; a ParameterError or
    ColumnError naming the column and row that is not as `theft_scores` needs it."""
    if not isinstance(field_checks, pd.DataFrame):
        raise ParameterError(
            "field_checks", "a table (DataFrame) of field checks", type(field_checks).__name__
        )
    require_columns(field_checks, FIELD_CHECK_COLUMNS, "field_checks")
    given = field_checks["checked_on"]
    days = pd.to_datetime(given, errors="coerce", format="mixed")
    wrong = days.isna().to_numpy()
    if wrong.any():
        row = int(np.flatnonzero(wrong)[0])
        raise ParameterError(
            "field_checks.checked_on",
            "a date (YYYY-MM-DD)",
            f"{given.iloc[row]!r} in row {row + 1}",
        )
    customers = field_checks["customer_id"]
    missing = customers.isna().to_numpy()
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise ParameterError("field_checks.customer_id", "a customer id", f"empty in row {row + 1}")
    if days.dt.tz is not None:
        days = days.dt.tz_localize(None)
    return pd.DataFrame(
        {
            "customer_id": customers.astype(str).to_numpy(),
            "checked_on": days.dt.normalize().to_numpy(),
        }
    )


def cleared_by_checks(
    fallen: pd.DataFrame,
    checks: pd.DataFrame,
    matrix: ConsumptionMatrix,
    min_drop: float,
) -> pd.DataFrame:
    """For the rows of `fallen` (rows of `theft_scores` of `matrix`, whose index is the matrix's
    row and whose score is evidence of a fall): FIELD_CHECK and the date of the latest of
    `checks` (`checked_field_checks`) that saw the fall, "" and NaT where none did.

    A check saw the fall when it lies on or after the day the change began (on monthly bills the
    first day of `change_at`: the level may have fallen in the month before, so a check in the
    month itself saw it) and on or before the matrix's last day, and the use did not fall again
    after it: the median of the steps after the check (at least AFTER_CHECK_STEPS of them) is not
    more than `min_drop` below the median the visit saw (from the change to the check).
    """
    daily = matrix.frequency == "D"
    if daily:
        last_day = pd.Timestamp(matrix.times[-1])
        began = pd.to_datetime(fallen["change_at"])
    else:
        last_day = pd.Period(matrix.times[-1], "M").end_time.normalize()
        began = pd.Series(
            pd.PeriodIndex(fallen["change_at"].astype(str), freq="M").start_time,
            index=fallen.index,
        )
    seen = checks[checks["checked_on"] <= last_day]
    pairs = pd.DataFrame(
        {"row": fallen.index, "customer_id": fallen["customer_id"].astype(str), "began": began}
    ).merge(seen, on="customer_id")
    pairs = pairs[pairs["checked_on"] >= pairs["began"]]
    if daily:
        starts = matrix.times.get_indexer(pairs["began"])
        ends = matrix.times.searchsorted(pairs["checked_on"], side="right")
    else:
        columns = pd.PeriodIndex(matrix.times, freq="M")
        starts = columns.get_indexer(pd.PeriodIndex(pairs["began"], freq="M"))
        ends = columns.searchsorted(pd.PeriodIndex(pairs["checked_on"], freq="M"), side="right")
    held = [
        not _fell_again(matrix.values[row, start:end], matrix.values[row, end:], min_drop)
        for row, start, end in zip(pairs["row"], starts, ends, strict=True)
    ]
    latest = (
        pairs[np.asarray(held, dtype=bool)]
        .sort_values(["row", "checked_on"])
        .drop_duplicates("row", keep="last")
        .set_index("row")["checked_on"]
    )
    checked_at = pd.to_datetime(latest.reindex(fallen.index))
    return pd.DataFrame(
        {"explained_by": np.where(checked_at.notna(), FIELD_CHECK, ""), "explained_at": checked_at},
        index=fallen.index,
    )


def _fell_again(seen: np.ndarray, after: np.ndarray, min_drop: float) -> bool:
    """Whether the use `after` a check is materially below what the check `seen`: the medians
    of the read steps, with at least AFTER_CHECK_STEPS after it (fewer: no new evidence)."""
    after = after[~np.isnan(after)]
    seen = seen[~np.isnan(seen)]
    if len(after) < AFTER_CHECK_STEPS or len(seen) == 0:
        return False
    return bool(np.median(after) < (1 - min_drop) * np.median(seen))

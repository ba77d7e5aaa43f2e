"""Customer anomaly scores: recent consumption against the customer's own seasons and its peers.

For each customer the recent change is the mean year-over-year log change of its last `recent`
months (this spring against last spring, so the season cancels; a zero month counts as a tenth of
the customer's median month, `matrix.log_consumption`). A month is idle when it billed less than
`idle_share` (5 %) of the customer's busy month (the 90th percentile of its months with use: a
vacancy's standby reads 1-3 kWh, and a long one would be the median). An
idle month a year before is a vacancy, no baseline, unless the same month was idle in every
earlier year billed too: a home back from a vacant year is no rise, and that month is left out of
the change (and of recent_kwh, year_before_kwh and change, which describe the months scored); but
a pump off every winter has its winter zeros as its normal, so a pump drawing in winter rises.
Where no earlier year tells (the first year billed), the idle month is left out: a vacancy can't
be told from a season there. A customer whose recent months all compare with vacancies is not
scored ("idle_year_before"). It is then scored twice, both times by robust z,
(x - median) / (1.4826 MAD):

- self_z: against the customer's own earlier year-over-year changes: is this change unusual for
  this customer, given how much its consumption normally moves?
- peer_z: against the recent change of its peers (same district and usage type, among the
  customers that can be scored: a vacant home's zeros or a new customer's lone change say nothing
  of the weather, prices and economy): did it move unlike customers facing the same?

A customer is anomalous only when both agree (same sign): score = min(|self_z|, |peer_z|), so a
naturally erratic customer, or a whole district's cold winter, does not top the list. Medians and
MADs keep a few extreme customers or months from distorting the yardsticks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.checks import positive_int, probability
from auditkit.errors import ParameterError
from auditkit.stats.matrix import log_consumption, row_nanmedian, to_matrix
from auditkit.stats.requirements import require_columns

#: Smallest spread of log changes used as a yardstick (5 %): a flat history is not infinitely sure.
MIN_SCALE = 0.05
#: Fewest earlier year-over-year windows needed to judge a customer against itself.
MIN_HISTORY = 6
SEASON = 12
#: Months whose change `anomaly_scores` scores by default (its `recent`).
RECENT_MONTHS = 3
#: A month billing less than this share of the customer's busy month (`BUSY_PERCENTILE` of its
#: months with use) is idle (its `idle_share`): a vacant home's standby of 1-3 kWh is no use;
#: being relative to the customer's own use, a small user's low month still is.
IDLE_SHARE = 0.05
#: The customer's busy month: this percentile of its months with use, not the median, which a
#: standby of two years in three would be.
BUSY_PERCENTILE = 90
#: Columns of the result, in order.
COLUMNS = (
    "customer_id",
    "district",
    "usage_type",
    "recent_kwh",
    "year_before_kwh",
    "change",
    "self_z",
    "peer_z",
    "peer_group",
    "peer_count",
    "score",
    "direction",
    "status",
)


def anomaly_scores(
    bills: pd.DataFrame,
    customers: pd.DataFrame,
    as_of: str | pd.Timestamp | pd.Period | None = None,
    recent: int = RECENT_MONTHS,
    min_peers: int = 5,
    idle_share: float = IDLE_SHARE,
) -> pd.DataFrame:
    """Two-sided anomaly score of each customer's last `recent` months of billed kWh up to
    `as_of` (default: the last month billed; a month 'YYYY-MM' or Period, or a date, which counts
    its whole month, as in `summarize`); outside the months billed it is refused naming it and
    those months, as `summarize` refuses it (after the last bill, the months without a bill
    would be scored as a stop of use).

    Peers are customers of the same district and usage type; a group smaller than `min_peers`
    falls back to the usage type across all districts. A month a year before billing less than
    `idle_share` of the customer's busy month is a vacancy, left out, unless that
    month was so in every earlier year billed (the customer's season; module docstring).
    Returns one row per customer, highest score first: customer_id, district, usage_type,
    recent_kwh and year_before_kwh (mean monthly kWh of the recent months compared and of the
    same months a year earlier; where none is compared, of all recent months), change (recent /
    year before - 1, of the months compared; empty where none is or the year before used
    nothing), self_z, peer_z, peer_group, peer_count, score, direction ("drop" or "rise") and
    status: "scored", "all_zero", "no_recent_change" (no reads in the recent months or a year
    before), "idle_year_before" (the same months a year earlier were vacant: no baseline),
    "short_history" (fewer than MIN_HISTORY earlier windows) or "no_peers" (fewer than
    `min_peers` comparable customers); score is NaN and direction empty unless "scored".
    """
    require_columns(bills, ["customer_id", "period", "kwh_billed"], "bills")
    require_columns(customers, ["customer_id", "district", "usage_type"], "customers")
    try:  # one message for 0, "3" and 13: the months a season holds, not any count
        months = positive_int("recent", recent)
    except ParameterError:
        months = 0
    if not 1 <= months <= SEASON:
        raise ParameterError("recent", f"1 to {SEASON} months", recent)
    recent = months  # 3.0 as 3: a window's width slices the months
    min_peers = _whole_from("min_peers", min_peers, 2, "customers")
    idle_share = probability("idle_share", idle_share)
    matrix = to_matrix(bills[["customer_id", "period", "kwh_billed"]], as_of, "kwh_billed", "bills")
    kwh = matrix.values
    log_kwh, all_zero = log_consumption(kwh, zeros_only=True)
    year_before = np.full_like(kwh, np.nan)
    year_before[:, SEASON:] = kwh[:, :-SEASON]
    vacant_before = _vacant_year_before(kwh, idle_share)
    change_now, history = _windowed_changes(log_kwh, ~vacant_before[:, SEASON:], recent)

    centre = row_nanmedian(history)
    spread = 1.4826 * row_nanmedian(np.abs(history - centre[:, None]))
    enough_history = np.count_nonzero(~np.isnan(history), axis=1) >= MIN_HISTORY
    self_z = (change_now - centre) / np.maximum(np.nan_to_num(spread, nan=0.0), MIN_SCALE)

    info = (
        customers[["customer_id", "district", "usage_type"]]
        .drop_duplicates("customer_id")
        .set_index("customer_id")
        .reindex(matrix.customers)
    )
    has_change = ~np.isnan(change_now)
    # The months the change compares (read both years, no vacancy a year before); where none
    # is, all recent months, so an unscored customer still shows its use.
    compared = ~np.isnan(kwh[:, -recent:] + year_before[:, -recent:]) & ~vacant_before[:, -recent:]
    months_shown = np.where(has_change[:, None], compared, True)
    result = pd.DataFrame(
        {
            "customer_id": matrix.customers,
            "district": info["district"].to_numpy(),
            "usage_type": info["usage_type"].to_numpy(),
            "recent_kwh": _mean_of(kwh[:, -recent:], months_shown),
            "year_before_kwh": _mean_of(year_before[:, -recent:], months_shown),
        }
    )
    before_used = result["year_before_kwh"].where(result["year_before_kwh"] > 0)
    result["change"] = (result["recent_kwh"] / before_used - 1).where(has_change)
    result["self_z"] = np.where(enough_history, self_z, np.nan)
    scorable = ~all_zero & ~np.isnan(change_now) & enough_history
    peers = _peer_z(change_now, scorable, result, min_peers)
    result = pd.concat([result, peers], axis=1)

    agree = np.sign(result["self_z"]) == np.sign(result["peer_z"])
    score = np.where(agree, np.minimum(result["self_z"].abs(), result["peer_z"].abs()), 0.0)
    no_change = ~has_change
    read_now = ~np.isnan(kwh[:, -recent:])
    idle_year_before = no_change & (vacant_before[:, -recent:] & read_now).any(axis=1)
    status = np.select(
        [all_zero, idle_year_before, no_change, ~enough_history, result["peer_z"].isna()],
        ["all_zero", "idle_year_before", "no_recent_change", "short_history", "no_peers"],
        "scored",
    )
    result["score"] = np.where(status == "scored", score, np.nan)
    # An unscored customer has no direction: its change is missing or judged against nothing.
    direction = np.where(change_now < np.nan_to_num(centre), "drop", "rise")
    result["direction"] = np.where(status == "scored", direction, "")
    result["status"] = status
    return result.sort_values(
        ["score", "customer_id"], ascending=[False, True], na_position="last", ignore_index=True
    )


def _whole_from(name: str, value: object, least: int, unit: str) -> int:
    """`value` as an int of at least `least` (5.0 as 5), or a ParameterError naming `name`: a
    text "5" or a fraction 2.5 is no count, refused here rather than as a TypeError later."""
    expected = f"a whole number of at least {least} {unit}"
    try:
        number = positive_int(name, value)
    except ParameterError:
        raise ParameterError(name, expected, value) from None
    if number < least:
        raise ParameterError(name, expected, value)
    return number


def _vacant_year_before(kwh: np.ndarray, idle_share: float) -> np.ndarray:
    """Per customer and month: whether the same month a year before was a vacancy, no baseline.

    Idle is below `idle_share` of the customer's busy month (`BUSY_PERCENTILE`). An idle month is a
    vacancy unless that month was idle in every earlier year read too (at least one), its own
    year and each of those with use in some other month: then idle is the customer's season, and
    against its floor a pump drawing off season rises. A year idle throughout (a flat empty since
    the data start, or for a whole year) is no season. Without such an earlier year the idle month counts as a vacancy,
    since against its floor a home back in use would read as a rise of ten times its median.
    False in the first year (no year before)."""
    used = np.where(kwh > 0, kwh, np.nan)
    busy = np.full(len(kwh), np.nan)
    with_use = ~np.isnan(used).all(axis=1)
    busy[with_use] = np.nanpercentile(used[with_use], BUSY_PERCENTILE, axis=1)
    with np.errstate(invalid="ignore"):
        idle = kwh < idle_share * busy[:, None]
    read = ~np.isnan(kwh)
    read_before = _in_earlier_years(read)
    seasonal_idle = idle & _in_a_year_with_use(read & ~idle)
    earlier_seasonal = _in_earlier_years(seasonal_idle)
    usual_idle = seasonal_idle & (read_before > 0) & (earlier_seasonal == read_before)
    vacant = np.zeros_like(idle)
    vacant[:, SEASON:] = (idle & ~usual_idle)[:, :-SEASON]
    return vacant


def _in_a_year_with_use(in_use: np.ndarray) -> np.ndarray:
    """Per row and month: whether the month's year (of the data, 12 months from its first) has
    `in_use` in some month."""
    rows, months = in_use.shape
    years = -(-months // SEASON)
    by_year = np.pad(in_use, ((0, 0), (0, years * SEASON - months))).reshape(rows, years, SEASON)
    return np.repeat(by_year.any(axis=2), SEASON, axis=1)[:, :months]


def _in_earlier_years(flags: np.ndarray) -> np.ndarray:
    """Per row and month: how many earlier years had `flags` set in the same month of the year."""
    rows, months = flags.shape
    years = -(-months // SEASON)
    by_year = np.pad(flags.astype(int), ((0, 0), (0, years * SEASON - months)))
    by_year = by_year.reshape(rows, years, SEASON)
    earlier = np.cumsum(by_year, axis=1) - by_year
    return earlier.reshape(rows, years * SEASON)[:, :months]


def _windowed_changes(
    log_kwh: np.ndarray, baseline: np.ndarray, recent: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean year-over-year log change over the last `recent` months, and over every earlier
    window of `recent` months that does not overlap it (NaN where a window has no data). A month
    whose year before is no `baseline` (a vacancy, `_vacant_year_before`) has no change."""
    if log_kwh.shape[1] < SEASON + recent:
        return np.full(log_kwh.shape[0], np.nan), np.full((log_kwh.shape[0], 0), np.nan)
    yearly = np.where(baseline, log_kwh[:, SEASON:] - log_kwh[:, :-SEASON], np.nan)
    present = ~np.isnan(yearly)
    sums = np.concatenate(
        [np.zeros((yearly.shape[0], 1)), np.cumsum(np.where(present, yearly, 0.0), axis=1)], axis=1
    )
    counts = np.concatenate([np.zeros((yearly.shape[0], 1)), np.cumsum(present, axis=1)], axis=1)
    window_sums = sums[:, recent:] - sums[:, :-recent]
    window_counts = counts[:, recent:] - counts[:, :-recent]
    with np.errstate(invalid="ignore", divide="ignore"):
        windows = np.where(window_counts > 0, window_sums / window_counts, np.nan)
    return windows[:, -1], windows[:, : max(windows.shape[1] - recent, 0)]


def _mean_of(kwh: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Mean monthly kWh of each row over its `months` read (NaN where none is)."""
    counted = months & ~np.isnan(kwh)
    counts = np.count_nonzero(counted, axis=1)
    totals = np.where(counted, kwh, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, totals / counts, np.nan)


def _robust_location(values: pd.Series, groups: pd.Series) -> pd.DataFrame:
    """Per row: count, median and MAD of `values` within the row's group."""
    median = values.groupby(groups).transform("median")
    return pd.DataFrame(
        {
            "count": values.groupby(groups).transform("count"),
            "median": median,
            "mad": (values - median).abs().groupby(groups).transform("median"),
        }
    )


def _peer_z(
    change_now: np.ndarray, scorable: np.ndarray, result: pd.DataFrame, min_peers: int
) -> pd.DataFrame:
    """Robust z of each `scorable` customer's recent change among the scorable customers of its
    group, the group used and their number (NaN z and no group for the others)."""
    frame = pd.DataFrame(
        {
            "change": np.where(scorable, change_now, np.nan),
            "district": result["district"].astype(str).to_numpy(),
            "usage_type": result["usage_type"].astype(str).to_numpy(),
        }
    )
    narrow = frame["district"] + " / " + frame["usage_type"]
    changes = frame["change"]
    narrow_stats = _robust_location(changes, narrow)
    broad_stats = _robust_location(changes, frame["usage_type"])
    use_narrow = narrow_stats["count"] >= min_peers
    stats = narrow_stats.where(use_narrow, broad_stats)
    group = narrow.where(use_narrow, "* / " + frame["usage_type"])
    z = (changes - stats["median"]) / (1.4826 * stats["mad"]).clip(lower=MIN_SCALE)
    enough = (stats["count"] >= min_peers) & scorable
    count = stats["count"]
    return pd.DataFrame(
        {
            "peer_z": z.where(enough).to_numpy(),
            "peer_group": group.where(enough, "").to_numpy(),
            "peer_count": count.to_numpy().astype(int),
        }
    )

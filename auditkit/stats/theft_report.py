"""Theft scores a reviewer can read: why each listed customer scored, in a sentence and a chart.

`theft_scores` ranks customers by a calibrated z; a reviewer deciding whom to visit needs what
the score rests on. `score_theft` scores the customers of a study, each on its best series: its
daily reads where they span a year before and the days the year-before detector compares
(`DAILY_SPAN_DAYS`), else its monthly bills. To every customer's row it adds, from the series it
was scored on (`REASON_COLUMNS`):

    source          "daily_reads" or "bills"
    level_before    kWh a day over the year (364 days, 12 months) before the change
    level_after     kWh a day from the change to as_of
    fall            1 - level_after / level_before (0.6 = 60 % less)
    own_past_ratio  the level from the change on (its first year) against the same days or
                    months a year before
    peers_ratio     the peers' same ratio over the same steps
    peers_scope     "group" (usage type and district, with MIN_PEERS customers) or "everyone"

On daily reads `own_past_ratio` and `peers_ratio` are `theft_scores`' own, the detector's reason
(geometric means, a zero day counted as a tenth of the customer's usual day). On monthly bills
they are computed here as `consumption_drop` states its year before: the kWh of the first twelve
months from the change over the same months a year before (months with both measured; a zero
month counts as zero), and the peers' mean over those months of the median peer's ratio.
`TheftReport` words them (`reason`) and draws them (`plot`: the series, the same period a year
before, the change and the levels before and after) for the `top_n` customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from auditkit import formatting, i18n
from auditkit.stats import charts, tables
from auditkit.stats.matrix import ConsumptionMatrix, masked_row_mean, row_nanmedian, to_matrix
from auditkit.stats.scores import CustomerScores
from auditkit.stats.theft import COLUMNS, theft_scores
from auditkit.stats.theft_daily import MIN_PAIRED_DAYS, MIN_PEERS, YEAR_DAYS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Span of daily reads (first to last day, inclusive) that scores a customer on them.
DAILY_SPAN_DAYS = YEAR_DAYS + MIN_PAIRED_DAYS
#: Steps in "a year before": 52 weeks of days (weekdays line up), 12 months.
YEAR_STEPS = {"D": YEAR_DAYS, "M": 12}
SOURCE_OF = {"D": "daily_reads", "M": "bills"}
#: Columns `score_theft` adds to those of `theft_scores`, in order.
REASON_COLUMNS = (
    "source",
    "level_before",
    "level_after",
    "fall",
    "own_past_ratio",
    "peers_ratio",
    "peers_scope",
)
#: Signals of the daily detector worded beside the level (`theft_scores`' `signal` column).
SHAPE_SIGNALS = ("variation", "zero_reads")
#: Columns of `TheftReport.series`, the listed customers' steps drawn.
SERIES_COLUMNS = ("customer_id", "start", "kwh_per_day", "year_before")


@dataclass(frozen=True)
class TheftReport:
    """Theft scores of a study's customers with their reasons (the columns of `theft_scores`,
    those it gives on daily reads blank for customers scored on bills, then REASON_COLUMNS;
    highest score first), the steps of the `top_n` drawn (`SERIES_COLUMNS`: kWh a day of each day or month
    shown and of the same step a year before), and each customer's usage type and district
    (whom `peers_ratio` compares it with)."""

    scores: pd.DataFrame
    series: pd.DataFrame
    peer_names: pd.DataFrame
    top_n: int = 10

    @property
    def _ranking(self) -> CustomerScores:
        return CustomerScores("theft", self.scores, self.series, self.top_n)

    def top(self) -> pd.DataFrame:
        """The `top_n` scored customers, highest score first."""
        return self._ranking.top()

    def summary(self) -> dict[str, Any]:
        """Customers, those scored, those above STRONG_SCORE, the count of each status, and of
        each source scored."""
        figures = self._ranking.summary()
        scored = self.scores[self.scores["status"] == "scored"]
        figures["sources"] = {str(k): int(v) for k, v in scored["source"].value_counts().items()}
        return figures

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """How many customers score above STRONG_SCORE, and what to do about them."""
        return self._ranking.explain(lang)

    def status_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """How many customers got each status."""
        return self._ranking.status_table(lang)

    def reason(self, row: pd.Series, lang: str = i18n.DEFAULT_LANG) -> str:
        """The sentence saying why the customer of `row` (a row of `scores`) scored: when and by
        how much its level changed; the day-to-day variation or the days read zero when the
        daily detector's score came from them (`signal`); against its own year before and its
        peers' (both only when the customer has a year before); and its score."""
        daily = row["source"] == "daily_reads"
        fell = not row["level_after"] > row["level_before"]
        change = i18n.text(
            f"theft.reason.{'day' if daily else 'month'}_{'fell' if fell else 'rose'}", lang
        ).format(
            change=row["change_at"],
            before=formatting.number(row["level_before"], 1),
            after=formatting.number(row["level_after"], 1),
            fall=formatting.percent(abs(row["fall"])),
        )
        clauses = [change]
        signal = row.get("signal")
        if signal in SHAPE_SIGNALS:
            clauses.append(
                i18n.text(f"theft.reason.{signal}", lang).format(
                    variation=formatting.percent(row.get("variation_ratio")),
                    days=formatting.count(row.get("zero_days")),
                )
            )
        if formatting.is_missing(row["own_past_ratio"]):
            clauses.append(i18n.text("theft.reason.no_year_before", lang))
        else:
            key = "theft.reason.own_days" if daily else "theft.reason.own_months"
            clauses.append(
                i18n.text(key, lang).format(own=formatting.percent(row["own_past_ratio"]))
            )
            if not formatting.is_missing(row["peers_ratio"]):
                clauses.append(self._peers_clause(row, lang))
        clauses.append(
            i18n.text("theft.reason.score", lang).format(score=formatting.number(row["score"], 1))
        )
        return i18n.text("theft.reason.sentence", lang).format(
            clauses=i18n.text("mark.join", lang).join(clauses)
        )

    def _peers_clause(self, row: pd.Series, lang: str) -> str:
        peers = formatting.percent(row["peers_ratio"])
        if row["peers_scope"] != "group":
            return i18n.text("theft.reason.peers_everyone", lang).format(peers=peers)
        names = self.peer_names.loc[row["customer_id"]]
        usage = i18n.text(f"usage.{names['usage_type']}", lang, default=str(names["usage_type"]))
        return i18n.text("theft.reason.peers_group", lang).format(
            usage=usage, district=names["district"], peers=peers
        )

    def reasons(self, lang: str = i18n.DEFAULT_LANG) -> list[str]:
        """The reason of each of the `top_n` customers, in ranking order."""
        return [self.reason(row, lang) for _, row in self.top().iterrows()]

    def to_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """The `top_n` customers: id, score and the reason in words."""
        top = self.top().assign(reason=self.reasons(lang))
        formats = {"customer_id": str, "score": tables.decimals(1), "reason": str}
        return tables.labelled(top, formats, lang, keys={"reason": "theft.column.reason"})

    def plot(self, lang: str = i18n.DEFAULT_LANG) -> Figure:
        """One small panel per listed customer: its kWh a day, the same period a year before
        (lighter), the change marked and the levels before and after it."""
        top = self.top()
        changes = pd.DataFrame(
            {
                "customer_id": top["customer_id"],
                "change": [pd.Timestamp(text) for text in top["change_at"]],  # a month: its 1st
                "level_before": top["level_before"],
                "level_after": top["level_after"],
                "daily": top["source"] == "daily_reads",
            }
        )
        titles = [
            i18n.text("theft.chart.title", lang).format(
                customer=customer, score=formatting.number(score, 1)
            )
            for customer, score in zip(top["customer_id"], top["score"], strict=True)
        ]
        return charts.plot_level_changes(self.series, changes, titles, lang)


def score_theft(
    bills: pd.DataFrame,
    daily_reads: pd.DataFrame | None,
    customers: pd.DataFrame,
    as_of: str,
    top_n: int = 10,
) -> TheftReport:
    """Theft scores with their reasons for `customers` (customer_id, usage_type, district).

    A customer whose `daily_reads` (customer_id, date, kwh) span DAILY_SPAN_DAYS days up to the
    end of month `as_of` is scored on them, every other customer on its `bills` (customer_id,
    period, kwh_billed) up to `as_of`; peers are the customers of the same usage type and
    district scored on the same source; reads of customers missing from `customers` are left
    out. One ranking, highest score first (both scores are calibrated z values); `top_n`
    customers are listed.
    """
    names = customers.drop_duplicates("customer_id").set_index("customer_id")
    peers = names["usage_type"].astype(str) + "|" + names["district"].astype(str)
    daily = _daily_reads_spanning(daily_reads, names.index, as_of)
    monthly = bills.loc[
        bills["customer_id"].isin(names.index)
        & ~bills["customer_id"].isin(daily["customer_id"].unique()),
        ["customer_id", "period", "kwh_billed"],
    ].rename(columns={"kwh_billed": "kwh"})
    parts = [
        _scored_with_reasons(reads, as_of, peers, top_n) for reads in (daily, monthly) if len(reads)
    ]
    if parts:
        scores = pd.concat([scored for scored, _ in parts], ignore_index=True)
        series = pd.concat([drawn for _, drawn in parts], ignore_index=True)
    else:
        scores = pd.DataFrame(columns=[*COLUMNS, *REASON_COLUMNS])
        series = pd.DataFrame(columns=list(SERIES_COLUMNS))
    extra = [column for column in scores.columns if column not in (*COLUMNS, *REASON_COLUMNS)]
    scores = scores[[*COLUMNS, *extra, *REASON_COLUMNS]].sort_values(
        ["score", "customer_id"], ascending=[False, True], ignore_index=True
    )
    listed = scores.loc[scores["status"] == "scored", "customer_id"].head(top_n)
    series = series[series["customer_id"].isin(listed)].reset_index(drop=True)
    return TheftReport(scores, series, names[["usage_type", "district"]], top_n)


def _daily_reads_spanning(
    daily_reads: pd.DataFrame | None, customers: pd.Index, as_of: str
) -> pd.DataFrame:
    """The daily reads (customer_id, date, kwh) up to the end of month `as_of` of the
    `customers` whose reads span at least DAILY_SPAN_DAYS days (none: an empty frame)."""
    columns = ["customer_id", "date", "kwh"]
    if daily_reads is None or daily_reads.empty:
        return pd.DataFrame(columns=columns)
    month_end = pd.Timestamp(as_of) + pd.offsets.MonthEnd(0)
    dates = pd.to_datetime(daily_reads["date"])
    kept = (dates <= month_end) & daily_reads["customer_id"].isin(customers)
    if not kept.any() or (dates[kept].max() - dates[kept].min()).days + 1 < DAILY_SPAN_DAYS:
        return pd.DataFrame(columns=columns)
    reads = daily_reads.loc[kept, columns]
    span = reads.groupby("customer_id", observed=True)["date"].agg(["min", "max"])
    long_enough = span.index[(span["max"] - span["min"]).dt.days + 1 >= DAILY_SPAN_DAYS]
    return reads[reads["customer_id"].isin(long_enough)].reset_index(drop=True)


def _scored_with_reasons(
    reads: pd.DataFrame, as_of: str, peers: pd.Series, top_n: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`theft_scores` of `reads` with the reason columns, and the drawn steps of its `top_n`."""
    scores = theft_scores(reads, as_of=as_of, peers=peers)
    matrix = to_matrix(reads, as_of)
    groups = pd.factorize(
        peers.reindex(matrix.customers).fillna("(no group)").astype(str).to_numpy()
    )[0]
    reasons = reason_columns(scores, matrix, groups)
    scores = pd.concat([scores, reasons], axis=1)
    scores["change_at"] = [_change_text(value) for value in scores["change_at"]]
    top = scores[scores["status"] == "scored"].head(top_n)
    return scores, drawn_steps(matrix, top)


def reason_columns(
    scores: pd.DataFrame, matrix: ConsumptionMatrix, peer_groups: np.ndarray
) -> pd.DataFrame:
    """The reason columns (`REASON_COLUMNS`) of each row of `scores`, the `theft_scores` of the
    series in `matrix` (peer_groups: one integer group per matrix row, as scored). Rows not
    scored get NaN levels and ratios; `own_past_ratio` and `peers_ratio` already in `scores`
    (daily reads) are kept."""
    frequency = matrix.frequency
    year = YEAR_STEPS[frequency]
    rows = matrix.customers.get_indexer(scores["customer_id"])
    change = _step_of(matrix, scores["change_at"])
    scored = (scores["status"] == "scored").to_numpy() & (rows >= 0) & (change >= 0)
    at = np.where(scored, rows, 0)
    position = np.arange(matrix.values.shape[1])
    change_of = np.where(scored, change, 0)[:, None]
    per_day = matrix.values[at] / _days_per_step(matrix)[None, :]
    before = (position >= change_of - year) & (position < change_of)
    level_before = np.where(scored, masked_row_mean(per_day, before), np.nan)
    level_after = np.where(scored, masked_row_mean(per_day, position >= change_of), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        fall = 1 - level_after / level_before
    group_size = np.bincount(peer_groups)[peer_groups[at]] if len(peer_groups) else at
    reasons = pd.DataFrame(
        {
            "source": SOURCE_OF[frequency],
            "level_before": level_before,
            "level_after": level_after,
            "fall": fall,
            "peers_scope": np.where(
                scored, np.where(group_size >= MIN_PEERS, "group", "everyone"), ""
            ),
        },
        index=scores.index,
    )
    if "own_past_ratio" in scores.columns:
        return reasons[[column for column in REASON_COLUMNS if column not in scores.columns]]
    kwh = matrix.values
    prior = np.full_like(kwh, np.nan)
    prior[:, year:] = kwh[:, :-year]
    peers = _peer_steps(_year_ratio(kwh, prior), peer_groups)
    compared = (position >= change_of) & (position < change_of + year)
    paired = compared & ~np.isnan(kwh[at]) & (prior[at] > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        own = np.where(paired, kwh[at], 0).sum(axis=1) / np.where(paired, prior[at], 0).sum(axis=1)
    return reasons.assign(
        own_past_ratio=np.where(scored, own, np.nan),
        peers_ratio=np.where(scored, masked_row_mean(peers[at], compared), np.nan),
    )[list(REASON_COLUMNS)]


def drawn_steps(matrix: ConsumptionMatrix, top: pd.DataFrame) -> pd.DataFrame:
    """The steps drawn for each customer of `top` (rows of `theft_scores` of `matrix`): from a
    year before its change to the last step, kWh a day and that of the same step a year before."""
    year = YEAR_STEPS[matrix.frequency]
    per_day = matrix.values / _days_per_step(matrix)[None, :]
    starts = _step_starts(matrix)
    parts = []
    rows = matrix.customers.get_indexer(top["customer_id"])
    for customer, row, change in zip(
        top["customer_id"], rows, _step_of(matrix, top["change_at"]), strict=True
    ):
        shown = np.arange(max(change - year, 0), per_day.shape[1])
        before = shown - year
        parts.append(
            pd.DataFrame(
                {
                    "customer_id": customer,
                    "start": starts[shown],
                    "kwh_per_day": per_day[row, shown],
                    "year_before": np.where(
                        before >= 0, per_day[row, np.maximum(before, 0)], np.nan
                    ),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=list(SERIES_COLUMNS))
    return pd.concat(parts, ignore_index=True)


def _days_per_step(matrix: ConsumptionMatrix) -> np.ndarray:
    """Days in each column: 1 for daily reads, the month's days for monthly bills."""
    if matrix.frequency == "D":
        return np.ones(len(matrix.times))
    return _step_starts(matrix).days_in_month.to_numpy(dtype=float)


def _step_starts(matrix: ConsumptionMatrix) -> pd.DatetimeIndex:
    """The first day of each column (the day, or the month's first day)."""
    if matrix.frequency == "D":
        return pd.DatetimeIndex(matrix.times)
    return pd.DatetimeIndex(pd.to_datetime(pd.Index(matrix.times), format="%Y-%m"))


def _step_of(matrix: ConsumptionMatrix, change_at: pd.Series) -> np.ndarray:
    """The column of each change (period text, date or its text), -1 where there is none."""
    if matrix.frequency == "M":
        return pd.Index(matrix.times).get_indexer(change_at.astype(object))
    return pd.DatetimeIndex(matrix.times).get_indexer(pd.to_datetime(change_at))


def _year_ratio(kwh: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """kWh of each step over that of the same step a year before (`prior`), NaN where either
    is missing or the year before is not positive."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(prior > 0, kwh / prior, np.nan)


def _peer_steps(ratio: np.ndarray, peer_groups: np.ndarray) -> np.ndarray:
    """Each row's peers' ratio to the year before at each step: the median over its group when
    the group has MIN_PEERS rows, else over every row (as `theft_daily` chooses peers)."""
    peers = np.empty_like(ratio)
    peers[:] = row_nanmedian(ratio.T)
    codes, sizes = np.unique(peer_groups, return_counts=True)
    if len(codes) > 1:
        for code in codes[sizes >= MIN_PEERS]:
            members = np.flatnonzero(peer_groups == code)
            peers[members] = row_nanmedian(ratio[members].T)
    return peers


def _change_text(value: Any) -> Any:
    """A change as the report writes it: the period as it is, a day as YYYY-MM-DD."""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return value

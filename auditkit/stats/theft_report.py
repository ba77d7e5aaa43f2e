"""Theft scores a reviewer can read: why each listed customer scored, in a sentence and a chart.

`theft_scores` ranks customers by a calibrated z; a reviewer deciding whom to visit needs what
the score rests on. `score_theft` scores the customers of a study, each on its best series: its
daily reads where they span a year before and the days the year-before detector compares
(`DAILY_SPAN_DAYS`), else its monthly bills; a customer with daily reads whose bills scored
higher with a change older than its daily reads can date, or one its daily reads date too, is
listed by its bills, its daily score in OTHER_SCORE and its sentence. To every customer's row it adds, from the series it
was scored on (`REASON_COLUMNS`):

    source          "daily_reads" or "bills"
    level_before    kWh a day over the year (364 days, 12 months) before the change
    level_after     kWh a day from the change to as_of
    fall            1 - level_after / level_before (0.6 = 60 % less; empty when before is 0)
    own_past_ratio  the level from the change on (its first year) against the same days or
                    months a year before
    peers_ratio     the peers' same ratio over the same steps
    peers_scope     "group" (usage type and district, with MIN_PEERS customers) or "everyone";
                    "" (and peers_ratio empty) with fewer than MIN_PEERS customers in all

On daily reads `own_past_ratio` and `peers_ratio` are `theft_scores`' own, the detector's reason
(geometric means, a zero day counted as a tenth of the customer's usual day). On monthly bills
they are computed here as `consumption_drop` states its year before: the kWh of the first twelve
months from the change over the same months a year before (months with both measured; a zero
month counts as zero), and the peers' mean over those months of the median peer's ratio.
`TheftReport` words them (`reason`) and draws them (`plot`: the series, the same period a year
before, the change and the levels before and after) for the `top_n` customers.

With interval reads (the load curve) the daily part is also tested on the shape of its days
(`theft_profile`); a listed customer whose score came from it (`signal` "profile", `shape_change`
"flat" or "reversed") is worded and drawn by its weekdays' hours (`PROFILE_COLUMNS`,
`TheftReport.day_shapes`), each figure over the weekdays with all 24 hours read:

    hours_spread_*      the typical (median) weekday's coefficient of variation of its hours
                        (their standard deviation over their mean: 0 for a flat day): from the
                        change on (`_after`), on the same days a year before (`_year_before`) and
                        in the PROFILE_WEEKS weeks before the change (`_before`)
    profile_baseline    "year_before" when the same days a year before were read, else
                        "weeks_before" (the weeks before the change are the reference)
    mirror_after        the mean weekday's shape from the change on against the mean shape of the
                        same days a year before, `theft_profile`'s mirror statistic: 1 the same
                        shape, -1 its hours in reverse order, 0 no trace of it; `mirror_before`
                        the same for the weeks before the change
    peers_spread_ratio  the peers' median of hours_spread_after over their reference's spread
    peers_mirror        the peers' median mirror_after
    profile_peers_scope "group" or "everyone" (among the customers with interval reads)

The peers' figures come from at most PEER_SAMPLE evenly spaced peers, so the report reads the
hours of a few hundred customers, not of every customer.

With the dataset's work orders, a customer whose change an order explains (`theft_scores`'
status "explained": an ownership transfer, closure, suspension, capacity reduction or tariff
change within `order_window_days` of the change) keeps its score and reasons, is ranked after
every unexplained customer, is not counted among the strong suspects, and its sentence and chart
title say which order explains it and when. So does a customer whose fall a field check that found
nothing wrong has already seen (the register's false alarms: explained_by "field_check").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from auditkit import formatting, i18n
from auditkit.errors import ParameterError
from auditkit.periods import as_of_day, local_days
from auditkit.stats import followed as follow_ups
from auditkit.stats import tables
from auditkit.stats.field_checks import FIELD_CHECK
from auditkit.stats.matrix import (
    ConsumptionMatrix,
    checked_kwh,
    masked_row_mean,
    row_nanmedian,
    to_matrix,
)
from auditkit.stats.requirements import require_columns
from auditkit.stats.scores import STRONG_SCORE, CustomerScores
from auditkit.stats.theft import (
    CHANGE_STATUSES,
    COLUMNS,
    DEFAULT_MIN_DROP,
    EXPLAINED_COLUMNS,
    ORDER_WINDOW_DAYS,
    peer_group_codes,
    ranked,
    read_end,
    theft_scores,
)
from auditkit.stats.theft_daily import (
    MIN_BEFORE_DAYS,
    MIN_PAIRED_DAYS,
    MIN_PEERS,
    YEAR_DAYS,
    compared_days,
)
from auditkit.stats.theft_profile import HOURS, hourly_cube, mirror_basis

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
#: Steps (days, months) above this many times the customer's median step are left out of the
#: levels before and after (a meter rollover or a read error, not a level).
SPIKE_FACTOR = 20
#: Column `score_theft` adds after REASON_COLUMNS: a customer scored on both daily reads and
#: bills is listed by the stronger, this the other's score (NaN: scored on one source only).
OTHER_SCORE = "other_score"
#: Signals of the daily detector worded beside the level (`theft_scores`' `signal` column).
SHAPE_SIGNALS = ("variation", "zero_reads")
#: Columns of `TheftReport.series`, the listed customers' steps drawn.
SERIES_COLUMNS = ("customer_id", "start", "kwh_per_day", "year_before")
#: Columns `score_theft` adds with interval reads, filled for the listed "profile" customers.
PROFILE_COLUMNS = (
    "hours_spread_before",
    "hours_spread_after",
    "hours_spread_year_before",
    "profile_baseline",
    "mirror_before",
    "mirror_after",
    "peers_spread_ratio",
    "peers_mirror",
    "profile_peers_scope",
)
#: Columns of `TheftReport.day_shapes`: mean kWh in each clock hour of the weekdays in the
#: PROFILE_WEEKS weeks before the change, from the change on, and on those days a year before.
DAY_SHAPE_COLUMNS = ("customer_id", "hour", "before", "after", "year_before")
#: Weeks before the change whose weekdays are its "before" shape.
PROFILE_WEEKS = 4
#: Fewest read weekdays for a shape or a spread.
MIN_PROFILE_DAYS = 5
#: Most peers whose hours the report reads per listed customer (evenly spaced, by id).
PEER_SAMPLE = 200
#: `theft_profile`'s basis of the shapes that reversing the hours negates (24 x k).
MIRROR_BASIS = mirror_basis()


@dataclass(frozen=True)
class TheftReport:
    """Theft scores of a study's customers with their reasons (the columns of `theft_scores`,
    those it gives on daily reads blank for customers scored on bills, then REASON_COLUMNS;
    highest score first), the steps of the `top_n` drawn (`SERIES_COLUMNS`: kWh a day of each day or month
    shown and of the same step a year before), each customer's usage type and district
    (whom `peers_ratio` compares it with), and the weekday hours drawn of the listed customers
    scored on the shape of their days (`DAY_SHAPE_COLUMNS`; none without interval reads)."""

    scores: pd.DataFrame
    series: pd.DataFrame
    peer_names: pd.DataFrame
    top_n: int = 10
    day_shapes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(DAY_SHAPE_COLUMNS))
    )
    followed: pd.DataFrame = field(default_factory=follow_ups.empty)

    @property
    def _ranking(self) -> CustomerScores:
        return CustomerScores("theft", self.scores, self.series, self.top_n)

    @property
    def profile_tested(self) -> bool:
        """Whether the scores tested the shape of the days (interval reads with daily reads)."""
        return "shape_change" in self.scores.columns

    def top(self) -> pd.DataFrame:
        """The first `top_n` customers of the worklist, each with a change: those no record
        explains and no one is on by score, then those someone is on (`followed`: a rule's
        finding of the same month, a field outcome), then those a work order or field check
        explains; the scores are the detector's either way."""
        return _listed(self.scores, self.top_n, self.followed)

    def followed_up(self) -> pd.DataFrame:
        """The rows of `followed` (`followed.FOLLOWED_COLUMNS`) of the scored customers whose
        score is above STRONG_SCORE and whom no record explains."""
        strong = self.scores[
            (self.scores["status"] == "scored") & (self.scores["score"] > STRONG_SCORE)
        ]
        return self.followed[self.followed["customer_id"].isin(strong["customer_id"].astype(str))]

    def summary(self) -> dict[str, Any]:
        """Customers, those scored (unexplained), those of them above STRONG_SCORE, the count of
        each status, of each source scored (explained or not), and the explained customers above
        STRONG_SCORE (`explained_strong`)."""
        figures = self._ranking.summary()
        changed = self.scores[self.scores["status"].isin(CHANGE_STATUSES)]
        figures["sources"] = {str(k): int(v) for k, v in changed["source"].value_counts().items()}
        explained = changed[changed["status"] == "explained"]
        figures["explained_strong"] = int((explained["score"] > STRONG_SCORE).sum())
        return figures

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """How many unexplained customers score above STRONG_SCORE and what to do about them
        (of them, how many someone is already on: those are not for inspecting first); how many
        more a work order or field check explains, when any does."""
        on_it = len(self.followed_up())
        figures = self.summary()
        if on_it:
            strong = figures["strong"]
            sentence = i18n.text("theft.sentence.followed", lang).format(
                count=strong, followed=on_it, fresh=strong - on_it
            )
        else:
            sentence = self._ranking.explain(lang)
        explained = figures["explained_strong"]
        if explained:
            sentence += i18n.text("theft.sentence.explained", lang).format(count=explained)
        return sentence

    def status_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """How many customers got each status."""
        return self._ranking.status_table(lang)

    def reason(self, row: pd.Series, lang: str = i18n.DEFAULT_LANG) -> str:
        """The sentence saying why the customer of `row` (a row of `scores`) scored: what changed
        (`_level_clauses`, or on the shape of its days `_profile_clauses`), the work order that
        explains it when one does (status "explained"), and its score."""
        if row.get("signal") == "profile":
            clauses = self._profile_clauses(row, lang)
        else:
            clauses = self._level_clauses(row, lang)
        if row.get("status") == "explained":
            clauses.append(
                i18n.text(f"theft.reason.explained_{row['explained_by']}", lang).format(
                    date=_change_text(pd.Timestamp(row["explained_at"]))
                )
            )
        elif (mark := self.mark(row["customer_id"], lang)) != "":
            clauses.append(i18n.text("theft.reason.followed", lang).format(mark=mark))
        clauses.append(
            i18n.text("theft.reason.score", lang).format(score=formatting.number(row["score"], 1))
        )
        return i18n.text("theft.reason.sentence", lang).format(
            clauses=i18n.text("mark.join", lang).join(clauses)
        )

    def _level_clauses(self, row: pd.Series, lang: str) -> list[str]:
        """When and by how much its level changed (on bills, the lower score of its daily reads
        where it has one); the day-to-day variation or the days read
        zero when the daily detector's score came from them (`signal`); against its own year
        before and its peers' (both only when the customer has a year before)."""
        daily = row["source"] == "daily_reads"
        fell = not row["level_after"] > row["level_before"]
        how = "fell" if fell else "from_zero" if row["level_before"] == 0 else "rose"
        change = i18n.text(f"theft.reason.{'day' if daily else 'month'}_{how}", lang).format(
            change=row["change_at"],
            before=formatting.number(row["level_before"], 1),
            after=formatting.number(row["level_after"], 1),
            fall=formatting.percent(abs(row["fall"])),
        )
        clauses = [change]
        if not daily and not formatting.is_missing(row.get(OTHER_SCORE)):
            clauses.append(
                i18n.text("theft.reason.daily_weaker", lang).format(
                    score=formatting.number(row[OTHER_SCORE], 1)
                )
            )
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
        return clauses

    def _profile_clauses(self, row: pd.Series, lang: str) -> list[str]:
        """What changed for a customer scored on the shape of its days: the day it changed, how
        (flat: the spread of its hours; reversed: its mirror figure) against its own reference
        and its peers, and its level before and after."""
        shape = row["shape_change"]
        own_reference = row["profile_baseline"] == "year_before"
        if shape == "flat":
            reference = row["hours_spread_year_before" if own_reference else "hours_spread_before"]
            lead = i18n.text(
                f"theft.reason.profile_flat_{'year' if own_reference else 'weeks'}", lang
            ).format(
                change=row["change_at"],
                after=formatting.percent(row["hours_spread_after"]),
                reference=formatting.percent(reference),
                share=formatting.percent(row["hours_spread_after"] / reference),
            )
            peers = formatting.percent(row["peers_spread_ratio"])
        else:
            lead = i18n.text("theft.reason.profile_reversed", lang).format(
                change=row["change_at"],
                after=formatting.number(row["mirror_after"], 2),
                before=formatting.number(row["mirror_before"], 2),
            )
            peers = formatting.number(row["peers_mirror"], 2)
        clauses = [lead]
        if not formatting.is_missing(
            row[f"peers_{'spread_ratio' if shape == 'flat' else 'mirror'}"]
        ):
            clauses.append(
                i18n.text(f"theft.reason.profile_peers_{shape}", lang).format(
                    peers=self._who(row, row["profile_peers_scope"], lang), figure=peers
                )
            )
        clauses.append(
            i18n.text("theft.reason.profile_level", lang).format(
                before=formatting.number(row["level_before"], 1),
                after=formatting.number(row["level_after"], 1),
            )
        )
        return clauses

    def _who(self, row: pd.Series, scope: str, lang: str) -> str:
        """Whom a profile customer is compared with: its group, or every customer with
        interval reads."""
        if scope != "group":
            return i18n.text("theft.reason.profile_everyone", lang)
        names = self.peer_names.loc[row["customer_id"]]
        usage = i18n.text(f"usage.{names['usage_type']}", lang, default=str(names["usage_type"]))
        return i18n.text("theft.reason.profile_group", lang).format(
            usage=usage, district=names["district"]
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

    def mark(self, customer: Any, lang: str = i18n.DEFAULT_LANG) -> str:
        """Who is already on `customer`, in words: the rule whose finding of the same month covers
        its fall and the latest field outcome with its day, joined; "" when no one is."""
        rows = self.followed[self.followed["customer_id"] == str(customer)]
        if rows.empty:
            return ""
        row = rows.iloc[0]
        parts = []
        if row["followed_rule"] == follow_ups.ZERO_SINCE_CHANGE:
            parts.append(i18n.text("theft.followed.zero_since_change", lang))
        elif row["followed_rule"]:
            rule = i18n.text(f"rule.{row['followed_rule']}.title", lang)
            parts.append(i18n.text("theft.followed.rule", lang).format(rule=rule))
        if row["followed_event"]:
            outcome = i18n.text(f"register.sheet.outcome.{row['followed_event']}", lang)
            parts.append(
                i18n.text("theft.followed.event", lang).format(
                    outcome=outcome, date=_change_text(pd.Timestamp(row["followed_on"]))
                )
            )
        return i18n.text("common.list_separator", lang).join(parts)

    def _record(self, row: pd.Series, lang: str) -> str:
        """The table's mark of a listed row: who is on it (`mark`), or the work order or field
        check that explains it."""
        if row.get("status") == "explained":
            return i18n.text(f"theft.followed.explained_{row['explained_by']}", lang).format(
                date=_change_text(pd.Timestamp(row["explained_at"]))
            )
        return self.mark(row["customer_id"], lang)

    def to_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """The `top_n` customers: id, score, the reason in words, and when any listed customer
        has one, the record already on it (a rule's finding, a field outcome, an explaining work
        order or check: "已有疑点/已核查")."""
        top = self.top()
        top = top.assign(reason=[self.reason(row, lang) for _, row in top.iterrows()])
        formats = {"customer_id": str, "score": tables.decimals(1), "reason": str}
        keys = {"reason": "theft.column.reason"}
        records = [self._record(row, lang) for _, row in top.iterrows()]
        if any(records):
            top = top.assign(record=records)
            formats["record"] = str
            keys["record"] = "theft.column.record"
        return tables.labelled(top, formats, lang, keys=keys)

    def plot(self, lang: str = i18n.DEFAULT_LANG) -> Figure:
        """One small panel per listed customer: its kWh a day, the same period a year before
        (lighter), the change marked and the levels before and after it; for a customer scored on
        the shape of its days, its weekdays' hours before and after the change and a year
        before, the shape change named in its title; a title says when a work order explains the
        change."""
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
        shapes = top["shape_change"] if "shape_change" in top.columns else pd.Series("", top.index)
        titles = []
        for _, row in top.assign(shape=shapes.fillna("")).iterrows():
            if row["status"] == "explained" and row["explained_by"] == FIELD_CHECK:
                key = "theft.chart.title_explained_field_check"
            elif row["status"] == "explained":
                key = "theft.chart.title_explained"
            elif str(row["customer_id"]) in set(self.followed["customer_id"]):
                key = "theft.chart.title_followed"
            elif row["shape"] in ("flat", "reversed"):
                key = f"theft.chart.title_{row['shape']}"
            else:
                key = "theft.chart.title"
            date = _change_text(pd.Timestamp(row.get("explained_at")))
            titles.append(
                i18n.text(key, lang).format(
                    customer=row["customer_id"], score=formatting.number(row["score"], 1), date=date
                )
            )
        from auditkit.stats import charts  # matplotlib: loaded when drawn

        return charts.plot_level_changes(
            self.series, changes, titles, lang, day_shapes=self.day_shapes
        )


def score_theft(
    bills: pd.DataFrame,
    daily_reads: pd.DataFrame | None,
    customers: pd.DataFrame,
    as_of: str,
    top_n: int = 10,
    interval_reads: pd.DataFrame | None = None,
    work_orders: pd.DataFrame | None = None,
    order_window_days: int = ORDER_WINDOW_DAYS,
    field_checks: pd.DataFrame | None = None,
    followed: pd.DataFrame | None = None,
    zero_followed: bool = False,
) -> TheftReport:
    """Theft scores with their reasons for `customers` (customer_id, usage_type, district).

    A customer whose `daily_reads` (customer_id, date, kwh) span DAILY_SPAN_DAYS days up to the
    end of month `as_of` is scored on them, every other customer on its `bills` (customer_id,
    period, kwh_billed) up to `as_of`; those with both are scored on both and listed by their
    daily reads unless their bills scored higher with a change the daily reads cannot date or
    date too (`_stronger_source`); peers are the customers of the same usage type and
    district scored on the same source; reads of customers missing from `customers` are left
    out. One ranking, highest score first (both scores are calibrated z values); `top_n`
    customers are listed. With `interval_reads` (customer_id, read_at, kwh[,
    interval_minutes]) the customers scored on daily reads are also tested on the shape of their
    days, and the listed ones whose score that gave get PROFILE_COLUMNS and their day shapes.
    With `work_orders` (customer_id, order_type, effective_date) a customer whose change an
    order explains within `order_window_days` days gets status "explained", EXPLAINED_COLUMNS, and
    is ranked after the unexplained ones (`theft.theft_scores`); with `field_checks`
    (customer_id, checked_on: visits that found nothing wrong) so is a customer whose change a
    visit on or after its start has seen (explained_by "field_check"). `followed`
    (`followed.FOLLOWED_COLUMNS`: customers a rule's finding of the same month or a field outcome
    already covers) keeps their scores but lists them after the others no record explains, and
    with `zero_followed` (the rules' findings are not known) so does every customer whose use has
    been zero since its change (`followed.ZERO_SINCE_CHANGE`, the zero-consumption rule's case).
    """
    names = customers.drop_duplicates("customer_id").set_index("customer_id")
    peers = peer_groups_of(customers)
    daily = _daily_reads_spanning(daily_reads, names.index, as_of)
    monthly = bills.loc[
        bills["customer_id"].isin(names.index), ["customer_id", "period", "kwh_billed"]
    ].rename(columns={"kwh_billed": "kwh"})
    hours = None if interval_reads is None or interval_reads.empty else interval_reads
    records = Records(work_orders, order_window_days, field_checks, followed, zero_followed)
    parts, sources = [], []
    datable = pd.Series(dtype="datetime64[ns]")
    if len(daily):
        until = _read_until(daily, as_of)
        parts.append(_scored_with_reasons(daily, until, hours, peers, top_n, records))
        sources.append(SOURCE_OF["D"])
        datable = _first_datable_days(daily, as_of_day(until))
    if len(monthly):
        parts.append(_scored_with_reasons(monthly, as_of, None, peers, top_n, records))
        sources.append(SOURCE_OF["M"])
    if parts:
        both = pd.concat([scored for scored, _, _ in parts], ignore_index=True)
        scores = _stronger_source(both, datable)
        shapes = pd.concat([shaped for _, _, shaped in parts], ignore_index=True)
    else:
        orders = list(EXPLAINED_COLUMNS) if records.given else []
        scores = pd.DataFrame(columns=[*COLUMNS, *orders, *REASON_COLUMNS, OTHER_SCORE])
        shapes = pd.DataFrame(columns=list(DAY_SHAPE_COLUMNS))
    known = (*COLUMNS, *REASON_COLUMNS, OTHER_SCORE, *PROFILE_COLUMNS)
    extra = [column for column in scores.columns if column not in known]
    profile = [column for column in PROFILE_COLUMNS if column in scores.columns]
    scores = ranked(scores[[*COLUMNS, *extra, *REASON_COLUMNS, OTHER_SCORE, *profile]])
    on_it = records.followed_in(scores)
    listed = _listed(scores, top_n, on_it)
    # Drawn from the series each listed customer is worded by, once the listing is known: a
    # part's own top would miss a customer its bills list whose bills rank lower among all.
    drawn = [
        drawn_steps(matrix, listed[listed["source"] == source])
        for source, (_, matrix, _) in zip(sources, parts, strict=True)
    ]
    drawn = [steps for steps in drawn if len(steps)]  # an empty frame would make dates objects
    series = pd.concat(drawn, ignore_index=True) if drawn else pd.DataFrame()
    series = series.reindex(columns=list(SERIES_COLUMNS))
    shown = listed.loc[listed["source"] == SOURCE_OF["D"], "customer_id"]
    shapes = shapes[shapes["customer_id"].isin(shown)].reset_index(drop=True)
    return TheftReport(scores, series, names[["usage_type", "district"]], top_n, shapes, on_it)


def _first_datable_days(daily: pd.DataFrame, until: pd.Timestamp) -> pd.Series:
    """Per customer of the `daily` reads (up to `until`), the first day whose change the daily
    detector can see: MIN_BEFORE_DAYS after its first read, and not before the first compared
    day (`theft_daily.compared_days`: with two years, a change older than the last year is on
    both sides of the comparison)."""
    first = daily.groupby("customer_id", observed=True)["date"].min()
    window, _ = compared_days((until - first.min()).days + 1)
    first_compared = until - pd.Timedelta(days=window - 1)
    return (first + pd.Timedelta(days=MIN_BEFORE_DAYS)).clip(lower=first_compared)


def _stronger_source(scores: pd.DataFrame, datable: pd.Series) -> pd.DataFrame:
    """One row per customer of `scores` (rows of both sources for a customer with daily reads,
    scored on them and on its bills): its daily reads, unless its bills scored higher, with
    evidence of a fall (above 0), and with a change the daily reads could not date (its month begins less than a month after the
    customer's `datable` day: a theft older than the daily reads would be lost) or date too (a
    fall beyond DEFAULT_MIN_DROP from a day within ORDER_WINDOW_DAYS of the bills' month: a
    meter whose reads are too uneven to be sure of the fall its bills show); with the other
    source's score in OTHER_SCORE (NaN where there is none). A fall on the bills alone that the
    daily reads could date and do not show stays the daily reads' (the bills' honest look-alikes
    would otherwise all be added)."""
    daily = scores[scores["source"] == SOURCE_OF["D"]].set_index("customer_id")
    bills = scores[scores["source"] == SOURCE_OF["M"]]
    if daily.empty or bills.empty:
        return scores.assign(**{OTHER_SCORE: np.nan})
    seen_from = bills["customer_id"].map(datable)
    change = pd.to_datetime(bills["change_at"], format="%Y-%m", errors="coerce")
    daily_score = bills["customer_id"].map(daily["score"])
    older = change < seen_from + pd.DateOffset(months=1)
    daily_change = pd.to_datetime(
        bills["customer_id"].map(daily["change_at"]), format="%Y-%m-%d", errors="coerce"
    )
    window = pd.Timedelta(days=ORDER_WINDOW_DAYS)
    agrees = (
        (daily_change >= change - window)
        & (daily_change < change + pd.DateOffset(months=1) + window)
        & (bills["customer_id"].map(daily["drop_ratio"]) < 1 - DEFAULT_MIN_DROP)
    )
    stronger = bills[
        bills["status"].isin(CHANGE_STATUSES)
        & (older | agrees)
        & (bills["score"] > np.maximum(daily_score, 0))
    ]
    replaced = set(stronger["customer_id"])
    kept = pd.concat(
        [
            scores[(scores["source"] == SOURCE_OF["D"]) & ~scores["customer_id"].isin(replaced)],
            stronger,
            bills[~bills["customer_id"].isin(daily.index)],
        ]
    )
    kept[OTHER_SCORE] = np.where(
        kept["source"] == SOURCE_OF["M"],
        kept["customer_id"].map(daily["score"]),
        kept["customer_id"].map(bills.set_index("customer_id")["score"]),
    )
    return kept.reset_index(drop=True)


def daily_theft_scores(
    reads: pd.DataFrame,
    customers: pd.DataFrame,
    as_of: str | None = None,
    interval_reads: pd.DataFrame | None = None,
    work_orders: pd.DataFrame | None = None,
    field_checks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """`theft_scores` of daily `reads` (customer_id, date, kwh) as `score_theft` scores them: the
    customers of `customers` whose reads span DAILY_SPAN_DAYS up to `as_of` together, with their
    peers (`peer_groups_of`) and `interval_reads`; the other customers among themselves alike;
    one ranking. `as_of` defaults to `theft.read_end`'s day; attrs "left_out" (reads after it)
    and "as_of" as `theft_scores` gives them."""
    end = read_end(reads, "daily_reads")
    reads = reads.assign(date=end.days)  # each read's day found once: the parts read it as is
    as_of = as_of or end.day
    _refuse_as_of_after_reads(as_of, reads["date"].max())
    peers = peer_groups_of(customers)
    options = {
        "peers": peers,
        "interval_reads": interval_reads,
        "work_orders": work_orders,
        "field_checks": field_checks,
    }
    spanning = _daily_reads_spanning(reads, peers.index, as_of)
    # Their distinct ids: pandas' isin on text ids takes each value given one by one.
    rest = reads[~reads["customer_id"].isin(spanning["customer_id"].unique())]
    rest = rest[rest["date"] <= as_of_day(as_of)]
    if spanning.empty and rest.empty:  # every read after as_of: nobody to score
        first = reads["date"].min().date()
        raise ParameterError("as_of", f"a day on or after the reads' first, {first}", as_of)
    parts = [
        theft_scores(part, as_of=_read_until(part, as_of), **options)
        for part in (spanning, rest)
        if len(part)
    ]
    scores = ranked(pd.concat(parts, ignore_index=True))
    scores.attrs = {"left_out": int((end.days > as_of_day(as_of)).sum()), "as_of": str(as_of)}
    return scores


def _refuse_as_of_after_reads(as_of: str | pd.Timestamp, last_read: pd.Timestamp) -> None:
    """Refuse an `as_of` after the reads' last day (a month: after its month), as monthly
    scores refuse a month after the bills': the scores would end at the reads' last day while
    the run's folder and record name the later one."""
    asked = pd.Timestamp(as_of_day(as_of))
    if isinstance(as_of, str) and len(as_of) == len("YYYY-MM"):
        after = asked.to_period("M") > last_read.to_period("M")
    else:
        after = asked > last_read
    if after:
        last = last_read.date()
        raise ParameterError("as_of", f"a day on or before the reads' last, {last}", str(as_of))


def peer_groups_of(customers: pd.DataFrame) -> pd.Series:
    """Each customer's peers group (customer_id -> "usage type|district"), as `score_theft` and
    `auditkit stats theft` compare customers."""
    names = customers.drop_duplicates("customer_id").set_index("customer_id")
    return names["usage_type"].astype(str) + "|" + names["district"].astype(str)


def _listed(scores: pd.DataFrame, top_n: int, followed: pd.DataFrame) -> pd.DataFrame:
    """The first `top_n` rows of `scores` (in ranking order) whose change was computed,
    explained or not; the unexplained ones `followed` covers after the others
    (`followed.tiers`), each tier in ranking order."""
    changed = scores[scores["status"].isin(CHANGE_STATUSES)]
    order = np.argsort(follow_ups.tiers(changed, followed), kind="stable")
    return changed.iloc[order].head(top_n)


def _read_until(daily: pd.DataFrame, as_of: str) -> str:
    """`as_of` for the daily reads: itself where they reach its month, else their last day (an
    export that ends a month before the bills is scored to where it ends, not read as a stop)."""
    last, day = daily["date"].max(), as_of_day(as_of)  # the reads are cut at that day already
    month_reached = len(as_of) == 7 and day.to_period("M") == last.to_period("M")
    return as_of if day == last or month_reached else str(last.date())


def _daily_reads_spanning(
    daily_reads: pd.DataFrame | None, customers: pd.Index, as_of: str
) -> pd.DataFrame:
    """The daily reads (customer_id, date, kwh) up to the last day `as_of` knows (a month's
    last, or the day given) of the `customers` whose read days span at least DAILY_SPAN_DAYS
    days (none: an empty frame); each date as its own day (`periods.local_days`)."""
    columns = ["customer_id", "date", "kwh"]
    if daily_reads is None or daily_reads.empty:
        return pd.DataFrame(columns=columns)
    require_columns(daily_reads, columns, "daily_reads")
    dates = local_days(daily_reads["date"], "daily_reads.date", "dates YYYY-MM-DD")
    read = ~np.isnan(checked_kwh(daily_reads, "kwh", "daily_reads"))  # text no number refused
    kept = (dates <= as_of_day(as_of)) & daily_reads["customer_id"].isin(customers) & read
    if not kept.any() or (dates[kept].max() - dates[kept].min()).days + 1 < DAILY_SPAN_DAYS:
        return pd.DataFrame(columns=columns)
    reads = daily_reads.loc[kept, columns].assign(date=dates[kept])
    span = reads.groupby("customer_id", observed=True)["date"].agg(["min", "max"])
    long_enough = span.index[(span["max"] - span["min"]).dt.days + 1 >= DAILY_SPAN_DAYS]
    return reads[reads["customer_id"].isin(long_enough)].reset_index(drop=True)


@dataclass(frozen=True)
class Records:
    """What the utility knows besides the reads: its work orders (and the days either side of a
    change within which one explains it) and the field checks that found nothing wrong."""

    work_orders: pd.DataFrame | None
    order_window_days: int
    field_checks: pd.DataFrame | None
    followed: pd.DataFrame | None = None
    zero_followed: bool = False

    @property
    def given(self) -> bool:
        """Whether either is given (the scores then carry EXPLAINED_COLUMNS)."""
        return self.work_orders is not None or self.field_checks is not None

    def followed_in(self, scores: pd.DataFrame) -> pd.DataFrame:
        """The customers someone is on (`followed.FOLLOWED_COLUMNS`) among those of `scores`
        (with their reason columns): `followed`, and with `zero_followed` those at zero since
        their change."""
        on_it = follow_ups.empty() if self.followed is None else self.followed
        if self.zero_followed:
            on_it = follow_ups.with_zero_since_change(on_it, scores)
        kept = on_it["customer_id"].astype(str).isin(set(scores["customer_id"].astype(str)))
        return on_it[kept.to_numpy()].reset_index(drop=True)


def _scored_with_reasons(
    reads: pd.DataFrame,
    as_of: str,
    interval_reads: pd.DataFrame | None,
    peers: pd.Series,
    top_n: int,
    records: Records,
) -> tuple[pd.DataFrame, ConsumptionMatrix, pd.DataFrame]:
    """`theft_scores` of `reads` (with `interval_reads`, and `records` where given) with the
    reason columns, the matrix scored (to draw the customers listed by it) and the day shapes of
    its `top_n` scored on the profile."""
    matrix = to_matrix(reads, as_of)
    scores = theft_scores(
        matrix,
        peers=peers,
        interval_reads=interval_reads,
        work_orders=records.work_orders,
        order_window_days=records.order_window_days,
        field_checks=records.field_checks,
    )
    groups = peer_group_codes(peers, matrix.customers)
    reasons = reason_columns(scores, matrix, groups)
    top = _listed(scores, top_n, records.followed_in(pd.concat([scores, reasons], axis=1)))
    shapes = pd.DataFrame(columns=list(DAY_SHAPE_COLUMNS))
    if interval_reads is not None:
        figures, shapes = profile_figures(scores, top, interval_reads, matrix.times, peers)
        reasons = pd.concat([reasons, figures], axis=1)
    scores = pd.concat([scores, reasons], axis=1)
    scores["change_at"] = [_change_text(value) for value in scores["change_at"]]
    return scores, matrix, shapes


def profile_figures(
    scores: pd.DataFrame,
    top: pd.DataFrame,
    interval_reads: pd.DataFrame,
    days: pd.DatetimeIndex,
    peers: pd.Series,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PROFILE_COLUMNS of each row of `scores` (filled for the rows of `top` whose signal is
    "profile") and their day shapes (DAY_SHAPE_COLUMNS), from the `interval_reads` over `days`
    (the daily matrix's columns); peers are those of `peers` (customer_id -> group) with
    interval reads, the group when it has MIN_PEERS of them, else all of them."""
    figures = pd.DataFrame(
        {column: np.nan for column in PROFILE_COLUMNS}, index=scores.index
    ).astype({"profile_baseline": object, "profile_peers_scope": object})
    figures[["profile_baseline", "profile_peers_scope"]] = ""
    shown = top[top["signal"] == "profile"]
    if shown.empty:
        return figures, pd.DataFrame(columns=list(DAY_SHAPE_COLUMNS))
    read = pd.Index(pd.unique(interval_reads["customer_id"])).intersection(peers.index)
    group_of = peers.reindex(read).astype(str)
    compared = {}
    for customer in shown["customer_id"]:
        group = group_of[group_of == group_of.get(customer)].index
        scope = "group" if len(group) - (customer in group) >= MIN_PEERS else "everyone"
        pool = (group if scope == "group" else read).drop(customer, errors="ignore").sort_values()
        compared[customer] = (scope, pool[:: max(1, len(pool) // PEER_SAMPLE)][:PEER_SAMPLE])
    wanted = (
        pd.Index(shown["customer_id"])
        .append(pd.Index([c for _, pool in compared.values() for c in pool]))
        .unique()
    )
    cube = hourly_cube(interval_reads[interval_reads["customer_id"].isin(wanted)], wanted, days)
    weekday = np.asarray(days.day_of_week < 5)
    row_of = {customer: row for row, customer in enumerate(wanted)}
    drawn = []
    for index, customer, change_at in zip(
        shown.index, shown["customer_id"], shown["change_at"], strict=True
    ):
        change = days.get_loc(pd.Timestamp(change_at))
        hours = cube[row_of[customer]]
        windows = _profile_windows(hours, change, weekday)
        own = _shape_figures(hours, windows)
        scope, pool = compared[customer]
        others = [
            _shape_figures(
                cube[row_of[peer]], _profile_windows(cube[row_of[peer]], change, weekday)
            )
            for peer in pool
        ]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratios = [
                other["after"] / other["year_before" if own["year_read"] else "before"]
                for other in others
            ]
        figures.loc[index] = pd.Series(
            {
                "hours_spread_before": own["before"],
                "hours_spread_after": own["after"],
                "hours_spread_year_before": own["year_before"],
                "profile_baseline": "year_before" if own["year_read"] else "weeks_before",
                "mirror_before": own["mirror_before"],
                "mirror_after": own["mirror_after"],
                "peers_spread_ratio": _nanmedian(ratios),
                "peers_mirror": _nanmedian([other["mirror_after"] for other in others]),
                "profile_peers_scope": scope,
            }
        )
        drawn.append(_day_shape(customer, hours, windows))
    return figures, pd.concat(drawn, ignore_index=True)


def _profile_windows(hours: np.ndarray, change: int, weekday: np.ndarray) -> dict[str, np.ndarray]:
    """The read weekdays (all 24 hours read, some use) of one customer's `hours` (days x 24
    kWh) that its figures compare: from column `change` on ("after"), in the PROFILE_WEEKS
    weeks before it ("before"), and the read days a year (YEAR_DAYS) before the read days of
    each ("year_before", "before_year_before")."""
    total = hours.sum(axis=1)
    read = weekday & np.isfinite(total) & (total > 0)
    position = np.arange(len(weekday))
    after = np.flatnonzero(read & (position >= change))
    before = np.flatnonzero(read & (position < change) & (position >= change - 7 * PROFILE_WEEKS))

    def year_before(columns: np.ndarray) -> np.ndarray:
        earlier = columns[columns >= YEAR_DAYS] - YEAR_DAYS
        return earlier[read[earlier]]

    return {
        "after": after,
        "before": before,
        "year_before": year_before(after),
        "before_year_before": year_before(before),
    }


def _shape_figures(hours: np.ndarray, windows: dict[str, np.ndarray]) -> dict[str, Any]:
    """One customer's hours' spreads (median coefficient of variation) over each of its
    `windows`, the mirror statistics of the days after and before the change against their
    years before, and whether its year before was read (MIN_PROFILE_DAYS days at least)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        variation = hours.std(axis=1) / hours.mean(axis=1)
        shares = hours / hours.sum(axis=1, keepdims=True)

    def spread(columns: np.ndarray) -> float:
        return float(np.median(variation[columns])) if len(columns) >= MIN_PROFILE_DAYS else np.nan

    def mirror(columns: np.ndarray, reference: np.ndarray) -> float:
        if min(len(columns), len(reference)) < MIN_PROFILE_DAYS:
            return np.nan
        return _mirror(shares[columns].mean(axis=0), shares[reference].mean(axis=0))

    return {
        "after": spread(windows["after"]),
        "before": spread(windows["before"]),
        "year_before": spread(windows["year_before"]),
        "year_read": len(windows["year_before"]) >= MIN_PROFILE_DAYS,
        "mirror_after": mirror(windows["after"], windows["year_before"]),
        "mirror_before": mirror(windows["before"], windows["before_year_before"]),
    }


def _mirror(shape: np.ndarray, reference: np.ndarray) -> float:
    """`theft_profile`'s mirror statistic of a day shape against a reference shape (both shares
    of the day): <P s, r> / <P r, r>, 1 the reference's shape, -1 its hours reversed; NaN when
    the reference has no part that reversing the hours changes."""
    along = reference @ MIRROR_BASIS
    energy = float(along @ along)
    return float((shape @ MIRROR_BASIS) @ along / energy) if energy > 1e-12 else np.nan


def _day_shape(customer: Any, hours: np.ndarray, windows: dict[str, np.ndarray]) -> pd.DataFrame:
    """The mean kWh in each clock hour of the before, after and year before days of `windows`
    (DAY_SHAPE_COLUMNS; NaN for a window without a day)."""

    def mean_hours(columns: np.ndarray) -> np.ndarray:
        return hours[columns].mean(axis=0) if len(columns) else np.full(HOURS, np.nan)

    return pd.DataFrame(
        {
            "customer_id": customer,
            "hour": np.arange(HOURS),
            "before": mean_hours(windows["before"]),
            "after": mean_hours(windows["after"]),
            "year_before": mean_hours(windows["year_before"]),
        }
    )


def _nanmedian(values: list[float]) -> float:
    """The median of the values that are not NaN (NaN when none is)."""
    kept = [value for value in values if not np.isnan(value)]
    return float(np.median(kept)) if kept else np.nan


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
    scored = scores["status"].isin(CHANGE_STATUSES).to_numpy() & (rows >= 0) & (change >= 0)
    at = np.where(scored, rows, 0)
    position = np.arange(matrix.values.shape[1])
    change_of = np.where(scored, change, 0)[:, None]
    per_day = matrix.values[at] / _days_per_step(matrix)[None, :]
    # A meter rollover (one day of 99,994 kWh) is no level: steps beyond SPIKE_FACTOR times the
    # customer's median step are left out of the levels worded.
    typical = row_nanmedian(np.where(per_day > 0, per_day, np.nan))
    per_day = np.where(per_day > SPIKE_FACTOR * typical[:, None], np.nan, per_day)
    before = (position >= change_of - year) & (position < change_of)
    level_before = np.where(scored, masked_row_mean(per_day, before), np.nan)
    level_after = np.where(scored, masked_row_mean(per_day, position >= change_of), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        fall = np.where(level_before > 0, 1 - level_after / level_before, np.nan)
    group_size = np.bincount(peer_groups)[peer_groups[at]] if len(peer_groups) else at
    peers_compared = len(peer_groups) >= MIN_PEERS  # fewer: none compared (`theft_daily`)
    reasons = pd.DataFrame(
        {
            "source": SOURCE_OF[frequency],
            "level_before": level_before,
            "level_after": level_after,
            "fall": fall,
            "peers_scope": np.where(
                scored & peers_compared,
                np.where(group_size >= MIN_PEERS, "group", "everyone"),
                "",
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
        peers_ratio=np.where(scored & peers_compared, masked_row_mean(peers[at], compared), np.nan),
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

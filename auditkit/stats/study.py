"""The consumption-statistics study of one district or all: everything the notebook shows.

`build(dataset, district, as_of, months, top_n)` runs the statistics once on a loaded dataset;
notebooks/consumption_statistics.ipynb asks the study for its headline, its tables and figures by
name (section by section) and its conclusions, and narrates. The district summary and the funnel
cover every district (a district is benchmarked against the others); seasonality, customer
scores, Benford tests, bills and daily reads are restricted to `district`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from auditkit import formatting, i18n
from auditkit.checks import positive_int
from auditkit.data import Dataset
from auditkit.data.partitioned import PartitionedDataset
from auditkit.errors import DATASET, ParameterError, require_type
from auditkit.periods import period_last_day
from auditkit.register.checks import field_checks, read_field_records
from auditkit.report.figures import labelled
from auditkit.stats import anomaly, tables
from auditkit.stats.benford import (
    TESTS,
    BenfordResult,
    benford,
    benford_by_group,
    verdict_reason,
)
from auditkit.stats.daily import DailyProfile, daily_profile, read_days
from auditkit.stats.digits import (
    ADJUSTMENT_COLUMNS,
    ALL,
    MIN_READS,
    AdjustmentDigits,
    LastDigitTest,
    adjustment_benford,
    last_digit_test,
)
from auditkit.stats.followed import followed_up, register_outcomes, rule_findings
from auditkit.stats.funnel import FunnelResult, funnel
from auditkit.stats.matrix import checked_numbers, checked_supply
from auditkit.stats.network_loss import NetworkLoss, network_loss
from auditkit.stats.notes import Note
from auditkit.stats.requirements import InsufficientDataError, require_columns
from auditkit.stats.scores import CustomerScores
from auditkit.stats.seasonal import Decomposition, decompose_by_group, outlier_table
from auditkit.stats.summary import DistrictSummary, summarize
from auditkit.stats.theft import CHANGE_STATUSES, DEFAULT_MIN_DROP, ORDER_WINDOW_DAYS, WINDOWS
from auditkit.stats.theft_daily import MIN_AFTER_DAYS
from auditkit.stats.theft_report import TheftReport, score_theft

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from auditkit.register.store import Register

#: Figures a method's wording states, from the code that applies them.
METHOD_VALUES = {
    "theft_reasons": {
        "window": ORDER_WINDOW_DAYS,
        "after_days": MIN_AFTER_DAYS,
        "after_months": WINDOWS["M"][1],
        "min_drop": formatting.percent(DEFAULT_MIN_DROP, 0),
    }
}
#: Months of bills a district needs for its seasonal decomposition (two seasons of a year, as
#: `seasonal.decompose_by_group` asks of its default period).
SEASONAL_MONTHS = 2 * anomaly.SEASON
#: Monthly summary columns drawn, each when it has a value.
MONTHLY_FIGURES = ("kwh", "line_loss", "estimated_share")
#: The methods section, in order.
METHODS = (
    "summary",
    "seasonality",
    "theft",
    "theft_reasons",
    "theft_profile",
    "anomalies",
    "benford",
    "adjustment_digits",
    "last_digits",
    "network_loss",
    "funnel",
)
#: Section headings worded by the words every report shares.
HEADINGS = {
    "title": "pipeline.study.consumption_statistics",
    "conclusions": "common.conclusions",
    "notes": "common.notes",
    "methods": "common.methods",
}


@dataclass(frozen=True)
class ConsumptionStudy:
    """Results of the study; `district` is "" when it covers every district.

    `bills` holds the studied customers' bills up to the end of the window, with their district;
    `theft` the theft scores with their reasons (`theft_report.score_theft`: on daily reads
    where they span a year before and the days compared, else on the bills; with interval reads
    also on the shape of the days; with work orders a change an order explains ranked last);
    `benford_tests` one
    row per district and test (first, second, first_two; `benford_by_group` columns, `group`
    named district); `benford` the first-two-digits result of each district
    with a testable amount; `daily` the daily-read profile when the dataset has daily reads;
    `adjustment_digits` the Benford tests of adjustments (with an adjustments table),
    `last_digits` the last-digit test per meter reader (with bills read by hand), `network` the
    same-period loss per transformer area and feeder (with network_supply and daily reads).
    """

    district: str
    summary: DistrictSummary
    decompositions: dict[str, Decomposition]
    theft: TheftReport
    anomalies: CustomerScores
    bills: pd.DataFrame
    estimated_funnel: FunnelResult | None
    benford_tests: pd.DataFrame
    benford: dict[str, BenfordResult]
    daily: DailyProfile | None = None
    adjustment_digits: AdjustmentDigits | None = None
    last_digits: LastDigitTest | None = None
    network: NetworkLoss | None = None
    notes: list[Note] = field(default_factory=list)

    @property
    def districts(self) -> list[str]:
        """The districts the study reports on."""
        return [self.district] if self.district else list(self.summary.table["district"])

    @property
    def outliers(self) -> pd.DataFrame:
        """Out-of-line months of every decomposition (district, period, resid_z ...)."""
        frames = [
            result.outliers.assign(district=name) for name, result in self.decompositions.items()
        ]
        return pd.concat(frames) if frames else pd.DataFrame(columns=["district", "period"])

    def headline(self) -> dict[str, float]:
        """Customers, kWh and revenue (yuan; with bills in the window), line loss (%, with
        complete supply) and theft suspects (with a customer scored) of the studied districts,
        under the stable keys of `report.figures`: a figure not computed is left out, never 0."""
        figures = self.summary.summary(self.districts)
        headline = {"customers": figures["customers"]}
        headline |= {key: figures[key] for key in ("kwh", "revenue") if figures[key] is not None}
        if figures["line_loss"] is not None:
            headline["line_loss_pct"] = 100 * figures["line_loss"]
        if _any_scored(self.theft.scores):
            headline["theft_suspects"] = float(self.theft.summary()["strong"])
        return headline

    def headline_figures(self, lang: str = i18n.DEFAULT_LANG) -> dict[str, float]:
        """The headline labelled in `lang` (for reading; reports record `headline()`)."""
        return labelled(self.headline(), lang)

    def subject(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The district studied, or 'all districts'."""
        return self.district or i18n.text("common.all_districts", lang)

    @staticmethod
    def heading(section: str, lang: str = i18n.DEFAULT_LANG) -> str:
        """The heading of a section of the report (title, conclusions, summary ...)."""
        return i18n.text(HEADINGS.get(section, f"stats.heading.{section}"), lang)

    def conclusions(self, lang: str = i18n.DEFAULT_LANG) -> list[str]:
        """Plain-language findings for reviewers, one sentence each. A study of one district
        speaks of that district only (its own line loss and growth), never ranks the others."""
        table = self.summary.table
        table = table[table["district"].isin(self.districts)]
        alone = "_district" if self.district else ""
        sentences = []
        losses = table.dropna(subset=["line_loss"])
        if not losses.empty:
            worst = losses.loc[losses["line_loss"].idxmax()]
            sentences.append(
                i18n.text(f"stats.sentence.highest_loss{alone}", lang).format(
                    period_from=self.summary.period_from,
                    period_to=self.summary.period_to,
                    district=worst["district"],
                    line_loss=formatting.percent(worst["line_loss"]),
                )
            )
        growth = table.dropna(subset=["kwh_yoy"])
        if not growth.empty:
            low = growth.loc[growth["kwh_yoy"].idxmin()]
            sentences.append(
                i18n.text(f"stats.sentence.weakest_growth{alone}", lang).format(
                    district=low["district"],
                    kwh_yoy=formatting.percent(low["kwh_yoy"], signed=True),
                )
            )
        sentences.append(self._outlier_sentence(lang))
        sentences += [
            self.theft.explain(lang)
            if _any_scored(self.theft.scores)
            else _not_scored("theft", self.theft.scores, lang),
            self.anomalies.explain(lang)
            if _any_scored(self.anomalies.scores)
            else _not_scored("anomalies", self.anomalies.scores, lang),
        ]
        sentences += self._benford_sentences(lang)
        sentences += self.benford_caveat(lang)
        sentences += [
            part.explain(lang)
            for part in (self.adjustment_digits, self.last_digits, self.network)
            if part is not None
        ]
        if self.estimated_funnel is not None:
            outside = self.estimated_funnel.summary()["outside"]
            names = i18n.text("common.list_separator", lang).join(outside)
            sentences.append(
                i18n.text("stats.sentence.funnel_outside", lang).format(
                    names=names or i18n.text("common.none", lang)
                )
            )
        return sentences

    def _outlier_sentence(self, lang: str) -> str:
        """How many out-of-line months the decompositions find, or that none was computed (no
        district studied has SEASONAL_MONTHS of bills): a count of 0 would read as a finding."""
        if not self.decompositions:
            return i18n.text("stats.sentence.outliers_not_computed", lang).format(
                months=SEASONAL_MONTHS
            )
        return i18n.text("stats.sentence.outliers", lang).format(count=len(self.outliers))

    def benford_caveat(self, lang: str = i18n.DEFAULT_LANG) -> list[str]:
        """What Benford on bill amounts cannot say: the customer mix, not fraud, decides it (none
        when no district's amounts were tested: a district without an amount of 10 yuan or more
        has a row, but no MAD)."""
        if self._benford_tested.empty:
            return []
        return [i18n.text("digits.sentence.bill_amounts_mix", lang)]

    @property
    def _benford_tested(self) -> pd.DataFrame:
        """The first-two-digits tests of the districts whose amounts were tested (with a MAD)."""
        tests = self.benford_tests
        return tests[tests["test"] == "first_two"].dropna(subset=["mad"])

    def _benford_sentences(self, lang: str) -> list[str]:
        """Which districts' amounts depart from Benford (first two digits; `benford_by_group`'s
        `departs`), which departs most when every district does, and which had too few amounts
        to judge (a small sample's MAD reaches Nigrini's ranges by chance)."""
        tested = self._benford_tested
        if tested.empty:
            return [i18n.text("stats.sentence.benford_untested", lang)]
        separator = i18n.text("common.list_separator", lang)
        judged = tested[tested["departs"].notna()]
        too_few = tested[tested["departs"].isna()]
        flagged = judged[judged["departs"].astype(bool)]
        sentences = []
        if judged.empty:
            pass
        elif flagged.empty:
            key = "benford_conforms" if too_few.empty else "benford_conforms_judged"
            sentences.append(i18n.text(f"stats.sentence.{key}", lang))
        elif len(flagged) < len(tested) or len(tested) < 3:
            names = separator.join(map(str, flagged["district"]))
            sentences.append(i18n.text("stats.sentence.benford_departs", lang).format(names=names))
        else:
            worst = tested.loc[tested["mad"].idxmax()]
            sentences.append(
                i18n.text("stats.sentence.benford_departs_everywhere", lang).format(
                    median=float(tested["mad"].median()),
                    district=worst["district"],
                    mad=worst["mad"],
                )
            )
        if not too_few.empty:
            names = separator.join(map(str, too_few["district"]))
            sentences.append(i18n.text("stats.sentence.benford_too_few", lang).format(names=names))
        return sentences

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The conclusions, one a line."""
        return "\n".join(self.conclusions(lang))

    def data_notes(self, lang: str = i18n.DEFAULT_LANG) -> list[str]:
        """Gaps, flags and series left out, one sentence each."""
        return [note.text(lang) for note in self.notes]

    def methods(self, lang: str = i18n.DEFAULT_LANG) -> list[str]:
        """How each statistic is computed, one paragraph each (the day shapes' only when the
        theft scores used interval reads)."""
        shown = [name for name in METHODS if name != "theft_profile" or self.theft.profile_tested]
        return [
            i18n.text(f"stats.method.{name}", lang).format(**METHOD_VALUES[name])
            if name in METHOD_VALUES
            else i18n.text(f"stats.method.{name}", lang)
            for name in shown
        ]

    @property
    def table_names(self) -> tuple[str, ...]:
        """summary, by_usage, outliers, theft, theft_status, anomalies, anomaly_status, daily and
        daily_reconciliation (with daily reads), benford, adjustment_digits (with adjustments),
        last_digits (with hand reads), network_overview and network_loss (with same-period
        loss), funnel (with billed districts)."""
        names = ("summary", "by_usage", "outliers", "theft", "theft_status", "anomalies")
        names += ("anomaly_status",)
        if self.daily is not None:
            names += ("daily", "daily_reconciliation")
        names += ("benford",)
        if self.adjustment_digits is not None:
            names += ("adjustment_digits",)
        if self.last_digits is not None:
            names += ("last_digits",)
        if self.network is not None:
            names += ("network_overview", "network_loss")
        if self.estimated_funnel is not None:
            names += ("funnel",)
        return names

    def table(self, name: str, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """One of `table_names`, labelled in `lang`."""
        _check(name, self.table_names, "table")
        daily, funnel_result = self.daily, self.estimated_funnel
        adjustments, readers, network = self.adjustment_digits, self.last_digits, self.network
        makers: dict[str, Callable[[], pd.DataFrame]] = {
            "summary": lambda: self.summary.to_table(lang, self.districts),
            "by_usage": lambda: self.summary.usage_table(lang, self.districts),
            "outliers": lambda: outlier_table(self.decompositions, lang),
            "theft": lambda: self.theft.to_table(lang),
            "theft_status": lambda: self.theft.status_table(lang),
            "anomalies": lambda: self.anomalies.to_table(lang),
            "anomaly_status": lambda: self.anomalies.status_table(lang),
            "daily": lambda: daily.to_table(lang),
            "daily_reconciliation": lambda: daily.reconciliation_table(lang),
            "benford": lambda: benford_table(self.benford_tests, lang),
            "adjustment_digits": lambda: adjustments.to_table(lang),
            "last_digits": lambda: readers.to_table(lang),
            "network_overview": lambda: network.overview_table(lang),
            "network_loss": lambda: network.to_table(lang),
            "funnel": lambda: funnel_result.to_table(lang),
        }
        return makers[name]()

    @property
    def figure_names(self) -> tuple[str, ...]:
        """monthly/<column>, seasonality/<district>, theft, anomalies, daily, benford/<district>,
        adjustment_digits/<test>, last_digits, network_loss, funnel: each when there is something
        to draw."""
        monthly = tables.only(self.summary.monthly, self.districts)
        names = tuple(
            f"monthly/{column}" for column in MONTHLY_FIGURES if monthly[column].notna().any()
        )
        names += tuple(f"seasonality/{name}" for name in self.decompositions)
        names += tuple(kind for kind in ("theft", "anomalies") if len(getattr(self, kind).top()))
        names += ("daily",) if self.daily is not None else ()
        names += tuple(f"benford/{name}" for name in self.benford)
        names += tuple(f"adjustment_digits/{test}" for test in self._adjustment_figures())
        if self.last_digits is not None and self.last_digits.table["chi2"].notna().any():
            names += ("last_digits",)
        if self.network is not None and self.network.table["loss_rate"].notna().any():
            names += ("network_loss",)
        names += ("funnel",) if self.estimated_funnel is not None else ()
        return names

    def _adjustment_figures(self) -> dict[str, tuple[str, str]]:
        """The adjustment Benford charts by test: all districts together, or the one district."""
        if self.adjustment_digits is None:
            return {}
        keys = self.adjustment_digits.figure_keys
        whole = ALL if any(group == ALL for group, _ in keys) else self.district
        return {test: (group, test) for group, test in keys if group == whole}

    def figures_of(self, section: str) -> tuple[str, ...]:
        """The figure names of one section (the part of the name before '/')."""
        return tuple(name for name in self.figure_names if name.split("/")[0] == section)

    def figure(self, name: str, lang: str = i18n.DEFAULT_LANG) -> Figure:
        """One of `figure_names`, labelled in `lang`."""
        _check(name, self.figure_names, "figure")
        section, _, item = name.partition("/")
        if section == "monthly":
            return self.summary.plot(lang, item, self.districts)
        if section == "seasonality":
            return self.decompositions[item].plot(lang, unit="kwh")  # of the monthly kWh
        if section == "benford":
            return self.benford[item].plot(lang)
        if section == "adjustment_digits":
            return self.adjustment_digits.plot(lang, self._adjustment_figures()[item])
        if section == "last_digits":
            return self.last_digits.plot(lang)
        if section == "network_loss":
            return self.network.plot(lang)
        if section == "funnel":
            return self.estimated_funnel.plot(
                lang,
                i18n.text("stats.chart.estimated_share", lang),
                i18n.text("stats.heading.funnel", lang),
            )
        return getattr(self, section).plot(lang)


def build(
    dataset: Dataset | PartitionedDataset,
    district: str = "",
    as_of: str = "",
    months: int = 12,
    top_n: int = 10,
    alpha: float = 0.05,
    min_reads: int = MIN_READS,
    high_loss_rate: float = 0.10,
    min_coverage: float = 0.95,
    min_supply_kwh: float = 1000.0,
    register: Register | None = None,
) -> ConsumptionStudy:
    """Run the consumption statistics on `dataset`, for one `district` or ("") all of them,
    over the `months` months ending at `as_of` (default: the last billed); rankings show
    `top_n` customers. A lazily loaded converted folder (`load(folder, lazy=True)`) is read
    whole first, giving the study of `load(folder)`.

    Digit tests: `alpha` is their level; a meter reader needs `min_reads` hand reads to be
    tested. Same-period loss: a unit-month is high above `high_loss_rate`, computed only with
    `min_coverage` of its customer-days read and judged only from `min_supply_kwh` supplied.

    `register` is the findings register the report reads (`open_report_register`; None when
    there is none): its false alarms on findings of a fall are field checks that the theft
    ranking reads (`register.checks.field_checks`), so a fall the field has seen and found honest
    ranks after the unexplained ones. The theft worklist also lists after the others, with their
    scores unchanged, the customers someone is already on (`stats.followed`): a finding of the
    zero-consumption rule (or a rule it leaves its losses to) for the month scored, as the
    district report has it, or a field outcome in the register (sent, confirmed, rectified,
    recovered) on a finding of a fall.
    """
    require_type(dataset, (Dataset, PartitionedDataset), "dataset", DATASET)
    top_n = positive_int("top_n", top_n)
    if isinstance(dataset, PartitionedDataset):
        # Read whole, as `load` reads a converted folder: the summary and its last month span
        # every district, so one district's files would not give the same study.
        dataset = dataset.dataset()
    if dataset.bills is None or dataset.customers is None:
        raise ParameterError("dataset", "the customers and bills tables", "a dataset without them")
    if district:
        dataset.require_district(district)
    summary = summarize(
        dataset.bills, dataset.customers, dataset.district_supply, as_of or None, months
    )
    customers = dataset.customers
    if district:
        customers = customers[customers["district"] == district]
    bills = dataset.bills[dataset.bills["customer_id"].isin(customers["customer_id"])]
    monthly = summary.monthly[summary.monthly["district"].isin(customers["district"].unique())]
    decompositions, seasonal_notes = decompose_by_group(monthly.dropna(subset=["kwh"]))

    notes = _own_notes(summary.notes, district)
    history = bills[bills["period"] <= summary.period_to]
    scored_to = _scored_to(history, district, summary.period_to, notes)
    anomalies = _anomalies(history, customers, scored_to)
    studied = history.merge(customers[["customer_id", "district"]], on="customer_id")
    window = studied[studied["period"] >= summary.period_from]
    notes += seasonal_notes
    reads = _dated_reads(dataset.daily_reads)
    daily = None
    if reads is not None and len(reads):
        first_read = pd.Timestamp(reads["date"].min())
        if first_read > pd.Timestamp(period_last_day(summary.period_to)):
            # A study month before the smart meters: its report has no daily section, and says why.
            first = f"{first_read:%Y-%m-%d}"
            notes.append(Note("daily_after_month", {"first": first, "month": summary.period_to}))
        else:
            daily = daily_profile(
                _own_reads(reads, dataset.customers, customers),
                customers,
                dataset.bills,
                summary.period_to,  # the study month: a stray later read must not end it
            )
    adjustments = _adjustment_digits(dataset, customers, summary.period_to, alpha, notes)
    readers = _last_digits(window, customers, alpha, min_reads, notes)
    network = _network(
        dataset, reads, district, summary, (high_loss_rate, min_coverage, min_supply_kwh), notes
    )
    until = period_last_day(scored_to)
    findings = rule_findings(dataset, scored_to, customers["customer_id"])
    records = (
        None
        if register is None
        else read_field_records(register, district or None, refuse_unknown_district=False)
    )
    outcomes = None if records is None else register_outcomes(records, district or None, until)
    return ConsumptionStudy(
        district=district,
        summary=summary,
        decompositions=decompositions,
        theft=score_theft(
            history,
            reads,
            customers,
            scored_to,
            top_n,
            dataset.interval_reads,
            dataset.work_orders,
            field_checks=None
            if records is None
            else field_checks(records, district or None, until=until),
            followed=followed_up(findings, outcomes),
            zero_followed=findings is None,
        ),
        anomalies=CustomerScores("anomalies", anomalies, studied, top_n),
        bills=studied,
        estimated_funnel=_estimated_funnel(summary.table),
        benford_tests=benford_tests(window["amount"], window["district"], alpha),
        benford={
            str(name): benford(part, "first_two", str(name))
            for name, part in window["amount"].groupby(window["district"].to_numpy(), sort=True)
            if (part >= 10).any()
        },
        daily=daily,
        adjustment_digits=adjustments,
        last_digits=readers,
        network=network,
        notes=notes,
    )


def _own_notes(notes: list[Note], district: str) -> list[Note]:
    """The summary's `notes` a study of `district` reports: all when every district is studied,
    else those of `district` and those of no district (the summary covers every district, but a
    one-district study speaks of that district only)."""
    if not district:
        return list(notes)
    return [note for note in notes if note.values.get("district", district) == district]


def _any_scored(scores: pd.DataFrame) -> bool:
    """Whether a ranking scored any customer (theft's "explained" customers are scored too)."""
    return bool(scores["status"].isin(CHANGE_STATUSES).any())


def _not_scored(kind: str, scores: pd.DataFrame, lang: str) -> str:
    """The sentence saying the `kind` ranking scored no customer, and why: the count of each
    status, or no customer billed (never "0 customers ... inspect them first", which reads as a
    ranking that found nothing)."""
    counts = scores["status"].value_counts()
    reason = i18n.text("common.list_separator", lang).join(
        i18n.text("stats.sentence.status_count", lang).format(
            status=tables.coded("stats.status.", lang)(status), count=int(count)
        )
        for status, count in counts.items()
    )
    reason = reason or i18n.text("stats.sentence.no_customer_billed", lang)
    return i18n.text(f"stats.sentence.{kind}_not_computed", lang).format(reason=reason)


def _scored_to(history: pd.DataFrame, district: str, month: str, notes: list[Note]) -> str:
    """The month a one-district study scores its customers up to: the study `month`, or the
    district's own last bill where its bills stop before it (the other districts' later bills set
    the study month; a score cannot be taken on months the district has no bill in), which
    `notes` then says."""
    if not district or history.empty:
        return month
    last = str(history["period"].max())
    if last >= month:
        return month
    notes.append(Note("district_bills_end", {"district": district, "last": last, "month": month}))
    return last


def _dated_reads(daily_reads: pd.DataFrame | None) -> pd.DataFrame | None:
    """`daily_reads` with each date as its day (`daily.read_days`: a timestamp with a time zone
    is the day where it was read), parsed once for the daily profile, the same-period loss and
    theft scoring, which take naive days as they are; a ParameterError names daily_reads.date
    and the row of a value that is no day."""
    if daily_reads is None or not len(daily_reads):
        return daily_reads
    return daily_reads.assign(date=read_days(daily_reads).astype("datetime64[ns]"))


def _own_reads(
    daily_reads: pd.DataFrame, archive: pd.DataFrame, studied: pd.DataFrame
) -> pd.DataFrame:
    """The daily reads of the `studied` customers and of customers missing from the `archive`
    (the profile counts those in a note): not those of the other districts' customers, which
    are no concern of a one-district study and are missing from nowhere."""
    if len(studied) == len(archive):
        return daily_reads
    elsewhere = ~archive["customer_id"].isin(studied["customer_id"])
    return daily_reads[~daily_reads["customer_id"].isin(archive.loc[elsewhere, "customer_id"])]


def _adjustment_digits(
    dataset: Dataset, customers: pd.DataFrame, period_to: str, alpha: float, notes: list[Note]
) -> AdjustmentDigits | None:
    """Benford tests of the studied customers' adjustments of every period up to `period_to`."""
    if dataset.adjustments is None:
        notes.append(Note("no_adjustments"))
        return None
    adjustments = dataset.adjustments
    require_columns(adjustments, (*ADJUSTMENT_COLUMNS, "period"), "adjustments")
    studied = adjustments["customer_id"].isin(customers["customer_id"]) & (
        adjustments["period"].astype(str) <= period_to
    )
    # The studied amounts are checked in the whole table (the others blank), so a text that is
    # no number is named by its row there, not by its row among the studied district's.
    blanked = adjustments.assign(amount=adjustments["amount"].where(studied))
    checked_numbers(blanked, "amount", "adjustments", "a number of yuan")
    result = adjustment_benford(adjustments[studied], customers, alpha=alpha)
    notes.extend(result.notes)
    return result


def _last_digits(
    window: pd.DataFrame, customers: pd.DataFrame, alpha: float, min_reads: int, notes: list[Note]
) -> LastDigitTest | None:
    """The last-digit test per meter reader on the window's bills, None without hand reads."""
    if "reader_id" not in window.columns:
        notes.append(Note("no_manual_reads"))
        return None
    result = last_digit_test(window, customers, alpha, min_reads)
    notes.extend(result.notes)
    return result if len(result.table) else None


def _network(
    dataset: Dataset,
    daily_reads: pd.DataFrame | None,
    district: str,
    summary: DistrictSummary,
    settings: tuple[float, float, float],
    notes: list[Note],
) -> NetworkLoss | None:
    """Same-period loss of the window's months, over the whole utility (a feeder may cross
    districts), kept for `district`'s units (all units, those without customers included, when
    every district is studied), from the window's `daily_reads` as `_dated_reads` dates them;
    None without supply or daily reads."""
    if dataset.network_supply is None:
        return None
    if daily_reads is None:
        notes.append(Note("network_no_daily_reads"))
        return None
    supply = dataset.network_supply
    # Read whole before the window's months are kept: a bad kWh is named by its row in the table.
    supply = supply.assign(kwh_supplied=checked_supply(supply, "network_supply"))
    period = supply["period"].astype(str)
    supply = supply[(period >= summary.period_from) & (period <= summary.period_to)]
    # The reads of the window's days too: a read after it would make its month one of the
    # study's, each feeder of it "without a supply row" where its supply was cut away above.
    days = daily_reads["date"]
    first_day = pd.Timestamp(f"{summary.period_from}-01")
    window_reads = daily_reads[(days >= first_day) & (days <= period_last_day(summary.period_to))]
    high_loss_rate, min_coverage, min_supply_kwh = settings
    try:
        result = network_loss(
            supply,
            dataset.customers,
            window_reads,
            dataset.bills,
            high_loss_rate=high_loss_rate,
            min_coverage=min_coverage,
            min_supply_kwh=min_supply_kwh,
        )
    except InsufficientDataError:  # no read of a known customer: nothing to sum
        notes.append(Note("network_no_daily_reads"))
        return None
    notes.extend(result.notes)
    return result.for_districts([district]) if district else result


def _anomalies(history: pd.DataFrame, customers: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """Anomaly scores of the customers' bills up to `as_of`."""
    if history.empty:  # a district without bills: its summary row and notes say so
        return pd.DataFrame(columns=list(anomaly.COLUMNS))
    return anomaly.anomaly_scores(history, customers, as_of)


def _estimated_funnel(table: pd.DataFrame) -> FunnelResult | None:
    """The funnel of each billed district's share of estimated reads (None: nothing billed)."""
    window = table[table["bills"] > 0]
    if not len(window):
        return None
    counts = pd.DataFrame(
        {
            "district": window["district"],
            "bills": window["bills"].astype(int),
            "estimated": (window["estimated_share"] * window["bills"]).round().astype(int),
        }
    )
    return funnel(counts, volume="bills", events="estimated")


def benford_tests(amounts: pd.Series, districts: pd.Series, alpha: float = 0.05) -> pd.DataFrame:
    """First-digit, second-digit and first-two-digits tests of each district's amounts, each
    judged at level `alpha`."""
    parts = []
    for test in TESTS:
        part = benford_by_group(amounts, districts, test, alpha)
        part = part.rename(columns={"group": "district"})
        part.insert(1, "test", test)
        parts.append(part)
    frame = pd.concat(parts)
    order = frame["test"].map(TESTS.index)
    return (
        frame.assign(order=order)
        .sort_values(["district", "order"], kind="stable")
        .drop(columns="order")
    )


def benford_table(tests: pd.DataFrame, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
    """The Benford tests of each district (`benford_tests`), formatted, each judged row saying
    why it departs or not (`benford.verdict_reason`)."""
    tests = tests.assign(
        verdict_basis=[verdict_reason(row, lang) for row in tests.to_dict("records")]
    )
    formats = {
        "district": str,
        "test": tables.coded("stats.test.", lang),
        "n": tables.whole,
        "n_excluded": tables.whole,
        "chi2": tables.decimals(1),
        "p_value": formatting.p_value,
        "mad": tables.decimals(4),
        "expected_mad": tables.decimals(4),
        "conformity": _blank_or(tables.coded("stats.conformity.", lang), formatting.MISSING),
        "departs": tables.yes_no(lang),
        "verdict_basis": str,
        "standouts": tables.text_or_blank,
        "note": _blank_or(tables.coded("stats.note.", lang)),
    }
    keys = {
        "expected_mad": "digits.column.expected_mad",
        "departs": "digits.column.departs",
        "verdict_basis": "digits.column.verdict_basis",
    }
    return tables.labelled(tests, formats, lang, keys)


def _blank_or(formatter: tables.Formatter, blank: str = "") -> tables.Formatter:
    """`formatter` for a code; `blank` for a missing or empty one."""
    return lambda code: formatter(code) if isinstance(code, str) and code else blank


def _check(name: str, names: tuple[str, ...], kind: str) -> None:
    if name not in names:
        raise ParameterError(kind, f"one of {names}", name)

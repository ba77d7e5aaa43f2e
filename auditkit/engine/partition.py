"""The rules one part of a dataset at a time, with findings identical to one run over the whole.

Most rules look at one customer at a time (its archive row, bills and orders), so any split by
customer gives the same findings. Two look across customers, and are handled so that the split
changes nothing:

- archive_defect reports a meter shared with another open account. Each part gets, after its own
  customers, the archive rows of the customers elsewhere that share a meter with one of its open
  accounts (its *neighbours*); findings about neighbours are dropped, their own part reports them.
- consumption_drop fits the consumption patterns common to all customers scored together
  (`auditkit.stats.theft_scores`) and compares each customer with its peers, so it runs once, over
  the few columns and rows it reads (recent kWh and rates, or recent daily reads and each
  customer's latest rate; usage types, districts, work orders), gathered from every part: a
  *whole-dataset* rule.
- unapproved_adjustment compares each operator's unapproved refunds with every other operator's,
  so it too runs once, over the adjustments of every part (and the customers' ids and districts).
- unbilled_account counts months unbilled in months the customer's district billed and prices
  them at its peers' median bill where it has none; duplicate_account compares every active
  account's name, address and phone with all the others (across districts too): both run once.

The audit month, the rules that can run (data present) and whether the data is itemized (bill
lines, transformers, tariffs by period or tier, read dates: `RuleContext.itemized`) are decided once
for the whole dataset (`plan_run`), never by a part's own tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from auditkit.data.schema import TABLES
from auditkit.periods import month_number, period_text
from auditkit.rules.adjustments import COLUMNS as ADJUSTMENT_COLUMNS
from auditkit.rules.context import RuleContext, audit_month, itemized_billing
from auditkit.rules.idle import REGISTRATION_DATES
from auditkit.rules.library import select_rules
from auditkit.rules.params import load_defaults, resolve
from auditkit.rules.registry import RULES
from auditkit.rules.worklist import check, rank, runnable_rules


@dataclass(frozen=True)
class Tables:
    """The tables the rules read, for one part of a dataset (or a whole-dataset rule's input).

    Parts carry no daily reads: only a whole-dataset rule's input does, when the rule reads them.
    They carry the itemized-billing tables (`ITEMIZED_TABLES`) the dataset has, each row with its
    customer's part; a whole-dataset rule's input carries none.
    """

    customers: pd.DataFrame
    bills: pd.DataFrame
    tariffs: pd.DataFrame
    work_orders: pd.DataFrame | None = None
    daily_reads: pd.DataFrame | None = None
    bill_lines: pd.DataFrame | None = None
    transformers: pd.DataFrame | None = None
    meter_events: pd.DataFrame | None = None
    meter_tests: pd.DataFrame | None = None
    adjustments: pd.DataFrame | None = None
    inspections: pd.DataFrame | None = None


#: Optional customer-keyed tables of itemized billing (DATA.md, "How bills are really computed"),
#: and the field inspections, that parts carry when the dataset has them: the rules and the
#: recomputation read them (meter_event_unresolved asks whether anyone inspected since an alarm).
ITEMIZED_TABLES = (
    "bill_lines",
    "transformers",
    "meter_events",
    "meter_tests",
    "adjustments",
    "inspections",
)


@dataclass(frozen=True)
class WholeDatasetInput:
    """What a whole-dataset rule reads under its settings: the columns of each table, and rows.

    Bills: those from `bill_months` months before the audit month on, with `latest_bill`
    each customer's latest bill up to the audit month, and with `first_bills` those of the
    dataset's first billed month (the rules date from it: `RuleContext.first_month`). Daily reads: the days of the last
    `daily_months` months up to the audit month's end (none without `daily_reads` columns).
    Adjustments: all their rows, these columns (none without `adjustments` columns).
    """

    customers: tuple[str, ...]
    bills: tuple[str, ...]
    work_orders: tuple[str, ...]
    daily_reads: tuple[str, ...] = ()
    bill_months: int = 0
    latest_bill: bool = False
    daily_months: int = 0
    adjustments: tuple[str, ...] = ()
    first_bills: bool = False


def _unapproved_adjustment_input(settings: Mapping) -> WholeDatasetInput:
    """unapproved_adjustment reads every refund and waiver (operators are compared across the
    whole dataset) and the customers' ids and districts; no bill and no order."""
    return WholeDatasetInput(
        customers=("customer_id", "district"),
        bills=(),
        work_orders=(),
        adjustments=ADJUSTMENT_COLUMNS,
    )


def _unbilled_account_input(settings: Mapping) -> WholeDatasetInput:
    """unbilled_account reads the bills of its lookback months (which months each customer and
    its district were billed, and their amounts: the usual bill, its peers' median; their kWh:
    a removal ends where energy is billed again, an off-season is idle with use around it),
    each customer's status, usage type and connection date, and the orders that connect,
    close or pause an account (a meter removal's registration: only a registered one excuses;
    where the export has no transfer, registration or archive column, registration is unknown)."""
    return WholeDatasetInput(
        customers=("customer_id", "district", "usage_type", "status", "connection_date"),
        bills=("customer_id", "period", "amount", "kwh_billed"),
        work_orders=(
            "order_id",
            "customer_id",
            "order_type",
            "issued_at",
            *REGISTRATION_DATES,
            "effective_date",
        ),
        bill_months=settings["lookback_months"],
    )


def _duplicate_account_input(settings: Mapping) -> WholeDatasetInput:
    """duplicate_account compares every active account's name, address and phone with all the
    others of its usage type (duplicates across districts included), and dates a duplicate
    from its connection, the data's first billed month at the earliest; no order."""
    return WholeDatasetInput(
        customers=(
            "customer_id",
            "district",
            "usage_type",
            "status",
            "connection_date",
            "name",
            "address",
            "phone",
        ),
        bills=("period",),
        work_orders=(),
        first_bills=True,
    )


def _consumption_drop_input(settings: Mapping) -> WholeDatasetInput:
    """consumption_drop on monthly kWh reads the lookback months and the bill before them (to
    tell a catch-up read after estimates), each customer's connection date (a connection month
    after its first day is no month of level), industry and capacity (peers that fell with
    it), and tariff and voltage (the rate due per month prices the lost energy). Work orders:
    those that explain a drop, and suspensions and resumptions (suspended months are no month of
    level). On daily reads, the same and the days of the daily lookback months (the months the
    meter read whole, and the day of the drop)."""
    orders = ("customer_id", "order_type", "issued_at", "effective_date")
    monthly = WholeDatasetInput(
        # tariff_category, voltage_kv, tariff_billed: the rate due that prices the lost energy
        customers=(
            "customer_id",
            "district",
            "usage_type",
            "industry",
            "connection_date",
            "tariff_category",
            "voltage_kv",
            "contract_capacity_kva",
        ),
        bills=("customer_id", "period", "kwh_billed", "energy_rate", "read_type", "tariff_billed"),
        work_orders=orders,
        bill_months=settings["lookback_months"] + 1,
    )
    if settings["source"] == "daily_reads":
        return replace(
            monthly,
            daily_reads=("customer_id", "date", "kwh"),
            daily_months=settings["daily_lookback_months"],
        )
    return monthly


#: Rules whose finding for one customer depends on every customer: run once on slim inputs, which
#: each rule's entry gives for its settings. An entry must name every column and row its rule
#: reads: the engine tests compare the findings with a run over the whole dataset and fail when
#: the rule starts reading more.
WHOLE_DATASET_RULES: dict[str, Callable[[Mapping], WholeDatasetInput]] = {
    "consumption_drop": _consumption_drop_input,
    "unapproved_adjustment": _unapproved_adjustment_input,
    "unbilled_account": _unbilled_account_input,
    "duplicate_account": _duplicate_account_input,
}
#: Rules that compare an account with other accounts of the same meter: parts get neighbours.
NEIGHBOUR_RULES = ("archive_defect",)
#: The archive columns that decide who shares a meter.
METER_COLUMNS = ("customer_id", "meter_id", "status")


@dataclass(frozen=True)
class RulePlan:
    """What a partitioned run does, decided once for the whole dataset."""

    as_of_month: int
    rule_ids: tuple[str, ...]  # the rules that run, in the order of the run
    settings: dict[str, dict]
    notes: tuple[str, ...]
    #: The day the whole dataset was extracted (order_stalled measures steps not done up to
    #: it), decided once: a part's own latest date may be earlier. None: order_stalled does
    #: not run, or the data holds no recorded date.
    extract_date: pd.Timestamp | None = None
    #: The first billed month of the whole dataset (None: no bills).
    first_month: int | None = None
    #: Whether the whole dataset bills the real way (`itemized_billing`), decided once: a part
    #: whose customers have no bill lines would otherwise be checked month by month, and find
    #: other findings and money than the run over the whole dataset (1525 findings,
    #: ¥2,279,082.29 against 1479, ¥2,339,421.87 on a utility with lines in one district).
    itemized: bool = False

    @property
    def per_part(self) -> tuple[str, ...]:
        """Rules run on each part."""
        return tuple(rule_id for rule_id in self.rule_ids if rule_id not in WHOLE_DATASET_RULES)

    @property
    def whole_dataset(self) -> tuple[str, ...]:
        """Rules run once on inputs gathered from every part."""
        return tuple(rule_id for rule_id in self.rule_ids if rule_id in WHOLE_DATASET_RULES)

    @property
    def needs_neighbours(self) -> bool:
        return any(rule_id in NEIGHBOUR_RULES for rule_id in self.per_part)

    def whole_dataset_input(self, rule_ids: Sequence[str] | None = None) -> WholeDatasetInput:
        """What the whole-dataset rules `rule_ids` (default: all that run) read, together."""
        chosen = self.whole_dataset if rule_ids is None else rule_ids
        inputs = [WHOLE_DATASET_RULES[rule_id](self.settings[rule_id]) for rule_id in chosen]
        return WholeDatasetInput(
            customers=_union(i.customers for i in inputs),
            bills=_union(i.bills for i in inputs),
            work_orders=_union(i.work_orders for i in inputs),
            daily_reads=_union(i.daily_reads for i in inputs),
            bill_months=max(i.bill_months for i in inputs),
            latest_bill=any(i.latest_bill for i in inputs),
            daily_months=max(i.daily_months for i in inputs),
            adjustments=_union(i.adjustments for i in inputs),
            first_bills=any(i.first_bills for i in inputs),
        )


def _union(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(column for group in groups for column in group))


@dataclass
class PartResult:
    """Findings of one part (or of the whole-dataset rules): one frame per rule, and seconds."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def plan_run(
    periods: tuple[str | None, str | None],
    profile: object,
    as_of: str | None,
    rule_ids: Iterable[str] | None,
    params: Mapping | None,
    *,
    extracted_on: Callable[[], pd.Timestamp | None],
) -> RulePlan:
    """Decide the audit month, the rules that run and their settings, for the whole dataset.

    `periods` are the first and last billing periods of all bills; `profile` is the dataset or
    its `profile_of`, so the rules' data needs are checked against the whole dataset;
    `extracted_on` gives the whole dataset's latest recorded date (`latest_date` over every
    part), asked only when order_stalled runs without `order_stalled.extract_date`. Whether the
    data is itemized is read from `profile` too.
    """
    settings = resolve(load_defaults(), params)
    first, last = month_number(np.array([periods[0], periods[1]], dtype=object))
    as_of_month = audit_month(as_of, int(first), int(last))
    runnable, notes = runnable_rules(profile, select_rules(rule_ids))
    rule_ids = tuple(rule.rule_id for rule in runnable)
    extract_date = None
    if "order_stalled" in rule_ids:
        given = settings["order_stalled"]["extract_date"]
        extract_date = pd.Timestamp(given) if given else extracted_on()
    return RulePlan(
        as_of_month,
        rule_ids,
        settings,
        tuple(notes),
        extract_date,
        int(first),
        itemized_billing(profile),
    )


def profile_of(
    columns: Mapping[str, Sequence[str]], filled: Mapping[str, Iterable[str]]
) -> SimpleNamespace:
    """A stand-in dataset for checking rule needs: per table present, a frame of one row that is
    empty exactly where the whole column is (from each table's columns and its filled ones), and
    of no row for a table no column of which is filled (a header alone: no rows)."""
    frames = {
        table: pd.DataFrame(
            {column: [1.0 if column in set(filled[table]) else np.nan] for column in names}
            if set(filled[table])
            else {column: [] for column in names}
        )
        for table, names in columns.items()
    }
    return SimpleNamespace(**(dict.fromkeys(TABLES) | frames))


def run_part(tables: Tables, plan: RulePlan, neighbours: pd.DataFrame | None = None) -> PartResult:
    """The per-part rules on one part; `neighbours` are other parts' customers to compare with."""
    own = len(tables.customers)
    customers = tables.customers
    if neighbours is not None and len(neighbours):
        customers = pd.concat([customers, neighbours[customers.columns]], ignore_index=True)
    part = replace(tables, customers=customers, daily_reads=None)
    return _run(part, plan, plan.per_part, own)


def run_whole_dataset(
    tables: Tables, plan: RulePlan, rule_ids: Sequence[str] | None = None
) -> PartResult:
    """The whole-dataset rules `rule_ids` (default: all that run) on their inputs gathered from
    every part.

    The rule context gives its tables every contract column, empty where absent; the bills'
    columns the input leaves out (no whole-dataset rule reads them: their entries name all they
    read) are added here as empty categoricals sharing one array of codes: a million customers'
    36 months of bills would otherwise hold 5 GB of empty columns (0.7 GB as a byte a row each).
    """
    slim = replace(tables, bills=with_empty_columns(tables.bills, "bills"))
    return _run(slim, plan, plan.whole_dataset if rule_ids is None else rule_ids, None)


def with_empty_columns(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """`frame` with the contract columns of `table` it lacks, each an empty categorical; all of
    them share one read-only array of codes (missing), so none can be written through another."""
    absent = [name for name in TABLES[table].column_names if name not in frame.columns]
    if not absent:
        return frame
    missing = np.full(len(frame), -1, np.int8)
    missing.flags.writeable = False
    empty = pd.DataFrame(
        {name: pd.Categorical.from_codes(missing, categories=[]) for name in absent},
        index=frame.index,
        copy=False,
    )
    return pd.concat([frame, empty], axis=1)


def whole_dataset_share(
    tables: Tables, plan: RulePlan, rule_ids: Sequence[str] | None = None
) -> Tables:
    """One part's share of the input of the whole-dataset rules `rule_ids` (default: all that
    run): the columns and rows they read (`gather_whole_dataset` joins the shares)."""
    wanted = plan.whole_dataset_input(rule_ids)
    bills = tables.bills
    keep = wanted_periods(bills["period"], plan, wanted)
    if wanted.latest_bill:
        keep[latest_bills(bills, plan.as_of_month)] = True
    orders, reads = tables.work_orders, tables.daily_reads
    if reads is not None and wanted.daily_reads:
        first_day, end = daily_window(plan, wanted)
        dates = reads["date"].to_numpy()
        inside = (dates >= first_day) & (dates < end)
        reads = reads.loc[inside, list(wanted.daily_reads)].reset_index(drop=True)
    adjustments = tables.adjustments
    if adjustments is not None and wanted.adjustments:
        adjustments = adjustments[present(adjustments.columns, wanted.adjustments)]
    return Tables(
        tables.customers[present(tables.customers.columns, wanted.customers)],
        text_as_codes(bills.loc[keep, present(bills.columns, wanted.bills)]),
        tables.tariffs,
        None if orders is None else orders[present(orders.columns, wanted.work_orders)],
        reads if wanted.daily_reads else None,
        adjustments=adjustments if wanted.adjustments else None,
    )


def wanted_periods(periods: pd.Series, plan: RulePlan, wanted: WholeDatasetInput) -> np.ndarray:
    """Per bill period (text), whether a whole-dataset input reads the bills of it: those from
    its `bill_months` months before the audit month on, and with `first_bills` those of the
    dataset's first billed month (each customer's latest bill, `latest_bill`, is apart)."""
    keep = np.zeros(len(periods), dtype=bool)
    if wanted.bill_months:
        first = period_text(plan.as_of_month - wanted.bill_months + 1)
        keep |= (periods >= first).to_numpy(dtype=bool)
    if wanted.first_bills and plan.first_month is not None:
        keep |= (periods == period_text(plan.first_month)).to_numpy(dtype=bool)
    return keep


def daily_window(plan: RulePlan, wanted: WholeDatasetInput) -> tuple[np.datetime64, np.datetime64]:
    """The first day of the daily reads a whole-dataset input reads and the day after the last
    (its `daily_months` months up to the audit month's end), as months (datetime64[M])."""
    first, end = plan.as_of_month - wanted.daily_months + 1, plan.as_of_month + 1
    return np.datetime64(first - 1970 * 12, "M"), np.datetime64(end - 1970 * 12, "M")


def text_as_codes(bills: pd.DataFrame) -> pd.DataFrame:
    """A whole-dataset input's bills with their text (customer ids, periods, tariff codes, read
    types) as categoricals: a code a row instead of a string, 208 MB instead of 544 MB for the
    36 months of 200,000 customers (the rules read them by equality and by code, the same
    findings). Row positions renumbered from 0."""
    text = [name for name in bills.columns if pd.api.types.is_string_dtype(bills[name])]
    coded = bills.astype(dict.fromkeys(text, "category")) if text else bills
    return coded.reset_index(drop=True)


def _concat_bills(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Shares' bills one after another, column by column: a column categorical in every share
    stays one (its categories the sorted union), where `pd.concat` would turn categoricals of
    unlike categories into strings."""
    columns = {}
    for name in frames[0].columns:
        pieces = [frame[name] for frame in frames]
        if all(isinstance(piece.dtype, pd.CategoricalDtype) for piece in pieces):
            union = union_categoricals([piece.array for piece in pieces], sort_categories=True)
            columns[name] = pd.Series(union)
        else:
            columns[name] = pd.concat(pieces, ignore_index=True)
    return pd.DataFrame(columns)


def present(columns: Iterable[str], wanted: Sequence[str]) -> list[str]:
    """The `wanted` columns a table has (optional ones may be absent: the rules read them as
    empty)."""
    have = set(columns)
    return [column for column in wanted if column in have]


def latest_bills(bills: pd.DataFrame, as_of_month: int) -> np.ndarray:
    """Positions of each customer's latest bill up to the audit month."""
    month = month_number(bills["period"])
    customer = pd.factorize(bills["customer_id"])[0]
    upto = np.flatnonzero(month <= as_of_month)
    order = upto[np.lexsort((month[upto], customer[upto]))]
    if not len(order):
        return order
    return order[np.append(customer[order][1:] != customer[order][:-1], True)]


def gather_whole_dataset(shares: list[Tables]) -> Tables:
    """The whole-dataset rules' input from every part's share."""
    orders = [share.work_orders for share in shares if share.work_orders is not None]
    reads = [share.daily_reads for share in shares if share.daily_reads is not None]
    adjustments = [share.adjustments for share in shares if share.adjustments is not None]
    return Tables(
        pd.concat([share.customers for share in shares], ignore_index=True),
        _concat_bills([share.bills for share in shares]),
        shares[0].tariffs,
        pd.concat(orders, ignore_index=True) if orders else None,
        pd.concat(reads, ignore_index=True) if reads else None,
        adjustments=pd.concat(adjustments, ignore_index=True) if adjustments else None,
    )


def _run(
    tables: Tables, plan: RulePlan, rule_ids: Sequence[str], own_customers: int | None
) -> PartResult:
    if not rule_ids:
        return PartResult()
    context = RuleContext.at_month(
        tables, plan.as_of_month, extract_date=plan.extract_date, itemized=plan.itemized
    )
    selected = [RULES[rule_id] for rule_id in rule_ids]
    frames, timings = check(context, selected, plan.settings, own_customers)
    return PartResult(dict(zip(rule_ids, frames, strict=True)), timings)


def combine(plan: RulePlan, results: Iterable[PartResult], notes: list[str]) -> pd.DataFrame:
    """All parts' findings as the one ranked worklist `rules.run` gives on the whole dataset.

    `notes` receives the plan's notes (skipped rules), as `rules.run` does; timings are summed
    over the parts.
    """
    per_rule: dict[str, list[pd.DataFrame]] = {rule_id: [] for rule_id in plan.rule_ids}
    timings: dict[str, float] = dict.fromkeys(plan.rule_ids, 0.0)
    for result in results:
        for rule_id, frame in result.frames.items():
            per_rule[rule_id].append(frame)
        for rule_id, seconds in result.timings.items():
            timings[rule_id] = round(timings[rule_id] + seconds, 3)
    frames = []
    for rule_id, parts in per_rule.items():
        if not parts:
            raise RuntimeError(f"no part returned findings of rule {rule_id}")
        filled = [frame for frame in parts if not frame.empty]
        # A rule with findings is their concatenation; one without is one (identical) empty frame.
        frame = pd.concat(filled, ignore_index=True) if filled else parts[0].copy(deep=False)
        # The rule's notes of every part, each once (concat keeps attrs only where all agree).
        frame.attrs["notes"] = list(
            dict.fromkeys(note for part in parts for note in part.attrs.get("notes", ()))
        )
        frames.append(frame)
    notes.extend(plan.notes)
    return rank(frames, notes, timings, period_text(plan.as_of_month))


def shared_meter_neighbours(meters: pd.DataFrame, part: np.ndarray) -> dict[int, np.ndarray]:
    """Per part, the ids of customers in other parts sharing a meter with its open accounts.

    `meters` holds customer_id, meter_id and status of every customer; `part` the part of each.
    As archive_defect: an open account is one not closed; a meter is shared when two open
    accounts carry it.
    """
    open_account = (meters["status"] != "closed").to_numpy()
    meter = meters["meter_id"].where(open_account)
    shared = meter.duplicated(keep=False).to_numpy() & open_account
    if not shared.any():
        return {}
    frame = pd.DataFrame(
        {
            "customer_id": meters["customer_id"].to_numpy()[shared],
            "meter_id": meter.to_numpy()[shared],
            "part": part[shared],
        }
    )
    pairs = frame.merge(frame, on="meter_id", suffixes=("", "_other"))
    pairs = pairs[pairs["part"] != pairs["part_other"]]
    return {
        int(index): group["customer_id_other"].drop_duplicates().to_numpy()
        for index, group in pairs.groupby("part", sort=True)
    }

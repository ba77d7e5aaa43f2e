"""District summaries: customers, energy, revenue, prices, estimated reads, zero bills, line loss.

The headline table covers a window of months ending at `as_of` (by default the last 12 months
billed) and compares it with the same months a year earlier; the monthly table gives the same
figures month by month, so a reviewer can see when a change began. A month with no bills at all in
a district is a gap (shown as missing and named in the notes), never a month of zero consumption.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from auditkit import formatting, i18n
from auditkit.checks import positive_int, probability
from auditkit.errors import ParameterError, checked_names
from auditkit.periods import as_of_month_within, month_number, period_text
from auditkit.stats import tables
from auditkit.stats.matrix import checked_numbers, checked_supply
from auditkit.stats.notes import Note
from auditkit.stats.requirements import InsufficientDataError, require_columns

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BILL_COLUMNS = ("customer_id", "period", "kwh_billed", "amount", "read_type")
CUSTOMER_COLUMNS = ("customer_id", "district", "usage_type")
SUPPLY_COLUMNS = ("district", "period", "kwh_supplied")
#: Line-loss rate above which a district is flagged (DOMAIN.md default).
HIGH_LOSS = 0.10


@dataclass(frozen=True)
class DistrictSummary:
    """Window totals per district (`table`), per district and usage type (`by_usage`), the
    month-by-month series (`monthly`) and `notes` (codes) on gaps and flags."""

    period_from: str
    period_to: str
    table: pd.DataFrame
    by_usage: pd.DataFrame
    monthly: pd.DataFrame
    notes: list[Note] = field(default_factory=list)

    def _only(self, frame: pd.DataFrame, districts: Sequence[str] | None) -> pd.DataFrame:
        """The rows of `frame` of `districts` (all for None), each a district summarized: a
        ParameterError naming `districts` for another, not an empty table read as zeros."""
        if districts is None:
            return frame
        known = self.table["district"].tolist()
        return tables.only(frame, checked_names(districts, known, "districts"))

    def summary(self, districts: Sequence[str] | None = None) -> dict[str, Any]:
        """Window, customers, kWh, revenue and line loss of `districts` (all by default); the
        loss is None unless each of them has its own (supply and bills in every month), kWh and
        revenue None when none of them has a bill in the window (a gap is no 0 kWh sold)."""
        shown = self._only(self.table, districts)
        kwh = float(shown["kwh"].sum())
        supplied = shown["kwh_supplied"]
        complete = bool(shown["line_loss"].notna().all() and supplied.sum() > 0)
        billed = bool(shown["kwh"].notna().any())
        return {
            "period_from": self.period_from,
            "period_to": self.period_to,
            "districts": len(shown),
            "customers": float(shown["customers"].sum()),
            "kwh": kwh if billed else None,
            "revenue": float(shown["revenue"].sum()) if billed else None,
            "line_loss": 1 - kwh / supplied.sum() if complete else None,
        }

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The notes on gaps and flags, one a line; without any, a sentence saying the window
        is complete and nothing is flagged (an empty text reads as nothing computed)."""
        i18n.language(lang)
        if not self.notes:
            window = {"period_from": self.period_from, "period_to": self.period_to}
            return i18n.text("stats.sentence.summary_complete", lang).format(**window)
        return "\n".join(note.text(lang) for note in self.notes)

    def to_table(
        self, lang: str = i18n.DEFAULT_LANG, districts: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """The window totals per district (all, or `districts`), formatted."""
        formats = {
            "district": str,
            "customers": tables.whole,
            "kwh": tables.whole,
            "revenue": formatting.money,
            "avg_price": tables.decimals(4),
            "kwh_yoy": tables.percent(),
            "revenue_yoy": tables.percent(),
            "estimated_share": tables.percent(2),
            "zero_share": tables.percent(2),
            "kwh_supplied": tables.whole,
            "line_loss": tables.percent(),
        }
        return tables.labelled(self._only(self.table, districts), formats, lang)

    def rounding_note(
        self, lang: str = i18n.DEFAULT_LANG, districts: Sequence[str] | None = None
    ) -> list[str]:
        """A sentence when the headline's kWh or revenue (the total of the unrounded district
        figures, then rounded: the sound total, recorded with the report) differs from the sum
        of the table's rounded rows, saying so; none when they agree."""
        shown = self._only(self.table, districts)
        off = []
        for column, digits in (("kwh", 0), ("revenue", 2)):
            values = shown[column].dropna().astype(float)
            rows = round(float(values.round(digits).sum()), digits)
            if rows != round(float(values.sum()), digits):
                off.append(i18n.text(f"stats.column.{column}", lang))
        if not off:
            return []
        names = i18n.text("common.list_separator", lang).join(off)
        return [i18n.text("stats.sentence.rounded_total", lang).format(columns=names)]

    def usage_table(
        self, lang: str = i18n.DEFAULT_LANG, districts: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Totals per district (all, or `districts`) and usage type, formatted."""
        formats = {
            "district": str,
            "usage_type": tables.coded("usage.", lang),
            "customers": tables.whole,
            "kwh": tables.whole,
            "kwh_share": tables.percent(),
            "revenue": formatting.money,
            "avg_price": tables.decimals(4),
            "kwh_yoy": tables.percent(),
        }
        return tables.labelled(self._only(self.by_usage, districts), formats, lang)

    def plot(
        self,
        lang: str = i18n.DEFAULT_LANG,
        column: str = "kwh",
        districts: Sequence[str] | None = None,
    ) -> Figure:
        """One line per district (all, or `districts`) of a monthly `column`."""
        from auditkit.stats import charts  # matplotlib: loaded when drawn

        return charts.plot_monthly(self._only(self.monthly, districts), column, lang)


def summarize(
    bills: pd.DataFrame,
    customers: pd.DataFrame,
    district_supply: pd.DataFrame | None = None,
    as_of: str | pd.Timestamp | pd.Period | None = None,
    months: int = 12,
    districts: Sequence[str] | None = None,
    high_loss: float = HIGH_LOSS,
) -> DistrictSummary:
    """Summarize each district over the `months` months ending at `as_of` (default: last period):
    a month 'YYYY-MM' or Period, or a date, which ends the window with its month (as in
    `anomaly_scores`). The window starts no earlier than the first month billed: asked for more
    months than the bills cover, it is the months they cover, and a `months_before_bills` note
    says so (as `auditkit stats benford` does). An `as_of` outside the months billed is refused naming it and those
    months (`periods.as_of_month_within`): after the last bill it is most likely a slip, and its
    months would show as months without bills in every district.

    `table` columns: district, customers, bills, kwh, revenue, avg_price (yuan/kWh), kwh_yoy and
    revenue_yoy (change against the same months a year earlier), estimated_share (share of bills
    read by estimate), zero_share (share of bills with zero kWh), kwh_supplied (where
    district_supply covers every month) and line_loss (1 - billed / supplied, where the district
    also has bills in every month). `districts` lists the
    districts to report (default: all in `customers`; one text is one district); one without
    bills gets a note, not a crash, and one not in `customers` is refused naming `districts`.
    Two bills of one customer and period (up to `as_of`) are refused naming the second's row.
    """
    require_columns(bills, BILL_COLUMNS, "bills")
    require_columns(customers, CUSTOMER_COLUMNS, "customers")
    months = positive_int("months", months)
    high_loss = probability("high_loss", high_loss)
    notes: list[Note] = []
    billed = _label_bills(bills, customers, notes)
    if not len(billed.month):
        raise InsufficientDataError("bills: expected bills of known customers, found none")
    archived = sorted(customers["district"].dropna().unique())
    names = archived if districts is None else checked_names(districts, archived, "districts")
    if as_of is not None and as_of != "":
        billed = billed.up_to(as_of_month_within(as_of, billed.first, billed.last, "the bills"))
    if np.count_nonzero(billed.seen) < len(billed.customer):  # two bills in one cell
        _refuse_billed_twice(bills, customers, billed.last)
    # The window starts at the first month billed: months before it have no data in any
    # district, and a header claiming them would pass an audit period off as covered.
    window = np.arange(max(billed.last - months + 1, billed.first), billed.last + 1)
    if len(window) < months:
        notes.append(
            Note(
                "months_before_bills",
                {"covered": len(window), "asked": months, "first": period_text(window[0])},
            )
        )

    monthly = _monthly(billed, names, district_supply)
    coverage = _coverage(monthly, window)
    complete = _billed_both_years(monthly, window, coverage)
    table = _window_totals(billed, names, window, monthly, (coverage, complete))
    by_usage = _by_usage(billed, names, window, complete)
    notes += _gap_notes(monthly, names, window)
    notes += _flag_notes(table, window, district_supply is not None, high_loss)
    notes += _unknown_supply_districts(district_supply, archived)
    period_from, period_to = period_text(window[[0, -1]])
    return DistrictSummary(period_from, period_to, table, by_usage, monthly, notes)


@dataclass
class _Bills:
    """Bills of known customers as aligned arrays, keyed by integers instead of text.

    A million customers bill 35 million rows: grouping them by district and usage-type texts, or
    copying them into a merged frame, took most of the time and memory of a summary.
    `customer` is a row of the archive; districts and usage types are codes into the sorted
    `district_names` and `usage_names` (-1 where the archive leaves the usage type empty).
    Months run up to `last`.
    """

    customer: np.ndarray
    month: np.ndarray
    amounts: pd.DataFrame  # kwh and revenue: summed together in one grouped pass
    estimated: np.ndarray
    zero: np.ndarray
    customer_district: np.ndarray
    customer_usage: np.ndarray
    district_names: pd.Index
    usage_names: pd.Index
    last: int

    def up_to(self, last: int) -> _Bills:
        """The bills of months up to `last`."""
        keep = self.month <= last
        if keep.all():
            return replace(self, last=last)
        kept = {name: getattr(self, name)[keep] for name in BILL_ARRAYS}
        kept["amounts"] = kept["amounts"].reset_index(drop=True)
        return replace(self, last=last, **kept)

    @cached_property
    def first(self) -> int:
        return int(self.month.min())

    @cached_property
    def district(self) -> np.ndarray:
        return self.customer_district[self.customer]

    @cached_property
    def seen(self) -> np.ndarray:
        """Months `first`..`last` (rows) x archive customers: True where the customer has a bill.

        Distinct customers per group are counted on it: linear, where counting distinct
        (group, customer) pairs among the bills means sorting them.
        """
        seen = np.zeros((self.last - self.first + 1, len(self.customer_district)), dtype=bool)
        seen[self.month - self.first, self.customer] = True
        return seen

    def customers_in(self, months: np.ndarray) -> np.ndarray:
        """Per archive customer: has a bill in one of `months`."""
        inside = months[(months >= self.first) & (months <= self.last)]
        return self.seen[inside - self.first].any(axis=0)

    def in_months(self, months: np.ndarray) -> np.ndarray:
        """Per bill: its month is in `months`, a run of consecutive months."""
        return (self.month >= months[0]) & (self.month <= months[-1])


BILL_ARRAYS = ("customer", "month", "amounts", "estimated", "zero")


def _label_bills(bills: pd.DataFrame, customers: pd.DataFrame, notes: list[Note]) -> _Bills:
    """Bills with the customer's archive row, district and usage type, month number and
    indicators; bills of customers missing from the archive (or without district) are noted."""
    archive = customers[list(CUSTOMER_COLUMNS)].drop_duplicates("customer_id")
    codes, ids = pd.factorize(bills["customer_id"])
    customer = np.append(pd.Index(archive["customer_id"]).get_indexer(ids), -1)[codes]
    customer_district, district_names = pd.factorize(archive["district"], sort=True)
    customer_usage, usage_names = pd.factorize(archive["usage_type"], sort=True)
    known = np.append(customer_district, -1)[customer] >= 0
    kwh = _required_numbers(bills, "kwh_billed", "a number of kWh >= 0", known)
    revenue = _required_numbers(bills, "amount", "a number of yuan", known)
    unknown = int(np.count_nonzero(~known))
    if unknown:
        notes.append(Note("unknown_customers", {"count": unknown}))
        bills = bills.loc[known, list(BILL_COLUMNS)]
        customer, kwh, revenue = customer[known], kwh[known], revenue[known]
    month = month_number(bills["period"])
    return _Bills(
        customer=customer,
        month=month,
        amounts=pd.DataFrame({"kwh": kwh, "revenue": revenue}),
        estimated=(bills["read_type"].astype(str) == "estimated").to_numpy(dtype=bool),
        zero=kwh == 0,
        customer_district=customer_district,
        customer_usage=customer_usage,
        district_names=district_names,
        usage_names=usage_names,
        last=int(month.max()) if len(month) else -1,
    )


def _refuse_billed_twice(bills: pd.DataFrame, customers: pd.DataFrame, last: int) -> None:
    """Raise a ParameterError naming the first bill (up to month `last`) of a customer and period
    billed before, among the bills summarized (not those of customers without a district, left
    out with a note): summed, the two would count its kWh and revenue twice without a word,
    where `anomaly_scores` and `theft_scores` refuse them alike."""
    archive = customers.drop_duplicates("customer_id")  # as `_label_bills` reads the archive
    known = bills["customer_id"].isin(archive.loc[archive["district"].notna(), "customer_id"])
    rows = np.flatnonzero((known & (bills["period"].astype(str) <= period_text(last))).to_numpy())
    again = bills.iloc[rows][["customer_id", "period"]].duplicated().to_numpy()
    row = int(rows[np.flatnonzero(again)[0]])
    customer_id, period = bills["customer_id"].iloc[row], bills["period"].iloc[row]
    raise ParameterError(
        "bills",
        "one bill per customer and period",
        f"another for customer {customer_id!r} at {period!r} in row {row + 1}",
    )


def _required_numbers(
    bills: pd.DataFrame, column: str, expected: str, known: np.ndarray
) -> np.ndarray:
    """`bills[column]` as floats, checked on the `known` rows (bills of customers left out are
    not read): a ParameterError naming bills.`column`, `expected` and the row of the first text,
    empty, infinite (or, for kWh, negative) value. A missing kWh or amount is no zero: summed as
    one, it would count a zero-kWh bill or lower a district's revenue without a word."""
    given = bills[[column]] if known.all() else pd.DataFrame({column: bills[column].where(known)})
    values = checked_numbers(given, column, "bills", expected)
    bad = known & ~np.isfinite(values)
    if column == "kwh_billed":
        bad |= values < 0
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        found = "empty" if np.isnan(values[row]) else f"{values[row]:g}"
        raise ParameterError(f"bills.{column}", expected, f"{found} in row {row + 1}")
    return values


def _monthly(
    billed: _Bills, names: list[str], district_supply: pd.DataFrame | None
) -> pd.DataFrame:
    """One row per district and month, months without bills left as gaps (NaN)."""
    first, width = billed.first, billed.last - billed.first + 1
    district_count = len(billed.district_names)
    customers = np.zeros((district_count, width), dtype=np.int64)
    for column, seen in enumerate(billed.seen):
        customers[:, column] = np.bincount(billed.customer_district[seen], minlength=district_count)
    grouped = _group_totals(
        billed,
        billed.district * width + (billed.month - first),
        customers.ravel(),
        lambda key: pd.MultiIndex.from_arrays(
            [billed.district_names.take(key // width), key % width + first],
            names=["district", "month"],
        ),
    )
    months = np.arange(first, first + width)
    full = pd.MultiIndex.from_product([names, months], names=["district", "month"])
    monthly = grouped.reindex(full).reset_index()
    monthly["period"] = period_text(monthly["month"].to_numpy())
    monthly["avg_price"] = _ratio(monthly["revenue"], monthly["kwh"])
    monthly["estimated_share"] = _ratio(monthly["estimated"], monthly["bills"])
    monthly["zero_share"] = _ratio(monthly["zero"], monthly["bills"])
    year_before = monthly.groupby("district")["kwh"].shift(12)
    monthly["kwh_yoy"] = _ratio(monthly["kwh"], year_before) - 1
    monthly["kwh_supplied"] = _supply(district_supply, monthly)
    monthly["line_loss"] = 1 - _ratio(monthly["kwh"], monthly["kwh_supplied"])
    columns = [
        "district",
        "period",
        "month",
        "customers",
        "bills",
        "kwh",
        "revenue",
        "avg_price",
        "kwh_yoy",
        "estimated_share",
        "zero_share",
        "kwh_supplied",
        "line_loss",
    ]
    return monthly[columns]


def _supply(district_supply: pd.DataFrame | None, monthly: pd.DataFrame) -> pd.Series:
    """Supplied kWh aligned with `monthly` rows: a district-month's rows summed (two supply
    meters); NaN where the table or the month is missing, or a row of the month is empty (no
    figure, not 0 kWh: summed as 0 it would shrink the supply and the loss). A text, negative
    or infinite kWh is refused by row (`checked_supply`)."""
    if district_supply is None:
        return pd.Series(np.nan, index=monthly.index)
    require_columns(district_supply, SUPPLY_COLUMNS, "district_supply")
    supply = district_supply.assign(
        kwh_supplied=checked_supply(district_supply, "district_supply"),
        month=month_number(district_supply["period"], "district_supply.period"),
    )
    district_month = [supply["district"], supply["month"]]
    empty = supply["kwh_supplied"].isna().groupby(district_month).any()
    totals = supply["kwh_supplied"].groupby(district_month).sum().mask(empty)
    keys = pd.MultiIndex.from_arrays([monthly["district"], monthly["month"]])
    return pd.Series(totals.reindex(keys).to_numpy(float), index=monthly.index)


#: Most unknown supply districts a note names (the count says how many there are).
NAMED_DISTRICTS = 10


def _unknown_supply_districts(
    district_supply: pd.DataFrame | None, archived: list[str]
) -> list[Note]:
    """A note naming the districts of `district_supply` that are not in the archive ('城东区'
    where the archive says '城东'): their rows match no district, so without it the archive's
    districts would only read "supplied energy incomplete", the typo never named."""
    if district_supply is None:
        return []
    named = district_supply["district"].dropna().astype(str)
    unknown = sorted(set(named) - set(map(str, archived)))
    if not unknown:
        return []
    values = {"count": len(unknown), "districts": unknown[:NAMED_DISTRICTS]}
    return [Note("supply_unknown_districts", values)]


def _window_totals(
    billed: _Bills,
    names: list[str],
    window: np.ndarray,
    monthly: pd.DataFrame,
    billed_months: tuple[pd.Series, pd.Series],
) -> pd.DataFrame:
    """Totals over `window` per district, with year-over-year change and line loss;
    `billed_months` is each district's `_coverage` of `window` and `_billed_both_years`."""
    current = _totals(_by_district(billed, window), names)
    previous = _totals(_by_district(billed, window - 12), names)
    coverage, complete = billed_months
    table = current.copy()
    table["kwh_yoy"] = (_ratio(current["kwh"], previous["kwh"]) - 1).where(complete)
    table["revenue_yoy"] = (_ratio(current["revenue"], previous["revenue"]) - 1).where(complete)
    in_window = monthly[monthly["month"].isin(window)]
    supplied = in_window.groupby("district")["kwh_supplied"].agg(["sum", "count"]).reindex(names)
    table["kwh_supplied"] = supplied["sum"].where(supplied["count"] == len(window))
    # A month without bills is a gap, not zero sales: no loss over a window that has one.
    billed_every_month = coverage == len(window)
    table["line_loss"] = (1 - _ratio(table["kwh"], table["kwh_supplied"])).where(billed_every_month)
    table["months_billed"] = coverage
    return table.reset_index()


def _by_district(billed: _Bills, months: np.ndarray) -> pd.DataFrame:
    """Totals per district over `months` (a run of consecutive months)."""
    count = len(billed.district_names)
    seen = billed.customers_in(months)
    return _group_totals(
        billed,
        np.where(billed.in_months(months), billed.district, -1),
        np.bincount(billed.customer_district[seen], minlength=count),
        lambda key: pd.Index(billed.district_names.take(key), name="district"),
    )


def _by_district_and_usage(billed: _Bills, months: np.ndarray) -> pd.DataFrame:
    """Totals per district and usage type over `months`; customers without a usage type are
    left out, as a groupby leaves out missing keys."""
    width = len(billed.usage_names)
    customer_key = np.where(
        billed.customer_usage >= 0, billed.customer_district * width + billed.customer_usage, -1
    )
    seen_keys = customer_key[billed.customers_in(months)]
    bill_key = customer_key[billed.customer]
    return _group_totals(
        billed,
        np.where(billed.in_months(months), bill_key, -1),
        np.bincount(seen_keys[seen_keys >= 0], minlength=len(billed.district_names) * width),
        lambda key: pd.MultiIndex.from_arrays(
            [billed.district_names.take(key // width), billed.usage_names.take(key % width)],
            names=["district", "usage_type"],
        ),
    )


def _group_totals(
    billed: _Bills,
    bill_key: np.ndarray,
    customers: np.ndarray,
    label: Callable[[np.ndarray], pd.Index],
) -> pd.DataFrame:
    """customers, bills, kwh, revenue, estimated and zero per integer key of the bills (-1: left
    out), one row per key with bills, labelled by `label(keys)`: what a groupby on the text keys
    gives. `customers` counts, per key, the distinct customers with bills.

    kWh and revenue go through pandas' grouped sum (compensated, in row order), so the totals are
    the very numbers a groupby on the text columns gives.
    """
    counted = bill_key >= 0
    keys = bill_key[counted]
    size = len(customers)
    bills = np.bincount(keys, minlength=size)
    grouping = pd.Categorical.from_codes(bill_key, categories=pd.RangeIndex(size))
    sums = billed.amounts.groupby(grouping, observed=False).sum()
    totals = {
        "customers": customers,
        "bills": bills,
        "kwh": sums["kwh"],
        "revenue": sums["revenue"],
        "estimated": np.bincount(bill_key[counted & billed.estimated], minlength=size),
        "zero": np.bincount(bill_key[counted & billed.zero], minlength=size),
    }
    present = np.flatnonzero(bills > 0)
    return pd.DataFrame(
        {
            name: np.asarray(values)[present].astype(TOTAL_DTYPES[name])
            for name, values in totals.items()
        },
        index=label(present),
    )


TOTAL_DTYPES = {
    "customers": np.int64,
    "bills": np.int64,
    "kwh": float,
    "revenue": float,
    "estimated": np.int64,
    "zero": np.int64,
}


def _totals(grouped: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame:
    """Average price and the estimated and zero shares of grouped totals; per district (`names`
    given) every district listed, those without bills as empty rows."""
    totals = grouped
    if names is not None:
        totals = totals.reindex(pd.Index(names, name="district"))
        totals[["customers", "bills"]] = totals[["customers", "bills"]].fillna(0)
    totals["avg_price"] = _ratio(totals["revenue"], totals["kwh"])
    totals["estimated_share"] = _ratio(totals["estimated"], totals["bills"])
    totals["zero_share"] = _ratio(totals["zero"], totals["bills"])
    return totals.drop(columns=["estimated", "zero"])


def _by_usage(
    billed: _Bills, names: list[str], window: np.ndarray, complete: pd.Series
) -> pd.DataFrame:
    """Totals per district and usage type over `window`, with the share of the district's kWh;
    year-over-year change only in districts `complete` (billed every month of both windows)."""
    current = _totals(_by_district_and_usage(billed, window))
    previous = _by_district_and_usage(billed, window - 12)["kwh"]
    current["kwh_share"] = _ratio(
        current["kwh"], current.groupby(level="district")["kwh"].transform("sum")
    )
    change = _ratio(current["kwh"], previous.reindex(current.index)) - 1
    districts = current.index.get_level_values("district")
    current["kwh_yoy"] = change.where(complete.reindex(districts, fill_value=False).to_numpy())
    frame = current.reset_index()
    return frame[frame["district"].isin(names)].reset_index(drop=True)


def _billed_both_years(monthly: pd.DataFrame, window: np.ndarray, coverage: pd.Series) -> pd.Series:
    """Per district: billed every month of `window` (`coverage`, its `_coverage`) and of the
    same months a year earlier, so a year-over-year change compares like with like."""
    full = len(window)
    return (coverage == full) & (_coverage(monthly, window - 12) == full)


def _coverage(monthly: pd.DataFrame, window: np.ndarray) -> pd.Series:
    """Months of `window` with at least one bill, per district."""
    rows = monthly[monthly["month"].isin(window)]
    return rows["bills"].notna().groupby(rows["district"], sort=False).sum().astype(int)


def _gap_notes(monthly: pd.DataFrame, names: list[str], window: np.ndarray) -> list[Note]:
    """One note per district without bills, or with months missing inside the window."""
    notes = []
    for name in names:
        rows = monthly[(monthly["district"] == name) & monthly["month"].isin(window)]
        missing = rows.loc[rows["bills"].isna(), "period"].tolist()
        if len(missing) == len(window):
            notes.append(Note("no_bills", {"district": name}))
        elif missing:
            notes.append(Note("missing_months", {"district": name, "months": list(missing)}))
    return notes


def _flag_notes(
    table: pd.DataFrame, window: np.ndarray, has_supply: bool, high_loss: float
) -> list[Note]:
    """Notes on line loss (absent, against nothing supplied, negative or high) and on districts
    lacking a prior year."""
    notes = [] if has_supply else [Note("no_supply")]
    for row in table.itertuples():
        district = {"district": row.district}
        if row.bills and np.isnan(row.kwh_yoy) and row.months_billed == len(window):
            notes.append(Note("no_year_before", district))
        loss = {**district, "line_loss": formatting.percent(row.line_loss)}
        if has_supply and row.bills and np.isnan(row.kwh_supplied):
            notes.append(Note("supply_incomplete", district))
        elif has_supply and row.kwh_supplied == 0 and row.kwh > 0:
            # a loss against nothing supplied is no rate ('—'): the figure to check is named
            billed = {"kwh": formatting.number(row.kwh, 0)}
            notes.append(Note("nothing_supplied", {**district, **billed}))
        elif row.line_loss < 0:
            notes.append(Note("negative_loss", loss))
        elif row.line_loss > high_loss:
            notes.append(Note("high_loss", {**loss, "high_loss": formatting.percent(high_loss, 0)}))
    return notes


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NaN where the denominator is missing or zero."""
    denominator = denominator.astype(float)
    return numerator.astype(float) / denominator.where(denominator != 0)

"""District summaries: customers, energy, revenue, prices, estimated reads, zero bills, line loss.

The headline table covers a window of months ending at `as_of` (by default the last 12 months
billed) and compares it with the same months a year earlier; the monthly table gives the same
figures month by month, so a reviewer can see when a change began. A month with no bills at all in
a district is a gap (shown as missing and named in the notes), never a month of zero consumption.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from auditkit.errors import ParameterError
from auditkit.stats.checks import InsufficientDataError, require_columns
from auditkit.stats.matrix import month_number_to_period, period_to_month_number
from auditkit.stats.text import pick

BILL_COLUMNS = ("customer_id", "period", "kwh_billed", "amount", "read_type")
CUSTOMER_COLUMNS = ("customer_id", "district", "usage_type")
SUPPLY_COLUMNS = ("district", "period", "kwh_supplied")
#: Line-loss rate above which a district is flagged (DOMAIN.md default).
HIGH_LOSS = 0.10


@dataclass(frozen=True)
class DistrictSummary:
    """Window totals per district (`table`), per district and usage type (`by_usage`), the
    month-by-month series (`monthly`) and plain-language `notes` on gaps and flags."""

    period_from: str
    period_to: str
    table: pd.DataFrame
    by_usage: pd.DataFrame
    monthly: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def summarize(
    bills: pd.DataFrame,
    customers: pd.DataFrame,
    district_supply: pd.DataFrame | None = None,
    as_of: str | None = None,
    months: int = 12,
    districts: Sequence[str] | None = None,
    high_loss: float = HIGH_LOSS,
    lang: str = "zh",
) -> DistrictSummary:
    """Summarize each district over the `months` months ending at `as_of` (default: last period).

    `table` columns: district, customers, bills, kwh, revenue, avg_price (yuan/kWh), kwh_yoy and
    revenue_yoy (change against the same months a year earlier), estimated_share (share of bills
    read by estimate), zero_share (share of bills with zero kWh), kwh_supplied and line_loss
    (1 - billed / supplied, where district_supply covers every month). `districts` lists the
    districts to report (default: all in `customers`); one without bills gets a note, not a crash.
    """
    require_columns(bills, BILL_COLUMNS, "bills")
    require_columns(customers, CUSTOMER_COLUMNS, "customers")
    if months < 1:
        raise ParameterError("months", "at least 1 month", months)
    if not 0 < high_loss < 1:
        raise ParameterError("high_loss", "a rate between 0 and 1", high_loss)
    notes: list[str] = []
    labelled = _label_bills(bills, customers, notes, lang)
    if labelled.empty:
        raise InsufficientDataError("bills: expected bills of known customers, found none")
    names = (
        sorted(customers["district"].dropna().unique()) if districts is None else list(districts)
    )
    last = (
        int(labelled["month"].max())
        if as_of in (None, "")
        else int(period_to_month_number([as_of])[0])
    )
    labelled = labelled[labelled["month"] <= last]
    if labelled.empty:
        raise InsufficientDataError(f"bills: expected bills up to as_of={as_of!r}, found none")
    first = int(labelled["month"].min())
    window = np.arange(last - months + 1, last + 1)

    monthly = _monthly(labelled, names, np.arange(first, last + 1), district_supply)
    table = _window_totals(labelled, names, window, monthly)
    by_usage = _by_usage(labelled, names, window)
    notes += _gap_notes(monthly, names, window, lang)
    notes += _flag_notes(table, window, district_supply is not None, high_loss, lang)
    period_from, period_to = month_number_to_period(window[[0, -1]])
    return DistrictSummary(period_from, period_to, table, by_usage, monthly, notes)


def _label_bills(
    bills: pd.DataFrame, customers: pd.DataFrame, notes: list[str], lang: str
) -> pd.DataFrame:
    """Bills with the customer's district and usage type, a month number and indicator columns."""
    frame = bills[list(BILL_COLUMNS)].merge(
        customers[list(CUSTOMER_COLUMNS)].drop_duplicates("customer_id"),
        on="customer_id",
        how="left",
    )
    unknown = frame["district"].isna()
    if unknown.any():
        notes.append(
            pick(
                lang,
                f"{int(unknown.sum())} 条账单的户号不在客户档案中，未计入统计。",
                f"{int(unknown.sum())} bills belong to customers missing from the archive and "
                "are left out.",
            )
        )
    frame = frame[~unknown].copy()
    frame["month"] = period_to_month_number(frame["period"])
    frame["kwh"] = pd.to_numeric(frame["kwh_billed"], errors="coerce").fillna(0.0)
    frame["revenue"] = pd.to_numeric(frame["amount"], errors="coerce").fillna(0.0)
    frame["estimated"] = (frame["read_type"].astype(str) == "estimated").astype(int)
    frame["zero"] = (frame["kwh"] == 0).astype(int)
    return frame


def _monthly(
    labelled: pd.DataFrame,
    names: list[str],
    months: np.ndarray,
    district_supply: pd.DataFrame | None,
) -> pd.DataFrame:
    """One row per district and month, months without bills left as gaps (NaN)."""
    grouped = labelled.groupby(["district", "month"]).agg(
        customers=("customer_id", "nunique"),
        bills=("customer_id", "size"),
        kwh=("kwh", "sum"),
        revenue=("revenue", "sum"),
        estimated=("estimated", "sum"),
        zero=("zero", "sum"),
    )
    full = pd.MultiIndex.from_product([names, months], names=["district", "month"])
    monthly = grouped.reindex(full).reset_index()
    monthly["period"] = month_number_to_period(monthly["month"].to_numpy())
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
    """Supplied kWh aligned with `monthly` rows (NaN where the table or the month is missing)."""
    if district_supply is None:
        return pd.Series(np.nan, index=monthly.index)
    require_columns(district_supply, SUPPLY_COLUMNS, "district_supply")
    supply = district_supply.assign(month=period_to_month_number(district_supply["period"]))
    totals = supply.groupby(["district", "month"])["kwh_supplied"].sum()
    keys = pd.MultiIndex.from_arrays([monthly["district"], monthly["month"]])
    return pd.Series(totals.reindex(keys).to_numpy(float), index=monthly.index)


def _window_totals(
    labelled: pd.DataFrame, names: list[str], window: np.ndarray, monthly: pd.DataFrame
) -> pd.DataFrame:
    """Totals over `window` per district, with year-over-year change and line loss."""
    current = _totals(labelled[labelled["month"].isin(window)], ["district"], names)
    previous = _totals(labelled[labelled["month"].isin(window - 12)], ["district"], names)
    coverage = _coverage(monthly, window)
    previous_coverage = _coverage(monthly, window - 12)
    complete = (coverage == len(window)) & (previous_coverage == len(window))
    table = current.copy()
    table["kwh_yoy"] = (_ratio(current["kwh"], previous["kwh"]) - 1).where(complete)
    table["revenue_yoy"] = (_ratio(current["revenue"], previous["revenue"]) - 1).where(complete)
    in_window = monthly[monthly["month"].isin(window)]
    supplied = in_window.groupby("district")["kwh_supplied"].agg(["sum", "count"]).reindex(names)
    table["kwh_supplied"] = supplied["sum"].where(supplied["count"] == len(window))
    table["line_loss"] = 1 - _ratio(table["kwh"], table["kwh_supplied"])
    table["months_billed"] = coverage
    return table.reset_index()


def _totals(frame: pd.DataFrame, keys: list[str], names: list[str]) -> pd.DataFrame:
    """customers, bills, kWh, revenue, average price and the estimated and zero shares."""
    totals = frame.groupby(keys).agg(
        customers=("customer_id", "nunique"),
        bills=("customer_id", "size"),
        kwh=("kwh", "sum"),
        revenue=("revenue", "sum"),
        estimated=("estimated", "sum"),
        zero=("zero", "sum"),
    )
    if keys == ["district"]:
        totals = totals.reindex(pd.Index(names, name="district"))
        totals[["customers", "bills"]] = totals[["customers", "bills"]].fillna(0)
    totals["avg_price"] = _ratio(totals["revenue"], totals["kwh"])
    totals["estimated_share"] = _ratio(totals["estimated"], totals["bills"])
    totals["zero_share"] = _ratio(totals["zero"], totals["bills"])
    return totals.drop(columns=["estimated", "zero"])


def _by_usage(labelled: pd.DataFrame, names: list[str], window: np.ndarray) -> pd.DataFrame:
    """Totals per district and usage type over `window`, with the share of the district's kWh."""
    keys = ["district", "usage_type"]
    current = _totals(labelled[labelled["month"].isin(window)], keys, names)
    previous = labelled[labelled["month"].isin(window - 12)].groupby(keys)["kwh"].sum()
    current["kwh_share"] = _ratio(
        current["kwh"], current.groupby(level="district")["kwh"].transform("sum")
    )
    current["kwh_yoy"] = _ratio(current["kwh"], previous.reindex(current.index)) - 1
    frame = current.reset_index()
    return frame[frame["district"].isin(names)].reset_index(drop=True)


def _coverage(monthly: pd.DataFrame, window: np.ndarray) -> pd.Series:
    """Months of `window` with at least one bill, per district."""
    rows = monthly[monthly["month"].isin(window)]
    return rows["bills"].notna().groupby(rows["district"], sort=False).sum().astype(int)


def _gap_notes(monthly: pd.DataFrame, names: list[str], window: np.ndarray, lang: str) -> list[str]:
    """One note per district without bills, or with months missing inside the window."""
    notes = []
    for name in names:
        rows = monthly[(monthly["district"] == name) & monthly["month"].isin(window)]
        missing = rows.loc[rows["bills"].isna(), "period"].tolist()
        if len(missing) == len(window):
            notes.append(
                pick(lang, f"{name}：统计期内没有账单。", f"{name}: no bills in the period.")
            )
        elif missing:
            listed = ", ".join(missing)
            notes.append(
                pick(
                    lang,
                    f"{name}：{listed} 无账单（缺月），同比和线损不计算。",
                    f"{name}: no bills for {listed} (missing months); year-over-year change "
                    "and line loss are not computed.",
                )
            )
    return notes


def _flag_notes(
    table: pd.DataFrame, window: np.ndarray, has_supply: bool, high_loss: float, lang: str
) -> list[str]:
    """Notes on line loss (absent, negative or high) and on districts lacking a prior year."""
    notes = []
    if not has_supply:
        notes.append(
            pick(
                lang,
                "未提供 district_supply（供电量）表，线损率不计算。",
                "No district_supply table: line-loss rates are not computed.",
            )
        )
    for row in table.itertuples():
        if row.bills and np.isnan(row.kwh_yoy) and row.months_billed == len(window):
            notes.append(
                pick(
                    lang,
                    f"{row.district}：缺少上年同期账单，无法计算同比。",
                    f"{row.district}: no complete year-earlier bills, so no year-over-year change.",
                )
            )
        if has_supply and row.bills and np.isnan(row.line_loss):
            notes.append(
                pick(
                    lang,
                    f"{row.district}：供电量数据不完整，线损率不计算。",
                    f"{row.district}: supplied energy incomplete, so no line-loss rate.",
                )
            )
        elif row.line_loss < 0:
            notes.append(
                pick(
                    lang,
                    f"{row.district}：线损率为负（{row.line_loss:.1%}），售电量大于供电量，"
                    "应核查倍率或户变关系。",
                    f"{row.district}: negative line loss ({row.line_loss:.1%}): more energy billed "
                    "than supplied; check multipliers and which customers belong to the district.",
                )
            )
        elif row.line_loss > high_loss:
            notes.append(
                pick(
                    lang,
                    f"{row.district}：线损率 {row.line_loss:.1%} 高于 {high_loss:.0%}，"
                    "可能存在窃电或计量差错。",
                    f"{row.district}: line loss {row.line_loss:.1%} above {high_loss:.0%}: "
                    "possible theft or metering errors.",
                )
            )
    return notes


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NaN where the denominator is missing or zero."""
    denominator = denominator.astype(float)
    return numerator.astype(float) / denominator.where(denominator != 0)

"""Line loss of the same period (同期线损) per transformer area (台区) and feeder (线路), by month.

The supply meter of an area or feeder (`network_supply`) is read for the calendar month; the
customers' sales of the *same* period are their smart-meter daily reads summed over that calendar
month, not their bills (a bill read on the 25th, or estimated, covers another period, and the
monthly loss then swings with the reading calendar instead of the network). Loss rate = 1 − sales
/ supply. A negative loss means the unit sold more than it received: customers booked to the wrong
area or feeder (户变关系), or a wrong supply-meter multiplier. A loss above `high_loss_rate`
(default 10 %, the upper end of the reasonable band for a public area) points at theft, stopped or
slow meters, or customers missing from the unit's books.

**Areas**: sales = the daily reads of the area's customers. **Feeders**: as in 分线 loss, the
energy of a public area on the feeder is its area supply meter (its households are behind it), and
the other customers on the feeder (own transformers, 专变) count by their daily reads.

**Coverage**: a partial sum of reads is not passed off as the whole. The customers expected in a
month are those billed for it or read in it; coverage = customer-days read ÷ customer-days
expected (a public area counts as read on a feeder for the whole month when its supply meter has
that month). Below `min_coverage` (default 95 %) the loss is not computed and the row says so.
Only calendar months wholly inside the daily reads are studied; supply of other months is counted
in a note. Supply below `min_supply_kwh` gives a loss but no flag (a near-empty area's rate is
noise).

**Supply rows and ids**: the rows of one unit and month are summed (two supply meters, or a meter
exchanged within the month), as `summarize` sums a district's; a unit-month with an empty kWh is
left out (missing, not 0 kWh); both with a note. A text, negative or infinite kWh is refused by
row (`matrix.checked_supply`); 0 kWh is a reading (a unit not fed that month). Unit ids match as
text (an area_id column read as floats, 101.0, is the area '101' of the supply). Days are read
where they were read (`daily.read_days`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from auditkit import formatting, i18n
from auditkit.errors import ParameterError
from auditkit.periods import month_first_days, month_number, period_text
from auditkit.stats import tables
from auditkit.stats.daily import read_days
from auditkit.stats.matrix import checked_supply, id_text
from auditkit.stats.notes import Note
from auditkit.stats.requirements import InsufficientDataError, require_columns

if TYPE_CHECKING:
    from collections.abc import Iterable

    from matplotlib.figure import Figure

LEVELS = ("area", "feeder")
UNIT_COLUMNS = {"area": "area_id", "feeder": "feeder_id"}
#: Statuses of a unit and month, most serious first (a unit's status is its most serious month's).
STATUSES = (
    "negative_loss",
    "high_loss",
    "low_coverage",
    "no_customers",
    "small_supply",
    "normal",
)
#: Statuses whose loss rate is not computed.
NOT_COMPUTED = ("low_coverage", "no_customers")
SUPPLY_COLUMNS = ("level", "unit_id", "period", "kwh_supplied")
READ_COLUMNS = ("customer_id", "date", "kwh")
#: Units listed in the report's table of abnormal units.
LISTED = 50
COLUMNS = (
    "level",
    "unit_id",
    "district",
    "period",
    "customers",
    "kwh_supplied",
    "kwh_sold",
    "loss_kwh",
    "loss_rate",
    "coverage",
    "status",
)
_EPOCH = 1970 * 12


@dataclass(frozen=True)
class NetworkLoss:
    """The same-period loss of each area and feeder with supply, month by month.

    `table` (one row per unit and month, `COLUMNS`): customers expected, kWh supplied and sold,
    loss kWh and rate (NaN when not computed), coverage, status (`STATUSES`). `units` sums each
    unit over its months. `period_from`..`period_to` are the months studied ("" when none).
    """

    table: pd.DataFrame
    period_from: str
    period_to: str
    high_loss_rate: float
    min_coverage: float
    min_supply_kwh: float
    notes: list[Note] = field(default_factory=list)

    @property
    def units(self) -> pd.DataFrame:
        """Per unit: months studied and computed, kWh supplied and sold over the computed months,
        their loss rate, months with high and negative loss and with low coverage, the lowest
        coverage, and the unit's most serious status."""
        table = self.table
        if table.empty:
            return pd.DataFrame(
                columns=[
                    "level", "unit_id", "district", "months", "months_computed", "kwh_supplied",
                    "kwh_sold", "loss_rate", "months_high", "months_negative",
                    "months_low_coverage", "coverage", "status",
                ]
            )  # fmt: skip
        computed = table["loss_rate"].notna()
        frame = table.assign(
            computed=computed,
            supplied=table["kwh_supplied"].where(computed, 0.0),
            sold=table["kwh_sold"].where(computed, 0.0),
            high=table["status"] == "high_loss",
            negative=table["status"] == "negative_loss",
            low=table["status"] == "low_coverage",
            rank=table["status"].map(STATUSES.index),
        )
        units = frame.groupby(["level", "unit_id"], sort=True).agg(
            district=("district", "first"),
            months=("period", "size"),
            months_computed=("computed", "sum"),
            kwh_supplied=("supplied", "sum"),
            kwh_sold=("sold", "sum"),
            months_high=("high", "sum"),
            months_negative=("negative", "sum"),
            months_low_coverage=("low", "sum"),
            coverage=("coverage", "min"),
            rank=("rank", "min"),
        )
        none = units["months_computed"] == 0  # nothing to sum: no figure rather than zero
        units[["kwh_supplied", "kwh_sold"]] = units[["kwh_supplied", "kwh_sold"]].mask(none)
        units["loss_rate"] = 1 - units["kwh_sold"] / units["kwh_supplied"].where(
            units["kwh_supplied"] > 0
        )
        units["status"] = [STATUSES[rank] for rank in units.pop("rank")]
        order = [
            "district", "months", "months_computed", "kwh_supplied", "kwh_sold", "loss_rate",
            "months_high", "months_negative", "months_low_coverage", "coverage", "status",
        ]  # fmt: skip
        return units[order].reset_index()

    def for_districts(self, districts: Iterable[str]) -> NetworkLoss:
        """The units of `districts` only (a unit's district is that of most of its customers)."""
        keep = self.table["district"].isin(list(districts))
        return replace(self, table=self.table[keep].reset_index(drop=True))

    def summary(self) -> dict[str, Any]:
        """Per level: units, unit-months, computed, and the count of each status; the loss rate of
        all computed unit-months together."""
        figures: dict[str, Any] = {"period_from": self.period_from, "period_to": self.period_to}
        for level in LEVELS:
            rows = self.table[self.table["level"] == level]
            computed = rows[rows["loss_rate"].notna()]
            supplied = computed["kwh_supplied"].sum()
            figures[level] = {
                "units": int(rows["unit_id"].nunique()),
                "unit_months": len(rows),
                "computed": len(computed),
                **{status: int((rows["status"] == status).sum()) for status in STATUSES},
                "loss_rate": 1 - computed["kwh_sold"].sum() / supplied if supplied > 0 else np.nan,
            }
        return figures

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """One sentence per level with supply: months, units computed, high and negative loss."""
        if self.table.empty:
            return i18n.text("network.sentence.nothing", lang)
        figures = self.summary()
        sentences = []
        for level in LEVELS:
            counts = figures[level]
            if not counts["unit_months"]:
                continue
            units = self.units[self.units["level"] == level]
            sentences.append(
                i18n.text("network.sentence.level", lang).format(
                    level=i18n.text(f"network.level.{level}", lang),
                    period_from=self.period_from,
                    period_to=self.period_to,
                    units=counts["units"],
                    computed=counts["computed"],
                    unit_months=counts["unit_months"],
                    loss=formatting.percent(counts["loss_rate"], 1),
                    high=int((units["months_high"] > 0).sum()),
                    negative=int((units["months_negative"] > 0).sum()),
                    low=counts["low_coverage"],
                    high_loss_rate=formatting.percent(self.high_loss_rate, 0),
                )
            )
        return "\n".join(sentences)

    def overview_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """One row per level: units, unit-months, computed, each status, overall loss rate."""
        figures = self.summary()
        frame = pd.DataFrame(
            [{"level": level, **figures[level]} for level in LEVELS if figures[level]["units"]]
        )
        if frame.empty:
            frame = pd.DataFrame(columns=["level", "units", "unit_months", "computed"])
        formats: dict[str, tables.Formatter] = {
            "level": tables.coded("network.level.", lang),
            "units": tables.whole,
            "unit_months": tables.whole,
            "computed": tables.whole,
            **{status: tables.whole for status in STATUSES},
            "loss_rate": tables.percent(1),
        }
        keys = {
            name: f"network.column.{name}" for name in ("level", "units", "unit_months", "computed")
        }
        keys |= {status: f"network.status.{status}" for status in STATUSES}
        keys["loss_rate"] = "network.column.loss_rate"
        return tables.labelled(frame, formats, lang, keys)

    def listed_sentence(self, lang: str = i18n.DEFAULT_LANG, rows: int = LISTED) -> str:
        """What `to_table` lists, for the sentence above it: only the units with an abnormal
        month (how many of each status, at most `rows`), and how many units it leaves out
        (every month normal or too small a supply to judge)."""
        units = self.units
        abnormal = units[units["status"].isin(STATUSES[:4])]
        if abnormal.empty:
            return i18n.text("network.sentence.listed_none", lang).format(units=len(units))
        counts = abnormal["status"].value_counts()
        separator = i18n.text("common.list_separator", lang)
        statuses = separator.join(
            i18n.text("network.sentence.status_count", lang).format(
                status=i18n.text(f"network.status.{status}", lang), count=int(counts[status])
            )
            for status in STATUSES[:4]
            if status in counts.index
        )
        key = "listed" if len(abnormal) <= rows else "listed_first"
        return i18n.text(f"network.sentence.{key}", lang).format(
            listed=len(abnormal),
            statuses=statuses,
            rows=rows,
            rest=len(units) - len(abnormal),
            units=len(units),
        )

    def to_table(self, lang: str = i18n.DEFAULT_LANG, rows: int = LISTED) -> pd.DataFrame:
        """The units with an abnormal month (negative or high loss, low coverage, no customers),
        most serious first, at most `rows`."""
        units = self.units
        abnormal = units[units["status"].isin(STATUSES[:4])]
        abnormal = abnormal.assign(rank=abnormal["status"].map(STATUSES.index))
        abnormal = abnormal.sort_values(
            ["rank", "loss_rate", "level", "unit_id"],
            ascending=[True, False, True, True],
            kind="stable",
        ).head(rows)
        formats = {
            "level": tables.coded("network.level.", lang),
            "unit_id": str,
            "district": tables.text_or_blank,
            "months": tables.whole,
            "months_computed": tables.whole,
            "kwh_supplied": tables.whole,
            "kwh_sold": tables.whole,
            "loss_rate": tables.percent(1),
            "months_high": tables.whole,
            "months_negative": tables.whole,
            "months_low_coverage": tables.whole,
            "coverage": tables.percent(1),
            "status": tables.coded("network.status.", lang),
        }
        keys = {
            name: f"network.column.{name}"
            for name in formats
            if name not in ("district", "status", "kwh_supplied")
        }
        keys["status"] = "pipeline.status"
        return tables.labelled(abnormal, formats, lang, keys)

    def plot(self, lang: str = i18n.DEFAULT_LANG) -> Figure:
        """Histogram of the computed monthly loss rates, areas and feeders."""
        rates = {
            level: self.table.loc[
                (self.table["level"] == level) & self.table["loss_rate"].notna(), "loss_rate"
            ].to_numpy(float)
            for level in LEVELS
        }
        title = i18n.text("network.chart.title", lang).format(
            period_from=self.period_from, period_to=self.period_to
        )
        from auditkit.stats import charts  # matplotlib: loaded when drawn

        return charts.plot_loss_rates(rates, self.high_loss_rate, title, lang)


def network_loss(
    network_supply: pd.DataFrame,
    customers: pd.DataFrame,
    daily_reads: pd.DataFrame,
    bills: pd.DataFrame | None = None,
    high_loss_rate: float = 0.10,
    min_coverage: float = 0.95,
    min_supply_kwh: float = 1000.0,
) -> NetworkLoss:
    """The same-period loss of every area and feeder of `network_supply`, per calendar month
    wholly inside the daily reads (see the module's docstring).

    `customers` needs customer_id and district, and area_id and/or feeder_id (a level whose column
    is absent is skipped with a note); `bills` (customer_id, period) tells which customers a month
    expects. Raises InsufficientDataError when no read belongs to a known customer.
    """
    require_columns(network_supply, SUPPLY_COLUMNS, "network_supply")
    require_columns(customers, ("customer_id", "district"), "customers")
    require_columns(daily_reads, READ_COLUMNS, "daily_reads")
    if bills is not None:
        require_columns(bills, ("customer_id", "period"), "bills")
    _check_share("high_loss_rate", high_loss_rate)
    _check_share("min_coverage", min_coverage)
    if isinstance(min_supply_kwh, bool) or not isinstance(min_supply_kwh, int | float):
        raise ParameterError("min_supply_kwh", "a number of kWh, at least 0", min_supply_kwh)
    if min_supply_kwh < 0:
        raise ParameterError("min_supply_kwh", "a number of kWh, at least 0", min_supply_kwh)
    notes: list[Note] = []
    ids = pd.Index(customers["customer_id"])
    reads, months = _reads_by_month(daily_reads, ids, notes)
    settings = (high_loss_rate, min_coverage, float(min_supply_kwh))
    if not len(months):
        notes.append(Note("network_no_whole_month"))
        return NetworkLoss(pd.DataFrame(columns=list(COLUMNS)), "", "", *settings, notes)
    n, k = len(ids), len(months)
    cell = reads.customer * k + reads.month
    kwh = np.bincount(cell, np.nan_to_num(reads.kwh), minlength=n * k).reshape(n, k)
    days_read = np.bincount(cell, ~np.isnan(reads.kwh), minlength=n * k).reshape(n, k)
    expected = days_read > 0
    if bills is not None:
        expected |= _billed(bills, ids, months)
    days_in = (_first_day(months + 1) - _first_day(months)).astype(float)
    expected_days = expected * days_in[None, :]

    supply = network_supply.assign(
        unit_id=_supply_unit_ids(network_supply),
        kwh_supplied=checked_supply(network_supply, "network_supply"),
        month=month_number(network_supply["period"], "network_supply.period"),
    )
    inside = supply["month"].isin(months)
    outside = supply[~inside]
    if len(outside):
        notes.append(
            Note(
                "network_months_outside",
                {
                    "count": len(outside),
                    "period_from": period_text(months[0]),
                    "period_to": period_text(months[-1]),
                },
            )
        )
    supply = _one_row_per_unit_month(supply[inside], notes)
    district = customers["district"].astype(str).to_numpy(dtype=object)
    frames = []
    area_units = _unit_codes(customers, "area", notes)
    _note_no_unit_on_file(supply, "area", area_units, notes)
    area_supply = _supply_grid(supply, "area", area_units, months)
    if area_units is not None:
        sums = _Sums(area_units.code, kwh, days_read, expected_days)
        frames.append(_level_rows("area", supply, area_units, sums, expected, district, months))
    feeder_units = _unit_codes(customers, "feeder", notes)
    _note_no_unit_on_file(supply, "feeder", feeder_units, notes)
    if feeder_units is not None:
        _note_feeders_without_supply(supply, feeder_units, expected, months, notes)
        sums = _feeder_sums(feeder_units, area_units, area_supply, kwh, days_read, expected_days)
        frames.append(_level_rows("feeder", supply, feeder_units, sums, expected, district, months))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    table = _judge(table, *settings)
    studied = table["period"] if len(table) else pd.Series(period_text(months[[0, -1]]))
    return NetworkLoss(
        table[list(COLUMNS)].sort_values(["level", "unit_id", "period"], ignore_index=True),
        str(studied.min()),
        str(studied.max()),
        *settings,
        notes,
    )


@dataclass(frozen=True)
class _Units:
    """Each customer's unit code (-1: none) and the unit ids."""

    code: np.ndarray
    ids: np.ndarray


@dataclass(frozen=True)
class _Sums:
    """Rows to add up per unit (customers, or a metered area standing for its customers on a
    feeder): the unit code of each row, its kWh sold, days counted as read and days expected."""

    code: np.ndarray
    sold: np.ndarray
    counted: np.ndarray
    wanted: np.ndarray


@dataclass(frozen=True)
class _MonthReads:
    customer: np.ndarray
    month: np.ndarray  # index into the months studied
    kwh: np.ndarray


def _check_share(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ParameterError(name, "a share from 0 to 1", value)


def _first_day(months: np.ndarray) -> np.ndarray:
    """Day number (days since 1970-01-01) of the first day of each month number."""
    return month_first_days(months).astype(np.int64)


def _reads_by_month(
    daily_reads: pd.DataFrame, ids: pd.Index, notes: list[Note]
) -> tuple[_MonthReads, np.ndarray]:
    """The reads of known customers in the calendar months wholly inside the reads' days, and
    those month numbers (ascending)."""
    codes, uniques = pd.factorize(daily_reads["customer_id"])
    customer = np.append(ids.get_indexer(uniques), -1)[codes]
    day = read_days(daily_reads)  # the local day of a read with a time zone
    known = (customer >= 0) & ~np.isnat(day)
    if not known.all():
        notes.append(Note("network_unknown_reads", {"count": int((~known).sum())}))
    if not known.any():
        raise InsufficientDataError("daily_reads: expected reads of known customers, found none")
    day_number = day.astype(np.int64)
    first, last = int(day_number[known].min()), int(day_number[known].max())
    month = day.astype("datetime64[M]").astype(np.int64) + _EPOCH
    candidates = np.arange(int(month[known].min()), int(month[known].max()) + 1)
    whole = (_first_day(candidates) >= first) & (_first_day(candidates + 1) - 1 <= last)
    months = candidates[whole]
    keep = known & np.isin(month, months)
    reads = _MonthReads(
        customer=customer[keep],
        month=np.searchsorted(months, month[keep]),
        kwh=daily_reads["kwh"].to_numpy(dtype=float, na_value=np.nan)[keep],
    )
    return reads, months


def _billed(bills: pd.DataFrame, ids: pd.Index, months: np.ndarray) -> np.ndarray:
    """Customers × months studied: billed for that month."""
    grid = np.zeros((len(ids), len(months)), dtype=bool)
    month = month_number(bills["period"], "bills.period")
    codes, uniques = pd.factorize(bills["customer_id"])
    customer = np.append(ids.get_indexer(uniques), -1)[codes]
    keep = (customer >= 0) & np.isin(month, months)
    grid[customer[keep], np.searchsorted(months, month[keep])] = True
    return grid


def _unit_codes(customers: pd.DataFrame, level: str, notes: list[Note]) -> _Units | None:
    """Each customer's area or feeder as a code; None (with a note) without the column."""
    column = UNIT_COLUMNS[level]
    if column not in customers.columns or customers[column].isna().all():
        notes.append(Note("network_no_unit_column", {"column": column}))
        return None
    codes, uniques = pd.factorize(_unit_text(customers[column]))
    return _Units(code=codes, ids=np.asarray(uniques, dtype=object))


def _unit_text(values: pd.Series) -> pd.Series:
    """Unit ids as text, so that an area 101 of one table is the area '101' of another (ids are
    matched as text across tables, as `matrix.positions_of` matches customers): `matrix.id_text`
    (101.0 is '101': a number column with one empty cell is read as floats), spaces stripped, NA
    where empty."""
    text = pd.Series(id_text(pd.Index(values)), index=values.index).astype("string").str.strip()
    return text.mask(values.isna().to_numpy() | text.eq("").fillna(False).to_numpy())


def _supply_unit_ids(network_supply: pd.DataFrame) -> pd.Series:
    """network_supply.unit_id as text (`_unit_text`); a ParameterError names the first empty one:
    a supply figure of no unit cannot be placed."""
    ids = _unit_text(network_supply["unit_id"])
    if ids.isna().any():
        row = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise ParameterError(
            "network_supply.unit_id", "an area or feeder id", f"empty in row {row + 1}"
        )
    return ids.astype(object)


def _one_row_per_unit_month(supply: pd.DataFrame, notes: list[Note]) -> pd.DataFrame:
    """One row per level, unit and month: its rows' kWh summed (two supply meters, or a meter
    exchanged within the month, are two rows of one unit's supply, as `summarize` sums a
    district's rows), noted; a unit-month with an empty kWh has no figure and is left out, noted
    (missing, not 0 kWh)."""
    rows = (
        supply.assign(empty=supply["kwh_supplied"].isna())
        .groupby(["level", "unit_id", "month"], sort=False)
        .agg(
            kwh_supplied=("kwh_supplied", "sum"),
            rows=("empty", "size"),
            empty=("empty", "any"),
        )
        .reset_index()
    )
    several = rows["rows"] > 1
    if several.any():
        values = {"rows": int(rows.loc[several, "rows"].sum()), "unit_months": int(several.sum())}
        notes.append(Note("network_supply_summed", values))
    if rows["empty"].any():
        notes.append(Note("network_supply_empty", {"unit_months": int(rows["empty"].sum())}))
    return rows.loc[~rows["empty"], ["level", "unit_id", "month", "kwh_supplied"]]


def _note_no_unit_on_file(
    supply: pd.DataFrame, level: str, units: _Units | None, notes: list[Note]
) -> None:
    """Note a level whose supply rows name no unit of the customer archive: every one would show
    'no customers on file', which says more about the ids than about the network."""
    ids = supply.loc[supply["level"] == level, "unit_id"]
    if units is not None and len(ids) and not ids.isin(units.ids).any():
        values = {"count": int(ids.nunique()), "column": UNIT_COLUMNS[level]}
        notes.append(Note("network_no_unit_on_file", values))


def _supply_grid(
    supply: pd.DataFrame, level: str, units: _Units | None, months: np.ndarray
) -> np.ndarray | None:
    """Units × months studied: kWh supplied (NaN: no row)."""
    if units is None:
        return None
    rows = supply[supply["level"] == level]
    grid = np.full((len(units.ids), len(months)), np.nan)
    unit = pd.Index(units.ids).get_indexer(rows["unit_id"])
    found = unit >= 0
    grid[unit[found], np.searchsorted(months, rows["month"].to_numpy()[found])] = rows[
        "kwh_supplied"
    ].to_numpy(dtype=float)[found]
    return grid


def _note_feeders_without_supply(
    supply: pd.DataFrame,
    feeders: _Units,
    expected: np.ndarray,
    months: np.ndarray,
    notes: list[Note],
) -> None:
    """Note the feeder-months with customers expected but no supply row: every feeder has a
    supply meter, so its loss is missing, not zero (an area may lack one: a customer's own
    transformer has no area meter, so areas are not noted)."""
    grid = _supply_grid(supply, "feeder", feeders, months)
    customers = _per_unit(feeders.code, expected.astype(float), len(feeders.ids))
    missing = (customers > 0) & np.isnan(grid)
    if missing.any():
        values = {"feeders": int(missing.any(axis=1).sum()), "unit_months": int(missing.sum())}
        notes.append(Note("network_feeders_without_supply", values))


def _feeder_sums(
    feeders: _Units,
    area_units: _Units | None,
    area_supply: np.ndarray | None,
    kwh: np.ndarray,
    days_read: np.ndarray,
    expected_days: np.ndarray,
) -> _Sums:
    """What a feeder adds up: the customers not behind an area supply meter by their reads, and
    one row per metered area standing for its customers (its supply as sold; its customers'
    expected days as read in the months its meter has)."""
    if area_units is None or area_supply is None:
        return _Sums(feeders.code, kwh, days_read, expected_days)
    metered_area = ~np.isnan(area_supply).all(axis=1)
    behind = (area_units.code >= 0) & metered_area[np.maximum(area_units.code, 0)]
    # Each metered area hangs on the feeder of most of its customers.
    area_feeder = (
        pd.DataFrame({"area": area_units.code[behind], "feeder": feeders.code[behind]})
        .groupby("area")["feeder"]
        .agg(lambda values: values.value_counts().index[0])
    )
    areas = area_feeder.index.to_numpy()
    area_expected = pd.DataFrame(expected_days[behind]).groupby(area_units.code[behind]).sum()
    area_expected = area_expected.reindex(areas).to_numpy()
    has_meter = ~np.isnan(area_supply[areas])
    return _Sums(
        code=np.concatenate([feeders.code[~behind], area_feeder.to_numpy()]),
        sold=np.vstack([kwh[~behind], np.nan_to_num(area_supply[areas])]),
        counted=np.vstack([days_read[~behind], np.where(has_meter, area_expected, 0.0)]),
        wanted=np.vstack([expected_days[~behind], area_expected]),
    )


def _per_unit(code: np.ndarray, values: np.ndarray, units: int) -> np.ndarray:
    """Units × months: the sum of the rows of each unit (rows with code -1 left out)."""
    kept = code >= 0
    sums = pd.DataFrame(values[kept]).groupby(code[kept]).sum()
    return sums.reindex(range(units)).fillna(0.0).to_numpy(dtype=float)


def _level_rows(
    level: str,
    supply: pd.DataFrame,
    units: _Units,
    sums: _Sums,
    expected: np.ndarray,
    district: np.ndarray,
    months: np.ndarray,
) -> pd.DataFrame:
    """Supply rows of one level with their sales, customers expected and coverage per unit."""
    rows = supply[supply["level"] == level]
    count = len(units.ids)
    sales = _per_unit(sums.code, sums.sold, count)
    read = _per_unit(sums.code, sums.counted, count)
    wanted = _per_unit(sums.code, sums.wanted, count)
    customers = _per_unit(units.code, expected.astype(float), count)
    unit = pd.Index(units.ids).get_indexer(rows["unit_id"])
    month = np.searchsorted(months, rows["month"].to_numpy())
    found = unit >= 0
    at = np.maximum(unit, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(found, read[at, month] / wanted[at, month], np.nan)
    expected_here = np.where(found, customers[at, month], 0.0)
    return pd.DataFrame(
        {
            "level": level,
            "unit_id": rows["unit_id"].to_numpy(dtype=object),
            "district": np.where(found, _unit_district(units, district)[at], ""),
            "period": period_text(rows["month"].to_numpy()),
            "customers": expected_here.astype(np.int64),
            "kwh_supplied": rows["kwh_supplied"].to_numpy(dtype=float),
            "kwh_sold": np.where(found, sales[at, month], np.nan),
            "coverage": coverage,
            "has_customers": expected_here > 0,
        }
    )


def _unit_district(units: _Units, district: np.ndarray) -> np.ndarray:
    """The district of most of each unit's customers (a tie goes to the name that sorts first,
    whatever the order of the customers table)."""
    frame = pd.DataFrame({"unit": units.code, "district": district})
    counts = frame[frame["unit"] >= 0].value_counts().reset_index(name="customers")
    counts = counts.sort_values(
        ["unit", "customers", "district"], ascending=[True, False, True], kind="stable"
    )
    mode = counts.drop_duplicates("unit").set_index("unit")["district"]
    return mode.reindex(range(len(units.ids))).fillna("").to_numpy(dtype=object)


def _judge(
    table: pd.DataFrame, high_loss_rate: float, min_coverage: float, min_supply_kwh: float
) -> pd.DataFrame:
    """Loss kWh and rate, and the status of each unit-month."""
    if table.empty:
        return table.assign(loss_kwh=np.nan, loss_rate=np.nan, status="")
    supplied = table["kwh_supplied"]
    no_customers = ~table.pop("has_customers")
    low = ~no_customers & ~(table["coverage"] >= min_coverage)
    computed = ~no_customers & ~low
    loss_kwh = (supplied - table["kwh_sold"]).where(computed)
    rate = (loss_kwh / supplied.where(supplied > 0)).where(computed)
    small = computed & ~(supplied >= max(min_supply_kwh, np.finfo(float).tiny))
    status = np.select(
        [no_customers, low, small, rate < 0, rate > high_loss_rate],
        ["no_customers", "low_coverage", "small_supply", "negative_loss", "high_loss"],
        "normal",
    )
    return table.assign(loss_kwh=loss_kwh, loss_rate=rate, status=status)

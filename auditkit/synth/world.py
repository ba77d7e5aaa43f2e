"""The honest utility: customers, their true consumption and the work orders of normal business.

Everything is held as arrays (one row per customer, one column per month) so that 200,000 customers
× 36 months build in seconds. Besides the archive the world knows what an itemized bill needs: read
days, metering mode and transformers, the multiplier in force each month (which a CT change with its
order changes), time-of-use shares, tiers, power factor and standard, demand basis, and when prices
change (`schedule.Calendar`). Look-alikes (`lookalikes.py`) and then
irregularities (`inject.py`) are added afterwards; the bills are computed by `ledger.py` and the
tables rendered last (`render.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import auditkit.synth.catalog as catalog
from auditkit.billing.money import round_half_up
from auditkit.billing.params import BillingParams, load_billing_params
from auditkit.periods import month_first_days, month_number
from auditkit.rules.workdays import WEEKMASK, WorkingCalendar
from auditkit.synth.schedule import Calendar, RateBook

HOURS_PER_MONTH = 730.0
#: Share of the business customers read on the 25th (read period 25th to 24th), not the calendar month.
READ_ON_25TH_SHARE = 0.35
READ_DAY = 25
#: Shares of households on a shared meter (合表) and of public customers that are schools or care
#: homes on the residential shared-meter price; consumption of a shared meter is several households'.
SHARED_METER_SHARE = 0.05
SHARED_METER_EXCEPTION_SHARE = 0.3
SHARED_METER_HOUSEHOLDS = (3, 8)
#: Two-part customers of at most 630 kVA metered on the low-voltage side, and on a demand basis.
HIGH_LOW_TWO_PART_SHARE = 0.7
DEMAND_BASIS_SHARE = 0.4
#: Single-part businesses of at least this capacity have their own 10 kV transformer (高供低计).
OWN_TRANSFORMER_KVA = 100.0
#: Large-industry customers from this capacity supplied at 35 kV, with this probability.
HIGH_VOLTAGE_KVA, HIGH_VOLTAGE_SHARE = 1600.0, 0.5
#: CTs metered on the high-voltage side with a 1 A secondary (long secondary cables), drawn from a
#: random stream of their own (ONE_AMP_STREAM) so the rest of the utility is as without them.
ONE_AMP_CT_SHARE, ONE_AMP_STREAM = 0.3, 15
#: EV charging posts of housing estates (industry EV_CHARGING_INDUSTRY) among single-part shops, on
#: the residential shared-meter price (发改价格〔2014〕1668号), drawn from a stream of their own.
EV_CHARGING_SHARE, EV_CHARGING_STREAM = 0.05, 16
EV_CHARGING_INDUSTRY = "充换电服务业"
#: Temporary supplies (临时用电) among single-part businesses, and how long past the export they run.
TEMPORARY_SHARE = 0.005
TEMPORARY_DAYS_LEFT = (30, 400)
#: Natural monthly power factor of customers with a reactive register, and exported reactive energy.
PF_RANGE = (0.84, 0.97)
EXPORT_SHARE, EXPORT_RANGE = 0.25, (0.02, 0.08)
#: Meters installed by a replacement are numbered from here on, in the order they are installed.
REPLACEMENT_METER_BASE = 10**9
#: Capacity changes take effect on a day inside a read period of either read day (2nd to 24th).
CHANGE_DAYS = (2, 24)
ORDER_COLUMNS = (
    "customer",
    "order_type",
    "issued_at",
    "transferred_at",
    "registered_at",
    "archived_at",
    "effective_date",
    "old_value",
    "new_value",
)


@dataclass
class World:
    """Customers (1-D arrays of length N) and their months (2-D arrays N × M), mutable by injection."""

    rng: np.random.Generator
    periods: list[str]
    customer_id: np.ndarray
    district: np.ndarray
    usage: np.ndarray
    tariff: np.ndarray  # archive tariff, index into catalog.TARIFF_CODES
    voltage: np.ndarray
    capacity: np.ndarray  # archive contract capacity (kVA), NaN where none
    basis: np.ndarray
    ct: np.ndarray
    ct_secondary: np.ndarray  # rated CT secondary (A): 5, or 1; the ratio is primary / it
    pt: np.ndarray
    meter_id: np.ndarray
    conn_date: np.ndarray  # datetime64[D]
    status: np.ndarray
    test_date: np.ndarray  # datetime64[D], NaT where the meter has no periodic test
    test_cycle: np.ndarray  # months, NaN where none
    active: np.ndarray  # bool N × M: the customer is billed that month
    true_kwh: np.ndarray  # energy really consumed
    metered_kwh: np.ndarray  # energy the meter recorded (less than true when tampered or stopped)
    demand: np.ndarray  # true maximum demand (kW), NaN for single-part customers
    tariff_billed: np.ndarray  # tariff index applied by billing
    capacity_billed: np.ndarray  # kVA the basic charge uses, NaN for single-part customers
    multiplier: np.ndarray  # CT × PT in force (meter units × it = kWh), the archive's by default
    multiplier_billed: np.ndarray  # multiplier billing applied (the one in force, unless injected)
    demand_factor: np.ndarray  # billed demand / true demand (a wrong multiplier scales it too)
    estimated: np.ndarray  # bool: estimated read
    meter_reset: np.ndarray  # bool: a new meter starts from zero this month
    register_jump: np.ndarray  # meter units skipped between last month's end and this start
    billed_share: np.ndarray  # share of the register energy the bill charges (1 normally)
    rate_factor: np.ndarray  # billed energy rate / schedule rate (1 normally)
    busy: (
        np.ndarray
    )  # bool per customer: already has an irregularity or an order that would mask one
    params: BillingParams  # the recomputation conventions the bills follow (params/billing.yaml)
    calendar: Calendar  # when prices change
    read_day: np.ndarray  # 0 = calendar month, 25 = read on the 25th (business customers only)
    metering_mode: np.ndarray
    contract_demand: np.ndarray  # kW, NaN unless demand basis
    pf_standard: np.ndarray  # 0.90 / 0.85 / 0.80, NaN = not assessed
    tou: np.ndarray  # bool: billed by time-of-use periods
    tier_scheme: np.ndarray  # single / shared / none
    industry: np.ndarray
    area_id: np.ndarray
    feeder_id: np.ndarray
    supply_type: np.ndarray
    supply_end: np.ndarray  # datetime64[D], NaT for permanent supplies
    tou_base: np.ndarray  # N × 3: base shares of the critical, peak and valley periods
    pf_natural: np.ndarray  # power factor of the load, NaN without a reactive register
    export_share: np.ndarray  # reactive energy exported / imported
    nameplate: np.ndarray  # kVA of the customer's own transformers at connection, NaN if none
    closure_date: np.ndarray  # datetime64[D], NaT unless closed in the data window
    loss_kva_after: np.ndarray  # kVA of a high_low replacement transformer, else NaN
    loss_change_month: np.ndarray  # month the replacement runs from, -1 if none
    register_origin: np.ndarray  # meter register at the start of the data
    # Billing faults of the itemized rules (0 = billed right), N × M int8; see `ledger.FAULTS`.
    tou_fault: np.ndarray
    tier_fault: np.ndarray
    basic_fault: np.ndarray
    pf_fault: np.ndarray
    loss_fault: np.ndarray
    fund_fault: np.ndarray
    orders: list[pd.DataFrame] = field(default_factory=list)
    truth: list[pd.DataFrame] = field(default_factory=list)
    lookalikes: list[pd.DataFrame] = field(default_factory=list)  # customer, kind, from_month
    cap_events: list[pd.DataFrame] = field(default_factory=list)  # customer, kind, date, old, new
    prorated: list[pd.DataFrame] = field(default_factory=list)  # customer, month, quantity
    replaced_meters: list[pd.DataFrame] = field(default_factory=list)  # customer, date, meter_id
    # Meters that record a share of the energy from a day on (theft, tampering): customer, date,
    # kept; the daily reads change level on that day (render.daily_reads_table).
    level_changes: list[pd.DataFrame] = field(default_factory=list)
    # Edits an injection makes to the rendered tables (by name), in injection order, before the
    # truth, look-alikes and inspections are rendered: rows added to meter events or adjustments,
    # a copied name and address. Each may call `add_truth` and append to `lookalikes`.
    table_edits: list[Callable[[dict[str, pd.DataFrame]], None]] = field(default_factory=list)
    book: RateBook | None = None  # the schedule read back by the lookup conventions (ledger)

    @property
    def month_starts(self) -> np.ndarray:
        """datetime64[D], first day of each period."""
        return self.calendar.month_starts

    @property
    def days_in_month(self) -> np.ndarray:
        """Number of days of each period (28 to 31)."""
        months = self.month_numbers
        return (month_first_days(months + 1) - month_first_days(months)).astype(np.int64)

    @property
    def price_change(self) -> int:
        """Index of the first period billed at the new rates."""
        return self.calendar.price_change

    @property
    def n_customers(self) -> int:
        return len(self.customer_id)

    @property
    def n_months(self) -> int:
        return len(self.periods)

    @property
    def end_date(self) -> np.datetime64:
        """Last day of the last period: the date the export was taken."""
        return _last_day(self.month_starts)

    @property
    def month_numbers(self) -> np.ndarray:
        """Months since year 0 of each billing month (January of year y = 12 y)."""
        return month_number(self.periods)

    def reads_on_25th(self) -> np.ndarray:
        """Customers read on the 25th: those so scheduled, connected before the data and not closed
        (a connection or a closure in the window is read on the calendar month)."""
        first = self.month_starts[0] - np.timedelta64(31, "D")
        return (self.read_day == READ_DAY) & (self.conn_date < first) & (self.status != "closed")

    def read_period(
        self, customers: np.ndarray, months: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Day numbers of read_from and read_to of bills (customer, month), and whether the customer
        was connected or closed inside the read period (read_from is then the connection date,
        read_to the closure date): a part month, prorated by day."""
        starts = (
            np.append(
                self.month_starts, (pd.Timestamp(self.month_starts[-1]) + pd.offsets.MonthBegin(1))
            )
            .astype("datetime64[D]")
            .astype(np.int64)
        )
        previous = np.datetime64(
            (pd.Timestamp(self.month_starts[0]) - pd.offsets.MonthBegin(1)).date(), "D"
        ).astype(np.int64)
        before = np.append(previous, starts[:-2])
        on_25th = self.reads_on_25th()[customers]
        read_from = np.where(on_25th, before[months] + READ_DAY - 1, starts[months])
        read_to = np.where(on_25th, starts[months] + READ_DAY - 2, starts[months + 1] - 1)
        connection = self.conn_date[customers].astype(np.int64)
        connected = (connection >= read_from) & (connection <= read_to)
        closure = self.closure_date[customers]
        closing = ~np.isnat(closure) & (closure.astype(np.int64) >= read_from)
        closing &= closure.astype(np.int64) <= read_to
        read_to = np.where(closing, closure.astype(np.int64), read_to)
        return np.where(connected, connection, read_from), read_to, connected | closing

    def change_capacity(
        self,
        customers: np.ndarray,
        kind: str,
        month: np.ndarray,
        old: np.ndarray,
        new: np.ndarray,
        day: np.ndarray | None = None,
    ) -> np.ndarray:
        """Capacity in force goes from `old` to `new` on `day` (1-based) of `month`: billing keeps
        the old capacity before, the new after, and Σ day capacity / days_per_month in the month of
        change, at most the larger of the two. Returns the effective dates."""
        if day is None:
            day = self.rng.integers(CHANGE_DAYS[0], CHANGE_DAYS[1] + 1, size=len(customers))
        date = self.month_starts[month] + (day - 1).astype("timedelta64[D]")
        months = np.arange(self.n_months)[None, :]
        after = months >= month[:, None]
        billed = np.where(after, new[:, None], self.capacity_billed[customers])
        self.capacity_billed[customers] = np.where(self.active[customers], billed, np.nan)
        read_from, read_to, _ = self.read_period(customers, month)
        change = date.astype(np.int64)
        quantity = (old * (change - read_from) + new * (read_to - change + 1)) / (
            self.params.days_per_month
        )
        # At most the larger capacity: 31 days at 1/30 charge no more than a whole month.
        quantity = np.fmin(quantity, np.fmax(old, new))
        self.prorated.append(
            pd.DataFrame({"customer": customers, "month": month, "quantity": quantity})
        )
        self.cap_events.append(
            pd.DataFrame(
                {"customer": customers, "kind": kind, "date": date, "old": old, "new": new}
            )
        )
        return date

    def refit_multiplier(self, customers: np.ndarray) -> None:
        """The archive's CT × PT of `customers` (just changed) in force and billed in every month."""
        multiplier = (self.ct[customers] * self.pt[customers])[:, None]
        self.multiplier[customers] = multiplier
        self.multiplier_billed[customers] = multiplier

    def replace_meter(
        self,
        customers: np.ndarray,
        month: np.ndarray,
        old_value: np.ndarray | None = None,
        new_value: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """A new meter for `customers` from the first of `month`, its register starting at zero,
        with its meter_replacement order: old and new value the meter ids unless given (a CT change
        records the multipliers). Both meters are read on site: the old meter's last month and the
        new one's first are actual reads. Returns the orders."""
        used = sum(len(frame) for frame in self.replaced_meters)
        numbers = REPLACEMENT_METER_BASE + used + np.arange(len(customers))
        new_meters = np.array([f"MT{v:010d}" for v in numbers], dtype=object)
        orders = self.add_orders(
            customers,
            "meter_replacement",
            month,
            self.meter_id[customers] if old_value is None else old_value,
            new_meters if new_value is None else new_value,
        )
        self.replaced_meters.append(
            pd.DataFrame(
                {
                    "customer": customers,
                    "date": self.month_starts[month],
                    "meter_id": self.meter_id[customers],
                }
            )
        )
        self.meter_id[customers] = new_meters
        self.meter_reset[customers, month] = True
        self.estimated[customers, np.maximum(month - 1, 0)] = False
        self.estimated[customers, month] = False
        return orders

    def is_two_part(self) -> np.ndarray:
        return np.isin(self.tariff, [catalog.TARIFF_CODES.index(c) for c in catalog.TWO_PART_CODES])

    def pick(
        self, eligible: np.ndarray, rate: float, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        """Choose about `rate` of the eligible, not yet busy customers; mark them busy. Drawn
        from `rng` where given (an injection on a stream of its own), else the utility's."""
        candidates = np.flatnonzero(eligible & ~self.busy)
        count = min(len(candidates), round(rate * int(eligible.sum())))
        chosen = np.sort((rng or self.rng).choice(candidates, size=count, replace=False))
        self.busy[chosen] = True
        return chosen

    def add_orders(
        self,
        customers: np.ndarray,
        order_type: str,
        effective_month: np.ndarray,
        old_value: np.ndarray,
        new_value: np.ndarray,
        lead_days: tuple[int, int] = (5, 30),
        effective: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Work orders with a normal lifecycle (issued → transferred → registered → archived),
        effective on the first of `effective_month` unless `effective` gives the dates."""
        count = len(customers)
        if effective is None:
            effective = self.month_starts[np.clip(effective_month, 0, self.n_months - 1)]
        issued = effective - self.rng.integers(*lead_days, size=count).astype("timedelta64[D]")
        transferred = issued + self.rng.integers(0, 3, size=count).astype("timedelta64[D]")
        registered = transferred + self.rng.integers(1, 5, size=count).astype("timedelta64[D]")
        archived = registered + self.rng.integers(1, 8, size=count).astype("timedelta64[D]")
        frame = pd.DataFrame(
            {
                "customer": customers,
                "order_type": order_type,
                "issued_at": issued,
                "transferred_at": transferred,
                "registered_at": registered,
                "archived_at": archived,
                "effective_date": effective,
                "old_value": old_value.astype(str),
                "new_value": new_value.astype(str),
            }
        )
        self.orders.append(frame)
        return frame

    def add_truth(
        self,
        customers: np.ndarray,
        irregularity: str,
        from_month: np.ndarray,
        revenue_effect: np.ndarray,
        detail: str,
        from_date: np.ndarray | None = None,
    ) -> None:
        """Record an injected irregularity per customer; `from_date` is the day it began where the
        injection knows it (a theft or tampering from a day inside its month), else NaT."""
        self.truth.append(
            pd.DataFrame(
                {
                    "customer": customers,
                    "irregularity": irregularity,
                    "from_period": np.asarray(self.periods)[np.clip(from_month, 0, None)],
                    "revenue_effect": np.round(np.maximum(revenue_effect, 0.0), 2),
                    "detail": detail,
                    "from_date": np.datetime64("NaT", "D") if from_date is None else from_date,
                }
            )
        )


def _last_day(month_starts: np.ndarray) -> np.datetime64:
    """Last day of the last billing month."""
    return np.datetime64((pd.Timestamp(month_starts[-1]) + pd.offsets.MonthEnd(0)).date(), "D")


def ct_ratio_for(capacity_kva: np.ndarray, voltage_kv: np.ndarray) -> np.ndarray:
    """Standard CT ratio sized for the rated current I = S / (√3 · U) with a 25 % margin."""
    rated_current = capacity_kva / (np.sqrt(3) * voltage_kv)
    index = np.searchsorted(catalog.CT_PRIMARIES, rated_current * 1.25)
    return catalog.CT_PRIMARIES[np.clip(index, 0, len(catalog.CT_PRIMARIES) - 1)] / 5.0


def build_world(
    customers: int,
    districts: int,
    months: int,
    start: str,
    seed: int,
    schedule_seed: int | None = None,
) -> World:
    """An honest utility: archive, true consumption and normal work orders, no irregularities yet.

    `schedule_seed` (default: `seed`'s own draw) decides the market prices' noise alone."""
    rng = np.random.default_rng(seed)
    n, m = customers, months
    first = pd.Period(start, freq="M")
    periods = [str(first + i) for i in range(m)]
    month_starts = np.array([np.datetime64(p + "-01", "D") for p in periods])
    district_names = [
        catalog.DISTRICT_NAMES[i] if i < len(catalog.DISTRICT_NAMES) else f"第{i + 1}供电所"
        for i in range(districts)
    ]
    # Districts differ in size: weights from 1 to 2.
    weights = np.linspace(2.0, 1.0, districts)
    district_index = rng.choice(districts, size=n, p=weights / weights.sum())
    district = np.asarray(district_names, dtype=object)[district_index]
    usage = np.asarray(catalog.USAGE_TYPES, dtype=object)[
        rng.choice(5, size=n, p=[0.80, 0.10, 0.06, 0.02, 0.02])
    ]
    code_index = {code: i for i, code in enumerate(catalog.TARIFF_CODES)}
    two_part = ((usage == "industrial") & (rng.random(n) < 0.45)) | (
        (usage == "commercial") & (rng.random(n) < 0.08)
    )
    single_tariff = {
        "residential": "RES",
        "commercial": "COM",
        "industrial": "IND",
        "agricultural": "AGR",
        "public": "PUB",
    }
    tariff = np.array([code_index[single_tariff[u]] for u in usage])
    tariff[two_part & (usage == "industrial")] = code_index["IND2"]
    tariff[two_part & (usage == "commercial")] = code_index["COM2"]
    industry = _industries(usage, rng)
    # Schools and care homes on the residential shared-meter price (a legal exception).
    exception = (usage == "public") & (rng.random(n) < SHARED_METER_EXCEPTION_SHARE)
    industry[exception] = np.asarray(catalog.SHARED_METER_INDUSTRIES, dtype=object)[
        rng.integers(0, len(catalog.SHARED_METER_INDUSTRIES), int(exception.sum()))
    ]
    tariff[exception] = code_index["RES"]
    ev_draw = np.random.default_rng([seed, EV_CHARGING_STREAM]).random(n)
    ev_charging = (usage == "commercial") & ~two_part & (ev_draw < EV_CHARGING_SHARE)
    industry[ev_charging] = EV_CHARGING_INDUSTRY
    tariff[ev_charging] = code_index["RES"]
    exception |= ev_charging  # billed as the schools are
    shared = ((usage == "residential") & (rng.random(n) < SHARED_METER_SHARE)) | exception
    tier_scheme = np.where(
        shared, "shared", np.where(usage == "residential", "single", "none")
    ).astype(object)

    capacity = np.select(
        [usage == "residential", usage == "agricultural", exception],
        [
            rng.choice([4.0, 6.0, 8.0, 10.0], size=n),
            rng.choice([10.0, 20.0, 30.0, 50.0, 80.0, 100.0, 160.0], size=n),
            rng.choice([20.0, 30.0, 50.0, 80.0], size=n),
        ],
        rng.choice([20.0, 30.0, 50.0, 80.0, 100.0, 125.0, 160.0, 200.0, 250.0], size=n),
    )
    sizes = catalog.TRANSFORMER_SIZES_KVA
    size_weights = np.linspace(3.0, 0.5, len(sizes))
    capacity[two_part] = sizes[
        rng.choice(len(sizes), size=int(two_part.sum()), p=size_weights / size_weights.sum())
    ]
    business = np.isin(usage, ["commercial", "industrial"]) & ~exception
    own_transformer = two_part | (business & (capacity >= OWN_TRANSFORMER_KVA))
    voltage = np.where(own_transformer, 10.0, 0.4)
    high_voltage = (
        (tariff == code_index["IND2"])
        & (capacity >= HIGH_VOLTAGE_KVA)
        & (rng.random(n) < HIGH_VOLTAGE_SHARE)
    )
    voltage[high_voltage] = 35.0
    high_low = (
        own_transformer
        & (capacity <= catalog.HIGH_LOW_MAX_KVA)
        & (~two_part | (rng.random(n) < HIGH_LOW_TWO_PART_SHARE))
    )
    metering_mode = np.select(
        [high_low, own_transformer], ["high_low", "high_high"], "low_low"
    ).astype(object)
    metered_kv = np.where(metering_mode == "high_high", voltage, 0.4)
    pt = np.select(
        [metered_kv == 35.0, metered_kv == 10.0],
        [catalog.PT_RATIO_35KV, catalog.PT_RATIO_10KV],
        1.0,
    )
    ct = np.where(own_transformer | (capacity >= 50.0), ct_ratio_for(capacity, metered_kv), 1.0)
    ct[(usage == "residential") | exception] = 1.0
    # A 1 A CT's ratio is its primary / 1, five times the 5 A one's; the multiplier stays CT × PT.
    one_amp_draw = np.random.default_rng([seed, ONE_AMP_STREAM]).random(n)
    one_amp = (metering_mode == "high_high") & (ct > 1) & (one_amp_draw < ONE_AMP_CT_SHARE)
    ct_secondary = np.where(one_amp, 1.0, 5.0)
    ct[one_amp] *= 5.0
    basis = np.where(
        two_part, np.where(rng.random(n) < DEMAND_BASIS_SHARE, "demand", "capacity"), "none"
    )
    basis = basis.astype(object)
    pf_standard = pf_standard_of(usage, own_transformer, exception, capacity)

    customer_id = np.array([f"SY{i:08d}" for i in range(1, n + 1)], dtype=object)
    meter_id = np.array([f"MT{v:010d}" for v in rng.permutation(n) * 7 + 1000003], dtype=object)

    # Connection: most before the data window, about 6 % during it (with a new-connection order).
    data_start = month_starts[0]
    conn_date = data_start - rng.integers(30, 365 * 25, size=n).astype("timedelta64[D]")
    new = rng.random(n) < 0.06
    conn_month = np.full(n, -1)
    conn_month[new] = rng.integers(1, m - 2, size=int(new.sum()))
    conn_date[new] = month_starts[conn_month[new]] + rng.integers(
        1, 28, size=int(new.sum())
    ).astype("timedelta64[D]")
    # Closure in the middle of a month: the last bill is read on the closure date.
    closing = ~new & (rng.random(n) < 0.01)
    close_month = np.full(n, m - 1)
    close_month[closing] = rng.integers(6, m - 1, size=int(closing.sum()))
    closure_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    closure_date[closing] = month_starts[close_month[closing]] + rng.integers(
        CHANGE_DAYS[0] - 1, CHANGE_DAYS[1], size=int(closing.sum())
    ).astype("timedelta64[D]")
    month_index = np.arange(m)[None, :]
    active = (month_index >= np.maximum(conn_month, 0)[:, None]) & (
        month_index <= close_month[:, None]
    )
    status = np.where(closing, "closed", "active").astype(object)

    # Meter test cycle by metering-point class (DL/T 448-2016): I for 35 kV or ≥ 2000 kVA, II for
    # the other two-part customers, III for other CT-metered or own-transformer points.
    cycles = catalog.TEST_CYCLE_MONTHS
    test_cycle = np.select(
        [(voltage >= 35) | (two_part & (capacity >= 2000)), two_part, (ct > 1) | own_transformer],
        [cycles["I"], cycles["II"], cycles["III"]],
        np.nan,
    ).astype(float)
    end_date = _last_day(month_starts)
    cycle_days = np.nan_to_num(test_cycle) * 30.4
    test_date = end_date - (rng.random(n) * (cycle_days - 20)).astype("timedelta64[D]")
    test_date[np.isnan(test_cycle)] = np.datetime64("NaT")

    # True consumption: segment base × seasonal profile × growth × noise.
    base = np.select(
        [
            usage == "residential",
            usage == "commercial",
            usage == "industrial",
            usage == "agricultural",
        ],
        [
            rng.lognormal(np.log(170), 0.5, n),
            rng.lognormal(np.log(2200), 0.7, n),
            rng.lognormal(np.log(6000), 0.7, n),
            rng.lognormal(np.log(1500), 0.6, n),
        ],
        rng.lognormal(np.log(2500), 0.6, n),
    )
    base[shared] *= rng.integers(*SHARED_METER_HOUSEHOLDS, size=int(shared.sum()))
    utilisation = np.where(
        basis == "demand", rng.uniform(0.33, 0.65, n), rng.uniform(0.40, 0.65, n)
    )
    load_factor = rng.uniform(0.30, 0.55, n)
    base[two_part] = (capacity * utilisation * load_factor * HOURS_PER_MONTH)[two_part]
    calendar_month = month_number(periods) % 12
    profiles = np.array([catalog.SEASONAL_PROFILES[u] for u in catalog.USAGE_TYPES])
    usage_index = np.array([catalog.USAGE_TYPES.index(u) for u in usage])
    season = profiles[usage_index][:, calendar_month]
    growth = (1 + rng.normal(0.03, 0.03, n))[:, None] ** (np.arange(m)[None, :] / 12)
    sigma = np.where(usage == "residential", 0.12, 0.08)[:, None]
    noise = np.exp(rng.normal(0.0, 1.0, (n, m)) * sigma - sigma**2 / 2)
    true_kwh = base[:, None] * season * growth * noise
    # Holiday homes: 3 % of households stand empty for one or two months (not an irregularity).
    vacant = np.flatnonzero((usage == "residential") & (rng.random(n) < 0.03))
    vacancy_start = rng.integers(0, m - 2, size=len(vacant))
    for offset in range(2):
        take = (offset == 0) | (rng.random(len(vacant)) < 0.5)
        true_kwh[vacant[take], vacancy_start[take] + offset] = 0.0
    demand = np.where(
        two_part[:, None], true_kwh / (HOURS_PER_MONTH * load_factor[:, None]), np.nan
    )
    true_kwh = np.where(active, true_kwh, 0.0) * _served(month_starts, conn_date, closure_date)
    demand = np.where(active, demand, np.nan)
    # Contract demand near the customer's usual peak: a few months go above 105 % of it.
    on_demand = np.flatnonzero(basis == "demand")
    contract_demand = np.full(n, np.nan)
    usual_peak = np.nanquantile(demand[on_demand], 0.8, axis=1)
    contract_demand[on_demand] = np.round(usual_peak * rng.uniform(0.95, 1.1, len(on_demand)), -1)

    tou = np.isin(usage, ["commercial", "industrial"]) & ~exception
    tou_base = np.zeros((n, 3))
    commercial, industrial = usage == "commercial", usage == "industrial"
    tou_base[:, 0] = np.where(commercial, 0.06, np.where(industrial, 0.05, 0.0))
    tou_base[:, 1] = np.where(
        commercial, rng.uniform(0.34, 0.44, n), np.where(industrial, rng.uniform(0.27, 0.36, n), 0)
    )
    tou_base[:, 2] = np.where(
        commercial, rng.uniform(0.12, 0.2, n), np.where(industrial, rng.uniform(0.24, 0.34, n), 0)
    )
    tou_base[~tou] = 0.0
    has_reactive = ~np.isnan(pf_standard)
    pf_natural = np.where(has_reactive, rng.uniform(*PF_RANGE, n), np.nan)
    export_share = np.where(
        has_reactive & (rng.random(n) < EXPORT_SHARE), rng.uniform(*EXPORT_RANGE, n), 0.0
    )
    temporary = business & ~two_part & (rng.random(n) < TEMPORARY_SHARE) & ~new & ~closing
    supply_end = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    supply_end[temporary] = end_date + rng.integers(
        *TEMPORARY_DAYS_LEFT, size=int(temporary.sum())
    ).astype("timedelta64[D]")
    area_id, feeder_id = _network(district_index, own_transformer, rng)

    price_change = m // 2
    market_start = price_change + max(m // 6, 1)
    wave = np.sin(2 * np.pi * (np.arange(m) - market_start) / 12)
    market_noise = rng.normal(0, catalog.MARKET_NOISE, m)  # drawn always: later draws stay put
    if schedule_seed is not None:
        market_noise = np.random.default_rng(schedule_seed).normal(0, catalog.MARKET_NOISE, m)
    market_factor = 1 + catalog.MARKET_AMPLITUDE * wave + market_noise
    calendar = Calendar(
        month_starts=month_starts,
        price_change=price_change,
        mid_change=price_change + 4,
        market_start=market_start,
        market_factor=market_factor,
    )
    no_fault = np.zeros((n, m), dtype=np.int8)
    world = World(
        rng=rng,
        periods=periods,
        customer_id=customer_id,
        district=district,
        usage=usage,
        tariff=tariff,
        voltage=voltage,
        capacity=capacity,
        basis=basis,
        ct=ct,
        ct_secondary=ct_secondary,
        pt=pt,
        meter_id=meter_id,
        conn_date=conn_date,
        status=status,
        test_date=test_date,
        test_cycle=test_cycle,
        active=active,
        true_kwh=true_kwh,
        metered_kwh=true_kwh.copy(),
        demand=demand,
        tariff_billed=np.repeat(tariff[:, None], m, axis=1),
        capacity_billed=np.where(two_part[:, None] & active, capacity[:, None], np.nan),
        multiplier=np.repeat((ct * pt)[:, None], m, axis=1),
        multiplier_billed=np.repeat((ct * pt)[:, None], m, axis=1),
        demand_factor=np.ones((n, m)),
        estimated=np.zeros((n, m), dtype=bool),
        meter_reset=np.zeros((n, m), dtype=bool),
        register_jump=np.zeros((n, m)),
        billed_share=np.ones((n, m)),
        rate_factor=np.ones((n, m)),
        busy=np.zeros(n, dtype=bool),
        params=load_billing_params(),
        calendar=calendar,
        read_day=np.where(business & (rng.random(n) < READ_ON_25TH_SHARE), READ_DAY, 0),
        metering_mode=metering_mode,
        contract_demand=contract_demand,
        pf_standard=pf_standard,
        tou=tou,
        tier_scheme=tier_scheme,
        industry=industry,
        area_id=area_id,
        feeder_id=feeder_id,
        supply_type=np.where(temporary, "temporary", "permanent").astype(object),
        supply_end=supply_end,
        tou_base=tou_base,
        pf_natural=pf_natural,
        export_share=export_share,
        nameplate=np.where(own_transformer, capacity, np.nan),
        closure_date=closure_date,
        loss_kva_after=np.full(n, np.nan),
        loss_change_month=np.full(n, -1),
        register_origin=round_half_up(rng.uniform(0, 50_000, n), 2),
        tou_fault=no_fault,
        tier_fault=no_fault.copy(),
        basic_fault=no_fault.copy(),
        pf_fault=no_fault.copy(),
        loss_fault=no_fault.copy(),
        fund_fault=no_fault.copy(),
    )
    world.busy[vacant] = True  # their zero months would blur zero-consumption and drop labels
    _isolated_estimates(world)  # first: a meter replacement reads both meters on site
    _normal_orders(world, new, conn_month, closing, close_month)
    return world


def _served(month_starts: np.ndarray, connection: np.ndarray, closure: np.ndarray) -> np.ndarray:
    """Share of each month's days in service: from the connection date, up to the closure date."""
    starts = month_starts.astype(np.int64)[None, :]
    days = np.array([pd.Timestamp(s).days_in_month for s in month_starts])[None, :]
    first = np.clip(connection.astype(np.int64)[:, None] - starts, 0, days)
    closed = closure.astype(np.int64)[:, None] - starts + 1
    last = np.where(np.isnat(closure)[:, None], days, np.clip(closed, 0, days))
    return np.clip(last - first, 0, None) / days


def _industries(usage: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An industry classification (行业分类) per customer, drawn by usage type."""
    industry = np.empty(len(usage), dtype=object)
    for kind, (names, weights) in catalog.INDUSTRIES.items():
        where = np.flatnonzero(usage == kind)
        choice = rng.choice(len(names), size=len(where), p=np.asarray(weights) / sum(weights))
        industry[where] = np.asarray(names, dtype=object)[choice]
    return industry


def pf_standard_of(
    usage: np.ndarray, own_transformer: np.ndarray, exception: np.ndarray, capacity: np.ndarray
) -> np.ndarray:
    """The power-factor standard customers are held to (水电财字〔1983〕215号): 0.90 industrial
    on their own transformer (supplied at high voltage) from 160 kVA, 0.80 agricultural and 0.85
    any other from 100 kVA, households and the shared-meter exceptions aside; NaN: none."""
    return np.select(
        [
            (usage == "industrial") & own_transformer & (capacity >= 160),
            (usage == "agricultural") & (capacity >= 100),
            ~np.isin(usage, ["residential"]) & ~exception & (capacity >= 100),
        ],
        [0.90, 0.80, 0.85],
        np.nan,
    )


def _network(
    district_index: np.ndarray, own_transformer: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Transformer area (台区) and feeder (线路): public areas of about 150 accounts, 20 areas to a
    feeder; a customer with its own transformer is an area of its own (专变) on a feeder."""
    n = len(district_index)
    area_number = rng.integers(0, max(n // 150 // max(district_index.max() + 1, 1), 1), n)
    district = np.char.zfill(district_index.astype(str), 2)
    area = np.char.add(np.char.add("TQ", district), np.char.zfill(area_number.astype(str), 4))
    feeder_number = np.where(own_transformer, rng.integers(0, 50, n), area_number // 20)
    feeder = np.char.add(np.char.add("XL", district), np.char.zfill(feeder_number.astype(str), 3))
    own = np.char.add("ZB", np.char.zfill(np.arange(1, n + 1).astype(str), 8))
    area = np.where(own_transformer, own, area)
    return area.astype(object), feeder.astype(object)


def _normal_orders(
    world: World,
    new: np.ndarray,
    conn_month: np.ndarray,
    closing: np.ndarray,
    close_month: np.ndarray,
) -> None:
    """Work orders of honest business, applied correctly to the archive and to billing."""
    rng, m = world.rng, world.n_months
    idx = np.flatnonzero(new)
    world.add_orders(
        idx,
        "new_connection",
        conn_month[idx],
        np.full(len(idx), ""),
        world.capacity[idx],
        lead_days=(10, 40),
        effective=world.conn_date[idx],
    )
    world.busy[idx] = True
    idx = np.flatnonzero(closing)
    world.add_orders(
        idx,
        "closure",
        close_month[idx],
        np.full(len(idx), "active"),
        np.full(len(idx), "closed"),
        effective=world.closure_date[idx],
    )
    world.busy[idx] = True

    everyone = np.ones(world.n_customers, dtype=bool)
    idx = world.pick(everyone, 0.02)
    world.replace_meter(idx, rng.integers(2, m - 1, size=len(idx)))

    sizes = catalog.TRANSFORMER_SIZES_KVA
    # Capacity changes of customers billed on capacity and metered on the high-voltage side, in the
    # middle of a read period (prorated by day), the transformers following them.
    changeable = capacity_changeable(world)
    months = np.arange(m)[None, :]
    # Capacity increase: billed on the old, smaller transformer before the effective date.
    idx = world.pick(changeable & (world.capacity > sizes[0]), 0.03)
    month = rng.integers(3, m - 2, size=len(idx))
    old = sizes[np.searchsorted(sizes, world.capacity[idx]) - 1].astype(float)
    world.capacity_billed[idx] = np.where(world.active[idx], old[:, None], np.nan)
    date = world.change_capacity(idx, "increase", month, old, world.capacity[idx])
    world.add_orders(idx, "capacity_increase", month, old, world.capacity[idx], effective=date)
    world.nameplate[idx] = old
    _scale_load(
        world, idx, np.where(months < month[:, None], (old / world.capacity[idx])[:, None], 1.0)
    )
    # Capacity reduction: one transformer removed, load falls with it.
    idx = world.pick(changeable & (world.capacity >= 630), 0.03)
    month = rng.integers(3, m - 2, size=len(idx))
    new_capacity = smaller_size(world.capacity[idx], rng)
    date = world.change_capacity(idx, "reduction", month, world.capacity[idx], new_capacity)
    world.add_orders(
        idx, "capacity_reduction", month, world.capacity[idx], new_capacity, effective=date
    )
    after = months >= month[:, None]
    _scale_load(world, idx, np.where(after, (new_capacity / world.capacity[idx])[:, None], 1.0))
    world.capacity[idx] = new_capacity
    # Suspension of part of the capacity for two to six months (never under 15 days), then resumption.
    idx = world.pick(changeable & (world.capacity >= 630), 0.05)
    suspend(world, idx, rng.integers(2, m - 7, size=len(idx)), rng.integers(2, 7, size=len(idx)))
    # Tariff change with a real change of use: a household opens a shop (single rate, no tiers).
    idx = world.pick((world.usage == "residential") & (world.tier_scheme == "single"), 0.005)
    month = rng.integers(3, m - 2, size=len(idx))
    res, com = catalog.TARIFF_CODES.index("RES"), catalog.TARIFF_CODES.index("COM")
    world.add_orders(
        idx, "tariff_change", month, np.full(len(idx), "RES"), np.full(len(idx), "COM")
    )
    world.usage[idx] = "commercial"
    world.tariff[idx] = com
    world.tariff_billed[idx] = np.where(np.arange(m)[None, :] < month[:, None], res, com)
    world.tier_scheme[idx] = "none"
    world.industry[idx] = "批发和零售业"


def capacity_changeable(world: World) -> np.ndarray:
    """Two-part customers billed on capacity, metered on the high-voltage side."""
    return world.is_two_part() & (world.basis == "capacity") & (world.metering_mode == "high_high")


def working_day_after(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The `count`-th working day after each `start` (datetime64[D]; Chinese calendar with its
    holidays and make-up days, as `auditkit.rules.workdays` counts them): the day a step taking
    `count` working days is done, so that `WorkingCalendar.working_days(start, day) == count`."""
    start = np.asarray(start, dtype="datetime64[D]")
    count = np.asarray(count, dtype=np.int64)
    if not len(start):
        return start
    calendar = WorkingCalendar.chinese()
    # count working days never take more than 7/5 as many days plus the longest holiday (8 days)
    horizon = int(count.max()) * 7 // 5 + 20
    days = start[:, None] + np.arange(1, horizon + 1).astype("timedelta64[D]")
    working = np.is_busday(days, weekmask=WEEKMASK, holidays=calendar.holidays) | np.isin(
        days, calendar.makeup_days
    )
    reached = np.cumsum(working, axis=1) >= count[:, None]
    return days[np.arange(len(start)), reached.argmax(axis=1)]


def smaller_size(capacity: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A standard transformer size about half to two thirds of `capacity`, never below 315 kVA
    (less moves the customer to a single-part tariff, 发改办价格〔2016〕1583号)."""
    sizes = catalog.TRANSFORMER_SIZES_KVA
    target = capacity * rng.uniform(0.45, 0.7, size=len(capacity))
    return sizes[np.clip(np.searchsorted(sizes, target) - 1, 0, len(sizes) - 1)].astype(float)


def _scale_load(world: World, idx: np.ndarray, scale: np.ndarray) -> None:
    """Scale consumption and demand of customers `idx` month by month (a change of equipment)."""
    world.true_kwh[idx] *= scale
    world.metered_kwh[idx] *= scale
    world.demand[idx] *= scale


def suspend(
    world: World,
    idx: np.ndarray,
    month: np.ndarray,
    length: np.ndarray,
    load_follows: bool = True,
    remaining: np.ndarray | None = None,
) -> np.ndarray:
    """Suspend part of the capacity of `idx` from mid-`month` for `length` months (0 = never
    resumed): one transformer sealed, billing on the remaining capacity, prorated by day in the
    months of suspension and resumption.

    Returns the remaining capacity (`remaining` where given, else a smaller standard size). With
    `load_follows`, consumption falls to fit the remaining capacity as it does when the sealed
    transformer is really off.
    """
    m = world.n_months
    capacity = world.capacity[idx]
    if remaining is None:
        remaining = smaller_size(capacity, world.rng)
    date = world.change_capacity(idx, "suspension", month, capacity, remaining)
    world.add_orders(idx, "suspension", month, capacity, remaining, effective=date)
    months = np.arange(m)[None, :]
    resumed = length > 0
    end = np.where(resumed, month + length, m)
    during = (months >= month[:, None]) & (months < end[:, None])
    if load_follows:
        factor = (remaining / capacity)[:, None] * world.rng.uniform(0.6, 0.9, (len(idx), 1))
        _scale_load(world, idx, np.where(during, factor, 1.0))
    if resumed.any():
        back = idx[resumed]
        # Resumed on the day of the month it was suspended or earlier: `length` months at most
        # (184 days for 6), within the yearly allowance.
        suspended_day = (date - world.month_starts[month]).astype(np.int64) + 1
        day = world.rng.integers(CHANGE_DAYS[0], CHANGE_DAYS[1] + 1, size=len(back))
        date = world.change_capacity(
            back,
            "resumption",
            end[resumed],
            remaining[resumed],
            capacity[resumed],
            day=np.minimum(day, suspended_day[resumed]),
        )
        world.add_orders(
            back, "resumption", end[resumed], remaining[resumed], capacity[resumed], effective=date
        )
    world.status[idx[~resumed]] = "suspended"
    return remaining


def _isolated_estimates(world: World) -> None:
    """Normal estimated reads: at most two, never in consecutive months."""
    rng, m = world.rng, world.n_months
    idx = np.flatnonzero(rng.random(world.n_customers) < 0.15)
    first = rng.integers(1, m // 2 - 1, size=len(idx))
    second = first + rng.integers(3, m // 2, size=len(idx))
    world.estimated[idx, first] = True
    world.estimated[idx, np.minimum(second, m - 2)] = True
    world.estimated &= world.active

"""The table contract of DATA.md as data: one declarative spec per table.

Readers, type conversion and validation all read these specs, so the contract lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from auditkit.masking import PERSONAL_COLUMNS
from auditkit.options.sampling import AUDIT_KINDS

Kind = Literal["text", "period", "date", "datetime", "number", "integer", "bool"]

#: The most characters of a key-like text cell (an id, a district, a tariff category: any text
#: column but free text). Real ones are far shorter (account numbers of 10-20 digits, district
#: and tariff names of 2-30 characters); 64 CJK characters still make a partition folder name
#: (`district=` + 192 UTF-8 bytes) within the 255 bytes a file system allows, and fit the
#: register's String(200) columns. A longer one is refused (a 100,000-character district made
#: 600,000-pixel charts).
KEY_CHARACTERS = 64

#: Every number of the contract (kWh, yuan, readings, rates, ratios, capacities) is below this
#: in magnitude. The largest customers (aluminium smelters) use about 10^9 kWh, some 5 × 10^8
#: yuan, a month, a whole province sells under 10^11 kWh a month: 10^12 is beyond any real figure,
#: and below it float64 still holds a fen exactly and the rules' sums and counts (tier kWh in
#: 1/10,000 kWh as int64) cannot overflow. A larger figure (1e17, 1e308) is a broken export.
LARGEST_NUMBER = 1e12
#: LARGEST_NUMBER as the contract's messages write it.
LARGEST_SHOWN = "10^12"

USAGE_TYPES = ("residential", "commercial", "industrial", "agricultural", "public")
TOU_PERIODS = ("critical", "peak", "flat", "valley")
LINE_TYPES = ("energy", "basic", "pf_adjustment", "loss", "fund")
ORDER_TYPES = (
    "new_connection",
    "capacity_increase",
    "capacity_reduction",
    "suspension",
    "resumption",
    "tariff_change",
    "meter_replacement",
    "closure",
    "ownership_transfer",
    "basis_change",
    "demand_change",
    "voltage_change",
    "temporary_supply",
    "meter_removal",
    "meter_move",
)
TRANSFORMER_STATUSES = ("running", "hot_standby", "cold_standby", "sealed", "removed")
METER_EVENTS = (
    "voltage_loss",
    "current_loss",
    "cover_open",
    "reverse_energy",
    "phase_imbalance",
    "clock_drift",
    "other",
)
ADJUSTMENT_KINDS = ("refund", "backbill", "late_fee_waiver", "read_correction")
#: Kinds of honest look-alikes the synthetic utility tags (DOMAIN.md, "Honest look-alikes").
LOOKALIKE_KINDS = (
    "seasonal_business",
    "residential_vacancy",
    "multiplier_change_with_order",
    "mid_month_price_change",
    "mid_month_connection",
    "tou_bill",
    "tiered_bill",
    "late_legal_posting",
    "shared_meter_exception",
    "industry_downturn",
    "meter_replacement_joined",
    # Practice checks (issue 15): honest cases the new rules must not flag.
    "suspension_across_years",
    "closure_final_bill",
    "same_building_accounts",
    "temporary_supply_extended",
    "meter_event_inspected",
    "busy_refund_operator",
    "ev_charging_tariff",
)


@dataclass(frozen=True)
class Column:
    """One canonical column: its type, whether it must be present and filled, and its domain.

    `minimum` with `minimum_inclusive` expresses "≥ 0" (inclusive) or "> 0" (exclusive),
    `maximum` "≤ 1"; `allowed` lists the only values a text column may take, `choices` the
    only numbers a number column may.
    """

    name: str
    kind: Kind
    required: bool = False
    nullable: bool | None = None
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    minimum_inclusive: bool = True
    #: The largest number a number column may hold (inclusive).
    maximum: float | None = None
    #: The only numbers a number column may hold (a standard's values).
    choices: tuple[float, ...] | None = None
    #: A date that may lie beyond the years pandas holds: an end of validity, 9999-12-31 "never".
    open_end: bool = False
    #: Text written by a person (a name, an address, an order's old and new value): it may hold
    #: tabs and line breaks. Other text (ids, districts, categories) is a key that names things:
    #: no control character at all.
    free_text: bool = False
    #: The most characters a text cell may hold (text with `allowed` values is held to those):
    #: KEY_CHARACTERS for a key, more for free text, each far beyond what a real one holds (a
    #: 1 MB address is a broken export, and would be carried into every field sheet).
    longest: int = KEY_CHARACTERS

    @property
    def may_be_empty(self) -> bool:
        """Whether a cell may be empty: optional columns may, required ones only when declared."""
        return (not self.required) if self.nullable is None else self.nullable


@dataclass(frozen=True)
class Reference:
    """`column` of this table must name an existing `target_column` of `target_table`.

    A broken reference is an error, or a warning when the audit rules treat it as a finding.
    """

    column: str
    target_table: str
    target_column: str
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class TableSpec:
    """One table of the dataset: its columns, its unique key and its references to other tables."""

    name: str
    columns: tuple[Column, ...]
    required: bool = False
    key: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        """Canonical column names in contract order."""
        return tuple(column.name for column in self.columns)

    @property
    def personal(self) -> bool:
        """Whether the table has personal columns (name, address, phone), shown masked."""
        return any(name in PERSONAL_COLUMNS for name in self.column_names)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns the file must contain."""
        return tuple(column.name for column in self.columns if column.required)

    def column(self, name: str) -> Column:
        """The spec of the canonical column `name` (KeyError if it is not one)."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _text(name: str, required: bool = False, allowed: tuple[str, ...] | None = None) -> Column:
    return Column(name, "text", required=required, allowed=allowed)


def _free_text(name: str, longest: int) -> Column:
    return Column(name, "text", free_text=True, longest=longest)


def _number(
    name: str, required: bool = False, minimum: float | None = None, inclusive: bool = True
) -> Column:
    return Column(name, "number", required=required, minimum=minimum, minimum_inclusive=inclusive)


def _date(name: str, required: bool = False, open_end: bool = False) -> Column:
    return Column(name, "date", required=required, open_end=open_end)


CUSTOMERS = TableSpec(
    name="customers",
    required=True,
    key=("customer_id",),
    columns=(
        _text("customer_id", required=True),
        _text("district", required=True),
        _text("usage_type", required=True, allowed=USAGE_TYPES),
        _text("tariff_category", required=True),
        _number("voltage_kv", required=True, minimum=0, inclusive=False),
        _text("status", required=True, allowed=("active", "suspended", "closed")),
        _date("connection_date", required=True),
        _number("contract_capacity_kva", minimum=0),
        _text("basic_charge_basis", required=True, allowed=("capacity", "demand", "none")),
        _text("meter_id", required=True),
        _number("ct_ratio", required=True, minimum=1),
        _number("pt_ratio", required=True, minimum=1),
        _date("meter_test_date"),
        # Periodic test cycles run from months to some ten years; a century is far beyond, and
        # a due date past pandas' years would crash the overdue rule.
        Column(
            "meter_test_cycle_months", "integer", minimum=0, minimum_inclusive=False, maximum=1200
        ),
        # A company's registered name is at most some 50 characters, an address with its
        # building, unit and room some 100, a phone cell a few numbers with an extension.
        _free_text("name", longest=200),
        _free_text("address", longest=500),
        _free_text("phone", longest=100),
        # Itemized billing (DATA.md, "How bills are really computed"): all optional.
        _text("metering_mode", allowed=("high_high", "high_low", "low_low")),
        _number("contract_demand_kw", minimum=0),
        # 《功率因数调整电费办法》's three standards.
        Column("pf_standard", "number", choices=(0.80, 0.85, 0.90)),
        Column("tou", "bool"),
        _text("tier_scheme", allowed=("single", "shared", "none")),
        _text("industry"),
        _text("area_id"),
        _text("feeder_id"),
        _text("supply_type", allowed=("permanent", "temporary")),
        _date("supply_end_date", open_end=True),
        # Rated secondary current of the CT in amperes (IEC 61869-2: 1, 2 or 5); empty = 5 A.
        Column("ct_secondary_a", "number", choices=(1, 2, 5)),
    ),
    references=(Reference("tariff_category", "tariffs", "tariff_category"),),
)

BILLS = TableSpec(
    name="bills",
    required=True,
    key=("customer_id", "period"),
    columns=(
        _text("customer_id", required=True),
        Column("period", "period", required=True),
        _number("register_start", required=True, minimum=0),
        _number("register_end", required=True, minimum=0),
        _number("multiplier_billed", required=True, minimum=1),
        _number("kwh_billed", required=True, minimum=0),
        _text("tariff_billed", required=True),
        _number("energy_rate", required=True, minimum=0),
        _number("energy_charge", required=True),
        _number("capacity_billed_kva", minimum=0),
        _number("max_demand_kw", minimum=0),
        _number("basic_charge", minimum=0),
        _number("amount", required=True),
        _text("read_type", required=True, allowed=("actual", "estimated")),
        _date("read_from"),
        _date("read_to"),
        _number("kvarh_import", minimum=0),
        _number("kvarh_export", minimum=0),
        Column("power_factor", "number", minimum=0, minimum_inclusive=False, maximum=1),
        _number("pf_adjustment"),
        _number("loss_kwh", minimum=0),
        _number("fund_charge", minimum=0),
        # Time-of-use period registers × the billed multiplier (峰/谷/尖 电量); flat = the rest.
        _number("kwh_critical", minimum=0),
        _number("kwh_peak", minimum=0),
        _number("kwh_valley", minimum=0),
        # Meter reader (抄表员) who read the registers by hand; empty for remote (automatic) reads.
        _text("reader_id"),
    ),
    references=(
        Reference("customer_id", "customers", "customer_id"),
        # Billing with a tariff missing from the schedule is a billing irregularity to audit.
        Reference("tariff_billed", "tariffs", "tariff_category", severity="warning"),
    ),
)

TARIFFS = TableSpec(
    name="tariffs",
    required=True,
    # A row is one rate: of a category, from a date, for a voltage band, TOU period and tier.
    key=("tariff_category", "valid_from", "voltage_kv_min", "voltage_kv_max", "tou_period", "tier"),
    columns=(
        _text("tariff_category", required=True),
        _text("usage_type", required=True, allowed=USAGE_TYPES),
        _number("energy_rate", required=True, minimum=0),
        _number("basic_rate_kva_month", minimum=0),
        _number("basic_rate_kw_month", minimum=0),
        _date("valid_from", required=True),
        _date("valid_to", open_end=True),
        _number("voltage_kv_min", minimum=0),
        _number("voltage_kv_max", minimum=0),
        _text("tou_period", allowed=TOU_PERIODS),
        # Residential tiers are three (发改价格〔2011〕2617号).
        Column("tier", "integer", minimum=1, maximum=3),
        _number("tier_from_kwh", minimum=0),
        _number("tier_to_kwh", minimum=0),
        _number("fund_rate", minimum=0),
        Column("market", "bool"),
    ),
)

WORK_ORDERS = TableSpec(
    name="work_orders",
    key=("order_id",),
    columns=(
        _text("order_id", required=True),
        _text("customer_id", required=True),
        _text("order_type", required=True, allowed=ORDER_TYPES),
        _date("issued_at", required=True),
        _date("transferred_at"),
        _date("registered_at"),
        _date("archived_at"),
        _date("effective_date"),
        # a capacity, a multiplier or a tariff category, at most a sentence of what changed
        _free_text("old_value", longest=500),
        _free_text("new_value", longest=500),
        _number("old_final_read", minimum=0),
        _number("new_first_read", minimum=0),
    ),
    references=(Reference("customer_id", "customers", "customer_id"),),
)

INSPECTIONS = TableSpec(
    name="inspections",
    columns=(
        _text("customer_id", required=True),
        _date("inspected_at", required=True),
        _text("audit_kind", required=True, allowed=AUDIT_KINDS),
        _text("auditing_district", required=True),
        Column("error_found", "bool", required=True),
        _number("book_value"),
        _number("audited_value"),
    ),
    references=(Reference("customer_id", "customers", "customer_id"),),
)

DISTRICT_SUPPLY = TableSpec(
    name="district_supply",
    key=("district", "period"),
    columns=(
        _text("district", required=True),
        Column("period", "period", required=True),
        _number("kwh_supplied", required=True, minimum=0),
    ),
    references=(Reference("district", "customers", "district", severity="warning"),),
)

NETWORK_SUPPLY = TableSpec(
    name="network_supply",
    # Energy fed into a transformer area (台区) or a feeder (线路) in a calendar month, from its
    # supply meter: with daily reads, the loss of the same period (同期线损).
    key=("level", "unit_id", "period"),
    columns=(
        _text("level", required=True, allowed=("area", "feeder")),
        _text("unit_id", required=True),
        Column("period", "period", required=True),
        _number("kwh_supplied", required=True, minimum=0),
    ),
)

DAILY_READS = TableSpec(
    name="daily_reads",
    key=("customer_id", "date"),
    columns=(
        _text("customer_id", required=True),
        _date("date", required=True),
        Column("kwh", "number", required=True, nullable=True, minimum=0),
    ),
    references=(Reference("customer_id", "customers", "customer_id"),),
)

INTERVAL_READS = TableSpec(
    name="interval_reads",
    # Smart-meter interval energy (负荷曲线: 96 points a day at 15 minutes, or 24 hourly): kwh is
    # the energy of the interval starting at read_at; interval_minutes (a divisor of 60) when the
    # export states it, else implied by the spacing of the customer's reads.
    key=("customer_id", "read_at"),
    columns=(
        _text("customer_id", required=True),
        Column("read_at", "datetime", required=True),
        Column("kwh", "number", required=True, nullable=True, minimum=0),
        Column("interval_minutes", "integer", minimum=0, minimum_inclusive=False),
    ),
    references=(Reference("customer_id", "customers", "customer_id"),),
)

TRUTH = TableSpec(
    name="truth",
    columns=(
        _text("customer_id", required=True),
        _text("irregularity", required=True),
        Column("from_period", "period"),
        _number("revenue_effect"),
        _date("from_date"),  # the day it began, where known (synth: thefts, tampering)
    ),
    references=(Reference("customer_id", "customers", "customer_id"),),
)

BILL_LINES = TableSpec(
    name="bill_lines",
    columns=(
        _text("customer_id", required=True),
        Column("period", "period", required=True),
        _text("line_type", required=True, allowed=LINE_TYPES),
        _text("tou_period", allowed=TOU_PERIODS),
        # Residential tiers are three (发改价格〔2011〕2617号).
        Column("tier", "integer", minimum=1, maximum=3),
        _number("quantity"),
        _number("rate"),
        _number("amount", required=True),
    ),
    references=(Reference("customer_id", "customers", "customer_id"),),
)

TRANSFORMERS = TableSpec(
    name="transformers",
    # One row per transformer state: a transformer whose status changed has a row per change.
    key=("customer_id", "transformer_id", "status_since"),
    columns=(
        _text("customer_id", required=True),
        _text("transformer_id", required=True),
        _number("kva", required=True, minimum=0, inclusive=False),
        _number("no_load_loss_kw", minimum=0),
        _number("load_loss_kw", minimum=0),
        _text("status", required=True, allowed=TRANSFORMER_STATUSES),
        _date("status_since"),
    ),
    references=(Reference("customer_id", "customers", "customer_id"),),
)

METER_EVENTS_SPEC = TableSpec(
    name="meter_events",
    columns=(
        _text("customer_id", required=True),
        _text("meter_id"),
        Column("event_at", "datetime", required=True),
        _text("event", required=True, allowed=METER_EVENTS),
        Column("cleared_at", "datetime"),
    ),
    references=(Reference("customer_id", "customers", "customer_id"),),
)

METER_TESTS = TableSpec(
    name="meter_tests",
    columns=(
        _text("customer_id", required=True),
        _text("meter_id", required=True),
        _date("tested_at", required=True),
        _number("error_pct", required=True),
    ),
    references=(Reference("customer_id", "customers", "customer_id"),),
)

ADJUSTMENTS = TableSpec(
    name="adjustments",
    columns=(
        _text("customer_id", required=True),
        Column("period", "period", required=True),
        _date("adjusted_at", required=True),
        _text("kind", required=True, allowed=ADJUSTMENT_KINDS),
        _number("amount", required=True),
        _text("approved_by"),
        _text("operator_id"),
    ),
    references=(Reference("customer_id", "customers", "customer_id"),),
)

LOOKALIKES = TableSpec(
    name="lookalikes",
    columns=(
        _text("customer_id", required=True),
        _text("kind", required=True, allowed=LOOKALIKE_KINDS),
        Column("from_period", "period"),
    ),
    references=(Reference("customer_id", "customers", "customer_id"),),
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        CUSTOMERS,
        BILLS,
        TARIFFS,
        WORK_ORDERS,
        INSPECTIONS,
        DISTRICT_SUPPLY,
        NETWORK_SUPPLY,
        DAILY_READS,
        INTERVAL_READS,
        BILL_LINES,
        TRANSFORMERS,
        METER_EVENTS_SPEC,
        METER_TESTS,
        ADJUSTMENTS,
        TRUTH,
        LOOKALIKES,
    )
}

# Tables whose rows belong to one customer, and tables whose rows belong to one district.
CUSTOMER_KEYED = (
    "bills",
    "work_orders",
    "inspections",
    "daily_reads",
    "interval_reads",
    "bill_lines",
    "transformers",
    "meter_events",
    "meter_tests",
    "adjustments",
    "truth",
    "lookalikes",
)
DISTRICT_KEYED = ("district_supply",)

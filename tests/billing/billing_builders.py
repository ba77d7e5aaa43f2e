"""Small hand-made itemized utilities for recomputation tests: a tariff schedule with a mid-month
price change, time-of-use periods, residential tiers, monthly market prices and a two-part tariff,
and a builder of customers, bills, bill lines and orders whose figures the tests compute by hand."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from auditkit.data import Dataset


def _row(category: str, usage: str, rate: float, valid_from: str, **more: object) -> dict:
    return {
        "tariff_category": category,
        "usage_type": usage,
        "energy_rate": rate,
        "valid_from": pd.Timestamp(valid_from),
        **more,
    }


# COM: 0.80 yuan/kWh until 2024-03-15, 0.90 from the 16th.
# TOU (industrial, 10 kV): critical 1.20, peak 0.95, flat 0.60, valley 0.30; at 35 kV and above
#   flat 0.55 only (a narrower band wins inside 1-20 kV: flat 0.60; the empty band is 0.65).
# RES: tiers on the year's kWh, 0-2160 at 0.50, 2160-4800 at 0.55, above 4800 at 0.80; the row
#   without a tier (0.52) is the shared-meter (合表) price.
# MKT: monthly market prices, 0.45 in 2024-01, 0.47 in 2024-02.
# IND2: two-part, 0.60 yuan/kWh, 30 yuan per kVA-month, 40 per kW-month, funds 0.03 yuan/kWh.
TARIFFS = pd.DataFrame(
    [
        _row("COM", "commercial", 0.80, "2018-01-01", valid_to=pd.Timestamp("2024-03-15")),
        _row("COM", "commercial", 0.90, "2024-03-16"),
        _row("TOU", "industrial", 1.20, "2018-01-01", tou_period="critical"),
        _row("TOU", "industrial", 0.95, "2018-01-01", tou_period="peak"),
        _row("TOU", "industrial", 0.65, "2018-01-01", tou_period="flat"),
        _row("TOU", "industrial", 0.30, "2018-01-01", tou_period="valley"),
        _row(
            "TOU", "industrial", 0.60, "2018-01-01", tou_period="flat",
            voltage_kv_min=1.0, voltage_kv_max=20.0,
        ),
        _row("TOU", "industrial", 0.55, "2018-01-01", voltage_kv_min=35.0),
        _row("RES", "residential", 0.50, "2018-01-01", tier=1, tier_from_kwh=0, tier_to_kwh=2160),
        _row(
            "RES", "residential", 0.55, "2018-01-01", tier=2, tier_from_kwh=2160, tier_to_kwh=4800
        ),
        _row("RES", "residential", 0.80, "2018-01-01", tier=3, tier_from_kwh=4800),
        _row("RES", "residential", 0.52, "2018-01-01"),
        _row(
            "MKT", "commercial", 0.45, "2024-01-01", valid_to=pd.Timestamp("2024-01-31"),
            market=True,
        ),
        _row(
            "MKT", "commercial", 0.47, "2024-02-01", valid_to=pd.Timestamp("2024-02-29"),
            market=True,
        ),
        _row(
            "IND2", "industrial", 0.60, "2018-01-01",
            basic_rate_kva_month=30.0, basic_rate_kw_month=40.0, fund_rate=0.03,
        ),
    ]
)  # fmt: skip


@dataclass
class Billing:
    """Customers, bills, bill lines and orders; `dataset()` validates them like a loaded export."""

    customers: list[dict] = field(default_factory=list)
    bills: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)
    tariffs: pd.DataFrame = field(default_factory=TARIFFS.copy)

    def customer(self, customer_id: str, **archive: object) -> str:
        """A commercial low-voltage customer on COM with multiplier 1, unless `archive` says."""
        row = {
            "customer_id": customer_id,
            "district": "城东",
            "usage_type": "commercial",
            "tariff_category": "COM",
            "voltage_kv": 0.4,
            "status": "active",
            "connection_date": pd.Timestamp("2020-01-01"),
            "contract_capacity_kva": 50.0,
            "basic_charge_basis": "none",
            "meter_id": f"M-{customer_id}",
            "ct_ratio": 1.0,
            "pt_ratio": 1.0,
            "metering_mode": "low_low",
            "pf_standard": None,
            "tou": False,
            "tier_scheme": "none",
        }
        unknown = set(archive) - set(row)
        assert not unknown, unknown
        row.update(archive)
        self.customers.append(row)
        return customer_id

    def bill(
        self,
        customer_id: str,
        period: str,
        kwh: float,
        rate: float,
        *,
        multiplier: float = 1.0,
        start: float = 1000.0,
        energy_charge: float | None = None,
        tariff: str = "COM",
        **columns: object,
    ) -> dict:
        """A bill of `kwh` billed at `rate` (energy charge rounded half up unless given), registers
        from `start` moving by kwh / multiplier; `columns` sets any other bill column."""
        energy = energy_charge if energy_charge is not None else _fen(kwh * rate)
        row = {
            "customer_id": customer_id,
            "period": period,
            "register_start": start,
            "register_end": start + kwh / multiplier,
            "multiplier_billed": multiplier,
            "kwh_billed": kwh,
            "tariff_billed": tariff,
            "energy_rate": rate,
            "energy_charge": energy,
            "basic_charge": 0.0,
            "amount": energy,
            "read_type": "actual",
        }
        row.update(columns)
        self.bills.append(row)
        return row

    def line(
        self,
        customer_id: str,
        period: str,
        line_type: str,
        quantity: float,
        rate: float,
        *,
        tou_period: str | None = None,
        tier: int | None = None,
        amount: float | None = None,
    ) -> None:
        """A billed line; amount = quantity × rate rounded half up unless given."""
        self.lines.append(
            {
                "customer_id": customer_id,
                "period": period,
                "line_type": line_type,
                "tou_period": tou_period,
                "tier": tier,
                "quantity": quantity,
                "rate": rate,
                "amount": amount if amount is not None else _fen(quantity * rate),
            }
        )

    def order(
        self, customer_id: str, order_type: str, effective: str, old: object = "", new: object = ""
    ) -> None:
        issued = pd.Timestamp(effective) - pd.Timedelta(days=10)
        self.orders.append(
            {
                "order_id": f"WO{len(self.orders) + 1:04d}",
                "customer_id": customer_id,
                "order_type": order_type,
                "issued_at": issued,
                "transferred_at": issued + pd.Timedelta(days=1),
                "registered_at": issued + pd.Timedelta(days=2),
                "archived_at": issued + pd.Timedelta(days=3),
                "effective_date": pd.Timestamp(effective),
                "old_value": str(old),
                "new_value": str(new),
            }
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        tables = {
            "customers": pd.DataFrame(self.customers),
            "bills": pd.DataFrame(self.bills),
            "tariffs": self.tariffs,
        }
        if self.lines:
            tables["bill_lines"] = pd.DataFrame(self.lines)
        if self.orders:
            tables["work_orders"] = pd.DataFrame(self.orders)
        return tables

    def dataset(self) -> Dataset:
        return Dataset.from_frames(self.tables())


def _fen(value: float) -> float:
    """Half up to the fen, as a bill rounds (test-side, on decimal text to stay independent)."""
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def line_of(
    result: pd.DataFrame,
    customer_id: str,
    period: str,
    line_type: str = "energy",
    tou_period: str | None = None,
    tier: int | None = None,
) -> pd.Series:
    """The one recompute row of this bill and line kind."""
    rows = result[
        (result["customer_id"] == customer_id)
        & (result["period"] == period)
        & (result["line_type"] == line_type)
        & (
            result["tou_period"].isna()
            if tou_period is None
            else result["tou_period"] == tou_period
        )
        & (result["tier"].isna() if tier is None else result["tier"] == tier)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]

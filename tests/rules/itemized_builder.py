"""Itemized utilities for rule tests: bills with their lines, transformers, a schedule with a
mid-month price change, time-of-use periods, tiers, monthly market prices and funds.

Every figure a test asserts is computed by hand in the test from the rates below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from auditkit import rules
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
# TOU (industrial): critical 1.20, peak 0.95 (1.00 from 2024-04-01), flat 0.60, valley 0.30;
#   two-part, 30 yuan per kVA-month, funds 0.03 yuan/kWh.
# RES: tiers on the year's kWh: 0-2160 at 0.50, 2160-4800 at 0.55, above 4800 at 0.80; the row
#   without a tier (0.52) is the shared-meter price.
# MKT: monthly market prices, 0.45 in 2024-01, 0.47 in 2024-02, 0.44 in 2024-03.
# IND2: two-part, 0.60 yuan/kWh, 30 yuan per kVA-month, 40 per kW-month, funds 0.03 yuan/kWh;
#   at 35-220 kV (a narrower band) 0.55 yuan/kWh.
TARIFFS = pd.DataFrame(
    [
        _row("COM", "commercial", 0.80, "2018-01-01", valid_to=pd.Timestamp("2024-03-15")),
        _row("COM", "commercial", 0.90, "2024-03-16"),
        *(
            _row("TOU", "industrial", rate, valid_from, tou_period=period, valid_to=valid_to,
                 **({"basic_rate_kva_month": 30.0, "fund_rate": 0.03} if period == "flat" else {}))
            for valid_from, valid_to, peak in (
                ("2018-01-01", pd.Timestamp("2024-03-31"), 0.95), ("2024-04-01", pd.NaT, 1.00)
            )
            for period, rate in (("critical", 1.20), ("peak", peak), ("flat", 0.60),
                                 ("valley", 0.30))
        ),
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
            "MKT", "commercial", 0.44, "2024-03-01", valid_to=pd.Timestamp("2024-03-31"),
            market=True,
        ),
        _row(
            "IND2", "industrial", 0.60, "2018-01-01",
            basic_rate_kva_month=30.0, basic_rate_kw_month=40.0, fund_rate=0.03,
        ),
        _row(
            "IND2", "industrial", 0.55, "2018-01-01", voltage_kv_min=35.0, voltage_kv_max=220.0,
            basic_rate_kva_month=30.0, basic_rate_kw_month=40.0, fund_rate=0.03,
        ),
    ]
)  # fmt: skip
#: Archive of a two-part industrial customer at 10 kV, 400 kVA charged by capacity.
INDUSTRIAL = {
    "usage_type": "industrial",
    "tariff_category": "IND2",
    "voltage_kv": 10.0,
    "contract_capacity_kva": 400.0,
    "basic_charge_basis": "capacity",
}
#: S11 400 kVA: no-load and load losses (kW).
S11_400 = {"kva": 400.0, "no_load_loss_kw": 0.57, "load_loss_kw": 4.52}


def fen(value: float) -> float:
    """Half up to the fen, as a bill rounds (on decimal text, independent of the code tested)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass
class Itemized:
    """Customers, bills with their lines, transformers and orders of a hand-made utility."""

    customers: list[dict] = field(default_factory=list)
    bills: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    transformers: list[dict] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)
    registers: dict[str, float] = field(default_factory=dict)

    def customer(self, customer_id: str, **archive: object) -> str:
        """A low-voltage commercial customer on COM, multiplier 1, unless `archive` says."""
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
            "contract_demand_kw": None,
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
        lines: list[tuple],
        *,
        tariff: str = "COM",
        multiplier: float = 1.0,
        **columns: object,
    ) -> dict:
        """A bill of `kwh` with its `lines`: (line_type, quantity, rate[, tou_period[, tier[,
        amount]]]), amount = quantity × rate to the fen unless given. The bill's columns add up
        its lines (energy_charge holds energy and loss lines); registers follow kWh / multiplier."""
        start = self.registers.get(customer_id, 1000.0)
        self.registers[customer_id] = start + kwh / multiplier
        total = {kind: 0.0 for kind in ("energy", "loss", "basic", "pf_adjustment", "fund")}
        for line in lines:
            line_type, quantity, rate, *more = line
            tou_period = more[0] if len(more) > 0 else None
            tier = more[1] if len(more) > 1 else None
            amount = more[2] if len(more) > 2 else fen(quantity * rate)
            total[line_type] += amount
            self.lines.append(
                {
                    "customer_id": customer_id,
                    "period": period,
                    "line_type": line_type,
                    "tou_period": tou_period,
                    "tier": tier,
                    "quantity": quantity,
                    "rate": rate,
                    "amount": amount,
                }
            )
        energy = round(total["energy"] + total["loss"], 2)
        row = {
            "customer_id": customer_id,
            "period": period,
            "register_start": start,
            "register_end": start + kwh / multiplier,
            "multiplier_billed": multiplier,
            "kwh_billed": kwh,
            "tariff_billed": tariff,
            "energy_rate": round(energy / kwh, 6) if kwh else 0.0,
            "energy_charge": energy,
            "basic_charge": round(total["basic"], 2),
            "pf_adjustment": round(total["pf_adjustment"], 2),
            "fund_charge": round(total["fund"], 2),
            "amount": round(sum(total.values()), 2),
            "read_type": "actual",
        } | columns
        self.bills.append(row)
        return row

    def transformer(self, customer_id: str, transformer_id: str, **unit: object) -> None:
        """A running transformer since 2020 (S11 400 kVA unless `unit` says)."""
        self.transformers.append(
            {
                "customer_id": customer_id,
                "transformer_id": transformer_id,
                "status": "running",
                "status_since": pd.Timestamp("2020-01-01"),
            }
            | S11_400
            | unit
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        tables = {
            "customers": pd.DataFrame(self.customers),
            "bills": pd.DataFrame(self.bills),
            "tariffs": TARIFFS.copy(),
            "bill_lines": pd.DataFrame(self.lines),
        }
        if self.transformers:
            tables["transformers"] = pd.DataFrame(self.transformers)
        if self.orders:
            tables["work_orders"] = pd.DataFrame(self.orders)
        return tables

    def dataset(self) -> Dataset:
        return Dataset.from_frames(self.tables())

    def run(self, rule_ids: str | list[str], **kwargs: object) -> pd.DataFrame:
        """The findings of `rule_ids` on the utility, indexed by customer_id."""
        found = rules.run(self.dataset(), rules=rule_ids, **kwargs)
        return found.set_index("customer_id")


#: The schedule with IND, a single-part industrial tariff: 0.65 yuan/kWh, funds 0.03.
WITH_SINGLE_PART_IND = pd.concat(
    [
        TARIFFS,
        pd.DataFrame(
            {
                "tariff_category": ["IND"],
                "usage_type": "industrial",
                "energy_rate": 0.65,
                "fund_rate": 0.03,
                "valid_from": pd.Timestamp("2018-01-01"),
            }
        ),
    ],
    ignore_index=True,
)

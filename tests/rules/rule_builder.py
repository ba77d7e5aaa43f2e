"""Small hand-made utilities for rule tests: a few customers whose bills follow their registers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from auditkit import rules
from auditkit.data import Dataset

PERIODS = [f"2024-{month:02d}" for month in range(1, 13)]
# RES: 0.5 yuan/kWh until June 2024, 0.6 from July. COM: 0.8 flat. IND2: two-part, 0.6 + 30/kVA, 40/kW.
TARIFFS = pd.DataFrame(
    {
        "tariff_category": ["RES", "RES", "COM", "IND2", "AGR"],
        "usage_type": ["residential", "residential", "commercial", "industrial", "agricultural"],
        "energy_rate": [0.5, 0.6, 0.8, 0.6, 0.4],
        "basic_rate_kva_month": [None, None, None, 30.0, None],
        "basic_rate_kw_month": [None, None, None, 40.0, None],
        "valid_from": pd.to_datetime(
            ["2018-01-01", "2024-07-01", "2018-01-01", "2018-01-01", "2018-01-01"]
        ),
        "valid_to": pd.to_datetime(["2024-06-30", None, None, None, None]),
    }
)
SCHEDULE = {
    ("RES", False): 0.5,
    ("RES", True): 0.6,
    ("COM", False): 0.8,
    ("COM", True): 0.8,
    ("IND2", False): 0.6,
    ("IND2", True): 0.6,
    ("AGR", False): 0.4,
    ("AGR", True): 0.4,
}


def schedule_rate(tariff: str, period: str) -> float:
    return SCHEDULE[(tariff, period >= "2024-07")]


@dataclass
class Utility:
    """Build customers, bills and orders; `dataset()` validates them like `auditkit.data.load`."""

    customers: list[dict] = field(default_factory=list)
    bills: list[dict] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)

    def customer(self, customer_id: str, **archive: object) -> str:
        row = {
            "customer_id": customer_id,
            "district": "城东",
            "usage_type": "residential",
            "tariff_category": "RES",
            "voltage_kv": 0.4,
            "status": "active",
            "connection_date": pd.Timestamp("2020-01-01"),
            "contract_capacity_kva": 8.0,
            "basic_charge_basis": "none",
            "meter_id": f"M-{customer_id}",
            "ct_ratio": 1.0,
            "pt_ratio": 1.0,
            "meter_test_date": pd.NaT,
            "meter_test_cycle_months": None,
            "industry": None,
        }
        unknown = set(archive) - set(row)
        assert not unknown, unknown
        row.update(archive)
        self.customers.append(row)
        return customer_id

    def monthly(
        self,
        customer_id: str,
        kwh: list[float],
        *,
        multiplier: float = 1.0,
        tariff: str | list[str] = "RES",
        rate: float | list[float] | None = None,
        capacity: float | list[float] | None = None,
        demand: float | list[float] | None = None,
        basis: str | list[str] = "none",
        estimated: list[int] = (),
        start_register: float = 1000.0,
        periods: list[str] = PERIODS,
    ) -> list[dict]:
        """One bill per period with registers consistent with `kwh` (kWh) and `multiplier`; its
        basic charge at IND2's rates on the capacity or demand of its `basis` (one, or per bill)."""
        register = start_register
        rows = []
        for i, period in enumerate(periods):
            tariff_i = tariff[i] if isinstance(tariff, list) else tariff
            rate_i = (rate[i] if isinstance(rate, list) else rate) or schedule_rate(
                tariff_i, period
            )
            capacity_i = capacity[i] if isinstance(capacity, list) else capacity
            demand_i = demand[i] if isinstance(demand, list) else demand
            basis_i = basis[i] if isinstance(basis, list) else basis
            units = kwh[i] / multiplier
            basic = 0.0
            if basis_i == "capacity" and capacity_i is not None:
                basic = capacity_i * 30.0
            elif basis_i == "demand" and demand_i is not None:
                basic = demand_i * 40.0
            energy = round(kwh[i] * rate_i, 2)
            rows.append(
                {
                    "customer_id": customer_id,
                    "period": period,
                    "register_start": register,
                    "register_end": register + units,
                    "multiplier_billed": multiplier,
                    "kwh_billed": kwh[i],
                    "tariff_billed": tariff_i,
                    "energy_rate": rate_i,
                    "energy_charge": energy,
                    "capacity_billed_kva": capacity_i,
                    "max_demand_kw": demand_i,
                    "basic_charge": basic,
                    "amount": energy + basic,
                    "read_type": "estimated" if i in estimated else "actual",
                }
            )
            register += units
        self.bills.extend(rows)
        return rows

    def order(
        self,
        customer_id: str,
        order_type: str,
        effective: str,
        old: object = "",
        new: object = "",
        issued: str | None = None,
        steps: tuple[int, int, int] = (1, 2, 3),
    ) -> None:
        """A work order whose steps follow each other by `steps` days (None = not done)."""
        issued_at = pd.Timestamp(issued or effective) - pd.Timedelta(days=0 if issued else 10)
        dates, current = [], issued_at
        for gap in steps:
            current = None if (gap is None or current is None) else current + pd.Timedelta(days=gap)
            dates.append(current)
        self.orders.append(
            {
                "order_id": f"WO{len(self.orders) + 1:04d}",
                "customer_id": customer_id,
                "order_type": order_type,
                "issued_at": issued_at,
                "transferred_at": dates[0],
                "registered_at": dates[1],
                "archived_at": dates[2],
                "effective_date": pd.Timestamp(effective),
                "old_value": str(old),
                "new_value": str(new),
            }
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """The utility's tables as a user would hand them to `Dataset.from_frames`."""
        tables = {
            "customers": pd.DataFrame(self.customers),
            "bills": pd.DataFrame(self.bills),
            "tariffs": TARIFFS.copy(),
        }
        if self.orders:
            tables["work_orders"] = pd.DataFrame(self.orders)
        return tables

    def dataset(self) -> Dataset:
        return Dataset.from_frames(self.tables())

    def write(self, folder: Path) -> Path:
        """The tables as Parquet files in `folder` (made if absent), a dataset folder to load."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables().items():
            frame.to_parquet(folder / f"{name}.parquet")
        return folder


def flat(value: float, months: int = 12) -> list[float]:
    return [float(value)] * months


#: Archive columns of a two-part (industrial, 10 kV) customer metered through PT 100 and CT 10.
TWO_PART = {
    "usage_type": "industrial",
    "tariff_category": "IND2",
    "voltage_kv": 10.0,
    "pt_ratio": 100.0,
    "ct_ratio": 10.0,
}
#: The same customer charged its basic charge by contract capacity.
TWO_PART_BY_CAPACITY = TWO_PART | {"basic_charge_basis": "capacity"}
COMMERCIAL = {"usage_type": "commercial", "tariff_category": "COM"}

#: A tariff misuse of unknown start recovers its last `backbill_months` (DOMAIN.md): the tests
#: of its pricing take the whole year as the window, so that every bill they price is counted.
WHOLE_DATA = {"tariff_mismatch.backbill_months": 12}


def halved_multiplier_year(utility: Utility, customer_id: str, basis: str) -> None:
    """A two-part customer's year on IND2 with no work order: 100,000 kWh a month at
    multiplier 1,000 (demand 400 kW) on 630 kVA to March; from April 50,000 at multiplier 500
    (demand 200 kW, its registers read on from 1,300), on 630 kVA to June and 315 from July."""
    common = {"tariff": "IND2", "basis": basis}
    utility.monthly(
        customer_id,
        flat(100_000, 3),
        multiplier=1000.0,
        capacity=630.0,
        demand=400.0,
        periods=PERIODS[:3],
        **common,
    )
    utility.monthly(
        customer_id,
        flat(50_000, 9),
        multiplier=500.0,
        capacity=[630.0] * 3 + [315.0] * 6,
        demand=200.0,
        periods=PERIODS[3:],
        start_register=1300.0,
        **common,
    )


def run(utility: Utility, rule_ids: str | list[str], **kwargs: object) -> pd.DataFrame:
    """The findings of `rule_ids` (one id or several) on the utility's dataset."""
    return rules.run(utility.dataset(), rules=rule_ids, **kwargs)


#: A two-part industrial tariff cheaper per kVA than IND2: 0.65 yuan/kWh + 25 per kVA-month.
IND1 = {"tariff_category": "IND1", "usage_type": "industrial", "energy_rate": 0.65,
        "basic_rate_kva_month": 25.0, "basic_rate_kw_month": 35.0,
        "valid_from": pd.Timestamp("2018-01-01"), "valid_to": pd.NaT}  # fmt: skip


def with_ind1(u: Utility, itemized: bool) -> Dataset:
    """The utility's tables with IND1 in the schedule; `itemized`: each bill's energy and basic
    charge also as bill lines."""
    tables = u.tables()
    tables["tariffs"] = pd.concat([tables["tariffs"], pd.DataFrame([IND1])], ignore_index=True)
    if itemized:
        lines = []
        for bill in u.bills:
            key = {"customer_id": bill["customer_id"], "period": bill["period"], "tou_period": None,
                   "tier": None}  # fmt: skip
            lines.append(key | {"line_type": "energy", "quantity": bill["kwh_billed"],
                                "rate": bill["energy_rate"], "amount": bill["energy_charge"]})  # fmt: skip
            kva = bill["capacity_billed_kva"]
            if bill["basic_charge"] and kva:  # else the bill's columns say it
                lines.append(key | {"line_type": "basic", "quantity": kva,
                                    "rate": bill["basic_charge"] / kva, "amount": bill["basic_charge"]})  # fmt: skip
        tables["bill_lines"] = pd.DataFrame(lines)
    return Dataset.from_frames(tables)

"""A small itemized utility for the engine's recomputation tests, made from a seed: tiers over two
tier years, shared meters, a mid-month price change, time-of-use periods with a band and a price
change, monthly market prices, two-part customers by capacity (transformer status changes) and by
demand, 高供低计 losses, power-factor standards, funds, bill lines for half the customers, and
meter replacements, capacity changes, tariff changes and closures in the orders."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.data import Dataset

MONTHS = pd.period_range("2023-01", "2024-12", freq="M")


def _tariffs() -> pd.DataFrame:
    def row(category, usage, rate, valid_from, **more):
        return {
            "tariff_category": category,
            "usage_type": usage,
            "energy_rate": rate,
            "valid_from": pd.Timestamp(valid_from),
            **more,
        }

    rows = [
        row("RES", "residential", 0.50, "2018-01-01", tier=1, tier_from_kwh=0, tier_to_kwh=2160),
        row("RES", "residential", 0.55, "2018-01-01", tier=2, tier_from_kwh=2160, tier_to_kwh=4800),
        row("RES", "residential", 0.80, "2018-01-01", tier=3, tier_from_kwh=4800),
        row("RES", "residential", 0.52, "2018-01-01", fund_rate=0.02),
        row("COM", "commercial", 0.80, "2018-01-01", valid_to="2024-03-15", fund_rate=0.03),
        row("COM", "commercial", 0.90, "2024-03-16", fund_rate=0.03),
        row("TOU", "industrial", 1.20, "2018-01-01", tou_period="critical"),
        row("TOU", "industrial", 0.95, "2018-01-01", tou_period="peak", valid_to="2024-07-09"),
        row("TOU", "industrial", 1.00, "2024-07-10", tou_period="peak"),
        row("TOU", "industrial", 0.30, "2018-01-01", tou_period="valley"),
        row(
            "TOU", "industrial", 0.62, "2018-01-01", tou_period="flat",
            basic_rate_kva_month=30.0, basic_rate_kw_month=40.0, fund_rate=0.03,
        ),
        row(
            "TOU", "industrial", 0.60, "2018-01-01", tou_period="flat",
            voltage_kv_min=1.0, voltage_kv_max=20.0,
            basic_rate_kva_month=28.0, basic_rate_kw_month=38.0, fund_rate=0.03,
        ),
    ]  # fmt: skip
    for month in MONTHS:
        first = month.start_time
        rows.append(
            row(
                "MKT", "commercial", round(0.45 + 0.01 * (month.month % 5), 4), first,
                valid_to=month.end_time.normalize(), market=True, fund_rate=0.03,
            )
        )  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["valid_to"] = pd.to_datetime(frame["valid_to"])
    return frame


def itemized_utility(customers: int = 160, seed: int = 3) -> Dataset:
    """The utility as a validated Dataset."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(["single", "shared", "com", "mkt", "cap", "dem"], customers)
    ids = np.array([f"C{index:05d}" for index in range(customers)])
    industrial = np.isin(kind, ["cap", "dem"])
    capacity = np.where(industrial, rng.choice([315.0, 630.0, 1000.0], customers), np.nan)
    high_low = industrial & (rng.random(customers) < 0.6)
    ct = np.where(industrial, rng.choice([20.0, 40.0], customers), 1.0)
    connection = pd.to_datetime("2015-01-01") + pd.to_timedelta(
        rng.integers(0, 3000, customers), "D"
    )
    late = rng.random(customers) < 0.05  # connected inside the months billed
    connection = connection.where(~late, pd.Timestamp("2023-05-12"))
    usage = {"single": "residential", "shared": "residential", "com": "commercial"}
    archive = pd.DataFrame(
        {
            "customer_id": ids,
            "district": rng.choice(["东城", "西城"], customers),
            "usage_type": [usage.get(k, "commercial" if k == "mkt" else "industrial") for k in kind],
            "tariff_category": [
                {"single": "RES", "shared": "RES", "com": "COM", "mkt": "MKT"}.get(k, "TOU")
                for k in kind
            ],
            "voltage_kv": np.where(industrial, rng.choice([10.0, 35.0], customers), 0.4),
            "status": "active",
            "connection_date": connection,
            "contract_capacity_kva": capacity,
            "basic_charge_basis": np.where(
                kind == "cap", "capacity", np.where(kind == "dem", "demand", "none")
            ),
            "meter_id": [f"M{index:05d}" for index in range(customers)],
            "ct_ratio": ct,
            "pt_ratio": 1.0,
            "metering_mode": np.where(high_low, "high_low", np.where(industrial, "high_high", None)),
            "contract_demand_kw": np.where(kind == "dem", capacity * 0.5, np.nan),
            "pf_standard": np.where(industrial, rng.choice([0.90, 0.85], customers), np.nan),
            "tou": industrial,
            "tier_scheme": np.where(kind == "single", "single", np.where(kind == "shared", "shared", "none")),
        }
    )  # fmt: skip

    closed = rng.random(customers) < 0.03
    rows = []
    for c in range(customers):
        start = 0 if not late[c] else 4
        end = len(MONTHS) - (6 if closed[c] else 0)
        register = float(rng.integers(100, 5000))
        base = {"single": 350, "shared": 900, "com": 1500, "mkt": 2500}.get(kind[c], 200)
        for m in range(start, end):
            month = MONTHS[m]
            units = round(float(rng.gamma(4.0, base / 4.0)) / ct[c], 1)
            read_to = pd.Timestamp(month.year, month.month, 25)
            bill = {
                "customer_id": ids[c],
                "period": str(month),
                "register_start": register,
                "register_end": round(register + units, 1),
                "multiplier_billed": ct[c],
                "read_from": (read_to - pd.DateOffset(months=1)) + pd.Timedelta(days=1),
                "read_to": read_to,
                "read_type": "estimated" if rng.random() < 0.02 else "actual",
                "tariff_billed": archive["tariff_category"].iloc[c],
            }
            register = bill["register_end"]
            kwh = round(units * ct[c], 2)
            bill["kwh_billed"] = kwh
            if industrial[c]:
                bill["kwh_critical"] = round(kwh * 0.05, 2)
                bill["kwh_peak"] = round(kwh * 0.3, 2) if rng.random() > 0.1 else np.nan
                bill["kwh_valley"] = round(kwh * 0.3, 2)
                bill["kvarh_import"] = round(kwh * rng.uniform(0.2, 0.7), 1)
                bill["kvarh_export"] = round(kwh * rng.uniform(0, 0.05), 1)
                bill["max_demand_kw"] = round(capacity[c] * rng.uniform(0.2, 0.6), 1)
                bill["capacity_billed_kva"] = capacity[c] if kind[c] == "cap" else np.nan
                bill["basic_charge"] = round(capacity[c] * 30.0, 2) if kind[c] == "cap" else 5000.0
                bill["loss_kwh"] = float(rng.integers(300, 900)) if high_low[c] else np.nan
                bill["pf_adjustment"] = round(-0.0075 * kwh * 0.6, 2)
            rate = {"single": 0.5, "shared": 0.52, "com": 0.8, "mkt": 0.46}.get(kind[c], 0.6)
            bill["energy_rate"] = rate
            bill["energy_charge"] = round(kwh * rate, 2)
            bill["fund_charge"] = round(kwh * 0.03, 2) if rng.random() > 0.05 else 0.0
            bill["amount"] = round(
                bill["energy_charge"] + bill.get("basic_charge", 0) + bill["fund_charge"], 2
            )
            rows.append(bill)
    bills = pd.DataFrame(rows)

    with_lines = set(ids[rng.random(customers) < 0.5])
    lines = []
    for bill in bills[bills["customer_id"].isin(with_lines)].itertuples(index=False):
        key = {"customer_id": bill.customer_id, "period": bill.period}
        if isinstance(bill.kwh_critical, float) and not np.isnan(bill.kwh_critical):
            rest = bill.kwh_billed
            for period, rate, share in (
                ("critical", 1.2, 0.05),
                ("peak", 0.95, 0.3),
                ("valley", 0.3, 0.3),
            ):
                quantity = round(bill.kwh_billed * share, 2)
                rest -= quantity
                lines.append(
                    key
                    | {
                        "line_type": "energy",
                        "tou_period": period,
                        "quantity": quantity,
                        "rate": rate,
                        "amount": round(quantity * rate, 2),
                    }
                )
            lines.append(
                key
                | {
                    "line_type": "energy",
                    "tou_period": "flat",
                    "quantity": round(rest, 2),
                    "rate": 0.6,
                    "amount": round(rest * 0.6, 2),
                }
            )
            lines.append(
                key | {"line_type": "basic", "quantity": 630.0, "rate": 30.0, "amount": 18900.0}
            )
        else:
            lines.append(
                key
                | {
                    "line_type": "energy",
                    "tier": 1 if bill.tariff_billed == "RES" else None,
                    "quantity": bill.kwh_billed,
                    "rate": bill.energy_rate,
                    "amount": bill.energy_charge,
                }
            )
        lines.append(
            key
            | {
                "line_type": "fund",
                "quantity": bill.kwh_billed,
                "rate": 0.03,
                "amount": bill.fund_charge,
            }
        )
    bill_lines = pd.DataFrame(lines)  # fmt: skip

    units = []
    for c in np.flatnonzero(industrial & (high_low | (rng.random(customers) < 0.5))):
        units.append((ids[c], "T1", capacity[c], "running", None))
        if rng.random() < 0.4:  # a standby unit that runs from a date inside the months billed
            units.append((ids[c], "T2", 315.0, "hot_standby", None))
            units.append((ids[c], "T2", 315.0, "running", "2024-02-14"))
        if rng.random() < 0.2:
            units.append((ids[c], "T1", capacity[c], "sealed", "2024-09-03"))
    transformers = pd.DataFrame(
        units, columns=["customer_id", "transformer_id", "kva", "status", "status_since"]
    )
    transformers["status_since"] = pd.to_datetime(transformers["status_since"])
    p0 = {315.0: 0.48, 630.0: 0.81, 1000.0: 1.15}
    pk = {315.0: 3.65, 630.0: 6.2, 1000.0: 10.3}
    transformers["no_load_loss_kw"] = transformers["kva"].map(p0)
    transformers["load_loss_kw"] = transformers["kva"].map(pk)

    orders = []
    for c in range(customers):
        roll = rng.random()
        if closed[c]:
            orders.append((ids[c], "closure", "2024-06-10", None, None))
            archive.loc[c, "status"] = "closed"
        elif industrial[c] and roll < 0.15:
            orders.append((ids[c], "capacity_increase", "2024-04-18", "200", str(capacity[c])))
        elif roll < 0.06:
            orders.append((ids[c], "meter_replacement", "2023-10-11", str(ct[c] / 2), str(ct[c])))
        elif kind[c] == "com" and roll < 0.12:
            orders.append((ids[c], "tariff_change", "2023-08-01", "MKT", "COM"))
    work_orders = pd.DataFrame(
        orders, columns=["customer_id", "order_type", "effective_date", "old_value", "new_value"]
    )
    work_orders.insert(0, "order_id", [f"O{index:05d}" for index in range(len(work_orders))])
    work_orders["effective_date"] = pd.to_datetime(work_orders["effective_date"])
    work_orders["issued_at"] = work_orders["effective_date"] - pd.Timedelta(days=20)
    return Dataset.from_frames(
        {
            "customers": archive,
            "bills": bills,
            "tariffs": _tariffs(),
            "work_orders": work_orders,
            "bill_lines": bill_lines,
            "transformers": transformers,
        }
    )

"""Prepared bill frames, rates frames and datasets for the charges tests, built by hand."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from auditkit.billing.bill_frame import METERED
from auditkit.periods import month_number

#: A bill's columns as recompute prepares them, with neutral defaults.
BILL_DEFAULTS = {
    "customer_id": "C1",
    "period": "2024-04",
    "kwh_billed": 0.0,
    "kwh_due": 0.0,
    "multiplier_billed": 1.0,
    "multiplier_due": 1.0,
    "tariff_due": "IND",
    "voltage_kv": 10.0,
    "metering_mode": "high_high",
    "pf_standard": np.nan,
    "basic_charge_basis": "none",
    "contract_capacity_kva": np.nan,
    "contract_demand_kw": np.nan,
    "max_demand_kw": np.nan,
    "kvarh_import": np.nan,
    "kvarh_export": np.nan,
    "connection_date": "2015-01-01",
    "closure_date": None,
    "read_type": "actual",
}
RATE_DEFAULTS = {
    "flat_rate": np.nan,
    "basic_rate_kva_month": np.nan,
    "basic_rate_kw_month": np.nan,
    "fund_rate": np.nan,
}


def bills(*rows: dict) -> pd.DataFrame:
    """The prepared bill frame of `rows` (each a dict of the columns that differ from the
    defaults); the METERED figures due default to the row's billed ones; read_from/read_to default to the period's first and last day."""
    # The figures read through the CT and PT are due as billed unless a row says (multiplier 1).
    frame = pd.DataFrame(
        [
            {**BILL_DEFAULTS, **{METERED[name]: row.get(name, np.nan) for name in METERED}, **row}
            for row in rows
        ]
    )
    first = pd.to_datetime(frame["period"] + "-01")
    frame["read_from"] = pd.to_datetime(frame.get("read_from", first)).fillna(first)
    last = first + pd.offsets.MonthEnd(0)
    frame["read_to"] = pd.to_datetime(frame.get("read_to", last)).fillna(last)
    frame["read_days"] = (frame["read_to"] - frame["read_from"]).dt.days + 1
    frame["month"] = month_number(frame["period"])
    for column in ("connection_date", "closure_date"):
        frame[column] = pd.to_datetime(frame[column])
    frame.insert(0, "bill", np.arange(len(frame)))
    return frame


def rates(*rows: dict) -> pd.DataFrame:
    """The rates frame aligned with bills of the same rows."""
    return pd.DataFrame([{**RATE_DEFAULTS, **row} for row in rows], dtype=float)


def dataset(transformers: list[dict] | None = None, orders: list[dict] | None = None) -> object:
    """What the charges read of a dataset: `transformers` and `work_orders` (None where absent),
    dates typed as the loader types them."""
    return SimpleNamespace(
        transformers=_typed(transformers, ("status_since",)),
        work_orders=_typed(orders, ("effective_date",)),
    )


def _typed(rows: list[dict] | None, dates: tuple[str, ...]) -> pd.DataFrame | None:
    if rows is None:
        return None
    frame = pd.DataFrame(rows)
    for column in dates:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def charged(*rows: dict) -> pd.DataFrame:
    """The due amounts pf_lines reads, aligned with bills (missing values 0)."""
    columns = ("energy_amount", "loss_amount", "basic_amount", "loss_kwh")
    return pd.DataFrame([{column: row.get(column, 0.0) for column in columns} for row in rows])


def line(frame: pd.DataFrame, bill: int = 0) -> pd.Series:
    """The only line of `bill` in a line frame."""
    found = frame[frame["bill"] == bill]
    assert len(found) == 1, found
    return found.iloc[0]


#: A two-part industrial customer of billing_builders' IND2 tariff (0.60 yuan/kWh, 30 yuan per
#: kVA-month, funds 0.03 yuan/kWh), metered on the high side, without a power-factor standard.
TWO_PART = {
    "usage_type": "industrial",
    "tariff_category": "IND2",
    "voltage_kv": 10.0,
    "basic_charge_basis": "capacity",
    "metering_mode": "high_high",
}


def recompute_row(result: pd.DataFrame, line_type: str, period: str) -> pd.Series:
    """The one recompute row of customer I1's bill of `period` and line type `line_type`."""
    rows = result[
        (result["customer_id"] == "I1")
        & (result["period"] == period)
        & (result["line_type"] == line_type)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]

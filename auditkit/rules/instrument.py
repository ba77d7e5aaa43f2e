"""Instrument transformers of a metering point (计量用互感器): what the archive's CT and PT say.

A CT ratio is its rated primary over its rated secondary current (5 A, or 1 A where the secondary
cable is long); the ratio alone does not give the primary. The current a CT carries is the rated
current of the capacity I = S / (√3 · U) at the voltage it is metered at: the supply voltage for
metering on the high-voltage side (高供高计), the low-voltage side of the customer's transformer
for 高供低计 and 低供低计. A PT is needed only on the high-voltage side, its ratio the supply
voltage over its rated secondary voltage (100 V: 10 kV → 100, 35 kV → 350). Rules that judge a
CT or a PT (demand_over_capacity, archive_defect) read them here, so they judge alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditkit.rules.findings import optional_values

#: Rated secondary current of a CT whose archive leaves it empty (the usual rating).
DEFAULT_CT_SECONDARY_A = 5.0
#: Metering modes whose meter sits on the high-voltage side of the customer's transformer.
HIGH_SIDE_MODES = ("high_high",)
#: Metering modes whose meter sits on the low-voltage side (高供低计, 低供低计).
LOW_SIDE_MODES = ("high_low", "low_low")


def ct_secondary_a(customers: pd.DataFrame) -> np.ndarray:
    """Per customer, the CT's rated secondary current (A): `ct_secondary_a`, 5 A where empty."""
    secondary = optional_values(customers, "ct_secondary_a")
    return np.where(np.isnan(secondary), DEFAULT_CT_SECONDARY_A, secondary)


def ct_primary_a(customers: pd.DataFrame) -> np.ndarray:
    """Per customer, the CT's rated primary current (A): ct_ratio × its rated secondary."""
    return customers["ct_ratio"].to_numpy(dtype=float) * ct_secondary_a(customers)


def _modes(customers: pd.DataFrame) -> np.ndarray:
    """Per customer, its metering_mode ('' where the archive does not say)."""
    if "metering_mode" not in customers:
        return np.full(len(customers), "", dtype=object)
    return customers["metering_mode"].fillna("").to_numpy(dtype=object)


def metering_voltage_kv(customers: pd.DataFrame, low_side_kv: float) -> np.ndarray:
    """Per customer, the voltage (kV) its meter and CT are connected at.

    高供高计: the supply voltage; 高供低计 and 低供低计: `low_side_kv` (the low-voltage side).
    Where the archive gives no metering mode, a PT ratio above 1 places the meter on the supply
    voltage, else it is on the low-voltage side (the supply itself when that is lower).
    """
    supply = customers["voltage_kv"].to_numpy(dtype=float)
    modes = _modes(customers)
    pt = customers["pt_ratio"].to_numpy(dtype=float)
    unknown = np.where(pt > 1, supply, np.fmin(supply, low_side_kv))
    return np.where(
        np.isin(modes, HIGH_SIDE_MODES),
        supply,
        np.where(np.isin(modes, LOW_SIDE_MODES), low_side_kv, unknown),
    )


@dataclass(frozen=True)
class CtSizing:
    """Per customer, its CT against the current it carries.

    `primary_a`: rated primary current (ct_ratio × rated secondary); `metering_kv`: the voltage it
    is metered at; `rated_a`: rated current of the contract capacity at that voltage (NaN where
    the capacity is unknown).
    """

    primary_a: np.ndarray
    metering_kv: np.ndarray
    rated_a: np.ndarray


def ct_sizing(customers: pd.DataFrame, low_side_kv: float) -> CtSizing:
    """The CT of each customer against the rated current of its capacity where it is metered."""
    metering_kv = metering_voltage_kv(customers, low_side_kv)
    capacity = optional_values(customers, "contract_capacity_kva")
    with np.errstate(divide="ignore", invalid="ignore"):
        rated = capacity / (np.sqrt(3) * metering_kv)
    rated[~(capacity > 0) | ~(metering_kv > 0)] = np.nan
    return CtSizing(ct_primary_a(customers), metering_kv, rated)


def expected_pt_ratio(
    customers: pd.DataFrame, low_voltage_kv: float, pt_secondary_v: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per customer, the PT ratio its metering needs, and the one another metering mode would.

    Metering on the low-voltage side (高供低计, 低供低计, or a supply below `low_voltage_kv`)
    needs no PT: 1. 高供高计 needs supply kV × 1000 / `pt_secondary_v`. Where the archive gives
    no metering mode on a high-voltage supply, either is possible: the first array holds the
    high-side ratio, the second 1 (the second is NaN where the mode leaves one choice only).
    """
    supply = customers["voltage_kv"].to_numpy(dtype=float)
    modes = _modes(customers)
    high_side_ratio = supply * 1000.0 / pt_secondary_v
    low_voltage = supply < low_voltage_kv
    on_low_side = low_voltage | np.isin(modes, LOW_SIDE_MODES)
    unknown = ~on_low_side & ~np.isin(modes, HIGH_SIDE_MODES)
    needed = np.where(on_low_side, 1.0, high_side_ratio)
    alternative = np.where(unknown, 1.0, np.nan)
    return needed, alternative

"""The power-factor adjustment due (力调电费), 水电财字〔1983〕215号.

The month's average power factor PF = A / √(A² + Q²), A = kWh due + loss kWh, Q = kvarh import +
|export| at the multiplier due, as the kWh (reactive energy sent back overcompensates just as
much), rounded half up to two decimals.
The adjustment percent comes from the published table of the customer's standard (0.90, 0.85 or
0.80; `pf_tables`, pieces over p = PF × 100) and applies to the energy (losses included) and basic
charges due, funds excluded: amount = base × percent / 100, positive a surcharge, negative a rebate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.billing.basic import line_frame
from auditkit.billing.money import round_half_up
from auditkit.billing.params import BillingParams, PfPiece


def power_factor(active_kwh: np.ndarray, reactive_kvarh: np.ndarray) -> np.ndarray:
    """A / √(A² + Q²) rounded half up to two decimals; NaN where A ≤ 0 (no active energy: no
    average power factor to judge)."""
    active = np.asarray(active_kwh, dtype=float)
    reactive = np.asarray(reactive_kvarh, dtype=float)
    apparent = np.hypot(active, reactive)
    defined = active > 0
    ratio = np.divide(active, apparent, out=np.full(np.shape(apparent), np.nan), where=defined)
    return round_half_up(ratio, 2)


def adjustment_percent(
    pf: np.ndarray, standard: np.ndarray | float, tables: dict[str, tuple[PfPiece, ...]]
) -> np.ndarray:
    """The adjustment in percent for each power factor under its standard (0.90 …), from the table
    keyed by that standard written as text ("0.90"); NaN for a missing PF or a standard without a
    table."""
    pf = np.asarray(pf, dtype=float)
    standard = np.broadcast_to(np.asarray(standard, dtype=float), pf.shape)
    percent = np.rint(pf * 100)
    result = np.full(pf.shape, np.nan)
    for key, pieces in tables.items():
        at = np.isclose(standard, float(key), rtol=0, atol=1e-9) & ~np.isnan(percent)
        start, base, slope, anchor = np.array(pieces, dtype=float).T
        piece = np.searchsorted(start, percent[at], side="right") - 1
        result[at] = base[piece] + slope[piece] * (percent[at] - anchor[piece])
    # Table values have at most a few decimals; drop the float noise of slope × distance.
    return round_half_up(result, 6)


def without_registers(bills: pd.DataFrame) -> np.ndarray:
    """Per bill: its customer is held to a power-factor standard, but the bill has neither
    reactive register (import nor export), so no adjustment can be recomputed."""
    imported = bills["kvarh_import_due"].to_numpy(dtype=float)
    exported = bills["kvarh_export_due"].to_numpy(dtype=float)
    standard = bills["pf_standard"].to_numpy(dtype=float)
    return ~np.isnan(standard) & np.isnan(imported) & np.isnan(exported)


def pf_lines(bills: pd.DataFrame, charged: pd.DataFrame, params: BillingParams) -> pd.DataFrame:
    """The adjustment line due of each bill with a standard in `pf_tables` and reactive registers:
    quantity = energy + loss + basic amounts due (yuan), rate = percent / 100.

    Only those bills are worked on (a standard is rare: most bills are of customers held to none)."""
    imported = bills["kvarh_import_due"].to_numpy(dtype=float)
    exported = bills["kvarh_export_due"].to_numpy(dtype=float)
    standard = bills["pf_standard"].to_numpy(dtype=float)
    rows = np.flatnonzero(~np.isnan(standard) & ~(np.isnan(imported) & np.isnan(exported)))
    tabled = np.zeros(len(rows), dtype=bool)
    for key in params.pf_tables:
        tabled |= np.isclose(standard[rows], float(key), rtol=0, atol=1e-9)
    rows = rows[tabled]
    imported, exported, standard = imported[rows], np.abs(exported[rows]), standard[rows]
    loss = np.nan_to_num(charged["loss_kwh"].to_numpy(dtype=float)[rows])
    active = bills["kwh_due"].to_numpy(dtype=float)[rows] + loss
    pf = power_factor(active, np.nan_to_num(imported) + np.nan_to_num(exported))
    percent = adjustment_percent(pf, standard, params.pf_tables)
    kept = ~np.isnan(percent)
    rows, percent = rows[kept], percent[kept]
    amounts = np.column_stack(
        [
            charged[column].to_numpy(dtype=float)[rows]
            for column in ("energy_amount", "loss_amount", "basic_amount")
        ]
    )
    base = round_half_up(np.nansum(amounts, axis=1), 2)
    return line_frame(bills["bill"].to_numpy()[rows], "pf_adjustment", base, percent / 100)

"""Transformer losses due (变损) of customers metered on the low side of their transformer (高供低计).

Average-load method of DL/T 686: over T = hours_per_day × read days,
loss kWh = Σ_i [P0_i·T + K·Pk_i·(Ap_i² + Aq_i²) / (Sn_i²·T)] rounded half up to the whole kWh,
Ap = kWh due, Aq = kvarh import + |export| at the multiplier due, K = loss_form_factor, the
load shared among the running transformers in proportion to their kVA (Ap_i = Ap·Sn_i/ΣSn,
likewise Aq_i), which sums to ΣP0·T + K·ΣPk·(Ap² + Aq²) / ((ΣSn)²·T). A transformer is running
on the read period's last day by its latest status row; hot standby, cold standby, sealed and
removed units carry no load and no loss. P0 and Pk come from the transformer's nameplate, from
`loss_table` by kVA where the nameplate is missing or loss_method is "table"; a customer without
transformer rows is one transformer of its contract capacity, with losses from `loss_table`.
Loss energy is priced at the flat rate in force on read_to, one line not split at a price change
inside the read period (DOMAIN.md prices losses at the tariff's flat rate and splits the metered
kWh by read days; the loss is worked out for the read period as a whole; docs/billing.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.billing.basic import latest_at, line_frame, shared_codes, status_days
from auditkit.billing.money import round_half_up
from auditkit.billing.params import BillingParams
from auditkit.billing.tariff_lookup import day_numbers


def loss_lines(
    bills: pd.DataFrame,
    rates: pd.DataFrame,
    dataset: object,
    params: BillingParams,
    figures: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """The loss line due (quantity = loss kWh) of each high_low bill with a running transformer
    whose losses are known; see `losses_unknown` for those without. `figures` are the bills'
    `loss_figures` when the caller has them."""
    kwh, _, estimated = loss_figures(bills, dataset, params) if figures is None else figures
    rows = np.flatnonzero(~np.isnan(kwh))
    flat_rate = rates["flat_rate"].to_numpy(dtype=float)
    return line_frame(
        bills["bill"].to_numpy()[rows], "loss", kwh[rows], flat_rate[rows], estimated[rows]
    )


def losses_unknown(bills: pd.DataFrame, dataset: object, params: BillingParams) -> np.ndarray:
    """Per bill: high_low, but a running transformer (or, without transformer rows, the contract
    capacity) has no P0/Pk in its row or in `loss_table`, so no loss line can be computed."""
    return loss_figures(bills, dataset, params)[1]


def loss_figures(
    bills: pd.DataFrame, dataset: object, params: BillingParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bill: loss kWh (NaN where no line), losses unknown, and estimated (no reactive
    registers: Aq taken as 0)."""
    n = len(bills)
    high_low = bills["metering_mode"].eq("high_low").to_numpy(dtype=bool)
    units, with_rows = _running_units(bills, np.flatnonzero(high_low), dataset.transformers)
    # Customers without transformer rows: one transformer of the contract capacity.
    alone = high_low.copy()
    alone[with_rows] = False
    rows = np.flatnonzero(alone)
    contract = bills["contract_capacity_kva"].to_numpy(dtype=float)[rows]
    units = pd.concat(
        [
            units,
            pd.DataFrame({"bill": rows, "kva": contract, "p0": np.nan, "pk": np.nan}).astype(
                {"bill": np.int64}
            ),
        ],
        ignore_index=True,
    )
    p0, pk = units["p0"].to_numpy(dtype=float), units["pk"].to_numpy(dtype=float)
    table_p0, table_pk = _from_table(units["kva"].to_numpy(dtype=float), params.loss_table)
    if params.loss_method == "table":
        p0, pk = table_p0, table_pk
    else:
        p0, pk = np.where(np.isnan(p0), table_p0, p0), np.where(np.isnan(pk), table_pk, pk)
    bill = units["bill"].to_numpy(dtype=np.int64)
    unknown = np.zeros(n, dtype=bool)
    unknown[bill[np.isnan(p0) | np.isnan(pk) | np.isnan(units["kva"].to_numpy(dtype=float))]] = True

    # Only the high_low bills can have losses: their figures are worked out on them alone.
    mine = np.flatnonzero(high_low)
    at = np.searchsorted(mine, bill)  # each unit's bill among them
    count = len(mine)
    sn_sum = np.bincount(at, weights=units["kva"].to_numpy(dtype=float), minlength=count)
    p0_sum = np.bincount(at, weights=np.nan_to_num(p0), minlength=count)
    pk_sum = np.bincount(at, weights=np.nan_to_num(pk), minlength=count)
    running = np.bincount(at, minlength=count) > 0

    hours = params.hours_per_day * bills["read_days"].to_numpy(dtype=float)[mine]
    active = bills["kwh_due"].to_numpy(dtype=float)[mine]
    imported = bills["kvarh_import_due"].to_numpy(dtype=float)
    exported = bills["kvarh_export_due"].to_numpy(dtype=float)
    estimated = np.isnan(imported) & np.isnan(exported)
    reactive = np.nan_to_num(imported[mine]) + np.nan_to_num(np.abs(exported[mine]))
    with np.errstate(divide="ignore", invalid="ignore"):
        load = params.loss_form_factor * pk_sum * (active**2 + reactive**2) / (sn_sum**2 * hours)
    kwh = np.full(n, np.nan)
    kwh[mine] = round_half_up(p0_sum * hours + load, 0)
    kwh[mine[~(running & ~unknown[mine])]] = np.nan
    return kwh, unknown, estimated


def _running_units(
    bills: pd.DataFrame, rows: np.ndarray, transformers: pd.DataFrame | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """One row `bill, kva, p0, pk` per bill of `rows` and transformer of its customer running on
    the read period's last day (its latest status row by status_since, a row without one holding
    since always); and the bills of `rows` whose customer has transformer rows at all."""
    empty = pd.DataFrame(
        {"bill": np.empty(0, np.int64), **{name: np.empty(0) for name in ("kva", "p0", "pk")}}
    )
    if transformers is None or transformers.empty or len(rows) == 0:
        return empty, np.empty(0, np.int64)
    local, bill_cust, cust = shared_codes(
        bills["customer_id"].iloc[rows], transformers["customer_id"]
    )
    rows = rows[local]
    if len(rows) == 0:
        return empty, rows
    day = status_days(transformers)
    tid = pd.factorize(transformers["transformer_id"].astype(str))[0]
    order = np.lexsort((day, tid, cust))
    order = order[cust[order] >= 0]
    cust, tid, day = cust[order], tid[order], day[order]
    unit = np.cumsum(np.append(True, (cust[1:] != cust[:-1]) | (tid[1:] != tid[:-1]))) - 1
    unit_cust = cust[np.append(True, unit[1:] != unit[:-1])]

    low = np.searchsorted(unit_cust, bill_cust, side="left")
    count = np.searchsorted(unit_cust, bill_cust, side="right") - low
    offsets = np.cumsum(count) - count
    bill = np.repeat(rows, count)
    query = np.repeat(low, count) + np.arange(count.sum()) - np.repeat(offsets, count)
    read_to = day_numbers(bills["read_to"].iloc[bill])
    state = latest_at(unit, day, query, read_to)
    running = state >= 0
    running[running] = (
        transformers["status"].to_numpy(dtype=object)[order[state[running]]] == "running"
    )
    at = order[state[running]]
    units = pd.DataFrame(
        {
            "bill": bill[running],
            "kva": transformers["kva"].to_numpy(dtype=float)[at],
            "p0": _column(transformers, "no_load_loss_kw")[at],
            "pk": _column(transformers, "load_loss_kw")[at],
        }
    )
    return units, rows


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """An optional number column as floats (NaN throughout where the table lacks it)."""
    if name not in frame:
        return np.full(len(frame), np.nan)
    return frame[name].to_numpy(dtype=float)


def _from_table(kva: np.ndarray, table: dict) -> tuple[np.ndarray, np.ndarray]:
    """P0 and Pk of `loss_table` for each size in kVA (NaN where the table has no such size)."""
    p0 = np.full(len(kva), np.nan)
    pk = np.full(len(kva), np.nan)
    if not table:
        return p0, pk
    sizes = np.array(sorted(table), dtype=float)
    at = np.clip(np.searchsorted(sizes, kva), 0, len(sizes) - 1)
    found = np.isclose(sizes[at], kva, rtol=0, atol=1e-6)
    entries = [table[size] for size in sizes]
    p0[found] = np.array([entry.no_load_loss_kw for entry in entries])[at[found]]
    pk[found] = np.array([entry.load_loss_kw for entry in entries])[at[found]]
    return p0, pk

"""The energy charge of kWh a rule back-bills on a household priced by tiers (阶梯电价).

Back-billed kWh (a register jump skipped, a meter replacement lost, an estimate of a run of
zeros) are the marginal kWh of the household's tier year: they go on top of the kWh the year
billed up to and including the bill they are charged on, filling the bands from there, as a
back-billing of the year would. The non-tier rate (the schedule's flat row) would price them at
tier 1's neighbour rate whatever the year's cumulative kWh.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.billing.money import round_half_up
from auditkit.billing.params import default_billing_params
from auditkit.rules.context import RuleContext, bill_rows_of, customer_keys


def tier_energy_money(
    ctx: RuleContext, rows: np.ndarray, kwh: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Of the bills `rows` charged `kwh` back-billed kWh, the positions (in `rows`) of those
    priced by tiers (a single household, 一户一表, on a tariff with tier rows in force on
    read_to, not priced by periods) and the energy charge of their kWh by the tiers they fall
    in, one amount per tier to the fen.

    Earlier back-billed kWh of the same customer and tier year (by bill order, then order in
    `rows`) are put on the year first."""
    order = np.argsort(rows, kind="stable")
    tiered, bands = _tiered_bills(ctx, rows[order], kwh[order] > 0)
    if not len(tiered):
        return tiered, np.zeros(0)
    at = rows[order][tiered]
    # The tier year's first month (1: the calendar year), as the recomputation counts it; read
    # per call, so parameters chosen after import (AUDITKIT_PARAMS) are the ones applied.
    first_month = default_billing_params().tier_year_start_month
    year = (ctx.bill_month[at] - (first_month - 1)) // 12
    before = _tier_year_billed(ctx, at, year * 12 + (first_month - 1))
    back_billed = kwh[order][tiered]
    group = np.ones(len(at), dtype=bool)
    group[1:] = (ctx.bill_customer[at][1:] != ctx.bill_customer[at][:-1]) | (year[1:] != year[:-1])
    earlier = np.cumsum(back_billed) - back_billed
    earlier -= np.repeat(earlier[group], np.diff(np.append(np.flatnonzero(group), len(at))))
    before += earlier
    return order[tiered], _tier_marginal(before, back_billed, bands)


def back_billed_energy_money(
    ctx: RuleContext, rows: np.ndarray, kwh: np.ndarray, flat_rate: np.ndarray | None = None
) -> np.ndarray:
    """Per bill of `rows`, the energy charge of `kwh` back-billed kWh: by tiers where the bill
    is priced by tiers (`tier_energy_money`), else × `flat_rate` (default the flat rate due,
    `energy_rate_due_or_billed`; unrounded)."""
    rate = ctx.energy_rate_due_or_billed(rows) if flat_rate is None else flat_rate
    money = kwh * rate
    tiered, tier_money = tier_energy_money(ctx, rows, kwh)
    money[tiered] = tier_money
    return money


def _tiered_bills(
    ctx: RuleContext, rows: np.ndarray, wanted: np.ndarray
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Of the bills `rows` where `wanted`, the positions (in `rows`) of those priced by tiers
    (`auditkit.billing.energy`: a single household not priced by periods, whose tariff in force
    has its first tier in force on read_to), and per tier the band's (from, to, rate) at them."""
    customers = ctx.customers
    if not ctx.tariff_lookup.tiers or "tier_scheme" not in customers:
        return np.zeros(0, dtype=np.int64), []
    single = ctx.customer_is("tier_scheme", "single")[rows] & wanted
    at = np.flatnonzero(single)
    if not len(at):
        return at, []
    bills = rows[at]
    names = np.append(ctx.tariff_index.to_numpy(dtype=object), None)[ctx.bill_tariff_due[bills]]
    names = np.where(pd.isna(names), "", names)
    read_to = ctx.read_days(bills)[1]
    voltage = customers["voltage_kv"].to_numpy(dtype=float)[ctx.bill_customer[bills]]
    lookup = ctx.tariff_lookup
    tou = np.zeros(len(at), dtype=bool)
    if "tou" in customers:
        flag = customers["tou"].fillna(False).to_numpy(dtype=bool)[ctx.bill_customer[bills]]
        for period in ("peak", "valley"):
            tou |= flag & (lookup.row(names, read_to, voltage, period, fallback=False) >= 0)
    bands = lookup.tier_bands(names, read_to, voltage)
    keep = ~tou & np.isfinite(bands[min(bands)][2])
    return at[keep], [tuple(part[keep] for part in bands[tier]) for tier in sorted(bands)]


def _tier_year_billed(ctx: RuleContext, at: np.ndarray, year_start: np.ndarray) -> np.ndarray:
    """Per bill of `at` (sorted), the kWh billed by its customer's bills from month number
    `year_start` up to and including it."""
    customer = ctx.bill_customer
    rows = bill_rows_of(customer, customer[at])
    kwh = np.nan_to_num(ctx.bills["kwh_billed"].to_numpy(dtype=float)[rows])
    total = np.concatenate([[0.0], np.cumsum(kwh)])
    keys = customer_keys(customer[rows], ctx.bill_month[rows])
    first = np.searchsorted(keys, customer_keys(customer[at], year_start), "left")
    last = np.searchsorted(rows, at) + 1
    return total[last] - total[first]


def _tier_marginal(
    before: np.ndarray, kwh: np.ndarray, bands: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> np.ndarray:
    """The charge of `kwh` put on a tier year that has `before` kWh: per tier band (from, to,
    rate) the kWh it takes, clip(before + kwh) − clip(before), × its rate to the fen, summed."""
    money = np.zeros(len(kwh))
    for low, high, rate in bands:
        part = np.clip(before + kwh, low, high) - np.clip(before, low, high)
        part = np.where(np.isfinite(low), np.round(part, 4), 0.0)
        money += round_half_up(part * np.nan_to_num(rate), 2)
    return money

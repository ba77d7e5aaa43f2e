"""The power-factor standard of the archive (功率因数考核标准) against the customer's class and
capacity, 水电财字〔1983〕215号.

The standard a customer is held to follows from what it is: 0.90 for an industrial customer
supplied at high voltage with at least 160 kVA, 0.80 for an agricultural one of at least 100 kVA,
0.85 for any other customer of at least 100 kVA but households (and those on a household tariff),
none below 100 kVA. A standard recorded laxer than that, or none, bills a smaller surcharge (or a
larger rebate) every month the power factor is judged; `pf_adjustment_error` cannot see it, since
it judges the bill against the standard the archive records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditkit.billing.money import round_half_up
from auditkit.billing.params import default_billing_params
from auditkit.billing.power_factor import adjustment_percent, power_factor
from auditkit.rules.context import RuleContext
from auditkit.rules.evidence import clause
from auditkit.rules.findings import (
    empty_raw,
    optional_values,
    per_customer_at,
    raw,
    rows_of,
    zero_where_nan,
)
from auditkit.rules.registry import RULES, rule
from auditkit.rules.shared import once_per_context
from auditkit.rules.worklist import missing_needs


def standard_due(
    usage: np.ndarray,
    household_tariff: np.ndarray,
    voltage_kv: np.ndarray,
    capacity_kva: np.ndarray,
    params: dict,
) -> np.ndarray:
    """Per customer (or bill), the standard its class and capacity call for; NaN: not assessed
    (a household, a customer on a household tariff, below `assessed_min_kva`, capacity unknown)."""
    assessed = ~np.isin(usage, ["residential"]) & ~household_tariff
    assessed &= np.nan_to_num(capacity_kva) >= params["assessed_min_kva"]
    strict = (usage == "industrial") & (voltage_kv >= params["low_voltage_kv"])
    strict &= np.nan_to_num(capacity_kva) >= params["strict_min_kva"]
    return np.where(
        assessed,
        np.select([strict, usage == "agricultural"], [0.90, 0.80], 0.85),
        np.nan,
    )


@rule(
    "pf_standard_mismatch",
    area="routine",
    needs=("customers.pf_standard", "customers.contract_capacity_kva"),
    params=("assessed_min_kva", "strict_min_kva", "low_voltage_kv"),
    severity="medium",
    revenue_kind="proved",
)
def pf_standard_mismatch(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """An open account whose recorded standard is laxer than its class and capacity call for
    (none where one is due included). A stricter standard than the table's is left alone: the
    0.90 standard also holds high-voltage customers with on-load tap changers, which the archive
    does not record.

    Revenue: over the bills of the data, each under the standard due in its month (the capacity
    then in force), the adjustment under that standard less the one under the standard recorded,
    on the bill's power factor (its own, else from its kWh, losses and reactive registers) and its
    energy and basic charges billed (funds excluded; `_basic_charge_stated`); bills without a
    power factor, or whose basic charge nothing states, add nothing.
    """
    customers = ctx.customers
    recorded = customers["pf_standard"].to_numpy(dtype=float)
    due = _due_now(ctx, params)
    idx = np.flatnonzero(_laxer(recorded, due) & (customers["status"] != "closed").to_numpy())
    if not len(idx):
        return empty_raw()
    bills = _bills_under_laxer(ctx, params)
    billed_laxer = np.zeros(len(customers), dtype=bool)  # a bill under a laxer standard than due
    billed_laxer[ctx.bill_customer[bills.rows]] = True
    # Each adjustment to the fen, as a bill rounds its line, then their difference.
    gap = _percent_of(bills.base, bills.due_percent) - _percent_of(bills.base, bills.percent)
    judged = ~np.isnan(gap)
    money = per_customer_at(
        ctx, bills.rows[judged], revenue=gap[judged], pf_last=bills.power_factor[judged]
    )
    money = money.set_index("cust")
    evidence, revenue, month_from, month_to = [], [], [], []
    for customer in idx:
        clauses = [
            clause(
                "pf_standard_mismatch",
                recorded=(
                    clause("pf_standard.none")
                    if np.isnan(recorded[customer])
                    else clause("pf_standard.recorded", standard=recorded[customer])
                ),
                due=due[customer],
                usage=customers["usage_type"].iat[customer],
                voltage=customers["voltage_kv"].iat[customer],
                capacity=customers["contract_capacity_kva"].iat[customer],
            )
        ]
        if customer in money.index:
            found = money.loc[customer]
            amount = max(float(found["revenue"]), 0.0)
            span = (int(found["month_from"]), int(found["month_to"]))
            clauses.append(
                clause(
                    "pf_standard.priced",
                    bills=int(found["bills"]),
                    months=span,
                    pf=float(found["pf_last"]),
                    amount=amount,
                )
            )
        else:  # why there is no money: no power factor, or no bill yet at the capacity now
            amount, span = 0.0, (ctx.as_of, ctx.as_of)
            reason = "unpriced" if billed_laxer[customer] else "not_billed_yet"
            clauses.append(clause(f"pf_standard.{reason}"))
        evidence.append(clauses)
        revenue.append(amount)
        month_from.append(span[0])
        month_to.append(span[1])
    score = np.full(len(idx), 0.7)
    return raw(idx, np.array(month_from), np.array(month_to), evidence, np.array(revenue), score)


def standard_surcharge(
    ctx: RuleContext, rows: np.ndarray, extra: np.ndarray, params: dict
) -> np.ndarray:
    """Per bill of `rows`: what a charge of the adjustment's base short by `extra` yuan (a basic
    charge on too few kVA) moves the adjustment by under the standard due beyond under the
    standard recorded, where `pf_standard_mismatch` (with its thresholds `params`) prices the
    bill; 0 elsewhere.

    pf_standard_mismatch prices the two standards on the base billed only, and the rule that
    finds the base short prices its adjustment under the standard recorded, so this is what
    neither counts: the rule finding the base short adds it."""
    surcharge = np.zeros(len(rows))
    if missing_needs(ctx.source, RULES["pf_standard_mismatch"]):
        return surcharge
    bills = _bills_under_laxer(ctx, params)
    at = np.searchsorted(bills.rows, rows)
    found = at < len(bills.rows)
    found[found] = bills.rows[at[found]] == rows[found]
    mine, at = np.flatnonzero(found), at[found]
    base, short = bills.base[at], extra[mine]
    # On a base unknown, what `extra` alone moves: proved whatever the base.
    moved = {
        name: np.where(
            np.isnan(base),
            _percent_of(short, percent),
            _percent_of(base + short, percent) - _percent_of(base, percent),
        )
        for name, percent in (("due", bills.due_percent[at]), ("recorded", bills.percent[at]))
    }
    surcharge[mine] = zero_where_nan(moved["due"] - moved["recorded"])
    return surcharge


@dataclass(frozen=True)
class _LaxerBills:
    """The bills adjusted under a laxer standard than their class and capacity then call for
    (ascending rows): their power factor, the base adjusted (energy and basic charges billed,
    funds excluded; NaN where the basic charge is unknown) and the adjustment percent under the
    standard recorded (0 for none) and under the standard due; NaN percents where the bill has
    no power factor."""

    rows: np.ndarray
    power_factor: np.ndarray
    base: np.ndarray
    percent: np.ndarray
    due_percent: np.ndarray


def _due_now(ctx: RuleContext, params: dict) -> np.ndarray:
    """Per customer, the standard due on its archive capacity (`standard_due`)."""
    customers = ctx.customers
    capacity = optional_values(customers, "contract_capacity_kva")
    return _due(ctx, customers, _on_household_tariff(ctx, customers), capacity, params)


def _bills_under_laxer(ctx: RuleContext, params: dict) -> _LaxerBills:
    """The bills of open accounts with a laxer standard than due, each judged under the
    standard due in its month (the capacity then in force): found once per run on these
    thresholds, for the rule and for `standard_surcharge`."""
    return _bills_under_laxer_on(
        ctx, params["assessed_min_kva"], params["strict_min_kva"], params["low_voltage_kv"]
    )


@once_per_context
def _bills_under_laxer_on(
    ctx: RuleContext, assessed_min_kva: float, strict_min_kva: float, low_voltage_kv: float
) -> _LaxerBills:
    """`_bills_under_laxer` on the thresholds given one by one."""
    params = {
        "assessed_min_kva": assessed_min_kva,
        "strict_min_kva": strict_min_kva,
        "low_voltage_kv": low_voltage_kv,
    }
    customers = ctx.customers
    recorded = customers["pf_standard"].to_numpy(dtype=float)
    laxer = _laxer(recorded, _due_now(ctx, params)) & (customers["status"] != "closed").to_numpy()
    rows = rows_of(ctx, np.flatnonzero(laxer))
    cust = ctx.bill_customer[rows]
    household_tariff = _on_household_tariff(ctx, customers)
    due_then = _due(ctx, customers, household_tariff, ctx.capacity_in_force[rows], params, cust)
    kept = _laxer(recorded[cust], due_then)
    rows, cust, due_then = rows[kept], cust[kept], due_then[kept]
    pf = _bill_power_factor(ctx, rows)
    base = zero_where_nan(ctx.bills["energy_charge"].to_numpy(dtype=float)[rows])
    base += _basic_charge_stated(ctx, rows)
    tables = default_billing_params().pf_tables
    percent = np.where(
        np.isnan(recorded[cust]), 0.0, adjustment_percent(pf, recorded[cust], tables)
    )
    percent = np.where(np.isnan(pf), np.nan, percent)
    return _LaxerBills(rows, pf, base, percent, adjustment_percent(pf, due_then, tables))


def _basic_charge_stated(ctx: RuleContext, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`, the basic charge in its adjustment's base: the one it billed
    (`RuleContext.basic_charge_billed`), else the capacity it billed at the rate per kVA of its
    tariff (`RuleContext.capacity_billed`: none on a bill of neither basis recording none, or on
    a tariff without a basic charge); NaN where nothing says it (a bill by capacity recording no
    capacity, one by demand), never 0: a bill recording 400 kVA beside a blank charge its amount
    cannot say had a base short of its 12,000.00, and a 2.1 % gap of ¥3,024.00 a year went
    uncounted."""
    charged = ctx.basic_charge_billed[rows].copy()
    unknown = np.flatnonzero(np.isnan(charged))
    if len(unknown):
        at = rows[unknown]
        read = ctx.capacity_billed(at) * ctx.kva_rate_due(at)
        charged[unknown] = np.where(ctx.basis_is(at, "demand"), np.nan, read)
    return charged


def _percent_of(base: np.ndarray, percent: np.ndarray) -> np.ndarray:
    """An adjustment of `percent` on `base`, to the fen as a bill rounds its line."""
    return round_half_up(base * percent / 100, 2)


def _laxer(recorded: np.ndarray, due: np.ndarray) -> np.ndarray:
    """A standard is due and the one recorded (none: 0) is below it."""
    return ~np.isnan(due) & ~(np.nan_to_num(recorded) >= due - 1e-9)


def _on_household_tariff(ctx: RuleContext, customers: pd.DataFrame) -> np.ndarray:
    """Per customer: archived on a tariff for households (a school or care home on the
    shared-meter price is held to no standard)."""
    tariffs = ctx.tariffs.drop_duplicates("tariff_category").set_index("tariff_category")
    usage = customers["tariff_category"].map(tariffs["usage_type"])
    return (usage == "residential").to_numpy(dtype=bool)


def _due(
    ctx: RuleContext,
    customers: pd.DataFrame,
    household_tariff: np.ndarray,
    capacity_kva: np.ndarray,
    params: dict,
    at: np.ndarray | None = None,
) -> np.ndarray:
    """`standard_due` of the customers (at positions `at`, each with its `capacity_kva`)."""
    pick = slice(None) if at is None else at
    return standard_due(
        customers["usage_type"].to_numpy(dtype=object)[pick],
        household_tariff[pick],
        customers["voltage_kv"].to_numpy(dtype=float)[pick],
        capacity_kva,
        params,
    )


def _bill_power_factor(ctx: RuleContext, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`, its power factor: the one billed, else A / √(A² + Q²) from its kWh
    and losses and its reactive registers (import + |export|); NaN without either."""
    billed = optional_values(ctx.bills, "power_factor")[rows]
    active = ctx.bills["kwh_billed"].to_numpy(dtype=float)[rows]
    active = active + zero_where_nan(optional_values(ctx.bills, "loss_kwh")[rows])
    imported = optional_values(ctx.bills, "kvarh_import")[rows]
    exported = np.abs(optional_values(ctx.bills, "kvarh_export")[rows])
    read = ~(np.isnan(imported) & np.isnan(exported))
    reactive = np.where(read, zero_where_nan(imported) + zero_where_nan(exported), np.nan)
    computed = power_factor(active, reactive)
    return np.where(np.isnan(billed), computed, billed)

"""Who `tariff_mismatch` flags and the tariff due of each: found once per run, for that rule
and for the rules that price beside it and leave it its bills (a yuan counts once)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditkit.periods import month_end_days
from auditkit.rules.context import KEY_STRIDE, RuleContext, customer_keys
from auditkit.rules.findings import optional_values, rows_of
from auditkit.rules.registry import RULES
from auditkit.rules.shared import once_per_context
from auditkit.rules.worklist import bills_priced_by, missing_needs


def _categories(ctx: RuleContext) -> pd.DataFrame:
    """One schedule row per tariff category (its first)."""
    return ctx.tariffs.drop_duplicates("tariff_category")


def _offered_at(ctx: RuleContext, categories: np.ndarray, customers: np.ndarray) -> np.ndarray:
    """Per pair, whether the schedule has an energy rate for tariff `categories` at the voltage
    of `customers` (codes) in force at the end of the audit month (its voltage band)."""
    voltage = ctx.customers["voltage_kv"].to_numpy(dtype=float)[customers]
    when = month_end_days(np.array([ctx.as_of]))[0]
    return ~np.isnan(ctx.tariff_lookup.rate(categories, when, voltage, "energy_rate"))


def _correct_tariff(
    ctx: RuleContext,
    schedule: pd.DataFrame,
    usage: np.ndarray,
    customers: np.ndarray,
    two_part_due: np.ndarray,
) -> np.ndarray:
    """The tariff the schedule offers each customer (codes): the first category for its usage
    type and voltage band, two-part there (`two_part_for`) where `two_part_due`, else
    single-part (else any); None where the schedule offers its usage type none at its voltage.
    `schedule`: `_categories`; `usage`: every customer's usage type."""
    usage = usage[customers]
    result = np.full(len(customers), None, dtype=object)
    codes = ctx.tariff_code(schedule["tariff_category"].to_numpy(dtype=object))
    # Preference per customer: its part kind first, then the other; schedule order within each.
    for prefer_two_part in (True, False):
        for category, code, category_usage in zip(
            schedule["tariff_category"], codes, schedule["usage_type"], strict=True
        ):
            two_part = two_part_for(ctx, np.full(len(customers), code), customers)
            wanted = (
                pd.isna(result)
                & (usage == category_usage)
                & ((two_part == two_part_due) == prefer_two_part)
            )
            if wanted.any():
                at = np.flatnonzero(wanted)
                offered = _offered_at(ctx, np.full(len(at), category, dtype=object), customers[at])
                result[at[offered]] = category
    return result


@dataclass(frozen=True)
class Mismatched:
    """The customers `tariff_mismatch` flags, with what its evidence says of each.

    `idx`: the flagged customers (codes); `correct` / `two_part_due`: each one's tariff due
    (None where the schedule offers none) and whether it is two-part. Per customer of the
    archive: `tariff`, its usage type `usage`, the usage its tariff is for `tariff_usage` (NaN
    where the schedule does not list it), whether the tariff is offered at its voltage
    `at_voltage`, and whether it `should_be_two_part`.
    """

    idx: np.ndarray
    correct: np.ndarray
    two_part_due: np.ndarray
    tariff: np.ndarray
    usage: np.ndarray
    tariff_usage: np.ndarray
    at_voltage: np.ndarray
    should_be_two_part: np.ndarray

    def wrong_bills(self, ctx: RuleContext) -> tuple[np.ndarray, np.ndarray]:
        """The bills the rule prices (ascending rows): those of the flagged customers not on
        their tariff due (one there is); and each one's customer's position in `idx`."""
        rows = rows_of(ctx, self.idx)
        position = np.full(len(ctx.customers), -1)
        position[self.idx] = np.arange(len(self.idx))
        owner = position[ctx.bill_customer[rows]]
        due_code = ctx.tariff_code(self.correct)
        wrong = (ctx.bill_tariff_due[rows] != due_code[owner]) & (due_code[owner] >= 0)
        return rows[wrong], owner[wrong]


def mismatched(ctx: RuleContext, params: dict) -> Mismatched:
    """Who `tariff_mismatch` flags (its docstring says why) and the tariff due of each: found
    once per run on these thresholds, for the rule and the rules that price beside it."""
    return mismatched_on_thresholds(ctx, frozen_thresholds(params))


def frozen_thresholds(params: dict) -> tuple:
    """Thresholds as sorted (name, value) pairs, lists as tuples: a key for `once_per_context`."""
    return tuple(
        (name, tuple(value) if isinstance(value, list) else value)
        for name, value in sorted(params.items())
    )


def frozen_rules_thresholds(params: dict, rule_ids: tuple[str, ...]) -> tuple:
    """The thresholds of each rule of `rule_ids` in `params` (by rule id), frozen in that order
    (`frozen_thresholds`): one key for a result several rules' thresholds decide."""
    return tuple(frozen_thresholds(params[rule_id]) for rule_id in rule_ids)


def thawed_rules_thresholds(key: tuple, rule_ids: tuple[str, ...]) -> dict:
    """`params` by rule id again from `frozen_rules_thresholds(params, rule_ids)`."""
    return {rule_id: dict(frozen) for rule_id, frozen in zip(rule_ids, key, strict=True)}


@once_per_context
def mismatched_on_thresholds(ctx: RuleContext, frozen: tuple) -> Mismatched:
    """`_mismatched` on thresholds given as sorted (name, value) pairs (lists as tuples)."""
    params = dict(frozen)
    customers = ctx.customers
    schedule = _categories(ctx)
    # Each customer's category in the schedule (-1: not listed): its usage (NaN where not
    # listed) and whether it is two-part at its voltage (not where not listed).
    tariff = customers["tariff_category"].to_numpy(dtype=object)
    listed_at = pd.Index(schedule["tariff_category"]).get_indexer(customers["tariff_category"])
    tariff_usage = np.append(schedule["usage_type"].to_numpy(dtype=object), np.nan)[listed_at]
    everyone = np.arange(len(customers))
    archived_two_part = two_part_for(ctx, ctx.tariff_code(tariff), everyone)
    usage = customers["usage_type"].to_numpy(dtype=object)
    capacity = optional_values(customers, "contract_capacity_kva")
    listed = ~pd.isna(tariff_usage)
    at_voltage = np.ones(len(customers), dtype=bool)
    at_voltage[listed] = _offered_at(ctx, tariff[listed], everyone[listed])
    industry = customers["industry"]
    shared_meter = _of_industry_classes(industry, params["shared_meter_industries"])
    ev_charging = _of_industry_classes(industry, params["ev_charging_industries"])
    legal = (shared_meter & (tariff_usage == "residential")) | (
        ev_charging & np.isin(tariff_usage, params["ev_charging_usages"])
    )
    wrong_usage = (tariff_usage != usage) & ~legal
    threshold = params["two_part_threshold_kva"]
    large = np.nan_to_num(capacity) >= threshold
    # A two-part tariff for the usage offered at the customer's voltage; EV charging may stay
    # single-part (charging posts at car parks pay the general commercial price).
    candidates = np.flatnonzero(~archived_two_part & large & ~ev_charging)
    offered_two_part = np.zeros(len(customers), dtype=bool)
    due = _correct_tariff(ctx, schedule, usage, candidates, np.ones(len(candidates), dtype=bool))
    offered_two_part[candidates] = two_part_for(ctx, ctx.tariff_code(due), candidates)
    should_be_two_part = ~archived_two_part & large & offered_two_part & ~ev_charging
    flagged = (wrong_usage | ~at_voltage | should_be_two_part) & (
        customers["status"] != "closed"
    ).to_numpy()
    idx = np.flatnonzero(flagged)
    correct = _correct_tariff(ctx, schedule, usage, idx, large[idx] & ~ev_charging[idx])
    two_part_due = two_part_for(ctx, ctx.tariff_code(correct), idx)
    return Mismatched(
        idx, correct, two_part_due, tariff, usage, tariff_usage, at_voltage, should_be_two_part
    )


def _of_industry_classes(industry: pd.Series, classes: list[str]) -> np.ndarray:
    """Per customer, whether its `industry` is one of `classes` or a sub-class of one (GB/T
    4754): a name ends with its class's (小学教育, 社区养老服务 of 教育, 养老服务), a code
    (letters and digits only) starts with its class's (P8321 of P83). Both legal exceptions
    (shared meter, EV charging) match so: an archive keeping sub-classes would otherwise lose
    one; 教育用品零售 is no school."""
    text = industry.astype("string").str.strip()
    codes = [name for name in classes if name.isascii() and name.isalnum()]
    names = [name for name in classes if name not in codes]
    found = text.str.endswith(tuple(names)) if names else pd.Series(False, index=text.index)
    if codes:
        found |= text.str.upper().str.startswith(tuple(code.upper() for code in codes))
    return found.fillna(False).to_numpy(dtype=bool)


def bills_on_wrong_tariff(ctx: RuleContext, params: dict) -> np.ndarray:
    """Per bill, whether `tariff_mismatch` (with its thresholds `params`) prices it: a bill of a
    customer it flags, not on the tariff due. All False where its data is missing (it cannot
    run). A rule that would price the same bills leaves them to it, so a yuan counts once."""
    return bills_priced_by(
        ctx, "tariff_mismatch", lambda: mismatched(ctx, params).wrong_bills(ctx)[0]
    )


def bills_of_flagged_customers(ctx: RuleContext, params: dict) -> np.ndarray:
    """Per bill, whether `tariff_mismatch` (with its thresholds `params`) flags its customer:
    the tariff of each of its bills is that rule's question (one on the tariff due lost
    nothing, one off it is priced there), so a rule pricing a bill's tariff leaves them all.
    All False where its data is missing (it cannot run)."""
    return bills_priced_by(
        ctx, "tariff_mismatch", lambda: rows_of(ctx, mismatched(ctx, params).idx)
    )


def bills_without_basic_charge_due(ctx: RuleContext, params: dict) -> np.ndarray:
    """Per bill, whether no basic charge is due on it: its tariff due is single-part. For a
    customer `tariff_mismatch` (with its thresholds `params`) flags with a tariff due, that
    tariff (the archive's is wrong); for any other, the tariff the archive and its
    tariff_change orders put on the bill (`tariff_in_force`).

    A rule pricing a tariff's difference nets the basic charge a bill charged where the tariff
    it prices as due is single-part (tariff_mismatch, order_not_applied, change_without_order);
    a rule pricing a basic charge short, or a demand charge a multiplier read short, leaves
    every such bill: the money it would prove is not due."""
    return _without_basic_charge_on(ctx, frozen_thresholds(params))


@once_per_context
def _without_basic_charge_on(ctx: RuleContext, frozen: tuple) -> np.ndarray:
    """`bills_without_basic_charge_due` on thresholds frozen (`frozen_thresholds`): found once
    per run for the rules that read it, shared, never written into."""
    params = dict(frozen)
    due = tariff_in_force(ctx).copy()
    if not missing_needs(ctx.source, RULES["tariff_mismatch"]):
        found = mismatched(ctx, params)
        code = ctx.tariff_code(found.correct)
        known = code >= 0
        rows = rows_of(ctx, found.idx[known])
        position = np.full(len(ctx.customers), -1)
        position[found.idx[known]] = np.arange(int(known.sum()))
        due[rows] = code[known][position[ctx.bill_customer[rows]]]
    return (due >= 0) & ~two_part_for(ctx, due, ctx.bill_customer)  # -1: unlisted, not known


def is_two_part(ctx: RuleContext, tariff: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`, whether `tariff` (names, aligned) charges a basic charge at the
    bill's voltage: a row of it in the customer's voltage band has a rate per kVA or per kW (a
    tariff by demand alone is two-part too; a rate only at another voltage is not the
    customer's). An unknown tariff does not."""
    codes = ctx.tariff_code(np.asarray(tariff, dtype=object))
    return two_part_for(ctx, codes, ctx.bill_customer[rows])


def two_part_for(ctx: RuleContext, codes: np.ndarray, customers: np.ndarray) -> np.ndarray:
    """Per pair, whether tariff `codes` (-1: unknown, not) charges a basic charge at the voltage
    of `customers` (codes), as `is_two_part` judges it: read from a table of every tariff at
    every voltage the archive holds (a few dozen cells, however many bills)."""
    table = _basic_by_tariff_and_voltage(ctx)
    volt = _voltage_codes(ctx)[customers]
    return (codes >= 0) & table[np.maximum(codes, 0), volt]


@once_per_context
def _voltage_codes(ctx: RuleContext) -> np.ndarray:
    """Per customer, its voltage's position among the archive's distinct voltages, plus one
    (0: none recorded)."""
    voltage = ctx.customers["voltage_kv"].to_numpy(dtype=float)
    return pd.factorize(voltage, use_na_sentinel=True)[0] + 1


@once_per_context
def _basic_by_tariff_and_voltage(ctx: RuleContext) -> np.ndarray:
    """Per tariff code and voltage code (`_voltage_codes`), whether a row of the tariff whose
    voltage band holds the voltage (bounds included; with no voltage, any row) has a rate per
    kVA or per kW."""
    voltage = ctx.customers["voltage_kv"].to_numpy(dtype=float)
    volts = np.concatenate([[np.nan], pd.unique(voltage[~np.isnan(voltage)])])
    basic = _basic_rows(ctx)
    table = np.zeros((len(ctx.tariff_index), len(volts)), dtype=bool)
    for at, volt in enumerate(volts):
        in_band = (basic["vmin"] <= volt) & (volt <= basic["vmax"]) if at else True
        charging = basic["code"][in_band & (basic["code"] >= 0)]
        table[charging, at] = True
    return table


@once_per_context
def _basic_rows(ctx: RuleContext) -> dict[str, np.ndarray]:
    """The schedule's rows with a basic rate per kVA or per kW: their tariff code and voltage
    band (an open end infinite)."""
    tariffs = ctx.tariffs
    charging = np.zeros(len(tariffs), dtype=bool)
    for column in ("basic_rate_kva_month", "basic_rate_kw_month"):
        charging |= np.nan_to_num(optional_values(tariffs, column)) > 0
    bounds = {
        name: np.nan_to_num(optional_values(tariffs, column), nan=fill)[charging]
        for name, column, fill in (
            ("vmin", "voltage_kv_min", -np.inf),
            ("vmax", "voltage_kv_max", np.inf),
        )
    }
    code = ctx.tariff_code(tariffs["tariff_category"].to_numpy(dtype=object))[charging]
    return {"code": code, **bounds}


def tariff_orders_archived(ctx: RuleContext) -> pd.DataFrame:
    """The tariff_change orders of the dataset that took effect (an effective date) for a
    customer of the archive, those issued after the audit month included (the archive is a
    snapshot of the extract: it already holds their tariffs)."""
    orders = ctx.work_orders if ctx.archived_orders is None else ctx.archived_orders
    if orders is None:
        return ctx.orders_of("tariff_change")  # the empty frame of every column
    wanted = (orders["order_type"] == "tariff_change") & (orders["cust"] >= 0)
    return orders.loc[(wanted & (orders["effective_month"] >= 0)).to_numpy(dtype=bool)]


@dataclass(frozen=True)
class TariffOrdersInForce:
    """For the bills of the customers of some tariff_change orders (`rows`, ascending), the
    orders in force: per bill the new tariff of the latest order that took effect by its month
    (`new`; of two in one month the later effective date, then the later row) and where none
    has yet (`before_any`), the old tariff of the customer's first order (`first_old`); codes
    of `ctx.tariff_index`, -1 where the schedule does not list the tariff or the bill has no
    such order. `in_force`: per bill, an order took effect by its month."""

    rows: np.ndarray
    in_force: np.ndarray
    new: np.ndarray
    before_any: np.ndarray
    first_old: np.ndarray


def tariff_orders_in_force(ctx: RuleContext, orders: pd.DataFrame) -> TariffOrdersInForce:
    """`TariffOrdersInForce` of `orders` (tariff_change orders with a customer and an effective
    month), by bisection over their customer × month keys."""
    month = orders["effective_month"].to_numpy(dtype=np.int64)
    keys = customer_keys(orders["cust"].to_numpy(dtype=np.int64), month)
    day = orders["effective_date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    order = np.lexsort((np.arange(len(keys)), day, keys))
    keys = keys[order]
    new = ctx.tariff_code(orders["new_value"].to_numpy(dtype=object))[order]
    old = ctx.tariff_code(orders["old_value"].to_numpy(dtype=object))[order]
    rows = rows_of(ctx, orders["cust"].to_numpy())  # only their bills: by bisection
    bill_keys = customer_keys(ctx.bill_customer[rows], ctx.bill_month[rows])
    latest = np.searchsorted(keys, bill_keys, side="right") - 1
    same = latest >= 0
    same[same] = keys[latest[same]] // KEY_STRIDE == bill_keys[same] // KEY_STRIDE
    first = np.minimum(latest + 1, len(keys) - 1)
    before_any = ~same & (keys[first] // KEY_STRIDE == bill_keys // KEY_STRIDE)
    return TariffOrdersInForce(
        rows,
        same,
        np.where(same, new[latest], -1),
        before_any,
        np.where(before_any, old[first], -1),
    )


@once_per_context
def tariff_in_force(ctx: RuleContext) -> np.ndarray:
    """Per bill, the tariff the archive and its tariff_change orders put on it (a code of
    `ctx.tariff_index`, -1 where the schedule does not list it): the new tariff of the latest
    order in force by the bill's month (from its effective month; of two in one month the
    later effective date, then the later row: order_not_applied, which prices a bill by its
    read days, counts nothing on a bill read wholly before the order), the old tariff of
    the first order where none is yet, else the archive's. The orders are all those of the
    dataset (`tariff_orders_archived`): the archive holds the tariff of an order issued after
    the audit month too. Found once per run, shared, never written into."""
    in_force = ctx.tariff_code(ctx.customers["tariff_category"])[ctx.bill_customer]
    orders = tariff_orders_archived(ctx)
    if orders.empty:
        return in_force
    found = tariff_orders_in_force(ctx, orders)
    in_force[found.rows[found.in_force]] = found.new[found.in_force]
    in_force[found.rows[found.before_any]] = found.first_old[found.before_any]
    return in_force

"""Routine audits (常态稽查): tariff against usage, rates against the schedule, consumption, archive."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from auditkit.billing.basic import basic_in_amount, demand_billed
from auditkit.billing.money import round_half_up
from auditkit.billing.params import default_billing_params
from auditkit.periods import date_month_number
from auditkit.rules.accounts import latest_connections
from auditkit.rules.billing_lines import energy_view, kwh_differs, pf_moved
from auditkit.rules.capacity import (
    days_before_a_fall_below_two_part,
    fell_below_two_part,
    order_capacity,
    two_part_days_before_a_fall,
)
from auditkit.rules.context import RuleContext
from auditkit.rules.evidence import Clause, clause, funds_clause
from auditkit.rules.findings import (
    empty_raw,
    flagged_rows_at,
    optional_values,
    per_customer_at,
    raw,
    raw_per_customer,
    rows_of,
    runs,
    zero_where_nan,
)
from auditkit.rules.idle import (
    missing_bills,
    off_seasons,
    registration_notes,
    stopped_spans,
    under_spans,
)
from auditkit.rules.instrument import ct_primary_a, ct_secondary_a, expected_pt_ratio
from auditkit.rules.off_archive import priced_tariff_due
from auditkit.rules.rate_counted import lines_rate_mismatch_counts, rates_judged_against
from auditkit.rules.registry import rule
from auditkit.rules.repriced import (
    RepricedAmounts,
    Repricing,
    on_tariff,
    reprice,
)
from auditkit.rules.stale_orders import stale_bills
from auditkit.rules.tariff_due import Mismatched, is_two_part, mismatched
from auditkit.rules.tier_energy import back_billed_energy_money


@dataclass(frozen=True)
class TariffDueSurcharge:
    """Per bill, what a kWh it left unbilled owes beyond the rates of the tariff in force:
    `energy` and `fund` (yuan/kWh, 0 on a bill on its tariff due) and `tariff`, the tariff due
    named (None there); and `demand`, what a yuan of demand charge billed is worth at the tariff
    due (its rate per kW over the one in force; 1 on a bill on its tariff due, or where either
    has none)."""

    energy: np.ndarray
    fund: np.ndarray
    tariff: np.ndarray
    demand: np.ndarray


def tariff_due_surcharge(ctx: RuleContext, rows: np.ndarray, params: dict) -> TariffDueSurcharge:
    """Per bill of `rows`: where `tariff_mismatch` prices the bill, or `billed_tariff_mismatch`
    or `order_not_applied` (`params` holds these rules' thresholds and change_without_order's,
    by rule id, as a rule reading them gets them), the flat energy and fund rates of the tariff
    due (`off_archive.priced_tariff_due`) less those in force (`energy_rate_due_or_billed`, the schedule's fund rate; a tariff
    without funds collects none); 0 elsewhere, and where the schedule has no energy rate for the
    tariff due; and the demand charge's worth at the tariff due (`demand_scale`).

    The tariff rules price the tariff's difference on the kWh and demand billed only, so a rule
    pricing kWh or demand a bill left out (a multiplier, a register) adds this to its rates:
    the two tariffs' difference on those kWh and kW is counted, and once."""
    rows = np.asarray(rows)
    surcharge = TariffDueSurcharge(
        np.zeros(len(rows)),
        np.zeros(len(rows)),
        np.full(len(rows), None, dtype=object),
        np.ones(len(rows)),
    )
    tariff = priced_tariff_due(ctx, rows, params)
    at = np.flatnonzero(pd.notna(tariff))
    if len(at) == 0:
        return surcharge
    tariff, bills = tariff[at], rows[at]
    due_energy = _rate_of(ctx, tariff, bills, "energy_rate")
    priced = np.isfinite(due_energy)
    at, tariff, bills = at[priced], tariff[priced], bills[priced]
    surcharge.energy[at] = due_energy[priced] - ctx.energy_rate_due_or_billed(bills)
    surcharge.tariff[at] = tariff
    if "fund_rate" in ctx.tariffs:
        surcharge.fund[at] = zero_where_nan(_rate_of(ctx, tariff, bills, "fund_rate")) - (
            zero_where_nan(ctx.schedule_rate_due("fund_rate", bills))
        )
    surcharge.demand[at] = demand_scale(ctx, tariff, bills)
    return surcharge


def demand_scale(ctx: RuleContext, tariff: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`, the basic rate per kW of tariff `tariff` (names, per bill) over the
    one in force on the bill (`schedule_rate_due`): what a yuan of demand charge billed is worth
    at that tariff; 1 where either has none."""
    due = _rate_of(ctx, tariff, rows, "basic_rate_kw_month")
    in_force = ctx.schedule_rate_due("basic_rate_kw_month", rows)
    scaled = np.isfinite(due) & np.isfinite(in_force) & (in_force > 0)
    return np.where(scaled, due / np.where(scaled, in_force, 1.0), 1.0)


def at_tariff_due(tariff: object, amount: float) -> list:
    """The clause saying a customer's kWh left out were priced at `tariff`, the tariff due, and
    that this added `amount` (`tariff_due_surcharge`; taken off where the tariff due is the
    cheaper); none where it moved nothing."""
    if abs(amount) < 0.005 or not isinstance(tariff, str):
        return []
    if amount < 0:
        return [clause("unbilled.at_cheaper_tariff_due", tariff=tariff, amount=-amount)]
    return [clause("unbilled.at_tariff_due", tariff=tariff, amount=amount)]


@rule(
    "tariff_mismatch",
    area="routine",
    needs=("customers.usage_type", "customers.tariff_category", "tariffs.usage_type"),
    params=(
        "two_part_threshold_kva",
        "backbill_months",
        "shared_meter_industries",
        "ev_charging_industries",
        "ev_charging_usages",
        "kwh_tolerance",
        "relative_tolerance",
    ),
    severity="high",
    revenue_kind="proved",
    penalty="tariff_misuse",
    reads=("order_not_applied",),
)
def tariff_mismatch(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """A tariff not for the customer's usage type (legal exceptions by industry aside: schools,
    care homes and welfare sites may pay the residential shared-meter price, EV charging the
    tariffs of `ev_charging_usages`), not offered at its voltage, or single-part at or above the
    two-part threshold where the schedule offers its usage a two-part tariff at its voltage.

    Revenue: what the bills not on the tariff due under-billed over the months recoverable, each
    priced as what the schedule charges on the tariff due less what it charges on the tariff
    billed (a wrong rate on the bill is rate_mismatch's). On itemized data both are
    recomputations of the bill on the quantities it billed (`_repriced_gap`): energy by the
    periods or tiers of each tariff, losses, funds, a two-part tariff's basic charge, and the
    power-factor adjustment on that base; elsewhere (or where a bill cannot be so priced) the
    flat rates of `_flat_gap`. Recoverable, and so counted and penalised: from the first such
    bill where the data shows the start (a bill on the due tariff before it, or a connection
    inside the data), else from the effective month of the earliest tariff order not applied
    whose bills order_not_applied leaves here (the order dates the change the archive missed),
    else the last `backbill_months` months (the convention for an unknown start); the evidence
    gives the data's total beside it. Bills that net to an over-billing are a refund: no
    revenue, no penalty.
    """
    # order_not_applied's grace, for the orders it leaves here; the thresholds are the rest.
    grace_months = params["order_not_applied"]["grace_months"]
    params = {name: value for name, value in params.items() if name != "order_not_applied"}
    found = mismatched(ctx, params)
    idx, correct = found.idx, found.correct
    if len(idx) == 0:
        return empty_raw()
    customers = ctx.customers
    tariff, tariff_usage, usage = found.tariff, found.tariff_usage, found.usage
    at_voltage, should_be_two_part = found.at_voltage, found.should_be_two_part
    capacity = optional_values(customers, "contract_capacity_kva")
    money = _tariff_gap(ctx, found, params)
    first_bill = np.minimum(ctx.first_bill_month[idx], ctx.as_of)
    month_from = np.where(money.bills > 0, money.first_wrong, first_bill)
    start_seen = (money.bills > 0) & (
        (money.first_wrong > first_bill) | _billed_since_connection(ctx, idx, first_bill)
    )
    # One window for the revenue, the penalty and the evidence: everything since a start the
    # data shows, or the order not applied dates, else the last `backbill_months` (DOMAIN.md);
    # nothing where the bills net to a refund (no under-billing, so no misuse to penalise).
    order_start, order_id = _unapplied_order_start(ctx, idx, grace_months)
    dated_by_order = (money.bills > 0) & ~start_seen & (order_start <= ctx.as_of)
    start = np.where(dated_by_order, np.maximum(order_start, month_from), month_from)
    start_seen |= dated_by_order
    recovered_from = np.where(start_seen, start, ctx.as_of - params["backbill_months"] + 1)
    recoverable = np.where(money.over > 0, 0.0, money.recent(recovered_from))
    archived = tariff[idx]
    evidence = []
    for position, customer in enumerate(idx):
        tariff, listed_for = archived[position], tariff_usage[customer]
        if pd.isna(listed_for):
            found = clause("tariff_mismatch.unlisted", usage=usage[customer], tariff=tariff)
        elif not at_voltage[customer]:
            found = clause(
                "tariff_mismatch.voltage",
                usage=usage[customer],
                tariff=tariff,
                voltage=customers["voltage_kv"].iat[customer],
            )
        else:
            found = clause(
                "tariff_mismatch", usage=usage[customer], tariff=tariff, tariff_usage=listed_for
            )
        clauses = [found]
        if correct[position]:
            clauses.append(clause("tariff.should_be", tariff=correct[position]))
        if should_be_two_part[customer]:
            clauses.append(clause("tariff.two_part_threshold", capacity=capacity[customer]))
        if not correct[position] or money.bills[position] == 0:
            nothing = "tariff.bills_on_due" if correct[position] else "tariff.no_tariff_due"
            if correct[position] and not len(rows_of(ctx, np.array([customer]))):
                nothing = "tariff.no_bills"  # an archive error with nothing billed to price
            evidence.append([*clauses, clause(nothing)])
            continue
        months = (month_from[position], ctx.as_of)
        if money.over[position] > 0:  # a refund, reported as the line rules report one
            over = money.over[position]
            bills = money.bills[position]
            evidence.append(
                [*clauses, clause("tariff.overbilled", amount=over, bills=bills, months=months)]
            )
            continue
        clauses.append(
            clause(
                "tariff.underbilled",
                amount=money.total[position],
                bills=money.bills[position],
                months=months,
            )
        )
        if money.pf[position]:
            clauses.append(clause("tariff.pf", amount=money.pf[position]))
        if dated_by_order[position]:
            clauses.append(
                clause(
                    "tariff.recoverable_from_order",
                    order=order_id[position],
                    amount=recoverable[position],
                    months=(start[position], ctx.as_of),
                )
            )
        elif start_seen[position]:
            clauses.append(clause("tariff.recoverable_from_start", start=month_from[position]))
        else:
            clauses.append(
                clause(
                    "tariff.recoverable_unknown_start",
                    amount=recoverable[position],
                    months=(max(recovered_from[position], month_from[position]), ctx.as_of),
                )
            )
        evidence.append(clauses)
    # The penalty (2× the price difference) is on the revenue recovered, month by month: each
    # month under the penalty regime in force then.
    return raw(
        idx,
        month_from,
        np.full(len(idx), ctx.as_of),
        evidence,
        recoverable,
        np.full(len(idx), 0.9),
        penalty_months=money.by_month(recovered_from),
    )


def _unapplied_order_start(
    ctx: RuleContext, idx: np.ndarray, grace_months: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per customer of `idx`, the effective month of the earliest tariff order its stale bills
    name (`stale_bills`, on order_not_applied's grace; a month past `as_of` where none) and its
    id: order_not_applied leaves those bills to tariff_mismatch, so the order dates the
    misuse's start and every bill it leaves here is counted here."""
    start = np.full(len(ctx.customers), ctx.as_of + 1, dtype=np.int64)
    order_id = np.full(len(ctx.customers), None, dtype=object)
    hits = stale_bills(ctx, grace_months)
    if not hits.empty:
        hits = hits[(hits["kind"] == "tariff").to_numpy()]
        earliest = hits.sort_values(["cust", "named_effective"], kind="stable")
        earliest = earliest.drop_duplicates("cust")
        customers = earliest["cust"].to_numpy(dtype=np.int64)
        start[customers] = earliest["named_effective"].to_numpy(dtype=np.int64)
        order_id[customers] = earliest["named_order_id"].to_numpy(dtype=object)
    return start[idx], order_id[idx]


def _billed_since_connection(
    ctx: RuleContext, idx: np.ndarray, first_bill: np.ndarray
) -> np.ndarray:
    """Per customer of `idx`: connected inside the data (its latest `new_connection` order, else
    its `connection_date`, as unbilled_account reads it), its first bill (`first_bill`) in the
    month of the connection or the next: the data holds every bill it ever had, so a wrong
    tariff since its first bill has a known start, the connection."""
    connection = date_month_number(ctx.customers["connection_date"])
    latest = latest_connections(ctx)
    connection[latest["cust"].to_numpy(dtype=np.int64)] = latest["effective_month"].to_numpy(
        dtype=np.int64
    )
    connected = connection[idx]
    return (
        (connected >= ctx.first_month) & (first_bill >= connected) & (first_bill <= connected + 1)
    )


@dataclass(frozen=True)
class _TariffGap:
    """Per flagged customer, the bills not on the tariff due and what they under-billed.

    `bills`: how many; `first_wrong`: the month of the first (the audit month where none);
    `total`: the yuan under-billed over them (≥ 0); `pf`: of which power-factor adjustment (the
    sum over those bills of the adjustment moved); `over`: the yuan over-billed where they net
    to less than nothing (≥ 0: a refund, not revenue); `months` / `gap`: each such bill's month
    and yuan, grouped by `owner` (position among the flagged customers).
    """

    bills: np.ndarray
    first_wrong: np.ndarray
    total: np.ndarray
    pf: np.ndarray
    over: np.ndarray
    owner: np.ndarray
    months: np.ndarray
    gap: np.ndarray

    def recent(self, window_from: np.ndarray) -> np.ndarray:
        """Per customer, the yuan under-billed from its month `window_from` on (≥ 0)."""
        inside = self.months >= np.asarray(window_from)[self.owner]
        summed = np.bincount(self.owner[inside], self.gap[inside], minlength=len(self.bills))
        return np.maximum(summed, 0.0)

    def by_month(self, window_from: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per customer, its bills' months and yuan under-billed from its month `window_from`
        on (a penalty base month by month: `penalty.penalties`)."""
        inside = self.months >= np.asarray(window_from)[self.owner]
        order = np.argsort(self.owner[inside], kind="stable")
        ends = np.cumsum(np.bincount(self.owner[inside], minlength=len(self.bills)))[:-1]
        months = np.split(self.months[inside][order], ends)
        return list(zip(months, np.split(self.gap[inside][order], ends), strict=True))


def _tariff_gap(ctx: RuleContext, found: Mismatched, params: dict) -> _TariffGap:
    """The bills of the flagged customers not on their tariff due (`Mismatched.wrong_bills`),
    each priced by `_repriced_gap` on itemized data where it can be, else by `_flat_gap`."""
    idx, correct, two_part_due = found.idx, found.correct, found.two_part_due
    rows, owner = found.wrong_bills(ctx)
    months = ctx.bill_month[rows]
    gap, pf = np.full(len(rows), np.nan), np.zeros(len(rows))
    if ctx.itemized and len(rows):
        gap, moved = _repriced_gap(ctx, idx, correct, two_part_due, rows, owner)
        pf = np.where(np.isnan(gap), 0.0, moved)
    flat = np.flatnonzero(np.isnan(gap))
    if len(flat):  # only then the whole recomputation is read (`_energy_on_billed`)
        gap[flat] = _flat_gap(ctx, rows[flat], correct[owner[flat]], params)
    count = np.bincount(owner, minlength=len(idx))
    first_wrong = np.full(len(idx), ctx.as_of)
    np.minimum.at(first_wrong, owner, months)
    net = np.bincount(owner, gap, minlength=len(idx))
    total, over = np.maximum(net, 0.0), round_half_up(np.maximum(-net, 0.0))
    pf_total = round_half_up(np.bincount(owner, pf, minlength=len(idx)))
    return _TariffGap(count, first_wrong, total, pf_total, over, owner, months, gap)


def _flat_gap(ctx: RuleContext, rows: np.ndarray, tariff: np.ndarray, params: dict) -> np.ndarray:
    """Per bill of `rows`, what it under-billed on the flat rates: energy at the rate of the
    tariff due (`tariff`, per bill) less what the schedule charges for it on the tariff billed
    (both for the month and the customer's voltage band; `_energy_on_billed`), its funds at the
    difference of their rates, plus the tariff due's basic charge (`_basic_on_tariff`) less
    the basic charge billed: where a two-part tariff is due and billed, what the schedule
    billed charges on the same capacity and demand (a capacity billed short is
    `capacity_underbilled`'s, as a wrong rate is `rate_mismatch`'s: counted here too it would
    be counted twice), else the bill's own (a basic charge a single-part tariff does not have
    was still paid toward the one due; where the tariff due is single-part, no capacity is
    short: `bills_without_basic_charge_due`)."""
    kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)[rows]
    energy_rate = _rate_of(ctx, tariff, rows, "energy_rate")
    energy_gap = energy_rate * kwh - _energy_on_billed(ctx, rows, kwh, params)
    # Government funds collected with the bill (DOMAIN.md: fund_rate × kWh), where the schedule
    # has them: a tariff in force without funds (a household's) collects none, 0 and not
    # unknown; where either tariff has no rate in force, so no row, its funds are unknown.
    priced = ~np.isnan(energy_rate)
    both = priced & np.isfinite(ctx.schedule_rate_due("energy_rate", rows))
    fund_gap = (
        zero_where_nan(_rate_of(ctx, tariff, rows, "fund_rate"))
        - zero_where_nan(ctx.schedule_rate_due("fund_rate", rows))
    ) * kwh
    basic = basic_gap(ctx, rows, tariff, priced=priced)
    return np.nan_to_num(energy_gap) + np.where(both, fund_gap, 0.0) + basic


def basic_gap(
    ctx: RuleContext,
    rows: np.ndarray,
    due: np.ndarray,
    priced: np.ndarray,
    charged: np.ndarray | None = None,
) -> np.ndarray:
    """Per bill of `rows`, the basic charge tariff `due` (names, per bill) charges at its flat
    rates on the bill's quantities (`_basic_on_tariff`; 0 on a single-part tariff `priced` at
    the bill) less the basic charge billed: where `due` and the tariff billed are both
    two-part, what the tariff billed charges on the same quantities (`basic_on_schedule`: a
    capacity billed short is `capacity_underbilled`'s, as a wrong rate is `rate_mismatch`'s:
    counted here too it would be counted twice), else the bill's own (`basic_charged`: a basic
    charge a single-part tariff does not have was still paid toward the one due), and the
    bill's own wherever `charged` (per bill: its capacity short is priced here too). 0 where
    `due` proves nothing (NaN)."""
    quantities, single = _on_two_part_days(ctx, rows, _basic_quantities(ctx, rows))
    basic_due = _basic_on_tariff(ctx, rows, quantities, due, priced)
    basic_due[single & priced] = 0.0
    # A single-part tariff billed gives NaN (not priced): the bill's own charge is read instead.
    on_billed = basic_on_schedule(ctx, rows, quantities)
    own = np.isnan(on_billed) | ~is_two_part(ctx, due, rows) | single
    if charged is not None:
        own |= charged
    basic_billed = np.where(own, basic_charged(ctx, rows), on_billed)
    return np.where(np.isnan(basic_due), 0.0, basic_due - basic_billed)


def no_basic_charge_due(ctx: RuleContext, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per bill of `rows`, whether its capacity on the last day of its read period leaves its
    customer single-part whatever the tariff (`capacity.fell_below_two_part`: below 100 kVA,
    or below 315 after a fall), the recomputation's one judgement (`basic.single_part`), and
    the kVA-months due on its days before a fall inside the read period (0 where none: 630 →
    200 kVA from 16 July, 15 × 630 / 30 = 315). Not where the capacity is unknown."""
    filed = order_capacity(ctx, rows)
    last = np.where(filed.as_billed, np.nan, filed.last)
    last[np.isnan(ctx.capacity_in_force[rows])] = np.nan
    threshold = default_billing_params().two_part_threshold_kva
    fell = fell_below_two_part(ctx, rows, last, threshold)
    before = days_before_a_fall_below_two_part(ctx, rows, fell, filed.highest, threshold)
    return fell, before


def _on_two_part_days(
    ctx: RuleContext, rows: np.ndarray, quantities: _BasicQuantities
) -> tuple[_BasicQuantities, np.ndarray]:
    """The `quantities` of the bills of `rows`, a bill fallen below the two-part threshold
    inside its read period due on its days before only, as the recomputation prices them: by
    capacity their kVA-months (`no_basic_charge_due`), by demand its demand floored on the
    capacity of the last of them, for their share of a month (`two_part_days_before_a_fall`);
    and per bill whether no basic charge is due on it at all (single-part on all its days)."""
    fell, before = no_basic_charge_due(ctx, rows)
    inside = fell & (before > 0)
    by_demand = quantities.by_demand
    kva_months = np.where(inside & ~by_demand, before, quantities.kva_months)
    kw_months = quantities.kw_months.copy()
    at = np.flatnonzero(inside & by_demand)
    if len(at):
        params = default_billing_params()
        days = two_part_days_before_a_fall(ctx, rows[at], params.two_part_threshold_kva)
        kw = demand_billed(
            optional_values(ctx.bills, "max_demand_kw")[rows[at]],
            _contract_demand(ctx, rows[at]),
            days.last_kva,
            params,
        )
        kw_months[at] = kw * days.months
    return replace(quantities, kva_months=kva_months, kw_months=kw_months), fell & ~inside


def paid_with_own_basic(
    ctx: RuleContext, rows: np.ndarray, amounts: RepricedAmounts
) -> tuple[np.ndarray, np.ndarray]:
    """Per bill of `rows` (recomputed as `amounts`), the total and the adjustment with the
    basic charge the bill charged (`RepricedAmounts.with_basic_billed`), read by
    `basic_charged` where its recomputation shows none it knows (`basic_shown`: a repricing
    reads an unknown charge as recomputed) or bills nothing for want of the column."""
    billed = amounts.basic_billed
    blank = ~amounts.basic_shown | ((billed == 0) & np.isnan(ctx.basic_charge_billed[rows]))
    if blank.any():
        basic_billed = amounts.basic_billed.copy()
        basic_billed[blank] = basic_charged(ctx, rows[blank])
        amounts = replace(amounts, basic_billed=basic_billed)
    return amounts.with_basic_billed()


def basic_on_schedule(
    ctx: RuleContext, rows: np.ndarray, quantities: _BasicQuantities | None = None
) -> np.ndarray:
    """Per bill of `rows`, what the schedule of its tariff billed charges as a basic charge on
    the capacity and demand due (`_basic_quantities`, or `quantities` where given): what the
    bill should have charged with a capacity billed short counted in full. NaN on a single-part
    tariff billed, or where the quantity is unknown."""
    if quantities is None:
        quantities = _basic_quantities(ctx, rows)
    billed = tariff_billed(ctx, rows)
    return _basic_on_tariff(ctx, rows, quantities, billed, np.zeros(len(rows), dtype=bool))


def tariff_billed(ctx: RuleContext, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`, the name of the tariff it is priced on as billed
    (`RuleContext.bill_tariff_due`: the archive's where the schedule does not list the billed
    one); None where neither is listed."""
    return np.append(ctx.tariff_index.to_numpy(dtype=object), None)[ctx.bill_tariff_due[rows]]


def basic_charged(ctx: RuleContext, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`, the basic charge it charged (`RuleContext.basic_charge_billed`: a
    blank one read from its amount); wherever that is unknown (no column, or a blank the amount
    cannot say), what its amount holds beyond its energy charge, adjustment and funds
    (`basic_in_amount`, a blank part counting 0): what a bill paid toward a single-part tariff
    due, which charges none, is netted whole, which can only lower a claim."""
    charged = ctx.basic_charge_billed[rows].copy()
    absent = np.flatnonzero(np.isnan(charged))
    if len(absent):
        charged[absent] = basic_in_amount(ctx.bills, rows[absent])
    return charged


@dataclass(frozen=True)
class _BasicQuantities:
    """Per bill, what a basic charge is due on, whatever the tariff (`_basic_quantities`)."""

    kva_months: np.ndarray  # the capacity (kVA-months); NaN where nothing says it
    kw_months: np.ndarray  # on a bill by demand, the demand billed × its month's share; else NaN
    by_demand: np.ndarray


def _basic_quantities(ctx: RuleContext, rows: np.ndarray) -> _BasicQuantities:
    """Per bill of `rows`, the quantities its basic charge is due on, as the recomputation
    prices them: a bill by demand the demand billed (`basic.demand_billed`: at least 40 % of the
    capacity in force, the excess over the contract demand in force counted double), prorated
    by the days in service in a month of connection or closure; any other the capacity the
    archive and the orders put on the bill (`order_capacity`: prorated by day in a month of
    change, connection or closure, the capacity left in service inside a suspension; a
    two-part tariff due charges a bill without a basis by capacity, as `repriced.on_tariff`
    does).

    Where the capacity in force is unknown the bill is judged on the capacity it billed, never
    on nothing (which would claim the whole basic charge back), and a bill by demand has no
    floor unless it records one (`RuleContext.capacity_billed`: 0). A bill by capacity that
    records no capacity billed either, one neither by capacity nor by demand whose capacity is
    unknown, and a bill by demand without its demand, say nothing (NaN)."""
    by_demand = ctx.basis_is(rows, "demand")
    by_capacity = ctx.basis_is(rows, "capacity")
    filed = order_capacity(ctx, rows)
    unknown = np.isnan(ctx.capacity_in_force[rows]) | filed.as_billed
    billed = ctx.capacity_billed(rows[unknown])
    kva_months = np.where(unknown, np.nan, filed.kva_months)
    kva_months[unknown] = billed
    kva_months[unknown & ~by_capacity] = np.nan
    kw_months = np.full(len(rows), np.nan)
    at = np.flatnonzero(by_demand)
    if len(at):
        demand_rows = rows[at]
        capacity = np.where(unknown, np.nan, filed.last)
        capacity[unknown] = billed
        kw = demand_billed(
            optional_values(ctx.bills, "max_demand_kw")[demand_rows],
            _contract_demand(ctx, demand_rows),
            capacity[at],
            default_billing_params(),
        )
        kw_months[at] = kw * filed.month_share[at]
    return _BasicQuantities(kva_months, kw_months, by_demand)


def _contract_demand(ctx: RuleContext, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`, the contract demand in force (the archive's, moved by
    `demand_change` orders)."""
    return ctx.in_force(
        optional_values(ctx.customers, "contract_demand_kw")[ctx.bill_customer],
        ("demand_change",),
    )[0][rows]


def _basic_on_tariff(
    ctx: RuleContext,
    rows: np.ndarray,
    quantities: _BasicQuantities,
    tariff: np.ndarray,
    priced: np.ndarray,
) -> np.ndarray:
    """Per bill of `rows`, the basic charge `tariff` (names, per bill) charges at its flat
    rates on the bill's `quantities` (`_basic_quantities`), each basis by its own rate. 0 where
    the tariff is single-part at the bill's voltage (`tariff_due.is_two_part`) and `priced`
    at the bill (it has its energy rate there): a basic charge billed on a two-part tariff is
    owed back, and the gap is net of it, as the recomputation on the tariff due nets it on
    itemized data. NaN where it proves nothing: a two-part tariff without a rate for the bill's
    basis in its flat row, or the quantity unknown."""
    by_demand = quantities.by_demand
    due = quantities.kva_months * _rate_of(ctx, tariff, rows, "basic_rate_kva_month")
    kw_rate = _rate_of(ctx, tariff[by_demand], rows[by_demand], "basic_rate_kw_month")
    due[by_demand] = quantities.kw_months[by_demand] * kw_rate
    due[~is_two_part(ctx, tariff, rows) & priced] = 0.0
    return due


def _repriced_gap(
    ctx: RuleContext,
    idx: np.ndarray,
    correct: np.ndarray,
    two_part_due: np.ndarray,
    rows: np.ndarray,
    owner: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per bill of `rows` (ascending; `owner`: its customer's position in `idx`), the bill
    recomputed on the tariff due less the bill recomputed on the tariff billed, both on the
    quantities billed (`repriced.Repricing`: kWh, periods, demand and reactive energy as
    billed, so a multiplier's or register's difference is not counted here), over every line
    (energy, losses, basic charge, power-factor adjustment, funds); and of it the
    power-factor adjustment. NaN where a bill cannot be priced so: its tariff billed is not the
    archive's in force (the recomputation prices that one), or an energy line has no rate.

    On the tariff due every bill is due that tariff, and a two-part tariff due charges a
    customer without a basis by capacity (`repriced.on_tariff`). Both are one recomputation
    (`repriced.reprice`). The tariff billed is recomputed on the capacity in force where a
    two-part tariff is due (a capacity billed short is `capacity_underbilled`'s), and keeps the
    basic charge the bill charged where the tariff due is single-part: none is due, so what
    was paid, on whatever capacity, is what is netted (`bills_without_basic_charge_due`)."""
    flagged = np.unique(owner)
    customers = idx[flagged]
    due, billed = reprice(
        ctx,
        rows,
        [on_tariff(customers, correct[flagged], two_part_due[flagged]), Repricing(customers)],
    )
    priced = (due.tariff == ctx.tariff_code(correct)[owner]) & (
        billed.tariff == ctx.bill_tariff_due[rows]
    )
    paid, paid_pf = paid_with_own_basic(ctx, rows, billed)
    single_part_due = ~is_two_part(ctx, correct[owner], rows)
    billed_total = np.where(single_part_due, paid, billed.total)
    billed_pf = np.where(single_part_due, paid_pf, billed.pf_adjustment)
    gap = np.where(priced, round_half_up(due.total - billed_total), np.nan)
    return gap, round_half_up(due.pf_adjustment - billed_pf)


def _energy_on_billed(
    ctx: RuleContext, rows: np.ndarray, kwh: np.ndarray, params: dict
) -> np.ndarray:
    """Per bill of `rows`, the energy charge the schedule gives for the tariff billed: on a bill
    by tiers or time-of-use periods the recomputed energy lines (a flat row would price a
    household's tiers at its shared-meter price), else its flat rate (the bill's own where the
    schedule has none) × the kWh billed. A bill recomputed on other kWh (beyond `kwh_tolerance`
    or `relative_tolerance` of them: a multiplier's or register's difference) or another
    tariff keeps the flat price."""
    flat = ctx.energy_rate_due_or_billed(rows) * kwh
    if not ctx.itemized:
        return flat
    rc = ctx.recomputed
    lines = rc.of("energy")
    bills = len(rc.tariff_differs)
    amount = rc.per_bill(lines, np.nan_to_num(rc.amount_due[lines]), bills)[rows]
    unpriced = rc.any_per_bill(lines, rc.due[lines] & np.isnan(rc.amount_due[lines]), bills)
    differs = kwh_differs(ctx, params["kwh_tolerance"], params["relative_tolerance"])
    by_lines = rc.tou_bills | rc.tier_bills
    by_lines = (by_lines & ~rc.tariff_differs & ~differs & ~unpriced)[rows]
    return np.where(by_lines, amount, flat)


def _rate_of(ctx: RuleContext, tariff: np.ndarray, rows: np.ndarray, column: str) -> np.ndarray:
    """Schedule rate `column` for tariff names (None allowed) at the bills `rows` (their months
    and the customers' voltages); NaN where there is none."""
    if column not in ctx.tariffs:
        return np.full(len(rows), np.nan)
    names = np.where(pd.isna(tariff), "", tariff)  # no tariff: matches no schedule row
    return ctx.schedule_rate(names, ctx.bill_month[rows], column, rows)


@rule(
    "rate_mismatch",
    area="routine",
    needs=("bills.energy_rate", "tariffs.energy_rate", "tariffs.valid_from"),
    params=("rate_tolerance", "kwh_tolerance", "relative_tolerance"),
    severity="high",
    revenue_kind="proved",
)
def rate_mismatch(ctx: RuleContext, params: dict) -> pd.DataFrame:
    due = ctx.schedule_rate_due("energy_rate")
    billed = ctx.bills["energy_rate"].to_numpy(dtype=float)
    if ctx.itemized:
        lines = _line_rates(ctx, params)
        # A bill of one energy line was billed at that line's rate: the bill's own rate may be
        # an average (its charge ÷ kWh, rounded), a fen's rounding away from the rate.
        billed = np.where(np.isnan(lines.single), billed, lines.single)
    unlisted = ctx.bill_tariff < 0
    off = billed - due
    np.abs(off, out=off)
    wrong_rate = ~np.isnan(due) & (off > params["rate_tolerance"])
    by_lines = np.zeros(len(billed), dtype=bool)
    if ctx.itemized:  # each energy line against the rate due for that line
        by_lines = lines.judged
        wrong_rate = np.where(by_lines, lines.wrong, wrong_rate)
        billed = np.where(lines.wrong, lines.billed, billed)
        due = np.where(lines.wrong, lines.due, due)
    rows = np.flatnonzero(wrong_rate | unlisted)
    if len(rows) == 0:
        return empty_raw()
    due_at, billed_at, unlisted = due[rows], billed[rows], unlisted[rows]
    kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)[rows]
    revenue = np.nan_to_num((due_at - billed_at) * kwh)
    pf = np.zeros(len(rows))
    if ctx.itemized:
        revenue = np.where(by_lines[rows], lines.revenue[rows], revenue)
        # The power-factor adjustment due moves with the energy charge (its base), as
        # tou_misapplied carries it; pf_adjustment_error judges the base billed. On a bill of
        # other kWh the adjustment line's whole difference is multiplier_mismatch's.
        moved = pf_moved(ctx, rows, revenue)
        pf = np.where(energy_view(ctx, params).kwh_differs[rows], 0.0, moved)
    listed_wrong = wrong_rate[rows] & ~unlisted
    reference = np.where(np.isnan(due_at), billed_at, due_at)
    grouped = per_customer_at(
        ctx,
        rows,
        revenue=revenue + pf,
        pf=pf,
        listed_wrong=listed_wrong,
        unlisted=unlisted,
        off_max=np.abs(1 - billed_at / reference),
    )
    last_wrong = flagged_rows_at(ctx, rows[listed_wrong])["last"]
    first_unlisted = flagged_rows_at(ctx, rows[unlisted])["first"]
    evidence = []
    for found in grouped.itertuples():
        parts = []
        if found.listed_wrong:
            at = last_wrong[found.cust]
            parts.append(
                clause(
                    "rate.wrong",
                    bills=found.listed_wrong,
                    last=found.listed_wrong > 1,
                    at=ctx.bill_month[at],
                    billed=billed[at],
                    due=due[at],
                )
            )
        if found.unlisted:
            at = first_unlisted[found.cust]
            parts.append(
                clause(
                    "rate.unlisted",
                    bills=found.unlisted,
                    tariff=ctx.bills["tariff_billed"].iat[at],
                    first=found.unlisted > 1,
                    at=ctx.bill_month[at],
                    billed=billed[at],
                    archive=ctx.customers["tariff_category"].iat[found.cust],
                    archive_rate=due[at],
                )
            )
        months = (found.month_from, found.month_to)
        found_clause = clause("rate_mismatch", months=months, parts=parts)
        over = round_half_up(-found.revenue)
        if over > 0:  # a rate charged above the schedule: a refund, as the line rules report one
            evidence.append([found_clause, clause("lines.over", amount=over)])
            continue
        evidence.append(
            [
                found_clause,
                clause("revenue", amount=max(found.revenue, 0.0)),
                *([clause("rate_mismatch.pf", amount=found.pf)] if round(found.pf, 2) else []),
            ]
        )
    score = np.minimum(1.0, 0.5 + grouped["off_max"] * 5 + 0.5 * (grouped["unlisted"] > 0))
    return raw_per_customer(grouped, evidence, score)


@dataclass(frozen=True)
class _LineRates:
    """Per bill, the energy lines' rates against the rates due for those lines (recomputed).

    `judged`: the lines decide (the bill is on the tariff due, or billed or due by time-of-use
    periods or tiers); `wrong`: a line is off the rate due by more than the tolerance, the line
    being no other rule's (period or tier kWh misapplied, a period billed at the old schedule's
    rate: tou_misapplied's and tier_misapplied's); `billed` / `due`: the rates of its largest
    such line; `revenue`: over those lines, the kWh billed at the rate due less at the rate
    billed, each to the fen; `single`: the rate of the bill's one billed energy line (NaN where
    it has none or several).
    """

    judged: np.ndarray
    wrong: np.ndarray
    billed: np.ndarray
    due: np.ndarray
    revenue: np.ndarray
    single: np.ndarray


def _line_rates(ctx: RuleContext, params: dict) -> _LineRates:
    """`_LineRates` of the bills: the lines rate_mismatch counts (`lines_rate_mismatch_counts`,
    which multiplier_mismatch and register_mismatch read too) and what they gained."""
    rc = ctx.recomputed
    n = len(ctx.bills)
    view = energy_view(ctx, params)
    special = rc.tou_bills | rc.tier_bills
    judged = special | ~rc.tariff_differs
    priced = view.lines[(rc.billed & ~np.isnan(rc.rate_billed))[view.lines]]
    priced_row = rc.row[priced]
    single = np.full(n, np.nan)
    single[priced_row] = rc.rate_billed[priced]
    single[np.bincount(priced_row, minlength=n) != 1] = np.nan  # none, or several lines
    lines = lines_rate_mismatch_counts(ctx, params)
    # Each line's kWh at either rate to the fen, as the bill charges it (not their product's
    # difference rounded once).
    kwh = rc.quantity_billed[lines]
    # On a bill billed on another tariff than the one due, the tariff billed's rates: the
    # tariff due's difference is the tariff rules' (`rates_judged_against`).
    rate_due = rates_judged_against(ctx, lines)
    gain = round_half_up(rate_due * kwh) - round_half_up(rc.rate_billed[lines] * kwh)
    ranked = lines[np.lexsort((-rc.quantity_billed[lines], rc.row[lines]))]
    first = np.ones(len(ranked), dtype=bool)
    first[1:] = rc.row[ranked][1:] != rc.row[ranked][:-1]
    largest = ranked[first]  # each bill's largest such line, set at its bill (few)
    at = rc.row[largest]
    wrong = np.zeros(n, dtype=bool)
    wrong[at] = True
    billed, due = np.full(n, np.nan), np.full(n, np.nan)
    billed[at] = rc.rate_billed[largest]
    due[at] = rate_due[np.searchsorted(lines, largest)]
    return _LineRates(
        judged=judged,
        wrong=wrong,
        billed=billed,
        due=due,
        revenue=rc.per_bill(lines, gain, n),
        single=single,
    )


def _longest_run_per_customer(streaks: pd.DataFrame) -> pd.DataFrame:
    """Each customer's longest run (the latest of equally long ones), in customer order."""
    ordered = streaks.sort_values(
        ["cust", "length", "month_from"], ascending=[True, False, False], kind="stable"
    )
    return ordered.drop_duplicates("cust").reset_index(drop=True)


@rule(
    "zero_consumption",
    area="routine",
    needs=("bills.kwh_billed", "customers.status"),
    params=(
        "min_months",
        "min_score",
        "household_weight",
        "vacancy_weight",
        "max_removal_months",
        "max_off_season_months",
    ),
    severity="medium",
    revenue_kind="estimated",
    # A run of zeros the registers contradict, or that follows a meter alarm, is that rule's loss.
    left_to=("register_mismatch", "meter_event_unresolved"),
    # Months with no bill join a run, or count idle in another year, below its min_months.
    reads=("unbilled_account",),
)
def zero_consumption(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """Runs of zero kWh over the whole audit period, each scored; a customer's best run listed.
    Months with no bill between two bills at 0 kWh, fewer in a row than unbilled_account's
    `min_months` (which lists no such gap), belong to the run (`_joined_over_short_gaps`): a
    customer alternating a 0 kWh bill and no bill used nothing and escaped both rules before.

    A run scores by its length (0.5 + 0.5 × months / 12, 1 from a year), times `household_weight`
    for a household (a business at zero is the stronger sign), times `vacancy_weight` where it looks
    like a house standing empty: a household whose registers stood still and which recorded no
    demand through whole months at zero, and whose use came back with no meter replaced (a
    stopped meter does not start again by itself).

    Months at zero under an order that stops the use (`idle.stopped_by_order`: a suspension, or
    a registered meter removal for at most `max_removal_months`) are no run, and an off-season
    (`idle.off_seasons`: at most `max_off_season_months`, the same months at zero with no order
    in the other years, use in the rest of each year; a month stopped by an order, or missing a
    bill, in those years is neither idle nor against one, `idle.missing_bills`) is no meter that
    stopped; unbilled_account judges its missing months by the same two.
    """
    found = _zero_runs(ctx, params)
    found.attrs["notes"] = registration_notes(ctx, "zero_consumption")
    return found


def _zero_runs(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """zero_consumption's findings (its notes apart)."""
    kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)
    active = ctx.customer_is("status", "active")
    # Zero under a suspension or meter removal is expected, whatever the archive status says.
    spans = stopped_spans(ctx, kwh, params["max_removal_months"], params["min_months"])
    stopped = ctx.inside_spans(spans)
    unbilled_min_months = params["unbilled_account"]["min_months"]
    streaks = _joined_over_short_gaps(
        ctx, runs(ctx, (kwh == 0) & active & ~stopped), spans, unbilled_min_months
    )
    streaks = streaks[streaks["months"] >= params["min_months"]].reset_index(drop=True)
    season = off_seasons(
        ctx,
        streaks,
        kwh,
        stopped,
        params["max_off_season_months"],
        missing_bills(ctx, kwh, stopped, spans, unbilled_min_months),
    )
    streaks = streaks[~season].reset_index(drop=True)
    if streaks.empty:
        return empty_raw()
    rows, starts = _run_rows(streaks)
    still = (
        np.abs(
            ctx.bills["register_end"].to_numpy(dtype=float)[rows]
            - ctx.bills["register_start"].to_numpy(dtype=float)[rows]
        )
        < 1e-9
    )
    demand = np.nan_to_num(optional_values(ctx.bills, "max_demand_kw")[rows])
    quiet = np.logical_and.reduceat(still & (demand == 0), starts)
    resumed = _resumed_without_replacement(ctx, streaks, kwh)
    household = (
        ctx.customers["usage_type"]
        .eq("residential")
        .to_numpy(dtype=bool)[streaks["cust"].to_numpy()]
    )
    months = streaks["months"].to_numpy()
    score = (
        (0.5 + 0.5 * np.minimum(1.0, months / 12))
        * np.where(household, params["household_weight"], 1.0)
        * np.where(household & quiet & resumed, params["vacancy_weight"], 1.0)
    )
    streaks = streaks.assign(score=score, resumed=resumed)
    streaks = streaks[streaks["score"] >= params["min_score"]]
    if streaks.empty:
        return empty_raw()
    streaks = (
        streaks.sort_values(
            ["cust", "score", "length", "month_from"],
            ascending=[True, False, False, False],
            kind="stable",
        )
        .drop_duplicates("cust")
        .reset_index(drop=True)
    )
    usual_kwh, has_history, read_monthly, months_a_bill = _usual_kwh(
        ctx, streaks, kwh, stopped, spans
    )
    # Each run's money summed on its own (not as a difference of a running total over all
    # bills), so the figure does not depend on which bills come before: engines agree to the fen.
    rows, starts = _run_rows(streaks)
    # The energy (a household priced by tiers: each month's estimate on top of its tier year,
    # `auditkit.rules.tier_energy`) and the funds collected on every kWh sold (政府性基金及附加).
    months = _months_priced(ctx, rows, starts, read_monthly)
    estimate = np.repeat(usual_kwh, streaks["length"].to_numpy()) * months
    energy_rate, fund_rate = _rates_over_months(ctx, rows, months)
    funds = np.add.reduceat(estimate * fund_rate, starts)
    revenue = np.add.reduceat(back_billed_energy_money(ctx, rows, estimate, energy_rate), starts)
    revenue += funds
    evidence = []
    # The evidence says the use a month: a bill read every other month holds two months'.
    usual_a_month = usual_kwh / months_a_bill
    for run, usual, amount, of_funds, seen, monthly in zip(
        streaks.itertuples(), usual_a_month, revenue, funds, has_history, read_monthly, strict=True
    ):
        clauses = [
            clause("zero.run", months_zero=run.months, months=(run.month_from, run.month_to)),
            *_unbilled_months_clause(run.months - run.length, seen, monthly),
            clause("zero.usual", kwh=usual, amount=amount) if seen else clause("zero.no_history"),
            *funds_clause(of_funds),
        ]
        if run.resumed:
            # The month of the next bill, the one with use (not the month after the run, which
            # may have had no bill).
            clauses.append(clause("zero.resumed", month=ctx.bill_month[run.first_row + run.length]))
        evidence.append(clauses)
    return raw(
        streaks["cust"],
        streaks["month_from"],
        streaks["month_to"],
        evidence,
        revenue,
        streaks["score"],
    )


def _joined_over_short_gaps(
    ctx: RuleContext, streaks: pd.DataFrame, spans: pd.DataFrame, unbilled_min_months: int
) -> pd.DataFrame:
    """`streaks` (runs of zero bills, `findings.runs`) with the runs of one customer joined
    where fewer than `unbilled_min_months` months with no bill at all lie between one and the
    next (no bill of any kind between them): months billed nothing between bills at 0 kWh are
    no use billed either, and unbilled_account lists no gap that short (a read every other
    month), so a customer alternating a 0 kWh bill and no bill is this rule's. A gap with a
    month under an order that stops the use (`spans`, `idle.stopped_spans`: a suspension, a
    registered removal) joins nothing, as a 0 kWh bill in it would break the run: one verdict
    whichever way the month is exported. Adds `months`, the months a run spans; `length` stays
    its bills (`_run_rows`)."""
    cust = streaks["cust"].to_numpy()
    first_row = streaks["first_row"].to_numpy()
    length = streaks["length"].to_numpy()
    month_from = streaks["month_from"].to_numpy()
    month_to = streaks["month_to"].to_numpy()
    joined = np.zeros(len(streaks), dtype=bool)
    joined[1:] = (
        (cust[1:] == cust[:-1])
        & (first_row[1:] == first_row[:-1] + length[:-1])
        & (month_from[1:] - month_to[:-1] - 1 < unbilled_min_months)
    )
    at = np.flatnonzero(joined)
    joined[at] = ~under_spans(ctx, spans, cust[at], month_to[at - 1] + 1, month_from[at] - 1)
    starts = np.flatnonzero(~joined)
    if not len(starts):
        return streaks.assign(months=np.zeros(0, dtype=np.int64))
    ends = np.append(starts[1:], len(streaks)) - 1
    return pd.DataFrame(
        {
            "cust": cust[starts],
            "month_from": month_from[starts],
            "month_to": month_to[ends],
            "length": np.add.reduceat(length, starts),
            "first_row": first_row[starts],
            "months": month_to[ends] - month_from[starts] + 1,
        }
    )


def _unbilled_months_clause(
    unbilled_months: int, has_history: bool, read_monthly: bool
) -> list[Clause]:
    """The clause saying how many of a run's months had no bill (none where all were billed):
    priced with the next bill where the customer was read monthly (its registers did not move
    over them), else read with it (双月抄表), whose estimate already covers them; nothing said
    of the price without a history to price from."""
    if unbilled_months <= 0:
        return []
    if not has_history:
        return [clause("zero.unbilled_months", months=unbilled_months)]
    key = "zero.unbilled_priced" if read_monthly else "zero.unbilled_between"
    return [clause(key, months=unbilled_months)]


def _months_priced(
    ctx: RuleContext, rows: np.ndarray, starts: np.ndarray, read_monthly: np.ndarray
) -> np.ndarray:
    """Per bill of the runs (`rows`, each run's from `starts`): the months its estimate covers.
    A customer read monthly (`read_monthly`, per run) whose bill follows months with no bill in
    the run used nothing in them either (the bill's registers did not move since the last), so
    the bill covers them too: a shop alternating a 0 kWh bill and no bill 2024-01..11 is priced
    for 11 months, as a shop with 11 zero bills is. A bill read every other month covers two
    months in the usual kWh of its own bills already: one bill's estimate each."""
    months = np.diff(ctx.bill_month[rows].astype(np.int64), prepend=0)
    months[starts] = 1
    months = np.maximum(months, 1)
    length = np.diff(np.append(starts, len(rows)))
    return np.where(np.repeat(read_monthly, length), months, 1)


def _rates_over_months(
    ctx: RuleContext, rows: np.ndarray, months: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per bill of `rows` covering `months` months (its own and the months with no bill before
    it, `_months_priced`): the flat energy rate due (else the bill's rate billed, as
    `energy_rate_due_or_billed`) and the fund rate due (0 where none), each the mean of its
    months' rates in force: a gap month is priced at its own month's rate and funds, not at the
    next bill's (June at June's 0.50, not July's 0.60)."""
    bill = np.repeat(np.arange(len(rows)), months)
    row = rows[bill]
    offset = np.arange(months.sum()) - np.repeat(np.cumsum(months) - months, months)
    month = ctx.bill_month[row].astype(np.int64) - (months[bill] - 1 - offset)
    tariff = ctx.bill_tariff_due[row]
    energy = ctx.schedule_rate(tariff, month, "energy_rate", row)
    billed = ctx.bills["energy_rate"].to_numpy(dtype=float)[row]
    energy = np.where(np.isnan(energy), billed, energy)
    fund = np.zeros(len(row))
    if "fund_rate" in ctx.tariffs:
        fund = np.nan_to_num(ctx.schedule_rate(tariff, month, "fund_rate", row))
    starts = np.cumsum(months) - months
    return np.add.reduceat(energy, starts) / months, np.add.reduceat(fund, starts) / months


def _run_rows(streaks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The bill rows of each run, run after run, and where each run's rows start among them."""
    first, length = streaks["first_row"].to_numpy(), streaks["length"].to_numpy()
    starts = np.cumsum(length) - length
    rows = np.repeat(first, length) + (np.arange(length.sum()) - np.repeat(starts, length))
    return rows, starts


def _resumed_without_replacement(
    ctx: RuleContext, streaks: pd.DataFrame, kwh: np.ndarray
) -> np.ndarray:
    """Per run: the customer's next bill records energy again, and no meter was replaced from
    the run's first month to that bill's."""
    after = (streaks["first_row"] + streaks["length"]).to_numpy()
    inside = after < len(kwh)
    after = np.minimum(after, len(kwh) - 1)
    resumed = inside & ctx.same_customer_as_previous[after] & (kwh[after] > 0)
    replacements = ctx.orders_of("meter_replacement")[["cust", "effective_month"]]
    probe = pd.DataFrame(
        {
            "run": np.arange(len(streaks)),
            "cust": streaks["cust"].to_numpy(),
            "low": streaks["month_from"].to_numpy(),
            "high": ctx.bill_month[after],
        }
    ).merge(replacements, on="cust")
    replaced = probe["effective_month"].between(probe["low"], probe["high"])
    resumed[probe.loc[replaced, "run"].to_numpy()] = False
    return resumed


def _usual_kwh(
    ctx: RuleContext,
    streaks: pd.DataFrame,
    kwh: np.ndarray,
    stopped: np.ndarray,
    spans: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per run, what the meter should have recorded a bill: the customer's mean of its bills of
    the 12 months before it (0 without them), whether there were any, and whether they came
    monthly (fewer than 1.5 months a bill from the first of them to the run: read every other
    month, a bill covers two), and the whole months a bill covers (1 read monthly). Months stopped by an order (`stopped` per bill, `spans` per
    month, `idle.stopped_spans`) are no measure of the use (a removal's zeros before the run do
    not lower it) nor of the cadence: a shop read monthly whose half year suspended is left out
    is read monthly still."""
    rows = rows_of(ctx, streaks["cust"].to_numpy())
    rows = rows[~stopped[rows]]
    history = pd.DataFrame(
        {"cust": ctx.bill_customer[rows], "month": ctx.bill_month[rows], "kwh": kwh[rows]}
    ).merge(streaks[["cust", "month_from"]], on="cust")
    before = (history["month"] < history["month_from"]) & (
        history["month"] >= history["month_from"] - 12
    )
    per_customer = (
        history[before]
        .groupby("cust")
        .agg(kwh=("kwh", "mean"), bills=("kwh", "size"), first=("month", "min"))
    )
    per_run = per_customer.reindex(streaks["cust"])
    has_history = per_run["bills"].notna().to_numpy()
    month_from = streaks["month_from"].to_numpy(dtype=np.int64)
    first = per_run["first"].fillna(0).to_numpy(dtype=np.int64)
    span = np.where(has_history, month_from - first, 0)
    measured = span - _months_stopped(ctx, spans, streaks, first, span)
    months_a_bill = measured / per_run["bills"].to_numpy()
    read_monthly = months_a_bill < 1.5  # False without history (NaN)
    months_a_bill = np.where(
        read_monthly, 1.0, np.maximum(np.nan_to_num(np.rint(months_a_bill)), 1)
    )
    return per_run["kwh"].fillna(0.0).to_numpy(), has_history, read_monthly, months_a_bill


def _months_stopped(
    ctx: RuleContext,
    spans: pd.DataFrame,
    streaks: pd.DataFrame,
    first: np.ndarray,
    span: np.ndarray,
) -> np.ndarray:
    """Per run, how many of the `span` months from `first` fall in one of the customer's
    `spans` (`idle.under_spans`)."""
    run = np.repeat(np.arange(len(streaks)), span)
    month = np.repeat(first, span) + np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span)
    cust = streaks["cust"].to_numpy()[run]
    return np.bincount(run[under_spans(ctx, spans, cust, month, month)], minlength=len(streaks))


@rule(
    "estimated_streak",
    area="routine",
    needs=("bills.read_type",),
    params=("min_months", "lookback_months"),
    severity="low",
    revenue_kind="proved",
)
def estimated_streak(ctx: RuleContext, params: dict) -> pd.DataFrame:
    estimated = (ctx.bills["read_type"] == "estimated").to_numpy(dtype=bool)
    recent = ctx.bill_month > ctx.as_of - params["lookback_months"]
    streaks = runs(ctx, estimated & recent)
    streaks = streaks[streaks["length"] >= params["min_months"]]
    if streaks.empty:
        return empty_raw()
    streaks = _longest_run_per_customer(streaks)
    evidence = [
        [clause("estimated_streak", reads=run.length, months=(run.month_from, run.month_to))]
        for run in streaks.itertuples()
    ]
    return raw(
        streaks["cust"],
        streaks["month_from"],
        streaks["month_to"],
        evidence,
        np.zeros(len(streaks)),
        np.minimum(1.0, streaks["length"].to_numpy() / 12),
    )


@rule(
    "archive_defect",
    area="routine",
    needs=("customers.ct_ratio", "customers.pt_ratio", "customers.meter_id"),
    params=(
        "standard_ct_primaries",
        "ct_secondaries",
        "low_voltage_kv",
        "pt_secondary_v",
        "pt_ratio_tolerance",
    ),
    severity="low",
    revenue_kind="proved",
)
def archive_defect(ctx: RuleContext, params: dict) -> pd.DataFrame:
    """Impossible archive values: a CT whose primary (ratio × its own rated secondary) is no
    standard rating, or whose secondary is none; a PT ratio other than the metering needs (1 on
    the low-voltage side, supply kV × 1000 / `pt_secondary_v` on the high-voltage side, either
    where the metering mode is not recorded); capacity missing on a capacity basis; a meter on
    two open accounts; a bill before the connection (of an account not closed and connected
    again since)."""
    customers = ctx.customers
    ct = customers["ct_ratio"].to_numpy(dtype=float)
    secondary = ct_secondary_a(customers)
    primary = ct_primary_a(customers)
    has_ct = ct > 1
    standard = np.round(np.asarray(params["standard_ct_primaries"], dtype=float), 6)
    odd_ct = has_ct & ~np.isin(np.round(primary, 6), standard)
    odd_secondary = has_ct & ~np.isin(secondary, np.asarray(params["ct_secondaries"], dtype=float))
    pt = customers["pt_ratio"].to_numpy(dtype=float)
    voltage = customers["voltage_kv"].to_numpy(dtype=float)
    low_voltage = voltage < params["low_voltage_kv"]
    needed, alternative = expected_pt_ratio(
        customers, params["low_voltage_kv"], params["pt_secondary_v"]
    )
    tolerance = params["pt_ratio_tolerance"]
    with np.errstate(invalid="ignore"):
        off_needed = ~(np.abs(pt / needed - 1) <= tolerance)
        off_alternative = ~(np.abs(pt / alternative - 1) <= tolerance)
    wrong_pt = off_needed & off_alternative & ~np.isnan(voltage)
    pt_on_lv = wrong_pt & low_voltage & (pt > 1)
    wrong_pt &= ~pt_on_lv
    capacity = optional_values(customers, "contract_capacity_kva")
    # The archive's record as it stands: today's basis, whatever the basis of earlier bills.
    by_capacity = ctx.customer_flag("basic_charge_basis", "capacity")
    no_capacity = by_capacity & ~(np.nan_to_num(capacity) > 0)
    open_account = (customers["status"] != "closed").to_numpy()
    meter = customers["meter_id"].where(open_account)
    shared_meter = meter.duplicated(keep=False).to_numpy() & open_account
    connection_month = date_month_number(customers["connection_date"])
    first = ctx.first_bill_month
    early_bill = (connection_month >= 0) & (first < connection_month) & ~_reconnected(ctx)
    checks = (
        odd_ct,
        odd_secondary,
        pt_on_lv,
        wrong_pt,
        no_capacity,
        shared_meter,
        early_bill,
    )
    flagged = np.logical_or.reduce(checks)
    idx = np.flatnonzero(flagged)
    if len(idx) == 0:
        return empty_raw()
    evidence = []
    for i in idx:
        defects = []
        if odd_ct[i]:
            defects.append(
                clause(
                    "archive.odd_ct_primary", ct=ct[i], primary=primary[i], secondary=secondary[i]
                )
            )
        if odd_secondary[i]:
            defects.append(clause("archive.odd_ct_secondary", secondary=secondary[i]))
        if pt_on_lv[i]:
            defects.append(clause("archive.pt_on_low_voltage", pt=pt[i], voltage=voltage[i]))
        if wrong_pt[i]:
            defects.append(_pt_clause(pt[i], voltage[i], needed[i], alternative[i]))
        if no_capacity[i]:
            defects.append(clause("archive.no_capacity"))
        if shared_meter[i]:
            defects.append(clause("archive.shared_meter", meter=customers["meter_id"].iat[i]))
        if early_bill[i]:
            defects.append(
                clause(
                    "archive.bill_before_connection",
                    first=first[i],
                    connected=customers["connection_date"].iat[i],
                )
            )
        evidence.append([clause("archive_defect", defects=defects)])
    count = np.sum([check[idx] for check in checks], axis=0)
    month_from = np.minimum(np.where(first[idx] > ctx.as_of, ctx.as_of, first[idx]), ctx.as_of)
    return raw(
        idx,
        month_from,
        np.full(len(idx), ctx.as_of),
        evidence,
        np.zeros(len(idx)),
        np.minimum(1.0, 0.4 + 0.2 * count),
    )


def _reconnected(ctx: RuleContext) -> np.ndarray:
    """Per customer: a closure took effect before the archive's connection date, so the
    account was connected again and its bills before that date are of its earlier life."""
    connected = ctx.customers["connection_date"].to_numpy(dtype="datetime64[ns]")
    closures = ctx.orders_of("closure")
    closures = closures[(closures["cust"] >= 0).to_numpy()]
    cust = closures["cust"].to_numpy(dtype=np.int64)
    before = closures["effective_date"].to_numpy(dtype="datetime64[ns]") < connected[cust]
    reconnected = np.zeros(len(connected), dtype=bool)
    reconnected[cust[before]] = True
    return reconnected


def _pt_clause(pt: float, voltage: float, needed: float, alternative: float) -> Clause:
    """What is wrong with a PT ratio: on the high-voltage side it must match the supply voltage,
    on the low-voltage side there is no PT; with no metering mode recorded, it is neither."""
    if not np.isnan(alternative):
        return clause("archive.pt_neither", pt=pt, voltage=voltage, high_side=needed)
    if needed > 1:
        return clause("archive.pt_high_side", pt=pt, voltage=voltage, needed=needed)
    return clause("archive.pt_low_side", pt=pt, voltage=voltage)

"""Rules priced from the recomputed bill (电费核算): time-of-use, tiers, basic charge, power-factor
adjustment, transformer losses and funds, each line kind against what was due.

Each rule reads `RuleContext.recomputed` (`auditkit.billing.recompute`, run once per run) and
reports one finding per customer over its months with a line difference beyond tolerance. Its
revenue is the sum over those bills of the positive net difference of its line kind (under-billing);
an over-billing is reported in the evidence and counts no revenue.

One cause, one finding: a bill billed on another tariff than the one due, or whose energy kWh
differ from the kWh due (a wrong multiplier or register), changes every line and belongs to
tariff_mismatch / multiplier_mismatch / register_mismatch, so these rules leave it out. Within a
bill, the power-factor adjustment is judged on the base billed and the funds on the kWh billed
(where the losses are off, at the adjustment rate the losses billed give), and the rule of a line
wrong upstream carries what it moves downstream: loss_not_charged the funds on the loss kWh and
the adjustment on the losses (rate and base), basic_charge_error the adjustment on the basic
charge, tou_misapplied and tier_misapplied the adjustment on their energy difference. Each yuan
of a bill's difference is counted once.

A finding whose under-billing rests on an estimated line (time-of-use kWh split by the profile,
losses without reactive registers) is `estimated`, whatever the rule's kind, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditkit.billing.energy import priced_by_days, rate_change
from auditkit.billing.money import round_half_up
from auditkit.billing.params import default_billing_params
from auditkit.billing.power_factor import adjustment_percent, power_factor
from auditkit.billing.tariff_lookup import NO_DAY, day_numbers
from auditkit.periods import month_end_days
from auditkit.rules.context import RuleContext, bill_rows_of, customer_keys, range_positions
from auditkit.rules.evidence import Clause, clause
from auditkit.rules.findings import (
    empty_raw,
    optional_values,
    per_customer_at,
    raw_per_customer,
    zero_where_nan,
)
from auditkit.rules.recomputed import Recomputed
from auditkit.rules.registry import RULES, rule
from auditkit.rules.shared import once_per_context
from auditkit.rules.tariff_due import bills_without_basic_charge_due

#: Parameters every line rule reads.
LINE_PARAMS = ("amount_tolerance", "relative_tolerance", "kwh_tolerance")


def _tolerance(amount: np.ndarray, params: Mapping) -> np.ndarray:
    """The yuan a line may differ by: `relative_tolerance` of the amount, at least
    `amount_tolerance` (rounding to the fen)."""
    share = params["relative_tolerance"] * np.abs(np.nan_to_num(amount))
    return np.maximum(share, params["amount_tolerance"]) + 1e-9  # a difference of exactly 0.01


def _attributable(ctx: RuleContext, params: Mapping) -> np.ndarray:
    """Per bill: billed on the tariff due and for the energy kWh due (see the module's note)."""
    return _attributable_bills(ctx, params["kwh_tolerance"], params["relative_tolerance"])


@once_per_context
def _attributable_bills(ctx: RuleContext, kwh_tolerance: float, relative: float) -> np.ndarray:
    """`_attributable` for these tolerances, computed once for every line rule of a run."""
    return ~ctx.recomputed.tariff_differs & ~kwh_differs(ctx, kwh_tolerance, relative)


@once_per_context
def kwh_differs(ctx: RuleContext, kwh_tolerance: float, relative: float) -> np.ndarray:
    """Per bill: the energy kWh due differ from those billed beyond these tolerances (read by
    every line rule, the energy view, capacity_underbilled and tariff_mismatch: computed once
    per run)."""
    return ctx.recomputed.energy_kwh_differs(kwh_tolerance, relative)


@once_per_context
def _of(ctx: RuleContext, line_type: str) -> np.ndarray:
    """Positions of the recomputed lines of `line_type`, found once per run for every line rule
    (read them, never write into them)."""
    return ctx.recomputed.of(line_type)


def _lines(ctx: RuleContext, line_type: str, params: Mapping, bills: np.ndarray) -> np.ndarray:
    """The recomputed lines of `line_type` on attributable bills among `bills` (a mask), whose
    line kind was recomputed (an amount due, even 0)."""
    rc = ctx.recomputed
    lines = _of(ctx, line_type)
    keep = (_attributable(ctx, params) & bills)[rc.row[lines]] & ~np.isnan(rc.amount_due[lines])
    return lines[keep]


def _largest_per_bill(rc: Recomputed, lines: np.ndarray, size: np.ndarray) -> pd.Series:
    """Per bill row, the line (of `lines`) with the largest `size`."""
    order = np.lexsort((-size, rc.row[lines]))
    ranked = pd.Series(lines[order], index=rc.row[lines][order])
    return ranked[~ranked.index.duplicated()]


class _Findings:
    """Flagged bills of one rule, with the cause of each and the figures its evidence quotes,
    made into one finding per customer."""

    def __init__(
        self,
        ctx: RuleContext,
        rows: np.ndarray,
        net: np.ndarray,
        cause: np.ndarray,
        details: dict[str, np.ndarray],
        *,
        estimated: np.ndarray | None = None,
        carried: dict[str, np.ndarray] | None = None,
    ) -> None:
        """`estimated` flags the bills whose difference rests on an estimated line; `carried`
        maps a clause code to yuan per bill that the net holds from lines downstream (funds,
        power-factor adjustment), summed per finding and quoted where not 0."""
        # Each bill's net to the fen: sums of fens carry float noise that engines sum differently.
        self.ctx, self.rows, self.net = ctx, rows, round_half_up(net)
        self.cause, self.details = cause, details
        self.estimated = np.zeros(len(rows), dtype=bool) if estimated is None else estimated
        self.carried = carried or {}

    def raw(self, rule_id: str, causes: dict[str, tuple[str, ...]], extra: dict | None = None):
        """The rule's raw findings; `causes` names each cause code (by position) and the details
        its clause quotes at the customer's last bill of that cause; `extra` maps a clause code
        to a per-bill flag: the clause is added where a customer has a flagged bill with it.

        A finding with an under-billed bill resting on an estimate has revenue kind `estimated`
        (else the rule's)."""
        if not len(self.rows):
            return empty_raw()
        ctx, rows = self.ctx, self.rows
        under = np.maximum(self.net, 0.0)
        over = np.maximum(-self.net, 0.0)
        grouped = per_customer_at(
            ctx,
            rows,
            revenue=under,
            over=over,
            estimated_max=self.estimated & (under > 0),
            # What the revenue holds of each carried amount: its under-billed bills' part only.
            **{
                f"carried_{at}": np.where(self.net > 0, amount, 0.0)
                for at, amount in enumerate(self.carried.values())
            },
        )
        customers = grouped["cust"].to_numpy()
        finding = np.searchsorted(customers, ctx.bill_customer[rows])  # of each flagged bill
        # Per cause and finding: its flagged bills of that cause, and the last of them (-1: none).
        count, last = [], []
        for code in range(len(causes)):
            positions = np.flatnonzero(self.cause == code)
            latest = np.full(len(customers), -1)
            np.maximum.at(latest, finding[positions], positions)
            count.append(np.bincount(finding[positions], minlength=len(customers)))
            last.append(latest)
        extras = [
            (code, _any_per_finding(finding, flag, len(customers)))
            for code, flag in (extra or {}).items()
        ]
        month_from, month_to = grouped["month_from"].to_numpy(), grouped["month_to"].to_numpy()
        revenue, over = grouped["revenue"].to_numpy(), grouped["over"].to_numpy()
        estimated = grouped["estimated_max"].to_numpy(dtype=bool)
        carried = [
            (code, round_half_up(grouped[f"carried_{at}"].to_numpy(dtype=float)))
            for at, code in enumerate(self.carried)
        ]
        evidence = []
        for at in range(len(customers)):
            parts = [
                clause(
                    f"{rule_id}.{name}",
                    bills=count[code][at],
                    last=count[code][at] > 1,
                    at=ctx.bill_month[rows[last[code][at]]],
                    **{key: self.details[key][last[code][at]] for key in quoted},
                )
                for code, (name, quoted) in enumerate(causes.items())
                if count[code][at]
            ]
            evidence.append(
                [clause(rule_id, months=(month_from[at], month_to[at]), parts=parts)]
                + [clause(code) for code, flagged in extras if flagged[at]]
                + _money_clauses(revenue[at], over[at], estimated[at])
                + [clause(code, amount=amount[at]) for code, amount in carried if amount[at]]
            )
        score = np.minimum(1.0, 0.5 + grouped["bills"].to_numpy() / 12)
        kind = np.where(estimated, "estimated", RULES[rule_id].revenue_kind).astype(object)
        return raw_per_customer(grouped, evidence, score, revenue_kind=kind)


def _any_per_finding(finding: np.ndarray, flag: np.ndarray, findings: int) -> np.ndarray:
    """Per finding: any of its flagged bills has `flag` (aligned with the flagged bills)."""
    result = np.zeros(findings, dtype=bool)
    result[finding[flag]] = True
    return result


def _money_clauses(revenue: float, over: float, estimated: bool) -> list[Clause]:
    """Which way the money went: under-billed (the revenue, said to be an estimate where it
    rests on one) and over-billed (reported, not counted)."""
    money = []
    if revenue > 0:
        money.append(
            clause("lines.under_estimated" if estimated else "lines.under", amount=revenue)
        )
    if over > 0:
        money.append(clause("lines.over", amount=over))
    return money


@dataclass(frozen=True)
class EnergyView:
    """The recomputed energy lines, split between the rules that own their differences.

    Per bill: `priced` (every energy line due has a rate), `kwh_differs` (the energy kWh due
    differ from those billed: a multiplier or register finding), `structural` (some period or
    tier line's kWh differ from due: periods or tiers misapplied, not a rate), `tier_clean` (no
    bill of the customer's tier year up to this one has kWh other than due: its tiers are
    judged on the right cumulative). Per energy line (`lines`): `old_schedule`, billed at the
    rate its period had under the schedule before the one due (the wrong schedule after a price
    change, tou_misapplied's).
    """

    lines: np.ndarray
    priced: np.ndarray
    kwh_differs: np.ndarray
    structural: np.ndarray
    tier_clean: np.ndarray
    old_schedule: np.ndarray


def energy_view(ctx: RuleContext, params: Mapping) -> EnergyView:
    """The energy lines of `ctx.recomputed` split as `EnergyView` says, with the kWh tolerance
    (`kwh_tolerance`, `relative_tolerance`) and the rate tolerance (`rate_tolerance`) of `params`.

    tou_misapplied, tier_misapplied and rate_mismatch each read it: made once per run (for the
    same tolerances). The view's arrays are shared, so read-only (`once_per_context`)."""
    return _energy_view(
        ctx, params["kwh_tolerance"], params["relative_tolerance"], params["rate_tolerance"]
    )


@once_per_context
def _energy_view(
    ctx: RuleContext, kwh_tolerance: float, relative: float, rate_tolerance: float
) -> EnergyView:
    rc = ctx.recomputed
    n = len(ctx.bills)
    lines = _of(ctx, "energy")
    priced = ~_any_line(rc, lines, np.isnan(rc.amount_due[lines]), n)
    differs = kwh_differs(ctx, kwh_tolerance, relative)
    # |billed − due| kWh (NaN as 0) against the larger tolerance, in the lines' own copies.
    off = rc.quantity_billed[lines]
    off[np.isnan(off)] = 0.0
    tolerance = rc.quantity_due[lines]
    tolerance[np.isnan(tolerance)] = 0.0
    np.subtract(off, tolerance, out=off)
    np.abs(off, out=off)
    np.multiply(tolerance, relative, out=tolerance)
    np.maximum(tolerance, kwh_tolerance, out=tolerance)
    structural = _any_line(rc, lines, off > tolerance, n)
    return EnergyView(
        lines=lines,
        priced=priced,
        kwh_differs=differs,
        structural=structural,
        tier_clean=_tier_year_clean(ctx, differs),
        old_schedule=_old_schedule(ctx, lines, rate_tolerance),
    )


def _tier_year_clean(ctx: RuleContext, kwh_differs: np.ndarray) -> np.ndarray:
    """Per bill: no bill of the same customer and calendar year up to it has kWh other than due
    (tiers fill on the year's cumulative kWh, so one wrong bill shifts the bands of the rest).

    Each bill with kWh other than due taints the rest of its customer's year: found by bisection
    on customer and month among the bills of the few customers with one (bills come in that
    order), no pass over every bill."""
    clean = np.ones(len(kwh_differs), dtype=bool)
    wrong = np.flatnonzero(kwh_differs)
    if not len(wrong):
        return clean
    # The bills of the customers with one (a bill of no known customer, -1, among them).
    rows = bill_rows_of(ctx.bill_customer, ctx.bill_customer[wrong], unknown=True)
    key = customer_keys(ctx.bill_customer[rows], ctx.bill_month[rows])
    next_year = customer_keys(ctx.bill_customer[wrong], (ctx.bill_month[wrong] // 12 + 1) * 12)
    first = np.searchsorted(rows, wrong)  # each wrong bill among its customer's bills
    after = np.searchsorted(key, next_year)  # its customer's first bill of the next year
    clean[rows[range_positions(first, after - first)]] = False
    return clean


def _any_line(rc: Recomputed, lines: np.ndarray, flag: np.ndarray, bills: int) -> np.ndarray:
    """Per context bill: any of `lines` has `flag` (a boolean per line), as
    `Recomputed.any_per_bill` says, by marking the bills instead of summing per bill."""
    hit = np.zeros(bills, dtype=bool)
    hit[rc.row[lines[flag]]] = True
    return hit


@once_per_context
def rate_off(ctx: RuleContext, tolerance: float) -> np.ndarray:
    """Per recomputed line: billed at a rate off the rate due by more than `tolerance` (both
    known). Read by tou_misapplied and rate_mismatch: computed once per run."""
    rc = ctx.recomputed
    return np.abs(rc.rate_billed - rc.rate_due) > tolerance  # NaN on either side: not off


def _old_schedule(ctx: RuleContext, lines: np.ndarray, tolerance: float) -> np.ndarray:
    """Per energy line of a time-of-use period with a rate off the rate due: billed at its period's
    rate under the schedule before the one in force on the bill's read_to."""
    rc = ctx.recomputed
    result = np.zeros(len(lines), dtype=bool)
    at = np.flatnonzero((rate_off(ctx, tolerance) & rc.has_period)[lines])
    if not len(at):
        return result
    row = rc.row[lines[at]]
    category = rc.tariff_due[row]
    read_to = ctx.bills["read_to"].iloc[row].to_numpy("datetime64[D]")
    month_end = month_end_days(ctx.bill_month[row])
    when = np.where(np.isnat(read_to), month_end, read_to)
    voltage = ctx.customers["voltage_kv"].to_numpy(dtype=float)[ctx.bill_customer[row]]
    period = rc.period[lines[at]]
    lookup = ctx.tariff_lookup
    start = lookup.valid_from(category, when, voltage, period)
    before = np.where(start == NO_DAY, 0, start - 1).astype("datetime64[D]")
    previous = lookup.rate(category, before, voltage, "energy_rate", tou_period=period)
    previous[start == NO_DAY] = np.nan
    result[at] = np.abs(rc.rate_billed[lines[at]] - previous) <= tolerance
    return result


def _energy_rule(
    ctx: RuleContext,
    params: Mapping,
    lines: np.ndarray,
    owned: np.ndarray,
    key: np.ndarray,
    due_instead: _DueInstead | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Of the energy `lines` the rule owns (`owned`, per line), the bills whose net difference is
    beyond tolerance: the owned lines, the flagged bill rows, their net difference, and per
    flagged bill whether lines of `key` (per line: a period, or a tier) are billed and due.
    `due_instead`: bills whose energy due is that amount, not the recomputation's."""
    rc = ctx.recomputed
    n = len(ctx.bills)
    lines = lines[owned]
    # A bill whose lines differ but whose energy charge does not (tier 1 at the flat price) is
    # charged right: only a net difference beyond tolerance (more than 0) is a finding.
    net = rc.per_bill(lines, zero_where_nan(rc.difference[lines]), n)
    due = rc.per_bill(lines, zero_where_nan(rc.amount_due[lines]), n)
    if due_instead is not None and len(due_instead.rows):
        at = due_instead.rows
        charged = rc.per_bill(lines, zero_where_nan(rc.amount_billed[lines]), n)
        net[at], due[at] = due_instead.amount - charged[at], due_instead.amount
    rows = np.flatnonzero(net)
    net = round_half_up(net[rows])
    beyond = np.abs(net) > _tolerance(due[rows], params)
    rows, net = rows[beyond], net[beyond]
    keyed = key[lines]
    billed = _any_line(rc, lines, rc.billed[lines] & keyed, n)[rows]
    due = _any_line(rc, lines, rc.due[lines] & keyed, n)[rows]
    return lines, rows, net, billed, due


def _amounts(
    ctx: RuleContext, lines: np.ndarray, rows: np.ndarray, due_instead: _DueInstead | None = None
) -> dict[str, np.ndarray]:
    """Amounts billed and due of `lines` summed per bill, at the flagged `rows` (`due_instead`:
    bills whose energy due is that amount, as `_energy_rule`)."""
    rc = ctx.recomputed
    n = len(ctx.bills)
    due = rc.per_bill(lines, np.nan_to_num(rc.amount_due[lines]), n)
    if due_instead is not None:
        due[due_instead.rows] = due_instead.amount
    return {"billed": rc.per_bill(lines, rc.amount_billed[lines], n)[rows], "due": due[rows]}


@dataclass(frozen=True)
class _DueInstead:
    """Bills (`rows`, context positions) whose energy due is `amount`, not the recomputation's."""

    rows: np.ndarray
    amount: np.ndarray


def _flat_on_tariff_billed(ctx: RuleContext, view: EnergyView, rows: np.ndarray) -> _DueInstead:
    """The bills of `rows` (billed on another tariff than the one due, of customers not on
    time-of-use) with their kWh due priced flat on their tariff billed, as the recomputation
    prices such a bill on that tariff: the row without a period, else the tariff's flat one,
    split by read days where its rate changed inside them (`energy.rate_change`,
    `priced_by_days`). The tariff rules price the tariff's difference on the bill repriced on
    the tariff billed (tariff_mismatch, order_not_applied, billed_tariff_mismatch,
    change_without_order): what the bill charged by periods over that flat charge is left here.
    Bills the tariff billed has no rate for are left out."""
    if not len(rows):
        return _DueInstead(rows, np.empty(0))
    rc = ctx.recomputed
    due_lines = view.lines[rc.due[view.lines]]
    kwh = rc.per_bill(due_lines, zero_where_nan(rc.quantity_due[due_lines]), len(ctx.bills))
    first, last = (day_numbers(days) for days in ctx.read_days(rows))
    change = rate_change(
        ctx.tariff_lookup,
        ctx.bills["tariff_billed"].iloc[rows].to_numpy(dtype=object),
        first,
        last,
        ctx.customers["voltage_kv"].to_numpy(dtype=float)[ctx.bill_customer[rows]],
        np.full(len(rows), None, dtype=object),
        np.zeros(len(rows), dtype=np.int8),
        fallback=True,
    )
    amount = priced_by_days(kwh[rows], first, last, change)
    priced = np.isfinite(amount)
    return _DueInstead(rows[priced], amount[priced])


@rule(
    "tou_misapplied",
    area="routine",
    needs=("bill_lines", "customers.tou", "tariffs.tou_period"),
    params=(*LINE_PARAMS, "rate_tolerance"),
    severity="high",
    revenue_kind="proved",
)
def tou_misapplied(ctx: RuleContext, params: dict) -> pd.DataFrame:
    rc = ctx.recomputed
    view = energy_view(ctx, params)
    lines = view.lines
    bills = rc.tou_bills & view.priced & ~view.kwh_differs
    # On another tariff than the one due, a bill of a customer not on time-of-use billed by
    # periods is judged against its own tariff billed flat (`_flat_on_tariff_billed`): the
    # tariff's difference is the tariff rules'. Other such bills (by periods or tiers on the
    # tariff billed: a customer on time-of-use, a single household) are left to those rules.
    flat = ~ctx.customer_is("tou", True)
    if "tier_scheme" in ctx.customers:
        flat &= ~ctx.customer_is("tier_scheme", "single")
    other = np.flatnonzero(bills & rc.tariff_differs & view.structural & flat)
    due_instead = _flat_on_tariff_billed(ctx, view, other)
    bills &= ~rc.tariff_differs
    bills[due_instead.rows] = True
    # A bill whose period kWh differ is misapplied whole; one whose kWh are right, only by the
    # lines billed at the old schedule's period rates (other wrong rates are rate_mismatch's).
    at_bill = rc.row[lines]
    owned = bills[at_bill] & (view.structural[at_bill] | view.old_schedule)
    lines, rows, net, billed, due = _energy_rule(
        ctx, params, lines, owned, rc.has_period, due_instead
    )
    cause = np.where(~billed, 0, np.where(~due, 1, 2))
    details = _amounts(ctx, lines, rows, due_instead)
    # The period line most off on each bill, for the evidence of period lines differing.
    largest = _largest_per_bill(rc, lines, np.abs(np.nan_to_num(rc.difference[lines])))
    line = largest.reindex(rows).to_numpy()
    details |= {
        "period": rc.period[line],
        "kwh": rc.quantity_billed[line],
        "rate": rc.rate_billed[line],
        "due_kwh": rc.quantity_due[line],
        "due_rate": rc.rate_due[line],
    }
    estimated = _any_line(rc, lines, rc.estimated[lines], len(ctx.bills))[rows]
    # The adjustment on the energy difference moves with it (pf_adjustment_error judges the
    # base billed).
    pf = pf_moved(ctx, rows, net)
    findings = _Findings(
        ctx,
        rows,
        net + pf,
        cause,
        details,
        estimated=estimated,
        carried={"tou_misapplied.pf": pf},
    )
    return findings.raw(
        "tou_misapplied",
        {
            "billed_flat": ("billed", "due"),
            "not_due": ("billed", "due"),
            "periods": ("period", "kwh", "rate", "due_kwh", "due_rate"),
        },
        {"tou_misapplied.profile": estimated},
    )


@rule(
    "tier_misapplied",
    area="routine",
    needs=("bill_lines", "customers.tier_scheme", "tariffs.tier"),
    params=(*LINE_PARAMS, "rate_tolerance"),
    severity="high",
    revenue_kind="proved",
)
def tier_misapplied(ctx: RuleContext, params: dict) -> pd.DataFrame:
    rc = ctx.recomputed
    view = energy_view(ctx, params)
    lines = view.lines
    # Tier kWh other than due on the right cumulative; wrong rates on right tiers are
    # rate_mismatch's, and a year with a wrong kWh shifts the bands: multiplier or register.
    bills = rc.tier_bills & view.priced & view.tier_clean & view.structural & ~rc.tariff_differs
    owned = bills[rc.row[lines]]
    lines, rows, net, billed, due = _energy_rule(ctx, params, lines, owned, rc.tier > 0)
    cause = np.where(~due, 0, np.where(~billed, 1, 2))
    n = len(ctx.bills)
    # The bands as billed and as due: the kWh above tier 1 may agree while the split between the
    # second and third tiers does not, so the clause quotes both tiers.
    second, third = lines[rc.tier[lines] == 2], lines[rc.tier[lines] > 2]
    details = _amounts(ctx, lines, rows) | {
        "tier2": rc.per_bill(second, np.nan_to_num(rc.quantity_billed[second]), n)[rows],
        "due_tier2": rc.per_bill(second, np.nan_to_num(rc.quantity_due[second]), n)[rows],
        "tier3": rc.per_bill(third, np.nan_to_num(rc.quantity_billed[third]), n)[rows],
        "due_tier3": rc.per_bill(third, np.nan_to_num(rc.quantity_due[third]), n)[rows],
    }
    pf = pf_moved(ctx, rows, net)  # as tou_misapplied
    findings = _Findings(ctx, rows, net + pf, cause, details, carried={"tier_misapplied.pf": pf})
    return findings.raw(
        "tier_misapplied",
        {
            "not_due": ("billed", "due"),
            "missing": ("billed", "due"),
            "bands": ("tier2", "tier3", "due_tier2", "due_tier3"),
        },
    )


@rule(
    "basic_charge_error",
    area="capacity",
    needs=("bill_lines", "customers.basic_charge_basis"),
    params=LINE_PARAMS,
    severity="high",
    revenue_kind="proved",
    reads=("capacity_underbilled", "tariff_mismatch"),
)
def basic_charge_error(ctx: RuleContext, params: dict) -> pd.DataFrame:
    rc = ctx.recomputed
    n = len(ctx.bills)
    lines = _lines(ctx, "basic", params, np.ones(n, dtype=bool))
    # A basic charge due on a capacity or demand known (none known: archive_defect's).
    lines = lines[rc.due[lines] & (np.nan_to_num(rc.quantity_due[lines]) > 0)]
    # Capacity billed short of the capacity in force, months of a change included (prorated by
    # day there), is capacity_underbilled's finding: counted there once, not here again, on its
    # own tolerance (read, not copied: the two cannot drift into counting a bill twice).
    tolerance = params["capacity_underbilled"]["kva_tolerance"]
    short = (rc.quantity_due[lines] - rc.quantity_billed[lines]) > tolerance
    by_capacity = ctx.basis_is(rc.row[lines], "capacity")
    lines = lines[~(short & by_capacity)]
    # On a single-part tariff due no basic charge is due: tariff_mismatch nets the one billed.
    lines = lines[~bills_without_basic_charge_due(ctx, params["tariff_mismatch"])[rc.row[lines]]]
    difference = rc.difference[lines]
    off = np.abs(difference) > _tolerance(rc.amount_due[lines], params)
    lines = lines[off]
    rows = rc.row[lines]  # one basic line per bill
    order = np.argsort(rows, kind="stable")
    lines, rows = lines[order], rows[order]
    details = {
        "billed": rc.amount_billed[lines],
        "quantity": rc.quantity_billed[lines],
        "due": rc.amount_due[lines],
        "due_quantity": rc.quantity_due[lines],
    }
    cause = np.zeros(len(rows), dtype=np.int64)
    difference = rc.difference[lines]
    # The adjustment on the basic charge moves with it (pf_adjustment_error judges the base billed).
    pf = pf_moved(ctx, rows, difference)
    carried = {"basic_charge_error.pf": pf}
    return _Findings(ctx, rows, difference + pf, cause, details, carried=carried).raw(
        "basic_charge_error", {"differs": ("billed", "quantity", "due", "due_quantity")}
    )


@once_per_context
def _billed_kwh(ctx: RuleContext) -> np.ndarray:
    """Per bill, the kWh of its energy and loss lines billed summed (once per run: the base of
    the funds, read by fund_charge_error and by the rules upstream)."""
    rc = ctx.recomputed
    lines = np.concatenate([_of(ctx, kind) for kind in ("energy", "loss")])
    return rc.per_bill(lines, zero_where_nan(rc.quantity_billed[lines]), len(ctx.bills))


@once_per_context
def _line_per_bill(ctx: RuleContext, line_type: str) -> np.ndarray:
    """Per bill, its line of `line_type` (-1: none), for the types a bill has one line of (loss,
    basic, pf_adjustment, fund); found once per run."""
    lines = _of(ctx, line_type)
    at = np.full(len(ctx.bills), -1, dtype=np.int64)
    at[ctx.recomputed.row[lines]] = lines
    return at


def _rate_due(ctx: RuleContext, line_type: str, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`: the rate due of its line of `line_type` (NaN: none due)."""
    line = _line_per_bill(ctx, line_type)[rows]
    rate = np.full(len(rows), np.nan)
    has = line >= 0
    rate[has] = ctx.recomputed.rate_due[line[has]]
    return rate


def pf_rate_due(ctx: RuleContext, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`: the power-factor adjustment due, as a signed fraction (NaN: none)."""
    return _rate_due(ctx, "pf_adjustment", rows)


def _pf_rate_on_billed_losses(ctx: RuleContext, rows: np.ndarray) -> np.ndarray:
    """Per bill of `rows`: the adjustment rate the bill's losses as billed give — the power
    factor of the kWh due plus the loss kWh billed — where an adjustment is due (NaN: none).

    A bill short of its losses is often adjusted at the rate of the energy it billed: the rate
    moved by the losses is theirs (loss_not_charged's), not a wrong adjustment."""
    rc = ctx.recomputed
    rate = pf_rate_due(ctx, rows)
    at = np.flatnonzero(~np.isnan(rate))
    if not len(at):
        return rate
    bills = rows[at]
    loss = _line_per_bill(ctx, "loss")[bills]
    active = rc.energy_kwh[0][bills]
    active[loss >= 0] += zero_where_nan(rc.quantity_billed[loss[loss >= 0]])
    reactive = zero_where_nan(optional_values(ctx.bills, "kvarh_import")[bills])
    reactive += np.abs(zero_where_nan(optional_values(ctx.bills, "kvarh_export")[bills]))
    standard = ctx.customers["pf_standard"].to_numpy(dtype=float)[ctx.bill_customer[bills]]
    tables = default_billing_params().pf_tables  # those the recomputation used
    percent = adjustment_percent(power_factor(active, reactive), standard, tables)
    rate[at] = np.where(np.isnan(percent), rate[at], percent / 100)
    return rate


@once_per_context
def pf_base_billed(ctx: RuleContext) -> np.ndarray:
    """Per bill, the base its power-factor adjustment was billed on: its energy, loss and basic
    lines billed summed; where one of them is unknown (a basic charge the bill records
    nowhere), the base its adjustment line states (the line's quantity), else NaN: unknown.

    Never an unknown charge counted as 0: a right −0.75 % of 18,000.00 whose 12,000.00 basic
    charge was blank was judged against −0.75 % of 6,000.00, ¥90.00 "under-billed"."""
    rc = ctx.recomputed
    n = len(ctx.bills)
    lines = np.concatenate([_of(ctx, kind) for kind in ("energy", "loss", "basic")])
    amount = rc.amount_billed[lines]
    base = rc.per_bill(lines, zero_where_nan(amount), n)
    unknown = np.flatnonzero(_any_line(rc, lines, np.isnan(amount), n))
    line = _line_per_bill(ctx, "pf_adjustment")[unknown]
    stated = np.full(len(unknown), np.nan)
    has = line >= 0
    stated[has] = rc.quantity_billed[line[has]]
    base[unknown] = np.where(np.nan_to_num(stated) != 0, stated, np.nan)  # a base of 0: unsaid
    return base


def pf_moved(
    ctx: RuleContext,
    rows: np.ndarray,
    extra: np.ndarray,
    rate_billed_base: np.ndarray | None = None,
) -> np.ndarray:
    """Per bill of `rows`: what an upstream line short by `extra` yuan moves the adjustment by —
    the adjustment due on the base billed + `extra`, less the one at `rate_billed_base` (None:
    the rate due) on the base billed (what pf_adjustment_error judges the bill against); 0
    where none is due. Where the base billed is unknown (`pf_base_billed`), the adjustment due
    on `extra` alone: that much is proved whatever the base, and pf_adjustment_error judges
    nothing on such a bill."""
    rate = pf_rate_due(ctx, rows)
    if rate_billed_base is None:
        rate_billed_base = rate
    base = pf_base_billed(ctx)[rows]
    moved = round_half_up(rate * (base + extra)) - round_half_up(rate_billed_base * base)
    moved = np.where(np.isnan(base), round_half_up(rate * extra), moved)
    return np.where(np.isnan(rate), 0.0, moved)


def _funds_moved(ctx: RuleContext, rows: np.ndarray, kwh: np.ndarray) -> np.ndarray:
    """Per bill of `rows`: the funds due on `kwh` more than the kWh billed, beyond those due on
    the kWh billed (what fund_charge_error judges the bill against); 0 where no fund is due."""
    rate = _rate_due(ctx, "fund", rows)
    billed = _billed_kwh(ctx)[rows]
    moved = round_half_up(rate * (billed + kwh)) - round_half_up(rate * billed)
    return np.where(np.isnan(rate), 0.0, moved)


def _one_line_per_bill(
    ctx: RuleContext, lines: np.ndarray, expected: np.ndarray, params: Mapping
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of `lines` (one per bill), those whose amount billed differs from `expected` beyond
    tolerance: their positions in `lines`, their bill rows and the differences expected −
    billed, in bill order."""
    rc = ctx.recomputed
    difference = expected - rc.amount_billed[lines]
    at = np.flatnonzero(np.abs(difference) > _tolerance(expected, params))
    at = at[np.argsort(rc.row[lines[at]], kind="stable")]
    return at, rc.row[lines[at]], difference[at]


@rule(
    "pf_adjustment_error",
    area="routine",
    needs=("bill_lines", "customers.pf_standard", "bills.kvarh_import"),
    params=LINE_PARAMS,
    severity="high",
    revenue_kind="proved",
)
def pf_adjustment_error(ctx: RuleContext, params: dict) -> pd.DataFrame:
    rc = ctx.recomputed
    n = len(ctx.bills)
    lines = _lines(ctx, "pf_adjustment", params, np.ones(n, dtype=bool))
    # No line due where the customer has a standard: its reactive energy is unknown; unjudged.
    pf_standard = ctx.customers["pf_standard"].to_numpy(dtype=float)
    standard = ~np.isnan(pf_standard[ctx.bill_customer[rc.row[lines]]])
    lines = lines[rc.due[lines] | ~standard]
    # The adjustment due on the base billed: a wrong energy, loss or basic line is counted by its
    # own rule, with what it moves here. Where the losses are off, at the rate of the losses
    # billed: the rate they move is loss_not_charged's too.
    rows = rc.row[lines]
    rate = np.nan_to_num(rc.rate_due[lines])
    loss = _of(ctx, "loss")
    loss_off = np.abs(np.nan_to_num(rc.difference[loss])) > _tolerance(rc.amount_due[loss], params)
    off = np.flatnonzero(_any_line(rc, loss, loss_off, n)[rows])
    rate[off] = np.nan_to_num(_pf_rate_on_billed_losses(ctx, rows[off]))
    # On the base billed: a bill that states none (a basic charge unknown, no quantity on its
    # adjustment line) proves nothing about an adjustment due, only about one not due (0).
    base = pf_base_billed(ctx)[rows]
    judged = ~rc.due[lines] | ~np.isnan(base)
    lines, rows, rate, base = lines[judged], rows[judged], rate[judged], base[judged]
    expected = np.where(rc.due[lines], round_half_up(rate * base), 0.0)
    at, rows, difference = _one_line_per_bill(ctx, lines, expected, params)
    lines = lines[at]
    billed, due = rc.billed[lines], rc.due[lines]
    amount = rc.amount_billed[lines]
    expected = amount + difference
    wrong_sign = billed & due & (np.sign(amount) * np.sign(expected) < 0)
    cause = np.select([~billed, ~due, wrong_sign], [0, 1, 2], default=3)
    details = {
        "billed": amount,
        "percent": rc.rate_billed[lines] * 100,
        "due": expected,
        "due_percent": np.where(due, rate[at], np.nan) * 100,
    }
    return _Findings(ctx, rows, difference, cause, details).raw(
        "pf_adjustment_error",
        {
            "missing": ("due", "due_percent"),
            "not_due": ("billed",),
            "sign": ("billed", "due"),
            "amount": ("billed", "percent", "due", "due_percent"),
        },
    )


@rule(
    "loss_not_charged",
    area="metering",
    needs=("bill_lines", "customers.metering_mode"),
    params=LINE_PARAMS,
    severity="high",
    revenue_kind="proved",
)
def loss_not_charged(ctx: RuleContext, params: dict) -> pd.DataFrame:
    rc = ctx.recomputed
    high_low = ctx.customer_is("metering_mode", "high_low")
    lines = _lines(ctx, "loss", params, high_low)
    difference = rc.difference[lines]
    # Only losses missing or below due: where the losses cannot be computed none are due.
    lines = lines[difference > _tolerance(rc.amount_due[lines], params)]
    order = np.argsort(rc.row[lines], kind="stable")
    lines = lines[order]
    rows = rc.row[lines]
    cause = np.where(rc.billed[lines], 1, 0)
    details = {
        "kwh": rc.quantity_billed[lines],
        "billed": rc.amount_billed[lines],
        "due_kwh": rc.quantity_due[lines],
        "due": rc.amount_due[lines],
    }
    # The loss energy is energy charged: its funds and its power-factor adjustment (the rate it
    # moves and the base) are under-billed with it, and judged on what was billed downstream.
    short_kwh = rc.quantity_due[lines] - zero_where_nan(rc.quantity_billed[lines])
    difference = rc.difference[lines]
    funds = _funds_moved(ctx, rows, short_kwh)
    pf = pf_moved(ctx, rows, difference, _pf_rate_on_billed_losses(ctx, rows))
    estimated = rc.estimated[lines]
    findings = _Findings(
        ctx,
        rows,
        difference + funds + pf,
        cause,
        details,
        estimated=estimated,
        carried={"loss_not_charged.funds": funds, "loss_not_charged.pf": pf},
    )
    return findings.raw(
        "loss_not_charged",
        {"missing": ("due_kwh", "due"), "below": ("kwh", "billed", "due_kwh", "due")},
        {"loss_not_charged.no_reactive": estimated},
    )


@rule(
    "fund_charge_error",
    area="routine",
    needs=("bill_lines", "tariffs.fund_rate"),
    params=LINE_PARAMS,
    severity="medium",
    revenue_kind="proved",
)
def fund_charge_error(ctx: RuleContext, params: dict) -> pd.DataFrame:
    rc = ctx.recomputed
    n = len(ctx.bills)
    lines = _lines(ctx, "fund", params, np.ones(n, dtype=bool))
    lines = lines[rc.due[lines]]  # a fund rate in force
    # Funds due on the kWh billed (energy and losses): wrong losses are loss_not_charged's.
    billed_kwh = _billed_kwh(ctx)
    expected = round_half_up(rc.rate_due[lines] * billed_kwh[rc.row[lines]])
    at, rows, difference = _one_line_per_bill(ctx, lines, expected, params)
    lines = lines[at]
    kwh = billed_kwh[rows]
    details = {
        "billed": rc.amount_billed[lines],
        "due": rc.amount_billed[lines] + difference,
        "rate": rc.rate_due[lines],
        "kwh": kwh,
    }
    cause = np.where(rc.billed[lines], 1, 0)
    return _Findings(ctx, rows, difference, cause, details).raw(
        "fund_charge_error",
        {"missing": ("due", "rate", "kwh"), "differs": ("billed", "due", "rate", "kwh")},
    )

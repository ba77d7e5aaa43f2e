"""Metering devices (计量装置): multiplier, registers, periodic meter tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.billing.bill_frame import (
    SwapPricing,
    first_swap_after_each_bill,
    joined_bill_kwh,
    multiplier_before_replacements,
    three_meter_kwh,
    unplaced_swap_reads,
)
from auditkit.billing.money import round_half_up
from auditkit.periods import add_months, date_month_number
from auditkit.rules.context import RuleContext
from auditkit.rules.evidence import clause, funds_clause
from auditkit.rules.findings import (
    empty_raw,
    flagged_rows_at,
    order_between_bills,
    per_customer_at,
    raw,
    raw_per_customer,
    zero_where_nan,
)
from auditkit.rules.meter_records import meter_swaps
from auditkit.rules.rate_counted import rate_counted_lines
from auditkit.rules.recomputed import LINE_TYPES
from auditkit.rules.registry import rule
from auditkit.rules.routine import TariffDueSurcharge, at_tariff_due, tariff_due_surcharge
from auditkit.rules.tariff_due import bills_without_basic_charge_due
from auditkit.rules.tier_energy import back_billed_energy_money
from auditkit.rules.worklist import bills_priced_by


@rule(
    "multiplier_mismatch",
    area="metering",
    needs=("customers.ct_ratio", "customers.pt_ratio", "bills.multiplier_billed"),
    params=("relative_tolerance",),
    severity="high",
    revenue_kind="proved",
    reads=("tariff_mismatch", "change_without_order", "order_not_applied", "rate_mismatch"),
)
def multiplier_mismatch(ctx: RuleContext, params: dict) -> pd.DataFrame:
    customers = ctx.customers
    rows, multiplier_due = _billed_off_due(ctx, params["relative_tolerance"])
    if len(rows) == 0:
        return empty_raw()
    archive = _archive_multiplier(ctx)[ctx.bill_customer[rows]]
    billed = ctx.bills["multiplier_billed"].to_numpy(dtype=float)[rows]
    kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)[rows]
    # Priced at the multiplier due (before a meter replacement its old one), not the archive's.
    ratio = np.divide(multiplier_due, billed, out=np.ones_like(multiplier_due), where=billed > 0)
    missing_kwh = kwh * (ratio - 1)
    # A demand charge read through the same wrong multiplier is short by the same ratio, where
    # one is due (not on a single-part tariff due).
    no_basic = bills_without_basic_charge_due(ctx, params["tariff_mismatch"])[rows]
    demand_basis = ctx.basis_is(rows, "demand") & ~no_basic
    basic = zero_where_nan(ctx.basic_charge_billed[rows])
    due = tariff_due_surcharge(ctx, rows, params)
    parts = {
        "energy": missing_kwh * ctx.energy_rate_due_or_billed(rows),
        "fund": missing_kwh * ctx.fund_rate_due(rows),
        "basic": np.where(demand_basis, basic * (ratio - 1) * due.demand, 0.0),
        "pf_adjustment": np.zeros(len(rows)),
        "loss": np.zeros(len(rows)),
    }
    recomputed = np.zeros(len(rows), dtype=bool)
    if ctx.itemized:
        recomputed, kwh_due, lines = _recomputed_shortfall(
            ctx, rows, missing_kwh, no_basic, params["rate_mismatch"]
        )
        missing_kwh = np.where(recomputed, kwh_due, missing_kwh)
        for name, money in lines.items():
            parts[name] = np.where(recomputed, money, parts[name])
    # On a bill on the wrong tariff the kWh left out are due at the tariff due's rates.
    energy_extra = round_half_up(missing_kwh * due.energy, 2)
    fund_extra = round_half_up(missing_kwh * due.fund, 2)
    parts["energy"] = parts["energy"] + energy_extra
    parts["fund"] = parts["fund"] + fund_extra
    grouped = per_customer_at(
        ctx,
        rows,
        missing_kwh=missing_kwh,
        recomputed=recomputed,
        surcharge=energy_extra + fund_extra,
        tariff_due_first=due.tariff,
        revenue=sum(parts.values()),
        billed_min=billed,
        billed_max=billed,
        archive_first=archive,
        due_first=multiplier_due,
        due_min=multiplier_due,
        due_max=multiplier_due,
        before_swap_max=multiplier_due != archive,
        **{f"{name}_money": money for name, money in parts.items()},
    )
    archive_ratios = customers[["ct_ratio", "pt_ratio"]].iloc[grouped["cust"]]
    evidence = [
        _multiplier_evidence(found, ratios)
        for found, ratios in zip(
            grouped.itertuples(), archive_ratios.itertuples(index=False), strict=True
        )
    ]
    score = np.abs(1 - grouped["billed_min"] / grouped["due_first"])
    return raw_per_customer(grouped, evidence, 0.5 + score)


#: How far a bill's recomputed kWh difference may be from its kWh billed × (the archive's
#: multiplier ÷ the one billed − 1) and still be the multiplier's alone: kWh, and a share of the
#: kWh due (registers and kWh are kept to the hundredth, then × a multiplier). Beyond it the
#: registers or the multiplier in force differ too (register_mismatch's, an order's).
_KWH_AGREE, _SHARE_AGREE = 0.5, 0.001


def _recomputed_shortfall(
    ctx: RuleContext,
    rows: np.ndarray,
    missing_kwh: np.ndarray,
    no_basic: np.ndarray,
    rate_params: dict,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Per bill of `rows`: whether the recomputation priced it, its energy kWh due less those
    billed, and per line type the money the multiplier left out.

    A bill is priced where it is on the tariff due (else tariff_mismatch's), every line of it
    was recomputed (a difference, not NaN), and its recomputed kWh difference is `missing_kwh`
    (the multiplier's alone). The line rules skip such a bill (its kWh differ), so its
    differences are counted here once: the energy lines' difference less the rate's own part
    where rate_mismatch counts it (`rate_counted_lines`, on its thresholds `rate_params`), which
    stays rate_mismatch's; the fund, loss and
    power-factor lines' difference whole (the reactive energy is read through the same
    multiplier), and the basic line's on a demand basis only (the demand is read through it; a
    capacity billed short is capacity_underbilled's), where a basic charge is due (`no_basic`:
    per bill, a single-part tariff due, `bills_without_basic_charge_due`)."""
    rc = ctx.recomputed
    n = len(ctx.bills)
    position = np.full(n, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    mine = np.flatnonzero(position[rc.row] >= 0)
    at = position[rc.row[mine]]
    line_type = rc.line_type[mine]
    money = rc.difference[mine].copy()
    unpriced = np.zeros(len(rows), dtype=bool)
    unpriced[at[np.isnan(money)]] = True
    energy = line_type == LINE_TYPES.index("energy")
    # The rate's own part, where rate_mismatch counts it (a line off its rate due beyond its
    # tolerance), as it counts it: the kWh billed at the rate due less at the rate billed, each
    # to the fen. Elsewhere (a bill split by read days, whose rates are averages of two lines,
    # a fen's rounding apart) the energy lines' difference is the multiplier's whole.
    own = mine[energy]
    own = own[rate_counted_lines(ctx, own, rate_params)]
    kwh = rc.quantity_billed[own]
    rate_part = round_half_up(rc.rate_due[own] * kwh) - round_half_up(rc.rate_billed[own] * kwh)
    money[np.searchsorted(mine, own)] -= rate_part
    kinds = len(LINE_TYPES)
    sums = np.bincount(
        at * kinds + line_type, weights=zero_where_nan(money), minlength=len(rows) * kinds
    ).reshape(len(rows), kinds)
    # A basic charge by capacity is not read through the meter: its shortfall is
    # capacity_underbilled's (counted there, not again here); one by demand is.
    by_demand = ctx.basis_is(rows, "demand")
    sums[~by_demand | no_basic, LINE_TYPES.index("basic")] = 0.0
    due, billed = rc.energy_kwh
    kwh_due = due[rows] - billed[rows]
    agrees = np.abs(kwh_due - missing_kwh) <= np.maximum(_KWH_AGREE, _SHARE_AGREE * due[rows])
    has_lines = np.zeros(len(rows), dtype=bool)
    has_lines[at[energy]] = True
    recomputed = has_lines & ~unpriced & ~rc.tariff_differs[rows] & agrees
    lines = {name: sums[:, code] for code, name in enumerate(LINE_TYPES)}
    return recomputed, kwh_due, lines


def _multiplier_evidence(found: object, archive: object) -> list:
    """The bills, multipliers billed and due (the archive's, or before a meter replacement
    its old one, with the archive's beside it), and the energy and money they leave out: by
    line type where a bill was recomputed, else the demand charge and funds beside the
    energy."""
    low, high = found.billed_min, found.billed_max
    used = (
        clause("multiplier.one", multiplier=low)
        if low == high
        else clause("multiplier.range", low=low, high=high)
    )
    kwh = found.missing_kwh
    energy = (
        clause("kwh.not_billed", kwh=kwh) if kwh >= 0 else clause("kwh.billed_too_much", kwh=-kwh)
    )
    archived = {"ct": archive.ct_ratio, "pt": archive.pt_ratio, "archive": found.archive_first}
    said = {"bills": found.bills, "months": (found.month_from, found.month_to), "used": used}
    if found.before_swap_max:
        due = (
            clause("multiplier.due_one", multiplier=found.due_min)
            if found.due_min == found.due_max
            else clause("multiplier.due_range", low=found.due_min, high=found.due_max)
        )
        head = clause("multiplier_mismatch.before_swap", **said, due=due, **archived, energy=energy)
    else:
        head = clause("multiplier_mismatch", **said, **archived, energy=energy)
    evidence = [head]
    if found.recomputed:
        evidence.append(
            clause(
                "multiplier.recomputed",
                energy=found.energy_money,
                **{
                    name: clause(f"multiplier.part.{name}", amount=amount)
                    if abs(amount) >= 0.005
                    else None
                    for name, amount in (
                        ("fund", found.fund_money),
                        ("basic", found.basic_money),
                        ("pf_adjustment", found.pf_adjustment_money),
                        ("loss", found.loss_money),
                    )
                },
            )
        )
    else:
        if found.basic_money > 0:
            evidence.append(clause("demand_charge_short", amount=found.basic_money))
        if found.fund_money > 0:
            evidence.append(clause("funds_short", amount=found.fund_money))
    # A net over-billing is to refund, not revenue: said as the line rules say it.
    money = (
        clause("revenue", amount=found.revenue)
        if found.revenue >= 0
        else clause("lines.over", amount=-found.revenue)
    )
    return [*evidence, *at_tariff_due(found.tariff_due_first, found.surcharge), money]


def bills_off_the_multiplier(ctx: RuleContext, params: dict) -> np.ndarray:
    """Per bill, whether `multiplier_mismatch` (with its thresholds `params`) prices it: billed
    at a multiplier other than the archive's and its meter replacements'. All False where its
    data is missing (it cannot run). A rule that would price the kWh such a bill left out
    leaves them to it, so a yuan counts once."""
    tolerance = params["relative_tolerance"]
    return bills_priced_by(
        ctx, "multiplier_mismatch", lambda: _off_the_multiplier_due(ctx, tolerance)
    )


def _archive_multiplier(ctx: RuleContext) -> np.ndarray:
    """Per customer, the multiplier the archive has: CT ratio × PT ratio."""
    customers = ctx.customers
    return customers["ct_ratio"].to_numpy(dtype=float) * customers["pt_ratio"].to_numpy(dtype=float)


def _off_the_multiplier_due(ctx: RuleContext, tolerance: float) -> np.ndarray:
    """Rows of the bills billed at a multiplier other than the one due, beyond `tolerance`
    (relative): `_billed_off_due`'s rows."""
    return _billed_off_due(ctx, tolerance)[0]


def _billed_off_due(ctx: RuleContext, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the bills billed at a multiplier other than the one due, beyond `tolerance`
    (relative), and the multiplier due on each: the archive's, or around a meter replacement
    with its order the old or new value (before it, its old value was due; in its month either,
    as the bill may read the old meter or the new one: the one in force after the month is
    priced, but on the old meter's last bill, `meter_swap_bills`, the old one alone)."""
    archive_multiplier = _archive_multiplier(ctx)
    billed = ctx.bills["multiplier_billed"].to_numpy(dtype=float)
    rows = _multiplier_differs(ctx, billed, archive_multiplier, tolerance)
    if not len(ctx.orders_of("meter_replacement")):
        return rows, archive_multiplier[ctx.bill_customer[rows]]
    swapped, before, unknown, old_meter_last = _multiplier_before_replacements(ctx)
    # The bills of customers with swaps are judged on the multiplier due even where they billed
    # the archive's (60 billed before a swap from 40 over-bills).
    rows = np.union1d(rows, swapped)
    due, changed = ctx.in_force(
        archive_multiplier[ctx.bill_customer], ("meter_replacement",), old_value=before
    )
    on_old_meter = np.isfinite(old_meter_last)
    due = np.where(on_old_meter, old_meter_last, due)
    changed = np.where(on_old_meter, np.nan, changed)
    as_due = np.abs(billed[rows] - due[rows]) <= tolerance * due[rows]
    as_changed = np.abs(billed[rows] - changed[rows]) <= tolerance * changed[rows]
    # The order in force being one whose multiplier before is unknown (1; a known one 0): the
    # bills before it, and in its month, are not judged.
    in_force_unknown = ctx.in_force(
        np.zeros(len(ctx.bills)),
        ("meter_replacement",),
        old_value=np.where(unknown, 1.0, np.where(np.isnan(before), np.nan, 0.0)),
    )
    not_known = (in_force_unknown[0][rows] == 1) | (in_force_unknown[1][rows] == 1)
    # A bill joining both sides of a swap is register_mismatch's, its multiplier included.
    joined_rows, joined_kwh = _joined_swap_energy(ctx)
    joined = np.isin(rows, joined_rows[np.isfinite(joined_kwh)])
    rows = rows[~(as_due | as_changed | not_known | joined) & np.isfinite(due[rows])]
    return rows, due[rows]


def _multiplier_before_replacements(
    ctx: RuleContext,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rows of the bills of customers with meter_replacement orders; per such order
    (`ctx.orders_of`), the multiplier before it as the bill
    frame prices the kWh due (`multiplier_before_replacements`): one recording meter numbers or
    nothing takes the bills' multiplier where they changed it exactly at the replacement;
    whether it is unknown: none recorded and its first new bill holding two swaps (three
    meters, `MeterSwapBills.crowded`) or its reads not placed on its bills
    (`unplaced_swap_reads`: a final read below the last billed read, registers falling where
    the order's day shows no meter change): the bills cannot tell it; and per bill, the multiplier before the first swap after
    the old meter's last bill on that bill (`first_swap_after_each_bill`: it reads the old meter
    alone, as the bill frame prices it; not the middle meter's of two swaps), else NaN."""
    rows, replacements, reads, swaps = meter_swaps(ctx, ctx.orders_of("meter_replacement"))
    before = multiplier_before_replacements(replacements, reads, swaps)
    old_meter_last = np.full(len(ctx.bills), np.nan)
    first_after = first_swap_after_each_bill(replacements.day, swaps.last_old)
    known = first_after[np.isfinite(before[first_after])]
    old_meter_last[rows[swaps.last_old[known]]] = before[known]
    untold = swaps.crowded | unplaced_swap_reads(replacements, reads, swaps)
    return rows, before, np.isnan(before) & untold, old_meter_last


def _multiplier_differs(
    ctx: RuleContext, billed: np.ndarray, archive_multiplier: np.ndarray, tolerance: float
) -> np.ndarray:
    """Rows of the bills whose multiplier differs from the archive's by more than `tolerance`
    (relative), computed in place: two float arrays as long as the bills, not five."""
    archive = archive_multiplier[ctx.bill_customer]
    gap = np.subtract(billed, archive)
    np.abs(gap, out=gap)
    archive *= tolerance  # in place: the limit
    return np.flatnonzero(gap > archive)


def _register_energy(
    start: np.ndarray, end: np.ndarray, multiplier: np.ndarray, kwh: np.ndarray, params: dict
) -> tuple[np.ndarray, np.ndarray]:
    """Energy the registers show, and where it came from a register rolling over past its last digit.

    A register that ends below its start has either run backwards or passed 99…9 → 0; it rolled
    over when the bill charged (end + 10^digits − start) × multiplier, 10^digits being the first
    power of ten above the start reading.
    """
    energy = (end - start) * multiplier
    rolled = np.zeros(len(energy), dtype=bool)
    down = np.flatnonzero(end < start)  # few bills: the rollover test runs on those only
    span = 10.0 ** np.ceil(np.log10(start[down] + 1))
    rollover_kwh = (end[down] + span - start[down]) * multiplier[down]
    fits = np.abs(rollover_kwh - kwh[down]) <= _tolerance(rollover_kwh, params)
    rolled[down[fits]] = True
    energy[down[fits]] = rollover_kwh[fits]
    return energy, rolled


def _tolerance(kwh: np.ndarray, params: dict) -> np.ndarray:
    """The kWh a bill may differ by: `relative_tolerance` of `kwh`, at least `kwh_tolerance`."""
    tolerance = np.abs(kwh)
    tolerance *= params["relative_tolerance"]
    return np.maximum(tolerance, params["kwh_tolerance"], out=tolerance)


@rule(
    "register_mismatch",
    area="metering",
    needs=("bills.register_start", "bills.register_end", "bills.multiplier_billed"),
    params=("kwh_tolerance", "relative_tolerance", "replacement_window_months"),
    severity="high",
    revenue_kind="proved",
    reads=("tariff_mismatch", "change_without_order", "order_not_applied", "rate_mismatch"),
)
def register_mismatch(ctx: RuleContext, params: dict) -> pd.DataFrame:
    bills = ctx.bills
    start = bills["register_start"].to_numpy(dtype=float)
    end = bills["register_end"].to_numpy(dtype=float)
    multiplier = bills["multiplier_billed"].to_numpy(dtype=float)
    kwh = bills["kwh_billed"].to_numpy(dtype=float)
    excess, rolled = _register_energy(start, end, multiplier, kwh, params)
    joined_rows, joined_kwh = _joined_swap_energy(ctx)
    excess[joined_rows] = joined_kwh
    tolerance = _tolerance(excess, params)
    excess -= kwh  # in place (35M bills: 280 MB a column): the registers' kWh less those billed
    short = excess > tolerance  # NaN (a joined bill's old part not known): not judged
    del tolerance
    # Across a gap in the bills a replacement may have happened in a month with no bill.
    replaced = order_between_bills(ctx, ("meter_replacement",), params["replacement_window_months"])
    step = np.empty_like(start)  # from the previous bill's end register to this start
    step[:1] = start[:1] - end[-1:]
    np.subtract(start[1:], end[:-1], out=step[1:])
    jump = ctx.same_customer_as_previous & ~replaced & ((step > 0.005) | (step < -0.005))
    backwards = (end < start) & ~rolled & ~replaced
    rows = np.flatnonzero(short | backwards | jump)
    if len(rows) == 0:
        return empty_raw()
    short, backwards, jump = short[rows], backwards[rows], jump[rows]
    skipped_kwh = np.where(jump & (step[rows] > 0), step[rows] * multiplier[rows], 0.0)
    short_kwh = np.where(short, excess[rows], 0.0)
    # On a bill on the wrong tariff the kWh left out are due at the tariff due's rates; the
    # funds (政府性基金及附加) are due on every kWh sold, those a jump skipped included.
    due = tariff_due_surcharge(ctx, rows, params)
    no_basic = bills_without_basic_charge_due(ctx, params["tariff_mismatch"])[rows]
    short_money, surcharge, funds = _short_money(
        ctx, rows, short, short_kwh, due, no_basic, params["rate_mismatch"]
    )
    jump_fund_extra = round_half_up(skipped_kwh * due.fund, 2)
    surcharge += round_half_up(skipped_kwh * due.energy, 2) + jump_fund_extra
    jump_funds = round_half_up(skipped_kwh * ctx.fund_rate_due(rows), 2)
    funds += jump_funds + jump_fund_extra
    # The skipped kWh go on top of the tier year (`auditkit.rules.tier_energy`).
    revenue = back_billed_energy_money(ctx, rows, skipped_kwh) + short_money + surcharge
    revenue += jump_funds
    grouped = per_customer_at(
        ctx,
        rows,
        short=short,
        backwards=backwards,
        jump=jump,
        skipped_kwh=skipped_kwh,
        short_kwh=short_kwh,
        surcharge=surcharge,
        funds=funds,
        tariff_due_first=due.tariff,
        revenue=revenue,
    )
    first_jump = flagged_rows_at(ctx, rows[jump])["first"]
    first_backwards = flagged_rows_at(ctx, rows[backwards])["first"]
    month = ctx.bill_month
    evidence = []
    for found in grouped.itertuples():
        parts = []
        if found.short:
            parts.append(clause("register.short", bills=found.short, kwh=found.short_kwh))
        if found.jump:
            at = first_jump[found.cust]
            parts.append(
                clause(
                    "register.jump",
                    registers=found.jump,
                    first=found.jump > 1,
                    at=month[at],
                    start=start[at],
                    previous=month[at - 1],
                    end=end[at - 1],
                    kwh=found.skipped_kwh,
                )
            )
        if found.backwards:
            at = first_backwards[found.cust]
            parts.append(
                clause(
                    "register.backwards",
                    bills=found.backwards,
                    first=found.backwards > 1,
                    at=month[at],
                    start=start[at],
                    end=end[at],
                )
            )
        months = (found.month_from, found.month_to)
        evidence.append(
            [
                clause("register_mismatch", months=months, parts=parts),
                *at_tariff_due(found.tariff_due_first, found.surcharge),
                clause("revenue", amount=found.revenue),
                *funds_clause(found.funds),
            ]
        )
    score = np.minimum(1.0, 0.5 + grouped["bills"] / 6)
    return raw_per_customer(grouped, evidence, score)


def _joined_swap_energy(ctx: RuleContext) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the bills joining both sides of a meter replacement (`meter_swap_bills`: the
    swap inside the read period, the reads running on from the old meter's last billed read)
    and the energy their registers show: not (end − start) × the multiplier billed, two meters
    or one meter kept under two multipliers, but the old part × the multiplier before the
    swap + the new part × the multiplier due after it (the archive's with its orders, else the
    one billed), as the recomputation joins them (`joined_bill_kwh`; CT 40 → 60 on 3 July,
    meter kept, July 2,800 → 2,810 → 3,100: 10 × 40 + 290 × 60 = 17,800 kWh, though billed at
    40 all month). NaN where the old part is not known (no final read): not judged. A joined
    bill's whole shortfall is found here once, its multiplier's too: meter_change_energy_lost
    and multiplier_mismatch leave such bills alone."""
    orders = ctx.orders_of("meter_replacement")
    if not len(orders):
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    rows, replacements, reads, swaps = meter_swaps(ctx, orders)
    if not (swaps.joined | swaps.crowded).any():
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    before = multiplier_before_replacements(replacements, reads, swaps)
    new_multiplier = reads.multiplier
    if {"ct_ratio", "pt_ratio"} <= set(ctx.customers.columns):
        archive = _archive_multiplier(ctx)[ctx.bill_customer]
        due = ctx.in_force(archive, ("meter_replacement",), old_value=before)[0][rows]
        new_multiplier = np.where(np.isfinite(due), due, reads.multiplier)
    known = replacements._replace(old=before)
    kwh = joined_bill_kwh(known, reads, swaps, new_multiplier)
    # A bill holding two swaps (three meters) where the reads tell each meter's units.
    three = three_meter_kwh(
        SwapPricing(rows, reads, known, replacements.old, swaps), new_multiplier
    )
    kwh = np.where(np.isfinite(three), three, kwh)
    priced = np.flatnonzero(swaps.joined | np.isfinite(three))
    return rows[swaps.first_new[priced]], kwh[priced]


def _short_money(
    ctx: RuleContext,
    rows: np.ndarray,
    short: np.ndarray,
    short_kwh: np.ndarray,
    due: TariffDueSurcharge,
    no_basic: np.ndarray,
    rate_params: dict,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bill of `rows`, what charging fewer kWh than its registers show (`short`) left
    unbilled at the tariff in force: on itemized data the bill recomputed on its register energy
    less as billed, line by line (its tiers and periods, funds, losses, power-factor adjustment;
    `_recomputed_shortfall`, where the recomputed kWh difference is this shortfall alone), else
    `short_kwh` × the energy and fund rates due. What the tariff due adds on a bill on the wrong
    tariff (`due`): its energy and fund surcharge. And the funds of it all, for the evidence.
    `no_basic`: per bill, no basic charge is due on it; `rate_params`: rate_mismatch's
    thresholds (`_recomputed_shortfall`)."""
    money = short_kwh * ctx.energy_rate_due_or_billed(rows)
    funds = np.where(short, round_half_up(short_kwh * ctx.fund_rate_due(rows), 2), 0.0)
    fund_extra = round_half_up(short_kwh * due.fund, 2)
    surcharge = round_half_up(short_kwh * due.energy, 2) + fund_extra
    at = np.flatnonzero(short)
    if ctx.itemized and len(at):
        recomputed, _, lines = _recomputed_shortfall(
            ctx, rows[at], short_kwh[at], no_basic[at], rate_params
        )
        money[at] = np.where(recomputed, sum(lines.values()) - lines["fund"], money[at])
        funds[at] = np.where(recomputed, lines["fund"], funds[at])
    return money + funds, surcharge, funds + fund_extra


@rule(
    "meter_test_overdue",
    area="metering",
    needs=("customers.meter_test_date", "customers.meter_test_cycle_months"),
    params=("grace_days",),
    severity="low",
    revenue_kind="proved",
)
def meter_test_overdue(ctx: RuleContext, params: dict) -> pd.DataFrame:
    customers = ctx.customers
    cycle = pd.to_numeric(customers["meter_test_cycle_months"], errors="coerce").to_numpy(
        dtype=float
    )
    tested = pd.to_datetime(customers["meter_test_date"])
    has_cycle = ~np.isnan(cycle) & (cycle > 0) & (customers["status"] != "closed").to_numpy()
    due = add_months(tested, np.nan_to_num(cycle).astype(np.int64))
    limit = ctx.as_of_date - pd.Timedelta(days=params["grace_days"])
    never_tested = has_cycle & tested.isna().to_numpy()
    overdue = has_cycle & ((due < limit).to_numpy() | never_tested)
    idx = np.flatnonzero(overdue)
    if len(idx) == 0:
        return empty_raw()
    days_past_due = (ctx.as_of_date - due.iloc[idx]).dt.days.fillna(0).to_numpy()
    evidence = [
        [clause("meter_test.never", cycle=months)]
        if pd.isna(tested_on)
        else [
            clause(
                "meter_test.overdue",
                tested=tested_on,
                cycle=months,
                due=due_on,
                days=days,
                as_of=ctx.as_of,
            )
        ]
        for tested_on, months, due_on, days in zip(
            tested.iloc[idx], cycle[idx], due.iloc[idx], days_past_due, strict=True
        )
    ]
    due_month = date_month_number(due.iloc[idx])
    month_from = np.minimum(np.where(due_month >= 0, due_month, ctx.as_of), ctx.as_of)
    score = np.minimum(1.0, days_past_due / (cycle[idx] * 30.4375))
    as_of = np.full(len(idx), ctx.as_of)
    return raw(idx, month_from, as_of, evidence, np.zeros(len(idx)), score)

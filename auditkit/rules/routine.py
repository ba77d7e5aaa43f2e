"""Routine audits (常态稽查): tariff against usage, rates against the schedule, consumption, archive."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.rules.context import RuleContext
from auditkit.rules.findings import empty_raw, fmt_money, fmt_number, per_customer, raw, runs
from auditkit.rules.periods import date_month_number, period_text
from auditkit.rules.registry import rule


def _correct_tariff(
    ctx: RuleContext, usage: np.ndarray, capacity: np.ndarray, threshold: float
) -> np.ndarray:
    """The tariff the schedule offers for each usage type: two-part at or above the threshold."""
    schedule = ctx.tariffs.drop_duplicates("tariff_category")
    two_part = schedule["basic_rate_kva_month"].fillna(0).to_numpy() > 0
    result = np.full(len(usage), None, dtype=object)
    for wants_two_part in (False, True):
        choice = schedule[two_part == wants_two_part].drop_duplicates("usage_type")
        lookup = dict(zip(choice["usage_type"], choice["tariff_category"], strict=True))
        mask = (np.nan_to_num(capacity) >= threshold) == wants_two_part
        result[mask] = [lookup.get(u) for u in usage[mask]]
    fallback = dict(zip(schedule["usage_type"], schedule["tariff_category"], strict=False))
    missing = pd.isna(result)
    result[missing] = [fallback.get(u) for u in usage[missing]]
    return result


@rule(
    "tariff_mismatch",
    area="routine",
    title_en="Tariff category not for the customer's usage",
    title_zh="电价类别与用电性质不符（高价低接）",
    checks=(
        "the archive tariff's usage type ≠ the customer's usage_type, or a single-part tariff at or "
        "above the two-part threshold; impact over the last backbill_months (start unknown)"
    ),
    needs=("customers.usage_type", "customers.tariff_category", "tariffs.usage_type"),
    params=("two_part_threshold_kva", "backbill_months"),
    severity="high",
)
def tariff_mismatch(ctx: RuleContext, params: dict) -> pd.DataFrame:
    customers = ctx.customers
    schedule = ctx.tariffs.drop_duplicates("tariff_category").set_index("tariff_category")
    tariff_usage = customers["tariff_category"].map(schedule["usage_type"]).to_numpy()
    is_two_part = (
        customers["tariff_category"]
        .map(schedule["basic_rate_kva_month"].fillna(0) > 0)
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    usage = customers["usage_type"].to_numpy()
    capacity = customers["contract_capacity_kva"].to_numpy(dtype=float)
    wrong_usage = tariff_usage != usage
    should_be_two_part = ~is_two_part & (
        np.nan_to_num(capacity) >= params["two_part_threshold_kva"]
    )
    flagged = (wrong_usage | should_be_two_part) & (customers["status"] != "closed").to_numpy()
    idx = np.flatnonzero(flagged)
    if len(idx) == 0:
        return empty_raw()
    correct = _correct_tariff(ctx, usage[idx], capacity[idx], params["two_part_threshold_kva"])
    # Back-billing window: the last `backbill_months` bills, the misuse's start being unknown.
    window = ctx.bill_month > ctx.as_of - params["backbill_months"]
    in_idx = np.isin(ctx.bill_customer, idx) & window
    correct_per_bill = pd.Series(correct, index=idx).reindex(ctx.bill_customer[in_idx]).to_numpy()
    due = ctx.schedule_rate(correct_per_bill, ctx.bill_month[in_idx], "energy_rate")
    kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)[in_idx]
    paid = ctx.bills["energy_rate"].to_numpy(dtype=float)[in_idx]
    revenue = pd.Series(np.nan_to_num((due - paid) * kwh)).groupby(ctx.bill_customer[in_idx]).sum()
    revenue = revenue.reindex(idx).fillna(0.0).clip(lower=0).to_numpy()
    first_bill = (
        pd.Series(ctx.bill_month).groupby(ctx.bill_customer).min().reindex(idx).fillna(ctx.as_of)
    )
    evidence = [
        f"{u} customer archived on tariff {t} (for {tu})" + (f"; should be {c}" if c else "")
        + (f"; capacity {fmt_number(k)} kVA is at or above the two-part threshold" if two else "")
        + f" ({fmt_money(r)} over the last {params['backbill_months']} months)"
        for u, t, tu, c, k, two, r in zip(
            usage[idx], customers["tariff_category"].to_numpy()[idx], tariff_usage[idx], correct,
            capacity[idx], should_be_two_part[idx], revenue, strict=True,
        )
    ]  # fmt: skip
    return raw(idx, first_bill.to_numpy(), np.full(len(idx), ctx.as_of), evidence, revenue,
               np.full(len(idx), 0.9))  # fmt: skip


@rule(
    "rate_mismatch",
    area="routine",
    title_en="Energy rate differs from the schedule",
    title_zh="执行电价与电价表不符",
    checks="energy_rate billed ≠ the schedule's rate for the billed tariff and month",
    needs=("bills.energy_rate", "tariffs.energy_rate", "tariffs.valid_from"),
    params=("rate_tolerance",),
    severity="high",
)
def rate_mismatch(ctx: RuleContext, params: dict) -> pd.DataFrame:
    schedule = ctx.bill_schedule_energy_rate
    billed = ctx.bills["energy_rate"].to_numpy(dtype=float)
    flagged = ~np.isnan(schedule) & (np.abs(billed - schedule) > params["rate_tolerance"])
    if not flagged.any():
        return empty_raw()
    kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)
    revenue = (schedule - billed) * kwh
    grouped = per_customer(
        ctx, flagged, revenue=revenue, billed_last=billed, schedule_last=schedule
    )
    evidence = [
        f"{n} bills {period_text(a)}..{period_text(b)} charged {rb:.4f} yuan/kWh where the schedule "
        f"says {rs:.4f} ({fmt_money(max(rev, 0))})"
        for n, a, b, rb, rs, rev in zip(grouped["bills"], grouped["month_from"], grouped["month_to"],
                                        grouped["billed_last"], grouped["schedule_last"], grouped["revenue"], strict=True)
    ]  # fmt: skip
    score = np.minimum(1.0, 0.5 + np.abs(1 - grouped["billed_last"] / grouped["schedule_last"]) * 5)
    return raw(grouped["cust"], grouped["month_from"], grouped["month_to"], evidence,
               grouped["revenue"], score)  # fmt: skip


@rule(
    "zero_consumption",
    area="routine",
    title_en="Active account with zero consumption",
    title_zh="运行用户连续零电量",
    checks="an active account billed 0 kWh for at least min_months consecutive months within lookback_months",
    needs=("bills.kwh_billed", "customers.status"),
    params=("min_months", "lookback_months"),
    severity="medium",
)
def zero_consumption(ctx: RuleContext, params: dict) -> pd.DataFrame:
    kwh = ctx.bills["kwh_billed"].to_numpy(dtype=float)
    active = ctx.customer_column("status") == "active"
    recent = ctx.bill_month > ctx.as_of - params["lookback_months"]
    streaks = runs(ctx, (kwh == 0) & active & recent)
    streaks = streaks[streaks["length"] >= params["min_months"]]
    if streaks.empty:
        return empty_raw()
    streaks = streaks.sort_values("length", ascending=False).drop_duplicates("cust")
    # Estimate what the meter should have recorded: the customer's mean of the 12 months before.
    history = pd.DataFrame({"cust": ctx.bill_customer, "month": ctx.bill_month, "kwh": kwh,
                            "rate": ctx.bills["energy_rate"].to_numpy(dtype=float)})  # fmt: skip
    history = history[np.isin(history["cust"], streaks["cust"])].merge(
        streaks[["cust", "month_from", "length"]], on="cust"
    )
    before = (history["month"] < history["month_from"]) & (
        history["month"] >= history["month_from"] - 12
    )
    usual = history[before].groupby("cust").agg(kwh=("kwh", "mean"), rate=("rate", "last"))
    usual = usual.reindex(streaks["cust"]).fillna(0.0)
    revenue = usual["kwh"].to_numpy() * usual["rate"].to_numpy() * streaks["length"].to_numpy()
    evidence = [
        f"0 kWh in {n} consecutive months {period_text(a)}..{period_text(b)} on an active account; "
        f"it used {fmt_number(k)} kWh a month before ({fmt_money(r)} estimated)"
        for n, a, b, k, r in zip(streaks["length"], streaks["month_from"], streaks["month_to"],
                                 usual["kwh"], revenue, strict=True)
    ]  # fmt: skip
    score = np.minimum(1.0, streaks["length"].to_numpy() / 6)
    return raw(
        streaks["cust"], streaks["month_from"], streaks["month_to"], evidence, revenue, score
    )


@rule(
    "estimated_streak",
    area="routine",
    title_en="Long run of estimated reads",
    title_zh="连续估抄",
    checks="at least min_months consecutive estimated reads within lookback_months",
    needs=("bills.read_type",),
    params=("min_months", "lookback_months"),
    severity="low",
)
def estimated_streak(ctx: RuleContext, params: dict) -> pd.DataFrame:
    estimated = (ctx.bills["read_type"] == "estimated").to_numpy(dtype=bool)
    recent = ctx.bill_month > ctx.as_of - params["lookback_months"]
    streaks = runs(ctx, estimated & recent)
    streaks = streaks[streaks["length"] >= params["min_months"]]
    if streaks.empty:
        return empty_raw()
    streaks = streaks.sort_values("length", ascending=False).drop_duplicates("cust")
    evidence = [
        f"{n} estimated reads in a row {period_text(a)}..{period_text(b)}: the meter was not read"
        for n, a, b in zip(
            streaks["length"], streaks["month_from"], streaks["month_to"], strict=True
        )
    ]
    return raw(streaks["cust"], streaks["month_from"], streaks["month_to"], evidence,
               np.zeros(len(streaks)), np.minimum(1.0, streaks["length"].to_numpy() / 12))  # fmt: skip


@rule(
    "archive_defect",
    area="routine",
    title_en="Missing or impossible archive values",
    title_zh="档案信息缺失或错误",
    checks=(
        "non-standard CT ratio; PT ratio above 1 on low voltage; capacity missing for a "
        "capacity-basis customer; one meter on two accounts; a bill before the connection date"
    ),
    needs=("customers.ct_ratio", "customers.pt_ratio", "customers.meter_id"),
    params=("standard_ct_primaries", "ct_secondaries", "low_voltage_kv"),
    severity="low",
)
def archive_defect(ctx: RuleContext, params: dict) -> pd.DataFrame:
    customers = ctx.customers
    ct = customers["ct_ratio"].to_numpy(dtype=float)
    standard = {1.0} | {
        p / s for p in params["standard_ct_primaries"] for s in params["ct_secondaries"]
    }
    odd_ct = ~np.isin(np.round(ct, 6), np.round(np.array(sorted(standard)), 6))
    low_voltage = customers["voltage_kv"].to_numpy(dtype=float) < params["low_voltage_kv"]
    pt_on_lv = low_voltage & (customers["pt_ratio"].to_numpy(dtype=float) > 1)
    capacity = customers["contract_capacity_kva"].to_numpy(dtype=float)
    no_capacity = (customers["basic_charge_basis"].to_numpy() == "capacity") & ~(
        np.nan_to_num(capacity) > 0
    )
    open_account = (customers["status"] != "closed").to_numpy()
    meter = customers["meter_id"].where(open_account)
    shared_meter = meter.duplicated(keep=False).to_numpy() & open_account
    connection_month = date_month_number(customers["connection_date"])
    first_bill = pd.Series(ctx.bill_month).groupby(ctx.bill_customer).min()
    first = np.full(len(customers), np.iinfo(np.int64).max)
    first[first_bill.index.to_numpy()] = first_bill.to_numpy()
    early_bill = (connection_month >= 0) & (first < connection_month)
    checks = {
        "non-standard CT ratio": odd_ct,
        "PT ratio above 1 on low voltage": pt_on_lv,
        "contract capacity missing for a capacity-basis customer": no_capacity,
        "meter shared with another open account": shared_meter,
        "bill before the connection date": early_bill,
    }
    flagged = np.logical_or.reduce(list(checks.values()))
    idx = np.flatnonzero(flagged)
    if len(idx) == 0:
        return empty_raw()
    evidence = []
    for i in idx:
        parts = []
        if odd_ct[i]:
            parts.append(f"non-standard CT ratio {fmt_number(ct[i], 2)}")
        if pt_on_lv[i]:
            parts.append(
                f"PT ratio {fmt_number(customers['pt_ratio'].iat[i])} on {customers['voltage_kv'].iat[i]} kV"
            )
        if no_capacity[i]:
            parts.append("contract capacity missing for a capacity-basis customer")
        if shared_meter[i]:
            parts.append(f"meter {customers['meter_id'].iat[i]} also on another open account")
        if early_bill[i]:
            parts.append(
                f"first bill {period_text(first[i])} before connection {customers['connection_date'].iat[i]:%Y-%m-%d}"
            )
        evidence.append("; ".join(parts))
    count = np.sum([check[idx] for check in checks.values()], axis=0)
    month_from = np.minimum(np.where(first[idx] > ctx.as_of, ctx.as_of, first[idx]), ctx.as_of)
    return raw(idx, month_from, np.full(len(idx), ctx.as_of), evidence, np.zeros(len(idx)),
               np.minimum(1.0, 0.4 + 0.2 * count))  # fmt: skip

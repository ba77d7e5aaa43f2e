"""Each bill recomputed line by line and set beside what was billed.

`recompute(dataset)` returns one row per bill and line kind (line_type, tou_period, tier): the
billed side from `bill_lines` (summed per kind) or, for a bill without lines, from its own columns;
the due side from the archive, the readings and the tariff in force (energy lines here, the basic
charge, losses, power-factor adjustment and funds from their modules). The two are outer-joined, so
a line billed and not due shows due 0 and the reverse; difference = amount due − amount billed
(positive: under-billed). A line kind whose data is missing is not recomputed: its billed lines
keep an empty due side and the frame's `attrs["notes"]` says why. A bill without lines does not
say how its energy was split, so its energy due is one row too (periods and tiers summed).

Array work throughout: lines are keyed by one integer (bill, line type, period, tier), aggregated
with bincount and joined with searchsorted, so no step runs per bill.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from auditkit.billing import basic, funds, losses, power_factor
from auditkit.billing.bill_frame import bill_of, prepare_bills, rates_frame
from auditkit.billing.energy import energy_lines
from auditkit.billing.money import round_half_up
from auditkit.billing.notes import Note
from auditkit.billing.params import TOU_PERIODS, BillingParams, load_billing_params
from auditkit.billing.tariff_lookup import TariffLookup
from auditkit.data import Dataset
from auditkit.errors import ParameterError
from auditkit.periods import is_period, month_number

RECOMPUTE_COLUMNS = (
    "customer_id",
    "period",
    "line_type",
    "tou_period",
    "tier",
    "quantity_billed",
    "quantity_due",
    "rate_billed",
    "rate_due",
    "amount_billed",
    "amount_due",
    "difference",
)
#: Extras after RECOMPUTE_COLUMNS: a due side resting on an estimate, the tariff due.
EXTRA_COLUMNS = ("estimated", "tariff_due")
#: Line types and periods in the order rows are listed (no period last).
LINE_TYPES = ("energy", "loss", "basic", "pf_adjustment", "fund")
PERIOD_ORDER = (*TOU_PERIODS, None)
_TIERS = 64  # tier numbers below this fit the line key


def recompute(
    dataset: Dataset,
    as_of: str | None = None,
    params: BillingParams | Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """The bills of `dataset` (up to month `as_of`, 'YYYY-MM', when given) recomputed per line
    kind, RECOMPUTE_COLUMNS then EXTRA_COLUMNS, sorted by customer, period, line type, period and
    tier. `params` is a BillingParams or a mapping of overrides of params/billing.yaml.
    `.attrs["notes"]` lists the billing Notes (line kinds not recomputed, estimates made)."""
    last_month = _as_of_month(as_of)
    params = _params(params)
    bills = prepare_bills(dataset, last_month)
    lookup = TariffLookup(dataset.tariffs)
    rates = rates_frame(bills, lookup)
    notes = _data_notes(dataset, lookup)
    skipped = {note.values["line_type"] for note in notes if note.code == "not_recomputed"}

    lines = dataset.bill_lines
    line_bills = bill_of(bills, lines) if lines is not None else None
    energy = energy_lines(bills, dataset, lookup, params, line_bills)
    parts = [energy]
    loss = losses.loss_lines(bills, rates, dataset, params) if "loss" not in skipped else None
    basic_due = basic.basic_lines(bills, rates, dataset, params) if "basic" not in skipped else None
    n = len(bills)
    loss_kwh = _per_bill(loss, "quantity", n)
    charged = pd.DataFrame(
        {
            "energy_amount": _per_bill(energy, "amount", n),
            "loss_amount": _per_bill(loss, "amount", n),
            "basic_amount": _per_bill(basic_due, "amount", n),
            "loss_kwh": loss_kwh,
        }
    )
    parts += [loss, basic_due]
    if "pf_adjustment" not in skipped:
        parts.append(power_factor.pf_lines(bills, charged, params))
    if "fund" not in skipped:
        parts.append(funds.fund_lines(bills, loss_kwh, rates, params))
    due = pd.concat([p for p in parts if p is not None], ignore_index=True)
    notes += _estimate_notes(bills, energy, dataset, params, skipped)

    billed, itemized = _billed_lines(bills, lines, line_bills)
    bill = due["bill"].to_numpy(dtype=np.int64)
    line_type = _codes(due["line_type"], LINE_TYPES, -1)
    period = _codes(due["tou_period"], TOU_PERIODS, len(TOU_PERIODS))
    tier = _tier_numbers(due["tier"])
    # A bill without lines says nothing of its periods or tiers: its energy due is one line too.
    summed = (line_type == LINE_TYPES.index("energy")) & ~itemized[bill]
    period[summed], tier[summed] = len(TOU_PERIODS), 0
    due_key = _key_of(bill, line_type, period, tier)
    result = _joined(
        bills,
        _aggregate(billed["key"], billed["quantity"], billed["rate"], billed["amount"]),
        _aggregate(
            due_key,
            due["quantity"].to_numpy(dtype=float),
            due["rate"].to_numpy(dtype=float),
            due["amount"].to_numpy(dtype=float),
            due["estimated"].to_numpy(dtype=float),
        ),
        skipped,
    )
    result.attrs["notes"] = notes
    return result


def _as_of_month(as_of: object) -> int | None:
    if as_of is None:
        return None
    if not is_period(as_of):
        raise ParameterError("as_of", "a month YYYY-MM (01-12)", as_of)
    return int(month_number([as_of], name="as_of")[0])


def _params(params: object) -> BillingParams:
    if params is None:
        return load_billing_params()
    if isinstance(params, BillingParams):
        return params
    if isinstance(params, Mapping):
        return load_billing_params(overrides=params)
    raise ParameterError("params", "BillingParams or a mapping of parameter → value", params)


def _data_notes(dataset: Dataset, lookup: TariffLookup) -> list[Note]:
    """Line kinds that cannot be recomputed for want of a table or column, and conventions the
    data cannot carry out."""
    customers, bills, tariffs = dataset.customers, dataset.bills, dataset.tariffs
    missing = {
        "loss": [] if "metering_mode" in customers else ["customers.metering_mode"],
        "basic": []
        if {"basic_rate_kva_month", "basic_rate_kw_month"} & set(tariffs)
        else ["tariffs.basic_rate_kva_month"],
        "pf_adjustment": ([] if "pf_standard" in customers else ["customers.pf_standard"])
        + ([] if {"kvarh_import", "kvarh_export"} & set(bills) else ["bills.kvarh_import"]),
        "fund": [] if "fund_rate" in tariffs else ["tariffs.fund_rate"],
    }
    notes = [
        Note("not_recomputed", {"line_type": kind, "missing": names})
        for kind, names in missing.items()
        if names
    ]
    periods = tariffs["tou_period"].notna().any() if "tou_period" in tariffs else False
    if periods and "tou" not in customers:
        notes.append(Note("no_tou_column"))
    if lookup.tiers and "tier_scheme" not in customers:
        notes.append(Note("no_tier_scheme"))
    return notes


def _estimate_notes(
    bills: pd.DataFrame,
    energy: pd.DataFrame,
    dataset: Dataset,
    params: BillingParams,
    skipped: set[str],
) -> list[Note]:
    """Bills priced by an estimate, lines without a rate, losses that could not be computed."""
    notes = []
    profiled = np.unique(energy["bill"].to_numpy()[energy["estimated"].to_numpy(dtype=bool)])
    if len(profiled):
        notes.append(Note("tou_profile", {"count": len(profiled)}))
    no_rate = np.isnan(energy["rate"].to_numpy(dtype=float))
    if no_rate.any():
        categories = bills["tariff_due"].to_numpy(dtype=object)[energy["bill"].to_numpy()[no_rate]]
        names = sorted({str(c) for c in categories})
        notes.append(Note("no_rate", {"count": int(no_rate.sum()), "categories": names}))
    if "loss" not in skipped:
        unknown = int(np.count_nonzero(losses.losses_unknown(bills, dataset, params)))
        if unknown:
            notes.append(Note("losses_unknown", {"count": unknown}))
    return notes


def _per_bill(lines: pd.DataFrame | None, column: str, n: int) -> np.ndarray:
    """`column` of `lines` summed per bill (0 where a bill has none)."""
    if lines is None or not len(lines):
        return np.zeros(n)
    values = np.nan_to_num(lines[column].to_numpy(dtype=float))
    return np.bincount(lines["bill"].to_numpy(dtype=np.int64), weights=values, minlength=n)


def _billed_lines(
    bills: pd.DataFrame, lines: pd.DataFrame | None, line_bills: np.ndarray | None
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The billed lines as arrays (key, quantity, rate, amount), and per bill whether it has lines
    of its own: `bill_lines` of the frame's bills, and for each bill without lines the lines its
    own columns imply (DATA.md: amount = energy + basic + pf adjustment + funds, so the energy
    charge holds the loss energy, priced at the bill's energy rate)."""
    parts = []
    has_lines = np.zeros(len(bills), dtype=bool)
    if lines is not None and len(lines):
        mine = line_bills >= 0
        has_lines[line_bills[mine]] = True
        periods = lines["tou_period"] if "tou_period" in lines else np.full(len(lines), None)
        tiers = lines["tier"] if "tier" in lines else np.full(len(lines), np.nan)
        key = _line_key(line_bills, lines["line_type"], periods, tiers)
        parts.append(
            {
                "key": key[mine],
                "quantity": _column(lines, "quantity")[mine],
                "rate": _column(lines, "rate")[mine],
                "amount": _column(lines, "amount")[mine],
            }
        )
    parts.append(_lines_of_bill_rows(bills, np.flatnonzero(~has_lines)))
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}, has_lines


def _lines_of_bill_rows(bills: pd.DataFrame, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Billed lines implied by the bill columns of `rows`: energy always; loss, basic, power-factor
    adjustment and funds where the bill records a nonzero figure."""

    def col(name: str) -> np.ndarray:
        return bills[name].to_numpy(dtype=float)[rows]

    kwh, rate, charge = col("kwh_billed"), col("energy_rate"), col("energy_charge")
    loss_kwh = np.nan_to_num(col("loss_kwh"))
    loss_amount = round_half_up(loss_kwh * np.nan_to_num(rate), 2)
    energy_amount = charge - loss_amount
    energy_rate = np.where(loss_amount != 0, _ratio(energy_amount, kwh), rate)
    basic_amount = col("basic_charge")
    capacity = col("capacity_billed_kva")
    basic_quantity = np.where(np.isnan(capacity), col("max_demand_kw"), capacity)
    pf = col("pf_adjustment")
    pf_base = np.nan_to_num(charge) + np.nan_to_num(basic_amount)
    fund = col("fund_charge")
    fund_kwh = kwh + loss_kwh
    kinds = {
        "energy": (np.ones(len(rows), dtype=bool), kwh, energy_rate, energy_amount),
        "loss": (loss_kwh > 0, loss_kwh, rate, loss_amount),
        "basic": (
            _nonzero(basic_amount),
            basic_quantity,
            _ratio(basic_amount, basic_quantity),
            basic_amount,
        ),
        "pf_adjustment": (_nonzero(pf), pf_base, _ratio(pf, pf_base), pf),
        "fund": (_nonzero(fund), fund_kwh, _ratio(fund, fund_kwh), fund),
    }
    bill = bills["bill"].to_numpy(dtype=np.int64)[rows]
    parts = [
        {
            "key": _key_of(bill[keep], LINE_TYPES.index(kind), len(TOU_PERIODS), 0),
            "quantity": quantity[keep],
            "rate": line_rate[keep],
            "amount": amount[keep],
        }
        for kind, (keep, quantity, line_rate, amount) in kinds.items()
    ]
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def _aggregate(
    key: np.ndarray,
    quantity: np.ndarray,
    rate: np.ndarray,
    amount: np.ndarray,
    estimated: np.ndarray | None = None,
) -> pd.DataFrame:
    """Lines summed per key (bill, line kind): quantity and amount summed, the rate of a single
    line kept, else amount / quantity; estimated if any line is."""
    keys, inverse = _distinct(key)
    count = np.bincount(inverse, minlength=len(keys))
    quantity = np.bincount(inverse, weights=quantity, minlength=len(keys))
    amount = np.bincount(inverse, weights=amount, minlength=len(keys))
    single_rate = np.bincount(inverse, weights=rate, minlength=len(keys))
    return pd.DataFrame(
        {
            "key": keys,
            "quantity": quantity,
            "rate": np.where(count == 1, single_rate, _ratio(amount, quantity)),
            "amount": round_half_up(amount, 2),
            "estimated": np.zeros(len(keys), dtype=bool)
            if estimated is None
            else np.bincount(inverse, weights=estimated, minlength=len(keys)) > 0,
        }
    )


def _distinct(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct keys and each key's position among them (by one sort, where
    np.unique's hashing is slower on millions of keys)."""
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]] if len(key) else np.zeros(0, dtype=bool)
    inverse = np.empty(len(key), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def _codes(values: pd.Series | np.ndarray, names: tuple[str, ...], missing: int) -> np.ndarray:
    """Position of each value among `names` (`missing` for an empty value), one lookup per
    distinct value."""
    codes, distinct = pd.factorize(values)
    positions = pd.Index(names).get_indexer(pd.Index(distinct, dtype=object))
    return np.where(codes >= 0, positions[np.maximum(codes, 0)] if len(positions) else -1, missing)


def _line_key(bill: np.ndarray, line_type: object, tou_period: object, tier: object) -> np.ndarray:
    """One integer per line: bill, then line type, period and tier in the listing order."""
    return _key_of(
        np.asarray(bill, dtype=np.int64),
        _codes(line_type, LINE_TYPES, -1),
        _codes(tou_period, TOU_PERIODS, len(TOU_PERIODS)),
        _tier_numbers(tier),
    )


def _key_of(bill: np.ndarray, line_type: object, period: object, tier: object) -> np.ndarray:
    tier = np.clip(np.asarray(tier, dtype=np.int64), 0, _TIERS - 1)
    return ((bill * len(LINE_TYPES) + line_type) * len(PERIOD_ORDER) + period) * _TIERS + tier


def _tier_numbers(tier: object) -> np.ndarray:
    """Tiers as whole numbers, 0 for none."""
    if isinstance(tier, pd.Series) and tier.dtype != object:
        values = tier.to_numpy(dtype=float, na_value=np.nan)
    else:
        values = pd.to_numeric(pd.Series(np.asarray(tier, dtype=object)), errors="coerce")
        values = values.to_numpy(dtype=float, na_value=np.nan)
    return np.nan_to_num(values).astype(np.int64)


def _joined(
    bills: pd.DataFrame, billed: pd.DataFrame, due: pd.DataFrame, skipped: set[str]
) -> pd.DataFrame:
    """Billed and due sides outer-joined on the line key, with the bill's columns."""
    keys = np.concatenate([billed["key"].to_numpy(), due["key"].to_numpy()])
    keys = np.sort(keys, kind="stable")
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys

    def side(frame: pd.DataFrame) -> dict[str, np.ndarray]:
        at = np.searchsorted(frame["key"].to_numpy(), keys)
        at = np.minimum(at, max(len(frame) - 1, 0))
        found = (frame["key"].to_numpy()[at] == keys) if len(frame) else np.zeros(len(keys), bool)
        return {
            name: np.where(found, frame[name].to_numpy()[at] if len(frame) else 0, empty)
            for name, empty in (
                ("quantity", 0.0),
                ("rate", np.nan),
                ("amount", 0.0),
                ("estimated", False),
            )
        }

    b, d = side(billed), side(due)
    tier = keys % _TIERS
    rest = keys // _TIERS
    period = rest % len(PERIOD_ORDER)
    rest //= len(PERIOD_ORDER)
    line_type = np.asarray(LINE_TYPES, dtype=object)[rest % len(LINE_TYPES)]
    bill = rest // len(LINE_TYPES)
    not_due = np.isin(line_type, list(skipped))
    for name in ("quantity", "rate", "amount"):
        d[name] = np.where(not_due, np.nan, d[name])

    def text(values: np.ndarray) -> pd.Series:
        # object, so that millions of texts are not converted to Arrow, and None stays None
        return pd.Series(values, dtype=object)

    return pd.DataFrame(
        {
            "customer_id": text(bills["customer_id"].to_numpy(dtype=object)[bill]),
            "period": text(bills["period"].to_numpy(dtype=object)[bill]),
            "line_type": text(line_type),
            "tou_period": text(np.asarray(PERIOD_ORDER, dtype=object)[period]),
            "tier": pd.arrays.IntegerArray(tier, tier == 0),
            "quantity_billed": b["quantity"].astype(float),
            "quantity_due": d["quantity"].astype(float),
            "rate_billed": b["rate"].astype(float),
            "rate_due": d["rate"].astype(float),
            "amount_billed": b["amount"].astype(float),
            "amount_due": d["amount"].astype(float),
            "difference": round_half_up(d["amount"].astype(float) - b["amount"].astype(float), 2),
            "estimated": d["estimated"].astype(bool),
            "tariff_due": text(bills["tariff_due"].to_numpy(dtype=object)[bill]),
        }
    )


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """An optional number column as floats (NaN throughout where absent)."""
    if name not in frame:
        return np.full(len(frame), np.nan)
    return frame[name].to_numpy(dtype=float, na_value=np.nan)


def _nonzero(values: np.ndarray) -> np.ndarray:
    return ~np.isnan(values) & (values != 0)


def _ratio(amount: np.ndarray, quantity: np.ndarray) -> np.ndarray:
    """amount / quantity, NaN where the quantity is 0 or missing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.nan_to_num(quantity) != 0, amount / quantity, np.nan)

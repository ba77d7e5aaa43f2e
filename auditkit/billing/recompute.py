"""Each bill recomputed line by line and set beside what was billed.

`recompute(dataset)` returns one row per bill and line kind (line_type, tou_period, tier): the
billed side from `bill_lines` (summed per kind) or, for a line type the bill has no line of, from
its own columns (unknown where neither says, see `_billed_lines`); the due side from the archive,
the readings and the tariff in force (energy lines here, the basic charge, losses, power-factor
adjustment and funds from their modules). The two are outer-joined, so
a line billed and not due shows due 0 and the reverse; difference = amount due − amount billed
(positive: under-billed). A line kind whose data is missing is not recomputed: its billed lines
keep an empty due side and the frame's `attrs["notes"]` says why. A bill without energy lines
does not say how its energy was split, so its energy due is one row too (periods and tiers summed).

Array work throughout: lines are keyed by one integer (bill, line type, period, tier), aggregated
with bincount and joined with searchsorted, so no step runs per bill.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditkit.billing import basic, funds, losses, power_factor
from auditkit.billing.bill_frame import (
    LINE_TYPES,
    NO_PERIOD,
    SWAP_MULTIPLIER_UNKNOWN,
    SWAP_READS_IMPOSSIBLE,
    SWAP_REGISTERS_FALL,
    SWAP_THREE_METERS,
    coded_lines,
    prepare_bills,
    rates_frame,
    tariff_changed_inside,
    texts_at,
)
from auditkit.billing.energy import (
    TIER_YEAR_BEFORE,
    kwh_before_change,
    priced_energy,
    registers_exceeding,
    tier_year_before,
)
from auditkit.billing.money import round_half_up
from auditkit.billing.notes import Note
from auditkit.billing.params import TOU_PERIODS, BillingParams, resolve_params
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
#: Periods in the order rows are listed (no period last); LINE_TYPES are listed in their order.
PERIOD_ORDER = (*TOU_PERIODS, None)
_TIER_BITS = 6  # tier numbers below 2**6 fit the line key
_TIERS = 1 << _TIER_BITS


def recompute(
    dataset: Dataset,
    as_of: str | None = None,
    params: BillingParams | Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """The bills of `dataset` (up to month `as_of`, 'YYYY-MM', when given) recomputed per line
    kind, RECOMPUTE_COLUMNS then EXTRA_COLUMNS, sorted by customer, period, line type, period and
    tier. `params` is a BillingParams or a mapping of overrides of params/billing.yaml.
    `.attrs["notes"]` lists the billing Notes (line kinds not recomputed, estimates made)."""
    return recompute_coded(dataset, as_of, params).frame()


@dataclass(frozen=True)
class CodedLines:
    """The recomputation as arrays, before any text is made: one entry per bill and line kind,
    in the order of `recompute`'s rows.

    `bill` is the line's bill among `bills` (one row per prepared bill: customer_id, period and
    tariff_due as categoricals, `customer_row` the customer's row in the dataset's customers,
    `month`); `line_type` a position in LINE_TYPES, `period` in PERIOD_ORDER, `tier` 0 for none;
    the figures are `recompute`'s columns of the same names. Readers that tie lines to bills by
    number (the rules) read these, and no text is made for millions of lines."""

    bills: pd.DataFrame
    bill: np.ndarray
    line_type: np.ndarray
    period: np.ndarray
    tier: np.ndarray
    figures: dict[str, np.ndarray]
    notes: list[Note]

    def frame(self) -> pd.DataFrame:
        """The lines as `recompute` returns them (texts as object, tier as nullable Int64)."""

        def text(values: np.ndarray) -> pd.Series:
            # object, so that millions of texts are not converted to Arrow, and None stays None
            return pd.Series(values, dtype=object, copy=False)

        def of_bill(column: str) -> pd.Series:
            return text(texts_at(self.bills[column], self.bill))

        frame = pd.DataFrame(
            {
                "customer_id": of_bill("customer_id"),
                "period": of_bill("period"),
                "line_type": text(np.asarray(LINE_TYPES, dtype=object)[self.line_type]),
                "tou_period": text(np.asarray(PERIOD_ORDER, dtype=object)[self.period]),
                "tier": pd.arrays.IntegerArray(self.tier, self.tier == 0),
                **self.figures,
                "tariff_due": of_bill("tariff_due"),
            },
            copy=False,
        )
        frame.attrs["notes"] = list(self.notes)
        return frame


def recompute_coded(
    dataset: Dataset,
    as_of: str | None = None,
    params: BillingParams | Mapping[str, object] | None = None,
    bill_keys: tuple[np.ndarray, np.ndarray] | None = None,
    lookup: TariffLookup | None = None,
) -> CodedLines:
    """`recompute` as arrays (CodedLines): the same lines, bills and notes, no text made.
    `bill_keys` are the bills' customer rows and months where the caller has them
    (`prepare_bills`); `lookup` the schedule's lookup where the caller keeps one built on
    `dataset.tariffs`, or on those rows with the contract's absent columns added empty (a rule
    context's, which recomputes a few customers many times)."""
    last_month = _as_of_month(as_of)
    params = resolve_params(params)
    bills = prepare_bills(dataset, last_month, bill_keys)
    lookup = TariffLookup(dataset.tariffs) if lookup is None else lookup
    notes = _data_notes(dataset, lookup)
    skipped = {note.values["line_type"] for note in notes if note.code == "not_recomputed"}
    lines = dataset.bill_lines
    billed_lines = coded_lines(bills, lines) if lines is not None else None
    rates = rates_frame(bills, lookup)
    billed, itemized, unknown = _billed_lines(
        bills, billed_lines, set(dataset.bills.columns), lookup
    )
    due, notes_due = _due_lines(
        bills, dataset, rates, lookup, params, skipped, billed_lines, itemized
    )
    notes += notes_due
    due += _split_at_tariff_change(bills, dataset, lookup, params, skipped, itemized, billed, due)
    del billed_lines
    for part in due:
        part["key"] = _key_of(
            part.pop("bill"), part.pop("line_type"), part.pop("period"), part.pop("tier")
        )
    # Only what names a line's bill is kept of the prepared frame (gigabytes on millions of bills).
    kept = bills[["customer_id", "period", "tariff_due", "customer_row", "month"]]
    del bills
    coded, not_known = _joined(kept, billed, due, skipped, unknown)
    notes += [
        Note(
            "billed_unknown",
            {"line_type": kind, "count": int(count), "column": f"bills.{BILL_FIGURES[kind]}"},
        )
        for kind, count in zip(LINE_TYPES, not_known, strict=True)
        if count
    ]
    return CodedLines(notes=notes, **coded)


def _due_lines(
    bills: pd.DataFrame,
    dataset: Dataset,
    rates: pd.DataFrame,
    lookup: TariffLookup,
    params: BillingParams,
    skipped: set[str],
    billed_lines: dict[str, np.ndarray] | None,
    itemized: np.ndarray,
) -> tuple[list[dict[str, np.ndarray]], list[Note]]:
    """Every line due as arrays (bill, line_type and period codes, tier, quantity, rate, amount,
    estimated; the codes one number for a part of one kind), one part per line type, the energy
    first in two (`priced_energy`; parts: millions of lines are not copied into one array
    before they are joined); and the notes on estimates made. A bill whose energy is not
    `itemized` says nothing of its periods or tiers: its energy due is one line too."""
    energy = priced_energy(bills, dataset, lookup, params, billed_lines)
    loss = basic_due = None
    figures = None
    if "loss" not in skipped:
        figures = losses.loss_figures(bills, dataset, params)
        loss = losses.loss_lines(bills, rates, dataset, params, figures)
    if "basic" not in skipped:
        basic_due = basic.basic_lines(bills, rates, dataset, params)
    n = len(bills)
    loss_kwh = _per_bill(loss, "quantity", n)
    parts = {"energy": energy, "loss": loss, "basic": basic_due}
    pf_notes = []
    if "pf_adjustment" not in skipped:
        charged = pd.DataFrame(
            {
                "energy_amount": _per_bill(energy, "amount", n),
                "loss_amount": _per_bill(loss, "amount", n),
                "basic_amount": _per_bill(basic_due, "amount", n),
                "loss_kwh": loss_kwh,
            },
            copy=False,
        )
        parts["pf_adjustment"] = power_factor.pf_lines(bills, charged, params)
        # A standard without reactive registers gives no line: said, as no line is a finding.
        unassessed = int(np.count_nonzero(power_factor.without_registers(bills)))
        if unassessed:
            pf_notes.append(Note("no_reactive_registers", {"count": unassessed}))
    if "fund" not in skipped:
        parts["fund"] = funds.fund_lines(bills, loss_kwh, rates, params)
    notes = _estimate_notes(bills, energy, figures) + pf_notes + _swap_notes(bills)
    due = []
    for kind, part in parts.items():
        if part is None:
            continue
        if kind == "energy":
            for lines in part:  # the lines at the rate on read_to, then the old-rate parts
                summed = np.flatnonzero(~itemized[lines["bill"]])
                lines["period"][summed], lines["tier"][summed] = NO_PERIOD, 0
                due.append({"line_type": 0, **lines})  # energy is line type 0
            continue
        # One line type without period or tier: its codes are one number each.
        due.append(
            {
                "line_type": LINE_TYPES.index(kind),
                "period": NO_PERIOD,
                "tier": 0,
                **{
                    name: part[name].to_numpy(dtype=dtype)
                    for name, dtype in (
                        ("bill", np.int64),
                        ("quantity", float),
                        ("rate", float),
                        ("amount", float),
                        ("estimated", bool),
                    )
                },
            }
        )
    return due, notes


def _split_at_tariff_change(
    bills: pd.DataFrame,
    dataset: Dataset,
    lookup: TariffLookup,
    params: BillingParams,
    skipped: set[str],
    itemized: np.ndarray,
    billed: list[dict[str, np.ndarray]],
    due: list[dict[str, np.ndarray]],
) -> list[dict[str, np.ndarray]]:
    """A bill whose read period holds a tariff change (`tariff_changed_inside`) is due on the
    old tariff for the read days before the order's effective day and on the new one from it
    (DOMAIN's split: each line's q_old = round(q × d_old / rd, 2) on the old tariff, q − q_old on
    the new), where its billed total is nearer that than the whole month on the new tariff: a
    shop turned workshop on 16 June, billed 1,500 kWh on COM and 1,500 on IND with funds on the
    IND part, was found over-billed ¥375.00 on the rate and ¥45.00 short of funds. A bill billed
    the whole month on the new tariff keeps it due. The `due` lines of such bills are scaled in
    place; returned: their lines on the old tariff."""
    rows, on_old, days_before = tariff_changed_inside(bills, dataset)
    read_days = on_old["read_days"].to_numpy(dtype=float)
    if not len(rows):
        return []
    # The old tariff's tier bands fill from the year's earlier bills, which on_old lacks.
    on_old[TIER_YEAR_BEFORE] = tier_year_before(bills, params)[rows]
    lines = dataset.bill_lines
    old_due, _ = _due_lines(
        on_old,
        dataset,
        rates_frame(on_old, lookup),
        lookup,
        params,
        skipped,
        coded_lines(on_old, lines) if lines is not None else None,
        itemized[rows],
    )
    position = np.full(len(bills), -1)
    position[rows] = np.arange(len(rows))
    count = len(rows)

    def of_split(part: dict[str, np.ndarray], at: np.ndarray) -> dict[str, np.ndarray]:
        """The lines of `part` on split bills (their positions `at` among them, −1: of another
        bill): `line`, their positions in `part`; `at`; `amount`; and their quantities on the
        read days before the change (`before`) and from it (`after`) with their amounts
        (`amount_before`, `amount_after`), to the fen."""
        line = np.flatnonzero(at >= 0)
        quantity, rate = part["quantity"][line], part["rate"][line]
        before = kwh_before_change(quantity, days_before[at[line]], read_days[at[line]])
        after = quantity - before
        return {
            "line": line,
            "at": at[line],
            "amount": np.nan_to_num(part["amount"][line]),
            "before": before,
            "after": after,
            "amount_before": round_half_up(before * rate, 2),
            "amount_after": round_half_up(after * rate, 2),
        }

    def total(lines: list[dict[str, np.ndarray]], amount: str) -> np.ndarray:
        """Per split bill, the sum of `amount` of `lines`."""
        summed = np.zeros(count)
        for found in lines:
            summed += np.bincount(found["at"], np.nan_to_num(found[amount]), minlength=count)
        return summed

    billed_lines = [
        of_split(part, position[_key_parts(part["key"])[0]]) for part in billed if len(part["key"])
    ]
    new_lines = [of_split(part, position[part["bill"]]) for part in due]
    old_lines = [of_split(part, part["bill"]) for part in old_due]
    billed_total = total(billed_lines, "amount")
    split_total = total(new_lines, "amount_after") + total(old_lines, "amount_before")
    chosen = np.abs(billed_total - split_total) < np.abs(billed_total - total(new_lines, "amount"))
    # The days on an old tariff without funds are due none: a fund line at rate 0 says so, so
    # that the fund rate due over the bill's kWh is the days' (1,500 of 3,000 kWh at 0.03: 0.015).
    fund = LINE_TYPES.index("fund")
    funded = np.zeros(count, dtype=bool)
    kept = []
    for part, found in zip(old_due, old_lines, strict=True):
        taken = chosen[found["at"]]
        if not np.ndim(part["line_type"]) and part["line_type"] == fund:
            funded[found["at"]] = True
        kept.append(
            {
                **{
                    name: values[taken] if np.ndim(values) else values
                    for name, values in part.items()
                },
                "quantity": found["before"][taken],
                "amount": found["amount_before"][taken],
                "bill": rows[found["at"][taken]],
            }
        )
    for part, found in zip(due, new_lines, strict=True):
        taken = chosen[found["at"]]
        line = found["line"][taken]
        if not np.ndim(part["line_type"]) and part["line_type"] == fund:
            unfunded = taken & ~funded[found["at"]]
            kept.append(
                {
                    **{name: part[name] for name in ("line_type", "period", "tier")},
                    "bill": part["bill"][found["line"][unfunded]],
                    "quantity": found["before"][unfunded],
                    "rate": np.zeros(np.count_nonzero(unfunded)),
                    "amount": np.zeros(np.count_nonzero(unfunded)),
                    "estimated": np.zeros(np.count_nonzero(unfunded), dtype=bool),
                }
            )
        if not len(line):
            continue
        for name, value in (("quantity", "after"), ("amount", "amount_after")):
            part[name] = part[name].copy()  # the due arrays may be read-only views
            part[name][line] = found[value][taken]
    return kept


def _as_of_month(as_of: object) -> int | None:
    if as_of is None:
        return None
    if not is_period(as_of):
        raise ParameterError("as_of", "a month YYYY-MM (01-12)", as_of)
    return int(month_number([as_of], name="as_of")[0])


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


#: How many bills a note on bills not judged names (the rest counted).
_BILLS_NAMED = 5


def _swap_notes(bills: pd.DataFrame) -> list[Note]:
    """Bills around a meter replacement due their kWh billed, not judged from their reads
    (`swap_not_judged`), and bills joined across a multiplier change whose demand and reactive
    energy stay as billed (`metered_not_judged`): per reason, how many and the first of them
    (customer and period), so a difference of 0 on them is not read as a bill proved right."""
    reasons = bills["swap_not_judged"].to_numpy()
    notes = []
    for unjudged, code in (
        (reasons == SWAP_READS_IMPOSSIBLE, "swap_reads_impossible"),
        (reasons == SWAP_THREE_METERS, "swap_three_meters"),
        (reasons == SWAP_MULTIPLIER_UNKNOWN, "swap_multiplier_unknown"),
        (reasons == SWAP_REGISTERS_FALL, "swap_registers_fall"),
        (bills["metered_not_judged"].to_numpy(), "swap_demand_not_judged"),
    ):
        rows = np.flatnonzero(unjudged)
        if not len(rows):
            continue
        named = rows[:_BILLS_NAMED]
        ids, periods = texts_at(bills["customer_id"], named), texts_at(bills["period"], named)
        listed = ", ".join(
            f"{customer_id} {period}" for customer_id, period in zip(ids, periods, strict=True)
        )
        more = " …" if len(rows) > _BILLS_NAMED else ""
        notes.append(Note(code, {"count": len(rows), "bills": listed + more}))
    return notes


def _estimate_notes(
    bills: pd.DataFrame,
    energy: list[dict[str, np.ndarray]],
    loss_figures: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
) -> list[Note]:
    """Time-of-use bills whose period registers exceed their kWh (priced by their billed period
    lines, else the profile), bills priced by an estimate, lines without a rate, losses that could not be computed
    (`loss_figures` None: losses not recomputed)."""
    notes = []
    exceeding = int(
        np.count_nonzero(bills["tou"].to_numpy(dtype=bool) & registers_exceeding(bills))
    )
    if exceeding:
        notes.append(Note("tou_registers_exceed", {"count": exceeding}))
    profiled = np.unique(np.concatenate([part["bill"][part["estimated"]] for part in energy]))
    if len(profiled):
        notes.append(Note("tou_profile", {"count": len(profiled)}))
    no_rate = np.concatenate([part["bill"][np.isnan(part["rate"])] for part in energy])
    if len(no_rate):
        categories = texts_at(bills["tariff_due"], no_rate)
        names = sorted({str(c) for c in categories})
        notes.append(Note("no_rate", {"count": len(no_rate), "categories": names}))
    if loss_figures is not None:
        unknown = int(np.count_nonzero(loss_figures[1]))
        if unknown:
            notes.append(Note("losses_unknown", {"count": unknown}))
    return notes


def _per_bill(lines: pd.DataFrame | dict | list | None, column: str, n: int) -> np.ndarray:
    """`column` of `lines` (a line frame, arrays, or a list of arrays: parts in order) summed per
    bill line after line (0 where a bill has none)."""
    parts = [] if lines is None else lines if isinstance(lines, list) else [lines]
    sums = np.zeros(n)
    for index, part in enumerate(parts):
        bill = np.asarray(part["bill"], dtype=np.int64)
        values = np.asarray(part[column], dtype=float)
        if not np.isfinite(values).all():  # usually all are: the values are not copied
            values = np.nan_to_num(values)
        if index == 0 and len(bill):  # the first part by bincount, the rest added after it
            sums = np.bincount(bill, weights=values, minlength=n)
        else:
            np.add.at(sums, bill, values)
    return sums


def _billed_lines(
    bills: pd.DataFrame,
    lines: dict[str, np.ndarray] | None,
    columns: set[str],
    lookup: TariffLookup,
) -> tuple[list[dict[str, np.ndarray]], np.ndarray, np.ndarray | None]:
    """The billed lines as parts of arrays (key, quantity, rate, amount); per bill whether its energy is
    itemized; and per line type and bill (LINE_TYPES × bills) whether what was billed is unknown
    (None where it is known throughout).

    A bill's lines of a type in `bill_lines` (`lines`, as `coded_lines` gives them) are the billed
    side of that type. For a type without a line of the bill, the bill's own column says
    (`_lines_of_bill_columns`): a figure, or nothing billed where its cell is 0 or empty (the
    export carries the charge and records none). Where the dataset's bills (`columns`) have no
    such column, the type was billed 0 if the export itemizes it (bill_lines hold lines of the
    type for other bills), else what was billed is unknown."""
    n, types = len(bills), len(LINE_TYPES)
    itemized = np.zeros((types, n), dtype=bool)
    anywhere = np.zeros(types, dtype=bool)
    parts = []
    if lines is not None and len(lines["bill"]):
        kind = lines["line_type"]
        mine = (lines["bill"] >= 0) & (kind >= 0)
        if mine.all():  # every line is of a known bill and kind: its columns are not copied
            mine = slice(None)
        # The line types present: one comparison of the int8 codes per type (a bincount would
        # widen millions of codes to int64 first).
        anywhere = np.array([bool((kind == code).any()) for code in range(types)])
        cell = np.multiply(kind[mine], n, dtype=np.int64)
        cell += lines["bill"][mine]
        itemized.reshape(-1)[cell] = True
        del cell
        key = _key_of(lines["bill"], kind, lines["period"], lines["tier"])
        parts.append(
            {"key": key[mine], **{n: lines[n][mine] for n in ("quantity", "rate", "amount")}}
        )
    parts += _lines_of_bill_columns(bills, itemized, lines, lookup)
    silent = [
        k for k, t in enumerate(LINE_TYPES) if not anywhere[k] and BILL_FIGURES[t] not in columns
    ]
    unknown = np.zeros((types, n), dtype=bool)
    unknown[silent] = ~itemized[silent]
    # A basic charge the export carries but a bill records nowhere (the bill frame's NaN:
    # `basic.basic_charge_billed`) is unknown too, not nothing billed.
    basic = LINE_TYPES.index("basic")
    if "basic_charge" in columns:
        unknown[basic] = np.isnan(bills["basic_charge"].to_numpy(dtype=float)) & ~itemized[basic]
    # So is an empty fund_charge cell where no bill itemizes funds, as the column missing is:
    # the amount may hold them (0.00 recorded is none).
    fund = LINE_TYPES.index("fund")
    if "fund_charge" in columns and not anywhere[fund]:
        unknown[fund] = np.isnan(bills["fund_charge"].to_numpy(dtype=float)) & ~itemized[fund]
    return parts, itemized[LINE_TYPES.index("energy")], unknown if unknown.any() else None


#: The bill column that carries each line type where bill_lines do not.
BILL_FIGURES = {
    "energy": "energy_charge",
    "loss": "loss_kwh",
    "basic": "basic_charge",
    "pf_adjustment": "pf_adjustment",
    "fund": "fund_charge",
}


def _lines_of_bill_columns(
    bills: pd.DataFrame,
    itemized: np.ndarray,
    lines: dict[str, np.ndarray] | None,
    lookup: TariffLookup,
) -> list[dict[str, np.ndarray]]:
    """Billed lines implied by the bills' own columns (BILL_FIGURES) for each bill and line type
    without a line in bill_lines (`itemized`: LINE_TYPES × bills).

    Energy from kwh_billed and energy_charge wherever the energy is not itemized; the others
    where their figure is filled and not 0: loss kWh (`loss_kwh`), basic charge over
    capacity_billed_kva (max_demand_kw on a demand basis or without a capacity), the
    power-factor adjustment over the bill's energy + loss + basic billed, funds over kWh billed +
    loss kWh billed. DATA.md: amount = energy_charge + basic + pf + funds, so energy_charge holds
    the loss energy: the loss charged is energy_charge − the itemized energy where the energy is
    itemized, else loss kWh at the bill's energy rate, and the energy is energy_charge − the loss
    charged."""
    n = len(bills)
    code = {kind: LINE_TYPES.index(kind) for kind in LINE_TYPES}
    sums: dict[tuple[str, str], np.ndarray] = {}

    def line_sum(kind: str, name: str, rows: np.ndarray) -> np.ndarray:
        """Per bill of `rows`, `name` of its lines of `kind` summed (0 without)."""
        if lines is None or not len(rows):
            return np.zeros(len(rows))
        if (kind, name) not in sums:
            take = (lines["line_type"] == code[kind]) & (lines["bill"] >= 0)
            sums[kind, name] = np.bincount(
                lines["bill"][take], weights=np.nan_to_num(lines[name][take]), minlength=n
            )
        return sums[kind, name][rows]

    def col(name: str, rows: np.ndarray | slice) -> np.ndarray:
        return bills[name].to_numpy(dtype=float)[rows]

    def own_rows(kind: str) -> np.ndarray:
        figure = bills[BILL_FIGURES[kind]].to_numpy(dtype=float)
        # NaN compares False: `abs > 0` is filled and not 0.
        filled = ~np.isnan(figure) if kind == "energy" else np.abs(figure) > 0
        return np.flatnonzero(~itemized[code[kind]] & filled)

    def loss_charged(rows: np.ndarray) -> np.ndarray:
        """The loss charged on the bills of `rows` whose loss is not itemized."""
        loss_kwh = np.nan_to_num(col("loss_kwh", rows))
        energy_lines = itemized[code["energy"], rows]
        charged = round_half_up(loss_kwh * np.nan_to_num(col("energy_rate", rows)), 2)
        if energy_lines.any():
            remainder = col("energy_charge", rows) - line_sum("energy", "amount", rows)
            charged = np.where(energy_lines, round_half_up(remainder, 2), charged)
        return np.where(loss_kwh != 0, charged, 0.0)

    def billed(kind: str, name: str, rows: np.ndarray, own: np.ndarray) -> np.ndarray:
        """The billed `name` of `kind` on the bills of `rows`: its lines where itemized, else
        `own` (the figure from the bill's columns)."""
        return np.where(itemized[code[kind], rows], line_sum(kind, name, rows), own)

    parts = {}
    rows = own_rows("energy")
    kwh, charge = col("kwh_billed", rows), col("energy_charge", rows)
    loss_amount = billed("loss", "amount", rows, loss_charged(rows))
    amount = charge - loss_amount
    parts["energy"] = (
        rows,
        kwh,
        np.where(loss_amount != 0, _ratio(amount, kwh), col("energy_rate", rows)),
        amount,
    )

    rows = own_rows("loss")
    loss_kwh, amount = col("loss_kwh", rows), loss_charged(rows)
    parts["loss"] = rows, loss_kwh, _ratio(amount, loss_kwh), amount

    # Bills charging a basic charge; and those whose charge is unknown (the bill frame's NaN:
    # `basic.basic_charge_billed`) but whose capacity or demand billed is recorded: a line of
    # that quantity, its amount unknown.
    rows = own_rows("basic")
    demand_basis = bills["basic_charge_basis"].eq("demand").to_numpy(dtype=bool)
    capacity_basis = bills["basic_charge_basis"].eq("capacity").to_numpy(dtype=bool)
    unsaid = np.flatnonzero(np.isnan(col("basic_charge", slice(None))) & ~itemized[code["basic"]])
    recorded = np.where(
        demand_basis[unsaid], col("max_demand_kw", unsaid), col("capacity_billed_kva", unsaid)
    )
    unsaid = unsaid[~np.isnan(recorded) & (demand_basis | capacity_basis)[unsaid]]
    rows = np.union1d(rows, unsaid)
    amount, capacity, demand = (
        col(name, rows) for name in ("basic_charge", "capacity_billed_kva", "max_demand_kw")
    )
    by_demand = demand_basis[rows] & ~np.isnan(demand)
    # By capacity, the capacity it charged for (`basic.capacity_billed`): recorded, else what
    # the charge pays for at its own tariff's rate per kVA (NaN where neither says, not 0 kVA).
    by_capacity = capacity_basis[rows]
    kva_rate = np.full(len(rows), np.nan)
    implied = np.flatnonzero(by_capacity & np.isnan(capacity))
    kva_rate[implied] = _kva_rate_billed(bills, rows[implied], lookup)
    kva = basic.capacity_billed(capacity, amount, kva_rate, by_capacity)
    quantity = np.where(by_demand | (np.isnan(capacity) & ~by_capacity), demand, kva)
    parts["basic"] = rows, quantity, _ratio(amount, quantity), amount

    rows = own_rows("pf_adjustment")
    loss_amount = billed("loss", "amount", rows, loss_charged(rows))
    energy_own = col("energy_charge", rows) - loss_amount
    # The basic charge in the base: where unknown (the bill frame's NaN), the capacity recorded
    # at its tariff's rate per kVA, none on a bill of neither basis that records none, and
    # unknown by demand or by capacity without it: never 0, which read a right 2 % of 18,000.00
    # on a blank 12,000.00 charge as 6 % of 6,000.00.
    basic_own = col("basic_charge", rows)
    unknown = np.flatnonzero(np.isnan(basic_own))
    at = rows[unknown]
    kva = col("capacity_billed_kva", at)
    read = kva * np.nan_to_num(_kva_rate_billed(bills, at, lookup))
    read[np.isnan(kva) & ~capacity_basis[at]] = 0.0
    read[demand_basis[at]] = np.nan
    basic_own[unknown] = read
    base = (
        billed("energy", "amount", rows, energy_own)
        + loss_amount
        + billed("basic", "amount", rows, basic_own)
    )
    amount = col("pf_adjustment", rows)
    parts["pf_adjustment"] = rows, base, _ratio(amount, base), amount

    rows = own_rows("fund")
    fund_kwh = col("kwh_billed", rows) + billed(
        "loss", "quantity", rows, np.nan_to_num(col("loss_kwh", rows))
    )
    amount = col("fund_charge", rows)
    parts["fund"] = rows, fund_kwh, _ratio(amount, fund_kwh), amount

    bill = bills["bill"].to_numpy(dtype=np.int64)
    lines_of = [
        {
            "key": _key_of(bill[rows], code[kind], NO_PERIOD, 0),
            "quantity": quantity,
            "rate": rate,
            "amount": amount,
        }
        for kind, (rows, quantity, rate, amount) in parts.items()
    ]
    return lines_of


def _kva_rate_billed(bills: pd.DataFrame, rows: np.ndarray, lookup: TariffLookup) -> np.ndarray:
    """Per bill of `rows`, the rate per kVA-month of its tariff billed in force on read_to at
    its voltage (NaN where none): what a kVA of its basic charge cost, as the rules read the
    capacity a charge paid for (`RuleContext.capacity_billed`), whichever tariff is due."""
    if not len(rows) or "basic_rate_kva_month" not in lookup.tariffs:
        return np.full(len(rows), np.nan)
    at = lookup.row(
        texts_at(bills["tariff_billed"], rows),
        bills["read_to"].to_numpy("datetime64[D]")[rows],
        bills["voltage_kv"].to_numpy(dtype=float)[rows],
    )
    rates = lookup.tariffs["basic_rate_kva_month"].to_numpy(dtype=float, na_value=np.nan)
    return np.append(rates, np.nan)[at]


def _key_of(bill: np.ndarray, line_type: object, period: object, tier: object) -> np.ndarray:
    """One integer per line: bill, then line type, period and tier in the listing order."""
    # ((bill × types + line type) × periods + period) × tiers + tier, the line's kind (line type,
    # period, tier) made first in small integers: two passes of millions of int64, not six.
    kind = np.asarray(line_type, dtype=np.int16) * len(PERIOD_ORDER) + period
    kind = kind * _TIERS + np.clip(tier, 0, _TIERS - 1)
    key = np.multiply(bill, len(LINE_TYPES) * len(PERIOD_ORDER) * _TIERS, dtype=np.int64)
    key += kind
    return key


def _key_parts(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bill, line type, period and tier of each key (`_key_of` undone, as np.divmod would: a
    division by a constant and a product back, three times as fast as np.divmod)."""
    tier = key & (_TIERS - 1)  # _TIERS is a power of two: a mask and a shift
    rest = key >> _TIER_BITS
    kind_and_bill = rest // len(PERIOD_ORDER)
    product = np.multiply(kind_and_bill, len(PERIOD_ORDER))  # one scratch array for both
    rest -= product
    bill = kind_and_bill // len(LINE_TYPES)
    kind_and_bill -= np.multiply(bill, len(LINE_TYPES), out=product)
    return bill, kind_and_bill, rest, tier


def _distinct(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct keys and each key's position among them (by one sort, where
    np.unique's hashing is slower on millions of keys; lines come in runs of sorted keys).

    `key` (int64, the caller's to give up) becomes the positions: millions of lines' arrays are
    fresh memory the kernel clears page by page, so buffers are reused where they can be."""
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]] if len(key) else np.zeros(0, dtype=bool)
    count = int(np.count_nonzero(first))
    # Each key written at its position (equal keys share one): four times as fast as selecting
    # the first of each by a mask of millions.
    distinct = np.empty(count, dtype=key.dtype)
    position = np.cumsum(first, dtype=np.int64)
    position -= 1
    distinct[position] = ordered
    del ordered
    inverse = key  # its keys are in `distinct` now
    inverse[order] = position
    return distinct, inverse


def _summed(
    parts: list[dict[str, np.ndarray]], inverse: np.ndarray, n: int
) -> dict[str, np.ndarray]:
    """The lines of one side (parts of arrays, in the order of `inverse`: each line's key among
    the `n`) summed per joined key: quantity and amount summed, the rate of a single line kept,
    and the rate several lines share (a bill split by read days at one price: 10.17 × 0.2855 =
    2.90 and 42.38 × 0.2855 = 12.10 billed 0.2855, not 15.00 / 52.55 = 0.28544, a fen's
    rounding off the schedule), else amount / quantity; estimated if any line is. Keys without
    a line of this side: quantity and amount 0, rate NaN."""
    count = np.bincount(inverse, minlength=n)
    # Summed by one bincount over the side's lines in order (np.add.at gives the same sums, but
    # slows twentyfold where its arrays lie at one offset in their pages, as fresh large arrays
    # do).
    quantity, amount = (
        np.bincount(inverse, weights=np.concatenate([part[name] for part in parts]), minlength=n)
        if len(inverse)
        else np.zeros(n)  # bincount of nothing gives integers
        for name in ("quantity", "amount")
    )
    rate = np.full(n, np.nan)
    estimated = np.zeros(n, dtype=bool)
    start = 0
    for part in parts:
        at = inverse[start : start + len(part["quantity"])]
        start += len(at)
        # A kind's rate is its single line's rate, written rather than summed.
        rate[at] = part["rate"]
        if "estimated" in part:  # estimated lines are few: their keys are marked
            estimated[at[part["estimated"]]] = True
    rate += 0.0  # a rate of −0.0 reads 0.0, as it did summed from 0
    found = count > 0
    # The few kinds of several lines are priced as amount / quantity, worked out on them alone,
    # but for those whose lines share one rate (their lowest and highest rates equal).
    several = np.flatnonzero(count > 1)
    if len(several):
        of_several = np.flatnonzero(count[inverse] > 1)
        rates = np.concatenate([part["rate"] for part in parts])[of_several]
        lowest, highest = np.full(n, np.inf), np.full(n, -np.inf)
        np.minimum.at(lowest, inverse[of_several], rates)  # a NaN rate shares none
        np.maximum.at(highest, inverse[of_several], rates)
        shared = lowest[several] == highest[several]
        rate[several] = np.where(
            shared, lowest[several], _ratio(amount[several], quantity[several])
        )
    return {
        "found": found,
        "quantity": quantity,
        "rate": rate,
        "amount": round_half_up(amount, 2, out=amount),
        "estimated": estimated,
    }


def _joined(
    bills: pd.DataFrame,
    billed: list[dict[str, np.ndarray]],
    due: list[dict[str, np.ndarray]],
    skipped: set[str],
    unknown: np.ndarray | None,
) -> tuple[dict[str, object], np.ndarray]:
    """Billed and due lines (parts of arrays) outer-joined on the line key (CodedLines' fields
    but the notes); a line kind due without a billed line where what was billed is `unknown`
    (LINE_TYPES × bills) keeps an empty billed side. Also the count of such rows per line type."""
    n_billed = sum(len(part["key"]) for part in billed)
    keys, inverse = _distinct(np.concatenate([part.pop("key") for part in billed + due]))
    b = _summed(billed, inverse[:n_billed], len(keys))
    d = _summed(due, inverse[n_billed:], len(keys))
    del inverse, billed, due
    bill, line_code, period, tier = _key_parts(keys)
    del keys
    if skipped:  # a line kind not recomputed: its due side is empty, not 0
        not_due = np.isin(line_code, [LINE_TYPES.index(kind) for kind in skipped])
        for name in ("quantity", "rate", "amount"):
            d[name][not_due] = np.nan
    not_known = np.zeros(len(LINE_TYPES), dtype=np.int64)
    if unknown is not None:
        unknown = ~b["found"] & unknown[line_code, bill]
        for name in ("quantity", "rate", "amount"):
            b[name][unknown] = np.nan
        not_known = np.bincount(line_code[unknown], minlength=len(LINE_TYPES))
    difference = d["amount"] - b["amount"]
    figures = {
        "quantity_billed": b["quantity"],
        "quantity_due": d["quantity"],
        "rate_billed": b["rate"],
        "rate_due": d["rate"],
        "amount_billed": b["amount"],
        "amount_due": d["amount"],
        "difference": round_half_up(difference, 2, out=difference),
        "estimated": d["estimated"],
    }
    coded = {
        "bills": bills,
        "bill": bill,
        "line_type": line_code,
        "period": period,
        "tier": tier,
        "figures": figures,
    }
    return coded, not_known


def _ratio(amount: np.ndarray, quantity: np.ndarray) -> np.ndarray:
    """amount / quantity, NaN where the quantity is 0 or missing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.nan_to_num(quantity) != 0, amount / quantity, np.nan)

"""Irregularities of the practice checks (adjustments), injected into the honest utility and recorded in
`truth` (see `auditkit.synth.irregular`).

`unapproved_adjustment`: refunds, late-fee waivers and read corrections that lower a bill, posted
with no approver, most of them by one or two operators (staff-side manipulation), a few by others
(a lone slip). Its honest look-alike, `busy_refund_operator`: one operator posting many refunds,
each approved.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from auditkit.synth import render
from auditkit.synth.world import World

#: Share of the eligible customers (or orders) that receive each irregularity.
DEFAULT_RATES: dict[str, float] = {
    "unapproved_adjustment": 0.002,  # of customers billed at least once
}
#: Share of the unapproved refunds posted by the one or two operators they concentrate on.
CONCENTRATED_SHARE = 0.75
#: Kinds of the unapproved adjustments and their odds; the share of the adjusted bill each gives
#: back (a late fee is a small part of a bill).
UNAPPROVED_KINDS = ("refund", "late_fee_waiver", "read_correction")
UNAPPROVED_ODDS = (0.7, 0.15, 0.15)
RETURNED_SHARE = {
    "refund": (0.3, 1.0),
    "late_fee_waiver": (0.01, 0.05),
    "read_correction": (0.1, 0.5),
}
#: Smallest bill (yuan) an injected adjustment lowers: one of less has nothing worth refunding.
MIN_BILL = 10.0
#: Days after the end of the adjusted period the adjustment is posted (low inclusive, high exclusive).
POSTED_AFTER_DAYS = (5, 40)
#: Share of the customers billed at least once whose refunds the busy operator posts, approved.
BUSY_OPERATOR_SHARE = 0.0015
BUSY_OPERATOR = f"OP{render.OPERATORS + 1:04d}"


def unapproved_adjustment(world: World, rate: float) -> None:
    """Unapproved refunds and waivers, recorded with the exact money given back."""
    _busy_refund_operator(world)
    billed = world.active.any(axis=1)
    chosen = world.pick(billed, rate)
    if not len(chosen):
        return
    rng = world.rng
    rogues = np.asarray([f"OP{i:04d}" for i in rng.choice(render.OPERATORS, 2, replace=False) + 1])
    concentrated = rng.random(len(chosen)) < CONCENTRATED_SHARE
    # One rogue when few are injected, two otherwise; the others' operators are anyone's.
    rogue = rogues[rng.integers(0, 1 if len(chosen) < 20 else 2, len(chosen))]
    anyone = np.asarray([f"OP{i:04d}" for i in rng.integers(1, render.OPERATORS + 1, len(chosen))])
    operator = np.where(concentrated, rogue, anyone)
    kind = np.asarray(UNAPPROVED_KINDS, dtype=object)[
        rng.choice(len(UNAPPROVED_KINDS), len(chosen), p=UNAPPROVED_ODDS)
    ]
    low, high = np.asarray([RETURNED_SHARE[k] for k in kind]).T
    share = rng.uniform(low, high)
    month = _random_active_month(world, chosen)
    delay = rng.integers(*POSTED_AFTER_DAYS, len(chosen))

    def add_rows(tables: dict[str, pd.DataFrame]) -> None:
        bills = _bills_of(world, tables["bills"], chosen, month)
        amount = np.round(bills["amount"].to_numpy(float) * share, 2)
        kept = amount > 0
        months = bills["month"].to_numpy()[kept]
        rows = _adjustment_rows(
            world,
            chosen[kept],
            months,
            kind[kept],
            np.where(kind[kept] == "late_fee_waiver", amount[kept], -amount[kept]),
            delay[kept],
            approved_by=None,
            operator=operator[kept],
        )
        tables["adjustments"] = pd.concat([tables["adjustments"], rows], ignore_index=True)
        world.add_truth(
            chosen[kept],
            "unapproved_adjustment",
            months,
            amount[kept],
            "refund or waiver posted without approval",
        )

    world.table_edits.append(add_rows)


def _busy_refund_operator(world: World) -> None:
    """The honest look-alike: one operator posting many refunds, each approved."""
    billed = world.active.any(axis=1)
    chosen = world.pick(billed, BUSY_OPERATOR_SHARE)
    if not len(chosen):
        return
    rng = world.rng
    month = _random_active_month(world, chosen)
    share = rng.uniform(*RETURNED_SHARE["refund"], len(chosen))
    approver = np.asarray(render.APPROVERS, dtype=object)[
        rng.integers(0, len(render.APPROVERS), len(chosen))
    ]
    delay = rng.integers(*POSTED_AFTER_DAYS, len(chosen))
    world.lookalikes.append(
        pd.DataFrame({"customer": chosen, "kind": "busy_refund_operator", "from_month": month})
    )

    def add_rows(tables: dict[str, pd.DataFrame]) -> None:
        bills = _bills_of(world, tables["bills"], chosen, month)
        amount = np.round(bills["amount"].to_numpy(float) * share, 2)
        rows = _adjustment_rows(
            world,
            chosen,
            bills["month"].to_numpy(),
            np.full(len(chosen), "refund", dtype=object),
            -amount,
            delay,
            approved_by=approver,
            operator=np.full(len(chosen), BUSY_OPERATOR, dtype=object),
        )[amount > 0]
        tables["adjustments"] = pd.concat([tables["adjustments"], rows], ignore_index=True)

    world.table_edits.append(add_rows)


def _random_active_month(world: World, customers: np.ndarray) -> np.ndarray:
    """A month each customer is billed, at random."""
    active = world.active[customers]
    pick = world.rng.random(active.shape) * active
    return np.argmax(pick, axis=1)


def _bills_of(
    world: World, bills: pd.DataFrame, customers: np.ndarray, month: np.ndarray
) -> pd.DataFrame:
    """Per customer, the bill an adjustment lowers (month index, amount): its bill of `month`, or
    its largest when that one is below `MIN_BILL` (a month at zero has nothing to refund); amount
    0 where no bill reaches `MIN_BILL`."""
    month_of = {period: index for index, period in enumerate(world.periods)}
    ids = world.customer_id[customers].astype(str)
    own = bills.loc[
        bills["customer_id"].astype(str).isin(set(ids)), ["customer_id", "period", "amount"]
    ]
    own = pd.DataFrame(
        {
            "customer_id": own["customer_id"].astype(str).to_numpy(),
            "month": own["period"].astype(str).map(month_of).to_numpy(),
            "amount": own["amount"].to_numpy(dtype=float),
        }
    )
    wanted = pd.DataFrame({"customer_id": ids, "month": month})
    exact = wanted.merge(own, on=["customer_id", "month"], how="left")["amount"].to_numpy()
    largest = own.sort_values(["customer_id", "amount", "month"], ascending=[True, False, True])
    largest = largest.drop_duplicates("customer_id").set_index("customer_id").reindex(ids)
    small = ~(exact >= MIN_BILL)
    amount = np.where(small, largest["amount"].to_numpy(), exact)
    return pd.DataFrame(
        {
            "month": np.where(small, largest["month"].fillna(0).to_numpy(), month).astype(int),
            "amount": np.where(amount >= MIN_BILL, amount, 0.0),
        }
    )


def _adjustment_rows(
    world: World,
    customers: np.ndarray,
    month: np.ndarray,
    kind: np.ndarray,
    amount: np.ndarray,
    delay: np.ndarray,
    *,
    approved_by: np.ndarray | None,
    operator: np.ndarray,
) -> pd.DataFrame:
    """Adjustment rows as `render.adjustments_table` writes them, posted `delay` days after the
    end of the adjusted period (never after the export)."""
    period_end = np.asarray(world.month_starts[np.minimum(month + 1, world.n_months - 1)])
    period_end = np.where(
        month + 1 < world.n_months, period_end - np.timedelta64(1, "D"), world.end_date
    )
    posted = np.minimum(period_end + delay.astype("timedelta64[D]"), world.end_date)
    return pd.DataFrame(
        {
            "customer_id": world.customer_id[customers].astype(str),
            "period": np.asarray(world.periods, dtype=object)[month],
            "adjusted_at": posted,
            "kind": kind,
            "amount": amount,
            "approved_by": np.full(len(customers), None, dtype=object)
            if approved_by is None
            else approved_by,
            "operator_id": operator,
        }
    )


INJECTORS: dict[str, Callable[[World, float], None]] = {
    "unapproved_adjustment": unapproved_adjustment,
}

"""Irregularities of the practice checks (accounts), injected into the honest utility and recorded in
`truth` (see `auditkit.synth.irregular`), with the honest look-alikes of each.

- unbilled_account: an account left out of the billing run (bills that stop, a gap of months, a
  new connection never billed) while the archive says active. Its revenue effect is what the
  ledger would have billed in those months.
- billed_after_closure: a closure whose archive was closed while billing went on, or a closure in
  effect and archived while the archive stays active (billing stopped). No revenue effect.
- temporary_supply_overrun: a temporary supply billed past its end date. No revenue effect.
- duplicate_account: a second active account of the same customer, its name and address
  written another way (full-width digits, Chinese numerals, spaces), or its phone the same.

Look-alikes: honest closures with their final bill prorated in the closure month
(closure_final_bill), temporary supplies extended by order past their archive end date
(temporary_supply_extended), one owner's two flats in the same building (same_building_accounts),
one pair in two with the owner's phone on both.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from auditkit.synth import ledger
from auditkit.synth.lookalikes import connect_mid_month
from auditkit.synth.world import CHANGE_DAYS, World

#: Share of the eligible customers that receive each irregularity.
DEFAULT_RATES: dict[str, float] = {
    "unbilled_account": 0.002,  # of single-part accounts billed every month
    "billed_after_closure": 0.0015,  # of single-part accounts billed every month
    "temporary_supply_overrun": 0.012,  # of single-part business accounts billed every month
    "duplicate_account": 0.002,  # of active accounts billed every month
}
#: Look-alikes made beside the injections, as a share of the same eligible customers.
EXTENDED_TEMPORARY_SHARE = 0.012
SAME_BUILDING_SHARE = 0.002  # pairs
#: Months an unbilled gap lasts (low inclusive, high exclusive).
GAP_MONTHS = (2, 6)
_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
_CHINESE_DIGITS = "零一二三四五六七八九"


def _billed_every_month(world: World) -> np.ndarray:
    """Active single-part accounts billed in every month of the data."""
    return world.active.all(axis=1) & (world.status == "active") & ~world.is_two_part()


def _billed(world: World, idx: np.ndarray) -> np.ndarray:
    return ledger.total_billed(world, idx) if len(idx) else np.zeros(0)


def unbilled_account(world: World, rate: float) -> None:
    """Bills stop months before the export, or a gap of 2 to 5 months, or a new connection (with
    its order) is never billed; the archive says active throughout."""
    m = world.n_months
    idx = world.pick(_billed_every_month(world), rate)
    kind = np.arange(len(idx)) % 3  # 0: bills stop, 1: a gap, 2: a new connection never billed
    start = np.select(
        [kind == 0, kind == 1],
        [world.rng.integers(m - 9, m - 2, len(idx)), world.rng.integers(4, m - 10, len(idx))],
        world.rng.integers(m - 10, m - 3, len(idx)),
    )
    length = np.where(kind == 1, world.rng.integers(*GAP_MONTHS, len(idx)), m - start)
    new = idx[kind == 2]
    _connect_in_window(world, new, start[kind == 2])
    honest = _billed(world, idx)
    months = np.arange(m)[None, :]
    dropped = (months >= start[:, None]) & (months < (start + length)[:, None])
    world.active[idx] &= ~dropped
    world.estimated[idx] = False  # the reads around the unbilled months are actual
    effect = honest - _billed(world, idx)
    detail = np.array(["bills stop", "a gap in the bills", "new connection never billed"])[kind]
    world.add_truth(idx, "unbilled_account", start, effect, detail.astype(object))


def _connect_in_window(world: World, idx: np.ndarray, month: np.ndarray) -> None:
    """Customers `idx` connected on day 2 to 27 of `month` with a new-connection order: no use
    before, the days since connection in that month."""
    served = connect_mid_month(world, idx, month, world.rng.integers(2, 28, len(idx)))
    world.true_kwh[idx] *= served
    world.metered_kwh[idx] *= served


def billed_after_closure(world: World, rate: float) -> None:
    """A closure order in effect: either the archive closed while billing went on, or billing
    stopped after the (prorated) closure month while the archive stays active."""
    closure_final_bill(world)
    m = world.n_months
    idx = world.pick(_billed_every_month(world), rate)
    month = world.rng.integers(6, m - 3, len(idx))
    day = world.rng.integers(CHANGE_DAYS[0], CHANGE_DAYS[1] + 1, len(idx))
    date = world.month_starts[month] + (day - 1).astype("timedelta64[D]")
    world.add_orders(
        idx,
        "closure",
        month,
        np.full(len(idx), "active"),
        np.full(len(idx), "closed"),
        effective=date,
    )
    billed_on = np.arange(len(idx)) % 2 == 0
    world.status[idx[billed_on]] = "closed"
    kept = idx[~billed_on]  # the archive stays active: billing stopped at the closure date
    world.closure_date[kept] = date[~billed_on]
    months = np.arange(m)[None, :]
    served = np.where(
        months == month[~billed_on][:, None],
        (day[~billed_on] / world.days_in_month[month[~billed_on]])[:, None],
        1.0,
    )
    world.true_kwh[kept] *= served
    world.metered_kwh[kept] *= served
    world.active[kept] &= months <= month[~billed_on][:, None]
    world.estimated[kept] &= world.active[kept]
    world.add_truth(
        idx,
        "billed_after_closure",
        np.where(billed_on, month + 1, month),
        np.zeros(len(idx)),
        np.where(billed_on, "billed after closure", "closure not in the archive").astype(object),
    )


def _single_part_business(world: World) -> np.ndarray:
    return _billed_every_month(world) & np.isin(world.usage, ["commercial", "industrial"])


def _make_temporary(world: World, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Customers `idx` on a temporary supply whose archive end date falls 3 to 10 months
    before the export: the end month and date."""
    m = world.n_months
    month = world.rng.integers(m - 10, m - 3, len(idx))
    day = world.rng.integers(1, 28, len(idx))
    end = world.month_starts[month] + (day - 1).astype("timedelta64[D]")
    world.supply_type[idx] = "temporary"
    world.supply_end[idx] = end
    return month, end


def temporary_supply_overrun(world: World, rate: float) -> None:
    """A temporary supply still billed months after its end date, with no extension; and, as an
    honest look-alike, temporary supplies extended by order past the export."""
    eligible = _single_part_business(world)
    idx = world.pick(eligible, rate)
    month, _ = _make_temporary(world, idx)
    world.add_truth(
        idx,
        "temporary_supply_overrun",
        month + 1,
        np.zeros(len(idx)),
        "temporary supply billed past its end",
    )
    extended = world.pick(eligible, EXTENDED_TEMPORARY_SHARE)
    month, end = _make_temporary(world, extended)
    later = world.end_date + world.rng.integers(30, 300, len(extended)).astype("timedelta64[D]")
    world.add_orders(
        extended,
        "temporary_supply",
        month,
        end,
        later,
        lead_days=(10, 40),
        effective=end,
    )
    world.lookalikes.append(
        pd.DataFrame(
            {"customer": extended, "kind": "temporary_supply_extended", "from_month": month}
        )
    )


def closure_final_bill(world: World) -> None:
    """Tag the honest closures (archive closed, last bill prorated in the closure month)."""
    closed = np.flatnonzero((world.status == "closed") & ~np.isnat(world.closure_date))
    month = np.searchsorted(world.month_starts, world.closure_date[closed], side="right") - 1
    world.lookalikes.append(
        pd.DataFrame({"customer": closed, "kind": "closure_final_bill", "from_month": month})
    )


def duplicate_account(world: World, rate: float) -> None:
    """A second active account of a customer connected earlier in the same district: the same
    name and its address written another way, or (one in three) the same phone and name with
    the district left out of the address. Same-building flats of one owner (room 3 and room 4,
    one pair in two with the owner's phone on both) are the look-alike."""
    eligible = world.active.all(axis=1) & (world.status == "active")
    duplicates = world.pick(eligible, rate)
    originals = _earlier_partners(world, eligible, duplicates)
    found = originals >= 0
    duplicates, originals = duplicates[found], originals[found]
    by_phone = np.arange(len(duplicates)) % 3 == 2
    world.add_truth(
        duplicates,
        "duplicate_account",
        np.full(len(duplicates), world.n_months - 1),
        np.zeros(len(duplicates)),
        np.where(by_phone, "same phone and name", "same name and address").astype(object),
    )
    pairs = world.pick(eligible, SAME_BUILDING_SHARE)
    owners = _earlier_partners(world, eligible, pairs)
    flats = pairs[owners >= 0]
    owners = owners[owners >= 0]
    both = np.concatenate([owners, flats])
    world.lookalikes.append(
        pd.DataFrame(
            {
                "customer": both,
                "kind": "same_building_accounts",
                "from_month": np.zeros(len(both), int),
            }
        )
    )
    ids = world.customer_id

    def edit(tables: dict[str, pd.DataFrame]) -> None:
        customers = tables["customers"]
        row = pd.Index(customers["customer_id"])
        duplicate_rows = row.get_indexer(ids[duplicates])
        original_rows = row.get_indexer(ids[originals])
        names = customers["name"].to_numpy(dtype=object)
        addresses = customers["address"].to_numpy(dtype=object)
        phones = customers["phone"].to_numpy(dtype=object)
        names[duplicate_rows] = names[original_rows]
        written = [
            _without_district(address) if phone else _rewritten(address, position)
            for position, (address, phone) in enumerate(
                zip(addresses[original_rows], by_phone, strict=True)
            )
        ]
        addresses[duplicate_rows] = np.asarray(written, dtype=object)
        phones[duplicate_rows[by_phone]] = phones[original_rows[by_phone]]
        owner_rows, flat_rows = row.get_indexer(ids[owners]), row.get_indexer(ids[flats])
        names[flat_rows] = names[owner_rows]
        owners_phone = np.arange(len(flats)) % 2 == 0  # one in two: the owner's mobile on both
        phones[flat_rows[owners_phone]] = phones[owner_rows[owners_phone]]
        building = np.array([_building(address) for address in addresses[owner_rows]], dtype=object)
        addresses[owner_rows] = building + "3室"
        addresses[flat_rows] = building + "4室"
        tables["customers"] = customers.assign(name=names, address=addresses, phone=phones)

    world.table_edits.append(edit)


def _earlier_partners(world: World, eligible: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """For each customer of `idx`, a free eligible customer of its district and usage type
    connected before it (marked busy), or -1 where there is none."""
    partners = np.full(len(idx), -1)
    for position, customer in enumerate(idx):
        free = np.flatnonzero(
            eligible
            & ~world.busy
            & (world.district == world.district[customer])
            & (world.usage == world.usage[customer])
            & (world.conn_date < world.conn_date[customer])
        )
        if len(free):
            partners[position] = world.rng.choice(free)
            world.busy[partners[position]] = True
    return partners


def _rewritten(address: str, variant: int) -> str:
    """The same address another way: full-width digits, the house number in Chinese numerals,
    or spaces between its parts."""
    if variant % 3 == 0:
        return address.translate(_FULL_WIDTH_DIGITS)
    if variant % 3 == 1:
        head, number, tail = _split_number(address)
        return head + _chinese_number(int(number)) + tail
    return address.replace("区", "区 ").replace("号", " 号 ").strip()


def _without_district(address: str) -> str:
    """The address without its district (区) prefix: no longer the same once normalized."""
    return address.split("区", 1)[1]


def _building(address: str) -> str:
    """The address up to its house number (号), without a room."""
    return address.split("号", 1)[0] + "号"


def _split_number(address: str) -> tuple[str, str, str]:
    """The text before the house number, the number, and the rest (from 号)."""
    before, after = address.split("号", 1)
    digits = len(before) - len(before.rstrip("0123456789"))
    return before[: len(before) - digits], before[len(before) - digits :], "号" + after


def _chinese_number(value: int) -> str:
    """1 to 999 in Chinese numerals (十二, 一百零三, 二百二十)."""
    hundreds, tens, units = value // 100, value // 10 % 10, value % 10
    text = ""
    if hundreds:
        text += _CHINESE_DIGITS[hundreds] + "百"
    if tens:
        text += ("" if tens == 1 and not hundreds else _CHINESE_DIGITS[tens]) + "十"
    elif hundreds and units:
        text += "零"
    if units:
        text += _CHINESE_DIGITS[units]
    return text


INJECTORS: dict[str, Callable[[World, float], None]] = {
    "unbilled_account": unbilled_account,
    "billed_after_closure": billed_after_closure,
    "temporary_supply_overrun": temporary_supply_overrun,
    "duplicate_account": duplicate_account,
}

"""Turn the world's arrays and the ledger's bills into the tables of the dataset contract
(docs/data.md), the itemized ones included (bill_lines, transformers, meter tests and events,
adjustments, lookalikes)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import auditkit.synth.catalog as catalog
from auditkit.synth.ledger import LINE_TYPES, TOU_PERIODS, Ledger, transformer_losses
from auditkit.synth.network import read_by_hand, reader_ids
from auditkit.synth.schedule import tariff_rows
from auditkit.synth.world import World

SPECIAL_AUDITOR = "市公司稽查中心"


def customers_table(world: World) -> pd.DataFrame:
    """The customer archive, with synthetic personal fields that reports must mask."""
    rng = np.random.default_rng(world.rng.integers(2**32))
    n = world.n_customers
    surname = np.asarray(list(catalog.SURNAMES), dtype=object)[
        rng.integers(0, len(catalog.SURNAMES), n)
    ]
    given = np.asarray(list(catalog.GIVEN_NAME_CHARS), dtype=object)
    name = surname + given[rng.integers(0, len(given), n)] + given[rng.integers(0, len(given), n)]
    address, phone = _unique_addresses(world.district, rng), _unique_phones(n, rng)
    return pd.DataFrame(
        {
            "customer_id": world.customer_id,
            "district": world.district,
            "usage_type": world.usage,
            "tariff_category": np.asarray(catalog.TARIFF_CODES, dtype=object)[world.tariff],
            "voltage_kv": world.voltage,
            "status": world.status,
            "connection_date": world.conn_date,
            "contract_capacity_kva": world.capacity,
            "basic_charge_basis": world.basis,
            "meter_id": world.meter_id,
            "ct_ratio": world.ct,
            "ct_secondary_a": np.where(world.ct > 1, world.ct_secondary, np.nan),  # empty: no CT
            "pt_ratio": world.pt,
            "meter_test_date": world.test_date,
            "meter_test_cycle_months": pd.array(world.test_cycle, dtype="Float64").astype("Int64"),
            "name": name,
            "address": address,
            "phone": phone,
            "metering_mode": world.metering_mode,
            "contract_demand_kw": world.contract_demand,
            "pf_standard": recorded_pf_standard(world),
            "tou": world.tou,
            "tier_scheme": world.tier_scheme,
            "industry": world.industry,
            "area_id": world.area_id,
            "feeder_id": world.feeder_id,
            "supply_type": world.supply_type,
            "supply_end_date": world.supply_end,
        }
    )


#: Honest addresses: house numbers per street, the share of customers in a flat (12号3室), and
#: the rooms of a house.
HOUSE_NUMBERS = 999
ROOM_SHARE, ROOMS = 0.4, 12


def recorded_pf_standard(world: World) -> np.ndarray:
    """The power-factor standard the archive records: the customer's own, but 0.85 for a 0.90
    customer and none for a 0.85 one where the archive is wrong (pf_fault 5 and 6)."""
    recorded = world.pf_standard.copy()
    recorded[(world.pf_fault == 5).any(axis=1)] = 0.85
    recorded[(world.pf_fault == 6).any(axis=1)] = np.nan
    return recorded


def _unique_addresses(district: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """District, street, house number and, for some, a room (人民路12号3室): no two customers share
    one (duplicate_account must not fire on honest customers by chance). Per district, houses
    are drawn without repeat for those without a room (at most half the houses) and
    (house, room) pairs for the others."""
    houses = len(catalog.STREETS) * HOUSE_NUMBERS
    house = np.zeros(len(district), dtype=np.int64)
    room = np.zeros(len(district), dtype=np.int64)
    for name in pd.unique(district):
        members = rng.permutation(np.flatnonzero(district == name))
        plain = min(round((1 - ROOM_SHARE) * len(members)), houses // 2)
        house[members[:plain]] = rng.choice(houses, plain, replace=False)
        flats = rng.choice(houses * ROOMS, len(members) - plain, replace=False)
        house[members[plain:]] = flats // ROOMS
        room[members[plain:]] = flats % ROOMS + 1
    street = np.asarray(catalog.STREETS, dtype=object)[house // HOUSE_NUMBERS]
    number = (house % HOUSE_NUMBERS + 1).astype(str).astype(object)
    rooms = np.where(room > 0, np.char.add(room.astype(str), "室"), "").astype(object)
    return district + "区" + street + number + "号" + rooms


def _unique_phones(n: int, rng: np.random.Generator) -> np.ndarray:
    """Mobile numbers 13..18 followed by nine digits, each customer its own: a step coprime with
    the range walks it without repeating."""
    span, step = 6 * 10**9, 1_000_003
    offset = int(rng.integers(0, span))
    numbers = 3 * 10**9 + (offset + rng.permutation(n).astype(np.int64) * step) % span
    return np.char.add("1", numbers.astype(str)).astype(object)


def tariffs_table(world: World) -> pd.DataFrame:
    """The schedule: a price change on the 1st, another on the 16th for some categories, monthly
    market prices for industry and commerce, time-of-use periods, tiers and voltage bands."""
    return tariff_rows(world.calendar)


def _days(day_numbers: np.ndarray) -> np.ndarray:
    return day_numbers.astype("datetime64[D]")


def bills_table(world: World, ledger: Ledger) -> pd.DataFrame:
    """One bill per customer and active month, the sums of its lines (`bill_lines_table`)."""
    # Repeated text as categoricals: millions of rows built (and written) from a few codes.
    cust, month = ledger.customer, ledger.month
    return pd.DataFrame(
        {
            "customer_id": pd.Categorical.from_codes(cust, categories=world.customer_id),
            "period": pd.Categorical.from_codes(month, categories=world.periods),
            "register_start": ledger.register_start,
            "register_end": ledger.register_end,
            "multiplier_billed": world.multiplier_billed[cust, month],
            "kwh_billed": ledger.kwh,
            "tariff_billed": pd.Categorical.from_codes(
                world.tariff_billed[cust, month], categories=list(catalog.TARIFF_CODES)
            ),
            "energy_rate": ledger.energy_rate,
            "energy_charge": ledger.energy_charge,
            "capacity_billed_kva": ledger.capacity,
            "max_demand_kw": ledger.demand,
            "basic_charge": ledger.basic_charge,
            "amount": ledger.amount,
            "read_type": pd.Categorical.from_codes(
                world.estimated[cust, month].astype(np.int8), categories=["actual", "estimated"]
            ),
            "read_from": _days(ledger.read_from),
            "read_to": _days(ledger.read_to),
            "kvarh_import": ledger.kvarh_import,
            "kvarh_export": ledger.kvarh_export,
            "power_factor": ledger.power_factor,
            "pf_adjustment": ledger.pf_adjustment,
            "loss_kwh": ledger.loss_kwh,
            "fund_charge": ledger.fund_charge,
            "kwh_critical": ledger.kwh_critical,
            "kwh_peak": ledger.kwh_peak,
            "kwh_valley": ledger.kwh_valley,
            # The meter reader on the actual reads of meters read by hand; remote reads: empty.
            "reader_id": pd.Categorical(
                np.where(world.estimated[cust, month], "", reader_ids(world)[cust])
            ),
        }
    )


def bill_lines_table(world: World, ledger: Ledger) -> pd.DataFrame:
    """Every bill line by line: energy per period, tier and price segment; loss, basic, power-factor
    adjustment and fund lines. The lines of a bill add up to its amount."""
    bill = ledger.line_bill
    tier = pd.array(ledger.line_tier, dtype="Int64")
    tier[ledger.line_tier == 0] = pd.NA
    return pd.DataFrame(
        {
            "customer_id": pd.Categorical.from_codes(
                ledger.customer[bill], categories=world.customer_id
            ),
            "period": pd.Categorical.from_codes(ledger.month[bill], categories=world.periods),
            "line_type": pd.Categorical.from_codes(ledger.line_type, categories=list(LINE_TYPES)),
            "tou_period": pd.Categorical.from_codes(ledger.line_tou, categories=list(TOU_PERIODS)),
            "tier": tier,
            "quantity": ledger.line_quantity,
            "rate": ledger.line_rate,
            "amount": ledger.line_amount,
        }
    )


def transformers_table(world: World) -> pd.DataFrame:
    """Customers' own transformers with their status history: one row per transformer state.

    A capacity increase replaces the transformer; a reduction removes, a suspension seals (and a
    resumption runs again) the second of two transformers that together made the capacity.
    """
    own = np.flatnonzero(~np.isnan(world.nameplate))
    events = (
        pd.concat(world.cap_events, ignore_index=True)
        if world.cap_events
        else pd.DataFrame(columns=["customer", "kind", "date", "old", "new"])
    )
    connected = world.conn_date
    rows = []
    plain = np.setdiff1d(own, events["customer"].to_numpy(dtype=int))
    rows.append((plain, 1, world.nameplate[plain], "running", connected[plain]))
    first = events.drop_duplicates("customer")
    increase = first[first["kind"] == "increase"]
    c = increase["customer"].to_numpy(dtype=int)
    date = increase["date"].to_numpy(dtype="datetime64[D]")
    rows.append((c, 1, increase["old"].to_numpy(float), "running", connected[c]))
    rows.append((c, 1, increase["old"].to_numpy(float), "removed", date))
    rows.append((c, 2, increase["new"].to_numpy(float), "running", date))
    split = first[first["kind"].isin(["reduction", "suspension"])]
    c = split["customer"].to_numpy(dtype=int)
    kept, total = split["new"].to_numpy(float), split["old"].to_numpy(float)
    rows.append((c, 1, kept, "running", connected[c]))
    rows.append((c, 2, total - kept, "running", connected[c]))
    later = events[events["kind"] != "increase"].merge(
        split[["customer", "old", "new"]], on="customer", suffixes=("", "_first")
    )
    status = later["kind"].map(
        {"reduction": "removed", "suspension": "sealed", "resumption": "running"}
    )
    c = later["customer"].to_numpy(dtype=int)
    rows.append(
        (
            c,
            2,
            (later["old_first"] - later["new_first"]).to_numpy(float),
            status.to_numpy(object),
            later["date"].to_numpy(dtype="datetime64[D]"),
        )
    )
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "customer": c,
                    "unit": unit,
                    "kva": kva,
                    "status": state,
                    "status_since": np.asarray(since, dtype="datetime64[D]"),
                }
            )
            for c, unit, kva, state, since in rows
        ],
        ignore_index=True,
    ).sort_values(["customer", "unit", "status_since"], kind="stable", ignore_index=True)
    p0, pk = transformer_losses(frame["kva"].to_numpy(float))
    return pd.DataFrame(
        {
            "customer_id": world.customer_id[frame["customer"].to_numpy()],
            "transformer_id": [
                f"TR{c + 1:08d}-{u}" for c, u in zip(frame["customer"], frame["unit"], strict=True)
            ],
            "kva": frame["kva"].to_numpy(float),
            "no_load_loss_kw": p0,
            "load_loss_kw": pk,
            "status": frame["status"].to_numpy(object),
            "status_since": frame["status_since"].to_numpy(),
        }
    )


def work_orders_table(world: World, ledger: Ledger) -> pd.DataFrame:
    """All work orders, numbered in issue order; steps after the export date are not done yet.

    A meter replacement records the old meter's final read and the new meter's first: they join.
    """
    frame = pd.concat(world.orders, ignore_index=True)
    frame["old_final_read"] = np.nan
    frame["new_first_read"] = np.nan
    replaced = np.flatnonzero((frame["order_type"] == "meter_replacement").to_numpy())
    if len(replaced):
        customer = frame["customer"].to_numpy(dtype=np.int64)[replaced]
        effective = frame["effective_date"].to_numpy(dtype="datetime64[D]")[replaced]
        month = np.searchsorted(world.month_starts, effective, side="right") - 1
        keys = ledger.customer.astype(np.int64) * world.n_months + ledger.month
        wanted = customer * world.n_months + month
        at = np.clip(np.searchsorted(keys, wanted), 0, len(keys) - 1)
        found = (keys[at] == wanted) & (at > 0) & (ledger.customer[at - 1] == customer)
        frame.loc[replaced[found], "old_final_read"] = ledger.register_end[at[found] - 1]
        frame.loc[replaced[found], "new_first_read"] = ledger.register_start[at[found]]
    frame = frame.sort_values(
        ["issued_at", "customer", "order_type"], kind="stable", ignore_index=True
    )
    end = pd.Timestamp(world.end_date)
    for step in ("transferred_at", "registered_at", "archived_at"):
        frame[step] = frame[step].where(frame[step] <= end)
    # A step not done leaves every later step not done either.
    frame.loc[frame["transferred_at"].isna(), ["registered_at", "archived_at"]] = pd.NaT
    frame.loc[frame["registered_at"].isna(), "archived_at"] = pd.NaT
    frame.insert(0, "order_id", [f"WO{i:08d}" for i in range(1, len(frame) + 1)])
    frame.insert(1, "customer_id", world.customer_id[frame.pop("customer").to_numpy()])
    return frame


def meter_tests_table(world: World) -> pd.DataFrame:
    """Periodic meter tests at each customer's cycle up to the last test date, honest errors well
    inside the tolerance; a test before a meter replacement names the old meter."""
    rng = np.random.default_rng(world.rng.integers(2**32))
    tested = np.flatnonzero(~np.isnan(world.test_cycle) & ~np.isnat(world.test_date))
    cycle_days = np.round(world.test_cycle[tested] * 30.4).astype(int)
    earliest = np.maximum(
        world.month_starts[0] - cycle_days.astype("timedelta64[D]"), world.conn_date[tested]
    )
    frames = []
    for back in range(int(world.n_months // catalog.TEST_CYCLE_MONTHS["I"]) + 2):
        date = world.test_date[tested] - (back * cycle_days).astype("timedelta64[D]")
        keep = date >= earliest
        frames.append(pd.DataFrame({"customer": tested[keep], "tested_at": date[keep]}))
    frame = pd.concat(frames, ignore_index=True).sort_values(
        ["customer", "tested_at"], ignore_index=True
    )
    customers = frame["customer"].to_numpy()
    meter = _meter_at(world, customers, frame["tested_at"].to_numpy(dtype="datetime64[D]"))
    error = np.clip(
        rng.normal(0.0, catalog.TEST_ERROR_SD, len(frame)),
        -catalog.TEST_ERROR_MAX,
        catalog.TEST_ERROR_MAX,
    )
    return pd.DataFrame(
        {
            "customer_id": world.customer_id[frame["customer"].to_numpy()],
            "meter_id": meter,
            "tested_at": frame["tested_at"].to_numpy(),
            "error_pct": np.round(error, 3),
        }
    )


def _meter_at(world: World, customers: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """The meter id in service for each customer on each date (datetime64[D]): the meter a later
    replacement took out, else today's meter."""
    meter = world.meter_id[customers].copy()
    if not world.replaced_meters:
        return meter
    history = pd.concat(world.replaced_meters, ignore_index=True)
    day = history["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    owner = history["customer"].to_numpy(dtype=np.int64)
    stride = np.int64(1 << 32)  # day numbers stay far below 2**31
    keys = owner * stride + day
    order = np.argsort(keys, kind="stable")
    keys, old_meter = keys[order], history["meter_id"].to_numpy(dtype=object)[order]
    wanted = customers.astype(np.int64) * stride + dates.astype(np.int64)
    at = np.searchsorted(keys, wanted, side="right")  # the first replacement after the date
    found = at < len(keys)
    found[found] = owner[order][at[found]] == customers[found]
    meter[found] = old_meter[at[found]]
    return meter


#: Alarms an honest meter raises now and then, cleared within hours.
HONEST_EVENTS = ("voltage_loss", "current_loss", "phase_imbalance", "clock_drift", "other")
HONEST_EVENT_SHARE = 0.04
EVENT_HOURS = (0.2, 6.0)


def meter_events_table(world: World) -> pd.DataFrame:
    """Alarms of the data collection system: a few percent of meters raise one to three short
    events (a supply dip, a clock drift), each cleared within hours, named by the meter in service."""
    rng = np.random.default_rng(world.rng.integers(2**32))
    chosen = np.flatnonzero(rng.random(world.n_customers) < HONEST_EVENT_SHARE)
    customers = np.repeat(chosen, rng.integers(1, 4, len(chosen)))
    months = world.n_months
    month = rng.integers(0, months, len(customers))
    in_service = world.active[customers, month]
    customers, month = customers[in_service], month[in_service]
    seconds = rng.integers(0, 28 * 86400, len(customers)).astype("timedelta64[s]")
    event_at = world.month_starts[month].astype("datetime64[s]") + seconds
    lasted = (rng.uniform(*EVENT_HOURS, len(customers)) * 3600).astype(int)
    frame = pd.DataFrame(
        {
            "customer_id": world.customer_id[customers],
            "meter_id": _meter_at(world, customers, event_at.astype("datetime64[D]")),
            "event_at": event_at,
            "event": np.asarray(HONEST_EVENTS, dtype=object)[
                rng.integers(0, len(HONEST_EVENTS), len(customers))
            ],
            "cleared_at": event_at + lasted.astype("timedelta64[s]"),
        }
    )
    return frame.sort_values(["event_at", "customer_id"], ignore_index=True)


#: Honest adjustments after billing: share of customers, kinds, approvers and operators.
ADJUSTMENT_SHARE = 0.004
ADJUSTMENT_KINDS = ("refund", "backbill", "read_correction")
APPROVERS = ("营销部王主任", "营销部李主任", "客户服务中心赵主任")
OPERATORS = 40


def adjustments_table(world: World, bills: pd.DataFrame) -> pd.DataFrame:
    """Refunds, back-bills and read corrections after billing (退补), each approved and posted by an
    operator within weeks of the bill: a refund returns part of a bill, a back-bill adds to it."""
    rng = np.random.default_rng(world.rng.integers(2**32))
    chosen = bills.sample(
        n=min(round(ADJUSTMENT_SHARE * world.n_customers), len(bills)), random_state=rng
    ).sort_index()
    kind = np.asarray(ADJUSTMENT_KINDS, dtype=object)[rng.integers(0, 3, len(chosen))]
    share = rng.uniform(0.02, 0.15, len(chosen))
    amount = np.round(chosen["amount"].to_numpy(float) * share, 2)
    amount = np.where(kind == "refund", -amount, amount)
    period_end = (
        pd.PeriodIndex(chosen["period"].astype(str), freq="M").to_timestamp(how="end").normalize()
    )
    adjusted = np.minimum(
        period_end.to_numpy(dtype="datetime64[D]")
        + rng.integers(5, 40, len(chosen)).astype("timedelta64[D]"),
        world.end_date,
    )
    return pd.DataFrame(
        {
            "customer_id": chosen["customer_id"].astype(str).to_numpy(),
            "period": chosen["period"].astype(str).to_numpy(),
            "adjusted_at": adjusted,
            "kind": kind,
            "amount": amount,
            "approved_by": np.asarray(APPROVERS, dtype=object)[
                rng.integers(0, len(APPROVERS), len(chosen))
            ],
            "operator_id": [f"OP{i:04d}" for i in rng.integers(1, OPERATORS + 1, len(chosen))],
        }
    )


def lookalikes_table(world: World) -> pd.DataFrame:
    """Honest customers a naive rule could flag, by kind: those `world.lookalikes` made, every
    time-of-use customer (tou_bill) and every single household on tiers (tiered_bill), whose average
    rate equals no single rate. A customer an irregularity reached is not listed."""
    first_month = np.argmax(world.active, axis=1)
    tags = [
        pd.DataFrame({"customer": np.flatnonzero(mask), "kind": kind})
        for kind, mask in (("tou_bill", world.tou), ("tiered_bill", world.tier_scheme == "single"))
    ]
    for frame in tags:
        frame["from_month"] = first_month[frame["customer"].to_numpy()]
    made = pd.concat(world.lookalikes, ignore_index=True) if world.lookalikes else None
    if made is not None:  # one kind per customer: the one made on purpose
        tags = [frame[~frame["customer"].isin(made["customer"])] for frame in tags]
    frame = pd.concat([made, *tags], ignore_index=True)
    irregular = pd.concat(world.truth, ignore_index=True)["customer"] if world.truth else []
    frame = frame[~frame["customer"].isin(irregular)]
    table = pd.DataFrame(
        {
            "customer_id": world.customer_id[frame["customer"].to_numpy(dtype=int)],
            "kind": frame["kind"].to_numpy(object),
            "from_period": np.asarray(world.periods, dtype=object)[
                frame["from_month"].to_numpy(dtype=int)
            ],
        }
    )
    return table.sort_values(["kind", "customer_id"], ignore_index=True)


def truth_table(world: World) -> pd.DataFrame:
    """The injected irregularities: what a perfect audit would find."""
    frame = pd.concat(world.truth, ignore_index=True)
    frame.insert(0, "customer_id", world.customer_id[frame.pop("customer").to_numpy()])
    return frame.sort_values(["irregularity", "customer_id"], ignore_index=True)


def district_supply_table(world: World, bills: pd.DataFrame) -> pd.DataFrame:
    """Energy fed into each district: true consumption plus a technical loss of 4-7 %."""
    rng = np.random.default_rng(world.rng.integers(2**32))
    districts = sorted(set(world.district))
    true = pd.DataFrame(world.true_kwh, columns=world.periods)
    true["district"] = world.district
    consumed = true.groupby("district").sum().reindex(districts)
    loss = rng.uniform(0.04, 0.07, len(districts))[:, None] + rng.normal(0, 0.005, consumed.shape)
    supplied = np.round(consumed.to_numpy() / (1 - loss), 0)
    return pd.DataFrame(
        {
            "district": np.repeat(districts, len(world.periods)),
            "period": np.tile(world.periods, len(districts)),
            "kwh_supplied": supplied.ravel(),
        }
    )


def inspections_table(world: World, truth: pd.DataFrame, bills: pd.DataFrame) -> pd.DataFrame:
    """Field inspections of the last year: self-audits find less than cross- and special audits."""
    rng = np.random.default_rng(world.rng.integers(2**32))
    n = world.n_customers
    districts = sorted(set(world.district))
    position = {d: i for i, d in enumerate(districts)}
    kind = np.full(n, "", dtype=object)
    draw = rng.random(n)
    kind[draw < 0.04] = "self"
    kind[(draw >= 0.04) & (draw < 0.065)] = "cross"
    kind[(draw >= 0.065) & (draw < 0.075)] = "special"
    # Inspectors target suspicious accounts too: half of the irregular ones get an inspection.
    losing = truth.loc[truth["revenue_effect"] > 0, "customer_id"]
    irregular = pd.Index(world.customer_id).isin(losing)  # hash lookup: np.isin sorts objects
    extra = irregular & (kind == "") & (rng.random(n) < 0.5)
    kind[extra] = rng.choice(
        ["self", "cross", "special"], size=int(extra.sum()), p=[0.5, 0.35, 0.15]
    )
    if len(districts) < 2:  # no other district to cross-audit: its own would be a self-audit
        kind[kind == "cross"] = ""
    idx = np.flatnonzero(kind != "")
    home = np.array([position[d] for d in world.district[idx]])
    auditor = np.asarray(districts, dtype=object)[home]
    cross = kind[idx] == "cross"
    shift = rng.integers(1, max(len(districts), 2), size=len(idx))
    auditor[cross] = np.asarray(districts, dtype=object)[
        (home[cross] + shift[cross]) % len(districts)
    ]
    auditor[kind[idx] == "special"] = SPECIAL_AUDITOR
    # Self-audits detect 55 % of real errors (one district only 30 %), cross 85 %, special 90 %.
    detect = np.select([kind[idx] == "self", kind[idx] == "cross"], [0.55, 0.85], 0.90)
    detect = np.where((kind[idx] == "self") & (home == len(districts) - 1), 0.30, detect)
    found = irregular[idx] & (rng.random(len(idx)) < detect)
    found |= ~irregular[idx] & (rng.random(len(idx)) < 0.01)
    effect = truth.groupby("customer_id")["revenue_effect"].sum()
    last = bills[bills["period"].isin(world.periods[-3:])].groupby("customer_id")["amount"].sum()
    ids = world.customer_id[idx]
    book = last.reindex(ids).fillna(0.0).to_numpy()
    missing = effect.reindex(ids).fillna(0.0).to_numpy() / max(len(world.periods) / 3, 1)
    audited = np.where(
        found, book + np.where(missing > 0, missing, book * rng.uniform(0.02, 0.1)), book
    )
    days = rng.integers(0, 365, len(idx)).astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "customer_id": ids,
            "inspected_at": world.end_date - days,
            "audit_kind": kind[idx],
            "auditing_district": auditor,
            "error_found": found,
            "book_value": np.round(book, 2),
            "audited_value": np.round(audited, 2),
        }
    )
    frame = pd.concat(
        [_not_visited(frame, world, truth), _lookalike_visits(world, last, rng)], ignore_index=True
    )
    return frame.sort_values(["inspected_at", "customer_id"], ignore_index=True)


#: Irregularities that are the absence of a field visit (an alarm nobody went to check): their
#: customers are not inspected from the first day of the irregularity's month on.
UNINSPECTED = ("meter_event_unresolved",)
#: Honest look-alikes that are a field visit: a self-audit finds nothing wrong in the month after
#: the look-alike's month.
INSPECTED_LOOKALIKES = ("meter_event_inspected",)


def _not_visited(frame: pd.DataFrame, world: World, truth: pd.DataFrame) -> pd.DataFrame:
    """`frame` without the inspections of `UNINSPECTED` customers from their irregularity on."""
    unvisited = truth[truth["irregularity"].isin(UNINSPECTED)]
    since = pd.to_datetime(unvisited["from_period"].astype(str) + "-01")
    first = pd.Series(since.to_numpy(), index=unvisited["customer_id"].to_numpy()).groupby(level=0)
    first = first.min()
    seen = first.reindex(frame["customer_id"]).to_numpy(dtype="datetime64[ns]")
    late = ~np.isnat(seen) & (frame["inspected_at"].to_numpy(dtype="datetime64[ns]") >= seen)
    return frame[~late]


def _lookalike_visits(world: World, last: pd.Series, rng: np.random.Generator) -> pd.DataFrame:
    """A self-audit finding nothing, in the month after each `INSPECTED_LOOKALIKES` look-alike's
    month, of its customers."""
    none = pd.DataFrame({"customer": [], "kind": [], "from_month": []})
    tags = pd.concat(world.lookalikes or [none], ignore_index=True)
    visits = tags[tags["kind"].isin(INSPECTED_LOOKALIKES)]
    customers = visits["customer"].to_numpy(dtype=int)
    month = visits["from_month"].to_numpy(dtype=int) + 1
    day = rng.integers(0, 28, len(customers)).astype("timedelta64[D]")
    ids = world.customer_id[customers]
    book = np.round(last.reindex(ids).fillna(0.0).to_numpy(), 2)
    return pd.DataFrame(
        {
            "customer_id": ids,
            "inspected_at": np.minimum(world.month_starts[month] + day, world.end_date),
            "audit_kind": "self",
            "auditing_district": world.district[customers],
            "error_found": False,
            "book_value": book,
            "audited_value": book,
        }
    )


def daily_reads_table(world: World, days: int) -> pd.DataFrame:
    """Smart-meter daily energy for the last `days` days, spread from the monthly metered energy;
    a meter recording less from a day (`World.level_changes`) changes level on that day."""
    rng = np.random.default_rng(world.rng.integers(2**32))
    end = world.end_date
    dates = np.arange(end - np.timedelta64(days - 1, "D"), end + np.timedelta64(1, "D"))
    month_of = np.searchsorted(world.month_starts, dates, side="right") - 1
    days_in = np.array([pd.Timestamp(s).days_in_month for s in world.month_starts])[month_of]
    weekday = (dates.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    weekly = np.where(weekday >= 5, 0.9, 1.04)
    daily = world.metered_kwh[:, month_of] / days_in[None, :] * weekly[None, :]
    daily *= np.exp(rng.normal(0, 0.15, daily.shape) - 0.15**2 / 2)
    changes = _level_changes(world)
    level = np.where(
        dates[None, :] >= changes["date"].to_numpy("datetime64[D]")[:, None],
        changes["kept"].to_numpy()[:, None],
        1.0,
    )
    daily[changes["customer"].to_numpy()] *= level
    # Daily reads are differences of the register frozen at midnight: a whole month of them adds
    # up to the month's metered energy (its days in the window, their share of it); in the month
    # of a level change, its days before at the old level and from the day at the new.
    for month in np.unique(month_of):
        inside = month_of == month
        share = np.full(world.n_customers, inside.sum() / days_in[inside][0])
        share[changes["customer"].to_numpy()] = _share_of_level(
            changes, dates[inside], world.month_starts[month], days_in[inside][0]
        )
        total = daily[:, inside].sum(axis=1, keepdims=True)
        wanted = world.metered_kwh[:, month, None] * share[:, None]
        daily[:, inside] *= np.divide(wanted, total, out=np.zeros_like(total), where=total > 0)
    # Meters read by hand have no remote reading terminal, hence no daily reads.
    metered = world.active[:, month_of] & ~read_by_hand(world)[:, None]
    daily = np.where(metered, np.round(daily, 3), np.nan)
    rows, cols = np.nonzero(~np.isnan(daily))
    return pd.DataFrame(
        {"customer_id": world.customer_id[rows], "date": dates[cols], "kwh": daily[rows, cols]}
    )


def _level_changes(world: World) -> pd.DataFrame:
    """The meters recording a share of the energy from a day: customer, date, kept (one row each)."""
    if world.level_changes:
        return pd.concat(world.level_changes, ignore_index=True)
    return pd.DataFrame(
        {"customer": np.array([], np.int64), "date": np.array([], "datetime64[D]"), "kept": []}
    )


def _share_of_level(
    changes: pd.DataFrame, days: np.ndarray, month_start: np.datetime64, days_in: int
) -> np.ndarray:
    """Per level change, the share of its month's metered energy recorded on `days` (the days of
    that month in the window): the days at the full level count 1, those from the change `kept`."""
    first = changes["date"].to_numpy("datetime64[D]")
    kept = changes["kept"].to_numpy(float)
    low_in_window = (days[None, :] >= first[:, None]).sum(axis=1)
    month_end = month_start + np.timedelta64(days_in, "D")
    low_in_month = np.clip((month_end - first) // np.timedelta64(1, "D"), 0, days_in)
    window = len(days) - low_in_window + kept * low_in_window
    return window / (days_in - low_in_month + kept * low_in_month)

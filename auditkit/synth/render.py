"""Turn the world's arrays into the tables of the dataset contract (docs/data.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import auditkit.synth.catalog as catalog
from auditkit.synth.inject import schedule_rates
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
    street = np.asarray(catalog.STREETS, dtype=object)[rng.integers(0, len(catalog.STREETS), n)]
    address = (
        world.district + "区" + street + rng.integers(1, 999, n).astype(str).astype(object) + "号"
    )
    phone = np.char.add("1", rng.integers(3 * 10**9, 9 * 10**9, n).astype(str)).astype(object)
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
            "pt_ratio": world.pt,
            "meter_test_date": world.test_date,
            "meter_test_cycle_months": pd.array(world.test_cycle, dtype="Float64").astype("Int64"),
            "name": name,
            "address": address,
            "phone": phone,
        }
    )


def tariffs_table(world: World) -> pd.DataFrame:
    """The schedule: each tariff once before the price change and once from it."""
    change = pd.Timestamp(world.month_starts[world.price_change])
    rows = []
    for code, name, usage, before, after, kva, kw in catalog.TARIFFS:
        common = {
            "tariff_category": code,
            "tariff_name": name,
            "usage_type": usage,
            "basic_rate_kva_month": kva,
            "basic_rate_kw_month": kw,
        }
        rows.append(
            {
                **common,
                "energy_rate": before,
                "valid_from": pd.Timestamp("2018-01-01"),
                "valid_to": change - pd.Timedelta(days=1),
            }
        )
        rows.append({**common, "energy_rate": after, "valid_from": change, "valid_to": pd.NaT})
    frame = pd.DataFrame(rows)
    columns = [
        "tariff_category",
        "tariff_name",
        "usage_type",
        "energy_rate",
        "basic_rate_kva_month",
        "basic_rate_kw_month",
        "valid_from",
        "valid_to",
    ]
    return frame[columns].astype({"basic_rate_kva_month": float, "basic_rate_kw_month": float})


def _meter_units(world: World) -> np.ndarray:
    """Register advance per month (meter units, 2 decimals), estimated reads caught up later."""
    units = np.round(world.metered_kwh / (world.ct * world.pt)[:, None], 2)
    billed_units = units.copy()
    carry = np.zeros(world.n_customers)
    last_actual = units[:, 0].copy()
    for month in range(world.n_months):
        estimated = world.estimated[:, month]
        actual_due = units[:, month] + carry
        # Billing estimates conservatively (60 % of the last actual read) so the catch-up is positive.
        estimate = np.round(0.6 * last_actual, 2)
        billed_units[:, month] = np.where(estimated, estimate, np.maximum(actual_due, 0.0))
        carry = np.where(estimated, actual_due - estimate, np.minimum(actual_due, 0.0))
        last_actual = np.where(estimated | (units[:, month] == 0), last_actual, units[:, month])
    return billed_units


def bills_table(world: World) -> pd.DataFrame:
    """One bill per customer and active month, computed the way a billing system does."""
    n, m = world.n_customers, world.n_months
    units = _meter_units(world)
    rng = np.random.default_rng(world.rng.integers(2**32))
    start = np.zeros((n, m))
    end = np.zeros((n, m))
    register = np.round(rng.uniform(0, 50_000, n), 2)
    for month in range(m):
        register = np.where(
            world.meter_reset[:, month], 0.0, register + world.register_jump[:, month]
        )
        start[:, month] = register
        register = np.round(register + np.where(world.active[:, month], units[:, month], 0.0), 2)
        end[:, month] = register
    kwh = np.round((end - start) * world.multiplier_billed * world.billed_share, 2)
    energy, kva_rate, kw_rate = schedule_rates(world)
    rate = np.round(energy[world.tariff_billed, np.arange(m)[None, :]] * world.rate_factor, 4)
    demand = np.round(world.demand * world.demand_factor, 1)
    capacity_basis = (world.basis == "capacity")[:, None]
    demand_basis = (world.basis == "demand")[:, None]
    basic = np.where(capacity_basis, world.capacity_billed * kva_rate[world.tariff_billed], 0.0)
    basic = np.where(demand_basis, demand * kw_rate[world.tariff_billed], basic)
    basic = np.round(np.nan_to_num(basic), 2)
    energy_charge = np.round(kwh * rate, 2)
    rows, cols = np.nonzero(world.active)
    # Repeated text as categoricals: millions of rows built (and written) from a few codes.
    return pd.DataFrame(
        {
            "customer_id": pd.Categorical.from_codes(rows, categories=world.customer_id),
            "period": pd.Categorical.from_codes(cols, categories=world.periods),
            "register_start": start[rows, cols],
            "register_end": end[rows, cols],
            "multiplier_billed": world.multiplier_billed[rows, cols],
            "kwh_billed": kwh[rows, cols],
            "tariff_billed": pd.Categorical.from_codes(
                world.tariff_billed[rows, cols], categories=list(catalog.TARIFF_CODES)
            ),
            "energy_rate": rate[rows, cols],
            "energy_charge": energy_charge[rows, cols],
            "capacity_billed_kva": world.capacity_billed[rows, cols],
            "max_demand_kw": demand[rows, cols],
            "basic_charge": basic[rows, cols],
            "amount": np.round(energy_charge + basic, 2)[rows, cols],
            "read_type": pd.Categorical.from_codes(
                world.estimated[rows, cols].astype(np.int8), categories=["actual", "estimated"]
            ),
        }
    )


def work_orders_table(world: World) -> pd.DataFrame:
    """All work orders, numbered in issue order; steps after the export date are not done yet."""
    frame = pd.concat(world.orders, ignore_index=True)
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
    return pd.DataFrame(
        {
            "customer_id": ids,
            "inspected_at": world.end_date - days,
            "audit_kind": kind[idx],
            "auditing_district": auditor,
            "error_found": found,
            "book_value": np.round(book, 2),
            "audited_value": np.round(audited, 2),
        }
    ).sort_values(["inspected_at", "customer_id"], ignore_index=True)


def daily_reads_table(world: World, days: int) -> pd.DataFrame:
    """Smart-meter daily energy for the last `days` days, spread from the monthly metered energy."""
    rng = np.random.default_rng(world.rng.integers(2**32))
    end = world.end_date
    dates = np.arange(end - np.timedelta64(days - 1, "D"), end + np.timedelta64(1, "D"))
    month_of = np.searchsorted(world.month_starts, dates, side="right") - 1
    days_in = np.array([pd.Timestamp(s).days_in_month for s in world.month_starts])[month_of]
    weekday = (dates.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    weekly = np.where(weekday >= 5, 0.9, 1.04)
    daily = world.metered_kwh[:, month_of] / days_in[None, :] * weekly[None, :]
    daily *= np.exp(rng.normal(0, 0.15, daily.shape) - 0.15**2 / 2)
    daily = np.where(world.active[:, month_of], np.round(daily, 3), np.nan)
    rows, cols = np.nonzero(~np.isnan(daily))
    return pd.DataFrame(
        {"customer_id": world.customer_id[rows], "date": dates[cols], "kwh": daily[rows, cols]}
    )

"""Honest look-alikes: customers a naive rule would flag, tagged so false alarms on them can be counted.

A real export is full of customers who look irregular and are not: a seasonal business at zero for
months, a house standing empty, an industry falling together, a school on the household price, a
price change inside a read period, a connection in the middle of a month, an order posted late over a
weekend but within the working-day limit, a meter replaced with its order, a CT changed with its
order (billed at the old multiplier before, the new one after). Each kind here changes the
honest world the way that business really happens, tags the customers in `world.lookalikes`
(customer, kind, from_month) and marks them busy, so no irregularity is injected on them and every
finding on them is a false alarm (issue 14: no rule may fire on more than 1 % of a kind).
`render.lookalikes_table` writes them, with the time-of-use and tiered bills, as the `lookalikes` table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

import auditkit.synth.catalog as catalog
from auditkit.errors import ParameterError
from auditkit.synth.world import EV_CHARGING_INDUSTRY, World, working_day_after

#: Share of the eligible customers (not yet busy, but for the shared-meter exceptions the world made)
#: made into, or tagged as, each kind of look-alike.
DEFAULT_SHARES: dict[str, float] = {
    "industry_downturn": 0.05,  # of business customers, in whole industries (all districts)
    "shared_meter_exception": 1.0,  # of schools and care homes on the shared-meter price (all)
    "ev_charging_tariff": 1.0,  # of housing-estate EV charging posts on that price (all)
    "mid_month_price_change": 0.2,  # of customers whose read period straddles a price change
    "multiplier_change_with_order": 0.05,  # of CT-metered customers billed every month
    "seasonal_business": 0.10,  # of single-part commercial and agricultural customers
    "residential_vacancy": 0.03,  # of households
    "mid_month_connection": 0.015,  # of single-part customers (6 % connect in the window already)
    "late_legal_posting": 0.015,  # of active customers (an ownership transfer posted over weekends)
    "meter_replacement_joined": 0.015,  # of customers billed every month
}

#: Energy kept by an industry in a downturn (a 30-40 % fall), and the spread between its customers.
DOWNTURN_KEPT = (0.60, 0.70)
DOWNTURN_SPREAD = 0.05
#: Calendar months of an irrigation season (high) and of a summer resort's season, January first.
IRRIGATION_PROFILE = (0.04, 0.04, 0.06, 0.5, 1.6, 2.0, 2.2, 1.9, 1.0, 0.3, 0.05, 0.04)
RESORT_PROFILE = (0.12, 0.1, 0.15, 0.3, 0.8, 1.6, 2.2, 2.3, 1.3, 0.4, 0.12, 0.12)
#: Whole months a vacant household stays at zero.
VACANCY_MONTHS = (4, 8)
#: Day of the month of a mid-month connection (first bill covers the rest of the month).
CONNECTION_DAYS = (10, 28)
#: Step time limits of a work order (working days): transfer, registration, archiving.
ORDER_STEP_LIMITS = (3, 5, 10)
#: Months of the public holidays (Spring Festival, Qingming, Labour Day, Dragon Boat, Mid-Autumn,
#: National Day): late-but-legal postings are issued outside them, on working days, late by the
#: calendar over weekends.
HOLIDAY_MONTHS = (1, 2, 4, 5, 6, 9, 10)


def add_lookalikes(
    world: World,
    shares: Mapping[str, float] | None = None,
    held_back: np.ndarray | None = None,
) -> None:
    """Make each kind of honest look-alike at its share (`shares` overrides `DEFAULT_SHARES`).

    Call it on the honest world before irregularities are injected: the look-alikes are marked busy.
    The customers of `held_back` (those the irregularities need: `synth.build` passes them when
    `raises_shares`) are made into none, so that raised shares cannot take every customer an
    irregularity could go to; a kind tagged whatever the customer is busy with (the shared-meter
    exceptions) still tags them.
    """
    chosen = {**DEFAULT_SHARES, **check_shares(shares or {})}
    held = np.zeros(world.n_customers, dtype=bool)
    if held_back is not None:
        held[held_back] = ~world.busy[held_back]
    world.busy |= held
    made_before = len(world.lookalikes)
    for kind, make in MAKERS.items():
        make(world, chosen[kind])
    tagged = [frame["customer"].to_numpy() for frame in world.lookalikes[made_before:]]
    held[np.concatenate(tagged).astype(np.int64)] = False
    world.busy &= ~held


def raises_shares(shares: Mapping[str, float]) -> bool:
    """Whether a share is above its default: the look-alikes may then take the customers the
    irregularities need (seven kinds raised together once left 18 irregular customers of 2 kinds
    out of 110 of 33), so `synth.build` holds those back."""
    return any(share > DEFAULT_SHARES[kind] for kind, share in check_shares(shares).items())


def check_shares(shares: Mapping[str, float]) -> Mapping[str, float]:
    """Refuse a kind this module does not make, or a share that is no number from 0 to 1, naming it."""
    for kind, share in shares.items():
        if kind not in DEFAULT_SHARES:
            raise ParameterError(
                "lookalikes", f"look-alike kinds among {sorted(DEFAULT_SHARES)}", kind
            )
        number = isinstance(share, int | float) and not isinstance(share, bool)
        if not number or not 0 <= share <= 1:
            raise ParameterError(f"lookalikes.{kind}", "a share from 0 to 1", share)
    return shares


def false_alarms(
    findings: pd.DataFrame, lookalikes: pd.DataFrame, rule_ids: list[str] | None = None
) -> pd.DataFrame:
    """Per rule and look-alike kind: customers of the kind, those the rule fired on, and the share.

    Every look-alike is honest, so each of its findings is a false alarm. `rule_ids` lists the
    rules that ran (default: those in findings), so a rule that fired on none still shows zeros.
    """
    ids = rule_ids or sorted(set(findings["rule_id"]))
    kinds = lookalikes.groupby("kind")["customer_id"].nunique()
    fired = (
        findings[["rule_id", "customer_id"]]
        .drop_duplicates()
        .merge(lookalikes[["customer_id", "kind"]].drop_duplicates(), on="customer_id")
        .groupby(["rule_id", "kind"])["customer_id"]
        .nunique()
    )
    grid = pd.MultiIndex.from_product([ids, kinds.index], names=["rule_id", "kind"])
    frame = fired.reindex(grid, fill_value=0).rename("flagged").reset_index()
    frame.insert(2, "customers", kinds.reindex(frame["kind"]).to_numpy())
    frame["share"] = frame["flagged"] / frame["customers"]
    return frame


def _tag(world: World, customers: np.ndarray, kind: str, from_month: np.ndarray) -> None:
    world.busy[customers] = True
    world.lookalikes.append(
        pd.DataFrame(
            {
                "customer": customers,
                "kind": kind,
                "from_month": np.asarray(from_month, dtype=int),
            }
        )
    )


def _single_part_all_months(world: World) -> np.ndarray:
    return ~world.is_two_part() & world.active.all(axis=1) & (world.status == "active")


def _set_consumption(world: World, idx: np.ndarray, kwh: np.ndarray) -> None:
    """Replace the consumption of honest customers `idx` (metered = true), demand following it."""
    ratio = np.divide(
        kwh, world.true_kwh[idx], out=np.zeros_like(kwh), where=world.true_kwh[idx] > 0
    )
    world.demand[idx] *= ratio
    world.true_kwh[idx] = kwh
    world.metered_kwh[idx] = kwh


def industry_downturn(world: World, share: float) -> None:
    """Every business of one industry, in every district, uses 30-40 % less from the same month.

    Each customer's fall is a theft's fall; what tells them apart is that the industry's peers
    fall too, in its district and in the others (a downturn is the industry's, not a district's:
    a few customers of one district falling together is what collusion looks like). Whole
    industries are taken (busy members fall with them) until the not-busy ones reach `share` of
    the business customers; an industry needs at least two, and no more than `share` (no sector
    larger than the look-alike is made to fall). EV charging posts are left to their own
    look-alike (`ev_charging_tariff`).
    """
    m = world.n_months
    business = (
        np.isin(world.usage, ["commercial", "industrial"])
        & ~np.isin(world.industry, catalog.SHARED_METER_INDUSTRIES)
        & (world.industry != EV_CHARGING_INDUSTRY)
    )
    wanted = round(share * int(business.sum()))
    industries = pd.Series(world.industry)[business]
    groups = industries.groupby(industries).groups
    names = sorted(groups)
    tagged = 0
    for pick in world.rng.permutation(len(names)):
        if tagged >= wanted:
            break
        members = np.asarray(groups[names[pick]], dtype=int)
        free = members[~world.busy[members] & world.active[members].all(axis=1)]
        if not 2 <= len(free) <= wanted:
            continue
        month = int(world.rng.integers(m - 14, m - 5))
        kept = world.rng.uniform(*DOWNTURN_KEPT) * world.rng.uniform(
            1 - DOWNTURN_SPREAD, 1 + DOWNTURN_SPREAD, len(members)
        )
        after = np.arange(m)[None, :] >= month
        _set_consumption(
            world, members, world.true_kwh[members] * np.where(after, kept[:, None], 1.0)
        )
        _tag(world, free, "industry_downturn", np.full(len(free), month))
        tagged += len(free)


def shared_meter_exception(world: World, share: float) -> None:
    """Schools and care homes on the residential shared-meter price: public use on a household tariff,
    which is what 高价低接 looks like, allowed to these industries (DOMAIN.md).

    The world makes them; this tags `share` of them, those busy with an honest order too (the order
    does not change the tariff).
    """
    res = catalog.TARIFF_CODES.index("RES")
    eligible = (
        np.isin(world.industry, catalog.SHARED_METER_INDUSTRIES)
        & (world.tier_scheme == "shared")
        & (world.tariff == res)
        & (world.usage != "residential")
    )
    idx = np.flatnonzero(eligible & (world.rng.random(world.n_customers) < share))
    _tag(world, idx, "shared_meter_exception", np.zeros(len(idx), dtype=int))


def ev_charging_tariff(world: World, share: float) -> None:
    """EV charging posts of housing estates on the residential shared-meter price: a shop's usage
    on a household tariff, allowed to EV charging (发改价格〔2014〕1668号). The world makes them;
    this tags the first `share` of those not busy (drawing nothing: the utility's random stream
    stays as it was)."""
    res = catalog.TARIFF_CODES.index("RES")
    eligible = (world.industry == EV_CHARGING_INDUSTRY) & (world.tariff == res) & ~world.busy
    idx = np.flatnonzero(eligible)
    idx = idx[: round(share * len(idx))]
    _tag(world, idx, "ev_charging_tariff", np.zeros(len(idx), dtype=int))


def mid_month_price_change(world: World, share: float) -> None:
    """Bills whose read period straddles a price change: the agricultural and public categories'
    change on the 16th, and the main change on the 1st for customers read on the 25th.

    The bill prices the read days on each side at their rate, so its average rate equals neither.
    """
    calendar = world.calendar
    mid_codes = [catalog.TARIFF_CODES.index(code) for code in catalog.MID_MONTH_CODES]
    everyone = np.arange(world.n_customers)
    month = np.full(world.n_customers, calendar.mid_change)
    on_mid = np.isin(world.tariff_billed[:, calendar.mid_change], mid_codes)
    on_25th = world.reads_on_25th()
    month[on_25th & ~on_mid] = calendar.price_change
    day = np.where(
        month == calendar.mid_change,
        np.datetime64(calendar.mid_day().date(), "D"),
        np.datetime64(calendar.change_day().date(), "D"),
    ).astype(np.int64)
    read_from, read_to, _ = world.read_period(everyone, month)
    straddles = (read_from < day) & (day <= read_to) & world.active[everyone, month]
    idx = world.pick(straddles & (on_mid | on_25th), share)
    _tag(world, idx, "mid_month_price_change", month[idx])


def seasonal_business(world: World, share: float) -> None:
    """Irrigation pumps and summer resorts: a few percent of their season's load out of season.

    A naive drop or zero-consumption rule sees the off-season as a meter that stopped or a theft.
    """
    eligible = _single_part_all_months(world) & np.isin(world.usage, ["agricultural", "commercial"])
    idx = world.pick(eligible, share)
    profile = np.where(
        (world.usage[idx] == "agricultural")[:, None],
        np.asarray(IRRIGATION_PROFILE)[None, :],
        np.asarray(RESORT_PROFILE)[None, :],
    )
    calendar = world.month_numbers % 12
    level = world.true_kwh[idx].mean(axis=1, keepdims=True)
    noise = np.exp(world.rng.normal(0.0, 0.08, (len(idx), world.n_months)))
    _set_consumption(world, idx, level * profile[:, calendar] * noise)
    # Read every month: an estimate from the season's last read would be caught up by zero bills,
    # which is the estimate's look-alike, not the season's.
    world.estimated[idx] = False
    _tag(world, idx, "seasonal_business", np.zeros(len(idx), dtype=int))


def residential_vacancy(world: World, share: float) -> None:
    """A household away for four to eight whole months: registers stand still, then use resumes.

    Zero kWh for months is what a stopped meter shows; the difference is that use comes back with
    no meter replacement.
    """
    m = world.n_months
    idx = world.pick((world.usage == "residential") & _single_part_all_months(world), share)
    length = world.rng.integers(VACANCY_MONTHS[0], VACANCY_MONTHS[1] + 1, size=len(idx))
    start = world.rng.integers(6, m - length - 1)
    months = np.arange(m)[None, :]
    empty = (months >= start[:, None]) & (months < (start + length)[:, None])
    _set_consumption(world, idx, np.where(empty, 0.0, world.true_kwh[idx]))
    world.estimated[idx] = False  # the reader finds the registers still; nothing to estimate
    _tag(world, idx, "residential_vacancy", start)


def mid_month_connection(world: World, share: float) -> None:
    """A customer connected on day 10 to 28 of a month: the first bill covers the days since then.

    Its first month is low and its history short, which a drop or rate rule must not read as a fall.
    """
    m = world.n_months
    idx = world.pick(_single_part_all_months(world), share)
    month = world.rng.integers(3, m - 3, size=len(idx))
    day = world.rng.integers(CONNECTION_DAYS[0], CONNECTION_DAYS[1] + 1, size=len(idx))
    served = connect_mid_month(world, idx, month, day)
    _set_consumption(world, idx, world.true_kwh[idx] * served)
    months = np.arange(m)[None, :]
    world.estimated[idx] &= months > month[:, None]
    _tag(world, idx, "mid_month_connection", month)


def connect_mid_month(
    world: World, idx: np.ndarray, month: np.ndarray, day: np.ndarray
) -> np.ndarray:
    """Connect customers `idx` on `day` of `month` (month indices) with a new-connection order:
    the archive's connection date, no bills before that month. Returns, per customer and month,
    the share of the month served (0 before, the days since connection in `month`, 1 after),
    for the caller to scale its consumption by."""
    starts = world.month_starts[month]
    world.conn_date[idx] = starts + (day - 1).astype("timedelta64[D]")
    days_in_month = world.days_in_month[month]
    served = (days_in_month - day + 1) / days_in_month
    months = np.arange(world.n_months)[None, :]
    share = np.where(months < month[:, None], 0.0, 1.0)
    share = np.where(months == month[:, None], served[:, None], share)
    world.active[idx] &= months >= month[:, None]
    world.add_orders(
        idx,
        "new_connection",
        month,
        np.full(len(idx), ""),
        world.capacity[idx],
        lead_days=(10, 40),
        effective=world.conn_date[idx],
    )
    return share


def late_legal_posting(world: World, share: float) -> None:
    """An ownership transfer whose steps take more calendar days than the limit, not working days.

    Issued on a Thursday or Friday, each step done one working day inside its limit (working days
    of the Chinese calendar, as the rule counts them): the weekends make the calendar-day gaps
    exceed the limits of 3 / 5 / 10 days.
    """
    idx = world.pick(world.active.all(axis=1) & (world.status == "active"), share)
    issued = _thursday_or_friday(world, len(idx))
    steps = [issued]
    for limit in ORDER_STEP_LIMITS:
        steps.append(working_day_after(steps[-1], np.full(len(idx), limit - 1)))
    month = np.searchsorted(world.month_starts, issued, side="right") - 1
    orders = world.add_orders(
        idx, "ownership_transfer", month, np.full(len(idx), ""), np.full(len(idx), "")
    )
    for column, dates in zip(
        ("issued_at", "transferred_at", "registered_at", "archived_at"), steps, strict=True
    ):
        orders[column] = dates
    orders["effective_date"] = steps[-1]
    _tag(world, idx, "late_legal_posting", month)


def _thursday_or_friday(world: World, count: int) -> np.ndarray:
    """Thursdays or Fridays of the first half of months outside the holiday months, early enough
    in the data window for the order to be done by the export."""
    calendar = world.month_numbers % 12 + 1
    months = np.flatnonzero(~np.isin(calendar, HOLIDAY_MONTHS))
    months = months[(months >= 1) & (months <= world.n_months - 3)]
    starts = world.month_starts[world.rng.choice(months, size=count)]
    weekday = (starts.view("int64") - 4) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    to_thursday = (3 - weekday) % 7
    offset = to_thursday + 7 * world.rng.integers(0, 2, count) + world.rng.integers(0, 2, count)
    return starts + offset.astype("timedelta64[D]")


def meter_replacement_joined(world: World, share: float) -> None:
    """A meter replaced with its order: the new register starts over, no energy lost between them.

    The register reset is what a tampered register looks like; the order and the joined reads explain it.
    """
    idx = world.pick(world.active.all(axis=1) & (world.status == "active"), share)
    month = world.rng.integers(3, world.n_months - 3, size=len(idx))
    world.replace_meter(idx, month)
    _tag(world, idx, "meter_replacement_joined", month)


def multiplier_change_with_order(world: World, share: float) -> None:
    """A CT changed one standard size up or down (the load outgrew it, or fell below its accurate
    range), with the meter behind it, on a meter_replacement order recording the old and new
    multiplier: bills before at the old CT × PT, from the change at the new one, which the archive
    now holds; the new register starts at zero.

    A multiplier that differs from the archive, changes between bills and a register reset are
    what a wrong multiplier or a tampered register look like; the order explains all three, and
    the kWh carry on as before.
    """
    m = world.n_months
    eligible = (world.ct > 1) & world.active.all(axis=1) & (world.status == "active")
    idx = world.pick(eligible, share)
    month = world.rng.integers(3, m - 3, size=len(idx))
    primaries = catalog.CT_PRIMARIES
    secondary = world.ct_secondary[idx]
    size = np.searchsorted(primaries, world.ct[idx] * secondary)
    up = (size == 0) | ((world.rng.random(len(idx)) < 0.5) & (size < len(primaries) - 1))
    new_ct = primaries[np.where(up, size + 1, size - 1)] / secondary
    old = world.multiplier[idx, 0]
    new = new_ct * world.pt[idx]
    after = np.arange(m)[None, :] >= month[:, None]
    world.multiplier[idx] = np.where(after, new[:, None], old[:, None])
    world.multiplier_billed[idx] = world.multiplier[idx]
    world.ct[idx] = new_ct
    world.replace_meter(idx, month, old_value=old, new_value=new)
    _tag(world, idx, "multiplier_change_with_order", month)


MAKERS: dict[str, Callable[[World, float], None]] = {
    "industry_downturn": industry_downturn,  # first: it takes whole groups
    "shared_meter_exception": shared_meter_exception,
    "ev_charging_tariff": ev_charging_tariff,
    "mid_month_price_change": mid_month_price_change,
    "multiplier_change_with_order": multiplier_change_with_order,  # before others take CT customers
    "seasonal_business": seasonal_business,
    "residential_vacancy": residential_vacancy,
    "mid_month_connection": mid_month_connection,
    "late_legal_posting": late_legal_posting,
    "meter_replacement_joined": meter_replacement_joined,
}

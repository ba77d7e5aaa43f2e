"""Theft detection on REAL household consumption: `stats.theft_scores` and a peer baseline.

The data are the 17 single-family homes of the CityLearn Challenge 2022 (Sierra Crest, Fontana,
California): one year (1 August 2016 - 30 July 2017) of hourly metered electricity demand per home,
shipped inside the `citylearn` package (MIT licence) up to release 2.1.2 (2.2.0 onwards do not ship
it). Those releases pin pandas 1.3.5, so they cannot be a declared dependency of auditkit;
install the data without its dependencies (nothing of citylearn is imported, the CSV files are read
from its folder):

    .venv/bin/pip install --no-deps "citylearn==2.1.2"
    PYTHONPATH=. .venv/bin/python benchmarks/theft_real.py                 # report series, seed 1
    PYTHONPATH=. .venv/bin/python benchmarks/theft_real.py --split tune    # the tuning series

**Tuning and reporting series are kept apart by home**: homes whose number is a multiple of 3
(3, 6, 9, 12, 15) are the tuning set, the other 12 the report set. A method is designed and
tuned on `--split tune` and its figures are quoted from `--split report` only.

A population of customers is built from the homes of one split, two years (728 days) each:
  - each customer copies one home (round robin). Its two years are the real year and a seasonal
    resample of it (each week replaced by a week of the same home at most two weeks away, so the
    weather and habits differ but the season holds), in random order; the second year carries an
    own level change (year shift, lognormal sd 0.1). Own scale (lognormal sd 0.5), own day-to-day
    noise (lognormal, sd uniform 0.05-0.2), 0.5 % missing reads;
  - honest look-alikes, never attacked: `vacancy` (30-90 days at 2-15 % in the last year, then
    back), `seasonal` (the same 4-6 months of both years at 10-40 %: a holiday home),
    `lasting_fall` (from a day of the last year to the end at 50-80 %: fewer occupants) and
    `moved_out` (from a day of the last year to the end at 2-10 %); and `holiday` (1-3 weeks at
    10-35 %, in each year with probability 0.3), which any customer may have, thieves included;
  - attacks (20 % of customers by default) from a random day of the last year (leaving at least
    28 days) to the end: Jokar et al. (2016) h1-h6 on the daily series
    (`auditkit.stats.attacks.inject_attacks`) and the four of issue 16:
      scaling        every day x a, a ~ U(0.5, 0.8)
      days_bypassed  each day bypassed (read 0) with probability p ~ U(0.2, 0.6)
      day_factors    each day x b_t, b_t ~ U(0.3, 1.0)
      flattened      every day at q x the attacked days' mean, q ~ U(0.4, 0.8)

Reported per attack kind (positives: that kind; negatives: every honest customer): AUC, MAP@50
and precision / recall at a stated threshold, and the share of each look-alike kind above the
threshold, for `theft_scores` on the daily reads (threshold: score > 3) and for the baseline
(threshold: 20 % below its peers, see `baseline_scores`). Deterministic by `--seed`.
Records: a utility knows more than the series. `draw_work_orders` gives the population the work
orders a utility would hold: an ownership transfer or a closure, dated -3..+7 days from the move,
for `--recorded-share` (default 0.8) of the moved-out homes (an owner who sells or closes leaves
one, a tenant leaving a landlord's account none), a suspension for 10 % of the vacancies, and a
meter replacement near the first tampered day of 5 % of the thieves (which explains nothing);
`lasting_fall` homes (fewer occupants) have no record, and no thief has an order that explains.
The figures are printed without the records, then with them (`theft_scores(...,
work_orders=...)`, the explained customers ranked after every unexplained one).

Why per-kind MAP@50 with the look-alikes mixed in is bounded for `scaling`: a `lasting_fall` home
is drawn from exactly the law of the `scaling` attack (a day of the last year, then every day x
U(0.5, 0.8)) and leaves no record, so no method, with or without orders, can rank one above the
other but by chance. An oracle that ranks every other customer perfectly still draws the top 50
of scaling's ranking at random from the P scaling thieves and the L lasting falls: about
P / (P + L) of it are thieves. "oracle MAP@50" (`oracle_map`, the mean over ORACLE_DRAWS random
orders) is that bound per kind: 1 where no look-alike shares the kind's law (`SAME_LAW`); it is
an upper bound, as laws that overlap without being equal (a move-out at 2-10 % and h1 with
a = 0.1) count as separable.

`--one-year` scores the last year's reads alone (the attacks and look-alikes are the same; the
year before is dropped, so every customer is compared with its own days and its peers only).

`--hourly` builds the same population on the homes' hours (`hourly_benchmark`: each customer's
clock shifted by up to two hours, hour-to-hour noise, an empty home's days shaped like its home's
emptiest real days), adds three honest changes of the day's shape (`add_hourly_lookalikes`: a new
appliance charging at night, working from home, a shift to the valley under a time-of-use
tariff), attacks the hours of every day from the start (`tamper_hours`: Jokar h1-h6 as published,
on the hours of each day, and issue 16's four on whole days), and reports `theft_scores` on the
daily totals alone and with the interval reads (`theft.add_profile_scores`), through the matrix
entry points (a long table of 52 million hourly reads would not fit the shared machine):

    PYTHONPATH=. .venv/bin/python benchmarks/theft_real.py --hourly             # report split
    PYTHONPATH=. .venv/bin/python benchmarks/theft_real.py --hourly --split tune
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from auditkit.stats import theft_scores
from auditkit.stats.attacks import ATTACKS, ENERGY_REDUCING, inject_attacks
from auditkit.stats.metrics import map_at_n, roc_auc
from auditkit.stats.theft import add_profile_scores, score_daily_shifts

DATASET = "citylearn_challenge_2022_phase_all"
LOAD_COLUMN = "Equipment Electric Power [kWh]"
HOMES = tuple(range(1, 18))
SPLITS = {
    "tune": tuple(home for home in HOMES if home % 3 == 0),
    "report": tuple(home for home in HOMES if home % 3 != 0),
}
INSTALL_HINT = (
    "benchmarks/theft_real.py reads the CityLearn 2022 homes shipped in citylearn 2.1.2: "
    'install them with  .venv/bin/pip install --no-deps "citylearn==2.1.2"'
)
DAYS_PER_YEAR = 364  # whole weeks: both years start on a Monday, like 1 August 2016
FIRST_DAY = pd.Timestamp("2022-08-01")  # a Monday: weekdays line up with the source year
MIN_ATTACK_DAYS = 28
ISSUE_ATTACKS = ("scaling", "days_bypassed", "day_factors", "flattened")
LOOKALIKES = ("vacancy", "seasonal", "lasting_fall", "moved_out")
#: Share of all customers with each exclusive look-alike (the holiday is drawn separately).
LOOKALIKE_SHARES = {"vacancy": 0.03, "seasonal": 0.03, "lasting_fall": 0.02, "moved_out": 0.01}
#: With --hourly: honest changes of the day's shape (`add_hourly_lookalikes`).
HOURLY_LOOKALIKE_SHARES = {"new_appliance": 0.03, "work_from_home": 0.03, "tou_shift": 0.03}
HOLIDAY_CHANCE_PER_YEAR = 0.3
TOP_N = 50
THEFT_SCORE_THRESHOLD = 3.0
#: Share of moved-out homes whose move left a work order (--recorded-share): an owner who sells
#: or closes the account leaves one; a tenant leaving a landlord's account leaves none (about one
#: urban household in five rents).
RECORDED_SHARE = 0.8
#: Orders recording a move, drawn evenly: the home passed to a new holder, the account closed.
MOVE_ORDERS = ("ownership_transfer", "closure")
#: Days from the first day of a recorded change to the order's effective date (paperwork).
ORDER_LAG_DAYS = (-3, 7)
#: Share of vacancies suspended by an order from their first day (rare for a household).
VACANCY_SUSPENDED_SHARE = 0.1
#: Share of thieves with a meter replacement within ORDER_LAG_DAYS of their first tampered day
#: (tampering at a meter change is a classic): it explains nothing.
THIEF_REPLACEMENT_SHARE = 0.05
#: Honest look-alikes drawn from exactly the law of an attack (`add_lookalikes`,
#: `tamper_issue_attack`): no method can tell them apart from the attacked series.
SAME_LAW = {"scaling": "lasting_fall"}
#: Every attack kind of the benchmark: Jokar h1-h6, then issue 16's four.
ALL_KINDS = (*ATTACKS, *ISSUE_ATTACKS)
#: Random orders of indistinguishable series averaged for the oracle's MAP@50 (±0.005).
ORACLE_DRAWS = 4000
#: Baseline threshold: recent level at least 20 % below what own past and peers predict.
BASELINE_THRESHOLD = float(-np.log(0.8))
BASELINE_WINDOWS = (30, 91, 182)


def load_daily_kwh(homes: tuple[int, ...]) -> np.ndarray:
    """Daily kWh (homes x 364 days, 1 Aug 2016 - 30 Jul 2017) of the CityLearn 2022 homes."""
    return close_the_year(read_hours(homes).sum(axis=2))


def load_hourly_kwh(homes: tuple[int, ...]) -> np.ndarray:
    """Hourly kWh (homes x 364 days x 24 hours) of the CityLearn 2022 homes, each day scaled as
    `load_daily_kwh` scales it (so its hours add up to the daily series)."""
    hours = read_hours(homes)
    daily = hours.sum(axis=2)
    return hours * (close_the_year(daily) / daily)[:, :, None]


def read_hours(homes: tuple[int, ...]) -> np.ndarray:
    """Metered kWh (homes x 364 days x 24 hours) as the CityLearn files give them."""
    spec = importlib.util.find_spec("citylearn")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(INSTALL_HINT)
    folder = Path(next(iter(spec.submodule_search_locations))) / "data" / DATASET
    series = []
    for home in homes:
        path = folder / f"Building_{home}.csv"
        if not path.is_file():
            raise SystemExit(f"{path} not found. {INSTALL_HINT}")
        frame = pd.read_csv(path, usecols=["Hour", LOAD_COLUMN])
        # Hour-ending rows: row 0 is 24:00 of 31 July; whole days are rows 1-24, 25-48, ...
        hours = frame["Hour"].to_numpy()[1 : 1 + 24 * DAYS_PER_YEAR].reshape(DAYS_PER_YEAR, 24)
        if not (hours == np.arange(1, 25)).all():
            raise SystemExit(f"{path}: column Hour is not 1..24 for every day from row 2")
        load = frame[LOAD_COLUMN].to_numpy(dtype=float)[1 : 1 + 24 * DAYS_PER_YEAR]
        series.append(load.reshape(DAYS_PER_YEAR, 24))
    return np.stack(series)


def close_the_year(daily: np.ndarray) -> np.ndarray:
    """Each row with a log-linear trend removed so that its last 4 weeks meet its first 4.

    A customer's two years are built from one year, so late July is followed by early August of
    the year before: without this, a home whose use grew over the year would show a drop there
    that no real customer has. Only the within-year drift goes; seasons and days stay real.
    """
    log_kwh = np.log(np.maximum(daily, 1e-3))
    drift = log_kwh[:, -28:].mean(axis=1) - log_kwh[:, :28].mean(axis=1)
    days = np.arange(daily.shape[1])
    slope = drift / (daily.shape[1] - 28)
    return daily * np.exp(-slope[:, None] * (days - days.mean()))


def seasonal_resample(year: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each row's year (days, or days x hours) with every week replaced by a week of the same row
    at most 2 weeks away."""
    rows, days = year.shape[:2]
    weeks = days // 7
    source_week = np.clip(np.arange(weeks) + rng.integers(-2, 3, size=(rows, weeks)), 0, weeks - 1)
    day_index = (source_week[:, :, None] * 7 + np.arange(7)).reshape(rows, days)
    return np.take_along_axis(year, per_day(day_index, year.ndim), axis=1)


def per_row(values: np.ndarray, ndim: int) -> np.ndarray:
    """One value per customer shaped to multiply a customers x days (x hours) array."""
    return values.reshape((-1,) + (1,) * (ndim - 1))


def per_day(values: np.ndarray, ndim: int) -> np.ndarray:
    """One value per customer and day shaped to multiply a customers x days (x hours) array."""
    return values.reshape(values.shape + (1,) * (ndim - 2))


def build_population(
    source: np.ndarray, homes: tuple[int, ...], customers: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Honest kWh (customers x 728 days, or x 24 hours for an hourly `source`) and the source
    home of each customer; the day-to-day noise scales whole days."""
    home_row = np.arange(customers) % len(homes)
    real = source[home_row]
    resampled = seasonal_resample(real, rng)
    real_first = per_row(rng.random(customers) < 0.5, real.ndim)
    year_shift = per_row(np.exp(rng.normal(0.0, 0.1, customers)), real.ndim)
    kwh = np.concatenate(
        [np.where(real_first, real, resampled), np.where(real_first, resampled, real) * year_shift],
        axis=1,
    )
    kwh *= per_row(np.exp(rng.normal(0.0, 0.5, customers)), kwh.ndim)
    sigma = rng.uniform(0.05, 0.2, customers)[:, None]
    kwh *= per_day(np.exp(sigma * rng.standard_normal(kwh.shape[:2]) - sigma**2 / 2), kwh.ndim)
    return kwh, np.asarray(homes)[home_row]


def add_lookalikes(kwh: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Honest look-alikes on whole days (of a customers x days, or x hours, array), in place;
    returns each customer's exclusive kind ("" for none) and the column its change starts at
    (the vacancy's, the move's or the fall's first day; -1 for none and for `seasonal`)."""
    customers, days = kwh.shape[:2]
    last_year = days - DAYS_PER_YEAR
    kinds = np.full(customers, "", dtype=object)
    change_day = np.full(customers, -1)
    order = rng.permutation(customers)
    taken = 0
    for kind in LOOKALIKES:
        count = round(LOOKALIKE_SHARES[kind] * customers)
        rows = order[taken : taken + count]
        taken += count
        kinds[rows] = kind
        for row in rows:
            if kind == "vacancy":
                length = rng.integers(30, 91)
                start = rng.integers(last_year, days - length)
                kwh[row, start : start + length] *= rng.uniform(0.02, 0.15)
                change_day[row] = start
            elif kind == "seasonal":
                months = rng.integers(4, 7)
                start = rng.integers(0, 12)
                off_season = (np.arange(days) // 30.4 - start) % 12 < months
                kwh[row, off_season] *= rng.uniform(0.1, 0.4)
            else:
                start = rng.integers(last_year, days - MIN_ATTACK_DAYS)
                low, high = (0.5, 0.8) if kind == "lasting_fall" else (0.02, 0.1)
                kwh[row, start:] *= rng.uniform(low, high)
                change_day[row] = start
    for first_day in (0, last_year):
        for row in np.flatnonzero(rng.random(customers) < HOLIDAY_CHANCE_PER_YEAR):
            length = rng.integers(7, 22)
            start = first_day + rng.integers(0, DAYS_PER_YEAR - length)
            kwh[row, start : start + length] *= rng.uniform(0.1, 0.35)
    return kinds, change_day


def tamper_issue_attack(kind: str, window: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The days `window` after one of issue 16's four attacks (module docstring)."""
    if kind == "scaling":
        return window * rng.uniform(0.5, 0.8)
    if kind == "days_bypassed":
        return np.where(rng.random(window.size) < rng.uniform(0.2, 0.6), 0.0, window)
    if kind == "day_factors":
        return window * rng.uniform(0.3, 1.0, window.size)
    return np.full_like(window, rng.uniform(0.4, 0.8) * np.nanmean(window))


def to_reads(kwh: np.ndarray, ids: np.ndarray) -> pd.DataFrame:
    """Long `customer_id, date, kwh` table of a customers x days matrix."""
    customers, days = kwh.shape
    dates = pd.date_range(FIRST_DAY, periods=days, freq="D")
    return pd.DataFrame(
        {
            "customer_id": np.repeat(ids, days),
            "date": np.tile(dates, customers),
            "kwh": np.round(kwh.ravel(), 3),
        }
    )


def build_benchmark(
    split: str,
    customers: int,
    attack_share: float,
    seed: int,
    kinds: tuple[str, ...] = ALL_KINDS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tampered daily reads of the population and one label row per customer.

    The attacked customers share `kinds` in proportion (Jokar's through `inject_attacks`, issue
    16's drawn evenly among those chosen); the honest customers and their look-alikes are the
    same for every `kinds` of one seed, as they are drawn first.

    Labels: customer_id, home, attack ("" for honest), start (first tampered date), lookalike
    (exclusive kind or ""), lookalike_start (its first changed day: vacancy, lasting_fall and
    moved_out; NaT otherwise), holiday_last_year (bool).
    """
    homes = SPLITS[split]
    rng = np.random.default_rng(seed)
    kwh, home = build_population(load_daily_kwh(homes), homes, customers, rng)
    before_holidays = kwh.copy()
    lookalike, lookalike_start = add_lookalikes(kwh, rng)
    last_year = kwh.shape[1] - DAYS_PER_YEAR
    holiday = (kwh[:, last_year:] < before_holidays[:, last_year:]).any(axis=1) & (lookalike == "")
    kwh[rng.random(kwh.shape) < 0.005] = np.nan
    ids = np.array([f"C{i:05d}" for i in range(customers)])

    eligible = np.flatnonzero(lookalike == "")
    attacked = round(attack_share * customers)
    jokar = tuple(kind for kind in kinds if kind in ATTACKS)
    issue = tuple(kind for kind in kinds if kind in ISSUE_ATTACKS)
    jokar_count = round(attacked * len(jokar) / len(kinds))
    reads = to_reads(kwh, ids)
    labels = pd.DataFrame({"attack": "", "start": pd.NaT}, index=pd.Index(ids, name="customer_id"))
    if jokar_count:
        eligible_reads = reads["customer_id"].isin(ids[eligible])
        injected = inject_attacks(
            reads[eligible_reads],
            fraction=jokar_count / len(eligible),
            seed=seed + 1,
            attacks=jokar,
            min_history=last_year,
            min_duration=MIN_ATTACK_DAYS,
        )
        reads.loc[eligible_reads, "kwh"] = injected.reads["kwh"].to_numpy()
        labels = injected.labels.set_index("customer_id")[["attack", "start"]].reindex(ids)
        labels["attack"] = labels["attack"].fillna("")

    tampered = reads["kwh"].to_numpy(copy=True).reshape(kwh.shape)
    free = eligible[labels["attack"].to_numpy()[eligible] == ""]
    chosen = np.sort(rng.choice(free, size=attacked - jokar_count, replace=False))
    dates = pd.date_range(FIRST_DAY, periods=kwh.shape[1], freq="D")
    for row in chosen:
        kind = issue[rng.integers(len(issue))]
        start = rng.integers(last_year, kwh.shape[1] - MIN_ATTACK_DAYS + 1)
        tampered[row, start:] = tamper_issue_attack(kind, tampered[row, start:], rng)
        labels.iloc[row, :] = [kind, dates[start]]
    reads["kwh"] = np.round(tampered.ravel(), 3)
    labels = labels.reset_index(names="customer_id")
    labels["home"] = home
    labels["lookalike"] = lookalike.astype(str)
    labels["lookalike_start"] = pd.Series(dates[np.maximum(lookalike_start, 0)]).where(
        lookalike_start >= 0
    )
    labels["holiday_last_year"] = holiday
    return reads, labels


def hourly_benchmark(
    split: str, customers: int, attack_share: float, seed: int
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Tampered hourly kWh (customers x 728 days x 24 hours, NaN where not read), the daily
    reads the meter reports (each day's sum; NaN for a day not read) and one label row per
    customer (as `build_benchmark`, with the hourly look-alikes among the `lookalike` kinds).

    The population is `build_population`'s on the homes' hours, each customer's clock shifted by
    up to two hours (schedules differ) and each hour with its own noise (lognormal, sd U(0.1,
    0.3)). An empty home's day (vacancy, moved out, off season, holiday: a day at 40 % or less of
    its own use) takes the hourly shape of one of its home's ten emptiest real days. Attacks act on
    the hours of every day from the start (module docstring of `tamper_hours`).
    """
    homes = SPLITS[split]
    rng = np.random.default_rng(seed)
    source = load_hourly_kwh(homes)
    kwh, home = build_population(source, homes, customers, rng)
    shift = rng.integers(-2, 3, customers)
    flat = kwh.reshape(customers, -1)
    for row in np.flatnonzero(shift):
        flat[row] = np.roll(flat[row], shift[row])
    hour_sigma = rng.uniform(0.1, 0.3, customers)[:, None, None]
    kwh *= np.exp(hour_sigma * rng.standard_normal(kwh.shape) - hour_sigma**2 / 2)
    before = kwh.sum(axis=2)
    lookalike, _ = add_lookalikes(kwh, rng)
    days = kwh.shape[1]
    last_year = days - DAYS_PER_YEAR
    after = kwh.sum(axis=2)
    holiday = (after[:, last_year:] < before[:, last_year:]).any(axis=1) & (lookalike == "")
    empty_days_like(kwh, after < 0.45 * before, source, np.searchsorted(homes, home), rng)
    add_hourly_lookalikes(kwh, lookalike, rng)

    labels = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(customers)],
            "attack": "",
            "start": pd.NaT,
            "home": home,
            "lookalike": lookalike.astype(str),
            "holiday_last_year": holiday,
        }
    )
    eligible = np.flatnonzero(lookalike == "")
    kinds = [*ATTACKS, *ISSUE_ATTACKS]
    chosen = np.sort(rng.choice(eligible, size=round(attack_share * customers), replace=False))
    dates = pd.date_range(FIRST_DAY, periods=days, freq="D")
    for row in chosen:
        kind = kinds[rng.integers(len(kinds))]
        start = rng.integers(last_year, days - MIN_ATTACK_DAYS + 1)
        kwh[row, start:] = tamper_hours(kind, kwh[row, start:], rng)
        labels.loc[row, ["attack", "start"]] = [kind, dates[start]]
    kwh = np.round(kwh, 3)
    kwh[rng.random(kwh.shape[:2]) < 0.005] = np.nan
    daily = np.round(kwh.sum(axis=2), 3)
    kwh[rng.random(kwh.shape) < 0.002] = np.nan  # an interval lost, the day's read kept
    return kwh, daily, labels


def empty_days_like(
    kwh: np.ndarray,
    empty: np.ndarray,
    source: np.ndarray,
    home_index: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Give each `empty` day (customers x days) the hourly shape of one of its home's ten
    emptiest real days, keeping the day's energy (in place)."""
    totals = source.sum(axis=2)
    lowest = np.argsort(totals, axis=1)[:, :10]
    shapes = (
        np.take_along_axis(source, lowest[:, :, None], axis=1)
        / np.take_along_axis(totals, lowest, axis=1)[:, :, None]
    )
    rows, columns = np.nonzero(empty)
    pick = rng.integers(0, 10, len(rows))
    kwh[rows, columns] = kwh[rows, columns].sum(axis=1)[:, None] * shapes[home_index[rows], pick]


def add_hourly_lookalikes(kwh: np.ndarray, kinds: np.ndarray, rng: np.random.Generator) -> None:
    """Honest changes of the day's shape from a day of the last year to the end, in place, on
    customers without another look-alike (their kind set in `kinds`):

      new_appliance   an EV or water heater: on 80 % of days a block of 2-4 hours from one
                      hour between 21:00 and 01:00, adding 20-60 % of the customer's mean day
      work_from_home  weekdays take the shape of the customer's weekend days of the same
                      weeks, 5-30 % more energy
      tou_shift       a time-of-use tariff: 10-30 % of the energy of 08:00-22:00 moved evenly
                      into 23:00-07:00, the day's total kept
    """
    customers, days, _ = kwh.shape
    last_year = days - DAYS_PER_YEAR
    free = rng.permutation(np.flatnonzero(kinds == ""))
    taken = 0
    for kind, share in HOURLY_LOOKALIKE_SHARES.items():
        rows = free[taken : taken + round(share * customers)]
        taken += len(rows)
        kinds[rows] = kind
        for row in rows:
            start = rng.integers(last_year, days - MIN_ATTACK_DAYS)
            window = kwh[row, start:]
            if kind == "new_appliance":
                hours = (rng.integers(21, 26) + np.arange(rng.integers(2, 5))) % 24
                extra = rng.uniform(0.2, 0.6) * np.nanmean(kwh[row].sum(axis=1)) / len(hours)
                used = rng.random(len(window)) < 0.8
                window[np.ix_(used, hours)] += extra
            elif kind == "work_from_home":
                weekday = (np.arange(start, days) % 7) < 5
                week = np.arange(start, days) // 7
                for number in np.unique(week):
                    weekend = (week == number) & ~weekday
                    workdays = (week == number) & weekday
                    if weekend.any() and workdays.any():
                        shape = window[weekend].sum(axis=0) / window[weekend].sum()
                        totals = window[workdays].sum(axis=1, keepdims=True)
                        window[workdays] = totals * rng.uniform(1.05, 1.3) * shape
            else:
                peak = (np.arange(24) >= 8) & (np.arange(24) < 22)
                valley = (np.arange(24) >= 23) | (np.arange(24) < 7)
                moved = rng.uniform(0.1, 0.3) * window[:, peak]
                window[:, peak] -= moved
                window[:, valley] += moved.sum(axis=1, keepdims=True) / valley.sum()


def tamper_hours(kind: str, window: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The hours `window` (days x 24) after an attack on every day of it: Jokar et al.'s on a
    day's hours x_t (h1 x a; h2 zero from a random hour for at least 4 hours; h3 x b_t per hour;
    h4 b_t x the day's mean; h5 the day's mean; h6 the hours reversed; a, b_t ~ U(0.1, 0.8)), and
    issue 16's four on whole days (`tamper_issue_attack`; flattened: every hour q x the mean)."""
    days = len(window)
    day_mean = np.nanmean(window, axis=1, keepdims=True)
    if kind == "h1":
        return window * rng.uniform(0.1, 0.8)
    if kind == "h2":
        first = rng.integers(0, 21, days)
        last = first + rng.integers(4, 25 - first)
        hour = np.arange(24)
        return np.where((hour >= first[:, None]) & (hour < last[:, None]), 0.0, window)
    if kind == "h3":
        return window * rng.uniform(0.1, 0.8, window.shape)
    if kind == "h4":
        return day_mean * rng.uniform(0.1, 0.8, window.shape)
    if kind == "h5":
        return np.repeat(day_mean, 24, axis=1)
    if kind == "h6":
        return window[:, ::-1].copy()
    if kind == "flattened":
        return np.full_like(window, rng.uniform(0.4, 0.8) * np.nanmean(window))
    day_totals = window.sum(axis=1)
    tampered = tamper_issue_attack(kind, day_totals, rng)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(day_totals > 0, tampered / day_totals, 0.0)
    return window * factor[:, None]


def hourly_scores(
    kwh: np.ndarray, daily: np.ndarray, labels: pd.DataFrame, interval: bool
) -> pd.DataFrame:
    """`theft_scores`' score and signal per customer (its matrix entry points), with the
    within-day profile test when `interval`."""
    groups = np.zeros(len(daily), dtype=np.int64)
    shifts, reasons = score_daily_shifts(daily, 0.2, groups)
    if interval:
        weekend = (np.arange(daily.shape[1]) % 7) >= 5  # FIRST_DAY is a Monday
        blocks = (kwh[start : start + 100] for start in range(0, len(kwh), 100))
        shifts, reasons, _ = add_profile_scores(shifts, reasons, blocks, weekend, groups)
    return pd.DataFrame(
        {"score": shifts.score, "signal": reasons.signal}, index=labels["customer_id"]
    )


def baseline_scores(reads: pd.DataFrame) -> pd.Series:
    """Recent level against own past and peers: how far (log) a customer's recent level fell
    below the same days a year before, beyond the median customer's change over the same days.

    For windows of the last 30, 91 and 182 days: change = median log kWh over the window minus
    median log kWh over the same calendar days a year earlier; the score is the largest
    (peer median change - own change) over the windows. Zero reads count as 5 % of the
    customer's median day. Positive = fell more than its peers; 0.223 = 20 % lower.
    """
    matrix = reads.pivot(index="customer_id", columns="date", values="kwh")
    kwh = matrix.to_numpy(dtype=float)
    floor = 0.05 * np.nanmedian(kwh, axis=1, keepdims=True)
    log_kwh = np.log(np.maximum(kwh, np.maximum(floor, 1e-3)))
    drops = []
    for window in BASELINE_WINDOWS:
        recent = np.nanmedian(log_kwh[:, -window:], axis=1)
        past = np.nanmedian(log_kwh[:, -window - DAYS_PER_YEAR : -DAYS_PER_YEAR], axis=1)
        change = recent - past
        drops.append(np.nanmedian(change) - change)
    return pd.Series(np.max(drops, axis=0), index=matrix.index)


def draw_work_orders(labels: pd.DataFrame, recorded_share: float, seed: int) -> pd.DataFrame:
    """The utility's records of the population (order_id, customer_id, order_type,
    effective_date): an ownership transfer or a closure for `recorded_share` of the moved-out
    homes, a suspension for VACANCY_SUSPENDED_SHARE of the vacancies, both dated ORDER_LAG_DAYS
    from the change's first day, and a meter replacement as near the first tampered day of
    THIEF_REPLACEMENT_SHARE of the thieves. Drawn from their own random stream, so the reads are
    the same with and without records."""
    rng = np.random.default_rng([seed, 17])
    parts = []
    moved, vacant, stolen = (
        labels["lookalike"] == "moved_out",
        labels["lookalike"] == "vacancy",
        labels["attack"] != "",
    )
    for chosen, types, share, first_day in (
        (moved, MOVE_ORDERS, recorded_share, labels["lookalike_start"]),
        (vacant, ("suspension",), VACANCY_SUSPENDED_SHARE, labels["lookalike_start"]),
        (stolen, ("meter_replacement",), THIEF_REPLACEMENT_SHARE, labels["start"]),
    ):
        rows = labels.index[chosen][rng.random(int(chosen.sum())) < share]
        lag = rng.integers(ORDER_LAG_DAYS[0], ORDER_LAG_DAYS[1] + 1, len(rows))
        parts.append(
            pd.DataFrame(
                {
                    "customer_id": labels.loc[rows, "customer_id"].to_numpy(),
                    "order_type": rng.choice(types, len(rows)),
                    "effective_date": pd.to_datetime(first_day[rows]).to_numpy()
                    + pd.to_timedelta(lag, "D").to_numpy(),
                }
            )
        )
    orders = pd.concat(parts, ignore_index=True)
    orders.insert(0, "order_id", [f"W{i:05d}" for i in range(len(orders))])
    return orders


def ranking_score(scores: pd.DataFrame) -> pd.Series:
    """`theft_scores`' ranking as one number per customer: the score, less enough for the
    customers a work order explains to fall below every unexplained one (and the threshold)."""
    score = scores.set_index("customer_id")["score"]
    below = score.max() - min(score.min(), THEFT_SCORE_THRESHOLD) + 1
    return score - np.where((scores["status"] == "explained").to_numpy(), below, 0.0)


def oracle_map(ahead: int, pool_positives: int, pool_negatives: int) -> float:
    """Expected MAP@50 of an oracle that ranks `ahead` positives first, then a pool in which it
    cannot tell `pool_positives` positives from `pool_negatives` honest series of the same law
    (SAME_LAW) in random order, then everyone else: the best any method can expect."""
    if ahead >= TOP_N or pool_negatives == 0:
        return 1.0 if ahead + pool_positives else 0.0
    rng = np.random.default_rng(0)
    pool = np.r_[np.ones(pool_positives, bool), np.zeros(pool_negatives, bool)]
    total = 0.0
    for _ in range(ORACLE_DRAWS):
        ranking = np.r_[np.ones(ahead, bool), rng.permutation(pool)][:TOP_N]
        positions = np.flatnonzero(ranking) + 1
        if positions.size:
            total += float((np.arange(1, positions.size + 1) / positions).mean())
    return total / ORACLE_DRAWS


def quality(
    labels: pd.DataFrame, scores: pd.Series, threshold: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per attack kind: positives, AUC, MAP@50, the oracle's MAP@50, precision and recall at
    `threshold`; and the share of each look-alike kind (honest customers) above it.

    "MAP@50 w/o look-alikes" ranks the attacked against honest customers without an exclusive
    look-alike (holidays kept): it tells a weak ranking from one topped by honest falls.
    "oracle MAP@50" is what a ranking gets that is perfect except that it cannot tell an attacked
    series from an honest one of the same law (`SAME_LAW`, `oracle_map`): below 1 only where such
    look-alikes are mixed in, it bounds the MAP@50 column.
    """
    merged = labels.assign(score=scores.reindex(labels["customer_id"]).to_numpy())
    honest = merged[merged["attack"] == ""]
    plain = honest[honest["lookalike"] == ""]
    false_alarms = int((honest["score"] > threshold).sum())
    kinds = [kind for kind in ALL_KINDS if (merged["attack"] == kind).any()]
    selections = {kind: (kind,) for kind in kinds}
    if len(kinds) > 1:
        selections |= {
            "energy-reducing": tuple(set(kinds) & {*ENERGY_REDUCING, *ISSUE_ATTACKS}),
            "all": tuple(kinds),
        }
    rows = []
    for name, attacks in selections.items():
        positives = merged[merged["attack"].isin(attacks)]
        subset = pd.concat([honest, positives])
        hits = int((positives["score"] > threshold).sum())
        twinned = positives["attack"].isin(list(SAME_LAW))
        twins = honest["lookalike"].isin([SAME_LAW[kind] for kind in attacks if kind in SAME_LAW])
        rows.append(
            {
                "attack": name,
                "positives": len(positives),
                "AUC": roc_auc(subset["attack"] != "", subset["score"]),
                f"MAP@{TOP_N}": map_at_n(subset["attack"] != "", subset["score"], TOP_N),
                f"MAP@{TOP_N} w/o look-alikes": map_at_n(
                    np.r_[np.zeros(len(plain), bool), np.ones(len(positives), bool)],
                    np.r_[plain["score"], positives["score"]],
                    TOP_N,
                ),
                f"oracle MAP@{TOP_N}": oracle_map(
                    int((~twinned).sum()), int(twinned.sum()), int(twins.sum())
                ),
                "precision": hits / max(hits + false_alarms, 1),
                "recall": hits / len(positives),
            }
        )
    groups = {
        kind: honest["lookalike"] == kind
        for kind in (*LOOKALIKES, *HOURLY_LOOKALIKE_SHARES)
        if (labels["lookalike"] == kind).any()
    }
    groups["holiday (last year)"] = honest["holiday_last_year"]
    groups["plain honest"] = (honest["lookalike"] == "") & ~honest["holiday_last_year"]
    lookalike_rows = [
        {
            "look-alike": name,
            "customers": int(mask.sum()),
            "above threshold": float((honest.loc[mask, "score"] > threshold).mean()),
        }
        for name, mask in groups.items()
    ]
    return pd.DataFrame(rows), pd.DataFrame(lookalike_rows)


def report(
    name: str,
    labels: pd.DataFrame,
    score: Callable[[], pd.Series],
    threshold: float,
) -> None:
    """Score, time and print one method's figures."""
    started = time.perf_counter()
    scores = score()
    print_quality(name, labels, scores, threshold, time.perf_counter() - started)


def print_quality(
    name: str, labels: pd.DataFrame, scores: pd.Series, threshold: float, seconds: float
) -> None:
    """Print one method's figures (`quality`) under a heading with its threshold and time."""
    per_attack, lookalikes = quality(labels, scores, threshold)
    print(f"\n== {name} (threshold {threshold:.3g}; {seconds:.1f} s) ==")
    print(per_attack.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(lookalikes.to_string(index=False, float_format=lambda x: f"{x:.1%}"))


def population_options(parser: argparse.ArgumentParser) -> None:
    """The options that build a population: --split, --customers, --attack-share, --seed and
    --recorded-share (checked by `check_population_options`)."""
    parser.add_argument("--split", choices=sorted(SPLITS), default="report")
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--attack-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--recorded-share",
        type=float,
        default=RECORDED_SHARE,
        help="share of moved-out homes whose move left an ownership transfer or closure order",
    )


def check_population_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse, naming the option, a population too small or a share out of its range."""
    if args.customers < 200:
        parser.error(
            f"--customers: at least 200 (a few of each attack and look-alike), got {args.customers}"
        )
    if not 0 < args.attack_share <= 0.5:
        parser.error(f"--attack-share: a share in (0, 0.5], got {args.attack_share}")
    if not 0 <= args.recorded_share <= 1:
        parser.error(f"--recorded-share: a share in [0, 1], got {args.recorded_share}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    population_options(parser)
    parser.add_argument(
        "--one-year",
        action="store_true",
        help="score the last year's reads only (no year before to compare with)",
    )
    parser.add_argument(
        "--hourly",
        action="store_true",
        help="attacks and look-alikes on the hours; scores without and with the interval reads",
    )
    parser.add_argument(
        "--days",
        type=int,
        help=f"score the last DAYS days' reads only ({DAYS_PER_YEAR + 1} to "
        f"{2 * DAYS_PER_YEAR - 1}: less than two years, the last DAYS - {DAYS_PER_YEAR} with a "
        "year before)",
    )
    args = parser.parse_args()
    check_population_options(parser, args)
    if args.days is not None and not DAYS_PER_YEAR < args.days < 2 * DAYS_PER_YEAR:
        parser.error(f"--days: {DAYS_PER_YEAR + 1} to {2 * DAYS_PER_YEAR - 1}, got {args.days}")
    if args.days is not None and (args.one_year or args.hourly):
        parser.error("--days: not with --one-year or --hourly, got both")
    if args.hourly:
        run_hourly(args.split, args.customers, args.attack_share, args.seed, args.one_year)
        return
    reads, labels = build_benchmark(args.split, args.customers, args.attack_share, args.seed)
    kept_days = DAYS_PER_YEAR if args.one_year else args.days
    if kept_days is not None:
        reads = reads[reads["date"] >= FIRST_DAY + pd.Timedelta(days=2 * DAYS_PER_YEAR - kept_days)]
    honest = int((labels["attack"] == "").sum())
    print(
        f"CityLearn 2022 homes {', '.join(map(str, SPLITS[args.split]))} ({args.split} split): "
        f"{args.customers} customers x {reads['date'].nunique()} days, {honest} honest, "
        f"{args.customers - honest} attacked in the last year (seed {args.seed})"
    )

    def daily_theft_scores() -> pd.Series:
        return theft_scores(reads).set_index("customer_id")["score"]

    report("theft_scores, daily reads", labels, daily_theft_scores, THEFT_SCORE_THRESHOLD)
    report_with_orders(reads, labels, draw_work_orders(labels, args.recorded_share, args.seed))
    if kept_days is None:
        report(
            "baseline: recent level vs own past year and peers",
            labels,
            lambda: baseline_scores(reads),
            BASELINE_THRESHOLD,
        )


def report_with_orders(reads: pd.DataFrame, labels: pd.DataFrame, orders: pd.DataFrame) -> None:
    """`theft_scores` given the utility's work orders: its ranking's figures (`ranking_score`)
    and who was explained."""
    counts = ", ".join(
        f"{kind} {count}" for kind, count in orders["order_type"].value_counts().items()
    )
    print(f"\nwork orders: {counts}")
    started = time.perf_counter()
    scores = theft_scores(reads, work_orders=orders)
    seconds = time.perf_counter() - started
    name = "theft_scores, daily reads + work orders (explained ranked last)"
    print_quality(name, labels, ranking_score(scores), THEFT_SCORE_THRESHOLD, seconds)
    explained = set(scores.loc[scores["status"] == "explained", "customer_id"])
    groups = {
        "moved_out": labels["lookalike"] == "moved_out",
        "vacancy": labels["lookalike"] == "vacancy",
        "thieves": labels["attack"] != "",
    }
    print(
        "explained by an order: "
        + ", ".join(
            f"{name} {labels.loc[mask, 'customer_id'].isin(explained).sum()}/{int(mask.sum())}"
            for name, mask in groups.items()
        )
    )


def run_hourly(split: str, customers: int, attack_share: float, seed: int, one_year: bool) -> None:
    """The hourly benchmark: `theft_scores` on the daily reads alone, then with interval reads."""
    kwh, daily, labels = hourly_benchmark(split, customers, attack_share, seed)
    if one_year:
        kwh, daily = kwh[:, -DAYS_PER_YEAR:], daily[:, -DAYS_PER_YEAR:]
    honest = int((labels["attack"] == "").sum())
    print(
        f"CityLearn 2022 homes {', '.join(map(str, SPLITS[split]))} ({split} split), hourly: "
        f"{customers} customers x {daily.shape[1]} days x 24 hours, {honest} honest, "
        f"{customers - honest} attacked on the hours in the last year (seed {seed})"
    )
    for interval in (False, True):
        name = "daily + interval reads" if interval else "daily reads only"
        started = time.perf_counter()
        scores = hourly_scores(kwh, daily, labels, interval)
        seconds = time.perf_counter() - started
        print_quality(
            f"theft_scores, {name}", labels, scores["score"], THEFT_SCORE_THRESHOLD, seconds
        )
        above = scores.loc[scores["score"] > THEFT_SCORE_THRESHOLD, "signal"].value_counts()
        print("signals above the threshold: " + ", ".join(f"{k} {v}" for k, v in above.items()))


if __name__ == "__main__":
    main()

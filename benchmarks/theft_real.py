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
`--one-year` scores the last year's reads alone (the attacks and look-alikes are the same; the
year before is dropped, so every customer is compared with its own days and its peers only).
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
HOLIDAY_CHANCE_PER_YEAR = 0.3
TOP_N = 50
THEFT_SCORE_THRESHOLD = 3.0
#: Baseline threshold: recent level at least 20 % below what own past and peers predict.
BASELINE_THRESHOLD = float(-np.log(0.8))
BASELINE_WINDOWS = (30, 91, 182)


def load_daily_kwh(homes: tuple[int, ...]) -> np.ndarray:
    """Daily kWh (homes x 364 days, 1 Aug 2016 - 30 Jul 2017) of the CityLearn 2022 homes."""
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
        series.append(load.reshape(DAYS_PER_YEAR, 24).sum(axis=1))
    return close_the_year(np.vstack(series))


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
    """Each row's year with every week replaced by a week of the same row at most 2 weeks away."""
    rows, days = year.shape
    weeks = days // 7
    source_week = np.clip(np.arange(weeks) + rng.integers(-2, 3, size=(rows, weeks)), 0, weeks - 1)
    day_index = (source_week[:, :, None] * 7 + np.arange(7)).reshape(rows, days)
    return np.take_along_axis(year, day_index, axis=1)


def build_population(
    source: np.ndarray, homes: tuple[int, ...], customers: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Honest daily kWh (customers x 728 days) and the source home of each customer."""
    home_row = np.arange(customers) % len(homes)
    real = source[home_row]
    resampled = seasonal_resample(real, rng)
    real_first = (rng.random(customers) < 0.5)[:, None]
    year_shift = np.exp(rng.normal(0.0, 0.1, customers))[:, None]
    kwh = np.hstack(
        [np.where(real_first, real, resampled), np.where(real_first, resampled, real) * year_shift]
    )
    kwh *= np.exp(rng.normal(0.0, 0.5, customers))[:, None]
    sigma = rng.uniform(0.05, 0.2, customers)[:, None]
    kwh *= np.exp(sigma * rng.standard_normal(kwh.shape) - sigma**2 / 2)
    return kwh, np.asarray(homes)[home_row]


def add_lookalikes(kwh: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Honest look-alikes, in place; returns each customer's exclusive kind ("" for none)."""
    customers, days = kwh.shape
    last_year = days - DAYS_PER_YEAR
    kinds = np.full(customers, "", dtype=object)
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
            elif kind == "seasonal":
                months = rng.integers(4, 7)
                start = rng.integers(0, 12)
                off_season = (np.arange(days) // 30.4 - start) % 12 < months
                kwh[row, off_season] *= rng.uniform(0.1, 0.4)
            else:
                start = rng.integers(last_year, days - MIN_ATTACK_DAYS)
                low, high = (0.5, 0.8) if kind == "lasting_fall" else (0.02, 0.1)
                kwh[row, start:] *= rng.uniform(low, high)
    for first_day in (0, last_year):
        for row in np.flatnonzero(rng.random(customers) < HOLIDAY_CHANCE_PER_YEAR):
            length = rng.integers(7, 22)
            start = first_day + rng.integers(0, DAYS_PER_YEAR - length)
            kwh[row, start : start + length] *= rng.uniform(0.1, 0.35)
    return kinds


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
    split: str, customers: int, attack_share: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tampered daily reads of the population and one label row per customer.

    Labels: customer_id, home, attack ("" for honest), start (first tampered date), lookalike
    (exclusive kind or ""), holiday_last_year (bool).
    """
    homes = SPLITS[split]
    rng = np.random.default_rng(seed)
    kwh, home = build_population(load_daily_kwh(homes), homes, customers, rng)
    before_holidays = kwh.copy()
    lookalike = add_lookalikes(kwh, rng)
    last_year = kwh.shape[1] - DAYS_PER_YEAR
    holiday = (kwh[:, last_year:] < before_holidays[:, last_year:]).any(axis=1) & (lookalike == "")
    kwh[rng.random(kwh.shape) < 0.005] = np.nan
    ids = np.array([f"C{i:05d}" for i in range(customers)])

    eligible = np.flatnonzero(lookalike == "")
    attacked = round(attack_share * customers)
    jokar_count = round(attacked * len(ATTACKS) / (len(ATTACKS) + len(ISSUE_ATTACKS)))
    reads = to_reads(kwh, ids)
    eligible_reads = reads["customer_id"].isin(ids[eligible])
    injected = inject_attacks(
        reads[eligible_reads],
        fraction=jokar_count / len(eligible),
        seed=seed + 1,
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
        kind = ISSUE_ATTACKS[rng.integers(len(ISSUE_ATTACKS))]
        start = rng.integers(last_year, kwh.shape[1] - MIN_ATTACK_DAYS + 1)
        tampered[row, start:] = tamper_issue_attack(kind, tampered[row, start:], rng)
        labels.iloc[row, :] = [kind, dates[start]]
    reads["kwh"] = np.round(tampered.ravel(), 3)
    labels = labels.reset_index(names="customer_id")
    labels["home"] = home
    labels["lookalike"] = lookalike.astype(str)
    labels["holiday_last_year"] = holiday
    return reads, labels


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


def quality(
    labels: pd.DataFrame, scores: pd.Series, threshold: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per attack kind: positives, AUC, MAP@50, precision and recall at `threshold`; and the share
    of each look-alike kind (honest customers) above it.

    "MAP@50 w/o look-alikes" ranks the attacked against honest customers without an exclusive
    look-alike (holidays kept): it tells a weak ranking from one topped by honest falls.
    """
    merged = labels.assign(score=scores.reindex(labels["customer_id"]).to_numpy())
    honest = merged[merged["attack"] == ""]
    plain = honest[honest["lookalike"] == ""]
    false_alarms = int((honest["score"] > threshold).sum())
    kinds = [*ATTACKS, *ISSUE_ATTACKS]
    selections = {kind: (kind,) for kind in kinds}
    selections |= {
        "energy-reducing": (*ENERGY_REDUCING, *ISSUE_ATTACKS),
        "all": tuple(kinds),
    }
    rows = []
    for name, attacks in selections.items():
        positives = merged[merged["attack"].isin(attacks)]
        subset = pd.concat([honest, positives])
        hits = int((positives["score"] > threshold).sum())
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
                "precision": hits / max(hits + false_alarms, 1),
                "recall": hits / len(positives),
            }
        )
    groups = {kind: honest["lookalike"] == kind for kind in LOOKALIKES}
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
    seconds = time.perf_counter() - started
    per_attack, lookalikes = quality(labels, scores, threshold)
    print(f"\n== {name} (threshold {threshold:.3g}; {seconds:.1f} s) ==")
    print(per_attack.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(lookalikes.to_string(index=False, float_format=lambda x: f"{x:.1%}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=sorted(SPLITS), default="report")
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--attack-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--one-year",
        action="store_true",
        help="score the last year's reads only (no year before to compare with)",
    )
    args = parser.parse_args()
    if args.customers < 200:
        parser.error(
            f"--customers: at least 200 (a few of each attack and look-alike), got {args.customers}"
        )
    if not 0 < args.attack_share <= 0.5:
        parser.error(f"--attack-share: a share in (0, 0.5], got {args.attack_share}")
    reads, labels = build_benchmark(args.split, args.customers, args.attack_share, args.seed)
    if args.one_year:
        reads = reads[reads["date"] >= FIRST_DAY + pd.Timedelta(days=DAYS_PER_YEAR)]
    honest = int((labels["attack"] == "").sum())
    print(
        f"CityLearn 2022 homes {', '.join(map(str, SPLITS[args.split]))} ({args.split} split): "
        f"{args.customers} customers x {reads['date'].nunique()} days, {honest} honest, "
        f"{args.customers - honest} attacked in the last year (seed {args.seed})"
    )

    def daily_theft_scores() -> pd.Series:
        return theft_scores(reads).set_index("customer_id")["score"]

    report("theft_scores, daily reads", labels, daily_theft_scores, THEFT_SCORE_THRESHOLD)
    if not args.one_year:
        report(
            "baseline: recent level vs own past year and peers",
            labels,
            lambda: baseline_scores(reads),
            BASELINE_THRESHOLD,
        )


if __name__ == "__main__":
    main()

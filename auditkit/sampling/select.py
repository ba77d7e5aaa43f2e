"""select(): draw the sample by items (accounts, bills) or by monetary units (yuan of bills).

By items, each row is a unit. By values, each yuan is a unit and a row is hit as often as the
selected yuan fall in it (`times`); rows with zero or negative value cannot be hit and are set aside.
The same frame, n, method and seed always give the same selection.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.checks import choice, positive_int
from auditkit.errors import ParameterError, checked_seed
from auditkit.options.sampling import ALLOCATIONS, UNITS
from auditkit.options.sampling import SELECTION_METHODS as METHODS
from auditkit.sampling.checks import numeric_column, stratum_labels
from auditkit.sampling.notes import Note
from auditkit.sampling.results import Selection


def select(
    frame: pd.DataFrame,
    n: int,
    units: str = "items",
    method: str = "interval",
    values: str | None = None,
    start: float | None = None,
    seed: int | None = None,
    strata: str | None = None,
    allocation: str = "proportional",
) -> Selection:
    """Select n units from `frame`; returns the chosen rows with a `times` column.

    `values` names the column of book values (required by units="values" and Neyman allocation).
    `start` fixes the first point of the fixed-interval method (monetary units or row positions).
    Without `seed` one is drawn and recorded, so the selection can always be repeated.
    `strata` names a column (district, tariff) to stratify on; the n units are shared out
    proportionally (to rows, or yuan by values) or by Neyman allocation (rows x std of values),
    every stratum at least one unit (a stratum without units would be left out of any verdict;
    a one-row stratum is so examined in full). By values a stratum may take more units than it
    has rows: monetary units fall on its bills as often as their yuan call for.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError("frame", "a table of the population (pandas)", type(frame).__name__)
    if frame.empty:
        found = "a table with no rows" if len(frame.columns) else "a table with no columns"
        raise ParameterError("frame", "a table of the population with at least one row", found)
    n = positive_int("n", n)
    units = choice("units", units, UNITS)
    method = choice("method", method, METHODS)
    allocation = choice("allocation", allocation, ALLOCATIONS)
    if method == "sieve" and units == "items":
        raise ParameterError("method", "'sieve' only with units='values' (it sieves yuan)", method)
    if start is not None and (method != "interval" or strata is not None):
        raise ParameterError("start", "a start only for method='interval' without strata", start)
    if units == "values" and values is None:
        raise ParameterError("values", "the column of book values to sample yuan from", None)
    if allocation == "neyman" and values is None:
        raise ParameterError("values", "the column of values Neyman allocation weighs by", None)
    if strata is not None and (not isinstance(strata, str) or strata not in frame.columns):
        columns = ", ".join(map(str, frame.columns))
        raise ParameterError("strata", f"a column of the frame ({columns})", strata)
    seed = _resolve_seed(seed)
    amounts = None if values is None else numeric_column(frame, values, "frame")
    notes: list[Note] = []
    reachable = pd.Series(True, index=frame.index)
    if units == "values":
        reachable = amounts > 0
        if not reachable.all():
            notes.append(_set_aside_note(frame, amounts, reachable, values))
    population = frame[reachable.to_numpy()]
    population_amounts = None if amounts is None else amounts[reachable.to_numpy()]
    _check_size(n, len(population), units)
    common = {"units": units, "method": method, "values": values, "start": start}
    if strata is None:
        sample, interval, used_start = _draw(
            population, population_amounts, n, np.random.default_rng(seed), **common
        )
        strata_table = None
    else:
        sample, strata_table = _draw_strata(
            population, population_amounts, n, seed, strata, allocation, common, notes
        )
        interval = used_start = None
    if method == "sieve":
        units_drawn = int(sample["times"].sum())
        notes.append(Note("sieve", {"rows": len(sample), "units": units_drawn, "n": n}))
    return Selection(
        sample=sample,
        units=units,
        method=method,
        n=n,
        seed=seed,
        values=values,
        interval=interval,
        start=used_start,
        population_size=len(population),
        population_value=None if population_amounts is None else float(population_amounts.sum()),
        set_aside=frame[~reachable.to_numpy()],
        strata=strata_table,
        strata_column=strata,
        notes=tuple(notes),
    )


def _resolve_seed(seed: int | None) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**32))
    return checked_seed(seed)


def _set_aside_note(
    frame: pd.DataFrame, amounts: pd.Series, reachable: pd.Series, column: str
) -> Note:
    aside = amounts[~reachable]
    figures = {
        "aside": len(aside),
        "rows": len(frame),
        "drawable": len(frame) - len(aside),
        "total": float(aside.sum()),
    }
    return Note("set_aside", {**figures, "column": column})


def _check_size(n: int, available: int, units: str) -> None:
    """By items n is at most the rows (drawn without replacement). By values there is no cap:
    monetary units are yuan, and a bill is hit as often as they fall in it (one row, its
    `times` counting the hits); at least one row must have a positive value."""
    if units == "items" and n > available:
        raise ParameterError("n", f"at most the {available} rows of the population", n)
    if units == "values" and available == 0:
        raise ParameterError(
            "values", "a column with at least one value above 0 to sample yuan from", "none above 0"
        )


def _draw(
    population: pd.DataFrame,
    amounts: pd.Series | None,
    n: int,
    rng: np.random.Generator,
    *,
    units: str,
    method: str,
    values: str | None,
    start: float | None,
) -> tuple[pd.DataFrame, float | None, float | None]:
    """One unstratified draw: the sample with `times`, the interval and the start used."""
    if units == "items":
        positions, interval, used_start = _draw_items(len(population), n, method, start, rng)
        times = np.ones(len(positions), dtype=np.int64)
    else:
        positions, times, interval, used_start = _draw_values(
            amounts.to_numpy(dtype=float), n, method, start, rng
        )
    sample = population.iloc[positions].copy()
    sample["times"] = times
    return sample, interval, used_start


def _draw_items(
    size: int, n: int, method: str, start: float | None, rng: np.random.Generator
) -> tuple[np.ndarray, float | None, float | None]:
    if method == "random":
        return np.sort(rng.choice(size, size=n, replace=False)), None, None
    if method == "cell":
        cells = np.array_split(np.arange(size), n)
        return np.array([cell[rng.integers(len(cell))] for cell in cells]), size / n, None
    interval = size / n
    used_start = _start(start, interval, rng)
    # start + (n - 1) * interval is below n * interval = size, but in floating point a start just
    # below the interval can reach size itself: the last position is then the last row.
    points = np.floor(used_start + interval * np.arange(n)).astype(np.int64)
    return np.minimum(points, size - 1), interval, used_start


def _draw_values(
    amounts: np.ndarray, n: int, method: str, start: float | None, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, float | None, float | None]:
    cumulative = np.cumsum(amounts)
    total = float(cumulative[-1])
    interval = total / n
    if method == "sieve":
        # Each row is hit floor(value / J) times and once more with probability frac(value / J):
        # a row below J is kept with probability value / J (the classical sieve), a row above J
        # weighs as many units as the interval method gives it, so projections stay unbiased.
        expected = amounts / interval
        hits = np.floor(expected) + (expected - np.floor(expected) > rng.uniform(size=len(amounts)))
        chosen = np.flatnonzero(hits > 0)
        return chosen, hits[chosen].astype(np.int64), interval, None
    used_start = None
    if method == "interval":
        used_start = _start(start, interval, rng)
        points = used_start + interval * np.arange(n)
    elif method == "cell":
        points = interval * (np.arange(n) + rng.uniform(size=n))
    else:
        points = np.sort(rng.uniform(0.0, total, size=n))
        interval = None
    hit = np.minimum(np.searchsorted(cumulative, points, side="right"), len(amounts) - 1)
    rows, times = np.unique(hit, return_counts=True)
    return rows, times.astype(np.int64), interval, used_start


def _start(start: float | None, interval: float, rng: np.random.Generator) -> float:
    if start is None:
        return float(rng.uniform(0.0, interval))
    if (
        isinstance(start, bool)
        or not isinstance(start, int | float | np.number)
        or not 0 <= start < interval
    ):
        raise ParameterError(
            "start", f"a number from 0 up to (not including) the interval {interval:g}", start
        )
    return float(start)


def _draw_strata(
    population: pd.DataFrame,
    amounts: pd.Series | None,
    n: int,
    seed: int,
    column: str,
    allocation: str,
    common: dict,
    notes: list[Note],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    labels = stratum_labels(population, column, "frame")
    names = sorted(labels.unique())
    groups = [labels.to_numpy() == name for name in names]
    sizes = np.array([int(mask.sum()) for mask in groups])
    if n < len(names):
        raise ParameterError("n", f"at least one unit for each of the {len(names)} strata", n)
    weights = _weights(groups, sizes, amounts, common["units"], allocation)
    # Monetary units are drawn with replacement: a stratum of a few large bills takes its yuan's
    # share of the units however few its rows (its bills are then all examined).
    capacity = sizes if common["units"] == "items" else np.full(len(sizes), n)
    counts = allocate(n, weights, capacity, at_least=1)
    raised = counts > allocate(n, weights, capacity)
    generators = [
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(len(names))
    ]
    samples, rows = [], []
    for name, mask, count, lifted, rng in zip(
        names, groups, counts, raised, generators, strict=True
    ):
        part_amounts = None if amounts is None else amounts[mask]
        part_value = None if part_amounts is None else float(part_amounts.sum())
        sample, interval, start = _draw(population[mask], part_amounts, int(count), rng, **common)
        samples.append(sample.assign(stratum=name))
        if lifted:
            notes.append(Note(f"raised_stratum.{allocation}", {"stratum": name}))
        rows.append((name, int(mask.sum()), part_value, int(count), len(sample), interval, start))
    columns = ["stratum", "items", "value", "n", "rows", "interval", "start"]
    table = pd.DataFrame(rows, columns=columns)
    return pd.concat(samples), table


def _weights(
    groups: list[np.ndarray],
    sizes: np.ndarray,
    amounts: pd.Series | None,
    units: str,
    allocation: str,
) -> np.ndarray:
    if allocation == "neyman":
        spreads = np.array(
            [
                float(np.std(amounts.to_numpy()[mask], ddof=1)) if mask.sum() > 1 else 0.0
                for mask in groups
            ]
        )
        weights = sizes * spreads
        if weights.sum() > 0:
            return weights
    if units == "values":
        return np.array([float(amounts.to_numpy()[mask].sum()) for mask in groups])
    return sizes.astype(float)


def allocate(n: int, weights: np.ndarray, capacity: np.ndarray, at_least: int = 0) -> np.ndarray:
    """Share n units over strata in proportion to `weights` (largest remainders), at most `capacity` each.

    Units a full stratum cannot take go to the others, again in proportion to their weights.
    With `at_least`, a stratum given fewer (its capacity permitting) takes the missing units, one
    at a time, from the stratum holding the most.
    """
    weights = np.asarray(weights, dtype=float)
    capacity = np.asarray(capacity, dtype=np.int64)
    counts = np.zeros(len(weights), dtype=np.int64)
    remaining = min(n, int(capacity.sum()))
    while remaining > 0:
        open_ = (counts < capacity) & (weights > 0)
        if not open_.any():
            open_ = counts < capacity
            weights = np.ones(len(weights))
        share = np.where(open_, weights, 0.0)
        exact_share = remaining * share / share.sum()
        extra = np.floor(exact_share).astype(np.int64)
        order = np.argsort(-(exact_share - extra), kind="stable")
        for index in order[: remaining - int(extra.sum())]:
            extra[index] += 1
        extra = np.minimum(extra, capacity - counts)
        counts += extra
        remaining -= int(extra.sum())
    floor = np.minimum(at_least, capacity)
    for index in np.flatnonzero(counts < floor):
        while counts[index] < floor[index]:
            donor = int(np.argmax(counts - floor))
            if counts[donor] <= floor[donor]:
                raise ParameterError("n", f"at least {at_least} unit(s) for each stratum", n)
            counts[donor] -= 1
            counts[index] += 1
    return counts

"""The synthetic network: who reads each meter, and the energy fed into each transformer area
(台区) and feeder (线路) month by month, for the line loss of the same period (同期线损).

Remote reading (用电信息采集) is rolled out by transformer area: a public area is converted as a
whole, so the households of the areas not yet converted are read by hand and have no daily reads.
Here one public area in `MANUAL_AREA_EVERY` is read by hand, each meter reader (抄表员) walking
`AREAS_PER_READER` of them; everything is derived from the area numbers, without random draws, so
the rest of the utility is the same with or without it. Readers are honest: their register reads
are the meters' registers.

Supply meters measure what the customers really consume (theft and stopped meters included) plus
an honest technical loss of 2-7 % per unit, varying a little from month to month, so an area with a
thief or a stopped meter shows a higher loss than its neighbours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.synth.world import World

#: One public transformer area in this many is still read by hand (not yet converted).
MANUAL_AREA_EVERY = 5
#: Transformer areas one meter reader walks.
AREAS_PER_READER = 2
#: Honest technical loss of an area or feeder (share of the energy consumed under it).
TECHNICAL_LOSS = (0.02, 0.07)
#: Month-to-month spread of an area's or feeder's technical loss.
LOSS_MONTHLY_SD = 0.004
#: Smallest technical loss of any month.
LOSS_FLOOR = 0.005
#: Prefix of public transformer areas (a customer with its own transformer is an area `ZB...`).
PUBLIC_AREA = "TQ"


def _public_area_numbers(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Whether each customer hangs on a public area, and the district and area numbers of it
    (-1 elsewhere): area ids read `TQ<district:2><area:4>`."""
    areas = pd.Series(world.area_id.astype(str))
    public = areas.str.startswith(PUBLIC_AREA).to_numpy()
    district = np.where(public, pd.to_numeric(areas.str[2:4], errors="coerce").fillna(-1), -1)
    number = np.where(public, pd.to_numeric(areas.str[4:], errors="coerce").fillna(-1), -1)
    return district.astype(np.int64), number.astype(np.int64)


def read_by_hand(world: World) -> np.ndarray:
    """Customers whose meters are read by hand (no remote reading, no daily reads): the households
    and shops of every `MANUAL_AREA_EVERY`-th public transformer area."""
    _, number = _public_area_numbers(world)
    return (number >= 0) & (number % MANUAL_AREA_EVERY == MANUAL_AREA_EVERY - 1)


def reader_ids(world: World) -> np.ndarray:
    """The meter reader of each customer read by hand (`R<district><nn>`, district numbered from
    1), "" for the customers read remotely."""
    district, number = _public_area_numbers(world)
    reader = number // (MANUAL_AREA_EVERY * AREAS_PER_READER) + 1
    names = pd.Series(district + 1).map("R{:02d}".format) + pd.Series(reader).map("{:02d}".format)
    return np.where(read_by_hand(world), names.to_numpy(dtype=object), "").astype(object)


def network_supply_table(world: World) -> pd.DataFrame:
    """Energy fed into each public transformer area and each feeder per calendar month.

    An area's supply is its customers' true consumption × (1 + its technical loss); a feeder's is
    the supply of its public areas plus the true consumption of its own-transformer customers,
    × (1 + the feeder's technical loss). Unit-months without consumption have no row.
    """
    rng = np.random.default_rng(world.rng.integers(2**32))
    public = _public_area_numbers(world)[1] >= 0
    area_codes, areas = pd.factorize(world.area_id[public])
    consumed = pd.DataFrame(world.true_kwh[public]).groupby(area_codes).sum().to_numpy()
    area_supply = consumed * (1 + _losses(rng, consumed.shape))
    # Each area hangs on the feeder of its customers; own-transformer customers on their own.
    area_feeder = pd.Series(world.feeder_id[public]).groupby(area_codes).first().to_numpy()
    feeder_of = np.concatenate([area_feeder, world.feeder_id[~public]])
    feeder_codes, feeders = pd.factorize(feeder_of)
    fed = np.vstack([area_supply, world.true_kwh[~public]])
    feeder_consumed = pd.DataFrame(fed).groupby(feeder_codes).sum().to_numpy()
    feeder_supply = feeder_consumed * (1 + _losses(rng, feeder_consumed.shape))
    frames = [
        _long("area", np.asarray(areas, dtype=object), area_supply, world.periods),
        _long("feeder", np.asarray(feeders, dtype=object), feeder_supply, world.periods),
    ]
    return pd.concat(frames, ignore_index=True).sort_values(
        ["level", "unit_id", "period"], ignore_index=True
    )


def _losses(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Technical loss per unit (row) and month (column): a unit's own level, varying a little."""
    level = rng.uniform(*TECHNICAL_LOSS, shape[0])[:, None]
    return np.maximum(level + rng.normal(0, LOSS_MONTHLY_SD, shape), LOSS_FLOOR)


def _long(level: str, units: np.ndarray, supply: np.ndarray, periods: list[str]) -> pd.DataFrame:
    """One row per unit and month with energy fed, rounded to the kWh."""
    rows, months = np.nonzero(supply > 0)
    return pd.DataFrame(
        {
            "level": level,
            "unit_id": units[rows],
            "period": np.asarray(periods, dtype=object)[months],
            "kwh_supplied": np.round(supply[rows, months], 0),
        }
    )

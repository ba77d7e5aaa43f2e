"""A synthetic utility with labelled irregularities: the demo data and the ground truth for the rules.

Every value is invented (customer ids start with ``SY``); the folder it writes says so in
``SYNTHETIC.md``. Same parameters and seed give the same tables, and the same bytes on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from auditkit import __version__
from auditkit.errors import SEEDS, ParameterError, is_seed
from auditkit.formulas import csv_text
from auditkit.options import synth as synth_options
from auditkit.options.synth import (
    DEFAULT_CUSTOMERS,
    DEFAULT_DAILY_DAYS,
    DEFAULT_DISTRICTS,
    DEFAULT_IRREGULAR_SHARE,
    DEFAULT_MONTHS,
    DEFAULT_SEED,
    DEFAULT_START,
    FORMATS,
    MAX_IRREGULAR_SHARE,
    MAX_MONTHS,
    MIN_MONTHS,
    MONTHS_WHY,
)
from auditkit.paths import params_dir
from auditkit.periods import is_period
from auditkit.synth import ledger, network, render
from auditkit.synth.irregular import DEFAULT_RATES, inject_all
from auditkit.synth.lookalikes import add_lookalikes, check_shares, raises_shares
from auditkit.synth.schedule import SCHEDULE_START
from auditkit.synth.world import World, build_world
from auditkit.workbooks import frame_xlsx_bytes

#: The first billing month the tariff schedule prices whole: its rows start on SCHEDULE_START, and
#: a first bill read on the 25th reads from the month before.
EARLIEST_START = str(pd.Period(SCHEDULE_START, freq="M") + 1)
#: The last billing month a dataset may reach: pandas' dates end in 2262-04, so a later month
#: fails in the generator (9990-01 was a NotImplementedError) and one near it bills wrong
#: (2262-01 wrote a dataset with 2,569 validate errors); 2200-12 leaves the dates room.
LATEST_MONTH = "2200-12"


@dataclass(frozen=True)
class SynthConfig:
    """Parameters of a synthetic utility; the defaults are the demo utility."""

    customers: int = DEFAULT_CUSTOMERS
    districts: int = DEFAULT_DISTRICTS
    months: int = DEFAULT_MONTHS
    start: str = DEFAULT_START
    seed: int = DEFAULT_SEED
    daily_days: int = DEFAULT_DAILY_DAYS
    # Share of the eligible customers per irregularity, overriding `inject.DEFAULT_RATES` as given.
    rates: dict[str, float] = field(default_factory=dict)
    # Share of all customers with an irregularity: the default rates scale to it (about; a rate of
    # `rates` is used as given).
    irregular_share: float = DEFAULT_IRREGULAR_SHARE
    # Share of the eligible customers per kind of honest look-alike, overriding
    # `lookalikes.DEFAULT_SHARES` as given.
    lookalikes: dict[str, float] = field(default_factory=dict)
    # Seed of the market prices' monthly noise, the one random part of the tariff schedule; None
    # draws it from `seed`. Utilities generated in chunks (seeds of their own) share one schedule
    # by sharing this seed; every other draw is the one `seed` alone gives.
    schedule_seed: int | None = None

    def check(self) -> None:
        """Reject parameters outside what the generator can honour, naming the parameter."""
        if self.customers < 50:
            raise ParameterError("customers", "a whole number ≥ 50", self.customers)
        if not 1 <= self.districts <= 99:
            raise ParameterError("districts", "a whole number from 1 to 99", self.districts)
        if not MIN_MONTHS <= self.months <= MAX_MONTHS:
            expected = f"a whole number from {MIN_MONTHS} to {MAX_MONTHS} ({MONTHS_WHY})"
            raise ParameterError("months", expected, self.months)
        if not is_period(self.start):
            raise ParameterError("start", "a month YYYY-MM", self.start)
        if pd.Period(self.start, freq="M") < pd.Period(EARLIEST_START, freq="M"):
            expected = (
                f"a month from {EARLIEST_START} on (the tariffs start {SCHEDULE_START:%Y-%m-%d} and "
                "a first bill reads from the month before)"
            )
            raise ParameterError("start", expected, self.start)
        latest = pd.Period(LATEST_MONTH, freq="M")
        first = pd.Period(self.start, freq="M")
        latest_start = latest - (MIN_MONTHS - 1)
        if first > latest_start:
            expected = (
                f"a month up to {latest_start} (a dataset spans {MIN_MONTHS} months at least "
                f"and ends by {LATEST_MONTH})"
            )
            raise ParameterError("start", expected, self.start)
        if first + (self.months - 1) > latest:
            most = (latest - first).n + 1
            expected = (
                f"at most {most} months from --start {self.start} (it ends by {LATEST_MONTH})"
            )
            raise ParameterError("months", expected, self.months)
        if not is_seed(self.seed):
            raise ParameterError("seed", SEEDS, self.seed)
        if not 0 <= self.daily_days <= 366 * 5:
            raise ParameterError("daily_days", "a number of days from 0 to 1830", self.daily_days)
        share = self.irregular_share
        number = isinstance(share, int | float) and not isinstance(share, bool)
        if not number or not 0 <= share <= MAX_IRREGULAR_SHARE:
            expected = f"a share of the customers from 0 to {MAX_IRREGULAR_SHARE}"
            raise ParameterError("irregular_share", expected, share)
        for name, rate in self.rates.items():
            if name not in DEFAULT_RATES:
                raise ParameterError(
                    "rates", f"irregularity names among {sorted(DEFAULT_RATES)}", name
                )
            if not 0 <= rate <= 0.5:
                raise ParameterError(f"rates.{name}", "a share from 0 to 0.5", rate)
        check_shares(self.lookalikes)
        given = self.schedule_seed
        whole = isinstance(given, int | np.integer) and not isinstance(given, bool)
        if given is not None and not (whole and given >= 0):
            raise ParameterError("schedule_seed", "a whole number ≥ 0, or None", given)


def configure(config: SynthConfig | None = None, **overrides: object) -> SynthConfig:
    """`config` (default the demo's) with `overrides` applied, checked."""
    config = config or SynthConfig()
    if overrides:
        config = SynthConfig(**{**asdict(config), **overrides})
    config.check()
    return config


def build(config: SynthConfig | None = None, **overrides: object) -> World:
    """The synthetic utility as arrays: the honest world, its look-alikes, then the irregularities."""
    config = configure(config, **overrides)
    held_back = _irregular_customers(config) if raises_shares(config.lookalikes) else None
    world = _honest_world(config)
    # Honest look-alikes are busy: no irregularity is injected on them.
    add_lookalikes(world, config.lookalikes, held_back)
    inject_all(world, config.rates, config.irregular_share)
    return world


def _honest_world(config: SynthConfig) -> World:
    """The honest utility of `config`, before look-alikes and irregularities."""
    return build_world(
        config.customers,
        config.districts,
        config.months,
        config.start,
        config.seed,
        config.schedule_seed,
    )


def _irregular_customers(config: SynthConfig) -> np.ndarray:
    """The customers the irregularities take (and their duplicates' originals) in the utility
    with the default look-alike shares: what raised shares must leave to them for the
    irregularities to keep their share."""
    world = _honest_world(config)
    add_lookalikes(world)
    free = ~world.busy
    inject_all(world, config.rates, config.irregular_share)
    truth = [frame["customer"].to_numpy() for frame in world.truth]
    return np.union1d(np.flatnonzero(world.busy & free), np.concatenate(truth).astype(np.int64))


def generate(config: SynthConfig | None = None, **overrides: object) -> dict[str, pd.DataFrame]:
    """Build the synthetic utility's tables (customers, bills, bill_lines, tariffs, work_orders,
    transformers, meter tests and events, adjustments, ..., truth, lookalikes)."""
    config = configure(config, **overrides)
    world = build(config)
    bills = ledger.compute(world)
    tables = {
        "customers": render.customers_table(world),
        "tariffs": render.tariffs_table(world),
        "bills": render.bills_table(world, bills),
        "bill_lines": render.bill_lines_table(world, bills),
        "work_orders": render.work_orders_table(world, bills),
        "transformers": render.transformers_table(world),
        "meter_tests": render.meter_tests_table(world),
        "meter_events": render.meter_events_table(world),
    }
    tables["adjustments"] = render.adjustments_table(world, tables["bills"])
    for edit in world.table_edits:
        edit(tables)
    tables["truth"] = render.truth_table(world)
    tables["lookalikes"] = render.lookalikes_table(world)
    tables["district_supply"] = render.district_supply_table(world, tables["bills"])
    tables["inspections"] = render.inspections_table(world, tables["truth"], tables["bills"])
    if config.daily_days:
        tables["daily_reads"] = render.daily_reads_table(world, config.daily_days)
    tables["network_supply"] = network.network_supply_table(world)
    return tables


def write(
    tables: dict[str, pd.DataFrame],
    out: Path | str,
    fmt: str = "parquet",
    config: SynthConfig | None = None,
) -> Path:
    """Write the tables to folder `out` atomically: a complete dataset or nothing.

    An existing folder is replaced only once the new one is complete, and only an empty one or
    an earlier synthetic dataset (`check_replaceable`): a utility's own data is never deleted.
    """
    if fmt not in FORMATS:
        raise ParameterError("format", f"one of {', '.join(FORMATS)}", fmt)
    out = Path(out)
    check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    staging.chmod(0o755)
    try:
        for name, frame in tables.items():
            _write_table(frame, staging / name, fmt)
        notice = _synthetic_notice(config, tables.get("truth"))
        (staging / "SYNTHETIC.md").write_text(notice, encoding="utf-8")
        if config is not None:
            meta = {
                "generator": "auditkit.synth",
                "auditkit_version": __version__,
                "generator_sha256": generator_fingerprint(),
                **asdict(config),
            }
            (staging / "synthetic.json").write_text(
                json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                encoding="utf-8",
            )
        if out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, trash / out.name)
            os.replace(staging, out)
            shutil.rmtree(trash)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def check_replaceable(out: Path, name: str = "out") -> None:
    """A ParameterError naming `name` unless `out` is free for a synthetic dataset: absent, an
    empty folder, or a folder an earlier run wrote (it holds SYNTHETIC.md). Anything else may be
    real data and is left as it is."""
    if not out.exists() and not out.is_symlink():
        return
    expected = "a new or empty folder, or an earlier synthetic dataset (with SYNTHETIC.md)"
    if out.is_symlink() or not out.is_dir():
        raise ParameterError(name, expected, f"{out} is a {'link' if out.is_symlink() else 'file'}")
    if not (out / "SYNTHETIC.md").is_file():
        entries = sorted(entry.name for entry in out.iterdir())
        if entries:
            raise ParameterError(name, expected, f"{out} holds other files ({entries[0]!r}, ...)")


def generator_fingerprint() -> str:
    """sha256 of what decides the generated bytes besides the config: the synth's code, its
    options (`auditkit.options.synth`, whose default irregular share scales the rates) and the
    billing conventions it bills by (params/billing.yaml). A dataset made by other code is stale."""
    digest = hashlib.sha256()
    code = [*sorted(Path(__file__).parent.glob("*.py")), Path(synth_options.__file__)]
    sources = [*code, params_dir() / "billing.yaml"]
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def _write_table(frame: pd.DataFrame, stem: Path, fmt: str) -> None:
    if fmt == "parquet":
        frame.to_parquet(stem.with_suffix(".parquet"), index=False, compression="zstd")
    elif fmt == "xlsx":  # text stays text: a customer named `=1+1` is no formula
        stem.with_suffix(".xlsx").write_bytes(frame_xlsx_bytes(frame))
    else:
        encoding = "gb18030" if fmt == "csv-gbk" else "utf-8"
        dated = frame.copy()
        for column in dated.columns:
            if pd.api.types.is_datetime64_any_dtype(dated[column]):
                timed = (dated[column].dropna() != dated[column].dropna().dt.normalize()).any()
                dated[column] = dated[column].dt.strftime(
                    "%Y-%m-%d %H:%M:%S" if timed else "%Y-%m-%d"
                )
        stem.with_suffix(".csv").write_bytes(csv_text(dated).encode(encoding))


def _synthetic_notice(config: SynthConfig | None, truth: pd.DataFrame | None = None) -> str:
    params = (
        ""
        if config is None
        else f"\nParameters: {json.dumps(asdict(config), ensure_ascii=False)}\n"
    )
    return (
        "# Synthetic data / 合成数据\n\n"
        "Every customer, bill and work order in this folder is invented by `auditkit synth`;\n"
        "none belongs to a real person or utility. Irregularities were injected on purpose and are\n"
        "listed in `truth`.\n"
        "本目录中的所有用户、电费和工单均为 auditkit 生成的虚构数据，异常为有意植入，见 truth 表。\n"
        + params
        + _raised_shares_notice(config, truth)
    )


def _raised_shares_notice(config: SynthConfig | None, truth: pd.DataFrame | None) -> str:
    """What look-alike shares above their defaults did to the irregularities ('' where none is
    raised): a user measuring false alarms on them should know the recall side is still there."""
    if config is None or truth is None or not raises_shares(config.lookalikes):
        return ""
    return (
        "\nLook-alike shares above their defaults: the customers the irregularities take at the "
        "default shares\nwere kept from the look-alikes; each irregularity's rate is of the "
        "customers still eligible for it.\n"
        f"`truth` holds {truth['customer_id'].nunique():,} customers of "
        f"{truth['irregularity'].nunique()} kinds of irregularity.\n"
        "高于默认比例的相似正常户不占用默认比例下植入异常的用户；"
        f"truth 表共 {truth['customer_id'].nunique():,} 户、{truth['irregularity'].nunique()} 类异常。\n"
    )

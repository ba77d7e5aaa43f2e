"""Recomputation parameters: defaults from `params/billing.yaml`, overridable per call, validated by
name (`billing.<name>`), so a bad value fails before any bill is touched."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from auditkit import yamlsafe
from auditkit.errors import ParameterError
from auditkit.paths import params_dir

BILLING_FILE = "billing.yaml"
#: Time-of-use periods, in the order lines are listed.
TOU_PERIODS = ("critical", "peak", "flat", "valley")
LOSS_METHODS = ("average_load", "table")


class PfPiece(NamedTuple):
    """One piece of a power-factor table: for p = PF × 100 from `start` (inclusive) up to the next
    piece's start, the adjustment in percent is base + slope × (p − anchor)."""

    start: int
    base: float
    slope: float
    anchor: float


class LossEntry(NamedTuple):
    """Nameplate losses of a transformer size (kW): no-load P0 and load Pk."""

    no_load_loss_kw: float
    load_loss_kw: float


@dataclass(frozen=True)
class BillingParams:
    """Every convention of a recomputation that a utility may set otherwise (names = YAML keys)."""

    two_part_threshold_kva: float
    two_part_choice_from_kva: float
    days_per_month: int
    demand_floor_share: float
    demand_excess_threshold: float
    demand_excess_multiplier: float
    tier_year_start_month: int
    tou_profile: dict[str, float]
    loss_method: str
    loss_form_factor: float
    hours_per_day: float
    loss_table: dict[float, LossEntry]
    pf_tables: dict[str, tuple[PfPiece, ...]]


def defaults_file() -> Path:
    return params_dir() / BILLING_FILE


def load_billing_params(
    path: Path | None = None, overrides: Mapping[str, Any] | None = None
) -> BillingParams:
    """The parameters of `path` (default `params/billing.yaml`) with `overrides` applied.

    `overrides` maps a key (`"days_per_month"`) or a dotted name inside one (`"tou_profile.peak"`,
    `"pf_tables.0.90"`) to its new value; every value is checked, the file's as well.
    """
    path = path or defaults_file()
    if not path.is_file():
        raise ParameterError(
            "params file", f"the billing parameters file at {path}", "no such file"
        )
    return billing_params_of(path.read_bytes(), path, overrides)


def default_billing_params() -> BillingParams:
    """`load_billing_params()`, parsed and checked once while the file's bytes are the same:
    every part of a run reads the defaults, and parsing the YAML took 20 ms (reading its few
    kilobytes takes microseconds). The parameters are shared: read them, never change them."""
    path = defaults_file()
    if not path.is_file():
        return load_billing_params(path)  # refused, naming the file
    return _defaults_of(path.read_bytes(), str(path.resolve()))


@lru_cache(maxsize=1)
def _defaults_of(content: bytes, path: str) -> BillingParams:
    """The defaults in `content`, the bytes read from `path` (the parse is of those bytes: a
    file changed since is read and parsed again next time)."""
    return billing_params_of(content, Path(path))


def billing_params_of(
    content: bytes, path: Path, overrides: Mapping[str, Any] | None = None
) -> BillingParams:
    """The parameters in `content`, the bytes of the file at `path` (named in errors), with
    `overrides` applied as `load_billing_params` applies them."""
    try:
        raw = yamlsafe.safe_load(content)
    except yaml.YAMLError as error:
        raise ParameterError(str(path), "valid YAML", yamlsafe.describe(error)) from None
    if not isinstance(raw, dict):
        raise ParameterError(str(path), "a mapping of parameter → value", type(raw).__name__)
    unknown = sorted(set(raw) - set(_CHECKS), key=str)
    if unknown:
        raise ParameterError("billing", f"a parameter among {sorted(_CHECKS)}", unknown[0])
    missing = [name for name in _CHECKS if name not in raw]
    if missing:
        raise ParameterError(
            "billing", f"values for {', '.join(_CHECKS)}", f"none for {', '.join(missing)}"
        )
    merged = _apply(copy.deepcopy(raw), overrides or {})
    return BillingParams(
        **{name: check(f"billing.{name}", merged[name]) for name, check in _CHECKS.items()}
    )


def _apply(raw: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """`raw` with each override set in place; an unknown name is refused."""
    if not isinstance(overrides, Mapping):
        raise ParameterError("params", "a mapping of parameter name → value", overrides)
    for dotted, value in overrides.items():
        if not isinstance(dotted, str):
            raise ParameterError("params", "parameter names as text", dotted)
        name, dot, inner = dotted.partition(".")
        if name not in _CHECKS:
            raise ParameterError("billing", f"a parameter among {sorted(_CHECKS)}", dotted)
        if not dot:
            raw[name] = value
        elif isinstance(raw[name], dict) and name in _MAPPINGS:
            raw[name] = {**raw[name], _key(name, inner, raw[name]): value}
        else:
            raise ParameterError(f"billing.{name}", "no dotted part (not a mapping)", dotted)
    return raw


#: Parameters that are mappings, whose entries an override may set one by one.
_MAPPINGS = ("tou_profile", "loss_table", "pf_tables")


def _key(name: str, inner: str, current: Mapping) -> object:
    """The key of `current` that the dotted part `inner` names (loss_table keys are numbers)."""
    if name == "loss_table":
        for key in current:
            if str(key) == inner:
                return key
        try:
            return int(inner) if inner.isdigit() else float(inner)
        except ValueError:
            raise ParameterError(f"billing.{name}", "a size in kVA", inner) from None
    return inner


def _number(
    name: str, value: object, minimum: float = 0.0, strict: bool = False, maximum: float = math.inf
) -> float:
    """`value` as a finite number ≥ `minimum` (> where `strict`) and ≤ `maximum`."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise ParameterError(name, "a number", value)
    low = f"{'>' if strict else '≥'} {minimum:g}"
    if value < minimum or (strict and value == minimum) or value > maximum:
        expected = f"a number {low}" + (f" and ≤ {maximum:g}" if maximum < math.inf else "")
        raise ParameterError(name, expected, value)
    return float(value)


def _whole(name: str, value: object, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ParameterError(name, f"a whole number from {low} to {high}", value)
    return value


def _mapping(name: str, value: object) -> Mapping:
    if not isinstance(value, Mapping):
        raise ParameterError(name, "a mapping", value)
    return value


def _tou_profile(name: str, value: object) -> dict[str, float]:
    """Shares of the periods (missing periods 0), adding up to 1."""
    value = _mapping(name, value)
    shares = {}
    for period, share in value.items():
        if period not in TOU_PERIODS:
            raise ParameterError(name, f"periods among {', '.join(TOU_PERIODS)}", period)
        shares[period] = _number(f"{name}.{period}", share)
    if abs(sum(shares.values()) - 1.0) > 1e-9:
        raise ParameterError(name, "shares adding up to 1", value)
    return {period: shares.get(period, 0.0) for period in TOU_PERIODS}


def _loss_method(name: str, value: object) -> str:
    if value not in LOSS_METHODS:
        raise ParameterError(name, f"one of {', '.join(LOSS_METHODS)}", value)
    return str(value)


def _loss_table(name: str, value: object) -> dict[float, LossEntry]:
    table = {}
    for kva, entry in _mapping(name, value).items():
        size = _number(f"{name} (a size in kVA)", kva, strict=True)
        entry = _mapping(f"{name}.{kva}", entry)
        if set(entry) != set(LossEntry._fields):
            raise ParameterError(
                f"{name}.{kva}", f"the keys {', '.join(LossEntry._fields)}", sorted(entry)
            )
        table[size] = LossEntry(
            *(_number(f"{name}.{kva}.{key}", entry[key]) for key in LossEntry._fields)
        )
    return table


_PIECE_KEYS = ("from", "base", "slope", "anchor")


def _pf_tables(name: str, value: object) -> dict[str, tuple[PfPiece, ...]]:
    """Per standard ("0.90"), pieces with whole-percent starts rising from 0."""
    tables = {}
    for standard, pieces in _mapping(name, value).items():
        where = f"{name}.{standard}"
        try:
            level = float(standard)
        except (TypeError, ValueError):
            level = math.nan
        if not isinstance(standard, str) or not 0 < level <= 1:
            raise ParameterError(name, 'standards written as text such as "0.90"', standard)
        if not isinstance(pieces, list) or not pieces:
            raise ParameterError(where, "a list of pieces {from, base, slope, anchor}", pieces)
        parsed = []
        for index, piece in enumerate(pieces):
            at = f"{where}[{index}]"
            piece = _mapping(at, piece)
            if set(piece) != set(_PIECE_KEYS):
                raise ParameterError(at, f"the keys {', '.join(_PIECE_KEYS)}", sorted(piece))
            start = _whole(f"{at}.from", piece["from"], 0, 100)
            if parsed and start <= parsed[-1].start:
                raise ParameterError(f"{at}.from", f"a start above {parsed[-1].start}", start)
            if not parsed and start != 0:
                raise ParameterError(f"{at}.from", "0 (the first piece starts at 0)", start)
            base, slope, anchor = (
                _number(f"{at}.{key}", piece[key], minimum=-math.inf) for key in _PIECE_KEYS[1:]
            )
            parsed.append(PfPiece(start, base, slope, anchor))
        tables[standard] = tuple(parsed)
    return tables


_CHECKS = {
    "two_part_threshold_kva": lambda n, v: _number(n, v),
    "two_part_choice_from_kva": lambda n, v: _number(n, v),
    "days_per_month": lambda n, v: _whole(n, v, 28, 31),
    "demand_floor_share": lambda n, v: _number(n, v, maximum=1.0),
    "demand_excess_threshold": lambda n, v: _number(n, v, strict=True),
    "demand_excess_multiplier": lambda n, v: _number(n, v, minimum=1.0),
    "tier_year_start_month": lambda n, v: _whole(n, v, 1, 12),
    "tou_profile": _tou_profile,
    "loss_method": _loss_method,
    "loss_form_factor": lambda n, v: _number(n, v, strict=True),
    "hours_per_day": lambda n, v: _number(n, v, strict=True, maximum=24.0),
    "loss_table": _loss_table,
    "pf_tables": _pf_tables,
}


def resolve_params(params: object) -> BillingParams:
    """`params` as given to recompute — None (params/billing.yaml), a BillingParams, or a mapping
    of overrides — as BillingParams; anything else is refused naming `params`."""
    if params is None:
        return default_billing_params()
    if isinstance(params, BillingParams):
        return params
    if isinstance(params, Mapping):
        return load_billing_params(overrides=params)
    raise ParameterError("params", "BillingParams or a mapping of parameter → value", params)

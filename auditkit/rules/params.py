"""Rule thresholds: defaults from `params/rules.yaml`, overridable per call, validated by name."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import yaml

from auditkit import yamlsafe
from auditkit.data.schema import METER_EVENTS, USAGE_TYPES
from auditkit.errors import ParameterError, require_type
from auditkit.paths import params_dir
from auditkit.rules.registry import PENALTY_CLASSES

RULES_FILE = "rules.yaml"
#: Parameters that name one of a few choices instead of giving a number.
CHOICES: dict[str, tuple[str, ...]] = {"consumption_drop.source": ("bills", "daily_reads")}
#: Lists of names and the names each may hold (the data contract's values): a misspelt one would
#: match nothing, and the rule would silently check less.
NAME_CHOICES: dict[str, tuple[str, ...]] = {
    "meter_event_unresolved.events": METER_EVENTS,
    "tariff_mismatch.ev_charging_usages": USAGE_TYPES,
}
#: Parameters that give a date ('YYYY-MM-DD'); those in OPTIONAL_DATES may be '' (found from the data).
OPTIONAL_DATES = frozenset({"order_stalled.extract_date"})
DATES = frozenset({"common.penalty_regime_date"}) | OPTIONAL_DATES
#: Thresholds that are a share (a ratio to 1, a weight, a relative tolerance): at most 1, by
#: their name's ending or by name.
SHARE_ENDINGS = ("_share", "_weight", ".relative_tolerance")
SHARES = frozenset(
    {"zero_consumption.min_score", "reduction_without_drop.power_factor"}
    | {"reduction_without_drop.max_load_factor", "consumption_drop.max_year_ratio"}
    | {"consumption_drop.peer_min_drop", "consumption_drop.peer_margin"}
    | {"meter_event_unresolved.drop_ratio", "archive_defect.pt_ratio_tolerance"}
)
#: The longest span a threshold in days, hours or months may give: a hundred years.
SPAN_LIMITS = {"_days": 36_525, "_hours": 876_600, "_months": 1_200}
#: A meter error tolerance in percent below 100 (an error of −100 % records nothing).
PERCENT_LIMIT = 100
#: The common parameters every thresholds file holds.
COMMON = (
    "severity_high_yuan",
    "penalty_regime_date",
    *(f"penalty_{regime}_{penalty}" for regime in ("1996", "2024") for penalty in PENALTY_CLASSES),
)


def defaults_file() -> Path:
    return params_dir() / RULES_FILE


def load_defaults(path: Path | None = None) -> dict[str, dict]:
    """Read and validate the thresholds file (one section per rule id, plus `common`)."""
    path = path or defaults_file()
    if not path.is_file():
        raise ParameterError("params file", f"the rule thresholds file at {path}", "no such file")
    try:
        content = yamlsafe.safe_load(path.read_bytes())
    except yaml.YAMLError as error:
        raise ParameterError(str(path), "valid YAML", yamlsafe.describe(error)) from None
    if not isinstance(content, dict) or not all(isinstance(v, dict) for v in content.values()):
        raise ParameterError(
            str(path), "a mapping of rule id → {parameter: value}", type(content).__name__
        )
    _check_known(content, path)
    for section, values in content.items():
        for name, value in values.items():
            dotted = f"{section}.{name}"
            expected: object = 0.0
            if isinstance(value, list):  # a list of names (all text) or of numbers
                expected = ["name"] if value and all(isinstance(v, str) for v in value) else [1.0]
            expected = CHOICES[dotted][0] if dotted in CHOICES else expected
            expected = "2000-01-01" if dotted in DATES else expected
            _check_value(f"{path.name}: {dotted}", value, expected, CHOICES.get(dotted))
            _check_names(f"{path.name}: {dotted}", dotted, value)
            _check_bound(f"{path.name}: {dotted}", dotted, value)
            if dotted in DATES:
                _check_date(f"{path.name}: {dotted}", value, dotted in OPTIONAL_DATES)
    _check_complete(content, path)
    return content


def _wanted() -> dict[str, tuple[str, ...]]:
    """The thresholds file's sections and their parameters: `common` and each rule's own."""
    from auditkit.rules.registry import RULES

    return {"common": COMMON} | {rule.rule_id: rule.params for rule in RULES.values()}


def _check_known(content: Mapping[str, Mapping], path: Path) -> None:
    """Every section names a rule (or `common`) and every entry one of its parameters: a name
    misspelt would otherwise sit beside the one the rule reads, unread, without a word."""
    wanted = _wanted()
    for section, values in content.items():
        if section not in wanted:
            raise ParameterError(path.name, f"a rule id among {sorted(wanted)}", section)
        unknown = [name for name in values if name not in wanted[section]]
        if unknown:
            raise ParameterError(
                f"{path.name}: {section}",
                f"a parameter among {', '.join(wanted[section])}",
                unknown[0],
            )


def _check_complete(content: Mapping[str, Mapping], path: Path) -> None:
    """Every rule's parameters (and the common ones) must be in the file: it holds the defaults."""
    for section, names in _wanted().items():
        missing = [name for name in names if name not in content.get(section, {})]
        if missing:
            raise ParameterError(
                f"{path.name}: {section}",
                f"values for {', '.join(names)}",
                f"none for {', '.join(missing)}",
            )


def resolve(defaults: Mapping[str, Mapping], overrides: Mapping | None) -> dict[str, dict]:
    """Defaults with `overrides` applied; overrides are `{rule: {name: value}}` or `{"rule.name": value}`."""
    if overrides is not None:
        require_type(overrides, Mapping, "params", "a mapping {rule: {parameter: value}}")
    merged = copy.deepcopy({k: dict(v) for k, v in defaults.items()})
    for key, value in (overrides or {}).items():
        if isinstance(value, Mapping):
            items = [(f"{key}.{name}", v) for name, v in value.items()]
        elif "." not in str(key) and str(key) in merged:  # `zero_consumption: 4`
            raise ParameterError(
                f"params.{key}",
                "a mapping of parameter → value (or 'rule.parameter: value')",
                value,
            )
        else:
            items = [(key, value)]
        for dotted, new_value in items:
            section, _, name = dotted.partition(".")
            if section not in merged:
                raise ParameterError("params", f"a rule id among {sorted(merged)}", section)
            if name not in merged[section]:
                raise ParameterError(
                    f"params.{section}", f"a parameter among {sorted(merged[section])}", name
                )
            _check_value(f"params.{dotted}", new_value, merged[section][name], CHOICES.get(dotted))
            _check_names(f"params.{dotted}", dotted, new_value)
            _check_bound(f"params.{dotted}", dotted, new_value)
            if dotted in DATES:
                _check_date(f"params.{dotted}", new_value, dotted in OPTIONAL_DATES)
            merged[section][name] = new_value
    return merged


def _check_value(
    name: str, value: object, default: object, choices: tuple[str, ...] | None = None
) -> None:
    """Numbers must be numbers ≥ 0 (bools are not numbers); lists must hold positive numbers, or
    names where the default holds names; a choice one of its `choices`."""
    if choices is not None:
        if value not in choices:
            raise ParameterError(name, f"one of {', '.join(choices)}", value)
    elif isinstance(default, list) and default and isinstance(default[0], str):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ParameterError(name, "a list of names", value)
    elif isinstance(default, list):
        if not isinstance(value, list) or not all(_is_number(v) and v > 0 for v in value):
            raise ParameterError(name, "a list of positive numbers", value)
    elif _is_number(default):
        if not _is_number(value) or value < 0:
            raise ParameterError(name, "a number ≥ 0", value)
        if isinstance(default, int) and not isinstance(value, int):
            raise ParameterError(name, "a whole number", value)
    elif type(value) is not type(default):
        raise ParameterError(name, f"a {type(default).__name__}", value)


def _check_names(name: str, dotted: str, value: object) -> None:
    """Each name of a list of `NAME_CHOICES` one it may hold (a list already checked as names)."""
    allowed = NAME_CHOICES.get(dotted)
    if allowed is None or not isinstance(value, list):
        return
    unknown = [item for item in value if item not in allowed]
    if unknown:
        raise ParameterError(name, f"names among {', '.join(allowed)}", unknown[0])


def _check_bound(name: str, dotted: str, value: object) -> None:
    """A share at most 1, a span of days, hours or months at most a hundred years, a meter
    error tolerance below 100 %: beyond them a threshold means nothing (a share of 3 passes
    everything, 10^20 days overflows the calendar) and is refused rather than run."""
    if not _is_number(value):
        return
    if (dotted in SHARES or dotted.endswith(SHARE_ENDINGS)) and value > 1:
        raise ParameterError(name, "a share from 0 to 1", value)
    for suffix, limit in SPAN_LIMITS.items():
        if dotted.endswith(suffix) and value > limit:
            raise ParameterError(name, f"a number from 0 to {limit:,} (a hundred years)", value)
    if dotted == "meter_error_backbill.tolerance_pct" and value >= PERCENT_LIMIT:
        raise ParameterError(name, f"a percentage below {PERCENT_LIMIT}", value)


def _check_date(name: str, value: object, optional: bool = False) -> None:
    """A date parameter: text 'YYYY-MM-DD' naming a real day ('' where it is `optional`)."""
    if optional and value == "":
        return
    try:
        valid = isinstance(value, str) and pd.Timestamp(value).strftime("%Y-%m-%d") == value
    except ValueError:
        valid = False
    if not valid:
        raise ParameterError(name, "a date YYYY-MM-DD" + (" or ''" if optional else ""), value)


def _is_number(value: object) -> bool:
    """A finite int or float (YAML's .nan and .inf are no threshold; a bool is no number)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)

"""Lists of names in rules.yaml or --params (meter events, usage types) hold only names the data
contract knows: a misspelt one would match no row, and the rule would check less without a word."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditkit.errors import ParameterError
from auditkit.rules import params


@pytest.mark.parametrize(
    ("dotted", "value", "unknown"),
    [
        ("meter_event_unresolved.events", ["voltage_loss", "voltage_los"], "voltage_los"),
        ("tariff_mismatch.ev_charging_usages", ["industrial", "Commercial"], "Commercial"),
    ],
)
def test_params_refuse_an_unknown_name_in_a_list_naming_the_allowed_ones(
    dotted: str, value: list[str], unknown: str
) -> None:
    with pytest.raises(ParameterError) as caught:
        params.resolve(params.load_defaults(), {dotted: value})
    assert caught.value.name == f"params.{dotted}" and caught.value.found == unknown
    assert caught.value.expected.startswith("names among ")


def test_a_rules_file_with_an_unknown_event_is_refused_naming_file_and_parameter(
    tmp_path: Path,
) -> None:
    source = params.defaults_file().read_text(encoding="utf-8")
    edited = source.replace("events: [voltage_loss,", "events: [voltage_los,", 1)
    assert edited != source
    path = tmp_path / "rules.yaml"
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(ParameterError) as caught:
        params.load_defaults(path)
    assert caught.value.name == "rules.yaml: meter_event_unresolved.events"
    assert "voltage_loss, current_loss, cover_open" in caught.value.expected


def test_the_names_the_contract_knows_are_taken() -> None:
    """Near misses: every meter event and usage type, and an empty list (checks nothing)."""
    from auditkit.data.schema import METER_EVENTS, USAGE_TYPES

    overrides = {
        "meter_event_unresolved.events": list(METER_EVENTS),
        "tariff_mismatch.ev_charging_usages": list(USAGE_TYPES),
    }
    resolved = params.resolve(params.load_defaults(), overrides)
    assert resolved["meter_event_unresolved"]["events"] == list(METER_EVENTS)
    params.resolve(params.load_defaults(), {"meter_event_unresolved.events": []})

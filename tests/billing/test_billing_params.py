"""params/billing.yaml: the defaults of DOMAIN.md, overrides by dotted name, every value checked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditkit.billing.params import (
    BillingParams,
    LossEntry,
    PfPiece,
    defaults_file,
    load_billing_params,
)
from auditkit.errors import ParameterError
from auditkit.rules.params import load_defaults


def test_defaults_are_the_conventions_of_domain_md():
    params = load_billing_params()
    assert isinstance(params, BillingParams)
    assert params.days_per_month == 30
    assert params.demand_floor_share == 0.40
    assert params.demand_excess_threshold == 1.05
    assert params.demand_excess_multiplier == 2
    assert params.tier_year_start_month == 1
    assert params.tou_profile == {"critical": 0.05, "peak": 0.30, "flat": 0.35, "valley": 0.30}
    assert (params.loss_method, params.loss_form_factor, params.hours_per_day) == (
        "average_load",
        1.0,
        24,
    )
    assert params.loss_table == {}
    assert set(params.pf_tables) == {"0.90", "0.85", "0.80"}
    # 0.90: ≥ 95 → −0.75; 70-89 → 0.5 (90 − p).
    assert params.pf_tables["0.90"][-1] == PfPiece(95, -0.75, 0.0, 95)
    assert params.pf_tables["0.90"][2] == PfPiece(70, 0.0, -0.5, 90)


def test_overrides_by_name_and_by_dotted_name():
    params = load_billing_params(
        overrides={
            "days_per_month": 31,
            "tou_profile.critical": 0.0,
            "tou_profile.flat": 0.40,
            "loss_table.400": {"no_load_loss_kw": 0.57, "load_loss_kw": 4.3},
            "pf_tables.0.90": [{"from": 0, "base": 1.0, "slope": 0.0, "anchor": 0}],
        }
    )
    assert params.days_per_month == 31
    assert params.tou_profile == {"critical": 0.0, "peak": 0.30, "flat": 0.40, "valley": 0.30}
    assert params.loss_table == {400.0: LossEntry(0.57, 4.3)}
    assert params.pf_tables["0.90"] == (PfPiece(0, 1.0, 0.0, 0.0),)
    assert params.pf_tables["0.85"][0].start == 0  # the others kept
    # The defaults are not changed by an override.
    assert load_billing_params().days_per_month == 30


@pytest.mark.parametrize(
    ("overrides", "name"),
    [
        ({"days_per_month": 30.0}, "billing.days_per_month"),
        ({"days_per_month": 45}, "billing.days_per_month"),
        ({"demand_floor_share": -0.1}, "billing.demand_floor_share"),
        ({"demand_floor_share": True}, "billing.demand_floor_share"),
        ({"demand_floor_share": 40}, "billing.demand_floor_share"),  # 40 %, written as 40
        ({"hours_per_day": 2400}, "billing.hours_per_day"),
        ({"demand_excess_multiplier": 0.5}, "billing.demand_excess_multiplier"),
        ({"tier_year_start_month": 13}, "billing.tier_year_start_month"),
        ({"tou_profile": {"peak": 0.5, "valley": 0.4}}, "billing.tou_profile"),
        ({"tou_profile.shoulder": 0.0}, "billing.tou_profile"),
        ({"loss_method": "guess"}, "billing.loss_method"),
        ({"loss_form_factor": 0}, "billing.loss_form_factor"),
        ({"loss_table.x": {}}, "billing.loss_table"),
        ({"loss_table.400": {"no_load_loss_kw": 0.5}}, "billing.loss_table.400"),
        ({"pf_tables.0.90": []}, "billing.pf_tables.0.90"),
        (
            {"pf_tables.0.90": [{"from": 5, "base": 0, "slope": 0, "anchor": 0}]},
            "billing.pf_tables.0.90[0].from",
        ),
        (
            {"pf_tables.0.90": [{"from": 0, "base": 0, "slope": 0, "anchor": 0}] * 2},
            "billing.pf_tables.0.90[1].from",
        ),
        (
            {"pf_tables.high": [{"from": 0, "base": 0, "slope": 0, "anchor": 0}]},
            "billing.pf_tables",
        ),
        ({"days_per_month.x": 1}, "billing.days_per_month"),
        ({"holidays": 1}, "billing"),
    ],
)
def test_bad_values_name_the_parameter(overrides, name):
    with pytest.raises(ParameterError) as error:
        load_billing_params(overrides=overrides)
    assert error.value.name == name


def test_the_file_must_hold_every_parameter_and_no_other(tmp_path: Path):
    text = defaults_file().read_text(encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    missing.write_text(text.replace("days_per_month: 30", ""), encoding="utf-8")
    with pytest.raises(ParameterError, match="days_per_month"):
        load_billing_params(missing)
    extra = tmp_path / "extra.yaml"
    extra.write_text(text + "\nholidays: 3\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="holidays"):
        load_billing_params(extra)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text.replace("days_per_month: 30", "days_per_month: many"), encoding="utf-8")
    with pytest.raises(ParameterError) as error:
        load_billing_params(wrong)
    assert error.value.name == "billing.days_per_month"
    with pytest.raises(ParameterError, match="no such file"):
        load_billing_params(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("days_per_month: [", encoding="utf-8")
    with pytest.raises(ParameterError, match="valid YAML"):
        load_billing_params(bad)


def test_the_two_part_threshold_of_the_recomputation_and_of_the_rules_agree():
    # One threshold (1583号, 315 kVA): the basic line due stops below it, and capacity_underbilled
    # and tariff_mismatch judge a bill on it; defaults that differ would count a month twice or
    # never.
    rules = load_defaults()
    thresholds = {
        rules[rule]["two_part_threshold_kva"]
        for rule in ("capacity_underbilled", "tariff_mismatch")
    }
    assert thresholds == {load_billing_params().two_part_threshold_kva} == {315.0}


def test_importing_the_rules_reads_no_billing_parameters(tmp_path: Path):
    """Parameters are read when a run uses them, not when the package is imported: a folder of
    parameters chosen after import (AUDITKIT_PARAMS) is the one applied, and an import beside a
    placeholder billing.yaml does not fail (it did from rules/tier_energy.py's module constant)."""
    (tmp_path / "billing.yaml").write_text("# a placeholder\n", encoding="utf-8")
    env = os.environ | {"AUDITKIT_PARAMS": str(tmp_path)}
    imported = subprocess.run(
        [sys.executable, "-c", "import auditkit.rules"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr

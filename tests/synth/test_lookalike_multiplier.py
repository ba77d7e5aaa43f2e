"""The look-alike `multiplier_change_with_order`: a CT changed with its meter_replacement order.

Bills before the change are at the old CT × PT, from it at the new one the archive holds; the order
records both multipliers and the reads join; a recomputation agrees with every bill to the fen and
the rules that a silent multiplier change or a register reset would trip leave it alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import auditkit.synth.catalog as catalog
from auditkit import rules, synth
from auditkit.billing import recompute
from auditkit.cli import main
from auditkit.data import Dataset
from auditkit.errors import ParameterError

KIND = "multiplier_change_with_order"
CONFIG = synth.SynthConfig(customers=2000, districts=3, months=36, seed=7, lookalikes={KIND: 0.2})


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    tables = synth.generate(CONFIG)
    tables["bills"] = tables["bills"].astype({"customer_id": str, "period": str})
    return tables


@pytest.fixture(scope="module")
def changed(tables) -> pd.DataFrame:
    """One row per customer of the kind: its order and the customer's archive."""
    lookalikes = tables["lookalikes"]
    chosen = lookalikes[lookalikes["kind"] == KIND]
    orders = tables["work_orders"]
    orders = orders[
        orders["customer_id"].isin(chosen["customer_id"])
        & (orders["order_type"] == "meter_replacement")
    ]
    assert not orders["customer_id"].duplicated().any()  # one order each
    customers = tables["customers"][
        ["customer_id", "ct_ratio", "ct_secondary_a", "pt_ratio", "meter_id"]
    ]
    return chosen.merge(orders, on="customer_id").merge(customers, on="customer_id")


def _bills(tables, changed) -> pd.DataFrame:
    bills = tables["bills"]
    bills = bills[bills["customer_id"].isin(changed["customer_id"])]
    return bills.merge(changed, on="customer_id").sort_values(["customer_id", "period"])


def test_the_order_records_the_old_and_new_multiplier_on_the_first_of_the_month(changed):
    assert len(changed) >= 30
    old = changed["old_value"].astype(float)
    new = changed["new_value"].astype(float)
    effective = pd.to_datetime(changed["effective_date"])
    assert (effective.dt.strftime("%Y-%m") == changed["from_period"]).all()
    assert (effective.dt.day == 1).all()
    # The archive holds the new CT; the PT stays, so old / PT is the standard CT one size away
    # (its primary the ratio × the rated secondary, 5 A or 1 A, which stays too).
    assert (new == changed["ct_ratio"] * changed["pt_ratio"]).all()
    secondary = changed["ct_secondary_a"].fillna(5.0)
    old_primary = old / changed["pt_ratio"] * secondary
    new_primary = changed["ct_ratio"] * secondary
    sizes = list(catalog.CT_PRIMARIES)
    step = [sizes.index(n) - sizes.index(o) for o, n in zip(old_primary, new_primary, strict=True)]
    assert set(step) <= {-1, 1} and len(set(step)) == 2  # up and down both happen
    assert (changed["new_value"] != changed["meter_id"]).all()  # values are multipliers


def test_bills_before_the_change_use_the_old_multiplier_and_after_it_the_new(tables, changed):
    bills = _bills(tables, changed)
    before = bills["period"] < bills["from_period"]
    assert before.any() and (~before).any()
    billed = bills["multiplier_billed"]
    assert (billed[before] == bills.loc[before, "old_value"].astype(float)).all()
    assert (billed[~before] == bills.loc[~before, "new_value"].astype(float)).all()
    # Every bill charges its register advance through the multiplier in force, to the fen.
    registers = (bills["register_end"] - bills["register_start"]) * billed
    assert np.abs(registers.round(2) - bills["kwh_billed"]).max() <= 0.01


def test_a_bill_either_side_of_the_change_by_hand(tables, changed):
    row = changed.iloc[0]
    bills = _bills(tables, changed.iloc[[0]]).set_index("period")
    month = bills.index.get_loc(row["from_period"])
    last_old, first_new = bills.iloc[month - 1], bills.iloc[month]
    old, new = float(row["old_value"]), float(row["new_value"])
    end, start = last_old["register_end"], last_old["register_start"]
    assert last_old["kwh_billed"] == round((end - start) * old, 2)
    assert first_new["register_start"] == 0.0
    assert first_new["kwh_billed"] == round(first_new["register_end"] * new, 2)


def test_the_old_final_read_and_the_new_first_read_join(tables, changed):
    bills = _bills(tables, changed)
    at = bills[bills["period"] == bills["from_period"]].set_index("customer_id")
    previous = bills[bills["period"] < bills["from_period"]].groupby("customer_id").last()
    orders = changed.set_index("customer_id")
    assert (at["register_start"] == 0).all()  # the new meter starts from zero
    assert (orders.loc[at.index, "new_first_read"] == at["register_start"]).all()
    assert (orders.loc[at.index, "old_final_read"] == previous.loc[at.index, "register_end"]).all()
    # Both meters were read on site: no estimate on either side of the change.
    assert (at["read_type"] == "actual").all()
    assert (previous.loc[at.index, "read_type"] == "actual").all()


def test_the_energy_carries_on_across_the_change(tables, changed):
    bills = _bills(tables, changed)
    month = bills["period"].map({p: i for i, p in enumerate(sorted(set(bills["period"])))})
    start = bills["from_period"].map(dict(zip(bills["period"], month, strict=False)))
    around = bills[(month - start).between(-2, 1)]
    side = np.where(around["period"] < around["from_period"], "before", "after")
    kwh = around.groupby(["customer_id", side])["kwh_billed"].mean().unstack()
    ratio = (kwh["after"] / kwh["before"]).median()
    assert 0.8 < ratio < 1.25  # no step at the change: the kWh do not follow the multiplier


def test_tests_before_the_change_name_the_old_meter(tables, changed):
    meter_tests = tables["meter_tests"].merge(changed, on="customer_id", suffixes=("", "_now"))
    before = meter_tests["tested_at"] < pd.to_datetime(meter_tests["effective_date"])
    assert before.any() and (~before).any()
    assert (meter_tests.loc[before, "meter_id"] != meter_tests.loc[before, "meter_id_now"]).all()
    assert (meter_tests.loc[~before, "meter_id"] == meter_tests.loc[~before, "meter_id_now"]).all()


def test_a_recomputation_agrees_with_every_bill_to_the_fen(tables, changed):
    lines = recompute(Dataset.from_frames(tables))
    mine = lines[lines["customer_id"].isin(changed["customer_id"])]
    assert len(mine) and (mine["difference"].abs() <= 0.01).all()
    energy = mine[mine["line_type"] == "energy"]
    assert np.allclose(energy["quantity_due"], energy["quantity_billed"], atol=0.005)


#: Rules a silent multiplier change, a wrong multiplier or a register reset would trip.
TRIPPED_BY_LOOKS = (
    "multiplier_mismatch",
    "register_mismatch",
    "consumption_drop",
    "change_without_order",
)


@pytest.fixture(scope="module")
def findings(tables) -> pd.DataFrame:
    return rules.run(Dataset.from_frames(tables), rules=TRIPPED_BY_LOOKS)


@pytest.mark.parametrize("rule_id", TRIPPED_BY_LOOKS)
def test_rules_of_a_silent_change_or_a_reset_leave_it_alone(findings, changed, rule_id):
    fired = findings.loc[findings["rule_id"] == rule_id, "customer_id"]
    assert not fired.isin(changed["customer_id"]).any()


def test_same_seed_same_change_other_seed_another():
    first, again = synth.build(CONFIG), synth.build(CONFIG)
    np.testing.assert_array_equal(first.multiplier, again.multiplier)
    np.testing.assert_array_equal(first.multiplier_billed, again.multiplier_billed)
    mine = pd.concat(first.lookalikes).query("kind == @KIND")
    pd.testing.assert_frame_equal(mine, pd.concat(again.lookalikes).query("kind == @KIND"))
    other = synth.build(CONFIG, seed=8)
    assert (
        not pd.concat(other.lookalikes).query("kind == @KIND")["customer"].equals(mine["customer"])
    )


def test_shares_of_the_config_choose_how_many_and_a_bad_one_is_named(tmp_path, capsys):
    none = synth.build(CONFIG, lookalikes={KIND: 0.0})
    assert KIND not in set(pd.concat(none.lookalikes)["kind"])
    with pytest.raises(ParameterError, match="parameter 'lookalikes'"):
        synth.build(CONFIG, lookalikes={"no_such_kind": 0.1})
    with pytest.raises(ParameterError, match=f"parameter 'lookalikes.{KIND}'"):
        synth.build(CONFIG, lookalikes={KIND: 1.2})
    out = str(tmp_path / "d")
    assert main(["synth", "--customers", "100", "--lookalike", f"{KIND}=2", "--out", out]) == 2
    assert f"parameter '--lookalike {KIND}'" in capsys.readouterr().err
    assert main(["synth", "--customers", "100", "--lookalike", KIND, "--out", out]) == 2
    assert "parameter '--lookalike': expected KIND=SHARE" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()

"""Rules by parts in this process: the same findings as one run over the whole dataset."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from auditkit import rules
from auditkit.engine import run_rules
from auditkit.engine.local import run_parts_locally
from auditkit.engine.partition import combine, plan_run
from auditkit.engine.sources import MemorySource
from auditkit.errors import ParameterError


def _by_parts(dataset, customers_per_part: int, **kwargs) -> pd.DataFrame:
    source = MemorySource(dataset, customers_per_part)
    plan = plan_run(
        source.periods(),
        source.profile(),
        kwargs.get("as_of"),
        kwargs.get("rules"),
        kwargs.get("params"),
    )
    assert len(source.partitions) >= 6
    return combine(plan, run_parts_locally(source, plan), [])


def test_parts_in_memory_give_the_whole_run_findings(utility, whole_findings):
    pd.testing.assert_frame_equal(_by_parts(utility, 500), whole_findings)


def test_a_converted_folder_runs_lazily_with_the_same_findings(converted, whole_findings):
    findings = rules.run(converted)
    pd.testing.assert_frame_equal(findings, whole_findings)
    assert findings.attrs["as_of"] == whole_findings.attrs["as_of"]
    assert set(findings.attrs["timings"]) == set(rules.RULES)


def test_as_of_selection_and_params_apply_to_the_whole_dataset(utility, converted):
    kwargs = {"as_of": "2024-09", "rules": ["zero_consumption", "archive_defect", "consumption_drop"],
              "params": {"zero_consumption": {"min_months": 2}}}  # fmt: skip
    expected = rules.run(utility, **kwargs)
    assert set(expected["rule_id"]) == set(kwargs["rules"])
    pd.testing.assert_frame_equal(_by_parts(utility, 500, **kwargs), expected)
    pd.testing.assert_frame_equal(rules.run(converted, **kwargs), expected)
    with pytest.raises(ParameterError, match="as_of"):
        rules.run(converted, as_of="2031-01")


def test_a_meter_shared_across_districts_is_found_on_both_accounts(utility):
    customers = utility.customers.copy()
    open_accounts = customers[customers["status"] != "closed"]
    first, second = (
        open_accounts[open_accounts["district"] == d].iloc[0] for d in utility.districts[:2]
    )
    customers.loc[customers["customer_id"] == second["customer_id"], "meter_id"] = first["meter_id"]
    shared = replace(utility, customers=customers)
    expected = rules.run(shared, rules=["archive_defect"])
    findings = _by_parts(shared, 500, rules=["archive_defect"])
    pd.testing.assert_frame_equal(findings, expected)
    about = findings[findings["customer_id"].isin([first["customer_id"], second["customer_id"]])]
    assert len(about) == 2
    assert (
        about["evidence"]
        .str.contains(f"meter {first['meter_id']} also on another open account")
        .all()
    )


def test_skipped_rules_are_decided_on_the_whole_dataset(utility):
    bills = utility.bills.copy()
    bills["max_demand_kw"] = float("nan")
    without = replace(utility, bills=bills, work_orders=None)
    notes_whole: list[str] = []
    expected = rules.run(without, notes=notes_whole)
    notes_parts: list[str] = []
    findings = run_rules(without, notes=notes_parts)
    pd.testing.assert_frame_equal(findings, expected)
    assert notes_parts == notes_whole
    assert any("work_orders is absent" in note for note in notes_parts)
    assert any("max_demand_kw is missing or empty" in note for note in notes_parts)


def test_a_part_whose_customers_have_no_bills_still_gets_archive_findings(utility):
    district = utility.districts[0]
    mine = utility.customers["district"] == district
    unbilled = ~utility.bills["customer_id"].isin(utility.customers.loc[mine, "customer_id"])
    dataset = replace(utility, bills=utility.bills[unbilled].reset_index(drop=True))
    expected = rules.run(dataset)
    assert (expected["district"] == district).any()  # archive rules still see the district
    pd.testing.assert_frame_equal(_by_parts(dataset, 500), expected)


def test_engine_arguments_are_checked(utility):
    with pytest.raises(ParameterError, match="engine"):
        rules.run(utility, engine="spark")
    with pytest.raises(ParameterError, match="scheduler"):
        rules.run(utility, engine="local", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ParameterError, match="dataset"):
        rules.run({"bills": utility.bills})

"""What a run by parts decides once for the whole dataset: order_stalled's extract date, and the
rules' notes of every part merged."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from auditkit import rules
from auditkit.engine.partition import PartResult, RulePlan, combine, plan_run
from auditkit.engine.sources import MemorySource, StoredSource
from auditkit.rules.context import latest_date


def _never() -> pd.Timestamp:
    raise AssertionError("the extract date was looked up although it is not needed")


def test_the_extract_date_is_the_latest_date_of_the_whole_dataset(utility, converted):
    whole = latest_date(utility)
    assert whole is not None
    assert MemorySource(utility).latest_date() == whole
    assert StoredSource(converted).latest_date() == whole
    periods = MemorySource(utility).periods()
    plan = plan_run(periods, utility, None, None, None, extracted_on=lambda: whole)
    assert plan.extract_date == whole
    given = {"order_stalled.extract_date": "2025-03-05"}
    plan = plan_run(periods, utility, None, None, given, extracted_on=_never)
    assert plan.extract_date == pd.Timestamp("2025-03-05")
    plan = plan_run(periods, utility, None, ["zero_consumption"], None, extracted_on=_never)
    assert plan.extract_date is None


def test_order_stalled_measures_every_part_to_the_whole_extract_date(utility, by_parts):
    # Without read dates on the bills, the latest recorded date is the latest order step: it
    # lies in one part, and the other parts' own latest dates are earlier.
    bills = utility.bills.assign(read_to=pd.NaT)
    orders = utility.work_orders.copy()
    last = orders["issued_at"].idxmax()
    orders.loc[last, "issued_at"] = orders["issued_at"].max() + pd.Timedelta(days=25)
    dataset = replace(utility, bills=bills, work_orders=orders)
    source = MemorySource(dataset, -(-len(bills) // 6))
    own = {latest_date(source.part(index)) for index in range(len(source.partitions))}
    assert len(own) > 1 and max(own) == latest_date(dataset)
    # 3 stalled orders; parts measured to their own latest dates find another set.
    expected = rules.run(dataset, rules=["order_stalled"])
    assert len(expected) >= 3
    pd.testing.assert_frame_equal(by_parts(dataset, rules=["order_stalled"]), expected)


@pytest.mark.parametrize("findings", [False, True], ids=["no findings", "findings"])
def test_each_rule_note_of_the_parts_is_kept_once(whole_findings, findings):
    frame = whole_findings.iloc[: 2 if findings else 0]
    parts = []
    for notes in (["a"], ["a", "b"], []):
        part = frame.copy()
        part.attrs = {"notes": notes}
        parts.append(PartResult({"order_stalled": part}))
    plan = RulePlan(2024 * 12 + 11, ("order_stalled",), {}, ("skipped",))
    combined = combine(plan, parts, [])
    assert combined.attrs["notes"] == ["skipped", "a", "b"]

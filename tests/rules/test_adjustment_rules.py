"""unapproved_adjustment: refunds and waivers posted without approval, and their concentration on
one operator. Amounts, counts and robust z-scores are worked out by hand in each test."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from rule_builder import Utility, flat

from auditkit import rules, synth
from auditkit.data import Dataset
from auditkit.engine.local import run_parts_locally
from auditkit.engine.partition import combine, plan_run
from auditkit.engine.sources import MemorySource

RULE = "unapproved_adjustment"
APPROVER = "营销部王主任"


def utility_with(customers: int) -> Utility:
    """`customers` households c01, c02 ... billed 200 kWh a month through 2024."""
    utility = Utility()
    for index in range(1, customers + 1):
        utility.monthly(utility.customer(f"c{index:02d}"), flat(200))
    return utility


def adjustment(
    customer: str,
    amount: float,
    *,
    kind: str = "refund",
    operator: str | None = "OP01",
    approved_by: str | None = None,
    period: str = "2024-03",
    adjusted_at: str = "2024-04-10",
) -> dict:
    return {
        "customer_id": customer,
        "period": period,
        "adjusted_at": pd.Timestamp(adjusted_at),
        "kind": kind,
        "amount": amount,
        "approved_by": approved_by,
        "operator_id": operator,
    }


#: An approved refund on c02 by OP02: a dataset whose approval column is empty does not record
#: approvals (the rule is then skipped), so tests of one unapproved adjustment carry this one.
APPROVED_ON_C02 = {"customer": "c02", "amount": -10.0, "operator": "OP02", "approved_by": APPROVER}


def dataset(utility: Utility, adjustments: list[dict]) -> Dataset:
    return Dataset.from_frames(utility.tables() | {"adjustments": pd.DataFrame(adjustments)})


def findings(utility: Utility, adjustments: list[dict], **kwargs: object) -> pd.DataFrame:
    found = rules.run(dataset(utility, adjustments), rules=[RULE], **kwargs)
    return found.set_index("customer_id")


def approved_refunds(operator: str, customers: list[str]) -> list[dict]:
    """One approved refund of 10 yuan for each customer, posted by `operator`."""
    return [adjustment(c, -10.0, operator=operator, approved_by=APPROVER) for c in customers]


def test_an_unapproved_refund_is_a_finding_priced_at_the_money_returned():
    found = findings(utility_with(2), [adjustment("c01", -120.50), adjustment(**APPROVED_ON_C02)])
    assert list(found.index) == ["c01"]
    row = found.loc["c01"]
    assert row["revenue_impact"] == 120.50
    assert row["revenue_kind"] == "proved"
    assert row["area"] == "routine"
    assert (row["period_from"], row["period_to"]) == ("2024-03", "2024-03")
    assert row["score"] == 0.5  # one unapproved refund: not concentrated
    assert row["evidence"] == (
        "refund of ¥120.50 for 2024-03 posted 2024-04-10 by operator OP01 with no approval; the "
        "operator posted 1 of 1 refund or waiver without approval (100%) (¥120.50)"
    )
    zh = rules.evidence_text(found.reset_index(), "zh").iloc[0]
    assert zh.startswith("2024-04-10 退费 120.50 元（2024-03 电费），无审批人，操作员 OP01")


def test_approved_refunds_and_corrections_that_add_to_the_bill_are_no_finding():
    found = findings(
        utility_with(3),
        [
            adjustment("c01", -80.0, approved_by=APPROVER),
            adjustment("c02", 50.0, kind="backbill"),  # adds to the bill: no money returned
            adjustment("c03", 30.0, kind="read_correction"),
            adjustment("c03", 0.0, kind="refund"),  # nothing returned
        ],
    )
    assert found.empty


def test_a_negative_read_correction_and_a_waiver_add_up_on_their_customer():
    found = findings(
        utility_with(2),
        [
            adjustment(**APPROVED_ON_C02),
            adjustment("c01", -40.0, kind="read_correction", period="2024-02"),
            # a waiver's sign varies between exports: the sum waived either way
            adjustment("c01", 12.30, kind="late_fee_waiver", period="2024-05", operator="OP02"),
        ],
    )
    row = found.loc["c01"]
    assert row["revenue_impact"] == 52.30  # 40.00 + 12.30
    assert (row["period_from"], row["period_to"]) == ("2024-02", "2024-05")
    clauses = json.loads(row["evidence_code"])
    assert clauses[0]["code"] == "unapproved_adjustment.read_correction"  # the larger amount
    assert clauses[0]["amount"] == 40.0
    assert clauses[-2] == {"code": "unapproved_adjustment.more", "more": 1}


def test_a_blank_approver_is_no_approval():
    found = findings(
        utility_with(2),
        [adjustment("c01", -15.0, approved_by="   "), adjustment(**APPROVED_ON_C02)],
    )
    assert found.loc["c01", "revenue_impact"] == 15.0


def test_unapproved_refunds_concentrated_on_one_operator_score_highest():
    # OP01..OP05 post two approved refunds each; OP09 posts four unapproved ones, OP02 one.
    # Unapproved per operator: 0, 1, 0, 0, 0, 4 → median 0, MAD 0 → scale 1 (one adjustment);
    # OP09: z = (4 - 0) / 1 = 4 ≥ 3.5, share 4/4 = 1 ≥ 0.5, 4 ≥ 3 → concentrated, score
    # 0.5 + 0.5 × max(1, 4 / 7) = 1; OP02: 1 < 3 → 0.5.
    utility = utility_with(12)
    adjustments = [
        *[
            row
            for number in range(1, 6)
            for row in approved_refunds(f"OP{number:02d}", ["c01", "c02"])
        ],
        *[adjustment(f"c{index:02d}", -100.0 * index, operator="OP09") for index in (3, 4, 5, 6)],
        adjustment("c07", -70.0, operator="OP02"),
    ]
    found = findings(utility, adjustments)
    assert sorted(found.index) == ["c03", "c04", "c05", "c06", "c07"]
    assert found.loc[["c03", "c04", "c05", "c06"], "score"].tolist() == [1.0] * 4
    assert found.loc["c07", "score"] == 0.5
    assert found.loc["c05", "evidence"] == (
        "refund of ¥500.00 for 2024-03 posted 2024-04-10 by operator OP09 with no approval; "
        "unapproved refunds concentrate on this operator: 4 of 4 refunds and waivers (100%), "
        "robust z-score 4.0 (¥500.00)"
    )
    assert found.loc["c07", "evidence"].endswith(
        "the operator posted 1 of 3 refunds and waivers without approval (33%) (¥70.00)"
    )


def test_a_few_unapproved_among_many_approved_are_not_concentrated_unless_z_says_so():
    # OP01: 3 unapproved of 10 (share 0.3 < 0.5); OP02..OP04: none. Unapproved counts 3, 0, 0, 0:
    # median 0, MAD 0 → z = 3 < 3.5: not concentrated (score 0.5). With z_threshold 3 it is:
    # 0.5 + 0.5 × max(0.3, 3 / 6) = 0.75.
    utility = utility_with(10)
    customers = [f"c{index:02d}" for index in range(1, 11)]
    adjustments = [
        *approved_refunds("OP01", customers[3:]),
        *[adjustment(c, -20.0, operator="OP01") for c in customers[:3]],
        *[row for op in ("OP02", "OP03", "OP04") for row in approved_refunds(op, customers[:2])],
    ]
    found = findings(utility, adjustments)
    assert found["score"].tolist() == [0.5, 0.5, 0.5]
    stricter = findings(utility, adjustments, params={RULE: {"z_threshold": 3.0}})
    assert stricter["score"].tolist() == [0.75, 0.75, 0.75]
    assert stricter.loc["c01", "evidence"].endswith(
        "3 of 10 refunds and waivers (30%), robust z-score 3.0 (¥20.00)"
    )


def test_a_busy_operator_whose_refunds_are_all_approved_is_no_finding():
    customers = [f"c{index:02d}" for index in range(1, 21)]
    found = findings(utility_with(20), approved_refunds("OP07", customers))
    assert found.empty


def test_only_adjustments_posted_up_to_the_audit_month_count():
    utility = utility_with(3)
    adjustments = [
        adjustment("c01", -30.0, period="2024-05", adjusted_at="2024-06-30"),
        adjustment("c02", -40.0, period="2024-06", adjusted_at="2024-07-01"),
        adjustment("c03", -10.0, operator="OP02", approved_by=APPROVER),
    ]
    found = findings(utility, adjustments, as_of="2024-06")
    assert list(found.index) == ["c01"]
    assert found.loc["c01", "evidence"].endswith(
        "1 of 1 refund or waiver without approval (100%) (¥30.00)"
    )
    assert sorted(findings(utility, adjustments).index) == ["c01", "c02"]


def test_an_unknown_operator_is_named_empty_and_not_compared():
    found = findings(
        utility_with(2), [adjustment("c01", -25.0, operator=None), adjustment(**APPROVED_ON_C02)]
    )
    assert found.loc["c01", "score"] == 0.5
    assert found.loc["c01", "evidence"] == (
        "refund of ¥25.00 for 2024-03 posted 2024-04-10 by operator (empty) with no approval (¥25.00)"
    )


@pytest.mark.parametrize("column", ["absent", "empty"])
def test_an_export_without_approvals_skips_the_rule_with_a_note(column: str):
    """No approver anywhere in the export: approvals are not recorded, not all refused."""
    rows = [adjustment("c01", -25.0), adjustment("c02", -30.0, operator="OP02")]
    if column == "absent":
        for row in rows:
            del row["approved_by"]
    notes: list[str] = []
    found = rules.run(dataset(utility_with(2), rows), rules=[RULE], notes=notes)
    assert found.empty
    assert notes == [f"{RULE} skipped: column adjustments.approved_by is missing or empty"]


def test_operators_are_compared_across_parts_of_the_dataset():
    """The concentration counts every part's adjustments: run in parts, the findings equal one
    run over the whole dataset (OP09's four unapproved refunds fall in different parts)."""
    utility = utility_with(12)
    adjustments = [
        *[adjustment(f"c{index:02d}", -10.0 * index, operator="OP09") for index in (1, 4, 8, 12)],
        *approved_refunds("OP01", ["c02", "c05", "c09"]),
        adjustment("c10", -5.0, operator="OP01"),
    ]
    data = dataset(utility, adjustments)
    whole = rules.run(data, rules=[RULE])
    source = MemorySource(data, bills_per_part=36)  # three customers' bills a part
    assert len(source.partitions) == 4
    plan = plan_run(
        source.periods(), source.profile(), None, [RULE], None, extracted_on=source.latest_date
    )
    pd.testing.assert_frame_equal(combine(plan, run_parts_locally(source, plan), []), whole)
    assert (whole.set_index("customer_id").loc[["c01", "c04", "c08", "c12"], "score"] == 1).all()


def test_synthetic_unapproved_refunds_are_found_with_their_exact_amounts():
    tables = synth.generate(customers=2000, districts=2, seed=3, rates={RULE: 0.02})
    found = rules.run(Dataset.from_frames(tables), rules=[RULE])
    truth = tables["truth"][tables["truth"]["irregularity"] == RULE]
    assert len(truth) >= 20
    assert set(found["customer_id"]) == set(truth["customer_id"])
    merged = found.merge(truth, on="customer_id")
    assert (merged["revenue_impact"] - merged["revenue_effect"]).abs().max() < 0.005
    assert (found["score"] == 1.0).sum() >= len(found) // 2  # most on one or two operators
    busy = tables["lookalikes"]
    busy = busy[busy["kind"] == "busy_refund_operator"]["customer_id"]
    assert len(busy) >= 2 and not found["customer_id"].isin(busy).any()

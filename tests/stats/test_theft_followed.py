"""The theft worklist lists the falls someone is already on after the others: a customer with a
zero-consumption finding of the same month, or a field outcome in the register, keeps its score,
is listed after the customers no one is on and is marked in the table, in both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd
from stats_builders import DROP_CUSTOMER, DROP_FROM
from test_theft_report import monthly_bills

from auditkit.register import Register, finding_key
from auditkit.rules import FINDING_COLUMNS
from auditkit.stats import study
from auditkit.stats.followed import ZERO_SINCE_CHANGE, followed_up
from auditkit.stats.theft_report import score_theft

ZERO_RULE = "运行用户连续零电量"


def worklist() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bills where Z-1 falls to zero from 2024-05 (the strongest fall) and M-1, M-2 fall to 40 %
    from 2024-06 and 2024-07."""
    bills, archive = monthly_bills({"Z-1": "2024-05", "M-1": "2024-06", "M-2": "2024-07"})
    zero = (bills["customer_id"] == "Z-1") & (bills["period"] >= "2024-05")
    return bills.assign(kwh_billed=bills["kwh_billed"].where(~zero, 0.0)), archive


DROPS = ("Z-1", "M-1", "M-2")


def listed(report) -> list[str]:
    """The dropping customers in worklist order (the peers' small scores left out)."""
    return [customer for customer in report.top()["customer_id"] if customer in DROPS]


def on_record() -> pd.DataFrame:
    """Z-1 has a zero-consumption finding of the month; M-1's finding was confirmed on 2024-12-20."""
    findings = pd.DataFrame({"customer_id": ["Z-1"], "rule_id": ["zero_consumption"]})
    outcomes = pd.DataFrame(
        {
            "customer_id": ["M-1"],
            "event": ["confirmed"],
            "happened_at": [pd.Timestamp("2024-12-20")],
        }
    )
    return followed_up(findings, outcomes)


def test_customers_someone_is_on_are_listed_after_the_others_with_their_scores_unchanged():
    bills, archive = worklist()
    plain = score_theft(bills, None, archive, "2024-12", top_n=40)
    assert listed(plain) == ["Z-1", "M-2", "M-1"]  # the zero run scores highest
    followed = score_theft(bills, None, archive, "2024-12", top_n=40, followed=on_record())
    assert listed(followed) == ["M-2", "Z-1", "M-1"]
    # Every customer no one is on (the peers' small scores too) comes before Z-1 and M-1.
    assert list(followed.top()["customer_id"])[-2:] == ["Z-1", "M-1"]
    pd.testing.assert_frame_equal(plain.scores, followed.scores)  # the detector's, untouched
    assert set(DROPS) <= set(followed.series["customer_id"])  # all three drawn


def test_the_table_marks_the_rule_or_outcome_in_both_languages():
    bills, archive = worklist()
    report = score_theft(bills, None, archive, "2024-12", top_n=40, followed=on_record())
    zh = report.to_table("zh").set_index("户号")["已有疑点/已核查"]
    assert zh[list(DROPS)].to_dict() == {
        "Z-1": f"已有“{ZERO_RULE}”疑点",
        "M-1": "2024-12-20 核查：属实",
        "M-2": "",
    }
    en = report.to_table("en").set_index("Customer")["Already found / checked"]
    assert en["Z-1"] == "'Active account with zero consumption' finding"
    assert en["M-1"] == "field check: confirmed on 2024-12-20"
    reasons = dict(zip(report.top()["customer_id"], report.reasons("zh"), strict=True))
    assert "已有人跟进（2024-12-20 核查：属实），排在无人跟进的用户之后" in reasons["M-1"]
    assert "已有人跟进" not in reasons["M-2"]


def test_the_sentence_says_how_many_strong_suspects_someone_is_already_on():
    bills, archive = worklist()
    report = score_theft(bills, None, archive, "2024-12", top_n=40, followed=on_record())
    assert report.summary()["strong"] == 3
    assert report.explain("zh").startswith(
        "3 户用电量持续突降、窃电嫌疑评分大于 3（强烈可疑）；其中 2 户已有零电量等规则的疑点或现场核查记录"
    )
    assert "其余 1 户无人跟进，建议优先现场核查。" in report.explain("zh")
    assert "2 of them already have a finding of another rule" in report.explain("en")
    assert "inspect the other 1 first." in report.explain("en")


def test_without_the_rule_findings_a_customer_at_zero_since_its_change_is_marked_and_listed_after():
    bills, archive = worklist()
    report = score_theft(bills, None, archive, "2024-12", top_n=40, zero_followed=True)
    assert listed(report) == ["M-2", "M-1", "Z-1"]
    assert report.top()["customer_id"].iloc[-1] == "Z-1"
    assert list(report.followed["followed_rule"]) == [ZERO_SINCE_CHANGE]
    zh = report.to_table("zh").set_index("户号")["已有疑点/已核查"]
    assert zh["Z-1"] == "降为零，见零电量规则" and zh["M-1"] == ""
    en = report.to_table("en").set_index("Customer")["Already found / checked"]
    assert en["Z-1"] == "fell to zero: the zero-consumption rule's case"


def test_no_one_on_any_listed_customer_adds_no_column():
    bills, archive = worklist()
    report = score_theft(bills, None, archive, "2024-12", top_n=40)
    assert "已有疑点/已核查" not in report.to_table("zh").columns
    assert report.explain("zh").endswith("建议优先现场核查。")


def test_the_study_reads_a_confirmed_check_from_the_register(small_dataset, tmp_path):
    # The small utility's one strong drop: SY-甲-000, on its bills from 2024-07.
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    drop = {
        "rule_id": "consumption_drop", "area": "consumption", "severity": "high",
        "customer_id": DROP_CUSTOMER, "district": "甲", "period_from": DROP_FROM,
        "period_to": DROP_FROM, "evidence": "use fell", "revenue_impact": 100.0,
        "revenue_kind": "estimated", "penalty": 0.0, "score": 9.0, "evidence_code": "[]",
    }  # fmt: skip
    confirmed = {
        "finding_key": finding_key(DROP_CUSTOMER, "consumption_drop", DROP_FROM),
        "event": "confirmed", "amount": np.nan, "actor": "王工",
        "happened_at": "2024-08-12", "source": "worklist.xlsx", "source_row": 5,
    }  # fmt: skip
    with Register.open(url) as register:
        register.record_run(
            pd.DataFrame([drop], columns=list(FINDING_COLUMNS)),
            run_id=DROP_FROM,
            as_of=DROP_FROM,
            district=None,
        )
        register.record_outcomes(pd.DataFrame([confirmed]))
        theft = study.build(small_dataset, top_n=40, register=register).theft
    plain = study.build(small_dataset, top_n=40).theft
    assert plain.top()["customer_id"].iloc[0] == DROP_CUSTOMER
    assert DROP_CUSTOMER not in list(theft.top()["customer_id"])[:-1]  # last, not first
    pd.testing.assert_series_equal(theft.scores["score"], plain.scores["score"])
    assert theft.mark(DROP_CUSTOMER, "zh") == "2024-08-12 核查：属实"
    assert theft.mark(DROP_CUSTOMER, "en") == "field check: confirmed on 2024-08-12"

"""The self/cross tables of the audit-cycle report: proved and estimated revenue per check kept
apart, and a district whose checks were too few for a test said to be not tested, never "no"
(figures worked out by hand)."""

from __future__ import annotations

import pandas as pd
from cycle_builders import RECORDED, findings_frame, key, outcomes_frame

from auditkit.cycle import study_of
from auditkit.cycle.selfcross import self_cross
from auditkit.register import finding_key


def test_recovered_per_check_shows_proved_and_estimated_apart_never_added():
    """Every check compared (north chose F6, F7 by revenue). North's self-audits checked F1
    (proved, 600 recovered), F2 (proved, nothing) and F3 (estimated: its false alarm of 04-10 is
    followed by 90 recovered on 04-12, which confirms it): 600 / 3 = 200.00 proved and
    90 / 3 = 30.00 estimated per check; the sum 230.00 is shown nowhere."""
    outcomes = outcomes_frame()
    outcomes.loc[outcomes["auditor"].notna(), "selected_by"] = "revenue"
    extra = pd.DataFrame([{"finding_key": key("F3"), "event": "recovered", "amount": 90.0,
                           "happened_at": pd.Timestamp("2024-04-12"), "auditor": None,
                           "selected_by": None}])  # fmt: skip
    outcomes = pd.concat([outcomes, extra], ignore_index=True)
    study = study_of(findings_frame(), outcomes, RECORDED, months=2)
    north = study.self_cross.table.set_index("district").loc["north"]
    assert north["self_n"] == 3
    assert (north["self_proved_per_check"], north["self_estimated_per_check"]) == (200.0, 30.0)
    labels = {
        "zh": ("自查每次追补·核算确认 (元)", "自查每次追补·估算 (元)", "供电单位"),
        "en": (
            "Recovered per self-audit, proved (yuan)",
            "Recovered per self-audit, estimated (yuan)",
            "District",
        ),
    }
    for lang, (proved, estimated, district) in labels.items():
        table = study.table("self_cross_recovery", lang).set_index(district)
        assert (table.loc["north", proved], table.loc["north", estimated]) == ("200.00", "30.00")
        shown = table.to_string() + study.table("self_cross", lang).to_string()
        assert "230.00" not in shown


def checks_study() -> object:
    """east: 10 self-audit checks and 10 cross-audit checks (by west), every one confirmed, so
    tested (10 of each) and not significant (one-sided Fisher p = 1); west: 12 self-audit and 6
    cross-audit checks (by east): fewer than 10 cross-audits, so not tested."""
    plan = {"east": (10, 10, "west"), "west": (12, 6, "east")}
    findings, events = [], []
    for district, (own, crossed, auditor) in plan.items():
        for number in range(own + crossed):
            customer = f"{district}-{number}"
            finding = finding_key(customer, "rate_mismatch", "2023-12")
            findings.append({"finding_key": finding, "customer_id": customer,
                             "rule_id": "rate_mismatch", "district": district,
                             "revenue_impact": 100.0, "revenue_kind": "proved",
                             "first_as_of": "2024-01", "last_as_of": "2024-01"})  # fmt: skip
            events.append({"finding_key": finding, "event": "confirmed", "amount": float("nan"),
                           "happened_at": pd.Timestamp("2024-02-10"),
                           "auditor": auditor if number >= own else None,
                           "selected_by": "revenue"})  # fmt: skip
    return study_of(pd.DataFrame(findings), pd.DataFrame(events), ["2024-01"])


def test_a_district_too_few_to_test_reads_not_tested_and_a_tested_one_no():
    study = checks_study()
    table = study.self_cross.table.set_index("district")
    assert bool(table.loc["east", "under_reports"]) is False  # tested: "not_tested" is truthy
    assert table.loc["east", "p_adjusted"] == 1.0
    assert table.loc["west", "under_reports"] == "not_tested"
    assert pd.isna(table.loc["west", "p_adjusted"])
    expected = {
        "zh": ("供电单位", "自查少报", "否", "未检验", "自查次数", "交叉检查次数"),
        "en": ("District", "Self-audits under-report", "no", "not tested", "Self-audits",
               "Cross-audits"),
    }  # fmt: skip
    for lang, (district, flag, no, untested, self_n, cross_n) in expected.items():
        shown = study.table("self_cross", lang).set_index(district)
        assert shown.loc["east", flag] == no
        assert shown.loc["west", flag] == untested
        assert (shown.loc["west", self_n], shown.loc["west", cross_n]) == ("12", "6")


def test_the_zh_table_counts_checks_not_customers():
    shown = checks_study().table("self_cross", "zh")
    assert "自查次数" in shown.columns and "交叉检查次数" in shown.columns
    assert not [column for column in shown.columns if "户数" in column]


def test_a_cross_check_by_no_district_of_the_register_is_left_out_and_noted_as_the_report_does():
    """east and west: 12 findings each, numbered 0-11, each checked by its own district
    (confirmed for 0 alone) and once across (confirmed for the even numbers). The cross checks
    of 0-9 are by the other district, those of 10 and 11 by a slip ('west局' for west): no
    district of the register, which the cross_audit report leaves out. The cycle counted them:
    cross_n 12 (6 confirmed); now 10 (0, 2, 4, 6, 8: 5 / 10 = 0.5) with the note, and 10's
    confirmation by a slip is not listed as under-reported: 2, 4, 6, 8 of each, 8 in all."""
    findings, events = [], []
    for district, other in (("east", "west"), ("west", "east")):
        for number in range(12):
            customer = f"{district}-{number}"
            finding = finding_key(customer, "rate_mismatch", "2023-12")
            findings.append({"finding_key": finding, "customer_id": customer,
                             "rule_id": "rate_mismatch", "district": district,
                             "revenue_impact": 100.0, "revenue_kind": "proved"})  # fmt: skip
            auditor = other if number < 10 else f"{other}局"
            own = "confirmed" if number == 0 else "false_alarm"
            across = "confirmed" if number % 2 == 0 else "false_alarm"
            for by, event in ((None, own), (auditor, across)):
                events.append({"finding_key": finding, "auditor": by, "event": event,
                               "happened_at": pd.Timestamp("2024-03-02"), "in_window": True,
                               "selected_by": "sample", "amount": float("nan")})  # fmt: skip
    result = self_cross(pd.DataFrame(findings), pd.DataFrame(events))
    table = result.table.set_index("district")
    assert table["cross_n"].to_dict() == {"east": 10, "west": 10}
    assert table["cross_rate"].to_dict() == {"east": 0.5, "west": 0.5}  # 5 / 10
    assert table["self_n"].to_dict() == {"east": 12, "west": 12}  # near miss: self checks kept
    rates = result.comparison.rates.table.set_index(["district", "audit_kind"])
    assert rates.loc[("east", "cross"), "inspections"] == 10  # the table and the tests agree
    assert result.comparison.notes[0].text("en") == (
        "4 inspections marked cross but made by east局, west局, no district of the data: left "
        "out of the comparison."
    )
    assert sorted(result.under_reported["auditor"].unique()) == ["east", "west"]
    assert len(result.under_reported) == 8

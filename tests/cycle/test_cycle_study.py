"""The audit-cycle evaluation on the hand-made register of cycle_builders, figures worked out by
hand (the module's table says what happened to each finding), without a database."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from cycle_builders import FINDINGS, RECORDED, findings_frame, key, outcomes_frame

from auditkit.cycle import study_of
from auditkit.cycle.precision import OVERSTATED, precision_by_rule
from auditkit.errors import ParameterError
from auditkit.results import TOTAL_ROWS

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def study():
    return study_of(findings_frame(), outcomes_frame(), RECORDED, months=2)


def row(frame: pd.DataFrame, **where: str) -> dict:
    mask = np.logical_and.reduce([frame[column] == value for column, value in where.items()])
    (found,) = frame[mask].to_dict("records")
    return found


def test_the_bureau_table_counts_what_happened_in_the_window(study):
    north, south = (row(study.by_district, district=name) for name in ("north", "south"))
    counts = ["found", "issued", "checked", "confirmed", "false_alarms", "rectified",
              "awaiting_check", "awaiting_rectification"]  # fmt: skip
    # F1..F4: F4 awaits a check, F2 (corrected to confirmed) awaits rectification
    assert [north[name] for name in counts] == [4, 3, 3, 2, 1, 1, 1, 1]
    # F6..F8 found; F5 rectified in the window though checked before it; F7 never sent
    assert [south[name] for name in counts] == [3, 1, 2, 2, 0, 2, 0, 1]
    assert north["precision"] == pytest.approx(2 / 3) and south["precision"] == 1.0


def test_days_to_rectify_run_from_the_first_sending_and_unknown_days_are_said(study):
    assert row(study.by_district, district="north")["median_days"] == 24  # 02-20 → 03-15
    assert row(study.by_district, district="south")["median_days"] == 45  # 01-25 → 03-10 (leap)
    assert study.total.iloc[0]["median_days"] == 34.5  # F7's days unknown, left out
    assert (
        "Rectified findings without a sent event before their rectification: 1"
        in (study.data_notes("en")[0])
    )


def test_recovered_revenue_keeps_proved_and_estimated_apart(study):
    total = study.total.iloc[0]
    assert total["recovered_proved"] == 1400.0  # F1 600 + F5 800
    assert total["recovered_estimated"] == 150.0  # F6, recovered by north's cross-audit
    sentence = study.conclusions("en")[3]
    assert "1,400.00 yuan on proved findings and 150.00 yuan on estimated" in sentence
    assert "1,550" not in study.explain("en")


def test_a_correction_is_a_new_event_and_the_latest_decision_up_to_the_window_end_decides():
    before = study_of(findings_frame(), outcomes_frame(), RECORDED, as_of="2024-02", months=1)
    assert before.window.end == pd.Timestamp("2024-04-01")
    states = before.states.set_index("finding_key")
    assert states.loc[key("F2"), "decision"] == "false_alarm"  # the 04-02 correction is later
    now = study_of(findings_frame(), outcomes_frame(), RECORDED, months=2)
    assert now.states.set_index("finding_key").loc[key("F2"), "decision"] == "confirmed"


def test_an_as_of_not_recorded_ends_the_window_before_it_and_says_so():
    """2030-01 gave the window of the latest recorded month, 2024-03, without a word."""
    later = study_of(findings_frame(), outcomes_frame(), RECORDED, as_of="2030-01", months=2)
    assert later.window.last == "2024-03"
    assert later.notes[0].code == "as_of_not_recorded"
    assert "2030-01 is no month recorded in the register: the window ends at the latest " in (
        "\n".join(later.data_notes("en"))
    )
    recorded = study_of(findings_frame(), outcomes_frame(), RECORDED, as_of="2024-03", months=2)
    assert "as_of_not_recorded" not in [note.code for note in recorded.notes]  # near miss


def test_precision_per_rule_with_exact_intervals_on_every_check_and_on_samples_apart(study):
    table = study.precision.set_index("rule_id")
    rate = table.loc["rate_mismatch"]  # F1, F2, F7 confirmed; only F2 drawn by sample
    assert (rate["checked"], rate["confirmed"], rate["sample_checked"]) == (3, 3, 1)
    assert rate["ci_low"] == pytest.approx(0.025 ** (1 / 3), abs=1e-9)  # 3 of 3: (α/2)^(1/n)
    assert rate["sample_low"] == pytest.approx(0.025) and rate["sample_high"] == 1.0
    zero = table.loc["zero_consumption"]  # F3 false alarm, F6 confirmed, both sampled
    assert zero["sample_precision"] == 0.5
    assert zero["sample_low"] == pytest.approx(1 - np.sqrt(0.975), abs=1e-9)  # 1 of 2
    assert zero["sample_high"] == pytest.approx(np.sqrt(0.975), abs=1e-9)


@pytest.mark.parametrize(
    ("lang", "intervals"),
    [
        ("zh", ["95% 置信区间", "随机抽查 95% 置信区间"]),
        ("en", ["95% interval", "Random-sample 95% interval"]),
    ],
)
def test_both_interval_columns_name_their_level_in_either_language(study, lang, intervals):
    columns = list(study.table("precision", lang).columns)
    assert [column for column in columns if "95%" in column] == intervals


def test_chosen_checks_above_the_sample_interval_are_marked_overstated():
    # 20 checks, 18 confirmed; of them 10 drawn at random with 3 confirmed: 90 % against a
    # sample interval of 6.7 % - 65.2 % (Clopper-Pearson, 3 of 10)
    states = pd.DataFrame(
        {
            "rule_id": "meter_stopped",
            "checked": True,
            "confirmed": [True] * 18 + [False] * 2,
            "sample_checked": [True] * 10 + [False] * 10,
            "sample_confirmed": [True] * 3 + [False] * 7 + [False] * 10,
        }
    )
    (rule,) = precision_by_rule(states, 0.95).to_dict("records")
    assert rule["precision"] == 0.9 and rule["sample_precision"] == 0.3
    assert rule["sample_low"] == pytest.approx(0.0667, abs=5e-5)
    assert rule["sample_high"] == pytest.approx(0.6525, abs=5e-5)
    assert rule["note"] == OVERSTATED


def test_a_cross_audit_finds_what_the_self_audit_missed(study):
    """Both kinds drew findings at random (F2, F3, F6 by self; F6 by north), so only those
    checks are compared: F1 (chosen by revenue) and F7 (north's check by revenue) are not."""
    assert study.self_cross.basis == "sample"
    table = study.self_cross.table.set_index("district")
    south, north = table.loc["south"], table.loc["north"]
    assert (south["self_n"], south["self_rate"], south["cross_n"], south["cross_rate"]) == (
        1, 0.0, 1, 1.0)  # fmt: skip
    # recovered by north on F6, an estimated finding
    assert (south["cross_proved_per_check"], south["cross_estimated_per_check"]) == (0.0, 150.0)
    assert (north["self_n"], north["self_rate"], north["self_proved_per_check"]) == (2, 0.5, 0)
    assert south["note"] == "too_few_in_district" and np.isnan(south["p_adjusted"])
    assert south["under_reports"] == "not_tested"  # one check of each kind: no test, not "no"
    missed = study.under_reported
    assert missed["customer_id"].tolist() == ["C-F7", "C-F6"]  # most revenue first
    assert missed["self_verdict"].tolist() == ["unchecked", "false_alarm"]
    sentence = study.conclusions("en")[-1]
    assert sentence.startswith(
        "south: cross-audits confirmed findings its own checks had called false alarms (1) or "
        "never checked (1)"
    )
    assert "900.00 yuan proved, 400.00 yuan estimated" in sentence
    assert "compared below on random-sample checks alone" in study.explain("en")
    # One check of each kind per district: no test, and the sentence names the register's checks
    # (the cross-audit report's inspections are another count).
    assert (
        "Too few inspections to compare self- and cross-audits by district (by the findings "
        "register's check outcomes)." in study.conclusions("en")
    )
    assert "检查次数不足，无法按单位比较自查与交叉检查（依据疑点登记簿的核查结论）。" in (
        study.conclusions("zh")
    )


def test_without_random_samples_of_both_kinds_every_check_is_compared_and_said_so():
    outcomes = outcomes_frame()
    crossed = outcomes["auditor"].notna()
    outcomes.loc[crossed, "selected_by"] = "revenue"  # north chose F6 and F7 by revenue
    study = study_of(findings_frame(), outcomes, RECORDED, months=2)
    assert study.self_cross.basis == "all"
    table = study.self_cross.table.set_index("district")
    south, north = table.loc["south"], table.loc["north"]
    assert (south["self_n"], south["cross_n"], south["cross_rate"]) == (1, 2, 1.0)
    # 150 estimated recovered by north on F6 / 2 checks (F6, F7); nothing proved
    assert (south["cross_proved_per_check"], south["cross_estimated_per_check"]) == (0.0, 75.0)
    assert (north["self_n"], north["self_proved_per_check"]) == (3, 200.0)  # F1's 600 / 3
    assert north["self_estimated_per_check"] == 0.0
    assert "compared below on every check" in study.explain("en")


def test_the_headline_and_the_window_sentence(study):
    figures = study.headline()
    assert figures["issued"] == 4 and figures["checked"] == 5
    assert figures["precision_pct"] == 80.0
    assert figures["sample_precision_pct"] == pytest.approx(200 / 3)
    assert study.conclusions("en")[0] == (
        "From 2024-02 to 2024-03 (recorded months: 2): findings sent to the field 4, checked 5, "
        "of which confirmed 4 and false alarms 1 (confirmed share 80.0%)."
    )


def test_one_district_narrows_what_is_shown_but_not_the_comparison(study):
    north = study_of(findings_frame(), outcomes_frame(), RECORDED, "north", months=2)
    assert north.by_district["district"].tolist() == ["north"]
    assert north.headline()["checked"] == 3
    assert "self_cross" in north.table_names and north.under_reported.empty
    assert len(north.table("districts", "en")) == 1  # no total row for one district


def test_every_table_and_sentence_speaks_the_report_s_language_only(study):
    for lang in ("zh", "en"):
        texts = study.conclusions(lang) + study.data_notes(lang) + study.methods(lang)
        for name in study.table_names:
            table = study.table(name, lang)
            texts += list(table.columns) + table.astype(str).to_numpy().ravel().tolist()
        texts += list(study.headline_figures(lang))
        if lang == "en":
            assert not [text for text in texts if CJK.search(text)]
        else:
            sentences = study.conclusions(lang) + study.data_notes(lang) + study.methods(lang)
            assert all(CJK.search(text) for text in sentences)
            assert not [text for text in texts if re.search(r"\b(the|and|of|checks?)\b", text)]
            # no English word but the districts' names, the parameters and the tests' names
            words = set(re.findall(r"[A-Za-z_]{3,}", " ".join(sentences)))
            assert words <= {"north", "south", "as_of", "months", "Fisher", "Holm", "Clopper",
                             "Pearson"}  # fmt: skip


@pytest.mark.parametrize(
    ("recorded", "outcomes", "district", "said"),
    [
        ([], False, "", "The findings register holds no recorded month yet"),
        (RECORDED, False, "", "The findings register holds findings (8, recorded months: 3)"),
        (RECORDED, True, "east", "The findings register holds no finding of east"),
    ],
)
def test_with_nothing_to_evaluate_the_report_says_why_in_one_sentence(
    recorded, outcomes, district, said
):
    events = outcomes_frame() if outcomes else pd.DataFrame()
    empty = study_of(findings_frame(), events, recorded, district)
    assert not empty.evaluated and empty.table_names == () and empty.figure_names == ()
    (sentence,) = empty.conclusions("en")
    assert sentence.startswith(said) and empty.headline() == {} and empty.data_notes("en") == []


@pytest.mark.parametrize(
    ("months", "confidence", "name"), [(0, 0.95, "months"), (12, 1.0, "confidence")]
)
def test_bad_parameters_are_refused_by_name(months, confidence, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        study_of(findings_frame(), outcomes_frame(), RECORDED, months=months,
                 confidence=confidence)  # fmt: skip


def test_a_window_without_field_work_still_reads_and_says_so():
    # the 2024-06 run still finds F2, F6 (confirmed, not rectified) and F4 (sent, unchecked)
    still = {name: (*FINDINGS[name][:6], "2024-06") for name in ("F2", "F4", "F6")}
    findings = findings_frame({**FINDINGS, **still})
    late = study_of(findings, outcomes_frame(), [*RECORDED, "2024-06"], months=1)
    assert late.window.start == pd.Timestamp("2024-07-01")
    figures = late.headline()  # only the stocks at the window's end remain: F2, F6 and F4
    assert figures["checked"] == 0 and figures["issued"] == 0
    assert figures["awaiting_rectification"] == 2
    assert late.total.iloc[0]["awaiting_check"] == 1
    gone = study_of(findings_frame(), outcomes_frame(), [*RECORDED, "2024-06"], months=1)
    assert gone.states.empty  # found by no run of 2024-06 and not sent in it: no backlog
    assert "No field outcome happened in the cycles of 2024-06 to 2024-06." in late.data_notes("en")
    assert "precision" not in late.table_names and late.figure_names == ()
    assert late.table("districts", "en").shape[0] == 3  # two districts and the total
    assert late.table("districts", "en").attrs[TOTAL_ROWS] == 1
    assert late.table("district_recovery", "en").attrs[TOTAL_ROWS] == 1
    assert late.conclusions("en")[1].startswith("No finding was rectified in the window")


def test_a_window_concerning_no_finding_shows_zeros():
    only_f8 = findings_frame({"F8": FINDINGS["F8"]})  # events of other findings are ignored
    quiet = study_of(only_f8, outcomes_frame(), [*RECORDED, "2024-06"], months=1)
    assert quiet.states.empty and quiet.headline()["checked"] == 0
    assert quiet.table("districts", "en").shape[0] == 1  # the total row alone
    assert quiet.conclusions("en")[0].startswith("From 2024-06 to 2024-06")


def sampled_study(checks: dict[str, tuple[int, int]]):
    """A study of one month whose findings were all drawn at random and checked: per rule,
    (random-sample checks, of which confirmed)."""
    rows, events = [], []
    for rule_id, (count, confirmed) in checks.items():
        for item in range(count):
            finding = f"{rule_id}-{item}"
            rows.append({"finding_key": finding, "customer_id": finding, "rule_id": rule_id,
                         "district": "north", "revenue_impact": 1.0, "revenue_kind": "proved",
                         "first_as_of": "2024-03", "last_as_of": "2024-03"})  # fmt: skip
            decision = "confirmed" if item < confirmed else "false_alarm"
            events.append({"finding_key": finding, "event": decision, "amount": np.nan,
                           "happened_at": pd.Timestamp("2024-04-02"), "auditor": None,
                           "selected_by": "sample"})  # fmt: skip
    return study_of(pd.DataFrame(rows), pd.DataFrame(events), ["2024-03"])


def test_rules_mostly_false_alarms_are_named_most_telling_first_and_the_rest_counted():
    """Seven rules, 30 random-sample checks each: rule r confirmed r of them (0..6), so every
    upper bound lies below 50 % (Clopper-Pearson, 6 of 30: 38.6 %)."""
    study = sampled_study({f"rule_{number}": (30, number) for number in range(7)})
    (sentence,) = [s for s in study.conclusions("en") if "false alarms (the 95%" in s]
    assert sentence.endswith(": rule_0, rule_1, rule_2, rule_3, rule_4 and 2 more.")
    (zh,) = [s for s in study.conclusions("zh") if "多数疑点为误报" in s]
    assert zh.startswith("rule_0、rule_1、rule_2、rule_3、rule_4等 7 条规则的")


def test_one_rule_past_the_named_is_counted_without_a_plural_slip():
    study = sampled_study({f"rule_{number}": (30, number) for number in range(6)})
    (sentence,) = [s for s in study.conclusions("en") if "false alarms (the 95%" in s]
    assert sentence.endswith(": rule_0, rule_1, rule_2, rule_3, rule_4 and 1 more.")
    (zh,) = [s for s in study.conclusions("zh") if "多数疑点为误报" in s]
    assert zh.startswith("rule_0、rule_1、rule_2、rule_3、rule_4等 6 条规则的")


def test_a_rule_with_few_random_checks_all_false_alarms_is_named_though_under_ten_checks():
    """0 of 6: the upper bound 1 - 0.025^(1/6) = 45.9 % lies below 50 %, so the rule is named
    mostly false alarms; the lowest-share sentence, which needs 10 checks, would have named
    the 9-of-10 rule instead and contradicted the table."""
    study = sampled_study({"often_wrong": (6, 0), "mostly_right": (10, 9)})
    assert study.precision.set_index("rule_id").loc["often_wrong", "sample_high"] == (
        pytest.approx(1 - 0.025 ** (1 / 6))
    )
    sentences = study.conclusions("en")
    assert [s for s in sentences if s.endswith("the first to raise: often_wrong.")]
    assert not [s for s in sentences if "lowest" in s]


def test_the_lowest_share_is_said_among_the_rules_with_ten_random_checks_and_says_so():
    """0 of 4 (upper bound 60.2 %) is not mostly false alarms, and too few to be the lowest:
    the sentence names the 9-of-10 rule and the limit it applies."""
    study = sampled_study({"few": (4, 0), "mostly_right": (10, 9)})
    (sentence,) = [s for s in study.conclusions("en") if "lowest" in s]
    assert sentence.startswith("Of the rules with at least 10 random-sample checks, the lowest")
    assert "mostly_right: 90.0% (95% interval 55.5% – 99.7%, 10 checks)" in sentence
    (zh,) = [s for s in study.conclusions("zh") if "最低" in s]
    assert zh.startswith("随机抽查不少于 10 条的规则中，查实率最低的是mostly_right：90.0%")


def test_every_table_fits_the_page_in_nine_columns_at_most(study):
    """The self/cross table had eleven (the missed counts, which the conclusions say per
    district, besides the comparison) and ran off a printed page."""
    assert {name: study.table(name, "zh").shape[1] for name in study.table_names} == {
        "districts": 8, "district_recovery": 7, "district_rules": 9,
        "district_rule_recovery": 8, "precision": 9, "self_cross": 7, "self_cross_recovery": 7,
        "under_reported": 8,
    }  # fmt: skip

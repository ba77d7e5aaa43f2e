"""Theft scores read the field checks that found nothing: a fall a visit has seen is ranked after
the unexplained ones and says so; a fall after the visit, a visit after the data, and bad checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stats_builders import DROP_CUSTOMER, DROP_FROM, record_false_alarm
from test_theft_orders import NO_BILLS, orders, with_a_smaller_fall
from test_theft_report import daily_reads, monthly_bills

from auditkit import formatting
from auditkit.errors import ParameterError
from auditkit.register import Register
from auditkit.register.checks import field_checks, read_field_records
from auditkit.stats import study
from auditkit.stats.field_checks import checked_field_checks
from auditkit.stats.followed import register_outcomes
from auditkit.stats.requirements import ColumnError
from auditkit.stats.theft import theft_scores
from auditkit.stats.theft_report import score_theft


def checks(*rows: tuple[str, str]) -> pd.DataFrame:
    """Field checks of (customer_id, checked_on) rows."""
    return pd.DataFrame(rows, columns=["customer_id", "checked_on"])


def row_of(reads: pd.DataFrame, customer: str = "D-1", **options) -> pd.Series:
    """`customer`'s row of `theft_scores` with `options`."""
    return theft_scores(reads, **options).set_index("customer_id").loc[customer]


def test_a_check_on_or_after_the_day_the_level_fell_explains_it_and_one_the_day_before_does_not():
    reads, _ = daily_reads("2025-09-18")  # D-1 falls to 40 % on 2025-09-18
    plain = row_of(reads)
    for day in ("2025-09-18", "2025-11-02", "2025-12-31"):
        row = row_of(reads, field_checks=checks(("D-1", day)))
        assert (row["status"], row["explained_by"]) == ("explained", "field_check")
        assert row["explained_at"] == pd.Timestamp(day)
        assert row["score"] == plain["score"] and row["change_at"] == plain["change_at"]
    before = row_of(reads, field_checks=checks(("D-1", "2025-09-17")))  # saw the old level
    assert (before["status"], before["explained_by"]) == ("scored", "")
    assert pd.isna(before["explained_at"])


def test_a_check_after_the_last_day_scored_is_ignored_so_an_earlier_month_scores_as_it_did():
    reads, _ = daily_reads("2025-09-18")
    visit = checks(("D-1", "2025-12-15"))
    assert row_of(reads, field_checks=visit)["status"] == "explained"
    earlier = row_of(reads, as_of="2025-11-30", field_checks=visit)
    assert earlier["status"] == "scored"
    assert earlier["score"] == row_of(reads, as_of="2025-11-30")["score"]


def test_a_further_fall_after_the_visit_is_new_evidence_and_a_steady_level_is_not():
    reads, _ = daily_reads("2025-09-18")
    own = reads["customer_id"].eq("D-1")
    visit = checks(("D-1", "2025-10-01"))  # saw 40 % of the old use
    for factor, status in ((0.5, "scored"), (0.85, "explained")):
        # From 2025-10-20 the use falls again: to half of what the visit saw (new evidence), or
        # by 15 % (less than min_drop, 20 %: what the visit saw holds).
        later = reads["date"] >= pd.Timestamp("2025-10-20")
        again = reads.assign(kwh=np.where(own & later, reads["kwh"] * factor, reads["kwh"]))
        assert row_of(again, field_checks=visit)["status"] == status
    # The last 28 days tell, all after the visit: a fall in the last 15 of them does, one of 14
    # (a fortnight away) does not; with 27 days since the visit nothing is known yet.
    for first_low, checked_on, status in (
        ("2025-12-17", "2025-12-01", "scored"),
        ("2025-12-18", "2025-12-01", "explained"),
        ("2025-12-17", "2025-12-03", "scored"),
        ("2025-12-17", "2025-12-04", "explained"),
    ):
        late = reads.assign(
            kwh=np.where(own & (reads["date"] >= pd.Timestamp(first_low)), 0.0, reads["kwh"])
        )
        assert row_of(late, field_checks=checks(("D-1", checked_on)))["status"] == status


def test_the_latest_of_several_checks_is_named_and_an_order_near_the_change_comes_first():
    reads, _ = daily_reads("2025-09-18")
    visits = checks(("D-1", "2025-10-01"), ("D-1", "2025-11-20"), ("D-1", "2025-06-01"))
    row = row_of(reads, field_checks=visits)
    assert row["explained_at"] == pd.Timestamp("2025-11-20")
    both = row_of(reads, work_orders=orders(("D-1", "closure", "2025-09-20")), field_checks=visits)
    assert (both["explained_by"], both["explained_at"]) == ("closure", pd.Timestamp("2025-09-20"))


def test_a_customer_without_a_fall_or_another_customers_check_is_not_explained():
    reads, _ = daily_reads("2025-09-18")
    ranking = theft_scores(reads, field_checks=checks(("P03", "2025-12-01"), ("X-9", "2025-12-01")))
    peer = ranking.set_index("customer_id").loc["P03"]
    assert peer["score"] <= 0 and peer["status"] == "scored"  # a steady peer: nothing to explain
    assert ranking.set_index("customer_id").loc["D-1", "status"] == "scored"
    assert set(ranking["explained_by"]) == {""}


def test_on_monthly_bills_a_check_after_the_changed_month_explains_it_and_one_inside_it_not():
    bills, _ = monthly_bills({"M-1": "2024-07"})  # low from 2024-07
    reads = bills.rename(columns={"kwh_billed": "kwh"})
    # The level fell somewhere up to the end of July: a visit on 07-02 may have come before it.
    assert row_of(reads, "M-1", field_checks=checks(("M-1", "2024-08-01")))["status"] == (
        "explained"
    )
    assert row_of(reads, "M-1", field_checks=checks(("M-1", "2024-07-31")))["status"] == "scored"


def test_on_monthly_bills_a_check_after_a_mid_month_as_of_had_not_happened_yet():
    bills, _ = monthly_bills({"M-1": "2024-07"})  # low from 2024-07 to the end, 2024-12
    reads = bills.rename(columns={"kwh_billed": "kwh"})
    visit = checks(("M-1", "2024-11-20"))
    assert row_of(reads, "M-1", as_of="2024-11", field_checks=visit)["status"] == "explained"
    assert row_of(reads, "M-1", as_of="2024-11-20", field_checks=visit)["status"] == "explained"
    before_the_visit = row_of(reads, "M-1", as_of="2024-11-19", field_checks=visit)
    assert before_the_visit["status"] == "scored"
    assert before_the_visit["score"] == row_of(reads, "M-1", as_of="2024-11")["score"]


def test_only_the_latest_check_counts_and_without_a_year_before_the_kwh_decide():
    reads, _ = daily_reads("2025-09-18")
    own = reads["customer_id"].eq("D-1")
    # 40 % from 09-18, 20 % from 10-20 (the steepest change stays 09-18), and the last five weeks
    # at 30 %: above what the visit of 11-01 saw (20 %), below what the one of 10-01 saw (40 %).
    kwh = np.where(
        own & (reads["date"] >= pd.Timestamp("2025-10-20")), reads["kwh"] / 2, reads["kwh"]
    )
    kwh = np.where(own & (reads["date"] >= pd.Timestamp("2025-11-25")), kwh * 1.5, kwh)
    stepped = reads.assign(kwh=kwh)
    assert row_of(stepped, field_checks=checks(("D-1", "2025-10-01")))["status"] == "scored"
    both = checks(("D-1", "2025-10-01"), ("D-1", "2025-11-01"))
    assert row_of(stepped, field_checks=both)["explained_at"] == pd.Timestamp("2025-11-01")
    # A further fall with no reads a year before the days seen: decided on the kWh.
    later = own & (reads["date"] >= pd.Timestamp("2025-11-25"))
    again = reads.assign(kwh=np.where(later, reads["kwh"] / 2, reads["kwh"]))
    year_before_gone = again[~(own & again["date"].between("2024-09-01", "2024-12-31"))]
    assert row_of(year_before_gone, field_checks=checks(("D-1", "2025-10-01")))["status"] == (
        "scored"
    )


def test_a_checked_customer_ranks_after_the_unexplained_and_the_report_says_why_in_both_languages():
    reads, archive = with_a_smaller_fall()
    visit = checks(("D-1", "2025-10-09"))
    report = score_theft(NO_BILLS, reads, archive, "2025-12", top_n=40, field_checks=visit)
    assert report.top()["customer_id"].iloc[0] == "D-2"
    assert report.top()["customer_id"].iloc[-1] == "D-1"
    assert report.summary()["strong"] == 1 and report.summary()["explained_strong"] == 1
    row = report.scores.set_index("customer_id").loc["D-1"]
    score = formatting.number(row["score"], 1)
    zh = report.reasons("zh")[-1]
    en = report.reasons("en")[-1]
    assert zh.endswith(
        f"2025-10-09 现场核查已见到此变化且未发现异常（登记为误报），排在未说明的用户之后；评分 {score}。"
    )
    assert en.endswith(
        "a field check on 2025-10-09 saw this change and found nothing wrong (recorded as a false "
        f"alarm): ranked after the unexplained customers; score {score}."
    )
    assert "或现场核查已见过且未发现异常" in report.explain("zh")
    assert "or a field check that found nothing wrong has seen it" in report.explain("en")


def test_a_listed_checked_customer_is_titled_by_its_check_on_the_chart():
    bills, archive = monthly_bills({"M-1": "2024-07", "M-2": "2024-07"}, peers=0)
    visit = checks(("M-1", "2024-09-03"))
    report = score_theft(bills, None, archive, "2024-12", top_n=2, field_checks=visit)
    assert list(report.top()["customer_id"]) == ["M-2", "M-1"]
    score = formatting.number(report.top()["score"].iloc[1], 1)
    titles = {lang: [axes.get_title() for axes in report.plot(lang).axes] for lang in ("zh", "en")}
    assert titles["zh"][1] == f"M-1（评分 {score}，2024-09-03 现场核查未见异常）"
    assert titles["en"][1] == f"M-1 (score {score}, checked on 2024-09-03: nothing wrong)"


def test_an_empty_table_of_checks_adds_the_columns_and_explains_nothing():
    reads, _ = daily_reads("2025-09-18")
    ranking = theft_scores(reads, field_checks=checks())
    assert (ranking["explained_by"] == "").all() and set(ranking["status"]) == {"scored"}


@pytest.mark.parametrize(
    ("field_checks", "error", "message"),
    [
        (
            pd.DataFrame({"customer_id": ["D-1"]}),
            ColumnError,
            "table 'field_checks': expected column(s) 'checked_on'",
        ),
        (
            checks(("D-1", "2025-10-01"), ("D-1", "2025-02-30")),
            ParameterError,
            "parameter 'field_checks.checked_on': expected a date (YYYY-MM-DD), found "
            "\"'2025-02-30' in row 2\"",
        ),
        (
            checks(("D-1", "2025-10-01"), (None, "2025-10-01")),
            ParameterError,
            "parameter 'field_checks.customer_id': expected a customer id, found 'empty in row 2'",
        ),
        ([("D-1", "2025-10-01")], ParameterError, "found 'list'"),
        (
            checks(("D-1", "2025-10-01"), ("", "2025-10-01")),
            ParameterError,
            "parameter 'field_checks.customer_id': expected a customer id, found 'empty in row 2'",
        ),
        (
            pd.DataFrame({"customer_id": ["D-1"], "checked_on": [20251001]}),
            ParameterError,
            "expected a date (YYYY-MM-DD), found 'numbers (int64)'",
        ),
        (
            checks(("D-1", "2025-10-01T08:00+08:00"), ("D-1", "2025-10-01T08:00Z"), ("D-1", "x")),
            ParameterError,
            "expected a date (YYYY-MM-DD), found \"'x' in row 3\"",
        ),
    ],
)
def test_bad_field_checks_name_the_column_row_and_what_was_expected(field_checks, error, message):
    reads, _ = daily_reads("2025-09-18")
    with pytest.raises(error) as raised:
        theft_scores(reads, field_checks=field_checks)
    assert message in str(raised.value)


def test_the_consumption_study_reads_the_registers_false_alarms(small_dataset, tmp_path):
    # The small utility's one strong drop: SY-甲-000, on its bills from 2024-07.
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    record_false_alarm(url, DROP_CUSTOMER, "甲", DROP_FROM, "2024-08-12")
    with Register.open(url) as register:
        theft = study.build(small_dataset, register=register).theft
        row = theft.scores.set_index("customer_id").loc[DROP_CUSTOMER]
        assert (row["status"], row["explained_by"]) == ("explained", "field_check")
        assert theft.summary()["strong"] == 0 and theft.summary()["explained_strong"] == 1
        # Another district's study reads only its own findings' outcomes.
        other = study.build(small_dataset, district="乙", register=register).theft
        assert "explained" not in set(other.scores["status"])
    assert study.build(small_dataset).theft.summary()["strong"] == 1


def test_on_monthly_bills_the_last_two_months_lower_since_the_check_are_new_evidence():
    bills, _ = monthly_bills({"M-1": "2024-07"})  # low from 2024-07 to the end, 2024-12
    reads = bills.rename(columns={"kwh_billed": "kwh"})
    visit = checks(("M-1", "2024-08-10"))
    for first_lower, status in (("2024-11", "scored"), ("2024-12", "explained")):
        lower = reads["customer_id"].eq("M-1") & (reads["period"] >= first_lower)
        again = reads.assign(kwh=np.where(lower, reads["kwh"] / 2, reads["kwh"]))
        assert row_of(again, "M-1", field_checks=visit)["status"] == status


def test_neither_an_empty_flat_nor_a_smaller_household_comes_back_by_its_season():
    reads, _ = daily_reads("2025-06-01")  # D-1 at 40 % of its use from June
    own = reads["customer_id"].eq("D-1")
    day_of_year = reads["date"].dt.day_of_year.to_numpy()

    def season(peak_day: int) -> np.ndarray:
        return 1 + 0.6 * np.cos(2 * np.pi * (day_of_year - peak_day) / 365)

    visit = checks(("D-1", "2025-07-01"))
    # An empty flat from June: a steady 0.5 kWh a day. Its lived-in year before peaked in
    # winter, so against it the flat's ratio falls by December: its kWh do not.
    empty = reads.assign(
        kwh=np.where(
            own,
            np.where(reads["date"] >= pd.Timestamp("2025-06-01"), 0.5, reads["kwh"] * season(15)),
            reads["kwh"],
        )
    )
    assert row_of(empty, field_checks=visit)["status"] == "explained"
    # Fewer people from June, with a summer peak: seen in July, its December kWh are far lower;
    # its ratio to the year before holds.
    smaller = reads.assign(kwh=np.where(own, reads["kwh"] * season(196), reads["kwh"]))
    assert row_of(smaller, field_checks=visit)["status"] == "explained"
    # Less again in the last five weeks, in both readings: back in the ranking.
    for series in (empty, smaller):
        last = own & (reads["date"] >= pd.Timestamp("2025-11-25"))
        stolen = series.assign(kwh=np.where(last, series["kwh"] * 0.3, series["kwh"]))
        assert row_of(stolen, field_checks=visit)["status"] == "scored"


def test_a_check_with_a_time_zone_is_the_day_where_it_happened():
    given = checks(("D-1", "2025-10-01T20:00+08:00"), ("D-1", "2025-10-01T20:00Z"))
    assert list(checked_field_checks(given)["checked_on"]) == [
        pd.Timestamp("2025-10-01"),
        pd.Timestamp("2025-10-01"),
    ]


def test_a_column_of_timestamps_is_read_as_days_and_a_missing_one_is_named():
    stamps = pd.to_datetime(["2025-10-01 20:00", "2025-10-02 08:00"]).tz_localize("Asia/Shanghai")
    given = pd.DataFrame({"customer_id": ["D-1", "D-2"], "checked_on": stamps})
    assert list(checked_field_checks(given)["checked_on"]) == [
        pd.Timestamp("2025-10-01"),
        pd.Timestamp("2025-10-02"),
    ]
    missing = given.assign(checked_on=pd.to_datetime(["2025-10-01", None]))
    with pytest.raises(ParameterError, match=r"checked_on': expected a date .*empty in row 2"):
        checked_field_checks(missing)


def test_the_consumption_study_reads_the_registers_findings_and_outcomes_once(
    small_dataset, tmp_path, monkeypatch
):
    # The field checks (false alarms) and the followed-up customers (sent, confirmed...) come
    # from the same findings and outcomes: one read of each, not one per use.
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    record_false_alarm(url, DROP_CUSTOMER, "甲", DROP_FROM, "2024-08-12")
    reads = {"findings": 0, "outcomes": 0}
    for name in reads:
        original = getattr(Register, name)

        def counted(self, *args, name=name, original=original, **kwargs):
            reads[name] += 1
            return original(self, *args, **kwargs)

        monkeypatch.setattr(Register, name, counted)
    with Register.open(url) as register:
        theft = study.build(small_dataset, register=register).theft
    assert reads == {"findings": 1, "outcomes": 1}
    row = theft.scores.set_index("customer_id").loc[DROP_CUSTOMER]
    assert (row["status"], row["explained_by"]) == ("explained", "field_check")  # still read


def test_field_records_read_for_one_district_are_refused_for_another(small_dataset, tmp_path):
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    record_false_alarm(url, DROP_CUSTOMER, "甲", DROP_FROM, "2024-08-12")
    with Register.open(url) as register:
        records = read_field_records(register, "甲")
        assert list(field_checks(records, "甲")["customer_id"]) == [DROP_CUSTOMER]
        with pytest.raises(ParameterError, match="district"):
            field_checks(records, "乙")  # near miss: the same records, another district
        with pytest.raises(ParameterError, match="district"):
            register_outcomes(records, None, "2024-12-31")

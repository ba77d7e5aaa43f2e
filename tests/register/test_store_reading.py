"""Reading the register without writing it: a run's changes per district, a preview of a run
not yet recorded, a register that does not exist yet, and the auditor of each outcome."""

from __future__ import annotations

import pandas as pd
import pytest
from register_builders import event, events, finding, findings

from auditkit.errors import ParameterError
from auditkit.register import Register, RegisterError, finding_key, store


@pytest.fixture
def register(database_url: str):
    with Register.open(database_url) as opened:
        yield opened


def _statuses(changes) -> dict[str, str]:
    return dict(zip(changes.changes["customer_id"], changes.changes["status"], strict=True))


def test_a_run_of_every_district_is_read_back_per_district(register):
    july = findings(finding("A"), finding("B", district="south"))
    register.record_run(july, run_id="july", as_of="2024-07", district=None)
    august = findings(finding("A"), finding("C", district="south"))
    register.record_run(august, run_id="august", as_of="2024-08", district=None)

    south = register.run_changes("2024-08", "south")
    assert _statuses(south) == {"C": "new", "B": "no_longer_found"}
    assert south.run_id == "august" and south.already_recorded
    assert _statuses(register.run_changes("2024-08", "north")) == {"A": "persisting"}
    assert _statuses(register.run_changes("2024-08", None)) == {
        "A": "persisting",
        "C": "new",
        "B": "no_longer_found",
    }
    assert register.run_changes("2024-09", "north") is None


def test_a_customer_moved_to_another_district_leaves_past_months_read_as_they_were(register):
    """A moved to south in August: July's run, its findings and their outcomes read per
    district as July recorded them (A north's); today's state and August's read A as south's."""
    july = findings(finding("A"), finding("B"), finding("C", district="south"))
    register.record_run(july, run_id="july", as_of="2024-07", district=None)
    key_a = finding_key("A", "rate_mismatch", "2024-01")
    register.record_outcomes(events(event(key_a, "confirmed", happened_at="2024-08-05")))
    august = findings(finding("A", district="south"), finding("B"), finding("C", district="south"))
    register.record_run(august, run_id="august", as_of="2024-08", district=None)

    assert _statuses(register.run_changes("2024-07", "north")) == {"A": "new", "B": "new"}
    assert _statuses(register.run_changes("2024-07", "south")) == {"C": "new"}
    assert register.findings("north", as_of="2024-07")["customer_id"].tolist() == ["A", "B"]
    assert register.outcomes(district="north", as_of="2024-07")["finding_key"].tolist() == [key_a]
    assert register.outcomes(district="south", as_of="2024-07").empty
    # near misses: August, and today, read A where it is now (August shows it moved)
    assert _statuses(register.run_changes("2024-08", "north")) == {
        "B": "persisting",
        "A": "moved_out",
    }
    assert _statuses(register.run_changes("2024-08", "south")) == {
        "C": "persisting",
        "A": "moved_in",
    }
    assert register.findings("north", as_of="2024-08")["customer_id"].tolist() == ["B"]
    assert register.findings("north")["customer_id"].tolist() == ["B"]
    assert register.outcomes(district="south")["finding_key"].tolist() == [key_a]
    # a month before any run: each finding's district today
    before = register.findings(columns=["district"], as_of="2024-06")
    assert sorted(before["district"]) == ["north", "south", "south"]


def test_a_findings_month_that_is_no_month_is_refused_naming_as_of(register):
    with pytest.raises(ParameterError, match=r"'as_of'.*'YYYY-MM'.*found '2024-7'"):
        register.findings(as_of="2024-7")


def test_a_month_recorded_for_a_district_is_refused_under_another_run_id(register):
    """A re-run of July under a new id compared July with itself: its report lost the new,
    changed and gone findings, and called July 'the previous run'."""
    register.record_run(findings(finding("A")), run_id="all", as_of="2024-07", district=None)
    rerun = findings(finding("A"), finding("B"))
    for run_id, district in (("north", "north"), ("all rerun", None)):
        with pytest.raises(RegisterError) as raised:
            register.record_run(rerun, run_id=run_id, as_of="2024-07", district=district)
        assert str(raised.value) == (
            f"run {run_id!r}: expected a month after 2024-07, which is recorded for every "
            "district already (run 'all'), found 2024-07: a month is recorded once; record "
            "the next month, or run a re-run of the month (other parameters) without "
            "--register, or into another register (--db)"
        )
    assert register.runs()["run_id"].tolist() == ["all"]
    assert (
        register.record_run(rerun, run_id="august", as_of="2024-08", district="north").counts["new"]
        == 1
    )
    # another district's run of the same month is no re-run of north's
    register.record_run(
        findings(finding("S", district="south")), run_id="s", as_of="2024-08", district="south"
    )


def test_a_month_one_district_recorded_refuses_every_district_saying_to_run_the_others(register):
    """`auditkit run district_audit` recorded 城东's December: a run of every district is
    refused naming 城东 (not 'district None') and the districts left to run one by one."""
    november = findings(finding("E", district="城东"), finding("W", district="城西"))
    register.record_run(november, run_id="all 11", as_of="2024-11", district=None)
    register.record_run(
        findings(finding("E", district="城东")), run_id="东 12", as_of="2024-12", district="城东"
    )
    with pytest.raises(RegisterError) as raised:
        register.record_run(november, run_id="all 12", as_of="2024-12", district=None)
    assert str(raised.value) == (
        "run 'all 12': expected a month after 2024-12, which is recorded for 城东 already (run "
        "'东 12'), found 2024-12: a month is recorded once; run the other districts one by one "
        "(--district 城西), record the next month, or run a re-run of the month (other "
        "parameters) without --register, or into another register (--db)"
    )
    with pytest.raises(RegisterError) as raised:
        register.record_run(november, run_id="all 10", as_of="2024-10", district=None)
    assert "expected a month from 2024-12 on (the latest recorded for any district)" in str(
        raised.value
    )
    west = findings(finding("W", district="城西"))
    assert register.record_run(west, run_id="西 12", as_of="2024-12", district="城西").counts


def test_a_districts_own_run_is_preferred_to_a_run_of_every_district(register, monkeypatch):
    """Registers recorded before a month could be recorded only once may hold both."""
    monkeypatch.setattr(store, "_not_before_recorded", lambda *args: None)
    register.record_run(findings(finding("A")), run_id="all", as_of="2024-07", district=None)
    register.record_run(
        findings(finding("A"), finding("B")), run_id="north", as_of="2024-07", district="north"
    )
    north = register.run_changes("2024-07", "north")
    assert north.run_id == "north"
    assert _statuses(north) == {"A": "persisting", "B": "new"}
    # a run of every district is only found for the question about every district
    assert register.run_changes("2024-07", None).run_id == "all"


def test_a_preview_says_what_recording_would_and_records_nothing(register):
    register.record_run(
        findings(finding("A", revenue=100.0), finding("B")),
        run_id="july", as_of="2024-07", district=None,
    )  # fmt: skip
    august = findings(finding("A", revenue=120.0), finding("C"))
    preview = register.preview_run(august, as_of="2024-08", district="north")
    assert _statuses(preview) == {"A": "persisting", "C": "new", "B": "no_longer_found"}
    assert preview.amounts_changed == 1 and not preview.already_recorded
    assert len(register.runs()) == 1
    assert register.run_changes("2024-08", "north") is None
    recorded = register.record_run(august, run_id="august", as_of="2024-08", district="north")
    pd.testing.assert_frame_equal(preview.changes, recorded.changes)


def test_a_preview_of_a_month_before_the_latest_recorded_is_refused(register):
    register.record_run(findings(finding("A")), run_id="august", as_of="2024-08", district=None)
    with pytest.raises(RegisterError, match="expected a month from 2024-08 on"):
        register.preview_run(findings(finding("A")), as_of="2024-07", district="north")


def test_a_sqlite_register_not_there_is_not_created_by_a_reader(tmp_path):
    path = tmp_path / "register.sqlite"
    assert Register.open_existing(f"sqlite:///{path}") is None
    assert not path.exists()
    Register.open(f"sqlite:///{path}").close()
    opened = Register.open_existing(f"sqlite:///{path}")
    assert opened is not None
    opened.close()


def test_findings_can_be_read_for_a_few_columns(register):
    register.record_run(findings(finding("A", revenue=80.0)), run_id="j", as_of="2024-07",
                        district=None)  # fmt: skip
    narrow = register.findings(columns=["rule_id", "revenue_impact"])
    assert list(narrow.columns) == ["finding_key", "rule_id", "revenue_impact"]
    assert narrow["revenue_impact"].tolist() == [80.0]
    with pytest.raises(ParameterError, match="no_such_column"):
        register.findings(columns=["no_such_column"])


def test_outcomes_keep_the_auditing_bureau_and_how_the_finding_was_chosen(register):
    register.record_run(findings(finding("A")), run_id="j", as_of="2024-07", district=None)
    key = finding_key("A", "rate_mismatch", "2024-01")
    cross = {**event(key), "auditor": "south", "selected_by": "sample"}
    self_audit = {**event(key, "rectified", source_row=6), "auditor": None, "selected_by": None}
    assert register.record_outcomes(pd.DataFrame([cross, self_audit])).recorded == 2
    trail = register.outcomes(key)
    assert trail["auditor"].tolist() == ["south", None]
    assert trail["selected_by"].tolist() == ["sample", None]
    # the same seven values are the same event, whether or not the optional columns are given
    assert register.record_outcomes(events(event(key, "rectified", source_row=6))).recorded == 0
    assert register.record_outcomes(events(event(key))).recorded == 0


def test_an_unknown_selection_is_refused_naming_source_row_and_column(register):
    register.record_run(findings(finding("A")), run_id="j", as_of="2024-07", district=None)
    key = finding_key("A", "rate_mismatch", "2024-01")
    with pytest.raises(RegisterError) as raised:
        register.record_outcomes(pd.DataFrame([{**event(key), "selected_by": "hunch"}]))
    assert "row 5: column 'selected_by': expected one of revenue, score, high, sample" in str(
        raised.value.problems
    )


def test_outcomes_can_be_read_for_one_district_s_findings(register):
    both = findings(finding("A"), finding("B", district="south"))
    register.record_run(both, run_id="j", as_of="2024-07", district=None)
    north, south = (finding_key(c, "rate_mismatch", "2024-01") for c in "AB")
    register.record_outcomes(
        events(
            event(north, "sent", happened_at="2024-08-02"),
            event(south, source_row=6),
            event(north, "confirmed", source_row=7),
        )
    )
    assert register.outcomes(district="north")["event"].tolist() == ["sent", "confirmed"]
    assert register.outcomes(district="south")["finding_key"].tolist() == [south]
    assert len(register.outcomes()) == 3


def test_a_district_the_register_does_not_know_is_refused_naming_the_known_ones(register):
    register.record_run(findings(), run_id="west", as_of="2024-07", district="城西")
    both = findings(finding("A"), finding("B", district="城东"))
    register.record_run(both, run_id="j", as_of="2024-08", district=None)
    for read in (
        lambda: register.findings("城栋"),
        lambda: register.outcomes(district="城栋"),
    ):
        with pytest.raises(ParameterError) as raised:
            read()
        assert raised.value.name == "district"
        assert "one of north, 城东, 城西" in str(raised.value)  # findings' and runs' districts
        assert "found '城栋'" in str(raised.value)
    assert register.districts() == ["north", "城东", "城西"]


def test_a_known_district_with_no_rows_reads_as_empty(register):
    register.record_run(findings(), run_id="west", as_of="2024-07", district="城西")
    both = findings(finding("A"), finding("B", district="城东"))
    register.record_run(both, run_id="j", as_of="2024-08", district=None)
    assert register.findings("城西").empty  # its own run found nothing: known, no rows
    assert register.outcomes(district="城东").empty  # findings, no outcome yet
    assert register.findings("城栋", refuse_unknown_district=False).empty  # a data's district


def test_an_empty_register_reads_any_district_as_empty(register):
    assert register.districts() == []
    assert register.findings("城栋").empty and register.outcomes(district="城栋").empty


def test_a_district_known_only_from_past_runs_is_known_and_reads_its_past_month(register):
    """城北's one customer moved to 城东 in August: 城北 was refused as unknown, so July's report
    of 城北, made again, could not read the finding it listed then."""
    register.record_run(
        findings(finding("A", district="城北"), finding("B", district="城东")),
        run_id="july", as_of="2024-07", district=None,
    )  # fmt: skip
    register.record_run(
        findings(finding("A", district="城东"), finding("B", district="城东")),
        run_id="august", as_of="2024-08", district=None,
    )  # fmt: skip
    assert register.districts() == ["城东", "城北"]
    assert register.findings("城北", as_of="2024-07")["customer_id"].tolist() == ["A"]
    assert register.findings("城北").empty  # today A is 城东's: known, no rows
    with pytest.raises(ParameterError, match="one of 城东, 城北"):  # near miss: a typo still is
        register.findings("城栋", as_of="2024-07")

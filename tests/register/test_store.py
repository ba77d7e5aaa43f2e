"""The findings register on SQLite and PostgreSQL alike: statuses across months, runs recorded
once, the append-only outcome trail, data kept out of SQL text and passwords out of messages."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from databases import fresh_postgres_database
from register_builders import event, events, finding, findings

from auditkit.cycle.evaluate import latest_decisions
from auditkit.errors import ParameterError
from auditkit.register import (
    OUTCOME_EVENTS,
    Register,
    RegisterError,
    finding_key,
    finding_keys,
)
from auditkit.register.schema import EVENT_COLUMNS, metadata
from auditkit.register.store import (
    COERCED_ACTOR,
    CheckedBeforeSent,
    OutcomeConflict,
    looks_coerced,
    shown_url,
)


@pytest.fixture
def register(database_url: str):
    with Register.open(database_url) as opened:
        yield opened


def _status(changes, customer_id: str) -> str:
    (status,) = changes.changes.loc[changes.changes["customer_id"] == customer_id, "status"]
    return status


def test_the_key_is_the_customer_rule_and_start_period_whatever_the_end_or_amount():
    first = findings(finding("C1", period_to="2024-06", revenue=100.0))
    later = findings(finding("C1", period_to="2024-07", revenue=250.0))
    assert (
        finding_keys(first)[0]
        == finding_keys(later)[0]
        == finding_key("C1", "rate_mismatch", "2024-01")
    )
    assert len(finding_key("C1", "rate_mismatch", "2024-01")) == 16
    assert finding_key("C1", "rate_mismatch", "2024-02") != finding_key(
        "C1", "rate_mismatch", "2024-01"
    )
    # the separator keeps ('C1', 'x_y') apart from ('C1_x', 'y')-like joins
    assert finding_key("C1", "ab", "2024-01") != finding_key("C1a", "b", "2024-01")


def test_three_months_give_new_persisting_no_longer_found_and_reopened(register):
    july = register.record_run(
        findings(finding("A", revenue=100.0), finding("B", revenue=50.0), finding("C")),
        run_id="2024-07", as_of="2024-07", district=None,
    )  # fmt: skip
    assert july.counts == {"new": 3, "persisting": 0, "no_longer_found": 0, "reopened": 0}

    august = register.record_run(
        findings(finding("A", revenue=130.0, period_to="2024-07"), finding("B", revenue=50.0),
                 finding("D")),
        run_id="2024-08", as_of="2024-08", district=None,
    )  # fmt: skip
    assert august.counts == {"new": 1, "persisting": 2, "no_longer_found": 1, "reopened": 0}
    assert [_status(august, c) for c in "ABCD"] == [
        "persisting",
        "persisting",
        "no_longer_found",
        "new",
    ]
    changed = august.changes.set_index("customer_id")
    assert changed.loc["A", ["revenue_impact", "previous_revenue_impact"]].tolist() == [
        130.0,
        100.0,
    ]
    assert changed["amount_changed"].to_dict() == {"A": True, "B": False, "C": False, "D": False}
    assert pd.isna(changed.loc["C", "revenue_impact"])
    assert changed.loc["C", "previous_revenue_impact"] == 100.0

    september = register.record_run(
        findings(finding("A", revenue=130.0), finding("C"), finding("D")),
        run_id="2024-09", as_of="2024-09", district=None,
    )  # fmt: skip
    assert [_status(september, c) for c in "ABCD"] == [
        "persisting",
        "no_longer_found",
        "reopened",
        "persisting",
    ]

    state = register.findings().set_index("customer_id")
    assert state["status"].to_dict() == {
        "A": "persisting", "B": "no_longer_found", "C": "reopened", "D": "persisting"
    }  # fmt: skip
    assert state.loc["A", "first_as_of"] == "2024-07" and state.loc["A", "last_as_of"] == "2024-09"
    assert state.loc["A", "period_to"] == "2024-06"  # as the latest run said
    assert state.loc["B", "last_as_of"] == "2024-08"  # the last run that found it
    assert register.runs()["run_id"].tolist() == ["2024-07", "2024-08", "2024-09"]


def test_a_finding_no_longer_found_is_not_reported_gone_again_next_month(register):
    register.record_run(
        findings(finding("A"), finding("B")), run_id="m1", as_of="2024-07", district=None
    )
    register.record_run(findings(finding("A")), run_id="m2", as_of="2024-08", district=None)
    third = register.record_run(findings(finding("A")), run_id="m3", as_of="2024-09", district=None)
    assert third.counts == {"new": 0, "persisting": 1, "no_longer_found": 0, "reopened": 0}


def test_a_district_run_leaves_other_districts_findings_open(register):
    register.record_run(
        findings(finding("N1", district="north"), finding("S1", district="south")),
        run_id="all-07", as_of="2024-07", district=None,
    )  # fmt: skip
    north = register.record_run(
        findings(finding("N2", district="north")), run_id="north-08", as_of="2024-08",
        district="north",
    )  # fmt: skip
    assert north.counts == {"new": 1, "persisting": 0, "no_longer_found": 1, "reopened": 0}
    assert register.findings("south")["status"].tolist() == ["new"]
    assert set(register.findings("north")["customer_id"]) == {"N1", "N2"}


def test_recording_the_same_run_twice_changes_nothing(register):
    register.record_run(
        findings(finding("A"), finding("B")), run_id="m1", as_of="2024-07", district=None
    )
    month = findings(finding("A", revenue=120.0), finding("E"))
    first = register.record_run(month, run_id="m2", as_of="2024-08", district=None)
    before = register.findings()
    again = register.record_run(month, run_id="m2", as_of="2024-08", district=None)
    assert not first.already_recorded and again.already_recorded
    pd.testing.assert_frame_equal(first.changes, again.changes)
    pd.testing.assert_frame_equal(before, register.findings())
    assert len(register.runs()) == 2


def test_the_same_run_id_with_other_findings_is_refused(register):
    register.record_run(findings(finding("A")), run_id="m1", as_of="2024-07", district=None)
    with pytest.raises(
        RegisterError, match=r"run 'm1': expected the findings recorded under this id before"
    ):
        register.record_run(
            findings(finding("A", revenue=1.0)), run_id="m1", as_of="2024-07", district=None
        )


def test_a_month_before_the_latest_recorded_is_refused(register):
    register.record_run(findings(finding("A")), run_id="m8", as_of="2024-08", district=None)
    with pytest.raises(RegisterError, match=r"expected a month from 2024-08 on .* found 2024-07"):
        register.record_run(findings(finding("A")), run_id="m7", as_of="2024-07", district="north")


def test_findings_recorded_under_another_month_than_their_own_are_refused(register):
    """July's run recorded as January would show July's findings as January's and refuse the
    real January run ('a month is recorded once'): its as_of is refused naming it."""
    july = findings(finding("A", period_to="2024-07"))
    july.attrs["as_of"] = "2024-07"
    with pytest.raises(ParameterError, match=r"'as_of': expected the findings' own month 2024-07"):
        register.record_run(july, run_id="jul", as_of="2024-01", district=None)
    from_file = findings(finding("A", period_to="2024-07"))  # no attrs: read back from a file
    with pytest.raises(ParameterError, match=r"'as_of': expected a month from 2024-07 on"):
        register.check_run(from_file, run_id="jul", as_of="2024-06", district=None)
    assert register.runs().empty
    # near misses: the findings' own month, and a later month than the last period_to
    assert (
        register.record_run(july, run_id="jul", as_of="2024-07", district=None).counts["new"] == 1
    )
    register.record_run(from_file, run_id="aug", as_of="2024-08", district=None)
    assert len(register.runs()) == 2


def test_findings_that_cannot_be_recorded_are_refused_naming_row_and_column(register):
    bad = findings(finding("A"), finding("B", district="south"), finding("C", period_from="2024"))
    with pytest.raises(RegisterError) as raised:
        register.record_run(bad, run_id="m1", as_of="2024-07", district="north")
    assert raised.value.problems == [
        "row 3: column 'period_from': expected 'YYYY-MM', found '2024'",
        "row 2: column 'district': expected 'north' (the run's district), found 'south'",
    ]
    with pytest.raises(RegisterError, match="several at rows 1, 2"):
        register.record_run(
            findings(finding("A"), finding("A")), run_id="m1", as_of="2024-07", district=None
        )
    with pytest.raises(RegisterError, match="missing penalty"):
        register.record_run(
            findings(finding("A")).drop(columns="penalty"),
            run_id="m1",
            as_of="2024-07",
            district=None,
        )
    with pytest.raises(ParameterError, match="as_of"):
        register.record_run(findings(finding("A")), run_id="m1", as_of="July", district=None)
    assert register.runs().empty and register.findings().empty


def test_an_empty_run_marks_every_open_finding_no_longer_found(register):
    register.record_run(findings(finding("A")), run_id="m1", as_of="2024-07", district=None)
    empty = register.record_run(findings(), run_id="m2", as_of="2024-08", district=None)
    assert empty.counts["no_longer_found"] == 1


def test_outcomes_are_appended_and_the_same_events_twice_are_recorded_once(register):
    register.record_run(
        findings(finding("A"), finding("B")), run_id="m1", as_of="2024-07", district=None
    )
    a, b = (
        finding_key("A", "rate_mismatch", "2024-01"),
        finding_key("B", "rate_mismatch", "2024-01"),
    )
    sheet = events(
        event(a, "sent", happened_at="2024-08-01", source_row=5),
        event(a, "confirmed", happened_at="2024-08-05", source_row=5),
        event(a, "recovered", amount=1234.5, happened_at="2024-08-20", source_row=5),
        event(b, "false_alarm", happened_at="2024-08-06", source_row=6),
    )
    first = register.record_outcomes(sheet)
    again = register.record_outcomes(sheet)
    assert (first.recorded, first.already_recorded) == (4, 0)
    assert (again.recorded, again.already_recorded) == (0, 4)
    trail = register.outcomes(a)
    assert trail["event"].tolist() == ["sent", "confirmed", "recovered"]
    assert trail["amount"].iloc[2] == 1234.5 and pd.isna(trail["amount"].iloc[0])
    assert trail["happened_at"].iloc[0] == pd.Timestamp("2024-08-01")
    # a correction is a new event beside the old one, never an overwrite
    correction = events(event(a, "recovered", amount=1243.5, happened_at="2024-08-21",
                              source="worklist-north-2024-08.xlsx", source_row=9))  # fmt: skip
    assert register.record_outcomes(correction).recorded == 1
    assert register.outcomes(a)["amount"].dropna().tolist() == [1234.5, 1243.5]
    assert len(register.outcomes()) == 5


def test_repeated_events_within_one_import_are_recorded_once(register):
    register.record_run(findings(finding("A")), run_id="m1", as_of="2024-07", district=None)
    a = finding_key("A", "rate_mismatch", "2024-01")
    result = register.record_outcomes(events(event(a), event(a)))
    assert (result.recorded, result.already_recorded) == (1, 1)


def test_outcomes_for_unknown_findings_are_refused_naming_source_and_row(register):
    register.record_run(findings(finding("A")), run_id="m1", as_of="2024-07", district=None)
    a = finding_key("A", "rate_mismatch", "2024-01")
    sheet = events(event(a, source_row=5), event("0123456789abcdef", source_row=7))
    with pytest.raises(RegisterError) as raised:
        register.record_outcomes(sheet)
    assert raised.value.problems == [
        "source 'worklist-north-2024-07.xlsx' row 7: column 'finding_key': expected a finding "
        "of the register, found '0123456789abcdef'"
    ]
    assert register.outcomes().empty  # nothing of the import is recorded


def test_every_unreadable_event_value_is_one_line(register):
    sheet = events(
        event("k", kind="paid", source_row=3),
        event("k", amount="12 yuan", source_row=4),
        event("k", happened_at="yesterday", source_row=5),
        event("k", actor="", source_row=6),
        event("k", amount=-5.0, source_row=8),
        event("k", kind="sent", source_row=9.5),
    )
    with pytest.raises(RegisterError) as raised:
        register.record_outcomes(sheet)
    source = "source 'worklist-north-2024-07.xlsx'"
    assert raised.value.problems == [
        f"{source} row 3: column 'event': expected one of {', '.join(OUTCOME_EVENTS)}, found 'paid'",
        f"{source} row 4: column 'amount': expected yuan or nothing, found '12 yuan'",
        f"{source} row 5: column 'happened_at': expected a date YYYY-MM-DD between 2000 and "
        "2100, found 'yesterday'",
        f"{source} row 6: column 'actor': expected a text, found ''",
        f"{source} row 8: column 'amount': expected yuan (0 or more), found -5.0",
        f"{source} row 9.5: column 'source_row': expected a row number, found 9.5",
    ]


def test_a_finding_keeps_the_month_it_was_reopened_in_once_it_persists(register):
    """A gone in August, found again in September (reopened) and October (persisting): the
    register's state of it said persisting alone, so a verdict on its earlier occurrence
    decided it again. Near miss: B, never gone, was never reopened."""
    a_and_b = findings(finding("A"), finding("B"))
    register.record_run(a_and_b, run_id="jul", as_of="2024-07", district="north")
    register.record_run(findings(finding("B")), run_id="aug", as_of="2024-08", district="north")
    register.record_run(a_and_b, run_id="sep", as_of="2024-09", district="north")
    register.record_run(a_and_b, run_id="oct", as_of="2024-10", district="north")
    a = finding_key("A", "rate_mismatch", "2024-01")
    assert register.reopened_months() == {a: "2024-09"}
    state = register.state_of(a_and_b)
    assert state["status"].tolist() == ["persisting", "persisting"]
    assert state["reopened_as_of"].tolist()[0] == "2024-09"
    assert pd.isna(state["reopened_as_of"].tolist()[1])


def test_a_day_given_as_a_number_or_in_another_form_is_refused_not_misread(register):
    """20240805 (a day typed as digits) was recorded as 1970-01-01 (read as nanoseconds), '2024'
    as 2024-01-01, '05/08/2024' as 8 May, and 1700 or 3000 as they were. Near misses: a date,
    a moment with its time, ISO text with a time, numpy's day; each recorded as its day."""
    register.record_run(findings(finding("A")), run_id="r", as_of="2024-07", district=None)
    key = finding_key("A", "rate_mismatch", "2024-01")
    refused = (20240805, "20240805", "2024", "05/08/2024", "2024-02-30", "1700-01-01",
               "3000-01-01")  # fmt: skip
    with pytest.raises(RegisterError) as raised:
        register.record_outcomes(
            events(*(event(key, happened_at=day, source_row=row)
                     for row, day in enumerate(refused, start=3)))
        )  # fmt: skip
    assert raised.value.problems == [
        f"source 'worklist-north-2024-07.xlsx' row {row}: column 'happened_at': expected a date "
        f"YYYY-MM-DD between 2000 and 2100, found {day!r}"
        for row, day in enumerate(refused, start=3)
    ]
    assert register.outcomes().empty
    kept = (dt.date(2024, 8, 5), pd.Timestamp("2024-08-06 17:30"), "2024-08-07 09:00:00",
            np.datetime64("2024-08-08"))  # fmt: skip
    register.record_outcomes(
        events(*(event(key, happened_at=day, source_row=row) for row, day in enumerate(kept, 3)))
    )
    assert register.outcomes(key)["happened_at"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-08-05", "2024-08-06", "2024-08-07", "2024-08-08"
    ]  # fmt: skip


def test_an_amount_with_a_fraction_of_a_fen_is_refused_naming_source_row_and_column(register):
    """1.005, 2.675 and 0.125 yuan were stored as 1.0, 2.67 and 0.12 (half to even)."""
    key = finding_key("A", "rate_mismatch", "2024-01")
    register.record_run(findings(finding("A")), run_id="r", as_of="2024-07", district=None)
    recovered = [1.005, 2.675, 0.125]
    sheet = events(
        *(event(key, "recovered", amount, source_row=row)
          for row, amount in enumerate(recovered, start=5)),
        event(key, "recovered", 0.1 + 0.2, source_row=8),  # near miss: 0.30 in a spreadsheet
    )  # fmt: skip
    with pytest.raises(RegisterError) as raised:
        register.record_outcomes(sheet)
    source = "source 'worklist-north-2024-07.xlsx'"
    assert raised.value.problems == [
        f"{source} row {row}: column 'amount': expected yuan to the fen (at most 2 decimals), "
        f"found {amount!r}"
        for row, amount in enumerate(recovered, start=5)
    ]
    assert register.outcomes().empty
    register.record_outcomes(events(event(key, "recovered", 0.1 + 0.2, source_row=8)))
    assert register.outcomes()["amount"].tolist() == [0.3]


def test_float32_amounts_are_judged_as_typed(register):
    """A float32 column's 0.1 reached the fen check as 0.10000000149011612 and was refused
    (before the check, it was rounded and kept)."""
    key = finding_key("A", "rate_mismatch", "2024-01")
    register.record_run(findings(finding("A")), run_id="r", as_of="2024-07", district=None)
    sheet = events(event(key, "recovered", 0.1, source_row=5)).astype({"amount": "float32"})
    register.record_outcomes(sheet)
    assert register.outcomes()["amount"].tolist() == [0.1]
    # near miss: a fraction of a fen is refused in float32 too
    later = events(event(key, "recovered", 2.675, source_row=6)).astype({"amount": "float32"})
    with pytest.raises(RegisterError) as raised:
        register.record_outcomes(later)
    assert raised.value.problems == [
        "source 'worklist-north-2024-07.xlsx' row 6: column 'amount': expected yuan to the fen "
        "(at most 2 decimals), found 2.675"
    ]


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("evidence", "billed\x00 at the wrong rate", "text without control characters other "
         "than tab and line breaks"),
        ("customer_id", "C\x001", "text without control characters (tab, line break, NUL"),
        ("customer_id", "C" * 250, "at most 200 characters"),
    ],
)  # fmt: skip
def test_findings_text_a_database_would_not_keep_is_refused_alike_naming_row_and_column(
    register, column, value, expected
):
    """PostgreSQL refused NUL (DataError) and a 250-character customer id (varchar 200) naming
    neither row nor column; SQLite stored both."""
    month = findings(finding("A"), finding("B"), {**finding("C"), column: value})
    with pytest.raises(ParameterError) as refused:
        register.record_run(month, run_id="r", as_of="2024-07", district=None)
    message = str(refused.value)
    assert message.startswith(f"parameter 'findings row 3, column {column}': expected {expected}")
    assert register.runs().empty and register.findings().empty
    # near misses: the longest id a column holds, evidence over two lines
    kept = {**finding("C" * 200), "evidence": "billed at the wrong rate\nsince July"}
    register.record_run(findings(finding("A"), kept), run_id="r", as_of="2024-07", district=None)
    held = register.findings().set_index("customer_id")
    assert sorted(held.index) == ["A", "C" * 200]
    assert held.loc["C" * 200, "evidence"] == "billed at the wrong rate\nsince July"


def test_a_password_holding_at_signs_is_masked_whole_and_its_host_read_after_the_last(
    postgres_server,
):
    """The password s3c@ret showed as `auditkit:***@ret@127.0.0.1`."""
    server = postgres_server.render_as_string(hide_password=False)
    typed = server.replace("auditkit@", "auditkit:s3c@ret@", 1).replace("/postgres", "/tpl")
    assert shown_url(typed) == (
        f"postgresql+psycopg://auditkit:***@127.0.0.1:{postgres_server.port}/tpl"
    )
    with pytest.raises(RegisterError) as raised:  # the test server has no database tpl
        Register.open(typed)
    assert "s3c" not in str(raised.value) and "@ret" not in str(raised.value)
    assert str(raised.value).startswith(
        f"register postgresql+psycopg://auditkit:***@127.0.0.1:{postgres_server.port}/tpl: "
    )
    with pytest.raises(ParameterError) as unreadable:  # a port that is no number
        Register.open("postgresql://auditkit:s3c@ret@host:notaport/db")
    assert "'postgresql://auditkit:***@host:notaport/db'" in str(unreadable.value)


def test_text_from_the_data_is_stored_as_given_never_run_as_sql(register):
    hostile = "C1'); DROP TABLE findings; --"
    district = 'north"; DELETE FROM runs; --'
    register.record_run(
        findings(finding(hostile, district=district)), run_id="x'; --", as_of="2024-07",
        district=district,
    )  # fmt: skip
    key = finding_key(hostile, "rate_mismatch", "2024-01")
    register.record_outcomes(
        events(event(key, actor="O'Brien; DROP TABLE outcomes", source="a'b.xlsx"))
    )
    state = register.findings(district)
    assert state["customer_id"].tolist() == [hostile]
    assert register.runs()["run_id"].tolist() == ["x'; --"]
    assert register.outcomes(key)["actor"].tolist() == ["O'Brien; DROP TABLE outcomes"]


def test_the_migrated_schema_is_the_declared_one(register, database_url):
    engine = sa.create_engine(Register.open(database_url)._engine.url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
        revision = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    assert differences == []
    assert revision == "0006"


def test_opening_twice_migrates_once_and_keeps_what_is_recorded(database_url):
    with Register.open(database_url) as first:
        first.record_run(findings(finding("A")), run_id="m1", as_of="2024-07", district=None)
    with Register.open(database_url) as second:
        assert second.findings()["customer_id"].tolist() == ["A"]


def test_sqlite_and_postgresql_hold_the_same_register(postgres_server, tmp_path):
    months = [
        findings(finding("A", revenue=100.0), finding("B", district="south"), finding("C")),
        findings(finding("A", revenue=99.99), finding("D", rule_id="meter_fault")),
        findings(finding("A", revenue=99.99), finding("C"), finding("B", district="south")),
    ]
    held = []
    for url in (f"sqlite:///{tmp_path / 'r.sqlite'}", fresh_postgres_database(postgres_server)):
        with Register.open(url if isinstance(url, str) else url.render_as_string(False)) as reg:
            changes = [
                reg.record_run(month, run_id=f"m{i}", as_of=f"2024-0{i + 7}", district=None).changes
                for i, month in enumerate(months)
            ]
            key = finding_key("A", "rate_mismatch", "2024-01")
            reg.record_outcomes(events(event(key), event(key, "recovered", amount=99.99)))
            held.append((changes, reg.findings(), reg.outcomes().drop(columns="recorded_at")))
    (sqlite_changes, sqlite_findings, sqlite_trail), (pg_changes, pg_findings, pg_trail) = held
    for left, right in zip(sqlite_changes, pg_changes, strict=True):
        pd.testing.assert_frame_equal(left, right)
    pd.testing.assert_frame_equal(sqlite_findings, pg_findings)
    pd.testing.assert_frame_equal(sqlite_trail, pg_trail)


def test_the_default_register_is_a_sqlite_file_in_the_outputs_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("AUDITKIT_DB", raising=False)
    monkeypatch.setenv("AUDITKIT_OUTPUTS", str(tmp_path / "outputs"))
    with Register.open() as register:
        assert register.url.endswith("outputs/register.sqlite")
    assert (tmp_path / "outputs" / "register.sqlite").is_file()
    monkeypatch.setenv("AUDITKIT_DB", f"sqlite:///{tmp_path / 'team.sqlite'}")
    with Register.open() as register:
        assert register.url.endswith("team.sqlite")


def test_passwords_never_show_in_reprs_or_errors(postgres_server):
    url = postgres_server.set(password="s3cret-pw", database="no_such_database")
    with pytest.raises(RegisterError) as raised:
        Register.open(url.render_as_string(hide_password=False))
    assert "s3cret-pw" not in str(raised.value) and "***" in str(raised.value)
    assert "no_such_database" in str(raised.value)
    working = fresh_postgres_database(postgres_server).set(password="s3cret-pw")
    with Register.open(working.render_as_string(hide_password=False)) as register:
        assert "s3cret-pw" not in repr(register) and "s3cret-pw" not in register.url
    with pytest.raises(ParameterError) as refused:
        Register.open("mysql://user:s3cret-pw@host/db")
    assert "s3cret-pw" not in str(refused.value)
    with pytest.raises(ParameterError) as unreadable:
        Register.open("postgresql://user:s3cret-pw@host:notaport/db")
    assert "s3cret-pw" not in str(unreadable.value)


SHEET = "worklist:0123456789abcdef"
#: Another worklist than SHEET: the same check may come back on both.
OTHER_SHEET = "worklist:fedcba9876543210"


def _recorded_row(register) -> str:
    """Finding A recorded, sent on worklist row 5 and recovered 3,000 yuan (a typo)."""
    register.record_run(findings(finding("A")), run_id="m1", as_of="2024-07", district=None)
    a = finding_key("A", "rate_mismatch", "2024-01")
    register.record_outcomes(
        events(
            event(a, "sent", happened_at="2024-08-01", source=SHEET),
            event(a, "recovered", amount=3000.0, happened_at="2024-08-09", source=SHEET),
        )
    )
    return a


def test_a_worklist_row_given_again_with_other_values_is_refused_naming_the_cells(register):
    a = _recorded_row(register)
    corrected = events(event(a, "recovered", amount=2800.0, happened_at="2024-08-09", source=SHEET))
    with pytest.raises(OutcomeConflict) as raised:
        register.record_outcomes(corrected)
    assert raised.value.problems == [
        f"source {SHEET!r} row 5: column 'amount': recorded 3000.0, found 2800.0"
    ]
    assert "--correct" in str(raised.value)
    assert register.outcomes(a)["amount"].dropna().tolist() == [3000.0]  # nothing recorded
    assert register.not_recorded(corrected) == 1  # a new worklist must not overwrite the sheet


def test_a_correction_supersedes_the_rows_event_and_keeps_it_in_the_trail(register):
    a = _recorded_row(register)
    corrected = events(event(a, "recovered", amount=2800.0, happened_at="2024-08-09", source=SHEET))
    done = register.record_outcomes(corrected, correct=True)
    assert (done.recorded, done.corrected, done.already_recorded) == (1, 1, 0)
    assert register.outcomes(a)["amount"].dropna().tolist() == [2800.0]  # 2,800, not 5,800
    trail = register.outcomes(a, superseded=True)
    assert trail["event"].tolist() == ["sent", "recovered", "recovered"]
    assert trail["superseded"].tolist() == [False, True, False]
    assert trail["corrects"].iloc[2] == trail["outcome_id"].iloc[1]
    # the corrected sheet imported again: nothing new; and corrected back to 3,000 it supersedes
    again = register.record_outcomes(corrected, correct=True)
    assert (again.recorded, again.already_recorded) == (0, 1)
    assert register.not_recorded(corrected) == 0
    back = events(event(a, "recovered", amount=3000.0, happened_at="2024-08-09", source=SHEET))
    assert register.record_outcomes(back, correct=True).corrected == 1
    assert register.outcomes(a)["amount"].dropna().tolist() == [3000.0]
    assert len(register.outcomes(a, superseded=True)) == 4


def test_a_corrected_verdict_decides_though_dated_before_the_one_it_corrects(register):
    register.record_run(findings(finding("A")), run_id="m1", as_of="2024-07", district=None)
    a = finding_key("A", "rate_mismatch", "2024-01")
    register.record_outcomes(events(event(a, "confirmed", happened_at="2024-08-12", source=SHEET)))
    register.record_outcomes(
        events(event(a, "false_alarm", happened_at="2024-08-09", source=SHEET)), correct=True
    )
    assert latest_decisions(register.outcomes())["event"].tolist() == ["false_alarm"]


def test_events_of_other_sources_may_share_a_row(register):
    """Events built by hand (the demo's fieldwork) give several events per row: not corrections."""
    register.record_run(findings(finding("A")), run_id="m1", as_of="2024-07", district=None)
    a = finding_key("A", "rate_mismatch", "2024-01")
    done = register.record_outcomes(
        events(
            event(a, "confirmed", happened_at="2024-08-05", source="demo field"),
            event(a, "recovered", amount=10.0, happened_at="2024-08-06", source="demo field"),
        )
    )
    assert done.recorded == 2


def test_a_check_dated_before_its_worklist_was_sent_is_refused_naming_the_row(register):
    """Sent on 2024-08-10: a check of 2024-08-09 is a slip (the report would then say no sent
    record came before it); one of the sending day itself is recorded."""
    register.record_run(findings(finding("A")), run_id="m1", as_of="2024-07", district=None)
    a = finding_key("A", "rate_mismatch", "2024-01")
    register.record_outcomes(events(event(a, "sent", happened_at="2024-08-10", source=SHEET)))
    slipped = events(event(a, "rectified", happened_at="2024-08-09", source=SHEET))
    with pytest.raises(CheckedBeforeSent) as raised:
        register.record_outcomes(slipped)
    assert raised.value.problems == [
        f"source {SHEET!r} row 5: column 'happened_at': expected a date on or after 2024-08-10 "
        "(the day the worklist was sent), found 2024-08-09"
    ]
    assert register.outcomes(a)["event"].tolist() == ["sent"]
    same_day = events(event(a, "rectified", happened_at="2024-08-10", source=SHEET))
    assert register.record_outcomes(same_day).recorded == 1


def test_a_further_recovery_on_a_later_day_from_another_worklist_adds_to_the_first(register):
    """Recovered amounts are events, each what was recovered that day: a further partial
    recovery dated later is recorded; the same one on another sheet is recorded once."""
    register.record_run(findings(finding("A")), run_id="m1", as_of="2024-07", district=None)
    a = finding_key("A", "rate_mismatch", "2024-01")
    other = OTHER_SHEET
    first = event(a, "recovered", amount=3000.0, happened_at="2024-08-09", source=SHEET)
    register.record_outcomes(events(first))
    same = {**first, "source": other, "source_row": 3}
    done = register.record_outcomes(events(same))
    assert (done.recorded, done.already_recorded) == (0, 1)
    assert [held.source for _, held in done.elsewhere] == [SHEET]
    # the row that repeated it is joined to that check: a later recovery is another sheet's row
    later = {**same, "amount": 500.0, "happened_at": "2024-09-02", "source_row": 5}
    assert register.record_outcomes(events(later)).recorded == 1
    with pytest.raises(OutcomeConflict):  # the repeating row changed: a correction of the check
        register.record_outcomes(events({**same, "amount": 500.0}))
    assert register.outcomes(a)["amount"].sum() == 3500.0
    other_day_same_amount = {**same, "happened_at": "2024-09-03", "source_row": 4}
    assert register.record_outcomes(events(other_day_same_amount)).recorded == 1  # not the same day


def _sent_on_two_worklists(register: Register) -> str:
    """Finding A recorded in July's run and sent on 2024-08-01 on SHEET (row 5) and on
    OTHER_SHEET (row 3) while undecided; its key."""
    register.record_run(findings(finding("A")), run_id="m1", as_of="2024-07", district=None)
    a = finding_key("A", "rate_mismatch", "2024-01")
    register.record_outcomes(
        events(
            event(a, "sent", happened_at="2024-08-01", source=SHEET),
            event(a, "sent", happened_at="2024-08-01", source=OTHER_SHEET, source_row=3),
        )
    )
    return a


def test_a_worklist_is_named_by_the_district_of_most_of_its_findings_and_the_day_it_was_sent(
    register,
):
    """Messages named the worklist an outcome came from by its id ('worklist:0123… row 5'), on
    no sheet. SHEET holds two north findings and one south, sent 2024-08-01 and 08-02;
    OTHER_SHEET was never recorded as sent; near miss: a source of events recorded by hand is
    no worklist sheet and keeps its name."""
    register.record_run(
        findings(finding("A"), finding("B"), finding("C", district="south")),
        run_id="m1",
        as_of="2024-07",
        district=None,
    )
    a, b, c = (finding_key(customer, "rate_mismatch", "2024-01") for customer in "ABC")
    by_hand = "worklist-north-2024-07.xlsx"
    register.record_outcomes(
        events(
            event(a, "sent", happened_at="2024-08-02", source=SHEET),
            event(b, "sent", happened_at="2024-08-01", source=SHEET, source_row=6),
            event(c, "sent", happened_at="2024-08-02", source=SHEET, source_row=7),
            event(c, "confirmed", happened_at="2024-08-05", source=OTHER_SHEET, source_row=3),
            event(a, "confirmed", happened_at="2024-08-05", source=by_hand),
        )
    )
    at = _sent_at(register, SHEET)
    assert register.worklist_names([SHEET, OTHER_SHEET, by_hand]) == {
        SHEET: f"the north worklist sent 2024-08-01 {at} UTC by 王工",
        OTHER_SHEET: "the south worklist",
        by_hand: f"source {by_hand!r}",
    }


def test_two_worklists_of_a_district_sent_the_same_day_are_named_apart(register):
    """Both north, both sent 2024-08-01: before, both 'the north worklist sent 2024-08-01'.
    Now the time each was recorded as sent and who sent it tell them apart; a finding moved to
    south since (the 2024-09 run) leaves them north's, the district they were sent for."""
    register.record_run(findings(finding("A"), finding("B")), run_id="m1", as_of="2024-07",
                        district=None)  # fmt: skip
    a, b = (finding_key(customer, "rate_mismatch", "2024-01") for customer in "AB")
    register.record_outcomes(events(event(a, "sent", happened_at="2024-08-01", source=SHEET)))
    register.record_outcomes(
        events(event(b, "sent", happened_at="2024-08-01", source=OTHER_SHEET, actor="李四"))
    )
    moved = findings(finding("A", district="south"), finding("B", district="south"))
    register.record_run(moved, run_id="m2", as_of="2024-09", district=None)
    names = register.worklist_names([SHEET, OTHER_SHEET])
    assert names == {
        SHEET: f"the north worklist sent 2024-08-01 {_sent_at(register, SHEET)} UTC by 王工",
        OTHER_SHEET: (
            f"the north worklist sent 2024-08-01 {_sent_at(register, OTHER_SHEET)} UTC by 李四"
        ),
    }
    assert names[SHEET] != names[OTHER_SHEET]


def _sent_at(register, source: str) -> str:
    """The time (HH:MM, UTC) `source` was first recorded as sent, as messages name it."""
    trail = register.outcomes()
    sent = trail[(trail["source"] == source) & (trail["event"] == "sent")]
    moment = pd.Timestamp(sent["recorded_at"].min())
    return f"{(moment.tz_convert('UTC') if moment.tzinfo else moment):%H:%M}"


def test_one_recovery_on_two_worklists_out_together_with_two_dates_is_refused_not_added(register):
    """Both sheets sent on 2024-08-01 with A undecided; 3,000 recovered dated 08-09 on one and
    08-12 on the other: before, 3,000 + 3,000 = 6,000 recovered for one recovery."""
    a = _sent_on_two_worklists(register)
    other = OTHER_SHEET
    first = event(a, "recovered", amount=3000.0, happened_at="2024-08-09", source=SHEET)
    again = {**first, "happened_at": "2024-08-12", "source": other, "source_row": 3}
    register.record_outcomes(events(first))
    with pytest.raises(OutcomeConflict) as raised:
        register.record_outcomes(events(again))
    assert raised.value.problems == [
        f"source {other!r} row 3: column 'happened_at': recorded '2024-08-09' (from the north "
        f"worklist sent 2024-08-01 {_sent_at(register, SHEET)} UTC by 王工 row 5, another "
        "worklist), found '2024-08-12'"  # before: from worklist:0123456789abcdef row 5
    ]
    assert register.outcomes(a)["amount"].sum() == 3000.0  # not 6,000
    # Near misses: another amount on the other day is a further recovery; a verdict without
    # an amount on a third day is a check of its own (the latest decides, nothing adds up).
    assert register.record_outcomes(events({**again, "amount": 500.0})).recorded == 1
    confirmed = {**again, "event": "confirmed", "amount": None, "happened_at": "2024-08-13"}
    assert register.record_outcomes(events({**confirmed, "source_row": 4})).recorded == 1
    assert register.outcomes(a)["amount"].sum() == 3500.0  # 3,000 + 500


def test_one_recovery_given_twice_with_two_dates_in_one_import_is_refused_even_to_correct(
    register,
):
    a = _sent_on_two_worklists(register)
    other = OTHER_SHEET
    first = event(a, "recovered", amount=3000.0, happened_at="2024-08-09", source=SHEET)
    again = {**first, "happened_at": "2024-08-12", "source": other, "source_row": 3}
    for correct in (False, True):
        with pytest.raises(OutcomeConflict):
            register.record_outcomes(events(first, again), correct=correct)
    assert register.outcomes(a)["event"].tolist() == ["sent", "sent"]
    # Near miss: rows of a worklist never recorded as sent (written without a register) are
    # not judged so: each is recorded.
    unsent = {**again, "source": "worklist:00000000000000aa"}
    assert register.record_outcomes(events(first, unsent)).recorded == 2


def test_a_conflict_says_why_so_a_message_is_chosen_by_the_stores_own_test(register):
    """`auditkit register import` chose the message of a conflicting recovery by repeating part
    of the store's test; the store says why each row conflicts (`OutcomeConflict.reasons`)."""
    a = _sent_on_two_worklists(register)  # then 3,000 recovered on 08-09, SHEET row 5
    other = OTHER_SHEET
    own = event(a, "recovered", amount=2800.0, happened_at="2024-08-09", source=SHEET)
    register.record_outcomes(events({**own, "amount": 3000.0}))
    two_dates = {**own, "amount": 3000.0, "happened_at": "2024-08-12", "source": other,
                 "source_row": 3}  # fmt: skip
    same_day = {**two_dates, "amount": 2800.0, "happened_at": "2024-08-09"}
    given = {
        "changed": own,  # its own row, 3,000 typed 2,800
        "another_day": two_dates,  # 3,000 as on SHEET, dated 08-12: one recovery, two dates
        "another_worklist": same_day,  # near miss: the same day, 2,800: another value
    }
    for reason, row in given.items():
        with pytest.raises(OutcomeConflict) as raised:
            register.record_outcomes(events(row))
        assert raised.value.reasons == [reason]
    emptied = [{"finding_key": a, "source": SHEET, "source_row": 5}]
    nothing = pd.DataFrame(columns=list(EVENT_COLUMNS))
    with pytest.raises(OutcomeConflict) as raised:
        register.record_outcomes(nothing, blank_rows=emptied)
    assert raised.value.reasons == ["emptied"]
    register.record_outcomes(nothing, blank_rows=emptied, correct=True, withdrawn_by="王工")
    with pytest.raises(OutcomeConflict) as raised:
        register.record_outcomes(events({**own, "amount": 3000.0}))
    assert raised.value.reasons == ["withdrawn"]
    assert register.outcomes(a)["event"].tolist() == ["sent", "sent"]  # nothing else recorded


def test_another_verdict_for_the_same_day_on_another_worklist_is_refused_naming_it(register):
    register.record_run(findings(finding("A")), run_id="m1", as_of="2024-07", district=None)
    a = finding_key("A", "rate_mismatch", "2024-01")
    register.record_outcomes(events(event(a, "confirmed", happened_at="2024-08-09", source=SHEET)))
    other = OTHER_SHEET
    alarm = events(event(a, "false_alarm", happened_at="2024-08-09", source=other, source_row=3))
    with pytest.raises(OutcomeConflict) as raised:
        register.record_outcomes(alarm)
    assert raised.value.problems == [
        f"source {other!r} row 3: column 'event': recorded 'confirmed' (from the north "
        "worklist row 5, another worklist), found 'false_alarm'"  # before: from {SHEET} row 5
    ]
    assert register.not_recorded(alarm) == 1
    # a cross-audit bureau's verdict of the same day is another team's check: recorded
    cross = alarm.assign(auditor="south")
    assert register.record_outcomes(cross).recorded == 1


#: Who checked as imports before the check recorded a cell a spreadsheet made a date, a time or
#: TRUE/FALSE of, and near misses: text of the same length the database's LIKE lets through
#: ('TRUE' on SQLite, letters, full-width digits no spreadsheet writes) and other text.
COERCED = ("2026-03-12 00:00:00", "08:30:00", "True", "False")
NEAR_MISSES = ("TRUE", "true", "ab:cd:ef", "１２:３４:５６", "2026-03-12", "20260312",
               "2026-03-12T00:00:00", "王工")  # fmt: skip


def test_the_database_and_the_regex_tell_a_coerced_actor_by_one_definition(register):
    """The LIKE patterns and the regex were spelled apart (and the regex took full-width digits
    for a time, which the LIKE let through too). Now both come of COERCED_ACTOR_SHAPES: every
    actor the regex matches the database's patterns match, on SQLite and PostgreSQL, and
    `coerced_actors` gives exactly the regex's."""
    register.record_run(findings(finding("A")), run_id="m1", as_of="2024-07", district=None)
    a = finding_key("A", "rate_mismatch", "2024-01")
    actors = (*COERCED, *NEAR_MISSES)
    register.record_outcomes(
        events(*(event(a, actor=actor, source_row=row) for row, actor in enumerate(actors, 3)))
    )
    with register._engine.connect() as connection:
        matched = {
            actor
            for actor in actors
            if connection.execute(sa.select(looks_coerced(sa.literal(actor)))).scalar()
        }
    by_regex = {actor for actor in actors if COERCED_ACTOR.fullmatch(actor)}
    assert by_regex == set(COERCED)
    assert by_regex <= matched  # the database never drops what the regex takes
    assert {"ab:cd:ef", "１２:３４:５６"} <= matched - by_regex  # the regex decides those
    assert register.coerced_actors()["actor"].tolist() == list(COERCED)

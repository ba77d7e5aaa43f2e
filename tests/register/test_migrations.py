"""A register written by the auditkit of schema revision 0001 (before outcomes said who audited
and how the worklist chose the finding), opened by today's auditkit: upgraded to the newest
revision keeping every row, and the same returned sheet imported again records nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from openpyxl import load_workbook
from worklist_builders import finding, findings

from auditkit.cli import main
from auditkit.register import (
    Register,
    finding_key,
    read_worklist,
    select_worklist,
    store,
    write_worklist,
)
from auditkit.register.keys import SEPARATOR, finding_keys
from auditkit.register.sheet import FIRST_DATA_ROW, HEADER_ROW, WORKLIST_SHEETS, canonical_column
from auditkit.register.store import MIGRATIONS, _database_url, _engine

FIRST_REVISION = "0001"
#: The outcomes table's columns at revision 0001.
COLUMNS_0001 = ["outcome_id", "finding_key", "event", "amount", "actor", "happened_at", "source",
                "source_row", "event_digest", "recorded_at"]  # fmt: skip


def register_at_0001(url: str, schema_revision: str = FIRST_REVISION) -> Register:
    """A register whose schema is revision 0001 (or `schema_revision`), made as
    `Register._migrate` makes one (its connection handed to Alembic, in its transaction, under
    its write lock)."""
    url_object, secret = _database_url(url)
    register = Register(_engine(url_object), url_object.render_as_string(), secret)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with register._writing() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, schema_revision)
    return register


def record_old_run(
    register: Register, frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, **run: object
) -> None:
    """Record a run as auditkit did before revision 0006: its history rows without the
    district each finding had (the column is not there yet)."""

    def history_without_district(connection, changes: pd.DataFrame, run_id: str) -> None:
        table = sa.Table("finding_runs", sa.MetaData(), autoload_with=connection)
        history = changes[["finding_key", "status", "revenue_impact", "previous_revenue_impact"]]
        connection.execute(sa.insert(table), store._records(history.assign(run_id=run_id)))

    with monkeypatch.context() as patched:
        patched.setattr(store, "_write_history", history_without_district)
        register.record_run(frame, **run)


def digest_0001(event: dict) -> str:
    """The event digest auditkit wrote at revision 0001: the seven values, nothing else."""
    amount = "" if pd.isna(event["amount"]) else f"{event['amount']:.2f}"
    parts = (event["finding_key"], event["event"], amount, event["actor"],
             pd.Timestamp(event["happened_at"]).date().isoformat(), event["source"],
             str(event["source_row"]))  # fmt: skip
    return hashlib.sha256(SEPARATOR.join(parts).encode("utf-8")).hexdigest()


def digest_0de594e(event: dict) -> str:
    """The event digest auditkit wrote at revision 0002 before commit 9080ec6: the seven values,
    then `auditor=` and `selected_by=` when given."""
    amount = "" if pd.isna(event["amount"]) else f"{event['amount']:.2f}"
    parts = (event["finding_key"], event["event"], amount, event["actor"],
             pd.Timestamp(event["happened_at"]).date().isoformat(), event["source"],
             str(event["source_row"]),
             *(f"{name}={event[name]}" for name in ("auditor", "selected_by")
               if event.get(name) is not None))  # fmt: skip
    return hashlib.sha256(SEPARATOR.join(parts).encode("utf-8")).hexdigest()


def revision(url: str) -> str | None:
    engine = _engine(_database_url(url)[0])
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    return current


def table_rows(url: str, table: str, order: str) -> pd.DataFrame:
    engine = _engine(_database_url(url)[0])
    with engine.connect() as connection:
        frame = pd.read_sql(sa.text(f"SELECT * FROM {table} ORDER BY {order}"), connection)
    engine.dispose()
    return frame


@pytest.fixture
def returned(tmp_path: Path) -> tuple[pd.DataFrame, Path]:
    """Three findings of 城东 and their worklist returned with two rows filled."""
    frame = findings(finding("a", 500), finding("b", 300), finding("c", 100))
    blank = write_worklist(select_worklist(frame, by="revenue", top=3), tmp_path / "sent.xlsx")
    workbook = load_workbook(blank)
    sheet = workbook[WORKLIST_SHEETS["zh"]]
    columns = {canonical_column(cell.value): cell.column for cell in sheet[HEADER_ROW]}
    answers = {
        FIRST_DATA_ROW: {"outcome": "已追补", "amount_recovered": 480, "checked_on": "2025-07-15"},
        FIRST_DATA_ROW + 2: {"outcome": "误报", "checked_on": "2025-07-16"},
    }
    for row, values in answers.items():
        for column, value in {**values, "checked_by": "李工"}.items():
            sheet.cell(row, columns[column]).value = value
    workbook.save(tmp_path / "returned.xlsx")
    return frame, tmp_path / "returned.xlsx"


def test_a_register_of_revision_0001_is_upgraded_keeping_every_row_and_records_nothing_twice(
    database_url: str, returned: tuple[pd.DataFrame, Path], capsys, monkeypatch
) -> None:
    frame, sheet = returned
    old = register_at_0001(database_url)
    record_old_run(old, frame, monkeypatch, run_id="2024-12", as_of="2024-12", district=None)
    # the returned sheet imported at 0001: the events without who audited nor how chosen
    events = read_worklist(sheet).drop(columns=["auditor", "selected_by", "penalty"])
    assert len(events) == 2
    by_hand = {"finding_key": events["finding_key"].iloc[1], "event": "rectified",
               "amount": float("nan"), "actor": "王工", "happened_at": "2025-08-01",
               "source": "phone call", "source_row": 1}  # fmt: skip
    rows = [*events.to_dict("records"), by_hand]
    with old._writing() as connection:
        outcomes = sa.Table("outcomes", sa.MetaData(), autoload_with=connection)
        assert [column.name for column in outcomes.c] == COLUMNS_0001
        connection.execute(
            sa.insert(outcomes),
            [{**row, "amount": None if pd.isna(row["amount"]) else row["amount"],
              "happened_at": pd.Timestamp(row["happened_at"]).date(),
              "event_digest": digest_0001(row),
              "recorded_at": pd.Timestamp("2025-08-02 09:00", tz="UTC").to_pydatetime()}
             for row in rows],
        )  # fmt: skip
    old.close()
    assert revision(database_url) == FIRST_REVISION
    findings_before = table_rows(database_url, "findings", "finding_key")
    runs_before = table_rows(database_url, "runs", "run_id")
    history_before = table_rows(database_url, "finding_runs", "finding_key")
    outcomes_before = table_rows(database_url, "outcomes", "outcome_id")

    with Register.open(database_url) as register:  # today's auditkit upgrades it
        head = ScriptDirectory.from_config(_config()).get_current_head()
        assert revision(database_url) == head != FIRST_REVISION
        outcomes_after = table_rows(database_url, "outcomes", "outcome_id")
        pd.testing.assert_frame_equal(outcomes_after[COLUMNS_0001], outcomes_before)
        assert outcomes_after[["auditor", "selected_by", "penalty"]].isna().all().all()
        for table, order, before in [("findings", "finding_key", findings_before),
                                     ("runs", "run_id", runs_before),
                                     ("finding_runs", "finding_key", history_before)]:  # fmt: skip
            after = table_rows(database_url, table, order)
            pd.testing.assert_frame_equal(after[list(before.columns)], before)
        history_after = table_rows(database_url, "finding_runs", "finding_key")
        assert history_after["district"].isna().all()  # not recorded before revision 0006
        trail = register.outcomes()
        assert sorted(trail["event"]) == ["false_alarm", "recovered", "rectified"]
        assert trail.loc[trail["event"] == "recovered", "amount"].tolist() == [480.0]

        # the same sheet read by today's reader (now saying how the findings were chosen)
        again = read_worklist(sheet)
        assert set(again["selected_by"]) == {"revenue"}
        done = register.record_outcomes(again)
        assert (done.recorded, done.already_recorded) == (0, 2)
    capsys.readouterr()
    db = database_url.replace("postgresql+psycopg://", "postgresql://")
    assert main(["register", "import", str(sheet), "--db", db]) == 0
    assert "0 outcome events recorded, already recorded 2" in capsys.readouterr().out
    with Register.open(database_url) as register:
        assert len(register.outcomes()) == 3


def test_opening_an_upgraded_register_again_changes_nothing(database_url: str) -> None:
    register_at_0001(database_url).close()
    Register.open(database_url).close()
    upgraded = table_rows(database_url, "alembic_version", "version_num")
    Register.open(database_url).close()
    pd.testing.assert_frame_equal(table_rows(database_url, "alembic_version", "version_num"),
                                  upgraded)  # fmt: skip
    assert upgraded["version_num"].tolist() == [revision(database_url)]


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def test_a_sheet_imported_at_0de594e_and_again_after_the_upgrade_is_recorded_once(
    database_url: str, returned: tuple[pd.DataFrame, Path], monkeypatch
) -> None:
    """Commit 0de594e (revision 0002) put `auditor=` and `selected_by=` in an event's digest;
    9080ec6 left them out under the same revision: without revision 0004 rewriting the old
    digests, each `sent` and each outcome of the sheet was recorded a second time."""
    frame, sheet = returned
    old = register_at_0001(database_url, "0002")
    record_old_run(old, frame, monkeypatch, run_id="2024-12", as_of="2024-12", district=None)
    outcomes = read_worklist(sheet).drop(
        columns="penalty"
    )  # selected by revenue: both rows' digests held it
    source = outcomes["source"].iloc[0]
    sent = [{"finding_key": key, "event": "sent", "amount": float("nan"), "actor": "赵工",
             "happened_at": "2025-07-01", "source": source, "source_row": FIRST_DATA_ROW + n,
             "auditor": "城西", "selected_by": "revenue"}
            for n, key in enumerate(frame.pipe(finding_keys))]  # fmt: skip
    by_hand = {
        "finding_key": sent[1]["finding_key"],
        "event": "rectified",  # near miss:
        "amount": float("nan"),
        "actor": "王工",
        "happened_at": "2025-08-01",
        "source": "phone call",
        "source_row": 1,
        "auditor": None,
        "selected_by": None,
    }
    rows = [*sent, *outcomes.to_dict("records"), by_hand]  # no auditor nor selection: unchanged
    with old._writing() as connection:
        table = sa.Table("outcomes", sa.MetaData(), autoload_with=connection)
        connection.execute(
            sa.insert(table),
            [{**row, "amount": None if pd.isna(row["amount"]) else row["amount"],
              "happened_at": pd.Timestamp(row["happened_at"]).date(),
              "event_digest": digest_0de594e(row),
              "recorded_at": pd.Timestamp("2025-08-02 09:00", tz="UTC").to_pydatetime()}
             for row in rows],
        )  # fmt: skip
    old.close()

    with Register.open(database_url) as register:  # upgraded to the newest revision
        head = ScriptDirectory.from_config(_config()).get_current_head()
        assert revision(database_url) == head
        # 3 sent, 2 outcomes of the sheet, 1 by hand
        assert len(register.outcomes()) == 3 + 2 + 1
        sent_again = pd.DataFrame(sent)
        assert register.record_outcomes(sent_again).recorded == 0
        done = register.record_outcomes(read_worklist(sheet))
        assert (done.recorded, done.already_recorded) == (0, 2)
        assert len(register.outcomes()) == 6


def test_runs_recorded_before_0006_read_each_finding_in_its_district_today(
    database_url: str, monkeypatch
) -> None:
    """Revision 0006 records the district each finding had in each run. Rows written before it
    hold none: after the upgrade they read as the finding's district today (documented in
    docs/register.md), and every run recorded since keeps its own."""
    old = register_at_0001(database_url, "0005")
    july = findings(finding("a", 500), finding("b", 300))
    record_old_run(old, july, monkeypatch, run_id="july", as_of="2024-12", district=None)
    old.close()
    with Register.open(database_url) as register:
        assert table_rows(database_url, "finding_runs", "finding_key")["district"].isna().all()
        moved = findings(finding("a", 500, district="城西"), finding("b", 300))
        moved.attrs["as_of"] = "2025-01"
        register.record_run(moved.assign(period_to="2025-01"), run_id="august", as_of="2025-01",
                            district=None)  # fmt: skip
        # July's rows recorded no district: a reads as 城西's, where it is today
        july_east = register.run_changes("2024-12", "城东").changes
        assert july_east["customer_id"].tolist() == ["b"]
        history = table_rows(database_url, "finding_runs", "run_id, finding_key")
        august = history[history["run_id"] == "august"].set_index("finding_key")["district"]
        key = {customer: finding_key(customer, "zero_consumption", "2024-09") for customer in "ab"}
        assert (august[key["a"]], august[key["b"]]) == ("城西", "城东")
        assert table_rows(database_url, "moved_findings", "finding_key")[
            "finding_key"
        ].tolist() == [key["a"]]  # the one key whose history a past month's districts read
        # near miss: the upgrade's own month and the one after read a where it was then
        assert register.findings("城西", as_of="2025-01")["customer_id"].tolist() == ["a"]
        assert register.findings("城东", as_of="2024-12")["customer_id"].tolist() == ["b"]

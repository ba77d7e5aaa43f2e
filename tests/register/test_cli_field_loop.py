"""The field loop as a user runs it, on SQLite and on PostgreSQL: `auditkit worklist` sends the
sheets, `auditkit register import` records what comes back. Two imports at once, an import
killed in its transaction, a sheet imported again or under another name, a sheet with problems
among good ones, and database passwords that never show in what the commands print or write."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from databases import fresh_postgres_database
from lock_files import excel_owner_file, libreoffice_lock
from openpyxl import load_workbook
from worklist_builders import finding, findings

from auditkit.cli import main
from auditkit.register import Register, read_worklist
from auditkit.register.sheet import FIRST_DATA_ROW, HEADER_ROW, WORKLIST_SHEETS, canonical_column
from auditkit.register.store import shown_url

DISTRICTS = ("城东", "城西", "城南")
PER_DISTRICT = 30
#: The day checks are dated: worklists are recorded as sent today, and a check cannot precede it.
TODAY = f"{dt.date.today():%Y-%m-%d}"
#: Runs `auditkit ARGS` in a process once GO exists; MODE 'hold' keeps each transaction that
#: inserts outcomes open 0.5 s (so an import at the same time must wait for it), 'stall' creates
#: GO.inside there and sleeps, to be killed in the middle of its transaction.
IMPORT_PROCESS = """
import sys, time
from pathlib import Path
import sqlalchemy as sa
from auditkit.cli import main
import auditkit.register.store

go, mode, *argv = sys.argv[1:]

def inside(connection, cursor, statement, *ignored):
    if statement.lstrip().upper().startswith("INSERT INTO OUTCOMES"):
        if mode == "stall":
            Path(go + ".inside").touch()
            time.sleep(600)
        time.sleep(0.5)

sa.event.listen(sa.Engine, "after_cursor_execute", inside)
while not Path(go).exists():
    time.sleep(0.01)
sys.exit(main(argv))
"""
RECORDED = re.compile(r"^(.*): (\d+) outcome events recorded, already recorded (\d+)$")


def cli_url(database_url: str) -> str:
    """The URL as a user types it (postgresql://, not SQLAlchemy's driver name)."""
    return database_url.replace("postgresql+psycopg://", "postgresql://")


def district_findings() -> pd.DataFrame:
    """PER_DISTRICT findings in each district, revenue 1..PER_DISTRICT yuan."""
    return findings(
        *(
            finding(f"{district}{n:02d}", n + 1, district=district)
            for district in DISTRICTS
            for n in range(PER_DISTRICT)
        )
    )


@pytest.fixture
def sent(database_url: str, tmp_path: Path, capsys) -> tuple[str, list[Path]]:
    """The findings recorded and their worklists sent: the register's URL and one sheet per
    district, every finding on it."""
    with Register.open(database_url) as register:
        register.record_run(district_findings(), run_id="2025-06", as_of="2025-06", district=None)
    db = cli_url(database_url)
    out = tmp_path / "worklists"
    top = str(PER_DISTRICT)
    assert main(["worklist", "--db", db, "--top", top, "--out", str(out), "--sent-by", "王工"]) == 0
    capsys.readouterr()
    return db, sorted(out.glob("worklist-*.xlsx"))


def customer_of(db: str) -> dict[str, str]:
    """finding_key -> customer_id of the register's findings."""
    with Register.open(db) as register:
        return register.findings().set_index("finding_key")["customer_id"].to_dict()


def fill_every_row(sheet: Path, target: Path) -> Path:
    """Every row checked: even rows confirmed, odd rows recovered with row yuan."""
    workbook = load_workbook(sheet)
    page = workbook[WORKLIST_SHEETS["zh"]]
    columns = {canonical_column(cell.value): cell.column for cell in page[HEADER_ROW]}
    for row in range(FIRST_DATA_ROW, page.max_row + 1):  # every finding the sheet lists
        recovered = row % 2 == 1
        values = {"outcome": "已追补" if recovered else "属实", "checked_by": "李工",
                  "checked_on": TODAY, "amount_recovered": row if recovered else None}  # fmt: skip
        for column, value in values.items():
            page.cell(row, columns[column]).value = value
    workbook.save(target)
    return target


def returned_sheets(sheets: list[Path], folder: Path) -> list[Path]:
    folder.mkdir()
    return [fill_every_row(sheet, folder / sheet.name) for sheet in sheets]


def field_events(db: str) -> pd.DataFrame:
    with Register.open(db) as register:
        trail = register.outcomes()
    return trail[trail["event"] != "sent"].reset_index(drop=True)


def import_process(mode: str, go: Path, *argv: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, "-c", IMPORT_PROCESS, str(go), mode, *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def recorded_per_sheet(printed: str) -> dict[str, tuple[int, int]]:
    """{sheet name: (recorded, already recorded)} from what an import printed."""
    found = {}
    for line in printed.splitlines():
        if match := RECORDED.match(line):
            found[Path(match[1]).name] = (int(match[2]), int(match[3]))
    return found


def test_two_imports_of_the_same_sheets_at_once_record_each_event_once(sent, tmp_path):
    db, sheets = sent
    returned = returned_sheets(sheets, tmp_path / "returned")
    go = tmp_path / "go"
    command = ["register", "import", *map(str, returned), "--db", db]
    processes = [import_process("hold", go, *command) for _ in range(2)]
    time.sleep(1.0)  # both have loaded auditkit and wait
    go.touch()
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        outputs.append(recorded_per_sheet(out))
    for sheet in returned:  # each sheet: recorded by one import, found recorded by the other
        counts = sorted(output[sheet.name] for output in outputs)
        assert counts == [(0, PER_DISTRICT), (PER_DISTRICT, 0)]
    events = field_events(db)
    assert len(events) == len(DISTRICTS) * PER_DISTRICT
    assert not events.duplicated(["finding_key", "event", "source"]).any()
    recovered = events[events["event"] == "recovered"]
    # rows 3, 5, ..., 31 of each sheet recovered their row number in yuan
    assert recovered["amount"].sum() == len(DISTRICTS) * sum(range(3, 32, 2))


def test_an_import_killed_in_its_transaction_records_nothing_and_imports_again_once(
    sent, tmp_path, capsys
):
    db, sheets = sent
    returned = returned_sheets(sheets, tmp_path / "returned")
    go = tmp_path / "go"
    go.touch()
    process = import_process("stall", go, "register", "import", *map(str, returned), "--db", db)
    inside = Path(f"{go}.inside")
    deadline = time.monotonic() + 120
    while not inside.exists():
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "the import never reached its transaction"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)  # the first sheet's events inserted, not committed
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert field_events(db).empty
    capsys.readouterr()
    assert main(["register", "import", *map(str, returned), "--db", db]) == 0
    assert set(recorded_per_sheet(capsys.readouterr().out).values()) == {(PER_DISTRICT, 0)}
    assert main(["register", "import", *map(str, returned), "--db", db]) == 0
    assert set(recorded_per_sheet(capsys.readouterr().out).values()) == {(0, PER_DISTRICT)}
    assert len(field_events(db)) == len(DISTRICTS) * PER_DISTRICT


def test_a_sheet_imported_again_renamed_or_sorted_records_nothing_new(sent, tmp_path, capsys):
    db, sheets = sent
    first = fill_every_row(sheets[0], tmp_path / "returned.xlsx")
    renamed = tmp_path / "worklist-城东 (1).xlsx"
    renamed.write_bytes(first.read_bytes())
    workbook = load_workbook(first)
    page = workbook[WORKLIST_SHEETS["zh"]]
    rows = [[cell.value for cell in page[row]] for row in range(FIRST_DATA_ROW, page.max_row + 1)]
    for offset, values in enumerate(reversed(rows)):  # sorted by revenue, smallest first
        for index, value in enumerate(values, start=1):
            page.cell(FIRST_DATA_ROW + offset, index).value = value
    workbook.save(tmp_path / "sorted.xlsx")
    assert main(["register", "import", str(first), "--db", db]) == 0
    assert recorded_per_sheet(capsys.readouterr().out) == {"returned.xlsx": (PER_DISTRICT, 0)}
    again = [str(first), str(renamed), str(tmp_path / "sorted.xlsx")]
    assert main(["register", "import", *again, "--db", db]) == 0
    assert set(recorded_per_sheet(capsys.readouterr().out).values()) == {(0, PER_DISTRICT)}
    events = field_events(db)
    assert len(events) == PER_DISTRICT
    with Register.open(db) as register:
        trail = register.outcomes()
    sent_rows = trail[trail["event"] == "sent"].set_index("finding_key")["source_row"]
    # each outcome is numbered by the row its finding was sent in, as its 'sent' event
    assert (events.set_index("finding_key")["source_row"] == sent_rows[events["finding_key"]]).all()
    assert set(events["selected_by"]) == {"revenue"} and events["auditor"].isna().all()


def test_outcomes_imported_with_a_date_or_true_as_who_checked_are_named_until_corrected(
    sent, tmp_path, capsys
):
    """Imports before checked_by was checked recorded a staff code Excel made a date of as
    '2026-03-12 00:00:00', and TRUE as 'True'; nothing ever named them."""
    db, sheets = sent
    returned = fill_every_row(sheets[0], tmp_path / "returned.xlsx")
    events = read_worklist(returned)
    first, second = events["source_row"].iloc[0], events["source_row"].iloc[1]
    third = events["source_row"].iloc[2]
    typed_then = {first: "2026-03-12 00:00:00", second: "True", third: "20260312"}
    events["actor"] = events["source_row"].map(typed_then).fillna(events["actor"])
    with Register.open(db) as register:  # as an import before the check recorded them
        register.record_outcomes(events)
    assert main(["register", "import", str(returned), "--db", db]) == 2  # the rows differ now
    (note,) = [line for line in capsys.readouterr().err.splitlines() if ": note: " in line]
    district = sheets[0].stem.removeprefix("worklist-")
    customers = events.set_index("source_row")["finding_key"].map(customer_of(db))
    # the sheet as the user sees it (district, day sent, row, customer), not the worklist's id
    # ('worklist:1f5642fe8e3e8438 row 3' is on no sheet); near misses: a staff number of
    # digits ('20260312'), a name ('李工') and who sent ('王工')
    assert note == (
        f"auditkit register import: note: the register {shown_url(db)} holds 2 outcome(s) whose "
        "checked_by is no name but a date, time or TRUE/FALSE a spreadsheet made of the cell "
        f"(imported before such cells were refused): the {district} worklist sent {TODAY} row "
        f"{first} (customer {customers[first]}: recovered, checked_by '2026-03-12 00:00:00'); "
        f"the {district} worklist sent {TODAY} row {second} (customer {customers[second]}: "
        "confirmed, checked_by 'True'); type who checked as text on those sheets and import "
        "them again with --correct"
    )
    assert "worklist:" not in note
    assert main(["register", "import", "--correct", str(returned), "--db", db]) == 0
    assert "whose checked_by is no name" not in capsys.readouterr().err


def fill_rows(sheet: Path, rows: range, target: Path) -> Path:
    """The rows given (Excel numbering) confirmed, the others left blank."""
    workbook = load_workbook(sheet)
    page = workbook[WORKLIST_SHEETS["zh"]]
    columns = {canonical_column(cell.value): cell.column for cell in page[HEADER_ROW]}
    for row in rows:
        for column, value in {"outcome": "属实", "checked_by": "李工", "checked_on": TODAY}.items():
            page.cell(row, columns[column]).value = value
    workbook.save(target)
    return target


def statements_importing_the_second_copy(db: str, sheet: Path, filled_first: int, folder: Path):
    """The SQL statements `register import` runs on the second copy of `sheet` (its first
    `filled_first` rows filled on the first copy, imported before, and blank on this one)."""
    folder.mkdir()
    last = FIRST_DATA_ROW + PER_DISTRICT
    first = fill_rows(
        sheet, range(FIRST_DATA_ROW, FIRST_DATA_ROW + filled_first), folder / "a.xlsx"
    )
    second = fill_rows(sheet, range(FIRST_DATA_ROW + filled_first, last), folder / "b.xlsx")
    assert main(["register", "import", str(first), "--db", db]) == 0
    statements = []

    def count(connection, cursor, statement, *rest) -> None:
        statements.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", count)
    try:
        assert main(["register", "import", str(second), "--db", db]) == 0
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", count)
    return statements


def test_importing_a_copy_asks_the_register_as_often_whatever_its_blank_rows_recorded(
    sent, tmp_path, capsys
):
    """The import read the whole outcome trail for the sent days, then ran two queries per
    blank row recorded (a copy whose other rows were imported from another copy): on SQLite,
    40 statements with 2 such rows, 166 with 20."""
    db, sheets = sent
    few = statements_importing_the_second_copy(db, sheets[0], 2, tmp_path / "few")
    many = statements_importing_the_second_copy(db, sheets[1], 20, tmp_path / "many")
    assert len(many) == len(few)
    printed = capsys.readouterr().out
    assert (
        printed.count("blank on this sheet; the outcome recorded for it (confirmed by 李工") == 22
    )
    assert "2 blank row(s) kept as recorded" in printed and "20 blank row(s) kept" in printed


def test_a_sheet_with_problems_is_refused_whole_and_the_other_sheets_are_recorded(
    sent, tmp_path, capsys
):
    db, sheets = sent
    first, second, third = (fill_every_row(sheet, tmp_path / f"r{n}.xlsx") for n, sheet in
                         enumerate(sheets))  # fmt: skip
    workbook = load_workbook(second)
    page = workbook[WORKLIST_SHEETS["zh"]]
    columns = {canonical_column(cell.value): cell.column for cell in page[HEADER_ROW]}
    page.cell(FIRST_DATA_ROW, columns["amount_recovered"]).value = "￥480"
    page.cell(FIRST_DATA_ROW + 1, columns["checked_on"]).value = "15/07/2025"
    page.delete_rows(FIRST_DATA_ROW + 5)
    workbook.save(second)
    (tmp_path / "notes.xlsx").write_text("customer,result\n", encoding="utf-8")
    unfilled = sheets[2]
    before = len(field_events(db))
    capsys.readouterr()
    paths = [first, second, tmp_path / "notes.xlsx", unfilled, third]
    assert main(["register", "import", *map(str, paths), "--db", db]) == 2
    captured = capsys.readouterr()
    assert recorded_per_sheet(captured.out) == {"r0.xlsx": (PER_DISTRICT, 0),
                                                "r2.xlsx": (PER_DISTRICT, 0)}  # fmt: skip
    assert f"{unfilled}: no outcome filled in yet, nothing to record" in captured.out
    where = "worklist 'r1.xlsx', sheet '核查工单'"
    sent_second = load_workbook(sheets[1])[WORKLIST_SHEETS["zh"]]
    second_key = sent_second.cell(FIRST_DATA_ROW + 5, 1).value
    assert captured.err.splitlines() == [
        "auditkit register import: error: 2 of 5 sheets refused, nothing recorded from them; correct "
        "them and import again",
        f"{where}, row {FIRST_DATA_ROW}, column K (amount_recovered): expected a number of at "
        "least 0 (yuan), found '￥480'",
        f"{where}, row {FIRST_DATA_ROW + 1}, column N (checked_on): expected a date YYYY-MM-DD "
        "between 2000 and 2100, found '15/07/2025'",
        f"{where}, row {FIRST_DATA_ROW + 5}: the row of finding {second_key} (customer 城南24) is "
        "missing: deleted rows cannot be recorded; restore it from the sheet as sent",
        "worklist 'notes.xlsx': expected an .xlsx workbook, found a file that is not a readable "
        ".xlsx file (BadZipFile: File is not a zip file)",
    ]
    assert len(field_events(db)) == before + 2 * PER_DISTRICT


def test_a_sheet_of_findings_the_register_does_not_hold_is_refused_where_each_row_is_now(
    sent, tmp_path, capsys
):
    db, _ = sent
    out = tmp_path / "other"
    assert main(["worklist", str(_findings_file(tmp_path)), "--top", "2", "--out", str(out)]) == 0
    blank = next(out.glob("*.xlsx"))
    keys = [load_workbook(blank)[WORKLIST_SHEETS["zh"]].cell(row, 1).value for row in (3, 4)]
    workbook = load_workbook(fill_every_row(blank, tmp_path / "stranger.xlsx"))
    page = workbook[WORKLIST_SHEETS["zh"]]
    first, second = ([cell.value for cell in page[row]] for row in (3, 4))
    for index, (one, two) in enumerate(zip(first, second, strict=True), start=1):
        page.cell(3, index).value, page.cell(4, index).value = two, one  # sorted the other way
    page.title = "外单位"
    workbook.save(tmp_path / "stranger.xlsx")
    capsys.readouterr()
    assert main(["register", "import", str(tmp_path / "stranger.xlsx"), "--db", db]) == 2
    shown = Register.open(db).url
    assert capsys.readouterr().err.splitlines()[1:] == [
        f"worklist 'stranger.xlsx', sheet '外单位', row {row}, column finding_key: expected a "
        f"finding of the register {shown}, found '{key}'"
        for key, row in ((keys[1], 3), (keys[0], 4))  # in the order of the sheet
    ]


OPEN_WARNING = (
    "auditkit register import: warning: {sheet} is open in {programs} ({locks} beside it): "
    "imported as last saved, WITHOUT the edits not saved yet; save and close it, then import it "
    "again (rows recorded now are not recorded twice; a row changed since needs --correct)"
)


def test_excel_s_lock_file_matched_by_the_glob_is_skipped_and_its_open_sheet_imported_loudly(
    sent, tmp_path, capsys
):
    db, sheets = sent
    returned = tmp_path / "returned"
    first, second, _ = returned_sheets(sheets, returned)
    excel_owner_file(returned / f"~${first.name}")  # the sheet is still open in Excel
    before = len(field_events(db))
    capsys.readouterr()

    given = sorted(map(str, returned.glob("*.xlsx")))  # what the shell makes of returned/*.xlsx
    assert len(given) == 4 and given[-1].endswith(f"~${first.name}")
    assert main(["register", "import", *given, "--db", db]) == 0
    captured = capsys.readouterr()
    assert recorded_per_sheet(captured.out) == {
        name: (PER_DISTRICT, 0) for name in (first.name, second.name, sheets[2].name)
    }
    assert captured.err.splitlines() == [
        f"auditkit register import: warning: {returned / f'~${first.name}'} skipped, not a "
        f"sheet: the lock file Excel or WPS keeps while {first.name!r} is open (save and close "
        f"{first.name} there, then import it)",
        OPEN_WARNING.format(sheet=first, programs="Excel or WPS", locks=f"~${first.name}"),
    ]  # the other sheets, no lock beside them, import without a word
    assert len(field_events(db)) == before + 3 * PER_DISTRICT


def test_a_sheet_open_in_libreoffice_is_imported_with_the_warning_and_lock_files_alone_refused(
    sent, tmp_path, capsys
):
    db, sheets = sent
    returned = tmp_path / "returned"
    first, *_ = returned_sheets(sheets, returned)
    lock = libreoffice_lock(returned / f".~lock.{first.name}#")
    capsys.readouterr()

    assert main(["register", "import", str(first), "--db", db]) == 0
    captured = capsys.readouterr()
    assert recorded_per_sheet(captured.out) == {first.name: (PER_DISTRICT, 0)}
    assert captured.err.splitlines() == [
        OPEN_WARNING.format(sheet=first, programs="LibreOffice", locks=lock.name)
    ]

    stale = excel_owner_file(returned / "~$worklist-gone.xlsx")  # its workbook was moved away
    recorded = len(field_events(db))
    assert main(["register", "import", str(lock), str(stale), "--db", db]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"auditkit register import: warning: {lock} skipped, not a sheet: the lock file "
        f"LibreOffice keeps while {first.name!r} is open (save and close {first.name} there, "
        "then import it)",
        f"auditkit register import: warning: {stale} skipped, not a sheet: a lock file Excel or "
        "WPS left for 'worklist-gone.xlsx', which is not in the folder (the program stopped "
        "without closing it: delete the lock file)",
        "auditkit register import: error: parameter 'SHEET': expected a returned worklist sheet "
        f"(.xlsx) besides lock files, found '{lock.name}, ~$worklist-gone.xlsx'",
    ]
    assert len(field_events(db)) == recorded


# -- passwords ---------------------------------------------------------------------------------

CLERK_PASSWORD = "Clerk@S3cret"  # an '@' in it: written %40 in a URL
CLERK_IN_URL = "Clerk%40S3cret"


@pytest.fixture(scope="module")
def clerk_database(postgres_server: sa.URL) -> Iterator[sa.URL]:
    """A database owned by a role the server asks a password of (scram-sha-256), on the tests'
    server: its URL without the password."""
    database = fresh_postgres_database(postgres_server)
    admin = sa.create_engine(postgres_server.set(database=database.database),
                             isolation_level="AUTOCOMMIT")  # fmt: skip
    role = f"clerk_{os.getpid()}"
    with admin.connect() as connection:
        hba = Path(connection.exec_driver_sql("SHOW hba_file").scalar_one())
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD '{CLERK_PASSWORD}'")
        connection.exec_driver_sql(f"GRANT ALL ON SCHEMA public TO {role}")
        connection.exec_driver_sql(f'GRANT ALL ON DATABASE "{database.database}" TO {role}')
    original = hba.read_text()
    hba.write_text(f"host all {role} 127.0.0.1/32 scram-sha-256\n{original}")
    with admin.connect() as connection:
        connection.exec_driver_sql("SELECT pg_reload_conf()")
    time.sleep(0.5)
    try:
        yield database.set(username=role)
    finally:
        hba.write_text(original)
        with admin.connect() as connection:
            connection.exec_driver_sql("SELECT pg_reload_conf()")
        admin.dispose()


def clerk_url(database: sa.URL, password: str) -> str:
    return (f"postgresql://{database.username}:{password}@{database.host}:{database.port}/"
            f"{database.database}")  # fmt: skip


def assert_no_password(text: str, *passwords: str) -> None:
    for password in passwords:
        assert password not in text


def test_a_wrong_password_is_refused_without_showing_it(clerk_database, tmp_path, capsys):
    wrong = "Wr0ng%40Guess"
    capsys.readouterr()
    url = clerk_url(clerk_database, wrong)
    assert main(["register", "import", str(tmp_path / "x.xlsx"), "--db", url]) == 2
    error = capsys.readouterr().err
    assert "password authentication failed" in error
    assert f"postgresql+psycopg://{clerk_database.username}:***@127.0.0.1" in error
    assert_no_password(error, wrong, "Wr0ng@Guess", "Wr0ng")


def test_an_unreachable_server_or_an_unreadable_url_never_shows_the_password(
    tmp_path, capsys, monkeypatch
):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for url in (
        f"postgresql://clerk:{CLERK_IN_URL}@127.0.0.1:{port}/register",
        f"postgresql://clerk:{CLERK_IN_URL}@127.0.0.1:port/register",  # a port that is no number
    ):
        capsys.readouterr()
        assert main(["worklist", "--db", url, "--top", "1", "--out", str(tmp_path)]) == 2
        error = capsys.readouterr().err
        assert error.startswith("auditkit worklist: error: ") and "***" in error
        assert_no_password(error, CLERK_IN_URL, CLERK_PASSWORD, "S3cret")
    monkeypatch.setenv("AUDITKIT_DB", f"postgresql://clerk:{CLERK_IN_URL}@127.0.0.1:{port}/r")
    assert main(["register", "import", str(tmp_path / "x.xlsx")]) == 2
    error = capsys.readouterr().err
    assert "refused or failed" in error
    assert_no_password(error, CLERK_IN_URL, CLERK_PASSWORD, "S3cret")


def test_the_field_loop_with_a_password_never_prints_or_writes_it(clerk_database, tmp_path, capsys):
    url = clerk_url(clerk_database, CLERK_IN_URL)
    with Register.open(url) as register:
        assert CLERK_PASSWORD not in repr(register) and CLERK_IN_URL not in register.url
        register.record_run(district_findings(), run_id="2025-06", as_of="2025-06", district=None)
    out = tmp_path / "worklists"
    capsys.readouterr()
    assert main(["worklist", "--db", url, "--top", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "6 findings recorded as sent" in printed.out
    returned = []
    for sheet in sorted(out.glob("*.xlsx")):
        with zipfile.ZipFile(sheet) as archive:  # every part of the workbook, hidden ones too
            content = b"".join(archive.read(name) for name in archive.namelist())
        assert CLERK_PASSWORD.encode() not in content and CLERK_IN_URL.encode() not in content
        returned.append(fill_every_row(sheet, tmp_path / sheet.name))
    assert main(["register", "import", *map(str, returned), "--db", url]) == 0
    imported = capsys.readouterr()
    assert len(recorded_per_sheet(imported.out)) == len(DISTRICTS)
    # a sheet of findings this register does not hold: the message names the register, masked
    other = tmp_path / "other"
    assert main(["worklist", str(_findings_file(tmp_path)), "--top", "1", "--out", str(other)]) == 0
    stranger = fill_every_row(next(other.glob("*.xlsx")), tmp_path / "stranger.xlsx")
    assert main(["register", "import", str(stranger), "--db", url]) == 2
    refused = capsys.readouterr()
    assert f"{clerk_database.username}:***@" in refused.err
    for text in (printed.out, printed.err, imported.out, imported.err, refused.out, refused.err):
        assert_no_password(text, CLERK_PASSWORD, CLERK_IN_URL, "S3cret")


def _findings_file(folder: Path) -> Path:
    """Findings of customers no register holds, as `auditkit rules` writes them."""
    path = folder / "findings.parquet"
    findings(*(finding(f"X{n}", n + 1) for n in range(PER_DISTRICT))).to_parquet(path)
    return path

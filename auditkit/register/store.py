"""The findings register: monthly runs' findings and their field outcomes in one database.

    register = Register.open()                       # AUDITKIT_DB, else outputs/register.sqlite
    changes = register.record_run(findings, run_id="2024-07 all", as_of="2024-07", district=None)
    changes.counts                                   # {'new': 120, 'persisting': 800, ...}
    register.record_outcomes(events)                 # append-only; the same events twice: once
    register.findings(), register.outcomes(key)

SQLite (a file, nothing to install) or PostgreSQL (`postgresql://user@host/db`, through psycopg),
through SQLAlchemy Core; the schema is migrated to the newest Alembic revision on open. Every
write is one transaction taken under the register's write lock (SQLite: `BEGIN IMMEDIATE` in WAL
mode with a busy timeout; PostgreSQL: a transaction-scoped advisory lock), so two imports at once
wait for each other (a bounded time, then refused naming the register) and an import killed
half way records nothing; opening a register at the newest revision takes no lock. Values from
the data reach SQL only as bound parameters, and SQLAlchemy is told to keep them out of its
error messages; the database URL is shown with its password masked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from auditkit.data.column_typing import refused_text, shown_cell
from auditkit.errors import ParameterError, require_frame_columns, shown
from auditkit.formatting import is_missing
from auditkit.options.register import SELECTIONS
from auditkit.paths import outputs_dir
from auditkit.register import schema
from auditkit.register.errors import RegisterError
from auditkit.register.keys import KEY_COLUMNS, SEPARATOR, finding_keys
from auditkit.register.schema import (
    EVENT_COLUMNS,
    MOVED_STATUSES,
    OPTIONAL_EVENT_COLUMNS,
    OUTCOME_EVENTS,
    PENALTY_COLUMN,
    STATUSES,
    in_fen,
    shown_statuses,
)
from auditkit.register.texts import TEXT_LENGTHS, checked_register_text, refused_register_text
from auditkit.rules.findings import FINDING_COLUMNS
from auditkit.sheet_dates import FIRST_YEAR, LAST_YEAR

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_FILE = "register.sqlite"
#: How long a writer waits for another one's transaction (the write lock) before giving up.
BUSY_TIMEOUT_SECONDS = 60
#: Key of PostgreSQL's transaction-scoped advisory lock that serialises the register's writers.
WRITE_LOCK_KEY = 0x617564_6974
#: Findings columns the register keeps: every column of a finding.
RECORDED_COLUMNS = FINDING_COLUMNS
OPEN_STATUSES = ("new", "persisting", "reopened")
_TEXT_COLUMNS = ("rule_id", "area", "severity", "customer_id", "district", "period_from",
                 "period_to", "evidence", "revenue_kind", "evidence_code")  # fmt: skip
_MONEY_COLUMNS = ("revenue_impact", "penalty", "score")
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: How an event's day given as text begins (a time may follow it).
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?![0-9])")
_WRITE_OPTION = "auditkit_register_write"
_LOOKUP_CHUNK = 500
_LOCK_RETRY_SECONDS = 0.2
#: The event recorded when an outcome imported from a worklist row is withdrawn (the row
#: emptied and imported with --withdraw-emptied: `record_outcomes(correct=True, blank_rows=…)`):
#: a marker `Register.outcomes` leaves out.
WITHDRAWN = "withdrawn"
#: The marker recorded when a worklist row repeats the outcome another worklist recorded for
#: the same check (counted once): it joins the row to that event's chain (`corrects` names the
#: event, without superseding it), so that emptying or correcting the row acts on it.
SAME_CHECK = "same_check"
#: Events that are markers, no outcome: `Register.outcomes` leaves them out.
MARKERS = (WITHDRAWN, SAME_CHECK)
#: Who checked as a spreadsheet made it of a cell that was no text, recorded by imports before
#: `read_worklist` refused such cells: a date or time Excel made of a staff code ('3-12' read as
#: '2026-03-12 00:00:00'), TRUE or FALSE; `9` stands for a digit. The one definition both
#: `COERCED_ACTOR` and the database's LIKE patterns (`looks_coerced`) are made of.
COERCED_ACTOR_SHAPES = ("9999-99-99 99:99:99", "99:99:99", "True", "False")
#: An actor of one of `COERCED_ACTOR_SHAPES` (matched whole, ASCII digits): what decides.
COERCED_ACTOR = re.compile(
    "|".join(re.escape(shape).replace("9", "[0-9]") for shape in COERCED_ACTOR_SHAPES)
)


@dataclass(frozen=True)
class RunChanges:
    """What recording a run did to each finding key it touched.

    `changes` has one row per key: finding_key, customer_id, rule_id, district, status (new,
    persisting, no_longer_found or reopened; of one district's month read back, moved_in or
    moved_out: `Register.run_changes`), revenue_impact (NaN when no longer found),
    previous_revenue_impact (the amount the register held before; NaN for a new finding) and
    amount_changed (a persisting or reopened finding whose amount moved by a fen or more).
    `already_recorded` is true when the run was recorded before: nothing was changed again.
    """

    run_id: str
    as_of: str
    district: str | None
    already_recorded: bool
    changes: pd.DataFrame = field(repr=False)

    @property
    def counts(self) -> dict[str, int]:
        """Keys per status, every status present (0 when none); a moved status
        (`MOVED_STATUSES`) only when a key has it."""
        found = self.changes["status"].value_counts()
        return {
            status: int(found.get(status, 0)) for status in shown_statuses(found.index[found > 0])
        }

    @property
    def amounts_changed(self) -> int:
        """Persisting or reopened findings whose amount moved."""
        return int(self.changes["amount_changed"].sum())


@dataclass(frozen=True)
class OutcomeImport:
    """What `record_outcomes` did: events recorded now (`corrected` of them corrections of a
    worklist row recorded before, `withdrawn` of them withdrawals of the outcome of a row
    emptied since), and events given that were already in the register (or repeated within the
    input) and so recorded nothing. `elsewhere` holds, of those, each outcome another worklist
    recorded already (the same finding, event, amount, day and inspector: the finding went out
    on two sheets and was filled on both) with that worklist's event: counted once."""

    recorded: int
    already_recorded: int
    corrected: int = 0
    withdrawn: int = 0
    elsewhere: tuple[tuple[dict, sa.Row], ...] = ()


#: Why a worklist row conflicts with what the register recorded (`OutcomeConflict.reasons`):
#: its check's outcome was withdrawn; the row was emptied since it was imported; it gives the
#: event and amount another worklist's outcome gives on another day (one recovery typed with two
#: dates); it gives other values for a check another worklist recorded; or its own recorded
#: values changed.
CONFLICT_REASONS = ("withdrawn", "emptied", "another_day", "another_worklist", "changed")


class OutcomeConflict(RegisterError):
    """Rows of worklist sheets already recorded with other values: a corrected sheet imported
    again, a row emptied since it was imported (its event given with no values: event None), or
    the outcome of a finding that another worklist recorded for the same day with other values
    (or with the same event and amount on another day, while both sheets were out: one
    recovery typed with two dates). `conflicts` holds each row's event as given and the event
    recorded (`outcome_id`, finding_key, event, amount, actor, happened_at, source, source_row:
    of another worklist when `elsewhere(row, held)`), and `reasons` why each conflicts (one of
    CONFLICT_REASONS, `conflict_reason`); `record_outcomes(correct=True)` records the rows as
    corrections (an emptied row as the withdrawal of its outcome)."""

    def __init__(
        self, conflicts: list[tuple[dict, sa.Row]], names: Mapping[str, str] | None = None
    ) -> None:
        self.conflicts = conflicts
        self.reasons = [conflict_reason(row, held) for row, held in conflicts]
        lines = [
            f"source {row['source']!r} row {row['source_row']}: column {column!r}: "
            f"recorded {shown(recorded)}{recorded_where(row, held, names)}, found {shown(found)}"
            for row, held in conflicts
            for column, recorded, found in changed_values(row, held)
        ]
        super().__init__(
            f"outcome events: {len(conflicts)} worklist rows already recorded with other values; "
            "nothing was recorded: if the sheet corrects them, record it as a correction "
            "(`auditkit register import --correct`; a row emptied on purpose is withdrawn with "
            "`--withdraw-emptied`); a later outcome goes on a later worklist, dated the day it "
            "happened",
            lines,
        )


def conflict_reason(row: Mapping, held: object) -> str:
    """Why worklist row `row` conflicts with `held`, the event recorded it is compared with
    (CONFLICT_REASONS), so that a message about it is chosen by the store's own tests."""
    if held.event == WITHDRAWN:
        return "withdrawn"
    if row["event"] is None:
        return "emptied"
    if elsewhere(row, held) and same_outcome_another_day(row, held):
        return "another_day"
    if elsewhere(row, held):
        return "another_worklist"
    return "changed"


def same_outcome_another_day(row: Mapping, held: object) -> bool:
    """Whether a worklist row gives the finding, event and amount of `held`, an outcome
    recorded (or about to be), dated another day: one recovery typed with two dates when both
    sheets were out with the finding undecided (`_Chains.same_outcome_another_day`)."""
    return (
        held.finding_key == row["finding_key"]
        and held.event == row["event"]
        and row["amount"] is not None
        and held.amount is not None
        and round(held.amount, 2) == row["amount"]
        and held.happened_at != row["happened_at"]
    )


def elsewhere(row: Mapping, held: sa.Row) -> bool:
    """Whether `held`, the event recorded that a worklist row given is compared with, is of
    another worklist (or another row): the same finding checked on another sheet."""
    return (held.source, held.source_row) != (row["source"], row["source_row"])


def recorded_where(row: Mapping, held: sa.Row, names: Mapping[str, str] | None = None) -> str:
    """'' for the row's own event; ' (from <worklist> row N, another worklist)' for another's,
    the worklist as users know it (`names`: source -> `worklist_name`, as `_worklist_names`
    gives them; its source, an id on no sheet, only without one)."""
    if not elsewhere(row, held):
        return ""
    where = (names or {}).get(str(held.source), str(held.source))
    return f" (from {where} row {held.source_row}, another worklist)"


def looks_coerced(actor: sa.ColumnElement) -> sa.ColumnElement:
    """Whether the database takes `actor` for one of `COERCED_ACTOR_SHAPES` before the regex
    `COERCED_ACTOR` decides: LIKE patterns made of the same shapes (`_`, any one character,
    for a digit), so they match every actor the regex matches, on SQLite (whose LIKE ignores
    case) as on PostgreSQL, and let the database skip every other one."""
    return sa.or_(*(actor.like(shape.replace("9", "_")) for shape in COERCED_ACTOR_SHAPES))


def worklist_name(
    district: object, sent_on: object, sent_at: object = None, sent_by: object = None
) -> str:
    """A worklist as messages name it to its users, who never see its id: the district it was
    sent for, the day it was first recorded as sent and, when known, the time (UTC) and who sent
    it, so two worklists of one district sent the same day read apart ('the 城东 worklist sent
    2026-12-07 09:14 UTC by 王工'; no day for one never recorded as sent, written without a
    register)."""
    if is_missing(sent_on):
        return f"the {district} worklist"
    at = "" if is_missing(sent_at) else f" {pd.Timestamp(_utc(sent_at)):%H:%M} UTC"
    by = "" if is_missing(sent_by) else f" by {sent_by}"
    return f"the {district} worklist sent {str(sent_on)[:10]}{at}{by}"


class CheckedBeforeSent(RegisterError):
    """Outcomes of worklist rows dated before the register recorded the worklist as sent: a
    check cannot precede its sheet (a slipped month, or the wrong year). `early` holds each
    row's event as given and the day it was sent."""

    def __init__(self, early: list[tuple[dict, dt.date]]) -> None:
        self.early = early
        super().__init__(
            f"outcome events: {len(early)} checks dated before their worklist was sent; "
            "nothing was recorded",
            [
                f"source {row['source']!r} row {row['source_row']}: column 'happened_at': "
                f"expected a date on or after {sent.isoformat()} (the day the worklist was "
                f"sent), found {row['happened_at'].isoformat()}"
                for row, sent in early
            ],
        )


def changed_values(row: Mapping, held: sa.Row) -> list[tuple[str, object, object]]:
    """(column, recorded, given) of each event value of a worklist row that differs from the
    event recorded for it: amounts in yuan, dates as YYYY-MM-DD."""
    changed = []
    for column in ("event", "amount", PENALTY_COLUMN, "actor", "happened_at"):
        recorded = _shown_value(getattr(held, column, None))
        found = _shown_value(row.get(column))
        if recorded != found:
            changed.append((column, recorded, found))
    return changed


def _shown_value(value: object) -> object:
    """An event value as compared and shown: a date as YYYY-MM-DD, an amount as yuan, no value
    (an amount of no recovery, a cell emptied) as None."""
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 2)
    return value


class Register:
    """A findings register in one database; open it with `Register.open(url)`."""

    def __init__(self, engine: sa.Engine, shown_url: str, secret: str | None) -> None:
        self._engine = engine
        self._shown_url = shown_url
        self._secret = secret

    def __repr__(self) -> str:
        return f"Register({self._shown_url})"

    @property
    def url(self) -> str:
        """The database URL with its password masked and a SQLite file's path as the file system
        spells it (`readable_url`)."""
        return self._shown_url

    @classmethod
    def open(cls, url: str | None = None) -> Register:
        """The register at `url` (else the `AUDITKIT_DB` environment variable, else the SQLite
        file `register.sqlite` in the outputs folder, created), migrated to the newest schema."""
        url_object, secret = _database_url(url)
        register = cls(_engine(url_object), readable_url(url_object), secret)
        with register._database_errors():
            register._migrate()
        return register

    @classmethod
    def open_existing(cls, url: str | None = None) -> Register | None:
        """The register `open` would give, when it exists; None when it is a SQLite file not
        there yet, so a reader (a report) never creates one. A PostgreSQL URL is opened."""
        url_object, _secret = _database_url(url)
        if _sqlite_absent(url_object):
            return None
        return cls.open(url_object.render_as_string(hide_password=False))

    @classmethod
    def open_present(cls, url: str | None = None) -> Register:
        """The register `open` would give, refused (ParameterError naming `--db`, or
        `AUDITKIT_DB` when the URL came from it) when it is a SQLite file not there, before
        anything is created: for commands that only work on a register's findings (`auditkit
        register import`, `auditkit worklist`), where a mistyped path would otherwise create an
        empty register and refuse every row as a finding it does not hold."""
        text = url or os.environ.get("AUDITKIT_DB") or None
        if text is None:  # the default file, looked at without creating the outputs folder
            default = outputs_dir() / DEFAULT_FILE
            if not default.is_file():
                raise ParameterError(
                    "--db",
                    "a findings register to work on (no --db nor AUDITKIT_DB: the default "
                    f"{default}); record a run first (auditkit rules DATA_DIR --register)",
                    f"no register at {default}",
                )
            return cls.open()
        url_object, _secret = _database_url(text)
        if _sqlite_absent(url_object):
            raise ParameterError(
                "--db" if url else "AUDITKIT_DB",
                "the URL of an existing findings register (a SQLite file that is there; it is "
                "not created here: record a run into it first, auditkit rules DATA_DIR --db URL)",
                f"{_masked(text)}, where no register is",
            )
        return cls.open(text)

    def close(self) -> None:
        """Close the database connections."""
        self._engine.dispose()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def record_run(
        self, findings: pd.DataFrame, *, run_id: str, as_of: str, district: str | None
    ) -> RunChanges:
        """Record the findings of one run of the rules (`auditkit.rules.run`) over `district`
        (None: every district) for month `as_of`, and say what changed for each finding key.

        A key not in the register is new; one found by the previous run is persisting (with its
        amount as it is now); one the register had as no longer found is reopened; and every
        open finding of the run's districts this run does not find is no longer found.
        Recording the same run id again changes nothing and returns what it did the first time;
        the same id with other findings, or a month before one already recorded for these
        districts, is refused.
        """
        frame = _run_frame(findings, run_id, as_of, district)
        digest = _digest(frame)
        with self._database_errors(), self._writing() as connection:
            if _recorded_or_refuse(connection, frame, digest, run_id, as_of, district):
                return RunChanges(run_id, as_of, district, True, _changes_of(connection, run_id))
            state = _state(connection, frame["finding_key"], district)
            changes = _changes(frame, state, district)
            now = dt.datetime.now(dt.UTC)
            connection.execute(
                sa.insert(schema.runs),
                [dict(run_id=run_id, as_of=as_of, district=district, findings=len(frame),
                      digest=digest, recorded_at=now)],
            )  # fmt: skip
            _write_moves(connection, frame, state)
            _write_findings(connection, frame, changes, run_id, as_of)
            _write_history(connection, changes, run_id)
        return RunChanges(run_id, as_of, district, False, changes)

    def check_run(
        self, findings: pd.DataFrame, *, run_id: str, as_of: str, district: str | None
    ) -> None:
        """Raise the RegisterError `record_run` would raise for this run, recording nothing:
        asked before a run's findings files are written, so a run the register refuses leaves
        no files behind that look recorded."""
        frame = _run_frame(findings, run_id, as_of, district)
        with self._database_errors(), self._engine.connect() as connection:
            _recorded_or_refuse(connection, frame, _digest(frame), run_id, as_of, district)

    def preview_run(
        self, findings: pd.DataFrame, *, as_of: str, district: str | None
    ) -> RunChanges:
        """What `record_run` would say of these findings now, recording nothing: for a report
        opened before its month's run is recorded. A month before the latest one recorded for
        these districts is refused, as `record_run` refuses it."""
        run_id = f"preview {as_of}"
        frame = _run_frame(findings, run_id, as_of, district)
        with self._database_errors(), self._engine.connect() as connection:
            _not_before_recorded(connection, run_id, as_of, district, _districts(frame))
            changes = _changes(frame, _state(connection, frame["finding_key"], district), district)
        return RunChanges(run_id, as_of, district, False, changes)

    def run_changes(self, as_of: str, district: str | None) -> RunChanges | None:
        """What the run recorded for month `as_of` said of `district`'s findings (None: of
        every district), or None when no run of that month covers it. A finding is the
        district's it was in that run, whatever its district now. The district's own run is
        preferred to a run of every district; of several, the one recorded last. Of one
        district, a finding whose customer moved since the previous month recorded is
        `moved_in` (found here, the previous month another district's) instead of persisting
        or reopened, and one found in another district this month that was this district's
        the previous month is `moved_out` (its amount before kept, none now): not gone from
        the district as a fixed finding is."""
        runs = schema.runs
        query = sa.select(runs.c.run_id, runs.c.district).where(runs.c.as_of == as_of)
        if district is None:
            query = query.where(runs.c.district.is_(None))
        else:
            query = query.where(sa.or_(runs.c.district == district, runs.c.district.is_(None)))
        query = query.order_by(runs.c.district.is_(None), runs.c.recorded_at.desc())
        with self._database_errors(), self._engine.connect() as connection:
            run = connection.execute(query.limit(1)).one_or_none()
            if run is None:
                return None
            changes = _changes_of(connection, run.run_id)
            if district is not None:
                changes = _with_moves(connection, changes, as_of, district)
        return RunChanges(run.run_id, as_of, run.district, True, changes)

    def record_outcomes(
        self,
        events: pd.DataFrame,
        *,
        correct: bool = False,
        blank_rows: Sequence[Mapping] = (),
        withdrawn_by: str | None = None,
    ) -> OutcomeImport:
        """Append field outcome events (columns finding_key, event, amount, actor, happened_at,
        source, source_row) to the trail, in one transaction.

        Nothing is ever overwritten. An event already in the register (all seven values the
        same) is not recorded again, so a sheet imported twice, or by two imports at once,
        records its events once. A worklist sheet (source `worklist:<id>`) gives one outcome per
        row besides `sent`: the same row given again with other values is refused
        (`OutcomeConflict`, naming source, row, column, the recorded value and the new one)
        unless `correct`, which records it as a correction superseding the row's event (its
        `corrects` column; the earlier event stays, and `outcomes` leaves it out). Events naming
        a finding the register does not hold, or with a value that cannot be read, are refused
        (every problem one line naming source, row and column) and nothing of the import is
        recorded.

        `blank_rows` (finding_key, source, source_row: the rows of the sheets read that hold
        no outcome, `read_worklist`'s `attrs["blank_rows"]`) are compared too: a row whose
        outcome was recorded and that is empty now is a changed row, refused unless `correct`,
        which records a `withdrawn` event (actor `withdrawn_by`, else the login name; dated
        today) superseding it: the finding is undecided again. A withdrawal is a marker, left
        out of `outcomes()` as superseded events are.

        An outcome of a worklist row new to the register that another worklist recorded
        already for the same finding, day and checking bureau is the same check reported on
        two sheets (the finding went out again while undecided): with the same event, amount
        and inspector it is not recorded again (`elsewhere`, counted as already recorded);
        with another event, amount or inspector it is refused (`OutcomeConflict`, naming the
        other worklist's row and value) unless `correct`, which records it as a correction
        superseding the other worklist's event. A recovery is an event of its own amount
        (amounts add up): a further recovery is dated the day it was made. A new worklist row
        giving the event and amount another worklist's outcome of the finding gives on another
        day, recorded after this row's worklist was sent, is one recovery typed with two dates
        (both sheets were out with the finding undecided): refused (`OutcomeConflict`) unless
        `correct`, which records it as a correction superseding the other, so its money counts
        once; a further recovery of the same amount goes on a worklist sent after it.
        """
        rows = _event_rows(events)
        blank = _blank_rows(blank_rows)
        with self._database_errors(), self._writing() as connection:
            known = _existing(
                connection, schema.findings.c.finding_key, {row["finding_key"] for row in rows}
            )
            unknown = [
                f"source {row['source']!r} row {row['source_row']}: column 'finding_key': "
                f"expected a finding of the register, found {row['finding_key']!r}"
                for row in rows
                if row["finding_key"] not in known
            ]
            if unknown:
                raise RegisterError(
                    f"outcome events: {len(unknown)} name findings the register "
                    f"{self._shown_url} does not hold; nothing was recorded",
                    unknown,
                )
            early = _checked_before_sent(connection, rows)
            if early:
                raise CheckedBeforeSent(early)
            found = _new_events(connection, rows, blank)
            new_rows, corrections = found.new_rows, found.conflicts
            pending = [pair for pair in corrections if pair[1].outcome_id is None]
            if (corrections and not correct) or pending:
                refused = pending if correct else corrections
                others = [held.source for row, held in refused if elsewhere(row, held)]
                raise OutcomeConflict(refused, _worklist_names(connection, others))
            today = dt.date.today()
            actor = withdrawn_by or _login()
            for row, held in corrections:
                if row["event"] is None:  # an emptied row: its outcome withdrawn
                    row = _withdrawal(row, held, actor, today)
                new_rows.append(
                    {**row, "corrects": held.outcome_id,
                     "event_digest": _correction_digest(row["event_digest"], held.outcome_id)}
                )  # fmt: skip
            now = dt.datetime.now(dt.UTC)
            statement = _insert(connection).on_conflict_do_nothing(index_elements=["event_digest"])
            if new_rows:
                connection.execute(statement, [{**row, "recorded_at": now} for row in new_rows])
            links = _links(connection, found.links)
            if links:
                connection.execute(statement, [{**row, "recorded_at": now} for row in links])
        withdrawn = sum(row["event"] is None for row, _ in corrections)
        return OutcomeImport(
            recorded=len(new_rows),
            already_recorded=len(rows) - (len(new_rows) - withdrawn),
            corrected=len(corrections) - withdrawn,
            withdrawn=withdrawn,
            elsewhere=tuple(found.elsewhere),
        )

    def not_recorded(self, events: pd.DataFrame, blank_rows: Sequence[Mapping] = ()) -> int:
        """How many of outcome `events` (as `read_worklist` reads a returned sheet) the register
        does not hold yet (new, or other values of a recorded worklist row, or a recorded row
        emptied since: `blank_rows`): a sheet with any is not to be overwritten by a new
        worklist."""
        rows, blank = _event_rows(events), _blank_rows(blank_rows)
        if not rows and not blank:
            return 0
        with self._database_errors(), self._engine.connect() as connection:
            found = _new_events(connection, rows, blank)
        return len(found.new_rows) + len(found.conflicts)

    def sent_days(self) -> SentDays:
        """(source, finding_key) -> the day the finding was first recorded as sent on that
        worklist: what `read_worklist(sent_days=...)` checks a returned sheet's dates against,
        the day `record_outcomes` refuses a check before (`CheckedBeforeSent`). Each worklist is
        read on its first look-up, one query, not the whole trail."""
        return SentDays(self)

    def recorded_blank_rows(self, blank_rows: Sequence[Mapping]) -> list[tuple[Mapping, dict]]:
        """The worklist rows read with no outcome (`read_worklist`'s `attrs["blank_rows"]`)
        whose check has an outcome in force, each with that outcome (finding_key, event, amount,
        actor, happened_at, source, source_row, auditor): the one `record_outcomes(blank_rows=…,
        correct=True)` would withdraw. One comparison for all the rows."""
        blank = _blank_rows(blank_rows)
        if not blank:
            return []
        with self._database_errors(), self._engine.connect() as connection:
            found = _new_events(connection, [], blank)
        held = {
            (row["source"], row["source_row"], row["finding_key"]): dict(live._mapping)
            for row, live in found.conflicts
        }
        return [
            (given, held[place])
            for given, row in zip(blank_rows, blank, strict=True)
            if (place := (row["source"], row["source_row"], row["finding_key"])) in held
        ]

    def coerced_actors(self) -> pd.DataFrame:
        """The field outcomes in force whose actor is no one's name but a cell a spreadsheet
        turned into a date, a time or TRUE/FALSE (`COERCED_ACTOR`), recorded before such cells
        were refused: finding_key, event, actor, happened_at, source, source_row, in the order
        recorded, with what the user sees of the sheet: the finding's customer_id and district
        and the day its worklist was sent (sent_on). Each is set right by importing its sheet
        again, who checked typed as text, with --correct (a correction supersedes it)."""
        table, findings = schema.outcomes, schema.findings
        sent = (
            sa.select(table.c.source, sa.func.min(table.c.happened_at).label("sent_on"))
            .where(table.c.event == "sent")
            .group_by(table.c.source)
            .subquery("sent")
        )
        columns = [table.c.outcome_id, table.c.finding_key, table.c.event, table.c.actor,
                   table.c.happened_at, table.c.source, table.c.source_row,
                   findings.c.customer_id, findings.c.district, sent.c.sent_on]  # fmt: skip
        query = (
            sa.select(*columns)
            .join(findings, findings.c.finding_key == table.c.finding_key)
            .outerjoin(sent, sent.c.source == table.c.source)
            .where(looks_coerced(table.c.actor), table.c.event.not_in(("sent", *MARKERS)))
            .order_by(table.c.outcome_id)
        )
        with self._database_errors(), self._engine.connect() as connection:
            frame = _frame(connection, query, columns)
            replaced = _superseded(frame, *_corrections(connection))
        coerced = frame["actor"].astype(str).str.fullmatch(COERCED_ACTOR)
        kept = frame[coerced.to_numpy() & ~replaced.to_numpy()]
        return kept.drop(columns="outcome_id").reset_index(drop=True)

    def worklist_names(self, sources: Sequence[str]) -> dict[str, str]:
        """source -> the worklist as its users know it (`worklist_name`), for messages naming
        the worklist an outcome was recorded from: its id (`worklist:<id>`) is on no sheet. A
        source of no worklist sheet (events recorded by hand) is named as it is."""
        with self._database_errors(), self._engine.connect() as connection:
            return _worklist_names(connection, sources)

    def districts(self) -> list[str]:
        """The districts the register knows, sorted: those of its findings, of its runs of one
        district (a run of every district names none) and those a moved finding had in past
        runs (a district whose customers all moved away still has its past months)."""
        history = schema.finding_runs
        query = sa.union(
            sa.select(schema.findings.c.district),
            sa.select(schema.runs.c.district).where(schema.runs.c.district.is_not(None)),
            sa.select(history.c.district).where(
                history.c.district.is_not(None),
                history.c.finding_key.in_(sa.select(schema.moved_findings.c.finding_key)),
            ),
        )
        with self._database_errors(), self._engine.connect() as connection:
            return sorted(str(name) for name in connection.execute(query).scalars())

    def require_district(self, district: str | None) -> None:
        """Raise a ParameterError naming `district` when the register knows districts and not
        this one: a typo ('城栋' for '城东') would read as a district with nothing recorded. An
        empty register, a known district with no rows, or None (every district) is no error."""
        if district is None:
            return
        known = self.districts()
        if known and district not in known:
            raise ParameterError(
                "district",
                f"a district of the register {self._shown_url}, one of {', '.join(known)}",
                district,
            )

    def findings(
        self,
        district: str | None = None,
        columns: Sequence[str] | None = None,
        *,
        as_of: str | None = None,
        refuse_unknown_district: bool = True,
    ) -> pd.DataFrame:
        """The current state of every finding key (of `district` when given), by key; only
        `columns` (with finding_key first) when given, which is much less to read at scale.
        With `as_of` ('YYYY-MM'), a finding's district is the one it had in the latest run of a
        month up to `as_of` that recorded it (its district today when none did, or when that
        run was recorded before revision 0006), and `district` selects by it: a month's report
        made again after a customer moved to another district reads what it read then.
        A district the register does not know is refused (`districts`), unless
        `refuse_unknown_district` is False: for a district its dataset has checked already (a
        report of one of its districts), which then reads as one with no findings."""
        if refuse_unknown_district:
            self.require_district(district)
        table = schema.findings
        source, district_column = _district_as_of(as_of)
        chosen = list(table.c)
        if columns is not None:
            unknown = [name for name in columns if name not in table.c]
            if unknown:
                raise ParameterError("columns", f"columns of {', '.join(table.c.keys())}",
                                     ", ".join(map(str, unknown)))  # fmt: skip
            chosen = [table.c.finding_key, *(table.c[n] for n in columns if n != "finding_key")]
        chosen = [district_column.label("district") if c.name == "district" else c for c in chosen]
        query = sa.select(*chosen).select_from(source).order_by(table.c.finding_key)
        if district is not None:
            query = query.where(_of_district(district_column, district, as_of))
        with self._database_errors(), self._engine.connect() as connection:
            frame = _frame(connection, query, chosen)
        floats = [column for column in _FLOAT_COLUMNS if column in frame.columns]
        return frame.astype({column: float for column in floats})

    def reopenings(self) -> pd.DataFrame:
        """One row (finding_key, as_of) per run that found a finding again after it was gone
        (its status `reopened` in that run), in order: a reader of a month takes each finding's
        latest up to it (`cycle.evaluate.reopened_by`), so that a verdict on the earlier
        occurrence decides the months before the reopening and not those since."""
        history, runs = schema.finding_runs, schema.runs
        query = (
            sa.select(history.c.finding_key, runs.c.as_of)
            .join(runs, runs.c.run_id == history.c.run_id)
            .where(history.c.status == "reopened")
            .distinct()
            .order_by(history.c.finding_key, runs.c.as_of)
        )
        with self._database_errors(), self._engine.connect() as connection:
            rows = [(str(key), str(month)) for key, month in connection.execute(query)]
        return pd.DataFrame(rows, columns=["finding_key", "as_of"], dtype=object)

    def reopened_months(self) -> dict[str, str]:
        """finding_key -> the month ('YYYY-MM') of the latest run that found the finding again
        after it was gone (`reopenings`), for every finding ever reopened: what the field
        decided before that month does not hold for the occurrence found since, whatever its
        status now (`decided.undecided`)."""
        latest = self.reopenings().groupby("finding_key")["as_of"].max()
        return {str(key): str(month) for key, month in latest.items()}

    def state_of(self, findings: pd.DataFrame) -> pd.DataFrame:
        """`findings` (of a run's file, of `rules.run`) with the register's `status` and
        `last_as_of` of each (empty for a key it does not hold), and `reopened_as_of`, the
        month of its latest reopening (`reopened_months`; empty for one never reopened), so
        that `undecided` sends a finding found again after it was gone out again, whatever
        the findings' source and its status since, until the field decides it anew. Their
        `attrs["as_of"]`, when they carry none, becomes the latest month the register recorded
        any of them in: a returned check cannot precede it (`read_worklist`)."""
        require_frame_columns(findings, "findings", "findings of auditkit.rules.run", KEY_COLUMNS)
        keys = finding_keys(findings)
        state = self.findings(columns=["status", "last_as_of"]).set_index("finding_key")
        known = findings.drop(columns=[c for c in state.columns if c in findings.columns])
        joined = known.assign(
            status=keys.map(state["status"]).to_numpy(),
            last_as_of=keys.map(state["last_as_of"]).to_numpy(),
            reopened_as_of=keys.map(self.reopened_months()).to_numpy(),
        )
        joined.attrs = dict(findings.attrs)
        months = joined["last_as_of"].dropna()
        if "as_of" not in joined.attrs and not months.empty:
            joined.attrs["as_of"] = str(months.max())
        return joined

    def outcomes(
        self,
        finding_key: str | None = None,
        district: str | None = None,
        *,
        as_of: str | None = None,
        superseded: bool = False,
        refuse_unknown_district: bool = True,
    ) -> pd.DataFrame:
        """The outcome trail (of `finding_key`, of `district`'s findings, when given) in the
        order events happened, and in the order they were recorded within a day; a district's
        report reads its own events, not the whole trail. An event a correction superseded (an
        outcome of a worklist row recorded before the row's latest correction, which has
        `corrects`) is left out, so every total and decision reads the correction;
        `superseded=True` gives the whole trail, with a boolean `superseded`. `district` is
        the findings' district today, or with `as_of` the one they had in that month (as for
        `findings`). A district the register does not know is refused, unless
        `refuse_unknown_district` is False (as for `findings`)."""
        if refuse_unknown_district:
            self.require_district(district)
        table = schema.outcomes
        columns = [column for column in table.c if column.name != "event_digest"]
        query = sa.select(*columns).order_by(table.c.happened_at, table.c.outcome_id)
        if finding_key is not None:
            query = query.where(table.c.finding_key == finding_key)
        if district is not None:
            source, district_column = _district_as_of(as_of)
            keys = (
                sa.select(schema.findings.c.finding_key)
                .select_from(source)
                .where(_of_district(district_column, district, as_of))
            )
            query = query.where(table.c.finding_key.in_(keys))
        with self._database_errors(), self._engine.connect() as connection:
            frame = _frame(connection, query, columns)
            replaced = _superseded(frame, *_corrections(connection))
        if superseded:
            frame["superseded"] = replaced
        else:  # a withdrawal is a marker, no outcome: left out with what it supersedes
            frame = frame[~replaced & ~frame["event"].isin(MARKERS)].reset_index(drop=True)
        frame["corrects"] = frame["corrects"].astype("Int64")
        frame["amount"] = frame["amount"].astype(float)
        frame[PENALTY_COLUMN] = frame[PENALTY_COLUMN].astype(float)
        frame["happened_at"] = pd.to_datetime(frame["happened_at"]).astype("datetime64[s]")
        frame["source_row"] = frame["source_row"].astype(np.int64)
        return frame

    def runs(self) -> pd.DataFrame:
        """The recorded runs, oldest month first."""
        table = schema.runs
        query = sa.select(table).order_by(table.c.as_of, table.c.recorded_at, table.c.run_id)
        with self._database_errors(), self._engine.connect() as connection:
            return _frame(connection, query, table)

    def _migrate(self) -> None:
        """Bring the schema to the newest revision. The revision is read without the write lock,
        so opening a register at head (every reader) never waits for a writer; the lock is taken
        only to migrate, and the revision read again under it, so two processes opening a new
        register at once create it once."""
        # Imported here: a report without a register (most runs' kernels) never loads alembic.
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        head = ScriptDirectory.from_config(config).get_current_head()
        with self._engine.connect() as connection:
            if MigrationContext.configure(connection).get_current_revision() == head:
                return
        with self._writing() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            if current == head:
                return
            known = {
                script.revision for script in ScriptDirectory.from_config(config).walk_revisions()
            }
            if current is not None and current not in known:
                raise RegisterError(
                    f"register {self._shown_url}: expected a schema revision this auditkit "
                    f"knows (up to {head}), found revision {current!r}: it was written by a "
                    "newer auditkit"
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A connection in a transaction holding the register's write lock; committed when the
        block ends, rolled back when it raises. The lock is waited for at most
        `BUSY_TIMEOUT_SECONDS` (SQLite: its busy timeout), then refused naming the register:
        another import holds it."""
        with self._engine.connect() as connection:
            connection.execution_options(**{_WRITE_OPTION: True})
            try:
                transaction = connection.begin()
            except sa.exc.OperationalError as error:
                if "database is locked" not in str(error.orig):
                    raise
                raise self._lock_not_taken() from None
            with transaction:
                if connection.dialect.name == "postgresql":
                    self._advisory_lock(connection)
                yield connection

    def _advisory_lock(self, connection: sa.Connection) -> None:
        """Take PostgreSQL's transaction-scoped write lock, trying until
        `BUSY_TIMEOUT_SECONDS` have passed."""
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        attempt = sa.select(sa.func.pg_try_advisory_xact_lock(WRITE_LOCK_KEY))
        while not connection.execute(attempt).scalar_one():
            if time.monotonic() >= deadline:
                raise self._lock_not_taken()
            time.sleep(_LOCK_RETRY_SECONDS)

    def _lock_not_taken(self) -> RegisterError:
        """The error of a writer that waited for the write lock in vain."""
        return RegisterError(
            f"register {self._shown_url}: expected to take its write lock within "
            f"{BUSY_TIMEOUT_SECONDS} s, found another import (or run being recorded) still "
            "writing to it: nothing was recorded; try again when it has finished"
        )

    @contextmanager
    def _database_errors(self) -> Iterator[None]:
        """Database failures as RegisterError naming the register (password masked)."""
        try:
            yield
        except sa.exc.DBAPIError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            if self._secret:
                reason = reason.replace(self._secret, "***")
            raise RegisterError(
                f"register {self._shown_url}: the database refused or failed: "
                f"{type(error.orig).__name__}: {reason}"
            ) from None


_FLOAT_COLUMNS = ("revenue_impact", "previous_revenue_impact", "penalty", "score")
#: Alembic's table: the schema revision, part of what a register holds.
_VERSION_TABLE = "alembic_version"


class SentDays(Mapping):
    """(source, finding_key) -> the day the finding was first recorded as sent on that worklist
    (`Register.sent_days`), read from the register one worklist at a time, on its first
    look-up; iterating gives the worklists looked up so far."""

    def __init__(self, register: Register) -> None:
        self._register = register
        self._days: dict[tuple[str, str], dt.date] = {}
        self._read: set[str] = set()

    def __getitem__(self, place: tuple[str, str]) -> dt.date:
        source = str(place[0])
        if source not in self._read:
            with self._register._database_errors(), self._register._engine.connect() as connection:
                sent = _first_sent(connection, [source])
            self._days.update({where: pd.Timestamp(day).date() for where, day in sent.items()})
            self._read.add(source)
        return self._days[place]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._days)

    def __len__(self) -> int:
        return len(self._days)


@dataclass(frozen=True)
class Fingerprint:
    """What a register holds, in a form a run's manifest keeps: its URL (password masked), a
    SHA-256 of the rows of its tables and each table's row count; `sha256` None when there is
    no register there (a SQLite file not created yet, which a report reads as none)."""

    url: str
    sha256: str | None
    rows: dict[str, int] = field(default_factory=dict)


def fingerprint(url: str | None = None) -> Fingerprint:
    """The content fingerprint of the register `Register.open(url)` would open, read only.

    The rows are hashed, not the file: a SQLite register in WAL mode keeps its latest writes in
    the `-wal` file beside it, the same rows can sit in pages laid out otherwise, and PostgreSQL
    has no file to hash. Each table of the schema (and the migrations' version row) is read in
    the order of all its columns, so the same content gives the same hash on the same backend.
    """
    url_object, secret = _database_url(url)
    shown = readable_url(url_object)
    if _sqlite_absent(url_object):
        return Fingerprint(shown, None)
    register = Register(_engine(url_object), shown, secret)
    digest = hashlib.sha256()
    rows: dict[str, int] = {}
    try:
        with register._database_errors(), register._engine.connect() as connection:
            present = set(sa.inspect(connection).get_table_names())
            wanted = sorted(present & {*schema.metadata.tables, _VERSION_TABLE})
            tables = sa.MetaData()
            tables.reflect(connection, only=wanted)
            for name in wanted:
                table = tables.tables[name]
                digest.update(f"table {name} {[c.name for c in table.columns]}\n".encode())
                query = sa.select(table).order_by(*table.columns)
                count = 0
                for row in connection.execution_options(stream_results=True).execute(query):
                    digest.update(repr(tuple(row)).encode("utf-8") + b"\n")
                    count += 1
                rows[name] = count
    finally:
        register.close()
    return Fingerprint(shown, digest.hexdigest(), rows)


def _database_url(url: str | None) -> tuple[sa.URL, str | None]:
    """The SQLAlchemy URL of the register and its password (to mask in messages)."""
    text = url or os.environ.get("AUDITKIT_DB") or None
    if text is None:
        folder = outputs_dir()
        folder.mkdir(parents=True, exist_ok=True)
        return sa.URL.create("sqlite+pysqlite", database=str(folder / DEFAULT_FILE)), None
    try:
        parsed = sa.make_url(_password_at_signs_quoted(text))
    except (sa.exc.ArgumentError, ValueError):  # ValueError: a port that is no number
        raise ParameterError(
            "db", "a database URL (sqlite:///path or postgresql://user@host/name)", _masked(text)
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+pysqlite"), None
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg"), parsed.password
    raise ParameterError(
        "db",
        "a database URL starting sqlite:/// or postgresql://",
        parsed.render_as_string(hide_password=True),
    )


def shown_url(url: str | None = None) -> str:
    """The URL `Register.open(url)` shows (`Register.url`): its driver named, password masked.
    Nothing is opened; a URL that names no register raises ParameterError."""
    return readable_url(_database_url(url)[0])


def readable_url(url: sa.URL) -> str:
    """`url` as messages, run records and manifests show a register: password masked, and the
    database (a SQLite file's path) as the file system spells it, not percent-encoded as
    SQLAlchemy renders it (`/审计 2026/register.sqlite`, not `/%E5%AE%A1%E8%AE%A1 2026/…`). Only a
    '%' or '?' of the path itself is encoded, so the text opens the same file again."""
    # URL.set(database=None) would keep the database: replaced on the named tuple instead
    rendered = url._replace(database=None).render_as_string(hide_password=True)
    if url.database is None:
        return rendered
    before_query, question_mark, query = rendered.partition("?")
    database = url.database.replace("%", "%25").replace("?", "%3F")
    return f"{before_query}/{database}{question_mark}{query}"


def _sqlite_absent(url: sa.URL) -> bool:
    """Whether `url` is a SQLite register whose file is not there (or in memory): one that
    opening would create, and a reader takes as none."""
    if url.get_backend_name() != "sqlite":
        return False
    database = url.database or ""
    return database in ("", ":memory:") or not Path(database).is_file()


def _masked(text: str) -> str:
    """A URL SQLAlchemy cannot read, with anything between 'user:' and the last '@' of its
    authority masked (a password may hold '@')."""
    return re.sub(r"(://[^:/@]*:)[^/]*@", r"\1***@", text)


def _password_at_signs_quoted(text: str) -> str:
    """`text` with each '@' of its password written '%40': the host follows the last '@' of the
    authority (`postgresql://auditkit:s3c@ret@host/db` is user auditkit, password s3c@ret),
    where SQLAlchemy would take the first and show the rest of the password as the host's."""
    scheme, separator, rest = text.partition("://")
    authority = re.match(r"[^/?#]*", rest).group()
    if not separator or authority.count("@") < 2:
        return text
    user_info, _, host = authority.rpartition("@")
    user, colon, password = user_info.partition(":")
    quoted = f"{user}{colon}{password.replace('@', '%40')}@{host}"
    return f"{scheme}://{quoted}{rest[len(authority) :]}"


def _engine(url: sa.URL) -> sa.Engine:
    """An engine whose errors and logs never hold bound values; SQLite in WAL mode, waiting
    for other writers, with foreign keys checked, and its transactions begun by us."""
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, hide_parameters=True)
    engine = sa.create_engine(
        url, hide_parameters=True, connect_args={"timeout": BUSY_TIMEOUT_SECONDS}
    )

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGIN: the listener below begins
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        # A writer takes SQLite's write lock when it begins, so it never fails half way
        # upgrading a read lock while another writer holds it.
        writing = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


def _insert(connection: sa.Connection) -> sa.Insert:
    """An INSERT into outcomes of the connection's dialect (which knows ON CONFLICT)."""
    module = postgresql if connection.dialect.name == "postgresql" else sqlite
    return module.insert(schema.outcomes)


def _run_frame(
    findings: pd.DataFrame, run_id: str, as_of: str, district: str | None
) -> pd.DataFrame:
    """The run's findings with their keys, checked: every column present and filled, one row
    per key, every finding of `district` when one is given."""
    if not isinstance(run_id, str) or not run_id.strip():
        raise ParameterError("run_id", "a non-empty text", run_id)
    checked_register_text("run_id", run_id)
    if not isinstance(as_of, str) or not _PERIOD.match(as_of):
        raise ParameterError("as_of", "a month 'YYYY-MM'", as_of)
    if district is not None and (not isinstance(district, str) or not district):
        raise ParameterError("district", "a district name or None (every district)", district)
    if district is not None:
        checked_register_text("district", district)
    missing = [column for column in RECORDED_COLUMNS if column not in findings.columns]
    if missing:
        raise RegisterError(
            f"run {run_id!r}: findings: expected the columns of auditkit.rules.run, "
            f"missing {', '.join(missing)}"
        )
    frame = findings.loc[:, list(RECORDED_COLUMNS)].reset_index(drop=True)
    problems = []
    for column in RECORDED_COLUMNS:
        empty = frame[column].isna()
        if column in _TEXT_COLUMNS and column not in ("evidence", "evidence_code"):
            empty |= frame[column].astype(str).str.strip() == ""
        if empty.any():
            row = int(np.flatnonzero(empty.to_numpy())[0])
            problems.append(f"row {row + 1}: column {column!r}: expected a value, found none")
    for column in ("period_from", "period_to"):
        bad = ~frame[column].astype(str).str.match(_PERIOD.pattern)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            value = frame[column].iloc[row]
            problems.append(
                f"row {row + 1}: column {column!r}: expected 'YYYY-MM', found {value!r}"
            )
    if district is not None:
        other = (frame["district"].astype(str) != district).to_numpy()
        if other.any():
            row = int(np.flatnonzero(other)[0])
            problems.append(
                f"row {row + 1}: column 'district': expected {district!r} (the run's district), "
                f"found {frame['district'].iloc[row]!r}"
            )
    if problems:
        raise RegisterError(f"run {run_id!r}: findings cannot be recorded", problems)
    _check_findings_month(findings, frame, as_of)
    for column in _TEXT_COLUMNS:
        frame[column] = frame[column].astype(str).astype(object)
    _refuse_unkept_text(frame)
    for column in _MONEY_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="raise").astype(float)
    frame.insert(0, "finding_key", finding_keys(frame).to_numpy())
    twice = frame["finding_key"].duplicated(keep=False)
    if twice.any():
        rows = ", ".join(str(row + 1) for row in np.flatnonzero(twice.to_numpy())[:10])
        raise RegisterError(
            f"run {run_id!r}: findings: expected one finding per customer, rule and start "
            f"period, found several at rows {rows}"
        )
    return frame.sort_values("finding_key", ignore_index=True)


def _check_findings_month(findings: pd.DataFrame, frame: pd.DataFrame, as_of: str) -> None:
    """A ParameterError naming `as_of` where it is not the findings' own month: the month
    `rules.run` made them for (`findings.attrs["as_of"]`), or, for findings read back from a
    file without it, one no earlier than their last `period_to`. Recorded under another month,
    a run would show its findings as that month's and lock the month against its real run."""
    own = findings.attrs.get("as_of")
    if own is not None and str(own) != as_of:
        raise ParameterError(
            "as_of", f"the findings' own month {own} (findings.attrs['as_of'])", as_of
        )
    last = frame["period_to"].astype(str).max() if len(frame) else None
    if last is not None and last > as_of:
        raise ParameterError(
            "as_of", f"a month from {last} on (the findings' last period_to)", as_of
        )


def _refuse_unkept_text(frame: pd.DataFrame) -> None:
    """A ParameterError naming the row and column of the first text of a run's findings that a
    database would not keep as given (a control character such as NUL, which PostgreSQL refuses
    and SQLite stores; an invisible one; more characters than its column holds, which
    PostgreSQL refuses and SQLite stores whole), so that both refuse it alike and say where."""
    for column in _TEXT_COLUMNS:
        free_text = column in ("evidence", "evidence_code")
        longest = schema.findings.c[column].type.length
        values = frame[column]
        refused = {
            value: expected
            for value in values.unique()
            if (expected := refused_text(value, free_text=free_text, longest=longest))
        }
        if refused:
            row = int(np.flatnonzero(values.isin(list(refused)).to_numpy())[0])
            value = values.iloc[row]
            raise ParameterError(f"findings row {row + 1}, column {column}", refused[value], value)


def _digest(frame: pd.DataFrame) -> str:
    """A digest of the run's findings (sorted by key), to tell the same run from another one."""
    text = frame["finding_key"].astype(str)
    for column in RECORDED_COLUMNS:
        text = text + SEPARATOR + frame[column].astype(str)
    return hashlib.sha256("\x1e".join(text.tolist()).encode("utf-8")).hexdigest()


def _recorded_or_refuse(
    connection: sa.Connection,
    frame: pd.DataFrame,
    digest: str,
    run_id: str,
    as_of: str,
    district: str | None,
) -> bool:
    """True when run `run_id` is recorded already with these findings (`frame`, `digest`); a
    RegisterError for a run the register refuses (`record_run` and `check_run` alike): the same
    id with other findings, or a month before, or already recorded under another id."""
    earlier = connection.execute(
        sa.select(schema.runs).where(schema.runs.c.run_id == run_id)
    ).one_or_none()
    if earlier is not None:
        _same_run_or_refuse(earlier, as_of, district, len(frame), digest)
        return True
    _not_before_recorded(connection, run_id, as_of, district, _districts(frame))
    return False


def _districts(frame: pd.DataFrame) -> set[str]:
    """The districts of a run's findings (`_run_frame`)."""
    if "district" not in frame.columns:
        return set()
    return {str(name) for name in frame["district"].dropna().unique()}


def _same_run_or_refuse(
    earlier: sa.Row, as_of: str, district: str | None, count: int, digest: str
) -> None:
    if (earlier.as_of, earlier.district, earlier.findings, earlier.digest) != (
        as_of,
        district,
        count,
        digest,
    ):
        raise RegisterError(
            f"run {earlier.run_id!r}: expected the findings recorded under this id before "
            f"({earlier.findings} for {earlier.as_of}, district {earlier.district!r}), found "
            f"other findings ({count} for {as_of}, district {district!r}); give the run its own id"
        )


def _not_before_recorded(
    connection: sa.Connection,
    run_id: str,
    as_of: str,
    district: str | None,
    districts: set[str] = frozenset(),
) -> None:
    """Refuse a month before the latest one recorded for the same districts (statuses are
    worked out against the register's latest state), and a month already recorded for them
    under another run id: compared with itself, the month's report would lose its new, changed
    and gone findings and call its own month the previous run."""
    runs = schema.runs
    covering = sa.true() if district is None else sa.or_(runs.c.district == district,
                                                        runs.c.district.is_(None))  # fmt: skip
    latest = connection.execute(sa.select(sa.func.max(runs.c.as_of)).where(covering)).scalar_one()
    scope = "any district" if district is None else f"{district} or every district"
    if latest is not None and as_of < latest:
        raise RegisterError(
            f"run {run_id!r}: expected a month from {latest} on (the latest recorded for "
            f"{scope}), found {as_of}"
        )
    if latest == as_of:
        held = connection.execute(
            sa.select(runs.c.run_id, runs.c.district)
            .where(covering, runs.c.as_of == as_of)
            .order_by(runs.c.run_id)
        ).all()
        holders = sorted({row.district for row in held if row.district is not None})
        if district is None and holders and all(row.district is not None for row in held):
            # a month some districts' runs hold: the others are recorded one by one
            # the run's own districts (one the register holds no finding of yet included)
            known = set(districts) | set(
                connection.execute(sa.select(schema.findings.c.district).distinct()).scalars()
            )
            others = sorted(name for name in known if name not in holders)
            options = (
                f"run the other districts one by one ({', '.join(f'--district {name}' for name in others)}), "
                if others
                else ""
            )
            raise RegisterError(
                f"run {run_id!r}: expected a month after {latest}, which is recorded for "
                f"{', '.join(holders)} already (run {held[0].run_id!r}), found {as_of}: a month "
                f"is recorded once; {options}record the next month, or run a re-run of the "
                "month (other parameters) without --register, or into another register (--db)"
            )
        where = "every district" if held[0].district is None else held[0].district
        raise RegisterError(
            f"run {run_id!r}: expected a month after {latest}, which is recorded for {where} "
            f"already (run {held[0].run_id!r}), found {as_of}: a month is recorded once; "
            "record the next month, or run a re-run of the month (other parameters) without "
            "--register, or into another register (--db)"
        )


def _state(connection: sa.Connection, keys: pd.Series, district: str | None) -> pd.DataFrame:
    """The register's findings of the run's districts, and any other of the run's keys (a
    customer moved to another district keeps its findings): key, customer, rule, district,
    status and amount."""
    table = schema.findings
    columns = [table.c.finding_key, table.c.customer_id, table.c.rule_id, table.c.district,
               table.c.status, table.c.revenue_impact]  # fmt: skip
    query = sa.select(*columns)
    if district is not None:
        query = query.where(table.c.district == district)
    rows = connection.execute(query).all()
    if district is not None:
        seen = {row.finding_key for row in rows}
        others = [key for key in keys if key not in seen]
        for start in range(0, len(others), _LOOKUP_CHUNK):
            chunk = others[start : start + _LOOKUP_CHUNK]
            rows += connection.execute(
                sa.select(*columns).where(table.c.finding_key.in_(chunk))
            ).all()
    names = [column.name for column in columns]
    state = _rows_frame(rows, names)
    return state.astype({name: object for name in names[:-1]}).astype({"revenue_impact": float})


def _changes(frame: pd.DataFrame, state: pd.DataFrame, district: str | None) -> pd.DataFrame:
    """Status of every key the run touches, worked out against the register's state."""
    merged = frame[["finding_key", "customer_id", "rule_id", "district", "revenue_impact"]].merge(
        state[["finding_key", "status", "revenue_impact"]].rename(
            columns={"status": "before", "revenue_impact": "previous_revenue_impact"}
        ),
        on="finding_key",
        how="left",
    )
    before = merged["before"]
    merged["status"] = np.select(
        [before.isna(), before.eq("no_longer_found")], ["new", "reopened"], "persisting"
    )
    in_scope = state if district is None else state[state["district"] == district]
    gone = in_scope[
        in_scope["status"].isin(OPEN_STATUSES) & ~in_scope["finding_key"].isin(frame["finding_key"])
    ]
    if len(gone):
        table_gone = gone[["finding_key", "customer_id", "rule_id", "district"]].assign(
            status="no_longer_found"
        )
        table_gone["revenue_impact"] = np.nan
        table_gone["previous_revenue_impact"] = gone["revenue_impact"].to_numpy()
        merged = pd.concat([merged.drop(columns="before"), table_gone], ignore_index=True)
    else:
        merged = merged.drop(columns="before")
    return _finish_changes(merged)


def _finish_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """Changes in one shape and order: by status (in STATUSES order), then key."""
    text = ["finding_key", "customer_id", "rule_id", "district", "status"]
    changes = changes.astype({name: object for name in text}).astype(
        {"revenue_impact": float, "previous_revenue_impact": float}
    )
    moved = (changes["revenue_impact"] - changes["previous_revenue_impact"]).abs() >= 0.005
    changes["amount_changed"] = changes["status"].isin(("persisting", "reopened")) & moved
    order = changes["status"].map({status: rank for rank, status in enumerate(STATUSES)})
    changes = changes.assign(_order=order).sort_values(["_order", "finding_key"])
    columns = ["finding_key", "customer_id", "rule_id", "district", "status", "revenue_impact",
               "previous_revenue_impact", "amount_changed"]  # fmt: skip
    return changes.reindex(columns=columns).reset_index(drop=True)


def _with_moves(
    connection: sa.Connection, changes: pd.DataFrame, as_of: str, district: str
) -> pd.DataFrame:
    """`district`'s rows of a run's `changes` for month `as_of`, with the findings whose
    customer moved between districts since the previous month recorded (`MOVED_STATUSES`,
    see `Register.run_changes`)."""
    own = changes[changes["district"] == district]
    places = _moved_places(connection, as_of)
    if places.empty:
        return own.reset_index(drop=True)
    came = places.index[(places["now"] == district) & (places["before"] != district)]
    arrived = own["finding_key"].isin(came) & own["status"].isin(("persisting", "reopened"))
    own = own.assign(status=own["status"].where(~arrived, "moved_in"))
    went = places[(places["before"] == district) & (places["now"] != district)]
    # the district's own run, recorded before the new district's, marked it no longer found
    own = own[~own["finding_key"].isin(went.index)]
    left = pd.DataFrame(
        {
            "finding_key": went.index,
            "customer_id": went["customer_id"].to_numpy(),
            "rule_id": went["rule_id"].to_numpy(),
            "district": went["now"].to_numpy(),
            "status": "moved_out",
            "revenue_impact": np.nan,
            "previous_revenue_impact": went["amount_before"].to_numpy(dtype=float),
            "amount_changed": False,
        }
    )
    order = {status: rank for rank, status in enumerate((*STATUSES, *MOVED_STATUSES))}
    both = pd.concat([own, left.astype(own.dtypes.to_dict())], ignore_index=True)
    both = both.assign(_order=both["status"].map(order)).sort_values(["_order", "finding_key"])
    return both.drop(columns="_order").reset_index(drop=True)


def _moved_places(connection: sa.Connection, as_of: str) -> pd.DataFrame:
    """Where each finding a run ever found in another district (`moved_findings`: the only
    ones that can have moved) was found in month `as_of` (`now`: the month's latest run that
    found it; the old district's own run, if recorded first, marked it no longer found) and
    where it was open before (`before`, with its amount then: what the latest run of an earlier
    month said of it), by finding_key; only those found now and still open before (one that
    run marked no longer found was closed, not moved)."""
    history, runs, findings = schema.finding_runs, schema.runs, schema.findings
    query = (
        sa.select(
            history.c.finding_key,
            runs.c.as_of,
            sa.func.coalesce(history.c.district, findings.c.district),
            history.c.revenue_impact,
            history.c.status,
            findings.c.customer_id,
            findings.c.rule_id,
        )
        .join(runs, runs.c.run_id == history.c.run_id)
        .join(findings, findings.c.finding_key == history.c.finding_key)
        .where(history.c.finding_key.in_(sa.select(schema.moved_findings.c.finding_key)))
        .where(runs.c.as_of <= as_of)
        .order_by(runs.c.as_of, runs.c.recorded_at, runs.c.run_id)
    )
    columns = ["finding_key", "as_of", "district", "amount", "status", "customer_id", "rule_id"]
    said = _rows_frame(connection.execute(query).all(), columns)
    this_month = said["as_of"] == as_of
    found = said["status"] != "no_longer_found"
    now = said[this_month & found].drop_duplicates("finding_key", keep="last")
    now = now.set_index("finding_key")
    last_word = said[~this_month].drop_duplicates("finding_key", keep="last")
    last_word = last_word.set_index("finding_key")
    before = last_word[last_word["status"] != "no_longer_found"]
    both = now.index.intersection(before.index)
    return pd.DataFrame(
        {
            "now": now.loc[both, "district"],
            "before": before.loc[both, "district"],
            "amount_before": before.loc[both, "amount"].astype(float),
            "customer_id": now.loc[both, "customer_id"],
            "rule_id": now.loc[both, "rule_id"],
        },
        index=both,
    )


def _write_findings(
    connection: sa.Connection, frame: pd.DataFrame, changes: pd.DataFrame, run_id: str, as_of: str
) -> None:
    """Insert new findings and update found ones (one upsert), mark those no longer found."""
    found = changes[changes["status"] != "no_longer_found"].set_index("finding_key")
    rows = frame.assign(
        status=found.loc[frame["finding_key"], "status"].to_numpy(),
        previous_revenue_impact=found.loc[
            frame["finding_key"], "previous_revenue_impact"
        ].to_numpy(),
        first_run_id=run_id,
        first_as_of=as_of,
        last_run_id=run_id,
        last_as_of=as_of,
    )
    if len(rows):
        module = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = module.insert(schema.findings)
        kept = {"finding_key", "customer_id", "rule_id", "period_from", "first_run_id",
                "first_as_of"}  # fmt: skip
        statement = statement.on_conflict_do_update(
            index_elements=["finding_key"],
            set_={
                column.name: statement.excluded[column.name]
                for column in schema.findings.c
                if column.name not in kept
            },
        )
        connection.execute(statement, _records(rows))
    gone = changes.loc[changes["status"] == "no_longer_found", "finding_key"].tolist()
    if gone:
        table = schema.findings
        connection.execute(
            sa.update(table)
            .where(table.c.finding_key == sa.bindparam("key"))
            .values(status="no_longer_found"),
            [{"key": key} for key in gone],
        )


def _write_moves(connection: sa.Connection, frame: pd.DataFrame, state: pd.DataFrame) -> None:
    """Keep the keys this run finds in another district than the register held them in
    (`moved_findings`): the findings a past month's districts are looked up for."""
    held = frame["finding_key"].map(state.set_index("finding_key")["district"])
    moved = frame.loc[held.notna() & (held != frame["district"]), "finding_key"].tolist()
    if moved:
        module = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = module.insert(schema.moved_findings).on_conflict_do_nothing(
            index_elements=["finding_key"]
        )
        connection.execute(statement, [{"finding_key": key} for key in moved])


def _write_history(connection: sa.Connection, changes: pd.DataFrame, run_id: str) -> None:
    """What this run said of each key it touched, and the district each had in it."""
    if changes.empty:
        return
    history = changes[
        ["finding_key", "status", "revenue_impact", "previous_revenue_impact", "district"]
    ]
    connection.execute(sa.insert(schema.finding_runs), _records(history.assign(run_id=run_id)))


def _district_as_of(as_of: str | None) -> tuple[sa.FromClause, sa.ColumnElement]:
    """The findings table (joined with what it needs) and the expression of each finding's
    district: today's (`as_of` None), or the one it had in the latest run of a month up to
    `as_of` that recorded it (today's when none did, or when that run's row predates revision
    0006, which records it). Only the history of findings a run found in another district
    (`moved_findings`) is read: every other one has had its district today all along."""
    held = schema.findings
    if as_of is None:
        return held, held.c.district
    if not isinstance(as_of, str) or not _PERIOD.match(as_of):
        raise ParameterError("as_of", "a month 'YYYY-MM' (or None for today's districts)", as_of)
    history, runs = schema.finding_runs, schema.runs
    latest = sa.func.row_number().over(
        partition_by=history.c.finding_key,
        order_by=(runs.c.as_of.desc(), runs.c.recorded_at.desc(), runs.c.run_id.desc()),
    )
    ranked = (
        sa.select(history.c.finding_key, history.c.district, latest.label("latest"))
        .join(runs, runs.c.run_id == history.c.run_id)
        .where(runs.c.as_of <= as_of)
        .where(history.c.finding_key.in_(sa.select(schema.moved_findings.c.finding_key)))
        .subquery("ranked")
    )
    then = (
        sa.select(ranked.c.finding_key, ranked.c.district)
        .where(ranked.c.latest == 1)
        .subquery("district_then")
    )
    joined = held.outerjoin(then, then.c.finding_key == held.c.finding_key)
    return joined, sa.func.coalesce(then.c.district, held.c.district)


def _of_district(
    district_column: sa.ColumnElement, district: str, as_of: str | None
) -> sa.ColumnElement[bool]:
    """Whether a finding is `district`'s (`district_column`, of `_district_as_of(as_of)`),
    asked of the district's findings today and the moved ones alone, so that the findings'
    district index serves a register of many."""
    held = schema.findings.c
    if as_of is None:
        return held.district == district
    moved = sa.select(schema.moved_findings.c.finding_key)
    candidates = sa.or_(held.district == district, held.finding_key.in_(moved))
    return sa.and_(candidates, district_column == district)


def _changes_of(connection: sa.Connection, run_id: str) -> pd.DataFrame:
    """The changes a recorded run made, as `record_run` returned them: each finding in the
    district it had in that run (a row recorded before revision 0006: its district today)."""
    history, findings = schema.finding_runs, schema.findings
    query = (
        sa.select(
            history.c.finding_key,
            findings.c.customer_id,
            findings.c.rule_id,
            sa.func.coalesce(history.c.district, findings.c.district),
            history.c.status,
            history.c.revenue_impact,
            history.c.previous_revenue_impact,
        )
        .join(findings, findings.c.finding_key == history.c.finding_key)
        .where(history.c.run_id == run_id)
    )
    rows = connection.execute(query).all()
    columns = ["finding_key", "customer_id", "rule_id", "district", "status", "revenue_impact",
               "previous_revenue_impact"]  # fmt: skip
    return _finish_changes(_rows_frame(rows, columns))


def _event_rows(events: pd.DataFrame) -> list[dict]:
    """Outcome events checked and made ready to insert, each with the digest of its values;
    every problem one line naming source, row and column."""
    missing = [column for column in EVENT_COLUMNS if column not in events.columns]
    if missing:
        raise RegisterError(
            f"outcome events: expected the columns {', '.join(EVENT_COLUMNS)}, "
            f"missing {', '.join(missing)}"
        )
    rows, problems = [], []
    optional = (*OPTIONAL_EVENT_COLUMNS, PENALTY_COLUMN)
    given = [*EVENT_COLUMNS, *(c for c in optional if c in events.columns)]
    frame = events.loc[:, given]
    if frame["amount"].dtype.kind == "f" and frame["amount"].dtype.itemsize < 8:
        # float32 amounts as they were typed (0.1, not 0.10000000149011612): the fen check
        # judges a float at double precision
        frame = frame.assign(amount=frame["amount"].astype(str).astype(float))
    for event in frame.to_dict("records"):
        row_number = event["source_row"]
        if isinstance(row_number, float) and row_number.is_integer():
            row_number = int(row_number)  # an int column with a gap reads as floats
        where = f"source {event['source']!r} row {row_number!r}"
        row, faults = _event_row(event)
        if faults:
            problems += [f"{where}: {fault}" for fault in faults]
            continue
        rows.append(row)
    if problems:
        raise RegisterError(
            f"outcome events: {len(problems)} problems; nothing was recorded", problems
        )
    return rows


def _event_row(event: Mapping) -> tuple[dict, list[str]]:
    """One event as the outcomes table holds it, or what is wrong with it."""
    faults = []

    def text(column: str) -> str:
        value = event[column]
        if not isinstance(value, str) or not value.strip():
            faults.append(f"column {column!r}: expected a text, found {value!r}")
            return ""
        return _kept_text(value.strip(), column, faults)

    key, kind, actor, source = (text(c) for c in ("finding_key", "event", "actor", "source"))
    if kind and kind not in OUTCOME_EVENTS:
        faults.append(
            f"column 'event': expected one of {', '.join(OUTCOME_EVENTS)}, found {kind!r}"
        )
    amount = _yuan(event["amount"], "amount", faults)
    penalty = _yuan(event.get(PENALTY_COLUMN), PENALTY_COLUMN, faults)
    auditor = _optional_text(event.get("auditor"), "auditor", faults)
    selected_by = _optional_text(event.get("selected_by"), "selected_by", faults)
    if selected_by is not None and selected_by not in SELECTIONS:
        faults.append(
            f"column 'selected_by': expected one of {', '.join(SELECTIONS)} or nothing, "
            f"found {selected_by!r}"
        )
    day = _event_day(event["happened_at"], faults)
    row_number = event["source_row"]
    if isinstance(row_number, float) and row_number.is_integer():
        row_number = int(row_number)
    if isinstance(row_number, bool) or not isinstance(row_number, int | np.integer):
        faults.append(f"column 'source_row': expected a row number, found {row_number!r}")
    if faults:
        return {}, faults
    parts = (key, kind, "" if amount is None else f"{amount:.2f}", actor, day.isoformat(),
             source, str(int(row_number)))  # fmt: skip
    # The digest is of the seven values alone: the auditor and the selection describe the
    # source (a worklist's id already tells a cross-audit's sheet apart), so a sheet imported
    # before they were read (revision 0001) and again after is still recorded once. A penalty
    # collected is a value of the event, added only when given: an event without one keeps
    # the digest it had before penalties were recorded (revision 0005).
    if penalty is not None:
        parts += (f"{PENALTY_COLUMN}={penalty:.2f}",)
    digest = _event_digest(parts)
    row = dict(finding_key=key, event=kind, amount=amount, penalty=penalty, actor=actor,
               happened_at=day, source=source, source_row=int(row_number), event_digest=digest,
               auditor=auditor, selected_by=selected_by, corrects=None)  # fmt: skip
    return row, []


def _event_day(value: object, faults: list[str]) -> dt.date | None:
    """The day an event happened, FIRST_YEAR to LAST_YEAR: a date or a moment (Python, numpy
    or pandas; its time dropped), or text beginning YYYY-MM-DD; None after a fault. A number
    is refused, not read as nanoseconds since 1970 (20240805 was recorded as 1970-01-01), and
    so is text of another form: '2024' was recorded as 1 January, '05/08/2024' as 8 May."""
    happened = pd.NaT
    if isinstance(value, str) and _ISO_DAY.match(value.strip()):
        happened = pd.to_datetime(value.strip(), format="ISO8601", errors="coerce")
    elif isinstance(value, dt.date | np.datetime64):  # a pd.Timestamp is a dt.datetime
        happened = pd.to_datetime(value, errors="coerce")
    if pd.isna(happened) or not FIRST_YEAR <= happened.year <= LAST_YEAR:
        faults.append(
            f"column 'happened_at': expected a date YYYY-MM-DD between {FIRST_YEAR} and "
            f"{LAST_YEAR}, found {value!r}"
        )
        return None
    return happened.date()


def _yuan(value: object, column: str, faults: list[str]) -> float | None:
    """An event's money `column` in yuan, None when missing; a fault when it is not yuan to the
    fen of 0 or more."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if not isinstance(value, int | float | np.integer | np.floating) or isinstance(value, bool):
        faults.append(f"column {column!r}: expected yuan or nothing, found {value!r}")
        return None
    number = float(value)
    if not np.isfinite(number) or number < 0:
        faults.append(f"column {column!r}: expected yuan (0 or more), found {value!r}")
    elif not in_fen(number):
        faults.append(
            f"column {column!r}: expected yuan to the fen (at most 2 decimals), found {number!r}"
        )
    return round(number, 2)  # only a float's noise: 0.30000000000000004 is 0.3


def _optional_text(value: object, column: str, faults: list[str]) -> str | None:
    """An optional text value: None when missing or blank, else the stripped text."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if not isinstance(value, str):
        faults.append(f"column {column!r}: expected a text or nothing, found {value!r}")
        return None
    return _kept_text(value.strip(), column, faults) or None


def _kept_text(text: str, column: str, faults: list[str]) -> str:
    """`text` as the register keeps it in `column`, or a fault appended when the register
    refuses it there (`refused_register_text`; columns of no such check are kept as given)."""
    if column in TEXT_LENGTHS:
        expected = refused_register_text(column, text)
        if expected is not None:
            faults.append(f"column {column!r}: expected {expected}, found {shown_cell(text)}")
    return text


def _existing(connection: sa.Connection, column: sa.Column, values: set[str]) -> set[str]:
    """Which of `values` the column holds (looked up in chunks, as bound parameters)."""
    ordered, found = sorted(values), set()
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        chunk = ordered[start : start + _LOOKUP_CHUNK]
        found.update(connection.execute(sa.select(column).where(column.in_(chunk))).scalars())
    return found


@dataclass
class _Found:
    """What `_new_events` found: events to record, rows whose live event differs or was
    withdrawn, or that are empty now while their check is decided (`conflicts`, each with the
    live event), outcomes another worklist recorded already (`elsewhere`, each with the live
    event), and `links` to record: a row of another worklist joined to the check it repeats
    (each with the live event, or the digest of a row about to be recorded)."""

    new_rows: list[dict]
    conflicts: list[tuple[dict, object]]
    elsewhere: list[tuple[dict, object]]
    links: list[tuple[dict, object]] = field(default_factory=list)


def _new_events(connection: sa.Connection, rows: list[dict], blank: list[dict] = ()) -> _Found:
    """Compare the events given (repeats within them once) and the emptied worklist rows
    (`blank`) with the live state of each check of the register.

    A check is a finding checked on one day by one team (the finding's own district, however
    the sheet names it, or another bureau): its events form one chain, an outcome and the
    corrections and withdrawals that supersede one another (`corrects`), whichever worklist
    each came from; the latest is live. A worklist row belongs to the chain one of its events
    (or a `same_check` link) is in, else to the chain of the check its outcome names. A filled
    row of a chain is already recorded when its values are the live event's (from another
    worklist: `elsewhere`, linked once), and a conflict when they differ or the live event is a
    withdrawal; a row giving what it gave when last recorded is already recorded, whatever
    another worklist corrected since (unless the check was withdrawn); an emptied row of a
    chain whose live event is an outcome is a conflict (a withdrawal request); a row of no
    chain is new, unless it gives the event and amount another worklist's live outcome of the
    finding gives on another day while its own worklist was out already
    (`_Chains.same_outcome_another_day`): a conflict with that outcome. Import order changes
    nothing."""
    given = list({row["event_digest"]: row for row in rows}.values())
    keys = {row["finding_key"] for row in [*given, *blank]}
    chains = _Chains(connection, keys)
    sent = _first_sent(connection, _sheet_sources(given), "recorded_at")
    found = _Found([], [], [])
    fresh = []
    for row in given:
        if not _is_sheet_outcome(row):
            fresh.append(row)
            continue
        root = chains.of_row(row)
        linked = root is not None
        if root is None:
            root = chains.of_check(row)
        if root is None:
            fresh.append(row)
            continue
        live = chains.live[root]
        if live.event == WITHDRAWN:  # re-entered only with --correct, from either worklist
            found.conflicts.append((row, live))
        elif linked and chains.unchanged(row):
            if not changed_values(row, live) and elsewhere(row, live):
                found.elsewhere.append((row, live))
        elif changed_values(row, live):
            found.conflicts.append((row, live))
        elif not linked and live.outcome_id is not None:
            found.elsewhere.append((row, live))
            found.links.append((row, live))
        elif elsewhere(row, live):
            found.elsewhere.append((row, live))
    present = _existing(
        connection, schema.outcomes.c.event_digest, {r["event_digest"] for r in fresh}
    )
    for row in fresh:
        if row["event_digest"] in present:
            continue
        if _is_sheet_outcome(row):
            root = chains.of_check(row)
            if root is not None:  # another worklist's row of this import, recorded first
                live = chains.live[root]
                if changed_values(row, live):
                    found.conflicts.append((row, live))
                else:
                    found.elsewhere.append((row, live))
                    found.links.append((row, live))
                continue
            repeated = chains.same_outcome_another_day(row, sent.get(_sent_key(row)))
            if repeated is not None:  # one recovery typed with two dates: counted once
                found.conflicts.append((row, repeated))
                continue
            chains.pending(row)
        found.new_rows.append(row)
    for row in blank:
        root = chains.of_row(row)
        if root is not None and chains.live[root].event != WITHDRAWN:
            found.conflicts.append((row, chains.live[root]))
    return found


def _team(auditor: object, district: object) -> object:
    """The team that checked: None for the finding's own district (no auditor, or the auditor
    named as the finding's own district: a self-audit either way), else the other bureau."""
    return None if auditor is None or auditor == district else auditor


class _Chains:
    """The chains of the worklist events of findings `keys` (see `_new_events`): `live[root]`
    the live event of each (by the outcome_id of its first event), with the rows and checks
    that lead to them."""

    def __init__(self, connection: sa.Connection, keys: set[str]) -> None:
        self.live: dict[object, object] = {}
        self.rows: dict[tuple[str, int, str], object] = {}
        self.own: dict[tuple[str, int, str], object] = {}
        self.checks: dict[tuple[str, dt.date, object], object] = {}
        self.districts: dict[str, str] = {}
        table = schema.outcomes
        columns = [table.c.outcome_id, table.c.finding_key, table.c.event, table.c.amount,
                   table.c.penalty, table.c.actor, table.c.happened_at, table.c.source, table.c.source_row,
                   table.c.auditor, table.c.corrects, table.c.recorded_at]  # fmt: skip
        held = schema.findings
        events: list[sa.Row] = []
        ordered = sorted(keys)
        for start in range(0, len(ordered), _LOOKUP_CHUNK):
            chunk = ordered[start : start + _LOOKUP_CHUNK]
            events += connection.execute(
                sa.select(*columns)
                .where(table.c.finding_key.in_(chunk))
                .where(table.c.source.startswith(schema.SHEET_SOURCE, autoescape=True))
                .where(table.c.event != "sent")
            ).all()
            self.districts.update(
                connection.execute(
                    sa.select(held.c.finding_key, held.c.district).where(
                        held.c.finding_key.in_(chunk)
                    )
                ).all()
            )
        events.sort(key=lambda event: event.outcome_id)
        roots: dict[int, int] = {}
        by_id = {event.outcome_id: event for event in events}
        for event in events:
            root = roots.get(event.corrects, event.outcome_id)
            roots[event.outcome_id] = root
            where = (event.source, event.source_row, event.finding_key)
            self.rows[where] = root
            # what the row gave last: a link gave the values of the event it repeats
            self.own[where] = by_id.get(event.corrects) if event.event == SAME_CHECK else event
            if event.event == SAME_CHECK:
                continue
            self.live[root] = event
            if event.event != WITHDRAWN:
                self.checks[self._check(event.finding_key, event.happened_at, event.auditor)] = root

    def _check(self, key: str, day: object, auditor: object) -> tuple[str, dt.date, object]:
        return (key, day, _team(auditor, self.districts.get(key)))

    def of_row(self, row: Mapping) -> object:
        """The chain a worklist row is in (its own events or link), or None."""
        return self.rows.get(_row_place(row))

    def unchanged(self, row: Mapping) -> bool:
        """Whether a filled row gives what it gave when last recorded (its own outcome, or the
        one its link repeats): a sheet returned again as it was, whatever another worklist
        corrected since."""
        own = self.own.get(_row_place(row))
        return own is not None and own.event != WITHDRAWN and not changed_values(row, own)

    def of_check(self, row: Mapping) -> object:
        """The chain of the check a filled row's outcome names, or None."""
        return self.checks.get(self.check_of(row))

    def pending(self, row: Mapping) -> None:
        """A row about to be recorded, as a chain of its own (no outcome_id yet), so a row of
        another worklist of the same import is compared with it."""
        from types import SimpleNamespace

        names = ("finding_key", "event", "amount", "actor", "happened_at", "source", "source_row")
        event = SimpleNamespace(outcome_id=None, event_digest=row["event_digest"],
                                auditor=row.get("auditor"), penalty=row.get(PENALTY_COLUMN),
                                **{n: row[n] for n in names})  # fmt: skip
        root = ("pending", row["event_digest"])
        self.live[root] = event
        self.rows[_row_place(row)] = root
        self.checks[self.check_of(row)] = root

    def check_of(self, row: Mapping) -> tuple[str, dt.date, object]:
        return self._check(row["finding_key"], row["happened_at"], row.get("auditor"))

    def same_outcome_another_day(self, row: Mapping, sent: dt.datetime | None) -> object:
        """The live outcome of another worklist that a new worklist row with an amount (a
        recovery) repeats on another day, or None: the same finding, event and amount, recorded
        (or about to be, in this import) after the row's worklist was recorded as `sent`. Both
        sheets were out with the finding undecided, so the field reported one recovery twice
        with two dates, which recorded twice would count its money twice. A row of a worklist
        sent after that outcome was recorded (`worklist --recheck`: a further recovery of the
        same amount) is none, as is one of a worklist never recorded as sent."""
        if sent is None or row["amount"] is None:
            return None
        for live in self.live.values():
            if (
                same_outcome_another_day(row, live)
                and live.source != row["source"]
                and _recorded_after(live, sent)
            ):
                return live
        return None


def _recorded_after(event: object, moment: dt.datetime) -> bool:
    """Whether outcome `event` was recorded after `moment` (one about to be recorded, in this
    import, is); both as UTC (SQLite gives them back without their zone)."""
    recorded = getattr(event, "recorded_at", None)
    return recorded is None or _utc(recorded) > _utc(moment)


def _utc(moment: dt.datetime) -> dt.datetime:
    """`moment` as a UTC time without its zone (one without a zone is UTC already)."""
    return moment if moment.tzinfo is None else moment.astimezone(dt.UTC).replace(tzinfo=None)


def _sent_key(row: Mapping) -> tuple[str, str]:
    """How `_first_sent` keys when a worklist row's finding was sent: source, finding."""
    return (row["source"], row["finding_key"])


def _row_place(row: Mapping) -> tuple[str, int, str]:
    """Where a worklist row given is, as `_Chains` keys its rows: source, row number, finding."""
    return (row["source"], int(row["source_row"]), row["finding_key"])


def _links(connection: sa.Connection, links: list[tuple[dict, object]]) -> list[dict]:
    """The `same_check` markers joining each row of another worklist to the event it repeats
    (counted once): so that emptying or correcting the row acts on that event. A marker names
    the event (`corrects`) without superseding it."""
    waiting = {held.event_digest for _, held in links if held.outcome_id is None}
    ids = {}
    if waiting:
        table = schema.outcomes
        ids = dict(
            connection.execute(
                sa.select(table.c.event_digest, table.c.outcome_id).where(
                    table.c.event_digest.in_(sorted(waiting))
                )
            ).all()
        )
    markers = []
    for row, held in links:
        target = held.outcome_id if held.outcome_id is not None else ids.get(held.event_digest)
        if target is None:
            continue
        parts = (row["finding_key"], SAME_CHECK, row["source"], str(row["source_row"]),
                 f"same as {target}")  # fmt: skip
        markers.append(
            {**row, "event": SAME_CHECK, "amount": None, "penalty": None, "corrects": target,
             "event_digest": _event_digest(parts)}
        )  # fmt: skip
    return markers


def _blank_rows(blank_rows: Sequence[Mapping]) -> list[dict]:
    """Worklist rows read with no outcome (finding_key, source, source_row), as rows of no
    event to compare with what the register recorded for them."""
    return [
        dict(finding_key=str(row["finding_key"]), event=None, amount=None, penalty=None, actor=None,
             happened_at=None, source=str(row["source"]), source_row=int(row["source_row"]))
        for row in blank_rows
    ]  # fmt: skip


def _withdrawal(row: Mapping, held: sa.Row, actor: str, today: dt.date) -> dict:
    """The event that withdraws `held`, the outcome of a worklist row emptied since."""
    parts = (held.finding_key, WITHDRAWN, "", actor, today.isoformat(), row["source"],
             str(row["source_row"]))  # fmt: skip
    return dict(finding_key=held.finding_key, event=WITHDRAWN, amount=None, penalty=None, actor=actor,
                happened_at=today, source=row["source"], source_row=row["source_row"],
                event_digest=_event_digest(parts),
                auditor=getattr(held, "auditor", None), selected_by=None)  # fmt: skip


def _login() -> str:
    """Who withdraws an outcome when no one is named: the login name."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "auditkit"


def _is_sheet_outcome(row: Mapping) -> bool:
    """An outcome read from a worklist sheet's row (not its `sent`): one per row."""
    return str(row["source"]).startswith(schema.SHEET_SOURCE) and row["event"] != "sent"


def _corrections(connection: sa.Connection) -> tuple[dict[tuple[str, int], int], set[int]]:
    """The latest correction of each corrected worklist row: (source, source_row) -> its
    outcome_id; and the outcome_ids corrections name (a correction from another worklist's row
    names the event it supersedes there; a `same_check` link names one it does not). Corrections
    are few: read whole."""
    table = schema.outcomes
    correcting = sa.and_(table.c.corrects.is_not(None), table.c.event != SAME_CHECK)
    query = (
        sa.select(table.c.source, table.c.source_row, sa.func.max(table.c.outcome_id))
        .where(correcting)
        .group_by(table.c.source, table.c.source_row)
    )
    latest = {(source, row): latest for source, row, latest in connection.execute(query)}
    named = connection.execute(sa.select(table.c.corrects).where(correcting)).scalars()
    return latest, set(named)


def _superseded(
    frame: pd.DataFrame, corrections: dict[tuple[str, int], int], named: set[int] = frozenset()
) -> pd.Series:
    """Which events of `frame` (outcomes with outcome_id, event, source, source_row, corrects)
    a later correction supersedes: every event a correction names (its check's chain goes on
    from the correction, whichever worklist it came from), and every outcome of a worklist row
    recorded before the row's latest correction (a `sent` never is; a `same_check` link neither
    supersedes nor is superseded)."""
    if not corrections or frame.empty:
        return pd.Series(False, index=frame.index)
    by_name = frame["outcome_id"].isin(named).to_numpy()
    rows = pd.MultiIndex.from_arrays([frame["source"], frame["source_row"].astype(np.int64)])
    latest = pd.Series(corrections, dtype="float64")
    latest.index = pd.MultiIndex.from_tuples(list(corrections))
    before = latest.reindex(rows).to_numpy() > frame["outcome_id"].astype(float).to_numpy()
    kept = ~frame["event"].isin(("sent", SAME_CHECK)).to_numpy()
    return pd.Series((before | by_name) & kept, index=frame.index)


def _sheet_sources(rows: list[dict]) -> list[str]:
    """The worklists (sources) of the sheet outcomes among `rows`, sorted."""
    return sorted({row["source"] for row in rows if _is_sheet_outcome(row)})


def _worklist_names(connection: sa.Connection, sources: Sequence[str]) -> dict[str, str]:
    """source -> `worklist_name` of each worklist of `sources`: the district most of its
    findings had when it was sent (in the latest run of a month before the one it was sent in:
    a sheet is one district's, and a finding moved since does not rename it; today's for one
    never sent), the day and time it was first recorded as sent and who sent it."""
    sheets = sorted({str(source) for source in sources
                     if str(source).startswith(schema.SHEET_SOURCE)})  # fmt: skip
    table = schema.outcomes
    sent: dict[str, tuple[object, object, object]] = {}
    for start in range(0, len(sheets), _LOOKUP_CHUNK):
        query = (
            sa.select(table.c.source, sa.func.min(table.c.happened_at),
                      sa.func.min(table.c.recorded_at), sa.func.min(table.c.actor))
            .where(table.c.source.in_(sheets[start : start + _LOOKUP_CHUNK]))
            .where(table.c.event == "sent")
            .group_by(table.c.source)
        )  # fmt: skip
        sent.update({source: (day, at, by) for source, day, at, by in connection.execute(query)})
    by_month: dict[str | None, list[str]] = {}
    for source in sheets:
        day = sent.get(source, (None,))[0]
        month = None if day is None else str(pd.Timestamp(day).to_period("M") - 1)
        by_month.setdefault(month, []).append(source)
    most: dict[str, tuple[int, str]] = {}  # source -> (-findings, district): the least wins
    for month, chosen in by_month.items():
        held, district = _district_as_of(month)
        for start in range(0, len(chosen), _LOOKUP_CHUNK):
            counted = (
                sa.select(table.c.source, district,
                          sa.func.count(sa.distinct(table.c.finding_key)))
                .select_from(held)
                .join(table, table.c.finding_key == schema.findings.c.finding_key)
                .where(table.c.source.in_(chosen[start : start + _LOOKUP_CHUNK]))
                .group_by(table.c.source, district)
            )  # fmt: skip
            for source, name, count in connection.execute(counted):
                most[source] = min(most.get(source, (0, "")), (-count, str(name)))
    return {
        str(source): worklist_name(most[str(source)][1], *sent.get(str(source), (None,) * 3))
        if str(source) in most
        else f"source {str(source)!r}"
        for source in sources
    }


def _first_sent(
    connection: sa.Connection, sources: list[str], when: str = "happened_at"
) -> dict[tuple[str, str], object]:
    """When each finding was first sent on each worklist of `sources` (its first `sent` event
    there: the day it `happened_at`, or the moment it was `recorded_at`), by (source,
    finding_key); none for a worklist never recorded as sent (written without a register)."""
    table = schema.outcomes
    sent: dict[tuple[str, str], object] = {}
    for start in range(0, len(sources), _LOOKUP_CHUNK):
        query = (
            sa.select(table.c.source, table.c.finding_key, sa.func.min(table.c[when]))
            .where(table.c.source.in_(sources[start : start + _LOOKUP_CHUNK]))
            .where(table.c.event == "sent")
            .group_by(table.c.source, table.c.finding_key)
        )
        sent.update({(source, key): day for source, key, day in connection.execute(query)})
    return sent


def _checked_before_sent(connection: sa.Connection, rows: list[dict]) -> list[tuple[dict, dt.date]]:
    """The outcomes of worklist rows given dated before their finding's `sent` event of the
    same worklist (the first one), each with that day."""
    outcomes = [row for row in rows if _is_sheet_outcome(row)]
    sent = _first_sent(connection, _sheet_sources(outcomes))
    early = []
    for row in outcomes:
        day = sent.get((row["source"], row["finding_key"]))
        if day is not None and row["happened_at"] < day:
            early.append((row, day))
    return early


def _event_digest(parts: Sequence[str]) -> str:
    """The digest of an event's values (`event_digest`): one event is recorded once."""
    return hashlib.sha256(SEPARATOR.join(parts).encode("utf-8")).hexdigest()


def _correction_digest(digest: str, corrects: int) -> str:
    """The digest of a correction: its values' and the event it supersedes, so a row corrected
    back to a value it once had is recorded again."""
    return hashlib.sha256(f"{digest}{SEPARATOR}corrects {corrects}".encode()).hexdigest()


def _frame(connection: sa.Connection, query: sa.Select, columns: object) -> pd.DataFrame:
    """The query's rows as a frame with its column names, text as Python strings."""
    names = [column.name for column in (columns.c if hasattr(columns, "c") else columns)]
    frame = _rows_frame(connection.execute(query).all(), names)
    return frame.astype({name: object for name in names if frame[name].dtype == "str"})


def _rows_frame(rows: list, names: list[str]) -> pd.DataFrame:
    """Database rows as a frame, built column by column (much faster than row by row)."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pd.DataFrame({name: pd.Series(list(values), dtype=object) for name, values
                         in zip(names, columns, strict=True)}, columns=names)  # fmt: skip


def _records(frame: pd.DataFrame) -> list[dict]:
    """The frame's rows as parameter dicts of Python values, NaN as None (NULL)."""
    names = list(frame.columns)
    columns = [
        [None if value != value else value for value in frame[name].tolist()]  # NaN != NaN
        if frame[name].dtype.kind == "f"
        else frame[name].tolist()
        for name in names
    ]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]

"""`auditkit worklist` and `auditkit register import`: the field loop of rule findings.

`auditkit worklist` chooses, per district, the findings to check this month and writes one
worklist sheet per district; when the findings come from the register (or `--register`/`--db`
is given) each finding written is recorded as `sent`. `auditkit register import` reads the
returned sheets and records their outcome events in the register.
"""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from auditkit import i18n
from auditkit.cli.register_options import add_db_option
from auditkit.cli.returned import ReturnedUse, warn_if_open, without_lock_files
from auditkit.errors import ParameterError, flags, parameters_named
from auditkit.options.register import SELECTIONS
from auditkit.paths import safe_name

if TYPE_CHECKING:
    import pandas as pd

    from auditkit.register import Register, RegisterError
    from auditkit.register.store import OutcomeConflict, OutcomeImport

#: How `register import` speaks of the sheets it reads, in its warnings and errors.
IMPORTING = ReturnedUse(
    command="auditkit register import",
    parameter="SHEET",
    expected="a returned worklist sheet (.xlsx)",
    done="imported",
    then="import it",
    again=" (rows recorded now are not recorded twice; a row changed since needs --correct)",
)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `worklist` and `register import` to the `auditkit` parser."""
    worklist = subparsers.add_parser(
        "worklist",
        help="write the findings to check in the field, one sheet per district",
        description=(
            "Choose, per district, the rule findings to check in the field this month and write "
            "one worklist sheet (.xlsx) per district into --out: protected given columns, the "
            "outcome, amount recovered, who and when to fill in. Without FINDINGS the open "
            "findings of the register are used (new, persisting, reopened) and each finding "
            "written is recorded as 'sent'; with FINDINGS (findings.parquet or .csv written by "
            "`auditkit rules`, or its folder) nothing is recorded unless --register or --db is "
            "given. With the register, findings the field has already decided (confirmed, or "
            "rectified, recovered or archive corrected, or a false alarm) are left out unless "
            "--recheck. Writing the same worklist again "
            "records nothing new."
        ),
    )
    worklist.add_argument(
        "findings",
        nargs="?",
        type=Path,
        metavar="FINDINGS",
        help="findings.parquet / findings.csv of `auditkit rules`, or the folder holding them "
        "(default: the register's open findings)",
    )
    add_db_option(worklist)
    worklist.add_argument(
        "--register",
        action="store_true",
        help="with FINDINGS: record the findings written as sent (they must be in the register)",
    )
    worklist.add_argument("--district", metavar="D", help="only this district")
    worklist.add_argument(
        "--by",
        choices=SELECTIONS,
        default="revenue",
        help="revenue: top N by revenue at stake; score: top N by score; high: every "
        "high-severity finding (top N of them with --top); sample: a random --share, to "
        "measure each rule's real precision (default revenue)",
    )
    worklist.add_argument(
        "--top",
        type=int,
        metavar="N",
        help="findings per district: needed with --by revenue or score; with high, at most N "
        "of them (default: every one)",
    )
    worklist.add_argument(
        "--share",
        type=float,
        metavar="S",
        help="share of each district's findings, above 0 and at most 1: needed with --by sample",
    )
    worklist.add_argument(
        "--seed", type=int, default=0, help="seed of the random share (default 0)"
    )
    worklist.add_argument(
        "--recheck",
        action="store_true",
        help="with the register: also send findings the field has already decided (confirmed "
        "or a false alarm), e.g. a cross-audit re-checking a self-audit's false alarms "
        "(default: they are left out, and the count is printed)",
    )
    worklist.add_argument(
        "--data",
        type=Path,
        metavar="DATA_DIR",
        help="the dataset folder the findings were made from: adds each customer's name, "
        "address and phone (masked unless --no-mask) so the field can find them; refused when "
        "it lacks a finding's customer or holds one in another district",
    )
    worklist.add_argument(
        "--no-mask",
        dest="mask",
        action="store_false",
        help="write name, address and phone unmasked (they are masked by default)",
    )
    worklist.add_argument(
        "--auditor",
        metavar="DISTRICT",
        help="cross-audit: the district bureau whose team checks these sheets (recorded with "
        "every outcome; default: each district checks its own findings, a self-audit)",
    )
    worklist.add_argument(
        "--sent-by",
        dest="sent_by",
        metavar="NAME",
        help="who sends the worklist, recorded with 'sent' (default: the login name)",
    )
    worklist.add_argument(
        "--lang",
        choices=i18n.LANGS,
        default=i18n.DEFAULT_LANG,
        help=f"language of the sheets (default {i18n.DEFAULT_LANG})",
    )
    worklist.add_argument(
        "--out", type=Path, required=True, metavar="FOLDER", help="folder for the sheets"
    )
    worklist.set_defaults(func=run_worklist)

    area = subparsers.add_parser(
        "register",
        help="the findings register: import returned worklist sheets",
        description="Work with the findings register (see docs/register.md).",
    )
    verbs = area.add_subparsers(dest="verb", metavar="VERB", required=True)
    importing = verbs.add_parser(
        "import",
        help="record the outcomes of returned worklist sheets",
        description=(
            "Read each returned worklist sheet and record its filled rows as outcome events. "
            "Every problem is one line naming the file, sheet, row and column; nothing is "
            "recorded from a sheet with a problem (the other sheets are), and the exit code is "
            "non-zero. Importing a sheet again records nothing new; a sheet whose rows were "
            "imported before with other values (a corrected amount or verdict) is refused unless "
            "--correct, which records them as corrections superseding the earlier events. A "
            "row left blank keeps the outcome recorded for it, with a note (the sheet may be "
            "another copy of the worklist); --withdraw-emptied withdraws such outcomes. A "
            "lock file Excel, WPS or LibreOffice keeps beside a workbook it has open (~$NAME.xlsx, "
            ".~lock.NAME.xlsx#) is skipped, not a sheet; a sheet open in one is imported as last "
            "saved, with a warning that the edits not saved yet are not in it."
        ),
    )
    importing.add_argument(
        "sheets", nargs="+", type=Path, metavar="SHEET", help="returned worklist sheets (.xlsx)"
    )
    add_db_option(importing)
    importing.add_argument(
        "--correct",
        action="store_true",
        help="the sheets correct rows imported before (an amount or verdict typed wrong): "
        "record each changed row as a correction that supersedes the row's earlier event, "
        "which stays in the trail (default: a changed row refuses its sheet, naming the cell, "
        "the recorded value and the new one)",
    )
    importing.add_argument(
        "--withdraw-emptied",
        dest="withdraw_emptied",
        action="store_true",
        help="withdraw the recorded outcome of every row left blank on the sheets (rows emptied "
        "on purpose, on a sheet with rows filled or with every row emptied; the findings are "
        "undecided again and go out on the next worklist), whoever recorded it, each named, but "
        "not of a row another sheet of the same import fills (copies of one worklist returned "
        "together) (default: a blank row whose outcome was recorded, e.g. on another copy of "
        "the worklist, is kept as recorded, with a note)",
    )
    importing.add_argument(
        "--large-amounts",
        dest="large_amounts",
        action="store_true",
        help="accept recovered amounts above 10 × the row's revenue at stake (and 1,000 yuan), "
        "checked to be that large (default: refused as a slip, an amount in fen or a pasted "
        "number)",
    )
    importing.set_defaults(func=run_import)


def run_worklist(args: argparse.Namespace) -> int:
    """Choose the findings, write one sheet per district, record them as sent. The sheets are
    written in a hidden folder of `--out`, recorded, and only then put in place: a recording
    that fails (a read-only database user, a lock not taken) leaves no sheet behind. What was
    done is said only once every sheet is in place: a reader of stdout that stops early
    (`| head`) never leaves findings recorded as sent with no sheet."""
    from auditkit.atomic import locked_while_written, signals_held
    from auditkit.pipeline.partials import PARTIAL_SUFFIX, WORKLIST_STAGING_PREFIX
    from auditkit.register import Register, select_worklist, write_worklist
    from auditkit.register.texts import checked_register_text
    from auditkit.register.worklist import checked_limits, unmasked_warning

    with parameters_named(flags("top", "share")):  # before the register is read
        checked_limits(args.by, args.top, args.share)
    if args.sent_by is not None:  # checked as the register checks them, before any sheet
        checked_register_text("actor", args.sent_by, "--sent-by")
    if args.auditor is not None:
        checked_register_text("auditor", args.auditor, "--auditor")
    use_register = args.findings is None or args.register or args.db is not None
    if args.recheck and not use_register:
        raise ParameterError(
            "--recheck", "with the register (no FINDINGS, or --register / --db)", "no register"
        )
    store = Register.open_present(args.db) if use_register else None
    try:
        if args.findings is None:
            findings = _open_findings(store, args.district)
            origin = f"register {store.url}"
        else:
            findings, origin = _findings_file(args.findings), str(args.findings)
        _check_auditor(args.auditor, store, findings)
        if args.findings is not None:
            if args.district:
                findings = _of_district(findings, args.district)
            if store is not None:  # reopened findings and the data's month, as from the register
                findings = store.state_of(findings)
        if args.data is not None:
            findings = _with_personal(findings, args.data)
        print(f"{len(findings)} findings from {origin}")
        with parameters_named({"district": "--district"}):
            trail = None if store is None else store.outcomes(district=args.district)
        if trail is not None and not args.recheck:
            findings = _without_decided(findings, trail)
        worklist = select_worklist(
            findings, by=args.by, top=args.top, share=args.share, seed=args.seed
        )
        if store is not None:
            _refuse_unknown(store, worklist, origin)
        print(f"{len(worklist)} chosen by {args.by}")
        if worklist.empty:
            print("no findings chosen: no sheet written")
            return 0
        sheets = []
        for district, rows in worklist.groupby("district", sort=True):
            sheet = rows.reset_index(drop=True)
            sheet.attrs = dict(worklist.attrs)
            path = args.out / f"worklist-{safe_name(str(district))}.xlsx"
            sheets.append((district, path, sheet))
        for _, path, _ in sheets:  # every sheet checked before any is written
            _refuse_unimported(path, store)
        sent_by = None if store is None else args.sent_by or _login()
        args.out.mkdir(parents=True, exist_ok=True)
        _say_dead_worklists(args.out)
        staging = Path(
            tempfile.mkdtemp(prefix=WORKLIST_STAGING_PREFIX, suffix=PARTIAL_SUFFIX, dir=args.out)
        )
        try:
            with locked_while_written(staging):
                staged = [
                    (write_worklist(sheet, staging / path.name, lang=args.lang, mask=args.mask,
                                    auditor=args.auditor), sheet)
                    for _, path, sheet in sheets
                ]  # fmt: skip
                # Ctrl-C from the recording on is handled once every sheet is in place: none
                # recorded as sent is left unwritten, nor any in place left unrecorded
                with signals_held():
                    said_sent = (
                        None
                        if store is None
                        else _record_sent(store, staged, sent_by, args.auditor, trail)
                    )
                    for (_, path, _), (written, _) in zip(sheets, staged, strict=True):
                        os.replace(written, path)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        # said once every sheet is in place: a reader of stdout gone (`| head`) removes nothing
        if said_sent is not None:
            print(said_sent)
        for district, path, sheet in sheets:
            print(f"{district}: {len(sheet)} of "
                  f"{int(sheet['district_findings'].iloc[0])} findings: {path}")  # fmt: skip
        if not args.mask and (warning := unmasked_warning(worklist, args.lang)):
            print(f"auditkit worklist: {warning}", file=sys.stderr)
    finally:
        if store is not None:
            store.close()
    return 0


def _say_dead_worklists(out: Path) -> None:
    """Say on stderr when a killed `auditkit worklist` left staged sheets in `out` that `auditkit
    clean` may remove (dead: unlocked and left an hour)."""
    from auditkit.pipeline.partials import find_worklist_partials

    dead = [partial for partial in find_worklist_partials(out) if partial.state == "dead"]
    if dead:
        print(
            f"auditkit worklist: note: {len(dead)} folder(s) of worklists whose writing died are "
            f"left in {out}; `auditkit clean --worklists {out}` lists them, `--yes` removes them",
            file=sys.stderr,
        )


def run_import(args: argparse.Namespace) -> int:
    """Record the outcome events of each returned sheet; refuse a sheet with any problem. Every
    sheet is read before any is recorded, so that a row blank on one copy of a worklist and
    filled on another copy of the same import is never taken as emptied, in either order."""
    from auditkit.register import Register, RegisterError, read_worklist
    from auditkit.register.sheet import WORKLIST_SHEET
    from auditkit.register.store import CheckedBeforeSent, OutcomeConflict

    sheets = without_lock_files(args.sheets, IMPORTING)
    problems: list[str] = []
    refused = 0
    with Register.open_present(args.db) as store:
        known = set(store.findings(columns=["finding_key"])["finding_key"])
        months = store.runs()["as_of"]
        latest = None if months.empty else str(months.max())
        # the days each worklist was sent, so a check dated before is named with the sheet's
        # other problems, not in a second round (read per worklist, as the store checks them)
        sent_days = store.sent_days()
        read = []
        for path in sheets:
            warn_if_open(path, IMPORTING)
            try:
                read.append(
                    (path, read_worklist(path, large_amounts=args.large_amounts,
                                         sent_days=sent_days))
                )  # fmt: skip
            except RegisterError as error:
                problems.extend(error.problems)
                refused += 1
        filled_on = _filled_on(read)
        named = _WorklistNames(store, read)
        for path, events in read:
            rows = events.attrs.get("sheet_rows", {})  # where each row is now, if moved
            sheet = events.attrs.get("sheet", WORKLIST_SHEET)
            unknown = [
                f"worklist {path.name!r}, sheet {sheet!r}, row {rows.get(key, row)}, "
                f"column finding_key: expected a finding of the register {store.url}, found "
                f"{key!r}"
                for key, row in zip(events["finding_key"], events["source_row"], strict=True)
                if key not in known
            ]
            if unknown:
                problems.extend(unknown)
                refused += 1
                continue
            # a blank row whose outcome was recorded is withdrawn only when asked: the sheet may
            # be another copy of the worklist, its rows filled by someone else on theirs; and
            # never when another sheet of this import fills it (two copies returned together)
            blank = events.attrs.get("blank_rows", [])
            if events.empty and not _recorded_blank_rows(store, blank):
                # the sheet as sent, or not checked yet: nothing to record nor withdraw
                print(f"{path}: no outcome filled in yet, nothing to record")
                continue
            unrecorded = _unrecorded_month(path, events, store, latest)
            if unrecorded is not None:
                problems.append(unrecorded)
                refused += 1
                continue
            rows = {**{row["finding_key"]: row["sheet_row"] for row in blank}, **rows}
            withdrawable = [row for row in blank if not _filled_elsewhere(row, path, filled_on)]
            try:
                # a withdrawal is signed by the login name (the store's default): no login
                # name is no reason to refuse an import that withdraws nothing
                done, withdrawn = _record(store, events, withdrawable, args)
            except OutcomeConflict as conflict:
                problems.extend(_conflict_lines(conflict, path, sheet, rows, named))
                refused += 1
                continue
            except CheckedBeforeSent as early:
                problems.extend(
                    f"worklist {path.name!r}, sheet {sheet!r}, "
                    f"row {rows.get(row['finding_key'], row['source_row'])}, column checked_on: "
                    f"expected a date on or after {sent.isoformat()} (the day this worklist was "
                    f"recorded as sent), found {row['happened_at'].isoformat()}"
                    for row, sent in early.early
                )
                refused += 1
                continue
            corrected = f", {done.corrected} of them corrections" if done.corrected else ""
            if done.withdrawn:
                corrected += (
                    f", {done.withdrawn} of them withdrawals of the outcome of a row emptied "
                    "(the finding is undecided again)"
                )
            print(
                f"{path}: {done.recorded} outcome events recorded{corrected}, already recorded "
                f"{done.already_recorded}"
            )
            for row, other in done.elsewhere:
                print(
                    f"  row {rows.get(row['finding_key'], row['source_row'])}: the same outcome "
                    f"({_described(row)}) is recorded from another worklist already, "
                    f"{named(other.source, other.source_row, other.finding_key)}: counted once, "
                    "not recorded again"
                )
            _say_withdrawn(withdrawn, rows, named)
            if args.withdraw_emptied:
                _say_filled_elsewhere(blank, path, filled_on)
            else:
                _say_blank_rows_kept(store, blank, named)
        _say_coerced_actors(store)
    if problems:
        raise RegisterError(
            f"{refused} of {len(sheets)} sheets refused, nothing recorded from them; "
            "correct them and import again",
            problems,
        )
    return 0


def _say_coerced_actors(store: Register, shown: int = 10) -> None:
    """Say on stderr which outcomes in force name as who checked a date, a time or TRUE/FALSE a
    spreadsheet made of the cell (`Register.coerced_actors`: imported before such cells were
    refused), the first `shown` by what the user sees of the sheet (district, day sent, row,
    customer: the worklist's internal id is on no sheet), and how to set them right."""
    from auditkit.register.store import worklist_name

    coerced = store.coerced_actors()
    if coerced.empty:
        return
    named = "; ".join(
        f"{worklist_name(row.district, row.sent_on)} row {row.source_row} (customer "
        f"{row.customer_id}: {row.event}, checked_by {row.actor!r})"
        for row in coerced.head(shown).itertuples()
    )
    more = f"; and {len(coerced) - shown} more" if len(coerced) > shown else ""
    print(
        f"auditkit register import: note: the register {store.url} holds {len(coerced)} "
        f"outcome(s) whose checked_by is no name but a date, time or TRUE/FALSE a spreadsheet "
        f"made of the cell (imported before such cells were refused): {named}{more}; type who "
        "checked as text on those sheets and import them again with --correct",
        file=sys.stderr,
    )


class _WorklistNames:
    """How `register import` names the worklist an outcome was recorded from, never by its
    internal id (`worklist:<id>`, on no sheet): by its path as given on the command line when
    sheets of this import are that worklist (each of them, for copies returned together, and
    the row where the finding is now in it: `read_worklist`'s `sheet_rows`), else as the
    register knows it (`Register.worklist_names`: its district, the day and time it was sent
    and who sent it), each read once."""

    def __init__(self, store: Register, read: list[tuple[Path, pd.DataFrame]]) -> None:
        self._files: dict[str, list[tuple[str, dict]]] = {}
        for path, events in read:
            blank = events.attrs.get("blank_rows", [])
            rows = events.attrs.get("sheet_rows", {})
            for source in dict.fromkeys([*events["source"], *(row["source"] for row in blank)]):
                self._files.setdefault(str(source), []).append((str(path), rows))
        self._store = store
        self._known: dict[str, str] = {}

    def __call__(self, source: object, row: object, finding_key: object = None) -> str:
        """The worklist row of `source` that holds `finding_key`: worklist 'returned/a.xlsx'
        row 3 (the row the finding is in now, when the sheet is in this import), or the 城东
        worklist sent 2026-12-07 09:14 UTC by 王工 row 3."""
        source = str(source)
        if source in self._files:
            sheets = self._files[source]
            names = " / ".join(repr(path) for path, _ in sheets)
            now = {rows.get(str(finding_key), row) for _, rows in sheets}
            return f"worklist {names} row {now.pop() if len(now) == 1 else row}"
        if source not in self._known:
            self._known.update(self._store.worklist_names([source]))
        return f"{self._known[source]} row {row}"


def _filled_on(read: list[tuple[Path, pd.DataFrame]]) -> dict[str, list[tuple[Path, str]]]:
    """finding_key -> the sheets read by this import that fill a row of that finding, each
    with its worklist (source): the copies of one worklist returned together, each filled in
    part, or two worklists the finding went out on (one check, its outcome recorded once)."""
    filled: dict[str, list[tuple[Path, str]]] = {}
    for path, events in read:
        pairs = zip(events["finding_key"], events["source"], strict=True)
        for key, source in dict.fromkeys(pairs):
            filled.setdefault(str(key), []).append((path, str(source)))
    return filled


def _filled_elsewhere(
    row: dict, path: Path, filled_on: dict[str, list[tuple[Path, str]]]
) -> list[tuple[Path, str]]:
    """The other sheets of this import (with their worklist) that fill the finding of the row
    blank on the sheet at `path`: another copy of the worklist, or another worklist of the same
    check, whose outcome the register holds once for both. The row is no request to withdraw."""
    return [other for other in filled_on.get(str(row["finding_key"]), []) if other[0] != path]


def _record(
    store: Register, events: pd.DataFrame, blank: list[dict], args: argparse.Namespace
) -> tuple[OutcomeImport, list[tuple[dict, object]]]:
    """Record a returned sheet's `events`, and the outcomes withdrawn with them: with
    --withdraw-emptied the recorded outcome of each of its `blank` rows is withdrawn too
    (each as (the blank row, the event withdrawn), so it is named); without --correct only
    when those withdrawals are all the sheet changes (a changed filled row still refuses the
    sheet, as without the flag)."""
    from auditkit.register.store import OutcomeConflict

    if not args.withdraw_emptied:
        return store.record_outcomes(events, correct=args.correct), []
    try:
        return store.record_outcomes(events, blank_rows=blank), []
    except OutcomeConflict as conflict:
        changed = [pair for pair, why in zip(conflict.conflicts, conflict.reasons, strict=True)
                   if why != "emptied"]  # fmt: skip
        if changed and not args.correct:
            raise
        withdrawn = [pair for pair, why in zip(conflict.conflicts, conflict.reasons, strict=True)
                     if why == "emptied"]  # fmt: skip
    return store.record_outcomes(events, correct=True, blank_rows=blank), withdrawn


def _say_withdrawn(
    withdrawn: list[tuple[dict, object]], rows: dict[str, int], named: _WorklistNames
) -> None:
    """Name each outcome just withdrawn: the sheet's row emptied and the verdict it held (who,
    what, when, and the worklist row it was recorded from)."""
    for row, held in withdrawn:
        where = (
            f"row {held.source_row} of this worklist"
            if held.source == row["source"]
            else f"another worklist, {named(held.source, held.source_row, held.finding_key)}"
        )
        print(
            f"  row {rows.get(row['finding_key'], row['source_row'])}: emptied on this sheet; "
            f"the outcome recorded for it "
            f"({_described({n: getattr(held, n) for n in OUTCOME_WORDS})}, from {where}) is "
            "withdrawn"
        )


def _say_filled_elsewhere(
    blank: list[dict], path: Path, filled_on: dict[str, list[tuple[Path, str]]]
) -> None:
    """Name each `blank` row of the sheet at `path` whose finding another sheet of this import
    fills, not withdrawn for --withdraw-emptied: a copy of the same worklist, or another
    worklist the finding went out on."""
    for row in blank:
        others = _filled_elsewhere(row, path, filled_on)
        if others:
            copies = all(source == str(row["source"]) for _, source in others)
            what = "another copy of the worklist" if copies else "another worklist of the finding"
            print(
                f"  row {row['sheet_row']}: blank on this sheet, filled on "
                f"{', '.join(str(other) for other, _ in others)} in this import ({what}): "
                "not withdrawn"
            )


def _recorded_blank_rows(store: Register, blank: list[dict]) -> list[dict]:
    """The `blank` rows of a returned sheet whose outcome the register holds (rows emptied since
    they were imported, or filled on another copy of the worklist)."""
    return [row for row, _held in store.recorded_blank_rows(blank)]


def _say_blank_rows_kept(store: Register, blank: list[dict], named: _WorklistNames) -> None:
    """Say which `blank` rows of a sheet just imported have an outcome recorded, kept as it
    is (the outcome in force of the row's check, as the store holds it: the one
    --withdraw-emptied would withdraw): the sheet may be another copy of the worklist whose
    rows someone else filled on theirs, so a blank row is no request to withdraw."""
    kept = 0
    for row, held in store.recorded_blank_rows(blank):
        where = (
            f"row {held['source_row']} of this worklist: another copy of it, or this sheet "
            "before the row was emptied"
            if held["source"] == row["source"]
            else "another worklist, "
            f"{named(held['source'], held['source_row'], held['finding_key'])}"
        )
        kept += 1
        print(
            f"  row {row['sheet_row']}: blank on this sheet; the outcome recorded for it "
            f"({_described(held)}, from {where}) is kept"
        )
    if kept:
        print(
            f"  {kept} blank row(s) kept as recorded; to withdraw outcomes whose rows were "
            "emptied on purpose, import the sheet with --withdraw-emptied, which withdraws the "
            "outcome of every such row of the sheet not filled on another sheet of the same "
            "import, whoever recorded it"
        )


def _unrecorded_month(
    path: Path, events: pd.DataFrame, store: Register, latest: str | None
) -> str | None:
    """The line refusing a returned sheet made from the findings of a month after the latest
    the register recorded, and never recorded as sent (None: the sheet may be imported). Its
    outcomes would count in the audit cycle for a month the register has no run of, on
    findings as the register has not seen them: the month's run is recorded first. A sheet
    with no outcome filled records none (its blank rows withdraw only what was recorded)."""
    month = events.attrs.get("as_of")
    if events.empty or not isinstance(month, str) or latest is None or month <= latest:
        return None
    source = events["source"].iloc[0]
    trail = store.outcomes(finding_key=events["finding_key"].iloc[0])
    if ((trail["event"] == "sent") & (trail["source"] == source)).any():
        return None
    return (
        f"worklist {path.name!r}: expected a worklist of a month the register {store.url} has "
        f"recorded (its latest is {latest}) or one recorded as sent, found a worklist of "
        f"{month} never sent: record the run of {month} first (auditkit rules --register), "
        "then import it"
    )


def _conflict_lines(
    conflict: OutcomeConflict,
    path: Path,
    sheet: str,
    rows: dict[str, int],
    named: _WorklistNames,
) -> list[str]:
    """One line per cell of a returned sheet that differs from what the register recorded for
    its row: the file, sheet, row as it is now, column, recorded and new value."""
    from auditkit.errors import shown
    from auditkit.register.schema import SHEET_COLUMNS
    from auditkit.register.store import changed_values

    lines = []
    for (row, held), reason in zip(conflict.conflicts, conflict.reasons, strict=True):
        where = f"worklist {path.name!r}, sheet {sheet!r}, "
        where += f"row {rows.get(row['finding_key'], row['source_row'])}"
        if reason == "withdrawn":
            lines.append(
                f"{where}: the outcome of this check was withdrawn "
                f"({named(held.source, held.source_row, held.finding_key)}, by {held.actor} on "
                f"{held.happened_at.isoformat()}), found "
                f"{_described(row) if row['event'] is not None else 'nothing'}: import with "
                "--correct to enter it again, or empty the row as withdrawn"
            )
            continue
        if reason == "emptied":  # a blank row asked withdrawn: not what refuses the sheet
            continue
        if reason == "another_day":
            before = (
                f" on another worklist ({named(held.source, held.source_row, held.finding_key)}, "
                f"{_described({n: getattr(held, n) for n in OUTCOME_WORDS})})"
            )
            advice = (
                "the same outcome and amount sent on two worklists, dated otherwise, would count "
                "its money twice: put the other sheet's date if it is one recovery, or import "
                "with --correct if this sheet's date is right; a further recovery of the same "
                "amount goes on a later worklist (auditkit worklist --recheck)"
            )
        elif reason == "another_worklist":
            before = (
                f" on another worklist ({named(held.source, held.source_row, held.finding_key)}, "
                f"checked {held.happened_at.isoformat()} by {held.actor})"
            )
            advice = (
                "a finding is checked once a day: import with --correct if this sheet corrects "
                "the other; a further recovery or a later outcome is dated the day it happened"
            )
        else:
            before = " (imported before)"
            advice = (
                "import with --correct if the sheet corrects it; a later outcome goes on a "
                "later worklist"
            )
        lines += [
            f"{where}, column {SHEET_COLUMNS[column]}: recorded {shown(recorded)}{before}, "
            f"found {shown(found)}: {advice}"
            for column, recorded, found in changed_values(row, held)
        ]
    return lines


#: What `_described` says of an outcome.
OUTCOME_WORDS = ("event", "amount", "actor", "happened_at")


def _described(row: dict) -> str:
    """An outcome event in a few words: 'recovered 30000.0 by 李四 on 2026-12-07'."""
    amount = "" if row["amount"] is None else f" {row['amount']}"
    return f"{row['event']}{amount} by {row['actor']} on {row['happened_at'].isoformat()}"


def _check_auditor(auditor: str | None, store: Register | None, findings: pd.DataFrame) -> None:
    """`--auditor` names a district bureau known before any sheet is written: one of the
    register's districts (else the findings file's): a typo ('城西区') would record a phantom
    cross-audit bureau with every outcome."""
    import pandas as pd

    if auditor is None:
        return
    if store is None:
        held = findings.get("district", pd.Series(dtype=object))
    else:
        held = store.findings(columns=["district"])["district"]
    known = sorted({str(district) for district in held if isinstance(district, str) and district})
    where = "the findings" if store is None else f"the register {store.url}"
    if auditor not in known:
        raise ParameterError(
            "--auditor", f"a district of {where}, one of {', '.join(known) or '(none)'}", auditor
        )


def _of_district(findings: pd.DataFrame, district: str) -> pd.DataFrame:
    """The findings of `district` (a findings file's); a district none of them is of is a
    ParameterError, as with the register: a typo would write no sheet and say nothing wrong."""
    known = sorted({str(name) for name in findings["district"]})
    if district not in known:
        raise ParameterError(
            "--district", f"a district of the findings, one of {', '.join(known) or '(none)'}",
            district,
        )  # fmt: skip
    return findings[findings["district"] == district]


def _open_findings(store: Register, district: str | None) -> pd.DataFrame:
    """The register's open findings (of `district`), with `as_of` the latest month recorded and
    the month each was last reopened (`reopened_as_of`, as `Register.state_of` gives it)."""
    from auditkit.register.store import OPEN_STATUSES

    with parameters_named({"district": "--district"}):  # one the register does not know
        findings = store.findings(district)
    if district is not None and findings.empty:
        raise ParameterError("--district", f"a district of the register {store.url}", district)
    findings = findings[findings["status"].isin(OPEN_STATUSES)].reset_index(drop=True)
    findings["reopened_as_of"] = findings["finding_key"].map(store.reopened_months())
    if not findings.empty:
        findings.attrs["as_of"] = str(findings["last_as_of"].max())
    return findings


def _without_decided(findings: pd.DataFrame, trail: pd.DataFrame) -> pd.DataFrame:
    """The findings the field has not decided yet by the outcome `trail`; prints how many
    decided ones it left out."""
    from auditkit.register.decided import undecided

    kept = undecided(findings, trail)
    counts = kept.attrs["decided"]
    if sum(counts.values()):
        print(
            f"{sum(counts.values())} findings already decided in the field left out "
            f"(confirmed {counts['confirmed']}, false alarm {counts['false_alarm']}); "
            "--recheck sends them again"
        )
    return kept


def _refuse_unimported(path: Path, store: Register | None) -> None:
    """Refuse to write a worklist over a sheet at `path` that may hold field outcomes not yet in
    the register: a returned sheet not imported (or any filled sheet when no register is used)
    would be lost, and so would the edits not saved yet of a sheet an office program has open
    (a lock file beside it), and so would anything the field typed outside the worklist's own
    cells (a notes column, a sheet added: `read_worklist`'s `attrs["own_cells"]`), which the
    register does not keep, and so would a row the field emptied on a returned sheet (one with
    an outcome filled) whose outcome is recorded: a withdrawal only an import with
    --withdraw-emptied records. A sheet that cannot be read is named with its reason (the cells
    to correct of a returned sheet). A sheet with nothing filled, or whose outcomes are all
    recorded, none of its rows emptied, and nothing of the field's own, may go.
    Large recovered amounts are read as they are: this asks only whether they are recorded."""
    from auditkit.register import RegisterError, read_worklist
    from auditkit.workbooks import refuse_if_open

    if not path.exists():
        return
    refuse_if_open(path, "--out", "a folder whose sheets no office program has open")
    try:
        events = read_worklist(path, large_amounts=True)
    except RegisterError as error:
        raise ParameterError(
            "--out",
            "a folder without that sheet, or one whose sheet is a worklist of auditkit",
            f"{path}, {_unread_sheet(error)}",
        ) from None
    # the filled rows, as import reads them: each one in the register or to be imported
    unrecorded = len(events) if store is None else store.not_recorded(events)
    if unrecorded:
        raise ParameterError(
            "--out",
            "a folder without filled sheets that are not imported yet",
            f"{path} with {unrecorded} outcome(s) not in the register: import it first "
            "(auditkit register import) or write the worklist to another folder",
        )
    # a returned sheet (an outcome filled) with a recorded row blank: the field may have
    # emptied it to withdraw the outcome, which only an import with --withdraw-emptied records
    blank = events.attrs.get("blank_rows", [])
    emptied = [] if store is None or events.empty else _recorded_blank_rows(store, blank)
    if emptied:
        raise ParameterError(
            "--out",
            "a folder without returned sheets whose changes are not in the register",
            f"{path}, whose row(s) {', '.join(str(row['sheet_row']) for row in emptied)} are "
            "blank but have an outcome recorded (emptied by the field?): import it with "
            "--withdraw-emptied if they were emptied on purpose (auditkit register import), or "
            "move it away first (another copy of the worklist, its rows filled on another one) "
            "or write the worklist to another folder",
        )
    own = events.attrs.get("own_cells", [])
    if own:
        raise ParameterError(
            "--out",
            "a folder whose sheets hold nothing but the worklist's cells",
            f"{path}, which holds what the field typed besides the worklist ({'; '.join(own)}), "
            "kept nowhere else: move it away first or write the worklist to another folder",
        )


def _unread_sheet(error: RegisterError) -> str:
    """What keeps a sheet in `--out` from being read, as `read_worklist` said it, and what to do:
    its cells to correct (a returned sheet, to correct and import), or why it is no worklist."""
    if str(error) == error.problems[0]:  # one reason, no cell: not read as a worklist
        return f"which cannot be read as a worklist ({error.problems[0]}): move it away first"
    return (
        f"a worklist with cells to correct before it can be read ({'; '.join(error.problems)}): "
        "correct them and import it (auditkit register import; with --correct if its rows were "
        "imported before), or move it away first"
    )


def _findings_file(path: Path) -> pd.DataFrame:
    """The findings `auditkit rules` wrote (the file, or the Parquet, else CSV, in the folder),
    held to the findings contract before anything is chosen or written
    (`register.findings_file`)."""
    from auditkit.register.findings_file import read_findings_file

    return read_findings_file(path, "FINDINGS")


def _with_personal(findings: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    """The findings with each customer's name, address and phone from the dataset. Refused
    when the dataset is not the one the findings were made from (`_refuse_other_dataset`):
    a customer it lacks would go out with no name, address nor phone, one of another district
    with another person's."""
    from auditkit.data import load
    from auditkit.masking import PERSONAL_COLUMNS

    customers = load(data_dir).customers
    personal = [column for column in PERSONAL_COLUMNS if column in customers.columns]
    table = customers[["customer_id", *personal]].astype({"customer_id": str})
    kept = findings.drop(columns=[c for c in personal if c in findings.columns])
    kept = kept.astype({"customer_id": str})
    _refuse_other_dataset(kept, customers, data_dir)
    joined = kept.merge(table, on="customer_id", how="left")
    joined.attrs = dict(findings.attrs)
    return joined


#: How many customers the error of a dataset that does not match the findings names.
NAMED_CUSTOMERS = 5


def _refuse_other_dataset(findings: pd.DataFrame, customers: pd.DataFrame, data_dir: Path) -> None:
    """A ParameterError naming `--data` when the dataset at `data_dir` (its `customers`) is not
    the one the findings were made from: it lacks a customer of a finding, or holds one in
    another district than the finding's (another utility's ids, another export). The dataset
    the findings were made from holds every customer of them in the district the finding
    names, closed accounts included, so any such customer refuses the whole worklist: the
    first NAMED_CUSTOMERS in sorted order are named, and how many there are. Customer ids are
    not personal fields (the sheets show them unmasked); names, addresses and phones are never
    shown."""
    districts = dict(
        zip(customers["customer_id"].astype(str), customers["district"].astype(str), strict=True)
    )
    pairs = findings[["customer_id", "district"]].astype(str).drop_duplicates()
    wanted = sorted(set(pairs["customer_id"]))
    missing = sorted(set(pairs.loc[~pairs["customer_id"].isin(districts), "customer_id"]))
    moved = sorted(
        f"{customer} in {districts[customer]}, not {district}"
        for customer, district in pairs.itertuples(index=False)
        if customer in districts and districts[customer] != district
    )
    found = []
    if missing:
        found.append(f"lacks {len(missing):,} of the {len(wanted):,} customers of the findings "
                     f"({_some(missing)})")  # fmt: skip
    if moved:
        of = "" if missing else f" of the {len(wanted):,} customers of the findings"
        found.append(
            f"holds {len(moved):,}{of} in another district than their findings name ({_some(moved)})"
        )
    if found:
        raise ParameterError(
            "--data",
            "the dataset the findings were made from, holding the customer of every finding in "
            "its district (their name, address and phone go on the sheets; without --data the "
            "sheets go without them)",
            f"{data_dir}, which {' and '.join(found)}",
        )


def _some(customers: list[str]) -> str:
    """The first NAMED_CUSTOMERS of `customers` and how many more: 'a; b; c; d; e and 2 more'."""
    more = len(customers) - NAMED_CUSTOMERS
    return "; ".join(customers[:NAMED_CUSTOMERS]) + (f" and {more:,} more" if more > 0 else "")


def _refuse_unknown(store: Register, worklist: pd.DataFrame, origin: str) -> None:
    """Refuse, before any sheet is written, findings the register does not hold."""
    from auditkit.register import RegisterError

    known = set(store.findings(columns=["finding_key"])["finding_key"])
    unknown = worklist.loc[~worklist["finding_key"].isin(known)]
    if not unknown.empty:
        lines = [
            f"{origin}: finding {key} (customer {customer}, rule {rule}, from {start}): "
            f"expected a finding of the register {store.url}, found none"
            for key, customer, rule, start in unknown[
                ["finding_key", "customer_id", "rule_id", "period_from"]
            ].itertuples(index=False)
        ]
        raise RegisterError(
            f"{len(unknown)} findings chosen are not in the register: record their run first "
            "(`auditkit rules DATA_DIR --register`); no sheet written",
            lines,
        )


def _record_sent(
    store: Register,
    written: list[tuple[Path, pd.DataFrame]],
    actor: str,
    auditor: str | None,
    trail: pd.DataFrame,
) -> str:
    """Record each finding written as `sent` (`register.worklist_sent.record_sent`, as the API
    records it, against the outcome `trail` the worklist was chosen by, not read again); return
    the line saying how many were recorded and how many had been already, printed once the
    sheets are in place (a print that fails must not stop them going out)."""
    from auditkit.register.worklist_sent import record_sent

    recorded = record_sent(store, written, sent_by=actor, auditor=auditor, trail=trail)
    total = sum(len(sheet) for _, sheet in written)
    return (
        f"register {store.url}: {recorded} findings recorded as sent, already recorded "
        f"{total - recorded}"
    )


def _login() -> str:
    """The login name of who runs the command: the default sender of a worklist."""
    try:
        return getpass.getuser()
    except (OSError, KeyError) as error:
        raise ParameterError("--sent-by", "who sends the worklist (no login name)", None) from (
            error
        )

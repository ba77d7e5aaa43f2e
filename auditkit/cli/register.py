"""`auditkit worklist` and `auditkit register import`: the field loop of rule findings.

`auditkit worklist` chooses, per district, the findings to check this month and writes one
worklist sheet per district; when the findings come from the register (or `--register`/`--db`
is given) each finding written is recorded as `sent`. `auditkit register import` reads the
returned sheets and records their outcome events in the register.
"""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING

from auditkit import i18n
from auditkit.cli.register_options import add_db_option
from auditkit.cli.returned import ReturnedUse, warn_if_open, without_lock_files
from auditkit.errors import ParameterError
from auditkit.options.register import SELECTIONS
from auditkit.paths import safe_name

if TYPE_CHECKING:
    import pandas as pd

    from auditkit.register import Register
    from auditkit.register.store import OutcomeConflict

#: How `register import` speaks of the sheets it reads, in its warnings and errors.
IMPORTING = ReturnedUse(
    command="auditkit register import",
    parameter="SHEET",
    expected="a returned worklist sheet (.xlsx)",
    done="imported",
    then="import it",
    again=" (rows recorded now are not recorded twice; a row changed since needs --correct)",
)
#: Findings files `auditkit rules` writes; Parquet keeps every value exactly.
FINDINGS_FILES = ("findings.parquet", "findings.csv")
_TEXT_COLUMNS = ("rule_id", "customer_id", "district", "period_from", "period_to", "evidence_code")
#: Number columns of a findings file: ranked by the worklist and written as money in its sheets.
NUMBER_COLUMNS = ("revenue_impact", "penalty", "score")


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
        "--top", type=int, metavar="N", help="findings per district (revenue, score, high)"
    )
    worklist.add_argument(
        "--share", type=float, metavar="S", help="share of each district's findings (sample)"
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
        help="dataset folder: adds each customer's name, address and phone (masked unless "
        "--no-mask) so the field can find them",
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
        "--large-amounts",
        dest="large_amounts",
        action="store_true",
        help="accept recovered amounts above 10 × the row's revenue at stake (and 1,000 yuan), "
        "checked to be that large (default: refused as a slip, an amount in fen or a pasted "
        "number)",
    )
    importing.set_defaults(func=run_import)


def run_worklist(args: argparse.Namespace) -> int:
    """Choose the findings, write one sheet per district, record them as sent."""
    from auditkit.register import Register, select_worklist, write_worklist
    from auditkit.register.texts import checked_register_text

    if args.sent_by is not None:  # checked as the register checks them, before any sheet
        checked_register_text("actor", args.sent_by, "--sent-by")
    if args.auditor is not None:
        checked_register_text("auditor", args.auditor, "--auditor")
    use_register = args.findings is None or args.register or args.db is not None
    if args.recheck and not use_register:
        raise ParameterError(
            "--recheck", "with the register (no FINDINGS, or --register / --db)", "no register"
        )
    store = Register.open(args.db) if use_register else None
    try:
        if args.findings is None:
            findings = _open_findings(store, args.district)
            origin = f"register {store.url}"
        else:
            findings, origin = _findings_file(args.findings), str(args.findings)
        _check_auditor(args.auditor, store, findings)
        if args.findings is not None:
            if args.district:
                findings = findings[findings["district"] == args.district]
            if store is not None:  # reopened findings and the data's month, as from the register
                findings = store.state_of(findings)
        if args.data is not None:
            findings = _with_personal(findings, args.data)
        print(f"{len(findings)} findings from {origin}")
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
        written = []
        for district, path, sheet in sheets:
            write_worklist(sheet, path, lang=args.lang, mask=args.mask, auditor=args.auditor)
            written.append((path, sheet))
            print(f"{district}: {len(sheet)} of {int(sheet['district_findings'].iloc[0])} "
                  f"findings: {path}")  # fmt: skip
        if store is not None:
            _record_sent(store, trail, written, args.sent_by or _login(), args.auditor)
    finally:
        if store is not None:
            store.close()
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Record the outcome events of each returned sheet; refuse a sheet with any problem."""
    from auditkit.register import Register, RegisterError, read_worklist
    from auditkit.register.sheet import WORKLIST_SHEET
    from auditkit.register.store import CheckedBeforeSent, OutcomeConflict

    sheets = without_lock_files(args.sheets, IMPORTING)
    problems: list[str] = []
    refused = 0
    with Register.open(args.db) as store:
        known = set(store.findings(columns=["finding_key"])["finding_key"])
        for path in sheets:
            warn_if_open(path, IMPORTING)
            try:
                events = read_worklist(path, large_amounts=args.large_amounts)
            except RegisterError as error:
                problems.extend(error.problems)
                refused += 1
                continue
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
            if events.empty:
                print(f"{path}: no outcome filled in yet, nothing to record")
                continue
            try:
                done = store.record_outcomes(events, correct=args.correct)
            except OutcomeConflict as conflict:
                problems.extend(_conflict_lines(conflict, path, sheet, rows))
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
            print(
                f"{path}: {done.recorded} outcome events recorded{corrected}, already recorded "
                f"{done.already_recorded}"
            )
    if problems:
        raise RegisterError(
            f"{refused} of {len(sheets)} sheets refused, nothing recorded from them; "
            "correct them and import again",
            problems,
        )
    return 0


def _conflict_lines(
    conflict: OutcomeConflict, path: Path, sheet: str, rows: dict[str, int]
) -> list[str]:
    """One line per cell of a returned sheet that differs from what the register recorded for
    its row: the file, sheet, row as it is now, column, recorded and new value."""
    from auditkit.register.schema import SHEET_COLUMNS
    from auditkit.register.store import changed_values

    return [
        f"worklist {path.name!r}, sheet {sheet!r}, "
        f"row {rows.get(row['finding_key'], row['source_row'])}, column {SHEET_COLUMNS[column]}: "
        f"recorded {recorded!r} (imported before), found {found!r}: import with --correct if "
        "the sheet corrects it; a later outcome goes on a later worklist"
        for row, held in conflict.conflicts
        for column, recorded, found in changed_values(row, held)
    ]


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


def _open_findings(store: Register, district: str | None) -> pd.DataFrame:
    """The register's open findings (of `district`), with `as_of` the latest month recorded."""
    from auditkit.register.store import OPEN_STATUSES

    findings = store.findings(district)
    if district is not None and findings.empty:
        raise ParameterError("--district", f"a district of the register {store.url}", district)
    findings = findings[findings["status"].isin(OPEN_STATUSES)].reset_index(drop=True)
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
    (a lock file beside it). A sheet with nothing filled, or whose outcomes are all recorded,
    may go.
    Large recovered amounts are read as they are: this asks only whether they are recorded."""
    from auditkit.register import RegisterError, read_worklist
    from auditkit.workbooks import refuse_if_open

    if not path.exists():
        return
    refuse_if_open(path, "--out", "a folder whose sheets no office program has open")
    try:
        events = read_worklist(path, large_amounts=True)
    except RegisterError:
        raise ParameterError(
            "--out",
            "a folder without that sheet, or one whose sheet is a worklist of auditkit",
            f"{path}, which cannot be read as a worklist: move it away first",
        ) from None
    unrecorded = len(events) if store is None else store.not_recorded(events)
    if unrecorded:
        raise ParameterError(
            "--out",
            "a folder without filled sheets that are not imported yet",
            f"{path} with {unrecorded} outcome(s) not in the register: import it first "
            "(auditkit register import) or write the worklist to another folder",
        )


def _findings_file(path: Path) -> pd.DataFrame:
    """The findings `auditkit rules` wrote: the file, or the Parquet (else CSV) in the folder."""
    import pandas as pd

    from auditkit.data.side_csv import read_side_csv
    from auditkit.formulas import undefuse_frame

    if path.is_dir():
        present = [path / name for name in FINDINGS_FILES if (path / name).is_file()]
        if not present:
            raise ParameterError(
                "FINDINGS", f"a folder holding {' or '.join(FINDINGS_FILES)}", str(path)
            )
        path = present[0]
    suffix = path.suffix.lower()
    if not path.is_file() or suffix not in (".parquet", ".csv"):
        raise ParameterError(
            "FINDINGS", "an existing findings .parquet or .csv of `auditkit rules`", str(path)
        )
    if suffix == ".parquet":
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError) as error:
            raise ParameterError(
                "FINDINGS", "a findings file of `auditkit rules`", f"{path}: {error}"
            ) from None
    # Saved again by a spreadsheet it may be GBK; one that cannot be read whole names its row.
    frame = read_side_csv(path, dtype=dict.fromkeys(_TEXT_COLUMNS, str), na_filter=False)
    frame = undefuse_frame(frame)  # the CSV wrote '= for =, and '' for '
    _check_evidence(frame, path)
    return _numbers(frame, path)


def _numbers(findings: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The findings with NUMBER_COLUMNS as floats. A cell that is not a plain number (a blank,
    '562,823.15' saved by a spreadsheet, words) is named (file, row, column) before any sheet is
    written: ranked as text it would choose the wrong findings, and fail half way through the
    districts' sheets."""
    from auditkit.register.worklist import number_values

    first_row = 2 if path.suffix.lower() == ".csv" else 1  # a CSV's header is its row 1
    for column in NUMBER_COLUMNS:
        if column not in findings.columns:
            continue  # a file of other columns: the worklist's column check names what is missing
        values = findings[column]
        text = values  # a space no number reads (U+00A0, U+3000) is cut first
        if values.dtype.kind not in "iuf":
            text = values.map(lambda value: value.strip() if isinstance(value, str) else value)
        numbers, bad = number_values(text)
        if len(bad):
            more = f" (and {len(bad) - 1} more cells of the column)" if len(bad) > 1 else ""
            raise ParameterError(
                "FINDINGS",
                f"a number in every {column} cell (digits and a decimal point, no thousands "
                "separators, as `auditkit rules` writes it)",
                f"{path} row {bad[0] + first_row}, column {column}: {values.iloc[bad[0]]!r}{more}",
            )
        findings = findings.assign(**{column: numbers})
    return findings


def _check_evidence(findings: pd.DataFrame, path: Path) -> None:
    """Every finding's evidence reads as the clauses `auditkit rules` wrote: a hand-edited or
    broken row is named before any sheet is written, not half way through them."""
    from auditkit.rules.evidence import render

    if "evidence_code" not in findings.columns:
        return  # a file of other columns: the key columns' check names what is missing
    first_row = 2 if path.suffix.lower() == ".csv" else 1  # a CSV's header is its row 1
    for position, code in enumerate(findings["evidence_code"]):
        try:
            render(json.loads(code), "en")
        except (ValueError, TypeError, KeyError, AttributeError):
            shown = str(code) if len(str(code)) <= 60 else str(code)[:60] + "…"
            raise ParameterError(
                "FINDINGS",
                "evidence_code as `auditkit rules` writes it",
                f"{path} row {position + first_row}, column evidence_code: {shown!r}",
            ) from None


def _with_personal(findings: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    """The findings with each customer's name, address and phone from the dataset."""
    from auditkit.data import load
    from auditkit.masking import PERSONAL_COLUMNS

    customers = load(data_dir).customers
    personal = [column for column in PERSONAL_COLUMNS if column in customers.columns]
    table = customers[["customer_id", *personal]].astype({"customer_id": str})
    kept = findings.drop(columns=[c for c in personal if c in findings.columns])
    joined = kept.astype({"customer_id": str}).merge(table, on="customer_id", how="left")
    joined.attrs = dict(findings.attrs)
    return joined


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
    trail: pd.DataFrame,
    written: list[tuple[Path, pd.DataFrame]],
    actor: str,
    auditor: str | None,
) -> None:
    """Record each finding written as `sent` from its sheet and row, with the auditing bureau
    and how it was chosen; a finding already sent on the same worklist (the sheet written
    again, any day: a `sent` of the same source in `trail`, the register's outcomes read
    before the sheets were written) is not sent again."""
    import pandas as pd

    from auditkit.periods import today
    from auditkit.register.schema import EVENT_COLUMNS, OPTIONAL_EVENT_COLUMNS
    from auditkit.register.sheet import FIRST_DATA_ROW, worklist_source

    sent = trail.loc[trail["event"] == "sent", ["finding_key", "source"]]
    already = set(zip(sent["finding_key"], sent["source"], strict=True))
    sent_on = today()
    events = []
    for path, sheet in written:
        source = worklist_source(path)
        selected_by = (sheet.attrs.get("selection") or {}).get("by")
        for position, key in enumerate(sheet["finding_key"]):
            if (key, source) not in already:
                events.append((key, "sent", float("nan"), actor, sent_on, source,
                               FIRST_DATA_ROW + position, auditor, selected_by))  # fmt: skip
    frame = pd.DataFrame(events, columns=[*EVENT_COLUMNS, *OPTIONAL_EVENT_COLUMNS])
    done = store.record_outcomes(frame) if events else None
    recorded = done.recorded if done else 0
    total = sum(len(sheet) for _, sheet in written)
    print(
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

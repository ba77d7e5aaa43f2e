"""The worklist sheet: findings written to .xlsx for the field, and read back as outcome events.

The workbook has the sheet the field fills in (a statement of what to fill, the header, then one
row per finding: its key, district, customer, the rule's title and the evidence in the sheet's
language, the period and the revenue at stake, proved and estimated apart, and the penalty
assessed (违约使用电费, blank where none); then empty outcome, amount recovered, penalty
recovered (违约使用电费 实收, apart from the revenue), checked by and checked on), an instructions sheet (both named in the sheet's
language: 核查工单 and 填写说明, worklist and instructions), and two hidden sheets that record the
worklist (its id, language and selection, and every given cell as written) so that a
returned sheet is checked on its own. Given columns are locked (sheet protection without a
password: it prevents slips, not intent, so every given cell is checked again on reading), input
columns are validated with messages in the sheet's language, and the sheet prints landscape on
A4, fitted to the page width, with the statement and header rows on every page. Every data cell is
text or a number, never a formula; name, address and phone, when the worklist has them, are
masked unless asked otherwise (and only the masked text is stored, hidden sheets included).

A returned sheet gives one outcome event per filled row; rows left blank are not yet checked and
give nothing. Every problem is reported, one line each naming the file, sheet, row and column,
what was expected and what was found, and nothing is returned while any remains.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from auditkit import __version__, formatting, i18n, sheets
from auditkit.atomic import write_bytes_atomic
from auditkit.data.column_typing import shown_cell
from auditkit.errors import ParameterError, require_frame_columns
from auditkit.formulas import put_cell
from auditkit.masking import PERSONAL_COLUMNS, mask_personal
from auditkit.periods import after_today, as_of_day
from auditkit.register.errors import RegisterError
from auditkit.register.schema import (
    ACTOR_LENGTH,
    EVENT_COLUMNS,
    OUTCOME_EVENTS,
    PENALTY_COLUMN,
    SHEET_SOURCE,
    in_fen,
)
from auditkit.register.texts import checked_register_text, refused_register_text
from auditkit.register.worklist import checked_numbers, personal_columns
from auditkit.sheet_dates import FIRST_YEAR, LAST_YEAR, sheet_day
from auditkit.sheets import (
    DATE_FORMAT,
    FIRST_DATA_ROW,
    HEADER_ROW,
    MONEY_FORMAT,
    STATEMENT_ROW,
)
from auditkit.workbooks import ReturnedSheets, open_returned_workbook, stable_xlsx_bytes

#: The visible sheets' names in English: every worklist's before the names followed its language.
WORKLIST_SHEET = "worklist"
INSTRUCTIONS = "instructions"
#: The visible sheets' names by the workbook's language. A returned sheet is found by its name in
#: any language, or renamed, by its header (`_worklist_sheet`).
WORKLIST_SHEETS = {lang: i18n.text("register.sheet.tab.worklist", lang) for lang in i18n.LANGS}
INSTRUCTIONS_SHEETS = {lang: i18n.text("common.tab.instructions", lang) for lang in i18n.LANGS}
META_SHEET = "auditkit_worklist"
ROWS_SHEET = "auditkit_worklist_rows"
#: A returned worklist holds its hidden record and rows by name, and no more sheets than the four
#: written (the worklist sheet may be renamed, the instructions deleted): checked before loading.
RETURNED_SHEETS = ReturnedSheets(
    needed=(META_SHEET, ROWS_SHEET),
    most=len((WORKLIST_SHEET, INSTRUCTIONS, META_SHEET, ROWS_SHEET)),
    said_by=(
        ("auditkit_selection", "a sampling field sheet (read it with the sampling commands)"),
        (
            ROWS_SHEET,
            "a worklist whose hidden record was deleted (return the sheet as it was sent)",
        ),
    ),
)
KIND = "auditkit.worklist"
INPUT_COLUMNS = ("outcome", "amount_recovered", "penalty_recovered", "checked_by", "checked_on")
#: The inputs of a worklist written before the penalty collected had its own column: such a
#: sheet still imports, its rows giving no penalty.
INPUTS_WITHOUT_PENALTY = ("outcome", "amount_recovered", "checked_by", "checked_on")
AMOUNT_TOLERANCE = 0.005
#: A recovered amount above this many times the row's revenue at stake is refused unless allowed,
#: and so is a penalty collected above this many times the larger of the penalty assessed and the
#: revenue at stake: the back-billing of an estimate may find a few times more, and the largest
#: penalty (违约使用电费) is 3 × the revenue (DOMAIN.md; a theft penalty the rules do not assess
#: is set on the revenue too), so more is a slip (an amount in fen, a pasted account number).
RECOVERY_MULTIPLE = 10
#: Up to this many yuan a recovery is never refused, whatever the revenue at stake (a small
#: estimate that the back-billing found larger).
RECOVERY_FLOOR = 1000.0
# Header wording by column: the common words where auditkit has them.
HEADER_KEYS = {
    "finding_key": "register.sheet.header.finding_key",
    "district": "common.district",
    "customer_id": "common.customer_id",
    "name": "common.name",
    "address": "common.address",
    "phone": "common.phone",
    "rule": "common.rule",
    "period": "register.sheet.header.period",
    "evidence": "common.evidence",
    "revenue_proved": "register.sheet.header.revenue_proved",
    "revenue_estimated": "register.sheet.header.revenue_estimated",
    "penalty": "register.sheet.header.penalty",
    "outcome": "register.sheet.header.outcome",
    "amount_recovered": "register.sheet.header.amount_recovered",
    "penalty_recovered": "register.sheet.header.penalty_recovered",
    "checked_by": "register.sheet.header.checked_by",
    "checked_on": "register.sheet.header.checked_on",
}
MONEY_COLUMNS = (
    "revenue_proved",
    "revenue_estimated",
    "penalty",
    "amount_recovered",
    "penalty_recovered",
)
NUMBER_FORMATS = {
    **{column: MONEY_FORMAT for column in MONEY_COLUMNS},
    "checked_on": DATE_FORMAT,
}
WIDTHS = {
    "finding_key": 18,
    "district": 12,
    "customer_id": 14,
    "name": 10,
    "address": 24,
    "phone": 14,
    "rule": 24,
    "period": 20,
    "evidence": 60,
    "outcome": 14,
    "checked_by": 12,
    "checked_on": 12,
}
NEEDED = (
    "finding_key",
    "district",
    "customer_id",
    "rule_id",
    "period_from",
    "period_to",
    "revenue_impact",
    "revenue_kind",
)
#: What the hidden record must hold for a returned sheet to be read.
_RECORDED = {"worklist_id", "header_row", "columns"}
_PLAIN_NUMBER = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$", re.ASCII)
_OUTCOME_IGNORED = re.compile(r"[\s_\-]+")


class WorklistSheetError(RegisterError):
    """A returned worklist sheet is not a worklist, or has cells to correct.

    Each problem is one line naming the file, the sheet, the row (as Excel numbers it) and the
    column, what was expected and what was found; `problems` lists every problem of the sheet.
    """


def outcome_label(event: str, lang: str) -> str:
    """The outcome `event` as the sheet's list offers it in `lang`."""
    return i18n.text(f"register.sheet.outcome.{event}", lang)


def write_worklist(
    worklist: pd.DataFrame,
    path: str | os.PathLike[str],
    lang: str = i18n.DEFAULT_LANG,
    *,
    mask: bool = True,
    auditor: str | None = None,
) -> Path:
    """Write `worklist` (the frame of `select_worklist`) as a field sheet (.xlsx); returns the path.

    `auditor` is the district bureau whose team checks the sheet in a cross-audit (None: each
    finding's own district, a self-audit); it is recorded with every outcome read back.

    Personal columns (name, address, phone) are written when the worklist has them, masked
    unless `mask` is False. The same worklist gives the same bytes; the file is written under a
    temporary name and renamed, so an interrupted write never leaves a half sheet.
    """
    i18n.language(lang)
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ParameterError("path", "a file name ending in .xlsx", str(path))
    require_frame_columns(worklist, "worklist", "a worklist of select_worklist", NEEDED)
    if "evidence_code" not in worklist.columns and "evidence" not in worklist.columns:
        raise ParameterError(
            "worklist", "a worklist with an evidence_code or evidence column", "neither"
        )
    if worklist["finding_key"].duplicated().any():
        repeated = worklist.loc[worklist["finding_key"].duplicated(), "finding_key"].iloc[0]
        rows = np.flatnonzero((worklist["finding_key"] == repeated).to_numpy()) + 1
        raise ParameterError(
            "worklist",
            "each finding_key once",
            f"{repeated} in rows {', '.join(map(str, rows[:-1]))} and {rows[-1]}",
        )
    if auditor is not None and (not isinstance(auditor, str) or not auditor.strip()):
        raise ParameterError("auditor", "a district name or None (a self-audit)", auditor)
    if auditor is not None:
        checked_register_text("auditor", auditor)
    rows = _given_rows(worklist, lang, mask)
    given = list(rows.columns)
    columns = [*given, *INPUT_COLUMNS]
    meta = {
        "auditkit": __version__,
        "kind": KIND,
        "worklist_id": _worklist_id(
            rows, lang, auditor, worklist.attrs.get("selection"), _occurrences(worklist)
        ),
        "lang": lang,
        "header_row": HEADER_ROW,
        "columns": given,
        "inputs": list(INPUT_COLUMNS),
        "rows": len(rows),
        "as_of": worklist.attrs.get("as_of"),
        "selection": worklist.attrs.get("selection"),
        "auditor": auditor,
    }
    if not mask and personal_columns(worklist):  # said on the instructions sheet
        meta["unmasked"] = personal_columns(worklist)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = WORKLIST_SHEETS[lang]
    put_cell(sheet.cell(STATEMENT_ROW, 1), _statement(lang))
    for index, column in enumerate(columns, start=1):
        put_cell(sheet.cell(HEADER_ROW, index), header(column, lang))
    _put_rows(sheet, rows, FIRST_DATA_ROW)
    _format(sheet, columns, len(rows), lang)
    instructions = _instruction_lines(meta, lang)
    meta["instructions"] = _line_digests(instructions)
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEETS[lang]), instructions)
    record = workbook.create_sheet(META_SHEET)
    copy = workbook.create_sheet(ROWS_SHEET)
    for index, column in enumerate(given, start=1):
        put_cell(copy.cell(1, index), column)
    _put_rows(copy, rows, 2)
    copy.sheet_state = "hidden"
    meta["seal"] = _seal(meta, copy)
    put_cell(record["A1"], json.dumps(meta, ensure_ascii=False, sort_keys=True))
    record.sheet_state = "hidden"
    return write_bytes_atomic(target, stable_xlsx_bytes(workbook))


def header(column: str, lang: str) -> str:
    """The header of `column`: its Chinese name and the column (zh), or the column alone (en)."""
    return f"{i18n.text(HEADER_KEYS[column], 'zh')} {column}" if lang == "zh" else column


def header_labels(columns: Sequence[str], lang: str) -> str:
    """Columns named as the sheet's header names them, in its language ('户名 name、地址 address'
    in zh, 'name, address' in en): a zh line naming them in English alone reads as code."""
    separator = "、" if lang == "zh" else ", "
    return separator.join(header(column, lang) for column in columns)


def canonical_column(cell: object) -> str:
    """The column a header cell names ('核查结果 outcome' -> 'outcome'); '' for a blank cell."""
    return str(cell).split()[-1] if cell is not None and str(cell).strip() else ""


def read_worklist(
    path: str | os.PathLike[str],
    *,
    large_amounts: bool = False,
    sent_days: Mapping[tuple[str, str], dt.date] | None = None,
) -> pd.DataFrame:
    """The outcome events of a returned worklist sheet, one per filled row, in sheet order.

    Columns `EVENT_COLUMNS`, `penalty`, then `OPTIONAL_EVENT_COLUMNS` (the bureau that checked in a
    cross-audit, else missing; how the worklist chose the findings): the finding's key, the
    event (one of `OUTCOME_EVENTS`), the amount recovered (yuan; NaN unless the event is
    `recovered`), the penalty collected (`penalty`, yuan, apart from the revenue recovered; NaN
    unless given with `recovered`; a sheet written before it had a column gives none), who
    checked, the date, the source (the worklist's id recorded in the sheet, so
    a renamed copy of the same returned sheet is the same source and is recorded once) and the
    row the finding was written in (so a sheet sorted, filtered or with rows inserted gives the
    same events; `attrs["sheet_rows"]` maps each key to the row it is in now, `attrs["sheet"]` names
    the sheet, renamed or not; `attrs["as_of"]` the month of the findings it was made from, None
    when unknown; `attrs["own_cells"]` says what the field typed that is not the worklist's:
    columns of their own, cells above the header besides the statement, text typed on the
    instructions sheet, sheets added, cell comments, as `_own_cells` words them). Rows with no input
    are skipped and listed in `attrs["blank_rows"]` (finding_key, source, source_row and the
    sheet_row it is in now), so that
    `Register.record_outcomes(blank_rows=...)` refuses a row imported before and emptied since. Every problem (a sheet that is not a worklist, a deleted row, a changed key or
    given cell, a row added or copied, text in the amount, an unknown outcome, a date that is no
    date, a missing actor or date) is raised together in a `WorklistSheetError`, one line each.
    A lock file an office program keeps beside a workbook, a file that would unpack to more
    than a worklist ever holds (a zip bomb) and one without the hidden sheets or with more sheets
    than a worklist has (RETURNED_SHEETS) are refused before anything is loaded
    (`open_returned_workbook`).
    A formula is read by the result saved with it; cells holding a formula saved without its
    result (a file written by a program, not a spreadsheet) are named with the header's
    problems, before the rows are read, as they would read as blank. A recovered amount above
    RECOVERY_MULTIPLE times the row's revenue at stake (and above RECOVERY_FLOOR yuan) is a
    problem unless `large_amounts` (a recovery checked to be that large), and so is a penalty
    collected above RECOVERY_MULTIPLE times the larger of the row's penalty assessed and revenue
    at stake. `sent_days` ((source, finding_key) -> the day the finding was first recorded as sent
    on that worklist: `Register.sent_days()`, read per worklist) makes a check dated before it a
    problem with the others, so that a sheet is corrected once, not again for the dates
    `Register.record_outcomes` refuses.
    """
    source = Path(path)
    workbook = open_returned_workbook(
        source, kind="worklist", error=WorklistSheetError, then="import it", sheets=RETURNED_SHEETS
    )
    meta = _meta(workbook, source.name)
    _check_seal(workbook, meta, source.name)
    sheet = _worklist_sheet(workbook, source.name, meta)
    given = list(meta["columns"])
    recorded_inputs = meta.get("inputs") or INPUTS_WITHOUT_PENALTY
    inputs = INPUT_COLUMNS if "penalty_recovered" in recorded_inputs else INPUTS_WITHOUT_PENALTY
    header_row = _header_row(sheet, int(meta["header_row"]))
    problems = _Problems(source.name, sheet, header_row)
    _check_header(sheet, header_row, [*given, *inputs], meta.get("lang"), problems)
    # A formula saved without its result reads as blank (the row as not checked yet): named
    # before the rows are read with the blanks it would leave.
    problems.unsaved_formulas(source, sheet, header_row, [*given, *inputs])
    # Cells merged over rows show one value in every row but hold it in the first alone: named
    # before the rows are read, as the rows under the first would read as blank.
    _merged_cells(sheet, header_row, [*given, *inputs], problems)
    problems.raise_any()
    expected = _sheet_frame(workbook[ROWS_SHEET], 1, [*given])
    filled = _sheet_frame(sheet, header_row, None)
    for column in [c for c in INPUT_COLUMNS if c not in inputs]:  # an older sheet: left blank
        filled[column] = None
    events = _events(filled, expected, given, problems, _source(meta), workbook.epoch)
    if not large_amounts:
        _check_amounts(events, expected, problems)
    _check_checked_on(events, meta.get("as_of"), {} if sent_days is None else sent_days, problems)
    problems.raise_any()
    events.attrs["sheet"] = sheet.title
    events.attrs["as_of"] = meta.get("as_of")
    events.attrs["own_cells"] = _own_cells(workbook, sheet, header_row, [*given, *inputs], meta)
    selection = meta.get("selection") if isinstance(meta.get("selection"), dict) else {}
    events["auditor"] = pd.Series(meta.get("auditor"), index=events.index, dtype="string")
    events["selected_by"] = pd.Series(selection.get("by"), index=events.index, dtype="string")
    return events


def _own_cells(
    workbook: Workbook, sheet: Worksheet, header_row: int, columns: list[str], meta: dict
) -> list[str]:
    """What the field typed outside the worklist's own cells, one phrase each (none for a sheet
    as written): each column of their own holding text ('column R '备注' (2 cells)'), cells
    above the header besides the statement, cells of the instructions sheet besides its lines
    (column A), an instruction line typed over (a sheet whose `meta` records the lines' digests:
    one written before names none), each sheet added holding any, and the cell comments (批注)
    of every sheet the field sees. The register keeps none of it: a returned file holding any is
    the only place it lives."""
    found = []
    own = [cell for cell in sheet[header_row] if canonical_column(cell.value) not in set(columns)]
    for cell in own:
        filled = sum(
            not _blank(value)
            for (value,) in sheet.iter_rows(
                min_row=header_row, min_col=cell.column, max_col=cell.column, values_only=True
            )
        )
        if filled:
            found.append(
                f"column {cell.column_letter} {_shown_header(cell.value)} ({filled} cells)"
            )
    above = [
        value
        for row in sheet.iter_rows(max_row=header_row - 1, values_only=True)
        for value in row
        if not _blank(value)
    ]
    if len(above) > 1:  # the first is the statement, wherever rows were inserted
        found.append(f"{len(above) - 1} cells above the header besides the statement")
    hidden = (META_SHEET, ROWS_SHEET)
    for page in workbook.worksheets:
        if page.title in hidden:
            continue
        if page.title in INSTRUCTIONS_SHEETS.values() and page is not sheet:
            written = meta.get("instructions") or []
            lines = len(written) or _instruction_rows(meta)
            typed = sum(
                not _blank(cell.value)
                for row in page.iter_rows()
                for cell in row
                if cell.column > 1 or cell.row > lines
            )
            if typed:
                found.append(f"sheet {page.title!r} ({typed} cells besides the instructions)")
            over = [
                f"A{row}"
                for row, digest in enumerate(written, start=1)
                if not _blank(page.cell(row, 1).value)
                and _line_digests([page.cell(row, 1).value]) != [digest]
            ]
            if over:
                found.append(
                    f"sheet {page.title!r} ({', '.join(over)} typed over the instructions)"
                )
        elif page is not sheet:
            filled = sum(
                not _blank(value) for row in page.iter_rows(values_only=True) for value in row
            )
            if filled:
                found.append(f"sheet {page.title!r} ({filled} cells)")
        notes = sum(cell.comment is not None for row in page.iter_rows() for cell in row)
        if notes:
            found.append(f"sheet {page.title!r} ({notes} cell comments)")
    return found


def _shown_header(value: object) -> str:
    """A header of the field's own as named in a message: its text, or 'with no header'."""
    return repr(str(value).strip()) if not _blank(value) else "with no header"


def worklist_source(path: str | os.PathLike[str]) -> str:
    """The source the events of the worklist at `path` are recorded under (as `read_worklist`
    gives it): its id, so a renamed copy of the sheet is the same source. Opened as
    `read_worklist` opens a returned sheet (`open_returned_workbook`: its guards)."""
    source = Path(path)
    workbook = open_returned_workbook(
        source,
        kind="worklist",
        error=WorklistSheetError,
        then="import it",
        sheets=RETURNED_SHEETS,
        read_only=True,
    )
    try:
        return _source(_meta(workbook, source.name))
    finally:
        workbook.close()


def _source(meta: dict) -> str:
    """The events' source of the worklist whose hidden record is `meta`."""
    return f"{SHEET_SOURCE}{meta['worklist_id']}"


def _given_rows(worklist: pd.DataFrame, lang: str, mask: bool) -> pd.DataFrame:
    """The given columns as written: texts in `lang`, money split into proved and estimated."""
    from auditkit import rules

    frame = worklist.reset_index(drop=True)
    titles = rules.catalog().set_index("rule_id")[f"title_{lang}"]
    if "evidence_code" in frame.columns:
        evidence = rules.evidence_text(frame, lang).to_numpy()
    else:
        evidence = frame["evidence"].astype("string").fillna("").to_numpy()
    start = frame["period_from"].astype(str)
    end = frame["period_to"].astype(str)
    span = i18n.text("register.sheet.period_span", lang)
    revenue = checked_numbers(frame["revenue_impact"], "revenue_impact").to_numpy()
    kind = frame["revenue_kind"].astype("string").fillna("").to_numpy()
    rows = pd.DataFrame(
        {
            "finding_key": frame["finding_key"].astype(str).to_numpy(),
            "district": frame["district"].astype("string").fillna("").to_numpy(),
            "customer_id": frame["customer_id"].astype(str).to_numpy(),
        }
    )
    personal = [column for column in PERSONAL_COLUMNS if column in frame.columns]
    for column in personal:
        rows[column] = frame[column].astype("string").to_numpy()
    if mask:
        rows = mask_personal(rows)
    rows["rule"] = [str(titles.get(rule, rule)) for rule in frame["rule_id"].astype(str)]
    rows["period"] = [
        first if first == last else span.format(start=first, end=last)
        for first, last in zip(start, end, strict=True)
    ]
    rows["evidence"] = evidence
    rows["revenue_proved"] = np.where(kind == "proved", revenue, np.nan)
    rows["revenue_estimated"] = np.where(kind == "proved", np.nan, revenue)
    if "penalty" in frame.columns:
        penalty = checked_numbers(frame["penalty"], "penalty").to_numpy()
        rows["penalty"] = np.where(penalty > 0, penalty, np.nan)  # blank where none
    return rows


def _worklist_id(
    rows: pd.DataFrame,
    lang: str,
    auditor: str | None,
    selection: object = None,
    occurrences: list[str | None] | None = None,
) -> str:
    """An id of the worklist's content: the same rows in the same language, checked by the
    same bureau and chosen the same way (`selection`'s `by`: a random sample that draws the
    rows a top-by-revenue list holds is another sending, recorded as selected by sampling),
    of the same occurrences (`occurrences`: per row the month a finding found again after it
    was gone was last reopened, `_occurrences`), give the same id (a self-audit's id, and that
    of a worklist of findings never reopened, is what it was before auditors and reopenings
    were told apart). So a reopened finding goes out on a new worklist, not the one that sent
    its earlier occurrence, and its new check is recorded as a new event."""
    values = rows.astype(object).where(rows.notna(), None).values.tolist()
    parts = [lang, list(rows.columns), values, *([auditor] if auditor is not None else [])]
    if isinstance(selection, dict) and selection.get("by") is not None:
        parts.append({"by": selection["by"]})
    if occurrences is not None and any(month is not None for month in occurrences):
        parts.append({"reopened_as_of": occurrences})
    content = json.dumps(parts, ensure_ascii=False, default=str)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


def _occurrences(worklist: pd.DataFrame) -> list[str | None] | None:
    """Per row, the month the finding was last found again after it was gone (the worklist's
    `reopened_as_of`, as `Register.state_of` and `auditkit worklist` give it; None for a
    finding never reopened), or None without that column."""
    if "reopened_as_of" not in worklist.columns:
        return None
    months = worklist["reopened_as_of"]
    return [None if pd.isna(month) else str(month) for month in months]


def _put_rows(sheet: Worksheet, rows: pd.DataFrame, first_row: int) -> None:
    """The frame's values from `first_row` on: text as text (never a formula), numbers as numbers."""
    for offset, record in enumerate(rows.itertuples(index=False, name=None)):
        for index, value in enumerate(record, start=1):
            put_cell(sheet.cell(first_row + offset, index), value)


def _statement(lang: str) -> str:
    """The sentence at the top of the sheet: what to fill and what is locked."""
    separator = i18n.text("common.list_separator", lang)
    return i18n.text("register.sheet.statement", lang).format(
        outcomes=separator.join(outcome_label(event, lang) for event in OUTCOME_EVENTS)
    )


def _format(sheet: Worksheet, columns: list[str], rows: int, lang: str) -> None:
    """Lock the given columns, validate and format the inputs, set up printing."""
    sheets.format_sheet(
        sheet,
        columns,
        INPUT_COLUMNS,
        rows,
        widths=WIDTHS,
        number_formats=NUMBER_FORMATS,
        wrapped=("evidence",),
        validation=lambda column: _validation(column, lang) if column in INPUT_COLUMNS else None,
    )
    sheets.protect(sheet)
    sheets.print_setup(sheet, lang, centred=False)


def _validation(column: str, lang: str) -> DataValidation:
    """The data validation of one input column, with its message in `lang`."""
    title = i18n.text(f"register.sheet.{column}.title", lang)
    message = i18n.text(f"register.sheet.{column}.message", lang).format(
        length=ACTOR_LENGTH, first=FIRST_YEAR, last=LAST_YEAR
    )
    if column == "outcome":
        options = sheets.list_options([outcome_label(event, lang) for event in OUTCOME_EVENTS])
    elif column == "checked_on":
        options = sheets.date_options(FIRST_YEAR, LAST_YEAR)
    elif column in ("amount_recovered", "penalty_recovered"):
        options = sheets.amount_options()
    else:
        options = sheets.text_options(ACTOR_LENGTH)
    return sheets.input_validation(options, title, message)


INSTRUCTION_LINES = ("rows", "outcome", "amount_recovered", "penalty_recovered", "checked_by",
                     "checked_on", "return")  # fmt: skip


def _instruction_rows(meta: dict) -> int:
    """How many lines (rows of column A) `_write_instructions` writes for the worklist recorded
    in `meta`, for a sheet whose record keeps no digests of them: a worklist written by an older
    auditkit wrote as many or fewer."""
    return len(_instruction_lines(meta, i18n.LANGS[0]))


def _write_instructions(sheet: Worksheet, lines: list[str]) -> None:
    """The instructions sheet: `lines` (`_instruction_lines`), one per row of column A."""
    for row, line in enumerate(lines, start=1):
        put_cell(sheet.cell(row, 1), line)
        sheet.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 110


def _line_digests(lines: list[object]) -> list[str]:
    """A short digest of each line as any program reads it back (`_sealed`), its whitespace
    runs (a trailing space, CRLF, a no-break space) read as one space, recorded in the hidden
    record: an instruction line typed over is found whatever wording the auditkit that wrote
    the sheet had, and a line only respaced is none."""
    return [
        hashlib.sha256(" ".join(_sealed(line).split()).encode("utf-8")).hexdigest()[:12]
        for line in lines
    ]


def _instruction_lines(meta: dict, lang: str) -> list[str]:
    """The lines of the instructions sheet of the worklist recorded in `meta`, in `lang`."""
    outcomes = "; ".join(
        f"{outcome_label(event, lang)}: {i18n.text(f'register.sheet.meaning.{event}', lang)}"
        for event in OUTCOME_EVENTS
    )
    figures = {
        "outcomes": outcomes,
        "length": ACTOR_LENGTH,
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
        "multiple": RECOVERY_MULTIPLE,
        "floor": f"{RECOVERY_FLOOR:,.0f}",
    }
    lines = [i18n.text("register.sheet.instructions", lang), _statement(lang)]
    lines += [
        i18n.text(f"register.sheet.line.{line}", lang).format(**figures)
        for line in INSTRUCTION_LINES
    ]
    selection = meta.get("selection")  # none recorded by an older auditkit
    if selection:
        lines.append(
            i18n.text(f"register.sheet.selection.{_selection_wording(selection)}", lang).format(
                top=selection["top"],
                share=formatting.percent(selection["share"], 0)
                if selection["share"] is not None
                else "",
                seed=selection["seed"],
            )
        )
    if meta.get("unmasked"):  # none recorded for a masked worklist or by an older auditkit
        columns = header_labels(meta["unmasked"], lang)
        lines.append(i18n.text("register.sheet.line.unmasked", lang).format(columns=columns))
    return lines


def _selection_wording(selection: dict) -> str:
    """The key of the sentence saying how the worklist was chosen."""
    by = selection["by"]
    return "high_top" if by == "high" and selection["top"] is not None else by


def _meta(workbook: Workbook, file_name: str) -> dict:
    """The worklist's record, from its hidden sheet (present: `open_returned_workbook` refuses a
    workbook without it, RETURNED_SHEETS); a record changed by hand is refused."""
    try:
        meta = json.loads(str(workbook[META_SHEET]["A1"].value))
    except ValueError as error:
        raise WorklistSheetError(
            f"worklist {file_name!r}: the record in hidden sheet {META_SHEET!r} was changed "
            f"and cannot be read ({error})"
        ) from error
    if not isinstance(meta, dict) or meta.get("kind") != KIND or not set(meta) >= _RECORDED:
        raise WorklistSheetError(
            f"worklist {file_name!r}: hidden sheet {META_SHEET!r} does not record a worklist"
        )
    return meta


def _seal(meta: dict, rows_sheet: Worksheet) -> str:
    """A digest of the hidden record (without its seal) and of every given cell as written: a
    hidden sheet changed by hand (the worklist's id, its bureau, a given cell) no longer matches.
    Money is sealed to the fen, so a program that saves numbers a little differently still does."""
    record = {name: value for name, value in meta.items() if name != "seal"}
    width = len(record["columns"])
    cells = [
        [_sealed(value) for value in row[:width]]
        for row in rows_sheet.iter_rows(min_row=1, max_col=width, values_only=True)
        if not all(_blank(value) for value in row[:width])
    ]
    content = json.dumps([record, cells], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


def _sealed(value: object) -> str:
    """A cell as sealed: as any program reads it back (XML turns a carriage return into a line
    feed), money to the fen."""
    if _blank(value):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{float(value):.2f}"
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _check_seal(workbook: Workbook, meta: dict, file_name: str) -> None:
    """Refuse a returned sheet whose hidden record or rows were changed (a sheet written before
    worklists were sealed is read as it is)."""
    if "seal" in meta and _seal(meta, workbook[ROWS_SHEET]) != meta["seal"]:
        raise WorklistSheetError(
            f"worklist {file_name!r}, hidden sheets {META_SHEET!r} and {ROWS_SHEET!r}: expected "
            "the worklist's record as written, found it changed by hand: return the sheet as it "
            "was sent, only the yellow columns filled"
        )


def _worklist_sheet(workbook: Workbook, file_name: str, meta: dict) -> Worksheet:
    """The sheet the field filled in: the one sheet besides the hidden record whose header names
    finding_key, or, when none does, the one named as a worklist sheet in any language
    (`WORKLIST_SHEETS`; its header's problems are named after). Two sheets with the header (a
    copy of the sheet, another worklist's sheet pasted in) are refused naming them: reading one
    would leave the outcomes of the other unread, the file taken as holding none."""
    recorded = int(meta["header_row"])
    hidden = {META_SHEET, ROWS_SHEET}
    candidates = [
        sheet
        for sheet in workbook.worksheets
        if sheet.title not in hidden and _names_finding_key(sheet, _header_row(sheet, recorded))
    ]
    named = [title for title in workbook.sheetnames if title in WORKLIST_SHEETS.values()]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates and len(named) == 1:
        return workbook[named[0]]
    found = ", ".join(repr(sheet.title) for sheet in candidates) or "none"
    names = " or ".join(repr(name) for name in dict.fromkeys(WORKLIST_SHEETS.values()))
    raise WorklistSheetError(
        f"worklist {file_name!r}: expected one sheet with the header finding_key (the sheet "
        f"{names}, or one renamed from it), found {found}"
        + (
            ": keep the sheet filled in and delete the others (a copy, or another worklist's "
            "sheet), then import it"
            if len(candidates) > 1
            else ""
        )
    )


#: How far down a header moved by rows inserted above it is looked for.
_HEADER_SEARCH_ROWS = 20


def _header_row(sheet: Worksheet, recorded: int) -> int:
    """The row holding the header: the row recorded, or the first of the top rows naming
    finding_key (rows inserted above the header move it down)."""
    if _names_finding_key(sheet, recorded):
        return recorded
    for row in range(1, _HEADER_SEARCH_ROWS + 1):
        if _names_finding_key(sheet, row):
            return row
    return recorded


def _names_finding_key(sheet: Worksheet, row: int) -> bool:
    cells = next(sheet.iter_rows(min_row=row, max_row=row, values_only=True), ())
    return "finding_key" in {canonical_column(value) for value in cells}


def _check_header(
    sheet: Worksheet, header_row: int, columns: list[str], lang: object, problems: _Problems
) -> None:
    """A problem for every column of the worklist the header row does not name, or names twice."""
    cells = next(sheet.iter_rows(min_row=header_row, max_row=header_row), ())
    letters: dict[str, list[str]] = {}
    for cell in cells:
        letters.setdefault(canonical_column(cell.value), []).append(cell.column_letter)
    written_lang = lang if lang in i18n.LANGS else i18n.DEFAULT_LANG
    for position, column in enumerate(columns, start=1):
        places = letters.get(column, [])
        if len(places) > 1:
            problems.add(
                header_row,
                None,
                f"columns {' and '.join(places)}: expected the column {column!r} once in the "
                f"header, found it {len(places)} times",
            )
        elif not places:
            letter = get_column_letter(position)
            there = sheet.cell(header_row, position).value
            moved = canonical_column(there) in columns
            found = f"{there!r} in column {letter}" if there and not moved else "no header for it"
            problems.add(
                header_row,
                None,
                f"expected a header naming the column {column!r} "
                f"({header(column, written_lang)!r} as written), found {found} (headers can be "
                "moved, not renamed)",
            )


def _merged_cells(
    sheet: Worksheet, header_row: int, columns: list[str], problems: _Problems
) -> None:
    """A problem for each range of merged cells below the header over a column of the worklist:
    the sheet shows its value in every row it covers, but only its first cell holds it, so the
    rows under the first would be read as not checked (a merge over columns of the field's own
    is theirs, and ignored with them)."""
    named = {problems.letters[name]: name for name in columns if name in problems.letters}
    for merged in sorted(
        sheet.merged_cells.ranges, key=lambda cells: (cells.min_row, cells.min_col)
    ):
        if merged.max_row <= header_row:
            continue
        covered = [
            named[get_column_letter(column)]
            for column in range(merged.min_col, merged.max_col + 1)
            if get_column_letter(column) in named
        ]
        if not covered:
            continue
        rows = f"rows {merged.min_row}-{merged.max_row}" if merged.max_row > merged.min_row else ""
        problems.add(
            max(merged.min_row, header_row + 1),
            covered[0],
            f"expected one value per cell{' of ' + ', '.join(covered) if len(covered) > 1 else ''}"
            f", found the cells {merged.coord} merged{' (' + rows + ')' if rows else ''}: only "
            "the first holds the value shown; unmerge them and fill each row",
        )


def _sheet_frame(sheet: Worksheet, header_row: int, names: list[str] | None) -> pd.DataFrame:
    """The sheet's rows below `header_row`, indexed by Excel row number, blank rows left out.

    `names` are the columns of a sheet written with plain names; None reads the header cells.
    """
    rows = list(sheet.iter_rows(min_row=header_row, values_only=True))
    header = [canonical_column(cell) for cell in rows[0]] if rows else []
    if names is not None:
        header = names
    body = [row[: len(header)] for row in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(frame))
    frame = frame.loc[:, [name for name in frame.columns if name]]
    if frame.empty:
        return frame
    blank = frame.map(_blank).all(axis=1)
    return frame[~blank]


def _blank(value: object) -> bool:
    """An empty cell: None (pandas may hand it over as NaN) or only spaces."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, float) and np.isnan(value))


class _Problems(sheets.SheetProblems):
    """A worklist's problems; an empty cell is found as None (pandas hands it over as NaN)."""

    def __init__(self, file_name: str, sheet: Worksheet, header_row: int) -> None:
        letters = {canonical_column(cell.value): cell.column_letter for cell in sheet[header_row]}
        super().__init__(
            f"worklist {file_name!r}, sheet {sheet.title!r}", letters, WorklistSheetError
        )

    def expected(self, row: int, column: str, expected: str, found: object) -> None:
        shown = None if _blank(found) and not isinstance(found, str) else found
        super().expected(row, column, expected, shown)


def _events(
    filled: pd.DataFrame,
    expected: pd.DataFrame,
    given: list[str],
    problems: _Problems,
    source: str,
    epoch: dt.datetime,
) -> pd.DataFrame:
    """One event per filled row, numbered by the row its finding was written in; every problem
    of every row added to `problems`. `epoch` is the workbook's day 0 (1900 or 1904) for dates
    typed as serial numbers."""
    written_row = {
        str(key): FIRST_DATA_ROW + position for position, key in enumerate(expected["finding_key"])
    }
    expected = expected.set_index(expected["finding_key"].astype(str), drop=False)
    outcomes = _outcome_words()
    seen: set[str] = set()
    records, sheet_rows, blank_rows = [], {}, []
    for sheet_row, row in filled.iterrows():
        key = "" if _blank(row["finding_key"]) else str(row["finding_key"]).strip()
        if key not in expected.index:
            found = "a blank" if not key else repr(row["finding_key"])
            problems.add(
                sheet_row,
                "finding_key",
                f"{found} is not the key of a finding of this worklist (row added or key "
                "changed); each row must keep the key it was written with",
            )
            continue
        if key in seen:
            problems.expected(sheet_row, "finding_key", "each finding once", key)
            continue
        seen.add(key)
        _check_given(row, expected.loc[key], given, problems, sheet_row)
        record = _event(row, key, outcomes, problems, sheet_row, epoch)
        if record is not None:
            records.append({**record, "source": source, "source_row": written_row[key]})
            sheet_rows[key] = int(sheet_row)
        elif all(_blank(row[column]) for column in INPUT_COLUMNS):
            blank_rows.append({"finding_key": key, "source": source,
                               "source_row": written_row[key], "sheet_row": int(sheet_row)})  # fmt: skip
    for key in sorted(set(expected.index) - seen, key=written_row.__getitem__):
        problems.add(
            written_row[key],
            None,
            f"the row of finding {key} (customer {expected.at[key, 'customer_id']}) is missing: "
            "deleted rows cannot be recorded; restore it from the sheet as sent",
        )
    events = _event_frame(records)
    events.attrs["sheet_rows"] = sheet_rows
    events.attrs["blank_rows"] = blank_rows
    return events


def _check_given(
    row: pd.Series, written: pd.Series, given: list[str], problems: _Problems, sheet_row: int
) -> None:
    """A problem for every given cell that differs from what was written."""
    for column in given:
        if column == "finding_key" or _same(row[column], written[column]):
            continue
        problems.expected(
            sheet_row, column, f"{written[column]!r} as written (locked)", row[column]
        )


def _same(found: object, written: object) -> bool:
    if _blank(found) or _blank(written):
        return _blank(found) and _blank(written)
    if isinstance(written, int | float) and not isinstance(written, bool):
        return isinstance(found, int | float) and abs(float(found) - written) <= AMOUNT_TOLERANCE
    return str(found) == str(written)


def _outcome_words() -> dict[str, str]:
    """Every spelling the outcome column accepts (code, Chinese, English; case and width
    ignored) -> the event."""
    words = {}
    for event in OUTCOME_EVENTS:
        for spelling in (event, outcome_label(event, "zh"), outcome_label(event, "en")):
            words[_normal(spelling)] = event
    return words


def _normal(text: str) -> str:
    """An outcome as typed, compared without case, width, spaces, underscores or hyphens
    ('False  Alarm', 'false_alarm', ' 误 报 ' are the labels)."""
    return _OUTCOME_IGNORED.sub("", unicodedata.normalize("NFKC", text).lower())


def _event(
    row: pd.Series,
    key: str,
    outcomes: dict[str, str],
    problems: _Problems,
    sheet_row: int,
    epoch: dt.datetime,
) -> dict | None:
    """The row's outcome event, None when the row has no input or after adding its problems."""
    if all(_blank(row[column]) for column in INPUT_COLUMNS):
        return None
    before = len(problems.lines)
    event = None
    if _blank(row["outcome"]):
        problems.expected(
            sheet_row, "outcome", "an outcome for a row with other cells filled", None
        )
    else:
        event = outcomes.get(_normal(str(row["outcome"])))
        if event is None:
            offered = ", ".join(outcome_label(e, "zh") + "/" + e for e in OUTCOME_EVENTS)
            problems.expected(sheet_row, "outcome", f"one of {offered}", row["outcome"])
    amount = _amount(row["amount_recovered"], problems, sheet_row, "amount_recovered")
    penalty = _amount(row["penalty_recovered"], problems, sheet_row, "penalty_recovered")
    if event == "recovered" and amount is None and _blank(row["amount_recovered"]):
        problems.expected(sheet_row, "amount_recovered", "the amount recovered in yuan", None)
    for column in ("amount_recovered", "penalty_recovered"):
        if event not in (None, "recovered") and not _blank(row[column]):
            problems.add(
                sheet_row,
                column,
                f"an amount is recorded only with the outcome {outcome_label('recovered', 'zh')}/"
                f"recovered, found {row[column]!r} with {row['outcome']!r}",
            )
    actor = _actor(row["checked_by"], problems, sheet_row)
    happened_at = _date(row["checked_on"], problems, sheet_row, epoch)
    if len(problems.lines) > before:
        return None
    return {
        "finding_key": key,
        "event": event,
        "amount": np.nan if amount is None else amount,
        "penalty": np.nan if penalty is None else penalty,
        "actor": actor,
        "happened_at": happened_at,
    }


def _amount(value: object, problems: _Problems, sheet_row: int, column: str) -> float | None:
    """The amount of money `column` in yuan (None when blank): a number cell, or text that is a plain number
    (digits in half or full width, one decimal point, thousands commas in groups of three).
    Anything else is a problem: a unit or currency sign ('480元', '￥480': the column is in
    yuan), words ('约500'), a sign or a negative amount, a decimal comma ('12,5'), and a
    fraction of a fen ('2.675': a recovery is money in fen, never rounded silently)."""
    if _blank(value):
        return None
    number = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if _PLAIN_NUMBER.match(text):
            number = float(text.replace(",", ""))
    if number is None or not np.isfinite(number) or number < 0:
        problems.expected(sheet_row, column, "a number of at least 0 (yuan)", value)
        return None
    if not in_fen(number):
        problems.expected(sheet_row, column, "yuan to the fen (at most 2 decimals)", value)
        return None
    return round(number, 2)  # only a float's noise: 0.30000000000000004 is 0.3


def _actor(value: object, problems: _Problems, sheet_row: int) -> str | None:
    """Who checked: text (a staff number typed as a number is kept as its digits) of at most
    ACTOR_LENGTH characters, refused as `auditkit validate` refuses a key-like text cell when it
    holds a control or invisible character (a line break, a direction override that reverses a
    report cell, a zero-width space). Text that looks like a formula or SQL is kept: it is stored
    as text, and every file auditkit writes keeps it text (`auditkit.formulas`). A cell that is
    no text nor staff number is refused (`_actor_text`): a date, TRUE, a fraction, or a number
    of more digits than a spreadsheet keeps would be recorded as text nobody typed."""
    if _blank(value):
        problems.expected(sheet_row, "checked_by", "who checked", None)
        return None
    text = _actor_text(value)
    if text is None:
        problems.add(
            sheet_row, "checked_by", f"expected who checked as text, found {_non_text(value)}"
        )
        return None
    text = text.strip()
    expected = refused_register_text("actor", text)
    if expected is not None:
        problems.add(sheet_row, "checked_by", f"expected {expected}, found {shown_cell(text)}")
        return None
    return text


#: The most digits a spreadsheet keeps of a number (15 significant digits): a staff number typed
#: with more comes back as other digits (an 18-digit ID number ends in zeros).
_EXACT_DIGITS = 15


def _actor_text(value: object) -> str | None:
    """The text of a `checked_by` cell: text as typed, a whole number as its digits (a staff
    number typed as a number; a float only while it keeps every digit); None for anything else
    (a date Excel made of '3-12', TRUE, a fraction, a number of over 15 digits)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 10**_EXACT_DIGITS:
        return str(int(value))
    return None


def _non_text(value: object) -> str:
    """How a `checked_by` cell that is no text is named: 'the date 2026-03-12', 'TRUE', ..."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        shown_day = (
            value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
        )
        return (
            f"the date {shown_day.removesuffix(' 00:00:00')} (a staff number Excel read as a date?)"
        )
    if isinstance(value, bool):
        return f"the truth value {str(value).upper()}"
    if isinstance(value, float) and value.is_integer():
        return (
            f"a number of more than {_EXACT_DIGITS} digits ({value:.15g}): its digits are lost, "
            "type it as text"
        )
    return (
        f"the number {value!r}"
        if isinstance(value, int | float)
        else f"{type(value).__name__} {value!r}"
    )


def _date(
    value: object, problems: _Problems, sheet_row: int, epoch: dt.datetime
) -> pd.Timestamp | None:
    """The date checked (`sheet_day`); a blank cell is a problem: a check has a date."""
    if _blank(value):
        expected = f"a date YYYY-MM-DD between {FIRST_YEAR} and {LAST_YEAR}"
        problems.expected(sheet_row, "checked_on", expected, None)
        return None
    return sheet_day(value, problems, sheet_row, "checked_on", epoch)


def _check_amounts(events: pd.DataFrame, expected: pd.DataFrame, problems: _Problems) -> None:
    """A problem for each recovered amount above the bound its row's revenue at stake gives
    (RECOVERY_MULTIPLE times it, at least RECOVERY_FLOOR yuan), and for each penalty collected
    above the bound the larger of the row's penalty assessed and revenue at stake gives: an
    amount typed in fen or a number pasted into the column would otherwise enter every total."""
    rows = events.attrs.get("sheet_rows", {})
    written = expected.set_index(expected["finding_key"].astype(str))
    stakes = _written_money(written, ("revenue_proved", "revenue_estimated"))
    assessed = _written_money(written, ("revenue_proved", "revenue_estimated", "penalty"))
    recovered = events[events["event"] == "recovered"]
    checks = (("amount_recovered", "amount", stakes, "the revenue at stake"),
              ("penalty_recovered", PENALTY_COLUMN, assessed,
               "the larger of the penalty assessed and the revenue at stake"))  # fmt: skip
    for column, field, bases, base_name in checks:
        for key, amount in zip(recovered["finding_key"], recovered[field], strict=True):
            base = float(bases.get(key)) if pd.notna(bases.get(key)) else 0.0
            bound = max(RECOVERY_MULTIPLE * base, RECOVERY_FLOOR)
            if pd.notna(amount) and amount > bound:
                problems.add(
                    rows[key],
                    column,
                    f"expected at most {bound:,.2f} yuan ({RECOVERY_MULTIPLE} × {base_name} "
                    f"{base:,.2f}, or {RECOVERY_FLOOR:,.0f}), found {amount:,.2f}: an amount in "
                    "fen or a pasted number? A recovery checked to be that large is imported "
                    "with --large-amounts",
                )


def _written_money(written: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """The largest of the money `columns` each row was written with (NaN where all are blank;
    a column an older sheet does not have counts as blank)."""
    return pd.concat(
        [pd.to_numeric(written.get(c, pd.Series(dtype=float)), errors="coerce") for c in columns],
        axis=1,
    ).max(axis=1)


def _check_checked_on(
    events: pd.DataFrame,
    as_of: object,
    sent_days: Mapping[tuple[str, str], dt.date],
    problems: _Problems,
) -> None:
    """A problem for each check dated before the last day of the data the worklist was made
    from (`as_of`: its findings did not exist yet), before the day its finding was recorded as
    sent on this worklist (`sent_days`: a check cannot precede its sheet), or after today (it
    has not happened)."""
    rows = events.attrs.get("sheet_rows", {})
    first = as_of_day(as_of) if isinstance(as_of, str) and as_of else None
    for key, day, source in zip(
        events["finding_key"], events["happened_at"], events["source"], strict=True
    ):
        sent = sent_days.get((str(source), str(key)))
        if first is not None and day < first:
            problems.add(
                rows[key],
                "checked_on",
                f"expected a date on or after {first:%Y-%m-%d}, the last day of the data this "
                f"worklist was made from (as_of {as_of}), found {day:%Y-%m-%d}",
            )
        elif sent is not None and day.date() < sent:
            problems.add(
                rows[key],
                "checked_on",
                f"expected a date on or after {sent.isoformat()} (the day this worklist was "
                f"recorded as sent), found {day:%Y-%m-%d}",
            )
        elif (future := after_today(day)) is not None:
            problems.add(rows[key], "checked_on", future)


def _event_frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=[*EVENT_COLUMNS, PENALTY_COLUMN])
    return frame.astype(
        {
            "finding_key": "string",
            "event": "string",
            "amount": "float64",
            "penalty": "float64",
            "actor": "string",
            "happened_at": "datetime64[ns]",
            "source": "string",
            "source_row": "int64",
        }
    )

"""`auditkit register import` and `auditkit worklist` with sheets as field teams return them: a
filled copy of the sheet, two inspectors on copies of one sheet, a notes column of their own,
dates before the sheet was sent. What the field filled in is recorded or the file refused,
never skipped, and a returned file is never overwritten while it holds what nothing else keeps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.worksheet.worksheet import Worksheet

from auditkit.cli import main
from auditkit.register import Register
from auditkit.register.sheet import FIRST_DATA_ROW, HEADER_ROW, WORKLIST_SHEETS, canonical_column

#: Worklists are recorded as sent today, so a check is dated today at the earliest.
TODAY = f"{dt.date.today():%Y-%m-%d}"
ROWS = [FIRST_DATA_ROW + offset for offset in range(4)]


@pytest.fixture(scope="module")
def utility(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic utility of two districts, written once for the module."""
    folder = tmp_path_factory.mktemp("utility") / "data"
    args = ["synth", "--customers", "300", "--districts", "2", "--months", "24", "--seed", "3"]
    assert main([*args, "--out", str(folder)]) == 0
    return folder


@pytest.fixture
def sent(utility: Path, tmp_path: Path) -> tuple[str, Path]:
    """A register holding the utility's run, and the first district's worklist sent from it."""
    db = f"sqlite:///{tmp_path / 'register.sqlite'}"
    findings = tmp_path / "findings"
    assert main(["rules", str(utility), "--out", str(findings), "--register", "--db", db]) == 0
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--top", "4", "--out", str(out)]) == 0
    return db, sorted(out.glob("worklist-*.xlsx"))[0]


def checked(outcome: str = "属实", by: str = "张三", on: str = TODAY) -> dict[str, object]:
    return {"outcome": outcome, "checked_by": by, "checked_on": on}


def fill_sheet(page: Worksheet, answers: dict[int, dict[str, object]]) -> None:
    columns = {canonical_column(cell.value): cell.column for cell in page[HEADER_ROW]}
    for row, values in answers.items():
        for column, value in values.items():
            page.cell(row, columns[column]).value = value


def fill(sheet: Path, answers: dict[int, dict[str, object]], target: Path, edit=None) -> Path:
    """The worklist at `sheet` filled as an inspector would (rows in Excel numbering), then
    edited by `edit(workbook, page)`, saved as `target`."""
    workbook = load_workbook(sheet)
    page = workbook[WORKLIST_SHEETS["zh"]]
    fill_sheet(page, answers)
    if edit is not None:
        edit(workbook, page)
    workbook.save(target)
    return target


def live_events(db: str) -> list[tuple[str, str]]:
    """(event, actor) of every live outcome but `sent`, in the order recorded."""
    with Register.open(db) as register:
        trail = register.outcomes()
    trail = trail[trail["event"] != "sent"].sort_values("outcome_id")
    return list(zip(trail["event"], trail["actor"], strict=True))


def test_a_filled_copy_of_the_sheet_is_refused_on_import_and_its_file_never_overwritten(
    sent: tuple[str, Path], capsys
) -> None:
    """The instructions deleted, the sheet copied and the copy filled: import said "no outcome
    filled in yet, nothing to record" (exit 0) and the next worklist replaced the file."""
    db, sheet = sent

    def copy_filled(workbook, page: Worksheet) -> None:
        del workbook["填写说明"]
        copy = workbook.copy_worksheet(page)
        copy.title = "核查工单 Copy"
        fill_sheet(copy, {row: checked() for row in ROWS[:3]})

    fill(sheet, {}, sheet, copy_filled)
    before = sheet.read_bytes()
    capsys.readouterr()
    assert main(["register", "import", str(sheet), "--db", db]) == 2
    assert (
        f"worklist {sheet.name!r}: expected one sheet with the header finding_key (the sheet "
        "'核查工单' or 'worklist', or one renamed from it), found '核查工单', '核查工单 Copy'"
    ) in capsys.readouterr().err
    assert main(["worklist", "--db", db, "--top", "4", "--out", str(sheet.parent)]) == 2
    assert (
        f"{sheet}, which cannot be read as a worklist (worklist {sheet.name!r}: expected one "
        "sheet with the header finding_key"
    ) in capsys.readouterr().err
    assert sheet.read_bytes() == before
    assert live_events(db) == []


def test_two_inspectors_on_copies_of_one_sheet_both_import_and_keep_each_others_verdicts(
    sent: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    """Copy B (rows 5-6 filled) was refused as "the row was emptied" for A's rows 3-4, and the
    advised --correct withdrew 张三's two verdicts: both findings went out again."""
    db, sheet = sent
    a = fill(sheet, {ROWS[0]: checked(), ROWS[1]: checked("误报")}, tmp_path / "A.xlsx")
    b = fill(sheet, {ROWS[2]: checked(by="李四"), ROWS[3]: checked("已整改", "李四")},
             tmp_path / "B.xlsx")  # fmt: skip
    capsys.readouterr()
    assert main(["register", "import", str(a), str(b), "--db", db]) == 0
    printed = capsys.readouterr().out
    assert f"{b}: 2 outcome events recorded, already recorded 0" in printed
    assert (
        f"  row {ROWS[1]}: blank on this sheet; the outcome recorded for it (false_alarm by 张三 "
        f"on {TODAY}, from row {ROWS[1]} of this worklist: another copy of it, or this sheet "
        "before the row was emptied) is kept"
    ) in printed
    verdicts = [("confirmed", "张三"), ("false_alarm", "张三"), ("confirmed", "李四"),
                ("rectified", "李四")]  # fmt: skip
    assert live_events(db) == verdicts
    # B imported again, and with --correct (which corrects changed rows): A's verdicts stay
    for extra in ([], ["--correct"]):
        assert main(["register", "import", str(b), "--db", db, *extra]) == 0
        assert "--correct" not in capsys.readouterr().out
        assert live_events(db) == verdicts


def test_a_returned_sheet_with_a_notes_column_is_not_overwritten_once_its_outcomes_are_imported(
    sent: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    """The 备注 column the inspector added (the register keeps none of it) was lost: the next
    worklist replaced the file once its one outcome was imported."""
    db, sheet = sent

    def notes(workbook, page: Worksheet) -> None:
        page.protection.sheet = False
        column = page.max_column + 1
        page.cell(HEADER_ROW, column).value = "备注"
        page.cell(ROWS[0], column).value = "用户称表计已于11月更换，需核对换表工单 WO-2026-1183"

    fill(sheet, {ROWS[0]: checked()}, sheet, notes)
    page = load_workbook(sheet)[WORKLIST_SHEETS["zh"]]
    letter = page.cell(HEADER_ROW, page.max_column).column_letter  # the notes, added last
    assert main(["register", "import", str(sheet), "--db", db]) == 0
    before = sheet.read_bytes()
    capsys.readouterr()
    argv = ["worklist", "--db", db, "--top", "4", "--recheck", "--out", str(sheet.parent)]
    assert main(argv) == 2
    assert (
        f"{sheet}, which holds what the field typed besides the worklist (column {letter} "
        "'备注' (2 cells)), kept nowhere else: move it away first or write the worklist to "
        "another folder"
    ) in capsys.readouterr().err
    assert sheet.read_bytes() == before
    # near miss: the same outcome imported from a sheet without notes may be overwritten
    fill(sheet, {}, sheet, lambda workbook, page: page.delete_cols(page.max_column))
    assert main(argv) == 0
    assert sheet.read_bytes() != before


def test_dates_before_the_sheet_was_sent_are_named_with_its_other_problems_in_one_round(
    sent: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    """Two dates before the day sent and '11-3': '11-3' was named first, the two dates only
    once it was corrected (a second round)."""
    db, sheet = sent
    before = dt.date.today() - dt.timedelta(days=34)
    typed = {ROWS[0]: checked(on=f"{before.year}/{before.month}/{before.day}"),
             ROWS[1]: checked(on=f"{before.year}年{before.month}月{before.day}日"),
             ROWS[2]: checked(on="11-3")}  # fmt: skip
    returned = fill(sheet, typed, tmp_path / "returned.xlsx")
    header = load_workbook(sheet)[WORKLIST_SHEETS["zh"]][HEADER_ROW]
    letter = next(c.column_letter for c in header if canonical_column(c.value) == "checked_on")
    capsys.readouterr()
    assert main(["register", "import", str(returned), "--db", db]) == 2
    error = capsys.readouterr().err
    where = "worklist 'returned.xlsx', sheet '核查工单', row {}, column " + letter
    assert f"{where.format(ROWS[2])} (checked_on): expected a date YYYY-MM-DD" in error
    for row in ROWS[:2]:
        assert (
            f"{where.format(row)} (checked_on): expected a date on or after {TODAY} (the day "
            f"this worklist was recorded as sent), found {before:%Y-%m-%d}"
        ) in error
    assert live_events(db) == []


@pytest.mark.parametrize("order", ["A B", "B A"])
def test_two_copies_imported_together_with_withdraw_emptied_withdraw_neither_inspectors_verdicts(
    sent: tuple[str, Path], tmp_path: Path, capsys, order: str
) -> None:
    """张三 fills rows 3-4 on copy A, 李四 rows 5-6 on copy B, both imported in one command with
    --withdraw-emptied: the second copy's blank rows withdrew the first's verdicts, recorded a
    moment before ("4 outcome events recorded, 2 of them withdrawals"), whichever came last."""
    db, sheet = sent
    a = fill(sheet, {ROWS[0]: checked(), ROWS[1]: checked("误报")}, tmp_path / "A.xlsx")
    b = fill(sheet, {ROWS[2]: checked(by="李四"), ROWS[3]: checked("已整改", "李四")},
             tmp_path / "B.xlsx")  # fmt: skip
    copies = {"A": a, "B": b}
    argv = [str(copies[name]) for name in order.split()]
    capsys.readouterr()
    assert main(["register", "import", "--withdraw-emptied", *argv, "--db", db]) == 0
    printed = capsys.readouterr().out
    assert "withdrawals" not in printed and "is withdrawn" not in printed
    assert f"{a}: 2 outcome events recorded, already recorded 0" in printed
    assert f"{b}: 2 outcome events recorded, already recorded 0" in printed
    assert (
        f"  row {ROWS[0]}: blank on this sheet, filled on {a} in this import (another copy of "
        "the worklist): not withdrawn"
    ) in printed
    assert sorted(live_events(db)) == [("confirmed", "张三"), ("confirmed", "李四"),
                                       ("false_alarm", "张三"), ("rectified", "李四")]  # fmt: skip
    # near miss: a row emptied on copy A since, blank on B too, is withdrawn, named with its
    # verdict; A's row 4, still filled, keeps B's blank row 4 from withdrawing it
    a2 = fill(a, {ROWS[0]: dict.fromkeys(checked())}, tmp_path / "A2.xlsx")
    assert main(["register", "import", "--withdraw-emptied", str(a2), str(b), "--db", db]) == 0
    printed = capsys.readouterr().out
    assert (
        f"{a2}: 1 outcome events recorded, 1 of them withdrawals of the outcome of a row emptied "
        "(the finding is undecided again), already recorded 1"
    ) in printed
    assert (
        f"  row {ROWS[0]}: emptied on this sheet; the outcome recorded for it (confirmed by 张三 "
        f"on {TODAY}, from row {ROWS[0]} of this worklist) is withdrawn"
    ) in printed
    assert sorted(live_events(db)) == [("confirmed", "李四"), ("false_alarm", "张三"),
                                       ("rectified", "李四")]  # fmt: skip


def test_withdraw_emptied_on_a_sheet_whose_every_row_was_emptied_withdraws_their_outcomes(
    sent: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    """Both filled rows (已追补 1000.00 and 误报) emptied to be redone, imported with
    --withdraw-emptied: "no outcome filled in yet, nothing to record", exit 0, both kept."""
    db, sheet = sent
    recovered = {**checked("已追补"), "amount_recovered": 1000}
    typed = fill(sheet, {ROWS[0]: recovered, ROWS[1]: checked("误报")}, tmp_path / "f1.xlsx")
    assert main(["register", "import", str(typed), "--db", db, "--large-amounts"]) == 0
    cleared = {ROWS[0]: dict.fromkeys(recovered), ROWS[1]: dict.fromkeys(checked())}
    emptied = fill(typed, cleared, tmp_path / "all_empty.xlsx")
    capsys.readouterr()
    # without the flag: nothing withdrawn, each blank row named as kept, as on a partly emptied
    assert main(["register", "import", str(emptied), "--db", db]) == 0
    printed = capsys.readouterr().out
    assert "no outcome filled in yet" not in printed
    assert (
        f"  row {ROWS[0]}: blank on this sheet; the outcome recorded for it (recovered 1000.0 "
        f"by 张三 on {TODAY}, from row {ROWS[0]} of this worklist: another copy of it, or this "
        "sheet before the row was emptied) is kept"
    ) in printed
    assert "  2 blank row(s) kept as recorded" in printed
    assert live_events(db) == [("recovered", "张三"), ("false_alarm", "张三")]
    assert main(["register", "import", "--withdraw-emptied", str(emptied), "--db", db]) == 0
    printed = capsys.readouterr().out
    assert (
        f"{emptied}: 2 outcome events recorded, 2 of them withdrawals of the outcome of a row "
        "emptied (the finding is undecided again), already recorded 0"
    ) in printed
    assert (
        f"  row {ROWS[1]}: emptied on this sheet; the outcome recorded for it (false_alarm by "
        f"张三 on {TODAY}, from row {ROWS[1]} of this worklist) is withdrawn"
    ) in printed
    assert live_events(db) == []
    # near miss: the sheet as sent, nothing ever recorded from its rows, still says so
    assert main(["register", "import", "--withdraw-emptied", str(sheet), "--db", db]) == 0
    assert f"{sheet}: no outcome filled in yet, nothing to record" in capsys.readouterr().out


def test_a_sheet_in_out_with_a_cell_to_correct_is_refused_naming_the_cell_not_as_unreadable(
    sent: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    """A sheet imported before checked_by had to be text (a date in it) left in --out: the next
    worklist said it "cannot be read as a worklist", naming no cell."""
    db, sheet = sent
    fill(sheet, {ROWS[0]: checked(by=dt.datetime(2026, 3, 12))}, sheet)
    header = load_workbook(sheet)[WORKLIST_SHEETS["zh"]][HEADER_ROW]
    letter = next(c.column_letter for c in header if canonical_column(c.value) == "checked_by")
    before = sheet.read_bytes()
    capsys.readouterr()
    assert main(["worklist", "--db", db, "--top", "4", "--out", str(sheet.parent)]) == 2
    error = capsys.readouterr().err
    assert "cannot be read as a worklist" not in error
    assert (
        f"{sheet}, a worklist with cells to correct before it can be read (worklist "
        f"{sheet.name!r}, sheet '核查工单', row {ROWS[0]}, column {letter} (checked_by): expected "
        "who checked as text, found the date 2026-03-12 (a staff number Excel read as a date?)): "
        "correct them and import it (auditkit register import; with --correct if its rows were "
        "imported before), or move it away first"
    ) in error
    assert sheet.read_bytes() == before


@pytest.mark.parametrize("added", ["comment", "instructions"])
def test_a_returned_sheet_with_a_cell_comment_or_a_note_on_the_instructions_is_not_overwritten(
    sent: tuple[str, Path], capsys, added: str
) -> None:
    """A comment (批注) on a row's key cell, or a note typed on 填写说明: the next worklist
    replaced the file once its outcome was imported, and with it the note."""
    db, sheet = sent

    def note(workbook, page: Worksheet) -> None:
        if added == "comment":
            page.cell(ROWS[0], 1).comment = Comment("用户拒绝签字，现场照片见群", "张三")
        else:
            workbook["填写说明"]["D5"] = "第4行用户不在家，下周复查"

    fill(sheet, {ROWS[0]: checked()}, sheet, note)
    assert main(["register", "import", str(sheet), "--db", db]) == 0
    before = sheet.read_bytes()
    capsys.readouterr()
    assert main(["worklist", "--db", db, "--top", "4", "--out", str(sheet.parent)]) == 2
    said = {"comment": "sheet '核查工单' (1 cell comments)",
            "instructions": "sheet '填写说明' (1 cells besides the instructions)"}  # fmt: skip
    assert (
        f"{sheet}, which holds what the field typed besides the worklist ({said[added]}), kept "
        "nowhere else"
    ) in capsys.readouterr().err
    assert sheet.read_bytes() == before

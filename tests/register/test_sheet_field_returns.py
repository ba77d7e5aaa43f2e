"""Returned worklists as field teams really return them: a copy of the sheet filled in, cells
merged over rows, who checked typed as something other than text. None of them may be read as
fewer outcomes than the sheet shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.worksheet.worksheet import Worksheet
from worklist_builders import finding, findings

from auditkit.register.sheet import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    INSTRUCTIONS_SHEETS,
    WORKLIST_SHEETS,
    WorklistSheetError,
    canonical_column,
    read_worklist,
    write_worklist,
)
from auditkit.register.worklist import select_worklist

ROWS = [FIRST_DATA_ROW + offset for offset in range(4)]  # the findings a, b, c, d
WHERE = "worklist 'returned.xlsx', sheet '核查工单'"


@pytest.fixture
def blank(tmp_path: Path) -> Path:
    """A worklist of 城东 as sent: a (400 yuan), b (300), c (200), d (100), in that order."""
    frame = findings(*(finding(c, r) for c, r in zip("abcd", (400, 300, 200, 100), strict=True)))
    return write_worklist(select_worklist(frame, by="revenue", top=10), tmp_path / "sent.xlsx")


def checked(outcome: str = "属实", **more: object) -> dict[str, object]:
    return {"outcome": outcome, "checked_by": "李工", "checked_on": "2025-07-15", **more}


def columns_of(sheet: Worksheet) -> dict[str, int]:
    return {canonical_column(cell.value): cell.column for cell in sheet[HEADER_ROW]}


def fill(sheet: Worksheet, answers: dict[int, dict[str, object]]) -> None:
    columns = columns_of(sheet)
    for row, values in answers.items():
        for column, value in values.items():
            sheet.cell(row, columns[column]).value = value


def returned(
    blank: Path,
    answers: dict[int, dict[str, object]],
    edit: Callable[[Workbook, Worksheet], None] | None = None,
) -> Path:
    """The sheet filled (rows in Excel numbering), then edited by `edit`, saved."""
    workbook = load_workbook(blank)
    sheet = workbook[WORKLIST_SHEETS["zh"]]
    fill(sheet, answers)
    if edit is not None:
        edit(workbook, sheet)
    target = blank.parent / "returned.xlsx"
    workbook.save(target)
    return target


def problems_of(path: Path) -> list[str]:
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(path)
    return raised.value.problems


# -- a copy of the sheet ------------------------------------------------------------------------


def test_a_filled_copy_of_the_sheet_beside_the_blank_one_refuses_the_workbook_naming_both(blank):
    """The instructions deleted and the sheet copied (four sheets, as many as written), the copy
    filled: the blank original was read, "nothing filled in", and the copy's 3 outcomes lost."""

    def copy_filled(workbook: Workbook, sheet: Worksheet) -> None:
        del workbook[INSTRUCTIONS_SHEETS["zh"]]
        copy = workbook.copy_worksheet(sheet)
        copy.title = "核查工单 Copy"
        fill(copy, {row: checked() for row in ROWS[:3]})

    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(returned(blank, {}, copy_filled))
    assert str(raised.value) == (
        "worklist 'returned.xlsx': expected one sheet with the header finding_key (the sheet "
        "'核查工单' or 'worklist', or one renamed from it), found '核查工单', '核查工单 Copy': "
        "keep the sheet filled in and delete the others (a copy, or another worklist's sheet), "
        "then import it"
    )


def test_another_worklists_sheet_pasted_in_place_of_the_instructions_refuses_the_workbook(
    blank, tmp_path
):
    other = write_worklist(
        select_worklist(findings(finding("x", 900)), by="revenue", top=10), tmp_path / "o.xlsx"
    )
    pasted = load_workbook(other)[WORKLIST_SHEETS["zh"]]

    def paste(workbook: Workbook, sheet: Worksheet) -> None:
        del workbook[INSTRUCTIONS_SHEETS["zh"]]
        target = workbook.create_sheet("城西", 1)
        for row in pasted.iter_rows():
            for cell in row:
                target.cell(cell.row, cell.column).value = cell.value

    with pytest.raises(WorklistSheetError, match="found '核查工单', '城西': keep the sheet"):
        read_worklist(returned(blank, {ROWS[0]: checked()}, paste))


def test_near_misses_the_sheet_alone_renamed_or_beside_the_instructions_is_still_read(blank):
    as_sent = read_worklist(returned(blank, {ROWS[0]: checked()}))
    assert as_sent["event"].tolist() == ["confirmed"]

    def renamed_without_instructions(workbook: Workbook, sheet: Worksheet) -> None:
        del workbook[INSTRUCTIONS_SHEETS["zh"]]
        sheet.title = "城东7月"
        workbook.create_sheet("备注").cell(1, 1).value = "finding_key 在第一列"  # not a header

    events = read_worklist(returned(blank, {ROWS[0]: checked()}, renamed_without_instructions))
    assert events.drop(columns="source").equals(as_sent.drop(columns="source"))


# -- merged cells ------------------------------------------------------------------------------


def merge(*ranges: str) -> Callable[[Workbook, Worksheet], None]:
    def edit(workbook: Workbook, sheet: Worksheet) -> None:
        sheet.protection.sheet = False
        for cells in ranges:
            sheet.merge_cells(cells)

    return edit


def test_cells_merged_over_rows_of_the_inputs_are_refused_naming_the_range_not_read_in_part(
    blank,
):
    """outcome, checked_by and checked_on merged over rows 3-5, showing 属实 / 李工 / 2025-07-15
    in all three: row 3 was recorded and rows 4-5 silently counted as not checked."""
    sheet = load_workbook(blank)[WORKLIST_SHEETS["zh"]]
    letters = {name: sheet.cell(HEADER_ROW, column).column_letter
               for name, column in columns_of(sheet).items()}  # fmt: skip
    outcome, by, on = (letters[c] for c in ("outcome", "checked_by", "checked_on"))
    first, last = ROWS[0], ROWS[2]
    path = returned(
        blank,
        {first: checked()},
        merge(*(f"{c}{first}:{c}{last}" for c in (outcome, by, on))),
    )
    assert problems_of(path) == [
        f"{WHERE}, row {first}, column {c} ({name}): expected one value per cell, found the "
        f"cells {c}{first}:{c}{last} merged (rows {first}-{last}): only the first holds the "
        "value shown; unmerge them and fill each row"
        for c, name in ((outcome, "outcome"), (by, "checked_by"), (on, "checked_on"))
    ]  # and no "found nothing" for checked_by or checked_on on rows 4-5, which show 李工


def test_near_miss_cells_merged_above_the_header_or_in_a_column_of_the_fields_own_are_read(blank):
    def own_column_and_title(workbook: Workbook, sheet: Worksheet) -> None:
        merge("A1:C1")(workbook, sheet)  # the statement row, above the header
        free = sheet.max_column + 1
        sheet.cell(HEADER_ROW, free).value = "备注"
        sheet.cell(ROWS[0], free).value = "同一台区"
        sheet.merge_cells(start_row=ROWS[0], end_row=ROWS[2], start_column=free, end_column=free)

    events = read_worklist(returned(blank, {ROWS[0]: checked()}, own_column_and_title))
    assert events["event"].tolist() == ["confirmed"]


# -- who checked --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        (dt.datetime(2026, 3, 12), "the date 2026-03-12 (a staff number Excel read as a date?)"),
        (True, "the truth value TRUE"),
        (
            1.10101199003071e17,
            "a number of more than 15 digits (1.10101199003071e+17): its "
            "digits are lost, type it as text",
        ),
        (12.5, "the number 12.5"),
    ],
)
def test_who_checked_that_is_no_text_is_refused_naming_row_and_column(blank, typed, found):
    """Recorded before as '2026-03-12 00:00:00', 'True' and '110101199003071008', text nobody
    typed."""
    sheet = load_workbook(blank)[WORKLIST_SHEETS["zh"]]
    letter = sheet.cell(HEADER_ROW, columns_of(sheet)["checked_by"]).column_letter
    path = returned(blank, {ROWS[0]: checked(checked_by=typed)})
    assert problems_of(path) == [
        f"{WHERE}, row {ROWS[0]}, column {letter} (checked_by): expected who checked as text, "
        f"found {found}"
    ]


def test_near_miss_a_staff_number_typed_as_a_number_is_kept_as_its_digits(blank):
    path = returned(blank, {ROWS[0]: checked(checked_by=1023), ROWS[1]: checked(checked_by=7.0),
                            ROWS[2]: checked(checked_by=" 3-12 ")})  # fmt: skip
    assert read_worklist(path)["actor"].tolist() == ["1023", "7", "3-12"]


# -- what the field adds besides the cells ------------------------------------------------------


def test_cell_comments_and_text_on_the_instructions_sheet_are_the_fields_own_cells(blank):
    """A comment (批注) on a row and a note typed on 填写说明 were not counted, so a new
    worklist overwrote the file and both were lost (the register keeps neither)."""

    def comment_and_note(workbook: Workbook, sheet: Worksheet) -> None:
        sheet.cell(ROWS[0], 1).comment = Comment("用户拒绝签字，现场照片见群", "张三")
        sheet.cell(ROWS[1], 1).comment = Comment("表箱锁坏", "张三")
        instructions = workbook[INSTRUCTIONS_SHEETS["zh"]]
        instructions["D5"] = "第4行用户不在家，下周复查"
        instructions.cell(instructions.max_row + 1, 1).value = "第5行已电话联系"

    events = read_worklist(returned(blank, {ROWS[0]: checked()}, comment_and_note))
    assert events.attrs["own_cells"] == [
        "sheet '核查工单' (2 cell comments)",
        "sheet '填写说明' (2 cells besides the instructions)",
    ]


def test_a_note_typed_over_an_instruction_line_is_the_fields_own_cell(blank):
    """A note typed over line 5 of 填写说明 (column A, within the lines written) was not
    counted, so a new worklist overwrote the file and the note was lost."""

    def typed_over(workbook: Workbook, sheet: Worksheet) -> None:
        workbook[INSTRUCTIONS_SHEETS["zh"]]["A5"] = "第4行用户不在家，下周复查"

    events = read_worklist(returned(blank, {ROWS[0]: checked()}, typed_over))
    assert events.attrs["own_cells"] == ["sheet '填写说明' (A5 typed over the instructions)"]


def test_near_miss_an_instruction_line_erased_or_pasted_back_as_written_is_none(blank):
    """An emptied line holds nothing to keep; a line copied and pasted back reads as written."""

    def erased_and_pasted(workbook: Workbook, sheet: Worksheet) -> None:
        instructions = workbook[INSTRUCTIONS_SHEETS["zh"]]
        instructions["A5"] = None
        instructions["A3"] = str(instructions["A3"].value)

    events = read_worklist(returned(blank, {ROWS[0]: checked()}, erased_and_pasted))
    assert events.attrs["own_cells"] == []


def test_whitespace_edited_in_an_instruction_line_is_no_note_of_the_fields(blank):
    """A trailing space, a line ending as CRLF or a no-break space in a line of 填写说明 (an
    office program's or a careless edit) counted as 'A3 typed over the instructions'."""

    def respaced(workbook: Workbook, sheet: Worksheet) -> None:
        instructions = workbook[INSTRUCTIONS_SHEETS["zh"]]
        instructions["A2"] = f"{instructions['A2'].value} "
        instructions["A3"] = f"{instructions['A3'].value}\r\n"
        instructions["A4"] = str(instructions["A4"].value).replace(" ", "\xa0", 1)

    events = read_worklist(returned(blank, {ROWS[0]: checked()}, respaced))
    assert events.attrs["own_cells"] == []


def test_near_miss_a_word_typed_into_an_instruction_line_is_the_fields_own_cell(blank):
    """Whitespace aside, one more word is a change: the field's own cell."""

    def one_more_word(workbook: Workbook, sheet: Worksheet) -> None:
        instructions = workbook[INSTRUCTIONS_SHEETS["zh"]]
        instructions["A3"] = f"{instructions['A3'].value} 已读"

    events = read_worklist(returned(blank, {ROWS[0]: checked()}, one_more_word))
    assert events.attrs["own_cells"] == ["sheet '填写说明' (A3 typed over the instructions)"]


def test_near_miss_a_sheet_as_written_and_filled_holds_none_of_the_fields_own(blank):
    """The instructions as written (every line in column A) and no comment: nothing."""
    assert read_worklist(returned(blank, {ROWS[0]: checked()})).attrs["own_cells"] == []

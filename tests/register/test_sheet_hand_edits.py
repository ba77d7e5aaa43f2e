"""A returned worklist edited by hand in every way a person does in Excel: what is still read
(sorted, filtered, blank rows, a column moved or added, the sheet renamed, amounts and dates in
the forms people type) and what is refused, each problem one line naming file, sheet, row and
column, what was expected and what was found."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from formula_results import save_results
from openpyxl import load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.worksheet.worksheet import Worksheet
from worklist_builders import finding, findings

from auditkit.formulas import put_cell
from auditkit.register.sheet import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    INSTRUCTIONS_SHEETS,
    META_SHEET,
    ROWS_SHEET,
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


def columns_of(sheet: Worksheet, row: int = HEADER_ROW) -> dict[str, int]:
    return {canonical_column(cell.value): cell.column for cell in sheet[row]}


def letter(sheet: Worksheet, column: str) -> str:
    return sheet.cell(HEADER_ROW, columns_of(sheet)[column]).column_letter


def checked(outcome: str = "属实", **more: object) -> dict[str, object]:
    return {"outcome": outcome, "checked_by": "李工", "checked_on": "2025-07-15", **more}


def returned(
    blank: Path,
    answers: dict[int, dict[str, object]],
    edit: Callable[[Worksheet], None] | None = None,
    name: str = "returned.xlsx",
) -> Path:
    """The sheet filled (rows in Excel numbering as sent), then edited by `edit`, saved."""
    workbook = load_workbook(blank)
    sheet = workbook[WORKLIST_SHEETS["zh"]]
    columns = columns_of(sheet)
    for row, values in answers.items():
        for column, value in values.items():
            sheet.cell(row, columns[column]).value = value
    if edit is not None:
        edit(sheet)
    target = blank.parent / name
    workbook.save(target)
    return target


def problems_of(path: Path) -> list[str]:
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(path)
    return raised.value.problems


def key_of(blank: Path, row: int) -> str:
    return str(load_workbook(blank)[WORKLIST_SHEETS["zh"]].cell(row, 1).value)


def rows_of(sheet: Worksheet) -> list[list[object]]:
    return [[cell.value for cell in sheet[row]] for row in range(FIRST_DATA_ROW, sheet.max_row + 1)]


def put_rows(sheet: Worksheet, rows: list[list[object]], first: int = FIRST_DATA_ROW) -> None:
    for offset, values in enumerate(rows):
        for index, value in enumerate(values, start=1):
            sheet.cell(first + offset, index).value = value


ANSWERS = {
    ROWS[0]: checked("已追补", amount_recovered=480),
    ROWS[2]: checked("误报", checked_by="王工"),
}


# -- edits that keep every key: the same events --------------------------------------------


def test_rows_sorted_by_another_column_give_the_same_events_under_their_own_keys(blank):
    as_sent = read_worklist(returned(blank, ANSWERS, name="as-sent.xlsx"))

    def sort_by_customer_descending(sheet: Worksheet) -> None:
        customer = columns_of(sheet)["customer_id"] - 1
        put_rows(sheet, sorted(rows_of(sheet), key=lambda row: row[customer], reverse=True))

    events = read_worklist(returned(blank, ANSWERS, sort_by_customer_descending))
    # d, c, b, a now: c's false alarm comes first, a's recovery last
    assert events["event"].tolist() == ["false_alarm", "recovered"]
    assert events["finding_key"].tolist() == [key_of(blank, ROWS[2]), key_of(blank, ROWS[0])]
    # numbered by the row each finding was written in: the same events as the sheet as sent,
    # so importing both records them once
    assert events["source_row"].tolist() == [ROWS[2], ROWS[0]]
    by_key = events.sort_values("finding_key", ignore_index=True)
    assert by_key.equals(as_sent.sort_values("finding_key", ignore_index=True))
    assert events.attrs["sheet_rows"] == {key_of(blank, ROWS[2]): ROWS[1],
                                          key_of(blank, ROWS[0]): ROWS[3]}  # fmt: skip


def test_rows_hidden_by_a_filter_are_still_read(blank):
    as_sent = read_worklist(returned(blank, ANSWERS, name="as-sent.xlsx"))

    def filter_out_a_and_b(sheet: Worksheet) -> None:
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{letter(sheet, 'checked_on')}{ROWS[-1]}"
        for row in ROWS[:2]:
            sheet.row_dimensions[row].hidden = True

    assert read_worklist(returned(blank, ANSWERS, filter_out_a_and_b)).equals(as_sent)


def test_blank_rows_between_and_a_title_row_above_the_header_change_nothing(blank):
    as_sent = read_worklist(returned(blank, ANSWERS, name="as-sent.xlsx"))

    def insert_rows(sheet: Worksheet) -> None:
        sheet.insert_rows(ROWS[2], amount=2)  # two blank rows between b and c
        sheet.insert_rows(1)  # a title row above everything: the header moves to row 3
        sheet["A1"].value = "城东供电所 七月核查"

    events = read_worklist(returned(blank, ANSWERS, insert_rows))
    assert events.equals(as_sent)
    assert events.attrs["sheet_rows"] == {key_of(blank, ROWS[0]): ROWS[0] + 1,
                                          key_of(blank, ROWS[2]): ROWS[2] + 3}  # fmt: skip


def test_a_column_moved_and_a_column_added_change_nothing(blank):
    as_sent = read_worklist(returned(blank, ANSWERS, name="as-sent.xlsx"))

    def move_outcome_first_and_add_notes(sheet: Worksheet) -> None:
        rows = [[cell.value for cell in sheet[row]] for row in range(HEADER_ROW, ROWS[-1] + 1)]
        outcome = columns_of(sheet)["outcome"] - 1
        for row in rows:
            row.insert(0, row.pop(outcome))
            row.append(None)
        rows[0][-1] = "备注"
        rows[1][-1] = "户主不在家，下周再去"
        put_rows(sheet, rows, first=HEADER_ROW)

    edited = returned(blank, ANSWERS, move_outcome_first_and_add_notes)
    assert (
        load_workbook(edited)[WORKLIST_SHEETS["zh"]].cell(HEADER_ROW, 1).value == "核查结果 outcome"
    )
    assert read_worklist(edited).equals(as_sent)


def test_the_sheet_renamed_is_read_and_named_in_its_messages(blank):
    def rename(sheet: Worksheet) -> None:
        sheet.title = "城东7月"

    as_sent = read_worklist(returned(blank, ANSWERS, name="as-sent.xlsx"))
    assert read_worklist(returned(blank, ANSWERS, rename)).equals(as_sent)
    bad = returned(blank, {ROWS[1]: checked(checked_on="上周")}, rename)
    assert problems_of(bad) == [
        f"worklist 'returned.xlsx', sheet '城东7月', row {ROWS[1]}, column N (checked_on): "
        "expected a date YYYY-MM-DD between 2000 and 2100, found '上周'"
    ]


def test_a_renamed_sheet_and_a_copy_of_it_cannot_be_told_apart(blank):
    workbook = load_workbook(returned(blank, ANSWERS))
    workbook[WORKLIST_SHEETS["zh"]].title = "城东"
    workbook.copy_worksheet(workbook["城东"]).title = "城东 (2)"
    workbook.save(blank.parent / "copied.xlsx")  # five sheets: one more than a worklist has
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(blank.parent / "copied.xlsx")
    assert str(raised.value) == (
        "worklist 'copied.xlsx': expected the sheets 'auditkit_worklist', "
        "'auditkit_worklist_rows' among at most 4 (as auditkit writes it), found 5 sheet(s): "
        "'城东', '填写说明', 'auditkit_worklist', 'auditkit_worklist_rows', '城东 (2)': "
        "not loaded"
    )
    del workbook[INSTRUCTIONS_SHEETS["zh"]]  # four sheets, as many as written
    workbook.save(blank.parent / "returned.xlsx")
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(blank.parent / "returned.xlsx")
    assert str(raised.value) == (
        "worklist 'returned.xlsx': expected one sheet with the header finding_key (the sheet "
        "'核查工单' or 'worklist', or one renamed from it), found '城东', '城东 (2)': keep the sheet "
        "filled in and delete the others (a copy, or another worklist's sheet), then import it"
    )


def test_a_hidden_sheet_shown_and_saved_again_is_read(blank):
    workbook = load_workbook(returned(blank, ANSWERS))
    workbook[ROWS_SHEET].sheet_state = "visible"
    workbook[META_SHEET].sheet_state = "visible"
    workbook.save(blank.parent / "shown.xlsx")
    assert read_worklist(blank.parent / "shown.xlsx").equals(
        read_worklist(blank.parent / "returned.xlsx")
    )


# -- amounts, dates and outcomes as people type them -----------------------------------------


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        (480, 480.0),
        (1234.56, 1234.56),  # to the fen
        (0.1 + 0.2, 0.3),  # a sum a spreadsheet shows as 0.30 (0.30000000000000004 stored)
        ("2.670", 2.67),  # a trailing zero is no third decimal
        ("480", 480.0),
        (" 480.50 ", 480.5),
        ("1,234.5", 1234.5),  # thousands separators in groups of three
        ("12,345,678", 12345678.0),
        ("４８０", 480.0),  # full-width digits, as a Chinese input method types them
        ("１，２３４．５", 1234.5),  # full-width comma and point
        (0, 0.0),
    ],
)
def test_amounts_typed_as_numbers_or_plain_number_text_are_read(blank, typed, read):
    sheet = returned(blank, {ROWS[0]: checked("已追补", amount_recovered=typed)})
    # how the amount reads, whatever its size (the bound on the revenue at stake is tested apart)
    assert read_worklist(sheet, large_amounts=True)["amount"].tolist() == [read]


@pytest.mark.parametrize(
    "typed",
    [
        "480元",  # a unit: the column is in yuan
        "￥480",  # a currency sign
        "¥480",
        "约500",  # approximately
        "4.8万",  # in ten thousands
        "-480",  # negative
        -480,
        "(480)",  # accounting negative
        "12,5",  # a decimal comma (1,25? 12.5?)
        "1,2345",  # commas not in thousands
        "1 234",
        "1_000",  # Python reads it, a person does not write it
        "nan",
        "inf",
        True,
    ],
)
def test_amounts_with_units_signs_words_or_odd_separators_are_refused(blank, typed):
    sheet = returned(blank, {ROWS[0]: checked("已追补", amount_recovered=typed)})
    assert problems_of(sheet) == [
        f"{WHERE}, row {ROWS[0]}, column K (amount_recovered): expected a number of at least 0 "
        f"(yuan), found {typed!r}"
    ]


@pytest.mark.parametrize("typed", [1.005, "2.675", 0.125, 1234.567, "０．００１"])
def test_an_amount_with_a_fraction_of_a_fen_is_refused_not_rounded(blank, typed):
    """A recovery is money in fen: 1.005 was read as 1.0 (half to even), 2.675 as 2.67."""
    sheet = returned(blank, {ROWS[0]: checked("已追补", amount_recovered=typed)})
    assert problems_of(sheet) == [
        f"{WHERE}, row {ROWS[0]}, column K (amount_recovered): expected yuan to the fen (at most "
        f"2 decimals), found {typed!r}"
    ]


@pytest.mark.parametrize(
    "typed",
    [
        "2025/7/15",
        "2025.7.15",
        "2025-7-15",
        "2025年7月15日",
        "2025 年 7 月 15 日",
        "2025年7月15",
        "２０２５／０７／１５",
        dt.datetime(2025, 7, 15),  # a date cell: midnight, no time of day
        dt.date(2025, 7, 15),
        45853,  # Excel's serial number typed into the date cell: the same date cell
        45853.0,
    ],
)
def test_dates_in_the_forms_people_type_are_read(blank, typed):
    sheet = returned(blank, {ROWS[0]: checked(checked_on=typed)})
    assert read_worklist(sheet)["happened_at"].tolist() == [pd.Timestamp("2025-07-15")]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        (45853.9, "45853.9 in a date cell: 2025-07-15 at 21:36:00"),  # a slip: shown 2025-07-15
        (46362.9, "46362.9 in a date cell: 2026-12-06 at 21:36:00"),
        (45853.000694, "45853.000694 in a date cell: 2025-07-15 at 00:00:59"),  # under a minute
        (dt.datetime(2025, 7, 15, 16, 30), "45853.6875 in a date cell: 2025-07-15 at 16:30:00"),
    ],
)
def test_a_date_cell_with_a_time_of_day_is_refused_showing_its_serial_number(blank, typed, found):
    sheet = returned(blank, {ROWS[0]: checked(checked_on=typed)})  # the cell keeps yyyy-mm-dd
    assert problems_of(sheet) == [
        f"{WHERE}, row {ROWS[0]}, column N (checked_on): expected a date YYYY-MM-DD between "
        f"2000 and 2100 (a whole day), found the serial number {found}"
    ]


def general_format(serial: float, epoch: dt.datetime | None = None) -> Callable[[Worksheet], None]:
    """An edit typing `serial` into a's date cell formatted General (the format pasted over
    it), in a workbook whose day 0 is `epoch` when given."""

    def edit(sheet: Worksheet) -> None:
        if epoch is not None:
            sheet.parent.epoch = epoch
        cell = sheet.cell(ROWS[0], columns_of(sheet)["checked_on"])
        cell.number_format = "General"
        cell.value = serial

    return edit


@pytest.mark.parametrize(
    ("serial", "epoch"),
    [(45853, None), (45853.0, None), (44391, CALENDAR_MAC_1904)],  # old Mac Excel: from 1904
)
def test_a_date_kept_as_excels_serial_number_is_read_in_the_workbooks_calendar(
    blank, serial, epoch
):
    sheet = returned(blank, {ROWS[0]: checked()}, general_format(serial, epoch))
    assert read_worklist(sheet)["happened_at"].tolist() == [pd.Timestamp("2025-07-15")]


@pytest.mark.parametrize("serial", [45853.5, 2025, 0, -1])
def test_a_number_that_is_no_whole_day_from_2000_to_2100_is_refused(blank, serial):
    sheet = returned(blank, {ROWS[0]: checked()}, general_format(serial))
    assert problems_of(sheet) == [
        f"{WHERE}, row {ROWS[0]}, column N (checked_on): expected a date YYYY-MM-DD between "
        f"2000 and 2100, found {serial!r}"
    ]


@pytest.mark.parametrize(
    "typed",
    [
        "15/07/2025",  # day first or month first cannot be told apart
        "07/15/2025",
        "15.7.2025",
        "2025/7-15",  # two separators
        "20250715",
        "2025-02-30",
        "上周",
        "45853",  # a serial number as text
    ],
)
def test_dates_that_are_ambiguous_or_no_date_are_refused(blank, typed):
    sheet = returned(blank, {ROWS[0]: checked(checked_on=typed)})
    assert problems_of(sheet) == [
        f"{WHERE}, row {ROWS[0]}, column N (checked_on): expected a date YYYY-MM-DD between "
        f"2000 and 2100, found {typed!r}"
    ]


@pytest.mark.parametrize(
    ("typed", "shown"), [(dt.datetime(2101, 1, 1), "2101-01-01"), (2025, "1905-07-17")]
)
def test_a_date_cell_outside_the_years_is_refused_showing_the_date(blank, typed, shown):
    sheet = returned(blank, {ROWS[0]: checked(checked_on=typed)})  # 2025: day 2025 from 1900
    assert problems_of(sheet) == [
        f"{WHERE}, row {ROWS[0]}, column N (checked_on): expected a date YYYY-MM-DD between "
        f"2000 and 2100, found the date {shown}"
    ]


@pytest.mark.parametrize(
    ("typed", "event"),
    [
        ("属实", "confirmed"),
        (" 属实 ", "confirmed"),
        ("属　实", "confirmed"),  # an ideographic space inside
        ("Confirmed", "confirmed"),
        ("FALSE ALARM", "false_alarm"),
        ("false  alarm", "false_alarm"),
        ("false_alarm", "false_alarm"),
        ("archive-corrected", "archive_corrected"),
        ("ｒｅｃｔｉｆｉｅｄ", "rectified"),  # full-width letters
        ("误报\n", "false_alarm"),
        ("档案已更正", "archive_corrected"),
    ],
)
def test_outcomes_typed_in_either_language_with_spaces_or_case_are_read(blank, typed, event):
    sheet = returned(blank, {ROWS[0]: checked(typed)})
    assert read_worklist(sheet)["event"].tolist() == [event]


@pytest.mark.parametrize("typed", ["confirm", "是", "属实?", "ok", 1])
def test_outcomes_not_on_the_list_are_refused(blank, typed):
    offered = ("已派发/sent, 属实/confirmed, 误报/false_alarm, 已整改/rectified, 已追补/recovered, "
               "档案已更正/archive_corrected")  # fmt: skip
    assert problems_of(returned(blank, {ROWS[0]: checked(typed)})) == [
        f"{WHERE}, row {ROWS[0]}, column J (outcome): expected one of {offered}, found {typed!r}"
    ]


UNSAVED = "whose result was not saved (open and save the file in Excel, or paste the values)"


def test_formulas_saved_without_their_result_are_refused_not_read_as_a_blank_row(blank):
    # A program (not Excel) wrote the formulas: b's row would read as blank, not checked yet,
    # and a's recovery without its amount. A column added beside the worklist is not read.
    answers = {
        ROWS[0]: checked("已追补", amount_recovered="=400+80"),
        ROWS[1]: {"outcome": '="属实"', "checked_by": '="李工"', "checked_on": "=DATE(2025,7,15)"},
    }

    def add_a_column_of_formulas(sheet: Worksheet) -> None:
        added = sheet.max_column + 1
        sheet.cell(HEADER_ROW, added).value = "差额"
        sheet.cell(ROWS[0], added).value = "=J3-K3"

    path = returned(blank, answers, add_a_column_of_formulas)
    sheet = load_workbook(path)[WORKLIST_SHEETS["zh"]]

    def line(row: int, column: str, length: int) -> str:
        return (
            f"{WHERE}, row {row}, column {letter(sheet, column)} ({column}): expected a value, "
            f"found a formula of {length} characters (not shown: it may hold personal data) "
            f"{UNSAVED}"
        )

    assert problems_of(path) == [
        line(ROWS[0], "amount_recovered", 7),
        line(ROWS[1], "outcome", 5),
        line(ROWS[1], "checked_by", 5),
        line(ROWS[1], "checked_on", 16),
    ]


def test_a_formula_saved_without_its_result_is_never_quoted(blank):
    # a name and a phone typed into a formula: the message says where, not what
    formula = '="张三 13800138000"'
    path = returned(blank, {ROWS[0]: checked(checked_by=formula)})
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(path)
    message = "\n".join([str(raised.value), *raised.value.problems])
    assert "张三" not in message and "13800138000" not in message
    assert f"found a formula of {len(formula)} characters" in message


def test_formulas_with_their_saved_result_read_as_that_result(blank):
    answers = {
        ROWS[0]: checked("已追补", amount_recovered="=400+80"),
        ROWS[1]: checked('="属实"'),
    }

    def typed_with_an_equals_sign(sheet: Worksheet) -> None:  # text, not a formula: read as typed
        put_cell(sheet.cell(ROWS[1], columns_of(sheet)["checked_by"]), "=李工")

    path = returned(blank, answers, typed_with_an_equals_sign)
    sheet = load_workbook(path)[WORKLIST_SHEETS["zh"]]
    amount = f"{letter(sheet, 'amount_recovered')}{ROWS[0]}"
    outcome = f"{letter(sheet, 'outcome')}{ROWS[1]}"
    save_results(path, {amount: 480, outcome: "属实"}, part="xl/worksheets/sheet1.xml")
    events = read_worklist(path)
    assert events["event"].tolist() == ["recovered", "confirmed"]
    assert events["amount"].iloc[0] == 480 and events["actor"].tolist() == ["李工", "=李工"]


# -- edits that lose or duplicate a finding: refused whole -----------------------------------


def test_a_partly_filled_sheet_with_one_row_deleted_is_refused_naming_the_finding(blank):
    def delete_d(sheet: Worksheet) -> None:
        sheet.delete_rows(ROWS[3])

    assert problems_of(returned(blank, ANSWERS, delete_d)) == [
        f"{WHERE}, row {ROWS[3]}: the row of finding {key_of(blank, ROWS[3])} (customer d) is "
        "missing: deleted rows cannot be recorded; restore it from the sheet as sent"
    ]


def test_a_changed_key_is_refused_and_its_finding_named_as_missing(blank):
    changed = {**checked(), "finding_key": "0123456789abcdef"}
    assert problems_of(returned(blank, {ROWS[1]: changed})) == [
        f"{WHERE}, row {ROWS[1]}, column A (finding_key): '0123456789abcdef' is not the key of "
        "a finding of this worklist (row added or key changed); each row must keep the key it "
        "was written with",
        f"{WHERE}, row {ROWS[1]}: the row of finding {key_of(blank, ROWS[1])} (customer b) is "
        "missing: deleted rows cannot be recorded; restore it from the sheet as sent",
    ]


def test_two_keys_swapped_are_refused_by_the_locked_cells_they_no_longer_match(blank):
    a, b = key_of(blank, ROWS[0]), key_of(blank, ROWS[1])
    answers = {ROWS[0]: {"finding_key": b}, ROWS[1]: {"finding_key": a, **checked()}}
    problems = problems_of(returned(blank, answers))
    assert problems[:2] == [
        f"{WHERE}, row {ROWS[0]}, column C (customer_id): expected 'b' as written (locked), "
        "found 'a'",
        f"{WHERE}, row {ROWS[0]}, column H (revenue_estimated): expected 300 as written "
        "(locked), found 400",
    ]
    assert len(problems) == 4 and f"row {ROWS[1]}, column C (customer_id)" in problems[2]


def test_a_row_copied_in_between_and_filled_is_refused_at_the_copy(blank):
    def copy_b_below_itself(sheet: Worksheet) -> None:
        values = [cell.value for cell in sheet[ROWS[1]]]
        sheet.insert_rows(ROWS[2])
        put_rows(sheet, [values], first=ROWS[2])
        sheet.cell(ROWS[2], columns_of(sheet)["outcome"]).value = "误报"

    problems = problems_of(returned(blank, {ROWS[1]: checked()}, copy_b_below_itself))
    assert problems == [
        f"{WHERE}, row {ROWS[2]}, column A (finding_key): expected each finding once, found "
        f"{key_of(blank, ROWS[1])!r}"
    ]


def test_every_problem_of_a_sheet_is_listed_and_no_event_is_given(blank):
    def note_below(sheet: Worksheet) -> None:
        sheet.cell(ROWS[-1] + 2, columns_of(sheet)["checked_by"]).value = "张三 补查"

    answers = {
        ROWS[0]: checked("已追补", amount_recovered="480元"),
        ROWS[1]: checked("属实", checked_on="15/07/2025"),
        ROWS[2]: checked("属实"),  # fine, but the sheet is refused whole
        ROWS[3]: {"outcome": "误报", "checked_by": None, "checked_on": "2025-07-15"},
    }
    assert problems_of(returned(blank, answers, note_below)) == [
        f"{WHERE}, row {ROWS[0]}, column K (amount_recovered): expected a number of at least 0 "
        "(yuan), found '480元'",
        f"{WHERE}, row {ROWS[1]}, column N (checked_on): expected a date YYYY-MM-DD between 2000 "
        "and 2100, found '15/07/2025'",
        f"{WHERE}, row {ROWS[3]}, column M (checked_by): expected who checked, found nothing",
        f"{WHERE}, row {ROWS[-1] + 2}, column A (finding_key): a blank is not the key of a "
        "finding of this worklist (row added or key changed); each row must keep the key it was "
        "written with",
    ]


def test_every_row_deleted_leaves_an_empty_sheet_that_names_every_finding(blank):
    def delete_all(sheet: Worksheet) -> None:
        sheet.delete_rows(FIRST_DATA_ROW, len(ROWS))

    problems = problems_of(returned(blank, {}, delete_all))
    assert [line.split(": the row of finding ")[0] for line in problems] == [
        f"{WHERE}, row {row}" for row in ROWS
    ]


# -- the header and the hidden record --------------------------------------------------------


def test_a_renamed_header_is_refused_naming_what_was_written(blank):
    def rename_outcome(sheet: Worksheet) -> None:
        sheet.cell(HEADER_ROW, columns_of(sheet)["outcome"]).value = "结果"

    assert problems_of(returned(blank, ANSWERS, rename_outcome)) == [
        f"{WHERE}, row {HEADER_ROW}: expected a header naming the column 'outcome' "
        "('核查结果 outcome' as written), found '结果' in column J (headers can be moved, not "
        "renamed)"
    ]


def test_a_header_naming_a_column_twice_is_refused(blank):
    def second_amount(sheet: Worksheet) -> None:
        sheet.cell(HEADER_ROW, sheet.max_column + 1).value = "金额 amount_recovered"

    assert problems_of(returned(blank, ANSWERS, second_amount)) == [
        f"{WHERE}, row {HEADER_ROW}: columns K and O: expected the column 'amount_recovered' "
        "once in the header, found it 2 times"
    ]


def test_a_deleted_hidden_sheet_is_named(blank):
    workbook = load_workbook(returned(blank, ANSWERS))
    del workbook[ROWS_SHEET]
    workbook.save(blank.parent / "no-rows.xlsx")
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(blank.parent / "no-rows.xlsx")
    assert str(raised.value) == (
        "worklist 'no-rows.xlsx': expected the sheets 'auditkit_worklist', "
        "'auditkit_worklist_rows' among at most 4 (as auditkit writes it), found 3 sheet(s): "
        "'核查工单', '填写说明', 'auditkit_worklist', without 'auditkit_worklist_rows': "
        "not loaded"
    )
    del workbook[META_SHEET]
    workbook.save(blank.parent / "no-record.xlsx")
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(blank.parent / "no-record.xlsx")
    assert str(raised.value) == (
        "worklist 'no-record.xlsx': expected the sheets 'auditkit_worklist', "
        "'auditkit_worklist_rows' among at most 4 (as auditkit writes it), found 2 sheet(s): "
        "'核查工单', '填写说明', without 'auditkit_worklist', 'auditkit_worklist_rows': "
        "not loaded"
    )


SEALED = (
    "worklist 'edited.xlsx', hidden sheets 'auditkit_worklist' and 'auditkit_worklist_rows': "
    "expected the worklist's record as written, found it changed by hand: return the sheet as "
    "it was sent, only the yellow columns filled"
)


def test_a_given_cell_changed_in_the_hidden_copy_as_well_is_refused(blank):
    workbook = load_workbook(returned(blank, ANSWERS))
    customer = columns_of(workbook[WORKLIST_SHEETS["zh"]])["customer_id"]
    workbook[WORKLIST_SHEETS["zh"]].cell(ROWS[0], customer).value = "z"
    workbook[ROWS_SHEET].cell(2, customer).value = "z"  # the row of a, below the names
    workbook.save(blank.parent / "edited.xlsx")
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(blank.parent / "edited.xlsx")
    assert str(raised.value) == SEALED


@pytest.mark.parametrize(
    ("field", "value"), [("worklist_id", "0000000000000000"), ("auditor", "城西")]
)
def test_a_changed_record_of_the_worklist_is_refused(blank, field, value):
    workbook = load_workbook(returned(blank, ANSWERS))
    record = json.loads(workbook[META_SHEET]["A1"].value)
    workbook[META_SHEET]["A1"].value = json.dumps({**record, field: value}, ensure_ascii=False)
    workbook.save(blank.parent / "edited.xlsx")
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(blank.parent / "edited.xlsx")
    assert str(raised.value) == SEALED


def test_data_with_line_breaks_tabs_and_spaces_is_read_back_under_its_seal(tmp_path):
    frame = findings(finding("a\r\n1", 10, district=" 城东\t", name="张三\r", address="x  "))
    sheet = write_worklist(select_worklist(frame, top=1), tmp_path / "sent.xlsx", mask=False)
    events = read_worklist(returned(sheet, {FIRST_DATA_ROW: checked()}))
    assert events["event"].tolist() == ["confirmed"]


def test_a_worklist_written_before_sheets_were_sealed_is_read(blank):
    workbook = load_workbook(returned(blank, ANSWERS))
    record = json.loads(workbook[META_SHEET]["A1"].value)
    del record["seal"]
    workbook[META_SHEET]["A1"].value = json.dumps(record, ensure_ascii=False)
    workbook.save(blank.parent / "older.xlsx")
    assert read_worklist(blank.parent / "older.xlsx").equals(
        read_worklist(blank.parent / "returned.xlsx")
    )


# -- files that are not the sheet ------------------------------------------------------------


def test_a_csv_renamed_xlsx_and_an_empty_file_are_refused(tmp_path):
    (tmp_path / "returned.xlsx").write_text("finding_key,outcome\nabc,属实\n", encoding="utf-8")
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(tmp_path / "returned.xlsx")
    assert str(raised.value) == (
        "worklist 'returned.xlsx': expected an .xlsx workbook, found a file that is not a "
        "readable .xlsx file (BadZipFile: File is not a zip file)"
    )
    (tmp_path / "empty.xlsx").write_bytes(b"")
    with pytest.raises(WorklistSheetError, match=r"not a readable \.xlsx file"):
        read_worklist(tmp_path / "empty.xlsx")


def test_a_sheet_saved_again_by_libreoffice_gives_the_same_events(blank, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail(
            "LibreOffice (soffice) not found: this test saves a returned sheet as an office suite "
            "does; install the Debian package libreoffice-calc-nogui (python3 dev.py test does "
            "as root)",
            pytrace=False,
        )
    filled = returned(blank, ANSWERS)
    out = tmp_path / "libreoffice"
    subprocess.run(
        [soffice, "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(out),
         str(filled)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    assert read_worklist(out / filled.name).equals(read_worklist(filled))


def test_a_check_dated_before_the_worklists_data_or_after_today_is_refused(tmp_path):
    frame = findings(finding("a", 400), finding("b", 300), finding("c", 200))
    frame.attrs["as_of"] = "2025-06"
    sent = write_worklist(select_worklist(frame, by="revenue", top=10), tmp_path / "sent.xlsx")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    answers = {
        ROWS[0]: checked(checked_on="2025-05-31"),  # before the data it was found in ended
        ROWS[1]: checked(checked_on="2025-06-30"),  # the last day of that data: possible
        ROWS[2]: checked(checked_on=f"{tomorrow:%Y-%m-%d}"),
    }
    assert problems_of(returned(sent, answers)) == [
        f"{WHERE}, row {ROWS[0]}, column N (checked_on): expected a date on or after 2025-06-30, "
        "the last day of the data this worklist was made from (as_of 2025-06), found 2025-05-31",
        f"{WHERE}, row {ROWS[2]}, column N (checked_on): expected a date up to today, "
        f"{dt.date.today():%Y-%m-%d}, found {tomorrow:%Y-%m-%d}",
    ]

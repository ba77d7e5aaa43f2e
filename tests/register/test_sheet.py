"""The worklist sheet: written for the field, read back as outcome events, every problem a line."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from worklist_builders import finding, findings
from zip_bombs import bombed, packed_ratio, with_sheets

from auditkit import rules, workbooks
from auditkit.errors import ParameterError
from auditkit.formulas import put_cell
from auditkit.register.schema import OPTIONAL_EVENT_COLUMNS, OUTCOME_EVENTS
from auditkit.register.sheet import (
    EVENT_COLUMNS,
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
from auditkit.workbooks import sheet_parts

TITLE_ZH = rules.catalog().set_index("rule_id").at["zero_consumption", "title_zh"]
TITLE_EN = rules.catalog().set_index("rule_id").at["zero_consumption", "title_en"]


@pytest.fixture
def worklist() -> pd.DataFrame:
    """Three findings of 城东, most revenue first: a (proved 500), b (300), c (100)."""
    frame = findings(
        finding("b", 300, period_from="2024-12", period_to="2024-12"),
        finding("a", 500, revenue_kind="proved"),
        finding("c", 100),
    )
    return select_worklist(frame, by="revenue", top=10)


def columns_of(sheet) -> dict[str, int]:
    return {canonical_column(cell.value): cell.column for cell in sheet[HEADER_ROW]}


def fill(blank: Path, target: Path, answers: dict[int, dict[str, object]]) -> Path:
    """Fill the worklist rows (Excel numbering) with the inputs given; other rows stay blank."""
    workbook = load_workbook(blank)
    sheet = workbook.worksheets[0]  # the worklist, named in the workbook's language
    columns = columns_of(sheet)
    for row, values in answers.items():
        for column, value in values.items():
            sheet.cell(row, columns[column]).value = value
    workbook.save(target)
    return target


def checked(outcome: str, **more: object) -> dict[str, object]:
    return {"outcome": outcome, "checked_by": "李工", "checked_on": "2025-07-15", **more}


def test_a_partly_filled_sheet_gives_one_event_per_filled_row(worklist, tmp_path):
    blank = write_worklist(worklist, tmp_path / "worklist.xlsx")
    first, second = FIRST_DATA_ROW, FIRST_DATA_ROW + 1
    filled = fill(
        blank,
        tmp_path / "returned.xlsx",
        {
            first: checked("已追补", amount_recovered=480.5),
            second: {"outcome": "误报", "checked_by": 1023, "checked_on": dt.datetime(2025, 7, 1)},
        },
    )
    events = read_worklist(filled)
    assert list(events.columns) == [*EVENT_COLUMNS, "penalty", *OPTIONAL_EVENT_COLUMNS]
    assert events["finding_key"].tolist() == worklist["finding_key"].iloc[:2].tolist()
    assert events["event"].tolist() == ["recovered", "false_alarm"]
    assert events["amount"].iloc[0] == 480.5 and pd.isna(events["amount"].iloc[1])
    assert events["actor"].tolist() == ["李工", "1023"]  # a staff number typed as a number
    assert events["happened_at"].tolist() == [
        pd.Timestamp("2025-07-15"),
        pd.Timestamp("2025-07-01"),
    ]
    assert events["source_row"].tolist() == [first, second]
    assert events["source"].str.startswith("worklist:").all()
    assert events["happened_at"].dtype == "datetime64[ns]"


def test_a_blank_sheet_gives_no_events(worklist, tmp_path):
    events = read_worklist(write_worklist(worklist, tmp_path / "worklist.xlsx"))
    assert events.empty
    assert list(events.columns) == [*EVENT_COLUMNS, "penalty", *OPTIONAL_EVENT_COLUMNS]


def test_a_renamed_copy_of_the_same_returned_sheet_is_the_same_source(worklist, tmp_path):
    blank = write_worklist(worklist, tmp_path / "worklist.xlsx")
    filled = fill(blank, tmp_path / "returned.xlsx", {FIRST_DATA_ROW: checked("属实")})
    copy = shutil.copy(filled, tmp_path / "returned (1).xlsx")
    assert read_worklist(filled).equals(read_worklist(copy))


def test_the_same_worklist_gives_the_same_bytes(worklist, tmp_path):
    first = write_worklist(worklist, tmp_path / "one.xlsx").read_bytes()
    assert write_worklist(worklist, tmp_path / "two.xlsx").read_bytes() == first


def test_outcomes_are_read_in_either_language_and_as_codes(worklist, tmp_path):
    blank = write_worklist(worklist, tmp_path / "worklist.xlsx", lang="en")
    answers = {
        FIRST_DATA_ROW: checked("Archive Corrected"),
        FIRST_DATA_ROW + 1: checked("rectified"),
        FIRST_DATA_ROW + 2: checked("属实"),
    }
    events = read_worklist(fill(blank, tmp_path / "returned.xlsx", answers))
    assert events["event"].tolist() == ["archive_corrected", "rectified", "confirmed"]


@pytest.mark.parametrize("written", ["2025/7/15", "2025年7月15日", "2025-07-15 ", "２０２５-07-15"])
def test_dates_typed_as_text_are_read(worklist, tmp_path, written):
    blank = write_worklist(worklist, tmp_path / "worklist.xlsx")
    answers = {FIRST_DATA_ROW: checked("属实", checked_on=written)}
    events = read_worklist(fill(blank, tmp_path / "returned.xlsx", answers))
    assert events["happened_at"].tolist() == [pd.Timestamp("2025-07-15")]


def test_the_given_columns_are_locked_and_written_in_the_sheets_language(worklist, tmp_path):
    path = write_worklist(worklist, tmp_path / "worklist.xlsx")
    sheet = load_workbook(path)[WORKLIST_SHEETS["zh"]]
    headers = [cell.value for cell in sheet[HEADER_ROW]]
    assert headers[:4] == [
        "线索编号 finding_key",
        "供电单位 district",
        "户号 customer_id",
        "稽查规则 rule",
    ]
    assert headers[-6:] == [
        "违约使用电费（核定） penalty",
        "核查结果 outcome",
        "追补金额（元） amount_recovered",
        "违约使用电费实收（元） penalty_recovered",
        "核查人 checked_by",
        "核查日期 checked_on",
    ]
    columns = columns_of(sheet)
    row = FIRST_DATA_ROW
    assert sheet.cell(row, columns["customer_id"]).value == "a"
    assert sheet.cell(row, columns["rule"]).value == TITLE_ZH
    assert sheet.cell(row, columns["evidence"]).value == "无更早的账单可据以估算少计电量"
    assert sheet.cell(row, columns["period"]).value == "2024-09 至 2024-12"
    assert sheet.cell(row + 1, columns["period"]).value == "2024-12"  # b: one month
    # a's revenue is proved, b's estimated: each in its own column.
    assert sheet.cell(row, columns["revenue_proved"]).value == 500
    assert sheet.cell(row, columns["revenue_estimated"]).value is None
    assert sheet.cell(row + 1, columns["revenue_estimated"]).value == 300
    assert sheet.protection.sheet
    assert sheet.cell(row, columns["customer_id"]).protection.locked
    assert not sheet.cell(row, columns["outcome"]).protection.locked
    # grey given, yellow to fill, as the statement row tells the field
    assert sheet.cell(row, columns["customer_id"]).fill.fgColor.rgb.endswith("EDEDED")
    assert sheet.cell(row, columns["outcome"]).fill.fgColor.rgb.endswith("FFF2CC")
    assert not sheet.cell(row + 2, columns["checked_on"]).protection.locked


@pytest.mark.parametrize(
    ("lang", "offered"),
    [
        ("zh", "已派发,属实,误报,已整改,已追补,档案已更正"),
        ("en", "sent,confirmed,false alarm,rectified,recovered,archive corrected"),
    ],
)
def test_the_inputs_are_validated_and_the_outcome_is_a_list_in_the_sheets_language(
    worklist, tmp_path, lang, offered
):
    sheet = load_workbook(write_worklist(worklist, tmp_path / "w.xlsx", lang=lang))[
        WORKLIST_SHEETS[lang]
    ]
    by_range = {
        str(validation.sqref): (validation.type, validation.formula1)
        for validation in sheet.data_validations.dataValidation
    }
    validations = {}
    for column, number in columns_of(sheet).items():
        letter = sheet.cell(HEADER_ROW, number).column_letter
        cells = f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + 2}"
        if cells in by_range:
            validations[column] = by_range[cells]
    assert len(offered.split(",")) == len(OUTCOME_EVENTS)
    assert validations["outcome"] == ("list", f'"{offered}"')
    assert validations["amount_recovered"] == validations["penalty_recovered"] == ("decimal", "0")
    assert validations["checked_on"][0] == "date"
    assert validations["checked_by"][0] == "textLength"
    assert len(validations) == len(by_range) == 5


@pytest.mark.parametrize(
    ("lang", "outcomes"),
    [
        ("zh", "核查结果（已派发、属实、误报、已整改、已追补、档案已更正）"),
        ("en", "outcome (sent, confirmed, false alarm, rectified, recovered, archive corrected)"),
    ],
)
def test_the_statement_lists_the_outcomes_in_the_sheets_language(
    worklist, tmp_path, lang, outcomes
):
    sheet = load_workbook(write_worklist(worklist, tmp_path / "w.xlsx", lang=lang))[
        WORKLIST_SHEETS[lang]
    ]
    assert outcomes in sheet.cell(1, 1).value


def test_the_english_sheet_names_the_rule_and_evidence_in_english(worklist, tmp_path):
    sheet = load_workbook(write_worklist(worklist, tmp_path / "en.xlsx", lang="en"))[
        WORKLIST_SHEETS["en"]
    ]
    columns = columns_of(sheet)
    assert sheet.cell(HEADER_ROW, 1).value == "finding_key"
    assert sheet.cell(FIRST_DATA_ROW, columns["rule"]).value == TITLE_EN
    assert sheet.cell(FIRST_DATA_ROW, columns["evidence"]).value == (
        "no earlier bills to estimate the missing energy from"
    )
    assert sheet.cell(FIRST_DATA_ROW, columns["period"]).value == "2024-09 to 2024-12"


def test_the_sheet_prints_landscape_fitted_to_width_with_headers_on_every_page(worklist, tmp_path):
    sheet = load_workbook(write_worklist(worklist, tmp_path / "worklist.xlsx"))[
        WORKLIST_SHEETS["zh"]
    ]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$2"


def test_formula_like_data_is_written_and_read_as_text(tmp_path):
    frame = findings(finding('=HYPERLINK("x")', 10, district="=SUM(1+2)"))
    path = write_worklist(select_worklist(frame, top=1), tmp_path / "worklist.xlsx")
    workbook = load_workbook(path)
    for sheet_name, row in [(WORKLIST_SHEETS["zh"], FIRST_DATA_ROW), (ROWS_SHEET, 2)]:
        cells = workbook[sheet_name][row]
        assert cells[1].value == "=SUM(1+2)" and cells[1].data_type == "s"
        assert cells[2].value == '=HYPERLINK("x")' and cells[2].data_type == "s"
    filled = fill(path, tmp_path / "returned.xlsx", {FIRST_DATA_ROW: checked("属实")})
    assert read_worklist(filled)["event"].tolist() == ["confirmed"]


def personal_worklist() -> pd.DataFrame:
    frame = findings(
        finding("a", 10, name="张三丰", address="北京市东城区和平里街道1号", phone="13812345678")
    )
    return select_worklist(frame, top=1)


def test_personal_fields_are_masked_everywhere_in_the_file_unless_asked(tmp_path):
    path = write_worklist(personal_worklist(), tmp_path / "masked.xlsx")
    workbook = load_workbook(path)
    sheet = workbook[WORKLIST_SHEETS["zh"]]
    columns = columns_of(sheet)
    row = [sheet.cell(FIRST_DATA_ROW, columns[c]).value for c in ("name", "address", "phone")]
    assert row == ["张**", "北京市东城区****", "138****5678"]
    hidden = [cell.value for cell in workbook[ROWS_SHEET][2]]
    assert "张三丰" not in hidden and "13812345678" not in hidden
    plain = load_workbook(write_worklist(personal_worklist(), tmp_path / "plain.xlsx", mask=False))
    assert plain[WORKLIST_SHEETS["zh"]].cell(FIRST_DATA_ROW, columns["name"]).value == "张三丰"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(path)
    return raised.value.problems


def test_a_sheet_edited_by_hand_gives_one_line_per_problem_and_no_events(tmp_path):
    frame = findings(*[finding(f"c{i}", 100 - i) for i in range(7)])
    blank = write_worklist(select_worklist(frame, top=7), tmp_path / "worklist.xlsx")
    rows = [FIRST_DATA_ROW + i for i in range(7)]
    workbook = load_workbook(blank)
    sheet = workbook[WORKLIST_SHEETS["zh"]]
    columns = columns_of(sheet)
    answers = {
        rows[0]: checked("已追补", amount_recovered="约500元"),  # text in the number column
        rows[1]: checked("查无此事"),  # an outcome not on the list
        rows[2]: checked("属实", checked_on="上周"),  # a date that is no date
        rows[3]: checked("属实", customer_id="c9"),  # a locked cell changed
        rows[4]: checked("属实", finding_key="0000000000000000"),  # a changed id
        rows[5]: checked("属实"),  # fine, but the sheet is refused as a whole
    }
    for row, values in answers.items():
        for column, value in values.items():
            sheet.cell(row, columns[column]).value = value
    sheet.delete_rows(rows[6])  # the last finding's row deleted
    workbook.save(tmp_path / "returned.xlsx")
    problems = problems_of(tmp_path / "returned.xlsx")
    letter = {
        column: sheet.cell(HEADER_ROW, number).column_letter for column, number in columns.items()
    }
    where = "worklist 'returned.xlsx', sheet '核查工单'"
    assert problems == [
        f"{where}, row {rows[0]}, column {letter['amount_recovered']} (amount_recovered): "
        "expected a number of at least 0 (yuan), found '约500元'",
        f"{where}, row {rows[1]}, column {letter['outcome']} (outcome): expected one of "
        "已派发/sent, 属实/confirmed, 误报/false_alarm, 已整改/rectified, 已追补/recovered, "
        "档案已更正/archive_corrected, found '查无此事'",
        f"{where}, row {rows[2]}, column {letter['checked_on']} (checked_on): expected a date "
        "YYYY-MM-DD between 2000 and 2100, found '上周'",
        f"{where}, row {rows[3]}, column {letter['customer_id']} (customer_id): expected 'c3' "
        "as written (locked), found 'c9'",
        f"{where}, row {rows[4]}, column {letter['finding_key']} (finding_key): '0000000000000000' "
        "is not the key of a finding of this worklist (row added or key changed); each row must "
        "keep the key it was written with",
        f"{where}, row {rows[4]}: the row of finding "
        f"{load_workbook(blank)[WORKLIST_SHEETS['zh']].cell(rows[4], 1).value} (customer c4) "
        "is missing: deleted rows cannot be recorded; restore it from the sheet as sent",
        f"{where}, row {rows[6]}: the row of finding "
        f"{load_workbook(blank)[WORKLIST_SHEETS['zh']].cell(rows[6], 1).value} (customer c6) "
        "is missing: deleted rows cannot be recorded; restore it from the sheet as sent",
    ]


@pytest.mark.parametrize(
    ("inputs", "column", "message"),
    [
        ({"outcome": "已追补"}, "amount_recovered", "expected the amount recovered in yuan"),
        (
            {"outcome": "属实", "amount_recovered": 20},
            "amount_recovered",
            "an amount is recorded only with the outcome 已追补/recovered",
        ),
        ({"outcome": "已追补", "amount_recovered": -5}, "amount_recovered", "at least 0"),
        ({"outcome": None, "amount_recovered": 20}, "outcome", "expected an outcome"),
        ({"checked_by": None}, "checked_by", "expected who checked"),
        ({"checked_on": None}, "checked_on", "expected a date"),
        ({"checked_on": "2025-13-01"}, "checked_on", "expected a date"),
        ({"checked_on": dt.datetime(1999, 12, 31)}, "checked_on", "expected a date"),
        ({"checked_on": True}, "checked_on", "found True"),
    ],
)
def test_a_row_missing_what_its_outcome_needs_is_a_problem(
    worklist, tmp_path, inputs, column, message
):
    blank = write_worklist(worklist, tmp_path / "worklist.xlsx")
    values = {**checked("属实"), **inputs}
    problems = problems_of(fill(blank, tmp_path / "returned.xlsx", {FIRST_DATA_ROW: values}))
    assert len(problems) == 1
    assert f"row {FIRST_DATA_ROW}, column " in problems[0]
    assert f"({column}): " in problems[0] and message in problems[0]


def test_a_row_copied_below_the_sheet_is_a_problem(worklist, tmp_path):
    blank = write_worklist(worklist, tmp_path / "worklist.xlsx")
    workbook = load_workbook(blank)
    sheet = workbook[WORKLIST_SHEETS["zh"]]
    copied = FIRST_DATA_ROW + 3
    for cell in sheet[FIRST_DATA_ROW]:
        sheet.cell(copied, cell.column).value = cell.value
    workbook.save(tmp_path / "returned.xlsx")
    assert problems_of(tmp_path / "returned.xlsx") == [
        f"worklist 'returned.xlsx', sheet '核查工单', row {copied}, column A (finding_key): "
        f"expected each finding once, found {sheet.cell(FIRST_DATA_ROW, 1).value!r}"
    ]


def test_a_workbook_that_is_not_a_worklist_is_refused(tmp_path):
    Workbook().save(tmp_path / "other.xlsx")
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(tmp_path / "other.xlsx")
    assert str(raised.value) == (
        "worklist 'other.xlsx': expected the sheets 'auditkit_worklist', 'auditkit_worklist_rows' "
        "among at most 4 (as auditkit writes it), found 1 sheet(s): 'Sheet', without "
        "'auditkit_worklist', 'auditkit_worklist_rows': not loaded"
    )
    (tmp_path / "notes.xlsx").write_text("not a workbook")
    with pytest.raises(WorklistSheetError, match=r"not a readable \.xlsx file"):
        read_worklist(tmp_path / "notes.xlsx")
    with pytest.raises(WorklistSheetError, match="file not found"):
        read_worklist(tmp_path / "missing.xlsx")


def returned_by(blank: Path, target: Path, actors: list[str]) -> Path:
    """The worklist at `blank` returned with its rows confirmed, checked by `actors` in turn,
    each written as text whatever it looks like (as a spreadsheet saves what is typed)."""
    workbook = load_workbook(blank)
    sheet = workbook[WORKLIST_SHEETS["zh"]]
    columns = columns_of(sheet)
    for row, actor in enumerate(actors, start=FIRST_DATA_ROW):
        for column, value in checked("属实", checked_by=actor).items():
            put_cell(sheet.cell(row, columns[column]), value)
    workbook.save(target)
    return target


def test_who_checked_with_a_control_or_invisible_character_is_refused_as_validate_does(
    tmp_path,
):
    frame = findings(*[finding(f"c{i}", 100 - i) for i in range(4)])
    blank = write_worklist(select_worklist(frame, top=4), tmp_path / "worklist.xlsx")
    actors = ["\u202eevil", "a\r\n=1+1", "张\u200b三", "李\t工"]
    returned = returned_by(blank, tmp_path / "returned.xlsx", actors)
    letter = columns_of(load_workbook(blank)[WORKLIST_SHEETS["zh"]])["checked_by"]
    expected = (
        "expected text without control characters (tab, line break, NUL, escape) or invisible "
        "characters (zero-width spaces, direction marks)"
    )
    where = "worklist 'returned.xlsx', sheet '核查工单', row {}, column {} (checked_by)"
    shown = ["'\\u202eevil'", "'a\\n=1+1'", "'张\\u200b三'", "'李\\t工'"]  # as validate shows them
    assert problems_of(returned) == [
        f"{where.format(row, get_column_letter(letter))}: {expected}, found {found}"
        for row, found in enumerate(shown, start=FIRST_DATA_ROW)
    ]


def test_who_checked_that_looks_like_a_formula_or_sql_is_recorded_as_typed(tmp_path):
    frame = findings(*[finding(f"c{i}", 100 - i) for i in range(3)])
    blank = write_worklist(select_worklist(frame, top=3), tmp_path / "worklist.xlsx")
    actors = ['=HYPERLINK("http://e.vil/","张三")', "'; DROP TABLE events;--", "李工 (007)"]
    events = read_worklist(returned_by(blank, tmp_path / "returned.xlsx", actors))
    assert events["actor"].tolist() == actors


def test_a_returned_sheet_that_is_a_zip_bomb_is_refused_before_it_is_loaded(
    worklist, tmp_path, monkeypatch
):
    returned = fill(
        write_worklist(worklist, tmp_path / "worklist.xlsx"),
        tmp_path / "returned.xlsx",
        {FIRST_DATA_ROW: checked("属实")},
    )
    bomb = bombed(returned, tmp_path / "bomb.xlsx", 40_000)  # 2 MB of rows packed 300 times
    part = next(iter(sheet_parts(bomb).values()))

    def never(*args, **kwargs):
        raise AssertionError("the workbook was loaded")

    monkeypatch.setattr(workbooks, "load_workbook", never)
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(bomb)
    message = str(raised.value)
    assert message.startswith(
        "worklist 'bomb.xlsx': expected an .xlsx workbook unpacking to at most 50.00 MB in all, "
        f"none of its parts to over 100 times its packed size, found the part {part!r} "
        "unpacking to "
    )
    assert f"{packed_ratio(bomb, part):,.0f} times its packed" in message
    assert message.endswith(
        "(a zip bomb?): not loaded (a worklist auditkit writes unpacks to far less)"
    )


def test_a_returned_sheet_with_more_sheets_than_written_is_refused_before_it_is_loaded(
    worklist, tmp_path, monkeypatch
):
    returned = fill(
        write_worklist(worklist, tmp_path / "worklist.xlsx"),
        tmp_path / "returned.xlsx",
        {FIRST_DATA_ROW: checked("属实")},
    )
    assert len(read_worklist(returned)) == 1  # its four sheets: the near miss
    extra = with_sheets(returned, tmp_path / "extra.xlsx", 1, 100, shared=False)

    def never(*args, **kwargs):
        raise AssertionError("the workbook was loaded")

    monkeypatch.setattr(workbooks, "load_workbook", never)
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(extra)
    assert str(raised.value) == (
        "worklist 'extra.xlsx': expected the sheets 'auditkit_worklist', 'auditkit_worklist_rows' "
        "among at most 4 (as auditkit writes it), found 5 sheet(s): '核查工单', '填写说明', "
        "'auditkit_worklist', 'auditkit_worklist_rows', 'extra0': not loaded"
    )


def test_a_returned_sheet_unpacking_past_the_bound_is_refused_and_one_within_is_read(
    worklist, tmp_path, monkeypatch
):
    returned = fill(
        write_worklist(worklist, tmp_path / "worklist.xlsx"),
        tmp_path / "returned.xlsx",
        {FIRST_DATA_ROW: checked("属实")},
    )
    with zipfile.ZipFile(returned) as archive:
        unpacked = sum(part.file_size for part in archive.infolist())
    monkeypatch.setattr(workbooks, "RETURNED_SHEET_UNPACKED_BYTES", unpacked)
    assert read_worklist(returned)["event"].tolist() == ["confirmed"]
    monkeypatch.setattr(workbooks, "RETURNED_SHEET_UNPACKED_BYTES", unpacked - 1)
    with pytest.raises(
        WorklistSheetError, match=f"found parts unpacking to {unpacked / 1e6:,.2f} MB"
    ):
        read_worklist(returned)


def test_a_lock_file_read_as_a_worklist_is_named_as_one_with_its_workbook(tmp_path):
    Workbook().save(tmp_path / "worklist-城东.xlsx")
    (tmp_path / "~$worklist-城东.xlsx").write_bytes(b"\x04wang".ljust(165, b" "))
    with pytest.raises(WorklistSheetError) as caught:
        read_worklist(tmp_path / "~$worklist-城东.xlsx")
    assert str(caught.value) == (
        "worklist '~$worklist-城东.xlsx': expected an .xlsx workbook, found the lock file Excel "
        "or WPS keeps while 'worklist-城东.xlsx' is open (save and close worklist-城东.xlsx "
        "there, then import it)"
    )


def test_a_sampling_field_sheet_is_refused_as_one(tmp_path):
    from auditkit.sampling import select, write_field_sheet

    population = pd.DataFrame({"customer_id": [f"c{i}" for i in range(20)], "amount": 100.0})
    sheet = write_field_sheet(select(population, 5, seed=1), tmp_path / "field.xlsx")
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(sheet)
    assert str(raised.value) == (
        "worklist 'field.xlsx': expected the sheets 'auditkit_worklist', 'auditkit_worklist_rows' "
        "among at most 4 (as auditkit writes it), found 4 sheet(s): '现场核查表', "
        "'填写说明', 'auditkit_selection', 'auditkit_rows', without 'auditkit_worklist', "
        "'auditkit_worklist_rows': this is a sampling field sheet (read it with the sampling "
        "commands): not loaded"
    )


def test_a_changed_record_is_refused(worklist, tmp_path):
    workbook = load_workbook(write_worklist(worklist, tmp_path / "worklist.xlsx"))
    workbook[META_SHEET]["A1"].value = "{broken"
    workbook.save(tmp_path / "returned.xlsx")
    with pytest.raises(WorklistSheetError, match="was changed and cannot be read"):
        read_worklist(tmp_path / "returned.xlsx")
    workbook[META_SHEET]["A1"].value = '{"kind": "auditkit.worklist"}'
    workbook.save(tmp_path / "returned.xlsx")
    with pytest.raises(WorklistSheetError, match="does not record a worklist"):
        read_worklist(tmp_path / "returned.xlsx")


def test_a_worklist_without_keys_or_with_a_key_twice_is_not_written(worklist, tmp_path):
    with pytest.raises(ParameterError, match="no column finding_key"):
        write_worklist(worklist.drop(columns="finding_key"), tmp_path / "w.xlsx")
    with pytest.raises(ParameterError, match="each finding_key once"):
        write_worklist(pd.concat([worklist, worklist.head(1)]), tmp_path / "w.xlsx")
    with pytest.raises(ParameterError, match="an evidence_code or evidence column"):
        write_worklist(worklist.drop(columns=["evidence", "evidence_code"]), tmp_path / "w.xlsx")
    with pytest.raises(ParameterError, match=r"ending in \.xlsx"):
        write_worklist(worklist, tmp_path / "w.csv")


def test_findings_of_a_rule_run_go_to_the_field_and_come_back_as_events(tmp_path):
    from auditkit import synth
    from auditkit.data import Dataset

    utility = Dataset.from_frames(synth.generate(customers=400, districts=2, months=24, seed=3))
    found = rules.run(utility)
    worklist = select_worklist(found, by="revenue", top=3)
    assert worklist.groupby("district").size().max() <= 3 and len(worklist) >= 4
    blank = write_worklist(worklist, tmp_path / "worklist.xlsx")
    sheet = load_workbook(blank)[WORKLIST_SHEETS["zh"]]
    columns = columns_of(sheet)
    rows = range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(worklist))
    titles = rules.catalog().set_index("rule_id")["title_zh"]
    assert [sheet.cell(r, columns["rule"]).value for r in rows] == [
        titles[rule] for rule in worklist["rule_id"]
    ]
    assert [sheet.cell(r, columns["evidence"]).value for r in rows] == (
        rules.evidence_text(worklist, "zh").tolist()
    )
    answers = {row: checked("属实") for row in rows}
    events = read_worklist(fill(blank, tmp_path / "returned.xlsx", answers))
    assert events["finding_key"].tolist() == worklist["finding_key"].tolist()
    assert set(events["event"]) == {"confirmed"}


def test_a_returned_sheet_is_recorded_once_however_often_it_is_imported(worklist, tmp_path):
    from auditkit.register import Register

    blank = write_worklist(worklist, tmp_path / "worklist.xlsx")
    answers = {
        FIRST_DATA_ROW: checked("已追补", amount_recovered=480),
        FIRST_DATA_ROW + 2: checked("误报"),
    }
    filled = fill(blank, tmp_path / "returned.xlsx", answers)
    copy = shutil.copy(filled, tmp_path / "returned (1).xlsx")
    with Register.open(f"sqlite:///{tmp_path / 'register.sqlite'}") as register:
        register.record_run(worklist, run_id="2024-12", as_of="2024-12", district=None)
        assert register.record_outcomes(read_worklist(filled)).recorded == 2
        again = register.record_outcomes(read_worklist(copy))
        assert (again.recorded, again.already_recorded) == (0, 2)
        trail = register.outcomes()
    assert sorted(trail["event"]) == ["false_alarm", "recovered"]


def test_a_recovered_amount_far_above_the_revenue_at_stake_is_refused_unless_allowed(
    worklist, tmp_path
):
    """a has 500 yuan at stake, b 300, c 100: up to 10 × (5,000 and 3,000), and 1,000 yuan
    whatever the stake (c); 3,000.01 on b is refused, as a pasted bank number on a."""
    blank = write_worklist(worklist, tmp_path / "worklist.xlsx")
    first, second, third = FIRST_DATA_ROW, FIRST_DATA_ROW + 1, FIRST_DATA_ROW + 2
    answers = {
        first: checked("已追补", amount_recovered=5000),
        second: checked("已追补", amount_recovered="3,000.01"),
        third: checked("已追补", amount_recovered=1000),
    }
    returned = fill(blank, tmp_path / "returned.xlsx", answers)
    problems = problems_of(returned)
    assert len(problems) == 1
    assert f"row {second}, column " in problems[0] and "(amount_recovered): " in problems[0]
    assert (
        "expected at most 3,000.00 yuan (10 × the revenue at stake 300.00, or 1,000), found "
        "3,000.01" in problems[0]
    )
    assert "--large-amounts" in problems[0]
    allowed = read_worklist(returned, large_amounts=True)
    assert allowed["amount"].tolist() == [5000.0, 3000.01, 1000.0]
    pasted = fill(
        blank,
        tmp_path / "pasted.xlsx",
        {first: checked("已追补", amount_recovered=6222021234567890123)},
    )
    (problem,) = problems_of(pasted)
    assert "expected at most 5,000.00 yuan" in problem and f"row {first}" in problem


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ("10 倍", "1,000 元", "--large-amounts")),
        ("en", ("10 times", "1,000 yuan", "--large-amounts")),
    ],
)
def test_the_instructions_state_the_bound_on_recovered_amounts(worklist, tmp_path, lang, words):
    blank = write_worklist(worklist, tmp_path / "worklist.xlsx", lang)
    sheet = load_workbook(blank)[INSTRUCTIONS_SHEETS[lang]]
    text = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value)
    assert all(word in text for word in words)


def test_a_worklist_whose_hidden_record_was_deleted_is_refused_as_one(worklist, tmp_path):
    workbook = load_workbook(write_worklist(worklist, tmp_path / "worklist.xlsx"))
    del workbook[META_SHEET]
    workbook.save(tmp_path / "returned.xlsx")
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(tmp_path / "returned.xlsx")
    assert str(raised.value).endswith(
        "without 'auditkit_worklist': this is a worklist whose hidden record was deleted (return "
        "the sheet as it was sent): not loaded"
    )


@pytest.mark.parametrize(
    ("lang", "tabs"),
    [("zh", ["核查工单", "填写说明"]), ("en", ["worklist", "instructions"])],
)
def test_a_worklist_names_its_visible_sheets_in_its_language(worklist, tmp_path, lang, tabs):
    """A zh worklist's tabs read `worklist` and `instructions` while findings.xlsx's read
    疑点清单."""
    workbook = load_workbook(write_worklist(worklist, tmp_path / "w.xlsx", lang=lang))
    visible = [sheet.title for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
    assert visible == tabs
    assert workbook.sheetnames[2:] == [META_SHEET, ROWS_SHEET]


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("zh", ("worklist", "instructions")),  # as every worklist was named before
        ("en", ("核查工单", "填写说明")),
        ("zh", ("城东", "instructions")),  # renamed, beside instructions of the other language
    ],
)
def test_a_worklist_is_found_whatever_language_its_sheets_are_named_in(
    worklist, tmp_path, lang, names
):
    blank = write_worklist(worklist, tmp_path / "w.xlsx", lang=lang)
    answers = {FIRST_DATA_ROW: checked("confirmed"), FIRST_DATA_ROW + 2: checked("false_alarm")}
    workbook = load_workbook(fill(blank, tmp_path / "filled.xlsx", answers))
    workbook.worksheets[0].title, workbook.worksheets[1].title = names
    workbook.save(tmp_path / "returned.xlsx")
    events = read_worklist(tmp_path / "returned.xlsx")
    assert events["event"].tolist() == ["confirmed", "false_alarm"]
    assert events.attrs["sheet"] == names[0]


def test_a_worklist_sheet_named_in_both_languages_is_refused_as_ambiguous(worklist, tmp_path):
    """Near miss: two sheets each named as the worklist (one a copy) are not told apart."""
    workbook = load_workbook(write_worklist(worklist, tmp_path / "w.xlsx"))
    del workbook[INSTRUCTIONS_SHEETS["zh"]]
    workbook.copy_worksheet(workbook[WORKLIST_SHEETS["zh"]]).title = "worklist"
    workbook.save(tmp_path / "returned.xlsx")
    with pytest.raises(WorklistSheetError) as raised:
        read_worklist(tmp_path / "returned.xlsx")
    assert str(raised.value) == (
        "worklist 'returned.xlsx': expected one sheet with the header finding_key (the sheet "
        "'核查工单' or 'worklist', or one renamed from it), found '核查工单', 'worklist': keep the sheet "
        "filled in and delete the others (a copy, or another worklist's sheet), then import it"
    )

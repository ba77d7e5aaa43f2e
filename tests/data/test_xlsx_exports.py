"""What Excel shows is what is read from an .xlsx export, or the cell is refused by row and column:
the sheet's stored extent, other and hidden sheets, merged cells, number formats, long ids, dates
and error values in text columns, formulas whose text result is empty."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from sample_dataset import valid_tables, write_dataset

from auditkit.data import load, validate
from auditkit.data.readers import ReadProblems, read_table
from auditkit.data.schema import TABLES
from auditkit.data.xlsx_reader import _sheet_tags


def errors(folder: Path) -> list[str]:
    return [str(problem) for problem in validate(folder) if problem.severity == "error"]


@pytest.fixture
def xlsx_dir(tmp_path: Path) -> Path:
    return write_dataset(valid_tables(), tmp_path / "xlsx", "xlsx")


def edit(path: Path, change) -> None:
    workbook = load_workbook(path)
    change(workbook)
    workbook.save(path)


def rewrite_sheet_xml(path: Path, change) -> None:
    """Rewrite the first worksheet's XML as another program might have written it."""
    rewritten = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(item, content)
    rewritten.replace(path)


def test_a_stored_extent_smaller_than_the_sheet_cuts_nothing(xlsx_dir: Path) -> None:
    path = xlsx_dir / "bills.xlsx"
    rewrite_sheet_xml(
        path, lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C2"', xml)
    )
    assert errors(xlsx_dir) == []
    assert len(load(xlsx_dir).bills) == len(valid_tables()["bills"])


@pytest.mark.parametrize("kind", ["strict", "chart sheets only"])
def test_a_workbook_without_a_worksheet_read_is_one_line(xlsx_dir: Path, kind: str) -> None:
    path = xlsx_dir / "customers.xlsx"
    if kind == "strict":  # Strict Open XML: the same parts under other namespaces
        strict = path.with_suffix(".tmp")
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(strict, "w") as target:
            for item in source.infolist():
                content = source.read(item)
                for transitional, strict_name in STRICT_NAMESPACES:
                    content = content.replace(transitional, strict_name)
                target.writestr(item, content)
        strict.replace(path)
    else:
        workbook = Workbook()
        workbook.create_chartsheet("图表")
        workbook.remove(workbook.active)
        workbook.save(path)
    (problem,) = [line for line in errors(xlsx_dir) if line.startswith("customers.xlsx")]
    assert problem.startswith("customers.xlsx: expected an Excel ")
    assert "\n" not in problem and ("Strict Open XML" in problem or "not one" in problem)


STRICT_NAMESPACES = (
    (
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    ),
    (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    ),
)


def test_data_on_a_second_sheet_or_a_hidden_first_sheet_is_refused(xlsx_dir: Path) -> None:
    path = xlsx_dir / "bills.xlsx"
    edit(path, lambda book: book.create_sheet("说明"))  # an empty extra sheet is no matter
    assert errors(xlsx_dir) == []
    edit(path, lambda book: book["说明"].append(["C003", "2024-03"]))
    assert errors(xlsx_dir) == [
        "bills.xlsx: expected the whole table in the first worksheet 'Sheet1', found data on "
        "worksheet '说明' too (join the sheets into one, or delete the others)"
    ]

    def hide_an_old_export_first(book: Workbook) -> None:
        del book["说明"]
        old = book.create_sheet("旧数据", 0)
        old.append(["customer_id"])
        old.sheet_state = "hidden"

    edit(path, hide_an_old_export_first)
    assert errors(xlsx_dir) == [
        "bills.xlsx: expected the table in the first worksheet, visible, found the first "
        "worksheet '旧数据' hidden (delete it or move the table first)"
    ]


def test_rows_under_the_tables_header_on_a_hidden_sheet_are_refused(xlsx_dir: Path) -> None:
    """One sheet per year, the older one hidden: read alone, the first sheet passed for the whole
    table and the hidden year's bills were missing from every check without a word."""
    path = xlsx_dir / "bills.xlsx"

    def hide_a_year(book: Workbook) -> None:
        table = book.active
        header = [cell.value for cell in table[1]]
        year = book.create_sheet("2023年")
        year.append(["2023年电费明细"])  # a title above the header
        year.append(header)
        year.append(["C001", "2023-12", *[None] * (len(header) - 2)])
        year.append(["C002", "2023-12", *[None] * (len(header) - 2)])
        year.sheet_state = "hidden"

    edit(path, hide_a_year)

    assert errors(xlsx_dir) == [
        "bills.xlsx: expected the whole table in the first worksheet 'Sheet1', found part of "
        "the table on the hidden worksheet '2023年': its header in row 2 and 2 rows of data "
        "below it, not read (unhide it and join the sheets into one, or delete it)"
    ]


def test_a_hidden_lookup_sharing_one_column_name_with_the_table_is_no_part_of_it(
    xlsx_dir: Path,
) -> None:
    """A hidden lookup of tariffs names customer_id's neighbour tariff_billed only: near miss."""

    def lookup(book: Workbook) -> None:
        codes = book.create_sheet("代码表")
        codes.append(["tariff_billed", "说明"])
        codes.append(["居民生活", "一户一表"])
        codes.sheet_state = "hidden"

    edit(xlsx_dir / "bills.xlsx", lookup)
    assert errors(xlsx_dir) == []


BILLS_REQUIRED = list(TABLES["bills"].required_columns)


def test_an_older_years_hidden_sheet_with_only_the_required_columns_is_refused(
    xlsx_dir: Path,
) -> None:
    """An older export of the 11 required columns and read_from (12 of the table's 26): fewer
    than half of the header names, and its rows were missing from every check unsaid."""

    def widen_the_table(book: Workbook) -> None:
        table = book.active
        header = [cell.value for cell in table[1]]
        missing = [name for name in TABLES["bills"].column_names if name not in header]
        for index, name in enumerate(missing, start=len(header) + 1):
            table.cell(1, index, name)  # every column named, the optional ones left empty

    edit(xlsx_dir / "bills.xlsx", widen_the_table)
    assert errors(xlsx_dir) == []

    def hide_an_older_year(book: Workbook) -> None:
        year = book.create_sheet("2022年")
        year.append([*BILLS_REQUIRED, "read_from"])
        year.append(["C001", "2022-12", *[None] * len(BILLS_REQUIRED)])
        year.sheet_state = "hidden"

    edit(xlsx_dir / "bills.xlsx", hide_an_older_year)

    assert errors(xlsx_dir) == [
        "bills.xlsx: expected the whole table in the first worksheet 'Sheet1', found part of "
        "the table on the hidden worksheet '2022年': its header in row 1 and 1 rows of data "
        "below it, not read (unhide it and join the sheets into one, or delete it)"
    ]


def test_a_hidden_sheet_is_a_part_by_its_header_mapped_and_cleaned_as_the_tables(
    xlsx_dir: Path,
) -> None:
    """户号 maps to customer_id, and 期间 carries a zero-width space as pasted: the header still
    holds every required column."""
    (xlsx_dir / "columns.yaml").write_text("bills:\n  户号: customer_id\n", encoding="utf-8")

    def hide_an_older_year(book: Workbook) -> None:
        table = book.active
        table["A1"] = "户号"
        year = book.create_sheet("2022年")
        year.append(["户号", "period\u200b", *BILLS_REQUIRED[2:]])
        year.append(["C001", "2022-12", *[None] * (len(BILLS_REQUIRED) - 2)])
        year.sheet_state = "hidden"

    edit(xlsx_dir / "bills.xlsx", hide_an_older_year)

    [problem] = errors(xlsx_dir)
    assert "on the hidden worksheet '2022年': its header in row 1 and 1 rows" in problem


def test_a_hidden_pivot_lacking_a_required_column_is_no_part_of_the_table(
    xlsx_dir: Path,
) -> None:
    """A pivot of district_supply names district and period, two of its three columns, but not
    kwh_supplied: an analysis sheet, left alone. Near miss: kwh_billed is no kwh_supplied."""

    def pivot(book: Workbook) -> None:
        sheet = book.create_sheet("透视")
        sheet.append(["district", "period", "kwh_billed", "loss_pct"])
        sheet.append(["城东", "2024-01", 1000, 0.05])
        sheet.sheet_state = "hidden"

    edit(xlsx_dir / "district_supply.xlsx", pivot)
    assert errors(xlsx_dir) == []


def test_merged_data_cells_are_refused_by_row_and_column(xlsx_dir: Path) -> None:
    path = xlsx_dir / "customers.xlsx"
    edit(path, lambda book: book.active.merge_cells("B2:B3"))  # district 城东 over two rows
    assert errors(xlsx_dir)[0] == (
        "customers.xlsx row 2, column district: expected one value per cell, found cells B2:B3 "
        "merged (only the first holds the value: unmerge them and fill each cell)"
    )


def test_a_header_name_merged_across_columns_or_down_into_the_header_is_named_as_merged(
    xlsx_dir: Path,
) -> None:
    path = xlsx_dir / "customers.xlsx"

    def across(book: Workbook) -> None:  # customer_id spread over district's column too
        book.active["B1"] = None
        book.active.merge_cells("A1:B1")

    edit(path, across)
    assert errors(xlsx_dir)[0] == (
        "customers.xlsx row 1, column #2: expected a column name in the header, found an empty "
        "header cell above a filled column, one of the cells A1:B1 merged (only the first holds "
        "the name: unmerge them and name each column)"
    )

    def down(book: Workbook) -> None:  # a two-row header: customer_id merged down from row 1
        book.active.insert_rows(1)
        book.active["A1"], book.active["A2"] = "customer_id", None
        book.active.merge_cells("A1:A2")

    write_dataset(valid_tables(), xlsx_dir, "xlsx")
    edit(path, down)
    (xlsx_dir / "columns.yaml").write_text("header_row:\n  customers: 2\n", encoding="utf-8")
    assert errors(xlsx_dir)[0] == (
        "customers.xlsx row 2, column #1: expected a column name in the header, found an empty "
        "header cell above a filled column, one of the cells A1:A2 merged (only the first holds "
        "the name: unmerge them and name each column)"
    )


def test_numbers_keep_the_zeros_their_format_shows(xlsx_dir: Path) -> None:
    def numbered(book: Workbook) -> None:
        for row in range(2, book.active.max_row + 1):
            cell = book.active.cell(row, 1)
            cell.value, cell.number_format = int(cell.value[1:]), "0000"  # C001 as 1, shown 0001

    tables = valid_tables()
    for table in ("customers", "bills"):
        tables[table]["customer_id"] = "0" + tables[table]["customer_id"].str[1:]
    folder = write_dataset(
        {k: tables[k] for k in ("customers", "bills", "tariffs")}, xlsx_dir.parent / "ids", "xlsx"
    )
    edit(folder / "customers.xlsx", numbered)
    dataset = load(folder)
    assert dataset.customers["customer_id"].tolist() == ["0001", "0002", "0003"]
    assert set(dataset.bills["customer_id"]) == {"0001", "0002", "0003"}


@pytest.mark.parametrize(
    "number_format",
    [
        "#,##0.00",  # shows 0.54; Excel computes with 0.538
        '"¥"#,##0.00_);[Red]("¥"#,##0.00)',
        "0.0",
        "#,##0",
        "General",
    ],
)
def test_a_fraction_is_read_at_its_stored_value_whatever_its_number_format(
    xlsx_dir: Path, number_format: str
) -> None:
    """C001's energy rate 0.538 under a format showing fewer decimals: a number format changes
    only what is shown, Excel computes with the number stored, and so is it read. Read as shown
    (0.54), rates formatted 0.00 gave 299 false rate_mismatch findings and readings formatted
    #,##0 265 false register_mismatch ones."""

    def shown_shorter(book: Workbook) -> None:
        sheet = book.active
        column = [cell.value for cell in sheet[1]].index("energy_rate") + 1
        sheet.cell(2, column).number_format = number_format

    edit(xlsx_dir / "bills.xlsx", shown_shorter)

    assert load(xlsx_dir).bills["energy_rate"].iloc[0] == 0.538


def test_a_title_above_a_merged_group_header_is_the_one_error(xlsx_dir: Path) -> None:
    """A title merged across the table, then a group header (基本信息 over A:C, 电价 over the
    rest) above the real one: read from row 1, the title is the header. Before, the merged
    group cells came first, named as columns of the title ('column 国网XX供电公司 电价表')."""
    path = xlsx_dir / "tariffs.xlsx"
    rows = [[cell.value for cell in row] for row in load_workbook(path).active.iter_rows()]
    width = len(rows[0])
    book = Workbook()
    sheet = book.active
    sheet.append(["国网XX供电公司 电价表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.append(["基本信息", None, None, "电价"])
    sheet.merge_cells("A2:C2")
    sheet.merge_cells(start_row=2, start_column=4, end_row=2, end_column=width)
    for row in rows:
        sheet.append(row)
    book.save(path)

    assert errors(xlsx_dir) == [
        "tariffs.xlsx row 1: expected a header row naming the columns, found a title "
        "'国网XX供电公司 电价表' in one cell (delete the rows above the header, or give its row "
        "as columns.yaml's header_row)"
    ]


def test_an_id_shown_with_text_by_its_format_is_read_as_shown(xlsx_dir: Path) -> None:
    """A meter typed as 12345 in a column formatted "MT"0000000 shows MT0012345 in Excel; it was
    read as 12345, a meter no other table names. A format writing text otherwise ("MT"#) is
    refused; a number column keeps its value whatever its format (near miss)."""
    path = xlsx_dir / "customers.xlsx"

    def formatted(book: Workbook) -> None:
        sheet = book.active
        header = [cell.value for cell in sheet[1]]
        meter = sheet.cell(2, header.index("meter_id") + 1)
        meter.value, meter.number_format = 12345, '"MT"0000000'
        other = sheet.cell(3, header.index("meter_id") + 1)
        other.value, other.number_format = 678, '"MT"#'
        capacity = sheet.cell(3, header.index("contract_capacity_kva") + 1)
        capacity.number_format = '0" kVA"'

    edit(path, formatted)

    spec = TABLES["customers"]
    with pytest.raises(ReadProblems) as caught:
        read_table(path, "customers", lambda name: spec.column(name).kind)
    assert [str(problem) for problem in caught.value.problems] == [
        "customers.xlsx row 3, column meter_id: expected text, found the number 678 shown by "
        "its format '\"MT\"#' with text of its own (format the column as text and write the "
        "values as Excel shows them)"
    ]
    meter_ids = caught.value.raw.data.column("meter_id").to_pylist()
    assert meter_ids[:2] == ["MT0012345", None]
    assert caught.value.raw.data.column("contract_capacity_kva").to_pylist()[1] == "630"


def test_a_long_phone_stored_as_a_number_is_refused_masked(xlsx_dir: Path) -> None:
    def stored_as_number(book: Workbook) -> None:
        sheet = book.active
        column = next(cell.column_letter for cell in sheet[1] if cell.value == "phone")
        sheet[f"{column}2"] = 13073922518123456.0  # 17 digits: Excel kept 15

    edit(xlsx_dir / "customers.xlsx", stored_as_number)
    assert errors(xlsx_dir) == [
        "customers.xlsx row 2, column phone: expected text, found the number "
        "'130**********3500' (17 characters) (Excel keeps 15 digits: a number this long has "
        "lost its last ones; format the column as text and write the values again)"
    ]


def test_a_phone_column_named_in_chinese_and_mapped_is_refused_masked(xlsx_dir: Path) -> None:
    """联系电话 mapped to phone, a mobile typed as a number shown 139-1234-5678 by its format:
    the message quoted 13912345678, the file's header being no contract column name."""
    (xlsx_dir / "columns.yaml").write_text("customers:\n  联系电话: phone\n", encoding="utf-8")

    def named_in_chinese(book: Workbook) -> None:
        sheet = book.active
        header = next(cell for cell in sheet[1] if cell.value == "phone")
        header.value = "联系电话"
        cell = sheet[f"{header.column_letter}2"]
        cell.value, cell.number_format = 13912345678, "000\\-0000\\-0000"

    edit(xlsx_dir / "customers.xlsx", named_in_chinese)

    [problem] = errors(xlsx_dir)
    assert problem.startswith("customers.xlsx row 2, column 联系电话: expected text, found the ")
    assert "'139****5678' (11 characters)" in problem
    assert "13912345678" not in problem


def test_a_phone_carried_by_a_bills_export_is_refused_masked_by_its_header(
    tmp_path: Path,
) -> None:
    """An unmapped 手机号 column of a bills export names a phone (personal_kind): masked too.
    Near miss: tariff_billed's number with the same format is shown as it is."""
    path = tmp_path / "bills.xlsx"
    book = Workbook()
    book.active.append(["customer_id", "手机号", "tariff_billed"])
    book.active.append(["C001", 13912345678, 13912345678])
    for cell in book.active[2][1:]:
        cell.number_format = "000\\-0000\\-0000"
    book.save(path)

    kinds = {"customer_id": "text", "手机号": "text", "tariff_billed": "text"}
    with pytest.raises(ReadProblems) as caught:
        read_table(path, "bills", kinds.get)
    phone, tariff = (str(problem) for problem in caught.value.problems)
    assert "'139****5678' (11 characters)" in phone and "13912345678" not in phone
    assert "the number 13912345678 shown by its format" in tariff


def test_long_ids_dates_and_error_values_in_text_columns_are_refused(xlsx_dir: Path) -> None:
    def slips(book: Workbook) -> None:
        sheet = book.active
        sheet["J2"] = 3.10001234567804e17  # meter_id typed as a number: Excel kept 15 digits
        sheet["J3"] = pd.Timestamp("2024-01-10").to_pydatetime()  # '2024-1-10' turned into a date
        sheet["J4"] = "#N/A"  # a lookup that failed

    edit(xlsx_dir / "customers.xlsx", slips)
    assert errors(xlsx_dir) == [  # each row is kept, so the customers' bills are not refused
        "customers.xlsx row 2, column meter_id: expected text, found the number "
        "310001234567804000 (Excel keeps 15 digits: an id this long has lost its last ones; "
        "format the column as text and write the ids again)",
        "customers.xlsx row 3, column meter_id: expected text, found a date cell '2024-01-10' "
        "(Excel turned the id into a date: format the column as text and write the ids again)",
        "customers.xlsx row 4, column meter_id: expected a value, found the Excel error #N/A",
    ]
    rewrite_sheet_xml(  # a whole number a program stored digit for digit: exact, kept
        xlsx_dir / "customers.xlsx",
        lambda xml: re.sub(
            rb'<c r="J2"[^>]*><v>[^<]*</v></c>',
            rb'<c r="J2" t="n"><v>31000123456780412</v></c>',
            xml,
        ),
    )
    assert not any(line.startswith("customers.xlsx row 2,") for line in errors(xlsx_dir))
    assert load_table_cell(xlsx_dir, "customers", "meter_id", 0) == "31000123456780412"


def load_table_cell(folder: Path, table: str, column: str, row: int) -> object:
    """One cell of a table read from an xlsx export (before cross-table checks)."""
    path = folder / f"{table}.xlsx"
    spec = TABLES[table]
    try:
        raw = read_table(
            path, table, lambda name: spec.column(name).kind if name in spec.column_names else None
        )
    except ReadProblems as partly:  # other cells refused: the rest is read
        raw = partly.raw
    return raw.data.column(column)[row].as_py()


def test_a_date_an_orders_value_holds_is_written_as_the_day(xlsx_dir: Path) -> None:
    day = pd.Timestamp("2024-12-31").to_pydatetime()  # a temporary supply's new end date
    path = xlsx_dir / "work_orders.xlsx"
    edit(path, lambda book: book.active.__setitem__(f"{new_value_column(book)}2", day))
    assert errors(xlsx_dir) == []
    assert load(xlsx_dir).work_orders["new_value"].iloc[0] == "2024-12-31"


def new_value_column(book: Workbook) -> str:
    header = [cell.value for cell in book.active[1]]
    return chr(ord("A") + header.index("new_value"))


def test_a_hidden_list_sheet_and_an_empty_merged_banner_lose_nothing(xlsx_dir: Path) -> None:
    def helpers(book: Workbook) -> None:
        lists = book.create_sheet("lists")  # a drop-down's list, hidden after the table
        lists.append(["active", "suspended"])
        lists.sheet_state = "hidden"
        book.active.merge_cells("A10:G10")  # an empty banner below the table

    edit(xlsx_dir / "customers.xlsx", helpers)
    assert errors(xlsx_dir) == []


def test_a_formula_whose_result_is_an_error_is_that_error_once(xlsx_dir: Path) -> None:
    path = xlsx_dir / "customers.xlsx"
    edit(path, lambda book: book.active.__setitem__("J2", "=VLOOKUP(A2,X:Y,2,0)"))
    rewrite_sheet_xml(  # as Excel saves it: the lookup's result, #N/A
        path,
        lambda xml: re.sub(
            rb'<c r="J2"([^>]*)><f>(.*?)</f>(<v>\s*</v>|<v\s*/>)?</c>',
            rb'<c r="J2" t="e"><f>\2</f><v>#N/A</v></c>',
            xml,
        ),
    )
    assert errors(xlsx_dir) == [
        "customers.xlsx row 2, column meter_id: expected a value, found the Excel error #N/A"
    ]


def test_a_tag_across_two_reads_of_the_sheet_xml_is_found(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    for offset in range(-300, 40, 7):  # the tags starting before, across and after the cut
        for tag, end in ((b'<mergeCell ref="A2:B3"/>', b"y" * 500), (b"<f>SUM(A1)</f>", b"")):
            xml = b"x" * (2**20 - 256 + offset) + tag + end
            with zipfile.ZipFile(path, "w") as archive:
                archive.writestr("xl/worksheets/sheet1.xml", xml)
            tags = _sheet_tags(path, "xl/worksheets/sheet1.xml")
            assert (tags.merged, tags.formulas) == (["A2:B3"], False) if end else ([], True)


def test_a_formula_whose_saved_result_is_empty_text_is_an_empty_cell(xlsx_dir: Path) -> None:
    path = xlsx_dir / "customers.xlsx"
    edit(path, lambda book: book.active.__setitem__("M2", '=IF(1=1,"","x")'))  # meter_test_date
    rewrite_sheet_xml(  # as Excel saves it: the text result, empty
        path,
        lambda xml: re.sub(
            rb'<c r="M2"([^>]*)><f>(.*?)</f>(<v>\s*</v>|<v\s*/>)?</c>',
            rb'<c r="M2" t="str"><f>\2</f><v></v></c>',
            xml,
        ),
    )
    assert errors(xlsx_dir) == []
    customers = load(xlsx_dir).customers
    assert len(customers) == 3 and pd.isna(customers["meter_test_date"].iloc[0])


def test_the_first_worksheet_is_read_from_the_part_its_workbook_names(xlsx_dir: Path) -> None:
    path = xlsx_dir / "bills.xlsx"

    def formula_and_helper_sheet(book: Workbook) -> None:
        book.active["F2"] = "=D2-C2"  # kwh_billed, saved without its result
        book.create_sheet("lists").sheet_state = "hidden"

    edit(path, formula_and_helper_sheet)
    # The table's XML stored as sheet2.xml and the helper's as sheet1.xml, as the workbook's
    # relationships say: the formula is found where the table is, not by a conventional name.
    swapped = path.with_suffix(".tmp")
    parts = {"xl/worksheets/sheet1.xml": "xl/worksheets/sheet2.xml",
             "xl/worksheets/sheet2.xml": "xl/worksheets/sheet1.xml"}  # fmt: skip
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(swapped, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/_rels/workbook.xml.rels":
                content = re.sub(
                    rb"/xl/worksheets/sheet([12])\.xml",
                    lambda match: b"/xl/worksheets/sheet%d.xml" % (3 - int(match[1])),
                    content,
                )
            target.writestr(parts.get(item.filename, item.filename), content)
    swapped.replace(path)
    assert load_workbook(path).sheetnames[0] == "Sheet1"
    assert errors(xlsx_dir) == [
        "bills.xlsx row 2, column kwh_billed: expected a value, found a formula '=D2-C2' "
        "whose result was not saved (open and save the file in Excel, or paste the values)"
    ]

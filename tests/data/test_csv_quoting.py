"""CSV quoting read exactly as the export wrote it, or refused at its row and column: a cell with
text after its closing quote (`"新华"书店`) is not read without its quotes, a quote never closed
does not read the rest of the file into one cell, in UTF-8 and GBK alike."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sample_dataset import write_dataset

from auditkit.data import DataValidationError, csv_quoting, load, readers, validate
from auditkit.data.partitioned import convert

ENCODINGS = {"csv-utf8": "utf-8", "csv-gbk": "gb18030"}
EXPECTED = (
    'expected a cell quoted whole or not at all, each quote inside a quoted cell doubled ("新""华" '
    'reads 新"华)'
)
NEVER_CLOSED = (
    "a quote opening this cell never closed (it runs to the end of the file{over}; close the "
    "quote, or if it is part of the text quote the whole cell and double each quote inside it)"
)


def written(tables: dict[str, pd.DataFrame], folder: Path, fmt: str) -> Path:
    return write_dataset(tables, folder, fmt)


def edit(folder: Path, table: str, fmt: str, old: str, new: str) -> None:
    """Replace `old` by `new` once in the table's CSV file, in the file's own encoding."""
    path = folder / f"{table}.csv"
    codec = ENCODINGS[fmt]
    text = path.read_bytes().decode(codec)
    assert text.count(old) == 1
    path.write_bytes(text.replace(old, new).encode(codec))


def errors_of(folder: Path) -> list[str]:
    return [str(problem) for problem in validate(folder) if problem.severity == "error"]


@pytest.mark.parametrize("fmt", ENCODINGS)
def test_text_after_a_closing_quote_is_refused_at_its_cell_not_read_without_the_quotes(
    tables: dict[str, pd.DataFrame], tmp_path: Path, fmt: str
) -> None:
    folder = written(tables, tmp_path / "quoted", fmt)
    edit(folder, "bills", fmt, "22000.0,大工业", '22000.0,"大工"业')

    expected = (
        f"bills.csv row 4, column tariff_billed: {EXPECTED}, found '\"大工\"业', text after the "
        "quote that closes its quoted value, which CSV readers would read as '大工业' (if the "
        'quotes are part of the text, write the cell """大工""业")'
    )
    assert errors_of(folder) == [expected]
    with pytest.raises(DataValidationError) as raised:
        load(folder)
    assert [str(problem) for problem in raised.value.errors] == [expected]


@pytest.mark.parametrize("fmt", ENCODINGS)
def test_a_name_quoted_in_part_is_refused_without_showing_it_and_its_row_kept(
    tables: dict[str, pd.DataFrame], tmp_path: Path, fmt: str
) -> None:
    """The billing export's `C002,…,"新华"书店,…`: the account stays, so its bills are not
    refused in turn; the name is not printed (customers hold personal data)."""
    folder = written(tables, tmp_path / "name", fmt)
    edit(folder, "customers", fmt, "东方机械厂", '"新华"书店')

    assert errors_of(folder) == [
        f"customers.csv row 3, column name: {EXPECTED}, found a cell of 6 characters (not "
        "shown: the table holds names, addresses and phone numbers) with text after the quote "
        "that closes its quoted value, which CSV readers would read without its quotes (if the "
        "quotes are part of the text, quote the whole cell and double each quote inside it)"
    ]


def test_a_bills_cell_quoted_in_part_beside_a_name_column_is_not_shown(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """A bills export carrying 户名 holds personal data: its faulty cells are not printed."""
    tables = {**tables, "bills": tables["bills"].assign(户名="张三")}
    folder = written(tables, tmp_path / "bills", "csv-utf8")
    edit(folder, "bills", "csv-utf8", "22000.0,大工业", '22000.0,"大工"业')

    assert errors_of(folder) == [
        f"bills.csv row 4, column tariff_billed: {EXPECTED}, found a cell of 5 characters (not "
        "shown: the table holds names, addresses and phone numbers) with text after the quote "
        "that closes its quoted value, which CSV readers would read without its quotes (if the "
        "quotes are part of the text, quote the whole cell and double each quote inside it)"
    ]


@pytest.mark.parametrize("fmt", ENCODINGS)
@pytest.mark.parametrize(
    ("cell", "name"),
    [
        ('"""新华""书店"', '"新华"书店'),  # quoted whole, the quotes inside doubled
        ('新"华书店', '新"华书店'),  # a quote inside an unquoted cell is text
        ('新华"书店"', '新华"书店"'),  # so are quotes not at its start
        ('"新华,书店"', "新华,书店"),  # a comma inside a quoted cell
        ('"新华书店"  ', "新华书店"),  # spaces after the closing quote, trimmed as any
    ],
)
def test_quotes_as_csv_writes_them_load_exactly(
    tables: dict[str, pd.DataFrame], tmp_path: Path, fmt: str, cell: str, name: str
) -> None:
    folder = written(tables, tmp_path / "exact", fmt)
    edit(folder, "customers", fmt, "东方机械厂", cell)

    assert errors_of(folder) == []
    assert load(folder).customers["name"].tolist() == ["张三", name, "李四便利店"]


@pytest.mark.parametrize("fmt", ENCODINGS)
@pytest.mark.parametrize("ending", ["\n", ""])
def test_a_quote_never_closed_in_the_last_row_is_refused_not_read_as_its_text(
    tables: dict[str, pd.DataFrame], tmp_path: Path, fmt: str, ending: str
) -> None:
    """Arrow reads `"0571-66666666` as 0571-66666666 when only the file's end follows."""
    tables["customers"].loc[2, "phone"] = "0571-66666666"
    folder = written(tables, tmp_path / "open", fmt)
    path = folder / "customers.csv"
    path.write_bytes(path.read_bytes().rstrip(b"\n") + ending.encode())
    edit(folder, "customers", fmt, "0571-66666666", '"0571-66666666')

    assert errors_of(folder) == [
        f"customers.csv row 4, column phone: {EXPECTED}, found {NEVER_CLOSED.format(over='')}"
    ]


@pytest.mark.parametrize("fmt", ENCODINGS)
def test_a_quote_never_closed_that_swallows_the_rows_after_it_is_named_where_it_opens(
    tables: dict[str, pd.DataFrame], tmp_path: Path, fmt: str
) -> None:
    """The last column's quote reads rows 3 and 4 into row 2's phone with the header's field
    count: nothing but the quote says the two accounts are gone."""
    folder = written(tables, tmp_path / "open", fmt)
    edit(folder, "customers", fmt, "13800000001", '"13800000001')

    errors = errors_of(folder)

    over = ", over 3 lines, reading the rows after it into it"
    assert errors[0] == (
        f"customers.csv row 2, column phone: {EXPECTED}, found {NEVER_CLOSED.format(over=over)}"
    )
    assert {error.split(",")[0] for error in errors[1:]} == {
        f"{table}.csv row {row}"
        for table, rows in {
            "bills": (4, 5, 6, 7),
            "work_orders": (2, 3),
            "inspections": (3,),
            "daily_reads": (4,),
            "truth": (2,),
        }.items()
        for row in rows
    }
    assert all("expected a customer_id listed in customers" in error for error in errors[1:])


@pytest.mark.parametrize("fmt", ENCODINGS)
def test_a_row_a_quote_never_closed_leaves_short_of_fields_says_what_broke_it(
    tables: dict[str, pd.DataFrame], tmp_path: Path, fmt: str
) -> None:
    folder = written(tables, tmp_path / "open", fmt)
    edit(folder, "tariffs", fmt, "一般工商业,commercial", '"一般工商业,commercial')

    assert errors_of(folder)[0] == (
        "tariffs.csv row 4: expected 7 fields as in the header, found 1 fields: "
        "'一般工商业,commercial,0.8,,,2020-01-01,\\n'; in field 1, "
        "'\"一般工商业,commercial,0.8,,,2020-01-01,', a quote never "
        "closed (it runs to the end of the file; close the quote, or if it is part of the text "
        "quote the whole cell and double each quote inside it)"
    )


def test_a_quote_never_closed_past_128_kib_is_named_at_its_column_beside_earlier_faults(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """A real-size bills file: row 3's quote never closed reads the 3,598 rows after it, past
    the csv module's 128 KiB, into its cell. Before, the file was refused with 'a field longer
    than 128 KiB from this row on' naming no column, and row 2's fault was dropped; now both
    are named as in a small file."""
    bills = pd.concat([tables["bills"]] * 600, ignore_index=True)
    folder = written(tables | {"bills": bills}, tmp_path / "big", "csv-utf8")
    path = folder / "bills.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace(",居民生活,", ',"居民"生活,', 1)  # row 2: text after the quote
    lines[2] = lines[2].replace(",居民生活,", ',"居民生活,', 1)  # row 3: a quote never closed
    path.write_text("\n".join(lines), encoding="utf-8")
    assert len("\n".join(lines[2:]).encode()) > 128 << 10  # the premise: past the csv limit

    errors = errors_of(folder)

    assert errors[0] == (
        f"bills.csv row 2, column tariff_billed: {EXPECTED}, found '\"居民\"生活', text after the "
        "quote that closes its quoted value, which CSV readers would read as '居民生活' (if the "
        'quotes are part of the text, write the cell """居民""生活")'
    )
    over = ", over 3,599 lines, reading the rows after it into it"  # 600 × 6 bills, from row 3
    assert errors[1] == (
        "bills.csv row 3: expected 14 fields as in the header, found 7 fields; in field 7 "
        "(column tariff_billed), '\"居民生活,0.538,102.22,,,,102.22,actual', "
        + NEVER_CLOSED.format(over=over).replace("a quote opening this cell", "a quote")
    )


def test_a_quote_never_closed_past_arrows_1_mib_block_is_named_at_its_column_beside_earlier_faults(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """As above with 12,000 × 6 bills: the rows row 3's quote swallows pass Arrow's 1 MiB block
    too. Before, the file was refused with 'expected rows of at most 1 MiB, found a longer row'
    alone, row 2's fault and the column dropped; now both are named as in a small file."""
    bills = pd.concat([tables["bills"]] * 12000, ignore_index=True)
    folder = written(tables | {"bills": bills}, tmp_path / "big", "csv-utf8")
    path = folder / "bills.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace(",居民生活,", ',"居民"生活,', 1)  # row 2: text after the quote
    lines[2] = lines[2].replace(",居民生活,", ',"居民生活,', 1)  # row 3: a quote never closed
    path.write_text("\n".join(lines), encoding="utf-8")
    assert len("\n".join(lines[2:]).encode()) > 1 << 20  # the premise: past Arrow's block

    errors = errors_of(folder)

    assert errors[0].startswith("bills.csv row 2, column tariff_billed: ")
    over = ", over 71,999 lines, reading the rows after it into it"  # 12,000 × 6 bills, from row 3
    assert errors[1] == (
        "bills.csv row 3: expected 14 fields as in the header, found 7 fields; in field 7 "
        "(column tariff_billed), '\"居民生活,0.538,102.22,,,,102.22,actual', "
        + NEVER_CLOSED.format(over=over).replace("a quote opening this cell", "a quote")
    )


def test_a_huge_cell_past_arrows_block_still_refuses_the_file_at_its_row(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """Near miss: a closed quote holding over 1 MiB is no quote left open: refused as before."""
    folder = written(tables, tmp_path / "huge", "csv-utf8")
    path = folder / "bills.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].replace(",居民生活,", ',"' + "居民\n" * (1 << 20) + '",', 1)
    path.write_text("\n".join(lines), encoding="utf-8")

    errors = errors_of(folder)

    assert errors == [
        "bills.csv row 3: expected rows of at most 1 MiB, found a longer row (a huge cell, or a "
        "quote never closed?)"
    ]


@pytest.mark.parametrize("block_bytes", [1 << 24, 64])
def test_a_fault_after_a_value_over_several_lines_is_named_at_its_spreadsheet_row(
    tables: dict[str, pd.DataFrame],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    block_bytes: int,
) -> None:
    """Rows, not lines: the address over three lines is one row, and CRLF one line break,
    whichever blocks the file is scanned in."""
    monkeypatch.setattr(csv_quoting, "_BLOCK_BYTES", block_bytes)
    tables["customers"].loc[0, "address"] = "城东路1号\n3单元\n201室"
    folder = written(tables, tmp_path / "lines", "csv-utf8")
    path = folder / "customers.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    edit(folder, "customers", "csv-utf8", "李四便利店", '"李四"便利店')

    [error] = errors_of(folder)
    assert error.startswith(f"customers.csv row 4, column name: {EXPECTED}, found a cell of 7 ")


def test_a_header_name_quoted_in_part_refuses_the_file_at_row_one(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    folder = written(tables, tmp_path / "header", "csv-gbk")
    edit(folder, "tariffs", "csv-gbk", "tariff_category,", '"tariff"_category,')

    assert errors_of(folder) == [
        f"tariffs.csv row 1: {EXPECTED}, found '\"tariff\"_category', text after the quote that "
        "closes its quoted value, which CSV readers would read as 'tariff_category' (if the "
        'quotes are part of the text, write the cell """tariff""_category")'
    ]


def test_convert_refuses_a_csv_folder_with_a_cell_quoted_in_part(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    folder = written(tables, tmp_path / "source", "csv-gbk")
    edit(folder, "bills", "csv-gbk", "22000.0,大工业", '22000.0,"大工"业')

    with pytest.raises(DataValidationError) as raised:
        convert(folder, tmp_path / "converted")

    [error] = raised.value.errors
    assert (error.file, error.row, error.column) == ("bills.csv", 4, "tariff_billed")
    assert not (tmp_path / "converted").exists()


def test_a_quote_never_closed_in_a_file_past_arrows_largest_block_refuses_it_in_one_line(
    tables: dict[str, pd.DataFrame], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file longer than the largest block Arrow takes (2 GiB, an int32; here lowered to 1 MiB
    + 1 byte so as not to write 2 GiB) is not read in one block: its quote never closed refuses
    it in one line at its row, as on main. Before, the block size overflowed Arrow's int32 and
    the load ended in an OverflowError traceback."""
    monkeypatch.setattr(readers, "_ARROW_BLOCK_LIMIT", (1 << 20) + 1)
    bills = pd.concat([tables["bills"]] * 12000, ignore_index=True)
    folder = written(tables | {"bills": bills}, tmp_path / "big", "csv-utf8")
    path = folder / "bills.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].replace(",居民生活,", ',"居民生活,', 1)  # row 3: a quote never closed
    path.write_text("\n".join(lines), encoding="utf-8")
    assert path.stat().st_size + 1 > (1 << 20) + 1  # the premise: past the (lowered) limit

    assert errors_of(folder) == [
        "bills.csv row 3: expected rows of at most 1 MiB, found a longer row (a huge cell, or a "
        "quote never closed?)"
    ]

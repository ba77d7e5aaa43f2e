"""Hostile or broken files give one clear problem (file, row, column, expected, found), never a
traceback and never a silently changed table."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from converted_manifests import write_manifest
from openpyxl import load_workbook
from sample_dataset import valid_tables, write_dataset
from zip_bombs import bombed, packed_ratio, with_sheets

from auditkit.data import Dataset, DataValidationError, load, validate, xlsx_reader
from auditkit.data.partitioned import MANIFEST_NAME, convert
from auditkit.workbooks import sheet_parts

AUDITKIT = str(Path(sys.executable).with_name("auditkit"))


def validation_errors(folder: Path) -> list[str]:
    return [str(problem) for problem in validate(folder) if problem.severity == "error"]


def many_customers(count: int, padding: int = 0) -> pd.DataFrame:
    """The sample customers repeated to `count` rows (C001-C003 first, for the bills), ids
    numeric after them as billing systems number accounts; `padding` characters of address."""
    customers = valid_tables()["customers"]
    rows = customers.iloc[[index % 3 for index in range(count)]].reset_index(drop=True)
    rows["customer_id"] = ["C001", "C002", "C003"] + [
        f"31000{index:05d}" for index in range(3, count)
    ]
    rows["meter_id"] = [f"M{index}" for index in range(count)]
    if padding:
        rows["address"] = rows["address"] + "号" * padding
    return rows


# ------------------------------------------------------------------------------ Parquet cell types


def with_parquet_column(folder: Path, table: str, column: str, values: pa.Array) -> Path:
    path = folder / f"{table}.parquet"
    data = pq.read_table(path)
    position = data.column_names.index(column) if column in data.column_names else None
    if position is None:
        data = data.append_column(column, values)
    else:
        data = data.set_column(position, column, values)
    pq.write_table(data, path)
    return folder


@pytest.fixture
def parquet_dir(tmp_path: Path) -> Path:
    return write_dataset(valid_tables(), tmp_path / "parquet", "parquet")


@pytest.mark.parametrize(
    ("values", "found"),
    [
        (
            pa.array([["城东"], ["城东", "城西"], []]),
            "a list of values in each cell (column type list<element: string>)",
        ),
        (
            pa.array([["城东"]] * 3, pa.large_list(pa.string())),
            "a list of values in each cell (column type large_list<element: string>)",
        ),
        (
            pa.array([{"name": "城东"}] * 3),
            "a record of named fields in each cell (column type struct<name: string>)",
        ),
        (
            pa.array([[("name", "城东")]] * 3, pa.map_(pa.string(), pa.string())),
            "key-value pairs in each cell (column type map<string, string>)",
        ),
    ],
)
def test_a_parquet_text_column_holding_several_values_per_cell_is_one_problem(
    parquet_dir: Path, values: pa.Array, found: str
) -> None:
    with_parquet_column(parquet_dir, "customers", "district", values)
    assert validation_errors(parquet_dir) == [
        f"customers.parquet, column district: expected one text value per cell, found {found}"
    ]


def test_parquet_numbers_that_are_not_the_values_written_are_refused_by_cell(
    parquet_dir: Path,
) -> None:
    """An id stored as a float of 16 digits (its last ones lost: 300 meters read as 76), a
    float16 rate (0.5283 read as 0.5283203125) and a register past 2^53 (which float64 cannot
    hold) are errors, not silently other values."""
    with_parquet_column(
        parquet_dir, "customers", "meter_id", pa.array([3.1000123456789012e16, 12.0, 1e14])
    )
    with_parquet_column(
        parquet_dir, "tariffs", "energy_rate", pa.array([0.5283, 0.65, 0.8], pa.float16())
    )
    ends = pa.array([2**60, 1400, 56, 62, 300, 420], pa.int64())
    with_parquet_column(parquet_dir, "bills", "register_end", ends)
    errors = validation_errors(parquet_dir)
    assert (
        "customers.parquet row 1, column meter_id: expected text, or a number of at most 15 digits "
        "(a float keeps no more: an id of 16 or more digits stored as a number has lost its last "
        "ones; store the column as text), found '3.1000123456789012e+16'"
    ) in errors
    half = (
        "column energy_rate: expected numbers stored as float64, integers or decimals (float16 "
        "keeps 3 significant digits: a rate of 0.5283 reads 0.5283203125), found"
    )
    assert [error for error in errors if error.startswith("tariffs")] == [
        f"tariffs.parquet row {row}, {half} {found}"
        for row, found in ((1, "0.5283203125"), (2, "0.64990234375"), (3, "0.7998046875"))
    ]
    assert (
        "bills.parquet row 1, column register_end: expected a number between -2^53 and 2^53, "
        "found '1152921504606846976'"
    ) in errors


def test_a_parquet_number_column_of_durations_is_refused_not_read_as_milliseconds(
    parquet_dir: Path,
) -> None:
    with_parquet_column(
        parquet_dir, "customers", "voltage_kv", pa.array([1, 10, 1], pa.duration("s"))
    )
    assert validation_errors(parquet_dir) == [
        f"customers.parquet row {row}, column voltage_kv: expected a number, not a duration[s] "
        f"column, found '{value}'"
        for row, value in ((1, 1), (2, 10), (3, 1))
    ]


def test_a_parquet_table_of_no_columns_says_so(parquet_dir: Path) -> None:
    pq.write_table(pa.table({}), parquet_dir / "tariffs.parquet")
    tariffs = [error for error in validation_errors(parquet_dir) if error.startswith("tariffs")]
    assert tariffs[0] == (
        "tariffs.parquet, column tariff_category: expected a required column tariff_category "
        "(columns.yaml can map the file's own name), found a table of no columns"
    )


def test_a_parquet_number_or_period_column_of_lists_names_what_was_expected(
    parquet_dir: Path,
) -> None:
    with_parquet_column(parquet_dir, "customers", "ct_ratio", pa.array([[1.0], [40.0], [1.0]]))
    with_parquet_column(parquet_dir, "bills", "period", pa.array([["2024-01"]] * 6))
    assert validation_errors(parquet_dir) == [
        "customers.parquet, column ct_ratio: expected one number per cell, "
        "found a list of values in each cell (column type list<element: double>)",
        "bills.parquet, column period: expected one month YYYY-MM per cell, "
        "found a list of values in each cell (column type list<element: string>)",
    ]


def test_binary_text_is_read_when_utf8_and_located_when_not(parquet_dir: Path) -> None:
    names = pa.array(["张三".encode(), "东方机械厂".encode(), "李四便利店".encode()])
    with_parquet_column(parquet_dir, "customers", "name", names)
    assert load(parquet_dir).customers["name"].tolist() == ["张三", "东方机械厂", "李四便利店"]

    gbk = pa.array([b"C001", b"C002", "城西".encode("gbk")])
    with_parquet_column(parquet_dir, "customers", "district", gbk)
    assert validation_errors(parquet_dir) == [
        "customers.parquet row 3, column district: expected text encoded as UTF-8, "
        "found bytes b'\\xb3\\xc7\\xce\\xf7' that are not UTF-8 (column type binary)"
    ]


def test_a_dataframe_column_of_lists_is_the_same_problem() -> None:
    tables = valid_tables()
    tables["customers"]["district"] = [["城东"], ["城东"], ["城西"]]
    with pytest.raises(DataValidationError) as refused:
        Dataset.from_frames(tables)
    assert [str(problem) for problem in refused.value.errors] == [
        "customers (DataFrame), column district: expected one text value per cell, "
        "found a list of values in each cell (column type list<item: string>)"
    ]


def test_convert_keeps_extra_columns_of_lists_records_and_bytes(
    parquet_dir: Path, tmp_path: Path
) -> None:
    with_parquet_column(parquet_dir, "customers", "tags", pa.array([["a"], ["b", "c"], []]))
    with_parquet_column(parquet_dir, "bills", "raw", pa.array([b"\xb3\xc7"] * 6))
    converted = convert(parquet_dir, tmp_path / "converted")
    back = load(converted.root)
    tags = back.customers.set_index("customer_id")["tags"]
    assert [list(tags[customer]) for customer in ("C001", "C002", "C003")] == [
        ["a"],
        ["b", "c"],
        [],
    ]
    assert back.bills["raw"].tolist() == [b"\xb3\xc7"] * 6


def test_convert_refuses_a_column_of_lists_in_one_line(parquet_dir: Path, tmp_path: Path) -> None:
    with_parquet_column(parquet_dir, "customers", "district", pa.array([["城东"]] * 3))
    finished = subprocess.run(
        [AUDITKIT, "convert", str(parquet_dir), str(tmp_path / "converted")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 2
    assert finished.stderr.strip().splitlines()[1:] == [
        "customers.parquet, column district: expected one text value per cell, "
        "found a list of values in each cell (column type list<element: string>)"
    ]
    assert not (tmp_path / "converted").exists()


def test_a_partition_rewritten_with_a_column_of_lists_is_one_problem(
    parquet_dir: Path, tmp_path: Path
) -> None:
    root = convert(parquet_dir, tmp_path / "converted").root
    [part] = sorted(root.glob("bills/district=城东/*.parquet"))
    data = pq.read_table(part)
    periods = pa.array([[period] for period in data.column("period").to_pylist()])
    pq.write_table(data.set_column(data.column_names.index("period"), "period", periods), part)
    manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    for partition in manifest["partitions"]:  # a forger keeps the manifest in step
        if partition["district"] == "城东":
            partition["bytes"]["bills"] = part.stat().st_size
    write_manifest(root, manifest)
    [line] = validation_errors(root)
    assert line.endswith(
        "column period: expected one month YYYY-MM per cell, "
        "found a list of values in each cell (column type list<element: string>)"
    )
    assert line.startswith("bills/district=城东/part-")


# ----------------------------------------------------------------------------------------- CSV


def write_joined(
    folder: Path, customers: pd.DataFrame, first: str, second: str, header_again: bool
) -> Path:
    """customers.csv as two exports joined: rows up to 498 in `first` encoding, then a second
    export in `second` encoding, so that its first line is row 500 of the file."""
    shutil.rmtree(folder, ignore_errors=True)
    write_dataset({**valid_tables(), "customers": customers}, folder)
    head, tail = customers.iloc[:498], customers.iloc[498:]
    path = folder / "customers.csv"
    path.write_bytes(
        head.to_csv(index=False).encode(first)
        + tail.to_csv(index=False, header=header_again).encode(second)
    )
    return folder


JOINED = (
    "customers.csv row 500: expected a byte-order mark only at the start of the file, "
    "found one at the start of this row (files joined together? Keep one export per file)"
)


@pytest.mark.parametrize("first", ["utf-8", "utf-8-sig", "gbk"])
@pytest.mark.parametrize("header_again", [True, False], ids=["with-header", "rows-only"])
def test_a_byte_order_mark_inside_a_csv_is_one_line_naming_its_row(
    tmp_path: Path, first: str, header_again: bool
) -> None:
    folder = write_joined(
        tmp_path / "joined", many_customers(600), first, "utf-8-sig", header_again
    )
    assert validation_errors(folder) == [JOINED]


def test_validate_prints_the_joined_row_in_one_line(tmp_path: Path) -> None:
    folder = write_joined(tmp_path / "joined", many_customers(600), "gbk", "utf-8-sig", False)
    finished = subprocess.run(
        [AUDITKIT, "validate", str(folder)], capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 1  # `validate`: 1 when the dataset has errors
    lines = finished.stdout.splitlines()
    assert lines[0] == JOINED
    assert lines[-1] == "1 error, 0 warnings (customers: 1 error, 0 warnings)"
    assert lines[1] == "bills: 6 rows read from bills.csv"  # customers: not read


def padded_dataset(folder: Path) -> Path:
    """A dataset whose customers.csv is past the first megabyte (the sniffed head)."""
    return write_dataset({**valid_tables(), "customers": many_customers(600, 700)}, folder)


def test_a_nul_byte_past_the_first_megabyte_is_located(tmp_path: Path) -> None:
    folder = padded_dataset(tmp_path / "nul")
    path = folder / "customers.csv"
    lines = path.read_bytes().split(b"\n")
    assert sum(len(line) + 1 for line in lines[:550]) > 1 << 20
    lines[549] = lines[549].replace("李四".encode(), "李\x00四".encode())
    path.write_bytes(b"\n".join(lines))
    [line] = validation_errors(folder)
    assert line.startswith(
        "customers.csv row 550: expected text encoded as UTF-8 or GBK/GB18030, found a NUL byte"
    )


def test_a_quote_never_closed_is_reported_not_rows_silently_dropped(tmp_path: Path) -> None:
    folder = padded_dataset(tmp_path / "quote")
    path = folder / "customers.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[399] = lines[399].replace(",", ',"', 1)  # row 400: a quote opens its district
    path.write_text("\n".join(lines), encoding="utf-8")
    errors = validation_errors(folder)
    assert errors[0] == (
        "customers.csv row 400: expected 17 fields as in the header, found 2 fields; in field 2 "
        "(column district), a quote opening this cell never closed (it runs to the end of the "
        "file, over 202 lines, reading the rows after it into it; close the quote, or if it is "
        "part of the text quote the whole cell and double each quote inside it)"
    )


def test_old_mac_line_endings_read_like_any_other(dataset_dir: Path) -> None:
    path = dataset_dir / "bills.csv"
    lines = path.read_bytes().splitlines()
    lines[3] += b",extra"
    path.write_bytes(b"\r".join(lines) + b"\r")
    assert validation_errors(dataset_dir) == [
        "bills.csv row 4: expected 14 fields as in the header, found 15 fields: "
        "'C002,2024-01,50.0,55.5,4000.0,22000.0,大工业,0.65,14300.0,630.0,410.5,18900.0,33200'"
        "… (95 characters)"
    ]


def test_mixed_line_endings_read_like_any_other(dataset_dir: Path) -> None:
    path = dataset_dir / "bills.csv"
    lines = path.read_bytes().splitlines()
    endings = [b"\n", b"\r\n", b"\r"]
    path.write_bytes(b"".join(line + endings[i % 3] for i, line in enumerate(lines)))
    assert validation_errors(dataset_dir) == []
    assert len(load(dataset_dir).bills) == 6


def test_a_huge_cell_is_one_line_naming_its_row(dataset_dir: Path) -> None:
    path = dataset_dir / "customers.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].replace("东方机械厂", "厂" * 3_000_000)
    path.write_text("\n".join(lines), encoding="utf-8")
    assert validation_errors(dataset_dir) == [
        "customers.csv row 3: expected rows of at most 1 MiB, "
        "found a longer row (a huge cell, or a quote never closed?)"
    ]


def test_a_long_cell_is_shown_cut_in_its_problem(dataset_dir: Path) -> None:
    path = dataset_dir / "bills.csv"
    text = path.read_text(encoding="utf-8").replace("22000.0", "9" * 5000 + "x", 1)
    path.write_text(text, encoding="utf-8")
    [line] = validation_errors(dataset_dir)
    assert line == (
        "bills.csv row 4, column kwh_billed: expected a number, found "
        f"'{'9' * 80}'… (5,001 characters)"
    )


def test_a_dataset_folder_named_in_gbk_is_read_and_named_printably(tmp_path: Path) -> None:
    folder = Path(os.fsdecode(os.fsencode(tmp_path) + "/城东数据".encode("gbk")))
    for fmt in ("csv-utf8", "parquet", "xlsx"):
        shutil.rmtree(folder, ignore_errors=True)
        write_dataset(valid_tables(), tmp_path / fmt, fmt).rename(folder)
        assert len(load(folder).bills) == 6, fmt
    (folder / "tariffs.xlsx").unlink()
    shown = os.fsencode(folder).decode("utf-8", errors="backslashreplace")
    assert validation_errors(folder)[0] == (
        f"tariffs: expected a file tariffs.csv, tariffs.xlsx or tariffs.parquet in {shown}, "
        "found no such file"
    )
    finished = subprocess.run(
        [AUDITKIT, "validate", os.fsencode(folder)], capture_output=True, timeout=120
    )
    assert finished.returncode == 1
    assert b"Traceback" not in finished.stderr
    assert shown.encode() in finished.stdout


def test_a_title_line_above_the_csv_header_is_one_line(dataset_dir: Path) -> None:
    path = dataset_dir / "customers.csv"
    path.write_text("客户档案\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert validation_errors(dataset_dir) == [
        "customers.csv row 1: expected a header row naming the columns, "
        "found a title '客户档案' in one cell (delete the lines above the header, or give its row "
        "as columns.yaml's header_row)"
    ]


def test_a_long_title_line_is_shown_cut_as_any_cell(dataset_dir: Path) -> None:
    path = dataset_dir / "customers.csv"
    path.write_text("档" * 1000 + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert validation_errors(dataset_dir) == [
        "customers.csv row 1: expected a header row naming the columns, "
        f"found a title {'档' * 80!r}… (1,000 characters) in one cell (delete the lines above the "
        "header, or give its row as columns.yaml's header_row)"
    ]


@pytest.mark.parametrize(("delimiter", "said"), [("\t", "tabs"), (";", "semicolons")])
def test_a_csv_separated_by_tabs_or_semicolons_is_one_error_naming_the_delimiter(
    dataset_dir: Path, delimiter: str, said: str
) -> None:
    """A tab-separated export saved as bills.csv was 11 missing-column errors, each quoting the
    whole 314-character header."""
    path = dataset_dir / "bills.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", delimiter), encoding="utf-8")

    shown = repr(delimiter.join(["customer_id", "period", "register_start"]))
    assert validation_errors(dataset_dir) == [
        "bills.csv row 1: expected columns separated by commas (a CSV file), found a header of "
        f"14 names separated by {said}, starting {shown} (save the file as CSV, comma delimited, "
        f"or replace the {said} by commas)"
    ]


def test_a_title_with_two_semicolons_is_still_a_title(dataset_dir: Path) -> None:
    """Near miss: 电费明细;2024年 names two parts, not a header of three or more."""
    path = dataset_dir / "customers.csv"
    path.write_text("电费明细;2024年\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert validation_errors(dataset_dir)[0].startswith(
        "customers.csv row 1: expected a header row naming the columns, found a title "
    )


# ---------------------------------------------------------------------------------------- XLSX


@pytest.fixture
def xlsx_dir(tmp_path: Path) -> Path:
    return write_dataset(valid_tables(), tmp_path / "xlsx", "xlsx")


def test_formulas_without_a_saved_result_are_named_not_read_as_empty(xlsx_dir: Path) -> None:
    path = xlsx_dir / "bills.xlsx"
    workbook = load_workbook(path)
    workbook.active["F2"] = "=D2-C2"  # kwh_billed, required
    workbook.active["L4"] = "=30*630"  # basic_charge, optional: read as empty until now
    workbook.save(path)
    assert validation_errors(xlsx_dir) == [
        "bills.xlsx row 2, column kwh_billed: expected a value, found a formula '=D2-C2' "
        "whose result was not saved (open and save the file in Excel, or paste the values)",
        "bills.xlsx row 4, column basic_charge: expected a value, found a formula '=30*630' "
        "whose result was not saved (open and save the file in Excel, or paste the values)",
    ]


def test_an_unsaved_formula_refuses_its_cell_not_its_row(xlsx_dir: Path) -> None:
    path = xlsx_dir / "customers.xlsx"
    workbook = load_workbook(path)
    workbook.active["J2"] = '="M"&1'  # meter_id of C001, saved without its result
    workbook.save(path)
    # the row is kept (C001's bills are not refused in turn); its cell is named once
    assert validation_errors(xlsx_dir) == [
        "customers.xlsx row 2, column meter_id: expected a value, found a formula of 6 "
        "characters (not shown: it may hold personal data) whose result was not saved (open and save the file in Excel, or paste the values)"
    ]


def test_a_table_whose_every_row_is_refused_says_so_not_that_it_has_no_rows(
    tmp_path: Path,
) -> None:
    folder = write_dataset(valid_tables(), tmp_path / "csv", "csv-utf8")
    path = folder / "tariffs.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header, *(row + ",x" for row in rows)]) + "\n", encoding="utf-8")
    tariffs = [error for error in validation_errors(folder) if error.startswith("tariffs")]
    assert tariffs == [
        *(
            f"tariffs.csv row {number}: expected 7 fields as in the header, found 8 fields: "
            f"{row + ',x'!r}"
            for number, row in enumerate(rows, start=2)
        ),
        "tariffs.csv: expected at least one data row, found 3 rows, none read (each refused: "
        "see its error)",
    ]


def test_formulas_with_their_saved_result_read_as_that_result(xlsx_dir: Path) -> None:
    path = xlsx_dir / "bills.xlsx"
    workbook = load_workbook(path)
    workbook.active["F2"] = "=(D2-C2)*E2"
    workbook.save(path)
    saved = path.with_suffix(".saved")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(saved, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":  # as Excel saves it: with the result
                content = re.sub(
                    rb"(<f>\(D2-C2\)\*E2</f>)(<v>\s*</v>|<v/>)?", rb"\1<v>210</v>", content
                )
            target.writestr(item, content)
    saved.replace(path)
    assert validation_errors(xlsx_dir) == []
    assert load(xlsx_dir).bills["kwh_billed"].iloc[0] == 210.0


def test_a_table_that_is_a_zip_bomb_is_one_problem_and_never_loaded(
    xlsx_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = xlsx_dir / "customers.xlsx"
    bombed(path, path.with_suffix(".bomb"), 40_000).replace(path)  # 2 MB packed 300 times
    part = next(iter(sheet_parts(path).values()))

    loaded = xlsx_reader.load_workbook

    def never_the_bomb(source: Path, **options: object) -> object:
        assert source != path, "the bomb was loaded"
        return loaded(source, **options)

    monkeypatch.setattr(xlsx_reader, "load_workbook", never_the_bomb)
    errors = validation_errors(xlsx_dir)
    assert errors[0].startswith(
        "customers.xlsx: expected an .xlsx workbook none of whose parts unpacks to over 100 "
        f"times its packed size, found the part {part!r} unpacking to "
    )
    assert f", {packed_ratio(path, part):,.0f} times its packed " in errors[0]
    assert errors[0].endswith(" MB (a zip bomb?)")
    assert [error for error in errors if error.startswith("customers.xlsx")] == errors[:1]


def test_a_table_whose_worksheets_share_one_part_is_one_problem_and_never_loaded(
    xlsx_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening it, openpyxl parses the part once per sheet: 100 sheets on one 0.9 MB part of
    empty rows took 54 s to validate from a 49 KB file."""
    path = xlsx_dir / "customers.xlsx"
    with_sheets(path, path.with_suffix(".shared"), 100, 1_000, shared=True).replace(path)
    loaded = xlsx_reader.load_workbook

    def never_the_bomb(source: Path, **options: object) -> object:
        assert source != path, "the bomb was loaded"
        return loaded(source, **options)

    monkeypatch.setattr(xlsx_reader, "load_workbook", never_the_bomb)
    errors = validation_errors(xlsx_dir)
    assert errors[0] == (
        "customers.xlsx: expected an .xlsx workbook whose every worksheet has a part of its own, "
        "found 100 worksheets ('extra0', 'extra1', …) read from one part "
        "'xl/worksheets/extra.xml'"
    )
    assert [error for error in errors if error.startswith("customers.xlsx")] == errors[:1]


def test_a_merged_title_above_the_xlsx_header_is_one_line(xlsx_dir: Path) -> None:
    path = xlsx_dir / "customers.xlsx"
    workbook = load_workbook(path)
    workbook.active.insert_rows(1)
    workbook.active["A1"] = "客户档案"
    workbook.active.merge_cells("A1:Q1")
    workbook.save(path)
    assert validation_errors(xlsx_dir) == [
        "customers.xlsx row 1: expected a header row naming the columns, "
        "found a title '客户档案' in one cell (delete the rows above the header, or give its row "
        "as columns.yaml's header_row)"
    ]


def test_a_malformed_customers_row_is_shown_by_its_field_count_never_its_personal_text(
    dataset_dir: Path,
) -> None:
    path = dataset_dir / "customers.csv"
    text = path.read_text(encoding="utf-8").replace("工业园2号", "工业园,2号")  # unquoted comma
    path.write_text(text, encoding="utf-8")
    assert validation_errors(dataset_dir)[0] == (
        "customers.csv row 3: expected 17 fields as in the header, found 18 fields (not shown: "
        "the table holds names, addresses and phone numbers; an unquoted comma in an address?)"
    )
    assert not any(
        "东方机械厂" in line or "88888888" in line for line in validation_errors(dataset_dir)
    )


def test_a_malformed_bills_row_carrying_names_and_phones_is_never_shown(
    dataset_dir: Path,
) -> None:
    """Real 电费明细 exports carry 户名, 用电地址 and 联系电话 beside the bill: only the customers
    table hid its rows, so a bills row cut by an address's comma was quoted whole."""
    tables = valid_tables()
    bills = tables["bills"]
    bills.insert(1, "户名", "李明伟")
    bills.insert(2, "用电地址", "城西区滨江路484号2室")
    bills.insert(3, "联系电话", "14366199976")
    lines = bills.to_csv(index=False).splitlines()
    lines[2] = lines[2].replace("484号2室", "484号,2室")  # a comma the export did not quote
    (dataset_dir / "bills.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    errors = validation_errors(dataset_dir)

    assert (
        f"bills.csv row 3: expected {len(bills.columns)} fields as in the header, found "
        in errors[0]
    )
    assert errors[0].endswith(
        "(not shown: the table holds names, addresses and phone numbers; an unquoted comma in "
        "an address?)"
    )
    assert not any("李明伟" in line or "14366199976" in line for line in errors)


def test_a_malformed_bills_row_without_personal_columns_is_shown(dataset_dir: Path) -> None:
    """Near miss: 表计通信地址 is a meter's bus address, no person's: the row is quoted."""
    bills = valid_tables()["bills"]
    bills.insert(1, "表计通信地址", "000012345678")
    lines = bills.to_csv(index=False).splitlines()
    lines[2] = lines[2].replace("000012345678", "0000,12345678")
    (dataset_dir / "bills.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert "0000,12345678" in validation_errors(dataset_dir)[0]


def test_control_characters_in_a_name_or_an_id_are_errors_the_name_shown_masked(
    dataset_dir: Path,
) -> None:
    tables = valid_tables()
    tables["customers"].loc[0, "name"] = "张三\x1b]0;pwned\x07"
    tables["customers"].loc[1, "district"] = "城东\r=2+2"
    for fmt in ("csv-utf8", "parquet"):
        folder = write_dataset(tables, dataset_dir.parent / fmt, fmt)
        lines = [line for line in validation_errors(folder) if "column name" in line]
        row = 2 if fmt == "csv-utf8" else 1
        assert lines == [
            f"customers.{fmt.removesuffix('-utf8')} row {row}, column name: expected "
            "text without control characters other than tab and line breaks (NUL, escape, bell) "
            "or invisible characters (zero-width spaces, direction marks), "
            "found '张***********' (12 characters, '\\x1b' at character 3)"
        ]
    assert (
        "customers.parquet row 2, column district: expected text without control characters "
        "(tab, line break, NUL, escape) or invisible characters (zero-width spaces, direction "
        "marks), found '城东\\r=2+2'"
    ) in validation_errors(folder)

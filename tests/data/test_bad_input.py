"""Every kind of bad input gives a Problem naming file, row, column, expectation and finding."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sample_dataset import set_cell, write_dataset

from auditkit.data import (
    TABLES,
    DataValidationError,
    Problem,
    column_typing,
    count_problems,
    format_problems,
    intake,
    load,
    validate,
)
from auditkit.errors import AuditkitError

MakeDataset = Callable[..., Path]


def errors_of(folder: Path) -> list[str]:
    """The error lines `load` raises for `folder` (asserting it does raise)."""
    with pytest.raises(DataValidationError) as caught:
        load(folder)
    assert isinstance(caught.value, AuditkitError)
    return [str(problem) for problem in caught.value.errors]


def test_an_address_longer_than_500_characters_is_an_error_and_the_data_does_not_load(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    set_cell(tables["customers"], 1, "address", "工业园" * 167)  # 501 characters
    set_cell(tables["customers"], 2, "address", "城西街" * 166 + "3号")  # 500: a near miss
    assert errors_of(make_dataset(tables)) == [
        "customers.csv row 3, column address: expected text of at most 500 characters, found "
        "'工业****' (501 characters)"
    ]


def test_missing_folder(tmp_path: Path) -> None:
    assert errors_of(tmp_path / "nope") == [
        f"{tmp_path / 'nope'}: expected a dataset folder, found no such folder"
    ]


def test_a_file_instead_of_a_folder(dataset_dir: Path) -> None:
    path = dataset_dir / "bills.csv"
    assert errors_of(path) == [f"{path}: expected a dataset folder, found a file, not a folder"]


def test_missing_required_table_file(dataset_dir: Path) -> None:
    (dataset_dir / "tariffs.csv").unlink()
    assert errors_of(dataset_dir) == [
        f"tariffs: expected a file tariffs.csv, tariffs.xlsx or tariffs.parquet in {dataset_dir}, "
        "found no such file"
    ]


@pytest.mark.parametrize("table", ["tariffs", "work_orders"])
def test_old_excel_file_is_named_as_the_reason_even_for_an_optional_table(
    dataset_dir: Path, table: str
) -> None:
    (dataset_dir / f"{table}.csv").rename(dataset_dir / f"{table}.xls")
    assert errors_of(dataset_dir)[0].endswith(
        f"found {table}.xls (an old Excel format: save it as .xlsx)"
    )


def test_two_files_for_one_table(dataset_dir: Path, tables: dict[str, pd.DataFrame]) -> None:
    tables["truth"].to_parquet(dataset_dir / "truth.parquet")
    assert errors_of(dataset_dir) == [
        "truth: expected one file per table, found truth.csv and truth.parquet"
    ]


def test_empty_file(dataset_dir: Path) -> None:
    (dataset_dir / "customers.csv").write_bytes(b"")
    assert errors_of(dataset_dir) == [
        "customers.csv: expected a header row naming the columns, found an empty file"
    ]


def test_header_only_required_table(dataset_dir: Path) -> None:
    path = dataset_dir / "tariffs.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    problems = errors_of(dataset_dir)
    assert problems[0] == "tariffs.csv: expected at least one data row, found no rows"


@pytest.mark.parametrize("table, written", [("customers", "Contract_Capacity_kVA"),
                                             ("customers", "contract-capacity-kva"),
                                             ("bills", "Kwh Billed")])  # fmt: skip
def test_a_contract_column_written_in_another_case_is_named_not_read_as_absent(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset, table: str, written: str
) -> None:
    """contract-capacity-kva, hyphens for underscores, was kept as an extra column without a
    word and the optional contract_capacity_kva read as absent."""
    canonical = re.sub(r"[\s_-]+", "_", written.strip()).lower()
    tables[table] = tables[table].rename(columns={canonical: written})
    assert errors_of(make_dataset(tables)) == [
        f"{table}.csv row 1, column {written}: expected the column name {canonical} (names are "
        f"exact: columns.yaml can map the file's own), found {written!r}, which would be kept as "
        f"an extra column and {canonical} read as absent"
    ]


@pytest.mark.parametrize("fmt", ["csv-utf8", "xlsx", "parquet"])
@pytest.mark.parametrize("invisible", ["\u200b", "\u2060", "\u200e"])
def test_a_header_with_a_zero_width_character_names_its_column(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset, invisible: str, fmt: str
) -> None:
    """`contract_capacity_kva\u200b` pasted from a chat was kept as an extra column and the
    optional contract_capacity_kva read as absent, with no error."""
    expected = tables["customers"]["contract_capacity_kva"].astype(float)
    renamed = {"contract_capacity_kva": f"contract_capacity_kva{invisible}"}
    tables["customers"] = tables["customers"].rename(columns=renamed)

    dataset = load(make_dataset(tables, fmt))

    pd.testing.assert_series_equal(
        dataset.customers["contract_capacity_kva"], expected, check_names=False
    )
    assert [name for name in dataset.customers.columns if "contract" in name] == [
        "contract_capacity_kva"
    ]


def test_missing_required_column(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    tables["bills"] = tables["bills"].drop(columns=["kwh_billed"])
    [problem] = errors_of(make_dataset(tables))
    assert problem.startswith(
        "bills.csv, column kwh_billed: expected a required column kwh_billed (columns.yaml can "
        "map the file's own name), found no such column in the header: 'customer_id', 'period'"
    )


HEADER_ROW_MISSING = (
    "row 1: expected a header row naming the columns ({required} required; columns.yaml can map "
    "the file's own names), found none of them among its {cells} cells, which look like data: "
    "is the header row missing? (the cells are not shown: they may hold personal data)"
)


def test_a_customers_file_without_its_header_row_shows_no_personal_value(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """Saved without its header, the first customer's row is read as the header: one message
    says the header row looks missing, and shows none of its cells (a name, an address and a
    phone among them)."""
    path = dataset_dir / "customers.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[1:]), encoding="utf-8")
    first = tables["customers"].iloc[0]

    problems = errors_of(dataset_dir)

    required = ", ".join(TABLES["customers"].required_columns)
    cells = len(tables["customers"].columns)
    assert problems[0] == "customers.csv " + HEADER_ROW_MISSING.format(
        required=required, cells=cells
    )
    for column in ("customer_id", "name", "address", "phone"):
        assert not any(str(first[column]) in problem for problem in problems), column


def test_a_bills_file_without_its_header_row_is_one_message_showing_no_cell(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """A bills export carrying 户名, 联系电话 and 用电地址 saved without its header: its first
    row (张三丰, 13912345678, an address) was quoted in 11 messages, one per required column."""
    bills = tables["bills"].assign(
        户名="张三丰", 联系电话="13912345678", 用电地址="城西区滨江路1号"
    )
    path = dataset_dir / "bills.csv"
    bills.to_csv(path, index=False, header=False)

    problems = [problem for problem in errors_of(dataset_dir) if problem.startswith("bills")]

    required = ", ".join(TABLES["bills"].required_columns)
    assert problems == [
        "bills.csv " + HEADER_ROW_MISSING.format(required=required, cells=len(bills.columns))
    ]


def test_a_header_of_the_files_own_names_still_names_each_missing_column(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """Near miss: a header naming no required column but holding no value (the file's own
    Chinese names, unmapped) is a header: each missing column is named, its cells quoted."""
    bills = tables["bills"][["customer_id", "period"]].set_axis(["户号", "抄表年月"], axis=1)
    bills.to_csv(dataset_dir / "bills.csv", index=False)

    problems = [problem for problem in errors_of(dataset_dir) if problem.startswith("bills")]

    assert len(problems) == len(TABLES["bills"].required_columns)
    assert problems[0].endswith("found no such column in the header: '户号', '抄表年月'")


def test_text_in_a_numeric_column(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    set_cell(tables["bills"], 1, "register_end", "1400 kWh")
    set_cell(tables["bills"], 4, "register_end", "1,400")
    assert errors_of(make_dataset(tables)) == [
        "bills.csv row 3, column register_end: expected a number, found '1400 kWh'",
        "bills.csv row 6, column register_end: expected a number, found '1,400'",
    ]


def test_negative_energy(tables: dict[str, pd.DataFrame], make_dataset: MakeDataset) -> None:
    tables["bills"].loc[4, ["kwh_billed", "register_end"]] = [-5.0, 295.0]
    assert errors_of(make_dataset(tables)) == [
        "bills.csv row 6, column kwh_billed: expected a number ≥ 0, found -5.0"
    ]


def test_a_negative_supply_is_refused_and_a_month_supplied_nothing_is_kept(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    tables["district_supply"].loc[1, "kwh_supplied"] = -5.0
    assert errors_of(make_dataset(tables)) == [
        "district_supply.csv row 3, column kwh_supplied: expected a number ≥ 0, found -5.0"
    ]
    tables["district_supply"].loc[1, "kwh_supplied"] = 0.0  # a district not fed that month
    assert load(make_dataset(tables)).district_supply["kwh_supplied"].iloc[1] == 0


def test_period_out_of_range(tables: dict[str, pd.DataFrame], make_dataset: MakeDataset) -> None:
    tables["bills"].loc[3, "period"] = "2024-13"
    assert errors_of(make_dataset(tables)) == [
        "bills.csv row 5, column period: expected a month YYYY-MM (01-12), found '2024-13'"
    ]


@pytest.mark.parametrize(
    ("bad_date", "expected"),
    [
        *((text, "a date YYYY-MM-DD") for text in ("2015/03/01", "01.03.2015", "2015-3-1")),
        ("2015-02-30", "a date YYYY-MM-DD"),
        # a slip of the year, named before any later stage trips on it
        *((text, "a date in the years 1678 to 2261") for text in ("0202-10-19", "2999-10-19")),
    ],
)
def test_date_in_another_format_or_beyond_the_years(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset, bad_date: str, expected: str
) -> None:
    tables["customers"].loc[0, "connection_date"] = bad_date
    assert errors_of(make_dataset(tables)) == [
        f"customers.csv row 2, column connection_date: expected {expected}, found '{bad_date}'"
    ]


def test_duplicate_customer_id(tables: dict[str, pd.DataFrame], make_dataset: MakeDataset) -> None:
    customers = tables["customers"]
    tables["customers"] = pd.concat([customers, customers.iloc[[1]]], ignore_index=True)
    assert errors_of(make_dataset(tables)) == [
        "customers.csv row 5, column customer_id: expected a unique customer_id, "
        "found 'C002' again (first at row 3)"
    ]


def test_duplicate_customer_and_period(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    tables["bills"].loc[1, "period"] = "2024-01"
    assert errors_of(make_dataset(tables)) == [
        "bills.csv row 3, column customer_id, period: expected a unique (customer_id, period), "
        "found ('C001', '2024-01') again (first at row 2)"
    ]


def test_bill_for_an_unknown_customer(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    tables["bills"].loc[5, "customer_id"] = "C999"
    assert errors_of(make_dataset(tables)) == [
        "bills.csv row 7, column customer_id: expected a customer_id listed in customers, "
        "found 'C999'"
    ]


def test_customer_with_an_unknown_tariff(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    tables["customers"].loc[2, "tariff_category"] = "商业"
    assert errors_of(make_dataset(tables)) == [
        "customers.csv row 4, column tariff_category: expected a tariff_category listed in "
        "tariffs, found '商业'"
    ]


def test_value_outside_the_allowed_list_and_empty_required_cell(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    tables["customers"].loc[1, "status"] = "正常"
    tables["customers"].loc[2, "meter_id"] = None
    assert errors_of(make_dataset(tables)) == [
        "customers.csv row 3, column status: expected one of active, suspended, closed, "
        "found '正常'",
        "customers.csv row 4, column meter_id: expected a value (the column is required), "
        "found an empty cell",
    ]


def test_boolean_words_and_bad_boolean(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    tables["inspections"]["error_found"] = ["Y", "maybe"]
    assert errors_of(make_dataset(tables)) == [
        "inspections.csv row 3, column error_found: expected true/false (also yes/no, y/n, 1/0, "
        "是/否), found 'maybe'"
    ]


def test_fractional_test_cycle(tables: dict[str, pd.DataFrame], make_dataset: MakeDataset) -> None:
    tables["customers"]["meter_test_cycle_months"] = [96, 12.5, None]
    assert errors_of(make_dataset(tables)) == [
        "customers.csv row 3, column meter_test_cycle_months: expected a whole number, found '12.5'"
    ]


def test_reversed_tariff_validity(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    tables["tariffs"].loc[0, "valid_to"] = "2019-12-31"
    assert errors_of(make_dataset(tables)) == [
        "tariffs.csv row 2, column valid_to: expected a date on or after valid_from, "
        "found 2019-12-31 before valid_from 2020-01-01"
    ]


def test_xlsx_that_is_not_a_workbook(dataset_dir: Path) -> None:
    (dataset_dir / "tariffs.csv").rename(dataset_dir / "tariffs.xlsx")
    [problem] = errors_of(dataset_dir)
    assert problem.startswith("tariffs.xlsx: expected an Excel .xlsx workbook, found a file that")


def test_a_workbook_whose_list_of_parts_is_no_xml_is_one_line_naming_it(
    dataset_dir: Path,
) -> None:
    (dataset_dir / "tariffs.csv").unlink()
    with zipfile.ZipFile(dataset_dir / "tariffs.xlsx", "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types')  # cut short
    assert errors_of(dataset_dir) == [
        "tariffs.xlsx: expected an Excel .xlsx workbook, found a file that is not one (unclosed "
        "token: line 1, column 21)"
    ]


def test_zip_that_is_not_a_workbook(dataset_dir: Path) -> None:
    (dataset_dir / "tariffs.csv").unlink()
    with zipfile.ZipFile(dataset_dir / "tariffs.xlsx", "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    [problem] = errors_of(dataset_dir)
    assert problem.startswith("tariffs.xlsx: expected an Excel .xlsx workbook, found a file that")


def test_parquet_that_is_not_parquet(dataset_dir: Path) -> None:
    (dataset_dir / "truth.csv").rename(dataset_dir / "truth.parquet")
    [problem] = errors_of(dataset_dir)
    assert problem.startswith("truth.parquet: expected a Parquet file, found a file that is not")


def test_malformed_rows_are_each_reported_and_the_rest_checked(dataset_dir: Path) -> None:
    path = dataset_dir / "bills.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"
    lines[5] = lines[5].replace("2024-01", "2024-13")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert errors_of(dataset_dir) == [
        "bills.csv row 3: expected 14 fields as in the header, found 15 fields: "
        f"{(lines[2])[:80]!r}",
        "bills.csv row 6, column period: expected a month YYYY-MM (01-12), found '2024-13'",
    ]


def test_all_problems_are_reported_not_only_the_first(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    tables["bills"].loc[0, "period"] = "2024-13"
    tables["customers"].loc[0, "connection_date"] = "2015/03/01"
    tables["work_orders"].loc[0, "order_type"] = "upgrade"
    folder = make_dataset(tables)

    problems = validate(folder)

    assert len(errors_of(folder)) == 3
    assert {(p.file, p.row, p.column) for p in problems} == {
        ("bills.csv", 2, "period"),
        ("customers.csv", 2, "connection_date"),
        ("work_orders.csv", 2, "order_type"),
    }
    assert all(isinstance(p, Problem) and p.severity == "error" for p in problems)


def test_the_error_message_bounds_a_mass_problem(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    bills = pd.concat([tables["bills"]] * 20, ignore_index=True)
    bills["period"] = [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(len(bills))]
    bills["energy_rate"] = "n/a"

    with pytest.raises(DataValidationError) as caught:
        load(make_dataset(tables | {"bills": bills}))

    assert len(caught.value.errors) == 120
    lines = str(caught.value).splitlines()
    assert lines[0] == "the dataset has 120 errors:"
    assert len(lines) == 12
    assert lines[-1] == "... and 110 more rows in bills.csv, column energy_rate (expected a number)"


def test_nothing_is_written_to_the_dataset_folder(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    tables["bills"].loc[0, "period"] = "2024-13"
    folder = make_dataset(tables)
    before = sorted((path.name, path.stat().st_mtime_ns) for path in folder.iterdir())

    errors_of(folder)

    assert sorted((path.name, path.stat().st_mtime_ns) for path in folder.iterdir()) == before


def test_xlsx_cells_report_spreadsheet_rows(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    tables["bills"].loc[3, "period"] = "2024-13"
    folder = write_dataset(tables, tmp_path / "xlsx", "xlsx")
    assert errors_of(folder) == [
        "bills.xlsx row 5, column period: expected a month YYYY-MM (01-12), found '2024-13'"
    ]


def test_parquet_rows_are_record_numbers_from_one(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    tables["bills"].loc[3, "period"] = "2024-13"
    folder = write_dataset(tables, tmp_path / "parquet", "parquet")
    assert errors_of(folder) == [
        "bills.parquet row 4, column period: expected a month YYYY-MM (01-12), found '2024-13'"
    ]


@pytest.mark.parametrize("table", ["work_orders", "inspections", "daily_reads", "truth"])
def test_rows_of_other_tables_for_an_unknown_customer(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset, table: str
) -> None:
    tables[table].loc[0, "customer_id"] = "C404"
    assert errors_of(make_dataset(tables)) == [
        f"{table}.csv row 2, column customer_id: expected a customer_id listed in customers, "
        "found 'C404'"
    ]


def test_supply_of_a_district_without_customers_is_a_warning(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    tables["district_supply"].loc[3, "district"] = "城北"

    dataset = load(make_dataset(tables))

    assert [str(problem) for problem in dataset.problems] == [
        "warning: district_supply.csv row 5, column district: expected a district listed in "
        "customers, found '城北'"
    ]


def test_column_named_twice_and_unnamed_filled_column(dataset_dir: Path) -> None:
    path = dataset_dir / "tariffs.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] += ",energy_rate,"
    lines[1:] = [line + ",0.5,x" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert errors_of(dataset_dir) == [
        "tariffs.csv row 1, column energy_rate: expected each column once, "
        "found 2 columns named 'energy_rate'",
        "tariffs.csv row 1, column #9: expected a column name in the header, "
        "found an empty header cell above a filled column",
    ]


def test_validate_false_skips_cross_table_checks_but_not_typing(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    tables["bills"].loc[5, "customer_id"] = "C999"
    folder = make_dataset(tables)

    assert load(folder, validate=False).bills["customer_id"].iloc[5] == "C999"
    tables["bills"].loc[5, "period"] = "2024-13"
    assert errors_of(make_dataset(tables))[0].endswith("found '2024-13'")
    with pytest.raises(DataValidationError, match="found '2024-13'"):
        load(make_dataset(tables), validate=False)


def test_beyond_the_listing_limit_problems_are_counted(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(column_typing, "LISTED_PER_ISSUE", 2)
    tables["bills"]["read_type"] = "手工"
    tables["bills"]["kwh_billed"] = 1.0e6

    problems = validate(make_dataset(tables))

    assert [str(problem) for problem in problems if problem.severity == "error"] == [
        "bills.csv row 2, column read_type: expected one of actual, estimated, found '手工'",
        "bills.csv row 3, column read_type: expected one of actual, estimated, found '手工'",
        "bills.csv, column read_type: expected one of actual, estimated, found 4 more rows like "
        "this from row 4 on (not listed one by one)",
    ]
    warnings = [problem for problem in problems if problem.severity == "warning"]
    assert [(w.row, w.customer_id) for w in warnings] == [(2, "C001"), (3, "C001"), (None, None)]
    assert warnings[-1].found.startswith("4 more rows like this from row 4 on")


def test_quoted_newlines_count_as_one_row(dataset_dir: Path) -> None:
    path = dataset_dir / "customers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("城东路1号", '"城东路1号\n2单元"')
    lines[3] = lines[3].replace("2020-01-10", "2020/01/10")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert errors_of(dataset_dir) == [
        "customers.csv row 4, column connection_date: expected a date YYYY-MM-DD, "
        "found '2020/01/10'"
    ]


def test_xlsx_values_right_of_the_header_are_reported(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    folder = write_dataset(tables, tmp_path / "xlsx", "xlsx")
    workbook = load_workbook(folder / "tariffs.xlsx")
    sheet = workbook.worksheets[0]
    sheet.cell(row=3, column=9, value="stray")
    workbook.save(folder / "tariffs.xlsx")

    assert errors_of(folder) == [
        "tariffs.xlsx row 1, column #9: expected a column name in the header, "
        "found an empty header cell above a filled column"
    ]


def test_unreadable_file_is_a_problem_not_a_traceback(
    dataset_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path, table: str, *how: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(intake, "read_table", refuse)

    problems = errors_of(dataset_dir)

    assert problems[0] == (
        f"customers.csv: expected a readable file, found [Errno 13] Permission denied: "
        f"'{dataset_dir / 'customers.csv'}'"
    )
    assert len(problems) == 8


def test_ids_written_as_excel_text_read_as_the_text_excel_shows(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset
) -> None:
    plain = load(make_dataset(tables))
    for table in ("customers", "bills"):  # ="C001": Excel shows C001 (and keeps 00012345's zeros)
        tables[table]["customer_id"] = '="' + tables[table]["customer_id"] + '"'
    plain_names = plain.customers["name"].tolist()
    tables["customers"]["name"] = ['="' + plain_names[0] + '""工"', *plain_names[1:]]  # a"b
    folder = make_dataset(tables)
    assert '"=""C001"""' in (folder / "customers.csv").read_text(encoding="utf-8")  # CSV-quoted
    wrapped = load(folder)
    assert wrapped.customers["name"].iloc[0] == plain_names[0] + '"工'
    wrapped.customers.loc[0, "name"] = plain_names[0]
    pd.testing.assert_frame_equal(wrapped.customers, plain.customers)
    pd.testing.assert_frame_equal(wrapped.bills, plain.bills)


def test_counts_stay_true_past_the_listing_limit_of_one_column(
    tables: dict[str, pd.DataFrame], make_dataset: MakeDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past LISTED_PER_ISSUE bad cells of one column, one Problem counts the rest: the error
    count, the summary and the message still say every cell (1,000,000, not 100,001)."""
    monkeypatch.setattr(column_typing, "LISTED_PER_ISSUE", 4)
    bills = pd.concat([tables["bills"]] * 20, ignore_index=True)
    bills["period"] = [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(len(bills))]
    bills["energy_rate"] = "n/a"
    folder = make_dataset(tables | {"bills": bills})

    problems = validate(folder)
    with pytest.raises(DataValidationError) as caught:
        load(folder)

    assert [problem.count for problem in problems] == [1, 1, 1, 1, 116]
    assert problems[-1].found == "116 more rows like this from row 6 on (not listed one by one)"
    assert count_problems(problems) == "120 errors, 0 warnings (bills: 120 errors, 0 warnings)"
    assert format_problems(problems, per_kind=2)[-1] == (
        "... and 118 more rows in bills.csv, column energy_rate (expected a number)"
    )
    lines = str(caught.value).splitlines()
    assert lines[0] == "the dataset has 120 errors:"
    assert len(lines) == 6  # the 4 listed, then the one counting the rest

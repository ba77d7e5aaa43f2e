"""columns.yaml gives the forms a Chinese export writes values in (a period 202403, a date
2024年3月5日, coded values 实抄/估抄): such files load as the contract's spelling would, every cell
in no declared form is an error as written, and every mistake in an option names columns.yaml,
the table, the column and the option."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from sample_dataset import load_errors, write_dataset

from auditkit.data import load
from auditkit.data.partitioned import convert

READ_TYPES = {"实抄": "actual", "估抄": "estimated"}


def chinese_export(tables: dict[str, pd.DataFrame], folder: Path, fmt: str = "csv-gbk") -> Path:
    """The sample dataset as an export writes it: compact periods, Chinese dates and read types,
    with the columns.yaml that says so."""
    bills, customers = tables["bills"].copy(), tables["customers"].copy()
    bills["period"] = bills["period"].str.replace("-", "")
    bills["read_type"] = bills["read_type"].map(
        {meant: written for written, meant in READ_TYPES.items()}
    )
    customers["connection_date"] = [
        f"{int(year)}年{int(month)}月{int(day)}日"
        for year, month, day in customers["connection_date"].str.split("-")
    ]
    write_dataset(tables | {"bills": bills, "customers": customers}, folder, fmt)
    write_columns(
        folder,
        {
            "bills": {
                "period": {"column": "period", "format": "YYYYMM"},
                "read_type": {"column": "read_type", "values": READ_TYPES},
            },
            "customers": {
                "connection_date": {"column": "connection_date", "format": "YYYY年M月D日"}
            },
        },
    )
    return folder


def write_columns(folder: Path, document: dict) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    (folder / "columns.yaml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv-gbk", "xlsx", "parquet"])
def test_an_export_in_its_own_forms_loads_as_the_contract_spelling_would(
    tables: dict[str, pd.DataFrame], dataset_dir: Path, tmp_path: Path, fmt: str
) -> None:
    exported = load(chinese_export(tables, tmp_path / "export", fmt))
    canonical = load(dataset_dir)

    assert exported.hashes == canonical.hashes
    assert exported.bills["period"].tolist()[:2] == ["2024-01", "2024-02"]
    assert exported.customers["connection_date"].iloc[0] == pd.Timestamp("2015-03-01")


def test_chinese_names_of_line_types_and_time_of_use_periods_map_onto_the_contract(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    lines = pd.DataFrame(
        {
            "customer_id": ["C002"] * 3,
            "period": ["2024-01"] * 3,
            "line_type": ["电度电费", "电度电费", "基本电费"],
            "tou_period": ["峰", "谷", None],
            "amount": [14300.0, 0.0, 18900.0],
        }
    )
    folder = write_dataset(tables | {"bill_lines": lines}, tmp_path / "lines", "csv-gbk")
    write_columns(
        folder,
        {
            "bill_lines": {
                "line_type": {
                    "column": "line_type",
                    "values": {"电度电费": "energy", "基本电费": "basic"},
                },
                "tou_period": {"column": "tou_period", "values": {"峰": "peak", "谷": "valley"}},
            }
        },
    )

    typed = load(folder).bill_lines

    assert typed["line_type"].tolist() == ["energy", "energy", "basic"]
    assert typed["tou_period"].tolist()[:2] == ["peak", "valley"]


def test_the_contract_layout_stays_accepted_beside_the_declared_one(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    folder = chinese_export(tables, tmp_path / "mixed")
    path = folder / "bills.csv"
    path.write_bytes(path.read_bytes().replace(b"C001,202401", b"C001,2024-01"))

    assert load(folder).bills["period"].iloc[0] == "2024-01"


def test_cells_in_no_declared_layout_or_no_real_month_or_day_are_errors_as_written(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    tables["bills"].loc[0, "period"] = "2024-13"  # written 202413
    tables["bills"].loc[1, "period"] = "2024-2"  # written 20242
    tables["customers"].loc[1, "connection_date"] = "2023-02-29"
    folder = chinese_export(tables, tmp_path / "bad")

    assert load_errors(folder) == [
        "customers.csv row 3, column connection_date: expected a date written YYYY年M月D日 "
        "(as columns.yaml says) or YYYY-MM-DD, a real day, found '2023年2月29日'",
        "bills.csv row 2, column period: expected a month written YYYYMM (as columns.yaml "
        "says) or YYYY-MM, a month 01-12, found '202413'",
        "bills.csv row 3, column period: expected a month written YYYYMM (as columns.yaml "
        "says) or YYYY-MM, a month 01-12, found '20242'",
    ]


def test_a_value_the_map_does_not_name_is_checked_as_written(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    folder = chinese_export(tables, tmp_path / "unmapped")
    path = folder / "bills.csv"
    text = path.read_text(encoding="gbk")
    path.write_text(text.replace("估抄", "补抄", 1), encoding="gbk")

    [error] = load_errors(folder)

    assert error.endswith("column read_type: expected one of actual, estimated, found '补抄'")


def coded_status(tables: dict[str, pd.DataFrame], folder: Path, cell: str, code: str) -> Path:
    """The sample dataset with C003's status `suspended` written as `cell`, and a columns.yaml,
    written by hand (not dumped: a dump would quote the code), mapping `code` onto suspended."""
    customers = tables["customers"].copy()
    customers.loc[2, "status"] = cell
    write_dataset(tables | {"customers": customers}, folder)
    (folder / "columns.yaml").write_text(
        f"customers:\n  status:\n    column: status\n    values: {{{code}: suspended}}\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize(
    "code, cell",
    [
        ("010", "010"),
        ("no", "no"),
        ("yes", "yes"),
        ("0123", "0123"),
        ("1e3", "1e3"),
        ("12:30", "12:30"),
        ("'010'", "010"),  # quoted or plain: the same code
        ("停用", "停用"),
    ],
)
def test_a_code_of_a_values_map_is_the_text_written_when_yaml_would_read_it_as_a_number_or_bool(
    tables: dict[str, pd.DataFrame], dataset_dir: Path, tmp_path: Path, code: str, cell: str
) -> None:
    coded = load(coded_status(tables, tmp_path / "coded", cell, code))

    assert coded.customers["status"].tolist() == ["active", "active", "suspended"]
    assert coded.hashes == load(dataset_dir).hashes


@pytest.mark.parametrize(
    "code, yaml_reading",
    [("010", "8"), ("no", "False"), ("yes", "True"), ("0123", "83"), ("12:30", "750")],
)
def test_a_cell_written_as_yaml_would_read_a_code_is_not_mapped_when_the_map_names_the_code(
    tables: dict[str, pd.DataFrame], tmp_path: Path, code: str, yaml_reading: str
) -> None:
    folder = coded_status(tables, tmp_path / "coded", yaml_reading, code)

    assert load_errors(folder) == [
        "customers.csv row 4, column status: expected one of active, suspended, closed, "
        f"found {yaml_reading!r}"
    ]


def test_a_contract_value_a_values_map_maps_onto_is_shown_as_written_when_not_allowed(
    dataset_dir: Path,
) -> None:
    (dataset_dir / "columns.yaml").write_text(
        "bills:\n  read_type: {column: read_type, values: {实抄: yes}}\n", encoding="utf-8"
    )

    assert load_errors(dataset_dir) == [
        "columns.yaml [bills], column read_type: expected values mapped to one of actual, "
        "estimated, found '实抄' mapped to 'yes'"
    ]


@pytest.mark.parametrize(
    "options, expected",
    [
        (
            {"column": "kwh_billed", "format": "YYYYMM"},
            "columns.yaml [bills], column 结算电量: expected format only for a period or date "
            "column, found format 'YYYYMM' for kwh_billed, a number column",
        ),
        (
            {"column": "period", "format": "MM/YYYY"},
            "columns.yaml [bills], column 结算电量: expected format one of YYYY-MM, YYYYMM, "
            "YYYY年M月, YYYY/M for period, found format 'MM/YYYY'",
        ),
        (
            {"column": "tariff_billed", "values": {"大工业": "large"}},
            "columns.yaml [bills], column 结算电量: expected values only for a coded column (one "
            "with allowed values), found values for tariff_billed, which takes any text",
        ),
        (
            {"column": "read_type", "values": {"实抄": "real"}},
            "columns.yaml [bills], column 结算电量: expected values mapped to one of actual, "
            "estimated, found '实抄' mapped to 'real'",
        ),
        (
            {"column": "read_type", "values": ["实抄"]},
            "columns.yaml [bills], column 结算电量: expected values as a mapping of the file's "
            "values to the contract's, found values ['实抄']",
        ),
        (
            {"column": "read_type", "fromat": "YYYYMM"},
            "columns.yaml [bills], column 结算电量: expected an option of a column (column, "
            "format, values, thousands, currency), found an option 'fromat'",
        ),
        (
            {"format": "YYYYMM"},
            "columns.yaml [bills], column 结算电量: expected a canonical column name, or a "
            "mapping with column: (the canonical name) and its options (format, values), found "
            "{'format': 'YYYYMM'}",
        ),
    ],
)
def test_a_mistaken_option_names_columns_yaml_the_table_the_column_and_the_option(
    dataset_dir: Path, options: dict, expected: str
) -> None:
    write_columns(dataset_dir, {"bills": {"结算电量": options}})

    assert load_errors(dataset_dir)[0] == expected


def test_a_parquet_export_converted_batch_by_batch_keeps_its_declared_forms(
    tables: dict[str, pd.DataFrame], dataset_dir: Path, tmp_path: Path
) -> None:
    folder = chinese_export(tables, tmp_path / "export", "parquet")

    converted = load(convert(folder, tmp_path / "converted", batch_rows=2).root)

    assert sorted(converted.bills["read_type"]) == sorted(load(dataset_dir).bills["read_type"])
    assert set(converted.bills["period"]) == {"2024-01", "2024-02"}


def _exported_bills(tables: dict[str, pd.DataFrame], tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """The Parquet export's folder and its bills, to store otherwise."""
    folder = chinese_export(tables, tmp_path / "export", "parquet")
    return folder, pd.read_parquet(folder / "bills.parquet")


@pytest.mark.parametrize("dtype", ["int64", "float64"])
def test_a_period_stored_as_a_number_is_read_in_its_declared_layout(
    tables: dict[str, pd.DataFrame], dataset_dir: Path, tmp_path: Path, dtype: str
) -> None:
    folder, bills = _exported_bills(tables, tmp_path)
    bills["period"] = bills["period"].astype(dtype)  # 202401 as a billing system's number
    bills["read_type"] = bills["read_type"].map({"实抄": 1, "估抄": 2}).astype(dtype)
    bills.to_parquet(folder / "bills.parquet")
    document = yaml.safe_load((folder / "columns.yaml").read_text(encoding="utf-8"))
    document["bills"]["read_type"]["values"] = {"1": "actual", "2": "estimated"}
    write_columns(folder, document)

    exported = load(folder)
    assert exported.hashes == load(dataset_dir).hashes
    converted = load(convert(folder, tmp_path / "converted", batch_rows=2).root)
    assert set(converted.bills["period"]) == {"2024-01", "2024-02"}

    bills.loc[1, "period"] = 202413
    bills.to_parquet(folder / "bills.parquet")
    assert load_errors(folder) == [
        "bills.parquet row 2, column period: expected a month written YYYYMM (as columns.yaml "
        "says) or YYYY-MM, a month 01-12, found '202413'"
    ]


@pytest.mark.parametrize(("period_type", "code_type"), [((6, 0), (1, 0)), ((8, 2), (3, 2))])
def test_a_period_and_codes_stored_as_decimals_are_read_by_their_declared_forms(
    tables: dict[str, pd.DataFrame],
    dataset_dir: Path,
    tmp_path: Path,
    period_type: tuple[int, int],
    code_type: tuple[int, int],
) -> None:
    """period 202401 as a Parquet decimal128(6,0) (or 202401.00 as decimal128(8,2)) with format
    YYYYMM, read_type 1/2 as decimal128(1,0) with a values map: read as the same digits an int64
    column gives (before, every cell of both was an error: 9,320 on the synthetic bills)."""
    folder, bills = _exported_bills(tables, tmp_path)
    table = pa.Table.from_pandas(bills.drop(columns=["period", "read_type"]), preserve_index=False)
    periods = [Decimal(period.replace("-", "")) for period in tables["bills"]["period"]]
    codes = [Decimal({"实抄": 1, "估抄": 2}[code]) for code in bills["read_type"]]
    table = table.append_column("period", pa.array(periods, pa.decimal128(*period_type)))
    table = table.append_column("read_type", pa.array(codes, pa.decimal128(*code_type)))
    pq.write_table(table, folder / "bills.parquet")
    document = yaml.safe_load((folder / "columns.yaml").read_text(encoding="utf-8"))
    document["bills"]["read_type"]["values"] = {"1": "actual", "2": "estimated"}
    write_columns(folder, document)

    assert load(folder).hashes == load(dataset_dir).hashes


def test_a_period_stored_as_a_decimal_fraction_is_refused_as_no_month(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """Near miss: a decimal 202401.50 is no whole number, so no month: it stays a number."""
    folder, bills = _exported_bills(tables, tmp_path)
    table = pa.Table.from_pandas(bills.drop(columns="period"), preserve_index=False)
    periods = [Decimal(period.replace("-", "")) for period in tables["bills"]["period"]]
    periods[0] += Decimal("0.50")
    table = table.append_column("period", pa.array(periods, pa.decimal128(8, 2)))
    pq.write_table(table, folder / "bills.parquet")

    errors = load_errors(folder)
    assert errors and all("column period" in error for error in errors)
    assert "202401.5" in errors[0]


def test_one_nan_in_a_float_coded_column_is_one_empty_cell_not_the_map_switched_off(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """read_type stored as 1.0/2.0 with one NaN (a missing number, as Parquet writers from numpy
    store it): the values map reads every other cell; before, the NaN failed the whole-number
    test and every cell was an error (4,660 on the synthetic utility instead of 1)."""
    folder, bills = _exported_bills(tables, tmp_path)
    codes = bills["read_type"].map({"实抄": 1.0, "估抄": 2.0}).to_numpy(copy=True)
    codes[1] = np.nan  # the second bill: row 2 of a Parquet file (no header row)
    table = pa.Table.from_pandas(bills.drop(columns="read_type"), preserve_index=False)
    table = table.append_column("read_type", pa.array(codes, from_pandas=False))
    assert table.column("read_type").null_count == 0  # the premise: a NaN, not a null
    pq.write_table(table, folder / "bills.parquet")
    document = yaml.safe_load((folder / "columns.yaml").read_text(encoding="utf-8"))
    document["bills"]["read_type"]["values"] = {"1": "actual", "2": "estimated"}
    write_columns(folder, document)

    assert load_errors(folder) == [
        "bills.parquet row 2, column read_type: expected a value (the column is required), "
        "found an empty cell"
    ]


def test_a_period_stored_as_a_fraction_is_refused_as_no_month(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    folder, bills = _exported_bills(tables, tmp_path)
    bills["period"] = bills["period"].astype("float64")
    bills.loc[0, "period"] = 202401.5
    bills.to_parquet(folder / "bills.parquet")

    errors = load_errors(folder)
    assert errors and all("column period" in error for error in errors)
    assert "202401.5" in errors[0]


def test_amounts_with_digit_groups_and_a_currency_sign_load_where_columns_yaml_allows_them(
    tables: dict[str, pd.DataFrame], dataset_dir: Path, tmp_path: Path
) -> None:
    bills = tables["bills"].astype({"amount": object, "basic_charge": object})
    bills["amount"] = ["¥112.98", "102.22元", "33,200.00", "￥33,850", "0", "96元"]
    bills.loc[2, "basic_charge"] = "18,900"
    folder = write_dataset(tables | {"bills": bills}, tmp_path / "amounts")  # ¥ is not in GBK
    write_columns(
        folder,
        {
            "bills": {
                "amount": {"column": "amount", "thousands": ",", "currency": True},
                "basic_charge": {"column": "basic_charge", "thousands": ","},
            }
        },
    )

    typed = load(folder).bills

    assert typed["amount"].tolist() == load(dataset_dir).bills["amount"].tolist()
    assert typed["basic_charge"].iloc[2] == 18900.0


def test_a_number_in_no_allowed_form_is_an_error_as_written(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    bills = tables["bills"].astype({"amount": object})
    bills.loc[0, "amount"] = "1,12.98"  # a misplaced separator: not 112.98, not 1,129.8
    bills.loc[1, "amount"] = "102.22元"  # currency not allowed for this column
    folder = write_dataset(tables | {"bills": bills}, tmp_path / "amounts", "csv-gbk")
    write_columns(folder, {"bills": {"amount": {"column": "amount", "thousands": ","}}})

    assert load_errors(folder) == [
        "bills.csv row 2, column amount: expected a number as columns.yaml says (digits "
        "grouped by ',' allowed), found '1,12.98'",
        "bills.csv row 3, column amount: expected a number as columns.yaml says (digits "
        "grouped by ',' allowed), found '102.22元'",
    ]


def test_a_lone_currency_mark_is_no_number_shown_as_written_not_an_empty_cell(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """`¥` or `元` alone in a required column (amount) or an optional one (fund_charge): without
    its mark nothing is left, which is no amount, not a missing one."""
    bills = tables["bills"].astype({"amount": object})
    bills.loc[0, "amount"] = "¥"
    bills["fund_charge"] = [None, " 元", None, None, None, None]
    folder = write_dataset(tables | {"bills": bills}, tmp_path / "marks")  # ¥ is not in GBK
    number = {"thousands": ",", "currency": True}
    write_columns(
        folder,
        {
            "bills": {
                "amount": {"column": "amount", **number},
                "fund_charge": {"column": "fund_charge", **number},
            }
        },
    )

    expected = "a number as columns.yaml says (digits grouped by ',' and a leading ¥ or a "
    assert load_errors(folder) == [
        f"bills.csv row 2, column amount: expected {expected}trailing 元 allowed), found '¥'",
        f"bills.csv row 3, column fund_charge: expected {expected}trailing 元 allowed), "
        "found ' 元'",
    ]


@pytest.mark.parametrize(
    "options, expected",
    [
        (
            {"column": "tariff_billed", "thousands": ","},
            "expected thousands only for a number column, found thousands for tariff_billed, "
            "a text column",
        ),
        ({"column": "kwh_billed", "thousands": "."}, "expected thousands ',', found thousands '.'"),
        (
            {"column": "kwh_billed", "currency": "元"},
            "expected currency true or false, found currency '元'",
        ),
    ],
)
def test_a_mistaken_number_option_is_named(dataset_dir: Path, options: dict, expected: str) -> None:
    write_columns(dataset_dir, {"bills": {"结算电量": options}})

    assert load_errors(dataset_dir)[0] == f"columns.yaml [bills], column 结算电量: {expected}"


TITLE = "国网XX供电公司 电费明细 2024年"


def titled_csv(folder: Path, table: str, titles: list[str]) -> None:
    """The table's CSV with title lines above its header, as billing systems export it."""
    path = folder / f"{table}.csv"
    path.write_bytes("\n".join(titles).encode("gbk") + b"\n" + path.read_bytes())


def test_title_rows_above_the_header_are_skipped_where_columns_yaml_puts_the_header(
    tables: dict[str, pd.DataFrame], dataset_dir: Path, tmp_path: Path
) -> None:
    tables["bills"].loc[1, "period"] = "2024-13"
    folder = write_dataset(tables, tmp_path / "titled", "csv-gbk")
    titled_csv(folder, "bills", [TITLE, "单位：元,,,,"])
    write_columns(folder, {"header_row": {"bills": 3}})

    assert load_errors(folder) == [
        "bills.csv row 5, column period: expected a month YYYY-MM (01-12), found '2024-13'"
    ]
    tables["bills"].loc[1, "period"] = "2024-02"
    fixed = write_dataset(tables, tmp_path / "fixed", "csv-gbk")
    titled_csv(fixed, "bills", [TITLE, ""])
    write_columns(fixed, {"header_row": {"bills": 3}})
    assert load(fixed).hashes == load(dataset_dir).hashes


def test_a_title_cell_with_a_line_break_is_one_row_above_the_header(
    tables: dict[str, pd.DataFrame], dataset_dir: Path, tmp_path: Path
) -> None:
    """A title typed with Alt+Enter is one spreadsheet row over two lines: the header, row 2,
    was read as a data row (bills.csv row 3: expected a month, found 'period' ...) and every
    cell below was numbered a row too far."""
    tables["bills"].loc[1, "period"] = "2024-13"
    folder = write_dataset(tables, tmp_path / "titled", "csv-gbk")
    titled_csv(folder, "bills", ['"国网XX供电公司\n2024年电费明细"'])
    write_columns(folder, {"header_row": {"bills": 2}})

    assert load_errors(folder) == [
        "bills.csv row 4, column period: expected a month YYYY-MM (01-12), found '2024-13'"
    ]
    tables["bills"].loc[1, "period"] = "2024-02"
    fixed = write_dataset(tables, tmp_path / "fixed", "csv-gbk")
    titled_csv(fixed, "bills", ['"国网XX供电公司\n2024年电费明细"'])
    write_columns(fixed, {"header_row": {"bills": 2}})
    assert load(fixed).hashes == load(dataset_dir).hashes


def test_malformed_rows_below_title_rows_keep_their_row_numbers(
    dataset_dir: Path,
) -> None:
    path = dataset_dir / "bills.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"
    path.write_text("\n".join([TITLE, *lines]) + "\n", encoding="utf-8")
    write_columns(dataset_dir, {"header_row": {"bills": 2}})

    [error] = load_errors(dataset_dir)

    assert error.startswith("bills.csv row 4: expected 14 fields as in the header, found 15")


def test_a_merged_xlsx_title_above_the_header_is_skipped_where_columns_yaml_puts_it(
    tables: dict[str, pd.DataFrame], dataset_dir: Path, tmp_path: Path
) -> None:
    folder = write_dataset(tables, tmp_path / "titled")
    (folder / "bills.csv").unlink()
    with pd.ExcelWriter(folder / "bills.xlsx") as writer:
        tables["bills"].to_excel(writer, index=False, startrow=1)
        sheet = writer.sheets["Sheet1"]
        sheet["A1"] = TITLE
        sheet.merge_cells("A1:N1")
    write_columns(folder, {"header_row": {"bills": 2}})

    assert load(folder).hashes["bills"] == load(dataset_dir).hashes["bills"]


def test_a_row_of_data_above_the_declared_header_is_an_error_not_skipped(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    folder = write_dataset(tables, tmp_path / "titled", "csv-gbk")
    write_columns(folder, {"header_row": {"bills": 2}})  # but the header is row 1

    assert load_errors(folder) == [
        "bills.csv row 1: expected a title above the header (one filled cell at most), found a "
        "row of 14 filled cells (columns.yaml's header_row 2 puts the header below it: is that "
        "its row?)"
    ]


@pytest.mark.parametrize(
    "header_rows, expected",
    [
        (
            {"bills": 0},
            "columns.yaml [bills]: expected header_row a whole number from 1 to 100 (the "
            "header's row), found header_row 0",
        ),
        (
            {"bills": "3"},
            "columns.yaml [bills]: expected header_row a whole number from 1 to 100 (the "
            "header's row), found header_row '3'",
        ),
        (
            {"bill": 2},
            "columns.yaml: expected header_row for a table name (customers, bills, tariffs, "
            "work_orders, inspections, district_supply, network_supply, daily_reads, "
            "interval_reads, bill_lines, transformers, meter_events, meter_tests, adjustments, "
            "truth, lookalikes), found unknown table 'bill'",
        ),
        (
            [2],
            "columns.yaml: expected header_row as a mapping of table names to the row of their "
            "header, found [2]",
        ),
    ],
)
def test_a_mistaken_header_row_names_columns_yaml_and_the_table(
    dataset_dir: Path, header_rows: object, expected: str
) -> None:
    write_columns(dataset_dir, {"header_row": header_rows})

    assert load_errors(dataset_dir) == [expected]


def test_a_header_row_for_a_parquet_file_is_an_error(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    folder = write_dataset(tables, tmp_path / "parquet", "parquet")
    write_columns(folder, {"header_row": {"bills": 2}})

    assert load_errors(folder) == [
        "columns.yaml [bills]: expected header_row only for a CSV or .xlsx file, found "
        "header_row 2 for bills.parquet, which has no header row"
    ]


def test_a_header_row_that_is_one_more_title_is_named_at_that_row(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    folder = write_dataset(tables, tmp_path / "titled", "csv-gbk")
    titled_csv(folder, "bills", [TITLE, "单位：元"])
    write_columns(folder, {"header_row": {"bills": 2}})  # but the header is row 3

    assert load_errors(folder) == [
        "bills.csv row 2: expected a header row naming the columns, found a title '单位：元' in "
        "one cell (columns.yaml's header_row 2: is that the header's row?)"
    ]

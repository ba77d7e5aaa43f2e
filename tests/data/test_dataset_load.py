"""Loading valid datasets: dtypes, formats and encodings, Dataset behaviour, warnings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sample_dataset import FORMATS, ITEMIZED_TABLES, set_cell, write_dataset

from auditkit.data import TABLES, Dataset, DataValidationError, load
from auditkit.errors import AuditkitError, ParameterError


def test_valid_dataset_loads_with_contract_dtypes(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """A dataset of the tables before itemized billing loads as it did: the new tables are None."""
    dataset = load(dataset_dir)

    assert set(dataset.tables()) == set(tables)
    assert set(TABLES) - set(tables) == {*ITEMIZED_TABLES, "interval_reads"}
    assert all(getattr(dataset, name) is None for name in (*ITEMIZED_TABLES, "interval_reads"))
    customers, bills = dataset.customers, dataset.bills
    assert list(customers.columns) == [
        name for name in TABLES["customers"].column_names if name in tables["customers"]
    ]
    assert customers["customer_id"].dtype == "str"
    assert customers["connection_date"].dtype == "datetime64[us]"
    assert customers["voltage_kv"].dtype == "float64"
    assert customers["meter_test_cycle_months"].dtype == "Int64"
    assert customers["meter_test_cycle_months"].isna().tolist() == [False, False, True]
    assert bills["period"].dtype == "str"
    assert bills["period"].tolist() == ["2024-01", "2024-02"] * 3
    assert dataset.inspections["error_found"].tolist() == [False, True]
    assert dataset.inspections["error_found"].dtype == bool
    assert dataset.tariffs["valid_to"].iloc[1] == pd.Timestamp("9999-12-31")
    assert np.isnan(dataset.daily_reads["kwh"].iloc[1])
    assert dataset.source == dataset_dir
    assert dataset.problems == ()
    assert dataset.sources["customers"].encoding == "UTF-8"


def test_optional_tables_absent_are_none(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> None:
    required = {name: tables[name] for name in ("customers", "bills", "tariffs")}
    dataset = load(write_dataset(required, tmp_path / "minimal"))

    assert dataset.work_orders is None and dataset.daily_reads is None and dataset.truth is None
    assert set(dataset.tables()) == {"customers", "bills", "tariffs"}
    assert set(dataset.hashes) == {"customers", "bills", "tariffs"}


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "csv-utf8"])
def test_every_format_gives_equal_frames_and_hashes(
    tmp_path: Path, tables: dict[str, pd.DataFrame], fmt: str
) -> None:
    reference = load(write_dataset(tables, tmp_path / "csv-utf8", "csv-utf8"))
    other = load(write_dataset(tables, tmp_path / fmt, fmt))

    for name, frame in reference.tables().items():
        pd.testing.assert_frame_equal(other.tables()[name], frame, check_exact=True)
    assert other.hashes == reference.hashes


@pytest.mark.parametrize("fmt", ["xlsx", "parquet", "csv-gbk"])
def test_typed_frames_written_back_load_identically(
    tmp_path: Path, dataset_dir: Path, fmt: str
) -> None:
    """A loaded dataset saved by pandas (real dates, numbers) loads back to the same content."""
    original = load(dataset_dir)
    copy = load(write_dataset(original.tables(), tmp_path / "copy", fmt))

    for name, frame in original.tables().items():
        pd.testing.assert_frame_equal(copy.tables()[name], frame, check_exact=True)
    assert copy.hashes == original.hashes


def test_a_parquet_written_by_pandas_from_period_columns_loads_as_its_months(
    dataset_dir: Path, tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """bills.parquet from a frame whose period is a pandas Period column (what from_frames
    accepts): stored as month ordinals (2024-01 is 648 = 54 years × 12), it was refused cell by
    cell ('found 648'); it loads as the CSV's months, with the CSV's hash."""
    folder = write_dataset(tables, tmp_path / "periods", "parquet")
    bills = tables["bills"].assign(period=pd.PeriodIndex(tables["bills"]["period"], freq="M"))
    bills.to_parquet(folder / "bills.parquet")

    loaded = load(folder)

    assert loaded.bills["period"].tolist() == load(dataset_dir).bills["period"].tolist()
    assert loaded.hashes["bills"] == load(dataset_dir).hashes["bills"]


def test_period_ordinals_marked_only_by_field_metadata_load_as_months(
    dataset_dir: Path, tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """Where pandas' Period type is not registered (no Period converted yet in the process),
    Arrow reads the column as int64 with pandas' extension name in its field metadata only."""
    folder = write_dataset(tables, tmp_path / "ordinals", "parquet")
    table = pa.Table.from_pandas(tables["bills"], preserve_index=False)
    ordinals = pd.PeriodIndex(tables["bills"]["period"], freq="M").asi8  # 2024-01 is 648
    marked = pa.field(
        "period",
        pa.int64(),
        metadata={
            "ARROW:extension:name": "pandas.period",
            "ARROW:extension:metadata": '{"freq": "M"}',
        },
    )
    table = table.set_column(table.column_names.index("period"), marked, pa.array(ordinals))
    pq.write_table(table, folder / "bills.parquet")

    assert load(folder).hashes["bills"] == load(dataset_dir).hashes["bills"]


def test_a_parquet_of_quarterly_periods_is_refused_once_naming_the_column(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """Near miss: quarters are no months; one error says so and how to store them, not an
    error per cell showing an ordinal."""
    folder = write_dataset(tables, tmp_path / "quarters", "parquet")
    bills = tables["bills"].assign(period=pd.PeriodIndex(tables["bills"]["period"], freq="Q"))
    bills.to_parquet(folder / "bills.parquet")

    with pytest.raises(DataValidationError) as refused:
        load(folder)

    assert [str(problem) for problem in refused.value.problems] == [
        "bills.parquet: expected months or days (pandas periods of frequency M or D), found "
        "column period holds pandas periods of frequency 'Q-DEC' (store it as text, months "
        "written YYYY-MM)"
    ]


def test_hash_changes_with_content_but_not_with_extra_columns(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    base = load(write_dataset(tables, tmp_path / "base")).hashes
    tables["customers"]["remark"] = ["x", "y", "z"]
    with_extra = load(write_dataset(tables, tmp_path / "extra")).hashes
    tables["bills"].loc[0, "amount"] = 112.99
    changed = load(write_dataset(tables, tmp_path / "changed")).hashes

    assert with_extra == base
    assert changed["bills"] != base["bills"]
    assert changed["customers"] == base["customers"]
    assert len(base["bills"]) == 64


def test_from_frames_matches_load(dataset_dir: Path, tables: dict[str, pd.DataFrame]) -> None:
    loaded = load(dataset_dir)
    built = Dataset.from_frames(tables)

    for name, frame in loaded.tables().items():
        pd.testing.assert_frame_equal(built.tables()[name], frame, check_exact=True)
    assert built.hashes == loaded.hashes
    assert built.source is None


def test_from_frames_reports_positions_from_one(tables: dict[str, pd.DataFrame]) -> None:
    set_cell(tables["bills"], 2, "multiplier_billed", 0.5)

    with pytest.raises(DataValidationError) as caught:
        Dataset.from_frames(tables)

    assert str(caught.value.errors[0]) == (
        "bills (DataFrame) row 3, column multiplier_billed: expected a number ≥ 1, found 0.5"
    )


def test_from_frames_reads_a_header_pasted_with_a_zero_width_space_as_a_file_does(
    tables: dict[str, pd.DataFrame],
) -> None:
    """`tariff_billed\u200b` loaded as an extra column beside an absent tariff_billed, 0 errors
    on the DataFrame path; a file's header drops the character, and so does a DataFrame's."""
    tables["bills"] = tables["bills"].rename(columns={"tariff_billed": "tariff_billed\u200b"})

    dataset = Dataset.from_frames(tables)

    assert "tariff_billed" in dataset.bills.columns
    assert "tariff_billed\u200b" not in dataset.bills.columns


def test_from_frames_names_a_column_twice_once_its_header_is_cleaned(
    tables: dict[str, pd.DataFrame],
) -> None:
    """Near miss of the above: both spellings present are one column named twice, not one lost."""
    bills = tables["bills"]
    tables["bills"] = bills.assign(**{"tariff_billed\u200b": bills["tariff_billed"]})

    with pytest.raises(DataValidationError) as caught:
        Dataset.from_frames(tables)

    assert [str(error) for error in caught.value.errors] == [
        "bills (DataFrame), column tariff_billed: expected each column once, found 2 columns "
        "named 'tariff_billed'"
    ]


def test_from_frames_requires_the_required_tables(tables: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(DataValidationError, match="tariffs: expected a DataFrame"):
        Dataset.from_frames({"customers": tables["customers"], "bills": tables["bills"]})


def test_districts_and_for_district(dataset_dir: Path) -> None:
    dataset = load(dataset_dir)

    east = dataset.for_district("城东")

    assert dataset.districts == ["城东", "城西"]
    assert east.customers["customer_id"].tolist() == ["C001", "C002"]
    assert set(east.bills["customer_id"]) == {"C001", "C002"}
    assert east.work_orders["order_id"].tolist() == ["W1"]
    assert east.daily_reads["customer_id"].tolist() == ["C001", "C001"]
    assert east.district_supply["district"].unique().tolist() == ["城东"]
    assert east.truth["customer_id"].tolist() == ["C002"]
    pd.testing.assert_frame_equal(east.tariffs, dataset.tariffs)
    assert east.hashes["customers"] != dataset.hashes["customers"]
    assert east.hashes["tariffs"] == dataset.hashes["tariffs"]


def test_unknown_district_is_a_parameter_error_listing_known_ones(dataset_dir: Path) -> None:
    dataset = load(dataset_dir)

    with pytest.raises(ParameterError) as caught:
        dataset.for_district("城北")

    message = str(caught.value)
    assert "'district'" in message and "城北" in message
    assert "one of 城东, 城西" in message
    assert isinstance(caught.value, AuditkitError)


def test_kwh_mismatch_is_a_warning_kept_for_the_rules(
    tables: dict[str, pd.DataFrame], make_dataset
) -> None:
    tables["bills"].loc[3, "kwh_billed"] = 20000.0  # C002 2024-02: registers give 23000 kWh
    tables["bills"].loc[0, "kwh_billed"] = 210.4  # within rounding: not reported

    dataset = load(make_dataset(tables))

    assert len(dataset.problems) == 1
    warning = dataset.problems[0]
    assert warning.severity == "warning"
    assert (warning.file, warning.row, warning.column) == ("bills.csv", 5, "kwh_billed")
    assert (warning.customer_id, warning.period) == ("C002", "2024-02")
    assert "20000.0 kWh, while (61.25 − 55.5) × 4000.0 = 23000.0 kWh" in warning.found
    frame = dataset.warnings_frame()
    assert frame.loc[0, ["table", "row", "customer_id", "severity"]].tolist() == [
        "bills",
        5,
        "C002",
        "warning",
    ]
    assert dataset.for_district("城西").problems == ()
    assert dataset.for_district("城东").problems == dataset.problems


def test_bill_with_a_tariff_missing_from_the_schedule_is_a_warning(
    tables: dict[str, pd.DataFrame], make_dataset
) -> None:
    tables["bills"].loc[4, "tariff_billed"] = "农业生产"

    dataset = load(make_dataset(tables))

    assert [str(problem) for problem in dataset.problems] == [
        "warning: bills.csv row 6, column tariff_billed: expected a tariff_category listed in "
        "tariffs, found '农业生产'"
    ]


def _padded_bills_with_blank_rows(path: Path) -> list[str]:
    """Rewrite bills.csv with padded cells in row 2 and a blank line and a `,,,` line after it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("C001,", "  C001 ,").replace(",210.0,", ", 210.0 ,")
    lines[2:2] = ["", ",,,,,,,,,,,,,"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def test_surrounding_spaces_are_trimmed_and_blank_rows_skipped(dataset_dir: Path) -> None:
    _padded_bills_with_blank_rows(dataset_dir / "bills.csv")

    bills = load(dataset_dir).bills

    assert len(bills) == 6
    assert bills.loc[0, ["customer_id", "kwh_billed"]].tolist() == ["C001", 210.0]


def test_row_numbers_count_blank_rows_as_a_spreadsheet_does(dataset_dir: Path) -> None:
    path = dataset_dir / "bills.csv"
    lines = _padded_bills_with_blank_rows(path)
    lines.append(lines[-1].replace("2024-02", "2024-13"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(DataValidationError) as caught:
        load(dataset_dir)

    assert len(lines) == 10
    assert [str(problem) for problem in caught.value.errors] == [
        "bills.csv row 10, column period: expected a month YYYY-MM (01-12), found '2024-13'"
    ]


def test_table_file_names_match_case_insensitively(dataset_dir: Path) -> None:
    (dataset_dir / "bills.csv").rename(dataset_dir / "Bills.CSV")

    dataset = load(dataset_dir)

    assert dataset.sources["bills"].file == "Bills.CSV"
    assert len(dataset.bills) == 6


def test_from_frames_accepts_mixed_object_columns(tables: dict[str, pd.DataFrame]) -> None:
    """Account numbers typed partly as numbers (as spreadsheets do) become the same text."""
    customers = tables["customers"].astype({"customer_id": object})
    customers.loc[0, "customer_id"] = 1001
    bills = tables["bills"].astype({"customer_id": object})
    bills.loc[[0, 1], "customer_id"] = "1001"

    dataset = Dataset.from_frames(
        {"customers": customers, "bills": bills, "tariffs": tables["tariffs"]}
    )

    assert dataset.customers["customer_id"].tolist() == ["1001", "C002", "C003"]
    assert dataset.bills["customer_id"].iloc[0] == "1001"


def test_from_frames_refuses_a_long_float_id_in_a_mixed_column(
    tables: dict[str, pd.DataFrame],
) -> None:
    """pd.read_excel gives a 22-digit meter number typed as a number as a float: beside text ids
    it was written '3.3300010001001234e+21', two meters as one id; a whole float of at most 15
    digits is the id it writes, as in a column of floats (near miss)."""
    customers = tables["customers"].astype({"meter_id": object})
    customers.loc[0, "meter_id"] = 3330001000100123456789.0
    customers.loc[1, "meter_id"] = 3330001000100123.0  # 16 digits: lost ones too
    customers.loc[2, "meter_id"] = 123456789012345.0  # 15 digits: exact

    with pytest.raises(DataValidationError) as caught:
        Dataset.from_frames({**tables, "customers": customers})

    expected = (
        "expected text, or a number of at most 15 digits (a float keeps no more: an id of 16 or "
        "more digits stored as a number has lost its last ones; store the column as text)"
    )
    assert [str(problem) for problem in caught.value.errors] == [
        f"customers (DataFrame) row 1, column meter_id: {expected}, found '3.3300010001001234e+21'",
        f"customers (DataFrame) row 2, column meter_id: {expected}, found '3330001000100123'",
    ]
    customers.loc[0:1, "meter_id"] = "MT0012345"
    dataset = Dataset.from_frames({**tables, "customers": customers})
    assert dataset.customers["meter_id"].tolist()[2] == "123456789012345"


def test_from_frames_reads_a_missing_cell_of_a_mixed_column_as_missing(
    tables: dict[str, pd.DataFrame],
) -> None:
    """Read with pandas, a blank cell of a text column is NaN: beside text and a number it was
    refused as a number of more than 15 digits; it is a missing cell, as in a column of floats."""
    customers = tables["customers"].astype({"meter_id": object, "phone": object})
    customers.loc[0, "meter_id"] = 123456789012345.0
    customers.loc[1, "phone"] = np.nan
    customers.loc[2, "phone"] = 13912345678.0

    dataset = Dataset.from_frames({**tables, "customers": customers})

    assert dataset.customers["meter_id"].tolist()[0] == "123456789012345"
    assert dataset.customers["phone"].isna().tolist()[1]
    assert dataset.customers["phone"].tolist()[2] == "13912345678"


def test_from_frames_masks_a_long_float_phone_in_a_mixed_column(
    tables: dict[str, pd.DataFrame],
) -> None:
    """A phone of 17 digits typed as a number beside text phones was shown in full, where a
    column of floats and an xlsx cell show it masked."""
    customers = tables["customers"].astype({"phone": object})
    customers.loc[0, "phone"] = 13912345678901234.0

    with pytest.raises(DataValidationError) as caught:
        Dataset.from_frames({**tables, "customers": customers})

    (error,) = [str(problem) for problem in caught.value.errors]
    assert error.startswith("customers (DataFrame) row 1, column phone: expected text, or a ")
    assert "13912345678901234" not in error and "1.3912345678901234e+16" not in error
    assert error.endswith("(22 characters)")


def test_from_frames_reads_a_column_of_pandas_periods_as_the_months_they_print(
    tables: dict[str, pd.DataFrame],
) -> None:
    """A bills period as pd.PeriodIndex(freq='M') reached Arrow as its ordinal: 'expected a
    month YYYY-MM (01-12), found '648''. A day's Period prints its day (near miss: refused)."""
    bills = tables["bills"].assign(period=pd.PeriodIndex(tables["bills"]["period"], freq="M"))

    dataset = Dataset.from_frames({**tables, "bills": bills})

    assert dataset.bills["period"].tolist() == tables["bills"]["period"].tolist()
    days = bills.assign(period=pd.PeriodIndex(["2024-01-15"] * len(bills), freq="D"))
    with pytest.raises(DataValidationError) as caught:
        Dataset.from_frames({**tables, "bills": days})
    assert str(caught.value.errors[0]) == (
        "bills (DataFrame) row 1, column period: expected a month YYYY-MM (01-12), "
        "found '2024-01-15'"
    )


def test_xlsx_periods_typed_as_dates_by_excel(tmp_path: Path, dataset_dir: Path) -> None:
    """Excel turns a typed 2024-01 into the date 2024-01-01: it is read back as the period."""
    original = load(dataset_dir)
    bills = original.bills.assign(period=pd.to_datetime(original.bills["period"] + "-01"))
    folder = write_dataset(original.tables() | {"bills": bills}, tmp_path / "dates", "xlsx")

    pd.testing.assert_frame_equal(load(folder).bills, original.bills, check_exact=True)


def test_header_only_optional_table_is_an_empty_typed_frame(dataset_dir: Path) -> None:
    path = dataset_dir / "daily_reads.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")

    reads = load(dataset_dir).daily_reads

    assert len(reads) == 0
    assert reads.dtypes.astype(str).tolist() == ["str", "datetime64[us]", "float64"]

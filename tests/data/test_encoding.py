"""CSV encodings: UTF-8 (± BOM) and GBK/GB18030 are read; anything else is refused with a place."""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pytest
from sample_dataset import load_errors, write_dataset, write_table

import auditkit.cli
from auditkit import synth
from auditkit.data import Dataset, DataValidationError, load, validate
from auditkit.data.encoding import (
    GB18030,
    ONE_READING,
    UTF8,
    Encoding,
    EncodingFailure,
    agreed_encoding,
    ambiguity,
    plain_encoding,
    scan_encoding,
    sniff_encoding,
)
from auditkit.data.raw import ReadProblems
from auditkit.data.readers import read_table
from auditkit.data.side_csv import SideTableError, read_side_csv
from auditkit.synth import render


def test_utf16_with_byte_order_mark_is_refused(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    tables["customers"].to_csv(dataset_dir / "customers.csv", index=False, encoding="utf-16")
    assert load_errors(dataset_dir) == [
        "customers.csv row 1: expected text encoded as UTF-8 or GBK/GB18030, "
        "found a UTF-16 byte-order mark (save the file as UTF-8)"
    ]


def test_utf16_without_byte_order_mark_is_refused(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    tables["customers"].to_csv(dataset_dir / "customers.csv", index=False, encoding="utf-16-le")
    assert load_errors(dataset_dir) == [
        "customers.csv row 1: expected text encoded as UTF-8 or GBK/GB18030, "
        "found a NUL byte at byte offset 1 (UTF-16 text or a binary file)"
    ]


def test_bytes_in_neither_encoding_are_located(dataset_dir: Path) -> None:
    path = dataset_dir / "tariffs.csv"
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace("大工业".encode(), "Caf\xe9,".encode("latin-1")[:-1])
    path.write_bytes(b"\n".join(lines))
    offset = len(lines[0]) + len(lines[1]) + 2 + 3

    assert load_errors(dataset_dir) == [
        "tariffs.csv row 3: expected text encoded as UTF-8 or GBK/GB18030, found bytes "
        f"b'\\xe9' at byte offset {offset} that are neither UTF-8 nor GBK (the text before is "
        "UTF-8)"
    ]


def test_a_stray_byte_in_a_utf8_file_is_named_where_it_is_not_where_gbk_gave_up(
    tmp_path: Path,
) -> None:
    """A Latin-1 ü (0xFC) in a UTF-8 file: GB18030 reads it and the l after it as one character
    and fails further on, inside the UTF-8 号; the byte to fix is the ü, in a UTF-8 file."""
    path = tmp_path / "customers.csv"
    head = "customer_id,district,name,address\nC1,城南,Ann,城南区中山路1号\n".encode()
    path.write_bytes(head + "C2,城南,M".encode() + b"\xfc" + "ller,城南区中山路974号\n".encode())
    offset = len(head) + len("C2,城南,M".encode())
    with pytest.raises(EncodingFailure) as caught:
        scan_encoding(path)
    assert (caught.value.row, caught.value.found) == (
        3,
        f"bytes b'\\xfc' at byte offset {offset} that are neither UTF-8 nor GBK (the text before "
        "is UTF-8)",
    )


def test_gbk_text_after_a_long_ascii_head_is_detected(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """The first megabyte decides quickly; a later GBK byte makes the reader decide again."""
    customers = tables["customers"].copy()
    customers.insert(0, "remark", ["x" * 1_200_000, "", ""])
    customers["name"] = ["Zhang", "东方机械厂", "李四便利店"]
    folder = tmp_path / "late_gbk"
    folder.mkdir()
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8")
    customers.to_csv(folder / "customers.csv", index=False, encoding="gbk")

    dataset = load(folder)

    assert dataset.customers["name"].tolist() == ["Zhang", "东方机械厂", "李四便利店"]
    assert dataset.sources["customers"].encoding == "GBK/GB18030"
    assert dataset.customers["remark"].str.len().iloc[0] == 1_200_000


def test_bad_bytes_after_a_long_ascii_head_are_located(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    customers = tables["customers"].copy()
    customers.insert(0, "remark", ["x" * 1_200_000, "", ""])
    folder = tmp_path / "late_bad"
    folder.mkdir()
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8")
    customers.to_csv(folder / "customers.csv", index=False, encoding="utf-8")
    path = folder / "customers.csv"
    data = path.read_bytes()
    position = data.index("东方".encode())
    path.write_bytes(data[:position] + b"\xff" + data[position + 1 :])

    [problem] = load_errors(folder)

    assert problem == (
        "customers.csv row 3: expected text encoded as UTF-8 or GBK/GB18030, found bytes "
        f"b'\\xff' at byte offset {position} that are neither UTF-8 nor GBK (the text before "
        "is UTF-8)"
    )


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_encodings_are_recorded(
    dataset_dir: Path, tables: dict[str, pd.DataFrame], encoding: str
) -> None:
    tables["customers"].to_csv(dataset_dir / "customers.csv", index=False, encoding=encoding)

    dataset = load(dataset_dir)

    expected = "UTF-8 with BOM" if encoding == "utf-8-sig" else "GBK/GB18030"
    assert dataset.sources["customers"].encoding == expected
    assert dataset.customers["name"].tolist() == ["张三", "东方机械厂", "李四便利店"]


def write_gbk_customers_with_a_utf8_row(dataset_dir: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """customers.csv in GBK, its last row re-encoded in UTF-8 (an export joined onto another by
    a tool writing UTF-8 without a byte-order mark). Its runs of Chinese characters are of even
    length in UTF-8 bytes' terms, so the whole file decodes as GB18030: mojibake, no failure."""
    customers = tables["customers"].copy()
    customers.loc[2, ["district", "tariff_category", "name", "address"]] = [
        "城南",
        "居民生活",
        "张伟",
        "城南",
    ]
    path = dataset_dir / "customers.csv"
    lines = customers.to_csv(index=False).splitlines()
    data = "\n".join(lines[:-1]).encode("gbk") + b"\n" + lines[-1].encode("utf-8") + b"\n"
    data.decode("gb18030")  # the premise: GB18030 reads it all, wrongly
    path.write_bytes(data)
    return path


def test_a_row_appended_in_utf8_to_a_gbk_file_is_refused_at_its_row(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    write_gbk_customers_with_a_utf8_row(dataset_dir, tables)

    assert load_errors(dataset_dir) == [
        "customers.csv row 4: expected text in one encoding throughout, UTF-8 or GBK/GB18030, "
        "found text in UTF-8 in this row of a file read as GBK/GB18030 (files joined together? "
        "Keep one export per file, in one encoding)"
    ]


def test_a_utf8_row_past_the_first_megabyte_of_a_gbk_file_is_refused(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    customers = pd.concat([tables["customers"]] * 6000, ignore_index=True)
    customers["customer_id"] = [f"C{index:06d}" for index in range(len(customers))]
    customers.loc[:2, "customer_id"] = ["C001", "C002", "C003"]
    customers.loc[len(customers) - 1, ["district", "name"]] = ["城南", "张伟"]
    lines = customers.to_csv(index=False).splitlines()
    data = "\n".join(lines[:-1]).encode("gbk") + b"\n" + lines[-1].encode("utf-8") + b"\n"
    assert len(data) > 1 << 20
    (dataset_dir / "customers.csv").write_bytes(data)

    [problem] = load_errors(dataset_dir)

    assert problem.startswith(f"customers.csv row {len(lines)}: expected text in one encoding")


def test_chinese_names_and_addresses_in_gbk_are_not_taken_for_utf8(tmp_path: Path) -> None:
    """GBK text that happens to be valid UTF-8 with a CJK character is rare: the synthetic
    utility's names, addresses, districts and tariffs all read as GBK."""
    customers = render.customers_table(synth.build(customers=4000, districts=6, months=24, seed=3))
    path = tmp_path / "customers.csv"
    customers.to_csv(path, index=False, encoding="gbk")

    assert sniff_encoding(path) == GB18030
    assert scan_encoding(path) == GB18030


def test_a_rare_name_whose_gbk_bytes_are_valid_utf8_is_read_as_gbk(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """濮鸿波 in GBK is valid UTF-8 (姺貨): a meter reader of that name on two bills made a valid
    GBK file 'files joined together'. A row in UTF-8 that reads as common Chinese stays refused
    (test above)."""
    assert "濮鸿波".encode("gbk").decode("utf-8") == "姺貨"  # the premise
    bills = tables["bills"].assign(tariff_billed="T1", reader_id="李明")
    bills.loc[1:2, "reader_id"] = "濮鸿波"  # the only text but ASCII on their lines
    path = tmp_path / "bills.csv"
    bills.to_csv(path, index=False, encoding="gbk")

    assert sniff_encoding(path) == GB18030
    assert scan_encoding(path) == GB18030


def test_bad_bytes_late_in_a_gbk_file_are_located_at_their_row_not_the_header(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    path = dataset_dir / "customers.csv"
    lines = tables["customers"].to_csv(index=False).splitlines()
    data = "\n".join(lines).encode("gbk") + b"\n"
    position = data.index("李四".encode("gbk"))
    path.write_bytes(data[:position] + b"\x80" + data[position + 1 :])  # 0x80: no GBK byte

    assert load_errors(dataset_dir) == [
        "customers.csv row 4: expected text encoded as UTF-8 or GBK/GB18030, found bytes "
        f"b'\\x80' at byte offset {position} that are neither UTF-8 nor GBK (the text before "
        "them is GBK/GB18030: a row in another encoding joined on?)"
    ]


def test_a_gbk_row_appended_to_a_utf8_file_is_named_at_its_row(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """A UTF-8 export whose Chinese text GB18030 also decodes (as mojibake), with a GBK row
    joined on: the file is UTF-8 up to that row, which is the one named."""
    customers = tables["customers"].copy()
    customers[["district", "name", "address"]] = ["城南", "张伟", "城南"]
    customers["tariff_category"] = "居民生活"
    lines = customers.to_csv(index=False).splitlines()
    data = "\n".join(lines[:-1]).encode("utf-8") + b"\n" + lines[-1].encode("gbk") + b"\n"
    data.decode("gb18030")  # the premise: GB18030 reads it all, wrongly
    (dataset_dir / "customers.csv").write_bytes(data)

    [problem] = load_errors(dataset_dir)

    assert problem == (
        "customers.csv row 4: expected text in one encoding throughout, UTF-8 or GBK/GB18030, "
        "found text in GBK/GB18030 from this row on, in a file in UTF-8 before it (files joined "
        "together? Keep one export per file, in one encoding)"
    )


# ------------------------------------------------------ a UTF-8 byte-order mark on another encoding

BOM = codecs.BOM_UTF8
NOT_UTF8_AFTER_THE_MARK = (
    "expected text in UTF-8 after a UTF-8 byte-order mark, found a UTF-8 byte-order mark on "
    "text that is not UTF-8: bytes {bad} at byte offset {offset} (row {row}) are not UTF-8 (GBK "
    "text marked as UTF-8? Save the file as UTF-8, or as GBK without the mark)"
)


def write_marked_gbk(path: Path, frame: pd.DataFrame, first: str) -> bytes:
    """`frame` with column `first` moved to the front, in GBK behind a UTF-8 byte-order mark (a
    GBK export a tool marked as UTF-8); returns the bytes written."""
    columns = [first, *(column for column in frame.columns if column != first)]
    data = BOM + frame[columns].to_csv(index=False).encode("gbk")
    path.write_bytes(data)
    return data


def first_not_utf8(data: bytes) -> tuple[int, int, str]:
    """Byte offset, row and bytes (as shown) where `data` first fails to decode as UTF-8."""
    with pytest.raises(UnicodeDecodeError) as failed:
        data.decode("utf-8")
    offset = failed.value.start
    return offset, data[:offset].count(b"\n") + 1, repr(data[offset : failed.value.end])


def test_a_gbk_tariffs_file_behind_a_utf8_mark_is_refused_at_row_1_not_read_without_valid_to(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """Read as GB18030 the mark joined the first name (`锘縱alid_to`): valid_to passed for absent
    and every tariff for still valid, with no error at all."""
    data = write_marked_gbk(dataset_dir / "tariffs.csv", tables["tariffs"], "valid_to")
    offset, row, bad = first_not_utf8(data)

    assert load_errors(dataset_dir) == [
        "tariffs.csv row 1: " + NOT_UTF8_AFTER_THE_MARK.format(bad=bad, offset=offset, row=row)
    ]
    assert row == 2  # the header is ASCII: the GBK text starts in the first data row


def test_a_marked_gbk_customers_file_names_the_mark_not_a_masked_missing_column(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """With a required column first, the only error was a missing tariff_category, the header
    cell shown masked: the cause could not be seen."""
    data = write_marked_gbk(dataset_dir / "customers.csv", tables["customers"], "tariff_category")
    offset, row, bad = first_not_utf8(data)

    assert load_errors(dataset_dir) == [
        "customers.csv row 1: " + NOT_UTF8_AFTER_THE_MARK.format(bad=bad, offset=offset, row=row)
    ]


def test_validate_reports_the_marked_gbk_file_as_an_error(
    dataset_dir: Path, tables: dict[str, pd.DataFrame], capsys: pytest.CaptureFixture[str]
) -> None:
    write_marked_gbk(dataset_dir / "tariffs.csv", tables["tariffs"], "valid_to")

    assert auditkit.cli.main(["validate", str(dataset_dir)]) == 1
    output = capsys.readouterr().out.splitlines()
    assert output[0].startswith("tariffs.csv row 1: expected text in UTF-8 after a UTF-8 byte")
    assert output[-1] == "1 error, 0 warnings (tariffs: 1 error, 0 warnings)"


def test_a_marked_file_whose_gbk_text_starts_past_the_first_megabyte_is_refused(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """The first megabyte after the mark is ASCII, so the fast guess takes the file for UTF-8:
    when the GBK text further down fails it, the mark is still named at row 1."""
    customers = tables["customers"].copy()
    customers.insert(0, "remark", ["x" * 1_200_000, "", ""])
    data = write_marked_gbk(dataset_dir / "customers.csv", customers, "remark")
    offset, row, bad = first_not_utf8(data)

    assert load_errors(dataset_dir) == [
        "customers.csv row 1: " + NOT_UTF8_AFTER_THE_MARK.format(bad=bad, offset=offset, row=row)
    ]
    assert offset > 1 << 20


def test_a_marked_utf8_file_with_a_gbk_row_joined_on_is_named_at_that_row(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """UTF-8 text after the mark, then a GBK row GB18030 reads: the file is UTF-8 up to it."""
    customers = tables["customers"].copy()
    customers[["district", "name", "address"]] = ["城南", "张伟", "城南"]
    customers["tariff_category"] = "居民生活"
    lines = customers.to_csv(index=False).splitlines()
    data = BOM + "\n".join(lines[:-1]).encode("utf-8") + b"\n" + lines[-1].encode("gbk") + b"\n"
    data[len(BOM) :].decode("gb18030")  # the premise: GB18030 reads it all, wrongly
    (dataset_dir / "customers.csv").write_bytes(data)

    assert load_errors(dataset_dir) == [
        "customers.csv row 4: expected text in one encoding throughout, UTF-8 or GBK/GB18030, "
        "found text in GBK/GB18030 from this row on, in a file in UTF-8 before it (files joined "
        "together? Keep one export per file, in one encoding)"
    ]


def test_a_marked_file_of_accented_utf8_then_gbk_is_never_read_as_gb18030(
    tmp_path: Path,
) -> None:
    """No CJK character in UTF-8 before the GBK row to tell the files apart, and GB18030 reads
    every byte (the mark too, as 锘縞ustomer_id): the mark says UTF-8, so the GBK row is named."""
    path = tmp_path / "customers.csv"
    data = BOM + "customer_id,name\nC1,José\n".encode() + "C2,城南\n".encode("gbk")
    data.decode("gb18030")  # the premise: GB18030 reads it all, the mark as 锘縞
    path.write_bytes(data)

    with pytest.raises(EncodingFailure) as refused:
        scan_encoding(path)

    assert (refused.value.row, refused.value.found) == (
        3,
        "text in GBK/GB18030 from this row on, in a file in UTF-8 before it (files joined "
        "together? Keep one export per file, in one encoding)",
    )


def test_a_marked_utf8_file_reads_its_first_column_under_its_own_name(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    tariffs = tables["tariffs"]
    first = tariffs[["valid_to", *tariffs.columns.drop("valid_to")]]
    (dataset_dir / "tariffs.csv").write_bytes(BOM + first.to_csv(index=False).encode("utf-8"))

    dataset = load(dataset_dir)

    assert dataset.sources["tariffs"].encoding == "UTF-8 with BOM"
    assert dataset.tariffs["valid_to"].dt.year.tolist()[1] == 9999


def test_a_marked_gbk_columns_yaml_is_refused_naming_it_not_a_traceback(
    dataset_dir: Path,
) -> None:
    (dataset_dir / "columns.yaml").write_bytes(BOM + "bills:\n  户号: customer_id\n".encode("gbk"))

    [problem] = load_errors(dataset_dir)

    assert problem.startswith(
        "columns.yaml row 1: expected text in UTF-8 after a UTF-8 byte-order mark, found a UTF-8 "
        "byte-order mark on text that is not UTF-8: bytes b'\\xbb' at byte offset 12 (row 2)"
    )


def test_a_marked_gbk_table_given_to_a_command_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "frame.csv"
    path.write_bytes(BOM + "customer_id,district\nC1,城南\n".encode("gbk"))

    with pytest.raises(SideTableError) as refused:
        read_side_csv(path, dtype=str)

    assert str(refused.value).startswith(
        "frame.csv row 1: expected text in UTF-8 after a UTF-8 byte-order mark"
    )


# ------------------------------------------------- a column name holding a byte-order mark as text

MARKED_NAMES = {
    "U+FEFF": ("\ufeffvalid_to", "a byte-order mark (U+FEFF)"),
    "GB18030": (
        (BOM + b"valid_to").decode("gb18030"),
        "the UTF-8 byte-order mark read as GBK/GB18030",
    ),
    "Latin-1": (
        (BOM + b"valid_to").decode("latin-1"),
        "the UTF-8 byte-order mark read as Latin-1 ('ï»¿')",
    ),
}


@pytest.mark.parametrize("how", MARKED_NAMES)
@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_a_column_name_starting_with_a_misread_mark_is_an_error_in_any_format(
    tables: dict[str, pd.DataFrame], make_dataset, how: str, fmt: str
) -> None:
    name, read_as = MARKED_NAMES[how]
    tables["tariffs"] = tables["tariffs"].rename(columns={"valid_to": name})
    folder = make_dataset(tables, fmt)
    row = " row 1" if fmt == "xlsx" else ""

    assert load_errors(folder) == [
        f"tariffs.{fmt}{row}, column valid_to: expected a column name without a byte-order mark, "
        f"found {name!r}, {read_as} at its start (read as part of the name, it would make the "
        "column an extra one: rename the column)"
    ]


def test_a_required_column_behind_a_misread_mark_is_not_also_reported_missing(
    tables: dict[str, pd.DataFrame],
) -> None:
    name = (BOM + b"tariff_category").decode("gb18030")
    tables["customers"] = tables["customers"].rename(columns={"tariff_category": name})

    with pytest.raises(DataValidationError) as refused:
        Dataset.from_frames(tables)

    assert [(problem.column, problem.expected) for problem in refused.value.errors] == [
        ("tariff_category", "a column name without a byte-order mark")
    ]


def test_an_extra_column_behind_a_misread_mark_in_customers_is_shown_masked(
    tables: dict[str, pd.DataFrame],
) -> None:
    """A customers header cell naming no contract column may be a customer's name (a file
    without its header row): masked as any such cell is."""
    tables["customers"] = tables["customers"].assign(**{"\ufeff张三": "x"})

    with pytest.raises(DataValidationError) as refused:
        Dataset.from_frames(tables)

    [problem] = refused.value.errors
    assert "张三" not in str(problem)
    assert problem.expected == "a column name without a byte-order mark"


def _ambiguous_district_supply(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """district_supply in GBK holding only 平遥 and 学校: GB2312 characters of lead byte C2-DF
    and trail A1-BF, whose bytes are two-byte UTF-8 characters too (平遥 reads ƽң)."""
    assert "平遥学校".encode("gbk").decode("utf-8") == "ƽңѧУ"  # the premise
    supply = tables["district_supply"].assign(district=["平遥", "平遥", "学校", "学校"])
    path = folder / "district_supply.csv"
    supply.to_csv(path, index=False, encoding="gbk")
    return path


def test_an_ambiguous_gbk_file_beside_gbk_tables_is_read_as_gbk_with_a_warning_saying_so(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """A billing system exports every table alike: customers and tariffs in GBK (张三 is no
    UTF-8) tell the encoding of district_supply, whose 平遥 alone could be either. Read as
    UTF-8, 平遥 would be a district of its own (175 false rate_mismatch findings for 学校).
    A warning names the file, its first ambiguous row, both readings and the one taken (before,
    the guess was silent)."""
    folder = write_dataset(tables, tmp_path / "dataset", "csv-gbk")
    _ambiguous_district_supply(folder, tables)

    dataset = load(folder)

    assert dataset.sources["district_supply"].encoding == "GBK/GB18030"
    assert dataset.district_supply["district"].tolist() == ["平遥", "平遥", "学校", "学校"]
    assert [str(problem) for problem in dataset.problems if problem.expected == ONE_READING] == [
        "warning: district_supply.csv row 2: expected text whose encoding can be told, UTF-8 or "
        "GBK/GB18030, found text 'ƽң' in UTF-8 that is '平遥' in GBK/GB18030: read as "
        "GBK/GB18030, the encoding the dataset's other CSV files agree on (save the file as "
        "UTF-8 with a byte-order mark if it is UTF-8)"
    ]


def test_an_ambiguous_file_beside_utf8_tables_is_read_as_utf8_with_a_warning_saying_so(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """Near miss: the same bytes beside tables in UTF-8 are UTF-8 (ƽң as written), as on main;
    the warning says which reading was taken."""
    _ambiguous_district_supply(dataset_dir, tables)

    dataset = load(dataset_dir)

    assert dataset.sources["district_supply"].encoding == "UTF-8"
    assert dataset.district_supply["district"].tolist() == ["ƽң", "ƽң", "ѧУ", "ѧУ"]
    [warning] = [problem for problem in dataset.problems if problem.expected == ONE_READING]
    assert (warning.file, warning.row, warning.severity) == ("district_supply.csv", 2, "warning")
    assert warning.found.endswith(
        ": read as UTF-8, the encoding the dataset's other CSV files agree on (save the file as "
        "UTF-8 with a byte-order mark if it is UTF-8)"
    )


def test_a_lone_ambiguous_file_is_read_as_utf8_with_a_warning_showing_both_readings(
    tmp_path: Path,
) -> None:
    """With no other table to tell, the file is read as UTF-8 as on main, and a warning names
    its first ambiguous row in file order (row 3: row 2 is ASCII), both readings and the fix."""
    path = tmp_path / "district_supply.csv"
    path.write_bytes("district,period\nNorth,2024-01\n学校,2024-01\n平遥,2024-02\n".encode("gbk"))

    with pytest.raises(ReadProblems) as read:
        read_table(path, "district_supply", lambda column: None)

    assert read.value.raw.encoding == "UTF-8"
    [warning] = read.value.problems
    assert warning.severity == "warning"
    assert str(warning) == (
        "warning: district_supply.csv row 3: expected text whose encoding can be told, UTF-8 or "
        "GBK/GB18030, found text 'ѧУ' in UTF-8 that is '学校' in GBK/GB18030, with no other CSV "
        "file of the dataset in one encoding to tell which: read as UTF-8 (save the file as UTF-8 "
        "with a byte-order mark, or keep all tables in one encoding)"
    )


def test_tables_in_both_encodings_leave_an_ambiguous_file_utf8_with_a_warning(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """Near miss: customers in GBK, the rest in UTF-8: the evidence disagrees, nothing is
    guessed."""
    write_table(tables["customers"], dataset_dir, "customers", "csv-gbk")
    _ambiguous_district_supply(dataset_dir, tables)

    problems = validate(dataset_dir)

    assert [
        (problem.file, problem.row, problem.severity)
        for problem in problems
        if problem.expected == ONE_READING
    ] == [("district_supply.csv", 2, "warning")]


@pytest.mark.parametrize(
    "names",
    [
        ["José García", "Hans Müller", "Trương"],  # Jos茅 Garc铆a in GBK
        ["José García", "Ivan Иванов"],
        ["вода", "газ", "дом"],
        ["Zoë", "José"],
    ],
)
def test_accented_latin_and_cyrillic_in_utf8_are_read_as_utf8(
    tmp_path: Path, names: list[str]
) -> None:
    """Genuine UTF-8 whose two-byte characters happen to be GBK too is read as UTF-8, never as
    GBK mojibake (José García was Jos茅 Garc铆a with no error), nor refused."""
    path = tmp_path / "customers.csv"
    path.write_text(
        "customer_id,name\n" + "".join(f"C{i},{name}\n" for i, name in enumerate(names)),
        encoding="utf-8",
    )

    with pytest.raises(ReadProblems) as read:  # ambiguous alone: the warning says so
        read_table(path, "customers", lambda column: None)

    assert read.value.raw.encoding == "UTF-8"
    assert read.value.raw.data.column("name").to_pylist() == names
    assert [problem.severity for problem in read.value.problems] == ["warning"]


@pytest.mark.parametrize(
    "cells",
    [
        ["5 kW·h", "20 m²", "25°C", "¥12", "μ", "Ω", "张伟"],
        ["José García", "Hans Müller", "张伟"],
        ["José García"] * 40 + ["张伟", "Trương"],
        ["5 €", "José"],  # € is three bytes: not GBK throughout
    ],
)
def test_utf8_with_a_three_byte_character_is_read_as_utf8_without_a_word(
    tmp_path: Path, cells: list[str]
) -> None:
    """A three-byte character (张伟, a CJK one, or €) tells UTF-8: two-byte letters beside it
    read as written, nothing refused, nothing warned."""
    path = tmp_path / "customers.csv"
    path.write_text(
        "customer_id,name\n" + "".join(f"C{i},{cell}\n" for i, cell in enumerate(cells)),
        encoding="utf-8",
    )

    raw = read_table(path, "customers", lambda column: None)

    assert raw.encoding == "UTF-8"
    assert raw.data.column("name").to_pylist() == cells
    assert sniff_encoding(path) == scan_encoding(path) == UTF8
    assert ambiguity(path) is None


def test_a_cr_only_gbk_file_over_a_mebibyte_beside_gbk_tables_is_read_as_gbk(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """Lines ended by CR alone (old Mac exports) in a file past the 1 MiB sniffed: no block is
    cut inside a character, and the GBK customers tell its encoding."""
    folder = write_dataset(tables, tmp_path / "dataset", "csv-gbk")
    rows = "".join(f"学校,2024-01,{kwh}\r" for kwh in range(60_000))
    path = folder / "district_supply.csv"
    path.write_bytes(("district,period,kwh_supplied\r" + rows).encode("gbk"))
    assert path.stat().st_size > 1 << 20

    agreed = agreed_encoding(folder.iterdir())
    with pytest.raises(ReadProblems) as read:  # the warning saying how it was read
        read_table(path, "district_supply", lambda column: None, dataset_encoding=lambda: agreed)
    raw = read.value.raw

    assert agreed == GB18030
    assert raw.encoding == "GBK/GB18030"
    assert set(raw.data.column("district").to_pylist()) == {"学校"}


@pytest.mark.parametrize(("codec", "told"), [("gbk", GB18030), ("utf-8", UTF8)])
def test_a_file_whose_chinese_starts_past_the_first_mebibyte_tells_its_whole_files_encoding(
    tmp_path: Path, codec: str, told: Encoding
) -> None:
    """A bills file ASCII for its first MiB (the sniffed head) with its reader 张三 in GBK
    further down is GBK evidence for the ambiguous district_supply (学校), read as 学校. Before,
    the head alone counted it as UTF-8 and 学校 was read as 'ѧУ' without a word. Near miss: the
    same bills in UTF-8 tell UTF-8, and 学校's bytes are read so (as on main)."""
    bills = tmp_path / "bills.csv"
    rows = "".join(f"B{number},R1\n" for number in range(120_000)) + "B120000,张三\n"
    bills.write_bytes(("bill_id,reader_id\n" + rows).encode(codec))
    assert bills.stat().st_size > 1 << 20  # the premise: 张三 past the sniffed head
    supply = tmp_path / "district_supply.csv"
    supply.write_bytes("district,period\n学校,2024-01\n".encode("gbk"))

    agreed = agreed_encoding([bills, supply])
    with pytest.raises(ReadProblems) as read:  # the warning saying how it was read
        read_table(supply, "district_supply", lambda column: None, dataset_encoding=lambda: agreed)
    raw = read.value.raw

    assert plain_encoding(bills) == agreed == told
    assert raw.encoding == told.label
    assert raw.data.column("district").to_pylist() == ["学校".encode("gbk").decode(told.codec)]


def test_an_ambiguous_cell_of_a_file_holding_personal_data_is_shown_by_its_length_only(
    tmp_path: Path,
) -> None:
    """customers holds names: the warning shows no cell of it, only its length in each reading
    (José Müller: 11 characters in UTF-8, Jos茅 M眉ller 11 in GBK, é and ü one hanzi each), as
    the reader's other messages do. Before, it printed 'José Müller' and 'Jos茅 M眉ller'."""
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,name\nC1,José Müller\n", encoding="utf-8")

    with pytest.raises(ReadProblems) as read:
        read_table(path, "customers", lambda column: None)

    [warning] = read.value.problems
    assert "José" not in str(warning) and "Jos茅" not in str(warning)
    assert warning.found.startswith(
        "text of 11 characters in UTF-8 that is 11 in GBK/GB18030 (not shown: the table holds "
        "names, addresses and phone numbers), with no other CSV file"
    )


def test_an_ambiguous_quoted_cell_with_a_comma_is_shown_whole_as_the_csv_cuts_it(
    tmp_path: Path,
) -> None:
    """Near miss: district_supply holds no personal data, so its cell is shown, cut by the CSV's
    quoting ('José, Müller' is one cell), not at the raw comma (before: '"José')."""
    path = tmp_path / "district_supply.csv"
    path.write_text('district,period\n"José, Müller",2024-01\n', encoding="utf-8")

    with pytest.raises(ReadProblems) as read:
        read_table(path, "district_supply", lambda column: None)

    [warning] = read.value.problems
    assert warning.found.startswith(
        "text 'José, Müller' in UTF-8 that is 'Jos茅, M眉ller' in GBK/GB18030, with no other"
    )


def test_an_ambiguous_cell_over_128_kib_is_shown_cut_not_a_traceback(tmp_path: Path) -> None:
    """A cell of 200,000 two-byte letters (é) passes the csv module's 128 KiB field limit: the
    warning still comes, its line standing for its cell, cut to 80 characters as other messages
    cut a long one (shown_cell), not a csv.Error traceback nor a 400 KB line."""
    path = tmp_path / "district_supply.csv"
    path.write_text("district,period\n" + "é" * 200_000 + ",2024-01\n", encoding="utf-8")

    with pytest.raises(ReadProblems) as read:
        read_table(path, "district_supply", lambda column: None)

    [warning] = read.value.problems
    assert warning.severity == "warning"
    # the line stands for its cell: 200,000 é + ",2024-01" = 200,008 characters, in each reading
    assert warning.found.startswith("text '" + "é" * 80 + "'… (200,008 characters) in UTF-8")
    assert "'… (200,008 characters) in GBK/GB18030, with no other CSV file" in warning.found

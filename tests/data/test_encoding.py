"""CSV encodings: UTF-8 (± BOM) and GBK/GB18030 are read; anything else is refused with a place."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sample_dataset import load_errors

from auditkit import synth
from auditkit.data import load
from auditkit.data.encoding import GB18030, EncodingFailure, scan_encoding, sniff_encoding
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

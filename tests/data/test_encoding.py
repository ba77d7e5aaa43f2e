"""CSV encodings: UTF-8 (± BOM) and GBK/GB18030 are read; anything else is refused with a place."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sample_dataset import load_errors

from auditkit.data import load


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
        f"b'\\xe9' at byte offset {offset} that are neither UTF-8 nor GBK"
    ]


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
        f"b'\\xff' at byte offset {position} that are neither UTF-8 nor GBK"
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

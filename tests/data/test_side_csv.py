"""A small CSV table given to a command is read whole, or refused naming its file and row."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditkit.data.side_csv import SideTableError, read_side_csv


def _refused(path: Path, content: bytes) -> str:
    path.write_bytes(content)
    with pytest.raises(SideTableError) as refused:
        read_side_csv(path)
    return str(refused.value)


def test_a_gbk_table_reads_its_chinese_text_and_a_utf8_bom_is_dropped(tmp_path: Path) -> None:
    gbk, bom = tmp_path / "gbk.csv", tmp_path / "bom.csv"
    gbk.write_bytes("auditing_district,audited_district\n城东,城西\n".encode("gbk"))
    bom.write_bytes("auditing_district,audited_district\n城东,城西\n".encode("utf-8-sig"))
    for path in (gbk, bom):
        assert read_side_csv(path, dtype=str).to_dict("records") == [
            {"auditing_district": "城东", "audited_district": "城西"}
        ]


def test_a_row_longer_than_the_header_is_refused_not_shifted_under_it(tmp_path: Path) -> None:
    # pandas would read C001 as the index and 1 as the customer_id
    first = _refused(tmp_path / "shift.csv", b"customer_id,amount\nC001,1,500\nC002,2,300\n")
    assert first == (
        "shift.csv row 2: expected at most 2 fields, one per column the header names, found 3"
    )
    later = _refused(tmp_path / "later.csv", b"customer_id,amount\nC001,500\nC002,2,300\n")
    assert later.startswith("later.csv row 3: expected at most 2 fields")


def test_an_empty_file_or_a_quote_left_open_is_refused_naming_where(tmp_path: Path) -> None:
    assert _refused(tmp_path / "empty.csv", b"") == (
        "empty.csv: expected a header row naming the columns, found none"
    )
    assert _refused(tmp_path / "quote.csv", b'a,b\n1,2\n3,"x\n4,y\n') == (
        'quote.csv row 3: expected a quote (") closed before the file ends, found a quote '
        "opened here and never closed"
    )


def test_a_header_alone_or_a_short_row_is_read_as_it_stands(tmp_path: Path) -> None:
    header = tmp_path / "header.csv"
    header.write_bytes(b"customer_id,amount\n")
    assert list(read_side_csv(header).columns) == ["customer_id", "amount"]
    short = tmp_path / "short.csv"
    short.write_bytes(b"customer_id,amount\nC001\n")  # a trailing empty field left out
    assert read_side_csv(short, dtype=str)["customer_id"].tolist() == ["C001"]

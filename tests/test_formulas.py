"""Cells written from data: never a formula, never more than a cell holds without saying so."""

from __future__ import annotations

import csv
import io

import pandas as pd
from openpyxl import Workbook, load_workbook

from auditkit.formulas import (
    CELL_CHARACTERS,
    csv_bytes,
    csv_text,
    defuse,
    looks_like_formula,
    put_cell,
    undefuse_frame,
    within_cell,
)


def _written(value: object) -> object:
    """`value` put in a cell, saved and read back (a formula would read back with type 'f')."""
    book = Workbook()
    put_cell(book.active["A1"], value)
    buffer = io.BytesIO()
    book.save(buffer)
    cell = load_workbook(io.BytesIO(buffer.getvalue())).active["A1"]
    assert cell.data_type == "s"
    return cell.value


def test_text_beyond_what_a_cell_holds_is_cut_with_a_mark_of_what_was_kept():
    long_address = "幸福路" * 20_000  # 60,000 characters
    written = _written(long_address)
    assert len(written) == CELL_CHARACTERS
    kept = CELL_CHARACTERS - len("…[32,767/60,000]")
    assert written == long_address[:kept] + f"…[{kept:,}/60,000]"


def test_text_a_cell_holds_is_written_whole_and_a_formula_stays_text():
    assert within_cell("x" * CELL_CHARACTERS) == "x" * CELL_CHARACTERS
    assert _written('=HYPERLINK("http://x")') == '=HYPERLINK("http://x")'


def test_full_width_signs_and_leading_spaces_are_formulas_but_inner_signs_are_not():
    for text in ("＝1+1", "＋1", "－1", "＠SUM(A1)", " =1+1", "  +1", "\u3000=1+1", "\n-1"):
        assert looks_like_formula(text), text
        assert defuse(text) == "'" + text
    for text in ("1＝1", "SY1 =2", "a-b", "   ", "", "12:00"):  # near misses
        assert not looks_like_formula(text), text
        assert defuse(text) == text


def test_a_cell_with_a_carriage_return_or_line_feed_is_quoted_and_reads_back_whole():
    frame = pd.DataFrame(
        {
            "customer_id": ["SY1\r=2+2", "SY2\n+3", "SY3\r\n@4", 'SY4 "q"\r'],
            "kwh": [1.5, 2.0, 3.0, 4.0],
        }
    )
    text = csv_text(frame)
    assert text.endswith("\n") and not text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["customer_id", "kwh"]] + [
        [customer, f"{kwh}"] for customer, kwh in zip(frame.customer_id, frame.kwh, strict=True)
    ]
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig")
    assert back.customer_id.tolist() == frame.customer_id.tolist()
    # the break stays inside the quoted cell: no record starts with the text after it
    assert '\n"SY1\r=2+2",1.5\n"SY2\n+3",2.0\n' in text


def test_a_csv_read_back_without_the_added_apostrophes_holds_every_text_as_written() -> None:
    """An apostrophe is added before a formula and before the data's own apostrophe, and one is
    taken off on reading: `'=1+1` (text that only looks defused) and `'-城西` stay themselves."""
    texts = ["=1+1", "'=1+1", "'-城西", "'", "''", "'abc", "plain", " ＝x", "a=b", None]
    frame = pd.DataFrame({"text": texts, "'kWh": range(len(texts))})
    read = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig", dtype={"text": str})
    assert read["text"].tolist()[:3] == ["'=1+1", "''=1+1", "''-城西"]
    back = undefuse_frame(read)
    assert back["text"].tolist()[:-1] == texts[:-1] and pd.isna(back["text"].iloc[-1])
    assert list(back.columns) == ["text", "'kWh"]

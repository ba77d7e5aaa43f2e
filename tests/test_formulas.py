"""Cells written from data: never a formula, never more than a cell holds without saying so."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from auditkit.formulas import CELL_CHARACTERS, put_cell, within_cell


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

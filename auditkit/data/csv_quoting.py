"""CSV cells whose quoting has no one reading, found in the file's bytes to be refused where they are.

A CSV cell is either written as it is, a quote anywhere but at its start being text (`新"华`
reads 新"华), or quoted whole with each quote inside it doubled (`"新""华"` reads 新"华, RFC
4180); spaces after the closing quote are allowed (the loader trims cells anyway). Any other
quoting has no one reading, and CSV readers silently pick one: Arrow, Python's csv module and
Excel read `"新华"书店` as 新华书店, dropping the quotes the billing system wrote, and a quote
never closed reads the rest of the file, every row after it, into one cell. This module finds
those cells; the reader refuses them at their row and column.

Speed: a file without a quote costs one pass at memory speed. Otherwise its lines are matched
by Arrow's regular expressions in blocks (no Python per line) and only the lines that are not
complete records of well-quoted cells are read cell by cell: the ones with a fault, and values
over several lines (an address), which are rare.
"""

from __future__ import annotations

import mmap
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from auditkit.data.column_typing import shown_cell
from auditkit.data.personal_headers import holds_personal
from auditkit.data.problems import Problem
from auditkit.data.raw import RowIndex
from auditkit.data.threads import GIL_FREE_THREADS

_BLOCK_BYTES = 1 << 24
_QUOTE = ord('"')
# One cell that reads as written: quoted whole (quotes inside doubled, no line break inside,
# spaces or tabs after), or unquoted (not starting with a quote), or empty. A line of such cells
# is a complete record, read alike by every CSV reader. Matched on bytes: in UTF-8 and GBK/GB18030
# alike no byte of a multi-byte character is a quote, a comma, CR or LF.
_CELL = rb'(?:"(?:[^"\r\n]|"")*"[ \t]*|[^",\r\n][^,\r\n]*|)'
_CELLS = _CELL + rb"(?:," + _CELL + rb")*"
_PLAIN_LINE = (rb"^" + _CELLS + rb"[\r\n]?$").decode("latin-1")
_PLAIN_BLOCK = (rb"^(?:" + _CELLS + rb"(?:\r\n|\r|\n))*" + _CELLS + rb"$").decode("latin-1")
_CELL_END = re.compile(rb"[,\r\n]")
_LINE_END = re.compile(rb"[\r\n]")

#: What a cell with a quoting fault was expected to be.
QUOTING_EXPECTED = (
    'a cell quoted whole or not at all, each quote inside a quoted cell doubled ("新""华" '
    'reads 新"华)'
)


@dataclass(frozen=True)
class QuoteFault:
    """A cell whose quoting has no one reading.

    `row` is the record's row as a spreadsheet numbers it (a record over several lines is one
    row), `field` the cell's 0-based place in the record, `text` the cell as written (quotes and
    all; for a quote never closed, up to the end of its line). `unclosed_lines` is 0 for text
    after the quote that closes a quoted value (`"新华"书店`), else the number of lines a quote
    never closed runs over to the end of the file.
    """

    row: int
    field: int
    text: str
    unclosed_lines: int = 0

    def found(self, shown: str | None) -> str:
        """What was found, for a problem: `shown` is the cell as the problem may show it (None
        to show none of it, in a table of names, addresses and phone numbers)."""
        if self.unclosed_lines:
            opening = "a quote opening this cell" if shown is None else f"{shown}, a quote"
            runs = "it runs to the end of the file"
            if self.unclosed_lines > 1:
                runs += f", over {self.unclosed_lines:,} lines, reading the rows after it into it"
            return (
                f"{opening} never closed ({runs}; close the quote, or if it is part of the "
                "text quote the whole cell and double each quote inside it)"
            )
        if shown is None:
            return (
                f"a cell of {len(self.text):,} characters (not shown: the table holds names, "
                "addresses and phone numbers) with text after the quote that closes its quoted "
                "value, which CSV readers would read without its quotes (if the quotes are part "
                "of the text, quote the whole cell and double each quote inside it)"
            )
        unquoted = _as_readers_read(self.text)
        fixed = '"' + self.text.replace('"', '""') + '"'
        return (
            f"{shown}, text after the quote that closes its quoted value, which CSV readers "
            f"would read as {unquoted!r} (if the quotes are part of the text, write the cell "
            f"{fixed})"
        )


def _as_readers_read(text: str) -> str:
    """A cell with text after its closing quote as Arrow and Python's csv module read it: the
    quoted part unquoted (doubled quotes as one), then the rest as written."""
    close = 1
    while text[close : close + 2] == '""' or text[close] != '"':
        close += 2 if text[close : close + 2] == '""' else 1
    return text[1:close].replace('""', '"') + text[close + 1 :]


def quote_faults(path: Path, codec: str) -> list[QuoteFault]:
    """Every cell of the CSV file at `path` (decoded with `codec`) whose quoting has no one
    reading, in file order, the header's and any title's included."""
    faults: list[QuoteFault] = []
    if path.stat().st_size == 0:
        return faults
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(b'"') < 0:
            return faults
        spanned = 0  # line breaks read inside quoted values so far: each joins two lines in a row
        end = 0
        for offset, line in _candidate_lines(data):
            if offset < end:  # read already, inside a quoted value over several lines
                continue
            row = line - spanned
            end, inside, cells = _read_record(data, offset)
            spanned += inside
            for field, start, stop, unclosed_lines in cells:
                text = data[start:stop].decode(codec, errors="replace")
                faults.append(QuoteFault(row, field, text, unclosed_lines))
    return faults


def _candidate_lines(data: mmap.mmap) -> list[tuple[int, int]]:
    """Byte offset and 1-based line number of each line holding a quote that is not a complete
    record of well-quoted cells: a fault, or the first line of a value over several lines.

    Lines end in LF, CRLF or a lone CR, as the CSV readers split them. Blocks of the file are
    matched on parallel threads (Arrow releases the GIL): whole first, line by line only when
    that fails; lines are counted only before the blocks that hold a candidate.
    """
    bounds = _block_bounds(data)

    def scan(block: int) -> list[tuple[int, int]]:
        start, stop = bounds[block], bounds[block + 1]
        if data.find(b'"', start, stop) < 0:
            return []
        piece = data[start:stop]
        return [] if _matches(piece, _PLAIN_BLOCK) else _unplain_lines(piece)

    with ThreadPoolExecutor(max_workers=GIL_FREE_THREADS) as pool:
        scanned = list(pool.map(scan, range(len(bounds) - 1)))
    candidates = []
    lines_before = 0
    last = max((block for block, found in enumerate(scanned) if found), default=-1)
    for block, found in enumerate(scanned[: last + 1]):
        candidates += [(bounds[block] + offset, lines_before + line) for offset, line in found]
        lines_before += _line_breaks(data[bounds[block] : bounds[block + 1]])
    return candidates


def _matches(block: bytes, pattern: str) -> bool:
    """Whether the whole of `block` matches `pattern` (Arrow's RE2, linear in the block)."""
    whole = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(),
        1,
        [None, pa.py_buffer(np.array([0, len(block)], dtype=np.int64)), pa.py_buffer(block)],
    )
    return bool(pc.match_substring_regex(whole, pattern)[0].as_py())


def _block_bounds(data: mmap.mmap) -> list[int]:
    """Offsets cutting the file into blocks of about `_BLOCK_BYTES`, each cut after a line
    break (after an LF, so a CRLF is never cut in two), with 0 and the file's size."""
    bounds = [0]
    size = len(data)
    while bounds[-1] + _BLOCK_BYTES < size:
        mark = bounds[-1] + _BLOCK_BYTES
        cut = data.find(b"\n", mark)
        if cut < 0:
            cut = data.find(b"\r", mark)  # no LF after the mark: no CRLF either
        if cut < 0:
            break
        bounds.append(cut + 1)
    if bounds[-1] < size:
        bounds.append(size)
    return bounds


def _unplain_lines(block: bytes) -> list[tuple[int, int]]:
    """Offsets in `block` and 1-based line numbers counted from its start of the lines that hold
    a quote and do not match `_PLAIN_LINE`."""
    bytes_ = np.frombuffer(block, dtype=np.uint8)
    breaks = np.flatnonzero((bytes_ == 10) | (bytes_ == 13))
    # an LF right after a CR ends the same line: no line of its own
    second_half = (bytes_[breaks] == 10) & (bytes_[np.maximum(breaks - 1, 0)] == 13)
    second_half &= breaks > 0
    starts = np.concatenate(([0], breaks + 1))
    if starts[-1] == len(block):
        starts = starts[:-1]
    offsets = np.append(starts, len(block)).astype(np.int64)
    lines = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(starts), [None, pa.py_buffer(offsets), pa.py_buffer(block)]
    )  # each line with the line break that ends it
    quoted = np.flatnonzero(pc.match_substring(lines, '"').to_numpy(zero_copy_only=False))
    plain = pc.match_substring_regex(lines.take(pa.array(quoted)), _PLAIN_LINE)
    faulty = quoted[~plain.to_numpy(zero_copy_only=False)]
    lines_before = (
        np.arange(len(starts)) - np.concatenate(([0], np.cumsum(second_half)))[: len(starts)]
    )
    return [(int(starts[line]), int(lines_before[line]) + 1) for line in faulty]


def _line_breaks(block: bytes) -> int:
    """Line breaks in `block` (a CRLF once)."""
    return block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")


def _read_record(data: mmap.mmap, start: int) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """Read the record at byte `start` as Arrow and Python's csv module read it: where the next
    record starts, the line breaks inside its quoted values, and its faulty cells as (field,
    first byte, byte after the last shown, lines a quote never closed runs over, 0 if closed)."""
    size = len(data)
    position, field, inside = start, 0, 0
    faults: list[tuple[int, int, int, int]] = []
    while True:
        cell = position
        if position < size and data[position] == _QUOTE:
            close = data.find(b'"', position + 1)
            while close >= 0 and data[close + 1 : close + 2] == b'"':
                close = data.find(b'"', close + 2)
            if close < 0:  # never closed: read to the end of the file
                line_end = _LINE_END.search(data, cell + 1)
                shown_end = size if line_end is None else line_end.start()
                lines = _lines_to_end(data, cell)
                faults.append((field, cell, shown_end, lines))
                return size, inside + lines - 1, faults
            inside += _line_breaks(data[cell:close])
            position = close + 1
            while data[position : position + 1] in (b" ", b"\t"):
                position += 1
            if position < size and data[position] not in b",\r\n":
                position = _cell_end(data, position)  # read on as unquoted text
                faults.append((field, cell, position, 0))
        else:
            position = _cell_end(data, position)
        if position >= size:
            return size, inside, faults
        if data[position : position + 1] == b",":
            position += 1
            field += 1
            continue
        return position + (2 if data[position : position + 2] == b"\r\n" else 1), inside, faults


def _cell_end(data: mmap.mmap, position: int) -> int:
    """Where an unquoted cell starting at `position` ends: its comma, line break or the end."""
    found = _CELL_END.search(data, position)
    return len(data) if found is None else found.start()


def _lines_to_end(data: mmap.mmap, start: int) -> int:
    """Lines from byte `start` to the end of the file (a final line break starts none)."""
    tail = len(data)
    while tail > start and data[tail - 1 : tail] in (b"\r", b"\n"):
        tail -= 1
    breaks = 0
    for block in range(start, tail, _BLOCK_BYTES):
        piece = data[block : min(block + _BLOCK_BYTES, tail)]
        breaks += _line_breaks(piece)
        if piece.startswith(b"\n") and data[block - 1 : block] == b"\r" and block > start:
            breaks -= 1  # a CRLF cut between two pieces
    return breaks + 1


def refuse_faulty_cells(
    file: str, table: str, data: pa.Table, rows: RowIndex, faults: list[QuoteFault]
) -> tuple[pa.Table, dict[int, np.ndarray], list[Problem]]:
    """`data` with each cell of `faults` in a kept row refused (read as empty, its row kept, as
    a refused xlsx cell), the refused positions per column index, and a Problem for each naming
    its row and column. Faults in rows not in `data` (malformed, so dropped) are left to the
    problem naming that row."""
    if not faults or data.num_rows == 0:
        return data, {}, []
    numbers = np.asarray([fault.row for fault in faults], dtype=np.int64)
    if rows.numbers is None:
        positions = numbers - rows.first_row
        kept = (positions >= 0) & (positions < data.num_rows)
    else:
        positions = np.searchsorted(rows.numbers, numbers)
        kept = rows.numbers[np.minimum(positions, len(rows.numbers) - 1)] == numbers
    personal = holds_personal(table, data.column_names)
    by_column: dict[int, list[int]] = {}
    problems = []
    for fault, position, is_kept in zip(faults, positions.tolist(), kept.tolist(), strict=True):
        if not is_kept or fault.field >= data.num_columns:
            continue
        by_column.setdefault(fault.field, []).append(position)
        shown = None if personal else shown_cell(fault.text)
        name = data.column_names[fault.field]
        problems.append(
            Problem(file, fault.row, name, QUOTING_EXPECTED, fault.found(shown), table=table)
        )
    refused = {}
    for index, cut_positions in by_column.items():
        cut = np.zeros(data.num_rows, dtype=bool)
        cut[cut_positions] = True
        column = data.column(index)
        emptied = pc.if_else(pa.array(cut), pa.scalar(None, column.type), column)
        data = data.set_column(index, data.column_names[index], emptied)
        refused[index] = np.flatnonzero(cut)
    return data, refused, problems

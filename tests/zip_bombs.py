"""Zip bombs made of real workbooks, for the tests of every reader of .xlsx files auditkit did not
write: the first worksheet's XML grown by rows of one repeated cell, which deflate packs some 300
times smaller than it unpacks."""

from __future__ import annotations

import zipfile
from pathlib import Path

from auditkit.workbooks import sheet_parts

#: One row of one inline text cell: 50 bytes of XML.
BOMB_ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'


def bombed(source: Path, target: Path, rows: int) -> Path:
    """`source` rewritten to `target` with `rows` more rows of BOMB_ROW in its first sheet."""
    first = next(iter(sheet_parts(source).values()))
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb,
    ):
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == first:
                head, tail = content.split(b"</sheetData>")
                content = head + BOMB_ROW * rows + b"</sheetData>" + tail
            bomb.writestr(item.filename, content)
    return target


def packed_ratio(path: Path, part: str) -> float:
    """How many times `part` of the package at `path` unpacks to its packed size."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(part)
    return info.file_size / info.compress_size

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


def with_sheets(source: Path, target: Path, count: int, rows: int, shared: bool) -> Path:
    """`source` (a workbook openpyxl wrote) rewritten to `target` with `count` more visible
    worksheets 'extra0', 'extra1', … of `rows` rows of BOMB_ROW each: each its own part, or all
    read from the one part 'xl/worksheets/extra.xml' when `shared` (no spreadsheet program
    writes that; a reader parses the part once per sheet)."""
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + BOMB_ROW * rows + b"</sheetData></worksheet>"
    )
    kind = b"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    relation = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
    sheets, relations, types, parts = [], [], [], {}
    for index in range(count):
        part = "xl/worksheets/extra.xml" if shared else f"xl/worksheets/extra{index}.xml"
        sheets.append(
            b'<sheet name="extra%d" sheetId="%d" r:id="rExtra%d"/>' % (index, 100 + index, index)
        )
        relations.append(
            b'<Relationship Type="%s" Target="/%s" Id="rExtra%d"/>'
            % (relation, part.encode(), index)
        )
        if part not in parts:
            parts[part] = sheet
            types.append(b'<Override PartName="/%s" ContentType="%s"/>' % (part.encode(), kind))
    added = {
        "xl/workbook.xml": (b"</sheets>", b"".join(sheets)),
        "xl/_rels/workbook.xml.rels": (b"</Relationships>", b"".join(relations)),
        "[Content_Types].xml": (b"</Types>", b"".join(types)),
    }
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as rewritten,
    ):
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename in added:
                closing, more = added[item.filename]
                content = content.replace(closing, more + closing)
            rewritten.writestr(item.filename, content)
        for part, content in parts.items():
            rewritten.writestr(part, content)
    return target

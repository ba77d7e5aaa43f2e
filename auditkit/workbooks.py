"""Workbooks whose bytes depend only on their content: every .xlsx auditkit writes (findings
workbooks, field sheets, worklists) is reproducible, so equal content gives equal files. And what
the readers of .xlsx files need from the package itself: where each sheet's XML is, whether it
holds a formula, its formula cells, how a formula saved without its result is named, whether
a package unpacks to a size worth loading at all (`unpacking_refused`), and the lock files
office programs keep beside a workbook they have open. A workbook returned from the field (a
worklist, a sampling field sheet) is opened by `open_returned_workbook` alone, so every reader
refuses a lock file and a zip bomb alike."""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.read_only import ReadOnlyCell

from auditkit.errors import AuditkitError, ParameterError
from auditkit.formulas import put_cell

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_TIMESTAMPS = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")
#: A formula element in worksheet XML (`<f>`, `<f t="shared" ...>`, `<x:f>`).
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
#: The content types of a workbook part, in the order openpyxl looks for them (.xltm, .xltx,
#: .xlsm, .xlsx), as [Content_Types].xml names them.
_WORKBOOK_TYPES = tuple(
    f"application/vnd.{kind}.main+xml"
    for kind in (
        "ms-excel.template.macroEnabled",
        "openxmlformats-officedocument.spreadsheetml.template",
        "ms-excel.sheet.macroEnabled",
        "openxmlformats-officedocument.spreadsheetml.sheet",
    )
)
#: Where a workbook part is when [Content_Types].xml names none by its type.
_DEFAULT_WORKBOOK = "xl/workbook.xml"
#: The most a sheet returned from the field (a register worklist, a sampling field sheet) may
#: unpack to, all its parts together. The largest worklist the demo's register gives (城东, every
#: one of its 150 findings) unpacks to 0.23 MB as auditkit writes it and 0.52 MB once LibreOffice
#: saves it again (shared strings added); 100 times that, about 15,000 rows, is far beyond any
#: sheet sent to the field (tens to a few thousand rows), and openpyxl loads it in about half a
#: gigabyte. A 0.7 MB zip bomb unpacking to 245 MB kept `register import` busy past 5 minutes
#: and 2.5 GB.
RETURNED_SHEET_UNPACKED_BYTES = 50_000_000
#: The most times a part may unpack to its packed size. Worksheet XML, shared strings and styles
#: compress 5 to 20 times (auditkit's sheets 6, LibreOffice's shared strings 19, a synthetic
#: export 10); deflate reaches about 1,000 on repeated bytes, which is what a zip bomb holds.
PART_RATIO_LIMIT = 100
#: Parts that unpack to less than this are not held to PART_RATIO_LIMIT: loading them costs little
#: whatever their ratio (a small, highly repetitive styles part is ordinary).
RATIO_CHECKED_FROM = 1_000_000


#: Lock files an office program keeps beside a workbook while it has it open: (the program, the
#: start and the end of the lock file's name around the workbook's name).
_LOCK_NAMES = (("Excel or WPS", "~$", ""), ("LibreOffice", ".~lock.", "#"))


@dataclass(frozen=True)
class LockFile:
    """A lock file an office program keeps beside a workbook while it has it open: not a
    workbook itself, and a sign that the workbook may hold edits not saved yet."""

    path: Path
    workbook: Path  # the workbook it stands for, in the same folder (gone if the lock is stale)
    program: str  # who keeps lock files of this form, for messages


def lock_file(path: str | os.PathLike[str]) -> LockFile | None:
    """`path` as a lock file (Excel's and WPS's `~$<name>`, LibreOffice's `.~lock.<name>#`),
    None when its name is no lock file's or it is a workbook after all (a zip package: only a
    file named like a lock file is opened to tell)."""
    source = Path(path)
    for program, start, end in _LOCK_NAMES:
        name = source.name
        if name.startswith(start) and name.endswith(end) and len(name) > len(start) + len(end):
            if source.is_file() and zipfile.is_zipfile(source):
                return None
            workbook = source.with_name(name[len(start) : len(name) - len(end)])
            return LockFile(source, workbook, program)
    return None


def open_locks(workbook: str | os.PathLike[str]) -> list[LockFile]:
    """The lock files beside `workbook` that say a program has it open now."""
    source = Path(workbook)
    return [
        LockFile(lock, source, program)
        for program, start, end in _LOCK_NAMES
        if (lock := source.with_name(f"{start}{source.name}{end}")).exists()
    ]


def open_said(locks: Iterable[LockFile]) -> str:
    """Who has a workbook open, for a message, from the lock files beside it (`open_locks`):
    'open in Excel or WPS (~$worklist-城东.xlsx beside it)'."""
    held = list(locks)
    programs = " and ".join(lock.program for lock in held)
    beside = ", ".join(lock.path.name for lock in held)
    return f"open in {programs} ({beside} beside it)"


def refuse_if_open(path: Path, name: str, expected: str) -> None:
    """A ParameterError naming `name` (expected `expected`) when an office program has the
    workbook at `path` open (a lock file beside it): writing over it would lose its edits not
    saved yet, or they would be saved over what is written."""
    locks = open_locks(path)
    if locks:
        raise ParameterError(
            name,
            expected,
            f"{path}, {open_said(locks)}: save and close it first (or delete the lock file if no "
            "program has it open)",
        )


def stable_xlsx_bytes(workbook: Workbook) -> bytes:
    """The workbook's .xlsx bytes with fixed timestamps, so equal content gives equal bytes."""
    workbook.properties.creator = "auditkit"
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = _TIMESTAMPS.sub(b"", data)
            info = zipfile.ZipInfo(item.filename, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return output.getvalue()


def frame_xlsx_bytes(frame: pd.DataFrame) -> bytes:
    """`frame` as the bytes of a one-sheet workbook: a header of its column names, then a row per
    record, every cell written by `put_cell` (text stays text, never a formula; numbers, dates and
    blanks keep their type), streamed through a write-only workbook; equal frames give equal
    bytes (`stable_xlsx_bytes`)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()

    def cells(values: Iterable[object]) -> list[WriteOnlyCell]:
        row = []
        for value in values:
            cell = WriteOnlyCell(sheet)
            put_cell(cell, value)
            row.append(cell)
        return row

    sheet.append(cells(str(column) for column in frame.columns))
    for record in frame.itertuples(index=False, name=None):
        sheet.append(cells(record))
    return stable_xlsx_bytes(workbook)


def lock_said(lock: LockFile, then: str) -> str:
    """What a lock file is, for a message: whose it is and what to do about its workbook (`then`:
    what to do once it is saved and closed, as the reader's command does it: 'import it')."""
    name = lock.workbook.name
    if not lock.workbook.is_file():
        return (
            f"a lock file {lock.program} left for {name!r}, which is not in the folder (the "
            "program stopped without closing it: delete the lock file)"
        )
    return (
        f"the lock file {lock.program} keeps while {name!r} is open (save and close {name} "
        f"there, then {then})"
    )


#: The most sheet names a message lists (a zip bomb may hold thousands).
_SHEETS_SHOWN = 6


@dataclass(frozen=True)
class ReturnedSheets:
    """The sheets of a workbook auditkit writes and reads back from the field: those its reader
    reads by name, and how many auditkit writes in all (a sheet read by its place may be
    renamed, and the instructions deleted)."""

    needed: tuple[str, ...]
    most: int
    #: (sheet, what a workbook holding it without a needed sheet is): said with the refusal, so
    #: that a field sheet given as a worklist says where it goes.
    said_by: tuple[tuple[str, str], ...] = ()

    def refused(self, names: Sequence[str]) -> tuple[str, str] | None:
        """(expected, found) when a workbook holding the sheets `names` lacks a sheet that is
        needed or holds more than auditkit writes, None when it is as written."""
        missing = [name for name in self.needed if name not in names]
        if not missing and len(names) <= self.most:
            return None
        what = next((what for sheet, what in self.said_by if sheet in names), None)
        expected = (
            f"the sheets {_listed(self.needed)} among at most {self.most} (as auditkit writes it)"
        )
        shown = _listed(names[:_SHEETS_SHOWN]) + (", …" if len(names) > _SHEETS_SHOWN else "")
        found = f"{len(names):,} sheet(s): {shown}" if names else "no sheet"
        if missing:
            found += f", without {_listed(missing)}"
            if what is not None:
                found += f": this is {what}"
        return expected, found


def open_returned_workbook(
    path: str | os.PathLike[str],
    *,
    kind: str,
    error: type[AuditkitError],
    then: str,
    sheets: ReturnedSheets | None = None,
    size_limited: bool = True,
    read_only: bool = False,
    data_only: bool = True,
) -> Workbook:
    """The workbook at `path`, loaded by openpyxl (`read_only`, `data_only` as the reader
    needs), or an `error` naming the file as a `kind` ('worklist', 'field sheet'): a file
    missing; a lock file an office program keeps beside a workbook it has open (`lock_said`, with
    `then` said to do once it is closed: 'import it'); a package that holds a zip bomb or, when
    `size_limited` (a sheet returned from the field, not a table of any size), would unpack to
    more than RETURNED_SHEET_UNPACKED_BYTES (`unpacking_refused`); with `sheets`, a workbook
    lacking a sheet its reader needs or holding more sheets than auditkit writes (55 sheets of
    empty rows, each packed under the ratio, kept a reader 89 s); a file openpyxl cannot read.
    All but the last are found from the zip directory and the parts listing the sheets alone,
    before any sheet is unpacked. One opener for every reader, so none forgets a guard."""
    source = Path(path)
    if not source.exists():
        raise error(f"{kind} {str(source)!r}: file not found")
    named = f"{kind} {source.name!r}"
    if not source.is_file():
        found = "a folder" if source.is_dir() else "no regular file"
        raise error(f"{named}: expected an .xlsx workbook, found {found}")
    lock = lock_file(source)
    if lock is not None:
        raise error(f"{named}: expected an .xlsx workbook, found {lock_said(lock, then)}")
    refused = sizes_refused(source, RETURNED_SHEET_UNPACKED_BYTES if size_limited else None)
    if refused is not None:
        expected, found = refused
        why = f" (a {kind} auditkit writes unpacks to far less)" if size_limited else ""
        raise error(f"{named}: expected {expected}, found {found}: not loaded{why}")

    def unreadable(failure: Exception) -> AuditkitError:
        return error(
            f"{named}: expected an .xlsx workbook, found a file that is not a readable .xlsx "
            f"file ({type(failure).__name__}: {failure})"
        )

    try:  # the sheets listed, read once their sizes passed, for both checks below
        parts, failure = sheet_parts(source), None
    except _UNREADABLE_PACKAGE as bad:
        parts, failure = None, bad
    refused = None if parts is None else parts_shared(parts)
    if refused is not None:
        expected, found = refused
        raise error(f"{named}: expected {expected}, found {found}: not loaded")
    if sheets is not None:
        if parts is None:
            raise unreadable(failure) from failure
        refused = sheets.refused(list(parts))
        if refused is not None:
            expected, found = refused
            raise error(f"{named}: expected {expected}, found {found}: not loaded")
    try:
        return load_workbook(source, read_only=read_only, data_only=data_only)
    except Exception as failure:  # openpyxl raises several unrelated types for a non-xlsx file
        raise unreadable(failure) from failure


def _listed(names: Iterable[str]) -> str:
    """Sheet names for a message: each quoted (`_sheet_name`), comma-separated."""
    return ", ".join(_sheet_name(name) for name in names)


#: What reading a package's sheet list (`sheet_parts`) raises on a file that is no readable .xlsx.
_UNREADABLE_PACKAGE = (zipfile.BadZipFile, KeyError, ValueError, OSError, ElementTree.ParseError)


def unpacking_refused(
    path: str | os.PathLike[str], unpacked_limit: int | None
) -> tuple[str, str] | None:
    """(expected, found) when the .xlsx package at `path` would unpack to more than a reader
    should load, None when it would not: its sizes (`sizes_refused`), or worksheets sharing one
    part (`shared_sheet_part`). Of the parts, only those listing the sheets are read, once their
    sizes passed. A file that is no zip gives None: the reader names it as it does."""
    return sizes_refused(path, unpacked_limit) or shared_sheet_part(path)


def sizes_refused(
    path: str | os.PathLike[str], unpacked_limit: int | None
) -> tuple[str, str] | None:
    """(expected, found) when a part of the .xlsx package at `path` unpacks to over
    PART_RATIO_LIMIT times its packed size (a zip bomb; parts under RATIO_CHECKED_FROM are let
    be), all parts together to over PART_RATIO_LIMIT times theirs (many small parts each let
    be: 20 sheets of 0.9 MB packed into 0.1 MB), or, with `unpacked_limit`, to more bytes than
    that; None when none does, or the file is no zip. Read from the zip's directory alone: the
    sizes it declares bound what is unpacked (Python's zipfile stops at the declared size, and
    a part cut short fails its checksum)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    expected = (
        f"an .xlsx workbook none of whose parts unpacks to over {PART_RATIO_LIMIT} times its "
        "packed size"
    )
    if unpacked_limit is not None:
        expected = (
            f"an .xlsx workbook unpacking to at most {_megabytes(unpacked_limit)} in all, none of "
            f"its parts to over {PART_RATIO_LIMIT} times its packed size"
        )
    for part in parts:
        if part.file_size >= RATIO_CHECKED_FROM and (
            part.file_size > PART_RATIO_LIMIT * part.compress_size
        ):
            ratio = part.file_size / max(part.compress_size, 1)
            found = (
                f"the part {part.filename!r} unpacking to {_megabytes(part.file_size)}, "
                f"{ratio:,.0f} times its packed {_megabytes(part.compress_size)} (a zip bomb?)"
            )
            return expected, found
    total = sum(part.file_size for part in parts)
    packed = sum(part.compress_size for part in parts)
    if total >= RATIO_CHECKED_FROM and total > PART_RATIO_LIMIT * packed:
        expected = (
            f"an .xlsx workbook whose parts together unpack to at most {PART_RATIO_LIMIT} times "
            "their packed size"
        )
        found = (
            f"{len(parts):,} parts unpacking to {_megabytes(total)}, {total / max(packed, 1):,.0f} "
            f"times their packed {_megabytes(packed)} (a zip bomb?)"
        )
        return expected, found
    if unpacked_limit is not None and total > unpacked_limit:
        largest = max(parts, key=lambda part: part.file_size)
        found = (
            f"parts unpacking to {_megabytes(total)} (the largest, {largest.filename!r}, to "
            f"{_megabytes(largest.file_size)})"
        )
        return expected, found
    return None


def shared_sheet_part(path: str | os.PathLike[str]) -> tuple[str, str] | None:
    """(expected, found) when worksheets of the package at `path` share one part, None when
    each has its own (or the package lists no sheets readably: the reader names it)."""
    try:
        parts = sheet_parts(path)
    except _UNREADABLE_PACKAGE:
        return None
    return parts_shared(parts)


def parts_shared(parts: Mapping[str, str]) -> tuple[str, str] | None:
    """(expected, found) when worksheets of `parts` (`sheet_parts`) share one part, None when
    each has its own. No spreadsheet program writes that, and a reader parses each sheet's part
    when it opens the workbook (openpyxl looks for its extent) or reads it: 100 sheets on one
    0.9 MB part of empty rows kept openpyxl 21 s opening a 49 KB file, 1,000 would keep it
    minutes."""
    sheets_of: dict[str, list[str]] = {}
    for sheet, part in parts.items():
        sheets_of.setdefault(part, []).append(sheet)
    for part, sheets in sheets_of.items():
        if len(sheets) > 1:
            names = ", ".join(_sheet_name(name) for name in sheets[:2])
            more = ", …" if len(sheets) > 2 else ""
            found = f"{len(sheets):,} worksheets ({names}{more}) read from one part {part!r}"
            return "an .xlsx workbook whose every worksheet has a part of its own", found
    return None


def _sheet_name(name: str) -> str:
    """A sheet's name as a message shows it: quoted, cut past Excel's 31 characters."""
    return repr(name) if len(name) <= 31 else f"{name[:31]!r}…"


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.2f} MB"


def sheet_parts(path: str | os.PathLike[str]) -> dict[str, str]:
    """Each sheet's name -> the part (the zip member) holding its XML, found as the package
    says: [Content_Types].xml names the workbook part, which lists the sheets, and its
    relationships give each one's part. Sheets whose part is missing are left out (openpyxl
    leaves them out too). No reader's internals: an openpyxl upgrade cannot move them."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        workbook = _workbook_part(archive.read("[Content_Types].xml"))
        targets = _relationship_targets(archive, workbook, names)
        root = ElementTree.fromstring(archive.read(workbook))
    parts = {}
    listed = [element for element in root if _local(element.tag) == "sheets"]
    for sheet in listed[0] if listed else ():
        # the relationship id is `r:id`, in whichever namespace the workbook declares for it
        ids = [
            value
            for key, value in sheet.attrib.items()
            if key.startswith("{") and _local(key) == "id"
        ]
        part = targets.get(ids[0]) if ids else None
        if part is not None and part in names:
            parts[sheet.get("name", "")] = part
    return parts


def holds_formula(path: str | os.PathLike[str], part: str) -> bool:
    """Whether the worksheet XML at `part` of the package at `path` holds a formula."""
    with zipfile.ZipFile(path) as archive:
        return FORMULA_TAG.search(archive.read(part)) is not None


def formula_cells(
    path: str | os.PathLike[str], sheet: str | None, min_row: int
) -> Iterator[ReadOnlyCell]:
    """Each cell holding a formula, from row `min_row` on, of the worksheet named `sheet` (the
    first with None) of the workbook at `path`, loaded once more for its formulas (a workbook
    read with data_only=True holds their saved results). The sheet's stored extent is reset:
    one cut short would hide rows."""
    workbook = load_workbook(path, read_only=True)
    try:
        formulas = workbook.worksheets[0] if sheet is None else workbook[sheet]
        formulas.reset_dimensions()
        for row in formulas.iter_rows(min_row=min_row):
            yield from (cell for cell in row if cell.data_type == "f")
    finally:
        workbook.close()


def hidden_formula(formula: str) -> str:
    """A formula as a message shows it when it may hold personal data (a name or a phone typed
    into it): by its length only, as the readers show a personal value."""
    return f"of {len(formula):,} characters (not shown: it may hold personal data)"


def unsaved_formula(shown: str) -> str:
    """What a cell holding a formula saved without its result is found to be (`shown`: the
    formula as the message shows it): Excel saves each result, and a program writing the file
    often only the formula, which then reads as an empty cell."""
    return (
        f"a formula {shown} whose result was not saved "
        "(open and save the file in Excel, or paste the values)"
    )


def _workbook_part(content_types: bytes) -> str:
    """The workbook part's name: the part [Content_Types].xml gives a workbook's type."""
    overrides = {
        element.get("ContentType"): element.get("PartName", "").lstrip("/")
        for element in ElementTree.fromstring(content_types)
        if _local(element.tag) == "Override"
    }
    return next(
        (overrides[kind] for kind in _WORKBOOK_TYPES if kind in overrides), _DEFAULT_WORKBOOK
    )


def _relationship_targets(archive: zipfile.ZipFile, source: str, names: set[str]) -> dict[str, str]:
    """Relationship id -> the part it targets, for the relationships of the part `source`
    (targets are relative to the source's folder unless they start with `/`)."""
    folder, name = posixpath.split(source)
    relationships = posixpath.join(folder, "_rels", f"{name}.rels")
    if relationships not in names:
        return {}
    targets = {}
    for element in ElementTree.fromstring(archive.read(relationships)):
        target = element.get("Target", "")
        if element.get("TargetMode") == "External" or not target:
            continue
        if target.startswith("/"):
            targets[element.get("Id", "")] = target[1:]
        else:
            targets[element.get("Id", "")] = posixpath.normpath(posixpath.join(folder, target))
    return targets


def _local(name: str) -> str:
    """An XML name without its namespace (`{uri}sheet` -> `sheet`)."""
    return name.rpartition("}")[2]

"""What auditkit reads from an .xlsx package itself: where each sheet's XML is, whether it holds a
formula; found as the package's own parts say, not by conventional names or openpyxl internals.
And whether a package unpacks to more than is worth loading, from its zip directory alone."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lock_files import excel_owner_file
from openpyxl import Workbook, load_workbook
from zip_bombs import bombed, packed_ratio, with_sheets

from auditkit import workbooks
from auditkit.errors import AuditkitError, ParameterError
from auditkit.workbooks import (
    LockFile,
    ReturnedSheets,
    hidden_formula,
    holds_formula,
    lock_file,
    open_locks,
    open_returned_workbook,
    open_said,
    refuse_if_open,
    sheet_parts,
    unpacking_refused,
    unsaved_formula,
)


def two_sheets(path: Path) -> Path:
    """A workbook of the sheets 'table' (a formula in B2, saved without its result) and 'lists'."""
    workbook = Workbook()
    workbook.active.title = "table"
    workbook.active.append(["a", "b"])
    workbook.active.append([1, "=A2*2"])
    workbook.create_sheet("lists").append(["x"])
    workbook.save(path)
    return path


def repack(
    path: Path, names: dict[str, str], replace: dict[str, list[tuple[bytes, bytes]]]
) -> None:
    """Rewrite the package: parts renamed as `names` says, in `replace[part]` each old bytes
    replaced by the new."""
    rewritten = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            for old, new in replace.get(item.filename, []):
                assert old in content
                content = content.replace(old, new)
            target.writestr(names.get(item.filename, item.filename), content)
    rewritten.replace(path)


def test_each_sheet_is_found_at_the_part_its_workbook_names(tmp_path: Path) -> None:
    path = two_sheets(tmp_path / "book.xlsx")
    assert sheet_parts(path) == {
        "table": "xl/worksheets/sheet1.xml",
        "lists": "xl/worksheets/sheet2.xml",
    }
    assert holds_formula(path, "xl/worksheets/sheet1.xml")
    assert not holds_formula(path, "xl/worksheets/sheet2.xml")


def test_parts_stored_under_other_names_and_a_relative_target_are_followed(
    tmp_path: Path,
) -> None:
    path = two_sheets(tmp_path / "book.xlsx")
    # The first sheet's XML stored as sheet2.xml (named by a target relative to the workbook)
    # and the second's as data/sheet1.xml: a lookup by conventional names reads the wrong sheet.
    repack(
        path,
        {
            "xl/worksheets/sheet1.xml": "xl/worksheets/sheet2.xml",
            "xl/worksheets/sheet2.xml": "xl/data/sheet1.xml",
        },
        {
            "xl/_rels/workbook.xml.rels": [
                (b"/xl/worksheets/sheet2.xml", b"/xl/data/sheet1.xml"),
                (b"/xl/worksheets/sheet1.xml", b"worksheets/sheet2.xml"),
            ],
            "[Content_Types].xml": [(b"/xl/worksheets/sheet1.xml", b"/xl/data/sheet1.xml")],
        },
    )
    assert load_workbook(path)["table"]["B2"].value == "=A2*2"  # openpyxl reads it so too
    assert sheet_parts(path) == {"table": "xl/worksheets/sheet2.xml", "lists": "xl/data/sheet1.xml"}
    assert holds_formula(path, sheet_parts(path)["table"])


def test_a_workbook_part_named_elsewhere_is_found_by_its_content_type(tmp_path: Path) -> None:
    path = two_sheets(tmp_path / "book.xlsx")
    repack(
        path,
        {"xl/workbook.xml": "xl/book.xml", "xl/_rels/workbook.xml.rels": "xl/_rels/book.xml.rels"},
        {
            "[Content_Types].xml": [(b'PartName="/xl/workbook.xml"', b'PartName="/xl/book.xml"')],
            "_rels/.rels": [(b"xl/workbook.xml", b"xl/book.xml")],
        },
    )
    assert load_workbook(path).sheetnames == ["table", "lists"]
    assert sheet_parts(path)["table"] == "xl/worksheets/sheet1.xml"


def test_a_sheet_whose_part_is_missing_is_left_out(tmp_path: Path) -> None:
    path = two_sheets(tmp_path / "book.xlsx")
    repack(path, {"xl/worksheets/sheet2.xml": "xl/worksheets/gone.bin"}, {})
    assert sheet_parts(path) == {"table": "xl/worksheets/sheet1.xml"}


def test_an_unsaved_formula_is_named_with_how_to_save_its_result() -> None:
    assert unsaved_formula("'=A2*2'") == (
        "a formula '=A2*2' whose result was not saved "
        "(open and save the file in Excel, or paste the values)"
    )


def test_a_hidden_formula_is_shown_by_its_length_only() -> None:
    assert hidden_formula('="张三 13800138000"') == (
        "of 17 characters (not shown: it may hold personal data)"
    )


def test_a_part_unpacking_to_hundreds_of_times_its_size_is_refused_by_the_zip_directory(
    tmp_path: Path,
) -> None:
    bomb = bombed(two_sheets(tmp_path / "book.xlsx"), tmp_path / "bomb.xlsx", 40_000)
    part = "xl/worksheets/sheet1.xml"
    ratio = packed_ratio(bomb, part)
    with zipfile.ZipFile(bomb) as archive:
        unpacked = archive.getinfo(part).file_size
        packed = archive.getinfo(part).compress_size
    assert ratio > 300 and unpacked > 1_900_000
    assert unpacking_refused(bomb, None) == (
        "an .xlsx workbook none of whose parts unpacks to over 100 times its packed size",
        f"the part {part!r} unpacking to {unpacked / 1e6:,.2f} MB, {ratio:,.0f} times its "
        f"packed {packed / 1e6:,.2f} MB (a zip bomb?)",
    )


def test_a_small_part_may_pack_tightly_and_a_plain_workbook_is_let_be(tmp_path: Path) -> None:
    # 15,000 rows: 750,000 bytes packed 300 times, under the 1 MB from which ratios count
    small = bombed(two_sheets(tmp_path / "book.xlsx"), tmp_path / "small.xlsx", 15_000)
    assert packed_ratio(small, "xl/worksheets/sheet1.xml") > 100
    assert unpacking_refused(small, None) is None
    assert unpacking_refused(tmp_path / "book.xlsx", None) is None


def test_small_parts_packing_over_100_times_together_are_refused_though_each_is_let_be(
    tmp_path: Path,
) -> None:
    book = two_sheets(tmp_path / "book.xlsx")
    # 20 sheets of 15,000 rows: each part 735,000 bytes, under the 1 MB from which ratios count
    many = with_sheets(book, tmp_path / "many.xlsx", 20, 15_000, shared=False)
    with zipfile.ZipFile(many) as archive:
        parts = archive.infolist()
    total, packed = sum(p.file_size for p in parts), sum(p.compress_size for p in parts)
    assert max(part.file_size for part in parts) < 1_000_000 and total > 200 * packed
    assert unpacking_refused(many, None) == (
        "an .xlsx workbook whose parts together unpack to at most 100 times their packed size",
        f"{len(parts)} parts unpacking to {total / 1e6:,.2f} MB, {total / packed:,.0f} times "
        f"their packed {packed / 1e6:,.2f} MB (a zip bomb?)",
    )
    one = with_sheets(book, tmp_path / "one.xlsx", 1, 15_000, shared=False)  # 0.76 MB in all
    assert unpacking_refused(one, None) is None


def test_worksheets_read_from_one_part_are_refused_and_sheets_of_their_own_let_be(
    tmp_path: Path,
) -> None:
    book = two_sheets(tmp_path / "book.xlsx")
    shared = with_sheets(book, tmp_path / "shared.xlsx", 3, 10, shared=True)
    assert unpacking_refused(shared, None) == (
        "an .xlsx workbook whose every worksheet has a part of its own",
        "3 worksheets ('extra0', 'extra1', …) read from one part 'xl/worksheets/extra.xml'",
    )
    own = with_sheets(book, tmp_path / "own.xlsx", 3, 10, shared=False)
    assert len(set(sheet_parts(own).values())) == 5
    assert unpacking_refused(own, None) is None


def test_a_workbook_unpacking_past_the_limit_given_is_refused_at_one_byte_over(
    tmp_path: Path,
) -> None:
    path = two_sheets(tmp_path / "book.xlsx")
    with zipfile.ZipFile(path) as archive:
        parts = archive.infolist()
    total = sum(part.file_size for part in parts)
    largest = max(parts, key=lambda part: part.file_size)
    assert unpacking_refused(path, total) is None
    expected, found = unpacking_refused(path, total - 1)
    assert expected == (
        f"an .xlsx workbook unpacking to at most {(total - 1) / 1e6:,.2f} MB in all, none of its "
        "parts to over 100 times its packed size"
    )
    assert found == (
        f"parts unpacking to {total / 1e6:,.2f} MB (the largest, {largest.filename!r}, to "
        f"{largest.file_size / 1e6:,.2f} MB)"
    )


def test_a_file_that_is_no_zip_is_left_to_the_reader_to_name(tmp_path: Path) -> None:
    (tmp_path / "notes.xlsx").write_text("not a workbook", encoding="utf-8")
    assert unpacking_refused(tmp_path / "notes.xlsx", 1) is None


def test_excel_and_libreoffice_lock_files_name_the_workbook_they_stand_for(tmp_path: Path) -> None:
    excel = lock_file(excel_owner_file(tmp_path / "~$worklist-城东.xlsx"))
    assert excel == LockFile(tmp_path / "~$worklist-城东.xlsx", tmp_path / "worklist-城东.xlsx",
                             "Excel or WPS")  # fmt: skip
    office = tmp_path / ".~lock.worklist-城西.xlsx#"
    office.write_text(",王工,PC-7,05.06.2025 10:00,file:///home/wang/.config;", encoding="utf-8")
    assert lock_file(office) == LockFile(office, tmp_path / "worklist-城西.xlsx", "LibreOffice")


def test_names_that_only_look_like_lock_files_are_workbooks_or_other_files(tmp_path: Path) -> None:
    saved_as = tmp_path / "~$copy.xlsx"  # a real workbook a user named so
    Workbook().save(saved_as)
    assert lock_file(saved_as) is None
    for name in ("worklist-城东.xlsx", "~worklist.xlsx", "a~$b.xlsx", "~$", ".~lock.x.xlsx",
                 ".~lock.#", "lock.x.xlsx#"):  # fmt: skip
        assert lock_file(tmp_path / name) is None, name


def test_a_workbook_is_open_while_a_lock_file_of_its_name_is_beside_it(tmp_path: Path) -> None:
    sheet = tmp_path / "worklist-城东.xlsx"
    Workbook().save(sheet)
    other = tmp_path / "worklist-城西.xlsx"
    Workbook().save(other)
    assert open_locks(sheet) == []
    excel_owner_file(tmp_path / "~$worklist-城东.xlsx")
    (tmp_path / ".~lock.worklist-城东.xlsx#").write_text(",王工,PC-7,;", encoding="utf-8")
    assert [(lock.path.name, lock.program) for lock in open_locks(sheet)] == [
        ("~$worklist-城东.xlsx", "Excel or WPS"),
        (".~lock.worklist-城东.xlsx#", "LibreOffice"),
    ]
    assert open_locks(other) == []  # the lock of its neighbour is not its own
    assert open_said(open_locks(sheet)) == (
        "open in Excel or WPS and LibreOffice (~$worklist-城东.xlsx, .~lock.worklist-城东.xlsx# "
        "beside it)"
    )


class ReturnedSheetError(AuditkitError):
    """The error a reader of returned sheets raises, as the opener is given it."""


def test_a_returned_workbook_is_opened_or_refused_with_the_reader_s_error_naming_its_kind(
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "sheet.xlsx"
    workbook = Workbook()
    workbook.active["A1"] = "=1+1"
    workbook.save(sheet)

    def opened(path: Path, **options: bool):
        return open_returned_workbook(
            path, kind="field sheet", error=ReturnedSheetError, then="evaluate it", **options
        )

    assert opened(sheet).active["A1"].value is None  # its saved result: none was saved
    assert opened(sheet, data_only=False).active["A1"].value == "=1+1"
    gone, folder = tmp_path / "gone.xlsx", tmp_path / "folder.xlsx"
    folder.mkdir()
    notes = tmp_path / "notes.xlsx"
    notes.write_text("not a workbook", encoding="utf-8")
    refused = {
        gone: f"field sheet {str(gone)!r}: file not found",
        folder: "field sheet 'folder.xlsx': expected an .xlsx workbook, found a folder",
        excel_owner_file(tmp_path / "~$sheet.xlsx"): "field sheet '~$sheet.xlsx': expected an "
        ".xlsx workbook, found the lock file Excel or WPS keeps while 'sheet.xlsx' is open (save "
        "and close sheet.xlsx there, then evaluate it)",
        notes: "field sheet 'notes.xlsx': expected an .xlsx workbook, found a file that is not a "
        "readable .xlsx file (BadZipFile: File is not a zip file)",
    }
    for path, message in refused.items():
        with pytest.raises(ReturnedSheetError) as raised:
            opened(path)
        assert str(raised.value) == message


def test_a_workbook_open_in_an_office_program_is_refused_before_it_is_written_over(
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "sheet.xlsx"
    Workbook().save(sheet)
    excel_owner_file(tmp_path / "~$other.xlsx")  # another workbook is open, not this one
    refuse_if_open(sheet, "--out", "a sheet no office program has open")
    excel_owner_file(tmp_path / "~$sheet.xlsx")
    with pytest.raises(ParameterError) as raised:
        refuse_if_open(sheet, "--out", "a sheet no office program has open")
    assert str(raised.value) == (
        "parameter '--out': expected a sheet no office program has open, found "
        f"'{sheet}, open in Excel or WPS (~$sheet.xlsx beside it): save and close it first (or "
        "delete the lock file if no program has it open)'"
    )


#: A returned workbook read by its sheet 'meta', written with three sheets.
WRITTEN = ReturnedSheets(needed=("meta",), most=3)


def written_sheets(path: Path, titles: tuple[str, ...] = ("main", "notes", "meta")) -> Path:
    """A workbook of one empty sheet per title, in that order."""
    workbook = Workbook()
    workbook.active.title = titles[0]
    for title in titles[1:]:
        workbook.create_sheet(title)
    workbook.save(path)
    return path


def test_a_returned_workbook_with_other_sheets_than_written_is_refused_before_it_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def opened(path: Path):
        return open_returned_workbook(
            path, kind="worklist", error=ReturnedSheetError, then="import it", sheets=WRITTEN
        )

    as_written = written_sheets(tmp_path / "as-written.xlsx")
    assert opened(as_written).sheetnames == ["main", "notes", "meta"]  # the near miss: 3 of 3
    renamed = written_sheets(tmp_path / "renamed.xlsx", ("城东", "meta"))  # instructions deleted
    assert opened(renamed).sheetnames == ["城东", "meta"]
    # Empty rows on sheets of their own pass the size guards: the sheet names alone refuse them.
    added = with_sheets(as_written, tmp_path / "added.xlsx", 2, 5_000, shared=False)
    many = with_sheets(as_written, tmp_path / "many.xlsx", 52, 100, shared=False)
    no_meta = written_sheets(tmp_path / "no-meta.xlsx", ("main", "notes"))
    for path in (added, many, no_meta):
        assert unpacking_refused(path, workbooks.RETURNED_SHEET_UNPACKED_BYTES) is None
    bad_xml = tmp_path / "bad-xml.xlsx"
    with zipfile.ZipFile(bad_xml, "w") as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types')

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was loaded")

    monkeypatch.setattr(workbooks, "load_workbook", never)
    expected = "expected the sheets 'meta' among at most 3 (as auditkit writes it)"
    refused = {
        added: f"worklist 'added.xlsx': {expected}, found 5 sheet(s): 'main', 'notes', 'meta', "
        "'extra0', 'extra1': not loaded",
        many: f"worklist 'many.xlsx': {expected}, found 55 sheet(s): 'main', 'notes', 'meta', "
        "'extra0', 'extra1', 'extra2', …: not loaded",
        no_meta: f"worklist 'no-meta.xlsx': {expected}, found 2 sheet(s): 'main', 'notes', "
        "without 'meta': not loaded",
        bad_xml: "worklist 'bad-xml.xlsx': expected an .xlsx workbook, found a file that is not "
        "a readable .xlsx file (ParseError: unclosed token: line 1, column 21)",
    }
    for path, message in refused.items():
        with pytest.raises(ReturnedSheetError) as raised:
            opened(path)
        assert str(raised.value) == message


def test_a_table_of_any_size_is_opened_and_a_zip_bomb_in_it_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "table.xlsx"
    Workbook().save(table)
    monkeypatch.setattr(workbooks, "RETURNED_SHEET_UNPACKED_BYTES", 1_000)  # far below the table

    def opened(path: Path, size_limited: bool):
        return open_returned_workbook(
            path, kind="table", error=ReturnedSheetError, then="give it", size_limited=size_limited
        )

    with pytest.raises(ReturnedSheetError, match=r"unpacking to at most 0\.00 MB in all"):
        opened(table, size_limited=True)
    assert opened(table, size_limited=False).sheetnames == ["Sheet"]
    bomb = bombed(table, tmp_path / "bomb.xlsx", 40_000)  # 2 MB of rows packed 300 times
    with pytest.raises(ReturnedSheetError) as raised:
        opened(bomb, size_limited=False)
    assert str(raised.value).startswith(
        "table 'bomb.xlsx': expected an .xlsx workbook none of whose parts unpacks to over 100 "
        "times its packed size, found the part 'xl/worksheets/sheet1.xml' unpacking to "
    )
    assert str(raised.value).endswith(" MB (a zip bomb?): not loaded")

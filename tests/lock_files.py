"""Lock files as office programs keep them beside a workbook they have open, for the tests of
every reader of returned workbooks (`auditkit.workbooks.lock_file`, `open_locks`)."""

from __future__ import annotations

from pathlib import Path


def excel_owner_file(path: Path, user: str = "王工") -> Path:
    """An owner file as Excel (or WPS) writes it beside an open workbook (`~$NAME.xlsx`): the
    user's name in GBK after its length, padded, then zero bytes."""
    name = user.encode("gbk")
    path.write_bytes(bytes([len(name)]) + name.ljust(53, b" ") + b"\x00" * 111)
    return path


def libreoffice_lock(path: Path) -> Path:
    """A lock file as LibreOffice writes it beside an open workbook (`.~lock.NAME.xlsx#`)."""
    path.write_text(",王工,PC-7,05.06.2025 10:00,file:///home/wang/.config/libreoffice/4;", "utf-8")
    return path

"""Formulas of a workbook given the results Excel saves with them: openpyxl writes a formula
alone, as programs do, and a returned sheet saved by Excel or LibreOffice holds both."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path


def save_results(path: Path, results: dict[str, float | str], part: str) -> None:
    """Save `results[cell]` ('H3') with the formula of that cell of the worksheet XML `part`,
    as Excel does: a number as a number, text as a formula's text result (`t="str"`)."""
    with zipfile.ZipFile(path) as source:
        items = [(item, source.read(item)) for item in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item, content in items:
            if item.filename == part:
                for cell, result in results.items():
                    kind = b' t="str"' if isinstance(result, str) else b""
                    saved = str(result).encode()
                    content, count = re.subn(
                        rb'(<c r="' + cell.encode() + rb'"[^>]*)><f>(.*?)</f><v ?/></c>',
                        lambda match, kind=kind, saved=saved: (
                            match[1] + kind + b"><f>" + match[2] + b"</f><v>" + saved + b"</v></c>"
                        ),
                        content,
                    )
                    assert count == 1, f"no formula without its result in {cell}"
            target.writestr(item, content)

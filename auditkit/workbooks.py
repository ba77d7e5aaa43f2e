"""Workbooks whose bytes depend only on their content: every .xlsx auditkit writes (findings
workbooks, field sheets, worklists) is reproducible, so equal content gives equal files."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_TIMESTAMPS = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


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

"""Remarks a recomputation makes about its data (a line kind not recomputed, bills priced by an
estimate): a code and its figures, worded as `billing.note.<code>` when shown."""

from __future__ import annotations

from typing import Any

from auditkit import i18n, results


class Note(results.Note):
    """A billing note; a `line_type` value is named in the report's language."""

    area = "billing"

    def shown(self, lang: str) -> dict[str, Any]:
        values = super().shown(lang)
        if "line_type" in values:
            values["line_type"] = i18n.text(f"billing.line.{values['line_type']}", lang)
        return values

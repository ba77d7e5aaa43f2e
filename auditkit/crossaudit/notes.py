"""Remarks a cross-audit computation makes about its data (rows left out, a test not made)."""

from __future__ import annotations

from typing import Any

from auditkit import i18n, results


class Note(results.Note):
    """A crossaudit remark, worded as `crossaudit.note.<code>`; a `count` of inspections is
    also quoted counted (`inspections`: "1 inspection", "3 inspections", "3 次检查")."""

    area = "crossaudit"

    def shown(self, lang: str) -> dict[str, Any]:
        """The values as the sentence quotes them, with `count` counted as inspections."""
        shown = super().shown(lang)
        if "count" in self.values:
            shown["inspections"] = i18n.counted(self.values["count"], "inspection", lang)
        return shown

"""Remarks a computation makes about its data (rows left out, a test not made) as codes.

A computation returns a `Note` (a wording key and its values); the report renders it in its
language, so results stay testable without one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditkit import i18n


@dataclass(frozen=True)
class Note:
    """One remark: `code` names the wording `crossaudit.note.<code>`, `values` fill it in."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The remark in `lang`."""
        return i18n.text(f"crossaudit.note.{self.code}", lang).format(**self.values)

"""Remarks a statistic makes about its data (a gap, a month interpolated, rows left out) as codes.

A computation returns `Note`s (a wording key and its values); the report renders them in its
language, so results stay testable without one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditkit import i18n


@dataclass(frozen=True)
class Note:
    """One remark: `code` names the wording `stats.note.<code>`, `values` fill it in."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The remark in `lang`."""
        return i18n.text(f"stats.note.{self.code}", lang).format(**self.values)

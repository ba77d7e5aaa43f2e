"""Notes on a selection or an evaluation (set-aside rows, LTA correction ...): a code and its figures.

The computation records what happened as `Note(code, figures)`; the words come from
`auditkit.i18n` (`sampling.note.<code>`) when a report or the CLI shows the note in its language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditkit import i18n


@dataclass(frozen=True)
class Note:
    """One note: its `code` and the `figures` its sentence quotes (a `method` is a method code)."""

    code: str
    figures: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The note as a sentence in `lang`."""
        figures = dict(self.figures)
        if "method" in figures:
            figures["method"] = method_name(figures["method"], lang)
        return i18n.text(f"sampling.note.{self.code}", lang).format(**figures)

    def __str__(self) -> str:
        return self.text("en")


def method_name(code: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """A method code ('stringer.poisson') in words; an unknown code is shown as it is."""
    return i18n.text(f"sampling.method.{code}", lang, default=code)

"""Notes on a selection or an evaluation (set-aside rows, LTA correction ...): a code and its figures.

The computation records what happened as `Note(code, figures)`; the words come from
`auditkit.i18n` (`sampling.note.<code>`) when a report or the CLI shows the note in its language.
"""

from __future__ import annotations

from typing import Any

from auditkit import i18n, results
from auditkit.sampling.priors import Prior


class Note(results.Note):
    """A sampling note, worded as `sampling.note.<code>`; a `method` value is a method code, a
    `column` value the column of values, named in words (`sampling.values.<column>`), a `prior`
    value described in the sentence's language."""

    area = "sampling"

    def shown(self, lang: str) -> dict[str, Any]:
        values = super().shown(lang)
        if "method" in values:
            values["method"] = method_name(values["method"], lang)
        if "column" in values:
            column = values["column"]
            values["column"] = i18n.text(f"sampling.values.{column}", lang, default=column)
        if isinstance(values.get("prior"), Prior):
            values["prior"] = values["prior"].describe(lang)
        return values


def method_name(code: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """A method code ('stringer.poisson') in words; an unknown code is shown as it is."""
    return i18n.text(f"sampling.method.{code}", lang, default=code)

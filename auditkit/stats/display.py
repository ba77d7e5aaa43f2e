"""Showing the consumption study in a notebook: a table, or a sentence when it is empty; bullets."""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

from auditkit import i18n, report


def show_table(
    frame: pd.DataFrame,
    lang: str = i18n.DEFAULT_LANG,
    max_rows: int = 20,
    full_data: str | None = None,
) -> None:
    """Display a labelled table (with a link to `full_data`, a CSV next to the report), or a
    sentence when it has no rows."""
    if frame.empty:
        report.show_html(f"<p>{html.escape(i18n.text('common.nothing', lang))}</p>")
    else:
        report.show_table(frame, lang=lang, max_rows=max_rows, full_data=full_data)


def show_bullets(sentences: Iterable[str]) -> None:
    """Display sentences as an HTML bullet list (escaped); nothing for none."""
    items = "".join(f"<li>{html.escape(sentence)}</li>" for sentence in sentences)
    if items:
        report.show_html(f"<ul>{items}</ul>")

"""Wording of the run pipeline: the run index, the report's title block and footer (zh, en)."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {}

"""Wording of auditkit.sampling: headings, table labels and sentences (zh, en) by key."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {}

"""Remarks a cross-audit computation makes about its data (rows left out, a test not made)."""

from __future__ import annotations

from auditkit import results


class Note(results.Note):
    """A crossaudit remark, worded as `crossaudit.note.<code>`."""

    area = "crossaudit"

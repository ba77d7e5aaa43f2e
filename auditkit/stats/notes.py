"""Remarks a statistic makes about its data (a gap, a month interpolated, rows left out)."""

from __future__ import annotations

from auditkit import results


class Note(results.Note):
    """A stats remark, worded as `stats.note.<code>`."""

    area = "stats"

"""Remarks the audit-cycle evaluation makes about the register (nothing recorded yet, days that
cannot be counted, no random-sample or cross-audit check)."""

from __future__ import annotations

from auditkit import results


class Note(results.Note):
    """An audit-cycle remark, worded as `cycle.note.<code>`."""

    area = "cycle"

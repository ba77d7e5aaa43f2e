"""The findings register: each finding under a stable key across monthly runs, its status after
every run (new, persisting, no longer found, reopened) and the append-only trail of its field
outcomes, in SQLite or PostgreSQL (`store.Register`); and the field worklist of rule findings
(`select_worklist`, `write_worklist`, `read_worklist`)."""

from __future__ import annotations

from auditkit.register.errors import RegisterError
from auditkit.register.keys import finding_key, finding_keys
from auditkit.register.schema import OUTCOME_EVENTS, STATUSES
from auditkit.register.sheet import WorklistSheetError, read_worklist, write_worklist
from auditkit.register.store import OutcomeImport, Register, RunChanges
from auditkit.register.worklist import select_worklist

__all__ = [
    "OUTCOME_EVENTS",
    "STATUSES",
    "OutcomeImport",
    "Register",
    "RegisterError",
    "RunChanges",
    "WorklistSheetError",
    "finding_key",
    "finding_keys",
    "read_worklist",
    "select_worklist",
    "write_worklist",
]

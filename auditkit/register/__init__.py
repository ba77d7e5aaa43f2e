"""The findings register: each finding under a stable key across monthly runs, its status after
every run (new, persisting, no longer found, reopened) and the append-only trail of its field
outcomes, in SQLite or PostgreSQL (`store.Register`)."""

from __future__ import annotations

from auditkit.register.errors import RegisterError
from auditkit.register.keys import finding_key, finding_keys
from auditkit.register.schema import OUTCOME_EVENTS, STATUSES
from auditkit.register.store import OutcomeImport, Register, RunChanges

__all__ = [
    "OUTCOME_EVENTS",
    "STATUSES",
    "OutcomeImport",
    "Register",
    "RegisterError",
    "RunChanges",
    "finding_key",
    "finding_keys",
]

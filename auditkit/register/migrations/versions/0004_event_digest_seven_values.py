"""An event's digest is of its seven values alone: the digests auditkit wrote at revision 0002
before that (with `auditor=` and `selected_by=` appended when given) are written again, so a
sheet imported before the upgrade and again after is still recorded once.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: What joins an event's values in its digest (`auditkit.register.keys.SEPARATOR`, kept here as
#: it was when this revision was written).
SEPARATOR = "\x1f"
_OUTCOMES = sa.table(
    "outcomes",
    *(sa.column(name) for name in ("outcome_id", "finding_key", "event", "actor", "source",
                                   "event_digest", "auditor", "selected_by", "corrects")),
    sa.column("amount", sa.Double),
    sa.column("happened_at", sa.Date),
    sa.column("source_row", sa.Integer),
)  # fmt: skip


def upgrade() -> None:
    connection = op.get_bind()
    table = _OUTCOMES
    described = sa.or_(table.c.auditor.is_not(None), table.c.selected_by.is_not(None))
    rows = connection.execute(sa.select(table).where(described, table.c.corrects.is_(None))).all()
    taken = set(connection.execute(sa.select(table.c.event_digest)).scalars())
    for row in rows:
        values = _seven_values(row)
        described_by = tuple(f"{name}={value}" for name, value in
                             (("auditor", row.auditor), ("selected_by", row.selected_by))
                             if value is not None)  # fmt: skip
        if row.event_digest != _digest(values + described_by):
            continue  # written after the digest changed: already of the seven values
        digest = _digest(values)
        if digest in taken:
            continue  # the same event recorded again after the upgrade: both rows stay
        connection.execute(
            sa.update(table).where(table.c.outcome_id == row.outcome_id).values(event_digest=digest)
        )
        taken.add(digest)


def downgrade() -> None:
    """Nothing to undo: a digest of the seven values is what revision 0003 writes too."""


def _seven_values(row: sa.Row) -> tuple[str, ...]:
    """The event's values as its digest joins them."""
    amount = "" if row.amount is None else f"{row.amount:.2f}"
    return (row.finding_key, row.event, amount, row.actor, row.happened_at.isoformat(),
            row.source, str(int(row.source_row)))  # fmt: skip


def _digest(parts: tuple[str, ...]) -> str:
    return hashlib.sha256(SEPARATOR.join(parts).encode("utf-8")).hexdigest()

"""Outcomes say who audited (self- or cross-audit) and how the worklist chose the finding.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outcomes") as batch:
        batch.add_column(sa.Column("auditor", sa.String(200), nullable=True))
        batch.add_column(sa.Column("selected_by", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outcomes") as batch:
        batch.drop_column("selected_by")
        batch.drop_column("auditor")

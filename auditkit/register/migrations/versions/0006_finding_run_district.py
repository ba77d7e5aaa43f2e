"""Each run's history row of a finding records the district the finding had in that run, so a
customer moved to another district later leaves past months' reports as they were. Rows written
before this revision hold none: they read as the finding's district today.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("finding_runs") as batch:
        batch.add_column(sa.Column("district", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("finding_runs") as batch:
        batch.drop_column("district")

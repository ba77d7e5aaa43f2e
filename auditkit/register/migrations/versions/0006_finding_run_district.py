"""Each run's history row of a finding records the district the finding had in that run, so a
customer moved to another district later leaves past months' reports as they were. Rows written
before this revision hold none: they read as the finding's district today. `moved_findings`
keeps the keys a run found in another district (the only ones whose history a past month's
districts need), and an index on `finding_runs.finding_key` finds their history.

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
        batch.create_index("ix_finding_runs_finding_key", ["finding_key"])
    op.create_table(
        "moved_findings",
        sa.Column(
            "finding_key", sa.String(16), sa.ForeignKey("findings.finding_key"), primary_key=True
        ),
    )


def downgrade() -> None:
    op.drop_table("moved_findings")
    with op.batch_alter_table("finding_runs") as batch:
        batch.drop_index("ix_finding_runs_finding_key")
        batch.drop_column("district")

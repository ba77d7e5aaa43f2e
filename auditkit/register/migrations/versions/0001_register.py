"""The findings register: runs, findings, what each run said of them, the outcome trail.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(200), primary_key=True),
        sa.Column("as_of", sa.String(7), nullable=False),
        sa.Column("district", sa.String(200), nullable=True),
        sa.Column("findings", sa.Integer, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "findings",
        sa.Column("finding_key", sa.String(16), primary_key=True),
        sa.Column("customer_id", sa.String(200), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("period_from", sa.String(7), nullable=False),
        sa.Column("district", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("period_to", sa.String(7), nullable=False),
        sa.Column("area", sa.String(100), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("revenue_impact", sa.Double, nullable=False),
        sa.Column("previous_revenue_impact", sa.Double, nullable=True),
        sa.Column("revenue_kind", sa.String(50), nullable=False),
        sa.Column("penalty", sa.Double, nullable=False),
        sa.Column("score", sa.Double, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("evidence_code", sa.Text, nullable=False),
        sa.Column("first_run_id", sa.String(200), sa.ForeignKey("runs.run_id"), nullable=False),
        sa.Column("first_as_of", sa.String(7), nullable=False),
        sa.Column("last_run_id", sa.String(200), sa.ForeignKey("runs.run_id"), nullable=False),
        sa.Column("last_as_of", sa.String(7), nullable=False),
    )
    op.create_index("ix_findings_district_status", "findings", ["district", "status"])
    op.create_table(
        "finding_runs",
        sa.Column("run_id", sa.String(200), sa.ForeignKey("runs.run_id"), primary_key=True),
        sa.Column(
            "finding_key", sa.String(16), sa.ForeignKey("findings.finding_key"), primary_key=True
        ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("revenue_impact", sa.Double, nullable=True),
        sa.Column("previous_revenue_impact", sa.Double, nullable=True),
    )
    op.create_table(
        "outcomes",
        sa.Column("outcome_id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column(
            "finding_key", sa.String(16), sa.ForeignKey("findings.finding_key"), nullable=False
        ),
        sa.Column("event", sa.String(30), nullable=False),
        sa.Column("amount", sa.Double, nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("happened_at", sa.Date, nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("source_row", sa.Integer, nullable=False),
        sa.Column("event_digest", sa.String(64), nullable=False, unique=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_outcomes_finding_key", "outcomes", ["finding_key"])


def downgrade() -> None:
    op.drop_table("outcomes")
    op.drop_table("finding_runs")
    op.drop_table("findings")
    op.drop_table("runs")

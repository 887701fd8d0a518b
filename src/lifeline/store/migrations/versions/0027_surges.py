"""Surges (应急状态): triage-first intake, the recorded announcement, and where calls overflow.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "surges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("event", sa.String(length=100), nullable=False),
        sa.Column("announcement", sa.Text(), nullable=False),
        sa.Column("triage_first", sa.Boolean(), nullable=False),
        sa.Column("overflow_to", sa.String(length=64), nullable=True),
        sa.Column("overflow_at", sa.Integer(), nullable=True),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("ended_by", sa.String(length=64), nullable=True),
        sa.Column("ended_at", WHEN, nullable=True),
    )
    op.create_index("ix_surges_started_at", "surges", ["started_at"])


def downgrade() -> None:
    op.drop_table("surges")

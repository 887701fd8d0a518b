"""Surges (应急状态): triage-first intake, the recorded announcement, where calls overflow; calls another city
overflowed here, with their history there.

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
        sa.Column("overflow_city", sa.String(length=32), nullable=True),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("ended_by", sa.String(length=64), nullable=True),
        sa.Column("ended_at", WHEN, nullable=True),
    )
    op.create_index("ix_surges_started_at", "surges", ["started_at"])
    op.create_table(
        "overflow_calls",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("from_peer", sa.String(length=64), nullable=False),
        sa.Column("from_city", sa.String(length=32), nullable=False),
        sa.Column("from_name", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("caller_number", sa.String(length=32), nullable=True),
        sa.Column("history", sa.Text(), nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("contacts.id"), nullable=True),
        sa.Column("handed_back_at", WHEN, nullable=True),
        sa.UniqueConstraint("from_peer", "ref", name="uq_overflow_calls_from_peer"),
    )
    op.create_index("ix_overflow_calls_caller_number", "overflow_calls", ["caller_number"])
    op.create_index("ix_overflow_calls_contact_id", "overflow_calls", ["contact_id"])


def downgrade() -> None:
    op.drop_table("overflow_calls")
    op.drop_table("surges")

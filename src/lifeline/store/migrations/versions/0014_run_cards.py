"""Run cards (预案): which kinds of unit and how many, by area, category and hour; every version kept.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_cards",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("card", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("from_hour", sa.Integer(), nullable=False),
        sa.Column("to_hour", sa.Integer(), nullable=False),
        sa.Column("units", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("card", "version", name="uq_run_cards_card_version"),
    )
    op.create_index("ix_run_cards_card", "run_cards", ["card"])


def downgrade() -> None:
    op.drop_index("ix_run_cards_card", table_name="run_cards")
    op.drop_table("run_cards")

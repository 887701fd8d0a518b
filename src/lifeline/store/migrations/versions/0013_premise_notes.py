"""Premise notes: what officers going to an address should know (a dangerous dog, a registered firearm…).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "premise_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("hazard", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_premise_notes_lat", "premise_notes", ["lat"])


def downgrade() -> None:
    op.drop_index("ix_premise_notes_lat", table_name="premise_notes")
    op.drop_table("premise_notes")

"""Dead letters: signed peer messages that could not be applied, parked with their reason for an admin.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-11
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("peer", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    op.create_index(op.f("ix_dead_letters_peer"), "dead_letters", ["peer"])
    op.create_index(op.f("ix_dead_letters_state"), "dead_letters", ["state"])


def downgrade() -> None:
    op.drop_index(op.f("ix_dead_letters_state"), table_name="dead_letters")
    op.drop_index(op.f("ix_dead_letters_peer"), table_name="dead_letters")
    op.drop_table("dead_letters")

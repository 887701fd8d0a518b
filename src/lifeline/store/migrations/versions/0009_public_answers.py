"""Open311: what the 12345 centre publishes of a work order (its public answer); nothing else is public.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"], name=op.f("fk_public_answers_order_id_work_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_answers")),
        sa.UniqueConstraint("order_id", name=op.f("uq_public_answers_order_id")),
    )


def downgrade() -> None:
    op.drop_table("public_answers")

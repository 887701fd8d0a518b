"""Unit crews: the officers on each unit, so that an officer reports only his own unit and reads only its
incident's caller.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_crews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_unit_crews_unit_id_units")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_unit_crews_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_crews")),
        sa.UniqueConstraint("user_id", name="uq_unit_crews_user_id"),
    )
    op.create_index(op.f("ix_unit_crews_unit_id"), "unit_crews", ["unit_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_unit_crews_unit_id"), table_name="unit_crews")
    op.drop_table("unit_crews")

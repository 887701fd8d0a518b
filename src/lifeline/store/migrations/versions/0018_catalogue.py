"""The matters catalogue: its versions, and the item and version that routed each incident and work order.

Version 1 (the shipped default.yaml) is not written here: catalogue.service reads it as the version in force while
the table is empty and writes it as row 1 before the first proposal (see catalogue.service.current).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "catalogue_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("proposed_side", sa.String(length=8), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("proposed_org", sa.String(length=64), nullable=True),
        sa.Column("proposed_at", WHEN, nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("approved_org", sa.String(length=64), nullable=True),
        sa.Column("approved_at", WHEN, nullable=True),
        sa.Column("rejected_by", sa.String(length=64), nullable=True),
        sa.Column("rejected_at", WHEN, nullable=True),
        sa.Column("superseded_at", WHEN, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.UniqueConstraint("number", name=op.f("uq_catalogue_versions_number")),
    )
    op.create_index("ix_catalogue_versions_sha256", "catalogue_versions", ["sha256"])
    op.create_index("ix_catalogue_versions_state", "catalogue_versions", ["state"])
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("catalogue_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("catalogue_item", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_work_orders_catalogue_item", ["catalogue_item"])
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("catalogue_item", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("catalogue_item")
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_work_orders_catalogue_item")
        batch_op.drop_column("catalogue_item")
        batch_op.drop_column("catalogue_version")
    op.drop_table("catalogue_versions")

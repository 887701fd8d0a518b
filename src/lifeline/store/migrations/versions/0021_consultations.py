"""Consultations (会商) on matters whose owner is unclear: the first receiver holds them until the desks agree.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("catalogue_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("opened_at", WHEN, nullable=False),
        sa.Column("owner", sa.String(length=8), nullable=True),
        sa.Column("three_way", sa.Boolean(), nullable=False),
        sa.Column("other_party", sa.String(length=200), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("agreed_by", sa.String(length=64), nullable=True),
        sa.Column("agreed_at", WHEN, nullable=True),
        sa.Column("proposal", sa.Integer(), nullable=True),
    )
    op.create_index("ix_consultations_incident_id", "consultations", ["incident_id"], unique=True)
    op.create_index("ix_consultations_state", "consultations", ["state"])


def downgrade() -> None:
    op.drop_table("consultations")

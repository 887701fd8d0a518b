"""Missing-person alerts across a province: what each case last told the hub, and other cities' alerts received.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("missing_cases") as batch_op:
        batch_op.add_column(sa.Column("province_told", sa.String(length=32), nullable=True))
    op.create_table(
        "missing_alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("from_peer", sa.String(length=64), nullable=False),
        sa.Column("from_city", sa.String(length=64), nullable=False),
        sa.Column("case_ref", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(length=8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("medical_needs", sa.Text(), nullable=False),
        sa.Column("last_seen_place", sa.String(length=500), nullable=False),
        sa.Column("last_seen_lat", sa.Float(), nullable=True),
        sa.Column("last_seen_lon", sa.Float(), nullable=True),
        sa.Column("last_seen_at", WHEN, nullable=True),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("alert_km", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("reported_at", WHEN, nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.UniqueConstraint("from_peer", "case_ref", name="uq_missing_alerts_from_peer"),
    )
    op.create_index("ix_missing_alerts_active", "missing_alerts", ["active"])


def downgrade() -> None:
    op.drop_table("missing_alerts")
    with op.batch_alter_table("missing_cases") as batch_op:
        batch_op.drop_column("province_told")

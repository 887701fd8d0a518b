"""Roads and places: the road network a deployment runs on (one blob per version), where each incident was placed
and how surely, and each police station's arrival minutes (the 1-3-5 minute zones).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "road_networks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("nodes", sa.Integer(), nullable=False),
        sa.Column("edges", sa.Integer(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("location_source", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("location_place", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("location_confidence", sa.Float(), nullable=True))
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("arrive_minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("arrive_minutes")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("location_confidence")
        batch.drop_column("location_place")
        batch.drop_column("location_source")
    op.drop_table("road_networks")

"""The field officer's steps: an incident's acceptance time (接单) and its result and outcome (处置反馈); a unit's
status_since, so that status timers do not restart on each position report.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("result", sa.Text(), nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("status_since", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE units SET status_since = updated_at")
    with op.batch_alter_table("units") as batch:
        batch.alter_column("status_since", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.drop_column("status_since")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("outcome")
        batch.drop_column("result")
        batch.drop_column("accepted_at")

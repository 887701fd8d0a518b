"""12345 time limits in working days: the limit an order is held to, and its follow-ups (催办, 督办, 延期申请).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        batch.add_column(sa.Column("limit_kind", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("limit_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("calendar_estimated", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("urged_at", WHEN, nullable=True))
    op.create_table(
        "order_followups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_orders.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=True),
        sa.Column("due", WHEN, nullable=True),
        sa.Column("automatic", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("by_org_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
    )
    op.create_index("ix_order_followups_order_id", "order_followups", ["order_id"])
    op.create_index("ix_order_followups_kind", "order_followups", ["kind"])
    op.create_index("ix_order_followups_at", "order_followups", ["at"])
    op.create_index("ix_order_followups_decided_at", "order_followups", ["decided_at"])


def downgrade() -> None:
    op.drop_table("order_followups")
    with op.batch_alter_table("work_orders") as batch:
        batch.drop_column("urged_at")
        batch.drop_column("calendar_estimated")
        batch.drop_column("limit_days")
        batch.drop_column("limit_kind")

"""Indexes for the reads every call makes: open incidents of one category in the last hour (duplicates)
and one number's calls in the last 30 days (caller history). Without the time column in the index, both
read the whole history of the category or number.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_category")
        batch_op.create_index("ix_incidents_category_received_at", ["category", "received_at"], unique=False)
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_caller_number")
        batch_op.create_index("ix_reports_caller_number_received_at", ["caller_number", "received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_caller_number_received_at")
        batch_op.create_index("ix_reports_caller_number", ["caller_number"], unique=False)
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_category_received_at")
        batch_op.create_index("ix_incidents_category", ["category"], unique=False)

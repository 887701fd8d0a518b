"""Summaries of the figures by day, month and year, and the indexes that reports and exports need.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

COUNTS = (
    "reports", "live_calls", "answered", "incidents", "valid", "dispatch_due", "dispatched_in_a_minute",
    "arrival_due", "arrived_in_time", "diverted", "invalid", "with_number", "repeats",
    "signed", "signed_on_time", "handled", "handled_on_time", "visits", "satisfied", "basic",
)  # fmt: skip
# Orders are counted by the step taken in a window; the late ones by their deadlines.
ORDER_INDEXES = ("signed_at", "handled_at", "visited_at", "sign_by", "handle_by")


def upgrade() -> None:
    op.create_table(
        "figure_days",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("built", sa.Integer(), nullable=True),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "figure_spans",
        sa.Column("span", sa.String(length=5), primary_key=True),
        sa.Column("start", sa.Date(), primary_key=True),
        sa.Column("built_sum", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "figure_rows",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("span", sa.String(length=5), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("hour", sa.Integer(), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
    )
    op.create_index("ix_figure_rows_span_day", "figure_rows", ["span", "day"])
    for column in ORDER_INDEXES:
        op.create_index(f"ix_work_orders_{column}", "work_orders", [column])


def downgrade() -> None:
    for column in ORDER_INDEXES:
        op.drop_index(f"ix_work_orders_{column}", table_name="work_orders")
    op.drop_index("ix_figure_rows_span_day", table_name="figure_rows")
    op.drop_table("figure_rows")
    op.drop_table("figure_spans")
    op.drop_table("figure_days")

"""Nuisance callers' cases: the review, warnings, referrals, legal steps and a flag with its exit rule.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "caller_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("open_number", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flag_review_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flag_rule", sa.Text(), nullable=True),
        sa.Column("flag_lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flag_lift_reason", sa.Text(), nullable=True),
        sa.UniqueConstraint("open_number", name="uq_caller_cases_open_number"),
    )
    op.create_index("ix_caller_cases_number", "caller_cases", ["number"])
    op.create_index("ix_caller_cases_state", "caller_cases", ["state"])
    op.create_table(
        "caller_case_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("caller_cases.id", name="fk_caller_case_steps_case_id_caller_cases"),
            nullable=False,
        ),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("means", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_caller_case_steps_case_id", "caller_case_steps", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_caller_case_steps_case_id", table_name="caller_case_steps")
    op.drop_table("caller_case_steps")
    op.drop_index("ix_caller_cases_state", table_name="caller_cases")
    op.drop_index("ix_caller_cases_number", table_name="caller_cases")
    op.drop_table("caller_cases")

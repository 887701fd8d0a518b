"""The 12345 knowledge base: articles (versioned, drafted, published, retired) and the contacts answered directly.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "knowledge_articles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    op.create_index("ix_knowledge_articles_state", "knowledge_articles", ["state"])
    op.create_table(
        "direct_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("knowledge_articles.id"), nullable=False),
        sa.Column("article_version", sa.Integer(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    for column in ("incident_id", "article_id", "at"):
        op.create_index(f"ix_direct_answers_{column}", "direct_answers", [column])


def downgrade() -> None:
    op.drop_table("direct_answers")
    op.drop_table("knowledge_articles")

"""Missing-person cases: the person, the grade, tasks, sightings, public appeals, photos and the case's timeline.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "missing_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=True),
        sa.Column("owner_org_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("station_org_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=True),
        sa.Column("searchers", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(length=8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("medical_needs", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=False),
        sa.Column("photo_sha256", sa.String(length=64), nullable=True),
        sa.Column("last_seen_place", sa.String(length=500), nullable=False),
        sa.Column("last_seen_lat", sa.Float(), nullable=True),
        sa.Column("last_seen_lon", sa.Float(), nullable=True),
        sa.Column("last_seen_at", WHEN, nullable=True),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("grade_reasons", sa.Text(), nullable=False),
        sa.Column("suggested_grade", sa.String(length=16), nullable=False),
        sa.Column("graded_by", sa.String(length=64), nullable=True),
        sa.Column("next_review_at", WHEN, nullable=False),
        sa.Column("alert_km", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("found_at", WHEN, nullable=True),
        sa.Column("found_place", sa.String(length=500), nullable=False),
        sa.Column("outcome_note", sa.Text(), nullable=False),
        sa.Column("safe_well_at", WHEN, nullable=True),
        sa.Column("safe_well_by", sa.String(length=64), nullable=True),
        sa.Column("safe_well_note", sa.Text(), nullable=False),
        sa.Column("reported_at", WHEN, nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    for column in ("state", "incident_id", "owner_org_id", "station_org_id", "next_review_at", "reported_at"):
        op.create_index(f"ix_missing_cases_{column}", "missing_cases", [column])
    op.create_table(
        "missing_photos",
        sa.Column("sha256", sa.String(length=64), primary_key=True),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", WHEN, nullable=False),
    )
    op.create_table(
        "missing_tasks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("missing_cases.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("assignee", sa.String(length=100), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("done_at", WHEN, nullable=True),
    )
    op.create_table(
        "missing_sightings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("missing_cases.id"), nullable=False),
        sa.Column("seen_at", WHEN, nullable=False),
        sa.Column("place", sa.String(length=500), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
    )
    op.create_table(
        "missing_appeals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("missing_cases.id"), nullable=False),
        sa.Column("partner_org_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("with_photo", sa.Boolean(), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("published_at", WHEN, nullable=False),
        sa.Column("withdraw_by", WHEN, nullable=True),
        sa.Column("withdrawn_at", WHEN, nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=False),
    )
    op.create_table(
        "missing_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("missing_cases.id"), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", WHEN, nullable=False),
    )
    for table in ("missing_tasks", "missing_sightings", "missing_appeals", "missing_log"):
        op.create_index(f"ix_{table}_case_id", table, ["case_id"])
    op.create_index("ix_missing_appeals_partner_org_id", "missing_appeals", ["partner_org_id"])


def downgrade() -> None:
    for table in ("missing_log", "missing_appeals", "missing_sightings", "missing_tasks", "missing_photos"):
        op.drop_table(table)
    op.drop_table("missing_cases")

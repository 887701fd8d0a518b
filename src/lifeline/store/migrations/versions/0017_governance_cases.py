"""Governance cases: repeat trouble at one address or between the same parties, referred to the governance centre;
the incidents of each case; the other parties of an incident.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "governance_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("place", sa.String(length=500), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("party_a", sa.String(length=120), nullable=True),
        sa.Column("party_b", sa.String(length=120), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("owner_org_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("mediation", sa.String(length=16), nullable=True),
        sa.Column("mediation_note", sa.Text(), nullable=True),
        sa.Column("mediated_by", sa.String(length=64), nullable=True),
        sa.Column("mediated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("visit_officer", sa.String(length=100), nullable=True),
        sa.Column("visit_found", sa.Text(), nullable=True),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("visit_recorded_by", sa.String(length=64), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_org_id"], ["organisations.id"], name=op.f("fk_governance_cases_owner_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_governance_cases_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["work_orders.id"], name=op.f("fk_governance_cases_order_id_work_orders")
        ),
    )
    op.create_index("ix_governance_cases_state", "governance_cases", ["state"])
    op.create_index("ix_governance_cases_lat", "governance_cases", ["lat"])
    op.create_index("ix_governance_cases_party_a", "governance_cases", ["party_a"])
    op.create_index("ix_governance_cases_owner_org_id", "governance_cases", ["owner_org_id"])
    op.create_index("ix_governance_cases_org_id", "governance_cases", ["org_id"])
    op.create_table(
        "governance_case_incidents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("case_id", "incident_id", name=op.f("uq_governance_case_incidents_case_id")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["governance_cases.id"], name=op.f("fk_governance_case_incidents_case_id_governance_cases")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_governance_case_incidents_incident_id_incidents")
        ),
    )
    op.create_index("ix_governance_case_incidents_case_id", "governance_case_incidents", ["case_id"])
    op.create_index("ix_governance_case_incidents_incident_id", "governance_case_incidents", ["incident_id"])
    op.create_table(
        "incident_parties",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("incident_id", "key", name=op.f("uq_incident_parties_incident_id")),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_parties_incident_id_incidents")
        ),
    )
    op.create_index("ix_incident_parties_incident_id", "incident_parties", ["incident_id"])
    op.create_index("ix_incident_parties_key", "incident_parties", ["key"])


def downgrade() -> None:
    op.drop_table("incident_parties")
    op.drop_table("governance_case_incidents")
    op.drop_table("governance_cases")

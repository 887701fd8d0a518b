"""Work orders, peer delivery state, and events addressed to a peer (the outbox).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "peer_cursors",
        sa.Column("peer", sa.String(length=64), nullable=False),
        sa.Column("delivered_seq", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("peer", name=op.f("pk_peer_cursors")),
    )
    op.create_table(
        "peer_inbox",
        sa.Column("peer", sa.String(length=64), nullable=False),
        sa.Column("applied_seq", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("peer", name=op.f("pk_peer_inbox")),
    )
    op.create_table(
        "work_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("peer", sa.String(length=64), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("caller_number", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("sign_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handle_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("result", sa.String(length=32), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("visit_comment", sa.Text(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("redo_count", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_work_orders_incident_id_incidents")),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"], name=op.f("fk_work_orders_org_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_orders")),
        sa.UniqueConstraint("uid", name=op.f("uq_work_orders_uid")),
    )
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_orders_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_orders_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_orders_state"), ["state"], unique=False)

    op.create_table(
        "order_orgs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"], name=op.f("fk_order_orgs_order_id_work_orders")),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"], name=op.f("fk_order_orgs_org_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_orgs")),
        sa.UniqueConstraint("order_id", "org_id", name=op.f("uq_order_orgs_order_id")),
    )
    with op.batch_alter_table("order_orgs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_orgs_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_orgs_org_id"), ["org_id"], unique=False)

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("to_peer", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_events_to_peer"), ["to_peer"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_to_peer"))
        batch_op.drop_column("to_peer")

    with op.batch_alter_table("order_orgs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_orgs_org_id"))
        batch_op.drop_index(batch_op.f("ix_order_orgs_order_id"))

    op.drop_table("order_orgs")
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_orders_state"))
        batch_op.drop_index(batch_op.f("ix_work_orders_org_id"))
        batch_op.drop_index(batch_op.f("ix_work_orders_incident_id"))

    op.drop_table("work_orders")
    op.drop_table("peer_inbox")
    op.drop_table("peer_cursors")

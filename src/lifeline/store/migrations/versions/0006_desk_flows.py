"""Desk flows: the call-back queue (attempts, and where each silent call stands), and the sender of each work
order, whose re-route queue a returned order goes to.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OPEN = "('received', 'triaged', 'confirmed', 'dispatched', 'en_route', 'on_scene', 'transferred')"


def upgrade() -> None:
    op.create_table(
        "callback_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_callback_attempts_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_attempts")),
    )
    op.create_index(op.f("ix_callback_attempts_incident_id"), "callback_attempts", ["incident_id"])
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("callback_state", sa.String(length=16), nullable=True))
        batch_op.create_index("ix_incidents_callback_state", ["callback_state"], unique=False)
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sender_org_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_work_orders_sender_org_id_organisations", "organisations", ["sender_org_id"], ["id"]
        )
    # Silent calls still open wait for their call-back; orders raised from an incident were sent by its owner.
    op.execute(f"UPDATE incidents SET callback_state = 'waiting' WHERE callback_required AND state IN {OPEN}")
    op.execute(
        "UPDATE work_orders SET sender_org_id ="
        " (SELECT owner_org_id FROM incidents WHERE incidents.id = work_orders.incident_id)"
        " WHERE incident_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_constraint("fk_work_orders_sender_org_id_organisations", type_="foreignkey")
        batch_op.drop_column("sender_org_id")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_callback_state")
        batch_op.drop_column("callback_state")
    op.drop_index("ix_callback_attempts_incident_id", table_name="callback_attempts")
    op.drop_table("callback_attempts")

"""Every channel into one queue: registered senders and the signatures they used, contacts, the messages of a
conversation, photos and videos by content hash, alarm posts and what the desk says to them, registered 12110 users.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "channel_senders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.UniqueConstraint("name", name="uq_channel_senders_name"),
    )
    op.create_table(
        "channel_signatures",
        sa.Column("signature", sa.String(length=64), primary_key=True),
        sa.Column("sender_id", sa.Integer(), sa.ForeignKey("channel_senders.id"), nullable=False),
        sa.Column("at", WHEN, nullable=False),
    )
    op.create_index("ix_channel_signatures_at", "channel_signatures", ["at"])
    op.create_table(
        "alarm_posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("sender_id", sa.Integer(), sa.ForeignKey("channel_senders.id"), nullable=False),
        sa.Column("heartbeat_seconds", sa.Integer(), nullable=False),
        sa.Column("last_heartbeat_at", WHEN, nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.UniqueConstraint("code", name="uq_alarm_posts_code"),
    )
    op.create_index("ix_alarm_posts_sender_id", "alarm_posts", ["sender_id"])
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("sender_id", sa.Integer(), sa.ForeignKey("channel_senders.id"), nullable=True),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=False),
        sa.Column("silent", sa.Boolean(), nullable=False),
        sa.Column("caller_number", sa.String(length=32), nullable=True),
        sa.Column("caller_name", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("location_text", sa.String(length=500), nullable=False),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("alarm_posts.id"), nullable=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=True),
        sa.Column("seat_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("recording", sa.String(length=500), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("answered_at", WHEN, nullable=True),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.Column("last_at", WHEN, nullable=False),
        sa.UniqueConstraint("sender_id", "external_id", name="uq_contacts_sender_id"),
    )
    op.create_index("ix_contacts_org_id", "contacts", ["org_id"])
    op.create_index("ix_contacts_incident_id", "contacts", ["incident_id"])
    op.create_index("ix_contacts_state_floor_received_at", "contacts", ["state", "floor", "received_at"])
    op.create_index("ix_contacts_caller_number_last_at", "contacts", ["caller_number", "last_at"])
    op.create_table(
        "contact_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("contacts.id"), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sender_id", sa.Integer(), sa.ForeignKey("channel_senders.id"), nullable=True),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", WHEN, nullable=True),
        sa.Column("gateway_ref", sa.String(length=128), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("delivered_at", WHEN, nullable=True),
        sa.UniqueConstraint("sender_id", "external_id", name="uq_contact_messages_sender_id"),
    )
    op.create_index("ix_contact_messages_contact_id", "contact_messages", ["contact_id"])
    op.create_index("ix_contact_messages_state_next_at", "contact_messages", ["state", "next_at"])
    op.create_table(
        "media_blobs",
        sa.Column("sha256", sa.String(length=64), primary_key=True),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("contacts.id"), nullable=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=True),
        sa.Column("sha256", sa.String(length=64), sa.ForeignKey("media_blobs.sha256"), nullable=False),
        sa.Column("original_sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("taken_at", sa.String(length=32), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_index("ix_attachments_contact_id", "attachments", ["contact_id"])
    op.create_index("ix_attachments_incident_id", "attachments", ["incident_id"])
    op.create_table(
        "post_commands",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("alarm_posts.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.Column("acked_at", WHEN, nullable=True),
    )
    op.create_index("ix_post_commands_post_id", "post_commands", ["post_id"])
    op.create_table(
        "caller_needs",
        sa.Column("number", sa.String(length=32), primary_key=True),
        sa.Column("need", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", WHEN, nullable=False),
    )


def downgrade() -> None:
    for table in ("caller_needs", "post_commands", "attachments", "media_blobs", "contact_messages", "contacts",
                  "alarm_posts", "channel_signatures", "channel_senders"):  # fmt: skip
        op.drop_table(table)

"""WhatsApp identity of a person, and the ids of inbound messages (replays refused)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 00:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("whatsapp_id", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("whatsapp_seen_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch.create_unique_constraint("uq_person_whatsapp_id", ["whatsapp_id"])
    op.create_table(
        "inbound_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=160), nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "message_id", name="uq_inbound_message"),
    )


def downgrade() -> None:
    op.drop_table("inbound_message")
    with op.batch_alter_table("person") as batch:
        batch.drop_constraint("uq_person_whatsapp_id", type_="unique")
        batch.drop_column("whatsapp_seen_at")
        batch.drop_column("whatsapp_id")

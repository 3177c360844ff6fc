"""blocked per channel: the bot refused on WhatsApp apart from Telegram (``blocked_at``)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(
            sa.Column(
                "whatsapp_blocked_at", storage.types.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("whatsapp_blocked_at")

"""the phone number of a WhatsApp user, where WhatsApp gives it

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 00:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("whatsapp_phone", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("whatsapp_phone")

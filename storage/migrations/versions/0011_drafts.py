"""drafts: files received and not yet confirmed, kept per person and item; grouped notices

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("item_code", sa.String(length=32), nullable=False, server_default=""),
        sa.Column("files", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("person_id", "period", "item_code", name="uq_draft_person_item"),
    )
    op.create_index("ix_draft_person_id", "draft", ["person_id"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("group_key", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("grouped", sa.Text(), nullable=False, server_default="[]"))
        batch.create_index("ix_outbox_group_key", ["group_key"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_group_key")
        batch.drop_column("grouped")
        batch.drop_column("group_key")
    op.drop_index("ix_draft_person_id", table_name="draft")
    op.drop_table("draft")

"""the reviewer's desk: deliveries opened, where buttons were placed, notices that edit

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "placed",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False, server_default=""),
        sa.Column("placed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("settled_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_placed_subject", "placed", ["subject"])
    op.create_table(
        "review_opened",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column(
            "item_state_id", sa.Integer(), sa.ForeignKey("item_state.id"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("opened_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("person_id", "item_state_id", "version", name="uq_review_opened"),
    )
    op.create_index("ix_review_opened_item_state_id", "review_opened", ["item_state_id"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("edit_chat_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("edit_message_id", sa.BigInteger(), nullable=True))
        batch.create_index("ix_outbox_subject", ["subject"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_subject")
        batch.drop_column("edit_message_id")
        batch.drop_column("edit_chat_id")
        batch.drop_column("subject")
    op.drop_index("ix_review_opened_item_state_id", table_name="review_opened")
    op.drop_table("review_opened")
    op.drop_index("ix_placed_subject", table_name="placed")
    op.drop_table("placed")

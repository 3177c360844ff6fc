"""the eight-card catalogue: an item may be its card's form, the catalogue's signed-card
setting, a closed period's own catalogue, evidence findings and registered blank forms

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 02:00:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checklist_item") as batch:
        batch.add_column(
            sa.Column("form", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("period") as batch:
        batch.add_column(sa.Column("catalogue", sa.Text(), nullable=True))
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("findings", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "evidence_template",
        sa.Column("sha256", sa.String(length=64), primary_key=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("registered_by", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("registered_at", storage.types.UTCDateTime(timezone=True), nullable=False),
    )
    _snapshot_closed_periods()


def _snapshot_closed_periods() -> None:
    """Periods closed before this version keep the catalogue they were reported on: the one
    loaded now (they could not have had another since the last reload)."""
    bind = op.get_bind()
    cards = bind.execute(
        sa.text("SELECT code, name FROM card_type WHERE active ORDER BY position")
    ).all()
    items = bind.execute(
        sa.text(
            "SELECT code, name, card_type, owed_by, required, description FROM checklist_item"
            " WHERE active ORDER BY position"
        )
    ).all()
    data = {
        "kartu_bertanda_tangan": "per_bulan",
        "card_type": [
            {
                "code": card.code,
                "name": card.name,
                "item": [
                    {
                        "code": i.code,
                        "name": i.name,
                        "owed_by": sorted(filter(None, i.owed_by.split(","))),
                        "required": bool(i.required),
                        "description": i.description or "",
                        "form": False,
                    }
                    for i in items
                    if i.card_type == card.code
                ],
            }
            for card in cards
        ],
    }
    if items:
        bind.execute(
            sa.text("UPDATE period SET catalogue = :c WHERE closed_at IS NOT NULL"),
            {"c": json.dumps(data)},
        )


def downgrade() -> None:
    op.drop_table("evidence_template")
    with op.batch_alter_table("submission") as batch:
        batch.drop_column("findings")
    with op.batch_alter_table("period") as batch:
        batch.drop_column("catalogue")
    with op.batch_alter_table("checklist_item") as batch:
        batch.drop_column("form")

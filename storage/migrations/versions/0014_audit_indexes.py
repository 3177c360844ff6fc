"""people who come and go: a person's changes read by subject ("orang:<id>"), and each
person's last activity by actor, without scanning the whole audit log

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 05:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_subject", "audit_log", ["subject"])
    op.create_index("ix_audit_actor_at", "audit_log", ["actor_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_actor_at", table_name="audit_log")
    op.drop_index("ix_audit_subject", table_name="audit_log")

"""One-time invite codes (kept as hashes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, update
from sqlmodel import Session, col, select

from chatbot.domain.invites import Invite
from chatbot.domain.roles import Role
from storage.models import (
    InviteRow,
)


def _invite(row: InviteRow) -> Invite:
    assert row.id is not None
    return Invite(
        id=row.id,
        unit_code=row.unit_code,
        role=Role(row.role),
        name=row.name,
        expires_at=row.expires_at,
        used_at=row.used_at,
    )


class SqlInvites:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        code_hash: str,
        unit_code: str,
        role: Role,
        name: str | None,
        created_by: int | None,
        now: datetime,
        expires_at: datetime,
    ) -> Invite:
        row = InviteRow(
            code_hash=code_hash,
            unit_code=unit_code,
            role=role.value,
            name=name,
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
        )
        self.session.add(row)
        self.session.flush()
        return _invite(row)

    def by_hash(self, code_hash: str) -> Invite | None:
        row = self.session.exec(select(InviteRow).where(InviteRow.code_hash == code_hash)).first()
        return _invite(row) if row else None

    def created_by(self, invite_id: int) -> int | None:
        row = self.session.get(InviteRow, invite_id)
        return row.created_by if row else None

    def mark_used(self, invite_id: int, person_id: int, now: datetime) -> bool:
        result = self.session.execute(
            update(InviteRow)
            .where(and_(col(InviteRow.id) == invite_id, col(InviteRow.used_at).is_(None)))
            .values(used_at=now, used_by=person_id)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

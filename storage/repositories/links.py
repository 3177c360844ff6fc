"""Link codes (a WhatsApp account to a Telegram one) and the log of inbound message ids."""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import Executable, and_, bindparam, update
from sqlmodel import Session, col, select

from storage.models import (
    InboundMessageRow,
    LinkCodeRow,
)
from storage.repositories._sql import dialect_insert


class SqlLinkCodes:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, person_id: int, code_hash: str, now: datetime, expires_at: datetime) -> None:
        self.session.add(
            LinkCodeRow(
                person_id=person_id, code_hash=code_hash, created_at=now, expires_at=expires_at
            )
        )

    def find(self, code_hash: str) -> tuple[int, int, datetime, datetime | None] | None:
        row = self.session.exec(
            select(LinkCodeRow).where(LinkCodeRow.code_hash == code_hash)
        ).first()
        if row is None or row.id is None:
            return None
        return row.id, row.person_id, row.expires_at, row.used_at

    def mark_used(self, link_id: int, now: datetime) -> bool:
        result = self.session.execute(
            update(LinkCodeRow)
            .where(and_(col(LinkCodeRow.id) == link_id, col(LinkCodeRow.used_at).is_(None)))
            .values(used_at=now)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


class SqlInbound:
    def __init__(self, session: Session) -> None:
        self.session = session

    def first_time(self, channel: str, message_id: str, now: datetime) -> bool:
        """Recorded now (True), or seen before (False): one statement, ``INSERT ... ON
        CONFLICT DO NOTHING`` (both SQLite and PostgreSQL have it), on every WhatsApp
        message."""
        self.session.flush()
        recorded = self.session.execute(
            _first_time(self.session.get_bind().dialect.name),
            {"p_channel": channel, "p_message_id": message_id, "p_now": now},
        ).first()
        return recorded is not None


@functools.cache
def _first_time(dialect: str) -> Executable:
    """``first_time``'s statement, built once per dialect."""
    table = InboundMessageRow.__table__  # type: ignore[attr-defined]
    return (
        dialect_insert(dialect, table)
        .values(
            channel=bindparam("p_channel"),
            message_id=bindparam("p_message_id"),
            received_at=bindparam("p_now", type_=table.c.received_at.type),
        )
        .on_conflict_do_nothing(index_elements=["channel", "message_id"])
        .returning(table.c.id)  # a row only when it was new (rowcount is not reliable)
    )

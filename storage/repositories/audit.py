"""The audit log: every decision, attributable, never rewritten."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from chatbot.domain.calendar import Period
from chatbot.domain.events import Event, EventKind
from storage.models import (
    AuditRow,
)
from storage.repositories._sql import bound, prebuilt_insert


class SqlAudit:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, event: Event) -> None:
        self.session.flush()  # what the session holds first (the people it may name)
        self.session.execute(
            _APPEND,
            bound(
                at=event.at,
                kind=event.kind.value,
                actor_id=event.actor_id,
                period=event.period,
                unit_code=event.unit_code,
                subject=event.subject,
                version=event.version,
                detail=json.dumps(dict(event.detail), ensure_ascii=False, sort_keys=True),
            ),
        )

    def returned(self, first: Period, last: Period) -> set[tuple[str, str, str]]:
        rows = self.session.connection().execute(
            sa_select(col(AuditRow.period), col(AuditRow.unit_code), col(AuditRow.subject))
            .where(
                col(AuditRow.kind) == EventKind.ITEM_DIKEMBALIKAN.value,
                col(AuditRow.period) >= first.code,
                col(AuditRow.period) <= last.code,
            )
            .distinct()
        )
        return {(p, u, s) for p, u, s in rows if p and u and s}

    def _events(self, where: Any, kinds: Collection[EventKind] = ()) -> list[Event]:
        a = AuditRow  # column tuples: a national period logs tens of thousands of events
        query = (
            sa_select(
                col(a.kind),
                col(a.at),
                col(a.actor_id),
                col(a.period),
                col(a.unit_code),
                col(a.subject),
                col(a.version),
                col(a.detail),
            )
            .where(where)
            .order_by(col(a.id))
        )
        if kinds:
            query = query.where(col(a.kind).in_([k.value for k in kinds]))
        by_value = {k.value: k for k in EventKind}
        return [
            Event(
                kind=by_value[kind],
                at=at,
                actor_id=actor_id,
                period=period,
                unit_code=unit_code,
                subject=subject,
                version=version,
                detail=json.loads(detail) if detail != "{}" else {},
            )
            for kind, at, actor_id, period, unit_code, subject, version, detail in (
                self.session.execute(query)
            )
        ]

    def for_period(self, period: str, kinds: Collection[EventKind] = ()) -> list[Event]:
        return self._events(col(AuditRow.period) == period, kinds)

    def about(self, subject: str) -> list[Event]:
        """Every event about ``subject`` (a person's "orang:<id>"), in order."""
        return self._events(col(AuditRow.subject) == subject)


_APPEND = prebuilt_insert(
    AuditRow, ("at", "kind", "actor_id", "period", "unit_code", "subject", "version", "detail")
)

"""Blank forms the admin registered: evidence identical to one is an unfilled form."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session, col, select

from chatbot.services.ports import Template
from storage.models import EvidenceTemplateRow
from storage.repositories._sql import known_file


class SqlTemplates:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, sha256: str, size: int, name: str, by: int | None, now: datetime) -> bool:
        """False when that content is registered already."""
        if self.session.get(EvidenceTemplateRow, sha256) is not None:
            return False
        known_file(self.session, sha256, size, now)
        self.session.add(
            EvidenceTemplateRow(sha256=sha256, name=name, registered_by=by, registered_at=now)
        )
        self.session.flush()
        return True

    def names(self, sha256s: Collection[str]) -> dict[str, str]:
        if not sha256s:
            return {}
        rows = self.session.exec(
            select(EvidenceTemplateRow).where(col(EvidenceTemplateRow.sha256).in_(sha256s))
        )
        return {r.sha256: r.name for r in rows}

    def all(self) -> list[Template]:
        rows = self.session.exec(
            select(EvidenceTemplateRow).order_by(col(EvidenceTemplateRow.registered_at))
        )
        return [Template(r.sha256, r.name, r.registered_at) for r in rows]

"""Drafts: the files a person received and has not confirmed yet, per period and item."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, delete, select

from chatbot.domain.calendar import Period
from chatbot.services.ports import EvidenceFile
from storage.models import DraftRow


def _files(text: str) -> list[EvidenceFile]:
    return [EvidenceFile(**f) for f in json.loads(text)]


class SqlDrafts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _row(self, person_id: int, period: Period, item_code: str) -> DraftRow | None:
        return self.session.exec(
            _ROW, params={"person_id": person_id, "period": period.code, "item": item_code}
        ).first()

    def get(self, person_id: int, period: Period, item_code: str) -> list[EvidenceFile]:
        row = self._row(person_id, period, item_code)
        return _files(row.files) if row is not None else []

    def put(
        self,
        person_id: int,
        period: Period,
        item_code: str,
        files: list[EvidenceFile],
        now: datetime,
    ) -> None:
        if not files:  # sent or discarded: no longer a draft
            # one statement, ORM-enabled: a row this session holds goes with it
            self.session.execute(
                delete(DraftRow).where(
                    col(DraftRow.person_id) == person_id,
                    col(DraftRow.period) == period.code,
                    col(DraftRow.item_code) == item_code,
                )
            )
            return
        row = self._row(person_id, period, item_code)
        if row is None:
            row = DraftRow(
                person_id=person_id, period=period.code, item_code=item_code, updated_at=now
            )
        row.files, row.updated_at = json.dumps([asdict(f) for f in files]), now
        self.session.add(row)

    def of_person(self, person_id: int, period: Period) -> dict[str, list[EvidenceFile]]:
        rows = self.session.exec(
            select(DraftRow)
            .where(DraftRow.person_id == person_id, DraftRow.period == period.code)
            .order_by(col(DraftRow.item_code))
        ).all()
        return {r.item_code: _files(r.files) for r in rows}

    def drop_period(self, period: Period) -> int:
        """A closed period's drafts can no longer be sent."""
        result = self.session.execute(delete(DraftRow).where(col(DraftRow.period) == period.code))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def hand_over(self, from_id: int, to_id: int, now: datetime) -> list[tuple[Period, str]]:
        """``from_id``'s drafts become ``to_id``'s (files joined to a draft of the same item
        they have, none twice); the (period, item) of each."""
        moved: list[tuple[Period, str]] = []
        for row in self.session.exec(
            select(DraftRow).where(DraftRow.person_id == from_id).order_by(col(DraftRow.id))
        ).all():
            period = Period.parse(row.period)
            files = self.get(to_id, period, row.item_code)
            known = {f.sha256 for f in files}
            files += [f for f in _files(row.files) if f.sha256 not in known]
            self.session.delete(row)
            self.session.flush()
            self.put(to_id, period, row.item_code, files, now)
            moved.append((period, row.item_code))
        self.session.flush()
        return moved


# read on every file and every delivery: built once
_ROW = select(DraftRow).where(
    DraftRow.person_id == bindparam("person_id"),
    DraftRow.period == bindparam("period"),
    DraftRow.item_code == bindparam("item"),
)

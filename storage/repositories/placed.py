"""Where buttons were placed (Telegram messages, by subject), and which deliveries each
reviewer opened at the desk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from chatbot.services.ports import Placed
from storage.models import PlacedRow, ReviewOpenedRow
from storage.repositories._sql import insert


class SqlPlaced:
    def __init__(self, session: Session) -> None:
        self.session = session

    def place(
        self, person_id: int, subject: str, chat_id: int, message_id: int, text: str, now: datetime
    ) -> str | None:
        # one read: a settled row of the subject (it was decided: that alone decides) first,
        # else this message's open row
        found = self.session.exec(
            select(PlacedRow)
            .where(
                PlacedRow.subject == subject,
                or_(
                    col(PlacedRow.settled_at).is_not(None),
                    and_(
                        col(PlacedRow.chat_id) == chat_id, col(PlacedRow.message_id) == message_id
                    ),
                ),
            )
            .order_by(col(PlacedRow.settled_at).is_not(None).desc())
            .limit(1)
        ).first()
        settled = found.outcome if found is not None and found.settled_at is not None else None
        kept = found if found is not None and found.settled_at is None else None
        if kept is not None and settled is None:  # shown again in place: its text now
            kept.text = text
            self.session.add(kept)
            return None
        self.session.add(
            PlacedRow(
                person_id=person_id,
                subject=subject,
                chat_id=chat_id,
                message_id=message_id,
                text=text,
                placed_at=now,
                settled_at=now if settled is not None else None,
                outcome=settled or "",
            )
        )
        return settled

    def settle(self, subject: str, outcome: str, by: int, now: datetime) -> list[Placed]:
        rows = list(
            self.session.exec(
                select(PlacedRow)
                .where(PlacedRow.subject == subject, col(PlacedRow.settled_at).is_(None))
                .order_by(col(PlacedRow.id))
                .with_for_update()
            )
        )
        for row in rows:
            row.settled_at, row.outcome = now, outcome
            self.session.add(row)
        # settled from now on: a notice about it sent later is edited at once (``place``)
        marker = PlacedRow(person_id=by, subject=subject, placed_at=now, settled_at=now)
        marker.outcome = outcome
        self.session.add(marker)
        return [
            Placed(r.person_id, r.chat_id, r.message_id, r.text)
            for r in rows
            if r.chat_id is not None and r.message_id is not None
        ]


class SqlReviewLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def opened(self, person_id: int, state_id: int, version: int, now: datetime) -> None:
        """The first opening is kept (one statement: opened again, or at the same moment
        elsewhere, leaves it as it was)."""
        self.session.execute(
            insert(self.session, ReviewOpenedRow)
            .values(person_id=person_id, item_state_id=state_id, version=version, opened_at=now)
            .on_conflict_do_nothing(index_elements=["person_id", "item_state_id", "version"])
        )

    def opened_of(self, person_id: int, pairs: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
        ids = {state_id for state_id, _ in pairs}
        if not ids:
            return set()
        rows = self.session.exec(
            select(ReviewOpenedRow.item_state_id, ReviewOpenedRow.version).where(
                ReviewOpenedRow.person_id == person_id,
                col(ReviewOpenedRow.item_state_id).in_(ids),
            )
        )
        seen = {(s, v) for s, v in rows}
        return {pair for pair in pairs if pair in seen}

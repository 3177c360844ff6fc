"""Where buttons were placed (Telegram messages, by subject), and which deliveries each
reviewer opened at the desk."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Executable, and_, bindparam, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from chatbot.services.ports import Placed
from storage.models import PlacedRow, ReviewOpenedRow
from storage.repositories._sql import bound, dialect_insert, prebuilt_insert


class SqlPlaced:
    def __init__(self, session: Session) -> None:
        self.session = session

    def place(
        self, person_id: int, subject: str, chat_id: int, message_id: int, text: str, now: datetime
    ) -> str | None:
        # one read: a settled row of the subject (it was decided: that alone decides) first,
        # else this message's open row
        found = self.session.exec(
            _PLACED, params={"subject": subject, "chat_id": chat_id, "message_id": message_id}
        ).first()
        settled = found.outcome if found is not None and found.settled_at is not None else None
        kept = found if found is not None and found.settled_at is None else None
        if kept is not None and settled is None:  # shown again in place: its text now
            kept.text = text
            self.session.add(kept)
            return None
        self.session.flush()
        self.session.execute(
            _PLACE,
            bound(
                person_id=person_id,
                subject=subject,
                chat_id=chat_id,
                message_id=message_id,
                text=text,
                placed_at=now,
                settled_at=now if settled is not None else None,
                outcome=settled or "",
            ),
        )
        return settled

    def settle(self, subject: str, outcome: str, by: int, now: datetime) -> list[Placed]:
        rows = list(self.session.exec(_UNSETTLED, params={"subject": subject}))
        for row in rows:
            row.settled_at, row.outcome = now, outcome
            self.session.add(row)
        # settled from now on: a notice about it sent later is edited at once (``place``)
        self.session.flush()
        self.session.execute(
            _PLACE,
            bound(
                person_id=by,
                subject=subject,
                chat_id=None,
                message_id=None,
                text="",
                placed_at=now,
                settled_at=now,
                outcome=outcome,
            ),
        )
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
        self.session.flush()
        self.session.execute(
            _opened_statement(self.session.get_bind().dialect.name),
            {"p_person": person_id, "p_state": state_id, "p_version": version, "p_now": now},
        )

    def opened_of(self, person_id: int, pairs: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
        ids = {state_id for state_id, _ in pairs}
        if not ids:
            return set()
        rows = self.session.execute(_OPENED_OF, {"person_id": person_id, "ids": list(ids)})
        seen = {(s, v) for s, v in rows}
        return {pair for pair in pairs if pair in seen}


# built once (each call binds its values): read or written on every desk page and decision
# the subject's settled row (it was decided: that alone decides) first, else this message's
_PLACED = (
    select(PlacedRow)
    .where(
        PlacedRow.subject == bindparam("subject"),
        or_(
            col(PlacedRow.settled_at).is_not(None),
            and_(
                col(PlacedRow.chat_id) == bindparam("chat_id"),
                col(PlacedRow.message_id) == bindparam("message_id"),
            ),
        ),
    )
    .order_by(col(PlacedRow.settled_at).is_not(None).desc())
    .limit(1)
)
_PLACE = prebuilt_insert(
    PlacedRow,
    ("person_id", "subject", "chat_id", "message_id", "text", "placed_at", "settled_at", "outcome"),
)
_UNSETTLED = (
    select(PlacedRow)
    .where(PlacedRow.subject == bindparam("subject"), col(PlacedRow.settled_at).is_(None))
    .order_by(col(PlacedRow.id))
    .with_for_update()
)
_OPENED_OF = sa_select(col(ReviewOpenedRow.item_state_id), col(ReviewOpenedRow.version)).where(
    col(ReviewOpenedRow.person_id) == bindparam("person_id"),
    col(ReviewOpenedRow.item_state_id).in_(bindparam("ids", expanding=True)),
)


@functools.cache
def _opened_statement(dialect: str) -> Executable:
    table = ReviewOpenedRow.__table__  # type: ignore[attr-defined]
    statement = dialect_insert(dialect, table)
    return statement.values(
        person_id=bindparam("p_person"),
        item_state_id=bindparam("p_state"),
        version=bindparam("p_version"),
        opened_at=bindparam("p_now", type_=table.c.opened_at.type),
    ).on_conflict_do_nothing(index_elements=["person_id", "item_state_id", "version"])

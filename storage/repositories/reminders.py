"""What the reminders already sent (so a restart sends nothing twice)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from storage.models import (
    ReminderLogRow,
)


class SqlReminderLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def logged(self, person_id: int, day: date) -> set[tuple[str, str]]:
        rows = self.session.exec(
            select(ReminderLogRow).where(
                ReminderLogRow.person_id == person_id, ReminderLogRow.day == day
            )
        )
        return {(r.period, r.rule) for r in rows}

    def record(self, period: str, rule: str, person_id: int, day: date, now: datetime) -> None:
        self.session.add(
            ReminderLogRow(period=period, rule=rule, person_id=person_id, day=day, sent_at=now)
        )
        self.session.flush()

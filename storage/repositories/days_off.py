"""Days off beyond the national holidays (cuti bersama, local holidays)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from storage.models import (
    DayOffRow,
)


class SqlDaysOff:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[date]:
        return [r.day for r in self.session.exec(select(DayOffRow).order_by(col(DayOffRow.day)))]

    def add(self, day: date, note: str) -> None:
        row = self.session.get(DayOffRow, day) or DayOffRow(day=day)
        row.note = note
        self.session.add(row)

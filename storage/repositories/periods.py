"""Reporting periods: opened, closed at the hand-over."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from chatbot.domain.calendar import Period
from chatbot.services.ports import (
    PeriodInfo,
)
from storage.models import (
    PeriodRow,
)


class SqlPeriods:
    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def _info(row: Any) -> PeriodInfo:
        """From a PeriodRow or a row of ``_COLUMNS``."""
        return PeriodInfo(Period.parse(row.code), row.opened_at, row.closed_at)

    def get(self, period: Period) -> PeriodInfo | None:
        row = self.session.execute(_ONE, {"code": period.code}).first()
        return self._info(row) if row else None

    def open(self, period: Period, now: datetime, by: int | None) -> bool:
        if self.session.get(PeriodRow, period.code) is not None:
            return False
        try:
            with self.session.begin_nested():
                self.session.add(PeriodRow(code=period.code, opened_at=now, opened_by=by))
        except IntegrityError:  # opened by a concurrent transaction
            return False
        return True

    def close(self, period: Period, now: datetime) -> None:
        row = self.session.get(PeriodRow, period.code)
        assert row is not None
        row.closed_at = now
        self.session.add(row)

    def all(self) -> list[PeriodInfo]:
        rows = self.session.exec(select(PeriodRow).order_by(col(PeriodRow.code)))
        return [self._info(r) for r in rows]

    def open_periods(self) -> list[PeriodInfo]:
        return [self._info(r) for r in self.session.execute(_OPEN)]


# read on most updates: built once (plain columns, no ORM objects)
_COLUMNS = (col(PeriodRow.code), col(PeriodRow.opened_at), col(PeriodRow.closed_at))
_ONE = sa_select(*_COLUMNS).where(col(PeriodRow.code) == bindparam("code"))
_OPEN = sa_select(*_COLUMNS).where(col(PeriodRow.closed_at).is_(None)).order_by(col(PeriodRow.code))

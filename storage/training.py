"""A training database: one whose clock is ``SPIP_CLOCK_START``, not the real one. The mark
(start and anchor of the training clock) lives in the database itself, so the running bot and
every CLI command share one timeline, and a database used with the real clock is never taken
over by a training clock set by mistake."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from storage import migrate
from storage.models import AuditRow, MetaRow, PeriodRow, PersonRow

KEY = "jam_latihan"


class NotATrainingDatabase(Exception):
    """The training clock was asked for on a database already used with the real clock."""


@dataclass(frozen=True, slots=True)
class TrainingMark:
    start: datetime
    anchor: datetime


def _parse(value: str) -> TrainingMark:
    data = json.loads(value)
    return TrainingMark(
        datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["anchor"])
    )


def read_mark(engine: Engine) -> TrainingMark | None:
    with Session(engine) as session:
        row = session.get(MetaRow, KEY)
        return _parse(row.value) if row is not None else None


def training_mark(engine: Engine, start: datetime, real_now: datetime) -> tuple[TrainingMark, bool]:
    """The mark for ``start``: the one kept (same start: the timeline goes on), or a new one
    anchored at ``real_now`` (a new start, or a new database). Refuses a database that holds
    anything recorded with the real clock. Returns (mark, whether it was written now)."""
    migrate.upgrade(engine)
    with Session(engine) as session:
        row = session.get(MetaRow, KEY)
        if row is not None and _parse(row.value).start == start:
            return _parse(row.value), False
        if row is None:
            for table in (PersonRow, PeriodRow, AuditRow):
                if session.exec(select(func.count()).select_from(table)).one():
                    raise NotATrainingDatabase
            row = MetaRow(key=KEY, value="", updated_at=real_now)
        row.value = json.dumps({"start": start.isoformat(), "anchor": real_now.isoformat()})
        row.updated_at = real_now
        session.add(row)
        session.commit()
        return TrainingMark(start, real_now), True

"""What the health check reads: the outbox's backlog and failures, the last reminder, the
marks the day's steps and the alerts keep in ``meta``; and the schema's revision."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import ColumnElement, Engine, and_, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from chatbot.services.health import Mark, OutboxHealth, SchemaState
from storage import migrate
from storage.models import MetaRow, OutboxRow, PersonRow, ReminderLogRow


def _reached() -> ColumnElement[bool]:
    """A person the bot still sends to: active, and some channel not refused."""
    return and_(
        col(PersonRow.active),
        or_(
            and_(col(PersonRow.telegram_chat_id).is_not(None), col(PersonRow.blocked_at).is_(None)),
            and_(
                col(PersonRow.whatsapp_id).is_not(None),
                col(PersonRow.whatsapp_blocked_at).is_(None),
            ),
        ),
    )


class SqlHealth:
    def __init__(self, session: Session) -> None:
        self.session = session

    def outbox(self, now: datetime, failed_since: datetime) -> OutboxHealth:
        """Both read through the pending index (``sent_at`` is NULL for waiting and failed
        messages alike), so the check stays cheap however long the outbox's history is."""
        waiting, oldest = self.session.execute(
            sa_select(func.count(), func.min(col(OutboxRow.created_at)))
            .join(PersonRow, col(PersonRow.id) == col(OutboxRow.person_id))
            .where(
                col(OutboxRow.sent_at).is_(None),
                col(OutboxRow.failed_at).is_(None),
                # held back on purpose (a gathering notice) is not waiting yet
                or_(col(OutboxRow.attempts) > 0, col(OutboxRow.next_attempt_at) <= now),
                _reached(),
            )
        ).one()
        failed, last = self.session.execute(
            sa_select(func.count(), func.max(col(OutboxRow.failed_at)))
            .join(PersonRow, col(PersonRow.id) == col(OutboxRow.person_id))
            .where(
                col(OutboxRow.sent_at).is_(None),
                col(OutboxRow.failed_at) >= failed_since,
                # given up by a send (a message set aside when its person left a role was
                # never tried)
                col(OutboxRow.attempts) > 0,
                _reached(),
            )
        ).one()
        return OutboxHealth(int(waiting), _aware(oldest), int(failed), _aware(last))

    def last_reminder(self) -> datetime | None:
        last = self.session.execute(sa_select(func.max(col(ReminderLogRow.sent_at)))).scalar()
        return _aware(last)

    def read(self, key: str) -> Mark | None:
        row = self.session.get(MetaRow, key)
        return Mark(row.value, row.updated_at) if row is not None else None

    def write(self, key: str, value: str, now: datetime) -> None:
        row = self.session.get(MetaRow, key)
        if row is not None:
            row.value, row.updated_at = value, now
            self.session.add(row)
            self.session.flush()
            return
        try:
            with self.session.begin_nested():
                self.session.add(MetaRow(key=key, value=value, updated_at=now))
        except IntegrityError:  # the other process wrote it first: this one's value wins
            row = self.session.get(MetaRow, key, populate_existing=True)
            assert row is not None
            row.value, row.updated_at = value, now
            self.session.add(row)
            self.session.flush()


def _aware(value: object) -> datetime | None:
    """min() and max() keep the column's type (aware UTC); a string or a naive time from a
    driver that does not is read as the UTC it was stored as."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def database_label(url: str) -> tuple[str, bool]:
    """How the sentences name the database (never its user or password), and whether it is
    SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database or ":memory:"), True
    where = f"{parsed.host or 'localhost'}{f':{parsed.port}' if parsed.port else ''}"
    return f"PostgreSQL {where}/{parsed.database or ''}", False


def schema_state(engine: Engine) -> SchemaState:
    """The schema's revision against this code's; a SQLite file that is not there is not
    created to find out. Raises what the driver raises when the database cannot be reached."""
    url = engine.url
    head = migrate.head_revision()
    file = url.database if url.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not Path(str(file)).is_file():
        return SchemaState(False, None, head, True)
    current = migrate.current_revision(engine)
    known = current is None or current in migrate.known_revisions()
    return SchemaState(True, current, head, known)

"""The outbox: notices queued with the change that causes them, sent by each channel."""

from __future__ import annotations

import functools
import json
from collections.abc import Collection
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import Executable, Text, bindparam, case, false, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from chatbot.domain.channels import Channel, Reach, route
from chatbot.services.ports import (
    Attachment,
    Gathering,
    OutgoingMessage,
    QueuedMessage,
    WaitingMessage,
)
from storage.models import (
    OutboxRow,
    PersonRow,
    PlacedRow,
)
from storage.repositories._sql import dialect_insert, unsynchronized
from storage.types import UTCDateTime

# what a person who leaves a role may have been asked to act on, and not acted on yet
ACTIONABLE = ("item:", "kartu:", "periode:")
DEACTIVATED = "penerima dinonaktifkan"  # why a message is kept and never sent


class SqlOutbox:
    def __init__(self, session: Session) -> None:
        self.session = session

    def put(self, message: OutgoingMessage, now: datetime) -> bool:
        """Queue a message; a message with a dedupe key already queued is not queued again.
        A message to someone whose access has ended is kept as a record, never sent."""
        self.session.flush()  # what the session wrote but has not sent yet goes first
        queued = self.session.execute(
            _put_statement(self.session.get_bind().dialect.name),
            {
                "p_person_id": message.person_id,
                "p_text": message.text,
                "p_buttons": json.dumps([[list(b) for b in r] for r in message.buttons]),
                "p_attachments": json.dumps([asdict(a) for a in message.attachments]),
                "p_dedupe_key": message.dedupe_key,
                "p_created_at": now,
                "p_next_attempt_at": message.not_before or now,
                "p_group_key": message.group,
                "p_grouped": json.dumps(list(message.grouped)),
                "p_subject": message.subject,
                "p_edit_chat_id": message.edit[0] if message.edit else None,
                "p_edit_message_id": message.edit[1] if message.edit else None,
            },
        ).first()
        return queued is not None

    def gathering(self, person_id: int, group: str, now: datetime) -> Gathering | None:
        """The group's row still held back (not due yet, so no sender has read it), locked
        for this transaction (PostgreSQL; SQLite writes one at a time anyway)."""
        self.session.flush()
        row = self.session.execute(
            _HELD, {"p_person": person_id, "p_group": group, "p_now": now}
        ).first()
        if row is None:
            return None
        return Gathering(row.id, tuple(json.loads(row.grouped)))

    def regather(self, message_id: int, message: OutgoingMessage, now: datetime) -> bool:
        result = self.session.execute(
            update(OutboxRow)
            .where(
                col(OutboxRow.id) == message_id,
                col(OutboxRow.sent_at).is_(None),
                col(OutboxRow.sending_since).is_(None),
                col(OutboxRow.next_attempt_at) > now,
                col(OutboxRow.attempts) == 0,
            )
            .values(
                text=message.text,
                buttons=json.dumps([[list(b) for b in r] for r in message.buttons]),
                grouped=json.dumps(list(message.grouped)),
            )
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def due(self, now: datetime, limit: int, channel: str = "telegram") -> list[QueuedMessage]:
        """The messages due that ``route`` sends through ``channel``. Those that no channel
        reaches are handed to Telegram's drain, which records them as failed (said so)."""
        wanted = Channel(channel)
        address = (
            col(PersonRow.whatsapp_id)
            if wanted is Channel.WHATSAPP
            else col(PersonRow.telegram_chat_id)
        )
        query = (
            sa_select(
                OutboxRow,
                col(PersonRow.telegram_chat_id),
                col(PersonRow.whatsapp_id),
                col(PersonRow.whatsapp_seen_at),
                col(PersonRow.blocked_at),
                col(PersonRow.whatsapp_blocked_at),
                col(PersonRow.notify_via),
            )
            .join(PersonRow, col(PersonRow.id) == col(OutboxRow.person_id))
            .where(
                col(OutboxRow.sent_at).is_(None),
                col(OutboxRow.failed_at).is_(None),
                col(OutboxRow.next_attempt_at) <= now,
                col(PersonRow.active),  # a deactivated person is sent nothing
            )
            .order_by(col(OutboxRow.id))
        )
        if wanted is Channel.WHATSAPP:  # Telegram's drain also takes the unreachable
            query = query.where(address.is_not(None))
        result: list[QueuedMessage] = []
        offset, page = 0, max(limit, 1) * 2
        while len(result) < limit:
            rows = self.session.execute(query.offset(offset).limit(page)).all()
            for row, chat_id, whatsapp_id, seen_at, tg_blocked, wa_blocked, via in rows:
                reach = Reach(
                    telegram=chat_id is not None,
                    whatsapp=whatsapp_id is not None,
                    telegram_blocked=tg_blocked is not None,
                    whatsapp_blocked=wa_blocked is not None,
                    preferred=Channel(via) if via in set(Channel) else None,
                )
                goes = route(reach)
                edit = (
                    (int(row.edit_chat_id), int(row.edit_message_id))
                    if row.edit_chat_id is not None and row.edit_message_id is not None
                    else None
                )
                if edit is not None:  # an edit goes where its message is, whatever the route
                    if wanted is not Channel.TELEGRAM:
                        continue
                    goes, chat_id = Channel.TELEGRAM, edit[0]
                elif goes is not wanted and not (goes is None and wanted is Channel.TELEGRAM):
                    continue
                result.append(
                    QueuedMessage(
                        id=row.id or 0,
                        person_id=row.person_id,
                        chat_id=chat_id if goes is Channel.TELEGRAM else None,
                        text=row.text,
                        buttons=tuple(
                            tuple((b[0], b[1]) for b in r) for r in json.loads(row.buttons)
                        ),
                        attempts=row.attempts,
                        attachments=tuple(Attachment(**a) for a in json.loads(row.attachments)),
                        parts_sent=row.parts_sent,
                        interrupted=row.sending_since is not None,
                        whatsapp_id=whatsapp_id if goes is Channel.WHATSAPP else None,
                        whatsapp_seen_at=seen_at,
                        created_at=row.created_at,
                        subject=row.subject,
                        edit=edit,
                    )
                )
                if len(result) == limit:
                    break
            if len(rows) < page:
                break
            offset += page
        return result

    def _row(self, message_id: int) -> OutboxRow:
        row = self.session.get(OutboxRow, message_id)
        assert row is not None
        return row

    def mark_sending(
        self, message_id: int, now: datetime
    ) -> tuple[str, tuple[tuple[tuple[str, str], ...], ...], str | None]:
        """Claimed now (one statement, built once); the message as it stands."""
        self.session.flush()
        row = self.session.execute(_SENDING, {"p_id": message_id, "p_now": now}).one()
        buttons = tuple(tuple((b[0], b[1]) for b in r) for r in json.loads(row.buttons))
        return row.text, buttons, row.subject

    def mark_part_sent(self, message_id: int, parts_sent: int) -> None:
        row = self._row(message_id)
        row.parts_sent, row.sending_since = parts_sent, None
        self.session.add(row)

    def mark_sent(self, message_id: int, now: datetime) -> None:
        self.session.flush()
        self.session.execute(_SENT, {"p_id": message_id, "p_now": now})

    def mark_retry(self, message_id: int, error: str, retry_at: datetime) -> None:
        row = self._row(message_id)
        row.attempts, row.last_error, row.next_attempt_at = row.attempts + 1, error, retry_at
        row.sending_since = None
        self.session.add(row)

    def mark_failed(self, message_id: int, error: str, now: datetime) -> None:
        row = self._row(message_id)
        row.attempts, row.last_error, row.failed_at = row.attempts + 1, error, now
        row.sending_since = None
        self.session.add(row)

    def settle_queued(self, subject: str, outcome: str) -> int:
        """Its queued notices (not being sent) carry the outcome, without buttons: one
        statement, built once."""
        self.session.flush()
        result = self.session.execute(_SETTLE, {"p_subject": subject, "p_line": f"\n\n{outcome}"})
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def waiting(self, person_id: int) -> list[WaitingMessage]:
        """What the person was asked to act on and is still waiting: messages with buttons
        about a delivery, a card's step or a month whose subject is not settled (filtered in
        the database: a national satgas has thousands of settled ones); of a request asked
        again, the latest; every gathered notice (each a unit's decisions)."""
        o, settled = OutboxRow, PlacedRow
        rows = self.session.execute(
            sa_select(col(o.id), col(o.subject), col(o.group_key))
            .where(
                col(o.person_id) == person_id,
                col(o.failed_at).is_(None),
                col(o.edit_message_id).is_(None),
                col(o.buttons) != "[]",
                or_(*(col(o.subject).startswith(prefix) for prefix in ACTIONABLE)),
                ~sa_select(col(settled.id))
                .where(col(settled.subject) == col(o.subject), col(settled.settled_at).is_not(None))
                .exists(),
            )
            .order_by(col(o.id))
        ).all()
        latest: dict[tuple[str, str | None], WaitingMessage] = {}
        for message_id, subject, group in rows:
            key = (subject, group if group is None else f"{group}:{message_id}")
            latest.pop(key, None)  # a request asked again: the latest says where it stands
            latest[key] = WaitingMessage(message_id, subject, group)
        return list(latest.values())

    def forward(self, message_id: int, to_id: int, heading: str, now: datetime) -> bool:
        """The message, headed ``heading``, to ``to_id``; not when they were asked the same
        request themselves (a gathered notice is always theirs alone)."""
        row = self._row(message_id)
        if row.group_key is None and row.subject is not None and self.asked(to_id, row.subject):
            return False
        return self.put(
            OutgoingMessage(
                person_id=to_id,
                text=f"{heading}\n\n{row.text}",
                buttons=tuple(tuple((b[0], b[1]) for b in r) for r in json.loads(row.buttons)),
                attachments=tuple(Attachment(**a) for a in json.loads(row.attachments)),
                dedupe_key=f"alih:{row.id}:{to_id}",
                subject=row.subject,
            ),
            now,
        )

    def asked(self, person_id: int, subject: str) -> bool:
        """Whether the person was sent (or will be) a request about ``subject`` themselves."""
        return (
            self.session.exec(
                select(OutboxRow.id).where(
                    OutboxRow.person_id == person_id,
                    OutboxRow.subject == subject,
                    col(OutboxRow.group_key).is_(None),
                )
            ).first()
            is not None
        )

    def stop(self, person_id: int, now: datetime, only: Collection[int] | None = None) -> int:
        """What is queued for the person and not sent is recorded as not sent (their access
        ended, or the role it was for); ``only``: those messages."""
        query = update(OutboxRow).where(
            col(OutboxRow.person_id) == person_id,
            col(OutboxRow.sent_at).is_(None),
            col(OutboxRow.failed_at).is_(None),
        )
        if only is not None:
            if not only:
                return 0
            query = query.where(col(OutboxRow.id).in_(list(only)))
        result = self.session.execute(
            query.values(failed_at=now, last_error="penerima dinonaktifkan atau berganti peran")
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


_NOW = bindparam("p_now", type_=UTCDateTime())
# a message claimed by a sender, and sent: one statement each, built once
_SENDING = unsynchronized(
    update(OutboxRow)
    .where(col(OutboxRow.id) == bindparam("p_id"))
    .values(sending_since=_NOW)
    .returning(col(OutboxRow.text), col(OutboxRow.buttons), col(OutboxRow.subject))
)
_SENT = unsynchronized(
    update(OutboxRow)
    .where(col(OutboxRow.id) == bindparam("p_id"))
    .values(sent_at=_NOW, attempts=col(OutboxRow.attempts) + 1, sending_since=None)
)

_HELD = (
    sa_select(col(OutboxRow.id), col(OutboxRow.grouped))
    .where(
        col(OutboxRow.person_id) == bindparam("p_person"),
        col(OutboxRow.group_key) == bindparam("p_group"),
        col(OutboxRow.sent_at).is_(None),
        col(OutboxRow.sending_since).is_(None),
        col(OutboxRow.next_attempt_at) > _NOW,
        col(OutboxRow.attempts) == 0,
    )
    .order_by(col(OutboxRow.id))
    .with_for_update()
)

_SETTLE = unsynchronized(
    update(OutboxRow)
    .where(
        col(OutboxRow.subject) == bindparam("p_subject"),
        col(OutboxRow.sent_at).is_(None),
        col(OutboxRow.failed_at).is_(None),
        col(OutboxRow.sending_since).is_(None),
    )
    .values(
        text=col(OutboxRow.text) + bindparam("p_line", type_=Text()),
        buttons="[]",
        subject=None,
    )
)

_PUT_COLUMNS = (
    "person_id",
    "text",
    "buttons",
    "attachments",
    "dedupe_key",
    "created_at",
    "next_attempt_at",
    "group_key",
    "grouped",
    "subject",
    "edit_chat_id",
    "edit_message_id",
)


@functools.cache
def _put_statement(dialect: str) -> Executable:
    """``put``'s one statement, built once per dialect (each message only binds its values):
    the recipient's access is read inside it, and a dedupe key already queued (by this
    transaction or a concurrent one) leaves the queue untouched."""
    table = OutboxRow.__table__  # type: ignore[attr-defined]
    bound = {c: bindparam(f"p_{c}", type_=table.c[c].type) for c in _PUT_COLUMNS}
    deactivated = (
        sa_select(col(PersonRow.active))
        .where(col(PersonRow.id) == bound["person_id"])
        .scalar_subquery()
        == false()
    )
    statement = dialect_insert(dialect, table)
    return (
        statement.values(
            **bound,
            # when it was kept unsent: the column's own type, a UTC time whatever the dialect
            failed_at=case((deactivated, bound["created_at"])),
            last_error=case((deactivated, DEACTIVATED)),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(col(OutboxRow.id))
    )
